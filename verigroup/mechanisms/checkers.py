"""The property checker for :class:`~verigroup.mechanisms.properties.Incentive`
(registered with :mod:`verigroup.analyses.registry`): builds the exact
Bayesian mechanism of a spec with types and runs the incentive checks of
:mod:`verigroup.mechanisms.bayesian`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from verigroup.analyses.registry import Context, checker
from verigroup.evaluate import materialize
from verigroup.mechanisms.bayesian import (
    BayesianMechanism, check_bic, check_budget, check_dsic, check_ir)
from verigroup.mechanisms.properties import Incentive, SynthesisQuestion
from verigroup.model.game import ExactTensor
from verigroup.model.model import Model
from verigroup.verdicts import PropertyResult


def spec_mechanism(model: Model, types: tuple[Any, ...], metric: str | None = None,
                   outside: Any = None) -> BayesianMechanism:
    """The Bayesian mechanism of a spec: value[i][k, reports] is agent i's
    payoff with its type variable at its k-th type value."""
    by_agent = {t.agent: t for t in types}
    depth = max(len(t.names) for t in types)
    tables: dict[tuple[int, int], ExactTensor] = {}
    metric_t: ExactTensor | None = None
    for k in range(depth):
        params = dict(model.param_values())
        for t in types:
            params[t.var] = t.values[min(k, len(t.values) - 1)]
        game = materialize(model, params=params)
        for i, t in by_agent.items():
            if k < len(t.names):
                tables[(i, k)] = game.payoffs[i]
        if metric is not None and metric_t is None:
            metric_t = game.metrics[metric].tensor
    den = 1
    for et in tables.values():
        den = den * et.denominator // math.gcd(den, et.denominator)
    if metric_t is not None:
        den = den * metric_t.denominator // math.gcd(den, metric_t.denominator)
    n = len(model.agents)
    value = []
    for i in range(n):
        t = by_agent[i]
        value.append(np.stack([tables[(i, k)].values.astype(object) * (den // tables[(i, k)].denominator)
                               for k in range(len(t.names))]))
    shape = model.shape
    pay = [np.zeros(shape, dtype=object) for _ in range(n)]
    if metric_t is not None:
        pay[0] = metric_t.values.astype(object) * (den // metric_t.denominator)
    return BayesianMechanism(
        name=model.name, agents=tuple(a.name for a in model.agents),
        type_names=tuple(by_agent[i].names for i in range(n)),
        prior=tuple(by_agent[i].prior for i in range(n)), value=tuple(value), pay=tuple(pay), den=den,
        report_of=tuple(by_agent[i].actions for i in range(n)),
        report_names=tuple(a.actions for a in model.agents),
        outside=None if not outside else tuple(outside for _ in range(n)))


@checker(Incentive)
def check_incentive(ctx: Context, prop: Incentive) -> PropertyResult:
    model = ctx.model
    if prop.kind == "efficient":
        return _efficient(model, prop)
    if prop.kind in ("weak_budget_balance", "strong_budget_balance"):
        m = spec_mechanism(model, prop.types, prop.metric)
        r = check_budget(m, strong=prop.kind == "strong_budget_balance", name=prop.name)
    else:
        m = spec_mechanism(model, prop.types, outside=prop.outside)
        if prop.kind == "dsic":
            r = check_dsic(m, prop.name)
        elif prop.kind == "bic":
            r = check_bic(m, prop.name)
        else:
            r = check_ir(m, interim=prop.kind == "interim_ir", name=prop.name)
    return PropertyResult(r.name, "Incentive", r.verdict, r.method, r.message, dict(r.evidence), prop.span)


def check_all(model: Model, timeout: float | None = None, **_: Any) -> Any:
    """The registered checkers over ``model.properties`` (what the synthesis
    re-check needs, without importing the API layer above)."""
    from types import SimpleNamespace

    from verigroup.analyses.registry import get_checker
    from verigroup.diagnostics import SpecError
    from verigroup.verdicts import Verdict

    ctx = Context(model, timeout=timeout)
    results = []
    for p in model.properties:
        fn = get_checker(type(p))
        try:
            if fn is None:
                raise SpecError.single("E110", f"no checker for {type(p).__name__}")
            results.append(fn(ctx, p))
        except SpecError as exc:
            results.append(PropertyResult(p.name, type(p).__name__, Verdict.UNKNOWN, "none",
                                          exc.diagnostics[0].message, {"reason": exc.diagnostics[0].message},
                                          getattr(p, "span", None) or prop_span()))
    return SimpleNamespace(results=tuple(results))


def prop_span() -> Any:
    from verigroup.diagnostics import Span

    return Span()


def run_question(model: Model, q: SynthesisQuestion, timeout: float | None = None,
                 check: Any = None) -> Any:
    from verigroup.mechanisms.goals import Goal
    from verigroup.mechanisms.synthesis import synthesize

    names = {a.name: a.actions[k] for a, k in zip(model.agents, q.target)}
    goal = Goal(q.goal, q.target, f"{q.goal}:" + ",".join(f"{k}={v}" for k, v in names.items()))  # type: ignore[arg-type]
    rng = (q.lo, q.hi) if q.lo is not None and q.hi is not None else None
    from fractions import Fraction

    share = rng if q.lever == "share" and rng is not None else (Fraction(0), Fraction(1))
    return synthesize(model, goal, q.lever, bound=q.bound, share_range=share,
                      param_range=rng if q.lever.startswith("param:") else None,
                      timeout=timeout, check=check or check_all)


@checker(SynthesisQuestion)
def check_question(ctx: Context, prop: SynthesisQuestion) -> PropertyResult:
    from verigroup.verdicts import Verdict

    res = run_question(ctx.model, prop, ctx.timeout)
    ev: dict[str, Any] = {"status": res.status, "optimal_value": res.optimal_value,
                          "attained": res.attained, "lever": res.lever, "objective": res.objective,
                          "mechanism": res.mechanism, "certificate": res.certificate,
                          "recheck": [r.verdict.value for r in res.recheck]}
    if res.status == "infeasible":
        return PropertyResult(prop.name, "Synthesis", Verdict.VIOLATED, "synthesis",
                              "no mechanism achieves the goal: " + str(res.certificate.get("why", "")),
                              ev, prop.span)
    if res.status in ("optimal", "infimum") and res.recheck_ok:
        word = "optimum" if res.attained else "infimum (not attained)"
        return PropertyResult(prop.name, "Synthesis", Verdict.HOLDS, "synthesis",
                              f"{word} {res.optimal_value}; the mechanism passes its re-check", ev, prop.span)
    return PropertyResult(prop.name, "Synthesis", Verdict.UNKNOWN, "synthesis",
                          res.reason or "the synthesised mechanism could not be re-checked", ev, prop.span)


MAX_EFFICIENCY_CELLS = 4_000_000


def _efficient(model: Model, prop: Incentive) -> PropertyResult:
    """Allocative efficiency: at every type profile, the outcome of truthful
    reports has the largest total value among the outcomes any reports
    produce, total value = the agents' payoffs + the payments collected
    (``prop.metric``), both at the true types (quasi-linear utilities)."""
    from fractions import Fraction

    from verigroup.verdicts import Verdict

    m = spec_mechanism(model, prop.types, prop.metric)
    n = m.n
    types_shape = m.shape
    reports = m.report_shape
    cells = math.prod(types_shape) * math.prod(reports)
    if cells > MAX_EFFICIENCY_CELLS:
        return PropertyResult(prop.name, "Incentive", Verdict.UNKNOWN, "exhaustive exact enumeration",
                              f"{cells:,} (type profile, report profile) pairs exceed the limit "
                              f"{MAX_EFFICIENCY_CELLS:,}", {"reason": "size limit"}, prop.span)
    # total[theta..., r...] = sum_i value_i[theta_i, r] + revenue[r]
    total: Any = np.zeros(types_shape + reports, dtype=object)
    for i in range(n):
        shape = [1] * n + list(reports)
        shape[i] = types_shape[i]
        total = total + m.value[i].astype(object).reshape(shape)
    total = total + m.pay[0].astype(object).reshape((1,) * n + reports)
    checked = 0
    for theta in np.ndindex(*types_shape):
        row = total[theta]
        truth = tuple(m.truthful(i)[t] for i, t in enumerate(theta))
        best = row.max()
        checked += 1
        if row[truth] < best:
            alt = tuple(int(x) for x in np.unravel_index(int(np.argmax(row == best)), row.shape))
            ev = {"kind": "inefficiency", "types": m.names(theta),
                  "total_value": Fraction(int(row[truth]), m.den),
                  "better_outcome_reports": {a: model.agents[i].actions[alt[i]] for i, a in enumerate(m.agents)},
                  "better_total_value": Fraction(int(best), m.den)}
            return PropertyResult(prop.name, "Incentive", Verdict.VIOLATED, "exhaustive exact enumeration",
                                  f"at types {m.names(theta)} the truthful outcome is worth "
                                  f"{ev['total_value']}, another is worth {ev['better_total_value']}",
                                  ev, prop.span)
    return PropertyResult(prop.name, "Incentive", Verdict.HOLDS, "exhaustive exact enumeration",
                          "at every type profile the truthful outcome has the largest total value",
                          {"type_profiles": checked}, prop.span)
