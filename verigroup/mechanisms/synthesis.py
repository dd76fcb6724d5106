"""Synthesis: the cheapest mechanism that achieves a goal, certified, then
re-checked and audited on the transformed game.

``synthesize(model, goal, lever, ...)`` returns a frozen
:class:`SynthesisResult`.  The re-check is the ordinary property checker run
on the transformed Model (passed in as ``check``, e.g.
``verigroup.api.check_model``, so this stage does not import the layer above
it): the goal itself as properties (``nash``/``dominant``/``unique nash``),
the spec's own properties, and a safety audit of the fix (every pure
equilibrium of the transformed game, uniqueness among mixed equilibria,
2-resilience and 1-immunity of the target).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Literal, Sequence

from verigroup.diagnostics import SpecError, Span
from verigroup.mechanisms.goals import Goal
from verigroup.mechanisms.money import (
    MoneyAnswer, lp_synthesis, payment_table, subsidy_closed_form, verify_payments)
from verigroup.mechanisms.share import (
    Direction, ShareAnswer, param_direction, selfishness_level, share_direction, synthesize_resilient,
    synthesize_share, tax_direction)


def _one_dim(ig: Any, goal: Goal, lo: Fraction, hi: Fraction, dr: Direction | None) -> ShareAnswer:
    if goal.kind == "resilient":
        return synthesize_resilient(ig, goal.target, goal.k, lo, hi, dr or share_direction(ig))
    return synthesize_share(ig, goal.kind, goal.target, lo, hi, dr)
from verigroup.mechanisms.tables import int_game
from verigroup.mechanisms.transform import share_payments, with_payments
from verigroup.model.model import Model
from verigroup.model.properties import (
    CoalitionStable, Concept, Dominant, Existence, Immune, IsEquilibrium, Profile, Property)
from verigroup.verdicts import PropertyResult, Verdict

Lever = Literal["share", "subsidy", "transfer"]
LEVERS: tuple[Lever, ...] = ("share", "subsidy", "transfer")
Status = Literal["optimal", "infimum", "infeasible", "unknown"]

OBJECTIVES = {
    "share": "alpha, the shared fraction in (1 - alpha) * payoff + alpha * welfare / n",
    "subsidy": "sum over agents of the subsidy paid at the target profile",
    "transfer": "the largest transfer any agent may pay or receive (budget balanced at every profile)",
    "tax": "the tax per unit of the metric that every agent pays",
    "param": "the value of the spec's parameter (payoffs are affine in it)",
}


@dataclass(frozen=True)
class SynthesisResult:
    spec: str
    game: str
    goal: str
    target: dict[str, str]
    lever: str
    status: Status
    optimal_value: Fraction | None
    attained: bool
    objective: str
    mechanism: dict[str, Any]
    certificate: dict[str, Any]
    recheck: tuple[PropertyResult, ...] = ()
    audit: tuple[PropertyResult, ...] = ()
    spec_properties: tuple[PropertyResult, ...] = ()
    required: tuple[str, ...] = ()
    reason: str = ""
    transformed: Model | None = field(default=None, compare=False, repr=False)

    @property
    def feasible(self) -> bool | None:
        if self.status in ("optimal", "infimum"):
            return True
        return False if self.status == "infeasible" else None

    @property
    def recheck_ok(self) -> bool:
        return bool(self.recheck) and all(r.verdict == Verdict.HOLDS for r in self.recheck)

    @property
    def exit_code(self) -> int:
        if self.status == "infeasible":
            return 1
        if self.status == "unknown":
            return 3
        if any(r.verdict == Verdict.VIOLATED for r in self.recheck):
            return 4                      # a certified mechanism failed its re-check: a bug
        req = [r for r in self.spec_properties if r.name in self.required]
        if any(r.verdict == Verdict.VIOLATED for r in req):
            return 1
        if not self.recheck_ok or any(r.verdict == Verdict.UNKNOWN for r in req):
            return 3
        return 0


GOAL_SPAN = Span("--goal", 1, 1)


def _goal_properties(model: Model, goal: Goal) -> list[Property]:
    prof = Profile(tuple(a.actions[k] for a, k in zip(model.agents, goal.target)), "target")
    if goal.kind == "nash":
        return [IsEquilibrium("goal: the target is a Nash equilibrium", prof, GOAL_SPAN)]
    if goal.kind == "resilient":
        return [CoalitionStable(f"goal: no coalition of at most {goal.k} gains by leaving the target",
                                "resilient", prof, goal.k, span=GOAL_SPAN)]
    if goal.kind == "dominant":
        return [Dominant(f"goal: {a.actions[k]} is dominant for {a.name}", (i,), a.actions[k],
                         span=GOAL_SPAN) for i, (a, k) in enumerate(zip(model.agents, goal.target))]
    return [IsEquilibrium("goal: the target is a Nash equilibrium", prof, GOAL_SPAN),
            Existence("goal: the pure Nash equilibrium is unique", True, Concept.PURE_NASH, GOAL_SPAN)]


def _audit_properties(model: Model, goal: Goal) -> list[Property]:
    prof = Profile(tuple(a.actions[k] for a, k in zip(model.agents, goal.target)), "target")
    out: list[Property] = [Existence("audit: the equilibrium is unique among mixed equilibria", True,
                                     Concept.MIXED_NASH, GOAL_SPAN)]
    if len(model.agents) >= 2:
        out.append(CoalitionStable("audit: no coalition of 2 gains by leaving the target", "resilient",
                                   prof, 2, span=GOAL_SPAN))
        out.append(Immune("audit: one adversary cannot lower another agent's payoff at the target",
                          prof, 1, span=GOAL_SPAN))
    return out


def synthesize(model: Model, goal: Goal, lever: str, *, bound: Fraction | None = None,
               share_range: tuple[Fraction, Fraction] = (Fraction(0), Fraction(1)),
               timeout: float | None = None, required: Sequence[str] = (),
               param_range: tuple[Fraction, Fraction] | None = None,
               check: Callable[..., Any] | None = None) -> SynthesisResult:
    lever, _, metric = lever.partition(":")
    if lever not in LEVERS + ("tax", "param") or (lever in ("tax", "param")) != bool(metric):
        raise SpecError.single("E702", f"unknown lever `{lever}{':' if metric else ''}{metric}`",
                               Span("--lever"), "a lever is share, subsidy, transfer, tax:METRIC or "
                               "param:NAME")
    if lever == "param":
        from verigroup.diagnostics import did_you_mean
        from verigroup.mechanisms.affine import affine_in

        if metric not in model.params or model.params[metric].structural:
            raise SpecError.single("E702", f"param: the spec has no (non-structural) parameter `{metric}`",
                                   Span("--lever"), did_you_mean(metric, model.params) or
                                   "params: " + (", ".join(sorted(model.params)) or "none"))
        if param_range is None:
            raise SpecError.single("E702", f"the parameter `{metric}` is an unknown without a bounded "
                                   "domain", Span("--lever"), "give its range with --range LO,HI")
        if not affine_in(model, metric):
            raise SpecError.single("E702", f"the payoffs are not affine in `{metric}` (it appears in a "
                                   "condition, a product with itself, min/max or a power)",
                                   model.params[metric].span,
                                   "the param lever needs payoffs of the form A + param * B")
    if lever == "tax":
        if metric not in model.metrics:
            from verigroup.diagnostics import did_you_mean

            raise SpecError.single("E702", f"tax: the spec has no metric named `{metric}`", Span("--lever"),
                                   did_you_mean(metric, model.metrics) or
                                   "metrics: " + (", ".join(sorted(model.metrics)) or "none"))
        if bound is None:
            raise SpecError.single("E702", "the tax rate is an unknown without a bounded domain",
                                   Span("--lever"), "give its largest value with --bound, e.g. --bound 10")
    names = {p.name for p in model.properties}
    for r in required:
        if r not in names:
            from verigroup.diagnostics import did_you_mean

            raise SpecError.single("E702", f"--require: the spec has no property named {r!r}",
                                   Span(model.path), did_you_mean(r, names) or
                                   "properties: " + (", ".join(sorted(names)) or "none"))
    if goal.kind == "resilient" and lever in ("subsidy", "transfer"):
        raise SpecError.single("E702", f"the resilient goal is available for the one-parameter levers "
                               f"(share, tax, param), not {lever}", Span("--lever"),
                               "use --lever share, tax:METRIC or param:NAME")
    if lever == "transfer" and len(model.agents) < 2:
        raise SpecError.single("E702", "budget-balanced transfers need at least two agents: with one "
                               "there is no one to transfer to", Span("--lever"),
                               "use the subsidy lever (paid by an outside party)")
    ig = int_game(model.game())
    lo, hi = share_range
    if lever == "tax":
        assert bound is not None
        lo, hi = Fraction(0), bound
    if lever == "param":
        assert param_range is not None
        lo, hi = param_range
        if lo > hi:
            raise SpecError.single("E702", f"the range [{lo}, {hi}] is empty", Span("--range"))
    if lever not in ("share", "tax", "param"):
        if bound is None:
            bound = 2 * ig.payoff_range() + 1
        if bound < 0:
            raise SpecError.single("E702", f"the bound on payments must be >= 0, got {bound}",
                                   Span("--bound"))
    elif lever == "share" and not (0 <= lo <= hi <= 1):
        raise SpecError.single("E702", f"the share range [{lo}, {hi}] is not inside [0, 1]",
                               Span("--share-range"))
    if lever == "tax" and bound is not None and bound < 0:
        raise SpecError.single("E702", f"the bound on the tax must be >= 0, got {bound}", Span("--bound"))
    common = dict(spec=model.path, game=model.name, goal=goal.text, target=goal.describe(model),
                  lever=lever + (f":{metric}" if metric else ""), objective=OBJECTIVES[lever],
                  required=tuple(required))
    payments: list[dict[tuple[int, ...], Fraction]]
    if lever == "share":
        ans = _one_dim(ig, goal, lo, hi, None)
        if not ans.feasible or ans.witness_alpha is None:
            return SynthesisResult(status="infeasible", optimal_value=None, attained=False,
                                   mechanism={}, certificate=ans.certificate, **common)  # type: ignore[arg-type]
        alpha = ans.witness_alpha
        gamma = selfishness_level(ans.alpha, ig.n) if ans.alpha is not None else None
        mechanism: dict[str, Any] = {
            "alpha": str(alpha), "rule": "payoff' = (1 - alpha) * payoff + alpha * welfare / n",
            "selfishness_level": None if gamma is None else str(gamma)}
        status: Status = "optimal" if ans.attained else "infimum"
        value, attained, cert = ans.alpha, ans.attained, ans.certificate
        payments = share_payments(model, alpha)
        label = f"share(alpha={alpha})"
    elif lever == "param":
        from verigroup.evaluate import materialize

        base = model.param_values()
        at0 = int_game(materialize(model, params=base | {metric: Fraction(0)}))
        at1 = int_game(materialize(model, params=base | {metric: Fraction(1)}))
        ans = _one_dim(ig, goal, lo, hi, param_direction(ig, at0, at1))
        if not ans.feasible or ans.witness_alpha is None:
            return SynthesisResult(status="infeasible", optimal_value=None, attained=False,
                                   mechanism={"range": [str(lo), str(hi)]}, certificate=ans.certificate,
                                   **common)  # type: ignore[arg-type]
        theta = ans.witness_alpha
        mechanism = {"param": metric, "value": str(theta), "range": [str(lo), str(hi)],
                     "spec_value": str(model.params[metric].value)}
        status = "optimal" if ans.attained else "infimum"
        value, attained = ans.alpha, ans.attained
        cert = dict(ans.certificate, parameter=f"alpha in the constraints is the parameter `{metric}`",
                    affine="every payoff is affine in the parameter (syntactic check of the IR)")
        at = int_game(materialize(model, params=base | {metric: theta}))
        payments = [{tuple(int(v) for v in s): at.value(i, s) - ig.value(i, s) for s in ig.profiles()
                     if at.value(i, s) != ig.value(i, s)} for i in range(ig.n)]
        label = f"{metric}={theta}"
    elif lever == "tax":
        mt = model.game().metrics[metric].tensor
        ans = _one_dim(ig, goal, lo, hi, tax_direction(ig, mt.values.astype(object), mt.denominator))
        if not ans.feasible or ans.witness_alpha is None:
            return SynthesisResult(status="infeasible", optimal_value=None, attained=False,
                                   mechanism={"bound": str(bound)}, certificate=ans.certificate,
                                   **common)  # type: ignore[arg-type]
        tax = ans.witness_alpha
        mechanism = {"tax": str(tax), "metric": metric,
                     "rule": f"payoff' = payoff - tax * {metric} (every agent)", "bound": str(bound)}
        status = "optimal" if ans.attained else "infimum"
        value, attained, cert = ans.alpha, ans.attained, ans.certificate
        cert = dict(cert, parameter="alpha in the constraints is the tax rate")
        game = model.game()
        payments = [{tuple(int(v) for v in s): -tax * mt.at(s) for s in game.profiles() if mt.at(s) != 0}
                    for _ in model.agents]
        label = f"tax({metric}={tax})"
    else:
        assert bound is not None
        if lever == "subsidy" and goal.kind in ("nash", "dominant"):
            m: MoneyAnswer = subsidy_closed_form(ig, goal.kind, goal.target, bound)
        else:
            m = lp_synthesis(ig, lever, goal.kind, goal.target, bound, timeout)
        if m.status == "infeasible":
            return SynthesisResult(status="infeasible", optimal_value=None, attained=False,
                                   mechanism={"bound": str(bound)}, certificate=m.certificate,
                                   **common)  # type: ignore[arg-type]
        if m.status == "unknown":
            return SynthesisResult(status="unknown", optimal_value=None, attained=False,
                                   mechanism={"bound": str(bound)}, certificate=m.certificate,
                                   reason=m.reason, **common)  # type: ignore[arg-type]
        bad = verify_payments(ig, goal.kind, goal.target, m.payments)
        cert = dict(m.certificate)
        cert["exact_recheck"] = "the mechanism meets the goal (exact arithmetic)" if not bad else bad
        if bad:
            return SynthesisResult(status="unknown", optimal_value=None, attained=False,
                                   mechanism={}, certificate=cert,
                                   reason="the solver's mechanism failed the exact re-check",
                                   **common)  # type: ignore[arg-type]
        mechanism = {"bound": str(bound), "payments": payment_table(ig, m.payments),
                     "paid_at_target": {ig.players[i]: str(m.payments[i].get(goal.target, Fraction(0)))
                                        for i in range(ig.n)}}
        status = m.status if m.status in ("optimal", "infimum") else "unknown"
        value, attained = m.cost, m.status == "optimal"
        payments = list(m.payments)
        label = lever
    goal_props = _goal_properties(model, goal)
    audit_props = _audit_properties(model, goal)
    from verigroup.mechanisms.properties import SynthesisQuestion

    own = [p for p in model.properties if not isinstance(p, SynthesisQuestion)]
    transformed = with_payments(model, payments, label, goal_props + audit_props + own)
    recheck: tuple[PropertyResult, ...] = ()
    audit: tuple[PropertyResult, ...] = ()
    spec_props: tuple[PropertyResult, ...] = ()
    if check is not None:
        rep = check(transformed, timeout=timeout)
        res = list(rep.results)
        k, j = len(goal_props), len(goal_props) + len(audit_props)
        recheck, audit, spec_props = tuple(res[:k]), tuple(res[k:j]), tuple(res[j:])
    return SynthesisResult(status=status, optimal_value=value, attained=attained, mechanism=mechanism,
                           certificate=cert, recheck=recheck, audit=audit, spec_properties=spec_props,
                           transformed=transformed, **common)  # type: ignore[arg-type]
