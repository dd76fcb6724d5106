"""Exact rational utilities: linear solves, normalisation, regret.

Everything here is exact (``fractions.Fraction`` / Python ints).  These are
the functions that *decide* whether a profile is an equilibrium; numerical
engines only propose candidates.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from verigroup.model.game import ExactTensor, NormalFormGame

Vector = tuple[Fraction, ...]


def solve_exact(rows: Sequence[Sequence[Fraction | int]], rhs: Sequence[Fraction | int]) -> Vector | None:
    """Solve the square system ``rows @ x = rhs`` exactly (Gaussian
    elimination over Fractions).  None when the matrix is singular."""
    n = len(rows)
    a = [[Fraction(v) for v in r] + [Fraction(b)] for r, b in zip(rows, rhs)]
    for col in range(n):
        piv = next((r for r in range(col, n) if a[r][col] != 0), None)
        if piv is None:
            return None
        a[col], a[piv] = a[piv], a[col]
        pr = a[col]
        inv = 1 / pr[col]
        for r in range(n):
            if r != col and a[r][col] != 0:
                f = a[r][col] * inv
                row = a[r]
                for c in range(col, n + 1):
                    if pr[c] != 0:
                        row[c] -= f * pr[c]
    return tuple(a[i][n] / a[i][i] for i in range(n))


def solve_least(rows: Sequence[Sequence[Fraction | int]], rhs: Sequence[Fraction | int],
                ncols: int) -> Vector | None:
    """Solve a possibly non-square consistent system exactly (row reduction;
    free variables set to 0).  None when inconsistent."""
    a = [[Fraction(v) for v in r] + [Fraction(b)] for r, b in zip(rows, rhs)]
    pivots: list[int] = []
    r = 0
    for col in range(ncols):
        piv = next((k for k in range(r, len(a)) if a[k][col] != 0), None)
        if piv is None:
            continue
        a[r], a[piv] = a[piv], a[r]
        inv = 1 / a[r][col]
        a[r] = [v * inv for v in a[r]]
        for k in range(len(a)):
            if k != r and a[k][col] != 0:
                f = a[k][col]
                a[k] = [x - f * y for x, y in zip(a[k], a[r])]
        pivots.append(col)
        r += 1
    for k in range(r, len(a)):
        if a[k][ncols] != 0:
            return None
    x = [Fraction(0)] * ncols
    for k, col in enumerate(pivots):
        x[col] = a[k][ncols]
    return tuple(x)


def normalize(v: Sequence[Fraction]) -> Vector:
    s = sum(v, Fraction(0))
    return tuple(Fraction(x) / s for x in v)


def common_denominator(v: Sequence[Fraction]) -> tuple[list[int], int]:
    """``v == ints / den`` with ``den`` the lcm of the denominators."""
    den = 1
    for x in v:
        den = den * x.denominator // math.gcd(den, x.denominator)
    return [int(x * den) for x in v], den


def action_values(game: NormalFormGame, player: int,
                  strategy: Sequence[Sequence[Fraction]]) -> Vector:
    """Exact expected payoff of each pure action of ``player`` against the
    others' independent mixtures (the others' entries of ``strategy``)."""
    t: ExactTensor = game.payoffs[player]
    k = game.num_players
    supports = [list(range(game.shape[j])) if j == player else
                [a for a, p in enumerate(strategy[j]) if p != 0] for j in range(k)]
    sub: Any = t.values[np.ix_(*supports)].astype(object)
    den = t.denominator
    # contract the other axes, last first, with integer-scaled probabilities
    for j in reversed(range(k)):
        if j == player:
            continue
        ints, d = common_denominator([strategy[j][a] for a in supports[j]])
        w = np.array(ints, dtype=object)
        sub = np.moveaxis(sub, j, -1) @ w  # axis j is still axis j (reverse order)
        den *= d
    vals = np.asarray(sub, dtype=object).reshape(-1)
    return tuple(Fraction(int(v), den) for v in vals)


def regrets(game: NormalFormGame, strategy: Sequence[Sequence[Fraction]]) -> Vector:
    """Each player's exact regret: best-response value minus expected payoff."""
    out: list[Fraction] = []
    for i in range(game.num_players):
        vals = action_values(game, i, strategy)
        exp = sum((p * v for p, v in zip(strategy[i], vals)), Fraction(0))
        out.append(max(vals) - exp)
    return tuple(out)


def max_regret(game: NormalFormGame, strategy: Sequence[Sequence[Fraction]]) -> Fraction:
    return max(regrets(game, strategy))


def is_distribution(v: Sequence[Fraction]) -> bool:
    return all(x >= 0 for x in v) and sum(v, Fraction(0)) == 1


def is_nash(game: NormalFormGame, strategy: Sequence[Sequence[Fraction]]) -> bool:
    """Exact check: every agent's mixture is a distribution and no agent has
    positive regret."""
    if len(strategy) != game.num_players:
        return False
    for i, s in enumerate(strategy):
        if len(s) != game.shape[i] or not is_distribution(s):
            return False
    return max_regret(game, strategy) == 0


def from_floats(v: Sequence[float], max_den: int = 10**6) -> Vector:
    """Rational reconstruction of a float probability vector: each entry by
    ``Fraction.limit_denominator``, clipped at 0, then renormalised exactly."""
    fr = [max(Fraction(float(x)).limit_denominator(max_den), Fraction(0)) for x in v]
    s = sum(fr, Fraction(0))
    if s == 0:
        return tuple(Fraction(1, len(fr)) for _ in fr)
    return tuple(x / s for x in fr)
