"""Golden tests for the bundled specs and case studies.

Each spec states its expected verdicts in comments::

    # expect: free-riding dominates = HOLDS

and this test checks exactly those (and that every property has one)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import verigroup

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted([*ROOT.glob("specs/*.vg"), *ROOT.glob("specs/protocols/*.vg"), *ROOT.glob("case_studies/*/*.vg")])
EXPECT = re.compile(r"^#\s*expect:\s*(.+?)\s*=\s*(HOLDS|VIOLATED|UNKNOWN)\s*$")


def expectations(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        m = EXPECT.match(line.strip())
        if m:
            out[m.group(1).strip().strip('"')] = m.group(2)
    return out


def test_corpus_is_large_enough() -> None:
    assert len(list(ROOT.glob("specs/*.vg"))) >= 12


@pytest.mark.parametrize("path", SPECS, ids=lambda p: str(p.relative_to(ROOT)))
def test_expected_verdicts(path: Path) -> None:
    expected = expectations(path)
    report = verigroup.check(path, timeout=60)
    got = {r.name: r.verdict.value for r in report.results}
    assert expected, f"{path} states no `# expect:` lines"
    assert set(got) == set(expected), (sorted(got), sorted(expected))
    assert got == expected, {k: (got[k], expected[k]) for k in got if got[k] != expected[k]}
