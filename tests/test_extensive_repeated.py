"""Repeated games: stage-wise SPE sets vs the naive tree, and automaton
strategies in the discounted infinitely repeated prisoner's dilemma."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verigroup.diagnostics import SpecError
from verigroup.extensive.repeated import (
    StatefulGame, check_automata, grim_trigger, repeated_tree, solve_finite, solve_repeated,
    spe_discount_region, stateful_tree, tit_for_tat,
)
from verigroup.extensive.spe import spe_decomposition
from verigroup.model.game import NormalFormGame

T, R, P, S = 5, 3, 1, 0


def pd():
    return NormalFormGame.from_fractions(
        ["a", "b"], [["C", "D"], ["C", "D"]],
        [[[R, S], [T, P]], [[R, T], [S, P]]])


def test_finitely_repeated_pd_always_defect():
    # D strictly dominant and unique stage NE: by induction from the last round
    # the only SPE plays (D, D) every round -> P per round.
    for rounds, delta in ((1, 1), (3, 1), (5, F(9, 10))):
        res = solve_repeated(pd(), rounds, delta)
        disc = sum(F(delta) ** t for t in range(rounds))
        assert res.payoff_set == ((P * disc, P * disc),)
        assert res.first_round_profiles == ((1, 1),)


def test_repeated_pd_tree_agrees():
    t = repeated_tree(pd(), 2, F(1, 2))
    res = spe_decomposition(t, cap=10_000)
    assert res.complete and len(res.profiles) == 1
    prof = res.profiles[0].to_json(t)
    assert all(a == "D" for agent in prof.values() for a in agent.values())
    assert res.payoff_set == ((F(3, 2), F(3, 2)),)


def test_grim_trigger_threshold_is_one_half():
    # cooperate: R/(1-d) >= T + d P/(1-d)  <=>  d >= (T-R)/(T-P) = 2/4
    autos = grim_trigger(pd(), ["C", "C"], ["D", "D"])
    reg = spe_discount_region(pd(), autos)
    assert reg.threshold == F(1, 2) and reg.closed_below
    assert check_automata(pd(), autos, F(1, 2)).is_spe
    assert check_automata(pd(), autos, F(9, 10)).is_spe
    bad = check_automata(pd(), autos, F(49, 100))
    assert not bad.is_spe and "gains by playing D" in bad.violation
    # value in the cooperative state: R/(1-d) = 3/(1/2) = 6
    assert check_automata(pd(), autos, F(1, 2)).values[("coop", "coop")] == (F(6), F(6))


def test_tit_for_tat_never_subgame_perfect_here():
    # After (C,C) a deviation pays iff d < (T-R)/(R-S) = 2/3; after (D,D) a
    # "forgiving" deviation to C pays iff d > (P-S)/(T-P) = 1/4: no d works.
    autos = tit_for_tat(pd(), "C")
    reg = spe_discount_region(pd(), autos)
    assert reg.threshold is None
    for d in (F(1, 5), F(1, 2), F(2, 3), F(99, 100)):
        assert not check_automata(pd(), autos, d).is_spe


@pytest.mark.parametrize("delta", [0, -1, F(3, 2), "1"])
def test_discount_out_of_range(delta):
    with pytest.raises(SpecError) as e:
        check_automata(pd(), grim_trigger(pd(), ["C", "C"], ["D", "D"]), delta)
    assert e.value.diagnostics[0].code == "E109"


def test_finite_discount_one_allowed_but_not_above():
    solve_repeated(pd(), 2, 1)
    with pytest.raises(SpecError):
        solve_repeated(pd(), 2, F(11, 10))


def commons():
    # stock s, each agent harvests 1 (low) or 2 (high); if the total fits the
    # stock each gets its harvest, else the stock is shared in proportion;
    # the remainder doubles, capped at 4.
    def payoff(s, a):
        h = [1 + x for x in a]
        tot = sum(h)
        if tot <= s:
            return [F(x) for x in h]
        return [F(s * x, tot) for x in h]

    def step(s, a):
        tot = sum(1 + x for x in a)
        return min(4, 2 * max(0, s - tot))

    return StatefulGame(("u", "v"), (("low", "high"), ("low", "high")), payoff, step)


def test_commons_two_rounds_by_hand():
    # Round 2 at stock 4: high is dominant, (2,2).  At stock 2: high dominant,
    # (1,1).  At 0: (0,0).  Round 1 from 4:
    #   (low,low): 1 + 2 = 3 each; deviating to high: 2 + 1 = 3 (tie) -> SPE.
    #   (high,high): 2 + 0 = 2; deviating to low: 1 + 1 = 2 (tie) -> SPE.
    #   (low,high): low gets 1 + 1 = 2 (deviation 2 + 0 = 2), high gets 2 + 1 = 3
    #   (deviation 1 + 2 = 3) -> SPE.  So the payoff set is:
    res = solve_finite(commons(), 4, 2)
    assert set(res.payoff_set) == {(F(3), F(3)), (F(2), F(2)), (F(2), F(3)), (F(3), F(2))}
    assert res.complete


@pytest.mark.parametrize("stock,delta", [(4, F(4, 5)), (3, F(1, 2)), (2, F(1))])
def test_commons_matches_tree(stock, delta):
    g = commons()
    fast = solve_finite(g, stock, 2, delta)
    slow = spe_decomposition(stateful_tree(g, stock, 2, delta), cap=100_000)
    assert slow.complete
    assert set(fast.payoff_set) == set(slow.payoff_set)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_three_rounds_without_ties_match_tree(seed):
    # Three rounds through the tree are only tractable when the number of
    # SPE stays small: stage games with distinct payoffs per player (no
    # ties), so every subgame has few pure equilibria.  (The commons stage
    # game ties everywhere and its three-round tree has astronomically many
    # SPE; its two-round version is compared above.)
    import random

    rng = random.Random(seed)
    vals = rng.sample(range(20), 4) + rng.sample(range(20), 4)
    stage = NormalFormGame.from_fractions(
        ["a", "b"], [["x", "y"], ["x", "y"]],
        [[[vals[0], vals[1]], [vals[2], vals[3]]], [[vals[4], vals[5]], [vals[6], vals[7]]]])
    fast = solve_repeated(stage, 3, F(4, 5))
    slow = spe_decomposition(repeated_tree(stage, 3, F(4, 5)), cap=1_000_000, mixed_fallback=False)
    assert slow.complete
    assert set(fast.payoff_set) == set(slow.payoff_set)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=8, max_size=8), st.sampled_from([F(1), F(1, 2), F(2, 3)]))
def test_random_two_round_games_match_tree(vals, delta):
    stage = NormalFormGame.from_fractions(
        ["a", "b"], [["x", "y"], ["x", "y"]],
        [[[vals[0], vals[1]], [vals[2], vals[3]]], [[vals[4], vals[5]], [vals[6], vals[7]]]])
    fast = solve_repeated(stage, 2, delta)
    slow = spe_decomposition(repeated_tree(stage, 2, delta), cap=100_000, mixed_fallback=False)
    assert slow.complete
    assert set(fast.payoff_set) == set(slow.payoff_set)  # both empty when a stage has no pure NE


def test_six_rounds_three_agents_without_the_tree():
    # 3 agents x 2 actions, 6 rounds: the naive tree has 8^6 = 262,144 leaves.
    # Public good: each contributes (c) or not (n); payoff = 3/2 * contributions / 3
    # minus own contribution -> not contributing is strictly dominant, so the
    # unique SPE never contributes: 0 per round.
    pay = [[[[F(0)] * 2 for _ in range(2)] for _ in range(2)] for _ in range(3)]
    import itertools
    for a in itertools.product((0, 1), repeat=3):
        k = sum(1 for x in a if x == 0)
        for i in range(3):
            pay[i][a[0]][a[1]][a[2]] = F(3, 2) * k / 3 - (1 if a[i] == 0 else 0)
    stage = NormalFormGame.from_fractions(["p", "q", "r"], [["c", "n"]] * 3, pay)
    res = solve_repeated(stage, 6, F(9, 10))
    assert res.payoff_set == ((F(0), F(0), F(0)),)
    assert res.first_round_profiles == ((1, 1, 1),)
