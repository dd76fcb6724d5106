"""Pure equilibria, dominance, IESDS, optima and the pure-profile checkers,
against brute force written here and against pygambit."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies import (
    degenerate_games, game_from_arrays, games, public_goods_model, random_game, symmetric_games,
    zero_sum_games,
)
from verigroup.analyses.pure import (
    best_response_table, dominant_actions, iesds, is_dominant, optima, pure_nash,
)
from verigroup.analyses.registry import Context, get_checker
from verigroup.model.game import NormalFormGame
from verigroup.model.properties import (
    Concept, Dominant, Existence, IndividuallyRational, IsEquilibrium, OptimumIsEquilibrium,
    ParamRegion, ParetoEfficient, Profile, Strength,
)
from verigroup.model.expr import Num
from verigroup.verdicts import Verdict

F = Fraction

# --------------------------------------------------------- brute force


def u(g: NormalFormGame, p: int, s: tuple[int, ...]) -> Fraction:
    return F(int(g.payoffs[p].values[s]), g.payoffs[p].denominator)


def brute_nash(g: NormalFormGame) -> list[tuple[int, ...]]:
    out = []
    for s in itertools.product(*(range(k) for k in g.shape)):
        ok = True
        for p in range(g.num_players):
            for a in range(g.shape[p]):
                t = s[:p] + (a,) + s[p + 1:]
                if u(g, p, t) > u(g, p, s):
                    ok = False
        if ok:
            out.append(s)
    return out


def opponent_profiles(g: NormalFormGame, p: int) -> list[tuple[int, ...]]:
    return list(itertools.product(*(range(k) if i != p else [0] for i, k in enumerate(g.shape))))


def with_action(s: tuple[int, ...], p: int, a: int) -> tuple[int, ...]:
    return s[:p] + (a,) + s[p + 1:]


def brute_dominant(g: NormalFormGame, p: int, a: int, strict: bool) -> bool:
    for b in range(g.shape[p]):
        if b == a:
            continue
        diffs = [u(g, p, with_action(s, p, a)) - u(g, p, with_action(s, p, b)) for s in opponent_profiles(g, p)]
        if strict and not all(d > 0 for d in diffs):
            return False
        if not strict and not (all(d >= 0 for d in diffs) and any(d > 0 for d in diffs)):
            return False
    return True


def brute_iesds(g: NormalFormGame) -> tuple[tuple[int, ...], ...]:
    alive = [list(range(k)) for k in g.shape]
    changed = True
    while changed:
        changed = False
        for p in range(g.num_players):
            for b in list(alive[p]):
                others = [alive[i] if i != p else [0] for i in range(g.num_players)]
                for a in alive[p]:
                    if a != b and all(u(g, p, with_action(s, p, a)) > u(g, p, with_action(s, p, b))
                                      for s in itertools.product(*others)):
                        alive[p].remove(b)
                        changed = True
                        break
    return tuple(tuple(x) for x in alive)


# ------------------------------------------------------------ textbook

PD = game_from_arrays([np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])])
PENNIES = game_from_arrays([np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])])
BOS = game_from_arrays([np.array([[2, 0], [0, 1]]), np.array([[1, 0], [0, 2]])])


def test_textbook_equilibria() -> None:
    assert pure_nash(PD) == [(1, 1)]
    assert pure_nash(PENNIES) == []
    assert pure_nash(BOS) == [(0, 0), (1, 1)]
    assert dominant_actions(PD, 0, Strength.STRICT) == (1,)
    assert dominant_actions(BOS, 0, Strength.WEAK) == ()


def test_best_response_table_pd() -> None:
    br = best_response_table(PD, (0, 0), 0)
    assert br.values == (F(3), F(5)) and br.best_actions == (1,)
    assert br.to_json(PD) == {"s0": "3", "s1": "5"}


def test_weak_dominance_definition() -> None:
    # row 0 ties row 1 against column 0 and beats it against column 1: weakly dominant, not strictly
    g = game_from_arrays([np.array([[1, 2], [1, 0]]), np.zeros((2, 2), dtype=np.int64)])
    assert is_dominant(g, 0, 0, Strength.WEAK).holds
    res = is_dominant(g, 0, 0, Strength.STRICT)
    assert not res.holds and res.competitor == 1 and res.opponents == (0, 0)
    # identical rows: neither weakly dominates the other
    h = game_from_arrays([np.array([[1, 2], [1, 2]]), np.zeros((2, 2), dtype=np.int64)])
    r = is_dominant(h, 0, 0, Strength.WEAK)
    assert not r.holds and r.opponents is None


def test_iesds_mixed_domination_textbook() -> None:
    # the bottom row (1, 1) is not dominated by either top row, but by (1/2, 1/2)
    g = game_from_arrays([np.array([[3, 0], [0, 3], [1, 1]]), np.array([[1, 0], [0, 1], [2, 2]])])
    pure = iesds(g, mixed=False)
    assert pure.surviving == ((0, 1, 2), (0, 1))
    mixed = iesds(g, mixed=True)
    assert 2 not in mixed.surviving[0]
    elim = mixed.eliminations[0]
    assert elim.player == 0 and elim.action == 2 and len(elim.by) == 2
    # verify the certificate independently
    for col in range(2):
        assert sum(pr * u(g, 0, (a, col)) for a, pr in elim.by) - u(g, 0, (2, col)) >= elim.margin > 0


def test_optima() -> None:
    m = public_goods_model(3)
    g = m.game()
    o = optima(g, "welfare")
    values = {s: g.metrics["welfare"].tensor.at(s) for s in g.profiles()}
    assert o.max_value == max(values.values()) and o.min_value == min(values.values())
    assert set(o.argmax) == {s for s, v in values.items() if v == o.max_value}
    assert set(o.argmin) == {s for s, v in values.items() if v == o.min_value}


# ------------------------------------------------------------ property


@settings(max_examples=60, deadline=None)
@given(games())
def test_pure_nash_equals_brute_force(g: NormalFormGame) -> None:
    assert pure_nash(g) == brute_nash(g)


@settings(max_examples=40, deadline=None)
@given(st.one_of(degenerate_games(), symmetric_games(), zero_sum_games()))
def test_pure_nash_special_games(g: NormalFormGame) -> None:
    eqs = pure_nash(g)
    assert eqs == brute_nash(g)
    for s in eqs:  # exact best-response certificate
        for p in range(g.num_players):
            assert best_response_table(g, s, p).best == u(g, p, s)


@settings(max_examples=40, deadline=None)
@given(st.one_of(games(max_players=3, max_actions=3), degenerate_games()))
def test_dominance_equals_brute_force(g: NormalFormGame) -> None:
    for p in range(g.num_players):
        for a in range(g.shape[p]):
            for strength in Strength:
                res = is_dominant(g, p, a, strength)
                assert res.holds == brute_dominant(g, p, a, strength is Strength.STRICT)
                if not res.holds and res.opponents is not None:
                    # the counterexample is genuine
                    assert res.competitor is not None
                    mine = u(g, p, with_action(res.opponents, p, a))
                    other = u(g, p, with_action(res.opponents, p, res.competitor))
                    assert (mine <= other) if strength is Strength.STRICT else (mine < other)


@settings(max_examples=40, deadline=None)
@given(st.one_of(games(max_players=3, max_actions=4), degenerate_games()))
def test_iesds_equals_brute_force(g: NormalFormGame) -> None:
    assert iesds(g, mixed=False).surviving == brute_iesds(g)
    mixed = iesds(g, mixed=True)
    # stronger elimination: a subset, and every mixture certificate checks exactly
    for p, (alive_m, alive_p) in enumerate(zip(mixed.surviving, brute_iesds(g))):
        assert set(alive_m) <= set(alive_p) and alive_m
    alive = [list(range(k)) for k in g.shape]
    for e in mixed.eliminations:
        assert sum(pr for _, pr in e.by) == 1 and all(pr > 0 for _, pr in e.by)
        assert all(a in alive[e.player] and a != e.action for a, _ in e.by)
        others = [alive[i] if i != e.player else [0] for i in range(g.num_players)]
        gains = [sum(pr * u(g, e.player, with_action(s, e.player, a)) for a, pr in e.by)
                 - u(g, e.player, with_action(s, e.player, e.action)) for s in itertools.product(*others)]
        assert min(gains) == e.margin > 0
        alive[e.player].remove(e.action)
    # Nash equilibria survive IESDS
    for s in pure_nash(g):
        assert all(s[p] in mixed.surviving[p] for p in range(g.num_players))


# ------------------------------------------------------------ pygambit


def gambit_pure(g: NormalFormGame) -> list[tuple[int, ...]]:
    import pygambit as gbt

    arrays = [np.asarray(t.values, dtype=object) for t in g.payoffs]
    gg = gbt.Game.from_arrays(*arrays)
    out = []
    for eq in gbt.nash.enumpure_solve(gg).equilibria:
        prof = []
        for player in gg.players:
            strategies = list(player.strategies)
            prof.append(next(i for i, s in enumerate(strategies) if eq[s] == 1))
        out.append(tuple(prof))
    return sorted(out)


@pytest.mark.parametrize("seed", range(12))
def test_agrees_with_pygambit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = tuple(int(x) for x in rng.integers(2, 5, size=int(rng.integers(2, 5))))
    g = random_game(1000 + seed, shape)
    assert pure_nash(g) == gambit_pure(g)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(300))
def test_agrees_with_pygambit_many(seed: int) -> None:
    rng = np.random.default_rng(10_000 + seed)
    shape = tuple(int(x) for x in rng.integers(2, 6, size=int(rng.integers(2, 6))))
    g = random_game(20_000 + seed, shape, 0, int(rng.integers(1, 10)))
    assert pure_nash(g) == gambit_pure(g)


# ------------------------------------------------------------- checkers


def check(model: Any, prop: Any) -> Any:
    fn = get_checker(type(prop))
    assert fn is not None
    return fn(Context(model), prop)


def test_checkers_public_goods() -> None:
    m = public_goods_model(4)
    g = m.game()
    everyone = tuple(range(4))
    r = check(m, Dominant("d", everyone, "withhold", Strength.STRICT))
    assert r.verdict is Verdict.HOLDS and r.evidence["method"] == "exhaustive"
    r = check(m, Dominant("d", everyone, "contribute", Strength.WEAK))
    assert r.verdict is Verdict.VIOLATED
    ev = r.evidence
    assert ev["agent"] == "a[1]" and ev["competitor"] == "withhold"
    assert F(ev["payoff"]) < F(ev["competitor_payoff"])
    # the counterexample is re-checkable from the game alone
    prof = tuple(g.actions[i].index(ev["profile"][p]) for i, p in enumerate(g.players))
    assert g.payoff(0, prof) == F(ev["payoff"])

    coop = Profile(("contribute",) * 4)
    r = check(m, IsEquilibrium("coop", coop))
    assert r.verdict is Verdict.VIOLATED
    assert r.evidence["deviation"] == "withhold"
    assert F(r.evidence["deviation_payoff"]) - F(r.evidence["payoff"]) == F(1) - F(8, 5) / 4
    r = check(m, IsEquilibrium("defect", Profile(("withhold",) * 4)))
    assert r.verdict is Verdict.HOLDS

    assert check(m, Existence("e", False)).verdict is Verdict.HOLDS
    assert check(m, Existence("u", True)).verdict is Verdict.HOLDS
    r = check(m, OptimumIsEquilibrium("o", "welfare"))
    assert r.verdict is Verdict.VIOLATED and r.evidence["profile"] == {p: "contribute" for p in g.players}
    r = check(m, ParetoEfficient("p"))
    assert r.verdict is Verdict.VIOLATED
    assert r.evidence["dominating_profile"]  # some profile makes everyone better off
    dom = r.evidence["dominating_payoffs"]
    assert all(F(dom[p]) >= 0 for p in g.players) and any(F(dom[p]) > 0 for p in g.players)

    ir = IndividuallyRational("ir", None, tuple((k, Num(F(0))) for k in range(4)))
    assert check(m, ir).verdict is Verdict.HOLDS
    ir2 = IndividuallyRational("ir", coop, ((0, Num(F(1))),))
    r = check(m, ir2)
    assert r.verdict is Verdict.VIOLATED and r.evidence["payoff"] == "3/5"


def test_existence_and_uniqueness_verdicts() -> None:
    from strategies import table_model

    pennies = table_model([np.array([[1, -1], [-1, 1]]), np.array([[-1, 1], [1, -1]])])
    assert check(pennies, Existence("e", False)).verdict is Verdict.VIOLATED
    bos = table_model([np.array([[2, 0], [0, 1]]), np.array([[1, 0], [0, 2]])])
    r = check(bos, Existence("u", True))
    assert r.verdict is Verdict.VIOLATED and r.evidence["equilibria"] == 2
    # efficiency holds in battle of the sexes: both equilibria are Pareto efficient
    assert check(bos, ParetoEfficient("p")).verdict is Verdict.HOLDS


def test_region_hook_is_unknown() -> None:
    m = public_goods_model(2)
    prop = IsEquilibrium("x", Profile(("withhold",) * 2), region=ParamRegion("r", Num(F(1)), Num(F(2))))
    r = check(m, prop)
    assert r.verdict is Verdict.UNKNOWN and "Z3" in r.evidence["reason"]


def test_size_guard_becomes_unknown_through_deadline_wrapper() -> None:
    from strategies import model_from_exprs
    from verigroup.analyses.timeouts import run_with_deadline

    m = model_from_exprs(30, ("x", "y"), lambda i: Num(F(0)))
    prop = Existence("e", False, Concept.PURE_NASH)
    r = run_with_deadline(Context(m), prop, get_checker(Existence))  # type: ignore[arg-type]
    assert r.verdict is Verdict.UNKNOWN and "1,073,741,824" in r.message
