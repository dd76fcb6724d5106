"""Irrational equilibria: short decimals for people, exact forms in JSON.

The three-agent game below has a fully mixed equilibrium with p = q =
1/sqrt(3), r = sqrt(3)/2 (indifference: q r = 1/2, p r = 1/2, p q = 1/3).
Text, Markdown and HTML show it as decimals marked ``≈``; JSON keeps the
rational approximation with its exact epsilon and, per coordinate, the
defining polynomial, the root's index and an isolating interval — all
re-checked here independently with sympy's real-root counting.
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction
from typing import Any

import pytest

import verigroup
from verigroup.api import check_model, solve_model
from verigroup.reports.jsonout import solution_to_json
from verigroup.reports.mathfmt import algebraic_number, decimal, num
from verigroup.reports.text import render_solution

SPEC = """
game irrational "three agents whose only fully mixed equilibrium is irrational"
agents p1, p2, p3: actions a, b
payoff p1 = (2 if p2 == a and p3 == a else 0) if p1 == a else 1
payoff p2 = (2 if p1 == a and p3 == a else 0) if p2 == a else 1
payoff p3 = (3 if p1 == a and p2 == a else 0) if p3 == a else 1
"""
EXPECTED = {"p1": 1 / math.sqrt(3), "p2": 1 / math.sqrt(3), "p3": math.sqrt(3) / 2}


@pytest.fixture(scope="module")
def solved() -> tuple[Any, Any]:
    model = verigroup.parse(SPEC, "irrational.vg")
    return model, solve_model(model, concept="mixed")


def _irrational(sol: Any) -> Any:
    (e,) = [e for e in sol.equilibria if not e.exact]
    return e


def test_text_shows_short_decimals_not_long_fractions(solved: tuple[Any, Any]) -> None:
    model, sol = solved
    out = render_solution(sol, model.name)
    assert not re.search(r"\d{20}", out), out
    line = next(x for x in out.splitlines() if "≈0.57735" in x)
    assert "p3=(a:≈0.866025" in line
    assert "irrational" in out and "epsilon" in out


def test_markdown_and_html_show_decimals(solved: tuple[Any, Any]) -> None:
    from verigroup.reports.html import render_html
    from verigroup.reports.markdown import render_markdown

    model, sol = solved
    rep = check_model(model)
    for doc in (render_markdown([rep], [model], "0", [sol]), render_html([rep], [model], "0", [sol])):
        assert "≈0.57735" in doc and "≈0.866025" in doc
        assert not re.search(r"\d{20}", doc)


def test_json_keeps_exact_algebraic_numbers(solved: tuple[Any, Any]) -> None:
    import sympy

    model, sol = solved
    doc = json.loads(json.dumps(solution_to_json(sol, model.name, "irrational.vg", "h", "0", {})))
    eqs = [e for e in doc["equilibria"] if e["exact"] is False]
    assert len(eqs) == 1
    e = eqs[0]
    assert Fraction(e["epsilon"]) > 0  # the exact regret of the rational approximation
    x = sympy.Symbol("x")
    for agent, acts in e["algebraic"].items():
        rec = acts["a"]
        lo, hi = (Fraction(v) for v in rec["isolating_interval"])
        assert 0 < hi - lo <= Fraction(1, 10**15)
        poly = sympy.Poly(sympy.sympify(rec["polynomial"].replace("^", "**")), x)
        # exactly one root in the interval, and it is the root_index-th real root
        assert poly.count_roots(sympy.Rational(lo.numerator, lo.denominator),
                                sympy.Rational(hi.numerator, hi.denominator)) == 1
        assert poly.count_roots(-sympy.oo, sympy.Rational(lo.numerator, lo.denominator)) == rec["root_index"] - 1
        assert abs(float(lo) - EXPECTED[agent]) < 1e-12
        # the reported rational strategy is within epsilon-scale of the exact root
        approx = Fraction(e["strategies"][agent]["a"])
        assert abs(approx - lo) < Fraction(1, 10**12)
        assert rec["decimal"] == decimal((lo + hi) / 2, 12)
        assert "root-obj" in rec["root_obj"]


def test_algebraic_number_parses_z3_root_objects() -> None:
    rec = algebraic_number("(root-obj (+ (* 3 (^ x 2)) (- 1)) 2)")
    assert rec is not None and rec["polynomial"] == "3*x^2 - 1" and rec["root_index"] == 2
    lo, hi = (Fraction(v) for v in rec["isolating_interval"])
    assert lo * lo * 3 < 1 < hi * hi * 3
    assert algebraic_number("(root-obj (+ (* 3 (^ x 2)) (- 1)) 5)") is None  # no fifth root
    assert algebraic_number("not a number") is None


def test_num_and_decimal_are_exact() -> None:
    assert num(Fraction(3, 4)) == "3/4"
    big = Fraction(10**40 + 1, 3 * 10**40)
    assert num(big) == "≈0.333333"
    assert decimal(Fraction(2, 3), 3) == "0.667" and decimal(Fraction(-1, 8), 2) == "-0.13"
    assert decimal(Fraction(10**30, 7)) == "1.42857e29"
