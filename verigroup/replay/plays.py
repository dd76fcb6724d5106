"""Independent re-checks of the protocol properties (plays under SPE,
coalition enforcement, credible commitments) and of the values in protocol
evidence, on the compiled game tree (``model.protocol``).

* a recorded play is walked move by move on the tree (:mod:`.treewalk`):
  each move exists, is made by the stated actor, has positive probability
  under the stated strategies (chance: under the protocol), reaches the
  stated state; the leaf's payoffs and the play's probability are
  recomputed exactly and compared; then :func:`verigroup.extensive.plays.replay_trace`
  re-checks the whole trace, the temporal goal and the SPE (exact regrets);
* SPE strategies are rebuilt with ``StrategyProfile.from_json`` and tested
  with ``is_spe``; "every SPE" / "no SPE" claims are re-derived by
  brute force over pure strategy profiles on small trees (skipped otherwise);
* enforcement certificates are re-checked by exploring plays: the
  coalition's strategy against every move of the others and every chance
  outcome of positive probability (every play must satisfy the goal); or
  every move of the coalition against the others' and chance's node-wise
  counter-strategy ``{actor: {history: move}}`` (every play must violate it);
* credibility is re-derived by SPE value sets (perfect information) or
  brute force over pure profiles.
"""

from __future__ import annotations

from typing import Any, Mapping

from verigroup.replay.base import CheckerBase
from verigroup.replay.oracle import compare_values, frac, same
from verigroup.replay.result import Mismatch, Skip
from verigroup.replay import treewalk as W


class PlayFacts(CheckerBase):
    # ---------------------------------------------------------- helpers
    def tree(self) -> Any:
        from verigroup.extensive.tree import GameTree

        t = self.o.model.protocol
        if not isinstance(t, GameTree):
            raise Mismatch("protocol evidence for a spec without a compiled protocol tree")
        return t

    def is_protocol(self) -> bool:
        from verigroup.extensive.tree import GameTree

        return isinstance(self.o.model.protocol, GameTree)

    def spe_profile(self, strategies: Any, what: str) -> Any:
        """The strategies as a profile of the tree, confirmed subgame perfect."""
        from verigroup.diagnostics import SpecError
        from verigroup.extensive.profile import StrategyProfile, is_spe

        tree = self.tree()
        try:
            prof = StrategyProfile.from_json(tree, strategies)
        except SpecError as exc:
            raise Mismatch(f"{what}: the strategies do not fit the protocol: {exc.diagnostics[0].message}")
        if not is_spe(tree, prof):
            raise Mismatch(f"{what}: the strategies are not a subgame-perfect equilibrium (exact regret check)")
        return prof

    def leaf_values(self, where: str, claimed: Any, leaf: int) -> None:
        tree = self.tree()
        compare_values(self.o, where, claimed, dict(zip(tree.players, tree.payoff(leaf))))
        self.values_checked += len(claimed)

    def play_values(self, d: Mapping[str, Any], path: str) -> None:
        """Values of a play record (``kind: play``): the play is followed on
        the tree under its strategies; its leaf payoffs and probability are
        recomputed exactly."""
        tree = self.tree()
        nodes, pr = W.follow(tree, d["play"], d["strategies"])
        self.leaf_values(f"{path}.payoffs", d["payoffs"], nodes[-1])
        same(f"{path}.probability", d["probability"], pr)
        self.values_checked += 1

    def enforce_play_values(self, steps: Any, path: str) -> None:
        """The play of an enforcement counterexample: ``{actor, move, state}``
        steps and a final ``{payoffs}`` record."""
        if not isinstance(steps, list) or not steps or not isinstance(steps[-1], dict) \
                or "payoffs" not in steps[-1]:
            raise Mismatch(f"{path}: the play does not end with the payoffs reached")
        nodes, _ = W.follow(self.tree(), steps[:-1], None)
        self.leaf_values(f"{path}.payoffs", steps[-1]["payoffs"], nodes[-1])

    # ------------------------------------------------------------ plays
    def play(self) -> str:
        """Re-check a play counterexample with :func:`replay_trace`."""
        tree = self.tree()
        if not hasattr(self.prop, "phi"):
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
        nodes, _ = W.follow(tree, self.ev["play"], self.ev["strategies"])
        at = W.fails_at(tree, nodes, self.prop.kind, self.prop.phi)
        if at is None or at != self.ev["failed_at"]:
            raise Mismatch(f"the goal fails at node {at} of the play, the report says {self.ev['failed_at']}")
        return r.message

    def fact_PlayTemporal(self) -> str:
        tree = self.tree()
        every = self.prop.quantifier.value == "every"
        goal = f"{self.prop.kind} {_pred(self.prop.phi)}"
        if self.verdict == "VIOLATED":
            if self.ev.get("kind") != "play":
                raise Mismatch("a violated play property needs a play as its counterexample")
            msg = self.play()
            if every:
                return msg
            # "some": no SPE at all satisfies the goal
            spes = W.pure_spe(tree, f"{msg}; that no other SPE satisfies {goal} is left to the fresh run")
            good = [s for s in spes if self.all_plays_ok(s) is None]
            if good:
                raise Mismatch(f"brute force finds an SPE satisfying {goal}: {good[0]}")
            return f"{msg}; none of the {len(spes)} pure SPE satisfies {goal} (brute force)"
        if not every:
            w = self.ev.get("witness")
            if not isinstance(w, dict):
                raise Mismatch("the certificate of a `for some spe` property needs a witness")
            self.spe_profile(w, "the witness")
            bad = self.all_plays_ok(w)
            if bad is not None:
                raise Mismatch(f"the witness SPE has a play where {goal} fails: {bad}")
            return f"the witness is an SPE (exact) and every play of it satisfies {goal}"
        spes = W.pure_spe(tree, f"re-checking {goal} on every SPE")
        claimed = self.ev.get("spe_checked")
        if isinstance(claimed, int) and claimed != len(spes):
            raise Mismatch(f"the report examined {claimed} SPE, brute force finds {len(spes)} pure SPE")
        for s in spes:
            bad = self.all_plays_ok(s)
            if bad is not None:
                raise Mismatch(f"brute force finds an SPE with a play where {goal} fails: {bad}")
        return f"{goal} holds on every play of all {len(spes)} pure SPE (brute force)"

    def all_plays_ok(self, strategies: Any) -> str | None:
        """The first positive-probability play violating the goal, described."""
        tree = self.tree()
        for nodes, _ in W.plays(tree, strategies):
            if W.fails_at(tree, nodes, self.prop.kind, self.prop.phi) is not None:
                return W.describe_path(tree, nodes)
        return None

    # ------------------------------------------------------ enforcement
    def fact_Enforce(self) -> str:
        tree = self.tree()
        coalition = tuple(self.prop.coalition)
        if list(self.ev.get("coalition", coalition)) != list(coalition):
            raise Mismatch(f"the evidence is about coalition {self.ev.get('coalition')}, the property about "
                           f"{list(coalition)}")
        members = {tree.players.index(a) for a in coalition}
        goal = f"{self.prop.kind} {_pred(self.prop.phi)}"
        who = "{" + ", ".join(coalition) + "}"
        enforces = (self.verdict == "HOLDS") == self.prop.can
        if enforces:
            strat = self.ev.get("strategy")
            if not isinstance(strat, dict) or set(strat) - set(coalition):
                raise Mismatch("the evidence needs the coalition's strategy (its members' moves only)")
            bad, n = W.losing_play(tree, members, self.prop.kind, self.prop.phi, strat)
            if bad is not None:
                raise Mismatch(f"against {W.describe_path(tree, bad)} the coalition's strategy does not "
                               f"achieve {goal}")
            return f"{who}'s strategy achieves {goal} on all {n} plays the others and chance can produce"
        spoil = self.ev.get("spoilers")
        if not isinstance(spoil, dict):
            raise Mismatch("the evidence needs the spoilers' node-wise counter-strategy")
        W.check_spoiler_map(tree, members, spoil)
        if "play" in self.ev:
            self.spoiled_play(self.ev["play"], spoil, members)
        good, n = W.spoiled_plays(tree, members, self.prop.kind, self.prop.phi, spoil)
        if good is not None:
            raise Mismatch(f"the spoilers' strategy in the evidence does not spoil: with the others and chance "
                           f"following it, {who} reaches {W.describe_path(tree, good)}, which satisfies {goal}")
        return (f"{who} cannot enforce {goal}: with the others and chance following the node-wise "
                f"counter-strategy, all {n} plays over every choice of {who} violate it")

    def spoiled_play(self, steps: Any, spoil: Mapping[str, Any], members: set[int]) -> None:
        """The recorded losing play: a play of the protocol to a leaf that
        violates the goal, on which the others and chance follow the map up
        to the node where the goal fails."""
        from verigroup.extensive.tree import DECISION

        tree = self.tree()
        if not isinstance(steps, list) or not steps:
            raise Mismatch("the losing play is empty")
        if not isinstance(steps[-1], dict) or "payoffs" not in steps[-1]:
            raise Mismatch("the losing play does not end with the payoffs reached")
        nodes, _ = W.follow(tree, steps[:-1], None)
        at = W.fails_at(tree, nodes, self.prop.kind, self.prop.phi)
        if at is None:
            raise Mismatch(f"the losing play {W.describe_path(tree, nodes)} satisfies the goal")
        for j in range(at):
            v = nodes[j]
            if tree.kind[v] == DECISION and tree.infoset_player[tree.payload[v]] in members:
                continue
            actor = tree.player_name(tree.player(v))
            key = W.history_key([tree.move_label(u) or "" for u in nodes[1:j + 1]])
            want = (spoil.get(actor) or {}).get(key)
            if want != tree.move_label(nodes[j + 1]):
                raise Mismatch(f"the losing play: {actor} plays {tree.move_label(nodes[j + 1])!r} at {key!r}, "
                               f"the spoilers' map says {want!r}")

    # ------------------------------------------------------ credibility
    def fact_CommitmentCredible(self) -> str:
        tree = self.tree()
        p = tree.players.index(self.prop.agent)
        act = self.prop.action
        if self.verdict == "VIOLATED":
            label = str(self.ev.get("infoset"))
            if label not in self.prop.infosets or self.ev.get("action") != act:
                raise Mismatch(f"the counterexample is about {self.ev.get('action')!r} at {label!r}, not a "
                               f"stage information set of the property")
            if self.credible(p, label) is not False:
                raise Mismatch(f"some SPE plays {act} at {label!r} (re-derived)")
            return f"no pure SPE plays {act} at {label!r} ({self.how()})"
        wits = self.ev.get("witnesses") or {}
        done = []
        for label in self.prop.infosets:
            i = tree.infoset_by_label(p, label)
            if label in wits:
                prof = self.spe_profile(wits[label], f"the witness for {label!r}")
                a = prof.action(i)
                if a < 0 or tree.infoset_actions[i][a] != act:
                    raise Mismatch(f"the witness for {label!r} does not play {act} there")
                done.append("witness")
            elif self.credible(p, label):
                done.append(self.how())
            else:
                raise Mismatch(f"no pure SPE plays {act} at {label!r} (re-derived)")
        how = sorted(set(done))
        return (f"{act} is played by an SPE at each of the {len(self.prop.infosets)} information set(s) "
                f"({', '.join(how)})")

    def how(self) -> str:
        return ("SPE value sets re-derived" if self.tree().is_perfect_information
                else "brute force over pure profiles")

    def credible(self, p: int, label: str) -> bool:
        tree = self.tree()
        i = tree.infoset_by_label(p, label)
        a = tree.infoset_actions[i].index(self.prop.action)
        if tree.is_perfect_information:
            v = tree.infoset_members()[i][0]
            return W.credible_perfect(tree, v, a, W.spe_value_sets(tree))
        spes = W.pure_spe(tree, f"re-deriving credibility at {label!r}")
        return any(s[self.prop.agent][label] == self.prop.action for s in spes)


def _pred(phi: Any) -> str:
    from verigroup.extensive.plays import describe_pred

    return describe_pred(phi)

