"""The protocol compiler: tree shape, information sets, exact payoffs, the
specs' known answers, export to .efg, and the CLI's SPE listing.

Expected values come from hand computation or from small brute-force
solvers written here, independent of the compiler."""

from __future__ import annotations

import io
import json
import re
from fractions import Fraction
from itertools import product
from pathlib import Path

import pytest

from verigroup import api
from verigroup.extensive.tree import CHANCE_NODE, DECISION, TERMINAL, GameTree
from verigroup.model.properties import RepeatedStrategyCheck
from verigroup.resolve import build_model

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs" / "protocols").glob("*.vg"))
EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*=\s*(HOLDS|VIOLATED|UNKNOWN)\s*$")


def tree_of(text: str) -> GameTree:
    t = build_model(text).protocol
    assert isinstance(t, GameTree)
    return t


def leaves_by_path(t: GameTree) -> dict[tuple[str, ...], tuple[Fraction, ...]]:
    return {t.path_moves(v): t.payoff(v) for v in t.terminals()}


def infoset_sizes(t: GameTree, player: str) -> list[int]:
    p = t.players.index(player)
    members = t.infoset_members()
    return sorted(len(members[i]) for i in t.infosets_of(p))


# ------------------------------------------------------------ shapes


def test_entry_deterrence_tree() -> None:
    t = tree_of((ROOT / "specs/protocols/entry_deterrence.vg").read_text())
    assert t.num_nodes == 5 and t.num_infosets == 2 and t.is_perfect_information
    assert leaves_by_path(t) == {
        ("stay_out",): (Fraction(0), Fraction(4)),
        ("enter", "fight"): (Fraction(-1), Fraction(-1)),
        ("enter", "accommodate"): (Fraction(2), Fraction(2)),
    }


def test_simultaneous_moves_share_an_information_set() -> None:
    text = """game g
agents alice, bob
protocol:
    alice chooses x, y
    bob chooses x, y sees nothing
payoff alice = 1 if alice == bob else 0
payoff bob = 1 if alice != bob else 0
"""
    t = tree_of(text)
    assert t.num_nodes == 7
    assert infoset_sizes(t, "bob") == [2] and infoset_sizes(t, "alice") == [1]
    assert leaves_by_path(t)[("x", "y")] == (Fraction(0), Fraction(1))


def test_family_statement_is_simultaneous() -> None:
    text = """game g
agents a[1..3]
protocol:
    a[i] chooses go, stay
payoff a[i] = count(j: a[j] == go) if a[i] == go else 1
"""
    t = tree_of(text)
    assert t.num_nodes == 1 + 2 + 4 + 8
    assert infoset_sizes(t, "a[3]") == [4] and infoset_sizes(t, "a[2]") == [2]
    assert leaves_by_path(t)[("go", "go", "stay")] == (Fraction(2), Fraction(2), Fraction(1))


def test_cheap_talk_information_sets() -> None:
    t = tree_of((ROOT / "specs/protocols/cheap_talk.vg").read_text())
    # chance -> monitor (sees the state) -> operator (sees only the message)
    assert t.num_nodes == 1 + 2 + 4 + 8
    assert infoset_sizes(t, "monitor") == [1, 1]
    assert infoset_sizes(t, "operator") == [2, 2]
    assert not t.is_perfect_information


def test_private_message_and_explicit_sees() -> None:
    text = """game g
agents s, r, e
protocol:
    s says hi, lo to r
    r chooses a, b
    e chooses a, b
payoff s = 0
payoff r = 0
payoff e = 0
"""
    t = tree_of(text)
    assert infoset_sizes(t, "r") == [1, 1]  # the receiver hears the message
    assert infoset_sizes(t, "e") == [2, 2]  # the eavesdropper sees r's move, not the message


def test_chance_probabilities_depend_on_history() -> None:
    text = """game g
agents seller, buyer
protocol:
    seller chooses good, bad
    chance signal: high (3/4 if seller == good else 1/4), low (1/4 if seller == good else 3/4)
    buyer chooses buy, pass sees signal
payoff seller = 1 if buyer == buy else 0
payoff buyer = (1 if seller == good else -1) if buyer == buy else 0
"""
    t = tree_of(text)
    probs = {t.path_moves(v): t.probs(v) for v in range(t.num_nodes) if t.kind[v] == CHANCE_NODE}
    assert probs == {("good",): (Fraction(3, 4), Fraction(1, 4)), ("bad",): (Fraction(1, 4), Fraction(3, 4))}
    assert infoset_sizes(t, "buyer") == [2, 2]


def test_repeated_pd_shape_and_payoffs() -> None:
    t = tree_of((ROOT / "specs/protocols/repeated_pd.vg").read_text())
    # per round: alice (1 node) + bob (2 nodes) per history; 4 outcomes per round
    assert t.num_nodes == 3 * (1 + 4 + 16) + 64
    assert infoset_sizes(t, "alice") == [1] * 21 and infoset_sizes(t, "bob") == [2] * 21
    paths = leaves_by_path(t)
    assert paths[("cooperate",) * 6] == (Fraction(9), Fraction(9))
    assert paths[("defect",) * 6] == (Fraction(3), Fraction(3))
    assert paths[("defect", "cooperate") + ("defect",) * 4] == (Fraction(7), Fraction(2))


def test_discounting_and_stop() -> None:
    text = """game g
agents alice
state stock = 2
protocol:
    repeat 3 rounds discount 1/2:
        alice chooses take, wait
        update stock = stock - (1 if alice == take else 0)
        stop if stock <= 0
payoff alice = 4 if alice == take else 0
"""
    t = tree_of(text)
    paths = leaves_by_path(t)
    assert paths[("take", "take")] == (Fraction(4 + 2),)  # stock exhausted after round 2
    assert paths[("wait", "take", "take")] == (Fraction(0 + 2 + 1),)
    assert paths[("wait", "wait", "wait")] == (Fraction(0),)
    assert len(paths) == 2 + 2 + 3  # take,take | take,wait,* | wait,take,* | wait,wait,*
    assert "stock = 0" in (t.state_label(next(v for v in t.terminals() if t.path_moves(v) == ("take", "take"))) or "")


def test_conditional_moves_and_labels() -> None:
    t = tree_of((ROOT / "specs/protocols/centipede.vg").read_text())
    assert t.num_nodes == 9 and t.num_infosets == 4
    labels = sorted(t.infoset_label(i) for i in range(t.num_infosets))
    assert labels[0] == "c1"


def test_model_payoffs_are_rational() -> None:
    t = tree_of((ROOT / "specs/protocols/sealed_bid.vg").read_text())
    for v in t.terminals():
        assert all(isinstance(x, Fraction) for x in t.payoff(v))
    assert any(x.denominator == 2 for v in t.terminals() for x in t.payoff(v))


# -------------------------------------------------- independent solutions


def _spe_set_commons(stock: int, r: int) -> set[tuple[Fraction, Fraction]]:
    """Pure-SPE payoff vectors of commons_stock.vg by direct recursion."""
    H = {"low": 1, "high": 2}

    def stage(s: int, a1: str, a2: str) -> tuple[tuple[Fraction, Fraction], int]:
        h1, h2 = H[a1], H[a2]
        tot = h1 + h2
        u = (Fraction(h1), Fraction(h2)) if tot <= s else (Fraction(s * h1, tot), Fraction(s * h2, tot))
        return u, min(4, 2 * max(0, s - tot))

    def cont(ns: int, left: int) -> set[tuple[Fraction, Fraction]]:
        return {(Fraction(0), Fraction(0))} if ns <= 0 or left == 0 else _spe_set_commons(ns, left)

    out = set()
    for a in product(H, H):
        u, ns = stage(stock, *a)
        for w in cont(ns, r - 1):
            tot = (u[0] + w[0], u[1] + w[1])
            ok = True
            for i in range(2):
                for b in H:
                    if b == a[i]:
                        continue
                    a2 = list(a)
                    a2[i] = b
                    u2, ns2 = stage(stock, a2[0], a2[1])
                    if u2[i] + min(x[i] for x in cont(ns2, r - 1)) > tot[i]:
                        ok = False
            if ok:
                out.add(tot)
    return out


def test_commons_spe_payoffs_match_brute_force() -> None:
    m = api.load(ROOT / "specs/protocols/commons_stock.vg")
    sol = api.solve_model(m, concept="spe")
    got = {(Fraction(d["f1"]), Fraction(d["f2"])) for d in sol.extra["payoff_set"]}
    assert got == _spe_set_commons(4, 3)


def test_stackelberg_beats_simultaneous_cournot() -> None:
    text = (ROOT / "specs/protocols/stackelberg.vg").read_text()
    lead = api.solve_model(build_model(text), concept="spe")
    assert [dict(e.payoffs) for e in lead.equilibria] == [{"leader": Fraction(18), "follower": Fraction(9)}]
    simult = text.replace("leader commits to q3 = 3, q4 = 4, q6 = 6", "leader chooses q3 = 3, q4 = 4, q6 = 6") \
                 .replace("follower chooses q3 = 3, q4 = 4, q6 = 6", "follower chooses q3 = 3, q4 = 4, q6 = 6 sees nothing")
    assert simult.count("sees nothing") == 1 and "commits to q" not in simult
    simult = "\n".join(line for line in simult.splitlines() if "credible" not in line)
    sol = api.solve_model(build_model(simult), concept="spe")
    # Cournot on {3, 4, 6} with P = 12 - Q: brute force the pure Nash equilibria.
    qs = (3, 4, 6)

    def pi(a: int, b: int) -> int:
        return a * (12 - a - b)

    ne = [(a, b) for a in qs for b in qs
          if pi(a, b) == max(pi(x, b) for x in qs) and pi(b, a) == max(pi(y, a) for y in qs)]
    assert ne == [(4, 4)]
    assert {tuple(e.payoffs.values()) for e in sol.equilibria} == {(Fraction(16), Fraction(16))}


# ------------------------------------------------------------ spec answers


def _expected(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        m = EXPECT.search(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.stem)
def test_spec_verdicts(path: Path) -> None:
    want = _expected(path)
    assert want
    rep = api.check(path)
    got = {r.name: r.verdict.value for r in rep.results}
    assert got == want


def test_discount_override_flips_grim_trigger() -> None:
    m = api.load(ROOT / "specs/protocols/discounted_pd.vg", {"delta": "2/5"})
    rep = api.check_model(m)
    got = {r.name: r.verdict.value for r in rep.results}
    assert got["grim trigger is an SPE at delta = 3/4"] == "VIOLATED"  # the spec default is 3/4; here delta = 2/5
    assert got["the grim trigger threshold is 1/2"] == "HOLDS"
    assert any(isinstance(p, RepeatedStrategyCheck) and p.delta == Fraction(2, 5) for p in m.properties)


# ------------------------------------------------------------ export, CLI


@pytest.mark.parametrize("name", ["entry_deterrence", "centipede", "cheap_talk", "repeated_pd"])
def test_efg_export_reads_back_in_pygambit(name: str) -> None:
    pygambit = pytest.importorskip("pygambit")
    from verigroup.io.efg import write_efg

    t = tree_of((ROOT / f"specs/protocols/{name}.vg").read_text())
    g = pygambit.read_efg(io.BytesIO(write_efg(t).encode()))
    assert [p.label for p in g.players] == list(t.players)
    assert len(g.terminal_nodes if hasattr(g, "terminal_nodes") else list(g.nodes)) >= 1
    total_infosets = sum(len(p.infosets) for p in g.players)
    assert total_infosets == t.num_infosets
    # every leaf's payoff survives the round trip (compare as multisets)
    ours = sorted(tuple(t.payoff(v)) for v in t.terminals())
    theirs = sorted(tuple(Fraction(str(n.outcome[p])) if n.outcome is not None else Fraction(0)
                          for p in g.players) for n in g.nodes if n.is_terminal)
    assert theirs == ours


def test_cli_solve_lists_spe_per_infoset() -> None:
    from verigroup.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    code = main(["solve", str(ROOT / "specs/protocols/entry_deterrence.vg"), "--concept", "spe",
                 "--format", "json"], out, err)
    assert code == 0, err.getvalue()
    doc = json.loads(out.getvalue())
    (eq,) = doc["equilibria"]
    assert eq["payoffs"] == {"entrant": "2", "incumbent": "2"}
    assert eq["strategies"] == {"entrant": {"entrant": "enter"},
                                "incumbent": {"incumbent | entrant=enter": "accommodate"}}


def test_kinds_of_nodes() -> None:
    t = tree_of((ROOT / "specs/protocols/sealed_bid.vg").read_text())
    kinds = {TERMINAL: 0, DECISION: 0, CHANCE_NODE: 0}
    for v in range(t.num_nodes):
        kinds[t.kind[v]] += 1
    assert kinds == {CHANCE_NODE: 1 + 6, DECISION: 2 + 12, TERMINAL: 36}
