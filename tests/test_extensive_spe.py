"""Subgame-perfect equilibria against textbook answers (worked by hand in the
comments) and against brute force on random trees."""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verigroup.diagnostics import SpecError, TooLarge
from verigroup.extensive.behaviour import behaviour_nash
from verigroup.extensive.profile import StrategyProfile, expected_payoffs, is_spe, regrets
from verigroup.extensive.reduced import pure_equilibria, reduced_normal_form
from verigroup.extensive.spe import solve_spe, spe_decomposition, spe_payoff_set
from verigroup.extensive.tree import TreeBuilder
from verigroup.extensive.zerosum import zero_sum_value
from verigroup.io.efg import read_efg

from tests.test_extensive_tree import DATA, entry_tree


def strategies_of(tree, res):
    return [p.to_json(tree) for p in res.profiles]


# ---------------------------------------------------------------- textbook games


def test_entry_deterrence_ne_differs_from_spe():
    t = entry_tree()
    # Normal form: (out, fight) is a Nash equilibrium (entrant 0 > -1), but the
    # threat is not credible: after "in", fight gives -1 < accommodate 1.
    sf = reduced_normal_form(t)
    ne = {tuple(sf.game.actions[p][e[p]] for p in range(2)) for e in pure_equilibria(sf.game)}
    assert ne == {("in", "accommodate"), ("out", "fight")}
    res = solve_spe(t)
    assert res.complete
    assert strategies_of(t, res) == [{"entrant": {"@root": "in"}, "incumbent": {"@in": "accommodate"}}]
    assert res.payoff_set == ((F(1), F(1)),)


def centipede():
    # take at stage 1 (A), 2 (B), 3 (A), 4 (B) pays (1,0), (0,2), (3,1), (2,4);
    # passing at the end pays (5,3)
    takes = {1: (1, 0), 2: (0, 2), 3: (3, 1), 4: (2, 4)}
    b = TreeBuilder(["A", "B"])
    node = b.terminal([5, 3])
    for k in range(4, 0, -1):
        node = b.decision("A" if k % 2 else "B", None, {"take": b.terminal(list(takes[k])), "pass": node})
    return b.build(node)


def test_centipede_take_at_once():
    # B at 4: take 4 > 3; A at 3: take 3 > 2; B at 2: take 2 > 1; A at 1: take 1 > 0.
    t = centipede()
    res = solve_spe(t)
    assert len(res.profiles) == 1 and res.complete
    prof = res.profiles[0].to_json(t)
    assert all(a == "take" for agent in prof.values() for a in agent.values())
    assert res.payoffs[0] == (F(1), F(0))


def ultimatum():
    # pie of 2, offers 0,1,2 to the responder
    b = TreeBuilder(["proposer", "responder"])
    kids = {}
    for offer in (0, 1, 2):
        kids[f"offer{offer}"] = b.decision("responder", None, {
            "accept": b.terminal([2 - offer, offer]), "reject": b.terminal([0, 0])})
    return b.build(b.decision("proposer", None, kids))


def test_ultimatum_ties_give_two_spe():
    # Responder is indifferent at offer 0 (0 vs 0), strict at 1 and 2.
    # Accepts 0 -> proposer offers 0: payoff (2, 0).  Rejects 0 -> offers 1: (1, 1).
    t = ultimatum()
    res = solve_spe(t)
    assert res.complete and len(res.profiles) == 2
    got = {(p["proposer"]["@root"], p["responder"]["@offer0"]) for p in strategies_of(t, res)}
    assert got == {("offer0", "accept"), ("offer1", "reject")}
    assert set(res.payoff_set) == {(F(2), F(0)), (F(1), F(1))}
    assert res.payoff_set_complete


def stackelberg(sequential=True):
    # Cournot, price 12 - q1 - q2, no cost, q in {3, 4, 6}: profit q_i * (12 - q1 - q2).
    qs = (3, 4, 6)
    b = TreeBuilder(["leader", "follower"])
    kids = {}
    for q1 in qs:
        key = None if sequential else "follower-blind"
        kids[f"q{q1}"] = b.decision("follower", key, {
            f"q{q2}": b.terminal([q1 * (12 - q1 - q2), q2 * (12 - q1 - q2)]) for q2 in qs})
    return b.build(b.decision("leader", None, kids))


def test_stackelberg_leader_advantage():
    # Follower best replies: to 3 -> 4 (20 > 18), to 4 -> 4 (16), to 6 -> 3 (9 > 8).
    # Leader: 3 -> 15, 4 -> 16, 6 -> 18: leads with 6, payoff (18, 9).
    seq = solve_spe(stackelberg(True))
    assert seq.payoff_set == ((F(18), F(9)),)
    # Simultaneous (follower does not observe): unique pure NE (4, 4) with 16 each.
    sim = solve_spe(stackelberg(False))
    assert sim.payoff_set == ((F(16), F(16)),)
    assert seq.payoff_set[0][0] > sim.payoff_set[0][0]


def cheap_talk():
    # type L/H with prob 1/2, sender sees it and sends l or h (free), receiver
    # sees only the message and acts L or H; both get 1 iff action == type.
    b = TreeBuilder(["sender", "receiver"])
    kids = []
    for typ in ("L", "H"):
        msgs = {}
        for m in ("l", "h"):
            msgs[m] = b.decision("receiver", f"heard {m}", {
                a: b.terminal([int(a == typ)] * 2) for a in ("L", "H")})
        kids.append((typ, F(1, 2), b.decision("sender", f"type {typ}", msgs)))
    return b.build(b.chance(kids))


def test_cheap_talk_separating_and_babbling():
    # Only the whole game is a subgame, so SPE = pure NE: 2 separating
    # equilibria (payoff 1 each) and 4 pooling ones (payoff 1/2 each; the
    # receiver's off-path reply must not reward the deviating type).
    t = cheap_talk()
    res = solve_spe(t)
    assert res.complete and len(res.profiles) == 6
    assert set(res.payoff_set) == {(F(1), F(1)), (F(1, 2), F(1, 2))}
    seps = [p for p, v in zip(strategies_of(t, res), res.payoffs) if v == (F(1), F(1))]
    assert len(seps) == 2
    for p in res.profiles:
        assert is_spe(t, p)


def pennies_after_entry():
    # P1: out -> (1/2, -1/2); in -> matching pennies, P2 does not see P1's coin.
    b = TreeBuilder(["P1", "P2"])
    coins = {}
    for c1 in ("H", "T"):
        coins[c1] = b.decision("P2", "guess", {c2: b.terminal([1, -1] if c1 == c2 else [-1, 1])
                                                for c2 in ("H", "T")})
    sub = b.decision("P1", "coin", coins)
    return b.build(b.decision("P1", "enter", {"out": b.terminal([F(1, 2), F(-1, 2)]), "in": sub}))


def test_no_pure_spe_then_behaviour_spe():
    t = pennies_after_entry()
    pure_only = spe_decomposition(t, mixed_fallback=False)
    assert pure_only.profiles == () and "no pure SPE" in pure_only.reason
    res = solve_spe(t)
    # pennies: mix 1/2-1/2, value 0 for P1 < 1/2, so P1 stays out.
    assert res.mixed and len(res.profiles) == 1
    prof = res.profiles[0].to_json(t)
    assert prof["P1"]["enter"] == "out"
    assert prof["P1"]["coin"] == {"H": "1/2", "T": "1/2"}
    assert prof["P2"]["guess"] == {"H": "1/2", "T": "1/2"}
    assert res.payoffs[0] == (F(1, 2), F(-1, 2))
    assert is_spe(t, res.profiles[0])


def vickrey():
    # values 1 or 3 (prob 1/2 each, independent), bids 1 or 3, sealed,
    # second price; a tie is a coin flip and the winner pays the tied bid.
    b = TreeBuilder(["b1", "b2"])

    def pay(v, mine, other):
        if mine > other:
            return F(v - other)
        if mine == other:
            return F(v - other, 2)
        return F(0)

    outer = []
    for v1 in (1, 3):
        inner = []
        for v2 in (1, 3):
            bids1 = {}
            for x in (1, 3):
                bids1[f"bid{x}"] = b.decision("b2", ("b2", v2), {
                    f"bid{y}": b.terminal([pay(v1, x, y), pay(v2, y, x)]) for y in (1, 3)}, label=f"value{v2}")
            inner.append((f"v2={v2}", F(1, 2), b.decision("b1", ("b1", v1), bids1, label=f"value{v1}")))
        outer.append((f"v1={v1}", F(1, 2), b.chance(inner)))
    return b.build(b.chance(outer))


def test_sealed_bid_auction_truthful_is_an_equilibrium():
    t = vickrey()
    res = solve_spe(t)
    assert res.complete
    truthful = {"b1": {"value1": "bid1", "value3": "bid3"}, "b2": {"value1": "bid1", "value3": "bid3"}}
    js = strategies_of(t, res)
    assert truthful in js
    # by hand: only (v_i=3, v_j=1) pays 3-1=2, probability 1/4 -> 1/2 each
    assert res.payoffs[js.index(truthful)] == (F(1, 2), F(1, 2))
    for p in res.profiles:
        assert all(r == 0 for r in regrets(t, p))


def test_kuhn_poker_value():
    # textbook: the first player's value of Kuhn poker is -1/18
    t = read_efg((DATA / "kuhn.efg").read_text())
    z = zero_sum_value(t)
    assert z.value == F(-1, 18) and z.total == 0
    assert all(r == 0 for r in regrets(t, z.strategies))


def test_behaviour_nash_needs_two_agents_and_recall():
    b = TreeBuilder(["a"])
    n1 = b.decision("a", "J", {"l": b.terminal([1]), "r": b.terminal([0])})
    n2 = b.decision("a", "J", {"l": b.terminal([0]), "r": b.terminal([1])})
    t = b.build(b.decision("a", "K", {"x": n1, "y": n2}))
    with pytest.raises(SpecError, match="perfect recall"):
        behaviour_nash(t)


def test_strategic_form_size_guard():
    b = TreeBuilder(["a", "b"])
    # b has 2^20 strategies if all its 20 decisions are one region
    leaves = []
    for k in range(20):
        leaves.append((f"m{k}", b.decision("b", f"I{k}", {"x": b.terminal([0, 0]), "y": b.terminal([1, 1])})))
    coin = b.chance([(lab, F(1, 20), node) for lab, node in leaves])
    root = b.decision("a", "A", {"go": coin, "stop": b.terminal([0, 0])})
    # make one information set straddle so the root region is big
    t = b.build(root)
    with pytest.raises(TooLarge):
        from verigroup.extensive.reduced import strategic_form
        strategic_form(t)


# ------------------------------------------------------------------ random trees


@st.composite
def pi_trees(draw, max_depth=3):
    """Nested description of a small perfect-information tree with chance."""
    nplayers = draw(st.integers(2, 3))

    def node(depth):
        if depth == max_depth or draw(st.integers(0, 3)) == 0:
            return ("t", tuple(draw(st.integers(0, 2)) for _ in range(nplayers)))
        if draw(st.integers(0, 5)) == 0:
            k = draw(st.integers(1, 3))
            weights = [draw(st.integers(1, 3)) for _ in range(k)]
            tot = sum(weights)
            return ("c", tuple((F(w, tot), node(depth + 1)) for w in weights))
        p = draw(st.integers(0, nplayers - 1))
        k = draw(st.integers(1, 3))
        return ("d", p, tuple(node(depth + 1) for _ in range(k)))

    return nplayers, node(0)


def build_from(nplayers, desc):
    b = TreeBuilder([f"p{i}" for i in range(nplayers)], allow_idle_players=True)

    def go(d):
        if d[0] == "t":
            return b.terminal(list(d[1]))
        if d[0] == "c":
            return b.chance([(f"c{j}", pr, go(sub)) for j, (pr, sub) in enumerate(d[1])])
        return b.decision(d[1], None, [(f"a{j}", go(sub)) for j, sub in enumerate(d[2])])

    return b.build(go(desc))


def decision_paths(desc, path=()):
    """(path label, player, #actions) for every decision node, independently of the IR."""
    if desc[0] == "t":
        return []
    if desc[0] == "c":
        return [x for j, (_, sub) in enumerate(desc[1]) for x in decision_paths(sub, path + (f"c{j}",))]
    out = [("@" + ("/".join(path) if path else "root"), desc[1], len(desc[2]))]
    for j, sub in enumerate(desc[2]):
        out += decision_paths(sub, path + (f"a{j}",))
    return out


def value(desc, strat, path=()):
    if desc[0] == "t":
        return tuple(F(x) for x in desc[1])
    if desc[0] == "c":
        acc = None
        for j, (pr, sub) in enumerate(desc[1]):
            v = value(sub, strat, path + (f"c{j}",))
            acc = tuple(pr * x for x in v) if acc is None else tuple(a + pr * x for a, x in zip(acc, v))
        return acc
    label = "@" + ("/".join(path) if path else "root")
    a = strat[label]
    return value(desc[2][a], strat, path + (f"a{a}",))


def one_shot_ok(desc, strat, path=()):
    """Independent check: no player gains by changing its move at one node."""
    if desc[0] == "t":
        return True
    if desc[0] == "c":
        return all(one_shot_ok(sub, strat, path + (f"c{j}",)) for j, (_, sub) in enumerate(desc[1]))
    label = "@" + ("/".join(path) if path else "root")
    p = desc[1]
    here = value(desc, strat, path)[p]
    for j, sub in enumerate(desc[2]):
        if value(sub, strat, path + (f"a{j}",))[p] > here:
            return False
        if not one_shot_ok(sub, strat, path + (f"a{j}",)):
            return False
    return True


def flat(tree, prof):
    return {lab: tree.infoset_actions[tree.infoset_by_label(p, lab)].index(act)
            for agent, table in prof.to_json(tree).items()
            for p in [tree.players.index(agent)] for lab, act in table.items()}


@settings(max_examples=60, deadline=None)
@given(pi_trees())
def test_random_trees_spe_equal_brute_force(data):
    nplayers, desc = data
    t = build_from(nplayers, desc)
    res = solve_spe(t, cap=10_000)
    dec = decision_paths(desc)
    brute = []
    for combo in itertools.product(*[range(k) for _, _, k in dec]):
        strat = {lab: a for (lab, _, _), a in zip(dec, combo)}
        if one_shot_ok(desc, strat):
            brute.append(strat)
    assert res.complete
    found = [flat(t, p) for p in res.profiles]
    assert len(found) == len({tuple(sorted(f.items())) for f in found})  # no duplicates
    assert sorted(tuple(sorted(f.items())) for f in found) == sorted(tuple(sorted(s.items())) for s in brute)
    pset, complete = spe_payoff_set(t)
    assert complete
    assert set(pset) == {value(desc, s) for s in brute}
    for p, v in zip(res.profiles, res.payoffs):
        assert v == value(desc, flat(t, p))


@settings(max_examples=30, deadline=None)
@given(pi_trees(max_depth=3))
def test_decomposition_agrees_with_backward_induction(data):
    nplayers, desc = data
    t = build_from(nplayers, desc)
    a = solve_spe(t, cap=10_000)
    b = spe_decomposition(t, cap=10_000)
    key = lambda p: tuple(p.pure)  # noqa: E731
    assert sorted(map(key, a.profiles)) == sorted(map(key, b.profiles))
    assert set(a.payoff_set) == set(b.payoff_set)


def test_deep_tree_no_recursion_limit():
    # a path of 30,000 decisions (every one a tie but the last): iterative, capped
    b = TreeBuilder(["a", "b"])
    node = b.terminal([0, 0])
    for k in range(30_000):
        node = b.decision(k % 2, None, {"stop": b.terminal([1, 1]), "go": node})
    t = b.build(node)
    res = solve_spe(t, cap=1)
    assert res.payoffs[0] == (F(1), F(1))
    assert expected_payoffs(t, res.profiles[0]) == (F(1), F(1))
