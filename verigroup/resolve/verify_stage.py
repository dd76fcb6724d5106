"""The verification stage (issue 14): ``AGENT verifies S1, S2 [budget K] [cost C]``.

Desugaring.  A verification stage becomes an ordinary ``chooses`` stage of
its mover whose actions are the subsets of at most K of the named earlier
stages, smallest first, in the order written: ``none``, ``S1``, ``S2``,
``S1+S2``, ...  Three things are added on top of that plain move:

* information: every LATER stage of the same mover observes the move made at
  each stage its verification move named, exactly as if its ``sees`` listed
  that stage (the compiler adds ``(S, move)`` to the information-set key,
  see :func:`revealed`);
* ``verified(S)`` in payoffs, metrics and conditions reads 1 if a
  verification stage picked S (in the current round), else 0
  (:func:`verified_expr`; several verification stages naming S: any of them);
* the cost: C per verified stage is subtracted from the mover's payoff
  expression (:func:`charge_costs`), so ``payoff(judge)`` in another agent's
  payoff already includes it.

Refusals (E142, positioned on the offending clause): no budget while more
than one stage is named, or a budget larger than the number of named stages
("unbounded verification budget"); a budget that is not an integer >= 0; a
negative or non-constant cost; a named stage that is not an earlier stage; a
stage named twice; an option other than ``budget``/``cost`` or one given
twice; a family statement (a verification stage has one mover); more than
``MAX_SUBSETS`` subsets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from itertools import combinations
from math import comb
from typing import TYPE_CHECKING, Any, Sequence

from verigroup.diagnostics import did_you_mean
from verigroup.model import expr as X
from verigroup.model.model import Agent
from verigroup.resolve.context import Ctx, const_value
from verigroup.syntax import ast as A

if TYPE_CHECKING:
    from verigroup.resolve.protocol import Plan, StageInfo

MAX_SUBSETS = 10_000
OPTIONS = ("budget", "cost")


@dataclass(frozen=True)
class VerifyInfo:
    """What a verification stage may verify: ``targets`` are stage positions
    in ``Plan.stages``; ``subsets`` maps each action to the positions it verifies."""

    targets: tuple[int, ...]
    subsets: tuple[tuple[str, tuple[int, ...]], ...]
    budget: int
    cost: Fraction

    def verifies(self, action: str | None) -> tuple[int, ...]:
        for a, ts in self.subsets:
            if a == action:
                return ts
        return ()


def subset_actions(names: Sequence[str], budget: int) -> list[tuple[str, tuple[int, ...]]]:
    """``none`` then every subset of at most ``budget`` names, smallest first."""
    out: list[tuple[str, tuple[int, ...]]] = []
    for size in range(budget + 1):
        for pick in combinations(range(len(names)), size):
            out.append(("+".join(names[i] for i in pick) if pick else "none", pick))
    return out


def expand_verify(ctx: Ctx, plan: "Plan", st: A.VerifyStage, group: int, seen: dict[str, Any]) -> None:
    """Append the desugared ``chooses`` stage of ``st`` to ``plan.stages``."""
    from verigroup.resolve.exprs import ExprResolver
    from verigroup.resolve.protocol import StageInfo, _members, _new_name, _stage_ref_name

    probe = A.MoveStage(None, st.agent, st.index, "chooses", (), None, None, None, st.span, st.agent_span)
    members = _members(ctx, probe)
    if members is None:
        return
    if len(members) > 1:
        ctx.error("E142", f"a verification stage has one mover; `{st.agent}` is a family", st.agent_span,
                  f"name the member: `{st.agent}[1] verifies ...`")
        return
    mover = members[0]
    name = st.label if st.label is not None else ctx.agent_names[mover]
    # ---- the named stages: earlier, distinct
    earlier = {s.name: k for k, s in enumerate(plan.stages)}
    targets: list[int] = []
    names: list[str] = []
    ok = True
    for r in st.targets:
        tname = _stage_ref_name(ctx, r)
        if tname is None:
            ok = False
            continue
        j = earlier.get(tname)
        if j is None:
            ctx.error("E142", f"`{tname}` is not an earlier stage of the protocol; only stages before "
                      "the verification can be verified", r.span,
                      did_you_mean(tname, earlier) or ("earlier stages: " + ", ".join(earlier) if earlier
                                                        else "a verification stage needs earlier stages"))
            ok = False
            continue
        if j in targets:
            ctx.error("E142", f"stage `{tname}` is named twice", r.span)
            ok = False
            continue
        targets.append(j)
        names.append(tname)
    # ---- options: budget K, cost C
    const = ExprResolver(ctx, "const")
    params = ctx.param_values()
    given: dict[str, tuple[A.Expr, Any]] = {}
    for opt, e, sp in st.options:
        if opt not in OPTIONS:
            ctx.error("E142", f"unknown verification option `{opt}`", sp,
                      did_you_mean(opt, OPTIONS) or "write `budget K` and/or `cost C`")
            ok = False
        elif opt in given:
            ctx.error("E142", f"`{opt}` is given twice", sp)
            ok = False
        else:
            given[opt] = (e, sp)
    budget: int | None = None
    if "budget" in given:
        e, sp = given["budget"]
        v = const_value(const.number(e, frozenset(), "the verification budget"), params)
        if v is None or v.denominator != 1:
            ctx.error("E142", f"the verification budget must be an integer constant, got {v}", e.span)
            ok = False
        elif v < 0:
            ctx.error("E142", f"the verification budget {v} is negative", e.span,
                      "a budget is the number of stages the mover may verify: 0, 1, 2, ...")
            ok = False
        elif ok and v > len(targets):
            ctx.error("E142", f"unbounded verification budget: {v} is more than the {len(targets)} "
                      f"stage(s) named, so every stage could be verified", e.span,
                      f"use a budget of at most {len(targets)} (a budget of {len(targets)} "
                      "verifies everything: write it only if that is meant)")
            ok = False
        else:
            budget = int(v)
    elif len(st.targets) > 1:
        ctx.error("E142", f"unbounded verification budget: {len(st.targets)} stages are named and no "
                  "budget is given", st.span,
                  f"add `budget K` with 0 <= K <= {len(st.targets)}: `... verifies "
                  f"{', '.join(r.name for r in st.targets)} budget 1`")
        ok = False
    else:
        budget = len(targets)
    cost = Fraction(0)
    if "cost" in given:
        e, sp = given["cost"]
        c = const_value(const.number(e, frozenset(), "the verification cost"), params)
        if c is None:
            ctx.error("E142", "the verification cost must be a constant", e.span,
                      "write a number or a param: `cost 1/10`, `cost c`")
            ok = False
        elif c < 0:
            ctx.error("E142", f"the verification cost {c} is negative", e.span,
                      "a cost is paid per verified stage: write a number >= 0")
            ok = False
        else:
            cost = c
    if not ok or budget is None:
        return
    count = sum(comb(len(targets), k) for k in range(budget + 1))
    if count > MAX_SUBSETS:
        ctx.error("E142", f"{count:,} verification choices (subsets of at most {budget} of {len(targets)} "
                  f"stages); the limit is {MAX_SUBSETS:,}", st.span, "name fewer stages or lower the budget")
        return
    if not _new_name(ctx, plan, name, st.span, seen, st.label is not None):
        return
    subsets = subset_actions(names, budget)
    info = VerifyInfo(tuple(targets), tuple((a, tuple(targets[i] for i in pick)) for a, pick in subsets),
                      budget, cost)
    s: StageInfo = StageInfo(name, "chooses", mover, tuple(a for a, _ in subsets), st.span, group, st.sees,
                             None, st.cond)
    s.verify = info
    plan.stages.append(s)


def revealed(stages: Sequence["StageInfo"], k: int, moves: dict[str, str]) -> tuple[tuple[str, str | None], ...]:
    """The ``(stage, move)`` pairs stage ``k``'s mover learnt by verifying at an
    earlier stage of the same round (beyond what it observes anyway)."""
    s = stages[k]
    out: list[tuple[str, str | None]] = []
    got: set[int] = set(s.observes)
    for j in range(k):
        v = stages[j]
        if v.verify is None or v.agent != s.agent:
            continue
        for t in v.verify.verifies(moves.get(v.name)):
            if t not in got:
                got.add(t)
                out.append((stages[t].name, moves.get(stages[t].name)))
    return tuple(out)


def verified_expr(ctx: Ctx, e: A.ECall) -> X.Expr | None:
    """``verified(S)`` as 1/0: some verification stage's move names ``S``."""
    plan = ctx.plan
    if len(e.args) != 1 or not isinstance(e.args[0], (A.EName, A.EIndex)):
        ctx.error("E103", "verified(...) takes one stage name, e.g. verified(claim1)", e.span)
        return None
    arg = e.args[0]
    name = arg.name
    if isinstance(arg, A.EIndex):
        if not isinstance(arg.index, A.ENum) or arg.index.value.denominator != 1:
            ctx.error("E107", "a stage index must be an integer constant", arg.index.span)
            return None
        name = f"{arg.name}[{int(arg.index.value)}]"
    if plan is None:
        ctx.error("E110", "verified(...) needs a protocol with a verification stage", e.fn_span)
        return None
    pos = plan.index(name)
    tests: list[X.Expr] = []
    for v in plan.stages:
        if v.verify is None or pos is None:
            continue
        for a, ts in v.verify.subsets:
            if pos in ts:
                tests.append(X.MoveIs(v.name, a, False, e.span))
    if not tests:
        checked = sorted({plan.stages[t].name for v in plan.stages if v.verify is not None
                          for t in v.verify.targets})
        ctx.error("E101", f"no verification stage can verify `{name}`", arg.span,
                  did_you_mean(name, checked) or ("verifiable stages: " + ", ".join(checked) if checked
                                                  else "add a stage: `judge verifies STAGE budget 1`"))
        return None
    test = tests[0]
    for t in tests[1:]:
        test = X.Logic("or", test, t, e.span)
    return X.Cond(test, X.Num(Fraction(1), e.span), X.Num(Fraction(0), e.span), e.span)


def charge_costs(plan: "Plan", agents: Sequence[Agent]) -> tuple[Agent, ...]:
    """Subtract C per verified stage from each verifying mover's payoff."""
    out = list(agents)
    for v in plan.stages:
        if v.verify is None or v.verify.cost == 0 or v.agent is None:
            continue
        paid: X.Expr = X.Num(Fraction(0), v.span)
        for a, ts in reversed(v.verify.subsets):
            if ts:
                paid = X.Cond(X.MoveIs(v.name, a, False, v.span), X.Num(v.verify.cost * len(ts), v.span),
                              paid, v.span)
        ag = out[v.agent]
        out[v.agent] = replace(ag, payoff=X.Arith("-", ag.payoff, paid, v.span))
    return tuple(out)
