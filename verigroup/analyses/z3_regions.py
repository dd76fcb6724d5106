"""Region algebra: the exact set of parameter values where a quantifier-free
formula in one parameter ``r`` holds, as a union of intervals (formulas whose
atoms are piecewise linear in ``r``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import z3

from verigroup.analyses.registry import Context
from verigroup.backends.z3 import (
    Z3Encoding, Z3Walker, all_guards, as_bool, as_fraction, back_params, back_profile, rv, to_z3,
)
from verigroup.diagnostics import SpecError
from verigroup.model import expr as E
from verigroup.model.properties import (
    Claim, Concept, Dominant, Existence, IsEquilibrium, MetricAt, MetricExtreme, PayoffAt,
    Quantified, Quantifier, Strength,
)
from verigroup.verdicts import Equilibrium, PropertyResult, Verdict, q
from verigroup.analyses.z3_common import (  # noqa: F401
    _Unsupported,
)

# ------------------------------------------------------ region algebra


@dataclass(frozen=True)
class Interval:
    lo: Fraction
    hi: Fraction
    lo_closed: bool = True
    hi_closed: bool = True


def _lin(t: z3.ExprRef, r: z3.ArithRef, cap: int = 256) -> list[tuple[Fraction, Fraction]] | None:
    """The affine pieces ``a*r + b`` a piecewise-linear term can take (None:
    not piecewise linear in ``r``)."""
    f = as_fraction(t) if (z3.is_rational_value(t) or z3.is_int_value(t)) else None
    if f is not None:
        return [(Fraction(0), f)]
    if t.eq(r):
        return [(Fraction(1), Fraction(0))]
    if not z3.is_app(t):
        return None
    k = t.decl().kind()
    args = [t.arg(i) for i in range(t.num_args())]
    if k == z3.Z3_OP_TO_REAL:
        return _lin(args[0], r, cap)
    if k == z3.Z3_OP_ITE:
        a, b = _lin(args[1], r, cap), _lin(args[2], r, cap)
        return None if a is None or b is None or len(a) + len(b) > cap else list(set(a + b))
    if k == z3.Z3_OP_UMINUS:
        a = _lin(args[0], r, cap)
        return None if a is None else [(-p, -c) for p, c in a]
    if k in (z3.Z3_OP_ADD, z3.Z3_OP_SUB, z3.Z3_OP_MUL, z3.Z3_OP_DIV):
        parts = [_lin(x, r, cap) for x in args]
        if any(p is None for p in parts):
            return None
        acc = parts[0]
        assert acc is not None
        for p in parts[1:]:
            assert p is not None
            nxt: set[tuple[Fraction, Fraction]] = set()
            for a1, b1 in acc:
                for a2, b2 in p:
                    if k == z3.Z3_OP_ADD:
                        nxt.add((a1 + a2, b1 + b2))
                    elif k == z3.Z3_OP_SUB:
                        nxt.add((a1 - a2, b1 - b2))
                    elif k == z3.Z3_OP_MUL:
                        if a1 != 0 and a2 != 0:
                            return None
                        nxt.add((a1 * b2 + a2 * b1, b1 * b2))
                    else:
                        if a2 != 0 or b2 == 0:
                            return None
                        nxt.add((a1 / b2, b1 / b2))
            if len(nxt) > cap:
                return None
            acc = list(nxt)
        return acc
    return None


_CMP = (z3.Z3_OP_LE, z3.Z3_OP_GE, z3.Z3_OP_LT, z3.Z3_OP_GT, z3.Z3_OP_EQ, z3.Z3_OP_DISTINCT)


def _roots(f: z3.ExprRef, r: z3.ArithRef) -> set[Fraction] | None:
    """Every point where an atom of ``f`` may change truth (None: not
    piecewise linear in ``r``, or quantified)."""
    out: set[Fraction] = set()
    seen: set[int] = set()
    stack = [f]
    while stack:
        t = stack.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_quantifier(t):
            return None
        if not z3.is_app(t):
            continue
        args = [t.arg(i) for i in range(t.num_args())]
        if t.decl().kind() in _CMP and args and z3.is_arith(args[0]):
            for i in range(1, len(args)):
                pieces = _lin(args[0] - args[i], r)
                if pieces is None:
                    return None
                out.update(-b / a for a, b in pieces if a != 0)
        stack.extend(args)
    return out


def _truth(f: z3.ExprRef, r: z3.ArithRef, v: Fraction) -> bool:
    b = as_bool(z3.substitute(f, (r, rv(v))))
    if b is None:
        raise _Unsupported("region formula is not closed")
    return b


def region_of(holds: z3.BoolRef, r: z3.ArithRef, lo: Fraction, hi: Fraction) -> list[Interval] | None:
    """The exact set of ``r`` in ``[lo, hi]`` where ``holds`` is true, as
    disjoint intervals (None when ``holds`` is not piecewise linear in r)."""
    roots = _roots(holds, r)
    if roots is None:
        return None
    pts = sorted({lo, hi} | {x for x in roots if lo < x < hi})
    # Elementary pieces: each point, and each open gap between points.
    pieces: list[tuple[Fraction, Fraction, bool]] = []
    for i, p in enumerate(pts):
        pieces.append((p, p, _truth(holds, r, p)))
        if i + 1 < len(pts):
            pieces.append((p, pts[i + 1], _truth(holds, r, (p + pts[i + 1]) / 2)))
    out: list[Interval] = []
    cur: list[Any] | None = None  # [lo, hi, lo_closed, hi_closed]
    for a, b, ok in pieces:
        point = a == b
        if ok:
            if cur is None:
                cur = [a, b, point, point]
            else:
                cur[1], cur[3] = b, point
        elif cur is not None:
            out.append(Interval(cur[0], cur[1], cur[2], cur[3]))
            cur = None
    if cur is not None:
        out.append(Interval(cur[0], cur[1], cur[2], cur[3]))
    return out


def region_json(intervals: Sequence[Interval]) -> dict[str, Any]:
    return {"region": [[q(i.lo), q(i.hi)] for i in intervals],
            "closed": [[i.lo_closed, i.hi_closed] for i in intervals]}
