"""Replay of ``verigroup.axioms/1`` and ``verigroup.impossible/1`` documents
(issue 11).

Axiom audits: every counterexample is re-checked from its JSON alone with
the scalar reference rules (:mod:`verigroup.elections.reference`, no shared
code with the vectorised checker): the rule's outcome on each profile named
is recomputed and the claimed failure re-derived (the manipulator gains, the
dominated alternative wins, ...).  Verdicts are then re-derived by a fresh
audit when it is small.  Impossibility results: the witness table is
re-audited, the DRAT proof (if a file was written) re-checked with dratify,
the unsat core re-solved by a second solver, and the answer recomputed.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

from verigroup.elections import reference as ref
from verigroup.replay.result import Finding, Mismatch, ReplayResult, Skip

#: Fresh audits are re-run when every level has at most this many profiles.
FRESH_LIMIT = 60_000


def replay_elections_file(path: str | Path) -> ReplayResult | None:
    """The replay of an elections document, or ``None`` for any other file
    (left to the check-report replay and its errors)."""
    import json

    from verigroup.replay.loading import read_report

    try:
        doc = json.loads(read_report(path))
    except ValueError:
        return None
    if not isinstance(doc, dict) or not is_elections_schema(doc.get("schema")):
        return None
    try:
        findings = replay_elections(doc, str(path))
    except (KeyError, TypeError, ValueError) as exc:
        findings = [Finding(str(path), None, "mismatch", "read the document", f"malformed document: {exc!r}")]
    return ReplayResult(str(path), tuple(findings))


def is_elections_schema(schema: Any) -> bool:
    return isinstance(schema, str) and schema.split("/")[0] in ("verigroup.axioms", "verigroup.impossible")


def replay_elections(doc: dict[str, Any], path: str) -> list[Finding]:
    if str(doc.get("schema", "")).startswith("verigroup.axioms"):
        return _replay_axioms(doc, path)
    return _replay_impossible(doc, path)


class _Ctx:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.names: list[str] = [str(x) for x in doc["alternatives"]]
        self.m = len(self.names)
        self.rule = str(doc.get("rule", ""))
        self.approve = int(doc.get("approve") or 1)
        self.scores = tuple(int(x) for x in (doc.get("scores") or ()))
        self.index = {x: i for i, x in enumerate(self.names)}
        self.ballots = str(doc.get("ballots") or "strict")   # weak / approval ballots (SOCIAL3)

    def ranking(self, names: Any) -> tuple[int, ...]:
        if self.ballots != "strict":
            from verigroup.elections.ballots import WeakBallot, parse_ballot

            if not isinstance(names, list):
                raise Mismatch(f"{names!r} is not a ballot")
            try:
                return WeakBallot(parse_ballot([str(x) for x in names], self.names))
            except (KeyError, ValueError) as exc:
                raise Mismatch(f"{names!r} is not a weak ranking of {self.names}") from exc
        if not isinstance(names, list) or sorted(map(str, names)) != sorted(self.names):
            raise Mismatch(f"{names!r} is not a ranking of {self.names}")
        return tuple(self.index[str(x)] for x in names)

    def profile(self, entries: Any) -> list[tuple[int, ...]]:
        out: list[tuple[int, ...]] = []
        for e in entries:
            out.extend([self.ranking(e["ranking"])] * int(e["count"]))
        return out

    def outcome(self, prof: list[tuple[int, ...]]) -> int | tuple[Fraction, ...]:
        if self.ballots != "strict":
            from verigroup.elections.ballots import weak_outcome

            return weak_outcome(self.rule, prof, self.m)  # type: ignore[arg-type]
        return ref.outcome(self.rule, prof, self.m, self.approve, self.scores)

    def rename(self, r: tuple[int, ...], sigma: dict[int, int]) -> tuple[int, ...]:
        if self.ballots != "strict":
            return r.rename(sigma)  # type: ignore[attr-defined, no-any-return]
        return tuple(sigma[a] for a in r)

    def claimed(self, value: Any) -> int | tuple[Fraction, ...]:
        if isinstance(value, dict):
            return tuple(Fraction(str(value.get(x, "0"))) for x in self.names)
        return self.index[str(value)]

    def same_outcome(self, prof: list[tuple[int, ...]], value: Any, what: str) -> int | tuple[Fraction, ...]:
        got = self.outcome(prof)
        if got != self.claimed(value):
            raise Mismatch(f"{what}: the rule gives {self.show(got)}, the report says {value!r}")
        return got

    def show(self, o: int | tuple[Fraction, ...]) -> str:
        return self.names[o] if isinstance(o, int) else "{" + ", ".join(f"{self.names[i]}: {p}" for i, p in enumerate(o)) + "}"


def _same_electorate(a: list[tuple[int, ...]], b: list[tuple[int, ...]], anonymous: bool) -> bool:
    return Counter(a) == Counter(b) if anonymous else a == b


def _check_cex(c: _Ctx, axiom: str, cex: dict[str, Any], anonymous: bool) -> str:
    prof = c.profile(cex["profile"])
    if len(prof) != int(cex["voters"]):
        raise Mismatch(f"the profile has {len(prof)} voters, the report says {cex['voters']}")
    out = c.same_outcome(prof, cex["outcome"], "outcome") if "outcome" in cex else None
    prob = (lambda o, x: o[x] if isinstance(o, tuple) else Fraction(int(o == x)))
    if axiom == "pareto":
        y, x = c.index[cex["dominated"]], c.index[cex["dominated_by"]]
        if not all(r.index(x) < r.index(y) for r in prof):
            raise Mismatch(f"not every voter ranks {cex['dominated_by']} above {cex['dominated']}")
        if prob(out, y) == 0:
            raise Mismatch(f"{cex['dominated']} is not chosen")
        return f"every voter prefers {cex['dominated_by']} to the chosen {cex['dominated']}"
    if axiom == "strong-pareto":
        y, x = c.index[cex["dominated"]], c.index[cex["dominated_by"]]
        if any(r.index(y) < r.index(x) for r in prof) or not any(r.index(x) < r.index(y) for r in prof):
            raise Mismatch(f"{cex['dominated_by']} is not at least as good as {cex['dominated']} for every voter "
                           "and strictly better for one")
        if prob(out, y) == 0:
            raise Mismatch(f"{cex['dominated']} is not chosen")
        return (f"no voter prefers the chosen {cex['dominated']} to {cex['dominated_by']}, "
                "and some voter prefers the latter")
    if axiom in ("condorcet-winner", "condorcet-loser"):
        key = "condorcet_winner" if axiom == "condorcet-winner" else "condorcet_loser"
        x = c.index[cex[key]]
        sign = 1 if axiom == "condorcet-winner" else -1
        for y in range(c.m):
            if y != x and sign * (ref.support(prof, x, y) - ref.support(prof, y, x)) <= 0:
                raise Mismatch(f"{cex[key]} is not the {key.replace('_', ' ')} (against {c.names[y]})")
        if (axiom == "condorcet-winner" and prob(out, x) == 1) or (axiom == "condorcet-loser" and prob(out, x) == 0):
            raise Mismatch("the outcome respects the axiom")
        return f"{cex[key]} is the {key.replace('_', ' ')} and the outcome is {c.show(out)}"  # type: ignore[arg-type]
    if axiom in ("strategyproofness", "monotonicity", "participation"):
        who = cex["manipulator"] if axiom == "strategyproofness" else cex["abstainer"] if axiom == "participation" \
            else {"voter": cex["voter"], "ranking": cex["ranking"]}
        v = int(who["voter"]) - 1
        true = c.ranking(who["ranking"])
        if not 0 <= v < len(prof) or prof[v] != true:
            raise Mismatch(f"voter {v + 1} does not report {who['ranking']}")
        if axiom == "participation":
            without = prof[:v] + prof[v + 1:]
            if not _same_electorate(c.profile(cex["profile_without"]), without, anonymous):
                raise Mismatch("profile_without is not the profile without the voter")
            alt = c.same_outcome(without, cex["outcome_without"], "outcome without the voter")
            if not ref.gains(true, alt, out):  # type: ignore[arg-type]
                raise Mismatch("abstaining does not help the voter")
            return f"voter {v + 1} gets {c.show(alt)} by abstaining instead of {c.show(out)}"  # type: ignore[arg-type]
        new = c.ranking(cex["misreport"] if axiom == "strategyproofness" else cex["new_ranking"])
        changed = prof[:v] + [new] + prof[v + 1:]
        key = "manipulated_profile" if axiom == "strategyproofness" else "new_profile"
        if key in cex and not _same_electorate(c.profile(cex[key]), changed, anonymous):
            raise Mismatch(f"{key} is not the profile with voter {v + 1}'s ranking changed")
        alt = c.same_outcome(changed, cex["manipulated_outcome" if axiom == "strategyproofness" else "new_outcome"],
                             "changed outcome")
        if axiom == "strategyproofness":
            if not ref.gains(true, alt, out):  # type: ignore[arg-type]
                raise Mismatch("the misreport does not help the manipulator")
            return f"voter {v + 1} gets {c.show(alt)} instead of {c.show(out)} by misreporting"  # type: ignore[arg-type]
        x = c.index[cex["raised"]]
        rest_old, rest_new = [a for a in true if a != x], [a for a in new if a != x]
        if rest_old != rest_new or new.index(x) >= true.index(x):
            raise Mismatch("the new ranking is not a lift of the raised alternative")
        if prob(alt, x) >= prob(out, x) or prob(out, x) == 0:
            raise Mismatch("the raised alternative does not lose")
        return f"raising {cex['raised']} turns {c.show(out)} into {c.show(alt)}"  # type: ignore[arg-type]
    if axiom == "iia":
        other = c.profile(cex["other_profile"])
        x, y = (c.index[cex["pair"][0]], c.index[cex["pair"][1]])
        c.same_outcome(other, cex["other_outcome"], "other outcome")
        if anonymous:
            same = ref.support(prof, x, y) == ref.support(other, x, y) and len(prof) == len(other)
        else:
            same = [r.index(x) < r.index(y) for r in prof] == [r.index(x) < r.index(y) for r in other]
        if not same or out != x or c.outcome(other) != y:
            raise Mismatch("the two profiles do not agree on the pair or the winners differ from the claim")
        return f"{cex['pair'][0]} vs {cex['pair'][1]} is ranked alike, yet the winners are {cex['outcome']} / {cex['other_outcome']}"
    if axiom == "reinforcement":
        p1, p2 = c.profile(cex["part1"]), c.profile(cex["part2"])
        if Counter(p1) + Counter(p2) != Counter(prof):
            raise Mismatch("the two parts do not make up the profile")
        o1 = c.same_outcome(p1, cex["parts_outcome"], "part 1")
        c.same_outcome(p2, cex["parts_outcome"], "part 2")
        if o1 == out:
            raise Mismatch("the union has the same winner")
        return f"{cex['parts_outcome']} wins both parts but {c.show(out)} wins the union"  # type: ignore[arg-type]
    if axiom == "neutrality":
        sigma = {c.index[k]: c.index[v] for k, v in cex["renaming"].items()}
        renamed = [c.rename(r, sigma) for r in prof]
        if not _same_electorate(c.profile(cex["renamed_profile"]), renamed, anonymous):
            raise Mismatch("renamed_profile is not the renamed profile")
        alt = c.same_outcome(renamed, cex["renamed_outcome"], "renamed outcome")
        want = sigma[out] if isinstance(out, int) else tuple(out[[k for k in sigma if sigma[k] == i][0]] for i in range(c.m))  # type: ignore[index]
        if alt == want:
            raise Mismatch("the outcome is renamed consistently")
        return f"renaming maps the outcome {c.show(out)} to {c.show(want)}, but the rule gives {c.show(alt)}"  # type: ignore[arg-type]
    if axiom == "anonymity":
        i, j = (int(v) - 1 for v in cex["swapped_voters"])
        sw = list(prof)
        sw[i], sw[j] = sw[j], sw[i]
        if c.profile(cex["swapped_profile"]) != sw:
            raise Mismatch("swapped_profile is not the profile with the two voters swapped")
        alt = c.same_outcome(sw, cex["swapped_outcome"], "swapped outcome")
        if alt == out:
            raise Mismatch("swapping does not change the outcome")
        return f"swapping voters {i + 1} and {j + 1} changes {c.show(out)} to {c.show(alt)}"  # type: ignore[arg-type]
    if axiom == "group-strategyproofness":   # issue 11 (SOCIAL3): a coalition misreporting jointly
        coal, mis = c.profile(cex["coalition"]), c.profile(cex["misreport"])
        if len(coal) != int(cex["coalition_size"]) or len(mis) != len(coal):
            raise Mismatch("the coalition and its misreport differ in size from coalition_size")
        if Counter(coal) - Counter(prof) or not anonymous:
            raise Mismatch("the coalition is not part of the profile")
        changed = list((Counter(prof) - Counter(coal) + Counter(mis)).elements())
        if Counter(c.profile(cex["manipulated_profile"])) != Counter(changed):
            raise Mismatch("manipulated_profile is not the profile with the coalition's rankings replaced")
        alt = c.same_outcome(changed, cex["manipulated_outcome"], "manipulated outcome")
        losers = [r for r in coal if not ref.gains(r, alt, out)]  # type: ignore[arg-type]
        if losers:
            raise Mismatch(f"the joint misreport does not help a member ranking {[c.names[a] for a in losers[0]]}")
        return (f"a coalition of {len(coal)} gets {c.show(alt)} instead of {c.show(out)} "  # type: ignore[arg-type]
                "by misreporting jointly")
    raise Skip(f"no re-check for {axiom}")


def _replay_axioms(doc: dict[str, Any], path: str) -> list[Finding]:
    from verigroup.elections.axioms import audit
    from verigroup.elections.domain import level_size
    from verigroup.elections.profiles import PROFILE_LIMIT
    from verigroup.elections.rules import RULES

    out: list[Finding] = []
    c = _Ctx(doc)
    if c.rule not in RULES:
        return [Finding(path, None, "mismatch", "rule", f"unknown rule {c.rule!r}")]
    anonymous = bool(doc.get("anonymous_profiles", c.rule != "dictatorship"))
    for axiom, res in sorted(doc.get("axioms", {}).items()):
        cex = res.get("counterexample")
        if res.get("verdict") == "VIOLATED" and cex and "profile" in cex:
            try:
                out.append(Finding(path, axiom, "ok", "counterexample re-checked", _check_cex(c, axiom, cex, anonymous)))
            except Mismatch as exc:
                out.append(Finding(path, axiom, "mismatch", "counterexample re-checked", str(exc)))
            except Skip as exc:
                out.append(Finding(path, axiom, "skipped", "counterexample re-checked", str(exc)))
            except (KeyError, TypeError, ValueError, IndexError) as exc:
                out.append(Finding(path, axiom, "mismatch", "counterexample re-checked", f"malformed: {exc!r}"))
    n = int(doc["voters"])
    r = 1
    for k in range(2, c.m + 1):
        r *= k
    if c.ballots != "strict":
        from verigroup.elections.ballots import ballot_space

        r = ballot_space(c.m, c.ballots).size
    if level_size(n, r, anonymous) > min(FRESH_LIMIT, PROFILE_LIMIT):
        out.append(Finding(path, None, "skipped", "fresh audit", f"{n} voters, {c.m} alternatives: too large to redo here"))
        return out
    fresh = audit(c.rule, n, c.m, tuple(doc.get("axioms", {})), exact=bool(doc.get("exact_voters")),
                  approve=doc.get("approve"), names=tuple(c.names), scores=c.scores,
                  coalition=int(doc.get("coalition_size") or 2), ballots=c.ballots).to_json()
    for axiom, res in sorted(doc.get("axioms", {}).items()):
        mine = fresh["axioms"].get(axiom, {})
        same = mine.get("verdict") == res.get("verdict") and mine.get("counterexample") == res.get("counterexample")
        out.append(Finding(path, axiom, "ok" if same else "mismatch", "fresh audit agrees",
                           "" if same else f"fresh verdict {mine.get('verdict')}, report {res.get('verdict')}"))
    return out


def _replay_impossible(doc: dict[str, Any], path: str) -> list[Finding]:
    from verigroup.elections.encode import encode
    from verigroup.elections.impossible import impossible
    from verigroup.elections.profiles import ranking_space
    from verigroup.elections.witness import audit_table

    out: list[Finding] = []
    axioms = tuple(doc["axioms"])
    n, m, kind = int(doc["voters"]), len(doc["alternatives"]), str(doc["kind"])
    wit = doc.get("witness")
    if wit and wit.get("table") is not None and (doc.get("encoding") or {}).get("electorates"):
        # a rule over every electorate of 1..n voters (participation / reinforcement, SOCIAL3):
        # its table re-audited by the exhaustive audit
        import numpy as np

        from verigroup.elections.axioms import audit as audit_rule
        from verigroup.elections.electorates import _Table, encode_levels
        from verigroup.elections.rules import Rule

        lev = encode_levels(("anonymity",) if "anonymity" in axioms else (), n, ranking_space(m))
        table = np.asarray(wit["table"], dtype=np.int64)
        if table.shape != (lev.n_profiles,):
            out.append(Finding(path, None, "mismatch", "witness table re-audited",
                               f"{table.shape[0]} entries, expected {lev.n_profiles}"))
        else:
            rule = Rule("sat-witness", anonymous=lev.anonymous, expression=_Table(lev, table))
            got = {r.axiom: r.verdict.value for r in audit_rule("plurality", n, m, axioms, rule=rule).results}
            ok = got == wit.get("audit") and all(v == "HOLDS" for v in got.values())
            out.append(Finding(path, None, "ok" if ok else "mismatch", "witness table re-audited", str(got)))
    elif wit and "table" in wit:
        import numpy as np

        enc = encode(kind, (), n, ranking_space(m))
        audit = audit_table(kind, np.asarray(wit["table"]), enc.seqs, enc.space, axioms)
        ok = audit == wit.get("audit") and all(v == "HOLDS" for v in audit.values())
        out.append(Finding(path, None, "ok" if ok else "mismatch", "witness table re-audited", str(audit)))
    drat = (doc.get("certificate") or {}).get("drat") or {}
    if drat.get("file"):
        proof, cnf = Path(drat["file"]), Path(drat.get("cnf_file") or "")
        if proof.exists() and cnf.exists():
            from verigroup.elections.impossible import _check_drat

            verdict = _check_drat(cnf, proof)
            out.append(Finding(path, None, "skipped" if verdict is None else
                               "ok" if verdict.startswith("verified") else "mismatch",
                               "DRAT proof re-checked", verdict or "dratify is not installed"))
        else:
            out.append(Finding(path, None, "skipped", "DRAT proof re-checked", "proof or CNF file not found"))
    fresh = impossible(axioms, n, m, kind, core=False)
    same = fresh.satisfiable == doc.get("satisfiable")
    out.append(Finding(path, None, "ok" if same else "mismatch", "fresh SAT answer agrees",
                       f"satisfiable = {fresh.satisfiable}"))
    return out
