"""Language v2 (issue 8, LANG3): ``profile best = argmax(welfare)``.

The optimising profile is bound at check time from the exact metric tensor;
these tests compare the binding with an independent brute force over the
same payoff table (plain Python, no verigroup), on generated games with and
without ties, and check the errors, the report formats and the replay."""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import verigroup
from verigroup.diagnostics import SpecError
from verigroup.verdicts import Verdict

H, V, U = Verdict.HOLDS, Verdict.VIOLATED, Verdict.UNKNOWN

PD = """game pd
agents row, col: actions c, d
payoffs row, col:
    c: (3, 3), (0, 5)
    d: (5, 0), (1, 1)
metric welfare = payoff(row) + payoff(col)
metric gap = abs(payoff(row) - payoff(col))
profile best = argmax(welfare)
profile fair = argmin(gap)
"""


def result(spec: str, name: str) -> Any:
    return next(r for r in verigroup.parse(spec).check().results if r.name == name)


# ------------------------------------------------------------ golden


def test_golden_prisoners_dilemma() -> None:
    spec = PD + "\n".join([
        'property "best is not stable": not nash best',
        'property "welfare at best": welfare(best) == 6 and payoff(row, best) == 3',
        'property "best is the max": welfare(best) == max(welfare)',
        'property "fair is stable": nash fair',
        "",
    ])
    rep = verigroup.parse(spec).check()
    got = {r.name: r.verdict for r in rep.results}
    assert got == {"best is not stable": H, "welfare at best": H, "best is the max": H, "fair is stable": V}
    r = next(r for r in rep.results if r.name == "fair is stable")
    [rec] = r.evidence["argmax"]
    # gap 0 at (c, c) and (d, d): two ties, the first in declaration order is (c, c)
    assert rec["name"] == "fair" and rec["sense"] == "min" and rec["metric"] == "gap"
    assert rec["actions"] == {"row": "c", "col": "c"} and rec["ties"] == 2 and rec["value"] == "0"
    assert rec["tied"] == [{"row": "c", "col": "c"}, {"row": "d", "col": "d"}]
    assert "2 profiles tie" in r.message


def test_the_profile_stays_lazy_in_the_ir() -> None:
    m = verigroup.parse(PD)
    best = m.profiles["best"]
    assert best.lazy and best.actions == () and best.objective == "welfare" and best.sense == "max"
    assert not m.profiles.get("fair") is None and m.profiles["fair"].sense == "min"


# ------------------------------------------- against an independent brute force


def _random_game(rng: random.Random) -> tuple[str, list[list[str]], dict[tuple[int, ...], tuple[int, ...]]]:
    n = rng.choice([2, 3])
    acts = [[f"x{k}" for k in range(rng.choice([2, 3]))] for _ in range(n)]
    names = [f"p{i}" for i in range(n)]
    hi = rng.choice([1, 2, 5])  # small ranges make ties (and degenerate games) common
    pay = {prof: tuple(rng.randint(-hi, hi) for _ in range(n))
           for prof in itertools.product(*(range(len(a)) for a in acts))}
    lines = [f"game g{n}", *(f"agent {nm}: actions {', '.join(a)}" for nm, a in zip(names, acts)),
             f"payoffs {', '.join(names)}:"]
    for head in itertools.product(*(range(len(a)) for a in acts[:-1])):
        cells = ", ".join("(" + ", ".join(str(v) for v in pay[head + (k,)]) + ")" for k in range(len(acts[-1])))
        lines.append(f"    {', '.join(acts[i][j] for i, j in enumerate(head))}: {cells}")
    lines.append("metric welfare = " + " + ".join(f"payoff({nm})" for nm in names))
    lines.append(f"metric first = payoff({names[0]}) - payoff({names[1]})")
    return "\n".join(lines) + "\n", acts, pay


def _is_nash(pay: dict[tuple[int, ...], tuple[int, ...]], acts: list[list[str]], prof: tuple[int, ...]) -> bool:
    return all(pay[prof[:i] + (b,) + prof[i + 1:]][i] <= pay[prof][i]
               for i in range(len(acts)) for b in range(len(acts[i])))


@pytest.mark.parametrize("seed", range(12))
def test_binding_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    src, acts, pay = _random_game(rng)
    src += ("profile best = argmax(welfare)\nprofile low = argmin(first)\n"
            'property "n": nash best\nproperty "m": nash low\n'
            'property "w": welfare(best) >= 0\n')
    rep = {r.name: r for r in verigroup.parse(src).check().results}
    order = list(itertools.product(*(range(len(a)) for a in acts)))  # declaration order
    for prop, metric, pick in (("n", lambda p: sum(pay[p]), max), ("m", lambda p: pay[p][0] - pay[p][1], min)):
        best = pick(metric(p) for p in order)
        tied = [p for p in order if metric(p) == best]
        r = rep[prop]
        [rec] = r.evidence["argmax"]
        names = [f"p{i}" for i in range(len(acts))]
        assert rec["actions"] == {nm: acts[i][tied[0][i]] for i, nm in enumerate(names)}
        assert rec["ties"] == len(tied) and Fraction(rec["value"]) == best
        assert r.verdict == (H if _is_nash(pay, acts, tied[0]) else V)
    total = max(sum(pay[p]) for p in order)
    assert rep["w"].verdict == (H if total >= 0 else V)



@pytest.mark.parametrize("seed", range(6))
def test_z3_route_agrees_on_terms_at_bound_profiles(seed: int) -> None:
    src, acts, pay = _random_game(random.Random(100 + seed))
    src += ("profile best = argmax(welfare)\nprofile low = argmin(first)\n"
            'property "a": welfare(best) >= 2 * payoff(p0, low)\n'
            'property "b": payoff(p1, best) - payoff(p1, low) > 1\n'
            'property "c": nash best\n')
    m = verigroup.parse(src)
    explicit = {r.name: r.verdict for r in m.check().results}
    z3 = {r.name: r.verdict for r in m.check(method="z3").results}
    assert explicit == z3 and U not in explicit.values(), (explicit, z3)


def test_terms_at_profiles_under_a_region_on_the_z3_route() -> None:
    src = ("game g\nparam r = 2\nagents row, col: actions c, d\npayoffs row, col:\n"
           "    c: (r, r), (0, 5)\n    d: (5, 0), (1, 1)\nprofile coop = all c\n"
           'property "coop pays at least 1": payoff(row, coop) >= 1 for r in [1, 3]\n'
           'property "coop pays at least 2": payoff(row, coop) >= 2 for r in [1, 3]\n')
    got = {r.name: r for r in verigroup.parse(src).check().results}
    assert got["coop pays at least 1"].verdict is H
    bad = got["coop pays at least 2"]
    assert bad.verdict is V and Fraction(bad.evidence["params"]["r"]) < 2


# ------------------------------------------------------------ errors


@pytest.mark.parametrize("src,code,words,line,col", [
    ("profile bad = argmx(welfare)", "E110", "not a profile", 8, 15),
    ("profile bad = argmin(welfar)", "E101", "undefined metric", 8, 22),
    ('param r = 1\nprofile b = argmax(welfare)\nproperty "r": nash b for r in [0, 1]', "E110",
     "parameter region", 10, 22),
    ('param r = 1\nprofile b = argmax(welfare)\nproperty "r": nash b and nash b for r in [0, 1]', "E110",
     "parameter region", 10, 33),
    ('profile b = argmax(welfare)\nsynthesize "s": nash b, share', "E701", "argmax", 9, 22),
])
def test_errors_are_positioned(src: str, code: str, words: str, line: int, col: int) -> None:
    text = ("game g\nagents row, col: actions x, y\npayoffs row, col:\n    x: (1, 1), (0, 2)\n"
            "    y: (2, 0), (1, 1)\nmetric welfare = payoff(row) + payoff(col)\nmetric zero = 0\n" + src + "\n")
    with pytest.raises(SpecError) as info:
        verigroup.parse(text)
    d = next(x for x in info.value.diagnostics if x.code == code)
    assert words in d.message + (d.hint or ""), info.value.render()
    assert (d.span.line, d.span.column) == (line, col), info.value.render()
    assert len(info.value.diagnostics) == 1, info.value.render()


@pytest.mark.parametrize("body", ['welfare(argmax(welfare)) == 2', 'payoff(row, argmin(welfare)) >= 1'])
def test_an_inline_argmax_is_told_to_be_named(body: str) -> None:
    with pytest.raises(SpecError) as info:
        verigroup.parse(PD + f'property "x": {body}\n')
    [d] = info.value.diagnostics
    assert d.span.line == 10 and "name it first: profile best = arg" in (d.hint or ""), info.value.render()


def test_a_synthesis_goal_on_the_command_line_refuses_it(tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "a.vg"
    spec.write_text(PD)
    res = cli("synthesize", str(spec), "--goal", "nash:best", "--lever", "share")
    assert res.code == 2 and "E701" in res.err and "argmax/argmin profile" in res.err and "1:6" in res.err, res


def test_protocol_specs_refuse_it() -> None:
    src = ("game e\nagents a, b\nprotocol:\n    a chooses x, y\n    b chooses u, v\n"
           "payoff a = 1\npayoff b = 2\nmetric w = payoff(a) + payoff(b)\nprofile best = argmax(w)\n")
    with pytest.raises(SpecError) as info:
        verigroup.parse(src)
    d = info.value.diagnostics[0]
    assert d.code == "E110" and "protocol" in d.message and (d.span.line, d.span.column) == (9, 16)


def test_counted_population_is_unknown_with_the_position() -> None:
    src = ("game crowd\nparam n = 100000\nagents a[1..n]: actions go, stay\nanonymous a\n"
           "payoff a[i] = (1 if a[i] == go else 0) * (n - count(j: a[j] == go))\n"
           "metric goers = count(j: a[j] == go)\nprofile most = argmax(goers)\n"
           'property "most is stable": nash most\n')
    [r] = verigroup.parse(src).check().results
    assert r.verdict is U and "7:16" in r.message and "counts" in r.message


# ------------------------------------------------------ formats and replay


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif", "html"])
def test_every_report_format_shows_the_binding(fmt: str, tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "a.vg"
    spec.write_text(PD + 'property "f": nash fair\n')
    out = tmp_path / f"out.{fmt}"
    assert cli("check", str(spec), "--format", fmt, "-o", str(out)).code == 1
    text = out.read_text()
    assert "argmin(gap)" in text or '"argmax"' in text
    assert "row=c, col=c" in text or "row: c, col: c" in text or '"row": "c"' in text


def test_explain_names_the_profile(tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "a.vg"
    spec.write_text(PD + 'property "f": nash fair\n')
    res = cli("explain", str(spec))
    assert "fair = argmin(gap) is {row: c, col: c}" in res.out and "first of 2 tied" in res.out, res.out


def test_replay_rederives_the_optimum_and_catches_tampering(tmp_path: Path, cli: Any) -> None:
    spec = tmp_path / "a.vg"
    spec.write_text(PD + 'property "f": nash fair\nproperty "b": welfare(best) == 6\n')
    report = tmp_path / "r.json"
    assert cli("check", str(spec), "--format", "json", "-o", str(report)).code == 1
    res = cli("replay", str(report))
    assert res.code == 0 and "MISMATCH" not in res.out and "attains the minimum gap = 0" in res.out, res.out
    for change, words in (({"actions": {"row": "d", "col": "d"}}, "comes first"),
                          ({"actions": {"row": "c", "col": "d"}, "value": "5"}, "not an argmin"),
                          ({"ties": 1}, "2 profiles attain"),
                          ({"value": "1"}, "the report says 1"),
                          ({"metric": "welfare"}, "the spec says argmin(gap)")):
        doc = json.loads(report.read_text())
        doc["reports"][0]["properties"][0]["evidence"]["argmax"][0].update(change)
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(doc))
        res = cli("replay", str(bad))
        assert res.code != 0 and "MISMATCH" in res.out and words in res.out, (change, res.out)
    doc = json.loads(report.read_text())
    del doc["reports"][0]["properties"][1]["evidence"]["argmax"]
    bad.write_text(json.dumps(doc))
    res = cli("replay", str(bad))
    assert res.code != 0 and "no `argmax` records" in res.out, res.out


def test_fmt_keeps_the_declaration() -> None:
    from verigroup.syntax.fmt import format_spec as format_source

    once = format_source(PD)
    assert "profile best = argmax(welfare)" in once and format_source(once) == once


def test_no_exact_sweep_boundary_is_claimed_over_a_moving_optimum(tmp_path: Path, cli: Any) -> None:
    """A sweep's exact pass decides a property over a region; an argmax
    profile may change inside it, so that pass must not decide it."""
    import dataclasses

    from verigroup.analyses.registry import Context
    from verigroup.api import check_property
    from verigroup.model.expr import Num
    from verigroup.model.properties import ParamRegion

    src = ("game pd\nparam r = 2\nagents row, col: actions c, d\npayoffs row, col:\n"
           "    c: (3, 3), (0, r)\n    d: (r, 0), (1, 1)\nmetric welfare = payoff(row) + payoff(col)\n"
           "profile best = argmax(welfare)\nproperty \"best is stable\": nash best\n")
    m = verigroup.parse(src)
    [prop] = m.properties
    res = check_property(Context(m), dataclasses.replace(prop, region=ParamRegion("r", Num(Fraction(1)),
                                                                                     Num(Fraction(9)))))
    assert res.verdict is U and "not over a region" in res.message
    spec = tmp_path / "s.vg"
    spec.write_text(src)
    out = cli("sweep", str(spec), "--param", "r=1:9:1", "--exact")
    assert out.code == 1 and "(exact)" not in out.out, out.out
    # the grid itself is right: best is (c, c) up to r = 6 (then (c, d) ties/wins), stable up to r = 3
    assert "HOLDS" in out.out and "VIOLATED" in out.out
