"""The `protocol:` syntax: AST nodes with positions, the layout rule inside
the block, property forms over plays, and protocol errors with positions."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import pytest

from verigroup.diagnostics import SpecError
from verigroup.extensive import plays as PL
from verigroup.model import expr as X
from verigroup.model import properties as P
from verigroup.resolve import build_model
from verigroup.syntax import ast as A
from verigroup.syntax.parser import parse_spec

ROOT = Path(__file__).resolve().parent.parent
PROTO_SPECS = sorted((ROOT / "specs" / "protocols").glob("*.vg"))

ENTRY = """game entry
agents entrant, incumbent
protocol:
    entrant chooses enter, stay_out
    incumbent chooses fight, accommodate if entrant == enter
payoff entrant = 0 if entrant == stay_out else (2 if incumbent == accommodate else -1)
payoff incumbent = 4 if entrant == stay_out else (2 if incumbent == accommodate else -1)
"""


def _proto(spec: A.Spec) -> A.ProtocolDecl:
    return next(s for s in spec.statements if isinstance(s, A.ProtocolDecl))


def test_move_stages_and_spans() -> None:
    p = _proto(parse_spec(ENTRY, "e.vg"))
    assert len(p.stages) == 2
    first, second = p.stages
    assert isinstance(first, A.MoveStage) and first.verb == "chooses" and first.agent == "entrant"
    assert [a for a, _ in first.actions] == ["enter", "stay_out"]
    assert (first.span.line, first.span.column) == (4, 5)
    assert first.actions[1][1].column == 28
    assert isinstance(second, A.MoveStage) and isinstance(second.cond, A.EBinary)
    assert (second.cond.span.line, second.cond.span.column) == (5, 45)


def test_every_stage_form() -> None:
    text = """game g
agents a[1..2], s, r, leader
state stock = 3
protocol:
    leader commits to hi, lo
    chance q: good 1/2, bad (1/4 if leader == hi else 1/2)
    tip: s says m1, m2 to r
    r chooses x, y sees tip
    repeat 2 rounds discount 9/10:
        a[i] chooses c, d sees nothing
        update stock = stock - 1
        stop if stock <= 0
payoff a[i] = 0
payoff s = 0
payoff r = 0
payoff leader = 0
"""
    spec = parse_spec(text)
    st = _proto(spec).stages
    assert isinstance(st[0], A.MoveStage) and st[0].verb == "commits"
    assert isinstance(st[1], A.ChanceStage) and [o[0] for o in st[1].outcomes] == ["good", "bad"]
    assert isinstance(st[1].outcomes[1][1], A.ECond)
    assert isinstance(st[2], A.MoveStage) and st[2].label == "tip" and st[2].verb == "says"
    assert st[2].receivers is not None and st[2].receivers[0].name == "r"
    assert isinstance(st[3], A.MoveStage) and isinstance(st[3].sees, tuple) and st[3].sees[0].name == "tip"
    rep = st[4]
    assert isinstance(rep, A.RepeatBlock) and isinstance(rep.rounds, A.ENum) and rep.rounds.value == 2
    assert isinstance(rep.discount, A.EBinary)
    kinds = [type(x).__name__ for x in rep.body]
    assert kinds == ["MoveStage", "UpdateStage", "StopStage"]
    assert rep.body[0].sees == "nothing"  # type: ignore[union-attr]
    assert any(isinstance(s, A.StateDecl) for s in spec.statements)


def test_agents_without_actions_and_union_of_moves() -> None:
    m = build_model(ENTRY)
    assert [a.actions for a in m.agents] == [("enter", "stay_out"), ("fight", "accommodate")]


def test_move_expression_nodes() -> None:
    text = """game g
agents alice, bob
protocol:
    chance coin: heads 1/2, tails 1/2
    alice chooses x, y sees nothing
    bob chooses x, y if coin == heads
payoff alice = 1 if coin != tails else 0
payoff bob = 0
"""
    m = build_model(text)
    pay = m.agents[0].payoff
    assert isinstance(pay, X.Cond) and pay.cond == X.MoveIs("coin", "tails", True)


def test_state_reference_node() -> None:
    text = """game g
agents alice
state stock = 2
protocol:
    repeat 2 rounds:
        alice chooses take, wait
        update stock = stock - (1 if alice == take else 0)
payoff alice = stock if alice == take else 0
"""
    m = build_model(text)
    assert isinstance(m.agents[0].payoff, X.Cond) and m.agents[0].payoff.then == X.StateRef("stock")


def test_property_records() -> None:
    text = ENTRY + """property "a": for every spe: never incumbent == fight
property "b": for some spe: eventually entrant != enter and end
property "c": coalition {incumbent} can enforce eventually payoff(incumbent) >= 2
property "d": entrant cannot enforce always not (incumbent == fight)
property "e": credible(incumbent == fight)
property "f": commitment credible(entrant == enter)
"""
    m = build_model(text)
    a, b, c, d, e, f = m.properties
    assert isinstance(a, P.PlayTemporal) and a.quantifier is P.Quantifier.EVERY and a.kind == "never"
    # play atoms read the move made at the stage so far (issue 15); `!=` is its negation
    assert a.phi == PL.StageMove("incumbent", "fight")
    assert isinstance(b, P.PlayTemporal) and b.phi == PL.AndP((PL.NotP(PL.StageMove("entrant", "enter")),
                                                               PL.AtEnd()))
    assert isinstance(c, P.Enforce) and c.can and c.coalition == ("incumbent",)
    assert c.phi == PL.PayoffCmp("incumbent", ">=", Fraction(2))
    assert isinstance(d, P.Enforce) and not d.can and d.kind == "always"
    assert isinstance(e, P.CommitmentCredible) and e.agent == "incumbent" and len(e.infosets) == 1
    assert isinstance(f, P.CommitmentCredible) and f.infosets == ("entrant",)
    assert a.span.line == 8


def test_automaton_records() -> None:
    text = (ROOT / "specs/protocols/discounted_pd.vg").read_text()
    m = build_model(text)
    recs = [p for p in m.properties if isinstance(p, P.RepeatedStrategyCheck)]
    assert [(r.strategy, r.mode) for r in recs] == [("grim_trigger", "is_spe"), ("grim_trigger", "threshold"),
                                                    ("tit_for_tat", "is_spe")]
    assert recs[0].delta == Fraction(3, 4) and recs[1].value == Fraction(1, 2) and recs[1].op == "=="
    assert m.protocol is None  # repeat forever: the model is the stage game
    assert build_model(text, overrides={"delta": "0.4"}).properties[0].delta == Fraction(2, 5)  # type: ignore[union-attr]


# ------------------------------------------------------------ errors


def _err(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(SpecError) as info:
        build_model(text, "p.vg")
    info.value.render()
    return [(d.code, d.span.line, d.span.column) for d in info.value.diagnostics]


def test_protocol_on_the_same_line_is_a_syntax_error() -> None:
    got = _err("game g\nagents a\nprotocol: a chooses x, y\npayoff a = 1\n")
    assert got[0][0] == "E001" and got[0][1] == 3


def test_stage_errors_have_positions() -> None:
    base = "game g\nagents alice, bob\nprotocol:\n"
    tail = "payoff alice = 1\npayoff bob = 1\n"
    assert _err(base + "    alice chooses x, y\n    bob chooses x, y sees carol\n" + tail) == [("E101", 5, 27)]
    assert _err(base + "    alice chooses x, y sees bob\n    bob chooses x, y\n" + tail) == [("E111", 4, 29)]
    assert _err(base + "    alice chooses x, y\n    alice chooses x, y\n    bob chooses x, y\n" + tail) == [
        ("E102", 5, 5)]
    got = _err(base + "    carol chooses x, y\n    bob chooses x, y\n" + tail)
    assert ("E101", 4, 5) in got and ("E111", 2, 8) in got  # and alice has no moves
    got = _err(base + "    alice chooses x, y\n    bob chooses u, v if alice == z\n" + tail)
    assert got == [("E104", 5, 34)]


def test_agent_read_needs_its_own_stage() -> None:
    text = """game g
agents alice, bob
protocol:
    c1: alice chooses take, pass
    bob chooses take, pass
payoff alice = 1 if alice == take else 0
payoff bob = 0
"""
    got = _err(text)
    assert got == [("E111", 6, 21)]


def test_repeat_restrictions() -> None:
    text = """game g
agents alice, bob
protocol:
    alice chooses x, y
    repeat 2 rounds:
        bob chooses x, y
payoff alice = 1
payoff bob = 1
"""
    assert _err(text)[0][:2] == ("E111", 5)
    forever = """game g
agents alice, bob
protocol:
    repeat forever:
        alice chooses c, d
        bob chooses c, d sees nothing
payoff alice = 1
payoff bob = 1
"""
    assert _err(forever)[0][:2] == ("E111", 4)


def test_play_property_errors() -> None:
    assert _err(ENTRY + 'property "p": for every nash: never incumbent == fight\n')[0][:2] == ("E110", 8)
    assert _err(ENTRY + 'property "p": for every spe: never incumbent == fihgt\n')[0][:2] == ("E104", 8)
    assert _err(ENTRY + 'property "p": for every spe: never incumbent + 1\n')[0][:2] == ("E110", 8)
    assert _err(ENTRY + 'property "p": credible(entrant)\n')[0][:2] == ("E110", 8)
    finite = (ROOT / "specs/protocols/repeated_pd.vg").read_text()
    got = _err(finite + 'property "g": grim_trigger(cooperate, defect) is spe\n')
    assert [c for c, _, _ in got] == ["E110"]  # automata need `repeat forever`


def test_protocol_mutations_raise_only_spec_errors() -> None:
    rng = random.Random(7)
    texts = [p.read_text() for p in PROTO_SPECS]
    assert texts
    for _ in range(150):
        t = rng.choice(texts)
        chars = list(t)
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(chars))
            op = rng.random()
            if op < 0.4:
                del chars[i]
            elif op < 0.7:
                chars.insert(i, chars[rng.randrange(len(chars))])
            else:
                j = rng.randrange(len(chars))
                chars[i], chars[j] = chars[j], chars[i]
        try:
            build_model("".join(chars), "mut.vg")
        except SpecError as exc:
            exc.render()
