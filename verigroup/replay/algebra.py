"""Replay of property-algebra results (``not``/``and``/``or``/``implies``,
issue 8): the combined verdict is recomputed from the parts' verdicts in
three-valued logic, ``decided_by`` must name parts that really decide it, and
every deciding part's own evidence is re-established by a fresh
:class:`~verigroup.replay.evidence.EvidenceChecker` for that part."""

from __future__ import annotations

from typing import Any

from verigroup.replay.result import Mismatch, Skip

_FLIP = {"HOLDS": "VIOLATED", "VIOLATED": "HOLDS", "UNKNOWN": "UNKNOWN"}


def kleene(op: str, verdicts: list[str]) -> str:
    """Three-valued combination, written independently of the checker's."""
    if op == "not":
        return _FLIP[verdicts[0]]
    if op == "implies":
        op, verdicts = "or", [_FLIP[verdicts[0]], verdicts[1]]
    if op == "and":
        if "VIOLATED" in verdicts:
            return "VIOLATED"
        return "HOLDS" if all(v == "HOLDS" for v in verdicts) else "UNKNOWN"
    if op == "or":
        if "HOLDS" in verdicts:
            return "HOLDS"
        return "VIOLATED" if all(v == "VIOLATED" for v in verdicts) else "UNKNOWN"
    raise Mismatch(f"unknown connective {op!r}")


class AlgebraFacts:
    """``fact_Composite`` for :class:`~verigroup.replay.evidence.EvidenceChecker`."""

    prop: Any
    ev: dict[str, Any]
    verdict: Any
    spec: str
    o: Any

    def fact_Composite(self) -> str:
        from verigroup.replay.evidence import EvidenceChecker

        parts = self.ev.get("parts")
        subs = list(self.prop.parts)
        if not isinstance(parts, list) or len(parts) != len(subs):
            raise Mismatch(f"the evidence lists {len(parts) if isinstance(parts, list) else 'no'} parts, "
                           f"the property has {len(subs)}")
        if self.ev.get("op") != self.prop.op:
            raise Mismatch(f"the evidence combines with {self.ev.get('op')!r}, the spec with {self.prop.op!r}")
        verdicts = [str(p.get("verdict")) for p in parts]
        want = kleene(self.prop.op, verdicts)
        if want != self.verdict:
            raise Mismatch(f"parts {verdicts} combine by `{self.prop.op}` to {want}, the report says {self.verdict}")
        decided = self.ev.get("decided_by")
        if not isinstance(decided, list) or not decided or not all(isinstance(k, int) and 0 <= k < len(parts)
                                                                   for k in decided):
            raise Mismatch(f"decided_by {decided!r} does not name the deciding parts")
        sub_verdicts = [verdicts[k] for k in decided]
        if kleene(self.prop.op, [v if k in decided else "UNKNOWN" for k, v in enumerate(verdicts)]) != want:
            raise Mismatch(f"the parts named in decided_by ({sub_verdicts}) do not decide {want} on their own")
        notes: list[str] = []
        skipped: list[str] = []
        for k in decided:
            sub = EvidenceChecker(self.o, subs[k], parts[k], self.spec)
            for f in sub.run():
                if f.status == "mismatch":
                    raise Mismatch(f"part `{parts[k].get('name')}`: {f.check}: {f.detail}")
                if f.status == "skipped":
                    skipped.append(f"`{parts[k].get('name')}`: {f.detail}")
                elif f.detail:
                    notes.append(f"`{parts[k].get('name')}`: {f.detail}")
        if skipped and not notes:
            raise Skip("; ".join(skipped))
        return (f"{self.prop.op} of {verdicts} is {want}; deciding part(s) re-checked"
                + (f" ({'; '.join(notes)})" if notes else ""))
