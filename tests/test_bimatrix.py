"""Two-agent extreme equilibria: textbook games, degenerate games, huge
payoffs, components.  Expected values come from the literature or from an
independent computation written here (brute-force support enumeration with
sympy), never from the implementation."""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
import sympy
from hypothesis import given, settings, strategies as st

from verigroup.model.game import NormalFormGame
from verigroup.solvers import lrs, polytope
from verigroup.solvers.bimatrix import maximal_bicliques, solve_bimatrix


def game(a, b) -> NormalFormGame:
    a = np.array(a, dtype=object)
    b = np.array(b, dtype=object)
    m, n = a.shape
    return NormalFormGame.from_fractions(
        ["row", "col"], [[f"r{i}" for i in range(m)], [f"c{j}" for j in range(n)]], [a, b])


def fr(*xs):
    return tuple(F(x) for x in xs)


def independent_regret_zero(a, b, x, y) -> bool:
    """Textbook check, written independently of verigroup.solvers.rational."""
    m, n = len(a), len(a[0])
    ay = [sum(F(a[i][j]) * y[j] for j in range(n)) for i in range(m)]
    bx = [sum(F(b[i][j]) * x[i] for i in range(m)) for j in range(n)]
    return (sum(x) == 1 and sum(y) == 1 and min(x) >= 0 and min(y) >= 0
            and sum(xi * v for xi, v in zip(x, ay)) == max(ay)
            and sum(yj * v for yj, v in zip(y, bx)) == max(bx))


def test_matching_pennies():
    a = [[1, -1], [-1, 1]]
    res = solve_bimatrix(game(a, [[-v for v in r] for r in a]))
    assert res.equilibria == ((fr("1/2", "1/2"), fr("1/2", "1/2")),)
    assert res.exact and res.complete and not res.components_infinite


def test_rock_paper_scissors():
    a = [[0, -1, 1], [1, 0, -1], [-1, 1, 0]]
    res = solve_bimatrix(game(a, [[-v for v in r] for r in a]))
    third = fr("1/3", "1/3", "1/3")
    assert res.equilibria == ((third, third),)


def test_battle_of_the_sexes():
    res = solve_bimatrix(game([[2, 0], [0, 1]], [[1, 0], [0, 2]]))
    assert set(res.equilibria) == {
        (fr(1, 0), fr(1, 0)), (fr(0, 1), fr(0, 1)), (fr("2/3", "1/3"), fr("1/3", "2/3"))}
    assert len(res.components) == 3


def test_shapley_game():
    a = [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
    b = [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    third = fr("1/3", "1/3", "1/3")
    assert solve_bimatrix(game(a, b)).equilibria == ((third, third),)


# nashpy issue #82: payoffs given as costs.  The 8 extreme equilibria as
# listed by lrsnash (lrslib 7.1), an independent exact engine.
NASHPY82_A = [[0, 0, 6, 0, 0], [0, 0, 3, 2, 1], [4, 3, 0, 0, 1]]
NASHPY82_B = [[3, 0, 2, 1, 0], [0, 2, 0, 0, 4], [4, 0, 2, 4, 4]]
NASHPY82_EQ = {
    (fr(1, 0, 0), fr(0, 1, 0, 0, 0)),
    (fr(1, 0, 0), fr(0, 0, 0, 0, 1)),
    (fr("2/3", "1/3", 0), fr(0, 1, 0, 0, 0)),
    (fr("1/3", "1/2", "1/6"), fr(0, "4/9", "2/9", "1/3", 0)),
    (fr(0, "1/2", "1/2"), fr(0, "1/2", "1/2", 0, 0)),
    (fr(0, 1, 0), fr("3/7", 0, "4/7", 0, 0)),
    (fr(0, 1, 0), fr(1, 0, 0, 0, 0)),
    (fr(0, 1, 0), fr("3/8", 0, "1/4", "3/8", 0)),
}


@pytest.mark.parametrize("engine", ["dd", "cdd", "lrs"])
def test_nashpy_82_degenerate(engine):
    if engine == "cdd" and not polytope.have_cdd():
        pytest.skip("pycddlib not installed")
    if engine == "lrs" and not lrs.available():
        pytest.skip("lrsnash not installed")
    a = [[-v for v in r] for r in NASHPY82_A]
    b = [[-v for v in r] for r in NASHPY82_B]
    res = solve_bimatrix(game(a, b), engine=engine)
    assert set(res.equilibria) == NASHPY82_EQ
    for x, y in res.equilibria:
        assert independent_regret_zero(a, b, x, y)
    # x = (0,1,0) is compatible with three y vertices: a continuum
    assert res.components_infinite


def test_zero_game_every_profile_is_equilibrium():
    res = solve_bimatrix(game([[0, 0], [0, 0]], [[0, 0], [0, 0]]))
    assert len(res.equilibria) == 4
    assert res.cliques == (((0, 1), (0, 1)),)
    assert res.components_infinite and len(res.components) == 1


def test_one_by_n():
    res = solve_bimatrix(game([[1, 2, 3]], [[3, 1, 3]]))
    assert set(res.equilibria) == {(fr(1), fr(1, 0, 0)), (fr(1), fr(0, 0, 1))}
    assert res.components_infinite and len(res.components) == 1


def test_single_action_agents():
    res = solve_bimatrix(game([[5]], [[-2]]))
    assert res.equilibria == ((fr(1), fr(1)),)


@pytest.mark.parametrize("big", [10**30, -(10**30)])
def test_huge_payoffs(big):
    # battle of the sexes shifted by a huge constant: same equilibria
    a = [[big + 2, big], [big, big + 1]]
    b = [[big + 1, big], [big, big + 2]]
    res = solve_bimatrix(game(a, b))
    assert set(res.equilibria) == {
        (fr(1, 0), fr(1, 0)), (fr(0, 1), fr(0, 1)), (fr("2/3", "1/3"), fr("1/3", "2/3"))}


def test_huge_scaled_payoffs():
    s = 10**30
    a = [[2 * s, 0], [0, s + 1]]
    b = [[s, 0], [0, 2 * s]]
    res = solve_bimatrix(game(a, b))
    # row mixes so the column is indifferent: x0 * s = x1 * 2s
    mixed = [e for e in res.equilibria if 0 not in e[0]]
    assert mixed == [(fr("2/3", "1/3"), (F(s + 1, 3 * s + 1), F(2 * s, 3 * s + 1)))]
    assert independent_regret_zero(a, b, *mixed[0])


def test_maximal_bicliques_simple():
    # x0-y0, x0-y1, x1-y1: cliques {x0}x{y0,y1} and {x0,x1}x{y1}
    cl = maximal_bicliques([(0, 0), (0, 1), (1, 1)], 2, 2)
    assert set(cl) == {((0,), (0, 1)), ((0, 1), (1,))}


# ------------------------------------------------ independent brute force


def brute_force(a, b):
    """Nondegenerate games: equal-size supports, sympy exact solve."""
    m, n = len(a), len(a[0])
    out = set()
    for k in range(1, min(m, n) + 1):
        for si in itertools.combinations(range(m), k):
            for sj in itertools.combinations(range(n), k):
                ys = sympy.symbols(f"y0:{k}")
                xs = sympy.symbols(f"x0:{k}")
                u, v = sympy.symbols("u v")
                eq_y = [sum(a[i][sj[t]] * ys[t] for t in range(k)) - u for i in si] + [sum(ys) - 1]
                eq_x = [sum(b[si[t]][j] * xs[t] for t in range(k)) - v for j in sj] + [sum(xs) - 1]
                sy = sympy.solve(eq_y, list(ys) + [u], dict=True)
                sx = sympy.solve(eq_x, list(xs) + [v], dict=True)
                if len(sy) != 1 or len(sx) != 1:
                    continue
                y = [F(0)] * n
                x = [F(0)] * m
                try:
                    for t in range(k):
                        y[sj[t]] = F(str(sy[0][ys[t]]))
                        x[si[t]] = F(str(sx[0][xs[t]]))
                except (KeyError, TypeError):
                    continue
                if independent_regret_zero(a, b, x, y) and all(x[i] > 0 for i in si) and all(
                        y[j] > 0 for j in sj):
                    out.add((tuple(x), tuple(y)))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_against_brute_force_nondegenerate(seed):
    rng = np.random.default_rng(1000 + seed)
    m, n = (3, 3) if seed < 3 else (3, 4)
    a = rng.permutation(1000)[: m * n].reshape(m, n).tolist()  # distinct payoffs
    b = rng.permutation(1000)[: m * n].reshape(m, n).tolist()
    res = solve_bimatrix(game(a, b))
    assert set(res.equilibria) == brute_force(a, b)


small = st.integers(min_value=-3, max_value=3)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_random_small_games_verified_and_contain_pure(m, n, data):
    a = [[data.draw(small) for _ in range(n)] for _ in range(m)]
    b = [[data.draw(small) for _ in range(n)] for _ in range(m)]
    res = solve_bimatrix(game(a, b))
    assert res.equilibria, "every finite game has an equilibrium"
    for x, y in res.equilibria:
        assert independent_regret_zero(a, b, x, y)
    # every pure equilibrium is an extreme equilibrium
    for i in range(m):
        for j in range(n):
            if a[i][j] == max(a[k][j] for k in range(m)) and b[i][j] == max(b[i]):
                x = tuple(F(int(k == i)) for k in range(m))
                y = tuple(F(int(k == j)) for k in range(n))
                assert (x, y) in res.equilibria


BOS_SPEC = """
game bos
agents alice, bob: actions opera, football
payoff alice = 2 if alice == opera and bob == opera else (1 if alice == football and bob == football else 0)
payoff bob = 1 if alice == opera and bob == opera else (2 if alice == football and bob == football else 0)
"""


def test_mixed_provider_through_the_api():
    pytest.importorskip("verigroup.resolve")
    from verigroup.api import parse, solve_model

    sol = solve_model(parse(BOS_SPEC), "mixed")
    assert sol.complete and len(sol.equilibria) == 3
    mixed = [e for e in sol.equilibria if len(e.strategies["alice"]) == 2]
    assert mixed[0].strategies["alice"] == {"opera": F(2, 3), "football": F(1, 3)}
    assert sol.extra["components_infinite"] is False and len(sol.extra["components"]) == 3


def test_timeout_gives_incomplete_mixed_set():
    from verigroup.analyses.mixed import mixed_equilibria
    from verigroup.analyses.timeouts import deadline

    rng = np.random.default_rng(7)
    g = game(rng.integers(0, 100, (11, 11)).tolist(), rng.integers(0, 100, (11, 11)).tolist())
    with deadline(1e-4):
        es = mixed_equilibria(g, engine="dd")
    assert not es.complete and es.reason == "timeout"


@pytest.mark.parametrize("seed", range(10))
def test_own_dd_matches_cddlib_on_degenerate_polytopes(seed):
    if not polytope.have_cdd():
        pytest.skip("pycddlib not installed")
    rng = np.random.default_rng(seed)
    k, d = rng.integers(1, 6, 2)
    mat = rng.integers(1, 3, (k, d)).tolist()  # tiny range: many ties, degenerate vertices
    ours = sorted((v.point, v.mask) for v in polytope.vertices(mat, "dd"))
    theirs = sorted((v.point, v.mask) for v in polytope.vertices(mat, "cdd"))
    assert ours == theirs


def test_auto_keeps_huge_payoffs_away_from_lrsnash() -> None:
    # lrsnash has returned non-equilibria on payoffs near 10^30; "auto" must
    # use the exact own engine there even above the lrsnash size threshold.
    import random

    from verigroup.model.game import NormalFormGame
    from verigroup.solvers.bimatrix import solve_bimatrix

    rng = random.Random(7)
    n = 13
    big = 10**30
    a = [[big + rng.randint(0, 3) for _ in range(n)] for _ in range(n)]
    b = [[-big - rng.randint(0, 3) for _ in range(n)] for _ in range(n)]
    g = NormalFormGame.from_fractions(["r", "c"], [[f"a{i}" for i in range(n)], [f"b{j}" for j in range(n)]], [a, b])
    res = solve_bimatrix(g)
    assert "lrsnash" not in res.method
    assert res.equilibria  # every finite game has one; each was verified exactly
