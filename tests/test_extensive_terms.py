"""Property terms over the SPE of a protocol: ``payoff(agent, p)`` at an SPE
point, claims over the SPE set, and the clear UNKNOWN for metrics (which are
defined over action profiles, not over strategies in a tree).

Expected answers are worked out by hand in the comments."""

from __future__ import annotations

import verigroup
from verigroup.verdicts import Verdict

# Entry deterrence.  Backward induction: after `enter` the incumbent gets 2
# from accommodate and -1 from fight, so it accommodates; the entrant then
# compares 2 (enter) with 0 (stay out) and enters.  Unique SPE payoffs (2, 2).
# (stay_out, fight) is a Nash equilibrium of the strategic form (payoffs
# (0, 5)) but not an SPE.
ENTRY = """
game entry "entry deterrence"
agents entrant, incumbent
protocol:
    entrant chooses enter, stay_out
    incumbent chooses fight, accommodate if entrant == enter
payoff entrant = 0 if entrant == stay_out else (2 if incumbent == accommodate else -1)
payoff incumbent = 5 if entrant == stay_out else (2 if incumbent == accommodate else -1)
metric welfare = payoff(entrant) + payoff(incumbent)
property "entrant gets at least 1": for every spe p: payoff(entrant, p) >= 1
property "entrant gets at least 3": for every spe p: payoff(entrant, p) >= 3
property "some SPE deters entry": for some spe p: payoff(incumbent, p) == 5
property "some SPE splits 2/2": for some spe p: payoff(entrant, p) == 2 and payoff(incumbent, p) == 2
property "one SPE": count(spe) == 1
property "welfare at every SPE": for every spe p: welfare(p) >= 1
property "best SPE welfare": best_equilibrium(welfare, spe) >= 4
"""

# Cheap talk with aligned interests and a fair coin.  The operator can
# always secure 1/2 by ignoring the message (always ship), so no equilibrium
# gives it less than 1/2; the separating equilibrium (truthful message,
# operator follows it) gives both 1 on every play; a babbling one (one
# message always, operator always ships) gives both 1/2 (1/2 * 1 + 1/2 * 0).
CHEAP_TALK = """
game talk "cheap talk"
agents monitor, operator
protocol:
    chance safety: safe 1/2, unsafe 1/2
    monitor says ok, alarm to operator
    operator chooses ship, hold sees monitor
payoff monitor = 1 if (safety == safe and operator == ship) or (safety == unsafe and operator == hold) else 0
payoff operator = 1 if (safety == safe and operator == ship) or (safety == unsafe and operator == hold) else 0
property "operator secures 1/2": for every spe p: payoff(operator, p) >= 1/2
property "always fully informative": for every spe p: payoff(operator, p) == 1
property "some SPE is informative": for some spe p: payoff(monitor, p) == 1
property "no SPE below 1/2": for some spe p: payoff(operator, p) < 1/2
"""


def verdicts(text: str) -> dict[str, object]:
    report = verigroup.api.check_model(verigroup.parse(text, "<test>"))
    return {r.name: r for r in report.results}


def test_payoff_terms_on_entry_deterrence() -> None:
    r = verdicts(ENTRY)
    assert r["entrant gets at least 1"].verdict is Verdict.HOLDS
    bad = r["entrant gets at least 3"]
    assert bad.verdict is Verdict.VIOLATED
    ev = bad.evidence
    assert ev["concept"] == "spe"
    assert ev["payoffs"] == {"entrant": "2", "incumbent": "2"}
    assert ev["sides"] == {"left": "2", "right": "3", "op": ">="}
    assert ev["equilibrium"]["strategies"]["entrant"]  # strategies per information set
    # the non-credible (stay_out, fight) equilibrium is not an SPE
    assert r["some SPE deters entry"].verdict is Verdict.VIOLATED
    assert r["some SPE splits 2/2"].verdict is Verdict.HOLDS
    assert r["one SPE"].verdict is Verdict.HOLDS


def test_metrics_at_protocol_equilibria_are_unknown_with_a_reason() -> None:
    r = verdicts(ENTRY)
    for name in ("welfare at every SPE", "best SPE welfare"):
        res = r[name]
        assert res.verdict is Verdict.UNKNOWN
        assert "not defined" in res.evidence["reason"] and "payoff(agent, p)" in res.evidence["reason"]


def test_expected_payoffs_over_chance() -> None:
    r = verdicts(CHEAP_TALK)
    assert r["operator secures 1/2"].verdict is Verdict.HOLDS
    v = r["always fully informative"]
    assert v.verdict is Verdict.VIOLATED
    assert v.evidence["sides"]["left"] == "1/2"  # a babbling equilibrium
    assert r["some SPE is informative"].verdict is Verdict.HOLDS
    assert r["no SPE below 1/2"].verdict is Verdict.VIOLATED


def test_three_agent_subgame_without_pure_equilibrium_is_not_a_complete_empty_set() -> None:
    # A 3-agent "pennies" cycle with simultaneous moves (nobody sees earlier
    # moves): x wants to match y, y wants to match z, z wants to differ from x.
    # A pure NE would need a1 == a2 == a3 and a3 != a1: impossible, so no pure
    # SPE.  A behaviour SPE exists (finite game), but the mixed fallback only
    # handles two-agent subgames: the answer must not claim "no SPE at all".
    from verigroup.extensive.spe import solve_spe
    from verigroup.extensive.tree import TreeBuilder

    b = TreeBuilder(["x", "y", "z"])
    xs = {}
    for a1 in "HT":
        ys = {}
        for a2 in "HT":
            zs = {}
            for a3 in "HT":
                zs[a3] = b.terminal([int(a1 == a2), int(a2 == a3), int(a3 != a1)])
            ys[a2] = b.decision("z", "z", zs)
        xs[a1] = b.decision("y", "y", ys)
    tree = b.build(b.decision("x", "x", xs))
    res = solve_spe(tree)
    assert res.profiles == ()
    assert res.no_pure and not res.complete
    assert "two-agent" in res.reason
    pure_only = solve_spe(tree, mixed_fallback=False)
    assert pure_only.profiles == () and pure_only.complete and pure_only.no_pure
