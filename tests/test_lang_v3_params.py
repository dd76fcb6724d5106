"""Language v2 (issue 8, LANG3): ``let`` in params.

A param may use ``let`` definitions (constants and functions), and a
definition used there may read earlier params; reading the param being
defined (a cycle through definitions) is E106, reading a later param E101,
both positioned in the definition with a note at the use."""

from __future__ import annotations

from fractions import Fraction

import pytest

import verigroup
from verigroup.diagnostics import SpecError

TAIL = "agents a, b: actions x, y\npayoff a = H\npayoff b = 0\n"

HARMONIC = ("game harmonic\nparam k = 4\nlet h(m) = sum(i in 1..m: 1/i)\nlet scale = k * 2\n"
            "param H = h(k) * scale\n" + TAIL)


def harmonic(k: int) -> Fraction:
    return sum((Fraction(1, i) for i in range(1, k + 1)), Fraction(0))


def test_a_param_uses_definitions_that_read_earlier_params() -> None:
    m = verigroup.parse(HARMONIC)
    assert m.param_values()["H"] == harmonic(4) * 8 == Fraction(50, 3)


@pytest.mark.parametrize("k", [1, 3, 7, 12])
def test_overrides_are_applied_before_folding(k: int) -> None:
    m = verigroup.parse(HARMONIC, overrides={"k": str(k)})
    assert m.param_values()["H"] == harmonic(k) * 2 * k


def test_definitions_may_come_before_or_after_the_param() -> None:
    src = ("game g\nparam r = 3\nparam H = twice(r) + one\nlet twice(v) = 2 * v\nlet one = 1\n" + TAIL)
    assert verigroup.parse(src).param_values()["H"] == 7


def test_nested_definitions_and_payoffs_still_inline() -> None:
    src = ("game g\nlet base = 2\nlet sq(v) = v ^ 2\nparam H = sq(base) + sq(sq(base))\n"
           "agents a, b: actions x = 1, y = 2\npayoff a = sq(value(a)) + H\npayoff b = 0\n")
    m = verigroup.parse(src)
    assert m.param_values()["H"] == 20
    sol = m.equilibria("nash")
    assert {e.payoffs["a"] for e in sol.equilibria} == {24}


@pytest.mark.parametrize("src,code,words,line,col", [
    ("param H = loop(1)\nlet loop(v) = v + H\n", "E106", "in terms of itself through loop", 3, 19),
    ("param H = a1\nlet a1 = a2 + 1\nlet a2 = H\n", "E106", "through a1 -> a2", 4, 10),
    ("param H = later(1)\nlet later(v) = v * L\nparam L = 3\n", "E101", "declared later (line 4)", 3, 20),
    ("param H = f(1)\nlet f(v) = v + g\nlet g = f(2)\n", "E106", "f -> g -> f", 4, 9),
    ("param H = n(1)\nlet n(v) = v + payoff(a)\n", "E107", "not a constant", 3, 16),
])
def test_errors_are_positioned(src: str, code: str, words: str, line: int, col: int) -> None:
    with pytest.raises(SpecError) as info:
        verigroup.parse("game g\n" + src + TAIL)
    d = next(x for x in info.value.diagnostics if x.code == code and words in x.message)
    assert (d.span.line, d.span.column) == (line, col), info.value.render()
    rendered = info.value.render()
    assert rendered.count(d.message) == 1, rendered  # printed once


def test_a_direct_self_reference_is_still_refused() -> None:
    with pytest.raises(SpecError) as info:
        verigroup.parse("game g\nparam H = H + 1\n" + TAIL)
    d = info.value.diagnostics[0]
    assert d.code == "E106" and (d.span.line, d.span.column) == (2, 11) and "itself" in d.message


def test_a_definition_applied_to_itself_is_no_cycle() -> None:
    # sq(sq(x)): the inner use is an argument, resolved where it is written
    src = ("game g\nlet sq(v) = v * v\nlet add(u, v) = u + v\n"
           "agents a, b: actions x = 1, y = 2\npayoff a = sq(sq(value(a))) + add(add(1, 2), sq(3))\n"
           "payoff b = sq(add(value(b), sq(value(a))))\n")
    m = verigroup.parse(src)
    pays = {tuple(next(iter(e.strategies[p])) for p in ("a", "b")): e.payoffs for e in m.equilibria("nash").equilibria}
    # a: x -> 1 + 12, y -> 16 + 12, so a plays y; b: (value(b) + 4)^2, so b plays y
    assert pays == {("y", "y"): {"a": 28, "b": 36}}
