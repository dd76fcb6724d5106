"""``verigroup`` command line.  ``main(argv, stdout, stderr) -> int``.

Exit codes (computed here, one meaning each): 0 every property holds (or the
command succeeded), 1 some property violated (or replay found a mismatch),
2 bad spec or usage, 3 inconclusive (some UNKNOWN, none violated),
4 internal error (a bug in verigroup: please report it), 130 interrupted by
Ctrl-C and 143 by SIGTERM (partial results, marked incomplete, are printed).

Heavy backends are imported only by the commands that need them, so
``verigroup --help`` answers fast.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import IO, Sequence

from verigroup.diagnostics import Diagnostic, SpecError
from verigroup.runtime import DeadlineExceeded

EXIT_OK, EXIT_VIOLATED, EXIT_USAGE, EXIT_UNKNOWN, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
# The default time budget (seconds) of each phase: loading a spec, each
# property, each solve.  Documented in docs/ci-gate.md.
DEFAULT_TIMEOUT = 300.0
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
                        help="override a parameter (exact: 2, 0.1, 8/5); applies to the specs that declare it")
        timeout_option(sp)
        sp.add_argument("-o", "--output", default=None, help="write the report to a file (atomically)")

    c = sub.add_parser("check", help="check every property of the spec(s)")
    c.add_argument("specs", nargs="+", metavar="SPEC")
    c.add_argument("--method", choices=("auto", "explicit", "z3", "counting"), default="auto",
                   help="auto: explicit tensors where they fit, counting space for anonymous "
                        "families, Z3 otherwise")
    c.add_argument("-v", "--verbose", action="store_true", help="show evidence for HOLDS too")
    c.add_argument("--require-properties", "--strict", dest="require_properties", action="store_true",
                   help="exit 2 when a spec (or a .nfg/.efg file) has no property to check")
    c.add_argument("--jobs", "-j", type=_positive_int, default=None, metavar="N",
                   help="check N specs at a time in worker processes (default: one at a time)")
    c.add_argument("--backend", choices=("serial", "processes", "dask"), default=None,
                   help="where specs run when checking many (processes: --jobs or every core; dask: a LocalCluster)")
    c.add_argument("--scheduler", default=None, metavar="ADDRESS", help="check on the Dask cluster at ADDRESS")
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
    timeout_option(e)
    e.add_argument("-o", "--output", default=None, help="write the file here (atomically)")

    r = sub.add_parser("replay", help="re-check every counterexample and certificate of a JSON report")
    r.add_argument("report", metavar="REPORT.json")
    # ---- replay trust (issue 15, SOUND): the spec named on the command line
    r.add_argument("--spec", default=None, metavar="SPEC",
                   help="the spec to replay against (default: the path in the report, read only inside the "
                        "report's directory or the current directory)")
    r.add_argument("--format", choices=("text", "json"), default="text")
    timeout_option(r)

    x = sub.add_parser("explain", help="plain-language narrative of each violated property")
    x.add_argument("spec", metavar="SPEC")
    x.add_argument("--set", dest="overrides", action="append", default=[], metavar="NAME=VALUE")
    timeout_option(x)
    for name, mod in _plugin_commands():
        sp = sub.add_parser(name, help=getattr(mod, "HELP", None))
        mod.add_arguments(sp, common)
    return p


def seconds(text: str) -> float:
    """``--timeout`` values: a positive, finite number of seconds."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if math.isnan(v) or math.isinf(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive, finite number of seconds, got {text!r}")
    return v


def timeout_option(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                    help=f"time budget for loading and for each property / solve (default {DEFAULT_TIMEOUT:g}); "
                         "unfinished work is UNKNOWN")


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {v}")
    return v


def _plugin_commands() -> list[tuple[str, ModuleType]]:
    """Commands that live in modules of their own: ``verigroup/cli/cmd_<name>.py``
    defines ``HELP``, ``add_arguments(subparser, common)`` and
    ``run(args, overrides, stdout, stderr) -> int``.  A new command is one new
    module; main.py is not edited.  Plugin modules import their heavy
    dependencies inside ``run`` so ``--help`` stays fast."""
    import importlib
    import pkgutil

    import verigroup.cli as pkg

    out: list[tuple[str, ModuleType]] = []
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


def _with_source(exc: SpecError, args: object) -> SpecError:
    """``exc`` with its spec's text attached, when every diagnostic points
    into one spec named on the command line (errors raised after loading,
    e.g. a division by zero at some profile, carry no source)."""
    named = {str(x) for x in (getattr(args, "specs", None) or [])} | {str(getattr(args, "spec", None))}
    files = {d.span.file for d in exc.diagnostics}
    if len(files) != 1 or not (files <= named) or not all(d.span.line > 0 for d in exc.diagnostics):
        return exc
    try:
        path = Path(files.pop())
        if path.stat().st_size > 2_000_000:
            return exc
        return SpecError(list(exc.diagnostics), path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return exc


def check_output_path(output: str | None) -> None:
    """Refuse an unusable ``-o`` before any work is done (exit 2)."""
    if not output:
        return
    p = Path(output)
    if p.is_dir():
        raise SpecError([Diagnostic("E401", f"-o {output}: is a directory", hint="give a file name")])
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.is_dir():
        raise SpecError([Diagnostic("E401", f"-o {output}: directory {str(parent)!r} does not exist",
                                    hint="create the directory first")])
    if not os.access(parent, os.W_OK):
        raise SpecError([Diagnostic("E401", f"-o {output}: directory {str(parent)!r} is not writable")])


def write_atomically(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same
    directory and an atomic rename: an interrupted or failed write (SIGTERM,
    full device) never leaves a half-written file.  Special files (devices,
    FIFOs) are written through, never replaced."""
    check_output_path(path)
    target = Path(path)
    if target.exists() and not target.is_file():
        # A device or FIFO (/dev/stdout, /dev/null, a pipe): never replace it;
        # write through it and report a failed write.
        try:
            with open(target, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise SpecError([Diagnostic("E401", f"-o {path}: cannot write: {exc.strerror or exc}",
                                        hint="check free space and permissions")]) from None
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(target.parent or "."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise SpecError([Diagnostic("E401", f"-o {path}: cannot write: {exc.strerror or exc}",
                                        hint="check free space and permissions")]) from None
        raise


def _emit(text: str, output: str | None, stdout: IO[str]) -> None:
    from verigroup.runtime import progress

    progress.clear()
    if output:
        write_atomically(output, text)
    else:
        stdout.write(text if text.endswith("\n") else text + "\n")
        try:
            stdout.flush()
        except (OSError, ValueError):
            pass


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
        check_output_path(getattr(args, "output", None))
        plugins = dict(_plugin_commands())
        if args.command in plugins:
            return int(plugins[args.command].run(args, overrides, stdout, stderr))
        from verigroup.cli import commands

        return int(getattr(commands, "cmd_" + args.command)(args, overrides, stdout, stderr))
    except SpecError as exc:
        from verigroup.runtime import progress

        progress.clear()  # the error starts on a line of its own
        if not exc.source:  # ---- LANG3 (issue 8): an error found while checking still gets its caret
            exc = _with_source(exc, locals().get("args"))
        stderr.write(exc.render() + "\n")
        return EXIT_USAGE
    except SystemExit as exc:  # argparse --help / --version
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    except RecursionError:
        stderr.write("error[E007]: input too deeply nested\n")
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl-C outside any budget (or before handlers were installed)
        from verigroup.runtime import cancel_reason, progress

        progress.clear()
        stderr.write(f"{cancel_reason() or 'interrupted'}: no results\n")
        return interrupted_exit()
    except DeadlineExceeded:  # cancelled (or a budget ran out) outside any command's own handling
        from verigroup.runtime import cancel_reason, cancelled, progress

        progress.clear()
        if cancelled():
            stderr.write(f"{cancel_reason()}: no results\n")
            return interrupted_exit()
        stderr.write("timeout: the time budget ran out before any result\n")
        return EXIT_UNKNOWN
    except Exception as exc:  # a bug in verigroup, never the user's fault
        import traceback

        from verigroup.runtime import cancel_reason, cancelled, progress

        if cancelled():  # an interrupt re-wrapped by a library on its way out
            progress.clear()
            stderr.write(f"{cancel_reason()}: no results\n")
            if _debug():
                traceback.print_exc(file=stderr)
            return interrupted_exit()
        from verigroup.runtime import wraps_deadline

        if wraps_deadline(exc):  # a budget's end re-wrapped by a library on its way out
            progress.clear()
            stderr.write("timeout: the time budget ran out before any result\n")
            return EXIT_UNKNOWN

        stderr.write(f"internal error: {type(exc).__name__}: {exc}\n"
                     "this is a bug in verigroup; please report it with the spec that caused it\n")
        if _debug():
            traceback.print_exc(file=stderr)
        return EXIT_INTERNAL


def interrupted_exit() -> int:
    """130 after Ctrl-C, 143 after SIGTERM."""
    from verigroup.runtime import cancel_reason

    return EXIT_TERMINATED if cancel_reason() == "terminated" else EXIT_INTERRUPTED


def _debug() -> bool:
    import os

    return bool(os.environ.get("VERIGROUP_DEBUG"))


def entry() -> None:
    from verigroup.runtime import install_signal_handlers, progress

    install_signal_handlers()  # Ctrl-C / SIGTERM stop native engines too
    # Progress on a terminal; VERIGROUP_PROGRESS=1 forces it (logs, tests).
    import os

    progress.enable(sys.stderr, force=os.environ.get("VERIGROUP_PROGRESS") == "1")
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
