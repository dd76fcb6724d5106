"""Bounded exact parsing of number text from untrusted files.

``Fraction("1e999999999")`` builds a billion-digit integer (a hang), and
``int`` refuses more than 4,300 digits with a bare ``ValueError``.  Every
number read from a Gambit file or a report goes through :func:`parse_exact`,
which accepts integers, decimals, ``p/q`` rationals and scientific notation
within fixed limits and raises :class:`NumberTooLarge` (a ``ValueError``
with a readable reason) otherwise -- before any big arithmetic starts.
"""

from __future__ import annotations

import re
from fractions import Fraction

MAX_DIGITS = 4000  # digits of a mantissa, numerator or denominator
MAX_EXPONENT = 4000  # |e| in scientific notation

_DEC = re.compile(r"\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*")
_RAT = re.compile(r"\s*([+-]?\d+)\s*/\s*([+-]?\d+)\s*")


class NumberTooLarge(ValueError):
    """A number beyond the limits (the message says which)."""


def parse_exact(text: str) -> Fraction:
    """The exact value of ``text``; ValueError if it is not a number,
    :class:`NumberTooLarge` if it is beyond the limits, ZeroDivisionError for
    ``p/0``."""
    if len(text) > 4 * MAX_DIGITS + 64:
        raise NumberTooLarge(f"a number of {len(text):,} characters (the limit is {MAX_DIGITS:,} digits)")
    m = _RAT.fullmatch(text)
    if m:
        a, b = m.group(1), m.group(2)
        if len(a.lstrip("+-")) > MAX_DIGITS or len(b.lstrip("+-")) > MAX_DIGITS:
            raise NumberTooLarge(f"more than {MAX_DIGITS:,} digits")
        return Fraction(int(a), int(b))
    m = _DEC.fullmatch(text)
    if not m or not (m.group(2) or m.group(3)):
        raise ValueError(f"not a number: {text[:40]!r}")
    sign, whole, frac, exp = m.group(1), m.group(2) or "", m.group(3) or "", m.group(4)
    if exp is not None and len(exp.lstrip("+-").lstrip("0")) > 6:
        raise NumberTooLarge(f"exponent {exp[:20]} is beyond +-{MAX_EXPONENT}")
    e = int(exp) if exp else 0
    if abs(e) > MAX_EXPONENT:
        raise NumberTooLarge(f"exponent {e} is beyond +-{MAX_EXPONENT}")
    digits = (whole + frac).lstrip("0") or "0"
    if len(digits) > MAX_DIGITS:
        raise NumberTooLarge(f"more than {MAX_DIGITS:,} digits")
    value = Fraction(int(whole + frac or "0"), 10 ** len(frac))
    if e:
        value *= Fraction(10) ** e
    return -value if sign == "-" else value
