"""Strategic forms of game trees (and of regions of them), exact pure Nash
equilibria of those forms.

:func:`strategic_form` enumerates each player's pure strategies over the
information sets of a region (a subgame with its nested subgames replaced by
fixed values) and evaluates every profile exactly; :func:`reduced_normal_form`
merges strategies that differ only at information sets their own earlier
moves rule out.  :func:`pure_equilibria` is a vectorised exact check on the
integer tensors of :class:`~verigroup.model.game.NormalFormGame`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Sequence

import numpy as np

from verigroup.diagnostics import TooLarge
from verigroup.extensive.tree import CHANCE_NODE, DECISION, GameTree
from verigroup.model.game import NormalFormGame

MAX_PROFILES = 200_000
MAX_WORK = 20_000_000

Vec = tuple[Fraction, ...]


@dataclass(frozen=True)
class StrategicForm:
    """``game`` plus, per player, the information sets its strategies cover
    and each strategy as one action index per such set (-1: irrelevant, in the
    reduced form)."""

    game: NormalFormGame
    infosets: tuple[tuple[int, ...], ...]
    strategies: tuple[tuple[tuple[int, ...], ...], ...]


def region_nodes(tree: GameTree, root: int, leaves: Mapping[int, Vec]) -> list[int]:
    """Nodes reachable from root without entering a node of ``leaves``
    (those are included, as leaves), increasing id order."""
    out = [root]
    pos = 0
    while pos < len(out):
        v = out[pos]
        pos += 1
        if v in leaves and v != root:
            continue
        out.extend(tree.children(v))
    out.sort()
    return out


def _strategy_label(tree: GameTree, infosets: Sequence[int], strat: Sequence[int]) -> str:
    parts = []
    for i, a in zip(infosets, strat):
        parts.append("*" if a < 0 else tree.infoset_actions[i][a])
    return "/".join(parts) if parts else "-"


def strategic_form(tree: GameTree, root: int = 0, leaves: Mapping[int, Vec] | None = None,
                   reduced: bool = False) -> StrategicForm:
    """The strategic form of the region at ``root`` (nodes in ``leaves`` are
    treated as terminals with the given payoff vectors)."""
    leaves = dict(leaves or {})
    nodes = region_nodes(tree, root, leaves)
    npl = tree.num_players
    own: list[list[int]] = [[] for _ in range(npl)]
    seen: set[int] = set()
    for v in nodes:
        if v in leaves and v != root:
            continue
        if tree.kind[v] == DECISION:
            i = tree.payload[v]
            if i not in seen:
                seen.add(i)
                own[tree.infoset_player[i]].append(i)
    sizes = [math.prod(len(tree.infoset_actions[i]) for i in own[p]) for p in range(npl)]
    total = math.prod(sizes)
    if total > MAX_PROFILES or total * len(nodes) > MAX_WORK:
        raise TooLarge.single(
            "E202", f"the strategic form of this (sub)game has {total:,} pure profiles over {len(nodes):,} nodes",
            hint="use behaviour-strategy methods (sequence form) or split the protocol into smaller stages")
    strat_lists: list[list[tuple[int, ...]]] = []
    for p in range(npl):
        ranges = [range(len(tree.infoset_actions[i])) for i in own[p]]
        strat_lists.append([tuple(s) for s in itertools.product(*ranges)])
    if reduced:
        strat_lists = [_reduce(tree, own[p], strat_lists[p], p) for p in range(npl)]
    shape = tuple(len(s) for s in strat_lists)
    pos_of = [{i: k for k, i in enumerate(own[p])} for p in range(npl)]
    pay = [np.empty(shape, dtype=object) for _ in range(npl)]
    for prof in itertools.product(*[range(s) for s in shape]):
        choice: dict[int, int] = {}
        for p in range(npl):
            strat = strat_lists[p][prof[p]]
            for i, k in pos_of[p].items():
                choice[i] = strat[k]
        vec = _play_value(tree, root, leaves, choice)
        for p in range(npl):
            pay[p][prof] = vec[p]
    actions = [tuple(_strategy_label(tree, own[p], s) for s in strat_lists[p]) for p in range(npl)]
    game = NormalFormGame.from_fractions(tree.players, actions, pay, title=tree.title)
    return StrategicForm(game, tuple(tuple(o) for o in own), tuple(tuple(s) for s in strat_lists))


def _play_value(tree: GameTree, root: int, leaves: Mapping[int, Vec], choice: Mapping[int, int]) -> Vec:
    """Expected payoffs from root when decisions follow ``choice`` (iterative)."""
    npl = tree.num_players
    acc = [Fraction(0)] * npl
    stack: list[tuple[int, Fraction]] = [(root, Fraction(1))]
    while stack:
        v, pr = stack.pop()
        if v != root and v in leaves:
            vec = leaves[v]
        elif tree.kind[v] == DECISION:
            a = choice[tree.payload[v]]
            stack.append((tree.first_child[v] + a, pr))
            continue
        elif tree.kind[v] == CHANCE_NODE:
            for p, c in zip(tree.probs(v), tree.children(v)):
                if p != 0:
                    stack.append((c, pr * p))
            continue
        else:
            vec = tree.payoff(v)
        for j in range(npl):
            acc[j] += pr * vec[j]
    return tuple(acc)


def _reduce(tree: GameTree, infosets: list[int], strats: list[tuple[int, ...]], player: int) -> list[tuple[int, ...]]:
    """Replace actions at infosets made unreachable by the player's own
    earlier moves by -1, and deduplicate (perfect recall assumed)."""
    seqs = tree.own_sequences()
    members = tree.infoset_members()
    req = [seqs[members[i][0]] for i in infosets]
    out: dict[tuple[int, ...], None] = {}
    for s in strats:
        chosen = dict(zip(infosets, s))
        red = tuple(a if all(chosen.get(j, b) == b for j, b in req[k]) else -1 for k, a in enumerate(s))
        out.setdefault(red, None)
    return list(out)


def reduced_normal_form(tree: GameTree) -> StrategicForm:
    return strategic_form(tree, 0, None, reduced=True)


def pure_equilibria(game: NormalFormGame) -> list[tuple[int, ...]]:
    """All pure Nash equilibria, exactly (integer tensors, no floats)."""
    ok = np.ones(game.shape, dtype=bool)
    for p, t in enumerate(game.payoffs):
        vals = t.values
        best = vals.max(axis=p, keepdims=True)
        ok &= np.asarray(vals == best, dtype=bool)
    return [tuple(int(x) for x in idx) for idx in zip(*np.nonzero(ok))]
