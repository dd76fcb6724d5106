"""The Gambit and OpenSpiel normal-form backends, checked against our own
exact brute force and against the engines' own algorithms."""

from __future__ import annotations

import itertools
import sys
import types
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verigroup.diagnostics import TooLarge
from verigroup.io.nfg import model_from_nfg, read_nfg, write_nfg
from verigroup.model.game import ExactTensor, NormalFormGame

gbt = pytest.importorskip("pygambit")
pyspiel = pytest.importorskip("pyspiel")

from verigroup.backends.gambit import export_nfg, from_gambit, to_gambit  # noqa: E402
from verigroup.backends.openspiel import (  # noqa: E402
    CompiledOpenSpiel,
    compile_openspiel,
    nash_conv,
    tabular_policy,
    to_openspiel,
)

DATA = Path(__file__).parent / "data"
F = Fraction


def game(players, actions, table, title="g"):  # type: ignore[no-untyped-def]
    """A game from {profile: payoff vector}."""
    shape = tuple(len(a) for a in actions)
    tensors = []
    for p in range(len(players)):
        arr = np.empty(shape, dtype=object)
        for prof in itertools.product(*(range(k) for k in shape)):
            arr[prof] = F(table[prof][p])
        tensors.append(arr)
    return NormalFormGame.from_fractions(players, actions, tensors, title)


def payoff_table(g: NormalFormGame) -> dict[tuple[int, ...], tuple[Fraction, ...]]:
    return {prof: g.payoff_vector(prof) for prof in g.profiles()}


def gains(g: NormalFormGame, prof: tuple[int, ...]) -> list[Fraction]:
    """Exact best-response gain of each player at a pure profile (own loop)."""
    out = []
    for p in range(g.num_players):
        here = g.payoff(p, prof)
        best = max(g.payoff(p, prof[:p] + (a,) + prof[p + 1:]) for a in range(g.shape[p]))
        out.append(best - here)
    return out


def brute_force_pure_nash(g: NormalFormGame) -> set[tuple[int, ...]]:
    return {prof for prof in g.profiles() if not any(gains(g, prof))}


PD = game(["alice", "bob"], [["cooperate", "defect"], ["cooperate", "defect"]],
          {(0, 0): (3, 3), (0, 1): (0, 5), (1, 0): (5, 0), (1, 1): (1, 1)}, "pd")
PENNIES = game(["even", "odd"], [["heads", "tails"], ["heads", "tails"]],
               {(0, 0): (1, -1), (0, 1): (-1, 1), (1, 0): (-1, 1), (1, 1): (1, -1)}, "pennies")


@st.composite
def small_games(draw, max_players=3):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, max_players))
    sizes = [draw(st.integers(1, 3)) for _ in range(n)]
    # few distinct values, so ties and multiple equilibria are common
    value = st.sampled_from([F(0), F(1), F(2), F(-1, 3), F(10**30 + 1, 7)])
    table = {}
    for prof in itertools.product(*(range(k) for k in sizes)):
        table[prof] = tuple(draw(value) for _ in range(n))
    players = [f"p{i}" for i in range(n)]
    actions = [[f"a{i}_{j}" for j in range(k)] for i, k in enumerate(sizes)]
    return game(players, actions, table)


# --------------------------------------------------------------------- gambit
def gambit_pure_equilibria(gg) -> set[tuple[int, ...]]:  # type: ignore[no-untyped-def]
    result = gbt.nash.enumpure_solve(gg)
    found = set()
    for eq in result.equilibria:
        prof = []
        for player in gg.players:
            probs = [eq[s] for s in player.strategies]
            assert sorted(probs) == [0] * (len(probs) - 1) + [1]
            prof.append(probs.index(1))
        found.add(tuple(prof))
    return found


def test_to_gambit_names_and_exact_payoffs() -> None:
    gg = to_gambit(PD)
    assert [p.label for p in gg.players] == ["alice", "bob"]
    assert [[s.label for s in p.strategies] for p in gg.players] == [["cooperate", "defect"]] * 2
    alice, bob = list(gg.players)
    assert gg[[1, 0]][alice] == 5 and gg[[1, 0]][bob] == 0
    big = game(["x"], [["2", "1"]], {(0,): (F(10**30 + 1, 3),), (1,): (F(-3, 4),)})
    gb = to_gambit(big)
    (x,) = list(gb.players)
    assert [s.label for s in x.strategies] == ["2", "1"]
    assert F(gb[[0]][x]) == F(10**30 + 1, 3)
    assert F(gb[[1]][x]) == F(-3, 4)


def test_gambit_enumpure_matches_brute_force_on_classics() -> None:
    assert gambit_pure_equilibria(to_gambit(PD)) == brute_force_pure_nash(PD) == {(1, 1)}
    assert gambit_pure_equilibria(to_gambit(PENNIES)) == brute_force_pure_nash(PENNIES) == set()
    three = read_nfg((DATA / "three_player.nfg").read_text())
    assert gambit_pure_equilibria(to_gambit(three)) == brute_force_pure_nash(three)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_games())
def test_gambit_enumpure_matches_brute_force(g: NormalFormGame) -> None:
    assert gambit_pure_equilibria(to_gambit(g)) == brute_force_pure_nash(g)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_games(max_players=4))
def test_from_gambit_inverts_to_gambit(g: NormalFormGame) -> None:
    back = from_gambit(to_gambit(g))
    assert back.players == g.players and back.actions == g.actions
    assert back.title == g.title
    assert payoff_table(back) == payoff_table(g)


def test_from_gambit_reads_gambit_files_and_null_outcomes() -> None:
    path = DATA / "selten_outcomes.nfg"
    ours = read_nfg(path.read_text())
    theirs = from_gambit(gbt.read_nfg(str(path)))
    assert payoff_table(theirs) == payoff_table(ours)


def test_to_gambit_accepts_a_model_and_export_nfg() -> None:
    text = (DATA / "pd_labels.nfg").read_text()
    model = model_from_nfg(text, "pd.nfg")
    gg = model.to_gambit()
    assert [p.label for p in gg.players] == ["Alice", "Bob"]
    out = export_nfg(model)
    assert out == write_nfg(model.game(), comment=model.description)
    again = from_gambit(gbt.read_nfg(__import__("io").StringIO(out)))
    assert payoff_table(again) == payoff_table(model.game())


def test_to_gambit_refuses_huge_games() -> None:
    shape = (1000, 1001)
    zeros = ExactTensor(np.zeros(shape, dtype=np.int64))
    huge = NormalFormGame(("a", "b"), (tuple(map(str, range(1000))), tuple(map(str, range(1001)))),
                          (zeros, zeros))
    with pytest.raises(TooLarge) as info:
        to_gambit(huge)
    assert info.value.diagnostics[0].code == "E202"


# ------------------------------------------------------------------ openspiel
def test_matrix_game_names_and_utilities() -> None:
    os_game = to_openspiel(PD)
    assert isinstance(os_game, pyspiel.MatrixGame)
    assert os_game.num_players() == 2
    state = os_game.new_initial_state()
    assert [state.action_to_string(0, a) for a in state.legal_actions(0)] == ["cooperate", "defect"]
    assert [state.action_to_string(1, a) for a in state.legal_actions(1)] == ["cooperate", "defect"]
    for prof in PD.profiles():
        s = os_game.new_initial_state()
        s.apply_actions(list(prof))
        assert s.returns() == [float(x) for x in PD.payoff_vector(prof)]


def test_tensor_game_three_players_names_and_utilities() -> None:
    g = read_nfg((DATA / "selten_outcomes.nfg").read_text())
    compiled = compile_openspiel(g)
    assert isinstance(compiled, CompiledOpenSpiel)
    assert compiled.players == ("Player 1", "2", "Player 3")
    assert compiled.player_index("Player 3") == 2
    os_game = compiled.game
    assert os_game.num_players() == 3
    state = os_game.new_initial_state()
    for p, acts in enumerate(g.actions):
        assert tuple(state.action_to_string(p, a) for a in state.legal_actions(p)) == acts
    for prof in g.profiles():
        s = os_game.new_initial_state()
        s.apply_actions(list(prof))
        assert s.returns() == [float(x) for x in g.payoff_vector(prof)]


def test_model_to_openspiel() -> None:
    model = model_from_nfg((DATA / "three_player.nfg").read_text(), "t.nfg")
    os_game = model.to_openspiel()
    assert os_game.num_players() == 3
    s = os_game.new_initial_state()
    s.apply_actions([1, 1, 1])
    assert s.returns() == [5.0, 5.0, 5.0]


def test_protocol_models_are_delegated(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model with an extensive-form protocol goes to openspiel_efg (owned
    elsewhere); here a stand-in module records the call."""
    calls = []
    stand_in = types.ModuleType("verigroup.backends.openspiel_efg")
    stand_in.to_openspiel_efg = lambda m: calls.append(m) or "efg-game"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "verigroup.backends.openspiel_efg", stand_in)
    model = model_from_nfg((DATA / "pd_labels.nfg").read_text(), "pd.nfg")
    object.__setattr__(model, "protocol", object())
    assert to_openspiel(model) == "efg-game"
    assert compile_openspiel(model).game == "efg-game"
    assert calls == [model, model]


@pytest.mark.parametrize("g", [PD, PENNIES, read_nfg((DATA / "three_player.nfg").read_text()),
                               read_nfg((DATA / "selten_outcomes.nfg").read_text()),
                               read_nfg((DATA / "decimals.nfg").read_text())],
                         ids=lambda g: g.title)
def test_openspiel_nash_conv_matches_exact_regret_at_pure_profiles(g: NormalFormGame) -> None:
    compiled = compile_openspiel(g)
    equilibria = brute_force_pure_nash(g)
    for prof in g.profiles():
        conv = nash_conv(compiled, prof)
        exact = sum(gains(g, prof))
        assert abs(conv - float(exact)) < 1e-9
        if prof in equilibria:
            assert abs(conv) < 1e-9
        else:
            assert conv > 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_games())
def test_openspiel_nash_conv_zero_exactly_at_brute_force_equilibria(g: NormalFormGame) -> None:
    compiled = compile_openspiel(g)
    equilibria = brute_force_pure_nash(g)
    for prof in g.profiles():
        conv = nash_conv(compiled, prof)
        if prof in equilibria:
            assert abs(conv) < 1e-9
        else:
            # the smallest positive gain here is 1/3 (or huge), far above rounding
            assert conv > 0.3


def test_nash_conv_mixed_profiles_and_strategy_forms() -> None:
    half = {"even": {"heads": F(1, 2), "tails": F(1, 2)}, "odd": {"heads": F(1, 2), "tails": F(1, 2)}}
    assert abs(nash_conv(PENNIES, half)) < 1e-12
    # even plays heads; odd's best response gains 2 (from 0), even's gains 0
    skew = [[1, 0], [F(1, 2), F(1, 2)]]
    assert abs(nash_conv(PENNIES, skew) - 1.0) < 1e-12
    with pytest.raises(ValueError):
        nash_conv(PENNIES, [[0.7, 0.7], [0.5, 0.5]])
    with pytest.raises(ValueError):
        nash_conv(PENNIES, {"even": {"edge": 1}, "odd": {"heads": 1}})


def test_tabular_policy_plays_the_profile() -> None:
    compiled = compile_openspiel(PD)
    tb, pol = tabular_policy(compiled, [[F(1, 4), F(3, 4)], [1, 0]])
    state = tb.new_initial_state()
    assert pol.action_probabilities(state) == pytest.approx({0: 0.25, 1: 0.75})
    state.apply_action(0)
    assert pol.action_probabilities(state) == pytest.approx({0: 1.0, 1: 0.0})


# ---------------------------------------------------------- learning dynamics
def test_fictitious_play_approaches_matching_pennies_equilibrium() -> None:
    from open_spiel.python.algorithms import exploitability, fictitious_play

    compiled = compile_openspiel(PENNIES)
    tb = pyspiel.convert_to_turn_based(compiled.game)
    solver = fictitious_play.XFPSolver(tb)
    convs = []
    for i in range(400):
        solver.iteration()
        if i in (10, 399):
            convs.append(exploitability.nash_conv(tb, solver.average_policy()))
    avg = solver.average_policy()
    state = tb.new_initial_state()
    p0 = avg.action_probabilities(state)
    state.apply_action(0)
    p1 = avg.action_probabilities(state)
    # The unique equilibrium is (1/2, 1/2) for both players (textbook).
    assert abs(p0[0] - 0.5) < 0.05 and abs(p1[0] - 0.5) < 0.05
    assert convs[1] < convs[0] and convs[1] < 0.1
    # the same number through our wrapper
    assert nash_conv(compiled, [[p0[0], p0[1]], [p1[0], p1[1]]]) == pytest.approx(convs[1], abs=1e-9)


def test_replicator_dynamics_converge_to_dominant_equilibrium() -> None:
    from open_spiel.python.egt import dynamics, utils

    compiled = compile_openspiel(PD)
    payoffs = utils.game_payoffs_array(compiled.game)
    assert payoffs.shape == (2, 2, 2)
    dyn = dynamics.MultiPopulationDynamics(payoffs, dynamics.replicator)
    x = np.array([0.9, 0.1, 0.8, 0.2])  # mostly cooperating at the start
    for _ in range(3000):
        x = x + 0.05 * dyn(x)
    # Defection strictly dominates: the unique (pure) equilibrium is (defect, defect).
    (eq,) = brute_force_pure_nash(PD)
    assert eq == (1, 1)
    assert x[1] > 0.999 and x[3] > 0.999


def test_to_gambit_escapes_labels_pygambit_would_refuse() -> None:
    g = game(["  ünïcode  agent ", ""], [["a  b", "tab\there"], ["x"]],
             {(0, 0): (1, 2), (1, 0): (3, 4)})
    gg = to_gambit(g)
    assert [p.label for p in gg.players] == ["\\u00fcn\\u00efcode agent", "2"]
    assert [s.label for s in list(gg.players)[0].strategies] == ["a b", "tab\\u0009here"]
    assert payoff_table(from_gambit(gg)) == payoff_table(g)


def test_to_openspiel_refuses_huge_games() -> None:
    shape = (2,) * 23  # 8,388,608 profiles x 23 agents
    zeros = ExactTensor(np.broadcast_to(np.int64(0), shape))
    huge = NormalFormGame(tuple(f"a{i}" for i in range(23)), (("x", "y"),) * 23, (zeros,) * 23)
    with pytest.raises(TooLarge) as info:
        to_openspiel(huge)
    assert info.value.diagnostics[0].code == "E202"
