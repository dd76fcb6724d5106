"""The verification stage (issue 14 item 1): ``AGENT verifies S1, S2 budget K cost C``.

Values are re-derived by hand (a judge guarantee and a babbling-liar bound
that meet), and the stage is checked against the hand-written desugaring of
``case_studies/debate/bounded_judge*.vg`` (a decision plus conditional chance
stages that reveal the hidden facts, the cost written into the payoff)."""

from __future__ import annotations

from fractions import Fraction as F
from itertools import combinations
from pathlib import Path

import pytest

import verigroup
from verigroup.diagnostics import SpecError
from verigroup.extensive.zerosum import zero_sum_value
from verigroup.resolve.verify_stage import subset_actions
from verigroup.syntax.fmt import format_spec
from verigroup.syntax.parser import parse_spec

DEBATE = Path(__file__).resolve().parent.parent / "case_studies" / "debate"

TINY = """\
game tiny "a judge who may verify a hidden bit at a cost"

agents liar, judge
param c = 1/10

protocol:
    chance x: zero 1/2, one 1/2
    claim: liar says zero, one
    check: judge verifies x cost c sees claim
    decide: judge chooses zero, one sees claim

payoff judge = 1 if (decide == zero and x == zero) or (decide == one and x == one) else 0
payoff liar = 1 - payoff(judge)
"""


def _model(text: str, c: F | None = None):  # type: ignore[no-untyped-def]
    if c is not None:
        text = text.replace("param c = 1/10", f"param c = {c}")
    return verigroup.parse(text, "t.vg")


def tiny_value_by_hand(c: F) -> F:
    """The judge's value in TINY.  Guarantee: verify and answer what is seen
    (1 - c), or never verify and answer `zero` (1/2 whatever the liar says).
    Bound: a liar whose claim ignores x leaves an unverifying judge at 1/2
    and a verifying one at 1 - c.  Both are max(1 - c, 1/2)."""
    guarantee = max(1 - c, F(1, 2))
    babbling = max(F(1, 2), 1 - c)  # best judge reply when claims carry no information
    assert guarantee == babbling
    return guarantee


@pytest.mark.parametrize("c", [F(0), F(1, 10), F(1, 2), F(3, 5), F(2)])
def test_tiny_judge_value_by_hand(c: F) -> None:
    z = zero_sum_value(_model(TINY, c).protocol)  # value for the first agent (the liar); the sum is 1
    assert z.total == 1
    assert 1 - z.value == tiny_value_by_hand(c), (c, z.value, z.method)


def test_tiny_structure_actions_information_and_cost() -> None:
    m = _model(TINY)
    t = m.protocol
    check_sets = [k for k, lab in enumerate(t.infoset_labels) if lab is not None and lab.startswith("check")]
    decide_sets = [lab for lab in t.infoset_labels if lab is not None and lab.startswith("decide")]
    assert {t.infoset_actions[k] for k in check_sets} == {("none", "x")}
    # the judge's decision: 2 claims without verifying; 2 claims x 2 facts after verifying x
    assert len(decide_sets) == 4 + 2
    assert sum("x=" in lab for lab in decide_sets) == 4
    # payoffs at the leaves: correct answer - c if verified; the liar gets 1 - that (sum 1)
    outs = {tuple(o) for o in t.outcomes}
    assert outs == {(F(0), F(1)), (F(1), F(0)), (F(1, 10), F(9, 10)), (F(11, 10), F(-1, 10))}


def test_verified_reads_the_choice_and_cost_is_automatic() -> None:
    # the same cost written by hand through verified(x) with cost 0 gives the same tree
    auto = _model(TINY).protocol
    by_hand = _model(TINY.replace("verifies x cost c", "verifies x cost 0")
                     .replace("else 0\n", "else 0) - c * verified(x)\n")
                     .replace("payoff judge = 1 if", "payoff judge = (1 if")).protocol
    assert auto.outcomes == by_hand.outcomes
    assert auto.infoset_labels == by_hand.infoset_labels


def _bounded_judge_with_stage(budget: int) -> str:
    """bounded_judge*.vg rewritten with the verification stage."""
    src = (DEBATE / "bounded_judge.vg").read_text()
    lines = []
    for line in src.splitlines():
        s = line.strip()
        if s.startswith("chance shown"):
            continue
        if s.startswith("verify:"):
            line = f"    verify: judge verifies x1, x2 budget {budget} cost c sees claim1, claim2"
        elif s.startswith("decide:"):
            line = "    decide: judge chooses same, differ sees claim1, claim2"
        elif s.startswith("payoff judge"):
            line = line.replace(" - (c if verify != none else 0)", "")
        lines.append(line)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fixed,budget,c", [(False, 1, F(1, 10)), (True, 2, F(1, 10)), (True, 2, F(3, 10))])
def test_same_value_as_the_hand_desugared_case_study(fixed: bool, budget: int, c: F) -> None:
    name = "bounded_judge_fixed.vg" if fixed else "bounded_judge.vg"
    ref = _model((DEBATE / name).read_text(), c).protocol
    new = _model(_bounded_judge_with_stage(budget), c).protocol
    zr, zn = zero_sum_value(ref), zero_sum_value(new)
    assert zr.value == zn.value and zr.total == zn.total == 1
    # the verification choices: subsets of at most `budget` of the two facts
    verify_sets = {new.infoset_actions[k] for k, lab in enumerate(new.infoset_labels)
                   if lab is not None and lab.startswith("verify")}
    assert verify_sets == {("none", "x1", "x2") + (("x1+x2",) if budget == 2 else ())}


@pytest.mark.parametrize("n,k", [(1, 0), (1, 1), (3, 2), (4, 4), (5, 3)])
def test_subset_actions(n: int, k: int) -> None:
    names = [f"s{i}" for i in range(n)]
    got = subset_actions(names, k)
    want = [pick for size in range(k + 1) for pick in combinations(range(n), size)]
    assert [p for _, p in got] == want
    assert got[0][0] == "none" and len({a for a, _ in got}) == len(got)
    assert all(a == "+".join(names[i] for i in p) for a, p in got[1:])


def _error(text: str) -> SpecError:
    with pytest.raises(SpecError) as ei:
        verigroup.parse(text, "bad.vg")
    return ei.value


# (the stage as written, code, words of the message, where the caret starts: the
# first occurrence of this text on the stage's line, or "" for the start of the stage)
BAD = [
    ("judge verifies x, claim cost c", "E142", "unbounded verification budget", ""),
    ("judge verifies x, claim budget 3 cost c", "E142", "unbounded verification budget", "3"),
    ("judge verifies x budget -1", "E142", "negative", "-1"),
    ("judge verifies x cost -1", "E142", "cost -1 is negative", "-1"),
    ("judge verifies x budget 1 cost c - 1", "E142", "cost -9/10 is negative", "c - 1"),
    ("judge verifies decide", "E142", "`decide` is not an earlier stage", "decide"),
    ("judge verifies check", "E142", "`check` is not an earlier stage", "check sees"),
    ("judge verifies nope", "E142", "`nope` is not an earlier stage", "nope"),
    ("judge verifies x, x budget 1", "E142", "named twice", " x budget"),
    ("judge verifies x bugdet 1", "E142", "unknown verification option", "bugdet"),
    ("judge verifies x budget 1 budget 1", "E142", "given twice", "budget 1 sees"),
    ("judge verifies x budget 1/2", "E142", "integer", "1/2"),
    ("judge verifies x cost decide", "E101", "undefined name `decide`", "decide"),
    ("ghost verifies x", "E101", "undefined agent", "ghost"),
]


@pytest.mark.parametrize("stage,code,words,at", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_positioned(stage: str, code: str, words: str, at: str) -> None:
    text = TINY.replace("check: judge verifies x cost c", "check: " + stage)
    err = _error(text)
    d = err.diagnostics[0]
    assert d.code == code and words in d.message, d
    line = text.splitlines()[8]
    col = (line.index(at) + 1 + (1 if at.startswith(" ") else 0)) if at else line.index("check") + 1
    assert (d.span.line, d.span.column) == (9, col), (d.span, line)
    assert d.render(text).startswith(f"bad.vg:9:{col}: error[{code}]")


def test_refusals_carry_hints() -> None:
    d = _error(TINY.replace("verifies x cost c", "verifies x, claim")).diagnostics[0]
    assert d.hint is not None and "budget 1" in d.hint
    d = _error(TINY.replace("verifies x cost c", "verifies x, claim budget 5")).diagnostics[0]
    assert d.hint is not None and "at most 2" in d.hint


def test_family_mover_and_verified_misuse() -> None:
    fam = TINY.replace("agents liar, judge", "agents liar, judge[1..2]").replace(
        "check: judge verifies", "check: judge verifies").replace("payoff judge =", "payoff judge[i] =")
    d = _error(fam.replace("    decide: judge chooses", "    decide: judge[1] chooses")).diagnostics
    assert any(x.code == "E142" and "one mover" in x.message for x in d)
    d = _error(TINY.replace("else 0\n", "else 0 + verified(claim)\n", 1)).diagnostics
    assert d[0].code == "E101" and "no verification stage can verify `claim`" in d[0].message
    assert d[0].hint is not None and "x" in d[0].hint
    d = _error(TINY.replace("else 0\n", "else 0 + verified(x, claim)\n", 1)).diagnostics
    assert d[0].code == "E103"


def test_verified_in_a_condition_must_read_an_earlier_stage() -> None:
    text = TINY.replace("    decide: judge chooses zero, one sees claim",
                        "    decide: judge chooses zero, one sees claim\n"
                        "    extra: liar says zero, one if verified(x) == 1")
    t = _model(text).protocol  # a later stage may read it
    assert "extra" in t.stage_names
    bad = TINY.replace("    claim: liar says zero, one", "    claim: liar says zero, one if verified(x) == 0")
    d = _error(bad).diagnostics
    assert d[0].code == "E111" and "comes later" in d[0].message


def test_budget_zero_and_cost_free_verification() -> None:
    # budget 0: only `none`, the judge learns nothing: value 1/2
    t = _model(TINY.replace("verifies x cost c", "verifies x budget 0 cost c")).protocol
    assert 1 - zero_sum_value(t).value == F(1, 2)
    # verifying both stages (budget 2 of 2) is allowed when written
    t = _model(TINY.replace("verifies x cost c", "verifies x, claim budget 2 cost c")).protocol
    acts = {t.infoset_actions[k] for k, lab in enumerate(t.infoset_labels) if lab and lab.startswith("check")}
    assert acts == {("none", "x", "claim", "x+claim")}
    assert 1 - zero_sum_value(t).value == F(9, 10)


def test_budget_and_cost_stay_ordinary_names() -> None:
    text = TINY.replace("param c = 1/10", "param cost = 1/10\nparam budget = 1").replace(
        "verifies x cost c", "verifies x budget budget cost cost")
    assert 1 - zero_sum_value(_model(text).protocol).value == F(9, 10)


def test_fmt_is_idempotent_and_keeps_the_ast() -> None:
    messy = TINY.replace("check: judge verifies x cost c sees claim",
                         "check:judge   verifies x,claim budget   1 cost 1/20   sees claim")
    out = format_spec(messy)
    assert "    check: judge verifies x, claim budget 1 cost 1/20 sees claim\n" in out
    assert format_spec(out) == out
    a, b = parse_spec(messy), parse_spec(out)
    assert repr(a.statements).count("VerifyStage") == repr(b.statements).count("VerifyStage") == 1


def _leaf_histories(t):  # type: ignore[no-untyped-def]
    """(stage -> move, payoffs) for every leaf, walked up the tree arrays."""
    from verigroup.extensive.tree import CHANCE_NODE, TERMINAL

    for n in range(t.num_nodes):
        if t.kind[n] != TERMINAL:
            continue
        hist, m = {}, n
        while t.parent[m] >= 0:
            p = t.parent[m]
            labels = (t.chance_labels if t.kind[p] == CHANCE_NODE else t.infoset_actions)[t.payload[p]]
            hist[t.stage_names[t.node_stage[p]]] = labels[t.move[m]]
            m = p
        yield hist, t.outcomes[t.payload[n]]


def test_every_leaf_pays_what_the_spec_says() -> None:
    """Every leaf of the rewritten bounded judge pays what the spec says,
    recomputed here from the leaf's history (facts, answer, verification)."""
    t = _model(_bounded_judge_with_stage(1)).protocol
    n = 0
    for hist, payoff in _leaf_histories(t):
        x1, x2, v, d = hist["x1"], hist["x2"], hist["verify"], hist["decide"]
        right = (d == "same") == (x1 == x2)
        assert payoff[1] == (1 if right else 0) - (F(1, 10) if v != "none" else 0)
        assert payoff[0] == 1 - payoff[1]
        n += 1
    assert n == 4 * 4 * 3 * 2  # facts x claims x verification x answer


def test_only_the_mover_learns_what_it_verified() -> None:
    text = TINY.replace("agents liar, judge", "agents liar, judge, w").replace(
        "    decide: judge chooses zero, one sees claim",
        "    decide: judge chooses zero, one sees claim\n    guess: w chooses zero, one sees claim, check") + \
        "payoff w = 1 if (guess == zero and x == zero) or (guess == one and x == one) else 0\n"
    t = _model(text).protocol
    guess = [lab for lab in t.infoset_labels if lab is not None and lab.startswith("guess")]
    decide = [lab for lab in t.infoset_labels if lab is not None and lab.startswith("decide")]
    assert len(guess) == 4 and not any("x=" in lab for lab in guess)  # claim x check, x unseen
    assert len(decide) == 6


def test_repeated_rounds_reveal_and_charge_each_round() -> None:
    text = TINY.replace("protocol:\n", "protocol:\n    repeat 2 rounds:\n").replace(
        "\n    chance x", "\n        chance x").replace("\n    claim:", "\n        claim:").replace(
        "\n    check:", "\n        check:").replace("\n    decide:", "\n        decide:")
    t = _model(text).protocol
    # 2 rounds, each worth max(1 - c, 1/2) = 9/10 to the judge; the sum is 2
    z = zero_sum_value(t)
    assert z.total == 2 and 2 - z.value == 2 * tiny_value_by_hand(F(1, 10))
