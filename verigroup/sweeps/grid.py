"""Sweep grids: exact parameter axes and the points they span.

An axis is written ``NAME=LO:HI:STEP`` (every ``LO + k*STEP`` up to and
including ``HI``), ``NAME=LO:HI`` (step 1) or ``NAME=V1,V2,…`` (a list).
Every number is exact: an integer, a decimal (``0.1`` is exactly 1/10) or a
fraction ``p/q``.  A grid file (JSON ``{"points": [{NAME: VALUE, …}, …]}`` or
CSV with a header row of names) gives arbitrary points instead.

Sizes are computed before anything is materialised, so a grid of 10^9
points is refused at once with its count.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from pathlib import Path
from typing import Mapping, Sequence

from verigroup.diagnostics import SpecError, Span

#: Default ceiling on the number of grid points (``--max-points`` raises it).
MAX_POINTS = 1_000_000
#: Longest number accepted on the command line or in a grid file (digits).
MAX_DIGITS = 60
#: Largest grid file read, in bytes.
MAX_GRID_BYTES = 20_000_000

_NUM = re.compile(r"^\s*([+-]?)\s*(\d+(?:\.\d+)?)\s*(?:/\s*(\d+(?:\.\d+)?))?\s*$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z_0-9]*$")


def _err(msg: str, hint: str | None = None, where: str = "--param") -> SpecError:
    return SpecError.single("E401", msg, Span(where, 0, 0), hint)


def exact(text: str, where: str = "--param") -> Fraction:
    """An exact number from text: ``3``, ``-0.25``, ``8/5``."""
    m = _NUM.match(text)
    if not m or len(text) > 2 * MAX_DIGITS + 3:
        raise _err(f"{text.strip()!r} is not an exact number", "use an integer, a decimal (0.25) or a "
                   f"fraction (3/4) of at most {MAX_DIGITS} digits", where)
    value = Fraction(m.group(2))
    if m.group(3) is not None:
        den = Fraction(m.group(3))
        if den == 0:
            raise _err(f"{text.strip()!r} divides by zero", None, where)
        value /= den
    return -value if m.group(1) == "-" else value


def q(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


@dataclass(frozen=True)
class Axis:
    """One swept parameter and its values (sorted, distinct)."""

    name: str
    lo: Fraction
    hi: Fraction
    step: Fraction | None  # None for an explicit list
    count: int

    def values(self) -> tuple[Fraction, ...]:
        if self.step is None:
            raise AssertionError("list axes carry their values in Grid.points")
        return tuple(self.lo + k * self.step for k in range(self.count))


@dataclass(frozen=True)
class Grid:
    """The points of a sweep, each a mapping NAME -> exact value, ordered by
    the parameter values (first axis slowest)."""

    names: tuple[str, ...]
    points: tuple[tuple[Fraction, ...], ...]
    axes: tuple[Axis, ...] = ()  # empty for a grid file

    def as_overrides(self, i: int) -> dict[str, str]:
        return {n: q(v) for n, v in zip(self.names, self.points[i])}


def parse_axis(text: str) -> tuple[Axis, tuple[Fraction, ...] | None]:
    """``NAME=LO:HI:STEP`` | ``NAME=LO:HI`` | ``NAME=V1,V2,…`` (no points
    materialised for ranges: only the count)."""
    name, eq, spec = text.partition("=")
    name = name.strip()
    if not eq or not _NAME.match(name) or not spec.strip():
        raise _err(f"--param expects NAME=LO:HI:STEP or NAME=V1,V2,…, got {text!r}",
                   "for example --param alpha=0:1:1/10 or --param n=2,4,8")
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) not in (2, 3):
            raise _err(f"--param {name}: a range is LO:HI or LO:HI:STEP, got {spec!r}")
        lo, hi = exact(parts[0]), exact(parts[1])
        step = exact(parts[2]) if len(parts) == 3 else Fraction(1)
        if step <= 0:
            raise _err(f"--param {name}: the step must be positive, got {q(step)}",
                       "write the range from low to high with a positive step")
        if hi < lo:
            raise _err(f"--param {name}: the range {q(lo)}:{q(hi)} is empty (HI < LO)",
                       f"did you mean {q(hi)}:{q(lo)}?")
        count = math.floor((hi - lo) / step) + 1
        last = lo + (count - 1) * step
        return Axis(name, lo, last, step, count), None
    vals = sorted({exact(v) for v in spec.split(",") if v.strip()})
    if not vals:
        raise _err(f"--param {name}: no values given")
    return Axis(name, vals[0], vals[-1], None, len(vals)), tuple(vals)


def build_grid(axis_texts: Sequence[str], max_points: int = MAX_POINTS) -> Grid:
    axes: list[Axis] = []
    lists: list[tuple[Fraction, ...] | None] = []
    for t in axis_texts:
        ax, vals = parse_axis(t)
        if any(a.name == ax.name for a in axes):
            raise _err(f"--param {ax.name} is given twice", "give each parameter one range")
        axes.append(ax)
        lists.append(vals)
    if not axes:
        raise _err("a sweep needs at least one --param (or --grid FILE)",
                   "for example --param alpha=0:1:1/10")
    total = math.prod(a.count for a in axes)
    if total > max_points:
        raise _err(f"the grid has {total:,} points; the limit is {max_points:,}",
                   "use a coarser step, fewer parameters, or --refine to bisect only where verdicts change "
                   "(raise the limit with --max-points)")
    values = [vals if vals is not None else ax.values() for ax, vals in zip(axes, lists)]
    return Grid(tuple(a.name for a in axes), tuple(product(*values)), tuple(axes))


def read_grid_file(path: str, max_points: int = MAX_POINTS) -> Grid:
    """Points from a JSON or CSV file (a regular file the user named)."""
    p = Path(path)
    where = str(path)
    try:
        if not p.is_file():
            raise _err(f"{path}: not a regular file", "give a JSON or CSV grid file", where)
        if p.stat().st_size > MAX_GRID_BYTES:
            raise _err(f"{path} is larger than {MAX_GRID_BYTES} bytes", None, where)
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _err(f"cannot read grid file {path}: {exc}", None, where) from None
    rows: list[Mapping[str, object]]
    if p.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise _err(f"{path}: invalid JSON ({exc})", None, where) from None
        pts = doc.get("points") if isinstance(doc, dict) else None
        if not isinstance(pts, list) or not all(isinstance(r, dict) for r in pts):
            raise _err(f"{path}: expected {{\"points\": [{{NAME: VALUE, …}}, …]}}", None, where)
        rows = pts
    else:
        import csv

        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        reader = list(csv.reader(lines))
        if not reader:
            raise _err(f"{path}: empty grid file", None, where)
        header = [h.strip() for h in reader[0]]
        rows = []
        for k, r in enumerate(reader[1:], start=2):
            if len(r) != len(header):
                raise SpecError.single("E401", f"row has {len(r)} values, the header has {len(header)}",
                                       Span(where, k, 1))
            rows.append(dict(zip(header, r)))
    if not rows:
        raise _err(f"{path}: the grid has no points", None, where)
    if len(rows) > max_points:
        raise _err(f"the grid has {len(rows):,} points; the limit is {max_points:,}", None, where)
    names = tuple(sorted(rows[0]))
    for n in names:
        if not _NAME.match(n):
            raise _err(f"{path}: {n!r} is not a parameter name", None, where)
    seen: set[tuple[Fraction, ...]] = set()
    for k, row in enumerate(rows):
        if tuple(sorted(row)) != names:
            raise _err(f"{path}: point {k + 1} names {sorted(row)}, the first names {list(names)}",
                       "every point sets the same parameters", where)
        seen.add(tuple(exact(str(row[n]), where) for n in names))
    return Grid(names, tuple(sorted(seen)), ())
