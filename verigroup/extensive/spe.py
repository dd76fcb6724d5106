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
  equilibria of its strategic form, and the answers are combined.

Mixed fallback (subgames without a pure equilibrium), precisely:

* It runs only for a minimal subgame whose strategic form (nested subgames
  already replaced by their values) has no pure Nash equilibrium, and only
  when exactly two agents move in that subgame.  With three or more movers
  nothing is found: the result lists no SPE, says why in ``reason``, sets
  ``no_pure`` (when the pure search itself was not capped) and is *not*
  ``complete`` (a behaviour SPE exists but was not computed).
* It returns ONE behaviour-strategy equilibrium of that subgame (the first
  exactly verified one from ``pygambit.nash.lcp_solve``, sequence form),
  per combination of the nested subgames' solutions; other mixed equilibria
  of the subgame, and the SPE they would lead to, are not enumerated.
* Such results are marked ``mixed`` and never ``complete``; the payoff set
  is then the payoffs of the profiles found, not the SPE payoff set.  When
  some combinations give pure SPE and others only mixed ones, the mixed
  ones are dropped and only the pure SPE are reported.
* ``mixed_fallback=False`` turns it off: the answer is then about pure SPE
  only, and an empty complete list means "no pure SPE".
"""

from __future__ import annotations

import itertools
from array import array
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterator, Sequence

from verigroup.runtime import check_deadline
from verigroup.extensive.profile import StrategyProfile, subgame_roots
from verigroup.extensive.reduced import pure_equilibria, region_nodes, strategic_form
from verigroup.extensive.tree import CHANCE_NODE, DECISION, TERMINAL, GameTree, TreeBuilder, gc_paused

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
    no_pure: bool = False  # proved: the tree has no pure SPE

    @property
    def pure_exists(self) -> bool:
        return any(not p.mixed for p in self.profiles)


# ============================================================ perfect information


@dataclass(frozen=True)
class _Pass:
    """The result of one backward pass, in flat storage.

    ``table`` holds the distinct value vectors: the tree's outcomes first,
    then one vector per chance node; ``ids[v]`` indexes the value of node v
    in it (a decision node shares its chosen child's id, so no per-node
    tuple is made).  ``keys[p][id]`` orders ``table[id][p]`` exactly: dense
    integer ranks when the tree has no chance node (the values are then
    outcomes), the Fractions themselves otherwise."""

    table: list[Vec]
    ids: array  # 'i'
    choice: array  # 'i', per information set
    unique: bytearray  # 1 when the subtree of v has exactly one SPE

    def value(self, v: int) -> Vec:
        return self.table[self.ids[v]]


class _Values(Sequence[Vec]):
    """``vals[v]``: the SPE value vector of node v (a view of a :class:`_Pass`)."""

    def __init__(self, fp: _Pass) -> None:
        self._table, self._ids = fp.table, fp.ids

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, v: int) -> Vec:  # type: ignore[override]
        return self._table[self._ids[v]]


def _keys(tree: GameTree) -> tuple[list[list[Any]], bool]:
    """Per-player exact sort keys of the outcomes, and whether they are ranks."""
    outs = tree.outcomes
    if CHANCE_NODE in tree.kind:
        return [[o[p] for o in outs] for p in range(tree.num_players)], False
    keys: list[list[Any]] = []
    for p in range(tree.num_players):
        rank = {x: r for r, x in enumerate(sorted({o[p] for o in outs}))}
        keys.append([rank[o[p]] for o in outs])
    return keys, True


def _backward(tree: GameTree) -> _Pass:
    """One SPE (first optimal action), values, and which subtrees have a
    unique SPE: one iterative pass, children before parents; memoised on
    the (immutable) tree."""
    fp = tree._cache.get("spe_pass")
    if fp is not None:
        return fp  # type: ignore[no-any-return]
    with gc_paused():
        fp = _backward_pass(tree)
    tree._cache["spe_pass"] = fp
    return fp


def _backward_pass(tree: GameTree) -> _Pass:
    n = tree.num_nodes
    kind, payload, first, nch = tree.kind, tree.payload, tree.first_child, tree.num_children
    iplayer = tree.infoset_player
    table: list[Vec] = list(tree.outcomes)
    keys, _ = _keys(tree)
    ids = array("i", payload)  # right for terminals: their payload is the outcome id
    choice = array("i", bytes(4 * tree.num_infosets))
    # unique = 1 at terminals (kind 0), 0 elsewhere, without a Python loop
    unique = bytearray(kind.tobytes().translate(bytes([1]) + bytes(255)))
    npl = tree.num_players
    zero = Fraction(0)
    for v in range(n - 1, -1, -1):
        if (v & 0xFFFF) == 0:
            check_deadline()
        k = kind[v]
        if k == TERMINAL:
            continue
        s = first[v]
        if k == DECISION:
            i = payload[v]
            key = keys[iplayer[i]]
            best = s
            bid = ids[s]
            bv = key[bid]
            u = unique[s]
            ties = False
            for c in range(s + 1, s + nch[v]):
                cid = ids[c]
                x = key[cid]
                if x > bv:
                    best, bid, bv, ties = c, cid, x, False
                elif x == bv:
                    ties = True
                if not unique[c]:
                    u = 0
            choice[i] = best - s
            ids[v] = bid
            unique[v] = 1 if (u and not ties) else 0
        else:
            probs = tree.chance_probs[payload[v]]
            acc = [zero] * npl
            u = 1
            for j, pr in enumerate(probs):
                if not unique[s + j]:
                    u = 0
                if pr:
                    cv = table[ids[s + j]]
                    for q_ in range(npl):
                        acc[q_] += pr * cv[q_]
            vec = tuple(acc)
            ids[v] = len(table)
            table.append(vec)
            for q_ in range(npl):
                keys[q_].append(vec[q_])
            unique[v] = u
    return _Pass(table, ids, choice, unique)


def _first_pass(tree: GameTree) -> tuple[_Values, array, bytearray]:
    """(values by node, one SPE's choices, unique-SPE flags): see :func:`_backward`.

    The arrays are shared with the cache: do not mutate them."""
    fp = _backward(tree)
    return _Values(fp), fp.choice, fp.unique


def iter_spe_perfect(tree: GameTree) -> Iterator[StrategyProfile]:
    """Every pure SPE of a perfect-information tree, lazily (ties included)."""
    fp = _backward(tree)
    unique = fp.unique
    if unique[0]:
        yield StrategyProfile(pure=array("i", fp.choice))
        return
    kind, payload, first, nch, iplayer = tree.kind, tree.payload, tree.first_child, tree.num_children, tree.infoset_player
    order = [v for v in range(tree.num_nodes - 1, -1, -1) if not unique[v]]
    # local value storage: ids are copied; each non-unique chance node gets a
    # slot of its own in a copy of the table, rewritten as choices change.
    ids = array("i", fp.ids)
    tab: list[Vec] = list(fp.table)
    slot: dict[int, int] = {}
    for v in order:
        if kind[v] == CHANCE_NODE:
            slot[v] = len(tab)
            tab.append(fp.value(v))
    L = len(order)
    cands: list[list[int] | None] = [None] * L
    idx = [0] * L
    npl = tree.num_players
    cur = array("i", fp.choice)
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
                bv = max(tab[ids[c]][p] for c in cs)
                cl = [c for c in cs if tab[ids[c]][p] == bv]
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
            ids[v] = ids[c]
        else:
            s = first[v]
            acc = [Fraction(0)] * npl
            for j, pr in enumerate(tree.chance_probs[payload[v]]):
                if pr:
                    cv = tab[ids[s + j]]
                    for q_ in range(npl):
                        acc[q_] += pr * cv[q_]
            tab[slot[v]] = tuple(acc)
            ids[v] = slot[v]
        k += 1


def spe_value_sets(tree: GameTree, cap: int = DEFAULT_SET_CAP) -> tuple[dict[int, frozenset[Vec]], bool]:
    """For every node whose subtree has several SPE, the set of SPE payoff
    vectors of that subtree (nodes with a unique SPE are omitted: their set is
    the one value of the first pass).  Returns (sets, complete)."""
    val, _, unique = _first_pass(tree)
    sets: dict[int, frozenset[Vec]] = {}
    if unique[0]:
        return sets, True  # no node above a tie: every subtree has one SPE
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
    no_pure = not found and complete
    if not found:
        reason = "no pure SPE: some subgame has no pure Nash equilibrium" + (
            "" if not mixed_fallback else " (and no behaviour equilibrium was found for it: the "
                                          "fallback handles two-agent subgames only)")
        if mixed_fallback:
            # a behaviour-strategy SPE always exists (finite game, perfect
            # recall): an empty list is not the whole SPE set.
            complete = False
    elif mixed:
        complete = False
        reason = ("no pure SPE: a subgame has no pure Nash equilibrium; one behaviour-strategy SPE is "
                  "reported (mixed)")
    pset = tuple(sorted(set(values)))
    return SPEResult(profiles, values, pset, complete and not mixed, complete and not mixed, "subgame decomposition + exact pure equilibria of each "
                     "minimal subgame" + (" + sequence form (lcp) for subgames without one" if mixed else ""),
                     reason, mixed, no_pure)


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
    with gc_paused():
        return _solve_spe(tree, cap, set_cap, mixed_fallback)


def _solve_spe(tree: GameTree, cap: int, set_cap: int, mixed_fallback: bool) -> SPEResult:
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
