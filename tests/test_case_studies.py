"""The case studies: their READMEs' commands, and their games against an
independent hand computation.

README convention (as tests/test_docs.py for docs/): a ```console block holds
`$ verigroup ...` lines, each followed by its exact expected output and an
optional `# exit N` line; commands run in-process from the repository root.

The LLM pipeline is recomputed here from its story (bug rates, catch rate,
rewards) in plain Fractions, without the spec language or the evaluator, and
its pure equilibria are compared with verigroup's for many values of the
shared stake ``alpha``."""

from __future__ import annotations

import re
import shlex
from fractions import Fraction as F
from itertools import product
from pathlib import Path

import pytest

import verigroup

ROOT = Path(__file__).resolve().parent.parent
READMES = sorted(ROOT.glob("case_studies/*/README.md"))
FENCE = re.compile(r"^```(\w+)\s*\n(.*?)^```", re.S | re.M)
PIPELINE = ROOT / "case_studies" / "llm_pipeline" / "pipeline.vg"
FIXED = ROOT / "case_studies" / "llm_pipeline" / "pipeline_fixed.vg"


def console_cases() -> list[tuple[str, list[str], str, int | None]]:
    cases = []
    for doc in READMES:
        text = doc.read_text()
        for m in FENCE.finditer(text):
            if m.group(1) != "console":
                continue
            where = f"{doc.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}"
            cmd: list[str] | None = None
            expected: list[str] = []
            code: int | None = None
            for raw in m.group(2).splitlines() + ["$ "]:
                if raw.startswith("$ "):
                    if cmd:
                        cases.append((where, cmd, "\n".join(expected).rstrip(), code))
                    cmd = shlex.split(raw[2:])[1:] if raw[2:].strip() else None
                    expected, code = [], None
                elif (mm := re.match(r"^# exit (\d+)$", raw)):
                    code = int(mm.group(1))
                else:
                    expected.append(raw.rstrip())
    return cases


CASES = console_cases()


def test_case_study_readmes_have_commands() -> None:
    assert READMES, "no case_studies/*/README.md"
    assert len(CASES) >= 4


@pytest.mark.parametrize("where,argv,expected,code", CASES,
                         ids=[f"{c[0]}:{' '.join(c[1])[:50]}" for c in CASES])
def test_readme_console(cli, where: str, argv: list[str], expected: str, code: int | None) -> None:
    res = cli(*argv)
    got = "\n".join(l.rstrip() for l in (res.out + res.err).splitlines()).rstrip()
    assert got == expected, f"{where}: `verigroup {' '.join(argv)}` printed:\n{got}"
    if code is not None:
        assert res.code == code


# ------------------------------------------------ the pipeline, by hand

BUG = {"rush": F(3, 4), "test": F(1, 4)}
CATCH, SPEED, PASS, THROUGHPUT, DETECT, PENALTY, HARM = F(4, 5), 1, 2, 1, F(1, 5), 5, 20


def shipped(coder: str, reviewer: str) -> F:
    return BUG[coder] * ((1 - CATCH) if reviewer == "read" else 1)


def payoffs(coder: str, reviewer: str, alpha: F) -> tuple[F, F]:
    passed = (1 - BUG[coder] * CATCH) if reviewer == "read" else F(1)
    stake = alpha * HARM * shipped(coder, reviewer)
    u_coder = (SPEED if coder == "rush" else 0) + PASS * passed - stake
    u_reviewer = (THROUGHPUT if reviewer == "stamp" else 0) - PENALTY * DETECT * shipped(coder, reviewer) - stake
    return u_coder, u_reviewer


def pure_nash(alpha: F) -> set[tuple[str, str]]:
    out = set()
    for c, r in product(("test", "rush"), ("read", "stamp")):
        uc, ur = payoffs(c, r, alpha)
        if all(payoffs(c2, r, alpha)[0] <= uc for c2 in ("test", "rush")) and \
           all(payoffs(c, r2, alpha)[1] <= ur for r2 in ("read", "stamp")):
            out.add((c, r))
    return out


ALPHAS = sorted({F(k, 60) for k in range(0, 61)} | {F(1, 30), F(1, 10), F(1, 5), F(1, 4), F(1, 8)})


def test_hand_model_matches_the_story() -> None:
    # The textbook facts the README states, from the hand model alone.
    assert pure_nash(F(0)) == {("rush", "stamp")}
    assert shipped("rush", "stamp") == F(3, 4) and shipped("test", "read") == F(1, 20)
    assert pure_nash(F(1, 4)) == {("test", "read")}
    assert pure_nash(F(1, 8)) == {("test", "stamp")}
    assert pure_nash(F(1, 20)) == {("rush", "read")}
    assert pure_nash(F(1, 5)) == {("test", "read"), ("test", "stamp")}


@pytest.mark.parametrize("alpha", [F(0), F(1, 20), F(1, 10), F(1, 8), F(1, 5), F(1, 4), F(1)],
                         ids=str)
def test_pipeline_equilibria_match_hand_computation(alpha: F) -> None:
    sol = verigroup.solve(PIPELINE, "pure_nash", overrides={"alpha": str(alpha)})
    got = set()
    for eq in sol.equilibria:
        prof = {a: next(act for act, p in s.items() if p == 1) for a, s in eq.strategies.items()}
        got.add((prof["coder"], prof["reviewer"]))
        uc, ur = payoffs(prof["coder"], prof["reviewer"], alpha)
        assert eq.payoffs == {"coder": uc, "reviewer": ur}
        assert eq.metrics["shipped_bugs"] == shipped(prof["coder"], prof["reviewer"])
    assert sol.complete
    assert got == pure_nash(alpha)


def in_region(x: F, ev: dict) -> bool:
    for (lo, hi), (clo, chi) in zip(ev["region"], ev["closed"]):
        lo_, hi_ = F(lo), F(hi)
        if (lo_ < x or (clo and x == lo_)) and (x < hi_ or (chi and x == hi_)):
            return True
    return False


def test_region_of_the_shared_stake_matches_hand_computation() -> None:
    report = verigroup.check(PIPELINE, timeout=60)
    res = {r.name: r for r in report.results}["any shared stake in [0, 1] keeps shipped bugs <= 1/10"]
    assert res.verdict.value == "VIOLATED"
    ev = dict(res.evidence)
    assert ev["param"] == "alpha"
    # The counterexample is an equilibrium of the hand model at its alpha.
    alpha_ce = F(ev["params"]["alpha"])
    prof = (ev["profile"]["coder"], ev["profile"]["reviewer"])
    assert prof in pure_nash(alpha_ce) and shipped(*prof) > F(1, 10)
    # The region where the property holds agrees with the hand model at every
    # grid point, including the open end at 1/5.
    for a in ALPHAS:
        holds = all(shipped(c, r) <= F(1, 10) for c, r in pure_nash(a))
        assert in_region(a, ev) == holds, a


def test_fixed_pipeline_verdicts_match_hand_computation() -> None:
    report = verigroup.check(FIXED, timeout=60)
    got = {r.name: r.verdict.value for r in report.results}
    alpha = F(1, 4)
    eqs = pure_nash(alpha)
    grid = [a for a in ALPHAS if a >= F(1, 4)]
    expected = {
        "careful review is an equilibrium": ("test", "read") in eqs,
        "careful review is the only equilibrium": eqs == {("test", "read")},
        "every equilibrium keeps shipped bugs <= 1/10": all(shipped(*e) <= F(1, 10) for e in eqs),
        "testing is dominant for the coder": all(
            payoffs("test", r, alpha)[0] > payoffs("rush", r, alpha)[0] for r in ("read", "stamp")),
        "no coalition of agents gains by leaving careful review": not any(
            all(x >= y for x, y in zip(payoffs(c, r, alpha), payoffs("test", "read", alpha)))
            and payoffs(c, r, alpha) != payoffs("test", "read", alpha)
            for c, r in product(("test", "rush"), ("read", "stamp")) if (c, r) != ("test", "read"))
        and ("test", "read") in eqs,
        # necessary conditions on a grid (the Z3 proof covers the interval)
        "careful review is an equilibrium for every share in [1/4, 1]":
            all(("test", "read") in pure_nash(a) for a in grid),
        "shipped bugs stay <= 1/10 for every share in [1/4, 1]":
            all(shipped(*e) <= F(1, 10) for a in grid for e in pure_nash(a)),
    }
    assert set(got) == set(expected)
    assert got == {k: "HOLDS" if v else "VIOLATED" for k, v in expected.items()}
    assert report.exit_code == 0


def test_tutorial_spec_is_the_file_its_commands_run() -> None:
    # docs/tutorial.md shows specs/prisoners_dilemma.vg (without its comment
    # lines) and then runs commands on the file: the two must not drift.
    text = (ROOT / "docs" / "tutorial.md").read_text()
    first_vg = next(m.group(2) for m in FENCE.finditer(text) if m.group(1) == "vg")
    spec = (ROOT / "specs" / "prisoners_dilemma.vg").read_text()
    body = [l for l in spec.splitlines() if not l.startswith("#")]
    assert "\n".join(body).strip() == first_vg.strip()
