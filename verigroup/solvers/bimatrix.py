"""All extreme Nash equilibria of two-agent games, exactly, and the
components of the equilibrium set.

Method (von Stengel, "Computing equilibria for two-person games", 2002;
Avis–Rosenberg–Savani–von Stengel 2010).  Shift both payoff matrices to
positive integers (this changes no equilibrium; payoffs are integers after
the game's per-player common denominator).  The best-response polytopes

    P = {x in R^m : x >= 0, B^T x <= 1}     Q = {y in R^n : A y <= 1, y >= 0}

are bounded.  Label ``i < m`` of a point ``x`` of ``P`` means ``x_i = 0``,
label ``m + j`` means ``(B^T x)_j = 1``; for ``y`` in ``Q`` label ``i``
means ``(A y)_i = 1`` and ``m + j`` means ``y_j = 0``.  A pair of vertices
``(x, y) != (0, 0)`` is an extreme equilibrium (after normalising each to a
probability vector) iff every one of the ``m + n`` labels is present in
``L(x) | L(y)``.  In a *degenerate* game a vertex carries extra labels, and
the same test (union covers everything, not an exact complementary split)
stays correct and complete.

Why this design: the vertices are enumerated *exactly* (no float ever
decides a label), so the list is complete and exact by construction, for
degenerate games as well; the pairing is a bitmask test, vectorised in
numpy.  Engines (``engine=``):

* ``"cdd"`` / ``"dd"`` — exact vertex enumeration of both polytopes
  (:mod:`verigroup.solvers.polytope`): pycddlib over GMP, or the own
  double description method over Python integers (the default: measured
  faster than pycddlib's DD for these polytopes, and dependency-free);
* ``"lrs"`` — ``lrsnash`` (optional binary) whose output is re-verified;
* ``"auto"`` — ``"dd"`` up to 12x12 (measured faster than lrsnash there),
  ``"lrs"`` for larger games when the binary is installed, else ``"dd"``.

Every returned equilibrium is re-verified exactly (each agent's regret is 0
in Fractions against the original, unshifted payoffs) before it is returned.

Components: the Nash equilibria form a finite union of maximal Nash subsets
``conv(X_k) x conv(Y_k)`` where ``(X_k, Y_k)`` are the maximal bicliques of
the bipartite graph on extreme strategies (``x ~ y`` iff ``(x, y)`` is an
extreme equilibrium); components are the connected unions of those cliques,
i.e. the connected components of the bipartite graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Sequence

import numpy as np

from verigroup.runtime import DeadlineExceeded
from verigroup.diagnostics import Diagnostic, TooLarge
from verigroup.model.game import NormalFormGame
from verigroup.solvers import polytope
from verigroup.solvers.rational import normalize, regrets

Vector = tuple[Fraction, ...]
Pair = tuple[Vector, Vector]

MAX_BICLIQUE_FAMILY = 20_000
# "auto": the own exact DD up to 12x12 (faster than lrsnash there), lrsnash
# beyond when installed (its reverse search scales better), else DD.
AUTO_DD_MAX_CELLS = 144


# Largest |payoff| (after scaling to integers) handed to lrsnash in "auto".
LRS_SAFE_MAGNITUDE = 10**9


def _lrs_available() -> bool:
    from verigroup.solvers import lrs

    return lrs.available()


@dataclass(frozen=True)
class BimatrixResult:
    """All extreme equilibria of a two-agent game.

    ``equilibria[k] == (xs[pairs[k][0]], ys[pairs[k][1]])``; ``cliques`` are
    the maximal Nash subsets as (x indices, y indices); ``components`` group
    clique indices into connected components."""

    equilibria: tuple[Pair, ...]
    xs: tuple[Vector, ...]
    ys: tuple[Vector, ...]
    pairs: tuple[tuple[int, int], ...]
    cliques: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    components: tuple[tuple[int, ...], ...]
    components_infinite: bool
    method: str
    engine: str
    exact: bool = True
    complete: bool = True
    reason: str = ""
    stats: dict[str, int] = field(default_factory=dict, compare=False)


def _matrices(game: NormalFormGame) -> tuple[list[list[int]], list[list[int]]]:
    if game.num_players != 2:
        raise ValueError("bimatrix solver needs exactly two agents")
    a = [[int(v) for v in row] for row in game.payoffs[0].values]
    b = [[int(v) for v in row] for row in game.payoffs[1].values]
    return a, b


def _positive(mat: list[list[int]]) -> list[list[int]]:
    lo = min(min(r) for r in mat)
    return [[v - lo + 1 for v in r] for r in mat]


def _ylabels(mask: int, m: int, n: int) -> int:
    """Q's tight mask (bits 0..n-1: y_j = 0, n..n+m-1: row i) -> labels."""
    return ((mask >> n) & ((1 << m) - 1)) | ((mask & ((1 << n) - 1)) << m)


def _match(lx: list[int], ly: list[int], full: int) -> list[tuple[int, int]]:
    """Index pairs with ``lx | ly == full``, vectorised when masks fit int64."""
    out: list[tuple[int, int]] = []
    if not lx or not ly:
        return out
    if full < 2**62:
        ax = np.array(lx, dtype=np.int64)
        ay = np.array(ly, dtype=np.int64)
        need = np.int64(full) & ~ax  # labels x lacks
        chunk = max(1, 4_000_000 // len(ay))
        for s in range(0, len(ax), chunk):
            blk = need[s:s + chunk, None]
            hit = (ay[None, :] & blk) == blk
            ii, jj = np.nonzero(hit)
            out.extend((int(i) + s, int(j)) for i, j in zip(ii, jj))
        return out
    for i, a in enumerate(lx):
        need_i = full & ~a
        out.extend((i, j) for j, b in enumerate(ly) if b & need_i == need_i)
    return out


def extreme_equilibria_raw(game: NormalFormGame, engine: str = "auto",
                           timeout: float | None = None) -> tuple[list[Pair], str]:
    """Unverified candidate list from one engine (normalised, deduplicated)."""
    a, b = _matrices(game)
    m, n = len(a), len(a[0])
    if engine == "auto":
        small = m * n <= AUTO_DD_MAX_CELLS
        # lrsnash has been seen returning non-equilibria (and so possibly
        # missing equilibria) on payoffs near 10^30: only hand it
        # moderate integers.
        big = max((abs(v) for row in (*a, *b) for v in row), default=0) > LRS_SAFE_MAGNITUDE
        engine = "dd" if small or big or not _lrs_available() else "lrs"
    if engine == "lrs":
        import subprocess

        from verigroup.solvers import lrs

        try:
            found = lrs.lrsnash(a, b, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise DeadlineExceeded()
        return sorted({(normalize(x), normalize(y)) for x, y in found}), "lrsnash"
    pe = engine
    ap, bp = _positive(a), _positive(b)
    bt = [[bp[i][j] for i in range(m)] for j in range(n)]  # B^T: n x m
    vx = [v for v in polytope.vertices(bt, pe) if not v.is_zero]
    vy = [v for v in polytope.vertices(ap, pe) if not v.is_zero]
    full = (1 << (m + n)) - 1
    lx = [v.mask & full for v in vx]
    ly = [_ylabels(v.mask, m, n) for v in vy]
    pairs = _match(lx, ly, full)
    eqs = {(normalize(vx[i].point), normalize(vy[j].point)) for i, j in pairs}
    return sorted(eqs), f"vertex enumeration ({pe}) + label matching"


def verify_pair(game: NormalFormGame, x: Sequence[Fraction], y: Sequence[Fraction]) -> bool:
    if any(p < 0 for p in x) or any(p < 0 for p in y):
        return False
    if sum(x) != 1 or sum(y) != 1:
        return False
    return max(regrets(game, [tuple(x), tuple(y)])) == 0


def solve_bimatrix(game: NormalFormGame, engine: str = "auto",
                   timeout: float | None = None) -> BimatrixResult:
    """All extreme Nash equilibria of a two-agent game, verified exactly,
    with maximal Nash subsets and components."""
    raw, method = extreme_equilibria_raw(game, engine, timeout)
    bad = [p for p in raw if not verify_pair(game, *p)]
    eng = "lrsnash" if method == "lrsnash" else method.split("(")[1].split(")")[0]
    if bad and eng != "lrsnash":  # a bug of our own engine: never report it
        raise AssertionError(f"engine {eng} produced a non-equilibrium: {bad[0]}")
    if bad and engine == "auto":
        # lrsnash answered wrongly: its list cannot be trusted to be complete
        # either, so redo the whole enumeration with our own exact engine.
        return solve_bimatrix(game, "dd", timeout)
    if bad:  # an external engine's wrong answer: drop it, and say so
        good = [p for p in raw if p not in bad]
        return assemble(good, method, eng, False,
                        f"lrsnash returned {len(bad)} profile(s) failing exact verification")
    return assemble(raw, method, eng)


def assemble(eqs: Sequence[Pair], method: str, engine: str, complete: bool = True,
             reason: str = "") -> BimatrixResult:
    eqs = sorted(set(eqs))
    xs = sorted({x for x, _ in eqs})
    ys = sorted({y for _, y in eqs})
    xi = {x: k for k, x in enumerate(xs)}
    yi = {y: k for k, y in enumerate(ys)}
    pairs = tuple((xi[x], yi[y]) for x, y in eqs)
    cliques = maximal_bicliques(pairs, len(xs), len(ys))
    comps = components_of(cliques)
    infinite = any(len(cx) > 1 or len(cy) > 1 for cx, cy in cliques)
    return BimatrixResult(tuple(eqs), tuple(xs), tuple(ys), pairs, cliques, comps, infinite,
                          method, engine, True, complete, reason,
                          {"extreme_equilibria": len(eqs)})


def maximal_bicliques(pairs: Sequence[tuple[int, int]], nx: int, ny: int
                      ) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """Maximal bicliques of a bipartite graph given by its edges.

    Every maximal biclique is ``(X, N(X))`` with ``X`` an intersection of
    neighbourhoods ``N(y)``; we close the family of neighbourhoods under
    intersection (bitmasks), then keep the closed pairs."""
    nbr_y = [0] * ny
    nbr_x = [0] * nx
    for i, j in pairs:
        nbr_y[j] |= 1 << i
        nbr_x[i] |= 1 << j
    family: set[int] = set()
    for nb in nbr_y:
        if nb == 0:
            continue
        new = {nb}
        new.update(nb & f for f in family if nb & f)
        family |= new
        if len(family) > MAX_BICLIQUE_FAMILY:
            raise TooLarge([Diagnostic("E202", f"more than {MAX_BICLIQUE_FAMILY} candidate "
                                       "maximal Nash subsets", hint="report extreme equilibria only")])
    out = []
    for xmask in family:
        ymask = (1 << ny) - 1
        for i in range(nx):
            if xmask >> i & 1:
                ymask &= nbr_x[i]
        # closure: X must equal the common neighbours of Y
        back = (1 << nx) - 1
        for j in range(ny):
            if ymask >> j & 1:
                back &= nbr_y[j]
        if back != xmask or ymask == 0:
            continue
        out.append((tuple(i for i in range(nx) if xmask >> i & 1),
                    tuple(j for j in range(ny) if ymask >> j & 1)))
    return tuple(sorted(out))


def components_of(cliques: Sequence[tuple[tuple[int, ...], tuple[int, ...]]]
                  ) -> tuple[tuple[int, ...], ...]:
    """Connected unions of cliques (cliques sharing an x or a y vertex)."""
    parent = list(range(len(cliques)))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    owner: dict[tuple[str, int], int] = {}
    for k, (cx, cy) in enumerate(cliques):
        for key in [("x", i) for i in cx] + [("y", j) for j in cy]:
            if key in owner:
                parent[find(k)] = find(owner[key])
            else:
                owner[key] = k
    groups: dict[int, list[int]] = {}
    for k in range(len(cliques)):
        groups.setdefault(find(k), []).append(k)
    return tuple(sorted(tuple(g) for g in groups.values()))
