"""Language v2 (issue 8): a protocol spec is solved with every normal-form
concept through its reduced strategic form, and nash / mixed nash properties
of protocol specs read that form."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import verigroup
from verigroup.api import solve_model
from verigroup.extensive.reduced import reduced_normal_form
from verigroup.verdicts import Verdict

ROOT = Path(__file__).resolve().parents[1]
ENTRY = ROOT / "specs" / "protocols" / "entry_deterrence.vg"


def brute_pure(game: Any) -> set[tuple[str, ...]]:
    """Pure equilibria of a NormalFormGame by plain enumeration (Fractions)."""
    out = set()
    ranges = [range(len(a)) for a in game.actions]
    for prof in itertools.product(*ranges):
        ok = True
        for k in range(len(ranges)):
            mine = game.payoff(k, prof)
            for b in ranges[k]:
                alt = prof[:k] + (b,) + prof[k + 1:]
                if game.payoff(k, alt) > mine:
                    ok = False
        if ok:
            out.add(tuple(game.actions[k][prof[k]] for k in range(len(ranges))))
    return out


def labels(sol: Any) -> set[tuple[str, ...]]:
    out = set()
    for e in sol.equilibria:
        out.add(tuple(next(iter(s)) for s in e.strategies.values()))
    return out


def test_entry_deterrence_pure_nash_of_the_reduced_form() -> None:
    sol = verigroup.solve(ENTRY, concept="pure")
    assert sol.complete
    assert labels(sol) == {("enter", "accommodate"), ("stay_out", "fight")}


@pytest.mark.parametrize("name", ["entry_deterrence", "ultimatum", "centipede", "stackelberg"])
def test_pure_nash_of_protocols_match_brute_force(name: str) -> None:
    model = verigroup.load(ROOT / "specs" / "protocols" / f"{name}.vg")
    sol = solve_model(model, concept="pure")
    game = reduced_normal_form(model.protocol).game
    assert labels(sol) == brute_pure(game)
    # every SPE is a Nash equilibrium of the strategic form: its payoffs are among them
    spe = solve_model(model, concept="spe")
    nash_payoffs = {tuple(sorted(e.payoffs.items())) for e in sol.equilibria}
    for e in spe.equilibria:
        assert tuple(sorted(e.payoffs.items())) in nash_payoffs


def test_mixed_and_correlated_solve_on_a_protocol() -> None:
    mixed = verigroup.solve(ENTRY, concept="mixed")
    assert mixed.equilibria and all(e.exact for e in mixed.equilibria)
    # the mixed component: the entrant stays out, the incumbent fights with probability >= 1/3
    probs = sorted(e.strategies["incumbent"].get("fight", Fraction(0)) for e in mixed.equilibria)
    assert probs[0] == 0 and Fraction(2, 3) in probs and probs[-1] == 1
    corr = verigroup.solve(ENTRY, concept="correlated")
    assert corr.equilibria


def test_nash_properties_on_protocol_specs(tmp_path: Path) -> None:
    text = ENTRY.read_text().split("property ")[0] + "\n".join([
        'property "two nash": count(nash) == 2',
        'property "some nash keeps out": for some nash p: payoff(entrant, p) == 0',
        'property "mixed keeps the incumbent at 2": for every mixed nash p: payoff(incumbent, p) >= 2',
        'property "spe unique, nash not": (unique spe) and not (unique nash)',
        'property "metric": max(welfare) >= 0',
    ]) + "\nmetric welfare = payoff(entrant) + payoff(incumbent)\n"
    got = {r.name: r.verdict for r in verigroup.parse(text).check().results}
    assert got == {"two nash": Verdict.HOLDS, "some nash keeps out": Verdict.HOLDS,
                   "mixed keeps the incumbent at 2": Verdict.HOLDS, "spe unique, nash not": Verdict.HOLDS,
                   "metric": Verdict.UNKNOWN}


def test_cli_solve_on_a_protocol_exits_zero(cli: Any) -> None:
    res = cli("solve", str(ENTRY))
    assert res.code == 0, res
    assert "stay_out" in res.out and "E401" not in res.out + res.err
