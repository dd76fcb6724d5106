"""Constant folding over the IR: an expression of numbers, params and
bound index values to a rational (or a condition to a bool), or None when
it is not constant.  Used by the resolver (params, ranges, conditions)
and by the counted compiler (aggregate ranges); it lives beside the IR so
neither has to import the other.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.model import expr as X
from verigroup.model.arith import exact_arith

def const_value(e: Any, params: dict[str, Fraction], env: dict[str, int] | None = None,
                allow_params: bool = True) -> Fraction | None:
    """Fold an arithmetic expression of numbers (and params, and bound index
    values in ``env``) to a rational, or None when it is not constant (or
    divides by zero: the caller reports that separately)."""
    if isinstance(e, X.Num):
        return e.value
    if isinstance(e, X.ParamRef):
        return params.get(e.name) if allow_params else None
    if isinstance(e, X.IndexVar):
        if env is not None and e.name in env:
            return Fraction(env[e.name])
        return None
    if isinstance(e, X.Neg):
        v = const_value(e.operand, params, env, allow_params)
        return None if v is None else -v
    if isinstance(e, X.Arith):
        a = const_value(e.left, params, env, allow_params)
        b = const_value(e.right, params, env, allow_params)
        if a is None or b is None or (e.op == "^" and (b.denominator != 1 or abs(b) > 64)):
            return None
        return exact_arith(e.op, a, b)
    if isinstance(e, X.Cond):
        c = const_bool(e.cond, params, env, allow_params)
        return None if c is None else const_value(e.then if c else e.otherwise, params, env, allow_params)
    if isinstance(e, X.Aggregate) and e.kind in ("sum", "product", "min", "max", "count"):
        return _const_aggregate(e, params, env, allow_params)
    if isinstance(e, X.Call):
        vals = [const_value(x, params, env, allow_params) for x in e.args]
        if any(v is None for v in vals) or not vals:
            return None
        nums = [v for v in vals if v is not None]
        if e.fn == "min":
            return min(nums)
        if e.fn == "max":
            return max(nums)
        return abs(nums[0])
    return None


# ---- constant aggregates (issue 8): ``param H = sum(i in 1..k: 1/i)``

CONST_AGGREGATE_LIMIT = 10_000  # terms folded per constant aggregate (the resolver refuses more)


def const_bool(e: Any, params: dict[str, Fraction], env: dict[str, int] | None = None,
               allow_params: bool = True) -> bool | None:
    """Fold a condition of constants (a filter, an ``if``) or None."""
    if isinstance(e, X.BoolConst):
        return e.value
    if isinstance(e, X.Not):
        v = const_bool(e.operand, params, env, allow_params)
        return None if v is None else not v
    if isinstance(e, X.Logic):
        a = const_bool(e.left, params, env, allow_params)
        b = const_bool(e.right, params, env, allow_params)
        if a is None or b is None:
            return None
        return (a and b) if e.op == "and" else (a or b)
    if isinstance(e, X.Compare):
        x = const_value(e.left, params, env, allow_params)
        y = const_value(e.right, params, env, allow_params)
        if x is None or y is None:
            return None
        return {"==": x == y, "!=": x != y, "<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[e.op]
    return None


def _const_aggregate(e: X.Aggregate, params: dict[str, Fraction], env: dict[str, int] | None,
                     allow_params: bool) -> Fraction | None:
    lo = const_value(e.lo, params, env, allow_params)
    hi = const_value(e.hi, params, env, allow_params)
    if lo is None or hi is None or lo.denominator != 1 or hi.denominator != 1:
        return None
    if hi - lo + 1 > CONST_AGGREGATE_LIMIT:
        return None
    vals: list[Fraction] = []
    for i in range(int(lo), int(hi) + 1):
        inner = dict(env or {})
        inner[e.var] = i
        if e.filter is not None:
            keep = const_bool(e.filter, params, inner, allow_params)
            if keep is None:
                return None
            if not keep:
                continue
        if e.kind == "count":
            b = const_bool(e.body, params, inner, allow_params)
            if b is None:
                return None
            vals.append(Fraction(int(b)))
            continue
        v = const_value(e.body, params, inner, allow_params)
        if v is None:
            return None
        vals.append(v)
    if e.kind in ("sum", "count"):
        return sum(vals, Fraction(0))
    if e.kind == "product":
        out = Fraction(1)
        for v in vals:
            out *= v
        return out
    if not vals:
        return None  # min/max of an empty range is undefined
    return min(vals) if e.kind == "min" else max(vals)
