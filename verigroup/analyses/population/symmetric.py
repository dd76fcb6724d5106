"""Symmetric mixed equilibria: every member of a family plays the same mixed
strategy (``solve --concept symmetric``), solved exactly.

For families with two actions, ``q_f`` is the probability of the first
action.  A member's expected payoff for each action is a polynomial in the
``q``'s with rational coefficients (a Bernstein sum over the others' count
states, each state's payoff evaluated exactly in counting space); its gain
``g_f = E[u(first)] - E[u(second)]`` decides: ``q_f = 1`` needs
``g_f >= 0``, ``q_f = 0`` needs ``g_f <= 0``, an interior ``q_f`` needs
``g_f = 0``.  Every combination of corners with at most one interior family
is solved: the interior roots are isolated by exact rational intervals
(sympy), and the other families' sign conditions are decided at the
algebraic root by refining its interval until the condition's polynomial has
no root in it.  A rational root is reported exactly; an irrational one as
the midpoint of an interval narrower than 10^-12, with ``exact: false`` and
``epsilon`` the exact regret at that point.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from verigroup.analyses.population import engine as E
from verigroup.analyses.population import exactvec as V
from verigroup.model.counting import CountingView
from verigroup.verdicts import Equilibrium

MAX_STATES = 5000
EPS = Fraction(1, 10**12)


def _incomplete(reason: str) -> dict[str, Any]:
    return {"concept": "symmetric", "equilibria": (), "complete": False, "method": "counting (symmetric)",
            "reason": reason}


def _payoff_table(view: CountingView, fam: str, act: int) -> dict[tuple[int, ...], Fraction]:
    """Payoff of a member of ``fam`` playing ``act`` at every configuration
    of the others: key = number of others on the first action, per family."""
    sizes = {p.name: (p.size - 1 if p.name == fam else p.size) for p in view.pops}
    out: dict[tuple[int, ...], Fraction] = {}
    for counts, length in E.states(view, sizes):
        c2 = dict(counts)
        arr = list(counts[fam])
        arr[act] = arr[act] + 1
        c2[fam] = arr
        v = V.Evaluator(c2, view.params, length).num(view.payoff[(fam, act)])
        if v.bad is not None and V.full(v.bad, length).any():
            raise E.Undefined(f"the payoff of `{fam}` divides by zero at some count state")
        num, den = V.full(v.num, length), V.full(v.den, length)
        firsts = [V.full(counts[p.name][0], length) for p in view.pops]
        for i in range(length):
            out[tuple(int(f[i]) for f in firsts)] = Fraction(int(num[i]), int(den[i]))
    return out


def _expected(view: CountingView, fam: str, act: int, qs: list[Any]) -> Any:
    import sympy

    table = _payoff_table(view, fam, act)
    sizes = [p.size - 1 if p.name == fam else p.size for p in view.pops]
    total = sympy.Integer(0)
    for key, u in table.items():
        if u == 0:
            continue
        term = sympy.Rational(u.numerator, u.denominator)
        for q, m, j in zip(qs, sizes, key):
            term *= math.comb(m, j) * q**j * (1 - q) ** (m - j)
        total += term
    return sympy.Poly(sympy.expand(total), *qs, domain="QQ")


def symmetric_solution(view: CountingView) -> dict[str, Any]:
    import sympy

    if any(len(p.actions) != 2 for p in view.pops):
        return _incomplete("symmetric mixed equilibria are computed for families with two actions only")
    if math.prod(p.size + 1 for p in view.pops) > MAX_STATES:
        return _incomplete(f"the expected payoffs would have more than {MAX_STATES:,} terms; set smaller "
                           "families with --set")
    qs = [sympy.Symbol(f"q{k}") for k in range(len(view.pops))]
    gains = []
    for p in view.pops:
        gains.append(_expected(view, p.name, 0, qs) - _expected(view, p.name, 1, qs))
    found: list[Equilibrium] = []
    notes: list[str] = []
    continuum = False
    regimes = _regimes(len(view.pops))
    for regime in regimes:
        interior = [k for k, r in enumerate(regime) if r == "i"]
        fixed = {qs[k]: (1 if r == "1" else 0) for k, r in enumerate(regime) if r != "i"}
        if len(interior) > 1:
            notes.append("combinations with several interior families are not solved")
            continue
        if not interior:
            if all(_sign_ok(gains[k], fixed, regime[k]) for k in range(len(qs))):
                point = [Fraction(fixed[q]) for q in qs]
                found.append(_describe(view, gains, qs, point, True, Fraction(0)))
            continue
        k = interior[0]
        g = sympy.Poly(gains[k].as_expr().subs(fixed), qs[k], domain="QQ")
        if g.is_zero:
            continuum = True
            notes.append(f"`{view.pops[k].name}` is indifferent for every mixture: a continuum of equilibria")
            continue
        for (a, b), _mult in g.intervals():
            a, b = Fraction(str(a)), Fraction(str(b))
            if b <= 0 or a >= 1:
                continue
            root = _Root(g, a, b)
            if root.exact is not None and not 0 < root.exact < 1:
                continue
            if root.exact is None and not (root.lo >= 0 and root.hi <= 1):
                root.refine_until(lambda lo, hi: lo >= 0 and hi <= 1 or hi <= 0 or lo >= 1)
                if root.hi <= 0 or root.lo >= 1:
                    continue
            ok = True
            for j in range(len(qs)):
                if j == k:
                    continue
                h = sympy.Poly(gains[j].as_expr().subs(fixed), qs[k], domain="QQ")
                s = root.sign_of(h)
                if (regime[j] == "1" and s < 0) or (regime[j] == "0" and s > 0):
                    ok = False
            if not ok:
                continue
            point = [Fraction(fixed[q]) if q in fixed else Fraction(0) for q in qs]
            if root.exact is not None:
                point[k] = root.exact
                found.append(_describe(view, gains, qs, point, True, Fraction(0)))
            else:
                root.refine_until(lambda lo, hi: hi - lo < EPS)
                point[k] = (root.lo + root.hi) / 2
                eq = _describe(view, gains, qs, point, False, None,
                               {"interval": [_q(root.lo), _q(root.hi)], "algebraic": str(g.as_expr())})
                found.append(eq)
    complete = not continuum and not any("several interior" in n for n in notes)
    extra: dict[str, Any] = {}
    if continuum:
        extra["components_infinite"] = True
    return {"concept": "symmetric", "equilibria": tuple(sorted(found, key=lambda e: e.sort_key())),
            "complete": complete and not continuum, "method": "counting (symmetric, exact polynomials)",
            "reason": "; ".join(sorted(set(notes))), "extra": extra}


def _q(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def _regimes(n: int) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [()]
    for _ in range(n):
        out = [r + (c,) for r in out for c in ("0", "1", "i")]
    return out


def _sign_ok(g: Any, fixed: dict[Any, int], regime: str) -> bool:
    v = Fraction(str(g.as_expr().subs(fixed)))
    return v >= 0 if regime == "1" else v <= 0


_RATIONAL: dict[str, list[Fraction]] = {}


def _rational_roots(g: Any) -> list[Fraction]:
    key = str(g.as_expr())
    if key not in _RATIONAL:
        out = []
        for f, _ in g.factor_list()[1]:
            if f.degree() == 1:
                a, b = f.all_coeffs()
                out.append(-Fraction(str(b)) / Fraction(str(a)))
        _RATIONAL[key] = out
    return _RATIONAL[key]


class _Root:
    """A real root of ``g`` isolated in [lo, hi] (exact rationals)."""

    def __init__(self, g: Any, lo: Fraction, hi: Fraction) -> None:
        self.g, self.lo, self.hi = g, lo, hi
        self.exact: Fraction | None = lo if lo == hi else None
        if self.exact is None:
            for x in _rational_roots(g):  # the interval isolates one root: a rational one in it is it
                if lo <= x <= hi:
                    self.exact = x

    @staticmethod
    def _at(p: Any, x: Fraction) -> Fraction:
        import sympy

        return Fraction(str(p.eval(sympy.Rational(x.numerator, x.denominator))))

    def refine_until(self, done: Any) -> None:
        import sympy

        for _ in range(200):
            if done(self.lo, self.hi):
                return
            a, b = self.g.refine_root(sympy.Rational(self.lo.numerator, self.lo.denominator),
                                      sympy.Rational(self.hi.numerator, self.hi.denominator),
                                      eps=sympy.Rational(1, 2) * sympy.Rational(
                                          (self.hi - self.lo).numerator, (self.hi - self.lo).denominator))
            self.lo, self.hi = Fraction(str(a)), Fraction(str(b))

    def sign_of(self, h: Any) -> int:
        """The exact sign of ``h`` at the root."""
        if self.exact is not None:
            v = self._at(h, self.exact)
            return (v > 0) - (v < 0)
        if h.is_zero or self.g.gcd(h).degree() > 0 and self._shares_root(h):
            return 0
        for _ in range(200):
            import sympy

            lo = sympy.Rational(self.lo.numerator, self.lo.denominator)
            hi = sympy.Rational(self.hi.numerator, self.hi.denominator)
            if h.count_roots(lo, hi) == 0:
                v = self._at(h, self.lo)
                return (v > 0) - (v < 0)
            self.refine_until(lambda a, b, w=self.hi - self.lo: b - a < w / 2)
        raise E.Undefined("could not separate an algebraic root from a sign condition")

    def _shares_root(self, h: Any) -> bool:
        import sympy

        d = self.g.gcd(h)
        lo = sympy.Rational(self.lo.numerator, self.lo.denominator)
        hi = sympy.Rational(self.hi.numerator, self.hi.denominator)
        return bool(d.count_roots(lo, hi) > 0)


def _describe(view: CountingView, gains: list[Any], qs: list[Any], point: list[Fraction], exact: bool,
              epsilon: Fraction | None, extra: dict[str, Any] | None = None) -> Equilibrium:
    """Strategies per family, expected payoffs and the exact regret."""
    import sympy

    subs = {q: sympy.Rational(x.numerator, x.denominator) for q, x in zip(qs, point)}
    strategies: dict[str, dict[str, Fraction]] = {}
    payoffs: dict[str, Fraction] = {}
    regret = Fraction(0)
    for k, p in enumerate(view.pops):
        x = point[k]
        strategies[p.name] = {a: v for a, v in zip(p.actions, (x, 1 - x)) if v != 0}
        e0 = Fraction(str(_expected(view, p.name, 0, qs).as_expr().subs(subs)))
        e1 = Fraction(str(_expected(view, p.name, 1, qs).as_expr().subs(subs)))
        mine = x * e0 + (1 - x) * e1
        payoffs[p.name] = mine
        regret = max(regret, max(e0, e1) - mine)
    eps = regret if epsilon is None else epsilon
    return Equilibrium("symmetric", strategies, payoffs, (), exact, eps, {}, extra or {})
