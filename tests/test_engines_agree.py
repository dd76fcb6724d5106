"""Differential tests: verigroup's exact pure-equilibrium enumeration,
pygambit's ``enumpure_solve`` and OpenSpiel's NashConv agree on generated
games (2-4 agents, 2-4 actions, ties and degenerate games included); and
OpenSpiel's NashConv is ~0 at every mixed equilibrium verigroup reports for
two-agent games.  A bounded sample runs by default; more under ``slow``."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import degenerate_games, games, random_game, table_model
from verigroup.analyses.pure import pure_nash
from verigroup.backends.gambit import to_gambit
from verigroup.backends.openspiel import compile_openspiel, nash_conv
from verigroup.model.game import NormalFormGame

gbt = pytest.importorskip("pygambit")


def gambit_pure(g: NormalFormGame) -> set[tuple[int, ...]]:
    gg = to_gambit(g)
    found = set()
    for eq in gbt.nash.enumpure_solve(gg).equilibria:
        prof = []
        for player in gg.players:
            probs = [eq[s] for s in player.strategies]
            assert sorted(probs) == [0] * (len(probs) - 1) + [1]
            prof.append(probs.index(1))
        found.add(tuple(prof))
    return found


def exact_regret_zero(g: NormalFormGame, prof: tuple[int, ...]) -> bool:
    """Independent brute force on exact payoffs (no tensor tricks)."""
    for p in range(g.num_players):
        here = g.payoff(p, prof)
        for b in range(g.shape[p]):
            if g.payoff(p, prof[:p] + (b,) + prof[p + 1:]) > here:
                return False
    return True


def assert_engines_agree(g: NormalFormGame) -> None:
    ours = pure_nash(g)
    assert ours == sorted(ours)
    brute = {p for p in itertools.product(*(range(k) for k in g.shape)) if exact_regret_zero(g, p)}
    assert set(ours) == brute
    assert gambit_pure(g) == brute
    compiled = compile_openspiel(g)
    for prof in itertools.product(*(range(k) for k in g.shape)):
        conv = nash_conv(compiled, list(prof))
        if prof in brute:
            assert abs(conv) < 1e-9, (prof, conv)
        else:
            assert conv > 1e-9, (prof, conv)  # integer payoffs: a deviation gains at least 1


@settings(max_examples=12, deadline=None)
@given(games(max_players=3, max_actions=3))
def test_pure_equilibria_agree(g: NormalFormGame) -> None:
    assert_engines_agree(g)


@settings(max_examples=12, deadline=None)
@given(degenerate_games())
def test_pure_equilibria_agree_on_degenerate_games(g: NormalFormGame) -> None:
    assert_engines_agree(g)


@pytest.mark.parametrize("seed,shape", [(1, (4, 4)), (2, (2, 2, 2, 2)), (3, (3, 2, 4)), (4, (2, 4, 2, 3))])
def test_pure_equilibria_agree_fixed_seeds(seed: int, shape: tuple[int, ...]) -> None:
    assert_engines_agree(random_game(seed, shape, 0, 3))  # narrow range: many ties


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.one_of(games(max_players=4, max_actions=4), degenerate_games(max_players=4, max_actions=4)))
def test_pure_equilibria_agree_many(g: NormalFormGame) -> None:
    assert_engines_agree(g)


# ------------------------------------------------------------------- mixed


def mixed_equilibria(g: NormalFormGame) -> list[dict[str, dict[str, object]]]:
    pytest.importorskip("verigroup.analyses.mixed")
    import numpy as np

    from verigroup.api import solve_model

    arrays = [np.asarray(t.to_fractions()) for t in g.payoffs]
    model = table_model(arrays)
    sol = solve_model(model, "mixed")
    assert sol.equilibria, "every finite game has a mixed equilibrium"
    return [dict(e.strategies) for e in sol.equilibria if e.exact]


def assert_mixed_nash_conv_zero(g: NormalFormGame) -> None:
    eqs = mixed_equilibria(g)
    model_players = [f"a[{i}]" for i in range(1, g.num_players + 1)]
    compiled = compile_openspiel(g)
    for s in eqs:
        vecs = []
        for name, acts in zip(model_players, g.actions):
            row = s[name]
            vecs.append([row.get(a, 0) for a in acts])
        assert abs(nash_conv(compiled, vecs)) < 1e-9, s


@st.composite
def square_games(draw: st.DrawFn, max_actions: int = 3, high: int = 9) -> NormalFormGame:
    """Two-agent k x k games (the table model needs equal action counts)."""
    k = draw(st.integers(2, max_actions))
    return random_game(draw(st.integers(0, 2**32 - 1)), (k, k), 0, high)


@settings(max_examples=8, deadline=None)
@given(square_games())
def test_openspiel_confirms_mixed_equilibria(g: NormalFormGame) -> None:
    assert_mixed_nash_conv_zero(g)


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(st.one_of(square_games(max_actions=4), square_games(max_actions=4, high=1)))
def test_openspiel_confirms_mixed_equilibria_many(g: NormalFormGame) -> None:
    assert_mixed_nash_conv_zero(g)
