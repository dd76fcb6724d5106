"""Plain-text rendering for the terminal."""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping, Sequence

from verigroup.api import Report, Solution
from verigroup.verdicts import Verdict, q

_MARK = {Verdict.HOLDS: "HOLDS   ", Verdict.VIOLATED: "VIOLATED", Verdict.UNKNOWN: "UNKNOWN "}


def _fmt(v: Any) -> str:
    if isinstance(v, Fraction):
        return q(v)
    if isinstance(v, Mapping):
        return ", ".join(f"{k}={_fmt(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x) for x in v) + "]"
    return str(v)


# Evidence keys shown in text, in this order; everything else is in JSON.
_SHOWN = ("profile", "equilibrium", "coalition", "adversaries", "deviation", "gains", "payoffs",
          "metrics", "values", "witness", "region", "trace", "reason")


def _region(ev: Mapping[str, Any]) -> str:
    """``(1/5, 1]`` style intervals from a Z3 region certificate."""
    name = ev.get("param", "x")
    parts = []
    closed = ev.get("closed") or [[True, True]] * len(ev["region"])
    for (lo, hi), (cl, ch) in zip(ev["region"], closed):
        parts.append(f"{name} in {'[' if cl else '('}{lo}, {hi}{']' if ch else ')'}")
    return " or ".join(parts) if parts else "no value in the interval"


def render_report(report: Report, verbose: bool = False) -> str:
    params = ", ".join(f"{k}={q(v)}" for k, v in sorted(report.params.items()))
    lines = [f"{report.spec}: game {report.game}" + (f" ({params})" if params else "")]
    if not report.results:
        lines.append("  (no properties)")
    for r in report.results:
        lines.append(f"  {_MARK[r.verdict]}  {r.name}  [{r.method}]")
        if r.message:
            lines.append(f"            {r.message}")
        if r.verdict is not Verdict.HOLDS or verbose:
            ev = r.evidence
            for key in _SHOWN:
                if key not in ev:
                    continue
                if key == "equilibrium" and "profile" in ev:
                    continue  # the profile line already names it
                if key == "reason" and (r.verdict is not Verdict.UNKNOWN or ev[key] == r.message):
                    continue
                if key == "region":
                    lines.append(f"            holds for: {_region(ev)}")
                    if "params" in ev and "param" in ev:
                        lines.append(f"            counterexample at: {ev['param']} = {ev['params'].get(ev['param'])}")
                    continue
                lines.append(f"            {key}: {_fmt(ev[key])}")
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


def render_solution(sol: Solution, game_name: str) -> str:
    head = f"game {game_name}: {len(sol.equilibria)} {sol.concept.replace('_', ' ')} equilibri{'um' if len(sol.equilibria) == 1 else 'a'}"
    if not sol.complete:
        head += f" (list may be incomplete: {sol.reason or 'see method'})"
    lines = [head + (f"  [{sol.method}]" if sol.method else "")]
    for k, e in enumerate(sol.equilibria, 1):
        if e.distribution:
            lines.append(f"  #{k}: distribution")
            for prof, pr in e.distribution:
                lines.append(f"       {q(pr):>8}  " + ", ".join(f"{a}={x}" for a, x in prof.items()))
        else:
            parts = []
            for agent, strat in e.strategies.items():
                if len(strat) == 1 and next(iter(strat.values())) == 1:
                    parts.append(f"{agent}={next(iter(strat))}")
                else:
                    parts.append(f"{agent}=(" + ", ".join(f"{a}:{q(p)}" for a, p in strat.items()) + ")")
            lines.append(f"  #{k}: " + ", ".join(parts))
        lines.append("       payoffs: " + ", ".join(f"{a}={q(v)}" for a, v in e.payoffs.items()))
        if e.metrics:
            lines.append("       metrics: " + ", ".join(f"{m}={q(v)}" for m, v in e.metrics.items()))
        if not e.exact:
            lines.append(f"       approximate: epsilon = {q(e.epsilon)}")
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
    for key, val in ex.items():
        if key in ("components", "cliques"):
            continue
        lines.append(f"{key}: {_fmt(val)}")
    return "\n".join(lines)
