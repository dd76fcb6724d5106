"""The surface AST: frozen dataclasses with source spans.

The parser turns lark trees into these nodes at once; nothing after
:mod:`verigroup.syntax.parser` sees a ``lark.Tree``.  The resolver
(:mod:`verigroup.resolve`) turns them into the IR of :mod:`verigroup.model`.
Names are kept as written; resolution decides what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, Union

from verigroup.diagnostics import NO_SPAN, Span

# ------------------------------------------------------------ expressions


@dataclass(frozen=True)
class ENum:
    value: Fraction
    text: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EBool:
    value: bool
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EName:
    """A bare name: index variable, param, metric, single agent, action,
    profile or family, decided by the resolver."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EIndex:
    """``a[expr]``: a member of an agent family."""

    name: str
    index: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EUnary:
    op: Literal["-", "+", "not"]
    operand: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EBinary:
    """Arithmetic (``+ - * / ^``), comparison and ``and``/``or``."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)
    op_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class ECond:
    then: "Expr"
    cond: "Expr"
    otherwise: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EConcept:
    """A solution-concept keyword used as an argument: ``count(nash)``."""

    concept: Literal["pure_nash", "mixed_nash", "correlated", "coarse_correlated", "spe"]
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EEntry:
    """``a[1]: withhold`` inside braces; ``index`` None for ``a: ...``."""

    name: str
    index: "Expr | None"
    value: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EDict:
    """``{a: contribute, a[1]: withhold}``: a profile or a per-agent table."""

    entries: tuple[EEntry, ...]
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EAllProfile:
    """``all withhold``: every agent plays this action."""

    action: str
    span: Span = field(default=NO_SPAN, compare=False)
    action_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EKwarg:
    """``k = 2`` inside a call's argument list."""

    name: str
    value: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class ECall:
    """``f(arg, ...)``: builtins (min/max/abs), ``payoff(...)``, metric
    terms and property functions alike."""

    fn: str
    args: tuple["Expr", ...]
    span: Span = field(default=NO_SPAN, compare=False)
    fn_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class EAggregate:
    """``sum(j in lo..hi if filter: body)``; lo/hi None when the range is
    left to inference (``count(j: a[j] == x)``)."""

    fn: str
    var: str
    lo: "Expr | None"
    hi: "Expr | None"
    filter: "Expr | None"
    body: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)
    var_span: Span = field(default=NO_SPAN, compare=False)


Expr = Union[
    ENum, EBool, EName, EIndex, EUnary, EBinary, ECond, EConcept, EDict,
    EAllProfile, EKwarg, ECall, EAggregate, "EProp",
]

# ------------------------------------------------------------ statements


@dataclass(frozen=True)
class GameDecl:
    name: str
    description: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class ParamDecl:
    name: str
    value: Expr
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class AgentHead:
    """``a[1..n]`` (lo/hi set) or ``planner`` (lo/hi None)."""

    name: str
    lo: Expr | None
    hi: Expr | None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class AgentsDecl:
    heads: tuple[AgentHead, ...]
    actions: tuple[tuple[str, Span], ...]
    span: Span = field(default=NO_SPAN, compare=False)
    # language v2 (issue 8): ``actions low = 1, high = 2`` -- one value per
    # action (None where not given), or () when no action has a value
    values: tuple[Expr | None, ...] = ()


@dataclass(frozen=True)
class PayoffDecl:
    """``payoff a[i] = ...`` / ``payoff a[1] = ...`` / ``payoff planner = ...``."""

    target: str
    index: Expr | None
    expr: Expr
    span: Span = field(default=NO_SPAN, compare=False)
    target_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class MetricDecl:
    name: str
    sense: str | None
    expr: Expr
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)
    sense_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class ProfileDecl:
    name: str
    value: Expr  # EDict or EAllProfile
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)


# ------------------------------------------------------------ properties


@dataclass(frozen=True)
class Region:
    param: str
    lo: Expr
    hi: Expr
    span: Span = field(default=NO_SPAN, compare=False)


# ---- populations (issue 9)
@dataclass(frozen=True)
class SizeRegion(Region):
    """``for n >= 2`` / ``for odd n >= 3``: every value of a family-size
    param from ``lo`` on (``hi`` repeats ``lo``); ``parity`` is the word
    before the name (``odd``/``even``), checked by the resolver."""

    parity: str | None = None
    parity_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PNash:
    """``nash PROFILE``; profile is an EName, EDict or EAllProfile."""

    profile: Expr
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PQuant:
    quantifier: Literal["every", "some"]
    concept: EConcept
    var: str
    body: Expr
    span: Span = field(default=NO_SPAN, compare=False)
    var_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PExists:
    unique: bool
    concept: EConcept
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PTerm:
    """Any other property: a claim or a property function such as
    ``strictly dominant(a[i], x) for all i`` or ``immune(coop, t = 1)``."""

    expr: Expr
    strength: Literal["strictly", "weakly", "commitment"] | None = None
    forall: str | None = None
    span: Span = field(default=NO_SPAN, compare=False)
    forall_span: Span = field(default=NO_SPAN, compare=False)
    is_spe: bool = False  # ``grim_trigger(c, d) is spe``


@dataclass(frozen=True)
class PPlay:
    """``for every spe: never φ`` (a property over the plays of a protocol)."""

    quantifier: Literal["every", "some"]
    concept: EConcept
    kind: Literal["never", "always", "eventually"]
    phi: Expr
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PEnforce:
    """``coalition {a, b} can enforce eventually φ`` / ``a cannot enforce ...``."""

    agents: tuple[Expr, ...]
    can: bool
    kind: Literal["never", "always", "eventually"]
    phi: Expr
    span: Span = field(default=NO_SPAN, compare=False)


PropBody = Union[PNash, PQuant, PExists, PTerm, PPlay, PEnforce]


# ---- language v2 (issue 8): local definitions and payoff tables


@dataclass(frozen=True)
class LetDecl:
    """``let share = r / n`` (``params`` None) or ``let quantity(x) = 10 - x``:
    a definition inlined where it is used; it never appears in reports."""

    name: str
    params: tuple[tuple[str, Span], ...] | None
    body: Expr
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PayoffTable:
    """``payoffs row, col:`` then one line per row action, ``c: (3, 3), (0, 5)``;
    for n agents a line per combination of the first n-1 agents' actions,
    ``x, y: (1, 2, 3), ...``.  Cells follow the last agent's declared action
    order and give one payoff per agent, in the header's order."""

    agents: tuple[tuple[str, Span], ...]
    rows: tuple[tuple[tuple[str, ...], Span, tuple[tuple[tuple[Expr, ...], Span], ...]], ...]
    span: Span = field(default=NO_SPAN, compare=False)


# ---- property algebra (issue 8)


@dataclass(frozen=True)
class EProp:
    """A property form written where the grammar reads an expression
    (``not nash coop``, ``(exists nash) and (strictly dominant(row, d))``).
    The resolver turns boolean combinations of these into a Composite
    property and refuses them anywhere else (payoffs, metrics, terms).
    ``strictly dominant(...)`` is a :class:`PTerm` with its strength."""

    body: PropBody
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PropertyDecl:
    name: str
    body: PropBody
    region: Region | None
    span: Span = field(default=NO_SPAN, compare=False)


# ------------------------------------------------------------ protocols


@dataclass(frozen=True)
class StageRef:
    """A stage named in ``sees``/``to``: ``alice``, ``quality``, ``a[2]``."""

    name: str
    index: Expr | None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class MoveStage:
    """``[LABEL:] AGENT chooses a, b [sees ...] [if COND]``, ``AGENT commits
    to a, b``, ``AGENT says m1, m2 [to X, Y]``.  ``sees`` is None (the
    default: everything observable), "nothing", "all", or a tuple of stages."""

    label: str | None
    agent: str
    index: Expr | None
    verb: Literal["chooses", "commits", "says"]
    actions: tuple[tuple[str, Span], ...]
    sees: "None | str | tuple[StageRef, ...]"
    receivers: tuple[StageRef, ...] | None
    cond: Expr | None
    span: Span = field(default=NO_SPAN, compare=False)
    agent_span: Span = field(default=NO_SPAN, compare=False)
    sees_span: Span = field(default=NO_SPAN, compare=False)
    # ---- language v2 (issue 8, LANG3): `chooses low = 1, high = p`: each
    # valued move's value expression (empty when the moves carry none)
    values: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class ChanceStage:
    name: str
    outcomes: tuple[tuple[str, Expr, Span], ...]
    cond: Expr | None
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class StateDecl:
    """``state stock = 10`` (top level or inside ``protocol:``)."""

    name: str
    value: Expr
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class UpdateStage:
    name: str
    value: Expr
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class StopStage:
    cond: Expr
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class RepeatBlock:
    """``repeat R rounds [discount D]:`` (``rounds`` None: ``repeat forever``)."""

    rounds: Expr | None
    discount: Expr | None
    body: tuple["Stage", ...]
    span: Span = field(default=NO_SPAN, compare=False)
    head_span: Span = field(default=NO_SPAN, compare=False)


# ---- verification stage (issue 14)
@dataclass(frozen=True)
class VerifyStage:
    """``[LABEL:] AGENT verifies S1, S2 [budget K] [cost C] [sees ...] [if
    COND]``: the mover picks at most K of the named earlier stages; its later
    stages observe the moves made there; C per verified stage comes off its
    payoff.  ``options`` keeps every ``NAME expr`` option as written (the
    resolver accepts ``budget`` and ``cost``, each at most once)."""

    label: str | None
    agent: str
    index: Expr | None
    targets: tuple[StageRef, ...]
    options: tuple[tuple[str, Expr, Span], ...]
    sees: "None | str | tuple[StageRef, ...]"
    cond: Expr | None
    span: Span = field(default=NO_SPAN, compare=False)
    agent_span: Span = field(default=NO_SPAN, compare=False)


Stage = Union[MoveStage, ChanceStage, StateDecl, UpdateStage, StopStage, RepeatBlock,
              VerifyStage]  # VerifyStage: issue 14


@dataclass(frozen=True)
class ProtocolDecl:
    stages: tuple[Stage, ...]
    span: Span = field(default=NO_SPAN, compare=False)


# ---- mechanisms (issue 10): private types and incentive properties


@dataclass(frozen=True)
class TypesDecl:
    """``types bidder(v): low 1/3, high 2/3``: each member of ``agent`` has a
    private type, one of its actions (the truthful report), drawn with the
    exact prior; ``var`` names the agent's own type value in its payoff."""

    agent: str
    var: str
    items: tuple[tuple[str, Expr, Span], ...]
    span: Span = field(default=NO_SPAN, compare=False)
    agent_span: Span = field(default=NO_SPAN, compare=False)
    var_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class SynthesizeDecl:
    """``synthesize "name": unique careful, param(alpha, lo = 0, hi = 1)``:
    ``profile`` is a profile name (str) or a dict literal."""

    name: str
    goal: str
    profile: "str | Expr"
    lever: str
    args: tuple[tuple[str, Expr | None, Span], ...]
    span: Span = field(default=NO_SPAN, compare=False)
    goal_span: Span = field(default=NO_SPAN, compare=False)
    profile_span: Span = field(default=NO_SPAN, compare=False)
    lever_span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class IncentiveDecl:
    """``incentive "truthful": dsic`` / ``interim_ir(outside = 1)`` /
    ``weak_budget_balance(revenue)``."""

    name: str
    kind: str
    args: tuple[tuple[str, Expr | None, Span], ...]
    span: Span = field(default=NO_SPAN, compare=False)
    kind_span: Span = field(default=NO_SPAN, compare=False)


# ---- populations (issue 9)
@dataclass(frozen=True)
class AnonymousDecl:
    """``anonymous car, truck``: a claim that these families are anonymous,
    checked against their payoffs (E130 when they are not)."""

    names: tuple[str, ...]
    name_spans: tuple[Span, ...]
    span: Span = field(default=NO_SPAN, compare=False)


# ---- elections (issue 11)
@dataclass(frozen=True)
class ElectionItem:
    """One indented item of an ``election``: ``key`` is the item word
    (``alternatives``, ``voters``, ``rule``, ``approve``, ``tiebreak``,
    ``ballot``, ``property``); ``values`` its names / numbers (a ballot's
    ranking, a property's axioms); ``count`` a ballot's count; ``label`` a
    property's name."""

    key: str
    values: tuple[str, ...]
    value_spans: tuple[Span, ...]
    count: int | None = None
    label: str = ""
    span: Span = field(default=NO_SPAN, compare=False)
    expr: Expr | None = None   # `score x = EXPR` (SOCIAL3): values = (x,), the expression over the profile
    seps: tuple[str, ...] = ()  # a ballot's separators between its values: ">", "=" (tie) or "," (SOCIAL3)


@dataclass(frozen=True)
class ElectionDecl:
    name: str
    description: str
    items: tuple[ElectionItem, ...]
    span: Span = field(default=NO_SPAN, compare=False)
    name_span: Span = field(default=NO_SPAN, compare=False)


# ---- curves (issue 14)


@dataclass(frozen=True)
class CurveDecl:
    """``curve "NAME" over PARAM in LO..HI [step S]: NAME = TERM, ...
    [require COND]``."""

    name: str
    param: str
    lo: Expr
    hi: Expr
    step: Expr | None
    series: tuple[tuple[str, Expr, Span], ...]
    require: Expr | None = None
    span: Span = field(default=NO_SPAN, compare=False)
    param_span: Span = field(default=NO_SPAN, compare=False)
    range_span: Span = field(default=NO_SPAN, compare=False)


Statement = Union[GameDecl, ParamDecl, AgentsDecl, PayoffDecl, MetricDecl, ProfileDecl, PropertyDecl,
                  StateDecl, ProtocolDecl, LetDecl, PayoffTable,
                  TypesDecl, IncentiveDecl, AnonymousDecl, ElectionDecl]


@dataclass(frozen=True)
class Spec:
    statements: tuple[Statement, ...]
    path: str = "<spec>"
    source: str = field(default="", compare=False, repr=False)
