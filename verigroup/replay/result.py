"""Result records of a replay: one :class:`Finding` per re-check, gathered in
a :class:`ReplayResult` that renders as text or JSON; and the two outcomes a
re-check can raise instead of confirming (:class:`Mismatch`, :class:`Skip`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REPLAY_SCHEMA = "verigroup.replay/1"

_MARKS = {"ok": "  ok      ", "mismatch": "  MISMATCH", "skipped": "  skipped "}


class Mismatch(Exception):
    """A claim in the evidence that does not re-check."""


class Skip(Exception):
    """A re-check that is too large or not applicable here."""


@dataclass(frozen=True)
class Finding:
    """One re-check.  ``status``: ``ok`` (confirmed), ``mismatch`` (the report
    is wrong or the spec changed), ``skipped`` (too large to re-derive)."""

    spec: str
    prop: str | None
    status: str
    check: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"spec": self.spec, "property": self.prop, "status": self.status,
                "check": self.check, "detail": self.detail}


@dataclass(frozen=True)
class ReplayResult:
    report: str
    findings: tuple[Finding, ...]
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ok", not self.mismatches)

    @property
    def mismatches(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status == "mismatch")

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.findings)

    def render(self) -> str:
        n_ok, n_bad, n_skip = self.count("ok"), self.count("mismatch"), self.count("skipped")
        head = (f"replay {self.report}: " + ("OK" if self.ok else f"{n_bad} MISMATCH(ES)")
                + f" ({n_ok} confirmed, {n_bad} mismatched, {n_skip} skipped)")
        lines = [head]
        spec = None
        order: dict[tuple[str, str | None], int] = {}
        for f in self.findings:
            order.setdefault((f.spec, f.prop), len(order))
        for f in sorted(self.findings, key=lambda f: order[(f.spec, f.prop)]):
            if f.spec != spec:
                spec = f.spec
                lines.append(f"spec {spec}")
            who = f" \"{f.prop}\"" if f.prop is not None else ""
            lines.append(f"{_MARKS[f.status]}{who}: {f.check}" + (f": {f.detail}" if f.detail else ""))
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {"schema": REPLAY_SCHEMA, "report": self.report, "ok": self.ok,
                "findings": [f.to_json() for f in self.findings]}
