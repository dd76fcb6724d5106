"""Profiles (``{a: x, a[1]: y}``, ``all x``, named profiles) and agent
selectors (``a[i]`` with ``for all i``, ``a``, ``a[2]``, ``planner``)."""

from __future__ import annotations

from fractions import Fraction

from verigroup.diagnostics import Span, did_you_mean
from verigroup.model.properties import Profile
from verigroup.resolve.context import Ctx, const_value
from verigroup.resolve.exprs import ExprResolver
from verigroup.syntax import ast as A


def _missing(ctx: Ctx, missing: list[str], what: str, span: Span) -> None:
    shown = ", ".join(missing[:8]) + (f", ... ({len(missing)} agents)" if len(missing) > 8 else "")
    ctx.error("E110", f"{what} does not cover every agent: missing {shown}", span,
              "give each agent an entry, or use a family name for all its members")


def select(ctx: Ctx, name: str, index: A.Expr | None, span: Span,
           forall: str | None = None) -> list[int] | None:
    """Agent positions named by a selector; None after reporting an error."""
    fam = ctx.families.get(name)
    if fam is None:
        ctx.error("E101", f"undefined agent `{name}`", span, did_you_mean(name, ctx.families))
        return None
    if index is None:
        if fam.single:
            return [ctx.agent_pos[(name, None)]]
        return [ctx.agent_pos[(name, k)] for k in fam.members()]
    if fam.single:
        ctx.error("E107", f"`{name}` is a single agent; it takes no index", span)
        return None
    if isinstance(index, A.EName) and index.name not in ctx.params:
        if forall is not None and index.name == forall:
            return [ctx.agent_pos[(name, k)] for k in fam.members()]
        ctx.error("E101", f"`{index.name}` is not bound here", index.span,
                  f"add `for all {index.name}`" if forall is None else f"write {name}[{forall}]")
        return None
    ir = ExprResolver(ctx, "const").number(index, frozenset(), "an agent index")
    v = const_value(ir, ctx.param_values())
    lo, hi = fam.bounds()
    if v is None or v.denominator != 1 or not lo <= v <= hi:
        ctx.error("E105", f"index {v} is out of range: `{name}` has members {lo}..{hi}", index.span)
        return None
    return [ctx.agent_pos[(name, int(v))]]


def _actions_of(ctx: Ctx, pos: int) -> tuple[str, ...]:
    name = ctx.agent_names[pos]
    fam = name.split("[", 1)[0]
    return ctx.families[fam].actions


def check_action(ctx: Ctx, positions: list[int], action: str, span: Span) -> bool:
    lacking = [ctx.agent_names[p] for p in positions if action not in _actions_of(ctx, p)]
    if lacking:
        acts = sorted({a for p in positions for a in _actions_of(ctx, p)} - {action})
        shown = ", ".join(lacking[:5]) + (" ..." if len(lacking) > 5 else "")
        first = ctx.agent_names[positions[0]] if len(lacking) == len(positions) else lacking[0]
        hint = did_you_mean(action, acts) or (
            f"the actions of {first} are {', '.join(_actions_of(ctx, ctx.agent_names.index(first)))}")
        ctx.error("E104", f"`{action}` is not an action of {shown}", span, hint)
        return False
    return True


def resolve_profile(ctx: Ctx, e: A.Expr, name: str | None = None) -> Profile | None:
    """A full profile from a name, ``{...}`` or ``all x``."""
    n = len(ctx.agent_names)
    if isinstance(e, A.EName):
        decl = ctx.profile_decls.get(e.name)
        if decl is None:
            ctx.error("E101", f"undefined profile `{e.name}`", e.span, did_you_mean(e.name, ctx.profile_decls))
            return None
        return resolve_profile(ctx, decl.value, decl.name)
    if isinstance(e, A.EAllProfile):
        if not check_action(ctx, list(range(n)), e.action, e.action_span):
            return None
        return Profile(tuple(e.action for _ in range(n)), name, e.span)
    if isinstance(e, A.ECall):
        return _optimising(ctx, e, name)
    if not isinstance(e, A.EDict):
        ctx.error("E110", "expected a profile: a profile name, {agent: action, ...} or `all ACTION`", e.span)
        return None
    table = resolve_table(ctx, e, "profile", want_actions=True)
    if table is None:
        return None
    missing = [ctx.agent_names[p] for p in range(n) if p not in table]
    if missing:
        _missing(ctx, missing, f"the profile{' `' + name + '`' if name else ''}", e.span)
        return None
    return Profile(tuple(str(table[p]) for p in range(n)), name, e.span)


OPTIMISERS = {"argmax": "max", "argmin": "min"}


def _optimising(ctx: Ctx, e: A.ECall, name: str | None) -> Profile | None:
    """``argmax(welfare)`` / ``argmin(harm)`` (issue 8, LANG3): a lazy profile,
    bound at check time from the exact metric tensor (verigroup.model.optimal)."""
    sense = OPTIMISERS.get(e.fn)
    if sense is None:
        ctx.error("E110", f"`{e.fn}(...)` is not a profile", e.fn_span,
                  did_you_mean(e.fn, OPTIMISERS) or "a profile is {agent: action, ...}, `all ACTION`, "
                  "argmax(METRIC) or argmin(METRIC)")
        return None
    if len(e.args) != 1 or not isinstance(e.args[0], A.EName):
        ctx.error("E103", f"{e.fn} takes one metric name: {e.fn}(welfare)", e.span)
        return None
    metric = e.args[0]
    if metric.name not in ctx.metric_decls:
        ctx.error("E101", f"undefined metric `{metric.name}`", metric.span,
                  did_you_mean(metric.name, ctx.metric_decls) or (
                      "declare it with `metric NAME = ...`; metrics of this spec: "
                      + (", ".join(sorted(ctx.metric_decls)) or "none")))
        return None
    if ctx.plan is not None:
        ctx.error("E110", f"{e.fn}({metric.name}) is not available in a protocol spec", e.span,
                  "write the profile out: {agent: action, ...}")
        return None
    return Profile((), name, e.span, objective=metric.name, sense=sense)  # type: ignore[arg-type]


def resolve_table(ctx: Ctx, e: A.EDict, what: str, want_actions: bool) -> dict[int, object] | None:
    """Entries by agent position; a specific entry beats a family entry."""
    general: dict[int, object] = {}
    specific: dict[int, object] = {}
    seen: dict[tuple[str, str], Span] = {}
    ok = True
    res = ExprResolver(ctx, "const")
    for ent in e.entries:
        key = (ent.name, repr(ent.index))
        if key in seen:
            ctx.error("E102", f"`{ent.name}` appears twice in this {what}", ent.span)
            ok = False
            continue
        seen[key] = ent.span
        pos = select(ctx, ent.name, ent.index, ent.span)
        if pos is None:
            ok = False
            continue
        if want_actions:
            if not isinstance(ent.value, A.EName):
                ctx.error("E107", "a profile entry must name an action", ent.value.span)
                ok = False
                continue
            if not check_action(ctx, pos, ent.value.name, ent.value.span):
                ok = False
                continue
            value: object = ent.value.name
        else:
            value = res.number(ent.value, frozenset(), "an outside option")
        target = specific if ent.index is not None or ctx.families[ent.name].single else general
        for p in pos:
            target[p] = value
    if not ok:
        return None
    return {**general, **specific}


def outside_options(ctx: Ctx, e: A.Expr) -> tuple[tuple[int, object], ...] | None:
    if not isinstance(e, A.EDict):
        ctx.error("E110", "outside = {...} takes a table of agents: {a: 0, planner: 1}", e.span)
        return None
    table = resolve_table(ctx, e, "table", want_actions=False)
    if table is None:
        return None
    missing = [ctx.agent_names[p] for p in range(len(ctx.agent_names)) if p not in table]
    if missing:
        _missing(ctx, missing, "the outside options", e.span)
        return None
    return tuple(sorted(table.items()))


_ = Fraction


def refuse_optimising_in_region(ctx: Ctx, prop: object) -> None:
    """An ``argmax`` profile depends on the parameters, so it cannot be read
    under a parameter region (``for r in [1, 2]``, ``for n >= 2``): E110 at
    the region, naming the profile (issue 8, LANG3)."""
    from verigroup.model.optimal import label, lazy_profiles
    from verigroup.model.properties import ParamRegion

    lazies = lazy_profiles(prop)
    if not lazies:
        return
    stack: list[object] = [prop]
    while stack:
        node = stack.pop()
        region = getattr(node, "region", None)
        if isinstance(region, ParamRegion):
            lp = lazies[0]
            ctx.error("E110", f"`{label(lp)}` (an arg{lp.sense} profile, line {lp.span.line}) depends on the "
                      f"parameters, so it cannot be read under a parameter region", region.span,
                      "check the property at fixed parameters (verigroup sweep varies them), "
                      "or write the profile out: {agent: action, ...}")
            return
        stack.extend(getattr(node, "parts", ()) or ())
