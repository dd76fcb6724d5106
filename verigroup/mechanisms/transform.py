"""Model -> Model transforms: the mechanism applied to a spec's game.

The transformed game is an ordinary :class:`~verigroup.model.model.Model`:
each agent's payoff expression becomes ``original + table`` where the table
is an exact decision tree over the agents' actions (``v if a == x else
(...)``), so every property, concept, backend and report applies unchanged
(the vectorised evaluator reads such a chain one axis at a time; Z3 reads it
as ``If`` terms).  When a payoff refers to other payoffs or metrics
(``payoff(b)``, a metric), adding to it would count the mechanism twice, so
the whole payoff is tabulated instead.  Metrics defined from payoffs read the
transformed payoffs (welfare includes the money paid to the agents).
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any, Mapping, Sequence

import numpy as np

from verigroup.model.expr import ActionIs, AgentRef, Arith, Cond, Expr, MetricOf, Num, PayoffOf
from verigroup.model.model import Agent, Model
from verigroup.model.properties import Property

Cells = Mapping[tuple[int, ...], Fraction]


def _ref(agent: Agent) -> AgentRef:
    return AgentRef(agent.family, None if agent.index is None else Num(Fraction(agent.index)))


def table_expr(agents: Sequence[Agent], cells: Cells) -> Expr:
    """An expression equal to ``cells[s]`` at profile ``s`` and 0 elsewhere."""
    items = [(s, v) for s, v in cells.items() if v != 0]
    return _trie(agents, 0, items)


def _trie(agents: Sequence[Agent], k: int, items: list[tuple[tuple[int, ...], Fraction]]) -> Expr:
    if not items:
        return Num(Fraction(0))
    if k == len(agents):
        return Num(items[0][1])
    groups: dict[int, list[tuple[tuple[int, ...], Fraction]]] = {}
    for s, v in items:
        groups.setdefault(s[k], []).append((s, v))
    subs = {a: _trie(agents, k + 1, g) for a, g in groups.items()}
    acts = agents[k].actions
    if len(subs) == len(acts) and len(set(map(repr, subs.values()))) == 1:
        return next(iter(subs.values()))       # does not depend on agent k
    out: Expr = Num(Fraction(0))
    for a in sorted(subs, reverse=True):
        out = Cond(ActionIs(_ref(agents[k]), acts[a]), subs[a], out)
    return out


def _mentions_others(e: Any) -> bool:
    if isinstance(e, (PayoffOf, MetricOf)):
        return True
    if dataclasses.is_dataclass(e) and not isinstance(e, type):
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            if isinstance(v, tuple):
                if any(_mentions_others(x) for x in v):
                    return True
            elif _mentions_others(v):
                return True
    return False


def with_payments(model: Model, payments: Sequence[Cells], label: str,
                  properties: Sequence[Property] | None = None) -> Model:
    """``model`` with ``payments[i]`` added to agent ``i``'s payoff."""
    game = model.game()
    # A game read from a file keeps its table in the cache and placeholder
    # payoff expressions: tabulate it whole, like payoffs that read others.
    from_file = "game" in model._cache and all(isinstance(a.payoff, Num) for a in model.agents)
    tabulate = from_file or any(_mentions_others(a.payoff) for a in model.agents)
    agents = []
    for i, a in enumerate(model.agents):
        if tabulate:
            full = {s: game.payoff(i, s) + payments[i].get(s, Fraction(0)) for s in game.profiles()}
            pay = table_expr(model.agents, full)
        else:
            pay = Arith("+", a.payoff, table_expr(model.agents, payments[i]), a.payoff.span)
        agents.append(dataclasses.replace(a, payoff=pay))
    return dataclasses.replace(
        model, name=f"{model.name}+{label}", agents=tuple(agents),
        properties=tuple(model.properties if properties is None else properties), _cache={})


def share_payments(model: Model, alpha: Fraction) -> list[dict[tuple[int, ...], Fraction]]:
    """The share lever as payments: ``alpha * (W / n - u_i)``."""
    game = model.game()
    n = game.num_players
    out: list[dict[tuple[int, ...], Fraction]] = [dict() for _ in range(n)]
    for s in game.profiles():
        vec = game.payoff_vector(s)
        w = sum(vec, Fraction(0))
        for i in range(n):
            x = alpha * (w / n - vec[i])
            if x != 0:
                out[i][tuple(int(v) for v in s)] = x
    return out


def apply_share(model: Model, alpha: Fraction, properties: Sequence[Property] | None = None) -> Model:
    return with_payments(model, share_payments(model, alpha), f"share(alpha={alpha})", properties)


def payments_from_arrays(arrays: Sequence[np.ndarray]) -> list[dict[tuple[int, ...], Fraction]]:
    return [{tuple(int(v) for v in s): Fraction(x) for s, x in np.ndenumerate(a) if x != 0} for a in arrays]
