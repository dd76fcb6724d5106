"""Library aggregation rules, vectorised over a batch of profiles.

Every rule maps a batch (count matrix ``P x m!`` and, for rules that tell
voters apart, the voters' ranking sequences ``P x n``) to outcomes:

* resolute rules return one winner per profile (``P`` ints).  Irresolute
  score rules first compute the *winner set* (:func:`winner_sets`); the
  resolute version picks the tied winner earliest in the fixed order of the
  alternatives (``a`` before ``b`` before ``c`` ...).  Instant runoff is
  resolute by construction: among the alternatives with the fewest first
  places the one *latest* in the order is eliminated.
* ``random-dictatorship`` is a lottery: ``P x m`` integer weights over the
  common denominator ``n`` (the probability of ``x`` is the share of voters
  ranking ``x`` first).

All arithmetic is on integers; no float ever decides a winner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from verigroup.elections.profiles import BoolArray, IntArray, RankingSpace

RULES = ("plurality", "borda", "copeland", "maximin", "irv", "kemeny", "approval", "dictatorship",
         "random-dictatorship", "scoring")


@dataclass(frozen=True)
class Rule:
    """A library rule.  ``anonymous``: its outcome reads only the counts of
    rankings; ``lottery``: outcomes are probability weights (denominator n)."""

    name: str
    anonymous: bool = True
    lottery: bool = False
    approve: int = 1          # approval: each voter approves its top ``approve`` alternatives
    scores: tuple[int, ...] = ()   # scoring: points for a first, second, ... place
    description: str = ""
    ballots: str = "strict"   # strict rankings, or "weak" / "approval" ballots (verigroup.elections.ballots)
    #: an in-spec rule (:class:`verigroup.elections.expr_rules.ScoreRule`), name "score"
    expression: Any = field(default=None, compare=False)

    def outcomes(self, counts: IntArray, seqs: IntArray, space: RankingSpace) -> IntArray:
        if self.expression is not None:
            return self.expression.outcomes(counts, space, seqs)  # type: ignore[no-any-return]
        if self.lottery:
            return first_places(counts, space)
        if self.name == "irv":
            return irv(counts, space)
        if self.name == "dictatorship":
            return space.perms[seqs[:, 0], 0]
        return resolute(winner_sets(self, counts, space))


DESCRIPTIONS = {
    "plurality": "most first places",
    "borda": "m-1 points for a first place, m-2 for a second, ..., 0 for a last",
    "copeland": "pairwise majority wins minus losses",
    "maximin": "largest worst pairwise support (Simpson-Kramer)",
    "irv": "instant runoff: repeatedly eliminate the alternative with fewest first places "
           "(ties: the latest in the order is eliminated)",
    "kemeny": "top of a ranking minimising the total pairwise disagreement with the voters",
    "approval": "each voter approves its top k alternatives (k = --approve, default max(1, m // 2)); most approvals",
    "dictatorship": "the top of voter 1",
    "random-dictatorship": "a lottery: x wins with probability (voters ranking x first) / n",
    "scoring": "positional scoring: the declared points for a first, second, ... place; most points",
}


def make_rule(name: str, m: int, approve: int | None = None, scores: tuple[int, ...] = (),
              ballots: str = "strict") -> Rule:
    if name not in RULES:
        raise KeyError(name)
    k = approve if approve is not None else max(1, m // 2)
    desc = DESCRIPTIONS[name]
    if name == "scoring":
        if len(scores) != m:
            raise ValueError(f"a scoring rule needs {m} scores, one per place, got {len(scores)}")
        desc = "positional scoring, points " + ", ".join(map(str, scores)) + " for places 1.." + str(m)
    return Rule(name, anonymous=name != "dictatorship", lottery=name == "random-dictatorship",
                approve=k if name == "approval" else 1, scores=tuple(scores) if name == "scoring" else (),
                description=desc if ballots == "strict" else WEAK_DESCRIPTIONS.get(name, desc) + f", on {ballots} ballots",
                ballots=ballots)


WEAK_DESCRIPTIONS = {
    "plurality": "a point for every alternative in a voter's top tier",
    "approval": "a point for every approved, i.e. top-tier, alternative",
    "borda": "alternatives ranked below x minus alternatives ranked above x",
    "copeland": "from the strict pairwise supports",
    "maximin": "from the strict pairwise supports",
}


def resolute(mask: BoolArray) -> IntArray:
    """The winner earliest in the order among the tied winners."""
    return np.argmax(mask, axis=1).astype(np.int64)


def support(counts: IntArray, space: RankingSpace) -> IntArray:
    """``N[p, x, y]``: number of voters ranking x above y."""
    m = space.m
    pref = space.prefers().reshape(space.size, m * m).astype(np.int64)
    return (counts @ pref).reshape(-1, m, m)


def first_places(counts: IntArray, space: RankingSpace) -> IntArray:
    return counts @ (space.pos == 0).astype(np.int64)


def _argmax_mask(scores: IntArray) -> BoolArray:
    return scores == scores.max(axis=1, keepdims=True)


def winner_sets(rule: Rule, counts: IntArray, space: RankingSpace) -> BoolArray:
    """Irresolute winners (``P x m`` mask) of a score-based rule."""
    m, name = space.m, rule.name
    if name == "plurality":
        return _argmax_mask(first_places(counts, space))
    if name == "borda":   # symmetric: (ranked below x) - (ranked above x); 2 * Borda - (m - 1) on strict rankings
        below = (space.pos[:, None, :] > space.pos[:, :, None]).sum(axis=2)
        above = (space.pos[:, None, :] < space.pos[:, :, None]).sum(axis=2)
        return _argmax_mask(counts @ (below - above).astype(np.int64))
    if name == "approval":
        approved = space.pos == 0 if rule.ballots != "strict" else space.pos < rule.approve
        return _argmax_mask(counts @ approved.astype(np.int64))
    if name == "scoring":
        return _argmax_mask(counts @ np.asarray(rule.scores, dtype=np.int64)[space.pos])
    if name in ("copeland", "maximin"):
        n_xy = support(counts, space)
        if name == "copeland":
            return _argmax_mask(np.sign(n_xy - n_xy.transpose(0, 2, 1)).sum(axis=2))
        big = np.iinfo(np.int64).max
        eye = np.eye(m, dtype=bool)[None, :, :]
        return _argmax_mask(np.where(eye, big, n_xy).min(axis=2))
    if name == "kemeny":
        n_xy = support(counts, space).reshape(-1, m * m)
        agree = n_xy @ space.prefers().reshape(space.size, m * m).T.astype(np.int64)  # P x R
        best = agree == agree.max(axis=1, keepdims=True)
        mask = np.zeros((counts.shape[0], m), dtype=bool)
        for r in range(space.size):
            mask[:, space.perms[r, 0]] |= best[:, r]
        return mask
    if name == "irv":
        return np.eye(m, dtype=bool)[irv(counts, space)]
    raise KeyError(name)


def irv(counts: IntArray, space: RankingSpace) -> IntArray:
    """Instant runoff, resolute: eliminate the fewest-first-places
    alternative (the latest in the order among those tied) until one is left."""
    m, size = space.m, space.size
    full = (1 << m) - 1
    # top[r, A] = best alternative of ranking r within the set A (bitmask)
    top = np.zeros((size, 1 << m), dtype=np.int64)
    for a in range(1, 1 << m):
        inside = np.array([(a >> x) & 1 for x in range(m)], dtype=bool)
        top[:, a] = space.perms[np.arange(size), np.argmax(inside[space.perms], axis=1)]
    active = np.full(counts.shape[0], full, dtype=np.int64)
    big = np.iinfo(np.int64).max
    for _ in range(m - 1):
        tops = top[:, active].T                    # P x R
        score = np.stack([(counts * (tops == x)).sum(axis=1) for x in range(m)], axis=1)
        alive = ((active[:, None] >> np.arange(m)[None, :]) & 1).astype(bool)
        score = np.where(alive, score, big)
        low = (score == score.min(axis=1, keepdims=True)) & alive
        loser = m - 1 - np.argmax(low[:, ::-1], axis=1)
        active = active & ~(1 << loser)
    return np.argmax((active[:, None] >> np.arange(m)[None, :]) & 1, axis=1).astype(np.int64)
