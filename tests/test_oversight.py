"""Mixed play in protocols (issue 14 part 2): ``for every|some mixed nash``
play properties, their exact evidence and its replay."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import pytest

import verigroup
from verigroup.analyses.oversight import goal_probability, mixed_equilibria
from verigroup.cli.main import main
from verigroup.diagnostics import SpecError
from verigroup.extensive import plays as PL
from verigroup.extensive.profile import regrets
from verigroup.replay import replay_file

ROOT = Path(__file__).resolve().parent.parent
PENNIES = ROOT / "tests/data/evidence_corpus/oversight_mixed_play.vg"

PD = """game pd_protocol "a prisoner's dilemma played as a protocol (bob does not see alice)"
agents alice, bob
protocol:
    alice chooses cooperate, defect
    bob chooses cooperate, defect sees nothing
payoff alice = 3 if alice == cooperate and bob == cooperate else (5 if alice == defect and bob == cooperate else (0 if alice == cooperate else 1))
payoff bob = 3 if bob == cooperate and alice == cooperate else (5 if bob == defect and alice == cooperate else (0 if bob == cooperate else 1))
property "every equilibrium cooperates": for every mixed nash: eventually alice == cooperate
property "some equilibrium defects": for some mixed nash: eventually alice == defect
property "no equilibrium cooperates": for every mixed nash: never alice == cooperate
"""


def _results(text: str, name: str = "<spec>") -> dict[str, object]:
    rep = verigroup.parse(text, name).check(timeout=60)
    return {r.name: r for r in rep.results}


def _report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pennies.vg").write_text(PENNIES.read_text())
    main(["check", "pennies.vg", "--format", "json", "-o", "report.json"])


def test_pennies_violated_with_exact_probability_and_replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    res = _results(PENNIES.read_text(), str(PENNIES))
    bad = res["the guesser always wins"]
    assert bad.verdict.value == "VIOLATED"  # type: ignore[attr-defined]
    ev = bad.evidence  # type: ignore[attr-defined]
    assert ev["kind"] == "play" and ev["goal_probability"] == "1/2" and ev["probability"] == "1/4"
    assert ev["strategies"]["hider"]["hider"] == {"left": "1/2", "right": "1/2"}
    good = res["some equilibrium reaches the end with a guess"]
    assert good.verdict.value == "HOLDS" and "witness" in good.evidence  # type: ignore[attr-defined]
    _report(tmp_path, monkeypatch)
    r = replay_file(tmp_path / "report.json")
    assert r.ok, r.render()
    assert any("Nash equilibrium (exact regrets 0)" in f.detail for f in r.findings)


def test_replay_catches_tampering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    _report(tmp_path, monkeypatch)
    assert replay_file(tmp_path / "report.json").ok
    data = json.loads((tmp_path / "report.json").read_text())

    def results(d):  # the property results of the (single) spec in the report
        return d["reports"][0]["properties"]

    # a wrong probability of the goal
    for r in results(data):
        if r["verdict"] == "VIOLATED":
            r["evidence"]["goal_probability"] = "3/4"
    (tmp_path / "bad1.json").write_text(json.dumps(data))
    assert not replay_file(tmp_path / "bad1.json").ok
    # strategies that are not an equilibrium (the guesser always says left)
    data = json.loads((tmp_path / "report.json").read_text())
    for r in results(data):
        if r["verdict"] == "VIOLATED":
            r["evidence"]["strategies"]["guesser"]["guesser"] = "left"
            r["evidence"]["probability"] = "1/2"
    (tmp_path / "bad2.json").write_text(json.dumps(data))
    assert not replay_file(tmp_path / "bad2.json").ok


def test_general_sum_protocol():
    res = _results(PD)
    assert res["every equilibrium cooperates"].verdict.value == "VIOLATED"  # type: ignore[attr-defined]
    assert res["some equilibrium defects"].verdict.value == "HOLDS"  # type: ignore[attr-defined]
    # holds on the equilibria found, but they are not all: never HOLDS
    never = res["no equilibrium cooperates"]
    assert never.verdict.value == "UNKNOWN" and "do not enumerate" in never.message  # type: ignore[attr-defined]


def test_goal_probability_by_hand():
    tree = verigroup.parse(PENNIES.read_text(), "p.vg").protocol
    eqs, method = mixed_equilibria(tree)
    assert eqs and "sequence-form LP" in method
    for p in eqs:
        assert all(r == 0 for r in regrets(tree, p))
        # hider matches with probability sum_a P(h=a) P(g=a) = 1/2 exactly
        win = PL.PayoffCmp("guesser", "==", F(1))  # type: ignore[call-arg]
        assert goal_probability(tree, p, "eventually", win) == F(1, 2)
        assert goal_probability(tree, p, "never", win) == F(1, 2)
        assert goal_probability(tree, p, "eventually", PL.TrueP()) == 1  # type: ignore[call-arg]


def test_three_movers_unknown_and_no_protocol_error():
    three = """game three "three movers"
agents a, b, c
protocol:
    a chooses x, y
    b chooses x, y sees nothing
    c chooses x, y sees nothing
payoff a = 1 if a == b else 0
payoff b = 1 if b == c else 0
payoff c = 1 if c == a else 0
property "p": for every mixed nash: eventually a == x
"""
    r = _results(three)["p"]
    assert r.verdict.value == "UNKNOWN" and "two-agent" in r.message  # type: ignore[attr-defined]
    nogame = """game g "no protocol"
agents a, b: actions x, y
payoff a = 1
payoff b = 1
property "p": for every mixed nash: eventually a == x
"""
    with pytest.raises(SpecError) as exc:
        verigroup.parse(nogame, "g.vg")
    d = exc.value.diagnostics[0]
    assert d.code == "E110" and "protocol" in d.message and d.span.line == 5
