"""Reading a ``verigroup.check/1`` report and loading the spec it names: the
spec is found relative to the current directory, else to the report's
directory, parsed with the report's parameter values, and its hash and game
name compared with the recorded ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from verigroup.diagnostics import SpecError, Span
from verigroup.model.model import Model
from verigroup.replay.result import Finding

CHECK_SCHEMA = "verigroup.check/1"
_WRITE_ONE = "write one with `verigroup check SPEC --format json -o REPORT.json`"


def _not_a_report(message: str, span: Span, hint: str | None = None) -> SpecError:
    return SpecError.single("E301", message, span, hint=hint)


def parse_document(text: str, path: str) -> dict[str, Any]:
    span = Span(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _not_a_report(f"{path} is not a verigroup check report: invalid JSON "
                            f"({exc.msg} at line {exc.lineno}, column {exc.colno})",
                            Span(path, exc.lineno, exc.colno), _WRITE_ONE)
    if not isinstance(doc, dict) or "schema" not in doc:
        raise _not_a_report(f"{path} is not a verigroup check report (no \"schema\" field)", span, _WRITE_ONE)
    if doc["schema"] != CHECK_SCHEMA:
        raise _not_a_report(f"{path} has schema {doc['schema']!r}; replay reads {CHECK_SCHEMA!r} documents",
                            span, "replay re-checks the JSON of `verigroup check`, not of `solve`")
    reports = doc.get("reports")
    ok = isinstance(reports, list) and all(
        isinstance(r, dict) and isinstance(r.get("spec"), dict) and isinstance(r["spec"].get("path"), str)
        and isinstance(r["spec"].get("params", {}), dict) and isinstance(r.get("properties"), list)
        and all(isinstance(p, dict) and isinstance(p.get("name"), str) for p in r["properties"])
        for r in reports)
    if not ok:
        raise _not_a_report(f"{path}: malformed {CHECK_SCHEMA} document (each report needs "
                            "spec.path, spec.params and a properties list)", span)
    return doc


def locate_spec(spec_path: str, report_path: Path) -> Path | None:
    p = Path(spec_path)
    if p.exists():
        return p
    alt = report_path.parent / spec_path
    if not p.is_absolute() and alt.exists():
        return alt
    return None


def load_spec(spec: dict[str, Any], report_path: Path) -> tuple[Model | None, list[Finding]]:
    """The model of one report's spec (``None`` when it cannot be loaded) and
    the findings about loading it: found, parses, same hash, same game."""
    from verigroup.api import parse, read_text, spec_hash

    name = spec["path"]
    where = locate_spec(name, report_path)
    if where is None:
        return None, [Finding(name, None, "mismatch", "load the spec",
                              f"spec file {name} not found (relative to the current directory or to the report)")]
    params = {str(k): str(v) for k, v in spec.get("params", {}).items()}
    try:
        # parsed under the report's own name for the file, so spans (and
        # the fresh report's locations) read as they did when it was written
        model = parse(read_text(where), name, overrides=params)
    except SpecError as exc:
        return None, [Finding(name, None, "mismatch", "load the spec", "the spec no longer loads: " + exc.render())]
    h = spec_hash(model)
    if h != spec.get("hash"):
        out = [Finding(name, None, "mismatch", "spec hash",
                       f"the spec changed since the report was written (report {spec.get('hash')}, now {h})")]
    else:
        out = [Finding(name, None, "ok", "spec hash", "unchanged")]
    if spec.get("game") != model.name:
        out.append(Finding(name, None, "mismatch", "game name",
                           f"the report says {spec.get('game')!r}, the spec says {model.name!r}"))
    return model, out
