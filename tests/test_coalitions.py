"""Coalition and adversary properties: textbook games and a naive brute force
written independently here (plain Python loops over Fractions)."""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verigroup.analyses.coalitions import (
    check_coalition_stable, check_immune, check_robust,
)
from verigroup.analyses.registry import Context
from verigroup.model.expr import Num
from verigroup.model.game import NormalFormGame
from verigroup.model.model import Agent, Model
from verigroup.model.properties import CoalitionStable, Immune, Profile, Robust
from verigroup.verdicts import Verdict


def ctx_of(game: NormalFormGame) -> Context:
    agents = tuple(Agent(p, p, None, a, Num(F(0))) for p, a in zip(game.players, game.actions))
    m = Model("g", "", {}, agents, {})
    m._cache["game"] = game
    return Context(m)


def names(game: NormalFormGame, prof: tuple[int, ...]) -> Profile:
    return Profile(tuple(game.actions[i][a] for i, a in enumerate(prof)))


PD = NormalFormGame.from_fractions(
    ["alice", "bob"], [["cooperate", "defect"]] * 2,
    [np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])])


# ------------------------------------------------------------ brute force


def u(game: NormalFormGame, i: int, prof: tuple[int, ...]) -> F:
    return game.payoff(i, prof)


def replace(prof: tuple[int, ...], who: tuple[int, ...], acts: tuple[int, ...]) -> tuple[int, ...]:
    p = list(prof)
    for j, a in zip(who, acts):
        p[j] = a
    return tuple(p)


def coalitions(n: int, kmax: int, pool: list[int] | None = None) -> list[tuple[int, ...]]:
    pool = list(range(n)) if pool is None else pool
    return [c for size in range(1, kmax + 1) for c in itertools.combinations(pool, size)]


def naive_resilient(game: NormalFormGame, s: tuple[int, ...], k: int, weak: bool) -> bool:
    n = game.num_players
    for c in coalitions(n, min(k, n)):
        for dev in itertools.product(*(range(game.shape[j]) for j in c)):
            t = replace(s, c, dev)
            diffs = [u(game, j, t) - u(game, j, s) for j in c]
            if weak:
                if all(d >= 0 for d in diffs) and any(d > 0 for d in diffs):
                    return False
            elif all(d > 0 for d in diffs):
                return False
    return True


def naive_immune(game: NormalFormGame, s: tuple[int, ...], t: int) -> bool:
    n = game.num_players
    for T in coalitions(n, min(t, n)):
        for dev in itertools.product(*(range(game.shape[j]) for j in T)):
            p = replace(s, T, dev)
            if any(u(game, j, p) < u(game, j, s) for j in range(n) if j not in T):
                return False
    return True


def naive_robust(game: NormalFormGame, s: tuple[int, ...], k: int, t: int) -> bool:
    n = game.num_players
    if not naive_immune(game, s, t):
        return False
    for T in [()] + coalitions(n, min(t, n)):
        rest = [j for j in range(n) if j not in T]
        for C in coalitions(n, min(k, len(rest)), rest):
            for tau in itertools.product(*(range(game.shape[j]) for j in T)):
                base = replace(s, T, tau)
                for phi in itertools.product(*(range(game.shape[j]) for j in C)):
                    p = replace(base, C, phi)
                    if any(u(game, i, p) > u(game, i, base) for i in C):
                        return False
    return True


def naive_cpne(game: NormalFormGame, s: tuple[int, ...]) -> bool:
    """BPW 1987 Definition 2, recursively on explicit reduced games (no memo)."""

    def cpne_set(J: tuple[int, ...], fixed: tuple[int, ...]) -> set[tuple[int, ...]]:
        prof = lambda t: replace(fixed, J, t)  # noqa: E731
        all_t = list(itertools.product(*(range(game.shape[j]) for j in J)))
        if len(J) == 1:
            best = max(u(game, J[0], prof(t)) for t in all_t)
            return {t for t in all_t if u(game, J[0], prof(t)) == best}

        def self_enforcing(t: tuple[int, ...]) -> bool:
            full = prof(t)
            for size in range(1, len(J)):
                for sub in itertools.combinations(range(len(J)), size):
                    subJ = tuple(J[x] for x in sub)
                    if tuple(t[x] for x in sub) not in cpne_set(subJ, full):
                        return False
            return True

        se = [t for t in all_t if self_enforcing(t)]
        return {t for t in se
                if not any(all(u(game, j, prof(o)) > u(game, j, prof(t)) for j in J) for o in se)}

    n = game.num_players
    return s in cpne_set(tuple(range(n)), s)


# ------------------------------------------------------------ strategies


@st.composite
def games(draw: st.DrawFn, max_agents: int = 4) -> NormalFormGame:
    n = draw(st.integers(2, max_agents))
    sizes = [draw(st.integers(2, 3 if n <= 3 else 2)) for _ in range(n)]
    total = int(np.prod(sizes))
    pays = [np.array(draw(st.lists(st.integers(-3, 3), min_size=total, max_size=total))).reshape(sizes)
            for _ in range(n)]
    return NormalFormGame.from_fractions([f"p{i}" for i in range(n)],
                                         [[f"a{j}" for j in range(k)] for k in sizes], pays)


@st.composite
def game_and_profile(draw: st.DrawFn, max_agents: int = 4) -> tuple[NormalFormGame, tuple[int, ...]]:
    g = draw(games(max_agents))
    return g, tuple(draw(st.integers(0, k - 1)) for k in g.shape)


# ----------------------------------------------------------------- tests


def test_pd_mutual_defection_is_nash_but_not_2_resilient() -> None:
    ctx = ctx_of(PD)
    dd = Profile(("defect", "defect"))
    assert check_coalition_stable(ctx, CoalitionStable("n", "resilient", dd, 1)).verdict is Verdict.HOLDS
    r = check_coalition_stable(ctx, CoalitionStable("r2", "resilient", dd, 2))
    assert r.verdict is Verdict.VIOLATED
    assert r.evidence["kind"] == "coalition"
    assert sorted(r.evidence["coalition"]) == ["alice", "bob"]
    assert r.evidence["deviation"] == {"alice": "cooperate", "bob": "cooperate"}
    assert r.evidence["gains"] == {"alice": "2", "bob": "2"}
    assert r.evidence["payoffs_before"] == {"alice": "1", "bob": "1"}
    assert r.evidence["payoffs_after"] == {"alice": "3", "bob": "3"}
    assert check_coalition_stable(ctx, CoalitionStable("s", "strong", dd)).verdict is Verdict.VIOLATED
    # Textbook: (defect, defect) is the coalition-proof equilibrium of the PD
    # (the joint deviation to cooperation is not self-enforcing).
    assert check_coalition_stable(ctx, CoalitionStable("c", "coalition_proof", dd)).verdict is Verdict.HOLDS


def test_pd_mutual_cooperation_is_not_nash() -> None:
    ctx = ctx_of(PD)
    cc = Profile(("cooperate", "cooperate"))
    r = check_coalition_stable(ctx, CoalitionStable("n", "resilient", cc, 1))
    assert r.verdict is Verdict.VIOLATED
    assert len(r.evidence["coalition"]) == 1
    assert r.evidence["gains"] == {r.evidence["coalition"][0]: "2"}
    assert check_coalition_stable(ctx, CoalitionStable("c", "coalition_proof", cc)).verdict is Verdict.VIOLATED
    # One rogue defector hurts the other: (C, C) is not 1-immune.
    im = check_immune(ctx, Immune("i", cc, 1))
    assert im.verdict is Verdict.VIOLATED
    assert im.evidence["kind"] == "adversaries" and im.evidence["loss"] == "3"
    assert im.evidence["victim"] != im.evidence["adversaries"][0]


def public_goods(n: int, r: F) -> NormalFormGame:
    """u_i = r * (#contributors) / n - [i contributes]."""
    shape = (2,) * n
    pays = []
    for i in range(n):
        arr = np.empty(shape, dtype=object)
        for prof in itertools.product((0, 1), repeat=n):
            c = sum(1 for a in prof if a == 0)
            arr[prof] = r * c / n - (1 if prof[i] == 0 else 0)
        pays.append(arr)
    return NormalFormGame.from_fractions([f"a[{i + 1}]" for i in range(n)],
                                         [["contribute", "withhold"]] * n, pays)


def test_public_goods_all_contribute() -> None:
    g = public_goods(4, F(8, 5))
    ctx = ctx_of(g)
    coop = Profile(("contribute",) * 4)
    # Not a Nash equilibrium: withholding saves 1 and costs only r/n = 2/5.
    r1 = check_coalition_stable(ctx, CoalitionStable("n", "resilient", coop, 1))
    assert r1.verdict is Verdict.VIOLATED
    assert list(r1.evidence["gains"].values()) == ["3/5"]
    # Not 1-immune: one rogue withholder lowers everyone else's payoff by r/n.
    im = check_immune(ctx, Immune("i", coop, 1))
    assert im.verdict is Verdict.VIOLATED and im.evidence["loss"] == "2/5"
    # All withhold: Nash; 4 withholders together gain (8/5 - 1 = 3/5 each).
    ww = Profile(("withhold",) * 4)
    assert check_coalition_stable(ctx, CoalitionStable("n", "resilient", ww, 1)).verdict is Verdict.HOLDS
    strong = check_coalition_stable(ctx, CoalitionStable("s", "strong", ww))
    assert strong.verdict is Verdict.VIOLATED
    # A coalition of c contributors gains iff r*c/n > 1, i.e. c >= 3 here.
    assert len(strong.evidence["coalition"]) == 3
    assert check_coalition_stable(ctx, CoalitionStable("r2", "resilient", ww, 2)).verdict is Verdict.HOLDS
    # Withholders hurt nobody by contributing: all-withhold is 4-immune.
    assert check_immune(ctx, Immune("i", ww, 2)).verdict is Verdict.HOLDS


def test_immunity_when_payoffs_are_private() -> None:
    # Each agent's payoff depends on its own action only: t-immune for every t.
    n = 3
    pays = []
    for i in range(n):
        arr = np.zeros((2,) * n, dtype=object)
        for prof in itertools.product((0, 1), repeat=n):
            arr[prof] = 1 if prof[i] == 0 else 0
        pays.append(arr)
    g = NormalFormGame.from_fractions(["x", "y", "z"], [["safe", "risky"]] * 3, pays)
    ctx = ctx_of(g)
    p = Profile(("safe",) * 3)
    res = check_immune(ctx, Immune("i", p, 2))
    assert res.verdict is Verdict.HOLDS
    assert res.evidence["coalitions_checked"] == 6  # 3 singletons + 3 pairs
    assert check_robust(ctx, Robust("r", p, 1, 2)).verdict is Verdict.HOLDS


def test_k_larger_than_agents_warns() -> None:
    ctx = ctx_of(PD)
    r = check_coalition_stable(ctx, CoalitionStable("r", "resilient", Profile(("defect", "defect")), 5))
    assert r.verdict is Verdict.VIOLATED and "warning" in r.evidence


def test_unknown_action_in_profile_is_spec_error() -> None:
    from verigroup.diagnostics import SpecError

    with pytest.raises(SpecError):
        check_coalition_stable(ctx_of(PD), CoalitionStable("r", "resilient", Profile(("defekt", "defect")), 1))


@settings(max_examples=80, deadline=None)
@given(game_and_profile(), st.integers(1, 4), st.booleans())
def test_resilience_matches_brute_force(gp: tuple[NormalFormGame, tuple[int, ...]], k: int, weak: bool) -> None:
    g, s = gp
    res = check_coalition_stable(ctx_of(g), CoalitionStable("r", "resilient", names(g, s), k, weak))
    assert (res.verdict is Verdict.HOLDS) == naive_resilient(g, s, k, weak)
    if res.verdict is Verdict.VIOLATED:  # the counterexample replays
        ev = res.evidence
        who = tuple(g.players.index(p) for p in ev["coalition"])
        acts = tuple(g.actions[j].index(ev["deviation"][g.players[j]]) for j in who)
        t = replace(s, who, acts)
        diffs = [u(g, j, t) - u(g, j, s) for j in who]
        assert all(d >= 0 for d in diffs) and any(d > 0 for d in diffs)
        assert weak or all(d > 0 for d in diffs)
        assert {g.players[j]: str(d) for j, d in zip(who, diffs)} == ev["gains"]


@settings(max_examples=60, deadline=None)
@given(game_and_profile())
def test_strong_matches_brute_force(gp: tuple[NormalFormGame, tuple[int, ...]]) -> None:
    g, s = gp
    res = check_coalition_stable(ctx_of(g), CoalitionStable("s", "strong", names(g, s)))
    assert (res.verdict is Verdict.HOLDS) == naive_resilient(g, s, g.num_players, False)


@settings(max_examples=60, deadline=None)
@given(game_and_profile(max_agents=3))
def test_coalition_proof_matches_brute_force(gp: tuple[NormalFormGame, tuple[int, ...]]) -> None:
    g, s = gp
    res = check_coalition_stable(ctx_of(g), CoalitionStable("c", "coalition_proof", names(g, s)))
    assert (res.verdict is Verdict.HOLDS) == naive_cpne(g, s)
    if res.verdict is Verdict.VIOLATED:
        ev = res.evidence
        who = tuple(g.players.index(p) for p in ev["coalition"])
        acts = tuple(g.actions[j].index(ev["deviation"][g.players[j]]) for j in who)
        t = replace(s, who, acts)
        assert all(u(g, j, t) > u(g, j, s) for j in who)


@settings(max_examples=80, deadline=None)
@given(game_and_profile(), st.integers(0, 4))
def test_immunity_matches_brute_force(gp: tuple[NormalFormGame, tuple[int, ...]], t: int) -> None:
    g, s = gp
    res = check_immune(ctx_of(g), Immune("i", names(g, s), t))
    assert (res.verdict is Verdict.HOLDS) == naive_immune(g, s, t)
    if res.verdict is Verdict.VIOLATED:
        ev = res.evidence
        v = g.players.index(ev["victim"])
        assert ev["victim"] not in ev["adversaries"]
        before = F(ev["payoffs_before"][ev["victim"]])
        after = F(ev["payoffs_after"][ev["victim"]])
        assert before == u(g, v, s) and after < before and F(ev["loss"]) == before - after


@settings(max_examples=60, deadline=None)
@given(game_and_profile(), st.integers(0, 2), st.integers(0, 2))
def test_robustness_matches_brute_force(gp: tuple[NormalFormGame, tuple[int, ...]], k: int, t: int) -> None:
    g, s = gp
    res = check_robust(ctx_of(g), Robust("r", names(g, s), k, t))
    assert (res.verdict is Verdict.HOLDS) == naive_robust(g, s, k, t)


def test_k0_t0_robust_is_trivial_and_1_0_robust_implies_nash() -> None:
    ctx = ctx_of(PD)
    for prof in itertools.product(range(2), repeat=2):
        p = names(PD, prof)
        assert check_robust(ctx, Robust("r", p, 0, 0)).verdict is Verdict.HOLDS
    # (1,0)-robust = no single agent gains alone = Nash.
    assert check_robust(ctx, Robust("r", Profile(("defect", "defect")), 1, 0)).verdict is Verdict.HOLDS
    assert check_robust(ctx, Robust("r", Profile(("cooperate", "cooperate")), 1, 0)).verdict is Verdict.VIOLATED


def test_immunity_condition_on_metrics() -> None:
    """immune(coop, t = 1, welfare >= X) on a public-goods Model built from IR
    nodes (needs the tensor evaluator)."""
    pytest.importorskip("verigroup.evaluate")
    from verigroup.model.expr import Compare, MetricOf

    model = pg_model(3, F(2))
    ctx = Context(model)
    coop = Profile(("contribute",) * 3)
    # welfare at all-contribute = 3*(2*3/3 - 1) = 3; one withholder:
    # 2 contributors -> each contributor 2*2/3 - 1 = 1/3, withholder 4/3: welfare 2.
    ok = check_immune(ctx, Immune("i", coop, 1, Compare(">=", MetricOf("welfare"), Num(F(2)))))
    assert ok.verdict is Verdict.HOLDS
    bad = check_immune(ctx, Immune("i", coop, 1, Compare(">", MetricOf("welfare"), Num(F(2)))))
    assert bad.verdict is Verdict.VIOLATED
    assert bad.evidence["metrics_after"]["welfare"] == "2"
    # Two adversaries: 1 contributor: welfare = 3 * (2/3) - 1 = 1.
    two = check_immune(ctx, Immune("i", coop, 2, Compare(">=", MetricOf("welfare"), Num(F(2)))))
    assert two.verdict is Verdict.VIOLATED and two.evidence["metrics_after"]["welfare"] == "1"


def pg_model(n: int, r: F) -> Model:
    from verigroup.model.expr import (
        ActionIs, AgentRef, Aggregate, Arith, Cond, IndexVar, ParamRef, PayoffOf,
    )
    from verigroup.model.model import Metric, Param

    ai = AgentRef("a", IndexVar("i"))
    count = Aggregate("count", "j", Num(F(1)), ParamRef("n"),
                      ActionIs(AgentRef("a", IndexVar("j")), "contribute"))
    pay = Arith("-", Arith("/", Arith("*", ParamRef("r"), count), ParamRef("n")),
                Cond(ActionIs(ai, "contribute"), Num(F(1)), Num(F(0))))
    agents = tuple(Agent(f"a[{k}]", "a", k, ("contribute", "withhold"), pay, (("i", k),))
                   for k in range(1, n + 1))
    welfare = Aggregate("sum", "i", Num(F(1)), ParamRef("n"), PayoffOf(AgentRef("a", IndexVar("i"))))
    params = {"n": Param("n", F(n), structural=True), "r": Param("r", r)}
    return Model("pg", "", params, agents, {"welfare": Metric("welfare", welfare)})


def test_registered_checkers() -> None:
    from verigroup.analyses.registry import get_checker

    assert get_checker(CoalitionStable) is check_coalition_stable
    assert get_checker(Immune) is check_immune
    assert get_checker(Robust) is check_robust
