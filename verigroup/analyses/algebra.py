"""The property algebra: ``not``, ``and``, ``or``, ``implies`` over whole
properties, in three-valued (Kleene) logic.

A :class:`~verigroup.model.properties.Composite` is decided from its parts'
verdicts only; each part is checked on its own route (explicit, Z3, ...)
by :func:`check_part`, within the whole property's deadline, so a part's
UNKNOWN is never turned into a pass:

============  ==============================  ===============================
op            HOLDS when                      VIOLATED when
============  ==============================  ===============================
not P         P is VIOLATED                   P HOLDS
P and Q ...   every part HOLDS                some part is VIOLATED
P or Q ...    some part HOLDS                 every part is VIOLATED
P implies Q   P is VIOLATED or Q HOLDS        P HOLDS and Q is VIOLATED
============  ==============================  ===============================

and UNKNOWN otherwise.  The evidence is composed honestly: it lists every
part's full result (verdict, method, evidence) and ``decided_by`` names the
parts whose evidence *is* the composite's: a conjunction's counterexample is
its (first) failing conjunct's counterexample, a negation's certificate is
the inner counterexample, a disjunction's counterexample is all of its
disjuncts' counterexamples, and so on.  ``verigroup replay`` re-checks the
deciding parts' evidence and the combination
(:mod:`verigroup.replay.algebra`).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from verigroup.analyses.registry import Context, checker, get_checker
from verigroup.diagnostics import TooLarge
from verigroup.model.properties import AlgebraOp, Composite
from verigroup.verdicts import PropertyResult, Verdict

H, V, U = Verdict.HOLDS, Verdict.VIOLATED, Verdict.UNKNOWN


def kleene(op: AlgebraOp, verdicts: Sequence[Verdict]) -> tuple[Verdict, tuple[int, ...]]:
    """The combined verdict and the indices of the parts that decide it
    (empty for UNKNOWN)."""
    if op == "not":
        (v,) = verdicts
        return ({H: V, V: H, U: U}[v], (0,) if v is not U else ())
    if op == "and":
        bad = [k for k, v in enumerate(verdicts) if v is V]
        if bad:
            return V, (bad[0],)
        if all(v is H for v in verdicts):
            return H, tuple(range(len(verdicts)))
        return U, ()
    if op == "or":
        good = [k for k, v in enumerate(verdicts) if v is H]
        if good:
            return H, (good[0],)
        if all(v is V for v in verdicts):
            return V, tuple(range(len(verdicts)))
        return U, ()
    assert op == "implies" and len(verdicts) == 2, op
    a, b = verdicts
    if a is V:
        return H, (0,)
    if b is H:
        return H, (1,)
    if a is H and b is V:
        return V, (0, 1)
    return U, ()


_WORD = {"not": "not", "and": "and", "or": "or", "implies": "implies"}


def combine(prop: Composite, results: Sequence[PropertyResult]) -> PropertyResult:
    """The composite's result from its parts' results (in ``prop.parts`` order)."""
    verdict, decided = kleene(prop.op, [r.verdict for r in results])
    parts = [r.to_json() for r in results]
    evidence: dict[str, Any] = {"kind": "composite", "op": prop.op, "decided_by": list(decided),
                                "parts": parts}
    if verdict is U:
        unknown = [r for r in results if r.verdict is U]
        why = "; ".join(f"`{r.name}` is UNKNOWN ({_reason(r)})" for r in unknown)
        evidence["reason"] = f"{prop.op}: {why}" if why else f"{prop.op}: not decided"
        message = evidence["reason"]
    else:
        names = "; ".join(f"`{results[k].name}` {results[k].verdict.value}"
                          + (f" ({results[k].message})" if results[k].message else "") for k in decided)
        message = f"{_WORD[prop.op]}: {names}"
    methods = sorted({r.method for r in results if r.method})
    method = f"algebra({', '.join(methods)})" if methods else "algebra"
    return PropertyResult(prop.name, "Composite", verdict, method, message, evidence, prop.span)


def _reason(r: PropertyResult) -> str:
    ev = r.evidence
    reason = ev.get("reason") if isinstance(ev, dict) else None
    return str(reason or r.message or "no reason given")


def check_composite(prop: Composite, check_part: Callable[[Any], PropertyResult]) -> PropertyResult:
    """Check every part with ``check_part``, then combine.  Every part is
    checked even when an earlier one already decides: the report shows them
    all, and the result does not depend on evaluation order."""
    return combine(prop, [check_part(p) for p in prop.parts])


def check_part(ctx: Context, part: Any) -> PropertyResult:
    """One part, on the route the top-level dispatch would take: Z3 for
    parameter regions and ``--method z3``, else the registered explicit
    checker, falling back to Z3 when the explicit route refuses the size.
    A size refusal inside a part makes that part UNKNOWN (Kleene logic may
    still decide the whole); a timeout propagates and makes the whole
    property UNKNOWN (the property's deadline covers all its parts)."""
    if isinstance(part, Composite):
        return check_composite(part, lambda p: check_part(ctx, p))
    kind = type(part).__name__
    method = ctx.options.get("method", "auto")
    region = getattr(part, "region", None)
    if method == "z3" or region is not None:
        res = _z3(ctx, part)
        if res is not None:
            return res
        if region is not None:
            reason = f"parameter regions are not supported for {kind} properties yet"
            return PropertyResult(part.name, kind, U, "none", reason, {"reason": reason}, part.span)
    fn = get_checker(type(part))
    if fn is None:
        return PropertyResult(part.name, kind, U, "none", f"no checker for property kind {kind} yet",
                              {"reason": "not implemented"}, part.span)
    try:
        res = fn(ctx, part)
    except TooLarge as exc:
        res = _too_large(part, exc)
    if res.method == "size-guard" and method == "auto":
        alt = _z3(ctx, part)
        if alt is not None:
            return alt
    return res


def _z3(ctx: Context, part: Any) -> PropertyResult | None:
    try:
        from verigroup.analyses.symbolic import symbolic_check
    except ModuleNotFoundError:  # pragma: no cover - feature absent
        return None
    try:
        return symbolic_check(ctx, part)
    except TooLarge as exc:
        return _too_large(part, exc)


def _too_large(part: Any, exc: TooLarge) -> PropertyResult:
    msg = "; ".join(d.message + (f" ({d.hint})" if d.hint else "") for d in exc.diagnostics)
    return PropertyResult(part.name, type(part).__name__, U, "size-guard", msg, {"reason": msg}, part.span)


@checker(Composite)
def check(ctx: Context, prop: Composite) -> PropertyResult:
    return check_composite(prop, lambda p: check_part(ctx, p))
