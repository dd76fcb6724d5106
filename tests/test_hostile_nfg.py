"""Reading .nfg payoff lists straight into exact integer arrays (issue 15,
item 18) and the hostile-input limits of the Gambit readers (item 3).

The fast path (integers and decimals, no Fraction per number) is compared
with numbers parsed independently here with ``Fraction``, on generated files
mixing signs, decimals, big integers and layouts; malformed bodies still get
the positioned token-by-token error."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from verigroup.diagnostics import SpecError
from verigroup.io.nfg import read_nfg


def gen_words(rng: random.Random, count: int, style: str) -> list[str]:
    out = []
    for _ in range(count):
        if style == "int":
            w = str(rng.randint(-50, 50))
        elif style == "bigint":
            w = str(rng.choice([1, -1]) * rng.randint(0, 10 ** rng.choice([3, 12, 17, 19, 25, 40])))
        elif style == "plus":
            w = rng.choice(["+", ""]) + str(rng.randint(0, 9))
        else:  # decimals
            w = rng.choice(["", "-", "+"]) + rng.choice([str(rng.randint(0, 99)), ""]) + "." + \
                "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 6)))
            if w.endswith(".") or w in ("-.", "+.", "."):
                w += "5"
        out.append(w)
    return out


def nfg_text(sizes: tuple[int, ...], words: list[str], sep: str) -> str:
    n = len(sizes)
    head = 'NFG 1 R "g" { ' + " ".join(f'"P{i}"' for i in range(n)) + " } { " + " ".join(map(str, sizes)) + " }\n"
    return head + sep.join(words) + "\n"


@pytest.mark.parametrize("seed", range(12))
def test_fast_read_agrees_with_fraction_parse(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 4)
    sizes = tuple(rng.randint(1, 3) for _ in range(n))
    profiles = 1
    for s in sizes:
        profiles *= s
    style = ["int", "bigint", "plus", "dec"][seed % 4]
    words = gen_words(rng, n * profiles, style)
    text = nfg_text(sizes, words, rng.choice([" ", "\n", "  \t", " \r\n"]))
    g = read_nfg(text, "g.nfg")
    # payoff list: one payoff per player for every profile, player 1 fastest
    for k, prof in enumerate(itertools.product(*[range(s) for s in reversed(sizes)])):
        idx = tuple(reversed(prof))
        for p in range(n):
            assert g.payoffs[p].at(idx) == Fraction(words[k * n + p]), (text, idx, p)


def test_fast_read_of_a_large_table_is_exact() -> None:
    sizes = (4,) * 6
    rng = random.Random(3)
    words = [str(rng.randint(-10**6, 10**6)) for _ in range(6 * 4 ** 6)]
    g = read_nfg(nfg_text(sizes, words, " "), "big.nfg")
    assert all(t.is_int64 and t.denominator == 1 for t in g.payoffs)
    assert g.payoffs[0].at((0,) * 6) == int(words[0])
    assert g.payoffs[5].at((3,) * 6) == int(words[-1])


@pytest.mark.parametrize("body, where", [
    ("1 2 3", "expected 8 payoffs"),  # truncated
    ("1 2 3 4 5 6 7 8 9", "extra payoffs"),
    ("1 2 3 4-5 6 7 8 9", "non-numeric"),
    ("1 2 3 4 5 6 7 x", "non-numeric"),
    ("1 2 3 4 5 6 7 1e999999999", "exponent"),
    ("1 2 3 4 5 6 7 " + "9" * 5000, "too many digits"),
])
def test_malformed_bodies_keep_positioned_errors(body: str, where: str) -> None:
    with pytest.raises(SpecError) as ei:
        read_nfg(nfg_text((2, 2), [body], " "), "bad.nfg")
    d = ei.value.diagnostics[0]
    assert d.code == "E301" and d.span.line >= 1 and where in d.message + (d.hint or "")


@pytest.mark.parametrize("n", [33, 65])
def test_too_many_players_refused_with_position(n: int) -> None:
    text = nfg_text((1,) * n, ["1"] * n, " ")
    with pytest.raises(SpecError) as ei:
        read_nfg(text, "p.nfg")
    d = ei.value.diagnostics[0]
    assert d.code == "E301" and f"{n} players" in d.message and d.span.line == 1


def test_thirty_two_one_action_players_work(cli: Any, tmp_path: Path) -> None:
    f = tmp_path / "p32.nfg"
    f.write_text(nfg_text((1,) * 32, ["1"] * 32, " "))
    for cmd in ("solve", "check", "show"):
        res = cli(cmd, str(f))
        assert res.code in (0, 3), res


@pytest.mark.parametrize("n", [33, 40, 64, 65])
def test_many_one_action_agents_in_a_spec(cli: Any, tmp_path: Path, n: int) -> None:
    f = tmp_path / "a.vg"
    f.write_text(f'game g "one action each"\nagents a[1..{n}]: actions x\npayoff a[i] = 1\n'
                 'property "p": exists pure nash\n')
    res = cli("solve", str(f))
    assert res.code == 2 and "E202" in res.err, res
    res = cli("check", str(f))
    assert res.code in (0, 2, 3) and "internal error" not in res.err, res


BIG = ('game g "big"\nagents a[1..{n}]: actions x, y\n'
       'payoff a[i] = 10^30 * count(j: a[j] == x) + (1 if a[i] == y else 0)\n')


def test_huge_payoffs_refused_before_memory_is_spent(cli: Any, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import verigroup.evaluate as E

    # the mechanism at a small scale: 2^16 profiles x 16 agents of 10^30-sized
    # numbers predicted from the first table (about 50 MB) against a 20 MB budget
    monkeypatch.setattr(E, "MAX_TENSOR_BYTES", 20_000_000)
    f = tmp_path / "big.vg"
    f.write_text(BIG.format(n=16))
    res = cli("solve", str(f))
    assert res.code == 2 and "E202" in res.err and "GB" in res.err, res
    assert ":3:" in res.err  # positioned at the payoff
    monkeypatch.setattr(E, "MAX_TENSOR_BYTES", 200_000_000)
    assert cli("solve", str(f)).code == 0  # within the budget it is solved


@pytest.mark.slow
def test_huge_payoffs_22_agents(cli: Any, tmp_path: Path) -> None:
    """The issue's case: within the profile guard, 10^30-sized payoffs."""
    f = tmp_path / "big.vg"
    f.write_text(BIG.format(n=22))
    res = cli("solve", str(f))
    assert res.code == 2 and "E202" in res.err, res


@pytest.mark.parametrize("num", ["1e999999999", "1e-999999999", "9" * 5000, "1/" + "7" * 5000, "1e4001"])
def test_efg_numbers_are_bounded(num: str) -> None:
    from verigroup.io.efg import read_efg

    text = ('EFG 2 R "g" { "A" "B" }\n""\n'
            'p "" 1 1 "" { "x" "y" } 0\n'
            f't "" 1 "" {{ {num}, 0 }}\n'
            't "" 2 "" { 0, 1 }\n')
    with pytest.raises(SpecError) as ei:
        read_efg(text, "g.efg")
    assert ei.value.diagnostics[0].code == "E301"


def test_mixed_dominance_with_huge_payoffs_is_exact(cli: Any, tmp_path: Path) -> None:
    """Payoffs beyond float range: the dominance LP reads them scaled
    exactly (no int-to-float overflow) and the elimination is verified in
    exact arithmetic: B is dominated by (T + M) / 2 only."""
    x = 10 ** 400
    # row player T, M, B; column player L, R; player 1 fastest
    rows = {("T", "L"): 3 * x, ("M", "L"): 0, ("B", "L"): x,
            ("T", "R"): 0, ("M", "R"): 3 * x, ("B", "R"): x}
    words = []
    for c in ("L", "R"):
        for r in ("T", "M", "B"):
            words += [str(rows[(r, c)]), "0"]
    f = tmp_path / "huge.nfg"
    f.write_text('NFG 1 R "huge" { "row" "col" } { { "T" "M" "B" } { "L" "R" } }\n' + " ".join(words) + "\n")
    res = cli("solve", str(f), "--format", "json")
    assert res.code == 0, res
    import json

    doc = json.loads(res.out)
    elim = doc["iesds"]["eliminated"]
    assert [(e["agent"], e["action"]) for e in elim] == [("row", "B")]
    assert doc["iesds"]["surviving"]["row"] == ["T", "M"]


def test_correlated_with_payoffs_beyond_float_range(cli: Any, tmp_path: Path) -> None:
    """The float LP cannot read 10^400: the exact simplex decides instead (the
    max-welfare correlated equilibrium of chicken 6/7/2/0, scaled)."""
    x = 10 ** 400
    pay = {("C", "C"): (6, 6), ("D", "C"): (7, 2), ("C", "D"): (2, 7), ("D", "D"): (0, 0)}
    words = [str(u * x) for b in "CD" for a in "CD" for u in pay[(a, b)]]
    f = tmp_path / "chicken.nfg"
    f.write_text('NFG 1 R "chicken" { "A" "B" } { { "C" "D" } { "C" "D" } }\n' + " ".join(words) + "\n")
    res = cli("solve", str(f), "--concept", "correlated", "--format", "json")
    assert res.code == 0, res
    import json

    eq = json.loads(res.out)["equilibria"][0]
    dist = {(d["profile"]["A"], d["profile"]["B"]): d["probability"] for d in eq["distribution"]}
    assert dist == {("C", "C"): "1/2", ("C", "D"): "1/4", ("D", "C"): "1/4"}
