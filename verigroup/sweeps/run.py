"""The sweep engine: every property of a spec at every point of a grid.

Work is shipped to an executor (:mod:`verigroup.runtime.executors`) as spec
text plus exact parameter values; each point comes back as the JSON records
``verigroup check --format json`` emits.  Points are ordered by parameter
values, never by completion, so serial, process and Dask runs give
identical output.

Refinement (``refine=RES``): wherever a property's verdict differs between
two neighbouring points of a range axis (the other parameters fixed), the
interval is bisected, every open interval in parallel, until it is no wider
than ``RES``; each such interval is reported as a *boundary* (sampled).
Where the Z3 route decides the property for a whole parameter interval
(``exact=True``, properties of kinds with region support), the boundary is
exact: the interval endpoints where the property starts or stops holding.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

from verigroup.diagnostics import SpecError, Span, did_you_mean
from verigroup.runtime.executors import Executor, SerialExecutor
from verigroup.sweeps.cache import ResultCache, SpecParts, entry_key, split_spec
from verigroup.sweeps.grid import Grid, q

SCHEMA = "verigroup.sweep/1"
MAX_REFINE_POINTS = 100_000


# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class PointResult:
    params: tuple[tuple[str, Fraction], ...]
    verdicts: Mapping[str, str]
    results: Mapping[str, Mapping[str, Any]]
    refined: bool = False

    def to_json(self, with_evidence: bool = False) -> dict[str, Any]:
        doc: dict[str, Any] = {"params": {n: q(v) for n, v in self.params},
                               "verdicts": dict(self.verdicts)}
        if self.refined:
            doc["refined"] = True
        if with_evidence:
            doc["results"] = {k: dict(v) for k, v in self.results.items()}
        return doc


@dataclass(frozen=True)
class Boundary:
    """Along ``param`` (others fixed at ``fixed``), ``property``'s verdict
    changes from ``left`` to ``right`` somewhere in ``[lo, hi]``; ``exact``
    boundaries come from a Z3 region and are points (``lo == hi``), with
    ``holds_at`` saying on which side the point itself lies."""

    property: str
    param: str
    fixed: tuple[tuple[str, Fraction], ...]
    lo: Fraction
    hi: Fraction
    left: str
    right: str
    exact: bool = False
    holds_at: bool | None = None  # exact boundaries: does the property hold at the point itself?

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"property": self.property, "param": self.param,
                               "fixed": {n: q(v) for n, v in self.fixed}, "between": [q(self.lo), q(self.hi)],
                               "from": self.left, "to": self.right,
                               "method": "z3-region" if self.exact else "bisection"}
        if self.holds_at is not None:
            doc["holds_at_boundary"] = self.holds_at
        return doc


@dataclass(frozen=True)
class SweepResult:
    spec: str
    spec_hash: str
    game: str
    version: str
    names: tuple[str, ...]
    properties: tuple[str, ...]
    points: tuple[PointResult, ...]
    boundaries: tuple[Boundary, ...] = ()
    complete: bool = True
    reason: str = ""
    stats: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def exit_code(self) -> int:
        vs = {v for p in self.points for v in p.verdicts.values()}
        if "VIOLATED" in vs:
            return 1
        if "UNKNOWN" in vs or not self.complete:
            return 3
        return 0

    def to_json(self, with_evidence: bool = False) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "schema": SCHEMA,
            "tool": {"name": "verigroup", "version": self.version},
            "spec": {"path": self.spec, "hash": self.spec_hash, "game": self.game},
            "params": list(self.names),
            "properties": list(self.properties),
            "points": [p.to_json(with_evidence) for p in self.points],
            "boundaries": [b.to_json() for b in self.boundaries],
            "complete": self.complete,
            "exit_code": self.exit_code,
        }
        if self.reason:
            doc["reason"] = self.reason
        return doc

    def _repr_html_(self) -> str:
        from verigroup.sweeps.render import render_html

        return render_html(self)


# --------------------------------------------------------------- the job


def check_point(job: Mapping[str, Any]) -> dict[str, Any]:
    """Run in a worker: check the named properties of the spec at one point.
    Returns ``{"results": {NAME: property JSON}}``; a spec that does not load
    at this point makes every property UNKNOWN with the error as its reason."""
    from verigroup import api
    from verigroup.resolve import build_model

    names = job["properties"]
    try:
        model = build_model(job["text"], job["path"], job["overrides"])
        wanted = [p for p in model.properties if p.name in names]
        model = dataclasses.replace(model, properties=tuple(wanted))
        rep = api.check_model(model, timeout=job.get("timeout"), method=job.get("method", "auto"))
        return {"results": {r.name: r.to_json() for r in rep.results}}
    except SpecError as exc:
        msg = "; ".join(f"{d.code}: {d.message}" for d in exc.diagnostics)
        return {"results": {n: _unknown(n, f"the spec does not load at this point ({msg})") for n in names}}


def _unknown(name: str, reason: str) -> dict[str, Any]:
    return {"name": name, "kind": "", "verdict": "UNKNOWN", "method": "none", "message": reason,
            "evidence": {"reason": reason}, "location": {"file": "", "line": 0, "column": 0}}


# --------------------------------------------------------------- planning


@dataclass
class _Plan:
    text: str
    path: str
    version: str
    parts: SpecParts
    properties: tuple[str, ...]
    options: dict[str, Any]
    cache: ResultCache | None
    executor: Executor
    progress: Callable[[int, int], None] | None
    done: dict[tuple[Fraction, ...], dict[str, dict[str, Any]]] = field(default_factory=dict)
    interrupted: bool = False
    failures: int = 0

    def key(self, names: Sequence[str], point: tuple[Fraction, ...], prop: str) -> str:
        params = {n: q(v) for n, v in zip(names, point)}
        return entry_key(self.version, self.path, self.parts, prop, params, self.options)

    def evaluate(self, names: Sequence[str], points: Sequence[tuple[Fraction, ...]]) -> None:
        """Fill ``done`` for every point (cache first, then the executor)."""
        jobs: list[dict[str, Any]] = []
        owners: list[tuple[Fraction, ...]] = []
        for pt in points:
            if pt in self.done:
                continue
            got: dict[str, dict[str, Any]] = {}
            missing: list[str] = []
            for prop in self.properties:
                hit = self.cache.get(self.key(names, pt, prop)) if self.cache is not None else None
                if hit is not None:
                    got[prop] = hit
                else:
                    missing.append(prop)
            self.done[pt] = got
            if missing:
                jobs.append({"text": self.text, "path": self.path,
                             "overrides": {n: q(v) for n, v in zip(names, pt)}, "properties": missing,
                             "timeout": self.options.get("timeout"), "method": self.options.get("method", "auto")})
                owners.append(pt)
        total, finished = len(jobs), 0
        if self.progress:
            self.progress(0, total)
        if not jobs or self.interrupted:
            return
        try:
            from verigroup.runtime.cancel import Interrupted, cancelled
        except ImportError:  # pragma: no cover - runtime without cancellation
            Interrupted, cancelled = KeyboardInterrupt, (lambda: False)  # type: ignore[assignment,misc]
        try:
            for i, (status, value) in self.executor.run(check_point, jobs):
                if cancelled():  # Ctrl-C while a point ran in this process: its result is partial
                    raise KeyboardInterrupt
                pt = owners[i]
                if status != "ok":
                    self.failures += 1
                    value = {"results": {n: _unknown(n, str(value)) for n in jobs[i]["properties"]}}
                for prop, res in value["results"].items():
                    self.done[pt][prop] = res
                    if self.cache is not None:
                        self.cache.put(self.key(names, pt, prop), res)
                finished += 1
                if self.progress:
                    self.progress(finished, total)
        except (KeyboardInterrupt, Interrupted):
            self.interrupted = True
            self.executor.close()


def _declared_params(spec: Any, text: str) -> tuple[set[str], dict[str, tuple[int, int]], str]:
    from verigroup.syntax import ast as A

    params = {s.name for s in spec.statements if isinstance(s, A.ParamDecl)}
    spans: dict[str, tuple[int, int]] = {}
    starts = sorted(s.span.line for s in spec.statements)
    n_lines = text.count("\n") + 1
    for s in spec.statements:
        if isinstance(s, A.PropertyDecl):
            later = [ln for ln in starts if ln > s.span.line]
            end = (later[0] - 1) if later else n_lines
            spans[s.name] = (s.span.line, end)
    game = next((s.name for s in spec.statements if isinstance(s, A.GameDecl)), "")
    return params, spans, game


def sweep(text: str, path: str, grid: Grid, *, executor: Executor | None = None,
          cache: ResultCache | None = None, timeout: float | None = None, method: str = "auto",
          refine: Fraction | None = None, exact: bool = False, only: Sequence[str] = (),
          progress: Callable[[int, int], None] | None = None) -> SweepResult:
    """Evaluate every property of the spec at every grid point."""
    import hashlib

    from verigroup import __version__

    t0 = time.monotonic()
    from verigroup.resolve import resolve_spec
    from verigroup.syntax.parser import parse_spec

    parsed = parse_spec(text, path)
    declared, spans, game = _declared_params(parsed, text)
    for n in grid.names:
        if n not in declared:
            raise SpecError.single("E109", f"the spec has no param `{n}` to sweep", Span("--param", 0, 0),
                                   did_you_mean(n, declared) or ("declared params: " + ", ".join(sorted(declared))
                                                                  if declared else "the spec declares no params"))
    # The spec must load with its own parameter values: a bad spec is a usage
    # error, not a map of UNKNOWNs.  (A point where it does not load, such as
    # an empty family, is UNKNOWN at that point.)
    first = resolve_spec(parsed, {})
    props = tuple(p.name for p in first.properties)
    for name in only:
        if name not in props:
            raise SpecError.single("E110", f'the spec has no property "{name}"', Span("--property", 0, 0),
                                   did_you_mean(name, props) or "properties: " + ", ".join(f'"{p}"' for p in props))
    if only:
        props = tuple(p for p in props if p in only)
    if not props:
        raise SpecError.single("E110", "the spec has no properties to sweep", Span(path, 1, 1),
                               "add a `property \"...\": ...` line")
    options: dict[str, Any] = {"method": method, "timeout": timeout}
    plan = _Plan(text, path, __version__, split_spec(text, spans), props, options, cache,
                 executor or SerialExecutor(), progress)
    plan.evaluate(grid.names, grid.points)
    refined: set[tuple[Fraction, ...]] = set()
    boundaries: list[Boundary] = []
    if refine is not None and not plan.interrupted:
        from verigroup.sweeps.refine import bisect_boundaries

        boundaries, refined = bisect_boundaries(plan, grid, refine, MAX_REFINE_POINTS)
    if exact and not plan.interrupted:
        from verigroup.sweeps.exact import exact_boundaries

        def verdict(pt: tuple[Fraction, ...], prop: str) -> str:
            res = plan.done.get(pt, {}).get(prop)
            return str(res["verdict"]) if res is not None else "UNKNOWN"

        boundaries = exact_boundaries(text, path, grid, props, boundaries, timeout, verdict)
    points: list[PointResult] = []
    missing = 0
    for pt in sorted(plan.done):
        res = plan.done[pt]
        full = {}
        for prop in props:
            if prop not in res:
                missing += 1
                res_p = _unknown(prop, "interrupted before this point was checked")
            else:
                res_p = res[prop]
            full[prop] = res_p
        points.append(PointResult(tuple(zip(grid.names, pt)), {k: str(v["verdict"]) for k, v in full.items()},
                                  full, pt in refined))
    reason = ""
    if plan.interrupted:
        reason = "interrupted: results so far are kept in the cache; re-run to resume"
    stats = {"seconds": round(time.monotonic() - t0, 3), "cache_hits": cache.hits if cache else 0,
             "cache_writes": cache.writes if cache else 0, "failures": plan.failures,
             "backend": plan.executor.name, "workers": plan.executor.workers}
    return SweepResult(path, "sha256:" + hashlib.sha256(text.encode()).hexdigest(), first.name or game,
                       __version__, grid.names, props, tuple(points), tuple(sorted(
                           boundaries, key=lambda b: (b.property, b.param, b.fixed, b.lo, b.hi))),
                       complete=not plan.interrupted and missing == 0, reason=reason, stats=stats)
