"""The Z3 backend: a walker from the expression IR to exact Z3 terms.

PySMT's habit: one ``walk_<Node>`` method per IR node type, a ``back()``
function that reads a Z3 model into IR values (action names, Fractions).

Encoding
--------
* **Actions.**  One ``Int`` variable per agent, ``x_k`` for agent ``k`` (in
  ``Model.agents`` order), constrained to ``0 <= x_k < len(actions)``.  We
  use Ints uniformly (also for 2-action agents) so that deviations are a
  plain substitution ``x_k := IntVal(a)`` and every agent is treated alike;
  Z3's arithmetic core handles the bounded Ints well.
* **Numbers.**  Every numeric term is an exact Z3 ``Real``; numerals are
  ``RealVal("p/q")``.  No tensor is built: payoffs and metrics are terms of
  the action variables.
* ``ActionIs`` is ``x_k == index``; ``SameAction`` compares action *names*
  (agents with different action sets are equal when their chosen names
  coincide).  Aggregates are unrolled over their (constant) index range;
  index expressions must evaluate to constants (E107 otherwise).
  ``PayoffOf``/``MetricOf`` are substituted, memoised.  ``Cond``, ``min``,
  ``max``, ``abs`` become ``If``.  ``^`` needs an integer constant exponent.
* **Division.**  By a constant: exact (a constant zero is E201 at once).  By
  a profile- or parameter-dependent term: the quotient is Z3's ``/`` plus a
  *guard* (the denominator is nonzero).  :func:`check_guards` asks Z3
  whether any profile violates a guard and raises E201 (E203 for an empty
  filtered ``min``/``max``) naming that profile.
* **Parameters.**  ``ParamRef`` is the parameter's exact value, unless it is
  in ``symbolic_params``: then a free ``Real`` variable (its range is the
  caller's business).  Structural parameters (family bounds) cannot be
  symbolic.
* **Game files.**  A model read from ``.nfg`` has placeholder payoffs and its
  table in ``model._cache["game"]``; its payoffs are encoded as an ``If``
  chain over the table (small games only, :data:`TABLE_LIMIT` profiles).

The Nash condition is built by substitution: profile ``s`` is a pure Nash
equilibrium iff for every agent ``i`` and action ``a``,
``u_i(s) >= u_i(s[x_i := a])`` (:meth:`Z3Encoding.nash`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import z3

from verigroup.diagnostics import NO_SPAN, SpecError, Span, TooLarge
from verigroup.model import expr as E
from verigroup.model.model import Model

TABLE_LIMIT = 100_000
MAX_EXPONENT = 64
MAX_UNROLL = 1_000_000


def rv(x: Fraction | int) -> z3.ArithRef:
    """An exact Z3 Real numeral."""
    f = Fraction(x)
    return z3.RealVal(f"{f.numerator}/{f.denominator}")


def as_fraction(v: z3.ExprRef) -> Fraction | None:
    """The exact value of a Z3 numeral (None when not a rational numeral)."""
    v = z3.simplify(v) if not (z3.is_rational_value(v) or z3.is_int_value(v)) else v
    if z3.is_int_value(v):
        return Fraction(v.as_long())  # type: ignore[attr-defined]
    if z3.is_rational_value(v):
        return Fraction(v.numerator_as_long(), v.denominator_as_long())  # type: ignore[attr-defined]
    return None


def as_bool(v: z3.ExprRef) -> bool | None:
    v = z3.simplify(v)
    if z3.is_true(v):
        return True
    if z3.is_false(v):
        return False
    return None


@dataclass(frozen=True)
class Guard:
    """A side condition every profile must satisfy (else ``code`` is raised)."""

    cond: z3.BoolRef
    code: str
    message: str
    span: Span = NO_SPAN


@dataclass(frozen=True, eq=False)
class Z3Encoding:
    """A model as Z3 terms over the action variables."""

    model: Model
    action_vars: tuple[z3.ArithRef, ...]
    domain: tuple[z3.BoolRef, ...]
    payoffs: tuple[z3.ArithRef, ...]
    metrics: Mapping[str, z3.ArithRef]
    param_vars: Mapping[str, z3.ArithRef]
    guards: tuple[Guard, ...] = ()
    _memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def sizes(self) -> tuple[int, ...]:
        return self.model.shape

    def domain_of(self, xs: Sequence[z3.ArithRef]) -> list[z3.BoolRef]:
        return [z3.And(x >= 0, x < k) for x, k in zip(xs, self.sizes)]

    def at(self, term: z3.ExprRef, xs: Sequence[z3.ExprRef]) -> z3.ExprRef:
        """``term`` with the action variables replaced by ``xs``."""
        pairs = [(v, x) for v, x in zip(self.action_vars, xs) if not v.eq(x)]
        return z3.substitute(term, *pairs) if pairs else term

    def deviation(self, term: z3.ExprRef, agent: int, action: int) -> z3.ExprRef:
        """``term`` at the profile where ``agent`` plays ``action`` instead."""
        return z3.substitute(term, (self.action_vars[agent], z3.IntVal(action)))

    def payoff_at(self, agent: int, xs: Sequence[z3.ExprRef] | None = None) -> z3.ArithRef:
        t = self.payoffs[agent]
        return t if xs is None else self.at(t, xs)  # type: ignore[return-value]

    def nash(self, xs: Sequence[z3.ExprRef] | None = None, strict: bool = False) -> z3.BoolRef:
        """The (pure) Nash condition at the profile ``xs`` (default: the base
        variables): no agent gains by a unilateral deviation."""
        key = ("nash", strict)
        base = self._memo.get(key)
        if base is None:
            conds = []
            for i, k in enumerate(self.sizes):
                u = self.payoffs[i]
                for a in range(k):
                    dev = self.deviation(u, i, a)
                    if strict:
                        conds.append(z3.Or(self.action_vars[i] == a, u > dev))
                    else:
                        conds.append(u >= dev)
            base = z3.And(*conds) if conds else z3.BoolVal(True)
            self._memo[key] = base
        return base if xs is None else self.at(base, xs)  # type: ignore[return-value]

    def fresh_copy(self, prefix: str) -> list[z3.ArithRef]:
        return [z3.Int(f"{prefix}_{k}") for k in range(len(self.action_vars))]

    def profile_vals(self, profile: Sequence[int]) -> list[z3.ArithRef]:
        return [z3.IntVal(a) for a in profile]


# ---------------------------------------------------------------- walker


class Z3Walker:
    """IR expression -> Z3 term.  One ``walk_<Node>`` per node type."""

    def __init__(self, model: Model, xs: Sequence[z3.ArithRef],
                 params: Mapping[str, z3.ArithRef]) -> None:
        self.model = model
        self.xs = list(xs)
        self.params = params
        self.guards: list[Guard] = []
        self._payoff_memo: dict[int, z3.ArithRef] = {}
        self._metric_memo: dict[str, z3.ArithRef] = {}
        self._in_progress: set[Any] = set()

    # ---------------------------------------------------------- entry
    def walk(self, e: Any, env: Mapping[str, int]) -> z3.ExprRef:
        fn: Callable[[Any, Mapping[str, int]], z3.ExprRef] | None = getattr(
            self, "walk_" + type(e).__name__, None)
        if fn is None:
            raise SpecError.single("E107", f"{type(e).__name__} cannot be used here", E.span_of(e))
        return fn(e, env)

    def payoff(self, k: int) -> z3.ArithRef:
        if k not in self._payoff_memo:
            key = ("payoff", k)
            if key in self._in_progress:
                raise SpecError.single("E106", f"payoff of {self.model.agents[k].name} depends on itself",
                                       self.model.agents[k].span)
            self._in_progress.add(key)
            ag = self.model.agents[k]
            self._payoff_memo[k] = self.num(self.walk(ag.payoff, dict(ag.bindings)))
            self._in_progress.discard(key)
        return self._payoff_memo[k]

    def metric(self, name: str, span: Span = NO_SPAN) -> z3.ArithRef:
        if name not in self._metric_memo:
            m = self.model.metrics.get(name)
            if m is None:
                raise SpecError.single("E101", f"undefined metric {name!r}", span)
            key = ("metric", name)
            if key in self._in_progress:
                raise SpecError.single("E106", f"metric {name!r} depends on itself", m.span)
            self._in_progress.add(key)
            self._metric_memo[name] = self.num(self.walk(m.expr, {}))
            self._in_progress.discard(key)
        return self._metric_memo[name]

    # ------------------------------------------------------- helpers
    @staticmethod
    def num(t: z3.ExprRef) -> z3.ArithRef:
        if z3.is_bool(t):
            raise SpecError.single("E107", "expected a number, got a condition")
        if z3.is_int(t):
            return z3.ToReal(t)
        return t  # type: ignore[return-value]

    @staticmethod
    def boolean(t: z3.ExprRef, span: Span = NO_SPAN) -> z3.BoolRef:
        if not z3.is_bool(t):
            raise SpecError.single("E107", "expected a condition, got a number", span)
        return t  # type: ignore[return-value]

    def const(self, e: Any, env: Mapping[str, int], what: str = "index") -> Fraction:
        v = as_fraction(self.walk(e, env))
        if v is None:
            raise SpecError.single("E107", f"the {what} must be a constant (it may not depend on "
                                   "actions or symbolic parameters)", E.span_of(e))
        return v

    def const_int(self, e: Any, env: Mapping[str, int], what: str = "index") -> int:
        v = self.const(e, env, what)
        if v.denominator != 1:
            raise SpecError.single("E107", f"the {what} must be an integer, got {v}", E.span_of(e))
        return v.numerator

    def agent_pos(self, ref: E.AgentRef, env: Mapping[str, int]) -> int:
        idx = None if ref.index is None else self.const_int(ref.index, env, "agent index")
        k = self.model.agent_index(ref.family, idx)
        if k is None:
            label = ref.family if idx is None else f"{ref.family}[{idx}]"
            raise SpecError.single("E105", f"no agent {label}", ref.span)
        return k

    # --------------------------------------------------------- leaves
    def walk_Num(self, e: E.Num, env: Mapping[str, int]) -> z3.ExprRef:
        return rv(e.value)

    def walk_BoolConst(self, e: E.BoolConst, env: Mapping[str, int]) -> z3.ExprRef:
        return z3.BoolVal(e.value)

    def walk_ParamRef(self, e: E.ParamRef, env: Mapping[str, int]) -> z3.ExprRef:
        if e.name in self.params:
            return self.params[e.name]
        p = self.model.params.get(e.name)
        if p is None:
            raise SpecError.single("E101", f"undefined parameter {e.name!r}", e.span)
        return rv(p.value)

    def walk_IndexVar(self, e: E.IndexVar, env: Mapping[str, int]) -> z3.ExprRef:
        if e.name not in env:
            raise SpecError.single("E101", f"unbound index variable {e.name!r}", e.span)
        return rv(env[e.name])

    def walk_ActionIs(self, e: E.ActionIs, env: Mapping[str, int]) -> z3.ExprRef:
        k = self.agent_pos(e.agent, env)
        acts = self.model.agents[k].actions
        if e.action not in acts:
            # The resolver checks action names per family; an override member
            # with another action set simply never plays it.
            res: z3.BoolRef = z3.BoolVal(False)
        else:
            res = self.xs[k] == acts.index(e.action)
        return z3.Not(res) if e.negate else res

    def walk_SameAction(self, e: E.SameAction, env: Mapping[str, int]) -> z3.ExprRef:
        i, j = self.agent_pos(e.left, env), self.agent_pos(e.right, env)
        ai, aj = self.model.agents[i].actions, self.model.agents[j].actions
        if ai == aj:
            res: z3.BoolRef = self.xs[i] == self.xs[j]
        else:
            common = [n for n in ai if n in aj]
            res = z3.Or(*[z3.And(self.xs[i] == ai.index(n), self.xs[j] == aj.index(n))
                          for n in common]) if common else z3.BoolVal(False)
        return z3.Not(res) if e.negate else res

    # ----------------------------------------------------- operators
    def walk_Neg(self, e: E.Neg, env: Mapping[str, int]) -> z3.ExprRef:
        return -self.num(self.walk(e.operand, env))

    def walk_Not(self, e: E.Not, env: Mapping[str, int]) -> z3.ExprRef:
        return z3.Not(self.boolean(self.walk(e.operand, env), e.span))

    def walk_Arith(self, e: E.Arith, env: Mapping[str, int]) -> z3.ExprRef:
        left = self.num(self.walk(e.left, env))
        if e.op == "^":
            n = self.const_int(e.right, env, "exponent")
            if abs(n) > MAX_EXPONENT:
                raise SpecError.single("E107", f"exponent {n} is too large (limit {MAX_EXPONENT})", e.span)
            acc: z3.ArithRef = rv(1)
            for _ in range(abs(n)):
                acc = acc * left
            if n >= 0:
                return z3.simplify(acc) if as_fraction(left) is not None else acc
            return self._divide(rv(1), acc, e.span)
        right = self.num(self.walk(e.right, env))
        if e.op == "+":
            return left + right
        if e.op == "-":
            return left - right
        if e.op == "*":
            return left * right
        if e.op == "/":
            return self._divide(left, right, e.span)
        raise SpecError.single("E107", f"unknown operator {e.op!r}", e.span)

    def _divide(self, left: z3.ArithRef, right: z3.ArithRef, span: Span) -> z3.ArithRef:
        c = as_fraction(right)
        if c is not None:
            if c == 0:
                raise SpecError.single("E201", "division by zero", span)
            return left * rv(1 / c)
        self.guards.append(Guard(right != 0, "E201", "division by zero", span))
        return left / right

    def walk_Compare(self, e: E.Compare, env: Mapping[str, int]) -> z3.ExprRef:
        left, right = self.walk(e.left, env), self.walk(e.right, env)
        if z3.is_bool(left) != z3.is_bool(right):
            raise SpecError.single("E107", "cannot compare a condition with a number", e.span)
        if not z3.is_bool(left):
            left, right = self.num(left), self.num(right)
        elif e.op not in ("==", "!="):
            raise SpecError.single("E107", f"{e.op} needs numbers", e.span)
        ops: dict[str, Callable[[Any, Any], z3.BoolRef]] = {
            "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
        }
        return ops[e.op](left, right)

    def walk_Logic(self, e: E.Logic, env: Mapping[str, int]) -> z3.ExprRef:
        a = self.boolean(self.walk(e.left, env), e.span)
        ab = as_bool(a)
        if ab is not None and ab == (e.op == "or"):  # constant short circuit
            return z3.BoolVal(ab)
        b = self.boolean(self.walk(e.right, env), e.span)
        return z3.And(a, b) if e.op == "and" else z3.Or(a, b)

    def walk_Cond(self, e: E.Cond, env: Mapping[str, int]) -> z3.ExprRef:
        c = self.boolean(self.walk(e.cond, env), e.span)
        cb = as_bool(c)
        if cb is not None:  # constant condition: only the taken branch (as the scalar evaluator)
            return self.walk(e.then if cb else e.otherwise, env)
        t, o = self.walk(e.then, env), self.walk(e.otherwise, env)
        if z3.is_bool(t) != z3.is_bool(o):
            raise SpecError.single("E107", "both branches of `if` must have the same type", e.span)
        if not z3.is_bool(t):
            t, o = self.num(t), self.num(o)
        return z3.If(c, t, o)

    def walk_Call(self, e: E.Call, env: Mapping[str, int]) -> z3.ExprRef:
        args = [self.num(self.walk(a, env)) for a in e.args]
        if e.fn == "abs":
            if len(args) != 1:
                raise SpecError.single("E103", "abs takes one argument", e.span)
            return z3.If(args[0] >= 0, args[0], -args[0])
        if not args:
            raise SpecError.single("E103", f"{e.fn} needs at least one argument", e.span)
        return _fold_extreme(e.fn, args)

    def walk_Aggregate(self, e: E.Aggregate, env: Mapping[str, int]) -> z3.ExprRef:
        lo = self.const_int(e.lo, env, "range bound")
        hi = self.const_int(e.hi, env, "range bound")
        if hi - lo + 1 > MAX_UNROLL:
            raise TooLarge.single("E202", f"aggregate over {hi - lo + 1} indices is too large to unroll",
                                  e.span)
        items: list[tuple[z3.BoolRef | None, z3.ExprRef]] = []
        for j in range(lo, hi + 1):
            sub = dict(env)
            sub[e.var] = j
            f: z3.BoolRef | None = None
            if e.filter is not None:
                f = self.boolean(self.walk(e.filter, sub), e.span)
                fb = as_bool(f)
                if fb is False:
                    continue
                if fb is True:
                    f = None
            items.append((f, self.walk(e.body, sub)))
        kind = e.kind
        if kind in ("count", "any", "all"):
            bs = [self.boolean(b, e.span) for _, b in items]
            conds = [b if f is None else z3.And(f, b) for (f, _), b in zip(items, bs)]
            if kind == "count":
                return z3.Sum(*[z3.If(c, rv(1), rv(0)) for c in conds]) if conds else rv(0)
            if kind == "any":
                return z3.Or(*conds) if conds else z3.BoolVal(False)
            alls = [b if f is None else z3.Implies(f, b) for (f, _), b in zip(items, bs)]
            return z3.And(*alls) if alls else z3.BoolVal(True)
        nums = [(f, self.num(b)) for f, b in items]
        if kind == "sum":
            terms = [b if f is None else z3.If(f, b, rv(0)) for f, b in nums]
            return z3.Sum(*terms) if terms else rv(0)
        if kind == "product":
            acc: z3.ArithRef = rv(1)
            for f, b in nums:
                acc = acc * (b if f is None else z3.If(f, b, rv(1)))
            return acc
        # min / max
        if not nums:
            raise SpecError.single("E203", f"{kind} over an empty range", e.span)
        if all(f is None for f, _ in nums):
            return _fold_extreme(kind, [b for _, b in nums])
        val: z3.ArithRef = rv(0)
        defined: z3.BoolRef = z3.BoolVal(False)
        better = (lambda a, b: a < b) if kind == "min" else (lambda a, b: a > b)
        for f, b in nums:
            cond = z3.BoolVal(True) if f is None else f
            take = z3.And(cond, z3.Or(z3.Not(defined), better(b, val)))
            val = z3.If(take, b, val)
            defined = z3.Or(defined, cond)
        self.guards.append(Guard(defined, "E203", f"{kind} over an empty set", e.span))
        return val

    def walk_PayoffOf(self, e: E.PayoffOf, env: Mapping[str, int]) -> z3.ExprRef:
        return self.payoff(self.agent_pos(e.agent, env))

    def walk_MetricOf(self, e: E.MetricOf, env: Mapping[str, int]) -> z3.ExprRef:
        return self.metric(e.name, e.span)


def _fold_extreme(fn: str, args: Sequence[z3.ArithRef]) -> z3.ArithRef:
    acc = args[0]
    for a in args[1:]:
        acc = z3.If(a < acc, a, acc) if fn == "min" else z3.If(a > acc, a, acc)
    return acc


# ------------------------------------------------------------ public API


def is_table_model(model: Model) -> bool:
    """A model whose payoffs live only in a cached table (a game file)."""
    return model._cache.get("game") is not None and all(
        isinstance(a.payoff, E.Num) and a.payoff.value == 0 for a in model.agents)


def _table_term(values: Any, den: int, xs: Sequence[z3.ArithRef], axis: int = 0,
                prefix: tuple[int, ...] = ()) -> z3.ArithRef:
    sub = values[prefix] if prefix else values
    if axis == len(xs):
        return rv(Fraction(int(sub), den))
    parts = [_table_term(values, den, xs, axis + 1, prefix + (a,)) for a in range(values.shape[axis])]
    acc = parts[-1]
    for a in range(len(parts) - 2, -1, -1):
        acc = z3.If(xs[axis] == a, parts[a], acc)
    return acc


def to_z3(model: Model, symbolic_params: frozenset[str] | set[str] = frozenset(),
          prefix: str = "x", check: bool = False, **_: Any) -> Z3Encoding:
    """Encode ``model``: action variables, payoff and metric terms, parameter
    variables for ``symbolic_params``, side conditions.  With ``check``,
    raise E201/E203 if some profile violates a side condition."""
    xs = [z3.Int(f"{prefix}_{k}") for k in range(len(model.agents))]
    pvars: dict[str, z3.ArithRef] = {}
    for name in sorted(symbolic_params):
        p = model.params.get(name)
        if p is None:
            from verigroup.diagnostics import did_you_mean
            raise SpecError.single("E109", f"no parameter {name!r}", NO_SPAN,
                                   did_you_mean(name, model.params))
        if p.structural:
            raise SpecError.single("E109", f"parameter {name!r} sets a family size and cannot be "
                                   "symbolic", p.span)
        pvars[name] = z3.Real(f"param_{name}")
    walker = Z3Walker(model, xs, pvars)
    if is_table_model(model):
        game = model._cache["game"]
        if game.num_profiles > TABLE_LIMIT:
            raise TooLarge.single("E202", f"the game table has {game.num_profiles} profiles; the Z3 "
                                  f"table encoding is limited to {TABLE_LIMIT}", NO_SPAN)
        payoffs = tuple(_table_term(t.values, t.denominator, xs) for t in game.payoffs)
        walker._payoff_memo.update(enumerate(payoffs))
        metrics = {name: _table_term(m.tensor.values, m.tensor.denominator, xs)
                   for name, m in game.metrics.items()}
    else:
        payoffs = tuple(walker.payoff(k) for k in range(len(model.agents)))
        metrics = {name: walker.metric(name) for name in model.metrics}
    domain = tuple(z3.And(x >= 0, x < len(a.actions)) for x, a in zip(xs, model.agents))
    enc = Z3Encoding(model, tuple(xs), domain, payoffs, metrics, pvars, tuple(walker.guards))
    enc._memo["walker"] = walker
    if check:
        check_guards(enc)
    return enc


def encode_expr(enc: Z3Encoding, expr: Any, env: Mapping[str, int] | None = None) -> z3.ExprRef:
    """Encode one more expression (a property condition) against ``enc``;
    any new guards are appended to ``enc``'s walker (see :func:`all_guards`)."""
    walker: Z3Walker = enc._memo["walker"]
    return walker.walk(expr, dict(env or {}))


def all_guards(enc: Z3Encoding) -> list[Guard]:
    return list(enc._memo["walker"].guards)


def check_guards(enc: Z3Encoding, extra: Sequence[z3.BoolRef] = (), timeout_ms: int | None = None) -> None:
    """Raise E201/E203 (with the offending profile) if a side condition fails
    at some profile (for some admissible value of the symbolic parameters
    satisfying ``extra``)."""
    for g in all_guards(enc):
        s = z3.Solver()
        if timeout_ms:
            s.set("timeout", timeout_ms)
        s.add(*enc.domain, *extra, z3.Not(g.cond))
        if s.check() == z3.sat:
            prof, params = back(enc, s.model())
            where = ", ".join(f"{a} = {v}" for a, v in prof.items())
            if params:
                where += "; " + ", ".join(f"{k} = {v}" for k, v in params.items())
            raise SpecError.single(g.code, f"{g.message} when {where}", g.span)


def back(enc: Z3Encoding, m: z3.ModelRef,
         xs: Sequence[z3.ArithRef] | None = None) -> tuple[dict[str, str], dict[str, Fraction]]:
    """Read a Z3 model back: agent name -> action name, and the symbolic
    parameters' exact values (algebraic values are approximated to 20
    decimals and flagged by :func:`param_exact`)."""
    return (dict(zip((a.name for a in enc.model.agents),
                     (enc.model.agents[k].actions[i] for k, i in enumerate(back_profile(enc, m, xs))))),
            back_params(enc, m))


def back_profile(enc: Z3Encoding, m: z3.ModelRef, xs: Sequence[z3.ArithRef] | None = None) -> tuple[int, ...]:
    xs = enc.action_vars if xs is None else xs
    out = []
    for x in xs:
        v = m.eval(x, model_completion=True)
        out.append(v.as_long())  # type: ignore[attr-defined]
    return tuple(out)


def back_params(enc: Z3Encoding, m: z3.ModelRef) -> dict[str, Fraction]:
    out: dict[str, Fraction] = {}
    for name, v in enc.param_vars.items():
        val = m.eval(v, model_completion=True)
        f = as_fraction(val)
        if f is None:  # algebraic number: a close rational (flagged by the caller)
            f = Fraction(val.as_decimal(20).rstrip("?"))  # type: ignore[attr-defined]
        out[name] = f
    return out


def value_at(enc: Z3Encoding, term: z3.ExprRef, profile: Sequence[int],
             params: Mapping[str, Fraction] | None = None) -> Fraction | bool:
    """The exact value of ``term`` at a concrete profile (and parameter values)."""
    pairs: list[tuple[z3.ExprRef, z3.ExprRef]] = [
        (x, z3.IntVal(a)) for x, a in zip(enc.action_vars, profile)]
    for name, v in (params or {}).items():
        if name in enc.param_vars:
            pairs.append((enc.param_vars[name], rv(v)))
    t = z3.simplify(z3.substitute(term, *pairs))
    if z3.is_bool(t):
        b = as_bool(t)
        if b is None:
            raise ValueError("term is not closed")
        return b
    f = as_fraction(t)
    if f is None:
        raise ValueError("term is not closed")
    return f
