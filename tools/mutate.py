"""Mutation / truncation campaign: hostile inputs must never crash verigroup.

Every bundled spec (``specs/**/*.vg``), every Gambit file under
``tests/data`` and JSON reports made from a few bundled specs are mutated
(truncated, spans deleted or duplicated, numbers replaced by huge ones,
exponent notation, power towers, long operator chains, deep nesting, bytes
flipped, report fields tampered with) under a seed, and the CLI is run on
each mutant *in-process* -- ``verigroup.cli.main.main`` in a forked copy of
this interpreter, so there is no interpreter start-up per run -- with a
wall-clock cap and a memory cap per run.  Each run is classified:

* ``ok``: exit 0, 1, 2 or 3 without a traceback;
* ``internal``: exit 4 (an internal error);
* ``traceback``: "Traceback" in the output;
* ``hang``: still running at the cap (the child is killed);
* ``memory``: MemoryError, or killed for exceeding the memory cap;
* ``crash``: the child died otherwise (a signal, an escaped exception).

Usage::

    python tools/mutate.py --runs 200 --seed 1 --cap 20 [--out DIR] [--json]

Failures are written to ``--out`` (the mutant and the command) so each can be
re-run by hand.  The default test runs a small seeded sample
(tests/test_hostile_mutate.py); the slow one runs it big.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
OK_CODES = (0, 1, 2, 3)
MEMORY_CAP = 2 * 1024 ** 3  # bytes of address space per run

HUGE = [
    "9" * 5000, "1e999999999", "1e-999999999", "2^2^2^2^2^2", "10^100000", "(2^64)^(2^64)",
    "99999999999999999999999999999999", "0 * (2^63 if true else 1)", "1/0", "-0", "1e4001",
]


@dataclass(frozen=True)
class Run:
    kind: str  # spec | nfg | efg | report
    source: str  # the file mutated
    mutation: str
    argv: tuple[str, ...]
    outcome: str
    code: int | None
    seconds: float
    detail: str = ""


# ------------------------------------------------------------------ mutations


def _numbers(text: str) -> list[tuple[int, int]]:
    import re

    return [(m.start(), m.end()) for m in re.finditer(r"(?<![\w.])\d+(?:[./]\d+)?(?![\w.])", text)]


def mutate_text(text: str, rng: random.Random, kind: str) -> tuple[str, str]:
    """One random mutation of ``text``: (mutant, description)."""
    n = len(text)
    choice = rng.randrange(11)
    if choice == 0 and n:
        k = rng.randrange(n)
        return text[:k], f"truncate at {k}"
    if choice == 1 and n:
        a = rng.randrange(n)
        b = min(n, a + rng.randint(1, 40))
        return text[:a] + text[b:], f"delete {a}:{b}"
    if choice == 2 and n:
        a = rng.randrange(n)
        b = min(n, a + rng.randint(1, 80))
        return text[:b] + text[a:b] * rng.randint(1, 3) + text[b:], f"duplicate {a}:{b}"
    if choice in (3, 4, 5):
        nums = _numbers(text)
        if nums:
            a, b = rng.choice(nums)
            h = rng.choice(HUGE) if kind == "spec" else rng.choice(["9" * 5000, "1e999999999", "1e-999999999",
                                                                   "1e4001", "1/" + "7" * 4500, "-0.5e3"])
            return text[:a] + h + text[b:], f"number {text[a:b]!r} -> {h[:20]!r}"
    if choice == 6 and n:
        a = rng.randrange(n)
        c = rng.choice(["(", ")", "{", "}", "\"", "\n", "\t", "\x00", "é", ":", "=", "#", "*", "^", "[", "]"])
        return text[:a] + c + text[a:], f"insert {c!r} at {a}"
    if choice == 7 and kind == "spec":
        depth = rng.choice([200, 2000, 50_000])
        return text + f"\nparam deep = {'(' * depth}1{')' * depth}\n", f"nesting {depth}"
    if choice == 8 and kind == "spec":
        terms = rng.choice([1000, 100_000, 500_000])
        return text + "\nparam chain = " + " + ".join(["1"] * terms) + "\n", f"chain {terms}"
    if choice == 9 and n:
        lines = text.split("\n")
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines), f"swap lines {i},{j}"
    if n:
        a = rng.randrange(n)
        return text[:a] + chr(rng.randrange(32, 127)) + text[a + 1:], f"replace byte {a}"
    return text, "unchanged"


def mutate_report(doc: Any, rng: random.Random) -> tuple[Any, str]:
    d = json.loads(json.dumps(doc))
    rep = d["reports"][0] if d.get("reports") else {}
    choice = rng.randrange(7)
    if choice == 0 and rep:
        target = rng.choice(["/etc/passwd", "/dev/zero", "../../../../etc/shadow", "/dev/stdin", "", "."])
        rep["spec"]["path"] = target
        return d, f"spec path -> {target}"
    if choice == 1 and rep:
        rep["spec"]["params"] = {k: rng.choice(["9" * 5000, "1e999999999", "nan"]) for k in rep["spec"].get("params", {})}
        return d, "params huge"
    if choice == 2:
        def walk(x: Any) -> Any:
            if isinstance(x, dict):
                return {k: walk(v) for k, v in x.items()}
            if isinstance(x, list):
                return [walk(v) for v in x]
            if isinstance(x, str) and x.lstrip("-").replace("/", "").isdigit() and rng.random() < 0.5:
                return rng.choice(["9" * 5000, "1e999999999", "1/0", "-1e4001"])
            return x
        return walk(d), "numbers huge"
    if choice == 3 and rep and rep.get("properties"):
        p = rng.choice(rep["properties"])
        p["evidence"] = rng.choice([None, 5, "x", [], {"kind": "play", "play": [{}] * 3}, {"kind": "nope"}])
        return d, "evidence replaced"
    if choice == 4:
        return json.loads("[" * 50 + "]" * 50) if rng.random() < 0.3 else {"schema": "verigroup.check/1",
                                                                         "reports": [{}]}, "shape"
    if choice == 5 and rep and rep.get("properties"):
        p = rng.choice(rep["properties"])
        p["verdict"] = rng.choice(["HOLDS", "VIOLATED", "UNKNOWN", "MAYBE", 7])
        return d, "verdict flipped"
    return d, "unchanged"


# ----------------------------------------------------------------------- runs


def _child(argv: list[str], cwd: str, conn: Any) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    except (ValueError, OSError):
        pass
    os.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    if argv == ["__sleep__"]:  # the classifier's own test: a run that outlives its cap
        time.sleep(3600)
    try:
        from verigroup.cli.main import main

        code = main(argv, out, err)
        conn.send(("done", code, (out.getvalue()[-2000:], err.getvalue()[-2000:])))
    except MemoryError:
        conn.send(("memory", None, ("", "MemoryError")))
    except BaseException as exc:  # noqa: BLE001 - the campaign classifies everything
        import traceback

        conn.send(("escaped", None, ("", "".join(traceback.format_exception(exc))[-2000:])))
    finally:
        conn.close()


def run_cli(argv: list[str], cwd: str, cap: float) -> tuple[str, int | None, float, str]:
    """(outcome, exit code, seconds, detail) of one in-process CLI run."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    t0 = time.monotonic()
    proc = ctx.Process(target=_child, args=(argv, cwd, child), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(cap):
            return "hang", None, time.monotonic() - t0, ""
        try:
            status, code, (out, err) = parent.recv()
        except EOFError:
            proc.join(5)
            return ("memory" if proc.exitcode == -9 else "crash"), None, time.monotonic() - t0, \
                f"child exit {proc.exitcode}"
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()
    secs = time.monotonic() - t0
    if status == "memory" or "MemoryError" in err:
        return "memory", code, secs, err[-300:]
    if status == "escaped":
        return "crash", None, secs, err[-600:]
    if "Traceback" in out or "Traceback" in err:
        return "traceback", code, secs, (out + err)[-600:]
    if code not in OK_CODES:
        return ("internal" if code == 4 else "crash"), code, secs, err[-600:]
    return "ok", code, secs, ""


# ------------------------------------------------------------------- campaign


def sources() -> dict[str, list[Path]]:
    return {
        "spec": sorted((ROOT / "specs").rglob("*.vg")),
        "nfg": sorted((ROOT / "tests" / "data").rglob("*.nfg")),
        "efg": sorted((ROOT / "tests" / "data").rglob("*.efg")),
    }


def make_reports(work: Path, cap: float) -> list[tuple[Path, dict[str, Any]]]:
    """Genuine reports (spec copied next to them) to tamper with."""
    out = []
    for name in ("prisoners_dilemma.vg", "protocols/entry_deterrence.vg"):
        src = ROOT / "specs" / name
        d = work / f"rep_{src.stem}"
        d.mkdir(parents=True, exist_ok=True)
        (d / src.name).write_bytes(src.read_bytes())
        rpt = d / "report.json"
        outcome, code, _, detail = run_cli(["check", src.name, "--format", "json", "-o", str(rpt)], str(d), cap)
        if outcome == "ok" and rpt.exists():
            out.append((rpt, json.loads(rpt.read_text())))
    return out


def warm() -> None:
    """Import the CLI and build the parser once in this process, so every
    forked run starts warm (runs then take a fraction of a second)."""
    import contextlib

    with contextlib.suppress(Exception):
        import scipy.optimize  # noqa: F401

        from verigroup.api import check_model, load
        from verigroup.cli.main import main  # noqa: F401

        check_model(load(ROOT / "specs" / "prisoners_dilemma.vg"))


def campaign(runs: int, seed: int, cap: float, out_dir: Path | None = None,
             progress: Callable[[Run], None] | None = None) -> list[Run]:
    warm()
    rng = random.Random(seed)
    srcs = sources()
    results: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="vg-mutate-") as tmp:
        work = Path(tmp)
        reports = make_reports(work, cap)
        kinds = [k for k in ("spec", "nfg", "efg") if srcs[k]] + (["report"] if reports else [])
        weights = {"spec": 6, "nfg": 2, "efg": 2, "report": 2}
        for i in range(runs):
            kind = rng.choices(kinds, [weights[k] for k in kinds])[0]
            case = work / f"case{i}"
            case.mkdir()
            if kind == "report":
                rpt, doc = rng.choice(reports)
                mutant, desc = mutate_report(doc, rng)
                for f in rpt.parent.iterdir():
                    if f.suffix == ".vg":
                        (case / f.name).write_bytes(f.read_bytes())
                target = case / "report.json"
                target.write_text(json.dumps(mutant))
                argv = ["replay", "report.json", "--format", rng.choice(["text", "json"])]
                source = str(rpt.relative_to(work))
            else:
                src = rng.choice(srcs[kind])
                text = src.read_text(encoding="utf-8")
                mutant_text, desc = mutate_text(text, rng, kind)
                for _ in range(rng.randint(0, 2)):
                    mutant_text, d2 = mutate_text(mutant_text, rng, kind)
                    desc += "; " + d2
                target = case / ("mutant" + src.suffix)
                target.write_text(mutant_text, encoding="utf-8", errors="surrogatepass")
                if kind == "spec":
                    cmd = rng.choice([["check"], ["check", "--format", "json"], ["solve"], ["show"],
                                      ["check", "--format", rng.choice(["markdown", "html", "sarif"])]])
                else:
                    cmd = rng.choice([["solve"], ["show"], ["check"]])
                argv = cmd[:1] + [target.name] + cmd[1:]
                source = str(src.relative_to(ROOT))
            outcome, code, secs, detail = run_cli(argv, str(case), cap)
            r = Run(kind, source, desc[:300], tuple(argv), outcome, code, round(secs, 3), detail[-600:])
            results.append(r)
            if progress:
                progress(r)
            if outcome != "ok" and out_dir is not None:
                keep = out_dir / f"fail{i:05d}"
                keep.mkdir(parents=True, exist_ok=True)
                for f in case.iterdir():
                    (keep / f.name).write_bytes(f.read_bytes())
                (keep / "run.json").write_text(json.dumps(asdict(r), indent=1))
    return results


def summary(results: list[Run]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return {"runs": len(results), "outcomes": counts,
            "failures": [asdict(r) for r in results if r.outcome != "ok"]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cap", type=float, default=20.0, help="seconds per run")
    ap.add_argument("--out", type=Path, default=None, help="keep failing mutants here")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)

    def show(r: Run) -> None:
        if r.outcome != "ok":
            print(f"{r.outcome:9} {r.kind:6} {r.source} [{r.mutation[:60]}] {' '.join(r.argv)}: "
                  f"{r.detail.strip().splitlines()[-1] if r.detail.strip() else ''}", file=sys.stderr)

    res = campaign(a.runs, a.seed, a.cap, a.out, show)
    s = summary(res)
    if a.json:
        print(json.dumps(s, indent=1))
    else:
        print(f"{s['runs']} runs: " + ", ".join(f"{k} {v}" for k, v in sorted(s["outcomes"].items())))
    return 0 if all(r.outcome == "ok" for r in res) else 1


if __name__ == "__main__":
    sys.exit(main())
