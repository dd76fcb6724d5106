"""Sweeps on Dask: a real LocalCluster, and a real scheduler plus two workers
started as separate processes; both must give byte-identical JSON to the
serial run.  An unreachable scheduler is a clear error within seconds."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="the dask extra is part of the test install")

from verigroup.cli.main import main  # noqa: E402

SPEC = """\
game pg
param n = 3
param r = 2
agents a[1..n]: actions contribute, withhold
payoff a[i] = r * count(j: a[j] == contribute) / n - (1 if a[i] == contribute else 0)
property "free-riding dominates": strictly dominant(a[i], withhold) for all i
property "cooperation is stable": nash all contribute
property "unique": unique nash
"""


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def spec(tmp_path: Path) -> Path:
    p = tmp_path / "pg.vg"
    p.write_text(SPEC)
    return p


ARGS = ("--param", "r=1:5:1/2", "--param", "n=2,3", "--no-cache", "--format", "json", "--evidence")


def test_local_cluster_matches_serial(spec: Path) -> None:
    c1, serial, e1 = run_cli("sweep", str(spec), "--backend", "serial", *ARGS)
    c2, dask, e2 = run_cli("sweep", str(spec), "--backend", "dask", "--jobs", "2", *ARGS)
    assert (c1, c2) == (1, 1), (e1, e2)
    assert serial == dask


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_real_scheduler_and_two_worker_processes(spec: Path, tmp_path: Path) -> None:
    bindir = Path(sys.executable).parent
    dask_cli = shutil.which("dask", path=str(bindir)) or shutil.which("dask")
    assert dask_cli, "the dask command comes with the dask extra"
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    procs = [subprocess.Popen([dask_cli, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                               "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        for _ in range(2):
            procs.append(subprocess.Popen([dask_cli, "worker", addr, "--nthreads", "1", "--no-dashboard",
                                           "--local-directory", str(tmp_path)],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        from distributed import Client

        with Client(addr, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        c1, serial, e1 = run_cli("sweep", str(spec), "--backend", "serial", *ARGS)
        c2, remote, e2 = run_cli("sweep", str(spec), "--scheduler", addr, *ARGS)
        assert (c1, c2) == (1, 1), (e1, e2)
        assert serial == remote
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def test_unreachable_scheduler_is_a_quick_clear_error(spec: Path) -> None:
    port = _free_port()  # nothing listens there
    t0 = time.monotonic()
    code, out, err = run_cli("sweep", str(spec), "--scheduler", f"tcp://127.0.0.1:{port}", "--param", "r=1:2")
    assert code == 2
    assert re.search(r"cannot reach the Dask scheduler", err), err
    assert time.monotonic() - t0 < 15
