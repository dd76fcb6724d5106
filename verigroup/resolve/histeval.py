"""Exact scalar evaluation of expressions over one history of a protocol.

A history is the moves made so far in the current round (stage name ->
action), the values of the state variables, and the parameters.  An agent's
action ``alice == x`` reads the stage named after the agent; ``STAGE == x``
(:class:`~verigroup.model.expr.MoveIs`) reads any stage; a stage that was not
reached makes ``==`` false.  The recursion is the reference evaluator's
(:class:`~verigroup.evaluate.scalar.ScalarEvaluator`); this subclass only
says how moves and state are read, and names the history in every error.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping, Sequence

from verigroup.diagnostics import SpecError
from verigroup.evaluate.scalar import Scalar, ScalarEvaluator
from verigroup.model import expr as X
from verigroup.model.model import Agent, Metric


class HistoryEval(ScalarEvaluator):
    """Evaluator for one history; payoffs and metrics are memoised."""

    def __init__(self, params: Mapping[str, Fraction], agents: Sequence[Agent],
                 agent_pos: Mapping[tuple[str, int | None], int], metrics: Mapping[str, Metric],
                 moves: Mapping[str, str], state: Mapping[str, Fraction], where: str = "") -> None:
        super().__init__(params, agents, metrics)
        self.agent_pos = agent_pos
        self.moves = moves
        self.state = state
        self.where = where

    def err(self, code: str, msg: str, node: object) -> SpecError:
        suffix = f" (in the history {self.where})" if self.where else ""
        return super().err(code, msg + suffix, node)

    def find_agent(self, family: str, index: int | None) -> int | None:
        return self.agent_pos.get((family, index))

    def action_is(self, k: int, action: str, e: X.ActionIs) -> bool:
        return self.moves.get(self.agents[k].name) == action

    def same_action(self, j: int, k: int) -> bool:
        mj = self.moves.get(self.agents[j].name)
        return mj is not None and mj == self.moves.get(self.agents[k].name)

    def ev_other(self, e: X.Expr, env: dict[str, int]) -> Scalar:
        if isinstance(e, X.StateRef):
            if e.name not in self.state:
                raise self.err("E101", f"undefined state variable `{e.name}`", e)
            return self.state[e.name]
        if isinstance(e, X.MoveIs):
            return (self.moves.get(e.stage) == e.action) != e.negate
        raise self.err("E107", f"cannot evaluate {type(e).__name__} in a protocol", e)
