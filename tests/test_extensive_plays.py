"""Properties over plays, traces and their replay, coalitions, commitments, registration."""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

import pytest

from verigroup.diagnostics import SpecError
from verigroup.extensive.plays import (
    AtEnd, MoveIs, NotP, PayoffCmp, PlayProperty, ToMove, TraceStep, Trace, can_enforce, check_play_property,
    commitment_credible, find_violation, history_key, node_of_history, replay_trace,
)
from verigroup.extensive.spe import solve_spe
from verigroup.extensive.tree import CHANCE_NODE, DECISION, TERMINAL, TreeBuilder
from verigroup.verdicts import Verdict

from tests.test_extensive_spe import cheap_talk, stackelberg, ultimatum
from tests.test_extensive_tree import DATA, entry_tree


def test_never_fight_on_path_holds():
    t = entry_tree()
    r = check_play_property(t, PlayProperty("no fight", "every", "never", MoveIs("fight")))
    assert r.verdict is Verdict.HOLDS


def test_violation_has_a_replayable_trace():
    t = entry_tree()
    prop = PlayProperty("incumbent keeps 2", "every", "eventually", PayoffCmp("incumbent", ">=", F(2)))
    r = check_play_property(t, prop)
    assert r.verdict is Verdict.VIOLATED
    ev = r.evidence
    assert [s["move"] for s in ev["play"]] == ["in", "accommodate"]
    assert ev["payoffs"] == {"entrant": "1", "incumbent": "1"}
    res = solve_spe(t)
    trace = find_violation(t, res.profiles[0], "eventually", prop.phi)
    assert replay_trace(t, trace).ok
    # tampering is caught: a different play, or strategies that are not an SPE
    forged = dataclasses.replace(trace, steps=(TraceStep("entrant", "in", None), TraceStep("incumbent", "fight", None)))
    assert not replay_trace(t, forged).ok
    not_spe = dataclasses.replace(trace, strategies={"entrant": {"@root": "out"}, "incumbent": {"@in": "fight"}},
                                  steps=(TraceStep("entrant", "out", None),),
                                  payoffs={"entrant": F(0), "incumbent": F(2)}, failed_at=1)
    rep = replay_trace(t, dataclasses.replace(not_spe, phi=NotP(AtEnd()), kind="always"))
    assert not rep.ok and "not a subgame-perfect" in rep.message


def test_ultimatum_reject_only_off_path():
    t = ultimatum()
    # both SPE (offer 0 accepted; offer 1 accepted) never reach "reject" on their path
    assert check_play_property(t, PlayProperty("p", "every", "never", MoveIs("reject"))).verdict is Verdict.HOLDS
    fair = PayoffCmp("responder", ">=", F(1))
    assert check_play_property(t, PlayProperty("p", "every", "eventually", fair)).verdict is Verdict.VIOLATED
    some = check_play_property(t, PlayProperty("p", "some", "eventually", fair))
    assert some.verdict is Verdict.HOLDS and some.evidence["witness"]["proposer"]["@root"] == "offer1"


def test_chance_plays_are_all_examined():
    t = cheap_talk()
    # in every SPE the receiver moves on every play; in the babbling ones some play is "wrong"
    assert check_play_property(t, PlayProperty("p", "every", "eventually", ToMove("receiver"))).verdict \
        is Verdict.HOLDS
    r = check_play_property(t, PlayProperty("p", "every", "eventually", PayoffCmp("sender", "==", F(1))))
    assert r.verdict is Verdict.VIOLATED and r.evidence["play"][0]["actor"] == "chance"
    assert r.evidence["probability"] == "1/2"


def test_unknown_names_in_predicates():
    with pytest.raises(SpecError, match="did you mean `fight`"):
        check_play_property(entry_tree(), PlayProperty("p", "every", "never", MoveIs("fihgt")))


def test_coalitions_enforce():
    t = entry_tree()
    inc1 = PayoffCmp("incumbent", ">=", F(1))
    # incumbent: out gives 2, in -> it can accommodate (1): enforces >= 1, not >= 2
    assert can_enforce(t, ["incumbent"], "eventually", inc1).holds
    r = can_enforce(t, ["incumbent"], "eventually", PayoffCmp("incumbent", ">=", F(2)))
    # the spoilers' certificate is keyed by node history (the root is "")
    assert not r.holds and r.keyed_by == "node" and r.strategy == {"entrant": {"": "in"}}
    # entrant cannot guarantee 1 alone (incumbent may fight), but with the incumbent it can
    assert not can_enforce(t, ["entrant"], "eventually", PayoffCmp("entrant", ">=", F(1))).holds
    both = can_enforce(t, ["entrant", "incumbent"], "eventually", PayoffCmp("entrant", ">=", F(1)))
    assert both.holds and both.strategy["entrant"]["@root"] == "in"
    # never: the incumbent alone can avoid fights
    assert can_enforce(t, ["incumbent"], "never", MoveIs("fight")).holds


def blind_matching() -> "object":
    """a picks L or R; b then picks x or y without seeing a's move; a wins
    (payoff 1) iff (L, x) or (R, y): matching pennies in extensive form."""
    b = TreeBuilder(["a", "b"])
    after = {}
    for m, good in (("L", "x"), ("R", "y")):
        after[m] = b.decision("b", "blind", {z: b.terminal([int(z == good), int(z != good)]) for z in ("x", "y")})
    return b.build(b.decision("a", None, after))


def follow_map(tree, choose_c, spoil):
    """The play when C picks ``choose_c(history)`` and the others and chance
    follow the node-wise map; returns the leaf (independent of the checker)."""
    v, hist = 0, []
    while tree.kind[v] != TERMINAL:
        if tree.kind[v] == DECISION and tree.players[tree.infoset_player[tree.payload[v]]] == "a":
            m = choose_c(tuple(hist))
        else:
            m = spoil[tree.player_name(tree.player(v))]["/".join(hist)]
        v = tree.child_by_label(v, m)
        hist.append(m)
    return v


def test_spoilers_are_node_wise_where_they_cannot_see():
    t = blind_matching()
    goal = PayoffCmp("a", "==", F(1))
    r = can_enforce(t, ["a"], "eventually", goal)
    # a cannot enforce a win: after L only y spoils, after R only x (by hand)
    assert not r.holds and r.keyed_by == "node"
    assert r.strategy == {"b": {"L": "y", "R": "x"}}
    # every strategy of a (L or R) against the map loses
    for first in ("L", "R"):
        assert t.payoff(follow_map(t, lambda h, f=first: f, r.strategy))[0] == 0
    # no information-set strategy of b spoils both: merging per information set is wrong
    for z in ("x", "y"):
        merged = {"b": {"L": z, "R": z}}
        assert any(t.payoff(follow_map(t, lambda h, f=f: f, merged))[0] == 1 for f in ("L", "R"))
    # b's imperfect information does not let a enforce the win, but does stop b from being a coalition
    with pytest.raises(SpecError, match="perfect information"):
        can_enforce(t, ["b"], "eventually", PayoffCmp("b", "==", F(1)))


def test_chance_is_in_the_spoiler_map_with_positive_probability_only():
    b = TreeBuilder(["a"])
    calm = b.decision("a", None, {"fish": b.terminal([1]), "rest": b.terminal([0])})
    storm = b.decision("a", None, {"fish": b.terminal([0]), "rest": b.terminal([0])})
    never = b.decision("a", None, {"fish": b.terminal([0]), "rest": b.terminal([0])})
    t = b.build(b.chance([("never", 0, never), ("calm", F(1, 2), calm), ("storm", F(1, 2), storm)]))
    r = can_enforce(t, ["a"], "eventually", PayoffCmp("a", ">=", F(1)))
    # the adversarial outcome must have positive probability: storm, not never
    assert not r.holds and r.strategy == {"chance": {"": "storm"}}
    assert t.kind[0] == CHANCE_NODE
    for m in ("fish", "rest"):
        assert t.payoff(follow_map(t, lambda h, m=m: m, r.strategy))[0] == 0
    # C's winning strategy stays keyed by information set
    w = can_enforce(t, ["a"], "eventually", PayoffCmp("a", "<=", F(0)))
    assert w.holds and w.keyed_by == "infoset"


def test_history_keys_round_trip_with_awkward_labels():
    b = TreeBuilder(["a", "b"])
    inner = b.decision("b", None, {"%2F": b.terminal([0, 0]), "x/y": b.terminal([1, 1])})
    t = b.build(b.decision("a", None, {"a/b": inner, "%": b.terminal([2, 2])}))
    keys = set()
    for v in range(t.num_nodes):
        k = history_key(t.path_moves(v))
        keys.add(k)
        assert node_of_history(t, k) == v
    assert len(keys) == t.num_nodes and history_key(()) == "" and history_key(("a/b", "x/y")) == "a%2Fb/x%2Fy"
    with pytest.raises(SpecError):
        node_of_history(t, "nope")


def test_coalition_with_imperfect_information_is_refused():
    with pytest.raises(SpecError, match="perfect information"):
        can_enforce(cheap_talk(), ["receiver"], "eventually", PayoffCmp("receiver", "==", F(1)))


def test_commitments():
    t = stackelberg(True)
    assert commitment_credible(t, "leader", "@root", "q6").credible is True
    # follower threatening to flood (6) after the leader's 6: 0 < 9, not credible
    assert commitment_credible(t, "follower", "@q6", "q6").credible is False
    assert commitment_credible(entry_tree(), "incumbent", "@in", "fight").credible is False
    # the responder rejecting a zero offer is a tie, hence credible
    c = commitment_credible(ultimatum(), "responder", "@offer0", "reject")
    assert c.credible is True and c.witness is not None
    # imperfect information: goes through the SPE enumeration
    ct = cheap_talk()
    assert commitment_credible(ct, "receiver", "heard l", "H").credible is True


def test_spe_provider_and_cli_contract():
    from verigroup.api import solve_model
    from verigroup.io.efg import model_from_efg

    m = model_from_efg((DATA / "entry.efg").read_text(), "entry.efg")
    sol = solve_model(m, "spe")
    assert sol.complete and len(sol.equilibria) == 1
    js = sol.equilibria[0].to_json()
    assert js["concept"] == "spe"
    assert js["strategies"] == {"Entrant": {"enter?": "in"}, "Incumbent": {"respond": "accommodate"}}
    assert js["payoffs"] == {"Entrant": "1", "Incumbent": "1"}
    assert "mixed" not in js
