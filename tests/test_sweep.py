"""Sweeps (issue 13): grids, the verdict map against closed-form boundaries,
identical results on every backend, the content cache, bad input.

The boundary facts used here are derived by hand, not read off verigroup:
in the linear public goods game with n agents, withholding is strictly
dominant exactly when r < n (contributing changes one's own payoff by
r*c/n - c); everyone contributing is a Nash equilibrium exactly when r >= n.
"""

from __future__ import annotations

import io
import json
from fractions import Fraction
from pathlib import Path

import pytest

from verigroup.cli.main import main
from verigroup.diagnostics import SpecError
from verigroup.runtime.executors import ProcessExecutor, SerialExecutor
from verigroup.sweeps import build_grid, sweep
from verigroup.sweeps.cache import ResultCache

ROOT = Path(__file__).resolve().parent.parent
PG = ROOT / "specs" / "public_goods.vg"

SMALL = """\
game pg
param n = 3
param r = 2
agents a[1..n]: actions contribute, withhold
payoff a[i] = r * count(j: a[j] == contribute) / n - (1 if a[i] == contribute else 0)
property "free-riding dominates": strictly dominant(a[i], withhold) for all i
property "cooperation is stable": nash all contribute
"""


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def closed_form(n: Fraction, r: Fraction) -> dict[str, str]:
    return {"free-riding dominates": "HOLDS" if r < n else "VIOLATED",
            "cooperation is stable": "HOLDS" if r >= n else "VIOLATED"}


# ------------------------------------------------------------------- grids


def test_grid_ranges_are_exact_and_ordered() -> None:
    g = build_grid(["r=0:1:1/10", "n=2,4,3"])
    assert g.names == ("r", "n")
    assert len(g.points) == 11 * 3
    assert g.points[0] == (Fraction(0), Fraction(2))
    assert g.points[3] == (Fraction(1, 10), Fraction(2))  # first axis slowest
    assert g.points[-1] == (Fraction(1), Fraction(4))
    assert build_grid(["x=0.1:0.3:0.1"]).points == ((Fraction(1, 10),), (Fraction(2, 10),), (Fraction(3, 10),))


@pytest.mark.parametrize("axis,needle", [
    ("r=0:1:0", "step must be positive"),
    ("r=1:0:1/2", "is empty"),
    ("r=a:b", "not an exact number"),
    ("r", "expects NAME=LO:HI:STEP"),
    ("r=1:2:3:4", "LO:HI or LO:HI:STEP"),
    ("r=1/0", "divides by zero"),
])
def test_grid_errors(axis: str, needle: str) -> None:
    with pytest.raises(SpecError) as e:
        build_grid([axis])
    assert needle in e.value.render()


def test_huge_grid_refused_before_materialising() -> None:
    with pytest.raises(SpecError) as e:
        build_grid(["a=0:999:1", "b=0:999:1", "c=0:999:1"])
    msg = e.value.render()
    assert "1,000,000,000 points" in msg and "--refine" in msg


def test_duplicate_axis_refused() -> None:
    with pytest.raises(SpecError):
        build_grid(["r=0:1", "r=2:3"])


# ------------------------------------------------------------ verdict maps


def test_verdict_map_matches_closed_form_on_two_axes(tmp_path: Path) -> None:
    grid = build_grid(["n=2:4", "r=1:5:1/2"])
    res = sweep(SMALL, "pg.vg", grid)
    assert res.complete and len(res.points) == 3 * 9
    for pt in res.points:
        vals = dict(pt.params)
        assert dict(pt.verdicts) == closed_form(vals["n"], vals["r"]), vals


def test_refinement_brackets_the_closed_form_boundary() -> None:
    grid = build_grid(["r=1:6:1"])
    res = sweep(SMALL, "pg.vg", grid, refine=Fraction(1, 64))
    found = [b for b in res.boundaries if b.property == "free-riding dominates"]
    assert len(found) == 1
    b = found[0]
    # strict dominance holds for r < 3 and fails at r = 3: the bracket ends at 3
    assert b.lo < 3 <= b.hi and b.hi - b.lo <= Fraction(1, 64)
    assert (b.left, b.right, b.exact) == ("HOLDS", "VIOLATED", False)
    # every refined point agrees with the closed form too
    for pt in res.points:
        assert dict(pt.verdicts) == closed_form(Fraction(3), dict(pt.params)["r"])


def test_exact_boundary_from_the_z3_route() -> None:
    res = sweep(SMALL, "pg.vg", build_grid(["r=1:6:1"]), exact=True)
    exact = {b.property: b for b in res.boundaries if b.exact}
    assert "cooperation is stable" in exact, res.boundaries
    b = exact["cooperation is stable"]
    assert b.lo == b.hi == 3 and (b.left, b.right) == ("VIOLATED", "HOLDS") and b.holds_at is True


# --------------------------------------------------------------- backends


def _json(res: object) -> str:
    from verigroup.reports.jsonout import dumps

    return dumps(res.to_json(with_evidence=True))  # type: ignore[attr-defined]


def test_processes_give_byte_identical_results() -> None:
    grid = build_grid(["n=2:3", "r=1:4:1/2"])
    serial = _json(sweep(SMALL, "pg.vg", grid, executor=SerialExecutor()))
    ex = ProcessExecutor(2)
    try:
        par = _json(sweep(SMALL, "pg.vg", grid, executor=ex))
    finally:
        ex.close()
    assert serial == par


def _die_once(marker: str) -> int:
    import os

    p = Path(marker)
    if not p.exists():
        p.write_text("x")
        os._exit(3)  # the worker process dies mid-job
    return 7


def _always_die(_: object) -> int:
    import os

    os._exit(3)


def test_dead_worker_retried_then_reported(tmp_path: Path) -> None:
    ex = ProcessExecutor(2)
    try:
        got = dict(ex.run(_die_once, [str(tmp_path / "m")]))
        assert got == {0: ("ok", 7)}
        got = dict(ex.run(_always_die, [1]))
        assert got[0][0] == "failed" and "died" in got[0][1]
    finally:
        ex.close()


# ------------------------------------------------------------------ cache


def test_cache_hits_no_cache_identical_and_one_property_recomputed(tmp_path: Path) -> None:
    grid = build_grid(["r=1:4:1/2"])
    cache = ResultCache(tmp_path / "c")
    first = _json(sweep(SMALL, "pg.vg", grid, cache=cache))
    writes = cache.writes
    assert writes == 2 * len(grid.points)
    again = ResultCache(tmp_path / "c")
    assert _json(sweep(SMALL, "pg.vg", grid, cache=again)) == first
    assert again.hits == writes and again.writes == 0
    assert _json(sweep(SMALL, "pg.vg", grid, cache=None)) == first
    edited = SMALL.replace('nash all contribute', 'nash all withhold')
    third = ResultCache(tmp_path / "c")
    sweep(edited, "pg.vg", grid, cache=third)
    assert third.hits == len(grid.points)          # the untouched property
    assert third.writes == len(grid.points)        # only the edited one recomputed


def test_damaged_cache_entry_is_recomputed(tmp_path: Path) -> None:
    grid = build_grid(["r=1:2"])
    cache = ResultCache(tmp_path / "c")
    ref = _json(sweep(SMALL, "pg.vg", grid, cache=cache))
    for f in (tmp_path / "c").rglob("*.json"):
        doc = json.loads(f.read_text())
        doc["result"]["verdict"] = "VIOLATED" if doc["verdict"] == "HOLDS" else "HOLDS"
        doc["verdict"] = "garbage"
        f.write_text(json.dumps(doc))
    assert _json(sweep(SMALL, "pg.vg", grid, cache=ResultCache(tmp_path / "c"))) == ref


# -------------------------------------------------------------------- CLI


def test_cli_json_schema_and_exit(tmp_path: Path) -> None:
    spec = tmp_path / "pg.vg"
    spec.write_text(SMALL)
    code, out, err = run_cli("sweep", str(spec), "--param", "r=2:4:1", "--backend", "serial",
                             "--no-cache", "--format", "json")
    assert code == 1, err
    doc = json.loads(out)
    assert doc["schema"] == "verigroup.sweep/1"
    assert [p["params"] for p in doc["points"]] == [{"r": "2"}, {"r": "3"}, {"r": "4"}]
    assert doc["points"][0]["verdicts"] == closed_form(Fraction(3), Fraction(2))


@pytest.mark.parametrize("fmt", ["text", "csv", "markdown", "html"])
def test_cli_formats_render(tmp_path: Path, fmt: str) -> None:
    spec = tmp_path / "pg.vg"
    spec.write_text(SMALL)
    code, out, err = run_cli("sweep", str(spec), "--param", "r=2:4:1/2", "--param", "n=2,3",
                             "--backend", "serial", "--no-cache", "--refine", "1/4", "--format", fmt)
    assert code == 1, err
    assert "VIOLATED" in out and "HOLDS" in out
    if fmt == "html":
        assert out.count("data:image/png;base64,") == 2  # one map per property


@pytest.mark.parametrize("argv,needle", [
    (["--param", "q=0:1"], "no param `q`"),
    (["--param", "r=0:1", "--set", "n=2"], "not --set"),
    (["--param", "r=0:9:1/1000000", "--max-points", "1000"], "points; the limit is 1,000"),
    (["--param", "r=1:2", "--jobs", "0"], "--jobs must be at least 1"),
    (["--param", "r=1:2", "--refine", "0"], "positive resolution"),
])
def test_cli_bad_input_is_exit_2(tmp_path: Path, argv: list[str], needle: str) -> None:
    spec = tmp_path / "pg.vg"
    spec.write_text(SMALL)
    code, out, err = run_cli("sweep", str(spec), "--no-cache", *argv)
    assert code == 2 and needle in err, err


def test_spec_error_at_a_point_is_unknown_not_a_crash(tmp_path: Path) -> None:
    # n = 0 gives an empty family: the spec does not load at that point
    res = sweep(SMALL, "pg.vg", build_grid(["n=0,2"]))
    bad = [p for p in res.points if dict(p.params)["n"] == 0][0]
    assert set(bad.verdicts.values()) == {"UNKNOWN"}
    assert res.exit_code == 1  # n = 2 still shows the violation


# ----------------------------------------------------------------- Ctrl-C


def test_ctrl_c_keeps_partial_results_and_resume_completes(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    spec = tmp_path / "pg.vg"
    spec.write_text(SMALL)
    cache = tmp_path / "cache"
    argv = [sys.executable, "-m", "verigroup", "sweep", str(spec), "--param", "r=0:40:1/20",
            "--backend", "processes", "--jobs", "2", "--cache-dir", str(cache), "--format", "csv"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(cache.rglob("*.json"))) < 4:
        time.sleep(0.1)
    assert list(cache.rglob("*.json")), "no point finished within 60 s"
    proc.send_signal(signal.SIGINT)
    t0 = time.monotonic()
    out, err = proc.communicate(timeout=30)
    stopped = time.monotonic() - t0
    assert proc.returncode == 130, (proc.returncode, err)
    assert stopped < 5, stopped
    partial = len(list(cache.rglob("*.json")))
    total = 2 * 801
    assert 0 < partial < total
    assert out.startswith("r,free-riding dominates")  # what was found so far is printed
    # resume: only the missing entries are computed, and the map is complete
    code, out2, err2 = run_cli("sweep", str(spec), "--param", "r=0:40:1/20", "--backend", "serial",
                               "--cache-dir", str(cache), "--format", "csv")
    assert code == 1, err2
    assert len(list(cache.rglob("*.json"))) == total
    rows = out2.strip().splitlines()[1:]
    assert len(rows) == 801
    for row in rows:
        r, dom, coop = row.split(",")
        assert [dom, coop] == list(closed_form(Fraction(3), Fraction(r)).values())


def test_grid_files_json_and_csv(tmp_path: Path) -> None:
    from verigroup.sweeps import read_grid_file

    j = tmp_path / "g.json"
    j.write_text('{"points": [{"r": "5/2", "n": 3}, {"r": "1", "n": "2"}, {"r": "1", "n": 2}]}')
    c = tmp_path / "g.csv"
    c.write_text("# comment\nn,r\n3,5/2\n2,1\n")
    gj, gc = read_grid_file(str(j)), read_grid_file(str(c))
    assert gj == gc  # duplicates merged, ordered by values
    assert gj.names == ("n", "r") and gj.points == ((Fraction(2), Fraction(1)), (Fraction(3), Fraction(5, 2)))
    res = sweep(SMALL, "pg.vg", gj)
    for pt in res.points:
        vals = dict(pt.params)
        assert dict(pt.verdicts) == closed_form(vals["n"], vals["r"])
    bad = tmp_path / "bad.csv"
    bad.write_text("n,r\n3\n")
    with pytest.raises(SpecError) as e:
        read_grid_file(str(bad))
    assert "bad.csv:2:1" in e.value.render()
    with pytest.raises(SpecError):
        read_grid_file(str(tmp_path))  # a directory is not a grid file


def test_property_filter(tmp_path: Path) -> None:
    spec = tmp_path / "pg.vg"
    spec.write_text(SMALL)
    code, out, err = run_cli("sweep", str(spec), "--param", "r=2:4", "--jobs", "1", "--no-cache",
                             "--property", "cooperation is stable", "--format", "csv")
    assert out.splitlines()[0] == "r,cooperation is stable", out
    code, out, err = run_cli("sweep", str(spec), "--param", "r=2:4", "--jobs", "1", "--no-cache",
                             "--property", "cooperation is stabel")
    assert code == 2 and "did you mean" in err.lower() or "cooperation is stable" in err
