"""Running one property check under its time budget: a check that does not
finish is UNKNOWN, never HOLDS.

The deadline machinery itself lives in :mod:`verigroup.runtime` (the bottom
of the pipeline, where solvers and tree code import it from); the names are
re-exported here for older callers.  A :class:`~verigroup.diagnostics.TooLarge`
refusal inside a check becomes UNKNOWN with the refusal's message, so an
audit of a huge game still reports every property it *can* decide.
"""

from __future__ import annotations

from typing import Any, Callable

from verigroup.diagnostics import TooLarge
from verigroup.runtime import DeadlineExceeded, Interrupted, cancel_reason, cancelled
from verigroup.runtime import check_deadline as check_deadline
from verigroup.runtime import deadline as deadline
from verigroup.runtime import remaining as remaining
from verigroup.runtime import wraps_deadline
from verigroup.verdicts import PropertyResult, Verdict

__all__ = ["DeadlineExceeded", "Interrupted", "check_deadline", "deadline", "remaining",
           "run_with_deadline", "interrupted_result"]


def interrupted_result(prop: Any) -> PropertyResult:
    """The verdict of a property the run was cancelled before or during."""
    why = cancel_reason() or "interrupted"
    return PropertyResult(prop.name, type(prop).__name__, Verdict.UNKNOWN, "interrupted",
                          f"not decided: the run was {why}", {"reason": why}, prop.span)


def run_with_deadline(ctx: Any, prop: Any, fn: Callable[[Any, Any], PropertyResult]) -> PropertyResult:
    kind = type(prop).__name__
    if cancelled():
        return interrupted_result(prop)
    try:
        try:
            with deadline(ctx.timeout):
                return fn(ctx, prop)
        except Exception as exc:
            if not isinstance(exc, DeadlineExceeded) and wraps_deadline(exc):
                raise DeadlineExceeded() from exc
            raise
    except DeadlineExceeded as exc:
        if isinstance(exc, Interrupted) or cancelled():
            return interrupted_result(prop)
        return PropertyResult(prop.name, kind, Verdict.UNKNOWN, "timeout",
                              f"not decided within the {ctx.timeout} s timeout",
                              {"reason": f"timeout after {ctx.timeout} s"}, prop.span)
    except TooLarge as exc:
        msg = "; ".join(d.message + (f" ({d.hint})" if d.hint else "") for d in exc.diagnostics)
        return PropertyResult(prop.name, kind, Verdict.UNKNOWN, "size-guard", msg,
                              {"reason": msg}, prop.span)
