"""Property IR: what "aligned as a group" means, one dataclass per kind.

The property layer is extensible: a new kind is a new frozen dataclass here
(plus grammar and a checker registered in ``verigroup.analyses.registry``),
never edits across the tree.  Every property carries its name and the span
of its declaration (SARIF results point at it).

Property *terms* (``welfare(p) >= 1/2 * max(welfare)``) reuse the expression
nodes of :mod:`verigroup.model.expr` for numbers, parameters, arithmetic,
comparison and logic, plus the term nodes defined here, which read a bound
equilibrium or a whole-game quantity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any, Literal, Union

from verigroup.diagnostics import NO_SPAN, Span
from verigroup.model.expr import AgentRef, Expr


class Concept(str, Enum):
    """Solution concepts.  The value is the JSON name."""

    PURE_NASH = "pure_nash"
    MIXED_NASH = "mixed_nash"
    CORRELATED = "correlated"
    COARSE_CORRELATED = "coarse_correlated"
    SPE = "spe"


class Quantifier(str, Enum):
    EVERY = "every"
    SOME = "some"


class Strength(str, Enum):
    STRICT = "strict"
    WEAK = "weak"


# ---------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Profile:
    """A pure profile, fully resolved: one action name per agent, in
    ``Model.agents`` order.  ``name`` is the spec's name for it, if any."""

    actions: tuple[str, ...]
    name: str | None = None
    span: Span = field(default=NO_SPAN, compare=False)
    # ---- language v2 (issue 8, LANG3): `profile best = argmax(welfare)`.  An
    # *optimising* profile has ``objective`` (a metric name) and ``sense``
    # ("max"/"min") and no ``actions`` until it is bound at check time from the
    # exact metric tensor (verigroup.analyses.argmax); ties go to the first
    # optimal profile in declaration order.
    objective: str | None = None
    sense: Literal["max", "min"] = "max"

    @property
    def lazy(self) -> bool:
        """An ``argmax``/``argmin`` profile not yet bound to actions."""
        return self.objective is not None and not self.actions


# ------------------------------------------------------------ term nodes


@dataclass(frozen=True)
class MetricAt:
    """``welfare(p)``: a metric at the equilibrium bound to ``var`` (the
    expectation, for mixed and correlated equilibria)."""

    metric: str
    var: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PayoffAt:
    """``payoff(a[1], p)``: an agent's (expected) payoff at a bound equilibrium."""

    agent: AgentRef
    var: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class MetricExtreme:
    """``max(welfare)`` / ``min(welfare)`` over all pure profiles."""

    metric: str
    which: Literal["max", "min"]
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EquilibriumValue:
    """``best_equilibrium(welfare)`` / ``worst_equilibrium(welfare)``, with
    "best" meaning in the metric's own sense (see ``Metric.sense``)."""

    metric: str
    which: Literal["best", "worst"]
    concept: Concept = Concept.PURE_NASH
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PriceOf:
    """``price_of_anarchy(welfare)`` or ``price_of_stability(harm, mixed)``.

    For a maximised metric: optimum / worst (resp. best) equilibrium value;
    for a minimised one: worst (resp. best) equilibrium value / optimum.
    Undefined (UNKNOWN with the reason) when the denominator is 0 or the
    values have mixed signs."""

    which: Literal["anarchy", "stability"]
    metric: str
    concept: Concept = Concept.PURE_NASH
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EquilibriumCount:
    """``count(nash)``: the number of pure equilibria (or extreme equilibria
    for mixed)."""

    concept: Concept = Concept.PURE_NASH
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class MetricAtProfile:
    """``welfare(coop)``: a metric at a named (or written-out) pure profile
    (issue 8)."""

    metric: str
    profile: Profile
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PayoffAtProfile:
    """``payoff(row, coop)``: an agent's payoff at a pure profile (issue 8)."""

    agent: AgentRef
    profile: Profile
    span: Span = field(default=NO_SPAN, compare=False)


Term = Union[Expr, MetricAt, PayoffAt, MetricExtreme, EquilibriumValue, PriceOf, EquilibriumCount,
             MetricAtProfile, PayoffAtProfile]


# --------------------------------------------------------------- properties


@dataclass(frozen=True)
class ParamRegion:
    """``... for r in [1, 5]``: decide the property for every value of a free
    parameter in a closed interval (Z3).  Other parameters stay fixed."""

    param: str
    lo: Expr
    hi: Expr
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class IsEquilibrium:
    """``nash {a: x, b: y}``: the profile is a pure Nash equilibrium."""

    name: str
    profile: Profile
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class Dominant:
    """``strictly dominant(a[i], withhold) for all i``: the action is a
    dominant strategy for each of ``agents`` (indices into Model.agents)."""

    name: str
    agents: tuple[int, ...]
    action: str
    strength: Strength = Strength.WEAK
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class Quantified:
    """``for every nash p: welfare(p) >= 1/2 * max(welfare)``."""

    name: str
    quantifier: Quantifier
    concept: Concept
    var: str
    body: Term
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class Claim:
    """A closed term that must be true: ``price_of_anarchy(welfare) <= 4/3``."""

    name: str
    body: Term
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class CoalitionStable:
    """Coalition robustness of a pure profile.

    ``kind``: ``strong`` (strong Nash: no coalition of any size has a joint
    deviation making every member strictly better off), ``coalition_proof``
    (Bernheim–Peleg–Whinston), or ``resilient`` (k-resilience: coalitions of
    at most ``k``).  ``weak``: the weak variant (some member strictly better,
    none worse)."""

    name: str
    kind: Literal["strong", "coalition_proof", "resilient"]
    profile: Profile
    k: int | None = None
    weak: bool = False
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class Immune:
    """t-immunity of a pure profile: no set of at most ``t`` adversaries,
    deviating arbitrarily, lowers any other agent's payoff — or, when
    ``condition`` is given, makes the condition false (it is a term over
    metrics/payoffs of the deviated profile, written with plain metric names:
    ``immune(coop, t = 1, welfare >= 2)``)."""

    name: str
    profile: Profile
    t: int
    condition: Expr | None = None
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class Robust:
    """(k,t)-robustness (Abraham, Dolev, Gonen, Halpern 2006)."""

    name: str
    profile: Profile
    k: int
    t: int
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class OptimumIsEquilibrium:
    """``optimum_is_equilibrium(welfare)``: some optimal profile of the metric
    (in its own sense) is a pure Nash equilibrium."""

    name: str
    metric: str
    concept: Concept = Concept.PURE_NASH
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class ParetoEfficient:
    """``pareto_efficient(nash)``: every equilibrium of the concept is Pareto
    efficient among pure profiles."""

    name: str
    concept: Concept = Concept.PURE_NASH
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class IndividuallyRational:
    """``individually_rational(coop, outside = {a: 0, planner: 1})``: at the
    profile (or at every equilibrium when ``profile`` is None) each agent gets
    at least its outside option."""

    name: str
    profile: Profile | None
    outside: tuple[tuple[int, Expr], ...]
    concept: Concept = Concept.PURE_NASH
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class Existence:
    """``exists nash`` / ``unique nash`` (for a concept)."""

    name: str
    unique: bool
    concept: Concept = Concept.PURE_NASH
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


# ------------------------------------------------------ protocol properties
# The play predicate ``phi`` is a verigroup.extensive.plays predicate
# (TrueP, MoveIs, AtEnd, PayoffCmp, NotP, AndP, OrP, ...), typed Any here so
# the model layer does not import the extensive package.

Temporal = Literal["never", "always", "eventually"]


@dataclass(frozen=True)
class PlayTemporal:
    """``for every spe: never incumbent == fight``: on every play of positive
    probability under every (some) SPE, the temporal formula holds."""

    name: str
    quantifier: Quantifier
    kind: Temporal
    phi: Any
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class Enforce:
    """``coalition {a, b} can enforce eventually φ`` (``can`` False:
    ``cannot enforce``): the coalition has a strategy making every play
    satisfy the goal, whatever the others and chance do."""

    name: str
    coalition: tuple[str, ...]
    can: bool
    kind: Temporal
    phi: Any
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class CommitmentCredible:
    """``credible(incumbent == fight)``: at every information set of the
    stage, playing the action is part of some subgame-perfect equilibrium.
    ``agent`` is the stage's mover; ``infosets`` the labels of the stage's
    information sets in the compiled tree."""

    name: str
    stage: str
    action: str
    agent: str
    infosets: tuple[str, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class RepeatedStrategyCheck:
    """An automaton strategy profile of an infinitely repeated game
    (``repeat forever discount D``): ``grim_trigger(cooperate, defect) is
    spe`` (``mode`` "is_spe", at the spec's discount ``delta``) or
    ``threshold_discount(grim_trigger(cooperate, defect)) >= 1/2`` (``mode``
    "threshold": the least discount factor at which it is an SPE, compared
    with ``value`` by ``op``).  ``strategy``: "grim_trigger" (args: the
    cooperative and the punishing action) or "tit_for_tat" (args: the nice
    action); every agent uses the same action names."""

    name: str
    strategy: Literal["grim_trigger", "tit_for_tat"]
    args: tuple[str, ...]
    mode: Literal["is_spe", "threshold"]
    delta: Fraction
    op: str = ">="
    value: Fraction | None = None
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


# ---- property algebra (issue 8)

AlgebraOp = Literal["not", "and", "or", "implies"]


@dataclass(frozen=True)
class Composite:
    """``not P``, ``P and Q and ...``, ``P or Q or ...``, ``P implies Q``
    over whole properties, decided in three-valued (Kleene) logic from the
    parts' verdicts (:mod:`verigroup.analyses.algebra`).  ``parts`` are
    properties of any kind (Composite included), named ``NAME/1``,
    ``NAME/2``, ... after the whole property."""

    name: str
    op: AlgebraOp
    parts: tuple[Any, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


# ---- claimed vs actual game (issue 14)


@dataclass(frozen=True)
class GameClass:
    """``is_a(stag_hunt)``: the payoffs make the game the class its author
    claims (see :mod:`verigroup.analyses.claims` for the definitions)."""

    name: str
    cls: str
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


# ---- game values and curves (issue 14)


@dataclass(frozen=True)
class ValueBound:
    """``value(monitor) >= 9/10``: the exact value of a two-agent
    constant-sum game (normal form or protocol) for ``agent``, compared with
    a constant bound (:mod:`verigroup.analyses.zerosum_value`)."""

    name: str
    agent: str
    op: str
    bound: Fraction
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


@dataclass(frozen=True)
class CurveSpec:
    """``curve "NAME" over c in 0..4 step 1: safety = value(blue), ...
    [require COND]``: exact points, one per value of the param ``param``.
    ``series`` maps a series name to a term: ``("value", AGENT)`` or
    ``("expr", EXPR)`` (an expression of params, evaluated at the point);
    ``require`` an optional boolean over the series names and the param."""

    name: str
    param: str
    values: tuple[Fraction, ...]
    series: tuple[tuple[str, tuple[str, Any]], ...]
    require: Any = None
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None
    # the other params' `--set` overrides, carried to every point
    fixed: tuple[tuple[str, str], ...] = ()


# ---- oversight / mixed play in protocols (issue 14)
@dataclass(frozen=True)
class MixedPlayTemporal:
    """``for every|some mixed nash: never|always|eventually φ`` on a
    two-agent protocol: on every play of positive probability under every
    (some) behaviour-strategy Nash equilibrium, the temporal formula holds."""

    name: str
    quantifier: Quantifier
    kind: Temporal
    phi: Any
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


# ---- best_response(AGENT, φ) on protocols (issue 14, item 1)
@dataclass(frozen=True)
class BestResponse:
    """``best_response(AGENT, φ)``: some pure strategy of AGENT all of whose
    plays of positive probability satisfy ``always φ`` (against every
    strategy of the others and chance) is a best response to every pure
    strategy profile of the others."""

    name: str
    agent: str
    phi: Any
    span: Span = field(default=NO_SPAN, compare=False)
    region: ParamRegion | None = None


Property = Union[
    BestResponse,  # issue 14 (best_response)
    MixedPlayTemporal,  # issue 14 (oversight)
    ValueBound,
    CurveSpec,
    GameClass,
    Composite,
    PlayTemporal,
    Enforce,
    CommitmentCredible,
    RepeatedStrategyCheck,
    IsEquilibrium,
    Dominant,
    Quantified,
    Claim,
    CoalitionStable,
    Immune,
    Robust,
    OptimumIsEquilibrium,
    ParetoEfficient,
    IndividuallyRational,
    Existence,
]
