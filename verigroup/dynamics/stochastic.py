"""Risk dominance and stochastically stable conventions (exact resistances).

Conventions are strict pure equilibria (symmetric ones in a single
population).  Young's adaptive play / Kandori-Mailath-Rob uniform mistakes,
in the limit of large samples (population), make the *resistance* of a
transition the least share of mistaken players needed to tip everybody's
best reply:

* one population, strategies ``i`` and ``j`` with ``A`` restricted to them:
  ``r(i -> j) = 1 - x*`` where ``x*`` is the share of ``i`` at the mixed rest
  point of the two-strategy restriction (``j`` becomes a best reply once a
  share ``1 - x*`` plays it);
* two populations (2x2): ``r(E0 -> E1) = min(q*, p*)`` with ``q*`` (``p*``)
  the share of the other population playing the new convention that makes
  the row (column) population switch.

The stochastically stable conventions minimise the stochastic potential
(minimum-resistance in-tree, Young 1993); with two conventions that is the
one harder to leave.  Exact rationals throughout.  Implemented for two
conventions (two-strategy symmetric games, 2x2 two-population games); with
more conventions least-resistance paths may pass through mixed states, and
the method is refused (``None``) rather than approximated.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence


@dataclass(frozen=True)
class Convention:
    profile: tuple[int, ...]   # a strategy index (one population) or (row, col)
    resistance_to_leave: Fraction


@dataclass(frozen=True)
class StochasticStability:
    conventions: tuple[Convention, ...]
    risk_dominant: tuple[tuple[int, ...], ...]
    stochastically_stable: tuple[tuple[int, ...], ...]
    method: str


def symmetric_conventions(a: Sequence[Sequence[Fraction]]) -> list[int]:
    n = len(a)
    return [i for i in range(n) if all(a[i][i] > a[k][i] for k in range(n) if k != i)]


def symmetric_stochastic(a: Sequence[Sequence[Fraction]]) -> StochasticStability | None:
    conv = symmetric_conventions(a)
    if len(conv) == 1:
        return StochasticStability((Convention((conv[0],), Fraction(1)),), ((conv[0],),), ((conv[0],),),
                                   "unique strict symmetric equilibrium")
    if len(conv) == 0:
        return StochasticStability((), (), (), "no strict symmetric equilibrium")
    if len(conv) > 2 or len(a) > 2:
        return None  # least-resistance paths may pass through other strategies
    i, j = conv
    gi = a[i][i] - a[j][i]   # loss of deviating from i when all play i
    gj = a[j][j] - a[i][j]
    # x* = share of i making i and j equally good: x gi = (1 - x) gj
    xstar = gj / (gi + gj)
    leave_i = 1 - xstar      # share of j-mutants needed to leave i
    leave_j = xstar
    rd = ((i,),) if gi > gj else ((j,),) if gj > gi else ((i,), (j,))
    ss = ((i,),) if leave_i > leave_j else ((j,),) if leave_j > leave_i else ((i,), (j,))
    return StochasticStability((Convention((i,), leave_i), Convention((j,), leave_j)), rd, ss,
                               "uniform mistakes, large-population limit (KMR / Young): exact resistances")


def two_population_stochastic(a: Sequence[Sequence[Fraction]], b: Sequence[Sequence[Fraction]]) -> StochasticStability | None:
    if len(a) != 2 or len(a[0]) != 2:
        return None
    strict = [(i, j) for i in range(2) for j in range(2)
              if a[i][j] > a[1 - i][j] and b[i][j] > b[i][1 - j]]
    if len(strict) == 1:
        return StochasticStability((Convention(strict[0], Fraction(1)),), (strict[0],), (strict[0],),
                                   "unique strict equilibrium")
    if len(strict) != 2:
        return StochasticStability((), (), (), "no strict equilibrium")
    (i0, j0), (i1, j1) = strict
    alpha = a[i0][j0] - a[i1][j0]   # row's loss deviating from E0
    beta = a[i1][j1] - a[i0][j1]
    gamma = b[i0][j0] - b[i0][j1]
    delta = b[i1][j1] - b[i1][j0]
    q = alpha / (alpha + beta)      # share of columns on E1 making rows switch
    p = gamma / (gamma + delta)
    leave0 = min(q, p)
    leave1 = min(1 - q, 1 - p)
    e0, e1 = strict
    rd = (e0,) if alpha * gamma > beta * delta else (e1,) if beta * delta > alpha * gamma else (e0, e1)
    ss = (e0,) if leave0 > leave1 else (e1,) if leave1 > leave0 else (e0, e1)
    return StochasticStability((Convention(e0, leave0), Convention(e1, leave1)), rd, ss,
                               "Young's adaptive play, large-sample limit: exact resistances")
