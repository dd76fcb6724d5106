"""The library rules one profile at a time, in plain Python with exact
integers and Fractions: the reference replay re-checks counterexamples
with, and the tests compare against the vectorised :mod:`.rules` and
against pref_voting.  Written from the definitions, sharing no code with
:mod:`.rules`.

A profile is a list of rankings (tuples of alternative indices, best first),
one per voter in voter order.  Resolute rules return an alternative index;
``random-dictatorship`` returns a tuple of Fractions.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Sequence

Profile = Sequence[tuple[int, ...]]


def _earliest(winners: set[int]) -> int:
    return min(winners)


def _argmax_set(scores: dict[int, int | Fraction]) -> set[int]:
    best = max(scores.values())
    return {x for x, s in scores.items() if s == best}


def support(profile: Profile, x: int, y: int) -> int:
    return sum(1 for r in profile if r.index(x) < r.index(y))


def winner_set(rule: str, profile: Profile, m: int, approve: int = 1, scores: Sequence[int] = ()) -> set[int]:
    alts = range(m)
    if rule == "scoring":
        return _argmax_set({x: sum(scores[r.index(x)] for r in profile) for x in alts})
    if rule == "plurality":
        return _argmax_set({x: sum(1 for r in profile if r[0] == x) for x in alts})
    if rule == "borda":
        return _argmax_set({x: sum(m - 1 - r.index(x) for r in profile) for x in alts})
    if rule == "approval":
        return _argmax_set({x: sum(1 for r in profile if r.index(x) < approve) for x in alts})
    if rule == "copeland":
        def sc(x: int) -> int:
            total = 0
            for y in alts:
                if y != x:
                    d = support(profile, x, y) - support(profile, y, x)
                    total += (d > 0) - (d < 0)
            return total
        return _argmax_set({x: sc(x) for x in alts})
    if rule == "maximin":
        return _argmax_set({x: min(support(profile, x, y) for y in alts if y != x) for x in alts})
    if rule == "kemeny":
        best, tops = -1, set()
        for order in itertools.permutations(alts):
            agree = sum(support(profile, order[i], order[j]) for i in range(m) for j in range(i + 1, m))
            if agree > best:
                best, tops = agree, {order[0]}
            elif agree == best:
                tops.add(order[0])
        return tops
    if rule == "irv":
        return {irv(profile, m)}
    if rule == "dictatorship":
        return {profile[0][0]}
    raise KeyError(rule)


def irv(profile: Profile, m: int) -> int:
    """Eliminate the alternative with fewest first places among those left
    (the latest in the order a, b, c ... among tied ones) until one is left."""
    left = list(range(m))
    while len(left) > 1:
        firsts = {x: 0 for x in left}
        for r in profile:
            firsts[next(x for x in r if x in firsts)] += 1
        low = min(firsts.values())
        out = max(x for x in left if firsts[x] == low)
        left.remove(out)
    return left[0]


def outcome(rule: str, profile: Profile, m: int, approve: int = 1,
            scores: Sequence[int] = ()) -> int | tuple[Fraction, ...]:
    if rule == "random-dictatorship":
        n = len(profile)
        return tuple(Fraction(sum(1 for r in profile if r[0] == x), n) for x in range(m))
    return _earliest(winner_set(rule, profile, m, approve, scores))


def gains(true: tuple[int, ...], new: int | tuple[Fraction, ...], old: int | tuple[Fraction, ...]) -> bool:
    """Does a voter with ranking ``true`` strictly prefer ``new`` to ``old``
    (lotteries: for some utility consistent with ``true``)?"""
    if isinstance(new, int) and isinstance(old, int):
        return true.index(new) < true.index(old)
    assert isinstance(new, tuple) and isinstance(old, tuple)
    cn = co = Fraction(0)
    for x in true:
        cn += new[x]
        co += old[x]
        if cn > co:
            return True
    return False
