"""Sweep reports: text, CSV, Markdown and self-contained HTML (verdict maps
drawn with matplotlib and embedded as data URIs; nothing is fetched at view
time).  Renderers read :class:`~verigroup.sweeps.run.SweepResult` records
only; they never call a solver."""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING

from verigroup.sweeps.grid import q

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.sweeps.run import Boundary, SweepResult

SYMBOL = {"HOLDS": "+", "VIOLATED": "x", "UNKNOWN": "?"}
COLOUR = {"HOLDS": "#2e7d32", "VIOLATED": "#c62828", "UNKNOWN": "#9e9e9e"}


def _boundary_text(b: "Boundary") -> str:
    fixed = ", ".join(f"{n} = {q(v)}" for n, v in b.fixed)
    where = f" (with {fixed})" if fixed else ""
    if b.exact:
        at = "HOLDS" if b.holds_at else "VIOLATED"
        if b.left == b.right:
            return f"{b.property}: {b.left} on both sides of {b.param} = {q(b.lo)}, {at} at it (exact){where}"
        return f"{b.property}: {b.left} → {b.right} at {b.param} = {q(b.lo)}, {at} at it (exact){where}"
    return f"{b.property}: {b.left} → {b.right} between {b.param} = {q(b.lo)} and {q(b.hi)}{where}"


def render_text(res: "SweepResult") -> str:
    lines = [f"sweep of {res.spec} ({res.game}) over {', '.join(res.names)}: "
             f"{len(res.points)} points × {len(res.properties)} properties"]
    width = max((len(p) for p in res.properties), default=8)
    for k, prop in enumerate(res.properties, start=1):
        counts = {"HOLDS": 0, "VIOLATED": 0, "UNKNOWN": 0}
        for p in res.points:
            counts[p.verdicts[prop]] = counts.get(p.verdicts[prop], 0) + 1
        lines.append(f"  P{k}  {prop:<{width}}  holds {counts['HOLDS']}, violated {counts['VIOLATED']}, "
                     f"unknown {counts['UNKNOWN']}")
    if len(res.names) <= 2 and res.points:
        lines.append("")
        head = "".join(f"{n:>12}" for n in res.names)
        lines.append(f"  {head}  " + "  ".join(f"{'P' + str(k):<8}" for k in range(1, len(res.properties) + 1)))
        for pt in res.points:
            vals = "".join(f"{q(v):>12}" for _, v in pt.params)
            lines.append(f"  {vals}  " + "  ".join(f"{pt.verdicts[p]:<8}" for p in res.properties))
    if res.boundaries:
        lines.append("")
        lines.append("boundaries:")
        lines += ["  " + _boundary_text(b) for b in res.boundaries]
    if not res.complete:
        lines.append("")
        lines.append(f"INCOMPLETE: {res.reason or 'some points are missing'}")
    lines.append("")
    lines.append({0: "every property holds at every point", 1: "some property is VIOLATED at some point",
                  3: "no violation, but some points are UNKNOWN"}.get(res.exit_code, "")
                 + f" (exit {res.exit_code})")
    return "\n".join(lines) + "\n"


def render_csv(res: "SweepResult") -> str:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*res.names, *res.properties])
    for pt in res.points:
        w.writerow([q(v) for _, v in pt.params] + [pt.verdicts[p] for p in res.properties])
    return buf.getvalue()


# ------------------------------------------------------------------ pictures


def _figure_png(res: "SweepResult", prop: str) -> str | None:
    """A data URI of the verdict map of one property (1-D strip or 2-D map);
    None when matplotlib is missing or there are more than two parameters."""
    if len(res.names) not in (1, 2) or not res.points:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - plots extra not installed
        return None
    fig, ax = plt.subplots(figsize=(6.4, 1.6 if len(res.names) == 1 else 4.2), dpi=96)
    try:
        for verdict, colour in COLOUR.items():
            pts = [p for p in res.points if p.verdicts[prop] == verdict]
            if not pts:
                continue
            xs = [float(p.params[0][1]) for p in pts]
            ys = [float(p.params[1][1]) if len(res.names) == 2 else 0.0 for p in pts]
            ax.scatter(xs, ys, c=colour, s=28, marker="s", label=verdict.lower(), linewidths=0)
        for b in res.boundaries:
            if b.property != prop:
                continue
            if len(res.names) == 1:
                if b.exact:
                    ax.axvline(float(b.lo), color="black", lw=1.2)
                else:
                    ax.axvspan(float(b.lo), float(b.hi), color="black", alpha=0.25)
            elif b.param == res.names[0] and b.fixed:
                y = float(b.fixed[0][1])
                ax.plot([float(b.lo), float(b.hi)], [y, y], color="black", lw=2)
            elif b.fixed:
                x = float(b.fixed[0][1])
                ax.plot([x, x], [float(b.lo), float(b.hi)], color="black", lw=2)
        ax.set_xlabel(res.names[0])
        if len(res.names) == 2:
            ax.set_ylabel(res.names[1])
        else:
            ax.set_yticks([])
        ax.set_title(prop, fontsize=10)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35 if len(res.names) == 1 else -0.15),
                  ncol=3, frameon=False, fontsize=8)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    finally:
        plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def render_markdown(res: "SweepResult", pictures: bool = True) -> str:
    out = [f"# Sweep: {res.game}", "",
           f"Spec `{res.spec}`, parameters {', '.join(f'`{n}`' for n in res.names)}, "
           f"{len(res.points)} points.", ""]
    out.append("| " + " | ".join([*res.names, *res.properties]) + " |")
    out.append("|" + "---|" * (len(res.names) + len(res.properties)))
    for pt in res.points:
        out.append("| " + " | ".join([q(v) for _, v in pt.params] + [pt.verdicts[p] for p in res.properties]) + " |")
    if res.boundaries:
        out += ["", "## Boundaries", ""] + [f"- {_boundary_text(b)}" for b in res.boundaries]
    if pictures:
        for prop in res.properties:
            uri = _figure_png(res, prop)
            if uri:
                out += ["", f"![verdict map of {prop}]({uri})"]
    if not res.complete:
        out += ["", f"**Incomplete:** {res.reason}"]
    return "\n".join(out) + "\n"


def render_html(res: "SweepResult") -> str:
    e = html.escape
    rows = "".join(
        "<tr>" + "".join(f"<td>{e(q(v))}</td>" for _, v in pt.params)
        + "".join(f'<td class="{pt.verdicts[p].lower()}">{e(pt.verdicts[p])}</td>' for p in res.properties)
        + "</tr>" for pt in res.points)
    head = "".join(f"<th>{e(n)}</th>" for n in [*res.names, *res.properties])
    figs = ""
    for prop in res.properties:
        uri = _figure_png(res, prop)
        if uri:
            figs += f'<figure><img alt="verdict map of {e(prop)}" src="{uri}"><figcaption>{e(prop)}</figcaption></figure>'
    bounds = "".join(f"<li>{e(_boundary_text(b))}</li>" for b in res.boundaries)
    incomplete = f'<p class="unknown"><b>Incomplete:</b> {e(res.reason)}</p>' if not res.complete else ""
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>verigroup sweep — {e(res.game)}</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}"
        ".holds{color:#2e7d32}.violated{color:#c62828;font-weight:bold}.unknown{color:#757575}"
        "figure{display:inline-block;margin:1em}</style></head><body>"
        f"<h1>Sweep: {e(res.game)}</h1><p>Spec <code>{e(res.spec)}</code>; {len(res.points)} points; "
        f"exit code {res.exit_code}.</p>{incomplete}{figs}"
        + (f"<h2>Boundaries</h2><ul>{bounds}</ul>" if bounds else "")
        + f"<h2>Points</h2><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></body></html>\n"
    )


__all__ = ["render_text", "render_csv", "render_markdown", "render_html"]
