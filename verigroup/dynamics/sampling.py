"""Basins of attraction by sampling (three or more strategies, two populations).

Initial states are drawn uniformly from the simplex (Dirichlet(1,...,1) with
an explicit seed, or a regular grid for pictures and benchmarks), integrated
with a fixed-step RK4 scheme in floating point, and assigned to the stable
rest point they end within ``tol`` of.  The share of each basin is then an
*estimate*: its 95% Wilson score interval is the stated error bound for the
sampling; the float integration that labels each sample is not certified
(a sample ending near no stable rest point is counted "unresolved").  These
shares are therefore reported in the approximate form, never as exact
rationals, and never decide a verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import numpy as np

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class SampledBasins:
    counts: tuple[int, ...]     # per attractor, in the order given
    unresolved: int
    samples: int
    seed: int | None
    method: str


def simplex_grid(n: int, steps: int) -> np.ndarray:
    """All points of the simplex with coordinates in multiples of 1/steps."""
    def rec(k: int, left: int) -> list[list[int]]:
        if k == 1:
            return [[left]]
        return [[i] + rest for i in range(left + 1) for rest in rec(k - 1, left - i)]
    return np.asarray(rec(n, steps), dtype=float) / steps


def _rk4(f, x: np.ndarray, dt: float, steps: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    for step in range(steps):
        k1 = f(x)
        if step % 50 == 0 and float(np.abs(k1).max(initial=0.0)) < 1e-10:
            break  # every sample is at rest
        k2 = f(x + dt / 2 * k1)
        k3 = f(x + dt / 2 * k2)
        k4 = f(x + dt * k3)
        x = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        x = np.clip(x, 0.0, None)
    return x


def _scaled(a: Sequence[Sequence[Fraction]]) -> np.ndarray:
    """The payoffs divided by their range: the same orbits (time rescaled),
    so one step size fits every game."""
    am = np.array([[float(v) for v in row] for row in a])
    spread = float(am.max() - am.min()) if am.size else 0.0
    return am / spread if spread > 0 else am


def symmetric_flow(a: Sequence[Sequence[Fraction]]):  # type: ignore[no-untyped-def]
    am = _scaled(a)

    def f(x: np.ndarray) -> np.ndarray:
        x = x / x.sum(axis=1, keepdims=True)
        ax = x @ am.T
        avg = (x * ax).sum(axis=1, keepdims=True)
        return np.asarray(x * (ax - avg))
    return f


def classify_endpoints(ends: np.ndarray, attractors: Sequence[Sequence[Fraction]], tol: float) -> tuple[list[int], int]:
    targets = np.array([[float(v) for v in p] for p in attractors]) if attractors else np.zeros((0, ends.shape[1]))
    counts = [0] * len(attractors)
    unresolved = 0
    if len(attractors) == 0:
        return counts, len(ends)
    d = np.abs(ends[:, None, :] - targets[None, :, :]).max(axis=2)
    best = d.argmin(axis=1)
    for row, k in enumerate(best):
        if d[row, k] <= tol:
            counts[int(k)] += 1
        else:
            unresolved += 1
    return counts, unresolved


def sample_symmetric(a: Sequence[Sequence[Fraction]], attractors: Sequence[Sequence[Fraction]],
                     samples: int = 2000, seed: int = 0, horizon: float = 400.0, dt: float = 0.1,
                     tol: float = 1e-3, grid: int | None = None) -> SampledBasins:
    n = len(a)
    if grid is not None:
        x0 = simplex_grid(n, grid)
        method = f"grid 1/{grid}, RK4 dt={dt} horizon={horizon} in payoff-range time units (float), tol {tol}"
    else:
        rng = np.random.default_rng(seed)
        x0 = rng.dirichlet(np.ones(n), size=samples)
        method = f"uniform Dirichlet sampling (seed {seed}), RK4 dt={dt} horizon={horizon} in payoff-range time units (float), tol {tol}"
    if not attractors:  # nothing to converge to: every sample is unresolved
        return SampledBasins((), len(x0), len(x0), None if grid is not None else seed, method)
    ends = _rk4(symmetric_flow(a), x0, dt, int(horizon / dt))
    ends = ends / ends.sum(axis=1, keepdims=True)
    counts, unresolved = classify_endpoints(ends, attractors, tol)
    return SampledBasins(tuple(counts), unresolved, len(x0), None if grid is not None else seed, method)


def sample_two_population(a: Sequence[Sequence[Fraction]], b: Sequence[Sequence[Fraction]],
                          attractors: Sequence[Sequence[Fraction]], samples: int = 2000, seed: int = 0,
                          horizon: float = 400.0, dt: float = 0.1, tol: float = 1e-3) -> SampledBasins:
    m, k = len(a), len(a[0])
    am = _scaled(a)
    bm = _scaled(b)
    rng = np.random.default_rng(seed)
    z0 = np.hstack([rng.dirichlet(np.ones(m), size=samples), rng.dirichlet(np.ones(k), size=samples)])

    def f(z: np.ndarray) -> np.ndarray:
        x = z[:, :m] / z[:, :m].sum(axis=1, keepdims=True)
        y = z[:, m:] / z[:, m:].sum(axis=1, keepdims=True)
        ay = y @ am.T
        xb = x @ bm
        fx = x * (ay - (x * ay).sum(axis=1, keepdims=True))
        fy = y * (xb - (y * xb).sum(axis=1, keepdims=True))
        return np.hstack([fx, fy])

    if not attractors:
        return SampledBasins((), samples, samples, seed, "no stable rest point: nothing to sample")
    ends = _rk4(f, z0, dt, int(horizon / dt))
    ends[:, :m] /= ends[:, :m].sum(axis=1, keepdims=True)
    ends[:, m:] /= ends[:, m:].sum(axis=1, keepdims=True)
    counts, unresolved = classify_endpoints(ends, attractors, tol)
    return SampledBasins(tuple(counts), unresolved, samples, seed,
                         f"uniform sampling of both simplices (seed {seed}), RK4 dt={dt} horizon={horizon} in payoff-range time units (float), tol {tol}")
