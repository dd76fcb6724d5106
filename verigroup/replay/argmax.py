"""Replay of optimising profiles (issue 8, LANG3): ``profile best =
argmax(welfare)``.

The report's ``argmax`` records are untrusted claims: for each optimising
profile of the property, the claimed profile's metric value is recomputed
by the scalar evaluator and, on games of at most ``BRUTE_LIMIT`` profiles,
every profile is enumerated to confirm the optimum, the tie count and the
tie rule (the first optimal profile in declaration order).  The property is
then bound to the confirmed profile, so the rest of its evidence replays as
if the profile had been written out."""

from __future__ import annotations

import itertools
from typing import Any

from verigroup.model.optimal import bind, label, lazy_profiles
from verigroup.model.properties import Profile
from verigroup.replay.oracle import BRUTE_LIMIT, Oracle, frac
from verigroup.replay.result import Finding, Mismatch, Skip
from verigroup.verdicts import q


def bind_replayed(oracle: Oracle, prop: Any, res: Any, spec: str) -> tuple[Any | None, list[Finding]]:
    """``prop`` with its optimising profiles bound to the report's confirmed
    choices, and the findings; ``None`` when the evidence cannot be bound."""
    lazies = lazy_profiles(prop)
    if not lazies:
        return prop, []
    name = res.get("name") if isinstance(res, dict) else None
    ev = res.get("evidence") if isinstance(res, dict) else None
    records = ev.get("argmax") if isinstance(ev, dict) else None
    if records is None and isinstance(res, dict) and res.get("verdict") == "UNKNOWN":
        return prop, []  # nothing was claimed
    out: list[Finding] = []
    chosen: dict[Profile, tuple[str, ...]] = {}
    for lp in lazies:
        what = f"argmax profile `{label(lp)}`"
        try:
            acts, note = _confirm(oracle, lp, records)
            chosen[lp] = acts
            out.append(Finding(spec, name, "ok", what, note))
        except Mismatch as exc:
            out.append(Finding(spec, name, "mismatch", what, str(exc)))
        except Skip as exc:
            out.append(Finding(spec, name, "skipped", what, str(exc)))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            out.append(Finding(spec, name, "mismatch", what, f"malformed evidence ({type(exc).__name__}: {exc})"))
    if len(chosen) < len(lazies):
        return None, out
    return bind(prop, chosen), out


def _confirm(o: Oracle, lp: Profile, records: Any) -> tuple[tuple[str, ...], str]:
    if not isinstance(records, list):
        raise Mismatch("the evidence has no `argmax` records")
    rec = next((r for r in records if isinstance(r, dict) and r.get("name") == label(lp)), None)
    if rec is None:
        raise Mismatch(f"the evidence has no `argmax` record for `{label(lp)}`")
    metric = lp.objective or ""
    if rec.get("metric") != metric or rec.get("sense") != lp.sense:
        raise Mismatch(f"the record is about arg{rec.get('sense')}({rec.get('metric')}), "
                       f"the spec says arg{lp.sense}({metric})")
    prof = o.profile(rec.get("actions"))
    value = o.metrics(prof)[metric]
    if frac(rec.get("value"), "the optimum") != value:
        raise Mismatch(f"{metric} at {o.label(prof)} is {q(value)}, the report says {rec.get('value')}")
    acts = tuple(o.actions(k)[i] for k, i in enumerate(prof))
    size = 1
    for k in range(o.n):
        size *= len(o.actions(k))
    if size > BRUTE_LIMIT:
        raise Skip(f"{metric} = {q(value)} at {o.label(prof)} confirmed; optimality not re-derived "
                   f"({size} profiles, more than {BRUTE_LIMIT})")
    better = max if lp.sense == "max" else min
    values = {p: o.metrics(p)[metric] for p in itertools.product(*(range(len(o.actions(k))) for k in range(o.n)))}
    best = better(values.values())
    tied = [p for p, v in values.items() if v == best]  # declaration (row-major) order
    if best != value:
        raise Mismatch(f"{o.label(prof)} is not an arg{lp.sense}: {metric} is {q(best)} at {o.label(tied[0])}, "
                       f"{q(value)} at the reported profile")
    if tied[0] != prof:
        raise Mismatch(f"{o.label(tied[0])} comes first among the {len(tied)} optimal profiles, "
                       f"the report took {o.label(prof)}")
    if rec.get("ties") != len(tied):
        raise Mismatch(f"{len(tied)} profiles attain {metric} = {q(best)}, the report says {rec.get('ties')}")
    return acts, (f"{o.label(prof)} attains the {lp.sense}imum {metric} = {q(value)} "
                  f"({len(tied)} optimal of {size} profiles enumerated)")
