"""Benchmark: reading a large .nfg file and solving it, whole processes.

Run:  python bench/bench_nfg_read.py [--agents 8] [--actions 4] [--reps 1]

A random game (integer payoffs 0..99, fixed seed) of n agents x m actions is
written as a Gambit payoff-list .nfg file (8 x 4: 65,536 profiles, 524,288
payoffs, 1.5 MB).  Side by side, each as a fresh process:

* ``verigroup solve FILE --format json`` (read the file exactly into integer
  arrays, all pure Nash equilibria, dominance, iterated elimination with
  mixed dominators, optima -- the whole default output);
* ``pygambit.read_nfg(FILE)`` + ``pygambit.nash.enumpure_solve`` in a Python
  process (pure equilibria only).

Both processes start from a warm bytecode cache (one untimed run each
first).  Times are wall clock and CPU (user + system of the child, which is
the fairer number on a loaded machine); the pure equilibria found must be
the same set (checked).  Writes bench/results/nfg_read.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent

GAMBIT = r"""
import json, sys
import pygambit as gbt
g = gbt.read_nfg(sys.argv[1])
res = gbt.nash.enumpure_solve(g)
out = []
for eq in res.equilibria:
    prof = []
    for p in g.players:
        prof.append(next(i for i, s in enumerate(p.strategies) if eq[s] == 1))
    out.append(prof)
print(json.dumps(sorted(out)))
"""


def write_game(path: Path, n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    vals = rng.integers(0, 100, size=(m ** n, n))
    head = 'NFG 1 R "bench" { ' + " ".join(f'"P{i + 1}"' for i in range(n)) + " } { " + " ".join([str(m)] * n) + " }"
    path.write_text(head + "\n\n" + "\n".join(" ".join(map(str, r)) for r in vals) + "\n")


def run(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, child CPU seconds, stdout) of one process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=True).stdout
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out


def verigroup_profiles(doc: dict) -> list[list[int]]:  # type: ignore[type-arg]
    """Each equilibrium as action indices in player order (players are P1..Pn,
    actions 1..m in the file)."""
    out = []
    for e in doc["equilibria"]:
        by_player = {int(agent[1:]): next(a for a, pr in strat.items() if pr == "1")
                     for agent, strat in e["strategies"].items()}
        out.append([int(by_player[i]) - 1 for i in sorted(by_player)])
    return sorted(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=8)
    ap.add_argument("--actions", type=int, default=4)
    ap.add_argument("--reps", type=int, default=1)
    a = ap.parse_args()
    n, m = a.agents, a.actions
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / f"random_{n}x{m}.nfg"
        write_game(f, n, m, seed=n)
        size = f.stat().st_size
        vg_cmd = [sys.executable, "-m", "verigroup", "solve", str(f), "--format", "json"]
        gb_cmd = [sys.executable, "-c", GAMBIT, str(f)]
        run(vg_cmd)  # warm the bytecode cache
        vg = [run(vg_cmd) for _ in range(a.reps)]
        gb_warm = run([sys.executable, "-c", "import pygambit"])
        del gb_warm
        gb = [run(gb_cmd) for _ in range(a.reps)]
    ours = verigroup_profiles(json.loads(vg[0][2]))
    theirs = json.loads(gb[0][2])
    agree = ours == theirs
    vg_wall, vg_cpu = min(x[0] for x in vg), min(x[1] for x in vg)
    gb_wall, gb_cpu = min(x[0] for x in gb), min(x[1] for x in gb)
    lines = [
        "# bench_nfg_read: reading and solving a large .nfg file, whole processes",
        "",
        f"Random game, integer payoffs 0..99, seed {n}; {n} agents × {m} actions = {m ** n:,} profiles, "
        f"{n * m ** n:,} payoffs, a {size / 1e6:.1f} MB payoff-list file. Best of {a.reps} run(s) each, "
        "after one untimed warm-up run (bytecode cache).",
        "",
        "| process | wall | CPU (user + sys) | pure equilibria |",
        "| --- | --- | --- | --- |",
        f"| `verigroup solve FILE --format json` (exact read, pure equilibria, dominance, IESDS with mixed "
        f"dominators, optima) | {vg_wall:.2f} s | {vg_cpu:.2f} s | {len(ours)} |",
        f"| pygambit `read_nfg` + `enumpure_solve` | {gb_wall:.2f} s | {gb_cpu:.2f} s | {len(theirs)} |",
        "",
        f"pygambit / verigroup: **{gb_cpu / vg_cpu:.1f}×** (CPU), {gb_wall / vg_wall:.1f}× (wall). "
        f"Same pure equilibria: {'yes' if agree else 'NO'}.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "bench" / "results" / "nfg_read.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    if not agree:
        sys.exit("the engines disagree")


if __name__ == "__main__":
    main()
