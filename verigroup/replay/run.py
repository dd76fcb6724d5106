"""The replay driver: every report of a check document is re-established
from its spec (:mod:`.loading`), evidence by evidence (:mod:`.evidence`), and
compared with a fresh check (:mod:`.fresh`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from verigroup.replay.evidence import EvidenceChecker
from verigroup.replay.fresh import compare_fresh
from verigroup.replay.loading import load_spec, parse_document, read_report
from verigroup.replay.oracle import Oracle
from verigroup.replay.result import Finding, ReplayResult


def replay_file(path: str | Path, timeout: float | None = None, spec: str | Path | None = None) -> ReplayResult:
    """Re-check every report in a ``verigroup check --format json`` file.

    The report is untrusted (see :mod:`.loading`): the spec it names is read
    only inside the report's directory or the current directory; ``spec``
    (``replay --spec PATH``) names the spec on the command line instead."""
    doc = parse_document(read_report(path), str(path))
    findings: list[Finding] = []
    for rep in doc["reports"]:
        findings.extend(replay_report(rep, Path(path), timeout, spec))
    return ReplayResult(str(path), tuple(findings))


def replay_report(rep: dict[str, Any], report_path: Path, timeout: float | None = None,
                  spec: str | Path | None = None) -> list[Finding]:
    from verigroup.api import check_model

    name = rep["spec"]["path"]
    model, out = load_spec(rep["spec"], report_path, spec)
    if model is None:
        return out
    props = {p.name: p for p in model.properties}
    oracle = Oracle(model)
    for pr in rep["properties"]:
        prop = props.get(pr["name"])
        if prop is None:
            out.append(Finding(name, pr["name"], "mismatch", "property exists",
                               "the spec has no property of this name"))
            continue
        # ---- language v2 (issue 8, LANG3): argmax profiles re-derived, then bound
        from verigroup.replay.argmax import bind_replayed

        prop, bound_findings = bind_replayed(oracle, prop, pr, name)
        out.extend(bound_findings)
        if prop is None:
            continue
        # ---- populations (issue 9): count vectors replayed by the scalar evaluator
        from verigroup.replay.counting import is_counting_evidence, replay_counting

        if is_counting_evidence(pr):
            out.extend(replay_counting(model, prop, pr, name))
            continue
        out.extend(EvidenceChecker(oracle, prop, pr, name).run())
    from verigroup.replay.counting import fresh_checker  # ---- populations (issue 9)

    out.extend(compare_fresh(model, rep, name, timeout, fresh_checker(rep, check_model)))
    return out
