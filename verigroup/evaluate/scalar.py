"""The scalar reference evaluator: one expression at one pure profile.

Deliberately independent of the vectorised evaluator (no shared code beyond
the IR): plain recursion over Fractions and bools with short-circuit
``and``/``or``/``if``.  Tests compare the two on every profile; replay and
the Z3 route use it to state exact payoffs of a counterexample profile.

:class:`ScalarEvaluator` is the recursion itself; how an agent's action is
read (here: from a profile) is a hook, so the protocol history evaluator
(:mod:`verigroup.resolve.histeval`) is a subclass.  :func:`exact_arith` is
the one Fraction implementation of ``+ - * / ^`` shared with property terms
and constant folding.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping, Sequence, Union

from verigroup.diagnostics import SpecError
from verigroup.model.expr import (
    ActionIs, AgentRef, Aggregate, Arith, BoolConst, Call, Compare, Cond, Expr, IndexVar,
    Logic, MetricOf, Neg, Not, Num, ParamRef, PayoffOf, SameAction, span_of,
)
from verigroup.model.model import Agent, Metric, Model

Scalar = Union[Fraction, bool]


from verigroup.model.arith import MAX_BITS, _bounded, _too_big, exact_arith  # noqa: F401 (re-exported)


class ScalarEvaluator:
    """Exact recursion over one point (a profile, a history); payoffs and
    metrics are memoised.  Subclasses say how agents are found and actions
    read (:meth:`find_agent`, :meth:`action_is`, :meth:`same_action`), how
    errors are worded (:meth:`err`, :meth:`undefined`) and may evaluate
    further node types (:meth:`ev_other`)."""

    def __init__(self, params: Mapping[str, Fraction], agents: Sequence[Agent],
                 metrics: Mapping[str, Metric]) -> None:
        self.params = params
        self.agents = agents
        self.metrics = metrics
        self.memo: dict[str, Fraction] = {}
        self.stack: list[str] = []

    # -- hooks -------------------------------------------------------------

    def err(self, code: str, msg: str, node: object) -> SpecError:
        return SpecError.single(code, msg, span_of(node))

    def undefined(self, code: str, msg: str, node: object) -> SpecError:
        """An error that depends on the point's values (E201, E203)."""
        return self.err(code, msg, node)

    def find_agent(self, family: str, index: int | None) -> int | None:
        raise NotImplementedError

    def action_is(self, k: int, action: str, e: ActionIs) -> bool:
        raise NotImplementedError

    def same_action(self, j: int, k: int) -> bool:
        raise NotImplementedError

    def ev_other(self, e: Expr, env: dict[str, int]) -> Scalar:
        raise self.err("E107", f"cannot evaluate {type(e).__name__}", e)

    # -- recursion ---------------------------------------------------------

    def num(self, e: Expr, env: dict[str, int] | None = None) -> Fraction:
        v = self.ev(e, env or {})
        if isinstance(v, bool):
            raise self.err("E107", "expected a number, found a condition", e)
        return v

    def cond(self, e: Expr, env: dict[str, int] | None = None) -> bool:
        v = self.ev(e, env or {})
        if not isinstance(v, bool):
            raise self.err("E107", "expected a condition, found a number", e)
        return v

    def integer(self, e: Expr, env: dict[str, int]) -> int:
        v = self.num(e, env)
        if v.denominator != 1:
            raise self.err("E107", f"expected an integer, got {v}", e)
        return int(v)

    def agent(self, ref: AgentRef, env: dict[str, int]) -> int:
        idx = None if ref.index is None else self.integer(ref.index, env)
        k = self.find_agent(ref.family, idx)
        if k is None:
            raise self.err("E105", f"no agent {ref.family}" + ("" if idx is None else f"[{idx}]"), ref)
        return k

    def payoff(self, k: int) -> Fraction:
        key = f"payoff({self.agents[k].name})"
        if key not in self.memo:
            if key in self.stack:
                raise self.err("E106", f"cyclic definition through {key}", self.agents[k])
            self.stack.append(key)
            try:
                self.memo[key] = self.num(self.agents[k].payoff, dict(self.agents[k].bindings))
            finally:
                self.stack.pop()
        return self.memo[key]

    def metric(self, name: str, e: Expr) -> Fraction:
        key = f"metric {name}"
        if key not in self.memo:
            m = self.metrics.get(name)
            if m is None:
                raise self.err("E101", f"undefined metric `{name}`", e)
            if key in self.stack:
                raise self.err("E106", f"cyclic definition through {key}", m)
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
                raise self.err("E101", f"undefined parameter `{e.name}`", e)
            return self.params[e.name]
        if isinstance(e, IndexVar):
            if e.name not in env:
                raise self.err("E101", f"unbound index variable `{e.name}`", e)
            return Fraction(env[e.name])
        if isinstance(e, ActionIs):
            return self.action_is(self.agent(e.agent, env), e.action, e) != e.negate
        if isinstance(e, SameAction):
            return self.same_action(self.agent(e.left, env), self.agent(e.right, env)) != e.negate
        if isinstance(e, Neg):
            return -self.num(e.operand, env)
        if isinstance(e, Not):
            return not self.cond(e.operand, env)
        if isinstance(e, Arith):
            x = self.num(e.left, env)
            y = Fraction(self.integer(e.right, env)) if e.op == "^" else self.num(e.right, env)
            try:
                v = exact_arith(e.op, x, y)
            except SpecError as exc:
                raise self.err(exc.diagnostics[0].code, exc.diagnostics[0].message, e)
            if v is None:
                why = " (0 to a negative power)" if e.op == "^" else ""
                raise self.undefined("E201", f"division by zero{why}", e)
            return v
        if isinstance(e, Compare):
            a, b = self.ev(e.left, env), self.ev(e.right, env)
            if isinstance(a, bool) != isinstance(b, bool) or (isinstance(a, bool) and e.op not in ("==", "!=")):
                raise self.err("E107", "cannot compare a number with a condition", e)
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
        return self.ev_other(e, env)

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
            raise self.err("E107", f"the body of {e.kind} must be a number", e)
        if e.kind == "sum":
            return sum(nums, Fraction(0))
        if e.kind == "product":
            p = Fraction(1)
            for x in nums:
                p *= x
            return p
        if not nums:
            raise self.undefined("E203", f"{e.kind} over an empty range", e)
        return min(nums) if e.kind == "min" else max(nums)


class _Scalar(ScalarEvaluator):
    """At one pure profile of ``model``."""

    def __init__(self, model: Model, profile: tuple[int, ...],
                 params: Mapping[str, Fraction] | None) -> None:
        if len(profile) != len(model.agents):
            raise ValueError(f"profile has {len(profile)} entries, the model has {len(model.agents)} agents")
        values = model.param_values()
        if params:
            values.update({k: Fraction(v) for k, v in params.items()})
        super().__init__(values, model.agents, model.metrics)
        self.model = model
        self.profile = profile

    def where(self) -> str:
        return ", ".join(f"{a.name} = {a.actions[i]}" for a, i in zip(self.model.agents, self.profile))

    def undefined(self, code: str, msg: str, node: object) -> SpecError:
        return self.err(code, f"{msg} when {self.where()}", node)

    def find_agent(self, family: str, index: int | None) -> int | None:
        return self.model.agent_index(family, index)

    def action(self, k: int) -> str:
        return self.model.agents[k].actions[self.profile[k]]

    def action_is(self, k: int, action: str, e: ActionIs) -> bool:
        if action not in self.model.agents[k].actions:
            raise self.err("E104", f"`{action}` is not an action of {self.model.agents[k].name}", e)
        return self.action(k) == action

    def same_action(self, j: int, k: int) -> bool:
        return self.action(j) == self.action(k)


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
