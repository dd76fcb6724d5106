"""Properties over plays, traces and their replay, coalitions, commitments, registration."""

from __future__ import annotations

import dataclasses
from fractions import Fraction as F

import pytest

from verigroup.diagnostics import SpecError
from verigroup.extensive.plays import (
    AtEnd, MoveIs, NotP, PayoffCmp, PlayProperty, ToMove, TraceStep, Trace, can_enforce, check_play_property,
    commitment_credible, find_violation, replay_trace,
)
from verigroup.extensive.spe import solve_spe
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
    assert not r.holds and r.strategy == {"entrant": {"@root": "in"}}
    # entrant cannot guarantee 1 alone (incumbent may fight), but with the incumbent it can
    assert not can_enforce(t, ["entrant"], "eventually", PayoffCmp("entrant", ">=", F(1))).holds
    both = can_enforce(t, ["entrant", "incumbent"], "eventually", PayoffCmp("entrant", ">=", F(1)))
    assert both.holds and both.strategy["entrant"]["@root"] == "in"
    # never: the incumbent alone can avoid fights
    assert can_enforce(t, ["incumbent"], "never", MoveIs("fight")).holds


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
