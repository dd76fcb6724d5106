"""Deadlines: nested time budgets with one cooperative poll.

``with deadline(seconds):`` opens a budget; budgets nest and the earliest
end wins.  Long loops call :func:`check_deadline`.  On the main thread a
``SIGALRM`` timer also interrupts plain Python code that does not poll.

The alarm handler never lets a deadline slip away silently: when it fires
inside an object finalizer (``AstRef.__del__`` of z3), an exception raised
there would be printed as "Exception ignored" and lost, leaving the work
running without a budget; inside z3's ctypes glue it would come back as a
``ctypes.ArgumentError``.  So the handler does not raise there; it re-arms
itself a few milliseconds later instead, and every poll keeps raising once
the budget is spent.
Native engines are interrupted by the watcher thread of
:mod:`verigroup.runtime.cancel` (the command line installs it).
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from contextlib import contextmanager
from types import FrameType
from typing import Any, Callable, Iterator


class DeadlineExceeded(Exception):
    """The innermost time budget ran out (or, as :class:`Interrupted`, the
    run was cancelled)."""


# Open budgets, each a one-element box holding its absolute monotonic end
# (boxes, so a budget that closes out of order -- a generator suspended
# inside ``with deadline(...)`` and finalised later -- removes its own entry,
# never another budget's).
_stack: list[list[float]] = []
# The SIGALRM handler in force before the outermost open budget.
_saved_handler: list[Any] = [None]
_REARM = 0.02              # seconds between repeated alarms once expired

# cancel.py registers how to ask "cancelled?" and what to raise then; kept as
# a hook so this module does not import cancel.py (which imports us).
_cancel_probe: list[tuple[Callable[[], bool], Callable[[], DeadlineExceeded]]] = []


def _register_cancel_probe(probe: Callable[[], bool], make: Callable[[], DeadlineExceeded]) -> None:
    _cancel_probe[:] = [(probe, make)]


def _cancel_exc() -> DeadlineExceeded | None:
    if _cancel_probe and _cancel_probe[0][0]():
        return _cancel_probe[0][1]()
    return None


def _end() -> float | None:
    return min(b[0] for b in _stack) if _stack else None


def expired() -> bool:
    """The innermost budget has run out (cancellation is not included)."""
    end = _end()
    return end is not None and time.monotonic() >= end


def check_deadline() -> None:
    """Cooperative check for long loops: raises when the budget has run out
    or the run was cancelled."""
    exc = _cancel_exc()
    if exc is not None:
        raise exc
    if expired():
        raise DeadlineExceeded()


def remaining() -> float | None:
    """Seconds left in the innermost budget (0 once cancelled); None when
    there is no budget."""
    if _cancel_exc() is not None:
        return 0.0
    end = _end()
    return None if end is None else max(0.0, end - time.monotonic())


def highs_options() -> dict[str, float]:
    """``options`` for ``scipy.optimize.linprog(method="highs")``: HiGHS runs
    in C++ where no signal handler reaches, so it gets the budget left as its
    own ``time_limit`` (the caller polls :func:`check_deadline` after it)."""
    left = remaining()
    return {} if left is None else {"time_limit": max(left, 0.01)}


def validate_seconds(seconds: float | None) -> float | None:
    if seconds is None:
        return None
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) \
            or math.isnan(seconds) or math.isinf(seconds) or seconds <= 0:
        raise ValueError(f"a time budget must be a positive finite number of seconds, not {seconds!r}")
    return float(seconds)


_NATIVE_WRAPPERS = (f"{os.sep}z3{os.sep}", f"{os.sep}ctypes{os.sep}")


def in_finalizer(frame: FrameType | None, imports: bool = True) -> bool:
    """Is it unsafe to raise here?  In an object finalizer the exception
    would be "ignored" and lost; inside a native engine's Python wrapper
    (z3's ctypes glue) ctypes would re-wrap it as ``ctypes.ArgumentError``
    or drop it in a callback; during an ``import`` it would leave a module
    half-initialised (numpy then reports a bogus "source tree" ImportError).
    Callers then set a flag and retry shortly.  ``imports=False`` ignores
    imports: a cancelled run ends anyway, and a heavy import (scipy) would
    delay Ctrl-C by seconds."""
    if frame is not None and any(w in frame.f_code.co_filename for w in _NATIVE_WRAPPERS):
        return True
    depth = 0
    while frame is not None and depth < 400:
        code = frame.f_code
        if (depth < 8 and code.co_name == "__del__") or (
                imports and code.co_filename.startswith("<frozen importlib")):
            return True
        frame = frame.f_back
        depth += 1
    return False


def _alarm(signum: int, frame: FrameType | None) -> None:
    exc = _cancel_exc()
    if exc is None and not expired():
        _arm()  # an outer budget's timer fired early: wait for the real end
        return
    if in_finalizer(frame, imports=exc is None):
        # Raising here would be lost or re-wrapped: try again in a moment.
        if _stack:
            signal.setitimer(signal.ITIMER_REAL, _REARM)
        return
    raise exc if exc is not None else DeadlineExceeded()


def kick() -> None:
    """Make the alarm fire now (main thread, inside a budget): used when the
    run is cancelled so plain Python code inside a budget stops too."""
    if _stack and _can_alarm() and signal.getsignal(signal.SIGALRM) is _alarm:
        signal.setitimer(signal.ITIMER_REAL, 0.001)


def _arm() -> None:
    end = _end()
    if end is None:
        signal.setitimer(signal.ITIMER_REAL, 0)
    else:
        signal.setitimer(signal.ITIMER_REAL, max(end - time.monotonic(), 0.001))


def _can_alarm() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Run the block under a budget of ``seconds`` (None: no new budget).
    Raises :class:`DeadlineExceeded` out of the block when it runs out."""
    seconds = validate_seconds(seconds)
    if seconds is None:
        yield
        return
    use_alarm = _can_alarm()
    box = [time.monotonic() + seconds]
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _alarm)
        if not _stack:
            _saved_handler[0] = previous
    _stack.append(box)
    if use_alarm:
        _arm()
    try:
        yield
    finally:
        for i, b in enumerate(_stack):
            if b is box:
                del _stack[i]
                break
        if use_alarm:
            if _stack:
                # other budgets are still open (this one may have closed out
                # of order): keep our handler and re-arm for the nearest end
                signal.signal(signal.SIGALRM, _alarm)
                _arm()
            else:
                signal.setitimer(signal.ITIMER_REAL, 0)
                old = _saved_handler[0]
                _saved_handler[0] = None
                signal.signal(signal.SIGALRM, old if old is not None else signal.SIG_DFL)


def wraps_deadline(exc: BaseException) -> bool:
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

        if isinstance(e, ctypes.ArgumentError) and ("DeadlineExceeded" in str(e) or "Interrupted" in str(e)):
            return True
        e = e.__cause__ or e.__context__
    return False
