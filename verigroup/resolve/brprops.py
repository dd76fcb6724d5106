"""``best_response(AGENT, φ)`` properties (issue 14): "honest play is a best
response against every liar", resolved to
:class:`~verigroup.model.properties.BestResponse`.

φ is a play predicate as in ``for every spe: always φ`` (see
:func:`verigroup.resolve.playprops.phi_of`); a strategy is *honest* when
every play of positive probability it allows satisfies φ at every step.
The check is :mod:`verigroup.analyses.best_response`.
"""

from __future__ import annotations

from typing import Any

from verigroup.model import properties as P
from verigroup.resolve.context import Ctx
from verigroup.syntax import ast as A

FUNC = "best_response"


def br_call(e: A.Expr) -> bool:
    return isinstance(e, A.ECall) and e.fn == FUNC


def resolve(ctx: Ctx, d: A.PropertyDecl, b: A.PTerm, e: A.Expr, region: Any) -> Any:
    from verigroup.resolve.playprops import _agent_name, _need_tree, phi_of

    assert isinstance(e, A.ECall)
    if b.strength is not None or b.forall is not None:
        ctx.error("E110", "`best_response(...)` takes no `strictly`/`weakly` or `for all`", b.span)
        return None
    args = list(e.args)
    if len(args) != 2 or any(isinstance(a, A.EKwarg) for a in args):
        ctx.error("E103", "best_response(...) takes an agent and a play predicate", e.span,
                  "e.g. best_response(alice, not end or claim == truth): some strategy of alice whose "
                  "plays always satisfy the predicate is a best response to every strategy of the others")
        return None
    if not _need_tree(ctx, e.span, "best_response(...)"):
        return None
    agent = _agent_name(ctx, args[0])
    if agent is None:
        return None
    phi = phi_of(ctx, args[1])
    if phi is None:
        return None
    return P.BestResponse(d.name, agent, phi, d.span, region)
