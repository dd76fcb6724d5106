"""The money levers: subsidies (paid by an outside party) and budget-balanced
transfers between agents.

Payments ``X[i][s]`` are added to agent ``i``'s payoff at profile ``s``.

* **subsidy** (Monderer–Tennenholtz k-implementation): ``0 <= X <= bound``;
  the cost is what is actually paid when the target is played,
  ``sum_i X[i][target]`` (promises off the target cost nothing).  For the
  ``nash`` and ``dominant`` goals the optimum has a closed form, certified by
  an exact LP dual: agent ``i``'s constraint against its most tempting
  deviation ``d*`` plus ``X[i][d*, t_-i] >= 0`` give
  ``X[i][t] >= gap_i``; summing them bounds the cost below by the value
  reached.
* **transfer**: ``-bound <= X <= bound`` and ``sum_i X[i][s] == 0`` at every
  profile (strong budget balance); the cost is the largest transfer any agent
  may face, ``max |X[i][s]|``.

Goals needing disjunctions (``unique``) and the transfer LP go to Z3's
``Optimize`` over exact rationals; optimality is then certified by Z3
answering ``unsat`` to "constraints and cost < optimum", and the mechanism is
re-verified with exact arithmetic.  A Z3 ``unknown`` or time limit is an
UNKNOWN answer, never a claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from verigroup.diagnostics import Span, TooLarge
from verigroup.mechanisms.tables import IntGame, deviate

MAX_LP_VARIABLES = 20_000
Status = Literal["optimal", "infimum", "infeasible", "unknown"]


@dataclass(frozen=True)
class MoneyAnswer:
    status: Status
    cost: Fraction | None
    payments: tuple[dict[tuple[int, ...], Fraction], ...]   # per agent: profile -> payment
    certificate: dict[str, Any] = field(default_factory=dict)
    reason: str = ""


def _gap(ig: IntGame, i: int, s: tuple[int, ...]) -> tuple[Fraction, int | None]:
    """How much more agent i's best deviation from s pays than s (>= 0)."""
    best, arg = Fraction(0), None
    for d in range(len(ig.actions[i])):
        if d != s[i]:
            g = ig.value(i, deviate(s, i, d)) - ig.value(i, s)
            if g > best:
                best, arg = g, d
    return best, arg


def subsidy_closed_form(ig: IntGame, kind: str, target: tuple[int, ...], bound: Fraction) -> MoneyAnswer:
    """Optimal subsidies for ``nash`` / ``dominant`` goals, with the dual."""
    pays: list[dict[tuple[int, ...], Fraction]] = [dict() for _ in range(ig.n)]
    dual = []
    strict_at_target: list[str] = []
    for i in range(ig.n):
        # gap[s] = best deviation payoff - own payoff (scaled by ig.den), at
        # the rows where agent i plays its target action (vectorised)
        u = ig.u[i]
        best = u.max(axis=i, keepdims=True)
        gap = np.take(best - u, [target[i]], axis=i)
        if kind == "nash":
            idx = tuple(0 if k == i else target[k] for k in range(ig.n))
            cells = [(target, int(gap[idx]))]
        else:
            where = np.argwhere(gap > 0)
            vals = gap[tuple(where.T)].tolist() if len(where) else []
            pos_list = where.tolist()
            for pos in pos_list:
                pos[i] = target[i]
            cells = [(tuple(pos), int(v)) for pos, v in zip(pos_list, vals)]
        for s_, graw in cells:
            if graw * bound.denominator > bound.numerator * ig.den:
                g = Fraction(graw, ig.den)
                _, d = _gap(ig, i, s_)
                return MoneyAnswer("infeasible", None, (), {
                    "method": "exact: one constraint exceeds the bound",
                    "contradiction": {"agent": ig.players[i], "profile": ig.names(s_),
                                      "deviation": ig.actions[i][d] if d is not None else None,
                                      "needs": str(g), "bound": str(bound)},
                    "why": f"{ig.players[i]} must be paid at least {g} at this profile, more than the "
                           f"bound {bound}"})
            if graw > 0:
                pays[i][s_] = Fraction(graw, ig.den)
        if kind == "dominant" and len(ig.actions[i]) > 1:
            # weak dominance: strictly better somewhere; one extra row does it
            # for every competitor.  Off the target it costs nothing.
            flat = np.flatnonzero((gap.astype(object) * bound.denominator < bound.numerator * ig.den).ravel())
            rows = []
            for f in flat[:2].tolist():              # the first off-target row will do
                pos = list(np.unravel_index(f, gap.shape))
                pos[i] = target[i]
                rows.append(tuple(int(x) for x in pos))
            rows.sort(key=lambda r: r == target)
            if not rows:
                return MoneyAnswer("infeasible", None, (), {
                    "method": "exact: no room under the bound for a strict preference",
                    "why": f"{ig.players[i]}'s target action can never be strictly better within the "
                           f"bound {bound}"})
            s_ = rows[0]
            g, _ = _gap(ig, i, s_)
            pays[i][s_] = g + min(Fraction(1), bound - g)
            if s_ == target:
                strict_at_target.append(ig.players[i])
        g, d = _gap(ig, i, target)
        if g > 0 and d is not None:
            dual.append({"agent": ig.players[i], "deviation": ig.actions[i][d], "gap": str(g),
                         "constraint": f"X[{ig.players[i]}][target] - X[{ig.players[i]}]"
                                       f"[{ig.actions[i][d]}, others at target] >= {g}",
                         "multiplier": "1"})
    cost = sum((pays[i].get(target, Fraction(0)) for i in range(ig.n)), Fraction(0))
    lower = sum((Fraction(x["gap"]) for x in dual), Fraction(0))
    cert = {"method": "closed form with an exact LP dual",
            "dual": dual,
            "says": f"adding the listed constraints (multiplier 1) and X >= 0 gives "
                    f"sum_i X[i][target] >= {lower}"}
    if cost == lower:
        return MoneyAnswer("optimal", cost, tuple(pays), cert)
    cert["note"] = (f"the infimum {lower} is not attained: {', '.join(strict_at_target)} must be "
                    f"strictly better somewhere and has no other opponent profile; the mechanism given "
                    f"pays {cost}, any amount above {lower} can be reached")
    return MoneyAnswer("infimum", lower, tuple(pays), cert)


def _q(z3: Any, x: Fraction) -> Any:
    return z3.Q(x.numerator, x.denominator) if x.denominator != 1 else z3.RealVal(x.numerator)


def _val(z3: Any, model: Any, v: Any) -> Fraction:
    r = model.eval(v, model_completion=True)
    f = r.as_fraction()
    return Fraction(f.numerator, f.denominator)


def lp_synthesis(ig: IntGame, lever: str, kind: str, target: tuple[int, ...], bound: Fraction,
                 timeout: float | None = None) -> MoneyAnswer:
    """Z3 Optimize over exact rationals, then a Z3 ``unsat`` certificate."""
    import z3

    if kind == "nash":
        rel = [target] + [deviate(target, i, d) for i in range(ig.n)
                          for d in range(len(ig.actions[i])) if d != target[i]]
    else:
        rel = list(ig.profiles())
    nvars = len(rel) * ig.n
    if nvars > MAX_LP_VARIABLES:
        raise TooLarge.single("E202", f"the {lever} LP for this goal has {nvars:,} unknowns (limit "
                              f"{MAX_LP_VARIABLES:,})", Span("--lever"),
                              "use the share lever, or the nash goal, on a game this size")
    X: dict[tuple[int, tuple[int, ...]], Any] = {}
    cons: list[Any] = []
    for s in rel:
        for i in range(ig.n):
            v = z3.Real(f"x_{i}_{'_'.join(map(str, s))}")
            X[(i, s)] = v
            if lever == "subsidy":
                cons += [v >= 0, v <= _q(z3, bound)]
            else:
                cons += [v >= -_q(z3, bound), v <= _q(z3, bound)]
        if lever == "transfer":
            cons.append(z3.Sum([X[(i, s)] for i in range(ig.n)]) == 0)

    def pay(i: int, s: tuple[int, ...]) -> Any:
        return _q(z3, ig.value(i, s)) + X[(i, s)] if (i, s) in X else _q(z3, ig.value(i, s))

    def stable(s: tuple[int, ...], i: int, d: int) -> Any:
        return pay(i, s) >= pay(i, deviate(s, i, d))

    for i in range(ig.n):
        for d in range(len(ig.actions[i])):
            if d == target[i]:
                continue
            if kind == "nash" or kind == "unique":
                cons.append(stable(target, i, d))
            else:
                for s in rel:
                    if s[i] == target[i]:
                        cons.append(stable(s, i, d))
                # weak dominance: strictly better than d somewhere
                cons.append(z3.Or([pay(i, s) > pay(i, deviate(s, i, d)) for s in rel if s[i] == target[i]]))
    if kind == "unique":
        for s in rel:
            if s != target:
                cons.append(z3.Or([pay(i, deviate(s, i, d)) > pay(i, s) for i in range(ig.n)
                                   for d in range(len(ig.actions[i])) if d != s[i]] or [z3.BoolVal(False)]))
    if lever == "subsidy":
        cost = z3.Sum([X[(i, target)] for i in range(ig.n)])
    else:
        cost = z3.Real("max_transfer")
        for v in X.values():
            cons += [cost >= v, cost >= -v]
    opt = z3.Optimize()
    if timeout is not None:
        opt.set("timeout", max(1, int(timeout * 1000)))
    opt.add(*cons)
    handle = opt.minimize(cost)
    res = opt.check()
    if res == z3.unsat:
        solver = z3.Solver()
        solver.add(*cons)
        return MoneyAnswer("infeasible", None, (), {
            "method": "z3: the constraints are unsat over the rationals",
            "z3_check": str(solver.check()), "bound": str(bound), "unknowns": nvars,
            "why": f"no {lever} within the bound {bound} achieves the goal"})
    if res != z3.sat:
        return MoneyAnswer("unknown", None, (), {}, f"z3 optimize: {opt.reason_unknown()}")
    m = opt.model()
    pays: list[dict[tuple[int, ...], Fraction]] = [dict() for _ in range(ig.n)]
    for (i, s), v in X.items():
        x = _val(z3, m, v)
        if x != 0:
            pays[i][s] = x
    value = _val(z3, m, cost) if lever == "subsidy" else max(
        (abs(x) for p in pays for x in p.values()), default=Fraction(0))
    # The certificate: nothing cheaper exists (a fresh solver, exact rationals).
    check = z3.Solver()
    if timeout is not None:
        check.set("timeout", max(1, int(timeout * 1000)))
    check.add(*cons)
    check.add(cost < _q(z3, value))
    verdict = check.check()
    cert: dict[str, Any] = {"method": "z3 Optimize (exact rationals) + z3 unsat of a cheaper mechanism",
                            "unknowns": nvars, "bound": str(bound),
                            "cheaper_exists": str(verdict)}
    if verdict == z3.unsat:
        return MoneyAnswer("optimal", value, tuple(pays), cert)
    if verdict == z3.sat:
        # Strict constraints: the infimum is not attained; Optimize reports it.
        inf = _infimum(opt, handle)
        if inf is not None:
            below = z3.Solver()
            below.add(*cons)
            below.add(cost <= _q(z3, inf))
            cert["at_most_infimum"] = str(below.check())
            if cert["at_most_infimum"] == "unsat":
                near = z3.Solver()
                near.add(*cons)
                near.add(cost <= _q(z3, inf + (value - inf) / 100))
                if near.check() == z3.sat:
                    nm = near.model()
                    pays = [dict() for _ in range(ig.n)]
                    for (i, s), v in X.items():
                        x = _val(z3, nm, v)
                        if x != 0:
                            pays[i][s] = x
                    value = _val(z3, nm, cost) if lever == "subsidy" else max(
                        (abs(x) for p in pays for x in p.values()), default=Fraction(0))
                cert["note"] = (f"the infimum {inf} is not attained (strict conditions); the mechanism "
                                f"given costs {value}; any cost above {inf} can be reached")
                return MoneyAnswer("infimum", inf, tuple(pays), cert)
    return MoneyAnswer("unknown", value, tuple(pays), cert,
                       f"could not certify optimality (z3: cheaper mechanism {verdict})")


def _infimum(opt: Any, handle: Any) -> Fraction | None:
    """The rational part of Optimize's lower bound ``v + epsilon``."""
    text = str(opt.lower(handle))
    import re

    m = re.fullmatch(r"\s*(-?\d+(?:/\d+)?)?\s*\+?\s*(?:\d+\*)?epsilon\s*", text)
    if m is None:
        return None
    return Fraction(m.group(1)) if m.group(1) else Fraction(0)


def verify_payments(ig: IntGame, kind: str, target: tuple[int, ...],
                    pays: tuple[dict[tuple[int, ...], Fraction], ...]) -> list[str]:
    """Exact re-check of a mechanism's goal (independent of the solver): the
    list of violated conditions, empty when it works."""
    def u(i: int, s: tuple[int, ...]) -> Fraction:
        return ig.value(i, s) + pays[i].get(s, Fraction(0))

    bad: list[str] = []
    for i in range(ig.n):
        rows = [target] if kind != "dominant" else [s for s in ig.profiles() if s[i] == target[i]]
        for s in rows:
            for d in range(len(ig.actions[i])):
                if d != s[i] and u(i, deviate(s, i, d)) > u(i, s):
                    bad.append(f"{ig.players[i]} gains by {ig.actions[i][d]} at {ig.names(s)}")
        if kind == "dominant":
            for d in range(len(ig.actions[i])):
                if d != target[i] and not any(u(i, s) > u(i, deviate(s, i, d)) for s in rows):
                    bad.append(f"{ig.players[i]}'s target action is never strictly better than "
                               f"{ig.actions[i][d]}")
    if kind == "unique":
        for s in ig.profiles():
            if s != target and not any(u(i, deviate(s, i, d)) > u(i, s) for i in range(ig.n)
                                       for d in range(len(ig.actions[i])) if d != s[i]):
                bad.append(f"{ig.names(s)} is also an equilibrium")
    return bad


def payment_table(ig: IntGame, pays: tuple[dict[tuple[int, ...], Fraction], ...]) -> list[dict[str, Any]]:
    """JSON rows: profile, then each agent's non-zero payment."""
    cells = sorted({s for p in pays for s in p})
    return [{"profile": ig.names(s),
             "payments": {ig.players[i]: str(pays[i][s]) for i in range(ig.n) if s in pays[i]}}
            for s in cells]


def as_arrays(ig: IntGame, pays: tuple[dict[tuple[int, ...], Fraction], ...]) -> list[np.ndarray]:
    out = []
    for p in pays:
        arr = np.empty(ig.shape, dtype=object)
        arr[...] = Fraction(0)
        for s, x in p.items():
            arr[s] = x
        out.append(arr)
    return out
