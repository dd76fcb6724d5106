"""The SPE concept provider for models with an extensive-form protocol.

``ctx.model.protocol`` is a :class:`~verigroup.extensive.tree.GameTree`; its
pure subgame-perfect equilibria (all of them, up to ``--max-equilibria``,
default 1000), or one behaviour-strategy SPE marked ``mixed`` when no pure
one exists.  Points describe themselves without a normal-form game:
``strategies`` per agent per information set, ``payoffs`` expected over
chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from verigroup.analyses.registry import Context, EquilibriumSet, concept_provider
from verigroup.diagnostics import SpecError
from verigroup.extensive.profile import StrategyProfile
from verigroup.extensive.spe import DEFAULT_CAP, solve_spe
from verigroup.extensive.tree import GameTree
from verigroup.model.game import ExactTensor, NormalFormGame
from verigroup.model.properties import Concept
from verigroup.verdicts import Equilibrium, q


@dataclass(frozen=True, eq=False)
class SPEPoint:
    tree: GameTree
    profile: StrategyProfile
    value: tuple[Fraction, ...]

    def expect(self, tensor: ExactTensor) -> Fraction:
        raise SpecError.single(
            "E110", "metrics over action profiles are not defined for the equilibria of a protocol",
            hint="state the property over payoffs (payoff(agent, p)) or over plays")

    def payoff(self, agent: str) -> Fraction:
        return self.value[self.tree.players.index(agent)]

    def describe(self, game: NormalFormGame | None = None) -> Equilibrium:
        mixed = self.profile.mixed
        extra: dict[str, Any] = {"strategies": self.profile.to_json(self.tree)}
        if mixed:
            extra["mixed"] = True
        return Equilibrium(concept=Concept.SPE.value,
                           payoffs={p: v for p, v in zip(self.tree.players, self.value)}, extra=extra)


@concept_provider(Concept.SPE)
def spe_provider(ctx: Context) -> EquilibriumSet:
    tree = ctx.model.protocol
    if not isinstance(tree, GameTree):
        return EquilibriumSet(Concept.SPE, (), False, "",
                              "this model has no extensive-form protocol (SPE needs one)")
    cap = int(ctx.options.get("max_equilibria", DEFAULT_CAP) or DEFAULT_CAP)
    res = solve_spe(tree, cap=cap)
    points = tuple(SPEPoint(tree, p, v) for p, v in zip(res.profiles, res.payoffs))
    extra: dict[str, Any] = {
        "payoff_set": [{a: q(x) for a, x in zip(tree.players, vec)} for vec in res.payoff_set],
        "payoff_set_complete": res.payoff_set_complete,
        "pure_exists": res.pure_exists if res.profiles else (False if (res.complete or res.no_pure) else None),
    }
    if res.mixed:
        extra["mixed"] = True
    return EquilibriumSet(Concept.SPE, points, res.complete, res.method, res.reason, extra)
