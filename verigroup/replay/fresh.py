"""The comparison against a fresh check: the properties are checked again
with :func:`verigroup.api.check_model` and every verdict, message and
evidence field, and the summary, compared with the report."""

from __future__ import annotations

import json
from typing import Any, Callable

from verigroup.model.model import Model
from verigroup.replay.result import Finding


def first_difference(a: Any, b: Any, path: str) -> tuple[str, Any, Any] | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                return f"{path}.{k}", a.get(k, "<absent>"), b.get(k, "<absent>")
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} (length)", len(a), len(b)
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else (path, a, b)


def _as_report(result: Any) -> Any:
    """A property result as it reads back from a JSON report."""
    from verigroup.reports.jsonout import dumps

    return json.loads(dumps(result.to_json()))


def fresh_results(model: Model, rep: dict[str, Any], timeout: float | None,
                  check_model: Callable[..., Any]) -> dict[str, Any]:
    """A fresh check's property results by name, as JSON."""
    got = {r.name: _as_report(r) for r in check_model(model, timeout=timeout).results}
    # The report does not record `--method`; properties decided by Z3 are
    # re-run on the Z3 route.
    if any("z3" in str(p.get("method", "")) and got.get(p["name"], {}).get("method") != p.get("method")
           for p in rep["properties"]):
        z3run = check_model(model, timeout=timeout, method="z3")
        for r in z3run.results:
            old = next((p for p in rep["properties"] if p["name"] == r.name), None)
            if old is not None and "z3" in str(old.get("method", "")):
                got[r.name] = _as_report(r)
    return got


def compare_fresh(model: Model, rep: dict[str, Any], name: str, timeout: float | None,
                  check_model: Callable[..., Any]) -> list[Finding]:
    got = fresh_results(model, rep, timeout, check_model)
    out: list[Finding] = []
    reported = {p["name"] for p in rep["properties"]}
    for missing in sorted(set(got) - reported):
        out.append(Finding(name, missing, "mismatch", "fresh check", "the report omits this property"))
    for pr in rep["properties"]:
        new = got.get(pr["name"])
        if new is None:
            continue
        if pr.get("verdict") == "UNKNOWN" and new["verdict"] != "UNKNOWN":
            out.append(Finding(name, pr["name"], "ok", "fresh check",
                               f"reported UNKNOWN ({pr.get('evidence', {}).get('reason', '')}); "
                               f"a fresh run without a time limit decides {new['verdict']}"))
            continue
        d = first_difference(pr, new, "")
        if d is None:
            out.append(Finding(name, pr["name"], "ok", "fresh check", f"verdict {new['verdict']} and evidence agree"))
        else:
            field_, claimed, found = d
            out.append(Finding(name, pr["name"], "mismatch", "fresh check",
                               f"field {field_.lstrip('.')}: the report says {json.dumps(claimed)}, "
                               f"a fresh check gives {json.dumps(found)}"))
    counts = {v: sum(1 for r in got.values() if r["verdict"] == v) for v in ("HOLDS", "VIOLATED", "UNKNOWN")}
    want = {"holds": counts["HOLDS"], "violated": counts["VIOLATED"], "unknown": counts["UNKNOWN"],
            "exit_code": 1 if counts["VIOLATED"] else (3 if counts["UNKNOWN"] else 0)}
    if "summary" in rep and rep["summary"] != want:
        d = first_difference(rep["summary"], want, "summary")
        assert d is not None
        out.append(Finding(name, None, "mismatch", "summary",
                           f"field {d[0]}: the report says {d[1]}, a fresh check gives {d[2]}"))
    return out
