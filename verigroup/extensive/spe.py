"""Subgame-perfect equilibria: backward induction and subgame decomposition.

* Perfect information (chance allowed): one SPE in linear time by an
  iterative backward pass (node ids downwards: children before parents, no
  recursion); *all* pure SPE, ties included, by backtracking over the nodes
  whose subtree has more than one SPE (every branch ends in an SPE, so the
  delay between two answers is linear); and the exact set of SPE payoff
  vectors by a value-set recursion.  Both are capped and say so.
* Imperfect information: the tree is cut into subgames (a node whose subtree
  no information set straddles); each minimal subgame, with its nested
  subgames replaced by their equilibrium values, is solved for all pure Nash
  equilibria of its strategic form, and the answers are combined.  Where a
  two-player subgame has no pure equilibrium, a behaviour-strategy
  equilibrium (sequence form, exactly verified) is used instead and the
  result is marked mixed.
"""

from __future__ import annotations

import itertools
from array import array
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator, Sequence

from verigroup.analyses.timeouts import check_deadline
from verigroup.extensive.profile import StrategyProfile, subgame_roots
from verigroup.extensive.reduced import pure_equilibria, region_nodes, strategic_form
from verigroup.extensive.tree import CHANCE_NODE, DECISION, TERMINAL, GameTree, TreeBuilder

Vec = tuple[Fraction, ...]
DEFAULT_CAP = 1000
DEFAULT_SET_CAP = 10_000


@dataclass(frozen=True)
class SPEResult:
    """The pure (or, failing that, behaviour) SPE of a tree.

    ``complete``: ``profiles`` is every pure SPE.  ``payoff_set``: the SPE
    payoff vectors (all of them when ``payoff_set_complete``).  ``mixed``:
    some profile needed behaviour mixing (no pure SPE in some subgame)."""

    profiles: tuple[StrategyProfile, ...]
    payoffs: tuple[Vec, ...]
    payoff_set: tuple[Vec, ...]
    complete: bool
    payoff_set_complete: bool
    method: str
    reason: str = ""
    mixed: bool = False

    @property
    def pure_exists(self) -> bool:
        return any(not p.mixed for p in self.profiles)


# ============================================================ perfect information


def _first_pass(tree: GameTree) -> tuple[list[Vec], array, bytearray]:
    """One SPE (first optimal action), values, and which subtrees have a
    unique SPE."""
    n = tree.num_nodes
    kind, payload, first, nch = tree.kind, tree.payload, tree.first_child, tree.num_children
    iplayer, outcomes = tree.infoset_player, tree.outcomes
    val: list[Vec] = [()] * n
    choice = array("i", [0]) * tree.num_infosets
    unique = bytearray(n)
    npl = tree.num_players
    for v in range(n - 1, -1, -1):
        if (v & 0xFFFF) == 0:
            check_deadline()
        k = kind[v]
        if k == TERMINAL:
            val[v] = outcomes[payload[v]]
            unique[v] = 1
        elif k == DECISION:
            i = payload[v]
            p = iplayer[i]
            s = first[v]
            best = s
            bv = val[s][p]
            u = unique[s]
            ties = False
            for c in range(s + 1, s + nch[v]):
                x = val[c][p]
                if x > bv:
                    best, bv, ties = c, x, False
                elif x == bv:
                    ties = True
                if not unique[c]:
                    u = 0
            choice[i] = best - s
            val[v] = val[best]
            unique[v] = 1 if (u and not ties) else 0
        else:
            probs = tree.chance_probs[payload[v]]
            s = first[v]
            acc = [Fraction(0)] * npl
            u = 1
            for j, pr in enumerate(probs):
                cv = val[s + j]
                if not unique[s + j]:
                    u = 0
                if pr:
                    for q_ in range(npl):
                        acc[q_] += pr * cv[q_]
            val[v] = tuple(acc)
            unique[v] = u
    return val, choice, unique


def iter_spe_perfect(tree: GameTree) -> Iterator[StrategyProfile]:
    """Every pure SPE of a perfect-information tree, lazily (ties included)."""
    val, choice, unique = _first_pass(tree)
    if unique[0]:
        yield StrategyProfile(pure=choice)
        return
    kind, payload, first, nch, iplayer = tree.kind, tree.payload, tree.first_child, tree.num_children, tree.infoset_player
    order = [v for v in range(tree.num_nodes - 1, -1, -1) if not unique[v]]
    L = len(order)
    cands: list[list[int] | None] = [None] * L
    idx = [0] * L
    npl = tree.num_players
    cur = array("i", choice)
    k = 0
    while k >= 0:
        if k == L:
            yield StrategyProfile(pure=array("i", cur))
            k -= 1
            continue
        check_deadline()
        v = order[k]
        cl = cands[k]
        if cl is None:
            if kind[v] == DECISION:
                p = iplayer[payload[v]]
                s = first[v]
                cs = range(s, s + nch[v])
                bv = max(val[c][p] for c in cs)
                cl = [c for c in cs if val[c][p] == bv]
            else:
                cl = [-1]
            cands[k] = cl
            idx[k] = 0
        else:
            idx[k] += 1
        if idx[k] >= len(cl):
            cands[k] = None
            k -= 1
            continue
        if kind[v] == DECISION:
            c = cl[idx[k]]
            cur[payload[v]] = c - first[v]
            val[v] = val[c]
        else:
            s = first[v]
            acc = [Fraction(0)] * npl
            for j, pr in enumerate(tree.chance_probs[payload[v]]):
                if pr:
                    cv = val[s + j]
                    for q_ in range(npl):
                        acc[q_] += pr * cv[q_]
            val[v] = tuple(acc)
        k += 1


def spe_value_sets(tree: GameTree, cap: int = DEFAULT_SET_CAP) -> tuple[dict[int, frozenset[Vec]], bool]:
    """For every node whose subtree has several SPE, the set of SPE payoff
    vectors of that subtree (nodes with a unique SPE are omitted: their set is
    the one value of the first pass).  Returns (sets, complete)."""
    val, _, unique = _first_pass(tree)
    sets: dict[int, frozenset[Vec]] = {}
    complete = True

    def get(c: int) -> frozenset[Vec]:
        return sets[c] if c in sets else frozenset((val[c],))

    for v in range(tree.num_nodes - 1, -1, -1):
        if unique[v]:
            continue
        check_deadline()
        cs = list(tree.children(v))
        if tree.kind[v] == DECISION:
            p = tree.infoset_player[tree.payload[v]]
            mins = [min(x[p] for x in get(c)) for c in cs]
            out: set[Vec] = set()
            for j, c in enumerate(cs):
                others = [m for jj, m in enumerate(mins) if jj != j]
                floor = max(others) if others else None
                out.update(x for x in get(c) if floor is None or x[p] >= floor)
        else:
            out = {tuple(Fraction(0) for _ in tree.players)}
            for pr, c in zip(tree.probs(v), cs):
                if pr == 0:
                    continue
                out = {tuple(a + pr * b for a, b in zip(x, y)) for x in out for y in get(c)}
                if len(out) > cap:
                    complete = False
                    out = set(sorted(out)[:cap])
        if len(out) > cap:
            complete = False
            out = set(sorted(out)[:cap])
        sets[v] = frozenset(out)
    return sets, complete


def spe_payoff_set(tree: GameTree, cap: int = DEFAULT_SET_CAP) -> tuple[list[Vec], bool]:
    """The set of payoff vectors of pure SPE (perfect information), sorted."""
    sets, complete = spe_value_sets(tree, cap)
    if 0 in sets:
        return sorted(sets[0]), complete
    val, _, _ = _first_pass(tree)
    return [val[0]], complete


# ============================================================ decomposition


@dataclass(frozen=True)
class _Sol:
    assign: tuple[tuple[int, object], ...]  # (infoset, action index | behaviour tuple)
    value: Vec
    mixed: bool


def _mixed_region(tree: GameTree, root: int, leaves: dict[int, Vec]) -> _Sol | None:
    """A behaviour-strategy Nash equilibrium of a two-player region, exactly
    verified, or None."""
    from verigroup.extensive.behaviour import behaviour_nash

    nodes = region_nodes(tree, root, leaves)
    active = {tree.infoset_player[tree.payload[v]] for v in nodes
              if tree.kind[v] == DECISION and not (v != root and v in leaves)}
    if len(active) != 2:
        return None
    b = TreeBuilder(tree.players, allow_idle_players=True)
    handle: dict[int, int] = {}
    for v in reversed(nodes):
        if v != root and v in leaves:
            handle[v] = b.terminal(leaves[v])
        elif tree.kind[v] == TERMINAL:
            handle[v] = b.terminal(tree.payoff(v))
        elif tree.kind[v] == DECISION:
            i = tree.payload[v]
            handle[v] = b.decision(int(tree.infoset_player[i]), ("orig", i),
                                   [(a, handle[c]) for a, c in zip(tree.actions(v), tree.children(v))],
                                   label=tree.infoset_label(i))
        else:
            handle[v] = b.chance([(lab, pr, handle[c]) for lab, pr, c in
                                  zip(tree.actions(v), tree.probs(v), tree.children(v))])
    sub = b.build(handle[root])
    res = behaviour_nash(sub, max_equilibria=1)
    if not res.equilibria:
        return None
    prof = res.equilibria[0]
    assign = []
    for j in range(sub.num_infosets):
        i = tree.infoset_by_label(int(sub.infoset_player[j]), sub.infoset_label(j))
        assert prof.behaviour is not None or prof.pure is not None
        assign.append((i, prof.probs(sub, j)))
    return _Sol(tuple(assign), res.payoffs[0], True)


def spe_decomposition(tree: GameTree, cap: int = DEFAULT_CAP, mixed_fallback: bool = True) -> SPEResult:
    """All pure SPE by subgame decomposition (any tree; small subgames)."""
    roots = subgame_roots(tree)
    rootset = set(roots)
    sols: dict[int, list[_Sol]] = {}
    complete = True
    reason = ""
    for r in reversed(roots):
        nested: list[int] = []
        stack = list(tree.children(r))
        while stack:
            v = stack.pop()
            if v in rootset:
                nested.append(v)
            elif tree.kind[v] != TERMINAL:
                stack.extend(tree.children(v))
        nested.sort()
        out: list[_Sol] = []
        for combo in itertools.product(*(sols[c] for c in nested)):
            check_deadline()
            if len(out) >= cap:
                complete = False
                reason = f"stopped after {cap} equilibria of the subgame at node {r}"
                break
            leaves = {c: s.value for c, s in zip(nested, combo)}
            base: list[tuple[int, object]] = []
            mixed = False
            for s in combo:
                base.extend(s.assign)
                mixed = mixed or s.mixed
            sf = strategic_form(tree, r, leaves)
            eqs = pure_equilibria(sf.game)
            for e in eqs:
                assign = list(base)
                for p, prof_idx in enumerate(e):
                    for i, a in zip(sf.infosets[p], sf.strategies[p][prof_idx]):
                        assign.append((i, a))
                out.append(_Sol(tuple(assign), sf.game.payoff_vector(e), mixed))
            if not eqs and mixed_fallback:
                m = _mixed_region(tree, r, leaves)
                if m is not None:
                    out.append(_Sol(tuple(base) + m.assign, m.value, True))
        if len(out) > cap:
            out = out[:cap]
            complete = False
        sols[r] = out
        if not out:
            break
    found = sols.get(0, [])
    if found and any(s.mixed for s in found) and any(not s.mixed for s in found):
        found = [s for s in found if not s.mixed]
    profiles = tuple(_to_profile(tree, s) for s in found)
    values = tuple(s.value for s in found)
    mixed = bool(found) and all(s.mixed for s in found)
    if not found:
        reason = "no pure SPE: some subgame has no pure Nash equilibrium" + (
            "" if not mixed_fallback else " (and no behaviour equilibrium was found for it)")
    elif mixed:
        complete = False
        reason = ("no pure SPE: a subgame has no pure Nash equilibrium; one behaviour-strategy SPE is "
                  "reported (mixed)")
    pset = tuple(sorted(set(values)))
    return SPEResult(profiles, values, pset, complete and not mixed, complete and not mixed, "subgame decomposition + exact pure equilibria of each "
                     "minimal subgame" + (" + sequence form (lcp) for subgames without one" if mixed else ""),
                     reason, mixed)


def _to_profile(tree: GameTree, s: _Sol) -> StrategyProfile:
    if not s.mixed:
        arr = array("i", [0]) * tree.num_infosets
        for i, a in s.assign:
            arr[i] = a  # type: ignore[call-overload]
        return StrategyProfile(pure=arr)
    rows: list[tuple[Fraction, ...]] = [()] * tree.num_infosets
    for i, a in s.assign:
        if isinstance(a, int):
            k = len(tree.infoset_actions[i])
            rows[i] = tuple(Fraction(1) if j == a else Fraction(0) for j in range(k))
        else:
            rows[i] = a  # type: ignore[call-overload]
    for i, r in enumerate(rows):
        if not r:  # an infoset of no subgame region (cannot happen): play the first action
            k = len(tree.infoset_actions[i])
            rows[i] = tuple(Fraction(1) if j == 0 else Fraction(0) for j in range(k))
    return StrategyProfile(behaviour=tuple(rows))


# ================================================================== entry point


def solve_spe(tree: GameTree, cap: int = DEFAULT_CAP, set_cap: int = DEFAULT_SET_CAP,
              mixed_fallback: bool = True) -> SPEResult:
    """Every pure SPE (up to ``cap``), honest about completeness."""
    if tree.is_perfect_information:
        from verigroup.extensive.profile import expected_payoffs

        profiles: list[StrategyProfile] = []
        complete = True
        for prof in iter_spe_perfect(tree):
            if len(profiles) >= cap:
                complete = False
                break
            profiles.append(prof)
        pays = tuple(expected_payoffs(tree, p) if tree.num_nodes < 50_000 else _first_value(tree, p)
                     for p in profiles)
        pset, pcomplete = spe_payoff_set(tree, set_cap)
        return SPEResult(tuple(profiles), pays, tuple(pset), complete, pcomplete,
                         "backward induction (perfect information, all ties)",
                         "" if complete else f"more than {cap} pure SPE; the first {cap} are listed")
    return spe_decomposition(tree, cap, mixed_fallback)


def _first_value(tree: GameTree, prof: StrategyProfile) -> Vec:
    """Payoff of a pure profile on a perfect-information tree by following
    the play (chance expanded): fast on large trees."""
    npl = tree.num_players
    acc = [Fraction(0)] * npl
    stack: list[tuple[int, Fraction]] = [(0, Fraction(1))]
    assert prof.pure is not None
    while stack:
        v, pr = stack.pop()
        k = tree.kind[v]
        if k == DECISION:
            stack.append((tree.first_child[v] + prof.pure[tree.payload[v]], pr))
        elif k == CHANCE_NODE:
            for p, c in zip(tree.probs(v), tree.children(v)):
                if p:
                    stack.append((c, pr * p))
        else:
            for j, x in enumerate(tree.payoff(v)):
                acc[j] += pr * x
    return tuple(acc)


def spe_with(tree: GameTree, constraints: Sequence[tuple[int, int]], cap: int = DEFAULT_CAP) -> StrategyProfile | None:
    """Some SPE that plays action ``a`` at infoset ``i`` for each (i, a), or None."""
    res = solve_spe(tree, cap)
    for prof in res.profiles:
        if all(prof.action(i) == a for i, a in constraints):
            return prof
    return None
