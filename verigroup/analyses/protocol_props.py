"""Checkers for the protocol properties: plays under SPE, coalition
enforcement, credible commitments, automaton strategies of repeated games.

The decisions are made by :mod:`verigroup.extensive.plays` and
:mod:`verigroup.extensive.repeated` on ``ctx.model.protocol`` (the compiled
game tree) or, for ``repeat forever``, on the stage game ``ctx.game``.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

from verigroup.analyses.registry import Context, checker
from verigroup.extensive.tree import CHANCE_NODE, DECISION, TERMINAL, GameTree
from verigroup.model.properties import CommitmentCredible, Enforce, PlayTemporal, RepeatedStrategyCheck
from verigroup.verdicts import PropertyResult, Verdict, q

_OPS = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
        "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _res(prop: Any, verdict: Verdict, method: str, message: str, evidence: dict[str, Any]) -> PropertyResult:
    return PropertyResult(prop.name, type(prop).__name__, verdict, method, message, evidence, prop.span)


def _tree(ctx: Context, prop: Any) -> GameTree | PropertyResult:
    t = ctx.model.protocol
    if not isinstance(t, GameTree):
        reason = "this model has no compiled protocol (game tree)"
        return _res(prop, Verdict.UNKNOWN, "none", reason, {"reason": reason})
    if getattr(prop, "region", None) is not None:
        reason = "parameter regions are not supported for protocol properties"
        return _res(prop, Verdict.UNKNOWN, "none", reason, {"reason": reason})
    return t


def _cap(ctx: Context) -> int:
    from verigroup.extensive.spe import DEFAULT_CAP

    return int(ctx.options.get("max_equilibria", DEFAULT_CAP) or DEFAULT_CAP)


@checker(PlayTemporal)
def check_play_temporal(ctx: Context, prop: PlayTemporal) -> PropertyResult:
    from verigroup.extensive.plays import PlayProperty, check_play_property

    t = _tree(ctx, prop)
    if isinstance(t, PropertyResult):
        return t
    pp = PlayProperty(prop.name, prop.quantifier.value, prop.kind, prop.phi, prop.span)  # type: ignore[arg-type]
    r = check_play_property(t, pp, cap=_cap(ctx))
    return dataclasses.replace(r, kind=type(prop).__name__)


def _losing_play(tree: GameTree, spoilers: dict[str, dict[str, str]], members: set[int]) -> list[dict[str, Any]]:
    """The play in which the others and chance follow the node-wise spoiler
    map ``{actor: {history: move}}`` and the coalition plays its first move
    everywhere.  Where the map is silent (the goal has already failed) every
    actor plays its first move (chance: its first outcome of positive
    probability) to reach the end of the protocol."""
    from verigroup.extensive.plays import history_key

    v = 0
    hist: list[str] = []
    steps: list[dict[str, Any]] = []
    while tree.kind[v] != TERMINAL:
        actor = tree.player_name(tree.player(v))
        acts = tree.actions(v)
        move: str | None = None
        if tree.kind[v] == CHANCE_NODE or int(tree.infoset_player[tree.payload[v]]) not in members:
            move = spoilers.get(actor, {}).get(history_key(hist))
        if move is None:
            probs = tree.probs(v) if tree.kind[v] == CHANCE_NODE else (1,) * len(acts)
            move = next(a for a, p in zip(acts, probs) if p != 0)
        v = tree.first_child[v] + acts.index(move)
        hist.append(move)
        steps.append({"actor": actor, "move": move, "state": tree.state_label(v)})
    return steps + [{"payoffs": {p: q(x) for p, x in zip(tree.players, tree.payoff(v))}}]


@checker(Enforce)
def check_enforce(ctx: Context, prop: Enforce) -> PropertyResult:
    from verigroup.extensive.plays import can_enforce, describe_pred

    t = _tree(ctx, prop)
    if isinstance(t, PropertyResult):
        return t
    from verigroup.diagnostics import SpecError

    try:
        r = can_enforce(t, prop.coalition, prop.kind, prop.phi, prop.span)
    except SpecError as exc:  # e.g. the coalition lacks perfect information
        reason = exc.diagnostics[0].message if exc.diagnostics else str(exc)
        return _res(prop, Verdict.UNKNOWN, "attractor on the tree", reason, {"reason": reason})
    goal = f"{prop.kind} {describe_pred(prop.phi)}"
    who = "{" + ", ".join(prop.coalition) + "}"
    if r.holds:
        ev = {"method": r.method, "coalition": list(prop.coalition), "strategy": r.strategy}
        if prop.can:
            return _res(prop, Verdict.HOLDS, r.method, f"{who} can enforce {goal}", ev)
        return _res(prop, Verdict.VIOLATED, r.method, f"{who} can enforce {goal}: this strategy does it",
                    {"kind": "strategy", **ev})
    members = {t.players.index(a) for a in prop.coalition}
    # the certificate: the others' (and chance's) counter-strategy, node by node
    ev2: dict[str, Any] = {"method": r.method, "coalition": list(prop.coalition), "spoilers": r.strategy,
                           "spoilers_keyed_by": "node history (move labels from the root joined by '/'; "
                                                "root = '')",
                           "semantics": "whatever the coalition does, the others and chance following this "
                                        "map produce a play violating the goal"}
    if prop.can:
        ev2["play"] = _losing_play(t, {a: dict(m) for a, m in r.strategy.items()}, members)
        return _res(prop, Verdict.VIOLATED, r.method,
                    f"{who} cannot enforce {goal}: the others (and chance) can spoil it", {"kind": "strategy", **ev2})
    return _res(prop, Verdict.HOLDS, r.method, f"{who} cannot enforce {goal}", ev2)


@checker(CommitmentCredible)
def check_credible(ctx: Context, prop: CommitmentCredible) -> PropertyResult:
    from verigroup.extensive.plays import commitment_credible

    t = _tree(ctx, prop)
    if isinstance(t, PropertyResult):
        return t
    undecided = []
    witnesses: dict[str, Any] = {}
    method = ""
    for label in prop.infosets:
        c = commitment_credible(t, prop.agent, label, prop.action, cap=_cap(ctx))
        method = c.method
        if c.credible is False:
            return _res(prop, Verdict.VIOLATED, method,
                        f"no subgame-perfect equilibrium plays {prop.action} at {label!r}",
                        {"kind": "not_credible", "stage": prop.stage, "infoset": label, "action": prop.action})
        if c.credible is None:
            undecided.append(label)
        elif c.witness is not None:
            witnesses[label] = c.witness.to_json(t)
    if undecided:
        reason = f"the SPE enumeration was capped before deciding {undecided[0]!r}"
        return _res(prop, Verdict.UNKNOWN, method, reason, {"reason": reason})
    return _res(prop, Verdict.HOLDS, method,
                f"playing {prop.action} at stage {prop.stage} is part of a subgame-perfect equilibrium "
                f"at each of its {len(prop.infosets)} information set(s)",
                {"method": method, "witnesses": witnesses})


@checker(RepeatedStrategyCheck)
def check_repeated(ctx: Context, prop: RepeatedStrategyCheck) -> PropertyResult:
    from verigroup.extensive import repeated as R

    if getattr(prop, "region", None) is not None:
        reason = "parameter regions are not supported for automaton properties"
        return _res(prop, Verdict.UNKNOWN, "none", reason, {"reason": reason})
    stage = ctx.game
    n = stage.num_players
    if prop.strategy == "grim_trigger":
        autos = R.grim_trigger(stage, [prop.args[0]] * n, [prop.args[1]] * n)
    else:
        autos = R.tit_for_tat(stage, prop.args[0])
    what = f"{prop.strategy}({', '.join(prop.args)})"
    if prop.mode == "is_spe":
        method = "one-shot deviation principle over the joint automaton states (exact)"
        c = R.check_automata(stage, autos, prop.delta)
        values = {",".join(k): [q(x) for x in v] for k, v in c.values.items()}
        if c.is_spe:
            return _res(prop, Verdict.HOLDS, method, f"{what} is subgame perfect at discount {q(prop.delta)}",
                        {"method": method, "delta": q(prop.delta), "values": values})
        return _res(prop, Verdict.VIOLATED, method,
                    f"{what} is not subgame perfect at discount {q(prop.delta)}: {c.violation}",
                    {"kind": "deviation", "delta": q(prop.delta), "why": c.violation, "values": values})
    method = "exact discount region (one-shot deviation inequalities solved with sympy)"
    reg = R.spe_discount_region(stage, autos)
    assert prop.value is not None
    if reg.threshold is None:
        return _res(prop, Verdict.VIOLATED, method, f"{what} is an SPE for no discount factor in (0, 1)",
                    {"kind": "no_threshold", "region": str(reg.region)})
    thr = reg.threshold
    if not isinstance(thr, Fraction):
        reason = f"the threshold {thr} is not rational"
        return _res(prop, Verdict.UNKNOWN, method, reason, {"reason": reason, "region": str(reg.region)})
    if not reg.closed_below and thr == prop.value and prop.op in ("==", "!=", "<=", ">"):
        # The set of discount factors is open at its infimum: no least one
        # exists, and comparing the infimum itself would claim an SPE at a
        # discount factor where there is none (e.g. "<= thr").
        reason = (f"{what} is an SPE iff delta is in {reg.region}: the infimum {q(thr)} is not attained, "
                  f"so there is no least discount factor to compare with {prop.op} {q(prop.value)}")
        return _res(prop, Verdict.UNKNOWN, method, reason,
                    {"reason": reason, "threshold": q(thr), "closed_below": False, "region": str(reg.region)})
    ok = _OPS[prop.op](thr, prop.value)
    ev = {"method": method, "threshold": q(thr), "closed_below": reg.closed_below, "region": str(reg.region)}
    msg = f"{what} is an SPE iff delta is in {reg.region}; threshold {q(thr)} {prop.op} {q(prop.value)}"
    if ok:
        return _res(prop, Verdict.HOLDS, method, msg, ev)
    return _res(prop, Verdict.VIOLATED, method, msg + " is false", {"kind": "threshold", **ev})


_ = (DECISION,)
