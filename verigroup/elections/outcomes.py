"""Comparing and printing outcomes: a winner (resolute rules) or a lottery
(integer weights over a denominator, the number of voters)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from verigroup.elections.profiles import BoolArray, IntArray, RankingSpace


def gains(space: RankingSpace, r: int, new: IntArray, old: IntArray, d_new: int = 1, d_old: int = 1) -> BoolArray:
    """Rows where a voter whose true ranking is ``r`` strictly prefers ``new``
    to ``old``.  Winners: ``new`` is ranked above ``old``.  Lotteries
    (``d_*`` = denominators): some utility consistent with ``r`` gives
    ``new`` a higher expectation, i.e. for some k the probability of r's
    top k alternatives is larger under ``new`` (Gibbard's definition)."""
    if new.ndim == 1:
        pos = space.pos[r]
        return pos[new] < pos[old]
    order = space.perms[r]
    cn = np.cumsum(new[:, order], axis=1) * d_old
    co = np.cumsum(old[:, order], axis=1) * d_new
    return np.asarray((cn > co).any(axis=1), dtype=bool)


def outcome_json(value: Any, space: RankingSpace, denominator: int) -> Any:
    arr = np.asarray(value)
    if arr.ndim == 0:
        return space.names[int(arr)]
    return {space.names[x]: _q(Fraction(int(arr[x]), denominator)) for x in range(space.m) if int(arr[x])}


def _q(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
