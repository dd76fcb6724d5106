"""Independent re-checks of equilibrium-set properties: existence and
uniqueness, claims and quantified statements over property terms, Pareto
efficiency, optimum-is-equilibrium and individual rationality.  Sets are
re-counted by brute force over pure equilibria only; mixed and correlated
sets are left to the fresh run (reported as skipped)."""

from __future__ import annotations

import json
import re
from contextlib import suppress
from fractions import Fraction

from verigroup.model.expr import Compare
from verigroup.model.properties import Quantifier
from verigroup.replay.base import CheckerBase
from verigroup.replay.oracle import Point, expect, same
from verigroup.replay.result import Mismatch, Skip
from verigroup.replay.terms import extreme
from verigroup.verdicts import q


def _fmt(v: Fraction | bool) -> str:
    return str(v).lower() if isinstance(v, bool) else q(v)


class EquilibriumFacts(CheckerBase):
    def fact_Existence(self) -> str:
        kind = self.ev.get("kind")
        if self.verdict == "VIOLATED":
            if kind == "nonexistence":
                if not self.pure_concept():
                    raise Skip("non-existence of a mixed/correlated equilibrium cannot be re-counted")
                return self.count_pure(0)
            if kind == "multiplicity":
                if self.ev.get("components_infinite"):
                    raise Skip("infinitely many equilibria: re-checked by the fresh run")
                items = self.ev.get("witnesses")  # equilibrium records, each re-verified by values()
                if not isinstance(items, list) or len({json.dumps(x, sort_keys=True) for x in items}) < 2:
                    raise Mismatch("the counterexample does not show two different equilibria")
                if self.pure_concept() and self.o.small():
                    n = self.count_pure(self.claimed_count())
                    if len(self.o.pure_nash()) < 2:
                        raise Mismatch(f"{n}: not multiple")
                return "two different equilibria confirmed"
            raise Skip(f"unrecognised counterexample kind {kind!r}")
        if self.pure_concept() and self.o.small():
            msg = self.count_pure(self.claimed_count())
            found = len(self.o.pure_nash())
            if found == 0 or (self.prop.unique and found != 1):
                raise Mismatch(f"brute force finds {found} pure equilibria")
            return msg
        return "witness confirmed" if "witness" in self.ev else str(self.ev.get("method", "certificate"))

    # --- terms
    def sides(self, env: dict[str, Point]) -> tuple[bool, str]:
        body = self.prop.body
        value = self.terms.ev(body, env)
        sides = self.ev.get("sides") if "sides" in self.ev else None
        detail = f"the property body is {str(bool(value)).lower()}"
        if isinstance(body, Compare):
            left, right = self.terms.ev(body.left, env), self.terms.ev(body.right, env)
            detail = f"{_fmt(left)} {body.op} {_fmt(right)} is {str(bool(value)).lower()}"
            if isinstance(sides, dict) and sides:
                for key, v in (("left", left), ("right", right)):
                    if key in sides and not isinstance(v, bool):
                        same(f"sides.{key}", sides[key], v)
        return bool(value), detail

    def check_terms(self) -> None:
        for key, info in (self.ev.get("terms") or {}).items():
            m = re.fullmatch(r"(max|min)\((.+)\)", key)
            if m and isinstance(info, dict):
                vals = self.o.metric_values(m.group(2))
                best = extreme([v for v, _ in vals], m.group(1) == "max")
                same(f"terms.{key}", info.get("value"), best)
                if isinstance(info.get("profile"), dict):
                    same(f"terms.{key} at its profile", info["value"],
                         self.o.metrics(self.o.profile(info["profile"]))[m.group(2)])
            if key == "count(pure_nash)" and isinstance(info, dict):
                self.count_pure(info.get("value"))

    def try_check_terms(self) -> None:
        """The stated term values, where they can be recomputed here."""
        with suppress(Skip):
            self.check_terms()

    def fact_Claim(self) -> str:
        self.try_check_terms()
        ok, detail = self.sides({})
        if ok != (self.verdict == "HOLDS"):
            raise Mismatch(f"recomputed: {detail}, but the verdict is {self.verdict}")
        return detail

    def fact_Quantified(self) -> str:
        every = self.prop.quantifier is Quantifier.EVERY
        var = self.prop.var
        self.try_check_terms()
        kind = self.ev.get("kind")
        if self.verdict == "VIOLATED" and kind == "equilibrium":
            pt_rec = self.ev["equilibrium"]
            if self.ev.get("concept") not in (None, self.prop.concept.value):
                raise Mismatch(f"the counterexample is a {self.ev.get('concept')} equilibrium, the property "
                               f"quantifies over {self.prop.concept.value}")
            ok, detail = self.sides({var: self.terms.point(pt_rec)})
            if ok:
                raise Mismatch(f"at the counterexample equilibrium {detail}")
            return "at the counterexample equilibrium " + detail
        if self.verdict == "HOLDS" and not every:
            rec = self.ev["witness"]["equilibrium"]
            ok, detail = self.sides({var: self.terms.point(rec)})
            if not ok:
                raise Mismatch(f"at the witness {detail}")
            return "at the witness " + detail
        # every (HOLDS) / some (VIOLATED: no witness): every equilibrium, by brute force
        if not self.pure_concept():
            raise Skip(f"{self.prop.concept.value} equilibria cannot be enumerated independently; "
                       "the fresh run covers it")
        eqs = self.o.pure_nash()
        claimed = self.claimed_count()
        if claimed is not None:
            self.count_pure(claimed)
        for prof in eqs:
            ok, detail = self.sides({var: [(prof, Fraction(1))]})
            if ok != every:
                raise Mismatch(f"at the equilibrium {self.o.label(prof)} {detail}")
        return f"the body is {'true' if every else 'false'} at all {len(eqs)} pure equilibria (brute force)"

    # --- efficiency
    def fact_ParetoEfficient(self) -> str:
        if self.verdict == "VIOLATED":
            pt = self.terms.point(self.ev["equilibrium"])
            vals = [expect(pt, self.o.pay(k)) for k in range(self.o.n)]
            dom = self.o.payoffs(self.o.profile(self.ev["dominating_profile"]))
            if not (all(x >= y for x, y in zip(dom, vals)) and any(x > y for x, y in zip(dom, vals))):
                raise Mismatch(f"{self.ev['dominating_profile']} does not Pareto-dominate the equilibrium")
            return "the dominating profile makes nobody worse off and somebody better off (recomputed)"
        if not self.pure_concept():
            raise Skip("mixed/correlated efficiency certificates are re-checked by the fresh run")
        eqs = self.o.pure_nash()
        for prof in eqs:
            mine = self.o.payoffs(prof)
            for other in self.o.all_profiles():
                alt = self.o.payoffs(other)
                if all(x >= y for x, y in zip(alt, mine)) and alt != mine:
                    raise Mismatch(f"the equilibrium {self.o.label(prof)} is Pareto-dominated by "
                                   f"{self.o.label(other)}")
        return f"all {len(eqs)} pure equilibria are Pareto efficient (brute force)"

    def fact_OptimumIsEquilibrium(self) -> str:
        metric = self.prop.metric
        sense = self.terms.metric(metric).sense
        if self.verdict == "HOLDS":
            prof = self.o.profile(self.ev["profile"])
            self.is_nash(prof, "the optimal profile")
            same(f"{metric} at the profile", self.ev["value"], self.o.metrics(prof)[metric])
        vals = self.o.metric_values(metric)
        best = extreme([v for v, _ in vals], sense == "maximize")
        same(f"the optimal {metric}", self.ev["value"], best)
        if self.verdict == "HOLDS":
            return f"an optimal profile ({metric} = {q(best)}) is a pure equilibrium (brute force)"
        where = [p for v, p in vals if v == best]
        if self.ev.get("optima") != len(where):
            raise Mismatch(f"the report counts {self.ev.get('optima')} optimal profiles, brute force finds "
                           f"{len(where)}")
        for p in where:
            if self.o.better_reply(p) is None:
                raise Mismatch(f"the optimal profile {self.o.label(p)} is an equilibrium")
        for d in self.ev.get("deviations") or []:
            if self.o.profile(d["profile"]) not in where:
                raise Mismatch(f"{d['profile']} is not an optimal profile")
            self.deviation(d)
        return f"none of the {len(where)} optimal profile(s) is an equilibrium (brute force)"

    def fact_IndividuallyRational(self) -> str:
        outside = {k: self.o.condition(e, tuple(0 for _ in self.o.names)) for k, e in self.prop.outside}
        if self.verdict == "VIOLATED":
            k = self.o.agent(self.ev["agent"])
            same("outside_option", self.ev["outside_option"], outside[k])
            if "profile" in self.ev and "equilibrium" not in self.ev:
                if self.prop.profile is not None:
                    self.own_profile(optional=True)
                got = self.o.u(k, self.o.profile(self.ev["profile"]))
            else:
                got = expect(self.terms.point(self.ev["equilibrium"]), self.o.pay(k))
            same(f"{self.ev['agent']}'s payoff", self.ev["payoff"], got)
            if got >= outside[k]:
                raise Mismatch(f"{self.ev['agent']} gets {q(got)}, not below its outside option {q(outside[k])}")
            return f"{self.ev['agent']} gets {q(got)} < {q(outside[k])} (recomputed)"
        profs = [self.own_profile(optional=True)] if self.prop.profile is not None else (
            self.o.pure_nash() if self.pure_concept() else None)
        if profs is None:
            raise Skip("mixed/correlated certificates are re-checked by the fresh run")
        for p in profs:
            for k, v in outside.items():
                if self.o.u(k, p) < v:
                    raise Mismatch(f"{self.o.names[k]} gets {q(self.o.u(k, p))} < {q(v)} at {self.o.label(p)}")
        return f"every agent gets its outside option at {len(profs)} profile(s) (recomputed)"

