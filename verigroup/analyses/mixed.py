"""Mixed Nash equilibria for the property layer (``Concept.MIXED_NASH``).

* one agent: the extreme equilibria are its payoff-maximising actions; the
  equilibrium set is the simplex over them (one component, infinite when
  there are several);
* two agents: all extreme equilibria, exactly
  (:func:`verigroup.solvers.bimatrix.solve_bimatrix`), with the maximal Nash
  subsets and components in ``extra``;
* more agents: :func:`verigroup.solvers.nplayer.solve_nplayer` (exact
  support enumeration; approximate profiles carry their exact epsilon).

A timeout inside the solver yields an *incomplete* set with reason
``"timeout"`` (the property layer must answer UNKNOWN, never HOLDS).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.analyses.registry import Context, EquilibriumSet, MixedPoint, concept_provider
from verigroup.runtime import DeadlineExceeded, remaining
from verigroup.model.game import NormalFormGame
from verigroup.model.properties import Concept
from verigroup.verdicts import q


def components_json(res: Any) -> list[dict[str, Any]]:
    """Components as JSON: each a list of maximal Nash subsets
    ``conv(row strategies) x conv(column strategies)``."""
    out = []
    for comp in res.components:
        cliques = []
        for k in comp:
            cx, cy = res.cliques[k]
            cliques.append({
                "row_vertices": [[q(v) for v in res.xs[i]] for i in cx],
                "column_vertices": [[q(v) for v in res.ys[j]] for j in cy],
            })
        out.append({"maximal_nash_subsets": cliques})
    return out


def one_agent(game: NormalFormGame) -> EquilibriumSet:
    vals = [game.payoff(0, (a,)) for a in range(game.shape[0])]
    best = max(vals)
    n = game.shape[0]
    pts = tuple(MixedPoint((tuple(Fraction(int(b == a)) for b in range(n)),))
                for a in range(n) if vals[a] == best)
    return EquilibriumSet(Concept.MIXED_NASH, pts, True, "one agent: maximise payoff", "",
                          {"components_infinite": len(pts) > 1, "components": 1})


def mixed_equilibria(game: NormalFormGame, engine: str = "auto") -> EquilibriumSet:
    """All extreme mixed equilibria of ``game`` as an :class:`EquilibriumSet`."""
    if game.num_players == 1:
        return one_agent(game)
    try:
        if game.num_players == 2:
            from verigroup.solvers.bimatrix import solve_bimatrix

            res = solve_bimatrix(game, engine=engine, timeout=remaining())
            pts = tuple(MixedPoint((x, y)) for x, y in res.equilibria)
            return EquilibriumSet(Concept.MIXED_NASH, pts, res.complete, res.method, res.reason,
                                  {"components": components_json(res),
                                   "components_infinite": res.components_infinite,
                                   "engine": res.engine})
        from verigroup.solvers.nplayer import solve_nplayer

        nres = solve_nplayer(game)
        npts = tuple(MixedPoint(e.strategy, exact=e.exact, epsilon=e.epsilon, algebraic=e.algebraic)
                     for e in nres.equilibria)
        return EquilibriumSet(Concept.MIXED_NASH, npts, nres.complete, nres.method, nres.reason,
                              {"components_infinite": nres.continuum,
                               "approximate": sum(1 for e in nres.equilibria if not e.exact)})
    except DeadlineExceeded:
        return EquilibriumSet(Concept.MIXED_NASH, (), False, "timeout", "timeout", {})


@concept_provider(Concept.MIXED_NASH)
def provide_mixed(ctx: Context) -> EquilibriumSet:
    engine = str(ctx.options.get("mixed_engine", "auto"))
    return mixed_equilibria(ctx.game, engine)
