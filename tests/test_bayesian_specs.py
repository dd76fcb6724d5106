"""Specs with private types: `types` and `incentive` statements.

The spec route and the Python auction builder are independent encodings of
the same auctions: their utility tables must agree everywhere, and their
verdicts and witnesses too.  Bad priors and types are positioned errors.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

import verigroup
from verigroup.diagnostics import SpecError
from verigroup.mechanisms.auctions import sealed_bid
from verigroup.mechanisms.bayesian import check_dsic
from verigroup.mechanisms.checkers import spec_mechanism
from verigroup.verdicts import Verdict

VICKREY = "specs/mechanisms/vickrey.vg"
FIRST = "specs/mechanisms/first_price.vg"


def _verdicts(path: str, **over: str) -> dict[str, Verdict]:
    return {r.name: r.verdict for r in verigroup.load(path, over).check().results}


def test_vickrey_spec_holds() -> None:
    assert set(_verdicts(VICKREY).values()) == {Verdict.HOLDS}


def test_first_price_spec_fails_with_witness(cli) -> None:
    v = _verdicts(FIRST)
    assert v["truthful bidding is dominant"] == Verdict.VIOLATED
    assert v["truthful bidding is a Bayes-Nash equilibrium"] == Verdict.VIOLATED
    assert v["nobody loses by taking part"] == Verdict.HOLDS
    assert cli("check", FIRST).code == 1


@pytest.mark.parametrize("path,rule", [(VICKREY, "second"), (FIRST, "first")])
@pytest.mark.parametrize("n", ["2", "3"])
def test_spec_tables_equal_builder_tables(path: str, rule: str, n: str) -> None:
    model = verigroup.load(path, {"n": n})
    prop = model.properties[0]
    spec_m = spec_mechanism(model, prop.types)
    api_m = sealed_bid(int(n), [1, 2, 3], rule)  # type: ignore[arg-type]
    k = int(n)
    for reports in itertools.product(range(3), repeat=k):
        for i in range(k):
            for t in range(3):
                assert spec_m.utility(i, t, reports) == api_m.utility(i, t, reports)
    a, b = check_dsic(spec_m), check_dsic(api_m)
    assert a.verdict == b.verdict
    if a.verdict == Verdict.VIOLATED:
        assert a.evidence["gain"] == b.evidence["gain"]
        assert (a.evidence["true_type"], a.evidence["misreport"]) == ("mid", "low")
        assert (b.evidence["true_type"], b.evidence["misreport"]) == ("2", "1")


def test_json_witness_and_replay(cli, tmp_path) -> None:
    out = tmp_path / "fp.json"
    assert cli("check", FIRST, "--format", "json", "-o", str(out)).code == 1
    res = cli("replay", str(out))
    assert res.code == 0, res.out + res.err


BASE = """game g
agents b[1..2]: actions lo = 1, hi = 2
{types}
payoff b[i] = v - value(b[i]) if value(b[i]) == max(m in 1..2: value(b[m])) else 0
metric revenue = {metric}
incentive "t": {prop}
"""


@pytest.mark.parametrize("types,metric,prop,code,needle", [
    ("types b(v): lo 1/2, hi 1/3", "1", "dsic", "E703", "sums to 5/6"),
    ("types b(v): lo 3/2, hi -1/2", "1", "dsic", "E703", "non-negative"),
    ("types b(v): lo 1/2, mid 1/2", "1", "dsic", "E104", "not an action"),
    ("types c(v): lo 1/2, hi 1/2", "1", "dsic", "E101", "names no agent"),
    ("types b(v): lo 1/2, hi 1/2", "1", "dsci", "E110", "did you mean `dsic`"),
    ("types b(v): lo 1/2, hi 1/2", "1", "weak_budget_balance", "E703", "needs the metric"),
    ("types b(v): lo 1/2, hi 1/2", "1", "weak_budget_balance(revenue)", "E703", "no transfers"),
    ("types b(v): lo 1/2, hi 1/2", "1", "weak_budget_balance(revenu)", "E101", "did you mean `revenue`"),
    ("", "1", "dsic", "E703", "need types for every agent"),
])
def test_bad_types_are_positioned(types: str, metric: str, prop: str, code: str, needle: str) -> None:
    text = BASE.format(types=types, metric=metric, prop=prop)
    with pytest.raises(SpecError) as exc:
        verigroup.parse(text, "bad.vg")
    msg = exc.value.render()
    assert code in msg and needle in msg, msg
    assert "bad.vg:" in msg and "^" in msg


def test_bad_prior_via_cli_exit_2(cli, tmp_path) -> None:
    p = tmp_path / "bad.vg"
    p.write_text(BASE.format(types="types b(v): lo 1/2, hi 1/3", metric="1", prop="dsic"))
    res = cli("check", str(p))
    assert res.code == 2 and "E703" in res.err and "Traceback" not in res.err


def test_outside_option_and_interim_ir() -> None:
    text = BASE.format(types="types b(v): lo 1/2, hi 1/2", metric="1", prop="interim_ir(outside = 1/100)")
    r = verigroup.parse(text, "o.vg").check().results[0]
    # a low type never gains anything: expected utility 0 < 1/100
    assert r.verdict == Verdict.VIOLATED and r.evidence["true_type"] == "lo"
    assert r.evidence["outside"] == Fraction(1, 100)


RESERVE = """game reserve
agents b[1..2]: actions lo = 1, hi = 3
types b(v): lo 1/2, hi 1/2
payoff b[i] = (v - 2) / count(k in 1..2: value(b[k]) == value(b[i]))
              if value(b[i]) == max(m in 1..2: value(b[m])) and value(b[i]) >= 2 else 0
metric revenue = 2 if max(m in 1..2: value(b[m])) >= 2 else 0
incentive "efficient": efficient(revenue)
incentive "dsic": dsic
"""


def test_efficiency_fails_with_a_reserve_price() -> None:
    """A posted price of 2 keeps the item unsold when both value it at 1:
    truthful DSIC holds, efficiency does not (the witness names the types
    and reports that would have produced a better outcome)."""
    res = {r.name: r for r in verigroup.parse(RESERVE, "reserve.vg").check().results}
    assert res["dsic"].verdict == Verdict.HOLDS
    eff = res["efficient"]
    assert eff.verdict == Verdict.VIOLATED
    assert eff.evidence["types"] == {"b[1]": "lo", "b[2]": "lo"}
    assert eff.evidence["total_value"] == 0 and eff.evidence["better_total_value"] == 1


def test_vickrey_is_efficient() -> None:
    assert _verdicts(VICKREY)["the item goes to a bidder who values it most"] == Verdict.HOLDS
