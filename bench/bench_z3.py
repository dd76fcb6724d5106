"""Benchmark: the Z3 route vs explicit enumeration for "every pure equilibrium
keeps welfare >= X" on n-agent public-goods and congestion games.

Run:  python bench/bench_z3.py [--max-n 40] [--cap 60]

Models are built from IR nodes (the same shape a spec produces):

* public goods: ``payoff a[i] = r*count(j: a[j] == contribute)/n - [a[i] == contribute]``
  with r = 8/5; property ``for every nash p: welfare(p) >= 1/2 * max(welfare)``
  (VIOLATED: the only equilibrium is all-withhold, welfare 0, max 3n/5) and
  ``welfare(p) >= 0`` (HOLDS);
* atomic Pigou congestion: ``payoff a[i] = -(1 if a[i] == fixed else
  count(j: a[j] == shared)/n)``; property ``welfare(p) >= max(welfare) - n/4``
  (HOLDS, tight: the price of anarchy is 4/3) and ``welfare(p) >= -n + 1/2``
  (VIOLATED by all-shared).

Both routes go through ``verigroup.api.check_model`` (``method="auto"``
enumerates the tensor; ``method="z3"`` uses ``symbolic_check``); their
verdicts must agree where both run.  Enumeration stops at the size guard or
once a run exceeds ``--cap`` seconds.  Writes bench/results/z3.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from fractions import Fraction as F
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verigroup.api import check_model  # noqa: E402
from verigroup.model.expr import (  # noqa: E402
    ActionIs, AgentRef, Aggregate, Arith, Compare, Cond, IndexVar, Neg, Num, ParamRef, PayoffOf,
)
from verigroup.model.model import Agent, Metric, Model, Param  # noqa: E402
from verigroup.model.properties import (  # noqa: E402
    Concept, MetricAt, MetricExtreme, Quantified, Quantifier,
)


def _a(v: str) -> AgentRef:
    return AgentRef("a", IndexVar(v))


def _every(name: str, body: Any) -> Quantified:
    return Quantified(name, Quantifier.EVERY, Concept.PURE_NASH, "p", body)


def _model(name: str, n: int, actions: tuple[str, ...], pay: Any, params: dict[str, F],
           props: tuple[Any, ...]) -> Model:
    agents = tuple(Agent(f"a[{k}]", "a", k, actions, pay, (("i", k),)) for k in range(1, n + 1))
    ps = {"n": Param("n", F(n), structural=True), **{k: Param(k, v) for k, v in params.items()}}
    welfare = Aggregate("sum", "i", Num(F(1)), ParamRef("n"), PayoffOf(_a("i")))
    return Model(name, "", ps, agents, {"welfare": Metric("welfare", welfare)}, props)


def public_goods(n: int) -> Model:
    count = Aggregate("count", "j", Num(F(1)), ParamRef("n"), ActionIs(_a("j"), "contribute"))
    pay = Arith("-", Arith("/", Arith("*", ParamRef("r"), count), ParamRef("n")),
                Cond(ActionIs(_a("i"), "contribute"), Num(F(1)), Num(F(0))))
    w = MetricAt("welfare", "p")
    props = (_every("half", Compare(">=", w, Arith("*", Num(F(1, 2)), MetricExtreme("welfare", "max")))),
             _every("nonneg", Compare(">=", w, Num(F(0)))))
    return _model(f"public_goods_{n}", n, ("contribute", "withhold"), pay, {"r": F(8, 5)}, props)


def congestion(n: int) -> Model:
    load = Aggregate("count", "j", Num(F(1)), ParamRef("n"), ActionIs(_a("j"), "shared"))
    pay = Neg(Cond(ActionIs(_a("i"), "fixed"), Num(F(1)), Arith("/", load, ParamRef("n"))))
    w = MetricAt("welfare", "p")
    props = (_every("poa", Compare(">=", w, Arith("-", MetricExtreme("welfare", "max"),
                                                  Arith("/", ParamRef("n"), Num(F(4)))))),
             _every("floor", Compare(">=", w, Arith("+", Neg(ParamRef("n")), Num(F(1, 2))))))
    return _model(f"congestion_{n}", n, ("fixed", "shared"), pay, {}, props)


def run(model: Model, method: str, timeout: float = 600, **options: Any) -> tuple[float, list[str], str]:
    t = time.perf_counter()
    rep = check_model(model, timeout=timeout, method=method, **options)
    dt = time.perf_counter() - t
    verdicts = [r.verdict.value for r in rep.results]
    how = rep.results[0].method
    return dt, verdicts, how


READING = """
Reading (2-core machine): enumeration wins on small games (up to about 2^12
profiles its setup is cheaper than encoding for Z3); from 2^16 profiles Z3 wins
and it is the only route past the explicit size guard (5,000,000 profiles), deciding
40 agents in about 2 s.  The symmetry breaking matters: members of a family are
proved interchangeable by Z3 (adjacent swaps leave every payoff and metric
unchanged), then ordered `x_1 <= x_2 <= ...`, which turns the 2^n profiles of these
anonymous games into n + 1 classes.  Without it the exact `max(welfare)` of the
congestion game (z3.Optimize) already needs about a minute at n = 16.
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--max-n", type=int, default=40)
    ap.add_argument("--cap", type=float, default=60.0)
    args = ap.parse_args(argv)
    ns = [n for n in (4, 8, 12, 16, 20, 22, 24, 30, 40) if n <= args.max_n]
    rows = ["| game | n | profiles | enumeration (s) | Z3 (s) | Z3 without symmetry breaking (s) "
            "| verdicts | faster |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for build in (public_goods, congestion):
        enum_ok, nosym_ok = True, True
        note = "skipped (over cap)"
        for n in ns:
            m = build(n)
            zt, zv, zhow = run(m, "z3")
            ns_cell = "skipped (over cap)"
            if nosym_ok:
                nt, nv, _ = run(build(n), "z3", timeout=args.cap, symmetry=False)
                if "UNKNOWN" in nv or nt > args.cap:
                    nosym_ok = False
                    ns_cell = f"> {args.cap:.0f} (timeout)"
                else:
                    assert nv == zv, (nv, zv)
                    ns_cell = f"{nt:.3f}"
            et: float | None = None
            ev: list[str] | None = None
            if enum_ok:
                et, ev, ehow = run(build(n), "auto")
                if ehow.startswith("z3") or "UNKNOWN" in ev:
                    note = "refused (size guard)"
                    et, ev, enum_ok = None, None, False
                elif et > args.cap:
                    enum_ok = False
            if ev is not None and ev != zv:
                print(f"DISAGREEMENT on {m.name}: enumeration {ev} vs z3 {zv}", file=sys.stderr)
                return 1
            e_cell = f"{et:.3f}" if et is not None else note
            faster = "z3" if et is None or zt < et else "enumeration"
            row = (f"| {build.__name__} | {n} | 2^{n} | {e_cell} | {zt:.3f} | {ns_cell} | "
                   f"{', '.join(zv)} | {faster} |")
            rows.append(row)
            print(row, flush=True)
    out = ROOT / "bench" / "results" / "z3.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = ("# Z3 vs enumeration: every pure equilibrium keeps welfare >= X\n\n"
            "Both routes through `check_model` (two properties per game, total time). "
            "Enumeration = exact tensor + vectorised best responses; Z3 = `symbolic_check` "
            "(no enumeration).\n\n" + "\n".join(rows) + "\n" + READING)
    out.write_text(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
