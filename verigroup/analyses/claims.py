"""Claimed game vs actual game: ``is_a(stag_hunt)``.

A scenario's author says what game it is — a social dilemma, a stag hunt,
chicken, a coordination game — and a benchmark is only as good as that
claim.  This module computes what the payoffs make the game (strictly
dominant actions, pure equilibria and their strictness, Pareto-dominated
equilibria, risk dominance, constant sums) and decides each named class from
those facts, exactly.  The classes are defined by their game-theoretic
signature, so they apply to games whose actions are named anything:

``social_dilemma``   every agent has a strictly dominant action, and the
                     profile of dominant actions is strictly Pareto-dominated
                     by another profile;
``prisoners_dilemma`` a social dilemma of two agents with two actions each;
``coordination``     at least two strict pure equilibria, no agent has a
                     weakly dominant action, and, when all agents share one
                     set of action names, every pure equilibrium has them all
                     choose the same action;
``stag_hunt``        two agents, two actions each: exactly two pure
                     equilibria, both strict, one strictly better for both
                     (payoff dominant), the other strictly risk dominant
                     (Harsanyi–Selten: larger product of deviation losses);
``battle_of_the_sexes`` two agents: exactly two pure equilibria, both strict,
                     each agent strictly prefers a different one, and both are
                     strictly better for both agents than any non-equilibrium
                     profile;
``chicken``          two agents with the same two actions: exactly two pure
                     equilibria, both strict, in each the agents choose
                     differently and each agent strictly prefers a different
                     one; the profile where both insist on their preferred
                     equilibrium's action is the worst outcome for both;
``zero_sum`` / ``constant_sum`` the payoffs sum to 0 / to one constant at every
                     profile.

The certificate (HOLDS) and the counterexample (VIOLATED) carry the facts,
with every named profile's payoffs, and the list of every class the payoffs
do satisfy: the report's "claimed vs actual" line.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Sequence

from verigroup.analyses.pure import (dominant_actions, game_of, names, not_normal_form, pareto_dominator,
                                     payoffs_json, pure_nash, region_unsupported, result)
from verigroup.analyses.registry import Context, checker
from verigroup.model.game import NormalFormGame
from verigroup.model.properties import GameClass, Strength
from verigroup.runtime import check_deadline
from verigroup.verdicts import PropertyResult, Verdict, q

#: Largest game classified (profiles); larger games are UNKNOWN with the size.
MAX_PROFILES = 200_000

Profile = tuple[int, ...]


class Facts:
    """What the payoffs make the game, computed once per game."""

    def __init__(self, g: NormalFormGame) -> None:
        self.g = g
        self.n = g.num_players
        self.two_by_two = self.n == 2 and g.shape == (2, 2)
        self.strict_dom = [dominant_actions(g, p, Strength.STRICT) for p in range(self.n)]
        self.weak_dom = [dominant_actions(g, p, Strength.WEAK) for p in range(self.n)]
        self.nash = [tuple(int(x) for x in s) for s in pure_nash(g)]
        self.strict = {s: self._is_strict(s) for s in self.nash}

    def pay(self, s: Profile) -> tuple[Fraction, ...]:
        return self.g.payoff_vector(s)

    def _is_strict(self, s: Profile) -> bool:
        for p in range(self.n):
            for a in range(self.g.shape[p]):
                if a != s[p]:
                    t = list(s)
                    t[p] = a
                    if self.g.payoff(p, tuple(t)) >= self.g.payoff(p, s):
                        return False
        return True

    def better_for_all(self, a: Profile, b: Profile) -> bool:
        return all(x > y for x, y in zip(self.pay(a), self.pay(b)))

    def pareto_dominated(self, s: Profile) -> Profile | None:
        d = pareto_dominator(self.g, self.pay(s))
        return None if d is None else tuple(int(x) for x in d)

    def risk_dominant(self) -> Profile | None:
        """2×2 with two strict pure equilibria: the one with the strictly
        larger product of deviation losses (None on a tie or otherwise)."""
        if not self.two_by_two or len(self.nash) != 2 or not all(self.strict.values()):
            return None

        def loss(s: Profile) -> Fraction:
            prod = Fraction(1)
            for p in range(2):
                t = list(s)
                t[p] = 1 - s[p]
                prod *= self.g.payoff(p, s) - self.g.payoff(p, tuple(t))
            return prod

        a, b = self.nash
        la, lb = loss(a), loss(b)
        return a if la > lb else b if lb > la else None

    def constant_sum(self) -> Fraction | None:
        total: Fraction | None = None
        for s in self.g.profiles():
            check_deadline()
            v = sum(self.pay(tuple(int(x) for x in s)), Fraction(0))
            if total is None:
                total = v
            elif v != total:
                return None
        return total

    def to_json(self) -> dict[str, Any]:
        g = self.g
        rd = self.risk_dominant()
        cs = self.constant_sum()
        return {
            "strictly_dominant": {g.players[p]: (g.actions[p][d[0]] if d else None)
                                  for p, d in enumerate(self.strict_dom)},
            "pure_equilibria": [{"profile": names(g, s), "payoffs": payoffs_json(g, s), "strict": self.strict[s],
                                 **({"pareto_dominated_by": names(g, d)} if (d := self.pareto_dominated(s))
                                    else {})} for s in self.nash],
            "risk_dominant": names(g, rd) if rd is not None else None,
            "constant_sum": q(cs) if cs is not None else None,
        }


Check = Callable[[Facts], list[str]]


def _social_dilemma(f: Facts) -> list[str]:
    g, out = f.g, []
    for p, d in enumerate(f.strict_dom):
        if not d:
            out.append(f"{g.players[p]} has no strictly dominant action")
    if out:
        return out
    s = tuple(d[0] for d in f.strict_dom)
    if f.pareto_dominated(s) is None:
        out.append(f"the dominant-action profile ({_show(g, s)}) is not Pareto-dominated by any profile")
    return out


def _prisoners_dilemma(f: Facts) -> list[str]:
    shape = [] if f.two_by_two else [f"a prisoner's dilemma has two agents with two actions each; "
                                      f"this game has shape {'×'.join(map(str, f.g.shape))}"]
    return shape + _social_dilemma(f)


def _coordination(f: Facts) -> list[str]:
    g, out = f.g, []
    strict = [s for s in f.nash if f.strict[s]]
    if len(strict) < 2:
        out.append(f"it has {len(strict)} strict pure equilibri{'um' if len(strict) == 1 else 'a'}, not at least 2")
    for p, d in enumerate(f.weak_dom):
        if d:
            out.append(f"{g.players[p]} has a dominant action ({g.actions[p][d[0]]})")
    if len(set(g.actions)) == 1:  # shared action names: equilibria must match
        for s in f.nash:
            if len(set(s)) > 1:
                out.append(f"the equilibrium ({_show(g, s)}) has agents choosing different actions "
                           "(an anti-coordination equilibrium)")
                break
    return out


def _two_strict(f: Facts, two_by_two: bool = False) -> list[str]:
    out = []
    if f.n != 2 or (two_by_two and not f.two_by_two):
        out.append("the class is defined for two agents" + (" with two actions each" if two_by_two else ""))
        return out
    if len(f.nash) != 2:
        out.append(f"it has {len(f.nash)} pure equilibria, not exactly 2")
    elif not all(f.strict.values()):
        out.append("a pure equilibrium is not strict (an agent has an equally good deviation)")
    return out


def _stag_hunt(f: Facts) -> list[str]:
    out = _two_strict(f, two_by_two=True)
    if out:
        return out
    a, b = f.nash
    top = a if f.better_for_all(a, b) else b if f.better_for_all(b, a) else None
    if top is None:
        out.append("neither equilibrium is strictly better for both agents (no payoff-dominant equilibrium)")
        return out
    low = b if top == a else a
    rd = f.risk_dominant()
    if rd != low:
        out.append(f"the payoff-dominated equilibrium ({_show(f.g, low)}) is not strictly risk dominant"
                   + (" (the deviation-loss products tie)" if rd is None else ""))
    return out


def _prefers_different(f: Facts) -> list[str]:
    a, b = f.nash
    pa, pb = f.pay(a), f.pay(b)
    if (pa[0] > pb[0] and pb[1] > pa[1]) or (pb[0] > pa[0] and pa[1] > pb[1]):
        return []
    return ["the agents do not strictly disagree about which equilibrium is better"]


def _battle(f: Facts) -> list[str]:
    out = _two_strict(f)
    if out:
        return out
    out += _prefers_different(f)
    for s in f.g.profiles():
        s = tuple(int(x) for x in s)
        if s in f.nash:
            continue
        for e in f.nash:
            if not f.better_for_all(e, s):
                out.append(f"the equilibrium ({_show(f.g, e)}) is not strictly better for both than "
                           f"({_show(f.g, s)})")
                return out
    return out


def _chicken(f: Facts) -> list[str]:
    out = _two_strict(f, two_by_two=True)
    if out:
        return out
    g = f.g
    if g.actions[0] != g.actions[1]:
        return ["chicken needs both agents to have the same two actions (in the same order)"]
    if any(s[0] == s[1] for s in f.nash):
        out.append("an equilibrium has both agents choosing the same action (chicken's equilibria are "
                   "anti-coordinated)")
        return out
    out += _prefers_different(f)
    if out:
        return out
    # each agent's preferred equilibrium: the one where it gets more; both insisting
    mine: list[Profile] = []
    for p in range(2):
        mine.append(max(f.nash, key=lambda s: f.pay(s)[p]))
    crash = (mine[0][0], mine[1][1])
    for s in g.profiles():
        s = tuple(int(x) for x in s)
        if s != crash and not all(f.pay(crash)[p] < f.pay(s)[p] for p in range(2)):
            out.append(f"both insisting ({_show(g, crash)}) is not the worst outcome for both "
                       f"(compare {_show(g, s)})")
            break
    return out


def _constant_sum(f: Facts) -> list[str]:
    return [] if f.constant_sum() is not None else ["the payoffs do not sum to one constant at every profile"]


def _zero_sum(f: Facts) -> list[str]:
    c = f.constant_sum()
    return [] if c == 0 else ["the payoffs do not sum to 0 at every profile" if c is None
                              else f"the payoffs sum to the constant {q(c)}, not 0"]


CLASSES: dict[str, Check] = {
    "social_dilemma": _social_dilemma,
    "prisoners_dilemma": _prisoners_dilemma,
    "coordination": _coordination,
    "stag_hunt": _stag_hunt,
    "battle_of_the_sexes": _battle,
    "chicken": _chicken,
    "constant_sum": _constant_sum,
    "zero_sum": _zero_sum,
}

WORDS = {"social_dilemma": "a social dilemma", "prisoners_dilemma": "a prisoner's dilemma",
         "coordination": "a coordination game", "stag_hunt": "a stag hunt",
         "battle_of_the_sexes": "a battle of the sexes", "chicken": "chicken",
         "constant_sum": "constant-sum", "zero_sum": "zero-sum"}


def _show(g: NormalFormGame, s: Sequence[int]) -> str:
    return ", ".join(f"{p}={a}" for p, a in names(g, s).items())


def classify(g: NormalFormGame) -> tuple[Facts, dict[str, list[str]]]:
    f = Facts(g)
    return f, {c: fn(f) for c, fn in CLASSES.items()}


@checker(GameClass)
def check_game_class(ctx: Context, prop: GameClass) -> PropertyResult:
    if prop.region is not None:
        return region_unsupported(prop)
    if (r := not_normal_form(ctx, prop)) is not None:
        return r
    if ctx.model.num_profiles > MAX_PROFILES:
        reason = (f"the game has {ctx.model.num_profiles:,} profiles; game classes are decided on games of "
                  f"at most {MAX_PROFILES:,}")
        return result(prop, Verdict.UNKNOWN, "size-guard", reason, {"reason": reason})
    g = game_of(ctx)
    facts, verdicts = classify(g)
    actual = [c for c, fails in verdicts.items() if not fails]
    failures = verdicts[prop.cls]
    method = f"exact classification of the payoffs ({g.num_profiles} profiles)"
    ev: dict[str, Any] = {"claimed": prop.cls, "actual": actual, "facts": facts.to_json()}
    seen = ", ".join(WORDS[c] for c in actual) if actual else "none of the named classes"
    if not failures:
        return result(prop, Verdict.HOLDS, method, f"the payoffs make it {WORDS[prop.cls]} as claimed "
                      f"(it is {seen})", {"method": method, **ev})
    ev["kind"] = "claim_mismatch"
    ev["failed"] = failures
    return result(prop, Verdict.VIOLATED, method,
                  f"claimed {WORDS[prop.cls]}, but {failures[0]}; the payoffs make it {seen}", ev)
