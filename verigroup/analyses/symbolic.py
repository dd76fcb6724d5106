"""Deciding pure-equilibrium properties with Z3, and exact parameter regions.

Entry point: :func:`symbolic_check` ``(ctx, prop) -> PropertyResult | None``
(None: the Z3 route does not apply to this property).  The dispatcher calls
it when the game is too large for tensors, when ``method == "z3"``, or when
the property has a parameter region.  It never enumerates profiles.

Supported: :class:`Quantified` over ``PURE_NASH`` (terms built from
``MetricAt``, ``PayoffAt``, ``MetricExtreme``, constants, parameters and
arithmetic/logic), :class:`IsEquilibrium`, :class:`Dominant`,
:class:`Existence` (pure) and :class:`Claim` over ``MetricExtreme``.

Every property is reduced to *obligations* over the action variables ``x``
(and, with a region, the parameter ``r``):

* ``never V(x, r)``: the property fails exactly when ``V`` is satisfiable
  ("every NE satisfies φ": ``V = NE(x) ∧ ¬φ(x)``);
* ``some W(x, r)``: for each admissible ``r`` some ``x`` must satisfy ``W``
  ("exists nash": ``W = NE(x)``).

Z3 ``unsat`` of every ``never`` obligation (and ``sat`` of every ``some``)
is the proof; a model is the counterexample, read back to action names and
replayed with the scalar evaluator (:mod:`verigroup.evaluate`).  Z3
``unknown`` (or its timeout) is UNKNOWN with Z3's reason, never HOLDS.

Evidence has the explicit route's keys and shapes for each property kind
(docs/report-schema.md, "Evidence per property kind"); a counterexample is
the lexicographically smallest one (:func:`_lex_min`), as the explicit route
reports it.  Certificates add ``solver``, ``z3_checks`` and ``z3_profiles``.

Parameter regions
-----------------
``... for r in [lo, hi]``: ``r`` becomes a Z3 Real in ``[lo, hi]``.  For a
``never`` obligation we repeatedly ask for a violating ``(x, r)`` with ``r``
outside the bad sets found so far; each answer's profile ``x*`` contributes
the exact set ``{r : V(x*, r)}``.  A game is finite, so this ends, and the
union is the whole bad set.  ``some`` obligations are covered the same way
(the union of ``{r : W(x*, r)}`` is the good set).  Each piece is a
quantifier-free formula in ``r``; when its atoms are piecewise linear in
``r`` its truth is constant between consecutive roots, so evaluating it at
the roots and at midpoints gives the exact set as a union of intervals.

Region evidence (exact rationals as strings)::

    {"param": "r", "interval": ["1", "5"],
     "region": [["1", "2"], ["3", "5"]],          # where the property holds
     "closed": [[true, false], [true, true]]}     # endpoint closedness

A single point ``x`` is ``[["x", "x"]]`` with ``[[true, true]]``; an empty
region is ``[]``.  When the region cannot be computed (payoffs nonlinear in
``r``, quantifiers, or the iteration cap) ``"region"`` is ``null`` and
``"region_note"`` says why; the verdict is still exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import z3

from verigroup.analyses.registry import Context
from verigroup.backends.z3 import (
    Z3Encoding, Z3Walker, all_guards, as_bool, as_fraction, back_params, back_profile, rv, to_z3,
)
from verigroup.diagnostics import SpecError
from verigroup.model import expr as E
from verigroup.model.properties import (
    Claim, Concept, Dominant, Existence, IsEquilibrium, MetricAt, MetricExtreme, PayoffAt,
    Quantified, Quantifier, Strength,
)
from verigroup.verdicts import Equilibrium, PropertyResult, Verdict, q
from verigroup.analyses.z3_common import (  # noqa: F401
    MAX_REGION_ITERATIONS, Obligation, _Outcome, _Unsupported, _solver, _timeout_ms, encoding,
)
from verigroup.analyses.z3_terms import (  # noqa: F401
    _Timeout, _sym,
)
from verigroup.analyses.z3_obligations import (  # noqa: F401
    _obligations, _params_json,
)
from verigroup.analyses.z3_regions import (  # noqa: F401
    region_json, region_of,
)

# Re-exported for callers of the former single module.
from verigroup.analyses.z3_common import encoding as encoding  # noqa: E402,F401
from verigroup.analyses.z3_regions import Interval as Interval  # noqa: E402,F401
from verigroup.analyses.z3_regions import region_json as region_json  # noqa: E402,F401
from verigroup.analyses.z3_regions import region_of as region_of  # noqa: E402,F401
from verigroup.analyses.z3_terms import symmetry_breaking as symmetry_breaking  # noqa: E402,F401

# ---------------------------------------------------------- deciding


def _value_of(m: z3.ModelRef, v: z3.ArithRef) -> tuple[Fraction, bool]:
    val = m.eval(v, model_completion=True)
    f = as_fraction(val)
    if f is not None:
        return f, True
    return Fraction(val.as_decimal(20).rstrip("?")), False  # type: ignore[attr-defined]


def _substitute_profiles(f: z3.ExprRef, vectors: Sequence[Sequence[z3.ArithRef]],
                         profs: Sequence[tuple[int, ...]]) -> z3.BoolRef:
    pairs = [(x, z3.IntVal(a)) for vec, p in zip(vectors, profs) for x, a in zip(vec, p)]
    return z3.simplify(z3.substitute(f, *pairs)) if pairs else z3.simplify(f)  # type: ignore[return-value]


def _lex_min(s: z3.Solver, vectors: Sequence[Sequence[z3.ArithRef]], m: z3.ModelRef) -> z3.ModelRef:
    """The lexicographically smallest solution in the action variables
    (vector by vector, agent order), starting from the model ``m``: the
    evidence is deterministic and the profile is the one the explicit route
    (which enumerates in lexicographic order) reports first.  If Z3 answers
    ``unknown`` on the way, the smallest model found so far is kept (still a
    valid witness)."""
    xs = [v for vec in vectors for v in vec]
    if not xs:
        return m
    s.push()
    try:
        for v in xs:
            cur = m.eval(v, model_completion=True).as_long()  # type: ignore[attr-defined]
            while cur > 0:
                s.push()
                s.add(v < cur)
                res = s.check()
                if res == z3.sat:
                    m = s.model()
                    cur = m.eval(v, model_completion=True).as_long()  # type: ignore[attr-defined]
                s.pop()
                if res != z3.sat:
                    if res == z3.unknown:
                        return m
                    break
            s.add(v == cur)
        return m
    finally:
        s.pop()


def _canonical_witness(s: z3.Solver, vectors: Sequence[Sequence[z3.ArithRef]], m: z3.ModelRef,
                       r: z3.ArithRef, bounds: tuple[Fraction, Fraction]) -> z3.ModelRef:
    """A violation at the region's lower endpoint, else at its upper one,
    with the lexicographically least profile; ``m`` when neither endpoint
    violates (or Z3 does not answer)."""
    for cand in (bounds[0], bounds[1]):
        s.push()
        try:
            s.add(r == rv(cand))
            if s.check() == z3.sat:
                return _lex_min(s, vectors, s.model())
        finally:
            s.pop()
    return m


def _decide(ctx: Context, enc: Z3Encoding, obs: list[Obligation], side: list[z3.BoolRef],
            rng: list[z3.BoolRef], r: z3.ArithRef | None, bounds: tuple[Fraction, Fraction] | None,
            fields: Mapping[str, Any] | None = None) -> _Outcome:
    """Run every obligation; VIOLATED wins over UNKNOWN wins over HOLDS.

    A HOLDS certificate is the property kind's ``fields`` (and the first
    witness's fields) plus the Z3 route's own: ``solver``, ``z3_checks``
    (one ``unsat``/``sat``/``covered`` per obligation) and ``z3_profiles``
    (how many profiles the proof covers, as a string: it may be huge)."""
    unknown: list[str] = []
    violation: _Outcome | None = None
    certificate: list[str] = []
    witnesses: list[dict[str, Any]] = []
    bad: list[z3.BoolRef] = []
    good: list[list[z3.BoolRef]] = []
    region_ok = r is not None
    note = ""
    for ob in obs:
        base = [*enc.domain, *side, *rng]
        if ob.symmetric and all(len(v) == len(enc.action_vars)
                                and all(a.eq(b) for a, b in zip(v, enc.action_vars)) for v in ob.vectors):
            base.extend(_sym(ctx, enc))
        s = _solver(ctx)
        s.add(*base, ob.formula)
        loop = r is not None and not ob.quantified
        pieces: list[z3.BoolRef] = []
        first: tuple[list[tuple[int, ...]], dict[str, Fraction], bool] | None = None
        for _ in range(MAX_REGION_ITERATIONS if loop else 1):
            res = s.check()
            if res == z3.unknown:
                unknown.append(s.reason_unknown())
                region_ok = False
                break
            if res == z3.unsat:
                break
            m = s.model()
            if not loop:
                m = _lex_min(s, ob.vectors, m)
            profs = [back_profile(enc, m, vec) for vec in ob.vectors]
            params = back_params(enc, m)
            exact = all(_value_of(m, v)[1] for v in enc.param_vars.values())
            if first is None and r is not None and bounds is not None:
                # The reported witness must not depend on Z3's search history
                # (replay re-checks it in another context): pin the region
                # parameter to an endpoint where possible, then take the
                # lexicographically least profile there.
                m1 = _canonical_witness(s, ob.vectors, m, r, bounds)
                first = ([back_profile(enc, m1, vec) for vec in ob.vectors], back_params(enc, m1),
                         all(_value_of(m1, v)[1] for v in enc.param_vars.values()))
            if first is None:
                first = (profs, params, exact)
            if not loop:
                break
            piece = _substitute_profiles(ob.formula, ob.vectors, profs)
            pieces.append(piece)
            s.add(z3.Not(piece))
        else:
            if loop:
                region_ok = False
                note = f"more than {MAX_REGION_ITERATIONS} profile pieces"
        if r is None or ob.quantified:
            region_ok = False if r is not None else region_ok
            if ob.quantified and r is not None:
                note = "the property quantifies over profiles (max/min of a metric) under a free parameter"
        if ob.kind == "never":
            bad.extend(pieces)
            if first is not None:
                if violation is None:
                    violation = _Outcome(Verdict.VIOLATED, "counterexample found", ob.describe(first[0], first[1]))
                    if not first[2]:
                        violation.evidence["params_exact"] = False
            elif not unknown:
                certificate.append("unsat")
            continue
        # "some": with a region, every admissible r needs a witness.
        good.append(pieces)
        if first is None:
            if not unknown and violation is None:
                violation = _Outcome(Verdict.VIOLATED, "no witness exists", dict(ob.failure))
            continue
        if r is None:
            certificate.append("sat")
            witnesses.append(ob.describe(first[0], first[1]))
            continue
        if ob.quantified or not region_ok:
            # ∃r ∀x ¬W: a parameter value with no witness.
            c = _solver(ctx)
            xs = [v for vec in ob.vectors for v in vec]
            dom = [d for vec in ob.vectors for d in enc.domain_of(vec)]
            c.add(*rng, z3.ForAll(xs, z3.Implies(z3.And(*dom), z3.Not(ob.formula))) if xs
                  else z3.Not(ob.formula))
            c.add(*[sc for sc in side if not _mentions(sc, xs)])
        else:
            c = _solver(ctx)
            c.add(*rng, *[z3.Not(p) for p in pieces])
        res = c.check()
        if res == z3.unknown:
            unknown.append(c.reason_unknown())
        elif res == z3.sat:
            params = back_params(enc, c.model())
            if violation is None:
                ev = dict(ob.failure)
                ev["params"] = _params_json(params)
                violation = _Outcome(Verdict.VIOLATED, "no witness for this parameter value", ev)
        else:
            certificate.append("covered")
            witnesses.append(ob.describe(first[0], first[1]))
    region_ev: dict[str, Any] = {}
    if r is not None and bounds is not None:
        region_ev = {"param": str(r).removeprefix("param_"), "interval": [q(bounds[0]), q(bounds[1])]}
        intervals = None
        if region_ok and not unknown:
            holds = z3.And(rv(bounds[0]) <= r, r <= rv(bounds[1]),
                           z3.Not(z3.Or(*bad)) if bad else z3.BoolVal(True),
                           *[z3.Or(*g) if g else z3.BoolVal(False) for g in good])
            intervals = region_of(holds, r, bounds[0], bounds[1])
            if intervals is None:
                note = "payoffs are not piecewise linear in the parameter"
        if intervals is None:
            region_ev.update({"region": None, "region_note": "not computed: " + (note or "solver gave up")})
        else:
            region_ev.update(region_json(intervals))
    if violation is not None:
        violation.evidence.update(region_ev)
        return violation
    if unknown:
        return _Outcome(Verdict.UNKNOWN, "z3 could not decide: " + "; ".join(unknown),
                        {"reason": "z3 returned unknown: " + "; ".join(unknown), **region_ev})
    cert: dict[str, Any] = {"method": "z3", "solver": "z3", "z3_checks": certificate,
                            "z3_profiles": str(ctx.model.num_profiles), **(fields or {}), **region_ev}
    if witnesses:
        cert.update(witnesses[0])
    return _Outcome(Verdict.HOLDS, "proved by Z3", cert)


def _mentions(f: z3.ExprRef, xs: Sequence[z3.ExprRef]) -> bool:
    names = {str(x) for x in xs}
    stack, seen = [f], set()
    while stack:
        t = stack.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_const(t) and str(t) in names:
            return True
        if z3.is_app(t):
            stack.extend(t.arg(i) for i in range(t.num_args()))
        elif z3.is_quantifier(t):
            stack.append(t.body())
    return False


SUPPORTED = (Quantified, Claim, IsEquilibrium, Existence, Dominant)


def symbolic_check(ctx: Context, prop: Any) -> PropertyResult | None:
    """Decide ``prop`` with Z3 without enumerating profiles; None when the
    Z3 route does not apply to this property kind or term."""
    if not isinstance(prop, SUPPORTED) or ctx.model.protocol is not None:
        return None
    kind = type(prop).__name__
    region = getattr(prop, "region", None)
    symbolic = frozenset({region.param}) if region is not None else frozenset()
    try:
        enc = encoding(ctx, symbolic)
        rng: list[z3.BoolRef] = []
        r: z3.ArithRef | None = None
        bounds: tuple[Fraction, Fraction] | None = None
        if region is not None:
            cw = Z3Walker(ctx.model, enc.action_vars, {})
            lo, hi = cw.const(region.lo, {}, "region bound"), cw.const(region.hi, {}, "region bound")
            if lo > hi:
                raise SpecError.single("E112", f"empty parameter region [{lo}, {hi}]", region.span)
            r = enc.param_vars[region.param]
            rng = [rv(lo) <= r, r <= rv(hi)]
            bounds = (lo, hi)
        obs, side, fields = _obligations(ctx, enc, prop)
        from verigroup.backends.z3 import check_guards

        check_guards(enc, rng, _timeout_ms(ctx))
        out = _decide(ctx, enc, obs, side, rng, r, bounds, fields)
    except _Unsupported:
        return None
    except _Timeout as exc:
        out = _Outcome(Verdict.UNKNOWN, str(exc), {"reason": str(exc)})
    method = "z3" if region is None else "z3-region"
    return PropertyResult(prop.name, kind, out.verdict, method, out.message, out.evidence, prop.span)
