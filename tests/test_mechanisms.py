"""Synthesis against independent engines on generated games.

* minimal subsidies: our closed form (with its LP dual) == Z3's exact LP ==
  scipy/HiGHS (float, an independent solver);
* budget-balanced transfers: Z3's exact optimum == scipy/HiGHS;
* shared-reward alpha: the ordinary property checker on the transformed game
  says HOLDS at the optimum and VIOLATED just below it; for ``unique`` a grid
  scan with the pure-equilibrium enumerator agrees with the infimum;
* every synthesised mechanism re-checked with the property checker.
Degenerate games (ties everywhere, constant payoffs) are included.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest

from verigroup.analyses.pure import pure_nash
from verigroup.api import check_model
from verigroup.io.nfg import model_from_nfg, write_nfg
from verigroup.mechanisms import synthesize
from verigroup.mechanisms.goals import Goal
from verigroup.mechanisms.money import lp_synthesis, subsidy_closed_form, verify_payments
from verigroup.mechanisms.share import synthesize_share
from verigroup.mechanisms.tables import deviate, int_game
from verigroup.model.game import NormalFormGame
from verigroup.verdicts import Verdict


def _game(seed: int, shape: tuple[int, ...], lo: int = -3, hi: int = 6) -> NormalFormGame:
    rng = np.random.default_rng(seed)
    if seed % 7 == 0:          # degenerate: few distinct values, many ties
        lo, hi = 0, 1
    pays = [rng.integers(lo, hi + 1, size=shape).astype(object) for _ in shape]
    if seed % 11 == 0:
        pays = [np.zeros(shape, dtype=object) for _ in shape]
    players = [f"p{i}" for i in range(len(shape))]
    actions = [[f"a{j}" for j in range(k)] for k in shape]
    return NormalFormGame.from_fractions(players, actions, pays)


def _model(g: NormalFormGame):
    return model_from_nfg(write_nfg(g), f"gen{id(g)}.nfg")


CASES = [(seed, shape) for seed, shape in enumerate([(2, 2), (2, 3), (3, 3), (2, 2, 2), (3, 2, 2),
                                                      (2, 2, 2, 2)] * 3)]


def _scipy_lp(ig, lever: str, target: tuple[int, ...], bound: float) -> float:
    from scipy.optimize import linprog

    rel = [target] + [deviate(target, i, d) for i in range(ig.n) for d in range(len(ig.actions[i]))
                      if d != target[i]]
    idx = {(i, s): k for k, (i, s) in enumerate((i, s) for s in rel for i in range(ig.n))}
    nv = len(idx) + (1 if lever == "transfer" else 0)
    A, b, Aeq, beq = [], [], [], []
    for i in range(ig.n):
        for d in range(len(ig.actions[i])):
            if d == target[i]:
                continue
            dev = deviate(target, i, d)
            row = [0.0] * nv
            row[idx[(i, target)]] -= 1
            row[idx[(i, dev)]] += 1
            A.append(row)
            b.append(float(ig.value(i, target) - ig.value(i, dev)))
    if lever == "transfer":
        for s in rel:
            row = [0.0] * nv
            for i in range(ig.n):
                row[idx[(i, s)]] = 1
            Aeq.append(row)
            beq.append(0.0)
        for k in range(len(idx)):
            for sign in (1, -1):
                row = [0.0] * nv
                row[k] = sign
                row[-1] = -1
                A.append(row)
                b.append(0.0)
        c = [0.0] * len(idx) + [1.0]
        bounds = [(-bound, bound)] * len(idx) + [(0, None)]
    else:
        c = [1.0 if s == target else 0.0 for (i, s) in idx]
        bounds = [(0, bound)] * len(idx)
    res = linprog(c, A_ub=A or None, b_ub=b or None, A_eq=Aeq or None, b_eq=beq or None,
                  bounds=bounds, method="highs")
    assert res.status == 0, res.message
    return float(res.fun)


@pytest.mark.parametrize("seed,shape", CASES[:12])
def test_subsidy_closed_form_z3_scipy_agree(seed: int, shape: tuple[int, ...]) -> None:
    ig = int_game(_game(seed, shape))
    target = tuple(seed % k for k in shape)
    bound = 2 * ig.payoff_range() + 1
    closed = subsidy_closed_form(ig, "nash", target, bound)
    z3ans = lp_synthesis(ig, "subsidy", "nash", target, bound)
    assert closed.status == z3ans.status == "optimal"
    assert closed.cost == z3ans.cost
    assert abs(float(closed.cost) - _scipy_lp(ig, "subsidy", target, float(bound))) < 1e-7
    assert verify_payments(ig, "nash", target, closed.payments) == []
    dom = subsidy_closed_form(ig, "dominant", target, bound)
    dz3 = lp_synthesis(ig, "subsidy", "dominant", target, bound)
    assert verify_payments(ig, "dominant", target, dom.payments) == []
    assert dom.cost == dz3.cost if dz3.status == dom.status == "optimal" else dom.cost == closed.cost


@pytest.mark.parametrize("seed,shape", CASES[:10])
def test_transfer_z3_matches_scipy(seed: int, shape: tuple[int, ...]) -> None:
    ig = int_game(_game(seed, shape))
    target = tuple((seed + 1) % k for k in shape)
    bound = 2 * ig.payoff_range() + 1
    ans = lp_synthesis(ig, "transfer", "nash", target, bound)
    assert ans.status == "optimal"
    assert abs(float(ans.cost) - _scipy_lp(ig, "transfer", target, float(bound))) < 1e-7
    assert verify_payments(ig, "nash", target, ans.payments) == []
    for s in {s for p in ans.payments for s in p}:
        assert sum((p.get(s, Fraction(0)) for p in ans.payments), Fraction(0)) == 0


@pytest.mark.parametrize("seed,shape", CASES[:8])
@pytest.mark.parametrize("kind", ["nash", "dominant"])
def test_share_optimum_is_tight_for_the_property_checker(seed: int, shape: tuple[int, ...], kind: str) -> None:
    g = _game(seed, shape)
    model = _model(g)
    target = tuple(seed % k for k in shape)
    res = synthesize(model, Goal(kind, target, f"{kind}:gen"), "share", check=check_model)
    if res.status == "infeasible":
        # the proof's constraints really contradict: check alpha at 0, 1/2, 1 by the checker
        for a in (Fraction(0), Fraction(1, 2), Fraction(1)):
            assert not _holds(model, target, a, kind)
        return
    assert res.recheck_ok
    alpha = res.optimal_value
    assert alpha is not None
    if res.attained:
        assert _holds(model, target, alpha, kind)
    if alpha > 0:
        assert not _holds(model, target, alpha - Fraction(1, 10**5), kind)


def _holds(model, target, alpha: Fraction, kind: str) -> bool:
    from verigroup.mechanisms.synthesis import _goal_properties
    from verigroup.mechanisms.transform import apply_share

    m = apply_share(model, alpha, _goal_properties(model, Goal(kind, target, "")))
    return all(r.verdict == Verdict.HOLDS for r in check_model(m).results)


@pytest.mark.parametrize("seed,shape", [(s, (2, 2)) for s in range(6)] + [(s, (2, 3)) for s in range(3)])
def test_unique_share_against_grid_scan(seed: int, shape: tuple[int, ...]) -> None:
    g = _game(seed + 100, shape)
    ig = int_game(g)
    target = (0,) * len(shape)
    ans = synthesize_share(ig, "unique", target)
    fr = g.fraction_payoffs()
    n = len(shape)

    def unique_at(a: Fraction) -> bool:
        w = sum(fr)
        new = [(1 - a) * u + a * w / n for u in fr]
        eqs = pure_nash(NormalFormGame.from_fractions(g.players, g.actions, new))
        return eqs == [target]

    grid = [Fraction(k, 240) for k in range(241)]
    ok = [a for a in grid if unique_at(a)]
    if not ans.feasible:
        assert ok == []
        return
    assert ans.alpha is not None and ans.witness_alpha is not None
    assert unique_at(ans.witness_alpha)
    assert all(a >= ans.alpha for a in ok)
    assert unique_at(ans.alpha) == ans.attained


def test_subsidy_unique_mechanism_rechecked() -> None:
    g = _game(5, (2, 2, 2))
    model = _model(g)
    res = synthesize(model, Goal("unique", (1, 1, 1), "unique:x"), "subsidy", check=check_model)
    assert res.status in ("optimal", "infimum")
    assert res.recheck_ok


def test_lp_time_limit_is_unknown_not_a_claim() -> None:
    g = _game(3, (3, 3, 3, 2))
    ig = int_game(g)
    ans = lp_synthesis(ig, "transfer", "unique", (0, 0, 0, 0), Fraction(50), timeout=0.001)
    assert ans.status == "unknown" and ans.cost is None or ans.status == "unknown"
    assert ans.status == "unknown"


def test_transformed_game_is_an_ordinary_model() -> None:
    """Every backend applies: the Z3 route decides the goal on the transformed spec."""
    import verigroup
    from verigroup.mechanisms import parse_goal

    model = verigroup.load("specs/public_goods.vg")
    goal = parse_goal("nash:" + ",".join(f"{a.name}=contribute" for a in model.agents), model)
    res = synthesize(model, goal, "subsidy", check=check_model)
    assert res.recheck_ok and res.transformed is not None
    z3rep = check_model(dataclasses.replace(res.transformed, properties=res.transformed.properties[:1],
                                            _cache={}), method="z3")
    assert z3rep.results[0].verdict == Verdict.HOLDS


@pytest.mark.parametrize("seed,shape,k", [(1, (2, 2), 2), (2, (3, 3), 2), (4, (2, 2, 2), 2),
                                          (5, (2, 2, 2), 3), (8, (3, 2, 2), 2)])
def test_resilient_share_is_tight_for_the_coalition_checker(seed: int, shape: tuple[int, ...], k: int) -> None:
    from verigroup.mechanisms.synthesis import _goal_properties
    from verigroup.mechanisms.transform import apply_share

    g = _game(seed + 50, shape)
    model = _model(g)
    w = int_game(g).welfare
    target = tuple(int(x) for x in np.unravel_index(int(np.argmax(w.astype(float))), w.shape))
    goal = Goal("resilient", target, "r", k)
    res = synthesize(model, goal, "share", check=check_model)

    def holds(a: Fraction) -> bool:
        m = apply_share(model, a, _goal_properties(model, goal))
        return check_model(m).results[0].verdict == Verdict.HOLDS

    if res.status == "infeasible":
        assert not any(holds(Fraction(j, 4)) for j in range(5))
        return
    assert res.recheck_ok and res.optimal_value is not None
    assert holds(res.optimal_value) == res.attained
    if res.optimal_value > 0:
        assert not holds(res.optimal_value - Fraction(1, 10**5))


def test_resilient_goal_text_and_levers(cli) -> None:
    import json

    pd = "specs/prisoners_dilemma.vg"
    res = cli("synthesize", pd, "--goal", "resilient:2:collude", "--lever", "share", "--format", "json")
    doc = json.loads(res.out)
    # the pair's joint deviation to (defect, defect) never pays: alpha = 4/5 as for Nash
    assert res.code == 0 and doc["optimal_value"] == "4/5" and doc["goal"]["kind"] == "resilient"
    assert [r["verdict"] for r in doc["recheck"]] == ["HOLDS"]
    bad = cli("synthesize", pd, "--goal", "resilient:3:collude", "--lever", "share")
    assert bad.code == 2 and "resilient:K:PROFILE" in bad.err
    bad = cli("synthesize", pd, "--goal", "resilient:2:collude", "--lever", "subsidy")
    assert bad.code == 2 and "one-parameter levers" in bad.err
