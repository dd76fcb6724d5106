"""AST -> Model: names, types, params and overrides, family expansion,
profiles and properties.  ``build_model`` is the front end's entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from verigroup.model.model import Model
from verigroup.resolve.context import Ctx
from verigroup.resolve.declarations import (
    bound_params, check_cycles, resolve_agents, resolve_metrics, resolve_params, resolve_payoffs,
)
from verigroup.resolve.properties import resolve_property
from verigroup.syntax import ast as A
from verigroup.syntax.parser import parse_spec

__all__ = ["build_model", "resolve_spec"]


def build_model(text: str, path: str = "<spec>", overrides: Mapping[str, str] | None = None) -> Model:
    """Parse and resolve spec text; raises SpecError with every problem found."""
    return resolve_spec(parse_spec(text, path), dict(overrides or {}))


def resolve_spec(spec: A.Spec, overrides: Mapping[str, str]) -> Model:
    ctx = Ctx(spec.path, spec.source)
    st = spec.statements
    games = [s for s in st if isinstance(s, A.GameDecl)]
    params = [s for s in st if isinstance(s, A.ParamDecl)]
    agent_decls = [s for s in st if isinstance(s, A.AgentsDecl)]
    payoffs = [s for s in st if isinstance(s, A.PayoffDecl)]
    metrics = [s for s in st if isinstance(s, A.MetricDecl)]
    profiles = [s for s in st if isinstance(s, A.ProfileDecl)]
    props = [s for s in st if isinstance(s, A.PropertyDecl)]
    protocols = [s for s in st if isinstance(s, A.ProtocolDecl)]
    top_states = [s for s in st if isinstance(s, A.StateDecl)]
    # ---- language v2 (issue 8): `let` definitions and payoff tables
    lets = [s for s in st if isinstance(s, A.LetDecl)]
    tables = [s for s in st if isinstance(s, A.PayoffTable)]
    for g in games[1:]:
        ctx.error("E102", "a second `game` statement", g.span, f"the game is already named on line {games[0].span.line}")
    # ---- mechanisms (issue 10): a type variable is not a `param`; a value for
    # it (a report's parameters, --set) does not apply: incentive checks set it
    type_vars = {s.var for s in st if isinstance(s, A.TypesDecl)}
    if type_vars:
        overrides = {k: v for k, v in overrides.items() if k not in type_vars}
    if lets:  # ---- LANG3 (issue 8): params may use `let` definitions
        from verigroup.resolve.definitions import provisional_lets

        provisional_lets(ctx, lets, params)
    try:
        resolve_params(ctx, params, overrides, bound_params(agent_decls))
    except Exception as exc:  # SpecError from a bad override value
        from verigroup.diagnostics import SpecError

        if isinstance(exc, SpecError):
            ctx.diags.extend(exc.diagnostics)
        else:
            raise
    resolve_agents(ctx, agent_decls)
    # ---- mechanisms (issue 10): private types declare their type variables
    types_decls = [s for s in st if isinstance(s, A.TypesDecl)]
    incentive_decls = [s for s in st if isinstance(s, A.IncentiveDecl)]
    synth_decls: list[A.SynthesizeDecl] = [x for x in st if isinstance(x, A.SynthesizeDecl)]
    type_map: dict[str, A.TypesDecl] = {}
    if types_decls or incentive_decls:
        from verigroup.resolve.mechanisms import declare_types

        type_map = declare_types(ctx, types_decls)
    # ---- elections (issue 11): a spec may hold only elections
    election_decls = [s for s in st if isinstance(s, A.ElectionDecl)]
    if not agent_decls and not election_decls:
        ctx.error("E108", "the spec declares no agents", st[0].span if st else ctx_span(ctx),
                  "add `agents alice, bob: actions x, y`")
    if any(d.code in ("E007", "E112", "E109") for d in ctx.diags):  # avoid cascades
        raise ctx.failure()
    plan = None
    if protocols:
        from verigroup.resolve.protocol import plan_protocol

        for extra in protocols[1:]:
            ctx.error("E102", "a second `protocol` section", extra.span,
                      f"the protocol starts on line {protocols[0].span.line}")
        plan = ctx.plan = plan_protocol(ctx, protocols[0], top_states)
    else:
        for sd in top_states:
            ctx.error("E111", "a state variable needs a protocol", sd.span,
                      "add a `protocol:` section with a `repeat` block that updates it")
        for fam in ctx.families.values():
            if not fam.actions:
                ctx.error("E111", f"agent `{fam.name}` has no actions", fam.span,
                          f"write `agent {fam.name}: actions x, y`, or give it moves in a `protocol:`")
    for m in metrics:
        if ctx.declare(m.name, "metric", m.name_span):
            ctx.metric_decls[m.name] = m
    for p in profiles:
        if ctx.declare(p.name, "profile", p.name_span):
            ctx.profile_decls[p.name] = p
    if lets or tables:  # language v2 (issue 8)
        from verigroup.resolve.definitions import expand_tables, register_lets

        register_lets(ctx, lets)
        payoffs = payoffs + expand_tables(ctx, tables, agent_decls)
    agents = resolve_payoffs(ctx, payoffs)
    metric_ir = resolve_metrics(ctx, metrics)
    if not ctx.diags:
        check_cycles(ctx, agents, metric_ir)
    tree = None
    if plan is not None:
        from verigroup.resolve.protocol import (
            check_agent_refs, compile_protocol, flatten_forever, resolve_dynamics,
        )

        resolve_dynamics(ctx, plan)
        exprs = [a.payoff for a in agents] + [m.expr for m in metric_ir.values()]
        exprs += [s.cond for s in plan.stages if s.cond is not None]
        exprs += [p for s in plan.stages for p in s.probs]
        check_agent_refs(ctx, plan, exprs)
        ctx.raise_if_errors()
        if any(s.verify is not None for s in plan.stages):  # verification stage (issue 14): costs
            from verigroup.resolve.verify_stage import charge_costs

            agents = charge_costs(plan, agents)
        title = games[0].name if games else Path(spec.path).stem or "game"
        if plan.forever:
            agents = flatten_forever(ctx, plan, agents)
        else:
            tree = compile_protocol(ctx, plan, agents, metric_ir, title)
    from verigroup.resolve.profiles import resolve_profile

    named = {}
    for p in profiles:
        if ctx.profile_decls.get(p.name) is p:
            prof = resolve_profile(ctx, p.value, p.name)
            if prof is not None:
                named[p.name] = prof
    seen: dict[str, A.PropertyDecl] = {}
    out = []
    for d in props:
        if d.name in seen:
            ctx.error("E102", f'a second property named "{d.name}"', d.span,
                      f"the first is on line {seen[d.name].span.line}")
            continue
        seen[d.name] = d
        r = resolve_property(ctx, d)
        if r is not None:
            from verigroup.resolve.profiles import refuse_optimising_in_region  # ---- LANG3 (issue 8)

            refuse_optimising_in_region(ctx, r)
            out.append(r)
    if incentive_decls:  # ---- mechanisms (issue 10)
        from verigroup.resolve.mechanisms import resolve_incentives

        for inc in incentive_decls:
            if inc.name in seen:
                ctx.error("E102", f'a second property named "{inc.name}"', inc.span,
                          f"the first is on line {seen[inc.name].span.line}")
        out.extend(resolve_incentives(ctx, incentive_decls, type_map, dict(metric_ir),
                                      [(a.family, a.index, a.actions) for a in agents]))
    if synth_decls:  # ---- mechanisms (issue 10): synthesis questions
        from verigroup.resolve.mechanisms import resolve_synthesis

        for sq in synth_decls:
            if sq.name in seen or any(getattr(p, "name", None) == sq.name for p in out):
                ctx.error("E102", f'a second property named "{sq.name}"', sq.span)
        out.extend(resolve_synthesis(ctx, synth_decls, dict(named), [(a.family, a.index, a.actions) for a in agents],
                                     dict(metric_ir)))
    if election_decls:  # ---- elections (issue 11)
        from verigroup.resolve.elections import resolve_elections

        out.extend(resolve_elections(ctx, election_decls, set(seen) | {getattr(p, "name", "") for p in out}))
    # ---- curves (issue 14): `curve "NAME" over c in 0..4: ...`, checked as a property
    for cd in (s for s in st if isinstance(s, A.CurveDecl)):
        from verigroup.resolve.valueprops import resolve_curve

        if cd.name in seen or any(getattr(p, "name", None) == cd.name for p in out):
            ctx.error("E102", f'a second property or curve named "{cd.name}"', cd.span)
            continue
        cr = resolve_curve(ctx, cd, overrides)
        if cr is not None:
            out.append(cr)
    ctx.raise_if_errors()
    name = games[0].name if games else Path(spec.path).stem or "game"
    desc = games[0].description if games else ""
    return Model(name, desc, dict(ctx.params), agents, metric_ir, tuple(out), named,
                 protocol=tree, source=spec.source, path=spec.path,
                 # ---- populations (issue 9): the IR of family bounds, for the counting view
                 family_bounds={f.name: (f.lo_ir, f.hi_ir) for f in ctx.families.values()
                                if f.lo_ir is not None and f.hi_ir is not None})


def ctx_span(ctx: Ctx):  # type: ignore[no-untyped-def]
    from verigroup.diagnostics import Span

    return Span(ctx.path, 1, 1)
