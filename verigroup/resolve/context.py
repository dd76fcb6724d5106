"""Shared state of one resolution: declarations seen so far, collected
diagnostics, constant folding and IR walking helpers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterator

from verigroup.diagnostics import Diagnostic, SpecError, Span
from verigroup.evaluate.scalar import exact_arith
from verigroup.model import expr as X
from verigroup.model.model import Param
from verigroup.syntax import ast as A


@dataclass
class Family:
    """An agent family (``a[1..n]``) or a single agent (``lo``/``hi`` None)."""

    name: str
    actions: tuple[str, ...]
    span: Span
    lo: int | None = None
    hi: int | None = None
    lo_ir: X.Expr | None = None
    hi_ir: X.Expr | None = None
    # language v2 (issue 8): the IR of each action's value, when they carry values
    values: dict[str, X.Expr] = field(default_factory=dict)

    @property
    def single(self) -> bool:
        return self.lo is None

    @property
    def size(self) -> int:
        return 1 if self.lo is None or self.hi is None else self.hi - self.lo + 1

    def bounds(self) -> tuple[int, int]:
        """``(lo, hi)`` of a family; callers check ``not single`` first."""
        assert self.lo is not None and self.hi is not None, f"`{self.name}` is a single agent, not a family"
        return self.lo, self.hi

    def members(self) -> range:
        """The member indices ``lo..hi`` of a family; callers check ``not single`` first."""
        lo, hi = self.bounds()
        return range(lo, hi + 1)


class Abort(Exception):
    """Stop resolving: errors so far make further checks meaningless."""


@dataclass
class Ctx:
    path: str
    source: str
    diags: list[Diagnostic] = field(default_factory=list)
    params: dict[str, Param] = field(default_factory=dict)
    families: dict[str, Family] = field(default_factory=dict)
    metric_decls: dict[str, A.MetricDecl] = field(default_factory=dict)
    profile_decls: dict[str, A.ProfileDecl] = field(default_factory=dict)
    # name -> kind, for the one global namespace (params, agents, metrics, profiles)
    names: dict[str, tuple[str, Span]] = field(default_factory=dict)
    agent_pos: dict[tuple[str, int | None], int] = field(default_factory=dict)
    agent_names: list[str] = field(default_factory=list)
    # protocol: stage name -> (mover name or "chance", actions); state variables
    stages: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    state_vars: dict[str, Span] = field(default_factory=dict)
    plan: Any = None  # verigroup.resolve.protocol.Plan when the spec has a protocol
    # language v2 (issue 8): `let` definitions, inlined at each use
    lets: dict[str, A.LetDecl] = field(default_factory=dict)
    let_stack: list[str] = field(default_factory=list)
    let_expansions: int = 0
    # language v2 (issue 8, LANG3): valued protocol moves, stage name -> action -> value IR
    stage_values: dict[str, dict[str, X.Expr]] = field(default_factory=dict)
    # language v2 (issue 8, LANG3): `let` in params -- every param's line, and the param being defined
    param_lines: dict[str, int] = field(default_factory=dict)
    param_in_progress: str | None = None

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(code, message, span, hint))

    def raise_if_errors(self) -> None:
        if self.diags:
            raise self.failure()

    def failure(self) -> SpecError:
        uniq: dict[tuple[Any, ...], Diagnostic] = {}
        for d in self.diags:
            uniq.setdefault((d.code, d.message, d.span.line, d.span.column), d)
        ordered = sorted(uniq.values(), key=lambda d: (d.span.line, d.span.column, d.code))
        return SpecError(ordered, self.source)

    def declare(self, name: str, kind: str, span: Span) -> bool:
        if name in self.names:
            old_kind, old = self.names[name]
            self.error("E102", f"`{name}` is already defined (as {_article(old_kind)} on line {old.line})",
                       span, "choose a different name")
            return False
        self.names[name] = (kind, span)
        return True

    def all_actions(self) -> set[str]:
        out: set[str] = set()
        for f in self.families.values():
            out.update(f.actions)
        return out

    def param_values(self) -> dict[str, Fraction]:
        return {k: p.value for k, p in self.params.items()}


def _article(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


# ------------------------------------------------------------ IR helpers


def children(node: Any) -> Iterator[Any]:
    if not dataclasses.is_dataclass(node):
        return
    for f in dataclasses.fields(node):
        if f.name == "span":
            continue
        v = getattr(node, f.name)
        if isinstance(v, tuple):
            for item in v:
                if dataclasses.is_dataclass(item):
                    yield item
        elif dataclasses.is_dataclass(v):
            yield v


def walk(node: Any) -> Iterator[Any]:
    """Every IR node below ``node`` (inclusive), iteratively."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(children(n))


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
