"""Evolutionarily and neutrally stable strategies, exact.

For a symmetric game with payoff matrix ``A`` (strategy ``i`` against ``j``):

* the symmetric Nash equilibria are enumerated by support: on a support
  ``S`` the system ``(Ax)_i = v (i in S)``, ``sum x = 1`` is solved exactly;
  a nonsingular solution with ``x_S > 0`` and ``(Ax)_j <= v`` everywhere is an
  equilibrium.  (An ESS is an isolated equilibrium, and a singular support
  system gives a line of equal-payoff points through it, so every ESS is
  found on a nonsingular support.)
* ``x`` is an ESS iff it is a symmetric equilibrium and ``z.Az < 0`` for every
  nonzero ``z`` in the cone ``C = {sum z = 0, z_j = 0 off the best replies J,
  z_k >= 0 for k in J \\ S}`` (Maynard Smith's second-order condition
  rewritten for ``y = x + z``; Haigh 1975).  It is neutrally stable (NSS)
  iff ``z.Az <= 0`` on ``C``.  When ``J = S`` the cone is a subspace and the
  test is exact (semi)definiteness of the projected form (LDL^T over the
  rationals).  Otherwise: definite on the larger subspace decides "yes",
  indefinite on the smaller one decides "no", and the remaining cases are a
  small nonlinear real-arithmetic question handed to Z3 (a decision
  procedure: sat / unsat; ``unknown`` stays UNKNOWN).

Rock-paper-scissors: uniform is the unique equilibrium, ``z.Az = 0`` on the
whole tangent space: neutrally stable, not an ESS.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Iterator, Literal, Sequence

from verigroup.dynamics.linalg import negative_definite, negative_semidefinite, solve_unique

Status = Literal["yes", "no", "unknown"]


@dataclass(frozen=True)
class SupportPoint:
    """A point where every strategy of ``support`` earns the same ``value``."""

    strategy: tuple[Fraction, ...]
    value: Fraction
    support: tuple[int, ...]
    best_replies: tuple[int, ...]  # strategies earning the maximum against x

    @property
    def is_nash(self) -> bool:
        return set(self.support) <= set(self.best_replies)


@dataclass(frozen=True)
class EssVerdict:
    point: SupportPoint
    ess: Status
    nss: Status
    method: str


def payoffs_against(a: Sequence[Sequence[Fraction]], x: Sequence[Fraction]) -> list[Fraction]:
    return [sum((a[i][j] * x[j] for j in range(len(x)) if x[j]), Fraction(0)) for i in range(len(a))]


def support_points(a: Sequence[Sequence[Fraction]]) -> tuple[list[SupportPoint], list[tuple[int, ...]]]:
    """Every isolated point of the simplex whose support strategies earn equal
    payoffs (the replicator rest points), and the supports whose system is
    singular but consistent (where a continuum of rest points may lie)."""
    n = len(a)
    points: list[SupportPoint] = []
    singular: list[tuple[int, ...]] = []
    for k in range(1, n + 1):
        for s in combinations(range(n), k):
            sol = _solve_support(a, s)
            if sol is None:
                if k > 1 and _consistent(a, s):
                    singular.append(s)
                continue
            xs, v = sol
            if any(q <= 0 for q in xs):
                continue
            x = [Fraction(0)] * n
            for i, q in zip(s, xs):
                x[i] = q
            pay = payoffs_against(a, x)
            best = max(pay)
            points.append(SupportPoint(tuple(x), v, s, tuple(i for i in range(n) if pay[i] == best)))
    return points, singular


def _system(a: Sequence[Sequence[Fraction]], s: tuple[int, ...]) -> tuple[list[list[Fraction]], list[Fraction]]:
    k = len(s)
    rows = [[a[i][j] for j in s] + [Fraction(-1)] for i in s]
    rows.append([Fraction(1)] * k + [Fraction(0)])
    rhs = [Fraction(0)] * k + [Fraction(1)]
    return rows, rhs


def _solve_support(a: Sequence[Sequence[Fraction]], s: tuple[int, ...]) -> tuple[list[Fraction], Fraction] | None:
    rows, rhs = _system(a, s)
    sol = solve_unique(rows, rhs)
    if sol is None:
        return None
    return sol[:-1], sol[-1]


def _consistent(a: Sequence[Sequence[Fraction]], s: tuple[int, ...]) -> bool:
    from verigroup.dynamics.linalg import rank

    rows, rhs = _system(a, s)
    return rank(rows) == rank([r + [b] for r, b in zip(rows, rhs)])


def symmetric_equilibria(a: Sequence[Sequence[Fraction]]) -> list[SupportPoint]:
    pts, _ = support_points(a)
    return [p for p in pts if p.is_nash]


def _projected_form(a: Sequence[Sequence[Fraction]], coords: Sequence[int]) -> list[list[Fraction]]:
    """The symmetric form z.Az on {sum z = 0, z supported on coords}, in the
    basis e_u - e_last."""
    last = coords[-1]
    basis = coords[:-1]

    def q(i: int, j: int) -> Fraction:
        def s(p: int, r: int) -> Fraction:
            return (a[p][r] + a[r][p]) / 2
        return s(i, j) - s(i, last) - s(last, j) + s(last, last)

    return [[q(i, j) for j in basis] for i in basis]


def classify(a: Sequence[Sequence[Fraction]], p: SupportPoint, timeout_ms: int = 10_000) -> EssVerdict:
    """ESS / NSS status of a symmetric equilibrium ``p`` (exact)."""
    if not p.is_nash:
        return EssVerdict(p, "no", "no", "not a symmetric equilibrium")
    s = list(p.support)
    j = list(p.best_replies)
    if len(j) == 1:  # strict equilibrium: the cone is {0}
        return EssVerdict(p, "yes", "yes", "strict equilibrium")
    big = _projected_form(a, j)
    small = _projected_form(a, s) if len(s) > 1 else []
    if len(j) == len(s):
        return EssVerdict(p, "yes" if negative_definite(big) else "no",
                          "yes" if negative_semidefinite(big) else "no",
                          "second-order condition: exact definiteness on the tangent space")
    ess: Status
    nss: Status
    if negative_definite(big):
        ess = "yes"
    elif small and not negative_definite(small):
        ess = "no"
    else:
        ess = _cone_check(a, p, strict=True, timeout_ms=timeout_ms)
    if negative_semidefinite(big):
        nss = "yes"
    elif small and not negative_semidefinite(small):
        nss = "no"
    else:
        nss = _cone_check(a, p, strict=False, timeout_ms=timeout_ms)
    return EssVerdict(p, ess, nss, "second-order condition on the best-reply cone (exact; Z3 nlsat where needed)")


def _cone_check(a: Sequence[Sequence[Fraction]], p: SupportPoint, strict: bool, timeout_ms: int) -> Status:
    """Decide ``z.Az < 0`` (strict) or ``<= 0`` on the best-reply cone minus 0
    with Z3's nonlinear real arithmetic (a complete procedure for this)."""
    import z3

    j = list(p.best_replies)
    outside = [k for k in j if k not in p.support]
    z = {i: z3.Real(f"z{i}") for i in j}
    sol = z3.SolverFor("QF_NRA")
    sol.set("timeout", timeout_ms)
    sol.add(z3.Sum([z[i] for i in j]) == 0)
    for k in outside:
        sol.add(z[k] >= 0)
    sol.add(z3.Sum([z[i] * z[i] for i in j]) == 1)
    form = z3.Sum([z3.RealVal(str(a[r][c])) * z[r] * z[c] for r in j for c in j])
    sol.add(form >= 0 if strict else form > 0)
    res = sol.check()
    if res == z3.unsat:
        return "yes"
    if res == z3.sat:
        return "no"
    return "unknown"


def ess_list(a: Sequence[Sequence[Fraction]]) -> list[EssVerdict]:
    """Every symmetric equilibrium with its ESS / NSS status."""
    return [classify(a, p) for p in symmetric_equilibria(a)]


def strict_equilibria(a: Sequence[Sequence[Fraction]], b: Sequence[Sequence[Fraction]]) -> Iterator[tuple[int, int]]:
    """Pure profiles where each population's strategy is its unique best reply:
    the ESS of a two-population game (Selten 1980: in asymmetric contests the
    evolutionarily stable profiles are exactly the strict equilibria)."""
    rows, cols = len(a), len(a[0])
    for i in range(rows):
        for j in range(cols):
            if all(a[i][j] > a[k][j] for k in range(rows) if k != i) and \
               all(b[i][j] > b[i][k] for k in range(cols) if k != j):
                yield i, j
