"""The extensive-form IR: a compact game tree and the builder that makes it.

:class:`GameTree` is what the protocol compiler, the ``.efg`` reader and the
repeated-game constructions produce, and what every extensive-form analysis
reads.  It is built for size: one node is one slot in a handful of parallel
``array`` columns (no Python object per node), so 10^6 nodes cost a few tens
of megabytes.

Node numbering is breadth-first from the root (node 0): a parent always has a
smaller id than its children, and the children of a node are consecutive ids
``first_child[v] .. first_child[v] + num_children[v] - 1``.  Iterating ids
downwards therefore visits children before parents (backward induction
without recursion).

Each node has a kind (terminal, decision, chance) and a ``payload``: the
information set of a decision node, the chance table of a chance node, the
outcome (payoff vector, deduplicated) of a terminal.  Optional per-node
*state* labels (a protocol's carried state, a round number) and the move
labels (actions, chance outcomes) make traces readable.

:class:`TreeBuilder` builds bottom-up: ``terminal(...)``, ``decision(player,
infoset_key, {action: child})`` and ``chance({label: (prob, child)})`` each
return a node handle; ``build(root)`` checks the whole tree and freezes it.
Information sets are given by key: decisions sharing a key form one set
(simultaneous moves within a stage, unobserved chance, forgotten history); a
key of ``None`` makes a singleton set labelled by its path.
"""

from __future__ import annotations

import gc
from array import array
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verigroup.diagnostics import NO_SPAN, SpecError, Span, TooLarge, did_you_mean

DEFAULT_NODE_LIMIT = 2_000_000

TERMINAL = 0
DECISION = 1
CHANCE_NODE = 2

CHANCE = -1  # the "player" of a chance node
NOBODY = -2  # the "player" of a terminal node

Number = Fraction | int | str


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a bulk pass over a big tree.

    Building or solving a 10^6-node tree allocates hundreds of thousands of
    long-lived tuples and Fractions; every few hundred allocations the
    collector would rescan them although they contain no reference cycles.
    The previous state is restored on exit (also on an exception)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def to_fraction(x: object, what: str, span: Span = NO_SPAN) -> Fraction:
    """An exact rational from an int, a Fraction or a ``"p/q"``/decimal string.

    Floats are refused: a float is not an exact game description."""
    if isinstance(x, bool):
        raise SpecError.single("E107", f"{what}: expected a number, got a boolean", span)
    if isinstance(x, (int, Fraction)):
        return Fraction(x)
    if isinstance(x, str):
        try:
            return Fraction(x.strip())
        except (ValueError, ZeroDivisionError):
            raise SpecError.single("E107", f"{what}: {x!r} is not an exact number", span,
                                   hint="write an integer, a fraction p/q or a decimal")
    if isinstance(x, float):
        raise SpecError.single("E107", f"{what}: {x!r} is a float; payoffs and probabilities must be exact",
                               span, hint=f"write it as a fraction, e.g. Fraction({str(x)!r})")
    # numpy integers, sympy Rationals, gambit Rationals ...
    try:
        return Fraction(str(x))
    except (ValueError, ZeroDivisionError):
        raise SpecError.single("E107", f"{what}: {x!r} is not an exact number", span)


@dataclass(frozen=True)
class InfoSet:
    """A read-only view of one information set."""

    index: int
    player: int
    label: str
    actions: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class GameTree:
    """A finite extensive-form game (see the module docstring for the layout)."""

    players: tuple[str, ...]
    kind: array  # 'b': TERMINAL / DECISION / CHANCE_NODE
    parent: array  # 'i': -1 at the root
    move: array  # 'i': index of the move at the parent that leads here, -1 at the root
    first_child: array  # 'i'
    num_children: array  # 'i'
    payload: array  # 'i': infoset / chance table / outcome
    state: array  # 'i': index into state_labels, -1 for none
    infoset_player: array  # 'i'
    infoset_actions: tuple[tuple[str, ...], ...]
    infoset_labels: tuple[str | None, ...]  # None: singleton, labelled by its path on demand
    chance_probs: tuple[tuple[Fraction, ...], ...]
    chance_labels: tuple[tuple[str, ...], ...]
    outcomes: tuple[tuple[Fraction, ...], ...]
    state_labels: tuple[str, ...] = ()
    title: str = ""
    # Protocol trees only (empty otherwise): the stage played at each node
    # (index into stage_names, -1 at terminals) and each node's round (0 for a
    # one-shot protocol); play predicates read "the move made at a stage so
    # far in the current round" from them.
    stage_names: tuple[str, ...] = ()
    node_stage: array = field(default_factory=lambda: array("i"))
    node_round: array = field(default_factory=lambda: array("i"))
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # ------------------------------------------------------------ sizes
    @property
    def num_nodes(self) -> int:
        return len(self.kind)

    @property
    def num_players(self) -> int:
        return len(self.players)

    @property
    def num_infosets(self) -> int:
        return len(self.infoset_player)

    # ------------------------------------------------------------ nodes
    def is_terminal(self, v: int) -> bool:
        return self.kind[v] == TERMINAL

    def player(self, v: int) -> int:
        """Player index at ``v``; CHANCE at chance nodes, NOBODY at terminals."""
        k = self.kind[v]
        if k == DECISION:
            return int(self.infoset_player[self.payload[v]])
        return CHANCE if k == CHANCE_NODE else NOBODY

    def children(self, v: int) -> range:
        s = self.first_child[v]
        return range(s, s + self.num_children[v])

    def actions(self, v: int) -> tuple[str, ...]:
        """Move labels at ``v`` (actions, or chance outcome labels)."""
        k = self.kind[v]
        if k == DECISION:
            return self.infoset_actions[self.payload[v]]
        if k == CHANCE_NODE:
            return self.chance_labels[self.payload[v]]
        return ()

    def probs(self, v: int) -> tuple[Fraction, ...]:
        return self.chance_probs[self.payload[v]]

    def payoff(self, v: int) -> tuple[Fraction, ...]:
        return self.outcomes[self.payload[v]]

    def infoset_of(self, v: int) -> int:
        return int(self.payload[v]) if self.kind[v] == DECISION else -1

    def move_label(self, v: int) -> str | None:
        """The label of the move that led to ``v`` (None at the root)."""
        p = self.parent[v]
        if p < 0:
            return None
        return self.actions(p)[self.move[v]]

    def mover(self, v: int) -> int | None:
        """Who made the move into ``v`` (player index or CHANCE); None at the root."""
        p = self.parent[v]
        return None if p < 0 else self.player(p)

    def state_label(self, v: int) -> str | None:
        s = self.state[v]
        return None if s < 0 else self.state_labels[s]

    def path(self, v: int) -> list[int]:
        """Nodes from the root to ``v`` inclusive."""
        out = [v]
        while self.parent[out[-1]] >= 0:
            out.append(self.parent[out[-1]])
        out.reverse()
        return out

    def path_moves(self, v: int) -> tuple[str, ...]:
        return tuple(self.move_label(u) or "" for u in self.path(v)[1:])

    def child_by_label(self, v: int, label: str) -> int:
        acts = self.actions(v)
        try:
            return self.first_child[v] + acts.index(label)
        except ValueError:
            hint = did_you_mean(label, acts)
            raise SpecError.single("E104", f"no move {label!r} at node {v} (moves: {', '.join(acts)})",
                                   hint=hint)

    def player_name(self, p: int) -> str:
        return "chance" if p == CHANCE else self.players[p]

    # -------------------------------------------------------- infosets
    def infoset(self, i: int) -> InfoSet:
        return InfoSet(i, int(self.infoset_player[i]), self.infoset_label(i), self.infoset_actions[i])

    def infoset_label(self, i: int) -> str:
        lab = self.infoset_labels[i]
        if lab is not None:
            return lab
        v = self.infoset_members()[i][0]
        moves = self.path_moves(v)
        return "@" + ("/".join(moves) if moves else "root")

    def infoset_members(self) -> list[list[int]]:
        m = self._cache.get("members")
        if m is None:
            m = [[] for _ in range(self.num_infosets)]
            kind, payload = self.kind, self.payload
            for v in range(self.num_nodes):
                if kind[v] == DECISION:
                    m[payload[v]].append(v)
            self._cache["members"] = m
        return m  # type: ignore[no-any-return]

    def infosets_of(self, player: int) -> list[int]:
        return [i for i in range(self.num_infosets) if self.infoset_player[i] == player]

    def infoset_by_label(self, player: int, label: str) -> int:
        table = self._cache.get("by_label")
        if table is None:
            table = {(int(self.infoset_player[i]), self.infoset_label(i)): i for i in range(self.num_infosets)}
            self._cache["by_label"] = table
        i = table.get((player, label))
        if i is None:
            cands = [lab for (p, lab) in table if p == player]
            raise SpecError.single("E101", f"{self.players[player]} has no information set {label!r}",
                                   hint=did_you_mean(label, cands))
        return int(i)

    @property
    def is_perfect_information(self) -> bool:
        v = self._cache.get("perfect")
        if v is None:
            # every infoset has >= 1 node, so: one infoset per decision node.
            v = self.kind.count(DECISION) == self.num_infosets
            self._cache["perfect"] = v
        return bool(v)

    def perfect_recall_violation(self) -> str | None:
        """None when every player has perfect recall, else why not.

        A player has perfect recall iff all nodes of each of its information
        sets are reached by the same sequence of its own (infoset, action)
        moves."""
        key = "recall"
        if key in self._cache:
            return self._cache[key]  # type: ignore[no-any-return]
        seqs = self.own_sequences()
        msg: str | None = None
        for i, members in enumerate(self.infoset_members()):
            first = seqs[members[0]]
            for v in members[1:]:
                if seqs[v] != first:
                    msg = (f"{self.players[self.infoset_player[i]]} forgets its own earlier moves at "
                           f"information set {self.infoset_label(i)!r} (imperfect recall)")
                    break
            if msg:
                break
        self._cache[key] = msg
        return msg

    def own_sequences(self) -> list[tuple[tuple[int, int], ...]]:
        """For each node, the sequence of (infoset, action) moves made on the
        path to it by the player who moves there (empty at chance/terminal)."""
        n = self.num_nodes
        # hist[v][p]: p's own sequence on the path to v; stored per node as a
        # tuple of per-player tuples (small games only).
        np_ = self.num_players
        hist: list[tuple[tuple[tuple[int, int], ...], ...]] = [()] * n
        hist[0] = tuple(() for _ in range(np_))
        out: list[tuple[tuple[int, int], ...]] = [()] * n
        for v in range(n):
            h = hist[v]
            k = self.kind[v]
            if k == DECISION:
                i = self.payload[v]
                p = self.infoset_player[i]
                out[v] = h[p]
                for a, c in enumerate(self.children(v)):
                    hist[c] = h[:p] + (h[p] + ((i, a),),) + h[p + 1:]
            else:
                for c in self.children(v):
                    hist[c] = h
        return out

    # ------------------------------------------------------- traversals
    def preorder(self) -> tuple[array, array]:
        """(pre, last): DFS pre-order index of each node and the largest
        pre-order index in its subtree (subtree of v = pre in [pre[v], last[v]])."""
        c = self._cache.get("preorder")
        if c is None:
            n = self.num_nodes
            pre = array("i", bytes(4 * n))
            last = array("i", bytes(4 * n))
            counter = 0
            stack = [0]
            while stack:
                v = stack.pop()
                pre[v] = counter
                counter += 1
                s, k = self.first_child[v], self.num_children[v]
                stack.extend(range(s + k - 1, s - 1, -1))
            # last[v] = max pre over the subtree: children before parents.
            for v in range(n - 1, -1, -1):
                m = pre[v]
                for ch in self.children(v):
                    if last[ch] > m:
                        m = last[ch]
                last[v] = m
            c = (pre, last)
            self._cache["preorder"] = c
        return c  # type: ignore[no-any-return]

    def dfs_order(self) -> list[int]:
        """Nodes in depth-first pre-order (the .efg order)."""
        out: list[int] = []
        stack = [0]
        while stack:
            v = stack.pop()
            out.append(v)
            s, k = self.first_child[v], self.num_children[v]
            stack.extend(range(s + k - 1, s - 1, -1))
        return out

    def terminals(self) -> Iterator[int]:
        kind = self.kind
        return (v for v in range(self.num_nodes) if kind[v] == TERMINAL)

    def describe(self) -> str:
        return (f"{self.title or 'game tree'}: {self.num_players} players, {self.num_nodes} nodes, "
                f"{self.num_infosets} information sets"
                + ("" if self.is_perfect_information else " (imperfect information)"))


# ====================================================================== builder


def _as_pairs(items: Mapping[Any, Any] | Sequence[Any]) -> list[tuple[Any, Any]]:
    if isinstance(items, Mapping):
        return list(items.items())
    return [tuple(x) for x in items]  # type: ignore[misc]


class TreeBuilder:
    """Builds a :class:`GameTree` bottom-up.

    >>> b = TreeBuilder(["entrant", "incumbent"])
    >>> fight, acc = b.terminal([-1, -1]), b.terminal([1, 1])
    >>> inc = b.decision("incumbent", None, {"fight": fight, "accommodate": acc})
    >>> root = b.decision("entrant", None, {"in": inc, "out": b.terminal([0, 2])})
    >>> b.build(root).num_nodes
    5
    """

    def __init__(self, players: Sequence[str], *, node_limit: int = DEFAULT_NODE_LIMIT,
                 allow_idle_players: bool = False, title: str = "", span: Span = NO_SPAN) -> None:
        if not players:
            raise SpecError.single("E111", "a game tree needs at least one player", span)
        if len(set(players)) != len(players):
            dup = next(p for p in players if list(players).count(p) > 1)
            raise SpecError.single("E102", f"player {dup!r} is listed twice", span)
        self.players = tuple(players)
        self._pindex = {p: i for i, p in enumerate(self.players)}
        self.node_limit = node_limit
        self.allow_idle_players = allow_idle_players
        self.title = title
        self.span = span
        self._kind = array("b")
        self._payload = array("i")
        self._cstart = array("i")
        self._ccount = array("i")
        self._state = array("i")
        self._children = array("i")
        self._spans: dict[int, Span] = {}
        self._infoset_key: dict[Hashable, int] = {}
        self._inf_player = array("i")
        self._inf_actions: list[tuple[str, ...]] = []
        self._inf_labels: list[str | None] = []
        self._actions_intern: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._chance_probs: list[tuple[Fraction, ...]] = []
        self._chance_labels: list[tuple[str, ...]] = []
        self._outcomes: dict[tuple[Fraction, ...], int] = {}
        self._states: dict[str, int] = {}
        self._stage = array("i")
        self._round = array("i")
        self._stage_index: dict[str, int] = {}
        self._staged = False

    # ------------------------------------------------------------ helpers
    @property
    def num_nodes(self) -> int:
        return len(self._kind)

    def _player_index(self, player: str | int, span: Span) -> int:
        if isinstance(player, int) and not isinstance(player, bool):
            if 0 <= player < len(self.players):
                return player
            raise SpecError.single("E105", f"player index {player} out of range", span)
        p = self._pindex.get(player)  # type: ignore[arg-type]
        if p is None:
            raise SpecError.single("E101", f"unknown player {player!r}", span,
                                   hint=did_you_mean(str(player), self.players))
        return p

    def _new_node(self, kind: int, payload: int, children: Sequence[int], state: str | None,
                  span: Span, stage: str | None = None, rnd: int = -1) -> int:
        v = len(self._kind)
        if v >= self.node_limit:
            raise TooLarge.single(
                "E202", f"game tree exceeds the node limit of {self.node_limit:,} nodes", span,
                hint="shorten the horizon, merge equivalent states, use the stage-wise repeated-game "
                     "solver, or raise node_limit if the machine has the memory")
        n = self.num_nodes
        for c in children:
            if not (isinstance(c, int) and 0 <= c < n):
                raise SpecError.single("E111", f"child {c!r} is not a node handle of this builder", span)
        self._kind.append(kind)
        self._payload.append(payload)
        self._cstart.append(len(self._children))
        self._ccount.append(len(children))
        self._children.extend(children)
        if state is None:
            self._state.append(-1)
        else:
            s = self._states.setdefault(str(state), len(self._states))
            self._state.append(s)
        if span is not NO_SPAN:
            self._spans[v] = span
        if stage is not None or rnd >= 0:
            self._staged = True
        self._stage.append(-1 if stage is None else self._stage_index.setdefault(stage, len(self._stage_index)))
        self._round.append(rnd)
        return v

    # ------------------------------------------------------------ nodes
    def terminal(self, payoffs: Mapping[str, Number] | Sequence[Number], *, state: str | None = None,
                 span: Span = NO_SPAN, round: int = -1) -> int:
        """A leaf with one exact payoff per player (a mapping by name, or a
        sequence in player order)."""
        if isinstance(payoffs, Mapping):
            unknown = [k for k in payoffs if k not in self._pindex]
            if unknown:
                raise SpecError.single("E101", f"payoff for unknown player {unknown[0]!r}", span,
                                       hint=did_you_mean(str(unknown[0]), self.players))
            missing = [p for p in self.players if p not in payoffs]
            if missing:
                raise SpecError.single("E108", f"terminal node has no payoff for {missing[0]!r}", span)
            vals = tuple(to_fraction(payoffs[p], f"payoff of {p}", span) for p in self.players)
        else:
            seq = tuple(payoffs)
            if len(seq) != len(self.players):
                raise SpecError.single("E103", f"terminal node has {len(seq)} payoffs for "
                                               f"{len(self.players)} players", span)
            # An outcome seen before: an int or Fraction tuple hashes and
            # compares equal to its Fraction tuple, so no conversion needed.
            known: dict[Any, int] = self._outcomes
            oid = known.get(seq, -1) if all(type(x) in (int, Fraction) for x in seq) else -1
            if oid >= 0:
                return self._new_node(TERMINAL, oid, (), state, span, None, round)
            vals = tuple(to_fraction(x, f"payoff of {p}", span) for x, p in zip(seq, self.players))
        oid = self._outcomes.setdefault(vals, len(self._outcomes))
        return self._new_node(TERMINAL, oid, (), state, span, None, round)

    def decision(self, player: str | int, infoset: Hashable | None,
                 actions: Mapping[str, int] | Sequence[tuple[str, int]], *, state: str | None = None,
                 label: str | None = None, span: Span = NO_SPAN, stage: str | None = None,
                 round: int = -1) -> int:
        """A move by ``player``.  Nodes sharing ``infoset`` (any hashable key)
        are indistinguishable to the player and must offer the same actions
        in the same order.  ``label`` names the information set (default:
        ``str(infoset)``, or the path for a singleton).  ``stage``/``round``:
        the protocol stage played here and its round (protocol trees)."""
        p = self._player_index(player, span)
        pairs = _as_pairs(actions)
        if not pairs:
            raise SpecError.single("E111", f"{self.players[p]} has a decision with no actions", span)
        names = tuple(str(a) for a, _ in pairs)
        if len(set(names)) != len(names):
            dup = next(a for a in names if names.count(a) > 1)
            raise SpecError.single("E102", f"action {dup!r} appears twice at one decision of "
                                           f"{self.players[p]}", span)
        names = self._actions_intern.setdefault(names, names)
        if infoset is None:
            i = len(self._inf_player)
            self._inf_player.append(p)
            self._inf_actions.append(names)
            self._inf_labels.append(label)
        else:
            i = self._infoset_key.get(infoset, -1)
            if i < 0:
                i = len(self._inf_player)
                self._infoset_key[infoset] = i
                self._inf_player.append(p)
                self._inf_actions.append(names)
                self._inf_labels.append(label if label is not None else str(infoset))
            else:
                lab = self._inf_labels[i]
                if self._inf_player[i] != p:
                    raise SpecError.single(
                        "E111", f"information set {lab!r} mixes players {self.players[self._inf_player[i]]!r} "
                                f"and {self.players[p]!r}", span,
                        hint="nodes in one information set must belong to one player")
                if self._inf_actions[i] != names:
                    raise SpecError.single(
                        "E111", f"information set {lab!r} has different actions at different nodes: "
                                f"({', '.join(self._inf_actions[i])}) vs ({', '.join(names)})", span,
                        hint="a player who cannot tell two nodes apart must have the same moves at both")
        return self._new_node(DECISION, i, [c for _, c in pairs], state, span, stage, round)

    def chance(self, outcomes: Mapping[str, tuple[Number, int]] | Sequence[tuple[str, Number, int]], *,
               state: str | None = None, span: Span = NO_SPAN, stage: str | None = None,
               round: int = -1) -> int:
        """A chance move: ``{label: (probability, child)}`` or a sequence of
        ``(label, probability, child)``.  Probabilities are exact, at least 0,
        and sum to 1."""
        if isinstance(outcomes, Mapping):
            triples = [(str(k), pr, c) for k, (pr, c) in outcomes.items()]
        else:
            triples = [(str(k), pr, c) for k, pr, c in outcomes]
        if not triples:
            raise SpecError.single("E111", "a chance move needs at least one outcome", span)
        labels = tuple(t[0] for t in triples)
        if len(set(labels)) != len(labels):
            dup = next(a for a in labels if labels.count(a) > 1)
            raise SpecError.single("E102", f"chance outcome {dup!r} appears twice", span)
        probs = tuple(to_fraction(t[1], f"probability of {t[0]!r}", span) for t in triples)
        for lab, pr in zip(labels, probs):
            if pr < 0:
                raise SpecError.single("E111", f"chance outcome {lab!r} has negative probability {pr}", span)
        total = sum(probs, Fraction(0))
        if total != 1:
            raise SpecError.single("E111", f"chance probabilities sum to {total}, not 1", span,
                                   hint="probabilities of one chance move must add up to exactly 1")
        cid = len(self._chance_probs)
        self._chance_probs.append(probs)
        self._chance_labels.append(self._actions_intern.setdefault(labels, labels))
        return self._new_node(CHANCE_NODE, cid, [t[2] for t in triples], state, span, stage, round)

    # ------------------------------------------------------------ build
    def build(self, root: int, *, title: str | None = None) -> GameTree:
        """Check and freeze the tree rooted at ``root`` (renumbered breadth-first)."""
        with gc_paused():
            return self._build(root, title)

    def _build(self, root: int, title: str | None) -> GameTree:
        n = self.num_nodes
        if not (isinstance(root, int) and 0 <= root < n):
            raise SpecError.single("E111", f"root {root!r} is not a node of this builder", self.span)
        kind_b, cstart, ccount, ch = self._kind, self._cstart, self._ccount, self._children
        seen = bytearray(n)
        seen[root] = 1
        order = array("i", [root])
        pos = 0
        while pos < len(order):
            v = order[pos]
            pos += 1
            s = cstart[v]
            for j in range(s, s + ccount[v]):
                c = ch[j]
                if seen[c]:
                    raise SpecError.single("E111", f"node {c} is used twice (a game tree cannot share "
                                                   f"subtrees)", self._spans.get(c, self.span),
                                           hint="build a fresh copy of the subtree for each parent")
                seen[c] = 1
                order.append(c)
        if len(order) != n:
            raise SpecError.single("E111", f"{n - len(order)} node(s) were built but are not reachable "
                                           f"from the root", self.span)
        new = array("i", bytes(4 * n))
        for k, v in enumerate(order):
            new[v] = k
        kind = array("b", bytes(n))
        parent = array("i", bytes(4 * n))
        move = array("i", bytes(4 * n))
        first = array("i", bytes(4 * n))
        nch = array("i", bytes(4 * n))
        payload = array("i", bytes(4 * n))
        state = array("i", bytes(4 * n))
        staged = self._staged
        nstage = array("i", bytes(4 * n)) if staged else array("i")
        nround = array("i", bytes(4 * n)) if staged else array("i")
        parent[0] = -1
        move[0] = -1
        for k, v in enumerate(order):
            kind[k] = kind_b[v]
            payload[k] = self._payload[v]
            state[k] = self._state[v]
            if staged:
                nstage[k] = self._stage[v]
                nround[k] = self._round[v]
            cnt = ccount[v]
            nch[k] = cnt
            if cnt:
                s = cstart[v]
                f = new[ch[s]]
                first[k] = f
                for j in range(cnt):
                    parent[f + j] = k
                    move[f + j] = j
        players_with_moves = set(self._inf_player)
        if not self.allow_idle_players:
            idle = [p for i, p in enumerate(self.players) if i not in players_with_moves]
            if idle:
                raise SpecError.single("E111", f"agent {idle[0]!r} never moves in this protocol", self.span,
                                       hint="remove the agent, or give it a decision")
        states: list[str] = [""] * len(self._states)
        for lab, k in self._states.items():
            states[k] = lab
        outcomes: list[tuple[Fraction, ...]] = [()] * len(self._outcomes)
        for vals, k in self._outcomes.items():
            outcomes[k] = vals
        tree = GameTree(
            players=self.players, kind=kind, parent=parent, move=move, first_child=first, num_children=nch,
            payload=payload, state=state, infoset_player=array("i", self._inf_player),
            infoset_actions=tuple(self._inf_actions), infoset_labels=tuple(self._inf_labels),
            chance_probs=tuple(self._chance_probs), chance_labels=tuple(self._chance_labels),
            outcomes=tuple(outcomes), state_labels=tuple(states),
            title=self.title if title is None else title,
            stage_names=tuple(self._stage_index) if staged else (), node_stage=nstage, node_round=nround,
        )
        _check_infosets(tree, self._spans, new, order, self.span)
        return tree


def _check_infosets(tree: GameTree, spans: dict[int, Span], new: array, order: array, span: Span) -> None:
    """Label uniqueness per player, and no information set met twice on one
    path (absent-mindedness is refused)."""
    seen: dict[tuple[int, str], int] = {}
    for i, lab in enumerate(tree.infoset_labels):
        if lab is None:
            continue
        key = (int(tree.infoset_player[i]), lab)
        if key in seen:
            raise SpecError.single("E102", f"two information sets of {tree.players[key[0]]} are both "
                                           f"labelled {lab!r}", span)
        seen[key] = i
    if tree.is_perfect_information:
        return  # singleton information sets only: nothing can be met twice
    members = tree.infoset_members()
    for i, m in enumerate(members):
        if len(m) < 2:
            continue
        mset = set(m)
        for v in m:
            u = tree.parent[v]
            while u >= 0:
                if u in mset:
                    sp = spans.get(order[v], span)
                    raise SpecError.single("E111", f"information set {tree.infoset_label(i)!r} is met twice "
                                                   f"on one path (absent-mindedness is not supported)", sp)
                u = tree.parent[u]
