"""Evidence in words: one view of a result's evidence for every human format.

Text, Markdown, HTML and SARIF messages all show a result's evidence as
``(label, text)`` lines built here, so a counterexample reads the same
everywhere and JSON stays the only place with every field.  Numbers are
written with :mod:`verigroup.reports.mathfmt` (exact ``p/q`` when short, a
marked decimal otherwise); regions and intervals as inequalities.

Two tables drive it:

* ``FACETS`` — how a recurring evidence *key* reads (``profile``,
  ``sides``, ``region``, ``play``, ``strategy`` …), whatever the kind;
* ``SHAPES`` — the headline of one evidence *shape*, keyed by the
  evidence's ``"kind"`` (``deviation``, ``claim``, ``threshold`` …).

Registering a renderer for a new evidence shape
-----------------------------------------------
A checker that emits a new ``{"kind": "my_shape", …}`` evidence registers
its headline here (or in its own module, imported before rendering)::

    from verigroup.reports.evidence import shape

    @shape("my_shape", keys=("winner", "margin"))
    def _my_shape(ev, verdict):
        return [("counterexample", f"{ev['winner']} wins by {num(ev['margin'])}")]

``keys`` are the evidence keys the headline already shows (they are not
repeated as facets).  Also add a sentence to ``_KINDS`` in
:mod:`verigroup.reports.explain`, and make the corpus of
``tests/test_reports_evidence_matrix.py`` produce the shape (drop a spec in
``tests/data/evidence_corpus/``): that test fails for a shape the checkers
emit but no format knows, or no spec produces.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Sequence

from verigroup.reports.mathfmt import humanize, interval, num, region_from_evidence, to_fraction
from verigroup.verdicts import Verdict

Line = tuple[str, str]
ShapeFn = Callable[[Mapping[str, Any], Verdict], list[Line]]
FacetFn = Callable[[Mapping[str, Any], Verdict], list[Line]]

SHAPES: dict[str, tuple[ShapeFn, frozenset[str]]] = {}
FACETS: dict[str, FacetFn] = {}
# Keys never shown as lines (JSON only): bulky tables or bookkeeping.
HIDDEN = frozenset({"kind", "method", "best_responses", "deviations", "certificate_details", "z3_checks",
                    "spoilers_keyed_by", "semantics", "closed", "region_note", "interval", "property",
                    "solver", "z3_profiles"})
LIST_SHOWN = 3  # equilibria shown from a list


def shape(*kinds: str, keys: Iterable[str] = ()) -> Callable[[ShapeFn], ShapeFn]:
    """Register the headline renderer of evidence shapes ``kinds``."""
    def deco(fn: ShapeFn) -> ShapeFn:
        for k in kinds:
            SHAPES[k] = (fn, frozenset(keys))
        return fn
    return deco


def shape_for(kind: Any) -> tuple[ShapeFn, frozenset[str]] | None:
    """The registered view of an evidence kind: exact, or its family's
    (``"dynamics.ess"`` falls back to ``"dynamics.*"``)."""
    if not isinstance(kind, str):
        return None
    if kind in SHAPES:
        return SHAPES[kind]
    if "." in kind:
        return SHAPES.get(kind.split(".", 1)[0] + ".*")
    return None


def facet(*keys: str) -> Callable[[FacetFn], FacetFn]:
    def deco(fn: FacetFn) -> FacetFn:
        for k in keys:
            FACETS[k] = fn
        return fn
    return deco


# ------------------------------------------------------------ values


def value_text(v: Any) -> str:
    """Any JSON-shaped value in one line, without Python reprs."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if v is None:
        return "none"
    if isinstance(v, Mapping):
        if not v:
            return "(none)"
        return ", ".join(f"{k} = {value_text(x)}" if not isinstance(x, Mapping) else f"{k}: ({value_text(x)})"
                         for k, x in v.items())
    if isinstance(v, (list, tuple)):
        if not v:
            return "(none)"
        return "; ".join(value_text(x) for x in v)
    s = num(v)
    return humanize(s) if isinstance(s, str) else str(s)


def profile_text(p: Mapping[str, Any]) -> str:
    return ", ".join(f"{a}={x}" for a, x in p.items())


def numbers(p: Mapping[str, Any]) -> str:
    return ", ".join(f"{a}={value_text(x)}" for a, x in p.items())


def strategy_text(s: Any) -> str:
    """One agent's strategy: an action, ``{action: prob}``, or (SPE) ``{infoset: choice}``."""
    if isinstance(s, Mapping):
        if s and all(to_fraction(x) is not None for x in s.values()):
            vals = [(a, p) for a, p in s.items() if to_fraction(p) != 0]
            if len(vals) == 1 and to_fraction(vals[0][1]) == 1:
                return str(vals[0][0])
            return "(" + ", ".join(f"{a}: {num(p)}" for a, p in vals) + ")"
        return "(" + "; ".join(f"at {k or 'the start'}: {strategy_text(v)}" for k, v in s.items()) + ")"
    return str(s)


def equilibrium_text(eq: Any) -> str:
    """An equilibrium record (or a point ``{"equilibrium": …}``) in one line."""
    if not isinstance(eq, Mapping):
        return value_text(eq)
    if "equilibrium" in eq and isinstance(eq["equilibrium"], Mapping):
        eq = eq["equilibrium"]
    parts = []
    if eq.get("distribution"):
        parts.append("distribution " + "; ".join(
            f"{num(d.get('probability'))}: {profile_text(d.get('profile') or {})}" for d in eq["distribution"]))
    strat = eq.get("strategies") or {}
    if strat:
        parts.append(", ".join(f"{a}={strategy_text(s)}" for a, s in strat.items()))
    if eq.get("payoffs"):
        parts.append(f"payoffs {numbers(eq['payoffs'])}")
    if eq.get("exact") is False:
        parts.append(f"approximate, epsilon {num(eq.get('epsilon'))}")
    return "; ".join(parts) or value_text(eq)


def moves_text(steps: Any) -> str:
    out = []
    for s in steps or []:
        if isinstance(s, Mapping) and "move" in s:
            out.append(f"{s.get('actor', '?')}: {s['move']}")
        elif isinstance(s, Mapping) and "payoffs" in s:
            out.append(f"payoffs {numbers(s['payoffs'])}")
    return " → ".join(out) if out else "(the empty play)"


def history_strategy_text(m: Any) -> str:
    """``{actor: {history: move}}`` (enforcement strategies) in one line."""
    if not isinstance(m, Mapping):
        return value_text(m)
    parts = []
    for actor, table in m.items():
        if isinstance(table, Mapping):
            moves = "; ".join(f"{'at the start' if not h else 'after ' + str(h)} → {mv}" for h, mv in table.items())
            parts.append(f"{actor}: {moves or '(no move)'}")
        else:
            parts.append(f"{actor}: {value_text(table)}")
    return " | ".join(parts) or "(no move)"


# ------------------------------------------------------------ facets


@facet("profile", "deviated_profile", "opponents", "dominating_profile")
def _f_profile(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return []  # handled in evidence_lines with the key as label


@facet("sides")
def _f_sides(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    s = ev.get("sides") or {}
    if not isinstance(s, Mapping) or not s:
        return []
    left, op, right = num(s.get("left")), s.get("op", "?"), num(s.get("right"))
    truth = "is false" if v is Verdict.VIOLATED else ("holds" if v is Verdict.HOLDS else "is undecided")
    return [("the two sides", f"left {left}, right {right}: {left} {op} {right} {truth}")]


@facet("terms")
def _f_terms(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    t = ev.get("terms") or {}
    if not isinstance(t, Mapping):
        return []
    bits = []
    for k in sorted(t):
        x = t[k]
        if isinstance(x, Mapping) and "value" in x:
            at = f" at {profile_text(x['profile'])}" if isinstance(x.get("profile"), Mapping) else ""
            bits.append(f"{k} = {num(x['value'])}{at}")
        else:
            bits.append(f"{k} = {value_text(x)}")
    return [("terms", "; ".join(bits))] if bits else []


# ---- language v2 (issue 8, LANG3): `profile best = argmax(welfare)`, bound at check time
@facet("argmax")
def _f_argmax(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    recs = ev.get("argmax")
    if not isinstance(recs, list):
        return []
    lines: list[Line] = []
    for r in recs:
        if not isinstance(r, Mapping) or not isinstance(r.get("actions"), Mapping):
            continue
        tie = (f"; {r.get('ties')} profiles tie, the first in declaration order is taken"
               if isinstance(r.get("ties"), int) and r["ties"] > 1 else "")
        lines.append(("argmax", f"{r.get('name')} = arg{r.get('sense')}({r.get('metric')}) = "
                                f"{profile_text(r['actions'])}, {r.get('metric')} {num(r.get('value'))}{tie}"))
    return lines


@facet("region")
def _f_region(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    out: list[Line] = []
    text = region_from_evidence(dict(ev))
    if text is not None:
        out.append(("holds for", text))
    if isinstance(ev.get("interval"), list) and len(ev["interval"]) == 2 and ev.get("param"):
        out.append(("parameter range", interval(str(ev["param"]), ev["interval"][0], ev["interval"][1])))
    return out


@facet("params")
def _f_params(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    p = ev.get("params") or {}
    if not isinstance(p, Mapping) or not p:
        return []
    label = "counterexample at" if v is Verdict.VIOLATED else "at parameters"
    return [(label, ", ".join(f"{k} = {num(x)}" for k, x in p.items()))]


@facet("play")
def _f_play(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    out = [("play", moves_text(ev.get("play")))]
    if "failed_at" in ev:
        out.append(("fails at", f"step {ev['failed_at']} ({'the start' if ev['failed_at'] == 0 else 'after move ' + str(ev['failed_at'])})"))
    if "probability" in ev:
        out.append(("probability of this play", num(ev["probability"])))
    return out


@facet("strategy", "spoilers")
def _f_strategy(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    out: list[Line] = []
    if "strategy" in ev:
        out.append(("strategy", history_strategy_text(ev["strategy"])))
    if "spoilers" in ev:
        out.append(("spoiling strategy", history_strategy_text(ev["spoilers"])))
    return out


@facet("strategies")
def _f_strategies(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    s = ev.get("strategies") or {}
    if not isinstance(s, Mapping) or not s:
        return []
    s, hidden = _along_play(s, ev.get("play"))
    text = "; ".join(f"{a}: {strategy_text(x) if x != {} else 'no move on this play'}" for a, x in s.items())
    if hidden:
        text += f" (only the information sets along the play; {hidden} others are in the JSON report)"
    return [("equilibrium strategies", text)]


#: Behaviour strategies with more information sets than this are shown along the play only (below it
#: the off-play choices stay: they are the threats that explain an SPE).
SHOWN_INFOSETS = 24


def _along_play(strategies: Mapping[str, Any], play: Any) -> tuple[Mapping[str, Any], int]:
    """The strategies restricted to the information sets the play passes
    through (keys ``STAGE | seen=value, ...``), and how many were left out;
    unchanged when they are short, not keyed by information set, or when
    the keys cannot be matched with the play."""
    keyed = [x for x in strategies.values() if isinstance(x, Mapping) and x
             and not all(to_fraction(p) is not None for p in x.values())]
    total = sum(len(x) for x in keyed)
    if not keyed or total <= SHOWN_INFOSETS or not isinstance(play, list):
        return strategies, 0
    made: dict[str, str] = {}
    for step in play:
        state = step.get("state") if isinstance(step, Mapping) else None
        if isinstance(state, str) and " = " in state:
            k, _, val = state.partition(" = ")
            made.setdefault(k.strip(), val.strip())

    def on_play(key: str) -> bool:
        stage, _, seen = key.partition(" | ")
        if stage.strip() not in made:
            return False
        for item in filter(None, (x.strip() for x in seen.split(", "))):
            k, eq, val = item.partition("=")
            if not eq or (made.get(k) != val if val != "-" else k in made):
                return False
        return True

    out: dict[str, Any] = {}
    shown = 0
    for agent, x in strategies.items():
        if any(x is k for k in keyed):
            out[agent] = sub = {k: c for k, c in x.items() if on_play(str(k))}
            shown += len(sub)
        else:
            out[agent] = x
    if shown == 0 or shown == total:
        return strategies, 0
    return out, total - shown


def _is_pure_record(w: Any) -> bool:
    strat = w.get("strategies") if isinstance(w, Mapping) else None
    return isinstance(strat, Mapping) and bool(strat) and all(
        isinstance(s, Mapping) and len(s) == 1 and to_fraction(next(iter(s.values()))) == 1 for s in strat.values())


@facet("equilibrium", "witness")
def _f_eq(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    out: list[Line] = []
    for key, label in (("equilibrium", "equilibrium"), ("witness", "witness")):
        if key == "equilibrium" and isinstance(ev.get("profile"), Mapping) and _is_pure_record(ev.get(key)):
            continue  # a pure equilibrium: the profile line already names it
        if key in ev and ev[key] is not None:
            w = ev[key]
            if isinstance(w, Mapping) and ("strategies" in w or "distribution" in w or "equilibrium" in w):
                out.append((label, equilibrium_text(w)))
            elif isinstance(w, Mapping) and all(isinstance(x, Mapping) for x in w.values()) and w:
                out.append((label, "; ".join(f"{a}: {strategy_text(x)}" for a, x in w.items())))
            else:
                out.append((label, value_text(w)))
    return out


@facet("witnesses", "checked")
def _f_eqs(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    out: list[Line] = []
    for key, label in (("witnesses", "equilibria"), ("checked", "equilibria examined")):
        ws = ev.get(key)
        if isinstance(ws, list) and ws:
            shown = [f"#{k}: {equilibrium_text(w)}" for k, w in enumerate(ws[:LIST_SHOWN], 1)]
            more = f" (+{len(ws) - LIST_SHOWN} more)" if len(ws) > LIST_SHOWN else ""
            out.append((label, " | ".join(shown) + more))
    return out


@facet("witnesses_by_infoset")
def _f_none(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return []


@facet("components_infinite")
def _f_inf(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("equilibria", "infinitely many (a continuum)")] if ev.get("components_infinite") is True else []


@facet("threshold", "closed_below")
def _f_thr(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    if "threshold" not in ev:
        return []
    att = ev.get("closed_below")
    tail = "" if att is None else (" (attained)" if att else " (not attained: an infimum)")
    return [("threshold", f"{num(ev['threshold'])}{tail}")]


@facet("delta")
def _f_delta(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("discount factor", f"delta = {num(ev['delta'])}")]


@facet("values")
def _f_values(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    vals = ev.get("values")
    if isinstance(vals, Mapping) and vals and all(isinstance(x, list) for x in vals.values()):
        shown = list(vals.items())[:6]
        text = "; ".join(f"state {k}: ({', '.join(num(x) for x in xs)})" for k, xs in shown)
        return [("continuation values", text + (f" (+{len(vals) - 6} more)" if len(vals) > 6 else ""))]
    return [("values", value_text(vals))]


def _generic(key: str, value: Any) -> Line:
    if isinstance(value, Mapping) and value and all(not isinstance(x, (Mapping, list)) for x in value.values()):
        return (key, numbers(value))
    return (key, value_text(value))


# ------------------------------------------------------------ shapes


@shape("deviation", keys=("agent", "deviation", "gain", "payoff", "deviation_payoff", "why"))
def _s_deviation(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    if "agent" in ev:
        prof = ev.get("profile") or {}
        frm = f" from {prof.get(ev['agent'])}" if isinstance(prof, Mapping) and ev["agent"] in prof else ""
        pays = (f" (payoff {num(ev['payoff'])} → {num(ev['deviation_payoff'])})"
                if ev.get("payoff") is not None and ev.get("deviation_payoff") is not None else "")
        return [("counterexample", f"{ev['agent']} gains {num(ev.get('gain'))} by switching{frm} to "
                                   f"{ev.get('deviation')}{pays}")]
    return [("counterexample", humanize(str(ev.get("why", "a profitable one-shot deviation"))))]


@shape("dominance", keys=("agent", "action", "competitor", "payoff", "competitor_payoff", "why", "strength"))
def _s_dominance(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    agent, act, comp = ev.get("agent"), ev.get("action"), ev.get("competitor")
    if "opponents" not in ev:
        return [("counterexample", f"for {agent}, {act} never beats {comp} (a tie everywhere)")]
    return [("counterexample", f"for {agent}, {act} pays {num(ev.get('payoff'))}, {ev.get('why', 'worse than')} "
                               f"{comp}'s {num(ev.get('competitor_payoff'))} against "
                               f"{profile_text(ev.get('opponents') or {})}")]


@shape("equilibrium", keys=("concept",))
def _s_equilibrium(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("counterexample", f"a {str(ev.get('concept', '')).replace('_', ' ')} equilibrium where the "
                               "property is false")]


@shape("no_witness", keys=("equilibria",))
def _s_no_witness(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    n = ev.get("equilibria")
    return [("counterexample", f"none of the {n if isinstance(n, int) else ''} equilibria satisfies the property"
             .replace("the  ", "the "))]


@shape("coalition", keys=("coalition", "deviation", "gains"))
def _s_coalition(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("counterexample", f"coalition {{{', '.join(ev.get('coalition') or [])}}} deviates to "
                               f"{profile_text(ev.get('deviation') or {})}; gains {numbers(ev.get('gains') or {})}")]


@shape("adversaries", keys=("adversaries", "deviation", "victim", "loss"))
def _s_adversaries(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    head = (f"adversaries {{{', '.join(ev.get('adversaries') or [])}}} switch to "
            f"{profile_text(ev.get('deviation') or {})}")
    if "victim" in ev:
        head += f"; {ev['victim']} loses {num(ev.get('loss'))}"
    return [("counterexample", head)]


@shape("condition", keys=("why",))
def _s_condition(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("counterexample", humanize(str(ev.get("why", "the condition is false at the profile"))))]


@shape("below_outside_option", keys=("agent", "payoff", "outside_option"))
def _s_below(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("counterexample", f"{ev.get('agent')} gets {num(ev.get('payoff'))}, below its outside option "
                               f"{num(ev.get('outside_option'))}")]


@shape("pareto_dominated", keys=("dominating_profile", "dominating_payoffs"))
def _s_pareto(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("counterexample", f"Pareto-dominated by {profile_text(ev.get('dominating_profile') or {})} "
                               f"(payoffs {numbers(ev.get('dominating_payoffs') or {})})")]


@shape("optimum_not_equilibrium", keys=("value", "optima"))
def _s_optimum(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("counterexample", f"the optimum {num(ev.get('value'))} is reached at {ev.get('optima')} profile(s), "
                               "none of them an equilibrium")]


@shape("nonexistence", keys=("equilibria",))
def _s_nonexistence(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("counterexample", "no equilibrium: every profile gives some agent a profitable deviation")]


@shape("multiplicity", keys=("equilibria",))
def _s_multiplicity(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    n = ev.get("equilibria")
    return [("counterexample", "more than one equilibrium" + (f" ({n})" if isinstance(n, int) else ""))]


@shape("claim")
def _s_claim(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [] if ev.get("sides") else [("counterexample", "the claim is false")]


@shape("play", keys=("property",))
def _s_play(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("counterexample", f"an equilibrium play on which '{ev.get('property', 'the property')}' fails")]


@shape("strategy", keys=("coalition",))
def _s_strategy(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    who = "{" + ", ".join(ev.get("coalition") or []) + "}"
    if "spoilers" in ev:
        return [("counterexample", f"the others can spoil every strategy of {who}")]
    return [("counterexample", f"{who} has a strategy that does it")]


@shape("not_credible", keys=("stage", "infoset", "action"))
def _s_not_credible(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("counterexample", f"no subgame-perfect equilibrium plays {ev.get('action')} at "
                               f"{ev.get('infoset')!s} (stage {ev.get('stage')})")]


@shape("no_threshold")
def _s_no_threshold(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("counterexample", "an SPE for no discount factor in 0 < delta < 1")]


@shape("threshold")
def _s_threshold(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return []  # the threshold and region facets say it all


# ---- claimed vs actual game (issue 14): is_a(CLASS)
_CLASS_WORDS = {"social_dilemma": "a social dilemma", "prisoners_dilemma": "a prisoner's dilemma",
                "coordination": "a coordination game", "stag_hunt": "a stag hunt",
                "battle_of_the_sexes": "a battle of the sexes", "chicken": "chicken",
                "constant_sum": "constant-sum", "zero_sum": "zero-sum"}


def _class_list(xs: Any) -> str:
    xs = [_CLASS_WORDS.get(str(x), str(x)) for x in (xs or [])]
    return ", ".join(xs) if xs else "none of the named classes"


@facet("actual")
def _f_actual(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return []  # shown with "claimed"


@facet("claimed")
def _f_claimed(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("claimed vs actual", f"claimed {_CLASS_WORDS.get(str(ev.get('claimed')), ev.get('claimed'))}; "
             f"the payoffs make it {_class_list(ev.get('actual'))}")]


@facet("facts")
def _f_facts(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    f = ev.get("facts")
    if not isinstance(f, Mapping):
        return []
    out: list[Line] = []
    dom = f.get("strictly_dominant") or {}
    if isinstance(dom, Mapping):
        out.append(("strictly dominant", ", ".join(f"{a}: {d if d is not None else 'none'}" for a, d in dom.items())))
    eqs = f.get("pure_equilibria") or []
    shown = []
    for e in eqs if isinstance(eqs, list) else []:
        if not isinstance(e, Mapping):
            continue
        prof = ", ".join(f"{a}={x}" for a, x in (e.get("profile") or {}).items())
        pays = ", ".join(num(x) for x in (e.get("payoffs") or {}).values())
        tag = "strict" if e.get("strict") else "not strict"
        if e.get("pareto_dominated_by"):
            tag += ", Pareto-dominated by " + ", ".join(f"{a}={x}" for a, x in e["pareto_dominated_by"].items())
        shown.append(f"({prof}) pays ({pays}), {tag}")
    out.append(("pure equilibria", "; ".join(shown) if shown else "none"))
    rd = f.get("risk_dominant")
    if isinstance(rd, Mapping):
        out.append(("risk dominant", ", ".join(f"{a}={x}" for a, x in rd.items())))
    if f.get("constant_sum") is not None:
        out.append(("constant sum", num(f["constant_sum"])))
    return out


@shape("claim_mismatch", keys=("failed",))
def _claim_mismatch(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    failed = ev.get("failed") or []
    return [("counterexample", "the claim fails: " + "; ".join(str(x) for x in failed))]


@shape("composite", keys=("op", "decided_by", "parts"))
def _s_composite(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    """Each part's verdict; the deciding parts' own evidence, nested."""
    parts = ev.get("parts") or []
    decided = set(ev.get("decided_by") or [])
    out: list[Line] = []
    for k, p in enumerate(parts):
        if not isinstance(p, Mapping):
            continue
        name, pv = str(p.get("name", f"part {k + 1}")), str(p.get("verdict", "?"))
        tag = " (decides)" if k in decided else ""
        out.append((f"part {k + 1}{tag}", f"{name}: {pv}" + (f" — {humanize(str(p['message']))}"
                                                             if p.get("message") else "")))
        if k in decided and isinstance(p.get("evidence"), Mapping):
            try:
                pverdict = Verdict(pv)
            except ValueError:
                pverdict = Verdict.UNKNOWN
            if pverdict is not Verdict.HOLDS or v is not Verdict.HOLDS:
                for label, text in evidence_lines(p["evidence"], pverdict, str(p.get("message", ""))):
                    out.append((f"part {k + 1} › {label}", text))
    return out


@shape("smallest_n", keys=("param", "n", "counterexample"))
def _s_smallest_n(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    """``for n >= …`` refuted: the smallest violating size, then the
    counterexample found there."""
    par = ev.get("param", "n")
    out: list[Line] = [("counterexample", f"the smallest violating {par} is {par} = {num(ev.get('n'))}")]
    inner = ev.get("counterexample")
    if isinstance(inner, Mapping):
        out += [(f"at {par} = {num(ev.get('n'))} › {label}", text) for label, text in evidence_lines(inner, v)]
    return out


@shape("dynamics.*", keys=("statistical",))
def _s_dynamics(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    """Evolutionary / learning properties (issue 12): exact facets follow;
    an estimate is labelled statistical, never a proof."""
    if ev.get("statistical"):
        return [("statistical", "an empirical estimate (seeds and interval below), not a proof")]
    return []


# ---- best_response(AGENT, φ) on protocols (issue 14)
def infoset_strategy_text(s: Any) -> str:
    """One agent's pure strategy ``{information set: move}`` in one line."""
    if not isinstance(s, Mapping):
        return value_text(s)
    return "; ".join(f"at {k}: {m}" for k, m in s.items()) or "(no move)"


@facet("honest")
def _f_honest(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("honest strategy", infoset_strategy_text(ev.get("honest")))]


@shape("honest_not_best", keys=("agent", "honest", "against", "better", "honest_payoff", "better_payoff", "gain"))
def _s_honest_not_best(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    against = ev.get("against") or {}
    return [("counterexample", f"the honest strategy of {ev.get('agent')} closest to a best response is beaten "
                               f"by a deviation against this strategy of the others"),
            ("honest strategy", infoset_strategy_text(ev.get("honest"))),
            ("against", " | ".join(f"{a}: {infoset_strategy_text(s)}" for a, s in against.items())
             if isinstance(against, Mapping) else value_text(against)),
            ("deviation", infoset_strategy_text(ev.get("better"))),
            ("payoffs", f"honest {num(ev.get('honest_payoff'))} -> deviation {num(ev.get('better_payoff'))} "
                        f"(gain {num(ev.get('gain'))})")]


@shape("no_honest_strategy", keys=("agent", "goal"))
def _s_no_honest(ev: Mapping[str, Any], v: Verdict) -> list[Line]:
    return [("counterexample", f"no strategy of {ev.get('agent')} keeps {ev.get('goal')} on every play "
                               f"(against every strategy of the others and chance)")]


# ------------------------------------------------------------ the view

_ORDER = ("profile", "opponents", "deviated_profile", "coalition", "adversaries", "adversary_deviation",
          "deviation", "gains", "payoffs", "payoffs_before", "payoffs_after", "metrics", "metrics_after",
          "equilibrium", "witness", "witnesses", "checked", "sides", "terms", "play", "strategy", "spoilers",
          "strategies", "threshold", "delta", "region", "params", "values", "dominating_profile")


def evidence_lines(ev: Mapping[str, Any], verdict: Verdict, message: str = "",
                   skip: Sequence[str] = ()) -> list[Line]:
    """The evidence of one result as ``(label, text)`` lines, headline first."""
    if not isinstance(ev, Mapping):
        return [("evidence", value_text(ev))]
    lines: list[Line] = []
    done: set[str] = set(HIDDEN) | set(skip)
    got = shape_for(ev.get("kind"))
    if got is not None:
        fn, shown = got
        lines += fn(ev, verdict)
        done |= shown
    keys = [k for k in _ORDER if k in ev] + sorted(k for k in ev if k not in _ORDER)
    for key in keys:
        if key in done:
            continue
        done.add(key)
        if key == "reason":
            if verdict is Verdict.UNKNOWN and str(ev[key]) != message:
                lines.append(("reason", humanize(str(ev[key]))))
            continue
        if key in ("profile", "deviated_profile", "opponents", "dominating_profile", "adversary_deviation"):
            if isinstance(ev[key], Mapping):
                lines.append((key.replace("_", " "), profile_text(ev[key])))
            continue
        if key in ("deviation",) and isinstance(ev[key], Mapping):
            lines.append(("deviation", profile_text(ev[key])))
            continue
        if key in ("coalition", "adversaries") and isinstance(ev[key], list):
            lines.append((key, "{" + ", ".join(str(x) for x in ev[key]) + "}"))
            continue
        if key in FACETS:
            lines += FACETS[key](ev, verdict)
            if key in ("threshold", "closed_below"):
                done |= {"threshold", "closed_below"}
            if key == "region":
                done |= {"interval", "param"}
            continue
        if ev[key] is None or ev[key] == {} or ev[key] == []:
            continue
        lines.append(_generic(key.replace("_", " "), ev[key]))
    return lines


# ---- game values and curves (issue 14): their shapes register on import
from verigroup.reports import curves as _curves  # noqa: E402,F401

__all__ = ["evidence_lines", "shape", "shape_for", "facet", "SHAPES", "FACETS", "value_text", "equilibrium_text",
           "moves_text", "history_strategy_text", "strategy_text"]
