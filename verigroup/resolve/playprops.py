"""Properties over the plays of a protocol -> property records.

``for every spe: never φ`` -> PlayTemporal, ``coalition {C} can enforce
eventually φ`` -> Enforce, ``credible(stage == action)`` ->
CommitmentCredible, ``grim_trigger(c, d) is spe`` /
``threshold_discount(grim_trigger(c, d)) >= 1/2`` -> RepeatedStrategyCheck.

φ is translated to the predicate IR of :mod:`verigroup.extensive.plays`:
``STAGE == a`` (on the play so far -- in the current round of a repeated
protocol -- the move made at that stage is a; false before the stage is
played, as in payoff expressions), ``STAGE != a`` (its negation),
``payoff(AGENT) OP NUMBER`` (at the end of the play), ``end``,
``true``/``false``, ``not``/``and``/``or``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.diagnostics import did_you_mean
from verigroup.extensive import plays as PL
from verigroup.model import properties as P
from verigroup.resolve.context import Ctx, const_value
from verigroup.resolve.exprs import ExprResolver
from verigroup.syntax import ast as A

AUTOMATA = ("grim_trigger", "tit_for_tat")
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _need_tree(ctx: Ctx, span: Any, what: str) -> bool:
    plan = ctx.plan
    if plan is None:
        ctx.error("E110", f"{what} needs a `protocol:` section", span,
                  "properties over plays are about extensive-form games")
        return False
    if plan.forever:
        ctx.error("E110", f"{what} needs a finite protocol; `repeat forever` builds no game tree", span,
                  "use `repeat R rounds`, or state an automaton property: grim_trigger(c, d) is spe")
        return False
    return True


def _stage_of(ctx: Ctx, e: A.Expr) -> str | None:
    if isinstance(e, A.EName) and e.name in ctx.stages:
        return e.name
    if isinstance(e, A.EIndex) and isinstance(e.index, A.ENum):
        name = f"{e.name}[{e.index.value}]"
        if name in ctx.stages:
            return name
    return None


def phi_of(ctx: Ctx, e: A.Expr) -> Any:
    """AST -> play predicate, or None after reporting an error."""
    if (isinstance(e, A.EName) and e.name in ctx.lets and ctx.lets[e.name].params is None
            and e.name not in ctx.stages):
        # a definition (`let right = decide == same and agree`) is inlined,
        # as in payoffs; cycles were refused when the definitions resolved
        return phi_of(ctx, ctx.lets[e.name].body)
    if isinstance(e, A.EBool):
        return PL.TrueP(e.span) if e.value else PL.NotP(PL.TrueP(e.span), e.span)
    if isinstance(e, A.EName) and e.name == "end" and e.name not in ctx.stages:
        return PL.AtEnd(e.span)
    if isinstance(e, A.EUnary) and e.op == "not":
        a = phi_of(ctx, e.operand)
        return None if a is None else PL.NotP(a, e.span)
    if isinstance(e, A.EBinary) and e.op in ("and", "or"):
        a, b = phi_of(ctx, e.left), phi_of(ctx, e.right)
        if a is None or b is None:
            return None
        return (PL.AndP if e.op == "and" else PL.OrP)((a, b), e.span)
    if isinstance(e, A.EBinary) and e.op in ("==", "!="):
        st = _stage_of(ctx, e.left) or _stage_of(ctx, e.right)
        if st is not None:
            other = e.right if _stage_of(ctx, e.left) == st else e.left
            acts = ctx.stages[st][1]
            if not isinstance(other, A.EName) or other.name not in acts:
                name = other.name if isinstance(other, A.EName) else "this"
                ctx.error("E104", f"`{name}` is not a move of the stage `{st}` (its moves are "
                          f"{', '.join(acts)})", other.span, did_you_mean(name, acts))
                return None
            # One semantics with payoff expressions: the move made at the
            # stage on the play so far (in the current round); `!=` is its
            # negation, so it is also true before the stage is played.
            atom = PL.StageMove(st, other.name, e.span)
            return atom if e.op == "==" else PL.NotP(atom, e.span)
    if isinstance(e, A.EBinary) and e.op in ("<", "<=", ">", ">=", "==", "!="):
        for side, other, op in ((e.left, e.right, e.op), (e.right, e.left, _FLIP[e.op])):
            if isinstance(side, A.ECall) and side.fn == "payoff" and len(side.args) == 1:
                agent = _agent_name(ctx, side.args[0])
                if agent is None:
                    return None
                ir = ExprResolver(ctx, "const").number(other, frozenset(), "the payoff bound")
                v = const_value(ir, ctx.param_values())
                if v is None:
                    return None
                return PL.PayoffCmp(agent, op, v, e.span)  # type: ignore[arg-type]
    if isinstance(e, A.EBinary) and e.op in ("<", "<=", ">", ">=", "==", "!=") and ctx.state_vars:
        return _state_pred(ctx, e)
    ctx.error("E110", "not a play predicate", e.span,
              "use STAGE == action, payoff(agent) >= NUMBER, a comparison of state variables, end, not/and/or")
    return None


def _state_pred(ctx: Ctx, e: A.EBinary) -> Any:
    """A comparison over state variables: true at the nodes whose state
    (as labelled in the tree) satisfies it."""
    from verigroup.model import expr as X
    from verigroup.resolve.context import walk
    from verigroup.resolve.histeval import HistoryEval

    n_before = len(ctx.diags)
    ir = ExprResolver(ctx, "expr").boolean(e, frozenset(), "a state condition")
    if len(ctx.diags) > n_before:
        return None
    if any(isinstance(n, (X.MoveIs, X.ActionIs, X.SameAction, X.PayoffOf, X.MetricOf)) for n in walk(ir)):
        ctx.error("E110", "a play predicate compares either one move, one payoff, or state variables", e.span)
        return None
    plan = ctx.plan
    if plan is None or plan.rounds is None:
        ctx.error("E110", "state conditions on plays need a repeated protocol with state variables", e.span)
        return None
    labels = []
    for lab, st in plan.label_states.items():
        if HistoryEval(ctx.param_values(), (), {}, {}, {}, st).cond(ir):
            labels.append(PL.StateIs(lab, e.span))
    if not labels:
        return PL.NotP(PL.TrueP(e.span), e.span)
    return labels[0] if len(labels) == 1 else PL.OrP(tuple(labels), e.span)


def _agent_name(ctx: Ctx, e: A.Expr) -> str | None:
    if isinstance(e, A.EName) and e.name in ctx.families and ctx.families[e.name].single:
        return e.name
    if isinstance(e, A.EIndex) and e.name in ctx.families:
        ir = ExprResolver(ctx, "const").number(e.index, frozenset(), "an agent index")
        v = const_value(ir, ctx.param_values())
        name = f"{e.name}[{v}]"
        if name in ctx.agent_names:
            return name
        ctx.error("E105", f"no agent {name}", e.span)
        return None
    ctx.error("E101", "expected an agent", e.span,
              did_you_mean(getattr(e, "name", ""), ctx.agent_names) if isinstance(e, A.EName) else None)
    return None


def resolve_play(ctx: Ctx, d: A.PropertyDecl, b: A.PPlay, region: Any) -> Any:
    if b.concept.concept == "mixed_nash":  # ---- mixed play in protocols (issue 14)
        from verigroup.resolve.oversightprops import resolve_mixed_play

        return resolve_mixed_play(ctx, d, b, region)
    if b.concept.concept != "spe":
        ctx.error("E110", "properties over plays are stated for subgame-perfect equilibria",
                  b.concept.span, f"write: for {b.quantifier} spe: {b.kind} ... "
                                  f"(or `mixed nash` for behaviour-strategy equilibria)")
        return None
    if not _need_tree(ctx, b.span, "a property over plays"):
        return None
    phi = phi_of(ctx, b.phi)
    if phi is None:
        return None
    return P.PlayTemporal(d.name, P.Quantifier(b.quantifier), b.kind, phi, d.span, region)


def resolve_enforce(ctx: Ctx, d: A.PropertyDecl, b: A.PEnforce, region: Any) -> Any:
    if not _need_tree(ctx, b.span, "`can enforce`"):
        return None
    members: list[str] = []
    for e in b.agents:
        if isinstance(e, A.EName) and e.name in ctx.families and not ctx.families[e.name].single:
            members += [n for n in ctx.agent_names if n.startswith(e.name + "[")]
            continue
        n = _agent_name(ctx, e)
        if n is None:
            return None
        members.append(n)
    phi = phi_of(ctx, b.phi)
    if phi is None:
        return None
    return P.Enforce(d.name, tuple(dict.fromkeys(members)), b.can, b.kind, phi, d.span, region)


def resolve_credible(ctx: Ctx, d: A.PropertyDecl, e: A.ECall, region: Any) -> Any:
    if not _need_tree(ctx, e.span, "credible(...)"):
        return None
    if len(e.args) != 1 or not (isinstance(e.args[0], A.EBinary) and e.args[0].op == "=="):
        ctx.error("E110", "credible(...) takes one move: credible(STAGE == action)", e.span)
        return None
    t = e.args[0]
    st = _stage_of(ctx, t.left)
    if st is None or not isinstance(t.right, A.EName):
        ctx.error("E110", "credible(...) takes a stage and one of its moves: credible(STAGE == action)", t.span,
                  did_you_mean(getattr(t.left, "name", ""), ctx.stages))
        return None
    who, acts = ctx.stages[st]
    if who == "chance":
        ctx.error("E110", f"`{st}` is a chance stage; only an agent's move can be credible", t.left.span)
        return None
    if t.right.name not in acts:
        ctx.error("E104", f"`{t.right.name}` is not a move of the stage `{st}` (its moves are {', '.join(acts)})",
                  t.right.span, did_you_mean(t.right.name, acts))
        return None
    infosets = tuple(ctx.plan.stage_infosets.get(st, ()))
    return P.CommitmentCredible(d.name, st, t.right.name, who, infosets, d.span, region)


def _automaton(ctx: Ctx, e: A.Expr) -> tuple[str, tuple[str, ...]] | None:
    if not (isinstance(e, A.ECall) and e.fn in AUTOMATA):
        ctx.error("E110", "expected a strategy profile: grim_trigger(cooperate, punish) or tit_for_tat(nice)",
                  e.span)
        return None
    want = 2 if e.fn == "grim_trigger" else 1
    if len(e.args) != want or not all(isinstance(a, A.EName) for a in e.args):
        ctx.error("E103", f"{e.fn} takes {want} action name{'s' if want > 1 else ''}", e.span)
        return None
    names = tuple(a.name for a in e.args)  # type: ignore[union-attr]
    for a, arg in zip(names, e.args):
        for fam in ctx.families.values():
            if a not in fam.actions:
                ctx.error("E104", f"`{a}` is not an action of {fam.name} (its actions are "
                          f"{', '.join(fam.actions)})", arg.span, did_you_mean(a, fam.actions))
                return None
    return e.fn, names


def _forever(ctx: Ctx, span: Any) -> bool:
    if ctx.plan is None or not ctx.plan.forever:
        ctx.error("E110", "automaton strategies are checked in an infinitely repeated game", span,
                  "write the protocol as `repeat forever discount D:` with a simultaneous stage game")
        return False
    return True


def resolve_is_spe(ctx: Ctx, d: A.PropertyDecl, b: A.PTerm, region: Any) -> Any:
    got = _automaton(ctx, b.expr)
    if got is None or not _forever(ctx, b.span):
        return None
    return P.RepeatedStrategyCheck(d.name, got[0], got[1], "is_spe", ctx.plan.discount,  # type: ignore[arg-type]
                                   span=d.span, region=region)


def resolve_threshold(ctx: Ctx, d: A.PropertyDecl, e: A.EBinary, region: Any) -> Any:
    left, right, op = e.left, e.right, e.op
    if not (isinstance(left, A.ECall) and left.fn == "threshold_discount"):
        left, right, op = right, left, _FLIP[op]
    assert isinstance(left, A.ECall)
    if len(left.args) != 1:
        ctx.error("E103", "threshold_discount(...) takes one strategy profile", left.span)
        return None
    got = _automaton(ctx, left.args[0])
    if got is None or not _forever(ctx, e.span):
        return None
    v = const_value(ExprResolver(ctx, "const").number(right, frozenset(), "the bound"), ctx.param_values())
    if v is None:
        return None
    return P.RepeatedStrategyCheck(d.name, got[0], got[1], "threshold", ctx.plan.discount, op, Fraction(v),  # type: ignore[arg-type]
                                   d.span, region)


def is_threshold(e: A.Expr) -> bool:
    return (isinstance(e, A.EBinary) and e.op in _FLIP
            and any(isinstance(x, A.ECall) and x.fn == "threshold_discount" for x in (e.left, e.right)))
