"""The CLI commands.  Each takes parsed args and returns an exit code."""

from __future__ import annotations

import argparse
from typing import IO, Any

from verigroup import api
from verigroup.cli.main import EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE, EXIT_VIOLATED, _emit
from verigroup.diagnostics import SpecError
from verigroup.reports import jsonout, text


def combine_exit(codes: list[int]) -> int:
    """2 (bad input) > 1 (violated) > 3 (unknown) > 0."""
    for c in (2, 1, 3, 4):
        if c in codes:
            return c
    return 0


def cmd_check(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup import __version__

    reports: list[api.Report] = []
    models: list[Any] = []
    codes: list[int] = []
    for path in args.specs:
        try:
            model = api.load(path, overrides)
            rep = api.check_model(model, timeout=args.timeout, method=args.method)
        except SpecError as exc:
            err.write(exc.render() + "\n")
            codes.append(EXIT_USAGE)
            continue
        reports.append(rep)
        models.append(model)
        codes.append(rep.exit_code)
    code = combine_exit(codes)
    fmt = args.format
    if fmt == "json":
        _emit(jsonout.dumps(jsonout.check_document(reports, __version__, code)), args.output, out)
    elif fmt == "sarif":
        from verigroup.reports.sarif import render_sarif

        _emit(render_sarif(reports, models, __version__), args.output, out)
    elif fmt == "markdown":
        from verigroup.reports.markdown import render_markdown

        _emit(render_markdown(reports, models, __version__), args.output, out)
    elif fmt == "html":
        from verigroup.reports.html import render_html

        _emit(render_html(reports, models, __version__), args.output, out)
    else:
        body = "\n\n".join(text.render_report(r, args.verbose) for r in reports)
        _emit((body + "\n\n" if body else "") + text.render_summary(reports, code), args.output, out)
    return code


def cmd_solve(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup import __version__

    model = api.load(args.spec, overrides)
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
    sol = api.solve_model(model, concept=args.concept, timeout=args.timeout, **options)
    if args.format == "json":
        doc = jsonout.solution_to_json(sol, model.name, model.path, api.spec_hash(model),
                                       __version__, model.param_values())
        _emit(jsonout.dumps(doc), args.output, out)
    else:
        _emit(text.render_solution(sol, model.name), args.output, out)
    # An incomplete list (timeout, heuristic n-player search) is inconclusive.
    return EXIT_OK if sol.complete else EXIT_UNKNOWN


def cmd_show(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup.reports.show import show_json, show_text

    model = api.load(args.spec, overrides)
    if args.format == "json":
        _emit(jsonout.dumps(show_json(model)), args.output, out)
    else:
        _emit(show_text(model), args.output, out)
    return EXIT_OK


def cmd_export(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    model = api.load(args.spec, overrides)
    if args.to == "nfg":
        if model.protocol is not None:
            from verigroup.extensive.reduced import reduced_normal_form
            from verigroup.io.nfg import write_nfg

            text_out = write_nfg(reduced_normal_form(model.protocol).game)
        else:
            from verigroup.io.nfg import write_nfg

            text_out = write_nfg(model.game())
    else:
        if model.protocol is None:
            from verigroup.diagnostics import Diagnostic

            raise SpecError([Diagnostic("E401", "--to efg needs a spec with a protocol (an extensive-form game)",
                                        hint="use --to nfg for a strategic-form game")])
        from verigroup.io.efg import write_efg

        text_out = write_efg(model.protocol)
    _emit(text_out, args.output, out)
    return EXIT_OK


def cmd_replay(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup.replay import replay_file

    result = replay_file(args.report, spec=getattr(args, "spec", None))
    if args.format == "json":
        _emit(jsonout.dumps(result.to_json()), None, out)
    else:
        _emit(result.render(), None, out)
    return EXIT_OK if result.ok else EXIT_VIOLATED


def cmd_explain(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup.reports.explain import explain_report

    model = api.load(args.spec, overrides)
    rep = api.check_model(model, timeout=args.timeout)
    _emit(explain_report(rep, model), None, out)
    return rep.exit_code
