"""IR -> count expressions: the anonymity check of the counting view.

:class:`Compiler` walks each family's payoff rule (and each metric) and
builds a :class:`~verigroup.model.counting.CExpr` over counts.  It succeeds
only when every reference to a family member is the member itself, a member
bound by an aggregate over the whole family, or a single agent; otherwise it
raises :class:`~verigroup.model.counting.NotAnonymous` with the span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterator

from verigroup.model import expr as X
from verigroup.model.counting import (
    FALSE, ONE, TRUE, ZERO, C, CExpr, Cmp, CountingView, Fn, K, Neg, NotAnonymous, P, Population, Present,
    mk_bin, mk_ite, mk_lg, mk_not, populations,
)
from verigroup.model.model import Model


# Binding of an aggregate variable: (family, action index, is-self flag or None)
Member = tuple[str, int, "bool | None"]


@dataclass
class Env:
    own: tuple[str, int] | None = None  # (family, action) of the payoff's owner
    own_var: str | None = None
    members: dict[str, Member] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)


class Compiler:
    MAX_UNROLL = 1000

    def __init__(self, model: Model) -> None:
        self.model = model
        self.pops = populations(model)
        self.by_name = {p.name: p for p in self.pops}
        self.params = model.param_values()
        self.rules: dict[str, tuple[X.Expr, str | None]] = {}
        self.memo_payoff: dict[tuple[str, int], CExpr] = {}
        self.memo_metric: dict[str, CExpr] = {}
        self.active: set[object] = set()
        self.symbolic_ranges = True

    # -------------------------------------------------------------- build
    def build(self) -> CountingView:
        for p in self.pops:
            members = [a for a in self.model.agents if a.family == p.name]
            first = members[0]
            var = first.bindings[0][0] if first.bindings else None
            for a in members[1:]:
                if a.payoff is not first.payoff and a.payoff != first.payoff:
                    raise NotAnonymous(f"`{a.name}` has a payoff rule of its own, unlike `{first.name}`",
                                       a.payoff.span if hasattr(a.payoff, "span") else a.span, p.name)
            if not p.single and var is None:
                # ``payoff a[1] = ...`` for a one-member family, or no rule
                if len(members) > 1:
                    raise NotAnonymous(f"the members of `{p.name}` have member-specific payoff rules",
                                       first.span, p.name)
            self.rules[p.name] = (first.payoff, var)
        payoff = {(p.name, k): self.payoff_of(p.name, k) for p in self.pops for k in range(len(p.actions))}
        metrics: dict[str, CExpr] = {}
        errors: dict[str, NotAnonymous] = {}
        for name in self.model.metrics:
            try:
                metrics[name] = self.metric_of(name)
            except NotAnonymous as exc:
                errors[name] = exc
        return CountingView(self.model, self.pops, payoff, metrics, errors, self.params, self.symbolic_ranges)

    def payoff_of(self, fam: str, act: int) -> CExpr:
        key = (fam, act)
        if key not in self.memo_payoff:
            expr, var = self.rules[fam]
            if key in self.active:  # the resolver rejects cycles; be safe
                raise NotAnonymous(f"cyclic payoff of `{fam}`")
            self.active.add(key)
            try:
                self.memo_payoff[key] = self.c(expr, Env((fam, act), var))
            except NotAnonymous as exc:
                if exc.family is None:
                    exc.family = fam
                raise
            self.active.discard(key)
        return self.memo_payoff[key]

    def metric_of(self, name: str) -> CExpr:
        if name not in self.memo_metric:
            if name in self.active:
                raise NotAnonymous(f"cyclic metric `{name}`")
            self.active.add(name)
            self.memo_metric[name] = self.c(self.model.metrics[name].expr, Env())
            self.active.discard(name)
        return self.memo_metric[name]

    # -------------------------------------------------------------- agents
    def member(self, ref: X.AgentRef, env: Env) -> tuple[str, int | None, bool | None]:
        """(family, action index if known, is-self flag) of a reference;
        action None means "a single agent, action read from its counts"."""
        fam = ref.family
        pop = self.by_name.get(fam)
        if pop is None:
            raise NotAnonymous(f"unknown agent `{fam}`", ref.span)
        if ref.index is None:
            if env.own is not None and env.own[0] == fam:
                return fam, env.own[1], True
            return fam, None, None
        ix = ref.index
        if isinstance(ix, X.IndexVar):
            if ix.name in env.members:
                f, a, flag = env.members[ix.name]
                if f != fam:
                    raise NotAnonymous(f"`{ix.name}` ranges over `{f}` but indexes `{fam}`", ref.span)
                return fam, a, flag
            if ix.name == env.own_var and env.own is not None and env.own[0] == fam:
                return fam, env.own[1], True
        raise NotAnonymous(f"`{fam}[...]` names one member of the family (payoffs must treat its members "
                           "alike: use the member itself or an aggregate over the whole family)", ref.span)

    def single_is(self, fam: str, act_name: str) -> CExpr:
        pop = self.by_name[fam]
        if act_name not in pop.actions:
            return FALSE
        return Cmp(">=", K(fam, pop.actions.index(act_name)), ONE)

    # -------------------------------------------------------------- exprs
    def c(self, e: X.Expr, env: Env) -> CExpr:
        m = getattr(self, "c_" + type(e).__name__, None)
        if m is None:
            raise NotAnonymous(f"{type(e).__name__} is not supported in counting space", X.span_of(e))
        return m(e, env)  # type: ignore[no-any-return]

    def c_Num(self, e: X.Num, env: Env) -> CExpr:
        return C(e.value)

    def c_BoolConst(self, e: X.BoolConst, env: Env) -> CExpr:
        return C(e.value)

    def c_ParamRef(self, e: X.ParamRef, env: Env) -> CExpr:
        return P(e.name)

    def c_IndexVar(self, e: X.IndexVar, env: Env) -> CExpr:
        if e.name in env.numbers:
            return C(Fraction(env.numbers[e.name]))
        raise NotAnonymous(f"the index `{e.name}` is used as a number: the payoff would depend on which "
                           "member an agent is", e.span)

    def c_ActionIs(self, e: X.ActionIs, env: Env) -> CExpr:
        fam, act, _ = self.member(e.agent, env)
        pop = self.by_name[fam]
        if act is None:
            r = self.single_is(fam, e.action)
        else:
            r = C(pop.actions[act] == e.action)
        return mk_not(r) if e.negate else r

    def c_SameAction(self, e: X.SameAction, env: Env) -> CExpr:
        fa, aa, _ = self.member(e.left, env)
        fb, ab, _ = self.member(e.right, env)
        pa, pb = self.by_name[fa], self.by_name[fb]
        opts_a = [pa.actions[aa]] if aa is not None else list(pa.actions)
        opts_b = [pb.actions[ab]] if ab is not None else list(pb.actions)
        r: CExpr = FALSE
        for name in opts_a:
            if name not in opts_b:
                continue
            ca = TRUE if aa is not None else self.single_is(fa, name)
            cb = TRUE if ab is not None else self.single_is(fb, name)
            r = mk_lg("or", r, mk_lg("and", ca, cb))
        return mk_not(r) if e.negate else r

    def c_Neg(self, e: X.Neg, env: Env) -> CExpr:
        x = self.c(e.operand, env)
        return C(-x.value) if isinstance(x, C) and not isinstance(x.value, bool) else Neg(x)

    def c_Not(self, e: X.Not, env: Env) -> CExpr:
        return mk_not(self.c(e.operand, env))

    def c_Arith(self, e: X.Arith, env: Env) -> CExpr:
        return mk_bin(e.op, self.c(e.left, env), self.c(e.right, env))

    def c_Compare(self, e: X.Compare, env: Env) -> CExpr:
        if isinstance(e.left, X.IndexVar) and isinstance(e.right, X.IndexVar) and e.op in ("==", "!="):
            flag = self._self_compare(e.left.name, e.right.name, env)
            if flag is not None:
                return C(flag if e.op == "==" else not flag)
        a, b = self.c(e.left, env), self.c(e.right, env)
        if isinstance(a, C) and isinstance(b, C):
            x, y = a.value, b.value
            ops = {"==": x == y, "!=": x != y}
            if e.op in ops:
                return C(ops[e.op])
            if not isinstance(x, bool) and not isinstance(y, bool):
                fx, fy = Fraction(x), Fraction(y)
                return C({"<": fx < fy, "<=": fx <= fy, ">": fx > fy, ">=": fx >= fy}[e.op])
        return Cmp(e.op, a, b)

    def _self_compare(self, x: str, y: str, env: Env) -> bool | None:
        for agg, own in ((x, y), (y, x)):
            if agg in env.members and own == env.own_var:
                flag = env.members[agg][2]
                if flag is None:
                    raise NotAnonymous("internal: self comparison without a split aggregate")
                return flag
        return None

    def c_Logic(self, e: X.Logic, env: Env) -> CExpr:
        return mk_lg(e.op, self.c(e.left, env), self.c(e.right, env))

    def c_Cond(self, e: X.Cond, env: Env) -> CExpr:
        return mk_ite(self.c(e.cond, env), self.c(e.then, env), self.c(e.otherwise, env))

    def c_Call(self, e: X.Call, env: Env) -> CExpr:
        args = tuple(self.c(a, env) for a in e.args)
        if all(isinstance(a, C) for a in args):
            vals = [Fraction(a.value) for a in args]  # type: ignore[union-attr, arg-type]
            return C(min(vals) if e.fn == "min" else max(vals) if e.fn == "max" else abs(vals[0]))
        return Fn(e.fn, args)

    def c_MetricOf(self, e: X.MetricOf, env: Env) -> CExpr:
        return self.metric_of(e.name)

    def c_PayoffOf(self, e: X.PayoffOf, env: Env) -> CExpr:
        fam, act, flag = self.member(e.agent, env)
        if act is not None:
            if flag is True and env.own is not None and env.own[0] == fam:
                raise NotAnonymous("a payoff cannot read itself", e.span)
            return self.payoff_of(fam, act)
        pop = self.by_name[fam]
        r: CExpr = self.payoff_of(fam, len(pop.actions) - 1)
        for k in range(len(pop.actions) - 2, -1, -1):
            r = mk_ite(Cmp(">=", K(fam, k), ONE), self.payoff_of(fam, k), r)
        return r

    # ---------------------------------------------------------- aggregates
    def c_Aggregate(self, e: X.Aggregate, env: Env) -> CExpr:
        fams = sorted({n.agent.family if isinstance(n, (X.ActionIs, X.PayoffOf)) else n.family
                       for n in _walk_ir([e.body] + ([e.filter] if e.filter is not None else []))
                       if isinstance(n, X.AgentRef) and isinstance(n.index, X.IndexVar)
                       and n.index.name == e.var})
        if not fams:
            return self._unrolled(e, env)
        if len(fams) > 1:
            raise NotAnonymous(f"`{e.var}` indexes several families ({', '.join(fams)})", e.span)
        fam = fams[0]
        pop = self.by_name[fam]
        if pop.single:
            raise NotAnonymous(f"`{fam}` is a single agent", e.span)
        self._check_range(e, pop)
        if e.kind == "product":
            raise NotAnonymous("a product over the members of a family is not supported in counting space",
                               e.span)
        split = (env.own is not None and env.own[0] == fam and env.own_var is not None
                 and _uses_self_compare(e, env.own_var))
        items: list[tuple[CExpr, CExpr]] = []  # (weight, value) per class
        for k in range(len(pop.actions)):
            if split:
                assert env.own is not None
                w = mk_bin("-", K(fam, k), C(Fraction(1 if k == env.own[1] else 0)))
                items.append((w, self._agg_body(e, env, (fam, k, False))))
            else:
                items.append((K(fam, k), self._agg_body(e, env, (fam, k, None))))
        if split:
            assert env.own is not None
            items.append((ONE, self._agg_body(e, env, (fam, env.own[1], True))))
        return self._combine(e, items)

    def _agg_body(self, e: X.Aggregate, env: Env, m: Member) -> CExpr:
        inner = Env(env.own, env.own_var, {**env.members, e.var: m}, dict(env.numbers))
        body = self.c(e.body, inner)
        flt = self.c(e.filter, inner) if e.filter is not None else None
        if e.kind in ("count",):
            body = mk_ite(body, ONE, ZERO)
            return body if flt is None else mk_ite(flt, body, ZERO)
        if e.kind == "sum":
            return body if flt is None else mk_ite(flt, body, ZERO)
        if e.kind in ("any", "all"):
            if flt is None:
                return body
            return mk_lg("and", flt, body) if e.kind == "any" else mk_lg("or", mk_not(flt), body)
        # min / max: encode the filter in the value's presence
        if flt is not None:
            return _Filtered(flt, body)  # type: ignore[return-value]
        return body

    def _combine(self, e: X.Aggregate, items: list[tuple[CExpr, CExpr]]) -> CExpr:
        if e.kind in ("sum", "count"):
            r: CExpr = ZERO
            for w, v in items:
                r = mk_bin("+", r, mk_bin("*", w, v))
            return r
        if e.kind == "any":
            r = FALSE
            for w, v in items:
                r = mk_lg("or", r, mk_lg("and", Cmp(">", w, ZERO) if not isinstance(w, C) else C(w.value != 0), v))
            return r
        if e.kind == "all":
            r = TRUE
            for w, v in items:
                r = mk_lg("and", r, mk_lg("or", Cmp("<=", w, ZERO) if not isinstance(w, C) else C(w.value == 0), v))
            return r
        out: list[tuple[CExpr, CExpr]] = []
        for w, v in items:
            wpos: CExpr = Cmp(">", w, ZERO) if not isinstance(w, C) else C(w.value != 0)
            if isinstance(v, _Filtered):
                wpos, v = mk_lg("and", wpos, v.cond), v.value
            out.append((wpos, v))
        return Present(e.kind, tuple(out))

    def _check_range(self, e: X.Aggregate, pop: Population) -> None:
        bounds = self.model.family_bounds.get(pop.name)
        if bounds is not None and (e.lo, e.hi) == bounds:
            return
        from verigroup.model.constfold import const_value

        lo, hi = const_value(e.lo, self.params), const_value(e.hi, self.params)
        if lo != pop.lo or hi != pop.hi:
            raise NotAnonymous(f"`{e.var}` ranges over {lo}..{hi}, not over the whole family `{pop.name}` "
                               f"({pop.lo}..{pop.hi})", e.span)
        self.symbolic_ranges = False

    def _unrolled(self, e: X.Aggregate, env: Env) -> CExpr:
        from verigroup.model.constfold import const_value

        lo, hi = const_value(e.lo, self.params), const_value(e.hi, self.params)
        if lo is None or hi is None or lo.denominator != 1 or hi.denominator != 1:
            raise NotAnonymous(f"the range of `{e.var}` is not constant", e.span)
        if hi - lo + 1 > self.MAX_UNROLL:
            raise NotAnonymous(f"a numeric aggregate over {hi - lo + 1} values is too long to unroll", e.span)
        self.symbolic_ranges = False
        items: list[tuple[CExpr, CExpr]] = []
        for k in range(int(lo), int(hi) + 1):
            inner = Env(env.own, env.own_var, dict(env.members), {**env.numbers, e.var: k})
            body = self.c(e.body, inner)
            flt = self.c(e.filter, inner) if e.filter is not None else None
            if e.kind == "count":
                body = mk_ite(body, ONE, ZERO)
            if e.kind in ("sum", "count") and flt is not None:
                body = mk_ite(flt, body, ZERO)
            if e.kind in ("min", "max") and flt is not None:
                body = _Filtered(flt, body)  # type: ignore[assignment]
            if e.kind in ("any", "all") and flt is not None:
                body = mk_lg("and", flt, body) if e.kind == "any" else mk_lg("or", mk_not(flt), body)
            items.append((ONE, body))
        if e.kind == "product":
            r: CExpr = ONE
            for _, v in items:
                r = mk_bin("*", r, v)
            return r
        return self._combine(e, items)


@dataclass(frozen=True)
class _Filtered:
    """Internal: a min/max item present only when ``cond`` holds."""

    cond: CExpr
    value: CExpr


def _walk_ir(roots: list[X.Expr]) -> Iterator[object]:
    stack: list[object] = list(roots)
    while stack:
        n = stack.pop()
        yield n
        for f in getattr(n, "__dataclass_fields__", {}):
            if f == "span":
                continue
            v = getattr(n, f)
            if isinstance(v, tuple):
                stack += [x for x in v if hasattr(x, "__dataclass_fields__")]
            elif hasattr(v, "__dataclass_fields__"):
                stack.append(v)


def _uses_self_compare(e: X.Aggregate, own_var: str) -> bool:
    for n in _walk_ir([e.body] + ([e.filter] if e.filter is not None else [])):
        if isinstance(n, X.Compare) and isinstance(n.left, X.IndexVar) and isinstance(n.right, X.IndexVar):
            if {n.left.name, n.right.name} == {e.var, own_var}:
                return True
    return False


