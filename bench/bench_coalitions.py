"""Benchmark: k-resilience (k <= 3) on 8 agents x 3 actions, vectorised
coalition slices vs a naive enumeration of every coalition deviation.

Run:  python bench/bench_coalitions.py [--agents 8] [--actions 3] [--seeds 3]

Games: random integer payoffs 0..9 (numpy seeds 0..seeds-1), plus a
"near-equilibrium" variant where the audited profile is a pure Nash
equilibrium found by best-response search (so small coalitions rarely gain and
the search must examine everything).  The naive method loops in Python over
every coalition of size <= k and every joint deviation, reading payoffs one
profile at a time; both must return the same verdict.  Writes
bench/results/coalitions.md.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verigroup.analyses.coalitions import find_coalition_deviation, find_immunity_violation  # noqa: E402
from verigroup.model.game import NormalFormGame  # noqa: E402


def random_game(n: int, m: int, seed: int) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    shape = (m,) * n
    pays = [rng.integers(0, 10, size=shape) for _ in range(n)]
    return NormalFormGame.from_fractions([f"p{i}" for i in range(n)],
                                         [[f"a{j}" for j in range(m)]] * n, pays)


def nash_like_profile(game: NormalFormGame, seed: int) -> tuple[int, ...]:
    """Best-response dynamics from a random start (a pure NE if it converges)."""
    rng = np.random.default_rng(seed + 1000)
    p = [int(rng.integers(0, k)) for k in game.shape]
    for _ in range(200):
        changed = False
        for i in range(game.num_players):
            idx = list(p)
            idx[i] = slice(None)  # type: ignore[call-overload]
            col = game.payoffs[i].values[tuple(idx)]
            b = int(np.argmax(col))
            if col[b] > col[p[i]]:
                p[i], changed = b, True
        if not changed:
            break
    return tuple(p)


def planted(game: NormalFormGame, seed: int) -> tuple[NormalFormGame, tuple[int, ...]]:
    """The same game with one random profile raised to payoff 9 (the top of
    the range) for everyone: no coalition can gain, so every search is a
    full scan (the worst case)."""
    rng = np.random.default_rng(seed + 2000)
    s = tuple(int(x) for x in rng.integers(0, game.shape[0], game.num_players))
    pays = []
    for t in game.payoffs:
        v = t.values.copy()
        v[s] = 9
        pays.append(v)
    return NormalFormGame.from_fractions(game.players, game.actions, pays), s


def naive_resilient(game: NormalFormGame, s: tuple[int, ...], k: int,
                    weak: bool = False) -> tuple[bool, int]:
    n = game.num_players
    cur = [int(game.payoffs[j].values[s]) for j in range(n)]
    devs = 0
    for size in range(1, k + 1):
        for c in itertools.combinations(range(n), size):
            for dev in itertools.product(*(range(game.shape[j]) for j in c)):
                devs += 1
                t = list(s)
                for j, a in zip(c, dev):
                    t[j] = a
                tt = tuple(t)
                after = [int(game.payoffs[j].values[tt]) for j in c]
                gain = [a - b for a, b in zip(after, (cur[j] for j in c))]
                if weak:
                    if all(d >= 0 for d in gain) and any(d > 0 for d in gain):
                        return False, devs
                elif all(d > 0 for d in gain):
                    return False, devs
    return True, devs


def naive_immune(game: NormalFormGame, s: tuple[int, ...], t: int) -> bool:
    n = game.num_players
    cur = [int(game.payoffs[j].values[s]) for j in range(n)]
    for size in range(1, t + 1):
        for T in itertools.combinations(range(n), size):
            for dev in itertools.product(*(range(game.shape[j]) for j in T)):
                p = list(s)
                for j, a in zip(T, dev):
                    p[j] = a
                pp = tuple(p)
                if any(int(game.payoffs[j].values[pp]) < cur[j] for j in range(n) if j not in T):
                    return False
    return True


def timed(fn, *args):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=8)
    ap.add_argument("--actions", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args(argv)
    n, m = args.agents, args.actions
    rows = ["| game | profile | check | vectorised (s) | naive (s) | verdict | coalitions / deviations (vectorised) |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for seed in range(args.seeds):
        g0 = random_game(n, m, seed)
        gp, sp = planted(g0, seed)
        cases = (("random", False, g0, tuple(int(x) for x in np.random.default_rng(seed).integers(0, m, n))),
                 ("best-response", False, g0, nash_like_profile(g0, seed)),
                 ("planted", False, gp, sp), ("planted, weak", True, gp, sp))
        for label, weak, g, s in cases:
            for k in (1, 2, 3):
                tv, res = timed(find_coalition_deviation, g, s, k, weak)
                tn, (ok, _) = timed(naive_resilient, g, s, k, weak)
                if ok != (res.found is None):
                    print(f"DISAGREEMENT seed {seed} {label} k={k}", file=sys.stderr)
                    return 1
                row = (f"| {n}x{m} seed {seed} | {label} | {k}-resilient | {tv:.4f} | {tn:.4f} | "
                       f"{'HOLDS' if ok else 'VIOLATED'} | {res.coalitions_checked} / {res.deviations_checked} |")
                rows.append(row)
                print(row, flush=True)
            for t in ((1, 2) if not weak else ()):
                tv, (found, c, d) = timed(find_immunity_violation, g, s, t)
                tn, ok = timed(naive_immune, g, s, t)
                if ok != (found is None):
                    print(f"DISAGREEMENT immunity seed {seed} {label} t={t}", file=sys.stderr)
                    return 1
                row = (f"| {n}x{m} seed {seed} | {label} | {t}-immune | {tv:.4f} | {tn:.4f} | "
                       f"{'HOLDS' if ok else 'VIOLATED'} | {c} / {d} |")
                rows.append(row)
                print(row, flush=True)
    out = ROOT / "bench" / "results" / "coalitions.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"# Coalition checks: vectorised slices vs naive enumeration ({n} agents x {m} actions)\n\n"
                   "Random integer payoffs 0..9; time of the search only (the tensor is built once).\n\n"
                   + "\n".join(rows) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
