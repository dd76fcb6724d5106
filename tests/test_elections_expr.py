"""In-spec rules (`score x = EXPR`, issue 11 / SOCIAL3) and group
strategyproofness.

* expression rules written as the library rules' definitions agree with the
  library rules on every anonymous profile (n <= 5, m <= 4);
* the vectorised evaluator agrees with the plain-Fraction reference one on
  every profile of generated expressions (ties, fractions, if/else, nested
  aggregates), including a forced Python-int (overflow-safe) pass;
* bad expressions are positioned E607 errors;
* group strategyproofness agrees with a brute force over ordered profiles,
  coalitions and joint misreports, and its counterexample replays.
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

import verigroup
from verigroup.diagnostics import SpecError
from verigroup.elections import audit
from verigroup.elections import reference as ref
from verigroup.elections.coalitions import _coalition
from verigroup.elections.domain import Domain
from verigroup.elections.expr_rules import ScoreRule, _Vec, compile_rule
from verigroup.elections.profiles import anonymous_profiles, ranking_space
from verigroup.elections.rules import make_rule
from verigroup.syntax.parser import parse_spec


def rule_of(text: str, m: int) -> ScoreRule:
    alts = [chr(ord("a") + i) for i in range(m)]
    src = f"election e:\n    alternatives {', '.join(alts)}\n    voters 3\n    score x = {text}\n"
    item = next(i for i in parse_spec(src, "e.vg").statements[0].items if i.key == "score")  # type: ignore[union-attr]
    assert item.expr is not None
    return compile_rule("x", item.expr, alts, text)


def borda_points(m: int) -> str:
    return ", ".join(str(m - 1 - k) for k in range(m))


LIBRARY = [
    ("sum(v: m - rank(v, x))", "borda"),
    ("positional(x, {points})", "borda"),
    ("count(v: rank(v, x) == 1)", "plurality"),
    ("sum(y: sign(margin(x, y)))", "copeland"),
    ("min(y: support(x, y))", "maximin"),
    ("count(v: rank(v, x) <= 1)", "approval-1"),
]


@pytest.mark.parametrize("m", [2, 3, 4])
@pytest.mark.parametrize("text,lib", LIBRARY)
def test_expressions_equal_library_rules(text: str, lib: str, m: int) -> None:
    rule = rule_of(text.format(points=borda_points(m)), m)
    name, _, k = lib.partition("-")
    library = make_rule(name, m, int(k) if k else None)
    sp = ranking_space(m)
    for n in range(1, 6 if m < 4 else 5):
        prof = anonymous_profiles(n, sp.size)
        mine = rule.outcomes(prof.counts, sp)
        theirs = library.outcomes(prof.counts, prof.seqs, sp)
        assert np.array_equal(mine, theirs), (text, m, n)


GENERATED = [
    "sum(v: (m - rank(v, x)) / 2) + count(v: prefers(v, x, a)) / 3",
    "max(y: margin(x, y)) - min(y: margin(x, y))",
    "sum(y: support(x, y) ^ 2) - n * (1 if x == b else 0)",
    "min(v: rank(v, x)) * 10 - max(v: rank(v, x))",
    "count(y: margin(x, y) > 0 and count(z: margin(y, z) >= 0) >= 1)",
    "abs(margin(x, a) - margin(x, c)) + max(support(x, a), 1/2)",
    "-sum(v: rank(v, x) if prefers(v, x, b) or x == b else 2 * rank(v, x))",
    "positional(x, 5/2, 1, -1)",
    "count(v: not prefers(v, x, c))",
]


@pytest.mark.parametrize("text", GENERATED)
def test_vectorised_matches_reference(text: str) -> None:
    m = 3
    rule = rule_of(text, m)
    sp = ranking_space(m)
    for n in range(1, 5):
        prof = anonymous_profiles(n, sp.size)
        num, den = rule.scores(prof.counts, sp)
        big_num, big_den = _scores_big(rule, prof.counts, sp)
        out = rule.outcomes(prof.counts, sp)
        for i in range(prof.size):
            profile = [tuple(int(z) for z in sp.perms[q]) for q in prof.seqs[i]]
            want = rule.reference_scores(profile, m)
            assert [Fraction(int(v), den) for v in num[i]] == want, (text, profile)
            assert [Fraction(int(v), big_den) for v in big_num[i]] == want, (text, profile)
            assert int(out[i]) == want.index(max(want))


def _scores_big(rule: ScoreRule, counts: Any, sp: Any) -> tuple[Any, int]:
    """The Python-integer pass (the one taken when int64 could overflow)."""
    import math

    ev = _Vec(counts, sp, True)
    cols = [ev.num(rule.tree, {rule.var: x}) for x in range(sp.m)]
    den = math.lcm(*[d for _, d in cols])
    return np.concatenate([np.broadcast_to(v * (den // d), (counts.shape[0], 1)) for v, d in cols], axis=1), den


@pytest.mark.parametrize("text", [
    "sum(v: (1000000 * (m - rank(v, x))) ^ 3) - count(v: rank(v, x) == 1)",
    "99999999999999999999999 * count(v: rank(v, x) == 1) - 3",
    "count(v: rank(v, x) == 1) / 99999999999999999999999 + sum(v: rank(v, x)) / 7",
    "(sum(v: rank(v, x)) * 1000000000) ^ 8 - support(x, a) ^ 8",
    "positional(x, 10000000000000000000000, 1, 0)",
    "sum(y: margin(x, y) * 4000000000000000000)",
])
def test_huge_values_stay_exact(text: str) -> None:
    """Values beyond int64 switch the evaluation to Python integers (never a
    silent wrap-around): winners equal the Fraction reference."""
    rule = rule_of(text, 3)
    sp = ranking_space(3)
    with pytest.raises(Exception) as exc:     # the int64 pass refuses ...
        _Vec(anonymous_profiles(4, sp.size).counts, sp, False).num(rule.tree, {"x": 0})
    assert type(exc.value).__name__ == "_Overflow"
    for n in (1, 3, 4):                       # ... and the Python-int pass is exact
        prof = anonymous_profiles(n, sp.size)
        out = rule.outcomes(prof.counts, sp)
        for i in range(prof.size):
            profile = [tuple(int(z) for z in sp.perms[q]) for q in prof.seqs[i]]
            assert int(out[i]) == rule.reference_outcome(profile, 3), (text, profile)


def test_costly_expression_is_unknown_not_a_hang() -> None:
    text = ("election big:\n    alternatives a, b, c, d, e\n    voters 2\n"
            "    score x = sum(y: sum(z: sum(w: sum(u: count(v: prefers(v, x, y) and prefers(v, z, w) "
            "and prefers(v, u, x))))))\n    property \"p\": pareto\n")
    import verigroup.elections.expr_rules as er

    old = er.WORK_LIMIT
    er.WORK_LIMIT = 10_000_000        # the same refusal as at 3e9, reached at a small size
    try:
        (res,) = verigroup.parse(text, "big.vg").check(timeout=60).results
    finally:
        er.WORK_LIMIT = old
    assert res.verdict.value == "UNKNOWN" and "element operations" in res.message


SPEC = """election e "borda written out":
    alternatives a, b, c
    voters 3
    score x = sum(v: m - rank(v, x))
    tiebreak c, b, a
    ballot 2: a > b > c
    ballot: b > c > a
    property "p": condorcet-loser, strategyproofness
"""


def test_spec_rule_matches_library_verdicts() -> None:
    rep = verigroup.parse(SPEC, "e.vg").check(timeout=60)
    (res,) = rep.results
    lib = audit("borda", 3, 3, ("condorcet-loser", "strategyproofness"), exact=True, names=("c", "b", "a"))
    assert res.evidence["verdicts"] == {r.axiom: r.verdict.value for r in lib.results}
    assert res.evidence["rule"] == "score x = sum(v: m - rank(v, x))"
    assert res.evidence["ballots_outcome"] == "b"     # a 4, b 4, c 1: the tie goes to b (tiebreak c, b, a)
    cex = lib.results[1].counterexample
    assert cex is not None
    from verigroup.elections.render import profile_text

    assert res.evidence["counterexample"]["profile"] == profile_text(cex["profile"])


@pytest.mark.parametrize("expr,fragment", [
    ("sum(v: rank(v, q))", "unknown name `q`"),
    ("rank(x, x)", "first argument of `rank`"),
    ("borda(x)", "rule borda"),
    ("ranks(v, x)", "did you mean `rank`"),
    ("sum(v: rank(v, x)) / n", "nonzero constant"),
    ("sum(v: rank(v, x) * sum(w: rank(w, x)))", "inside another aggregate over voters"),
    ("x", "must be a number"),
    ("positional(x, 1, 0)", "3 points"),
    ("sum(v: rank(v, x)) < x", "compared only"),
    ("sum(i in 1..3: i)", "not over a number range"),
])
def test_bad_expressions_are_positioned(expr: str, fragment: str) -> None:
    text = SPEC.replace("sum(v: m - rank(v, x))", expr)
    with pytest.raises(SpecError) as exc:
        verigroup.parse(text, "e.vg")
    d = exc.value.diagnostics[0]
    assert d.code == "E607" and fragment in d.message + (d.hint or ""), (d.message, d.hint)
    assert d.span.line == 4 and d.span.column >= 15


def test_rule_and_score_together_is_an_error() -> None:
    with pytest.raises(SpecError) as exc:
        verigroup.parse(SPEC.replace("    voters 3\n", "    voters 3\n    rule borda\n"), "e.vg")
    assert exc.value.diagnostics[0].code == "E110"


def test_bad_expression_cli_exit_2(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "bad.vg"
    p.write_text(SPEC.replace("m - rank(v, x)", "m - rank(v, y)"))
    res = cli("check", str(p))
    assert res.code == 2 and "E607" in res.err and "Traceback" not in res.err and f"{p}:4:" in res.err


# ---------------------------------------------------------------- group strategyproofness
def brute_group(rule: str, n: int, m: int, j: int) -> set[tuple[tuple[int, ...], ...]]:
    """Sorted truthful profiles of ``n`` voters where some coalition of exactly
    ``j`` voters gains (every member strictly) by a joint misreport."""
    k = make_rule(rule, m).approve
    f = lambda p: ref.outcome(rule, p, m, k)  # noqa: E731
    rankings = list(itertools.permutations(range(m)))
    bad = set()
    for p in itertools.combinations_with_replacement(rankings, n):
        o = f(p)
        for who in itertools.combinations(range(n), j):
            if any(all(ref.gains(p[i], f(tuple(dict(zip(who, lie)).get(v, p[v]) for v in range(n))), o)
                       for i in who) for lie in itertools.product(rankings, repeat=j)):
                bad.add(p)
                break
    return bad


@pytest.mark.parametrize("rule,n,m", [("plurality", 3, 3), ("borda", 3, 3), ("copeland", 4, 3), ("irv", 3, 3),
                                      ("maximin", 2, 3)])
def test_coalitions_of_two_match_brute_force(rule: str, n: int, m: int) -> None:
    sp = ranking_space(m)
    dom = Domain(make_rule(rule, m), sp)
    cex = _coalition(dom, n, 2)
    bad = brute_group(rule, n, m, 2)
    if not bad:
        assert cex is None
        return
    assert cex is not None

    def key(p: tuple[tuple[int, ...], ...]) -> list[int]:
        return sorted(sp.index(r) for r in p)

    first = min(bad, key=key)
    got = tuple(r for e in cex["profile"] for r in [tuple(sp.names.index(x) for x in e["ranking"])] * e["count"])
    assert key(got) == key(first), (rule, got, first)


def test_group_strategyproofness_smaller_coalitions_first_and_limits() -> None:
    res = audit("borda", 3, 3, ("group-strategyproofness", "strategyproofness"), coalition=3).results
    g, s = res[0], res[1]
    assert g.verdict.value == s.verdict.value == "VIOLATED"
    assert g.counterexample is not None and s.counterexample is not None
    assert g.counterexample["coalition_size"] == 1 and g.counterexample["voters"] == s.counterexample["voters"]
    # a lottery rule is outside the exhaustive route: UNKNOWN, never HOLDS
    lot = audit("random-dictatorship", 2, 3, ("group-strategyproofness",)).results[0]
    assert lot.verdict.value == "UNKNOWN" and "resolute" in lot.detail


def test_group_strategyproofness_holds_for_majority_of_two() -> None:
    # two alternatives: majority (ties to a) is group strategyproof; brute force agrees
    res = audit("plurality", 4, 2, ("group-strategyproofness",), coalition=3).results[0]
    assert res.verdict.value == "HOLDS" and "coalition of up to 3" in res.detail
    assert all(not brute_group("plurality", n, 2, j) for n in range(1, 5) for j in range(1, min(3, n) + 1))


GROUP_SPEC = """election e "two judges can agree on a lie":
    alternatives a, b, c
    voters 3
    score x = count(v: rank(v, x) == 1) * 2 + (1 if count(v: prefers(v, b, a)) == 2 else 0)
    coalitions 2
    property "p": group-strategyproofness
"""


def test_group_counterexample_replays(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    res = cli("axioms", "--rule", "copeland", "--voters", "3", "--alternatives", "3",
              "--axiom", "group-strategyproofness", "--coalition-size", "2", "--format", "json")
    assert res.code == 1
    doc = json.loads(res.out)
    assert doc["coalition_size"] == 2
    p = tmp_path / "g.json"
    p.write_text(res.out)
    rep = cli("replay", str(p))
    assert rep.code == 0 and "mismatch" not in rep.out.lower().replace("0 mismatched", ""), rep.out
    # tampering: the misreport no longer helps the coalition
    cex = doc["axioms"]["group-strategyproofness"]["counterexample"]
    cex["misreport"] = cex["coalition"]
    cex["manipulated_profile"] = cex["profile"]
    cex["manipulated_outcome"] = cex["outcome"]
    p.write_text(json.dumps(doc))
    assert cli("replay", str(p)).code != 0


def test_group_in_spec() -> None:
    rep = verigroup.parse(GROUP_SPEC, "g.vg").check(timeout=60)
    (res,) = rep.results
    assert res.verdict.value == "VIOLATED"
    assert res.evidence["verdicts"] == {"group-strategyproofness": "VIOLATED"}
