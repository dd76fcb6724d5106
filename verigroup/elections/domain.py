"""The profiles an audit enumerates, level by level (one level per number of
voters), with the rule's outcome on each and the *context table* every
one-voter change is read from.

* anonymous rules: a level is every multiset of ``n`` rankings (colex-ranked,
  see :mod:`.profiles`); a *context* is a multiset of ``n-1`` rankings plus
  one free slot, and ``ext[c, r]`` is the index of the profile where the slot
  voter reports ranking ``r``;
* rules that tell voters apart: a level is every sequence in ``R^n``
  (lexicographic index), a context is (voter ``i``, the others' rankings).

Strategyproofness, monotonicity and participation all read ``ext``: a
misreport, a lift or an abstention of one voter is a change of its slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from verigroup.elections.profiles import (PROFILE_LIMIT, IntArray, RankingSpace, anonymous_profiles,
                                          full_profiles, multiset_rank, n_multisets)
from verigroup.elections.rules import Rule


@dataclass(frozen=True)
class Level:
    n: int
    seqs: IntArray        # P x n: anonymous: sorted; otherwise voter order
    counts: IntArray      # P x R
    outcomes: IntArray    # P (winners) or P x m (lottery weights, denominator n)

    @property
    def size(self) -> int:
        return int(self.seqs.shape[0])


@dataclass(frozen=True)
class Contexts:
    """``base[c]``: index of the context's ``n-1``-voter profile (the slot
    voter absent); ``ext[c, r]``: index of the ``n``-voter profile with the
    slot voter reporting ``r``; ``voter[c]``: the slot's voter (0-based, full
    domain) or -1 (anonymous)."""

    base: IntArray
    ext: IntArray
    voter: IntArray


def level_size(n: int, r: int, anonymous: bool) -> int:
    return n_multisets(n, r) if anonymous else r ** n


@dataclass
class Domain:
    rule: Rule
    space: RankingSpace
    _levels: dict[int, Level] = field(default_factory=dict)
    _ctx: dict[int, Contexts] = field(default_factory=dict)
    _lex: dict[tuple[str, int], IntArray] = field(default_factory=dict)

    @property
    def anonymous(self) -> bool:
        return self.rule.anonymous

    def fits(self, n: int) -> bool:
        return level_size(n, self.space.size, self.anonymous) <= PROFILE_LIMIT

    def level(self, n: int) -> Level:
        if n not in self._levels:
            r = self.space.size
            if self.anonymous:
                prof = anonymous_profiles(n, r)
                seqs, counts = prof.seqs, prof.counts
            else:
                seqs = full_profiles(n, r)
                counts = np.zeros((seqs.shape[0], r), dtype=np.int64)
                rows = np.arange(seqs.shape[0])
                for j in range(n):
                    np.add.at(counts, (rows, seqs[:, j]), 1)
            out = self.rule.outcomes(counts, seqs, self.space)
            self._levels[n] = Level(n, seqs, counts, out)
        return self._levels[n]

    def lexrank(self, n: int) -> IntArray:
        """Position of each level-``n`` row in the lexicographic order of
        the profiles' sequences (the order "smallest counterexample" uses)."""
        key = ("lex", n)
        if key not in self._lex:
            lv = self.level(n)
            if self.anonymous:
                order = np.lexsort(lv.seqs.T[::-1])
                rank = np.empty(lv.size, dtype=np.int64)
                rank[order] = np.arange(lv.size, dtype=np.int64)
            else:
                rank = np.arange(lv.size, dtype=np.int64)
            self._lex[key] = rank
        return self._lex[key]

    def index_of(self, seqs: IntArray, n: int) -> IntArray:
        """Row indices in level ``n`` of profiles given as sequences (any order
        for anonymous rules)."""
        r = self.space.size
        if self.anonymous:
            counts = np.zeros((seqs.shape[0], r), dtype=np.int64)
            rows = np.arange(seqs.shape[0])
            for j in range(seqs.shape[1]):
                np.add.at(counts, (rows, seqs[:, j]), 1)
            return multiset_rank(counts, n)
        weights = r ** np.arange(n - 1, -1, -1, dtype=np.int64)
        return (seqs * weights[None, :]).sum(axis=1)

    def contexts(self, n: int) -> Contexts:
        """Contexts of ``n``-voter profiles (``n >= 1``)."""
        if n not in self._ctx:
            r = self.space.size
            if n == 1:
                base = np.zeros(1, dtype=np.int64)
                ext = np.arange(r, dtype=np.int64)[None, :]
                if not self.anonymous:
                    ext = ext.copy()
                self._ctx[n] = Contexts(base, ext, np.full(1, 0 if not self.anonymous else -1, dtype=np.int64))
            elif self.anonymous:
                lower = self.level(n - 1)
                ext = np.empty((lower.size, r), dtype=np.int64)
                for q in range(r):
                    c = lower.counts.copy()
                    c[:, q] += 1
                    ext[:, q] = multiset_rank(c, n)
                self._ctx[n] = Contexts(np.arange(lower.size, dtype=np.int64), ext,
                                        np.full(lower.size, -1, dtype=np.int64))
            else:
                others = full_profiles(n - 1, r)
                w_lower = r ** np.arange(n - 2, -1, -1, dtype=np.int64)
                base_one = (others * w_lower[None, :]).sum(axis=1)
                bases, exts, voters = [], [], []
                for i in range(n):
                    seq = np.concatenate([others[:, :i], np.zeros((others.shape[0], 1), dtype=np.int64),
                                          others[:, i:]], axis=1)
                    idx0 = self.index_of(seq, n)
                    step = r ** (n - 1 - i)
                    exts.append(idx0[:, None] + step * np.arange(r, dtype=np.int64)[None, :])
                    bases.append(base_one)
                    voters.append(np.full(others.shape[0], i, dtype=np.int64))
                self._ctx[n] = Contexts(np.concatenate(bases), np.concatenate(exts), np.concatenate(voters))
        return self._ctx[n]
