"""``is_a(CLASS)`` properties: the claimed game class of a scenario
(issue 14), resolved to :class:`~verigroup.model.properties.GameClass`."""

from __future__ import annotations

from typing import Any

from verigroup.diagnostics import did_you_mean
from verigroup.model import properties as P
from verigroup.resolve.context import Ctx
from verigroup.syntax import ast as A

FUNC = "is_a"
#: The class names (definitions in verigroup.analyses.claims).
CLASSES = ("social_dilemma", "prisoners_dilemma", "coordination", "stag_hunt", "battle_of_the_sexes",
           "chicken", "constant_sum", "zero_sum")


def claim_call(e: A.Expr) -> bool:
    return isinstance(e, A.ECall) and e.fn == FUNC


def resolve(ctx: Ctx, d: A.PropertyDecl, b: A.PTerm, e: A.Expr, region: Any) -> Any:
    assert isinstance(e, A.ECall)
    if b.strength is not None or b.forall is not None:
        ctx.error("E110", "`is_a(...)` takes no `strictly`/`weakly` or `for all`", b.span)
        return None
    args = list(e.args)
    if len(args) != 1 or not isinstance(args[0], A.EName):
        ctx.error("E103", "is_a(...) takes one game class, e.g. is_a(stag_hunt)", e.span,
                  "classes: " + ", ".join(CLASSES))
        return None
    cls = args[0].name
    if cls not in CLASSES:
        ctx.error("E110", f"`{cls}` is not a game class", args[0].span,
                  did_you_mean(cls, CLASSES) or "classes: " + ", ".join(CLASSES))
        return None
    if ctx.plan is not None:
        ctx.error("E110", "is_a(...) classifies a one-shot game; this spec has a protocol", e.span,
                  "state the claim in a spec of the stage game")
        return None
    return P.GameClass(d.name, cls, d.span, region)
