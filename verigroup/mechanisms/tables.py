"""Exact integer payoff tables for synthesis.

Every agent's payoff is scaled to one common denominator ``den`` so that all
constraint coefficients are Python integers (``object`` arrays: no int64
overflow however large the products).  ``u[i][s] / den`` is agent ``i``'s
payoff at profile ``s``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator

import numpy as np

from verigroup.model.game import NormalFormGame


@dataclass(frozen=True, eq=False)
class IntGame:
    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    u: tuple[np.ndarray, ...]          # object arrays of Python ints
    den: int

    @property
    def n(self) -> int:
        return len(self.players)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.actions)

    @property
    def welfare(self) -> np.ndarray:
        total = self.u[0].copy()
        for t in self.u[1:]:
            total = total + t
        return total

    def value(self, i: int, s: tuple[int, ...]) -> Fraction:
        return Fraction(int(self.u[i][s]), self.den)

    def payoff_range(self) -> Fraction:
        """max - min over every agent's payoffs (0 for a constant game)."""
        hi = max(int(t.max()) for t in self.u)
        lo = min(int(t.min()) for t in self.u)
        return Fraction(hi - lo, self.den)

    def profiles(self) -> Iterator[tuple[int, ...]]:
        return iter(np.ndindex(*self.shape))

    def names(self, s: tuple[int, ...]) -> dict[str, str]:
        return {p: self.actions[k][a] for k, (p, a) in enumerate(zip(self.players, s))}


def int_game(game: NormalFormGame) -> IntGame:
    den = 1
    for t in game.payoffs:
        den = den * t.denominator // math.gcd(den, t.denominator)
    u = tuple((t.values.astype(object) * (den // t.denominator)) for t in game.payoffs)
    return IntGame(game.players, game.actions, u, den)


def deviate(s: tuple[int, ...], i: int, d: int) -> tuple[int, ...]:
    return s[:i] + (d,) + s[i + 1:]


def along(arr: np.ndarray, axis: int, index: int) -> np.ndarray:
    """``arr`` with agent ``axis`` fixed to ``index`` (keepdims, broadcasts back)."""
    return np.take(arr, [index], axis=axis)
