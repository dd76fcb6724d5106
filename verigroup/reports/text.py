"""Plain-text rendering for the terminal."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping, Sequence

from verigroup.api import Report, Solution
from verigroup.reports.evidence import evidence_lines, strategy_text, value_text
from verigroup.reports.mathfmt import humanize, num
from verigroup.reports.treeview import equilibrium_plays, play_text
from verigroup.verdicts import Verdict, q

_MARK = {Verdict.HOLDS: "HOLDS   ", Verdict.VIOLATED: "VIOLATED", Verdict.UNKNOWN: "UNKNOWN "}


def _fmt(v: Any) -> str:
    return value_text(v)


def render_report(report: Report, verbose: bool = False) -> str:
    """One spec's results; the evidence of every VIOLATED / UNKNOWN result
    (and, with ``verbose``, HOLDS) as labelled lines from
    :func:`verigroup.reports.evidence.evidence_lines`."""
    params = ", ".join(f"{k}={num(v)}" for k, v in sorted(report.params.items()))
    lines = [f"{report.spec}: game {report.game}" + (f" ({params})" if params else "")]
    if not report.results:
        lines.append("  (no properties)")
    for r in report.results:
        lines.append(f"  {_MARK[r.verdict]}  {r.name}  [{r.method}]")
        if r.message:
            lines.append(f"            {humanize(r.message)}")
        if r.verdict is not Verdict.HOLDS or verbose:
            for label, val in evidence_lines(r.evidence, r.verdict, r.message):
                lines.append(f"            {label}: {val}")
    return "\n".join(lines)


def render_summary(reports: Sequence[Report], exit_code: int) -> str:
    h = sum(1 for r in reports for x in r.results if x.verdict is Verdict.HOLDS)
    v = sum(1 for r in reports for x in r.results if x.verdict is Verdict.VIOLATED)
    u = sum(1 for r in reports for x in r.results if x.verdict is Verdict.UNKNOWN)
    return (f"summary: {h + v + u} properties in {len(reports)} spec(s): "
            f"{h} hold, {v} violated, {u} unknown (exit {exit_code})")


def _profiles(lst: list[dict[str, str]], n: int) -> str:
    shown = " | ".join(", ".join(f"{a}={x}" for a, x in p.items()) for p in lst[:2])
    return shown + (f" (+{n - 2} more)" if n > 2 else "")


def render_solution(sol: Solution, game_name: str, model: Any = None) -> str:
    """``solve`` in text.  Long exact numbers (irrational equilibria's
    rational approximations) are shown as short decimals marked ``≈``; JSON
    keeps them exactly.  SPE list each agent's choice at each information
    set and, when ``model`` (with its protocol) is given, the equilibrium
    path."""
    head = f"game {game_name}: {len(sol.equilibria)} {sol.concept.replace('_', ' ')} equilibri{'um' if len(sol.equilibria) == 1 else 'a'}"
    if not sol.complete:
        head += f" (list may be incomplete: {humanize(sol.reason or 'see method')})"
    lines = [head + (f"  [{sol.method}]" if sol.method else "")]
    tree = getattr(model, "protocol", None)
    for k, e in enumerate(sol.equilibria, 1):
        spe = e.extra.get("strategies") if not e.strategies else None
        if e.distribution:
            lines.append(f"  #{k}: distribution")
            for prof, pr in e.distribution:
                lines.append(f"       {num(pr):>8}  " + ", ".join(f"{a}={x}" for a, x in prof.items()))
        elif isinstance(spe, Mapping):
            plays = equilibrium_plays(tree, spe) if tree is not None else []
            kind = "behaviour-strategy SPE" if e.extra.get("mixed") else "SPE"
            if len(plays) == 1:
                lines.append(f"  #{k}: {kind}; equilibrium path: {play_text(plays[0])}")
            else:
                lines.append(f"  #{k}: {kind}" + ("; equilibrium paths:" if plays else "; choices:"))
                for play in plays:
                    lines.append(f"       path with probability {num(play.probability)}: {play_text(play)}")
            lines.append("       choices at each information set:")
            for agent, table in spe.items():
                choices = "; ".join(f"at {label}: {strategy_text(c)}" for label, c in table.items()) \
                    if isinstance(table, Mapping) and table else "(never moves)"
                lines.append(f"         {agent}: {choices}")
        else:
            parts = []
            for agent, strat in e.strategies.items():
                if len(strat) == 1 and next(iter(strat.values())) == 1:
                    parts.append(f"{agent}={next(iter(strat))}")
                else:
                    parts.append(f"{agent}=(" + ", ".join(f"{a}:{num(p)}" for a, p in strat.items()) + ")")
            lines.append(f"  #{k}: " + ", ".join(parts))
            if isinstance(e.extra.get("profile"), str) and "counts" in e.extra:  # ---- populations (issue 9)
                if not parts:
                    lines[-1] += e.extra["profile"]
                lines.append(f"       profiles in this class: {e.extra.get('multiplicity')}")
        lines.append("       payoffs: " + ", ".join(f"{a}={num(v)}" for a, v in e.payoffs.items()))
        if e.metrics:
            lines.append("       metrics: " + ", ".join(f"{m}={num(v)}" for m, v in e.metrics.items()))
        if not e.exact:
            what = ("irrational equilibrium: decimals shown; the exact algebraic numbers are in the JSON"
                    if e.extra.get("algebraic") else "approximate")
            lines.append(f"       {what}; epsilon (exact maximal regret) = {num(e.epsilon)}")
    ex = dict(sol.extra)
    if "dominance" in ex:
        lines.append("dominant actions:")
        for agent, d in ex.pop("dominance").items():
            strict, weak = d["strictly_dominant"], d["weakly_dominant"]
            desc = (f"{', '.join(strict)} (strictly)" if strict else
                    f"{', '.join(weak)} (weakly)" if weak else "none")
            lines.append(f"  {agent}: {desc}")
    if "iesds" in ex:
        it = ex.pop("iesds")
        lines.append("iterated elimination of strictly dominated actions"
                     + (" (pure and mixed dominators):" if it["mixed_domination"] else ":"))
        for e in it["eliminated"]:
            by = ", ".join(f"{a}:{w}" for a, w in e["dominated_by"].items())
            lines.append(f"  {e['agent']}: {e['action']} dominated by ({by}), margin {e['margin']}")
        lines.append("  surviving: " + "; ".join(f"{a}: {', '.join(acts)}" for a, acts in it["surviving"].items()))
    if "optima" in ex:
        for m, o in ex.pop("optima").items():
            lines.append(f"{m}: max {o['max']} at {_profiles(o['argmax'], o['argmax_count'])}")
            lines.append(f"{' ' * len(m)}  min {o['min']} at {_profiles(o['argmin'], o['argmin_count'])}")
    if ex.pop("components_infinite", None) is True:
        lines.append("infinitely many equilibria: the list shows the extreme points of the components")
    if isinstance(ex.get("approximate"), int):
        n = ex.pop("approximate")
        if n:
            lines.append(f"{n} equilibri{'um is' if n == 1 else 'a are'} irrational or approximate "
                         "(decimals above; exact forms and epsilon in --format json)")
    for key, val in ex.items():
        if key in ("components", "cliques"):
            continue
        lines.append(f"{key.replace('_', ' ')}: {_fmt(val)}")
    return "\n".join(lines)
