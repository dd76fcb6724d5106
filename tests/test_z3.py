"""The Z3 backend and the symbolic checkers, cross-checked against plain
enumeration with the scalar reference evaluator (verigroup.evaluate.scalar,
written independently of the Z3 walker)."""

from __future__ import annotations

import itertools
from fractions import Fraction as F
from typing import Any

import pytest
import z3
from hypothesis import given, settings
from hypothesis import strategies as st

from verigroup.analyses.registry import Context
from verigroup.analyses.symbolic import region_of, symbolic_check
from verigroup.backends.z3 import back, to_z3, value_at
from verigroup.diagnostics import SpecError
from verigroup.model.expr import (
    ActionIs, AgentRef, Aggregate, Arith, BoolConst, Call, Compare, Cond, IndexVar, Logic, MetricOf,
    Neg, Not, Num, ParamRef, PayoffOf, SameAction,
)
from verigroup.model.model import Agent, Metric, Model, Param
from verigroup.model.properties import (
    Claim, Concept, Dominant, Existence, IsEquilibrium, MetricAt, MetricExtreme, ParamRegion,
    PayoffAt, Profile, Quantified, Quantifier, Strength,
)
from verigroup.verdicts import Verdict

scalar = pytest.importorskip("verigroup.evaluate.scalar")


# ------------------------------------------------------------- builders


def a(i: Any) -> AgentRef:
    return AgentRef("a", IndexVar(i) if isinstance(i, str) else Num(F(i)))


def ind(c: Any) -> Cond:
    return Cond(c, Num(F(1)), Num(F(0)))


def public_goods(n: int, r: F = F(8, 5)) -> Model:
    count = Aggregate("count", "j", Num(F(1)), ParamRef("n"), ActionIs(a("j"), "contribute"))
    pay = Arith("-", Arith("/", Arith("*", ParamRef("r"), count), ParamRef("n")),
                ind(ActionIs(a("i"), "contribute")))
    agents = tuple(Agent(f"a[{k}]", "a", k, ("contribute", "withhold"), pay, (("i", k),))
                   for k in range(1, n + 1))
    welfare = Aggregate("sum", "i", Num(F(1)), ParamRef("n"), PayoffOf(a("i")))
    return Model("pg", "", {"n": Param("n", F(n), structural=True), "r": Param("r", r)}, agents,
                 {"welfare": Metric("welfare", welfare)})


def family_model(n: int, actions: tuple[str, ...], pay: Any, params: dict[str, F] | None = None,
                 metrics: dict[str, Any] | None = None) -> Model:
    agents = tuple(Agent(f"a[{k}]", "a", k, actions, pay, (("i", k),)) for k in range(1, n + 1))
    ps = {"n": Param("n", F(n), structural=True)}
    ps.update({k: Param(k, v) for k, v in (params or {}).items()})
    welfare = Aggregate("sum", "i", Num(F(1)), ParamRef("n"), PayoffOf(a("i")))
    ms = {"welfare": Metric("welfare", welfare)}
    ms.update({k: Metric(k, v) for k, v in (metrics or {}).items()})
    return Model("fam", "", ps, agents, ms)


def all_profiles(model: Model) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(len(ag.actions)) for ag in model.agents)))


def naive_payoffs(model: Model, params: dict[str, F] | None = None) -> dict[tuple[int, ...], tuple[F, ...]]:
    return {p: scalar.payoffs_at(model, p, params) for p in all_profiles(model)}


def naive_nash(model: Model, params: dict[str, F] | None = None) -> list[tuple[int, ...]]:
    pays = naive_payoffs(model, params)
    out = []
    for p, u in pays.items():
        ok = True
        for i, ag in enumerate(model.agents):
            for b in range(len(ag.actions)):
                q = list(p)
                q[i] = b
                if pays[tuple(q)][i] > u[i]:
                    ok = False
        if ok:
            out.append(p)
    return out


def prof_of(model: Model, names: dict[str, str]) -> tuple[int, ...]:
    return tuple(ag.actions.index(names[ag.name]) for ag in model.agents)


def ctx(model: Model, **options: Any) -> Context:
    return Context(model, timeout=30, options=options)


def every(body: Any, region: ParamRegion | None = None) -> Quantified:
    return Quantified("q", Quantifier.EVERY, Concept.PURE_NASH, "p", body, region=region)


def some(body: Any, region: ParamRegion | None = None) -> Quantified:
    return Quantified("q", Quantifier.SOME, Concept.PURE_NASH, "p", body, region=region)


# ------------------------------------------------------- random models

TERM_KINDS = ("own", "count", "pair", "same", "minmax", "abs", "param", "div", "neg", "payoff")


@st.composite
def random_models(draw: st.DrawFn, linear_param: bool = False) -> Model:
    n = draw(st.integers(2, 3))
    k = draw(st.integers(2, 3))
    acts = tuple(f"x{j}" for j in range(k))
    c = lambda: Num(F(draw(st.integers(-4, 4))))  # noqa: E731
    act = lambda: acts[draw(st.integers(0, k - 1))]  # noqa: E731
    other = lambda: draw(st.integers(1, n))  # noqa: E731
    terms: list[Any] = []
    kinds = draw(st.lists(st.sampled_from(TERM_KINDS), min_size=1, max_size=4))
    for kind in kinds:
        if kind == "own":
            t: Any = Arith("*", c(), ind(ActionIs(a("i"), act())))
        elif kind == "count":
            t = Arith("*", c(), Aggregate("count", "j", Num(F(1)), ParamRef("n"), ActionIs(a("j"), act())))
        elif kind == "pair":
            t = Arith("*", c(), ind(Logic("and", ActionIs(a("i"), act()), ActionIs(a(other()), act()))))
        elif kind == "same":
            t = Cond(SameAction(a("i"), a(other())), c(), c())
        elif kind == "minmax":
            fn = draw(st.sampled_from(["min", "max"]))
            t = Call(fn, (Arith("*", c(), ind(ActionIs(a("i"), act()))),
                          Arith("*", c(), ind(ActionIs(a(other()), act())))))
        elif kind == "abs":
            t = Call("abs", (Arith("-", Aggregate("count", "j", Num(F(1)), ParamRef("n"),
                                                  ActionIs(a("j"), act())), c()),))
        elif kind == "param":
            t = Arith("*", ParamRef("r"), ind(ActionIs(a(other()), act())))
        elif kind == "div":
            t = Arith("/", Aggregate("sum", "j", Num(F(1)), ParamRef("n"),
                                     Arith("*", c(), ind(ActionIs(a("j"), act())))), Num(F(3)))
        elif kind == "neg":
            t = Neg(Cond(Not(ActionIs(a("i"), act(), negate=True)), c(), Num(F(0))))
        else:  # payoff of a lower-indexed agent: no cycles (a[1] gets a constant)
            t = Cond(Compare(">", IndexVar("i"), Num(F(1))),
                     Arith("/", PayoffOf(AgentRef("a", Arith("-", IndexVar("i"), Num(F(1))))), Num(F(2))),
                     c())
        terms.append(t)
    if linear_param:
        terms.append(Arith("*", ParamRef("r"), Arith("*", c(), ind(ActionIs(a("i"), act())))))
    pay: Any = terms[0]
    for t in terms[1:]:
        pay = Arith("+", pay, t)
    r = F(draw(st.integers(-6, 6)), draw(st.integers(1, 3)))
    return family_model(n, acts, pay, {"r": r})


# -------------------------------------------------------------- walker


def test_walker_values_match_scalar_evaluator_on_public_goods() -> None:
    m = public_goods(4)
    enc = to_z3(m)
    for p in all_profiles(m):
        assert tuple(value_at(enc, t, p) for t in enc.payoffs) == scalar.payoffs_at(m, p)
        assert value_at(enc, enc.metrics["welfare"], p) == scalar.metrics_at(m, p)["welfare"]


@settings(max_examples=40, deadline=None)
@given(random_models())
def test_walker_matches_scalar_evaluator(model: Model) -> None:
    enc = to_z3(model)
    for p in all_profiles(model):
        assert tuple(value_at(enc, t, p) for t in enc.payoffs) == scalar.payoffs_at(model, p)


def test_nash_condition_enumerates_exactly_the_pure_equilibria() -> None:
    m = public_goods(3, F(2))  # r/n = 2/3 < 1: only all-withhold
    enc = to_z3(m)
    s = z3.Solver()
    s.add(*enc.domain, enc.nash())
    found = []
    while s.check() == z3.sat:
        prof, params = back(enc, s.model())
        found.append(prof)
        s.add(z3.Or(*[x != v for x, v in zip(enc.action_vars, prof_of(m, prof).__iter__())]))
    assert found == [{"a[1]": "withhold", "a[2]": "withhold", "a[3]": "withhold"}]


def test_same_action_compares_names_across_action_sets() -> None:
    # alice: (left, right); bob: (right, up, left): same name, different index.
    pay = ind(SameAction(AgentRef("alice"), AgentRef("bob")))
    agents = (Agent("alice", "alice", None, ("left", "right"), pay),
              Agent("bob", "bob", None, ("right", "up", "left"), Num(F(0))))
    m = Model("s", "", {}, agents, {})
    enc = to_z3(m)
    got = {p: value_at(enc, enc.payoffs[0], p) for p in all_profiles(m)}
    assert got == {(0, 2): 1, (1, 0): 1, (0, 0): 0, (0, 1): 0, (1, 1): 0, (1, 2): 0}


def test_power_aggregates_and_logic() -> None:
    body = Arith("^", Aggregate("count", "j", Num(F(1)), Num(F(3)), ActionIs(a("j"), "x0")), Num(F(2)))
    cond = Logic("or", Aggregate("any", "j", Num(F(1)), Num(F(3)), ActionIs(a("j"), "x1")),
                 BoolConst(False))
    pay = Arith("+", body, Cond(cond, Num(F(1, 3)), Num(F(-1))))
    prod = Aggregate("product", "j", Num(F(1)), Num(F(3)), Arith("+", Num(F(1)), ind(ActionIs(a("j"), "x0"))),
                     filter=Compare("!=", IndexVar("j"), Num(F(2))))
    mn = Aggregate("min", "j", Num(F(1)), Num(F(3)), IndexVar("j"), filter=ActionIs(a("j"), "x0"))
    m = family_model(3, ("x0", "x1"), pay, metrics={"prod": prod})
    enc = to_z3(m)
    for p in all_profiles(m):
        assert value_at(enc, enc.payoffs[0], p) == scalar.payoffs_at(m, p)[0]
        assert value_at(enc, enc.metrics["prod"], p) == scalar.metrics_at(m, p)["prod"]
    # A filtered min over a profile-dependent set is empty at all-x1: E203.
    m2 = family_model(3, ("x0", "x1"), Num(F(0)), metrics={"first": mn})
    with pytest.raises(SpecError) as err:
        to_z3(m2, check=True)
    assert err.value.diagnostics[0].code == "E203"


def test_division_by_profile_dependent_zero_is_e201_with_profile() -> None:
    count = Aggregate("count", "j", Num(F(1)), ParamRef("n"), ActionIs(a("j"), "go"))
    pay = Arith("/", Num(F(1)), count)
    m = family_model(2, ("go", "stay"), pay)
    with pytest.raises(SpecError) as err:
        to_z3(m, check=True)
    d = err.value.diagnostics[0]
    assert d.code == "E201" and "a[1] = stay" in d.message and "a[2] = stay" in d.message
    # ... and the symbolic checker reports it rather than deciding anything.
    with pytest.raises(SpecError):
        symbolic_check(ctx(m), Existence("e", False))


def test_constant_division_by_zero_and_symbolic_structural_param() -> None:
    m = family_model(2, ("x", "y"), Arith("/", Num(F(1)), Arith("-", ParamRef("r"), Num(F(1)))), {"r": F(1)})
    with pytest.raises(SpecError) as err:
        to_z3(m)
    assert err.value.diagnostics[0].code == "E201"
    with pytest.raises(SpecError) as err2:
        to_z3(public_goods(3), symbolic_params={"n"})
    assert err2.value.diagnostics[0].code == "E109"


def test_symbolic_parameter_is_a_free_real() -> None:
    m = public_goods(2)
    enc = to_z3(m, symbolic_params={"r"})
    r = enc.param_vars["r"]
    s = z3.Solver()
    # Both contributing is an equilibrium iff r/2 - 1 >= r/2 * 1/2 ... i.e. r >= 2.
    s.add(*enc.domain, enc.action_vars[0] == 0, enc.action_vars[1] == 0, enc.nash(), r < 2)
    assert s.check() == z3.unsat


def test_table_models_from_game_files() -> None:
    import numpy as np

    from verigroup.model.game import NormalFormGame

    g = NormalFormGame.from_fractions(["A", "B"], [["C", "D"], ["C", "D"]],
                                      [np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])])
    agents = tuple(Agent(p, p, None, acts, Num(F(0))) for p, acts in zip(g.players, g.actions))
    m = Model("pd", "", {}, agents, {}, path="pd.nfg")
    m._cache["game"] = g
    res = symbolic_check(ctx(m), Existence("u", True))
    assert res is not None and res.verdict is Verdict.HOLDS
    assert res.evidence["witness"]["strategies"] == {"A": {"D": "1"}, "B": {"D": "1"}}
    dom = symbolic_check(ctx(m), Dominant("d", (0, 1), "D", Strength.STRICT))
    assert dom is not None and dom.verdict is Verdict.HOLDS


# ------------------------------------------------------ symbolic checks


def test_public_goods_30_agents_without_enumeration() -> None:
    m = public_goods(30)
    c = ctx(m)
    # 2^30 profiles: withholding is strictly dominant (r/n < 1), so the only
    # equilibrium is all-withhold with welfare 0.
    r = symbolic_check(c, every(Compare(">=", MetricAt("welfare", "p"), Num(F(0)))))
    assert r is not None and r.verdict is Verdict.HOLDS and r.evidence["z3_profiles"] == str(2**30)
    r = symbolic_check(c, every(Compare(">=", MetricAt("welfare", "p"),
                                        Arith("*", Num(F(1, 2)), MetricExtreme("welfare", "max")))))
    assert r is not None and r.verdict is Verdict.VIOLATED
    assert set(r.evidence["profile"].values()) == {"withhold"} and r.evidence["metrics"]["welfare"] == "0"
    assert symbolic_check(c, Existence("u", True)).verdict is Verdict.HOLDS  # type: ignore[union-attr]
    assert symbolic_check(c, Dominant("d", tuple(range(30)), "withhold",  # type: ignore[union-attr]
                                      Strength.STRICT)).verdict is Verdict.HOLDS
    bad = symbolic_check(c, IsEquilibrium("e", Profile(("contribute",) * 30)))
    assert bad is not None and bad.verdict is Verdict.VIOLATED
    assert bad.evidence["deviation"] == "withhold"
    # max(welfare) = 30 * (8/5 - 1) = 18 at all-contribute.
    cl = symbolic_check(c, Claim("c", Compare("==", MetricExtreme("welfare", "max"), Num(F(18)))))
    assert cl is not None and cl.verdict is Verdict.HOLDS


def naive_verdicts(model: Model, params: dict[str, F] | None = None) -> dict[str, bool]:
    pays = naive_payoffs(model, params)
    ne = naive_nash(model, params)
    welfare = {p: scalar.metrics_at(model, p, params)["welfare"] for p in pays}
    wmax = max(welfare.values())
    out = {
        "every_pos": all(welfare[p] >= 0 for p in ne),
        "every_half": all(welfare[p] >= wmax / 2 for p in ne),
        "some_a1": any(pays[p][0] >= 1 for p in ne),
        "exists": bool(ne),
        "unique": len(ne) == 1,
    }
    ag = model.agents[0]
    for b in range(len(ag.actions)):
        strict = weak = True
        for c in range(len(ag.actions)):
            if c == b:
                continue
            ge_all, gt_some, gt_all = True, False, True
            for p in pays:
                if p[0] != 0:
                    continue
                pb, pc = list(p), list(p)
                pb[0], pc[0] = b, c
                ub, uc = pays[tuple(pb)][0], pays[tuple(pc)][0]
                ge_all &= ub >= uc
                gt_some |= ub > uc
                gt_all &= ub > uc
            strict &= gt_all
            weak &= ge_all and gt_some
        out[f"strict_{b}"], out[f"weak_{b}"] = strict, weak
    return out


def z3_verdicts(model: Model, region: ParamRegion | None = None) -> dict[str, Any]:
    c = ctx(model)
    w = MetricAt("welfare", "p")
    props: dict[str, Any] = {
        "every_pos": every(Compare(">=", w, Num(F(0))), region),
        "every_half": every(Compare(">=", w, Arith("/", MetricExtreme("welfare", "max"), Num(F(2)))), region),
        "some_a1": some(Compare(">=", PayoffAt(a(1), "p"), Num(F(1))), region),
        "exists": Existence("e", False, region=region),
        "unique": Existence("u", True, region=region),
    }
    for b, name in enumerate(model.agents[0].actions):
        props[f"strict_{b}"] = Dominant("d", (0,), name, Strength.STRICT, region=region)
        props[f"weak_{b}"] = Dominant("d", (0,), name, Strength.WEAK, region=region)
    out = {}
    for key, p in props.items():
        res = symbolic_check(c, p)
        assert res is not None, key
        out[key] = res
    return out


@settings(max_examples=40, deadline=None)
@given(random_models())
def test_symbolic_verdicts_match_enumeration(model: Model) -> None:
    expected = naive_verdicts(model)
    got = z3_verdicts(model)
    for key, ok in expected.items():
        res = got[key]
        assert res.verdict is (Verdict.HOLDS if ok else Verdict.VIOLATED), (key, res.evidence)
    # Counterexamples replay: a violating equilibrium really is one.
    ev = got["every_pos"].evidence
    if got["every_pos"].verdict is Verdict.VIOLATED:
        p = prof_of(model, ev["profile"])
        assert p in naive_nash(model) and F(ev["metrics"]["welfare"]) < 0


@settings(max_examples=30, deadline=None)
@given(random_models(), st.data())
def test_is_equilibrium_matches_enumeration(model: Model, data: st.DataObject) -> None:
    p = tuple(data.draw(st.integers(0, len(ag.actions) - 1)) for ag in model.agents)
    prof = Profile(tuple(ag.actions[i] for ag, i in zip(model.agents, p)))
    res = symbolic_check(ctx(model), IsEquilibrium("e", prof))
    assert res is not None
    assert (res.verdict is Verdict.HOLDS) == (p in naive_nash(model))


# ------------------------------------------------------------ regions


def test_dominance_region_of_public_goods() -> None:
    # withhold strictly dominant iff r/n < 1: region [0, n) inside [0, 2n].
    n = 5
    m = public_goods(n)
    reg = ParamRegion("r", Num(F(0)), Num(F(2 * n)))
    res = symbolic_check(ctx(m), Dominant("d", tuple(range(n)), "withhold", Strength.STRICT, region=reg))
    assert res is not None and res.verdict is Verdict.VIOLATED
    assert res.evidence["region"] == [["0", "5"]] and res.evidence["closed"] == [[True, False]]
    assert F(res.evidence["params"]["r"]) >= n
    # all-contribute is an equilibrium iff r >= n.
    eq = symbolic_check(ctx(m), IsEquilibrium("e", Profile(("contribute",) * n), region=reg))
    assert eq is not None and eq.evidence["region"] == [["5", "10"]] and eq.evidence["closed"] == [[True, True]]
    # Inside [1, 4] withholding is dominant throughout: HOLDS.
    ok = symbolic_check(ctx(m), Dominant("d", tuple(range(n)), "withhold", Strength.STRICT,
                                         region=ParamRegion("r", Num(F(1)), Num(F(4)))))
    assert ok is not None and ok.verdict is Verdict.HOLDS
    assert ok.evidence["region"] == [["1", "4"]] and ok.evidence["closed"] == [[True, True]]


def test_region_of_pure_formula() -> None:
    r = z3.Real("r")
    f = z3.Or(z3.And(r > 1, r <= 2), r == 3, z3.If(r > 4, r, -r) >= 9 / 2)  # type: ignore[operator]
    got = region_of(f, r, F(0), F(5))
    assert got is not None
    assert [(i.lo, i.hi, i.lo_closed, i.hi_closed) for i in got] == [
        (F(1), F(2), False, True), (F(3), F(3), True, True), (F(9, 2), F(5), True, True)]
    assert region_of(r * r >= 2, r, F(0), F(5)) is None  # nonlinear: not computed


def _in_region(v: F, ev: dict[str, Any]) -> bool:
    for (lo, hi), (lc, hc) in zip(ev["region"], ev["closed"]):
        lo, hi = F(lo), F(hi)
        if (lo < v or (lc and v == lo)) and (v < hi or (hc and v == hi)):
            return True
    return False


@settings(max_examples=25, deadline=None)
@given(random_models(linear_param=True))
def test_regions_match_pointwise_enumeration(model: Model) -> None:
    lo, hi = F(-3), F(3)
    reg = ParamRegion("r", Num(F(lo)), Num(F(hi)))
    got = z3_verdicts(model, reg)
    memo: dict[F, dict[str, bool]] = {}

    def naive_at(v: F) -> dict[str, bool]:
        if v not in memo:
            memo[v] = naive_verdicts(model, {"r": v})
        return memo[v]

    for key, res in got.items():
        ev = res.evidence
        samples = {lo, hi, F(0), F(1, 7), F(-5, 3)}
        if ev["region"] is None:
            # max(welfare) under a free parameter is a quantified formula:
            # the verdict is exact, the region is not computed.
            assert key == "every_half" and "not computed" in ev["region_note"]
            if res.verdict is Verdict.HOLDS:
                assert all(naive_at(v)[key] for v in samples)
            else:
                assert not naive_at(F(ev["params"]["r"]))[key]
            continue
        for (x, y) in ev["region"]:
            for e in (F(x), F(y)):
                samples |= {e, e - F(1, 97), e + F(1, 97)}
        for v in sorted(s for s in samples if lo <= s <= hi):
            expected = naive_at(v)[key]
            assert _in_region(v, ev) == expected, (key, v, ev)
        whole = ev["region"] == [[str(lo), str(hi)]] and ev["closed"] == [[True, True]]
        assert (res.verdict is Verdict.HOLDS) == whole, (key, ev)
        if res.verdict is Verdict.VIOLATED and "params" in ev:
            assert not naive_at(F(ev["params"]["r"]))[key]


def test_unsupported_properties_return_none() -> None:
    from verigroup.model.properties import CoalitionStable, EquilibriumCount

    m = public_goods(3)
    assert symbolic_check(ctx(m), CoalitionStable("c", "strong", Profile(("withhold",) * 3))) is None
    mixed = Quantified("q", Quantifier.EVERY, Concept.MIXED_NASH, "p", Compare(">=", MetricAt("welfare", "p"), Num(F(0))))
    assert symbolic_check(ctx(m), mixed) is None
    assert symbolic_check(ctx(m), Claim("c", Compare("==", EquilibriumCount(), Num(F(1))))) is None


def test_metric_reference_and_payoff_term() -> None:
    # harm = number of withholders; every equilibrium of pg(4) has harm 4.
    m = public_goods(4)
    harm = Aggregate("count", "j", Num(F(1)), ParamRef("n"), ActionIs(a("j"), "withhold"))
    m = Model(m.name, "", m.params, m.agents, {**m.metrics, "harm": Metric("harm", harm, "minimize"),
                                                "both": Metric("both", Arith("+", MetricOf("harm"), MetricOf("welfare")))})
    c = ctx(m)
    r = symbolic_check(c, every(Compare("==", MetricAt("both", "p"), Num(F(4)))))
    assert r is not None and r.verdict is Verdict.HOLDS
    r = symbolic_check(c, some(Compare(">", PayoffAt(a(2), "p"), Num(F(0)))))
    assert r is not None and r.verdict is Verdict.VIOLATED and r.evidence["kind"] == "no_witness"


def test_symmetry_detection_is_proved_not_assumed() -> None:
    from verigroup.analyses.symbolic import encoding, symmetry_breaking

    m = public_goods(5)
    c = ctx(m)
    assert len(symmetry_breaking(c, encoding(c))) == 4  # x1 <= x2 <= ... <= x5
    # a[1] gets a bonus when a[2] contributes: a[1], a[2] are not interchangeable.
    bonus = Cond(Compare("==", IndexVar("i"), Num(F(1))), ind(ActionIs(a(2), "contribute")), Num(F(0)))
    count = Aggregate("count", "j", Num(F(1)), ParamRef("n"), ActionIs(a("j"), "contribute"))
    pay = Arith("+", Arith("-", count, Arith("*", Num(F(2)), ind(ActionIs(a("i"), "contribute")))), bonus)
    m2 = family_model(4, ("contribute", "withhold"), pay)
    c2 = ctx(m2)
    sb = symmetry_breaking(c2, encoding(c2))
    assert len(sb) == 1  # only a[3] <= a[4]: swaps (1 2) and (2 3) change payoffs
    assert "x_2 <= x_3" in str(sb[0])


@settings(max_examples=25, deadline=None)
@given(random_models())
def test_symmetry_breaking_does_not_change_verdicts(model: Model) -> None:
    w = MetricAt("welfare", "p")
    for body in (Compare(">=", w, Num(F(0))), Compare("<=", w, Num(F(2)))):
        for make in (every, some):
            on = symbolic_check(ctx(model), make(body))
            off = symbolic_check(ctx(model, symmetry=False), make(body))
            assert on is not None and off is not None and on.verdict is off.verdict


def test_dispatcher_uses_the_z3_route() -> None:
    from verigroup.api import check_model

    w = MetricAt("welfare", "p")
    props = (every(Compare(">=", w, Num(F(0)))),
             Dominant("d", tuple(range(30)), "withhold", Strength.STRICT,
                      region=ParamRegion("r", Num(F(0)), Num(F(60)))))
    m30 = public_goods(30)
    m30 = Model(m30.name, "", m30.params, m30.agents, m30.metrics, props)
    rep = check_model(m30, timeout=60)  # 2^30 profiles: the explicit route refuses, Z3 decides
    assert [r.verdict for r in rep.results] == [Verdict.HOLDS, Verdict.VIOLATED]
    # issue 9: an anonymous game this large is planned into counting space
    # (31 count states); a parameter region stays with Z3
    assert rep.results[0].method == "counting" and rep.results[1].method == "z3-region"
    z3 = check_model(m30, timeout=60, method="z3")
    assert [r.method for r in z3.results] == ["z3", "z3-region"]
    assert [r.verdict for r in z3.results] == [Verdict.HOLDS, Verdict.VIOLATED]
    assert rep.results[1].evidence["region"] == [["0", "30"]]


def test_solver_timeout_is_unknown_never_holds() -> None:
    # Atomic Pigou congestion with 30 agents, symmetry breaking off: the exact
    # max(welfare) (z3.Optimize) takes Z3 far longer than 50 ms.
    n = 30
    load = Aggregate("count", "j", Num(F(1)), ParamRef("n"), ActionIs(a("j"), "shared"))
    pay = Neg(Cond(ActionIs(a("i"), "fixed"), Num(F(1)), Arith("/", load, ParamRef("n"))))
    m = family_model(n, ("fixed", "shared"), pay)
    poa = every(Compare(">=", MetricAt("welfare", "p"),
                        Arith("-", MetricExtreme("welfare", "max"), Num(F(n, 4)))))
    c = Context(m, timeout=0.05, options={"symmetry": False})
    res = symbolic_check(c, poa)
    assert res is not None and res.verdict is Verdict.UNKNOWN
    assert "reason" in res.evidence
    # With the (proved) symmetry breaking the same question is easy (and tight:
    # the price of anarchy of atomic Pigou is 4/3).
    ok = symbolic_check(ctx(m), poa)
    assert ok is not None and ok.verdict is Verdict.HOLDS
