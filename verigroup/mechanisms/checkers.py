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
from verigroup.mechanisms.properties import Incentive
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
