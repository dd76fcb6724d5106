"""``verigroup`` command line.  ``main(argv, stdout, stderr) -> int``.

Exit codes (computed here, one meaning each): 0 every property holds (or the
command succeeded), 1 some property violated (or replay found a mismatch),
2 bad spec or usage, 3 inconclusive (some UNKNOWN, none violated),
4 internal error (a bug in verigroup: please report it).

Heavy backends are imported only by the commands that need them, so
``verigroup --help`` answers fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, Sequence

from verigroup.diagnostics import Diagnostic, SpecError

EXIT_OK, EXIT_VIOLATED, EXIT_USAGE, EXIT_UNKNOWN, EXIT_INTERNAL = 0, 1, 2, 3, 4
FORMATS = ("text", "json", "sarif", "markdown", "html")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise SpecError([Diagnostic("E401", message, hint=f"run `{self.prog} --help`")])


def _parser() -> argparse.ArgumentParser:
    from verigroup import __version__

    p = _Parser(prog="verigroup", description="Audit a group of AI agents: equilibria and group-alignment properties of a multi-agent spec.")
    p.add_argument("--version", action="version", version=f"verigroup {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(sp: argparse.ArgumentParser, formats: Sequence[str] = ("text", "json")) -> None:
        sp.add_argument("--format", choices=formats, default="text")
        sp.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                        help="override a parameter (exact: 2, 0.1, 8/5)")
        sp.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="per property / per solve; unfinished work is UNKNOWN")
        sp.add_argument("-o", "--output", default=None, help="write the report to a file")

    c = sub.add_parser("check", help="check every property of the spec(s)")
    c.add_argument("specs", nargs="+", metavar="SPEC")
    c.add_argument("--method", choices=("auto", "explicit", "z3", "counting"), default="auto",
                   help="auto: explicit tensors where they fit, counting space for anonymous "
                        "families, Z3 otherwise")
    c.add_argument("-v", "--verbose", action="store_true", help="show evidence for HOLDS too")
    common(c, FORMATS)

    s = sub.add_parser("solve", help="equilibria, dominance and optima")
    s.add_argument("spec", metavar="SPEC")
    s.add_argument("--concept", default="pure",
                   choices=("pure", "mixed", "correlated", "coarse_correlated", "spe",
                            "pure_nash", "mixed_nash", "symmetric"))
    s.add_argument("--method", choices=("auto", "counting"), default="auto",
                   help="counting: solve anonymous families in counting space (count vectors)")
    s.add_argument("--objective", default=None, metavar="METRIC",
                   help="objective for correlated concepts (default: sum of payoffs)")
    s.add_argument("--minimize", action="store_true", help="minimise the objective instead")
    common(s)

    sh = sub.add_parser("show", help="agents, actions, parameters and (small games) the payoff table")
    sh.add_argument("spec", metavar="SPEC")
    common(sh)

    e = sub.add_parser("export", help="write the game as a Gambit file")
    e.add_argument("spec", metavar="SPEC")
    e.add_argument("--to", choices=("nfg", "efg"), default="nfg")
    e.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    e.add_argument("-o", "--output", default=None)

    r = sub.add_parser("replay", help="re-check every counterexample and certificate of a JSON report")
    r.add_argument("report", metavar="REPORT.json")
    # ---- replay trust (issue 15, SOUND): the spec named on the command line
    r.add_argument("--spec", default=None, metavar="SPEC",
                   help="the spec to replay against (default: the path in the report, read only inside the "
                        "report's directory or the current directory)")
    r.add_argument("--format", choices=("text", "json"), default="text")

    x = sub.add_parser("explain", help="plain-language narrative of each violated property")
    x.add_argument("spec", metavar="SPEC")
    x.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    x.add_argument("--timeout", type=float, default=None)
    for name, mod in _plugin_commands():
        sp = sub.add_parser(name, help=getattr(mod, "HELP", None))
        mod.add_arguments(sp, common)
    return p


def _plugin_commands() -> list[tuple[str, object]]:
    """Commands that live in modules of their own: ``verigroup/cli/cmd_<name>.py``
    defines ``HELP``, ``add_arguments(subparser, common)`` and
    ``run(args, overrides, stdout, stderr) -> int``.  A new command is one new
    module; main.py is not edited.  Plugin modules import their heavy
    dependencies inside ``run`` so ``--help`` stays fast."""
    import importlib
    import pkgutil

    import verigroup.cli as pkg

    out: list[tuple[str, object]] = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            mod = importlib.import_module(f"verigroup.cli.{info.name}")
            out.append((info.name[4:].replace("_", "-"), mod))
    return out


def _overrides(items: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for it in items:
        name, eq, value = it.partition("=")
        if not eq or not name.strip() or not value.strip():
            raise SpecError([Diagnostic("E401", f"--set expects NAME=VALUE, got {it!r}",
                                        hint="for example --set r=8/5")])
        out[name.strip()] = value.strip()
    return out


def _emit(text: str, output: str | None, stdout: IO[str]) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        stdout.write(text if text.endswith("\n") else text + "\n")


def main(argv: Sequence[str] | None = None, stdout: IO[str] | None = None,
         stderr: IO[str] | None = None) -> int:
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        import contextlib

        with contextlib.redirect_stdout(stdout):  # --help / --version
            args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        if args.command is None:
            _parser().print_help(stdout)
            return EXIT_USAGE
        overrides = _overrides(getattr(args, "overrides", []) or [])
        plugins = dict(_plugin_commands())
        if args.command in plugins:
            return int(plugins[args.command].run(args, overrides, stdout, stderr))  # type: ignore[attr-defined]
        from verigroup.cli import commands

        return int(getattr(commands, "cmd_" + args.command)(args, overrides, stdout, stderr))
    except SpecError as exc:
        stderr.write(exc.render() + "\n")
        return EXIT_USAGE
    except SystemExit as exc:  # argparse --help / --version
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    except RecursionError:
        stderr.write("error[E007]: input too deeply nested\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        stderr.write("interrupted\n")
        return 130
    except Exception as exc:  # a bug in verigroup, never the user's fault
        import traceback

        stderr.write(f"internal error: {type(exc).__name__}: {exc}\n"
                     "this is a bug in verigroup; please report it with the spec that caused it\n")
        if _debug():
            traceback.print_exc(file=stderr)
        return EXIT_INTERNAL


def _debug() -> bool:
    import os

    return bool(os.environ.get("VERIGROUP_DEBUG"))


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
