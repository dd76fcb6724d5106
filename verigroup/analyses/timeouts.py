"""Deadlines: a property check that does not finish is UNKNOWN, never HOLDS.

``run_with_deadline`` runs one checker under the context's ``timeout``
(SIGALRM on the main thread; elsewhere solvers poll
:func:`check_deadline`).  A :class:`~verigroup.diagnostics.TooLarge` refusal
inside a check becomes UNKNOWN with the refusal's message, so an audit of a
huge game still reports every property it *can* decide.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from verigroup.diagnostics import TooLarge
from verigroup.verdicts import PropertyResult, Verdict


class DeadlineExceeded(Exception):
    pass


_deadline: list[float] = []


def check_deadline() -> None:
    """Cooperative check for long loops in our own solvers."""
    if _deadline and time.monotonic() > _deadline[-1]:
        raise DeadlineExceeded()


def remaining() -> float | None:
    return max(0.0, _deadline[-1] - time.monotonic()) if _deadline else None


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    if seconds is None:
        yield
        return
    _deadline.append(time.monotonic() + seconds)
    use_alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    old: Any = None
    if use_alarm:
        def _raise(signum: int, frame: Any) -> None:
            raise DeadlineExceeded()

        old = signal.signal(signal.SIGALRM, _raise)
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        _deadline.pop()


def _wraps_deadline(exc: BaseException) -> bool:
    """An exception that is a DeadlineExceeded in disguise: SIGALRM can fire
    while ctypes converts an argument of a native call (z3), and ctypes then
    re-raises it as ``ctypes.ArgumentError("argument 2: DeadlineExceeded: ")``."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, DeadlineExceeded):
            return True
        import ctypes

        if isinstance(e, ctypes.ArgumentError) and "DeadlineExceeded" in str(e):
            return True
        e = e.__cause__ or e.__context__
    return False


def run_with_deadline(ctx: Any, prop: Any, fn: Callable[[Any, Any], PropertyResult]) -> PropertyResult:
    kind = type(prop).__name__
    try:
        try:
            with deadline(ctx.timeout):
                return fn(ctx, prop)
        except Exception as exc:
            if not isinstance(exc, DeadlineExceeded) and _wraps_deadline(exc):
                raise DeadlineExceeded() from exc
            raise
    except DeadlineExceeded:
        return PropertyResult(prop.name, kind, Verdict.UNKNOWN, "timeout",
                              f"not decided within the {ctx.timeout} s timeout",
                              {"reason": f"timeout after {ctx.timeout} s"}, prop.span)
    except TooLarge as exc:
        msg = "; ".join(d.message + (f" ({d.hint})" if d.hint else "") for d in exc.diagnostics)
        return PropertyResult(prop.name, kind, Verdict.UNKNOWN, "size-guard", msg,
                              {"reason": msg}, prop.span)
