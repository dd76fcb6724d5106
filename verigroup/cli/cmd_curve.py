"""``verigroup curve SPEC [NAME]``: the exact points of a spec's ``curve``
statements (issue 14) as a table, JSON, Markdown or HTML with the picture."""

from __future__ import annotations

import argparse
from typing import IO, Any, Callable

HELP = "exact points of a spec's curve statements (value(AGENT) and params over a budget)"


def add_arguments(sp: argparse.ArgumentParser, common: Callable[..., None]) -> None:
    sp.add_argument("spec", metavar="SPEC")
    sp.add_argument("name", nargs="?", default=None, metavar="NAME",
                    help="the curve to compute (default: every curve of the spec)")
    sp.add_argument("--backend", choices=("serial", "processes", "dask"), default="serial",
                    help="where points run (default: serial, in this process)")
    sp.add_argument("--jobs", "-j", type=int, default=None, metavar="N", help="workers (default: cores)")
    sp.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="use the Dask scheduler at ADDRESS (implies --backend dask)")
    common(sp, ("text", "json", "markdown", "html"))


def _curves(model: Any, name: str | None) -> list[Any]:
    from verigroup.diagnostics import Diagnostic, SpecError, Span, did_you_mean
    from verigroup.model.properties import CurveSpec

    curves = [p for p in model.properties if isinstance(p, CurveSpec)]
    if name is None:
        if not curves:
            raise SpecError([Diagnostic("E140", "this spec declares no curve", Span(model.path, 1, 1),
                                        'add one: curve "NAME" over PARAM in LO..HI: NAME = value(AGENT)')])
        return curves
    got = [c for c in curves if c.name == name]
    if not got:
        names = [c.name for c in curves]
        raise SpecError([Diagnostic("E140", f"no curve named {name!r}", Span(model.path, 1, 1),
                                    did_you_mean(name, names) or ("curves: " + ", ".join(names) if names
                                                                  else "this spec declares no curve"))])
    return got


def run(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup import api
    from verigroup.analyses.registry import Context
    from verigroup.cli.main import EXIT_INTERRUPTED, EXIT_OK, EXIT_UNKNOWN, EXIT_VIOLATED, _emit
    from verigroup.runtime import cancelled
    from verigroup.verdicts import Verdict

    from verigroup.diagnostics import SpecError, Span
    from verigroup.runtime.executors import ExecutorError, make_executor

    if args.jobs is not None and args.jobs < 1:
        raise SpecError.single("E401", f"--jobs must be at least 1, got {args.jobs}", Span("--jobs", 0, 0))
    model = api.load(args.spec, overrides)
    curves = _curves(model, args.name)
    backend = "dask" if args.scheduler else args.backend
    executor = None
    if backend != "serial":
        try:
            executor = make_executor(backend, args.jobs, args.scheduler)
        except ExecutorError as exc:
            raise SpecError.single("E401", str(exc), Span("--backend", 0, 0)) from None
    ctx = Context(model, timeout=args.timeout, options={"curve_executor": executor} if executor else {})
    try:
        results = [api.check_property(ctx, c) for c in curves]
    finally:
        if executor is not None:
            executor.close()
    fmt = args.format
    if fmt == "json":
        from verigroup.reports.jsonout import dumps

        body = dumps({"schema": "verigroup.curve/1", "spec": str(args.spec), "game": model.name,
                      "curves": [r.to_json() for r in results]})
    elif fmt == "markdown":
        body = _markdown(model.name, results)
    elif fmt == "html":
        body = _html(model.name, results)
    else:
        body = _text(model.name, results)
    _emit(body, args.output, out)
    if cancelled():
        err.write("interrupted: the points found so far are written\n")
        return EXIT_INTERRUPTED
    verdicts = {r.verdict for r in results}
    return EXIT_VIOLATED if Verdict.VIOLATED in verdicts else EXIT_UNKNOWN if Verdict.UNKNOWN in verdicts \
        else EXIT_OK


def _text(game: str, results: list[Any]) -> str:
    from verigroup.reports.curves import curve_table

    out = []
    for r in results:
        out.append(f"curve {r.name!r} of {game}: {r.verdict.value} — {r.message}")
        head, rows = curve_table(r.evidence)
        widths = [max(len(h), *(len(row[k]) for row in rows)) if rows else len(h) for k, h in enumerate(head)]
        out.append("  " + "  ".join(h.rjust(w) for h, w in zip(head, widths)))
        for row in rows:
            out.append("  " + "  ".join(x.rjust(w) for x, w in zip(row, widths)))
        if r.evidence.get("reason"):
            out.append(f"  incomplete: {r.evidence['reason']}")
    return "\n".join(out) + "\n"


def _markdown(game: str, results: list[Any]) -> str:
    from verigroup.reports.curves import curve_picture, curve_table

    out = [f"# Curves: {game}", ""]
    for r in results:
        head, rows = curve_table(r.evidence)
        out += [f"## {r.name}: {r.verdict.value}", "", r.message, "",
                "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        out += ["| " + " | ".join(row) + " |" for row in rows]
        uri = curve_picture(r.evidence, r.name)
        if uri:
            out += ["", f"![curve {r.name}]({uri})"]
        out.append("")
    return "\n".join(out)


def _html(game: str, results: list[Any]) -> str:
    import html

    from verigroup.reports.curves import curve_picture, curve_table

    e = html.escape
    parts = []
    for r in results:
        head, rows = curve_table(r.evidence)
        uri = curve_picture(r.evidence, r.name)
        fig = f'<figure><img alt="curve {e(r.name)}" src="{uri}"></figure>' if uri else ""
        parts.append(f"<h2>{e(r.name)}: {e(r.verdict.value)}</h2><p>{e(r.message)}</p>{fig}<table><thead><tr>"
                     + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr></thead><tbody>"
                     + "".join("<tr>" + "".join(f"<td>{e(x)}</td>" for x in row) + "</tr>" for row in rows)
                     + "</tbody></table>")
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>verigroup curves — {e(game)}</title><style>body{{font-family:system-ui,sans-serif;margin:2em}}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}"
            f"</style></head><body><h1>Curves: {e(game)}</h1>{''.join(parts)}</body></html>\n")
