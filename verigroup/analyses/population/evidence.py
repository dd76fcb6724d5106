"""Evidence for a population: a count vector plus representatives.

Members are arranged canonically: within a family, the first ``c[0]``
members (from the family's lower bound) play the first action, the next
``c[1]`` the second, and so on.  A representative of an action class is
its first member in that arrangement, so "999,999 members of a play
withhold; a[17] contributes" names a concrete profile that ``replay``
rebuilds from the counts alone.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from verigroup.model.counting import CountingView

State = Mapping[str, tuple[int, ...]]
MAX_DIGITS = 10_000
SHOW_STRATEGIES = 64


def counts_json(view: CountingView, state: State) -> dict[str, dict[str, int]]:
    return {p.name: {a: int(c) for a, c in zip(p.actions, state[p.name])} for p in view.pops}


def state_from_json(view: CountingView, counts: Mapping[str, Mapping[str, int]]) -> dict[str, tuple[int, ...]]:
    return {p.name: tuple(int(counts[p.name].get(a, 0)) for a in p.actions) for p in view.pops}


def representatives(view: CountingView, state: State) -> dict[str, str]:
    """Member name -> action, for the first member of each non-empty class."""
    out: dict[str, str] = {}
    for p in view.pops:
        start = p.lo
        for a, c in zip(p.actions, state[p.name]):
            if c:
                out[p.member(start)] = a
            start += c
    return out


def first_member(view: CountingView, state: State, fam: str, act: int) -> str:
    p = view.pop(fam)
    return p.member(p.lo + sum(state[fam][:act]))


def describe(view: CountingView, state: State) -> str:
    """``999,999 members of a play withhold; a[17] contributes``."""
    parts: list[str] = []
    for p in view.pops:
        cs = state[p.name]
        if p.single:
            parts.append(f"{p.name} plays {p.actions[cs.index(1)]}")
            continue
        start = p.lo
        for a, c in zip(p.actions, cs):
            if c == 0:
                pass
            elif c == p.size:
                parts.append(f"all {c:,} members of {p.name} play {a}")
            elif c <= 2:
                names = ", ".join(p.member(start + k) for k in range(c))
                parts.append(f"{names} play{'s' if c == 1 else ''} {a}")
            else:
                parts.append(f"{c:,} members of {p.name} play {a} ({p.member(start)}, ...)")
            start += c
    return "; ".join(parts)


def multiplicity_json(view: CountingView, state: State) -> dict[str, Any]:
    """``multiplicity``: the exact number of profiles as a decimal string
    when it has at most MAX_DIGITS digits; beyond, a scientific
    approximation with ``multiplicity_exact: false`` and the formula."""
    from verigroup.analyses.population.engine import log10_multiplicity, multiplicity

    lg = log10_multiplicity(view, state)
    formula = " * ".join(
        f"C({p.size}; {', '.join(str(c) for c in state[p.name])})" for p in view.pops if not p.single)
    if lg < MAX_DIGITS - 10:
        return {"multiplicity": str(multiplicity(view, state))}
    exp = math.floor(lg)
    mant = 10 ** (lg - exp)
    return {"multiplicity": f"{mant:.12f}e+{exp}", "multiplicity_exact": False,
            "multiplicity_formula": formula or "1"}


def strategies_json(view: CountingView, state: State) -> dict[str, dict[str, str]] | None:
    """Per-member pure strategies, only when every family is small."""
    if any(p.size > SHOW_STRATEGIES for p in view.pops):
        return None
    out: dict[str, dict[str, str]] = {}
    for p in view.pops:
        k = p.lo
        for a, c in zip(p.actions, state[p.name]):
            for _ in range(c):
                out[p.member(k)] = {a: "1"}
                k += 1
    return out
