"""A SAT witness as a rule table, and its independent audit: every requested
axiom re-checked by brute force over all ordered profiles (all misreports,
not only the adjacent ones the encoding uses)."""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

import numpy as np

from verigroup.elections.encode import Encoding
from verigroup.elections.profiles import IntArray, RankingSpace, profile_json

#: Table rows printed in the JSON (the hash covers the whole table).
TABLE_SHOWN = 50
#: Tables up to this many profiles are included whole (``table[p]`` for the
#: p-th ordered profile in lexicographic order).
TABLE_FULL = 1000


def witness_of(enc: Encoding, model: list[int], axioms: tuple[str, ...]) -> dict[str, Any]:
    val = np.zeros(enc.n_vars + 2, dtype=bool)
    lits = np.asarray(model, dtype=np.int64)
    val[np.abs(lits)] = lits > 0
    sp, P = enc.space, int(enc.seqs.shape[0])
    allp = np.arange(P)
    if enc.kind == "scf":
        wins = np.stack([val[enc.win(allp, x)] for x in range(sp.m)], axis=1)
        if not (wins.sum(axis=1) == 1).all():
            raise AssertionError("witness does not pick exactly one winner per profile")
        table: IntArray = np.argmax(wins, axis=1)
    else:
        above = np.zeros((P, sp.m, sp.m), dtype=bool)
        for x, y in itertools.permutations(range(sp.m), 2):
            lit = enc.above(allp, x, y)
            above[:, x, y] = np.where(lit > 0, val[np.abs(lit)], ~val[np.abs(lit)])
        table = np.argsort(-above.sum(axis=2), axis=1, kind="stable")   # social ranking, best first
    audit = audit_table(enc.kind, table, enc.seqs, sp, axioms)
    rows = []
    for p in range(min(P, TABLE_SHOWN)):
        chosen: Any = sp.names[int(table[p])] if enc.kind == "scf" else [sp.names[int(v)] for v in table[p]]
        rows.append({"profile": profile_json([int(v) for v in enc.seqs[p]], sp, anonymous=False), "outcome": chosen})
    digest = hashlib.sha256(json.dumps(table.tolist()).encode()).hexdigest()
    out: dict[str, Any] = {"entries": P, "shown": rows, "table_sha256": digest, "audit": audit,
                           "audit_method": "brute force over all ordered profiles and all misreports"}
    if P <= TABLE_FULL:
        out["table"] = table.tolist()
    return out


def audit_table(kind: str, table: IntArray, seqs: IntArray, sp: RankingSpace,
                axioms: tuple[str, ...]) -> dict[str, str]:
    """HOLDS / VIOLATED for each axiom, on the table of an SCF (winner per
    profile) or an SWF (social ranking per profile)."""
    P, n = seqs.shape
    R, m = sp.size, sp.m
    allp = np.arange(P)
    pref = sp.prefers()[seqs]                       # P x n x m x m
    if kind == "scf":
        social_pos = None
        out_eq = lambda a, b: table[a] == table[b]  # noqa: E731
    else:
        social_pos = np.argsort(table, axis=1)
        out_eq = lambda a, b: (table[a] == table[b]).all(axis=1)  # noqa: E731
    res: dict[str, bool] = {}
    for ax in axioms:
        if ax == "pareto":
            dom = np.asarray(pref.all(axis=1))
            if kind == "scf":
                res[ax] = not dom[allp, :, table].any()
            else:
                assert social_pos is not None
                soc = social_pos[:, :, None] < social_pos[:, None, :]
                res[ax] = not (dom & ~soc).any()
        elif ax == "anonymity":
            ok = True
            for i in range(n - 1):
                a, b = seqs[:, i], seqs[:, i + 1]
                q = allp + (b - a) * R ** (n - 1 - i) + (a - b) * R ** (n - 2 - i)
                ok &= bool(out_eq(q, allp).all())
            res[ax] = ok
        elif ax == "neutrality":
            ok = True
            w = R ** np.arange(n - 1, -1, -1)
            for sigma in itertools.permutations(range(m)):
                s = np.asarray(sigma)
                q = (sp.apply_perm(sigma)[seqs] * w[None, :]).sum(axis=1)
                ok &= bool((table[q] == s[table]).all())
            res[ax] = ok
        elif ax in ("condorcet-winner", "condorcet-loser"):
            sup = pref.sum(axis=1)
            margin = sup - sup.transpose(0, 2, 1)
            eye = np.eye(m, dtype=bool)[None]
            loser = ax == "condorcet-loser"
            special = np.asarray(np.where(eye, True, margin < 0 if loser else margin > 0).all(axis=2))
            has, who = special.any(axis=1), np.argmax(special, axis=1)
            top = table if kind == "scf" else table[:, 0]
            res[ax] = not (has & ((top == who) if loser else (top != who))).any()
        elif ax == "iia":
            bits = (pref * (1 << np.arange(n))[None, :, None, None]).sum(axis=1)
            ok = True
            for x, y in itertools.permutations(range(m), 2):
                if kind == "scf":
                    ok &= np.intersect1d(bits[table == x, x, y], bits[table == y, x, y]).size == 0
                else:
                    assert social_pos is not None
                    xy = social_pos[:, x] < social_pos[:, y]
                    ok &= np.intersect1d(bits[xy, x, y], bits[~xy, x, y]).size == 0
            res[ax] = bool(ok)
        elif ax == "strategyproofness":
            ok = True
            for i in range(n):
                true_pos = sp.pos[seqs[:, i]]
                for r2 in range(R):
                    q = allp + (r2 - seqs[:, i]) * R ** (n - 1 - i)
                    ok &= not (true_pos[allp, table[q]] < true_pos[allp, table]).any()
            res[ax] = bool(ok)
        elif ax == "monotonicity":
            from verigroup.elections.checks import lifts

            class _D:  # lifts() only reads .space
                space = sp
            ok = True
            for r, r2, x in lifts(_D()):  # type: ignore[arg-type]
                for i in range(n):
                    rows = np.nonzero((seqs[:, i] == r) & (table == x))[0]
                    q = rows + (r2 - r) * R ** (n - 1 - i)
                    ok &= bool((table[q] == x).all())
            res[ax] = ok
        elif ax == "non-dictatorship":
            dictator = False
            for i in range(n):
                if kind == "scf":
                    dictator |= bool((sp.perms[seqs[:, i], 0] == table).all())
                else:
                    dictator |= bool((sp.perms[seqs[:, i]] == table).all())
            res[ax] = not dictator
    return {k: "HOLDS" if v else "VIOLATED" for k, v in res.items()}
