"""Exhaustive axiom audit of a library rule: every profile of 1..N voters (or
exactly N), anonymous profiles when the rule is anonymous.  Each axiom ends
as a frozen :class:`AxiomResult`: HOLDS (what was enumerated), VIOLATED (the
smallest counterexample: fewest voters, then lexicographically first
profile) or UNKNOWN (the size budget, with the reason)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from verigroup.diagnostics import Diagnostic, SpecError
from verigroup.elections import checks
from verigroup.elections.coalitions import group_strategyproofness
from verigroup.elections.domain import Domain, level_size
from verigroup.elections.profiles import (MAX_ALTERNATIVES, PROFILE_LIMIT, default_names, profile_json,
                                          ranking_space)
from verigroup.elections.rules import RULES, Rule, make_rule
from verigroup.verdicts import Verdict

AXIOMS_SCHEMA = "verigroup.axioms/1"
AXIOMS = ("pareto", "anonymity", "neutrality", "monotonicity", "condorcet-winner", "condorcet-loser",
          "reinforcement", "participation", "iia", "strategyproofness", "non-dictatorship",
          "group-strategyproofness", "strong-pareto")

#: What an audit checks when no axiom is named (group strategyproofness is asked for by name: it costs
#: more; strong Pareto too: on strict rankings it is pareto, it differs on weak ballots).
DEFAULT_AXIOMS = tuple(a for a in AXIOMS if a not in ("group-strategyproofness", "strong-pareto"))

DEFINITIONS = {
    "pareto": "no alternative that every voter ranks below another one wins (lotteries: gets positive probability)",
    "anonymity": "renaming the voters never changes the outcome",
    "neutrality": "renaming the alternatives renames the outcome accordingly",
    "monotonicity": "raising the winner in one voter's ranking (others' order kept) keeps it the winner "
                    "(lotteries: does not lower its probability)",
    "condorcet-winner": "an alternative beating every other by a strict majority wins (lotteries: surely)",
    "condorcet-loser": "an alternative losing to every other by a strict majority never wins "
                       "(lotteries: has probability 0)",
    "reinforcement": "if x wins in two disjoint electorates, x wins in their union",
    "participation": "no voter gets a strictly better outcome by abstaining",
    "iia": "if x wins at P, then y does not win at any P' where every voter ranks x and y as at P",
    "strategyproofness": "no voter gets a strictly better outcome (for its true ranking) by reporting another ranking "
                         "(lotteries: for some utility consistent with the true ranking)",
    "non-dictatorship": "no voter's top alternative always wins (checked at exactly N voters)",
    "strong-pareto": "no alternative wins when another is at least as good for every voter and strictly better "
                     "for one (equals pareto on strict rankings; differs on weak ballots)",
    "group-strategyproofness": "no coalition of up to k voters can misreport jointly so that every member gets an "
                               "outcome it strictly prefers (for its true ranking)",
}


@dataclass(frozen=True)
class AxiomResult:
    axiom: str
    verdict: Verdict
    method: str
    profiles_checked: int
    detail: str
    counterexample: Mapping[str, Any] | None = None
    certificate: Mapping[str, Any] | None = None
    measure: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"verdict": self.verdict.value, "method": self.method,
                               "profiles_checked": self.profiles_checked, "definition": DEFINITIONS[self.axiom],
                               "detail": self.detail}
        if self.counterexample is not None:
            out["counterexample"] = dict(self.counterexample)
        if self.certificate is not None:
            out["certificate"] = dict(self.certificate)
        if self.measure is not None:
            out["measure"] = dict(self.measure)
        return out


@dataclass(frozen=True)
class AxiomAudit:
    rule: Rule
    voters: int
    exact: bool
    names: tuple[str, ...]
    results: tuple[AxiomResult, ...]
    seconds: float = field(default=0.0, compare=False)
    coalition: int = 2

    @property
    def exit_code(self) -> int:
        verdicts = {r.verdict for r in self.results}
        return 1 if Verdict.VIOLATED in verdicts else 3 if Verdict.UNKNOWN in verdicts else 0

    def to_json(self) -> dict[str, Any]:
        return {"schema": AXIOMS_SCHEMA, "rule": self.rule.name, "rule_definition": self.rule.description,
                "approve": self.rule.approve if self.rule.name == "approval" else None,
                "scores": list(self.rule.scores) if self.rule.name == "scoring" else None,
                "voters": self.voters, "exact_voters": self.exact, "alternatives": list(self.names),
                "tie_break": list(self.names), "anonymous_profiles": self.rule.anonymous,
                "ballots": self.rule.ballots,
                "coalition_size": self.coalition if any(r.axiom == "group-strategyproofness" for r in self.results)
                else None,
                "axioms": {r.axiom: r.to_json() for r in self.results}}


def unknown_name_(kind: str, name: str, known: tuple[str, ...]) -> SpecError:
    from verigroup.elections.errors import unknown_name

    return unknown_name(kind, name, known)


def _refuse(message: str, hint: str) -> SpecError:
    return SpecError([Diagnostic("E604", message, hint=hint)])


def validate(rule: str, voters: int, m: int, axioms: tuple[str, ...]) -> None:
    from verigroup.elections.errors import unknown_name

    if rule not in RULES:
        raise unknown_name("rule", rule, RULES)
    for a in axioms:
        if a not in AXIOMS:
            raise unknown_name("axiom", a, AXIOMS)
    if voters < 1 or m < 2:
        raise _refuse(f"need at least 1 voter and 2 alternatives (got {voters} voters, {m} alternatives)",
                      "for example --voters 3 --alternatives 3")
    if m > MAX_ALTERNATIVES:
        raise _refuse(f"{m} alternatives: {m}! rankings exceed the exhaustive method's limit of "
                      f"{MAX_ALTERNATIVES} alternatives", "use fewer alternatives")


def audit(rule_name: str, voters: int, m: int, axioms: tuple[str, ...] = (), exact: bool = False,
          approve: int | None = None, names: tuple[str, ...] | None = None, measure: bool = False,
          timeout: float | None = None, scores: tuple[int, ...] = (), coalition: int = 2,
          rule: Rule | None = None, ballots: str = "strict") -> AxiomAudit:
    """Check ``axioms`` (:data:`DEFAULT_AXIOMS` when empty) for a library rule (or ``rule``, an
    in-spec rule built by :mod:`.expr_rules`).  ``timeout`` (seconds) is
    checked between electorate sizes: what is not finished is UNKNOWN, never
    HOLDS.  ``coalition``: the largest coalition group strategyproofness
    considers."""
    axioms = axioms or DEFAULT_AXIOMS
    validate(rule_name if rule is None else RULES[0], voters, m, axioms)   # an in-spec rule is checked already
    if coalition < 1:
        raise SpecError([Diagnostic("E401", f"the coalition size must be at least 1, got {coalition}")])
    if rule is None and rule_name == "scoring" and len(scores) != m:
        raise SpecError([Diagnostic("E401", f"the scoring rule needs {m} scores, one per place (--scores "
                                            + ",".join(str(m - 1 - k) for k in range(m)) + f"), got {len(scores)}")])
    from verigroup.elections.ballots import BALLOTS, WEAK_RULES, ballot_space

    if ballots not in BALLOTS:
        raise unknown_name_("ballot kind", ballots, BALLOTS)
    if ballots != "strict" and (rule.name if rule is not None else rule_name) not in WEAK_RULES:
        raise SpecError([Diagnostic("E608", f"the rule `{rule_name if rule is None else rule.name}` is not defined "
                                            f"on {ballots} ballots",
                                    hint="rules on weak and approval ballots: " + ", ".join(WEAK_RULES))])
    rule = replace(rule, ballots=ballots) if rule is not None else make_rule(rule_name, m, approve, scores, ballots)
    space = ballot_space(m, ballots, names or default_names(m))
    size = level_size(voters, space.size, rule.anonymous)
    if size > PROFILE_LIMIT:
        kind = "anonymous profiles" if rule.anonymous else "profiles (the rule tells voters apart)"
        raise _refuse(f"{voters} voters and {m} alternatives give {size} {kind}, above the exhaustive "
                      f"limit of {PROFILE_LIMIT}",
                      f"use fewer voters or alternatives, or `verigroup impossible` for the SAT route")
    dom = Domain(rule, space)
    start = time.perf_counter()
    end = None if timeout is None else start + timeout
    out = []
    for a in dict.fromkeys(axioms):
        if end is not None and time.perf_counter() > end:
            out.append(AxiomResult(a, Verdict.UNKNOWN, "exhaustive", 0, f"not checked: the {timeout:g} s timeout ran out"))
            continue
        try:
            res = _check(dom, a, voters, exact, end, coalition)
        except checks.TooLarge as exc:   # e.g. a score expression too costly to evaluate at some size
            out.append(AxiomResult(a, Verdict.UNKNOWN, "exhaustive", 0, f"not checked: {exc}"))
            continue
        out.append(_measured(dom, res, voters) if measure and res.verdict != Verdict.UNKNOWN else res)
    results = tuple(out)
    return AxiomAudit(rule, voters, exact, space.names, results, time.perf_counter() - start, coalition)


MEASURED = ("pareto", "condorcet-winner", "condorcet-loser", "strategyproofness")


def _measured(dom: Domain, res: AxiomResult, n: int) -> AxiomResult:
    """How often the axiom fails at exactly ``n`` voters: violating
    anonymous profiles, and the exact probability of a violation when every
    voter draws a ranking uniformly and independently (impartial culture)."""
    if res.axiom not in MEASURED or dom.rule.lottery:
        return res
    from fractions import Fraction
    from math import factorial

    mask = checks.violation_mask(dom, n, res.axiom)
    lv = dom.level(n)
    if dom.anonymous:
        fact = [factorial(k) for k in range(n + 1)]
        weight = [fact[n] // _prod(fact[int(c)] for c in row if c) for row in lv.counts[mask]]
        bad_ordered = sum(weight)
    else:
        bad_ordered = int(mask.sum())
    total = dom.space.size ** n
    share = Fraction(bad_ordered, total)
    return replace(res, measure={"voters": n, "violating_profiles": int(mask.sum()), "profiles": lv.size,
                                 "impartial_culture_probability": f"{share.numerator}/{share.denominator}"
                                 if share.denominator != 1 else str(share.numerator)})


def _prod(xs: Any) -> int:
    out = 1
    for x in xs:
        out *= x
    return out


def _sizes(voters: int, exact: bool) -> range:
    return range(voters, voters + 1) if exact else range(1, voters + 1)


def _check(dom: Domain, axiom: str, voters: int, exact: bool, end: float | None = None,
           coalition: int = 2) -> AxiomResult:
    scope = f"{voters} voters" if exact else f"1..{voters} voters"
    kind = "anonymous profiles" if dom.anonymous else "profiles"
    if dom.rule.ballots != "strict" and axiom in ("non-dictatorship", "monotonicity"):
        return AxiomResult(axiom, Verdict.UNKNOWN, "exhaustive", 0,
                           f"{axiom} is checked on strict rankings only (these are {dom.rule.ballots} ballots)")
    if axiom == "non-dictatorship":
        return _non_dictatorship(dom, voters)
    if axiom == "anonymity":
        return _anonymity(dom, voters, exact)
    finder = {
        "pareto": checks.pareto, "strong-pareto": checks.strong_pareto, "monotonicity": checks.monotonicity, "strategyproofness": checks.strategyproofness,
        "participation": checks.participation, "iia": checks.iia, "reinforcement": checks.reinforcement,
        "neutrality": checks.neutrality,
        "group-strategyproofness": lambda d, n: group_strategyproofness(d, n, coalition),
        "condorcet-winner": lambda d, n: checks.condorcet(d, n, loser=False),
        "condorcet-loser": lambda d, n: checks.condorcet(d, n, loser=True),
    }[axiom]
    checked = 0
    for n in _sizes(voters, exact):
        if end is not None and time.perf_counter() > end:
            return AxiomResult(axiom, Verdict.UNKNOWN, "exhaustive", checked,
                               f"timeout before {n} voters; no violation with fewer voters")
        try:
            cex = finder(dom, n)
        except checks.TooLarge as exc:
            return AxiomResult(axiom, Verdict.UNKNOWN, "exhaustive", checked,
                               f"stopped at {n} voters: {exc}; no violation with fewer voters")
        checked += dom.level(n).size
        if cex is not None:
            size = f", a coalition of {cex['coalition_size']}" if axiom == "group-strategyproofness" else ""
            return AxiomResult(axiom, Verdict.VIOLATED, "exhaustive", checked,
                               f"smallest violation: {n} voters{size}, lexicographically first profile", cex)
    groups = f", every coalition of up to {coalition} voters" if axiom == "group-strategyproofness" else ""
    return AxiomResult(axiom, Verdict.HOLDS, "exhaustive", checked,
                       f"every one of the {checked} {kind} of {scope} and {dom.space.m} alternatives checked{groups}")


def _anonymity(dom: Domain, voters: int, exact: bool) -> AxiomResult:
    full = Domain(replace(dom.rule, anonymous=False), dom.space)
    checked = 0
    for n in _sizes(voters, exact):
        if not full.fits(n):
            if dom.anonymous:
                return AxiomResult("anonymity", Verdict.HOLDS, "structural", checked,
                                   "the rule reads only how many voters report each ranking; ordered profiles "
                                   f"were enumerated up to {n - 1} voters")
            return AxiomResult("anonymity", Verdict.UNKNOWN, "exhaustive", checked,
                               f"{dom.space.size ** n} ordered profiles at {n} voters exceed the limit")
        cex = checks.anonymity(dom, full, n)
        checked += full.level(n).size
        if cex is not None:
            return AxiomResult("anonymity", Verdict.VIOLATED, "exhaustive", checked,
                               f"smallest violation: {n} voters, lexicographically first profile", cex)
    return AxiomResult("anonymity", Verdict.HOLDS, "exhaustive", checked,
                       f"every one of the {checked} ordered profiles checked under swaps of adjacent voters "
                       "(which generate every renaming of the voters)")


def _non_dictatorship(dom: Domain, n: int) -> AxiomResult:
    found, witness = checks.dictators(dom, n)
    lv = dom.level(n)
    if found:
        i = found[0]
        return AxiomResult("non-dictatorship", Verdict.VIOLATED, "exhaustive", lv.size,
                           f"at {n} voters the outcome is voter {i + 1}'s top at every one of the {lv.size} profiles",
                           {"voters": n, "dictator": i + 1, "profiles_checked": lv.size})
    wit = []
    for i, row in sorted(witness.items()):
        seq = [int(v) for v in lv.seqs[row]]
        out = lv.outcomes[row]
        if dom.anonymous:   # a voter (in the printed order) whose top is not the outcome
            tops = [int(dom.space.perms[r, 0]) for r in seq]
            j = next(k for k, t in enumerate(tops)
                     if (out.ndim == 0 and t != int(out)) or (out.ndim == 1 and int(out[t]) != n))
        else:
            j = i
        from verigroup.elections.outcomes import outcome_json
        wit.append({"voter": i + 1, "profile": profile_json(seq, dom.space, anonymous=dom.anonymous),
                    "holder": j + 1, "outcome": outcome_json(out, dom.space, n)})
        if dom.anonymous:
            break
    return AxiomResult("non-dictatorship", Verdict.HOLDS, "exhaustive", lv.size,
                       f"for every voter a profile of {n} voters where the outcome is not its top",
                       certificate={"witnesses": wit})
