"""Small, self-contained walks over a compiled protocol tree for the replay:
following a recorded play move by move, the temporal goal along a path,
positive-probability plays of a profile, pure-profile enumeration of small
trees, perfect-information SPE value sets, and the plays of enforcement
certificates (the coalition's strategy against every move of the others and
chance; every move of the coalition against the others' node-wise
counter-strategy).  These re-derive facts from the tree alone; they share no
code with the checkers (:mod:`verigroup.extensive.plays` and
:mod:`verigroup.extensive.spe`) except the node predicate semantics
(:func:`verigroup.extensive.plays.holds`) and the exact SPE test
(:func:`verigroup.extensive.profile.is_spe`)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any, Iterator, Mapping, Sequence

from verigroup.extensive.tree import CHANCE_NODE, DECISION, TERMINAL, GameTree
from verigroup.replay.oracle import BRUTE_LIMIT, frac
from verigroup.replay.result import Mismatch, Skip

Strategies = Mapping[str, Mapping[str, Any]]
VALUE_SET_LIMIT = 10_000  # SPE payoff vectors per node in the value-set recursion


def choice_probs(tree: GameTree, v: int, strategies: Strategies, who: str = "the strategies") -> list[Fraction]:
    """The probabilities ``strategies`` (``{agent: {infoset label: action or
    {action: p}}}``) give the moves at decision node ``v``."""
    i = tree.payload[v]
    agent = tree.players[tree.infoset_player[i]]
    label = tree.infoset_label(i)
    acts = tree.infoset_actions[i]
    table = strategies.get(agent)
    if not isinstance(table, Mapping) or label not in table:
        raise Mismatch(f"{who} give no move for {agent} at {label!r}")
    c = table[label]
    if isinstance(c, str):
        if c not in acts:
            raise Mismatch(f"{who}: {agent} has no move {c!r} at {label!r}")
        return [Fraction(int(a == c)) for a in acts]
    if not isinstance(c, Mapping):
        raise Mismatch(f"{who}: {agent}'s choice at {label!r} is neither a move nor a distribution")
    row = [Fraction(0)] * len(acts)
    for a, p in c.items():
        if a not in acts:
            raise Mismatch(f"{who}: {agent} has no move {a!r} at {label!r}")
        row[acts.index(a)] = frac(p, f"{agent}'s probability of {a} at {label!r}")
    if any(p < 0 for p in row) or sum(row) != 1:
        raise Mismatch(f"{who}: {agent}'s probabilities at {label!r} are not a distribution")
    return row


def follow(tree: GameTree, steps: Sequence[Mapping[str, Any]], strategies: Strategies | None,
           fixed_only: Sequence[str] = ()) -> tuple[list[int], Fraction]:
    """Walk a recorded play (``{actor, move, state}`` steps) from the root:
    the nodes visited (root first) and the play's probability.  Moves of
    agents in ``strategies`` must have positive probability under them (only
    of ``fixed_only`` agents when that is given); chance moves must have
    positive probability.  The play must end at a leaf."""
    v, path, pr = 0, [0], Fraction(1)
    for k, st in enumerate(steps):
        where = f"play step {k + 1}"
        kind = tree.kind[v]
        if kind == TERMINAL:
            raise Mismatch(f"{where}: the play has already ended")
        actor = tree.player_name(tree.player(v))
        if st.get("actor") != actor:
            raise Mismatch(f"{where}: {actor} moves here, not {st.get('actor')!r}")
        acts = tree.actions(v)
        if st.get("move") not in acts:
            raise Mismatch(f"{where}: {actor} has no move {st.get('move')!r} here (moves: {', '.join(acts)})")
        a = acts.index(st["move"])
        if kind == CHANCE_NODE:
            p = tree.probs(v)[a]
        elif strategies is not None and (not fixed_only or actor in fixed_only):
            p = choice_probs(tree, v, strategies)[a]
        else:
            p = Fraction(1)
        if p == 0:
            raise Mismatch(f"{where}: {st['move']!r} has probability 0 here")
        pr *= p
        v = tree.first_child[v] + a
        if "state" in st and st["state"] != tree.state_label(v):
            raise Mismatch(f"{where}: the state reached is {tree.state_label(v)!r}, the report says {st['state']!r}")
        path.append(v)
    if tree.kind[v] != TERMINAL:
        raise Mismatch(f"the play stops after {len(steps)} step(s), before the protocol ends")
    return path, pr


def fails_at(tree: GameTree, path: Sequence[int], kind: str, phi: Any) -> int | None:
    """Index on a root-to-leaf path where ``kind φ`` fails, or None."""
    from verigroup.extensive.plays import holds

    for k, v in enumerate(path):
        h = holds(tree, v, phi)
        if kind == "eventually" and h:
            return None
        if (kind == "never" and h) or (kind == "always" and not h):
            return k
    return len(path) - 1 if kind == "eventually" else None


def plays(tree: GameTree, strategies: Strategies) -> Iterator[tuple[list[int], Fraction]]:
    """Every root-to-leaf play of positive probability under the strategies."""
    stack: list[tuple[list[int], Fraction]] = [([0], Fraction(1))]
    while stack:
        path, pr = stack.pop()
        v = path[-1]
        kind = tree.kind[v]
        if kind == TERMINAL:
            yield path, pr
            continue
        probs = tree.probs(v) if kind == CHANCE_NODE else choice_probs(tree, v, strategies)
        for c, p in zip(tree.children(v), probs):
            if p != 0:
                stack.append((path + [c], pr * p))


def num_pure_profiles(tree: GameTree) -> int:
    return math.prod(len(a) for a in tree.infoset_actions)


def pure_profiles(tree: GameTree, what: str) -> Iterator[dict[str, dict[str, str]]]:
    """Every pure strategy profile as ``{agent: {infoset label: action}}``
    (small trees only: :data:`BRUTE_LIMIT` profiles)."""
    n = num_pure_profiles(tree)
    if n > BRUTE_LIMIT:
        raise Skip(f"{what}: the protocol has {n:,} pure strategy profiles (brute-force limit {BRUTE_LIMIT:,})")
    labels = [(tree.players[tree.infoset_player[i]], tree.infoset_label(i)) for i in range(tree.num_infosets)]
    for combo in itertools.product(*tree.infoset_actions):
        out: dict[str, dict[str, str]] = {p: {} for p in tree.players}
        for (p, lab), a in zip(labels, combo):
            out[p][lab] = a
        yield out


def pure_spe(tree: GameTree, what: str) -> list[dict[str, dict[str, str]]]:
    """All pure SPE of a small tree, by brute force with the exact SPE test."""
    from verigroup.extensive.profile import StrategyProfile, is_spe

    return [s for s in pure_profiles(tree, what) if is_spe(tree, StrategyProfile.from_json(tree, s))]


def spe_value_sets(tree: GameTree) -> list[frozenset[tuple[Fraction, ...]]]:
    """Perfect information: the set of pure-SPE payoff vectors of every
    subtree.  At a decision node the mover may pick a child's SPE value x
    when x is at least what it could be held to (the least SPE value) at
    every other child, since the subtrees are independent."""
    n = tree.num_nodes
    sets: list[frozenset[tuple[Fraction, ...]]] = [frozenset()] * n
    for v in range(n - 1, -1, -1):
        kind = tree.kind[v]
        cs = list(tree.children(v))
        if kind == TERMINAL:
            sets[v] = frozenset((tuple(tree.payoff(v)),))
        elif kind == CHANCE_NODE:
            parts = [(p, sets[c]) for c, p in zip(cs, tree.probs(v)) if p != 0]
            if math.prod(len(s) for _, s in parts) > VALUE_SET_LIMIT:
                raise Skip("too many SPE continuation values below a chance node to enumerate")
            acc = set()
            for combo in itertools.product(*(s for _, s in parts)):
                acc.add(tuple(sum((p * x[j] for (p, _), x in zip(parts, combo)), Fraction(0))
                              for j in range(tree.num_players)))
            sets[v] = frozenset(acc)
        else:
            pl = tree.infoset_player[tree.payload[v]]
            out: set[tuple[Fraction, ...]] = set()
            for k, c in enumerate(cs):
                floor = max((min(x[pl] for x in sets[c2]) for k2, c2 in enumerate(cs) if k2 != k), default=None)
                out.update(x for x in sets[c] if floor is None or x[pl] >= floor)
            if len(out) > VALUE_SET_LIMIT:
                raise Skip("too many SPE payoff vectors to enumerate")
            sets[v] = frozenset(out)
    return sets


def credible_perfect(tree: GameTree, v: int, a: int, sets: list[frozenset[tuple[Fraction, ...]]]) -> bool:
    """Perfect information: some pure SPE plays move ``a`` at node ``v``."""
    pl = tree.infoset_player[tree.payload[v]]
    cs = list(tree.children(v))
    floor = max((min(x[pl] for x in sets[c]) for k, c in enumerate(cs) if k != a), default=None)
    return any(floor is None or x[pl] >= floor for x in sets[cs[a]])


def history_key(moves: Sequence[str]) -> str:
    """A node's history as the certificates key it: move labels from the root
    joined by ``/`` (root ``""``; ``%`` and ``/`` in labels escaped as ``%25``
    and ``%2F``)."""
    return "/".join(m.replace("%", "%25").replace("/", "%2F") for m in moves)


def resolve_history(tree: GameTree, key: str) -> int | None:
    """The node named by a history key, or None if it names none."""
    v = 0
    for part in (key.split("/") if key else []):
        label = part.replace("%2F", "/").replace("%25", "%")
        acts = tree.actions(v)
        if label not in acts:
            return None
        v = tree.first_child[v] + acts.index(label)
    return v


def check_spoiler_map(tree: GameTree, members: set[int], spoilers: Any) -> None:
    """The shape of a node-wise spoiler map ``{actor: {history: move}}``: the
    actors are non-members or ``chance``; every key names a node where that
    actor moves; the move exists there (chance: with positive probability)."""
    if not isinstance(spoilers, Mapping):
        raise Mismatch("the spoilers' map is not a mapping")
    coalition = {tree.players[m] for m in members}
    for actor, table in spoilers.items():
        if actor in coalition:
            raise Mismatch(f"the spoilers' map gives moves to coalition member {actor}")
        if actor != "chance" and actor not in tree.players:
            raise Mismatch(f"the spoilers' map names an unknown actor {actor!r}")
        if not isinstance(table, Mapping):
            raise Mismatch(f"the spoilers' map for {actor} is not a mapping from histories to moves")
        for key, move in table.items():
            v = resolve_history(tree, str(key))
            if v is None or tree.kind[v] == TERMINAL or tree.player_name(tree.player(v)) != actor:
                raise Mismatch(f"the spoilers' map entry {key!r} of {actor} names no node where {actor} moves")
            acts = tree.actions(v)
            if move not in acts:
                raise Mismatch(f"the spoilers' map: {actor} has no move {move!r} at {key!r}")
            if tree.kind[v] == CHANCE_NODE and tree.probs(v)[acts.index(move)] == 0:
                raise Mismatch(f"the spoilers' map picks chance outcome {move!r} of probability 0 at {key!r}")


def spoiled_plays(tree: GameTree, members: set[int], kind: str, phi: Any, spoilers: Strategies) -> \
        tuple[list[int] | None, int]:
    """Every play in which the coalition moves arbitrarily (all its moves are
    explored) and the others and chance follow the node-wise map
    ``spoilers`` (``{actor: {history: move}}``): the first one on which
    ``kind φ`` holds (None: every one violates it), and the number of plays
    examined.  A play is cut where the goal fails (``always``/``never``: no
    continuation can repair it).  A node of the others or of chance that the
    map does not cover while the goal is still open is a Mismatch."""
    from verigroup.extensive.plays import holds

    stack: list[tuple[list[int], tuple[str, ...]]] = [([0], ())]
    count = 0
    while stack:
        path, hist = stack.pop()
        v = path[-1]
        h = holds(tree, v, phi)
        if kind == "eventually" and h:
            return path, count + 1
        if (kind == "always" and not h) or (kind == "never" and h):
            count += 1
            continue
        k = tree.kind[v]
        if k == TERMINAL:
            if kind == "eventually":
                count += 1
                continue
            return path, count + 1
        if k == DECISION and tree.infoset_player[tree.payload[v]] in members:
            for c in tree.children(v):
                stack.append((path + [c], hist + (tree.actions(v)[c - tree.first_child[v]],)))
            continue
        actor = tree.player_name(tree.player(v))
        key = history_key(hist)
        table = spoilers.get(actor)
        move = table.get(key) if isinstance(table, Mapping) else None
        acts = tree.actions(v)
        if move not in acts:
            raise Mismatch(f"the spoilers' map gives no move for {actor} at {key!r} "
                           f"({describe_path(tree, path)}), where the goal is still open")
        a = acts.index(move)
        if k == CHANCE_NODE and tree.probs(v)[a] == 0:
            raise Mismatch(f"the spoilers' map picks chance outcome {move!r} of probability 0 at {key!r}")
        stack.append((path + [tree.first_child[v] + a], hist + (move,)))
    return None, count


def losing_play(tree: GameTree, members: set[int], kind: str, phi: Any, strategy: Strategies) -> \
        tuple[list[int] | None, int]:
    """With the coalition following ``strategy`` and the others and chance
    (positive probability) doing anything: the first play on which ``kind φ``
    fails (None: none), and the number of plays examined."""
    from verigroup.extensive.plays import holds

    stack: list[list[int]] = [[0]]
    count = 0
    while stack:
        path = stack.pop()
        v = path[-1]
        h = holds(tree, v, phi)
        if kind == "eventually" and h:
            count += 1
            continue
        if (kind == "always" and not h) or (kind == "never" and h):
            return path, count + 1
        k = tree.kind[v]
        if k == TERMINAL:
            count += 1
            if kind == "eventually":
                return path, count
            continue
        if k == CHANCE_NODE:
            stack.extend(path + [c] for c, p in zip(tree.children(v), tree.probs(v)) if p != 0)
        elif k == DECISION and tree.infoset_player[tree.payload[v]] in members:
            probs = choice_probs(tree, v, strategy, "the coalition's strategy")
            stack.extend(path + [c] for c, p in zip(tree.children(v), probs) if p != 0)
        else:
            stack.extend(path + [c] for c in tree.children(v))
    return None, count


def describe_path(tree: GameTree, path: Sequence[int]) -> str:
    moves = [f"{tree.player_name(tree.player(tree.parent[v]))}: {tree.move_label(v)}" for v in path[1:]]
    return "[" + ", ".join(moves) + "]" if moves else "the start"
