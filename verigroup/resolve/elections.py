"""``election NAME ["description"]:`` sections -> :class:`ElectionAxioms`
properties (issue 11).

Items: ``alternatives a, b, c`` (required; the declaration order is the
tie-breaking order unless ``tiebreak`` lists another), ``voters N`` (exactly
N voters; may be left out when ballots are given), ``rule NAME`` (a library
rule), ``approve K`` (approval), ``tiebreak x, y, z`` (a complete order of
the alternatives), ``ballot [COUNT]: x > y > z`` (a declared profile), and
``property "name": axiom, ...``.  Errors: E601 a ballot that is not a
ranking of the alternatives, E602 an alternative named twice, E603 a
tie-break order that leaves alternatives unordered, E604 too large for the
exhaustive method, E605 an unknown rule or axiom, E110 a missing or unknown
item, E102 a duplicate property name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from verigroup.elections.spec import ElectionAxioms
from verigroup.resolve.context import Ctx
from verigroup.syntax import ast as A

if TYPE_CHECKING:
    from verigroup.elections.expr_rules import ScoreRule

ITEMS = ("alternatives", "voters", "rule", "approve", "scores", "tiebreak", "ballot", "property", "coalitions",
         "score", "ballots")


def _int(ctx: Ctx, item: A.ElectionItem, what: str) -> int | None:
    if len(item.values) != 1 or not item.values[0].isdigit() or int(item.values[0]) < 1:
        ctx.error("E110", f"`{item.key}` takes one positive whole number ({what})", item.span,
                  f"for example `{item.key} 3`")
        return None
    return int(item.values[0])


def _names(ctx: Ctx, item: A.ElectionItem, known: list[str] | None) -> list[str]:
    out: list[str] = []
    for v, sp in zip(item.values, item.value_spans):
        if v in out:
            ctx.error("E602", f"alternative `{v}` named twice", sp, "each alternative appears once")
        elif known is not None and v not in known:
            import difflib

            close = difflib.get_close_matches(v, known, n=1)
            ctx.error("E601", f"`{v}` is not an alternative of this election", sp,
                      (f"did you mean `{close[0]}`? " if close else "") + "alternatives: " + ", ".join(known))
        else:
            out.append(v)
    return out


def resolve_elections(ctx: Ctx, decls: list[A.ElectionDecl], taken: set[str]) -> list[ElectionAxioms]:
    from verigroup.elections.axioms import AXIOMS
    from verigroup.elections.domain import level_size
    from verigroup.elections.errors import unknown_name
    from verigroup.elections.profiles import MAX_ALTERNATIVES, PROFILE_LIMIT
    from verigroup.elections.rules import RULES

    out: list[ElectionAxioms] = []
    seen_elections: dict[str, A.ElectionDecl] = {}
    for d in decls:
        if d.name in seen_elections:
            ctx.error("E102", f"a second election named `{d.name}`", d.name_span,
                      f"the first is on line {seen_elections[d.name].span.line}")
            continue
        seen_elections[d.name] = d
        items: dict[str, list[A.ElectionItem]] = {}
        for it in d.items:
            if it.key not in ITEMS:
                ctx.error("E110", f"unknown election item `{it.key}`", it.span, "items: " + ", ".join(ITEMS))
                continue
            items.setdefault(it.key, []).append(it)
        for key in ("alternatives", "voters", "rule", "approve", "scores", "tiebreak", "coalitions", "score", "ballots"):
            for extra in items.get(key, [])[1:]:
                ctx.error("E102", f"a second `{key}` in election `{d.name}`", extra.span)
        if "alternatives" not in items:
            ctx.error("E110", f"election `{d.name}` declares no alternatives", d.span,
                      "add `alternatives a, b, c`")
            continue
        alts = _names(ctx, items["alternatives"][0], None)
        if len(alts) < 2:
            ctx.error("E110", "an election needs at least two alternatives", items["alternatives"][0].span)
            continue
        if len(alts) > MAX_ALTERNATIVES:
            ctx.error("E604", f"{len(alts)} alternatives: {len(alts)}! rankings exceed the exhaustive method's "
                      f"limit of {MAX_ALTERNATIVES} alternatives", items["alternatives"][0].span)
            continue
        order = alts
        if "tiebreak" in items:
            tb = items["tiebreak"][0]
            listed = _names(ctx, tb, alts)
            missing = [a for a in alts if a not in listed]
            if missing:
                ctx.error("E603", "the tie-break order leaves " + ", ".join(f"`{a}`" for a in missing)
                          + " unordered: ties involving them would be unresolved", tb.span,
                          "list every alternative: `tiebreak " + ", ".join(alts) + "`")
            else:
                order = listed
        rule = None
        rule_expr = None
        if "score" in items:   # an in-spec rule `score x = EXPR` (SOCIAL3)
            rule_expr = _score_rule(ctx, items["score"][0], tuple(order))
            if "rule" in items:
                ctx.error("E110", "an election has either a library `rule` or a `score` expression, not both",
                          items["rule"][0].span, "remove one of them")
            elif rule_expr is not None:
                rule = "score"
        elif "rule" not in items:
            ctx.error("E110", f"election `{d.name}` names no rule", d.span, "add `rule borda` (" + ", ".join(RULES)
                      + ") or a score expression `score x = sum(v: m - rank(v, x))`")
        else:
            r = items["rule"][0]
            if len(r.values) != 1 or r.values[0] not in RULES:
                bad = unknown_name("rule", " ".join(r.values), RULES, r.value_spans[0] if r.value_spans else r.span)
                ctx.diags.extend(bad.diagnostics)
            else:
                rule = r.values[0]
        approve = _int(ctx, items["approve"][0], "how many top alternatives a voter approves") \
            if "approve" in items else None
        coalition = (_int(ctx, items["coalitions"][0], "the largest coalition group-strategyproofness considers")
                     or 2) if "coalitions" in items else 2
        if approve is not None and approve > len(alts):
            ctx.error("E110", f"`approve {approve}` exceeds the {len(alts)} alternatives", items["approve"][0].span)
        scores: tuple[int, ...] = ()
        if "scores" in items:
            sc = items["scores"][0]
            if not all(v.isdigit() for v in sc.values) or len(sc.values) != len(alts):
                ctx.error("E110", f"`scores` gives the points for each of the {len(alts)} places, as whole numbers",
                          sc.span, "for example `scores " + ", ".join(str(len(alts) - 1 - k) for k in range(len(alts))) + "`")
            else:
                scores = tuple(int(v) for v in sc.values)
        if rule == "scoring" and not scores:
            if "scores" not in items:
                ctx.error("E110", "the scoring rule needs `scores`", items["rule"][0].span,
                          "add `scores " + ", ".join(str(len(alts) - 1 - k) for k in range(len(alts))) + "`")
            rule = None
        kind = "strict"
        if "ballots" in items:   # weak rankings / approval ballots (SOCIAL3)
            bk = items["ballots"][0]
            from verigroup.elections.ballots import BALLOTS, WEAK_RULES

            if len(bk.values) != 1 or bk.values[0] not in BALLOTS:
                ctx.diags.extend(unknown_name("ballot kind", " ".join(bk.values), BALLOTS,
                                              bk.value_spans[0] if bk.value_spans else bk.span).diagnostics)
            else:
                kind = bk.values[0]
            if kind != "strict" and rule is not None and rule not in WEAK_RULES:
                ctx.error("E608", f"the rule `{rule}` is not defined on {kind} ballots", items["rule"][0].span,
                          "rules on weak and approval ballots: " + ", ".join(WEAK_RULES))
                rule = None
        ballots: list[tuple[tuple[str, ...], int]] = []
        for b in items.get("ballot", []):
            ranking = _names(ctx, b, alts)
            if len(ranking) != len(b.values):
                continue
            seps = b.seps or (">",) * (len(b.values) - 1)
            entry = _ballot(ctx, b, kind, alts, seps)
            if b.count is not None and b.count < 1:
                ctx.error("E110", "a ballot count is a positive whole number", b.span)
            if entry is not None:
                ballots.append((entry, b.count or 1))
        voters = _int(ctx, items["voters"][0], "the number of voters") if "voters" in items else None
        if voters is None and "voters" not in items:
            if ballots:
                voters = sum(c for _, c in ballots)
            else:
                ctx.error("E110", f"election `{d.name}` declares neither voters nor ballots", d.span,
                          "add `voters 3`")
        if voters is not None and ballots and sum(c for _, c in ballots) != voters:
            ctx.error("E110", f"the ballots count {sum(c for _, c in ballots)} voters, `voters` says {voters}",
                      items["voters"][0].span)
        if voters is not None and rule is not None:
            from verigroup.elections.ballots import ballot_space

            n_ballots = _fact(len(alts)) if kind == "strict" else ballot_space(len(alts), kind).size
            size = level_size(voters, n_ballots, rule != "dictatorship")
            if size > PROFILE_LIMIT:
                where = items["voters"][0].span if "voters" in items else d.span
                ctx.error("E604", f"{voters} voters and {len(alts)} alternatives give {size} profiles, above the "
                          f"exhaustive limit of {PROFILE_LIMIT}", where, "use fewer voters or alternatives")
                continue
        for p in items.get("property", []):
            if p.label in taken:
                ctx.error("E102", f'a second property named "{p.label}"', p.span)
                continue
            taken.add(p.label)
            axioms = []
            for v, sp in zip(p.values, p.value_spans):
                if v not in AXIOMS:
                    ctx.diags.extend(unknown_name("axiom", v, AXIOMS, sp).diagnostics)
                else:
                    axioms.append(v)
            if axioms and rule is not None and voters is not None:
                out.append(ElectionAxioms(p.label, d.name, rule, voters, tuple(order), tuple(axioms), approve,
                                          tuple(ballots), scores, coalition, rule_expr, kind, p.span))
    return out


def _ballot(ctx: Ctx, b: A.ElectionItem, kind: str, alts: list[str], seps: tuple[str, ...]) -> tuple[str, ...] | None:
    """A declared ballot as its tiers (``("a", "b=c")``), or None after an error."""
    if "," in seps:
        if set(seps) != {","} or kind != "approval":
            ctx.error("E601", "a list `a, c` is an approval ballot: it needs `ballots approval` and commas only",
                      b.span, "rankings are written `a > b > c`" + (", ties `b = c`" if kind == "weak" else ""))
            return None
        rest = [a for a in alts if a not in b.values]
        return ("=".join(b.values), "=".join(rest)) if rest else ("=".join(b.values),)
    if len(b.values) == 1 and kind == "approval":
        rest = [a for a in alts if a not in b.values]
        return (b.values[0], "=".join(rest)) if rest else (b.values[0],)
    missing = [a for a in alts if a not in b.values]
    if missing:
        ctx.error("E601", "a ballot must rank every alternative once; missing "
                  + ", ".join(f"`{a}`" for a in missing), b.span,
                  "list the approved alternatives `a, c`" if kind == "approval" else None)
        return None
    if "=" in seps and kind == "strict":
        ctx.error("E601", "a tie `=` in a ballot of strict rankings", b.span,
                  "declare `ballots weak` for rankings with ties")
        return None
    tiers: list[list[str]] = [[b.values[0]]]
    for sep, v in zip(seps, b.values[1:]):
        if sep == "=":
            tiers[-1].append(v)
        else:
            tiers.append([v])
    if kind == "approval" and len(tiers) > 2:
        ctx.error("E601", "an approval ballot has two tiers: the approved alternatives, then the rest", b.span,
                  "write the approved alternatives `a, c`")
        return None
    return tuple("=".join(t) for t in tiers)


def _score_rule(ctx: Ctx, item: A.ElectionItem, order: tuple[str, ...]) -> ScoreRule | None:
    from verigroup.diagnostics import SpecError
    from verigroup.elections.expr_rules import compile_rule

    if item.expr is None:
        ctx.error("E607", "`score` defines a rule: `score x = EXPR`", item.span,
                  "for example `score x = sum(v: m - rank(v, x))` (Borda)")
        return None
    sp = item.expr.span
    lines = ctx.source.splitlines()
    text = ""
    if 1 <= sp.line <= sp.end_line <= len(lines):
        chunk = lines[sp.line - 1:sp.end_line]
        chunk[-1] = chunk[-1][:sp.end_column - 1]
        chunk[0] = chunk[0][sp.column - 1:]
        text = " ".join(" ".join(chunk).split())
    try:
        return compile_rule(item.values[0], item.expr, order, text, item.span)
    except SpecError as exc:
        ctx.diags.extend(exc.diagnostics)
        return None


def _fact(m: int) -> int:
    out = 1
    for k in range(2, m + 1):
        out *= k
    return out
