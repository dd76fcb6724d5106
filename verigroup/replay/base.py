"""The state and shared helpers of an evidence re-check (:class:`CheckerBase`):
one property result of a report, its evidence, the oracle to recompute it
with, and the small checks several property families use (the property's own
profile, a unilateral deviation, a pure equilibrium, a pure-equilibrium count).
The per-family ``fact_<Kind>`` methods live in :mod:`.pure`, :mod:`.equilibria`,
:mod:`.coalitions` and :mod:`.plays`; :mod:`.evidence` assembles them."""

from __future__ import annotations

from typing import Any

from verigroup.model.properties import Concept
from verigroup.replay.oracle import Oracle, Profile, frac, same, swap
from verigroup.replay.result import Mismatch
from verigroup.replay.terms import TermEval
from verigroup.verdicts import q


class CheckerBase:
    """Re-establish one property result's evidence from the spec alone."""

    def __init__(self, oracle: Oracle, prop: Any, result: dict[str, Any], spec: str) -> None:
        self.prop = prop
        self.res = result
        self.spec = spec
        ev = result.get("evidence")
        self.ev: dict[str, Any] = ev if isinstance(ev, dict) else {}
        self.verdict = result.get("verdict")
        params = self.ev.get("params")
        if isinstance(params, dict) and params:
            try:
                vals = {str(k): frac(v, f"parameter {k}") for k, v in params.items()}
            except Mismatch:
                vals = {}
            self.o = Oracle(oracle.model, vals)
        else:
            self.o = oracle
        self.terms = TermEval(self.o)
        self.values_checked = 0
        self.equilibria_checked = 0

    def own_profile(self, optional: bool = False) -> Profile:
        """The evidence's profile, which must be the property's own.  Every
        profile property's evidence names it, except ``optional`` ones (an
        individual-rationality certificate)."""
        want = tuple(self.prop.profile.actions)
        if optional and "profile" not in self.ev and self.verdict == "HOLDS":
            return tuple(self.o.action(k, a) for k, a in enumerate(want))
        prof = self.o.profile(self.ev.get("profile"))
        got = tuple(self.o.actions(k)[i] for k, i in enumerate(prof))
        if got != want:
            raise Mismatch(f"the evidence is about {self.o.label(prof)}, the property about "
                           f"{{{', '.join(f'{a}: {x}' for a, x in zip(self.o.names, want))}}}")
        return prof

    def deviation(self, d: dict[str, Any]) -> str:
        prof = self.o.profile(d["profile"])
        k = self.o.agent(d["agent"])
        act = d["deviation"]
        alt = swap(prof, k, self.o.action(k, act))
        cur, new = self.o.u(k, prof), self.o.u(k, alt)
        if "payoff" in d:
            same(f"{d['agent']}'s payoff at {self.o.label(prof)}", d["payoff"], cur)
        if "deviation_payoff" in d:
            same(f"{d['agent']}'s payoff after switching to {act}", d["deviation_payoff"], new)
        if "gain" in d:
            same(f"{d['agent']}'s gain from switching to {act}", d["gain"], new - cur)
        if new <= cur:
            raise Mismatch(f"{d['agent']} does not gain by switching to {act} ({q(cur)} -> {q(new)})")
        for a2, v in (d.get("best_responses") or {}).items():
            same(f"best_responses.{a2}", v, self.o.u(k, swap(prof, k, self.o.action(k, a2))))
        return f"{d['agent']} gains {q(new - cur)} by switching to {act} at {self.o.label(prof)}"

    def is_nash(self, prof: Profile, what: str) -> None:
        br = self.o.better_reply(prof)
        if br is not None:
            k, b, gain = br
            raise Mismatch(f"{what} {self.o.label(prof)} is not a pure equilibrium: {self.o.names[k]} "
                           f"gains {q(gain)} by switching to {self.o.actions(k)[b]}")

    def pure_concept(self) -> bool:
        return getattr(self.prop, "concept", None) is Concept.PURE_NASH

    def count_pure(self, claimed: Any) -> str:
        n = len(self.o.pure_nash())
        if claimed is not None and claimed != n:
            raise Mismatch(f"the report counts {claimed} pure equilibria, brute force finds {n}")
        return f"{n} pure equilibria (brute force)"

    def claimed_count(self) -> int | None:
        """The evidence's count of equilibria, when it states one."""
        n = self.ev.get("equilibria")
        return n if isinstance(n, int) else None
