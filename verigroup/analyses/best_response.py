"""``best_response(AGENT, φ)`` on protocols (issue 14): "honest play is a best
response against every liar".

HOLDS iff some pure strategy σ of AGENT is

* *honest*: every play of positive probability that σ allows (against every
  strategy of the others and every chance outcome) satisfies φ at every
  step (``always φ``), and
* a best response to EVERY pure strategy profile τ of the other agents:
  ``u(σ, τ) == max_σ' u(σ', τ)``.

Computed exactly on the reduced strategic form: each player's pure
strategies fix a move only at the information sets their own earlier moves
leave reachable (:func:`reduced_strategies`); a strategy pair's payoff is the
sum, over the leaves both allow, of chance probability × AGENT's payoff,
evaluated as one exact integer matrix product (payoffs scaled by the common
denominator; Python integers when int64 could overflow).  Beyond
:data:`MAX_PAIRS` strategy pairs the verdict is UNKNOWN with the count.

Evidence: HOLDS names σ (its move per information set); VIOLATED either says
no strategy is honest (``no_honest_strategy``) or, for the honest strategy
closest to a best response (least worst-case regret, then fewest liars it
loses to), gives the liar τ against which a deviation gains the most: τ,
the deviation σ', both payoffs and the gain (``honest_not_best``).  Both
replay (:mod:`verigroup.replay.best_response`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterator, Sequence

import numpy as np

from verigroup.analyses.registry import Context, checker
from verigroup.extensive.tree import CHANCE_NODE, DECISION, TERMINAL, GameTree
from verigroup.model.properties import BestResponse
from verigroup.verdicts import PropertyResult, Verdict, q

#: The largest number of (AGENT strategy, others' profile) pairs evaluated.
MAX_PAIRS = 200_000
#: The largest (strategies + profiles) x leaves incidence table built.
MAX_CELLS = 20_000_000

Strategy = tuple[int, ...]  # one action index per own information set, -1: unreachable by own moves


class TooManyPairs(Exception):
    def __init__(self, count: int, what: str) -> None:
        super().__init__(what)
        self.count = count
        self.what = what


@dataclass(frozen=True)
class Leaf:
    """A terminal reached with positive chance probability: its path, the
    chance probability, and the (information set, action) moves on it."""

    path: tuple[int, ...]
    prob: Fraction
    moves: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class BRAnalysis:
    """The exact outcome: AGENT's strategies, the others' profiles, which
    strategies are honest, the payoff matrix ``u[σ][τ]`` (AGENT's payoff)."""

    agent: int
    infosets: tuple[int, ...]
    strategies: tuple[Strategy, ...]
    others: tuple[int, ...]
    other_infosets: tuple[tuple[int, ...], ...]
    profiles: tuple[tuple[Strategy, ...], ...]
    honest: tuple[int, ...]
    payoff: tuple[tuple[Fraction, ...], ...]


def leaves(tree: GameTree) -> list[Leaf]:
    out: list[Leaf] = []
    stack: list[tuple[int, Fraction, tuple[int, ...], tuple[tuple[int, int], ...]]] = [(0, Fraction(1), (0,), ())]
    while stack:
        v, pr, path, moves = stack.pop()
        k = tree.kind[v]
        if k == TERMINAL:
            out.append(Leaf(path, pr, moves))
        elif k == CHANCE_NODE:
            for p, c in zip(tree.probs(v), tree.children(v)):
                if p != 0:
                    stack.append((c, pr * p, path + (c,), moves))
        else:
            i = tree.payload[v]
            for a, c in enumerate(tree.children(v)):
                stack.append((c, pr, path + (c,), moves + ((i, a),)))
    out.sort(key=lambda lf: lf.path)
    return out


def reduced_strategies(tree: GameTree, player: int, limit: int) -> tuple[tuple[int, ...], list[Strategy]]:
    """The player's information sets (increasing id) and its reduced pure
    strategies: a move at each set its own earlier moves leave reachable,
    -1 elsewhere (perfect recall assumed).  Raises TooManyPairs past ``limit``."""
    own = tree.infosets_of(player)
    seqs = tree.own_sequences()
    members = tree.infoset_members()
    req = {i: seqs[members[i][0]] for i in own}
    order = sorted(own, key=lambda i: (len(req[i]), i))
    pos = {i: k for k, i in enumerate(own)}
    out: list[Strategy] = []
    cur = [-1] * len(own)

    def rec(k: int) -> None:
        if k == len(order):
            out.append(tuple(cur))
            if len(out) > limit:
                raise TooManyPairs(len(out), f"{tree.players[player]} has more than {limit:,} reduced strategies")
            return
        i = order[k]
        if all(cur[pos[j]] == b for j, b in req[i]):
            for a in range(len(tree.infoset_actions[i])):
                cur[pos[i]] = a
                rec(k + 1)
            cur[pos[i]] = -1
        else:
            rec(k + 1)

    rec(0)
    out.sort()
    return tuple(own), out


def count_reduced(tree: GameTree, player: int) -> int:
    """The number of reduced pure strategies, without enumerating them: the
    player's information sets form a forest under their own sequences, and
    ``n(i) = Σ_a Π_{j after (i, a)} n(j)``; the count is the product over
    the roots."""
    own = tree.infosets_of(player)
    seqs = tree.own_sequences()
    members = tree.infoset_members()
    kids: dict[tuple[int, int] | None, list[int]] = {}
    for i in own:
        seq = seqs[members[i][0]]
        kids.setdefault(seq[-1] if seq else None, []).append(i)
    memo: dict[int, int] = {}

    def n(i: int) -> int:
        if i not in memo:
            memo[i] = sum(math.prod(n(j) for j in kids.get((i, a), ()))
                          for a in range(len(tree.infoset_actions[i])))
        return memo[i]

    for i in sorted(own, key=lambda i: -len(seqs[members[i][0]])):  # deepest first: no deep recursion
        n(i)
    return math.prod(n(i) for i in kids.get(None, ()))


def allows(strategy: Strategy, pos: dict[int, int], moves: Sequence[tuple[int, int]]) -> bool:
    return all(strategy[pos[i]] == a for i, a in moves if i in pos)


def analyse(tree: GameTree, agent: int, phi: Any) -> BRAnalysis:
    """Exact analysis (raises TooManyPairs beyond the guard)."""
    from verigroup.extensive.plays import _fails_at

    others = tuple(p for p in range(tree.num_players) if p != agent and tree.infosets_of(p))
    count = count_reduced(tree, agent) * math.prod(count_reduced(tree, p) for p in others)
    if count > MAX_PAIRS:
        raise TooManyPairs(count, f"{count:,} pairs of {tree.players[agent]}'s reduced strategies and the "
                                  f"others' reduced strategy profiles")
    infosets, strats = reduced_strategies(tree, agent, MAX_PAIRS)
    other_sets: list[tuple[int, ...]] = []
    other_strats: list[list[Strategy]] = []
    for p in others:
        s_i, s_l = reduced_strategies(tree, p, MAX_PAIRS)
        other_sets.append(s_i)
        other_strats.append(s_l)
    assert count == len(strats) * math.prod(len(s) for s in other_strats), "reduced strategy count"
    lvs = leaves(tree)
    n_prof = math.prod(len(s) for s in other_strats)
    if (len(strats) + n_prof) * max(1, len(lvs)) > MAX_CELLS:
        raise TooManyPairs(count, f"{count:,} strategy pairs over {len(lvs):,} leaves")
    pos = {i: k for k, i in enumerate(infosets)}
    opos = [{i: k for k, i in enumerate(s)} for s in other_sets]
    profiles = list(_product(other_strats))
    a_ok = np.array([[allows(s, pos, lf.moves) for lf in lvs] for s in strats], dtype=np.int64).reshape(
        len(strats), len(lvs))
    t_ok = np.array([[all(allows(s, opos[k], lf.moves) for k, s in enumerate(prof)) for lf in lvs]
                     for prof in profiles], dtype=np.int64).reshape(len(profiles), len(lvs))
    w = [lf.prob * tree.payoff(lf.path[-1])[agent] for lf in lvs]
    den = math.lcm(*(x.denominator for x in w)) if w else 1
    ints = [int(x * den) for x in w]
    bound = sum(abs(x) for x in ints)
    if bound < 2 ** 62:
        mat = (a_ok * np.array(ints, dtype=np.int64)) @ t_ok.T
    else:  # exact Python integers
        mat = (a_ok.astype(object) * np.array(ints, dtype=object)) @ t_ok.T.astype(object)
    payoff = tuple(tuple(Fraction(int(x), den) for x in row) for row in mat)
    honest = tuple(k for k, s in enumerate(strats)
                   if all(_fails_at(tree, lf.path, "always", phi) is None
                          for lf in lvs if allows(s, pos, lf.moves)))
    return BRAnalysis(agent, infosets, tuple(strats), others, tuple(other_sets), tuple(profiles), honest, payoff)


def _product(lists: Sequence[Sequence[Strategy]]) -> Iterator[tuple[Strategy, ...]]:
    import itertools

    return itertools.product(*lists)


def strategy_json(tree: GameTree, infosets: Sequence[int], s: Strategy) -> dict[str, str]:
    """``{information set label: move}`` over the sets the strategy fixes."""
    return {tree.infoset_label(i): tree.infoset_actions[i][a] for i, a in zip(infosets, s) if a >= 0}


def profile_json(tree: GameTree, an: BRAnalysis, prof: Sequence[Strategy]) -> dict[str, dict[str, str]]:
    return {tree.players[p]: strategy_json(tree, an.other_infosets[k], prof[k]) for k, p in enumerate(an.others)}


def _res(prop: BestResponse, verdict: Verdict, method: str, message: str, ev: dict[str, Any]) -> PropertyResult:
    return PropertyResult(prop.name, type(prop).__name__, verdict, method, message, ev, prop.span)


METHOD = "exact reduced strategic form (Fractions)"


@checker(BestResponse)
def check_best_response(ctx: Context, prop: BestResponse) -> PropertyResult:
    t = ctx.model.protocol
    if not isinstance(t, GameTree):
        reason = "this model has no compiled protocol (game tree)"
        return _res(prop, Verdict.UNKNOWN, "none", reason, {"reason": reason})
    if prop.region is not None:
        reason = "parameter regions are not supported for protocol properties"
        return _res(prop, Verdict.UNKNOWN, "none", reason, {"reason": reason})
    verdict, message, ev = decide(t, prop.agent, prop.phi)
    return _res(prop, verdict, METHOD if verdict is not Verdict.UNKNOWN or "strategy_pairs" in ev else "none",
                message, ev)


def decide(t: GameTree, agent_name: str, phi: Any) -> tuple[Verdict, str, dict[str, Any]]:
    """The verdict, message and evidence of ``best_response(agent_name, φ)`` on ``t``."""
    from verigroup.extensive.plays import describe_pred, validate

    bad = t.perfect_recall_violation()
    if bad is not None:
        return Verdict.UNKNOWN, f"reduced strategies need perfect recall: {bad}", {"reason": bad}
    validate(t, phi)
    agent = t.players.index(agent_name)
    what = f"always {describe_pred(phi)}"
    try:
        an = analyse(t, agent, phi)
    except TooManyPairs as exc:
        reason = (f"E202: {exc.what}; the limit is {MAX_PAIRS:,} pairs "
                  f"(split the protocol into smaller stages or coarsen the information sets)")
        return Verdict.UNKNOWN, reason, {"reason": reason, "strategy_pairs": exc.count, "limit": MAX_PAIRS}
    n_s, n_t = len(an.strategies), len(an.profiles)
    base = {"method": METHOD, "agent": agent_name, "goal": what, "agent_strategies": n_s, "liar_profiles": n_t,
            "honest_strategies": len(an.honest)}
    if not an.honest:
        return (Verdict.VIOLATED, f"no strategy of {agent_name} satisfies {what} against every strategy of the "
                f"others", {"kind": "no_honest_strategy", **base})
    best = [max(an.payoff[s][k] for s in range(n_s)) for k in range(n_t)]
    scored = []
    for s in an.honest:
        regrets = [best[k] - an.payoff[s][k] for k in range(n_t)]
        worst = max(regrets) if regrets else Fraction(0)
        scored.append((worst, sum(1 for r in regrets if r > 0), s))
    scored.sort()
    worst, n_bad, s = scored[0]
    honest = strategy_json(t, an.infosets, an.strategies[s])
    if worst == 0:
        return (Verdict.HOLDS, f"an honest strategy of {agent_name} ({what}) is a best response to all {n_t} "
                f"pure strategy profiles of the others: "
                + ("; ".join(f"at {k}: {m}" for k, m in honest.items()) or "(no move)"),
                {**base, "honest": honest})
    k = max(range(n_t), key=lambda j: (best[j] - an.payoff[s][j], -j))
    dev = next(d for d in range(n_s) if an.payoff[d][k] == best[k])
    ev = {"kind": "honest_not_best", **base, "honest": honest,
          "against": profile_json(t, an, an.profiles[k]),
          "better": strategy_json(t, an.infosets, an.strategies[dev]),
          "honest_payoff": q(an.payoff[s][k]), "better_payoff": q(best[k]), "gain": q(best[k] - an.payoff[s][k]),
          "liars_beating_honest": n_bad}
    return (Verdict.VIOLATED,
            f"no honest strategy of {agent_name} ({what}) is a best response to every strategy of the "
            f"others: against the stated one, the honest strategy closest to a best response gets "
            f"{q(an.payoff[s][k])} and a deviation gets {q(best[k])}", ev)
