"""SARIF 2.1.0 output for code-scanning UIs (GitHub code scanning and others).

Mapping (documented in docs/ci-gate.md):

* one ``run``; ``tool.driver`` is verigroup with one rule per property kind
  used (rule id = the kind, e.g. ``Quantified``);
* one ``result`` per VIOLATED property (``level: "error"``) and per UNKNOWN
  property (``level: "warning"``; ``kind`` is left at its default ``"fail"``
  because SARIF requires ``level: "none"`` for every other kind, and an
  inconclusive audit must not look clean);
* HOLDS properties are **not** results: GitHub code scanning shows every
  result as an alert, ``"kind": "pass"`` included, so they are listed in the
  run's property bag (``properties.verigroup.holds``) for the audit trail;
* each rule has ``help`` (text and Markdown: what an alert means, how to
  reproduce and replay it);
* each result points at the property declaration (spec path relative to
  the repository root — the nearest ``.git`` above the working directory —
  with forward slashes, or an absolute ``file:`` URI for a spec outside it, ``region.startLine`` /
  ``startColumn`` from the property's span; columns count Unicode code
  points, declared by ``run.columnKind``), carries a stable
  ``partialFingerprints`` entry (spec path, kind and name, so an alert
  survives edits that move the line), and the full evidence in its
  property bag.

The output is deterministic: sorted keys, results in report then declaration
order, no timestamps, so the same input yields byte-identical SARIF.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from typing import TYPE_CHECKING, Any, Sequence
from urllib.parse import quote

from verigroup.reports.jsonout import dumps, summary
from verigroup.reports.markdown import clip, result_items
from verigroup.reports.mathfmt import humanize
from verigroup.verdicts import PropertyResult, Verdict, q

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.api import Report
    from verigroup.model.model import Model

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/verigroup/"
FINGERPRINT_KEY = "verigroupProperty/v1"
MESSAGE_LIMIT = 1000

_WITNESS_KEYS = ("profile", "deviation", "coalition", "adversaries", "witness", "equilibrium", "opponents")
_LEVEL = {Verdict.VIOLATED: "error", Verdict.UNKNOWN: "warning"}

# Short descriptions of the property kinds (rule ids); unknown kinds fall
# back to the first line of the property class's docstring.
RULE_TEXT: dict[str, str] = {
    "IsEquilibrium": "The given profile is a pure Nash equilibrium.",
    "Dominant": "The given action is a dominant strategy for each listed agent.",
    "Quantified": "A condition holds at every (or some) equilibrium of a solution concept.",
    "Claim": "A closed claim about the game (price of anarchy, equilibrium counts, metric bounds) is true.",
    "CoalitionStable": "No coalition can profitably deviate from the profile (strong / coalition-proof / k-resilient).",
    "Immune": "No set of at most t adversaries can hurt the other agents (t-immunity).",
    "Robust": "The profile is (k,t)-robust: k-resilient and t-immune together.",
    "OptimumIsEquilibrium": "Some optimal profile of the metric is a pure Nash equilibrium.",
    "ParetoEfficient": "Every equilibrium of the concept is Pareto efficient.",
    "IndividuallyRational": "Every agent gets at least its outside option at the profile.",
    "Existence": "An equilibrium of the concept exists (or exactly one does).",
}


def render_sarif(reports: Sequence["Report"], models: Sequence["Model | None"] | None = None,
                 version: str = "") -> str:
    """The SARIF 2.1.0 log of the given reports, as text (``models`` is
    accepted for a uniform renderer signature; SARIF does not use it)."""
    return dumps(sarif_log(reports, version))


def sarif_log(reports: Sequence["Report"], version: str = "") -> dict[str, Any]:
    kinds = sorted({r.kind for rep in reports for r in rep.results})
    rule_index = {k: i for i, k in enumerate(kinds)}
    uris: list[str] = []
    for rep in reports:
        u = artifact_uri(rep.spec)
        if u not in uris:
            uris.append(u)
    results: list[dict[str, Any]] = []
    holds: list[dict[str, Any]] = []
    for rep in reports:
        for r in rep.results:
            uri = artifact_uri(r.span.file if r.span.line > 0 and r.span.file not in ("", "<spec>") else rep.spec)
            if uri not in uris:
                uris.append(uri)
            if r.verdict is Verdict.HOLDS:
                holds.append({"property": r.name, "kind": r.kind, "method": r.method, "uri": uri,
                              "line": max(r.span.line, 0), "column": max(r.span.column, 0)})
                continue
            results.append(_result(rep, r, uri, uris.index(uri), rule_index[r.kind]))
    artifacts = []
    for u in uris:
        art: dict[str, Any] = {"location": _location(u), "roles": ["analysisTarget"]}
        digests = {_hex_digest(rep.spec_hash) for rep in reports if artifact_uri(rep.spec) == u}
        digests.discard("")
        if len(digests) == 1:
            art["hashes"] = {"sha-256": digests.pop()}
        artifacts.append(art)
    driver: dict[str, Any] = {
        "name": "verigroup",
        "informationUri": INFORMATION_URI,
        "rules": [_rule(k) for k in kinds],
    }
    if version:
        driver["version"] = version
        if re.fullmatch(r"\d+\.\d+\.\d+", version):
            driver["semanticVersion"] = version
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "artifacts": artifacts,
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "verigroup": {
                "specs": [_spec_summary(rep) for rep in reports],
                "holds": holds,
            }
        },
    }
    if any(not u.startswith("file:") for u in uris):
        # relative artifact URIs resolve against the repository root
        # (SARIF 3.14.14); code-scanning services map SRCROOT to the checkout
        root = repo_root(posixpath.normpath(os.getcwd().replace("\\", "/")))
        run["originalUriBaseIds"] = {SRCROOT: {"uri": "file://" + quote(root.rstrip("/") + "/", safe=_SAFE)}}
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


SRCROOT = "SRCROOT"


def _location(uri: str) -> dict[str, Any]:
    """An artifactLocation: repository-relative URIs name their base."""
    if uri and not uri.startswith("file:"):
        return {"uri": uri, "uriBaseId": SRCROOT}
    return {"uri": uri}


def _rule(kind: str) -> dict[str, Any]:
    text = humanize(RULE_TEXT.get(kind) or _doc_line(kind) or f"verigroup property of kind {kind}.")
    help_text, help_md = rule_help(kind, text)
    return {
        "id": kind,
        "name": kind,
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["verigroup", "group-alignment"]},
    }


def rule_help(kind: str, text: str) -> tuple[str, str]:
    """Help for a rule (plain text and Markdown): what the property kind
    checks, what an alert means, and how to reproduce and read it."""
    body = (f"{text} An error-level alert means verigroup found a counterexample (VIOLATED): the "
            "alert message names it, and the result's property bag holds the full evidence. A "
            "warning-level alert means the property could not be decided (UNKNOWN: a timeout, a size "
            "limit or a solver that gave up); the message gives the reason. To reproduce: "
            "`verigroup check SPEC --format json -o report.json`, then `verigroup replay report.json` "
            "re-checks every counterexample from the spec alone, and `verigroup explain SPEC` tells "
            "the story in plain language. The property language is described in docs/language.md.")
    md_ = (f"**{kind}** — {text}\n\n"
           "* **error** (VIOLATED): the message names the counterexample; the full evidence is in the "
           "result's properties.\n"
           "* **warning** (UNKNOWN): undecided (timeout, size limit, solver gave up); the message says why.\n\n"
           "Reproduce with `verigroup check SPEC --format json -o report.json`, re-check the evidence "
           "with `verigroup replay report.json`, read it with `verigroup explain SPEC`.")
    return body, md_


def _doc_line(kind: str) -> str:
    from verigroup.model import properties

    cls = getattr(properties, kind, None)
    doc = getattr(cls, "__doc__", None) if isinstance(cls, type) else None
    if not doc:
        return ""
    return " ".join(doc.strip().split("\n\n")[0].split()).replace("``", "`")


def _result(rep: "Report", r: PropertyResult, uri: str, art_index: int, rule: int) -> dict[str, Any]:
    phys: dict[str, Any] = {"artifactLocation": {**_location(uri), "index": art_index}}
    if r.span.line > 0:
        region: dict[str, Any] = {"startLine": r.span.line}
        if r.span.column > 0:
            region["startColumn"] = r.span.column
        if r.span.end_line >= r.span.line and r.span.end_line > 0:
            region["endLine"] = r.span.end_line
            if r.span.end_column > 0 and (r.span.end_line > r.span.line or r.span.end_column > r.span.column):
                region["endColumn"] = r.span.end_column
        phys["region"] = region
    fp = hashlib.sha256("\x00".join((uri, r.kind, r.name)).encode("utf-8")).hexdigest()
    return {
        "ruleId": r.kind,
        "ruleIndex": rule,
        "level": _LEVEL[r.verdict],
        "message": {"text": message_text(r)},
        "locations": [{
            "physicalLocation": phys,
            "logicalLocations": [{"name": r.name, "kind": "property",
                                  "fullyQualifiedName": f"{rep.game}/{r.name}"}],
        }],
        "partialFingerprints": {FINGERPRINT_KEY: fp},
        "properties": {
            "property": r.name,
            "verdict": r.verdict.value,
            "method": r.method,
            "game": rep.game,
            "specHash": rep.spec_hash,
            "evidence": dict(r.evidence),
        },
    }


def message_text(r: PropertyResult) -> str:
    """``name: VERDICT. message. Counterexample: profile: …; payoffs: …``."""
    head = f"{r.name}: {r.verdict.value}"
    if r.message:
        head += f". {humanize(r.message).rstrip('.')}"
    items = [(k, v) for k, v in result_items(r, limit=200) if k not in ("kind", "trace")]
    if r.verdict is Verdict.UNKNOWN:
        reason = r.evidence.get("reason")
        tail = f" Reason: {humanize(str(reason))}." if reason and str(reason) != r.message else ""
        return clip(head + "." + tail, MESSAGE_LIMIT)
    if items:
        label = "Counterexample" if any(k in r.evidence for k in _WITNESS_KEYS) else "Evidence"
        ce = "; ".join(v if k == "counterexample" else f"{k}: {v}" for k, v in items)
        return clip(f"{head}. {label}: {ce}", MESSAGE_LIMIT)
    return clip(head + ".", MESSAGE_LIMIT)


def _spec_summary(rep: "Report") -> dict[str, Any]:
    return {
        "uri": artifact_uri(rep.spec),
        "hash": rep.spec_hash,
        "game": rep.game,
        "params": {k: q(v) for k, v in sorted(rep.params.items())},
        "summary": summary(rep),
    }


def _hex_digest(spec_hash: str) -> str:
    algo, _, hexd = spec_hash.partition(":")
    return hexd if algo == "sha256" and re.fullmatch(r"[0-9a-f]{64}", hexd) else ""


_SAFE = "/-._~!$&'()*+,;=@"


def repo_root(start: str) -> str:
    """The nearest directory at or above ``start`` holding ``.git`` (the
    repository code scanning resolves paths against), else ``start``."""
    d = posixpath.normpath(start.replace("\\", "/"))
    probe = d
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        parent = posixpath.dirname(probe)
        if parent == probe:
            return d
        probe = parent


def artifact_uri(path: str, cwd: str | None = None) -> str:
    """A URI reference for a spec path: relative to the repository root
    (the nearest ``.git`` at or above ``cwd``, default the working
    directory; ``cwd`` itself outside a repository) when the file lies
    under it, forward slashes, percent-encoded; an absolute ``file:`` URI
    otherwise (e.g. ``../other/x.vg`` leaving the repository)."""
    p = path.replace("\\", "/")
    if re.match(r"^[A-Za-z]:/", p):  # a Windows drive path
        return "file:///" + quote(posixpath.normpath(p), safe=_SAFE + ":")
    here = posixpath.normpath((cwd or os.getcwd()).replace("\\", "/"))
    base = repo_root(here)
    if not p:
        return ""
    absolute = posixpath.normpath(p if p.startswith("/") else posixpath.join(here, p))
    if base != "/" and not absolute.startswith(base.rstrip("/") + "/"):
        return "file://" + quote(absolute, safe=_SAFE)
    return quote(posixpath.relpath(absolute, base), safe=_SAFE)
