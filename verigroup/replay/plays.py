"""Independent re-check of a protocol play: the recorded play of a protocol
property's counterexample is replayed move by move on the protocol tree."""

from __future__ import annotations

from verigroup.replay.base import CheckerBase
from verigroup.replay.oracle import frac
from verigroup.replay.result import Mismatch, Skip


class PlayFacts(CheckerBase):
    def play(self) -> str:
        tree = self.o.model.protocol
        if tree is None or not hasattr(self.prop, "phi"):
            raise Skip("no protocol predicate to replay the play against")
        from verigroup.extensive.plays import Trace, TraceStep, replay_trace

        steps = tuple(TraceStep(s["actor"], s["move"], s.get("state")) for s in self.ev["play"])
        tr = Trace(self.prop.kind, self.prop.phi, steps,
                   {a: frac(v, "payoff") for a, v in self.ev["payoffs"].items()},
                   int(self.ev["failed_at"]), frac(self.ev["probability"], "probability"),
                   self.ev["strategies"], tree.state_label(0))
        r = replay_trace(tree, tr)
        if not r.ok:
            raise Mismatch(r.message)
        return r.message
