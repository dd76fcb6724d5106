"""Alternatives, rankings and profiles as integer arrays.

Alternatives are ``0 .. m-1`` (named ``a, b, c, ...`` unless the user names
them); the fixed tie-breaking order is this index order.  A *ranking* is a
permutation of the alternatives, best first; the ``m!`` rankings are indexed
in lexicographic order (``RankingSpace.perms[r]``).  An *anonymous profile* of
``n`` voters is a multiset of ``n`` ranking indices, stored as its sorted
sequence (``seqs``, shape ``P x n``) and its count vector (``counts``,
``P x m!``).  Profiles of a size are indexed by their *colex rank*
(:func:`multiset_rank`), a closed formula on the count vector, so a modified
profile (a misreport, a renaming) is found by arithmetic, not by search.
A *full profile* (voters distinguished) is a sequence in ``R^n``.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Largest number of alternatives any method accepts (8! = 40320 rankings).
MAX_ALTERNATIVES = 8
#: Largest number of profiles the exhaustive route materialises at once.
PROFILE_LIMIT = 3_000_000


def default_names(m: int) -> tuple[str, ...]:
    return tuple(chr(ord("a") + i) for i in range(m))


@dataclass(frozen=True)
class RankingSpace:
    """The ``m!`` strict rankings of ``m`` alternatives and lookup tables."""

    m: int
    perms: IntArray        # R x m: perms[r, k] = alternative at position k
    pos: IntArray          # R x m: pos[r, x] = position of x in ranking r (0 = top)
    names: tuple[str, ...]

    @property
    def size(self) -> int:
        return int(self.perms.shape[0])

    def index(self, ranking: tuple[int, ...]) -> int:
        return int(_perm_index(self.m)[ranking])

    def ranking_names(self, r: int) -> list[str]:
        return [self.names[int(x)] for x in self.perms[r]]

    def prefers(self) -> BoolArray:
        """``pref[r, x, y]``: ranking r puts x strictly above y."""
        return self.pos[:, :, None] < self.pos[:, None, :]

    def apply_perm(self, sigma: tuple[int, ...]) -> IntArray:
        """Ranking index of ``sigma`` applied to every ranking (rename x -> sigma[x])."""
        idx = _perm_index(self.m)
        s = np.asarray(sigma)
        return np.array([idx[tuple(int(v) for v in s[self.perms[r]])] for r in range(self.size)], dtype=np.int64)


@lru_cache(maxsize=None)
def _perm_index(m: int) -> dict[tuple[int, ...], int]:
    return {p: i for i, p in enumerate(itertools.permutations(range(m)))}


@lru_cache(maxsize=None)
def _space(m: int) -> tuple[IntArray, IntArray]:
    perms = np.array(list(itertools.permutations(range(m))), dtype=np.int64).reshape(-1, m)
    pos = np.argsort(perms, axis=1).astype(np.int64)
    return perms, pos


def ranking_space(m: int, names: tuple[str, ...] | None = None) -> RankingSpace:
    perms, pos = _space(m)
    return RankingSpace(m, perms, pos, names or default_names(m))


def n_multisets(n: int, r: int) -> int:
    """Number of anonymous profiles of ``n`` voters over ``r`` rankings."""
    return math.comb(n + r - 1, n) if n >= 0 else 0


@lru_cache(maxsize=None)
def _h_table(n: int, r: int) -> IntArray:
    """``H[q, k] = sum_{i=1..k} C(q+i-1, i)`` (colex rank pieces)."""
    h = np.zeros((r, n + 1), dtype=np.int64)
    for q in range(r):
        acc = 0
        for k in range(1, n + 1):
            acc += math.comb(q + k - 1, k)
            h[q, k] = acc
    return h


def multiset_rank(counts: IntArray, n: int) -> IntArray:
    """Colex rank of each anonymous profile (rows of a count matrix) among
    the profiles of ``n`` voters: ``sum_q H[q, cum_q] - H[q, cum_{q-1}]``
    where ``cum`` is the running total of the counts."""
    r = counts.shape[1]
    h = _h_table(n, r)
    cum = np.cumsum(counts, axis=1)
    prev = np.concatenate([np.zeros((counts.shape[0], 1), dtype=cum.dtype), cum[:, :-1]], axis=1)
    cols = np.arange(r)
    return (h[cols[None, :], cum] - h[cols[None, :], prev]).sum(axis=1)


@dataclass(frozen=True)
class Profiles:
    """Every anonymous profile of ``n`` voters, row ``i`` having colex rank ``i``."""

    n: int
    seqs: IntArray     # P x n, sorted ranking indices
    counts: IntArray   # P x R

    @property
    def size(self) -> int:
        return int(self.seqs.shape[0])

    def lex_key(self, rows: IntArray) -> IntArray:
        """Positions of ``rows`` sorted lexicographically by their sequences."""
        sub = self.seqs[rows]
        order = np.lexsort(sub.T[::-1])
        return rows[order]


def anonymous_profiles(n: int, r: int) -> Profiles:
    """All multisets of ``n`` rankings out of ``r`` (``n >= 1``)."""
    total = n_multisets(n, r)
    if total > PROFILE_LIMIT:
        raise ValueError(f"{total} profiles")
    flat = np.fromiter(itertools.chain.from_iterable(itertools.combinations(range(r + n - 1), n)),
                       dtype=np.int64, count=total * n)
    seqs = flat.reshape(total, n) - np.arange(n)[None, :]
    counts = counts_of(seqs, r)
    rank = multiset_rank(counts, n)
    out_s = np.empty_like(seqs)
    out_c = np.empty_like(counts)
    out_s[rank] = seqs
    out_c[rank] = counts
    return Profiles(n, out_s, out_c)


def counts_of(seqs: IntArray, r: int) -> IntArray:
    counts = np.zeros((seqs.shape[0], r), dtype=np.int64)
    rows = np.arange(seqs.shape[0])
    for j in range(seqs.shape[1]):
        np.add.at(counts, (rows, seqs[:, j]), 1)
    return counts


def full_profiles(n: int, r: int) -> IntArray:
    """All ``r^n`` sequences (voter i's ranking in column i), lexicographic."""
    total = r ** n
    if total > PROFILE_LIMIT:
        raise ValueError(f"{total} profiles")
    grids = np.indices((r,) * n).reshape(n, -1).T
    return grids.astype(np.int64)


def profile_json(seq: list[int] | tuple[int, ...], space: RankingSpace, anonymous: bool = True) -> list[dict[str, object]]:
    """A profile as ``[{"ranking": [...], "count": k}, ...]``: grouped
    (in first-appearance order) when anonymous, one entry per voter (in voter
    order) otherwise."""
    out: list[dict[str, object]] = []
    for r in seq:
        names = space.ranking_names(int(r))
        if anonymous and out and out[-1]["ranking"] == names:
            out[-1]["count"] = int(out[-1]["count"]) + 1  # type: ignore[call-overload]
        else:
            out.append({"ranking": names, "count": 1})
    return out


def expand_profile(entries: list[tuple[list[str], int]], space: RankingSpace) -> list[int]:
    """``[(ranking names, count)]`` -> one ranking index per voter, in order."""
    pos = {name: i for i, name in enumerate(space.names)}
    out: list[int] = []
    for names, count in entries:
        out.extend([space.index(tuple(pos[x] for x in names))] * count)
    return out
