"""Correlated and coarse-correlated equilibria for the property layer.

The CE (CCE) set is a polytope, not a finite list, so quantified properties
are decided by linear programming:

* ``for every correlated p: metric(p) >= X`` holds iff the *minimum* of the
  metric over the polytope is ``>= X``; the minimiser is the witness (a
  counterexample when the bound fails);
* ``for some correlated p: metric(p) >= X`` holds iff the *maximum* is.

:func:`extreme_value` is the hook for the term evaluator:
``extreme_value(ctx, concept, tensor, maximize) -> (value, CorrelatedPoint,
certificate)``; the value is exact and carries an exact LP optimality
certificate (:class:`verigroup.solvers.correlated.LPCertificate`).

The registered providers return a single point, the correlated equilibrium
that maximises the sum of payoffs (or ``ctx.options['objective']``, a metric,
minimised when ``ctx.options['minimize']``), with ``extra={"polytope": True, ...}`` telling
consumers that the point list is a representative, not the whole set.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.analyses.registry import Context, CorrelatedPoint, EquilibriumSet, concept_provider
from verigroup.model.game import ExactTensor, NormalFormGame
from verigroup.model.properties import Concept
from verigroup.solvers.correlated import CorrelatedOptimum, LPCertificate, optimize
from verigroup.verdicts import q


def _coarse(concept: Concept) -> bool:
    if concept is Concept.CORRELATED:
        return False
    if concept is Concept.COARSE_CORRELATED:
        return True
    raise ValueError(f"not a correlated concept: {concept}")


def to_point(opt: CorrelatedOptimum) -> CorrelatedPoint:
    concept = Concept.COARSE_CORRELATED if opt.coarse else Concept.CORRELATED
    return CorrelatedPoint(opt.distribution, concept.value)


def certificate_json(cert: LPCertificate) -> dict[str, Any]:
    return {"value": q(cert.value), "dual_z": q(cert.z),
            "dual_nonzero": sum(1 for v in cert.lam if v != 0), "method": cert.method}


def extreme_value(ctx: Context, concept: Concept, tensor: ExactTensor, maximize: bool
                  ) -> tuple[Fraction, CorrelatedPoint, LPCertificate]:
    """Exact max (``maximize=True``) or min of ``E_p[tensor]`` over the
    correlated (or coarse-correlated) equilibria ``p`` of ``ctx.game``.

    Returns the optimal value, an optimal distribution (the witness) and the
    exact LP certificate.  Memoised per (concept, tensor, sense) on ``ctx``."""
    key = ("correlated_extreme", concept, id(tensor), maximize)
    cache = ctx.options.setdefault("_correlated_cache", {})
    if key not in cache:
        opt = optimize(ctx.game, tensor, maximize, _coarse(concept))
        cache[key] = (opt.value, to_point(opt), opt.certificate, tensor)
    value, point, cert, _ = cache[key]
    return value, point, cert


def welfare_optimum(game: NormalFormGame, concept: Concept, objective: str | None = None,
                    maximize: bool = True) -> EquilibriumSet:
    """The optimal point of the polytope for ``objective`` (a metric name;
    None = the sum of all agents' payoffs), maximised or minimised."""
    tensor = game.metrics[objective].tensor if objective is not None else None
    opt = optimize(game, tensor, maximize, _coarse(concept))
    label = objective if objective is not None else "sum_of_payoffs"
    return EquilibriumSet(concept, (to_point(opt),), True,
                          f"LP over the {concept.value} polytope ({opt.certificate.method})",
                          "", {"polytope": True, "objective": label, "maximize": maximize,
                               "certificate": certificate_json(opt.certificate)})


def _provide(ctx: Context, concept: Concept) -> EquilibriumSet:
    return welfare_optimum(ctx.game, concept, ctx.options.get("objective"),
                           not ctx.options.get("minimize", False))


@concept_provider(Concept.CORRELATED)
def provide_correlated(ctx: Context) -> EquilibriumSet:
    return _provide(ctx, Concept.CORRELATED)


@concept_provider(Concept.COARSE_CORRELATED)
def provide_coarse(ctx: Context) -> EquilibriumSet:
    return _provide(ctx, Concept.COARSE_CORRELATED)
