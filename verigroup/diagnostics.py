"""Diagnostics: positions, error codes, and the exceptions that carry them.

Errors are data (mypy's habit): every user-facing problem is a
:class:`Diagnostic` with a :class:`Span`, a stable code from :data:`CODES`, a
message and an optional hint.  :class:`SpecError` carries one or more
diagnostics out of any pipeline stage; the CLI renders them and exits 2.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

# One registry of stable error codes.  Add new codes here, never inline.
CODES: dict[str, str] = {
    "E001": "syntax error",
    "E002": "unexpected end of input",
    "E003": "invalid character",
    "E004": "file cannot be read",
    "E005": "file is not UTF-8 text",
    "E006": "empty specification",
    "E007": "specification too large or too deeply nested",
    "E101": "undefined name",
    "E102": "duplicate definition",
    "E103": "wrong number of arguments",
    "E104": "unknown action",
    "E105": "index out of range",
    "E106": "cyclic definition",
    "E107": "type error",
    "E108": "missing payoff",
    "E109": "invalid parameter value",
    "E110": "invalid property",
    "E111": "invalid protocol",
    "E112": "invalid range",
    "E201": "division by zero",
    "E202": "game too large for this method",
    "E203": "evaluation error",
    "E301": "invalid game file",
    "E401": "usage error",
    # ---- elections (issue 11)
    "E601": "invalid ranking (not a permutation of the alternatives)",
    "E602": "alternative named twice",
    "E603": "tie left unresolved by a resolute rule",
    "E604": "election too large for the method",
    "E605": "unknown rule or axiom",
    "E606": "axiom not encodable for this method",
    # ---- mechanisms (issue 10)
    "E701": "invalid synthesis goal",
    "E702": "invalid mechanism lever or unknown domain",
    "E703": "invalid types, prior or mechanism",
}


@dataclass(frozen=True, order=True)
class Span:
    """A region of a source file, 1-based line and column."""

    file: str = "<spec>"
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            # no position: the file (or the option, `--lever`) alone; an
            # error about no file at all names the program
            return self.file if self.file and self.file != "<spec>" else "verigroup"
        return f"{self.file}:{self.line}:{self.column}"


NO_SPAN = Span()

# Source lines longer than this are shown as a window around the caret.
MAX_SHOWN = 100


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span = NO_SPAN
    hint: str | None = None
    severity: str = "error"

    def render(self, source: str | None = None) -> str:
        """``file:line:col: error[CODE]: message`` + source line + caret + hint."""
        head = f"{self.span}: {self.severity}[{self.code}]: {self.message}"
        lines = [head]
        if source is not None and self.span.line > 0:
            src_lines = source.splitlines()
            if 0 < self.span.line <= len(src_lines):
                text = src_lines[self.span.line - 1].replace("\t", " ")
                start = max(self.span.column, 1)
                if self.span.end_line == self.span.line and self.span.end_column > start:
                    width = self.span.end_column - start
                else:
                    width = 1
                # Long lines: show a window around the caret.
                if len(text) > MAX_SHOWN:
                    lo = max(0, start - 1 - MAX_SHOWN // 2)
                    hi = min(len(text), lo + MAX_SHOWN)
                    lo = max(0, hi - MAX_SHOWN)
                    prefix = "…" if lo > 0 else ""
                    text = prefix + text[lo:hi] + ("…" if hi < len(text) else "")
                    start = start - lo + len(prefix)
                    width = min(width, hi - (start - len(prefix) + lo) + 1)
                lines.append(f"    {text}")
                lines.append("    " + " " * (start - 1) + "^" * max(width, 1))
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "file": self.span.file,
            "line": self.span.line,
            "column": self.span.column,
            "hint": self.hint,
        }


class VerigroupError(Exception):
    """Base class of every error verigroup raises on purpose."""


@dataclass
class SpecError(VerigroupError):
    """One or more diagnostics about user input (a spec, a game file, a flag)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    source: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render(self.source) for d in self.diagnostics)

    def __str__(self) -> str:
        return self.render()

    @classmethod
    def single(
        cls,
        code: str,
        message: str,
        span: Span = NO_SPAN,
        hint: str | None = None,
        source: str | None = None,
    ) -> "SpecError":
        return cls([Diagnostic(code, message, span, hint)], source)


class TooLarge(SpecError):
    """A game (or tree, or coalition search) exceeds a size guard.

    The message states the size and what to do instead."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """A 'did you mean' hint using difflib's close matches."""
    import difflib

    cands = sorted(set(candidates))
    close = difflib.get_close_matches(name, cands, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return None
