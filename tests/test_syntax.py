"""Parser: AST shapes, spans, precedence, layout, exact numbers."""

from __future__ import annotations

from fractions import Fraction

import pytest

from verigroup.diagnostics import SpecError
from verigroup.syntax import ast as A
from verigroup.syntax import parse_spec


def expr_of(src: str) -> A.Expr:
    spec = parse_spec(f"game g\nparam x = {src}\n", "t.vg")
    decl = spec.statements[1]
    assert isinstance(decl, A.ParamDecl)
    return decl.value


def test_decimal_is_exact() -> None:
    e = expr_of("0.1")
    assert isinstance(e, A.ENum) and e.value == Fraction(1, 10)


def test_precedence_mul_over_add_and_pow_right_assoc() -> None:
    e = expr_of("1 + 2 * 3 ^ 2 ^ 2")
    assert isinstance(e, A.EBinary) and e.op == "+"
    mul = e.right
    assert isinstance(mul, A.EBinary) and mul.op == "*"
    pw = mul.right
    assert isinstance(pw, A.EBinary) and pw.op == "^" and isinstance(pw.right, A.EBinary)


def test_unary_minus_binds_looser_than_power() -> None:
    e = expr_of("-2 ** 2")  # Python: -(2**2)
    assert isinstance(e, A.EUnary) and isinstance(e.operand, A.EBinary) and e.operand.op == "^"


def test_left_associative_minus() -> None:
    e = expr_of("5 - 2 - 1")
    assert isinstance(e, A.EBinary) and isinstance(e.left, A.EBinary) and e.left.op == "-"


def test_conditional_is_lowest() -> None:
    e = expr_of("1 + 2 if true or false else 3")
    assert isinstance(e, A.ECond)
    assert isinstance(e.then, A.EBinary) and e.then.op == "+"
    assert isinstance(e.cond, A.EBinary) and e.cond.op == "or"


def test_spans_line_and_column() -> None:
    spec = parse_spec("game g\nagents a[1..3]:\n    actions x, y\npayoff a[i] = 1\n    + 2\n", "s.vg")
    ag = spec.statements[1]
    assert isinstance(ag, A.AgentsDecl)
    assert ag.span.line == 2 and ag.span.column == 1 and ag.span.end_line == 3
    assert ag.actions[1][1].line == 3 and ag.actions[1][1].column == 16
    pay = spec.statements[2]
    assert isinstance(pay, A.PayoffDecl) and pay.span.end_line == 5
    assert pay.expr.span.line == 4 and pay.expr.span.column == 15


def test_layout_newlines_in_brackets_and_tabs() -> None:
    spec = parse_spec("game g\nprofile p = {\na: x,\n\tb: y}\nparam n = (1 +\n2)\n", "t.vg")
    assert len(spec.statements) == 3


def test_aggregate_forms() -> None:
    e = expr_of("sum(j in 1..n if j > 1: j)")
    assert isinstance(e, A.EAggregate) and e.filter is not None and e.lo is not None
    e = expr_of("count(j: j)")
    assert isinstance(e, A.EAggregate) and e.lo is None and e.hi is None


def test_property_forms_parse() -> None:
    src = """game g
property "a": strictly dominant(a[i], x) for all i for r in [0, 1]
property "b": for some mixed nash p: w(p) > 0
property "c": unique coarse_correlated
property "d": nash all x
property "e": immune(p, adversaries = 1, w >= 2)
"""
    spec = parse_spec(src, "t.vg")
    props = [s for s in spec.statements if isinstance(s, A.PropertyDecl)]
    assert isinstance(props[0].body, A.PTerm) and props[0].body.strength == "strictly"
    assert props[0].body.forall == "i" and props[0].region is not None
    assert isinstance(props[1].body, A.PQuant) and props[1].body.concept.concept == "mixed_nash"
    assert isinstance(props[2].body, A.PExists) and props[2].body.unique
    assert isinstance(props[3].body, A.PNash) and isinstance(props[3].body.profile, A.EAllProfile)
    call = props[4].body.expr  # type: ignore[union-attr]
    assert isinstance(call, A.ECall) and isinstance(call.args[1], A.EKwarg)


@pytest.mark.parametrize("src,code,words", [
    ("game g\npayoff a = 1 +", "E002", "expected an expression"),
    ("game g\nproperty \"x\" nash p\n", "E001", "expected ':' after the property name"),
    ("game g\nproperty x: nash p\n", "E001", "double quotes"),
    ("game g\npaypff a = 1\n", "E001", "unknown statement"),
    ("game g\nagents a b: actions x\n", "E001", "expected ':' after the agent list"),
    ("game g \"abc\n", "E001", "unterminated string"),
    ("game g\nparam x = (1\n", "E002", "unclosed '('"),
    ("", "E006", "empty"),
])
def test_friendly_syntax_errors(src: str, code: str, words: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec(src, "t.vg")
    d = info.value.diagnostics[0]
    assert d.code == code and words in d.message + (d.hint or "")


def test_keyword_typo_hint() -> None:
    with pytest.raises(SpecError) as info:
        parse_spec("game g\npropery \"x\": exists nash\n", "t.vg")
    assert info.value.diagnostics[0].hint == "did you mean `property`?"


def test_size_limit() -> None:
    with pytest.raises(SpecError) as info:
        parse_spec("game g\n" + "#" * 2_000_001, "t.vg")
    assert info.value.diagnostics[0].code == "E007"


def test_converter_errors_show_the_source_line_and_caret() -> None:
    """Errors raised while converting the parse tree (not by lark) carry the
    spec text too, so they render with the line and a caret like the rest."""
    from verigroup.diagnostics import SpecError
    from verigroup.syntax.parser import parse_spec

    text = ("game g\nparam c = 1\nagents a, b: actions x, y\npayoff a = 1\npayoff b = 1\n"
            'curve "k" ovr c in 0..2: s = value(a)\n')
    with pytest.raises(SpecError) as ei:
        parse_spec(text, "cv.vg")
    shown = ei.value.render()
    assert shown.splitlines()[0].startswith("cv.vg:6:11: error[E001]")
    assert 'curve "k" ovr c in 0..2' in shown and "^^^" in shown
