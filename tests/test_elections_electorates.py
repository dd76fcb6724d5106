"""The SAT route for participation and reinforcement (rules over every
electorate of 1..n voters, issue 11 / SOCIAL3).

* for two alternatives, the SAT answer equals a brute force over *every*
  rule (every table over the profiles of 1..n voters), checked with plain
  definitions written here;
* SAT witnesses pass the exhaustive audit; UNSAT answers come with a core
  re-checked by a second solver and a DRAT proof;
* replay re-audits the witness table and catches a tampered one.
"""

from __future__ import annotations

import itertools
import json

import pytest

from verigroup.elections.impossible import impossible

RANKS = [(0, 1), (1, 0)]


def _profiles(k: int, anonymous: bool) -> list[tuple[tuple[int, ...], ...]]:
    if anonymous:
        return list(itertools.combinations_with_replacement(RANKS, k))
    return list(itertools.product(RANKS, repeat=k))


def _key(p: tuple[tuple[int, ...], ...], anonymous: bool) -> tuple[tuple[int, ...], ...]:
    return tuple(sorted(p)) if anonymous else p


def _ok(f: dict, axioms: tuple[str, ...], n: int, anonymous: bool) -> bool:  # type: ignore[type-arg]
    def w(p: tuple[tuple[int, ...], ...]) -> int:
        return int(f[_key(p, anonymous)])

    for k in range(1, n + 1):
        for p in itertools.product(RANKS, repeat=k):
            o = w(p)
            sup0 = sum(1 for r in p if r[0] == 0)        # voters ranking alternative 0 first
            if "pareto" in axioms and sup0 in (0, k) and o != p[0][0]:
                return False
            if "condorcet-winner" in axioms and 2 * sup0 != k and o != (0 if 2 * sup0 > k else 1):
                return False
            if "condorcet-loser" in axioms and 2 * sup0 != k and o == (1 if 2 * sup0 > k else 0):
                return False
            for i in range(k):
                if "strategyproofness" in axioms:
                    lie = p[:i] + (p[i][::-1],) + p[i + 1:]
                    if p[i].index(w(lie)) < p[i].index(o):
                        return False
                if "monotonicity" in axioms and p[i][0] != o:   # raise the winner in voter i's ranking
                    lift = p[:i] + (p[i][::-1],) + p[i + 1:]
                    if w(lift) != o:
                        return False
                if "participation" in axioms and k >= 2:
                    without = p[:i] + p[i + 1:]
                    if p[i].index(w(without)) < p[i].index(o):
                        return False
            if "reinforcement" in axioms:
                for k1 in range(1, k):
                    a, b = p[:k1], p[k1:]
                    if w(a) == w(b) and o != w(a):
                        return False
    return True


def brute_possible(axioms: tuple[str, ...], n: int) -> bool:
    anonymous = "anonymity" in axioms
    keys = [q for k in range(1, n + 1) for q in _profiles(k, anonymous)]
    for values in itertools.product((0, 1), repeat=len(keys)):
        if _ok(dict(zip(keys, values)), axioms, n, anonymous):
            return True
    return False


COMBOS = [
    ("participation", "condorcet-winner", "anonymity"),
    ("participation", "pareto", "strategyproofness"),
    ("participation", "condorcet-loser", "monotonicity", "anonymity"),
    ("reinforcement", "condorcet-winner", "anonymity"),
    ("reinforcement", "pareto", "anonymity", "monotonicity"),
    ("reinforcement", "participation", "condorcet-winner", "anonymity", "strategyproofness"),
    ("participation", "pareto"),
]


@pytest.mark.parametrize("axioms", COMBOS, ids=["+".join(a) for a in COMBOS])
def test_sat_answer_equals_every_rule_enumerated(axioms: tuple[str, ...]) -> None:
    n = 3 if "anonymity" in axioms else 2
    res = impossible(axioms, n, 2, "scf", core=False)
    assert res.satisfiable is brute_possible(axioms, n), axioms
    if res.satisfiable:
        assert res.witness is not None and all(v == "HOLDS" for v in res.witness["audit"].values())


def brute_rules(axioms: tuple[str, ...], n: int) -> set[tuple[int, ...]]:
    anonymous = "anonymity" in axioms
    keys = [q for k in range(1, n + 1) for q in _profiles(k, anonymous)]
    return {values for values in itertools.product((0, 1), repeat=len(keys))
            if _ok(dict(zip(keys, values)), axioms, n, anonymous)}


@pytest.mark.parametrize("axioms", COMBOS, ids=["+".join(a) for a in COMBOS])
def test_encoding_models_are_exactly_the_rules(axioms: tuple[str, ...]) -> None:
    """Every model of the CNF (enumerated with blocking clauses) is a rule
    satisfying the axioms and every such rule is a model: the clauses neither
    over- nor under-constrain (two alternatives: adjacent swaps are all
    misreports)."""
    import numpy as np
    from pysat.solvers import Solver

    from verigroup.elections.electorates import encode_levels
    from verigroup.elections.profiles import ranking_space

    n = 3 if "anonymity" in axioms else 2
    anonymous = "anonymity" in axioms
    enc = encode_levels(axioms, n, ranking_space(2))
    keys = [q for k in range(1, n + 1) for q in _profiles(k, anonymous)]
    lits = [int(enc.win(int(enc.gid(len(q), np.array([[RANKS.index(r) for r in q]]))[0]), 1)) for q in keys]
    models = set()
    with Solver(name="cadical153", bootstrap_with=enc.clause_lists()) as s:
        while s.solve():
            model = set(s.get_model() or [])
            row = tuple(int(v in model) for v in lits)
            models.add(row)
            s.add_clause([-v if b else v for v, b in zip(lits, row)])
    assert models == brute_rules(axioms, n)
    assert len(models) < 2 ** len(keys)     # the axioms do constrain


def test_unsat_certificate() -> None:
    res = impossible(("pareto", "participation", "strategyproofness", "anonymity"), 2, 3, "scf", core=True)
    assert res.satisfiable is False
    core = (res.certificate or {})["core"]
    assert core["rechecked_unsat_by"] == "glucose4" and core["profiles"] >= 1
    assert res.encoding["electorates"].startswith("every electorate of 1..2")


def test_drat_proof_and_replay(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    proof = tmp_path / "p.drat"
    r = cli("impossible", "--axiom", "pareto", "--axiom", "participation", "--axiom", "strategyproofness",
            "--axiom", "anonymity", "--voters", "2", "--alternatives", "3", "--proof", str(proof),
            "--format", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["satisfiable"] is False and doc["certificate"]["drat"]["lemmas"] > 0
    checked = doc["certificate"]["drat"]["checked"]
    assert checked is None or checked == "verified by dratify"
    # a SAT witness over electorates replays; a tampered table does not
    r = cli("impossible", "--axiom", "condorcet-winner", "--axiom", "participation", "--axiom", "anonymity",
            "--voters", "3", "--alternatives", "3", "--format", "json")
    doc = json.loads(r.out)
    assert doc["satisfiable"] is True and len(doc["witness"]["table"]) == 6 + 36 + 216
    p = tmp_path / "w.json"
    p.write_text(r.out)
    assert cli("replay", str(p)).code == 0
    doc["witness"]["table"][50] = (doc["witness"]["table"][50] + 1) % 3
    p.write_text(json.dumps(doc))
    assert cli("replay", str(p)).code != 0
