"""Curves over a budget and the AI-control case study (issue 14).

The case study's safety numbers are re-derived here from a closed form of
the game (the binomial chance that fewer than c honest outputs are flagged
between the start of auditing and the attack) and an exact support
enumeration written in this test (tests/test_value.py's reference)."""

from __future__ import annotations

import io
import json
from fractions import Fraction
from math import comb
from pathlib import Path

import pytest

from tests.test_value import reference_value
from verigroup.api import check_model, load, parse
from verigroup.cli.main import main
from verigroup.diagnostics import SpecError
from verigroup.verdicts import Verdict

F = Fraction
ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "case_studies/ai_control/trusted_monitoring.vg"


def safety_matrix(n: int, c: int, tpr: Fraction, fpr: Fraction, d: Fraction) -> list[list[Fraction]]:
    """Blue (rows: first audited task s) vs red (columns: attacked task t)."""
    def room(k: int) -> Fraction:  # P(Binomial(k, fpr) < c)
        return sum((comb(k, i) * fpr ** i * (1 - fpr) ** (k - i) for i in range(min(c, k + 1))), F(0))

    rows = []
    for s in range(1, n + 1):
        row = []
        for t in range(1, n + 1):
            r = room(t - s) if t >= s else F(0)
            row.append(tpr * r + tpr * (1 - r) * d)
        rows.append(row)
    return rows


def test_case_study_curves_match_the_closed_form() -> None:
    rep = check_model(load(CASE))
    by = {r.name: r for r in rep.results}
    budget = by["from budget 2 on a scheming policy is caught with probability >= 3/4"]
    assert budget.verdict is Verdict.HOLDS
    for pt in budget.evidence["points"]:
        c = int(F(pt["c"]))
        want = reference_value(safety_matrix(5, c, F(9, 10), F(1, 5), F(0)))
        assert F(pt["values"]["safety"]) == want, (c, pt, want)
    defer = by["safety and usefulness as deferral grows"]
    for pt in defer.evidence["points"]:
        d = F(pt["d"])
        assert F(pt["values"]["safety"]) == reference_value(safety_matrix(5, 2, F(9, 10), F(1, 5), d))
        assert F(pt["values"]["usefulness"]) == 1 - d / 5
    one = by["budget 1 catches it with probability >= 3/4"]
    assert one.verdict is Verdict.VIOLATED
    assert F(one.evidence["failing"]["values"]["safety"]) == reference_value(
        safety_matrix(5, 1, F(9, 10), F(1, 5), F(0)))
    assert by["budget 2 catches a scheming policy with probability >= 3/4"].verdict is Verdict.HOLDS


SPEC = """game pennies
param w = 2
agents row, col: actions heads, tails
payoffs row, col:
    heads: (w, -w), (-1, 1)
    tails: (-1, 1), (1, -1)
"""


def test_curve_points_and_requirement() -> None:
    text = SPEC + 'curve "c" over w in 0..4 step 2: v = value(row), twice = 2 * w require v >= 0\n'
    r = check_model(parse(text)).results[0]
    assert r.kind == "CurveSpec" and r.verdict is Verdict.VIOLATED
    pts = r.evidence["points"]
    assert [p["w"] for p in pts] == ["0", "2", "4"]
    # value of [[w, -1], [-1, 1]] is (w - 1) / (w + 3)
    assert [p["values"]["v"] for p in pts] == ["-1/3", "1/5", "3/7"]
    assert [p["values"]["twice"] for p in pts] == ["0", "4", "8"]
    assert r.evidence["failing"]["w"] == "0"
    ok = check_model(parse(text.replace("require v >= 0", "require w >= 1 implies v > 0"))).results[0]
    assert ok.verdict is Verdict.HOLDS


@pytest.mark.parametrize("curve,code,where", [
    ('curve "a" over w in 3..1: v = value(row)', "E140", "empty"),
    ('curve "a" over w in 0..1 step 0: v = value(row)', "E140", "positive"),
    ('curve "a" over w in 0..1 step -1: v = value(row)', "E140", "positive"),
    ('curve "a" over w in 0..1000 step 1/10: v = value(row)', "E141", "10,001 points"),
    ('curve "a" over z in 0..1: v = value(row)', "E140", "not a param"),
    ('curve "a" along w in 0..1: v = value(row)', "E001", "over"),
    ('curve "a" over w in 0..1: v = value(row), v = value(col)', "E102", "twice"),
    ('curve "a" over w in 0..1: v = value(row) require u > 0', "E101", "u"),
])
def test_bad_curves_are_positioned_errors(curve: str, code: str, where: str) -> None:
    with pytest.raises(SpecError) as ei:
        parse(SPEC + curve + "\n", "c.vg")
    d = ei.value.diagnostics[0]
    assert d.code == code and where in d.message
    assert d.span.line == 7


def test_interrupt_keeps_the_points_found(monkeypatch: pytest.MonkeyPatch) -> None:
    from verigroup import runtime
    from verigroup.curves import compute

    real = compute.point
    calls = []

    def cancelling(model, curve, x):  # type: ignore[no-untyped-def]
        calls.append(x)
        got = real(model, curve, x)
        if len(calls) == 2:
            runtime.request_cancel("interrupted")
        return got

    monkeypatch.setattr(compute, "point", cancelling)
    model = parse(SPEC + 'curve "c" over w in 0..4: v = value(row)\n')
    try:
        res = compute.compute(model, model.properties[0])
    finally:
        runtime.reset_cancel()
    assert not res.complete and len(res.points) == 2 and "2 of 5" in res.reason


def test_curve_command(tmp_path: Path) -> None:
    spec = tmp_path / "c.vg"
    spec.write_text(SPEC + 'curve "values" over w in 0..2: v = value(row)\n')
    out, err = io.StringIO(), io.StringIO()
    assert main(["curve", str(spec)], out, err) == 0
    assert "-1/3" in out.getvalue() and "values" in out.getvalue()
    out = io.StringIO()
    assert main(["curve", str(spec), "values", "--format", "json"], out, err) == 0
    doc = json.loads(out.getvalue())
    pt = doc["curves"][0]["evidence"]["points"][1]
    assert pt["w"] == "1" and pt["values"] == {"v": "0"}
    assert pt["strategies"]["v"]["row"] == {"heads": "1/2", "tails": "1/2"}
    assert main(["curve", str(spec), "nope"], io.StringIO(), err) == 2
    html = tmp_path / "c.html"
    assert main(["curve", str(spec), "--format", "html", "-o", str(html)], io.StringIO(), err) == 0
    assert "data:image/svg+xml;base64," in html.read_text()


def test_reports_draw_the_curve(tmp_path: Path) -> None:
    spec = tmp_path / "c.vg"
    spec.write_text(SPEC + 'curve "values" over w in 0..2: v = value(row)\n')
    for fmt in ("html", "markdown"):
        out = io.StringIO()
        main(["check", str(spec), "--format", fmt], out, io.StringIO())
        assert "data:image/svg+xml;base64," in out.getvalue(), fmt
    out = io.StringIO()
    main(["check", str(spec), "-v"], out, io.StringIO())
    assert "w = 1: v = 0" in out.getvalue()


def test_curve_replay(tmp_path: Path) -> None:
    spec = tmp_path / "c.vg"
    spec.write_text(SPEC + 'curve "values" over w in 0..2: v = value(row) require v > -1/2\n')
    rep = tmp_path / "r.json"
    assert main(["check", str(spec), "--format", "json", "-o", str(rep)], io.StringIO(), io.StringIO()) == 0
    buf = io.StringIO()
    assert main(["replay", str(rep)], buf, io.StringIO()) == 0, buf.getvalue()
    doc = json.loads(rep.read_text())
    doc["reports"][0]["properties"][0]["evidence"]["points"][2]["values"]["v"] = "1/2"
    rep.write_text(json.dumps(doc))
    buf = io.StringIO()
    assert main(["replay", str(rep)], buf, io.StringIO()) != 0


def test_upfront_auditing_matches_the_closed_form() -> None:
    # blue always starts at task 1; red attacks last: 9/10 * P(Binomial(4, 1/5) <= 1)
    rep = check_model(load(ROOT / "case_studies/ai_control/upfront_auditing.vg"))
    r = rep.results[0]
    want = F(9, 10) * (F(4, 5) ** 4 + 4 * F(1, 5) * F(4, 5) ** 3)
    assert want == F(2304, 3125)
    assert r.verdict is Verdict.VIOLATED and F(r.evidence["value"]) == want
    assert r.evidence["strategies"] == {"blue": {"s1": "1"}, "red": {"t5": "1"}}


def test_set_of_another_param_reaches_every_point() -> None:
    text = SPEC.replace("param w = 2", "param w = 2\nparam bonus = 0").replace(
        "heads: (w, -w)", "heads: (w + bonus, -w - bonus)") + 'curve "c" over w in 0..1: v = value(row)\n'
    plain = check_model(parse(text)).results[0].evidence["points"]
    moved = check_model(parse(text, overrides={"bonus": "1"})).results[0].evidence["points"]
    # with the bonus, w = 0 plays like w = 1
    assert moved[0]["values"]["v"] == plain[1]["values"]["v"] == "0"


def test_require_dividing_by_zero_is_a_positioned_error() -> None:
    text = SPEC + 'curve "c" over w in 1..2: v = value(row) require 1 / (w - 1) > v\n'
    with pytest.raises(SpecError) as ei:
        check_model(parse(text, "c.vg"))
    d = ei.value.diagnostics[0]
    assert d.code == "E203" and d.span.line == 7 and "w = 1" in d.message


def test_points_through_processes_match_serial(tmp_path: Path) -> None:
    spec = tmp_path / "c.vg"
    spec.write_text(SPEC + 'curve "values" over w in 0..3: v = value(row) require v < 1/2\n')
    serial, par = io.StringIO(), io.StringIO()
    assert main(["curve", str(spec), "--format", "json"], serial, io.StringIO()) == 0
    assert main(["curve", str(spec), "--format", "json", "--backend", "processes", "-j", "2"], par,
                io.StringIO()) == 0
    assert serial.getvalue() == par.getvalue()
    assert main(["curve", str(spec), "-j", "0"], io.StringIO(), io.StringIO()) == 2
