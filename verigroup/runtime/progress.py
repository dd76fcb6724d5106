"""Progress on stderr while long work runs — only when stderr is a terminal.

The command line calls :func:`enable` with its stderr; library use stays
silent.  :func:`status` names what runs now (spec, property, engine),
:func:`step` how far a loop has got; both overwrite one status line at most
ten times a second, and :func:`clear` erases it before results are printed.
"""

from __future__ import annotations

import threading
import time
from typing import IO

_stream: list[IO[str] | None] = [None]
_state = {"label": "", "last": 0.0, "shown": False}
_lock = threading.Lock()
_WIDTH = 100
_INTERVAL = 0.1


def enable(stream: IO[str], force: bool = False) -> bool:
    """Report progress on ``stream`` if it is a terminal (or ``force``)."""
    try:
        tty = bool(stream.isatty())
    except (AttributeError, ValueError):
        tty = False
    _stream[0] = stream if (tty or force) else None
    return _stream[0] is not None


def disable() -> None:
    clear()
    _stream[0] = None


def enabled() -> bool:
    return _stream[0] is not None


def _write(text: str) -> None:
    s = _stream[0]
    if s is None:
        return
    line = text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"
    try:
        s.write("\r\x1b[K" + line)
        s.flush()
    except (OSError, ValueError):  # terminal gone: stay quiet
        _stream[0] = None
        return
    _state["shown"] = True
    _state["last"] = time.monotonic()


def status(label: str) -> None:
    """What runs now, e.g. ``check pd.vg: property 2/5 'stable' (z3)``."""
    with _lock:
        _state["label"] = label
        if _stream[0] is not None:
            _write(label)


def step(done: int, total: int | None = None, what: str = "") -> None:
    """How far the current loop is; throttled."""
    if _stream[0] is None:
        return
    now = time.monotonic()
    if now - float(_state["last"]) < _INTERVAL:  # type: ignore[arg-type]
        return
    with _lock:
        where = f"{done}/{total}" if total else str(done)
        _write(f"{_state['label']} — {what + ' ' if what else ''}{where}")


def clear() -> None:
    """Erase the status line (before printing results)."""
    with _lock:
        s = _stream[0]
        if s is not None and _state["shown"]:
            try:
                s.write("\r\x1b[K")
                s.flush()
            except (OSError, ValueError):
                _stream[0] = None
        _state["shown"] = False
