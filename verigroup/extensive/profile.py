"""Strategy profiles on a :class:`~verigroup.extensive.tree.GameTree` and the
exact checks every solver's answer goes through.

A profile gives each information set either one action (pure) or a
probability vector (behaviour).  :func:`node_values` evaluates it exactly;
:func:`best_response_value` computes a player's best-response value against
the others' behaviour (perfect recall required), so :func:`regrets` and
:func:`is_spe` re-verify any equilibrium independently of how it was found.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping, Sequence

from verigroup.diagnostics import SpecError
from verigroup.extensive.tree import CHANCE_NODE, DECISION, GameTree
from verigroup.verdicts import q

Vec = tuple[Fraction, ...]
ZERO = Fraction(0)
ONE = Fraction(1)


@dataclass(frozen=True, eq=False)
class StrategyProfile:
    """One action per information set (``pure``), or behaviour probabilities
    (``behaviour[i][a]``).  Exactly one of the two is set."""

    pure: array | None = None
    behaviour: tuple[tuple[Fraction, ...], ...] | None = None
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def mixed(self) -> bool:
        return self.behaviour is not None and not all(
            sum(1 for p in row if p != 0) == 1 for row in self.behaviour)

    def probs(self, tree: GameTree, i: int) -> tuple[Fraction, ...]:
        if self.behaviour is not None:
            return self.behaviour[i]
        assert self.pure is not None
        k = len(tree.infoset_actions[i])
        a = self.pure[i]
        return tuple(ONE if j == a else ZERO for j in range(k))

    def action(self, i: int) -> int:
        """The pure action at infoset i (-1 when mixed there)."""
        if self.pure is not None:
            return int(self.pure[i])
        assert self.behaviour is not None
        row = self.behaviour[i]
        sup = [j for j, p in enumerate(row) if p != 0]
        return sup[0] if len(sup) == 1 else -1

    def key(self) -> tuple[Any, ...]:
        if self.pure is not None:
            return tuple(self.pure)
        assert self.behaviour is not None
        return self.behaviour

    def to_json(self, tree: GameTree) -> dict[str, dict[str, Any]]:
        """``{agent: {infoset label: action}}``; mixed infosets map to
        ``{action: "p/q"}``."""
        out: dict[str, dict[str, Any]] = {p: {} for p in tree.players}
        for i in range(tree.num_infosets):
            p = tree.players[tree.infoset_player[i]]
            a = self.action(i)
            acts = tree.infoset_actions[i]
            if a >= 0:
                out[p][tree.infoset_label(i)] = acts[a]
            else:
                out[p][tree.infoset_label(i)] = {acts[j]: q(x) for j, x in enumerate(self.probs(tree, i))
                                                 if x != 0}
        return out

    @staticmethod
    def from_json(tree: GameTree, data: Mapping[str, Mapping[str, Any]]) -> "StrategyProfile":
        """Inverse of :meth:`to_json` (every information set must be given)."""
        pure: list[int] = [-1] * tree.num_infosets
        beh: list[tuple[Fraction, ...] | None] = [None] * tree.num_infosets
        any_mixed = False
        for agent, table in data.items():
            if agent not in tree.players:
                raise SpecError.single("E101", f"unknown agent {agent!r} in strategies")
            p = tree.players.index(agent)
            for label, choice in table.items():
                i = tree.infoset_by_label(p, label)
                acts = tree.infoset_actions[i]
                if isinstance(choice, str):
                    if choice not in acts:
                        raise SpecError.single("E104", f"{agent} has no action {choice!r} at {label!r}")
                    pure[i] = acts.index(choice)
                else:
                    any_mixed = True
                    row = [ZERO] * len(acts)
                    for act, pr in choice.items():
                        if act not in acts:
                            raise SpecError.single("E104", f"{agent} has no action {act!r} at {label!r}")
                        row[acts.index(act)] = Fraction(pr)
                    beh[i] = tuple(row)
        missing = [i for i in range(tree.num_infosets) if pure[i] < 0 and beh[i] is None]
        if missing:
            i = missing[0]
            raise SpecError.single("E110", f"strategies give no action for {tree.players[tree.infoset_player[i]]} "
                                           f"at {tree.infoset_label(i)!r}")
        if not any_mixed:
            return StrategyProfile(pure=array("i", pure))
        rows = []
        for i in range(tree.num_infosets):
            b = beh[i]
            if b is None:
                k = len(tree.infoset_actions[i])
                b = tuple(ONE if j == pure[i] else ZERO for j in range(k))
            rows.append(b)
        return StrategyProfile(behaviour=tuple(rows))


def subtree_nodes(tree: GameTree, root: int) -> list[int]:
    """Nodes of the subtree at ``root`` in increasing id order (parents first)."""
    if root == 0:
        return list(range(tree.num_nodes))
    out = [root]
    pos = 0
    while pos < len(out):
        out.extend(tree.children(out[pos]))
        pos += 1
    out.sort()
    return out


def node_values(tree: GameTree, prof: StrategyProfile, root: int = 0,
                override: Mapping[int, Sequence[Fraction]] | None = None) -> dict[int, Vec]:
    """Exact expected payoff vector at every node of the subtree at ``root``.

    ``override`` fixes some infosets' behaviour (used for best responses)."""
    nodes = subtree_nodes(tree, root)
    val: dict[int, Vec] = {}
    npl = tree.num_players
    for v in reversed(nodes):
        k = tree.kind[v]
        if k == DECISION or k == CHANCE_NODE:
            if k == DECISION:
                i = tree.payload[v]
                pr = override[i] if override is not None and i in override else prof.probs(tree, i)
            else:
                pr = tree.probs(v)
            acc = [ZERO] * npl
            for p, c in zip(pr, tree.children(v)):
                if p != 0:
                    cv = val[c]
                    for j in range(npl):
                        acc[j] += p * cv[j]
            val[v] = tuple(acc)
        else:
            val[v] = tree.payoff(v)
    return val


def expected_payoffs(tree: GameTree, prof: StrategyProfile, root: int = 0) -> Vec:
    return node_values(tree, prof, root)[root]


def best_response_value(tree: GameTree, prof: StrategyProfile, player: int, root: int = 0) -> Fraction:
    """Player's exact best-response value in the subgame at ``root`` against
    the others' behaviour in ``prof`` (perfect recall required)."""
    why = tree.perfect_recall_violation()
    if why is not None:
        raise SpecError.single("E111", f"best responses need perfect recall: {why}")
    nodes = subtree_nodes(tree, root)
    seqs = tree.own_sequences()
    mine = sorted({tree.payload[v] for v in nodes if tree.kind[v] == DECISION
                   and tree.infoset_player[tree.payload[v]] == player})
    if not mine:
        return expected_payoffs(tree, prof, root)[player]
    members = tree.infoset_members()
    level = {i: len(seqs[members[i][0]]) for i in mine}
    # reach probability of each node from root by chance and the others.
    w: dict[int, Fraction] = {root: ONE}
    for v in nodes:
        wv = w[v]
        k = tree.kind[v]
        if k == CHANCE_NODE:
            for p, c in zip(tree.probs(v), tree.children(v)):
                w[c] = wv * p
        elif k == DECISION:
            i = tree.payload[v]
            if tree.infoset_player[i] == player:
                for c in tree.children(v):
                    w[c] = wv
            else:
                for p, c in zip(prof.probs(tree, i), tree.children(v)):
                    w[c] = wv * p
    chosen: dict[int, tuple[Fraction, ...]] = {}
    inside = set(nodes)
    for lev in sorted(set(level.values()), reverse=True):
        val = _partial_values(tree, prof, nodes, player, chosen)
        for i in (i for i in mine if level[i] == lev):
            k = len(tree.infoset_actions[i])
            score = [ZERO] * k
            for h in members[i]:
                if h not in inside or w[h] == 0:
                    continue
                for a, c in enumerate(tree.children(h)):
                    cv = val.get(c)
                    if cv is None:
                        raise AssertionError("best response: successor infoset not decided (imperfect recall?)")
                    score[a] += w[h] * cv
            best = max(range(k), key=lambda a: score[a])
            chosen[i] = tuple(ONE if a == best else ZERO for a in range(k))
    final = _partial_values(tree, prof, nodes, player, chosen)
    return final[root]


def _partial_values(tree: GameTree, prof: StrategyProfile, nodes: list[int], player: int,
                    chosen: Mapping[int, tuple[Fraction, ...]]) -> dict[int, Fraction]:
    """Player's value at each node where it is determined by ``chosen`` (its
    own decided infosets) and the others' behaviour; undetermined nodes are
    left out."""
    val: dict[int, Fraction] = {}
    for v in reversed(nodes):
        k = tree.kind[v]
        if k == DECISION:
            i = tree.payload[v]
            if tree.infoset_player[i] == player:
                pr = chosen.get(i)
                if pr is None:
                    continue
            else:
                pr = prof.probs(tree, i)
        elif k == CHANCE_NODE:
            pr = tree.probs(v)
        else:
            val[v] = tree.payoff(v)[player]
            continue
        acc = ZERO
        ok = True
        for p, c in zip(pr, tree.children(v)):
            if p != 0:
                cv = val.get(c)
                if cv is None:
                    ok = False
                    break
                acc += p * cv
        if ok:
            val[v] = acc
    return val


def regrets(tree: GameTree, prof: StrategyProfile, root: int = 0) -> tuple[Fraction, ...]:
    """Each player's exact gain from a best response in the subgame at root."""
    base = expected_payoffs(tree, prof, root)
    return tuple(best_response_value(tree, prof, p, root) - base[p] for p in range(tree.num_players))


def subgame_roots(tree: GameTree) -> list[int]:
    """Nodes that start a subgame (no information set straddles the
    subtree's boundary), in increasing id order; the root is always one."""
    pre, last = tree.preorder()
    members = tree.infoset_members()
    n = tree.num_nodes
    if tree.is_perfect_information:
        return [v for v in range(n) if tree.kind[v] != 0 or v == 0]
    lo_i = [min(pre[v] for v in m) if m else 0 for m in members]
    hi_i = [max(pre[v] for v in m) if m else 0 for m in members]
    big = n + 1
    lo = [big] * n
    hi = [-1] * n
    for v in range(n - 1, -1, -1):
        a, b = lo[v], hi[v]
        if tree.kind[v] == DECISION:
            i = tree.payload[v]
            a, b = min(a, lo_i[i]), max(b, hi_i[i])
        for c in tree.children(v):
            a, b = min(a, lo[c]), max(b, hi[c])
        lo[v], hi[v] = a, b
    return [v for v in range(n) if (tree.kind[v] != 0 or v == 0) and lo[v] >= pre[v] and hi[v] <= last[v]]


def one_shot_deviation_ok(tree: GameTree, prof: StrategyProfile) -> bool:
    """Perfect information only: no player gains by changing its move at a
    single node (the one-shot deviation principle: equivalent to SPE)."""
    val = node_values(tree, prof)
    for v in range(tree.num_nodes):
        if tree.kind[v] == DECISION:
            p = tree.infoset_player[tree.payload[v]]
            here = val[v][p]
            for c in tree.children(v):
                if val[c][p] > here:
                    return False
    return True


def is_spe(tree: GameTree, prof: StrategyProfile) -> bool:
    """Exact check: the profile is a Nash equilibrium of every subgame."""
    if tree.is_perfect_information and not prof.mixed:
        return one_shot_deviation_ok(tree, prof)
    for r in subgame_roots(tree):
        if any(x != 0 for x in regrets(tree, prof, r)):
            return False
    return True
