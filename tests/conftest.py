from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

settings.register_profile("ci", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


class CliResult:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out[:400]!r}, err={self.err[:400]!r})"


@pytest.fixture
def cli():
    """Run the CLI in-process: cli("check", "specs/x.vg") -> CliResult."""
    from verigroup.cli.main import main

    def run(*argv: str, cwd: Path = ROOT) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        old = os.getcwd()
        os.chdir(cwd)
        try:
            code = main(list(argv), out, err)
        finally:
            os.chdir(old)
        return CliResult(code, out.getvalue(), err.getvalue())

    return run
