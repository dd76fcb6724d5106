"""Exact rational arrays for the vectorised evaluator.

A :class:`Rat` is a pair of integer arrays ``num / den`` (``den > 0``),
broadcastable to the game's shape: a value that varies only along agent
``j``'s axis has size 1 on every other axis.  The arrays are ``int64`` when
the tracked magnitude bounds prove every intermediate product fits in 63 bits
and ``object`` arrays of Python ints otherwise, so no operation can overflow.

Bounds are the true maxima of ``|num|`` and ``den`` (recomputed after every
operation); before an operation the worst-case magnitude of its result is
predicted from the operands' bounds, and the operation runs on ``object``
arrays when the prediction exceeds :data:`LIMIT`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

# Largest magnitude an int64 intermediate may reach (leaves one bit of slack).
LIMIT = 2**62


@dataclass(frozen=True, eq=False)
class Rat:
    """``num / den`` elementwise; ``den`` is positive.  ``nb`` bounds
    ``|num|`` and ``db`` bounds ``den`` (both exact maxima)."""

    num: np.ndarray
    den: np.ndarray
    nb: int
    db: int

    @property
    def is_const(self) -> bool:
        return self.num.size == 1 and self.den.size == 1

    def const_value(self) -> Fraction:
        return Fraction(int(self.num.flat[0]), int(self.den.flat[0]))


def _amax(a: np.ndarray) -> int:
    if a.size == 0:
        return 0
    return int(np.abs(a).max())


def _as(a: np.ndarray, obj: bool) -> np.ndarray:
    if obj:
        return a if a.dtype == object else a.astype(object)
    return a if a.dtype == np.int64 else a.astype(np.int64)


def _ones(ndim: int) -> np.ndarray:
    return np.ones((1,) * ndim, dtype=np.int64)


def const(x: Fraction | int, ndim: int) -> Rat:
    f = Fraction(x)
    obj = abs(f.numerator) > LIMIT or f.denominator > LIMIT
    dt: Any = object if obj else np.int64
    num = np.empty((1,) * ndim, dtype=dt)
    den = np.empty((1,) * ndim, dtype=dt)
    num.flat[0] = f.numerator
    den.flat[0] = f.denominator
    return Rat(num, den, abs(f.numerator), f.denominator)


def from_int_array(a: np.ndarray) -> Rat:
    """An integer (or bool) array as a Rat with denominator 1."""
    if a.dtype == bool:
        a = a.astype(np.int64)
    return _finish(a, _ones(a.ndim), reduce=False)


def _finish(num: np.ndarray, den: np.ndarray, reduce: bool = True) -> Rat:
    """Reduce by gcd, recompute bounds, and go back to int64 when it fits."""
    db = _amax(den)
    if reduce and db != 1:
        if den.size == 1:
            d = int(den.flat[0])
            g = math.gcd(d, int(np.gcd.reduce(num.ravel()))) if num.size else d
            if g > 1:
                num = num // g
                den = den // g
        else:
            g_arr = np.gcd(num, den)
            num = num // g_arr
            den = den // g_arr
        db = _amax(den)
    nb = _amax(num)
    if (num.dtype == object or den.dtype == object) and nb <= LIMIT and db <= LIMIT:
        num = num.astype(np.int64)
        den = den.astype(np.int64)
    elif num.dtype != den.dtype:
        num, den = _as(num, True), _as(den, True)
    return Rat(num, den, nb, db)


def _big(a: Rat, b: Rat) -> bool:
    """An operand itself beyond int64: the operation must run on Python ints
    even when the predicted result is small (``0 * 2^63``)."""
    return a.nb > LIMIT or b.nb > LIMIT or a.db > LIMIT or b.db > LIMIT


def neg(a: Rat) -> Rat:
    return Rat(-a.num, a.den, a.nb, a.db)


def absolute(a: Rat) -> Rat:
    return Rat(np.abs(a.num), a.den, a.nb, a.db)


def add(a: Rat, b: Rat) -> Rat:
    if a.db == 1 and b.db == 1:
        obj = a.nb + b.nb > LIMIT
        return _finish(_as(a.num, obj) + _as(b.num, obj), _as(_ones(a.num.ndim), obj), reduce=False)
    if a.den.size == 1 and b.den.size == 1 and int(a.den.flat[0]) == int(b.den.flat[0]):
        obj = a.nb + b.nb > LIMIT
        return _finish(_as(a.num, obj) + _as(b.num, obj), _as(a.den, obj))
    obj = a.nb * b.db + b.nb * a.db > LIMIT or a.db * b.db > LIMIT or _big(a, b)
    an, ad, bn, bd = _as(a.num, obj), _as(a.den, obj), _as(b.num, obj), _as(b.den, obj)
    return _finish(an * bd + bn * ad, ad * bd)


def sub(a: Rat, b: Rat) -> Rat:
    return add(a, neg(b))


def mul(a: Rat, b: Rat) -> Rat:
    obj = a.nb * b.nb > LIMIT or a.db * b.db > LIMIT or _big(a, b)
    num = _as(a.num, obj) * _as(b.num, obj)
    if a.db == 1 and b.db == 1:
        return _finish(num, _as(_ones(num.ndim), obj), reduce=False)
    return _finish(num, _as(a.den, obj) * _as(b.den, obj))


def div(a: Rat, b: Rat) -> Rat:
    """``a / b`` where ``b.num`` is nonzero wherever the result matters; the
    caller has checked that and zero entries are replaced by 1 here."""
    obj = a.nb * b.db > LIMIT or a.db * b.nb > LIMIT or _big(a, b)
    bn = _as(b.num, obj)
    zero = bn == 0
    if zero.any():
        bn = np.where(zero, 1, bn)
        if obj:
            bn = bn.astype(object)
    sign = np.where(bn < 0, -1, 1)
    num = _as(a.num, obj) * _as(b.den, obj) * _as(sign, obj)
    den = _as(a.den, obj) * np.abs(bn)
    return _finish(num, den)


def power(a: Rat, e: int) -> Rat:
    """``a ** e`` for an integer ``e`` (negative: the caller checked a != 0)."""
    if e < 0:
        a = div(const(1, a.num.ndim), a)
        e = -e
    result = const(1, a.num.ndim)
    base = a
    while e:
        if e & 1:
            result = mul(result, base)
        e >>= 1
        if e:
            base = mul(base, base)
    return result


def compare(a: Rat, b: Rat, op: str) -> np.ndarray:
    if a.db == 1 and b.db == 1:
        obj = a.num.dtype == object or b.num.dtype == object
        lhs, rhs = _as(a.num, obj), _as(b.num, obj)
    else:
        obj = a.nb * b.db > LIMIT or b.nb * a.db > LIMIT or _big(a, b)
        lhs = _as(a.num, obj) * _as(b.den, obj)
        rhs = _as(b.num, obj) * _as(a.den, obj)
    if op == "==":
        r = lhs == rhs
    elif op == "!=":
        r = lhs != rhs
    elif op == "<":
        r = lhs < rhs
    elif op == "<=":
        r = lhs <= rhs
    elif op == ">":
        r = lhs > rhs
    elif op == ">=":
        r = lhs >= rhs
    else:  # pragma: no cover - the IR type forbids it
        raise ValueError(op)
    return np.asarray(r, dtype=bool)


def where(c: np.ndarray, a: Rat, b: Rat) -> Rat:
    obj = a.num.dtype == object or b.num.dtype == object
    num = np.where(c, _as(a.num, obj), _as(b.num, obj))
    den = np.where(c, _as(a.den, obj), _as(b.den, obj))
    if obj:
        num, den = num.astype(object), den.astype(object)
    return _finish(num, den, reduce=False)


def minimum(a: Rat, b: Rat) -> Rat:
    return where(compare(a, b, "<="), a, b)


def maximum(a: Rat, b: Rat) -> Rat:
    return where(compare(a, b, ">="), a, b)


def first_true(mask: np.ndarray) -> tuple[int, ...] | None:
    """Index (in ``mask``'s own, possibly broadcast, shape) of the first True
    in C order, which is the lexicographically first full profile."""
    if not mask.any():
        return None
    return tuple(int(i) for i in np.argwhere(mask)[0])
