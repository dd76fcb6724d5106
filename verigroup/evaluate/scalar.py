"""The scalar reference evaluator: one expression at one pure profile.

Deliberately independent of the vectorised evaluator (no shared code beyond
the IR): plain recursion over Fractions and bools with short-circuit
``and``/``or``/``if``.  Tests compare the two on every profile; replay and
the Z3 route use it to state exact payoffs of a counterexample profile.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping, Union

from verigroup.diagnostics import SpecError
from verigroup.model.expr import (
    ActionIs, AgentRef, Aggregate, Arith, BoolConst, Call, Compare, Cond, Expr, IndexVar,
    Logic, MetricOf, Neg, Not, Num, ParamRef, PayoffOf, SameAction, span_of,
)
from verigroup.model.model import Model

Scalar = Union[Fraction, bool]


class _Scalar:
    def __init__(self, model: Model, profile: tuple[int, ...],
                 params: Mapping[str, Fraction] | None) -> None:
        if len(profile) != len(model.agents):
            raise ValueError(f"profile has {len(profile)} entries, the model has {len(model.agents)} agents")
        self.model = model
        self.profile = profile
        self.params = model.param_values()
        if params:
            self.params.update({k: Fraction(v) for k, v in params.items()})
        self.memo: dict[str, Fraction] = {}
        self.stack: list[str] = []

    def where(self) -> str:
        return ", ".join(f"{a.name} = {a.actions[i]}" for a, i in zip(self.model.agents, self.profile))

    def num(self, e: Expr, env: dict[str, int]) -> Fraction:
        v = self.ev(e, env)
        if isinstance(v, bool):
            raise SpecError.single("E107", "expected a number, found a condition", span_of(e))
        return v

    def cond(self, e: Expr, env: dict[str, int]) -> bool:
        v = self.ev(e, env)
        if not isinstance(v, bool):
            raise SpecError.single("E107", "expected a condition, found a number", span_of(e))
        return v

    def integer(self, e: Expr, env: dict[str, int]) -> int:
        v = self.num(e, env)
        if v.denominator != 1:
            raise SpecError.single("E107", f"expected an integer, got {v}", span_of(e))
        return int(v)

    def agent(self, ref: AgentRef, env: dict[str, int]) -> int:
        idx = None if ref.index is None else self.integer(ref.index, env)
        k = self.model.agent_index(ref.family, idx)
        if k is None:
            raise SpecError.single("E105", f"no agent {ref.family}" + ("" if idx is None else f"[{idx}]"),
                                   ref.span)
        return k

    def action(self, k: int) -> str:
        return self.model.agents[k].actions[self.profile[k]]

    def payoff(self, k: int) -> Fraction:
        key = f"payoff({self.model.agents[k].name})"
        if key not in self.memo:
            if key in self.stack:
                raise SpecError.single("E106", f"cyclic definition through {key}", self.model.agents[k].span)
            self.stack.append(key)
            try:
                self.memo[key] = self.num(self.model.agents[k].payoff, dict(self.model.agents[k].bindings))
            finally:
                self.stack.pop()
        return self.memo[key]

    def metric(self, name: str, e: Expr) -> Fraction:
        key = f"metric {name}"
        if key not in self.memo:
            m = self.model.metrics.get(name)
            if m is None:
                raise SpecError.single("E101", f"undefined metric `{name}`", span_of(e))
            if key in self.stack:
                raise SpecError.single("E106", f"cyclic definition through {key}", m.span)
            self.stack.append(key)
            try:
                self.memo[key] = self.num(m.expr, {})
            finally:
                self.stack.pop()
        return self.memo[key]

    def ev(self, e: Expr, env: dict[str, int]) -> Scalar:  # noqa: C901 - one case per node
        if isinstance(e, Num):
            return Fraction(e.value)
        if isinstance(e, BoolConst):
            return bool(e.value)
        if isinstance(e, ParamRef):
            if e.name not in self.params:
                raise SpecError.single("E101", f"undefined parameter `{e.name}`", e.span)
            return self.params[e.name]
        if isinstance(e, IndexVar):
            if e.name not in env:
                raise SpecError.single("E101", f"unbound index variable `{e.name}`", e.span)
            return Fraction(env[e.name])
        if isinstance(e, ActionIs):
            k = self.agent(e.agent, env)
            if e.action not in self.model.agents[k].actions:
                raise SpecError.single("E104", f"`{e.action}` is not an action of "
                                       f"{self.model.agents[k].name}", e.span)
            return (self.action(k) == e.action) != e.negate
        if isinstance(e, SameAction):
            same = self.action(self.agent(e.left, env)) == self.action(self.agent(e.right, env))
            return same != e.negate
        if isinstance(e, Neg):
            return -self.num(e.operand, env)
        if isinstance(e, Not):
            return not self.cond(e.operand, env)
        if isinstance(e, Arith):
            x = self.num(e.left, env)
            if e.op == "^":
                n = self.integer(e.right, env)
                if n < 0 and x == 0:
                    raise SpecError.single("E201", f"division by zero (0 to a negative power) when {self.where()}",
                                           e.span)
                return x ** n
            y = self.num(e.right, env)
            if e.op == "+":
                return x + y
            if e.op == "-":
                return x - y
            if e.op == "*":
                return x * y
            if y == 0:
                raise SpecError.single("E201", f"division by zero when {self.where()}", e.span)
            return x / y
        if isinstance(e, Compare):
            a, b = self.ev(e.left, env), self.ev(e.right, env)
            if isinstance(a, bool) != isinstance(b, bool) or (isinstance(a, bool) and e.op not in ("==", "!=")):
                raise SpecError.single("E107", "cannot compare a number with a condition", e.span)
            return {
                "==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b,
            }[e.op]
        if isinstance(e, Logic):
            left = self.cond(e.left, env)
            if e.op == "and":
                return left and self.cond(e.right, env)
            return left or self.cond(e.right, env)
        if isinstance(e, Cond):
            return self.ev(e.then, env) if self.cond(e.cond, env) else self.ev(e.otherwise, env)
        if isinstance(e, Call):
            vals = [self.num(a, env) for a in e.args]
            if e.fn == "abs":
                return abs(vals[0])
            return min(vals) if e.fn == "min" else max(vals)
        if isinstance(e, Aggregate):
            return self.aggregate(e, env)
        if isinstance(e, PayoffOf):
            return self.payoff(self.agent(e.agent, env))
        if isinstance(e, MetricOf):
            return self.metric(e.name, e)
        raise SpecError.single("E107", f"cannot evaluate {type(e).__name__}", span_of(e))

    def aggregate(self, e: Aggregate, env: dict[str, int]) -> Scalar:
        lo, hi = self.integer(e.lo, env), self.integer(e.hi, env)
        items: list[Scalar] = []
        for j in range(lo, hi + 1):
            inner = {**env, e.var: j}
            if e.filter is not None and not self.cond(e.filter, inner):
                continue
            items.append(self.ev(e.body, inner))
        if e.kind == "count":
            return Fraction(sum(1 for b in items if b is True))
        if e.kind == "any":
            return any(b is True for b in items)
        if e.kind == "all":
            return all(b is True for b in items)
        nums = [x for x in items if not isinstance(x, bool)]
        if len(nums) != len(items):
            raise SpecError.single("E107", f"the body of {e.kind} must be a number", e.span)
        if e.kind == "sum":
            return sum(nums, Fraction(0))
        if e.kind == "product":
            p = Fraction(1)
            for x in nums:
                p *= x
            return p
        if not nums:
            raise SpecError.single("E203", f"{e.kind} over an empty range when {self.where()}", e.span)
        return min(nums) if e.kind == "min" else max(nums)


def evaluate_expr_at(model: Model, expr: Expr, profile: tuple[int, ...],
                     env: Mapping[str, int] | None = None,
                     params: Mapping[str, Fraction] | None = None) -> Scalar:
    """Evaluate ``expr`` at one pure profile (action indices in
    ``Model.agents`` order), exactly.  ``env`` binds index variables."""
    return _Scalar(model, tuple(int(i) for i in profile), params).ev(expr, dict(env or {}))


def payoffs_at(model: Model, profile: tuple[int, ...],
               params: Mapping[str, Fraction] | None = None) -> tuple[Fraction, ...]:
    """Every agent's exact payoff at one profile (memoised within the call)."""
    s = _Scalar(model, tuple(int(i) for i in profile), params)
    return tuple(s.payoff(k) for k in range(len(model.agents)))


def metrics_at(model: Model, profile: tuple[int, ...],
               params: Mapping[str, Fraction] | None = None) -> dict[str, Fraction]:
    s = _Scalar(model, tuple(int(i) for i in profile), params)
    return {name: s.metric(name, m.expr) for name, m in model.metrics.items()}
