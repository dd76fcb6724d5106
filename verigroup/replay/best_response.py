"""Independent re-check of ``best_response(AGENT, φ)`` evidence (issue 14).

The analysis works on *reduced* strategies and a leaf-incidence matrix
product; this re-check walks the compiled tree instead, with *unreduced*
pure strategies (every information set given a move, as
``itertools.product``):

* an honest strategy is confirmed honest by exploring every play it allows
  (every move of the others, every chance outcome of positive probability)
  and testing ``always φ`` on each;
* payoffs are recomputed by walking the tree under the pure choices;
* HOLDS: the stated strategy is a best response to every pure profile of the
  others (each compared with the best of all AGENT's pure strategies);
* VIOLATED (``honest_not_best``): the stated honest strategy, liar profile
  and deviation give the stated payoffs and gain, and no honest strategy at
  all is a best response to every profile; (``no_honest_strategy``): every
  pure strategy of AGENT allows a play violating φ.

Beyond :data:`MAX_REPLAY` unreduced pairs the universal part is skipped
(the fresh run covers it); the stated strategies are still re-checked.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any, Iterator, Mapping

from verigroup.replay.oracle import frac
from verigroup.replay.plays import PlayFacts
from verigroup.replay.result import Mismatch, Skip
from verigroup.replay import treewalk as W

MAX_REPLAY = 50_000
Choice = dict[int, int]


class BestResponseFacts(PlayFacts):
    def br_choice(self, player: int, table: Any, what: str) -> Choice:
        from verigroup.diagnostics import SpecError

        tree = self.tree()
        if not isinstance(table, Mapping):
            raise Mismatch(f"{what}: expected {{information set: move}}")
        out: Choice = {}
        for label, move in table.items():
            try:
                i = tree.infoset_by_label(player, str(label))
            except SpecError as exc:
                raise Mismatch(f"{what}: {exc.diagnostics[0].message}")
            acts = tree.infoset_actions[i]
            if move not in acts:
                raise Mismatch(f"{what}: no move {move!r} at {label!r} (moves: {', '.join(acts)})")
            out[i] = acts.index(move)
        return out

    def br_value(self, choice: Choice, agent: int) -> Fraction:
        """AGENT's expected payoff when every mover follows ``choice``."""
        from verigroup.extensive.tree import CHANCE_NODE, TERMINAL

        tree = self.tree()
        total = Fraction(0)
        stack: list[tuple[int, Fraction]] = [(0, Fraction(1))]
        while stack:
            v, pr = stack.pop()
            k = tree.kind[v]
            if k == TERMINAL:
                total += pr * tree.payoff(v)[agent]
            elif k == CHANCE_NODE:
                stack.extend((c, pr * p) for c, p in zip(tree.children(v), tree.probs(v)) if p != 0)
            else:
                i = tree.payload[v]
                if i not in choice:
                    raise Mismatch(f"the strategies give no move at the reachable information set "
                                   f"{tree.infoset_label(i)!r}")
                stack.append((tree.first_child[v] + choice[i], pr))
        return total

    def br_violating_play(self, choice: Choice, agent: int) -> list[int] | None:
        """A play the strategy allows on which ``always φ`` fails, or None."""
        from verigroup.extensive.tree import CHANCE_NODE, TERMINAL

        tree = self.tree()
        stack: list[list[int]] = [[0]]
        while stack:
            path = stack.pop()
            v = path[-1]
            k = tree.kind[v]
            if k == TERMINAL:
                if W.fails_at(tree, path, "always", self.prop.phi) is not None:
                    return path
                continue
            kids = list(tree.children(v))
            if k == CHANCE_NODE:
                kids = [c for c, p in zip(kids, tree.probs(v)) if p != 0]
            elif tree.infoset_player[tree.payload[v]] == agent:
                i = tree.payload[v]
                if i not in choice:
                    raise Mismatch(f"the honest strategy gives no move at the reachable information set "
                                   f"{tree.infoset_label(i)!r}")
                kids = [tree.first_child[v] + choice[i]]
            stack.extend(path + [c] for c in kids)
        return None

    def br_all(self, players: list[int]) -> Iterator[Choice]:
        tree = self.tree()
        sets = [i for i in range(tree.num_infosets) if tree.infoset_player[i] in players]
        for acts in itertools.product(*[range(len(tree.infoset_actions[i])) for i in sets]):
            yield dict(zip(sets, acts))

    def br_count(self, players: list[int]) -> int:
        tree = self.tree()
        return math.prod(len(tree.infoset_actions[i]) for i in range(tree.num_infosets)
                         if tree.infoset_player[i] in players)

    def br_is_best_everywhere(self, sigma: Choice, agent: int, mine: list[Choice]) -> tuple[Choice, Fraction,
                                                                                             Fraction] | None:
        """None if ``sigma`` is a best response to every pure profile of the
        others, else (a profile, sigma's payoff, the best payoff)."""
        others = [p for p in range(self.tree().num_players) if p != agent]
        for tau in self.br_all(others):
            got = self.br_value({**tau, **sigma}, agent)
            best = max(self.br_value({**tau, **s}, agent) for s in mine)
            if got < best:
                return tau, got, best
        return None

    def fact_BestResponse(self) -> str:
        tree = self.tree()
        if self.ev.get("agent") != self.prop.agent:
            raise Mismatch(f"the evidence is about {self.ev.get('agent')}, the property about {self.prop.agent}")
        agent = tree.players.index(self.prop.agent)
        others = [p for p in range(tree.num_players) if p != agent]
        n_mine, n_others = self.br_count([agent]), self.br_count(others)
        small = n_mine * n_others <= MAX_REPLAY
        kind = self.ev.get("kind")
        if kind == "no_honest_strategy":
            if n_mine > MAX_REPLAY:
                raise Skip(f"{n_mine:,} pure strategies of {self.prop.agent}: too many to re-enumerate")
            for s in self.br_all([agent]):
                if self.br_violating_play(s, agent) is None:
                    raise Mismatch(f"{self.prop.agent} has an honest strategy: "
                                   f"{ {tree.infoset_label(i): tree.infoset_actions[i][a] for i, a in s.items()} }")
            return f"each of the {n_mine} pure strategies of {self.prop.agent} allows a play violating the goal"
        sigma = self.br_choice(agent, self.ev.get("honest"), "the honest strategy")
        bad = self.br_violating_play(sigma, agent)
        if bad is not None:
            raise Mismatch(f"the 'honest' strategy allows a play violating the goal: {W.describe_path(tree, bad)}")
        if self.verdict == "HOLDS":
            if not small:
                raise Skip(f"{n_mine * n_others:,} unreduced strategy pairs: too many to re-enumerate "
                           "(the honest strategy was re-checked honest)")
            mine = list(self.br_all([agent]))
            miss = self.br_is_best_everywhere(sigma, agent, mine)
            if miss is not None:
                raise Mismatch(f"the honest strategy gets {miss[1]} against a profile where {miss[2]} is possible")
            return (f"the strategy is honest (every play it allows satisfies the goal) and a best response to "
                    f"each of the {n_others} pure profiles of the others (exact tree walks)")
        if kind != "honest_not_best":
            raise Mismatch(f"unexpected evidence kind {kind!r} for a violated best_response property")
        against = self.ev.get("against")
        if not isinstance(against, Mapping):
            raise Mismatch("the counterexample needs the others' strategies (`against`)")
        tau: Choice = {}
        for name, table in against.items():
            if name not in tree.players or tree.players.index(name) == agent:
                raise Mismatch(f"`against` names {name!r}, not another agent")
            tau.update(self.br_choice(tree.players.index(name), table, f"{name}'s strategy"))
        better = self.br_choice(agent, self.ev.get("better"), "the deviation")
        got, dev = self.br_value({**tau, **sigma}, agent), self.br_value({**tau, **better}, agent)
        for key, val in (("honest_payoff", got), ("better_payoff", dev), ("gain", dev - got)):
            if frac(self.ev.get(key), key) != val:
                raise Mismatch(f"{key}: recomputed {val}, the report says {self.ev.get(key)}")
        if dev <= got:
            raise Mismatch("the deviation does not gain against the stated strategies")
        if not small:
            return (f"the honest strategy gets {got} and the deviation {dev} against the stated strategies; "
                    f"the claim that no honest strategy is a best response was not re-enumerated "
                    f"({n_mine * n_others:,} unreduced pairs)")
        mine = list(self.br_all([agent]))
        for s in mine:
            if self.br_violating_play(s, agent) is None and self.br_is_best_everywhere(s, agent, mine) is None:
                raise Mismatch("an honest strategy is a best response to every profile of the others: "
                               f"{ {tree.infoset_label(i): tree.infoset_actions[i][a] for i, a in s.items()} }")
        return (f"the honest strategy gets {got} and the deviation {dev} against the stated strategies, and none "
                f"of {self.prop.agent}'s {n_mine} pure strategies is both honest and a best response to all "
                f"{n_others} pure profiles of the others (exact tree walks)")
