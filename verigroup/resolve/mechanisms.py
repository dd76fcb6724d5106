"""Resolution of the mechanism statements (issue 10): ``types`` and
``incentive``.

``types bidder(v): low 1/3, high 2/3`` declares the parameter ``v`` (the
agent's own type value inside its payoff: the action's value for valued
actions, else the type's 1-based position in the list), checks that every
type is an action of the agent and that the prior is exact, non-negative
and sums to 1 (E703).  ``incentive "name": KIND(args)`` becomes an
:class:`~verigroup.mechanisms.properties.Incentive` carrying the type space.
"""

from __future__ import annotations

from fractions import Fraction

from verigroup.diagnostics import did_you_mean
from verigroup.mechanisms.properties import INCENTIVE_KINDS, AgentTypes, Incentive, SynthesisQuestion
from verigroup.model.model import Param
from verigroup.model import expr as X
from verigroup.resolve.context import Ctx, const_value, walk
from verigroup.syntax import ast as A


def declare_types(ctx: Ctx, decls: list[A.TypesDecl]) -> dict[str, A.TypesDecl]:
    """Declare each type variable as a parameter (valued at the first type)."""
    from verigroup.resolve.exprs import ExprResolver

    out: dict[str, A.TypesDecl] = {}
    for d in decls:
        fam = ctx.families.get(d.agent)
        if fam is None:
            ctx.error("E101", f"`types` names no agent `{d.agent}`", d.agent_span,
                      did_you_mean(d.agent, ctx.families) or "declare the agent first")
            continue
        if d.agent in out:
            ctx.error("E102", f"a second `types` statement for `{d.agent}`", d.span,
                      f"the first is on line {out[d.agent].span.line}")
            continue
        ok = True
        seen: set[str] = set()
        values: list[Fraction] = []
        probs: list[Fraction] = []
        res = ExprResolver(ctx, "const")
        for pos, (name, pexpr, sp) in enumerate(d.items, start=1):
            if name not in fam.actions:
                ctx.error("E104", f"type `{name}` is not an action of `{d.agent}`", sp,
                          did_you_mean(name, fam.actions) or
                          "a type is the action that reports it truthfully: " + ", ".join(fam.actions))
                ok = False
                continue
            if name in seen:
                ctx.error("E102", f"type `{name}` is listed twice", sp)
                ok = False
            seen.add(name)
            p = const_value(res.number(pexpr, frozenset(), f"the probability of type `{name}`"),
                            ctx.param_values())
            if p is None or p < 0:
                ctx.error("E703", f"the probability of type `{name}` must be a non-negative constant"
                          + (f", got {p}" if p is not None else ""), pexpr.span)
                ok = False
                continue
            probs.append(p)
            if fam.values:
                v = const_value(fam.values[name], ctx.param_values())
                values.append(v if v is not None else Fraction(pos))
            else:
                values.append(Fraction(pos))
        if ok and sum(probs, Fraction(0)) != 1:
            ctx.error("E703", f"the prior of `{d.agent}` sums to {sum(probs, Fraction(0))}, not 1", d.span,
                      "probabilities are exact: make them add up to exactly 1")
            ok = False
        if ctx.declare(d.var, "param", d.var_span):
            ctx.params[d.var] = Param(d.var, values[0] if values else Fraction(0), d.var_span)
        if ok:
            out[d.agent] = d
    return out


def resolve_incentives(ctx: Ctx, decls: list[A.IncentiveDecl], types: dict[str, A.TypesDecl],
                       metrics: dict[str, object], agent_actions: list[tuple[str, int | None, tuple[str, ...]]]
                       ) -> list[Incentive]:
    """``agent_actions``: (family, index, actions) per agent in Model order."""
    from verigroup.resolve.exprs import ExprResolver

    if not decls:
        return []
    space: list[AgentTypes] = []
    missing = sorted({fam for fam, _, _ in agent_actions if fam not in types})
    for k, (fam, _, acts) in enumerate(agent_actions):
        td = types.get(fam)
        if td is None:
            continue
        names = tuple(n for n, _, _ in td.items)
        fam_info = ctx.families[fam]
        vals: list[Fraction] = []
        for pos, n in enumerate(names, start=1):
            v = const_value(fam_info.values[n], ctx.param_values()) if fam_info.values else None
            vals.append(v if v is not None else Fraction(pos))
        probs = [const_value(ExprResolver(ctx, "const").number(p, frozenset(), "a probability"),
                             ctx.param_values()) or Fraction(0) for _, p, _ in td.items]
        space.append(AgentTypes(k, td.var, names, tuple(acts.index(n) for n in names), tuple(vals),
                                tuple(probs)))
    out: list[Incentive] = []
    for d in decls:
        if d.kind not in INCENTIVE_KINDS:
            ctx.error("E110", f"unknown incentive property `{d.kind}`", d.kind_span,
                      did_you_mean(d.kind, INCENTIVE_KINDS) or "one of: " + ", ".join(INCENTIVE_KINDS))
            continue
        if missing:
            ctx.error("E703", f"incentive properties need types for every agent; `{missing[0]}` has none",
                      d.span, f"add `types {missing[0]}(v): ...`")
            continue
        outside, metric, bad_metric = Fraction(0), None, False
        for name, e, sp in d.args:
            if name == "outside" and e is not None and d.kind in ("ex_post_ir", "interim_ir"):
                v = const_value(ExprResolver(ctx, "const").number(e, frozenset(), "the outside option"),
                                ctx.param_values())
                if v is None:
                    ctx.error("E110", "the outside option must be a constant", sp)
                else:
                    outside = v
            elif e is None and (d.kind.endswith("budget_balance") or d.kind == "efficient") and metric is None:
                if name not in metrics:
                    ctx.error("E101", f"no metric named `{name}`", sp, did_you_mean(name, metrics) or
                              "name the metric of net payments collected from the agents")
                elif not any(isinstance(x, (X.ActionIs, X.SameAction, X.PayoffOf, X.MetricOf))
                             for x in walk(getattr(metrics[name], "expr", None))):
                    ctx.error("E703", f"metric `{name}` does not depend on any report: there are no "
                              "transfers to balance", sp,
                              "budget balance is about payments that depend on what the agents report")
                    metric = name
                    bad_metric = True
                else:
                    metric = name
            else:
                ctx.error("E110", f"`{d.kind}` takes no argument `{name}`", sp,
                          "ex_post_ir/interim_ir take outside = VALUE; budget balance takes a metric")
        if (d.kind.endswith("budget_balance") or d.kind == "efficient") and metric is None and not any(
                e is None for _, e, _ in d.args):
            ctx.error("E703", f"`{d.kind}` needs the metric of net payments: {d.kind}(revenue)", d.span,
                      "declare `metric revenue = ...` with the payments the agents make")
            continue
        if bad_metric:
            continue
        out.append(Incentive(d.name, d.kind, tuple(space), outside, metric, d.span))  # type: ignore[arg-type]
    return out


def resolve_synthesis(ctx: Ctx, decls: list[A.SynthesizeDecl], named: dict[str, object],
                      agent_actions: list[tuple[str, int | None, tuple[str, ...]]],
                      metrics: dict[str, object]) -> list[SynthesisQuestion]:
    """``synthesize`` statements -> SynthesisQuestion properties."""
    from verigroup.resolve.exprs import ExprResolver
    from verigroup.resolve.profiles import resolve_profile

    out: list[SynthesisQuestion] = []
    for d in decls:
        n_before = len(ctx.diags)
        if d.goal not in ("nash", "dominant", "unique"):
            ctx.error("E701", f"unknown synthesis goal `{d.goal}`", d.goal_span,
                      "a goal is nash, dominant or unique, then a profile")
        if isinstance(d.profile, str):
            prof = named.get(d.profile)
            if prof is None:
                ctx.error("E701", f"no profile named `{d.profile}`", d.profile_span,
                          did_you_mean(d.profile, named) or "name a profile or write {agent: action, ...}")
            elif getattr(prof, "lazy", False):  # ---- LANG3 (issue 8): argmax profiles are bound at check time
                ctx.error("E701", f"`{d.profile}` is an argmax/argmin profile, known only at check time; "
                          "a synthesis goal needs a fixed profile", d.profile_span,
                          "write the profile out: {agent: action, ...}")
                prof = None
        else:
            prof = resolve_profile(ctx, d.profile, None)
        lever = d.lever
        values: dict[str, Fraction] = {}
        positional: list[tuple[str, object]] = []
        for name, e, sp in d.args:
            if e is None:
                positional.append((name, sp))
                continue
            v = const_value(ExprResolver(ctx, "const").number(e, frozenset(), f"`{name}`"), ctx.param_values())
            if v is None:
                ctx.error("E702", f"`{name}` must be a constant", sp)
            else:
                values[name] = v
        allowed = {"share": {"lo", "hi"}, "subsidy": {"bound"}, "transfer": {"bound"},
                   "tax": {"bound"}, "param": {"lo", "hi"}}
        if lever not in allowed:
            ctx.error("E702", f"unknown lever `{lever}`", d.lever_span,
                      did_you_mean(lever, allowed) or "levers: share, subsidy, transfer, tax(METRIC, bound = B), "
                      "param(NAME, lo = A, hi = B)")
            continue
        for k in values:
            if k not in allowed[lever]:
                ctx.error("E702", f"`{lever}` takes no `{k}`", d.lever_span,
                          "takes: " + ", ".join(sorted(allowed[lever])))
        want_pos = 1 if lever in ("tax", "param") else 0
        if len(positional) != want_pos:
            ctx.error("E702", f"`{lever}` needs {'a metric' if lever == 'tax' else 'a parameter' if want_pos else 'no name'}"
                      f" argument", d.lever_span,
                      "tax(METRIC, bound = B) / param(NAME, lo = A, hi = B)")
            continue
        if lever == "tax":
            metric = positional[0][0]
            if metric not in metrics:
                ctx.error("E101", f"no metric named `{metric}`", positional[0][1],  # type: ignore[arg-type]
                          did_you_mean(metric, metrics))
            if "bound" not in values:
                ctx.error("E702", "the tax rate is an unknown without a bounded domain", d.lever_span,
                          "give tax(METRIC, bound = B)")
            lever = f"tax:{metric}"
        elif lever == "param":
            pname = positional[0][0]
            if pname not in ctx.params:
                ctx.error("E101", f"no param named `{pname}`", positional[0][1],  # type: ignore[arg-type]
                          did_you_mean(pname, ctx.params))
            if "lo" not in values or "hi" not in values:
                ctx.error("E702", f"the parameter `{pname}` is an unknown without a bounded domain",
                          d.lever_span, f"give param({pname}, lo = A, hi = B)")
            lever = f"param:{pname}"
        if len(ctx.diags) > n_before or prof is None:
            continue
        acts = getattr(prof, "actions")
        target = tuple(aa[2].index(x) for aa, x in zip(agent_actions, acts))
        out.append(SynthesisQuestion(d.name, d.goal, target, lever, values.get("bound"),
                                     values.get("lo"), values.get("hi"), d.span))
    return out
