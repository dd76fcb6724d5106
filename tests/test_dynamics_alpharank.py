"""alpha-Rank (issue 12): certified Fermi intervals against OpenSpiel's
``open_spiel.python.egt.alpharank`` on generated games (single population,
local and global selection; two populations), exact Moran chains against an
independent float computation, and the exact alpha -> infinity limit
against large finite alpha."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest

from verigroup.dynamics.alpharank import alpharank, alpharank_limit


def seeds(default: int, slow: int, base: int = 0) -> list[object]:
    return [base + k for k in range(default)] + [
        pytest.param(base + k, marks=pytest.mark.slow) for k in range(default, slow)]


def M(a: np.ndarray) -> list[list[F]]:
    return [[F(int(v)) for v in r] for r in a]


def _enclosed(ours: object, theirs: np.ndarray, tol: float = 1e-9) -> None:
    for mass, t in zip(ours.masses, theirs):  # type: ignore[attr-defined]
        assert float(mass.lo) - tol <= t <= float(mass.hi) + tol, (mass, t)
        assert float(mass.hi - mass.lo) < 1e-25


@pytest.mark.parametrize("seed", seeds(6, 40))
@pytest.mark.parametrize("selection", ["local", "global"])
def test_single_population_matches_openspiel(seed: int, selection: str) -> None:
    alpharank_os = pytest.importorskip("open_spiel.python.egt.alpharank")
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5))
    a = rng.integers(-5, 6, size=(n, n))
    alpha = [F(1, 10), F(1), F(3)][seed % 3]
    m = [5, 20, 50][seed % 3]
    ours = alpharank([M(a)], True, alpha, m=m, selection=selection)  # type: ignore[arg-type]
    try:
        _, _, pi, _, _ = alpharank_os.compute([a.astype(float)], m=m, alpha=float(alpha),
                                              use_local_selection_model=(selection == "local"))
    except ValueError:
        pytest.skip("OpenSpiel found no unique stationary distribution (its eigen-solver)")
    # OpenSpiel's float eigen-solver is off by up to ~3e-7 on nearly
    # reducible chains (it returned a "probability" of 1.0000002): that is its
    # precision, and the comparison uses it.
    _enclosed(ours, np.asarray(pi, dtype=float), tol=1e-6)


@pytest.mark.parametrize("seed", seeds(6, 40, base=100))
def test_two_populations_match_openspiel(seed: int) -> None:
    alpharank_os = pytest.importorskip("open_spiel.python.egt.alpharank")
    rng = np.random.default_rng(seed)
    r, c = int(rng.integers(2, 4)), int(rng.integers(2, 4))
    a = rng.integers(-5, 6, size=(r, c))
    b = rng.integers(-5, 6, size=(r, c))
    alpha = [F(1, 2), F(2)][seed % 2]
    ours = alpharank([M(a), M(b)], False, alpha, m=30)
    try:
        _, _, pi, _, _ = alpharank_os.compute([a.astype(float), b.astype(float)], m=30, alpha=float(alpha))
    except ValueError:
        pytest.skip("OpenSpiel found no unique stationary distribution")
    _enclosed(ours, np.asarray(pi, dtype=float), tol=1e-8)


def test_rps_is_uniform_exactly_enclosed() -> None:
    a = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    ours = alpharank([M(a)], True, F(5), m=50)
    for mass in ours.masses:
        assert mass.lo is not None and mass.hi is not None
        assert mass.lo <= F(1, 3) <= mass.hi


def test_large_population_and_alpha_stay_certified() -> None:
    # OpenSpiel's float chain underflows here; the intervals do not.
    a = np.array([[4, 0], [3, 3]])
    ours = alpharank([M(a)], True, F(50), m=10_000, selection="global")
    lo0, hi0 = ours.masses[0].lo, ours.masses[0].hi
    assert lo0 is not None and hi0 is not None and 0 < lo0 <= hi0
    assert hi0 < F(1, 10**100)           # stag is swamped
    assert ours.masses[1].lo is not None and ours.masses[1].lo > F(1) - F(1, 10**20)
    assert ours.masses[1].hi == 1  # clamped to the probability range


def _moran_float(a: np.ndarray, w: float, m: int, selection: str) -> np.ndarray:
    n = len(a)
    p = np.zeros((n, n))
    for s in range(n):
        for r in range(n):
            if r == s:
                continue
            acc, prod = 0.0, 1.0
            for k in range(1, m):
                if selection == "global":
                    fr = 1 - w + w * ((k - 1) * a[r, r] + (m - k) * a[r, s]) / (m - 1)
                    fs = 1 - w + w * ((m - k - 1) * a[s, s] + k * a[s, r]) / (m - 1)
                else:
                    fr, fs = 1 - w + w * a[r, s], 1 - w + w * a[s, r]
                prod *= fs / fr
                acc += prod
            p[s, r] = 1 / (n - 1) / (1 + acc)
        p[s, s] = 1 - p[s].sum()
    vals, vecs = np.linalg.eig(p.T)
    v = np.real(vecs[:, np.argmin(np.abs(vals - 1))])
    return v / v.sum()


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("selection", ["local", "global"])
def test_moran_is_exact_and_agrees_with_floats(seed: int, selection: str) -> None:
    rng = np.random.default_rng(300 + seed)
    n = int(rng.integers(2, 4))
    a = rng.integers(0, 6, size=(n, n))
    ours = alpharank([M(a)], True, F(1, 5), m=12, fixation="moran", selection=selection)  # type: ignore[arg-type]
    assert ours.exact and all(isinstance(x.value, F) for x in ours.masses)
    assert sum((x.value for x in ours.masses), F(0)) == 1  # type: ignore[misc]
    want = _moran_float(a.astype(float), 0.2, 12, selection)
    assert np.allclose([float(x.value) for x in ours.masses], want, atol=1e-9)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", seeds(8, 40, base=700))
def test_infinite_alpha_limit_is_approached_by_large_alpha(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 4))
    a = rng.integers(-4, 5, size=(n, n))
    lim = alpharank_limit([M(a)], True, m=10)
    big = alpharank([M(a)], True, F(60), m=10)
    for x, y in zip(lim.masses, big.masses):
        assert x.value is not None
        assert abs(float(x.value) - y.approx) < 1e-3, (a, lim.masses, big.masses)


def test_infinite_alpha_on_a_reducible_limit_chain() -> None:
    # Prisoner's dilemma, two populations: the limit chain is absorbed in
    # (defect, defect); OpenSpiel's sweep stops on such chains, the tree
    # formula does not.
    a = np.array([[3, 0], [5, 1]])
    lim = alpharank_limit([M(a), M(a.T)], False, m=50)
    assert [x.value for x in lim.masses] == [0, 0, 0, 1]
    # a cycle: matching pennies shares the mass equally in the limit
    mp = np.array([[1, -1], [-1, 1]])
    lim = alpharank_limit([M(mp), M(-mp)], False, m=50)
    assert [x.value for x in lim.masses] == [F(1, 4)] * 4
