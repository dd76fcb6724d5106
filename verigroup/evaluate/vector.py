"""The vectorised exact evaluator: an expression over ALL pure profiles at once.

Values are :class:`~verigroup.evaluate.rational.Rat` (numbers) or numpy bool
arrays (conditions), broadcastable to the game's shape (axis ``k`` = agent
``k``).  ``ActionIs(a[j], x)`` is a bool array that varies only along axis
``j``, so products of conditions on few agents stay small until they meet.
Aggregates loop over their (small) index range, never over profiles.

Partial operations (division, ``^`` with a negative exponent, ``min``/``max``
over a filtered range) are checked only where they matter: the evaluator
carries a *guard* -- the conjunction of the conditions of the enclosing
``if``/``else``, ``and``/``or`` and aggregate filters -- and reports an error
only at a profile where the guard holds, exactly as the scalar evaluator's
short-circuit evaluation would.  The guard is a tuple of small arrays and is
combined only when an error check needs it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping, Union

import numpy as np

from verigroup.diagnostics import SpecError, Span, did_you_mean
from verigroup.evaluate import rational as R
from verigroup.evaluate.rational import Rat
from verigroup.model.expr import (
    ActionIs, AgentRef, Aggregate, Arith, BoolConst, Call, Compare, Cond, Expr, IndexVar,
    Logic, MetricOf, Neg, Not, Num, ParamRef, PayoffOf, SameAction, span_of,
)
from verigroup.model.model import Model

Value = Union[Rat, np.ndarray]
Guard = tuple[np.ndarray, ...]

# Bounds against hostile specs: iterations of one aggregate, size of ``^``.
MAX_RANGE = 1_000_000
MAX_EXPONENT = 4096
# Iterations of nested aggregates together (the product of their ranges),
# refused before the loops start.
MAX_NESTED_ITERATIONS = 10_000_000
# A computed numerator or denominator beyond this many bits (about 4,000
# decimal digits) is refused where it is computed: exact numbers must stay
# printable (Python refuses to print ints over 4,300 digits) and small.
MAX_BITS = 13_288


def _err(code: str, message: str, span: Span, hint: str | None = None) -> SpecError:
    return SpecError.single(code, message, span, hint)


class VectorEvaluator:
    """Evaluates expressions of one model over all its pure profiles,
    memoising payoff and metric tensors."""

    def __init__(self, model: Model, params: Mapping[str, Fraction] | None = None) -> None:
        self.model = model
        self.shape = model.shape
        self.ndim = len(self.shape)
        vals = model.param_values()
        if params:
            vals.update({k: Fraction(v) for k, v in params.items()})
        self.params = vals
        self._payoffs: dict[int, Rat] = {}
        self._metrics: dict[str, Rat] = {}
        self._active: list[str] = []
        self._action_cache: dict[tuple[int, int], np.ndarray] = {}
        self._const_cache: dict[Fraction, Rat] = {}
        # AgentRef with a literal index -> agent position (keyed by node identity;
        # the model keeps its expression nodes alive for the evaluator's lifetime)
        self._ref_cache: dict[int, int] = {}
        self._used_cache: dict[tuple[int, tuple[bool, ...]], np.ndarray] = {}
        self._pos_cache: dict[int, dict[str, int]] = {}
        self._one = np.ones((1,) * self.ndim, dtype=np.int64)
        self._iterations = 1  # product of the ranges of the enclosing aggregates

    def _positions(self, k: int) -> dict[str, int]:
        p = self._pos_cache.get(k)
        if p is None:
            p = self._pos_cache[k] = {a: i for i, a in enumerate(self.model.agents[k].actions)}
        return p

    # ------------------------------------------------------------ tensors
    def payoff(self, k: int) -> Rat:
        if k not in self._payoffs:
            agent = self.model.agents[k]
            key = f"payoff({agent.name})"
            self._enter(key, agent.span)
            try:
                v = self.eval(agent.payoff, dict(agent.bindings), ())
            finally:
                self._active.pop()
            self._payoffs[k] = self._number(v, agent.payoff, f"the payoff of {agent.name}")
        return self._payoffs[k]

    def metric(self, name: str, span: Span | None = None) -> Rat:
        if name not in self._metrics:
            m = self.model.metrics.get(name)
            if m is None:
                raise _err("E101", f"undefined metric `{name}`", span or Span(self.model.path),
                           did_you_mean(name, self.model.metrics))
            self._enter(f"metric {name}", m.span)
            try:
                v = self.eval(m.expr, {}, ())
            finally:
                self._active.pop()
            self._metrics[name] = self._number(v, m.expr, f"metric `{name}`")
        return self._metrics[name]

    def _enter(self, key: str, span: Span) -> None:
        if key in self._active:
            cycle = " -> ".join(self._active[self._active.index(key):] + [key])
            raise _err("E106", f"cyclic definition: {cycle}", span)
        self._active.append(key)

    def _number(self, v: Value, e: Expr, what: str) -> Rat:
        if not isinstance(v, Rat):
            raise _err("E107", f"{what} must be a number, but this is a condition", span_of(e),
                       "write `1 if COND else 0` to turn a condition into a number")
        return v

    def _bool(self, v: Value, e: Expr) -> np.ndarray:
        if isinstance(v, Rat):
            raise _err("E107", "expected a condition (true/false), found a number", span_of(e))
        return v

    # ---------------------------------------------------------- messages
    def describe_profile(self, idx: tuple[int, ...], mask_shape: tuple[int, ...]) -> str:
        """``a[1] = withhold, a[2] = withhold`` for the axes that vary."""
        parts = [
            f"{self.model.agents[k].name} = {self.model.agents[k].actions[i]}"
            for k, i in enumerate(idx) if mask_shape[k] > 1
        ]
        return ", ".join(parts)

    def _guard_array(self, guard: Guard, extra: np.ndarray) -> np.ndarray:
        m = extra
        for g in guard:
            m = m & g
        return m

    def _fail_at(self, bad: np.ndarray, guard: Guard, code: str, what: str, span: Span) -> None:
        if not bad.any():
            return
        m = self._guard_array(guard, bad)
        idx = R.first_true(m)
        if idx is None:
            return
        where = self.describe_profile(idx, m.shape)
        msg = f"{what} when {where}" if where else f"{what} (in every profile)"
        raise _err(code, msg, span)

    # ------------------------------------------------------------ agents
    def agent(self, ref: AgentRef, env: dict[str, int], guard: Guard) -> int:
        k = self._ref_cache.get(id(ref))
        if k is not None:
            return k
        if isinstance(ref.index, Num) and ref.index.value.denominator == 1:
            k = self.model.agent_index(ref.family, int(ref.index.value))
            if k is not None:
                self._ref_cache[id(ref)] = k
                return k
        if ref.index is None:
            k = self.model.agent_index(ref.family, None)
            if k is None:
                members = self.model.family_members(ref.family)
                if members:
                    raise _err("E105", f"`{ref.family}` is a family; give an index like {ref.family}[1]",
                               ref.span)
                raise _err("E101", f"undefined agent `{ref.family}`", ref.span,
                           did_you_mean(ref.family, {a.family for a in self.model.agents}))
            return k
        i = self.static_int(ref.index, env, guard, "an agent index")
        k = self.model.agent_index(ref.family, i)
        if k is None:
            idxs = [self.model.agents[m].index for m in self.model.family_members(ref.family)]
            nums = [x for x in idxs if x is not None]
            rng = f"{min(nums)}..{max(nums)}" if nums else "none"
            raise _err("E105", f"agent index out of range: {ref.family}[{i}] "
                       f"(family `{ref.family}` has members {rng})", ref.span)
        return k

    def static_int(self, e: Expr, env: dict[str, int], guard: Guard, what: str) -> int:
        v = self.eval(e, env, guard)
        if not isinstance(v, Rat):
            raise _err("E107", f"{what} must be an integer, found a condition", span_of(e))
        if not v.is_const:
            raise _err("E107", f"{what} must not depend on the agents' actions", span_of(e),
                       "indices may use parameters and index variables only")
        f = v.const_value()
        if f.denominator != 1:
            raise _err("E107", f"{what} must be an integer, got {f}", span_of(e))
        return int(f)

    def _axis(self, k: int, arr: np.ndarray) -> np.ndarray:
        shape = [1] * self.ndim
        shape[k] = arr.shape[0]
        return arr.reshape(shape)

    def action_is(self, k: int, action: str, span: Span) -> np.ndarray:
        acts = self.model.agents[k].actions
        if action not in acts:
            raise _err("E104", f"`{action}` is not an action of {self.model.agents[k].name} "
                       f"(actions: {', '.join(acts)})", span, did_you_mean(action, acts))
        pos = acts.index(action)
        key = (k, pos)
        if key not in self._action_cache:
            col = np.zeros(len(acts), dtype=bool)
            col[pos] = True
            self._action_cache[key] = self._axis(k, col)
        return self._action_cache[key]

    # ------------------------------------------------------- expressions
    def const_bool(self, b: bool) -> np.ndarray:
        return np.full((1,) * self.ndim, b, dtype=bool)

    def eval(self, e: Expr, env: dict[str, int], guard: Guard) -> Value:
        if isinstance(e, Num):
            c = self._const_cache.get(e.value)
            if c is None:
                c = self._const_cache[e.value] = R.const(e.value, self.ndim)
            return c
        if isinstance(e, BoolConst):
            return self.const_bool(e.value)
        if isinstance(e, ParamRef):
            if e.name not in self.params:
                raise _err("E101", f"undefined parameter `{e.name}`", e.span,
                           did_you_mean(e.name, self.params))
            return R.const(self.params[e.name], self.ndim)
        if isinstance(e, IndexVar):
            if e.name not in env:
                raise _err("E101", f"index variable `{e.name}` is not bound here", e.span)
            return R.const(env[e.name], self.ndim)
        if isinstance(e, ActionIs):
            k = self.agent(e.agent, env, guard)
            a = self.action_is(k, e.action, e.span)
            return ~a if e.negate else a
        if isinstance(e, SameAction):
            return self._same_action(e, env, guard)
        if isinstance(e, Neg):
            return R.neg(self._number(self.eval(e.operand, env, guard), e.operand, "the operand of `-`"))
        if isinstance(e, Not):
            return ~self._bool(self.eval(e.operand, env, guard), e.operand)
        if isinstance(e, Arith):
            return self._arith(e, env, guard)
        if isinstance(e, Compare):
            return self._compare(e, env, guard)
        if isinstance(e, Logic):
            left = self._bool(self.eval(e.left, env, guard), e.left)
            if e.op == "and":
                if not left.any():
                    return left
                right = self._bool(self.eval(e.right, env, guard + (left,)), e.right)
                return left & right
            if left.all():
                return left
            right = self._bool(self.eval(e.right, env, guard + (~left,)), e.right)
            return left | right
        if isinstance(e, Cond):
            return self._cond(e, env, guard)
        if isinstance(e, Call):
            return self._call(e, env, guard)
        if isinstance(e, Aggregate):
            return self._aggregate(e, env, guard)
        if isinstance(e, PayoffOf):
            return self.payoff(self.agent(e.agent, env, guard))
        if isinstance(e, MetricOf):
            return self.metric(e.name, e.span)
        raise _err("E107", f"cannot evaluate {type(e).__name__} here", span_of(e))

    def _same_action(self, e: SameAction, env: dict[str, int], guard: Guard) -> np.ndarray:
        k = self.agent(e.left, env, guard)
        m = self.agent(e.right, env, guard)
        if k == m:
            return self.const_bool(not e.negate)
        ak, am = self.model.agents[k].actions, self.model.agents[m].actions
        table = np.array([[x == y for y in am] for x in ak], dtype=bool)
        shape = [1] * self.ndim
        shape[k], shape[m] = len(ak), len(am)
        arr = table if k < m else table.T
        arr = arr.reshape(shape)
        return ~arr if e.negate else arr

    def _arith(self, e: Arith, env: dict[str, int], guard: Guard) -> Rat:
        a = self._number(self.eval(e.left, env, guard), e.left, f"the left operand of `{e.op}`")
        if e.op == "^":
            n = self.static_int(e.right, env, guard, "an exponent")
            if abs(n) > MAX_EXPONENT and not (a.nb <= 1 and a.db == 1):
                raise _err("E203", f"exponent {n} is too large (limit {MAX_EXPONENT})", e.right.span
                           if hasattr(e.right, "span") else e.span)
            if n < 0:
                self._fail_at(a.num == 0, guard, "E201", "division by zero (0 to a negative power)",
                              e.span)
            log2 = max(a.nb.bit_length(), a.db.bit_length()) - 1
            if abs(n) * log2 > 2 * MAX_BITS:
                raise _err("E203", f"the power is too large: about {abs(n) * log2 * 0.30103:,.0f} digits (the "
                           f"limit is {MAX_BITS * 0.30103:,.0f})", e.span)
            return self._bounded(R.power(a, n), e)
        b = self._number(self.eval(e.right, env, guard), e.right, f"the right operand of `{e.op}`")
        if e.op == "+":
            return self._bounded(R.add(a, b), e)
        if e.op == "-":
            return self._bounded(R.sub(a, b), e)
        if e.op == "*":
            return self._bounded(R.mul(a, b), e)
        self._fail_at(b.num == 0, guard, "E201", "division by zero", e.span)
        return self._bounded(R.div(a, b), e)

    def _bounded(self, r: Rat, e: Expr) -> Rat:
        """E203 at ``e`` when a computed value is beyond :data:`MAX_BITS`."""
        if r.nb.bit_length() > MAX_BITS or r.db.bit_length() > MAX_BITS:
            raise _err("E203", f"a computed value has more than {MAX_BITS * 0.30103:,.0f} digits", span_of(e),
                       "exact numbers are limited in size; scale the payoffs down")
        return r

    def _compare(self, e: Compare, env: dict[str, int], guard: Guard) -> np.ndarray:
        a = self.eval(e.left, env, guard)
        b = self.eval(e.right, env, guard)
        if isinstance(a, Rat) and isinstance(b, Rat):
            return R.compare(a, b, e.op)
        if not isinstance(a, Rat) and not isinstance(b, Rat) and e.op in ("==", "!="):
            return (a == b) if e.op == "==" else (a != b)
        raise _err("E107", f"cannot compare a {'number' if isinstance(a, Rat) else 'condition'} "
                   f"with a {'number' if isinstance(b, Rat) else 'condition'} using `{e.op}`", e.span)

    def _cond(self, e: Cond, env: dict[str, int], guard: Guard) -> Value:
        if isinstance(e.otherwise, Cond) and isinstance(e.cond, ActionIs) and not e.cond.negate:
            sel = self._select(e, env, guard)
            if sel is not None:
                return sel
        c = self._bool(self.eval(e.cond, env, guard), e.cond)
        if c.all():
            return self.eval(e.then, env, guard)
        if not c.any():
            return self.eval(e.otherwise, env, guard)
        t = self.eval(e.then, env, guard + (c,))
        o = self.eval(e.otherwise, env, guard + (~c,))
        if isinstance(t, Rat) and isinstance(o, Rat):
            return R.where(c, t, o)
        if not isinstance(t, Rat) and not isinstance(o, Rat):
            return np.where(c, t, o)
        raise _err("E107", "both branches of `if ... else` must be numbers, or both conditions", e.span)

    def _select(self, e: Cond, env: dict[str, int], guard: Guard) -> Value | None:
        """A chain ``v0 if A == x0 else (v1 if A == x1 else ... else w)`` on
        one agent ``A``: evaluate each reachable branch once and assemble the
        result along A's axis (one numpy operation instead of one per link)."""
        branches: dict[int, Expr] = {}
        k: int | None = None
        pos_of: dict[str, int] = {}
        cur: Expr = e
        while isinstance(cur, Cond) and isinstance(cur.cond, ActionIs) and not cur.cond.negate:
            kk = self.agent(cur.cond.agent, env, guard)
            if k is None:
                k = kk
                pos_of = self._positions(k)
            elif kk != k:
                break
            pos = pos_of.get(cur.cond.action)
            if pos is None:
                self.action_is(k, cur.cond.action, cur.cond.span)  # raises E104
                return None  # pragma: no cover
            if pos not in branches:
                branches[pos] = cur.then
            cur = cur.otherwise
        assert k is not None
        size = self.shape[k]
        if len(branches) < 2 or size < 2:
            return None
        chosen = [branches.get(x, cur) for x in range(size)]
        if all(type(b) is Num for b in chosen):
            vals = [b.value for b in chosen]  # type: ignore[union-attr]
            if all(v.denominator == 1 for v in vals):
                ints = [v.numerator for v in vals]
                nb = max(abs(v) for v in ints)
                if nb <= R.LIMIT:
                    shape = [1] * self.ndim
                    shape[k] = size
                    return Rat(np.array(ints, dtype=np.int64).reshape(shape), self._one, nb, 1)
        values: list[Value] = []
        memo: dict[int, Value] = {}
        for x, b in enumerate(chosen):
            if id(b) not in memo:
                key = (k, tuple(c is b for c in chosen))
                used = self._used_cache.get(key)
                if used is None:
                    used = self._used_cache[key] = self._axis(k, np.array(key[1], dtype=bool))
                memo[id(b)] = self.eval(b, env, guard + (used,))
            values.append(memo[id(b)])
        if all(isinstance(v, Rat) for v in values):
            rats: list[Rat] = values  # type: ignore[assignment]
            obj = any(r.num.dtype == object or r.den.dtype == object for r in rats)
            num = self._stack([r.num for r in rats], k, obj)
            if all(r.db == 1 for r in rats):
                den = np.ones((1,) * self.ndim, dtype=object if obj else np.int64)
            else:
                den = self._stack([r.den for r in rats], k, obj)
            return Rat(num, den, max(r.nb for r in rats), max(r.db for r in rats))
        if all(not isinstance(v, Rat) for v in values):
            return self._stack(values, k, False)  # type: ignore[arg-type]
        raise _err("E107", "both branches of `if ... else` must be numbers, or both conditions", e.span)

    def _stack(self, arrays: list[np.ndarray], k: int, obj: bool) -> np.ndarray:
        """Entry x of the result along axis k is entry x of arrays[x]."""
        parts = []
        for x, a in enumerate(arrays):
            if a.shape[k] > 1:
                a = np.take(a, [x], axis=k)
            parts.append(a.astype(object) if obj and a.dtype != object else a)
        first = parts[0].shape
        if all(p.shape == first for p in parts):
            return np.concatenate(parts, axis=k)
        shape = list(np.broadcast_shapes(*(p.shape for p in parts)))
        shape[k] = 1
        return np.concatenate([np.broadcast_to(p, shape) for p in parts], axis=k)

    def _call(self, e: Call, env: dict[str, int], guard: Guard) -> Rat:
        args = [self._number(self.eval(x, env, guard), x, f"an argument of {e.fn}") for x in e.args]
        if not args:
            raise _err("E103", f"{e.fn}() needs at least one argument", e.span)
        if e.fn == "abs":
            if len(args) != 1:
                raise _err("E103", "abs() takes exactly one argument", e.span)
            return R.absolute(args[0])
        acc = args[0]
        for x in args[1:]:
            acc = R.minimum(acc, x) if e.fn == "min" else R.maximum(acc, x)
        return acc

    def _aggregate(self, e: Aggregate, env: dict[str, int], guard: Guard) -> Value:
        lo = self.static_int(e.lo, env, guard, "a range bound")
        hi = self.static_int(e.hi, env, guard, "a range bound")
        if hi - lo + 1 > MAX_RANGE:
            raise _err("E203", f"range {lo}..{hi} has {hi - lo + 1:,} elements (limit {MAX_RANGE:,})",
                       e.span)
        outer = self._iterations
        total = outer * max(0, hi - lo + 1)
        if total > MAX_NESTED_ITERATIONS:
            raise _err("E203", f"nested aggregates iterate {total:,} times (limit {MAX_NESTED_ITERATIONS:,})",
                       e.span, "use smaller ranges, or fewer nested aggregates")
        self._iterations = max(1, total)
        try:
            return self._aggregate_body(e, env, guard, lo, hi)
        finally:
            self._iterations = outer

    def _aggregate_body(self, e: Aggregate, env: dict[str, int], guard: Guard, lo: int, hi: int) -> Value:
        kind = e.kind
        count = np.zeros((1,) * self.ndim, dtype=np.int64)
        flag = self.const_bool(kind == "all")
        acc: Rat | None = R.const(0 if kind == "sum" else 1, self.ndim) if kind in ("sum", "product") else None
        has = self.const_bool(False)
        for j in range(lo, hi + 1):
            inner = dict(env)
            inner[e.var] = j
            f: np.ndarray | None = None
            g = guard
            if e.filter is not None:
                f = self._bool(self.eval(e.filter, inner, guard), e.filter)
                if not f.any():
                    continue
                g = guard + (f,)
            v = self.eval(e.body, inner, g)
            if kind in ("count", "any", "all"):
                b = self._bool(v, e.body)
                if kind == "count":
                    hit = b if f is None else (b & f)
                    count = count + hit.astype(np.int64)
                elif kind == "any":
                    flag = flag | (b if f is None else (b & f))
                else:
                    flag = flag & (b if f is None else (b | ~f))
                continue
            x = self._number(v, e.body, f"the body of {kind}")
            if kind == "sum":
                assert acc is not None
                acc = self._bounded(R.add(acc, x if f is None else R.where(f, x, R.const(0, self.ndim))), e)
            elif kind == "product":
                assert acc is not None
                acc = self._bounded(R.mul(acc, x if f is None else R.where(f, x, R.const(1, self.ndim))), e)
            else:
                take = self.const_bool(True) if f is None else f
                if acc is None:
                    acc = x if f is None else R.where(f, x, R.const(0, self.ndim))
                else:
                    better = R.compare(x, acc, "<" if kind == "min" else ">")
                    acc = R.where(take & (~has | better), x, acc)
                has = has | take
        if kind == "count":
            return R.from_int_array(count)
        if kind in ("any", "all"):
            return flag
        if kind in ("min", "max"):
            self._fail_at(~has, guard, "E203", f"{kind} over an empty range", e.span)
            if acc is None:  # empty everywhere the guard holds
                return R.const(0, self.ndim)
        assert acc is not None
        return acc
