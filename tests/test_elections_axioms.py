"""The exhaustive axiom audit against an independent brute force: the
reference rules (plain Python) evaluated on every *ordered* profile, each
axiom checked straight from its definition, for small n and m.  Verdicts
and the number of voters of the smallest counterexample must agree, and
every counterexample the audit prints must hold up under the reference
rules."""

from __future__ import annotations

import itertools
from collections import Counter
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from verigroup.elections import AXIOMS, audit
from verigroup.elections import reference as ref
from verigroup.elections.profiles import anonymous_profiles, ranking_space
from verigroup.elections.rules import RULES, make_rule

Prof = tuple[tuple[int, ...], ...]


def _profiles(n: int, m: int) -> list[Prof]:
    rankings = list(itertools.permutations(range(m)))
    return [tuple(p) for p in itertools.product(rankings, repeat=n)]


def _prob(o: Any, x: int) -> Fraction:
    return o[x] if isinstance(o, tuple) else Fraction(int(o == x))


def brute(rule: str, axiom: str, n: int, m: int) -> bool:
    """Does ``axiom`` hold at exactly ``n`` voters?  (ordered profiles)"""
    k = make_rule(rule, m).approve
    f = lambda p: ref.outcome(rule, p, m, k)  # noqa: E731
    rankings = list(itertools.permutations(range(m)))
    profs = _profiles(n, m)
    if axiom == "pareto":
        return all(_prob(f(p), y) == 0 for p in profs for x in range(m) for y in range(m)
                   if x != y and all(r.index(x) < r.index(y) for r in p))
    if axiom == "strong-pareto":   # at least as good for all, better for one (strict rankings: better for all)
        return all(_prob(f(p), y) == 0 for p in profs for x in range(m) for y in range(m)
                   if x != y and all(r.index(x) <= r.index(y) for r in p) and any(r.index(x) < r.index(y) for r in p))
    if axiom in ("condorcet-winner", "condorcet-loser"):
        for p in profs:
            for x in range(m):
                d = [ref.support(p, x, y) - ref.support(p, y, x) for y in range(m) if y != x]
                if axiom == "condorcet-winner" and all(v > 0 for v in d) and _prob(f(p), x) != 1:
                    return False
                if axiom == "condorcet-loser" and all(v < 0 for v in d) and _prob(f(p), x) != 0:
                    return False
        return True
    if axiom == "strategyproofness":
        return not any(ref.gains(p[i], f(p[:i] + (r,) + p[i + 1:]), f(p))
                       for p in profs for i in range(n) for r in rankings)
    if axiom == "group-strategyproofness":   # coalitions of up to 2 (the audit's default), all members gain
        for p in profs:
            o = f(p)
            for size in range(1, min(2, n) + 1):
                for who in itertools.combinations(range(n), size):
                    for lie in itertools.product(rankings, repeat=size):
                        q = list(p)
                        for i, r in zip(who, lie):
                            q[i] = r
                        new = f(tuple(q))
                        if all(ref.gains(p[i], new, o) for i in who):
                            return False
        return True
    if axiom == "participation":
        return n < 2 or not any(ref.gains(p[i], f(p[:i] + p[i + 1:]), f(p)) for p in profs for i in range(n))
    if axiom == "monotonicity":
        for p in profs:
            o = f(p)
            for i in range(n):
                for x in range(m):
                    if _prob(o, x) == 0:
                        continue
                    rest = [a for a in p[i] if a != x]
                    for pos in range(p[i].index(x)):
                        new = tuple(rest[:pos] + [x] + rest[pos:])
                        if _prob(f(p[:i] + (new,) + p[i + 1:]), x) < _prob(o, x):
                            return False
        return True
    if axiom == "anonymity":
        return all(f(p) == f(tuple(p[j] for j in perm)) for p in profs for perm in itertools.permutations(range(n)))
    if axiom == "neutrality":
        for p in profs:
            o = f(p)
            for s in itertools.permutations(range(m)):
                q = tuple(tuple(s[a] for a in r) for r in p)
                want = s[o] if isinstance(o, int) else tuple(o[s.index(i)] for i in range(m))
                if f(q) != want:
                    return False
        return True
    if axiom == "iia":
        outs = {p: f(p) for p in profs}
        for x, y in itertools.permutations(range(m), 2):
            pats_x = {tuple(r.index(x) < r.index(y) for r in p) for p in profs if outs[p] == x}
            if any(tuple(r.index(x) < r.index(y) for r in p) in pats_x for p in profs if outs[p] == y):
                return False
        return True
    if axiom == "reinforcement":
        for n1 in range(1, n):
            for p1 in _profiles(n1, m):
                for p2 in _profiles(n - n1, m):
                    if f(p1) == f(p2) and f(p1 + p2) != f(p1):
                        return False
        return True
    if axiom == "non-dictatorship":
        return not any(all(f(p) == (p[i][0] if not isinstance(f(p), tuple) else f(p)) and
                           _prob(f(p), p[i][0]) == 1 for p in profs) for i in range(n))
    raise KeyError(axiom)


CASES = [(rule, m) for rule in RULES if rule != "scoring" for m in (2, 3)]


@pytest.mark.parametrize("rule,m", CASES)
def test_verdicts_match_brute_force(rule: str, m: int) -> None:
    N = 3
    res = {r.axiom: r for r in audit(rule, N, m, AXIOMS).results}
    for axiom, r in res.items():
        if r.verdict.value == "UNKNOWN":
            # reinforcement / iia are only checked for anonymous resolute rules
            assert axiom in ("reinforcement", "iia", "group-strategyproofness") and \
                (rule in ("dictatorship", "random-dictatorship"))
            continue
        if axiom == "non-dictatorship":
            assert (r.verdict.value == "HOLDS") == brute(rule, axiom, N, m), (rule, axiom)
            continue
        first_bad = next((n for n in range(1, N + 1) if not brute(rule, axiom, n, m)), None)
        if first_bad is None:
            assert r.verdict.value == "HOLDS", (rule, axiom, r.counterexample)
        else:
            assert r.verdict.value == "VIOLATED", (rule, axiom, first_bad)
            assert r.counterexample is not None and r.counterexample["voters"] == first_bad, (rule, axiom)


def _expand(entries: list[dict[str, Any]], names: tuple[str, ...]) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = []
    for e in entries:
        out.extend([tuple(names.index(x) for x in e["ranking"])] * e["count"])
    return out


@pytest.mark.parametrize("rule", ["plurality", "borda", "irv", "approval", "copeland"])
def test_strategyproofness_counterexample_replays(rule: str) -> None:
    a = audit(rule, 4, 4, ("strategyproofness",))
    c = a.results[0].counterexample
    assert c is not None
    prof = _expand(c["profile"], a.names)
    v = c["manipulator"]["voter"] - 1
    true = tuple(a.names.index(x) for x in c["manipulator"]["ranking"])
    assert prof[v] == true
    lie = tuple(a.names.index(x) for x in c["misreport"])
    k = make_rule(rule, 4).approve
    before, after = ref.outcome(rule, prof, 4, k), ref.outcome(rule, prof[:v] + [lie] + prof[v + 1:], 4, k)
    assert a.names[before] == c["outcome"] and a.names[after] == c["manipulated_outcome"]
    assert true.index(after) < true.index(before)


def test_smallest_counterexample_is_lexicographically_first() -> None:
    # plurality elects a Condorcet loser: the first 3-voter profile in lexicographic order
    a = audit("plurality", 5, 3, ("condorcet-loser",))
    c = a.results[0].counterexample
    assert c is not None and c["voters"] == 3
    found = _expand(c["profile"], a.names)
    sp = ranking_space(3)
    first = None
    for seq in sorted(tuple(sorted(s)) for s in itertools.combinations_with_replacement(range(6), 3)):
        prof = [tuple(int(v) for v in sp.perms[r]) for r in seq]
        w = ref.outcome("plurality", prof, 3)
        if all(ref.support(prof, y, w) > ref.support(prof, w, y) for y in range(3) if y != w):
            first = prof
            break
    assert first == found


@pytest.mark.parametrize("m", [3, 4])
def test_vectorised_rules_match_reference(m: int) -> None:
    sp = ranking_space(m)
    rng = np.random.default_rng(11)
    for n in (1, 2, 3, 5):
        pr = anonymous_profiles(n, sp.size)
        rows = rng.choice(pr.size, size=min(pr.size, 150), replace=False)
        for name in RULES:
            if name in ("dictatorship", "scoring"):
                continue
            rule = make_rule(name, m)
            out = rule.outcomes(pr.counts[rows], pr.seqs[rows], sp)
            for k, i in enumerate(rows):
                prof = [tuple(int(v) for v in sp.perms[r]) for r in pr.seqs[i]]
                want = ref.outcome(name, prof, m, rule.approve)
                got: Any = tuple(Fraction(int(v), n) for v in out[k]) if out.ndim == 2 else int(out[k])
                assert got == want, (name, prof)


def test_known_results() -> None:
    v = lambda rule, ax, n=5, m=3: audit(rule, n, m, (ax,)).results[0].verdict.value  # noqa: E731
    assert v("borda", "condorcet-loser") == "HOLDS"              # Borda never elects a Condorcet loser
    for rule in ("copeland", "maximin", "kemeny"):
        assert v(rule, "condorcet-winner") == "HOLDS"            # Condorcet extensions
    assert v("borda", "condorcet-winner") == "VIOLATED"
    assert v("random-dictatorship", "strategyproofness") == "HOLDS"   # Gibbard 1977
    assert v("dictatorship", "strategyproofness", 3) == "HOLDS"
    assert v("irv", "monotonicity", 7) == "VIOLATED"              # the no-show/monotonicity paradoxes of IRV
    assert v("plurality", "participation", 6) == "HOLDS"


def test_counts_agree_with_multiset_formula() -> None:
    from math import comb

    for n, r in ((3, 6), (4, 24), (2, 120)):
        pr = anonymous_profiles(n, r)
        assert pr.size == comb(n + r - 1, n)
        assert Counter(map(tuple, pr.seqs.tolist())).most_common(1)[0][1] == 1
        assert (np.sort(pr.seqs, axis=1) == pr.seqs).all()


@pytest.mark.parametrize("scores,same,approve", [((2, 1, 0), "borda", None), ((1, 0, 0), "plurality", None),
                                                 ((3, 2, 1, 0), "borda", None), ((1, 1, 0, 0), "approval", 2)])
def test_scoring_rules_reduce_to_the_named_ones(scores: tuple[int, ...], same: str, approve: int | None) -> None:
    m = len(scores)
    a = audit("scoring", 4, m, scores=scores).to_json()["axioms"]
    b = audit(same, 4, m, approve=approve).to_json()["axioms"]
    assert a == b


def test_scoring_rule_with_unusual_scores_is_checked_by_brute_force() -> None:
    # points 3, 2, 0 ("anti-veto"-like): compare with the reference rule on ordered profiles
    res = {r.axiom: r for r in audit("scoring", 3, 3, ("condorcet-loser", "strategyproofness"),
                                     scores=(3, 2, 0)).results}
    for axiom in ("condorcet-loser", "strategyproofness"):
        sizes = [n for n in (1, 2, 3) if not _brute_scoring(axiom, n, (3, 2, 0))]
        assert (res[axiom].verdict.value == "HOLDS") == (not sizes)
        if sizes:
            assert res[axiom].counterexample["voters"] == sizes[0]  # type: ignore[index]


def _brute_scoring(axiom: str, n: int, scores: tuple[int, ...]) -> bool:
    m = len(scores)
    f = lambda p: ref.outcome("scoring", p, m, 1, scores)  # noqa: E731
    rankings = list(itertools.permutations(range(m)))
    profs = _profiles(n, m)
    if axiom == "strategyproofness":
        return not any(ref.gains(p[i], f(p[:i] + (r,) + p[i + 1:]), f(p)) for p in profs for i in range(n)
                       for r in rankings)
    return not any(all(ref.support(p, y, f(p)) > ref.support(p, f(p), y) for y in range(m) if y != f(p))
                   for p in profs)
