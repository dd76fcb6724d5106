"""Exact vertex enumeration of best-response polytopes ``{z >= 0, M z <= 1}``.

``M`` is a ``k x d`` matrix of *positive* integers, so the polytope is
bounded and full-dimensional and ``z = 0`` is one of its vertices.  Each
vertex comes with its exact coordinates and its *tight mask*: bit ``i``
(``i < d``) set when ``z_i = 0``, bit ``d + r`` set when row ``r`` of
``M z <= 1`` holds with equality.  The masks are the Lemke–Howson labels.

Two exact engines:

* ``cdd`` — pycddlib 3.x (``cdd.gmp``, cddlib's double description method
  over GMP rationals); the incidence sets cddlib reports give the masks.
* ``dd`` — an own double description method over Python integers
  (fraction-free, rays reduced by their gcd), with the combinatorial
  adjacency test on bitmasks.  Slower but dependency-free; it is the
  fallback when pycddlib is not installed and an independent cross-check in
  the tests.

Both are complete on degenerate polytopes (a degenerate vertex simply has
more tight constraints in its mask).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from verigroup.runtime import check_deadline


@dataclass(frozen=True)
class Vertex:
    """``point == ints / den`` (kept as integers; Fractions on demand)."""

    ints: tuple[int, ...]
    den: int
    mask: int

    @property
    def point(self) -> tuple[Fraction, ...]:
        return tuple(Fraction(v, self.den) for v in self.ints)

    @property
    def is_zero(self) -> bool:
        return not any(self.ints)


def have_cdd() -> bool:
    try:
        import cdd.gmp  # noqa: F401
    except ImportError:
        return False
    return True


def vertices(matrix: Sequence[Sequence[int]], engine: str = "auto") -> list[Vertex]:
    """All vertices of ``{z >= 0, M z <= 1}`` (``M`` positive integers)."""
    if engine == "auto":
        engine = "cdd" if have_cdd() else "dd"
    if engine == "cdd":
        return _vertices_cdd(matrix)
    if engine == "dd":
        return _vertices_dd(matrix)
    raise ValueError(f"unknown polytope engine {engine!r}")


def _vertices_cdd(matrix: Sequence[Sequence[int]]) -> list[Vertex]:
    import cdd
    import cdd.gmp as g

    k = len(matrix)
    d = len(matrix[0])
    # H-representation rows [b, -A] mean b - A z >= 0.
    rows: list[list[int]] = [[0] + [1 if c == i else 0 for c in range(d)] for i in range(d)]
    rows += [[1] + [-int(v) for v in matrix[r]] for r in range(k)]
    mat = g.matrix_from_array(rows, rep_type=cdd.RepType.INEQUALITY)
    # MIN_INDEX: the d nonnegativity rows first (a simplex cone), then the
    # payoff rows; markedly faster than cddlib's default order here.
    poly = g.polyhedron_from_matrix(mat, cdd.RowOrderType.MIN_INDEX)
    gens = g.copy_generators(poly)
    inc = g.copy_incidence(poly)
    out: list[Vertex] = []
    for row, tight in zip(gens.array, inc):
        if row[0] == 0:  # a ray: impossible for a bounded polytope
            raise AssertionError("unbounded best-response polytope")
        fr = [Fraction(v) for v in row]
        den = 1
        for v in fr:
            den = den * v.denominator // math.gcd(den, v.denominator)
        ints = [int(v * den) for v in fr]
        mask = 0
        for r in tight:
            mask |= 1 << r
        out.append(Vertex(tuple(ints[1:]), ints[0], mask))
    return out


def _vertices_dd(matrix: Sequence[Sequence[int]]) -> list[Vertex]:
    """Double description over integers on the homogenised cone
    ``{(t, z): t >= 0, z >= 0, t - M_r z >= 0}`` in ``R^(d+1)``."""
    k = len(matrix)
    d = len(matrix[0])
    dim = d + 1
    # Constraint rows; bit index: 0 = t >= 0, 1+i = z_i >= 0, 1+d+r = row r.
    rays: list[list[int]] = [[1 if c == i else 0 for c in range(dim)] for i in range(dim)]
    first = (1 << dim) - 1
    zs: list[int] = [first ^ (1 << i) for i in range(dim)]
    use_np = d + 1 + k <= 63
    for r in range(k):
        check_deadline()
        a = [1] + [-int(v) for v in matrix[r]]
        bit = 1 << (dim + r)
        vals = [sum(x * y for x, y in zip(a, ray) if y) for ray in rays]
        pos = [i for i, v in enumerate(vals) if v > 0]
        neg = [i for i, v in enumerate(vals) if v < 0]
        zero = [i for i, v in enumerate(vals) if v == 0]
        new_rays: list[list[int]] = []
        new_zs: list[int] = []
        for p, n in _adjacent_pairs(pos, neg, zs, dim, use_np):
            vp, vn = vals[p], vals[n]
            w = [vp * y - vn * x for x, y in zip(rays[p], rays[n])]
            gg = 0
            for v in w:
                gg = math.gcd(gg, v)
            if gg > 1:
                w = [v // gg for v in w]
            new_rays.append(w)
            new_zs.append((zs[p] & zs[n]) | bit)
        keep = pos + zero
        rays = [rays[i] for i in keep] + new_rays
        zs = [zs[i] | (bit if vals[i] == 0 else 0) for i in keep] + new_zs
    out: list[Vertex] = []
    for ray, z in zip(rays, zs):
        t = ray[0]
        if t == 0:
            raise AssertionError("unbounded best-response polytope")
        out.append(Vertex(tuple(ray[1:]), t, z >> 1))
    return out


def _adjacent_pairs(pos: list[int], neg: list[int], zs: list[int], dim: int,
                    use_np: bool) -> list[tuple[int, int]]:
    """(p, n) pairs of adjacent extreme rays, p in ``pos``, n in ``neg``.

    A ray is *simple* when exactly ``dim - 1`` processed constraints are
    tight at it (they are then independent).  Two simple rays are adjacent
    iff they share ``dim - 2`` tight constraints (those span a 2-face of the
    cone, which has exactly two extreme rays): found by hashing each ray's
    tight set with one constraint removed, in O(rays * dim).  Pairs with a
    degenerate ray use the combinatorial test: at least ``dim - 2`` shared
    constraints and no third extreme ray tight on all of them (valid since
    the current rays are exactly the extreme rays of the current cone)."""
    out: list[tuple[int, int]] = []
    if not pos or not neg:
        return out
    ps = [p for p in pos if zs[p].bit_count() == dim - 1]
    ns = [n for n in neg if zs[n].bit_count() == dim - 1]
    pd = [p for p in pos if zs[p].bit_count() != dim - 1]
    nd = [n for n in neg if zs[n].bit_count() != dim - 1]
    table: dict[int, list[int]] = {}
    for n in ns:
        z = zs[n]
        b = z
        while b:
            low = b & -b
            table.setdefault(z ^ low, []).append(n)
            b ^= low
    for p in ps:
        z = zs[p]
        b = z
        while b:
            low = b & -b
            hit = table.get(z ^ low)
            if hit:
                out.extend((p, n) for n in hit)
            b ^= low
    if pd:
        out.extend(_general_pairs(pd, neg, zs, dim, use_np))
    if nd and ps:
        out.extend(_general_pairs(ps, nd, zs, dim, use_np))
    return out


def _general_pairs(pos: list[int], neg: list[int], zs: list[int], dim: int,
                   use_np: bool) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    if not use_np:
        for p in pos:
            for n in neg:
                common = zs[p] & zs[n]
                if common.bit_count() < dim - 2:
                    continue
                if all(i == p or i == n or z & common != common for i, z in enumerate(zs)):
                    out.append((p, n))
        return out
    zarr = np.array(zs, dtype=np.int64)
    zp = zarr[pos]
    zn = zarr[neg]
    posa = np.array(pos)
    nega = np.array(neg)
    rows = max(1, 2_000_000 // len(neg))
    for s in range(0, len(pos), rows):
        cmat: Any = zp[s:s + rows, None] & zn[None, :]
        ii, jj = np.nonzero(np.bitwise_count(cmat) >= dim - 2)
        if len(ii) == 0:
            continue
        cand = cmat[ii, jj]
        keep = np.empty(len(cand), dtype=bool)
        step = max(1, 4_000_000 // len(zarr))
        for c in range(0, len(cand), step):
            blk = cand[c:c + step, None]
            keep[c:c + step] = ((zarr[None, :] & blk) == blk).sum(axis=1) == 2
        for i, j in zip(posa[s + ii[keep]], nega[jj[keep]]):
            out.append((int(i), int(j)))
    return out
