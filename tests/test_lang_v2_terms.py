"""Language v2 (issue 8): property terms at named profiles, aggregates in
terms, the meaning of payoff terms at mixed equilibria, the equilibrium
variable's own namespace, constant aggregates in params and constant
exponents."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

import verigroup
from verigroup.diagnostics import SpecError
from verigroup.verdicts import Verdict

H, V, U = Verdict.HOLDS, Verdict.VIOLATED, Verdict.UNKNOWN

STAG = """game stag
agents row, col: actions stag, hare
payoff row = 4 if row == stag and col == stag else (0 if row == stag else 3)
payoff col = 4 if row == stag and col == stag else (0 if col == stag else 3)
metric welfare = payoff(row) + payoff(col)
profile coop = all stag
profile safe = all hare
"""


def verdicts(spec: str) -> dict[str, Verdict]:
    return {r.name: r.verdict for r in verigroup.parse(spec).check().results}


def test_metrics_and_payoffs_at_named_profiles() -> None:
    spec = STAG + "\n".join([
        'property "coop welfare": welfare(coop) == 8',
        'property "3x": welfare(coop) >= 3 * welfare(safe)',
        'property "row at coop": payoff(row, coop) == 4 and payoff(col, {row: stag, col: hare}) == 3',
        # risk dominance of (hare, hare) over (stag, stag): product of deviation losses
        'property "hare risk-dominates": (payoff(row, safe) - payoff(row, {row: stag, col: hare})) * '
        '(payoff(col, safe) - payoff(col, {row: hare, col: stag})) > (payoff(row, coop) - '
        'payoff(row, {row: hare, col: stag})) * (payoff(col, coop) - payoff(col, {row: stag, col: hare}))',
        'property "eq below coop": for every nash p: welfare(p) <= welfare(coop)',
        'property "all hare": welfare(all hare) == 6',
    ]) + "\n"
    assert verdicts(spec) == {"coop welfare": H, "3x": V, "row at coop": H, "hare risk-dominates": H,
                              "eq below coop": H, "all hare": H}


def test_term_evidence_names_the_profile_values() -> None:
    spec = STAG + 'property "3x": welfare(coop) >= 3 * welfare(safe)\n'
    (r,) = verigroup.parse(spec).check().results
    terms = r.evidence["terms"]
    assert terms["welfare(coop)"]["value"] == "8" and terms["welfare(safe)"]["value"] == "6"


def test_aggregates_inside_property_terms() -> None:
    spec = """game commons
param n = 3
agents a[1..n]: actions take, leave
payoff a[i] = 2 * count(j: a[j] == leave) - (1 if a[i] == leave else 0)
metric welfare = sum(i: payoff(a[i]))
property "sum of payoffs is welfare": for every nash p: sum(i in 1..n: payoff(a[i], p)) == welfare(p)
property "max payoff": for every nash p: max(i in 1..n: payoff(a[i], p)) <= 4
property "some agent": for some nash p: any(i in 1..n: payoff(a[i], p) >= 4)
property "count": for every nash p: count(i in 1..n: payoff(a[i], p) >= 0) == 3
"""
    got = verdicts(spec)
    # leaving costs 1 and pays 2 back to everyone, the leaver included: all leave, 5 each
    assert got == {"sum of payoffs is welfare": H, "max payoff": V, "some agent": H, "count": H}


def test_mixed_payoff_terms_are_differences_of_expectations() -> None:
    """abs(payoff(row, p) - payoff(col, p)) reads each agent's expected
    payoff; a metric at a mixed equilibrium is the expectation of the pure
    metric.  In matching pennies the two differ: 0 vs 2."""
    spec = """game pennies
agents row, col: actions heads, tails
payoff row = 1 if row == col else -1
payoff col = -1 if row == col else 1
metric gap = abs(payoff(row) - payoff(col))
property "fair in expectation": for every mixed nash p: abs(payoff(row, p) - payoff(col, p)) <= 1/2
property "expected gap": for every mixed nash p: gap(p) <= 1/2
property "gap is 2": for every mixed nash p: gap(p) == 2
"""
    assert verdicts(spec) == {"fair in expectation": H, "expected gap": V, "gap is 2": H}


def test_equilibrium_variable_may_reuse_an_agent_name() -> None:
    spec = """game g
agents p, q: actions x, y
payoff p = 1 if p == x else 0
payoff q = 1 if q == y else 0
property "own namespace": for some mixed nash p: payoff(p, p) >= 1 and payoff(q, p) >= 1
"""
    assert verdicts(spec) == {"own namespace": H}


def test_equilibrium_variable_clashing_with_a_param_is_one_positioned_error() -> None:
    with pytest.raises(SpecError) as info:
        verigroup.parse("game g\nparam p = 1\nagents a, b: actions x, y\npayoff a = 1\npayoff b = 1\n"
                        'property "x": for every nash p: payoff(a, p) >= p\n')
    ds = info.value.diagnostics
    assert len(ds) == 1 and ds[0].code == "E102" and (ds[0].span.line, ds[0].span.column) == (6, 30)


def test_constant_aggregate_params() -> None:
    m = verigroup.parse("game g\nparam k = 4\nparam H = sum(i in 1..k: 1/i)\n"
                        "param P = product(i in 1..k: i)\nparam C = count(i in 1..10 if i != 3: i > 5)\n"
                        "param M = max(i in 1..k: (i - 2) ^ 2)\nparam E = 2 ^ (k - 1)\n"
                        "param S = sum(i in 1..3: sum(j in 1..2: i * j))\n"
                        "agents a, b: actions x, y\npayoff a = H\npayoff b = E\n")
    v = m.param_values()
    assert v["H"] == Fraction(25, 12) and v["P"] == 24 and v["C"] == 5 and v["M"] == 4
    assert v["E"] == 8 and v["S"] == 18


def test_constant_aggregate_follows_overrides() -> None:
    text = "game g\nparam k = 2\nparam H = sum(i in 1..k: 1/i)\nagents a, b: actions x, y\npayoff a = H\npayoff b = 1\n"
    assert verigroup.parse(text, overrides={"k": "3"}).param_values()["H"] == Fraction(11, 6)


@pytest.mark.parametrize("expr,code,words,col", [
    ("sum(i in 1..100000: i)", "E107", "at most 10000", 11),
    ("sum(i in 1..x: i)", "E101", "undefined name", 23),
    ("sum(i: 1)", "E107", "constant range", 15),
    ("sum(i in 1..200: sum(j in 1..200: 1))", "E107", "nested", 11),
    ("sum(i in 1..3: sum(j in 1..i: 1))", "E107", "outer index", 26),
    ("2 ^ (1/2)", "E107", "integer", 16),
    ("2 ^ 65", "E107", "too large", 15),
])
def test_constant_errors(expr: str, code: str, words: str, col: int) -> None:
    with pytest.raises(SpecError) as info:
        verigroup.parse(f"game g\nparam H = {expr}\nagents a, b: actions x, y\npayoff a = 1\npayoff b = 1\n")
    d = info.value.diagnostics[0]
    assert d.code == code and words in d.message + (d.hint or ""), info.value.render()
    assert (d.span.line, d.span.column) == (2, col), info.value.render()


def test_replay_recomputes_terms_at_profiles_and_aggregates(tmp_path: Any, cli: Any) -> None:
    import json

    spec = tmp_path / "r.vg"
    spec.write_text(STAG + 'property "3x": welfare(coop) >= 3 * welfare(safe)\n'
                    'property "sum": for every nash p: sum(i in 1..2: i) * 2 >= welfare(p) - payoff(row, coop)\n')
    report = tmp_path / "r.json"
    assert cli("check", str(spec), "--format", "json", "-o", str(report)).code == 1
    res = cli("replay", str(report))
    assert res.code == 0 and "skipped" not in res.out.split("\n")[0].replace("0 skipped", ""), res.out
    doc = json.loads(report.read_text())
    ev = doc["reports"][0]["properties"][0]["evidence"]
    ev["terms"]["welfare(coop)"]["value"] = "9"
    ev["sides"]["left"] = "9"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    res = cli("replay", str(bad))
    assert res.code != 0 and "MISMATCH" in res.out, res.out


@pytest.mark.parametrize("body,words", [
    ("row == stag", "action test"),
])
def test_profile_free_action_reads_in_properties_are_positioned_errors(body: str, words: str) -> None:
    with pytest.raises(SpecError) as info:
        verigroup.parse(STAG + f'property "x": {body}\n')
    (d,) = info.value.diagnostics
    assert d.code == "E110" and words in d.message and (d.span.line, d.span.column) == (8, 15)


def test_value_compared_in_a_property_is_the_game_value() -> None:
    # issue 14: `value(AGENT) OP q` in a property is the value of a constant-sum
    # game (tests/test_value.py); the stag hunt is not one: a positioned E110
    model = verigroup.parse(STAG + 'property "x": value(row) >= 1\n')
    with pytest.raises(SpecError) as info:
        model.check()
    (d,) = info.value.diagnostics
    assert d.code == "E110" and "constant-sum" in d.message and d.span.line == 8
