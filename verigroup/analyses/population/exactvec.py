"""Exact evaluation of count expressions over many count states at once.

A number is a pair of integer arrays ``num / den`` (``den > 0``), int64
while every intermediate provably fits (magnitudes are bounded before each
product and sum) and Python-int ``object`` arrays otherwise, so no value is
ever rounded.  A division by a value that is zero in some states marks those
states *undefined*; they only matter where the value is used (a branch of
``if`` not taken does not count), and :func:`evaluate` reports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping, Sequence

import numpy as np

from verigroup.model import counting as Q

LIMIT = 2**62


@dataclass
class Num:
    num: np.ndarray
    den: np.ndarray
    bad: np.ndarray | None = None


Counts = Mapping[str, Sequence[np.ndarray]]


def _mag(a: np.ndarray) -> int:
    if a.size == 0:
        return 0
    if a.dtype == object:
        return max(abs(int(x)) for x in a.flat)
    return max(abs(int(a.max())), abs(int(a.min())))


def _obj(a: np.ndarray) -> np.ndarray:
    return a if a.dtype == object else a.astype(object)


def _mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype != object and b.dtype != object and _mag(a) * _mag(b) < LIMIT:
        return a * b
    return _obj(a) * _obj(b)


def _add(a: np.ndarray, b: np.ndarray, sub: bool = False) -> np.ndarray:
    if a.dtype != object and b.dtype != object and _mag(a) + _mag(b) < LIMIT:
        return a - b if sub else a + b
    return _obj(a) - _obj(b) if sub else _obj(a) + _obj(b)


def _int(v: int) -> np.ndarray:
    return np.array(v, dtype=np.int64) if abs(v) < LIMIT else np.array(v, dtype=object)


def _const(x: Fraction) -> Num:
    return Num(_int(x.numerator), _int(x.denominator))


def _bad(*xs: np.ndarray | None) -> np.ndarray | None:
    out = None
    for x in xs:
        if x is not None:
            out = x if out is None else (out | x)
    return out


class Evaluator:
    """Evaluate count expressions at the count states ``counts`` (one array
    per action of each family, all of one length or 0-d), with parameter
    values ``params``."""

    def __init__(self, counts: Counts, params: Mapping[str, Fraction], length: int) -> None:
        self.counts = counts
        self.params = params
        self.length = length
        self.memo: dict[int, Any] = {}

    def num(self, e: Q.CExpr) -> Num:
        r = self.ev(e)
        if not isinstance(r, Num):
            raise TypeError("expected a number")
        return r

    def boolean(self, e: Q.CExpr) -> tuple[np.ndarray, np.ndarray | None]:
        r = self.ev(e)
        if isinstance(r, Num):
            raise TypeError("expected a condition")
        return r

    def ev(self, e: Q.CExpr) -> Any:
        key = id(e)
        if key not in self.memo:
            self.memo[key] = (e, self._ev(e))  # keep e alive so ids stay unique
        return self.memo[key][1]

    def _ev(self, e: Q.CExpr) -> Any:
        if isinstance(e, Q.C):
            if isinstance(e.value, bool):
                return (np.array(e.value), None)
            return _const(Fraction(e.value))
        if isinstance(e, Q.P):
            return _const(self.params[e.name])
        if isinstance(e, Q.K):
            return Num(self.counts[e.fam][e.act], _int(1))
        if isinstance(e, Q.Neg):
            a = self.num(e.operand)
            return Num(_add(_int(0), a.num, sub=True), a.den, a.bad)
        if isinstance(e, Q.Bin):
            return self._bin(e)
        if isinstance(e, Q.Cmp):
            a, b = self.ev(e.left), self.ev(e.right)
            if not isinstance(a, Num):
                av, bv = a[0], b[0]
                res = (av == bv) if e.op == "==" else (av != bv)
                return (res, _bad(a[1], b[1]))
            x, y = _mul(a.num, b.den), _mul(b.num, a.den)
            ops = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal,
                   ">": np.greater, ">=": np.greater_equal}
            return (np.asarray(ops[e.op](x, y), dtype=bool), _bad(a.bad, b.bad))
        if isinstance(e, Q.Lg):
            la, lb = self.boolean(e.left), self.boolean(e.right)
            return ((la[0] & lb[0]) if e.op == "and" else (la[0] | lb[0]), _bad(la[1], lb[1]))
        if isinstance(e, Q.Nt):
            na = self.boolean(e.operand)
            return (~na[0], na[1])
        if isinstance(e, Q.Ite):
            c, cb = self.boolean(e.cond)
            t, f = self.ev(e.then), self.ev(e.otherwise)
            if not isinstance(t, Num):
                bad = _select_bad(c, t[1], f[1])
                return (np.where(c, t[0], f[0]), _bad(cb, bad))
            return self._where(c, t, f, cb)
        if isinstance(e, Q.Fn):
            args = [self.num(a) for a in e.args]
            if e.fn == "abs":
                a = args[0]
                return Num(np.where(a.num < 0, -_obj(a.num) if a.num.dtype == object else -a.num, a.num),
                           a.den, a.bad)
            acc = args[0]
            for b in args[1:]:
                less = self._lt(b, acc) if e.fn == "min" else self._lt(acc, b)
                acc = self._where(less, b, acc, None)
            return acc
        if isinstance(e, Q.Present):
            acc_v: Num | None = None
            have = np.zeros(self.length, dtype=bool)
            for w, v in e.items:
                wc, wb = self.boolean(w)
                val = self.num(v)
                if acc_v is None:
                    acc_v, have = val, np.broadcast_to(wc, (self.length,)).copy()
                    continue
                better = self._lt(val, acc_v) if e.fn == "min" else self._lt(acc_v, val)
                take = wc & (~have | better)
                acc_v = self._where(take, val, acc_v, None)
                have = have | wc
            assert acc_v is not None
            empty = ~np.broadcast_to(have, (self.length,))
            return Num(acc_v.num, acc_v.den, _bad(acc_v.bad, empty if empty.any() else None))
        raise TypeError(f"unknown count expression {type(e).__name__}")

    def _lt(self, a: Num, b: Num) -> np.ndarray:
        return np.asarray(_mul(a.num, b.den) < _mul(b.num, a.den), dtype=bool)

    def _where(self, c: np.ndarray, t: Num, f: Num, cb: np.ndarray | None) -> Num:
        num = np.where(c, _mul(t.num, f.den), _mul(f.num, t.den))
        den = _mul(t.den, f.den)
        if num.dtype == object or den.dtype == object:
            num, den = _obj(np.asarray(num)), _obj(np.asarray(den))
        return Num(np.asarray(num), np.asarray(den), _bad(cb, _select_bad(c, t.bad, f.bad)))

    def _bin(self, e: Q.Bin) -> Num:
        a, b = self.num(e.left), self.num(e.right)
        bad = _bad(a.bad, b.bad)
        if e.op in ("+", "-"):
            if b.den.ndim == 0 and a.den.ndim == 0 and int(a.den) == int(b.den):
                return Num(_add(a.num, b.num, e.op == "-"), a.den, bad)
            return Num(_add(_mul(a.num, b.den), _mul(b.num, a.den), e.op == "-"), _mul(a.den, b.den), bad)
        if e.op == "*":
            return Num(_mul(a.num, b.num), _mul(a.den, b.den), bad)
        if e.op == "/":
            zero = b.num == 0
            sign = np.where(b.num < 0, -1, 1)
            bn = np.where(zero, 1, b.num)
            absn = np.where(np.asarray(bn) < 0, -_obj(np.asarray(bn)) if np.asarray(bn).dtype == object
                            else -np.asarray(bn), bn)
            num = _mul(_mul(a.num, b.den), np.asarray(sign))
            den = _mul(a.den, np.asarray(absn))
            if np.asarray(zero).any():
                z = np.broadcast_to(np.asarray(zero), (self.length,)).copy()
                bad = _bad(bad, z)
            return Num(num, den, bad)
        if e.op == "^":
            if not isinstance(e.right, Q.C):
                raise TypeError("exponent must be constant")
            k = int(Fraction(e.right.value))  # type: ignore[arg-type]
            acc = Num(_int(1), _int(1))
            for _ in range(abs(k)):
                acc = Num(_mul(acc.num, a.num), _mul(acc.den, a.den), bad)
            if k < 0:
                return _recip(acc, self.length)
            return acc
        raise TypeError(f"unknown operator {e.op}")


def _recip(a: Num, length: int) -> Num:
    zero = np.asarray(a.num == 0)
    n = np.where(zero, 1, a.num)
    sign = np.where(np.asarray(n) < 0, -1, 1)
    num = _mul(np.asarray(a.den), np.asarray(sign))
    den = _mul(np.asarray(n), np.asarray(sign))
    bad = a.bad
    if zero.any():
        bad = _bad(bad, np.broadcast_to(zero, (length,)).copy())
    return Num(num, den, bad)


def _select_bad(c: np.ndarray, t: np.ndarray | None, f: np.ndarray | None) -> np.ndarray | None:
    if t is None and f is None:
        return None
    tb = t if t is not None else np.array(False)
    fb = f if f is not None else np.array(False)
    return np.asarray(np.where(c, tb, fb), dtype=bool)


def full(x: np.ndarray, length: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(x), (length,))


def fraction_at(v: Num, i: int) -> Fraction:
    num = v.num if v.num.ndim == 0 else v.num[i]
    den = v.den if v.den.ndim == 0 else v.den[i]
    return Fraction(int(num), int(den))


def scalar(e: Q.CExpr, counts: Mapping[str, Sequence[int]], params: Mapping[str, Fraction]) -> Fraction | bool:
    """Evaluate at one count state (exact)."""
    arrs = {f: [np.array([c], dtype=np.int64) for c in cs] for f, cs in counts.items()}
    ev = Evaluator(arrs, params, 1)
    r = ev.ev(e)
    if isinstance(r, Num):
        if r.bad is not None and bool(full(r.bad, 1)[0]):
            raise ZeroDivisionError("division by zero at this count state")
        return fraction_at(r, 0)
    return bool(full(r[0], 1)[0])
