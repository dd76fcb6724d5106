"""Quantified and Claim properties: textbook values, the honesty rules for
incomplete / infinite / approximate equilibrium sets, and a differential
check against brute force."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import model_from_exprs, public_goods_model, random_payoffs, table_expr, table_model
from verigroup.analyses.registry import (
    Context, CorrelatedPoint, EquilibriumSet, MixedPoint, PurePoint, get_checker,
)
from verigroup.model.expr import (
    ActionIs, AgentRef, Aggregate, Arith, Compare, IndexVar, Logic, Num, PayoffOf,
)
from verigroup.model.properties import (
    Claim, Concept, EquilibriumCount, EquilibriumValue, MetricAt, MetricExtreme, PayoffAt, PriceOf,
    Quantified, Quantifier,
)
from verigroup.verdicts import Verdict

F = Fraction
EVERY, SOME = Quantifier.EVERY, Quantifier.SOME


def n(x: Any) -> Num:
    return Num(F(x))


def run(model: Any, prop: Any, sets: dict[Concept, EquilibriumSet] | None = None) -> Any:
    fn = get_checker(type(prop))
    assert fn is not None
    ctx = Context(model)
    for c, s in (sets or {}).items():
        ctx._equilibria[c] = s
    return fn(ctx, prop)


def welfare_sum(k: int) -> Aggregate:
    return Aggregate("sum", "i", n(1), n(k), PayoffOf(AgentRef("a", IndexVar("i"))))


def stag_hunt(extra_metrics: dict[str, Any] | None = None, senses: dict[str, str] | None = None) -> Any:
    # actions s0 = stag, s1 = hare; (S,S) = 4,4; (S,H) = 0,3; (H,S) = 3,0; (H,H) = 3,3
    a = np.array([[4, 0], [3, 3]])
    tables = [a, a.T]
    exprs = [table_expr(t) for t in tables]
    metrics = {"welfare": welfare_sum(2), **(extra_metrics or {})}
    return model_from_exprs(2, ("s0", "s1"), lambda i: exprs[i - 1], metrics, senses=senses)


# ----------------------------------------------------------- pure, textbook


def test_public_goods_equilibria_lose_the_surplus() -> None:
    m = public_goods_model(4)  # max welfare 12/5 (all contribute), the only NE has welfare 0
    body = Compare(">=", MetricAt("welfare", "p"), Arith("*", n(F(1, 2)), MetricExtreme("welfare", "max")))
    r = run(m, Quantified("half", EVERY, Concept.PURE_NASH, "p", body))
    assert r.verdict is Verdict.VIOLATED
    assert r.evidence["profile"] == {f"a[{i}]": "withhold" for i in range(1, 5)}
    assert r.evidence["sides"] == {"left": "0", "right": "6/5", "op": ">="}
    r = run(m, Quantified("some", SOME, Concept.PURE_NASH, "p", Compare(">=", MetricAt("welfare", "p"), n(0))))
    assert r.verdict is Verdict.HOLDS and r.evidence["witness"]["profile"]["a[1]"] == "withhold"
    # price of anarchy: worst equilibrium welfare is 0 -> undefined, UNKNOWN with the reason
    r = run(m, Claim("poa", Compare("<=", PriceOf("anarchy", "welfare"), n(2))))
    assert r.verdict is Verdict.UNKNOWN and "denominator is 0" in r.evidence["reason"]


def test_stag_hunt_prices_and_values() -> None:
    m = stag_hunt()
    # equilibria (S,S) welfare 8 and (H,H) welfare 6; optimum 8
    assert run(m, Claim("c", Compare("==", PriceOf("anarchy", "welfare"), n(F(4, 3))))).verdict is Verdict.HOLDS
    assert run(m, Claim("c", Compare("==", PriceOf("stability", "welfare"), n(1)))).verdict is Verdict.HOLDS
    r = run(m, Claim("c", Compare("<", PriceOf("anarchy", "welfare"), n(F(4, 3)))))
    assert r.verdict is Verdict.VIOLATED
    info = r.evidence["terms"]["price_of_anarchy(welfare, pure_nash)"]
    assert info["worst_equilibrium_value"] == "6" and info["optimum"] == "8"
    assert info["equilibrium"]["strategies"] == {"a[1]": {"s1": "1"}, "a[2]": {"s1": "1"}}
    assert run(m, Claim("c", Compare("==", EquilibriumCount(), n(2)))).verdict is Verdict.HOLDS
    worst = EquilibriumValue("welfare", "worst")
    best = EquilibriumValue("welfare", "best")
    assert run(m, Claim("c", Logic("and", Compare("==", worst, n(6)), Compare("==", best, n(8))))).verdict \
        is Verdict.HOLDS


def test_minimised_metric_price() -> None:
    hare = Aggregate("count", "j", n(1), n(2), ActionIs(AgentRef("a", IndexVar("j")), "s1"))
    m = stag_hunt({"harm": Arith("+", n(1), hare)}, {"harm": "minimize"})
    # harm at (S,S) = 1 (optimum), at (H,H) = 3: anarchy = 3/1, stability = 1/1
    assert run(m, Claim("c", Compare("==", PriceOf("anarchy", "harm"), n(3)))).verdict is Verdict.HOLDS
    assert run(m, Claim("c", Compare("==", PriceOf("stability", "harm"), n(1)))).verdict is Verdict.HOLDS
    # best equilibrium in the metric's own sense: the smallest harm
    assert run(m, Claim("c", Compare("==", EquilibriumValue("harm", "best"), n(1)))).verdict is Verdict.HOLDS


def test_mixed_signs_price_is_unknown() -> None:
    a = np.array([[4, -5], [-5, -1]])  # NE (0,0) welfare 8 and (1,1) welfare -2
    exprs = [table_expr(a), table_expr(a.T)]
    m = model_from_exprs(2, ("s0", "s1"), lambda i: exprs[i - 1], {"welfare": welfare_sum(2)})
    r = run(m, Claim("c", Compare("<=", PriceOf("anarchy", "welfare"), n(10))))
    assert r.verdict is Verdict.UNKNOWN and "different signs" in r.evidence["reason"]


# --------------------------------------------------- other concepts (injected)

PENNIES = [np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])]
HALF = F(1, 2)


def pennies_model() -> Any:
    return table_model(PENNIES)


def mixed_set(points: list[MixedPoint], complete: bool = True, **extra: Any) -> EquilibriumSet:
    return EquilibriumSet(Concept.MIXED_NASH, tuple(points), complete, "test", "", dict(extra))


def pay1(var: str = "p") -> PayoffAt:
    return PayoffAt(AgentRef("a", n(1)), var)


def test_mixed_pennies_value_zero() -> None:
    m = pennies_model()
    eq = MixedPoint(((HALF, HALF), (HALF, HALF)))
    sets = {Concept.MIXED_NASH: mixed_set([eq])}
    body = Compare("==", pay1(), n(0))
    assert run(m, Quantified("v", EVERY, Concept.MIXED_NASH, "p", body), sets).verdict is Verdict.HOLDS
    r = run(m, Quantified("v", EVERY, Concept.MIXED_NASH, "p", Compare(">", pay1(), n(0))), sets)
    assert r.verdict is Verdict.VIOLATED and r.evidence["sides"]["left"] == "0"


def test_incomplete_set_never_proves() -> None:
    m = pennies_model()
    eq = MixedPoint(((HALF, HALF), (HALF, HALF)))
    sets = {Concept.MIXED_NASH: mixed_set([eq], complete=False)}
    good, bad = Compare(">=", pay1(), n(0)), Compare(">", pay1(), n(0))
    assert run(m, Quantified("x", EVERY, Concept.MIXED_NASH, "p", good), sets).verdict is Verdict.UNKNOWN
    assert run(m, Quantified("x", EVERY, Concept.MIXED_NASH, "p", bad), sets).verdict is Verdict.VIOLATED
    assert run(m, Quantified("x", SOME, Concept.MIXED_NASH, "p", good), sets).verdict is Verdict.HOLDS
    assert run(m, Quantified("x", SOME, Concept.MIXED_NASH, "p", bad), sets).verdict is Verdict.UNKNOWN
    assert run(m, Claim("c", Compare("==", EquilibriumCount(Concept.MIXED_NASH), n(1))), sets).verdict \
        is Verdict.UNKNOWN


def test_approximate_points_are_not_evidence() -> None:
    m = pennies_model()
    approx = MixedPoint(((F(51, 100), F(49, 100)), (HALF, HALF)), exact=False, epsilon=F(1, 50))
    sets = {Concept.MIXED_NASH: mixed_set([approx], complete=False)}
    assert run(m, Quantified("x", EVERY, Concept.MIXED_NASH, "p", Compare(">", pay1(), n(0))), sets).verdict \
        is Verdict.UNKNOWN


def test_infinite_components_two_players() -> None:
    # a[2] is indifferent everywhere; a[1] strictly prefers s0: equilibria = {s0} x simplex,
    # extreme equilibria (s0, s0) and (s0, s1)
    m = table_model([np.array([[2, 1], [0, 0]]), np.zeros((2, 2), dtype=np.int64)])
    pts = [MixedPoint(((F(1), F(0)), (F(1), F(0)))), MixedPoint(((F(1), F(0)), (F(0), F(1))))]
    sets = {Concept.MIXED_NASH: mixed_set(pts, components_infinite=True)}
    # linear in the point: payoff of a[1] in [1, 2] over the whole component
    lin = Compare(">=", pay1(), n(1))
    r = run(m, Quantified("x", EVERY, Concept.MIXED_NASH, "p", lin), sets)
    assert r.verdict is Verdict.HOLDS and "extreme equilibria suffice" in r.method
    # not linear: (u-1)*(u-2) <= 0 ... holds on vertices and inside, but vertices are no proof
    u = pay1()
    nonlin = Compare("<=", Arith("*", Arith("-", u, n(1)), Arith("-", u, n(2))), n(0))
    assert run(m, Quantified("x", EVERY, Concept.MIXED_NASH, "p", nonlin), sets).verdict is Verdict.UNKNOWN
    # the "==" for every at vertices fails -> genuine counterexample
    assert run(m, Quantified("x", EVERY, Concept.MIXED_NASH, "p", Compare("==", u, n(2))), sets).verdict \
        is Verdict.VIOLATED
    # "some" with a strict inequality between vertex values: no vertex has u == 3/2, but
    # "==" is not vertex-decidable for "some" -> UNKNOWN rather than VIOLATED
    assert run(m, Quantified("x", SOME, Concept.MIXED_NASH, "p", Compare("==", u, n(F(3, 2)))), sets).verdict \
        is Verdict.UNKNOWN
    assert run(m, Quantified("x", SOME, Concept.MIXED_NASH, "p", Compare(">", u, n(2))), sets).verdict \
        is Verdict.VIOLATED


def test_infinite_components_three_players_unknown() -> None:
    shape = (2, 2, 2)
    tables = [np.zeros(shape, dtype=np.int64) for _ in range(3)]
    m = table_model(tables)
    pts = [MixedPoint(tuple((F(1), F(0)) if i == 0 else (F(0), F(1)) for i in range(3)))]
    sets = {Concept.MIXED_NASH: mixed_set(pts, components_infinite=True)}
    body = Compare(">=", pay1(), n(0))
    assert run(m, Quantified("x", EVERY, Concept.MIXED_NASH, "p", body), sets).verdict is Verdict.UNKNOWN
    sets2 = {Concept.MIXED_NASH: mixed_set(pts, components_infinite=True, vertices_suffice=True)}
    assert run(m, Quantified("x", EVERY, Concept.MIXED_NASH, "p", body), sets2).verdict is Verdict.HOLDS


def test_correlated_vertices_linear_only() -> None:
    m = stag_hunt()
    pts = (CorrelatedPoint((((0, 0), F(1)),)), CorrelatedPoint((((1, 1), F(1)),)),
           CorrelatedPoint((((0, 0), HALF), ((1, 1), HALF))))
    sets = {Concept.CORRELATED: EquilibriumSet(Concept.CORRELATED, pts, True, "test")}
    lin = Compare(">=", MetricAt("welfare", "p"), n(6))
    assert run(m, Quantified("x", EVERY, Concept.CORRELATED, "p", lin), sets).verdict is Verdict.HOLDS
    disj = Logic("or", Compare("<=", MetricAt("welfare", "p"), n(6)), Compare(">=", MetricAt("welfare", "p"), n(8)))
    assert run(m, Quantified("x", EVERY, Concept.CORRELATED, "p", disj), sets).verdict is Verdict.VIOLATED
    # best correlated welfare: linear objective, extremal at a vertex
    assert run(m, Claim("c", Compare("==", EquilibriumValue("welfare", "best", Concept.CORRELATED), n(8))),
               sets).verdict is Verdict.HOLDS


def test_unavailable_concept_is_unknown() -> None:
    m = pennies_model()
    r = run(m, Quantified("x", EVERY, Concept.COARSE_CORRELATED, "p", Compare(">=", pay1(), n(0))),
            {Concept.COARSE_CORRELATED: EquilibriumSet(Concept.COARSE_CORRELATED, (), False, "", "not available")})
    assert r.verdict is Verdict.UNKNOWN


# ------------------------------------------------------------ differential


def brute_nash(tables: list[np.ndarray]) -> list[tuple[int, ...]]:
    shape = tables[0].shape
    out = []
    for s in itertools.product(*(range(k) for k in shape)):
        if all(tables[p][s] >= max(tables[p][s[:p] + (a,) + s[p + 1:]] for a in range(shape[p]))
               for p in range(len(shape))):
            out.append(s)
    return out


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 3), st.integers(2, 3), st.integers(0, 2**31), st.integers(0, 9))
def test_quantified_agrees_with_brute_force(players: int, k: int, seed: int, c: int) -> None:
    tables = random_payoffs(seed, (k,) * players)
    m = table_model(tables)
    eqs = brute_nash(tables)
    body = Compare(">=", pay1(), n(c))
    every = run(m, Quantified("x", EVERY, Concept.PURE_NASH, "p", body)).verdict
    some = run(m, Quantified("x", SOME, Concept.PURE_NASH, "p", body)).verdict
    assert (every is Verdict.HOLDS) == all(tables[0][s] >= c for s in eqs)
    assert (every is Verdict.VIOLATED) == any(tables[0][s] < c for s in eqs)
    assert (some is Verdict.HOLDS) == any(tables[0][s] >= c for s in eqs)
    cnt = run(m, Claim("n", Compare("==", EquilibriumCount(), n(len(eqs))))).verdict
    assert cnt is Verdict.HOLDS
