"""Replicator dynamics: rest points, exact stability, basins of attraction.

Single population (symmetric game ``A``)::

    dx_i/dt = x_i ((Ax)_i - x.Ax)

Two populations (row payoffs ``A``, column payoffs ``B``)::

    dx_i/dt = x_i ((Ay)_i - x.Ay),   dy_j/dt = y_j ((x B)_j - x.By)

Rest points with a given support solve a linear system, so with rational
payoffs every isolated rest point is rational.  Stability comes from the
Jacobian restricted to the tangent space of the simplex (or product of
simplices), classified by :mod:`verigroup.dynamics.stability` exactly;
where the linearisation is inconclusive (an eigenvalue with zero real
part) the point is ``neutral`` -- except that an ESS is asymptotically stable
under the replicator dynamics (Taylor & Jonker 1978; Hofbauer, Schuster &
Sigmund 1979), so an ESS is reported ``stable``.  With two strategies the
dynamics is one-dimensional and stability and basins are exact: the sign
of ``dx/dt`` between consecutive rest points decides everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Sequence

from verigroup.dynamics.ess import EssVerdict, payoffs_against, support_points
from verigroup.dynamics.linalg import solve_general
from verigroup.dynamics.stability import Stability, real_part_signs


@dataclass(frozen=True)
class RestPoint:
    strategy: tuple[Fraction, ...]          # single population; or x then y for two
    stability: Stability
    eigen_signs: tuple[int, int, int] = (0, 0, 0)  # (negative, zero, positive) real parts
    reason: str = ""


@dataclass(frozen=True)
class Basin:
    attractor: tuple[Fraction, ...]
    share: Fraction | None                 # exact, or None when estimated
    estimate: float | None = None
    interval: tuple[float, float] | None = None  # 95% Wilson interval of the estimate
    boundary: tuple[Fraction, ...] = ()    # exact boundary points (two strategies)


def symmetric_jacobian(a: Sequence[Sequence[Fraction]], x: Sequence[Fraction]) -> list[list[Fraction]]:
    """The Jacobian on the tangent space of the simplex (last coordinate
    eliminated)."""
    n = len(x)
    ax = payoffs_against(a, x)
    atx = [sum((a[j][i] * x[j] for j in range(n)), Fraction(0)) for i in range(n)]
    avg = sum((x[i] * ax[i] for i in range(n)), Fraction(0))
    d = [[(ax[i] - avg if i == j else Fraction(0)) + x[i] * (a[i][j] - atx[j] - ax[j])
          for j in range(n)] for i in range(n)]
    return [[d[i][j] - d[i][n - 1] for j in range(n - 1)] for i in range(n - 1)]


def _gain(a: Sequence[Sequence[Fraction]], x0: Fraction) -> Fraction:
    """Two strategies: (Ax)_0 - (Ax)_1 at share x0 of strategy 0."""
    return (a[0][0] - a[1][0]) * x0 + (a[0][1] - a[1][1]) * (1 - x0)


def symmetric_rest_points(a: Sequence[Sequence[Fraction]], ess: Sequence[EssVerdict] = ()) -> tuple[list[RestPoint], list[tuple[int, ...]]]:
    """Isolated rest points with their stability, and the supports that may
    carry a continuum of rest points (reported, not classified)."""
    n = len(a)
    if n == 2:
        return _rest_points_1d(a), []
    pts, singular = support_points(a)
    ess_points = {v.point.strategy for v in ess if v.ess == "yes"}
    out = []
    for p in pts:
        spec = real_part_signs(symmetric_jacobian(a, p.strategy))
        st = spec.stability()
        reason = "linearisation (exact eigenvalue signs)"
        if st == "neutral" and p.strategy in ess_points:
            st, reason = "stable", "ESS (asymptotically stable under the replicator dynamics)"
        elif st == "neutral":
            reason = "linearisation inconclusive: an eigenvalue has zero real part"
        out.append(RestPoint(p.strategy, st, (spec.negative, spec.zero, spec.positive), reason))
    return out, singular


def _rest_points_1d(a: Sequence[Sequence[Fraction]]) -> list[RestPoint]:
    c0 = a[0][0] - a[1][0]
    c1 = a[0][1] - a[1][1]
    if c0 == 0 and c1 == 0:
        return []  # every point is a rest point: see basins_1d
    xs = [Fraction(0), Fraction(1)]
    if c0 != c1:
        root = c1 / (c1 - c0)
        if 0 < root < 1:
            xs.insert(1, root)
    out = []
    for k, x0 in enumerate(xs):
        left = _flow_sign(a, (xs[k - 1] + x0) / 2) if k > 0 else None
        right = _flow_sign(a, (x0 + xs[k + 1]) / 2) if k + 1 < len(xs) else None
        toward = [s for s in (left if left is None else left > 0, right if right is None else right < 0)
                  if s is not None]
        away = [s for s in (left if left is None else left < 0, right if right is None else right > 0)
                if s is not None]
        if all(toward) and any(toward):
            st: Stability = "stable"
        elif all(away) and any(away):
            st = "unstable"
        elif any(toward) and any(away):
            st = "saddle"
        else:
            st = "neutral"
        out.append(RestPoint((x0, 1 - x0), st, (0, 0, 0), "sign of dx/dt on each side (exact)"))
    return out


def _flow_sign(a: Sequence[Sequence[Fraction]], x0: Fraction) -> int:
    v = x0 * (1 - x0) * _gain(a, x0)
    return (v > 0) - (v < 0)


def basins_1d(a: Sequence[Sequence[Fraction]], rest: Sequence[RestPoint]) -> list[Basin]:
    """Exact basins of a two-strategy symmetric game: shares of [0, 1]
    (Lebesgue measure of the initial share of the first strategy)."""
    if not rest:
        return []
    xs = [r.strategy[0] for r in rest]
    acc: dict[Fraction, Fraction] = {}
    bounds: dict[Fraction, set[Fraction]] = {}
    for lo, hi in zip(xs, xs[1:]):
        sign = _flow_sign(a, (lo + hi) / 2)
        target = hi if sign > 0 else lo
        acc[target] = acc.get(target, Fraction(0)) + (hi - lo)
        bounds.setdefault(target, set()).update({lo, hi} - {target})
    return [Basin((t, 1 - t), share, boundary=tuple(sorted(bounds[t])))
            for t, share in sorted(acc.items(), key=lambda kv: -kv[0])]


# ---------------------------------------------------------------- two populations

def two_population_rest_points(a: Sequence[Sequence[Fraction]], b: Sequence[Sequence[Fraction]]) -> tuple[list[RestPoint], list[tuple[tuple[int, ...], tuple[int, ...]]]]:
    m, k = len(a), len(a[0])
    out: list[RestPoint] = []
    cont: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for sm in range(1, m + 1):
        for s in combinations(range(m), sm):
            for sk in range(1, k + 1):
                for t in combinations(range(k), sk):
                    y = _equalise([[a[i][j] for j in t] for i in s])
                    x = _equalise([[b[i][j] for i in s] for j in t])
                    if y is None or x is None:
                        continue
                    if isinstance(y, str) or isinstance(x, str):
                        cont.append((s, t))  # a continuum of rest points may lie here
                        continue
                    xv = [Fraction(0)] * m
                    yv = [Fraction(0)] * k
                    for i, q in zip(s, x):
                        xv[i] = q
                    for j, q in zip(t, y):
                        yv[j] = q
                    spec = real_part_signs(two_population_jacobian(a, b, xv, yv))
                    st = spec.stability()
                    why = ("linearisation (exact eigenvalue signs)" if st != "neutral"
                           else "linearisation inconclusive: an eigenvalue has zero real part")
                    out.append(RestPoint(tuple(xv) + tuple(yv), st,
                                         (spec.negative, spec.zero, spec.positive), why))
    return out, cont


def _equalise(rows: list[list[Fraction]]) -> list[Fraction] | str | None:
    """Weights w > 0 (summing to 1) on the columns making every row's payoff
    equal; None if there is no such isolated point."""
    cols = len(rows[0])
    sys_rows = [r + [Fraction(-1)] for r in rows] + [[Fraction(1)] * cols + [Fraction(0)]]
    rhs = [Fraction(0)] * len(rows) + [Fraction(1)]
    kind, sol = solve_general(sys_rows, rhs)
    if kind == "continuum":
        return "continuum"
    if sol is None:
        return None
    w = sol[:-1]
    return w if all(v > 0 for v in w) else None


def two_population_jacobian(a: Sequence[Sequence[Fraction]], b: Sequence[Sequence[Fraction]],
                            x: Sequence[Fraction], y: Sequence[Fraction]) -> list[list[Fraction]]:
    m, k = len(x), len(y)
    ay = [sum((a[i][j] * y[j] for j in range(k)), Fraction(0)) for i in range(m)]
    xa = [sum((x[i] * a[i][j] for i in range(m)), Fraction(0)) for j in range(k)]
    by = [sum((b[i][j] * y[j] for j in range(k)), Fraction(0)) for i in range(m)]
    xb = [sum((x[i] * b[i][j] for i in range(m)), Fraction(0)) for j in range(k)]
    va = sum((x[i] * ay[i] for i in range(m)), Fraction(0))
    vb = sum((y[j] * xb[j] for j in range(k)), Fraction(0))
    size = m + k
    d = [[Fraction(0)] * size for _ in range(size)]
    for i in range(m):
        for l in range(m):
            d[i][l] = (ay[i] - va if i == l else Fraction(0)) - x[i] * ay[l]
        for l in range(k):
            d[i][m + l] = x[i] * (a[i][l] - xa[l])
    for j in range(k):
        for l in range(k):
            d[m + j][m + l] = (xb[j] - vb if j == l else Fraction(0)) - y[j] * xb[l]
        for l in range(m):
            d[m + j][l] = y[j] * (b[l][j] - by[l])
    keep = [i for i in range(m - 1)] + [m + j for j in range(k - 1)]

    def dep(c: int) -> int:
        return m - 1 if c < m else m + k - 1

    return [[d[r][c] - d[r][dep(c)] for c in keep] for r in keep]
