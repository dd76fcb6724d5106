"""Emergent norms and learning (issue 12): evolutionary stability, replicator
dynamics, stochastic stability, alpha-Rank and learning agents.

Exact where the algebra allows (ESS, rest points and their stability,
two-strategy basins, resistances, Moran alpha-Rank, the alpha -> infinity
limit); certified intervals for Fermi alpha-Rank; estimates with their
intervals, methods and seeds otherwise (basins of larger games, learners).
Empirical results are labelled statistical and never become a HOLDS of a
universal property.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.dynamics.analysis import DynamicsResult


def analyse(model: Any, **options: Any) -> "DynamicsResult":
    from verigroup.dynamics.analysis import analyse as _analyse

    return _analyse(model, **options)
