"""Property records of the evolutionary-dynamics family (issue 12).

Written in a spec as calls (no new keywords)::

    property "zipper is evolutionarily stable": ess(zipper)
    property "the mixed ESS":                   ess(hawk = 2/3, dove = 1/3)
    property "neutral stability":              neutrally_stable(rock = 1/3, paper = 1/3, scissors = 1/3)
    property "zipper's basin":                 basin(zipper) >= 1/2
    property "zipper is stochastically stable": stochastically_stable(zipper)
    property "zipper is risk-dominant":        risk_dominant(zipper)
    property "learners find zipper":           learners_reach(zipper) >= 4/5
    property "every ESS is smooth":            every_ess(near_misses <= 0)

``strategy`` is the population strategy as (action, probability) pairs over
all actions of the (single) population.  ``learners_reach`` is empirical:
its verdict is never HOLDS (see :mod:`verigroup.analyses.dynamics`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from verigroup.diagnostics import NO_SPAN, Span
from verigroup.model.properties import ParamRegion

DynKind = Literal["ess", "neutrally_stable", "basin", "stochastically_stable", "risk_dominant", "learners_reach",
                  "every_ess"]
DYN_FUNCS: tuple[str, ...] = ("ess", "neutrally_stable", "basin", "stochastically_stable", "risk_dominant",
                              "learners_reach", "every_ess")
COMPARED: tuple[str, ...] = ("basin", "learners_reach")


@dataclass(frozen=True)
class EvolutionaryProperty:
    name: str
    kind: DynKind
    strategy: tuple[tuple[str, Fraction], ...]
    op: str | None = None            # for basin / learners_reach: "<", "<=", ">", ">=", "==", "!="
    bound: Fraction | None = None
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None
    metric: str | None = None        # every_ess(METRIC OP bound): the metric at (x, x) for every ESS x
