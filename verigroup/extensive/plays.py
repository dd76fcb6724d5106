"""Properties over plays of a protocol, with replayable traces.

Node predicates (a small IR the protocol syntax can target) are true or
false at a node of the tree: the state label there, the move just made (and
by whom), who moves next, whether the play has ended, the payoffs at the
end, and -- for protocol trees -- :class:`StageMove`, "the move made at a
stage so far" (in the current round of a repeated protocol), which is how
the spec's play atom ``STAGE == action`` reads: the same semantics as in
payoff expressions (a stage not yet reached makes ``==`` false).  A play
satisfies ``never φ`` iff φ is false at every node of it (root to leaf),
``always φ`` iff φ is true at every node, ``eventually φ`` iff φ is true at
some node.  On top of them:

* ``never φ`` / ``always φ`` / ``eventually φ`` on the equilibrium path of
  every (or some) SPE: every play that has positive probability under the
  equilibrium (chance and mixing included) is examined;
* ``coalition C can enforce`` / ``cannot enforce`` a temporal goal: C has a
  strategy that makes *every* possible play (against every behaviour of the
  others and every chance outcome of positive probability) satisfy the goal.
  Computed by an attractor pass over the tree; C's members must have perfect
  information (the others may not: a single play meets each information set
  at most once, so their imperfect information cannot help C).  When C
  cannot enforce, the certificate is the others' (and chance's) node-wise
  counter-strategy, keyed by histories (see :func:`can_enforce`);
* ``commitment credible``: some SPE plays the committed action.

A violation is a :class:`Trace`: (actor, move, state) steps from the root to
a leaf, the payoffs there, the index of the node where the property fails,
and the strategies that produce it.  :func:`replay_trace` re-checks a trace
against the tree alone: the moves exist and follow the strategies, the
predicate fails where claimed, and the strategies are an SPE (exact regret
check in every subgame, independent of the solver).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, Mapping, Sequence, Union

from verigroup.diagnostics import NO_SPAN, SpecError, Span, did_you_mean
from verigroup.extensive.profile import StrategyProfile, is_spe
from verigroup.extensive.spe import DEFAULT_CAP, iter_spe_perfect, solve_spe, spe_value_sets, _first_pass
from verigroup.extensive.tree import CHANCE_NODE, DECISION, TERMINAL, GameTree
from verigroup.verdicts import PropertyResult, Verdict, q

Temporal = Literal["never", "always", "eventually"]
CompareOp = Literal["==", "!=", "<", "<=", ">", ">="]

# ====================================================================== predicates


@dataclass(frozen=True)
class TrueP:
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class StateIs:
    label: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class MoveIs:
    """The move that led to this node is ``move`` (made by ``by`` if given:
    an agent name or "chance")."""

    move: str
    by: str | None = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class StageMove:
    """On the play so far (in the current round of a repeated protocol), the
    move made at protocol stage ``stage`` is ``move``; false while the stage
    has not been played (needs a tree compiled from a protocol)."""

    stage: str
    move: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class ToMove:
    agent: str  # an agent name or "chance"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class AtEnd:
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PayoffCmp:
    """At a leaf, ``payoff(agent) op value``; false at non-terminal nodes."""

    agent: str
    op: CompareOp
    value: Fraction
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class NotP:
    arg: "Pred"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class AndP:
    args: tuple["Pred", ...]
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class OrP:
    args: tuple["Pred", ...]
    span: Span = field(default=NO_SPAN, compare=False)


Pred = Union[TrueP, StateIs, MoveIs, StageMove, ToMove, AtEnd, PayoffCmp, NotP, AndP, OrP]

_OPS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def validate(tree: GameTree, phi: Pred) -> None:
    """Names in φ must exist in the tree (SpecError with a hint otherwise)."""
    agents = list(tree.players) + ["chance"]
    moves = {a for acts in tree.infoset_actions for a in acts} | {a for acts in tree.chance_labels for a in acts}
    stack: list[Pred] = [phi]
    while stack:
        p = stack.pop()
        if isinstance(p, StateIs) and p.label not in tree.state_labels:
            raise SpecError.single("E101", f"no state {p.label!r} in the protocol", p.span,
                                   did_you_mean(p.label, tree.state_labels))
        if isinstance(p, MoveIs):
            if p.move not in moves:
                raise SpecError.single("E104", f"no move {p.move!r} in the protocol", p.span,
                                       did_you_mean(p.move, moves))
            if p.by is not None and p.by not in agents:
                raise SpecError.single("E101", f"unknown agent {p.by!r}", p.span, did_you_mean(p.by, agents))
        if isinstance(p, StageMove):
            if p.stage not in tree.stage_names:
                raise SpecError.single("E101", f"no stage {p.stage!r} in the protocol tree", p.span,
                                       did_you_mean(p.stage, tree.stage_names))
            if p.move not in stage_moves(tree).get(p.stage, ()):
                raise SpecError.single("E104", f"no move {p.move!r} at stage {p.stage!r}", p.span,
                                       did_you_mean(p.move, stage_moves(tree).get(p.stage, ())))
        if isinstance(p, ToMove) and p.agent not in agents:
            raise SpecError.single("E101", f"unknown agent {p.agent!r}", p.span, did_you_mean(p.agent, agents))
        if isinstance(p, PayoffCmp) and p.agent not in tree.players:
            raise SpecError.single("E101", f"unknown agent {p.agent!r}", p.span,
                                   did_you_mean(p.agent, tree.players))
        if isinstance(p, NotP):
            stack.append(p.arg)
        if isinstance(p, (AndP, OrP)):
            stack.extend(p.args)


def stage_moves(tree: GameTree) -> dict[str, tuple[str, ...]]:
    """The moves offered at each stage of a protocol tree."""
    got = tree._cache.get("stage_moves")
    if got is None:
        acc: dict[str, dict[str, None]] = {}
        ns = tree.node_stage
        for v in range(len(ns)):
            if ns[v] >= 0:
                d = acc.setdefault(tree.stage_names[ns[v]], {})
                for a in tree.actions(v):
                    d[a] = None
        got = {s: tuple(d) for s, d in acc.items()}
        tree._cache["stage_moves"] = got
    return got  # type: ignore[no-any-return]


def stage_move_table(tree: GameTree, stage: str, move: str) -> bytearray:
    """For every node v: 1 iff on the path from the root to v the move made at
    ``stage`` in v's round is ``move``.  One forward pass (parents have
    smaller ids than their children), cached on the tree."""
    key = f"stage_move\x00{stage}\x00{move}"
    got = tree._cache.get(key)
    if got is not None:
        return got  # type: ignore[no-any-return]
    n = tree.num_nodes
    out = bytearray(n)
    ns, nr, parent = tree.node_stage, tree.node_round, tree.parent
    if len(ns) == n and stage in tree.stage_names:
        s = tree.stage_names.index(stage)
        for v in range(1, n):
            p = parent[v]
            if nr[v] != nr[p]:
                continue  # a new round starts: nothing is played in it yet
            if ns[p] == s:
                out[v] = 1 if tree.actions(p)[tree.move[v]] == move else 0
            else:
                out[v] = out[p]
    tree._cache[key] = out
    return out


def holds(tree: GameTree, v: int, phi: Pred) -> bool:
    """φ at node v (iterative over the predicate's structure is unnecessary:
    predicates are shallow)."""
    if isinstance(phi, TrueP):
        return True
    if isinstance(phi, StageMove):
        return bool(stage_move_table(tree, phi.stage, phi.move)[v])
    if isinstance(phi, StateIs):
        return tree.state_label(v) == phi.label
    if isinstance(phi, MoveIs):
        if tree.move_label(v) != phi.move:
            return False
        if phi.by is None:
            return True
        m = tree.mover(v)
        return m is not None and tree.player_name(m) == phi.by
    if isinstance(phi, ToMove):
        p = tree.player(v)
        return p != -2 and tree.player_name(p) == phi.agent
    if isinstance(phi, AtEnd):
        return tree.kind[v] == TERMINAL
    if isinstance(phi, PayoffCmp):
        if tree.kind[v] != TERMINAL:
            return False
        return bool(_OPS[phi.op](tree.payoff(v)[tree.players.index(phi.agent)], phi.value))
    if isinstance(phi, NotP):
        return not holds(tree, v, phi.arg)
    if isinstance(phi, AndP):
        return all(holds(tree, v, a) for a in phi.args)
    if isinstance(phi, OrP):
        return any(holds(tree, v, a) for a in phi.args)
    raise TypeError(f"not a predicate: {phi!r}")


def describe_pred(phi: Pred) -> str:
    if isinstance(phi, TrueP):
        return "true"
    if isinstance(phi, StateIs):
        return f"state == {phi.label}"
    if isinstance(phi, MoveIs):
        return f"move == {phi.move}" + (f" by {phi.by}" if phi.by else "")
    if isinstance(phi, StageMove):
        return f"{phi.stage} == {phi.move}"
    if isinstance(phi, ToMove):
        return f"{phi.agent} to move"
    if isinstance(phi, AtEnd):
        return "end"
    if isinstance(phi, PayoffCmp):
        return f"payoff({phi.agent}) {phi.op} {q(phi.value)}"
    if isinstance(phi, NotP):
        return f"not ({describe_pred(phi.arg)})"
    if isinstance(phi, AndP):
        return " and ".join(f"({describe_pred(a)})" for a in phi.args)
    if isinstance(phi, OrP):
        return " or ".join(f"({describe_pred(a)})" for a in phi.args)
    return repr(phi)


# ====================================================================== traces


@dataclass(frozen=True)
class TraceStep:
    actor: str  # agent name or "chance"
    move: str
    state: str | None  # state label of the node reached


@dataclass(frozen=True)
class Trace:
    """A play from the root to a leaf.  ``failed_at``: index of the node on the
    play where the property fails (0 = root, k = after step k)."""

    kind: Temporal
    phi: Pred
    steps: tuple[TraceStep, ...]
    payoffs: Mapping[str, Fraction]
    failed_at: int
    probability: Fraction
    strategies: Mapping[str, Mapping[str, Any]]
    root_state: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "play", "property": f"{self.kind} {describe_pred(self.phi)}",
            "play": [{"actor": s.actor, "move": s.move, "state": s.state} for s in self.steps],
            "payoffs": {a: q(x) for a, x in self.payoffs.items()},
            "failed_at": self.failed_at, "probability": q(self.probability),
            "strategies": self.strategies,
        }


def _fails_at(tree: GameTree, path: Sequence[int], kind: Temporal, phi: Pred) -> int | None:
    """Index on a root-to-leaf path where the temporal property fails, or None."""
    if kind == "never":
        for k, v in enumerate(path):
            if holds(tree, v, phi):
                return k
        return None
    if kind == "always":
        for k, v in enumerate(path):
            if not holds(tree, v, phi):
                return k
        return None
    if any(holds(tree, v, phi) for v in path):
        return None
    return len(path) - 1


def find_violation(tree: GameTree, prof: StrategyProfile, kind: Temporal, phi: Pred) -> Trace | None:
    """The first positive-probability play under ``prof`` violating the
    temporal property, as a trace, or None."""
    stack: list[tuple[int, Fraction, tuple[int, ...]]] = [(0, Fraction(1), (0,))]
    while stack:
        v, pr, path = stack.pop()
        k = tree.kind[v]
        if k == TERMINAL:
            at = _fails_at(tree, path, kind, phi)
            if at is not None:
                return _make_trace(tree, prof, kind, phi, path, at, pr)
            continue
        probs = tree.probs(v) if k == CHANCE_NODE else prof.probs(tree, tree.payload[v])
        kids = [(c, p) for c, p in zip(tree.children(v), probs) if p != 0]
        for c, p in reversed(kids):
            stack.append((c, pr * p, path + (c,)))
    return None


def _make_trace(tree: GameTree, prof: StrategyProfile, kind: Temporal, phi: Pred, path: Sequence[int],
                at: int, pr: Fraction) -> Trace:
    steps = tuple(TraceStep(tree.player_name(tree.player(tree.parent[v])), tree.move_label(v) or "",
                            tree.state_label(v)) for v in path[1:])
    leaf = path[-1]
    return Trace(kind, phi, steps, dict(zip(tree.players, tree.payoff(leaf))), at, pr, prof.to_json(tree),
                 tree.state_label(0))


@dataclass(frozen=True)
class Replay:
    ok: bool
    message: str


def replay_trace(tree: GameTree, trace: Trace, check_equilibrium: bool = True) -> Replay:
    """Re-check a trace from the tree alone (see the module docstring)."""
    try:
        prof = StrategyProfile.from_json(tree, trace.strategies)
    except SpecError as exc:
        return Replay(False, f"strategies do not fit the game: {exc}")
    v = 0
    path = [0]
    pr = Fraction(1)
    if tree.state_label(0) != trace.root_state:
        return Replay(False, "the root state differs")
    for k, st in enumerate(trace.steps):
        if tree.kind[v] == TERMINAL:
            return Replay(False, f"step {k + 1}: the play has already ended")
        actor = tree.player_name(tree.player(v))
        if actor != st.actor:
            return Replay(False, f"step {k + 1}: {actor} moves here, not {st.actor}")
        acts = tree.actions(v)
        if st.move not in acts:
            return Replay(False, f"step {k + 1}: no move {st.move!r} here")
        a = acts.index(st.move)
        p = tree.probs(v)[a] if tree.kind[v] == CHANCE_NODE else prof.probs(tree, tree.payload[v])[a]
        if p == 0:
            return Replay(False, f"step {k + 1}: {st.move!r} has probability 0 under the strategies")
        pr *= p
        v = tree.first_child[v] + a
        if tree.state_label(v) != st.state:
            return Replay(False, f"step {k + 1}: state is {tree.state_label(v)!r}, trace says {st.state!r}")
        path.append(v)
    if tree.kind[v] != TERMINAL:
        return Replay(False, "the play does not end at a leaf")
    if dict(zip(tree.players, tree.payoff(v))) != dict(trace.payoffs):
        return Replay(False, "payoffs at the leaf differ from the trace")
    if pr != trace.probability:
        return Replay(False, f"the play has probability {pr}, the trace says {trace.probability}")
    at = _fails_at(tree, path, trace.kind, trace.phi)
    if at is None:
        return Replay(False, f"the play satisfies {trace.kind} {describe_pred(trace.phi)}")
    if at != trace.failed_at:
        return Replay(False, f"the property fails at node {at} of the play, the trace says {trace.failed_at}")
    if check_equilibrium and not is_spe(tree, prof):
        return Replay(False, "the strategies are not a subgame-perfect equilibrium")
    return Replay(True, "trace confirmed: the play follows the strategies, the property fails where "
                        "claimed" + (", and the strategies are an SPE" if check_equilibrium else ""))


# ====================================================================== properties


@dataclass(frozen=True)
class PlayProperty:
    """``for every|some spe: never|always|eventually φ``."""

    name: str
    quantifier: Literal["every", "some"]
    kind: Temporal
    phi: Pred
    span: Span = field(default=NO_SPAN, compare=False)


def check_play_property(tree: GameTree, prop: PlayProperty, cap: int = DEFAULT_CAP) -> PropertyResult:
    validate(tree, prop.phi)
    res = solve_spe(tree, cap=cap)
    what = f"{prop.kind} {describe_pred(prop.phi)}"
    kindname = "PlayProperty"
    method = res.method
    if prop.quantifier == "every":
        for prof in res.profiles:
            tr = find_violation(tree, prof, prop.kind, prop.phi)
            if tr is not None:
                return PropertyResult(prop.name, kindname, Verdict.VIOLATED, method,
                                      f"an SPE has a play where {what} fails", tr.to_json(), prop.span)
        if not res.complete:
            return PropertyResult(prop.name, kindname, Verdict.UNKNOWN, method,
                                  f"{what} holds on the {len(res.profiles)} SPE found, but not all SPE were "
                                  f"examined: {res.reason}", {"reason": res.reason}, prop.span)
        return PropertyResult(prop.name, kindname, Verdict.HOLDS, method,
                              f"{what} holds on every play of all {len(res.profiles)} SPE",
                              {"method": method, "spe_checked": len(res.profiles)}, prop.span)
    for prof in res.profiles:
        if find_violation(tree, prof, prop.kind, prop.phi) is None:
            return PropertyResult(prop.name, kindname, Verdict.HOLDS, method, f"an SPE satisfies {what}",
                                  {"method": method, "witness": prof.to_json(tree)}, prop.span)
    if not res.complete or not res.profiles:
        reason = res.reason or "no SPE found"
        return PropertyResult(prop.name, kindname, Verdict.UNKNOWN, method,
                              f"no SPE found satisfies {what}; not all SPE were examined: {reason}",
                              {"reason": reason}, prop.span)
    tr = find_violation(tree, res.profiles[0], prop.kind, prop.phi)
    assert tr is not None
    return PropertyResult(prop.name, kindname, Verdict.VIOLATED, method,
                          f"none of the {len(res.profiles)} SPE satisfies {what}; a play of the first:",
                          tr.to_json(), prop.span)


# ================================================================== coalitions


HISTORY_SEP = "/"


def history_key(moves: Sequence[str]) -> str:
    """A node as its history: the move labels from the root joined by ``/``
    (the root is ``""``).  ``%`` and ``/`` inside a label are escaped as
    ``%25`` and ``%2F`` so the key is unambiguous; protocol labels are
    identifiers, so for them the key is the plain path, e.g. ``"enter/fight"``."""
    return HISTORY_SEP.join(m.replace("%", "%25").replace("/", "%2F") for m in moves)


def node_of_history(tree: GameTree, key: str) -> int:
    """The node a history key names (SpecError if it names none)."""
    v = 0
    if key == "":
        return v
    for part in key.split(HISTORY_SEP):
        label = part.replace("%2F", "/").replace("%25", "%")
        v = tree.child_by_label(v, label)
    return v


@dataclass(frozen=True)
class EnforceResult:
    """The verdict of :func:`can_enforce` and its certificate.

    ``holds``: ``strategy`` is the coalition's winning strategy,
    ``{member: {information-set label: move}}`` (the members have perfect
    information, so an information set is a node).  Otherwise ``strategy`` is
    the spoilers' counter-strategy *keyed by node*:
    ``{agent or "chance": {history: move}}`` (see :func:`history_key`), one
    entry for every node of the others or of chance that some play reaches
    while the goal is still open, with the coalition playing anything and the
    others and chance following this map (chance picks an outcome of positive
    probability)."""

    holds: bool
    strategy: Mapping[str, Mapping[str, str]]
    method: str = "attractor on the tree (chance outcomes of positive probability are adversarial)"
    keyed_by: Literal["infoset", "node"] = "infoset"


def can_enforce(tree: GameTree, coalition: Sequence[str], kind: Temporal, phi: Pred,
                span: Span = NO_SPAN) -> EnforceResult:
    """Can the coalition C make every play satisfy the temporal goal?

    Semantics: C can enforce ``kind φ`` iff C has a strategy such that every
    play consistent with it (the others' moves arbitrary, chance outcomes of
    positive probability chosen adversarially) satisfies the goal.  Decided
    by an attractor pass over the tree (backwards, exact).  C's members must
    have perfect information (SpecError E111 otherwise); the others need not.

    Certificates:

    * C can enforce: C's winning strategy, one move per information set of a
      member (= per node, by perfect information), for every winning node of
      C; every play under it, against all moves of the others and all chance
      outcomes of positive probability, satisfies the goal.
    * C cannot enforce: the complement of C's attractor is a trap, and the
      certificate is a *node-wise* (history-dependent) counter-strategy for
      the others and chance that keeps every play inside it: a map from
      every trap node of theirs that is reachable (C moving arbitrarily,
      they following the map) to a move, keyed by the node's history
      (:func:`history_key`).  Every play in which they follow the map
      violates the goal, whatever C does.  Node-wise is a legitimate
      certificate even where the others cannot tell nodes apart: against any
      fixed strategy of C the map yields a single play, and by perfect
      recall that play meets each of their information sets at most once,
      so it is also produced by a strategy that respects their information
      sets (chosen once C's strategy is fixed, which is what "for every
      strategy of C some play violates the goal" asks).  Merging the map per
      information set would *not* be sound: the attractor's choices at two
      nodes of one information set may differ.
    """
    validate(tree, phi)
    members = set()
    for a in coalition:
        if a not in tree.players:
            raise SpecError.single("E101", f"unknown agent {a!r} in the coalition", span,
                                   did_you_mean(a, tree.players))
        members.add(tree.players.index(a))
    sizes = tree.infoset_members()
    for i in range(tree.num_infosets):
        if tree.infoset_player[i] in members and len(sizes[i]) > 1:
            raise SpecError.single(
                "E111", f"coalition enforcement assumes the coalition has perfect information, but "
                        f"{tree.players[tree.infoset_player[i]]} cannot tell apart {len(sizes[i])} nodes of "
                        f"information set {tree.infoset_label(i)!r}", span,
                hint="ask about an SPE property instead, or make the coalition observe the earlier moves")
    if kind == "never":
        kind, phi = "always", NotP(phi)
    n = tree.num_nodes
    win = bytearray(n)
    pick = [-1] * n  # at an undecided node: the winner side's move (a child)
    for v in range(n - 1, -1, -1):
        here = holds(tree, v, phi)
        k = tree.kind[v]
        cs = list(tree.children(v))
        if k == CHANCE_NODE:
            cs = [c for c, p in zip(cs, tree.probs(v)) if p != 0]
        if kind == "eventually" and here:
            win[v] = 1
            continue
        if kind == "always" and not here:
            continue
        if k == TERMINAL:
            win[v] = 1 if kind == "always" else 0
            continue
        mine = k == DECISION and tree.infoset_player[tree.payload[v]] in members
        if mine:
            good = [c for c in cs if win[c]]
            win[v] = 1 if good else 0
            pick[v] = good[0] if good else cs[0]
        else:
            bad = [c for c in cs if not win[c]]
            win[v] = 0 if bad else 1
            pick[v] = bad[0] if bad else cs[0]
    if win[0]:
        strat: dict[str, dict[str, str]] = {}
        for v in range(n):
            if tree.kind[v] != DECISION or not win[v] or pick[v] < 0:
                continue
            i = tree.payload[v]
            p = tree.infoset_player[i]
            if p in members:
                strat.setdefault(tree.players[p], {})[tree.infoset_label(i)] = tree.move_label(pick[v]) or ""
        return EnforceResult(True, strat, keyed_by="infoset")
    # C cannot enforce: the node-wise spoiler map over the reachable trap
    spoil: dict[str, dict[str, str]] = {}
    stack: list[tuple[int, tuple[str, ...]]] = [(0, ())]
    while stack:
        v, hist = stack.pop()
        if pick[v] < 0:  # the goal has failed here (or the play ended): nothing left to choose
            continue
        if tree.kind[v] == DECISION and tree.infoset_player[tree.payload[v]] in members:
            for c in tree.children(v):  # C loses at every child of a losing node of C's
                stack.append((c, hist + (tree.move_label(c) or "",)))
            continue
        c = pick[v]
        label = tree.move_label(c) or ""
        spoil.setdefault(tree.player_name(tree.player(v)), {})[history_key(hist)] = label
        stack.append((c, hist + (label,)))
    return EnforceResult(False, {a: dict(sorted(m.items())) for a, m in spoil.items()}, keyed_by="node")


# ================================================================== commitments


@dataclass(frozen=True)
class Credibility:
    credible: bool | None  # None: undecided (enumeration capped)
    witness: StrategyProfile | None
    method: str


def commitment_credible(tree: GameTree, agent: str, infoset: str, action: str,
                        cap: int = DEFAULT_CAP) -> Credibility:
    """Is playing ``action`` at the agent's information set part of some SPE?"""
    if agent not in tree.players:
        raise SpecError.single("E101", f"unknown agent {agent!r}", hint=did_you_mean(agent, tree.players))
    p = tree.players.index(agent)
    i = tree.infoset_by_label(p, infoset)
    acts = tree.infoset_actions[i]
    if action not in acts:
        raise SpecError.single("E104", f"{agent} has no action {action!r} at {infoset!r}",
                               hint=did_you_mean(action, acts))
    a = acts.index(action)
    if tree.is_perfect_information:
        v = tree.infoset_members()[i][0]
        sets, complete = spe_value_sets(tree)
        val, _, _ = _first_pass(tree)

        def get(c: int) -> frozenset[tuple[Fraction, ...]]:
            return sets[c] if c in sets else frozenset((val[c],))

        cs = list(tree.children(v))
        floor = max((min(x[p] for x in get(c)) for j, c in enumerate(cs) if j != a), default=None)
        ok = any(floor is None or x[p] >= floor for x in get(cs[a]))
        witness = None
        if ok:
            for k, prof in enumerate(iter_spe_perfect(tree)):
                if prof.action(i) == a:
                    witness = prof
                    break
                if k >= cap:
                    break
        return Credibility(ok if complete else (True if witness else None), witness,
                           "SPE value sets (perfect information)")
    res = solve_spe(tree, cap=cap)
    for prof in res.profiles:
        if prof.action(i) == a:
            return Credibility(True, prof, res.method)
    return Credibility(False if res.complete else None, None, res.method)
