"""Exact points of a curve: for every value of the curve's param, the spec
is resolved afresh with that param set (``--set c=...``), every
``value(AGENT)`` series is solved exactly
(:mod:`verigroup.analyses.zerosum_value`) and every param-expression series
is the number folded at that point.  Points are computed in order; a
deadline or Ctrl-C keeps the points found so far (``complete`` False,
``reason`` says why)."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from verigroup.model.properties import CurveSpec
from verigroup.runtime import DeadlineExceeded, cancel_reason, cancelled, check_deadline
from verigroup.verdicts import q


@dataclass(frozen=True)
class CurvePoint:
    x: Fraction
    values: tuple[tuple[str, Fraction], ...]
    # per value(AGENT) series: the optimal strategies that certify it
    strategies: tuple[tuple[str, dict[str, Any]], ...] = ()

    def value(self, series: str) -> Fraction:
        return dict(self.values)[series]

    def to_json(self, param: str) -> dict[str, Any]:
        out: dict[str, Any] = {param: q(self.x), "values": {k: q(v) for k, v in self.values}}
        if self.strategies:
            out["strategies"] = {k: v for k, v in self.strategies}
        return out


@dataclass(frozen=True)
class CurveResult:
    name: str
    param: str
    series: tuple[str, ...]
    points: tuple[CurvePoint, ...]
    complete: bool = True
    reason: str = ""
    methods: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "param": self.param, "series": list(self.series),
                "points": [p.to_json(self.param) for p in self.points], "complete": self.complete,
                **({"reason": self.reason} if self.reason else {})}


def point(model: Any, curve: CurveSpec, x: Fraction) -> tuple[CurvePoint, set[str]]:
    """One point, re-resolved from the spec's own text with ``param = x``."""
    from verigroup.analyses.zerosum_value import value_of
    from verigroup.api import parse

    m = parse(model.source, model.path, {**dict(curve.fixed), curve.param: q(x)})
    here = next(p for p in m.properties if isinstance(p, CurveSpec) and p.name == curve.name)
    values: list[tuple[str, Fraction]] = []
    strategies: list[tuple[str, dict[str, Any]]] = []
    methods: set[str] = set()
    for name, (kind, arg) in here.series:
        if kind == "value":
            gv = value_of(m, arg, curve.span)
            values.append((name, gv.value))
            js = gv.to_json()
            strategies.append((name, js.get("strategies") or js.get("optimal_behaviour") or {}))
            methods.add(gv.method)
        else:
            values.append((name, Fraction(arg)))
    return CurvePoint(x, tuple(values), tuple(strategies)), methods


def point_job(item: tuple[str, str, CurveSpec, Fraction, float | None]) -> tuple[str, Any]:
    """One point in a worker (an executor job): re-parse the spec there.
    Returns ``("ok", (point, methods))``, ``("timeout", reason)`` or
    ``("error", rendered diagnostics)``."""
    from verigroup.diagnostics import SpecError
    from verigroup.runtime import deadline

    source, path, curve, x, budget = item

    class _Src:  # what point() reads of a model
        pass

    src = _Src()
    src.source, src.path = source, path  # type: ignore[attr-defined]
    try:
        with deadline(budget):
            return "ok", point(src, curve, x)
    except DeadlineExceeded:
        return "timeout", "timeout"
    except SpecError as exc:
        return "error", exc.render()


def compute_parallel(model: Any, curve: CurveSpec, executor: Any) -> CurveResult:
    """The points through a :mod:`verigroup.runtime.executors` executor (one
    job per point; results kept in the param's order).  A point whose spec
    fails at that value raises its error; a timeout or Ctrl-C keeps the
    points before the first missing one."""
    from verigroup.diagnostics import SpecError
    from verigroup.runtime import remaining

    names = tuple(n for n, _ in curve.series)
    budget = remaining()
    items = [(model.source, model.path, curve, x, budget) for x in curve.values]
    got: dict[int, tuple[CurvePoint, set[str]]] = {}
    why = ""
    try:
        for i, (status, value) in executor.run(point_job, items):
            if cancelled():
                why = cancel_reason() or "interrupted"
                break
            if status != "ok":
                why = f"point {i + 1} lost: {value}"
                continue
            kind, payload = value
            if kind == "error":
                raise SpecError.single("E203", f"at {curve.param} = {q(curve.values[i])}: {payload}", curve.span)
            if kind == "timeout":
                why = why or "timeout"
                continue
            got[i] = payload
    except KeyboardInterrupt:
        why = "interrupted"
    pts: list[CurvePoint] = []
    methods: set[str] = set()
    for i in range(len(curve.values)):
        if i not in got:
            break
        pts.append(got[i][0])
        methods |= got[i][1]
    complete = len(pts) == len(curve.values)
    reason = "" if complete else f"{why or 'incomplete'} after {len(pts)} of {len(curve.values)} points"
    return CurveResult(curve.name, curve.param, names, tuple(pts), complete, reason, tuple(sorted(methods)))


def compute(model: Any, curve: CurveSpec) -> CurveResult:
    pts: list[CurvePoint] = []
    methods: set[str] = set()
    names = tuple(n for n, _ in curve.series)
    for x in curve.values:
        try:
            if cancelled():
                return CurveResult(curve.name, curve.param, names, tuple(pts), False,
                                   f"{cancel_reason() or 'interrupted'} after {len(pts)} of {len(curve.values)} points",
                                   tuple(sorted(methods)))
            check_deadline()
            p, ms = point(model, curve, x)
        except DeadlineExceeded:
            why = cancel_reason() or "timeout"
            return CurveResult(curve.name, curve.param, names, tuple(pts), False,
                               f"{why} after {len(pts)} of {len(curve.values)} points", tuple(sorted(methods)))
        pts.append(p)
        methods |= ms
    return CurveResult(curve.name, curve.param, names, tuple(pts), True, "", tuple(sorted(methods)))


def evaluate(tree: Any, env: dict[str, Fraction]) -> Any:
    """The ``require`` condition (see :func:`verigroup.resolve.valueprops._require`)
    at one point: a Fraction or a bool, exactly."""
    tag = tree[0]
    if tag == "num":
        return Fraction(tree[1])
    if tag == "var":
        return env[tree[1]]
    if tag == "not":
        return not evaluate(tree[1], env)
    if tag == "neg":
        return -evaluate(tree[1], env)
    if tag == "+" and len(tree) == 2:
        return evaluate(tree[1], env)
    a = evaluate(tree[1], env)
    if tag == "and":
        return bool(a) and bool(evaluate(tree[2], env))
    if tag == "or":
        return bool(a) or bool(evaluate(tree[2], env))
    if tag == "implies":
        return (not a) or bool(evaluate(tree[2], env))
    b = evaluate(tree[2], env)
    ops: dict[str, Any] = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                           "/": lambda: a / b if b != 0 else None,
                           "<": lambda: a < b, "<=": lambda: a <= b, ">": lambda: a > b, ">=": lambda: a >= b,
                           "==": lambda: a == b, "!=": lambda: a != b}
    out = ops[tag]()
    if out is None:
        raise ZeroDivisionError("division by zero in `require`")
    return out


def require_text(tree: Any) -> str:
    """The condition written back as text (for reports)."""
    tag = tree[0]
    if tag == "num":
        return q(Fraction(tree[1]))
    if tag == "var":
        return str(tree[1])
    if tag == "not":
        return f"not ({require_text(tree[1])})"
    if tag == "neg":
        return f"-({require_text(tree[1])})"
    if tag in ("and", "or", "implies"):
        return f"({require_text(tree[1])} {tag} {require_text(tree[2])})"

    def side(t: Any) -> str:
        inner = require_text(t)
        return f"({inner})" if t[0] in ("+", "-", "*", "/") else inner

    return f"{side(tree[1])} {tag} {side(tree[2])}"
