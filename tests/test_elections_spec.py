"""Elections in the spec language: `election NAME:` sections checked by
`verigroup check`, tie-breaking by the declared order, positioned errors."""

from __future__ import annotations

import pytest

import verigroup
from verigroup.diagnostics import SpecError

BASE = """election e:
    alternatives a, b, c
    voters {n}
    rule {rule}
{extra}    property "p": {axioms}
"""


def check(text: str):  # type: ignore[no-untyped-def]
    return verigroup.parse(text, "e.vg").check(timeout=60)


def test_case_study_spec(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("check", "case_studies/judge_ensemble/judges.vg", "--format", "json")
    assert res.code == 1
    import json

    props = {p["name"]: p for p in json.loads(res.out)["reports"][0]["properties"]}
    steer = props["no judge can steer the verdict"]
    assert steer["verdict"] == "VIOLATED" and steer["evidence"]["ballots_outcome"] == "a1"
    assert props["never a Condorcet loser, never a dominated answer"]["verdict"] == "HOLDS"


def test_verdicts_match_the_axioms_command() -> None:
    from verigroup.elections import audit

    for rule, axiom in (("plurality", "condorcet-loser"), ("borda", "condorcet-loser"), ("irv", "monotonicity"),
                        ("copeland", "condorcet-winner"), ("dictatorship", "non-dictatorship")):
        rep = check(BASE.format(n=3, rule=rule, extra="", axioms=axiom))
        want = audit(rule, 3, 3, (axiom,), exact=True).results[0].verdict
        assert rep.results[0].verdict == want, (rule, axiom)


def test_tiebreak_is_the_declared_order() -> None:
    tie = "    ballot: a > b > c\n    ballot: b > a > c\n"
    first = check(BASE.format(n=2, rule="plurality", extra=tie, axioms="pareto"))
    assert first.results[0].evidence["ballots_outcome"] == "a"
    other = check(BASE.format(n=2, rule="plurality", extra="    tiebreak b, a, c\n" + tie, axioms="pareto"))
    assert other.results[0].evidence["ballots_outcome"] == "b"


def test_election_only_spec_and_mixed_spec() -> None:
    rep = check(BASE.format(n=3, rule="borda", extra="", axioms="pareto, condorcet-loser"))
    assert rep.results[0].verdict.value == "HOLDS"
    mixed = ("agents x, y: actions c, d\npayoff x = 1\npayoff y = 1\n"
             'property "eq": exists nash\n' + BASE.format(n=3, rule="borda", extra="", axioms="pareto"))
    assert [r.verdict.value for r in check(mixed).results] == ["HOLDS", "HOLDS"]


@pytest.mark.parametrize("extra,rule,axioms,code,where", [
    ("    ballot 2: a > b > a\n", "borda", "pareto", "E602", "e.vg:5:23"),
    ("    ballot: a > b\n", "borda", "pareto", "E601", "e.vg:5:5"),
    ("    ballot 3: a > b > d\n", "borda", "pareto", "E601", "e.vg:5:23"),
    ("    tiebreak a, b\n", "borda", "pareto", "E603", "e.vg:5:5"),
    ("", "borda", "pareto, paretto", "E605", "e.vg:5:27"),
    ("", "bordaa", "pareto", "E605", "e.vg:4:10"),
    ("    colour red\n", "borda", "pareto", "E110", "e.vg:5:5"),
])
def test_bad_elections(extra: str, rule: str, axioms: str, code: str, where: str) -> None:
    with pytest.raises(SpecError) as e:
        verigroup.parse(BASE.format(n=3, rule=rule, extra=extra, axioms=axioms), "e.vg")
    text = e.value.render()
    assert f"{where}: error[{code}]" in text, text


def test_too_large_and_duplicates() -> None:
    with pytest.raises(SpecError) as e:
        verigroup.parse(BASE.format(n=200, rule="borda", extra="", axioms="pareto"), "e.vg")
    assert "E604" in e.value.render() and "e.vg:3:5" in e.value.render()
    with pytest.raises(SpecError) as e:
        verigroup.parse("election e:\n    alternatives a, b, a\n    voters 2\n    rule borda\n"
                        '    property "p": pareto\n', "e.vg")
    assert "e.vg:2:24: error[E602]" in e.value.render()


def test_user_defined_scoring_rule() -> None:
    from verigroup.elections import audit

    rep = check(BASE.format(n=3, rule="scoring", extra="    scores 3, 2, 0\n", axioms="condorcet-loser"))
    want = audit("scoring", 3, 3, ("condorcet-loser",), exact=True, scores=(3, 2, 0)).results[0].verdict
    assert rep.results[0].verdict == want
    with pytest.raises(SpecError) as e:
        verigroup.parse(BASE.format(n=3, rule="scoring", extra="", axioms="pareto"), "e.vg")
    assert "e.vg:4:5: error[E110]" in e.value.render()
