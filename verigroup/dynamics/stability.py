"""Exact signs of the real parts of a rational matrix's eigenvalues.

Used to classify rest points of the dynamics from their Jacobian (rational
at rational rest points).  The characteristic polynomial ``p`` is computed
exactly (sympy).  Eigenvalues on the imaginary axis are detected exactly:
``p(iy) = R(y) + i I(y)`` vanishes for real ``y`` iff ``gcd(R, I)`` has a
real root (Sturm counting).  When there are none the remaining roots are
isolated in rational rectangles (sympy's exact complex root isolation) and
refined until each rectangle lies strictly left or right of the axis -- this
terminates because no root is on it.  No floating point decides a sign.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, Sequence

Stability = Literal["stable", "unstable", "saddle", "neutral"]


@dataclass(frozen=True)
class Spectrum:
    negative: int  # eigenvalues with negative real part (with multiplicity)
    zero: int      # 0 or >0: some eigenvalue has zero real part (count not exact)
    positive: int

    def stability(self) -> Stability:
        if self.zero:
            return "neutral"
        if self.positive == 0:
            return "stable"
        if self.negative == 0:
            return "unstable"
        return "saddle"


def real_part_signs(m: Sequence[Sequence[Fraction]]) -> Spectrum:
    import sympy

    n = len(m)
    if n == 0:
        return Spectrum(0, 0, 0)
    lam = sympy.Symbol("lam")
    yr = sympy.Symbol("y", real=True)
    mat = sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in row] for row in m])
    p = sympy.Poly(mat.charpoly(lam).as_expr(), lam, domain="QQ")
    e2 = sympy.expand(p.as_expr().subs(lam, sympy.I * yr))
    rp = sympy.Poly(sympy.re(e2), yr, domain="QQ")
    ip = sympy.Poly(sympy.im(e2), yr, domain="QQ")
    g = sympy.gcd(rp, ip)
    if g.degree() > 0 and g.count_roots() > 0:
        return Spectrum(0, 1, 0)
    _, factors = p.sqf_list()  # isolation works on square-free factors
    neg = pos = 0
    for f, fmult in factors:
        if f.degree() == 0:
            continue
        n_, p_ = _isolate(sympy, f)
        neg += n_ * fmult
        pos += p_ * fmult
    return Spectrum(neg, 0, pos)


def _isolate(sympy: Any, f: Any) -> tuple[int, int]:
    """Roots of a square-free rational polynomial with none on the imaginary
    axis, counted left / right of it (exact rectangles, refined as needed)."""
    eps = Fraction(1, 2)
    for _ in range(200):
        real_iv, cplx_iv = f.intervals(all=True, eps=sympy.Rational(eps.numerator, eps.denominator))
        neg = pos = 0
        ok = True
        for (lo, hi), mult in real_iv:
            if hi < 0:
                neg += mult
            elif lo > 0:
                pos += mult
            else:
                ok = False
        for (lo_c, hi_c), mult in cplx_iv:
            ax, bx = sympy.re(lo_c), sympy.re(hi_c)
            if bx < 0:
                neg += mult
            elif ax > 0:
                pos += mult
            else:
                ok = False
        if ok:
            return neg, pos
        eps /= 16
    raise ArithmeticError("root isolation did not separate the imaginary axis")  # pragma: no cover
