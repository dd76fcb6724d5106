"""``verigroup explain``: a plain-language narrative of a check report.

One paragraph per violated property, built only from its evidence (the
JSON-shaped counterexample), and one line per HOLDS / UNKNOWN property.
Wording is deterministic and every number is exact (``p/q``)::

    alice can gain 2 by switching from cooperate to defect, so
    {alice: cooperate, bob: cooperate} is not an equilibrium.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from verigroup.model.model import Model
from verigroup.reports.mathfmt import humanize
from verigroup.verdicts import Verdict

OP_WORDS = {
    ">=": "below the required", ">": "not above", "<=": "above the allowed", "<": "not below",
    "==": "not equal to the required", "!=": "equal to the excluded",
}


def explain_report(report: Any, model: Model | None = None) -> str:
    """The narrative of a :class:`verigroup.api.Report` (``model`` gives
    agent families and property bodies for nicer wording)."""
    head = f"{report.game} ({report.spec})"
    params = getattr(report, "params", {}) or {}
    if params:
        head += ": " + ", ".join(f"{k} = {_num(v)}" for k, v in sorted(params.items()))
    lines = [head]
    props = {p.name: p for p in model.properties} if model is not None else {}
    for r in report.results:
        if r.verdict is Verdict.VIOLATED:
            text = explain_violation(r.evidence, model, props.get(r.name), r.message)
            text += _argmax_text(r.evidence)  # ---- language v2 (issue 8, LANG3)
            lines.append(f"VIOLATED \"{r.name}\": {text}")
        elif r.verdict is Verdict.HOLDS:
            lines.append(f"HOLDS    \"{r.name}\": {_sentence(humanize(r.message))}")
        else:
            reason = r.evidence.get("reason") if isinstance(r.evidence, Mapping) else None
            lines.append(f"UNKNOWN  \"{r.name}\": {_sentence(humanize(str(reason or r.message)))}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------- wording


def _num(v: Any) -> str:
    from fractions import Fraction

    from verigroup.verdicts import q

    if isinstance(v, (int, Fraction)) and not isinstance(v, bool):
        return q(v)
    return str(v)


def _sentence(s: str) -> str:
    s = (s or "").strip()
    if not s:
        return ""
    return s if s.endswith((".", "!", "?")) else s + "."


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def braces(profile: Mapping[str, str]) -> str:
    return "{" + ", ".join(f"{a}: {x}" for a, x in profile.items()) + "}"


def where(profile: Mapping[str, str], model: Model | None) -> str:
    """``every a[i] plays withhold`` / ``alice plays defect and bob plays cooperate``."""
    parts: list[str] = []
    done: set[str] = set()
    if model is not None:
        for fam in dict.fromkeys(a.family for a in model.agents):
            members = [a.name for a in model.agents if a.family == fam and a.index is not None]
            acts = {profile.get(m) for m in members}
            if len(members) > 1 and len(acts) == 1 and None not in acts:
                parts.append(f"every {fam}[i] plays {acts.pop()}")
                done.update(members)
    parts += [f"{a} plays {x}" for a, x in profile.items() if a not in done]
    return _and(parts)


def describe_eq(eq: Mapping[str, Any], model: Model | None) -> str:
    """An equilibrium record in words."""
    if "distribution" in eq:
        return "the correlated equilibrium " + "; ".join(
            f"{braces(d['profile'])} with probability {d['probability']}" for d in eq["distribution"])
    strat = eq.get("strategies") or {}
    if strat and all(isinstance(s, Mapping) and len(s) == 1 and list(s.values())[0] == "1"
                     for s in strat.values()) and eq.get("concept") != "spe":
        return "the equilibrium where " + where({a: list(s)[0] for a, s in strat.items()}, model)
    if eq.get("concept") == "spe":
        return "the subgame-perfect equilibrium " + "; ".join(
            f"{a}: " + ", ".join(f"{k} -> {v}" for k, v in s.items()) for a, s in strat.items())
    return "the equilibrium where " + _and([
        f"{a} mixes " + ", ".join(f"{x} {p}" for x, p in s.items()) if len(s) > 1 else f"{a} plays {list(s)[0]}"
        for a, s in strat.items()])


def _payoffs(p: Mapping[str, Any]) -> str:
    return ", ".join(f"{a} {v}" for a, v in p.items())


def _term_name(term: Any) -> str | None:
    from verigroup.model.properties import MetricAt, PayoffAt

    if isinstance(term, MetricAt):
        return term.metric
    if isinstance(term, PayoffAt):
        ref = term.agent
        return f"the payoff of {ref.family}" + ("" if ref.index is None else "[…]")
    return None


def _sides_text(ev: Mapping[str, Any], prop: Any) -> str:
    sides = ev.get("sides") or {}
    if not sides:
        return ""
    left, op, right = sides.get("left"), sides.get("op"), sides.get("right")
    name = _term_name(getattr(getattr(prop, "body", None), "left", None)) or "the left-hand side"
    words = OP_WORDS.get(str(op), f"failing {op}")
    return f"{name} is {left}, {words} {right}"


def _argmax_text(ev: Mapping[str, Any]) -> str:
    """`` Here best = argmax(welfare) is {row: c, col: c} (welfare 6).`` (issue 8, LANG3)"""
    recs = ev.get("argmax") if isinstance(ev, Mapping) else None
    if not isinstance(recs, list):
        return ""
    bits = []
    for r in recs:
        if isinstance(r, Mapping) and isinstance(r.get("actions"), Mapping):
            acts = ", ".join(f"{a}: {x}" for a, x in r["actions"].items())
            tie = (f", the first of {r['ties']} tied profiles in declaration order"
                   if isinstance(r.get("ties"), int) and r["ties"] > 1 else "")
            bits.append(f"{r.get('name')} = arg{r.get('sense')}({r.get('metric')}) is {{{acts}}} "
                        f"({r.get('metric')} {r.get('value')}{tie})")
    return f" Here {'; '.join(bits)}." if bits else ""


def _terms_text(ev: Mapping[str, Any]) -> str:
    terms = ev.get("terms") or {}
    bits = []
    for k in sorted(terms):
        v = terms[k]
        if isinstance(v, Mapping) and "value" in v:
            bits.append(f"{k} = {v['value']}")
    return f" ({'; '.join(bits)})" if bits else ""


# ------------------------------------------------------------ by kind


def explain_violation(ev: Mapping[str, Any], model: Model | None, prop: Any, message: str) -> str:
    kind = ev.get("kind") if isinstance(ev, Mapping) else None
    fn = _KINDS.get(str(kind)) or (_KINDS.get(str(kind).split(".", 1)[0] + ".*") if "." in str(kind) else None)
    if fn is None:
        return _sentence(humanize(message))
    try:
        text = fn(ev, model, prop)
    except (KeyError, TypeError, AttributeError, IndexError):  # evidence of an unexpected shape
        return _sentence(humanize(message))
    return text + _region_sentence(ev)


def _region_sentence(ev: Mapping[str, Any]) -> str:
    """For a parameter-region counterexample: where it was found, and where
    the property holds."""
    from verigroup.reports.mathfmt import num, region_from_evidence

    params = ev.get("params")
    if not isinstance(params, Mapping) or not params or "param" not in ev:
        return ""
    at = ", ".join(f"{k} = {num(v)}" for k, v in params.items())
    where_ = region_from_evidence(dict(ev))
    return f" This happens at {at}" + (f"; the property holds exactly for {where_}." if where_ else ".")


def _deviation(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    prof = ev["profile"]
    agent = ev["agent"]
    to = ev["deviation"]
    return (f"{agent} can gain {ev['gain']} by switching from {prof[agent]} to {to} "
            f"(payoff {ev['payoff']} -> {ev['deviation_payoff']}), so {braces(prof)} is not an equilibrium.")


def _dominance(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    agent, act, comp = ev["agent"], ev["action"], ev["competitor"]
    if "opponents" not in ev:
        return (f"For {agent}, {act} is not dominant: it is never strictly better than {comp} "
                f"(they tie against every choice of the others).")
    pa, pc = ev["payoff"], ev["competitor_payoff"]
    opp = where(ev["opponents"], model)
    rel = "less than" if ev.get("why") != "no better than" else "no more than"
    return (f"For {agent}, {act} is not dominant: when {opp}, {act} pays {pa}, {rel} "
            f"the {pc} that {comp} pays.")


def _equilibrium(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    eq = ev["equilibrium"]
    side = _sides_text(ev, prop)
    desc = describe_eq(eq, model)
    body = f", {side}" if side else ", the property is false"
    pay = ev.get("payoffs") or eq.get("payoffs")
    tail = f" Payoffs there: {_payoffs(pay)}." if pay else ""
    return f"In {desc}{body}{_terms_text(ev)}.{tail}"


def _no_witness(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    n = ev.get("equilibria")
    checked = ev.get("checked") or []
    first = ""
    if checked and isinstance(checked[0], Mapping) and "equilibrium" in checked[0]:
        first = f"; for example {describe_eq(checked[0]['equilibrium'], model)}"
    count = f"{n} " if isinstance(n, int) else ""
    return f"None of the {count}equilibria satisfies the property{first}{_terms_text(ev)}."


def _coalition(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    dev: Mapping[str, str] = ev["deviation"]
    members = list(dev)
    acts = set(dev.values())
    if len(members) == 1:
        who = f"If {members[0]} switches to {dev[members[0]]}"
    elif len(acts) == 1:
        who = f"If {_and(members)} {'both' if len(members) == 2 else 'all'} switch to {acts.pop()}"
    else:
        who = "If " + _and([f"{a} switches to {x}" for a, x in dev.items()])
    gains: Mapping[str, str] = ev.get("gains") or {}
    gvals = set(gains.values())
    if len(members) == 1 and gains:
        gain = f"it gains {list(gains.values())[0]}"
    elif len(gvals) == 1:
        gain = f"each gains {gvals.pop()}"
    else:
        gain = _and([f"{a} gains {g}" for a, g in gains.items()])
    adv = ev.get("adversary_deviation") or {}
    pre = ""
    if adv:
        pre = " after " + _and([f"{a} switches to {x}" for a, x in adv.items()]) + " as an adversary"
        if "gainer" in ev:
            gain = f"{ev['gainer']} gains {gains.get(ev['gainer'])}"
    return (f"{who}{pre}, {gain}, so {braces(ev['profile'])} is not stable against this coalition "
            f"(payoffs {_payoffs(ev.get('payoffs_before') or {})} -> {_payoffs(ev.get('payoffs_after') or {})}).")


def _adversaries(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    dev: Mapping[str, str] = ev["deviation"]
    acts = set(dev.values())
    if len(dev) == 1:
        who = "If adversary " + _and([f"{a} switches to {x}" for a, x in dev.items()])
    elif len(acts) == 1:
        who = f"If adversaries {_and(list(dev))} {'both' if len(dev) == 2 else 'all'} switch to {acts.pop()}"
    else:
        who = "If adversaries " + _and([f"{a} switches to {x}" for a, x in dev.items()])
    if "victim" in ev:
        v = ev["victim"]
        before, after = (ev.get("payoffs_before") or {}).get(v), (ev.get("payoffs_after") or {}).get(v)
        return f"{who}, {v} loses {ev['loss']} (payoff {before} -> {after})."
    mets = ev.get("metrics_after") or {}
    return (f"{who}, the required condition fails" +
            (f": afterwards {', '.join(f'{m} is {v}' for m, v in mets.items())}" if mets else "") + ".")


def _condition(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    mets = ev.get("metrics") or {}
    return (f"The condition already fails at {braces(ev['profile'])} without any adversary"
            + (f" ({', '.join(f'{m} is {v}' for m, v in mets.items())})" if mets else "") + ".")


def _below(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    at = braces(ev["profile"]) if "profile" in ev else describe_eq(ev.get("equilibrium") or {}, model)
    return f"{ev['agent']} gets {ev['payoff']} at {at}, below its outside option {ev['outside_option']}."


def _pareto(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    desc = describe_eq(ev.get("equilibrium") or {}, model)
    return (f"{desc[0].upper()}{desc[1:]} (payoffs {_payoffs(ev.get('payoffs') or {})}) is Pareto-dominated by "
            f"{braces(ev['dominating_profile'])} (payoffs {_payoffs(ev.get('dominating_payoffs') or {})}).")


def _optimum(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    metric = getattr(prop, "metric", "the metric")
    first = (ev.get("deviations") or [None])[0]
    tail = ""
    if isinstance(first, Mapping):
        tail = " " + _deviation(first, model, prop)
    n = ev.get("optima")
    return (f"The best {metric} is {ev['value']}, reached at {n} profile(s), but none of them is an "
            f"equilibrium.{tail}")


def _nonexistence(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    concept = getattr(getattr(prop, "concept", None), "value", "pure_nash").replace("_", " ")
    return f"The game has no {concept} equilibrium: every profile gives some agent a profitable deviation."


def _multiplicity(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    ws = ev.get("witnesses")
    n = ev.get("equilibria") if isinstance(ev.get("equilibria"), int) else None  # null: not counted
    if isinstance(ws, list) and len(ws) >= 2:
        ds = [describe_eq(w, model) for w in ws[:2]]
        return (f"The equilibrium is not unique{f' (there are {n})' if n else ''}: for example "
                f"{ds[0]}, and {ds[1]}.")
    return "The equilibrium is not unique" + (" (there are infinitely many)." if ev.get("components_infinite") else ".")


def _claim(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    s = ev.get("sides") or {}
    if s:
        return f"The claim is false: {s.get('left')} {s.get('op')} {s.get('right')} does not hold{_terms_text(ev)}."
    return "The claim is false" + (f" at parameters {ev['params']}" if ev.get("params") else "") + "."


def _play(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    steps = [f"{s['actor']} plays {s['move']}" for s in ev.get("play", [])]
    return (f"On an equilibrium play ({'; '.join(steps) or 'the empty play'}), with probability "
            f"{ev.get('probability')}, '{ev.get('property')}' fails at step {ev.get('failed_at')}; "
            f"payoffs {_payoffs(ev.get('payoffs') or {})}.")


def _composite(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    """Property algebra (issue 8): explain the parts that decide the verdict."""
    parts = ev["parts"]
    subs = list(getattr(prop, "parts", ()))
    bits = []
    for k in ev["decided_by"]:
        part = parts[k]
        sub = subs[k] if k < len(subs) else None
        if part["verdict"] == "VIOLATED":
            why = explain_violation(part["evidence"], model, sub, part["message"])
            bits.append(f"`{part['name']}` is violated: {why}")
        else:
            bits.append(f"`{part['name']}` holds ({part['message']})")
    op = {"not": "the negated property holds", "and": "a conjunct is violated",
          "or": "every disjunct is violated", "implies": "the premise holds and the conclusion fails"}
    return f"{op.get(str(ev['op']), str(ev['op']))}. " + " ".join(bits)


def _threshold(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    from verigroup.reports.mathfmt import num, region_from_evidence

    att = "attained" if ev.get("closed_below") else "not attained (an infimum)"
    return (f"The strategy profile is subgame perfect exactly for {region_from_evidence(dict(ev))}, so its "
            f"least discount factor is {num(ev.get('threshold'))} ({att}), and the stated comparison is false.")


def _no_threshold(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    from verigroup.reports.mathfmt import region_from_evidence

    return (f"The strategy profile is subgame perfect for no discount factor between 0 and 1 "
            f"(the set of such factors is {region_from_evidence(dict(ev))}), so it has no threshold.")


def _strategy(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    from verigroup.reports.evidence import history_strategy_text, moves_text

    who = "{" + ", ".join(ev.get("coalition") or []) + "}"
    if "spoilers" in ev:
        play = f" For example, the play {moves_text(ev['play'])}." if ev.get("play") else ""
        return (f"{who} cannot enforce the goal: whatever it does, the others (and chance) can spoil it "
                f"with {history_strategy_text(ev['spoilers'])}.{play}")
    return f"{who} can enforce the goal with this strategy: {history_strategy_text(ev.get('strategy'))}."


def _not_credible(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    return (f"No subgame-perfect equilibrium plays {ev['action']} at {ev['infoset']} (stage {ev.get('stage')}), "
            "so the commitment is not credible.")


def _smallest_n(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    from verigroup.reports.mathfmt import num

    par = ev.get("param", "n")
    inner = ev.get("counterexample")
    tail = ""
    if isinstance(inner, Mapping) and inner.get("kind") in _KINDS:
        tail = " " + explain_violation(inner, None, None, "")
    elif isinstance(inner, Mapping) and inner.get("profile"):
        prof = inner["profile"]
        tail = f" There, {braces(prof) if isinstance(prof, Mapping) else prof}."
    return f"The property fails first at {par} = {num(ev.get('n'))} (it holds for every smaller {par}).{tail}"


def _dynamics(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    from verigroup.reports.evidence import evidence_lines

    facts = "; ".join(f"{k}: {v}" for k, v in evidence_lines(ev, Verdict.VIOLATED)[:4])
    head = "An empirical estimate (not a proof) says the property fails" if ev.get("statistical") else \
        "The exact dynamics analysis refutes the property"
    return f"{head}" + (f" ({facts})." if facts else ".")


def _claim_mismatch(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    from verigroup.reports.evidence import _class_list

    failed = "; ".join(str(x) for x in (ev.get("failed") or []))
    claimed = _class_list([ev.get("claimed")])
    return (f"The spec claims the game is {claimed}, but {failed}. What the payoffs make it: "
            f"{_class_list(ev.get('actual'))}.")


def _game_value(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    from verigroup.reports.mathfmt import num

    return (f"The exact value of the constant-sum game for {ev.get('agent')} is {num(ev.get('value'))}, which is "
            f"not {ev.get('op')} {num(ev.get('bound'))}: {ev.get('opponent')}'s optimal strategy holds "
            f"{ev.get('agent')} to it whatever {ev.get('agent')} does.")


def _curve(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    from verigroup.reports.mathfmt import num

    fail = ev.get("failing") or {}
    par = ev.get("param", "x")
    vals = ", ".join(f"{k} = {num(x)}" for k, x in (fail.get("values") or {}).items())
    return f"The requirement {ev.get('require')} fails at {par} = {num(fail.get(par))}, where {vals}."


def _honest_not_best(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    from verigroup.reports.evidence import infoset_strategy_text
    from verigroup.reports.mathfmt import num

    against = ev.get("against") or {}
    others = " | ".join(f"{a}: {infoset_strategy_text(s)}" for a, s in against.items())
    return (f"No honest strategy of {ev.get('agent')} is a best response to every strategy of the others. "
            f"The honest strategy closest to one ({infoset_strategy_text(ev.get('honest'))}) gets "
            f"{num(ev.get('honest_payoff'))} against {others}, where deviating to "
            f"{infoset_strategy_text(ev.get('better'))} gets {num(ev.get('better_payoff'))} "
            f"(a gain of {num(ev.get('gain'))}).")


def _no_honest(ev: Mapping[str, Any], model: Model | None, prop: Any) -> str:
    return (f"No strategy of {ev.get('agent')} keeps {ev.get('goal')} on every play of positive probability, "
            f"whatever the others and chance do, so there is no honest strategy to be a best response.")


_KINDS = {
    "honest_not_best": _honest_not_best, "no_honest_strategy": _no_honest,  # ---- best_response (issue 14)
    "game_value": _game_value, "curve": _curve,  # ---- issue 14
    "claim_mismatch": _claim_mismatch,
    "smallest_n": _smallest_n, "dynamics.*": _dynamics,
    "threshold": _threshold, "no_threshold": _no_threshold, "strategy": _strategy,
    "not_credible": _not_credible,
    "composite": _composite,
    "deviation": _deviation, "dominance": _dominance, "equilibrium": _equilibrium,
    "no_witness": _no_witness, "coalition": _coalition, "adversaries": _adversaries,
    "condition": _condition, "below_outside_option": _below, "pareto_dominated": _pareto,
    "optimum_not_equilibrium": _optimum, "nonexistence": _nonexistence,
    "multiplicity": _multiplicity, "claim": _claim, "play": _play,
}

__all__ = ["explain_report", "explain_violation", "describe_eq", "where", "braces"]
