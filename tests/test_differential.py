"""Differential tests: verigroup's engines against independent ones.

Default run: a bounded sample (60 two-agent games, sizes 2x2 to 5x5).
Full run (1,200 games up to 8x8; several minutes):

    python -m pytest -m slow tests/test_differential.py

Oracles: pygambit ``enummixed_solve(rational=True)`` (deduplicated),
``lrsnash`` when installed, pycddlib's double description when installed
(vs our own), and for correlated equilibria an independent LP (the dual,
solved with scipy).  Disagreements are settled by exact verification: a
reference profile that fails the exact regret check, or a verified profile
the reference misses, is a bug of the reference and is recorded in
``REFERENCE_BUGS`` (the test then asserts that our profile verifies); a
verified profile that *we* miss fails the test.
"""

from __future__ import annotations

from fractions import Fraction as F
from typing import Any

import numpy as np
import pytest

from verigroup.model.game import NormalFormGame
from verigroup.solvers import correlated as C
from verigroup.solvers import lrs, polytope
from verigroup.solvers.bimatrix import extreme_equilibria_raw, solve_bimatrix, verify_pair

REFERENCE_BUGS: list[dict[str, Any]] = []
KINDS = ("random", "ties", "zero_sum", "symmetric", "degenerate")


def make_game(kind: str, m: int, n: int, seed: int) -> tuple[list[list[int]], list[list[int]]]:
    rng = np.random.default_rng(seed)
    if kind == "symmetric":
        n = m
    hi = 3 if kind == "ties" else 20
    a = rng.integers(-hi, hi + 1, (m, n))
    b = rng.integers(-hi, hi + 1, (m, n))
    if kind == "zero_sum":
        b = -a
    elif kind == "symmetric":
        b = a.T.copy()
    elif kind == "degenerate":
        if m > 1:
            a[m - 1] = a[0]  # duplicate row: degenerate for the column player too
            b[m - 1] = b[0]
        if n > 1:
            b[:, n - 1] = b[:, 0]
    return a.tolist(), b.tolist()


def to_game(a, b) -> NormalFormGame:
    m, n = len(a), len(a[0])
    return NormalFormGame.from_fractions(
        ["r", "c"], [[f"r{i}" for i in range(m)], [f"c{j}" for j in range(n)]],
        [np.array(a, dtype=object), np.array(b, dtype=object)])


def gambit_rational(a, b) -> set[tuple[tuple[F, ...], tuple[F, ...]]]:
    import pygambit as gbt

    g = gbt.Game.from_arrays(np.array([[F(v) for v in r] for r in a], dtype=object),
                             np.array([[F(v) for v in r] for r in b], dtype=object))
    res = gbt.nash.enummixed_solve(g, rational=True)
    players = list(g.players)
    out = set()
    for eq in res.equilibria:
        x = tuple(F(str(eq[s])) for s in players[0].strategies)
        y = tuple(F(str(eq[s])) for s in players[1].strategies)
        out.add((x, y))
    return out


def settle(name: str, ours: set, ref: set, g: NormalFormGame, game_id: str) -> None:
    for p in ours:
        assert verify_pair(g, *p), f"our profile fails exact verification: {p}"
    for p in ref - ours:
        # a reference profile we do not have must be wrong, or we missed one
        assert not verify_pair(g, *p), f"{name} found a verified equilibrium we missed: {p} ({game_id})"
        REFERENCE_BUGS.append({"engine": name, "game": game_id, "bad_profile": p})
    for p in ours - ref:
        REFERENCE_BUGS.append({"engine": name, "game": game_id, "missed_profile": p})


def cases(count: int, max_size: int) -> list[tuple[str, int, int, int]]:
    out = []
    for k in range(count):
        kind = KINDS[k % len(KINDS)]
        m = 2 + (k * 7) % (max_size - 1)
        n = 2 + (k * 3) % (max_size - 1)
        out.append((kind, m, n, 10_000 + k))
    return out


def run_case(kind: str, m: int, n: int, seed: int) -> None:
    a, b = make_game(kind, m, n, seed)
    m, n = len(a), len(a[0])
    g = to_game(a, b)
    gid = f"{kind}-{m}x{n}-seed{seed}"
    res = solve_bimatrix(g)
    ours = set(res.equilibria)
    assert len(ours) == len(res.equilibria)
    settle("pygambit-enummixed-rational", ours, gambit_rational(a, b), g, gid)
    if lrs.available():
        theirs = set(extreme_equilibria_raw(g, "lrs")[0])
        settle("lrsnash", ours, theirs, g, gid)
    if polytope.have_cdd():
        assert set(extreme_equilibria_raw(g, "cdd")[0]) == ours, gid
    # correlated equilibria: exact optimum vs an independent float LP (dual)
    if m * n <= 25:
        opt = C.optimize(g)
        assert C.is_correlated_equilibrium(g, opt.distribution)[0]
        poly = C.build_polytope(g)
        c = np.array([float(v) for v in C.objective_vector(poly, C.welfare_tensor(g))])
        gm = poly.g.astype(float)
        from scipy.optimize import linprog

        k_rows = gm.shape[0]
        r = linprog(np.r_[np.zeros(k_rows), 1.0], A_ub=np.hstack([gm.T, -np.ones((gm.shape[1], 1))]),
                    b_ub=-c, bounds=[(0, None)] * k_rows + [(None, None)], method="highs")
        assert r.status == 0 and abs(r.fun - float(opt.value)) < 1e-6 * max(1.0, abs(r.fun))
        best_nash = max(sum(x[i] * y[j] * (a[i][j] + b[i][j]) for i in range(m) for j in range(n))
                        for x, y in ours)
        assert best_nash <= opt.value


@pytest.mark.parametrize("case", cases(60, 5), ids=lambda c: f"{c[0]}-{c[1]}x{c[2]}-{c[3]}")
def test_differential_sample(case):
    run_case(*case)


@pytest.mark.slow
@pytest.mark.parametrize("case", cases(1200, 8), ids=lambda c: f"{c[0]}-{c[1]}x{c[2]}-{c[3]}")
def test_differential_full(case):
    run_case(*case)


def teardown_module() -> None:
    """Show settled reference-engine bugs (visible with ``-s``)."""
    if REFERENCE_BUGS:
        print(f"\n{len(REFERENCE_BUGS)} reference-engine disagreements settled by exact verification:")
        for bug in REFERENCE_BUGS[:20]:
            print("  ", bug)
