"""``solve`` in counting space: pure equilibria as count vectors with their
multiplicities, and symmetric mixed equilibria (``--concept symmetric``).

The result is a dict of :class:`verigroup.api.Solution` fields (the API
builds the record; analyses do not import the API).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.analyses.population import engine as E
from verigroup.analyses.population import evidence as D
from verigroup.analyses.population import exactvec as V
from verigroup.model import counting as Q
from verigroup.verdicts import Equilibrium

MAX_LISTED = 1000


def counting_solution(ctx: Any, concept: str) -> dict[str, Any] | None:
    model = ctx.model
    method = ctx.options.get("method", "auto")
    if concept != "symmetric" and not model.counted and method != "counting":
        return None
    from verigroup.runtime import DeadlineExceeded, deadline

    try:
        view = Q.counting_view(model)
    except Q.NotAnonymous as exc:
        return {"concept": concept, "equilibria": (), "complete": False, "method": "counting",
                "reason": f"the game is not anonymous: {exc.reason}"}
    try:
        with deadline(ctx.timeout):
            if concept == "symmetric":
                from verigroup.analyses.population.symmetric import symmetric_solution

                return symmetric_solution(view)
            if concept not in ("pure", "pure_nash", "nash"):
                return {"concept": concept, "equilibria": (), "complete": False, "method": "counting",
                        "reason": f"the concept {concept} is not computed in counting space "
                        "(pure and symmetric are)"}
            return pure_solution(view)
    except DeadlineExceeded:
        return {"concept": concept, "equilibria": (), "complete": False, "method": "counting",
                "reason": f"timeout after {ctx.timeout} s"}
    except E.Undefined as exc:
        return {"concept": concept, "equilibria": (), "complete": False, "method": "counting",
                "reason": str(exc)}


def pure_solution(view: Q.CountingView) -> dict[str, Any]:
    eq = E.pure_equilibria(view)
    listed = eq.states[:MAX_LISTED]
    out = tuple(describe_state(view, st) for st in listed)
    extra: dict[str, Any] = {"equilibrium_classes": len(eq.states), "states_checked": eq.checked,
                             "populations": {p.name: {"size": p.size, "actions": list(p.actions)}
                                             for p in view.pops}}
    if len(eq.states) > MAX_LISTED:
        extra["listed"] = MAX_LISTED
    return {"concept": "pure_nash", "equilibria": out, "complete": True,
            "method": f"counting space ({eq.checked:,} count states)", "reason": "", "extra": extra}


def describe_state(view: Q.CountingView, st: E.State) -> Equilibrium:
    payoffs: dict[str, Fraction] = {}
    for p in view.pops:
        for k, c in enumerate(st[p.name]):
            if c:
                v = V.scalar(view.payoff[(p.name, k)], st, view.params)
                assert not isinstance(v, bool)
                payoffs[D.first_member(view, st, p.name, k)] = v
    metrics: dict[str, Fraction] = {}
    for m, e in view.metrics.items():
        v = V.scalar(e, st, view.params)
        if not isinstance(v, bool):
            metrics[m] = v
    strategies = D.strategies_json(view, st)
    extra: dict[str, Any] = {"counts": D.counts_json(view, st), "profile": D.describe(view, st)}
    extra.update(D.multiplicity_json(view, st))
    strat = {a: {x: Fraction(1) for x in s} for a, s in strategies.items()} if strategies else {}
    return Equilibrium("pure_nash", strat, payoffs, (), True, Fraction(0), metrics, extra)
