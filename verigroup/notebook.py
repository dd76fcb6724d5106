"""Short HTML views for notebooks: ``_repr_html_`` of models, reports and
solutions (Jupyter shows them instead of the long ``repr``).

Fragments only (no page, no script); every text is escaped.
"""

from __future__ import annotations

import html
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from verigroup.verdicts import Verdict, q

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.api import Report, Solution
    from verigroup.model.model import Model

MAX_ROWS = 50
_COLOURS = {Verdict.HOLDS: "#1a7f37", Verdict.VIOLATED: "#cf222e", Verdict.UNKNOWN: "#9a6700"}


def e(x: Any) -> str:
    return html.escape(q(x) if isinstance(x, Fraction) else str(x), quote=True)


def _approx(x: Fraction) -> str:
    try:
        return f"{float(x):.3g}"
    except OverflowError:
        return e(x)[:24]


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows[:MAX_ROWS])
    more = (f"<tr><td colspan='{len(header)}'>… {len(rows) - MAX_ROWS} more</td></tr>"
            if len(rows) > MAX_ROWS else "")
    return f"<table class='verigroup'><thead><tr>{head}</tr></thead><tbody>{body}{more}</tbody></table>"


def model_html(model: "Model") -> str:
    kind = "extensive form (protocol)" if model.protocol is not None else "strategic form"
    params = ", ".join(f"{e(k)} = {e(v)}" for k, v in sorted(model.param_values().items()))
    rows = [[e(a.name), e(", ".join(a.actions))] for a in model.agents]
    return (f"<div class='verigroup-model'><b>game {e(model.name)}</b> — {len(model.agents)} agents, "
            f"{kind}, {len(model.properties)} properties"
            + (f"<br>params: {params}" if params else "")
            + _table(["agent", "actions"], rows) + "</div>")


def report_html(report: "Report") -> str:
    rows = []
    for r in report.results:
        colour = _COLOURS[r.verdict]
        rows.append([e(r.name), f"<span style='color:{colour};font-weight:bold'>{e(r.verdict.value)}</span>",
                     e(r.method), e(r.message)])
    status = " — <b>interrupted: incomplete</b>" if report.interrupted else ""
    return (f"<div class='verigroup-report'><b>{e(report.spec)}</b>: game {e(report.game)}{status}"
            + _table(["property", "verdict", "method", "message"], rows) + "</div>")


def solution_html(sol: "Solution") -> str:
    rows = []
    for k, eq in enumerate(sol.equilibria, 1):
        if eq.distribution:
            what = "; ".join(", ".join(f"{e(a)}={e(x)}" for a, x in prof.items()) + f" : {e(p)}"
                             for prof, p in eq.distribution)
        else:
            what = "; ".join(f"{e(a)}: " + ", ".join(f"{e(x)} {e(p)}" for x, p in s.items())
                             for a, s in eq.strategies.items())
        pay = ", ".join(f"{e(a)} {e(v)}" for a, v in eq.payoffs.items())
        rows.append([str(k), what, pay, "exact" if eq.exact else f"ε ≤ {_approx(eq.epsilon)}"])
    state = "complete list" if sol.complete else f"incomplete: {e(sol.reason)}"
    return (f"<div class='verigroup-solution'><b>{e(sol.concept)}</b> equilibria ({state}; {e(sol.method)})"
            + _table(["#", "strategies", "payoffs", ""], rows) + "</div>")
