"""Re-establish one property result's evidence from the spec alone
(:class:`EvidenceChecker`): every payoff, metric and equilibrium record in the
evidence is recomputed by the oracle, then the claimed fact is re-derived by
the property family's ``fact_<Kind>`` method (:mod:`.pure`, :mod:`.equilibria`,
:mod:`.coalitions`, :mod:`.plays`)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable, Mapping

from verigroup.diagnostics import SpecError
from verigroup.replay.algebra import AlgebraFacts
from verigroup.replay.automata import AutomatonFacts
from verigroup.replay.coalitions import CoalitionFacts
from verigroup.replay.dynamics import DynamicsFacts  # issue 12
from verigroup.replay.equilibria import EquilibriumFacts
from verigroup.replay.oracle import Profile, compare_values, expect, pay_map, same, support_points
from verigroup.replay.plays import PlayFacts
from verigroup.replay.pure import PureFacts
from verigroup.replay.result import Finding, Mismatch, Skip
from verigroup.replay.treewalk import plays
from verigroup.replay.values import ValueFacts  # ---- issue 14
from verigroup.replay.oversight import OversightFacts  # ---- mixed play in protocols (issue 14)
from verigroup.replay.best_response import BestResponseFacts  # ---- best_response(AGENT, φ) (issue 14)

MALFORMED = (KeyError, TypeError, ValueError, IndexError, AttributeError)
NESTED = ("equilibrium", "witness", "witnesses", "deviations", "checked")


class EvidenceChecker(BestResponseFacts, OversightFacts, PureFacts, EquilibriumFacts, CoalitionFacts, PlayFacts, AutomatonFacts,
                      AlgebraFacts, DynamicsFacts, ValueFacts):  # ValueFacts: game values and curves (issue 14)
    # OversightFacts: mixed play in protocols (issue 14)
    """Re-establish one property result's evidence from the spec alone."""

    # ------------------------------------------------------------ driver
    def run(self) -> list[Finding]:
        out: list[Finding] = []
        name = self.res.get("name")
        kind = self.res.get("kind")
        if kind != type(self.prop).__name__:
            out.append(Finding(self.spec, name, "mismatch", "property kind",
                               f"the report says {kind}, the spec declares {type(self.prop).__name__}"))
        if self.verdict not in ("HOLDS", "VIOLATED", "UNKNOWN"):
            out.append(Finding(self.spec, name, "mismatch", "verdict", f"{self.verdict!r} is not a verdict"))
            return out
        if self.verdict == "UNKNOWN":
            return out
        what = "counterexample" if self.verdict == "VIOLATED" else "certificate"
        steps: list[tuple[str, Callable[[], str | None]]] = [
            (f"values in the {what}", self.values),
            (f"{what} ({self.ev.get('kind') or self.ev.get('method') or 'evidence'})", self.fact),
        ]
        for label, fn in steps:
            status, detail = self.attempt(fn)
            if detail is not None:
                out.append(Finding(self.spec, name, status, label, detail))
        return out

    @staticmethod
    def attempt(fn: Callable[[], str | None]) -> tuple[str, str | None]:
        """Run one re-check: its status and detail (``None``: nothing to say)."""
        try:
            return "ok", fn()
        except Mismatch as exc:
            return "mismatch", str(exc)
        except Skip as exc:
            return "skipped", str(exc)
        except SpecError as exc:
            return "mismatch", "the spec cannot evaluate the evidence: " + exc.render()
        except MALFORMED as exc:
            return "mismatch", f"malformed evidence ({type(exc).__name__}: {exc})"

    # ---------------------------------------------------- generic values
    def values(self) -> str | None:
        self.walk(self.ev, "evidence")
        if not self.values_checked and not self.equilibria_checked:
            return None
        eq = (f", {self.equilibria_checked} equilibrium record(s) re-verified exactly"
              if self.equilibria_checked else "")
        return f"{self.values_checked} payoff/metric values recomputed by the scalar evaluator{eq}"

    def cmp(self, where: str, claimed: Any, values: Mapping[str, Fraction]) -> None:
        compare_values(self.o, where, claimed, values)
        self.values_checked += len(claimed)

    def at(self, d: dict[str, Any], path: str, prof: Profile, payoffs: str, metrics: str | None = None) -> None:
        """Compare the record's ``payoffs`` (and ``metrics``) fields with the values at ``prof``."""
        if payoffs in d:
            self.cmp(f"{path}.{payoffs}", d[payoffs], pay_map(self.o, prof))
        if metrics is not None and metrics in d:
            self.cmp(f"{path}.{metrics}", d[metrics], self.o.metrics(prof))

    def walk(self, d: Any, path: str) -> None:
        if isinstance(d, list):
            for i, x in enumerate(d):
                self.walk(x, f"{path}[{i}]")
            return
        if not isinstance(d, dict):
            return
        if d.get("kind") == "play" and "strategies" in d and self.is_protocol():
            self.play_values(d, path)  # a play under extensive-form strategies, not a mixed profile
        elif isinstance(d.get("play"), list) and self.is_protocol():
            self.enforce_play_values(d["play"], f"{path}.play")
        elif "strategies" in d or "distribution" in d:
            self.equilibrium(d, path)
        elif isinstance(d.get("profile"), dict):
            prof = self.o.profile(d["profile"])
            base = prof
            if isinstance(d.get("adversary_deviation"), dict) and d["adversary_deviation"]:
                base = self.o.apply(prof, d["adversary_deviation"])
            self.at(d, path, prof, "payoffs", "metrics")
            self.at(d, path, base, "payoffs_before")
            if isinstance(d.get("deviated_profile"), dict):
                self.at(d, path, self.o.profile(d["deviated_profile"]), "payoffs_after", "metrics_after")
            if isinstance(d.get("dominating_profile"), dict):
                self.at(d, path, self.o.profile(d["dominating_profile"]), "dominating_payoffs")
        for key in NESTED:
            if isinstance(d.get(key), (dict, list)):
                self.walk(d[key], f"{path}.{key}")

    def equilibrium(self, d: dict[str, Any], path: str) -> None:
        """An equilibrium record: recompute its expectations and confirm it is
        an equilibrium of its concept (exact regret 0, or the stated epsilon)."""
        concept = d.get("concept")
        self.equilibria_checked += 1
        if concept == "spe" or (concept is None and self.is_protocol() and "strategies" in d):
            self.spe(d, path)
            return
        if "distribution" in d:
            pt = self.o.distribution(d["distribution"])
            bad = self.o.correlated_violation(pt, coarse=concept == "coarse_correlated")
            if bad is not None and concept in ("correlated", "coarse_correlated"):
                raise Mismatch(f"{path} is not a {concept} equilibrium: {bad}")
        else:
            mix = self.o.mixed(d["strategies"])
            pt = support_points(mix)
            regret, where = self.o.mixed_regret(mix)
            if d.get("exact", True) is not False and regret > 0:
                raise Mismatch(f"{path} is not an equilibrium: {where}")
            if d.get("exact", True) is False:
                same(f"{path}.epsilon", d.get("epsilon"), regret)
        if isinstance(d.get("payoffs"), dict):
            self.cmp(f"{path}.payoffs", d["payoffs"],
                     {a: expect(pt, self.o.pay(k)) for k, a in enumerate(self.o.names)})
        if isinstance(d.get("metrics"), dict):
            self.cmp(f"{path}.metrics", d["metrics"],
                     {m: expect(pt, self.o.metric_of(m)) for m in self.o.model.metrics})

    def spe(self, d: dict[str, Any], path: str) -> None:
        if not self.is_protocol():
            raise Mismatch(f"{path}: a subgame-perfect equilibrium of a spec without a protocol")
        tree = self.tree()
        self.spe_profile(d["strategies"], path)
        vals = {p: Fraction(0) for p in tree.players}
        for nodes, pr in plays(tree, d["strategies"]):  # expected payoffs, play by play
            for p, x in zip(tree.players, tree.payoff(nodes[-1])):
                vals[p] += pr * x
        if isinstance(d.get("payoffs"), dict):
            self.cmp(f"{path}.payoffs", d["payoffs"], vals)

    # ---------------------------------------------------------- the fact
    def fact(self) -> str | None:
        fn = getattr(self, "fact_" + type(self.prop).__name__, None)
        if fn is None:
            if self.ev.get("kind") == "play":
                return self.play()
            raise Skip(f"no independent re-check for {type(self.prop).__name__}; the fresh run covers it")
        return fn()  # type: ignore[no-any-return]
