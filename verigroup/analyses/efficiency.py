"""Efficiency of equilibria: price of anarchy / stability, Pareto efficiency.

For a metric tensor ``M`` (payoffs, welfare, harm, …) and a concept:

* the social optimum is the best pure-profile value (max for a maximised
  metric, min for a minimised one); a distribution cannot do better;
* the worst / best equilibrium value:
  - pure: over the pure equilibria;
  - mixed, two agents: over the *extreme* equilibria.  This is exact for
    the whole equilibrium set: it is a finite union of products
    ``conv(X_k) x conv(Y_k)`` and ``E[M]`` is bilinear in ``(x, y)``, so on
    each product its extremes sit at vertex pairs ``(x, y)`` in
    ``X_k x Y_k`` — and every such pair is an extreme equilibrium.  For
    three or more agents ``E[M]`` is multilinear and the set is not a union
    of products of polytopes in general; the value over the reported
    equilibria is then exact only when the list is complete and finite, and
    the result says so (``complete``);
  - correlated / coarse correlated: an exact LP optimum over the polytope;
* PoA = optimum / worst, PoS = optimum / best for a maximised metric;
  worst / optimum and best / optimum for a minimised one.  Undefined (None
  with the reason) when a denominator is 0 or the signs differ.

Pareto efficiency: an equilibrium is Pareto efficient (with respect to pure
outcomes) when no pure profile gives every agent at least its equilibrium
payoff and some agent strictly more; otherwise the dominating profile is
the witness.  (Dominance by a *lottery* over profiles is not checked.)
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, Sequence

import numpy as np

from verigroup.analyses.registry import Context, Point, PurePoint
from verigroup.model.game import ExactTensor, NormalFormGame
from verigroup.model.properties import Concept


@dataclass(frozen=True)
class EquilibriumExtreme:
    value: Fraction | None
    witness: Point | None
    complete: bool
    method: str
    reason: str = ""


@dataclass(frozen=True)
class PriceResult:
    which: Literal["anarchy", "stability"]
    concept: Concept
    value: Fraction | None  # None when undefined
    optimum: Fraction
    optimum_profile: tuple[int, ...]
    equilibrium_value: Fraction | None
    witness: Point | None
    complete: bool
    reason: str = ""


@dataclass(frozen=True)
class ParetoResult:
    point: Point
    payoffs: tuple[Fraction, ...]
    efficient: bool
    dominated_by: tuple[int, ...] | None  # a pure profile
    dominating_payoffs: tuple[Fraction, ...] | None


def social_optimum(tensor: ExactTensor, sense: str = "maximize") -> tuple[Fraction, tuple[int, ...]]:
    vals = tensor.values
    flat = [int(v) for v in vals.flat]
    best = max(flat) if sense == "maximize" else min(flat)
    idx = np.unravel_index(flat.index(best), vals.shape)
    return Fraction(best, tensor.denominator), tuple(int(i) for i in idx)


def equilibrium_extreme(ctx: Context, concept: Concept, tensor: ExactTensor,
                        want_max: bool) -> EquilibriumExtreme:
    """Exact max/min of ``E[tensor]`` over the equilibria of ``concept``."""
    if concept in (Concept.CORRELATED, Concept.COARSE_CORRELATED):
        from verigroup.analyses.correlated import extreme_value

        v, pt, cert = extreme_value(ctx, concept, tensor, want_max)
        return EquilibriumExtreme(v, pt, True, f"LP ({cert.method})")
    eqs = ctx.equilibria(concept)
    if not eqs.points:
        return EquilibriumExtreme(None, None, eqs.complete, eqs.method,
                                  eqs.reason or "no equilibrium found")
    approx = [p for p in eqs.points if not getattr(p, "exact", True)]
    vals = [(p.expect(tensor), k) for k, p in enumerate(eqs.points)]
    v, k = max(vals) if want_max else min(vals)
    complete = eqs.complete and not approx
    reason = eqs.reason
    if approx:
        reason = (reason + "; " if reason else "") + "some equilibria are approximate"
    if concept is Concept.MIXED_NASH and ctx.game.num_players > 2 and complete:
        reason = "over the extreme (isolated) equilibria found by support enumeration"
    return EquilibriumExtreme(v, eqs.points[k], complete, eqs.method, reason)


def _ratio(num: Fraction, den: Fraction) -> tuple[Fraction | None, str]:
    """The same rule as the property checker (``terms.py``): a price is
    defined only for a positive optimum and a positive equilibrium value (a
    ratio of non-positive values inverts its meaning: -6 / -10 = 3/5 < 1)."""
    if den == 0:
        return None, "denominator is 0"
    if num <= 0 or den <= 0:
        return None, "needs a positive optimum and a positive equilibrium value"
    return num / den, ""


def price(ctx: Context, which: Literal["anarchy", "stability"], tensor: ExactTensor,
          sense: str = "maximize", concept: Concept = Concept.PURE_NASH) -> PriceResult:
    opt, prof = social_optimum(tensor, sense)
    maxim = sense == "maximize"
    # anarchy looks at the worst equilibrium, stability at the best
    want_max = (which == "stability") == maxim
    ext = equilibrium_extreme(ctx, concept, tensor, want_max)
    if ext.value is None:
        return PriceResult(which, concept, None, opt, prof, None, None, ext.complete,
                           ext.reason or "no equilibrium")
    val, why = _ratio(opt, ext.value) if maxim else _ratio(ext.value, opt)
    return PriceResult(which, concept, val, opt, prof, ext.value, ext.witness, ext.complete,
                       why or ext.reason)


def price_of_anarchy(ctx: Context, tensor: ExactTensor, sense: str = "maximize",
                     concept: Concept = Concept.PURE_NASH) -> PriceResult:
    return price(ctx, "anarchy", tensor, sense, concept)


def price_of_stability(ctx: Context, tensor: ExactTensor, sense: str = "maximize",
                       concept: Concept = Concept.PURE_NASH) -> PriceResult:
    return price(ctx, "stability", tensor, sense, concept)


def pareto_check(game: NormalFormGame, point: Point) -> ParetoResult:
    """Is ``point`` Pareto efficient among pure outcomes?  Exact."""
    pay = tuple(point.expect(t) for t in game.payoffs)
    # compare in integer space per agent: value*den >= pay*den
    cond: Any = np.ones(game.shape, dtype=bool)
    strict: Any = np.zeros(game.shape, dtype=bool)
    for t, v in zip(game.payoffs, pay):
        scaled = v * t.denominator  # Fraction
        vals = t.values
        if scaled.denominator == 1 and vals.dtype == np.int64 and abs(scaled.numerator) < 2**62:
            s = np.int64(scaled.numerator)
            ge, gt = vals >= s, vals > s
        else:
            ge = np.vectorize(lambda x: Fraction(int(x)) >= scaled, otypes=[bool])(vals)
            gt = np.vectorize(lambda x: Fraction(int(x)) > scaled, otypes=[bool])(vals)
        cond &= ge
        strict |= gt
    dom = np.argwhere(cond & strict)
    if len(dom) == 0:
        return ParetoResult(point, pay, True, None, None)
    # deterministic witness: the lexicographically first dominating profile
    prof = tuple(int(i) for i in dom[0])
    return ParetoResult(point, pay, False, prof, game.payoff_vector(prof))


def pareto_of_equilibria(ctx: Context, concept: Concept) -> list[ParetoResult]:
    eqs = ctx.equilibria(concept)
    return [pareto_check(ctx.game, p) for p in eqs.points]


def optimum_is_equilibrium(ctx: Context, tensor: ExactTensor, sense: str = "maximize"
                           ) -> tuple[bool, tuple[int, ...]]:
    """Whether some optimal pure profile is a pure equilibrium (exact)."""
    opt, _ = social_optimum(tensor, sense)
    pure = {p.profile for p in ctx.equilibria(Concept.PURE_NASH).points if isinstance(p, PurePoint)}
    flat = np.argwhere(tensor.values == tensor.values[_first_opt(tensor, opt)])
    for idx in flat:
        prof = tuple(int(i) for i in idx)
        if prof in pure:
            return True, prof
    return False, _first_opt(tensor, opt)


def _first_opt(tensor: ExactTensor, opt: Fraction) -> tuple[int, ...]:
    target = opt * tensor.denominator
    for idx, v in np.ndenumerate(tensor.values):
        if int(v) == target:
            return tuple(int(i) for i in idx)
    raise ValueError("optimum not found")


def metric_tensor(game: NormalFormGame, name: str | None) -> tuple[ExactTensor, str]:
    """The tensor and sense of a named metric (None = total welfare)."""
    if name is None or (name == "welfare" and name not in game.metrics):
        from verigroup.solvers.correlated import welfare_tensor

        return welfare_tensor(game), "maximize"
    m = game.metrics[name]
    return m.tensor, m.sense


def expectations(points: Sequence[Point], tensor: ExactTensor) -> list[Fraction]:
    return [p.expect(tensor) for p in points]
