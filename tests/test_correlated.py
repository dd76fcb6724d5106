"""Correlated / coarse-correlated equilibria: exact LP optima, certificates,
the exact membership test, and the property-layer hooks."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from scipy.optimize import linprog

from verigroup.model.game import ExactTensor, NormalFormGame
from verigroup.solvers import correlated as C
from verigroup.solvers.bimatrix import solve_bimatrix


def game(a, b) -> NormalFormGame:
    a = np.array(a, dtype=object)
    b = np.array(b, dtype=object)
    m, n = a.shape
    return NormalFormGame.from_fractions(
        ["row", "col"], [[f"r{i}" for i in range(m)], [f"c{j}" for j in range(n)]], [a, b])


# Chicken: (Dare, Chicken) actions; (C,C)=(6,6), (D,C)=(7,2), (C,D)=(2,7), (D,D)=(0,0).
CHICKEN = game([[0, 7], [2, 6]], [[0, 2], [7, 6]])


def test_chicken_welfare_optimal_ce():
    # Hand computation: put q on (C,C) and r on each of (D,C),(C,D).  The
    # binding CE constraint for "told C, deviate to D": 6q + 2r >= 7q + 0r,
    # i.e. q <= 2r; with q + 2r = 1 welfare 12q + 9*2r is maximal at
    # q = 1/2, r = 1/4: 6 + 9/2 = 21/2.
    opt = C.optimize(CHICKEN)
    assert opt.value == F(21, 2)
    assert dict(opt.distribution) == {(0, 1): F(1, 4), (1, 0): F(1, 4), (1, 1): F(1, 2)}
    ok, info = C.is_correlated_equilibrium(CHICKEN, opt.distribution)
    assert ok and info is None


def test_membership_reports_violation():
    ok, info = C.is_correlated_equilibrium(CHICKEN, [((1, 1), F(1))])  # (C,C) for sure
    assert not ok and info["gain"] == 1  # deviating to Dare gains 7 - 6


def test_coarse_contains_correlated():
    # CCE polytope contains the CE polytope: max welfare can only grow
    for seed in range(5):
        rng = np.random.default_rng(seed)
        g = game(rng.integers(-5, 6, (3, 3)).tolist(), rng.integers(-5, 6, (3, 3)).tolist())
        ce = C.optimize(g)
        cce = C.optimize(g, coarse=True)
        assert cce.value >= ce.value
        ok, _ = C.is_correlated_equilibrium(g, cce.distribution, coarse=True)
        assert ok


def test_nash_inside_ce_bounds():
    """Every Nash equilibrium is a CE: its welfare lies in [min CE, max CE]."""
    for seed in range(8):
        rng = np.random.default_rng(50 + seed)
        a = rng.integers(0, 9, (3, 3)).tolist()
        b = rng.integers(0, 9, (3, 3)).tolist()
        g = game(a, b)
        hi = C.optimize(g).value
        lo = C.optimize(g, maximize=False).value
        for x, y in solve_bimatrix(g).equilibria:
            w = sum(x[i] * y[j] * (a[i][j] + b[i][j]) for i in range(3) for j in range(3))
            assert lo <= w <= hi
            dist = [((i, j), x[i] * y[j]) for i in range(3) for j in range(3)]
            assert C.is_correlated_equilibrium(g, dist)[0]


def independent_dual_value(g: NormalFormGame, maximize: bool) -> float:
    """The LP dual, solved independently with scipy: for max c.p it is
    min z s.t. z >= c_s + sum_r lam_r G_rs (all s), lam >= 0."""
    poly = C.build_polytope(g)
    c = np.array([float(v) for v in C.objective_vector(poly, C.welfare_tensor(g))])
    if not maximize:
        c = -c
    gm = poly.g.astype(float)
    k, n = gm.shape
    # variables (lam_1..lam_k, z): minimise z; -G^T lam ... : c_s + (G^T lam)_s - z <= 0
    a_ub = np.hstack([gm.T, -np.ones((n, 1))])
    res = linprog(np.r_[np.zeros(k), 1.0], A_ub=a_ub, b_ub=-c,
                  bounds=[(0, None)] * k + [(None, None)], method="highs")
    assert res.status == 0
    return res.fun if maximize else -res.fun


@pytest.mark.parametrize("seed", range(6))
def test_against_independent_dual_lp(seed):
    rng = np.random.default_rng(200 + seed)
    m, n = 2 + seed % 3, 2 + (seed // 2) % 3
    g = game(rng.integers(-9, 10, (m, n)).tolist(), rng.integers(-9, 10, (m, n)).tolist())
    for maximize in (True, False):
        exact = C.optimize(g, maximize=maximize).value
        assert abs(float(exact) - independent_dual_value(g, maximize)) < 1e-7


@pytest.mark.parametrize("seed", range(4))
def test_exact_simplex_agrees(seed):
    rng = np.random.default_rng(300 + seed)
    g = game(rng.integers(-3, 4, (3, 2)).tolist(), rng.integers(-3, 4, (3, 2)).tolist())
    for coarse in (False, True):
        poly = C.build_polytope(g, coarse)
        c = [-v for v in C.objective_vector(poly, C.welfare_tensor(g))]
        p, lam, z = C.exact_simplex(poly, c)
        assert C.certify(poly, c, p, lam, z)
        assert -z == C.optimize(g, coarse=coarse).value


def test_three_player_and_metric_objective():
    shape = (2, 2, 2)
    pays = []
    for i in range(3):
        t = np.empty(shape, dtype=object)
        for s in np.ndindex(*shape):
            t[s] = (s[i] + 1) * (1 if sum(s) % 2 == 0 else -1)
        pays.append(t)
    g = NormalFormGame.from_fractions(["a", "b", "c"], [["x", "y"]] * 3, pays)
    harm = np.empty(shape, dtype=object)
    for s in np.ndindex(*shape):
        harm[s] = F(sum(s), 3)
    ht = ExactTensor.from_fractions(harm)
    lo = C.optimize(g, ht, maximize=False)
    hi = C.optimize(g, ht, maximize=True)
    assert lo.value <= hi.value
    for opt in (lo, hi):
        assert C.is_correlated_equilibrium(g, opt.distribution)[0]
        assert sum(p * ht.at(s) for s, p in opt.distribution) == opt.value


def test_property_layer_hooks():
    from verigroup.analyses.correlated import extreme_value, welfare_optimum
    from verigroup.analyses.registry import Context
    from verigroup.model.properties import Concept

    class FakeModel:  # Context only needs .game()
        def game(self):
            return CHICKEN

    ctx = Context(FakeModel())  # type: ignore[arg-type]
    es = welfare_optimum(CHICKEN, Concept.CORRELATED)
    assert es.extra["polytope"] and es.points[0].expect(C.welfare_tensor(CHICKEN)) == F(21, 2)
    val, pt, cert = extreme_value(ctx, Concept.CORRELATED, C.welfare_tensor(CHICKEN), False)
    assert val == pt.expect(C.welfare_tensor(CHICKEN)) == cert.value


# ------------------------------------------------------------ efficiency


class _Model:
    """Context only needs ``.game()`` for the mixed and correlated concepts."""

    def __init__(self, g: NormalFormGame) -> None:
        self._g = g

    def game(self) -> NormalFormGame:
        return self._g


def _ctx(g: NormalFormGame):
    from verigroup.analyses.registry import Context, EquilibriumSet, PurePoint
    from verigroup.model.properties import Concept

    ctx = Context(_Model(g))  # type: ignore[arg-type]
    # pure equilibria by brute force, independently of the pure provider
    pure = []
    for s in np.ndindex(*g.shape):
        if all(g.payoff(i, s) >= g.payoff(i, s[:i] + (d,) + s[i + 1:])
               for i in range(g.num_players) for d in range(g.shape[i])):
            pure.append(PurePoint(tuple(int(v) for v in s)))
    ctx._equilibria[Concept.PURE_NASH] = EquilibriumSet(Concept.PURE_NASH, tuple(pure), True, "brute force")
    return ctx


PD = game([[3, 0], [5, 1]], [[3, 5], [0, 1]])
BOS = game([[2, 0], [0, 1]], [[1, 0], [0, 2]])


def test_price_of_anarchy_prisoners_dilemma():
    from verigroup.analyses.efficiency import pareto_of_equilibria, price_of_anarchy, price_of_stability
    from verigroup.model.properties import Concept

    ctx = _ctx(PD)
    w = C.welfare_tensor(PD)
    for concept in (Concept.PURE_NASH, Concept.MIXED_NASH):
        poa = price_of_anarchy(ctx, w, concept=concept)
        assert poa.value == 3 and poa.optimum == 6 and poa.equilibrium_value == 2
        assert price_of_stability(ctx, w, concept=concept).value == 3
    (par,) = pareto_of_equilibria(ctx, Concept.PURE_NASH)
    assert not par.efficient and par.dominated_by == (0, 0) and par.dominating_payoffs == (3, 3)


def test_mixed_price_of_anarchy_bos():
    from verigroup.analyses.efficiency import pareto_of_equilibria, price_of_anarchy, price_of_stability
    from verigroup.model.properties import Concept

    ctx = _ctx(BOS)
    w = C.welfare_tensor(BOS)
    # worst equilibrium is the mixed one: 2/3 + 2/3 = 4/3; optimum 3
    assert price_of_anarchy(ctx, w, concept=Concept.MIXED_NASH).value == F(9, 4)
    assert price_of_stability(ctx, w, concept=Concept.MIXED_NASH).value == 1
    eff = {tuple(r.payoffs): r.efficient for r in pareto_of_equilibria(ctx, Concept.MIXED_NASH)}
    assert eff == {(2, 1): True, (1, 2): True, (F(2, 3), F(2, 3)): False}


def test_correlated_price_of_stability_chicken():
    from verigroup.analyses.efficiency import price_of_anarchy, price_of_stability
    from verigroup.model.properties import Concept

    ctx = _ctx(CHICKEN)
    w = C.welfare_tensor(CHICKEN)
    pos = price_of_stability(ctx, w, concept=Concept.CORRELATED)
    assert pos.value == F(12) / F(21, 2)
    poa = price_of_anarchy(ctx, w, concept=Concept.CORRELATED)
    assert abs(float(poa.equilibrium_value) - independent_dual_value(CHICKEN, False)) < 1e-9
    # a minimised metric: harm = number of agents that dare
    harm = ExactTensor.from_fractions(np.array([[2, 1], [1, 0]], dtype=object))
    r = price_of_anarchy(ctx, harm, sense="minimize", concept=Concept.PURE_NASH)
    assert r.value is None and "denominator" in r.reason  # optimum harm is 0
