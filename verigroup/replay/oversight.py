"""Independent re-checks of mixed-play protocol properties (issue 14):
``for every|some mixed nash: ...`` (:class:`MixedPlayTemporal`).

* a violating play (``kind: play``) is walked on the compiled tree under the
  stated behaviour strategies (:func:`verigroup.extensive.plays.replay_trace`
  without the SPE test), then the strategies are confirmed to be a Nash
  equilibrium by exact best responses (every regret 0), and the stated
  probability of the goal is recomputed by summing the plays exactly;
* a ``some`` witness is confirmed a Nash equilibrium the same way, and every
  play of positive probability under it is checked against the goal.
"""

from __future__ import annotations

from typing import Any

from verigroup.replay.oracle import frac
from verigroup.replay.plays import PlayFacts
from verigroup.replay.result import Mismatch
from verigroup.replay import treewalk as W


class OversightFacts(PlayFacts):
    def nash_profile(self, strategies: Any, what: str) -> Any:
        from verigroup.diagnostics import SpecError
        from verigroup.extensive.profile import StrategyProfile, regrets

        tree = self.tree()
        try:
            prof = StrategyProfile.from_json(tree, strategies)
        except SpecError as exc:
            raise Mismatch(f"{what}: the strategies do not fit the protocol: {exc.diagnostics[0].message}")
        r = regrets(tree, prof)
        if any(x != 0 for x in r):
            raise Mismatch(f"{what}: not a Nash equilibrium (exact regrets {[str(x) for x in r]})")
        return prof

    def goal_prob(self, prof: Any, claimed: Any, path: str) -> None:
        from verigroup.analyses.oversight import goal_probability

        if claimed is None:
            return
        got = goal_probability(self.tree(), prof, self.prop.kind, self.prop.phi)
        if got != frac(claimed, path):
            raise Mismatch(f"{path}: the goal holds with probability {got}, the report says {claimed}")

    def fact_MixedPlayTemporal(self) -> str:
        from verigroup.extensive.plays import Trace, TraceStep, replay_trace

        tree = self.tree()
        if self.verdict == "VIOLATED":
            if self.ev.get("kind") != "play":
                raise Mismatch("a violated mixed-play property needs a play as its counterexample")
            steps = tuple(TraceStep(s["actor"], s["move"], s.get("state")) for s in self.ev["play"])
            tr = Trace(self.prop.kind, self.prop.phi, steps,
                       {a: frac(v, "payoff") for a, v in self.ev["payoffs"].items()},
                       int(self.ev["failed_at"]), frac(self.ev["probability"], "probability"),
                       self.ev["strategies"], tree.state_label(0))
            r = replay_trace(tree, tr, check_equilibrium=False)
            if not r.ok:
                raise Mismatch(r.message)
            prof = self.nash_profile(self.ev["strategies"], "the counterexample")
            self.goal_prob(prof, self.ev.get("goal_probability"), "goal_probability")
            return (r.message + "; the strategies are a Nash equilibrium (exact regrets 0) and the goal's "
                    "probability is recomputed exactly")
        w = self.ev.get("witness")
        if not isinstance(w, dict):
            raise Mismatch("the certificate of a `for some mixed nash` property needs a witness")
        prof = self.nash_profile(w, "the witness")
        for nodes, _ in W.plays(tree, w):
            if W.fails_at(tree, nodes, self.prop.kind, self.prop.phi) is not None:
                raise Mismatch(f"the witness has a play where the goal fails: {W.describe_path(tree, nodes)}")
        self.goal_prob(prof, self.ev.get("goal_probability"), "goal_probability")
        return "the witness is a Nash equilibrium (exact regrets 0) and every play of it satisfies the goal"
