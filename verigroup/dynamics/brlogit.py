"""Best-response and logit dynamics of a single population.

Best-response dynamics ``dx/dt = BR(x) - x`` (a differential inclusion):
its rest points are exactly the symmetric Nash equilibria (exact, from
:mod:`verigroup.dynamics.ess`).  With two strategies the motion is toward
the better-paying strategy, so stability and basins are decided exactly by
the sign of the payoff gain ``g(x) = (Ax)_0 - (Ax)_1``.  With more, an ESS
is asymptotically stable (Hofbauer 1995) and a non-strict equilibrium is
reported ``undetermined``.

Logit dynamics ``dx/dt = L_eta(Ax) - x`` (``L`` the softmax with noise
``eta``), two strategies: rest points solve ``x = sigma(g(x) / eta)``, a
transcendental equation, so they are *enclosed*: mpmath interval
arithmetic isolates every root of ``h(x) = x - sigma(g(x)/eta)`` in an
interval where ``h'`` has a constant sign (so exactly one root) and refines
it; ``dx/dt = -h(x)``, so a root is stable iff ``h' > 0`` there -- decided
on the enclosure.  Basin boundaries are unstable roots, so basin shares come
with certified enclosures, not rationals.  (The special root ``1/2`` of a
game with ``g(1/2) = 0`` is exact.)  Three or more strategies are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

from verigroup.dynamics.ess import EssVerdict
from verigroup.dynamics.replicator import Basin, RestPoint, basins_1d, symmetric_rest_points

PREC = 113


@dataclass(frozen=True)
class EnclosedPoint:
    lo: Fraction
    hi: Fraction          # the rest point's share of strategy 0 lies in [lo, hi]
    exact: Fraction | None
    stability: str


def best_response(a: Sequence[Sequence[Fraction]], verdicts: Sequence[EssVerdict]) -> tuple[list[RestPoint], list[Basin]]:
    if len(a) == 2:
        rest = _nash_only(a, symmetric_rest_points(a)[0])
        return rest, basins_1d(a, symmetric_rest_points(a)[0])
    out = []
    for v in verdicts:
        if not v.point.is_nash:
            continue
        if v.ess == "yes":
            out.append(RestPoint(v.point.strategy, "stable", (0, 0, 0),
                                 "ESS: asymptotically stable under best-response dynamics (Hofbauer 1995)"))
        else:
            out.append(RestPoint(v.point.strategy, "undetermined", (0, 0, 0),  # type: ignore[arg-type]
                                 "not an ESS: best-response dynamics is a differential inclusion; not decided"))
    return out, []


def _nash_only(a: Sequence[Sequence[Fraction]], rest: Sequence[RestPoint]) -> list[RestPoint]:
    from verigroup.dynamics.ess import payoffs_against

    out = []
    for r in rest:
        pay = payoffs_against(a, r.strategy)
        best = max(pay)
        if all(pay[i] == best for i in range(2) if r.strategy[i] > 0):
            out.append(RestPoint(r.strategy, r.stability, r.eigen_signs,
                                 "sign of the payoff gain on each side (exact)"))
    return out


def _iv(x: Fraction) -> Any:
    from mpmath import iv

    return iv.mpf(x.numerator) / iv.mpf(x.denominator)


def _frac(v: Any) -> tuple[Fraction, Fraction]:
    def conv(t: Any) -> Fraction:
        sign, man, exp, _bc = t
        x = Fraction(int(man)) * (Fraction(2) ** int(exp))
        return -x if sign else x
    lo, hi = v._mpi_
    return conv(lo), conv(hi)


def logit_rest_points(a: Sequence[Sequence[Fraction]], eta: Fraction, width: Fraction = Fraction(1, 10**15)) -> list[EnclosedPoint]:
    """Every rest point of the two-strategy logit dynamics, enclosed."""
    from mpmath import iv

    c0 = a[0][0] - a[1][0]
    c1 = a[0][1] - a[1][1]
    slope = (c0 - c1) / eta   # g(x)/eta = (c1 + (c0 - c1) x) / eta

    def h(lo: Fraction, hi: Fraction) -> Any:
        x = iv.mpf([_iv(lo).a, _iv(hi).b])
        z = (_iv(c1 / eta) + _iv(slope) * x)
        if lo + hi > 1:  # near 1: h = (x - 1) + sigma(-z), no cancellation
            return iv.mpf([_iv(lo - 1).a, _iv(hi - 1).b]) + 1 / (1 + iv.exp(z))
        return x - 1 / (1 + iv.exp(-z))

    def dh(lo: Fraction, hi: Fraction) -> Any:
        x = iv.mpf([_iv(lo).a, _iv(hi).b])
        z = (_iv(c1 / eta) + _iv(slope) * x)
        s = 1 / (1 + iv.exp(-z))
        return 1 - s * (1 - s) * _iv(slope)

    def sign_at(p: Fraction) -> int:
        v = h(p, p)
        if v.a > 0:
            return 1
        if v.b < 0:
            return -1
        return 0

    old = iv.prec
    iv.prec = PREC
    try:
        found: list[EnclosedPoint] = []
        stack = [(Fraction(0), Fraction(1))]
        while stack:
            lo, hi = stack.pop()
            rng = h(lo, hi)
            if rng.a > 0 or rng.b < 0:
                continue  # no root here
            d = dh(lo, hi)
            monotone = d.a > 0 or d.b < 0
            if monotone:
                slo, shi = sign_at(lo), sign_at(hi)
                if slo * shi < 0:
                    found.append(_refine(lo, hi, slo, sign_at, d.a > 0, width, c0, c1))
                    continue
                if slo * shi > 0:
                    continue  # monotone with one sign: no root
            if hi - lo < Fraction(1, 10**12):
                raise ArithmeticError("logit rest points could not be separated")  # pragma: no cover
            mid = (lo + hi) / 2
            if sign_at(mid) == 0 and c1 + (c0 - c1) * mid == 0 and mid == Fraction(1, 2):
                found.append(EnclosedPoint(mid, mid, mid, "stable" if dh(mid, mid).a > 0 else
                                           "unstable" if dh(mid, mid).b < 0 else "neutral"))
                stack += [(lo, mid - Fraction(1, 10**13)), (mid + Fraction(1, 10**13), hi)]
                continue
            stack += [(lo, mid), (mid, hi)]
        return sorted(found, key=lambda p: p.lo)
    finally:
        iv.prec = old


def _refine(lo: Fraction, hi: Fraction, slo: int, sign_at: Any, increasing: bool, width: Fraction,
            c0: Fraction, c1: Fraction) -> EnclosedPoint:
    stability = "stable" if increasing else "unstable"
    while hi - lo > width:
        mid = (lo + hi) / 2
        s = sign_at(mid)
        if s == 0 and mid == Fraction(1, 2) and c1 + (c0 - c1) / 2 == 0:
            return EnclosedPoint(mid, mid, mid, stability)  # sigma(0) = 1/2 exactly
        if s == 0:  # |h(mid)| below the working precision: step off the midpoint
            mid = lo + (hi - lo) * Fraction(3, 7)
            s = sign_at(mid)
            if s == 0:
                break
        if s == slo:
            lo = mid
        else:
            hi = mid
    # dx/dt = -h(x): stable iff h is increasing through the root
    return EnclosedPoint(lo, hi, None, stability)


def logit_basins(points: Sequence[EnclosedPoint]) -> list[tuple[EnclosedPoint, Fraction, Fraction]]:
    """(attractor, share lower bound, share upper bound): each stable point
    attracts the interval up to its unstable neighbours (or the ends)."""
    out = []
    for k, p in enumerate(points):
        if p.stability != "stable":
            continue
        left = points[k - 1] if k > 0 else None
        right = points[k + 1] if k + 1 < len(points) else None
        lo_edge = (left.lo, left.hi) if left is not None else (Fraction(0), Fraction(0))
        hi_edge = (right.lo, right.hi) if right is not None else (Fraction(1), Fraction(1))
        out.append((p, hi_edge[0] - lo_edge[1], hi_edge[1] - lo_edge[0]))
    return out
