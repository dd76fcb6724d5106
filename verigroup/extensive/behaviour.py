"""Two-agent Nash equilibria in behaviour strategies (sequence form).

The tree goes to pygambit through the ``.efg`` writer; ``lcp_solve`` (Lemke
on the sequence form, rational arithmetic) proposes equilibria; each one is
read back as exact behaviour probabilities and re-verified here: every
player's exact best-response value (:func:`~verigroup.extensive.profile.
best_response_value`) must equal its payoff.  A profile that fails is not
reported as an equilibrium: it is kept with its exact epsilon as
approximate.  Lemke–Howson finds *some* equilibria, not all, and the ones it
finds need not be subgame-perfect.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction

from verigroup.diagnostics import SpecError
from verigroup.extensive.profile import StrategyProfile, expected_payoffs, regrets
from verigroup.extensive.tree import GameTree

Vec = tuple[Fraction, ...]


@dataclass(frozen=True)
class BehaviourResult:
    equilibria: tuple[StrategyProfile, ...]
    payoffs: tuple[Vec, ...]
    approximate: tuple[tuple[StrategyProfile, Fraction], ...]  # (profile, exact max regret > 0)
    method: str
    complete: bool = False  # Lemke-Howson never certifies that it found all


def to_pygambit(tree: GameTree):  # type: ignore[no-untyped-def]
    import pygambit

    from verigroup.io.efg import write_efg

    return pygambit.read_efg(io.StringIO(write_efg(tree)))


def _check(tree: GameTree) -> None:
    active = {int(tree.infoset_player[i]) for i in range(tree.num_infosets)}
    if len(active) > 2 or tree.num_players > 2 and len(active) != 2:
        raise SpecError.single("E111", f"behaviour-strategy Nash needs a two-agent game; "
                                       f"{len(active)} agents move in this one",
                               hint="use SPE (subgame decomposition) or a normal-form solver")
    why = tree.perfect_recall_violation()
    if why is not None:
        raise SpecError.single("E111", f"behaviour-strategy Nash needs perfect recall: {why}",
                               hint="give every agent memory of its own earlier moves (same information "
                                    "set only for nodes reached by the same own moves)")


def _restrict(tree: GameTree) -> tuple[GameTree, list[int]]:
    """A two-player copy when the tree has idle players (pygambit's LCP wants
    exactly two players)."""
    if tree.num_players == 2:
        return tree, [0, 1]
    from verigroup.extensive.tree import TreeBuilder

    active = sorted({int(tree.infoset_player[i]) for i in range(tree.num_infosets)})
    while len(active) < 2:
        active.append(next(p for p in range(tree.num_players) if p not in active))
    b = TreeBuilder([tree.players[p] for p in active], allow_idle_players=True, title=tree.title)
    remap = {p: k for k, p in enumerate(active)}
    handle = [0] * tree.num_nodes
    for v in range(tree.num_nodes - 1, -1, -1):
        k = tree.kind[v]
        if k == 0:
            pay = tree.payoff(v)
            handle[v] = b.terminal([pay[p] for p in active])
        elif k == 1:
            i = tree.payload[v]
            handle[v] = b.decision(remap[int(tree.infoset_player[i])], i,
                                   [(a, handle[c]) for a, c in zip(tree.actions(v), tree.children(v))],
                                   label=tree.infoset_label(i))
        else:
            handle[v] = b.chance([(lab, pr, handle[c]) for lab, pr, c in
                                  zip(tree.actions(v), tree.probs(v), tree.children(v))])
    return b.build(handle[0]), active


def behaviour_nash(tree: GameTree, max_equilibria: int | None = None) -> BehaviourResult:
    """Some Nash equilibria in behaviour strategies (two agents, perfect
    recall), each exactly verified."""
    import pygambit

    _check(tree)
    two, active = _restrict(tree)
    g = to_pygambit(two)
    res = pygambit.nash.lcp_solve(g, rational=True)
    gplayers = list(g.players)
    found: list[StrategyProfile] = []
    pays: list[Vec] = []
    approx: list[tuple[StrategyProfile, Fraction]] = []
    seen: set[tuple[object, ...]] = set()
    for eq in res.equilibria:
        if max_equilibria is not None and len(found) >= max_equilibria:
            break
        rows: list[tuple[Fraction, ...]] = [()] * tree.num_infosets
        for gp_idx, gp in enumerate(gplayers):
            for inf in gp.infosets:
                j = two.infoset_by_label(gp_idx, inf.label)
                # map the restricted tree's infoset back to the original
                i = tree.infoset_by_label(active[gp_idx], two.infoset_label(j))
                acts = tree.infoset_actions[i]
                row = [Fraction(0)] * len(acts)
                for a in inf.actions:
                    row[acts.index(a.label)] = Fraction(str(eq[a]))
                rows[i] = tuple(row)
        prof = StrategyProfile(behaviour=tuple(rows))
        if prof.key() in seen:
            continue
        seen.add(prof.key())
        r = regrets(tree, prof)
        if all(x == 0 for x in r):
            found.append(prof)
            pays.append(expected_payoffs(tree, prof))
        else:
            approx.append((prof, max(r)))
    return BehaviourResult(tuple(found), tuple(pays), tuple(approx),
                           "sequence form: pygambit lcp_solve (rational) + exact best-response check")
