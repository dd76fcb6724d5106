"""Materialisation: the vectorised evaluator agrees with the independent
scalar evaluator, is exact, and reports user errors with spans."""

from __future__ import annotations

import importlib.util
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies import (
    model_from_exprs, num_exprs, public_goods_model, random_payoffs, small_model, table_model,
)
from verigroup.diagnostics import SpecError, Span, TooLarge
from verigroup.evaluate import (
    check_size, evaluate_expr_at, evaluate_tensor, materialize, metrics_at, payoffs_at,
)
from verigroup.model.expr import (
    ActionIs, AgentRef, Aggregate, Arith, Cond, IndexVar, MetricOf, Num, ParamRef, PayoffOf,
)
from verigroup.model.model import Agent, Model, Param

F = Fraction


def _outcome(fn):  # type: ignore[no-untyped-def]
    try:
        return ("ok", fn())
    except SpecError as exc:
        return ("error", exc.diagnostics[0].code)


# ------------------------------------------------------------ textbook


def test_public_goods_textbook_values() -> None:
    m = public_goods_model(4, F(8, 5), F(1))
    g = materialize(m)
    assert g.shape == (2, 2, 2, 2)
    everyone = (0, 0, 0, 0)
    # 8/5 * 4 / 4 - 1 = 3/5 for each contributor
    assert g.payoff_vector(everyone) == (F(3, 5),) * 4
    # lone defector: 8/5*3/4 = 6/5; contributors 6/5 - 1 = 1/5
    assert g.payoff_vector((1, 0, 0, 0)) == (F(6, 5), F(1, 5), F(1, 5), F(1, 5))
    assert g.payoff_vector((1, 1, 1, 1)) == (F(0),) * 4
    assert g.metrics["welfare"].tensor.at(everyone) == F(12, 5)
    assert g.payoffs[0].denominator == 5 and g.payoffs[0].is_int64


def test_matches_scalar_on_every_profile_public_goods() -> None:
    m = public_goods_model(3, F(7, 3), F(2))
    g = materialize(m)
    for p in np.ndindex(*g.shape):
        assert g.payoff_vector(p) == payoffs_at(m, p)
        assert g.metrics["welfare"].tensor.at(p) == metrics_at(m, p)["welfare"]


def test_table_model_reproduces_table() -> None:
    arrays = random_payoffs(7, (3, 3, 3))
    g = materialize(table_model(arrays))
    for i, a in enumerate(arrays):
        assert g.payoffs[i].denominator == 1
        assert np.array_equal(g.payoffs[i].values, a)


# ------------------------------------------------------------ exactness


def test_decimals_are_exact() -> None:
    # 0.1 + 0.2 == 0.3 exactly, and 1/3 * 3 == 1
    e = Arith("+", Num(F(1, 10)), Num(F(2, 10)))
    m = model_from_exprs(2, ("x", "y"), lambda i: Arith("*", e, Num(F(10, 3))))
    g = materialize(m)
    assert all(g.payoff(0, p) == 1 for p in g.profiles())


def test_huge_numbers_stay_exact() -> None:
    big = F(10**30)
    # payoff = 10^30 + (1 if a[i] == x else 0): the +1 must survive
    m = model_from_exprs(
        2, ("x", "y"),
        lambda i: Arith("+", Num(big), Cond(ActionIs(AgentRef("a", IndexVar("i")), "x"), Num(F(1)), Num(F(0)))),
    )
    g = materialize(m)
    assert g.payoffs[0].values.dtype == object
    assert g.payoff(0, (0, 1)) - g.payoff(0, (1, 1)) == 1
    assert g.payoff(0, (0, 0)) == big + 1
    # products of huge numbers and tiny fractions
    e = Arith("*", Arith("^", Num(F(10**15)), Num(F(4))), Num(F(1, 3 * 10**60)))
    t = evaluate_tensor(m, e)
    assert t.at((0, 0)) == F(1, 3)


def test_mixed_denominators_common_denominator() -> None:
    # payoff = 1/(1 + count(j: a[j] == x)): denominators 1, 2, 3 per profile
    cnt = Aggregate("count", "j", Num(F(1)), Num(F(2)), ActionIs(AgentRef("a", IndexVar("j")), "x"))
    m = model_from_exprs(2, ("x", "y"), lambda i: Arith("/", Num(F(1)), Arith("+", Num(F(1)), cnt)))
    g = materialize(m)
    assert g.payoffs[0].denominator == 6
    assert g.payoff(0, (0, 0)) == F(1, 3)
    assert g.payoff(0, (0, 1)) == F(1, 2)
    assert g.payoff(0, (1, 1)) == 1


# --------------------------------------------------------- differential


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_vectorised_equals_scalar(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 3), label="agents")
    k = data.draw(st.integers(1, 3), label="actions")
    payoff_exprs = [data.draw(num_exprs(n, k, depth=2), label=f"payoff{i}") for i in range(n)]
    metric = data.draw(num_exprs(n, k, depth=2, allow_refs=True), label="metric")
    # metrics have no index binding; bind i by wrapping the metric in a sum over i
    m = small_model(n, k, lambda i: payoff_exprs[i - 1],
                    {"m0": Aggregate("sum", "i", Num(F(1)), Num(F(n)), metric)})
    vec = _outcome(lambda: materialize(m))
    if vec[0] == "error":
        # the scalar evaluator must hit an error at some profile too, with the same code
        codes = set()
        for p in np.ndindex(*m.shape):
            res = _outcome(lambda: (payoffs_at(m, p), metrics_at(m, p)))
            if res[0] == "error":
                codes.add(res[1])
        assert vec[1] in codes
        return
    g = vec[1]
    for p in np.ndindex(*m.shape):
        assert g.payoff_vector(p) == payoffs_at(m, p)
        assert g.metrics["m0"].tensor.at(p) == metrics_at(m, p)["m0"]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_boolean_tensor_equals_scalar(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 3))
    k = data.draw(st.integers(1, 3))
    e = data.draw(num_exprs(n, k, depth=2))
    cond = ActionIs(AgentRef("a", Num(F(1))), "x")
    m = small_model(n, k, lambda i: Num(F(0)))
    from verigroup.model.expr import Compare
    c = Compare(">", e, Num(F(0)))
    vec = _outcome(lambda: evaluate_tensor(m, c, {"i": 1}))
    if vec[0] == "error":
        return
    t = vec[1]
    assert t.dtype == bool and t.shape == m.shape
    for p in np.ndindex(*m.shape):
        assert bool(t[p]) == evaluate_expr_at(m, c, p, {"i": 1})
    assert evaluate_tensor(m, cond).shape == m.shape


# --------------------------------------------------------------- errors

SP = Span("demo.vg", 7, 12, 7, 30)


def test_division_by_zero_names_profile() -> None:
    count = Aggregate("count", "j", Num(F(1)), Num(F(2)), ActionIs(AgentRef("a", IndexVar("j")), "contribute"))
    m = model_from_exprs(2, ("contribute", "withhold"), lambda i: Arith("/", Num(F(1)), count, span=SP))
    with pytest.raises(SpecError) as exc:
        materialize(m)
    d = exc.value.diagnostics[0]
    assert d.code == "E201" and d.span == SP
    assert "a[1] = withhold, a[2] = withhold" in d.message


def test_division_guarded_by_condition_is_fine() -> None:
    count = Aggregate("count", "j", Num(F(1)), Num(F(2)), ActionIs(AgentRef("a", IndexVar("j")), "x"))
    from verigroup.model.expr import Compare
    safe = Cond(Compare(">", count, Num(F(0))), Arith("/", Num(F(1)), count), Num(F(0)))
    m = model_from_exprs(2, ("x", "y"), lambda i: safe)
    g = materialize(m)
    assert g.payoff(0, (1, 1)) == 0 and g.payoff(0, (0, 0)) == F(1, 2)


def test_empty_min_is_e203() -> None:
    e = Aggregate("min", "j", Num(F(3)), Num(F(2)), Num(F(1)), span=SP)
    m = model_from_exprs(2, ("x", "y"), lambda i: e)
    with pytest.raises(SpecError) as exc:
        materialize(m)
    assert exc.value.diagnostics[0].code == "E203"
    # filtered min that is empty only at some profiles names one of them
    f = Aggregate("max", "j", Num(F(1)), Num(F(2)), Num(F(1)),
                  ActionIs(AgentRef("a", IndexVar("j")), "x"), span=SP)
    m2 = model_from_exprs(2, ("x", "y"), lambda i: f)
    with pytest.raises(SpecError) as exc2:
        materialize(m2)
    assert exc2.value.diagnostics[0].code == "E203"
    assert "a[1] = y, a[2] = y" in exc2.value.diagnostics[0].message


def test_agent_index_out_of_range_is_e105() -> None:
    m = model_from_exprs(2, ("x", "y"), lambda i: PayoffOf(AgentRef("a", Num(F(3)), SP)) if i == 1 else Num(F(0)))
    with pytest.raises(SpecError) as exc:
        materialize(m)
    assert exc.value.diagnostics[0].code == "E105"
    assert "a[3]" in exc.value.diagnostics[0].message


def test_index_depending_on_actions_is_e107() -> None:
    idx = Cond(ActionIs(AgentRef("a", Num(F(1))), "x"), Num(F(1)), Num(F(2)), span=SP)
    m = model_from_exprs(2, ("x", "y"), lambda i: PayoffOf(AgentRef("a", idx)) if i == 2 else Num(F(0)))
    with pytest.raises(SpecError) as exc:
        materialize(m)
    assert exc.value.diagnostics[0].code == "E107"


def test_params_override_and_metric_of() -> None:
    m = public_goods_model(3)
    ratio = Arith("/", MetricOf("welfare"), ParamRef("n"))
    t = evaluate_tensor(m, ratio, params={"n": F(3)})
    g2 = materialize(m, params={"r": F(2)})
    assert g2.payoff(0, (0, 0, 0)) == 1  # 2*3/3 - 1
    assert t.at((0, 0, 0)) == materialize(m).metrics["welfare"].tensor.at((0, 0, 0)) / 3


def test_cyclic_metric_is_e106() -> None:
    m = model_from_exprs(2, ("x", "y"), lambda i: Num(F(0)), {"u": MetricOf("v"), "v": MetricOf("u")})
    with pytest.raises(SpecError) as exc:
        materialize(m)
    assert exc.value.diagnostics[0].code == "E106"


# ----------------------------------------------------------- size guard


def test_size_guard_message() -> None:
    with pytest.raises(TooLarge) as exc:
        check_size((2,) * 30)
    d = exc.value.diagnostics[0]
    assert d.code == "E202"
    assert "2^30 = 1,073,741,824 pure profiles (30 agents × 2 actions)" in d.message
    assert "5,000,000" in d.message and d.hint and "z3" in d.hint


def test_size_guard_refuses_before_allocating() -> None:
    # 30 agents x 2 actions: must refuse immediately, not try to allocate 2^30 entries
    m = model_from_exprs(30, ("x", "y"), lambda i: Num(F(1)))
    with pytest.raises(TooLarge):
        materialize(m)
    small = model_from_exprs(3, ("x", "y"), lambda i: Num(F(1)))
    with pytest.raises(TooLarge):
        materialize(small, max_profiles=4)
    assert materialize(small, max_profiles=8).num_profiles == 8


def test_too_many_agents_even_if_small() -> None:
    with pytest.raises(TooLarge):
        check_size((1,) * 100)


def test_eight_agents_broadcasting() -> None:
    # 4^8 = 65,536 profiles; payoff depends on own action and one neighbour
    n = 8
    own = ActionIs(AgentRef("a", IndexVar("i")), "s0")

    def payoff(i: int) -> Cond:
        nxt = ActionIs(AgentRef("a", Num(F(i % n + 1))), "s1")
        return Cond(own, Cond(nxt, Num(F(3)), Num(F(1, 2))), Num(F(1)))

    m = model_from_exprs(n, ("s0", "s1", "s2", "s3"), payoff)
    g = materialize(m)
    assert g.shape == (4,) * 8
    rng = np.random.default_rng(0)
    for _ in range(50):
        p = tuple(int(x) for x in rng.integers(0, 4, size=8))
        assert g.payoff_vector(p) == payoffs_at(m, p)


def test_extensive_form_materializes_its_reduced_strategic_form() -> None:
    # issue 8: a protocol's normal form is its reduced strategic form; with
    # parameter overrides (sweeps) it is still refused
    import verigroup

    m = verigroup.load(Path(__file__).resolve().parent.parent / "specs" / "protocols" / "entry_deterrence.vg")
    g = materialize(m)
    assert g.shape == (2, 2) and g.actions == (("enter", "stay_out"), ("fight", "accommodate"))
    assert g.payoff_vector((0, 1)) == (2, 2) and g.payoff_vector((1, 0)) == (0, 4)
    with pytest.raises(SpecError):
        materialize(m, params={})


# ------------------------------------------------------- specs (if any)

def _specs() -> list[Path]:
    root = Path(__file__).resolve().parent.parent / "specs"
    return sorted(root.glob("*.vg")) if root.is_dir() else []


@pytest.mark.skipif(importlib.util.find_spec("verigroup.resolve") is None, reason="no resolver yet")
@pytest.mark.parametrize("path", _specs(), ids=lambda p: p.name)
def test_spec_corpus_vectorised_equals_scalar(path: Path) -> None:
    from verigroup.api import load

    try:
        m = load(path)
    except SpecError:
        pytest.skip("spec does not load")
    if m.protocol is not None or m.num_profiles > 4096:
        pytest.skip("extensive-form or large")
    g = materialize(m)
    for p in g.profiles():
        assert g.payoff_vector(p) == payoffs_at(m, p)
        mets = metrics_at(m, p)
        for name, t in g.metrics.items():
            assert t.tensor.at(p) == mets[name]


def test_select_chains_respect_guards_and_match_scalar() -> None:
    a1, a2 = AgentRef("a", Num(F(1))), AgentRef("a", Num(F(2)))
    cnt_y = Aggregate("count", "j", Num(F(1)), Num(F(3)), ActionIs(AgentRef("a", IndexVar("j")), "y"))
    chain = Cond(ActionIs(a1, "x"), Num(F(0)),
                 Cond(ActionIs(a1, "y"), Arith("/", Num(F(1)), cnt_y),   # safe: a[1] = y
                      Cond(ActionIs(a1, "x"), Num(F(99)),                  # unreachable duplicate
                           Cond(ActionIs(a2, "z"), Num(F(7, 2)), Num(F(5))))))  # switches agent
    bools = Cond(ActionIs(a2, "x"), ActionIs(a1, "y"), Cond(ActionIs(a2, "y"), ActionIs(a1, "z", True),
                                                            ActionIs(a1, "x")))
    m = model_from_exprs(3, ("x", "y", "z"), lambda i: chain if i == 1 else Cond(bools, Num(F(1)), Num(F(-1))))
    g = materialize(m)
    for p in np.ndindex(*g.shape):
        assert g.payoff_vector(p) == payoffs_at(m, p)
    # an unguarded zero inside a chain branch is still reported, at the right profile
    bad = Cond(ActionIs(a1, "x"), Arith("/", Num(F(1)), cnt_y, span=SP), Cond(ActionIs(a1, "y"), Num(F(1)), Num(F(2))))
    with pytest.raises(SpecError) as exc:
        materialize(model_from_exprs(3, ("x", "y", "z"), lambda i: bad))
    assert "a[1] = x, a[2] = x, a[3] = x" in exc.value.diagnostics[0].message
