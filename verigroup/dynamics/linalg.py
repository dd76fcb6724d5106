"""Exact linear algebra over the rationals (Fractions): small dense systems.

The dynamics package solves many tiny systems (one per support); Gaussian
elimination on Python Fractions is exact and fast enough for a dozen
strategies.  Nothing here rounds.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Sequence

Matrix = list[list[Fraction]]


def solve_unique(a: Sequence[Sequence[Fraction]], b: Sequence[Fraction]) -> list[Fraction] | None:
    """The unique solution of the square system ``a x = b``, or None when the
    matrix is singular (no solution or a continuum of them)."""
    n = len(a)
    m = [list(row) + [b[i]] for i, row in enumerate(a)]
    for col in range(n):
        piv = next((r for r in range(col, n) if m[r][col] != 0), None)
        if piv is None:
            return None
        m[col], m[piv] = m[piv], m[col]
        inv = 1 / m[col][col]
        row = [v * inv for v in m[col]]
        m[col] = row
        for r in range(n):
            if r != col and m[r][col] != 0:
                f = m[r][col]
                m[r] = [x - f * y for x, y in zip(m[r], row)]
    return [m[i][n] for i in range(n)]


def rank(a: Sequence[Sequence[Fraction]]) -> int:
    """The rank of a rational matrix (exact)."""
    m = [list(r) for r in a]
    rows = len(m)
    cols = len(m[0]) if rows else 0
    r = 0
    for c in range(cols):
        piv = next((i for i in range(r, rows) if m[i][c] != 0), None)
        if piv is None:
            continue
        m[r], m[piv] = m[piv], m[r]
        for i in range(rows):
            if i != r and m[i][c] != 0:
                f = m[i][c] / m[r][c]
                m[i] = [x - f * y for x, y in zip(m[i], m[r])]
        r += 1
        if r == rows:
            break
    return r


def negative_definite(q: Sequence[Sequence[Fraction]]) -> bool:
    """Is the symmetric rational matrix ``q`` negative definite?  Exact
    LDL^T elimination: every pivot must be < 0 (Sylvester)."""
    n = len(q)
    m = [list(r) for r in q]
    for k in range(n):
        if m[k][k] >= 0:
            return False
        for i in range(k + 1, n):
            f = m[i][k] / m[k][k]
            for j in range(k, n):
                m[i][j] -= f * m[k][j]
    return True


def negative_semidefinite(q: Sequence[Sequence[Fraction]]) -> bool:
    """Is the symmetric rational matrix ``q`` negative semidefinite?  Exact:
    elimination with zero pivots allowed only when their whole row is zero."""
    n = len(q)
    m = [list(r) for r in q]
    for k in range(n):
        if m[k][k] > 0:
            return False
        if m[k][k] == 0:
            if any(m[k][j] != 0 for j in range(k, n)):
                return False
            continue
        for i in range(k + 1, n):
            f = m[i][k] / m[k][k]
            for j in range(k, n):
                m[i][j] -= f * m[k][j]
    return True


def solve_general(a: Sequence[Sequence[Fraction]], b: Sequence[Fraction]) -> tuple[str, list[Fraction] | None]:
    """Solve ``a x = b`` exactly (any shape): ``("unique", x)``,
    ``("none", None)`` or ``("continuum", None)``."""
    rows = len(a)
    cols = len(a[0]) if rows else 0
    m = [list(r) + [b[i]] for i, r in enumerate(a)]
    pivots: list[int] = []
    r = 0
    for c in range(cols):
        piv = next((i for i in range(r, rows) if m[i][c] != 0), None)
        if piv is None:
            continue
        m[r], m[piv] = m[piv], m[r]
        inv = 1 / m[r][c]
        m[r] = [v * inv for v in m[r]]
        for i in range(rows):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [x - f * y for x, y in zip(m[i], m[r])]
        pivots.append(c)
        r += 1
        if r == rows:
            break
    if any(all(v == 0 for v in m[i][:cols]) and m[i][cols] != 0 for i in range(rows)):
        return "none", None
    if len(pivots) < cols:
        return "continuum", None
    x = [Fraction(0)] * cols
    for i, c in enumerate(pivots):
        x[c] = m[i][cols]
    return "unique", x
