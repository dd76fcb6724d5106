"""A cancelled run must not leave Z3 answering wrongly afterwards.

``Z3_interrupt`` cancels the context's resource limit for good: every later
check in the process returned garbage models (support enumeration then
produced a "non-equilibrium").  Deadlines therefore never interrupt Z3 (its
per-check timeouts carry budgets), and ``reset_cancel`` gives Z3 a fresh
context after a cancellation."""

from __future__ import annotations

import verigroup
from verigroup import runtime

SPEC = """
agent a: actions u, v
agents b, c: actions x, z
payoff a = 0
payoff b = 1 if b == x else 0
payoff c = 1 if c == x else 0
metric m = 1 if a == u else 0
property "lin": for every mixed p: m(p) >= 0
"""


def verdicts() -> list[str]:
    return [r.verdict.value for r in verigroup.parse(SPEC, "s.vg").check().results]


def test_z3_answers_correctly_after_a_cancelled_run() -> None:
    before = verdicts()
    runtime.request_cancel("interrupted")  # interrupts z3 (idle here)
    runtime.reset_cancel()
    assert verdicts() == before
    assert before[0] in ("HOLDS", "UNKNOWN")
