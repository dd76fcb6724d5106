"""Exact rational arithmetic with a size bound: the one Fraction
implementation of ``+ - * / ^`` shared by constant folding (the resolver,
the counted compiler), property terms and the scalar evaluator.  It lives
beside the IR so every stage above may use it.
"""

from __future__ import annotations

from fractions import Fraction

from verigroup.diagnostics import SpecError

# A computed numerator or denominator beyond this many bits (about 4,000
# decimal digits) is refused (E203): exact numbers must stay printable and small.
MAX_BITS = 13_288


def _too_big() -> SpecError:
    return SpecError.single("E203", f"a computed value has more than {MAX_BITS * 0.30103:,.0f} digits",
                            hint="exact numbers are limited in size; scale the numbers down")


def _bounded(v: Fraction) -> Fraction:
    if v.numerator.bit_length() > MAX_BITS or v.denominator.bit_length() > MAX_BITS:
        raise _too_big()
    return v


def exact_arith(op: str, x: Fraction, y: Fraction) -> Fraction | None:
    """``x op y`` exactly for ``op`` in ``+ - * / ^``; None when undefined
    (division by zero, 0 to a negative power).  For ``^`` the caller has
    checked that ``y`` is an integer.  A result beyond :data:`MAX_BITS` is
    a SpecError E203 (for ``^`` predicted before computing it)."""
    if op == "+":
        return _bounded(x + y)
    if op == "-":
        return _bounded(x - y)
    if op == "*":
        return _bounded(x * y)
    if op == "/":
        return None if y == 0 else _bounded(x / y)
    if op == "^":
        if y.denominator != 1:
            raise ValueError(f"exponent {y} is not an integer")
        if x == 0 and y < 0:
            return None
        log2 = max(x.numerator.bit_length(), x.denominator.bit_length()) - 1
        if abs(int(y)) * log2 > MAX_BITS + 64:
            raise _too_big()
        return _bounded(x ** int(y))
    raise ValueError(f"unknown operator {op!r}")
