"""HTML audit reports: one self-contained file for humans.

Inline CSS, no external assets, no JavaScript (``<details>`` folds the full
evidence).  The content is the Markdown report's (the same view from
:mod:`verigroup.reports.markdown`), plus a payoff heatmap for two-agent
games: each agent's payoff in a cell is coloured by where it lies between
that agent's smallest and largest payoff.  The position is computed exactly;
only the colour itself is a float, and it decides nothing.

Every user string (spec paths, game, agent, action, property names,
messages, evidence) goes through :func:`html.escape`.
"""

from __future__ import annotations

import html
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence

from verigroup.reports.markdown import (
    LIST_LIMIT,
    GameView,
    SolutionsArg,
    counts,
    equilibrium_columns,
    equilibrium_row,
    evidence_json,
    game_view,
    location,
    message,
    model_at,
    pure_profiles,
    result_items,
    solutions_for,
    table_equilibria,
)
from verigroup.reports.mathfmt import num
from verigroup.verdicts import PropertyResult, Verdict, q

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.api import Report, Solution
    from verigroup.model.model import Model

# Heatmap endpoints (lowest, highest payoff of an agent).
LOW_RGB = (247, 251, 255)
HIGH_RGB = (8, 81, 156)

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f6f7f9;color:#1b1f24}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{margin-top:0}h2{border-bottom:2px solid #d0d7de;padding-bottom:4px;margin-top:40px}
table{border-collapse:collapse;margin:8px 0 16px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef1f4}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:90%}
pre{background:#fff;border:1px solid #d0d7de;padding:8px;overflow:auto;max-height:480px}
.verdict{font-weight:700;padding:1px 6px;border-radius:4px;white-space:nowrap}
.HOLDS{background:#dafbe1;color:#116329}.VIOLATED{background:#ffebe9;color:#a40e26}
.UNKNOWN{background:#fff8c5;color:#7d4e00}
.gate{padding:8px 12px;border-radius:6px;display:inline-block}
.prop{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:8px 16px;margin:12px 0}
.note{color:#57606a;font-style:italic}
table.heat td{text-align:center;padding:0}
table.heat td span{display:inline-block;min-width:3em;padding:6px 8px}
table.heat td.eq{outline:3px solid #bf3989;outline-offset:-3px}
table.heat td b.star{color:#bf3989;padding:0 4px}
figure{margin:8px 0 16px}figure img{max-width:100%;height:auto;background:#fff;border:1px solid #d0d7de}
figcaption{color:#57606a;font-size:90%}
dl.ev{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:8px 0}
dl.ev dt{font-weight:600}dl.ev dd{margin:0;overflow-wrap:anywhere}
""".strip()


def e(s: Any) -> str:
    return html.escape(str(s), quote=True)


def colour(value: Fraction, lo: Fraction, hi: Fraction) -> str:
    """Inline style for a payoff: the exact position of ``value`` in
    ``[lo, hi]`` (0.5 when all are equal) picks a colour between LOW_RGB
    and HIGH_RGB; dark backgrounds get white text."""
    t = Fraction(1, 2) if hi == lo else (value - lo) / (hi - lo)
    f = float(t)
    rgb = tuple(round(a + (b - a) * f) for a, b in zip(LOW_RGB, HIGH_RGB))
    text = "#ffffff" if t > Fraction(11, 20) else "#1b1f24"
    return f"background:#{rgb[0]:02x}{rgb[1]:02x}{rgb[2]:02x};color:{text}"


def _badge(v: Verdict) -> str:
    return f'<span class="verdict {v.value}">{v.value}</span>'


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> list[str]:
    """Cells are already-escaped HTML."""
    out = [f'<table class="{cls}">' if cls else "<table>", "<thead><tr>"
           + "".join(f"<th>{h}</th>" for h in header) + "</tr></thead>", "<tbody>"]
    out += ["<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows]
    return out + ["</tbody></table>"]


def render_html(reports: Sequence["Report"], models: Sequence["Model | None"] | None = None,
                version: str = "", solutions: Sequence[SolutionsArg] | None = None,
                pictures: bool = True) -> str:
    """The audit as one self-contained HTML document (``pictures=False``
    leaves out the matplotlib figures: game trees and number lines)."""
    totals = {v: sum(counts(r)[v] for r in reports) for v in Verdict}
    codes = {r.exit_code for r in reports}
    gate = ("fail", "VIOLATED", "a property is violated; exit code 1") if 1 in codes else (
        ("inconclusive", "UNKNOWN", "some property is unknown; exit code 3") if 3 in codes
        else ("pass", "HOLDS", "every property holds; exit code 0"))
    body = [
        "<h1>verigroup audit report</h1>",
        f"<p>verigroup {e(version or 'unknown version')} · {len(reports)} spec(s)</p>",
        f"<p><strong>{sum(totals.values())} properties: {totals[Verdict.HOLDS]} hold, "
        f"{totals[Verdict.VIOLATED]} violated, {totals[Verdict.UNKNOWN]} unknown.</strong> "
        f'<span class="gate {gate[1]}">Gate: <strong>{gate[0]}</strong> ({gate[2]})</span></p>',
    ]
    if reports:
        body += _table(["spec", "game", "holds", "violated", "unknown"],
                       [[e(r.spec), f'<a href="#spec-{i}">{e(r.game)}</a>', str(counts(r)[Verdict.HOLDS]),
                         str(counts(r)[Verdict.VIOLATED]), str(counts(r)[Verdict.UNKNOWN])]
                        for i, r in enumerate(reports, 1)])
    for i, rep in enumerate(reports):
        body += _report_html(i + 1, rep, model_at(models, i), solutions_for(solutions, i), pictures)
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>verigroup audit report</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        *body,
        "</main>",
        "</body>",
        "</html>",
    ]) + "\n"


def _report_html(n: int, rep: "Report", model: "Model | None", sols: Sequence["Solution"],
                 pictures: bool = True) -> list[str]:
    out = [f'<section id="spec-{n}">', f"<h2>{n}. {e(rep.game)}</h2>", "<ul>",
           f"<li>spec: <code>{e(rep.spec)}</code></li>", f"<li>hash: <code>{e(rep.spec_hash)}</code></li>"]
    if rep.version:
        out.append(f"<li>checked with verigroup {e(rep.version)}</li>")
    if rep.params:
        out.append("<li>parameters: " + ", ".join(f"<code>{e(k)} = {e(q(v))}</code>"
                                                  for k, v in sorted(rep.params.items())) + "</li>")
    out.append("</ul>")
    if model is not None:
        view = game_view(model)
        marked = pure_profiles(sols)
        if not marked and view.table is not None and not sols:
            marked = table_equilibria(view.table)
        out += _game_html(view, marked)
        out += _tree_html(model, sols) if pictures else []
    if sols:
        out += _solutions_html(sols)
    out += _properties_html(n, rep.results, pictures)
    return out + ["</section>"]


def _game_html(view: GameView, marked: set[tuple[tuple[str, str], ...]]) -> list[str]:
    kind = "extensive form (protocol)" if view.extensive else f"{view.num_profiles:,} pure profiles"
    metrics = f"; metrics: {', '.join(e(m) for m in view.metrics)}" if view.metrics else ""
    out = ["<h3>Game</h3>", f"<p>{len(view.agents)} agent(s), {kind}{metrics}.</p>"]
    out += _table(["agent", "actions"], [[e(a), ", ".join(e(x) for x in acts)] for a, acts in view.agents])
    t = view.table
    if t is None:
        if view.note:
            out.append(f'<p class="note">{e(view.note)}</p>')
        return out
    look = t.lookup()
    if len(t.players) == 2:
        ranges = [t.player_range(0), t.player_range(1)]
        out.append(f"<h4>Payoff heatmap</h4><p>Rows: {e(t.players[0])}; columns: {e(t.players[1])}. "
                   f"Each cell shows ({e(t.players[0])}, {e(t.players[1])}); each number is shaded by where "
                   "it lies between that agent's lowest (light) and highest (dark) payoff"
                   + ("; an outlined cell marked ★ is a pure Nash equilibrium" if marked else
                      "; no cell is a pure Nash equilibrium") + ".</p>")
        rows = ['<table class="heat">', "<thead><tr><th></th>"
                + "".join(f"<th>{e(c)}</th>" for c in t.actions[1]) + "</tr></thead>", "<tbody>"]
        for r in t.actions[0]:
            cells = [f"<th>{e(r)}</th>"]
            for c in t.actions[1]:
                pay = look[(r, c)]
                eq = tuple(sorted(zip(t.players, (r, c)))) in marked
                spans = "".join(
                    f'<span style="{colour(pay[k], *ranges[k])}" title="{e(t.players[k])}: {e(q(pay[k]))}">'
                    f"{e(num(pay[k]))}</span>" for k in range(2))
                cells.append(f'<td class="eq" title="pure Nash equilibrium">{spans}<b class="star">★</b></td>'
                             if eq else f"<td>{spans}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        out += rows + ["</tbody></table>"]
    elif len(t.rows) <= LIST_LIMIT:
        header = [e(p) for p in t.players] + [f"payoff {e(p)}" for p in t.players] + (["eq"] if marked else [])
        rows_ = [[e(x) for x in prof] + [e(num(v)) for v in pay]
                 + (["★" if tuple(sorted(zip(t.players, prof))) in marked else ""] if marked else [])
                 for prof, pay in t.rows]
        out += ["<h4>Payoffs by profile</h4>"] + _table(header, rows_)
    else:
        out.append(f'<p class="note">{len(t.rows)} profiles: payoff list omitted (shown up to {LIST_LIMIT}).</p>')
    return out


def _solutions_html(sols: Sequence["Solution"]) -> list[str]:
    out = ["<h3>Equilibria</h3>"]
    agents = equilibrium_columns(sols)
    for sol in sols:
        status = "complete" if sol.complete else f"possibly incomplete: {sol.reason or 'see method'}"
        out.append(f"<p><strong>{e(sol.concept.replace('_', ' '))}</strong>: {len(sol.equilibria)} found "
                   f"({e(status)})" + (f"; method: {e(sol.method)}" if sol.method else "") + ".</p>")
        if sol.equilibria:
            has_metrics = any(x.metrics for x in sol.equilibria)
            header = ["#", "play", "payoffs"] + (["metrics"] if has_metrics else []) + ["exact"]
            rows = []
            for k, eqm in enumerate(sol.equilibria, 1):
                row = equilibrium_row(eqm, agents)
                rows.append([str(k), e(row["play"]), e(row["payoffs"])]
                            + ([e(row["metrics"])] if has_metrics else []) + [e(row["exact"])])
            out += _table(header, rows)
    return out


def _properties_html(n: int, results: Sequence[PropertyResult], pictures: bool = True) -> list[str]:
    out = ["<h3>Properties</h3>"]
    if not results:
        return out + ['<p class="note">No properties declared.</p>']
    out += _table(["#", "property", "verdict", "kind", "method", "location"],
                  [[str(k), f'<a href="#{id_}">{e(r.name)}</a>', _badge(r.verdict), e(r.kind), e(r.method),
                    f"<code>{e(location(r))}</code>"]
                   for k, (id_, r) in enumerate(_ids(n, results), 1)])
    for k, (id_, r) in enumerate(_ids(n, results), 1):
        out.append(f'<div class="prop" id="{id_}">')
        out.append(f"<h4>{k}. {e(r.name)} {_badge(r.verdict)}</h4>")
        out.append(f"<p>kind <code>{e(r.kind)}</code>; method: {e(r.method or '-')}; at "
                   f"<code>{e(location(r))}</code></p>")
        if r.message:
            out.append(f"<p>{e(message(r))}</p>")
        items = result_items(r)
        if items:
            out.append('<dl class="ev">' + "".join(f"<dt>{e(key)}</dt><dd>{e(val)}</dd>" for key, val in items)
                       + "</dl>")
        pic = _region_picture(r) if pictures else ""
        if pictures and not pic and isinstance(r.evidence, dict) and r.evidence.get("kind") == "curve":
            from verigroup.reports.curves import curve_picture  # ---- curves (issue 14)

            uri = curve_picture(r.evidence, r.name)
            pic = _figure(uri, f"curve {r.name}", f"{r.name}: exact points") if uri else ""
        if pic:
            out.append(pic)
        if r.evidence:
            out.append(f"<details><summary>evidence (JSON)</summary><pre>{e(evidence_json(r.evidence))}</pre>"
                       "</details>")
        out.append("</div>")
    return out


def _figure(uri: str, alt: str, caption: str) -> str:
    return (f'<figure><img src="{e(uri)}" alt="{e(alt)}"><figcaption>{e(caption)}</figcaption></figure>')


def _region_picture(r: PropertyResult) -> str:
    """A parameter region of ``r``'s evidence on a number line."""
    from verigroup.reports.mathfmt import region_from_evidence, region_pieces
    from verigroup.reports.plots import number_line

    got = region_pieces(dict(r.evidence)) if isinstance(r.evidence, dict) else None
    if got is None:
        return ""
    var, pieces, domain, mark = got
    uri = number_line(var, pieces, domain, mark)
    if uri is None:
        return ""
    words = region_from_evidence(dict(r.evidence)) or ""
    return _figure(uri, f"number line: the property holds for {words}", f"holds for: {words}")


def _tree_html(model: "Model", sols: Sequence["Solution"]) -> list[str]:
    """The game tree of a small protocol, the first SPE's path highlighted."""
    from verigroup.reports.plots import game_tree
    from verigroup.reports.treeview import DRAW_LIMIT, equilibrium_plays

    tree = getattr(model, "protocol", None)
    if tree is None:
        return []
    if tree.num_nodes > DRAW_LIMIT:
        return [f'<p class="note">Game tree not drawn: {tree.num_nodes:,} nodes (drawn up to {DRAW_LIMIT}).</p>']
    path: tuple[int, ...] = ()
    for sol in sols:
        if sol.concept == "spe" and sol.equilibria:
            strat = sol.equilibria[0].extra.get("strategies")
            plays = equilibrium_plays(tree, strat) if isinstance(strat, dict) else []
            path = tuple(v for p in plays for v in p.nodes)
            break
    uri = game_tree(tree, path)
    if uri is None:
        return []
    caption = ("Game tree; the play of the first subgame-perfect equilibrium is highlighted." if path
               else "Game tree.")
    return ["<h4>Game tree</h4>", _figure(uri, "game tree of the protocol", caption)]


def solutions_to_draw(models: Sequence["Model | None"], timeout: float | None = None) -> list[Any]:
    """What the CLI passes to :func:`render_html` for the pictures: the pure
    equilibria of small strategic-form games (marked in the heatmap) and the
    SPE of small protocols (their path drawn).  Solving happens here, in
    the caller's helper, never inside the renderer."""
    from verigroup import api
    from verigroup.diagnostics import SpecError
    from verigroup.reports.markdown import TABLE_LIMIT
    from verigroup.reports.treeview import DRAW_LIMIT

    out: list[Any] = []
    for m in models:
        sol = None
        try:
            if m is not None and m.protocol is not None and m.protocol.num_nodes <= DRAW_LIMIT:
                sol = api.solve_model(m, concept="spe", timeout=timeout)
            elif m is not None and m.protocol is None and m.num_profiles <= TABLE_LIMIT:
                sol = api.solve_model(m, concept="pure", timeout=timeout)
        except SpecError:
            sol = None
        out.append(sol)
    return out


def _ids(n: int, results: Sequence[PropertyResult]) -> list[tuple[str, PropertyResult]]:
    """Anchor ids from positions (spec n, property k): stable, free of user text."""
    return [(f"s{n}-p{k}", r) for k, r in enumerate(results, 1)]
