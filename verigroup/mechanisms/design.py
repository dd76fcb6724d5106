"""Automated mechanism design (Conitzer–Sandholm): the optimal randomised
single-item mechanism on finite value grids, as an exact LP.

Unknowns per type profile ``theta``: winning probabilities
``x_i(theta) in [0, 1]`` with ``sum_i x_i <= 1`` and payments ``p_i(theta)``.
Constraints: DSIC or BIC, ex-post or interim IR (outside option 0).
Objective: expected revenue or expected welfare.  Solved by Z3's Optimize
over exact rationals; optimality is certified by Z3 answering ``unsat`` to
"the constraints and an objective above the optimum", and the mechanism
found is re-checked by the independent incentive checkers of
:mod:`verigroup.mechanisms.bayesian`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal, Sequence

import numpy as np

from verigroup.diagnostics import SpecError, Span
from verigroup.mechanisms.bayesian import BayesianMechanism, check_bic, check_dsic, check_ir
from verigroup.verdicts import PropertyResult

MAX_PROFILES = 2_000


@dataclass(frozen=True)
class DesignResult:
    status: Literal["optimal", "infeasible", "unknown"]
    objective: str
    value: Fraction | None
    mechanism: BayesianMechanism | None
    allocation: dict[str, dict[str, Fraction]] = field(default_factory=dict)
    payments: dict[str, dict[str, Fraction]] = field(default_factory=dict)
    certificate: dict[str, Any] = field(default_factory=dict)
    recheck: tuple[PropertyResult, ...] = ()
    reason: str = ""


def _q(z3: Any, x: Fraction) -> Any:
    return z3.Q(x.numerator, x.denominator)


def optimal_auction(n: int, values: Sequence[Fraction | int | str],
                    prior: Sequence[Fraction] | None = None, *, ic: str = "dsic", ir: str = "ex_post",
                    objective: str = "revenue", timeout: float | None = None) -> DesignResult:
    import z3

    vals = [Fraction(v) for v in values]
    m = len(vals)
    pr = [Fraction(p) for p in prior] if prior is not None else [Fraction(1, m)] * m
    if any(p < 0 for p in pr) or sum(pr, Fraction(0)) != 1:
        raise SpecError.single("E703", f"the prior ({', '.join(map(str, pr))}) must be non-negative "
                               "and sum to 1", Span("--prior"))
    if m ** n > MAX_PROFILES:
        raise SpecError.single("E202", f"{m ** n:,} type profiles exceed the design limit "
                               f"{MAX_PROFILES:,}", Span("--bidders"))
    if ic not in ("dsic", "bic") or ir not in ("ex_post", "interim") or objective not in ("revenue", "welfare"):
        raise SpecError.single("E703", "ic is dsic|bic, ir is ex_post|interim, objective revenue|welfare",
                               Span("--ic"))
    profiles = list(itertools.product(range(m), repeat=n))
    X = {(i, s): z3.Real(f"x{i}_{'_'.join(map(str, s))}") for s in profiles for i in range(n)}
    P = {(i, s): z3.Real(f"p{i}_{'_'.join(map(str, s))}") for s in profiles for i in range(n)}
    cons: list[Any] = []
    prob = {s: math.prod((pr[t] for t in s), start=Fraction(1)) for s in profiles}
    for s in profiles:
        cons.append(z3.Sum([X[(i, s)] for i in range(n)]) <= 1)
        for i in range(n):
            cons += [X[(i, s)] >= 0, X[(i, s)] <= 1]

    def u(i: int, t: int, s: tuple[int, ...]) -> Any:
        return _q(z3, vals[t]) * X[(i, s)] - P[(i, s)]

    def swap(s: tuple[int, ...], i: int, r: int) -> tuple[int, ...]:
        return s[:i] + (r,) + s[i + 1:]

    for i in range(n):
        others = [s for s in itertools.product(range(m), repeat=n - 1)]
        for t in range(m):
            for r in range(m):
                if r == t:
                    continue
                if ic == "dsic":
                    for o in others:
                        s = o[:i] + (t,) + o[i:]
                        cons.append(u(i, t, s) >= u(i, t, swap(s, i, r)))
                elif pr[t] != 0:
                    terms_t, terms_r = [], []
                    for o in others:
                        w = math.prod((pr[x] for x in o), start=Fraction(1))
                        s = o[:i] + (t,) + o[i:]
                        terms_t.append(_q(z3, w) * u(i, t, s))
                        terms_r.append(_q(z3, w) * u(i, t, swap(s, i, r)))
                    cons.append(z3.Sum(terms_t) >= z3.Sum(terms_r))
            if ir == "ex_post":
                for o in others:
                    cons.append(u(i, t, o[:i] + (t,) + o[i:]) >= 0)
            elif pr[t] != 0:
                cons.append(z3.Sum([_q(z3, math.prod((pr[x] for x in o), start=Fraction(1)))
                                    * u(i, t, o[:i] + (t,) + o[i:]) for o in others]) >= 0)
    if objective == "revenue":
        obj = z3.Sum([_q(z3, prob[s]) * P[(i, s)] for s in profiles for i in range(n)])
    else:
        obj = z3.Sum([_q(z3, prob[s] * vals[s[i]]) * X[(i, s)] for s in profiles for i in range(n)])
    opt = z3.Optimize()
    if timeout is not None:
        opt.set("timeout", max(1, int(timeout * 1000)))
    opt.add(*cons)
    opt.maximize(obj)
    res = opt.check()
    label = f"maximise expected {objective} subject to {ic.upper()} and {ir.replace('_', '-')} IR"
    if res == z3.unsat:
        return DesignResult("infeasible", label, None, None, certificate={"z3": "unsat"})
    if res != z3.sat:
        return DesignResult("unknown", label, None, None, reason=f"z3: {opt.reason_unknown()}")
    mod = opt.model()

    def val(v: Any) -> Fraction:
        f = mod.eval(v, model_completion=True).as_fraction()
        return Fraction(f.numerator, f.denominator)

    best = val(obj)
    check = z3.Solver()
    if timeout is not None:
        check.set("timeout", max(1, int(timeout * 1000)))
    check.add(*cons)
    check.add(obj > _q(z3, best))
    better = check.check()
    if better != z3.unsat:
        return DesignResult("unknown", label, best, None,
                            reason=f"could not certify optimality (z3: a better mechanism {better})")
    xs = {k: val(v) for k, v in X.items()}
    ps = {k: val(v) for k, v in P.items()}
    mech = _as_mechanism(n, vals, pr, profiles, xs, ps)
    recheck = (check_dsic(mech) if ic == "dsic" else check_bic(mech),
               check_ir(mech, interim=(ir == "interim")))
    names = [str(v) for v in vals]
    key = lambda s: ",".join(names[t] for t in s)  # noqa: E731
    return DesignResult(
        "optimal", label, best, mech,
        allocation={key(s): {f"bidder{i + 1}": xs[(i, s)] for i in range(n) if xs[(i, s)] != 0}
                    for s in profiles},
        payments={key(s): {f"bidder{i + 1}": ps[(i, s)] for i in range(n) if ps[(i, s)] != 0}
                  for s in profiles},
        certificate={"method": "z3 Optimize (exact rationals) + z3 unsat of a better mechanism",
                     "better_exists": str(better), "unknowns": len(X) + len(P)},
        recheck=recheck)


def _as_mechanism(n: int, vals: list[Fraction], pr: list[Fraction], profiles: list[tuple[int, ...]],
                  xs: dict[tuple[int, tuple[int, ...]], Fraction],
                  ps: dict[tuple[int, tuple[int, ...]], Fraction]) -> BayesianMechanism:
    den = 1
    for f in list(vals) + list(xs.values()) + list(ps.values()):
        den = den * f.denominator // math.gcd(den, f.denominator)
    # value[i][t, s] = v_t * x_i(s): denominators multiply, so scale by den^2
    m = len(vals)
    shape = (m,) * n
    D = den * den
    value = []
    pay = []
    for i in range(n):
        vt = np.empty((m,) + shape, dtype=object)
        pt = np.empty(shape, dtype=object)
        for s in profiles:
            pt[s] = int(ps[(i, s)] * D)
            for t in range(m):
                vt[(t,) + s] = int(vals[t] * xs[(i, s)] * D)
        value.append(vt)
        pay.append(pt)
    names = tuple(str(v) for v in vals)
    return BayesianMechanism("designed auction", tuple(f"bidder{i + 1}" for i in range(n)),
                             (names,) * n, (tuple(pr),) * n, tuple(value), tuple(pay), D)
