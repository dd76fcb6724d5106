"""``verigroup dynamics``: the JSON schema ``verigroup.dynamics/1``, exit
codes, refusals of bad input with positions, pictures in HTML/Markdown, the
notebook display, and reproducible, statistical learning runs."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

import verigroup
from verigroup.dynamics import analyse

GOOD_RPS = """
game good_rps "win 2, lose 1"
agents p[1..2]: actions rock, paper, scissors
payoff p[i] = 0 if p[1] == p[2]
  else (2 if (p[i] == rock and count(j: p[j] == scissors) == 1)
          or (p[i] == paper and count(j: p[j] == rock) == 1)
          or (p[i] == scissors and count(j: p[j] == paper) == 1) else -1)
"""


def _json(cli, *argv: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    res = cli("dynamics", *argv, "--format", "json")
    assert res.code == 0, res
    return json.loads(res.out)


def test_hawk_dove_json(cli) -> None:  # type: ignore[no-untyped-def]
    doc = _json(cli, "specs/hawk_dove.vg")
    assert doc["schema"] == "verigroup.dynamics/1"
    assert doc["ess"] == [{"strategy": {"hawk": "2/3", "dove": "1/3"}}]
    stab = {json.dumps(r["strategy"], sort_keys=True): r["stability"] for r in doc["rest_points"]}
    assert stab == {json.dumps({"hawk": "2/3", "dove": "1/3"}, sort_keys=True): "stable",
                    json.dumps({"hawk": "1", "dove": "0"}, sort_keys=True): "unstable",
                    json.dumps({"hawk": "0", "dove": "1"}, sort_keys=True): "unstable"}
    assert doc["basins"] == [{"attractor": {"hawk": "2/3", "dove": "1/3"}, "share": "1", "exact": True,
                              "boundary": [{"hawk": "0", "dove": "1"}, {"hawk": "1", "dove": "0"}]}]
    assert "alpharank" not in doc and "learning" not in doc


def test_rps_has_no_ess_and_a_neutral_centre(cli) -> None:  # type: ignore[no-untyped-def]
    doc = _json(cli, "specs/rock_paper_scissors.vg", "--samples", "100")
    assert doc["ess"] == []
    centre = [r for r in doc["rest_points"] if r["strategy"] == {"rock": "1/3", "paper": "1/3", "scissors": "1/3"}]
    assert centre[0]["stability"] == "neutral"
    assert doc["neutrally_stable"] == [{"strategy": {"rock": "1/3", "paper": "1/3", "scissors": "1/3"}}]


def test_three_strategy_basins_are_estimates_with_intervals(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    spec = tmp_path / "good_rps.vg"
    spec.write_text(GOOD_RPS)
    doc = _json(cli, str(spec), "--samples", "200")
    assert doc["ess"] == [{"strategy": {"rock": "1/3", "paper": "1/3", "scissors": "1/3"}}]
    (b,) = doc["basins"]
    assert b["exact"] is False and b["share"].startswith("~")
    lo, hi = (float(x) for x in b["interval"])
    assert lo <= float(b["share"][1:]) <= hi and hi == 1.0


def test_stag_hunt_exact_basins_and_stochastic_stability(cli) -> None:  # type: ignore[no-untyped-def]
    doc = _json(cli, "specs/stag_hunt.vg")
    shares = {b["attractor"]["stag"]: b["share"] for b in doc["basins"]}
    assert shares == {"1": "1/4", "0": "3/4"}
    st = doc["stochastic_stability"]
    assert st["stochastically_stable"] == [{"strategy": {"stag": "0", "hare": "1"}}]
    leave = {c["strategy"]["stag"]: c["resistance_to_leave"] for c in st["conventions"]}
    assert leave == {"1": "1/4", "0": "3/4"}


def test_alpharank_sections(cli) -> None:  # type: ignore[no-untyped-def]
    doc = _json(cli, "specs/stag_hunt.vg", "--alpha", "2")
    ar = doc["alpharank"]
    assert ar["alpha"] == "2" and ar["exact"] is False and ar["fixation"] == "fermi"
    for e in ar["stationary"]:
        assert e["mass"].startswith("~") and float(e["interval"][0]) <= float(e["interval"][1])
    doc = _json(cli, "specs/stag_hunt.vg", "--alpha", "1/2", "--fixation", "moran", "--population-size", "10")
    masses = [e["mass"] for e in doc["alpharank"]["stationary"]]
    assert doc["alpharank"]["exact"] is True and "~" not in "".join(masses)
    doc = _json(cli, "specs/prisoners_dilemma.vg", "--alpha", "inf")
    assert doc["alpharank"]["alpha"] == "infinity"


def test_two_population_game(cli) -> None:  # type: ignore[no-untyped-def]
    doc = _json(cli, "specs/battle_of_the_sexes.vg", "--samples", "200")
    assert doc["kind"] == "two-population"
    assert len(doc["ess"]) == 2  # the strict equilibria
    assert all(not b["exact"] for b in doc["basins"])


@pytest.mark.parametrize("argv,code,needle", [
    (["specs/battle_of_the_sexes.vg", "--population", "east_bot"], "E202", "symmetric"),
    (["specs/public_goods.vg"], "E202", "4 agents"),
    (["specs/stag_hunt.vg", "--alpha", "-1"], "E401", "invalid alpha"),
    (["specs/stag_hunt.vg", "--alpha", "abc"], "E401", "invalid alpha"),
    (["specs/stag_hunt.vg", "--alpha", "2", "--fixation", "moran"], "E401", "Moran"),
    (["specs/stag_hunt.vg", "--alpha", "2", "--population-size", "1"], "E401", "--population-size"),
    (["specs/stag_hunt.vg", "--learners", "5"], "E401", "--seed"),
    (["specs/stag_hunt.vg", "--learners", "0", "--seed", "1"], "E401", "--learners"),
    (["specs/stag_hunt.vg", "--population", "nobody"], "E401", "no population"),
    (["specs/protocols/ultimatum.vg"], "E202", "protocol"),
    (["specs/stag_hunt.vg", "--samples", "0"], "E401", "--samples"),
])
def test_bad_input_is_refused_with_position(cli, argv: list[str], code: str, needle: str) -> None:  # type: ignore[no-untyped-def]
    res = cli("dynamics", *argv)
    assert res.code == 2, res
    assert f"error[{code}]" in res.err and needle in res.err
    assert "Traceback" not in res.err
    if code == "E202" and "protocol" not in needle:
        assert "^" in res.err and ":" in res.err.splitlines()[0]  # file:line:col with a caret


def test_too_many_strategies_refused(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    acts = ", ".join(f"s{k}" for k in range(13))
    spec = tmp_path / "big.vg"
    spec.write_text(f"agents a[1..2]: actions {acts}\npayoff a[i] = 1 if a[1] == a[2] else 0\n")
    res = cli("dynamics", str(spec))
    assert res.code == 2 and "E202" in res.err and "13 strategies" in res.err


def test_learning_is_statistical_reproducible_and_has_intervals(cli) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pyspiel")
    argv = ("specs/stag_hunt.vg", "--learners", "6", "--seed", "11", "--episodes", "150")
    a, b = _json(cli, *argv), _json(cli, *argv)
    assert a["learning"] == b["learning"]
    lg = a["learning"]
    assert lg["status"] == "STATISTICAL" and lg["seeds"] == "11..16"
    for lr in lg["learners"]:
        assert sum(o["runs"] for o in lr["outcomes"]) == 6
        seen = sorted(s for o in lr["outcomes"] for s in o["seeds"])
        assert seen == list(range(11, 17))
        for o in lr["outcomes"]:
            lo, hi = (float(x) for x in o["interval"])
            num, _, den = o["share"].partition("/")
            share = int(num) / int(den or 1)
            assert lo <= share <= hi


def test_html_and_markdown_embed_png_pictures(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("matplotlib")
    out = tmp_path / "r.html"
    res = cli("dynamics", "specs/stag_hunt.vg", "--alpha", "1", "--format", "html", "-o", str(out))
    assert res.code == 0
    text = out.read_text()
    assert text.startswith("<!DOCTYPE html>") and "http" not in text.split("<body>")[1].split("data:")[0]
    uris = [part.split('"')[0] for part in text.split('src="data:image/png;base64,')[1:]]
    assert len(uris) == 2  # phase portrait, alpha-Rank graph
    for u in uris:
        assert base64.b64decode(u)[:8] == b"\x89PNG\r\n\x1a\n"
    res = cli("dynamics", "specs/rock_paper_scissors.vg", "--samples", "50", "--format", "markdown")
    assert res.code == 0 and "![phase portrait and basins](data:image/png;base64," in res.out


def test_notebook_display() -> None:
    pytest.importorskip("matplotlib")
    res = analyse(verigroup.load("specs/hawk_dove.vg"))
    html = res._repr_html_()
    assert "verigroup-dynamics" in html and "data:image/png;base64," in html
