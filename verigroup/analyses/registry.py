"""The property layer's extension points.

* ``@checker(PropertyClass)`` registers the function that decides a property
  kind: ``fn(ctx, prop) -> PropertyResult``.
* ``@concept_provider(Concept.X)`` registers the function that computes the
  equilibria of a solution concept: ``fn(ctx) -> EquilibriumSet``.

A :class:`Context` is made once per (model, options) and memoises equilibria,
so several properties over the same concept solve the game once.  Modules
that register are imported by :func:`load_all` (lazily, so ``--help`` stays
fast).
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Protocol, Sequence

import numpy as np

from verigroup.model.game import ExactTensor, NormalFormGame
from verigroup.model.model import Model
from verigroup.model.properties import Concept
from verigroup.verdicts import Equilibrium, PropertyResult


class Point(Protocol):
    """One equilibrium of some concept, able to take exact expectations."""

    def expect(self, tensor: ExactTensor) -> Fraction:
        """Exact expected value of a profile tensor under this equilibrium."""

    def describe(self, game: NormalFormGame) -> Equilibrium:
        """The JSON-ready record."""


@dataclass(frozen=True)
class PurePoint:
    profile: tuple[int, ...]

    def expect(self, tensor: ExactTensor) -> Fraction:
        return tensor.at(self.profile)

    def describe(self, game: NormalFormGame) -> Equilibrium:
        return Equilibrium(
            concept=Concept.PURE_NASH.value,
            strategies={
                p: {game.actions[i][self.profile[i]]: Fraction(1)}
                for i, p in enumerate(game.players)
            },
            payoffs={p: game.payoff(i, self.profile) for i, p in enumerate(game.players)},
            metrics={m: t.tensor.at(self.profile) for m, t in game.metrics.items()},
        )


@dataclass(frozen=True)
class MixedPoint:
    """Independent mixing: one exact probability vector per agent."""

    strategy: tuple[tuple[Fraction, ...], ...]
    concept: str = Concept.MIXED_NASH.value
    exact: bool = True
    epsilon: Fraction = Fraction(0)
    # irrational equilibria (n-player support enumeration): per agent, per
    # action, the exact algebraic number as Z3 ``root-obj`` text ("0" off
    # the support); reports turn it into polynomial + isolating interval
    algebraic: tuple[tuple[str, ...], ...] | None = None

    def expect(self, tensor: ExactTensor) -> Fraction:
        return expect_product(tensor, self.strategy)

    def describe(self, game: NormalFormGame) -> Equilibrium:
        return Equilibrium(
            concept=self.concept,
            strategies={
                p: {game.actions[i][a]: pr for a, pr in enumerate(self.strategy[i]) if pr != 0}
                for i, p in enumerate(game.players)
            },
            payoffs={p: self.expect(t) for p, t in zip(game.players, game.payoffs)},
            metrics={m: self.expect(t.tensor) for m, t in game.metrics.items()},
            exact=self.exact,
            epsilon=self.epsilon,
            extra=({"algebraic": {p: {game.actions[i][a]: x for a, x in enumerate(self.algebraic[i])
                                      if x.startswith("(root-obj")}
                                  for i, p in enumerate(game.players)}}
                   if self.algebraic is not None else {}),
        )


@dataclass(frozen=True)
class CorrelatedPoint:
    """A distribution over pure profiles (support only)."""

    support: tuple[tuple[tuple[int, ...], Fraction], ...]
    concept: str = Concept.CORRELATED.value

    def expect(self, tensor: ExactTensor) -> Fraction:
        return sum((pr * tensor.at(s) for s, pr in self.support), Fraction(0))

    def describe(self, game: NormalFormGame) -> Equilibrium:
        return Equilibrium(
            concept=self.concept,
            distribution=tuple(
                (game.profile_names(s), pr) for s, pr in sorted(self.support) if pr != 0
            ),
            payoffs={p: self.expect(t) for p, t in zip(game.players, game.payoffs)},
            metrics={m: self.expect(t.tensor) for m, t in game.metrics.items()},
        )


def expect_product(tensor: ExactTensor, strategy: Sequence[Sequence[Fraction]]) -> Fraction:
    """E[tensor] under independent mixing, exactly (contract one axis at a
    time over the support only)."""
    supports = [[a for a, p in enumerate(s) if p != 0] for s in strategy]
    sub = tensor.values[np.ix_(*supports)] if supports else tensor.values
    acc: Any = sub.astype(object)
    for axis in range(len(strategy)):
        probs = np.array([strategy[axis][a] for a in supports[axis]], dtype=object)
        acc = np.tensordot(probs, acc, axes=([0], [0]))
    return Fraction(acc if not isinstance(acc, np.ndarray) else acc.item()) / tensor.denominator


@dataclass(frozen=True)
class EquilibriumSet:
    """The equilibria of one concept.  ``complete`` says whether this is all
    of them (all extreme points, for mixed); when not, ``reason`` says why
    (e.g. "timeout after 10 s", "n-player mixed: heuristic search")."""

    concept: Concept
    points: tuple[Point, ...]
    complete: bool = True
    method: str = ""
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    model: Model
    timeout: float | None = None
    options: dict[str, Any] = field(default_factory=dict)
    _equilibria: dict[Concept, EquilibriumSet] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    @property
    def game(self) -> NormalFormGame:
        return self.model.game()

    def equilibria(self, concept: Concept) -> EquilibriumSet:
        if concept not in self._equilibria:
            load_all()
            fn = _PROVIDERS.get(concept)
            if fn is None:
                return EquilibriumSet(concept, (), False, "", f"concept {concept.value} is not available")
            self._equilibria[concept] = fn(self)
        return self._equilibria[concept]


CheckerFn = Callable[[Context, Any], PropertyResult]
ProviderFn = Callable[[Context], EquilibriumSet]
_CHECKERS: dict[type, CheckerFn] = {}
_PROVIDERS: dict[Concept, ProviderFn] = {}

# Modules that register checkers/providers.  A missing module (a feature not
# built yet) is skipped; its properties then come out UNKNOWN.
PLUGIN_MODULES = (
    "verigroup.analyses.pure",
    "verigroup.analyses.terms",
    "verigroup.analyses.mixed",
    "verigroup.analyses.correlated",
    "verigroup.analyses.coalitions",
    "verigroup.analyses.extensive",
    "verigroup.analyses.protocol_props",
    "verigroup.mechanisms.checkers",  # incentive properties of specs with types (issue 10)
    "verigroup.analyses.algebra",
    "verigroup.analyses.dynamics",  # ess(...), basin(x) >= q, ... (issue 12)
    "verigroup.elections.spec_check",  # election properties (issue 11)
    "verigroup.analyses.claims",  # is_a(stag_hunt): claimed vs actual game (issue 14)
    "verigroup.analyses.zerosum_value",  # value(AGENT) >= q (issue 14)
    "verigroup.curves.check",  # curve statements (issue 14)
    "verigroup.analyses.oversight",  # mixed play in protocols (issue 14)
    "verigroup.analyses.best_response",  # best_response(AGENT, φ) on protocols (issue 14)
)
_loaded = False


def load_all() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for mod in PLUGIN_MODULES:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:  # feature not built
            if exc.name != mod:
                raise


def checker(kind: type) -> Callable[[CheckerFn], CheckerFn]:
    def deco(fn: CheckerFn) -> CheckerFn:
        _CHECKERS[kind] = fn
        return fn

    return deco


def concept_provider(concept: Concept) -> Callable[[ProviderFn], ProviderFn]:
    def deco(fn: ProviderFn) -> ProviderFn:
        _PROVIDERS[concept] = fn
        return fn

    return deco


def get_checker(kind: type) -> CheckerFn | None:
    load_all()
    return _CHECKERS.get(kind)
