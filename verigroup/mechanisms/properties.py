"""Incentive properties of a spec with private types (issue 10).

``types bidder(v): low 1/3, high 2/3`` resolves to one :class:`AgentTypes`
per member; ``incentive "name": dsic`` to an :class:`Incentive` that carries
the whole type space, so the Model itself needs no new field.  The checker
(:mod:`verigroup.mechanisms.checkers`) evaluates each agent's payoff with
its type variable set to each of its type values (private values: an
agent's payoff reads its own type only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

from verigroup.diagnostics import NO_SPAN, Span

IncentiveKind = Literal["dsic", "bic", "ex_post_ir", "interim_ir", "weak_budget_balance",
                        "strong_budget_balance", "efficient"]
INCENTIVE_KINDS: tuple[str, ...] = ("dsic", "bic", "ex_post_ir", "interim_ir", "weak_budget_balance",
                                    "strong_budget_balance", "efficient")


@dataclass(frozen=True)
class AgentTypes:
    """Agent ``agent`` (index into Model.agents): type ``k`` is named
    ``names[k]``, reported truthfully as action ``actions[k]`` (index), has
    value ``values[k]`` for the variable ``var`` and prior ``prior[k]``."""

    agent: int
    var: str
    names: tuple[str, ...]
    actions: tuple[int, ...]
    values: tuple[Fraction, ...]
    prior: tuple[Fraction, ...]


@dataclass(frozen=True)
class Incentive:
    name: str
    kind: IncentiveKind
    types: tuple[AgentTypes, ...]
    outside: Fraction = Fraction(0)
    metric: str | None = None
    span: Span = field(default=NO_SPAN, compare=False)
    region: Any = None


@dataclass(frozen=True)
class SynthesisQuestion:
    """``synthesize "name": unique careful, param(alpha, lo = 0, hi = 1)``:
    answered by :func:`verigroup.mechanisms.synthesis.synthesize`; as a
    property it HOLDS when a mechanism achieving the goal exists (the
    evidence carries the certified optimum), is VIOLATED when the goal is
    infeasible (with the proof), UNKNOWN otherwise."""

    name: str
    goal: str
    target: tuple[int, ...]
    lever: str                     # share | subsidy | transfer | tax:METRIC | param:NAME
    bound: Fraction | None = None
    lo: Fraction | None = None
    hi: Fraction | None = None
    span: Span = field(default=NO_SPAN, compare=False)
    region: Any = None
