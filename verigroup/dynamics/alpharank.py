"""alpha-Rank (Omidshafiei et al. 2019) with certified arithmetic.

The Markov chain is over monomorphic states: pure strategies of one
population (symmetric game) or pure profiles of several populations (one
population changes at a time).  From state ``s`` a mutant ``r`` appears with
probability ``eta`` (``1/(n-1)``, or ``1/sum(n_k - 1)``) and fixates with
probability ``rho(r, s)``.

Fixation probabilities
----------------------
* **Fermi** (OpenSpiel's default and the paper's): ``rho = 1 / (1 + sum_{l=1}^{m-1}
  exp(-alpha S_l))`` with ``S_l`` the accumulated fitness advantage of the
  mutant over the first ``l`` steps -- an exact rational.  ``exp`` of a
  rational is transcendental, so these are not rational numbers: they are
  computed as **rigorous intervals** (mpmath interval arithmetic, outward
  rounding, 113-bit) and every later step is subtraction-free (sums and
  products of positive quantities, and the Grassmann-Taksar-Heyman
  elimination for the stationary distribution), so the enclosures stay
  tight.  Each mass is reported as an approximate value with a certified
  ``[lo, hi]`` enclosure.
* **Moran** (linear fitness ``1 - w + w * payoff``, ``w = alpha`` in [0, 1]):
  everything is rational and the stationary distribution is exact.

Selection model: ``local`` (fitness against the current opponent only --
OpenSpiel's ``use_local_selection_model=True`` default) or ``global``
(expected payoff in the finite population of size ``m``).

alpha -> infinity
-----------------
Each transition probability behaves like ``c * exp(-alpha r)`` with an exact
rational rate ``r >= 0`` and coefficient ``c > 0``.  By the Markov chain tree
theorem the stationary mass of a state is a sum over spanning in-trees of
products of transition probabilities (no cancellation), so the limit is
carried by the in-trees of least total rate: ``pi_i = sum_{min trees at i}
prod c / sum_{all min trees} prod c`` -- exact rationals, computed
symbolically, never by a sweep over alpha, and defined even where the
limiting chain is reducible (where OpenSpiel's sweep fails).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from typing import Any, Literal, Sequence

Selection = Literal["local", "global"]
Fixation = Literal["fermi", "moran"]
PREC = 113
MAX_TREE_WORK = 2_000_000


@dataclass(frozen=True)
class Mass:
    value: Fraction | None            # exact (Moran, or alpha = infinity)
    lo: Fraction | None = None        # certified enclosure (Fermi)
    hi: Fraction | None = None

    @property
    def approx(self) -> float:
        if self.value is not None:
            return float(self.value)
        assert self.lo is not None and self.hi is not None
        return float((self.lo + self.hi) / 2)


@dataclass(frozen=True)
class AlphaRank:
    states: tuple[tuple[int, ...], ...]   # strategy index (one population) or profile
    masses: tuple[Mass, ...]
    alpha: Fraction | None               # None: the alpha -> infinity limit
    m: int
    fixation: Fixation
    selection: Selection
    exact: bool
    edges: tuple[tuple[int, int, float], ...]  # (from, to, fixation prob / neutral) for pictures
    method: str


# ---------------------------------------------------------------- the chain

def _states(tables: Sequence[Any], single: bool) -> tuple[list[tuple[int, ...]], list[list[tuple[int, int]]]]:
    """States and, per state, (target state, population that changed)."""
    if single:
        n = len(tables[0])
        states: list[tuple[int, ...]] = [(i,) for i in range(n)]
        moves = [[(j, 0) for j in range(n) if j != i] for i in range(n)]
        return states, moves
    sizes = (len(tables[0]), len(tables[0][0]))
    states = [tuple(p) for p in product(range(sizes[0]), range(sizes[1]))]
    index: dict[tuple[int, ...], int] = {s: k for k, s in enumerate(states)}
    moves = []
    for s in states:
        out = []
        for pop in range(2):
            for alt in range(sizes[pop]):
                if alt != s[pop]:
                    t = list(s)
                    t[pop] = alt
                    out.append((index[tuple(t)], pop))
        moves.append(out)
    return states, moves


def _advantages(tables: Sequence[Any], single: bool, s: tuple[int, ...], r: tuple[int, ...], pop: int,
                m: int, selection: Selection) -> tuple[Fraction, Fraction]:
    """The mutant's fitness advantage at step k (k = 1..m-1) is c0 + c1 * k."""
    if single:
        a = tables[0]
        i, j = r[0], s[0]
        if selection == "local":
            return a[i][j] - a[j][i], Fraction(0)
        # f_r(k) = ((k-1) a_rr + (m-k) a_rs)/(m-1); f_s(k) = ((m-k-1) a_ss + k a_sr)/(m-1)
        d = Fraction(m - 1)
        c0 = (-a[i][i] + m * a[i][j] - (m - 1) * a[j][j]) / d
        c1 = (a[i][i] - a[i][j] + a[j][j] - a[j][i]) / d
        return c0, c1
    t = tables[pop]
    return t[r[0]][r[1]] - t[s[0]][s[1]], Fraction(0)


def _fermi_interval(c0: Fraction, c1: Fraction, alpha: Fraction, m: int) -> Any:
    from mpmath import iv

    def q(x: Fraction) -> Any:
        return iv.mpf(x.numerator) / iv.mpf(x.denominator)

    # term_l = exp(-alpha S_l), S_l = sum_{k<=l} (c0 + c1 k); multiply step by step
    base = iv.exp(-q(alpha * c0))
    step = iv.exp(-q(alpha * c1))
    total = iv.mpf(0)
    term = iv.mpf(1)
    factor = base
    for _ in range(1, m):
        factor = factor * step
        term = term * factor
        total = total + term
    return 1 / (1 + total)


def _moran_exact(tables: Sequence[Any], single: bool, s: tuple[int, ...], r: tuple[int, ...], pop: int,
                 m: int, w: Fraction, selection: Selection) -> Fraction:
    c0, c1 = _advantages(tables, single, s, r, pop, m, "global" if single else selection)
    if single and selection == "global":
        a = tables[0]
        i, j = r[0], s[0]
        d = Fraction(m - 1)

        def fr(k: int) -> Fraction:
            return 1 - w + w * ((k - 1) * a[i][i] + (m - k) * a[i][j]) / d

        def fs(k: int) -> Fraction:
            return 1 - w + w * ((m - k - 1) * a[j][j] + k * a[j][i]) / d
        ratios = [(fs(k), fr(k)) for k in range(1, m)]
    else:
        if single:
            a = tables[0]
            f_r, f_s = a[r[0]][s[0]], a[s[0]][r[0]]
        else:
            f_r, f_s = tables[pop][r[0]][r[1]], tables[pop][s[0]][s[1]]
        ratios = [(1 - w + w * f_s, 1 - w + w * f_r)] * (m - 1)
    for num, den in ratios:
        if num <= 0 or den <= 0:
            raise ValueError("Moran fitness 1 - w + w*payoff must be positive; lower alpha (w)")
    # rho = 1 / (1 + sum_l prod_{k<=l} g_k), g_k = fs/fr, evaluated by Horner's
    # rule from the inside out, T <- g_k (1 + T), on an unreduced integer
    # numerator/denominator (one gcd at the end instead of one per step).
    u, v = 0, 1
    for fs_k, fr_k in reversed(ratios):
        gn = fs_k.numerator * fr_k.denominator
        gd = fs_k.denominator * fr_k.numerator
        u, v = gn * (v + u), gd * v
    return Fraction(v, v + u)


def _gth(p: list[list[Any]], zero: Any, one: Any) -> list[Any]:
    """Grassmann-Taksar-Heyman: the stationary distribution from the
    off-diagonal transition probabilities, without subtractions."""
    n = len(p)
    a = [row[:] for row in p]
    for k in range(n - 1, 0, -1):
        s = zero
        for j in range(k):
            s = s + a[k][j]
        for i in range(k):
            a[i][k] = a[i][k] / s
        for i in range(k):
            for j in range(k):
                if i != j:
                    a[i][j] = a[i][j] + a[i][k] * a[k][j]
    pi = [one] + [zero] * (n - 1)
    for k in range(1, n):
        t = zero
        for i in range(k):
            t = t + pi[i] * a[i][k]
        pi[k] = t
    total = zero
    for v in pi:
        total = total + v
    return [v / total for v in pi]


def alpharank(tables: Sequence[Any], single: bool, alpha: Fraction, m: int = 50,
              fixation: Fixation = "fermi", selection: Selection = "local") -> AlphaRank:
    """The stationary distribution for a finite ``alpha`` (``tables`` are exact
    payoff matrices: one for a symmetric game, two for two populations)."""
    states, moves = _states(tables, single)
    n = len(states)
    eta = Fraction(1, sum(len(mv) for mv in moves[:1]))
    edges: list[tuple[int, int, float]] = []
    if fixation == "moran":
        p = [[Fraction(0)] * n for _ in range(n)]
        for si, mv in enumerate(moves):
            for ti, pop in mv:
                rho = _moran_exact(tables, single, states[si], states[ti], pop, m, alpha, selection)
                p[si][ti] = eta * rho
                edges.append((si, ti, float(rho * m)))
        pi = _gth(p, Fraction(0), Fraction(1))
        return AlphaRank(tuple(states), tuple(Mass(v) for v in pi), alpha, m, fixation, selection, True,
                         tuple(edges), f"Moran process, linear fitness 1 - w + w*payoff (w = {alpha}), exact rationals")
    from mpmath import iv

    old = iv.prec
    iv.prec = PREC
    try:
        zero, one = iv.mpf(0), iv.mpf(1)
        eta_iv = one / iv.mpf(eta.denominator)
        p_iv = [[zero] * n for _ in range(n)]
        for si, mv in enumerate(moves):
            for ti, pop in mv:
                c0, c1 = _advantages(tables, single, states[si], states[ti], pop, m, selection)
                rho = _fermi_interval(c0, c1, alpha, m)
                p_iv[si][ti] = eta_iv * rho
                edges.append((si, ti, float(rho.mid) * m))
        pi_iv = _gth(p_iv, zero, one)
        masses = tuple(Mass(None, max(lo, Fraction(0)), min(hi, Fraction(1)))
                       for lo, hi in (_bounds(v) for v in pi_iv))
    finally:
        iv.prec = old
    return AlphaRank(tuple(states), masses, alpha, m, fixation, selection, False, tuple(edges),
                     f"Fermi fixation ({selection} selection), certified {PREC}-bit interval arithmetic")


def _bounds(v: Any) -> tuple[Fraction, Fraction]:
    """The exact endpoints of an mpmath interval (raw binary floats)."""
    def conv(t: Any) -> Fraction:
        sign, man, exp, _bc = t
        x = Fraction(int(man)) * (Fraction(2) ** int(exp))
        return -x if sign else x
    lo, hi = v._mpi_
    return conv(lo), conv(hi)


# ---------------------------------------------------------------- alpha -> infinity

def _asymptotic(c0: Fraction, c1: Fraction, m: int) -> tuple[Fraction, Fraction]:
    """(rate, coefficient) of rho(alpha) ~ coefficient * exp(-alpha * rate)."""
    sums = []
    s = Fraction(0)
    for k in range(1, m):
        s += c0 + c1 * k
        sums.append(s)
    low = min(sums) if sums else Fraction(1)
    if low > 0:
        return Fraction(0), Fraction(1)
    count = sum(1 for v in sums if v == low)
    if low == 0:
        return Fraction(0), Fraction(1, 1 + count)
    return -low, Fraction(1, count)


def alpharank_limit(tables: Sequence[Any], single: bool, m: int = 50,
                    selection: Selection = "local") -> AlphaRank:
    """The alpha -> infinity limit of the Fermi alpha-Rank distribution,
    exactly (least-rate spanning in-trees)."""
    states, moves = _states(tables, single)
    n = len(states)
    eta = Fraction(1, len(moves[0]))
    rate: dict[tuple[int, int], Fraction] = {}
    coef: dict[tuple[int, int], Fraction] = {}
    edges: list[tuple[int, int, float]] = []
    for si, mv in enumerate(moves):
        for ti, pop in mv:
            c0, c1 = _advantages(tables, single, states[si], states[ti], pop, m, selection)
            r, c = _asymptotic(c0, c1, m)
            rate[(si, ti)] = r
            coef[(si, ti)] = eta * c
            if r == 0:
                edges.append((si, ti, float(c * m)))
    work = 1
    for mv in moves:
        work *= max(1, len(mv))
    if work * n > MAX_TREE_WORK:
        raise ValueError(f"{n} states: the exact alpha -> infinity limit enumerates spanning trees "
                         f"(~{work * n} candidates, limit {MAX_TREE_WORK})")
    best: Fraction | None = None
    weight = [Fraction(0)] * n
    for root in range(n):
        for r_total, w in _in_trees(n, root, moves, rate, coef):
            if best is None or r_total < best:
                best = r_total
                weight = [Fraction(0)] * n
            if r_total == best:
                weight[root] += w
    total = sum(weight, Fraction(0))
    pi = [w / total for w in weight]
    return AlphaRank(tuple(states), tuple(Mass(v) for v in pi), None, m, "fermi", selection, True,
                     tuple(edges), "alpha -> infinity: least-rate spanning in-trees (Markov chain tree theorem), exact")


def _in_trees(n: int, root: int, moves: Sequence[Sequence[tuple[int, int]]],
              rate: dict[tuple[int, int], Fraction], coef: dict[tuple[int, int], Fraction]):  # type: ignore[no-untyped-def]
    """Every spanning in-tree to ``root``: (total rate, product of coefficients)."""
    others = [v for v in range(n) if v != root]
    choices = [[t for t, _ in moves[v]] for v in others]
    for parents in product(*choices):
        par = dict(zip(others, parents))
        ok = True
        for v in others:  # every node must reach the root
            seen = set()
            u = v
            while u != root:
                if u in seen:
                    ok = False
                    break
                seen.add(u)
                u = par[u]
            if not ok:
                break
        if ok:
            r = sum((rate[(v, par[v])] for v in others), Fraction(0))
            w = Fraction(1)
            for v in others:
                w *= coef[(v, par[v])]
            yield r, w
