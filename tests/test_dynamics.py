"""Exact evolutionary analysis (issue 12): ESS / NSS, replicator rest points
and their stability, basins, risk dominance and stochastic stability.

Textbook answers are recomputed here by hand (closed forms), and the
general code is cross-checked against independent engines on generated
games: pygambit's exact mixed-equilibrium enumeration (symmetric equilibria),
numpy eigenvalues (stability signs, where they are far from zero), exact
invasion checks with Fractions (ESS), and numerical integration (basins)."""

from __future__ import annotations

from fractions import Fraction as F
from itertools import product

import numpy as np
import pytest

from verigroup.dynamics.ess import classify, ess_list, payoffs_against, symmetric_equilibria
from verigroup.dynamics.replicator import (basins_1d, symmetric_jacobian, symmetric_rest_points,
                                           two_population_jacobian, two_population_rest_points)
from verigroup.dynamics.sampling import sample_symmetric, wilson
from verigroup.dynamics.stability import real_part_signs
from verigroup.dynamics.stochastic import symmetric_stochastic, two_population_stochastic


def seeds(default: int, slow: int, base: int = 0) -> list[object]:
    """``default`` seeds in the default run, up to ``slow`` more under -m slow."""
    return [base + k for k in range(default)] + [
        pytest.param(base + k, marks=pytest.mark.slow) for k in range(default, slow)]


def M(rows: list[list[int]]) -> list[list[F]]:
    return [[F(v) for v in r] for r in rows]


def ess_points(a: list[list[F]]) -> set[tuple[F, ...]]:
    return {v.point.strategy for v in ess_list(a) if v.ess == "yes"}


# ------------------------------------------------------------------ ESS

@pytest.mark.parametrize("v,c", [(4, 6), (2, 5), (1, 3), (6, 10)])
def test_hawk_dove_mixed_ess_is_v_over_c(v: int, c: int) -> None:
    a = [[F(v - c, 2), F(v)], [F(0), F(v, 2)]]
    assert ess_points(a) == {(F(v, c), 1 - F(v, c))}


def test_rock_paper_scissors_uniform_is_nash_and_neutral_but_not_ess() -> None:
    a = M([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    eqs = ess_list(a)
    assert [v.point.strategy for v in eqs] == [(F(1, 3),) * 3]
    assert eqs[0].ess == "no" and eqs[0].nss == "yes"


@pytest.mark.parametrize("win,lose", [(2, 1), (1, 2), (3, 3), (5, 2), (1, 4)])
def test_generalised_rps_uniform_is_ess_iff_win_exceeds_loss(win: int, lose: int) -> None:
    a = M([[0, -lose, win], [win, 0, -lose], [-lose, win, 0]])
    (v,) = ess_list(a)
    assert v.point.strategy == (F(1, 3),) * 3
    assert v.ess == ("yes" if win > lose else "no")
    assert v.nss == ("yes" if win >= lose else "no")


def test_stag_hunt_both_conventions_are_ess_and_the_mixed_point_is_not() -> None:
    a = M([[4, 0], [3, 3]])
    assert ess_points(a) == {(F(1), F(0)), (F(0), F(1))}
    mixed = [v for v in ess_list(a) if v.point.strategy == (F(3, 4), F(1, 4))]
    assert mixed and mixed[0].ess == "no"


def test_constant_game_every_pure_strategy_neutral_none_ess() -> None:
    a = M([[1, 1, 1], [1, 1, 1], [1, 1, 1]])
    eqs = ess_list(a)
    pure = [v for v in eqs if len(v.point.support) == 1]
    assert len(pure) == 3
    assert all(v.ess == "no" and v.nss == "yes" for v in pure)


def test_alternative_best_reply_needs_the_cone_condition() -> None:
    # e0 is an equilibrium with alternative best reply e1 (a10 = a00), and
    # e0 beats e1 in the mutant-mutant contest (a01 > a11): ESS (Maynard
    # Smith's second condition); flipping a01 < a11 breaks it.
    assert (F(1), F(0)) in ess_points(M([[2, 3], [2, 1]]))
    assert (F(1), F(0)) not in ess_points(M([[2, 0], [2, 1]]))
    # three strategies, best replies {0, 1} at e0, e2 strictly worse: the
    # Z3 cone test decides.
    a = M([[2, 3, 5], [2, 1, 0], [0, 0, 0]])
    v = classify(a, next(p for p in symmetric_equilibria(a) if p.strategy == (F(1), F(0), F(0))))
    assert v.ess == "yes"


def _invasion_ok(a: list[list[F]], x: tuple[F, ...], y: tuple[F, ...], eps: F) -> bool:
    w = tuple((1 - eps) * xi + eps * yi for xi, yi in zip(x, y))
    aw = payoffs_against(a, w)
    return sum(xi * p for xi, p in zip(x, aw)) > sum(yi * p for yi, p in zip(y, aw))


@pytest.mark.parametrize("seed", seeds(8, 60))
def test_symmetric_equilibria_match_pygambit_and_ess_resist_invasion(seed: int) -> None:
    gbt = pytest.importorskip("pygambit")
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5))
    ai = rng.integers(-20, 21, size=(n, n))
    a = M(ai.tolist())
    mine = {v.point.strategy for v in ess_list(a)}
    g = gbt.Game.from_arrays(ai, ai.T)
    res = gbt.nash.enummixed_solve(g, rational=True)
    theirs = set()
    for eq in res.equilibria:
        players = list(g.players)
        xs = tuple(F(str(eq[s])) for s in players[0].strategies)
        ys = tuple(F(str(eq[s])) for s in players[1].strategies)
        if xs == ys:
            theirs.add(xs)
    # generic integer games: isolated equilibria, all extreme, all found by both
    assert mine == theirs
    for v in ess_list(a):
        if v.ess != "yes":
            continue
        x = v.point.strategy
        ys = [tuple(F(int(i == k)) for i in range(n)) for k in range(n)]
        ys += [tuple(F(int(c), int(sum(r))) for c in r) for r in rng.integers(1, 9, size=(20, n))]
        for y in ys:
            if y != x:
                assert _invasion_ok(a, x, y, F(1, 10**6)), (x, y)


# --------------------------------------------------------- stability

@pytest.mark.parametrize("seed", seeds(15, 80))
def test_eigenvalue_signs_agree_with_numpy_when_far_from_zero(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    k = int(rng.integers(1, 5))
    m = rng.integers(-6, 7, size=(k, k))
    ev = np.linalg.eigvals(m.astype(float))
    if np.any(np.abs(ev.real) < 1e-6):
        pytest.skip("an eigenvalue near the imaginary axis: numpy cannot be the oracle")
    s = real_part_signs(M(m.tolist()))
    assert (s.negative, s.zero, s.positive) == (int((ev.real < 0).sum()), 0, int((ev.real > 0).sum()))


def test_eigenvalues_on_the_imaginary_axis_are_detected_exactly() -> None:
    assert real_part_signs(M([[0, 1], [-1, 0]])).zero
    assert real_part_signs(M([[0, 0], [0, -3]])).zero
    # a tiny positive real part is not zero
    s = real_part_signs([[F(1, 10**9), F(1)], [F(-1), F(0)]])
    assert not s.zero and s.positive == 2


def test_rps_rest_points_vertices_saddles_centre_neutral() -> None:
    a = M([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    rest, _ = symmetric_rest_points(a, ess_list(a))
    got = {r.strategy: r.stability for r in rest}
    assert got[(F(1, 3),) * 3] == "neutral"
    for k in range(3):
        assert got[tuple(F(int(i == k)) for i in range(3))] == "saddle"


def test_good_rps_interior_is_stable_bad_rps_unstable() -> None:
    for win, lose, want in ((2, 1, "stable"), (1, 2, "unstable")):
        a = M([[0, -lose, win], [win, 0, -lose], [-lose, win, 0]])
        rest, _ = symmetric_rest_points(a, ess_list(a))
        assert {r.strategy: r.stability for r in rest}[(F(1, 3),) * 3] == want


@pytest.mark.parametrize("seed", seeds(10, 50))
def test_every_ess_is_a_stable_rest_point(seed: int) -> None:
    rng = np.random.default_rng(500 + seed)
    n = int(rng.integers(2, 5))
    a = M(rng.integers(-5, 6, size=(n, n)).tolist())
    verdicts = ess_list(a)
    rest, _ = symmetric_rest_points(a, verdicts)
    by = {r.strategy: r.stability for r in rest}
    for v in verdicts:
        if v.ess == "yes":
            assert by[v.point.strategy] == "stable"


def test_jacobian_matches_finite_differences() -> None:
    rng = np.random.default_rng(7)
    a = M(rng.integers(-5, 6, size=(3, 3)).tolist())
    x = (F(1, 5), F(3, 10), F(1, 2))
    jac = np.array(symmetric_jacobian(a, x), dtype=float)
    af = np.array(a, dtype=float)

    def f(y: np.ndarray) -> np.ndarray:
        full = np.array([y[0], y[1], 1 - y[0] - y[1]])
        ax = af @ full
        return (full * (ax - full @ ax))[:2]
    x0 = np.array([0.2, 0.3])
    h = 1e-6
    num = np.column_stack([(f(x0 + h * e) - f(x0 - h * e)) / (2 * h) for e in np.eye(2)])
    assert np.allclose(jac, num, atol=1e-6)


# -------------------------------------------------------------- basins

@pytest.mark.parametrize("seed", seeds(6, 40))
def test_two_strategy_basins_exact_and_agree_with_integration(seed: int) -> None:
    rng = np.random.default_rng(900 + seed)
    a = M(rng.integers(-5, 6, size=(2, 2)).tolist())
    rest, _ = symmetric_rest_points(a)
    basins = basins_1d(a, rest)
    if not rest:
        return
    assert sum((b.share for b in basins), F(0)) == 1
    # independent: integrate from a grid of initial shares
    xs = np.linspace(0.0005, 0.9995, 400)
    counts = {b.attractor: 0 for b in basins}
    af = np.array(a, dtype=float)
    x = xs.copy()
    for _ in range(4000):
        g = (af[0, 0] - af[1, 0]) * x + (af[0, 1] - af[1, 1]) * (1 - x)
        x = np.clip(x + 0.05 * x * (1 - x) * g, 0, 1)
    for b in basins:
        counts[b.attractor] = int(np.sum(np.abs(x - float(b.attractor[0])) < 0.05))
    for b in basins:
        assert abs(counts[b.attractor] / len(xs) - float(b.share)) <= 0.01, (a, basins, counts)


def test_stag_hunt_basins_and_the_merge_share_lever() -> None:
    rest, _ = symmetric_rest_points(M([[4, 0], [3, 3]]))
    shares = {b.attractor: b.share for b in basins_1d(M([[4, 0], [3, 3]]), rest)}
    assert shares == {(F(1), F(0)): F(1, 4), (F(0), F(1)): F(3, 4)}

    def merge(s: F) -> list[list[F]]:
        return [[F(4), F(3, 2) * s], [3 - F(3, 2) * s, F(2)]]
    for s, zipper in ((F(0), F(1, 3)), (F(1, 2), F(7, 12)), (F(1, 3), F(1, 2))):
        a = merge(s)
        rest, _ = symmetric_rest_points(a)
        got = {b.attractor: b.share for b in basins_1d(a, rest)}
        assert got[(F(1), F(0))] == zipper


def test_three_strategy_sampled_basins_cover_the_simplex() -> None:
    # three strict conventions, symmetric: each basin one third
    a = M([[2, 0, 0], [0, 2, 0], [0, 0, 2]])
    rest, _ = symmetric_rest_points(a, ess_list(a))
    stable = [r.strategy for r in rest if r.stability == "stable"]
    assert sorted(stable) == sorted(tuple(F(int(i == k)) for i in range(3)) for k in range(3))
    sb = sample_symmetric(a, stable, samples=300, seed=1, horizon=60.0)
    assert sb.unresolved == 0
    for c in sb.counts:
        lo, hi = wilson(c, sb.samples)
        assert lo <= 1 / 3 <= hi


def test_wilson_interval_known_values() -> None:
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and abs(hi - 0.2775) < 1e-3
    lo, hi = wilson(5, 10)
    assert abs(lo - 0.2366) < 1e-3 and abs(hi - 0.7634) < 1e-3


# ------------------------------------------------------------- two populations

def test_battle_of_the_sexes_two_population_rest_points() -> None:
    a = M([[2, 0], [0, 1]])
    b = M([[1, 0], [0, 2]])
    rest, _ = two_population_rest_points(a, b)
    got = {r.strategy: r.stability for r in rest}
    assert got[(F(1), F(0), F(1), F(0))] == "stable"
    assert got[(F(0), F(1), F(0), F(1))] == "stable"
    assert got[(F(2, 3), F(1, 3), F(1, 3), F(2, 3))] == "saddle"
    assert got[(F(1), F(0), F(0), F(1))] == "unstable"


def test_matching_pennies_interior_is_neutral_centre() -> None:
    a = M([[1, -1], [-1, 1]])
    b = M([[-1, 1], [1, -1]])
    rest, _ = two_population_rest_points(a, b)
    got = {r.strategy: r.stability for r in rest}
    assert got[(F(1, 2), F(1, 2), F(1, 2), F(1, 2))] == "neutral"


def test_two_population_jacobian_matches_finite_differences() -> None:
    rng = np.random.default_rng(3)
    a = M(rng.integers(-4, 5, size=(2, 3)).tolist())
    b = M(rng.integers(-4, 5, size=(2, 3)).tolist())
    x, y = (F(2, 5), F(3, 5)), (F(1, 4), F(1, 4), F(1, 2))
    jac = np.array(two_population_jacobian(a, b, x, y), dtype=float)
    af, bf = np.array(a, dtype=float), np.array(b, dtype=float)

    def f(z: np.ndarray) -> np.ndarray:
        xx = np.array([z[0], 1 - z[0]])
        yy = np.array([z[1], z[2], 1 - z[1] - z[2]])
        ay, xb = af @ yy, xx @ bf
        return np.array([(xx * (ay - xx @ ay))[0], *(yy * (xb - yy @ xb))[:2]])
    z0 = np.array([0.4, 0.25, 0.25])
    h = 1e-6
    num = np.column_stack([(f(z0 + h * e) - f(z0 - h * e)) / (2 * h) for e in np.eye(3)])
    assert np.allclose(jac, num, atol=1e-6)


# ---------------------------------------------------- stochastic stability

@pytest.mark.parametrize("seed", range(40))
def test_stochastically_stable_is_risk_dominant_in_2x2_coordination(seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    # coordination: diagonal strictly best for both
    d = rng.integers(1, 9, size=4)
    off = rng.integers(-5, 1, size=4)
    a = M([[int(d[0]), int(off[0])], [int(off[1]), int(d[1])]])
    b = M([[int(d[2]), int(off[2])], [int(off[3]), int(d[3])]])
    if not (a[0][0] > a[1][0] and a[1][1] > a[0][1] and b[0][0] > b[0][1] and b[1][1] > b[1][0]):
        pytest.skip("not a coordination game")
    s = two_population_stochastic(a, b)
    assert s is not None
    # independent: Harsanyi-Selten product of deviation losses
    l0 = (a[0][0] - a[1][0]) * (b[0][0] - b[0][1])
    l1 = (a[1][1] - a[0][1]) * (b[1][1] - b[1][0])
    want = {(0, 0)} if l0 > l1 else {(1, 1)} if l1 > l0 else {(0, 0), (1, 1)}
    assert set(s.risk_dominant) == want == set(s.stochastically_stable)


def test_symmetric_resistances_stag_hunt() -> None:
    s = symmetric_stochastic(M([[4, 0], [3, 3]]))
    assert s is not None
    res = {c.profile: c.resistance_to_leave for c in s.conventions}
    assert res == {(0,): F(1, 4), (1,): F(3, 4)}
    assert s.stochastically_stable == ((1,),) and s.risk_dominant == ((1,),)


def test_stochastic_stability_refused_beyond_two_conventions() -> None:
    assert symmetric_stochastic(M([[2, 0, 0], [0, 2, 0], [0, 0, 2]])) is None


@pytest.mark.parametrize("seed", range(6))
def test_two_by_two_boundary_level_set_is_conserved(seed: int) -> None:
    import math

    from verigroup.dynamics.analysis import _two_by_two_separatrix
    from verigroup.dynamics.games import TwoPopulationGame

    rng = np.random.default_rng(4000 + seed)
    # coordination in both populations: an interior saddle
    a = M([[int(rng.integers(2, 9)), int(rng.integers(-4, 1))], [int(rng.integers(-4, 1)), int(rng.integers(2, 9))]])
    b = M([[int(rng.integers(2, 9)), int(rng.integers(-4, 1))], [int(rng.integers(-4, 1)), int(rng.integers(2, 9))]])
    g = TwoPopulationGame(("r", "c"), (("u", "d"), ("l", "k")), tuple(map(tuple, a)), tuple(map(tuple, b)))
    rest, _ = two_population_rest_points(a, b)
    bd = _two_by_two_separatrix(g, rest)
    assert bd is not None
    c = {k: float(F(v)) for k, v in bd["coefficients"].items()}

    def h(x: float, y: float) -> float:
        return (c["ln(x)"] * math.log(x) + c["ln(1-x)"] * math.log(1 - x)
                + c["ln(y)"] * math.log(y) + c["ln(1-y)"] * math.log(1 - y))
    af, bf = np.array(a, dtype=float), np.array(b, dtype=float)
    def h_wrong(x: float, y: float) -> float:  # a negative control: one coefficient off
        return h(x, y) + 0.5 * math.log(x)
    x, y = 0.3, 0.6
    h0, w0 = h(x, y), h_wrong(x, y)
    for _ in range(2000):  # RK4 along an orbit: H must stay constant
        def f(x: float, y: float) -> tuple[float, float]:
            gx = (af[0, 0] - af[1, 0]) * y + (af[0, 1] - af[1, 1]) * (1 - y)
            gy = (bf[0, 0] - bf[0, 1]) * x + (bf[1, 0] - bf[1, 1]) * (1 - x)
            return x * (1 - x) * gx, y * (1 - y) * gy
        k1 = f(x, y)
        k2 = f(x + 0.005 * k1[0], y + 0.005 * k1[1])
        k3 = f(x + 0.005 * k2[0], y + 0.005 * k2[1])
        k4 = f(x + 0.01 * k3[0], y + 0.01 * k3[1])
        x += 0.01 / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        y += 0.01 / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        if min(x, y, 1 - x, 1 - y) < 1e-3:
            break
    assert abs(h(x, y) - h0) < 1e-4 * max(1.0, abs(h0))
    assert abs(h_wrong(x, y) - w0) > 1e-2
    # the saddle satisfies the stated equation
    sx = float(F(bd["through"]["r"]["u"]))
    sy = float(F(bd["through"]["c"]["l"]))
    assert 0 < sx < 1 and 0 < sy < 1
