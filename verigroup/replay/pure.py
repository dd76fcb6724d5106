"""Independent re-checks of pure-profile properties: a profile is (not) an
equilibrium, an action is (not) dominant."""

from __future__ import annotations

from verigroup.model.properties import Strength
from verigroup.replay.base import CheckerBase
from verigroup.replay.oracle import same, swap
from verigroup.replay.result import Mismatch
from verigroup.verdicts import q


class PureFacts(CheckerBase):
    def fact_IsEquilibrium(self) -> str:
        prof = self.own_profile()
        if self.verdict == "VIOLATED":
            return self.deviation(self.ev)
        self.is_nash(prof, "the profile")
        return f"no agent gains by deviating alone from {self.o.label(prof)} (re-checked)"

    def fact_Dominant(self) -> str:
        strict = self.prop.strength is Strength.STRICT
        if self.verdict == "VIOLATED":
            return self.not_dominant(strict)
        self.o.require_small("re-checking dominance")
        for k in self.prop.agents:
            a = self.o.action(k, self.prop.action)
            for b in range(len(self.o.actions(k))):
                if b == a:
                    continue
                some = False
                for prof in self.o.all_profiles():
                    if prof[k] != a:
                        continue
                    ua, ub = self.o.u(k, prof), self.o.u(k, swap(prof, k, b))
                    if ua < ub or (strict and ua == ub):
                        raise Mismatch(f"{self.prop.action} is not dominant for {self.o.names[k]}: "
                                       f"{self.o.actions(k)[b]} does at least as well at {self.o.label(prof)}")
                    some = some or ua > ub
                if not some:
                    raise Mismatch(f"{self.prop.action} is never strictly better than {self.o.actions(k)[b]} "
                                   f"for {self.o.names[k]}")
        return f"{self.prop.action} is dominant for {len(self.prop.agents)} agent(s) (brute force)"

    def not_dominant(self, strict: bool) -> str:
        """The counterexample to dominance: a competitor that does at least as
        well against some opponents (or, weakly, a tie everywhere)."""
        k = self.o.agent(self.ev["agent"])
        if k not in self.prop.agents or self.ev.get("action") != self.prop.action:
            raise Mismatch("the counterexample is about another agent or action than the property")
        a, b = self.o.action(k, self.ev["action"]), self.o.action(k, self.ev["competitor"])
        if "opponents" in self.ev:
            opp = dict(self.ev["opponents"])
            opp[self.ev["agent"]] = self.ev["action"]
            prof = self.o.profile(opp)
            ua, ub = self.o.u(k, swap(prof, k, a)), self.o.u(k, swap(prof, k, b))
            same(f"payoff of {self.ev['action']}", self.ev["payoff"], ua)
            same(f"competitor_payoff of {self.ev['competitor']}", self.ev["competitor_payoff"], ub)
            if "profile" in self.ev and self.o.profile(self.ev["profile"]) != swap(prof, k, a):
                raise Mismatch("the counterexample's profile is not the opponents' profile with the action")
            if (ua > ub) if strict else (ua >= ub):
                raise Mismatch(f"{self.ev['action']} ({q(ua)}) is not worse than {self.ev['competitor']} "
                               f"({q(ub)}) at {self.o.label(prof)}")
            return (f"for {self.ev['agent']}, {self.ev['action']} gets {q(ua)} and "
                    f"{self.ev['competitor']} {q(ub)} at {self.o.label(prof)}")
        self.o.require_small("re-checking a tie everywhere")
        for prof in self.o.all_profiles():
            if prof[k] == a and self.o.u(k, prof) > self.o.u(k, swap(prof, k, b)):
                raise Mismatch(f"{self.ev['action']} is strictly better than {self.ev['competitor']} "
                               f"at {self.o.label(prof)}")
        return f"{self.ev['action']} is never strictly better than {self.ev['competitor']} (brute force)"
