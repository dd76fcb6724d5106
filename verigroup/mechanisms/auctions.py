"""Sealed-bid single-item auctions on a value grid, as Bayesian mechanisms.

Each bidder's type is its value, drawn independently from ``prior`` over
``values``; the direct mechanism asks for a bid from the same grid.  The
highest bid wins, ties broken uniformly at random (every table is exact:
the winning probability ``1/k`` is scaled by ``lcm(1..n)``).

* ``first``: the winner pays its bid;
* ``second``: the winner pays the highest competing bid (Vickrey);
* ``all_pay``: every bidder pays its bid.

:func:`scalar_utility` recomputes one bidder's utility from the rules alone
(no tables), the independent path used to replay witnesses.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal, Sequence

import numpy as np

from verigroup.diagnostics import SpecError, Span
from verigroup.mechanisms.bayesian import BayesianMechanism

Rule = Literal["first", "second", "all_pay"]
RULES: tuple[Rule, ...] = ("first", "second", "all_pay")


def sealed_bid(n: int, values: Sequence[Fraction | int | str], rule: Rule,
               prior: Sequence[Fraction] | None = None) -> BayesianMechanism:
    if rule not in RULES:
        raise SpecError.single("E703", f"unknown auction rule {rule!r}", Span("auction"),
                               "rules: " + ", ".join(RULES))
    if n < 1:
        raise SpecError.single("E703", "an auction needs at least one bidder", Span("auction"))
    vals = [Fraction(v) for v in values]
    if not vals or sorted(set(vals)) != vals:
        raise SpecError.single("E703", "values must be distinct and increasing", Span("auction"))
    m = len(vals)
    pr = tuple(Fraction(p) for p in prior) if prior is not None else tuple(Fraction(1, m) for _ in vals)
    vden = 1
    for v in vals:
        vden = vden * v.denominator // math.gcd(vden, v.denominator)
    L = math.lcm(*range(1, n + 1))
    ivals = np.array([int(v * vden) for v in vals], dtype=np.int64)
    shape = (m,) * n
    grids = np.indices(shape)                         # grids[i] = bid index of bidder i
    bids = ivals[grids]                               # bid values
    top = bids.max(axis=0)
    is_top = bids == top[np.newaxis]
    k = is_top.sum(axis=0)
    share = np.where(is_top, L // k[np.newaxis], 0)   # winning probability * L
    second = np.empty_like(top)
    if n >= 2:
        srt = np.sort(bids, axis=0)
        second = srt[-2]
    else:
        second[...] = 0
    value_tabs, pay_tabs = [], []
    for i in range(n):
        # value[i][t, r] = v(t) * x_i(r) (scaled by vden * L)
        value_tabs.append(ivals.reshape((m,) + (1,) * n) * share[i][np.newaxis])
        if rule == "first":
            pay = share[i] * bids[i]
        elif rule == "second":
            pay = share[i] * second
        else:
            pay = bids[i] * L
        pay_tabs.append(pay)
    best = top * L                                    # the highest value wins: welfare max v
    names = tuple(str(v) for v in vals)
    return BayesianMechanism(
        name=f"{rule}-price auction, {n} bidders, values {{{', '.join(names)}}}",
        agents=tuple(f"bidder{i + 1}" for i in range(n)), type_names=(names,) * n, prior=(pr,) * n,
        value=tuple(value_tabs), pay=tuple(pay_tabs), den=vden * L, best_welfare=best)


def scalar_utility(rule: Rule, values: Sequence[Fraction], i: int, true_value: Fraction,
                   bids: Sequence[Fraction]) -> Fraction:
    """Bidder ``i``'s expected utility from the rules (independent replay)."""
    top = max(bids)
    winners = [j for j, b in enumerate(bids) if b == top]
    p_win = Fraction(1, len(winners)) if i in winners else Fraction(0)
    if rule == "all_pay":
        return p_win * true_value - bids[i]
    if rule == "first":
        return p_win * (true_value - bids[i])
    others = sorted((b for j, b in enumerate(bids) if j != i), reverse=True)
    price = others[0] if others else Fraction(0)
    return p_win * (true_value - price)
