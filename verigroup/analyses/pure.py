"""Exact pure-strategy analyses on a NormalFormGame, and the checkers of the
pure-profile properties.

Everything compares each player's own integer tensor (its denominator is
positive and common, so it does not affect comparisons), vectorised along
the player's axis; ``object`` tensors of Python ints work the same way.

* :func:`pure_nash` -- all pure Nash equilibria (payoff equals the maximum
  along the player's own axis, for every player), in lexicographic order.
* :func:`best_response_table` -- evidence: every alternative and its payoff.
* :func:`dominant_actions` / :func:`is_dominant` -- *strictly* dominant: better
  than every other action against every opponent profile; *weakly* dominant:
  at least as good as every other action against every opponent profile and,
  for each other action, strictly better against some opponent profile.
* :func:`iesds` -- iterated elimination of strictly dominated actions, by
  pure actions and (``mixed=True``) by mixtures: a float LP proposes the
  mixture, which is rounded to rationals and verified exactly; an action is
  eliminated only with an exactly verified certificate.
* :func:`optima` -- max/min of a metric and where they are attained.

Checkers registered here: IsEquilibrium, Dominant, Existence,
OptimumIsEquilibrium, ParetoEfficient, IndividuallyRational; and the
PURE_NASH concept provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable, Sequence

import numpy as np

from verigroup.analyses.registry import (
    Context, EquilibriumSet, PurePoint, checker, concept_provider,
)
from verigroup.runtime import check_deadline, highs_options
from verigroup.diagnostics import SpecError
from verigroup.model.game import ExactTensor, NormalFormGame
from verigroup.model.properties import (
    Concept, Dominant, Existence, IndividuallyRational, IsEquilibrium, OptimumIsEquilibrium,
    ParetoEfficient, Profile, Strength,
)
from verigroup.verdicts import PropertyResult, Verdict, q

# ------------------------------------------------------------ equilibria


def nash_mask(game: NormalFormGame) -> np.ndarray:
    """Bool tensor: True at the pure Nash equilibria."""
    mask = np.ones(game.shape, dtype=bool)
    for p, t in enumerate(game.payoffs):
        v = t.values
        mask &= v == v.max(axis=p, keepdims=True)
    return mask


def pure_nash(game: NormalFormGame) -> list[tuple[int, ...]]:
    """All pure Nash equilibria, sorted lexicographically by action index."""
    return [tuple(int(x) for x in row) for row in np.argwhere(nash_mask(game))]


@dataclass(frozen=True)
class BestResponseTable:
    player: int
    profile: tuple[int, ...]
    values: tuple[Fraction, ...]  # payoff of each of the player's actions, others fixed
    best: Fraction
    best_actions: tuple[int, ...]

    def to_json(self, game: NormalFormGame) -> dict[str, str]:
        return {game.actions[self.player][a]: q(v) for a, v in enumerate(self.values)}


def best_response_table(game: NormalFormGame, profile: Sequence[int], player: int) -> BestResponseTable:
    t = game.payoffs[player]
    idx: list[Any] = list(profile)
    idx[player] = slice(None)
    col = t.values[tuple(idx)]
    vals = tuple(Fraction(int(x), t.denominator) for x in col)
    best = max(vals)
    return BestResponseTable(player, tuple(profile), vals, best,
                             tuple(a for a, v in enumerate(vals) if v == best))


def first_deviation(game: NormalFormGame, profile: Sequence[int]) -> BestResponseTable | None:
    """The first player (in order) with a strictly better action, or None."""
    for p in range(game.num_players):
        br = best_response_table(game, profile, p)
        if br.values[profile[p]] < br.best:
            return br
    return None


# -------------------------------------------------------------- dominance


@dataclass(frozen=True)
class DominanceCheck:
    """Whether ``action`` is dominant for ``player``; when not, a competing
    action and an opponent profile (a full profile whose ``player`` entry is
    ignored) where ``action`` does worse (strict: not better), or, for weak
    dominance, ``opponents`` None when ``action`` is never strictly better
    than ``competitor``."""

    player: int
    action: int
    strength: Strength
    holds: bool
    competitor: int | None = None
    opponents: tuple[int, ...] | None = None
    value: Fraction | None = None
    competitor_value: Fraction | None = None
    opponent_profiles: int = 0


def _own_first(t: ExactTensor, player: int) -> np.ndarray:
    v = np.moveaxis(t.values, player, 0)
    return v.reshape(v.shape[0], -1)


def is_dominant(game: NormalFormGame, player: int, action: int,
                strength: Strength = Strength.WEAK) -> DominanceCheck:
    t = game.payoffs[player]
    v = _own_first(t, player)
    others = tuple(s for i, s in enumerate(game.shape) if i != player)
    n_opp = v.shape[1]
    mine = v[action]
    for b in range(v.shape[0]):
        if b == action:
            continue
        if strength is Strength.STRICT:
            bad = mine <= v[b]
        else:
            bad = mine < v[b]
        j = int(np.argmax(bad)) if bad.any() else -1
        if j < 0 and strength is Strength.WEAK and not (mine > v[b]).any():
            return DominanceCheck(player, action, strength, False, b, None, None, None, n_opp)
        if j >= 0:
            opp = list(np.unravel_index(j, others)) if others else []
            full = tuple(int(x) for x in opp[:player]) + (action,) + tuple(int(x) for x in opp[player:])
            return DominanceCheck(player, action, strength, False, b, full,
                                  Fraction(int(mine[j]), t.denominator),
                                  Fraction(int(v[b][j]), t.denominator), n_opp)
    return DominanceCheck(player, action, strength, True, opponent_profiles=n_opp)


def dominant_actions(game: NormalFormGame, player: int, strength: Strength = Strength.WEAK) -> tuple[int, ...]:
    return tuple(a for a in range(game.shape[player]) if is_dominant(game, player, a, strength).holds)


@dataclass(frozen=True)
class Elimination:
    player: int
    action: int
    # the dominating mixture over the player's surviving actions (a pure
    # dominator is a mixture with one entry of probability 1)
    by: tuple[tuple[int, Fraction], ...]
    margin: Fraction  # exact minimum gain of the dominator over the action (> 0)


@dataclass(frozen=True)
class IESDSResult:
    surviving: tuple[tuple[int, ...], ...]
    eliminations: tuple[Elimination, ...]
    mixed: bool  # whether domination by mixed strategies was tried
    method: str


def _strictly_dominated_pure(v: np.ndarray, alive: list[int], b: int) -> Elimination | None:
    for a in alive:
        if a != b and (v[a] > v[b]).all():
            diff = v[a] - v[b]
            return Elimination(-1, b, ((a, Fraction(1)),), Fraction(int(diff.min())))
    return None


def _as_scaled_floats(x: np.ndarray, scale: int) -> np.ndarray:
    """``x / scale`` as floats, computed from exact ints (Python's int true
    division is correctly rounded and never overflows for |x| <= scale)."""
    if x.dtype != object:
        return np.asarray(x, dtype=float) / float(scale)
    return np.array([int(t) / scale for t in x.flat], dtype=float).reshape(x.shape)


def _strictly_dominated_mixed(v: np.ndarray, alive: list[int], b: int) -> Elimination | None:
    """LP: max eps s.t. sum_a s_a v[a] >= v[b] + eps, s in the simplex; then
    verify a rounded rational mixture exactly.

    Exact pre-test: an action that is a best response to some opponent
    profile is not strictly dominated by any mixture (the mixture's payoff
    there is at most the best one), so no LP is solved for it.  The LP reads
    the payoffs scaled exactly into [-1, 1] (no int-to-float overflow)."""
    cand = [a for a in alive if a != b]
    if len(cand) < 2:
        return None
    if bool((v[b] >= v[cand].max(axis=0)).any()):
        return None
    from scipy.optimize import linprog

    big = max(1, int(np.abs(v[cand]).max()), int(np.abs(v[b]).max()))
    m = _as_scaled_floats(v[cand], big)  # (k, n_opp), entries in [-1, 1]
    target = _as_scaled_floats(v[b], big)
    scale = 1.0
    k, n_opp = m.shape
    c = np.zeros(k + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-m.T / scale, np.ones((n_opp, 1))])
    b_ub = -target / scale
    a_eq = np.hstack([np.ones((1, k)), np.zeros((1, 1))])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0],
                  bounds=[(0, None)] * k + [(None, 1.0)], method="highs", options=highs_options())
    check_deadline()  # HiGHS stops at the budget (time_limit); report it as the deadline
    if not res.success or res.x[-1] <= 1e-12:
        return None
    for limit in (10, 100, 1000, 10**6):
        probs = [Fraction(float(x)).limit_denominator(limit) if x > 1e-12 else Fraction(0) for x in res.x[:k]]
        total = sum(probs, Fraction(0))
        if total <= 0:
            continue
        probs = [p / total for p in probs]
        support = [(cand[i], p) for i, p in enumerate(probs) if p > 0]
        gains = [
            sum((p * int(v[a][j]) for a, p in support), Fraction(0)) - int(v[b][j])
            for j in range(n_opp)
        ]
        margin = min(gains)
        if margin > 0:
            return Elimination(-1, b, tuple(support), margin)
    return None


def iesds(game: NormalFormGame, mixed: bool = True) -> IESDSResult:
    """Iterated elimination of strictly dominated actions until nothing
    changes (the result does not depend on the order for strict dominance)."""
    alive = [list(range(s)) for s in game.shape]
    steps: list[Elimination] = []
    changed = True
    while changed:
        changed = False
        for p in range(game.num_players):
            check_deadline()
            sub = game.payoffs[p].values[np.ix_(*alive)]
            v = _own_first(ExactTensor(sub, 1), p)  # rows indexed by position in alive[p]
            pos = {a: i for i, a in enumerate(alive[p])}
            for b in list(alive[p]):
                if len(alive[p]) == 1:
                    break
                rows = [pos[a] for a in alive[p]]
                found = _strictly_dominated_pure(v, rows, pos[b])
                if found is None and mixed:
                    found = _strictly_dominated_mixed(v, rows, pos[b])
                if found is None:
                    continue
                inv = {i: a for a, i in pos.items()}
                steps.append(Elimination(p, b, tuple((inv[i], pr) for i, pr in found.by),
                                         found.margin / game.payoffs[p].denominator))
                alive[p].remove(b)
                changed = True
                break  # recompute the slice for this player
    method = ("iterated elimination of actions strictly dominated by pure or mixed strategies "
              "(mixtures verified exactly)" if mixed else
              "iterated elimination of actions strictly dominated by pure strategies only")
    return IESDSResult(tuple(tuple(a) for a in alive), tuple(steps), mixed, method)


# ------------------------------------------------------------------ optima


@dataclass(frozen=True)
class Optima:
    metric: str
    max_value: Fraction
    argmax: tuple[tuple[int, ...], ...]
    min_value: Fraction
    argmin: tuple[tuple[int, ...], ...]

    def best(self, sense: str) -> tuple[Fraction, tuple[tuple[int, ...], ...]]:
        return (self.max_value, self.argmax) if sense == "maximize" else (self.min_value, self.argmin)


def optima(game: NormalFormGame, metric_name: str) -> Optima:
    t = game.metrics[metric_name].tensor
    v = t.values
    hi, lo = v.max(), v.min()
    return Optima(
        metric_name,
        Fraction(int(hi), t.denominator), tuple(tuple(int(x) for x in r) for r in np.argwhere(v == hi)),
        Fraction(int(lo), t.denominator), tuple(tuple(int(x) for x in r) for r in np.argwhere(v == lo)),
    )


# ------------------------------------------------------ context plumbing


def game_of(ctx: Context) -> NormalFormGame:
    """The context's game, honouring the ``max_profiles`` option; memoised
    on the model (a game read from a file is already there)."""
    cache = ctx.model._cache
    g = cache.get("game")
    if g is None:
        from verigroup.evaluate import materialize

        g = materialize(ctx.model, max_profiles=ctx.options.get("max_profiles"))
        cache["game"] = g
    return g  # type: ignore[no-any-return]


def names(game: NormalFormGame, profile: Sequence[int]) -> dict[str, str]:
    return game.profile_names(tuple(int(x) for x in profile))


def payoffs_json(game: NormalFormGame, profile: Sequence[int]) -> dict[str, str]:
    return {p: q(v) for p, v in zip(game.players, game.payoff_vector(tuple(profile)))}


def metrics_json(game: NormalFormGame, profile: Sequence[int]) -> dict[str, str]:
    return {m: q(t.tensor.at(tuple(profile))) for m, t in game.metrics.items()}


def resolve_profile(game: NormalFormGame, prof: Profile, span: Any) -> tuple[int, ...]:
    if len(prof.actions) != game.num_players:
        raise SpecError.single("E110", f"profile names {len(prof.actions)} actions for "
                               f"{game.num_players} agents", span)
    out = []
    for p, a in enumerate(prof.actions):
        if a not in game.actions[p]:
            raise SpecError.single("E104", f"`{a}` is not an action of {game.players[p]}", span)
        out.append(game.actions[p].index(a))
    return tuple(out)


def result(prop: Any, verdict: Verdict, method: str, message: str, evidence: dict[str, Any]) -> PropertyResult:
    return PropertyResult(prop.name, type(prop).__name__, verdict, method, message, evidence, prop.span)


def region_unsupported(prop: Any) -> PropertyResult:
    """The hook for properties over a parameter region: the explicit
    checkers decide one parameter point only."""
    reason = "parameter regions need the Z3 backend"
    return result(prop, Verdict.UNKNOWN, "none", reason, {"reason": reason})


def not_normal_form(ctx: Context, prop: Any) -> PropertyResult | None:
    if ctx.model.protocol is not None and "game" not in ctx.model._cache:
        reason = "extensive-form spec: this property is decided by the extensive-form analyses"
        return result(prop, Verdict.UNKNOWN, "none", reason, {"reason": reason})
    return None


def _guard(ctx: Context, prop: Any) -> PropertyResult | None:
    if getattr(prop, "region", None) is not None:
        return region_unsupported(prop)
    return not_normal_form(ctx, prop)


# ---------------------------------------------------------------- provider


@concept_provider(Concept.PURE_NASH)
def provide_pure_nash(ctx: Context) -> EquilibriumSet:
    g = game_of(ctx)
    eqs = pure_nash(g)
    return EquilibriumSet(Concept.PURE_NASH, tuple(PurePoint(p) for p in eqs), True,
                          f"exhaustive enumeration of {g.num_profiles:,} profiles")


# ---------------------------------------------------------------- checkers


def deviation_evidence(game: NormalFormGame, profile: Sequence[int], br: BestResponseTable) -> dict[str, Any]:
    p = br.player
    better = br.best_actions[0]
    return {
        "kind": "deviation",
        "profile": names(game, profile),
        "payoffs": payoffs_json(game, profile),
        "agent": game.players[p],
        "deviation": game.actions[p][better],
        "payoff": q(br.values[profile[p]]),
        "deviation_payoff": q(br.best),
        "gain": q(br.best - br.values[profile[p]]),
        "best_responses": br.to_json(game),
    }


@checker(IsEquilibrium)
def check_is_equilibrium(ctx: Context, prop: IsEquilibrium) -> PropertyResult:
    if (r := _guard(ctx, prop)) is not None:
        return r
    g = game_of(ctx)
    s = resolve_profile(g, prop.profile, prop.span)
    br = first_deviation(g, s)
    if br is not None:
        ev = deviation_evidence(g, s, br)
        return result(prop, Verdict.VIOLATED, "exact best-response check",
                      f"{ev['agent']} gains {ev['gain']} by switching to {ev['deviation']}", ev)
    checked = sum(k - 1 for k in g.shape)
    return result(prop, Verdict.HOLDS, "exact best-response check",
                  "no agent gains by deviating alone",
                  {"method": "exact best-response check", "profile": names(g, s),
                   "payoffs": payoffs_json(g, s), "deviations_checked": checked})


@checker(Dominant)
def check_dominant(ctx: Context, prop: Dominant) -> PropertyResult:
    if (r := _guard(ctx, prop)) is not None:
        return r
    g = game_of(ctx)
    method = f"exhaustive comparison against every opponent profile ({prop.strength.value} dominance)"
    total = 0
    for k in prop.agents:
        if prop.action not in g.actions[k]:
            raise SpecError.single("E104", f"`{prop.action}` is not an action of {g.players[k]}", prop.span)
        a = g.actions[k].index(prop.action)
        res = is_dominant(g, k, a, prop.strength)
        total += res.opponent_profiles * (g.shape[k] - 1)
        if res.holds:
            continue
        assert res.competitor is not None
        comp = g.actions[k][res.competitor]
        ev: dict[str, Any] = {"kind": "dominance", "agent": g.players[k], "action": prop.action,
                              "competitor": comp, "strength": prop.strength.value}
        if res.opponents is None:
            msg = (f"for {g.players[k]}, {prop.action} is never strictly better than {comp} "
                   f"(they tie against every opponent profile)")
            ev["why"] = "tie everywhere"
        else:
            assert res.value is not None and res.competitor_value is not None
            opp = {pl: act for pl, act in names(g, res.opponents).items() if pl != g.players[k]}
            ev.update({"opponents": opp, "payoff": q(res.value), "competitor_payoff": q(res.competitor_value),
                       "profile": names(g, res.opponents)})
            rel = "worse than" if res.value < res.competitor_value else "no better than"
            msg = (f"for {g.players[k]}, {prop.action} ({q(res.value)}) is {rel} {comp} "
                   f"({q(res.competitor_value)}) when " + ", ".join(f"{pl} = {x}" for pl, x in opp.items()))
            ev["why"] = rel
        return result(prop, Verdict.VIOLATED, method, msg, ev)
    return result(prop, Verdict.HOLDS, method,
                  f"{prop.action} is {prop.strength.value}ly dominant for {len(prop.agents)} agent(s)",
                  {"method": "exhaustive", "agents": [g.players[k] for k in prop.agents],
                   "comparisons": total})


def _describe(ctx: Context, point: Any) -> dict[str, Any]:
    try:
        g = None if ctx.model.protocol is not None and "game" not in ctx.model._cache else game_of(ctx)
        return point.describe(g).to_json()  # type: ignore[no-any-return]
    except Exception:  # a point that cannot describe itself without a game
        return {"point": repr(point)}


def _exact(point: Any) -> bool:
    return bool(getattr(point, "exact", True))


@checker(Existence)
def check_existence(ctx: Context, prop: Existence) -> PropertyResult:
    if getattr(prop, "region", None) is not None:
        return region_unsupported(prop)
    if prop.concept is not Concept.SPE and (r := not_normal_form(ctx, prop)) is not None:
        return r
    eqs = ctx.equilibria(prop.concept)
    exact_points = [p for p in eqs.points if _exact(p)]
    name = prop.concept.value
    method = eqs.method or name
    infinite = bool(eqs.extra.get("components_infinite"))
    if not prop.unique:
        if exact_points:
            return result(prop, Verdict.HOLDS, method, f"found a {name} equilibrium",
                          {"method": method, "witness": _describe(ctx, exact_points[0]),
                           "equilibria": len(exact_points)})
        if prop.concept in (Concept.MIXED_NASH, Concept.CORRELATED, Concept.COARSE_CORRELATED):
            return result(prop, Verdict.HOLDS, "theorem",
                          f"every finite game has a {name} equilibrium (Nash 1951)",
                          {"method": "Nash's existence theorem (finite game)"})
        if eqs.complete:
            return result(prop, Verdict.VIOLATED, method, f"the game has no {name} equilibrium",
                          {"kind": "nonexistence", "method": method, "equilibria": 0})
        return result(prop, Verdict.UNKNOWN, method, f"no {name} equilibrium found; the search was incomplete",
                      {"reason": eqs.reason or "incomplete search"})
    if prop.concept in _CORRELATED:
        return _unique_correlated(ctx, prop, method)
    if len(exact_points) >= 2:
        return result(prop, Verdict.VIOLATED, method, f"at least {len(exact_points)} {name} equilibria",
                      {"kind": "multiplicity", "method": method, "equilibria": len(exact_points),
                       "witnesses": [_describe(ctx, p) for p in exact_points[:2]]})
    if infinite:
        return result(prop, Verdict.VIOLATED, method, f"infinitely many {name} equilibria",
                      {"kind": "multiplicity", "method": method, "components_infinite": True})
    if not eqs.complete:
        return result(prop, Verdict.UNKNOWN, method,
                      f"cannot decide uniqueness: {eqs.reason or 'the equilibrium search was incomplete'}",
                      {"reason": eqs.reason or "incomplete search", "found": len(exact_points)})
    if len(exact_points) == 1 and len(eqs.points) == 1:
        return result(prop, Verdict.HOLDS, method, f"exactly one {name} equilibrium",
                      {"method": method, "witness": _describe(ctx, exact_points[0]), "equilibria": 1})
    if not eqs.points:
        if prop.concept in (Concept.MIXED_NASH, Concept.CORRELATED, Concept.COARSE_CORRELATED):
            return result(prop, Verdict.UNKNOWN, method, "the solver returned no equilibrium",
                          {"reason": "no equilibrium returned (one always exists)"})
        return result(prop, Verdict.VIOLATED, method, f"the game has no {name} equilibrium",
                      {"kind": "nonexistence", "method": method, "equilibria": 0})
    return result(prop, Verdict.UNKNOWN, method, "some equilibria are approximate",
                  {"reason": "approximate equilibria cannot settle uniqueness"})


_CORRELATED = (Concept.CORRELATED, Concept.COARSE_CORRELATED)
MAX_UNIQUE_CE_PROFILES = 64


def _unique_correlated(ctx: Context, prop: Existence, method: str) -> PropertyResult:
    """``unique correlated``: the provider lists one point of the polytope,
    which says nothing about uniqueness.  Two distinct pure Nash equilibria,
    or an agent's payoff with different exact LP minimum and maximum, show
    two equilibria; the polytope is one point iff every profile's
    probability has equal exact LP minimum and maximum."""
    from verigroup.analyses.correlated import extreme_value

    name = prop.concept.value
    g = game_of(ctx)
    pure = pure_nash(g)
    if len(pure) >= 2:
        return result(prop, Verdict.VIOLATED, "exhaustive enumeration",
                      f"at least 2 {name} equilibria (two pure Nash equilibria)",
                      {"kind": "multiplicity", "method": "exhaustive enumeration", "equilibria": 2,
                       "witnesses": [_describe(ctx, PurePoint(s)) for s in pure[:2]]})
    tensors: list[ExactTensor] = list(g.payoffs)
    exhaustive = g.num_profiles <= MAX_UNIQUE_CE_PROFILES
    if exhaustive:
        for s in np.ndindex(*g.shape):
            ind = np.zeros(g.shape, dtype=np.int64)
            ind[s] = 1
            tensors.append(ExactTensor(ind, 1))
    lp = f"exact LPs over the {name} polytope"
    for t in tensors:
        check_deadline()
        lo, lo_pt, _ = extreme_value(ctx, prop.concept, t, False)
        hi, hi_pt, _ = extreme_value(ctx, prop.concept, t, True)
        if lo != hi:
            return result(prop, Verdict.VIOLATED, lp, f"at least 2 {name} equilibria",
                          {"kind": "multiplicity", "method": lp, "equilibria": 2,
                           "witnesses": [_describe(ctx, lo_pt), _describe(ctx, hi_pt)]})
    if exhaustive:
        return result(prop, Verdict.HOLDS, lp, f"exactly one {name} equilibrium",
                      {"method": lp, "witness": _describe(ctx, lo_pt), "equilibria": 1})
    reason = (f"every agent's payoff is the same at all {name} equilibria, but uniqueness is "
              f"decided only for games of at most {MAX_UNIQUE_CE_PROFILES} profiles")
    return result(prop, Verdict.UNKNOWN, lp, reason, {"reason": reason})


@checker(OptimumIsEquilibrium)
def check_optimum_is_equilibrium(ctx: Context, prop: OptimumIsEquilibrium) -> PropertyResult:
    if (r := _guard(ctx, prop)) is not None:
        return r
    g = game_of(ctx)
    if prop.metric not in g.metrics:
        raise SpecError.single("E101", f"undefined metric `{prop.metric}`", prop.span)
    sense = g.metrics[prop.metric].sense
    best, where = optima(g, prop.metric).best(sense)
    # A point mass on a pure profile is a mixed / (coarse) correlated
    # equilibrium iff the profile is a pure Nash equilibrium.
    method = f"exact best-response check of the {len(where)} optimal profile(s)"
    failures = []
    for s in where:
        check_deadline()
        br = first_deviation(g, s)
        if br is None:
            return result(prop, Verdict.HOLDS, method,
                          f"an optimal profile ({prop.metric} = {q(best)}) is an equilibrium",
                          {"method": method, "profile": names(g, s), "value": q(best),
                           "payoffs": payoffs_json(g, s)})
        failures.append(deviation_evidence(g, s, br))
    return result(prop, Verdict.VIOLATED, method,
                  f"none of the {len(where)} optimal profile(s) ({prop.metric} = {q(best)}) is an equilibrium",
                  {"kind": "optimum_not_equilibrium", "value": q(best), "optima": len(where),
                   "profile": failures[0]["profile"], "deviations": failures[:10]})


def _scaled_cmp(t: ExactTensor, x: Fraction) -> tuple[np.ndarray, np.ndarray]:
    """(t >= x, t > x) elementwise, exactly."""
    lhs = t.values
    a, b = x.numerator * t.denominator, x.denominator
    if t.is_int64 and abs(a) < 2**62 and b * int(np.abs(lhs).max(initial=0)) < 2**62:
        scaled = lhs * b
    else:
        scaled = lhs.astype(object) * b
    return scaled >= a, scaled > a


def pareto_dominator(game: NormalFormGame, values: Sequence[Fraction]) -> tuple[int, ...] | None:
    """The first pure profile whose payoff vector Pareto-dominates ``values``."""
    ge = np.ones(game.shape, dtype=bool)
    gt = np.zeros(game.shape, dtype=bool)
    for t, x in zip(game.payoffs, values):
        a, b = _scaled_cmp(t, x)
        ge &= a
        gt |= b
    hit = ge & gt
    if not hit.any():
        return None
    return tuple(int(x) for x in np.argwhere(hit)[0])


def _complete_for_every(eqs: EquilibriumSet) -> tuple[bool, str]:
    if not eqs.complete:
        return False, eqs.reason or "the equilibrium search was incomplete"
    if eqs.concept in _CORRELATED:
        return False, "the correlated equilibria form a polytope; only one of its points was checked"
    if eqs.concept is Concept.MIXED_NASH and eqs.extra.get("components_infinite"):
        return False, ("the game has infinitely many mixed equilibria; only the extreme ones "
                       "were checked and this property is not linear in the equilibrium")
    if any(not _exact(p) for p in eqs.points):
        return False, "some equilibria are only approximate"
    return True, ""


@checker(ParetoEfficient)
def check_pareto(ctx: Context, prop: ParetoEfficient) -> PropertyResult:
    if (r := _guard(ctx, prop)) is not None:
        return r
    g = game_of(ctx)
    eqs = ctx.equilibria(prop.concept)
    seen: dict[tuple[Fraction, ...], tuple[int, ...] | None] = {}
    for pt in eqs.points:
        if not _exact(pt):
            continue
        check_deadline()
        vals = tuple(pt.expect(t) for t in g.payoffs)
        if vals not in seen:
            seen[vals] = pareto_dominator(g, vals)
        dom = seen[vals]
        if dom is not None:
            ev = {"kind": "pareto_dominated", "equilibrium": _describe(ctx, pt),
                  "payoffs": {p: q(v) for p, v in zip(g.players, vals)},
                  "dominating_profile": names(g, dom), "dominating_payoffs": payoffs_json(g, dom)}
            if isinstance(pt, PurePoint):
                ev["profile"] = names(g, pt.profile)
            return result(prop, Verdict.VIOLATED, "exact Pareto comparison against every pure profile",
                          f"an equilibrium is Pareto-dominated by {names(g, dom)}", ev)
    ok, why = _complete_for_every(eqs)
    if not ok:
        return result(prop, Verdict.UNKNOWN, eqs.method, f"no dominated equilibrium found, but {why}",
                      {"reason": why, "checked": len(eqs.points)})
    return result(prop, Verdict.HOLDS, "exact Pareto comparison against every pure profile",
                  f"all {len(eqs.points)} {prop.concept.value} equilibria are Pareto efficient",
                  {"method": "exhaustive", "equilibria": len(eqs.points), "profiles": g.num_profiles,
                   "equilibrium_method": eqs.method})


def _outside_values(ctx: Context, prop: IndividuallyRational) -> list[tuple[int, Fraction]]:
    from verigroup.evaluate import VectorEvaluator

    ev = VectorEvaluator(ctx.model)
    out = []
    for k, e in prop.outside:
        v = ev.eval(e, {}, ())
        from verigroup.evaluate.rational import Rat

        if not isinstance(v, Rat) or not v.is_const:
            raise SpecError.single("E107", "an outside option must be a constant number", prop.span)
        out.append((k, v.const_value()))
    return out


@checker(IndividuallyRational)
def check_individually_rational(ctx: Context, prop: IndividuallyRational) -> PropertyResult:
    if (r := _guard(ctx, prop)) is not None:
        return r
    g = game_of(ctx)
    outside = _outside_values(ctx, prop)
    opts = {g.players[k]: q(v) for k, v in outside}
    points: Iterable[Any]
    if prop.profile is not None:
        s = resolve_profile(g, prop.profile, prop.span)
        points, eqs = [PurePoint(s)], None
    elif prop.concept in _CORRELATED:
        # the polytope's minimum of each agent's payoff: an exact LP optimum
        from verigroup.analyses.correlated import extreme_value

        lp = f"exact LP over the {prop.concept.value} polytope"
        for k, v in outside:
            check_deadline()
            got, pt, _ = extreme_value(ctx, prop.concept, g.payoffs[k], False)
            if got < v:
                return result(prop, Verdict.VIOLATED, lp,
                              f"{g.players[k]} gets {q(got)} < its outside option {q(v)}",
                              {"kind": "below_outside_option", "agent": g.players[k], "payoff": q(got),
                               "outside_option": q(v), "outside": opts, "equilibrium": _describe(ctx, pt)})
        return result(prop, Verdict.HOLDS, lp,
                      f"every agent gets at least its outside option at every {prop.concept.value} "
                      "equilibrium", {"method": lp, "outside": opts})
    else:
        eqs = ctx.equilibria(prop.concept)
        points = [p for p in eqs.points if _exact(p)]
    n = 0
    for pt in points:
        n += 1
        for k, v in outside:
            got = pt.expect(g.payoffs[k])
            if got < v:
                ev: dict[str, Any] = {"kind": "below_outside_option", "agent": g.players[k],
                                      "payoff": q(got), "outside_option": q(v), "outside": opts}
                if isinstance(pt, PurePoint):
                    ev["profile"] = names(g, pt.profile)
                    ev["payoffs"] = payoffs_json(g, pt.profile)
                else:
                    ev["equilibrium"] = _describe(ctx, pt)
                return result(prop, Verdict.VIOLATED, "exact comparison",
                              f"{g.players[k]} gets {q(got)} < its outside option {q(v)}", ev)
    if eqs is not None:
        ok, why = _complete_for_every(eqs)
        if not ok:
            return result(prop, Verdict.UNKNOWN, eqs.method, f"no violation found, but {why}",
                          {"reason": why, "checked": n})
    return result(prop, Verdict.HOLDS, "exact comparison",
                  f"every agent gets at least its outside option at {n} profile(s)/equilibria",
                  {"method": "exhaustive", "checked": n, "outside": opts})


__all__ = [
    "pure_nash", "nash_mask", "best_response_table", "first_deviation", "is_dominant",
    "dominant_actions", "iesds", "optima", "BestResponseTable", "DominanceCheck", "IESDSResult",
    "Elimination", "Optima", "game_of", "region_unsupported", "pareto_dominator",
]
