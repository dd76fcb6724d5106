"""What reports show of a protocol's game tree: equilibrium paths and a
small tree's layout.

Reports never solve: an SPE comes in as its JSON strategies
(``{agent: {information set: action or {action: prob}}}``, the ``solve
--concept spe`` record), and this module only *follows* it down the tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

from verigroup.extensive.tree import CHANCE_NODE, TERMINAL, GameTree

PATH_LIMIT = 4  # plays listed when chance or mixing branches the path
DRAW_LIMIT = 64  # largest tree (nodes) drawn as a picture


@dataclass(frozen=True)
class Play:
    """One root-to-leaf play with positive probability under a profile."""

    steps: tuple[tuple[str, str], ...]  # (actor, move)
    nodes: tuple[int, ...]  # node ids from the root to the leaf
    probability: Fraction
    payoffs: tuple[tuple[str, Fraction], ...]


def profile_of(tree: GameTree, strategies: Mapping[str, Any]) -> Any:
    """The :class:`~verigroup.extensive.profile.StrategyProfile` of an SPE
    record's strategies, or None when they do not fit the tree."""
    from verigroup.diagnostics import SpecError
    from verigroup.extensive.profile import StrategyProfile

    try:
        return StrategyProfile.from_json(tree, strategies)
    except (SpecError, KeyError, ValueError, TypeError, IndexError):
        return None


def equilibrium_plays(tree: GameTree, strategies: Mapping[str, Any], limit: int = PATH_LIMIT) -> list[Play]:
    """The plays an SPE (given as JSON strategies) produces with positive
    probability, most probable first, at most ``limit``."""
    prof = profile_of(tree, strategies)
    if prof is None:
        return []
    out: list[Play] = []
    stack: list[tuple[int, tuple[tuple[str, str], ...], tuple[int, ...], Fraction]] = [(0, (), (0,), Fraction(1))]
    while stack and len(out) < 64:
        v, steps, nodes, pr = stack.pop()
        if tree.kind[v] == TERMINAL:
            out.append(Play(steps, nodes, pr, tuple(zip(tree.players, tree.payoff(v)))))
            continue
        acts = tree.actions(v)
        if tree.kind[v] == CHANCE_NODE:
            probs = tree.probs(v)
            actor = "chance"
        else:
            i = int(tree.payload[v])
            probs = prof.probs(tree, i)
            actor = tree.player_name(int(tree.infoset_player[i]))
        for j in reversed(range(len(acts))):
            if probs[j] != 0:
                c = tree.first_child[v] + j
                stack.append((c, steps + ((actor, acts[j]),), nodes + (c,), pr * probs[j]))
    out.sort(key=lambda p: -p.probability)
    return out[:limit]


def play_text(p: Play) -> str:
    moves = " → ".join(f"{a}: {m}" for a, m in p.steps) or "(no move)"
    return moves + " → payoffs " + ", ".join(f"{a}={_n(x)}" for a, x in p.payoffs)


def _n(x: Fraction) -> str:
    from verigroup.reports.mathfmt import num

    return num(x)


@dataclass(frozen=True)
class TreeLayout:
    """Node positions for drawing: ``x`` in leaf order, ``y`` = depth."""

    nodes: tuple[int, ...]
    x: Mapping[int, float]
    y: Mapping[int, int]
    edges: tuple[tuple[int, int, str], ...]  # (parent, child, move label)
    labels: Mapping[int, str]  # who moves, or payoffs at a leaf


def layout(tree: GameTree, limit: int = DRAW_LIMIT) -> TreeLayout | None:
    """A tidy layout (leaves evenly spaced, parents centred over children) of
    a tree with at most ``limit`` nodes; None for larger trees."""
    if tree.num_nodes > limit:
        return None
    x: dict[int, float] = {}
    y: dict[int, int] = {0: 0}
    order: list[int] = []
    stack = [0]
    while stack:  # preorder, iteratively
        v = stack.pop()
        order.append(v)
        if tree.kind[v] != TERMINAL:
            kids = list(tree.children(v))
            for c in kids:
                y[c] = y[v] + 1
            stack.extend(reversed(kids))
    leaf = 0
    for v in order:
        if tree.kind[v] == TERMINAL:
            x[v] = float(leaf)
            leaf += 1
    for v in reversed(order):
        if tree.kind[v] != TERMINAL:
            kids = list(tree.children(v))
            x[v] = sum(x[c] for c in kids) / len(kids)
    edges = []
    labels: dict[int, str] = {}
    for v in order:
        if tree.kind[v] == TERMINAL:
            labels[v] = "(" + ", ".join(_n(p) for p in tree.payoff(v)) + ")"
            continue
        acts = tree.actions(v)
        if tree.kind[v] == CHANCE_NODE:
            labels[v] = "chance"
            probs = tree.probs(v)
            for j, c in enumerate(tree.children(v)):
                edges.append((v, c, f"{acts[j]} ({_n(probs[j])})"))
        else:
            labels[v] = tree.player_name(int(tree.infoset_player[int(tree.payload[v])]))
            for j, c in enumerate(tree.children(v)):
                edges.append((v, c, acts[j]))
    return TreeLayout(tuple(order), x, y, tuple(edges), labels)
