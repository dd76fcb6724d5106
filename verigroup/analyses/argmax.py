"""Check-time binding of optimising profiles (issue 8, LANG3).

``profile best = argmax(welfare)`` names the pure profile where the metric
is largest; it is found here, from the exact metric tensor, just before the
property that reads it is checked (``nash best``, ``welfare(best)``,
``payoff(row, best)``, ``immune(best, ...)`` ...).  The property is then
checked as if the profile had been written out, on the usual routes, and
the result's evidence gains an ``argmax`` list: per optimising profile, the
chosen actions, the exact optimum, how many profiles tie and the first few
tied ones (the tie rule: the first optimal profile in declaration order, see
:mod:`verigroup.model.optimal`).  ``verigroup replay`` re-derives the optimum
from the spec (:mod:`verigroup.replay.argmax`).

Finding the optimum needs the explicit payoff table: a game over the size
guard, or a population kept in counting space, gives UNKNOWN with the
reason and the profile's position; so does a timeout while building it.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any, Callable

from verigroup.analyses.registry import Context
from verigroup.analyses.timeouts import run_with_deadline
from verigroup.diagnostics import SpecError, TooLarge
from verigroup.model.optimal import Optimum, bind, label, lazy_profiles, optimum
from verigroup.model.properties import Profile
from verigroup.verdicts import PropertyResult, Verdict, q

CheckFn = Callable[[Context, Any], PropertyResult]


def _unknown(prop: Any, method: str, why: str) -> PropertyResult:
    return PropertyResult(prop.name, type(prop).__name__, Verdict.UNKNOWN, method, why, {"reason": why}, prop.span)


def _where(p: Profile) -> str:
    return f"`{label(p)}` ({p.span.file}:{p.span.line}:{p.span.column})"


def check_with_argmax(ctx: Context, prop: Any, check: CheckFn) -> PropertyResult:
    """Bind the optimising profiles of ``prop`` and check it with ``check``."""
    lazies = lazy_profiles(prop)
    found: dict[Profile, Optimum] = {}
    if _has_region(prop):  # e.g. a sweep's exact pass: the optimum may move inside the region
        return _unknown(prop, "none", f"{', '.join(_where(x) for x in lazies)} depends on the parameters; "
                        "a property reading it is decided at fixed parameter values only, not over a region")

    def find(c: Context, p: Any) -> PropertyResult:
        try:
            game = c.model.game()
        except SpecError as exc:
            if not isinstance(exc, TooLarge) and not any(d.code in ("E131", "E202", "E007") for d in exc.diagnostics):
                raise  # an evaluation error of the spec, reported as for any other property
            why = "; ".join(d.message for d in exc.diagnostics)
            return _unknown(p, "size-guard", f"{', '.join(_where(x) for x in lazies)} needs the explicit "
                            f"payoff table to find its optimum, and there is none: {why}")
        for lp in lazies:
            mt = game.metrics.get(lp.objective or "")
            if mt is None:  # the resolver checked the name; a hand-built model may not
                return _unknown(p, "none", f"{_where(lp)}: no metric `{lp.objective}` in the game")
            found[lp] = optimum(mt.tensor, lp.sense)
        return _unknown(p, "argmax", "bound")

    res = run_with_deadline(ctx, prop, find)
    if len(found) < len(lazies):
        return res if res.method != "size-guard" else dataclasses.replace(res, method="none")
    game = ctx.model.game()
    chosen = {lp: tuple(game.actions[i][k] for i, k in enumerate(opt.index)) for lp, opt in found.items()}
    bound = bind(prop, chosen)
    if lazy_profiles(bound):  # pragma: no cover - a profile held where bind() does not look
        return _unknown(prop, "none", "an argmax profile could not be bound in this property")
    res = check(ctx, bound)
    records = [record(game.players, game.actions, lp, found[lp]) for lp in lazies]
    ev = dict(res.evidence)
    ev["argmax"] = records
    return dataclasses.replace(res, evidence=ev, message=f"{res.message} [{'; '.join(summary(r) for r in records)}]")


def _has_region(prop: Any) -> bool:
    stack = [prop]
    while stack:
        node = stack.pop()
        if getattr(node, "region", None) is not None:
            return True
        stack.extend(getattr(node, "parts", ()) or ())
    return False


def record(players: tuple[str, ...], actions: tuple[tuple[str, ...], ...], lp: Profile, opt: Optimum) -> dict[str, Any]:
    """The JSON record of one bound optimising profile."""
    def named(idx: tuple[int, ...]) -> dict[str, str]:
        return {p: actions[i][k] for i, (p, k) in enumerate(zip(players, idx))}

    return {"name": label(lp), "metric": lp.objective, "sense": lp.sense,
            "value": q(Fraction(opt.value_num, opt.value_den)), "actions": named(opt.index),
            "ties": opt.ties, "tied": [named(t) for t in opt.tied],
            "rule": "the first optimal profile in declaration order"}


def summary(r: dict[str, Any]) -> str:
    """One line: ``best = argmax(welfare) = {row: c, col: c}, welfare 6 (2 tie; first taken)``."""
    acts = ", ".join(f"{a}: {x}" for a, x in r["actions"].items())
    head = f"{r['name']} = arg{r['sense']}({r['metric']})" if r["name"] != f"arg{r['sense']}({r['metric']})" \
        else r["name"]
    tie = f"; {r['ties']} profiles tie, the first in declaration order is taken" if r["ties"] > 1 else ""
    return f"{head} = {{{acts}}}, {r['metric']} {r['value']}{tie}"
