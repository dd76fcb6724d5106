"""More than two agents: exact support enumeration (z3), irrational
equilibria reported approximate with their exact epsilon, pygambit engines
under a timeout, and the mixed provider's trivial cases."""

from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest

from verigroup.analyses.timeouts import deadline
from verigroup.model.game import NormalFormGame
from verigroup.solvers.nplayer import gambit_profiles, solve_nplayer


def game3(fn) -> NormalFormGame:
    pays = []
    for i in range(3):
        t = np.empty((2, 2, 2), dtype=object)
        for s in np.ndindex(2, 2, 2):
            t[s] = fn(i, s)
        pays.append(t)
    return NormalFormGame.from_fractions(["p1", "p2", "p3"], [["a", "b"]] * 3, pays)


def regret_independent(g: NormalFormGame, strat) -> F:
    """Max regret by direct summation over all profiles (no shared code)."""
    worst = F(0)
    for i in range(g.num_players):
        vals = []
        for dev in range(g.shape[i]):
            v = F(0)
            for s in np.ndindex(*g.shape):
                if s[i] != dev:
                    continue
                pr = F(1)
                for j in range(g.num_players):
                    if j != i:
                        pr *= strat[j][s[j]]
                v += pr * g.payoff(i, s)
            vals.append(v)
        exp = sum(strat[i][a] * vals[a] for a in range(g.shape[i]))
        worst = max(worst, max(vals) - exp)
    return worst


# Jordan's three-player matching pennies: 1 wants to match 2, 2 to
# mismatch 3, 3 to match 1.  Unique equilibrium: everybody 1/2.
JORDAN = game3(lambda i, s: int(s[0] == s[1]) if i == 0 else (
    int(s[1] != s[2]) if i == 1 else int(s[2] == s[0])))


def test_jordan_unique_half():
    res = solve_nplayer(JORDAN)
    half = (F(1, 2), F(1, 2))
    assert res.complete
    assert [e.strategy for e in res.equilibria] == [(half, half, half)]
    assert res.equilibria[0].exact


def _irr(i, s):
    # indifference: q r = 1/2, p r = 1/2, p q = 1/3  =>  p = q = 1/sqrt(3)
    if i == 0:
        return 2 * int(s[1] == 0 and s[2] == 0) if s[0] == 0 else 1
    if i == 1:
        return 2 * int(s[0] == 0 and s[2] == 0) if s[1] == 0 else 1
    return 3 * int(s[0] == 0 and s[1] == 0) if s[2] == 0 else 1


def test_irrational_equilibrium_is_approximate_with_exact_epsilon():
    g = game3(_irr)
    res = solve_nplayer(g)
    assert res.complete
    mixed = [e for e in res.equilibria if all(0 < x < 1 for s in e.strategy for x in s)]
    assert len(mixed) == 1
    e = mixed[0]
    assert not e.exact
    assert 0 < e.epsilon < F(1, 10**20)
    assert e.epsilon == regret_independent(g, e.strategy)
    p, q, r = (float(s[0]) for s in e.strategy)
    assert abs(p - 1 / math.sqrt(3)) < 1e-12 and abs(q - p) < 1e-12
    assert abs(r - math.sqrt(3) / 2) < 1e-12
    assert e.algebraic is not None and "root-obj" in e.algebraic[0][0]
    for other in res.equilibria:
        if other is not e:
            assert other.exact and regret_independent(g, other.strategy) == 0


@pytest.mark.parametrize("seed", range(5))
def test_pure_equilibria_found(seed):
    rng = np.random.default_rng(seed)
    vals = rng.integers(0, 4, (3, 2, 2, 2))
    g = game3(lambda i, s: int(vals[(i,) + s]))
    res = solve_nplayer(g)
    pure_found = {tuple(s.index(F(1)) for s in e.strategy) for e in res.equilibria
                  if all(x in (0, 1) for s in e.strategy for x in s)}
    brute = set()
    for s in np.ndindex(2, 2, 2):
        if all(vals[(i,) + s] >= vals[(i,) + s[:i] + (1 - s[i],) + s[i + 1:]] for i in range(3)):
            brute.add(s)
    assert pure_found == brute
    for e in res.equilibria:
        if e.exact:
            assert regret_independent(g, e.strategy) == 0
        else:
            assert e.epsilon == regret_independent(g, e.strategy)


def test_pygambit_simpdiv_reverified():
    res = solve_nplayer(JORDAN, engines=("simpdiv",), call_timeout=30)
    assert not res.complete or res.equilibria  # heuristic engines never claim completeness
    assert not res.complete
    for e in res.equilibria:
        assert e.epsilon == regret_independent(JORDAN, e.strategy)


def _never_answers(arrays, shape, method, conn):  # type: ignore[no-untyped-def]
    import time

    while True:  # a child that cannot answer first, whatever the machine's load
        time.sleep(60)


def test_gambit_timeout_kills_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deterministic: the forked child never answers, so the parent's poll
    must time out and the child must be killed (not left running)."""
    import multiprocessing as mp

    import verigroup.solvers.nplayer as NP

    monkeypatch.setattr(NP, "_gambit_child", _never_answers)
    before = {p.pid for p in mp.active_children()}
    with pytest.raises(TimeoutError):
        gambit_profiles(JORDAN, "logit", 0.2)
    left = [p for p in mp.active_children() if p.pid not in before and p.is_alive()]
    assert left == []


def test_deadline_gives_incomplete():
    g = game3(_irr)
    with deadline(1e-6):
        res = solve_nplayer(g)
    assert not res.complete and "timeout" in res.reason


def test_mixed_provider_one_agent():
    from verigroup.analyses.mixed import mixed_equilibria

    g = NormalFormGame.from_fractions(["solo"], [["x", "y", "z"]], [np.array([3, 1, 3], dtype=object)])
    es = mixed_equilibria(g)
    assert [p.strategy for p in es.points] == [((F(1), F(0), F(0)),), ((F(0), F(0), F(1)),)]
    assert es.complete and es.extra["components_infinite"]
