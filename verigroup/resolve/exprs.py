"""AST expressions -> IR expressions, with name resolution and type checks.

Types are ``num`` and ``bool``; internally a reference may also be an
``agent`` (``a[j]``, ``planner``), which only makes sense beside ``==``/``!=``
or inside ``payoff(...)``.  Errors are collected in the context and a
placeholder is returned, so one pass reports many mistakes.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

from verigroup.diagnostics import Span, did_you_mean
from verigroup.model import expr as X
from verigroup.model import properties as P
from verigroup.resolve.context import CONST_AGGREGATE_LIMIT, Ctx, const_value, walk
from verigroup.syntax import ast as A

Mode = Literal["const", "expr", "term"]
Typed = tuple[Any, str]  # (IR node, "num" | "bool" | "agent" | "error")

AGGREGATES = ("sum", "count", "product", "min", "max", "any", "all")
BOOL_AGG = ("count", "any", "all")
PROPERTY_FUNCS = ("dominant", "strong_nash", "coalition_proof", "resilient", "immune", "robust",
                  "optimum_is_equilibrium", "pareto_efficient", "individually_rational")
TERM_FUNCS = ("best_equilibrium", "worst_equilibrium", "price_of_anarchy", "price_of_stability")
BUILTINS = ("min", "max", "abs", "payoff", "value", *AGGREGATES)
_CONCEPTS = {c.value: c for c in P.Concept}
ERR: Typed = (X.Num(Fraction(0)), "error")


class ExprResolver:
    def __init__(self, ctx: Ctx, mode: Mode, qvar: str | None = None) -> None:
        self.ctx = ctx
        self.mode = mode
        self.qvar = qvar

    # ------------------------------------------------------------ entry points
    def number(self, e: A.Expr, env: frozenset[str] = frozenset(), what: str = "this expression") -> X.Expr:
        ir, ty = self.res(e, env)
        return self._want(ir, ty, "num", e.span, what)  # type: ignore[no-any-return]

    def boolean(self, e: A.Expr, env: frozenset[str] = frozenset(), what: str = "this expression") -> X.Expr:
        ir, ty = self.res(e, env)
        return self._want(ir, ty, "bool", e.span, what)  # type: ignore[no-any-return]

    def _want(self, ir: Any, ty: str, want: str, span: Span, what: str) -> Any:
        if ty == "error" or ty == want:
            return ir
        words = {"num": "a number", "bool": "a condition (true/false)", "agent": "an agent"}
        hint = None
        if ty == "agent":
            hint = "compare the agent's action (a[i] == x) or use payoff(a[i])"
        elif want == "bool" and ty == "num":
            hint = "compare it, e.g. `x > 0`"
        self.ctx.error("E107", f"{what} must be {words[want]}, but it is {words.get(ty, ty)}", span, hint)
        return ir

    # ------------------------------------------------------------ dispatch
    def res(self, e: A.Expr, env: frozenset[str]) -> Typed:
        m = getattr(self, "r_" + type(e).__name__)
        return m(e, env)  # type: ignore[no-any-return]

    def r_ENum(self, e: A.ENum, env: frozenset[str]) -> Typed:
        return X.Num(e.value, e.span), "num"

    def r_EBool(self, e: A.EBool, env: frozenset[str]) -> Typed:
        return X.BoolConst(e.value, e.span), "bool"

    def r_EName(self, e: A.EName, env: frozenset[str]) -> Typed:
        n = e.name
        if n in env:
            return X.IndexVar(n, e.span), "num"
        if n in self.ctx.lets:  # language v2 (issue 8): `let n = ...`
            return self._expand(n, e.span, (), env)
        if n in self.ctx.params:
            return X.ParamRef(n, e.span), "num"
        ctx = self.ctx
        if n in ctx.state_vars and self.mode == "expr":
            return X.StateRef(n, e.span), "num"
        if self.mode == "const" and n in ctx.param_lines and n not in ctx.params:  # ---- LANG3 (issue 8)
            if n == ctx.param_in_progress:
                via = f" through {' -> '.join(ctx.let_stack)}" if ctx.let_stack else ""
                ctx.error("E106", f"param `{n}` is defined in terms of itself{via}", e.span,
                          "a param may use only earlier params (directly or through a `let`)")
            else:
                ctx.error("E101", f"param `{n}` is declared later (line {ctx.param_lines[n]}); a param may use "
                          "only earlier params", e.span, f"move `param {n}` above the param that uses it")
            return ERR
        if self.mode == "const":
            if n in ctx.names or n in ctx.all_actions():
                ctx.error("E107", f"`{n}` is not a constant: only numbers and earlier params are allowed here",
                          e.span)
                return ERR
            return self._undefined(e, env, list(ctx.params))
        if n in ctx.metric_decls:
            if self.mode == "term":
                hint = (f"write {n}({self.qvar}) for its value at the equilibrium `{self.qvar}`"
                        if self.qvar else f"write {n}(PROFILE) at a profile, max({n}) / min({n}), or quantify: "
                        f"for every nash p: {n}(p) ...")
                ctx.error("E110", f"the metric `{n}` needs a profile here", e.span, hint)
                return ERR
            return X.MetricOf(n, e.span), "num"
        fam = ctx.families.get(n)
        if fam is not None:
            if fam.single:
                return X.AgentRef(n, None, e.span), "agent"
            ctx.error("E107", f"`{n}` is an agent family; name one member", e.span, f"write {n}[i]")
            return ERR
        if n in ctx.profile_decls:
            ctx.error("E107", f"`{n}` is a profile; it can only be used in a property such as `nash {n}`", e.span)
            return ERR
        if n in ctx.all_actions():
            ctx.error("E101", f"`{n}` is an action, not a value", e.span,
                      f"compare an agent's action with it: a[i] == {n}")
            return ERR
        if n in ctx.stages:
            ctx.error("E107", f"`{n}` is a stage of the protocol; compare its move", e.span,
                      f"write {n} == {ctx.stages[n][1][0]}")
            return ERR
        if n in ctx.state_vars:
            ctx.error("E107", f"the state variable `{n}` can only be read in payoffs and the protocol", e.span)
            return ERR
        if self.qvar is not None and n == self.qvar:
            ctx.error("E110", f"`{n}` is an equilibrium; use it as metric({n}) or payoff(agent, {n})", e.span)
            return ERR
        cands = list(env) + list(ctx.params) + list(ctx.metric_decls) + list(ctx.families) + list(ctx.all_actions())
        return self._undefined(e, env, cands)

    def _undefined(self, e: A.EName, env: frozenset[str], cands: list[str]) -> Typed:
        self.ctx.error("E101", f"undefined name `{e.name}`", e.span, did_you_mean(e.name, cands))
        return ERR

    def r_EIndex(self, e: A.EIndex, env: frozenset[str]) -> Typed:
        return self.agent_ref(e.name, e.index, e.span, env)

    def agent_ref(self, name: str, index: A.Expr | None, span: Span, env: frozenset[str]) -> Typed:
        ctx = self.ctx
        fam = ctx.families.get(name)
        if fam is None:
            ctx.error("E101", f"undefined agent `{name}`", span, did_you_mean(name, ctx.families))
            return ERR
        if index is None:
            if not fam.single:
                ctx.error("E107", f"`{name}` is an agent family; name one member", span, f"write {name}[i]")
                return ERR
            return X.AgentRef(name, None, span), "agent"
        if fam.single:
            ctx.error("E107", f"`{name}` is a single agent; it takes no index", span, f"write {name}")
            return ERR
        sub = ExprResolver(ctx, "expr" if self.mode != "const" else "const", None)
        idx = sub.number(index, env, "an agent index")
        v = const_value(idx, ctx.param_values())
        if v is not None and fam.lo is not None and fam.hi is not None:
            if v.denominator != 1 or not fam.lo <= v <= fam.hi:
                ctx.error("E105", f"index {v} is out of range: `{name}` has members {fam.lo}..{fam.hi}",
                          index.span)
                return ERR
        return X.AgentRef(name, idx, span), "agent"

    def r_EUnary(self, e: A.EUnary, env: frozenset[str]) -> Typed:
        if e.op == "not":
            return X.Not(self.boolean(e.operand, env, "the operand of `not`"), e.span), "bool"
        operand = self.number(e.operand, env, f"the operand of unary `{e.op}`")
        if e.op == "+":
            return operand, "num"
        return X.Neg(operand, e.span), "num"

    def r_EBinary(self, e: A.EBinary, env: frozenset[str]) -> Typed:
        op = e.op
        if op == "implies":  # a implies b  ==  not a or b
            left = self.boolean(e.left, env, "the left side of `implies`")
            right = self.boolean(e.right, env, "the right side of `implies`")
            return X.Logic("or", X.Not(left, e.left.span), right, e.span), "bool"
        if op in ("and", "or"):
            left = self.boolean(e.left, env, f"the left side of `{op}`")
            right = self.boolean(e.right, env, f"the right side of `{op}`")
            return X.Logic(op, left, right, e.span), "bool"  # type: ignore[arg-type]
        if op in ("==", "!="):
            return self._equality(e, env)
        if op in ("<", "<=", ">", ">="):
            left = self.number(e.left, env, f"the left side of `{op}`")
            right = self.number(e.right, env, f"the right side of `{op}`")
            return X.Compare(op, left, right, e.span), "bool"  # type: ignore[arg-type]
        left = self.number(e.left, env, f"the left side of `{op}`")
        right = self.number(e.right, env, f"the right side of `{op}`")
        if op == "^":
            v = const_value(right, self.ctx.param_values(), None)
            if v is None or v.denominator != 1:
                self.ctx.error("E107", "the exponent of `^` must be an integer constant", e.right.span,
                               "an integer-valued expression of numbers and params, e.g. x ^ (n - 1); "
                               "write x * x for a product of actions")
                return ERR
            if abs(v) > 64:
                self.ctx.error("E107", f"the exponent {v} is too large (at most 64)", e.right.span)
                return ERR
        if op == "/":
            v = const_value(right, self.ctx.param_values())
            if v == 0:
                self.ctx.error("E201", "division by zero", e.span)
                return ERR
        return X.Arith(op, left, right, e.span), "num"  # type: ignore[arg-type]

    def _is_agent_ast(self, e: A.Expr, env: frozenset[str]) -> bool:
        if isinstance(e, A.EIndex):
            return e.name in self.ctx.families
        if isinstance(e, A.EName) and e.name not in env and e.name not in self.ctx.params:
            fam = self.ctx.families.get(e.name)
            return fam is not None
        return False

    def _stage_name(self, e: A.Expr, env: frozenset[str]) -> str | None:
        if (isinstance(e, A.EName) and e.name in self.ctx.stages and e.name not in env
                and e.name not in self.ctx.params and e.name not in self.ctx.families):
            return e.name
        return None

    def _equality(self, e: A.EBinary, env: frozenset[str]) -> Typed:
        negate = e.op == "!="
        st = self._stage_name(e.left, env) or self._stage_name(e.right, env)
        if st is not None and self.mode == "expr":
            other = e.right if self._stage_name(e.left, env) == st else e.left
            who, acts = self.ctx.stages[st]
            if isinstance(other, A.EName) and other.name in acts:
                return X.MoveIs(st, other.name, negate, e.span), "bool"
            name = other.name if isinstance(other, A.EName) else "this"
            self.ctx.error("E104", f"`{name}` is not a move of the stage `{st}` (its moves are "
                           f"{', '.join(acts)})", other.span, did_you_mean(name, acts))
            return ERR
        la, ra = self._is_agent_ast(e.left, env), self._is_agent_ast(e.right, env)
        if (la or ra) and self.mode == "term":
            self.ctx.error("E110", "an action test has no profile to read in a property", e.span,
                           "use a property form (nash {a: x}), a metric at a profile or equilibrium, "
                           "or move the test into a metric")
            return ERR
        if la or ra:
            agent_side, other = (e.left, e.right) if la else (e.right, e.left)
            ref, ty = self.res(agent_side, env)
            if ty == "error":
                return ERR
            if la and ra:
                ref2, ty2 = self.res(other, env)
                if ty2 == "error":
                    return ERR
                return X.SameAction(ref, ref2, negate, e.span), "bool"
            fam = self.ctx.families[ref.family]
            if isinstance(other, A.EName) and other.name in fam.actions:
                return X.ActionIs(ref, other.name, negate, e.span), "bool"
            if isinstance(other, A.EName) and other.name not in env and other.name not in self.ctx.params:
                who = ref.family if fam.single else f"{ref.family}[...]"
                self.ctx.error("E104", f"`{other.name}` is not an action of {who} "
                               f"(its actions are {', '.join(fam.actions)})", other.span,
                               did_you_mean(other.name, fam.actions))
                return ERR
            self.ctx.error("E107", "an agent can only be compared with one of its actions or with another agent",
                           other.span, f"write {ref.family}{'' if fam.single else '[i]'} == {fam.actions[0]}")
            return ERR
        left, lt = self.res(e.left, env)
        right, rt = self.res(e.right, env)
        if "error" in (lt, rt):
            return ERR
        if lt != rt:
            self.ctx.error("E107", f"cannot compare a {_tname(lt)} with a {_tname(rt)}", e.span)
            return ERR
        return X.Compare(e.op, left, right, e.span), "bool"  # type: ignore[arg-type]

    def r_ECond(self, e: A.ECond, env: frozenset[str]) -> Typed:
        cond = self.boolean(e.cond, env, "the condition of `if`")
        then, tt = self.res(e.then, env)
        other, ot = self.res(e.otherwise, env)
        if "error" in (tt, ot):
            return ERR
        if tt != ot or tt == "agent":
            self.ctx.error("E107", f"both branches of `if ... else` must have the same type "
                           f"(here {_tname(tt)} and {_tname(ot)})", e.span)
            return ERR
        return X.Cond(cond, then, other, e.span), tt

    # ------------------------------------------------------------ calls
    # ---- language v2 (issue 8): definitions and valued actions
    def _expand(self, name: str, span: Span, args: tuple[A.Expr, ...], env: frozenset[str]) -> Typed:
        from verigroup.resolve.definitions import expansion_allowed, rename_bound, substitute

        ctx = self.ctx
        d = ctx.lets[name]
        want = len(d.params) if d.params is not None else None
        if want is None and args:
            ctx.error("E103", f"`{name}` is a definition without parameters; write `{name}`", span)
            return ERR
        if want is not None and len(args) != want:
            names = ", ".join(p for p, _ in d.params or ())
            ctx.error("E103", f"`{name}` takes {want} argument{'s' if want != 1 else ''} ({names}); "
                      f"{len(args)} given", span)
            return ERR
        if not expansion_allowed(ctx, name, span):
            return ERR
        body = rename_bound(d.body, "'" + str(ctx.let_expansions))  # unique per expansion (LANG3)
        from verigroup.resolve.definitions import EArg, mentions_let

        # LANG3: an argument that uses a definition is resolved with the caller's stack (sq(sq(x)) is no cycle)
        args = tuple(EArg(a, tuple(ctx.let_stack), a.span) if mentions_let(ctx, a) else a  # type: ignore[misc]
                     for a in args)
        body = substitute(body, {p: a for (p, _), a in zip(d.params or (), args)}) if args else body
        ctx.let_stack.append(name)
        try:
            n_before = len(ctx.diags)
            out = self.res(body, env)
            new = ctx.diags[n_before:]
            if new and not any(x.span.line == span.line or x.code in ("E106", "E007") for x in new) \
                    and not any(x.message.startswith("in this use of") for x in new):
                ctx.error("E107", f"in this use of `{name}` (defined on line {d.span.line})", span,
                          "the errors above are in the definition, as expanded here")
            return out
        finally:
            ctx.let_stack.pop()

    def r_EArg(self, e: Any, env: frozenset[str]) -> Typed:
        """A definition's argument, with the caller's definition stack (LANG3)."""
        saved = self.ctx.let_stack
        self.ctx.let_stack = list(e.stack)
        try:
            return self.res(e.expr, env)
        finally:
            self.ctx.let_stack = saved

    def _value(self, e: A.ECall, env: frozenset[str]) -> Typed:
        from verigroup.resolve.definitions import value_expr

        ctx = self.ctx
        arg = e.args[0] if len(e.args) == 1 else None
        # ---- LANG3 (issue 8): value(STAGE) reads a valued protocol move; 0 where the stage was not played
        if (isinstance(arg, A.EName) and arg.name in ctx.stages and arg.name not in env
                and not (arg.name in ctx.families and ctx.families[arg.name].values)):
            vals = ctx.stage_values.get(arg.name)
            if vals == {}:  # its values were refused already
                return ERR
            if not vals:
                acts = ctx.stages[arg.name][1]
                ctx.error("E110", f"the moves of stage `{arg.name}` carry no values", arg.span,
                          f"give them values: chooses {', '.join(f'{a} = ...' for a in acts[:3])}")
                return ERR
            return value_expr(arg.name, vals, tuple(vals), e.span, X.Num(Fraction(0), e.span)), "num"
        if arg is None or not self._is_agent_ast(arg, env):
            ctx.error("E103", "value(...) takes one agent, e.g. value(a[i])", e.span,
                      "or, in a protocol, a stage with valued moves: value(STAGE)" if ctx.plan is not None else None)
            return ERR
        ref, ty = self.res(arg, env)
        if ty == "error":
            return ERR
        fam = ctx.families[ref.family]
        if not fam.values:
            ctx.error("E110", f"the actions of `{ref.family}` carry no values", arg.span,
                      f"declare them with values: actions {', '.join(f'{a} = ...' for a in fam.actions[:3])}")
            return ERR
        default = X.Num(Fraction(0), e.span) if ctx.plan is not None else None  # LANG3: a move not made reads 0
        return value_expr(ref, fam.values, fam.actions, e.span, default), "num"

    def r_ECall(self, e: A.ECall, env: frozenset[str]) -> Typed:
        ctx, fn, args = self.ctx, e.fn, e.args
        if fn in ctx.lets:
            return self._expand(fn, e.span, args, env)
        if fn == "value" and fn not in ctx.metric_decls:
            if self.mode == "expr":
                return self._value(e, env)
            ctx.error("E110" if self.mode == "term" else "E107",
                      "value(...) reads the action an agent plays; it belongs in payoffs, metrics and definitions",
                      e.fn_span, "in a property, `value(AGENT) >= q` on its own is the zero-sum game value; "
                      "for the value of an action define a metric (metric v = value(row)) and read it at a "
                      "profile or equilibrium: v(coop), v(p)" if self.mode == "term" else None)
            return ERR
        if self.mode == "term":
            t = self._term_call(e, env)
            if t is not None:
                return t
        if fn in PROPERTY_FUNCS:
            ctx.error("E110", f"`{fn}(...)` is a whole property; it cannot be part of an expression",
                      e.fn_span, f'write it alone: property "...": {fn}(...)')
            return ERR
        if fn in TERM_FUNCS:
            ctx.error("E110", f"`{fn}(...)` can only be used in a property", e.fn_span)
            return ERR
        if self.mode == "const" and fn not in ("min", "max", "abs"):
            ctx.error("E107", f"`{fn}(...)` is not a constant", e.fn_span)
            return ERR
        if fn in ("min", "max", "abs"):
            if fn == "abs" and len(args) != 1:
                ctx.error("E103", f"abs takes exactly 1 argument ({len(args)} given)", e.span)
                return ERR
            if fn != "abs" and len(args) < 2:
                hint = (f"write {fn}(i in 1..n: ...) for an aggregate" if len(args) == 1 else None)
                ctx.error("E103", f"{fn} takes at least 2 arguments ({len(args)} given)", e.span, hint)
                return ERR
            irs = tuple(self.number(a, env, f"an argument of {fn}") for a in args)
            return X.Call(fn, irs, e.span), "num"  # type: ignore[arg-type]
        if fn == "payoff":
            if len(args) != 1:
                ctx.error("E103", f"payoff takes exactly 1 argument, an agent ({len(args)} given)", e.span)
                return ERR
            if not self._is_agent_ast(args[0], env):
                ctx.error("E107", "payoff(...) takes an agent, e.g. payoff(a[i])", args[0].span)
                return ERR
            ref, ty = self.res(args[0], env)
            if ty == "error":
                return ERR
            return X.PayoffOf(ref, e.span), "num"
        if fn in AGGREGATES:
            ctx.error("E107", f"{fn} needs an index variable: {fn}(j in 1..n: ...)", e.span)
            return ERR
        if fn in ctx.metric_decls:
            ctx.error("E107", f"`{fn}` is a metric, not a function", e.fn_span, f"write {fn}")
            return ERR
        if fn == "verified" and self.mode == "expr":  # verification stage (issue 14)
            from verigroup.resolve.verify_stage import verified_expr

            got = verified_expr(ctx, e)
            return ERR if got is None else (got, "num")
        ctx.error("E101", f"unknown function `{fn}`", e.fn_span,
                  did_you_mean(fn, BUILTINS + PROPERTY_FUNCS + TERM_FUNCS))
        return ERR

    def r_EAggregate(self, e: A.EAggregate, env: frozenset[str]) -> Typed:
        ctx = self.ctx
        if e.fn not in AGGREGATES:
            ctx.error("E101", f"unknown aggregate `{e.fn}`", e.span, did_you_mean(e.fn, AGGREGATES))
            return ERR
        if self.mode == "const":
            return self._const_aggregate(e, env)
        if e.var in env or e.var in ctx.params or e.var in ctx.names:
            ctx.error("E102", f"`{e.var}` is already defined; choose another index variable", e.var_span)
            return ERR
        lo = hi = None
        if e.lo is not None and e.hi is not None:
            lo = self.number(e.lo, env, "the lower bound")
            hi = self.number(e.hi, env, "the upper bound")
        inner = env | {e.var}
        flt = self.boolean(e.filter, inner, "the filter") if e.filter is not None else None
        if e.fn in BOOL_AGG:
            body = self.boolean(e.body, inner, f"the body of {e.fn}")
        else:
            body = self.number(e.body, inner, f"the body of {e.fn}")
        if lo is None:
            fams = sorted({n.family for n in walk(body) if isinstance(n, X.AgentRef) and n.index is not None
                           and any(isinstance(m, X.IndexVar) and m.name == e.var for m in walk(n.index))})
            if len(fams) != 1:
                why = "it indexes no agent family" if not fams else f"it indexes several families ({', '.join(fams)})"
                ctx.error("E112", f"cannot infer the range of `{e.var}`: {why}", e.var_span,
                          f"give the range: {e.fn}({e.var} in 1..n: ...)")
                return ERR
            fam = ctx.families[fams[0]]
            lo, hi = fam.lo_ir, fam.hi_ir
        ty = "bool" if e.fn in ("any", "all") else "num"
        return X.Aggregate(e.fn, e.var, lo, hi, body, flt, e.span), ty  # type: ignore[arg-type]

    def _const_aggregate(self, e: A.EAggregate, env: frozenset[str]) -> Typed:
        """``sum(i in 1..k: 1/i)`` in a constant context (issue 8): the range
        must be constant and at most CONST_AGGREGATE_LIMIT terms long."""
        ctx = self.ctx
        if e.fn in ("any", "all"):
            ctx.error("E107", f"`{e.fn}(...)` is a condition, not a constant number", e.span)
            return ERR
        if e.lo is None or e.hi is None:
            ctx.error("E107", f"`{e.fn}(...)` in a constant needs a constant range", e.var_span,
                      f"write {e.fn}({e.var} in 1..k: ...)")
            return ERR
        if e.var in env or e.var in ctx.params or e.var in ctx.names:
            ctx.error("E102", f"`{e.var}` is already defined; choose another index variable", e.var_span)
            return ERR
        lo = self.number(e.lo, env, "the lower bound")
        hi = self.number(e.hi, env, "the upper bound")
        lv, hv = const_value(lo, ctx.param_values()), const_value(hi, ctx.param_values())
        if lv is not None and hv is not None:
            if lv.denominator != 1 or hv.denominator != 1:
                ctx.error("E107", "the bounds of a range must be integers", e.lo.span if lv.denominator != 1
                          else e.hi.span)
                return ERR
            if hv - lv + 1 > CONST_AGGREGATE_LIMIT:
                ctx.error("E107", f"the range {lv}..{hv} has {hv - lv + 1} terms; a constant aggregate "
                          f"folds at most {CONST_AGGREGATE_LIMIT}", e.span, "use a smaller range")
                return ERR
        inner = env | {e.var}
        flt = self.boolean(e.filter, inner, "the filter") if e.filter is not None else None
        if e.fn == "count":
            body = self.boolean(e.body, inner, f"the body of {e.fn}")
        else:
            body = self.number(e.body, inner, f"the body of {e.fn}")
        outer = [n for n in walk(body) if isinstance(n, X.Aggregate)]
        total = (int(hv - lv + 1) if lv is not None and hv is not None else 1)
        for n in outer:
            a, b = const_value(n.lo, ctx.param_values()), const_value(n.hi, ctx.param_values())
            if a is None or b is None:
                ctx.error("E107", "a nested constant aggregate needs a range that does not depend on the "
                          "outer index", n.span, "give it constant bounds")
                return ERR
            total *= max(1, int(b - a + 1))
        if total > CONST_AGGREGATE_LIMIT:
            ctx.error("E107", f"nested constant aggregates fold {total} terms; at most {CONST_AGGREGATE_LIMIT}",
                      e.span, "use smaller ranges")
            return ERR
        return X.Aggregate(e.fn, e.var, lo, hi, body, flt, e.span), "num"  # type: ignore[arg-type]

    def r_EConcept(self, e: A.EConcept, env: frozenset[str]) -> Typed:
        self.ctx.error("E107", "a solution concept is not allowed here", e.span)
        return ERR

    def r_EDict(self, e: A.EDict, env: frozenset[str]) -> Typed:
        self.ctx.error("E107", "a profile {...} is not allowed here", e.span)
        return ERR

    def r_EAllProfile(self, e: A.EAllProfile, env: frozenset[str]) -> Typed:
        self.ctx.error("E107", "a profile `all ...` is not allowed here", e.span)
        return ERR

    def r_EProp(self, e: A.EProp, env: frozenset[str]) -> Typed:
        # ---- property algebra (issue 8)
        what = {"PNash": "`nash ...`", "PExists": "`exists`/`unique`", "PQuant": "a `for every/some` quantifier",
                "PPlay": "a play property", "PEnforce": "an `enforce` property",
                "PTerm": "a `strictly`/`weakly`/`commitment` property"}.get(type(e.body).__name__, "a property")
        self.ctx.error("E110", f"{what} is a whole property; it cannot be part of an expression or term",
                       e.span, "combine whole properties with not / and / or / implies at the top of a "
                       "property body, e.g. (nash coop) and (exists nash)")
        return ERR

    def r_EKwarg(self, e: A.EKwarg, env: frozenset[str]) -> Typed:
        self.ctx.error("E107", f"the named argument `{e.name} = ...` is not allowed here", e.span)
        return ERR

    # ------------------------------------------------------------ property terms
    def _metric_arg(self, e: A.ECall, k: int = 0) -> str | None:
        if len(e.args) <= k or not isinstance(e.args[k], A.EName):
            self.ctx.error("E110", f"{e.fn}(...) takes a metric name", e.span)
            return None
        name = e.args[k].name  # type: ignore[union-attr]
        if name not in self.ctx.metric_decls:
            self.ctx.error("E101", f"undefined metric `{name}`", e.args[k].span,
                           did_you_mean(name, self.ctx.metric_decls))
            return None
        return name

    def concept_arg(self, e: A.ECall, k: int) -> P.Concept | None:
        if len(e.args) <= k:
            return P.Concept.PURE_NASH
        a = e.args[k]
        if isinstance(a, A.EConcept):
            return _CONCEPTS[a.concept]
        self.ctx.error("E110", "expected a solution concept (nash, mixed, correlated, coarse_correlated, spe)",
                       a.span)
        return None

    def _is_profile_ast(self, e: A.Expr) -> bool:
        """A named profile (not shadowed by the equilibrium variable), ``{...}`` or ``all x``."""
        if isinstance(e, (A.EDict, A.EAllProfile)):
            return True
        return isinstance(e, A.EName) and e.name != self.qvar and e.name in self.ctx.profile_decls

    def _profile(self, e: A.Expr) -> P.Profile | None:
        from verigroup.resolve.profiles import resolve_profile

        return resolve_profile(self.ctx, e)

    def _term_call(self, e: A.ECall, env: frozenset[str]) -> Typed | None:
        ctx, fn, args = self.ctx, e.fn, e.args
        if fn in ctx.metric_decls:
            if len(args) != 1 or not (isinstance(args[0], A.EName) or self._is_profile_ast(args[0])):
                ctx.error("E103", f"{fn}(...) takes one equilibrium variable or one profile", e.span,
                          _inline_optimiser_hint(args))
                return ERR
            if self._is_profile_ast(args[0]):
                prof = self._profile(args[0])
                return (ERR if prof is None else (P.MetricAtProfile(fn, prof, e.span), "num"))
            assert isinstance(args[0], A.EName)
            var = args[0].name
            if var != self.qvar:
                ctx.error("E110", f"`{var}` is not the quantified equilibrium variable", args[0].span,
                          f"write {fn}({self.qvar})" if self.qvar else
                          f"quantify it: for every nash {var}: {fn}({var}) ...")
                return ERR
            return P.MetricAt(fn, var, e.span), "num"
        if fn == "payoff":
            if len(args) == 2 and self._is_profile_ast(args[1]):
                if not self._is_agent_ast(args[0], env):
                    ctx.error("E107", "payoff(...) takes an agent first, e.g. payoff(row, coop)", args[0].span)
                    return ERR
                ref, ty = self.res(args[0], env)
                prof = self._profile(args[1])
                if ty == "error" or prof is None:
                    return ERR
                return P.PayoffAtProfile(ref, prof, e.span), "num"
            if len(args) == 2:
                if not (isinstance(args[1], A.EName) and args[1].name == self.qvar):
                    got = f"`{args[1].name}` is" if isinstance(args[1], A.EName) else "this is"
                    cands = ([self.qvar] if self.qvar else []) + list(ctx.profile_decls)
                    ctx.error("E110", f"the second argument of payoff must be the quantified equilibrium variable "
                              f"or a profile; {got} neither", args[1].span,
                              did_you_mean(args[1].name, cands) if isinstance(args[1], A.EName) else
                              _inline_optimiser_hint(args[1:]) or
                              "write payoff(agent, p) or payoff(agent, {a: x, b: y})")
                    return ERR
                if not self._is_agent_ast(args[0], env):
                    ctx.error("E107", "payoff(...) takes an agent first, e.g. payoff(a[1], p)", args[0].span)
                    return ERR
                ref, ty = self.res(args[0], env)
                if ty == "error":
                    return ERR
                return P.PayoffAt(ref, args[1].name, e.span), "num"  # type: ignore[union-attr]
            ctx.error("E110", "payoff needs an equilibrium here", e.span,
                      f"write payoff(agent, {self.qvar or 'p'})")
            return ERR
        if fn in ("max", "min") and len(args) == 1 and isinstance(args[0], A.EName) \
                and args[0].name in ctx.metric_decls:
            return P.MetricExtreme(args[0].name, fn, e.span), "num"  # type: ignore[arg-type]
        if fn == "count" and len(args) == 1 and isinstance(args[0], A.EConcept):
            return P.EquilibriumCount(_CONCEPTS[args[0].concept], e.span), "num"
        if fn in TERM_FUNCS:
            if not 1 <= len(args) <= 2:
                ctx.error("E103", f"{fn} takes a metric and an optional solution concept", e.span)
                return ERR
            m = self._metric_arg(e)
            c = self.concept_arg(e, 1)
            if m is None or c is None:
                return ERR
            if fn.startswith("price_of_"):
                return P.PriceOf(fn[len("price_of_"):], m, c, e.span), "num"  # type: ignore[arg-type]
            return P.EquilibriumValue(m, fn.split("_")[0], c, e.span), "num"  # type: ignore[arg-type]
        return None


def _tname(t: str) -> str:
    return {"num": "number", "bool": "condition", "agent": "agent"}.get(t, t)


def _inline_optimiser_hint(args: tuple[A.Expr, ...]) -> str | None:
    """``welfare(argmax(welfare))``: name the profile first (LANG3)."""
    a = args[0] if len(args) == 1 else None
    if isinstance(a, A.ECall) and a.fn in ("argmax", "argmin") and len(a.args) == 1 \
            and isinstance(a.args[0], A.EName):
        return f"name it first: profile best = {a.fn}({a.args[0].name}), then use `best`"
    return None
