"""Language v2 (issue 8): the property algebra.

``not``/``and``/``or``/``implies`` over whole properties are decided in
three-valued (Kleene) logic from the parts' verdicts.  The hypothesis tests
state each composite and its parts as separate properties of one spec and
compare the composite's verdict with the truth table applied to the parts'
verdicts (checked separately), plus De Morgan and double negation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import verigroup
from verigroup.analyses.algebra import kleene
from verigroup.diagnostics import SpecError
from verigroup.model import properties as P
from verigroup.verdicts import Verdict

H, V, U = Verdict.HOLDS, Verdict.VIOLATED, Verdict.UNKNOWN


def game(a: tuple[int, ...], b: tuple[int, ...]) -> str:
    """A 2x2 game over actions x, y: row's payoffs ``a`` and col's ``b`` in
    the order (x,x), (x,y), (y,x), (y,y)."""
    def table(v: tuple[int, ...]) -> str:
        return (f"{v[0]} if row == x and col == x else ({v[1]} if row == x else "
                f"({v[2]} if col == x else {v[3]}))")
    return ("game g\nagents row, col: actions x, y\n"
            f"payoff row = {table(a)}\npayoff col = {table(b)}\n"
            "metric welfare = payoff(row) + payoff(col)\nmetric zero = 0\n"
            "profile xx = all x\n")


PD = game((3, 0, 5, 1), (3, 5, 0, 1))  # x = cooperate, y = defect

# Atomic properties: always HOLDS/VIOLATED, and one that is always UNKNOWN
# (a price of anarchy with a zero denominator).
ATOMS = [
    "nash xx",
    "nash {row: y, col: y}",
    "strictly dominant(row, y)",
    "weakly dominant(col, x)",
    "exists nash",
    "unique nash",
    "for every nash p: payoff(row, p) >= 2",
    "for some nash p: welfare(p) >= welfare(xx)",
    "price_of_anarchy(zero) <= 1",
]


def verdicts(spec: str) -> dict[str, Verdict]:
    return {r.name: r.verdict for r in verigroup.parse(spec).check().results}


def result(spec: str, name: str) -> Any:
    return next(r for r in verigroup.parse(spec).check().results if r.name == name)


# ------------------------------------------------------------ golden


def test_golden_prisoners_dilemma() -> None:
    spec = PD + "\n".join([
        'property "both defect dominantly": strictly dominant(row, y) and strictly dominant(col, y)',
        'property "parenthesised": (strictly dominant(row, y)) and (strictly dominant(col, y))',
        'property "cooperation unstable": not nash xx',
        'property "or": nash xx or nash {row: y, col: y}',
        'property "implies": exists nash implies (for every nash p: welfare(p) <= welfare(xx))',
        'property "false conjunct": exists nash and nash xx',
        'property "vacuous": nash xx implies unique nash',
    ]) + "\n"
    got = verdicts(spec)
    assert got == {"both defect dominantly": H, "parenthesised": H, "cooperation unstable": H, "or": H,
                   "implies": H, "false conjunct": V, "vacuous": H}


def test_resolution_builds_composites() -> None:
    m = verigroup.parse(PD + 'property "c": not (exists nash and not unique nash) or nash xx\n')
    (c,) = m.properties
    assert isinstance(c, P.Composite) and c.op == "or"
    left, right = c.parts
    assert isinstance(left, P.Composite) and left.op == "not"
    inner = left.parts[0]
    assert isinstance(inner, P.Composite) and inner.op == "and"
    assert isinstance(inner.parts[0], P.Existence) and isinstance(inner.parts[1], P.Composite)
    assert isinstance(right, P.IsEquilibrium)
    assert [p.name for p in c.parts] == ["c/1", "c/2"]


def test_and_chains_flatten_and_numeric_claims_stay_claims() -> None:
    m = verigroup.parse(PD + 'property "n": exists nash and unique nash and nash xx\n'
                        'property "claim": count(nash) >= 1 and max(welfare) > 2\n')
    n, claim = m.properties
    assert isinstance(n, P.Composite) and len(n.parts) == 3
    assert isinstance(claim, P.Claim)


def test_conjunction_counterexample_is_the_failing_conjuncts() -> None:
    spec = PD + 'property "c": exists nash and nash xx\nproperty "alone": nash xx\n'
    res = {r.name: r for r in verigroup.parse(spec).check().results}
    c, alone = res["c"], res["alone"]
    assert c.verdict is V and c.evidence["decided_by"] == [1]
    part = c.evidence["parts"][1]
    assert part["verdict"] == "VIOLATED"
    assert part["evidence"] == json.loads(json.dumps(alone.to_json()["evidence"]))


def test_negation_certificate_is_the_inner_counterexample() -> None:
    spec = PD + 'property "c": not nash xx\nproperty "alone": nash xx\n'
    res = {r.name: r for r in verigroup.parse(spec).check().results}
    c = res["c"]
    assert c.verdict is H and c.evidence["decided_by"] == [0]
    assert c.evidence["parts"][0]["verdict"] == "VIOLATED"
    assert c.evidence["parts"][0]["evidence"] == res["alone"].evidence


def test_unknown_propagates() -> None:
    unknown = "price_of_anarchy(zero) <= 1"
    spec = PD + "\n".join([
        f'property "u": {unknown}',
        f'property "not u": not ({unknown})',
        f'property "u and true": ({unknown}) and exists nash',
        f'property "u and false": ({unknown}) and nash xx',
        f'property "u or true": ({unknown}) or exists nash',
        f'property "u or false": ({unknown}) or nash xx',
        f'property "false implies u": nash xx implies ({unknown})',
        f'property "u implies true": ({unknown}) implies exists nash',
        f'property "true implies u": exists nash implies ({unknown})',
    ]) + "\n"
    got = verdicts(spec)
    assert got == {"u": U, "not u": U, "u and true": U, "u and false": V, "u or true": H,
                   "u or false": U, "false implies u": H, "u implies true": H, "true implies u": U}
    r = result(spec, "u and true")
    assert "UNKNOWN" in r.message and "reason" in r.evidence


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif", "html"])
def test_every_report_format_renders_a_composite(fmt: str, tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "c.vg"
    spec.write_text(PD + 'property "c": exists nash and nash xx\n')
    out = tmp_path / f"out.{fmt}"
    res = cli("check", str(spec), "--format", fmt, "-o", str(out))
    assert res.code == 1, res
    text = out.read_text()
    assert '"c"' in text or "c" in text
    if fmt == "json":
        doc = json.loads(text)
        p = doc["reports"][0]["properties"][0]
        assert p["kind"] == "Composite" and p["verdict"] == "VIOLATED"


def test_replay_rechecks_composites_and_catches_tampering(tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "c.vg"
    spec.write_text(PD + 'property "c": exists nash and nash xx\n'
                    'property "d": not (for every nash p: welfare(p) >= 3)\n'
                    'property "e": nash xx or strictly dominant(row, x)\n')
    report = tmp_path / "r.json"
    assert cli("check", str(spec), "--format", "json", "-o", str(report)).code == 1
    res = cli("replay", str(report))
    assert res.code == 0 and "MISMATCH" not in res.out, res.out
    doc = json.loads(report.read_text())
    # flip the failing conjunct's gain: the part's counterexample no longer re-checks
    part = doc["reports"][0]["properties"][0]["evidence"]["parts"][1]
    part["evidence"]["gain"] = "7"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    res = cli("replay", str(bad))
    assert res.code != 0 and "MISMATCH" in res.out, res.out
    # a verdict that does not follow from the parts
    doc = json.loads(report.read_text())
    doc["reports"][0]["properties"][1]["evidence"]["parts"][0]["verdict"] = "HOLDS"
    bad.write_text(json.dumps(doc))
    res = cli("replay", str(bad))
    assert res.code != 0 and "MISMATCH" in res.out, res.out


# ------------------------------------------------------------ errors


@pytest.mark.parametrize("src,code,words,line,col", [
    ('payoff row = 1 if nash xx else 0', "E110", "whole property", 2, 19),
    ('property "r": (nash xx) or (exists nash) for r in [0, 1]', "E112", "conjunction", 2, 42),
    ('property "f": (dominant(row, x)) and (exists nash) for all i', "E110", "for all", 2, 52),
    ('property "q": for every nash p: nash xx', "E110", "whole property", 2, 33),
    ('property "w": welfare(nash xx) >= 1', "E103", "one profile", 2, 15),
])
def test_algebra_errors_are_positioned(src: str, code: str, words: str, line: int, col: int) -> None:
    text = ("game g\n" + src + "\nagents row, col: actions x, y\npayoff col = 1\nprofile xx = all x\n"
            "metric welfare = payoff(row)\nparam r = 1\n")
    if not src.startswith("payoff"):
        text += "payoff row = 1\n"
    with pytest.raises(SpecError) as info:
        verigroup.parse(text)
    d = info.value.diagnostics[0]
    assert d.code == code and words in d.message + (d.hint or ""), info.value.render()
    assert (d.span.line, d.span.column) == (line, col), info.value.render()
    assert len([x for x in info.value.diagnostics if x.code == code]) == 1


def test_a_region_on_a_conjunction_goes_to_each_conjunct() -> None:
    src = ("game g\nparam r = 2\nagents row, col: actions x, y\n"
           "payoff row = r if row == x else 1\npayoff col = r if col == x else 1\n"
           'property "c": (strictly dominant(row, x)) and (strictly dominant(col, x)) for r in [3/2, 4]\n')
    (c,) = verigroup.parse(src).properties
    assert isinstance(c, P.Composite) and c.region is None
    assert all(p.region is not None and p.region.param == "r" for p in c.parts)


# ------------------------------------------------------------ three-valued laws


def test_kleene_tables() -> None:
    vals = [H, V, U]
    for a in vals:
        for b in vals:
            for op in ("and", "or", "implies"):
                assert kleene(op, [a, b])[0] is evaluate((op, 0, 1), [a, b])  # type: ignore[arg-type]
        assert kleene("not", [kleene("not", [a])[0]])[0] is a
        for b in vals:
            assert kleene("implies", [a, b])[0] is kleene("or", [kleene("not", [a])[0], b])[0]
            assert kleene("not", [kleene("and", [a, b])[0]])[0] is kleene(
                "or", [kleene("not", [a])[0], kleene("not", [b])[0]])[0]


_SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
payoffs = st.tuples(*[st.integers(0, 3)] * 4)


@st.composite
def formulas(draw: Any, depth: int = 2) -> tuple[str, Any]:
    """(spec text of a formula over ATOMS, the same formula as a tree of atom indices)."""
    if depth == 0 or draw(st.booleans()):
        k = draw(st.integers(0, len(ATOMS) - 1))
        return f"({ATOMS[k]})", k
    op = draw(st.sampled_from(["not", "and", "or", "implies"]))
    if op == "not":
        text, tree = draw(formulas(depth - 1))
        return f"(not {text})", ("not", tree)
    (lt, ltree), (rt, rtree) = draw(formulas(depth - 1)), draw(formulas(depth - 1))
    return f"({lt} {op} {rt})", (op, ltree, rtree)


# Kleene logic as min/max over V < U < H, independently of the checker's tables.
_RANK = {V: 0, U: 1, H: 2}
_OF = {0: V, 1: U, 2: H}


def evaluate(tree: Any, atoms: list[Verdict]) -> Verdict:
    if isinstance(tree, int):
        return atoms[tree]
    if tree[0] == "not":
        return _OF[2 - _RANK[evaluate(tree[1], atoms)]]
    a, b = _RANK[evaluate(tree[1], atoms)], _RANK[evaluate(tree[2], atoms)]
    return _OF[{"and": min(a, b), "or": max(a, b), "implies": max(2 - a, b)}[tree[0]]]


def atoms_and(spec: str, extra: dict[str, str]) -> tuple[list[Verdict], dict[str, Verdict]]:
    lines = [f'property "atom{k}": {a}' for k, a in enumerate(ATOMS)]
    lines += [f'property "{n}": {f}' for n, f in extra.items()]
    got = verdicts(spec + "\n".join(lines) + "\n")
    return [got[f"atom{k}"] for k in range(len(ATOMS))], got


@_SLOW
@given(payoffs, payoffs, formulas())
def test_composite_matches_its_parts(a: Any, b: Any, f: Any) -> None:
    text, tree = f
    atoms, got = atoms_and(game(a, b), {"f": text})
    assert got["f"] is evaluate(tree, atoms), (text, atoms)


@_SLOW
@given(payoffs, payoffs, formulas(depth=1), formulas(depth=1))
def test_de_morgan_and_double_negation(a: Any, b: Any, f: Any, g: Any) -> None:
    (ft, _), (gt, _) = f, g
    _, got = atoms_and(game(a, b), {
        "nand": f"not ({ft} and {gt})", "or-of-nots": f"(not {ft}) or (not {gt})",
        "nor": f"not ({ft} or {gt})", "and-of-nots": f"(not {ft}) and (not {gt})",
        "f": ft, "notnot": f"not (not {ft})",
    })
    assert got["nand"] is got["or-of-nots"]
    assert got["nor"] is got["and-of-nots"]
    assert got["notnot"] is got["f"]
