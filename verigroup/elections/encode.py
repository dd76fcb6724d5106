"""CNF encodings of "some rule satisfies these axioms" for ``n`` voters and
``m`` alternatives (Tang-Lin / Geist-Endriss style), built with numpy.

Profiles are the ``R^n`` ordered profiles (``R = m!``).  Variables:

* ``scf`` (a resolute social choice function): ``w(p, x)`` = "x wins at p";
* ``swf`` (a strict social welfare function): ``o(p, x, y)``, ``x < y`` =
  "x is above y in the social ranking at p" (``y`` above ``x`` is its
  negation).

Anonymity is encoded by symmetry reduction: profiles that are reorderings of
each other share their variables.  Every clause carries a *group*: the
profile it is about (the unsat core is read off groups) or ``-1`` for the
structure (exactly one winner, transitivity) and global clauses.

Strategyproofness is encoded for misreports that swap two adjacent
alternatives of the true ranking (a consequence of strategyproofness, so
UNSAT stays sound; Sato 2013 shows it is equivalent on the full domain, and
every SAT witness is re-audited against all misreports anyway).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from verigroup.elections.profiles import BoolArray, IntArray, RankingSpace, full_profiles, multiset_rank

SCF_AXIOMS = ("pareto", "anonymity", "neutrality", "monotonicity", "condorcet-winner", "condorcet-loser",
              "iia", "strategyproofness", "non-dictatorship")
SWF_AXIOMS = ("pareto", "anonymity", "neutrality", "iia", "non-dictatorship")


class ClauseBlocks:
    """Clauses kept as numpy blocks (k-wide rows) with a group per clause
    (the group an unsat core names); shared by the fixed-electorate and
    the across-electorates encodings."""

    blocks: list[tuple[IntArray, IntArray]]

    @property
    def n_clauses(self) -> int:
        return sum(int(c.shape[0]) for c, _ in self.blocks)

    def add(self, clauses: IntArray, groups: IntArray | int) -> None:
        clauses = np.asarray(clauses, dtype=np.int64)
        if clauses.size == 0:
            return
        clauses = clauses.reshape(clauses.shape[0], -1)
        g = np.full(clauses.shape[0], groups, dtype=np.int64) if np.isscalar(groups) else np.asarray(groups)
        self.blocks.append((clauses, g))

    def clause_lists(self) -> list[list[int]]:
        out: list[list[int]] = []
        for c, _ in self.blocks:
            out.extend(c.tolist())
        return out


@dataclass
class Encoding(ClauseBlocks):
    kind: str
    n: int
    space: RankingSpace
    seqs: IntArray                 # P x n ordered profiles
    canon: IntArray                # P: variable block of each profile
    n_blocks: int
    n_vars: int
    blocks: list[tuple[IntArray, IntArray]] = field(default_factory=list)   # (clauses k-wide, groups)
    notes: list[str] = field(default_factory=list)


    # ---- variables
    def win(self, p: IntArray, x: IntArray | int) -> IntArray:
        return 1 + self.canon[p] * self.space.m + np.asarray(x)

    def above(self, p: IntArray, x: IntArray | int, y: IntArray | int) -> IntArray:
        """Literal "x above y at p" (swf); ``x != y``."""
        x, y = np.asarray(x), np.asarray(y)
        lo, hi = np.minimum(x, y), np.maximum(x, y)
        m = self.space.m
        pair = lo * m + hi          # sparse index of the unordered pair
        var = 1 + self.canon[p] * m * m + pair
        return np.where(x < y, var, -var)

    def index(self, seqs: IntArray) -> IntArray:
        r = self.space.size
        w = r ** np.arange(self.n - 1, -1, -1, dtype=np.int64)
        return (seqs * w[None, :]).sum(axis=1)


def _canon(seqs: IntArray, r: int, anonymous: bool) -> tuple[IntArray, int]:
    if not anonymous:
        return np.arange(seqs.shape[0], dtype=np.int64), int(seqs.shape[0])
    n = seqs.shape[1]
    counts = np.zeros((seqs.shape[0], r), dtype=np.int64)
    rows = np.arange(seqs.shape[0])
    for j in range(n):
        np.add.at(counts, (rows, seqs[:, j]), 1)
    ranks = multiset_rank(counts, n)
    return ranks, int(ranks.max()) + 1


def encode(kind: str, axioms: tuple[str, ...], n: int, space: RankingSpace) -> Encoding:
    r, m = space.size, space.m
    seqs = full_profiles(n, r)
    canon, blocks = _canon(seqs, r, "anonymity" in axioms)
    n_vars = blocks * (m if kind == "scf" else m * m)
    enc = Encoding(kind, n, space, seqs, canon, blocks, n_vars)
    (_scf if kind == "scf" else _swf)(enc, axioms)
    return enc


def _new_vars(enc: Encoding, k: int) -> IntArray:
    first = enc.n_vars + 1
    enc.n_vars += k
    return np.arange(first, first + k, dtype=np.int64)


def _unanimous(enc: Encoding) -> BoolArray:
    """``dom[p, x, y]``: every voter ranks x above y at p."""
    pref = enc.space.prefers()[enc.seqs]         # P x n x m x m
    return np.asarray(pref.all(axis=1), dtype=bool)


def _scf(enc: Encoding, axioms: tuple[str, ...]) -> None:
    sp, m, seqs = enc.space, enc.space.m, enc.seqs
    P = seqs.shape[0]
    allp = np.arange(P)
    reps = np.unique(enc.canon, return_index=True)[1]      # one profile per variable block
    enc.add(enc.win(reps[:, None], np.arange(m)[None, :]), -1)
    for x, y in itertools.combinations(range(m), 2):
        enc.add(np.stack([-enc.win(reps, x), -enc.win(reps, y)], axis=1), -1)
    if "pareto" in axioms:
        dom = _unanimous(enc).any(axis=1)                   # P x m: y dominated
        dp, dy = np.nonzero(dom)
        enc.add(-enc.win(dp, dy)[:, None], dp)
    if "condorcet-winner" in axioms or "condorcet-loser" in axioms:
        pref = sp.prefers()[seqs].sum(axis=1)               # P x m x m support
        margin = pref - pref.transpose(0, 2, 1)
        eye = np.eye(m, dtype=bool)[None]
        if "condorcet-winner" in axioms:
            cp, cx = np.nonzero(np.where(eye, True, margin > 0).all(axis=2))
            enc.add(enc.win(cp, cx)[:, None], cp)
        if "condorcet-loser" in axioms:
            lp, lx = np.nonzero(np.where(eye, True, margin < 0).all(axis=2))
            enc.add(-enc.win(lp, lx)[:, None], lp)
    if "strategyproofness" in axioms:
        for i in range(enc.n):
            for k in range(m - 1):                           # swap positions k, k+1 of voter i's ranking
                true_r = seqs[:, i]
                perm = sp.perms[true_r].copy()
                perm[:, [k, k + 1]] = perm[:, [k + 1, k]]
                mis = _perm_rows_index(sp, perm)
                other = allp + (mis - true_r) * sp.size ** (enc.n - 1 - i)
                for a, b in itertools.combinations(range(m), 2):  # positions a < b: the voter prefers its a-th
                    better, worse = sp.perms[true_r, a], sp.perms[true_r, b]
                    enc.add(np.stack([-enc.win(allp, worse), -enc.win(other, better)], axis=1), allp)
    if "monotonicity" in axioms:
        for i in range(enc.n):
            for k in range(1, m):                            # raise the alternative at position k by one
                true_r = seqs[:, i]
                perm = sp.perms[true_r].copy()
                lifted = perm[:, k].copy()
                perm[:, [k - 1, k]] = perm[:, [k, k - 1]]
                other = allp + (_perm_rows_index(sp, perm) - true_r) * sp.size ** (enc.n - 1 - i)
                enc.add(np.stack([-enc.win(allp, lifted), enc.win(other, lifted)], axis=1), allp)
    if "neutrality" in axioms:
        _neutral(enc, lambda p, q, s: [np.stack([-enc.win(p, x), enc.win(q, s[x])], axis=1) for x in range(m)])
    if "iia" in axioms:
        pref = sp.prefers()[seqs]                            # P x n x m x m
        bits = (pref * (1 << np.arange(enc.n))[None, :, None, None]).sum(axis=1)   # P x m x m
        for x, y in itertools.permutations(range(m), 2):
            aux = _new_vars(enc, 1 << enc.n)
            a = aux[bits[:, x, y]]
            enc.add(np.stack([-enc.win(allp, x), a], axis=1), allp)
            enc.add(np.stack([-a, -enc.win(allp, y)], axis=1), allp)
    if "non-dictatorship" in axioms:
        for i in range(enc.n):
            top = sp.perms[seqs[:, i], 0]
            lits = np.unique(-enc.win(allp, top))
            enc.add(lits[None, :], -1)


def _perm_rows_index(sp: RankingSpace, perm: IntArray) -> IntArray:
    """Ranking index of each row of a permutation matrix (lexicographic rank)."""
    m = sp.m
    idx = np.zeros(perm.shape[0], dtype=np.int64)
    fact = [1] * (m + 1)
    for k in range(1, m + 1):
        fact[k] = fact[k - 1] * k
    for k in range(m):
        smaller = (perm[:, k + 1:] < perm[:, k:k + 1]).sum(axis=1)
        idx += smaller * fact[m - 1 - k]
    return idx


def _neutral(enc: Encoding, make) -> None:  # type: ignore[no-untyped-def]
    sp, m = enc.space, enc.space.m
    gens = [tuple([1, 0] + list(range(2, m)))]
    if m > 2:
        gens.append(tuple(list(range(1, m)) + [0]))
    allp = np.arange(enc.seqs.shape[0])
    for sigma in gens:
        rmap = sp.apply_perm(sigma)
        q = enc.index(rmap[enc.seqs])
        for cl in make(allp, q, np.asarray(sigma)):
            enc.add(cl, allp)


def _swf(enc: Encoding, axioms: tuple[str, ...]) -> None:
    sp, m, seqs = enc.space, enc.space.m, enc.seqs
    P = seqs.shape[0]
    allp = np.arange(P)
    reps = np.unique(enc.canon, return_index=True)[1]
    for x, y, z in itertools.combinations(range(m), 3):      # no 3-cycles = transitive tournament
        for a, b, c in ((x, y, z), (x, z, y)):
            enc.add(np.stack([-enc.above(reps, a, b), -enc.above(reps, b, c), -enc.above(reps, c, a)], axis=1), -1)
    pairs = list(itertools.combinations(range(m), 2))
    if "pareto" in axioms:
        dom = _unanimous(enc)
        for x, y in itertools.permutations(range(m), 2):
            p = np.nonzero(dom[:, x, y])[0]
            enc.add(enc.above(p, x, y)[:, None], p)
    if "iia" in axioms:
        pref = sp.prefers()[seqs]
        bits = (pref * (1 << np.arange(enc.n))[None, :, None, None]).sum(axis=1)
        for x, y in pairs:
            aux = _new_vars(enc, 1 << enc.n)
            a = aux[bits[:, x, y]]
            lit = enc.above(allp, x, y)
            enc.add(np.stack([-lit, a], axis=1), allp)
            enc.add(np.stack([lit, -a], axis=1), allp)
    if "neutrality" in axioms:
        _neutral(enc, lambda p, q, s: [np.stack([-enc.above(p, x, y), enc.above(q, s[x], s[y])], axis=1)
                                       for x, y in itertools.permutations(range(m), 2)])
    if "non-dictatorship" in axioms:
        for i in range(enc.n):
            pos = sp.pos[seqs[:, i]]
            lits = [np.where(pos[:, x] < pos[:, y], -enc.above(allp, x, y), enc.above(allp, x, y))
                    for x, y in pairs]
            enc.add(np.unique(np.concatenate(lits))[None, :], -1)
