"""value(AGENT): the exact value of a two-agent constant-sum game (issue 14).

The value is re-derived independently here by exact support enumeration
(square equalising systems in Fractions, every candidate checked as a
saddle point), on seeded random and degenerate matrices."""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest

from verigroup.analyses.zerosum_value import certify, normal_form_value, solve_matrix
from verigroup.api import check_model, parse
from verigroup.diagnostics import SpecError
from verigroup.model.game import NormalFormGame
from verigroup.verdicts import Verdict

F = Fraction


def _solve(rows: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    n = len(rows)
    a = [r[:] + [b] for r, b in zip(rows, rhs)]
    for col in range(n):
        piv = next((r for r in range(col, n) if a[r][col] != 0), None)
        if piv is None:
            return None
        a[col], a[piv] = a[piv], a[col]
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col] / a[col][col]
                a[r] = [x - f * y for x, y in zip(a[r], a[col])]
    return [a[i][n] / a[i][i] for i in range(n)]


def reference_value(a: list[list[Fraction]]) -> Fraction:
    """Value of the matrix game by support enumeration (row maximises)."""
    m, n = len(a), len(a[0])
    for k in range(1, min(m, n) + 1):
        for rs in itertools.combinations(range(m), k):
            for cs in itertools.combinations(range(n), k):
                # x on rs equalises the columns cs; y on cs equalises the rows rs
                sx = _solve([[a[i][j] for i in rs] + [F(-1)] for j in cs] + [[F(1)] * k + [F(0)]],
                            [F(0)] * k + [F(1)])
                sy = _solve([[a[i][j] for j in cs] + [F(-1)] for i in rs] + [[F(1)] * k + [F(0)]],
                            [F(0)] * k + [F(1)])
                if sx is None or sy is None:
                    continue
                x = [F(0)] * m
                y = [F(0)] * n
                for i, v in zip(rs, sx):
                    x[i] = v
                for j, v in zip(cs, sy):
                    y[j] = v
                if min(x) < 0 or min(y) < 0:
                    continue
                lo = min(sum((x[i] * a[i][j] for i in range(m)), F(0)) for j in range(n))
                hi = max(sum((a[i][j] * y[j] for j in range(n)), F(0)) for i in range(m))
                if lo == hi:
                    return lo
    raise AssertionError("no saddle point found")


def _from_spec(a: list[list[Fraction]], total: Fraction) -> NormalFormGame:
    m, n = len(a), len(a[0])
    lines = [f"game g\nagents row: actions {', '.join(f'r{i}' for i in range(m))}",
             f"agents col: actions {', '.join(f'c{j}' for j in range(n))}", "payoffs row, col:"]
    for i in range(m):
        lines.append(f"    r{i}: " + ", ".join(f"({a[i][j]}, {total - a[i][j]})" for j in range(n)))
    from verigroup.evaluate import materialize

    return materialize(parse("\n".join(lines) + "\n"))


def _matrices(seed: int) -> list[list[list[Fraction]]]:
    rnd = random.Random(seed)
    out = []
    for _ in range(12):
        m, n = rnd.randint(1, 4), rnd.randint(1, 4)
        a = [[F(rnd.randint(-3, 3), rnd.choice([1, 1, 2, 3])) for _ in range(n)] for _ in range(m)]
        out.append(a)
    # degenerate: duplicated rows, a constant game, a zero row, a pure saddle
    out.append([[F(1), F(-1)], [F(1), F(-1)], [F(-1), F(1)]])
    out.append([[F(2)] * 3 for _ in range(3)])
    out.append([[F(0), F(0)], [F(3), F(-2)]])
    out.append([[F(4), F(2)], [F(1), F(0)]])
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_value_matches_support_enumeration(seed: int) -> None:
    for a in _matrices(seed):
        total = F(seed)
        g = _from_spec(a, total)
        ref = reference_value(a)
        gv = normal_form_value(g, "row")
        assert gv.value == ref, (a, gv.value, ref)
        # the opponent's value is the constant minus ours
        assert normal_form_value(g, "col").value == total - ref
        x = [gv.strategy.get(f"r{i}", F(0)) for i in range(len(a))]
        y = [gv.opponent_strategy.get(f"c{j}", F(0)) for j in range(len(a[0]))]
        assert certify(a, x, y) == ref


def test_solver_certifies_or_refuses() -> None:
    a = [[F(1), F(-1)], [F(-1), F(1)]]
    v, x, y, _ = solve_matrix(a)
    assert v == 0 and x == [F(1, 2), F(1, 2)] and y == [F(1, 2), F(1, 2)]


PENNIES = """game pennies
param w = 2
agents row, col: actions heads, tails
payoffs row, col:
    heads: (w, -w), (-1, 1)
    tails: (-1, 1), (1, -1)
property "positive": value(row) >= 1/5
property "too high": value(row) > 1/5
property "col loses": value(col) == -1/5 and value(row) <= 1
"""


def test_value_properties_verdicts_and_evidence() -> None:
    rep = check_model(parse(PENNIES))
    by = {r.name: r for r in rep.results}
    assert by["positive"].verdict is Verdict.HOLDS
    assert by["too high"].verdict is Verdict.VIOLATED
    assert by["col loses"].verdict is Verdict.HOLDS
    ev = by["too high"].evidence
    assert ev["kind"] == "game_value" and ev["value"] == "1/5" and ev["total"] == "0"
    assert ev["strategies"]["row"] == {"heads": "2/5", "tails": "3/5"}


def test_value_replays(tmp_path: Path) -> None:
    from verigroup.cli.main import main
    import io

    spec = tmp_path / "p.vg"
    spec.write_text(PENNIES)
    out = tmp_path / "r.json"
    assert main(["check", str(spec), "--format", "json", "-o", str(out)], io.StringIO(), io.StringIO()) == 1
    buf = io.StringIO()
    assert main(["replay", str(out)], buf, io.StringIO()) == 0, buf.getvalue()
    # a tampered value is caught
    doc = json.loads(out.read_text())
    doc["reports"][0]["properties"][0]["evidence"]["value"] = "1/4"
    out.write_text(json.dumps(doc))
    buf = io.StringIO()
    assert main(["replay", str(out)], buf, io.StringIO()) != 0
    assert "1/4" in buf.getvalue()


def test_not_constant_sum_is_a_positioned_error() -> None:
    text = ("game g\nagents row, col: actions a, b\npayoff row = 1 if row == col else 0\n"
            "payoff col = 1 if row == a else 0\nproperty \"v\": value(row) >= 1/2\n")
    with pytest.raises(SpecError) as ei:
        check_model(parse(text, "g.vg"))
    d = ei.value.diagnostics[0]
    assert d.code == "E110" and d.span.line == 5
    assert "{row: a, col: a}" in d.message and "{row: a, col: b}" in d.message


@pytest.mark.parametrize("body,code", [
    ("value(row, col) >= 1", "E103"),
    ("value(nobody) >= 1", "E101"),
    ("value(row) >= value(col)", "E110"),
])
def test_bad_value_terms(body: str, code: str) -> None:
    with pytest.raises(SpecError) as ei:
        parse(PENNIES.split("property")[0] + f'property "x": {body}\n')
    assert ei.value.diagnostics[0].code == code


def test_three_agents_refused() -> None:
    text = ("game g\nagents a, b, c: actions x, y\npayoff a = 1\npayoff b = -1\npayoff c = 0\n"
            "property \"v\": value(a) >= 0\n")
    with pytest.raises(SpecError) as ei:
        check_model(parse(text))
    assert "3 agents" in ei.value.diagnostics[0].message


def test_protocol_value() -> None:
    # matching pennies as a protocol: the second mover does not see the first
    text = ("game mp\nagents row, col\nprotocol:\n    row chooses heads, tails\n"
            "    col chooses heads, tails sees nothing\n"
            "payoff row = 1 if row == col else -1\npayoff col = -1 if row == col else 1\n"
            "property \"zero\": value(row) == 0\n")
    rep = check_model(parse(text))
    assert rep.results[0].verdict is Verdict.HOLDS
    # perfect information: col sees row and wins, value(row) = -1, value(col) = 1
    seen = text.replace(" sees nothing", "").replace("value(row) == 0", "value(col) == 1")
    rep = check_model(parse(seen))
    assert rep.results[0].verdict is Verdict.HOLDS, rep.results[0].message
