"""case_studies/judge_ensemble/README.md: every console block runs with the
printed output, and the table of manipulation probabilities is what the
tool computes."""

from __future__ import annotations

import re
import shlex
from fractions import Fraction
from pathlib import Path

import pytest

from verigroup.elections import audit

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "case_studies" / "judge_ensemble" / "README.md"
FENCE = re.compile(r"^```console\s*\n(.*?)^```", re.S | re.M)


def _cases() -> list[tuple[list[str], str, int]]:
    out = []
    for m in FENCE.finditer(README.read_text()):
        lines = m.group(1).splitlines()
        argv = shlex.split(lines[0][2:])[1:]
        code = int(lines[-1].split()[-1])
        out.append((argv, "\n".join(lines[1:-1]).rstrip(), code))
    return out


@pytest.mark.parametrize("argv,expected,code", _cases(), ids=[" ".join(c[0][:3]) for c in _cases()])
def test_readme_commands(cli, argv: list[str], expected: str, code: int) -> None:  # type: ignore[no-untyped-def]
    res = cli(*argv)
    got = "\n".join(line.rstrip() for line in (res.out + res.err).splitlines()).rstrip()
    assert got == expected
    assert res.code == code


def _table() -> dict[str, list[str]]:
    rows = {}
    for line in README.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in ("plurality", "borda", "copeland", "maximin", "irv", "kemeny", "approval"):
            rows[cells[0]] = cells[1:]
    return rows


def _frac(cell: str) -> Fraction:
    if cell in ("never", "holds"):
        return Fraction(0)
    m = re.fullmatch(r"fails \((.*)\)", cell)
    return Fraction(m.group(1) if m else cell.split()[0])


def _check_column(n: int, col: int) -> None:
    table = _table()
    assert len(table) == 7
    for rule, cells in table.items():
        res = {r.axiom: r for r in audit(rule, n, 4, ("strategyproofness", "condorcet-loser", "pareto"),
                                         exact=True, measure=True).results}
        assert _frac(cells[col]) == Fraction(res["strategyproofness"].measure["impartial_culture_probability"])  # type: ignore[index]
        if n == 3:
            assert _frac(cells[2]) == Fraction(res["condorcet-loser"].measure["impartial_culture_probability"])  # type: ignore[index]
            assert _frac(cells[3]) == Fraction(res["pareto"].measure["impartial_culture_probability"])  # type: ignore[index]
    best = min(table, key=lambda r: _frac(table[r][col]))
    assert best == "irv"


def test_table_three_judges() -> None:
    _check_column(3, 0)


@pytest.mark.slow
def test_table_five_judges() -> None:
    _check_column(5, 1)
