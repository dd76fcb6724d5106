"""Adaptive refinement: bisect wherever a verdict changes between
neighbouring grid points, down to a stated resolution.

This is sampling: it finds *a* change inside each bracketing interval of
width at most the resolution, and cannot see two changes that cancel between
neighbours.  Boundaries found this way are labelled ``bisection``; exact
boundaries come from :mod:`verigroup.sweeps.exact`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING

from verigroup.sweeps.grid import Grid

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.sweeps.run import Boundary, _Plan

DECIDED = ("HOLDS", "VIOLATED")
Point = tuple[Fraction, ...]


@dataclass
class _Bracket:
    prop: str
    k: int
    a: Point
    b: Point
    left: str
    right: str
    stopped: bool = False

    @property
    def width(self) -> Fraction:
        return self.b[self.k] - self.a[self.k]

    def mid(self) -> Point:
        k = self.k
        return self.a[:k] + ((self.a[k] + self.b[k]) / 2,) + self.a[k + 1:]


def _verdict(plan: "_Plan", pt: Point, prop: str) -> str:
    res = plan.done.get(pt, {}).get(prop)
    return str(res["verdict"]) if res is not None else "UNKNOWN"


def _brackets(plan: "_Plan", grid: Grid) -> list[_Bracket]:
    out: list[_Bracket] = []
    for k, ax in enumerate(grid.axes):
        if ax.count < 2:
            continue
        lines: dict[Point, list[Point]] = {}
        for pt in grid.points:
            lines.setdefault(pt[:k] + pt[k + 1:], []).append(pt)
        for line in lines.values():
            line.sort(key=lambda p: p[k])
            for a, b in zip(line, line[1:]):
                for prop in plan.properties:
                    va, vb = _verdict(plan, a, prop), _verdict(plan, b, prop)
                    if va != vb and va in DECIDED and vb in DECIDED:
                        out.append(_Bracket(prop, k, a, b, va, vb))
    return out


def bisect_boundaries(plan: "_Plan", grid: Grid, resolution: Fraction,
                      max_points: int) -> tuple[list["Boundary"], set[Point]]:
    """Bisect every verdict change; returns the boundaries and the points added."""
    from verigroup.sweeps.run import Boundary

    if resolution <= 0:
        raise ValueError("resolution must be positive")
    brackets = _brackets(plan, grid)
    refined: set[Point] = set()
    while not plan.interrupted:
        active = [br for br in brackets if not br.stopped and br.width > resolution]
        if not active:
            break
        mids = sorted({br.mid() for br in active} - set(plan.done))
        if len(refined) + len(mids) > max_points:
            break
        plan.evaluate(grid.names, mids)
        refined.update(mids)
        for br in active:
            m = br.mid()
            v = _verdict(plan, m, br.prop)
            if v == br.left:
                br.a = m
            elif v == br.right:
                br.b = m
            else:  # UNKNOWN in between: report the bracket up to it and stop
                br.b, br.right, br.stopped = m, v, True
    out = []
    for br in brackets:
        fixed = tuple((n, v) for j, (n, v) in enumerate(zip(grid.names, br.a)) if j != br.k)
        out.append(Boundary(br.prop, grid.names[br.k], fixed, br.a[br.k], br.b[br.k], br.left, br.right))
    return out, refined
