"""The dynamics analysis of one spec: ESS, replicator rest points and basins,
stochastic stability, alpha-Rank and learners, as one frozen record.

:func:`analyse` is what ``verigroup dynamics`` and ``verigroup.dynamics(...)``
call.  Exact results carry Fractions; estimated ones say so (``exact`` False,
an interval, the method and the seed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Mapping, Sequence

from verigroup.diagnostics import SpecError, Span
from verigroup.dynamics import values as V
from verigroup.dynamics.alpharank import AlphaRank, Fixation, Selection, alpharank, alpharank_limit
from verigroup.dynamics.ess import EssVerdict, ess_list, strict_equilibria
from verigroup.dynamics.games import SymmetricGame, TwoPopulationGame, is_symmetric, symmetric_game, two_population_game
from verigroup.dynamics.replicator import (Basin, RestPoint, basins_1d, symmetric_rest_points,
                                           two_population_rest_points)
from verigroup.dynamics.sampling import sample_symmetric, sample_two_population, wilson
from verigroup.dynamics.stochastic import StochasticStability, symmetric_stochastic, two_population_stochastic
from verigroup.model.model import Model

SCHEMA = "verigroup.dynamics/1"
MAX_POPULATION = 10**6
MAX_ALPHARANK_STATES = 64


@dataclass(frozen=True)
class DynamicsResult:
    game: str
    kind: str                                  # "single-population" | "two-population"
    populations: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    equilibria: tuple[EssVerdict, ...]         # symmetric equilibria with ESS/NSS (single population)
    strict: tuple[tuple[int, int], ...]        # strict equilibria (two populations: their ESS)
    rest_points: tuple[RestPoint, ...]
    continua: tuple[Any, ...]
    basins: tuple[Basin, ...]
    basin_method: str
    unresolved_share: Any
    stochastic: StochasticStability | None
    alpharank: AlphaRank | None = None
    learning: Any = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    tables: tuple[Any, ...] = ()               # exact payoff matrices (for pictures)

    # ----------------------------------------------------------- views
    def strategy(self, vec: Sequence[Fraction]) -> dict[str, Any]:
        if self.kind == "single-population":
            return {a: V.exact(v) for a, v in zip(self.actions[0], vec)}
        k = len(self.actions[0])
        return {self.populations[0]: {a: V.exact(v) for a, v in zip(self.actions[0], vec[:k])},
                self.populations[1]: {a: V.exact(v) for a, v in zip(self.actions[1], vec[k:])}}

    def pure(self, state: Sequence[int]) -> dict[str, Any]:
        if self.kind == "single-population":
            return {a: ("1" if i == state[0] else "0") for i, a in enumerate(self.actions[0])}
        return {p: {a: ("1" if i == state[k] else "0") for i, a in enumerate(self.actions[k])}
                for k, p in enumerate(self.populations)}

    @property
    def ess(self) -> list[Any]:
        if self.kind == "single-population":
            return [v.point.strategy for v in self.equilibria if v.ess == "yes"]
        m = len(self.actions[0])
        out = []
        for i, j in self.strict:
            vec = [Fraction(int(r == i)) for r in range(m)] + [Fraction(int(c == j)) for c in range(len(self.actions[1]))]
            out.append(tuple(vec))
        return out

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "schema": SCHEMA,
            "game": self.game,
            "kind": self.kind,
            "populations": list(self.populations),
            "actions": [list(a) for a in self.actions],
            "dynamics": "replicator",
            "ess": [{"strategy": self.strategy(s)} for s in self.ess],
        }
        if self.kind == "single-population":
            doc["symmetric_equilibria"] = [
                {"strategy": self.strategy(v.point.strategy), "payoff": V.exact(v.point.value),
                 "ess": v.ess, "neutrally_stable": v.nss, "method": v.method}
                for v in self.equilibria]
            doc["neutrally_stable"] = [{"strategy": self.strategy(v.point.strategy)}
                                       for v in self.equilibria if v.nss == "yes"]
        doc["rest_points"] = [
            {"strategy": self.strategy(r.strategy), "stability": r.stability, "reason": r.reason}
            | ({"eigenvalue_real_parts": {"negative": r.eigen_signs[0], "zero": r.eigen_signs[1] > 0,
                                          "positive": r.eigen_signs[2]}} if any(r.eigen_signs) else {})
            for r in self.rest_points]
        doc["rest_point_continua"] = [_support_json(self, c) for c in self.continua]
        doc["basins"] = [_basin_json(self, b) for b in self.basins]
        doc["basins_method"] = self.basin_method
        if self.unresolved_share is not None:
            doc["basins_unresolved"] = self.unresolved_share
        doc["stochastic_stability"] = _stochastic_json(self, self.stochastic)
        if self.alpharank is not None:
            doc["alpharank"] = _alpharank_json(self, self.alpharank)
        if self.learning is not None:
            doc["learning"] = self.learning.to_json(self) if hasattr(self.learning, "to_json") else self.learning
        doc.update(self.extra)
        return doc

    def _repr_html_(self) -> str:
        from verigroup.dynamics.html import result_html

        return result_html(self)


def _support_json(res: DynamicsResult, c: Any) -> dict[str, Any]:
    if res.kind == "single-population":
        return {"support": [res.actions[0][i] for i in c]}
    return {"support": {res.populations[0]: [res.actions[0][i] for i in c[0]],
                        res.populations[1]: [res.actions[1][j] for j in c[1]]}}


def _basin_json(res: DynamicsResult, b: Basin) -> dict[str, Any]:
    if b.share is not None:
        out: dict[str, Any] = {"attractor": res.strategy(b.attractor), "share": V.exact(b.share), "exact": True}
        if b.boundary:
            out["boundary"] = [res.strategy((x, 1 - x)) for x in b.boundary]
        return out
    assert b.estimate is not None and b.interval is not None
    return {"attractor": res.strategy(b.attractor), "share": V.approx(b.estimate), "exact": False,
            "interval": [f"{b.interval[0]:.4f}", f"{b.interval[1]:.4f}"], "confidence": "95% (Wilson)"}


def _stochastic_json(res: DynamicsResult, s: StochasticStability | None) -> Any:
    if s is None:
        return {"computed": False,
                "reason": "more than two conventions or strategies: least-resistance paths may pass through "
                          "mixed states; only two-convention games are decided exactly"}
    return {
        "computed": True,
        "method": s.method,
        "conventions": [{"strategy": res.pure(c.profile), "resistance_to_leave": V.exact(c.resistance_to_leave)}
                        for c in s.conventions],
        "risk_dominant": [{"strategy": res.pure(p)} for p in s.risk_dominant],
        "stochastically_stable": [{"strategy": res.pure(p)} for p in s.stochastically_stable],
    }


def _alpharank_json(res: DynamicsResult, ar: AlphaRank) -> dict[str, Any]:
    ranking = []
    for st, mass in zip(ar.states, ar.masses):
        entry: dict[str, Any] = {"strategy": res.pure(st)}
        if mass.value is not None:
            entry["mass"] = V.exact(mass.value)
        else:
            assert mass.lo is not None and mass.hi is not None
            entry["mass"] = V.approx(mass.approx, 12)
            entry["interval"] = [V.down(mass.lo), V.up(mass.hi)]
        ranking.append((mass.approx, entry))
    ranking.sort(key=lambda t: -t[0])
    return {
        "alpha": "infinity" if ar.alpha is None else V.exact(ar.alpha),
        "population_size": ar.m,
        "fixation": ar.fixation,
        "selection": ar.selection,
        "exact": ar.exact,
        "method": ar.method,
        "stationary": [e for _, e in ranking],
    }


def _positive_int(value: int, flag: str, low: int, high: int, example: int = 50) -> None:
    if not (low <= value <= high):
        raise SpecError.single("E401", f"{flag} must be an integer in [{low}, {high}], got {value}",
                               Span("<command line>", 0, 0), hint=f"for example {flag} {example}")


def analyse(model: Model, *, population: str | None = None, alpha: Fraction | str | None = None,
            m: int = 50, fixation: Fixation = "fermi", selection: Selection = "local",
            learners: int | None = None, seed: int | None = None, samples: int = 2000,
            learner_kinds: Sequence[str] = ("qlearning", "regret_matching"), episodes: int = 2000,
            dynamics: str = "replicator", eta: Fraction | str = Fraction(1, 10)) -> DynamicsResult:
    """The dynamics of a two-agent spec: symmetric -> one population, otherwise
    two populations.  ``alpha`` (a rational, or ``"inf"``) adds alpha-Rank;
    ``learners`` (with a ``seed``) adds learning runs."""
    single = population is not None or is_symmetric(model)
    if alpha is not None:
        _positive_int(m, "--population-size", 2, MAX_POPULATION)
    if learners is not None:
        if seed is None:
            raise SpecError.single("E401", "learning runs need an explicit --seed (results must be reproducible)",
                                   Span("<command line>", 0, 0), hint=f"add --seed 0 (runs use seeds S..S+{learners - 1})")
        _positive_int(learners, "--learners", 1, 100_000, 100)
        try:
            import pyspiel  # noqa: F401
        except ImportError:
            raise SpecError.single("E401", "learning runs use OpenSpiel's learners, which are not installed",
                                   Span("<command line>", 0, 0),
                                   hint="pip install 'verigroup[engines]' (open_spiel), or drop --learners")
    alpha_value = _alpha(alpha, fixation)
    extra: dict[str, Any] = {}
    if dynamics not in ("replicator", "best-response", "logit"):
        raise SpecError.single("E401", f"unknown dynamics {dynamics!r}", Span("<command line>", 0, 0),
                               hint="replicator, best-response or logit")
    if single:
        g = symmetric_game(model, population)
        res = _single(g, samples, seed if seed is not None else 0)
        tables: list[Any] = [g.a]
        if dynamics != "replicator":
            res = _other_dynamics(res, g, dynamics, eta, extra, model)
    else:
        if dynamics != "replicator":
            raise SpecError.single("E202", f"{dynamics} dynamics is implemented for one population (a symmetric "
                                           "two-agent game); this game has two populations",
                                   Span(model.path, 1, 1), hint="use the replicator dynamics (the default)")
        tg = two_population_game(model)
        res = _two(tg, samples, seed if seed is not None else 0)
        tables = [tg.a, tg.b]
    ar = None
    if alpha is not None:
        n_states = len(tables[0]) if single else len(tables[0]) * len(tables[0][0])
        if n_states > MAX_ALPHARANK_STATES:
            raise SpecError.single("E202", f"alpha-Rank over {n_states} monomorphic states exceeds the limit "
                                           f"{MAX_ALPHARANK_STATES}", Span(model.path, 1, 1),
                                   hint="remove dominated strategies first")
        try:
            ar = (alpharank_limit(tables, single, m, selection) if alpha_value is None
                  else alpharank(tables, single, alpha_value, m, fixation, selection))
        except ValueError as exc:
            raise SpecError.single("E202", str(exc), Span(model.path, 1, 1),
                                   hint="use a finite --alpha (certified intervals), or fewer strategies")
    learning = None
    if learners is not None:
        from verigroup.dynamics.learners import run_learners

        assert seed is not None
        learning = run_learners(tables, single, res, learners, seed, tuple(learner_kinds), episodes)
    return DynamicsResult(model.name, res.kind, res.populations, res.actions, res.equilibria, res.strict,
                          res.rest_points, res.continua, res.basins, res.basin_method, res.unresolved_share,
                          res.stochastic, ar, learning, {**res.extra, **extra}, tuple(tables))


def _alpha(alpha: Fraction | str | None, fixation: Fixation) -> Fraction | None:
    if alpha is None:
        return None
    bad = SpecError.single("E401", f"invalid alpha {alpha!r}", Span("<command line>", 0, 0),
                           hint="alpha is a positive rational (100, 1/2, 0.25) or 'inf'"
                                + ("; Moran fixation needs 0 < alpha <= 1" if fixation == "moran" else ""))
    if isinstance(alpha, str):
        if alpha.strip().lower() in ("inf", "infinity", "oo"):
            if fixation == "moran":
                raise bad
            return None
        try:
            value = Fraction(alpha.strip())
        except (ValueError, ZeroDivisionError):
            raise bad
    else:
        value = Fraction(alpha)
    if value <= 0 or (fixation == "moran" and value > 1) or value > 10**9:
        raise bad
    return value


def _single(g: SymmetricGame, samples: int, seed: int) -> DynamicsResult:
    verdicts = ess_list(g.a)
    rest, continua = symmetric_rest_points(g.a, verdicts)
    unresolved: Any = None
    if g.n == 2:
        basins = basins_1d(g.a, rest)
        method = "exact: sign of dx/dt between consecutive rest points (share of [0, 1], uniform initial share)"
        if not rest:
            method = "every state is a rest point (payoffs do not depend on the strategy): no basins"
    else:
        stable = [r.strategy for r in rest if r.stability == "stable"]
        sb = sample_symmetric(g.a, stable, samples=samples, seed=seed)
        basins = _estimated(stable, sb.counts, sb.samples)
        method = sb.method
        lo, hi = wilson(sb.unresolved, sb.samples)
        unresolved = {"share": V.approx(sb.unresolved / sb.samples), "interval": [f"{lo:.4f}", f"{hi:.4f}"]}
    return DynamicsResult("", "single-population", (g.population,), (g.actions,), tuple(verdicts), (),
                          tuple(rest), tuple(continua), tuple(basins), method, unresolved,
                          symmetric_stochastic(g.a))


def _other_dynamics(res: DynamicsResult, g: SymmetricGame, dynamics: str, eta: Fraction | str,
                    extra: dict[str, Any], model: Model) -> DynamicsResult:
    """Best-response or logit dynamics in place of the replicator's rest
    points and basins (ESS and stochastic stability do not depend on it)."""
    import dataclasses

    from verigroup.dynamics.brlogit import best_response, logit_basins, logit_rest_points

    extra["dynamics"] = dynamics
    if dynamics == "best-response":
        rest, basins = best_response(g.a, res.equilibria)
        method = (res.basin_method if g.n == 2 else
                  "not computed: best-response dynamics with three or more strategies")
        return dataclasses.replace(res, rest_points=tuple(rest), continua=(), basins=tuple(basins),
                                   basin_method=method, unresolved_share=None)
    if g.n != 2:
        raise SpecError.single("E202", f"logit dynamics is implemented for two strategies; this game has {g.n}",
                               g.span, hint="use the replicator or best-response dynamics")
    try:
        e = Fraction(str(eta).strip())
    except (ValueError, ZeroDivisionError):
        e = Fraction(-1)
    if e <= 0 or e > 10**6:
        raise SpecError.single("E401", f"invalid logit noise --eta {eta}", Span("<command line>", 0, 0),
                               hint="a positive rational, e.g. --eta 1/10")
    pts = logit_rest_points(g.a, e)
    a0, a1 = g.actions

    def strat(p: Any) -> dict[str, str]:
        if p.exact is not None:
            return {a0: V.exact(p.exact), a1: V.exact(1 - p.exact)}
        mid = float((p.lo + p.hi) / 2)
        return {a0: f"~{mid:.12g}", a1: f"~{1 - mid:.12g}"}

    extra["eta"] = V.exact(e)
    extra["rest_points"] = [
        {"strategy": strat(p), "stability": p.stability,
         "reason": "sign of h'(x) on a certified enclosure (x = sigma(g(x)/eta))"}
        | ({} if p.exact is not None else {"interval": {a0: [V.down(p.lo), V.up(p.hi)]}})
        for p in pts]
    extra["basins"] = [
        {"attractor": strat(p), "share": V.approx(float((lo + hi) / 2), 12), "exact": False,
         "interval": [V.down(lo), V.up(hi)], "confidence": "certified enclosure"}
        for p, lo, hi in logit_basins(pts)]
    extra["basins_method"] = "certified: the unstable rest points (enclosed) bound the basins"
    return dataclasses.replace(res, rest_points=(), continua=(), basins=(), basin_method="", unresolved_share=None)


def _estimated(attractors: Sequence[tuple[Fraction, ...]], counts: Sequence[int], n: int) -> list[Basin]:
    out = []
    for att, c in zip(attractors, counts):
        out.append(Basin(att, None, c / n, wilson(c, n)))
    return out


def _two(g: TwoPopulationGame, samples: int, seed: int) -> DynamicsResult:
    rest, continua = two_population_rest_points(g.a, g.b)
    stable = [r.strategy for r in rest if r.stability == "stable"]
    sb = sample_two_population(g.a, g.b, stable, samples=samples, seed=seed)
    lo, hi = wilson(sb.unresolved, sb.samples)
    extra: dict[str, Any] = {}
    boundary = _two_by_two_separatrix(g, rest)
    if boundary is not None:
        extra["basin_boundary"] = boundary
    return DynamicsResult("", "two-population", g.populations, g.actions, (),
                          tuple(strict_equilibria(g.a, g.b)), tuple(rest), tuple(continua),
                          tuple(_estimated(stable, sb.counts, sb.samples)), sb.method,
                          {"share": V.approx(sb.unresolved / sb.samples), "interval": [f"{lo:.4f}", f"{hi:.4f}"]},
                          two_population_stochastic(g.a, g.b), extra=extra)


def _two_by_two_separatrix(g: TwoPopulationGame, rest: Sequence[RestPoint]) -> dict[str, Any] | None:
    """2x2 games: the replicator dynamics conserves
    H = r ln x - (r+s) ln(1-x) - p ln y + (p+q) ln(1-y)
    (x, y: shares of each population's first action; dx/dt = x(1-x)(p + q y),
    dy/dt = y(1-y)(r + s x)), so the basin boundary through an interior saddle
    is exactly the level set H = H(saddle) -- an equation, not a number."""
    if len(g.a) != 2 or len(g.a[0]) != 2:
        return None
    saddle = [r for r in rest if r.stability == "saddle" and all(0 < v < 1 for v in r.strategy)]
    if not saddle:
        return None
    a, b = g.a, g.b
    p = a[0][1] - a[1][1]
    q = (a[0][0] - a[1][0]) - p
    r = b[1][0] - b[1][1]
    s = (b[0][0] - b[0][1]) - r
    x0, y0 = saddle[0].strategy[0], saddle[0].strategy[2]
    (r0, r1), (c0, c1) = g.actions
    coef = (r, -(r + s), -p, p + q)

    def side(args: tuple[str, str, str, str]) -> str:
        terms = [(c, f"ln({t})") for c, t in zip(coef, args) if c != 0]
        out = ""
        for k, (c, t) in enumerate(terms):
            sign = "-" if c < 0 else ("+" if k else "")
            out += f" {sign} " if k else ("-" if c < 0 else "")
            out += (t if abs(c) == 1 else f"{abs(c)}*{t}")
        return out.strip() or "0"

    return {
        "equation": side(("x", "1-x", "y", "1-y")) + " = "
                    + side((str(x0), str(1 - x0), str(y0), str(1 - y0))),
        "coefficients": {"ln(x)": V.exact(coef[0]), "ln(1-x)": V.exact(coef[1]),
                         "ln(y)": V.exact(coef[2]), "ln(1-y)": V.exact(coef[3])},
        "x": f"share of {g.populations[0]} playing {r0}",
        "y": f"share of {g.populations[1]} playing {c0}",
        "through": {g.populations[0]: {r0: V.exact(x0), r1: V.exact(1 - x0)},
                    g.populations[1]: {c0: V.exact(y0), c1: V.exact(1 - y0)}},
        "note": "the stable manifold of this saddle (a branch of the level set) separates the basins; "
                "the shares above are estimated",
    }
