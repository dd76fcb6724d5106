"""The mutation / truncation campaign of tools/mutate.py (issue 15, item 3):
mutants of the bundled specs, Gambit files and JSON reports, run through the
CLI in-process (a forked copy per run) with a time cap and a memory cap.
The default suite runs a small seeded sample; the slow test runs it big.
No run may end in an internal error, a traceback, a hang, a crash or a
memory blow-up."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import mutate  # noqa: E402

BAD = ("internal", "traceback", "hang", "crash", "memory")


def failures(runs: int, seed: int, cap: float) -> list[str]:
    res = mutate.campaign(runs, seed, cap)
    assert len(res) == runs
    return [f"{r.outcome}: {r.kind} {r.source} [{r.mutation}] {' '.join(r.argv)}: {r.detail[-300:]}"
            for r in res if r.outcome in BAD]


def test_mutation_sample() -> None:
    assert failures(runs=10, seed=15, cap=30.0) == []


def test_classifier_sees_internal_errors_and_hangs(tmp_path: Path) -> None:
    """The campaign can fail: a run that ends in exit 4 or outlives its cap is
    reported as such (checked on the CLI's own usage error and a sleeping
    child, not on a mutant)."""
    outcome, code, _, _ = mutate.run_cli(["check", "--no-such-option"], str(tmp_path), 30.0)
    assert outcome == "ok" and code == 2
    outcome, code, secs, _ = mutate.run_cli(["__sleep__"], str(tmp_path), 0.5)
    assert outcome == "hang" and secs < 10


@pytest.mark.slow
def test_mutation_campaign_big() -> None:
    bad = failures(runs=400, seed=2026, cap=20.0)
    assert bad == [], "\n".join(bad[:20])
