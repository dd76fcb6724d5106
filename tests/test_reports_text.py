"""The terminal output a person reads (issue 15, items 2, 7, 9, 10) and the
SARIF rule help and paths (item 15), through the real CLI."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from verigroup.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests/data/evidence_corpus"


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    import contextlib

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_threshold_discount_violation_prints_in_text() -> None:
    """Item 2: a VIOLATED threshold_discount claim crashed text output (exit 4)."""
    code, out = run("check", str(CORPUS / "protocol_shapes.vg"), str(CORPUS / "protocol_no_threshold.vg"))
    assert code == 1, out
    assert "internal error" not in out
    assert "threshold: 1/2 (attained)" in out
    assert "holds for: 1/2 ≤ delta < 1" in out  # the exact region as mathematics
    assert "holds for: ∅ (no value of delta)" in out  # no discount factor at all
    assert "Interval" not in out and "EmptySet" not in out


def test_spe_text_shows_choices_at_every_infoset_and_the_path() -> None:
    """Item 7: no empty ``#1:`` line; every agent's choice at each information
    set, and the equilibrium path."""
    code, out = run("solve", "specs/protocols/entry_deterrence.vg", "--concept", "spe")
    assert code == 0, out
    assert not re.search(r"#\d+:\s*$", out, re.M), out
    assert "#1: SPE; equilibrium path: entrant: enter → incumbent: accommodate → payoffs entrant=2, incumbent=2" \
        in out
    assert "entrant: at entrant: enter" in out
    assert "incumbent: at incumbent | entrant=enter: accommodate" in out


def test_spe_with_chance_lists_each_play_with_its_probability() -> None:
    code, out = run("solve", "specs/protocols/cheap_talk.vg", "--concept", "spe")
    assert code == 0, out
    assert not re.search(r"#\d+:\s*$", out, re.M), out
    assert "path with probability 1/2: chance: safe" in out
    assert "path with probability 1/2: chance: unsafe" in out


def test_false_claim_prints_its_two_sides() -> None:
    """Item 10: "the claim is false" alone is not evidence."""
    code, out = run("check", str(CORPUS / "strategic_shapes.vg"))
    assert code == 1
    block = out.split("max welfare is 7", 1)[1].split("HOLDS", 1)[0]
    assert "the two sides: left 6, right 7: 6 == 7 is false" in block
    assert "terms: max(welfare) = 6 at alice=cooperate, bob=cooperate" in block


def test_region_counterexample_shows_the_witnessing_equilibrium_and_region() -> None:
    code, out = run("check", "case_studies/llm_pipeline/pipeline.vg")
    assert code == 1
    block = out.split("any shared stake in [0, 1] keeps shipped bugs <= 1/10", 1)[1].split("  HOLDS", 1)[0]
    assert "counterexample at: alpha = 0" in block
    assert re.search(r"holds for: .*alpha", block), block
    # the witnessing equilibrium: pure, so named by its profile and payoffs
    assert "counterexample: a pure nash equilibrium where the property is false" in block
    assert "profile: " in block and "payoffs: " in block
    assert "[[" not in block and "closed" not in block


def test_play_and_strategy_counterexamples_show_the_play_and_the_strategy() -> None:
    code, out = run("check", str(CORPUS / "enforce_shapes.vg"))
    assert code == 1
    cannot = out.split("follower cannot force right", 1)[1].split("  HOLDS", 1)[0]
    assert "strategy: follower: after" in cannot and "→ right" in cannot
    can = out.split("leader can force right", 1)[1]
    assert "spoiling strategy: follower:" in can
    assert "play: leader: up → follower: left" in can


def test_solve_prints_no_python_literals() -> None:
    """Item 9: ``components_infinite: False`` and friends."""
    code, out = run("solve", "specs/prisoners_dilemma.vg", "--concept", "mixed")
    assert code == 0, out
    assert not re.search(r"\b(True|False)\b|\{'|\[\[", out), out


def test_sarif_rules_have_help_and_paths_are_repository_relative(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 15: rule help; a spec named from a subdirectory (``../x``) is
    relative to the repository root (the nearest ``.git``); one outside the
    repository is an absolute file URI."""
    text = (ROOT / "specs/prisoners_dilemma.vg").read_text(encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "specs").mkdir()
    (repo / "cases").mkdir()
    (repo / "cases" / "pd.vg").write_text(text, encoding="utf-8")
    outside = tmp_path / "outside.vg"
    outside.write_text(text, encoding="utf-8")
    monkeypatch.chdir(repo / "specs")
    code, out = run("check", "../cases/pd.vg", str(outside), "--format", "sarif")
    assert code == 1
    doc = json.loads(out[out.index("{"):])
    run_ = doc["runs"][0]
    uris = [a["location"]["uri"] for a in run_["artifacts"]]
    assert uris == ["cases/pd.vg", "file://" + outside.as_posix()], uris
    locs = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"]}
    assert locs == set(uris)
    for rule in run_["tool"]["driver"]["rules"]:
        assert rule["help"]["text"].startswith(rule["shortDescription"]["text"])
        assert "verigroup replay" in rule["help"]["text"] and "verigroup replay" in rule["help"]["markdown"]
        assert not re.search(r"\b(True|False)\b", rule["help"]["text"])


def test_long_behaviour_strategies_are_shown_along_the_play() -> None:
    """A behaviour strategy with many information sets is printed along the
    counterexample play only, saying how many others the JSON keeps; short
    ones (whose off-play choices are the threats explaining an SPE) and keys
    that do not match the play are printed whole."""
    from verigroup.reports.evidence import SHOWN_INFOSETS, evidence_lines
    from verigroup.verdicts import Verdict

    play = [{"actor": "chance", "move": "one", "state": "x = one"},
            {"actor": "a", "move": "hi", "state": "say = hi"},
            {"actor": "b", "move": "go", "state": "act = go"}]
    a = {f"say | x={v}": "hi" for v in ("zero", "one")}
    b = {f"act | say={m}, n{k}=v{k}": "go" for m in ("hi", "lo") for k in range(SHOWN_INFOSETS)}
    b["act | say=hi"] = "go"
    ev = {"kind": "play", "play": play, "strategies": {"a": a, "b": b}}
    lines = dict(evidence_lines(ev, Verdict.VIOLATED))
    shown = lines["equilibrium strategies"]
    assert "at say | x=one: hi" in shown and "say | x=zero" not in shown
    assert "at act | say=hi: go" in shown and "say=lo" not in shown
    total = len(a) + len(b)
    assert f"{total - 2} others are in the JSON report" in shown
    short = {"kind": "play", "play": play, "strategies": {"a": a}}
    assert "say | x=zero" in dict(evidence_lines(short, Verdict.VIOLATED))["equilibrium strategies"]
    unmatched = {"kind": "play", "play": [{"actor": "a", "move": "hi"}], "strategies": {"a": a, "b": b}}
    assert "others are in the JSON report" not in dict(evidence_lines(unmatched, Verdict.VIOLATED))[
        "equilibrium strategies"]
