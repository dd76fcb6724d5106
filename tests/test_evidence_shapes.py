"""Evidence has one shape per property kind, whichever route decided it.

The explicit (tensor) route and the Z3 route must emit the same evidence
keys, with the same JSON types, for the same property kind and verdict
(docs/report-schema.md, "Evidence"); only ``method``'s value and the Z3
route's own certificate fields may differ.  Reports of both routes must
replay cleanly from the spec alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from verigroup.api import check_model, load, parse
from verigroup.cli.main import main
from verigroup.replay import replay_file
from verigroup.reports.jsonout import dumps

ROOT = Path(__file__).resolve().parent.parent

SPECS = [
    "specs/prisoners_dilemma.vg", "specs/stag_hunt.vg", "specs/public_goods.vg", "specs/hawk_dove.vg",
    "specs/minority_game.vg", "specs/matching_pennies.vg", "specs/rock_paper_scissors.vg",
    "specs/coordination.vg", "specs/cournot_commons.vg",
    "case_studies/llm_pipeline/pipeline.vg", "case_studies/llm_pipeline/pipeline_fixed.vg",
]

# Certificate fields only the Z3 route has (how the proof was obtained).
Z3_ONLY = {"solver", "z3_checks", "z3_profiles"}
# Counts the Z3 route proves without enumerating: null there, a number here.
MAYBE_NULL = {"equilibria"}

# Exercises kinds the spec corpus leaves to the explicit route (claims,
# "for some", a weak-dominance tie, several equilibria).
INLINE = """
game shapes "evidence shapes"
agents alice, bob: actions left, right
agents carol: actions p, q
payoff alice = 1 if alice == bob else 0
payoff bob = 1 if alice == bob else 0
payoff carol = 0
metric welfare = payoff(alice) + payoff(bob)
profile both_left = {alice: left, bob: left, carol: p}
profile mismatch = {alice: left, bob: right, carol: p}
property "max welfare is 2": max(welfare) == 2
property "max welfare is 3": max(welfare) == 3
property "some equilibrium has welfare 2": for some nash p: welfare(p) == 2
property "some equilibrium has welfare 1": for some nash p: welfare(p) == 1
property "every equilibrium pays alice 1": for every nash p: payoff(alice, p) == 1
property "every equilibrium reaches max welfare": for every nash p: welfare(p) >= max(welfare)
property "an equilibrium exists": exists nash
property "the equilibrium is unique": unique nash
property "left is dominant for alice": dominant(alice, left)
property "p is dominant for carol": dominant(carol, p)
property "both left is an equilibrium": nash both_left
property "mismatch is an equilibrium": nash mismatch
"""


def _json(result: Any) -> dict[str, Any]:
    return json.loads(dumps(result.to_json()))  # type: ignore[no-any-return]


def shape(v: Any, key: str = "") -> Any:
    """The JSON type skeleton: keys of records, types of leaves."""
    if isinstance(v, dict):
        return {k: shape(x, k) for k, x in v.items()}
    if isinstance(v, list):
        return [shape(x, key) for x in v[:1]]
    if v is None or isinstance(v, int) and not isinstance(v, bool):
        return "count" if key in MAYBE_NULL else type(v).__name__
    return type(v).__name__


def shape_difference(explicit: Any, z3: Any, path: str = "evidence") -> str | None:
    if isinstance(explicit, dict) and isinstance(z3, dict):
        a, b = set(explicit), set(z3) - (Z3_ONLY if path == "evidence" else set())
        if a != b:
            return f"{path}: keys only explicit {sorted(a - b)}, only z3 {sorted(b - a)}"
        for k in sorted(a):
            d = shape_difference(explicit[k], z3[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(explicit, list) and isinstance(z3, list):
        for x, y in zip(explicit, z3):
            d = shape_difference(x, y, f"{path}[]")
            if d:
                return d
        return None
    return None if explicit == z3 else f"{path}: {explicit!r} vs {z3!r}"


def both_routes(model: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(explicit, z3) JSON results of every property the Z3 route decided."""
    out = []
    for ex, z in zip(check_model(model).results, check_model(model, method="z3").results):
        je, jz = _json(ex), _json(z)
        if "z3" not in jz["method"] or "z3" in je["method"] or "UNKNOWN" in (je["verdict"], jz["verdict"]):
            continue  # one route only (Z3 fallback, parameter regions), or one route did not decide
        out.append((je, jz))
    return out


def _models() -> list[tuple[str, Any]]:
    return [(p, load(ROOT / p)) for p in SPECS] + [("inline", parse(INLINE, "inline.vg"))]


@pytest.fixture(scope="module")
def decided() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [(name, e, z) for name, m in _models() for e, z in both_routes(m)]


def test_same_evidence_keys_and_shapes_per_property(decided: list[Any]) -> None:
    assert decided
    for name, e, z in decided:
        assert e["verdict"] == z["verdict"], (name, e["name"])
        assert e["kind"] == z["kind"]
        d = shape_difference(shape(e["evidence"]), shape(z["evidence"]))
        assert d is None, f"{name} {e['name']!r} ({e['verdict']}): {d}"


def test_every_z3_kind_and_verdict_is_covered(decided: list[Any]) -> None:
    seen = {(e["kind"], e["verdict"]) for _, e, _ in decided}
    for kind in ("IsEquilibrium", "Dominant", "Existence", "Quantified", "Claim"):
        for verdict in ("HOLDS", "VIOLATED"):
            assert (kind, verdict) in seen, (kind, verdict)


def test_counterexamples_agree_value_for_value(decided: list[Any]) -> None:
    """Both routes report the same (lexicographically first) counterexample;
    only the explicit route lists the equilibria it examined (``checked``)."""
    skip = MAYBE_NULL | {"method", "checked"}
    for name, e, z in decided:
        if e["verdict"] != "VIOLATED":
            continue
        a = {k: v for k, v in e["evidence"].items() if k not in skip}
        b = {k: v for k, v in z["evidence"].items() if k not in skip}
        assert a == b, (name, e["name"])


def test_z3_certificates_name_what_they_prove(decided: list[Any]) -> None:
    for _, _, z in decided:
        ev = z["evidence"]
        if z["verdict"] == "HOLDS":
            assert ev["solver"] == "z3" and ev["z3_checks"] and int(ev["z3_profiles"]) >= 1
        if "equilibria" in ev:
            assert ev["equilibria"] is None or isinstance(ev["equilibria"], int)


def test_inline_multiplicity_shows_two_distinct_equilibria() -> None:
    # alice/bob coordinate (2 ways) and carol is indifferent: 4 pure equilibria.
    model = parse(INLINE, "inline.vg")
    r = next(x for x in check_model(model, method="z3").results if x.name == "the equilibrium is unique")
    ev = _json(r)["evidence"]
    assert ev["kind"] == "multiplicity" and ev["equilibria"] is None
    profiles = [{a: next(iter(s)) for a, s in w["strategies"].items()} for w in ev["witnesses"]]
    assert len(profiles) == 2 and profiles[0] != profiles[1]
    for prof in profiles:
        assert prof["alice"] == prof["bob"]


def test_profile_certificates_name_the_profile() -> None:
    """Coalition, immunity, robustness and equilibrium certificates carry the
    property's own profile."""
    text = INLINE + """
property "strong": strong_nash(both_left)
property "cpne": coalition_proof(both_left)
property "2-resilient": resilient(both_left, k = 2)
property "immune": immune(both_left, t = 0)
property "robust": robust(both_left, k = 1, t = 0)
"""
    model = parse(text, "inline.vg")
    props: dict[str, Any] = {p.name: p for p in model.properties}
    for r in check_model(model).results:
        if r.kind not in ("CoalitionStable", "Immune", "Robust", "IsEquilibrium") or r.verdict.name != "HOLDS":
            continue
        want = dict(zip((a.name for a in model.agents), props[r.name].profile.actions))
        assert r.evidence["profile"] == want, r.name


@pytest.mark.parametrize("spec", SPECS[:4] + SPECS[-2:])
@pytest.mark.parametrize("route", [[], ["--method", "z3"]], ids=["explicit", "z3"])
def test_reports_of_both_routes_replay(spec: str, route: list[str], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "report.json"
    code = main(["check", spec, "--format", "json", "-o", str(out), *route])
    assert code in (0, 1)
    res = replay_file(out)
    assert res.ok, res.render()
    assert res.count("ok") > 0


@pytest.mark.parametrize("route", [[], ["--method", "z3"]], ids=["explicit", "z3"])
def test_inline_reports_replay(route: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Claims, "for some", ties and multiplicity replay on both routes."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inline.vg").write_text(INLINE)
    main(["check", "inline.vg", "--format", "json", "-o", "report.json", *route])
    res = replay_file(tmp_path / "report.json")
    assert res.ok, res.render()
