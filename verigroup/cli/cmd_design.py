"""``verigroup design``: the optimal randomised single-item mechanism on a
finite value grid (Conitzer–Sandholm automated mechanism design), exact,
certified by Z3 and re-checked by the incentive checkers."""

from __future__ import annotations

import argparse
from typing import IO, Any, Callable

HELP = "design the optimal single-item mechanism on a value grid (exact LP, certified)"
SCHEMA = "verigroup.design/1"


def add_arguments(sp: argparse.ArgumentParser, common: Callable[..., None]) -> None:
    sp.add_argument("--bidders", type=int, required=True, metavar="N")
    sp.add_argument("--values", required=True, metavar="V1,V2,...", help="the value grid (exact numbers)")
    sp.add_argument("--prior", default=None, metavar="P1,P2,...",
                    help="each bidder's independent prior over the grid (default uniform)")
    sp.add_argument("--ic", choices=("dsic", "bic"), default="dsic")
    sp.add_argument("--ir", choices=("ex_post", "interim"), default="ex_post")
    sp.add_argument("--objective", choices=("revenue", "welfare"), default="revenue")
    common(sp, ("text", "json"))


def _numbers(text: str, flag: str) -> list[Any]:
    from fractions import Fraction

    from verigroup.diagnostics import SpecError, Span

    out = []
    for part in text.split(","):
        try:
            out.append(Fraction(part.strip()))
        except (ValueError, ZeroDivisionError):
            raise SpecError.single("E703", f"{flag}: `{part.strip()}` is not an exact number", Span(flag),
                                   "write integers, fractions like 1/3 or decimals like 0.5")
    return out


def run(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup import __version__
    from verigroup.cli.main import _emit
    from verigroup.diagnostics import SpecError, Span
    from verigroup.mechanisms.design import optimal_auction
    from verigroup.reports.jsonout import dumps

    try:
        values = _numbers(args.values, "--values")
        if sorted(set(values)) != values:
            raise SpecError.single("E703", "--values must be distinct and increasing", Span("--values"))
        prior = None if args.prior is None else _numbers(args.prior, "--prior")
        if prior is not None and len(prior) != len(values):
            raise SpecError.single("E703", f"--prior has {len(prior)} probabilities for {len(values)} values",
                                   Span("--prior"))
        if args.bidders < 1:
            raise SpecError.single("E703", "--bidders must be at least 1", Span("--bidders"))
        res = optimal_auction(args.bidders, values, prior, ic=args.ic, ir=args.ir,
                              objective=args.objective, timeout=args.timeout)
    except SpecError as exc:
        err.write(exc.render() + "\n")
        return 2
    code = {"optimal": 0, "infeasible": 1}.get(res.status, 3)
    if res.status == "optimal" and any(r.verdict.value != "HOLDS" for r in res.recheck):
        code = 4
    if args.format == "json":
        doc = {"schema": SCHEMA, "version": __version__, "bidders": args.bidders, "values": values,
               "prior": prior, "ic": args.ic, "ir": args.ir, "objective": res.objective,
               "status": res.status, "optimal_value": res.value, "allocation": res.allocation,
               "payments": res.payments, "certificate": res.certificate,
               "recheck": [r.to_json() for r in res.recheck], "reason": res.reason, "exit_code": code}
        _emit(dumps(doc), args.output, out)
        return code
    lines = [f"design: {args.bidders} bidder(s), values {', '.join(str(v) for v in values)}",
             f"  {res.objective}"]
    if res.status == "optimal":
        lines.append(f"  optimum: {res.value}")
        for prof, alloc in res.allocation.items():
            if alloc or res.payments.get(prof):
                pays = res.payments.get(prof, {})
                lines.append(f"  values ({prof}): win " +
                             (", ".join(f"{k} {v}" for k, v in alloc.items()) or "nobody") +
                             ("; pay " + ", ".join(f"{k} {v}" for k, v in pays.items()) if pays else ""))
        lines.append(f"  certificate: {res.certificate.get('method', '')}")
        for r in res.recheck:
            lines.append(f"  re-check: {r.verdict.value:<9} {r.name}")
    else:
        lines.append(f"  {res.status.upper()}: {res.reason}")
    lines.append(f"summary: {res.status} (exit {code})")
    _emit("\n".join(lines), args.output, out)
    return code
