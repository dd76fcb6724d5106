"""`verigroup synthesize`: exact optima, certificates, re-checks, bad input.

Held-out-style results: the selfishness level of the prisoner's dilemma
(Apt–Schäfer: gamma = (T - R) / (2R - T - S) = 2 for T=5, R=3, S=0), the
minimal subsidy of Monderer–Tennenholtz, budget-balanced transfers.  Every
optimum is re-checked by the ordinary property checker on the transformed
game, and just below the optimum the same checker must say VIOLATED.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

import verigroup
from verigroup.api import check_model
from verigroup.mechanisms import parse_goal, synthesize
from verigroup.mechanisms.transform import apply_share
from verigroup.model.properties import IsEquilibrium, Profile
from verigroup.verdicts import Verdict

PD = "specs/prisoners_dilemma.vg"


def _nash_verdict(model, target: tuple[str, ...]) -> Verdict:
    prop = IsEquilibrium("t", Profile(target))
    import dataclasses

    m = dataclasses.replace(model, properties=(prop,), _cache={})
    return check_model(m).results[0].verdict


def test_pd_selfishness_level_is_two(cli) -> None:
    res = cli("synthesize", PD, "--goal", "nash:collude", "--lever", "share", "--format", "json")
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    assert doc["schema"] == "verigroup.synthesize/1"
    assert doc["feasible"] is True and doc["attained"] is True
    assert doc["optimal_value"] == "4/5"
    assert doc["mechanism"]["selfishness_level"] == "2"
    assert [r["verdict"] for r in doc["recheck"]] == ["HOLDS"]
    # the independent checker: just below the optimum cooperation is not stable
    model = verigroup.load(PD)
    assert _nash_verdict(apply_share(model, Fraction(4, 5)), ("cooperate", "cooperate")) == Verdict.HOLDS
    below = apply_share(model, Fraction(4, 5) - Fraction(1, 10**6))
    assert _nash_verdict(below, ("cooperate", "cooperate")) == Verdict.VIOLATED


@pytest.mark.parametrize("lever,value", [("subsidy", "4"), ("transfer", "2")])
def test_pd_money_levers(cli, lever: str, value: str) -> None:
    res = cli("synthesize", PD, "--goal", "nash:alice=cooperate,bob=cooperate", "--lever", lever,
              "--format", "json")
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    assert doc["optimal_value"] == value and doc["feasible"] is True
    assert all(r["verdict"] == "HOLDS" for r in doc["recheck"])
    if lever == "transfer":
        for row in doc["mechanism"]["payments"]:
            assert sum(Fraction(v) for v in row["payments"].values()) == 0   # budget balanced
        assert doc["certificate"]["cheaper_exists"] == "unsat"
    else:
        assert doc["mechanism"]["paid_at_target"] == {"alice": "2", "bob": "2"}
        assert sum(Fraction(d["gap"]) for d in doc["certificate"]["dual"]) == 4


def test_unique_goal_reports_non_attained_infimum(cli) -> None:
    res = cli("synthesize", PD, "--goal", "unique:collude", "--lever", "share", "--format", "json")
    doc = json.loads(res.out)
    assert res.code == 0 and doc["optimal_value"] == "4/5" and doc["attained"] is False
    alpha = Fraction(doc["mechanism"]["alpha"])
    assert alpha > Fraction(4, 5)
    assert [r["verdict"] for r in doc["recheck"]] == ["HOLDS", "HOLDS"]
    # at the infimum itself the sucker profile is still an equilibrium
    # (alice is indifferent, bob would lose by defecting)
    at = apply_share(verigroup.load(PD), Fraction(4, 5))
    assert _nash_verdict(at, ("defect", "cooperate")) == Verdict.HOLDS
    assert _nash_verdict(apply_share(verigroup.load(PD), alpha), ("defect", "cooperate")) == Verdict.VIOLATED


def test_text_output_and_audit(cli) -> None:
    res = cli("synthesize", PD, "--goal", "nash:collude", "--lever", "subsidy")
    assert res.code == 0
    assert "optimum: 4" in res.out and "audit of the fix" in res.out and "re-check" in res.out


def test_infeasible_with_proof(cli) -> None:
    res = cli("synthesize", PD, "--goal", "nash:collude", "--lever", "subsidy", "--bound", "1",
              "--format", "json")
    doc = json.loads(res.out)
    assert res.code == 1 and doc["feasible"] is False and doc["optimal_value"] is None
    assert doc["certificate"]["contradiction"]["needs"] == "2"
    res = cli("synthesize", PD, "--goal", "nash:collude", "--lever", "share", "--share-range", "0,1/2",
              "--format", "json")
    doc = json.loads(res.out)
    assert res.code == 1 and doc["feasible"] is False
    assert any("alpha >=" in c["implies"] for c in doc["certificate"]["contradiction"])


def test_transfer_infeasible_with_small_bound(cli) -> None:
    res = cli("synthesize", PD, "--goal", "nash:collude", "--lever", "transfer", "--bound", "1",
              "--format", "json")
    doc = json.loads(res.out)
    assert res.code == 1 and doc["feasible"] is False and doc["certificate"]["z3_check"] == "unsat"


@pytest.mark.parametrize("argv,needle", [
    (["--goal", "nash:alice=cooperate,bob=coop", "--lever", "share"], "no action `coop`"),
    (["--goal", "nash:alice=cooperate", "--lever", "share"], "does not give an action to bob"),
    (["--goal", "pareto:collude", "--lever", "share"], "unknown goal"),
    (["--goal", "nash:nosuch", "--lever", "share"], "no profile named"),
    (["--goal", "nash:carol=defect,alice=defect,bob=defect", "--lever", "share"], "no agent named"),
    (["--goal", "nash:collude", "--lever", "bribe"], "unknown lever"),
    (["--goal", "nash:collude", "--lever", "subsidy", "--bound", "-1"], "must be >= 0"),
    (["--goal", "nash:collude", "--lever", "subsidy", "--bound", "lots"], "not an exact number"),
    (["--goal", "nash:collude", "--lever", "share", "--share-range", "0,2"], "not inside [0, 1]"),
    (["--goal", "nash:collude", "--lever", "share", "--require", "nope"], "no property named"),
])
def test_bad_input_is_positioned_exit_2(cli, argv: list[str], needle: str) -> None:
    res = cli("synthesize", PD, *argv)
    assert res.code == 2, (res.out, res.err)
    assert needle in res.err and "Traceback" not in res.err
    assert "error[E70" in res.err


def test_goal_error_points_into_goal_text(cli) -> None:
    res = cli("synthesize", PD, "--goal", "nash:alice=cooperate,bob=coop", "--lever", "share")
    lines = res.err.splitlines()
    assert lines[0].startswith("--goal:1:26:")
    assert lines[2].index("^") == lines[1].rindex("coop")


def test_required_property_decides_exit_code(cli) -> None:
    # the fix keeps defection an equilibrium, so "the equilibrium is unique" fails
    res = cli("synthesize", PD, "--goal", "nash:collude", "--lever", "share",
              "--require", "the equilibrium is unique", "--format", "json")
    assert res.code == 1
    ok = cli("synthesize", PD, "--goal", "nash:collude", "--lever", "share",
             "--require", "mutual cooperation is an equilibrium")
    assert ok.code == 0


def test_llm_pipeline_fix_is_derived(cli) -> None:
    """The case study's region alpha in (1/5, 1] is derived: a tax of
    alpha * harm = 4 per shipped bug is the infimum for a unique careful
    equilibrium; sharing the agents' own welfare cannot fix it (the harm
    falls on users), and synthesize proves that."""
    spec = "case_studies/llm_pipeline/pipeline.vg"
    res = cli("synthesize", spec, "--goal", "unique:careful", "--lever", "tax:shipped_bugs",
              "--bound", "20", "--format", "json")
    doc = json.loads(res.out)
    assert res.code == 0 and doc["optimal_value"] == "4" and doc["attained"] is False
    assert all(r["verdict"] == "HOLDS" for r in doc["recheck"])
    props = {r["name"]: r["verdict"] for r in doc["spec_properties"]}
    assert props["every equilibrium keeps shipped bugs <= 1/10"] == "HOLDS"
    nash = json.loads(cli("synthesize", spec, "--goal", "nash:careful", "--lever", "tax:shipped_bugs",
                          "--bound", "20", "--format", "json").out)
    assert nash["optimal_value"] == "4" and nash["attained"] is True
    share = cli("synthesize", spec, "--goal", "nash:careful", "--lever", "share", "--format", "json")
    assert share.code == 1 and json.loads(share.out)["feasible"] is False
    # a tax needs a bounded domain
    bad = cli("synthesize", spec, "--goal", "nash:careful", "--lever", "tax:shipped_bugs")
    assert bad.code == 2 and "bounded domain" in bad.err
    bad = cli("synthesize", spec, "--goal", "nash:careful", "--lever", "tax:shiped_bugs", "--bound", "3")
    assert bad.code == 2 and "did you mean `shipped_bugs`" in bad.err


def test_api_goal_and_result_records() -> None:
    model = verigroup.load(PD)
    goal = parse_goal("dominant:collude", model)
    res = synthesize(model, goal, "share", check=check_model)
    assert res.optimal_value == Fraction(4, 5) and res.exit_code == 0
    assert res.transformed is not None and res.transformed.name.endswith("share(alpha=4/5)")
    with pytest.raises(Exception):
        res.status = "unknown"  # type: ignore[misc]   # frozen


def test_transfer_needs_two_agents(cli, tmp_path) -> None:
    spec = tmp_path / "solo.vg"
    spec.write_text("game solo\nagent a: actions x, y\npayoff a = 1 if a == x else 0\n")
    res = cli("synthesize", str(spec), "--goal", "nash:a=y", "--lever", "transfer")
    assert res.code == 2 and "E702" in res.err and "no one to transfer to" in res.err
    ok = cli("synthesize", str(spec), "--goal", "nash:a=y", "--lever", "subsidy", "--format", "json")
    assert ok.code == 0 and '"optimal_value": "1"' in ok.out


SPEC_Q = """game pd
agents alice, bob: actions cooperate, defect
payoff alice = 3 if alice == cooperate and bob == cooperate else (5 if alice == defect and bob == cooperate else (0 if alice == cooperate else 1))
payoff bob = 3 if bob == cooperate and alice == cooperate else (5 if bob == defect and alice == cooperate else (0 if bob == cooperate else 1))
profile collude = {alice: cooperate, bob: cooperate}
{extra}
"""


def test_synthesize_statements_in_specs(cli, tmp_path) -> None:
    extra = ('synthesize "share": nash collude, share\n'
             'synthesize "too little": nash {alice: cooperate, bob: cooperate}, share(lo = 0, hi = 1/2)\n'
             'synthesize "subsidy": dominant collude, subsidy(bound = 10)\n')
    model = verigroup.parse(SPEC_Q.replace("{extra}", extra), "q.vg")
    v = {r.name: (r.verdict, r.evidence) for r in model.check().results}
    assert v["share"][0] == Verdict.HOLDS and v["share"][1]["optimal_value"] == Fraction(4, 5)
    assert v["too little"][0] == Verdict.VIOLATED
    assert v["subsidy"][0] == Verdict.HOLDS and v["subsidy"][1]["optimal_value"] == Fraction(4)
    p = tmp_path / "q.vg"
    p.write_text(SPEC_Q.replace("{extra}", extra))
    res = cli("synthesize", str(p), "--format", "json")
    doc = json.loads(res.out)
    assert res.code == 1          # one question is infeasible
    assert [q["name"] for q in doc["questions"]] == ["share", "too little", "subsidy"]
    assert [q["feasible"] for q in doc["questions"]] == [True, False, True]


@pytest.mark.parametrize("extra,needle", [
    ('synthesize "x": pareto collude, share', "unknown synthesis goal"),
    ('synthesize "x": nash colude, share', "did you mean `collude`"),
    ('synthesize "x": nash collude, bribe', "unknown lever"),
    ('synthesize "x": nash collude, tax(welfare)', "no metric named"),
    ('synthesize "x": nash collude, param(r)', "no param named"),
    ('synthesize "x": nash collude, subsidy(lo = 1)', "takes no `lo`"),
])
def test_bad_synthesize_statements(extra: str, needle: str) -> None:
    from verigroup.diagnostics import SpecError

    with pytest.raises(SpecError) as exc:
        verigroup.parse(SPEC_Q.replace("{extra}", extra), "q.vg")
    assert needle in exc.value.render() and "q.vg:6:" in exc.value.render()


def test_no_questions_and_half_flags(cli) -> None:
    res = cli("synthesize", PD)
    assert res.code == 2 and "no `synthesize` statement" in res.err
    res = cli("synthesize", PD, "--goal", "nash:collude")
    assert res.code == 2 and "give both --goal and --lever" in res.err


FINED = """game fined "a fine on a metric that does not involve the fine"
param fine = 0
agents a, b: actions x, y
metric m = 1 if a == x else 0
metric bad = 1 if a == y else 0
payoff a = (2 if a == y else 0) - fine * (1 if bad > 0 else 0)
payoff b = 1 if m > 0 else 0
"""


def test_param_lever_follows_metrics_that_do_not_mention_it(cli, tmp_path) -> None:
    """A metric read inside a condition does not make a payoff non-affine in
    the parameter unless the metric itself mentions it (it used to be
    refused with E702 whenever any metric was read there)."""
    spec = tmp_path / "fined.vg"
    spec.write_text(FINED)
    res = cli("synthesize", str(spec), "--goal", "nash:a=x,b=x", "--lever", "param:fine", "--range", "0,10", "--format", "json")
    assert res.code == 0, res.err
    doc = json.loads(res.out)
    # a gains 2 by y unless the fine exceeds 2: the infimum is 2, attained (a is indifferent at 2)
    assert Fraction(doc["optimal_value"]) == 2
    # a metric that does mention the parameter inside a condition is still refused
    spec.write_text(FINED.replace("metric bad = 1 if a == y else 0", "metric bad = fine if a == y else 0"))
    res = cli("synthesize", str(spec), "--goal", "nash:a=x,b=x", "--lever", "param:fine", "--range", "0,10", "--format", "json")
    assert res.code == 2 and "E702" in res.err
