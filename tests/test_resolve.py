"""Resolver: the IR produced for the language's constructs."""

from __future__ import annotations

from fractions import Fraction

import pytest

from verigroup.diagnostics import SpecError
from verigroup.model import expr as X
from verigroup.model import properties as P
from verigroup.resolve import build_model

BASE = """game pg "desc"
param n = 4
param r = 8/5
param c = 0.5
agents a[1..n]:
    actions contribute, withhold
agent planner: actions fast, careful
payoff a[i] = r * c * count(j: a[j] == contribute) / n
            - (c if a[i] == contribute else 0)
payoff a[1] = 7
payoff planner = 1 if planner == fast else 0
metric welfare = sum(i in 1..n: payoff(a[i]))
metric harm (minimize) = count(i: a[i] == withhold)
profile coop = {a: contribute, planner: fast}
profile one_rogue = {a[1]: withhold, a: contribute, planner: careful}
"""


def model(extra: str = "", overrides: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return build_model(BASE + extra, "t.vg", overrides or {})


def test_params_exact_and_structural() -> None:
    m = model()
    assert m.params["r"].value == Fraction(8, 5) and m.params["c"].value == Fraction(1, 2)
    assert m.params["n"].structural and not m.params["r"].structural
    assert m.name == "pg" and m.description == "desc"


def test_family_expansion_and_overrides() -> None:
    m = model(overrides={"n": "6", "r": "-3/2"})
    assert [a.name for a in m.agents] == [f"a[{k}]" for k in range(1, 7)] + ["planner"]
    assert m.params["r"].value == Fraction(-3, 2)
    a2 = m.agents[1]
    assert a2.family == "a" and a2.index == 2 and a2.bindings == (("i", 2),)
    assert m.agents[0].bindings == () and m.agents[0].payoff == X.Num(Fraction(7))
    assert m.agents[-1].index is None and m.agents[-1].actions == ("fast", "careful")


def test_range_inference_and_action_tests() -> None:
    m = model()
    pay = m.agents[1].payoff
    assert isinstance(pay, X.Arith) and pay.op == "-"
    count = pay.left.left.right  # type: ignore[union-attr]
    assert isinstance(count, X.Aggregate) and count.kind == "count"
    assert count.lo == X.Num(Fraction(1)) and count.hi == X.ParamRef("n")
    assert count.body == X.ActionIs(X.AgentRef("a", X.IndexVar("j")), "contribute")
    assert isinstance(pay.right, X.Cond)
    assert m.metrics["harm"].sense == "minimize"
    assert isinstance(m.metrics["welfare"].expr.body, X.PayoffOf)  # type: ignore[union-attr]


def test_profiles_specific_beats_family() -> None:
    m = model()
    assert m.profiles["one_rogue"].actions == ("withhold", "contribute", "contribute", "contribute", "careful")


def test_same_action_and_negation() -> None:
    m = build_model("game g\nagents a[1..2]: actions x, y\npayoff a[i] = 1 if a[1] != a[2] else 0\n", "t", {})
    cond = m.agents[0].payoff.cond  # type: ignore[union-attr]
    assert isinstance(cond, X.SameAction) and cond.negate


def test_every_property_form() -> None:
    m = model("""property "d": strictly dominant(a[i], withhold) for all i
property "d2": dominant(planner, fast)
property "d3": dominant(a, withhold)
property "n": nash coop
property "n2": nash {a: withhold, planner: fast}
property "q": for every nash p: welfare(p) >= 1/2 * max(welfare)
property "q2": for some correlated e: payoff(a[2], e) > min(harm)
property "c": price_of_anarchy(welfare, mixed) <= 4/3 and count(nash) >= 1
property "s": strong_nash(coop)
property "cp": coalition_proof(coop)
property "rs": resilient(coop, k = 2, weak)
property "im": immune(coop, adversaries = 1, welfare >= 2)
property "rb": robust(coop, k = 1, t = 1)
property "oe": optimum_is_equilibrium(harm, spe)
property "pe": pareto_efficient(mixed)
property "ir": individually_rational(coop, outside = {a: 0, a[2]: 1/2, planner: -1})
property "ex": exists coarse_correlated
property "un": unique nash for r in [1, 2]
property "bw": best_equilibrium(welfare) >= worst_equilibrium(welfare, correlated)
""")
    ps = {p.name: p for p in m.properties}
    assert ps["d"] == P.Dominant("d", (0, 1, 2, 3), "withhold", P.Strength.STRICT)
    assert ps["d2"].agents == (4,) and ps["d3"].agents == (0, 1, 2, 3)  # type: ignore[union-attr]
    assert ps["d"].span.line == 16
    assert isinstance(ps["n"], P.IsEquilibrium) and ps["n"].profile.name == "coop"
    assert ps["n2"].profile.actions == ("withhold",) * 4 + ("fast",)  # type: ignore[union-attr]
    q = ps["q"]
    assert isinstance(q, P.Quantified) and q.concept is P.Concept.PURE_NASH
    assert q.body.left == P.MetricAt("welfare", "p")  # type: ignore[union-attr]
    assert q.body.right.right == P.MetricExtreme("welfare", "max")  # type: ignore[union-attr]
    q2 = ps["q2"]
    assert q2.quantifier is P.Quantifier.SOME and q2.concept is P.Concept.CORRELATED  # type: ignore[union-attr]
    assert isinstance(q2.body.left, P.PayoffAt)  # type: ignore[union-attr]
    c = ps["c"]
    assert isinstance(c, P.Claim)
    assert c.body.left.left == P.PriceOf("anarchy", "welfare", P.Concept.MIXED_NASH)  # type: ignore[union-attr]
    assert c.body.right.left == P.EquilibriumCount(P.Concept.PURE_NASH)  # type: ignore[union-attr]
    assert ps["s"].kind == "strong" and ps["cp"].kind == "coalition_proof"  # type: ignore[union-attr]
    assert ps["rs"].k == 2 and ps["rs"].weak  # type: ignore[union-attr]
    im = ps["im"]
    assert isinstance(im, P.Immune) and im.t == 1 and isinstance(im.condition, X.Compare)
    assert isinstance(im.condition.left, X.MetricOf)
    assert ps["rb"].k == 1 and ps["rb"].t == 1  # type: ignore[union-attr]
    assert ps["oe"] == P.OptimumIsEquilibrium("oe", "harm", P.Concept.SPE)
    assert ps["pe"] == P.ParetoEfficient("pe", P.Concept.MIXED_NASH)
    ir = ps["ir"]
    assert isinstance(ir, P.IndividuallyRational)
    vals = dict(ir.outside)
    assert vals[1] == X.Arith("/", X.Num(Fraction(1)), X.Num(Fraction(2))) and vals[0] == X.Num(Fraction(0))
    assert ps["ex"] == P.Existence("ex", False, P.Concept.COARSE_CORRELATED)
    un = ps["un"]
    assert un.region is not None and un.region.param == "r"  # type: ignore[union-attr]
    bw = ps["bw"].body  # type: ignore[union-attr]
    assert bw.right == P.EquilibriumValue("welfare", "worst", P.Concept.CORRELATED)


def codes(src: str, overrides: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(SpecError) as info:
        build_model(src, "t.vg", overrides or {})
    return [d.code for d in info.value.diagnostics]


def test_bad_overrides() -> None:
    assert codes(BASE, {"rr": "1"}) == ["E109"]
    assert codes(BASE, {"r": "abc"}) == ["E109"]
    assert codes(BASE, {"n": "5/2"}) == ["E112"]
    assert codes(BASE, {"n": "20000"}) == ["E007"]


def test_metric_payoff_cycle() -> None:
    src = "game g\nagents a, b: actions x, y\npayoff a = w\npayoff b = 1\nmetric w = payoff(a)\n"
    with pytest.raises(SpecError) as info:
        build_model(src, "t.vg", {})
    d = info.value.diagnostics[0]
    assert d.code == "E106" and "payoff(a)" in d.message and "w" in d.message


def test_profile_missing_lists_agents() -> None:
    with pytest.raises(SpecError) as info:
        model('property "x": nash {a: contribute}\n')
    d = info.value.diagnostics[0]
    assert d.code == "E110" and "planner" in d.message


def test_all_profile_needs_shared_action() -> None:
    assert codes(BASE + 'property "x": nash all withhold\n') == ["E104"]


def test_large_family_is_fast_and_bounded() -> None:
    m = build_model("game g\nparam n = 10000\nagents a[1..n]: actions x, y\n"
                    "payoff a[i] = count(j: a[j] == x)\n", "t.vg", {})
    assert len(m.agents) == 10000
