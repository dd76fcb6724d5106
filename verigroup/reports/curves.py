"""Game values and curves in the reports (issue 14).

* the ``game_value`` and ``curve`` evidence shapes (text, Markdown, HTML,
  SARIF all read :func:`verigroup.reports.evidence.evidence_lines`);
* :func:`curve_table` — a curve's points as rows of exact numbers;
* :func:`curve_picture` — the curve drawn with matplotlib (an SVG ``data:``
  URI, embedded in the HTML and Markdown reports).  Positions are floats;
  every number written on the picture is exact.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping

from verigroup.reports.evidence import Line, shape, strategy_text
from verigroup.reports.mathfmt import num, to_fraction
from verigroup.verdicts import Verdict

#: Rows of a curve shown in words (the JSON has them all).
ROWS_SHOWN = 12


@shape("game_value", keys=("value", "bound", "op", "agent", "opponent", "total", "strategies",
                           "optimal_behaviour"))
def _s_game_value(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    agent, op, bound = ev.get("agent"), ev.get("op"), ev.get("bound")
    verdict = {Verdict.HOLDS: "as claimed", Verdict.VIOLATED: "the claim fails"}.get(v, "")
    out: list[Line] = [("value", f"value({agent}) = {num(ev.get('value'))}; claimed {op} {num(bound)}: {verdict}")]
    strat = ev.get("strategies") or ev.get("optimal_behaviour")
    if isinstance(strat, Mapping):
        out.append(("optimal strategies", "; ".join(f"{a}: {strategy_text(s)}" for a, s in strat.items())))
    out.append(("constant sum", f"{num(ev.get('total'))} at every outcome ({agent} vs {ev.get('opponent')})"))
    return out


def curve_table(ev: Mapping[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows (exact numbers as text) of a curve's points."""
    param = str(ev.get("param", "x"))
    series = [str(s) for s in ev.get("series") or []]
    rows = []
    for p in ev.get("points") or []:
        if not isinstance(p, Mapping):
            continue
        vals = p.get("values") or {}
        rows.append([num(p.get(param))] + [num(vals.get(s)) for s in series])
    return [param, *series], rows


@shape("curve", keys=("param", "series", "points", "complete", "require", "failing"))
def _s_curve(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    head, rows = curve_table(ev)
    out: list[Line] = [("curve", f"{', '.join(head[1:])} over {head[0]}: {len(rows)} exact point"
                                 f"{'s' if len(rows) != 1 else ''}"
                                 + ("" if ev.get("complete", True) else " (incomplete)"))]
    shown = rows if len(rows) <= ROWS_SHOWN else rows[:ROWS_SHOWN // 2] + rows[-ROWS_SHOWN // 2:]
    for k, r in enumerate(shown):
        if len(rows) > ROWS_SHOWN and k == ROWS_SHOWN // 2:
            out.append(("…", f"{len(rows) - ROWS_SHOWN} more points in the JSON"))
        out.append((f"{head[0]} = {r[0]}", ", ".join(f"{h} = {x}" for h, x in zip(head[1:], r[1:]))))
    if ev.get("require"):
        out.append(("requirement", str(ev["require"])))
    fail = ev.get("failing")
    if isinstance(fail, Mapping):
        vals = fail.get("values") or {}
        out.append(("counterexample", f"{head[0]} = {num(fail.get(head[0]))}: "
                    + ", ".join(f"{k} = {num(x)}" for k, x in vals.items())))
    return out


def curve_picture(ev: Mapping[str, Any], title: str = "") -> str | None:
    """The curve's series against its param (one line each, exact labels at
    the ends), the failing point marked; None without matplotlib or points."""
    from verigroup.reports.plots import _plt, data_uri

    head, rows = curve_table(ev)
    pts = [p for p in ev.get("points") or [] if isinstance(p, Mapping)]
    plt = _plt()
    if plt is None or not pts or len(head) < 2:
        return None
    param = head[0]
    xs = [to_fraction(p.get(param)) or Fraction(0) for p in pts]
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for s in head[1:]:
        ys = [to_fraction((p.get("values") or {}).get(s)) or Fraction(0) for p in pts]
        ax.plot([float(x) for x in xs], [float(y) for y in ys], marker="o", markersize=4, label=s)
        ax.annotate(num(ys[-1], short=10, digits=4), (float(xs[-1]), float(ys[-1])), xytext=(4, 0),
                    textcoords="offset points", fontsize=7, va="center")
    fail = ev.get("failing")
    if isinstance(fail, Mapping):
        fx = to_fraction(fail.get(param))
        if fx is not None:
            ax.axvline(float(fx), color="#cf222e", linestyle="--", linewidth=1)
            ax.annotate(f"fails at {param} = {num(fx)}", (float(fx), 0), xytext=(4, 4), textcoords="offset points",
                        fontsize=7, color="#cf222e", xycoords=("data", "axes fraction"))
    ticks = xs if len(xs) <= 12 else xs[:: max(1, len(xs) // 10)]
    ax.set_xticks([float(t) for t in ticks], [num(t, short=8, digits=3) for t in ticks])
    ax.set_xlabel(param)
    if title:
        ax.set_title(title, fontsize=9)
    ax.grid(True, linewidth=0.3)
    ax.legend(fontsize=8, frameon=False)
    fig.tight_layout()
    return data_uri(fig)
