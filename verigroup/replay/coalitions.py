"""Independent re-checks of coalition and adversary properties: (strong,
k-) coalition stability, t-immunity and (k,t)-robustness, by brute force over
every joint deviation up to :data:`SEARCH_LIMIT`."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any, Iterable, Iterator, Sequence

from verigroup.replay.base import CheckerBase
from verigroup.replay.oracle import Profile, moved, same
from verigroup.replay.result import Mismatch, Skip
from verigroup.verdicts import q

SEARCH_LIMIT = 200_000  # joint deviations examined by a coalition/immunity re-check


def all_gain(gains: Iterable[Fraction], weak: bool) -> bool:
    """Every member gains strictly, or (weak) none loses and somebody gains."""
    g = list(gains)
    return (all(x >= 0 for x in g) and any(x > 0 for x in g)) if weak else all(x > 0 for x in g)


class CoalitionFacts(CheckerBase):
    def joint(self, members: Sequence[int]) -> Iterator[Profile]:
        return itertools.product(*(range(len(self.o.actions(j))) for j in members))

    def deviations(self, prof: Profile, sizes: int) -> Iterator[tuple[tuple[int, ...], Profile]]:
        """(movers, profile after) for every joint deviation from ``prof`` of
        at most ``sizes`` agents, smallest groups first."""
        for size in range(1, min(sizes, self.o.n) + 1):
            for c in itertools.combinations(range(self.o.n), size):
                for acts in self.joint(c):
                    yield c, moved(prof, c, acts)

    def bound(self, sizes: int, what: str) -> None:
        self.o.require_small(what)
        total = sum(math.prod(len(self.o.actions(j)) for j in c)
                    for s in range(1, min(sizes, self.o.n) + 1)
                    for c in itertools.combinations(range(self.o.n), s))
        if total > SEARCH_LIMIT:
            raise Skip(f"{what}: {total:,} joint deviations (limit {SEARCH_LIMIT:,})")

    def coalition_claim(self, base: Profile, weak: bool) -> tuple[list[int], Profile]:
        members = [self.o.agent(a) for a in self.ev["coalition"]]
        dev = self.ev["deviation"]
        if set(dev) != set(self.ev["coalition"]):
            raise Mismatch("the deviation does not move exactly the coalition's members")
        after = self.o.apply(base, dev)
        if "deviated_profile" in self.ev and self.o.profile(self.ev["deviated_profile"]) != after:
            raise Mismatch("deviated_profile is not the profile with the deviation applied")
        return members, after

    def fact_CoalitionStable(self) -> str:
        prof = self.own_profile()
        n = self.o.n
        k = n if self.prop.kind in ("strong", "coalition_proof") else min(int(self.prop.k or n), n)
        if self.verdict == "VIOLATED":
            members, after = self.coalition_claim(prof, self.prop.weak)
            if len(members) > k:
                raise Mismatch(f"the coalition has {len(members)} members; at most {k} may deviate")
            gains = {self.o.names[j]: self.o.u(j, after) - self.o.u(j, prof) for j in members}
            for a, g in (self.ev.get("gains") or {}).items():
                if a not in gains:
                    raise Mismatch(f"gains name {a}, who is not in the coalition")
                same(f"{a}'s gain", g, gains[a])
            if not all_gain(gains.values(), self.prop.weak):
                raise Mismatch(f"not every coalition member gains: {({a: q(g) for a, g in gains.items()})}")
            note = " (self-enforcement is re-checked by the fresh run)" if self.prop.kind == "coalition_proof" else ""
            return ("coalition " + ", ".join(gains) + " gains " + ", ".join(q(g) for g in gains.values())
                    + " by deviating jointly (recomputed)" + note)
        if self.prop.kind == "coalition_proof":
            raise Skip("coalition-proofness certificates are re-checked by the fresh run")
        self.bound(k, "re-checking every coalition")
        for c, joint in self.deviations(prof, k):
            if all_gain((self.o.u(j, joint) - self.o.u(j, prof) for j in c), self.prop.weak):
                raise Mismatch(f"coalition {[self.o.names[j] for j in c]} gains by switching to "
                               f"{self.o.label(joint)}")
        return f"no coalition of at most {k} agents gains (brute force)"

    def adversary_claim(self, prof: Profile, t: int) -> tuple[list[int], Profile]:
        adv = [self.o.agent(a) for a in self.ev["adversaries"]]
        if len(adv) > t:
            raise Mismatch(f"{len(adv)} adversaries; at most {t} allowed")
        dev = self.ev.get("deviation") or self.ev.get("adversary_deviation") or {}
        if set(dev) != set(self.ev["adversaries"]):
            raise Mismatch("the deviation does not move exactly the adversaries")
        return adv, self.o.apply(prof, dev)

    def victim(self, prof: Profile, adv: list[int], after: Profile) -> str:
        v = self.o.agent(self.ev["victim"])
        if v in adv:
            raise Mismatch("the victim is one of the adversaries")
        loss = self.o.u(v, prof) - self.o.u(v, after)
        same(f"{self.ev['victim']}'s loss", self.ev["loss"], loss)
        if loss <= 0:
            raise Mismatch(f"{self.ev['victim']} loses nothing")
        return f"{self.ev['victim']} loses {q(loss)} (recomputed)"

    def immune_holds(self, prof: Profile, t: int, cond: Any) -> int:
        self.bound(t, "re-checking every adversary deviation")
        count = 0
        for T, a2 in self.deviations(prof, t):
            count += 1
            if cond is not None:
                if self.o.condition(cond, a2) is not True:
                    raise Mismatch(f"adversaries reach {self.o.label(a2)}, where the condition fails")
            else:
                for j in range(self.o.n):
                    if j not in T and self.o.u(j, a2) < self.o.u(j, prof):
                        raise Mismatch(f"adversaries reach {self.o.label(a2)}, lowering "
                                       f"{self.o.names[j]}'s payoff")
        return count

    def fact_Immune(self) -> str:
        prof = self.own_profile()
        cond = self.prop.condition
        if self.verdict == "VIOLATED":
            if self.ev.get("kind") == "condition":
                if self.o.condition(cond, prof) is not False:
                    raise Mismatch("the condition is true at the profile itself")
                return "the condition is false at the profile itself (recomputed)"
            adv, after = self.adversary_claim(prof, self.prop.t)
            if "victim" in self.ev:
                return self.victim(prof, adv, after)
            if cond is None or self.o.condition(cond, after) is not False:
                raise Mismatch(f"the condition holds at the deviated profile {self.o.label(after)}")
            return f"the condition is false at {self.o.label(after)} (recomputed)"
        if cond is not None and self.o.condition(cond, prof) is not True:
            raise Mismatch("the condition is false at the profile itself")
        n = self.immune_holds(prof, self.prop.t, cond)
        return f"{n} adversary deviations re-checked (brute force)"

    def fact_Robust(self) -> str:
        prof = self.own_profile()
        if self.verdict == "VIOLATED":
            if "victim" in self.ev:
                adv, after = self.adversary_claim(prof, self.prop.t)
                return self.victim(prof, adv, after)
            adv, with_t = self.adversary_claim(prof, self.prop.t) if self.ev.get("adversaries") else ([], prof)
            members, full = self.coalition_claim(with_t, False)
            if len(members) > self.prop.k or set(members) & set(adv):
                raise Mismatch("the coalition is too large or overlaps the adversaries")
            i = self.o.agent(self.ev["gainer"])
            if i not in members:
                raise Mismatch("the gainer is not in the coalition")
            gain = self.o.u(i, full) - self.o.u(i, with_t)
            same(f"{self.ev['gainer']}'s gain", self.ev["gains"][self.ev["gainer"]], gain)
            if gain <= 0:
                raise Mismatch(f"{self.ev['gainer']} does not gain")
            return f"{self.ev['gainer']} gains {q(gain)} in coalition {self.ev['coalition']} (recomputed)"
        self.immune_holds(prof, self.prop.t, None)
        self.bound(self.prop.k + self.prop.t, "re-checking (k,t)-robustness")
        n = self.o.n
        for ts in range(0, min(self.prop.t, n) + 1):
            for T in itertools.combinations(range(n), ts):
                rest = [j for j in range(n) if j not in T]
                for cs in range(1, min(self.prop.k, len(rest)) + 1):
                    for C in itertools.combinations(rest, cs):
                        for tau in self.joint(T):
                            base = moved(prof, T, tau)
                            for phi in self.joint(C):
                                both = moved(base, C, phi)
                                for i in C:
                                    if self.o.u(i, both) > self.o.u(i, base):
                                        raise Mismatch(f"{self.o.names[i]} gains at {self.o.label(both)}")
        return f"({self.prop.k},{self.prop.t})-robust (brute force)"
