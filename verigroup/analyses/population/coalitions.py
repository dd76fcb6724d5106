"""t-immunity and k-resilience in counting space: a coalition (or a set of
adversaries) of bounded size changes the counts by a bounded amount.

Members of one action class are alike, so a deviation of a group is a
*move matrix* ``m[x][y]``: how many members leave action ``x`` for ``y``
(``y == x``: a member of the group that keeps its action).  Every matrix
with at most ``k`` (or ``t``) members is enumerated, the new state is
``c - sum_y m[x][y] e_x + sum_x m[x][y] e_y``, and payoffs are evaluated
exactly at one representative of each class.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any, Iterator

from verigroup.analyses.population import exactvec as V
from verigroup.model import counting as Q
from verigroup.runtime import check_deadline

State = dict[str, tuple[int, ...]]
Moves = tuple[tuple[str, int, int, int], ...]  # (family, from, to, how many)
MAX_GROUP = 6


def move_matrices(view: Q.CountingView, state: State, size: int, stay: bool) -> Iterator[Moves]:
    """Every group of 1..size members with destinations, as move counts."""
    cells = [(p.name, x, y) for p in view.pops for x in range(len(p.actions)) for y in range(len(p.actions))
             if stay or x != y]
    for total in range(1, size + 1):
        for combo in itertools.combinations_with_replacement(range(len(cells)), total):
            counts: dict[int, int] = {}
            for c in combo:
                counts[c] = counts.get(c, 0) + 1
            leaving: dict[tuple[str, int], int] = {}
            for c, k in counts.items():
                f, x, _ = cells[c]
                leaving[(f, x)] = leaving.get((f, x), 0) + k
            if any(k > state[f][x] for (f, x), k in leaving.items()):
                continue
            yield tuple((cells[c][0], cells[c][1], cells[c][2], k) for c, k in sorted(counts.items()))


def apply(state: State, moves: Moves) -> State:
    out = {f: list(cs) for f, cs in state.items()}
    for f, x, y, k in moves:
        out[f][x] -= k
        out[f][y] += k
    return {f: tuple(cs) for f, cs in out.items()}


def payoff(view: Q.CountingView, state: State, fam: str, act: int) -> Fraction:
    v = V.scalar(view.payoff[(fam, act)], state, view.params)
    assert not isinstance(v, bool)
    return v


def resilience_violation(view: Q.CountingView, state: State, k: int, weak: bool) -> tuple[Moves, State] | None:
    """A coalition of at most ``k`` members whose joint move makes every
    member strictly better off (weak: none worse, one strictly better)."""
    for moves in move_matrices(view, state, k, stay=weak):
        check_deadline()
        after = apply(state, moves)
        gains = [payoff(view, after, f, y) - payoff(view, state, f, x) for f, x, y, _ in moves]
        if (all(g >= 0 for g in gains) and any(g > 0 for g in gains)) if weak else all(g > 0 for g in gains):
            return moves, after
    return None


def immunity_violation(view: Q.CountingView, state: State, t: int,
                       condition: Q.CExpr | None) -> tuple[Moves, State, Any] | None:
    """Adversaries (at most ``t``) whose move lowers the payoff of a member
    outside them, or falsifies ``condition``; the third item is the victim
    (family, action) or None for the condition."""
    for moves in move_matrices(view, state, t, stay=False):
        check_deadline()
        after = apply(state, moves)
        if condition is not None:
            if not V.scalar(condition, after, view.params):
                return moves, after, None
            continue
        leaving: dict[tuple[str, int], int] = {}
        for f, x, _, n in moves:
            leaving[(f, x)] = leaving.get((f, x), 0) + n
        for p in view.pops:
            for x in range(len(p.actions)):
                if state[p.name][x] - leaving.get((p.name, x), 0) <= 0:
                    continue  # nobody outside the adversaries plays x
                if payoff(view, after, p.name, x) < payoff(view, state, p.name, x):
                    return moves, after, (p.name, x)
    return None


def describe_moves(view: Q.CountingView, moves: Moves) -> list[dict[str, Any]]:
    return [{"family": f, "from": view.pop(f).actions[x], "to": view.pop(f).actions[y], "members": k}
            for f, x, y, k in moves]
