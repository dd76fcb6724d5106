"""Refusals and name errors of the elections package (codes E601-E606,
documented in docs/language.md)."""

from __future__ import annotations

import difflib
from typing import Sequence

from verigroup.diagnostics import NO_SPAN, Diagnostic, SpecError, Span


def unknown_name(kind: str, name: str, known: Sequence[str], span: Span = NO_SPAN) -> SpecError:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return SpecError([Diagnostic("E605", f"unknown {kind} `{name}`", span,
                                 hint=hint + f"known: {', '.join(known)}")])
