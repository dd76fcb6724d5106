"""Every report format renders every evidence shape — generated, not hand-picked.

The checkers are run on a corpus (the bundled specs, the case studies and
``tests/data/evidence_corpus/*.vg``); each distinct *shape* they produce —
(property kind, verdict, evidence ``kind``, which recurring evidence keys
are present) — is rendered in every format (text, JSON, SARIF, Markdown,
HTML, explain, replay) and each rendering must name the shape's key
evidence (the profile, the two sides of a claim, the region, the play, the
strategy …).

Coverage is derived, so new kinds are caught:

* every property kind registered with ``@checker`` must be produced HOLDS
  and VIOLATED by the corpus (a new kind without a corpus spec fails);
* every evidence ``"kind": "…"`` literal in the checkers' source must be
  produced by the corpus, and have a text view
  (:data:`verigroup.reports.evidence.SHAPES`) and an ``explain`` sentence.

To cover a new kind, add a spec to ``tests/data/evidence_corpus/`` that
produces it and register its renderer (see the docstring of
:mod:`verigroup.reports.evidence`).  ``AWAITING`` lists the kinds other
work in progress emits that the corpus cannot produce yet; it must only
shrink (an entry that no longer appears in the source fails the test).
"""

from __future__ import annotations

import html as htmlmod
import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest

from verigroup.api import Report, check_model, load
from verigroup.verdicts import PropertyResult, Verdict

ROOT = Path(__file__).resolve().parent.parent
CORPUS = sorted([*ROOT.glob("specs/*.vg"), *ROOT.glob("specs/protocols/*.vg"), *ROOT.glob("case_studies/*/*.vg"),
                 *(ROOT / "tests/data/evidence_corpus").glob("*.vg")])

# Recurring evidence keys that change how evidence reads (part of a shape).
FACET_KEYS = ("profile", "sides", "region", "params", "play", "strategy", "spoilers", "witness", "equilibrium",
              "witnesses", "checked", "threshold", "parts", "deviation", "coalition", "adversaries")

# Evidence kinds emitted by work in progress (other issues) that no corpus
# spec produces yet.  Only shrink this: add a corpus spec instead.
AWAITING: dict[str, str] = {
    "misreport": "mechanisms (Bayesian incentive compatibility)",
    "participation": "mechanisms (interim individual rationality)",
    "budget": "mechanisms (budget balance)",
    "inefficiency": "mechanisms (efficiency)",
}
# Families of evidence kinds still being built by other work (one prefix
# each); remove the prefix once a corpus spec produces them.
AWAITING_PREFIXES: dict[str, str] = {
    "population_": "populations (issue 9): evidence inside 'for n' counterexamples; corpus spec pending",
}
# Property kinds (registered checkers) the corpus cannot produce both ways yet.
AWAITING_KINDS: dict[str, str] = {
    "Incentive": "mechanisms (incentive properties, work in progress)",
    "SynthesisQuestion": "mechanisms (synthesis, work in progress)",
}
# Verdicts a kind cannot have by construction.
IMPOSSIBLE: set[tuple[str, str]] = set()

_EVIDENCE_KIND = re.compile(r"""["']kind["']\s*:\s*f?["']([a-z_]+\.?)""")


def emitted_evidence_kinds() -> dict[str, str]:
    """``{evidence kind: file}`` for every evidence-kind literal in the
    checkers' source (reports and the result records excluded)."""
    out: dict[str, str] = {}
    for path in sorted((ROOT / "verigroup").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("verigroup/reports/") or rel == "verigroup/verdicts.py":
            continue
        for m in _EVIDENCE_KIND.finditer(path.read_text(encoding="utf-8")):
            out.setdefault(m.group(1), rel)
    return out


def shape_of(r: PropertyResult) -> tuple[str, str, str, tuple[str, ...]]:
    ev = r.evidence if isinstance(r.evidence, dict) else {}
    return (r.kind, r.verdict.value, str(ev.get("kind", "-")), tuple(k for k in FACET_KEYS if k in ev))


@pytest.fixture(scope="module")
def corpus() -> list[tuple[Path, Any, Report]]:
    out = []
    for path in CORPUS:
        model = load(path)
        out.append((path, model, check_model(model, timeout=60)))
    return out


@pytest.fixture(scope="module")
def shapes(corpus: list[tuple[Path, Any, Report]]) -> dict[tuple[Any, ...], tuple[Path, Any, Report, PropertyResult]]:
    """One representative result per shape (the first in corpus order)."""
    out: dict[tuple[Any, ...], tuple[Path, Any, Report, PropertyResult]] = {}
    for path, model, rep in corpus:
        for r in rep.results:
            out.setdefault(shape_of(r), (path, model, rep, r))
    return out


# ------------------------------------------------------------ coverage


def test_every_registered_property_kind_is_produced_both_ways(shapes: dict[Any, Any]) -> None:
    from verigroup.analyses import registry

    registry.load_all()
    kinds = sorted(k.__name__ for k in registry._CHECKERS)
    assert kinds, "no checkers registered"
    seen = {(s[0], s[1]) for s in shapes}
    missing = [(k, v) for k in kinds if k not in AWAITING_KINDS for v in ("HOLDS", "VIOLATED")
               if (k, v) not in seen and (k, v) not in IMPOSSIBLE]
    assert not missing, (f"property kinds without a corpus spec producing them: {missing}; add one to "
                         "tests/data/evidence_corpus/ (see this test's docstring)")


def test_every_emitted_evidence_kind_is_produced_and_rendered(shapes: dict[Any, Any]) -> None:
    from verigroup.reports.evidence import shape_for
    from verigroup.reports.explain import _KINDS

    emitted = emitted_evidence_kinds()
    assert {"deviation", "claim", "threshold", "play", "strategy"} <= set(emitted)  # the scan works
    # a family ("dynamics.") is produced when any of its kinds is
    produced = {s[2] for s in shapes} | {s[2].split(".", 1)[0] + "." for s in shapes if "." in s[2]}
    stale = sorted(k for k in AWAITING if k not in emitted)
    stale += sorted(p for p in AWAITING_PREFIXES if not any(k.startswith(p) for k in emitted))
    assert not stale, f"AWAITING lists kinds no longer emitted: {stale}"
    uncovered = {k: f for k, f in emitted.items() if k not in produced and k not in AWAITING
                 and not k.startswith(tuple(AWAITING_PREFIXES))}
    assert not uncovered, (f"evidence kinds no corpus spec produces: {uncovered}; add a spec to "
                           "tests/data/evidence_corpus/")
    for k in produced - {"-"}:
        family = k.split(".", 1)[0] + ".*"
        assert shape_for(k) is not None, f"evidence kind {k!r} has no text view: register one " \
                                         "(verigroup.reports.evidence)"
        assert k in _KINDS or family in _KINDS, f"evidence kind {k!r} has no explain sentence " \
                                                "(verigroup.reports.explain._KINDS)"


def test_corpus_has_every_verdict_and_the_tricky_shapes(shapes: dict[Any, Any]) -> None:
    verdicts = {s[1] for s in shapes}
    assert verdicts == {"HOLDS", "VIOLATED", "UNKNOWN"}
    facets = {f for s in shapes for f in s[3]}
    assert {"sides", "region", "params", "play", "strategy", "spoilers", "threshold", "parts"} <= facets
    assert len(shapes) >= 40, len(shapes)


# ------------------------------------------------------------ key evidence


def key_values(ev: Any) -> Iterator[str]:
    """Display strings a human rendering of ``ev`` must contain."""
    from verigroup.reports.mathfmt import num, region_from_evidence

    if not isinstance(ev, dict):
        return
    for key in ("profile", "deviation", "opponents"):
        v = ev.get(key)
        if isinstance(v, dict):
            yield from (str(x) for x in v.values())
        elif isinstance(v, str):
            yield v
    for key in ("agent", "victim"):
        if isinstance(ev.get(key), str):
            yield ev[key]
    for key in ("gain", "loss", "threshold", "outside_option"):
        if ev.get(key) is not None:
            yield num(ev[key])
    sides = ev.get("sides")
    if isinstance(sides, dict) and sides:
        yield f"left {num(sides['left'])}, right {num(sides['right'])}"
    for key in ("coalition", "adversaries"):
        if isinstance(ev.get(key), list):
            yield from (str(a) for a in ev[key])
    if ev.get("region") is not None:
        text = region_from_evidence(ev)
        assert text is not None
        yield text
    if isinstance(ev.get("params"), dict):
        yield from (f"{k} = {num(v)}" for k, v in ev["params"].items())
    for step in ev.get("play") or []:
        if isinstance(step, dict) and "move" in step:
            yield step["move"]
    for key in ("strategy", "spoilers"):
        if isinstance(ev.get(key), dict):
            for table in ev[key].values():
                if isinstance(table, dict):
                    yield from (str(m) for m in table.values())
    for p in ev.get("parts") or []:
        yield str(p.get("name"))


def explain_values(ev: Any) -> Iterator[str]:
    """What a narrative must name: who deviates and how much, the two sides,
    the region and the parameter value, the play, the deciding parts."""
    from verigroup.reports.mathfmt import num, region_from_evidence

    if not isinstance(ev, dict):
        return
    for key in ("agent", "victim"):
        if isinstance(ev.get(key), str):
            yield ev[key]
    for key in ("gain", "loss", "threshold"):
        if ev.get(key) is not None:
            yield num(ev[key])
    sides = ev.get("sides")
    if isinstance(sides, dict) and sides:
        yield from (num(sides["left"]), num(sides["right"]))
    if ev.get("region") is not None:
        yield str(region_from_evidence(ev))
    if isinstance(ev.get("params"), dict) and "param" in ev:
        yield from (f"{k} = {num(v)}" for k, v in ev["params"].items())
    for step in ev.get("play") or []:
        if isinstance(step, dict) and "move" in step:
            yield step["move"]
    parts = ev.get("parts") or []
    for k in ev.get("decided_by") or []:
        yield str(parts[k].get("name"))


def one_report(rep: Report, r: PropertyResult) -> Report:
    import dataclasses

    return dataclasses.replace(rep, results=(r,))


def md_plain(s: str) -> str:
    return re.sub(r"\\(.)", r"\1", s)


def html_plain(s: str) -> str:
    s = re.sub(r"<details>.*?</details>", "", s, flags=re.S)  # the raw JSON block is not the view
    return htmlmod.unescape(re.sub(r"<[^>]+>", "", s))


FORMATS = ("text", "json", "sarif", "markdown", "html", "explain")


def render(fmt: str, rep: Report, model: Any) -> str:
    if fmt == "text":
        from verigroup.reports.text import render_report

        return render_report(rep, verbose=True)
    if fmt == "json":
        from verigroup.reports.jsonout import check_document, dumps

        return dumps(check_document([rep], "0.0.0", rep.exit_code))
    if fmt == "sarif":
        from verigroup.reports.sarif import render_sarif

        return render_sarif([rep], [model], "0.0.0")
    if fmt == "markdown":
        from verigroup.reports.markdown import render_markdown

        return render_markdown([rep], [model], "0.0.0")
    if fmt == "html":
        from verigroup.reports.html import render_html

        return render_html([rep], [model], "0.0.0")
    from verigroup.reports.explain import explain_report

    return explain_report(rep, model)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_every_shape_with_its_key_evidence(fmt: str, shapes: dict[Any, Any]) -> None:
    from tests.test_reports_formats import check_html

    problems = []
    pictured: set[Path] = set()
    for shp, (path, model, rep, r) in sorted(shapes.items(), key=lambda kv: str(kv[0])):
        single = one_report(rep, r)
        if fmt == "html" and path in pictured:
            model = None  # the game's pictures are drawn once per spec (see the leak scan for all)
        pictured.add(path)
        out = render(fmt, single, model)
        assert isinstance(out, str) and out.strip(), (fmt, shp)
        wants = list(key_values(r.evidence))
        if fmt == "json":
            doc = json.loads(out)
            got = doc["reports"][0]["properties"][0]
            assert got["verdict"] == r.verdict.value and got["kind"] == r.kind
            assert got["evidence"] == json.loads(json.dumps(r.to_json()["evidence"], default=str)), shp
            continue
        if fmt == "sarif":
            doc = json.loads(out)
            results = doc["runs"][0]["results"]
            if r.verdict is Verdict.HOLDS:
                assert results == [] and doc["runs"][0]["properties"]["verigroup"]["holds"][0]["property"] == r.name
                continue
            (res,) = results
            assert res["properties"]["evidence"] == json.loads(json.dumps(dict(r.evidence), default=str))
            text = res["message"]["text"]
            if len(text) >= 990:  # clipped: the property bag has it all
                wants = wants[:2]
        elif fmt == "markdown":
            text = md_plain(re.sub(r"<details>.*?</details>", "", out, flags=re.S))
        elif fmt == "html":
            check_html(out)
            text = html_plain(out)
        elif fmt == "explain":
            text = out
            if r.verdict is not Verdict.VIOLATED:
                assert r.name in text
                continue
            wants = list(explain_values(r.evidence))
        else:
            text = out
        missing = [w for w in wants if w not in text]
        if missing:
            problems.append(f"{shp} from {path.name} {r.name!r}: missing {missing}")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------ repr leaks

LEAKS = {
    "sympy interval": re.compile(r"\bInterval\.|\bInterval\("),
    "sympy empty set": re.compile(r"\bEmptySet\b"),
    "Fraction repr": re.compile(r"Fraction\("),
    "dict repr": re.compile(r"\{'"),
    "nested list": re.compile(r"\[\["),
    "Python bool": re.compile(r"\b(True|False)\b"),
    "list of quoted names": re.compile(r"\['"),
}


def human_texts(rep: Report, model: Any) -> Iterator[tuple[str, str]]:
    """Everything a person reads: text (verbose), Markdown and HTML without
    their raw JSON blocks (pictures aside: their words are the captions),
    explain, SARIF messages and rule help."""
    from verigroup.reports.html import render_html

    yield "text", render("text", rep, model)
    yield "markdown", re.sub(r"<details>.*?</details>", "", render("markdown", rep, model), flags=re.S)
    yield "html", html_plain(render_html([rep], [model], "0.0.0", pictures=False))
    yield "explain", render("explain", rep, model)
    doc = json.loads(render("sarif", rep, model))
    run = doc["runs"][0]
    yield "sarif", "\n".join([r["message"]["text"] for r in run["results"]]
                             + [d["help"]["text"] for d in run["tool"]["driver"]["rules"]])


def test_no_python_reprs_in_any_human_output(corpus: list[tuple[Path, Any, Report]]) -> None:
    problems = []
    for path, model, rep in corpus:
        for fmt, text in human_texts(rep, model):
            for what, rx in LEAKS.items():
                m = rx.search(text)
                if m:
                    ctx = text[max(0, m.start() - 60): m.end() + 60].replace("\n", " ")
                    problems.append(f"{path.name} [{fmt}] {what}: …{ctx}…")
    assert not problems, "\n".join(problems[:40])


def test_leak_scan_can_fail() -> None:
    """The scan catches what it claims to (a raw sympy set, a dict, a bool)."""
    bad = "delta is in Interval.Ropen(1/2, 1); {'a': 1}; closed [[False, True]]"
    assert {w for w, rx in LEAKS.items() if rx.search(bad)} >= {"sympy interval", "dict repr", "nested list",
                                                                "Python bool"}


# ------------------------------------------------------------ replay


def replay_all(specs: set[Path], corpus: list[tuple[Path, Any, Report]], tmp_path: Path) -> None:
    from verigroup.replay import replay_file
    from verigroup.reports.jsonout import check_document, dumps

    wanted = specs
    failures = []
    for spec, _model, rep in corpus:
        if spec not in wanted:
            continue
        out = tmp_path / (spec.stem + ".json")
        out.write_text(dumps(check_document([rep], "0.0.0", rep.exit_code)), encoding="utf-8")
        res = replay_file(out)
        assert res.render().strip() and json.dumps(res.to_json())
        if not res.ok:
            failures.append(f"{spec.name}: " + "\n".join(
                line for line in res.render().splitlines() if "ok " not in line)[:1500])
    assert not failures, "\n".join(failures)


@pytest.mark.slow
def test_reports_of_every_shape_replay(shapes: dict[Any, Any], corpus: list[tuple[Path, Any, Report]],
                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``replay`` re-checks the JSON report (as ``check --format json``
    writes it) of every spec that contributes a shape, and renders its
    findings in text and JSON."""
    monkeypatch.chdir(ROOT)
    replay_all({v[0] for v in shapes.values()}, corpus, tmp_path)


def test_reports_of_the_shape_corpus_replay(shapes: dict[Any, Any], corpus: list[tuple[Path, Any, Report]],
                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default-suite sample: the specs written for the tricky shapes
    (regions, thresholds, composites, enforcement); the bundled specs'
    reports replay in tests/test_evidence_shapes.py and the slow test above."""
    monkeypatch.chdir(ROOT)
    replay_all({v[0] for v in shapes.values() if "evidence_corpus" in v[0].parts}, corpus, tmp_path)
