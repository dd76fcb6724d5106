"""Impossibility and possibility through SAT, against theorems with known
answers (Arrow, Gibbard-Satterthwaite, Moulin's anonymity + neutrality
condition) and against the brute-force audit of the witness rules; the DRAT
proof is checked by an independent checker and a tampered one is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("pysat")

from verigroup.diagnostics import SpecError
from verigroup.elections.encode import encode
from verigroup.elections.impossible import impossible
from verigroup.elections.profiles import ranking_space
from verigroup.elections.witness import audit_table


def test_arrow_small() -> None:
    r = impossible(("pareto", "iia", "non-dictatorship"), 2, 3, "swf")
    assert r.satisfiable is False
    core = r.certificate["core"]  # type: ignore[index]
    assert core["rechecked_unsat_by"] == "glucose4"
    # Arrow's hypotheses are consistent once one of them is dropped
    for dropped in ("pareto", "iia", "non-dictatorship"):
        rest = tuple(a for a in ("pareto", "iia", "non-dictatorship") if a != dropped)
        ok = impossible(rest, 2, 3, "swf")
        assert ok.satisfiable is True, dropped
        assert all(v == "HOLDS" for v in ok.witness["audit"].values())  # type: ignore[index]


def test_arrow_needs_three_alternatives() -> None:
    assert impossible(("pareto", "iia", "non-dictatorship"), 3, 2, "swf").satisfiable is True


def test_gibbard_satterthwaite_small() -> None:
    assert impossible(("pareto", "strategyproofness", "non-dictatorship"), 2, 3, "scf").satisfiable is False
    # with two alternatives majority-like rules are strategyproof and not dictatorial
    two = impossible(("pareto", "strategyproofness", "non-dictatorship"), 3, 2, "scf")
    assert two.satisfiable is True and two.witness["audit"]["strategyproofness"] == "HOLDS"  # type: ignore[index]


def _sum_of_divisors(m: int, n: int) -> bool:
    """Can m be written as a sum of divisors of n that are at least 2?"""
    reach = {0}
    for _ in range(m):
        reach |= {s + d for s in reach for d in range(2, n + 1) if n % d == 0 and s + d <= m}
    return m in reach


@pytest.mark.parametrize("n,m", [(2, 2), (3, 2), (4, 2), (2, 3), (3, 3), (4, 3), (5, 3)])
def test_moulin_anonymous_neutral_resolute(n: int, m: int) -> None:
    """A resolute anonymous neutral SCF exists iff m is not a sum of divisors
    (>= 2) of n (Moulin 1983): a renaming of the alternatives without a fixed
    point that maps some profile to a reordering of itself."""
    possible = not _sum_of_divisors(m, n)
    r = impossible(("anonymity", "neutrality"), n, m, "scf")
    assert r.satisfiable is possible
    if possible:
        assert r.witness["audit"] == {"anonymity": "HOLDS", "neutrality": "HOLDS"}  # type: ignore[index]
    else:
        assert r.certificate["core"]["profiles"] >= 1  # type: ignore[index]


def test_cycle_profile_is_the_core() -> None:
    r = impossible(("anonymity", "neutrality", "pareto"), 3, 3, "scf")
    core = r.certificate["core"]  # type: ignore[index]
    assert core["minimal"] and core["profiles"] == 1
    rankings = sorted(tuple(e["ranking"]) for e in core["shown"][0])
    # a Condorcet cycle: every alternative is first, second and third once
    assert all(sorted(r[k] for r in rankings) == ["a", "b", "c"] for k in range(3))


def test_witness_audit_catches_a_broken_table() -> None:
    sp = ranking_space(3)
    enc = encode("scf", (), 2, sp)
    table = sp.perms[enc.seqs[:, 0], 0]          # voter 1 dictates
    assert audit_table("scf", table, enc.seqs, sp, ("strategyproofness", "non-dictatorship", "pareto")) == \
        {"strategyproofness": "HOLDS", "non-dictatorship": "VIOLATED", "pareto": "HOLDS"}
    bad = table.copy()
    bad[5] = (bad[5] + 1) % 3
    assert audit_table("scf", bad, enc.seqs, sp, ("strategyproofness",))["strategyproofness"] == "VIOLATED"


def test_drat_proof_checks_and_tampering_is_refused(tmp_path: Path) -> None:
    dratify = pytest.importorskip("dratify")
    proof = tmp_path / "gs.drat"
    r = impossible(("pareto", "strategyproofness", "non-dictatorship"), 2, 3, "scf", proof_path=str(proof), core=False)
    drat = r.certificate["drat"]  # type: ignore[index]
    assert drat["checked"] == "verified by dratify"
    cnf = Path(drat["cnf_file"]).read_text().splitlines()
    # drop the strategyproofness clauses: the proof no longer refutes what is left
    kept = [c for c in cnf[1:] if len(c.split()) != 3 or c.startswith("-") is False]
    weak = tmp_path / "weak.cnf"
    weak.write_text(f"p cnf {cnf[0].split()[2]} {len(kept)}\n" + "\n".join(kept) + "\n")
    res = dratify.check_proof(dratify.parse_dimacs(weak.read_text()), proof.read_text())
    assert not res.ok


def test_timeout_is_unknown() -> None:
    r = impossible(("pareto", "iia", "non-dictatorship"), 3, 4, "swf", timeout=0.2)
    assert r.satisfiable is None and r.exit_code == 3 and "time" in (r.reason or "")


def test_refusals() -> None:
    with pytest.raises(SpecError) as e:
        impossible(("pareto",), 4, 5, "scf")
    assert "E604" in e.value.render() and "120" in e.value.render()
    with pytest.raises(SpecError) as e:   # participation is encoded with the per-size axioms only
        impossible(("participation", "iia"), 2, 3, "scf")
    assert "E606" in e.value.render() and "1..n voters" in e.value.render()
    with pytest.raises(SpecError) as e:
        impossible(("participation",), 2, 3, "swf")
    assert "E606" in e.value.render()
    with pytest.raises(SpecError) as e:   # every electorate 1..4 of 4 alternatives: 24 + ... + 24^4 profiles
        impossible(("reinforcement",), 4, 4, "scf")
    assert "E604" in e.value.render() and str(24 + 24 ** 2 + 24 ** 3 + 24 ** 4) in e.value.render()
    with pytest.raises(SpecError) as e:
        impossible(("strategyproofness",), 2, 3, "swf")
    assert "E606" in e.value.render()
    with pytest.raises(SpecError) as e:
        impossible(("paretto",), 2, 3, "scf")
    assert "did you mean `pareto`" in e.value.render()


@pytest.mark.slow
@pytest.mark.parametrize("kind,n,m,axioms", [
    ("swf", 3, 4, ("pareto", "iia", "non-dictatorship")),
    ("swf", 2, 5, ("pareto", "iia", "non-dictatorship")),
    ("scf", 3, 4, ("pareto", "strategyproofness", "non-dictatorship")),
])
def test_benchmark_theorems(kind: str, n: int, m: int, axioms: tuple[str, ...]) -> None:
    r = impossible(axioms, n, m, kind, core=False)
    assert r.satisfiable is False
    assert r.timings["build_seconds"] + r.timings["solve_seconds"] < 30


def test_anonymity_shares_variables() -> None:
    sp = ranking_space(3)
    enc = encode("scf", ("anonymity",), 3, sp)
    assert enc.n_blocks == 56 and len(np.unique(enc.canon)) == 56
