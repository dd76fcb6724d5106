"""Materialised normal-form games: exact integer tensors.

This is what the explicit solvers consume.  A spec's :class:`~verigroup.model.
model.Model` materialises to a :class:`NormalFormGame` lazily (through
``verigroup.evaluate``); a Gambit ``.nfg`` file reads straight into one.

Exactness without ``object`` arrays of Fractions: each agent's payoffs (and
each metric) are scaled to a common denominator and stored as integers,
``int64`` when every entry fits comfortably, else an ``object`` array of
Python ints.  ``payoff(p, s) == Fraction(int(payoffs[p][s]), denominators[p])``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterator, Literal, Mapping, Sequence

import numpy as np

# Entries above this magnitude are stored as Python ints (object arrays) so
# that sums over a few thousand entries cannot overflow int64.
INT64_SAFE = 2**40


@dataclass(frozen=True, eq=False)
class ExactTensor:
    """An exact rational tensor: ``values / denominator``."""

    values: np.ndarray
    denominator: int = 1

    def at(self, index: tuple[int, ...]) -> Fraction:
        return Fraction(int(self.values[index]), self.denominator)

    @property
    def is_int64(self) -> bool:
        return bool(self.values.dtype == np.int64)

    def to_fractions(self) -> np.ndarray:
        """An object array of Fractions (small games only)."""
        out = np.empty(self.values.shape, dtype=object)
        d = self.denominator
        for idx, v in np.ndenumerate(self.values):
            out[idx] = Fraction(int(v), d)
        return out

    @staticmethod
    def from_fractions(arr: np.ndarray | Sequence[object]) -> "ExactTensor":
        """Build from an array of Fractions/ints (common denominator, reduced)."""
        a = np.asarray(arr, dtype=object)
        flat = [Fraction(x) for x in a.flat]
        den = 1
        for x in flat:
            den = den * x.denominator // math.gcd(den, x.denominator)
        ints = [int(x * den) for x in flat]
        return ExactTensor(as_int_array(ints, a.shape), den)


def as_int_array(ints: Sequence[int], shape: tuple[int, ...]) -> np.ndarray:
    """int64 when every value is safely small, else object of Python ints."""
    if all(-INT64_SAFE <= v <= INT64_SAFE for v in ints):
        return np.asarray(ints, dtype=np.int64).reshape(shape)
    out = np.empty(len(ints), dtype=object)
    out[:] = list(ints)
    return out.reshape(shape)


@dataclass(frozen=True, eq=False)
class MetricTensor:
    name: str
    tensor: ExactTensor
    sense: Literal["maximize", "minimize"] = "maximize"


@dataclass(frozen=True, eq=False)
class NormalFormGame:
    """A finite game in strategic form with exact payoffs.

    ``payoffs[p]`` is agent ``p``'s payoff tensor, shape ``sizes``."""

    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    payoffs: tuple[ExactTensor, ...]
    metrics: Mapping[str, MetricTensor] = field(default_factory=dict)
    title: str = ""

    def __post_init__(self) -> None:
        assert len(self.players) == len(self.actions) == len(self.payoffs)
        for t in self.payoffs:
            assert t.values.shape == self.shape, (t.values.shape, self.shape)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.actions)

    @property
    def num_players(self) -> int:
        return len(self.players)

    @property
    def num_profiles(self) -> int:
        return math.prod(self.shape)

    def payoff(self, player: int, profile: tuple[int, ...]) -> Fraction:
        return self.payoffs[player].at(profile)

    def payoff_vector(self, profile: tuple[int, ...]) -> tuple[Fraction, ...]:
        return tuple(t.at(profile) for t in self.payoffs)

    def profiles(self) -> Iterator[tuple[int, ...]]:
        return iter(np.ndindex(*self.shape))

    def profile_names(self, profile: tuple[int, ...]) -> dict[str, str]:
        return {p: self.actions[i][a] for i, (p, a) in enumerate(zip(self.players, profile))}

    def fraction_payoffs(self) -> list[np.ndarray]:
        """Per-player object arrays of Fractions (small games only)."""
        return [t.to_fractions() for t in self.payoffs]

    @staticmethod
    def from_fractions(
        players: Sequence[str],
        actions: Sequence[Sequence[str]],
        payoffs: Sequence[np.ndarray | Sequence[object]],
        title: str = "",
    ) -> "NormalFormGame":
        return NormalFormGame(
            tuple(players),
            tuple(tuple(a) for a in actions),
            tuple(ExactTensor.from_fractions(p) for p in payoffs),
            {},
            title,
        )
