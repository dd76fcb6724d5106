"""Expression IR: payoffs, metrics and property terms, kept symbolic.

Every node is a frozen dataclass with a :class:`~verigroup.diagnostics.Span`.
Backends are walkers over these nodes (the vectorised exact evaluator in
``verigroup.evaluate``, the Z3 converter in ``verigroup.backends.z3``).

Values are exact: numbers are rationals, comparisons and logic are booleans.
A *profile* is one action per agent; expressions that read actions
(:class:`ActionIs`, :class:`SameAction`) are evaluated over all profiles at
once by the tensor evaluator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal, Union

from verigroup.diagnostics import NO_SPAN, Span

ArithOp = Literal["+", "-", "*", "/", "^"]
CompareOp = Literal["==", "!=", "<", "<=", ">", ">="]
LogicOp = Literal["and", "or"]
AggKind = Literal["sum", "count", "product", "min", "max", "any", "all"]
CallFn = Literal["min", "max", "abs"]


@dataclass(frozen=True)
class Num:
    value: Fraction
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class BoolConst:
    value: bool
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class ParamRef:
    """A parameter; its value comes from ``Model.params`` at evaluation time
    (kept symbolic so the Z3 backend may leave it free)."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class IndexVar:
    """An index variable bound by an agent family's payoff rule (``a[i]``) or
    by an aggregate (``sum(j in 1..n: ...)``)."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class AgentRef:
    """A reference to one agent.  ``index`` is None for a single agent
    (``planner``) and an integer-valued expression for a family member
    (``car[j+1]``).  Agents are identified by their position in
    ``Model.agents``; the evaluator maps (family, index) to that position."""

    family: str
    index: "Expr | None" = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class ActionIs:
    """``agent == action`` (or ``!=`` when ``negate``)."""

    agent: AgentRef
    action: str
    negate: bool = False
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class SameAction:
    """``a[i] == a[j]``: two agents chose actions with the same name."""

    left: AgentRef
    right: AgentRef
    negate: bool = False
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Neg:
    operand: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Not:
    operand: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Arith:
    """Binary arithmetic.  ``^`` requires an integer constant exponent."""

    op: ArithOp
    left: "Expr"
    right: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Compare:
    op: CompareOp
    left: "Expr"
    right: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Logic:
    op: LogicOp
    left: "Expr"
    right: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Cond:
    """``then if cond else otherwise``."""

    cond: "Expr"
    then: "Expr"
    otherwise: "Expr"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Call:
    """``min(x, y, ...)``, ``max(...)``, ``abs(x)`` on numbers."""

    fn: CallFn
    args: tuple["Expr", ...]
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Aggregate:
    """``sum(j in lo..hi: body)``, ``count(j in lo..hi: filter)``, with an
    optional filter ``sum(j in 1..n if a[j] == x: body)``.

    For ``count``/``any``/``all`` the body is boolean and ``filter`` may be
    None.  Over an empty range: sum 0, count 0, product 1, any false, all
    true; min/max over an empty range is an evaluation error (E203)."""

    kind: AggKind
    var: str
    lo: "Expr"
    hi: "Expr"
    body: "Expr"
    filter: "Expr | None" = None
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class PayoffOf:
    """``payoff(a[j])``: another agent's payoff in the same profile."""

    agent: AgentRef
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class MetricOf:
    """A named metric in the same profile (``welfare``)."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class MoveIs:
    """``STAGE == action`` in a protocol (``!=`` when ``negate``): the move
    made at the named stage (in the current round).  A stage that was not
    reached in the history makes ``==`` false (and ``!=`` true)."""

    stage: str
    action: str
    negate: bool = False
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class StateRef:
    """A protocol state variable (``state stock = 10``), read by name."""

    name: str
    span: Span = field(default=NO_SPAN, compare=False)


Expr = Union[
    Num,
    BoolConst,
    ParamRef,
    IndexVar,
    ActionIs,
    SameAction,
    Neg,
    Not,
    Arith,
    Compare,
    Logic,
    Cond,
    Call,
    Aggregate,
    PayoffOf,
    MetricOf,
    MoveIs,
    StateRef,
]

BOOL_NODES = (BoolConst, ActionIs, SameAction, Not, Compare, Logic, MoveIs)


def span_of(e: object) -> Span:
    return getattr(e, "span", NO_SPAN)
