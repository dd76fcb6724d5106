"""Mixed play in protocols (issue 14): play properties under behaviour-strategy
Nash equilibria of a two-agent protocol.

``for every|some mixed nash: never|always|eventually φ``.  An equilibrium
*satisfies* the temporal formula when every play of positive probability
under it (chance included) does; the evidence also gives the exact
probability of the plays that satisfy it.

Equilibria come from two exact routes, each re-verified by exact best
responses (:func:`verigroup.extensive.profile.regrets`):

* constant-sum protocols: the certified optimal strategies of the
  sequence-form LP (:mod:`verigroup.extensive.seqform`) -- one equilibrium,
  in seconds on trees where Lemke takes minutes;
* other two-agent protocols (or when the LP certificate fails): pygambit's
  Lemke (LCP) on the sequence form.

Neither enumerates *all* equilibria, so "every" can only be refuted
(VIOLATED, with an equilibrium and a violating play that replay from the
spec) and "some" only confirmed (HOLDS, with the witness); otherwise the
verdict is UNKNOWN with the reason.  Three or more agents who move, or
imperfect recall: UNKNOWN with the reason (never HOLDS by default).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.analyses.registry import Context, checker
from verigroup.diagnostics import SpecError
from verigroup.extensive.profile import StrategyProfile, regrets
from verigroup.extensive.tree import CHANCE_NODE, TERMINAL, GameTree
from verigroup.model.properties import MixedPlayTemporal
from verigroup.verdicts import PropertyResult, Verdict, q

ZERO = Fraction(0)
ONE = Fraction(1)


def _res(prop: Any, verdict: Verdict, method: str, message: str, evidence: dict[str, Any]) -> PropertyResult:
    return PropertyResult(prop.name, type(prop).__name__, verdict, method, message, evidence, prop.span)


def goal_probability(tree: GameTree, prof: StrategyProfile, kind: str, phi: Any) -> Fraction:
    """Exact probability, under ``prof`` and chance, that the play satisfies
    ``kind φ``."""
    from verigroup.extensive.plays import _fails_at

    total = ZERO
    stack: list[tuple[int, Fraction, tuple[int, ...]]] = [(0, ONE, (0,))]
    while stack:
        v, pr, path = stack.pop()
        k = tree.kind[v]
        if k == TERMINAL:
            if _fails_at(tree, path, kind, phi) is None:  # type: ignore[arg-type]
                total += pr
            continue
        probs = tree.probs(v) if k == CHANCE_NODE else prof.probs(tree, tree.payload[v])
        for c, p in zip(tree.children(v), probs):
            if p != 0:
                stack.append((c, pr * p, path + (c,)))
    return total


def mixed_equilibria(tree: GameTree) -> tuple[list[StrategyProfile], str]:
    """Exactly verified behaviour-strategy Nash equilibria (some, not all) and
    the method string.  Raises SpecError (E111) for more than two movers or
    imperfect recall."""
    from verigroup.extensive.behaviour import behaviour_nash

    cached = tree._cache.get("mixed_equilibria")  # one solve per tree, shared by the properties
    if cached is not None:
        return list(cached[0]), str(cached[1])
    found: list[StrategyProfile] = []
    methods: list[str] = []
    if tree.num_players == 2:
        from verigroup.extensive.zerosum import constant_sum

        total = constant_sum(tree)
        if total is not None and not tree.is_perfect_information:
            from verigroup.extensive.seqform import solve_seqform

            sol = solve_seqform(tree, total)
            if sol.certified and sol.strategies is not None:
                found.append(sol.strategies)
                methods.append("sequence-form LP (certified optimal strategies)")
    if not found:  # general-sum, or the LP certificate failed: Lemke (slow on big trees)
        res = behaviour_nash(tree)
        found.extend(res.equilibria)
        methods.append(res.method)
    # the contract: every profile used is exactly an equilibrium
    found = [p for p in found if all(r == 0 for r in regrets(tree, p))]
    tree._cache["mixed_equilibria"] = (tuple(found), "; ".join(methods))
    return found, "; ".join(methods)


@checker(MixedPlayTemporal)
def check_mixed_play(ctx: Context, prop: MixedPlayTemporal) -> PropertyResult:
    from verigroup.extensive.plays import describe_pred, find_violation, validate

    t = ctx.model.protocol
    if not isinstance(t, GameTree):
        reason = "this model has no compiled protocol (game tree)"
        return _res(prop, Verdict.UNKNOWN, "none", reason, {"reason": reason})
    if prop.region is not None:
        reason = "parameter regions are not supported for protocol properties"
        return _res(prop, Verdict.UNKNOWN, "none", reason, {"reason": reason})
    validate(t, prop.phi)
    what = f"{prop.kind} {describe_pred(prop.phi)}"
    try:
        eqs, method = mixed_equilibria(t)
    except SpecError as exc:
        reason = exc.diagnostics[0].message if exc.diagnostics else str(exc)
        return _res(prop, Verdict.UNKNOWN, "behaviour-strategy Nash (two agents, perfect recall)",
                    f"cannot solve for mixed play: {reason}", {"reason": reason})
    probs = [goal_probability(t, p, prop.kind, prop.phi) for p in eqs]
    if prop.quantifier.value == "every":
        for p, pr in zip(eqs, probs):
            tr = find_violation(t, p, prop.kind, prop.phi)
            if tr is not None:
                ev = tr.to_json()
                ev["solution_concept"] = "behaviour-strategy Nash equilibrium (exact regrets 0)"
                ev["goal_probability"] = q(pr)
                return _res(prop, Verdict.VIOLATED, method,
                            f"a behaviour-strategy Nash equilibrium has a play where {what} fails "
                            f"({what} holds with probability {q(pr)} under it)", ev)
        reason = (f"{what} holds on every play of the {len(eqs)} equilibria found, but the solvers do not "
                  f"enumerate all behaviour-strategy equilibria")
        return _res(prop, Verdict.UNKNOWN, method, reason,
                    {"reason": reason, "equilibria_checked": len(eqs)})
    for p, pr in zip(eqs, probs):
        if pr == 1 and find_violation(t, p, prop.kind, prop.phi) is None:
            return _res(prop, Verdict.HOLDS, method, f"a behaviour-strategy Nash equilibrium satisfies {what}",
                        {"method": method, "witness": p.to_json(t), "goal_probability": q(pr)})
    best = max(probs) if probs else None
    reason = (f"none of the {len(eqs)} equilibria found satisfies {what}"
              + (f" (best probability {q(best)})" if best is not None else "")
              + "; the solvers do not enumerate all behaviour-strategy equilibria")
    return _res(prop, Verdict.UNKNOWN, method, reason, {"reason": reason, "equilibria_checked": len(eqs)})
