"""The tree IR, its validation, and .efg reading/writing (cross-checked with pygambit)."""

from __future__ import annotations

import io
from fractions import Fraction as F
from pathlib import Path

import pytest

from verigroup.diagnostics import SpecError, Span, TooLarge
from verigroup.extensive.tree import CHANCE, TreeBuilder
from verigroup.io.efg import model_from_efg, read_efg, write_efg

DATA = Path(__file__).parent / "data" / "efg"


def entry_tree():
    b = TreeBuilder(["entrant", "incumbent"])
    fight, acc = b.terminal([-1, -1]), b.terminal([1, 1])
    inc = b.decision("incumbent", None, {"fight": fight, "accommodate": acc})
    return b.build(b.decision("entrant", None, {"in": inc, "out": b.terminal({"entrant": 0, "incumbent": 2})}))


def test_layout_breadth_first_and_labels():
    t = entry_tree()
    assert t.num_nodes == 5
    assert t.player(0) == 0 and t.actions(0) == ("in", "out")
    # children are consecutive and have larger ids than their parent
    for v in range(t.num_nodes):
        for c in t.children(v):
            assert c > v and t.parent[c] == v
    inc = t.child_by_label(0, "in")
    assert t.player(inc) == 1 and t.move_label(inc) == "in" and t.mover(inc) == 0
    assert t.infoset_label(t.infoset_of(inc)) == "@in"
    assert t.payoff(t.child_by_label(0, "out")) == (F(0), F(2))
    assert t.is_perfect_information and t.perfect_recall_violation() is None


def test_chance_probabilities_checked():
    b = TreeBuilder(["a"])
    x, y = b.terminal([1]), b.terminal([2])
    with pytest.raises(SpecError, match="sum to 9/10"):
        b.chance({"h": ("1/2", x), "t": ("2/5", y)})
    with pytest.raises(SpecError, match="negative"):
        b.chance({"h": (F(3, 2), x), "t": (F(-1, 2), y)})
    with pytest.raises(SpecError, match="float"):
        b.chance({"h": (0.5, x), "t": (0.5, y)})


def test_infoset_consistency_errors_carry_the_span():
    b = TreeBuilder(["a", "b"])
    leaves = [b.terminal([0, 0]) for _ in range(4)]
    b.decision("b", "I", {"l": leaves[0], "r": leaves[1]})
    sp = Span("proto.vg", 7, 3)
    with pytest.raises(SpecError) as e:
        b.decision("b", "I", {"l": leaves[2], "x": leaves[3]}, span=sp)
    assert "different actions" in str(e.value) and e.value.diagnostics[0].span == sp
    with pytest.raises(SpecError, match="mixes players"):
        b.decision("a", "I", {"l": leaves[2], "r": leaves[3]})


def test_idle_agent_and_shared_subtree_refused():
    b = TreeBuilder(["a", "b"])
    t = b.terminal([0, 0])
    root = b.decision("a", None, {"x": t, "y": b.terminal([1, 1])})
    with pytest.raises(SpecError, match="never moves"):
        b.build(root)
    b = TreeBuilder(["a"])
    t = b.terminal([0])
    with pytest.raises(SpecError, match="used twice"):
        b.build(b.decision("a", None, {"x": t, "y": t}))


def test_absent_minded_and_imperfect_recall():
    b = TreeBuilder(["a"])
    inner = b.decision("a", "I", {"x": b.terminal([0]), "y": b.terminal([1])})
    with pytest.raises(SpecError, match="met twice"):
        b.build(b.decision("a", "I", {"x": inner, "y": b.terminal([2])}))
    # forgetting one's own first move: imperfect recall is detected
    b = TreeBuilder(["a"])
    n1 = b.decision("a", "J", {"l": b.terminal([1]), "r": b.terminal([0])})
    n2 = b.decision("a", "J", {"l": b.terminal([0]), "r": b.terminal([1])})
    t = b.build(b.decision("a", "K", {"x": n1, "y": n2}))
    assert t.perfect_recall_violation() is not None


def test_size_guard():
    b = TreeBuilder(["a"], node_limit=10)
    with pytest.raises(TooLarge) as e:
        for _ in range(11):
            b.terminal([0])
    assert "10" in str(e.value) and e.value.diagnostics[0].hint


def test_efg_round_trip_exact():
    for name in ("entry.efg", "kuhn.efg", "bayes.efg", "outcomes_inner.efg"):
        text = (DATA / name).read_text()
        t = read_efg(text, name)
        out = write_efg(t)
        t2 = read_efg(out)
        assert write_efg(t2) == out
        assert t2.outcomes == t.outcomes and t2.chance_probs == t.chance_probs
        assert [t2.infoset_label(i) for i in range(t2.num_infosets)] == \
               [t.infoset_label(i) for i in range(t.num_infosets)]


def test_inner_outcomes_are_pushed_to_leaves():
    t = read_efg((DATA / "outcomes_inner.efg").read_text())
    # root toll (1/2, -1/2) is added to every leaf; outcome 2 is reused at the last-but-one leaf
    leaves = sorted(t.payoff(v) for v in t.terminals())
    assert leaves == sorted([(F(7, 2), F(-1, 4)), (F(-1, 2), F(19, 2)), (F(7, 2), F(-1, 4)), (F(1, 2), F(-1, 2))])
    assert t.probs(t.child_by_label(0, "x")) == (F(1, 3), F(2, 3))
    assert t.player(t.child_by_label(0, "x")) == CHANCE
    assert t.state_label(0) == "root"


def _gambit_leaf_payoffs(g):
    out = []
    for node in g.nodes:
        if node.is_terminal:
            acc = [F(0), F(0)]
            n = node
            while n is not None:
                for k, p in enumerate(g.players):
                    try:  # pygambit wraps "no outcome" in an object that raises on access
                        acc[k] += F(str(n.outcome[p]))
                    except KeyError:
                        pass
                n = n.parent
            out.append(tuple(acc))
    return sorted(out)


@pytest.mark.parametrize("name", ["entry.efg", "kuhn.efg", "bayes.efg", "outcomes_inner.efg"])
def test_reading_agrees_with_pygambit(name):
    import pygambit

    text = (DATA / name).read_text()
    t = read_efg(text)
    g = pygambit.read_efg(io.StringIO(text))
    assert len(list(g.nodes)) == t.num_nodes
    assert len([i for i in g.infosets]) == t.num_infosets
    assert [p.label for p in g.players] == list(t.players)
    assert _gambit_leaf_payoffs(g) == sorted(t.payoff(v) for v in t.terminals())
    # and pygambit reads our output back to the same game
    g2 = pygambit.read_efg(io.StringIO(write_efg(t)))
    assert _gambit_leaf_payoffs(g2) == _gambit_leaf_payoffs(g)


@pytest.mark.parametrize("text,where,msg", [
    ("EFG 2 R \"x\" { \"a\" }\np \"\" 2 1 \"i\" { \"l\" } 0\n", (2, 6), "out of range"),
    ("EFG 2 R \"x\" { \"a\" }\nc \"\" 1 \"\" { \"h\" 1/2 \"t\" 1/3 } 0\nt \"\" 1 \"\" { 1 }\nt \"\" 2 \"\" { 2 }\n",
     (2, 6), "sum to 5/6"),
    ("EFG 2 R \"x\" { \"a\" }\np \"\" 1 1 \"i\" { \"l\" \"r\" } 0\nt \"\" 1 \"\" { 1 }\n", None, "ends before"),
    ("EFG 2 R \"x\" { \"a\" }\nt \"\" 1 \"\" { 1 2 }\n", (2, 6), "2 payoffs for 1 players"),
    ("NFG 1 R \"x\" { \"a\" }\n", (1, 1), "expected 'EFG'"),
    ("EFG 2 R \"x\" { \"a\" }\nt \"\" 1 \"\" { 1 } @\n", (2, 17), "unexpected character"),
])
def test_efg_errors_have_line_and_column(text, where, msg):
    with pytest.raises(SpecError) as e:
        read_efg(text, "bad.efg")
    d = e.value.diagnostics[0]
    assert d.code == "E301" and msg in d.message
    if where is not None:
        assert (d.span.line, d.span.column) == where
    assert d.span.file == "bad.efg"


def test_model_from_efg():
    m = model_from_efg((DATA / "entry.efg").read_text(), "entry.efg")
    assert m.name == "Entry deterrence"
    assert [a.name for a in m.agents] == ["Entrant", "Incumbent"]
    assert m.agents[1].actions == ("fight", "accommodate")
    assert m.protocol.num_nodes == 5
