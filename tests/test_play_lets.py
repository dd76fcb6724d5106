"""Definitions in play predicates: `let right = ...` over moves is inlined
into `for every spe: always (...)` exactly as in payoffs, so the verdict is
the one of the spelled-out predicate; a definition with parameters is not a
play predicate (positioned E110)."""

from __future__ import annotations

import pytest

import verigroup
from verigroup.diagnostics import SpecError

BASE = """game g
agents h, judge
protocol:
    chance x: zero 1/2, one 1/2
    a: h says zero, one to judge sees x
    decide: judge chooses zero, one sees a
let right = (decide == zero and x == zero) or (decide == one and x == one)
let good(z) = z
payoff judge = 1 if right else 0
payoff h = 1 if right else 0
"""


@pytest.mark.parametrize("quant", ["for some spe", "for every spe"])
def test_a_definition_reads_like_its_body(quant: str) -> None:
    spelled = "(decide == zero and x == zero) or (decide == one and x == one)"
    a = verigroup.parse(BASE + f'property "p": {quant}: always (not end or right)\n', "a.vg").check()
    b = verigroup.parse(BASE + f'property "p": {quant}: always (not end or ({spelled}))\n', "b.vg").check()
    assert a.results[0].verdict == b.results[0].verdict
    # cheap talk: an honest SPE exists, a babbling one too
    assert a.results[0].verdict.value == ("HOLDS" if quant == "for some spe" else "VIOLATED")


def test_a_definition_with_parameters_is_not_a_play_predicate() -> None:
    with pytest.raises(SpecError) as exc:
        verigroup.parse(BASE + 'property "p": for some spe: always good(right)\n', "c.vg")
    d = exc.value.diagnostics[0]
    assert d.code == "E110" and d.span.line == 11
