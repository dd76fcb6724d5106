"""``verigroup sweep SPEC --param NAME=LO:HI:STEP …``: a verdict map of every
property over a parameter grid, on one machine or a Dask cluster."""

from __future__ import annotations

import argparse
import sys
from typing import IO, Any, Callable

HELP = "verdict map of every property over a parameter grid (serial, processes or Dask)"


def add_arguments(sp: argparse.ArgumentParser, common: Callable[..., None]) -> None:
    sp.add_argument("spec", metavar="SPEC")
    sp.add_argument("--param", dest="axes", action="append", default=[], metavar="NAME=LO:HI:STEP",
                    help="a swept parameter: LO:HI:STEP, LO:HI (step 1) or V1,V2,… (exact numbers)")
    sp.add_argument("--grid", default=None, metavar="FILE", help="points from a JSON or CSV file instead")
    sp.add_argument("--backend", choices=("serial", "processes", "dask"), default="processes",
                    help="where points run (default: local processes, one per core)")
    sp.add_argument("--jobs", "-j", type=int, default=None, metavar="N", help="workers (default: cores)")
    sp.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="use the Dask scheduler at ADDRESS (implies --backend dask)")
    sp.add_argument("--refine", default=None, metavar="RES",
                    help="bisect wherever a verdict changes between neighbours, down to width RES")
    sp.add_argument("--exact", action="store_true",
                    help="exact boundaries from the Z3 route where it applies")
    sp.add_argument("--cache-dir", default=None, metavar="DIR",
                    help="result cache (default $VERIGROUP_CACHE or ~/.cache/verigroup)")
    sp.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    sp.add_argument("--max-points", type=int, default=None, metavar="N", help="refuse larger grids (default 10^6)")
    sp.add_argument("--property", dest="only", action="append", default=[], metavar="NAME",
                    help="sweep only this property (repeatable; default: every property)")
    sp.add_argument("--evidence", action="store_true", help="JSON: include every point's evidence")
    common(sp, ("text", "json", "csv", "markdown", "html"))


def run(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup import api
    from verigroup.cli.main import EXIT_USAGE, _emit
    from verigroup.diagnostics import Diagnostic, SpecError, Span
    from verigroup.runtime.executors import ExecutorError, make_executor
    from verigroup.sweeps import build_grid, read_grid_file, sweep
    from verigroup.sweeps.cache import ResultCache, default_cache_dir
    from verigroup.sweeps.grid import MAX_POINTS, exact
    from verigroup.sweeps.render import render_csv, render_html, render_markdown, render_text

    if overrides:
        raise SpecError([Diagnostic("E401", "sweep takes parameters from --param, not --set",
                                    Span("--set", 0, 0), "write --param NAME=VALUE for a fixed value")])
    if args.jobs is not None and args.jobs < 1:
        raise SpecError([Diagnostic("E401", f"--jobs must be at least 1, got {args.jobs}", Span("--jobs", 0, 0))])
    limit = args.max_points if args.max_points is not None else MAX_POINTS
    if args.grid and args.axes:
        raise SpecError([Diagnostic("E401", "give either --param ranges or --grid FILE, not both",
                                    Span("--grid", 0, 0))])
    grid = read_grid_file(args.grid, limit) if args.grid else build_grid(args.axes, limit)
    refine = exact(args.refine, "--refine") if args.refine is not None else None
    if refine is not None and refine <= 0:
        raise SpecError([Diagnostic("E401", "--refine needs a positive resolution", Span("--refine", 0, 0))])
    timeout = args.timeout
    text = api.read_text(args.spec)
    cache = None if args.no_cache else ResultCache(default_cache_dir() if args.cache_dir is None
                                                   else __import__("pathlib").Path(args.cache_dir))
    try:
        executor = make_executor("dask" if args.scheduler else args.backend, args.jobs, args.scheduler)
    except ExecutorError as exc:
        err.write(f"error[E401]: {exc}\n")
        return EXIT_USAGE
    progress = _progress_bar(err) if _is_tty(err) else None
    try:
        res = sweep(text, args.spec, grid, executor=executor, cache=cache, timeout=timeout,
                    method="auto", refine=refine, exact=args.exact, only=args.only,
                    progress=progress)
    finally:
        executor.close()
        if progress is not None:
            progress(-1, -1)
    fmt = args.format
    if fmt == "json":
        from verigroup.reports.jsonout import dumps

        body = dumps(res.to_json(with_evidence=args.evidence))
    elif fmt == "csv":
        body = render_csv(res)
    elif fmt == "markdown":
        body = render_markdown(res)
    elif fmt == "html":
        body = render_html(res)
    else:
        body = render_text(res)
    _emit(body, args.output, out)
    if not res.complete and "interrupted" in res.reason:
        err.write("interrupted: partial results written; the cache keeps every finished point\n")
        return 130
    return res.exit_code


def _is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty()) and stream is sys.stderr
    except (AttributeError, ValueError):
        return False


def _progress_bar(err: IO[str]) -> Callable[[int, int], None]:
    """A tqdm bar on the terminal (points done, rate, time left)."""
    state: dict[str, Any] = {"bar": None}

    def update(done: int, total: int) -> None:
        try:
            from tqdm import tqdm
        except ImportError:  # pragma: no cover
            return
        bar = state["bar"]
        if done < 0:
            if bar is not None:
                bar.close()
            return
        if bar is None or done == 0:
            if bar is not None:
                bar.close()
            state["bar"] = bar = tqdm(total=total, file=err, unit="pt", desc="sweep", leave=False)
        bar.n = done
        bar.refresh()

    return update
