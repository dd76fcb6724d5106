"""Text and JSON renderings of axiom audits and impossibility results."""

from __future__ import annotations

import json
from typing import Any

from verigroup.elections.axioms import AxiomAudit
from verigroup.elections.impossible import ImpossibilityResult


def dumps(doc: dict[str, Any]) -> str:
    """Deterministic JSON (sorted keys)."""
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def profile_text(profile: list[dict[str, Any]]) -> str:
    return ", ".join(f"{p['count']}x {'>'.join(p['ranking'])}" for p in profile)


def _outcome(o: Any) -> str:
    if isinstance(o, dict):
        return "lottery " + ", ".join(f"{k}: {v}" for k, v in o.items())
    if isinstance(o, list):
        return ">".join(o)
    return str(o)


def audit_text(a: AxiomAudit) -> str:
    scope = f"exactly {a.voters}" if a.exact else f"1..{a.voters}"
    groups = f"; coalitions of up to {a.coalition}" if any(r.axiom == "group-strategyproofness" for r in a.results) \
        else ""
    lines = [f"rule {a.rule.name} ({a.rule.description}); {scope} voters; alternatives "
             f"{', '.join(a.names)} (ties broken in this order){groups}"
             + ("" if a.rule.ballots == "strict" else f"; {a.rule.ballots} ballots")]
    for r in a.results:
        lines.append(f"  {r.verdict.value:<9} {r.axiom}: {r.detail}")
        c = r.counterexample
        if c and "profile" in c:
            lines.append(f"            profile ({c['voters']} voters): {profile_text(c['profile'])} "
                         f"-> {_outcome(c.get('outcome'))}")
            if "manipulator" in c:
                lines.append(f"            voter {c['manipulator']['voter']} "
                             f"({'>'.join(c['manipulator']['ranking'])}) reports {'>'.join(c['misreport'])} "
                             f"-> {_outcome(c['manipulated_outcome'])}")
            if "coalition" in c:
                lines.append(f"            coalition of {c['coalition_size']} ({profile_text(c['coalition'])}) reports "
                             f"{profile_text(c['misreport'])} -> {_outcome(c['manipulated_outcome'])}, better for "
                             "every member")
            if "renaming" in c:
                lines.append("            renaming " + ", ".join(f"{k}->{v}" for k, v in c["renaming"].items() if k != v))
            for key in ("other_profile", "renamed_profile", "new_profile", "profile_without", "swapped_profile"):
                if key in c:
                    other = {"other_profile": "other_outcome", "renamed_profile": "renamed_outcome",
                             "new_profile": "new_outcome", "profile_without": "outcome_without",
                             "swapped_profile": "swapped_outcome"}[key]
                    lines.append(f"            {key.replace('_', ' ')}: {profile_text(c[key])} -> {_outcome(c[other])}")
        elif c and "dictator" in c:
            lines.append(f"            voter {c['dictator']} is a dictator")
        if r.measure:
            mm = r.measure
            lines.append(f"            at {mm['voters']} voters: {mm['violating_profiles']} of {mm['profiles']} profiles "
                         f"violate it; probability under impartial culture {mm['impartial_culture_probability']}")
    return "\n".join(lines) + "\n"


def impossible_text(r: ImpossibilityResult) -> str:
    doc = r.to_json()
    sizes = f"every electorate of 1..{r.voters} voters" if doc["encoding"].get("electorates") else f"{r.voters} voters"
    head = (f"{doc['verdict']}: {'no' if r.satisfiable is False else 'some' if r.satisfiable else 'unknown whether a'} "
            f"{r.kind.upper()} for {sizes} and {len(r.names)} alternatives satisfies "
            f"{', '.join(r.axioms)}")
    lines = [head]
    enc = doc["encoding"]
    if "clauses" in enc:
        lines.append(f"  encoding: {enc['variables']} variables, {enc['clauses']} clauses over {enc['profiles']} "
                     f"ordered profiles ({enc['variable_blocks']} variable blocks)")
    if r.reason:
        lines.append(f"  reason: {r.reason}")
    cert = doc.get("certificate") or {}
    core = cert.get("core")
    if core:
        lines.append(f"  unsat core: {core['profiles']} profiles ({'minimal' if core['minimal'] else 'not minimised'}; "
                     f"re-checked UNSAT by {core['rechecked_unsat_by']}):")
        for p in core["shown"]:
            lines.append(f"    {profile_text(p)}")
    if cert.get("drat"):
        d = cert["drat"]
        lines.append(f"  DRAT proof: {d['lemmas']} lemmas, sha256 {d['sha256'][:16]}..., file {d['file']}"
                     + (f", {d['checked']}" if d.get("checked") else ""))
    wit = doc.get("witness")
    if wit:
        lines.append(f"  witness rule: {wit['entries']} profiles; audit: "
                     + ", ".join(f"{k} {v}" for k, v in wit["audit"].items()))
        for row in wit["shown"][:10]:
            lines.append(f"    {profile_text(row['profile'])} -> {_outcome(row['outcome'])}")
    return "\n".join(lines) + "\n"
