"""Benchmark: sweep executors side by side (issue 13).

Run:  python bench/bench_sweep.py [--workers N]

1. Overhead: a 200-point sweep of a small spec (3-agent public goods,
   two properties; a point takes milliseconds) — serial vs local processes vs
   a Dask LocalCluster, whole `sweep()` call including pool/cluster start.
2. Speed-up: an 8-point sweep whose points take about a second each (an
   18-agent public goods game with agent-specific costs, so not anonymous:
   all 262,144 profiles enumerated exactly) —
   serial vs processes vs Dask with the machine's workers.

Every backend must return byte-identical JSON (checked). Prints a Markdown
table and writes bench/results/sweep.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verigroup.reports.jsonout import dumps  # noqa: E402
from verigroup.runtime.executors import DaskExecutor, ProcessExecutor, SerialExecutor, default_workers  # noqa: E402
from verigroup.sweeps import build_grid, sweep  # noqa: E402

SMALL = """\
game pg
param n = 3
param r = 2
agents a[1..n]: actions contribute, withhold
payoff a[i] = r * count(j: a[j] == contribute) / n - (1 if a[i] == contribute else 0)
property "free-riding dominates": strictly dominant(a[i], withhold) for all i
property "cooperation is stable": nash all contribute
"""

HEAVY = """\
game pg
param n = 18
param r = 2
agents a[1..n]: actions contribute, withhold
payoff a[i] = r * count(j: a[j] == contribute) / n - (i / n if a[i] == contribute else 0)
metric welfare = sum(i: payoff(a[i]))
property "equilibria keep a third of the best welfare": for every nash p: welfare(p) >= 1/3 * max(welfare)
property "unique": unique nash
"""


def timed(make: Callable[[], Any], text: str, axes: list[str]) -> tuple[float, str]:
    t = time.perf_counter()
    ex = make()
    try:
        res = sweep(text, "bench.vg", build_grid(axes), executor=ex)
    finally:
        ex.close()
    return time.perf_counter() - t, dumps(res.to_json(with_evidence=True))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=default_workers())
    args = ap.parse_args()
    w = args.workers
    load = os.getloadavg()[0]
    rows = []
    for label, text, axes in [
        ("200 points, ms each", SMALL, ["r=0:199/10:1/10"]),
        ("8 points, ~1 s each", HEAVY, ["r=1:8:1"]),
    ]:
        ts, ref = timed(SerialExecutor, text, axes)
        tp, outp = timed(lambda: ProcessExecutor(w), text, axes)
        td, outd = timed(lambda: DaskExecutor(w), text, axes)
        same = "yes" if ref == outp == outd else "**NO**"
        rows.append(f"| {label} | {ts:.2f} | {tp:.2f} ({tp - ts:+.2f}) | {ts / tp:.2f}× | "
                    f"{td:.2f} ({td - ts:+.2f}) | {ts / td:.2f}× | {same} |")
        print(rows[-1], flush=True)
    md = "\n".join([
        "# Sweeps: serial vs local processes vs Dask LocalCluster",
        "",
        f"{w} workers; 1-minute load average at the start {load:.1f} (other jobs were running on this "
        "2-core machine, so absolute times are noisy). Whole `sweep()` call, including starting the process "
        "pool or the Dask cluster. \"Same\" = byte-identical JSON (with every point's evidence) on all three.",
        "",
        "| sweep | serial s | processes s (overhead) | speed-up | Dask s (overhead) | speed-up | same |",
        "|---|---|---|---|---|---|---|",
        *rows,
        "",
    ])
    out = ROOT / "bench" / "results" / "sweep.md"
    out.write_text(md)
    print(md)


if __name__ == "__main__":
    main()
