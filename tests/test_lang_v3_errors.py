"""Language v2 (issue 8, LANG3): friction found re-reading the issue as a
new user -- an error found while checking (after the spec loaded) is shown
with its source line and caret, once; an argmax profile does not turn such
an error into UNKNOWN."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DZ = """game dz
agents a, b: actions x = 1, y = 2
payoff a = 1 / (value(a) - 1)
payoff b = 0
metric w = payoff(a)
profile best = argmax(w)
property "n": nash best
"""


@pytest.mark.parametrize("cmd", ["check", "solve"])
def test_an_evaluation_error_has_its_caret_once(cmd: str, tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "dz.vg"
    spec.write_text(DZ)
    res = cli(cmd, str(spec))
    assert res.code == 2, res
    assert res.err.count("error[E201]") == 1, res.err
    lines = res.err.splitlines()
    k = next(i for i, ln in enumerate(lines) if "error[E201]" in ln)
    assert lines[k].startswith(f"{spec}:3:12:"), res.err
    assert lines[k + 1].strip() == "payoff a = 1 / (value(a) - 1)" and lines[k + 2].strip().startswith("^^^"), res.err


def test_no_source_is_invented_for_another_file(tmp_path: Path, cli: Any) -> None:
    # the error points into the spec named on the command line only
    from verigroup.cli.main import _with_source
    from verigroup.diagnostics import Diagnostic, SpecError, Span

    exc = SpecError([Diagnostic("E201", "boom", Span(str(tmp_path / "other.vg"), 1, 1))])
    class Args:
        specs = [str(tmp_path / "dz.vg")]
    assert _with_source(exc, Args()) is exc
