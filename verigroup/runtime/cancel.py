"""Cancellation: one process-wide flag, set by Ctrl-C / SIGTERM (or by a
caller), that every deadline poll honours.

Native engines do not run Python code while they work, so a Python signal
handler alone cannot stop them: Z3 would even swallow SIGINT (its own
handler cancels the current check, which then returns ``unknown`` and the
caller moves on).  :func:`install_signal_handlers` therefore

* installs Python handlers for SIGINT/SIGTERM that set the flag and raise
  :class:`Interrupted` (never from a finalizer: there the exception would be
  "ignored" and lost, so the handler only sets the flag and lets the next
  poll raise), and
* routes the C-level signal through :func:`signal.set_wakeup_fd` to a small
  watcher thread which, while the main thread is blocked in a native call,
  sets the flag and interrupts the engines (``z3`` context ``interrupt()``).

Engines are found by name in :data:`sys.modules`; this module imports
nothing of verigroup.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import signal
import socket
import sys
import threading
from types import FrameType, ModuleType
from typing import Any

from verigroup.runtime.deadline import DeadlineExceeded, _register_cancel_probe, in_finalizer, kick

_flag = threading.Event()
_reason: list[str] = [""]


class Interrupted(DeadlineExceeded):
    """Raised by deadline polls once the run is cancelled (Ctrl-C, SIGTERM).

    A subclass of :class:`DeadlineExceeded` so every engine that already
    returns partial results on a deadline does the same on Ctrl-C."""


def cancelled() -> bool:
    return _flag.is_set()


def cancel_reason() -> str:
    return _reason[0]


def request_cancel(reason: str = "interrupted") -> None:
    """Cancel the run: every later deadline poll raises :class:`Interrupted`
    and native engines working now are interrupted."""
    if not _flag.is_set():
        _reason[0] = reason
        _flag.set()
    interrupt_engines()


def reset_cancel() -> None:
    """Start afresh after a cancelled run (an API session goes on).  A Z3
    context that was interrupted stays cancelled for good (z3 never resets
    its resource limit), so the next Z3 work gets a fresh main context."""
    _flag.clear()
    _reason[0] = ""
    if _z3_interrupted[0]:
        _z3_interrupted[0] = False
        z3mod = sys.modules.get("z3.z3")
        if z3mod is not None and hasattr(z3mod, "_main_ctx"):
            setattr(z3mod, "_main_ctx", None)


_z3_interrupted: list[bool] = [False]


def interrupt_engines() -> None:
    """Ask native engines running now to stop (thread-safe, no-op when idle).

    Z3: ``Z3_interrupt`` on the main context cancels the check in progress,
    and leaves the context cancelled for every later check (z3 never resets
    its resource limit): only cancellation, which ends the run, calls this;
    :func:`reset_cancel` replaces the context before work resumes."""
    z3mod = sys.modules.get("z3.z3")
    ctx = getattr(z3mod, "_main_ctx", None) if z3mod is not None else None
    if ctx is not None:
        try:
            ctx.interrupt()
            _z3_interrupted[0] = True
        except Exception:  # pragma: no cover - engine already torn down
            pass


_register_cancel_probe(cancelled, lambda: Interrupted(cancel_reason() or "interrupted"))


_SIGNAL_REASONS = {int(signal.SIGINT): "interrupted"}
if hasattr(signal, "SIGTERM"):
    _SIGNAL_REASONS[int(signal.SIGTERM)] = "terminated"

_installed: list[bool] = [False]


def _handler(signum: int, frame: FrameType | None) -> None:
    request_cancel(_SIGNAL_REASONS.get(signum, "interrupted"))
    if in_finalizer(frame, imports=False):
        kick()  # the alarm raises in a moment; an exception here would be lost
        return
    raise Interrupted(cancel_reason())


def _watch(sock: socket.socket) -> None:
    while True:
        try:
            data = sock.recv(64)
        except OSError:
            return
        if not data:
            return
        for signum in data:
            if signum in _SIGNAL_REASONS:
                request_cancel(_SIGNAL_REASONS[signum])
            # A deadline (SIGALRM) never interrupts Z3: ``Z3_interrupt`` cancels
            # the context's resource limit for good (z3's api context calls
            # ``m_limit.cancel()`` unconditionally), so every later check in
            # this process would return garbage models -- seen as a
            # "non-equilibrium" from support enumeration after an earlier
            # property timed out.  Budgets reach Z3 through its own per-check
            # ``timeout`` parameter instead, which cleans up after itself.


def _configure_z3(module: ModuleType) -> None:
    """Z3 installs its own SIGINT handler around every check and swallows
    Ctrl-C (the check returns ``unknown``); ``ctrl_c=false`` keeps ours, and
    the watcher interrupts Z3 instead."""
    try:
        module.set_param("ctrl_c", False)
    except Exception:  # pragma: no cover - an old z3 without the parameter
        pass


class _Z3ImportHook(importlib.abc.MetaPathFinder):
    """Configure z3 the moment it is first imported (the CLI imports it
    lazily, only for the commands that need it)."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != "z3":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec("z3")
        loader = getattr(spec, "loader", None)
        if spec is None or loader is None or not hasattr(loader, "exec_module"):
            return spec
        original = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            original(module)
            _configure_z3(module)

        loader.exec_module = exec_module
        return spec


def install_signal_handlers() -> bool:
    """For the command line (main thread of a real process): Ctrl-C and
    SIGTERM cancel the run, native engines included.  Returns False when it
    cannot be done here (not the main thread).  Idempotent."""
    if _installed[0]:
        return True
    if threading.current_thread() is not threading.main_thread():
        return False
    for signum in _SIGNAL_REASONS:
        signal.signal(signum, _handler)
    if "z3" in sys.modules:
        _configure_z3(sys.modules["z3"])
    else:
        sys.meta_path.insert(0, _Z3ImportHook())
    if os.name == "posix":
        rsock, wsock = socket.socketpair()
        wsock.setblocking(False)
        try:
            signal.set_wakeup_fd(wsock.fileno(), warn_on_full_buffer=False)
        except ValueError:  # pragma: no cover - not the main interpreter
            rsock.close()
            wsock.close()
        else:
            t = threading.Thread(target=_watch, args=(rsock,), name="verigroup-signals", daemon=True)
            t.start()
            _keep.extend([rsock, wsock])
    _installed[0] = True
    return True


_keep: list[socket.socket] = []
