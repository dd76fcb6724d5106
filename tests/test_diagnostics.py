"""Rendering of diagnostics: position, caret under the right character."""

from __future__ import annotations

from verigroup.diagnostics import Diagnostic, Span


def _caret_char(rendered: str) -> str:
    lines = rendered.splitlines()
    src, caret = lines[1], lines[2]
    return src[caret.index("^")]


def test_caret_points_at_column() -> None:
    src = "game g\npayoff x = 1 + zz\n"
    d = Diagnostic("E101", "undefined name `zz`", Span("f.vg", 2, 16, 2, 18))
    out = d.render(src)
    assert out.splitlines()[0] == "f.vg:2:16: error[E101]: undefined name `zz`"
    assert _caret_char(out) == "z" and out.splitlines()[2].count("^") == 2


def test_long_line_window_keeps_caret_on_target() -> None:
    for col_term in (5, 60, 299):
        terms = ["1"] * 300
        terms[col_term] = "Q"
        line = "payoff x = " + " + ".join(terms)
        col = line.index("Q") + 1
        out = Diagnostic("E101", "undefined", Span("f.vg", 1, col, 1, col + 1)).render(line)
        assert len(out.splitlines()[1]) <= 4 + 102
        assert _caret_char(out) == "Q"


def test_hint_and_json() -> None:
    d = Diagnostic("E104", "unknown action", Span("f.vg", 3, 1), hint="did you mean `contribute`?")
    assert d.render("a\nb\nc").splitlines()[-1] == "  hint: did you mean `contribute`?"
    assert d.to_json()["line"] == 3


def test_an_error_without_a_position_names_its_option_or_the_program() -> None:
    from verigroup.diagnostics import Diagnostic, Span

    assert str(Span("--lever", 0, 0)) == "--lever"
    assert str(Span()) == "verigroup"
    assert str(Span("<spec>", 0, 0)) == "verigroup"
    assert str(Span("a.vg", 3, 7)) == "a.vg:3:7"
    assert Diagnostic("E401", "unrecognized arguments: b").render().startswith("verigroup: error[E401]")
