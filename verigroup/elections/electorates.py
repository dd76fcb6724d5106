"""The SAT route for axioms that relate electorates of different sizes:
``participation`` and ``reinforcement`` (issue 11, SOCIAL3).

"Is there a resolute social choice function for *every electorate of 1..n
voters* satisfying these axioms?"  The rule is one table over the ordered
profiles of every size ``k = 1..n`` (``sum_k (m!)^k`` profiles, guarded by
the SAT route's limit); every axiom holds at every size:

* ``participation``: for each profile of ``k >= 2`` voters and each voter
  ``i``, the outcome with ``i`` is at least as good for ``i`` as the outcome
  without ``i`` -- for rankings ``a`` above ``b`` of ``i``: not (``a`` wins
  without ``i`` and ``b`` wins with ``i``);
* ``reinforcement``: for every split of a size into ``k1 + k2`` and ordered
  profiles ``P1``, ``P2``: if ``x`` wins both, ``x`` wins ``P1`` followed by
  ``P2`` (with ``anonymity`` this is every disjoint union);
* ``pareto``, ``condorcet-winner``, ``condorcet-loser``, ``anonymity``
  (shared variables), ``strategyproofness`` and ``monotonicity`` (adjacent
  swaps, implied by the axioms, so UNSAT stays sound) at every size.

A SAT witness (the table) is re-audited by the exhaustive audit
(:func:`verigroup.elections.axioms.audit` over the table as a rule, every
misreport), never trusted; UNSAT has the same certificate as the fixed-size
route (a core over profiles re-checked by a second solver, a DRAT proof).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from verigroup.elections.encode import ClauseBlocks, _perm_rows_index
from verigroup.elections.profiles import IntArray, RankingSpace, full_profiles, multiset_rank, profile_json

LEVEL_AXIOMS = ("pareto", "anonymity", "condorcet-winner", "condorcet-loser", "participation", "reinforcement",
                "strategyproofness", "monotonicity")
CROSS_AXIOMS = ("participation", "reinforcement")


def levels_size(n: int, r: int) -> int:
    return sum(r ** k for k in range(1, n + 1))


@dataclass
class LevelEncoding(ClauseBlocks):
    """Profiles of sizes ``1..n``; global profile ``g = offset[k] + j`` for
    the ``j``-th ordered profile of ``k`` voters (lexicographic)."""

    n: int
    space: RankingSpace
    anonymous: bool
    seqs: dict[int, IntArray] = field(default_factory=dict)
    offset: dict[int, int] = field(default_factory=dict)
    canon: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    n_blocks: int = 0
    n_vars: int = 0
    blocks: list[tuple[IntArray, IntArray]] = field(default_factory=list)
    kind: str = "scf"

    @property
    def n_profiles(self) -> int:
        return int(self.canon.shape[0])

    def win(self, g: IntArray | int, x: IntArray | int) -> IntArray:
        return 1 + self.canon[g] * self.space.m + np.asarray(x)

    def gid(self, k: int, seqs: IntArray) -> IntArray:
        r = self.space.size
        w = r ** np.arange(k - 1, -1, -1, dtype=np.int64)
        return self.offset[k] + (seqs * w[None, :]).sum(axis=1)

    def profile(self, g: int) -> tuple[int, list[int]]:
        k = max(k for k in self.offset if self.offset[k] <= g)
        return k, [int(v) for v in self.seqs[k][g - self.offset[k]]]


def encode_levels(axioms: tuple[str, ...], n: int, space: RankingSpace) -> LevelEncoding:
    r, m = space.size, space.m
    enc = LevelEncoding(n, space, "anonymity" in axioms)
    canon_parts, start, blocks = [], 0, 0
    for k in range(1, n + 1):
        s = full_profiles(k, r)
        enc.seqs[k], enc.offset[k] = s, start
        start += s.shape[0]
        if enc.anonymous:
            counts = np.zeros((s.shape[0], r), dtype=np.int64)
            rows = np.arange(s.shape[0])
            for j in range(k):
                np.add.at(counts, (rows, s[:, j]), 1)
            c = multiset_rank(counts, k)
            canon_parts.append(blocks + c)
            blocks += int(c.max()) + 1
        else:
            canon_parts.append(blocks + np.arange(s.shape[0], dtype=np.int64))
            blocks += s.shape[0]
    enc.canon = np.concatenate(canon_parts)
    enc.n_blocks = blocks
    enc.n_vars = blocks * m
    reps = np.unique(enc.canon, return_index=True)[1]
    enc.add(enc.win(reps[:, None], np.arange(m)[None, :]), -1)        # some winner
    for x, y in itertools.combinations(range(m), 2):                   # at most one
        enc.add(np.stack([-enc.win(reps, x), -enc.win(reps, y)], axis=1), -1)
    prefers = space.prefers()
    for k in range(1, n + 1):
        s = enc.seqs[k]
        g = enc.offset[k] + np.arange(s.shape[0])
        sup = prefers[s].sum(axis=1)                                   # P x m x m
        if "pareto" in axioms:
            dp, dy = np.nonzero((sup == k).any(axis=1))
            enc.add(-enc.win(g[dp], dy)[:, None], g[dp])
        margin = sup - sup.transpose(0, 2, 1)
        eye = np.eye(m, dtype=bool)[None]
        if "condorcet-winner" in axioms:
            cp, cx = np.nonzero(np.where(eye, True, margin > 0).all(axis=2))
            enc.add(enc.win(g[cp], cx)[:, None], g[cp])
        if "condorcet-loser" in axioms:
            lp, lx = np.nonzero(np.where(eye, True, margin < 0).all(axis=2))
            enc.add(-enc.win(g[lp], lx)[:, None], g[lp])
        for i in range(k):
            true_r = s[:, i]
            if "strategyproofness" in axioms or "monotonicity" in axioms:
                for a in range(m - 1):                 # swap places a, a+1 of voter i's ranking
                    perm = space.perms[true_r].copy()
                    perm[:, [a, a + 1]] = perm[:, [a + 1, a]]
                    other = g + (_perm_rows_index(space, perm) - true_r) * r ** (k - 1 - i)
                    if "strategyproofness" in axioms:
                        for p, q in itertools.combinations(range(m), 2):
                            better, worse = space.perms[true_r, p], space.perms[true_r, q]
                            enc.add(np.stack([-enc.win(g, worse), -enc.win(other, better)], axis=1), g)
                    if "monotonicity" in axioms:      # the alternative at place a+1 moves up to place a
                        lifted = space.perms[true_r, a + 1]
                        enc.add(np.stack([-enc.win(g, lifted), enc.win(other, lifted)], axis=1), g)
            if "participation" in axioms and k >= 2:
                without = enc.gid(k - 1, np.delete(s, i, axis=1))
                for p, q in itertools.combinations(range(m), 2):
                    better, worse = space.perms[true_r, p], space.perms[true_r, q]
                    enc.add(np.stack([-enc.win(without, better), -enc.win(g, worse)], axis=1), g)
        if "reinforcement" in axioms:
            for k1 in range(1, k):
                k2 = k - k1
                s1, s2 = enc.seqs[k1], enc.seqs[k2]
                g1 = enc.offset[k1] + np.repeat(np.arange(s1.shape[0]), s2.shape[0])
                g2 = enc.offset[k2] + np.tile(np.arange(s2.shape[0]), s1.shape[0])
                gu = enc.offset[k] + np.arange(s1.shape[0] * s2.shape[0])   # P1 followed by P2, lexicographic
                for x in range(m):
                    enc.add(np.stack([-enc.win(g1, x), -enc.win(g2, x), enc.win(gu, x)], axis=1), gu)
    return enc


def witness_levels(enc: LevelEncoding, model: list[int], axioms: tuple[str, ...]) -> dict[str, Any]:
    """The solver's rule as a table per size, audited by the exhaustive
    audit over every electorate of 1..n voters (all misreports)."""
    import hashlib
    import json

    from verigroup.elections.axioms import audit
    from verigroup.elections.rules import Rule

    val = np.zeros(enc.n_vars + 2, dtype=bool)
    lits = np.asarray(model, dtype=np.int64)
    val[np.abs(lits)] = lits > 0
    sp, m = enc.space, enc.space.m
    allg = np.arange(enc.n_profiles)
    wins = np.stack([val[enc.win(allg, x)] for x in range(m)], axis=1)
    if not (wins.sum(axis=1) == 1).all():
        raise AssertionError("witness does not pick exactly one winner per profile")
    table = np.argmax(wins, axis=1).astype(np.int64)
    rule = Rule("sat-witness", anonymous=enc.anonymous, description="the SAT solver's rule (a table)",
                expression=_Table(enc, table))
    checked = audit("plurality", enc.n, m, axioms, rule=rule, names=sp.names)
    verdicts = {r.axiom: r.verdict.value for r in checked.results}
    rows = []
    for gg in range(min(enc.n_profiles, 50)):
        k, seq = enc.profile(gg)
        rows.append({"profile": profile_json(seq, sp, anonymous=False), "outcome": sp.names[int(table[gg])]})
    return {"entries": enc.n_profiles, "shown": rows, "audit": verdicts,
            "table_sha256": hashlib.sha256(json.dumps(table.tolist()).encode()).hexdigest(),
            "audit_method": "the exhaustive audit of the table over every electorate of 1.."
                            f"{enc.n} voters (all misreports, all splits, all abstentions)",
            "table": table.tolist() if enc.n_profiles <= 1000 else None,
            "table_order": "profiles of 1 voter, then 2, ...; each size's ordered profiles lexicographically"}


@dataclass(frozen=True)
class _Table:
    """A rule given by its table over the ordered profiles of each size."""

    enc: LevelEncoding
    table: IntArray

    def outcomes(self, counts: IntArray, space: RankingSpace, seqs: IntArray) -> IntArray:
        """``seqs``: the profiles as voter sequences (sorted for anonymous
        levels; an anonymous table gives every ordering the same entry)."""
        return self.table[self.enc.gid(int(seqs.shape[1]), seqs)]
