"""`verigroup explain`: narratives name the agents, actions and exact numbers
of each counterexample.  Expected numbers are textbook values of the games
(prisoner's dilemma T - R = 5 - 3; public goods: welfare 0 at full
withholding, half of the best welfare 4 * (8/5 - 1) = 12/5 is 6/5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import verigroup
from verigroup.reports.explain import explain_report, where

ROOT = Path(__file__).resolve().parent.parent

MERGE = """\
game merge
agents car[1..3]: actions yield, rush
payoff car[i] = (3 if car[i] == rush else 1) - (5 if count(j: car[j] == rush) == 3 else 0)
metric harm = count(j: car[j] == rush)
profile calm = {car: yield}
property "calm is 3-resilient": resilient(calm, k = 3)
property "one rogue keeps harm low": immune(calm, t = 2, harm <= 1)
property "nobody falls behind": individually_rational(calm, outside = {car: 2})
"""


def narrative(path: Path) -> tuple[str, Any]:
    model = verigroup.load(path)
    report = verigroup.api.check_model(model)
    return explain_report(report, model), report


def line_of(text: str, name: str) -> str:
    return next(ln for ln in text.splitlines() if f'"{name}"' in ln)


def test_prisoners_dilemma_deviation() -> None:
    text, report = narrative(ROOT / "specs" / "prisoners_dilemma.vg")
    ln = line_of(text, "mutual cooperation is an equilibrium")
    assert ln.startswith("VIOLATED")
    assert "can gain 2 by switching from cooperate to defect" in ln
    assert "{alice: cooperate, bob: cooperate} is not an equilibrium" in ln
    eff = line_of(text, "equilibria are efficient")
    assert "alice plays defect and bob plays defect" in eff and "{alice: cooperate, bob: cooperate}" in eff
    assert "payoffs alice 3, bob 3" in eff
    # one line per property, HOLDS included, deterministic
    assert len(text.splitlines()) == 1 + len(report.results)
    assert line_of(text, "price of anarchy is 3").startswith("HOLDS")
    assert text == explain_report(report, verigroup.load(ROOT / "specs" / "prisoners_dilemma.vg"))


def test_public_goods_term_violation() -> None:
    text, _ = narrative(ROOT / "specs" / "public_goods.vg")
    ln = line_of(text, "equilibria keep half the surplus")
    assert "every a[i] plays withhold" in ln
    assert "welfare is 0, below the required 6/5" in ln
    assert "max(welfare) = 12/5" in ln
    dev = line_of(text, "cooperation is an equilibrium")
    # each agent's share of one contribution is 8/5 / 4 = 2/5 < 1: withholding gains 3/5
    assert "gain 3/5 by switching from contribute to withhold" in dev


def test_coalition_adversary_and_outside_option(tmp_path: Path) -> None:
    spec = tmp_path / "merge.vg"
    spec.write_text(MERGE)
    text, _ = narrative(spec)
    coal = line_of(text, "calm is 3-resilient")
    # rushing alone pays 3 instead of 1
    assert "switches to rush" in coal and "gains 2" in coal and "car[" in coal
    adv = line_of(text, "one rogue keeps harm low")
    assert "both switch to rush" in adv and "harm is 2" in adv
    ir = line_of(text, "nobody falls behind")
    assert "gets 1" in ir and "below its outside option 2" in ir


def test_where_compresses_families() -> None:
    model = verigroup.load(ROOT / "specs" / "public_goods.vg")
    prof = {a.name: "withhold" for a in model.agents}
    assert where(prof, model) == "every a[i] plays withhold"
    prof["a[2]"] = "contribute"
    assert where(prof, model).startswith("a[1] plays withhold, a[2] plays contribute")


def test_cli_explain(cli: Any) -> None:
    res = cli("explain", "specs/prisoners_dilemma.vg")
    assert res.code == 1
    assert "alice can gain 2" in res.out
