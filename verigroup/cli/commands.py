"""The CLI commands.  Each takes parsed args and returns an exit code."""

from __future__ import annotations

import argparse
from typing import IO, Any, Iterator

from verigroup import api
from verigroup.cli.main import EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE, EXIT_VIOLATED, _emit
from verigroup.diagnostics import SpecError, Span
from verigroup.reports import jsonout, text


def combine_exit(codes: list[int]) -> int:
    """2 (bad input) > 1 (violated) > 3 (unknown) > 0."""
    for c in (2, 1, 3, 4):
        if c in codes:
            return c
    return 0


def overrides_per_spec(paths: list[str], overrides: dict[str, str]) -> dict[str, dict[str, str]]:
    """Each ``--set NAME=VALUE`` applies to the specs that declare NAME; one
    that no spec declares is a usage error (E109).  With one spec the spec's
    own E109 (with its did-you-mean) is kept."""
    if not overrides or len(paths) == 1:
        return {p: dict(overrides) for p in paths}
    declared: dict[str, frozenset[str]] = {}
    for p in paths:
        try:
            declared[p] = api.declared_params(p)
        except SpecError:
            declared[p] = frozenset()  # reported when the spec is loaded
    unused = [n for n in overrides if not any(n in d for d in declared.values())]
    if unused:
        from verigroup.diagnostics import Diagnostic, Span

        names = sorted(set().union(*declared.values()))
        raise SpecError([Diagnostic("E109", f"--set {n}=...: no spec on the command line declares a param `{n}`",
                                    Span("--set", 0, 0),
                                    "declared params: " + ", ".join(names) if names else
                                    "none of these specs declares params") for n in unused])
    return {p: {n: v for n, v in overrides.items() if n in declared[p]} for p in paths}


def _stamp_interrupted(doc: dict[str, Any]) -> dict[str, Any]:
    from verigroup.runtime import cancel_reason, cancelled

    if cancelled():
        doc["interrupted"] = cancel_reason() or "interrupted"
    return doc


def cmd_check(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup import __version__
    from verigroup.cli.main import interrupted_exit
    from verigroup.runtime import DeadlineExceeded, cancel_reason, cancelled, deadline, progress

    reports: list[api.Report] = []
    models: list[Any] = []
    codes: list[int] = []
    per_spec = overrides_per_spec(list(args.specs), overrides)
    # Text to the terminal streams: each spec's result as soon as it is done.
    stream = args.format == "text" and not args.output
    for path, model, rep in _checked(args, per_spec, codes, err):
        if not rep.results and not rep.interrupted:
            progress.clear()
            what = "a Gambit game file has" if path.lower().endswith((".nfg", ".efg")) else "the spec declares"
            if args.require_properties:
                err.write(f"error: {path}: {what} no properties; nothing was checked (--require-properties)\n")
                codes.append(EXIT_USAGE)
            else:
                err.write(f"warning: {path}: {what} no properties; nothing was checked "
                          "(exit 0; use --require-properties to fail)\n")
        reports.append(rep)
        models.append(model)
        codes.append(rep.exit_code)
        if stream:
            _emit(text.render_report(rep, args.verbose) + "\n", None, out)
    code = combine_exit(codes)
    if cancelled():
        code = interrupted_exit()
    fmt = args.format
    if fmt == "json":
        doc = _stamp_interrupted(jsonout.check_document(reports, __version__, code))
        _emit(jsonout.dumps(doc), args.output, out)
    elif fmt == "sarif":
        from verigroup.reports.sarif import render_sarif

        _emit(render_sarif(reports, models, __version__), args.output, out)
    elif fmt == "markdown":
        from verigroup.reports.markdown import render_markdown

        _emit(render_markdown(reports, models, __version__), args.output, out)
    elif fmt == "html":
        from verigroup.reports.html import render_html, solutions_to_draw

        # the pictures (equilibria marked in the heatmap, SPE path in the tree)
        _emit(render_html(reports, models, __version__, solutions_to_draw(models, args.timeout)),
              args.output, out)
    elif stream:
        _emit(text.render_summary(reports, code), None, out)
    else:
        body = "\n\n".join(text.render_report(r, args.verbose) for r in reports)
        _emit((body + "\n\n" if body else "") + text.render_summary(reports, code), args.output, out)
    if cancelled():
        done = sum(1 for r in reports if not r.interrupted)
        err.write(f"{cancel_reason()}: results are incomplete ({done} of {len(args.specs)} specs fully "
                  "checked; undecided properties are UNKNOWN)\n")
    return code


def _checked(args: argparse.Namespace, per_spec: dict[str, dict[str, str]], codes: list[int],
             err: IO[str]) -> Iterator[tuple[str, Any, api.Report]]:
    """Each spec's (path, model, report), in the order given; a spec that
    does not load is reported on ``err`` and its exit code appended to
    ``codes``.  With ``--jobs N`` (N > 1) or ``--backend processes|dask``
    the specs are checked in parallel by :mod:`verigroup.sweeps.batch`."""
    from verigroup.runtime import DeadlineExceeded, cancelled, deadline, progress

    jobs = getattr(args, "jobs", None)
    backend = getattr(args, "backend", None) or ("dask" if getattr(args, "scheduler", None) else
                                                 "processes" if jobs and jobs > 1 else "serial")
    if backend != "serial" and len(args.specs) > 1:
        yield from _checked_batch(args, per_spec, codes, err, backend, jobs)
        return
    for k, path in enumerate(args.specs, 1):
        if cancelled():
            break
        progress.status(f"check {path} ({k}/{len(args.specs)}): loading")
        try:
            with deadline(args.timeout):
                model = api.load(path, per_spec[path])
        except SpecError as exc:
            progress.clear()
            err.write(exc.render() + "\n")
            codes.append(EXIT_USAGE)
            continue
        except DeadlineExceeded:
            if cancelled():
                break
            progress.clear()
            err.write(f"{path}: UNKNOWN: loading did not finish within the {args.timeout:g} s timeout\n")
            codes.append(EXIT_UNKNOWN)
            continue
        yield path, model, api.check_model(model, timeout=args.timeout, method=args.method)


def _checked_batch(args: argparse.Namespace, per_spec: dict[str, dict[str, str]], codes: list[int],
                   err: IO[str], backend: str, jobs: int | None) -> Iterator[tuple[str, Any, api.Report]]:
    from verigroup.runtime.executors import ExecutorError, make_executor
    from verigroup.sweeps.batch import check_many

    try:
        executor = make_executor(backend, jobs, getattr(args, "scheduler", None))
    except ExecutorError as exc:
        raise SpecError.single("E401", str(exc), Span("--backend", 0, 0)) from None
    needs_model = args.format in ("sarif", "markdown", "html")
    try:
        paths = list(args.specs)
        for _, item in check_many(paths, [per_spec[p] for p in paths], executor, args.timeout, args.method):
            if item.error:
                err.write(item.error + "\n")
                codes.append(EXIT_USAGE)
            elif item.unknown or item.failed:
                err.write(f"{item.path}: UNKNOWN: {item.unknown or item.failed}\n")
                codes.append(EXIT_UNKNOWN)
            else:
                yield item.path, (api.load(item.path, per_spec[item.path]) if needs_model else None), item.report
    finally:
        executor.close()


def _load(args: argparse.Namespace, overrides: dict[str, str]) -> Any:
    """Load the one spec of a command under its time budget."""
    from verigroup.runtime import DeadlineExceeded, cancelled

    try:
        return api.load(args.spec, overrides, timeout=args.timeout)
    except DeadlineExceeded:
        if cancelled():
            raise
        raise LoadTimeout(f"{args.spec}: loading did not finish within the {args.timeout:g} s timeout") from None


class LoadTimeout(Exception):
    """Loading ran out of time: inconclusive (exit 3), not bad input."""


def _unknown(err: IO[str], exc: LoadTimeout) -> int:
    err.write(f"UNKNOWN: {exc}\n")
    return EXIT_UNKNOWN


def cmd_solve(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup import __version__
    from verigroup.cli.main import interrupted_exit
    from verigroup.runtime import cancel_reason, cancelled

    try:
        model = _load(args, overrides)
    except LoadTimeout as exc:
        return _unknown(err, exc)
    options: dict[str, Any] = {}
    if args.objective:
        if args.objective not in model.metrics:
            from verigroup.diagnostics import Diagnostic, did_you_mean

            raise SpecError([Diagnostic("E401", f"--objective: no metric named {args.objective!r}",
                                        hint=did_you_mean(args.objective, model.metrics) or
                                        "metrics: " + (", ".join(sorted(model.metrics)) or "none"))])
        options["objective"] = args.objective
    if args.minimize:
        options["minimize"] = True
    if getattr(args, "method", "auto") != "auto":  # ---- populations (issue 9)
        options["method"] = args.method
    sol = _solve_refusing_sizes(model, args, options)
    if args.format == "json":
        doc = jsonout.solution_to_json(sol, model.name, model.path, api.spec_hash(model),
                                       __version__, model.param_values())
        _emit(jsonout.dumps(_stamp_interrupted(doc)), args.output, out)
    else:
        _emit(text.render_solution(sol, model.name, model), args.output, out)
    if cancelled():
        err.write(f"{cancel_reason()}: the equilibrium list is incomplete\n")
        return interrupted_exit()
    # An incomplete list (timeout, heuristic n-player search) is inconclusive.
    return EXIT_OK if sol.complete else EXIT_UNKNOWN


def _solve_refusing_sizes(model: Any, args: argparse.Namespace, options: dict[str, Any]) -> api.Solution:
    """``solve`` needs the explicit payoff table: a size refusal names only
    what works for this command (E202)."""
    from verigroup.diagnostics import Diagnostic, TooLarge

    try:
        return api.solve_model(model, concept=args.concept, timeout=args.timeout, **options)
    except TooLarge as exc:
        hint = ("solve enumerates the explicit payoff table; when the members of a family are "
                "interchangeable (payoffs depend only on how many play each action), "
                "`verigroup solve --method counting SPEC` works in counting space; otherwise state what you "
                "want to know as properties and run `verigroup check --method z3 SPEC` "
                "(properties over pure equilibria are decided without the table)")
        raise SpecError([Diagnostic(d.code, d.message, d.span, hint) for d in exc.diagnostics]) from None


def cmd_show(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup.reports.show import show_json, show_text
    from verigroup.runtime import deadline

    try:
        model = _load(args, overrides)
    except LoadTimeout as exc:
        return _unknown(err, exc)
    with deadline(args.timeout):
        body = jsonout.dumps(show_json(model)) if args.format == "json" else show_text(model)
    _emit(body, args.output, out)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup.diagnostics import Diagnostic, TooLarge
    from verigroup.runtime import deadline

    try:
        model = _load(args, overrides)
    except LoadTimeout as exc:
        return _unknown(err, exc)
    try:
        with deadline(args.timeout):
            text_out = _export_text(model, args.to)
    except TooLarge as exc:
        raise SpecError([Diagnostic(d.code, d.message, d.span,
                                    "export writes the whole payoff table; there is no smaller form of "
                                    "this game to export") for d in exc.diagnostics]) from None
    _emit(text_out, args.output, out)
    return EXIT_OK


def _export_text(model: Any, to: str) -> str:
    if to == "nfg":
        from verigroup.io.nfg import write_nfg

        if model.protocol is not None:
            from verigroup.extensive.reduced import reduced_normal_form

            return write_nfg(reduced_normal_form(model.protocol).game)
        return write_nfg(model.game())
    if model.protocol is None:
        from verigroup.diagnostics import Diagnostic

        raise SpecError([Diagnostic("E401", "--to efg needs a spec with a protocol (an extensive-form game)",
                                    hint="use --to nfg for a strategic-form game")])
    from verigroup.io.efg import write_efg

    return write_efg(model.protocol)


def cmd_replay(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup.replay import replay_file
    from verigroup.runtime import DeadlineExceeded, cancelled, deadline

    try:
        with deadline(args.timeout):
            # ---- elections (issue 11): verigroup.axioms/1 and verigroup.impossible/1 documents
            from verigroup.replay.elections import replay_elections_file

            result = replay_elections_file(args.report) or replay_file(args.report, spec=getattr(args, "spec", None))
    except DeadlineExceeded:
        if cancelled():
            raise
        err.write(f"UNKNOWN: replay did not finish within the {args.timeout:g} s timeout\n")
        return EXIT_UNKNOWN
    if args.format == "json":
        _emit(jsonout.dumps(result.to_json()), None, out)
    else:
        _emit(result.render(), None, out)
    return EXIT_OK if result.ok else EXIT_VIOLATED


def cmd_explain(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup.cli.main import interrupted_exit
    from verigroup.reports.explain import explain_report
    from verigroup.runtime import cancelled

    try:
        model = _load(args, overrides)
    except LoadTimeout as exc:
        return _unknown(err, exc)
    rep = api.check_model(model, timeout=args.timeout)
    _emit(explain_report(rep, model), None, out)
    return interrupted_exit() if cancelled() else rep.exit_code
