"""``verigroup synthesize SPEC --goal GOAL --lever LEVER``: the cheapest
mechanism (shared reward, subsidy, budget-balanced transfers) that makes a
target profile an equilibrium, dominant, or the unique equilibrium; exact,
certified, and re-checked on the transformed game."""

from __future__ import annotations

import argparse
from typing import IO, Any, Callable

HELP = "synthesise the cheapest mechanism that achieves a goal (exact, certified, re-checked)"
SCHEMA = "verigroup.synthesize/1"


def add_arguments(sp: argparse.ArgumentParser, common: Callable[..., None]) -> None:
    sp.add_argument("spec", metavar="SPEC")
    sp.add_argument("--goal", default=None, metavar="GOAL",
                    help="nash:PROFILE, dominant:PROFILE or unique:PROFILE (PROFILE: a named profile "
                         "or agent=action,agent=action); without --goal/--lever, the spec's "
                         "`synthesize` statements are answered")
    sp.add_argument("--lever", default=None, metavar="LEVER", help="share, subsidy, transfer, tax:METRIC or param:NAME")
    sp.add_argument("--bound", default=None, metavar="B",
                    help="largest payment per agent and profile (subsidy, transfer); default "
                         "2 * payoff range + 1")
    sp.add_argument("--share-range", default="0,1", metavar="LO,HI",
                    help="the domain of alpha for the share lever (inside [0, 1])")
    sp.add_argument("--range", dest="param_range", default=None, metavar="LO,HI",
                    help="the domain of the parameter for the param:NAME lever (required)")
    sp.add_argument("--require", action="append", default=[], metavar="PROPERTY",
                    help="a property of the spec the fix must keep (checked on the transformed game)")
    common(sp, ("text", "json"))


def _fraction(text: str, flag: str) -> Any:
    from fractions import Fraction

    from verigroup.diagnostics import SpecError, Span

    try:
        return Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise SpecError.single("E702", f"{flag}: `{text}` is not an exact number", Span(flag),
                               "write an integer, a fraction like 3/2 or a decimal like 0.5")


def run(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup import __version__, api
    from verigroup.cli.main import _emit
    from verigroup.diagnostics import SpecError, Span
    from verigroup.mechanisms import parse_goal, synthesize
    from verigroup.reports.jsonout import dumps

    try:
        model = api.load(args.spec, overrides)
        if args.goal is None and args.lever is None:
            return _questions(model, args, out, err)
        if args.goal is None or args.lever is None:
            raise SpecError.single("E702", "give both --goal and --lever (or neither, to answer the "
                                   "spec's `synthesize` statements)", Span("--goal"))
        goal = parse_goal(args.goal, model)
        bound = None if args.bound is None else _fraction(args.bound, "--bound")
        parts = args.share_range.split(",")
        if len(parts) != 2:
            raise SpecError.single("E702", "--share-range expects LO,HI", Span("--share-range"),
                                   "for example --share-range 0,1/2")
        rng = (_fraction(parts[0], "--share-range"), _fraction(parts[1], "--share-range"))
        prange = None
        if args.param_range is not None:
            pp = args.param_range.split(",")
            if len(pp) != 2:
                raise SpecError.single("E702", "--range expects LO,HI", Span("--range"),
                                       "for example --range 0,1")
            prange = (_fraction(pp[0], "--range"), _fraction(pp[1], "--range"))
        res = synthesize(model, goal, args.lever.strip(), bound=bound, share_range=rng,
                         timeout=args.timeout, required=args.require, check=api.check_model,
                         param_range=prange)
    except SpecError as exc:
        err.write(exc.render() + "\n")
        return 2
    code = res.exit_code
    if args.format == "json":
        _emit(dumps(document(res, model, goal.kind, code)), args.output, out)
    else:
        _emit(render_text(res, code), args.output, out)
    return code


def _questions(model: Any, args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from verigroup.cli.commands import combine_exit
    from verigroup.cli.main import _emit
    from verigroup.diagnostics import SpecError, Span
    from verigroup.mechanisms.checkers import run_question
    from verigroup.mechanisms.properties import SynthesisQuestion
    from verigroup.reports.jsonout import dumps
    from verigroup import api

    qs = [p for p in model.properties if isinstance(p, SynthesisQuestion)]
    if not qs:
        raise SpecError.single("E702", "the spec has no `synthesize` statement", Span(model.path),
                               "give --goal GOAL --lever LEVER, or write `synthesize \"name\": GOAL PROFILE, LEVER`")
    docs, texts, codes = [], [], []
    for q in qs:
        res = run_question(model, q, args.timeout, check=api.check_model)
        code = res.exit_code
        codes.append(code)
        docs.append(dict(document(res, model, q.goal, code), name=q.name))
        texts.append(f"synthesize \"{q.name}\"\n" + render_text(res, code))
    code = combine_exit(codes)
    if args.format == "json":
        from verigroup import __version__

        _emit(dumps({"schema": SCHEMA, "version": __version__, "spec": model.path, "questions": docs,
                     "exit_code": code}), args.output, out)
    else:
        _emit("\n\n".join(texts), args.output, out)
    return code


def document(res: Any, model: Any, kind: str, code: int) -> dict[str, Any]:
    from verigroup import __version__, api

    doc = {
        "schema": SCHEMA, "version": __version__, "spec": res.spec,
        "spec_hash": api.spec_hash(model), "game": res.game,
        "params": model.param_values(),
        "goal": {"text": res.goal, "kind": kind, "profile": res.target},
        "lever": res.lever, "objective": res.objective, "status": res.status,
        "feasible": res.feasible, "optimal_value": res.optimal_value, "attained": res.attained,
        "mechanism": res.mechanism, "certificate": res.certificate,
        "recheck": [r.to_json() for r in res.recheck],
        "audit": [r.to_json() for r in res.audit],
        "spec_properties": [r.to_json() for r in res.spec_properties],
        "required": list(res.required), "reason": res.reason, "exit_code": code,
    }
    return doc


def render_text(res: Any, code: int) -> str:
    lines = [f"{res.spec}: game {res.game}",
             f"  goal {res.goal}  (target {', '.join(f'{k}={v}' for k, v in res.target.items())})",
             f"  lever {res.lever}: minimise {res.objective}"]
    if res.status == "infeasible":
        lines.append("  INFEASIBLE: " + str(res.certificate.get("why", "no mechanism achieves the goal")))
    elif res.status == "unknown":
        lines.append(f"  UNKNOWN: {res.reason}")
    else:
        word = "optimum" if res.attained else "infimum (not attained)"
        lines.append(f"  {word}: {res.optimal_value}")
        if "param" in res.mechanism:
            lines.append(f"  mechanism: {res.mechanism['param']} = {res.mechanism['value']} "
                         f"(the spec has {res.mechanism['spec_value']})")
        elif "tax" in res.mechanism:
            lines.append(f"  mechanism: every agent pays {res.mechanism['tax']} per unit of "
                         f"{res.mechanism['metric']}")
        elif "alpha" in res.mechanism:
            lines.append(f"  mechanism: alpha = {res.mechanism['alpha']}"
                         + (f" (selfishness level {res.mechanism['selfishness_level']})"
                            if res.mechanism.get("selfishness_level") is not None else ""))
        else:
            for row in res.mechanism.get("payments", []):
                prof = ", ".join(f"{k}={v}" for k, v in row["profile"].items())
                pays = ", ".join(f"{k} {v}" for k, v in row["payments"].items())
                lines.append(f"  pay at ({prof}): {pays}")
        lines.append(f"  certificate: {res.certificate.get('method', '')}")
    for title, rows in (("re-check", res.recheck), ("audit of the fix", res.audit),
                        ("spec properties on the transformed game", res.spec_properties)):
        if rows:
            lines.append(f"  {title}:")
            for r in rows:
                req = "  [required]" if r.name in res.required else ""
                lines.append(f"    {r.verdict.value:<9} {r.name}{req}")
    lines.append(f"summary: {res.status} (exit {code})")
    return "\n".join(lines)
