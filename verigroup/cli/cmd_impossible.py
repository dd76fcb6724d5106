"""``verigroup impossible --axiom NAME ... --voters N --alternatives M [--kind scf|swf]``:
is there any rule satisfying the axioms?  Decided by SAT (CaDiCaL via PySAT),
with an unsat core and optionally a DRAT proof, or a witness rule (issue 11).
JSON schema ``verigroup.impossible/1`` (docs/report-schema.md).

Exit codes: 0 decided (either way: see ``satisfiable``), 3 undecided
(timeout), 2 bad input."""

from __future__ import annotations

import argparse
from typing import IO, Callable

HELP = "decide by SAT whether any voting rule satisfies the given axioms (impossibility theorems)"


def add_arguments(sp: argparse.ArgumentParser, common: Callable[..., None]) -> None:
    sp.add_argument("--axiom", action="append", default=[], metavar="NAME", required=True, help="repeatable")
    sp.add_argument("--voters", type=int, required=True, metavar="N")
    sp.add_argument("--alternatives", type=int, required=True, metavar="M", help="alternatives a, b, c, ...")
    sp.add_argument("--kind", choices=("scf", "swf"), default="scf",
                    help="scf: resolute social choice function (default); swf: strict social welfare function")
    sp.add_argument("--proof", default=None, metavar="FILE",
                    help="on UNSAT write CaDiCaL's DRAT proof to FILE and the CNF beside it (FILE with .cnf)")
    sp.add_argument("--no-core", action="store_true", help="skip the unsat core")
    sp.add_argument("--core-seconds", type=float, default=5.0, metavar="S",
                    help="time spent shrinking the unsat core (default 5)")
    common(sp, ("text", "json"))


def run(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup.cli.main import _emit
    from verigroup.diagnostics import Diagnostic, SpecError
    from verigroup.elections.impossible import impossible
    from verigroup.elections.render import dumps, impossible_text

    if overrides:
        raise SpecError([Diagnostic("E401", "impossible takes no --set")])
    if args.timeout is not None and not args.timeout > 0:
        raise SpecError([Diagnostic("E401", f"--timeout must be positive, got {args.timeout}")])
    res = impossible(tuple(args.axiom), args.voters, args.alternatives, args.kind, timeout=args.timeout,
                     proof_path=args.proof, core=not args.no_core, core_seconds=max(0.0, args.core_seconds))
    _emit(dumps(res.to_json()) if args.format == "json" else impossible_text(res), args.output, out)
    return res.exit_code
