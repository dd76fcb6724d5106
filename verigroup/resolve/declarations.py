"""Params (with overrides), agent families, payoff rules, metrics, and the
cycle check over metrics and payoff references."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Mapping

from verigroup.diagnostics import Diagnostic, SpecError, Span, did_you_mean
from verigroup.model import expr as X
from verigroup.model.model import Agent, Metric, Param
from verigroup.resolve.context import Ctx, Family, const_value, walk
from verigroup.resolve.definitions import action_values
from verigroup.resolve.exprs import ExprResolver
from verigroup.syntax import ast as A
from verigroup.syntax.errors import LIMIT_AGENTS

_VALUE = re.compile(r"^\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+(?:\.\d+)?))?\s*$")


def parse_override(name: str, text: str) -> Fraction:
    m = _VALUE.match(text)
    span = Span("--set", 0, 0)
    if not m:
        raise SpecError.single("E109", f"invalid value for param `{name}`: {text!r}", span,
                               "use an integer, a decimal (0.25) or a fraction (3/4), optionally signed")
    if len(text) > 4000:  # hostile input (issue 15): bounded like a literal in a spec
        raise SpecError.single("E109", f"the value for param `{name}` has {len(text):,} characters (the limit "
                               "is 4,000 digits)", span)
    value = Fraction(m.group(2))
    if m.group(3) is not None:
        den = Fraction(m.group(3))
        if den == 0:
            raise SpecError.single("E109", f"invalid value for param `{name}`: {text!r} divides by zero", span)
        value /= den
    return -value if m.group(1) == "-" else value


def resolve_params(ctx: Ctx, decls: list[A.ParamDecl], overrides: Mapping[str, str],
                   structural: set[str]) -> None:
    declared = {d.name for d in decls}
    for name in overrides:
        if name not in declared:
            ctx.error("E109", f"--set {name}=...: the spec has no param `{name}`", Span("--set", 0, 0),
                      did_you_mean(name, declared) or (
                          "declared params: " + ", ".join(sorted(declared)) if declared else "the spec declares no params"))
    values: dict[str, Fraction] = {}
    for n, text in overrides.items():
        if n in declared:
            try:
                values[n] = parse_override(n, text)
            except SpecError as exc:
                ctx.diags.extend(exc.diagnostics)
    ctx.param_lines = {d.name: d.span.line for d in decls}  # ---- LANG3 (issue 8): later params, cycles
    res = ExprResolver(ctx, "const")
    known = ctx.param_values()  # kept up to date here: linear in the number of params
    for d in decls:
        if not ctx.declare(d.name, "param", d.name_span):
            continue
        if d.name in values:
            v: Fraction | None = values[d.name]
        else:
            n_before = len(ctx.diags)
            ctx.param_in_progress = d.name  # ---- LANG3 (issue 8): cycles through `let`
            ir = res.number(d.value, frozenset(), f"the value of param `{d.name}`")
            ctx.param_in_progress = None
            v = const_value(ir, known)
            if v is None and len(ctx.diags) == n_before:
                ctx.error("E109", f"the value of param `{d.name}` is not a constant", d.value.span)
            if v is not None and max(v.numerator.bit_length(), v.denominator.bit_length()) > 13_288:
                ctx.error("E109", f"the value of param `{d.name}` has more than 4,000 digits", d.value.span)
                v = None
        ctx.params[d.name] = Param(d.name, v if v is not None else Fraction(0), d.span, d.name in structural)
        known[d.name] = ctx.params[d.name].value


def bound_params(decls: list[A.AgentsDecl]) -> set[str]:
    out: set[str] = set()
    for d in decls:
        for h in d.heads:
            for b in (h.lo, h.hi):
                stack = [b]
                while stack:
                    n = stack.pop()
                    if isinstance(n, A.EName):
                        out.add(n.name)
                    elif isinstance(n, A.EBinary):
                        stack += [n.left, n.right]
                    elif isinstance(n, A.EUnary):
                        stack.append(n.operand)
                    elif isinstance(n, A.ECall):
                        stack += list(n.args)
    return out


def resolve_agents(ctx: Ctx, decls: list[A.AgentsDecl]) -> None:
    res = ExprResolver(ctx, "const")
    total = 0
    for d in decls:
        seen: dict[str, Span] = {}
        for a, sp in d.actions:
            if a in seen:
                ctx.error("E102", f"action `{a}` is listed twice", sp)
            seen[a] = sp
        actions = tuple(seen)
        values = action_values(ctx, d)
        for h in d.heads:
            if not ctx.declare(h.name, "agent", h.span):
                continue
            fam = Family(h.name, actions, h.span)
            fam.values = values  # language v2 (issue 8): valued actions
            if h.lo is not None and h.hi is not None:
                bounds: list[tuple[int, X.Expr] | None] = []
                for b in (h.lo, h.hi):
                    n_before = len(ctx.diags)
                    ir = res.number(b, frozenset(), "a family bound")
                    v = const_value(ir, ctx.param_values())
                    if len(ctx.diags) > n_before:
                        bounds.append(None)
                        continue
                    if v is None or v.denominator != 1 or v < 0:
                        ctx.error("E112", f"a family bound must be a non-negative integer, but `{h.name}` "
                                  f"has bound {v}", b.span, "check the params used in the range")
                        bounds.append(None)
                        continue
                    bounds.append((int(v), ir))
                lo_bound, hi_bound = bounds
                if lo_bound is None or hi_bound is None:
                    continue
                (lo, lo_ir), (hi, hi_ir) = lo_bound, hi_bound
                if hi < lo:
                    ctx.error("E112", f"the family `{h.name}` is empty ({lo}..{hi})", h.span,
                              "the upper bound must be at least the lower bound")
                    continue
                fam.lo, fam.hi, fam.lo_ir, fam.hi_ir = lo, hi, lo_ir, hi_ir
                total += hi - lo + 1
            else:
                total += 1
            if total > LIMIT_AGENTS:
                ctx.error("E007", f"too many agents: more than {LIMIT_AGENTS}", h.span,
                          "use a smaller family, or a parameter you can set with --set")
                return
            ctx.families[h.name] = fam
    for fam in ctx.families.values():
        if fam.single:
            ctx.agent_pos[(fam.name, None)] = len(ctx.agent_names)
            ctx.agent_names.append(fam.name)
        else:
            for k in fam.members():
                ctx.agent_pos[(fam.name, k)] = len(ctx.agent_names)
                ctx.agent_names.append(f"{fam.name}[{k}]")


def resolve_payoffs(ctx: Ctx, decls: list[A.PayoffDecl]) -> tuple[Agent, ...]:
    res = ExprResolver(ctx, "expr")
    family_rule: dict[str, tuple[str, X.Expr]] = {}
    member_rule: dict[tuple[str, int | None], X.Expr] = {}
    attempted = {d.target for d in decls}  # no E108 cascade after a rejected rule
    for d in decls:
        fam = ctx.families.get(d.target)
        if fam is None:
            if d.target not in ctx.names:
                ctx.error("E101", f"undefined agent `{d.target}`", d.target_span,
                          did_you_mean(d.target, ctx.families))
            elif ctx.names[d.target][0] != "agent":
                ctx.error("E107", f"`{d.target}` is not an agent", d.target_span)
            continue
        if fam.single:
            if d.index is not None:
                ctx.error("E107", f"`{d.target}` is a single agent; it takes no index", d.target_span)
                continue
            key: tuple[str, int | None] = (fam.name, None)
            if key in member_rule:
                ctx.error("E102", f"a second payoff for `{fam.name}`", d.target_span)
                continue
            member_rule[key] = res.number(d.expr, frozenset(), "a payoff")
            continue
        if d.index is None:
            ctx.error("E107", f"`{fam.name}` is an agent family; give the rule an index",
                      d.target_span, f"write payoff {fam.name}[i] = ...")
            continue
        if isinstance(d.index, A.EName) and d.index.name not in ctx.params:
            var = d.index.name
            if var in ctx.names:
                ctx.error("E102", f"`{var}` is already defined; choose another index variable", d.index.span)
                continue
            if fam.name in family_rule:
                ctx.error("E102", f"a second payoff rule for the family `{fam.name}`", d.target_span)
                continue
            family_rule[fam.name] = (var, res.number(d.expr, frozenset({var}), "a payoff"))
            continue
        idx = ExprResolver(ctx, "const").number(d.index, frozenset(), "an agent index")
        v = const_value(idx, ctx.param_values())
        lo, hi = fam.bounds()
        if v is None or v.denominator != 1 or not lo <= v <= hi:
            ctx.error("E105", f"index {v} is out of range: `{fam.name}` has members {lo}..{hi}",
                      d.index.span)
            continue
        key = (fam.name, int(v))
        if key in member_rule:
            ctx.error("E102", f"a second payoff for `{fam.name}[{int(v)}]`", d.target_span)
            continue
        member_rule[key] = res.number(d.expr, frozenset(), "a payoff")
    agents: list[Agent] = []
    for fam in ctx.families.values():
        missing: list[str] = []
        keys: list[tuple[str, int | None]] = (
            [(fam.name, None)] if fam.single else [(fam.name, k) for k in fam.members()])
        for key in keys:
            name = fam.name if key[1] is None else f"{fam.name}[{key[1]}]"
            if key in member_rule:
                agents.append(Agent(name, fam.name, key[1], fam.actions, member_rule[key], (), fam.span))
            elif fam.name in family_rule:
                var, ir = family_rule[fam.name]
                agents.append(Agent(name, fam.name, key[1], fam.actions, ir, ((var, key[1]),), fam.span))  # type: ignore[arg-type]
            else:
                missing.append(name)
                agents.append(Agent(name, fam.name, key[1], fam.actions, X.Num(Fraction(0)), (), fam.span))
        if missing and fam.name not in attempted:
            shown = ", ".join(missing[:5]) + (f", ... ({len(missing)} agents)" if len(missing) > 5 else "")
            ctx.error("E108", f"no payoff for {shown}", fam.span,
                      f"add `payoff {fam.name} = ...`" if fam.single else f"add `payoff {fam.name}[i] = ...`")
    return tuple(agents)


def resolve_metrics(ctx: Ctx, decls: list[A.MetricDecl]) -> dict[str, Metric]:
    res = ExprResolver(ctx, "expr")
    out: dict[str, Metric] = {}
    for d in decls:
        if d.name not in ctx.metric_decls or ctx.metric_decls[d.name] is not d:
            continue
        sense = d.sense or "maximize"
        if sense not in ("maximize", "minimize"):
            ctx.error("E101", f"unknown metric sense `{sense}`", d.sense_span,
                      did_you_mean(sense, ("maximize", "minimize")) or "use (maximize) or (minimize)")
            sense = "maximize"
        ir = res.number(d.expr, frozenset(), f"the metric `{d.name}`")
        out[d.name] = Metric(d.name, ir, sense, d.span)  # type: ignore[arg-type]
    return out


def check_cycles(ctx: Ctx, agents: tuple[Agent, ...], metrics: dict[str, Metric]) -> None:
    """E106 when a metric or payoff depends on itself."""
    params = ctx.param_values()
    graph: dict[tuple[str, object], list[tuple[str, object]]] = {}

    def deps(e: X.Expr, env: dict[str, int]) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = []
        for n in walk(e):
            if isinstance(n, X.MetricOf):
                out.append(("m", n.name))
            elif isinstance(n, X.PayoffOf):
                ref = n.agent
                if ref.index is None:
                    out.append(("a", ctx.agent_pos.get((ref.family, None))))
                    continue
                v = const_value(ref.index, params, env)
                if v is not None and v.denominator == 1 and (ref.family, int(v)) in ctx.agent_pos:
                    out.append(("a", ctx.agent_pos[(ref.family, int(v))]))
                else:
                    out.append(("f", ref.family))
        return out

    has_refs: dict[int, bool] = {}
    for k, ag in enumerate(agents):
        key = id(ag.payoff)
        if key not in has_refs:
            has_refs[key] = any(isinstance(n, (X.MetricOf, X.PayoffOf)) for n in walk(ag.payoff))
        if has_refs[key]:
            graph[("a", k)] = deps(ag.payoff, dict(ag.bindings))
    for name, m in metrics.items():
        graph[("m", name)] = deps(m.expr, {})
    for fam in ctx.families.values():
        if any(("f", fam.name) in v for v in graph.values()):
            graph[("f", fam.name)] = [("a", ctx.agent_pos[(fam.name, k)])
                                      for k in range(fam.lo or 0, (fam.hi or 0) + 1)
                                      if (fam.name, k) in ctx.agent_pos]

    def label(node: tuple[str, object]) -> str:
        kind, v = node
        if kind == "a":
            assert isinstance(v, int), "only agent positions are on a cycle (unknown agents have no edges)"
            return f"payoff({ctx.agent_names[v]})"
        if kind == "f":
            return f"payoff({v}[...])"
        return str(v)

    color: dict[tuple[str, object], int] = {}
    for start in list(graph):
        if color.get(start):
            continue
        stack: list[tuple[tuple[str, object], int]] = [(start, 0)]
        path: list[tuple[str, object]] = []
        while stack:
            node, i = stack.pop()
            if i == 0:
                color[node] = 1
                path.append(node)
            succ = graph.get(node, [])
            if i < len(succ):
                stack.append((node, i + 1))
                nxt = succ[i]
                c = color.get(nxt, 0)
                if c == 1:
                    cyc = path[path.index(nxt):] + [nxt]
                    kind, ref = nxt
                    if kind == "m":
                        span = metrics[str(ref)].span
                    elif kind == "a":
                        assert isinstance(ref, int), "only agent positions are on a cycle"
                        span = agents[ref].span
                    else:
                        span = ctx.families[str(ref)].span
                    ctx.error("E106", "cyclic definition: " + " -> ".join(label(n) for n in cyc), span,
                              "a metric or payoff cannot depend on itself")
                    return
                if c == 0:
                    stack.append((nxt, 0))
            else:
                color[node] = 2
                path.pop()
