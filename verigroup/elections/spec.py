"""Elections declared in a spec (``election NAME:``): the property records
the resolver (:mod:`verigroup.resolve.elections`) produces and
``verigroup check`` decides (:mod:`.spec_check`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from typing import TYPE_CHECKING

from verigroup.diagnostics import NO_SPAN, Span

if TYPE_CHECKING:
    from verigroup.elections.expr_rules import ScoreRule


@dataclass(frozen=True)
class ElectionAxioms:
    """``property "name": axiom, ...`` inside ``election NAME:``: every
    axiom must hold for the rule over every profile of exactly ``voters``
    voters.  ``alternatives`` is in tie-breaking order; ``ballots`` (a
    declared profile, possibly empty) is evaluated and reported alongside."""

    name: str
    election: str
    rule: str
    voters: int
    alternatives: tuple[str, ...]
    axioms: tuple[str, ...]
    approve: int | None = None
    ballots: tuple[tuple[tuple[str, ...], int], ...] = ()
    scores: tuple[int, ...] = ()
    coalition: int = 2                 # group-strategyproofness: coalitions of up to this many voters
    rule_expr: ScoreRule | None = None   # an in-spec rule (``score x = ...``), then ``rule`` is "score"
    ballot_kind: str = "strict"        # "weak" / "approval": ballots with ties (``ballots weak``)
    span: Span = field(default=NO_SPAN, compare=False)
