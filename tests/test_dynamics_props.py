"""Dynamics properties in the spec language (issue 12): ``ess(...)``,
``neutrally_stable(...)``, ``basin(x) >= q``, ``stochastically_stable(x)``,
``risk_dominant(x)``, ``learners_reach(x) >= q`` -- verdicts, evidence and
positioned errors."""

from __future__ import annotations

import pytest

import verigroup
from verigroup.diagnostics import SpecError

HAWK_DOVE = """
agents bird[1..2]: actions hawk, dove
payoff bird[i] = (-1 if count(j: bird[j] == hawk) == 2 else 4) if bird[i] == hawk
            else (0 if count(j: bird[j] == hawk) == 1 else 2)
"""

STAG = """
agents h[1..2]: actions stag, hare
payoff h[i] = 3 if h[i] == hare else (4 if h[1] == h[2] else 0)
"""

RPS = """
agents p[1..2]: actions rock, paper, scissors
payoff p[i] = 0 if p[1] == p[2]
  else (1 if (p[i] == rock and count(j: p[j] == scissors) == 1)
          or (p[i] == paper and count(j: p[j] == rock) == 1)
          or (p[i] == scissors and count(j: p[j] == paper) == 1) else -1)
"""


def verdicts(spec: str, *props: str) -> list[str]:
    text = spec + "\n".join(f'property "p{k}": {p}' for k, p in enumerate(props)) + "\n"
    return [r.verdict.value for r in verigroup.parse(text).check().results]


def test_ess_pure_and_mixed() -> None:
    assert verdicts(HAWK_DOVE, "ess(hawk = 2/3, dove = 1/3)", "ess(hawk)", "ess(hawk = 1/2, dove = 1/2)") == \
        ["HOLDS", "VIOLATED", "VIOLATED"]
    assert verdicts(STAG, "ess(stag)", "ess(hare)", "ess(stag = 3/4, hare = 1/4)") == ["HOLDS", "HOLDS", "VIOLATED"]


def test_rps_uniform_neutrally_stable_not_ess() -> None:
    u = "rock = 1/3, paper = 1/3, scissors = 1/3"
    assert verdicts(RPS, f"ess({u})", f"neutrally_stable({u})") == ["VIOLATED", "HOLDS"]


def test_basin_thresholds_exact() -> None:
    assert verdicts(STAG, "basin(stag) >= 1/4", "basin(stag) > 1/4", "basin(hare) == 3/4", "1/2 <= basin(hare)") == \
        ["HOLDS", "VIOLATED", "HOLDS", "HOLDS"]


def test_three_strategy_basin_is_unknown_with_estimate() -> None:
    rep = verigroup.parse(RPS + 'property "b": basin(rock) >= 0\n').check()
    (r,) = rep.results
    assert r.verdict.value == "UNKNOWN" and r.evidence["statistical"] is True


def test_stochastic_stability_and_risk_dominance() -> None:
    assert verdicts(STAG, "stochastically_stable(hare)", "stochastically_stable(stag)", "risk_dominant(hare)",
                    "risk_dominant(stag)") == ["HOLDS", "VIOLATED", "HOLDS", "VIOLATED"]


def test_learners_reach_is_statistical_never_holds() -> None:
    pytest.importorskip("pyspiel")
    rep = verigroup.parse(STAG + 'property "l": learners_reach(hare) >= 1/10\n').check()
    (r,) = rep.results
    assert r.verdict.value == "UNKNOWN"
    ev = r.evidence
    assert ev["statistical"] is True and ev["runs"] == 30 and "STATISTICAL" in r.message
    lo, hi = (float(x) for x in ev["interval"])
    num, _, den = ev["share"].partition("/")
    assert lo <= int(num) / int(den or 1) <= hi


def test_every_ess_bounds_a_metric_exactly() -> None:
    spec = STAG + "metric welfare = sum(i: payoff(h[i]))\n"
    assert verdicts(spec, "every_ess(welfare >= 6)", "every_ess(welfare > 6)", "every_ess(8 >= welfare)") == \
        ["HOLDS", "VIOLATED", "HOLDS"]
    # mixed ESS: hawk-dove, welfare at (x, x) with x = (2/3, 1/3): 2 * 2/3... computed by hand
    hd = HAWK_DOVE + "metric welfare = sum(i: payoff(bird[i]))\n"
    # E[welfare] = 2 * E[payoff] = 2 * (4/9*(-1) + 2/9*4 + 2/9*0 + 1/9*2) = 2 * 6/9 = 4/3
    assert verdicts(hd, "every_ess(welfare == 4/3)") == ["HOLDS"]
    rps = RPS + "metric w = sum(i: payoff(p[i]))\n"
    rep = verigroup.parse(rps + 'property "v": every_ess(w >= 1)\n').check()
    assert rep.results[0].verdict.value == "HOLDS" and "vacuously" in rep.results[0].message


def test_asymmetric_game_is_unknown_not_an_error() -> None:
    spec = "agents a, b: actions x, y\npayoff a = 1 if a == x else 0\npayoff b = 2 if b == y else 0\n"
    rep = verigroup.parse(spec + 'property "e": ess(x)\n').check()
    assert rep.results[0].verdict.value == "UNKNOWN"


@pytest.mark.parametrize("prop,code,needle", [
    ("ess(eagle)", "E104", "unknown action"),
    ("ess(hawk = 1/2, dove = 1/3)", "E110", "sum to 5/6"),
    ("basin(hawk)", "E110", "compare it"),
    ("basin(hawk = 1/2, dove = 1/2) >= 0", "E103", "one action"),
    ("basin(hawk) >= bird", "E", ""),
    ("risk_dominant(hawk, dove)", "E103", "one action"),
    ("every_ess(harm <= 1)", "E101", "metric"),
    ("every_ess(3)", "E103", "comparison"),
])
def test_bad_dynamics_properties_are_positioned_errors(prop: str, code: str, needle: str) -> None:
    with pytest.raises(SpecError) as exc:
        verigroup.parse(HAWK_DOVE + f'property "bad": {prop}\n', "t.vg")
    text = exc.value.render()
    assert f"error[{code}" in text and needle in text and "t.vg:" in text


def _replay(cli, tmp_path, spec_text: str, tamper=None):  # type: ignore[no-untyped-def]
    import json

    spec = tmp_path / "s.vg"
    spec.write_text(spec_text)
    out = tmp_path / "r.json"
    cli("check", str(spec), "--format", "json", "-o", str(out))
    if tamper is not None:
        doc = json.loads(out.read_text())
        tamper(doc)
        out.write_text(json.dumps(doc))
    return cli("replay", str(out))


def test_replay_rechecks_dynamics_evidence_independently(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    u = "rock = 1/3, paper = 1/3, scissors = 1/3"
    props = (f'property "e": ess({u})\nproperty "n": neutrally_stable({u})\n')
    res = _replay(cli, tmp_path, RPS + props)
    assert res.code == 0 and "0 mismatched" in res.out and "Z3 on the definition" in res.out
    spec = STAG + "metric welfare = sum(i: payoff(h[i]))\n" + (
        'property "b": basin(stag) >= 1/4\nproperty "s": stochastically_stable(hare)\n'
        'property "w": every_ess(welfare >= 6)\nproperty "x": ess(stag)\n')
    res = _replay(cli, tmp_path, spec)
    assert res.code == 0 and "0 mismatched" in res.out and "0 skipped" in res.out


def _results(doc):  # type: ignore[no-untyped-def]
    return [r for rep in doc["reports"] for r in rep["properties"]]


def _set_share(doc, value):  # type: ignore[no-untyped-def]
    for r in _results(doc):
        if r["evidence"].get("kind") == "dynamics.basin":
            r["evidence"]["share"] = value


def test_replay_catches_tampered_dynamics_evidence(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    res = _replay(cli, tmp_path, STAG + 'property "b": basin(stag) >= 1/4\n', lambda d: _set_share(d, "1/2"))
    assert res.code == 1 and "basin share is 1/4" in res.out

    def flip(doc):  # type: ignore[no-untyped-def]
        for r in _results(doc):
            r["verdict"] = "HOLDS"
    u = "rock = 1/3, paper = 1/3, scissors = 1/3"
    res = _replay(cli, tmp_path, RPS + f'property "e": ess({u})\n', flip)
    assert res.code == 1 and "invades" in res.out
