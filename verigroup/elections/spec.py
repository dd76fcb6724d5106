"""Elections declared in a spec (``election NAME:``): the property records
the resolver (:mod:`verigroup.resolve.elections`) produces and
``verigroup check`` decides (:mod:`.spec_check`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from verigroup.diagnostics import NO_SPAN, Span


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
    span: Span = field(default=NO_SPAN, compare=False)
