"""Counting-space computations: count states in chunks, pure equilibria as
count vectors, dominance, metric optima.

A *state* gives, for every population, how many members play each action.
All profiles with the same state are alike in an anonymous game, so a state
is a pure Nash equilibrium exactly when no member of any action class gains
by moving to another action (the counts then change by one).  States are
enumerated in chunks of :data:`CHUNK` and evaluated exactly with
:mod:`.exactvec`; the deadline is polled between chunks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator, Mapping, Sequence

import numpy as np

from verigroup.analyses.population import exactvec as V
from verigroup.diagnostics import Diagnostic, TooLarge
from verigroup.model import counting as Q
from verigroup.runtime import check_deadline

CHUNK = 1 << 18
MAX_STATES = 200_000_000
Counts = dict[str, list[np.ndarray]]
State = dict[str, tuple[int, ...]]


def _compositions(n: int, k: int) -> Iterator[np.ndarray]:
    """All count vectors of ``n`` members over ``k`` actions, as chunks of
    shape (m, k), lexicographic in the first coordinates (descending last)."""
    if k == 1:
        yield np.array([[n]], dtype=np.int64)
        return
    if k == 2:
        for s in range(0, n + 1, CHUNK):
            a = np.arange(s, min(n, s + CHUNK - 1) + 1, dtype=np.int64)
            yield np.stack([a, n - a], axis=1)
        return
    buf: list[np.ndarray] = []
    size = 0
    for first in range(n + 1):
        for sub in _compositions(n - first, k - 1):
            buf.append(np.concatenate([np.full((sub.shape[0], 1), first, dtype=np.int64), sub], axis=1))
            size += sub.shape[0]
            if size >= CHUNK:
                yield np.concatenate(buf)
                buf, size = [], 0
    if buf:
        yield np.concatenate(buf)


def check_size(view: Q.CountingView, sizes: Mapping[str, int] | None = None) -> int:
    total = 1
    for p in view.pops:
        n = sizes.get(p.name, p.size) if sizes else p.size
        total *= math.comb(n + len(p.actions) - 1, len(p.actions) - 1)
    if total > MAX_STATES:
        big = max(view.pops, key=lambda p: p.states())
        raise TooLarge([Diagnostic(
            "E131", f"the counting view has {total:,} states (family `{big.name}` has {big.size:,} members "
            f"and {len(big.actions)} actions); the limit is {MAX_STATES:,}", big.span,
            "prove the property for every size with `for n >= 2` (Z3, N symbolic), or set a smaller "
            "size with --set")])
    return total


def states(view: Q.CountingView, sizes: Mapping[str, int] | None = None) -> Iterator[tuple[Counts, int]]:
    """Chunks of count states: (counts per population per action, length).
    ``sizes`` overrides population sizes (others' configurations)."""
    pops = list(view.pops)
    size = {p.name: (sizes.get(p.name, p.size) if sizes else p.size) for p in pops}
    if not pops:
        yield {}, 1
        return
    big = max(pops, key=lambda p: math.comb(size[p.name] + len(p.actions) - 1, len(p.actions) - 1))
    small = [p for p in pops if p is not big]
    # the product of the small populations' states, materialised
    rest: list[tuple[str, np.ndarray]] = []
    reps = 1
    for p in small:
        arr = np.concatenate(list(_compositions(size[p.name], len(p.actions))))
        rest.append((p.name, arr))
        reps *= arr.shape[0]
    for chunk in _compositions(size[big.name], len(big.actions)):
        check_deadline()
        m = chunk.shape[0]
        total = m * reps
        counts: Counts = {big.name: [np.repeat(chunk[:, k], reps) if reps > 1 else np.ascontiguousarray(chunk[:, k])
                                     for k in range(chunk.shape[1])]}
        inner = 1
        for name, arr in reversed(rest):
            idx = np.tile(np.repeat(np.arange(arr.shape[0]), inner), total // (arr.shape[0] * inner))
            counts[name] = [arr[idx, k] for k in range(arr.shape[1])]
            inner *= arr.shape[0]
        yield counts, total


def shifted(counts: Counts, fam: str, frm: int, to: int) -> Counts:
    out = dict(counts)
    arrs = list(counts[fam])
    arrs[frm] = arrs[frm] - 1
    arrs[to] = arrs[to] + 1
    out[fam] = arrs
    return out


def _ge(a: V.Num, b: V.Num, strict: bool = False) -> np.ndarray:
    x, y = V._mul(a.num, b.den), V._mul(b.num, a.den)
    return np.asarray(x > y if strict else x >= y, dtype=bool)


class Undefined(Exception):
    """A payoff divides by zero at some reachable count state."""


def _check_bad(v: V.Num, where: np.ndarray, length: int, what: str) -> None:
    if v.bad is not None:
        b = V.full(v.bad, length) & V.full(where, length)
        if b.any():
            raise Undefined(f"{what} divides by zero at some count state")


@dataclass(frozen=True)
class Deviation:
    """At state ``state`` a member of ``fam`` playing ``frm`` gains by
    moving to ``to``: payoff ``before`` -> ``after``."""

    fam: str
    frm: int
    to: int
    before: Fraction
    after: Fraction


def equilibrium_mask(view: Q.CountingView, counts: Counts, length: int) -> np.ndarray:
    ok = np.ones(length, dtype=bool)
    params = view.params
    base = V.Evaluator(counts, params, length)
    for p in view.pops:
        k = len(p.actions)
        for x in range(k):
            present = V.full(counts[p.name][x] > 0, length)
            if not present.any():
                continue
            ux = base.num(view.payoff[(p.name, x)])
            _check_bad(ux, present, length, f"the payoff of `{p.name}`")
            for y in range(k):
                if y == x:
                    continue
                dev = V.Evaluator(shifted(counts, p.name, x, y), params, length)
                uy = dev.num(view.payoff[(p.name, y)])
                _check_bad(uy, present, length, f"the payoff of `{p.name}`")
                ok &= ~present | _ge(ux, uy)
    return ok


def deviation_at(view: Q.CountingView, state: State) -> Deviation | None:
    """The first profitable unilateral move at one state, or None."""
    for p in view.pops:
        cs = state[p.name]
        for x in range(len(p.actions)):
            if cs[x] == 0:
                continue
            ux = V.scalar(view.payoff[(p.name, x)], state, view.params)
            for y in range(len(p.actions)):
                if y == x:
                    continue
                moved = dict(state)
                lst = list(cs)
                lst[x] -= 1
                lst[y] += 1
                moved[p.name] = tuple(lst)
                uy = V.scalar(view.payoff[(p.name, y)], moved, view.params)
                assert not isinstance(ux, bool) and not isinstance(uy, bool)
                if uy > ux:
                    return Deviation(p.name, x, y, ux, uy)
    return None


@dataclass(frozen=True)
class Equilibria:
    """Every pure equilibrium class: ``states`` (one count tuple per
    population, in ``view.pops`` order), ``checked`` count states."""

    states: tuple[State, ...]
    checked: int


def pure_equilibria(view: Q.CountingView) -> Equilibria:
    from verigroup.runtime import progress

    total = check_size(view)
    found: list[State] = []
    checked = 0
    for counts, length in states(view):
        mask = equilibrium_mask(view, counts, length)
        checked += length
        progress.step(checked, total, "count states")
        for i in np.flatnonzero(mask):
            found.append({p.name: tuple(int(V.full(counts[p.name][k], length)[i])
                                        for k in range(len(p.actions))) for p in view.pops})
    return Equilibria(tuple(found), checked)


def multiplicity(view: Q.CountingView, state: Mapping[str, tuple[int, ...]]) -> int:
    """How many profiles the state stands for: a product of multinomials."""
    m = 1
    for p in view.pops:
        rest = p.size
        for c in state[p.name]:
            m *= math.comb(rest, c)
            rest -= c
    return m


def log10_multiplicity(view: Q.CountingView, state: Mapping[str, tuple[int, ...]]) -> float:
    s = 0.0
    for p in view.pops:
        s += math.lgamma(p.size + 1) - sum(math.lgamma(c + 1) for c in state[p.name])
    return s / math.log(10)


def is_single_profile(view: Q.CountingView, state: State) -> bool:
    return all(sum(1 for c in state[p.name] if c) == 1 for p in view.pops)


def metric_values(view: Q.CountingView, name: str, sts: Sequence[State]) -> list[Fraction]:
    e = view.metric(name)
    out = []
    for s in sts:
        v = V.scalar(e, s, view.params)
        assert not isinstance(v, bool)
        out.append(v)
    return out


def metric_extreme(view: Q.CountingView, name: str, which: str) -> tuple[Fraction, State]:
    """max/min of a metric over every count state (exact), with a witness."""
    from verigroup.runtime import progress

    total = check_size(view)
    e = view.metric(name)
    best: Fraction | None = None
    done = 0
    best_state: State | None = None
    for counts, length in states(view):
        ev = V.Evaluator(counts, view.params, length)
        v = ev.num(e)
        done += length
        progress.step(done, total, f"count states ({name})")
        _check_bad(v, np.ones(length, dtype=bool), length, f"the metric `{name}`")
        num, den = V.full(v.num, length), V.full(v.den, length)
        # exact arg-extreme: compare as fractions with a common denominator
        if num.dtype != object and den.dtype != object and len(set(np.unique(den).tolist())) == 1:
            i = int(np.argmax(num) if which == "max" else np.argmin(num))
        else:
            fr = [Fraction(int(a), int(b)) for a, b in zip(num, den)]
            i = max(range(length), key=fr.__getitem__) if which == "max" else min(range(length), key=fr.__getitem__)
        val = Fraction(int(num[i]), int(den[i]))
        if best is None or (val > best if which == "max" else val < best):
            best = val
            best_state = {p.name: tuple(int(V.full(counts[p.name][k], length)[i])
                                        for k in range(len(p.actions))) for p in view.pops}
    assert best is not None and best_state is not None
    return best, best_state


@dataclass(frozen=True)
class DominanceFailure:
    others: State  # counts of everyone else (the member excluded)
    alt: int
    mine: Fraction
    theirs: Fraction


def dominance(view: Q.CountingView, fam: str, act: int, strict: bool) -> tuple[DominanceFailure | None, int]:
    """Is ``act`` dominant for a member of ``fam``?  Compares ``act`` with
    every other action against every configuration of the others."""
    pop = view.pop(fam)
    sizes = {fam: pop.size - 1}
    check_size(view, sizes)
    checked = 0
    weak_gain = {y: False for y in range(len(pop.actions)) if y != act}
    for counts, length in states(view, sizes):
        checked += length
        mine_counts = dict(counts)
        arr = list(counts[fam])
        arr[act] = arr[act] + 1
        mine_counts[fam] = arr
        mine = V.Evaluator(mine_counts, view.params, length).num(view.payoff[(fam, act)])
        for y in weak_gain:
            alt_counts = dict(counts)
            arr2 = list(counts[fam])
            arr2[y] = arr2[y] + 1
            alt_counts[fam] = arr2
            theirs = V.Evaluator(alt_counts, view.params, length).num(view.payoff[(fam, y)])
            everywhere = np.ones(length, dtype=bool)
            _check_bad(mine, everywhere, length, f"the payoff of `{fam}`")
            _check_bad(theirs, everywhere, length, f"the payoff of `{fam}`")
            good = _ge(mine, theirs, strict)
            if not V.full(good, length).all():
                i = int(np.argmin(V.full(good, length)))
                st = {p.name: tuple(int(V.full(counts[p.name][k], length)[i]) for k in range(len(p.actions)))
                      for p in view.pops}
                return DominanceFailure(st, y, V.fraction_at(_full(mine, length), i),
                                        V.fraction_at(_full(theirs, length), i)), checked
            if not strict and V.full(_ge(mine, theirs, True), length).any():
                weak_gain[y] = True
    if not strict:
        for y, gained in weak_gain.items():
            if not gained:  # equal everywhere: not weakly dominant (as in the explicit checker)
                st = {p.name: (0,) * len(p.actions) for p in view.pops}
                return DominanceFailure(st, y, Fraction(0), Fraction(0)), checked
    return None, checked


def _full(v: V.Num, length: int) -> V.Num:
    return V.Num(V.full(v.num, length), V.full(v.den, length), v.bad)
