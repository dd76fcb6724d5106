"""Reducing each supported property kind to ``never``/``some``
obligations over the action variables (see
:mod:`verigroup.analyses.symbolic`), with the evidence of deviations and
dominance."""

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
    Obligation, _Unsupported, _names, _params_json, _sides, _with_params, equilibrium_record, point_evidence, profile_record,
)
from verigroup.analyses.z3_terms import (  # noqa: F401
    TermWalker, _Timeout, _extreme_terms, _extremes_in, _symmetric_term,
)

# ------------------------------------------------------ obligations


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
