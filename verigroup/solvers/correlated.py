"""Correlated and coarse-correlated equilibria as exact linear programs.

Variables: ``p_s >= 0`` for every pure profile ``s``, ``sum p = 1``.

* CE: for every agent ``i`` and actions ``a != a'``:
  ``sum_{s_-i} p(a, s_-i) (u_i(a, s_-i) - u_i(a', s_-i)) >= 0``.
* CCE: for every agent ``i`` and fixed deviation ``a'``:
  ``sum_s p(s) (u_i(s) - u_i(a', s_-i)) >= 0``.

Written ``G p >= 0`` with integer ``G`` (each agent's rows are scaled by its
payoff denominator).  :func:`optimize` solves ``min/max c.p`` over this
polytope: HiGHS (``scipy.optimize.linprog``) in floats proposes a primal and
a dual solution; the exact answer is then reconstructed (rational rounding,
else an exact solve on the float solution's support and active constraints)
and *certified*: exact primal feasibility, exact dual feasibility of
``max z s.t. G^T lam + z 1 <= c, lam >= 0`` and zero duality gap, all in
Fractions.  When reconstruction fails an exact rational simplex
(:func:`exact_simplex`, Bland's rule) decides instead.  A float is never
reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from verigroup.runtime import check_deadline, highs_options
from verigroup.model.game import ExactTensor, NormalFormGame
from verigroup.solvers.rational import solve_least

MAX_PROFILES = 20_000


@dataclass(frozen=True)
class LPCertificate:
    """Exact optimality certificate: ``value == c.p == z`` with ``(lam, z)``
    dual feasible.  ``lam`` is indexed like :attr:`CEPolytope.rows`."""

    value: Fraction
    lam: tuple[Fraction, ...]
    z: Fraction
    method: str


@dataclass(frozen=True)
class CEPolytope:
    game: NormalFormGame
    coarse: bool
    profiles: tuple[tuple[int, ...], ...]
    g: np.ndarray  # object array of ints, shape (len(rows), len(profiles))
    rows: tuple[tuple[int, int, int], ...]  # (player, recommended a or -1, deviation a')


@dataclass(frozen=True)
class CorrelatedOptimum:
    distribution: tuple[tuple[tuple[int, ...], Fraction], ...]  # support only, sorted
    value: Fraction
    maximize: bool
    coarse: bool
    certificate: LPCertificate
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def build_polytope(game: NormalFormGame, coarse: bool = False) -> CEPolytope:
    from verigroup.diagnostics import Diagnostic, TooLarge

    if game.num_profiles > MAX_PROFILES:
        raise TooLarge([Diagnostic("E202", f"the correlated-equilibrium LP has {game.num_profiles} "
                                   f"variables (limit {MAX_PROFILES})",
                                   hint="use a smaller game or pure/mixed concepts")])
    shape = game.shape
    profiles = tuple(tuple(int(v) for v in s) for s in np.ndindex(*shape))
    index = {s: k for k, s in enumerate(profiles)}
    rows: list[tuple[int, int, int]] = []
    data: list[list[int]] = []
    for i in range(game.num_players):
        u = game.payoffs[i].values
        if coarse:
            for dev in range(shape[i]):
                row = [0] * len(profiles)
                for s in profiles:
                    t = s[:i] + (dev,) + s[i + 1:]
                    row[index[s]] = int(u[s]) - int(u[t])
                rows.append((i, -1, dev))
                data.append(row)
        else:
            for a in range(shape[i]):
                for dev in range(shape[i]):
                    if dev == a:
                        continue
                    row = [0] * len(profiles)
                    for s in profiles:
                        if s[i] != a:
                            continue
                        t = s[:i] + (dev,) + s[i + 1:]
                        row[index[s]] = int(u[s]) - int(u[t])
                    rows.append((i, a, dev))
                    data.append(row)
    g = np.empty((len(data), len(profiles)), dtype=object)
    for r, row in enumerate(data):
        g[r, :] = row
    return CEPolytope(game, coarse, profiles, g, tuple(rows))


def objective_vector(poly: CEPolytope, tensor: ExactTensor) -> list[Fraction]:
    return [tensor.at(s) for s in poly.profiles]


def welfare_tensor(game: NormalFormGame) -> ExactTensor:
    """Sum of all agents' payoffs, exactly."""
    total = np.zeros(game.shape, dtype=object)
    for t in game.payoffs:
        total = total + t.to_fractions()
    return ExactTensor.from_fractions(total)


# ------------------------------------------------------------ verification


def _gp(poly: CEPolytope, p: Sequence[Fraction]) -> list[Fraction]:
    out = []
    nz = [(k, v) for k, v in enumerate(p) if v != 0]
    for r in range(poly.g.shape[0]):
        row = poly.g[r]
        out.append(sum((row[k] * v for k, v in nz), Fraction(0)))
    return out


def primal_feasible(poly: CEPolytope, p: Sequence[Fraction]) -> bool:
    if len(p) != len(poly.profiles) or any(v < 0 for v in p) or sum(p, Fraction(0)) != 1:
        return False
    return all(v >= 0 for v in _gp(poly, p))


def certify(poly: CEPolytope, c: Sequence[Fraction], p: Sequence[Fraction],
            lam: Sequence[Fraction], z: Fraction) -> bool:
    """Exact optimality for ``min c.p``: primal and dual feasibility, zero gap."""
    if not primal_feasible(poly, p) or any(v < 0 for v in lam):
        return False
    nzl = [(r, v) for r, v in enumerate(lam) if v != 0]
    for k in range(len(poly.profiles)):
        if sum((poly.g[r, k] * v for r, v in nzl), Fraction(0)) + z > c[k]:
            return False
    return sum((ck * pk for ck, pk in zip(c, p)), Fraction(0)) == z


def is_correlated_equilibrium(game: NormalFormGame,
                              distribution: Sequence[tuple[tuple[int, ...], Fraction]],
                              coarse: bool = False) -> tuple[bool, dict[str, Any] | None]:
    """Exact check.  Returns ``(True, None)`` or ``(False, info)`` where info
    names the violated constraint (agent, recommended action, deviation, gain)."""
    probs: dict[tuple[int, ...], Fraction] = {}
    for s, pr in distribution:
        probs[tuple(s)] = probs.get(tuple(s), Fraction(0)) + Fraction(pr)
    if any(v < 0 for v in probs.values()):
        return False, {"why": "negative probability"}
    if sum(probs.values(), Fraction(0)) != 1:
        return False, {"why": "probabilities do not sum to 1"}
    for i in range(game.num_players):
        n_i = game.shape[i]
        recs = [-1] if coarse else list(range(n_i))
        for a in recs:
            for dev in range(n_i):
                if dev == a:
                    continue
                gain = Fraction(0)
                for s, pr in probs.items():
                    if a >= 0 and s[i] != a:
                        continue
                    t = s[:i] + (dev,) + s[i + 1:]
                    gain += pr * (game.payoff(i, t) - game.payoff(i, s))
                if gain > 0:
                    return False, {"agent": i, "recommended": None if a < 0 else a,
                                   "deviation": dev, "gain": gain}
    return True, None


# ------------------------------------------------------------ optimisation


def optimize(game: NormalFormGame, objective: ExactTensor | None = None, maximize: bool = True,
             coarse: bool = False) -> CorrelatedOptimum:
    """Exact optimum of a linear objective (default: total welfare) over the
    CE (or CCE) polytope, with an exact certificate."""
    poly = build_polytope(game, coarse)
    tensor = objective if objective is not None else welfare_tensor(game)
    obj = objective_vector(poly, tensor)
    c = [-v for v in obj] if maximize else obj  # we always minimise c.p
    p, lam, z, method = _solve(poly, c)
    value = -z if maximize else z
    dist = tuple((poly.profiles[k], v) for k, v in enumerate(p) if v != 0)
    cert = LPCertificate(value, tuple(lam), z, method)
    return CorrelatedOptimum(tuple(sorted(dist)), value, maximize, coarse, cert)


def _solve(poly: CEPolytope, c: list[Fraction]) -> tuple[list[Fraction], list[Fraction], Fraction, str]:
    check_deadline()
    # The float LP only proposes; numbers beyond float range (OverflowError
    # converting an exact int) skip the proposal and the exact simplex decides.
    try:
        guess = _float_lp(poly, c)
        if guess is not None:
            xp, xl, xz = guess
            for cand in _reconstructions(poly, c, xp, xl, xz):
                check_deadline()
                if certify(poly, c, *cand):
                    return cand[0], cand[1], cand[2], "highs + exact reconstruction"
    except OverflowError:
        pass
    p, lam, z = exact_simplex(poly, c)
    if not certify(poly, c, p, lam, z):  # pragma: no cover - would be a bug
        raise AssertionError("exact simplex produced an uncertified optimum")
    return p, lam, z, "exact rational simplex"


def _float_lp(poly: CEPolytope, c: list[Fraction]) -> tuple[np.ndarray, np.ndarray, float] | None:
    from scipy.optimize import linprog

    g = poly.g.astype(float)
    n = len(poly.profiles)
    scale = max(1.0, float(np.abs(g).max()) if g.size else 1.0)
    cf = np.array([float(v) for v in c])
    res = linprog(cf, A_ub=-g / scale if g.size else None, b_ub=np.zeros(len(g)) if g.size else None,
                  A_eq=np.ones((1, n)), b_eq=[1.0], bounds=(0, None), method="highs",
                  options=highs_options())
    check_deadline()  # HiGHS stops at the budget (time_limit); report it as the deadline
    if res.status != 0:
        return None
    lam = (-np.asarray(res.ineqlin.marginals) / scale) if g.size else np.zeros(0)
    return np.asarray(res.x), lam, float(res.eqlin.marginals[0])


def _reconstructions(poly: CEPolytope, c: list[Fraction], xp: np.ndarray, xl: np.ndarray,
                     xz: float) -> Any:
    # 1. rational rounding of the float solution
    for den in (10**2, 10**4, 10**6, 10**9):
        p = [max(Fraction(float(v)).limit_denominator(den), Fraction(0)) for v in xp]
        s = sum(p, Fraction(0))
        if s == 0:
            continue
        p = [v / s for v in p]
        lam = [max(Fraction(float(v)).limit_denominator(den), Fraction(0)) for v in xl]
        zz = Fraction(xz).limit_denominator(den)
        yield p, lam, zz
    # 2. exact solve on the float solution's support and active constraints
    tol = 1e-9
    n = len(poly.profiles)
    support = [k for k in range(n) if xp[k] > tol]
    gp = poly.g.astype(float) @ xp if poly.g.size else np.zeros(0)
    gscale = max(1.0, float(np.abs(poly.g.astype(float)).max())) if poly.g.size else 1.0
    active = [r for r in range(len(gp)) if abs(gp[r]) <= 1e-7 * gscale]
    rows = [[poly.g[r, k] for k in support] for r in active] + [[1] * len(support)]
    sol = solve_least(rows, [0] * len(active) + [1], len(support))
    if sol is not None:
        p = [Fraction(0)] * n
        for k, v in zip(support, sol):
            p[k] = v
        lset = [r for r in range(len(xl)) if xl[r] > tol]
        # (G^T lam)_k + z = c_k on the support
        drows = [[poly.g[r, k] for r in lset] + [1] for k in support]
        dsol = solve_least(drows, [c[k] for k in support], len(lset) + 1)
        if dsol is not None:
            lam = [Fraction(0)] * len(xl)
            for r, v in zip(lset, dsol[:-1]):
                lam[r] = v
            yield p, lam, dsol[-1]


def exact_simplex(poly: CEPolytope, c: list[Fraction]) -> tuple[list[Fraction], list[Fraction], Fraction]:
    """Exact two-phase simplex (Bland's rule) for ``min c.p, G p >= 0,
    sum p = 1, p >= 0``.  Columns: p (n), slacks s (K) with ``-G p + s = 0``,
    one artificial for the normalisation row."""
    k_rows, n = poly.g.shape if poly.g.size else (0, len(poly.profiles))
    ncols = n + k_rows + 1
    art = ncols - 1
    # rows 0..K-1: -G p + s = 0 ; row K: sum p + art = 1
    tab: list[list[Fraction]] = []
    for r in range(k_rows):
        row = [Fraction(-int(poly.g[r, j])) for j in range(n)] + [Fraction(0)] * (k_rows + 1) + [Fraction(0)]
        row[n + r] = Fraction(1)
        tab.append(row)
    tab.append([Fraction(1)] * n + [Fraction(0)] * k_rows + [Fraction(1), Fraction(1)])
    basis = [n + r for r in range(k_rows)] + [art]

    def run(cost: list[Fraction], allowed: int) -> None:
        while True:
            check_deadline()
            cb = [cost[b] for b in basis]
            enter = -1
            for j in range(allowed):
                if j in basis:
                    continue
                red = cost[j] - sum((cb[i] * tab[i][j] for i in range(len(tab)) if tab[i][j] != 0), Fraction(0))
                if red < 0:
                    enter = j
                    break
            if enter < 0:
                return
            best: tuple[Fraction, int] | None = None
            leave = -1
            for i in range(len(tab)):
                a = tab[i][enter]
                if a > 0:
                    ratio = tab[i][-1] / a
                    key = (ratio, basis[i])
                    if best is None or key < best:
                        best, leave = key, i
            if leave < 0:
                raise AssertionError("unbounded LP (impossible: the CE polytope is bounded)")
            piv = tab[leave][enter]
            prow = [v / piv for v in tab[leave]]
            tab[leave] = prow
            for i in range(len(tab)):
                if i != leave and tab[i][enter] != 0:
                    f = tab[i][enter]
                    tab[i] = [x - f * y for x, y in zip(tab[i], prow)]
            basis[leave] = enter

    phase1 = [Fraction(0)] * ncols
    phase1[art] = Fraction(1)
    run(phase1, ncols)
    # drive the artificial out of the basis if it stayed at level 0
    if art in basis:
        i = basis.index(art)
        if tab[i][-1] != 0:
            raise AssertionError("CE polytope empty (impossible: Nash equilibria exist)")
        for j in range(n + k_rows):
            if j not in basis and tab[i][j] != 0:
                piv = tab[i][j]
                prow = [v / piv for v in tab[i]]
                tab[i] = prow
                for r in range(len(tab)):
                    if r != i and tab[r][j] != 0:
                        f = tab[r][j]
                        tab[r] = [x - f * y for x, y in zip(tab[r], prow)]
                basis[i] = j
                break
    cost = list(c) + [Fraction(0)] * (k_rows + 1)
    run(cost, n + k_rows)
    p = [Fraction(0)] * n
    for i, b in enumerate(basis):
        if b < n:
            p[b] = tab[i][-1]
    # duals: y^T B = c_B over the basis columns of the original system
    orig: list[list[Fraction]] = []
    for r in range(k_rows):
        row = [Fraction(-int(poly.g[r, j])) for j in range(n)] + [Fraction(0)] * k_rows
        row[n + r] = Fraction(1)
        orig.append(row)
    orig.append([Fraction(1)] * n + [Fraction(0)] * k_rows)
    cols = [b if b != art else None for b in basis]
    eqs: list[list[Fraction]] = []
    rhs: list[Fraction] = []
    for b in cols:
        if b is None:
            continue
        eqs.append([orig[r][b] for r in range(k_rows + 1)])
        rhs.append(cost[b])
    y = solve_least(eqs, rhs, k_rows + 1)
    if y is None:  # pragma: no cover
        raise AssertionError("singular final basis")
    # slack column of row r gives y_r <= 0, so lam_r = -y_r >= 0
    lam = [-v for v in y[:k_rows]]
    return p, lam, y[k_rows]
