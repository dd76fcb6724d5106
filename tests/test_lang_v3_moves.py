"""Language v2 (issue 8, LANG3): valued moves in protocols.

``leader chooses q1 = 1, q2 = 2`` gives each move a constant value, read with
``value(leader)`` (an agent's own-named stage; ``value(a[i])`` for a family
move) or ``value(STAGE)`` (a labelled stage); 0 where the stage was not
played.  The differential test writes the same game twice -- with valued
moves and with the values spelled out as ``if STAGE == x`` ladders -- and
requires identical subgame-perfect and strategic-form equilibria."""

from __future__ import annotations

import json
import random
from pathlib import Path
from fractions import Fraction
from typing import Any

import pytest

import verigroup
from verigroup.diagnostics import SpecError
from verigroup.verdicts import Verdict

STACKELBERG = """game stackelberg
param a = 6
agents leader, follower
protocol:
    leader chooses q1 = 1, q2 = 2, q3 = 3
    follower chooses r1 = 1, r2 = 2, r3 = 3
payoff leader = value(leader) * (a - value(leader) - value(follower))
payoff follower = value(follower) * (a - value(leader) - value(follower))
"""


def paths(sol: Any) -> list[tuple[tuple[str, str], ...]]:
    return sorted(tuple(sorted((k, str(v)) for k, v in e.payoffs.items())) for e in sol.equilibria)


def test_golden_stackelberg() -> None:
    m = verigroup.parse(STACKELBERG)
    spe = m.equilibria("spe")
    # follower: r2 or r3 after q1, r2 after q2, r1 or r2 after q3; the leader's best: q3 (6) or q2 (4)
    assert len(spe.equilibria) == 4
    assert sorted(e.payoffs["leader"] for e in spe.equilibria) == [4, 4, 6, 6]
    # the same game with a larger market: the param reaches the values' products
    m2 = verigroup.parse(STACKELBERG, overrides={"a": "7"})
    best = max(e.payoffs["leader"] for e in m2.equilibria("spe").equilibria)
    assert best == max(q * (7 - q - r) for q in (1, 2, 3)
                       for r in (1, 2, 3) if r * (7 - q - r) == max(s * (7 - q - s) for s in (1, 2, 3)))


def test_an_unplayed_stage_reads_zero() -> None:
    src = ("game entry\nparam big = 5\nagents entrant, incumbent\nprotocol:\n"
           "    entrant chooses enter, stay_out\n"
           "    price: incumbent chooses low = 1, high = big if entrant == enter\n"
           "payoff entrant = value(price) - (2 if entrant == enter else 0)\n"
           "payoff incumbent = 4 + value(price)\n"
           'property "entry": for every spe: eventually entrant == enter\n')
    m = verigroup.parse(src)
    [e] = m.equilibria("spe").equilibria
    assert e.payoffs == {"entrant": 3, "incumbent": 9}
    nash = m.equilibria("nash")
    # staying out: the price stage is not played, value(price) is 0
    assert {"entrant": 0, "incumbent": 4} in [eq.payoffs for eq in nash.equilibria]
    assert m.check().results[0].verdict is Verdict.HOLDS


def test_family_moves_and_aggregates() -> None:
    src = ("game volunteers\nagents a[1..3]\nprotocol:\n    a[i] chooses zero = 0, one = 1, two = 2\n"
           "payoff a[i] = min(2, sum(j in 1..3: value(a[j]))) * 3 - value(a[i]) * 2\n")
    m = verigroup.parse(src)
    sol = m.equilibria("nash")
    # independent brute force over the 27 profiles
    vals = {"zero": 0, "one": 1, "two": 2}
    names = list(vals)

    def u(p: tuple[str, ...], i: int) -> int:
        return min(2, sum(vals[x] for x in p)) * 3 - vals[p[i]] * 2

    import itertools
    expected = sorted(p for p in itertools.product(names, repeat=3)
                      if all(u(p, i) >= u(p[:i] + (b,) + p[i + 1:], i) for i in range(3) for b in names))
    got = sorted(tuple(next(iter(e.strategies[f"a[{k}]"])) for k in (1, 2, 3)) for e in sol.equilibria)
    assert got == expected and got


# ------------------------------------------- differential: valued vs spelled out


def _game(rng: random.Random) -> tuple[str, str]:
    k1, k2 = rng.choice([2, 3]), rng.choice([2, 3])
    v1 = [Fraction(rng.randint(-4, 4), rng.choice([1, 2])) for _ in range(k1)]
    v2 = [Fraction(rng.randint(-4, 4), rng.choice([1, 3])) for _ in range(k2)]
    c = [rng.randint(-2, 2) for _ in range(6)]
    sees = rng.choice(["", " sees nothing"])
    cond = rng.choice(["", " if first == m0"])

    def moves(prefix: str, vs: list[Fraction], valued: bool) -> str:
        return ", ".join(f"{prefix}{i} = {v}" if valued else f"{prefix}{i}" for i, v in enumerate(vs))

    def ladder(stage: str, prefix: str, vs: list[Fraction]) -> str:
        out = "0"
        for i in reversed(range(len(vs))):
            out = f"({vs[i]} if {stage} == {prefix}{i} else {out})"
        return out

    def spec(valued: bool) -> str:
        x = "value(first)" if valued else ladder("first", "m", v1)
        y = "value(second)" if valued else ladder("second", "n", v2)
        return (f"game g\nagents alice, bob\nprotocol:\n"
                f"    first: alice chooses {moves('m', v1, valued)}\n"
                f"    second: bob chooses {moves('n', v2, valued)}{sees}{cond}\n"
                f"payoff alice = {c[0]} * {x} + {c[1]} * {y} + {c[2]} * {x} * {y}\n"
                f"payoff bob = {c[3]} * {y} + {c[4]} * {x} + {c[5]} * {y} * {y}\n")
    return spec(True), spec(False)


@pytest.mark.parametrize("seed", range(8))
def test_valued_moves_match_spelled_out_values(seed: int) -> None:
    valued, spelled = _game(random.Random(seed))
    a, b = verigroup.parse(valued), verigroup.parse(spelled)
    for concept in ("spe", "nash"):
        sa, sb = a.equilibria(concept), b.equilibria(concept)
        assert sa.complete and sb.complete
        assert paths(sa) == paths(sb), (concept, valued)
        assert sorted(repr(sorted(e.strategies.items())) for e in sa.equilibria) == \
            sorted(repr(sorted(e.strategies.items())) for e in sb.equilibria)


# ------------------------------------------------------------ errors


HEAD = "game g\nagents alice, bob: actions x, y\nprotocol:\n"


@pytest.mark.parametrize("body,code,words,line,col", [
    ("    alice chooses x = 1, y\n    bob chooses x, y\npayoff alice = value(alice)\npayoff bob = 0\n",
     "E110", "has no value", 4, 26),
    ("    alice chooses x, y\n    s: bob chooses x, y\npayoff alice = value(s)\npayoff bob = 0\n",
     "E110", "carry no values", 6, 22),
    ("    alice chooses x = 1, y = bob\n    bob chooses x, y\npayoff alice = 0\npayoff bob = 0\n",
     "E107", "not a constant", 4, 30),
    ("    alice chooses x = 1, y = 2\n    bob chooses x, y\npayoff alice = value(s2)\npayoff bob = 0\n",
     "E103", "value(STAGE)", 6, 16),
])
def test_errors_are_positioned(body: str, code: str, words: str, line: int, col: int) -> None:
    with pytest.raises(SpecError) as info:
        verigroup.parse(HEAD + body)
    d = next(x for x in info.value.diagnostics if x.code == code)
    assert words in d.message + (d.hint or ""), info.value.render()
    assert (d.span.line, d.span.column) == (line, col), info.value.render()
    assert len(info.value.diagnostics) == 1, info.value.render()  # no cascade


def test_values_given_twice_are_refused() -> None:
    src = ("game g\nagents alice, bob: actions x = 1, y = 2\nprotocol:\n    alice chooses x = 3, y = 4\n"
           "    bob chooses x, y\npayoff alice = value(alice)\npayoff bob = 0\n")
    with pytest.raises(SpecError) as info:
        verigroup.parse(src)
    d = info.value.diagnostics[0]
    assert d.code == "E102" and "already carry values" in d.message and d.span.line == 4


def test_fmt_keeps_valued_moves() -> None:
    from verigroup.syntax.fmt import format_spec

    once = format_spec(STACKELBERG)
    assert "leader chooses q1 = 1, q2 = 2, q3 = 3" in once and format_spec(once) == once


REPEATED = """game commons
agents f1, f2
state stock = 4
protocol:
    repeat 2 rounds discount 9/10:
        f1 chooses low = 1, high = 2
        f2 chooses low = 1, high = 2 sees nothing
        bonus: f1 chooses keep = 0, extra = 1 if value(f1) + value(f2) <= 2
        update stock = min(4, 2 * max(0, stock - value(f1) - value(f2) - value(bonus)))
payoff f1 = value(f1) + value(bonus) if value(f1) + value(f2) <= stock else stock / 2
payoff f2 = value(f2) if value(f1) + value(f2) <= stock else stock / 2
"""


def test_values_in_conditions_updates_and_repeated_rounds() -> None:
    spelled = (REPEATED.replace("value(f1)", "(1 if f1 == low else 2)")
               .replace("value(f2)", "(1 if f2 == low else 2)")
               .replace("value(bonus)", "(1 if bonus == extra else 0)")
               .replace("low = 1, high = 2", "low, high").replace("keep = 0, extra = 1", "keep, extra"))
    assert "value(" not in spelled
    a, b = verigroup.parse(REPEATED).equilibria("spe"), verigroup.parse(spelled).equilibria("spe")
    assert a.complete and len(a.equilibria) == len(b.equilibria) > 0
    assert paths(a) == paths(b)


@pytest.mark.parametrize("seed", range(4))
def test_pure_equilibria_agree_with_pygambit(seed: int) -> None:
    """An independent engine: the protocol's tree exported to Gambit's EFG
    format, pure equilibria enumerated by pygambit (each player moves once,
    so the full and reduced strategic forms coincide)."""
    import io

    pygambit = pytest.importorskip("pygambit")
    from verigroup.io.efg import write_efg
    from verigroup.resolve import build_model

    valued, _ = _game(random.Random(50 + seed))
    tree = build_model(valued).protocol
    g = pygambit.read_efg(io.BytesIO(write_efg(tree).encode()))
    theirs = sorted(tuple(Fraction(str(eq.payoff(p))) for p in g.players)
                    for eq in pygambit.nash.enumpure_solve(g).equilibria)
    ours = sorted(tuple(Fraction(e.payoffs[p]) for p in ("alice", "bob"))
                  for e in verigroup.parse(valued).equilibria("nash").equilibria)
    assert [p.label for p in g.players] == ["alice", "bob"]
    assert ours == theirs and ours


def test_replay_rederives_strategic_form_claims_of_a_protocol(tmp_path: Path, cli: Any) -> None:
    """The follower moves at two information sets (after q2, after q3), so
    its strategies are not its moves: replay walks the tree for each
    strategy profile instead of evaluating the payoffs at moves."""
    spec = tmp_path / "s.vg"
    spec.write_text("game s\nparam a = 6\nagents leader, follower\nprotocol:\n"
                    "    leader chooses q1 = 1, q2 = 2, q3 = 3\n"
                    "    price: follower chooses r1 = 1, r2 = 2, r3 = 3 if leader != q1\n"
                    "payoff leader = value(leader) * (a - value(leader) - value(price))\n"
                    "payoff follower = value(price) * (a - value(leader) - value(price))\n"
                    'property "seven": count(nash) == 7\n'
                    'property "some keeps the follower out": for some nash p: payoff(follower, p) == 0\n')
    report = tmp_path / "r.json"
    assert cli("check", str(spec), "--format", "json", "-o", str(report)).code == 0
    res = cli("replay", str(report))
    assert res.code == 0 and "MISMATCH" not in res.out and "7 == 7" in res.out, res.out
    doc = json.loads(report.read_text())
    doc["reports"][0]["properties"][0]["evidence"]["sides"]["left"] = "6"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    res = cli("replay", str(bad))
    assert res.code != 0 and "MISMATCH" in res.out, res.out
