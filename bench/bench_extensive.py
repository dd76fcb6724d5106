"""Benchmark: backward induction on random perfect-information trees, side by
side with OpenSpiel's alpha-beta search on the same compiled game, plus the
6-round 3-agent repeated game solved stage-wise.

    python bench/bench_extensive.py [--max-nodes 1000000] [--out bench/results/extensive.md]

Times are wall-clock seconds on this machine; peak memory is Python
allocations measured by tracemalloc in a separate run (tracemalloc slows the
code down, so the timing runs do not use it).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import platform
import random
import time
import tracemalloc
from collections import deque
from fractions import Fraction
from pathlib import Path

from verigroup.extensive.spe import solve_spe
from verigroup.extensive.tree import GameTree, TreeBuilder


def random_tree(n: int, seed: int = 0) -> GameTree:
    """About ``n`` nodes, two players, zero-sum integer payoffs, branching 2-3."""
    rng = random.Random(seed)
    leaves = int(n / 1.67)
    b = TreeBuilder(["max", "min"], node_limit=max(2_000_000, 2 * n))
    q: deque[int] = deque()
    for _ in range(leaves):
        x = rng.randint(-1000, 1000)
        q.append(b.terminal([x, -x]))
    player = 0
    while len(q) > 1:
        k = min(rng.randint(2, 3), len(q))
        kids = [q.popleft() for _ in range(k)]
        q.append(b.decision(player, None, [(f"m{j}", c) for j, c in enumerate(kids)]))
        player = rng.randint(0, 1)
    return b.build(q[0])


def bench_tree(n: int, openspiel: bool) -> dict[str, object]:
    row: dict[str, object] = {"target": n}
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    tree = random_tree(n)
    row["nodes"] = tree.num_nodes
    row["build_s"] = time.perf_counter() - t0
    row["build_cpu"] = time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    res = solve_spe(tree, cap=1)
    row["spe_s"] = time.perf_counter() - t0
    row["spe_cpu"] = time.process_time() - c0
    row["value"] = res.payoffs[0][0]
    row["unique"] = res.complete and len(res.payoff_set) == 1
    if openspiel:
        import pyspiel  # noqa: F401
        from open_spiel.python.algorithms import minimax

        from verigroup.backends.openspiel_efg import to_openspiel_efg

        t0 = time.perf_counter()
        g = to_openspiel_efg(tree)
        row["os_load_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        v, _ = minimax.alpha_beta_search(g, maximizing_player_id=0)
        row["os_solve_s"] = time.perf_counter() - t0
        row["os_agrees"] = abs(v - float(res.payoffs[0][0])) < 1e-9
    del tree, res
    gc.collect()
    tracemalloc.start()
    tree = random_tree(n)
    solve_spe(tree, cap=1)
    row["peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return row


def bench_repeated() -> dict[str, object]:
    from verigroup.extensive.repeated import solve_repeated
    from verigroup.model.game import NormalFormGame

    # 3 agents x 2 actions: a coordination stage with two pure equilibria
    # (all "a": 2 each, all "b": 1 each, miscoordination 0) so threats exist.
    pay = [[[[Fraction(0)] * 2 for _ in range(2)] for _ in range(2)] for _ in range(3)]
    for a in itertools.product((0, 1), repeat=3):
        for i in range(3):
            pay[i][a[0]][a[1]][a[2]] = Fraction(2 if a == (0, 0, 0) else 1 if a == (1, 1, 1) else 0)
    stage = NormalFormGame.from_fractions(["p", "q", "r"], [["a", "b"]] * 3, pay)
    t0 = time.perf_counter()
    res = solve_repeated(stage, 6, Fraction(9, 10))
    return {"seconds": time.perf_counter() - t0, "payoff_vectors": len(res.payoff_set),
            "complete": res.complete, "leaves_of_naive_tree": 8 ** 6}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-nodes", type=int, default=1_000_000)
    ap.add_argument("--openspiel-max", type=int, default=1_000_000)
    ap.add_argument("--out", default="bench/results/extensive.md")
    args = ap.parse_args()
    solve_spe(random_tree(200), cap=1)  # warm-up: imports and first-call costs out of the table
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = []
    for n in (10_000, 100_000, 1_000_000):
        if n > args.max_nodes:
            break
        r = bench_tree(n, openspiel=n <= args.openspiel_max)
        print(r, flush=True)
        rows.append(r)
    rep = bench_repeated()
    print(rep, flush=True)
    lines = [
        "# Extensive-form benchmark", "",
        f"Machine: {platform.machine()}, Python {platform.python_version()}; "
        "`python bench/bench_extensive.py`.", "",
        "Random perfect-information trees (two players, zero-sum integer payoffs, branching 2-3). "
        "`spe` = `solve_spe(tree, cap=1)`: one SPE by exact backward induction plus the uniqueness "
        "check and the exact SPE payoff set. OpenSpiel = `load_efg_game` of our `.efg` text, then "
        "`open_spiel.python.algorithms.minimax.alpha_beta_search` (floats). Peak memory: tracemalloc, "
        "tree build + solve. `build` includes the random generator of the benchmark itself "
        "(`random_tree`: one `TreeBuilder` call per node, then `build`). Wall-clock and CPU "
        "(`time.process_time`) seconds are both given: the machine is shared, and CPU time is the "
        "steadier measure of growth.", "",
        f"Load average when the run started: {load}.", "",
        "| nodes | build s (CPU) | spe s (CPU) | peak MiB | bytes/node | OpenSpiel load s | "
        "OpenSpiel alpha-beta s | same value |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        os_load = f"{r['os_load_s']:.2f}" if "os_load_s" in r else "-"
        os_solve = f"{r['os_solve_s']:.2f}" if "os_solve_s" in r else "-"
        agree = str(r.get("os_agrees", "-"))
        per_node = float(r["peak_mb"]) * 2**20 / int(r["nodes"])  # type: ignore[arg-type, call-overload]
        lines.append(f"| {r['nodes']:,} | {r['build_s']:.2f} ({r['build_cpu']:.2f}) | "
                     f"{r['spe_s']:.2f} ({r['spe_cpu']:.2f}) | {r['peak_mb']:.0f} | {per_node:.0f} | "
                     f"{os_load} | {os_solve} | {agree} |")
    lines += ["", "## Repeated game", "",
              "6 rounds of a 3-agent x 2-action coordination stage game (discount 9/10), all pure-SPE "
              "payoff vectors by stage-wise backward induction over continuation-payoff sets; the naive "
              f"tree would have {rep['leaves_of_naive_tree']:,} leaves and is never built.", "",
              f"- time: {rep['seconds']:.2f} s; distinct SPE payoff vectors: {rep['payoff_vectors']}; "
              f"complete: {rep['complete']}", ""]
    lines += ["## Notes", ""]
    by = {int(r["target"]): r for r in rows}  # type: ignore[call-overload]
    if 100_000 in by and 1_000_000 in by:
        a, b = by[100_000], by[1_000_000]
        lines.append(
            f"- Growth from 10^5 to 10^6 nodes (x{int(b['nodes']) / int(a['nodes']):.1f} nodes), CPU time: "  # type: ignore[call-overload]
            f"build x{float(b['build_cpu']) / float(a['build_cpu']):.1f}, "  # type: ignore[arg-type]
            f"spe x{float(b['spe_cpu']) / max(float(a['spe_cpu']), 1e-9):.1f}; "  # type: ignore[arg-type]
            f"peak memory x{float(b['peak_mb']) / float(a['peak_mb']):.1f}.")  # type: ignore[arg-type]
    lines += [
        "- Profile (cProfile, tracemalloc) of the previous version: the solve ran the backward pass twice "
        "(once for the SPE, once more for the SPE payoff set), made one value tuple per node and "
        "compared `Fraction`s (about 2 us per comparison through `Fraction._richcmp`); the build spent "
        "its time in `isinstance(x, typing.Mapping)` checks, Fraction conversion and hashing of "
        "repeated outcomes, and in building one list per information set for the absent-mindedness "
        "check even for perfect information.",
        "- Now: one backward pass, memoised on the immutable tree, storing per node only an int id into "
        "a table of value vectors (outcomes, plus one vector per chance node) and comparing exact "
        "integer ranks of the outcome payoffs when the tree has no chance node (Fractions otherwise); "
        "the builder reuses outcomes without converting them again; `build` and `solve_spe` pause "
        "the cyclic garbage collector (`gc_paused`, restored in a `finally`).",
        "- The superlinear figures of the previous report (10^5 -> 10^6: solve 0.15 s -> 3.75 s, build "
        "0.70 s -> 15.8 s, wall clock) did not reproduce: re-running the previous version gave build "
        "0.77 s -> 7.99 s and solve 0.21 s -> 2.19 s (about 10x for 10x the nodes), so most of the "
        "excess was other jobs sharing this 2-core machine. The changes above cut the constant "
        "factors (solve about 7x, build about 2x at 10^6 nodes). Wall-clock figures still vary from "
        "run to run for the same reason; the CPU figures are the ones to read for growth.",
        "- Below 50,000 nodes `solve_spe` also evaluates each reported profile over the whole tree with "
        "`expected_payoffs` (an independent check); that is most of the spe time at 10^4 nodes, "
        "which is why that row is not a tenth of the next one.",
        "- OpenSpiel's alpha-beta search prunes (it visits a fraction of the nodes) and works in floats; "
        "our pass visits every node, exactly, checks for ties and computes the exact SPE payoff set. "
        "Loading the tree into OpenSpiel (`load_efg_game` on our `.efg` text) is the slow part on "
        "their side.",
        "",
    ]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(lines))
    print("wrote", args.out)


if __name__ == "__main__":
    main()
