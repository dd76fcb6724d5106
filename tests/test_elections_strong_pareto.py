"""Strong Pareto (issue 11: "Pareto (weak and strong)").

On strict rankings strong and weak Pareto coincide; on weak ballots an
alternative that ties with another for some voters and is beaten for one
is strongly but not weakly dominated.  The audit's verdict and smallest
electorate equal a brute force over ordered profiles written here; a
counterexample replays and a tampered one does not."""

from __future__ import annotations

import itertools
import json

import pytest

from verigroup.elections import audit
from verigroup.elections.ballots import ballot_space, weak_outcome


def _above(t: tuple[tuple[int, ...], ...], x: int) -> int:
    """Alternatives strictly above x in a tiered ballot (independent of the product)."""
    n = 0
    for tier in t:
        if x in tier:
            return n
        n += len(tier)
    raise ValueError(x)


def brute_first_violation(rule: str, kind: str, m: int, N: int) -> int | None:
    ballots = list(ballot_space(m, kind).tiers)  # type: ignore[attr-defined]
    for n in range(1, N + 1):
        for p in itertools.product(ballots, repeat=n):
            won = weak_outcome(rule, list(p), m)
            for x in range(m):
                weakly = all(_above(t, x) <= _above(t, won) for t in p)
                strictly = any(_above(t, x) < _above(t, won) for t in p)
                if x != won and weakly and strictly:
                    return n
    return None


@pytest.mark.parametrize("kind", ["weak", "approval"])
@pytest.mark.parametrize("rule", ["borda", "plurality", "copeland", "approval", "maximin"])
def test_weak_ballots_match_brute_force(rule: str, kind: str) -> None:
    r = audit(rule, 3, 3, ("strong-pareto",), ballots=kind).results[0]
    first = brute_first_violation(rule, kind, 3, 3)
    if first is None:
        assert r.verdict.value == "HOLDS", (rule, kind, r.counterexample)
    else:
        assert r.verdict.value == "VIOLATED" and r.counterexample is not None, (rule, kind)
        assert r.counterexample["voters"] == first


def test_plurality_on_weak_ballots_separates_weak_and_strong_pareto() -> None:
    res = {r.axiom: r for r in audit("plurality", 3, 3, ("pareto", "strong-pareto"), ballots="weak").results}
    assert res["pareto"].verdict.value == "HOLDS"
    assert res["strong-pareto"].verdict.value == "VIOLATED"
    assert res["strong-pareto"].counterexample["voters"] == 2


@pytest.mark.parametrize("rule", ["plurality", "borda", "copeland", "maximin", "irv", "kemeny", "dictatorship",
                                  "random-dictatorship"])
def test_on_strict_rankings_strong_pareto_is_pareto(rule: str) -> None:
    res = audit(rule, 3, 3, ("pareto", "strong-pareto")).results
    assert res[0].verdict == res[1].verdict
    assert res[0].counterexample == res[1].counterexample


def test_not_in_the_default_audit_and_replays(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert "strong-pareto" not in [r.axiom for r in audit("borda", 2, 3).results]
    res = cli("axioms", "--rule", "plurality", "--voters", "3", "--alternatives", "3", "--ballots", "weak",
              "--axiom", "strong-pareto", "--format", "json")
    assert res.code == 1
    doc = json.loads(res.out)
    p = tmp_path / "sp.json"
    p.write_text(res.out)
    assert cli("replay", str(p)).code == 0
    cex = doc["axioms"]["strong-pareto"]["counterexample"]
    cex["dominated"], cex["dominated_by"] = cex["dominated_by"], cex["dominated"]
    p.write_text(json.dumps(doc))
    assert cli("replay", str(p)).code != 0
