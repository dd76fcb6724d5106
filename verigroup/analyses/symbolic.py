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

MAX_REGION_ITERATIONS = 200
DEFAULT_TIMEOUT_MS = 120_000


class _Unsupported(Exception):
    """The Z3 route does not apply (symbolic_check returns None)."""


@dataclass
class Obligation:
    kind: str  # "never" | "some"
    formula: z3.BoolRef
    vectors: list[list[z3.ArithRef]]  # action-variable vectors it mentions
    describe: Callable[[list[tuple[int, ...]], dict[str, Fraction]], dict[str, Any]]
    quantified: bool = False
    # Evidence when a ``some`` obligation has no witness.
    failure: dict[str, Any] = field(default_factory=dict)
    # Invariant under permuting interchangeable agents: symmetry breaking applies.
    symmetric: bool = False


@dataclass
class _Outcome:
    verdict: Verdict
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


# -------------------------------------------------------------- helpers


def _timeout_ms(ctx: Context) -> int:
    from verigroup.analyses.timeouts import remaining

    left = remaining()
    if left is None and ctx.timeout is not None:
        left = ctx.timeout
    return max(1, int(left * 1000)) if left is not None else DEFAULT_TIMEOUT_MS


def _solver(ctx: Context) -> z3.Solver:
    s = z3.Solver()
    s.set("timeout", _timeout_ms(ctx))
    return s


def encoding(ctx: Context, symbolic: frozenset[str] = frozenset()) -> Z3Encoding:
    key = ("z3_encoding", symbolic)
    enc = ctx.model._cache.get(key)  # type: ignore[call-overload]
    if enc is None:
        enc = to_z3(ctx.model, symbolic_params=symbolic)
        ctx.model._cache[key] = enc  # type: ignore[index]
    return enc


def _values(ctx: Context, enc: Z3Encoding, profile: tuple[int, ...],
            params: Mapping[str, Fraction] | None = None) -> tuple[list[Fraction], dict[str, Fraction]]:
    """Exact payoffs (agent order) and metrics at a profile (the scalar
    evaluator, so the evidence is replayable from the spec alone)."""
    model = ctx.model
    full = dict(model.param_values())
    full.update(params or {})
    try:
        if model._cache.get("game") is not None and not params:
            g = model._cache["game"]
            pays = list(g.payoff_vector(profile))
            mets = {m: t.tensor.at(profile) for m, t in g.metrics.items()}
        else:
            from verigroup.evaluate.scalar import metrics_at, payoffs_at

            pays = list(payoffs_at(model, profile, full))
            mets = metrics_at(model, profile, full)
    except (ImportError, AttributeError):  # pragma: no cover - evaluator absent
        from verigroup.backends.z3 import value_at

        pays = [value_at(enc, t, profile, params) for t in enc.payoffs]  # type: ignore[misc]
        mets = {m: value_at(enc, t, profile, params) for m, t in enc.metrics.items()}  # type: ignore[misc]
    return pays, mets


def profile_record(ctx: Context, enc: Z3Encoding, profile: tuple[int, ...],
                   params: Mapping[str, Fraction] | None = None) -> dict[str, Any]:
    """Names, exact payoffs and metrics at a profile."""
    pays, mets = _values(ctx, enc, profile, params)
    return {
        "profile": _names(ctx, profile),
        "payoffs": {a.name: q(v) for a, v in zip(ctx.model.agents, pays)},
        "metrics": {m: q(v) for m, v in sorted(mets.items())},
    }


def equilibrium_record(ctx: Context, enc: Z3Encoding, profile: tuple[int, ...],
                       params: Mapping[str, Fraction] | None = None) -> dict[str, Any]:
    """A pure Nash equilibrium in the report's ``equilibria`` format (the
    explicit route's :meth:`PurePoint.describe`), so both routes' evidence
    has one shape."""
    pays, mets = _values(ctx, enc, profile, params)
    agents = ctx.model.agents
    return Equilibrium(
        concept=Concept.PURE_NASH.value,
        strategies={a.name: {a.actions[i]: Fraction(1)} for a, i in zip(agents, profile)},
        payoffs={a.name: v for a, v in zip(agents, pays)},
        metrics=dict(mets),
    ).to_json()


def point_evidence(ctx: Context, enc: Z3Encoding, profile: tuple[int, ...],
                   params: Mapping[str, Fraction] | None = None) -> dict[str, Any]:
    """An equilibrium with its profile, payoffs and metrics lifted beside it
    (the explicit route's ``_point_evidence`` for a pure point)."""
    rec = equilibrium_record(ctx, enc, profile, params)
    out: dict[str, Any] = {"equilibrium": rec, "profile": _names(ctx, profile)}
    for k in ("payoffs", "metrics"):
        if k in rec:
            out[k] = rec[k]
    return out


def _sides(ctx: Context, enc: Z3Encoding, walker: Z3Walker, body: Any, profile: tuple[int, ...] | None,
           params: Mapping[str, Fraction] | None = None) -> dict[str, str]:
    """Both sides of a comparison body at a profile, exactly (``{}`` when the
    body is not a comparison or a side is not closed, e.g. under a free
    parameter)."""
    from verigroup.backends.z3 import value_at

    if not isinstance(body, E.Compare):
        return {}
    prof = profile if profile is not None else tuple(0 for _ in ctx.model.agents)
    try:
        vals = [value_at(enc, walker.walk(t, {}), prof, params) for t in (body.left, body.right)]
    except (ValueError, z3.Z3Exception):
        return {}
    out = [str(v).lower() if isinstance(v, bool) else q(v) for v in vals]
    return {"left": out[0], "right": out[1], "op": body.op}


# ----------------------------------------------------------- term walker


class TermWalker(Z3Walker):
    """Property terms: expression nodes plus MetricAt/PayoffAt/MetricExtreme."""

    def __init__(self, enc: Z3Encoding, bound: Mapping[str, Sequence[z3.ArithRef]],
                 extremes: Mapping[tuple[str, str], z3.ArithRef]) -> None:
        base: Z3Walker = enc._memo["walker"]
        super().__init__(enc.model, enc.action_vars, enc.param_vars)
        self._payoff_memo = base._payoff_memo
        self._metric_memo = base._metric_memo
        self.guards = base.guards
        self.enc = enc
        self.bound = bound
        self.extremes = extremes

    def _vec(self, var: str) -> Sequence[z3.ArithRef]:
        if var not in self.bound:
            raise _Unsupported(f"unbound equilibrium variable {var!r}")
        return self.bound[var]

    def walk_MetricAt(self, e: MetricAt, env: Mapping[str, int]) -> z3.ExprRef:
        return self.enc.at(self.metric(e.metric, e.span), self._vec(e.var))

    def walk_PayoffAt(self, e: PayoffAt, env: Mapping[str, int]) -> z3.ExprRef:
        return self.enc.at(self.payoff(self.agent_pos(e.agent, env)), self._vec(e.var))

    def walk_MetricExtreme(self, e: MetricExtreme, env: Mapping[str, int]) -> z3.ExprRef:
        return self.extremes[(e.metric, e.which)]

    def _unsupported(self, e: Any, env: Mapping[str, int]) -> z3.ExprRef:
        raise _Unsupported(f"{type(e).__name__} is not supported by the Z3 route")

    walk_EquilibriumValue = _unsupported
    walk_PriceOf = _unsupported
    walk_EquilibriumCount = _unsupported
    walk_ActionIs = _unsupported
    walk_SameAction = _unsupported
    walk_PayoffOf = _unsupported
    walk_MetricOf = _unsupported


def _extremes_in(term: Any) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()

    def visit(t: Any) -> None:
        if isinstance(t, MetricExtreme):
            out.add((t.metric, t.which))
            return
        for name in getattr(t, "__dataclass_fields__", {}):
            v = getattr(t, name)
            if isinstance(v, tuple):
                for x in v:
                    visit(x)
            elif hasattr(v, "__dataclass_fields__"):
                visit(v)

    visit(term)
    return out


def _extreme_value(ctx: Context, enc: Z3Encoding, metric: str, which: str) -> tuple[Fraction, tuple[int, ...]]:
    """max/min of a metric over all pure profiles, exactly: z3.Optimize,
    then an unsat check that nothing beats it."""
    walker: Z3Walker = enc._memo["walker"]
    t = walker.metric(metric)
    opt = z3.Optimize()
    opt.set("timeout", _timeout_ms(ctx))
    opt.add(*enc.domain, *_sym(ctx, enc))
    opt.maximize(t) if which == "max" else opt.minimize(t)
    res = opt.check()
    if res != z3.sat:
        raise _Timeout(f"z3 could not compute {which}({metric}): {opt.reason_unknown()}")
    prof = back_profile(enc, opt.model())
    from verigroup.backends.z3 import value_at

    v = value_at(enc, t, prof)
    assert isinstance(v, Fraction)
    s = _solver(ctx)
    s.add(*enc.domain, *_sym(ctx, enc), (t > rv(v)) if which == "max" else (t < rv(v)))
    chk = s.check()
    if chk == z3.unknown:
        raise _Timeout(f"z3 could not confirm {which}({metric}): {s.reason_unknown()}")
    if chk == z3.sat:  # pragma: no cover - Optimize is exact on these theories
        raise _Timeout(f"z3.Optimize returned a non-optimal value for {which}({metric})")
    return v, prof


class _Timeout(Exception):
    pass


def _sym(ctx: Context, enc: Z3Encoding) -> list[z3.BoolRef]:
    if not ctx.options.get("symmetry", True):
        return []
    return symmetry_breaking(ctx, enc)


def _extreme_terms(ctx: Context, enc: Z3Encoding, needed: set[tuple[str, str]],
                   side: list[z3.BoolRef], witnesses: list[list[z3.ArithRef]],
                   trace: dict[str, Any]) -> tuple[dict[tuple[str, str], z3.ArithRef], bool]:
    """Terms for max/min(metric).  Without symbolic parameters: exact
    constants, recorded in ``trace`` as the explicit route's ``terms``
    (``{"max(welfare)": {"value", "profile"}}``).  With them: a fresh Real
    pinned by a witness profile and a universally quantified bound (so the
    formula is quantified)."""
    out: dict[tuple[str, str], z3.ArithRef] = {}
    quantified = False
    walker: Z3Walker = enc._memo["walker"]
    for n, (metric, which) in enumerate(sorted(needed)):
        walker.metric(metric)  # E101 for unknown metrics
        if not enc.param_vars:
            v, at = _extreme_value(ctx, enc, metric, which)
            trace[f"{which}({metric})"] = {"value": q(v), "profile": _names(ctx, at)}
            out[(metric, which)] = rv(v)
            continue
        quantified = True
        t = walker.metric(metric)
        m = z3.Real(f"ext_{n}")
        w = enc.fresh_copy(f"ext_w{n}")
        u = enc.fresh_copy(f"ext_u{n}")
        side.extend(enc.domain_of(w))
        side.append(m == enc.at(t, w))
        bound = (enc.at(t, u) <= m) if which == "max" else (enc.at(t, u) >= m)
        side.append(z3.ForAll(u, z3.Implies(z3.And(*enc.domain_of(u)), bound)))
        witnesses.append(w)
        out[(metric, which)] = m
    return out, quantified


# ------------------------------------------------------------ symmetry


SYMMETRY_CHECK_MS = 5_000


def symmetry_breaking(ctx: Context, enc: Z3Encoding) -> list[z3.BoolRef]:
    """Lex-leader constraints ``x_p1 <= x_p2 <= ...`` for every family whose
    members are interchangeable, *proved* by Z3: for each adjacent swap
    ``σ = (p q)``, ``u_p(σx) = u_q(x)``, ``u_q(σx) = u_p(x)``, ``u_j(σx) =
    u_j(x)`` for every other agent and ``m(σx) = m(x)`` for every metric (the
    adjacent transpositions generate the whole symmetric group).  Sound for
    properties invariant under these permutations (terms over metrics,
    existence); a swap Z3 cannot prove within the budget is not used."""
    key = "symmetry"
    if key in enc._memo:
        return enc._memo[key]  # type: ignore[no-any-return]
    out: list[z3.BoolRef] = []
    model = ctx.model
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for k, ag in enumerate(model.agents):
        if ag.index is not None:
            groups.setdefault((ag.family, ag.actions), []).append(k)
    x = enc.action_vars
    for members in groups.values():
        run: list[int] = members[:1]
        for p, qq in zip(members, members[1:]):
            if _swap_invariant(enc, p, qq):
                run.append(qq)
                continue
            out.extend(x[i] <= x[j] for i, j in zip(run, run[1:]))
            run = [qq]
        out.extend(x[i] <= x[j] for i, j in zip(run, run[1:]))
    enc._memo[key] = out
    return out


def _swap_invariant(enc: Z3Encoding, p: int, qq: int) -> bool:
    x = enc.action_vars
    sigma = [(x[p], x[qq]), (x[qq], x[p])]
    diffs = []
    for j, u in enumerate(enc.payoffs):
        tgt = enc.payoffs[qq] if j == p else enc.payoffs[p] if j == qq else u
        diffs.append(z3.substitute(u, *sigma) != tgt)
    diffs.extend(z3.substitute(t, *sigma) != t for t in enc.metrics.values())
    s = z3.Solver()
    s.set("timeout", SYMMETRY_CHECK_MS)
    s.add(*enc.domain, *[g.cond for g in all_guards(enc)], z3.Or(*diffs))
    return s.check() == z3.unsat


def _symmetric_term(term: Any) -> bool:
    """Terms invariant under permuting interchangeable agents: no PayoffAt
    (a named agent) and no agent reference at all."""
    bad = (PayoffAt, E.AgentRef, E.ActionIs, E.SameAction, E.PayoffOf)

    def visit(t: Any) -> bool:
        if isinstance(t, bad):
            return False
        for name in getattr(t, "__dataclass_fields__", {}):
            v = getattr(t, name)
            items = v if isinstance(v, tuple) else (v,)
            for it in items:
                if hasattr(it, "__dataclass_fields__") and not visit(it):
                    return False
        return True

    return visit(term)


# ------------------------------------------------------ obligations


def _names(ctx: Context, prof: tuple[int, ...]) -> dict[str, str]:
    return {a.name: a.actions[i] for a, i in zip(ctx.model.agents, prof)}


def _params_json(params: Mapping[str, Fraction]) -> dict[str, str]:
    return {k: q(v) for k, v in params.items()}


def _with_params(ev: dict[str, Any], params: Mapping[str, Fraction]) -> dict[str, Any]:
    if params:
        ev["params"] = _params_json(params)
    return ev


def _obligations(ctx: Context, enc: Z3Encoding,
                 prop: Any) -> tuple[list[Obligation], list[z3.BoolRef], dict[str, Any]]:
    """The obligations deciding ``prop``, side constraints, and the
    property kind's certificate fields (merged into a HOLDS certificate).

    Evidence has the explicit route's keys and shapes for the same property
    kind (docs/report-schema.md); a ``some`` obligation's ``describe``
    returns certificate fields (e.g. ``{"witness": ...}``)."""
    side: list[z3.BoolRef] = []
    x = list(enc.action_vars)
    model = ctx.model
    symbolic = bool(enc.param_vars)

    if isinstance(prop, (Quantified, Claim)):
        if isinstance(prop, Quantified) and prop.concept is not Concept.PURE_NASH:
            raise _Unsupported("only pure Nash equilibria are decided by Z3")
        wit: list[list[z3.ArithRef]] = []
        trace: dict[str, Any] = {}
        ext, quant = _extreme_terms(ctx, enc, _extremes_in(prop.body), side, wit, trace)
        if isinstance(prop, Claim):
            walker = TermWalker(enc, {}, ext)
            phi = walker.boolean(walker.walk(prop.body, {}), prop.span)

            def d_claim(profs: list[tuple[int, ...]], params: dict[str, Fraction]) -> dict[str, Any]:
                return _with_params({"kind": "claim", "method": "z3",
                                     "sides": _sides(ctx, enc, walker, prop.body, None, params),
                                     "terms": trace}, params)

            return ([Obligation("never", z3.Not(phi), [], d_claim, quant)], side,
                    {"sides": _sides(ctx, enc, walker, prop.body, None), "terms": trace})
        walker = TermWalker(enc, {prop.var: x}, ext)
        phi = walker.boolean(walker.walk(prop.body, {}), prop.span)
        ne = enc.nash()
        sym = _symmetric_term(prop.body)
        if prop.quantifier is Quantifier.EVERY:
            def d_every(profs: list[tuple[int, ...]], params: dict[str, Fraction]) -> dict[str, Any]:
                return _with_params({"kind": "equilibrium", "concept": Concept.PURE_NASH.value,
                                     **point_evidence(ctx, enc, profs[0], params),
                                     "sides": _sides(ctx, enc, walker, prop.body, profs[0], params),
                                     "terms": trace}, params)

            # The Z3 route proves the property without enumerating the
            # equilibria: their number is not known (null).
            return ([Obligation("never", z3.And(ne, z3.Not(phi)), [x], d_every, quant, symmetric=sym)], side,
                    {"equilibria": None, "terms": trace})

        def d_some(profs: list[tuple[int, ...]], params: dict[str, Fraction]) -> dict[str, Any]:
            return {"witness": _with_params(point_evidence(ctx, enc, profs[0], params), params),
                    "sides": _sides(ctx, enc, walker, prop.body, profs[0], params), "terms": trace}

        # ``checked`` lists the equilibria examined one by one: none here.
        return [Obligation("some", z3.And(ne, phi), [x], d_some, quant,
                           {"kind": "no_witness", "method": "z3", "equilibria": None, "checked": [],
                            "terms": trace}, sym)], side, {}

    if isinstance(prop, IsEquilibrium):
        prof = tuple(model.agents[k].actions.index(a) for k, a in enumerate(prop.profile.actions))
        xs = enc.profile_vals(prof)

        def d_is(profs: list[tuple[int, ...]], params: dict[str, Fraction]) -> dict[str, Any]:
            return _deviation(ctx, enc, prof, params)

        fields: dict[str, Any] = {"profile": _names(ctx, prof),
                                  "deviations_checked": sum(len(a.actions) - 1 for a in model.agents)}
        if not symbolic:  # under a parameter region the payoffs are not one value
            fields["payoffs"] = profile_record(ctx, enc, prof)["payoffs"]
        return [Obligation("never", z3.Not(enc.nash(xs)), [], d_is)], side, fields

    if isinstance(prop, Existence):
        if prop.concept is not Concept.PURE_NASH:
            raise _Unsupported("only pure Nash existence is decided by Z3")

        def d_exists(profs: list[tuple[int, ...]], params: dict[str, Fraction]) -> dict[str, Any]:
            return {"witness": _with_params(equilibrium_record(ctx, enc, profs[0], params), params)}

        obs = [Obligation("some", enc.nash(), [x], d_exists, False,
                          {"kind": "nonexistence", "method": "z3", "equilibria": 0}, True)]
        if prop.unique:
            y = enc.fresh_copy("y")
            side.extend(enc.domain_of(y))

            def d_two(profs: list[tuple[int, ...]], params: dict[str, Fraction]) -> dict[str, Any]:
                # How many equilibria there are is not known (null); two are shown.
                return _with_params({"kind": "multiplicity", "method": "z3", "equilibria": None,
                                     "witnesses": [equilibrium_record(ctx, enc, p, params)
                                                   for p in sorted(profs[:2])]}, params)

            differ = z3.Or(*[a != b for a, b in zip(x, y)])
            obs.append(Obligation("never", z3.And(enc.nash(), enc.nash(y), differ), [x, y], d_two))
        return obs, side, {"equilibria": 1 if prop.unique else None}

    if isinstance(prop, Dominant):
        obs = []
        comparisons = 0
        for i in prop.agents:
            ag = model.agents[i]
            if prop.action not in ag.actions:
                raise SpecError.single("E104", f"{ag.name} has no action {prop.action!r}", prop.span)
            comparisons += model.num_profiles // len(ag.actions) * (len(ag.actions) - 1)
            a = ag.actions.index(prop.action)
            u = enc.payoffs[i]
            ua = enc.deviation(u, i, a)
            for b in range(len(ag.actions)):
                if b == a:
                    continue
                ub = enc.deviation(u, i, b)

                def d_dom(profs: list[tuple[int, ...]], params: dict[str, Fraction],
                          i: int = i, a: int = a, b: int = b) -> dict[str, Any]:
                    return _dominance_evidence(ctx, enc, i, a, b, profs[0], params, prop.strength)

                if prop.strength is Strength.STRICT:
                    obs.append(Obligation("never", z3.And(x[i] == 0, ua <= ub), [x], d_dom))
                else:
                    obs.append(Obligation("never", z3.And(x[i] == 0, ua < ub), [x], d_dom))

                    def d_tie(profs: list[tuple[int, ...]], params: dict[str, Fraction]) -> dict[str, Any]:
                        return {}  # a strict win somewhere: nothing to add to the certificate

                    obs.append(Obligation("some", z3.And(x[i] == 0, ua > ub), [x], d_tie, False, {
                        "kind": "dominance", "agent": ag.name, "action": ag.actions[a],
                        "competitor": ag.actions[b], "strength": prop.strength.value,
                        "why": "tie everywhere"}))
        return obs, side, {"agents": [model.agents[i].name for i in prop.agents], "comparisons": comparisons}

    raise _Unsupported(f"{type(prop).__name__} is not decided by the Z3 route")


def _deviation(ctx: Context, enc: Z3Encoding, prof: tuple[int, ...],
               params: Mapping[str, Fraction]) -> dict[str, Any]:
    """The explicit route's deviation evidence: the first agent with a
    strictly better reply, its first best reply, and its whole reply table."""
    from verigroup.backends.z3 import value_at

    for i, ag in enumerate(ctx.model.agents):
        vals: list[Fraction] = []
        for b in range(len(ag.actions)):
            alt = list(prof)
            alt[i] = b
            v = value_at(enc, enc.payoffs[i], alt, params)
            assert isinstance(v, Fraction)
            vals.append(v)
        cur, best = vals[prof[i]], max(vals)
        if best > cur:
            rec = profile_record(ctx, enc, prof, params)
            return _with_params({
                "kind": "deviation", "profile": rec["profile"], "payoffs": rec["payoffs"],
                "agent": ag.name, "deviation": ag.actions[vals.index(best)],
                "payoff": q(cur), "deviation_payoff": q(best), "gain": q(best - cur),
                "best_responses": {act: q(v) for act, v in zip(ag.actions, vals)},
            }, params)
    raise _Timeout("z3 reported a profitable deviation that exact evaluation does not confirm")  # pragma: no cover


def _dominance_evidence(ctx: Context, enc: Z3Encoding, i: int, a: int, b: int, prof: tuple[int, ...],
                        params: Mapping[str, Fraction], strength: Strength) -> dict[str, Any]:
    from verigroup.backends.z3 import value_at

    ag = ctx.model.agents[i]
    pa, pb = list(prof), list(prof)
    pa[i], pb[i] = a, b
    ua, ub = value_at(enc, enc.payoffs[i], pa, params), value_at(enc, enc.payoffs[i], pb, params)
    return _with_params({
        "kind": "dominance", "agent": ag.name, "action": ag.actions[a], "competitor": ag.actions[b],
        "strength": strength.value,
        "opponents": {o.name: o.actions[prof[k]] for k, o in enumerate(ctx.model.agents) if k != i},
        "payoff": q(ua), "competitor_payoff": q(ub),  # type: ignore[arg-type]
        "profile": _names(ctx, tuple(pa)),
        "why": "worse than" if ua < ub else "no better than",  # type: ignore[operator]
    }, params)


# ------------------------------------------------------ region algebra


@dataclass(frozen=True)
class Interval:
    lo: Fraction
    hi: Fraction
    lo_closed: bool = True
    hi_closed: bool = True


def _lin(t: z3.ExprRef, r: z3.ArithRef, cap: int = 256) -> list[tuple[Fraction, Fraction]] | None:
    """The affine pieces ``a*r + b`` a piecewise-linear term can take (None:
    not piecewise linear in ``r``)."""
    f = as_fraction(t) if (z3.is_rational_value(t) or z3.is_int_value(t)) else None
    if f is not None:
        return [(Fraction(0), f)]
    if t.eq(r):
        return [(Fraction(1), Fraction(0))]
    if not z3.is_app(t):
        return None
    k = t.decl().kind()
    args = [t.arg(i) for i in range(t.num_args())]
    if k == z3.Z3_OP_TO_REAL:
        return _lin(args[0], r, cap)
    if k == z3.Z3_OP_ITE:
        a, b = _lin(args[1], r, cap), _lin(args[2], r, cap)
        return None if a is None or b is None or len(a) + len(b) > cap else list(set(a + b))
    if k == z3.Z3_OP_UMINUS:
        a = _lin(args[0], r, cap)
        return None if a is None else [(-p, -c) for p, c in a]
    if k in (z3.Z3_OP_ADD, z3.Z3_OP_SUB, z3.Z3_OP_MUL, z3.Z3_OP_DIV):
        parts = [_lin(x, r, cap) for x in args]
        if any(p is None for p in parts):
            return None
        acc = parts[0]
        assert acc is not None
        for p in parts[1:]:
            assert p is not None
            nxt: set[tuple[Fraction, Fraction]] = set()
            for a1, b1 in acc:
                for a2, b2 in p:
                    if k == z3.Z3_OP_ADD:
                        nxt.add((a1 + a2, b1 + b2))
                    elif k == z3.Z3_OP_SUB:
                        nxt.add((a1 - a2, b1 - b2))
                    elif k == z3.Z3_OP_MUL:
                        if a1 != 0 and a2 != 0:
                            return None
                        nxt.add((a1 * b2 + a2 * b1, b1 * b2))
                    else:
                        if a2 != 0 or b2 == 0:
                            return None
                        nxt.add((a1 / b2, b1 / b2))
            if len(nxt) > cap:
                return None
            acc = list(nxt)
        return acc
    return None


_CMP = (z3.Z3_OP_LE, z3.Z3_OP_GE, z3.Z3_OP_LT, z3.Z3_OP_GT, z3.Z3_OP_EQ, z3.Z3_OP_DISTINCT)


def _roots(f: z3.ExprRef, r: z3.ArithRef) -> set[Fraction] | None:
    """Every point where an atom of ``f`` may change truth (None: not
    piecewise linear in ``r``, or quantified)."""
    out: set[Fraction] = set()
    seen: set[int] = set()
    stack = [f]
    while stack:
        t = stack.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_quantifier(t):
            return None
        if not z3.is_app(t):
            continue
        args = [t.arg(i) for i in range(t.num_args())]
        if t.decl().kind() in _CMP and args and z3.is_arith(args[0]):
            for i in range(1, len(args)):
                pieces = _lin(args[0] - args[i], r)
                if pieces is None:
                    return None
                out.update(-b / a for a, b in pieces if a != 0)
        stack.extend(args)
    return out


def _truth(f: z3.ExprRef, r: z3.ArithRef, v: Fraction) -> bool:
    b = as_bool(z3.substitute(f, (r, rv(v))))
    if b is None:
        raise _Unsupported("region formula is not closed")
    return b


def region_of(holds: z3.BoolRef, r: z3.ArithRef, lo: Fraction, hi: Fraction) -> list[Interval] | None:
    """The exact set of ``r`` in ``[lo, hi]`` where ``holds`` is true, as
    disjoint intervals (None when ``holds`` is not piecewise linear in r)."""
    roots = _roots(holds, r)
    if roots is None:
        return None
    pts = sorted({lo, hi} | {x for x in roots if lo < x < hi})
    # Elementary pieces: each point, and each open gap between points.
    pieces: list[tuple[Fraction, Fraction, bool]] = []
    for i, p in enumerate(pts):
        pieces.append((p, p, _truth(holds, r, p)))
        if i + 1 < len(pts):
            pieces.append((p, pts[i + 1], _truth(holds, r, (p + pts[i + 1]) / 2)))
    out: list[Interval] = []
    cur: list[Any] | None = None  # [lo, hi, lo_closed, hi_closed]
    for a, b, ok in pieces:
        point = a == b
        if ok:
            if cur is None:
                cur = [a, b, point, point]
            else:
                cur[1], cur[3] = b, point
        elif cur is not None:
            out.append(Interval(cur[0], cur[1], cur[2], cur[3]))
            cur = None
    if cur is not None:
        out.append(Interval(cur[0], cur[1], cur[2], cur[3]))
    return out


def region_json(intervals: Sequence[Interval]) -> dict[str, Any]:
    return {"region": [[q(i.lo), q(i.hi)] for i in intervals],
            "closed": [[i.lo_closed, i.hi_closed] for i in intervals]}


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
