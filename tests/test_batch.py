"""``verigroup check SPEC… --jobs N``: many specs through the sweep executors
(issue 13), identical output to the serial run in every format, errors
reported in the order the specs were given."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from verigroup.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
SPECS = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "specs").glob("*.vg"))][:6]


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", ["json", "text", "sarif"])
def test_parallel_check_is_identical_to_serial(fmt: str) -> None:
    serial = run_cli("check", *SPECS, "--format", fmt)
    par = run_cli("check", *SPECS, "--format", fmt, "--jobs", "2")
    assert serial == par
    assert serial[0] == 1  # the bundled specs show violations


def test_bad_spec_in_a_batch_is_reported_in_order(tmp_path: Path) -> None:
    bad = tmp_path / "bad.vg"
    bad.write_text("game g\nagents a, b: actions x, y\npayoff a = 1 +\npayoff b = 1\n")
    serial = run_cli("check", SPECS[0], str(bad), SPECS[1])
    par = run_cli("check", SPECS[0], str(bad), SPECS[1], "--jobs", "2")
    assert serial == par
    assert par[0] == 2 and "bad.vg:3:" in par[2]


def test_jobs_must_be_positive() -> None:
    code, out, err = run_cli("check", SPECS[0], "--jobs", "0")
    assert code == 2 and "at least 1" in err
