"""Is a payoff affine in one parameter?  A syntactic proof over the IR.

The ``param:NAME`` lever treats the spec's own parameter as the unknown;
its interval method needs every payoff to be ``A + theta * D`` exactly.
:func:`degree` bounds the polynomial degree of an expression in the
parameter: constants and actions 0, the parameter 1, sums the max,
products the sum, a quotient its numerator's degree when the denominator
does not mention the parameter; anything else that mentions it (a
comparison, ``min``/``max``/``abs``, a power, a condition on it) is
"not affine" (``INF``).  Payoffs of other agents and metrics are followed.
"""

from __future__ import annotations

from typing import Any

from verigroup.model import expr as X
from verigroup.model.model import Model

INF = 10**6


def degree(e: Any, name: str, model: Model, depth: int = 0) -> int:
    if depth > 200:
        return INF
    if isinstance(e, X.ParamRef):
        return 1 if e.name == name else 0
    if isinstance(e, (X.Num, X.BoolConst, X.IndexVar, X.ActionIs, X.SameAction, X.MoveIs, X.StateRef)):
        return 0
    if isinstance(e, X.Neg):
        return degree(e.operand, name, model, depth + 1)
    if isinstance(e, X.Arith):
        a, b = degree(e.left, name, model, depth + 1), degree(e.right, name, model, depth + 1)
        if e.op in ("+", "-"):
            return max(a, b)
        if e.op == "*":
            return min(INF, a + b)
        if e.op == "/":
            return a if b == 0 else INF
        return 0 if a == 0 and b == 0 else INF
    if isinstance(e, X.Cond):
        if degree(e.cond, name, model, depth + 1) != 0:
            return INF
        return max(degree(e.then, name, model, depth + 1), degree(e.otherwise, name, model, depth + 1))
    if isinstance(e, X.Aggregate):
        inner = [degree(x, name, model, depth + 1) for x in (e.lo, e.hi) + ((e.filter,) if e.filter else ())]
        body = degree(e.body, name, model, depth + 1)
        if any(d != 0 for d in inner):
            return INF
        if e.kind == "sum":
            return body
        return 0 if body == 0 else INF
    if isinstance(e, X.PayoffOf):
        if e.agent.index is not None and degree(e.agent.index, name, model, depth + 1) != 0:
            return INF
        return max((degree(a.payoff, name, model, depth + 1) for a in model.agents
                    if a.family == e.agent.family), default=0)
    if isinstance(e, X.MetricOf):
        m = model.metrics.get(e.name)
        return INF if m is None else degree(m.expr, name, model, depth + 1)
    # Not, Compare, Logic, Call and anything new: constant only if the
    # parameter does not occur below it (following metrics and payoffs).
    return 0 if not _mentions(e, name, model, set()) else INF


def _mentions(e: Any, name: str, model: Model, seen: set[str]) -> bool:
    """Does the parameter occur in ``e``, or in a metric or payoff that
    ``e`` reads?  ``seen`` cuts cycles (a metric read twice is one read)."""
    import dataclasses

    if isinstance(e, X.ParamRef):
        return e.name == name
    if isinstance(e, X.MetricOf):
        key = "metric:" + e.name
        m = model.metrics.get(e.name)
        if m is None:
            return True   # unknown: conservatively, it may depend on it
        if key in seen:
            return False
        seen.add(key)
        return _mentions(m.expr, name, model, seen)
    if isinstance(e, X.PayoffOf):
        if e.agent.index is not None and _mentions(e.agent.index, name, model, seen):
            return True
        key = "payoff:" + e.agent.family
        if key in seen:
            return False
        seen.add(key)
        return any(_mentions(a.payoff, name, model, seen) for a in model.agents if a.family == e.agent.family)
    if dataclasses.is_dataclass(e) and not isinstance(e, type):
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            for x in (v if isinstance(v, tuple) else (v,)):
                if _mentions(x, name, model, seen):
                    return True
    return False


def affine_in(model: Model, name: str) -> bool:
    return all(degree(a.payoff, name, model) <= 1 for a in model.agents)
