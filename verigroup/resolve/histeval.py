"""Exact scalar evaluation of expressions over one history of a protocol.

A history is the moves made so far in the current round (stage name ->
action), the values of the state variables, and the parameters.  An agent's
action ``alice == x`` reads the stage named after the agent; ``STAGE == x``
(:class:`~verigroup.model.expr.MoveIs`) reads any stage; a stage that was not
reached makes ``==`` false.  Plain recursion over Fractions and bools, like
the reference evaluator of :mod:`verigroup.evaluate.scalar`, with which it
shares no code (its inputs are profiles, ours are histories).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping, Sequence, Union

from verigroup.diagnostics import SpecError
from verigroup.model import expr as X
from verigroup.model.model import Agent, Metric

Scalar = Union[Fraction, bool]


class HistoryEval:
    """Evaluator for one history; payoffs and metrics are memoised."""

    def __init__(self, params: Mapping[str, Fraction], agents: Sequence[Agent],
                 agent_pos: Mapping[tuple[str, int | None], int], metrics: Mapping[str, Metric],
                 moves: Mapping[str, str], state: Mapping[str, Fraction], where: str = "") -> None:
        self.params = params
        self.agents = agents
        self.agent_pos = agent_pos
        self.metrics = metrics
        self.moves = moves
        self.state = state
        self.where = where
        self.memo: dict[str, Fraction] = {}
        self.stack: list[str] = []

    def _err(self, code: str, msg: str, e: object) -> SpecError:
        suffix = f" (in the history {self.where})" if self.where else ""
        return SpecError.single(code, msg + suffix, X.span_of(e))

    def num(self, e: X.Expr, env: dict[str, int] | None = None) -> Fraction:
        v = self.ev(e, env or {})
        if isinstance(v, bool):
            raise self._err("E107", "expected a number, found a condition", e)
        return v

    def cond(self, e: X.Expr, env: dict[str, int] | None = None) -> bool:
        v = self.ev(e, env or {})
        if not isinstance(v, bool):
            raise self._err("E107", "expected a condition, found a number", e)
        return v

    def _int(self, e: X.Expr, env: dict[str, int]) -> int:
        v = self.num(e, env)
        if v.denominator != 1:
            raise self._err("E107", f"expected an integer, got {v}", e)
        return int(v)

    def agent(self, ref: X.AgentRef, env: dict[str, int]) -> int:
        idx = None if ref.index is None else self._int(ref.index, env)
        k = self.agent_pos.get((ref.family, idx))
        if k is None:
            raise self._err("E105", f"no agent {ref.family}" + ("" if idx is None else f"[{idx}]"), ref)
        return k

    def payoff(self, k: int) -> Fraction:
        key = f"payoff({self.agents[k].name})"
        if key not in self.memo:
            if key in self.stack:
                raise self._err("E106", f"cyclic definition through {key}", self.agents[k])
            self.stack.append(key)
            try:
                self.memo[key] = self.num(self.agents[k].payoff, dict(self.agents[k].bindings))
            finally:
                self.stack.pop()
        return self.memo[key]

    def metric(self, name: str, e: X.Expr) -> Fraction:
        key = "metric " + name
        if key not in self.memo:
            m = self.metrics.get(name)
            if m is None:
                raise self._err("E101", f"undefined metric `{name}`", e)
            if key in self.stack:
                raise self._err("E106", f"cyclic definition through {key}", m)
            self.stack.append(key)
            try:
                self.memo[key] = self.num(m.expr, {})
            finally:
                self.stack.pop()
        return self.memo[key]

    def ev(self, e: X.Expr, env: dict[str, int]) -> Scalar:  # noqa: C901 - one case per node
        if isinstance(e, X.Num):
            return Fraction(e.value)
        if isinstance(e, X.BoolConst):
            return bool(e.value)
        if isinstance(e, X.ParamRef):
            return self.params[e.name]
        if isinstance(e, X.StateRef):
            if e.name not in self.state:
                raise self._err("E101", f"undefined state variable `{e.name}`", e)
            return self.state[e.name]
        if isinstance(e, X.IndexVar):
            if e.name not in env:
                raise self._err("E101", f"unbound index variable `{e.name}`", e)
            return Fraction(env[e.name])
        if isinstance(e, X.MoveIs):
            return (self.moves.get(e.stage) == e.action) != e.negate
        if isinstance(e, X.ActionIs):
            k = self.agent(e.agent, env)
            return (self.moves.get(self.agents[k].name) == e.action) != e.negate
        if isinstance(e, X.SameAction):
            ma = self.moves.get(self.agents[self.agent(e.left, env)].name)
            mb = self.moves.get(self.agents[self.agent(e.right, env)].name)
            return (ma is not None and ma == mb) != e.negate
        if isinstance(e, X.Neg):
            return -self.num(e.operand, env)
        if isinstance(e, X.Not):
            return not self.cond(e.operand, env)
        if isinstance(e, X.Arith):
            x = self.num(e.left, env)
            if e.op == "^":
                n = self._int(e.right, env)
                if n < 0 and x == 0:
                    raise self._err("E201", "division by zero (0 to a negative power)", e)
                return x ** n
            y = self.num(e.right, env)
            if e.op == "+":
                return x + y
            if e.op == "-":
                return x - y
            if e.op == "*":
                return x * y
            if y == 0:
                raise self._err("E201", "division by zero", e)
            return x / y
        if isinstance(e, X.Compare):
            a, b = self.ev(e.left, env), self.ev(e.right, env)
            if isinstance(a, bool) != isinstance(b, bool) or (isinstance(a, bool) and e.op not in ("==", "!=")):
                raise self._err("E107", "cannot compare a number with a condition", e)
            return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[e.op]
        if isinstance(e, X.Logic):
            left = self.cond(e.left, env)
            if e.op == "and":
                return left and self.cond(e.right, env)
            return left or self.cond(e.right, env)
        if isinstance(e, X.Cond):
            return self.ev(e.then, env) if self.cond(e.cond, env) else self.ev(e.otherwise, env)
        if isinstance(e, X.Call):
            vals = [self.num(a, env) for a in e.args]
            if e.fn == "abs":
                return abs(vals[0])
            return min(vals) if e.fn == "min" else max(vals)
        if isinstance(e, X.Aggregate):
            return self.aggregate(e, env)
        if isinstance(e, X.PayoffOf):
            return self.payoff(self.agent(e.agent, env))
        if isinstance(e, X.MetricOf):
            return self.metric(e.name, e)
        raise self._err("E107", f"cannot evaluate {type(e).__name__} in a protocol", e)

    def aggregate(self, e: X.Aggregate, env: dict[str, int]) -> Scalar:
        lo, hi = self._int(e.lo, env), self._int(e.hi, env)
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
        if e.kind == "sum":
            return sum(nums, Fraction(0))
        if e.kind == "product":
            p = Fraction(1)
            for x in nums:
                p *= x
            return p
        if not nums:
            raise self._err("E203", f"{e.kind} over an empty range", e)
        return min(nums) if e.kind == "min" else max(nums)
