"""Language v2 (issue 8): valued actions, ``let`` definitions and payoff
tables.  Each construct is checked against the same game written the old way
(nested ``if ... else``), and the Z3 route against the explicit route."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import verigroup
from verigroup.diagnostics import SpecError
from verigroup.model import expr as X
from verigroup.verdicts import Verdict

BERTRAND = """game duopoly "Bertrand on a price grid"
param cost = 1
agents firm1, firm2: actions p1 = 1, p2 = 2, p3 = 3, p4 = 4, p5 = 5
let demand(p) = 10 - p
let share(me, other) = 1 if value(me) < value(other) else (1/2 if value(me) == value(other) else 0)
let profit(me, other) = (value(me) - cost) * demand(value(me)) * share(me, other)
payoff firm1 = profit(firm1, firm2)
payoff firm2 = profit(firm2, firm1)
property "undercutting keeps profits low": for every nash p: payoff(firm1, p) <= 4
property "p2 is an equilibrium": nash all p2
property "p3 is not": not nash all p3
"""


def ladder(who: str, other: str, cost: int = 1) -> str:
    """The same profit written without values or definitions."""
    out = []
    for a in range(1, 6):
        for b in range(1, 6):
            share = Fraction(1) if a < b else (Fraction(1, 2) if a == b else Fraction(0))
            out.append((a, b, (a - cost) * (10 - a) * share))
    expr = "0"
    for a, b, v in reversed(out):
        expr = f"({v} if {who} == p{a} and {other} == p{b} else {expr})"
    return expr


def payoff_table(model: Any) -> dict[tuple[str, ...], tuple[Fraction, ...]]:
    g = model.game()
    return {tuple(g.actions[k][i] for k, i in enumerate(p)): g.payoff_vector(p)
            for p in itertools.product(*[range(len(a)) for a in g.actions])}


def test_valued_actions_and_definitions_match_the_if_else_ladder() -> None:
    new = verigroup.parse(BERTRAND)
    old = verigroup.parse("game duopoly\nagents firm1, firm2: actions p1, p2, p3, p4, p5\n"
                          f"payoff firm1 = {ladder('firm1', 'firm2')}\npayoff firm2 = {ladder('firm2', 'firm1')}\n")
    assert payoff_table(new) == payoff_table(old)


def test_valued_actions_stay_symbolic_in_the_ir() -> None:
    m = verigroup.parse(BERTRAND)
    from verigroup.resolve.context import walk

    nodes = list(walk(m.agents[0].payoff))
    assert any(isinstance(n, X.ActionIs) for n in nodes)
    assert any(isinstance(n, X.ParamRef) and n.name == "cost" for n in nodes)


@pytest.mark.parametrize("method", ["auto", "z3"])
def test_bertrand_verdicts_on_both_routes(method: str) -> None:
    res = verigroup.parse(BERTRAND).check(method=method).results
    assert {r.name: r.verdict for r in res} == {
        "undercutting keeps profits low": Verdict.HOLDS, "p2 is an equilibrium": Verdict.HOLDS,
        "p3 is not": Verdict.HOLDS}
    if method == "z3":
        assert all("z3" in r.method for r in res)


def test_action_values_may_use_params_and_follow_overrides() -> None:
    text = ("game g\nparam hi = 3\nagents a, b: actions low = 1, high = hi\n"
            "payoff a = value(a) * value(b)\npayoff b = value(b) - value(a)\n")
    m = verigroup.parse(text, overrides={"hi": "5"})
    g = m.game()
    assert g.payoff(0, (1, 1)) == 25 and g.payoff(1, (0, 1)) == 4


def test_many_valued_actions_build_a_shallow_expression() -> None:
    acts = ", ".join(f"q{k} = {k}" for k in range(300))
    m = verigroup.parse(f"game g\nagents a, b: actions {acts}\npayoff a = value(a) - value(b)\npayoff b = 0\n"
                        'property "c": max(w) == 299\nmetric w = payoff(a)\n')
    assert m.check().results[0].verdict is Verdict.HOLDS


PD_TABLE = """game pd
agents row, col: actions c, d
payoffs row, col:
    c: (3, 3), (0, 5)
    d: (5, 0), (1, 1)
"""


def test_payoff_table_equals_the_written_out_payoffs() -> None:
    m = verigroup.parse(PD_TABLE)
    g = m.game()
    assert [g.payoff_vector(p) for p in ((0, 0), (0, 1), (1, 0), (1, 1))] == [
        (3, 3), (0, 5), (5, 0), (1, 1)]


def test_tables_z3_and_explicit_agree() -> None:
    """A small sampled run in the default suite; the slow test samples more."""
    settings(max_examples=4, deadline=None)(given(st.integers(2, 3), st.integers(2, 3), st.data())(
        _tables_agree))()


@pytest.mark.slow
def test_tables_z3_and_explicit_agree_many() -> None:
    settings(max_examples=40, deadline=None)(given(st.integers(2, 4), st.integers(2, 4), st.data())(
        _tables_agree))()


def _tables_agree(nr: int, nc: int, data: Any) -> None:
    cells = [[(data.draw(st.integers(-3, 3)), data.draw(st.integers(-3, 3))) for _ in range(nc)]
             for _ in range(nr)]
    rows = "\n".join(f"    r{i}: " + ", ".join(f"({u}, {v})" for u, v in cells[i]) for i in range(nr))
    text = (f"game t\nagents row: actions {', '.join(f'r{i}' for i in range(nr))}\n"
            f"agents col: actions {', '.join(f'c{j}' for j in range(nc))}\n"
            f"payoffs row, col:\n{rows}\n"
            + "".join(f'property "n{i}{j}": nash {{row: r{i}, col: c{j}}}\n' for i in range(nr) for j in range(nc))
            + 'property "dom": weakly dominant(row, r0) or strictly dominant(col, c0)\n')
    m = verigroup.parse(text)
    g = m.game()
    for i in range(nr):
        for j in range(nc):
            assert g.payoff_vector((i, j)) == cells[i][j]
    explicit = {r.name: r.verdict for r in m.check().results}
    symbolic = {r.name: r.verdict for r in verigroup.parse(text).check(method="z3").results}
    assert explicit == symbolic
    for i in range(nr):
        for j in range(nc):
            stable = all(cells[i][j][0] >= cells[k][j][0] for k in range(nr)) and all(
                cells[i][j][1] >= cells[i][k][1] for k in range(nc))
            assert (explicit[f"n{i}{j}"] is Verdict.HOLDS) == stable


@pytest.mark.parametrize("body,code,words,line,col", [
    ("payoffs row, col:\n    c: (3, 3)\n    d: (5, 0), (1, 1)", "E103", "1 cell", 4, 5),
    ("payoffs row, col:\n    c: (3, 3), (0, 5)\n    x: (5, 0), (1, 1)", "E104", "not an action", 5, 5),
    ("payoffs row, col:\n    c: (3, 3), (0, 5)", "E108", "no row for d", 3, 1),
    ("payoffs row, col:\n    c: (3, 3), (0, 5)\n    c: (5, 0), (1, 1)\n    d: (1, 1), (1, 1)", "E102",
     "twice", 5, 5),
    ("payoffs row, bob:\n    c: (3, 3), (0, 5)", "E101", "undefined agent", 3, 14),
    ("let f(x) = g(x)\nlet g(x) = f(x)\npayoff row = f(1)\npayoff col = 1", "E106", "itself", 4, 12),
    ("let f(x) = x + 1\npayoff row = f(1, 2)\npayoff col = 1", "E103", "1 argument", 4, 14),
    ("let s = 1\npayoff row = s(2)\npayoff col = 1", "E103", "without parameters", 4, 14),
    ("let f(x, x) = x\npayoff row = 1\npayoff col = 1", "E102", "twice", 3, 10),
    ("let f(i) = sum(i in 1..2: i)\npayoff row = 1\npayoff col = 1", "E102", "index variable", 3, 7),
    ("payoff row = value(row)\npayoff col = 1", "E110", "carry no values", 3, 20),
    ("let row = 1\npayoff row = 1\npayoff col = 1", "E102", "already defined", 3, 5),
])
def test_definition_and_table_errors(body: str, code: str, words: str, line: int, col: int) -> None:
    with pytest.raises(SpecError) as info:
        verigroup.parse(f"game g\nagents row, col: actions c, d\n{body}\n")
    ds = [d for d in info.value.diagnostics if d.code == code]
    assert ds and words in ds[0].message + (ds[0].hint or ""), info.value.render()
    assert (ds[0].span.line, ds[0].span.column) == (line, col), info.value.render()
    if "bob" not in body:  # no "no payoff for ..." pile-up after a table or definition error
        assert not any(d.code == "E108" and d is not ds[0] for d in info.value.diagnostics), info.value.render()


def test_partly_valued_actions_are_an_error() -> None:
    with pytest.raises(SpecError) as info:
        verigroup.parse("game g\nagents a, b: actions x = 1, y\npayoff a = 1\npayoff b = 1\n")
    d = info.value.diagnostics[0]
    assert d.code == "E110" and (d.span.line, d.span.column) == (2, 29)


def test_runaway_expansion_is_refused() -> None:
    lets = "let f0(x) = x\n" + "".join(f"let f{k}(x) = f{k - 1}(x) + f{k - 1}(x)\n" for k in range(1, 20))
    with pytest.raises(SpecError) as info:
        verigroup.parse(f"game g\nagents a, b: actions x, y\n{lets}payoff a = f19(1)\npayoff b = 1\n")
    assert any(d.code == "E007" for d in info.value.diagnostics)


_VALUED = (st.lists(st.fractions(min_value=-3, max_value=3, max_denominator=3), min_size=2, max_size=3),
           st.lists(st.fractions(min_value=-3, max_value=3, max_denominator=3), min_size=2, max_size=3),
           st.integers(0, 2), st.fractions(min_value=0, max_value=2, max_denominator=2))


def test_valued_actions_z3_and_explicit_agree() -> None:
    """A small sampled run in the default suite; the slow test samples more."""
    settings(max_examples=4, deadline=None)(given(*_VALUED)(_valued_agree))()


@pytest.mark.slow
def test_valued_actions_z3_and_explicit_agree_many() -> None:
    settings(max_examples=40, deadline=None)(given(*_VALUED)(_valued_agree))()


def _valued_agree(va: list[Fraction], vb: list[Fraction], shape: int, k: Fraction) -> None:
    acts = lambda vs: ", ".join(f"x{i} = {v.numerator}/{v.denominator}" for i, v in enumerate(vs))  # noqa: E731
    body = ["value(me) * (k - value(other))", "value(me) - value(other) * value(other)",
            "value(me) if value(me) > value(other) else k * value(other)"][shape]
    text = (f"game v\nparam k = {k.numerator}/{k.denominator}\n"
            f"agents a: actions {acts(va)}\nagents b: actions {acts(vb)}\n"
            f"let u(me, other) = {body}\npayoff a = u(a, b)\npayoff b = u(b, a)\n"
            + "".join(f'property "n{i}{j}": nash {{a: x{i}, b: x{j}}}\n'
                      for i in range(len(va)) for j in range(len(vb)))
            + 'property "dom": (weakly dominant(a, x0)) or not (strictly dominant(b, x1))\n')
    m = verigroup.parse(text)
    g = m.game()
    u = {0: lambda me, o: me * (k - o), 1: lambda me, o: me - o * o,
         2: lambda me, o: me if me > o else k * o}[shape]
    for i, x in enumerate(va):
        for j, y in enumerate(vb):
            assert g.payoff_vector((i, j)) == (u(x, y), u(y, x))
    explicit = {r.name: r.verdict for r in m.check().results}
    symbolic = {r.name: r.verdict for r in verigroup.parse(text).check(method="z3").results}
    assert explicit == symbolic


AUCTION = """game first_price "First-price auction on a bid grid"
param n = 3
agents bidder[1..n]: actions zero = 0, one = 1, two = 2, three = 3
let valuation(i) = 4 if i == 1 else (3 if i == 2 else 2)
let highest = max(j in 1..n: value(bidder[j]))
let winners = count(j in 1..n: value(bidder[j]) == highest)
payoff bidder[i] = (valuation(i) - value(bidder[i])) / winners if value(bidder[i]) == highest else 0
metric revenue = highest
property "revenue at least 2 in every equilibrium": for every nash p: revenue(p) >= 2
property "some equilibrium gives bidder 1 at least 1": for some nash p: payoff(bidder[1], p) >= 1
"""


def test_definitions_rename_their_index_variables_apart() -> None:
    """`winners` uses `highest` inside an aggregate over j, and `highest`
    aggregates over j itself: the definition's j is renamed apart."""
    m = verigroup.parse(AUCTION)
    vals = {1: 4, 2: 3, 3: 2}
    g = m.game()

    def pay(prof: tuple[int, ...]) -> tuple[Fraction, ...]:
        hi = max(prof)
        w = sum(1 for b in prof if b == hi)
        return tuple(Fraction(vals[i + 1] - prof[i], w) if prof[i] == hi else Fraction(0) for i in range(3))

    profiles = list(itertools.product(range(4), repeat=3))
    for prof in profiles:
        assert g.payoff_vector(prof) == pay(prof)
    nash = [p for p in profiles if all(pay(p)[i] >= pay(p[:i] + (b,) + p[i + 1:])[i]
                                       for i in range(3) for b in range(4))]
    want = {"revenue at least 2 in every equilibrium": all(max(p) >= 2 for p in nash),
            "some equilibrium gives bidder 1 at least 1": any(pay(p)[0] >= 1 for p in nash)}
    explicit = {r.name: r.verdict for r in m.check().results}
    symbolic = {r.name: r.verdict for r in verigroup.parse(AUCTION).check(method="z3").results}
    assert explicit == symbolic == {k: Verdict.HOLDS if v else Verdict.VIOLATED for k, v in want.items()}


def test_three_player_table() -> None:
    rows = {("x", "x"): [(1, 1, 1), (0, 2, 0)], ("x", "y"): [(2, 0, 0), (0, 0, 3)],
            ("y", "x"): [(0, 3, 1), (1, 0, 2)], ("y", "y"): [(3, 3, 0), (2, 2, 2)]}
    body = "\n".join(f"    {a}, {b}: " + ", ".join(f"({u}, {v}, {w})" for u, v, w in cells)
                     for (a, b), cells in rows.items())
    text = ("game three\nagents a, b: actions x, y\nagent c: actions l, r\n"
            f"payoffs a, b, c:\n{body}\n"
            + "".join(f'property "n{i}{j}{k}": nash {{a: {i}, b: {j}, c: {k}}}\n'
                      for i in "xy" for j in "xy" for k in "lr"))
    m = verigroup.parse(text)
    g = m.game()
    for (i, a), (j, b), (k, c) in itertools.product(enumerate("xy"), enumerate("xy"), enumerate("lr")):
        assert g.payoff_vector((i, j, k)) == rows[(a, b)][k]
    explicit = {r.name: r.verdict for r in m.check().results}
    symbolic = {r.name: r.verdict for r in verigroup.parse(text).check(method="z3").results}
    assert explicit == symbolic and Verdict.HOLDS in explicit.values()


@pytest.mark.parametrize("rows,words", [
    ("    x: (1, 1, 1), (0, 0, 0)", "needs one for each"),
    ("    x, x: (1, 1), (0, 0, 0)", "2 payoff(s)"),
])
def test_three_player_table_errors(rows: str, words: str) -> None:
    with pytest.raises(SpecError) as info:
        verigroup.parse(f"game t\nagents a, b: actions x, y\nagent c: actions l, r\npayoffs a, b, c:\n{rows}\n")
    d = next(d for d in info.value.diagnostics if d.code == "E103")
    assert words in d.message and d.span.line == 5
