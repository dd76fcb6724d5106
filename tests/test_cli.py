"""The CLI contract: exit codes, formats, bad input never a traceback."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

PD = "specs/prisoners_dilemma.vg"


def test_help(cli) -> None:
    res = cli("--help")
    assert res.code == 0 and "check" in res.out


def test_no_command_is_usage_error(cli) -> None:
    assert cli().code == 2


def test_unknown_flag(cli) -> None:
    res = cli("check", PD, "--bogus")
    assert res.code == 2 and "Traceback" not in res.err and "E401" in res.err


def test_check_exit_codes(cli, tmp_path: Path) -> None:
    # PD states violated properties -> 1
    assert cli("check", PD).code == 1
    good = tmp_path / "good.vg"
    good.write_text(
        "game g\nagents x, y: actions a, b\npayoff x = 1 if x == a else 0\n"
        "payoff y = 1 if y == a else 0\nproperty \"a dominant\": strictly dominant(x, a)\n"
    )
    assert cli("check", str(good)).code == 0


def test_missing_file(cli) -> None:
    res = cli("check", "no/such/file.vg")
    assert res.code == 2 and "no such file" in res.err and "Traceback" not in res.err


@pytest.mark.parametrize("content,code", [
    (b"", "E006"),
    (b"# only a comment\n", "E006"),
    (b"\x00\x01\x02binary", "E005"),
    (b"game g\nagent x: actions a\npayoff x = \xff\xfe\n", "E005"),
    (b"game g\nagents a[1..1000000]: actions x, y\npayoff a[i] = 1\n", "E007"),
    (b"game g\nagents x, y: actions a, b\npayoff x = (1 if x == a else", "E002"),
])
def test_bad_files_exit_2(cli, tmp_path: Path, content: bytes, code: str) -> None:
    f = tmp_path / "bad.vg"
    f.write_bytes(content)
    res = cli("check", str(f))
    assert res.code == 2, res
    assert code in res.err, res
    assert "Traceback" not in res.err


def test_deep_nesting_refused(cli, tmp_path: Path) -> None:
    f = tmp_path / "deep.vg"
    f.write_text("game g\nagent x: actions a\npayoff x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    res = cli("check", str(f))
    assert res.code == 2 and "E007" in res.err


def test_huge_game_solve_refused_with_size(cli, tmp_path: Path) -> None:
    f = tmp_path / "huge.vg"
    f.write_text("game g\nagents a[1..30]: actions x, y\npayoff a[i] = count(j: a[j] == x)\n")
    res = cli("solve", str(f))
    assert res.code == 2
    assert "1,073,741,824" in res.err and "Traceback" not in res.err


def test_solve_json_contract(cli) -> None:
    res = cli("solve", PD, "--format", "json")
    assert res.code == 0, res
    doc = json.loads(res.out)
    eqs = doc["equilibria"]
    assert len(eqs) == 1
    e = eqs[0]
    assert e["concept"] == "pure_nash"
    assert e["strategies"] == {"alice": {"defect": "1"}, "bob": {"defect": "1"}}
    assert {k: Fraction(v) for k, v in e["payoffs"].items()} == {"alice": 1, "bob": 1}


def test_json_is_byte_identical(cli) -> None:
    a = cli("check", PD, "--format", "json").out
    b = cli("check", PD, "--format", "json").out
    assert a == b and json.loads(a)["schema"] == "verigroup.check/1"


def test_set_override(cli) -> None:
    base = json.loads(cli("solve", "specs/public_goods.vg", "--format", "json").out)
    assert base["spec"]["params"]["r"] == "8/5"
    # with r = 5 > n = 4 contributing becomes dominant
    res = cli("solve", "specs/public_goods.vg", "--format", "json", "--set", "r=5")
    doc = json.loads(res.out)
    assert doc["spec"]["params"]["r"] == "5"
    assert all(s == {"contribute": "1"} for s in doc["equilibria"][0]["strategies"].values())


def test_set_unknown_param(cli) -> None:
    res = cli("solve", "specs/public_goods.vg", "--set", "rr=2")
    assert res.code == 2 and "rr" in res.err


def test_set_malformed(cli) -> None:
    res = cli("solve", "specs/public_goods.vg", "--set", "r")
    assert res.code == 2 and "NAME=VALUE" in res.err


def test_show(cli) -> None:
    res = cli("show", PD)
    assert res.code == 0 and "alice" in res.out and "defect" in res.out


def test_export_nfg_roundtrip(cli, tmp_path: Path) -> None:
    out = tmp_path / "pd.nfg"
    assert cli("export", PD, "--to", "nfg", "-o", str(out)).code == 0
    a = json.loads(cli("solve", PD, "--format", "json").out)["equilibria"]
    b = json.loads(cli("solve", str(out), "--format", "json").out)["equilibria"]
    assert [e["strategies"] for e in a] == [e["strategies"] for e in b]
    assert [e["payoffs"] for e in a] == [e["payoffs"] for e in b]


def test_solve_pure_summary(cli) -> None:
    doc = json.loads(cli("solve", "specs/public_goods.vg", "--format", "json").out)
    # textbook: with r = 8/5 < n = 4 withholding is strictly dominant for every agent
    assert all(d["strictly_dominant"] == ["withhold"] for d in doc["dominance"].values())
    assert doc["iesds"]["surviving"] == {f"a[{i}]": ["withhold"] for i in range(1, 5)}
    w = doc["optima"]["welfare"]
    # all contribute: each gets r*c*4/4 - c = 3/5, welfare 12/5
    assert w["max"] == "12/5" and w["argmax"] == [{f"a[{i}]": "contribute" for i in range(1, 5)}]
    assert w["min"] == "0"
    stag = json.loads(cli("solve", "specs/stag_hunt.vg", "--format", "json").out)
    assert all(not d["strictly_dominant"] for d in stag["dominance"].values())


def _is_ce(model, dist: list[dict]) -> bool:
    """Exact obedience check of a correlated distribution, by brute force."""
    g = model.game()
    idx = {p: i for i, p in enumerate(g.players)}
    probs = {}
    for d in dist:
        prof = tuple(g.actions[idx[a]].index(x) for a, x in d["profile"].items())
        probs[prof] = Fraction(d["probability"])
    if sum(probs.values()) != 1 or any(v < 0 for v in probs.values()):
        return False
    for i in range(g.num_players):
        for rec in range(g.shape[i]):
            for dev in range(g.shape[i]):
                gain = Fraction(0)
                for prof, pr in probs.items():
                    if prof[i] != rec:
                        continue
                    alt = prof[:i] + (dev,) + prof[i + 1:]
                    gain += pr * (g.payoff(i, alt) - g.payoff(i, prof))
                if gain > 0:
                    return False
    return True


def test_solve_correlated_contract(cli) -> None:
    import verigroup

    model = verigroup.load("specs/chicken.vg")
    doc = json.loads(cli("solve", "specs/chicken.vg", "--concept", "correlated", "--format", "json").out)
    (eq,) = doc["equilibria"]
    assert eq["concept"] == "correlated" and _is_ce(model, eq["distribution"])
    total = sum(Fraction(v) for v in eq["payoffs"].values())
    # at least as good as the best pure equilibrium's payoff sum (pure NE are CE)
    pure = json.loads(cli("solve", "specs/chicken.vg", "--format", "json").out)["equilibria"]
    assert total >= max(sum(Fraction(v) for v in e["payoffs"].values()) for e in pure)
    low = json.loads(cli("solve", "specs/chicken.vg", "--concept", "correlated", "--objective", "crashes",
                         "--minimize", "--format", "json").out)
    (e2,) = low["equilibria"]
    assert _is_ce(model, e2["distribution"]) and Fraction(e2["metrics"]["crashes"]) == 0
    assert cli("solve", "specs/chicken.vg", "--concept", "correlated", "--objective", "nope").code == 2
