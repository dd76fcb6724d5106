"""Property terms recomputed from the oracle (:class:`TermEval`): the values of
metrics and payoffs at an equilibrium point, and whole-set terms (best/worst
equilibrium, prices, counts) by brute force over pure equilibria only."""

from __future__ import annotations

import operator
from fractions import Fraction
from typing import Any, Callable

from verigroup.model import expr as E
from verigroup.model import properties as P
from verigroup.model.properties import Concept
from verigroup.replay.oracle import Oracle, Point, Profile, expect, support_points
from verigroup.replay.result import Mismatch, Skip

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}
ARITH: dict[str, Callable[[Fraction, Fraction], Fraction]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
}


def extreme(vals: list[Fraction], highest: bool) -> Fraction:
    return max(vals) if highest else min(vals)


class TermEval:
    """Property terms recomputed from the oracle: a point is a list of
    (pure profile, probability) pairs; whole-set terms (best/worst
    equilibrium, prices, counts) by brute force over pure equilibria only."""

    def __init__(self, oracle: Oracle) -> None:
        self.o = oracle

    def point(self, d: Any) -> Point:
        if not isinstance(d, dict):
            raise Mismatch(f"equilibrium record {d!r} is not a map")
        if "distribution" in d:
            return self.o.distribution(d["distribution"])
        if "strategies" in d:
            if d.get("concept") == "spe":
                raise Skip("property terms over SPE are re-checked by the fresh run only")
            return support_points(self.o.mixed(d["strategies"]))
        if "profile" in d:
            return [(self.o.profile(d["profile"]), Fraction(1))]
        raise Mismatch("the equilibrium record names neither strategies, a distribution nor a profile")

    def pure_set(self, concept: Any) -> list[Profile]:
        if concept is not Concept.PURE_NASH:
            raise Skip(f"{concept.value} equilibrium sets are re-checked by the fresh run only")
        return self.o.pure_nash()

    def metric(self, name: str) -> Any:
        m = self.o.model.metrics.get(name)
        if m is None:
            raise Mismatch(f"no metric {name!r} in the spec")
        return m

    def num(self, t: Any, env: dict[str, Point]) -> Fraction:
        v = self.ev(t, env)
        if isinstance(v, bool):
            raise Mismatch("a term expected to be a number is a condition")
        return v

    def ev(self, t: Any, env: dict[str, Point]) -> Fraction | bool:  # noqa: C901 - one case per node
        if isinstance(t, E.Num):
            return Fraction(t.value)
        if isinstance(t, E.BoolConst):
            return bool(t.value)
        if isinstance(t, E.ParamRef):
            return Fraction(self.o.params.get(t.name, self.o.model.params[t.name].value))
        if isinstance(t, E.Neg):
            return -self.num(t.operand, env)
        if isinstance(t, E.Not):
            return not self.ev(t.operand, env)
        if isinstance(t, E.Arith):
            x, y = self.num(t.left, env), self.num(t.right, env)
            if t.op == "^":
                return x ** int(y)
            if t.op == "/" and y == 0:
                raise Skip("division by zero in the property")
            return ARITH[t.op](x, y)
        if isinstance(t, E.Compare):
            return OPS[t.op](self.ev(t.left, env), self.ev(t.right, env))
        if isinstance(t, E.Logic):
            a = bool(self.ev(t.left, env))
            return (a and bool(self.ev(t.right, env))) if t.op == "and" else (a or bool(self.ev(t.right, env)))
        if isinstance(t, E.Cond):
            return self.ev(t.then, env) if self.ev(t.cond, env) else self.ev(t.otherwise, env)
        if isinstance(t, E.Call):
            vals = [self.num(a, env) for a in t.args]
            return abs(vals[0]) if t.fn == "abs" else (min(vals) if t.fn == "min" else max(vals))
        if isinstance(t, P.MetricAt):
            self.metric(t.metric)
            return expect(env[t.var], self.o.metric_of(t.metric))
        if isinstance(t, P.PayoffAt):
            idx = None if t.agent.index is None else int(self.num(t.agent.index, env))
            k = self.o.model.agent_index(t.agent.family, idx)
            if k is None:
                raise Mismatch(f"no agent {t.agent.family}[{idx}]")
            return expect(env[t.var], self.o.pay(k))
        if isinstance(t, P.MetricExtreme):
            return extreme([v for v, _ in self.o.metric_values(t.metric)], t.which == "max")
        if isinstance(t, P.EquilibriumCount):
            return Fraction(len(self.pure_set(t.concept)))
        if isinstance(t, P.EquilibriumValue):
            return self.eq_value(t.metric, t.which, t.concept)
        if isinstance(t, P.PriceOf):
            sense = self.metric(t.metric).sense
            opt = extreme([v for v, _ in self.o.metric_values(t.metric)], sense == "maximize")
            eq = self.eq_value(t.metric, "worst" if t.which == "anarchy" else "best", t.concept)
            num, den = (opt, eq) if sense == "maximize" else (eq, opt)
            if den == 0 or (num > 0 > den) or (num < 0 < den):
                raise Skip("the price is undefined")
            return num / den
        # ---- language v2 (issue 8): terms at profiles, aggregates in terms
        if isinstance(t, (P.MetricAtProfile, P.PayoffAtProfile)):
            prof = self.o.profile(dict(zip(self.o.names, t.profile.actions)))
            if isinstance(t, P.MetricAtProfile):
                self.metric(t.metric)
                return self.o.metrics(prof)[t.metric]
            idx = None if t.agent.index is None else int(self.num(t.agent.index, env))
            k = self.o.model.agent_index(t.agent.family, idx)
            if k is None:
                raise Mismatch(f"no agent {t.agent.family}[{idx}]")
            return self.o.u(k, prof)
        if isinstance(t, E.IndexVar):
            v = env.get(t.name)  # type: ignore[call-overload]
            if not isinstance(v, int):
                raise Mismatch(f"index variable {t.name} is not bound")
            return Fraction(v)
        if isinstance(t, E.Aggregate):
            lo, hi = self.num(t.lo, env), self.num(t.hi, env)
            items: list[Fraction | bool] = []
            for i in range(int(lo), int(hi) + 1):
                inner: dict[str, Any] = dict(env)
                inner[t.var] = i
                if t.filter is None or self.ev(t.filter, inner):
                    items.append(self.ev(t.body, inner))
            if t.kind in ("any", "all"):
                return any(items) if t.kind == "any" else all(items)
            if t.kind == "count":
                return Fraction(sum(1 for b in items if b))
            nums = [Fraction(x) for x in items]
            if t.kind == "sum":
                return sum(nums, Fraction(0))
            if t.kind == "product":
                acc = Fraction(1)
                for x in nums:
                    acc *= x
                return acc
            if not nums:
                raise Skip(f"{t.kind} over an empty range")
            return min(nums) if t.kind == "min" else max(nums)
        raise Skip(f"{type(t).__name__} terms are re-checked by the fresh run only")

    def eq_value(self, metric: str, which: str, concept: Any) -> Fraction:
        sense = self.metric(metric).sense
        vals = [self.o.metrics(s)[metric] for s in self.pure_set(concept)]
        if not vals:
            raise Skip("the game has no pure equilibrium")
        return extreme(vals, (which == "best") == (sense == "maximize"))
