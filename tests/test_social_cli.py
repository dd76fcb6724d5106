"""The `axioms` and `impossible` commands: JSON shape, exit codes, bad input
(exit 2 with a positioned, coded message, never a traceback), replay of
their documents (and of tampered ones), and the impartial-culture measure
against a brute-force count."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import pytest

from verigroup.elections import reference as ref
from verigroup.elections.rules import make_rule


def test_axioms_json_shape(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("axioms", "--rule", "plurality", "--voters", "4", "--alternatives", "3", "--format", "json")
    assert res.code == 1, res.err
    doc = json.loads(res.out)
    assert doc["schema"] == "verigroup.axioms/1" and doc["alternatives"] == ["a", "b", "c"]
    assert set(doc["axioms"]) == {"pareto", "anonymity", "neutrality", "monotonicity", "condorcet-winner",
                                  "condorcet-loser", "reinforcement", "participation", "iia", "strategyproofness",
                                  "non-dictatorship"}
    sp = doc["axioms"]["strategyproofness"]
    assert sp["verdict"] == "VIOLATED"
    cex = sp["counterexample"]
    assert all(set(e) == {"ranking", "count"} for e in cex["profile"])
    assert {"manipulator", "misreport", "outcome", "manipulated_outcome"} <= set(cex)
    assert doc["axioms"]["pareto"]["verdict"] == "HOLDS"


def test_exit_codes(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("axioms", "--rule", "borda", "--voters", "4", "--alternatives", "3", "--axiom", "pareto").code == 0
    assert cli("axioms", "--rule", "borda", "--voters", "4", "--alternatives", "3",
               "--axiom", "strategyproofness").code == 1
    assert cli("impossible", "--axiom", "pareto", "--axiom", "iia", "--axiom", "non-dictatorship",
               "--voters", "2", "--alternatives", "3", "--kind", "swf").code == 0


@pytest.mark.parametrize("argv,needle", [
    (["axioms", "--rule", "plurallity", "--voters", "3", "--alternatives", "3"], "did you mean `plurality`"),
    (["axioms", "--rule", "borda", "--voters", "3", "--alternatives", "3", "--axiom", "iia2"], "E605"),
    (["axioms", "--rule", "borda", "--voters", "9", "--alternatives", "5"], "E604"),
    (["axioms", "--rule", "dictatorship", "--voters", "6", "--alternatives", "4"], "191102976"),
    (["axioms", "--rule", "borda", "--voters", "3", "--alternatives", "12"], "12 alternatives"),
    (["axioms", "--rule", "borda", "--voters", "0", "--alternatives", "3"], "E604"),
    (["axioms", "--rule", "approval", "--voters", "2", "--alternatives", "3", "--approve", "5"], "--approve"),
    (["impossible", "--axiom", "pareto", "--voters", "5", "--alternatives", "4"], "7962624"),
    (["impossible", "--axiom", "reinforcement", "--axiom", "iia", "--voters", "2", "--alternatives", "3"], "E606"),
    (["impossible", "--axiom", "participation", "--voters", "5", "--alternatives", "4"], "E604"),
    (["impossible", "--axiom", "pareto", "--voters", "2", "--alternatives", "3", "--timeout", "-1"], "--timeout"),
])
def test_bad_input(cli, argv: list[str], needle: str) -> None:  # type: ignore[no-untyped-def]
    res = cli(*argv)
    assert res.code == 2, (res.out, res.err)
    assert needle in res.err and "Traceback" not in res.err


def test_replay_round_trip_and_tampering(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc_path = tmp_path / "irv.json"
    assert cli("axioms", "--rule", "irv", "--voters", "4", "--alternatives", "3", "--format", "json",
               "-o", str(doc_path)).code == 1
    ok = cli("replay", str(doc_path))
    assert ok.code == 0 and "MISMATCH" not in ok.out, ok.out
    doc = json.loads(doc_path.read_text())
    cex = doc["axioms"]["strategyproofness"]["counterexample"]
    cex["manipulated_outcome"] = cex["outcome"]          # a lie: the misreport changes nothing
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    res = cli("replay", str(bad))
    assert res.code == 1 and "MISMATCH" in res.out
    doc = json.loads(doc_path.read_text())
    doc["axioms"]["pareto"]["verdict"] = "VIOLATED"      # a verdict the fresh audit contradicts
    bad.write_text(json.dumps(doc))
    assert cli("replay", str(bad)).code == 1


def test_replay_impossible(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "gs.json"
    assert cli("impossible", "--axiom", "pareto", "--axiom", "strategyproofness", "--axiom", "non-dictatorship",
               "--voters", "2", "--alternatives", "3", "--format", "json", "-o", str(out)).code == 0
    doc = json.loads(out.read_text())
    assert doc["schema"] == "verigroup.impossible/1" and doc["satisfiable"] is False
    assert doc["certificate"]["core"]["rechecked_unsat_by"]
    assert cli("replay", str(out)).code == 0
    doc["satisfiable"] = True
    out.write_text(json.dumps(doc))
    assert cli("replay", str(out)).code == 1


def _manipulable_share(rule: str, n: int, m: int) -> Fraction:
    rankings = list(itertools.permutations(range(m)))
    k = make_rule(rule, m).approve
    bad = 0
    for p in itertools.product(rankings, repeat=n):
        o = ref.outcome(rule, list(p), m, k)
        if any(ref.gains(p[i], ref.outcome(rule, list(p[:i]) + [r] + list(p[i + 1:]), m, k), o)
               for i in range(n) for r in rankings):
            bad += 1
    return Fraction(bad, len(rankings) ** n)


@pytest.mark.parametrize("rule", ["plurality", "borda", "irv"])
def test_impartial_culture_measure(cli, rule: str) -> None:  # type: ignore[no-untyped-def]
    res = cli("axioms", "--rule", rule, "--voters", "3", "--alternatives", "3", "--exact", "--measure",
              "--axiom", "strategyproofness", "--format", "json")
    got = Fraction(json.loads(res.out)["axioms"]["strategyproofness"]["measure"]["impartial_culture_probability"])
    assert got == _manipulable_share(rule, 3, 3)


def test_axioms_timeout_is_unknown(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("axioms", "--rule", "borda", "--voters", "7", "--alternatives", "4", "--timeout", "0.01",
              "--axiom", "pareto", "--axiom", "monotonicity", "--format", "json")
    doc = json.loads(res.out)
    assert res.code == 3
    assert all(r["verdict"] == "UNKNOWN" for r in doc["axioms"].values())
