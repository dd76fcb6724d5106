"""Play atoms have one semantics: ``STAGE == action`` is true at a node of a
play when, on the play so far (in the current round of a repeated
protocol), the move made at that stage is ``action`` -- as in payoff
expressions; a stage not yet played makes ``==`` false and ``!=`` true.

Pinned against a brute-force evaluator written here from that definition
alone: small random protocols (spec text) are expanded into their plays by
this file's own code, every pure strategy profile is enumerated, subgame
perfection is checked by one-shot deviations with exact values, and each
temporal property (never / always / eventually, for every / some SPE) and
each enforcement property (coalition can / cannot enforce) is decided on
the literal histories.  The engine's verdict must agree on every case."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterator

import pytest

from verigroup.api import check_model, parse
from verigroup.verdicts import Verdict

AGENTS = ("a", "b")


@dataclass(frozen=True)
class Stage:
    name: str
    who: str  # an agent, or "chance"
    moves: tuple[str, ...]
    probs: tuple[Fraction, ...] = ()
    cond: tuple[str, str] | None = None  # (earlier stage, move): played only if it was made


@dataclass(frozen=True)
class Proto:
    stages: tuple[Stage, ...]
    payoff: dict[str, tuple[tuple[str, str, int], ...]]  # agent -> (stage, move, amount) terms
    base: dict[str, int]


def gen_proto(rng: random.Random) -> Proto:
    while True:
        p = _gen_proto(rng)
        if {s.who for s in p.stages} >= set(AGENTS):  # every agent moves somewhere
            return p


def _gen_proto(rng: random.Random) -> Proto:
    n = rng.randint(2, 3)
    stages: list[Stage] = []
    pool = ["x", "y", "z", "w"]
    for k in range(n):
        if k > 0 and rng.random() < 0.2:
            stages.append(Stage(f"c{k}", "chance", ("hi", "lo"), (Fraction(1, 2), Fraction(1, 2))))
            continue
        who = AGENTS[rng.randrange(2)]
        moves = tuple(rng.sample(pool, 2))
        cond = None
        if stages and rng.random() < 0.4:
            prev = rng.choice(stages)
            cond = (prev.name, rng.choice(prev.moves))
        stages.append(Stage(f"s{k}", who, moves, cond=cond))
    terms: dict[str, tuple[tuple[str, str, int], ...]] = {}
    for ag in AGENTS:
        terms[ag] = tuple((s.name, m, rng.randint(-2, 3)) for s in stages for m in s.moves if rng.random() < 0.6)
    return Proto(tuple(stages), terms, {ag: rng.randint(0, 2) for ag in AGENTS})


def proto_text(p: Proto) -> str:
    lines = ['game g "generated"', "agents a, b", "protocol:"]
    for s in p.stages:
        cond = f" if {s.cond[0]} == {s.cond[1]}" if s.cond else ""
        if s.who == "chance":
            outs = ", ".join(f"{m} {pr}" for m, pr in zip(s.moves, s.probs))
            lines.append(f"    chance {s.name}: {outs}{cond}")
        else:
            lines.append(f"    {s.name}: {s.who} chooses {', '.join(s.moves)}{cond}")
    for ag in AGENTS:
        parts = [str(p.base[ag])] + [f"({v} if {st} == {m} else 0)" for st, m, v in p.payoff[ag]]
        lines.append(f"payoff {ag} = " + " + ".join(parts))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------ the brute force

History = tuple[tuple[str, str], ...]  # (stage, move) in order


def next_stage(p: Proto, h: History) -> int | None:
    done = dict(h)
    start = 0 if not h else [s.name for s in p.stages].index(h[-1][0]) + 1
    for k in range(start, len(p.stages)):
        c = p.stages[k].cond
        if c is None or done.get(c[0]) == c[1]:
            return k
    return None


def payoffs(p: Proto, h: History) -> dict[str, int]:
    done = dict(h)
    return {ag: p.base[ag] + sum(v for st, m, v in p.payoff[ag] if done.get(st) == m) for ag in AGENTS}


def decision_histories(p: Proto) -> list[History]:
    out: list[History] = []
    stack: list[History] = [()]
    while stack:
        h = stack.pop()
        k = next_stage(p, h)
        if k is None:
            continue
        s = p.stages[k]
        if s.who != "chance":
            out.append(h)
        stack.extend(h + ((s.name, m),) for m in s.moves)
    return out


Profile = dict[History, str]


def value(p: Proto, prof: Profile, h: History) -> dict[str, Fraction]:
    k = next_stage(p, h)
    if k is None:
        return {a: Fraction(v) for a, v in payoffs(p, h).items()}
    s = p.stages[k]
    if s.who == "chance":
        acc = {a: Fraction(0) for a in AGENTS}
        for m, pr in zip(s.moves, s.probs):
            sub = value(p, prof, h + ((s.name, m),))
            for a in AGENTS:
                acc[a] += pr * sub[a]
        return acc
    return value(p, prof, h + ((s.name, prof[h]),))


def pure_spe(p: Proto) -> list[Profile]:
    hs = decision_histories(p)
    out = []
    for combo in itertools.product(*(p.stages[next_stage(p, h)].moves for h in hs)):  # type: ignore[index]
        prof = dict(zip(hs, combo))
        ok = True
        for h in hs:
            s = p.stages[next_stage(p, h)]  # type: ignore[index]
            mine = value(p, prof, h)[s.who]
            for m in s.moves:
                dev = dict(prof)
                dev[h] = m
                if value(p, dev, h)[s.who] > mine:
                    ok = False
                    break
            if not ok:
                break
        if ok:
            out.append(prof)
    return out


def plays(p: Proto, choose: Any) -> Iterator[History]:
    """Every complete play; ``choose(h, stage)`` gives the moves explored at a decision."""
    stack: list[History] = [()]
    while stack:
        h = stack.pop()
        k = next_stage(p, h)
        if k is None:
            yield h
            continue
        s = p.stages[k]
        ms = [m for m, pr in zip(s.moves, s.probs) if pr > 0] if s.who == "chance" else choose(h, s)
        stack.extend(h + ((s.name, m),) for m in ms)


# φ: ("move", stage, move, negate) | ("end",) | ("pay", agent, op, k) | ("not", φ) | ("and"|"or", φ, φ)


def ev(phi: Any, h: History, at_end: bool, pay: dict[str, int]) -> bool:
    tag = phi[0]
    if tag == "move":
        made = dict(h).get(phi[1]) == phi[2]
        return made != phi[3]
    if tag == "end":
        return at_end
    if tag == "pay":
        if not at_end:
            return False
        x, k = pay[phi[1]], phi[3]
        return {">=": x >= k, "<": x < k, "==": x == k}[phi[2]]  # type: ignore[no-any-return]
    if tag == "not":
        return not ev(phi[1], h, at_end, pay)
    a, b = ev(phi[1], h, at_end, pay), ev(phi[2], h, at_end, pay)
    return (a and b) if tag == "and" else (a or b)


def play_ok(p: Proto, play: History, kind: str, phi: Any) -> bool:
    pay = payoffs(p, play)
    vals = [ev(phi, play[:i], i == len(play), pay) for i in range(len(play) + 1)]
    if kind == "never":
        return not any(vals)
    if kind == "always":
        return all(vals)
    return any(vals)


def phi_text(phi: Any) -> str:
    tag = phi[0]
    if tag == "move":
        return f"{phi[1]} {'!=' if phi[3] else '=='} {phi[2]}"
    if tag == "end":
        return "end"
    if tag == "pay":
        return f"payoff({phi[1]}) {phi[2]} {phi[3]}"
    if tag == "not":
        return f"not ({phi_text(phi[1])})"
    return f"({phi_text(phi[1])}) {tag} ({phi_text(phi[2])})"


def gen_phi(rng: random.Random, p: Proto, depth: int = 2) -> Any:
    r = rng.random()
    if depth == 0 or r < 0.35:
        r2 = rng.random()
        if r2 < 0.7:
            s = rng.choice(p.stages)
            return ("move", s.name, rng.choice(s.moves), rng.random() < 0.25)
        if r2 < 0.8:
            return ("end",)
        return ("pay", rng.choice(AGENTS), rng.choice([">=", "<", "=="]), rng.randint(0, 4))
    if r < 0.45:
        return ("not", gen_phi(rng, p, depth - 1))
    return (rng.choice(["and", "or"]), gen_phi(rng, p, depth - 1), gen_phi(rng, p, depth - 1))


def brute_play_property(p: Proto, quant: str, kind: str, phi: Any) -> bool:
    spes = pure_spe(p)
    assert spes, "a finite perfect-information game has a pure SPE"
    sat = [all(play_ok(p, pl, kind, phi) for pl in plays(p, lambda h, s, pr=pr: [pr[h]])) for pr in spes]
    return all(sat) if quant == "every" else any(sat)


def brute_enforce(p: Proto, coalition: set[str], kind: str, phi: Any) -> bool:
    hs = [h for h in decision_histories(p) if p.stages[next_stage(p, h)].who in coalition]  # type: ignore[index]
    for combo in itertools.product(*(p.stages[next_stage(p, h)].moves for h in hs)):  # type: ignore[index]
        strat = dict(zip(hs, combo))
        choose = (lambda h, s, st=strat: [st[h]] if s.who in coalition else list(s.moves))
        if all(play_ok(p, pl, kind, phi) for pl in plays(p, choose)):
            return True
    return False


# ------------------------------------------------------------------- tests


def engine_verdicts(text: str) -> dict[str, Verdict]:
    model = parse(text, "<generated>")
    return {r.name: r.verdict for r in check_model(model).results}


def run_cases(seed: int, n_protos: int, n_props: int) -> int:
    rng = random.Random(seed)
    checked = 0
    for _ in range(n_protos):
        p = gen_proto(rng)
        props: list[tuple[str, str, bool]] = []
        for j in range(n_props):
            phi = gen_phi(rng, p)
            kind = rng.choice(["never", "always", "eventually"])
            if rng.random() < 0.7:
                quant = rng.choice(["every", "some"])
                line = f'property "p{j}": for {quant} spe: {kind} {phi_text(phi)}'
                want = brute_play_property(p, quant, kind, phi)
            else:
                co = set(rng.sample(AGENTS, rng.randint(1, 2)))
                can = rng.random() < 0.6
                names = ", ".join(sorted(co))
                line = f'property "p{j}": coalition {{{names}}} {"can" if can else "cannot"} enforce {kind} ' \
                       f'{phi_text(phi)}'
                want = brute_enforce(p, co, kind, phi) == can
            props.append((f"p{j}", line, want))
        text = proto_text(p) + "\n".join(line for _, line, _ in props) + "\n"
        got = engine_verdicts(text)
        for name, line, want in props:
            expect = Verdict.HOLDS if want else Verdict.VIOLATED
            assert got[name] == expect, f"{line}\n--- spec:\n{text}\nengine {got[name]}, brute force {expect}"
            checked += 1
    return checked


def test_play_atoms_agree_with_brute_force_sample() -> None:
    assert run_cases(seed=15, n_protos=15, n_props=6) == 90


@pytest.mark.slow
def test_play_atoms_agree_with_brute_force_many() -> None:
    for seed in range(20):
        run_cases(seed=1000 + seed, n_protos=40, n_props=8)


ULTIMATUM = """game ultimatum "split 2"
agents proposer, responder
protocol:
    proposer chooses zero, one, two
    responder chooses yes, no
payoff proposer = (2 if proposer == zero else (1 if proposer == one else 0)) if responder == yes else 0
payoff responder = (0 if proposer == zero else (1 if proposer == one else 2)) if responder == yes else 0
"""


@pytest.mark.parametrize("prop, verdict", [
    # the SPE (zero, always yes) makes both moves on one play
    ("for every spe: never (proposer == zero and responder == yes)", Verdict.VIOLATED),
    ("for some spe: eventually (proposer == zero and responder == yes)", Verdict.HOLDS),
    # the first move is remembered at the end of the play
    ("for every spe: always (proposer == zero or not end)", Verdict.VIOLATED),
    ("for some spe: always (proposer == zero or not end)", Verdict.HOLDS),
    # before the stage is played, `==` is false and `!=` is true
    # (every SPE accepts on its play, so `!=` holds at every node of it)
    ("for every spe: always (responder != no)", Verdict.HOLDS),
    ("for every spe: always (proposer != two)", Verdict.HOLDS),
    ("for some spe: always (proposer != zero)", Verdict.HOLDS),
    ("for every spe: always (proposer != zero)", Verdict.VIOLATED),
    ("for every spe: always responder == yes", Verdict.VIOLATED),
    ("coalition {responder} can enforce never (proposer == two and responder == yes)", Verdict.HOLDS),
    ("coalition {proposer} can enforce eventually (proposer == two and responder == yes)", Verdict.VIOLATED),
    ("coalition {proposer, responder} can enforce eventually (proposer == two and responder == yes)",
     Verdict.HOLDS),
])
def test_issue_examples(prop: str, verdict: Verdict) -> None:
    got = engine_verdicts(ULTIMATUM + f'property "p": {prop}\n')
    assert got["p"] == verdict


REPEATED = """game rep "two rounds"
agents a, b
protocol:
    repeat 2 rounds:
        a chooses c, d
        b chooses c, d sees nothing
payoff a = 3 if a == c and b == c else (5 if a == d and b == c else (0 if a == c else 1))
payoff b = 3 if a == c and b == c else (5 if b == d and a == c else (0 if b == c else 1))
"""


@pytest.mark.parametrize("prop, verdict", [
    # unique SPE: (d, d) in both rounds
    ("for every spe: eventually (a == d and b == d)", Verdict.HOLDS),
    # the moves of a round are forgotten when the next round starts:
    # at the start of round 2 nothing has been played in it yet
    ("for every spe: always (a == d or b != d)", Verdict.HOLDS),
    ("for every spe: always (a == d)", Verdict.VIOLATED),
    ("for every spe: never (a == c)", Verdict.HOLDS),
])
def test_repeated_rounds(prop: str, verdict: Verdict) -> None:
    got = engine_verdicts(REPEATED + f'property "p": {prop}\n')
    assert got["p"] == verdict
