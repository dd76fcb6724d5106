"""The science-collaboration case study (case_studies/science_collab) by hand.

Two research agents each hold a result; each replicates the other's or
produces a second result.  The credit and the field's value are recomputed
here from the story in plain Fractions (not from the spec), and the pure
equilibria, the price of anarchy and the exact credit thresholds (a
replication share of 1, a penalty of 8, and the line share + penalty/8 = 1
between them) are compared with verigroup's."""

from __future__ import annotations

from fractions import Fraction as F
from itertools import product
from pathlib import Path

import pytest

import verigroup

SPEC = Path(__file__).resolve().parent.parent / "case_studies" / "science_collab" / "replication.vg"
Q, DETECT, HARM = F(1, 4), F(1, 2), F(2)
ACTS = ("replicate", "produce")


def credit(me: str, other: str, share: F, penalty: F) -> F:
    caught = Q if other == "replicate" else 0               # my first result, checked by the other
    own = [other != "replicate"] + ([True] if me == "produce" else [])   # unreplicated results
    return (1 - caught) + (1 if me == "produce" else 0) + (share if me == "replicate" else 0) \
        - penalty * DETECT * Q * sum(own)


def field(a: str, b: str) -> F:
    results = 2 + (a == "produce") + (b == "produce")
    unreplicated = (b != "replicate") + (a != "replicate") + (a == "produce") + (b == "produce")
    return (1 - Q) * results - HARM * Q * unreplicated


def nash(share: F, penalty: F) -> set[tuple[str, str]]:
    out = set()
    for a, b in product(ACTS, ACTS):
        if all(credit(x, b, share, penalty) <= credit(a, b, share, penalty) for x in ACTS) and \
           all(credit(y, a, share, penalty) <= credit(b, a, share, penalty) for y in ACTS):
            out.add((a, b))
    return out


def test_the_story() -> None:
    assert nash(F(0), F(0)) == {("produce", "produce")}
    welfare = {p: field(*p) for p in product(ACTS, ACTS)}
    assert max(welfare.values()) == welfare[("replicate", "replicate")] == F(3, 2)
    assert welfare[("produce", "produce")] == 1                    # price of anarchy 3/2
    # The agents themselves prefer racing (2 each) to checking (3/4 each):
    # no Pareto improvement among them, so not a prisoner's dilemma.
    assert credit("produce", "produce", F(0), F(0)) == 2
    assert credit("replicate", "replicate", F(0), F(0)) == F(3, 4)


@pytest.mark.parametrize("share,penalty", [(F(s, 4), F(p)) for s in range(0, 9, 2) for p in (0, 4, 8, 12)],
                         ids=str)
def test_equilibria_match_hand_computation(share: F, penalty: F) -> None:
    sol = verigroup.solve(SPEC, "pure_nash", overrides={"share": str(share), "penalty": str(penalty)})
    got = set()
    for eq in sol.equilibria:
        prof = (next(a for a, p in eq.strategies["alice"].items() if p == 1),
                next(a for a, p in eq.strategies["bob"].items() if p == 1))
        got.add(prof)
        assert eq.payoffs == {"alice": credit(prof[0], prof[1], share, penalty),
                              "bob": credit(prof[1], prof[0], share, penalty)}
        assert eq.metrics["field_value"] == field(*prof)
    assert sol.complete and got == nash(share, penalty)
    # replication is the unique equilibrium exactly above the line share + penalty/8 = 1
    assert (got == {("replicate", "replicate")}) == (share + penalty / 8 > 1)


def test_synthesised_thresholds() -> None:
    report = verigroup.check(SPEC, timeout=60)
    res = {r.name: r for r in report.results}
    assert "infimum (not attained) 1;" in res["full credit for a replication restores it"].message
    assert "infimum (not attained) 8;" in res["a penalty for a false unreplicated result restores it"].message
    # the hand model agrees: at the infimum the agents are indifferent, just above it replication is unique
    assert nash(F(1), F(0)) == set(product(ACTS, ACTS))    # all indifferent at share 1
    assert nash(F(1) + F(1, 1000), F(0)) == {("replicate", "replicate")}
    assert nash(F(0), F(8) + F(1, 1000)) == {("replicate", "replicate")}
    assert ("produce", "produce") in nash(F(0), F(8))


# ------------------------------------------------ the ring of three, by hand

RING = SPEC.parent / "ring.vg"
RACTS = ("check_next", "check_prev", "produce")


def target(i: int, act: str) -> int | None:
    """Whose result agent i (0-based) replicates."""
    return {"check_next": (i + 1) % 3, "check_prev": (i - 1) % 3}.get(act)


def ring_credit(prof: tuple[str, ...], share: F, split: int, penalty: F) -> tuple[F, ...]:
    checks = [sum(1 for j in range(3) if target(j, prof[j]) == i) for i in range(3)]
    out = []
    for i, act in enumerate(prof):
        u = 1 - (Q if checks[i] else 0) + (1 if act == "produce" else 0)
        t = target(i, act)
        if t is not None:
            u += share / checks[t] if split else share
        u -= penalty * DETECT * Q * ((checks[i] == 0) + (act == "produce"))
        out.append(u)
    return tuple(out)


def ring_nash(share: F, split: int, penalty: F) -> set[tuple[str, ...]]:
    pay = {p: ring_credit(p, share, split, penalty) for p in product(RACTS, repeat=3)}
    return {p for p, u in pay.items()
            if all(pay[p[:i] + (d,) + p[i + 1:]][i] <= u[i] for i in range(3) for d in RACTS)}


def unchecked(prof: tuple[str, ...]) -> int:
    return sum(1 for i in range(3) if all(target(j, prof[j]) != i for j in range(3)))


@pytest.mark.parametrize("split,penalty", [(0, F(0)), (1, F(0)), (0, F(4)), (1, F(3)), (1, F(4)), (1, F(7, 2))],
                         ids=str)
def test_ring_equilibria_match_hand_computation(split: int, penalty: F) -> None:
    share = F(5, 4)
    sol = verigroup.solve(RING, "pure_nash", overrides={"split": str(split), "penalty": str(penalty)})
    got = set()
    for eq in sol.equilibria:
        prof = tuple(next(a for a, p in eq.strategies[f"r[{i}]"].items() if p == 1) for i in (1, 2, 3))
        got.add(prof)
        assert tuple(eq.payoffs[f"r[{i}]"] for i in (1, 2, 3)) == ring_credit(prof, share, split, penalty)
        assert eq.metrics["unchecked"] == unchecked(prof)
    expected = ring_nash(share, split, penalty)
    assert sol.complete and got == expected
    rotations = {("check_next",) * 3, ("check_prev",) * 3}
    # only the rotations, exactly when the credit is split and the penalty exceeds 3
    assert (expected == rotations) == (split == 1 and penalty > 3)


def test_ring_story() -> None:
    full = ring_nash(F(5, 4), 0, F(0))
    assert len(full) == 8 and sum(1 for p in full if unchecked(p) == 1) == 6
    assert all("produce" not in p for p in full)
    split = ring_nash(F(5, 4), 1, F(0))
    assert len(split) == 5 and sum(1 for p in split if "produce" in p) == 3
    assert len(ring_nash(F(5, 4), 0, F(4))) == 8           # a penalty alone does not spread the checks
