"""JSON reports: deterministic (sorted keys, stable ordering, no timestamps),
with the schema version, tool version, spec hash and parameters: an audit
trail.  The schema is documented in docs/report-schema.md."""

from __future__ import annotations

import json
from typing import Any, Sequence

from verigroup.api import Report, Solution
from verigroup.verdicts import Verdict, q

CHECK_SCHEMA = "verigroup.check/1"
SOLVE_SCHEMA = "verigroup.solve/1"


def jsonable(obj: Any) -> Any:
    """Exact, JSON-ready: Fractions become "p/q" strings, tuples/sets lists,
    dataclasses dicts, enums their values."""
    import dataclasses
    from enum import Enum
    from fractions import Fraction

    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (int, Fraction)):
        return q(obj)
    if isinstance(obj, float):
        return repr(obj)
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(jsonable(v) for v in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if not f.name.startswith("_")}
    if hasattr(obj, "to_json"):
        return obj.to_json()
    return str(obj)


def dumps(obj: Any) -> str:
    return json.dumps(_ints_ok(obj), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _ints_ok(obj: Any) -> Any:
    """Like jsonable, but keeps plain ints/bools as JSON numbers (counts)."""
    if isinstance(obj, bool) or isinstance(obj, int) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, dict):
        return {str(k): _ints_ok(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_ints_ok(v) for v in obj]
    return jsonable(obj)


def report_to_json(report: Report) -> dict[str, Any]:
    return {
        "spec": {
            "path": report.spec,
            "hash": report.spec_hash,
            "game": report.game,
            "params": {k: q(v) for k, v in sorted(report.params.items())},
        },
        "properties": [r.to_json() for r in report.results],
        "summary": summary(report),
    }


def summary(report: Report) -> dict[str, int]:
    counts = {v: 0 for v in Verdict}
    for r in report.results:
        counts[r.verdict] += 1
    return {
        "holds": counts[Verdict.HOLDS],
        "violated": counts[Verdict.VIOLATED],
        "unknown": counts[Verdict.UNKNOWN],
        "exit_code": report.exit_code,
    }


def check_document(reports: Sequence[Report], version: str, exit_code: int) -> dict[str, Any]:
    return {
        "schema": CHECK_SCHEMA,
        "tool": {"name": "verigroup", "version": version},
        "reports": [report_to_json(r) for r in reports],
        "exit_code": exit_code,
    }


def _algebraic_json(eq: dict[str, Any]) -> dict[str, Any]:
    """An irrational equilibrium's exact coordinates: each Z3 ``root-obj``
    becomes ``{"root_obj", "polynomial", "root_index",
    "isolating_interval", "decimal"}`` (docs/report-schema.md); the
    rational approximation (``strategies``) and its exact ``epsilon`` stay."""
    from verigroup.reports.mathfmt import algebraic_number

    alg = eq.get("algebraic")
    if not isinstance(alg, dict):
        return eq
    out: dict[str, Any] = {}
    for agent, acts in alg.items():
        out[agent] = {}
        for act, text in (acts or {}).items():
            rec = algebraic_number(text) if isinstance(text, str) else None
            out[agent][act] = {"root_obj": text, **rec} if rec else {"root_obj": text}
    return {**eq, "algebraic": out}


def solution_to_json(sol: Solution, model_name: str, path: str, spec_hash: str,
                     version: str, params: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "schema": SOLVE_SCHEMA,
        "tool": {"name": "verigroup", "version": version},
        "spec": {"path": path, "hash": spec_hash, "game": model_name,
                 "params": {k: q(v) for k, v in sorted(params.items())}},
        "concept": sol.concept,
        "complete": sol.complete,
        "method": sol.method,
        "equilibria": [_algebraic_json(e.to_json()) for e in sol.equilibria],
    }
    if sol.reason:
        doc["reason"] = sol.reason
    for k, v in sol.extra.items():
        if k not in doc:
            doc[k] = v
    return doc
