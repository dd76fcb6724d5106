"""Checkers of the dynamics properties (issue 12): ``ess(...)``,
``neutrally_stable(...)``, ``basin(x) >= q``, ``stochastically_stable(x)``,
``risk_dominant(x)``, ``learners_reach(x) >= q``.

Exact results decide HOLDS / VIOLATED; an estimated basin (three or more
strategies) and every learning result are UNKNOWN with their estimate,
interval and seeds in the evidence (``"statistical": true``) -- an empirical
frequency never becomes a HOLDS."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from verigroup.analyses.registry import Context, checker
from verigroup.diagnostics import SpecError
from verigroup.model.dynprops import EvolutionaryProperty
from verigroup.verdicts import PropertyResult, Verdict, q

LEARNER_RUNS = 30
LEARNER_EPISODES = 300


def _cmp(x: Fraction, op: str, y: Fraction) -> bool:
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y, "!=": x != y}[op]


def _result(p: EvolutionaryProperty, verdict: Verdict, method: str, message: str,
            evidence: dict[str, Any]) -> PropertyResult:
    return PropertyResult(p.name, "EvolutionaryProperty", verdict, method, message,
                          {"kind": f"dynamics.{p.kind}", **evidence}, p.span)


def _show(strategy: tuple[tuple[str, Fraction], ...]) -> dict[str, str]:
    return {a: q(v) for a, v in strategy}


def _label(shown: dict[str, str]) -> str:
    pure = [a for a, v in shown.items() if v == "1"]
    return pure[0] if pure else "(" + ", ".join(f"{a} {v}" for a, v in shown.items() if v != "0") + ")"


@checker(EvolutionaryProperty)
def check_dynamics(ctx: Context, p: EvolutionaryProperty) -> PropertyResult:
    from verigroup.dynamics.games import symmetric_game

    try:
        g = symmetric_game(ctx.model)
    except SpecError as exc:
        return _result(p, Verdict.UNKNOWN, "size-guard" if "E202" in exc.render() else "none",
                       "not a single-population (symmetric two-agent) game: " + exc.diagnostics[0].message,
                       {"reason": exc.diagnostics[0].message})
    if p.kind == "every_ess":
        return _every_ess(ctx, p, g)
    target = tuple(v for _, v in p.strategy)
    shown = _show(p.strategy)
    if p.kind in ("ess", "neutrally_stable"):
        return _stability(p, g, target, shown)
    if p.kind == "basin":
        return _basin(p, g, target, shown)
    if p.kind in ("stochastically_stable", "risk_dominant"):
        return _stochastic(p, g, target, shown)
    return _learners(ctx, p, g, target, shown)


def _stability(p: EvolutionaryProperty, g: Any, target: tuple[Fraction, ...], shown: dict[str, str]) -> PropertyResult:
    from verigroup.dynamics.ess import classify, payoffs_against, symmetric_equilibria

    word = "an ESS" if p.kind == "ess" else "neutrally stable"
    match = [pt for pt in symmetric_equilibria(g.a) if pt.strategy == target]
    if not match:
        pay = payoffs_against(g.a, target)
        own = sum((x * u for x, u in zip(target, pay)), Fraction(0))
        best = max(range(g.n), key=lambda i: pay[i])
        return _result(p, Verdict.VIOLATED, "exact support enumeration",
                       f"{_label(shown)} is not a symmetric Nash equilibrium, so not {word}",
                       {"strategy": shown, "why": "a better reply exists",
                        "better_reply": g.actions[best], "its_payoff": q(pay[best]), "payoff": q(own)})
    v = classify(g.a, match[0])
    status = v.ess if p.kind == "ess" else v.nss
    ev = {"strategy": shown, "payoff": q(match[0].value),
          "best_replies": [g.actions[i] for i in match[0].best_replies], "method": v.method}
    if status == "yes":
        return _result(p, Verdict.HOLDS, "exact second-order condition", f"{_label(shown)} is {word}", ev)
    if status == "no":
        return _result(p, Verdict.VIOLATED, "exact second-order condition",
                       f"{_label(shown)} is a symmetric equilibrium but not {word}: an alternative best reply "
                       f"does at least as well against itself", ev)
    return _result(p, Verdict.UNKNOWN, "z3", "the cone condition was not decided (solver unknown/timeout)",
                   ev | {"reason": "Z3 returned unknown"})


def _basin(p: EvolutionaryProperty, g: Any, target: tuple[Fraction, ...], shown: dict[str, str]) -> PropertyResult:
    from verigroup.dynamics.analysis import _single

    assert p.op is not None and p.bound is not None
    res = _single(g, 2000, 0)
    share = next((b for b in res.basins if b.attractor == target), None)
    if g.n == 2:
        value = share.share if share is not None and share.share is not None else Fraction(0)
        ok = _cmp(value, p.op, p.bound)
        ev = {"attractor": shown, "share": q(value), "bound": q(p.bound), "op": p.op,
              "boundary": [q(x) for x in (share.boundary if share else ())],
              "method": res.basin_method}
        return _result(p, Verdict.HOLDS if ok else Verdict.VIOLATED, "exact replicator basins",
                       f"basin({_label(shown)}) = {q(value)}; {q(value)} {p.op} {q(p.bound)} is {str(ok).lower()}", ev)
    est = share.estimate if share is not None and share.estimate is not None else 0.0
    lo, hi = share.interval if share is not None and share.interval is not None else (0.0, 1.0)
    return _result(p, Verdict.UNKNOWN, "sampled replicator basins",
                   f"basin({_label(shown)}) is estimated ~{est:.4f} (95% interval {lo:.4f}..{hi:.4f}); "
                   "estimates never decide a verdict",
                   {"statistical": True, "attractor": shown, "share": f"~{est:.4f}",
                    "interval": [f"{lo:.4f}", f"{hi:.4f}"], "bound": q(p.bound), "op": p.op,
                    "method": res.basin_method, "reason": "three or more strategies: the basin is estimated"})


def _stochastic(p: EvolutionaryProperty, g: Any, target: tuple[Fraction, ...], shown: dict[str, str]) -> PropertyResult:
    from verigroup.dynamics.stochastic import symmetric_stochastic

    s = symmetric_stochastic(g.a)
    idx = target.index(Fraction(1))
    if s is None:
        return _result(p, Verdict.UNKNOWN, "none",
                       "stochastic stability is decided for two conventions only",
                       {"reason": "more than two conventions or strategies"})
    chosen = s.stochastically_stable if p.kind == "stochastically_stable" else s.risk_dominant
    ok = (idx,) in chosen
    ev = {"strategy": shown, "method": s.method,
          "conventions": [{"strategy": g.actions[c.profile[0]], "resistance_to_leave": q(c.resistance_to_leave)}
                          for c in s.conventions],
          "selected": [g.actions[c[0]] for c in chosen]}
    word = "stochastically stable" if p.kind == "stochastically_stable" else "risk-dominant"
    return _result(p, Verdict.HOLDS if ok else Verdict.VIOLATED, "exact resistances",
                   f"{g.actions[idx]} is {'' if ok else 'not '}{word} "
                   f"(selected: {', '.join(ev['selected']) or 'none'})", ev)  # type: ignore[arg-type]


def _learners(ctx: Context, p: EvolutionaryProperty, g: Any, target: tuple[Fraction, ...],
              shown: dict[str, str]) -> PropertyResult:
    assert p.op is not None and p.bound is not None
    try:
        import pyspiel  # noqa: F401
    except ImportError:
        return _result(p, Verdict.UNKNOWN, "none", "learners need OpenSpiel (pip install 'verigroup[engines]')",
                       {"reason": "open_spiel not installed"})
    from verigroup.dynamics.analysis import _single
    from verigroup.dynamics.learners import run_learners
    from verigroup.dynamics.sampling import wilson

    seed = int(ctx.options.get("seed", 0))
    res = _single(g, 10, seed)
    res = type(res)(ctx.model.name, res.kind, res.populations, res.actions, res.equilibria, res.strict,
                    res.rest_points, res.continua, res.basins, res.basin_method, None, None)
    lg = run_learners([g.a], True, res, LEARNER_RUNS, seed, ("qlearning",), LEARNER_EPISODES)
    idx = target.index(Fraction(1))
    runs = lg.learners[0]
    hits = [o for o in runs.outcomes if o.profile == (idx, idx)]
    seeds = sorted(s for o in hits for s in o.seeds)
    k = len(seeds)
    lo, hi = wilson(k, runs.runs)
    frac = Fraction(k, runs.runs)
    consistent = "yes" if _cmp(Fraction(lo).limit_denominator(10**6), p.op, p.bound) and \
        _cmp(Fraction(hi).limit_denominator(10**6), p.op, p.bound) else \
        "no" if not _cmp(Fraction(lo).limit_denominator(10**6), p.op, p.bound) and \
        not _cmp(Fraction(hi).limit_denominator(10**6), p.op, p.bound) else "undecided"
    return _result(p, Verdict.UNKNOWN, "statistical: OpenSpiel tabular Q-learners",
                   f"STATISTICAL: learners reached {g.actions[idx]} in {k}/{runs.runs} runs "
                   f"(95% Wilson interval {lo:.4f}..{hi:.4f}); the whole interval "
                   f"{'satisfies' if consistent == 'yes' else 'violates' if consistent == 'no' else 'straddles'} "
                   f"{p.op} {q(p.bound)}. Empirical, never HOLDS",
                   {"statistical": True, "share": q(frac), "interval": [f"{lo:.4f}", f"{hi:.4f}"],
                    "runs": runs.runs, "episodes": runs.episodes, "seeds_reaching": seeds,
                    "seeds": f"{seed}..{seed + runs.runs - 1}", "settings": runs.settings,
                    "bound": q(p.bound), "op": p.op, "interval_vs_bound": consistent,
                    "reason": "an empirical frequency of seeded learning runs"})


def _every_ess(ctx: Context, p: EvolutionaryProperty, g: Any) -> PropertyResult:
    from verigroup.dynamics.ess import ess_list

    assert p.metric is not None and p.op is not None and p.bound is not None
    tensor = ctx.game.metrics[p.metric].tensor
    n = g.n
    rows = []
    undecided = []
    for v in ess_list(g.a):
        x = v.point.strategy
        shown = {a: q(s) for a, s in zip(g.actions, x)}
        if v.ess == "unknown":
            undecided.append(shown)
            continue
        if v.ess != "yes":
            continue
        value = sum((x[i] * x[j] * tensor.at((i, j)) for i in range(n) for j in range(n)), Fraction(0))
        rows.append((shown, value, _cmp(value, p.op, p.bound)))
    bad = [r for r in rows if not r[2]]
    listed = [{"strategy": s, "value": q(val)} for s, val, _ in rows]
    base = {"metric": p.metric, "op": p.op, "bound": q(p.bound), "ess": listed}
    if bad:
        s, val, _ = bad[0]
        return _result(p, Verdict.VIOLATED, "exact ESS enumeration",
                       f"the ESS {_label(s)} has {p.metric} = {q(val)}; {q(val)} {p.op} {q(p.bound)} is false",
                       base | {"strategy": s, "value": q(val)})
    if undecided:
        return _result(p, Verdict.UNKNOWN, "exact ESS enumeration",
                       "some equilibria's ESS status was not decided", base | {"reason": "Z3 returned unknown",
                                                                               "undecided": undecided})
    msg = (f"every ESS ({len(rows)}) has {p.metric} {p.op} {q(p.bound)}" if rows
           else "the game has no ESS: the property holds vacuously")
    return _result(p, Verdict.HOLDS, "exact ESS enumeration", msg, base)
