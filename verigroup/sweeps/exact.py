"""Exact verdict boundaries from the Z3 route.

Along a range axis, with every other parameter fixed, a property whose kind
supports parameter regions (``... for r in [lo, hi]``) is decided for the
whole interval at once by :mod:`verigroup.analyses.symbolic`, which returns
the exact set of values where it holds.  Its endpoints inside the interval
are the exact boundaries; they replace the sampled (bisection) brackets of
the same property on the same line.  Where the route does not apply (payoffs
not piecewise linear in the parameter, a size parameter, an unsupported
kind) the sampled brackets stay, labelled as such.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Sequence

from verigroup.diagnostics import SpecError
from verigroup.sweeps.grid import Grid, q

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.sweeps.run import Boundary

#: Lines (settings of the other parameters) decided exactly per axis.
MAX_EXACT_LINES = 200


def _regions(text: str, path: str, overrides: dict[str, str], props: Sequence[str], param: str,
             lo: Fraction, hi: Fraction, timeout: float | None) -> dict[str, list[tuple[Fraction, Fraction, bool, bool]]]:
    """For each property the Z3 route can decide over ``param`` in
    ``[lo, hi]``, the exact intervals where it holds (the model is built once
    per line)."""
    from verigroup import api
    from verigroup.analyses.registry import Context
    from verigroup.model.expr import Num
    from verigroup.model.properties import ParamRegion
    from verigroup.resolve import build_model

    try:
        model = build_model(text, path, overrides)
    except SpecError:
        return {}
    ctx = Context(model, timeout=timeout, options={"method": "auto"})
    out: dict[str, list[tuple[Fraction, Fraction, bool, bool]]] = {}
    for prop in model.properties:
        if prop.name not in props or not hasattr(prop, "region") or getattr(prop, "region", None) is not None:
            continue  # not swept, no region support, or it ranges over a parameter itself
        try:
            res = api.check_property(ctx, dataclasses.replace(prop, region=ParamRegion(param, Num(lo), Num(hi))))
        except (SpecError, TypeError):
            continue
        ev: Any = res.evidence
        if not isinstance(ev, dict) or not isinstance(ev.get("region"), list):
            continue
        closed = ev.get("closed") or [[True, True]] * len(ev["region"])
        out[prop.name] = [(Fraction(a), Fraction(b), bool(c[0]), bool(c[1]))
                          for (a, b), c in zip(ev["region"], closed)]
    return out


def _holds(region: list[tuple[Fraction, Fraction, bool, bool]], x: Fraction) -> bool:
    return any((a < x < b) or (x == a and ca) or (x == b and cb) for a, b, ca, cb in region)


def _points(prop: str, param: str, fixed: tuple[tuple[str, Fraction], ...],
            region: list[tuple[Fraction, Fraction, bool, bool]], lo: Fraction, hi: Fraction) -> list["Boundary"]:
    """One boundary per point where the verdict changes: the verdict just
    left of it, just right of it, and at the point itself (an isolated point
    where a property fails has the same verdict on both sides)."""
    from verigroup.sweeps.run import Boundary

    def holds(x: Fraction) -> bool:
        return _holds(region, x)

    cuts = sorted({x for a, b, _, _ in region for x in (a, b) if lo < x < hi})
    out = []
    for k, x in enumerate(cuts):
        left = (cuts[k - 1] if k else lo)
        right = (cuts[k + 1] if k + 1 < len(cuts) else hi)
        vl, vx, vr = holds((left + x) / 2), holds(x), holds((x + right) / 2)
        if vl == vx == vr:
            continue
        out.append(Boundary(prop, param, fixed, x, x, "HOLDS" if vl else "VIOLATED", "HOLDS" if vr else "VIOLATED",
                            True, holds_at=vx))
    return out


def exact_boundaries(text: str, path: str, grid: Grid, props: Sequence[str],
                     sampled: Sequence["Boundary"], timeout: float | None,
                     verdict: Callable[[tuple[Fraction, ...], str], str]) -> list["Boundary"]:
    """Exact boundaries along each range axis where the Z3 route applies.
    The exact region is cross-checked against every decided grid point on
    its line (two independent routes); on any disagreement the sampled
    brackets are kept for that line -- a region is never trusted alone."""
    from verigroup.runtime.cancel import Interrupted
    from verigroup.sweeps.run import Boundary

    out: list[Boundary] = []
    replaced: set[tuple[str, str, tuple[tuple[str, Fraction], ...]]] = set()
    try:
        for k, ax in enumerate(grid.axes):
            if ax.step is None and ax.count < 2:
                continue
            others = sorted({pt[:k] + pt[k + 1:] for pt in grid.points})[:MAX_EXACT_LINES]
            for rest in others:
                fixed = tuple((n, v) for n, v in zip(grid.names[:k] + grid.names[k + 1:], rest))
                overrides = {n: q(v) for n, v in fixed}
                overrides[ax.name] = q(ax.lo)
                line = [pt for pt in grid.points if pt[:k] + pt[k + 1:] == rest]
                for prop, region in _regions(text, path, overrides, props, ax.name, ax.lo, ax.hi,
                                             timeout).items():
                    if any(verdict(pt, prop) in ("HOLDS", "VIOLATED")
                           and (verdict(pt, prop) == "HOLDS") != _holds(region, pt[k]) for pt in line):
                        continue  # the routes disagree: keep the samples
                    replaced.add((prop, ax.name, fixed))
                    out += _points(prop, ax.name, fixed, region, ax.lo, ax.hi)
    except (KeyboardInterrupt, Interrupted):
        pass  # Ctrl-C: keep what is exact so far, the rest stays sampled
    out += [b for b in sampled if (b.property, b.param, b.fixed) not in replaced]
    return out
