"""Weak rankings and approval ballots (issue 11, SOCIAL3).

* the ballot spaces are exactly the weak orders / dichotomous ballots
  (counted by the ordered Bell numbers / 2^m - 1);
* the vectorised rules equal the plain-Python definitions on every
  anonymous profile, and pref_voting's ProfileWithTies (symmetric Borda,
  Copeland) on sampled profiles;
* the audit's verdicts and smallest electorate equal a brute force over
  ordered profiles of weak ballots;
* counterexamples replay; rules not defined on ties are refused (E608).
"""

from __future__ import annotations

import itertools
import json
import random

import numpy as np
import pytest

from verigroup.diagnostics import SpecError
from verigroup.elections import audit
from verigroup.elections.ballots import ballot_space, gains, weak_outcome
from verigroup.elections.profiles import anonymous_profiles
from verigroup.elections.rules import make_rule

RULES = ("plurality", "approval", "borda", "copeland", "maximin")


def test_ballot_counts() -> None:
    assert [ballot_space(m, "weak").size for m in (2, 3, 4, 5)] == [3, 13, 75, 541]   # ordered Bell numbers
    assert [ballot_space(m, "approval").size for m in (2, 3, 4)] == [3, 7, 15]
    sp = ballot_space(3, "weak")
    names = {tuple(sp.ranking_names(r)) for r in range(sp.size)}
    assert ("a=b=c",) in names and ("b", "a=c") in names and ("a", "b", "c") in names and len(names) == 13


@pytest.mark.parametrize("kind", ["weak", "approval"])
@pytest.mark.parametrize("rule", RULES)
def test_rules_match_definitions(rule: str, kind: str) -> None:
    for m in (2, 3, 4):
        sp = ballot_space(m, kind)
        lib = make_rule(rule, m, ballots=kind)
        for n in range(1, 4 if m < 4 else 3):
            prof = anonymous_profiles(n, sp.size)
            out = lib.outcomes(prof.counts, prof.seqs, sp)
            for i in range(prof.size):
                ballots = [sp.tiers[q] for q in prof.seqs[i]]  # type: ignore[attr-defined]
                assert int(out[i]) == weak_outcome(rule, ballots, m), (rule, kind, ballots)


@pytest.mark.parametrize("rule", ["borda", "copeland"])
def test_against_pref_voting_profile_with_ties(rule: str) -> None:
    pytest.importorskip("pref_voting")
    from pref_voting import c1_methods, scoring_methods
    from pref_voting.profiles_with_ties import ProfileWithTies

    method = scoring_methods.borda_for_profile_with_ties if rule == "borda" else c1_methods.copeland
    rng = random.Random(11)
    for m in (3, 4):
        sp = ballot_space(m, "weak")
        lib = make_rule(rule, m, ballots="weak")
        for _ in range(80):
            n = rng.randint(1, 7)
            seq = sorted(rng.randrange(sp.size) for _ in range(n))
            counts = np.zeros((1, sp.size), dtype=np.int64)
            for q in seq:
                counts[0, q] += 1
            from verigroup.elections.rules import winner_sets

            mine = set(np.nonzero(winner_sets(lib, counts, sp)[0])[0].tolist())
            rankings = [{x: k + 1 for k, tier in enumerate(sp.tiers[q]) for x in tier}  # type: ignore[attr-defined]
                        for q in seq]
            theirs = set(method(ProfileWithTies(rankings, candidates=list(range(m)))))
            assert mine == theirs, (rule, [sp.ranking_names(q) for q in seq])


def brute_first_violation(rule: str, axiom: str, kind: str, m: int, N: int) -> int | None:
    sp = ballot_space(m, kind)
    ballots = list(sp.tiers)  # type: ignore[attr-defined]
    f = lambda p: weak_outcome(rule, p, m)  # noqa: E731
    for n in range(1, N + 1):
        for p in itertools.product(ballots, repeat=n):
            o = f(list(p))
            if axiom == "strategyproofness":
                bad = any(gains(p[i], f(list(p[:i]) + [b] + list(p[i + 1:])), o) for i in range(n) for b in ballots)
            elif axiom == "participation":
                bad = n >= 2 and any(gains(p[i], f(list(p[:i]) + list(p[i + 1:])), o) for i in range(n))
            elif axiom == "pareto":
                bad = any(all(gains(t, y, o) for t in p) for y in range(m))
            else:
                raise KeyError(axiom)
            if bad:
                return n
    return None


@pytest.mark.parametrize("kind", ["weak", "approval"])
@pytest.mark.parametrize("rule", ["borda", "plurality", "copeland", "approval"])
def test_verdicts_match_brute_force(rule: str, kind: str) -> None:
    axioms = ("strategyproofness", "participation", "pareto")
    res = audit(rule, 3, 3, axioms, ballots=kind)
    for r in res.results:
        first = brute_first_violation(rule, r.axiom, kind, 3, 3)
        if first is None:
            assert r.verdict.value == "HOLDS", (rule, kind, r.axiom, r.counterexample)
        else:
            assert r.verdict.value == "VIOLATED" and r.counterexample is not None, (rule, kind, r.axiom)
            assert r.counterexample["voters"] == first


def test_approval_on_dichotomous_ballots_is_strategyproof_and_condorcet() -> None:
    # dichotomous preferences: approval voting is strategyproof (Brams & Fishburn) and, ties
    # aside, elects a Condorcet winner; the audit finds both over every profile of 1..4 voters
    res = audit("approval", 4, 3, ("strategyproofness", "condorcet-winner"), ballots="approval").results
    assert [r.verdict.value for r in res] == ["HOLDS", "HOLDS"]
    # borda on weak ballots is manipulable
    assert audit("borda", 3, 3, ("strategyproofness",), ballots="weak").results[0].verdict.value == "VIOLATED"


def test_unknown_where_undefined_and_refusals() -> None:
    res = audit("borda", 2, 3, ("monotonicity", "non-dictatorship"), ballots="weak").results
    assert all(r.verdict.value == "UNKNOWN" and "strict rankings" in r.detail for r in res)
    for rule in ("irv", "kemeny", "dictatorship", "random-dictatorship"):
        with pytest.raises(SpecError) as exc:
            audit(rule, 2, 3, ("pareto",), ballots="weak")
        assert exc.value.diagnostics[0].code == "E608"


def test_weak_counterexamples_replay(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    res = cli("axioms", "--rule", "borda", "--voters", "3", "--alternatives", "3", "--ballots", "weak",
              "--axiom", "strategyproofness", "--axiom", "iia", "--axiom", "neutrality", "--format", "json")
    assert res.code == 1
    doc = json.loads(res.out)
    assert doc["ballots"] == "weak"
    cex = doc["axioms"]["strategyproofness"]["counterexample"]
    assert any("=" in x for e in [*cex["profile"], *cex["manipulated_profile"]] for x in e["ranking"]) or \
        any("=" in x for x in cex["misreport"])
    p = tmp_path / "w.json"
    p.write_text(res.out)
    rep = cli("replay", str(p))
    assert rep.code == 0, rep.out
    # tampered: the misreport becomes the truth, nothing is gained
    cex["misreport"] = cex["manipulator"]["ranking"]
    p.write_text(json.dumps(doc))
    assert cli("replay", str(p)).code != 0


CORPUS = "tests/data/evidence_corpus/social3_weak_ballots.vg"


def test_spec_weak_and_approval_ballots() -> None:
    import verigroup

    rep = verigroup.load(CORPUS).check(timeout=60)
    res = {r.name: r for r in rep.results}
    steer = res["no judge can steer"]
    assert steer.verdict.value == "VIOLATED" and steer.evidence["ballots_outcome"] == "a1"
    assert steer.evidence["ballots"] == "2x a1>a2=a3, 2x a2>a3>a1, 1x a3=a1>a2"
    want = audit("borda", 5, 3, ("strategyproofness",), exact=True, names=("a1", "a2", "a3"), ballots="weak")
    assert want.results[0].verdict.value == "VIOLATED"
    assert res["approval is strategyproof on dichotomous preferences"].verdict.value == "HOLDS"


@pytest.mark.parametrize("change,code,fragment", [
    (("    ballots weak\n", ""), "E601", "ballots weak"),                        # a tie in a strict election
    (("    ballots approval\n    rule approval\n", "    ballots approval\n    rule irv\n"), "E608", "irv"),
    (("ballot 2: a1, a2", "ballot 2: a1 > a2 > a3"), "E601", "two tiers"),
    (("ballot 2: a1 > a2 = a3", "ballot 2: a1 > a2"), "E601", "missing `a3`"),
    (("    ballots weak\n", "    ballots weal\n"), "E605", "did you mean `weak`"),
    (("ballot 2: a1, a2", "ballot 2: a1 > a2, a3"), "E601", "commas only"),
])
def test_bad_ballots_are_positioned(change: tuple[str, str], code: str, fragment: str) -> None:
    import verigroup
    from pathlib import Path

    text = Path(CORPUS).read_text()
    assert change[0] in text
    with pytest.raises(SpecError) as exc:
        verigroup.parse(text.replace(change[0], change[1], 1), "w.vg")
    d = exc.value.diagnostics[0]
    assert d.code == code and fragment in d.message + (d.hint or ""), (d.code, d.message, d.hint)
    assert d.span.line > 1
