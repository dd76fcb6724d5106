"""Benchmark: all extreme Nash equilibria of random n x n two-agent games.

Side by side, on the same games (fixed seeds, integer payoffs 0..99):
verigroup's exact engine (own double description, ``engine="dd"``) and,
where installed, pycddlib (``engine="cdd"``), ``lrsnash``, pygambit
``enummixed_solve`` rational and float, nashpy ``vertex_enumeration`` and
``support_enumeration``.  Each solver call runs in a forked process killed
at the cap; an engine that hits the cap is reported "> cap" for that size
and skipped for larger sizes.  Times are the median seconds of the solver
call (game construction excluded; verigroup's time includes its exact
re-verification of every equilibrium).

    python bench/bench_mixed.py [--cap 60] [--vg-cap 900] [--sizes 5,10,15,20]

Writes the Markdown table to bench/results/mixed.md.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GAMES_PER_SIZE = {5: 5, 10: 5, 15: 3, 20: 1}


def make(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1000 * n + k)
    return rng.integers(0, 100, (n, n)), rng.integers(0, 100, (n, n))


def run_vg(a: np.ndarray, b: np.ndarray, engine: str) -> tuple[float, int]:
    from verigroup.model.game import NormalFormGame
    from verigroup.solvers.bimatrix import solve_bimatrix

    n, m = a.shape
    g = NormalFormGame.from_fractions(["r", "c"], [[str(i) for i in range(n)], [str(j) for j in range(m)]],
                                      [a.astype(object), b.astype(object)])
    t = time.perf_counter()
    res = solve_bimatrix(g, engine=engine)
    return time.perf_counter() - t, len(res.equilibria)


def run_lrs(a: np.ndarray, b: np.ndarray) -> tuple[float, int]:
    from verigroup.solvers.lrs import lrsnash

    t = time.perf_counter()
    eqs = lrsnash(a.tolist(), b.tolist())
    return time.perf_counter() - t, len(set(eqs))


def run_gambit(a: np.ndarray, b: np.ndarray, rational: bool) -> tuple[float, int]:
    import pygambit as gbt

    conv = (lambda v: Fraction(int(v))) if rational else float
    g = gbt.Game.from_arrays(np.vectorize(conv, otypes=[object])(a), np.vectorize(conv, otypes=[object])(b))
    t = time.perf_counter()
    res = gbt.nash.enummixed_solve(g, rational=rational)
    dt = time.perf_counter() - t
    players = list(g.players)
    profiles = {tuple(str(eq[s]) if rational else round(float(eq[s]), 9)
                      for p in players for s in p.strategies) for eq in res.equilibria}
    return dt, len(profiles)


def run_nashpy(a: np.ndarray, b: np.ndarray, method: str) -> tuple[float, int]:
    import warnings

    import nashpy as nash

    warnings.simplefilter("ignore")
    gm = nash.Game(a, b)
    t = time.perf_counter()
    eqs = list(getattr(gm, method)())
    return time.perf_counter() - t, len(eqs)


ENGINES: dict[str, Callable[[np.ndarray, np.ndarray], tuple[float, int]]] = {
    "verigroup (dd)": lambda a, b: run_vg(a, b, "dd"),
    "verigroup (cdd)": lambda a, b: run_vg(a, b, "cdd"),
    "lrsnash": run_lrs,
    "pygambit rational": lambda a, b: run_gambit(a, b, True),
    "pygambit float": lambda a, b: run_gambit(a, b, False),
    "nashpy vertex_enumeration": lambda a, b: run_nashpy(a, b, "vertex_enumeration"),
    "nashpy support_enumeration": lambda a, b: run_nashpy(a, b, "support_enumeration"),
}


def _child(name: str, a: np.ndarray, b: np.ndarray, conn: Any) -> None:
    try:
        conn.send(("ok", ENGINES[name](a, b)))
    except BaseException as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))


def timed(name: str, a: np.ndarray, b: np.ndarray, cap: float) -> tuple[str, Any]:
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(name, a, b, child), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(cap):
            return "cap", None
        return parent.recv()
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1)


def available(name: str) -> bool:
    if name == "lrsnash":
        from verigroup.solvers.lrs import available as lrs_ok

        return lrs_ok()
    if name == "verigroup (cdd)":
        from verigroup.solvers.polytope import have_cdd

        return have_cdd()
    return True


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cap", type=float, default=60.0, help="seconds per call, reference engines")
    ap.add_argument("--vg-cap", type=float, default=900.0, help="seconds per call, verigroup")
    ap.add_argument("--sizes", default="5,10,15,20")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "mixed.md"))
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    names = [n for n in ENGINES if available(n)]
    table: dict[str, dict[int, str]] = {n: {} for n in names}
    medians: dict[str, dict[int, float]] = {n: {} for n in names}
    dead: set[str] = set()
    for n in sizes:
        games = [make(n, k) for k in range(GAMES_PER_SIZE.get(n, 3))]
        for name in names:
            if name in dead:
                table[name][n] = "skipped"
                continue
            cap = args.vg_cap if name == "verigroup (dd)" else args.cap
            times, counts, note = [], [], ""
            for a, b in games:
                status, payload = timed(name, a, b, cap)
                if status == "cap":
                    note = f"> {cap:g} s"
                    dead.add(name)
                    break
                if status != "ok":
                    note = f"error: {payload[:60]}"
                    break
                times.append(payload[0])
                counts.append(payload[1])
            if note:
                table[name][n] = note
            else:
                med = statistics.median(times)
                medians[name][n] = med
                table[name][n] = f"{med:.4g} s (found {'/'.join(map(str, counts))})"
            print(f"{n}x{n} {name}: {table[name][n]}", flush=True)
    lines = ["# All extreme equilibria of random n×n games (median seconds of the solver call)", "",
             f"Games per size: {', '.join(f'{k}×{k}: {GAMES_PER_SIZE.get(k, 3)}' for k in sizes)}; "
             f"integer payoffs 0..99, fixed seeds; cap {args.cap:g} s (reference engines), "
             f"{args.vg_cap:g} s (verigroup dd). 'found' lists the equilibrium count per game.", "",
             "| engine | " + " | ".join(f"{n}×{n}" for n in sizes) + " |",
             "| --- | " + " | ".join("---" for _ in sizes) + " |"]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(table[name].get(n, "") for n in sizes) + " |")
    lines += ["", "Ratios (other engine's median / verigroup (dd) median; > 1 means verigroup is faster):", ""]
    vg = medians.get("verigroup (dd)", {})
    for name in names:
        if name == "verigroup (dd)":
            continue
        parts = [f"{n}×{n}: {medians[name][n] / vg[n]:.3g}" for n in sizes
                 if n in medians[name] and n in vg and vg[n] > 0]
        if parts:
            lines.append(f"- {name}: " + ", ".join(parts))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
