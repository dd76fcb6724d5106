"""``verigroup fmt SPEC ...``: print the canonical layout of a spec (comments
kept, same AST); ``--write`` rewrites the files, ``--check`` only says which
files would change (exit 1 if any)."""

from __future__ import annotations

import argparse
from typing import IO, Callable

HELP = "canonical formatting of spec files (--check: exit 1 if a file would change; --write: in place)"


def add_arguments(sp: argparse.ArgumentParser, common: Callable[..., None]) -> None:
    sp.add_argument("specs", nargs="+", metavar="SPEC")
    mode = sp.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="print the files that would change; exit 1 if any")
    mode.add_argument("--write", "-w", action="store_true", help="rewrite the files in place (atomically)")
    sp.add_argument("-o", "--output", default=None, help="write the formatted spec here (one SPEC only)")


def run(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup.api import read_text
    from verigroup.cli.main import EXIT_OK, EXIT_USAGE, EXIT_VIOLATED, _emit, write_atomically
    from verigroup.diagnostics import Diagnostic, SpecError
    from verigroup.syntax.fmt import format_spec

    if overrides:
        raise SpecError([Diagnostic("E401", "fmt does not take --set")])
    if args.output and (len(args.specs) != 1 or args.check or args.write):
        raise SpecError([Diagnostic("E401", "-o takes one SPEC and neither --check nor --write")])
    changed = []
    texts = []
    for path in args.specs:
        text = read_text(path)
        new = format_spec(text, path)
        texts.append((path, text, new))
        if new != text:
            changed.append(path)
    if args.check:
        for path in changed:
            out.write(f"would reformat {path}\n")
        return EXIT_VIOLATED if changed else EXIT_OK
    if args.write:
        for path, text, new in texts:
            if new != text:
                write_atomically(path, new)
                out.write(f"reformatted {path}\n")
        return EXIT_OK
    if args.output:
        _emit(texts[0][2], args.output, out)
        return EXIT_OK
    for _, _, new in texts:
        out.write(new)
    return EXIT_OK if texts else EXIT_USAGE
