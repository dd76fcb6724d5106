"""``value(AGENT) OP BOUND`` properties and ``curve`` statements (issue 14),
resolved to :class:`~verigroup.model.properties.ValueBound` and
:class:`~verigroup.model.properties.CurveSpec`.

In a property, ``value(AGENT)`` is the exact value of the two-agent
constant-sum game for AGENT (in payoffs and metrics it stays the value of
the action the agent plays).  A curve's series are ``value(AGENT)`` or
expressions of params; the expressions are folded here, at the params of
this resolution, so each point of a curve (a fresh resolution with the
curve's param set) carries its own numbers.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping

from verigroup.diagnostics import Span
from verigroup.model import properties as P
from verigroup.resolve.context import Ctx, const_value
from verigroup.resolve.exprs import ExprResolver
from verigroup.syntax import ast as A

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
#: Most points one curve may have (each is a fresh exact solve).
MAX_POINTS = 200


def _is_value(e: A.Expr) -> bool:
    return isinstance(e, A.ECall) and e.fn == "value"


def value_comparison(e: A.Expr) -> bool:
    """Is ``e`` ``value(AGENT) OP BOUND`` (either way round)?"""
    return isinstance(e, A.EBinary) and e.op in _FLIP and (_is_value(e.left) or _is_value(e.right))


def _agent(ctx: Ctx, call: A.ECall) -> str | None:
    if len(call.args) != 1 or not isinstance(call.args[0], A.EName):
        ctx.error("E103", "value(...) takes one agent: value(monitor)", call.span)
        return None
    name = call.args[0].name
    if name not in ctx.agent_names:
        from verigroup.diagnostics import did_you_mean

        ctx.error("E101", f"`{name}` is not a single agent", call.args[0].span,
                  did_you_mean(name, ctx.agent_names) or "value(...) names one of the two agents")
        return None
    return name


def _const(ctx: Ctx, e: A.Expr, what: str) -> Fraction | None:
    ir = ExprResolver(ctx, "const").number(e, frozenset(), what)
    if ir is None:
        return None
    v = const_value(ir, ctx.param_values())
    if v is None:
        ctx.error("E107", f"{what} must be a constant (numbers and params)", getattr(e, "span", Span("", 0, 0)))
    return v


def resolve(ctx: Ctx, d: A.PropertyDecl, b: A.PTerm, e: A.Expr, region: Any) -> Any:
    assert isinstance(e, A.EBinary)
    if b.strength is not None or b.forall is not None:
        ctx.error("E110", "`value(...)` comparisons take no `strictly`/`weakly` or `for all`", b.span)
        return None
    left, right, op = e.left, e.right, e.op
    if not _is_value(left):
        left, right, op = right, left, _FLIP[op]
    assert isinstance(left, A.ECall)
    if _is_value(right):
        ctx.error("E110", "compare value(...) with a constant, not with another value(...)", right.span)
        return None
    agent = _agent(ctx, left)
    bound = _const(ctx, right, "the bound of value(...)")
    if agent is None or bound is None:
        return None
    return P.ValueBound(d.name, agent, op, bound, d.span, region)


# ------------------------------------------------------------ curves


def _require(ctx: Ctx, e: A.Expr, names: set[str], param: str) -> Any:
    """The ``require`` condition as a small tree: ``("num", q)``,
    ``("var", name)``, ``(op, left, right)``, ``("not", x)``; names are the
    series and the curve's param; other params are folded."""
    if isinstance(e, A.EName):
        if e.name in names or e.name == param:
            return ("var", e.name)
        if e.name in ctx.params:
            return ("num", ctx.params[e.name].value)
        from verigroup.diagnostics import did_you_mean

        ctx.error("E101", f"`{e.name}` is not a series of this curve, its param or a param", e.span,
                  did_you_mean(e.name, sorted(names | {param})))
        return None
    if isinstance(e, A.EUnary):
        inner = _require(ctx, e.operand, names, param)
        return None if inner is None else (e.op if e.op != "-" else "neg", inner)
    if isinstance(e, A.EBinary) and e.op in ("+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "and", "or",
                                               "implies"):
        a, b = _require(ctx, e.left, names, param), _require(ctx, e.right, names, param)
        if a is None or b is None:
            return None
        if a[0] == "num" and b[0] == "num" and e.op in ("+", "-", "*", "/") and not (e.op == "/" and b[1] == 0):
            x, y = Fraction(a[1]), Fraction(b[1])
            return ("num", x + y if e.op == "+" else x - y if e.op == "-" else x * y if e.op == "*" else x / y)
        return (e.op, a, b)
    v = _const(ctx, e, "a number in `require`")
    return None if v is None else ("num", v)


def resolve_curve(ctx: Ctx, d: Any, overrides: Mapping[str, str] | None = None) -> Any:
    """A :class:`~verigroup.syntax.ast.CurveDecl` -> CurveSpec; the other
    params' ``overrides`` (``--set``) are kept for every point."""
    ok = True
    if d.param not in ctx.params:
        from verigroup.diagnostics import did_you_mean

        ctx.error("E140", f"curve over `{d.param}`: `{d.param}` is not a param of this spec", d.param_span,
                  did_you_mean(d.param, sorted(ctx.params)) or "declare it: param " + d.param + " = 0")
        ok = False
    elif ctx.params[d.param].structural:
        ctx.error("E140", f"curve over `{d.param}`: `{d.param}` sizes an agent family", d.param_span,
                  "a curve varies a payoff parameter; sweep family sizes with `verigroup sweep`")
        ok = False
    lo = _const(ctx, d.lo, "the start of the curve's range")
    hi = _const(ctx, d.hi, "the end of the curve's range")
    step = _const(ctx, d.step, "the curve's step") if d.step is not None else Fraction(1)
    values: tuple[Fraction, ...] = ()
    if lo is not None and hi is not None and step is not None:
        if step <= 0:
            ctx.error("E140", f"the curve's step must be positive, got {step}", d.step.span,
                      "e.g. step 1/2")
            ok = False
        elif hi < lo:
            ctx.error("E140", f"the curve's range {lo}..{hi} is empty", d.range_span,
                      "write the smaller end first: over c in 0..10")
            ok = False
        else:
            count = (hi - lo) // step + 1
            if count > MAX_POINTS:
                ctx.error("E141", f"the curve has {count:,} points; at most {MAX_POINTS} are computed", d.range_span,
                          "use a larger step")
                ok = False
            else:
                values = tuple(lo + k * step for k in range(int(count)))
    else:
        ok = False
    series: list[tuple[str, tuple[str, Any]]] = []
    seen: set[str] = set()
    for name, expr, span in d.series:
        if name in seen:
            ctx.error("E102", f"the curve names series `{name}` twice", span)
            ok = False
            continue
        seen.add(name)
        if _is_value(expr):
            agent = _agent(ctx, expr)
            if agent is None:
                ok = False
                continue
            series.append((name, ("value", agent)))
            continue
        v = _const(ctx, expr, f"series `{name}` (value(AGENT) or an expression of params)")
        if v is None:
            ok = False
            continue
        series.append((name, ("expr", v)))
    req = None
    if d.require is not None:
        req = _require(ctx, d.require, seen, d.param)
        ok = ok and req is not None
    if not ok:
        return None
    fixed = tuple(sorted((k, str(v)) for k, v in (overrides or {}).items() if k != d.param))
    return P.CurveSpec(d.name, d.param, values, tuple(series), req, d.span, fixed=fixed)
