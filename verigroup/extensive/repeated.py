"""Repeated games: finite repetition (with a carried state) solved stage by
stage, and infinitely repeated discounted games with automaton strategies.

Finite horizon, perfect monitoring.  The set ``W[t][s]`` of pure-SPE
continuation payoff vectors from round ``t`` in state ``s`` satisfies::

    W[T][s] = {0}
    W[t][s] = { u(s,a) + delta * w :  a a stage profile, w in W[t+1][s'(s,a)],
                for every agent i and deviation b:
                u_i(s,a) + delta * w_i >= u_i(s,(b,a_-i)) + delta * min W[t+1][s'(s,(b,a_-i))]_i }

because after any history the continuation may be any SPE of the remaining
game, and the harshest one punishes a deviator.  This never builds the
``|A|^T`` tree: the work is ``T * |states| * |A| * |W|``.  ``repeated_tree`` /
``stateful_tree`` build the naive tree for cross-checks on small cases.

Infinite horizon, discount ``delta`` in (0, 1).  Each agent follows a finite
automaton (:class:`Automaton`); the joint profile is subgame perfect iff no
one-shot deviation is profitable in any joint automaton state reachable after
any history (the one-shot deviation principle).  Values are exact; the set
of discount factors for which the profile is an SPE is computed with sympy,
and its least element (``threshold``) is exact.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Hashable, Mapping, Sequence

from verigroup.runtime import check_deadline
from verigroup.diagnostics import NO_SPAN, SpecError, Span, TooLarge
from verigroup.extensive.tree import DEFAULT_NODE_LIMIT, GameTree, TreeBuilder, to_fraction
from verigroup.model.game import NormalFormGame

Vec = tuple[Fraction, ...]
Profile = tuple[int, ...]
DEFAULT_SET_CAP = 20_000


def check_discount(delta: object, infinite: bool, span: Span = NO_SPAN) -> Fraction:
    d = to_fraction(delta, "discount factor", span)
    if d <= 0 or d > 1 or (infinite and d == 1):
        rng = "(0, 1)" if infinite else "(0, 1]"
        raise SpecError.single("E109", f"discount factor {d} is outside {rng}", span,
                               hint="an infinitely repeated game needs 0 < delta < 1" if infinite
                               else "a discount factor is in (0, 1]; 1 means no discounting")
    return d


@dataclass(frozen=True)
class StatefulGame:
    """A stage game whose payoffs and next state depend on a carried state.

    ``payoff(state, profile)`` gives exact payoffs (one per agent);
    ``transition(state, profile)`` the next state (hashable)."""

    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    payoff: Callable[[Hashable, Profile], Sequence[object]]
    transition: Callable[[Hashable, Profile], Hashable] = field(default=lambda s, a: s)

    @staticmethod
    def from_stage(stage: NormalFormGame) -> "StatefulGame":
        return StatefulGame(stage.players, stage.actions, lambda s, a: stage.payoff_vector(a))

    def profiles(self) -> list[Profile]:
        return list(itertools.product(*[range(len(a)) for a in self.actions]))


@dataclass(frozen=True)
class RepeatedResult:
    payoff_set: tuple[Vec, ...]  # pure-SPE payoff vectors of the whole game (discounted sums)
    complete: bool
    first_round_profiles: tuple[Profile, ...]  # stage profiles some pure SPE plays in round 1
    rounds: int
    delta: Fraction
    method: str = "stage-wise backward induction over continuation-payoff sets (perfect monitoring)"


def solve_finite(game: StatefulGame, initial: Hashable, rounds: int, delta: object = 1,
                 set_cap: int = DEFAULT_SET_CAP) -> RepeatedResult:
    """All pure-SPE payoff vectors of the ``rounds``-fold repetition."""
    d = check_discount(delta, infinite=False)
    if rounds < 1:
        raise SpecError.single("E109", f"number of rounds must be at least 1, got {rounds}")
    npl = len(game.players)
    profs = game.profiles()
    # states reachable at each round
    layers: list[set[Hashable]] = [{initial}]
    for _ in range(rounds - 1):
        nxt: set[Hashable] = set()
        for s in layers[-1]:
            for a in profs:
                nxt.add(game.transition(s, a))
        layers.append(nxt)
        if len(nxt) > 100_000:
            raise TooLarge.single("E202", f"more than {len(nxt):,} distinct states in one round",
                                  hint="coarsen the carried state")
    pay_cache: dict[tuple[Hashable, Profile], Vec] = {}

    def u(s: Hashable, a: Profile) -> Vec:
        key = (s, a)
        v = pay_cache.get(key)
        if v is None:
            v = tuple(to_fraction(x, "stage payoff") for x in game.payoff(s, a))
            if len(v) != npl:
                raise SpecError.single("E103", f"stage payoff has {len(v)} entries for {npl} agents")
            pay_cache[key] = v
        return v

    zero = tuple(Fraction(0) for _ in range(npl))
    complete = True
    nextW: dict[Hashable, frozenset[Vec]] | None = None
    first: set[Profile] = set()
    for t in range(rounds - 1, -1, -1):
        cur: dict[Hashable, frozenset[Vec]] = {}
        for s in layers[t]:
            check_deadline()

            def cont(s2: Hashable) -> frozenset[Vec]:
                return frozenset((zero,)) if nextW is None else nextW[s2]

            worst: dict[Hashable, Vec] = {}

            def worst_of(s2: Hashable) -> Vec:
                w = worst.get(s2)
                if w is None:
                    ws = cont(s2)
                    w = tuple(min(x[i] for x in ws) for i in range(npl))
                    worst[s2] = w
                return w

            out: set[Vec] = set()
            if any(not cont(game.transition(s, a)) for a in profs):
                # some continuation game has no pure SPE: neither has this one
                cur[s] = frozenset()
                continue
            for a in profs:
                ua = u(s, a)
                # best deviation value per agent, with the harshest continuation
                dev: list[Fraction | None] = []
                for i in range(npl):
                    best: Fraction | None = None
                    for b in range(len(game.actions[i])):
                        if b == a[i]:
                            continue
                        a2 = a[:i] + (b,) + a[i + 1:]
                        val = u(s, a2)[i] + d * worst_of(game.transition(s, a2))[i]
                        best = val if best is None or val > best else best
                    dev.append(best)
                s2 = game.transition(s, a)
                ok_any = False
                for w in cont(s2):
                    tot = tuple(ua[i] + d * w[i] for i in range(npl))
                    if all(tot[i] >= di for i, di in enumerate(dev) if di is not None):
                        out.add(tot)
                        ok_any = True
                if ok_any and t == 0:
                    first.add(a)
            if len(out) > set_cap:
                complete = False
                out = set(sorted(out)[:set_cap])
            cur[s] = frozenset(out)
        nextW = cur
    assert nextW is not None
    return RepeatedResult(tuple(sorted(nextW[initial])), complete, tuple(sorted(first)), rounds, d)


def solve_repeated(stage: NormalFormGame, rounds: int, delta: object = 1,
                   set_cap: int = DEFAULT_SET_CAP) -> RepeatedResult:
    return solve_finite(StatefulGame.from_stage(stage), 0, rounds, delta, set_cap)


def stateful_tree(game: StatefulGame, initial: Hashable, rounds: int, delta: object = 1,
                  node_limit: int | None = None) -> GameTree:
    """The naive tree: each round the agents move in turn without seeing each
    other's current move (one information set per agent, round and public
    history); everything is observed at the end of the round."""
    d = check_discount(delta, infinite=False)
    npl = len(game.players)
    b = TreeBuilder(game.players, title=f"{rounds} rounds",
                    node_limit=DEFAULT_NODE_LIMIT if node_limit is None else node_limit)

    def build(t: int, s: Hashable, hist: tuple[Profile, ...], acc: Vec, disc: Fraction) -> int:
        if t == rounds:
            return b.terminal(acc, state=f"end {s}")

        def stage(i: int, partial: Profile) -> int:
            if i == npl:
                a = partial
                ua = game.payoff(s, a)
                acc2 = tuple(x + disc * to_fraction(y, "stage payoff") for x, y in zip(acc, ua))
                return build(t + 1, game.transition(s, a), hist + (a,), acc2, disc * d)
            kids = [(lab, stage(i + 1, partial + (k,))) for k, lab in enumerate(game.actions[i])]
            key = (t, hist, i)
            label = f"r{t + 1}:" + ",".join("".join(game.actions[j][x] for j, x in enumerate(p))
                                              for p in hist) if hist else f"r{t + 1}"
            return b.decision(i, key, kids, label=label, state=f"round {t + 1} {s}")

        return stage(0, ())

    zero = tuple(Fraction(0) for _ in range(npl))
    root = build(0, initial, (), zero, Fraction(1))
    return b.build(root)


def repeated_tree(stage: NormalFormGame, rounds: int, delta: object = 1,
                  node_limit: int | None = None) -> GameTree:
    return stateful_tree(StatefulGame.from_stage(stage), 0, rounds, delta, node_limit)


# ==================================================================== infinite


@dataclass(frozen=True)
class Automaton:
    """One agent's strategy as a finite machine: ``play[state]`` is the action
    label; after each round the state becomes ``step[(state, profile labels)]``
    (missing entries: stay)."""

    states: tuple[str, ...]
    initial: str
    play: Mapping[str, str]
    step: Mapping[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)

    def next(self, state: str, profile: tuple[str, ...]) -> str:
        return self.step.get((state, profile), state)


def grim_trigger(stage: NormalFormGame, cooperate: Sequence[str], punish: Sequence[str]) -> tuple[Automaton, ...]:
    """Play ``cooperate`` until anyone deviates from it, then ``punish`` forever."""
    coop = tuple(cooperate)
    out = []
    for i in range(stage.num_players):
        step = {("coop", tuple(stage.actions[j][x] for j, x in enumerate(a))): "punish"
                for a in stage.profiles()
                if tuple(stage.actions[j][x] for j, x in enumerate(a)) != coop}
        out.append(Automaton(("coop", "punish"), "coop", {"coop": coop[i], "punish": punish[i]}, step))
    return tuple(out)


def tit_for_tat(stage: NormalFormGame, nice: str) -> tuple[Automaton, ...]:
    """Two agents with the same actions: start with ``nice``, then copy the
    other agent's last action."""
    if stage.num_players != 2:
        raise SpecError.single("E111", "tit-for-tat is defined for two agents")
    acts = stage.actions[0]
    out = []
    for i in range(2):
        step: dict[tuple[str, tuple[str, ...]], str] = {}
        for a in stage.profiles():
            labels = (stage.actions[0][a[0]], stage.actions[1][a[1]])
            for s in acts:
                step[(s, labels)] = labels[1 - i]
        out.append(Automaton(tuple(acts), nice, {s: s for s in acts}, step))
    return tuple(out)


@dataclass(frozen=True)
class AutomatonCheck:
    is_spe: bool
    delta: Fraction
    violation: str | None  # "state ..., agent ... gains by playing ..." when not SPE
    values: Mapping[tuple[str, ...], Vec]  # discounted sums (not normalised) per joint state


def _joint(stage: NormalFormGame, autos: Sequence[Automaton]) -> tuple[list[tuple[str, ...]], tuple[Any, Any]]:
    idx = [{lab: k for k, lab in enumerate(stage.actions[i])} for i in range(stage.num_players)]

    def prescribed(q: tuple[str, ...]) -> Profile:
        return tuple(idx[i][autos[i].play[q[i]]] for i in range(len(autos)))

    def nxt(q: tuple[str, ...], a: Profile) -> tuple[str, ...]:
        labels = tuple(stage.actions[i][x] for i, x in enumerate(a))
        return tuple(autos[i].next(q[i], labels) for i in range(len(autos)))

    start = tuple(a.initial for a in autos)
    seen = [start]
    pos = 0
    while pos < len(seen):
        q = seen[pos]
        pos += 1
        for a in stage.profiles():
            q2 = nxt(q, a)
            if q2 not in seen:
                seen.append(q2)
    return seen, (prescribed, nxt)


def _values(stage: Any, states: list[tuple[str, ...]], fns: tuple[Any, Any], delta: Any, add: Any, mul: Any,
            div: Any, zero: Any, one: Any) -> dict[tuple[str, ...], tuple[Any, ...]]:
    prescribed, nxt = fns
    npl = stage.num_players
    out: dict[tuple[str, ...], tuple] = {}
    for q0 in states:
        path = [q0]
        while True:
            q2 = nxt(path[-1], prescribed(path[-1]))
            if q2 in path:
                j = path.index(q2)
                break
            path.append(q2)
        vals = []
        for i in range(npl):
            u = [stage.payoff(i, prescribed(q)) for q in path]
            pre = zero
            disc = one
            for t in range(j):
                pre = add(pre, mul(disc, u[t]))
                disc = mul(disc, delta)
            cyc = zero
            dd = one
            for t in range(j, len(path)):
                cyc = add(cyc, mul(dd, u[t]))
                dd = mul(dd, delta)
            vals.append(add(pre, mul(disc, div(cyc, add(one, mul(-1, dd))))))
        out[q0] = tuple(vals)
    return out


def check_automata(stage: NormalFormGame, autos: Sequence[Automaton], delta: object) -> AutomatonCheck:
    """Is the automaton profile an SPE of the infinitely repeated game at
    ``delta``?  (One-shot deviation principle, exact.)"""
    d = check_discount(delta, infinite=True)
    _check_autos(stage, autos)
    states, fns = _joint(stage, autos)
    prescribed, nxt = fns
    V = _values(stage, states, fns, d, lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a / b,
                Fraction(0), Fraction(1))
    for q in states:
        a = prescribed(q)
        for i in range(stage.num_players):
            for b in range(len(stage.actions[i])):
                if b == a[i]:
                    continue
                a2 = a[:i] + (b,) + a[i + 1:]
                dev = stage.payoff(i, a2) + d * V[nxt(q, a2)][i]
                if dev > V[q][i]:
                    why = (f"in state {q}, {stage.players[i]} gains by playing {stage.actions[i][b]} "
                           f"({dev} > {V[q][i]})")
                    return AutomatonCheck(False, d, why, V)
    return AutomatonCheck(True, d, None, V)


@dataclass(frozen=True)
class DeltaRegion:
    """The discount factors in (0, 1) at which the profile is an SPE."""

    region: Any  # a sympy Set
    threshold: Fraction | object | None  # least element (inf), exact; None when the region is empty
    closed_below: bool

    def contains(self, delta: Fraction) -> bool:
        import sympy

        return bool(self.region.contains(sympy.Rational(delta.numerator, delta.denominator)))


def spe_discount_region(stage: NormalFormGame, autos: Sequence[Automaton]) -> DeltaRegion:
    """Exactly which discount factors make the automaton profile an SPE."""
    import sympy

    _check_autos(stage, autos)
    dl = sympy.Symbol("delta", positive=True)
    states, fns = _joint(stage, autos)
    prescribed, nxt = fns

    def S(x: Fraction) -> sympy.Rational:
        return sympy.Rational(x.numerator, x.denominator)

    sstage = _SympyStage(stage, S)
    V = _values(sstage, states, fns, dl, lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a / b,
                sympy.Integer(0), sympy.Integer(1))
    region: sympy.Set = sympy.Interval.open(0, 1)
    for q in states:
        a = prescribed(q)
        for i in range(stage.num_players):
            for b in range(len(stage.actions[i])):
                if b == a[i]:
                    continue
                a2 = a[:i] + (b,) + a[i + 1:]
                gap = sympy.together(V[q][i] - (S(stage.payoff(i, a2)) + dl * V[nxt(q, a2)][i]))
                ok = sympy.solveset(sympy.Ge(sympy.simplify(gap), 0), dl, sympy.Interval.open(0, 1))
                region = sympy.Intersection(region, ok)
    region = sympy.simplify(region)
    if region is sympy.S.EmptySet or region == sympy.S.EmptySet:
        return DeltaRegion(region, None, False)
    inf = region.inf
    thr: Fraction | object = Fraction(int(inf.p), int(inf.q)) if isinstance(inf, sympy.Rational) else inf
    return DeltaRegion(region, thr, bool(region.contains(inf)))


class _SympyStage:
    def __init__(self, stage: NormalFormGame, conv: Callable[[Fraction], Any]) -> None:
        self._s, self._c = stage, conv
        self.num_players = stage.num_players

    def payoff(self, i: int, a: Profile) -> object:
        return self._c(self._s.payoff(i, a))


def _check_autos(stage: NormalFormGame, autos: Sequence[Automaton]) -> None:
    if len(autos) != stage.num_players:
        raise SpecError.single("E103", f"{len(autos)} automata for {stage.num_players} agents")
    for i, a in enumerate(autos):
        for s in a.states:
            act = a.play.get(s)
            if act not in stage.actions[i]:
                raise SpecError.single("E104", f"automaton of {stage.players[i]} plays unknown action "
                                               f"{act!r} in state {s!r}")
        if a.initial not in a.states:
            raise SpecError.single("E101", f"automaton of {stage.players[i]} starts in unknown state "
                                           f"{a.initial!r}")
