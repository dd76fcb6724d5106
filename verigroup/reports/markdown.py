"""Markdown audit reports: a self-contained document a reviewer reads.

Reports never call solvers (DESIGN.md): everything shown comes from the
:class:`~verigroup.api.Report` records, the model's own description (agents,
actions, metrics) and, for small strategic-form games, the exact payoff
table (``model.game()`` is materialisation, not solving).  Equilibria appear
only when the caller passes the :class:`~verigroup.api.Solution` records it
already computed.

The first half of this module is the *view* shared with the HTML report
(:mod:`verigroup.reports.html`): what to show, computed once, exactly; each
renderer only decides how it looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Mapping, Sequence, Union

from verigroup.diagnostics import SpecError
from verigroup.reports.evidence import evidence_lines
from verigroup.reports.evidence import strategy_text as ev_strategy_text
from verigroup.reports.mathfmt import humanize, num, to_fraction
from verigroup.verdicts import Equilibrium, PropertyResult, Verdict, q

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.api import Report, Solution
    from verigroup.model.model import Model

# Largest game (in pure profiles) whose payoff table a report materialises.
TABLE_LIMIT = 400
# Largest non-two-agent game listed profile by profile.
LIST_LIMIT = 64
# Longest rendering of one evidence value in the compact lists.
VALUE_LIMIT = 300

SolutionsArg = Union["Solution", Sequence["Solution"], None]

VERDICT_ORDER = (Verdict.VIOLATED, Verdict.UNKNOWN, Verdict.HOLDS)

# Evidence keys shown first (in this order) in compact renderings; the rest
# follow alphabetically.  Bulky keys are left to the full JSON block.
PRIMARY_KEYS = (
    "kind", "agent", "action", "competitor", "deviation", "gain", "profile", "opponents", "coalition",
    "adversaries", "gains", "payoff", "deviation_payoff", "competitor_payoff", "payoffs", "metrics",
    "value", "values", "equilibrium", "witness", "region", "why", "reason", "trace",
)
BULKY_KEYS = frozenset({"best_responses", "deviations", "certificate_details"})


# ------------------------------------------------------------------ view


@dataclass(frozen=True)
class PayoffTable:
    """Every pure profile of a small strategic-form game with its exact
    payoff vector, in ``numpy.ndindex`` order (first agent slowest)."""

    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    rows: tuple[tuple[tuple[str, ...], tuple[Fraction, ...]], ...]

    def lookup(self) -> dict[tuple[str, ...], tuple[Fraction, ...]]:
        return {prof: pay for prof, pay in self.rows}

    def player_range(self, k: int) -> tuple[Fraction, Fraction]:
        vals = [pay[k] for _, pay in self.rows]
        return min(vals), max(vals)


@dataclass(frozen=True)
class GameView:
    """What a report says about the game itself."""

    agents: tuple[tuple[str, tuple[str, ...]], ...]
    num_profiles: int
    metrics: tuple[str, ...]
    extensive: bool
    table: PayoffTable | None
    note: str = ""  # why there is no payoff table, if there is none


def game_view(model: "Model") -> GameView:
    """Agents, actions, size and (small normal-form games only) the exact
    payoff table.  Never raises for a game it cannot tabulate: it says why."""
    agents = tuple((a.name, tuple(a.actions)) for a in model.agents)
    metrics = tuple(sorted(model.metrics))
    extensive = model.protocol is not None
    size = model.num_profiles
    if extensive:
        return GameView(agents, size, metrics, True, None,
                        "extensive-form game (a protocol): no strategic-form payoff table")
    if size > TABLE_LIMIT:
        return GameView(agents, size, metrics, False, None,
                        f"{size:,} pure profiles: payoff table omitted (shown up to {TABLE_LIMIT})")
    try:
        g = model.game()
    except SpecError as exc:  # TooLarge is a subclass
        first = exc.diagnostics[0].message if getattr(exc, "diagnostics", None) else str(exc)
        return GameView(agents, size, metrics, False, None, f"payoff table not available: {first}")
    rows = tuple(
        (tuple(g.actions[k][i] for k, i in enumerate(prof)), g.payoff_vector(tuple(int(i) for i in prof)))
        for prof in g.profiles()
    )
    table = PayoffTable(tuple(g.players), tuple(tuple(a) for a in g.actions), rows)
    return GameView(agents, g.num_profiles, metrics, False, table)


def solutions_for(solutions: Sequence[SolutionsArg] | None, i: int) -> tuple["Solution", ...]:
    """The solutions given for report ``i`` (a Solution, a list, or None)."""
    if solutions is None or i >= len(solutions):
        return ()
    s = solutions[i]
    if s is None:
        return ()
    if isinstance(s, (list, tuple)):
        return tuple(s)
    return (s,)  # type: ignore[return-value]


def pure_profiles(sols: Sequence["Solution"]) -> set[tuple[tuple[str, str], ...]]:
    """Pure profiles among the given equilibria (every agent plays one action
    with probability 1), as sorted ``(agent, action)`` tuples."""
    out: set[tuple[tuple[str, str], ...]] = set()
    for sol in sols:
        for e in sol.equilibria:
            if e.distribution or not e.strategies:
                continue
            if all(len(s) == 1 and Fraction(next(iter(s.values()))) == 1 for s in e.strategies.values()):
                out.add(tuple(sorted((a, next(iter(s))) for a, s in e.strategies.items())))
    return out


def table_equilibria(t: PayoffTable) -> set[tuple[tuple[str, str], ...]]:
    """The pure Nash equilibria of a payoff table, by the definition (no
    agent gains by a unilateral switch), exactly; same form as
    :func:`pure_profiles`."""
    look = t.lookup()
    out: set[tuple[tuple[str, str], ...]] = set()
    for prof, pay in t.rows:
        stable = True
        for k, acts in enumerate(t.actions):
            for a in acts:
                if a != prof[k] and look[prof[:k] + (a,) + prof[k + 1:]][k] > pay[k]:
                    stable = False
                    break
            if not stable:
                break
        if stable:
            out.add(tuple(sorted(zip(t.players, prof))))
    return out


def counts(report: "Report") -> dict[Verdict, int]:
    c = {v: 0 for v in Verdict}
    for r in report.results:
        c[r.verdict] += 1
    return c


def model_at(models: Sequence["Model | None"] | None, i: int) -> "Model | None":
    if models is None or i >= len(models):
        return None
    return models[i]


# ------------------------------------------------------------ formatting


def fmt_value(v: Any) -> str:
    """Compact one-line rendering of a JSON-shaped evidence value."""
    if isinstance(v, Fraction):
        return q(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        parts = []
        for k, x in v.items():
            inner = fmt_value(x)
            if isinstance(x, Mapping) and x:
                inner = f"({inner})"
            parts.append(f"{k}: {inner}" if inner[:1] in "=<>!" else f"{k}={inner}")
        return ", ".join(parts)
    if isinstance(v, (list, tuple)):
        return "[" + "; ".join(fmt_value(x) for x in v) + "]"
    if v is None:
        return "null"
    return str(v)


def clip(s: str, limit: int = VALUE_LIMIT) -> str:
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def evidence_items(evidence: Mapping[str, Any], limit: int = VALUE_LIMIT,
                   skip_bulky: bool = True) -> list[tuple[str, str]]:
    """Evidence as ordered ``(key, compact value)`` pairs."""
    keys = [k for k in PRIMARY_KEYS if k in evidence]
    keys += sorted(k for k in evidence if k not in PRIMARY_KEYS and not (skip_bulky and k in BULKY_KEYS))
    return [(k, clip(fmt_value(evidence[k]), limit)) for k in keys]


def result_items(r: PropertyResult, limit: int = VALUE_LIMIT) -> list[tuple[str, str]]:
    """A result's evidence as ``(label, text)`` lines (the view of
    :mod:`verigroup.reports.evidence`, shared by every human format)."""
    return [(k, clip(v, limit)) for k, v in evidence_lines(r.evidence, r.verdict, r.message)]


def message(r: PropertyResult) -> str:
    """The result's message with any leaked reprs written as mathematics."""
    return humanize(r.message)


def evidence_json(evidence: Mapping[str, Any]) -> str:
    from verigroup.reports.jsonout import dumps

    return dumps(dict(evidence)).rstrip("\n")


def location(r: PropertyResult) -> str:
    if r.span.line <= 0:
        return r.span.file
    return f"{r.span.file}:{r.span.line}:{r.span.column}"


def strategy_text(strategy: Mapping[str, Any]) -> str:
    items = [(a, p) for a, p in strategy.items() if to_fraction(p) is None or to_fraction(p) != 0]
    if len(items) == 1 and to_fraction(items[0][1]) == 1:
        return items[0][0]
    if items and all(to_fraction(p) is not None for _, p in items):
        return ", ".join(f"{a}: {num(p)}" for a, p in items)
    return ev_strategy_text(strategy)


def equilibrium_columns(sols: Sequence["Solution"]) -> tuple[str, ...]:
    agents: list[str] = []
    for sol in sols:
        for e in sol.equilibria:
            for a in list(e.strategies) + list(e.payoffs):
                if a not in agents:
                    agents.append(a)
    return tuple(agents)


def equilibrium_row(e: Equilibrium, agents: Sequence[str]) -> dict[str, str]:
    """Column texts of one equilibrium: ``play`` (per agent or a
    distribution), ``payoffs``, ``metrics``, ``exact``."""
    spe = e.extra.get("strategies") if not e.strategies else None
    if e.distribution:
        play = "; ".join(f"{num(pr)}: " + ", ".join(f"{a}={x}" for a, x in prof.items())
                         for prof, pr in e.distribution if pr != 0)
    elif isinstance(spe, Mapping):
        play = "; ".join(f"{a}: {ev_strategy_text(t)}" for a, t in spe.items() if t)
    else:
        play = "; ".join(f"{a}={strategy_text(e.strategies[a])}" for a in agents if a in e.strategies)
    exact = "exact"
    if not e.exact:
        exact = ("irrational (decimals shown; exact algebraic numbers in JSON)" if e.extra.get("algebraic")
                 else "approximate") + f", epsilon = {num(e.epsilon)}"
    return {
        "play": play,
        "payoffs": ", ".join(f"{a}={num(v)}" for a, v in e.payoffs.items()),
        "metrics": ", ".join(f"{m}={num(v)}" for m, v in e.metrics.items()),
        "exact": exact,
    }


# --------------------------------------------------------------- markdown

_MD_SPECIAL = set("\\`*_[]<>|#&~!")
_BADGE = {Verdict.HOLDS: "✅ HOLDS", Verdict.VIOLATED: "❌ VIOLATED", Verdict.UNKNOWN: "⚠️ UNKNOWN"}


def md(s: Any) -> str:
    """Escape a user string for Markdown text and table cells (one line)."""
    text = " ".join(str(s).splitlines())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def _fence(body: str, lang: str = "") -> str:
    longest, run = 0, 0
    for ch in body:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def render_markdown(reports: Sequence["Report"], models: Sequence["Model | None"] | None = None,
                    version: str = "", solutions: Sequence[SolutionsArg] | None = None) -> str:
    """The audit as Markdown.  ``models`` and ``solutions`` are parallel to
    ``reports`` (either may be shorter or hold None)."""
    lines = ["# verigroup audit report", ""]
    lines.append(f"verigroup {md(version or 'unknown version')} · {len(reports)} spec(s)")
    lines.append("")
    totals = {v: sum(counts(r)[v] for r in reports) for v in Verdict}
    lines.append(f"**{sum(totals.values())} properties: {totals[Verdict.HOLDS]} hold, "
                 f"{totals[Verdict.VIOLATED]} violated, {totals[Verdict.UNKNOWN]} unknown.** "
                 + _gate_sentence(reports))
    lines.append("")
    if reports:
        lines += _table(["spec", "game", "holds", "violated", "unknown"],
                        [[md(r.spec), md(r.game), str(counts(r)[Verdict.HOLDS]), str(counts(r)[Verdict.VIOLATED]),
                          str(counts(r)[Verdict.UNKNOWN])] for r in reports])
        lines.append("")
    for i, rep in enumerate(reports):
        lines += _report_md(i + 1, rep, model_at(models, i), solutions_for(solutions, i))
    return "\n".join(lines).rstrip("\n") + "\n"


def _gate_sentence(reports: Sequence["Report"]) -> str:
    codes = {r.exit_code for r in reports}
    if 1 in codes:
        return "Gate: **fail** (a property is violated; exit code 1)."
    if 3 in codes:
        return "Gate: **inconclusive** (some property is unknown; exit code 3)."
    return "Gate: **pass** (every property holds; exit code 0)."


def _report_md(n: int, rep: "Report", model: "Model | None", sols: Sequence["Solution"]) -> list[str]:
    out = [f"## {n}. {md(rep.game)}", ""]
    out.append(f"- spec: {md(rep.spec)}")
    out.append(f"- hash: {md(rep.spec_hash)}")
    if rep.version:
        out.append(f"- checked with verigroup {md(rep.version)}")
    if rep.params:
        out.append("- parameters: " + ", ".join(f"{md(k)} = {q(v)}" for k, v in sorted(rep.params.items())))
    out.append("")
    if model is not None:
        view = game_view(model)
        marked = pure_profiles(sols)
        if not marked and view.table is not None and not sols:
            marked = table_equilibria(view.table)
        out += _game_md(view, marked)
    if sols:
        out += _solutions_md(sols)
    out += _properties_md(rep.results)
    return out


def _game_md(view: GameView, marked: set[tuple[tuple[str, str], ...]]) -> list[str]:
    out = ["### Game", ""]
    kind = "extensive form (protocol)" if view.extensive else f"{view.num_profiles:,} pure profiles"
    out.append(f"{len(view.agents)} agent(s), {kind}"
               + (f"; metrics: {', '.join(md(m) for m in view.metrics)}" if view.metrics else "") + ".")
    out.append("")
    out += _table(["agent", "actions"], [[md(a), ", ".join(md(x) for x in acts)] for a, acts in view.agents])
    out.append("")
    t = view.table
    if t is None:
        if view.note:
            out += [f"_{md(view.note)}_", ""]
        return out
    look = t.lookup()
    star = " ★" if marked else ""
    if len(t.players) == 2:
        out.append(f"Payoffs ({md(t.players[0])}, {md(t.players[1])}); rows: {md(t.players[0])}, "
                   f"columns: {md(t.players[1])}" + ("; ★ marks a pure equilibrium" if star else "") + ".")
        out.append("")
        rows = []
        for r in t.actions[0]:
            cells = [f"**{md(r)}**"]
            for c in t.actions[1]:
                pay = look[(r, c)]
                mark = " ★" if tuple(sorted(zip(t.players, (r, c)))) in marked else ""
                cells.append(f"{num(pay[0])}, {num(pay[1])}{mark}")
            rows.append(cells)
        out += _table([""] + [md(c) for c in t.actions[1]], rows)
        out.append("")
    elif len(t.rows) <= LIST_LIMIT:
        out.append("Payoffs by profile" + ("; ★ marks a pure equilibrium" if star else "") + ".")
        out.append("")
        rows = []
        for prof, pay in t.rows:
            mark = " ★" if tuple(sorted(zip(t.players, prof))) in marked else ""
            rows.append([md(x) for x in prof] + [num(v) for v in pay] + ([mark.strip()] if star else []))
        header = [md(p) for p in t.players] + [f"payoff {md(p)}" for p in t.players] + (["eq"] if star else [])
        out += _table(header, rows)
        out.append("")
    else:
        out += [f"_{len(t.rows)} profiles: payoff list omitted (shown up to {LIST_LIMIT})._", ""]
    return out


def _solutions_md(sols: Sequence["Solution"]) -> list[str]:
    out = ["### Equilibria", ""]
    agents = equilibrium_columns(sols)
    for sol in sols:
        title = sol.concept.replace("_", " ")
        status = "complete" if sol.complete else f"possibly incomplete: {sol.reason or 'see method'}"
        out.append(f"**{md(title)}**: {len(sol.equilibria)} found ({md(status)})"
                   + (f"; method: {md(sol.method)}" if sol.method else "") + ".")
        out.append("")
        if sol.equilibria:
            has_metrics = any(e.metrics for e in sol.equilibria)
            header = ["#", "play", "payoffs"] + (["metrics"] if has_metrics else []) + ["exact"]
            rows = []
            for k, e in enumerate(sol.equilibria, 1):
                row = equilibrium_row(e, agents)
                rows.append([str(k), md(row["play"]), md(row["payoffs"])]
                            + ([md(row["metrics"])] if has_metrics else []) + [md(row["exact"])])
            out += _table(header, rows)
            out.append("")
    return out


def _properties_md(results: Sequence[PropertyResult]) -> list[str]:
    out = ["### Properties", ""]
    if not results:
        return out + ["_No properties declared._", ""]
    out += _table(["#", "property", "verdict", "kind", "method", "location"],
                  [[str(k), md(r.name), _BADGE[r.verdict], md(r.kind), md(r.method), md(location(r))]
                   for k, r in enumerate(results, 1)])
    out.append("")
    for k, r in enumerate(results, 1):
        out.append(f"#### {k}. {md(r.name)}: {_BADGE[r.verdict]}")
        out.append("")
        out.append(f"- property kind: {md(r.kind)}; method: {md(r.method or '-')}; at {md(location(r))}")
        if r.message:
            out.append(f"- {md(message(r))}")
        for key, val in result_items(r):
            out.append(f"- {md(key)}: {md(val)}")
        out.append("")
        if isinstance(r.evidence, dict) and r.evidence.get("kind") == "curve":  # ---- curves (issue 14)
            from verigroup.reports.curves import curve_picture

            uri = curve_picture(r.evidence, r.name)
            if uri:
                out += [f"![curve {md(r.name)}]({uri})", ""]
        if r.evidence:
            out += ["<details><summary>evidence (JSON)</summary>", "",
                    _fence(evidence_json(r.evidence), "json"), "", "</details>", ""]
    return out
