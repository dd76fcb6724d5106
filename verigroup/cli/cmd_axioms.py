"""``verigroup axioms --rule RULE --voters N --alternatives M [--axiom NAME ...]``:
check a library aggregation rule against social-choice axioms over every
profile (issue 11).  JSON schema ``verigroup.axioms/1`` (docs/report-schema.md)."""

from __future__ import annotations

import argparse
from typing import IO, Callable

HELP = "check a voting rule against social-choice axioms on every profile (smallest counterexample)"


def add_arguments(sp: argparse.ArgumentParser, common: Callable[..., None]) -> None:
    sp.add_argument("--rule", required=True, metavar="RULE",
                    help="plurality, borda, copeland, maximin, irv, kemeny, approval, dictatorship, "
                         "random-dictatorship")
    sp.add_argument("--voters", type=int, required=True, metavar="N",
                    help="check every electorate of 1..N voters (see --exact)")
    sp.add_argument("--alternatives", type=int, required=True, metavar="M", help="alternatives a, b, c, ...")
    sp.add_argument("--axiom", action="append", default=[], metavar="NAME",
                    help="repeatable; all axioms when none is named")
    sp.add_argument("--exact", action="store_true", help="only electorates of exactly N voters")
    sp.add_argument("--measure", action="store_true",
                    help="also count the violations at exactly N voters (pareto, condorcet-*, strategyproofness) "
                         "and their exact probability under impartial culture")
    sp.add_argument("--scores", default=None, metavar="S1,S2,...",
                    help="scoring: points for a first, second, ... place (M integers)")
    sp.add_argument("--approve", type=int, default=None, metavar="K",
                    help="approval: each voter approves its top K (default max(1, M // 2))")
    sp.add_argument("--coalition-size", type=int, default=2, metavar="K",
                    help="group-strategyproofness: coalitions of up to K voters (default 2)")
    sp.add_argument("--ballots", default="strict", choices=("strict", "weak", "approval"),
                    help="strict rankings (default), weak rankings with ties, or approval ballots")
    common(sp, ("text", "json"))


def run(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup.cli.main import _emit
    from verigroup.diagnostics import Diagnostic, SpecError
    from verigroup.elections.axioms import audit
    from verigroup.elections.render import audit_text, dumps

    if overrides:
        raise SpecError([Diagnostic("E401", "axioms takes no --set")])
    if args.timeout is not None and not args.timeout > 0:
        raise SpecError([Diagnostic("E401", f"--timeout must be positive, got {args.timeout}")])
    if args.approve is not None and not 1 <= args.approve <= args.alternatives:
        raise SpecError([Diagnostic("E401", f"--approve must be in 1..{args.alternatives}, got {args.approve}")])
    res = audit(args.rule, args.voters, args.alternatives, tuple(args.axiom), exact=args.exact,
                approve=args.approve, measure=args.measure, timeout=args.timeout, scores=_scores(args.scores),
                coalition=args.coalition_size, ballots=args.ballots)
    _emit(dumps(res.to_json()) if args.format == "json" else audit_text(res), args.output, out)
    return res.exit_code


def _scores(text: str | None) -> tuple[int, ...]:
    from verigroup.diagnostics import Diagnostic, SpecError

    if text is None:
        return ()
    try:
        return tuple(int(x) for x in text.split(","))
    except ValueError:
        raise SpecError([Diagnostic("E401", f"--scores expects whole numbers separated by commas, got {text!r}",
                                    hint="for example --scores 3,1,0")]) from None
