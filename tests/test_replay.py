"""`verigroup replay`: reports written by `verigroup check` re-check from the
spec alone; tampered reports and edited specs are caught, naming the property
and the field; files that are not check reports are refused (exit 2).

The tampering tests edit one value of a real report, so a replay that
accepted anything would fail them."""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import pytest

from verigroup.replay import EvidenceChecker, Oracle, ReplayResult, replay_file

ROOT = Path(__file__).resolve().parent.parent

FLEET = """\
game fleet "Three cars at a merge"

param n = 3

agents car[1..n]:
    actions yield, rush

payoff car[i] = (2 if car[i] == rush else 1) - (3 if count(j: car[j] == rush) == n else 0)

metric harm = count(j: car[j] == rush)
metric welfare = sum(i in 1..n: payoff(car[i]))

profile calm = {car: yield}

property "calm is an equilibrium": nash calm
property "calm is strong": strong_nash(calm)
property "calm is immune": immune(calm, t = 1)
property "harm stays low": immune(calm, t = 2, harm <= 1)
property "robust": robust(calm, k = 1, t = 1)
property "rational": individually_rational(calm, outside = {car: 2})
property "equilibria are calm": for every nash p: harm(p) <= 1
property "welfare claim": max(welfare) == 4
property "rush dominant": dominant(car[i], rush) for all i
property "unique": unique nash
property "efficient": pareto_efficient(nash)
"""

# Aumann's chicken (textbook correlated-equilibrium example).
CHICKEN = """\
game chicken
agents row, col: actions dare, chicken
payoff row = 0 if row == dare and col == dare else (7 if row == dare else (2 if col == dare else 6))
payoff col = 0 if row == dare and col == dare else (7 if col == dare else (2 if row == dare else 6))
metric welfare = payoff(row) + payoff(col)
property "chicken-chicken is stable": nash {row: chicken, col: chicken}
"""


def check_json(cli: Any, spec: Path, out: Path) -> dict[str, Any]:
    res = cli("check", str(spec), "--format", "json", "-o", str(out))
    assert res.code in (0, 1, 3), res
    return json.loads(out.read_text())  # type: ignore[no-any-return]


def prop(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in doc["reports"][0]["properties"] if p["name"] == name)


@pytest.fixture
def fleet(tmp_path: Path, cli: Any) -> tuple[Path, Path, dict[str, Any]]:
    spec = tmp_path / "fleet.vg"
    spec.write_text(FLEET)
    report = tmp_path / "fleet.json"
    return spec, report, check_json(cli, spec, report)


def tamper(cli: Any, tmp_path: Path, doc: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> Any:
    bad = json.loads(json.dumps(doc))
    edit(bad)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(bad))
    return cli("replay", str(path))


# ------------------------------------------------------------- clean reports


@pytest.mark.parametrize("name", ["prisoners_dilemma", "public_goods", "stag_hunt", "chicken"])
def test_bundled_specs_replay_clean(name: str, tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / f"{name}.vg"
    shutil.copy(ROOT / "specs" / f"{name}.vg", spec)
    report = tmp_path / "r.json"
    check_json(cli, spec, report)
    res = cli("replay", str(report))
    assert res.code == 0, res.out
    assert "MISMATCH" not in res.out


def test_fleet_replays_clean_and_every_counterexample_is_rechecked(fleet: Any, cli: Any) -> None:
    spec, report, doc = fleet
    result = replay_file(report)
    assert result.ok, result.render()
    violated = [p["name"] for p in doc["reports"][0]["properties"] if p["verdict"] == "VIOLATED"]
    assert len(violated) >= 8
    for name in violated:  # each counterexample got an independent, confirmed re-check
        assert any(f.prop == name and f.status == "ok" and f.check.startswith("counterexample")
                   for f in result.findings), name
    assert cli("replay", str(report)).code == 0
    js = cli("replay", str(report), "--format", "json")
    assert js.code == 0 and json.loads(js.out)["ok"] is True


def test_spec_path_relative_to_the_report(tmp_path: Path, cli: Any) -> None:
    (tmp_path / "fleet.vg").write_text(FLEET)
    res = cli("check", "fleet.vg", "--format", "json", "-o", "r.json", cwd=tmp_path)
    assert res.code == 1
    assert json.loads((tmp_path / "r.json").read_text())["reports"][0]["spec"]["path"] == "fleet.vg"
    assert cli("replay", str(tmp_path / "r.json")).code == 0  # run from the repo root


def test_parameters_of_the_report_are_used(tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "pg.vg"
    shutil.copy(ROOT / "specs" / "public_goods.vg", spec)
    report = tmp_path / "r.json"
    assert cli("check", str(spec), "--set", "r=5", "--format", "json", "-o", str(report)).code in (0, 1)
    assert json.loads(report.read_text())["reports"][0]["spec"]["params"]["r"] == "5"
    assert cli("replay", str(report)).code == 0


# ------------------------------------------------------------------ tampering


def test_changed_payoff_is_a_mismatch(fleet: Any, tmp_path: Path, cli: Any) -> None:
    _, _, doc = fleet

    def edit(d: dict[str, Any]) -> None:
        prop(d, "calm is an equilibrium")["evidence"]["payoffs"]["car[2]"] = "7"

    res = tamper(cli, tmp_path, doc, edit)
    assert res.code == 1
    line = next(ln for ln in res.out.splitlines() if "MISMATCH" in ln and "payoffs" in ln)
    assert "calm is an equilibrium" in line and "car[2]" in line and "7" in line


def test_changed_gain_is_a_mismatch(fleet: Any, tmp_path: Path, cli: Any) -> None:
    _, _, doc = fleet

    def edit(d: dict[str, Any]) -> None:
        ev = prop(d, "calm is an equilibrium")["evidence"]
        ev["gain"] = "5"

    res = tamper(cli, tmp_path, doc, edit)
    assert res.code == 1
    assert any("calm is an equilibrium" in ln and "gain" in ln for ln in res.out.splitlines() if "MISMATCH" in ln)


def test_flipped_verdict_is_a_mismatch(fleet: Any, tmp_path: Path, cli: Any) -> None:
    _, _, doc = fleet

    def edit(d: dict[str, Any]) -> None:
        prop(d, "calm is immune")["verdict"] = "VIOLATED"

    res = tamper(cli, tmp_path, doc, edit)
    assert res.code == 1
    assert any("calm is immune" in ln and "verdict" in ln for ln in res.out.splitlines() if "MISMATCH" in ln)


def test_changed_profile_action_is_a_mismatch(fleet: Any, tmp_path: Path, cli: Any) -> None:
    _, _, doc = fleet

    def edit(d: dict[str, Any]) -> None:
        ev = prop(d, "equilibria are calm")["evidence"]
        # claim a different equilibrium: all yield (not an equilibrium at all)
        ev["profile"] = {k: "yield" for k in ev["profile"]}

    res = tamper(cli, tmp_path, doc, edit)
    assert res.code == 1
    assert any("equilibria are calm" in ln for ln in res.out.splitlines() if "MISMATCH" in ln)


def test_fake_coalition_gain_is_a_mismatch(fleet: Any, tmp_path: Path, cli: Any) -> None:
    _, _, doc = fleet

    def edit(d: dict[str, Any]) -> None:
        ev = prop(d, "calm is strong")["evidence"]
        # all three rush: everyone loses 2 -- not an improving joint deviation
        ev["coalition"] = ["car[1]", "car[2]", "car[3]"]
        ev["deviation"] = {"car[1]": "rush", "car[2]": "rush", "car[3]": "rush"}
        ev["gains"] = {"car[1]": "1", "car[2]": "1", "car[3]": "1"}

    res = tamper(cli, tmp_path, doc, edit)
    assert res.code == 1
    bad = [ln for ln in res.out.splitlines() if "MISMATCH" in ln and "calm is strong" in ln]
    assert any("counterexample" in ln for ln in bad), res.out


def test_fake_adversary_harm_is_a_mismatch(fleet: Any, tmp_path: Path, cli: Any) -> None:
    _, _, doc = fleet

    def edit(d: dict[str, Any]) -> None:
        ev = prop(d, "harm stays low")["evidence"]
        ev["deviation"] = {a: "yield" for a in ev["deviation"]}  # nobody moves: harm 0

    res = tamper(cli, tmp_path, doc, edit)
    assert res.code == 1
    assert any("harm stays low" in ln and "condition" in ln for ln in res.out.splitlines() if "MISMATCH" in ln)


def test_changed_term_value_is_a_mismatch(fleet: Any, tmp_path: Path, cli: Any) -> None:
    _, _, doc = fleet

    def edit(d: dict[str, Any]) -> None:
        prop(d, "welfare claim")["evidence"]["sides"]["left"] = "3"

    res = tamper(cli, tmp_path, doc, edit)
    assert res.code == 1
    assert any("welfare claim" in ln and "sides.left" in ln for ln in res.out.splitlines() if "MISMATCH" in ln)


def test_edited_spec_is_a_mismatch(fleet: Any, cli: Any) -> None:
    spec, report, _ = fleet
    spec.write_text(FLEET.replace("(2 if car[i] == rush else 1)", "(3 if car[i] == rush else 1)"))
    res = cli("replay", str(report))
    assert res.code == 1
    assert "spec changed since the report was written" in res.out


def test_missing_spec_is_a_mismatch(fleet: Any, cli: Any) -> None:
    spec, report, _ = fleet
    spec.unlink()
    res = cli("replay", str(report))
    assert res.code == 1 and "not found" in res.out


def test_garbage_json_is_refused(tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"schema": "verigroup.check/1", "reports": [')
    res = cli("replay", str(path))
    assert res.code == 2
    assert "E301" in res.err and "not a verigroup check report" in res.err and "Traceback" not in res.err


@pytest.mark.parametrize("doc", [
    {"schema": "verigroup.solve/1", "equilibria": []},
    {"no": "schema"},
    [1, 2, 3],
    {"schema": "verigroup.check/1", "reports": [{"spec": {}}]},
])
def test_wrong_schema_is_refused(doc: Any, tmp_path: Path, cli: Any) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc))
    res = cli("replay", str(path))
    assert res.code == 2 and "E301" in res.err, res


def test_missing_report_file_is_refused(tmp_path: Path, cli: Any) -> None:
    res = cli("replay", str(tmp_path / "nope.json"))
    assert res.code == 2 and "E004" in res.err


# ------------------------------------------- mixed and correlated equilibria


@pytest.fixture
def chicken(tmp_path: Path) -> Oracle:
    from verigroup.api import load

    spec = tmp_path / "chicken.vg"
    spec.write_text(CHICKEN)
    return Oracle(load(spec))


def run_equilibrium(oracle: Oracle, record: dict[str, Any]) -> list[Any]:
    ev = {"kind": "multiplicity", "witnesses": [record]}
    res = {"name": "chicken-chicken is stable", "kind": "IsEquilibrium", "verdict": "VIOLATED", "evidence": ev}
    findings = EvidenceChecker(oracle, oracle.model.properties[0], res, "chicken.vg").run()
    return [f for f in findings if f.check.startswith("values")]


def test_mixed_equilibrium_of_chicken(chicken: Oracle) -> None:
    # Symmetric mixed NE: dare with p where 0p + 7(1-p) = 2p + 6(1-p) -> p = 1/3;
    # expected payoff 2/3*... = 7*2/3 = 14/3.
    good = {"concept": "mixed_nash", "exact": True,
            "strategies": {"row": {"dare": "1/3", "chicken": "2/3"}, "col": {"dare": "1/3", "chicken": "2/3"}},
            "payoffs": {"row": "14/3", "col": "14/3"}, "metrics": {"welfare": "28/3"}}
    [f] = run_equilibrium(chicken, good)
    assert f.status == "ok", f
    wrong_payoff = json.loads(json.dumps(good))
    wrong_payoff["payoffs"]["row"] = "5"
    [f] = run_equilibrium(chicken, wrong_payoff)
    assert f.status == "mismatch" and "payoffs.row" in f.detail
    not_eq = json.loads(json.dumps(good))
    not_eq["strategies"]["row"] = {"dare": "1/2", "chicken": "1/2"}
    [f] = run_equilibrium(chicken, not_eq)
    assert f.status == "mismatch" and "not an equilibrium" in f.detail


def test_approximate_equilibrium_epsilon_is_exact_regret(chicken: Oracle) -> None:
    # row plays dare 1/2 against col's 1/3 mix: row's regret is 0 (col mixes to keep row
    # indifferent) but col, facing dare 1/2, prefers chicken: 0*1/2+7*1/2 = 7/2 vs 2*1/2+6*1/2 = 4,
    # col mixing 1/3 dare gets 1/3*7/2... exact regret: 4 - (1/3*(0+7)/2 + 2/3*4) = 4 - 7/6 - 8/3 = 1/6.
    rec = {"concept": "mixed_nash", "exact": False, "epsilon": "1/6",
           "strategies": {"row": {"dare": "1/2", "chicken": "1/2"}, "col": {"dare": "1/3", "chicken": "2/3"}}}
    [f] = run_equilibrium(chicken, rec)
    assert f.status == "ok", f
    rec["epsilon"] = "1/7"
    [f] = run_equilibrium(chicken, rec)
    assert f.status == "mismatch" and "epsilon" in f.detail


def test_correlated_equilibrium_of_chicken(chicken: Oracle) -> None:
    # Aumann: 1/3 each on (dare, chicken), (chicken, dare), (chicken, chicken) is a CE with payoff 5.
    third = "1/3"
    ce = {"concept": "correlated", "payoffs": {"row": "5", "col": "5"}, "distribution": [
        {"profile": {"row": "dare", "col": "chicken"}, "probability": third},
        {"profile": {"row": "chicken", "col": "dare"}, "probability": third},
        {"profile": {"row": "chicken", "col": "chicken"}, "probability": third}]}
    [f] = run_equilibrium(chicken, ce)
    assert f.status == "ok", f
    # all mass on (chicken, chicken): row told chicken prefers dare (7 > 6)
    bad = {"concept": "correlated", "distribution": [
        {"profile": {"row": "chicken", "col": "chicken"}, "probability": "1"}]}
    [f] = run_equilibrium(chicken, bad)
    assert f.status == "mismatch" and "not a correlated equilibrium" in f.detail
    # ... which is not a coarse correlated equilibrium either
    bad["concept"] = "coarse_correlated"
    [f] = run_equilibrium(chicken, bad)
    assert f.status == "mismatch"


def test_replay_result_render_and_json() -> None:
    from verigroup.replay import Finding

    r = ReplayResult("r.json", (Finding("s.vg", "p", "ok", "fresh check", "agree"),
                                Finding("s.vg", "p", "mismatch", "values", "payoffs.a: 1 vs 2")))
    assert not r.ok and len(r.mismatches) == 1
    assert "MISMATCH \"p\": values: payoffs.a: 1 vs 2" in r.render()
    assert r.to_json()["ok"] is False and Fraction(1) == 1


def test_z3_route_reports_replay(tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "pg.vg"
    shutil.copy(ROOT / "specs" / "public_goods.vg", spec)
    report = tmp_path / "z3.json"
    assert cli("check", str(spec), "--method", "z3", "--format", "json", "-o", str(report)).code == 1
    assert cli("replay", str(report)).code == 0
    doc = json.loads(report.read_text())
    ev = prop(doc, "cooperation is an equilibrium")["evidence"]
    assert ev["kind"] == "deviation"
    # contributing costs 1 and returns 2/5 to oneself: 3/5 with everyone in, 6/5 after withholding
    assert (ev["payoff"], ev["deviation_payoff"]) == ("3/5", "6/5")

    def edit(d: dict[str, Any]) -> None:
        prop(d, "cooperation is an equilibrium")["evidence"]["deviation_payoff"] = "2"

    res = tamper(cli, tmp_path, doc, edit)
    assert res.code == 1
    assert any("cooperation is an equilibrium" in ln and "after switching" in ln
               for ln in res.out.splitlines() if "MISMATCH" in ln), res.out


def test_tampered_summary_is_a_mismatch(fleet: Any, tmp_path: Path, cli: Any) -> None:
    _, _, doc = fleet

    def edit(d: dict[str, Any]) -> None:
        d["reports"][0]["summary"]["violated"] = 0

    res = tamper(cli, tmp_path, doc, edit)
    assert res.code == 1 and "summary" in res.out
