"""The games the dynamics act on, extracted exactly from a Model.

* :class:`SymmetricGame` -- one population playing pairwise contests: a
  two-agent game whose agents have the same actions and
  ``u1(i, j) == u2(j, i)``.  ``a[i][j]`` is the payoff of strategy ``i``
  against ``j`` (exact Fractions).
* :class:`TwoPopulationGame` -- two populations (rows and columns) of a
  two-agent game that is not symmetric (or whose agents are of different
  kinds): payoffs ``a`` to the row population, ``b`` to the column one.

Games of more agents (or too many strategies for the exact methods) are
refused with a positioned :class:`~verigroup.diagnostics.SpecError` saying
the size and what to do instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from verigroup.diagnostics import NO_SPAN, SpecError, Span
from verigroup.model.model import Model

# Support enumeration is 2^n exact solves: beyond this many strategies the
# exact ESS / rest-point enumeration is refused (E202).
MAX_STRATEGIES = 12

Payoffs = tuple[tuple[Fraction, ...], ...]


@dataclass(frozen=True)
class SymmetricGame:
    population: str
    actions: tuple[str, ...]
    a: Payoffs
    span: Span = NO_SPAN

    @property
    def n(self) -> int:
        return len(self.actions)


@dataclass(frozen=True)
class TwoPopulationGame:
    populations: tuple[str, str]
    actions: tuple[tuple[str, ...], tuple[str, ...]]
    a: Payoffs  # row population's payoff, a[i][j]
    b: Payoffs  # column population's payoff, b[i][j]
    span: Span = NO_SPAN


def _agent_span(model: Model) -> Span:
    for ag in model.agents:
        if ag.span.line:
            return ag.span
    return Span(model.path, 1, 1)


def _matrices(model: Model) -> tuple[Payoffs, Payoffs]:
    g = model.game()
    n0, n1 = g.shape
    a = tuple(tuple(g.payoff(0, (i, j)) for j in range(n1)) for i in range(n0))
    b = tuple(tuple(g.payoff(1, (i, j)) for j in range(n1)) for i in range(n0))
    return a, b


def _two_agents(model: Model, what: str) -> None:
    if model.protocol is not None:
        raise SpecError.single(
            "E202", f"{what} needs a one-shot (normal-form) game; this spec has a protocol",
            _agent_span(model), hint="state the stage game as a normal-form spec of two agents")
    k = len(model.agents)
    if k != 2:
        raise SpecError.single(
            "E202", f"evolutionary dynamics are implemented for pairwise contests (2 agents); this game "
                    f"has {k} agents",
            _agent_span(model),
            hint="model the encounter as a 2-agent game (two members meeting at random); "
                 "for n-agent equilibria use `verigroup solve`")


def is_symmetric(model: Model) -> bool:
    if model.protocol is not None or len(model.agents) != 2:
        return False
    x, y = model.agents
    if x.actions != y.actions:
        return False
    a, b = _matrices(model)
    n = len(x.actions)
    return all(a[i][j] == b[j][i] for i in range(n) for j in range(n))


def population_name(model: Model) -> str:
    x, y = model.agents
    return x.family if x.family == y.family else f"{x.name}/{y.name}"


def symmetric_game(model: Model, population: str | None = None) -> SymmetricGame:
    """The single-population game of a symmetric two-agent spec (else E202
    with the reason and the alternative)."""
    _two_agents(model, "single-population dynamics")
    span = _agent_span(model)
    x, y = model.agents
    if population is not None and population not in (x.family, y.family, x.name, y.name):
        raise SpecError.single(
            "E401", f"no population named {population!r}", span,
            hint=f"populations here: {', '.join(sorted({x.family, y.family}))}")
    if x.actions != y.actions:
        raise SpecError.single(
            "E202", f"single-population ESS needs a symmetric game; {x.name} and {y.name} have "
                    f"different actions ({len(x.actions)} vs {len(y.actions)})",
            span, hint="the two-population analysis (strict equilibria are the ESS) applies instead")
    a, b = _matrices(model)
    n = len(x.actions)
    for i in range(n):
        for j in range(n):
            if a[i][j] != b[j][i]:
                raise SpecError.single(
                    "E202", f"single-population ESS needs a symmetric game; payoff({x.name}) at "
                            f"({x.actions[i]}, {x.actions[j]}) is {a[i][j]} but payoff({y.name}) at "
                            f"({y.actions[j]}, {y.actions[i]}) is {b[j][i]}",
                    span, hint="analyse it as a two-population game (omit --population), or make "
                               "the payoffs symmetric")
    if n > MAX_STRATEGIES:
        raise SpecError.single(
            "E202", f"{n} strategies: exact support enumeration (2^{n} systems) is limited to "
                    f"{MAX_STRATEGIES} strategies", span,
            hint="remove dominated strategies first, or use `verigroup solve --concept mixed`")
    return SymmetricGame(population_name(model) if population is None else population,
                         x.actions, a, span)


def two_population_game(model: Model) -> TwoPopulationGame:
    _two_agents(model, "two-population dynamics")
    x, y = model.agents
    a, b = _matrices(model)
    if len(x.actions) > MAX_STRATEGIES or len(y.actions) > MAX_STRATEGIES:
        raise SpecError.single(
            "E202", f"{len(x.actions)}x{len(y.actions)} strategies: the exact two-population analysis "
                    f"is limited to {MAX_STRATEGIES} per population", _agent_span(model),
            hint="remove dominated strategies first")
    return TwoPopulationGame((x.name, y.name), (x.actions, y.actions), a, b, _agent_span(model))
