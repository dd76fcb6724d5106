"""Resolve the dynamics properties (issue 12): ``ess(...)``,
``neutrally_stable(...)``, ``basin(ACTION) >= q``, ``stochastically_stable(...)``,
``risk_dominant(...)``, ``learners_reach(ACTION) >= q`` -> records of
:mod:`verigroup.model.dynprops`."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.model.dynprops import COMPARED, DYN_FUNCS, EvolutionaryProperty
from verigroup.resolve.context import Ctx, const_value
from verigroup.resolve.exprs import ExprResolver
from verigroup.syntax import ast as A

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_OPS = ("<", "<=", ">", ">=", "==", "!=")


def dynamics_call(e: A.Expr) -> bool:
    """Is this property body one of the dynamics forms?"""
    if isinstance(e, A.ECall) and e.fn in DYN_FUNCS:
        return True
    return (isinstance(e, A.EBinary) and e.op in _OPS
            and any(isinstance(x, A.ECall) and x.fn in COMPARED for x in (e.left, e.right)))


def resolve(ctx: Ctx, d: A.PropertyDecl, b: A.PTerm, e: A.Expr, region: Any) -> EvolutionaryProperty | None:
    if b.forall is not None or b.strength is not None:
        ctx.error("E110", "`for all` / strength modifiers do not apply to dynamics properties", b.span)
        return None
    op = bound = None
    if isinstance(e, A.ECall) and e.fn == "every_ess":
        return _every_ess(ctx, d, e, region)
    if isinstance(e, A.EBinary):
        call, other, op = ((e.left, e.right, e.op) if isinstance(e.left, A.ECall) and e.left.fn in COMPARED
                           else (e.right, e.left, _FLIP[e.op]))
        assert isinstance(call, A.ECall)
        ir = ExprResolver(ctx, "const").number(other, frozenset(), "the bound")
        bound = const_value(ir, ctx.param_values())
        if bound is None:
            ctx.error("E110", f"{call.fn}(...) is compared with a constant (a number or params)", other.span)
            return None
    else:
        assert isinstance(e, A.ECall)
        call = e
        if call.fn in COMPARED:
            ctx.error("E110", f"{call.fn}(ACTION) is a share: compare it, e.g. {call.fn}(x) >= 1/2", e.span)
            return None
    actions = _population_actions(ctx, call)
    if actions is None:
        return None
    strategy = _strategy(ctx, call, actions)
    if strategy is None:
        return None
    return EvolutionaryProperty(d.name, call.fn, strategy, op, bound, d.span, region)  # type: ignore[arg-type]


def _population_actions(ctx: Ctx, call: A.ECall) -> tuple[str, ...] | None:
    acts = {tuple(f.actions) for f in ctx.families.values()}
    if len(acts) != 1:
        ctx.error("E110", f"{call.fn}(...) is about one population whose members share their actions; "
                          "this spec's agents have different action sets", call.span,
                  "two-population games: use `verigroup dynamics` (strict equilibria are the ESS)")
        return None
    return next(iter(acts))


def _strategy(ctx: Ctx, call: A.ECall, actions: tuple[str, ...]) -> tuple[tuple[str, Fraction], ...] | None:
    if len(call.args) == 1 and isinstance(call.args[0], A.EName):
        act = call.args[0].name
        if act not in actions:
            from verigroup.diagnostics import did_you_mean

            ctx.error("E104", f"unknown action `{act}`", call.args[0].span,
                      did_you_mean(act, actions) or f"actions: {', '.join(actions)}")
            return None
        return tuple((a, Fraction(int(a == act))) for a in actions)
    if call.fn in COMPARED or call.fn in ("stochastically_stable", "risk_dominant"):
        ctx.error("E103", f"{call.fn}(ACTION) takes one action (a convention)", call.span)
        return None
    probs: dict[str, Fraction] = {}
    for arg in call.args:
        if not isinstance(arg, A.EKwarg):
            ctx.error("E103", f"{call.fn}(...) takes one action, or ACTION = PROBABILITY, ...", arg.span)
            return None
        if arg.name not in actions:
            ctx.error("E104", f"unknown action `{arg.name}`", arg.span, f"actions: {', '.join(actions)}")
            return None
        v = const_value(ExprResolver(ctx, "const").number(arg.value, frozenset(), "a probability"),
                        ctx.param_values())
        if v is None or v < 0:
            ctx.error("E110", "a probability must be a constant >= 0", arg.value.span)
            return None
        probs[arg.name] = v
    if sum(probs.values(), Fraction(0)) != 1:
        ctx.error("E110", f"the probabilities sum to {sum(probs.values(), Fraction(0))}, not 1", call.span)
        return None
    return tuple((a, probs.get(a, Fraction(0))) for a in actions)


def _every_ess(ctx: Ctx, d: A.PropertyDecl, call: A.ECall, region: Any) -> EvolutionaryProperty | None:
    """``every_ess(METRIC OP BOUND)``: the metric, at the profile where both
    agents play the ESS, meets the bound for every ESS."""
    arg = call.args[0] if len(call.args) == 1 else None
    if not (isinstance(arg, A.EBinary) and arg.op in _OPS):
        ctx.error("E103", "every_ess(...) takes one comparison of a metric with a constant, "
                          "e.g. every_ess(harm <= 2)", call.span)
        return None
    if isinstance(arg.left, A.EName) and arg.left.name in ctx.metric_decls:
        name, other, op = arg.left.name, arg.right, arg.op
    elif isinstance(arg.right, A.EName) and arg.right.name in ctx.metric_decls:
        name, other, op = arg.right.name, arg.left, _FLIP[arg.op]
    else:
        from verigroup.diagnostics import did_you_mean

        side = arg.left if isinstance(arg.left, A.EName) else arg.right
        ctx.error("E101", "every_ess(...) compares a metric of the spec", side.span,
                  (did_you_mean(side.name, ctx.metric_decls) if isinstance(side, A.EName) else None)
                  or "metrics: " + (", ".join(sorted(ctx.metric_decls)) or "none"))
        return None
    bound = const_value(ExprResolver(ctx, "const").number(other, frozenset(), "the bound"), ctx.param_values())
    if bound is None:
        ctx.error("E110", "the bound must be a constant (numbers and params)", other.span)
        return None
    actions = _population_actions(ctx, call)
    if actions is None:
        return None
    return EvolutionaryProperty(d.name, "every_ess", (), op, bound, d.span, region, name)
