"""The shared-reward lever: ``u'_i = (1 - alpha) u_i + alpha * W / n``.

``W`` is the sum of all agents' payoffs.  Every stability condition "profile
``s`` survives agent ``i`` deviating to ``d``" is linear in alpha:
``a + b * alpha >= 0`` with ``a = u_i(s) - u_i(d, s_-i)`` and
``b = (W(s) - W(d, s_-i)) / n - a``.  So the set of alphas making a profile a
Nash equilibrium (or an action dominant) is an interval, computed exactly
with integers; the minimum comes with the one constraint that forces it (an
LP dual certificate with a single multiplier), and an empty set with the two
constraints (or the one) that contradict.  ``unique`` removes from the
target's interval the intervals of every other profile; its certificate is
the cover of ``[lo, alpha*)`` by those intervals.

The selfishness level of Apt and Schäfer (payoffs ``u_i + gamma * W``) is
the same question in another scale: ``gamma = alpha / (n (1 - alpha))``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from verigroup.diagnostics import TooLarge, Span
from verigroup.mechanisms.tables import IntGame, deviate

MAX_UNIQUE_WORK = 3_000_000   # profiles x deviations for the unique goal


@dataclass(frozen=True)
class HalfLine:
    """``a + b * alpha >= 0``: ``profile`` survives ``agent`` deviating to
    ``deviation``."""

    agent: int
    profile: tuple[int, ...]
    deviation: int
    a: Fraction
    b: Fraction

    @property
    def root(self) -> Fraction | None:
        return None if self.b == 0 else -self.a / self.b

    def holds(self, alpha: Fraction) -> bool:
        return self.a + self.b * alpha >= 0

    def to_json(self, ig: IntGame) -> dict[str, Any]:
        if self.b > 0:
            says = f"alpha >= {self.root}"
        elif self.b < 0:
            says = f"alpha <= {self.root}"
        else:
            says = "holds for every alpha" if self.a >= 0 else "fails for every alpha"
        return {"agent": ig.players[self.agent], "profile": ig.names(self.profile),
                "deviation": ig.actions[self.agent][self.deviation],
                "constraint": f"{self.a} + {self.b} * alpha >= 0", "implies": says}


@dataclass(frozen=True)
class Interval:
    """The closed interval of alphas where one profile is stable (Nash or,
    for the target of ``dominant``, dominant); ``lo > hi`` means empty."""

    lo: Fraction
    hi: Fraction
    lo_by: HalfLine | None = None     # None: the domain's bound
    hi_by: HalfLine | None = None
    dead: HalfLine | None = None      # a constraint no alpha satisfies

    @property
    def empty(self) -> bool:
        return self.dead is not None or self.lo > self.hi

    def contains(self, x: Fraction) -> bool:
        return not self.empty and self.lo <= x <= self.hi


@dataclass(frozen=True)
class ShareAnswer:
    feasible: bool
    alpha: Fraction | None            # the optimum (or infimum when not attained)
    attained: bool
    witness_alpha: Fraction | None    # a feasible alpha to build the mechanism with
    certificate: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Direction:
    """A one-parameter lever ``u'_i = u_i + theta * D_i``, exactly in
    integers: ``u_i = A[i] / scale`` and ``D_i = B[i] / scale``."""

    A: tuple[np.ndarray, ...]
    B: tuple[np.ndarray, ...]
    scale: int


def share_direction(ig: IntGame) -> Direction:
    """``D_i = W / n - u_i``."""
    w = ig.welfare
    return Direction(tuple(u * ig.n for u in ig.u), tuple(w - u * ig.n for u in ig.u), ig.n * ig.den)


def tax_direction(ig: IntGame, metric: np.ndarray, metric_den: int) -> Direction:
    """``D_i = -metric`` for every agent (a tax per unit of the metric)."""
    return Direction(tuple(u * metric_den for u in ig.u),
                     tuple(-metric.astype(object) * ig.den for _ in ig.u), ig.den * metric_den)


def param_direction(ig: IntGame, at0: "IntGame", at1: "IntGame") -> Direction:
    """The spec's own parameter as the lever, from the exact payoffs at
    theta = 0 and theta = 1 (the payoffs are affine in it: checked
    syntactically by :mod:`verigroup.mechanisms.affine`)."""
    import math

    den = at0.den * at1.den // math.gcd(at0.den, at1.den)
    a = tuple(u * (den // at0.den) for u in at0.u)
    b = tuple(u1 * (den // at1.den) - u0 for u1, u0 in zip(at1.u, a))
    return Direction(a, b, den)


def _halflines(dr: Direction, i: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """Scaled ``(a, b)`` arrays over every profile ``s`` for agent ``i``
    deviating to ``d``."""
    ai, bi = dr.A[i], dr.B[i]
    a = ai - np.take(ai, [d], axis=i)
    b = bi - np.take(bi, [d], axis=i)
    return a, b


def _interval(lines: list[HalfLine], lo: Fraction, hi: Fraction) -> Interval:
    best_lo, lo_by, best_hi, hi_by = lo, None, hi, None
    for h in lines:
        r = h.root
        if r is None:
            if h.a < 0:
                return Interval(lo, hi, dead=h)
            continue
        if h.b > 0 and r > best_lo:
            best_lo, lo_by = r, h
        elif h.b < 0 and r < best_hi:
            best_hi, hi_by = r, h
    return Interval(best_lo, best_hi, lo_by, hi_by)


def _lines_for(ig: IntGame, dr: Direction, s: tuple[int, ...]) -> list[HalfLine]:
    out = []
    for i in range(ig.n):
        for d in range(len(ig.actions[i])):
            if d == s[i]:
                continue
            t = deviate(s, i, d)
            a = dr.A[i][s] - dr.A[i][t]
            b = dr.B[i][s] - dr.B[i][t]
            out.append(HalfLine(i, s, d, Fraction(int(a), dr.scale), Fraction(int(b), dr.scale)))
    return out


def _dominant_lines(ig: IntGame, dr: Direction, target: tuple[int, ...]) -> list[HalfLine]:
    """Only the distinct extreme constraints: for each (agent, deviation), the
    largest lower root and the smallest upper root over the others' profiles."""
    out: list[HalfLine] = []
    for i in range(ig.n):
        for d in range(len(ig.actions[i])):
            if d == target[i]:
                continue
            a, b = _halflines(dr, i, d)
            a_t = np.take(a, [target[i]], axis=i)
            b_t = np.take(b, [target[i]], axis=i)
            seen: dict[tuple[int, int], tuple[int, ...]] = {}
            for idx in np.ndindex(*a_t.shape):
                key = (int(a_t[idx]), int(b_t[idx]))
                if key not in seen:
                    seen[key] = idx[:i] + (target[i],) + idx[i + 1:]
            for (aa, bb), prof in seen.items():
                out.append(HalfLine(i, prof, d, Fraction(aa, dr.scale), Fraction(bb, dr.scale)))
    return out


def synthesize_share(ig: IntGame, kind: str, target: tuple[int, ...],
                     lo: Fraction = Fraction(0), hi: Fraction = Fraction(1),
                     direction: Direction | None = None) -> ShareAnswer:
    """The least alpha (or tax) in ``[lo, hi]`` achieving the goal, exactly."""
    dr = direction or share_direction(ig)
    if kind == "dominant":
        lines = _dominant_lines(ig, dr, target)
    else:
        lines = _lines_for(ig, dr, target)
    itv = _interval(lines, lo, hi)
    if itv.empty:
        return ShareAnswer(False, None, False, None, _infeasible(ig, itv, lo, hi))
    base = {"method": "exact interval of alpha (each constraint is linear in alpha)",
            "domain": [str(lo), str(hi)],
            "lower_bound_by": itv.lo_by.to_json(ig) if itv.lo_by else "the domain's lower end",
            "interval": [str(itv.lo), str(itv.hi)]}
    if kind == "dominant":
        return _weakly_dominant(ig, lines, itv, base)
    if kind != "unique":
        base["dual"] = ("the constraint in lower_bound_by alone (multiplier 1) forces alpha >= "
                        f"{itv.lo}; every constraint holds at alpha = {itv.lo}")
        return ShareAnswer(True, itv.lo, True, itv.lo, base)
    return _unique(ig, dr, target, itv, base)


def _weakly_dominant(ig: IntGame, lines: list[HalfLine], itv: Interval,
                     base: dict[str, Any]) -> ShareAnswer:
    """Weak dominance also needs, against each competing action, one opponent
    profile where the target action is strictly better: for each (agent,
    competitor) the alphas with some strict constraint form ``(lo, oo) u
    (-oo, hi)`` (or everything).  Feasibility is constant between critical
    points, so the least feasible alpha (or the infimum) is among them."""
    groups: dict[tuple[int, int], list[HalfLine]] = {}
    for h in lines:
        groups.setdefault((h.agent, h.deviation), []).append(h)
    strict: list[tuple[bool, Fraction | None, Fraction | None]] = []
    for hs in groups.values():
        always = any(h.b == 0 and h.a > 0 for h in hs)
        los = [h.root for h in hs if h.b > 0 and h.root is not None]
        his = [h.root for h in hs if h.b < 0 and h.root is not None]
        strict.append((always, min(los) if los else None, max(his) if his else None))

    def point(x: Fraction) -> bool:
        return itv.lo <= x <= itv.hi and all(
            al or (lo is not None and x > lo) or (hi is not None and x < hi) for al, lo, hi in strict)

    def just_above(x: Fraction) -> bool:
        return itv.lo <= x < itv.hi and all(
            al or (lo is not None and x >= lo) or (hi is not None and x < hi) for al, lo, hi in strict)

    crit = sorted({itv.lo, itv.hi} | {v for _, lo, hi in strict for v in (lo, hi)
                                      if v is not None and itv.lo <= v <= itv.hi})
    base["strictness"] = ("weak dominance: against every competing action the target action is "
                          "strictly better for some opponent profile")
    for k, c in enumerate(crit):
        if point(c):
            base["dual"] = (f"every constraint holds at alpha = {c}, none below {itv.lo}; between "
                            "critical points strictness is constant")
            return ShareAnswer(True, c, True, c, base)
        if just_above(c):
            w = simplest_above(c, crit[k + 1])
            assert point(w)
            base["attained"] = False
            base["note"] = f"the infimum {c} is not attained (a strict condition fails at it)"
            return ShareAnswer(True, c, False, w, base)
    base["why"] = "no alpha in the interval makes the target action strictly better somewhere"
    return ShareAnswer(False, None, False, None, base)


def _infeasible(ig: IntGame, itv: Interval, lo: Fraction, hi: Fraction) -> dict[str, Any]:
    proof: dict[str, Any] = {"method": "exact interval of alpha", "domain": [str(lo), str(hi)]}
    if itv.dead is not None:
        proof["contradiction"] = [itv.dead.to_json(ig)]
        proof["why"] = "this constraint does not depend on alpha and fails"
    else:
        proof["contradiction"] = [h.to_json(ig) for h in (itv.lo_by, itv.hi_by) if h is not None]
        proof["why"] = (f"the constraints force alpha >= {itv.lo} and alpha <= {itv.hi}"
                        " (with the domain)")
    return proof


def _unique(ig: IntGame, dr: Direction, target: tuple[int, ...], itv: Interval,
            base: dict[str, Any]) -> ShareAnswer:
    work = ig.u[0].size * sum(len(a) - 1 for a in ig.actions)
    if work > MAX_UNIQUE_WORK:
        raise TooLarge.single("E202", f"unique-equilibrium synthesis would examine {work:,} deviations "
                              f"(limit {MAX_UNIQUE_WORK:,})", Span("--goal"),
                              "use the nash or dominant goal on a game this size")
    others: list[tuple[tuple[int, ...], Interval]] = []
    for s in ig.profiles():
        if s == target:
            continue
        iv = _interval(_lines_for(ig, dr, s), itv.lo, itv.hi)
        if not iv.empty:
            others.append((s, iv))
    x, closed, cover = itv.lo, True, []
    while True:
        if closed:
            hits = [(s, iv) for s, iv in others if iv.lo <= x <= iv.hi]
        else:
            hits = [(s, iv) for s, iv in others if iv.lo <= x < iv.hi]
        if not hits:
            break
        s, iv = max(hits, key=lambda h: h[1].hi)
        cover.append({"profile": ig.names(s), "equilibrium_for": [str(iv.lo), str(iv.hi)]})
        x, closed = iv.hi, False
    base["cover"] = cover
    base["cover_says"] = ("each listed profile is also a pure Nash equilibrium for every alpha in its "
                          "interval; together they cover every alpha below the optimum")
    if closed:
        return ShareAnswer(True, x, True, x, base)
    if x >= itv.hi:
        base["why"] = "every alpha where the target is an equilibrium also has another equilibrium"
        return ShareAnswer(False, None, False, None, base)
    nxt = min([itv.hi] + [iv.lo for _, iv in others if iv.lo > x])
    witness = simplest_above(x, nxt)
    base["attained"] = False
    base["note"] = (f"the infimum {x} is not attained: at alpha = {x} another profile is still an "
                    f"equilibrium, every alpha in ({x}, {nxt}) works")
    return ShareAnswer(True, x, False, witness, base)


MAX_RESILIENT_WORK = 4_000_000


def synthesize_resilient(ig: IntGame, target: tuple[int, ...], k: int, lo: Fraction, hi: Fraction,
                         dr: Direction) -> ShareAnswer:
    """The least theta making ``target`` k-resilient: for every coalition C
    (|C| <= k) and joint deviation d of C, some member j does not strictly
    gain: ``a_j + b_j * theta >= 0``.  A Boolean combination of linear
    conditions in one unknown: feasibility is constant between the roots, so
    the roots and one point inside each gap decide it exactly."""
    import itertools

    groups: list[list[tuple[Fraction, Fraction]]] = []
    work = 0
    for size in range(1, k + 1):
        for coal in itertools.combinations(range(ig.n), size):
            choices = [range(len(ig.actions[j])) for j in coal]
            for acts in itertools.product(*choices):
                if any(a == target[j] for a, j in zip(acts, coal)):
                    continue          # every member moves (a smaller coalition covers the rest)
                d = list(target)
                for a, j in zip(acts, coal):
                    d[j] = a
                dd = tuple(d)
                groups.append([(Fraction(int(dr.A[j][target] - dr.A[j][dd]), dr.scale),
                                Fraction(int(dr.B[j][target] - dr.B[j][dd]), dr.scale)) for j in coal])
                work += size
    roots = sorted({-a / b for g in groups for a, b in g if b != 0 and lo < -a / b < hi} | {lo, hi})
    if work * len(roots) > MAX_RESILIENT_WORK:
        raise TooLarge.single("E202", f"resilience synthesis would test {work:,} conditions at "
                              f"{len(roots):,} points (limit {MAX_RESILIENT_WORK:,})", Span("--goal"),
                              "use a smaller k or a smaller game")

    def blocked_all(x: Fraction) -> tuple[bool, list[tuple[Fraction, Fraction]] | None]:
        for g in groups:
            if not any(a + b * x >= 0 for a, b in g):
                return False, g
        return True, None

    base: dict[str, Any] = {"method": "exact: conditions linear in the unknown, decided at every root "
                                      "and inside every gap between roots",
                            "domain": [str(lo), str(hi)], "coalition_deviations": len(groups),
                            "points_tested": 0}
    tested = 0
    for idx, c in enumerate(roots):
        tested += 1
        ok, _ = blocked_all(c)
        if ok:
            base["points_tested"] = tested
            base["note"] = f"every value below {c} lets some coalition of at most {k} gain"
            return ShareAnswer(True, c, True, c, base)
        if idx + 1 < len(roots):
            tested += 1
            ok, _ = blocked_all((c + roots[idx + 1]) / 2)
            if ok:
                base["points_tested"] = tested
                base["attained"] = False
                base["note"] = f"the infimum {c} is not attained: at {c} some coalition still gains"
                return ShareAnswer(True, c, False, simplest_above(c, roots[idx + 1]), base)
    base["points_tested"] = tested
    base["why"] = f"at every value in [{lo}, {hi}] some coalition of at most {k} gains"
    return ShareAnswer(False, None, False, None, base)


def simplest_above(x: Fraction, nxt: Fraction) -> Fraction:
    """A readable point just above an infimum: the fraction with the least
    denominator in ``(x, x + (nxt - x) / 4]`` (the midpoint if none is
    found quickly).  Feasibility is constant on ``(x, nxt)``."""
    import math

    hi = x + (nxt - x) / 4
    for q in range(1, 1001):
        p = math.floor(x * q) + 1
        if Fraction(p, q) <= hi:
            return Fraction(p, q)
    return (x + nxt) / 2


def selfishness_level(alpha: Fraction, n: int) -> Fraction | None:
    """Apt–Schäfer's gamma for payoffs ``u_i + gamma * W`` (None at alpha = 1)."""
    return None if alpha >= 1 else alpha / (n * (1 - alpha))
