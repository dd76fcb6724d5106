"""The ``curve`` statement as a property.

* with ``require COND``: HOLDS when COND is true at every point (all points
  computed), VIOLATED at the first point where it is false (with that
  point as the counterexample), UNKNOWN when some points are missing and
  none fails;
* without ``require``: the curve states no claim; it HOLDS when every point
  was computed and certified exactly (the game is constant-sum and solved
  at every point), and is UNKNOWN when the run stopped early.

The evidence (``kind: "curve"``) carries every point found, so the report
draws the curve and ``verigroup replay`` re-solves the points."""

from __future__ import annotations

from typing import Any

from verigroup.analyses.pure import region_unsupported, result
from verigroup.analyses.registry import Context, checker
from verigroup.curves.compute import compute, compute_parallel, evaluate, require_text
from verigroup.diagnostics import SpecError
from verigroup.model.properties import CurveSpec
from verigroup.verdicts import PropertyResult, Verdict, q


@checker(CurveSpec)
def check_curve(ctx: Context, prop: CurveSpec) -> PropertyResult:
    if prop.region is not None:
        return region_unsupported(prop)
    executor = ctx.options.get("curve_executor")
    res = compute(ctx.model, prop) if executor is None else compute_parallel(ctx.model, prop, executor)
    method = "; ".join(res.methods) or "params folded exactly at every point"
    ev: dict[str, Any] = {"kind": "curve", **res.to_json()}
    ev.pop("name", None)
    n, total = len(res.points), len(prop.values)
    if prop.require is not None:
        ev["require"] = require_text(prop.require)
        for p in res.points:
            env = {**dict(p.values), prop.param: p.x}
            try:
                ok = evaluate(prop.require, env)
            except ZeroDivisionError:
                raise SpecError.single("E203", f"`require` divides by zero at {prop.param} = {q(p.x)}", prop.span,
                                       "change the range or the condition")
            if not ok:
                ev["failing"] = p.to_json(prop.param)
                return result(prop, Verdict.VIOLATED, method,
                              f"{ev['require']} fails at {prop.param} = {q(p.x)} ("
                              + ", ".join(f"{k} = {q(v)}" for k, v in p.values) + ")", ev)
        if not res.complete:
            ev["reason"] = res.reason
            return result(prop, Verdict.UNKNOWN, method,
                          f"{ev['require']} holds at the {n} points computed; {res.reason}", ev)
        return result(prop, Verdict.HOLDS, method,
                      f"{ev['require']} holds at all {n} points, {prop.param} = {q(prop.values[0])}.."
                      f"{q(prop.values[-1])}", ev)
    if not res.complete:
        ev["reason"] = res.reason
        return result(prop, Verdict.UNKNOWN, method, f"{n} of {total} points computed; {res.reason}", ev)
    return result(prop, Verdict.HOLDS, method, f"all {n} points computed exactly (no requirement stated)", ev)
