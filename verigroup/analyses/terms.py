"""Property terms over equilibria of any concept: Quantified and Claim.

A term is evaluated exactly (Fractions and bools).  ``welfare(p)`` and
``payoff(a[1], p)`` read the equilibrium bound to ``p`` through
``Point.expect`` (pure, mixed and correlated points alike); ``max(welfare)``
is over all pure profiles; ``best_equilibrium``/``worst_equilibrium``,
``price_of_anarchy``/``price_of_stability`` and ``count(nash)`` read the
concept's equilibrium set.

Honesty rules:

* An incomplete equilibrium set (``complete=False``) never proves anything:
  ``for every`` is VIOLATED (a counterexample was found) or UNKNOWN, ``for
  some`` is HOLDS (a witness was found) or UNKNOWN, and whole-set values
  (best/worst equilibrium, prices, counts) are undefined -> UNKNOWN.
* Approximate points (``exact=False``) are neither counterexamples nor
  witnesses.
* Infinitely many mixed equilibria (``extra["components_infinite"]``): only
  the extreme equilibria are listed.  Checking them is a proof only when the
  term is *vertex-decidable*: a comparison of affine combinations of the
  point's expectations (conjunctions for ``every``, disjunctions for
  ``some``), and either the game has two agents (each maximal Nash subset is
  a product of polytopes and expectations are bilinear, so their extremes
  are at extreme equilibria) or the provider says ``extra["vertices_suffice"]``.
  For correlated concepts the set is one polytope and expectations are
  linear, so the same terms are vertex-decidable when the vertex list is
  complete.  Otherwise a violating vertex is still a counterexample, and a
  clean pass is UNKNOWN.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.analyses.pure import game_of, names, not_normal_form, optima, region_unsupported, result
from verigroup.analyses.registry import Context, CorrelatedPoint, EquilibriumSet, MixedPoint, PurePoint
from verigroup.analyses.registry import checker
from verigroup.runtime import check_deadline
from verigroup.diagnostics import SpecError
from verigroup.evaluate.scalar import exact_arith
from verigroup.model.expr import (
    AgentRef, Aggregate, Arith, BoolConst, Call, Compare, Cond, IndexVar, Logic, Neg, Not, Num, ParamRef,
    span_of,
)
from verigroup.model.game import NormalFormGame
from verigroup.model.properties import (
    Claim, Concept, EquilibriumCount, EquilibriumValue, MetricAt, MetricAtProfile, MetricExtreme, PayoffAt,
    PayoffAtProfile, PriceOf, Quantified, Quantifier, Term,
)
from verigroup.verdicts import PropertyResult, Verdict, q

Value = Fraction | bool
TERM_AGGREGATE_LIMIT = 10_000  # terms of one aggregate inside a property term
_CORRELATED = (Concept.CORRELATED, Concept.COARSE_CORRELATED)


class Undefined(Exception):
    """The term has no value (price with a zero denominator, an incomplete
    equilibrium set, ...): the property is UNKNOWN with this reason."""


# --------------------------------------------------------- point ordering


def point_key(pt: Any) -> tuple[Any, ...]:
    if isinstance(pt, PurePoint):
        return (0, pt.profile)
    if isinstance(pt, MixedPoint):
        return (1, tuple(tuple(-x for x in s) for s in pt.strategy))
    if isinstance(pt, CorrelatedPoint):
        return (2, tuple(sorted((s, -pr) for s, pr in pt.support)))
    return (3, repr(pt))


def exact_points(eqs: EquilibriumSet) -> list[Any]:
    return sorted((p for p in eqs.points if getattr(p, "exact", True)), key=point_key)


def vertex_sound(eqs: EquilibriumSet, game: NormalFormGame | None) -> bool:
    """May a vertex-decidable term be decided on the listed points alone?"""
    if eqs.extra.get("vertices_suffice"):
        return True
    # Correlated concepts: the provider lists one representative point of the
    # polytope, not its vertices; those terms are decided by exact LPs
    # (``_correlated_lp``) instead.
    if eqs.concept is Concept.MIXED_NASH:
        return game is not None and game.num_players == 2
    return False


def set_exhaustive(eqs: EquilibriumSet) -> tuple[bool, str]:
    """(listed points are all the equilibria, reason when not)."""
    if not eqs.complete:
        return False, eqs.reason or "the equilibrium search was incomplete"
    if any(not getattr(p, "exact", True) for p in eqs.points):
        return False, "some equilibria are only approximate"
    if eqs.concept is Concept.MIXED_NASH and eqs.extra.get("components_infinite"):
        return False, "infinitely many mixed equilibria; only the extreme ones are listed"
    if eqs.concept in _CORRELATED:
        return False, "a correlated equilibrium set is a polytope; only one of its points is listed"
    return True, ""


# ---------------------------------------------------------- the evaluator


_NO_METRIC = ("metric `{metric}` at an equilibrium of a protocol is not defined: metrics are over "
              "action profiles, and a protocol's equilibria are strategies in a game tree; "
              "state the property with payoff(agent, p) instead")


def _protocol_point(pt: Any) -> bool:
    """A point of an extensive-form protocol (an SPE point): it reports its
    agents' payoffs itself (``payoff(agent_name)``) and has no profile in a
    normal-form game."""
    return callable(getattr(pt, "payoff", None))



class TermEvaluator:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.params = ctx.model.param_values()
        self.trace: dict[str, Any] = {}
        self._game: NormalFormGame | None = None

    @property
    def game(self) -> NormalFormGame:
        if self._game is None:
            try:
                self._game = game_of(self.ctx)
            except SpecError as exc:
                if exc.diagnostics and exc.diagnostics[0].code == "E202":
                    raise
                raise Undefined("this term needs the normal-form game: " + exc.diagnostics[0].message)
        return self._game

    def tensor(self, metric: str, span: Any) -> Any:
        g = self.game
        if metric not in g.metrics and self.ctx.model.protocol is not None:
            # the reduced strategic form of a protocol carries no metrics (issue 8)
            raise Undefined(_NO_METRIC.format(metric=metric))
        if metric not in g.metrics:
            raise SpecError.single("E101", f"undefined metric `{metric}`", span)
        return g.metrics[metric].tensor

    def equilibria(self, concept: Concept) -> EquilibriumSet:
        return self.ctx.equilibria(concept)

    def values_over(self, metric: str, concept: Concept, span: Any) -> list[tuple[Fraction, Any]]:
        eqs = self.equilibria(concept)
        ok, why = set_exhaustive(eqs)
        if not ok and not (eqs.complete and vertex_sound(eqs, self.game)
                           and all(getattr(p, "exact", True) for p in eqs.points)):
            raise Undefined(f"{concept.value} equilibrium values are not exact: {why}")
        if any(_protocol_point(p) for p in eqs.points):
            raise Undefined(_NO_METRIC.format(metric=metric))
        t = self.tensor(metric, span)
        return [(p.expect(t), p) for p in exact_points(eqs)]

    def sense(self, metric: str) -> str:
        return self.game.metrics[metric].sense

    def eq_value(self, metric: str, which: str, concept: Concept, span: Any) -> tuple[Fraction, Any]:
        if concept in _CORRELATED:  # the set is a polytope: an exact, certified LP optimum
            from verigroup.analyses.correlated import extreme_value

            eqs = self.equilibria(concept)
            if not eqs.complete:
                raise Undefined(f"{concept.value} equilibria are not available: {eqs.reason}")
            t = self.tensor(metric, span)
            want = (which == "best") == (self.sense(metric) == "maximize")
            value, point, _ = extreme_value(self.ctx, concept, t, want)
            return value, point
        vals = self.values_over(metric, concept, span)
        if not vals:
            raise Undefined(f"the game has no {concept.value} equilibrium")
        maximize = self.sense(metric) == "maximize"
        want_max = (which == "best") == maximize
        best = max(v for v, _ in vals) if want_max else min(v for v, _ in vals)
        witness = next(p for v, p in vals if v == best)
        return best, witness

    def describe(self, pt: Any) -> dict[str, Any]:
        if _protocol_point(pt):  # describes itself from its tree; no normal form needed
            return pt.describe(None).to_json()  # type: ignore[no-any-return]
        try:
            return pt.describe(self.game).to_json()  # type: ignore[no-any-return]
        except Undefined:
            return {"point": repr(pt)}

    def agent(self, ref: AgentRef, env: dict[str, Any]) -> int:
        idx = None
        if ref.index is not None:
            v = self.num(ref.index, env)
            if v.denominator != 1:
                raise SpecError.single("E107", f"agent index must be an integer, got {v}", ref.span)
            idx = int(v)
        k = self.ctx.model.agent_index(ref.family, idx)
        if k is None:
            raise SpecError.single("E105", f"no agent {ref.family}" + ("" if idx is None else f"[{idx}]"),
                                   ref.span)
        return k

    def num(self, t: Term, env: dict[str, Any]) -> Fraction:
        v = self.ev(t, env)
        if isinstance(v, bool):
            raise SpecError.single("E107", "expected a number, found a condition", span_of(t))
        return v

    def cond(self, t: Term, env: dict[str, Any]) -> bool:
        v = self.ev(t, env)
        if not isinstance(v, bool):
            raise SpecError.single("E107", "expected a condition, found a number", span_of(t))
        return v

    def point(self, var: str, env: dict[str, Any], span: Any) -> Any:
        if var not in env:
            raise SpecError.single("E101", f"`{var}` is not bound to an equilibrium here", span)
        return env[var]

    def ev(self, t: Term, env: dict[str, Any]) -> Value:  # noqa: C901 - one case per node
        if isinstance(t, Num):
            return Fraction(t.value)
        if isinstance(t, BoolConst):
            return bool(t.value)
        if isinstance(t, ParamRef):
            if t.name not in self.params:
                raise SpecError.single("E101", f"undefined parameter `{t.name}`", t.span)
            return self.params[t.name]
        if isinstance(t, Neg):
            return -self.num(t.operand, env)
        if isinstance(t, Not):
            return not self.cond(t.operand, env)
        if isinstance(t, Arith):
            x, y = self.num(t.left, env), self.num(t.right, env)
            if t.op == "^" and y.denominator != 1:
                raise SpecError.single("E107", "exponent must be an integer", t.span)
            v = exact_arith(t.op, x, y)
            if v is None:
                raise Undefined("0 to a negative power in the property" if t.op == "^"
                                else "division by zero in the property")
            return v
        if isinstance(t, Compare):
            a, b = self.ev(t.left, env), self.ev(t.right, env)
            if isinstance(a, bool) != isinstance(b, bool):
                raise SpecError.single("E107", "cannot compare a number with a condition", t.span)
            return {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[t.op]
        if isinstance(t, Logic):
            left = self.cond(t.left, env)
            if t.op == "and":
                return left and self.cond(t.right, env)
            return left or self.cond(t.right, env)
        if isinstance(t, Cond):
            return self.ev(t.then, env) if self.cond(t.cond, env) else self.ev(t.otherwise, env)
        if isinstance(t, Call):
            vals = [self.num(a, env) for a in t.args]
            if t.fn == "abs":
                return abs(vals[0])
            return min(vals) if t.fn == "min" else max(vals)
        if isinstance(t, MetricAt):
            pt = self.point(t.var, env, t.span)
            if _protocol_point(pt):
                raise Undefined(_NO_METRIC.format(metric=t.metric))
            return pt.expect(self.tensor(t.metric, t.span))  # type: ignore[no-any-return]
        if isinstance(t, PayoffAt):
            k = self.agent(t.agent, env)
            pt = self.point(t.var, env, t.span)
            if _protocol_point(pt):  # e.g. an SPE of a protocol: expected payoff over chance
                return pt.payoff(self.ctx.model.agents[k].name)  # type: ignore[no-any-return]
            return pt.expect(self.game.payoffs[k])  # type: ignore[no-any-return]
        if isinstance(t, MetricExtreme):
            self.tensor(t.metric, t.span)
            o = optima(self.game, t.metric)
            v = o.max_value if t.which == "max" else o.min_value
            self.trace[f"{t.which}({t.metric})"] = {"value": q(v), "profile": names(
                self.game, o.argmax[0] if t.which == "max" else o.argmin[0])}
            return v
        if isinstance(t, EquilibriumValue):
            v, w = self.eq_value(t.metric, t.which, t.concept, t.span)
            self.trace[f"{t.which}_equilibrium({t.metric}, {t.concept.value})"] = {
                "value": q(v), "equilibrium": self.describe(w)}
            return v
        if isinstance(t, PriceOf):
            return self.price(t)
        if isinstance(t, EquilibriumCount):
            eqs = self.equilibria(t.concept)
            if not eqs.complete or any(not getattr(p, "exact", True) for p in eqs.points):
                raise Undefined(f"the {t.concept.value} equilibrium count is not known exactly: "
                                f"{eqs.reason or 'incomplete search'}")
            if t.concept in _CORRELATED:
                raise Undefined(f"count({t.concept.value}) is not defined: the {t.concept.value} "
                                "equilibria form a polytope (one point or infinitely many)")
            if eqs.extra.get("components_infinite"):
                raise Undefined(f"count({t.concept.value}) is not finite: the game has infinitely "
                                f"many {t.concept.value} equilibria ({len(eqs.points)} extreme ones)")
            n = len(eqs.points)
            self.trace[f"count({t.concept.value})"] = {"value": n, "extreme_only": bool(
                eqs.extra.get("components_infinite"))}
            return Fraction(n)
        if isinstance(t, (MetricAtProfile, PayoffAtProfile)):
            g = self.game
            idx = tuple(g.actions[k].index(a) for k, a in enumerate(t.profile.actions))
            label = t.profile.name or "{" + ", ".join(f"{p}: {a}" for p, a in zip(g.players, t.profile.actions)) + "}"
            if isinstance(t, MetricAtProfile):
                v = self.tensor(t.metric, t.span).at(idx)
                self.trace[f"{t.metric}({label})"] = {"value": q(v), "profile": names(g, idx)}
            else:
                k = self.agent(t.agent, env)
                v = g.payoffs[k].at(idx)
                self.trace[f"payoff({g.players[k]}, {label})"] = {"value": q(v), "profile": names(g, idx)}
            return v
        if isinstance(t, IndexVar):
            if t.name not in env or not isinstance(env[t.name], int):
                raise SpecError.single("E101", f"`{t.name}` is not bound here", t.span)
            return Fraction(env[t.name])
        if isinstance(t, Aggregate):
            return self.aggregate(t, env)
        raise SpecError.single("E110", f"{type(t).__name__} cannot appear in a property term", span_of(t))

    def aggregate(self, t: Aggregate, env: dict[str, Any]) -> Value:
        """``sum(i in 1..n: payoff(a[i], p))`` and the other aggregates,
        exactly, over a constant range (issue 8)."""
        lo, hi = self.num(t.lo, env), self.num(t.hi, env)
        if lo.denominator != 1 or hi.denominator != 1:
            raise SpecError.single("E107", "the bounds of a range must be integers", t.span)
        if hi - lo + 1 > TERM_AGGREGATE_LIMIT:
            raise SpecError.single("E007", f"an aggregate over {hi - lo + 1} terms in a property "
                                   f"(at most {TERM_AGGREGATE_LIMIT})", t.span)
        vals: list[Value] = []
        for i in range(int(lo), int(hi) + 1):
            check_deadline()
            inner = dict(env)
            inner[t.var] = i
            if t.filter is not None and not self.cond(t.filter, inner):
                continue
            vals.append(self.cond(t.body, inner) if t.kind in ("count", "any", "all") else self.num(t.body, inner))
        if t.kind == "any":
            return any(vals)
        if t.kind == "all":
            return all(vals)
        if t.kind == "count":
            return Fraction(sum(1 for v in vals if v))
        nums = [v for v in vals if not isinstance(v, bool)]
        if t.kind == "sum":
            return sum(nums, Fraction(0))
        if t.kind == "product":
            out = Fraction(1)
            for v in nums:
                out *= v
            return out
        if not nums:
            raise Undefined(f"{t.kind} over an empty range")
        return min(nums) if t.kind == "min" else max(nums)

    def price(self, t: PriceOf) -> Fraction:
        self.tensor(t.metric, t.span)
        sense = self.sense(t.metric)
        o = optima(self.game, t.metric)
        which = "worst" if t.which == "anarchy" else "best"
        eq_v, witness = self.eq_value(t.metric, which, t.concept, t.span)
        opt = o.max_value if sense == "maximize" else o.min_value
        num, den = (opt, eq_v) if sense == "maximize" else (eq_v, opt)
        label = f"price_of_{t.which}({t.metric}, {t.concept.value})"
        info = {"optimum": q(opt), f"{which}_equilibrium_value": q(eq_v),
                "equilibrium": self.describe(witness), "sense": sense}
        if den == 0:
            self.trace[label] = info
            raise Undefined(f"{label} is undefined: the denominator is 0 ({info})")
        if num <= 0 or den <= 0:
            # A ratio of non-positive values inverts its meaning (opt -6 over
            # equilibrium -10 is 3/5 < 1, opt 0 over -4 is 0): undefined.
            self.trace[label] = info
            why = ("the optimum and the equilibrium value have different signs"
                   if (num > 0 > den) or (num < 0 < den) else
                   "it needs a positive optimum and a positive equilibrium value")
            raise Undefined(f"{label} is undefined: {why} ({q(num)} / {q(den)})")
        v = num / den
        info["value"] = q(v)
        self.trace[label] = info
        return v


# --------------------------------------------------- vertex-decidability


def _uses(t: Any, var: str) -> bool:
    if isinstance(t, (MetricAt, PayoffAt)):
        return t.var == var
    kids = [getattr(t, f) for f in ("left", "right", "operand", "cond", "then", "otherwise",
                                    "body", "filter", "lo", "hi") if hasattr(t, f)]
    kids += list(getattr(t, "args", ()))
    return any(_uses(k, var) for k in kids if k is not None)


def _affine(t: Any, var: str) -> bool:
    if not _uses(t, var):
        return True
    if isinstance(t, (MetricAt, PayoffAt)):
        return True
    if isinstance(t, Neg):
        return _affine(t.operand, var)
    if isinstance(t, Arith):
        if t.op in ("+", "-"):
            return _affine(t.left, var) and _affine(t.right, var)
        if t.op == "*":
            return (not _uses(t.left, var) and _affine(t.right, var)) or (
                not _uses(t.right, var) and _affine(t.left, var))
        if t.op == "/":
            return not _uses(t.right, var) and _affine(t.left, var)
    if isinstance(t, Aggregate):  # a sum of affine terms over a range that does not read the point
        return (t.kind == "sum" and t.filter is None or t.kind == "sum" and not _uses(t.filter, var)) \
            and not _uses(t.lo, var) and not _uses(t.hi, var) and _affine(t.body, var)
    return False


def vertex_decidable(t: Any, var: str, quantifier: Quantifier) -> bool:
    ok_ops = {"<", "<=", ">", ">=", "=="} if quantifier is Quantifier.EVERY else {"<", "<=", ">", ">=", "!="}
    if isinstance(t, Compare):
        return t.op in ok_ops and _affine(t.left, var) and _affine(t.right, var)
    if isinstance(t, Logic):
        want = "and" if quantifier is Quantifier.EVERY else "or"
        return t.op == want and vertex_decidable(t.left, var, quantifier) and vertex_decidable(
            t.right, var, quantifier)
    return not _uses(t, var)


# ------------------------------------------- correlated: exact LPs


def _parts(t: Any, quantifier: Quantifier) -> list[Any]:
    """The conjuncts (``every``) or disjuncts (``some``) of a vertex-decidable body."""
    want = "and" if quantifier is Quantifier.EVERY else "or"
    if isinstance(t, Logic) and t.op == want:
        return _parts(t.left, quantifier) + _parts(t.right, quantifier)
    return [t]


def _correlated_lp(ctx: Context, ev: TermEvaluator, prop: Quantified, method: str
                   ) -> PropertyResult | None:
    """Decide ``for every/some correlated p: BODY`` exactly over the whole
    polytope when BODY is vertex-decidable (comparisons of terms affine in the
    expectations, conjoined for ``every``, disjoined for ``some``).

    ``L(p) - R(p)`` is affine in the expectations, and ``sum p = 1``, so it is
    ``E_p[F]`` with ``F(s) = L(s) - R(s)`` at the pure profile ``s``; its min
    and max over the polytope are exact, certified LP optima whose optimal
    distributions are the counterexamples / witnesses.  None when BODY is not
    of that shape."""
    from verigroup.analyses.correlated import extreme_value
    from verigroup.model.game import ExactTensor

    import numpy as np

    every = prop.quantifier is Quantifier.EVERY
    if not vertex_decidable(prop.body, prop.var, prop.quantifier):
        return None
    g = ev.game
    lp_method = f"exact LP over the {prop.concept.value} polytope (certified optimum)"
    for part in _parts(prop.body, prop.quantifier):
        if not _uses(part, prop.var):
            ok = ev.cond(part, {})
            if ok != every:  # a false conjunct / a true disjunct decides alone
                break
            continue
        assert isinstance(part, Compare)
        diff = np.empty(g.shape, dtype=object)
        for s in np.ndindex(*g.shape):
            check_deadline()
            env: dict[str, Any] = {prop.var: PurePoint(tuple(int(x) for x in s))}
            diff[s] = ev.num(part.left, env) - ev.num(part.right, env)
        f = ExactTensor.from_fractions(diff)
        lo, lo_pt, _ = extreme_value(ctx, prop.concept, f, False)
        hi, hi_pt, _ = extreme_value(ctx, prop.concept, f, True)
        op = part.op
        if every:
            # the worst point for the comparison, and whether it passes
            bad = {">=": (lo >= 0, lo_pt), ">": (lo > 0, lo_pt), "<=": (hi <= 0, hi_pt),
                   "<": (hi < 0, hi_pt), "==": (lo == 0 and hi == 0, lo_pt if lo != 0 else hi_pt)}
            passed, pt = bad[op]
            if not passed:
                env = {prop.var: pt}
                evidence = {"kind": "equilibrium", "concept": prop.concept.value,
                            **_point_evidence(ev, pt), "sides": _sides(ev, part, env),
                            "terms": ev.trace, "method": lp_method}
                return result(prop, Verdict.VIOLATED, lp_method,
                              f"a {prop.concept.value} equilibrium violates the property", evidence)
        else:
            good = {">=": (hi >= 0, hi_pt), ">": (hi > 0, hi_pt), "<=": (lo <= 0, lo_pt),
                    "<": (lo < 0, lo_pt), "!=": (hi != 0 or lo != 0, hi_pt if hi != 0 else lo_pt)}
            found, pt = good[op]
            if found:
                env = {prop.var: pt}
                evidence = {"method": lp_method, "witness": _point_evidence(ev, pt),
                            "sides": _sides(ev, part, env), "terms": ev.trace}
                return result(prop, Verdict.HOLDS, lp_method,
                              f"a {prop.concept.value} equilibrium satisfies the property", evidence)
    else:
        if every:
            return result(prop, Verdict.HOLDS, lp_method,
                          f"every {prop.concept.value} equilibrium satisfies the property "
                          "(exact optima over the polytope)", {"method": lp_method, "terms": ev.trace})
        return result(prop, Verdict.VIOLATED, lp_method,
                      f"no {prop.concept.value} equilibrium satisfies the property "
                      "(exact optima over the polytope)",
                      {"kind": "no_witness", "method": lp_method, "terms": ev.trace})
    # a constant part decided the whole body
    if every:
        return result(prop, Verdict.VIOLATED, "exact evaluation",
                      "a part of the property that does not depend on the equilibrium is false",
                      {"kind": "claim", "method": "exact evaluation", "terms": ev.trace})
    return result(prop, Verdict.HOLDS, "exact evaluation",
                  "a part of the property that does not depend on the equilibrium is true",
                  {"method": "exact evaluation", "terms": ev.trace})


# ---------------------------------------------------------------- checkers


def _sides(ev: TermEvaluator, body: Any, env: dict[str, Any]) -> dict[str, str]:
    if isinstance(body, Compare):
        try:
            a, b = ev.ev(body.left, env), ev.ev(body.right, env)
            return {"left": q(a) if not isinstance(a, bool) else str(a).lower(),
                    "right": q(b) if not isinstance(b, bool) else str(b).lower(), "op": body.op}
        except Undefined:
            return {}
    return {}


def _point_evidence(ev: TermEvaluator, pt: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"equilibrium": ev.describe(pt)}
    if isinstance(pt, PurePoint):
        out["profile"] = names(ev.game, pt.profile)
    desc = out["equilibrium"]
    if isinstance(desc, dict):
        for k in ("payoffs", "metrics"):
            if k in desc:
                out[k] = desc[k]
    return out


def _unknown(prop: Any, method: str, reason: str, extra: dict[str, Any] | None = None) -> PropertyResult:
    return result(prop, Verdict.UNKNOWN, method, reason, {"reason": reason, **(extra or {})})


@checker(Quantified)
def check_quantified(ctx: Context, prop: Quantified) -> PropertyResult:
    if getattr(prop, "region", None) is not None:
        return region_unsupported(prop)
    if prop.concept is not Concept.SPE and (r := not_normal_form(ctx, prop)) is not None:
        return r
    ev = TermEvaluator(ctx)
    eqs = ctx.equilibria(prop.concept)
    method = eqs.method or prop.concept.value
    points = exact_points(eqs)
    every = prop.quantifier is Quantifier.EVERY
    undefined: list[str] = []
    for pt in points:
        check_deadline()
        env = {prop.var: pt}
        try:
            ok = ev.cond(prop.body, env)
        except Undefined as exc:
            undefined.append(str(exc))
            continue
        if every and not ok:
            evidence = {"kind": "equilibrium", "concept": prop.concept.value,
                        **_point_evidence(ev, pt), "sides": _sides(ev, prop.body, env), "terms": ev.trace}
            return result(prop, Verdict.VIOLATED, method,
                          f"an equilibrium ({prop.concept.value}) violates the property", evidence)
        if not every and ok:
            evidence = {"method": method, "witness": _point_evidence(ev, pt),
                        "sides": _sides(ev, prop.body, env), "terms": ev.trace}
            return result(prop, Verdict.HOLDS, method,
                          f"a {prop.concept.value} equilibrium satisfies the property", evidence)
    if undefined:
        return _unknown(prop, method, undefined[0], {"checked": len(points)})
    if prop.concept in _CORRELATED and eqs.complete:
        try:
            decided = _correlated_lp(ctx, ev, prop, method)
        except Undefined as exc:
            return _unknown(prop, method, str(exc), {"checked": len(points)})
        if decided is not None:
            return decided
        return _unknown(prop, method, f"no {'violation' if every else 'witness'} at the listed "
                        f"{prop.concept.value} equilibrium, and the property is not a comparison "
                        "linear in the equilibrium, so it cannot be decided over the whole polytope",
                        {"checked": len(points)})
    exhaustive, why = set_exhaustive(eqs)
    if not exhaustive and eqs.complete and all(getattr(p, "exact", True) for p in eqs.points):
        g = None
        try:
            g = ev.game
        except Undefined:
            pass
        if vertex_sound(eqs, g) and vertex_decidable(prop.body, prop.var, prop.quantifier):
            exhaustive, why = True, ""
            method += " (extreme equilibria suffice: the property is linear in the equilibrium)"
    if not exhaustive:
        return _unknown(prop, method, f"no {'violation' if every else 'witness'} among "
                        f"{len(points)} equilibria, but {why}", {"checked": len(points)})
    if every:
        return result(prop, Verdict.HOLDS, method,
                      f"all {len(points)} {prop.concept.value} equilibria satisfy the property",
                      {"method": method, "equilibria": len(points), "terms": ev.trace})
    return result(prop, Verdict.VIOLATED, method,
                  f"none of the {len(points)} {prop.concept.value} equilibria satisfies the property",
                  {"kind": "no_witness", "method": method, "equilibria": len(points),
                   "checked": [_point_evidence(ev, p) for p in points[:5]], "terms": ev.trace})


@checker(Claim)
def check_claim(ctx: Context, prop: Claim) -> PropertyResult:
    if getattr(prop, "region", None) is not None:
        return region_unsupported(prop)
    ev = TermEvaluator(ctx)
    try:
        ok = ev.cond(prop.body, {})
    except Undefined as exc:
        return _unknown(prop, "exact evaluation", str(exc), {"terms": ev.trace})
    evidence = {"method": "exact evaluation", "sides": _sides(ev, prop.body, {}), "terms": ev.trace}
    if ok:
        return result(prop, Verdict.HOLDS, "exact evaluation", "the claim holds", evidence)
    return result(prop, Verdict.VIOLATED, "exact evaluation", "the claim is false",
                  {"kind": "claim", **evidence})


__all__ = ["TermEvaluator", "Undefined", "check_quantified", "check_claim", "vertex_decidable",
           "point_key", "exact_points"]
