"""Rebuild docs/benchmarks.md from bench/results/*.md.

    python tools/collect_bench.py

Each benchmark script writes its own Markdown table to bench/results/; this
page only collects them under a fixed introduction, so the numbers in the
docs are always the ones a script printed.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

INTRO = """# Benchmarks

How fast verigroup's exact methods are, measured side by side with the
reference engines (pygambit, nashpy, lrsnash, OpenSpiel, Z3) in one run of
each script, with ratios. A time is only worth comparing when the answers
agree, so each benchmark also compares the engines' results (counts of
equilibria, values, verdicts) and says so in its table.

**Machine.** Measured on the development machine: a 2-core x86_64 virtual
machine, 24 GiB of memory, Python 3.11.7, often with other jobs running (so
small differences are noise; the ratios are the point).

**Times are never asserted by tests.** The test suite checks results, not
speed. The benchmarks are separate scripts, run by hand or by `make bench`;
`python tools/collect_bench.py` rebuilds this page from `bench/results/`.

```sh
make bench                      # every bench/bench_*.py, in the project's .venv
python bench/bench_pure.py      # one benchmark, in the current environment
```
"""

SECTIONS = [
    ("pure.md", "Exact pure equilibria and materialisation (issue: foundation)",
     "`bench/bench_pure.py`: all pure Nash equilibria of random n-agent games with integer payoffs 0–9 "
     "(ties), verigroup vs `pygambit.nash.enumpure_solve` (solve call only) vs a plain vectorised numpy "
     "best-response check; building the exact tensor from a spec vs `pygambit.Game.from_arrays`. "
     "Targets: ≥ 20× pygambit, within 3× of numpy, materialisation faster than `from_arrays`."),
    ("mixed.md", "All extreme mixed equilibria of bimatrix games (issue: equilibrium engine)",
     "`bench/bench_mixed.py`: random n×n games, fixed seeds; verigroup exact and complete vs lrsnash, "
     "pygambit enummixed (rational and float) and nashpy, with the number of equilibria each finds. "
     "Targets: ≥ 100× pygambit rational on 10×10, within 2× of lrsnash."),
    ("z3.md", "Z3 route vs enumeration (issue: group-alignment properties)",
     "`bench/bench_z3.py`: \"every pure equilibrium keeps welfare ≥ X\" on n-agent public-goods and "
     "congestion games, n = 4…40, decided by Z3 without enumerating profiles and by explicit "
     "enumeration where it fits; verdicts must agree. Target: 30 agents × 2 actions in under a minute."),
    ("coalitions.md", "Coalitions: k-resilience (issue: group-alignment properties)",
     "`bench/bench_coalitions.py`: k-resilience for k ≤ 3 on 8 agents × 3 actions, vectorised "
     "coalition slices vs naive enumeration of all coalition deviations."),
    ("extensive.md", "Extensive form and repeated games (issue: protocols)",
     "`bench/bench_extensive.py`: backward induction on random perfect-information trees of 10^4–10^6 "
     "nodes (time and peak memory) side by side with OpenSpiel's alpha-beta search on the same "
     "compiled game; a 6-round repeated game of 3 agents × 2 actions solved stage-wise."),
    # ---- reading games (issue 15, item 18)
    ("nfg_read.md", "Reading and solving a large .nfg file (issue: trust and daily use)",
     "`bench/bench_nfg_read.py`: an 8-agent × 4-action random game (524,288 payoffs) as a Gambit .nfg "
     "file; the whole `verigroup solve` process (exact integer arrays read straight from the text, all "
     "pure equilibria, dominance, IESDS with mixed dominators) vs a process running pygambit's "
     "`read_nfg` + `enumpure_solve`; the equilibria must agree. Target: ≥ 10× faster than pygambit."),
    # ---- populations (issue 9)
    ("population.md", "Populations in counting space (issue: populations)",
     "`bench/bench_population.py`: public goods and El Farol with n = 10^3…10^6 members as whole "
     "`verigroup check` processes (all pure equilibria, dominance, equilibrium welfare, price of anarchy), "
     "side by side with the Z3 route and explicit enumeration where they still run; a three-action "
     "congestion game up to n = 10^4. Targets: n = 10^6 within 3× the time of n = 10^3; ≥ 100× faster "
     "than the Z3 route at n = 100."),
    # ---- dynamics (issue 12)
    ("dynamics.md", "Evolutionary dynamics vs OpenSpiel egt (issue: emergent norms)",
     "`bench/bench_dynamics.py`: alpha-Rank with certified Fermi intervals and exact Moran chains vs "
     "OpenSpiel's float `alpharank.compute` for 2–3 strategies and population sizes up to 10^4 (values "
     "must agree to OpenSpiel's precision); exact ESS classification vs pygambit's rational enumeration; "
     "basins of a 3-strategy game on grids of 5,151 and 20,301 points vs OpenSpiel's replicator vector "
     "field; Q-learning runs per second vs the same OpenSpiel loop written directly."),
]


def demote(md: str) -> str:
    out = []
    for line in md.splitlines():
        if line.startswith("#"):
            line = "##" + line
        out.append(line)
    return "\n".join(out).strip()


def main() -> None:
    parts = [INTRO]
    for fname, title, what in SECTIONS:
        parts.append(f"## {title}\n\n{what}\n")
        f = ROOT / "bench" / "results" / fname
        parts.append(demote(f.read_text()) + "\n" if f.exists() else "**(not yet measured)**\n")
    # Every other result file is collected too, under its own first heading
    # (a benchmark needs no edit here to appear in the docs).
    listed = {fname for fname, _, _ in SECTIONS}
    for f in sorted((ROOT / "bench" / "results").glob("*.md")):
        if f.name in listed:
            continue
        text = f.read_text().strip()
        first, _, rest = text.partition("\n")
        title = first.lstrip("#").strip() if first.startswith("#") else f.stem
        body = rest if first.startswith("#") else text
        parts.append(f"## {title}\n\n`bench/bench_{f.stem}.py`\n")
        parts.append(demote(body) + "\n")
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(parts))


if __name__ == "__main__":
    main()
