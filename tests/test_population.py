"""Populations (issue 9): counting space, proofs for every n, evidence, replay."""

from __future__ import annotations

import io
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest

import verigroup
from verigroup.cli.main import main
from verigroup.diagnostics import SpecError
from verigroup.model.counting import NotAnonymous, counting_view

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"

PG = """game pg
param n = 4
param r = 8/5
agents a[1..n]: actions contribute, withhold
payoff a[i] = r * count(j: a[j] == contribute) / n - (1 if a[i] == contribute else 0)
metric welfare = sum(i: payoff(a[i]))
property "dominant": strictly dominant(a[i], withhold) for all i
property "coop": nash all contribute
property "defect": nash all withhold
property "unique": unique nash
property "half": for every nash p: welfare(p) >= 1/2 * max(welfare)
property "opt": optimum_is_equilibrium(welfare)
"""

FORALL = """game pgn
param n = 4
param r = 8/5
agents a[1..n]: actions contribute, withhold
payoff a[i] = r * count(j: a[j] == contribute) / n - (1 if a[i] == contribute else 0)
property "dominant for every n": strictly dominant(a[i], withhold) for all i for n >= 2
property "dominant beyond 3": strictly dominant(a[i], withhold) for all i for n >= 4
property "exists": exists nash for n >= 2
"""

MINORITY = """game minority
param n = 5
param half = (n - 1) / 2
agents job[1..n]: actions go, stay
payoff job[i] = 0 if job[i] == stay else (1 if count(j: job[j] == go) <= half else -1)
metric attendance = count(j: job[j] == go)
property "odd": for every nash p: attendance(p) == (n - 1) / 2 for odd n >= 3
property "any": for every nash p: attendance(p) == (n - 1) / 2 for n >= 3
"""


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def verdicts(rep: object) -> dict[str, str]:
    return {r.name: r.verdict.value for r in rep.results}  # type: ignore[attr-defined]


# ------------------------------------------------------------- anonymity


def test_anonymity_is_decided_from_the_ir() -> None:
    view = counting_view(verigroup.parse(PG))
    assert [p.name for p in view.pops] == ["a"] and view.pops[0].size == 4
    ring = PG.replace("count(j: a[j] == contribute)", "(1 if a[i] == a[1] else 0)")
    with pytest.raises(NotAnonymous) as exc:
        counting_view(verigroup.parse(ring))
    assert "one member" in exc.value.reason and exc.value.span.line == 5
    by_index = PG.replace("- (1 if", "- i / 100 - (1 if")
    with pytest.raises(NotAnonymous, match="used as a number"):
        counting_view(verigroup.parse(by_index))
    special = PG + "payoff a[1] = 0\n"
    with pytest.raises((NotAnonymous, SpecError)):
        counting_view(verigroup.parse(special))


@pytest.mark.parametrize("spec", ["public_goods.vg", "minority_game.vg", "congestion_pigou.vg"])
def test_counting_agrees_with_the_explicit_route(spec: str) -> None:
    model = verigroup.load(SPECS / spec)
    explicit = verdicts(model.check(method="explicit"))
    counted = verigroup.load(SPECS / spec).check(method="counting")
    assert verdicts(counted) == explicit
    assert {r.method for r in counted.results} == {"counting"}


def _random_spec(rng: random.Random) -> str:
    acts = ["x", "y", "z"][: rng.choice([2, 3])]
    n = rng.randint(2, 5)
    terms = []
    for a in acts:
        c = rng.randint(-3, 3)
        k = rng.choice(acts)
        thr = rng.randint(0, n)
        terms.append(f"({c} * count(j: a[j] == {k}) if a[i] == {a} else 0)")
        terms.append(f"({rng.randint(-2, 2)} if count(j: a[j] == {k} and j != i) >= {thr} else 0)")
    return (f"game g\nparam n = {n}\nagents a[1..n]: actions {', '.join(acts)}\n"
            f"payoff a[i] = {' + '.join(terms)}\n"
            f"metric w = sum(i: payoff(a[i]))\n"
            f'property "count": count(nash) == 0\n'
            f'property "worst": for every nash p: w(p) >= max(w) - 1\n'
            f'property "some": for some nash p: w(p) >= 0\n'
            f'property "exists": exists nash\n'
            f'property "unique": unique nash\n'
            f'property "dom": weakly dominant(a[i], {acts[0]}) for all i\n'
            f'property "opt": optimum_is_equilibrium(w)\n')


def test_generated_anonymous_games_agree_with_the_explicit_route() -> None:
    rng = random.Random(9)
    for _ in range(12):
        text = _random_spec(rng)
        explicit = verigroup.parse(text).check(method="explicit")
        counted = verigroup.parse(text).check(method="counting")
        assert verdicts(counted) == verdicts(explicit), text
        # the number of equilibrium profiles, exactly (sum of multiplicities)
        sol_e = verigroup.parse(text).equilibria()
        sol_c = verigroup.parse(text).equilibria(method="counting")
        assert sum(int(e.extra["multiplicity"]) for e in sol_c.equilibria) == len(sol_e.equilibria), text


# ------------------------------------------------------------- large N


def test_a_million_members_are_counted_not_expanded() -> None:
    model = verigroup.load(SPECS / "public_goods.vg", {"n": "1000000"})
    assert model.counted == {"a": (1, 1000000)} and len(model.agents) < 10
    rep = model.check()
    assert verdicts(rep) == {
        "free-riding dominates": "HOLDS", "cooperation is an equilibrium": "VIOLATED",
        "everyone withholding is an equilibrium": "HOLDS", "the equilibrium is unique": "HOLDS",
        "equilibria keep half the surplus": "VIOLATED", "the optimum is an equilibrium": "VIOLATED"}
    dev = next(r for r in rep.results if r.name == "cooperation is an equilibrium").evidence
    assert dev["counts"] == {"a": {"contribute": 1000000, "withhold": 0}}
    assert dev["deviation"]["agent"] == "a[1]"
    assert Fraction(dev["deviation"]["deviation_payoff"]) == Fraction(8, 5) * 999999 / 1000000


def test_solve_json_carries_counts_and_multiplicity() -> None:
    code, out, _ = run(["solve", str(SPECS / "minority_game.vg"), "--set", "n=100", "--set", "capacity=40",
                        "--method", "counting", "--format", "json"])
    assert code == 0
    eqs = json.loads(out)["equilibria"]
    assert len(eqs) == 1
    assert eqs[0]["counts"] == {"job": {"go": 40, "stay": 60}}
    from math import comb

    assert eqs[0]["multiplicity"] == str(comb(100, 40))
    assert "strategies" not in eqs[0]  # more than 64 members


# ------------------------------------------------------- for every n


def test_public_goods_withholding_dominant_exactly_when_r_below_n() -> None:
    rep = verigroup.parse(FORALL).check()
    assert verdicts(rep) == {"dominant for every n": "HOLDS", "dominant beyond 3": "HOLDS", "exists": "HOLDS"}
    rep3 = verigroup.parse(FORALL, overrides={"r": "3"}).check()
    v = verdicts(rep3)
    assert v["dominant for every n"] == "VIOLATED" and v["dominant beyond 3"] == "HOLDS"
    ev = next(r for r in rep3.results if r.name == "dominant for every n").evidence
    assert ev["n"] == 2 and ev["kind"] == "smallest_n"
    rep_r = verigroup.parse(FORALL.replace("n >= 4", "n >= 3"), overrides={"r": "3"}).check()
    ev = next(r for r in rep_r.results if r.name == "dominant beyond 3").evidence
    assert ev["n"] == 3  # r = n is not enough: the smallest violating n is r itself


def test_minority_game_odd_n() -> None:
    rep = verigroup.parse(MINORITY).check()
    v = verdicts(rep)
    assert v == {"odd": "HOLDS", "any": "VIOLATED"}
    assert next(r for r in rep.results if r.name == "any").evidence["n"] == 4


# ------------------------------------------------------------- bad input


def test_for_n_over_a_param_that_sizes_no_family() -> None:
    with pytest.raises(SpecError) as exc:
        verigroup.parse(FORALL.replace("for all i for n >= 2", "for all i for r >= 2"))
    d = exc.value.diagnostics[0]
    assert d.code == "E132" and d.span.line == 6 and "sizes no family" in d.message


def test_a_family_of_a_trillion_is_refused_with_its_size() -> None:
    model = verigroup.load(SPECS / "public_goods.vg", {"n": "1000000000000"})
    rep = model.check()
    v = verdicts(rep)
    # a profile is checked at its count vector without enumerating anything
    assert v["cooperation is an equilibrium"] == "VIOLATED"
    assert v["everyone withholding is an equilibrium"] == "HOLDS"
    for r in rep.results:
        if r.name in ("cooperation is an equilibrium", "everyone withholding is an equilibrium"):
            continue
        assert r.verdict.value == "UNKNOWN"
        assert "1,000,000,000,000 members" in r.message and "states" in r.message and "for n >= 2" in r.message


def test_a_large_family_that_is_not_anonymous_is_a_positioned_error() -> None:
    text = PG.replace("count(j: a[j] == contribute)", "(1 if a[i] == a[1] else 0)")
    with pytest.raises(SpecError) as exc:
        verigroup.parse(text, overrides={"n": "20000"})
    d = exc.value.diagnostics[0]
    assert d.code == "E007" and "not anonymous" in d.message and d.span.line == 5


# ------------------------------------------------------------- replay


def test_replay_rechecks_counting_evidence_and_catches_tampering(tmp_path: Path) -> None:
    spec = tmp_path / "pg.vg"
    spec.write_text(PG)
    report = tmp_path / "r.json"
    code, _, _ = run(["check", str(spec), "--set", "n=3000", "--format", "json", "-o", str(report)])
    assert code == 1
    code, out, _ = run(["replay", str(report)])
    assert code == 0 and "counting evidence (population_deviation): re-evaluated" in out
    doc = json.loads(report.read_text())
    for p in doc["reports"][0]["properties"]:
        if p["evidence"].get("kind") == "population_deviation":
            p["evidence"]["deviation"]["deviation_payoff"] = "2"
    report.write_text(json.dumps(doc))
    code, out, _ = run(["replay", str(report)])
    assert code == 1 and "counting evidence (population_deviation): payoffs" in out


# ------------------------------------------------------------- case study
# case_studies/av_fleet/README.md's commands run in tests/test_case_studies.py
# (exact output, as for every case study).


# ------------------------------------------------------- symmetric mixed


def _two_player(a: int, b: int, c: int, d: int) -> str:
    return ("game g\nparam n = 2\nagents p[1..n]: actions x, y\n"
            f"payoff p[i] = ({a} * count(j: p[j] == x and j != i) + {b} * count(j: p[j] == y and j != i)) "
            f"if p[i] == x else ({c} * count(j: p[j] == x and j != i) + {d} * count(j: p[j] == y and j != i))\n")


def test_symmetric_equilibria_agree_with_the_mixed_engine() -> None:
    rng = random.Random(4)
    for _ in range(10):
        a, b, c, d = (rng.randint(-4, 4) for _ in range(4))
        if a == c or b == d:
            continue  # keep it generic (no indifference along an edge)
        text = _two_player(a, b, c, d)
        sym = verigroup.parse(text).equilibria("symmetric")
        mixed = verigroup.parse(text).equilibria("mixed")
        assert sym.complete
        ours = {e.strategies["p"].get("x", Fraction(0)) for e in sym.equilibria}
        theirs = {e.strategies["p[1]"].get("x", Fraction(0)) for e in mixed.equilibria
                  if e.strategies["p[1]"] == e.strategies["p[2]"]}
        assert ours == theirs, text


def test_symmetric_equilibrium_of_the_minority_game_is_isolated_exactly() -> None:
    sol = verigroup.load(SPECS / "minority_game.vg").equilibria("symmetric")
    (eq,) = sol.equilibria
    assert not eq.exact and eq.epsilon < Fraction(1, 10**9)
    lo, hi = (Fraction(x) for x in eq.extra["interval"])
    # go pays 1 if at most 1 of the 4 others goes, else -1: P(X <= 1) = 1/2
    def gain(p: Fraction) -> Fraction:
        return 2 * ((1 - p) ** 4 + 4 * p * (1 - p) ** 3) - 1
    assert gain(lo) > 0 > gain(hi) and hi - lo < Fraction(1, 10**12)


def test_an_anonymity_declaration_contradicted_by_the_payoffs() -> None:
    ok = PG.replace("agents a[1..n]: actions contribute, withhold",
                    "agents a[1..n]: actions contribute, withhold\nanonymous a")
    verigroup.parse(ok)  # a true declaration is accepted
    bad = ok.replace("count(j: a[j] == contribute)", "(1 if a[i] == a[2] else 0)")
    for n in ("4", "20000"):
        with pytest.raises(SpecError) as exc:
            verigroup.parse(bad, overrides={"n": n})
        d = exc.value.diagnostics[0]
        assert d.code == "E130" and (d.span.line, d.span.column) == (5, 11) and "line 6" in d.message
    with pytest.raises(SpecError) as exc:
        verigroup.parse(ok.replace("anonymous a", "anonymous b"))
    assert exc.value.diagnostics[0].code == "E130"


# ---------------------------------------------------- congestion games

FIVE_HALVES = """game poa_five_halves
# Christodoulou-Koutsoupias: player i uses {h_i, g_i} (a) or {h_(i-1), h_(i+1), g_(i+1)} (b)
agents p1, p2, p3: actions a, b
metric h1 = (1 if p1 == a else 0) + (1 if p3 == b else 0) + (1 if p2 == b else 0)
metric h2 = (1 if p2 == a else 0) + (1 if p1 == b else 0) + (1 if p3 == b else 0)
metric h3 = (1 if p3 == a else 0) + (1 if p2 == b else 0) + (1 if p1 == b else 0)
metric g1 = (1 if p1 == a else 0) + (1 if p3 == b else 0)
metric g2 = (1 if p2 == a else 0) + (1 if p1 == b else 0)
metric g3 = (1 if p3 == a else 0) + (1 if p2 == b else 0)
payoff p1 = -(h1 + g1 if p1 == a else h3 + h2 + g2)
payoff p2 = -(h2 + g2 if p2 == a else h1 + h3 + g3)
payoff p3 = -(h3 + g3 if p3 == a else h2 + h1 + g1)
metric cost (minimize) = -(payoff(p1) + payoff(p2) + payoff(p3))
property "poa": price_of_anarchy(cost) == 5/2
property "pos": price_of_stability(cost) == 1
"""


@pytest.mark.parametrize("method", ["explicit", "counting"])
def test_the_five_halves_instance_of_atomic_congestion(method: str) -> None:
    rep = verigroup.parse(FIVE_HALVES).check(method=method)
    assert verdicts(rep) == {"poa": "HOLDS", "pos": "HOLDS"}
    assert {r.method for r in rep.results} == ({"counting"} if method == "counting" else
                                                {r.method for r in rep.results} - {"counting"})


def test_rosenthal_potential_is_exact_on_congestion_games() -> None:
    from verigroup.analyses.population.potential import congestion_form, potential
    from verigroup.analyses.population.engine import deviation_at

    rng = random.Random(7)
    for _ in range(5):
        n = rng.randint(3, 8)
        lat = [f"{rng.randint(0, 3)} * count(j: car[j] == {x}) + {rng.randint(0, 5)}" for x in "abc"]
        text = (f"game roads\nparam n = {n}\nagents car[1..n]: actions a, b, c\n"
                f"payoff car[i] = -({lat[0]} if car[i] == a else ({lat[1]} if car[i] == b else {lat[2]}))\n"
                'property "e": exists nash for n >= 2\n')
        model = verigroup.parse(text)
        view = counting_view(model)
        assert congestion_form(view)
        for _ in range(10):
            a = rng.randint(0, n)
            b = rng.randint(0, n - a)
            st = {"car": (a, b, n - a - b)}
            for x in range(3):
                for y in range(3):
                    if x == y or st["car"][x] == 0:
                        continue
                    moved = list(st["car"])
                    moved[x] -= 1
                    moved[y] += 1
                    from verigroup.analyses.population.exactvec import scalar

                    gain = scalar(view.payoff[("car", y)], {"car": tuple(moved)}, view.params) - \
                        scalar(view.payoff[("car", x)], st, view.params)  # type: ignore[operator]
                    assert potential(view, {"car": tuple(moved)}) - potential(view, st) == gain
        best = max(((a, b, n - a - b) for a in range(n + 1) for b in range(n + 1 - a)),
                   key=lambda s: potential(view, {"car": s}))
        assert deviation_at(view, {"car": best}) is None  # the potential's maximiser is an equilibrium
        assert verdicts(model.check()) == {"e": "HOLDS"}
    assert not congestion_form(counting_view(verigroup.parse(PG)))


# ------------------------------------------- immunity and resilience

GROUPS = """game pg
param n = 6
param r = 8/5
agents a[1..n]: actions contribute, withhold
payoff a[i] = r * count(j: a[j] == contribute) / n - (1 if a[i] == contribute else 0)
metric welfare = sum(i: payoff(a[i]))
property "imm1": immune(all contribute, t = 1)
property "imm2": immune(all withhold, t = 2)
property "immc": immune(all contribute, t = 2, welfare >= 1)
property "res1": resilient(all withhold, k = 1)
property "res3": resilient(all withhold, k = 3)
property "resc": resilient(all contribute, k = 2)
property "resw": weakly resilient(all contribute, k = 2)
"""


@pytest.mark.parametrize("r,n", [("1/2", 3), ("8/5", 4), ("3", 4), ("5", 5), ("2", 3)])
def test_immunity_and_resilience_agree_with_the_explicit_route(r: str, n: int) -> None:
    text = GROUPS
    try:
        verigroup.parse(text)
    except SpecError:  # the weak variant's spelling is the language's; drop it if absent
        text = "\n".join(ln for ln in GROUPS.splitlines() if '"resw"' not in ln) + "\n"
    ov = {"r": r, "n": str(n)}
    explicit = verigroup.parse(text, overrides=ov).check(method="explicit")
    counted = verigroup.parse(text, overrides=ov).check(method="counting")
    assert verdicts(counted) == verdicts(explicit)
    assert {x.method for x in counted.results} == {"counting"}


def test_group_evidence_replays_at_thirty_thousand(tmp_path: Path) -> None:
    text = "\n".join(ln for ln in GROUPS.splitlines() if '"resw"' not in ln) + "\n"
    spec = tmp_path / "g.vg"
    spec.write_text(text)
    report = tmp_path / "g.json"
    run(["check", str(spec), "--set", "n=30000", "--format", "json", "-o", str(report)])
    code, out, _ = run(["replay", str(report)])
    assert code == 0 and "population_coalition): re-evaluated" in out and "population_adversaries): re-ev" in out
    doc = json.loads(report.read_text())
    for p in doc["reports"][0]["properties"]:
        if p["evidence"].get("kind") == "population_coalition":
            p["evidence"]["gains"] = ["5"]
    report.write_text(json.dumps(doc))
    code, out, _ = run(["replay", str(report)])
    assert code == 1 and "the coalition's gains are" in out


def test_a_count_over_part_of_a_family_is_not_symmetric() -> None:
    partial = PG.replace("count(j: a[j] == contribute)", "count(j in 1..3: a[j] == contribute)")
    with pytest.raises(NotAnonymous, match="not over the whole family"):
        counting_view(verigroup.parse(partial, overrides={"n": "5"}))
    with pytest.raises(SpecError) as exc:
        verigroup.parse(partial, overrides={"n": "20000"})
    d = exc.value.diagnostics[0]
    assert d.code == "E007" and d.span.line == 5 and "not over the whole family" in d.message
    rep = verigroup.parse(partial, overrides={"n": "5"}).check(method="counting")
    assert all(r.verdict.value == "UNKNOWN" and "not anonymous" in r.message for r in rep.results)


def test_replay_of_a_million_members(tmp_path: Path) -> None:
    spec = tmp_path / "pg.vg"
    spec.write_text(PG)
    report = tmp_path / "big.json"
    run(["check", str(spec), "--set", "n=1000000", "--format", "json", "-o", str(report)])
    code, out, _ = run(["replay", str(report)])
    assert code == 0, out
    assert out.count("re-evaluated with the scalar evaluator") >= 3


MULTI = """game multi
param n = 3
param m = 2
agents car[0..n-1]: actions road, rail
agents truck[1..m]: actions road, rail
agent planner: actions open, close
payoff car[i] = -(count(j: car[j] == road) + 2 * count(k: truck[k] == road) if car[i] == road else 3)
                - (1 if planner == close and car[i] == road else 0)
payoff truck[i] = -(count(j: car[j] == road) + 2 * count(k: truck[k] == road) if truck[i] == road else 4)
payoff planner = count(j: car[j] == rail) - (1 if planner == close else 0)
metric total = sum(i: payoff(car[i])) + sum(k: payoff(truck[k]))
property "count": count(nash) == 0
property "every": for every nash p: total(p) >= -12
property "some": for some nash p: total(p) >= -9
property "exists": exists nash
property "closed": nash {car: road, truck: rail, planner: close}
"""


@pytest.mark.parametrize("n,m", [(1, 1), (2, 3), (3, 2), (4, 1)])
def test_several_families_and_a_single_agent_agree_with_the_explicit_route(n: int, m: int) -> None:
    ov = {"n": str(n), "m": str(m)}
    explicit = verigroup.parse(MULTI, overrides=ov).check(method="explicit")
    counted = verigroup.parse(MULTI, overrides=ov).check(method="counting")
    assert verdicts(counted) == verdicts(explicit)
    sol_e = verigroup.parse(MULTI, overrides=ov).equilibria()
    sol_c = verigroup.parse(MULTI, overrides=ov).equilibria(method="counting")
    assert sum(int(e.extra["multiplicity"]) for e in sol_c.equilibria) == len(sol_e.equilibria)


def test_several_large_families_are_counted() -> None:
    model = verigroup.parse(MULTI, overrides={"n": "20000", "m": "30"})
    assert set(model.counted) == {"car"} or set(model.counted) == {"car", "truck"}
    v = verdicts(model.check())
    assert v["exists"] == "HOLDS" and v["count"] == "VIOLATED"
