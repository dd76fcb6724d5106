"""Group strategyproofness: no coalition of up to ``k`` voters can misreport
jointly so that *every* member gets an outcome it strictly prefers (for its
true ranking) to the truthful one.

Checked exhaustively over anonymous profiles for anonymous resolute rules.
A profile of ``n`` voters with a coalition of ``j`` voters is a *base* (the
``n-j`` others, a profile of level ``n-j``) plus the coalition's true
rankings ``T`` (a multiset of ``j`` rankings); the coalition may report any
multiset ``M`` of ``j`` rankings.  With ``out[b, S]`` the outcome of base
``b`` plus multiset ``S``, the coalition ``T`` gains at base ``b`` iff some
outcome ``y`` reachable from ``b`` (``y = out[b, M]`` for some ``M``) is
ranked above ``out[b, T]`` by every ranking in ``T``.  Everything is
vectorised over ``(b, S)``; the budget (:data:`GROUP_LIMIT` pairs) is a
refusal stating the count, turned into UNKNOWN by the audit.

The smallest counterexample: fewest voters, then smallest coalition, then
the lexicographically first truthful profile, then the lexicographically
first coalition, the earliest improved outcome and the lexicographically
first joint misreport.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from verigroup.elections.checks import TooLarge
from verigroup.elections.domain import Domain
from verigroup.elections.outcomes import outcome_json
from verigroup.elections.profiles import IntArray, anonymous_profiles, multiset_rank, n_multisets, profile_json

#: Largest number of (other voters, coalition multiset) pairs enumerated per coalition size.
GROUP_LIMIT = 20_000_000


def group_pairs(dom: Domain, n: int, j: int) -> int:
    """How many (base, coalition multiset) pairs the check at ``n`` voters and
    coalitions of ``j`` enumerates."""
    r = dom.space.size
    return n_multisets(n - j, r) * n_multisets(j, r)


def group_strategyproofness(dom: Domain, n: int, k: int) -> dict[str, Any] | None:
    lv = dom.level(n)
    if lv.outcomes.ndim != 1 or not dom.anonymous:
        raise TooLarge("group strategyproofness is checked for anonymous resolute rules only")
    for j in range(1, min(k, n) + 1):
        total = group_pairs(dom, n, j)
        if total > GROUP_LIMIT:
            raise TooLarge(f"coalitions of {j} at {n} voters give {total} (others, coalition) pairs, above the "
                           f"limit of {GROUP_LIMIT}")
        cex = _coalition(dom, n, j)
        if cex is not None:
            return cex
    return None


def _lex_positions(seqs: IntArray) -> IntArray:
    order = np.lexsort(seqs.T[::-1])
    rank = np.empty(seqs.shape[0], dtype=np.int64)
    rank[order] = np.arange(seqs.shape[0], dtype=np.int64)
    return rank


def _coalition(dom: Domain, n: int, j: int) -> dict[str, Any] | None:
    sp, lv = dom.space, dom.level(n)
    r, m = sp.size, sp.m
    subs = anonymous_profiles(j, r)
    sub_lex = _lex_positions(subs.seqs)
    p = sp.pos[subs.seqs]                                           # K x j x m
    good = np.asarray((p[:, :, None, :] < p[:, :, :, None]).all(axis=1))          # K x m(w) x m(y): all of S rank y above w
    if n == j:
        base_counts = np.zeros((1, r), dtype=np.int64)
    else:
        base_counts = dom.level(n - j).counts
    lex = dom.lexrank(n)
    k_sub = subs.size
    best: tuple[int, int, int, int, int] | None = None     # (lex row, lex coalition, y, base, coalition)
    step = max(1, 4_000_000 // max(1, k_sub * max(r, m)))        # bounded memory per chunk
    for s in range(0, base_counts.shape[0], step):
        bc = base_counts[s:s + step]
        idx = multiset_rank((bc[:, None, :] + subs.counts[None, :, :]).reshape(-1, r), n).reshape(bc.shape[0], k_sub)
        out = lv.outcomes[idx]                                            # b x K
        reach = (out[:, :, None] == np.arange(m)[None, None, :]).any(axis=1)   # b x m
        gain = good[np.arange(k_sub)[None, :], out] & reach[:, None, :]   # b x K x m
        bad = gain.any(axis=2)
        bs, ks = np.nonzero(bad)
        if bs.size == 0:
            continue
        key = lex[idx[bs, ks]] * k_sub + sub_lex[ks]
        t = int(np.argmin(key))
        b, c = int(bs[t]), int(ks[t])
        y = int(np.argmax(gain[b, c]))
        cand = (int(lex[idx[b, c]]), int(sub_lex[c]), y, s + b, c)
        if best is None or cand < best:
            best = cand
    if best is None:
        return None
    _, _, y, b, c = best
    bc = base_counts[b]
    rows = multiset_rank(bc[None, :] + subs.counts, n)
    outs = lv.outcomes[rows]
    ms = np.nonzero(outs == y)[0]
    mis = int(ms[np.argmin(sub_lex[ms])])
    row, row2 = int(rows[c]), int(rows[mis])
    return {"voters": n, "coalition_size": j,
            "profile": profile_json(list(lv.seqs[row]), sp),
            "coalition": profile_json(list(subs.seqs[c]), sp),
            "misreport": profile_json(list(subs.seqs[mis]), sp),
            "outcome": outcome_json(lv.outcomes[row], sp, n),
            "manipulated_outcome": outcome_json(lv.outcomes[row2], sp, n),
            "manipulated_profile": profile_json(list(lv.seqs[row2]), sp)}
