"""``best_response(AGENT, φ)`` on protocols (issue 14 item 1): "honest play is a
best response against every liar".

The verdict is compared with a brute force written here (unreduced pure
strategies, payoffs by walking the tree) on generated small protocols
(imperfect information, zero-probability chance outcomes, ties included);
the debate example gives a HOLDS and a VIOLATED case; evidence replays and a
tampered report is caught; bad input gets positioned errors; the size guard
gives UNKNOWN with the count.
"""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction as F
from pathlib import Path
from typing import Any

import pytest

import verigroup
from verigroup.analyses import best_response as BR
from verigroup.cli.main import main
from verigroup.diagnostics import SpecError
from verigroup.extensive import plays as PL
from verigroup.extensive.tree import CHANCE_NODE, TERMINAL, GameTree, TreeBuilder
from verigroup.replay import replay_file
from verigroup.verdicts import Verdict

ROOT = Path(__file__).resolve().parent.parent
DEBATE = ROOT / "specs/protocols/debate_best_response.vg"
BLIND = ROOT / "tests/data/evidence_corpus/br_blind_debater.vg"


# ------------------------------------------------------------ brute force


def _walk_value(tree: GameTree, choice: dict[int, int], agent: int) -> F:
    total, stack = F(0), [(0, F(1))]
    while stack:
        v, pr = stack.pop()
        if tree.kind[v] == TERMINAL:
            total += pr * tree.payoff(v)[agent]
        elif tree.kind[v] == CHANCE_NODE:
            stack += [(c, pr * p) for c, p in zip(tree.children(v), tree.probs(v)) if p != 0]
        else:
            stack.append((tree.first_child[v] + choice[tree.payload[v]], pr))
    return total


def _honest(tree: GameTree, choice: dict[int, int], agent: int, phi: Any) -> bool:
    stack = [[0]]
    while stack:
        path = stack.pop()
        v = path[-1]
        if tree.kind[v] == TERMINAL:
            if any(not PL.holds(tree, u, phi) for u in path):
                return False
            continue
        kids = list(tree.children(v))
        if tree.kind[v] == CHANCE_NODE:
            kids = [c for c, p in zip(kids, tree.probs(v)) if p != 0]
        elif tree.infoset_player[tree.payload[v]] == agent:
            kids = [tree.first_child[v] + choice[tree.payload[v]]]
        stack += [path + [c] for c in kids]
    return True


def brute_force(tree: GameTree, agent: int, phi: Any) -> bool:
    def pure(players: list[int]) -> list[dict[int, int]]:
        sets = [i for i in range(tree.num_infosets) if tree.infoset_player[i] in players]
        return [dict(zip(sets, a)) for a in itertools.product(*[range(len(tree.infoset_actions[i])) for i in sets])]

    mine = pure([agent])
    others = pure([p for p in range(tree.num_players) if p != agent])
    table = [[_walk_value(tree, {**t, **s}, agent) for t in others] for s in mine]
    best = [max(table[s][k] for s in range(len(mine))) for k in range(len(others))]
    return any(_honest(tree, s, agent, phi) and all(table[j][k] == best[k] for k in range(len(others)))
               for j, s in enumerate(mine))


def random_tree(rng: random.Random) -> GameTree:
    """chance (maybe a zero-probability outcome) -> a -> b -> (maybe a again)
    with random visibility (perfect recall kept) and small integer payoffs."""
    b = TreeBuilder(["a", "b"], allow_idle_players=True)
    a_sees_x, b_sees_x, b_sees_a, a2 = (rng.random() < 0.5 for _ in range(4))
    a_sees_b = rng.random() < 0.5
    probs = rng.choice([(F(1, 2), F(1, 2)), (F(1, 3), F(2, 3)), (F(0), F(1)), (F(1), F(0))])
    na = 2 if a2 else rng.choice([2, 3])
    if a2 and a_sees_x:  # keep the brute force small (at most ~1,000 strategy pairs)
        a_sees_b = False

    def leaf() -> int:
        return b.terminal([rng.randint(-2, 2), rng.randint(-2, 2)])

    chance_kids = []
    for x in ("x0", "x1"):
        a_kids = {}
        for am in ["L", "R", "M"][:na]:
            b_kids = {}
            for bm in ("l", "r"):
                if a2:
                    key = ("a2", x if a_sees_x else None, am, bm if a_sees_b else None)
                    b_kids[bm] = b.decision("a", key, {"u": leaf(), "d": leaf()})
                else:
                    b_kids[bm] = leaf()
            key_b = ("b", x if b_sees_x else None, am if b_sees_a else None)
            a_kids[am] = b.decision("b", key_b, b_kids)
        chance_kids.append(b.decision("a", ("a1", x if a_sees_x else None), a_kids))
    root = b.chance([("x0", probs[0], chance_kids[0]), ("x1", probs[1], chance_kids[1])])
    return b.build(root)


def random_phi(rng: random.Random) -> Any:
    end = PL.NotP(PL.AtEnd())
    return rng.choice([
        PL.OrP((end, PL.PayoffCmp("a", ">=", F(rng.randint(-2, 1))))),
        PL.NotP(PL.MoveIs(rng.choice(["L", "R"]), "a")),
        PL.OrP((PL.NotP(PL.MoveIs("x0", "chance")), PL.NotP(PL.MoveIs("R", "a")))),
        PL.OrP((end, PL.PayoffCmp("b", "<=", F(rng.randint(-1, 2))))),
        PL.TrueP(),
    ])


@pytest.mark.parametrize("seed", range(40))
def test_verdict_agrees_with_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    tree = random_tree(rng)
    phi = random_phi(rng)
    for agent in ("a", "b"):
        verdict, _, ev = BR.decide(tree, agent, phi)
        want = brute_force(tree, tree.players.index(agent), phi)
        assert verdict is (Verdict.HOLDS if want else Verdict.VIOLATED), (seed, agent, ev)
        if verdict is Verdict.VIOLATED and ev["kind"] == "honest_not_best":
            assert F(ev["gain"]) > 0 and F(ev["better_payoff"]) - F(ev["honest_payoff"]) == F(ev["gain"])


THREE = """game three "a claimant, a challenger and a judge"
agents alice, bob, judge
protocol:
    chance x: zero 1/4, one 3/4
    claim: alice chooses zero, one
    challenge: bob chooses none, check sees claim
    ruling: judge chooses accept, reject sees claim, challenge
let honest = (x == zero and claim == zero) or (x == one and claim == one)
payoff alice = (2 if claim == one else 1) * (1 if ruling == accept else 0) - (3 if challenge == check and not honest else 0)
payoff bob = (1 if challenge == check and not honest else 0) - (1/2 if challenge == check else 0)
payoff judge = 1 if (ruling == accept) == honest else 0
"""
THREE_PROPS = {
    "alice": "not end or (x == zero and claim == zero) or (x == one and claim == one)",
    "bob": "challenge != check",
    "judge": "ruling == accept or not end",
}


@pytest.mark.parametrize("agent", sorted(THREE_PROPS))
def test_three_agents_agree_with_brute_force(agent: str) -> None:
    model = verigroup.parse(THREE + f'property "p": best_response({agent}, {THREE_PROPS[agent]})\n')
    tree = model.protocol
    phi = model.properties[0].phi  # type: ignore[union-attr]
    want = brute_force(tree, tree.players.index(agent), phi)
    got = model.check(timeout=60).results[0]
    assert got.verdict is (Verdict.HOLDS if want else Verdict.VIOLATED), got.evidence


@pytest.mark.parametrize("seed", range(10))
def test_reduced_strategies_are_counted_exactly(seed: int) -> None:
    tree = random_tree(random.Random(seed))
    # every reduced strategy is distinct and extends to at least one unreduced one
    for p in range(2):
        sets, strats = BR.reduced_strategies(tree, p, 10_000)
        assert len(set(strats)) == len(strats) >= 1
        assert all(len(s) == len(sets) for s in strats)
        assert BR.count_reduced(tree, p) == len(strats)


# ------------------------------------------------------------ the debate


def _results(path: Path) -> dict[str, Any]:
    rep = verigroup.load(path).check(timeout=60)
    return {r.name: r for r in rep.results}


def test_debate_holds_and_violated_with_evidence() -> None:
    res = _results(DEBATE)
    bob = res["honest Bob is a best response to every Alice"]
    assert bob.verdict is Verdict.HOLDS
    assert bob.evidence["honest"] == {"answer | x=zero, claim=zero": "zero", "answer | x=zero, claim=one": "zero",
                                      "answer | x=one, claim=zero": "one", "answer | x=one, claim=one": "one"}
    alice = res["honest Alice is a best response to every Bob"]
    assert alice.verdict is Verdict.VIOLATED
    ev = alice.evidence
    assert ev["kind"] == "honest_not_best"
    assert ev["honest"] == {"claim | x=zero": "zero", "claim | x=one": "one"}
    # hand computation: against a Bob who never disputes a `one`, lying `one`
    # when x = zero wins 1 instead of 0; honest Alice's best is 1/2 overall.
    assert (ev["honest_payoff"], ev["better_payoff"], ev["gain"]) == ("1/2", "1", "1/2")
    assert ev["better"] == {"claim | x=zero": "one", "claim | x=one": "one"}


def test_no_honest_strategy() -> None:
    res = _results(BLIND)
    r = res["a blind Alice has an honest best response"]
    assert r.verdict is Verdict.VIOLATED and r.evidence["kind"] == "no_honest_strategy"
    assert r.evidence["honest_strategies"] == 0


def _report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.vg").write_text(spec.read_text())
    main(["check", "s.vg", "--format", "json", "-o", "report.json"])
    return tmp_path / "report.json"


@pytest.mark.parametrize("spec", [DEBATE, BLIND], ids=["debate", "blind"])
def test_replay_confirms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: Path) -> None:
    r = replay_file(_report(tmp_path, monkeypatch, spec))
    assert r.ok, r.render()
    assert any("exact tree walks" in f.detail or "allows a play violating" in f.detail for f in r.findings)


@pytest.mark.parametrize("field,value", [("gain", "1"), ("better", {"claim | x=zero": "zero", "claim | x=one": "one"}),
                                         ("honest", {"claim | x=zero": "one", "claim | x=one": "one"})])
def test_replay_catches_tampering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, value: Any) -> None:
    path = _report(tmp_path, monkeypatch, DEBATE)
    data = json.loads(path.read_text())
    for r in data["reports"][0]["properties"]:
        if r["verdict"] == "VIOLATED":
            r["evidence"][field] = value
    path.write_text(json.dumps(data))
    assert not replay_file(path).ok


def test_replay_catches_a_false_holds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _report(tmp_path, monkeypatch, DEBATE)
    data = json.loads(path.read_text())
    for r in data["reports"][0]["properties"]:
        if r["verdict"] == "HOLDS":  # a lying Bob named as the honest best response
            r["evidence"]["honest"] = {k: "one" for k in r["evidence"]["honest"]}
    path.write_text(json.dumps(data))
    assert not replay_file(path).ok


# ------------------------------------------------------------ guard, bad input

HEAD = """game g "t"
agents alice, bob
protocol:
    chance x: zero 1/2, one 1/2
    claim: alice chooses zero, one
    answer: bob chooses zero, one
payoff alice = 1 if answer == one else 0
payoff bob = 1 if (answer == zero and claim == zero) or (answer == one and claim == one) else 0
"""


def test_size_guard_is_unknown_with_the_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BR, "MAX_PAIRS", 10)
    rep = verigroup.parse(HEAD + 'property "p": best_response(alice, not end or claim == zero)\n').check(timeout=60)
    r = rep.results[0]
    assert r.verdict is Verdict.UNKNOWN and r.evidence["strategy_pairs"] == 4 * 16 > 10
    assert "E202" in r.message and "64" in r.message


def test_case_study_debate_is_refused_with_the_exact_count() -> None:
    lines = (ROOT / "case_studies/debate/debate.vg").read_text().splitlines()
    text = "\n".join(ln for ln in lines if not ln.startswith("property")) + (
        '\nproperty "p": best_response(alice, not end or (((x1 == zero and claim1 == zero) or (x1 == one and '
        'claim1 == one)) and ((x2 == zero and claim2 == zero) or (x2 == one and claim2 == one))))\n')
    r = verigroup.parse(text).check(timeout=60).results[0]
    # alice: 4 chance outcomes x (2 claim1 x 2 claim2 per outcome) = 4^4 = 256 reduced strategies;
    # bob: 3 moves at each of 16 information sets; the judge has one move
    assert r.verdict is Verdict.UNKNOWN and r.evidence["strategy_pairs"] == 256 * 3 ** 16


@pytest.mark.parametrize("prop,code,col", [
    ("best_response(carol, not end)", "E101", 29),
    ("best_response(alice)", "E103", 15),
    ("best_response(alice, claim == maybe)", "E104", 45),
    ("best_response(alice, payoff(alice) + 1)", "E110", 36),
])
def test_bad_input_is_positioned(prop: str, code: str, col: int) -> None:
    with pytest.raises(SpecError) as exc:
        verigroup.parse(HEAD + f'property "p": {prop}\n', "s.vg")
    d = exc.value.diagnostics[0]
    assert d.code == code, exc.value.render()
    assert exc.value.render().startswith(f"s.vg:9:{col}:")


def test_combines_with_other_properties() -> None:
    rep = verigroup.parse(HEAD + 'property "p": best_response(alice, not end) implies best_response(bob, answer == one)\n'
                          ).check(timeout=60)
    # every play ends, so `always not end` has no honest strategy: the premise fails
    assert rep.results[0].verdict is Verdict.HOLDS


def test_needs_a_protocol() -> None:
    text = """game g "t"
agents a, b: actions x, y
payoff a = 1
payoff b = 1
property "p": best_response(a, not end)
"""
    with pytest.raises(SpecError) as exc:
        verigroup.parse(text, "s.vg")
    assert "s.vg:5:" in exc.value.render() and "protocol" in exc.value.render()
