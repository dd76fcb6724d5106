"""How numbers of the dynamics results are written in JSON.

* exact values: rational strings, ``"2/3"``, ``"0"``, ``"-1/2"``;
* approximate values: a string starting with ``~`` (``"~0.5123"``), always
  accompanied in the same record by a certified or statistical interval
  (``"interval": [LO, HI]`` as decimal strings rounded outward).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from fractions import Fraction


def exact(x: Fraction) -> str:
    return str(x)


def approx(x: float, digits: int = 4) -> str:
    return f"~{x:.{digits}f}"


def _decimal(x: Fraction, digits: int, rounding: str) -> str:
    with localcontext() as ctx:
        ctx.prec = digits
        ctx.rounding = rounding
        d = Decimal(x.numerator) / Decimal(x.denominator)
    return format(d, "f") if abs(d.adjusted()) < 20 else str(d)


def down(x: Fraction, digits: int = 17) -> str:
    """A decimal string <= x (rounded toward -infinity)."""
    return _decimal(x, digits, ROUND_FLOOR)


def up(x: Fraction, digits: int = 17) -> str:
    """A decimal string >= x (rounded toward +infinity)."""
    return _decimal(x, digits, ROUND_CEILING)
