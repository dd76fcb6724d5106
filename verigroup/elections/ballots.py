"""Ballots with ties: weak rankings and approval ballots (issue 11, SOCIAL3).

A :class:`BallotSpace` is a :class:`RankingSpace` whose "rankings" are
*weak orders*: ``pos[r, x]`` is the number of alternatives ``r`` puts
strictly above ``x`` (0 = in the top tier), so ``pos[r, x] < pos[r, y]`` is
still "``r`` strictly prefers ``x`` to ``y``" and every vectorised check that
reads preferences through ``pos`` (strategyproofness, participation,
Condorcet, Pareto, IIA, reinforcement, neutrality, anonymity, group
strategyproofness) works unchanged.  ``perms[r]`` lists the alternatives
tier by tier (earliest first inside a tier).

* ``weak``: every weak order of the alternatives (13 for 3 alternatives,
  75 for 4, 541 for 5);
* ``approval``: dichotomous ballots -- the approved set, then the rest; the
  ballot approving nothing and the one approving everything are the same
  preference (and shift every approval score alike), kept once as "all
  tied": ``2^m - 1`` ballots.

A ballot is written tier by tier, ties with ``=``: ``a > b=c`` (JSON:
``["a", "b=c"]``).  Rules defined on these ballots: ``plurality`` (a point
for every alternative in the top tier), ``approval`` (a point for every
approved, i.e. top-tier, alternative), ``borda`` (symmetric Borda: the
number of alternatives ranked below ``x`` minus the number ranked above;
on strict rankings this is ``2 * Borda - (m - 1)``, the same winners),
``copeland`` and ``maximin`` (from the strict pairwise supports), and
in-spec ``score`` rules.  Monotonicity and non-dictatorship are checked on
strict rankings only (UNKNOWN here).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from verigroup.elections.profiles import IntArray, RankingSpace, default_names

BALLOTS = ("strict", "weak", "approval")
#: Library rules defined on weak / approval ballots.
WEAK_RULES = ("plurality", "approval", "borda", "copeland", "maximin", "score")

Tiers = tuple[tuple[int, ...], ...]


def weak_orders(m: int) -> list[Tiers]:
    """Every ordered partition of ``0..m-1`` into tiers, each tier sorted;
    listed in lexicographic order of their flattened tiers, then by tier shape."""
    out: list[Tiers] = []

    def rec(left: tuple[int, ...], acc: list[tuple[int, ...]]) -> None:
        if not left:
            out.append(tuple(acc))
            return
        for k in range(1, len(left) + 1):
            for tier in itertools.combinations(left, k):
                rec(tuple(x for x in left if x not in tier), acc + [tier])

    rec(tuple(range(m)), [])
    return sorted(out, key=lambda t: ([x for tier in t for x in tier], [len(tier) for tier in t]))


def approval_orders(m: int) -> list[Tiers]:
    """Approved set then the rest (nonempty proper subsets), plus "all tied"."""
    out: list[Tiers] = [(tuple(range(m)),)]
    for k in range(1, m):
        for s in itertools.combinations(range(m), k):
            out.append((s, tuple(x for x in range(m) if x not in s)))
    return sorted(out, key=lambda t: ([x for tier in t for x in tier], [len(tier) for tier in t]))


@dataclass(frozen=True)
class BallotSpace(RankingSpace):
    kind: str = "weak"
    tiers: tuple[Tiers, ...] = ()

    def index(self, ranking: tuple[int, ...] | Tiers) -> int:
        return _tier_index(self.m, self.kind)[_normal(ranking)]

    def ranking_names(self, r: int) -> list[str]:  # type: ignore[override]
        return ["=".join(self.names[x] for x in tier) for tier in self.tiers[r]]

    def apply_perm(self, sigma: tuple[int, ...]) -> IntArray:
        idx = _tier_index(self.m, self.kind)
        return np.array([idx[_normal(tuple(tuple(sigma[x] for x in tier) for tier in t))] for t in self.tiers],
                        dtype=np.int64)


def _normal(t: Sequence[Sequence[int]] | tuple[int, ...]) -> Tiers:
    if t and isinstance(t[0], (int, np.integer)):
        return tuple((int(x),) for x in t)  # type: ignore[union-attr, arg-type]
    return tuple(tuple(sorted(int(x) for x in tier)) for tier in t)  # type: ignore[union-attr]


@lru_cache(maxsize=None)
def _orders(m: int, kind: str) -> tuple[Tiers, ...]:
    return tuple(weak_orders(m) if kind == "weak" else approval_orders(m))


@lru_cache(maxsize=None)
def _tier_index(m: int, kind: str) -> dict[Tiers, int]:
    return {t: i for i, t in enumerate(_orders(m, kind))}


def ballot_space(m: int, kind: str, names: tuple[str, ...] | None = None) -> RankingSpace:
    """The ballots of ``kind`` (``strict``: the plain ranking space)."""
    from verigroup.elections.profiles import ranking_space

    if kind == "strict":
        return ranking_space(m, names)
    orders = _orders(m, kind)
    pos = np.zeros((len(orders), m), dtype=np.int64)
    perms = np.zeros((len(orders), m), dtype=np.int64)
    for r, t in enumerate(orders):
        above = 0
        flat = []
        for tier in t:
            for x in tier:
                pos[r, x] = above
                flat.append(x)
            above += len(tier)
        perms[r] = flat
    return BallotSpace(m, perms, pos, names or default_names(m), kind, orders)


def parse_ballot(entry: Sequence[str], names: Sequence[str]) -> Tiers:
    """``["a", "b=c"]`` -> tiers of indices (ValueError when not a weak order
    of ``names``)."""
    index = {x: i for i, x in enumerate(names)}
    tiers = tuple(tuple(index[x] for x in str(t).split("=")) for t in entry)
    flat = [x for t in tiers for x in t]
    if sorted(flat) != list(range(len(names))):
        raise ValueError(f"{list(entry)!r} is not a weak ranking of {list(names)}")
    return tiers


# ---------------------------------------------------------------- reference (plain Python, one profile)
def _above(t: Tiers, x: int) -> int:
    out = 0
    for tier in t:
        if x in tier:
            return out
        out += len(tier)
    raise ValueError(x)


def prefers(t: Tiers, x: int, y: int) -> bool:
    return _above(t, x) < _above(t, y)


def weak_support(profile: Sequence[Tiers], x: int, y: int) -> int:
    return sum(1 for t in profile if prefers(t, x, y))


def weak_scores(rule: str, profile: Sequence[Tiers], m: int) -> list[int]:
    """Scores of a library rule on weak ballots, from the definitions."""
    alts = range(m)
    if rule in ("plurality", "approval"):
        return [sum(1 for t in profile if x in t[0]) for x in alts]
    if rule == "borda":
        return [sum(sum(1 for y in alts if prefers(t, x, y)) - sum(1 for y in alts if prefers(t, y, x))
                    for t in profile) for x in alts]
    if rule == "copeland":
        return [sum((weak_support(profile, x, y) > weak_support(profile, y, x))
                    - (weak_support(profile, x, y) < weak_support(profile, y, x)) for y in alts if y != x)
                for x in alts]
    if rule == "maximin":
        return [min(weak_support(profile, x, y) for y in alts if y != x) for x in alts]
    raise KeyError(rule)


def weak_outcome(rule: str, profile: Sequence[Tiers], m: int) -> int:
    sc = weak_scores(rule, profile, m)
    return sc.index(max(sc))


def gains(true: Tiers, new: int, old: int) -> bool:
    return prefers(true, new, old)


class WeakBallot(tuple):  # type: ignore[type-arg]
    """A weak ballot as its tiers, whose ``index(x)`` is the number of
    alternatives strictly above ``x``: code written for strict rankings
    (``r.index(x) < r.index(y)``) then reads strict preference."""

    def index(self, x: object, *_: object) -> int:  # type: ignore[override]
        return _above(tuple(self), int(x))  # type: ignore[call-overload]

    def rename(self, sigma: dict[int, int]) -> "WeakBallot":
        return WeakBallot(tuple(sorted(sigma[x] for x in tier)) for tier in self)
