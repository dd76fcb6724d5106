"""One finder per axiom: the smallest violation among the profiles of exactly
``n`` voters (lexicographically first, see :meth:`Domain.lexrank`), as a
JSON-shaped counterexample, or ``None``.  Everything is vectorised over the
level; loops run over rankings, alternatives or renamings, never profiles.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np

from verigroup.elections.domain import Domain, Level
from verigroup.elections.outcomes import gains, outcome_json
from verigroup.elections.profiles import IntArray, multiset_rank, profile_json
from verigroup.elections.rules import support

Cex = dict[str, Any]
#: Largest number of profile pairs reinforcement enumerates per electorate size.
PAIR_LIMIT = 30_000_000


class TooLarge(Exception):
    """The check at this size exceeds its budget (the verdict becomes UNKNOWN)."""


def _profile(dom: Domain, n: int, row: int) -> list[dict[str, object]]:
    return profile_json(list(dom.level(n).seqs[row]), dom.space, anonymous=dom.anonymous)


def _out(dom: Domain, lv: Level, row: int) -> Any:
    return outcome_json(lv.outcomes[row], dom.space, lv.n)


def _first(dom: Domain, n: int, rows: IntArray) -> int | None:
    if rows.size == 0:
        return None
    lex = dom.lexrank(n)
    return int(rows[np.argmin(lex[rows])])


def _voter_with(dom: Domain, n: int, row: int, r: int, voter: int) -> int:
    """1-based position, in the printed profile, of the slot voter."""
    if voter >= 0:
        return voter + 1
    return int(np.nonzero(dom.level(n).seqs[row] == r)[0][0]) + 1


def pareto(dom: Domain, n: int) -> Cex | None:
    """No alternative y wins when some x is above y for every voter."""
    n_xy = support(dom.level(n).counts, dom.space)          # voters strictly preferring x to y
    return _dominated_winner(dom, n, n_xy == n)


def strong_pareto(dom: Domain, n: int) -> Cex | None:
    """No alternative y wins when some x is at least as good for every voter
    and strictly better for one (on strict rankings: the same as pareto)."""
    n_xy = support(dom.level(n).counts, dom.space)
    return _dominated_winner(dom, n, (n_xy.transpose(0, 2, 1) == 0) & (n_xy > 0))


def _dominated_winner(dom: Domain, n: int, beats: np.ndarray) -> Cex | None:
    """The first profile whose outcome is dominated (``beats[P, x, y]``: x
    dominates y at profile P), with the dominated and a dominating alternative."""
    lv = dom.level(n)
    dominated = np.asarray(beats.any(axis=1))               # P x m
    if lv.outcomes.ndim == 1:
        bad = dominated[np.arange(lv.size), lv.outcomes]
    else:
        bad = (dominated & (lv.outcomes > 0)).any(axis=1)
    row = _first(dom, n, np.nonzero(bad)[0])
    if row is None:
        return None
    chosen = [int(lv.outcomes[row])] if lv.outcomes.ndim == 1 else \
        [y for y in range(dom.space.m) if lv.outcomes[row, y] > 0 and dominated[row, y]]
    y = next(y for y in chosen if dominated[row, y])
    x = int(np.nonzero(beats[row, :, y])[0][0])
    return {"voters": n, "profile": _profile(dom, n, row), "outcome": _out(dom, lv, row),
            "dominated": dom.space.names[y], "dominated_by": dom.space.names[x]}


def condorcet(dom: Domain, n: int, loser: bool) -> Cex | None:
    lv = dom.level(n)
    n_xy = support(lv.counts, dom.space)
    margin = n_xy - n_xy.transpose(0, 2, 1)
    eye = np.eye(dom.space.m, dtype=bool)[None]
    special = np.asarray(np.where(eye, True, margin < 0 if loser else margin > 0).all(axis=2))   # P x m
    has = special.any(axis=1)
    who = np.argmax(special, axis=1)
    if lv.outcomes.ndim == 1:
        bad = has & ((lv.outcomes == who) if loser else (lv.outcomes != who))
    else:
        w = lv.outcomes[np.arange(lv.size), who]
        bad = has & ((w > 0) if loser else (w < n))
    row = _first(dom, n, np.nonzero(bad)[0])
    if row is None:
        return None
    key = "condorcet_loser" if loser else "condorcet_winner"
    return {"voters": n, "profile": _profile(dom, n, row), "outcome": _out(dom, lv, row),
            key: dom.space.names[int(who[row])]}


def _one_voter_change(dom: Domain, n: int, changes: list[tuple[int, int, int]],
                      bad_of: Callable[[IntArray, IntArray, int, int, int], np.ndarray]) -> tuple[int, int, int, int] | None:
    """Smallest (profile row, context, r, r2, x) over contexts where the slot
    voter's change ``r -> r2`` is bad."""
    ctx = dom.contexts(n)
    lv = dom.level(n)
    lex = dom.lexrank(n)
    best: tuple[int, int, int, int, int] | None = None   # (lexrank, ctx, r, r2, x)
    for r, r2, x in changes:
        bad = bad_of(lv.outcomes[ctx.ext[:, r]], lv.outcomes[ctx.ext[:, r2]], r, r2, x)
        cs = np.nonzero(bad)[0]
        if cs.size == 0:
            continue
        k = int(np.argmin(lex[ctx.ext[cs, r]]))
        cand = (int(lex[ctx.ext[cs[k], r]]), int(cs[k]), r, r2, x)
        if best is None or cand < best:
            best = cand
    return None if best is None else best[1:]


def strategyproofness(dom: Domain, n: int) -> Cex | None:
    size = dom.space.size
    changes = [(r, r2, -1) for r in range(size) for r2 in range(size) if r2 != r]
    found = _one_voter_change(dom, n, changes,
                              lambda old, new, r, r2, x: gains(dom.space, r, new, old, n, n))
    if found is None:
        return None
    c, r, r2, _ = found
    ctx, lv = dom.contexts(n), dom.level(n)
    row, row2 = int(ctx.ext[c, r]), int(ctx.ext[c, r2])
    return {"voters": n, "profile": _profile(dom, n, row),
            "manipulator": {"voter": _voter_with(dom, n, row, r, int(ctx.voter[c])),
                            "ranking": dom.space.ranking_names(r)},
            "misreport": dom.space.ranking_names(r2),
            "outcome": _out(dom, lv, row), "manipulated_outcome": _out(dom, lv, row2),
            "manipulated_profile": _profile(dom, n, row2)}


def lifts(dom: Domain) -> list[tuple[int, int, int]]:
    """(r, r2, x): r2 is r with x moved up, the others' order unchanged."""
    sp, out = dom.space, []
    for r in range(sp.size):
        perm = list(int(v) for v in sp.perms[r])
        for p, x in enumerate(perm):
            for newp in range(p):
                q = perm[:p] + perm[p + 1:]
                q.insert(newp, x)
                out.append((r, sp.index(tuple(q)), x))
    return out


def monotonicity(dom: Domain, n: int) -> Cex | None:
    def bad(old: IntArray, new: IntArray, r: int, r2: int, x: int) -> np.ndarray:
        if old.ndim == 1:
            return (old == x) & (new != x)
        return new[:, x] < old[:, x]

    found = _one_voter_change(dom, n, lifts(dom), bad)
    if found is None:
        return None
    c, r, r2, x = found
    ctx, lv = dom.contexts(n), dom.level(n)
    row, row2 = int(ctx.ext[c, r]), int(ctx.ext[c, r2])
    return {"voters": n, "profile": _profile(dom, n, row), "raised": dom.space.names[x],
            "voter": _voter_with(dom, n, row, r, int(ctx.voter[c])),
            "ranking": dom.space.ranking_names(r), "new_ranking": dom.space.ranking_names(r2),
            "outcome": _out(dom, lv, row), "new_outcome": _out(dom, lv, row2),
            "new_profile": _profile(dom, n, row2)}


def participation(dom: Domain, n: int) -> Cex | None:
    if n < 2:
        return None
    ctx, lv, lower = dom.contexts(n), dom.level(n), dom.level(n - 1)
    lex = dom.lexrank(n)
    best: tuple[int, int, int] | None = None
    absent = lower.outcomes[ctx.base]
    for r in range(dom.space.size):
        bad = gains(dom.space, r, absent, lv.outcomes[ctx.ext[:, r]], n - 1, n)
        cs = np.nonzero(bad)[0]
        if cs.size:
            k = int(np.argmin(lex[ctx.ext[cs, r]]))
            cand = (int(lex[ctx.ext[cs[k], r]]), int(cs[k]), r)
            best = cand if best is None or cand < best else best
    if best is None:
        return None
    _, c, r = best
    row, base = int(ctx.ext[c, r]), int(ctx.base[c])
    return {"voters": n, "profile": _profile(dom, n, row),
            "abstainer": {"voter": _voter_with(dom, n, row, r, int(ctx.voter[c])),
                          "ranking": dom.space.ranking_names(r)},
            "outcome": _out(dom, lv, row), "profile_without": _profile(dom, n - 1, base),
            "outcome_without": _out(dom, lower, base)}


def iia(dom: Domain, n: int) -> Cex | None:
    lv = dom.level(n)
    if lv.outcomes.ndim != 1:
        raise TooLarge("independence of irrelevant alternatives is checked for resolute rules only")
    m = dom.space.m
    lex = dom.lexrank(n)
    if dom.anonymous:   # (voters with x above y, voters with y above x): agreement up to reordering (ties: the rest)
        sup = support(lv.counts, dom.space)
        keys = sup * (n + 1) + sup.transpose(0, 2, 1)
    else:
        pref = dom.space.prefers()[lv.seqs]           # P x n x m x m
        keys = (pref * (1 << np.arange(n))[None, :, None, None]).sum(axis=1)
    best: tuple[int, int, int, int] | None = None
    for x, y in itertools.permutations(range(m), 2):
        kx, ky = keys[lv.outcomes == x, x, y], keys[lv.outcomes == y, x, y]
        common = np.intersect1d(kx, ky)
        if common.size == 0:
            continue
        rows = np.nonzero((lv.outcomes == x) & np.isin(keys[:, x, y], common))[0]
        row = int(rows[np.argmin(lex[rows])])
        rows2 = np.nonzero((lv.outcomes == y) & (keys[:, x, y] == keys[row, x, y]))[0]
        row2 = int(rows2[np.argmin(lex[rows2])])
        cand = (int(lex[row]), int(lex[row2]), x, y)
        if best is None or cand < best:
            best = cand
    if best is None:
        return None
    order = np.argsort(lex)
    row, row2, x, y = int(order[best[0]]), int(order[best[1]]), best[2], best[3]
    return {"voters": n, "profile": _profile(dom, n, row), "outcome": dom.space.names[x],
            "other_profile": _profile(dom, n, row2), "other_outcome": dom.space.names[y],
            "pair": [dom.space.names[x], dom.space.names[y]]}


def reinforcement(dom: Domain, n: int) -> Cex | None:
    lv = dom.level(n)
    if lv.outcomes.ndim != 1 or not dom.anonymous:
        raise TooLarge("reinforcement is checked for anonymous resolute rules only")
    lex = dom.lexrank(n)
    best: tuple[int, int, int, int, int] | None = None   # (lex of union, n1, row1, row2, union row)
    for n1 in range(1, n // 2 + 1):
        a, b = dom.level(n1), dom.level(n - n1)
        for x in range(dom.space.m):
            ra, rb = np.nonzero(a.outcomes == x)[0], np.nonzero(b.outcomes == x)[0]
            if ra.size * rb.size > PAIR_LIMIT:
                raise TooLarge(f"{ra.size * rb.size} pairs of electorates of {n1} and {n - n1} voters "
                               f"exceed the limit of {PAIR_LIMIT}")
            step = max(1, 2_000_000 // max(1, rb.size))
            for s in range(0, ra.size, step):
                ca = a.counts[ra[s:s + step]]
                union = (ca[:, None, :] + b.counts[rb][None, :, :]).reshape(-1, dom.space.size)
                idx = multiset_rank(union, n)
                bad = np.nonzero(lv.outcomes[idx] != x)[0]
                if bad.size == 0:
                    continue
                k = int(bad[np.argmin(lex[idx[bad]])])
                i, j = divmod(k, rb.size)
                cand = (int(lex[idx[k]]), n1, int(ra[s + i]), int(rb[j]), int(idx[k]))
                if best is None or cand < best:
                    best = cand
    if best is None:
        return None
    _, n1, r1, r2, u = best
    return {"voters": n, "profile": _profile(dom, n, u), "outcome": _out(dom, lv, u),
            "part1": _profile(dom, n1, r1), "part2": _profile(dom, n - n1, r2),
            "parts_outcome": _out(dom, dom.level(n1), r1)}


def neutrality(dom: Domain, n: int) -> Cex | None:
    lv, sp = dom.level(n), dom.space
    lex = dom.lexrank(n)
    best: tuple[int, int, tuple[int, ...]] | None = None
    for sigma in itertools.permutations(range(sp.m)):
        if sigma == tuple(range(sp.m)):
            continue
        rmap = sp.apply_perm(sigma)
        idx = dom.index_of(rmap[lv.seqs], n)
        s = np.asarray(sigma)
        if lv.outcomes.ndim == 1:
            bad = lv.outcomes[idx] != s[lv.outcomes]
        else:
            bad = (lv.outcomes[idx][:, s] != lv.outcomes).any(axis=1)
        rows = np.nonzero(bad)[0]
        if rows.size:
            row = int(rows[np.argmin(lex[rows])])
            cand = (int(lex[row]), row, sigma)
            best = cand if best is None or cand < best else best
    if best is None:
        return None
    _, row, sigma = best
    idx2 = int(dom.index_of(sp.apply_perm(sigma)[lv.seqs[row:row + 1]], n)[0])
    return {"voters": n, "profile": _profile(dom, n, row), "outcome": _out(dom, lv, row),
            "renaming": {sp.names[x]: sp.names[sigma[x]] for x in range(sp.m)},
            "renamed_profile": _profile(dom, n, idx2), "renamed_outcome": _out(dom, lv, idx2)}


def anonymity(dom: Domain, full: Domain, n: int) -> Cex | None:
    """``full`` evaluates the rule with voters told apart; adjacent swaps
    generate every permutation of the voters."""
    lv = full.level(n)
    r = full.space.size
    best: tuple[int, int] | None = None
    for i in range(n - 1):
        a, b = lv.seqs[:, i], lv.seqs[:, i + 1]
        idx = np.arange(lv.size) + (b - a) * r ** (n - 1 - i) + (a - b) * r ** (n - 2 - i)
        same = (lv.outcomes[idx] == lv.outcomes) if lv.outcomes.ndim == 1 else (lv.outcomes[idx] == lv.outcomes).all(axis=1)
        rows = np.nonzero(~same)[0]
        if rows.size:
            cand = (int(rows[0]), i)
            best = cand if best is None or cand < best else best
    if best is None:
        return None
    row, i = best
    swapped = lv.seqs[row].copy()
    swapped[[i, i + 1]] = swapped[[i + 1, i]]
    row2 = int(full.index_of(swapped[None, :], n)[0])
    return {"voters": n, "profile": profile_json(list(lv.seqs[row]), full.space, anonymous=False),
            "outcome": _out(full, lv, row), "swapped_voters": [i + 1, i + 2],
            "swapped_profile": profile_json(list(swapped), full.space, anonymous=False),
            "swapped_outcome": _out(full, lv, row2)}


def dictators(dom: Domain, n: int) -> tuple[list[int], dict[int, int]]:
    """Voters (0-based) who are dictators at ``n`` voters, and for every other
    voter a witness profile row where the outcome is not that voter's top."""
    lv = dom.level(n)
    tops = dom.space.perms[lv.seqs, 0]                # P x n
    if lv.outcomes.ndim == 1:
        agree = tops == lv.outcomes[:, None]
    else:
        agree = lv.outcomes[np.arange(lv.size)[:, None], tops] == n
    out, witness = [], {}
    lex = dom.lexrank(n)
    for i in range(n):
        col = agree.all(axis=1) if dom.anonymous else agree[:, i]
        rows = np.nonzero(~col)[0]
        if rows.size == 0:
            out.append(i)
        else:
            witness[i] = int(rows[np.argmin(lex[rows])])
    return out, witness


def violation_mask(dom: Domain, n: int, axiom: str) -> np.ndarray:
    """Per profile of level ``n``: is it a violation?  (the truthful profile
    for strategyproofness).  Used by the differential tests against
    per-profile checkers."""
    lv, sp = dom.level(n), dom.space
    if axiom in ("condorcet-winner", "condorcet-loser", "pareto"):
        n_xy = support(lv.counts, sp)
        if axiom == "pareto":
            dominated = (n_xy == n).any(axis=1)
            return dominated[np.arange(lv.size), lv.outcomes]
        loser = axiom == "condorcet-loser"
        margin = n_xy - n_xy.transpose(0, 2, 1)
        eye = np.eye(sp.m, dtype=bool)[None]
        special = np.asarray(np.where(eye, True, margin < 0 if loser else margin > 0).all(axis=2))
        has, who = special.any(axis=1), np.argmax(special, axis=1)
        return has & ((lv.outcomes == who) if loser else (lv.outcomes != who))
    if axiom == "strategyproofness":
        ctx = dom.contexts(n)
        mask = np.zeros(lv.size, dtype=bool)
        for r in range(sp.size):
            for r2 in range(sp.size):
                if r2 != r:
                    bad = gains(sp, r, lv.outcomes[ctx.ext[:, r2]], lv.outcomes[ctx.ext[:, r]], n, n)
                    mask[ctx.ext[bad, r]] = True
        return mask
    raise KeyError(axiom)
