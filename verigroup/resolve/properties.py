"""Property declarations -> :mod:`verigroup.model.properties` records."""

from __future__ import annotations

import dataclasses
from typing import Any

from verigroup.diagnostics import Span, did_you_mean
from verigroup.model import properties as P
from verigroup.resolve.context import Ctx, const_value
from verigroup.resolve.exprs import PROPERTY_FUNCS, ExprResolver, _CONCEPTS
from verigroup.resolve.profiles import check_action, outside_options, resolve_profile, select
from verigroup.syntax import ast as A

_KWARGS: dict[str, tuple[str, ...]] = {
    "strong_nash": (), "coalition_proof": (), "resilient": ("k",), "immune": ("t", "adversaries"),
    "robust": ("k", "t"), "individually_rational": ("outside",), "optimum_is_equilibrium": (),
    "pareto_efficient": (), "dominant": (),
}


def resolve_property(ctx: Ctx, d: A.PropertyDecl) -> Any:
    region = _region(ctx, d.region) if d.region is not None else None
    b = d.body
    name, span = d.name, d.span
    if isinstance(b, A.PNash):
        prof = resolve_profile(ctx, b.profile)
        return None if prof is None else P.IsEquilibrium(name, prof, span, region)
    if isinstance(b, A.PExists):
        return P.Existence(name, b.unique, _CONCEPTS[b.concept.concept], span, region)
    if isinstance(b, A.PQuant):
        c = _CONCEPTS[b.concept.concept]
        # The equilibrium variable has its own namespace: it is only read as
        # metric(p) / payoff(agent, p), so an agent or profile of the same name
        # does not clash.  A param or metric would make `p` ambiguous in arithmetic.
        for kind, names in (("param", ctx.params), ("metric", ctx.metric_decls)):
            if b.var in names:
                ctx.error("E102", f"`{b.var}` is already a {kind}; choose another variable name", b.var_span,
                          "equilibrium variables may reuse agent names, not param or metric names")
                return None
        body = ExprResolver(ctx, "term", b.var).boolean(b.body, frozenset(), "a property")
        return P.Quantified(name, P.Quantifier(b.quantifier), c, b.var, body, span, region)
    if isinstance(b, (A.PPlay, A.PEnforce)):
        from verigroup.resolve import playprops

        if isinstance(b, A.PPlay):
            return playprops.resolve_play(ctx, d, b, region)
        return playprops.resolve_enforce(ctx, d, b, region)
    assert isinstance(b, A.PTerm)
    e = b.expr
    if b.strength is None and not b.is_spe and _connective(e) is not None and is_propositional(e):
        if b.forall is not None:
            ctx.error("E110", "`for all` only applies to dominant(...); inside a combination write "
                      "dominant(a, x) for the whole family", b.forall_span)
            return None
        return _composite(ctx, d, e, region)
    if b.is_spe or b.strength == "commitment" or (isinstance(e, A.ECall) and e.fn == "credible") \
            or _is_threshold(e):
        from verigroup.resolve import playprops

        if b.forall is not None:
            ctx.error("E110", "`for all` only applies to dominant(...)", b.forall_span)
            return None
        if b.is_spe:
            return playprops.resolve_is_spe(ctx, d, b, region)
        if isinstance(e, A.ECall) and e.fn == "credible":
            return playprops.resolve_credible(ctx, d, e, region)
        if b.strength == "commitment":
            ctx.error("E110", "`commitment` must be followed by credible(STAGE == action)", e.span)
            return None
        return playprops.resolve_threshold(ctx, d, e, region)  # type: ignore[arg-type]
    # ---- dynamics (issue 12): ess(...), basin(x) >= q, risk_dominant(x), ...
    from verigroup.resolve import dynprops

    if dynprops.dynamics_call(e):
        return dynprops.resolve(ctx, d, b, e, region)
    from verigroup.resolve import claimprops  # ---- claimed vs actual game (issue 14)

    if claimprops.claim_call(e):
        return claimprops.resolve(ctx, d, b, e, region)
    from verigroup.resolve import brprops  # ---- best_response(AGENT, φ) (issue 14)

    if brprops.br_call(e):
        return brprops.resolve(ctx, d, b, e, region)
    from verigroup.resolve import valueprops  # ---- game values (issue 14)

    if valueprops.value_comparison(e):
        return valueprops.resolve(ctx, d, b, e, region)
    if isinstance(e, A.ECall) and e.fn in PROPERTY_FUNCS:
        return _function(ctx, d, b, e, region)
    if b.strength is not None:
        ctx.error("E110", f"`{b.strength}` only applies to dominant(...)", b.span)
        return None
    if b.forall is not None:
        ctx.error("E110", "`for all` only applies to dominant(...)", b.forall_span)
        return None
    body = ExprResolver(ctx, "term", None).boolean(e, frozenset(), "a property")
    return P.Claim(name, body, span, region)


# ---- property algebra (issue 8)


def _connective(e: A.Expr) -> str | None:
    if isinstance(e, A.EUnary) and e.op == "not":
        return "not"
    if isinstance(e, A.EBinary) and e.op in ("and", "or", "implies"):
        return e.op
    return None


def is_propositional(e: A.Expr) -> bool:
    """Does this boolean structure combine whole properties (so it is a
    Composite), rather than being a claim about numbers (``count(nash) >= 1
    and max(welfare) > 2`` stays one term)?"""
    if isinstance(e, A.EProp) or _is_threshold(e):
        return True
    from verigroup.resolve import dynprops  # ---- dynamics (issue 12)

    if dynprops.dynamics_call(e):
        return True
    from verigroup.resolve import claimprops  # ---- issue 14

    if claimprops.claim_call(e):
        return True
    from verigroup.resolve import brprops  # ---- best_response (issue 14)

    if brprops.br_call(e):
        return True
    from verigroup.resolve import valueprops  # ---- game values (issue 14)

    if valueprops.value_comparison(e):
        return True
    if isinstance(e, A.ECall):
        return e.fn in PROPERTY_FUNCS or e.fn == "credible"
    if isinstance(e, A.EUnary) and e.op == "not":
        return is_propositional(e.operand)
    if isinstance(e, A.EBinary) and e.op in ("and", "or", "implies"):
        return is_propositional(e.left) or is_propositional(e.right)
    return False


def _operands(e: A.Expr, op: str) -> list[A.Expr]:
    """``a and b and c`` as three operands (and/or are associative)."""
    if op in ("and", "or") and isinstance(e, A.EBinary) and e.op == op:
        return _operands(e.left, op) + _operands(e.right, op)
    return [e]


def _part_body(e: A.Expr) -> A.PropBody:
    if isinstance(e, A.EProp):
        return e.body
    return A.PTerm(e, None, None, e.span)


def _composite(ctx: Ctx, d: A.PropertyDecl, e: A.Expr, region: P.ParamRegion | None) -> Any:
    op = _connective(e)
    assert op is not None
    if region is not None and op != "and":
        ctx.error("E112", f"a parameter region applies to one property or to a conjunction, not to `{op}`",
                  region.span, "move the region into each part: (P for r in [a, b]) is not allowed either; "
                  "state the parts as separate properties with their own regions")
        return None
    if op == "not":
        assert isinstance(e, A.EUnary)
        operands = [e.operand]
    elif op == "implies":
        assert isinstance(e, A.EBinary)
        operands = [e.left, e.right]
    else:
        operands = _operands(e.left, op) + _operands(e.right, op)  # type: ignore[union-attr]
    parts = []
    for k, x in enumerate(operands, 1):
        sub = A.PropertyDecl(f"{d.name}/{k}", _part_body(x), None, x.span)
        part = resolve_property(ctx, sub)
        if part is None:
            return None
        if region is not None:
            part = dataclasses.replace(part, region=region)
        parts.append(part)
    # a region on a conjunction is carried by each conjunct (decided on the Z3 route)
    return P.Composite(d.name, op, tuple(parts), d.span)  # type: ignore[arg-type]


def _is_threshold(e: A.Expr) -> bool:
    return (isinstance(e, A.EBinary) and e.op in ("<", "<=", ">", ">=", "==", "!=")
            and any(isinstance(x, A.ECall) and x.fn == "threshold_discount" for x in (e.left, e.right)))


def _region(ctx: Ctx, r: A.Region) -> P.ParamRegion | None:
    if isinstance(r, A.SizeRegion):  # ---- populations (issue 9)
        return _size_region(ctx, r)
    if r.param not in ctx.params:
        ctx.error("E101", f"undefined param `{r.param}`", r.span, did_you_mean(r.param, ctx.params))
        return None
    res = ExprResolver(ctx, "const")
    lo, hi = res.number(r.lo, frozenset(), "a region bound"), res.number(r.hi, frozenset(), "a region bound")
    lv, hv = const_value(lo, ctx.param_values()), const_value(hi, ctx.param_values())
    if lv is not None and hv is not None and lv > hv:
        ctx.error("E112", f"empty region: {lv} > {hv}", r.span)
        return None
    if ctx.params[r.param].structural:
        ctx.error("E112", f"`{r.param}` sets a family size; it cannot range over an interval", r.span)
        return None
    return P.ParamRegion(r.param, lo, hi, r.span)


def _size_region(ctx: Ctx, r: A.SizeRegion) -> P.ParamRegion | None:
    """``for n >= 2``: ``n`` must size a family (E132), the bound be an
    integer constant >= 1, the parity word ``odd`` or ``even``."""
    from verigroup.model.counting import SizeRegion

    if r.param not in ctx.params:
        ctx.error("E101", f"undefined param `{r.param}`", r.span, did_you_mean(r.param, ctx.params))
        return None
    if not ctx.params[r.param].structural:
        sizing = sorted(k for k, p in ctx.params.items() if p.structural)
        ctx.error("E132", f"`for {r.param} >= ...` needs a param that sets a family size, but `{r.param}` "
                  "sizes no family", r.span,
                  (f"family sizes here are set by {', '.join(sizing)}" if sizing else
                   "declare the family with it: agents a[1.." + r.param + "]: actions ...") +
                  f"; for any other param use `for {r.param} in [lo, hi]`")
        return None
    if r.parity not in (None, "odd", "even"):
        ctx.error("E132", f"`{r.parity}` is not a parity: write `for odd {r.param} >= ...` or "
                  f"`for even {r.param} >= ...`", r.parity_span, did_you_mean(r.parity or "", ("odd", "even")))
        return None
    lo = ExprResolver(ctx, "const").number(r.lo, frozenset(), "the lower bound")
    lv = const_value(lo, ctx.param_values())
    if lv is None or lv.denominator != 1 or lv < 1:
        ctx.error("E132", f"the lower bound of `{r.param}` must be an integer constant >= 1", r.lo.span)
        return None
    return SizeRegion(r.param, lo, lo, r.span, r.parity)


def _split(ctx: Ctx, e: A.ECall) -> tuple[list[A.Expr], dict[str, A.EKwarg]] | None:
    pos: list[A.Expr] = []
    kw: dict[str, A.EKwarg] = {}
    allowed = _KWARGS.get(e.fn, ())
    for a in e.args:
        if isinstance(a, A.EKwarg):
            if a.name not in allowed:
                ctx.error("E110", f"{e.fn}(...) has no argument `{a.name}`", a.span,
                          did_you_mean(a.name, allowed) or (
                              f"its named arguments are {', '.join(allowed)}" if allowed else None))
                return None
            key = "t" if a.name == "adversaries" else a.name
            if key in kw:
                ctx.error("E102", f"`{a.name}` is given twice", a.span)
                return None
            kw[key] = a
        else:
            pos.append(a)
    return pos, kw


def _int_arg(ctx: Ctx, kw: dict[str, A.EKwarg], key: str, call: A.ECall, minimum: int) -> int | None:
    a = kw.get(key)
    if a is None:
        ctx.error("E110", f"{call.fn}(...) needs `{key} = N`", call.span)
        return None
    ir = ExprResolver(ctx, "const").number(a.value, frozenset(), f"`{key}`")
    v = const_value(ir, ctx.param_values())
    if v is None or v.denominator != 1 or v < minimum:
        ctx.error("E110", f"`{key}` must be an integer of at least {minimum}", a.value.span)
        return None
    return int(v)


def _at_most(ctx: Ctx, kw: dict[str, A.EKwarg], key: str, value: int | None, limit: int,
             what: str, hint: str) -> int | None:
    """A coalition/adversary size larger than the game allows is a mistake."""
    if value is not None and value > limit:
        ctx.error("E110", f"`{key} = {value}` exceeds {what} ({limit})", kw[key].value.span, hint)
        return None
    return value


def _arity(ctx: Ctx, call: A.ECall, pos: list[A.Expr], lo: int, hi: int) -> bool:
    if not lo <= len(pos) <= hi:
        want = str(lo) if lo == hi else f"{lo} to {hi}"
        ctx.error("E103", f"{call.fn}(...) takes {want} positional argument{'s' if hi != 1 else ''} "
                  f"({len(pos)} given)", call.span)
        return False
    return True


def _function(ctx: Ctx, d: A.PropertyDecl, b: A.PTerm, e: A.ECall, region: Any) -> Any:
    fn, name, span = e.fn, d.name, d.span
    if fn != "dominant":
        if b.strength is not None:
            ctx.error("E110", f"`{b.strength}` only applies to dominant(...)", b.span)
            return None
        if b.forall is not None:
            ctx.error("E110", "`for all` only applies to dominant(...)", b.forall_span)
            return None
    split = _split(ctx, e)
    if split is None:
        return None
    pos, kw = split
    if fn == "dominant":
        if not _arity(ctx, e, pos, 2, 2):
            return None
        sel, act = pos
        if isinstance(sel, A.EIndex):
            agents = select(ctx, sel.name, sel.index, sel.span, b.forall)
        elif isinstance(sel, A.EName):
            agents = select(ctx, sel.name, None, sel.span, b.forall)
        else:
            ctx.error("E110", "dominant(...) takes an agent first: a[i], a family, a[2] or a single agent",
                      sel.span)
            return None
        if b.forall is not None and not (isinstance(sel, A.EIndex) and isinstance(sel.index, A.EName)
                                         and sel.index.name == b.forall):
            ctx.error("E110", f"`for all {b.forall}` but the agent is not indexed by `{b.forall}`",
                      b.forall_span)
            return None
        if agents is None:
            return None
        if not isinstance(act, A.EName):
            ctx.error("E110", "dominant(...) takes an action second", act.span)
            return None
        if not check_action(ctx, agents, act.name, act.span):
            return None
        strength = P.Strength.STRICT if b.strength == "strictly" else P.Strength.WEAK
        return P.Dominant(name, tuple(agents), act.name, strength, span, region)
    if fn in ("strong_nash", "coalition_proof", "resilient"):
        extra = [a for a in pos[1:]]
        weak = False
        if extra and isinstance(extra[-1], A.EName) and extra[-1].name == "weak" and fn != "coalition_proof":
            weak = True
            extra.pop()
        if not pos or extra:
            ctx.error("E103", f"{fn}(PROFILE{', k = N' if fn == 'resilient' else ''}"
                      f"{'' if fn == 'coalition_proof' else ' [, weak]'}) takes one profile", e.span)
            return None
        k = None
        if fn == "resilient":
            k = _at_most(ctx, kw, "k", _int_arg(ctx, kw, "k", e, 1), len(ctx.agent_names),
                         "the number of agents", "use strong_nash(PROFILE) for coalitions of every size")
            if k is None:
                return None
        prof = resolve_profile(ctx, pos[0])
        if prof is None:
            return None
        kind = "strong" if fn == "strong_nash" else fn
        return P.CoalitionStable(name, kind, prof, k, weak, span, region)  # type: ignore[arg-type]
    if fn == "immune":
        if not _arity(ctx, e, pos, 1, 2) and not (len(pos) == 1 and kw):
            return None
        tkey = "t" if "t" in kw or "adversaries" not in kw else "adversaries"
        t = _int_arg(ctx, kw, "t", e, 0)
        if t is not None and "t" in kw:
            t = _at_most(ctx, kw, tkey, t, len(ctx.agent_names) - 1, "the number of agents minus one",
                         "at least one agent must stay honest for immunity to mean anything")
        prof = resolve_profile(ctx, pos[0]) if pos else None
        cond = None
        if len(pos) == 2:
            cond = ExprResolver(ctx, "expr").boolean(pos[1], frozenset(), "the immunity condition")
        if t is None or prof is None:
            return None
        return P.Immune(name, prof, t, cond, span, region)
    if fn == "robust":
        if not _arity(ctx, e, pos, 1, 1):
            return None
        k, t = _int_arg(ctx, kw, "k", e, 0), _int_arg(ctx, kw, "t", e, 0)
        if k is not None and t is not None and k + t > len(ctx.agent_names):
            ctx.error("E110", f"k + t = {k + t} exceeds the number of agents ({len(ctx.agent_names)})",
                      e.span, "a coalition and the adversaries are disjoint sets of agents")
            return None
        prof = resolve_profile(ctx, pos[0])
        if k is None or t is None or prof is None:
            return None
        return P.Robust(name, prof, k, t, span, region)
    res = ExprResolver(ctx, "term")
    if fn == "optimum_is_equilibrium":
        if not _arity(ctx, e, pos, 1, 2):
            return None
        m = res._metric_arg(e, 0)
        c = res.concept_arg(e, 1)
        if m is None or c is None:
            return None
        return P.OptimumIsEquilibrium(name, m, c, span, region)
    if fn == "pareto_efficient":
        if not _arity(ctx, e, pos, 0, 1):
            return None
        c = res.concept_arg(e, 0)
        return None if c is None else P.ParetoEfficient(name, c, span, region)
    # individually_rational
    if not _arity(ctx, e, pos, 1, 1):
        return None
    if "outside" not in kw:
        ctx.error("E110", "individually_rational(...) needs `outside = {agent: value, ...}`", e.span)
        return None
    outside = outside_options(ctx, kw["outside"].value)
    if isinstance(pos[0], A.EConcept):
        prof, concept = None, _CONCEPTS[pos[0].concept]
    else:
        prof, concept = resolve_profile(ctx, pos[0]), P.Concept.PURE_NASH
        if prof is None:
            return None
    if outside is None:
        return None
    return P.IndividuallyRational(name, prof, outside, concept, span, region)  # type: ignore[arg-type]


_ = Span
