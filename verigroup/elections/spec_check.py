"""``verigroup check`` of election properties (:class:`ElectionAxioms`):
the exhaustive audit at exactly the declared number of voters, combined
over the property's axioms (VIOLATED if one is, UNKNOWN if one is and none
is violated).  Registered in the analyses registry."""

from __future__ import annotations

from typing import Any

from verigroup.analyses.registry import Context, checker
from verigroup.elections.axioms import audit
from verigroup.elections.spec import ElectionAxioms
from verigroup.verdicts import PropertyResult, Verdict


@checker(ElectionAxioms)
def check_election(ctx: Context, prop: ElectionAxioms) -> PropertyResult:
    from verigroup.elections import reference as ref

    res = audit(prop.rule, prop.voters, len(prop.alternatives), prop.axioms, exact=True, approve=prop.approve,
                names=prop.alternatives, timeout=ctx.timeout, scores=prop.scores, coalition=prop.coalition,
                rule=None if prop.rule_expr is None else prop.rule_expr.rule(), ballots=prop.ballot_kind)
    doc = res.to_json()
    verdicts = [r.verdict for r in res.results]
    verdict = Verdict.VIOLATED if Verdict.VIOLATED in verdicts else \
        Verdict.UNKNOWN if Verdict.UNKNOWN in verdicts else Verdict.HOLDS
    parts = [f"{r.axiom} {r.verdict.value}" for r in res.results]
    rule_text = prop.rule if prop.rule_expr is None else f"score {prop.rule_expr.var} = {prop.rule_expr.text}"
    evidence: dict[str, Any] = {"election": prop.election, "rule": rule_text, "voters": prop.voters,
                                "tie_break": " > ".join(prop.alternatives),
                                "verdicts": {a: r["verdict"] for a, r in doc["axioms"].items()}}
    cex = next((r.counterexample for r in res.results if r.counterexample is not None
                and r.verdict == Verdict.VIOLATED), None)
    if cex is not None:
        from verigroup.elections.render import profile_text

        evidence["counterexample"] = {k: (profile_text(v) if k.endswith("profile") or k in ("part1", "part2")
                                          or (isinstance(v, list) and v and isinstance(v[0], dict))
                                          else " > ".join(v) if isinstance(v, list) and k != "pair" else v)
                                      for k, v in cex.items()}
    if prop.ballots:
        index = {a: i for i, a in enumerate(prop.alternatives)}
        profile: list[Any] = [tuple(index[a] for a in r) for r, c in prop.ballots for _ in range(c)] \
            if prop.ballot_kind == "strict" else []
        if prop.ballot_kind != "strict":
            from verigroup.elections.ballots import parse_ballot

            profile = [parse_ballot(r, prop.alternatives) for r, c in prop.ballots for _ in range(c)]
        from verigroup.elections.rules import make_rule

        out: Any
        if prop.rule_expr is not None:
            out = prop.rule_expr.reference_outcome(profile, len(prop.alternatives))
        elif prop.ballot_kind != "strict":
            from verigroup.elections.ballots import weak_outcome

            out = weak_outcome(prop.rule, profile, len(prop.alternatives))
        else:
            k = make_rule(prop.rule, len(prop.alternatives), prop.approve, prop.scores).approve
            out = ref.outcome(prop.rule, profile, len(prop.alternatives), k, prop.scores)
        shown: Any = prop.alternatives[out] if isinstance(out, int) else \
            {prop.alternatives[i]: f"{p.numerator}/{p.denominator}" if p.denominator != 1 else str(p.numerator)
             for i, p in enumerate(out) if p}
        evidence["ballots"] = ", ".join(f"{c}x {'>'.join(r)}" for r, c in prop.ballots)
        evidence["ballots_outcome"] = shown
    first = next((r for r in res.results if r.verdict == verdict), None)
    message = "; ".join(parts) + (f" ({first.detail})" if first is not None and verdict != Verdict.HOLDS else "")
    return PropertyResult(prop.name, "ElectionAxioms", verdict, "exhaustive", message, evidence, prop.span)
