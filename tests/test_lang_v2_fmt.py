"""``verigroup fmt``: idempotent, keeps every comment, and the formatted
spec parses to the same AST (spans aside) -- on every bundled spec and on
the documentation's examples."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest

from verigroup.diagnostics import Span
from verigroup.syntax.fmt import format_spec
from verigroup.syntax.parser import parse_spec

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted(p for d in ("specs", "case_studies") for p in (ROOT / d).rglob("*.vg"))
FENCE = re.compile(r"^```vg\s*\n(.*?)^```", re.S | re.M)
DOC_EXAMPLES = [m.group(1) for m in FENCE.finditer((ROOT / "docs" / "language.md").read_text())]


def comments(text: str) -> list[str]:
    from verigroup.syntax.parser import _lark

    return [str(t) for t in _lark().lex(text, dont_ignore=True) if t.type == "COMMENT"]


def strip(x: Any) -> Any:
    """The AST without positions (spans also sit inside plain tuples)."""
    if isinstance(x, Span):
        return None
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return (type(x).__name__, tuple(strip(getattr(x, f.name)) for f in dataclasses.fields(x)
                                        if f.name != "source"))
    if isinstance(x, tuple):
        return tuple(strip(v) for v in x)
    return x


def check(text: str) -> str:
    out = format_spec(text)
    assert strip(parse_spec(out)) == strip(parse_spec(text))
    assert format_spec(out) == out
    assert comments(out) == comments(text)
    return out


@pytest.mark.parametrize("spec", SPECS, ids=[str(p.relative_to(ROOT)) for p in SPECS])
def test_bundled_specs(spec: Path) -> None:
    check(spec.read_text())


@pytest.mark.parametrize("k", range(len(DOC_EXAMPLES)))
def test_language_reference_examples(k: int) -> None:
    check(DOC_EXAMPLES[k])


def test_canonical_layout() -> None:
    messy = ("game   g   # a game\n\n\n\nparam r=8/5\nparam k = - 2\n"
             "agents a[ 1 .. 3 ] :actions x=1,y = -1\n"
             "payoff a[i]=r*value( a[i] )+  k^ 2\n"
             "          -count(j:a[j]==x)\n"
             "property \"p\" :  not(nash all x)and exists nash\n")
    assert check(messy) == ("game g  # a game\n\nparam r = 8/5\nparam k = -2\n"
                            "agents a[1..3]: actions x = 1, y = -1\n"
                            "payoff a[i] = r * value(a[i]) + k ^ 2\n"
                            "    - count(j: a[j] == x)\n"
                            "property \"p\": not (nash all x) and exists nash\n")


def test_protocol_blocks_are_reindented_by_level() -> None:
    src = ("game g\nagents a, b\nprotocol:\n  repeat 2 rounds:\n        a chooses x, y\n"
           "        b chooses x, y sees nothing\npayoff a = 1\npayoff b = 1\n")
    assert check(src) == ("game g\nagents a, b\nprotocol:\n    repeat 2 rounds:\n        a chooses x, y\n"
                          "        b chooses x, y sees nothing\npayoff a = 1\npayoff b = 1\n")


def test_cli_check_write_and_print(tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "s.vg"
    spec.write_text("game g\nagents a,b: actions x,y\npayoff a=1\npayoff b=1\n")
    res = cli("fmt", "--check", str(spec))
    assert res.code == 1 and "would reformat" in res.out
    res = cli("fmt", str(spec))
    assert res.code == 0 and res.out == "game g\nagents a, b: actions x, y\npayoff a = 1\npayoff b = 1\n"
    assert cli("fmt", "--write", str(spec)).code == 0
    assert cli("fmt", "--check", str(spec)).code == 0


def test_cli_refuses_a_bad_spec(tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "bad.vg"
    spec.write_text("game g\nagents a b: actions x\n")
    res = cli("fmt", str(spec))
    assert res.code == 2 and "bad.vg:2:" in res.err


def test_hyphenated_axiom_names_stay_tight() -> None:
    """An election's axiom names are written `condorcet-loser`; the
    formatter keeps a `-` written tight between two names as it is (it used
    to print `condorcet - loser`), and still spaces a spaced subtraction."""
    src = Path("case_studies/judge_ensemble/judges.vg").read_text(encoding="utf-8")
    out = format_spec(src)
    assert "condorcet-loser" in src and "condorcet-loser" in out and "condorcet - loser" not in out
    assert format_spec("game g\nparam a = 1\nparam b = a-1\nparam c = a  -  b\n").splitlines()[2:] == [
        "param b = a - 1", "param c = a - b"]


def test_a_division_is_spaced_and_a_fraction_literal_tight() -> None:
    out = format_spec("game g\nparam c = 1\nparam d = c/2 + 8 / 5\n")
    assert out.splitlines()[2] == "param d = c / 2 + 8/5"
