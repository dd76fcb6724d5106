"""Rosenthal's potential for congestion games in counting space.

A single anonymous family is in *congestion form* when the payoff of each
action reads no count but the number of members on that same action
(``payoff car[i] = -latency_x(count(j: car[j] == x))``), which the count
expressions show syntactically.  Then ``Phi(c) = sum_x sum_{k=1..c_x}
u_x(k)`` is an exact potential (a move from x to y changes it by exactly
the mover's gain), so a pure equilibrium exists for every family size (a
maximiser of Phi) and best-response dynamics converge (Rosenthal 1973).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.analyses.population import exactvec as V
from verigroup.model import counting as Q

THEOREM = ("Rosenthal 1973: a congestion game has the exact potential "
           "Phi(c) = sum over actions x of sum_{k=1..c_x} u_x(k); its maximiser is a pure equilibrium "
           "and every better-response path is finite")


def congestion_form(view: Q.CountingView) -> bool:
    fams = [p for p in view.pops if not p.single]
    if len(view.pops) != 1 or len(fams) != 1:
        return False
    p = fams[0]
    for k in range(len(p.actions)):
        for node in Q.walk_c(view.payoff[(p.name, k)]):
            if isinstance(node, Q.K) and node.act != k:
                return False
    return True


def potential(view: Q.CountingView, state: dict[str, tuple[int, ...]]) -> Fraction:
    """Phi at a count state (exact; sums the per-action payoffs)."""
    p = view.pops[0]
    total = Fraction(0)
    for x, c in enumerate(state[p.name]):
        for k in range(1, c + 1):
            counts = {p.name: tuple(k if y == x else 0 for y in range(len(p.actions)))}
            v = V.scalar(view.payoff[(p.name, x)], counts, view.params)
            assert not isinstance(v, bool)
            total += v
    return total


def certificate(view: Q.CountingView) -> dict[str, Any]:
    return {"certificate": "rosenthal-potential", "theorem": THEOREM,
            "premise": "one anonymous family whose payoff for each action reads only that action's count "
                       "(decided from the payoff IR)"}
