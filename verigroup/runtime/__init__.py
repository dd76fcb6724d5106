"""Runtime services at the bottom of the pipeline: deadlines, cancellation
(Ctrl-C, SIGTERM) and progress reporting.

Every stage may import this package; it imports nothing of verigroup.  A
long loop anywhere calls :func:`check_deadline`, which raises
:class:`DeadlineExceeded` when the innermost time budget has run out *or*
the run was cancelled (then the exception is the subclass
:class:`Interrupted`), so one poll serves both.
"""

from __future__ import annotations

from verigroup.runtime.cancel import (
    Interrupted,
    cancel_reason,
    cancelled,
    install_signal_handlers,
    interrupt_engines,
    request_cancel,
    reset_cancel,
)
from verigroup.runtime import progress
from verigroup.runtime.deadline import (
    DeadlineExceeded,
    check_deadline,
    deadline,
    expired,
    highs_options,
    remaining,
    wraps_deadline,
)

__all__ = [
    "DeadlineExceeded", "Interrupted", "check_deadline", "deadline", "expired", "remaining",
    "wraps_deadline", "highs_options", "cancelled", "cancel_reason", "request_cancel", "reset_cancel",
    "interrupt_engines", "install_signal_handlers", "progress",
]
