"""Counted models: anonymous families too large to expand.

A family of more than ``LIMIT_AGENTS`` members is never expanded into Agent
records.  When its bounds are set by params, the spec is resolved at three
small *template* sizes (the payoff, metric and property IR keeps params
symbolic, so it is the same at every size), anonymity is decided on the
template from the IR, and the model keeps the template agents with the
true params and the true family bounds (``Model.counted``).  Profiles named
by properties are carried over as count vectors: the counts at the template
sizes must be affine in the family size (``all withhold``, ``{a[1]: x, a:
y}``), and are extrapolated to the true size exactly.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping

from verigroup.diagnostics import Diagnostic, SpecError
from verigroup.model import expr as X
from verigroup.model.counting import NotAnonymous, counting_view
from verigroup.model.model import Model, Param
from verigroup.model.properties import Profile
from verigroup.syntax import ast as A
from verigroup.syntax.errors import LIMIT_AGENTS

TEMPLATE_SIZES = (4, 5, 7)
# The counting view refuses more states than engine.MAX_STATES; sizes up to
# this bound are still represented (proofs for every N do not enumerate).
MAX_COUNTED = 10**15


def counted_model(spec: A.Spec, overrides: Mapping[str, str]) -> Model | None:
    """A counted model of ``spec``, or None when the ordinary resolution
    applies (no family beyond LIMIT_AGENTS, or errors it should report).
    Raises SpecError for a family too large to expand that is not anonymous."""
    from verigroup.resolve import resolve_spec
    from verigroup.resolve.context import Ctx, const_value
    from verigroup.resolve.declarations import bound_params, resolve_params
    from verigroup.resolve.exprs import ExprResolver

    st = spec.statements
    agent_decls = [s for s in st if isinstance(s, A.AgentsDecl)]
    param_decls = [s for s in st if isinstance(s, A.ParamDecl)]
    if not agent_decls or any(isinstance(s, A.ProtocolDecl) for s in st):
        return None
    ctx = Ctx(spec.path, spec.source)
    structural = bound_params(agent_decls)
    try:
        resolve_params(ctx, param_decls, overrides, structural)
    except SpecError:
        return None
    if ctx.diags:
        return None
    res = ExprResolver(ctx, "const")
    bounds: dict[str, tuple[int, int]] = {}
    bounds_ir: dict[str, tuple[X.Expr, X.Expr]] = {}
    big = None
    for d in agent_decls:
        for h in d.heads:
            if h.lo is None or h.hi is None:
                continue
            lo_ir, hi_ir = res.number(h.lo), res.number(h.hi)
            lo, hi = const_value(lo_ir, ctx.param_values()), const_value(hi_ir, ctx.param_values())
            if ctx.diags or lo is None or hi is None or lo.denominator != 1 or hi.denominator != 1:
                return None
            bounds[h.name] = (int(lo), int(hi))
            bounds_ir[h.name] = (lo_ir, hi_ir)
            if hi - lo + 1 > LIMIT_AGENTS:
                big = h
    if big is None:
        return None
    sizing = sorted(n for n in structural if n in ctx.params)
    if not sizing:
        return None
    templates: list[Model] = []
    for t in TEMPLATE_SIZES:
        ov = dict(overrides)
        for n in sizing:
            ov[n] = str(t)
        try:
            templates.append(resolve_spec(spec, ov))
        except SpecError:
            return None
    tm = templates[0]
    counted = {f: b for f, b in bounds.items() if any(a.family == f for a in tm.agents)}
    for f, (flo, fhi) in counted.items():
        if fhi - flo + 1 > MAX_COUNTED:
            raise SpecError([Diagnostic(
                "E131", f"the family `{f}` has {fhi - flo + 1:,} members; the limit for a counted family is "
                f"{MAX_COUNTED:,}", big.span,
                "prove properties for every size with `for n >= 2` at a smaller --set value")])
    params = {k: Param(k, p.value, p.span, p.structural) for k, p in ctx.params.items()}
    model = Model(tm.name, tm.description, params, tm.agents, tm.metrics, tm.properties, tm.profiles,
                  None, tm.source, tm.path, family_bounds=bounds_ir, counted=counted)
    try:
        counting_view(model)
    except NotAnonymous as exc:
        claim = claim_error(spec, exc)
        if claim is not None:
            raise claim
        size = bounds[big.name][1] - bounds[big.name][0] + 1
        raise SpecError([Diagnostic(
            "E007", f"too many agents: `{big.name}` has {size:,} members (more than {LIMIT_AGENTS:,}) and its "
            f"payoffs are not anonymous, so it cannot be solved in counting space: {exc.reason}",
            exc.span if exc.span.line else big.span,
            "make payoffs depend on members only through count(...)/sum(...) over the whole family, "
            "or use a smaller family")])
    model._cache["counted_profiles"] = _extrapolate(templates, counted)
    return model


def _family_counts(m: Model, prof: Profile) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for a, act in zip(m.agents, prof.actions):
        d = out.setdefault(a.family, {x: 0 for x in a.actions})
        d[act] = d.get(act, 0) + 1
    return out


def _profiles(m: Model) -> dict[str, Profile]:
    out: dict[str, Profile] = {f"profile:{k}": p for k, p in m.profiles.items()}
    for prop in m.properties:
        p = getattr(prop, "profile", None)
        if isinstance(p, Profile):
            out[f"property:{prop.name}"] = p
    return out


def _extrapolate(templates: list[Model], counted: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
    """Profile key -> {family: {action: count}} at the true sizes, or a
    string saying why the profile has no count vector."""
    per = [_profiles(m) for m in templates]
    sizes = [{a.family: sum(1 for b in m.agents if b.family == a.family) for a in m.agents}
             for m in templates]
    out: dict[str, Any] = {}
    for key in per[0]:
        cs = [_family_counts(m, p[key]) for m, p in zip(templates, per) if key in p]
        if len(cs) != len(templates):
            out[key] = "the profile is not defined at every template size"
            continue
        result: dict[str, dict[str, int]] = {}
        why = None
        for fam, c0 in cs[0].items():
            if fam not in counted:
                result[fam] = dict(c0)
                continue
            n_true = counted[fam][1] - counted[fam][0] + 1
            s0, s1, s2 = (sz[fam] for sz in sizes)
            fam_out: dict[str, int] = {}
            for act in c0:
                v0, v1, v2 = (c[fam].get(act, 0) for c in cs)
                slope = Fraction(v1 - v0, s1 - s0)
                if Fraction(v2 - v0, s2 - s0) != slope:
                    why = f"the profile's counts of `{fam}` do not grow linearly with the family size"
                    break
                v = v0 + slope * (n_true - s0)
                if v.denominator != 1 or v < 0:
                    why = f"the profile has no count vector for `{fam}` at its true size"
                    break
                fam_out[act] = int(v)
            if why:
                break
            result[fam] = fam_out
        out[key] = why if why else result
    return out


def claim_error(spec: A.Spec, exc: NotAnonymous) -> SpecError | None:
    """E130 when ``anonymous FAMILY`` declares the family whose payoffs the
    exception shows not to be anonymous."""
    for d in spec.statements:
        if isinstance(d, A.AnonymousDecl):
            for name, sp in zip(d.names, d.name_spans):
                if exc.family is None or name == exc.family:
                    where = f" (line {exc.span.line}, column {exc.span.column})" if exc.span.line else ""
                    return SpecError([Diagnostic(
                        "E130", f"`{name}` is declared anonymous, but its payoffs are not{where}: {exc.reason}",
                        sp, "remove the declaration, or make payoffs read the family only through "
                        "count(...)/sum(...) over all its members")])
    return None


def check_claims(spec: A.Spec, model: Model) -> None:
    """Check every ``anonymous`` declaration against the payoffs."""
    decls = [d for d in spec.statements if isinstance(d, A.AnonymousDecl)]
    if not decls:
        return
    from verigroup.diagnostics import did_you_mean

    fams = {a.family for a in model.agents if a.index is not None}
    for d in decls:
        for name, sp in zip(d.names, d.name_spans):
            if name not in fams:
                raise SpecError([Diagnostic("E130", f"`{name}` is not an agent family", sp,
                                            did_you_mean(name, fams) or "declare families as `agents a[1..n]: ...`")])
    try:
        counting_view(model)
    except NotAnonymous as exc:
        claim = claim_error(spec, exc)
        if claim is not None:
            raise claim
