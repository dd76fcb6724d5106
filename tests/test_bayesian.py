"""Bayesian mechanisms: incentive checks with witnesses that replay.

Held-out-style results: the second-price auction is DSIC (and BIC, ex-post
IR, efficient, no deficit) for 2..6 bidders; the first-price and all-pay
auctions are not, and every witness's gain is recomputed from the auction
rules alone (:func:`scalar_utility`, no tables).  The LP design of the
optimal auction matches Myerson's virtual-value revenue on discrete grids,
and for one buyer the best posted price.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from verigroup.diagnostics import SpecError
from verigroup.mechanisms.auctions import scalar_utility, sealed_bid
from verigroup.mechanisms.bayesian import (
    BayesianMechanism, check_bic, check_budget, check_dsic, check_efficient, check_ir, replay_misreport)
from verigroup.mechanisms.design import optimal_auction
from verigroup.verdicts import Verdict

VALUES = [Fraction(0), Fraction(1), Fraction(2), Fraction(3)]


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6])
def test_second_price_is_dsic_and_efficient(n: int) -> None:
    m = sealed_bid(n, VALUES, "second")
    for chk in (check_dsic, check_bic, check_ir, check_budget, check_efficient):
        assert chk(m).verdict == Verdict.HOLDS, chk.__name__


@pytest.mark.parametrize("rule", ["first", "all_pay"])
@pytest.mark.parametrize("n", [2, 3, 5])
def test_first_price_and_all_pay_fail_dsic_with_replayable_witness(rule: str, n: int) -> None:
    m = sealed_bid(n, VALUES, rule)  # type: ignore[arg-type]
    r = check_dsic(m)
    assert r.verdict == Verdict.VIOLATED
    ev = r.evidence
    assert ev["gain"] > 0 and replay_misreport(m, ev) == ev["gain"]
    # independent replay from the auction rules
    i = m.agents.index(ev["agent"])
    true_v = Fraction(ev["true_type"])
    others = [Fraction(ev["others"][a]) for a in m.agents if a != ev["agent"]]
    lie = others[:i] + [Fraction(ev["misreport"])] + others[i:]
    truth = others[:i] + [true_v] + others[i:]
    gain = scalar_utility(rule, VALUES, i, true_v, lie) - scalar_utility(rule, VALUES, i, true_v, truth)  # type: ignore[arg-type]
    assert gain == ev["gain"]
    big = ev["largest_gain"]
    assert big["gain"] >= ev["gain"]
    assert check_bic(m).verdict == Verdict.VIOLATED


def test_tables_match_the_scalar_rules_everywhere() -> None:
    for rule in ("first", "second", "all_pay"):
        m = sealed_bid(3, [Fraction(1), Fraction(5, 2), Fraction(4)], rule)  # type: ignore[arg-type]
        vals = [Fraction(1), Fraction(5, 2), Fraction(4)]
        for prof in itertools.product(range(3), repeat=3):
            for i in range(3):
                for t in range(3):
                    assert m.utility(i, t, prof) == scalar_utility(
                        rule, vals, i, vals[t], [vals[k] for k in prof])  # type: ignore[arg-type]


def test_all_pay_fails_ex_post_ir_but_first_price_does_not() -> None:
    assert check_ir(sealed_bid(2, VALUES, "all_pay")).verdict == Verdict.VIOLATED
    assert check_ir(sealed_bid(2, VALUES, "first")).verdict == Verdict.HOLDS
    ap = check_ir(sealed_bid(2, VALUES, "all_pay"), interim=True)
    assert ap.kind == "IR"


def test_nine_bidders_in_seconds() -> None:
    import time

    t0 = time.monotonic()
    assert check_dsic(sealed_bid(9, VALUES[:3], "second")).verdict == Verdict.HOLDS
    assert check_dsic(sealed_bid(9, VALUES[:3], "first")).verdict == Verdict.VIOLATED
    assert time.monotonic() - t0 < 30


@pytest.mark.parametrize("prior", [None, [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)],
                                   [Fraction(1, 5), Fraction(1, 5), Fraction(3, 5)]])
def test_one_buyer_optimum_is_best_posted_price(prior) -> None:
    vals = [Fraction(1), Fraction(2), Fraction(4)]
    pr = prior or [Fraction(1, 3)] * 3
    res = optimal_auction(1, vals, prior)
    best = max(p * sum(q for v, q in zip(vals, pr) if v >= p) for p in vals)
    assert res.status == "optimal" and res.value == best
    assert all(r.verdict == Verdict.HOLDS for r in res.recheck)


def test_two_bidders_match_myerson() -> None:
    vals = [Fraction(0), Fraction(1), Fraction(2)]
    pr = [Fraction(1, 3)] * 3
    res = optimal_auction(2, vals)
    # discrete virtual values: phi(v_k) = v_k - (v_{k+1} - v_k) * (1 - F(v_k)) / f(v_k)
    tail = [sum(pr[k + 1:], Fraction(0)) for k in range(3)]
    phi = [vals[k] - ((vals[k + 1] - vals[k]) * tail[k] / pr[k] if k + 1 < 3 else 0) for k in range(3)]
    myerson = sum((pr[a] * pr[b] * max(phi[a], phi[b], Fraction(0))
                   for a in range(3) for b in range(3)), Fraction(0))
    assert res.value == myerson == Fraction(10, 9)
    assert [r.verdict for r in res.recheck] == [Verdict.HOLDS, Verdict.HOLDS]
    bic = optimal_auction(2, vals, ic="bic", ir="interim")
    assert bic.status == "optimal" and bic.value is not None and bic.value >= res.value


def test_welfare_design_is_efficient_value() -> None:
    vals = [Fraction(0), Fraction(1), Fraction(2)]
    res = optimal_auction(2, vals, objective="welfare")
    expected = sum((max(vals[a], vals[b]) for a in range(3) for b in range(3)), Fraction(0)) / 9
    assert res.value == expected


@pytest.mark.parametrize("prior,needle", [
    ([Fraction(1, 2), Fraction(1, 3)], "sum to 1"),
    ([Fraction(3, 2), Fraction(-1, 2)], "sum to 1"),
])
def test_bad_prior_is_an_error(prior, needle: str) -> None:
    with pytest.raises(SpecError) as exc:
        optimal_auction(1, [1, 2], prior)
    assert needle in str(exc.value) and "E703" in str(exc.value)


def test_mechanism_validation() -> None:
    v = (np.zeros((2, 2), dtype=object),)
    p = (np.zeros((2,), dtype=object),)
    with pytest.raises(SpecError, match="negative"):
        BayesianMechanism("m", ("a",), (("x", "y"),), ((Fraction(3, 2), Fraction(-1, 2)),), v, p)
    with pytest.raises(SpecError, match="sums to 1/2"):
        BayesianMechanism("m", ("a",), (("x", "y"),), ((Fraction(1, 4), Fraction(1, 4)),), v, p)
    with pytest.raises(SpecError, match="values must be distinct"):
        sealed_bid(2, [2, 1], "first")


def test_budget_and_strong_balance() -> None:
    m = sealed_bid(2, VALUES, "second")
    assert check_budget(m).verdict == Verdict.HOLDS
    strong = check_budget(m, strong=True)
    assert strong.verdict == Verdict.VIOLATED and strong.evidence["net_payments"] != 0
    assert math.isfinite(float(strong.evidence["net_payments"]))


def test_design_cli(cli) -> None:
    import json

    res = cli("design", "--bidders", "2", "--values", "0,1,2", "--format", "json")
    doc = json.loads(res.out)
    assert res.code == 0 and doc["schema"] == "verigroup.design/1"
    assert doc["optimal_value"] == "10/9" and doc["certificate"]["better_exists"] == "unsat"
    assert [r["verdict"] for r in doc["recheck"]] == ["HOLDS", "HOLDS"]
    one = json.loads(cli("design", "--bidders", "1", "--values", "1,2,4", "--prior", "1/5,1/5,3/5",
                         "--format", "json").out)
    assert one["optimal_value"] == "12/5"        # post the price 4: 4 * 3/5
    for argv, needle in [(["--values", "2,1"], "distinct and increasing"),
                         (["--values", "1,2", "--prior", "1/2,1/3"], "sum to 1"),
                         (["--values", "1,2", "--prior", "1/2"], "1 probabilities for 2 values"),
                         (["--values", "1,x"], "not an exact number")]:
        bad = cli("design", "--bidders", "1", *argv)
        assert bad.code == 2 and needle in bad.err and "E703" in bad.err
