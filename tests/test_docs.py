"""Every example in README.md and docs/ runs.

* ```vg blocks are complete specs: they must parse and check without error.
* ```console blocks hold `$ verigroup ...` commands followed by their exact
  expected output; each is run in-process from the repository root and its
  output compared (trailing spaces ignored).  A line `# exit N` after the
  output states the expected exit code.
* ```python blocks run as-is from the repository root.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

import verigroup

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w+)\s*\n(.*?)^```", re.S | re.M)


def blocks(lang: str) -> list[tuple[str, int, str]]:
    out = []
    for doc in DOCS:
        text = doc.read_text()
        for m in FENCE.finditer(text):
            if m.group(1) == lang:
                line = text[: m.start()].count("\n") + 1
                out.append((f"{doc.relative_to(ROOT)}:{line}", line, m.group(2)))
    return out


@pytest.mark.parametrize("where,line,body", blocks("vg"), ids=[b[0] for b in blocks("vg")])
def test_vg_examples_check(where: str, line: int, body: str) -> None:
    model = verigroup.parse(body, where)
    report = model.check(timeout=60)
    assert all(r.verdict.value in ("HOLDS", "VIOLATED", "UNKNOWN") for r in report.results)


def _console_cases() -> list[tuple[str, list[str], str, int | None]]:
    cases = []
    for where, _, body in blocks("console"):
        cmd: list[str] | None = None
        expected: list[str] = []
        code: int | None = None
        for raw in body.splitlines() + ["$ "]:
            if raw.startswith("$ "):
                if cmd:
                    cases.append((where, cmd, "\n".join(expected).rstrip(), code))
                cmd = shlex.split(raw[2:])[1:] if raw[2:].strip() else None
                expected, code = [], None
            elif (m := re.match(r"^# exit (\d+)$", raw)):
                code = int(m.group(1))
            else:
                expected.append(raw.rstrip())
    return cases


@pytest.mark.parametrize("where,argv,expected,code", _console_cases(),
                         ids=[f"{c[0]}:{' '.join(c[1])[:40]}" for c in _console_cases()])
def test_console_examples(cli, where: str, argv: list[str], expected: str, code: int | None) -> None:
    res = cli(*argv)
    got = "\n".join(l.rstrip() for l in (res.out + res.err).splitlines()).rstrip()
    assert got == expected, f"{where}: `verigroup {' '.join(argv)}` printed:\n{got}"
    if code is not None:
        assert res.code == code


@pytest.mark.parametrize("where,line,body", blocks("python"), ids=[b[0] for b in blocks("python")])
def test_python_examples(where: str, line: int, body: str) -> None:
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        exec(compile(body, where, "exec"), {"__name__": "__doc_example__"})
    finally:
        os.chdir(old)


def test_readme_first_spec_verdicts_match_its_prose() -> None:
    # README: "free-riding dominates" HOLDS, the other two VIOLATED.
    where, _, body = next(b for b in blocks("vg") if b[0].startswith("README.md"))
    report = verigroup.parse(body, where).check()
    assert [r.verdict.value for r in report.results] == ["HOLDS", "VIOLATED", "VIOLATED"]
