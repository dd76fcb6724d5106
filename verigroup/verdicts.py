"""Result records: verdicts with evidence, equilibria, reports.

A verdict is never a bare boolean (CrossHair's habit): HOLDS carries a
certificate, VIOLATED a counterexample that ``verigroup replay`` re-checks
from the spec alone, UNKNOWN the reason.  Evidence is JSON-shaped data
(exact rationals as ``"p/q"`` strings) so reports, replay and explain read
one format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from fractions import Fraction
from typing import Any, Mapping

from verigroup.diagnostics import NO_SPAN, Span


class Verdict(str, Enum):
    HOLDS = "HOLDS"
    VIOLATED = "VIOLATED"
    UNKNOWN = "UNKNOWN"


def q(x: Fraction | int) -> str:
    """Exact rational as a JSON string: ``"3/4"``, ``"-2"``."""
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def unq(s: str | int) -> Fraction:
    return Fraction(s)


@dataclass(frozen=True)
class Equilibrium:
    """One equilibrium.  ``strategies[agent][action]`` is a probability
    (omitting zeros) for Nash concepts; ``distribution`` lists
    ``(profile, probability)`` for correlated concepts.  ``exact`` is False
    only for approximate profiles, which then carry ``epsilon`` (the exact
    maximal regret of the reported rational profile)."""

    concept: str
    strategies: Mapping[str, Mapping[str, Fraction]] = field(default_factory=dict)
    payoffs: Mapping[str, Fraction] = field(default_factory=dict)
    distribution: tuple[tuple[Mapping[str, str], Fraction], ...] = ()
    exact: bool = True
    epsilon: Fraction = Fraction(0)
    metrics: Mapping[str, Fraction] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.concept,
            tuple(
                (a, tuple(sorted((k, -v) for k, v in s.items())))
                for a, s in sorted(self.strategies.items())
            ),
            tuple(sorted((tuple(sorted(p.items())), -pr) for p, pr in self.distribution)),
        )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"concept": self.concept}
        if self.strategies:
            out["strategies"] = {
                a: {act: q(p) for act, p in s.items() if p != 0}
                for a, s in self.strategies.items()
            }
        if self.distribution:
            out["distribution"] = [
                {"profile": dict(p), "probability": q(pr)} for p, pr in self.distribution if pr != 0
            ]
        out["payoffs"] = {a: q(v) for a, v in self.payoffs.items()}
        if self.metrics:
            out["metrics"] = {m: q(v) for m, v in self.metrics.items()}
        out["exact"] = self.exact
        if not self.exact:
            out["epsilon"] = q(self.epsilon)
        for k, v in self.extra.items():
            out[k] = v
        return out


@dataclass(frozen=True)
class PropertyResult:
    """The outcome of one property.

    ``evidence`` is JSON-shaped: for HOLDS a certificate (``method``, what
    was checked, e.g. ``{"profiles_enumerated": 65536}``), for VIOLATED a
    counterexample (``{"kind": "equilibrium", "profile": {...}, "payoffs":
    {...}, "metrics": {...}, "why": ...}``), for UNKNOWN ``{"reason": ...}``."""

    name: str
    kind: str
    verdict: Verdict
    method: str
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    span: Span = NO_SPAN

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "verdict": self.verdict.value,
            "method": self.method,
            "message": self.message,
            "evidence": self.evidence,
            "location": {"file": self.span.file, "line": self.span.line, "column": self.span.column},
        }
