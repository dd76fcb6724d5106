"""Adversarial soundness tests, part 2: coalitions, the Z3 route (with
parameter regions) and protocol properties.

Every expected verdict is derived by hand or by a small independent brute
force written here, never copied from the implementation.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F
from functools import lru_cache
from typing import Any

import verigroup
from verigroup.api import check_model
from verigroup.verdicts import Verdict

H, V, U = Verdict.HOLDS, Verdict.VIOLATED, Verdict.UNKNOWN


def results(text: str, **options: object) -> dict[str, Any]:
    report = check_model(verigroup.parse(text), **options)  # type: ignore[arg-type]
    return {r.name: r for r in report.results}


def verdicts(text: str, **options: object) -> dict[str, Verdict]:
    return {k: r.verdict for k, r in results(text, **options).items()}


# ================================================================ coalitions

# Prisoner's dilemma: (d, d) is the only Nash equilibrium; the pair gains
# jointly by moving to (c, c) (3 > 1 for both).  Within the pair, (c, c) is
# not self-enforcing (each wants to defect), so (d, d) is the only
# self-enforcing profile and hence coalition-proof (BPW 1987).
PD = """
game pd
agents a, b: actions c, d
payoff a = 3 if a == c and b == c else (5 if a == d and b == c else (0 if a == c else 1))
payoff b = 3 if a == c and b == c else (5 if b == d and a == c else (0 if b == c else 1))
"""


def test_pd_strong_vs_coalition_proof() -> None:
    v = verdicts(PD + """
property "strong": strong_nash({a: d, b: d})
property "cp": coalition_proof({a: d, b: d})
property "cpcc": coalition_proof({a: c, b: c})
property "r1": resilient({a: d, b: d}, k = 1)
property "r2": resilient({a: d, b: d}, k = 2)
""")
    assert v == {"strong": V, "cp": H, "cpcc": V, "r1": H, "r2": V}


# A joint deviation where one member gains and the other is indifferent:
# at (x, x) both get 1; at (y, y) a gets 2 and b still 1; a alone moving
# to y gets 0 and b alone moving to y gets 0, so (x, x) is Nash.
#   strict resilience (every member strictly better): holds;
#   weak resilience (all weakly, some strictly): violated by {a, b} -> (y, y);
#   ADGH (2,0)-robustness (no single member of C may gain): violated.
ONE_GAINS = """
game one_gains
agents a, b: actions x, y
payoff a = 1 if a == x and b == x else (2 if a == y and b == y else 0)
payoff b = 1 if a == b else 0
"""


def test_resilience_variants_differ_exactly_where_documented() -> None:
    v = verdicts(ONE_GAINS + """
property "strict": resilient({a: x, b: x}, k = 2)
property "weak": resilient({a: x, b: x}, k = 2, weak)
property "strong": strong_nash({a: x, b: x})
property "adgh": robust({a: x, b: x}, k = 2, t = 0)
property "adgh1": robust({a: x, b: x}, k = 1, t = 0)
""")
    assert v == {"strict": H, "weak": V, "strong": H, "adgh": V, "adgh1": H}


# ---- independent brute force over random small games

_N = "abc"


def _spec(n: int, m: int, table: dict[tuple[int, ...], tuple[int, ...]], props: list[str]) -> str:
    lines = ["game g"]
    acts = ", ".join(f"x{j}" for j in range(m))
    for i in range(n):
        lines.append(f"agent {_N[i]}: actions {acts}")
    for i in range(n):
        terms = []
        for p, pay in table.items():
            if pay[i]:
                cond = " and ".join(f"{_N[j]} == x{p[j]}" for j in range(n))
                terms.append(f"({pay[i]} if {cond} else 0)")
        lines.append(f"payoff {_N[i]} = " + (" + ".join(terms) if terms else "0"))
    return "\n".join(lines + props) + "\n"


def _devs(m: int, s: tuple[int, ...], members: tuple[int, ...]) -> list[tuple[int, ...]]:
    out = []
    for acts in itertools.product(range(m), repeat=len(members)):
        t = list(s)
        for j, a in zip(members, acts):
            t[j] = a
        out.append(tuple(t))
    return out


def _sets(n: int, lo: int, hi: int) -> list[tuple[int, ...]]:
    return [c for k in range(lo, min(hi, n) + 1) for c in itertools.combinations(range(n), k)]


def _bf_resilient(n: int, m: int, T: Any, s: tuple[int, ...], k: int, weak: bool) -> bool:
    for C in _sets(n, 1, k):
        for t in _devs(m, s, C):
            g = [T[t][i] - T[s][i] for i in C]
            if (all(x >= 0 for x in g) and any(x > 0 for x in g)) if weak else all(x > 0 for x in g):
                return False
    return True


def _bf_immune(n: int, m: int, T: Any, s: tuple[int, ...], t: int) -> bool:
    return not any(T[p][i] < T[s][i] for A in _sets(n, 1, t) for p in _devs(m, s, A)
                   for i in range(n) if i not in A)


def _bf_robust(n: int, m: int, T: Any, s: tuple[int, ...], k: int, t: int) -> bool:
    if not _bf_immune(n, m, T, s, t):
        return False
    for A in [()] + _sets(n, 1, t):
        for C in _sets(n, 1, k):
            if set(C) & set(A):
                continue
            for p in _devs(m, s, A):
                for p2 in _devs(m, p, C):
                    if any(T[p2][i] > T[p][i] for i in C):
                        return False
    return True


def _bf_cpne(n: int, m: int, T: Any, s: tuple[int, ...]) -> bool:
    @lru_cache(None)
    def cp(J: tuple[int, ...], ctx: tuple[int, ...]) -> frozenset[tuple[int, ...]]:
        cands = _devs(m, ctx, J)
        if len(J) == 1:
            best = max(T[p][J[0]] for p in cands)
            return frozenset(p for p in cands if T[p][J[0]] == best)
        se = [p for p in cands if all(p in cp(sub, p) for r in range(1, len(J))
                                      for sub in itertools.combinations(J, r))]
        return frozenset(p for p in se if not any(all(T[q][i] > T[p][i] for i in J) for q in se))

    return s in cp(tuple(range(n)), s)


def test_coalition_notions_match_brute_force_on_random_games() -> None:
    rng = random.Random(20261124)
    for _ in range(25):
        n, m = rng.choice([(2, 2), (2, 3), (3, 2)])
        T = {p: tuple(rng.randrange(3) for _ in range(n)) for p in itertools.product(range(m), repeat=n)}
        s = tuple(rng.randrange(m) for _ in range(n))
        ps = "{" + ", ".join(f"{_N[i]}: x{s[i]}" for i in range(n)) + "}"
        k, t = rng.randint(1, n), rng.randint(0, n - 1)
        kr = rng.randint(0, n - t)
        props = [f'property "strong": strong_nash({ps})', f'property "cp": coalition_proof({ps})',
                 f'property "res": resilient({ps}, k = {k})', f'property "resw": resilient({ps}, k = {k}, weak)',
                 f'property "imm": immune({ps}, t = {t})', f'property "rob": robust({ps}, k = {kr}, t = {t})']
        exp = {"strong": _bf_resilient(n, m, T, s, n, False), "cp": _bf_cpne(n, m, T, s),
               "res": _bf_resilient(n, m, T, s, k, False), "resw": _bf_resilient(n, m, T, s, k, True),
               "imm": _bf_immune(n, m, T, s, t), "rob": _bf_robust(n, m, T, s, kr, t)}
        got = verdicts(_spec(n, m, T, props))
        assert got == {name: (H if ok else V) for name, ok in exp.items()}, (T, s, k, t, kr)


# ============================================================== Z3 / regions

# a gets r - 1 by playing x and 0 by playing y; b is a dummy.
#   r < 1: (y, _) only, a gets 0;  r = 1: both, a gets 0;  r > 1: x, a gets r - 1.
REGION = """
game region
param r = 2
agents a, b: actions x, y
payoff a = (r - 1) if a == x else 0
payoff b = 0
"""


def _region(res: Any) -> list[tuple[F, F, bool, bool]]:
    ev = res.evidence
    return [(F(lo), F(hi), c1, c2) for (lo, hi), (c1, c2) in zip(ev["region"], ev["closed"])]


def test_region_endpoints_open_and_closed() -> None:
    r = results(REGION + """
property "pos": for every nash p: payoff(a, p) > 0 for r in [0, 3]
property "zero": for every nash p: payoff(a, p) == 0 for r in [0, 3]
property "nonneg": for some nash p: payoff(a, p) >= 0 for r in [0, 3]
property "uniq": unique nash for r in [0, 3]
property "pos2": for every nash p: payoff(a, p) > 0 for r in [2, 3]
""")
    assert {k: x.verdict for k, x in r.items()} == {"pos": V, "zero": V, "nonneg": H, "uniq": V, "pos2": H}
    assert _region(r["pos"]) == [(F(1), F(3), False, True)]
    assert _region(r["zero"]) == [(F(0), F(1), True, True)]
    assert _region(r["nonneg"]) == [(F(0), F(3), True, True)]
    # b is a dummy with two actions: never a unique equilibrium
    assert _region(r["uniq"]) == []


# Exactly one agent choosing x gets 1 (a crowd of x-choosers gets -1, y gets
# 0): the pure equilibria are the three profiles with a single x.  Symmetry
# breaking (lex-leader on the family) must not be used for terms that name
# an agent: the equilibrium where a[2] plays x is not a lex-leader.
SOLO = """
game solo
agents a[1..3]: actions x, y
payoff a[i] = (1 if count(j: a[j] == x) == 1 else -1) if a[i] == x else 0
metric welfare = sum(i in 1..3: payoff(a[i]))
"""


def test_z3_symmetry_breaking_only_for_symmetric_terms() -> None:
    props = """
property "every_a1": for every nash p: payoff(a[1], p) >= 1
property "some_a3": for some nash p: payoff(a[3], p) >= 1
property "every_w": for every nash p: welfare(p) == 1
property "unique": unique nash
property "exists": exists nash
"""
    expected = {"every_a1": V, "some_a3": H, "every_w": H, "unique": V, "exists": H}
    assert verdicts(SOLO + props, method="z3") == expected
    assert verdicts(SOLO + props) == expected


# ============================================================== protocols

# The incumbent is indifferent everywhere, so there are two SPE: it
# accommodates (the entrant enters) or it fights (the entrant stays out).
TIES = """
game ties
agents entrant, incumbent
protocol:
    entrant chooses enter, stay_out
    incumbent chooses fight, accommodate if entrant == enter
payoff entrant = 0 if entrant == stay_out else (1 if incumbent == accommodate else -1)
payoff incumbent = 0
property "every_enter": for every spe: eventually entrant == enter
property "some_out": for some spe: eventually entrant == stay_out
property "credible_fight": credible(incumbent == fight)
"""


def test_every_spe_with_a_capped_list_is_never_holds() -> None:
    assert verdicts(TIES) == {"every_enter": V, "some_out": H, "credible_fight": H}
    capped = verdicts(TIES, max_equilibria=1)
    assert capped["every_enter"] != H


# Chance picks heads or tails; the agent is paid 1 for matching it.
COIN = """
game coin
agents a, b
protocol:
    chance coin: h 1/2, t 1/2
    a chooses x, y{SEES}
    b chooses u, v
payoff a = 1 if (coin == h and a == x) or (coin == t and a == y) else 0
payoff b = 0
property "a_enf": a can enforce eventually payoff(a) >= 1
property "b_enf": b can enforce eventually payoff(a) >= 1
property "a_cannot": a cannot enforce eventually payoff(a) >= 1
"""


def test_enforce_chance_is_adversarial_and_needs_perfect_information() -> None:
    # a sees the coin: it can always match; b cannot influence a's payoff
    assert verdicts(COIN.replace("{SEES}", "")) == {"a_enf": H, "b_enf": V, "a_cannot": V}
    # a does not see the coin: enforcement needs perfect information -> UNKNOWN
    blind = verdicts(COIN.replace("{SEES}", " sees nothing"))
    assert blind["a_enf"] == U and blind["a_cannot"] == U
    # b (perfect information) cannot make a match a coin a does not see:
    # a may play x at tails
    assert blind["b_enf"] == V


# ============================================================ repeated games

# A coordination stage game: (c, c) pays 3, (d, d) pays 1, a mismatch 0.
# Grim trigger is an SPE for every discount factor in (0, 1), so the set of
# discount factors is the open interval (0, 1): it has no least element.
COORD = """
game coord
param delta = 3/4
agents alice, bob
protocol:
    repeat forever discount delta:
        alice chooses cooperate, defect
        bob chooses cooperate, defect sees nothing
payoff alice = 3 if alice == cooperate and bob == cooperate else (1 if alice == defect and bob == defect else 0)
payoff bob = 3 if alice == cooperate and bob == cooperate else (1 if alice == defect and bob == defect else 0)
property "spe": grim_trigger(cooperate, defect) is spe
property "eq0": threshold_discount(grim_trigger(cooperate, defect)) == 0
property "le0": threshold_discount(grim_trigger(cooperate, defect)) <= 0
property "lt_half": threshold_discount(grim_trigger(cooperate, defect)) < 1/2
property "ge0": threshold_discount(grim_trigger(cooperate, defect)) >= 0
"""


def test_threshold_not_attained_is_not_compared_as_if_it_were() -> None:
    v = verdicts(COORD)
    assert v["spe"] == H
    # every discount factor where it is an SPE is > 0, so "the least one is
    # 0" / "is <= 0" must not HOLD (no discount factor <= 0 makes it an SPE)
    assert v["eq0"] != H and v["le0"] != H
    # unambiguous comparisons: every SPE discount factor is >= 0, and some
    # are below 1/2
    assert v["lt_half"] == H and v["ge0"] == H


# ---- independent brute force: every pure strategy profile, filtered by the
# exact subgame-perfection check, against the play and credibility checkers


def test_spe_play_properties_match_brute_force_over_pure_profiles() -> None:
    from array import array

    from verigroup.extensive.plays import find_violation
    from verigroup.extensive.profile import StrategyProfile, is_spe

    rng = random.Random(7)
    checked = 0
    for _ in range(8):
        chance = rng.random() < 0.5
        stages = ["    a chooses x, y", "    b chooses u, v" + rng.choice(["", " sees nothing"]),
                  "    a2: a chooses p, q" + rng.choice(["", " sees a"])]
        moves = [("a", ["x", "y"]), ("b", ["u", "v"]), ("a2", ["p", "q"])]
        if chance:
            stages.insert(rng.randint(0, 2), "    chance c: h 1/2, t 1/2")
            moves.append(("c", ["h", "t"]))
        pays = {}
        for ag in ("a", "b"):
            terms = []
            for combo in itertools.product(*(m for _, m in moves)):
                val = rng.randint(0, 2)
                if val:
                    cond = " and ".join(f"{n} == {c}" for (n, _), c in zip(moves, combo))
                    terms.append(f"({val} if {cond} else 0)")
            pays[ag] = " + ".join(terms) or "0"
        act = rng.choice(["x", "y", "u", "v", "p", "q"])
        stage = {"x": "a", "y": "a", "u": "b", "v": "b", "p": "a2", "q": "a2"}[act]
        spec = ("game g\nagents a, b\nprotocol:\n" + "\n".join(stages)
                + f"\npayoff a = {pays['a']}\npayoff b = {pays['b']}\n"
                f'property "ev": for every spe: eventually {stage} == {act}\n'
                f'property "so": for some spe: eventually {stage} == {act}\n'
                f'property "nv": for every spe: never {stage} == {act}\n'
                f'property "cr": credible({stage} == {act})\n')
        model = verigroup.parse(spec)
        tree = model.protocol
        spes = [prof for combo in itertools.product(*(range(len(acts)) for acts in tree.infoset_actions))
                if is_spe(tree, prof := StrategyProfile(pure=array("i", combo)))]
        if not spes:  # only behaviour-strategy SPE: out of this brute force's reach
            continue
        checked += 1
        props = {p.name: p for p in model.properties}
        phi = props["ev"].phi  # type: ignore[attr-defined]
        cr = props["cr"]
        player = tree.players.index(cr.agent)  # type: ignore[attr-defined]
        labels = [tree.infoset_by_label(player, lab) for lab in cr.infosets]  # type: ignore[attr-defined]
        exp = {
            "ev": all(find_violation(tree, s, "eventually", phi) is None for s in spes),
            "so": any(find_violation(tree, s, "eventually", phi) is None for s in spes),
            "nv": all(find_violation(tree, s, "never", phi) is None for s in spes),
            "cr": all(any(s.action(i) == tree.infoset_actions[i].index(act) for s in spes) for i in labels),
        }
        assert verdicts(spec) == {k: (H if ok else V) for k, ok in exp.items()}, spec
    assert checked >= 5
