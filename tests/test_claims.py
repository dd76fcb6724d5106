"""Claimed game vs actual game (issue 14): ``is_a(CLASS)``.

The oracle is the textbook ordinal form of symmetric 2x2 games, written
independently of the checker's signature-based definitions: with actions
(C, D) and the row payoffs R = u(C,C), S = u(C,D), T = u(D,C), P = u(D,D),

* prisoner's dilemma:  T > R > P > S
* stag hunt:           R > T, P > S, R > P and (P - S) > (R - T)   (risk dominance)
* coordination:        R > T and P > S
* chicken:             T > R, S > P, T > S and R > P  (crash (D,D) worst)
* zero-sum:            never, for a symmetric game, unless every payoff is 0
"""

from __future__ import annotations

import itertools
import random

import pytest

import verigroup

CLASSES = ("prisoners_dilemma", "social_dilemma", "stag_hunt", "coordination", "chicken",
           "battle_of_the_sexes", "zero_sum", "constant_sum")


def sym_spec(R: int, S: int, T: int, P: int) -> str:
    lines = ["game g", "agents row, col: actions C, D"]
    for me, other in (("row", "col"), ("col", "row")):
        lines.append(f"payoff {me} = ({R} if {other} == C else {S}) if {me} == C else "
                     f"({T} if {other} == C else {P})")
    for c in CLASSES:
        lines.append(f'property "{c}": is_a({c})')
    return "\n".join(lines) + "\n"


def oracle(R: int, S: int, T: int, P: int) -> dict[str, bool]:
    pd = T > R > P > S
    return {
        "prisoners_dilemma": pd, "social_dilemma": pd,
        "stag_hunt": R > T and P > S and R > P and (P - S) > (R - T),
        "coordination": R > T and P > S,
        "chicken": T > R and S > P and T > S and R > P,
        "battle_of_the_sexes": False,  # symmetric games with matching equilibria never disagree
        "zero_sum": R == S == T == P == 0,
        "constant_sum": (2 * R == S + T == 2 * P),
    }


CASES = [tuple(random.Random(k).randint(0, 5) for _ in range(4)) for k in range(60)]
CASES += [(3, 0, 5, 1), (4, 0, 3, 3), (4, 0, 3, 2), (0, -1, 1, -10), (2, 0, 3, 1)]


@pytest.mark.parametrize("R,S,T,P", CASES)
def test_symmetric_2x2_classes_match_the_ordinal_definitions(R: int, S: int, T: int, P: int) -> None:
    rep = verigroup.parse(sym_spec(R, S, T, P), "g.vg").check()
    got = {r.name: r.verdict.value == "HOLDS" for r in rep.results}
    assert got == oracle(R, S, T, P), (R, S, T, P)
    for r in rep.results:
        assert set(r.evidence["actual"]) == {c for c, v in oracle(R, S, T, P).items() if v}
        if r.verdict.value == "VIOLATED":
            assert r.evidence["failed"] and r.evidence["claimed"] == r.name


def test_battle_of_the_sexes_and_matching_pennies() -> None:
    bos = """game bos
agents row, col: actions opera, football
payoff row = (3 if col == opera else 0) if row == opera else (2 if col == football else 0)
payoff col = (2 if row == opera else 0) if col == opera else (3 if row == football else 0)
property "bos": is_a(battle_of_the_sexes)
property "coord": is_a(coordination)
property "chicken": is_a(chicken)
"""
    got = {r.name: r.verdict.value for r in verigroup.parse(bos, "b.vg").check().results}
    assert got == {"bos": "HOLDS", "coord": "HOLDS", "chicken": "VIOLATED"}
    mp = """game mp
agents row, col: actions heads, tails
payoff row = 1 if row == col else -1
payoff col = -payoff(row)
property "zs": is_a(zero_sum)
property "pd": is_a(prisoners_dilemma)
"""
    res = {r.name: r for r in verigroup.parse(mp, "m.vg").check().results}
    assert res["zs"].verdict.value == "HOLDS"
    assert res["pd"].verdict.value == "VIOLATED" and res["pd"].evidence["facts"]["pure_equilibria"] == []


def test_n_player_social_dilemma() -> None:
    # linear public goods: withholding strictly dominant iff r < n; all-withhold dominated iff r > 1
    for r, want in (("2", "HOLDS"), ("1", "VIOLATED"), ("4", "VIOLATED")):
        spec = f"""game pg
param r = {r}
agents a[1..3]: actions contribute, withhold
payoff a[i] = r * count(j: a[j] == contribute) / 3 - (1 if a[i] == contribute else 0)
property "dilemma": is_a(social_dilemma)
"""
        (res,) = verigroup.parse(spec, "p.vg").check().results
        assert res.verdict.value == want, r


@pytest.mark.parametrize("body,needle", [
    ("is_a(stag_hunts)", "did you mean"),
    ("is_a(stag_hunt, chicken)", "takes one game class"),
    ("strictly is_a(stag_hunt)", "takes no"),
])
def test_bad_claims_are_positioned_errors(body: str, needle: str) -> None:
    from verigroup.diagnostics import SpecError

    spec = f"""game g
agents row, col: actions C, D
payoff row = 1
payoff col = 1
property "c": {body}
"""
    with pytest.raises(SpecError) as e:
        verigroup.parse(spec, "g.vg")
    text = e.value.render()
    assert "g.vg:5:" in text and needle in text.lower()
