"""Benchmark: populations in counting space (issue 9).

Run:  python bench/bench_population.py [--quick]

Each row is one whole `verigroup check` process (wall time and peak RSS,
measured with /usr/bin/time when available), so start-up is included, as a
user sees it:

* public goods and El Farol (capacity 3n/5): all pure equilibria, dominance,
  equilibrium welfare and the price of anarchy, for n = 10^3 .. 10^6 in
  counting space; the Z3 route (`--method z3`) and explicit enumeration
  (`--method explicit`) side by side where they still run (time-capped);
* three actions (a three-road congestion game), n = 10^2 .. 10^4.

Verdicts of the routes are compared where more than one runs.  Writes
bench/results/population.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

PUBLIC_GOODS = """game public_goods
param n = 4
param r = 8/5
agents a[1..n]: actions contribute, withhold
payoff a[i] = r * count(j: a[j] == contribute) / n - (1 if a[i] == contribute else 0)
metric welfare = sum(i: payoff(a[i]))
property "withholding dominates": strictly dominant(a[i], withhold) for all i
property "one equilibrium": unique nash
property "equilibria waste the surplus": for every nash p: welfare(p) == 0
property "the optimum is an equilibrium": optimum_is_equilibrium(welfare)
"""

EL_FAROL = """game el_farol
param n = 5
agents x[1..n]: actions go, stay
payoff x[i] = 0 if x[i] == stay else (1 if count(j: x[j] == go) <= 3 * n / 5 else -1)
metric attendance = count(j: x[j] == go)
metric welfare = sum(i: payoff(x[i]))
property "equilibria fill the bar": for every nash p: attendance(p) == 3 * n / 5
property "price of anarchy is 1": price_of_anarchy(welfare) == 1
property "going is dominant": dominant(x[i], go) for all i
"""

THREE_ROADS = """game three_roads
param n = 4
agents car[1..n]: actions a, b, c
payoff car[i] = -(count(j: car[j] == a) if car[i] == a else
                  (2 * count(j: car[j] == b) if car[i] == b else n))
metric total (minimize) = sum(i: -payoff(car[i]))
property "an equilibrium exists": exists nash
property "price of anarchy": price_of_anarchy(total) <= 4/3
"""


def run(spec: Path, n: int, method: str, cap: float, repeat: int = 3) -> tuple[float | None, int | None, str]:
    """Median seconds, peak KiB and verdicts of ``repeat`` `verigroup check` processes."""
    runs = [_run(spec, n, method, cap) for _ in range(repeat)]
    times = sorted(r[0] for r in runs if r[0] is not None)
    if len(times) < len(runs):
        return None, None, runs[0][2]
    return times[len(times) // 2], max(r[1] or 0 for r in runs) or None, runs[0][2]


def _run(spec: Path, n: int, method: str, cap: float) -> tuple[float | None, int | None, str]:
    """(seconds, peak KiB, verdict summary) of one `verigroup check` process."""
    cmd = [PY, "-m", "verigroup", "check", str(spec), "--set", f"n={n}", "--method", method]
    timer = shutil.which("time") or ("/usr/bin/time" if os.path.exists("/usr/bin/time") else None)
    full = ([timer, "-f", "__RSS__ %M"] if timer else []) + cmd
    t0 = time.perf_counter()
    try:
        p = subprocess.run(full, capture_output=True, text=True, timeout=cap, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None, None, f"> {cap:.0f} s"
    dt = time.perf_counter() - t0
    m = re.search(r"__RSS__ (\d+)", p.stderr)
    summary = re.findall(r"^  (HOLDS|VIOLATED|UNKNOWN) ", p.stdout, re.M)
    verdicts = "".join(v[0] for v in summary) or (p.stderr.strip().splitlines() or ["?"])[-1][:60]
    return dt, int(m.group(1)) if m else None, verdicts


def inprocess(spec: Path, n: int, method: str, cap: float) -> tuple[float | None, str]:
    """(seconds, verdicts) of load + check in this process (the parser is
    already built), under a ``cap`` second timeout per property."""
    from verigroup import api

    t0 = time.perf_counter()
    model = api.load(spec, {"n": str(n)})
    rep = api.check_model(model, timeout=cap, method=method)
    dt = time.perf_counter() - t0
    verdicts = "".join(r.verdict.value[0] for r in rep.results)
    if any(r.method == "timeout" for r in rep.results):
        return None, f"timeout ({verdicts})"
    if any(r.method == "size-guard" for r in rep.results):
        return None, "size guard"
    return dt, verdicts


def fmt(t: float | None) -> str:
    return "—" if t is None else f"{t:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    ap.add_argument("--cap", type=float, default=300.0, help="seconds per Z3 / explicit run")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    specs = {}
    for name, text in (("public_goods", PUBLIC_GOODS), ("el_farol", EL_FAROL), ("three_roads", THREE_ROADS)):
        specs[name] = tmp / f"{name}.vg"
        specs[name].write_text(text)
        # the Z3 route decides neither optima nor prices without the explicit table: the
        # side-by-side comparison keeps the properties every route decides
        specs[name + "_common"] = tmp / f"{name}_common.vg"
        specs[name + "_common"].write_text("\n".join(
            ln for ln in text.splitlines() if "optimum_is_equilibrium" not in ln and "price_of" not in ln) + "\n")
    big = [10**3, 10**4] if args.quick else [10**3, 10**4, 10**5, 10**6]
    from verigroup import api

    api.load(specs["public_goods"])  # build the parser once: in-process timings exclude it
    lines = ["# bench_population: anonymous families in counting space", "",
             "Whole `verigroup check` processes (start-up included: building the LALR parser is most of it), "
             "median wall seconds of 3 runs and peak RSS (MiB), on a machine shared with other jobs. "
             "Verdict strings: one letter per property (H holds, V violated, U unknown); routes agree "
             "when the strings are equal. Specs are in the script.", ""]
    for game in ("public_goods", "el_farol"):
        lines += [f"## {game}: counting space, n = 10^3 .. 10^6", "",
                  "| n | counting s | MiB | verdicts |", "| --- | --- | --- | --- |"]
        base = None
        for n in big:
            t, mem, v = run(specs[game], n, "counting", 600)
            base = base or t
            lines.append(f"| {n:,} | {fmt(t)} | {mem // 1024 if mem else '—'} | {v} |")
            print(game, n, t, mem, v, flush=True)
        if base and t:
            lines += ["", f"n = {big[-1]:,} takes {t / base:.2f}× the time of n = {big[0]:,} (target ≤ 3×).", ""]
        lines += [f"## {game}: counting vs Z3 route vs explicit enumeration (in one process)", "",
                  "Load + check inside one Python process (the parser is built once), "
                  f"{args.cap:.0f} s timeout per property, on the properties every route decides "
                  "(without optima and prices).", "",
                  "| n | counting s | Z3 s | explicit s | Z3 / counting | verdicts (counting / Z3 / explicit) |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for n in ([10, 20] if args.quick else [10, 16, 20, 50, 100]):
            common = specs[game + "_common"]
            tc, vc = inprocess(common, n, "counting", 600)
            tz, vz = inprocess(common, n, "z3", args.cap)
            te, ve = (inprocess(common, n, "explicit", args.cap) if n <= 20 else (None, "size guard"))
            ratio = f"{tz / tc:.0f}×" if tz and tc else (f"> {args.cap / tc:.0f}×" if tc else "—")
            lines.append(f"| {n} | {fmt(tc)} | {fmt(tz) if tz else vz} | {fmt(te) if te else ve} | {ratio} | "
                         f"{vc} / {vz} / {ve} |")
            print(game, n, tc, tz, te, vc, vz, ve, flush=True)
        lines.append("")
        _write(lines)
    lines += ["## Three actions: a three-road congestion game", "",
              "| n | count states | counting s | MiB | verdicts |", "| --- | --- | --- | --- | --- |"]
    for n in ([100, 1000] if args.quick else [100, 1000, 10**4]):
        t, mem, v = run(specs["three_roads"], n, "counting", 1200, repeat=1)
        lines.append(f"| {n:,} | {(n + 1) * (n + 2) // 2:,} | {fmt(t)} | {mem // 1024 if mem else '—'} | {v} |")
        print("three_roads", n, t, mem, v, flush=True)
    print(f"wrote {_write(lines)}")


def _write(lines: list[str]) -> Path:
    out = ROOT / "bench" / "results" / "population.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    return out


if __name__ == "__main__":
    main()
