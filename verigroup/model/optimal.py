"""Optimising profiles (issue 8, LANG3): ``profile best = argmax(welfare)``.

A declared ``argmax``/``argmin`` profile stays *lazy* in the IR (a
:class:`~verigroup.model.properties.Profile` with ``objective`` set and no
actions): which profile it is depends on the payoffs and parameters, so it is
found at check time from the exact metric tensor.  This module holds the
pure parts, shared by the checker (:mod:`verigroup.analyses.argmax`) and the
replay:

* :func:`lazy_profiles` finds the lazy profiles anywhere inside a property;
* :func:`bind` rebuilds a property with them replaced by pure profiles;
* :func:`optimum` finds the optimum of an exact tensor.

The tie rule: the *first* optimal profile in declaration order (agents in
model order, each agent's actions in declared order, the first agent's
action varying slowest) -- ``numpy.argmax``'s row-major order.  The evidence
reports how many profiles tie, so a reader sees when the choice was a rule,
not the game.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from verigroup.model.game import ExactTensor
from verigroup.model.properties import Profile

TIED_SHOWN = 5  # tied profiles listed in the evidence (the count is always given)


def label(p: Profile) -> str:
    """How the evidence names a lazy profile: its declared name, or the call."""
    return p.name or f"arg{p.sense}({p.objective})"


def lazy_profiles(node: Any) -> list[Profile]:
    """Every distinct lazy profile inside ``node`` (a property, a term), in
    the order first met."""
    out: list[Profile] = []
    stack = [node]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, Profile):
            if n.lazy and n not in out:
                out.append(n)
            continue
        if isinstance(n, (tuple, list)):
            stack.extend(reversed(n))
        elif dataclasses.is_dataclass(n) and not isinstance(n, type):
            stack.extend(reversed([getattr(n, f.name) for f in dataclasses.fields(n) if f.name != "span"]))
    return out


def bind(node: Any, chosen: Mapping[Profile, tuple[str, ...]]) -> Any:
    """``node`` with every lazy profile in ``chosen`` replaced by the pure
    profile of those actions (its name kept); other nodes are shared."""
    if isinstance(node, Profile):
        acts = chosen.get(node) if node.lazy else None
        return node if acts is None else Profile(acts, node.name, node.span)
    if isinstance(node, tuple):
        items = tuple(bind(x, chosen) for x in node)
        return node if all(a is b for a, b in zip(items, node)) else items
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            if not f.init or f.name == "span":
                continue
            old = getattr(node, f.name)
            new = bind(old, chosen)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(node, **changes) if changes else node
    return node


@dataclass(frozen=True)
class Optimum:
    """The optimum of one metric over all pure profiles: the chosen profile
    (the first optimal one in declaration order), its exact value, how many
    profiles attain it and the first few of them."""

    index: tuple[int, ...]
    value_num: int
    value_den: int
    ties: int
    tied: tuple[tuple[int, ...], ...]


def optimum(tensor: ExactTensor, sense: str) -> Optimum:
    """The max (``sense == "max"``) or min of an exact tensor, exactly: the
    comparison is on the integer numerators over one positive denominator."""
    vals = tensor.values
    flat = vals.reshape(-1)
    k = int(np.argmax(flat) if sense == "max" else np.argmin(flat))
    best = flat[k]
    hits = np.flatnonzero(flat == best)
    tied = tuple(tuple(int(i) for i in np.unravel_index(int(h), vals.shape)) for h in hits[:TIED_SHOWN])
    idx = tuple(int(i) for i in np.unravel_index(k, vals.shape))
    return Optimum(idx, int(best), int(tensor.denominator), int(hits.size), tied)
