"""End-to-end differential tests at the command-line level.

Random small normal-form games (2-3 agents, 1-4 actions each; small integer
payoffs so that ties and degenerate games are common, plus rational,
decimal and ~10^30 payoffs) are written twice, by this file and
independently of verigroup's writers:

* as spec text in verigroup's language (three payoff styles: a sum of
  ``(v if p1 == a1 and p2 == a2 else 0)`` terms, a decision tree nested by
  agent, and a flat chain of conditionals over every profile);
* as a Gambit ``.nfg`` file in the payoff-list dialect.

``verigroup solve`` and ``verigroup check`` are run in-process through
``verigroup.cli.main.main`` and their JSON is compared against
computations done here: a brute force in Fractions (pure Nash, dominance,
existence, uniqueness, bounds), exact regret checks (mixed Nash, correlated
constraints), pygambit's ``enummixed_solve(rational=True)`` and ``lrsnash``
(mixed Nash, two agents) and scipy's ``linprog`` (correlated optimum; a float
oracle only, compared within 1e-9 after scaling).

Disagreements of a reference engine are settled by exact verification:
a reference profile that fails the regret check, or a verified profile the
reference misses, is recorded in ``REFERENCE_DISAGREEMENTS`` (and printed at
teardown); a verified extreme equilibrium that verigroup misses fails.

Default run: a bounded, derandomised sample.  Larger run:
``python -m pytest -m slow tests/test_e2e_differential.py``.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from fractions import Fraction as F
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verigroup.cli.main import main

Profile = tuple[int, ...]
REFERENCE_DISAGREEMENTS: list[dict[str, Any]] = []

# --------------------------------------------------------------- the games


@dataclass(frozen=True)
class Game:
    agents: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    literals: dict[Profile, tuple[str, ...]]  # payoff text per profile, per agent
    form: str  # "sum" | "tree" | "chain"

    @property
    def profiles(self) -> list[Profile]:
        return list(itertools.product(*(range(len(a)) for a in self.actions)))

    def u(self, i: int, s: Profile) -> F:
        return F(self.literals[s][i])

    @property
    def n(self) -> int:
        return len(self.agents)

    def sizes(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.actions)


SMALL = [str(v) for v in range(-3, 4)]
RATIONALS = ["7/3", "-7/3", "1/2", "5/6", "-2/7", "11/4"]
DECIMALS = ["0.25", "-0.5", "1.75", "0.1", "2.5", "-1.25"]
HUGE_BASE = 10 ** 30


@st.composite
def literal(draw: st.DrawFn, kind: str) -> str:
    if kind == "small" or draw(st.integers(0, 2)) == 0:
        return draw(st.sampled_from(SMALL))
    if kind == "rational":
        return draw(st.sampled_from(RATIONALS))
    if kind == "decimal":
        return draw(st.sampled_from(DECIMALS))
    # huge: values near +-10^30 that still tie or differ by one
    return str(draw(st.integers(-2, 2)) * HUGE_BASE + draw(st.integers(-1, 1)))


def _negate(lit: str) -> str:
    return "0" if F(lit) == 0 else (lit[1:] if lit.startswith("-") else "-" + lit)


@st.composite
def games(draw: st.DrawFn, max_agents: int = 3) -> Game:
    n = draw(st.integers(2, max_agents))
    # sampled_from, not integers(): hypothesis would mostly try 1-action agents
    sizes = [draw(st.sampled_from([2, 3, 4, 1] if n == 2 else [2, 3, 1])) for _ in range(n)]
    kind = draw(st.sampled_from(["small", "small", "small", "rational", "decimal", "huge"]))
    zero_sum = n == 2 and draw(st.integers(0, 3)) == 0  # often without pure equilibria
    agents = tuple(f"p{i + 1}" for i in range(n))
    actions = tuple(tuple(f"a{j + 1}" for j in range(k)) for k in sizes)
    lits: dict[Profile, tuple[str, ...]] = {}
    for s in itertools.product(*(range(k) for k in sizes)):
        lits[s] = tuple(draw(literal(kind)) for _ in range(n))
        if zero_sum:
            lits[s] = (lits[s][0], _negate(lits[s][0]))
    form = draw(st.sampled_from(["sum", "tree", "chain"]))
    return Game(agents, actions, lits, form)


# ------------------------------------------------------------ spec writer


def _cond(g: Game, s: Profile) -> str:
    return " and ".join(f"{g.agents[k]} == {g.actions[k][s[k]]}" for k in range(g.n))


def _sum_form(g: Game, i: int) -> str:
    terms = [f"({g.literals[s][i]} if {_cond(g, s)} else 0)" for s in g.profiles if g.u(i, s) != 0]
    return "\n    + ".join(terms) if terms else "0"


def _tree_form(g: Game, i: int, prefix: Profile = ()) -> str:
    k = len(prefix)
    if k == g.n:
        return g.literals[prefix][i]
    branches = [_tree_form(g, i, prefix + (j,)) for j in range(len(g.actions[k]))]
    out = branches[-1]
    for j in range(len(branches) - 2, -1, -1):
        out = f"({branches[j]} if {g.agents[k]} == {g.actions[k][j]} else {out})"
    return out


def _chain_form(g: Game, i: int) -> str:
    ps = g.profiles
    out = g.literals[ps[-1]][i]
    for s in reversed(ps[:-1]):
        out = f"({g.literals[s][i]} if {_cond(g, s)}\n    else {out})"
    return out


def spec_text(g: Game, properties: list[tuple[str, str]] = ()) -> str:  # type: ignore[assignment]
    lines = ["# generated by tests/test_e2e_differential.py", "game random_game"]
    for name, acts in zip(g.agents, g.actions):
        lines.append(f"agent {name}: actions {', '.join(acts)}")
    write = {"sum": _sum_form, "tree": _tree_form, "chain": _chain_form}[g.form]
    for i, name in enumerate(g.agents):
        lines.append(f"payoff {name} = {write(g, i)}")
    for pname, body in properties:
        lines.append(f'property "{pname}": {body}')
    return "\n".join(lines) + "\n"


def nfg_text(g: Game) -> str:
    players = " ".join(f'"{a}"' for a in g.agents)
    strategies = " ".join("{ " + " ".join(f'"{x}"' for x in acts) + " }" for acts in g.actions)
    # payoff-list dialect: the first player's strategy changes fastest
    order = [tuple(reversed(r)) for r in itertools.product(*(range(k) for k in reversed(g.sizes())))]
    body = " ".join(" ".join(g.literals[s]) for s in order)
    return f'NFG 1 R "random game" {{ {players} }} {{ {strategies} }}\n""\n\n{body}\n'


# ------------------------------------------------------------- CLI runner


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def solve_json(path: Path, concept: str) -> dict[str, Any]:
    code, out, err = run_cli("solve", str(path), "--concept", concept, "--format", "json")
    assert code == 0, (concept, code, err, path.read_text())
    doc = json.loads(out)
    assert doc["concept"] in ("pure_nash", "mixed_nash", "correlated")
    return doc  # type: ignore[no-any-return]


def without_spec(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "spec"}


# ---------------------------------------------------------- brute forces


def pure_nash(g: Game) -> set[Profile]:
    out = set()
    for s in g.profiles:
        if all(g.u(i, s) >= g.u(i, s[:i] + (b,) + s[i + 1:])
               for i in range(g.n) for b in range(g.sizes()[i])):
            out.add(s)
    return out


def opponent_profiles(g: Game, i: int) -> Iterator[Profile]:
    others = [range(k) if j != i else range(1) for j, k in enumerate(g.sizes())]
    return itertools.product(*others)


def dominant(g: Game, i: int, a: int, strict: bool) -> bool:
    for b in range(g.sizes()[i]):
        if b == a:
            continue
        better_somewhere = False
        for o in opponent_profiles(g, i):
            sa, sb = o[:i] + (a,) + o[i + 1:], o[:i] + (b,) + o[i + 1:]
            if strict and not g.u(i, sa) > g.u(i, sb):
                return False
            if g.u(i, sa) < g.u(i, sb):
                return False
            better_somewhere |= g.u(i, sa) > g.u(i, sb)
        if not better_somewhere:
            return False
    return True


Mixed = tuple[tuple[F, ...], tuple[F, ...]]


def mixed_regret_zero(g: Game, x: tuple[F, ...], y: tuple[F, ...]) -> bool:
    m, n = g.sizes()
    if any(v < 0 for v in x + y) or sum(x) != 1 or sum(y) != 1:
        return False
    row = [sum(y[j] * g.u(0, (r, j)) for j in range(n)) for r in range(m)]
    col = [sum(x[r] * g.u(1, (r, c)) for r in range(m)) for c in range(n)]
    return (sum(x[r] * row[r] for r in range(m)) == max(row)
            and sum(y[c] * col[c] for c in range(n)) == max(col))


def strategies_vector(g: Game, k: int, strat: dict[str, str]) -> tuple[F, ...]:
    assert set(strat) <= set(g.actions[k]), strat
    return tuple(F(strat.get(a, "0")) for a in g.actions[k])


def parse_mixed(g: Game, doc: dict[str, Any]) -> set[Mixed]:
    out = set()
    for eq in doc["equilibria"]:
        x = strategies_vector(g, 0, eq["strategies"][g.agents[0]])
        y = strategies_vector(g, 1, eq["strategies"][g.agents[1]])
        out.add((x, y))
    assert len(out) == len(doc["equilibria"]), "duplicate mixed equilibria in the report"
    return out


def gambit_mixed(g: Game) -> set[Mixed]:
    import pygambit as gbt

    m, n = g.sizes()
    a = np.array([[g.u(0, (r, c)) for c in range(n)] for r in range(m)], dtype=object)
    b = np.array([[g.u(1, (r, c)) for c in range(n)] for r in range(m)], dtype=object)
    gg = gbt.Game.from_arrays(a, b)
    res = gbt.nash.enummixed_solve(gg, rational=True)
    players = list(gg.players)
    return {(tuple(F(str(eq[s])) for s in players[0].strategies),
             tuple(F(str(eq[s])) for s in players[1].strategies)) for eq in res.equilibria}


def lrsnash_mixed(g: Game) -> set[Mixed] | None:
    exe = shutil.which("lrsnash")
    if exe is None:
        return None
    m, n = g.sizes()
    mats = []
    for i in range(2):
        vals = [[g.u(i, (r, c)) for c in range(n)] for r in range(m)]
        den = math.lcm(*(v.denominator for row in vals for v in row))
        ints = [[int(v * den) for v in row] for row in vals]
        shift = 1 - min(v for row in ints for v in row)  # positive payoffs; same equilibria
        mats.append([[v + shift for v in row] for row in ints])
    text = f"{m} {n}\n\n" + "\n".join(" ".join(map(str, r)) for r in mats[0]) + "\n\n" \
        + "\n".join(" ".join(map(str, r)) for r in mats[1]) + "\n"
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "g.game"
        p.write_text(text)
        proc = subprocess.run([exe, str(p)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out: set[Mixed] = set()
    pending: list[tuple[F, ...]] = []
    for line in proc.stdout.splitlines():
        tok = line.split()
        if not tok or tok[0].startswith("*"):
            pending = [] if not tok else pending
            continue
        if tok[0] == "2":
            pending.append(tuple(F(t) for t in tok[1:1 + n]))
        elif tok[0] == "1":
            x = tuple(F(t) for t in tok[1:1 + m])
            out.update((x, y) for y in pending)
            pending = []
    return out


def settle(name: str, g: Game, ours: set[Mixed], ref: set[Mixed]) -> None:
    for p in ref - ours:
        if mixed_regret_zero(g, *p):
            pytest.fail(f"{name} finds a verified equilibrium verigroup misses: {p}\n{spec_text(g)}")
        REFERENCE_DISAGREEMENTS.append({"engine": name, "kind": "non-equilibrium returned",
                                        "profile": p, "spec": spec_text(g)})
    for p in ours - ref:
        REFERENCE_DISAGREEMENTS.append({"engine": name, "kind": "missed a verified equilibrium",
                                        "profile": p, "spec": spec_text(g)})


# ------------------------------------------------------ correlated checks


def ce_constraints_hold(g: Game, dist: dict[Profile, F]) -> bool:
    if any(p < 0 for p in dist.values()) or sum(dist.values()) != 1:
        return False
    for i in range(g.n):
        for a in range(g.sizes()[i]):
            for b in range(g.sizes()[i]):
                if a == b:
                    continue
                gain = sum((p * (g.u(i, s[:i] + (b,) + s[i + 1:]) - g.u(i, s))
                            for s, p in dist.items() if s[i] == a), F(0))
                if gain > 0:
                    return False
    return True


def float_lp_reliable(g: Game) -> bool:
    """A float LP cannot see payoff differences below ~1e-7 of an agent's
    payoff scale (e.g. 10^30 against 10^30 + 1): the oracle is then skipped."""
    for i in range(g.n):
        vals = sorted({g.u(i, s) for s in g.profiles})
        own = max([abs(v) for v in vals] + [F(1)])
        if any((b - a) / own < F(1, 10 ** 6) for a, b in zip(vals, vals[1:])):
            return False
    return True


def ce_lp_optimum(g: Game) -> float:
    """Max sum of payoffs over the correlated polytope, payoffs scaled by
    their largest magnitude (returned on the scaled scale)."""
    from scipy.optimize import linprog

    ps = g.profiles
    scale = max([abs(g.u(i, s)) for s in ps for i in range(g.n)] + [F(1)])
    u = {(i, s): float(g.u(i, s) / scale) for s in ps for i in range(g.n)}
    rows = []
    for i in range(g.n):
        # each agent's incentive constraints on its own scale (same polytope)
        own = max([abs(g.u(i, s)) for s in ps] + [F(1)])
        for a in range(g.sizes()[i]):
            for b in range(g.sizes()[i]):
                if a != b:
                    rows.append([float((g.u(i, s[:i] + (b,) + s[i + 1:]) - g.u(i, s)) / own)
                                 if s[i] == a else 0.0 for s in ps])
    c = [-sum(u[i, s] for i in range(g.n)) for s in ps]
    res = linprog(c, A_ub=np.array(rows) if rows else None, b_ub=np.zeros(len(rows)) if rows else None,
                  A_eq=np.ones((1, len(ps))), b_eq=[1.0], bounds=[(0, None)] * len(ps), method="highs")
    assert res.status == 0, res.message
    return float(-res.fun)


# --------------------------------------------------------- the solve test


def welfare(g: Game, s: Profile) -> F:
    return sum((g.u(i, s) for i in range(g.n)), F(0))


def run_solve_case(g: Game) -> None:
    with tempfile.TemporaryDirectory() as d:
        vg, nfg = Path(d) / "game.vg", Path(d) / "game.nfg"
        vg.write_text(spec_text(g))
        nfg.write_text(nfg_text(g))
        concepts = ["pure", "correlated"] + (["mixed"] if g.n == 2 else [])
        docs = {}
        for c in concepts:
            a, b = solve_json(vg, c), solve_json(nfg, c)
            assert without_spec(a) == without_spec(b), f"spec and .nfg disagree on {c}:\n{spec_text(g)}"
            assert a["complete"] is True, a
            docs[c] = a

    # 1. pure equilibria against the brute force
    pure = pure_nash(g)
    got = set()
    for eq in docs["pure"]["equilibria"]:
        strat = eq["strategies"]
        assert all(list(strat[ag].values()) == ["1"] for ag in g.agents), eq
        s = tuple(g.actions[k].index(next(iter(strat[ag]))) for k, ag in enumerate(g.agents))
        assert {ag: F(v) for ag, v in eq["payoffs"].items()} == {ag: g.u(k, s) for k, ag in enumerate(g.agents)}
        got.add(s)
    assert len(got) == len(docs["pure"]["equilibria"])
    assert got == pure, f"pure: expected {sorted(pure)}, got {sorted(got)}\n{spec_text(g)}"
    best = max((welfare(g, s) for s in pure), default=None)

    # 1b. mixed equilibria (two agents)
    if g.n == 2:
        ours = parse_mixed(g, docs["mixed"])
        for x, y in ours:
            assert mixed_regret_zero(g, x, y), f"mixed profile fails exact check: {(x, y)}\n{spec_text(g)}"
        m, n = g.sizes()
        as_mixed = {(tuple(F(int(r == s[0])) for r in range(m)), tuple(F(int(c == s[1])) for c in range(n)))
                    for s in pure}
        assert as_mixed <= ours, f"pure equilibria missing from mixed: {as_mixed - ours}\n{spec_text(g)}"
        settle("pygambit-enummixed-rational", g, ours, gambit_mixed(g))
        lrs = lrsnash_mixed(g)
        if lrs is not None:
            settle("lrsnash", g, ours, lrs)
        for x, y in ours:
            w = sum((x[r] * y[c] * welfare(g, (r, c)) for r in range(m) for c in range(n)), F(0))
            best = w if best is None else max(best, w)

    # 2. correlated: exact constraints, contains Nash, equals the LP optimum
    eqs = docs["correlated"]["equilibria"]
    assert len(eqs) == 1, eqs
    dist: dict[Profile, F] = {}
    for entry in eqs[0]["distribution"]:
        s = tuple(g.actions[k].index(entry["profile"][ag]) for k, ag in enumerate(g.agents))
        dist[s] = dist.get(s, F(0)) + F(entry["probability"])
    assert ce_constraints_hold(g, dist), f"not a correlated equilibrium: {dist}\n{spec_text(g)}"
    value = sum((p * welfare(g, s) for s, p in dist.items()), F(0))
    for k, ag in enumerate(g.agents):
        assert F(eqs[0]["payoffs"][ag]) == sum((p * g.u(k, s) for s, p in dist.items()), F(0))
    if best is not None:
        assert value >= best, f"CE value {value} < Nash welfare {best}\n{spec_text(g)}"
    scale = max([abs(g.u(i, s)) for s in g.profiles for i in range(g.n)] + [F(1)])
    if not float_lp_reliable(g):
        return
    lp = ce_lp_optimum(g)
    assert abs(float(value / scale) - lp) <= 1e-9, (value, lp * float(scale), spec_text(g))


SOLVE_SETTINGS = dict(derandomize=True, deadline=None, database=None,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(max_examples=60, **SOLVE_SETTINGS)  # type: ignore[arg-type]
@given(games())
def test_solve_agrees(g: Game) -> None:
    run_solve_case(g)


@pytest.mark.slow
@settings(max_examples=400, **SOLVE_SETTINGS)  # type: ignore[arg-type]
@given(games())
def test_solve_agrees_full(g: Game) -> None:
    run_solve_case(g)


# --------------------------------------------------------- the check test


def fmt(v: F) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


@st.composite
def check_cases(draw: st.DrawFn) -> tuple[Game, list[tuple[str, str, bool]]]:
    g = draw(games())
    props: list[tuple[str, str, bool]] = []
    s = tuple(draw(st.integers(0, k - 1)) for k in g.sizes())
    pure = pure_nash(g)
    prof = ", ".join(f"{ag}: {g.actions[k][s[k]]}" for k, ag in enumerate(g.agents))
    props.append(("nash profile", f"nash {{{prof}}}", s in pure))
    for strength in ("strictly", "weakly"):
        i = draw(st.integers(0, g.n - 1))
        a = draw(st.integers(0, g.sizes()[i] - 1))
        props.append((f"{strength} dominant", f"{strength} dominant({g.agents[i]}, {g.actions[i][a]})",
                      dominant(g, i, a, strength == "strictly")))
    props.append(("exists", "exists nash", len(pure) >= 1))
    props.append(("unique", "unique nash", len(pure) == 1))
    i = draw(st.integers(0, g.n - 1))
    values = sorted({g.u(i, t) for t in g.profiles})
    k_val = draw(st.one_of(st.sampled_from(values), st.sampled_from(values).map(lambda v: v + F(1, 3)),
                           st.fractions(-4, 4, max_denominator=5)))
    props.append(("every bound", f"for every nash p: payoff({g.agents[i]}, p) >= {fmt(k_val)}",
                  all(g.u(i, t) >= k_val for t in pure)))
    props.append(("some bound", f"for some nash p: payoff({g.agents[i]}, p) < {fmt(k_val)}",
                  any(g.u(i, t) < k_val for t in pure)))
    return g, props


def run_check_case(g: Game, props: list[tuple[str, str, bool]], subset: list[int]) -> None:
    chosen = [props[j] for j in subset]
    text = spec_text(g, [(name, body) for name, body, _ in chosen])
    with tempfile.TemporaryDirectory() as d:
        vg = Path(d) / "game.vg"
        vg.write_text(text)
        code, out, err = run_cli("check", str(vg), "--format", "json")
    assert code in (0, 1), (code, err, text)
    doc = json.loads(out)
    results = doc["reports"][0]["properties"]
    assert [r["name"] for r in results] == [name for name, _, _ in chosen]
    for (name, body, truth), r in zip(chosen, results):
        want = "HOLDS" if truth else "VIOLATED"
        assert r["verdict"] == want, f"{body}: expected {want}, got {r['verdict']} ({r['message']})\n{text}"
    assert code == (0 if all(t for _, _, t in chosen) else 1), (code, text)
    assert doc["exit_code"] == code


@st.composite
def check_inputs(draw: st.DrawFn) -> tuple[Game, list[tuple[str, str, bool]], list[int]]:
    g, props = draw(check_cases())
    # all properties in one spec, or a single one (so that exit code 0 occurs too)
    subset = list(range(len(props))) if draw(st.booleans()) else [draw(st.integers(0, len(props) - 1))]
    return g, props, subset


@settings(max_examples=120, **SOLVE_SETTINGS)  # type: ignore[arg-type]
@given(check_inputs())
def test_check_verdicts(case: tuple[Game, list[tuple[str, str, bool]], list[int]]) -> None:
    run_check_case(*case)


@pytest.mark.slow
@settings(max_examples=600, **SOLVE_SETTINGS)  # type: ignore[arg-type]
@given(check_inputs())
def test_check_verdicts_full(case: tuple[Game, list[tuple[str, str, bool]], list[int]]) -> None:
    run_check_case(*case)


# ------------------------------------------------- hand-picked edge cases


def table(rows: list[list[tuple[str, str]]], form: str = "sum") -> Game:
    m, n = len(rows), len(rows[0])
    lits: dict[Profile, tuple[str, ...]] = {(r, c): rows[r][c] for r in range(m) for c in range(n)}
    return Game(("p1", "p2"), (tuple(f"a{r + 1}" for r in range(m)), tuple(f"a{c + 1}" for c in range(n))),
                lits, form)


EDGE_GAMES = {
    "all ties": table([[("0", "0"), ("0", "0")], [("0", "0"), ("0", "0")]]),
    "one by one": table([[("7/3", "-0.25")]]),
    "huge near-tie": table([[(str(HUGE_BASE), str(HUGE_BASE + 1)), (str(HUGE_BASE + 1), str(HUGE_BASE))],
                            [(str(HUGE_BASE + 1), str(HUGE_BASE)), (str(HUGE_BASE), str(HUGE_BASE + 1))]]),
    "matching pennies decimals": table([[("0.25", "-0.25"), ("-0.25", "0.25")],
                                        [("-0.25", "0.25"), ("0.25", "-0.25")]], "tree"),
    "degenerate row": table([[("1", "2"), ("1", "0"), ("0", "1")], [("1", "0"), ("1", "2"), ("2", "1")]], "chain"),
}


@pytest.mark.parametrize("name", sorted(EDGE_GAMES))
def test_edge_games_solve(name: str) -> None:
    run_solve_case(EDGE_GAMES[name])


# three agents, no pure equilibrium: p1 wants to match p2, p2 to mismatch p1, p3 is indifferent
EDGE_GAMES_3 = Game(("p1", "p2", "p3"), (("a1", "a2"), ("a1", "a2"), ("a1", "a2")),
                    {s: (str(int(s[0] == s[1])), str(int(s[0] != s[1])), "7/3")
                     for s in itertools.product(range(2), repeat=3)}, "chain")


def all_properties(g: Game) -> list[tuple[str, str, bool]]:
    """Every property kind of the check test, at fixed choices."""
    pure = pure_nash(g)
    props: list[tuple[str, str, bool]] = []
    for s in g.profiles[:3]:
        prof = ", ".join(f"{ag}: {g.actions[k][s[k]]}" for k, ag in enumerate(g.agents))
        props.append((f"nash {s}", f"nash {{{prof}}}", s in pure))
    for i in range(g.n):
        for a in range(g.sizes()[i]):
            for strength in ("strictly", "weakly"):
                props.append((f"{strength} {i} {a}", f"{strength} dominant({g.agents[i]}, {g.actions[i][a]})",
                              dominant(g, i, a, strength == "strictly")))
    props.append(("exists", "exists nash", len(pure) >= 1))
    props.append(("unique", "unique nash", len(pure) == 1))
    for i in range(g.n):
        for k_val in sorted({g.u(i, t) for t in g.profiles}):
            props.append((f"every {i} {k_val}", f"for every nash p: payoff({g.agents[i]}, p) >= {fmt(k_val)}",
                          all(g.u(i, t) >= k_val for t in pure)))
    return props


@pytest.mark.parametrize("name", sorted(EDGE_GAMES) + ["three agents, no pure equilibrium"])
def test_edge_games_check(name: str) -> None:
    g = EDGE_GAMES.get(name, EDGE_GAMES_3)
    props = all_properties(g)
    run_check_case(g, props, list(range(len(props))))
    run_solve_case(g)


def teardown_module() -> None:
    if REFERENCE_DISAGREEMENTS:
        print(f"\nreference-engine disagreements settled by exact verification: {len(REFERENCE_DISAGREEMENTS)}")
        kinds: dict[tuple[str, str], int] = {}
        for d in REFERENCE_DISAGREEMENTS:
            kinds[d["engine"], d["kind"]] = kinds.get((d["engine"], d["kind"]), 0) + 1
        for (engine, kind), count in sorted(kinds.items()):
            print(f"  {engine}: {kind}: {count}")
