"""``verigroup dynamics SPEC``: evolutionary stability, replicator rest points
and basins, stochastic stability, alpha-Rank and learning agents of a
two-agent game (issue 12).  JSON schema ``verigroup.dynamics/1``
(docs/report-schema.md)."""

from __future__ import annotations

import argparse
from typing import IO, Any, Callable

HELP = "ESS, replicator dynamics, basins, stochastic stability, alpha-Rank, learners"


def add_arguments(sp: argparse.ArgumentParser, common: Callable[..., None]) -> None:
    sp.add_argument("spec", metavar="SPEC")
    sp.add_argument("--population", default=None, metavar="NAME",
                    help="analyse as one population (symmetric game; NAME is the agent family)")
    sp.add_argument("--dynamics", choices=("replicator", "best-response", "logit"), default="replicator",
                    help="rest points and basins of this dynamics (ESS and stochastic stability do not depend on it)")
    sp.add_argument("--eta", default="1/10", metavar="ETA", help="logit noise (positive rational; default 1/10)")
    sp.add_argument("--alpha", default=None, metavar="A",
                    help="alpha-Rank selection intensity: a positive rational, or inf for the exact limit")
    sp.add_argument("--population-size", dest="m", type=int, default=50, metavar="M",
                    help="alpha-Rank population size (default 50, as OpenSpiel)")
    sp.add_argument("--fixation", choices=("fermi", "moran"), default="fermi",
                    help="fermi: certified intervals (OpenSpiel's model); moran: exact rationals (0 < alpha <= 1)")
    sp.add_argument("--selection", choices=("local", "global"), default="local",
                    help="alpha-Rank fitness: against the current opponent (OpenSpiel default) or the population")
    sp.add_argument("--learners", type=int, default=None, metavar="N", help="learning runs per learner kind")
    sp.add_argument("--learner", action="append", default=None, metavar="KIND",
                    choices=("qlearning", "regret_matching", "fictitious_play"),
                    help="learner kinds (repeatable; default qlearning and regret_matching)")
    sp.add_argument("--episodes", type=int, default=2000, metavar="E", help="iterations per learning run")
    sp.add_argument("--seed", type=int, default=None, metavar="S", help="first seed (runs use S, S+1, ...)")
    sp.add_argument("--samples", type=int, default=2000, metavar="K",
                    help="initial states sampled for basins of 3+ strategies or two populations")
    common(sp, ("text", "json", "markdown", "html"))


def run(args: argparse.Namespace, overrides: dict[str, str], out: IO[str], err: IO[str]) -> int:
    from verigroup import __version__, api
    from verigroup.cli.main import _emit
    from verigroup.diagnostics import SpecError, Span
    from verigroup.dynamics.analysis import analyse
    from verigroup.reports.jsonout import dumps
    from verigroup.runtime import DeadlineExceeded, cancelled

    model = None
    try:
        model = api.load(args.spec, overrides, timeout=args.timeout)
        if not (1 <= args.samples <= 10**6):
            raise SpecError.single("E401", f"--samples must be in [1, 1000000], got {args.samples}",
                                   Span("<command line>"), hint="for example --samples 2000")
        if not (1 <= args.episodes <= 10**6):
            raise SpecError.single("E401", f"--episodes must be in [1, 1000000], got {args.episodes}",
                                   Span("<command line>"), hint="for example --episodes 2000")
        from verigroup.runtime import deadline

        with deadline(args.timeout):
            res = analyse(model, population=args.population, alpha=args.alpha, m=args.m,
                          fixation=args.fixation, selection=args.selection, learners=args.learners,
                          seed=args.seed, samples=args.samples,
                          learner_kinds=tuple(args.learner or ("qlearning", "regret_matching")),
                          episodes=args.episodes, dynamics=args.dynamics, eta=args.eta)
    except SpecError as exc:
        if exc.source is None and model is not None:
            exc = SpecError(exc.diagnostics, model.source)
        err.write(exc.render() + "\n")
        return 2
    except DeadlineExceeded:
        if cancelled():
            raise
        err.write(f"UNKNOWN: the dynamics analysis did not finish within the {args.timeout:g} s timeout\n")
        return 3
    doc: dict[str, Any] = {"version": __version__, "spec": model.path, "spec_hash": api.spec_hash(model),
                           "params": {k: str(v) for k, v in model.param_values().items()}}
    doc.update(res.to_json())
    if args.format == "json":
        _emit(dumps(doc), args.output, out)
    elif args.format == "text":
        from verigroup.dynamics.text import render_text

        _emit(render_text(res), args.output, out)
    else:
        from verigroup.dynamics.html import result_html, result_markdown

        _emit(result_html(res, standalone=True) if args.format == "html" else result_markdown(res),
              args.output, out)
    return 0
