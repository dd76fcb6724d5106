"""Adversarial soundness tests of the verdict logic.

A wrong HOLDS is the worst bug the product can have.  Every expected verdict
here is derived by hand (or by a small independent brute force in the
test), never copied from the implementation.
"""

from __future__ import annotations

from fractions import Fraction as F
from itertools import product

import pytest

import verigroup
from verigroup.api import check_model
from verigroup.verdicts import Verdict

H, V, U = Verdict.HOLDS, Verdict.VIOLATED, Verdict.UNKNOWN


def verdicts(text: str, **options: object) -> dict[str, Verdict]:
    report = check_model(verigroup.parse(text), **options)  # type: ignore[arg-type]
    return {r.name: r.verdict for r in report.results}


# ------------------------------------------------------------- correlated

# Chicken: (dare, chicken) and (chicken, dare) are pure Nash equilibria, hence
# correlated equilibria.  (dare, chicken) pays (7, 2), welfare 9.
CHICKEN = """
game chicken
agents a, b: actions dare, chicken
payoff a = 0 if a == dare and b == dare else (7 if a == dare else (2 if b == dare else 6))
payoff b = 0 if a == dare and b == dare else (7 if b == dare else (2 if a == dare else 6))
metric welfare = payoff(a) + payoff(b)
"""


def test_correlated_for_every_is_decided_over_the_whole_polytope() -> None:
    v = verdicts(CHICKEN + """
property "w10": for every correlated p: welfare(p) >= 10
property "pa5": for every correlated p: payoff(a, p) >= 5
property "w0": for every correlated p: welfare(p) >= 0
property "w9c": for every coarse_correlated p: welfare(p) >= 10
""")
    # the pure equilibrium (dare, chicken) has welfare 9 and pays a 2 at
    # (chicken, dare): both bounds fail; welfare is never negative
    assert v == {"w10": V, "pa5": V, "w0": H, "w9c": V}


def test_correlated_for_some_finds_witnesses_beyond_the_representative() -> None:
    v = verdicts(CHICKEN + """
property "a7": for some correlated p: payoff(a, p) >= 7
property "a8": for some correlated p: payoff(a, p) > 7
property "w9": for some coarse_correlated p: welfare(p) <= 9
""")
    # a gets 7 at the pure equilibrium (dare, chicken) and never more than 7
    # anywhere in the game
    assert v == {"a7": H, "a8": V, "w9": H}


def test_correlated_nonlinear_term_is_not_decided_on_one_point() -> None:
    v = verdicts(CHICKEN + """
property "prod": for every correlated p: payoff(a, p) * payoff(b, p) >= 20
""")
    # at (dare, chicken): 7 * 2 = 14 < 20, so HOLDS would be wrong
    assert v["prod"] in (V, U)


def test_correlated_whole_set_values() -> None:
    v = verdicts(CHICKEN + """
property "worst": worst_equilibrium(welfare, correlated) >= 10
property "worst9": worst_equilibrium(welfare, correlated) <= 9
property "poa": price_of_anarchy(welfare, correlated) <= 6/5
property "cnt": count(correlated) == 1
property "uniq": unique correlated
property "ir": individually_rational(correlated, outside = {a: 5, b: 5})
property "ir0": individually_rational(correlated, outside = {a: 0, b: 0})
""")
    assert v["worst"] == V and v["worst9"] == H
    # optimum 12, worst correlated welfare <= 9: PoA >= 4/3 > 6/5
    assert v["poa"] == V
    assert v["cnt"] in (V, U)
    assert v["uniq"] == V  # two distinct pure equilibria
    assert v["ir"] == V and v["ir0"] == H


def test_unique_correlated_in_matching_pennies() -> None:
    mp = """
agents a, b: actions h, t
payoff a = 1 if a == b else -1
payoff b = -1 if a == b else 1
property "u": unique correlated
"""
    # the uniform distribution is the only correlated equilibrium of
    # matching pennies (a textbook fact)
    assert verdicts(mp)["u"] in (H, U)
    assert verdicts(mp)["u"] != V


# ------------------------------------------------- infinite mixed sets


# a is indifferent; b strictly prefers l.  Nash set: {(t, 1-t)} x {l},
# t in [0, 1]: infinitely many, two extreme ones.  m(p) = P(a plays x) = t.

INDIFF2 = """
agent a: actions x, y
agent b: actions l, r
payoff a = 1
payoff b = 1 if b == l else 0
metric m = 1 if a == x else 0
"""


def test_two_agent_continuum_linear_terms_are_decided_at_vertices() -> None:
    v = verdicts(INDIFF2 + """
property "lin": for every mixed p: m(p) >= 0
property "lin2": for every mixed p: m(p) >= 1/2
property "some": for some mixed p: m(p) > 1/2
""")
    assert v == {"lin": H, "lin2": V, "some": H}


def test_two_agent_continuum_nonlinear_terms_are_unknown() -> None:
    v = verdicts(INDIFF2 + """
property "sq": for every mixed p: m(p) * m(p) >= m(p)
property "sq2": for some mixed p: m(p) * m(p) < m(p)
property "eq": for some mixed p: m(p) == 1/2
property "cond": for every mixed p: (1 if m(p) > 0 else 0) >= m(p)
""")
    # t^2 >= t fails for t in (0, 1) (every extreme equilibrium passes);
    # t = 1/2 is an equilibrium; the conditional is false at t = 1/2
    assert v["sq"] in (V, U)
    assert v["sq2"] in (H, U)
    assert v["eq"] in (H, U)
    assert v["cond"] in (V, U)


def test_count_of_an_infinite_mixed_set_is_not_the_vertex_count() -> None:
    v = verdicts(INDIFF2 + """
property "c2": count(mixed) == 2
property "c3": count(mixed) <= 3
property "u": unique mixed
""")
    assert v["c2"] in (V, U) and v["c3"] in (V, U)
    assert v["u"] == V


def test_three_agent_continuum_is_never_a_proof() -> None:
    spec = """
agent a: actions u, v
agents b, c: actions x, z
payoff a = 0
payoff b = 1 if b == x else 0
payoff c = 1 if c == x else 0
metric m = 1 if a == u else 0
property "sq": for every mixed p: m(p) * m(p) >= m(p)
property "lin": for every mixed p: m(p) >= 0
property "some": for some mixed p: m(p) * m(p) < m(p)
"""
    v = verdicts(spec)
    # m(p) = P(a = u) = t, any t in [0, 1] is an equilibrium
    assert v["sq"] in (V, U)
    assert v["some"] in (H, U)
    assert v["lin"] in (H, U)


# ----------------------------------------------------- prices of anarchy


def _pd(shift: int) -> str:
    return f"""
agents a, b: actions c, d
payoff a = (3 if a == c and b == c else (5 if a == d and b == c else (0 if a == c else 1))) - {shift}
payoff b = (3 if a == c and b == c else (5 if b == d and a == c else (0 if b == c else 1))) - {shift}
metric welfare = payoff(a) + payoff(b)
property "poa": price_of_anarchy(welfare) <= 1
property "pos": price_of_stability(welfare) <= 1
"""


@pytest.mark.parametrize("shift", [3, 6])
def test_price_of_anarchy_with_non_positive_values_is_undefined(shift: int) -> None:
    # the unique equilibrium (d, d) is strictly worse than (c, c); with
    # welfare 0 / -4 (shift 3) or -6 / -10 (shift 6) the ratio opt / eq is
    # 0 or 3/5, which would "prove" PoA <= 1
    v = verdicts(_pd(shift))
    assert v == {"poa": U, "pos": U}


def test_price_of_anarchy_positive_values_pinned() -> None:
    # shift 0: optimum 6 at (c, c), the only equilibrium (d, d) has welfare 2
    v = verdicts(_pd(0))
    assert v == {"poa": V, "pos": V}
    v = verdicts(_pd(0).replace("<= 1", "== 3"))
    assert v == {"poa": H, "pos": H}


# ----------------------------------------------------- pure: brute force


def _brute_pure_nash(pay: dict[tuple[int, int, int], tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    out = []
    for s in product(range(2), repeat=3):
        ok = True
        for i in range(3):
            for dev in range(2):
                t = list(s)
                t[i] = dev
                if pay[tuple(t)][i] > pay[s][i]:  # type: ignore[index]
                    ok = False
        if ok:
            out.append(s)
    return out


def test_pure_for_every_and_for_some_against_brute_force() -> None:
    spec = """
agents a[1..3]: actions x, y
payoff a[i] = count(j: a[j] == x) * (2 if a[i] == x else 1) - (3 if a[i] == x and i == 2 else 0)
metric welfare = sum(i in 1..3: payoff(a[i]))
property "ge": for every nash p: welfare(p) >= 3
property "sm": for some nash p: welfare(p) >= 7
"""
    def pay(s: tuple[int, ...]) -> tuple[int, int, int]:
        n = sum(1 for v in s if v == 0)
        return tuple(n * (2 if s[i] == 0 else 1) - (3 if s[i] == 0 and i == 1 else 0)
                     for i in range(3))  # type: ignore[return-value]

    table = {s: pay(s) for s in product(range(2), repeat=3)}
    eqs = _brute_pure_nash(table)  # type: ignore[arg-type]
    welfare = [sum(table[s]) for s in eqs]
    v = verdicts(spec)
    assert v["ge"] == (H if all(w >= 3 for w in welfare) else V)
    assert v["sm"] == (H if any(w >= 7 for w in welfare) else V)


# -------------------------------------------------------------- timeouts


def test_a_timeout_is_never_a_verdict_of_holds() -> None:
    spec = """
agents a[1..3]: actions x, y, z
payoff a[i] = count(j: a[j] == a[i]) * (1 if a[i] == x else 2)
metric welfare = sum(i in 1..3: payoff(a[i]))
property "m": for every mixed p: welfare(p) >= 0
"""
    r = check_model(verigroup.parse(spec), timeout=0.001).results[0]
    assert r.verdict in (H, U)  # welfare is >= 0 everywhere: never VIOLATED
    if r.verdict is H:  # only if the whole search finished in time
        assert "timeout" not in r.method


def test_spe_existence_without_a_pure_spe_is_not_violated() -> None:
    # three agents move simultaneously in a game without pure equilibrium
    # (a and b want to match the next agent, c wants to differ from a)
    spec = """
agents a, b, c
protocol:
    a chooses h, t
    b chooses h, t sees nothing
    c chooses h, t sees nothing
payoff a = 1 if a == b else 0
payoff b = 1 if b == c else 0
payoff c = 1 if c != a else 0
property "e": exists spe
property "u": unique spe
property "f": for every spe p: payoff(a, p) >= 1
"""
    # brute force: no pure profile is a Nash equilibrium
    def pay(s: tuple[int, int, int]) -> tuple[int, int, int]:
        return (int(s[0] == s[1]), int(s[1] == s[2]), int(s[2] != s[0]))

    assert _brute_pure_nash({s: pay(s) for s in product(range(2), repeat=3)}) == []  # type: ignore[misc]
    v = verdicts(spec)
    assert v["e"] in (H, U) and v["u"] == U and v["f"] == U


def test_fraction_values_are_exact() -> None:
    # 1/3 + 1/3 + 1/3 == 1 exactly; a float sum would be 0.999...
    spec = """
agents a, b: actions x, y
payoff a = 1/3 if a == x else 0
payoff b = 1/3 if b == x else 0
metric w = payoff(a) + payoff(b) + 1/3
property "one": for every nash p: w(p) == 1
"""
    assert verdicts(spec) == {"one": H}
    assert F(1, 3) * 3 == 1


def test_a_deadline_disguised_by_ctypes_is_a_timeout() -> None:
    # SIGALRM firing while ctypes converts a z3 argument surfaces as
    # ctypes.ArgumentError("argument 2: DeadlineExceeded: "): UNKNOWN, no crash
    import ctypes

    from verigroup.analyses.registry import Context
    from verigroup.analyses.timeouts import run_with_deadline

    m = verigroup.parse(INDIFF2 + 'property "x": for every mixed p: m(p) >= 0\n')

    def boom(ctx: object, prop: object) -> object:
        raise ctypes.ArgumentError("argument 2: DeadlineExceeded: ")

    r = run_with_deadline(Context(m, timeout=1.0), m.properties[0], boom)  # type: ignore[arg-type]
    assert r.verdict is U and r.method == "timeout"

    def other(ctx: object, prop: object) -> object:
        raise ctypes.ArgumentError("argument 1: TypeError: wrong type")

    with pytest.raises(ctypes.ArgumentError):
        run_with_deadline(Context(m, timeout=1.0), m.properties[0], other)  # type: ignore[arg-type]


def test_library_price_uses_the_same_positivity_rule() -> None:
    # efficiency.price_of_anarchy (library API) must agree with the checker:
    # a prisoner's dilemma shifted down by 6 has optimum -6 and equilibrium
    # welfare -10; the ratio 3/5 would claim the equilibrium is "better".
    from verigroup.analyses.efficiency import price_of_anarchy
    from verigroup.analyses.registry import Context

    m = verigroup.parse(
        "game pd\nagents a, b: actions c, d\n"
        "payoff a = (3 if b == c else 0) - 6 if a == c else (5 if b == c else 1) - 6\n"
        "payoff b = (3 if a == c else 0) - 6 if b == c else (5 if a == c else 1) - 6\n"
        "metric welfare = payoff(a) + payoff(b)\n")
    res = price_of_anarchy(Context(m), m.game().metrics["welfare"].tensor)
    assert res.value is None
