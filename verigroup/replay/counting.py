"""Replay of counting evidence (issue 9), independent of the counting view.

The evidence names count vectors; the members are arranged canonically
(within a family, the first ``c[0]`` members play the first action, and so
on).  The spec's own payoff IR is evaluated with the project's scalar
evaluator (:class:`verigroup.evaluate.scalar.ScalarEvaluator`) at that
concrete profile, for one representative member of each action class: no
count expression of :mod:`verigroup.model.counting` is used.  Aggregates
evaluate their body once per run of alike members (see
:meth:`_Canonical.aggregate`), so a million-member family costs
milliseconds.  Metrics are re-checked for up to
:data:`MAX_METRIC_MEMBERS` members in all.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping, Sequence

from verigroup.diagnostics import SpecError
from verigroup.evaluate.scalar import ScalarEvaluator
from verigroup.model.expr import ActionIs
from verigroup.model.model import Agent, Model
from verigroup.replay.result import Finding

MAX_METRIC_MEMBERS = 10**7
KINDS = ("population_deviation", "population_equilibrium", "population_dominance", "smallest_n",
         "population_witness", "population_adversaries", "population_coalition")


class _Members(Sequence[Agent]):
    """Every member of every family, built on demand from the template."""

    def __init__(self, model: Model) -> None:
        self.fams: list[tuple[str, int, int, Agent]] = []  # (family, lo, hi, template agent)
        self.offset: dict[str, int] = {}
        pos = 0
        seen: set[str] = set()
        for a in model.agents:
            if a.family in seen:
                continue
            seen.add(a.family)
            if a.index is None:
                lo = hi = 0
            elif a.family in model.counted:
                lo, hi = model.counted[a.family]
            else:
                idx = [b.index for b in model.agents if b.family == a.family and b.index is not None]
                lo, hi = min(idx), max(idx)
            self.offset[a.family] = pos
            self.fams.append((a.family, lo, hi, a))
            pos += hi - lo + 1
        self.total = pos

    def __len__(self) -> int:
        return self.total

    def locate(self, k: int) -> tuple[str, int, int, Agent]:
        for fam, lo, hi, t in self.fams:
            off = self.offset[fam]
            if off <= k <= off + hi - lo:
                return fam, lo, k - off + lo, t
        raise IndexError(k)

    def __getitem__(self, k: Any) -> Any:
        fam, lo, idx, t = self.locate(int(k))
        if t.index is None:
            return t
        var = t.bindings[0][0] if t.bindings else "i"
        return Agent(f"{fam}[{idx}]", fam, idx, t.actions, t.payoff, ((var, idx),), t.span)


class _Canonical(ScalarEvaluator):
    def __init__(self, model: Model, counts: Mapping[str, Mapping[str, int]], moved: Mapping[int, str],
                 lead: tuple[str, str] | None = None) -> None:
        """``lead`` = (family, action): the family's first member plays the
        action and ``counts`` arrange the others (members 2..)."""
        self.members = _Members(model)
        super().__init__(model.param_values(), self.members, model.metrics)
        self.counts = counts
        self.lead = lead
        self.moved = dict(moved)
        self.bounds: dict[str, list[tuple[int, str]]] = {}
        for fam, lo, hi, t in self.members.fams:
            cum, acc = [], lo
            if lead is not None and lead[0] == fam:
                self.moved[self.members.offset[fam]] = lead[1]
                acc = lo + 1
            for a in t.actions:
                acc += int(counts[fam].get(a, 0))
                cum.append((acc, a))
            if acc != hi + 1:
                raise ValueError(f"the counts of `{fam}` sum to {acc - lo}, not to its {hi - lo + 1} members")
            self.bounds[fam] = cum

    # -- aggregates over runs of alike members ---------------------------
    def aggregate(self, e: Any, env: dict[str, int]) -> Any:
        """Members of one class, none of them moved or bound to an index in
        scope, are interchangeable *for this expression* when the aggregate's
        variable is used only as the index of one family's members and in
        ``j == i`` / ``j != i`` comparisons: the body is then evaluated once
        per run of such members and weighted by the run's length."""
        fam = _plain_family(e)
        if fam is None:
            return super().aggregate(e, env)
        lo, hi = self.integer(e.lo, env), self.integer(e.hi, env)
        flo = next((f_lo for f, f_lo, _, _ in self.members.fams if f == fam), None)
        if flo is None:
            return super().aggregate(e, env)
        off = self.members.offset[fam]
        cuts = {lo, hi + 1}
        start = flo + (1 if self.lead is not None and self.lead[0] == fam else 0)
        cuts.add(start)
        for end, _ in self.bounds[fam]:
            cuts.add(end)
        special = {k - off + flo for k in self.moved if self.members.locate(k)[0] == fam}
        special |= {v for v in env.values()}
        for v in special:
            cuts |= {v, v + 1}
        points = sorted(c for c in cuts if lo <= c <= hi + 1)
        items: list[tuple[Any, int]] = []
        for a, b in zip(points, points[1:]):
            if b <= a:
                continue
            inner = {**env, e.var: a}
            if e.filter is not None and not self.cond(e.filter, inner):
                continue
            items.append((self.ev(e.body, inner), b - a))
        return _combine(self, e, items)

    def find_agent(self, family: str, index: int | None) -> int | None:
        for fam, lo, hi, t in self.members.fams:
            if fam == family:
                if index is None:
                    return self.members.offset[fam] if t.index is None else None
                return self.members.offset[fam] + index - lo if lo <= index <= hi else None
        return None

    def action(self, k: int) -> str:
        if k in self.moved:
            return self.moved[k]
        fam, lo, idx, t = self.members.locate(k)
        for end, a in self.bounds[fam]:
            if idx < end:
                return a
        raise IndexError(k)

    def action_is(self, k: int, action: str, e: ActionIs) -> bool:
        return self.action(k) == action

    def same_action(self, j: int, k: int) -> bool:
        return self.action(j) == self.action(k)


def _plain_family(e: Any) -> str | None:
    """The family the aggregate's variable indexes, when that is its only
    use (besides ``j == i`` / ``j != i``); else None."""
    from verigroup.model import expr as X

    fams: set[str] = set()
    ok = [True]

    def walk(n: Any, parent: Any) -> None:
        if isinstance(n, X.IndexVar) and n.name == e.var:
            if isinstance(parent, X.AgentRef):
                fams.add(parent.family)
            elif not (isinstance(parent, X.Compare) and parent.op in ("==", "!=")
                      and isinstance(parent.left, X.IndexVar) and isinstance(parent.right, X.IndexVar)):
                ok[0] = False
            return
        if isinstance(n, X.Aggregate) and n is not e and n.var == e.var:
            ok[0] = False
        for f in getattr(n, "__dataclass_fields__", {}):
            if f == "span":
                continue
            v = getattr(n, f)
            for c in (v if isinstance(v, tuple) else (v,)):
                if hasattr(c, "__dataclass_fields__"):
                    walk(c, n)

    for root in (e.body, e.filter):
        if root is not None:
            walk(root, e)
    return fams.pop() if ok[0] and len(fams) == 1 else None


def _combine(ev: _Canonical, e: Any, items: list[tuple[Any, int]]) -> Any:
    if e.kind == "count":
        return Fraction(sum(w for b, w in items if b is True))
    if e.kind == "any":
        return any(b is True for b, _ in items)
    if e.kind == "all":
        return all(b is True for b, _ in items)
    if any(isinstance(x, bool) for x, _ in items):
        raise ev.err("E107", f"the body of {e.kind} must be a number", e)
    if e.kind == "sum":
        return sum((x * w for x, w in items), Fraction(0))
    if e.kind == "product":
        p = Fraction(1)
        for x, w in items:
            p *= Fraction(x) ** w
        return p
    if not items:
        raise ev.undefined("E203", f"{e.kind} over an empty range", e)
    vals = [x for x, _ in items]
    return min(vals) if e.kind == "min" else max(vals)


def _pos(ev: _Canonical, name: str) -> int:
    fam, _, rest = name.partition("[")
    k = ev.find_agent(fam, int(rest.rstrip("]")) if rest else None)
    if k is None:
        raise ValueError(f"no member {name}")
    return k


def _payoff(model: Model, counts: Mapping[str, Mapping[str, int]], who: str, moved_to: str | None = None) -> Fraction:
    ev0 = _Canonical(model, counts, {})
    k = _pos(ev0, who)
    ev = _Canonical(model, counts, {k: moved_to} if moved_to is not None else {})
    return ev.payoff(k)


def _total(counts: Mapping[str, Mapping[str, int]]) -> int:
    return sum(sum(int(v) for v in c.values()) for c in counts.values())


def check_evidence(model: Model, ev: Mapping[str, Any]) -> str | None:
    """None when the evidence is confirmed, else what is wrong."""
    kind = ev.get("kind")
    if kind == "smallest_n":
        return None  # re-established by replay_counting at that n
    if kind in ("population_adversaries", "population_coalition"):
        return _check_group(model, ev)
    counts = ev.get("counts") or ev.get("others")
    if not isinstance(counts, dict):
        return "the evidence has no counts"
    if kind == "population_deviation":
        d = ev["deviation"]
        before = _payoff(model, counts, d["agent"])
        after = _payoff(model, counts, d["agent"], d["to"])
        if (before, after) != (Fraction(d["payoff"]), Fraction(d["deviation_payoff"])):
            return f"payoffs {before} -> {after}, the report says {d['payoff']} -> {d['deviation_payoff']}"
        return None if after > before else f"{d['agent']} does not gain ({before} -> {after})"
    if kind in ("population_equilibrium", "population_witness"):
        base = _Canonical(model, counts, {})
        for who, act in ev.get("representatives", {}).items():
            k = _pos(base, who)
            mine = base.payoff(k)
            for alt in base.agents[k].actions:
                if alt != act:
                    theirs = _Canonical(model, counts, {k: alt}).payoff(k)
                    if theirs > mine:
                        return f"{who} gains by switching from {act} to {alt} ({mine} -> {theirs})"
        if _total(counts) <= MAX_METRIC_MEMBERS:
            for m, v in ev.get("metrics", {}).items():
                got = base.metric(m, model.metrics[m].expr)
                if got != Fraction(v):
                    return f"metric {m} is {got}, the report says {v}"
        return None
    if kind == "population_dominance":
        fam, who, act, alt = ev["family"], ev["agent"], ev["action"], ev["alternative"]
        if "others" not in ev:
            return None  # "never strictly better": re-established by the fresh check
        mine_ev = _Canonical(model, counts, {}, (fam, act))
        k = _pos(mine_ev, who)
        if k != mine_ev.members.offset[fam]:
            return f"{who} is not the first member of {fam}"
        mine = mine_ev.payoff(k)
        theirs = _Canonical(model, counts, {}, (fam, alt)).payoff(k)
        if (mine, theirs) != (Fraction(ev["payoff"]), Fraction(ev["alternative_payoff"])):
            return f"payoffs {mine} vs {theirs}, the report says {ev['payoff']} vs {ev['alternative_payoff']}"
        return None if theirs >= mine else f"{alt} is not better for {who}"
    return f"unknown counting evidence kind {kind!r}"


def _check_group(model: Model, ev: Mapping[str, Any]) -> str | None:
    """Re-check a coalition / adversary move: the moving members are the
    last ones of their class in the canonical arrangement of ``before``."""
    before = ev["before"]["counts"]
    base = _Canonical(model, before, {})
    moved: dict[int, str] = {}
    movers: list[tuple[int, str, str]] = []
    taken: dict[tuple[str, str], int] = {}
    for m in ev["moves"]:
        fam, frm, to, k = m["family"], m["from"], m["to"], int(m["members"])
        end = next(e for e, a in base.bounds[fam] if a == frm)  # one past the class's last member
        lo = base.members.offset[fam] - next(lo for f, lo, _, _ in base.members.fams if f == fam)
        for _ in range(k):
            used = taken.get((fam, frm), 0)
            pos = lo + end - 1 - used
            if base.action(pos) != frm:
                return f"the class {frm} of {fam} has fewer than the moving members"
            taken[(fam, frm)] = used + 1
            moved[pos] = to
            movers.append((pos, frm, to))
    after = _Canonical(model, before, moved)
    counts_after: dict[str, dict[str, int]] = {}
    for fam, _, _, t in after.members.fams:
        c = {a: int(before[fam].get(a, 0)) for a in t.actions}
        for pos, frm, to in movers:
            if after.members.locate(pos)[0] == fam:
                c[frm] -= 1
                c[to] += 1
        counts_after[fam] = c
    if counts_after != {f: {a: int(v) for a, v in c.items()} for f, c in ev["after"]["counts"].items()}:
        return "the moves do not lead to the reported counts"
    if ev.get("kind") == "population_coalition":
        gains = [after.payoff(pos) - base.payoff(pos) for pos, _, _ in movers]
        if [str(g.numerator) if g.denominator == 1 else f"{g.numerator}/{g.denominator}" for g in gains] != \
                list(ev["gains"]):
            return f"the coalition's gains are {[str(g) for g in gains]}, the report says {ev['gains']}"
        return None if all(g >= 0 for g in gains) and any(g > 0 for g in gains) else "the coalition does not gain"
    if "victim_family" in ev:
        fam, act = ev["victim_family"], ev["victim_action"]
        victims = _first_outside(base, fam, act, moved)
        if victims is None:
            return f"no member of {fam} outside the adversaries plays {act}"
        b, a = base.payoff(victims), after.payoff(victims)
        if (b, a) != (Fraction(ev["payoff_before"]), Fraction(ev["payoff_after"])):
            return f"the victim's payoffs are {b} -> {a}, the report says {ev['payoff_before']} -> {ev['payoff_after']}"
        return None if a < b else "the victim does not lose"
    return None  # a falsified condition: re-established by the fresh check


def _first_outside(ev: _Canonical, fam: str, act: str, moved: Mapping[int, str]) -> int | None:
    off = ev.members.offset[fam]
    lo = next(lo for f, lo, _, _ in ev.members.fams if f == fam)
    start = off
    for end, a in ev.bounds[fam]:
        if a == act:
            for k in range(start, off + end - lo):
                if k not in moved:
                    return k
            return None
        start = off + end - lo
    return None


def replay_counting(model: Model, prop: Any, pr: Mapping[str, Any], spec_name: str) -> list[Finding]:
    """Findings for one property whose evidence is counting evidence."""
    ev = pr.get("evidence") or {}
    name = pr["name"]
    kind = ev.get("kind")
    label = f"counting evidence ({kind or ev.get('method')})"
    if kind not in KINDS:
        return [Finding(spec_name, name, "ok", label, "a certificate: re-established by the fresh check")]
    try:
        if kind == "smallest_n":
            from verigroup.analyses.forall_n import concrete

            n = int(ev["n"])
            r = concrete(model, prop, n)
            if r is None or r.verdict.value != "VIOLATED":
                return [Finding(spec_name, name, "mismatch", label, f"the property is not violated at {ev['param']} = {n}")]
            inner = check_evidence_at(model, prop, n, ev.get("counterexample", {}))
            if inner is not None:
                return [Finding(spec_name, name, "mismatch", label, inner)]
            return [Finding(spec_name, name, "ok", label, f"violated at {ev['param']} = {n}; counterexample replayed")]
        why = check_evidence(model, ev)
    except (SpecError, ValueError, KeyError, IndexError, ZeroDivisionError) as exc:
        msg = exc.render() if isinstance(exc, SpecError) else str(exc)
        return [Finding(spec_name, name, "mismatch", label, f"the spec cannot evaluate the evidence: {msg}")]
    if why is None:
        return [Finding(spec_name, name, "ok", label, "re-evaluated with the scalar evaluator at the stated counts")]
    return [Finding(spec_name, name, "mismatch", label, why)]


def check_evidence_at(model: Model, prop: Any, n: int, ev: Mapping[str, Any]) -> str | None:
    from verigroup.analyses.population.build import counted_model
    from verigroup.resolve import resolve_spec
    from verigroup.syntax.parser import parse_spec

    from verigroup.analyses.forall_n import param_definitions

    defs = param_definitions(model)
    ov = {k: str(p.value) for k, p in model.params.items() if k not in defs}
    ov[prop.region.param] = str(n)
    spec = parse_spec(model.source, model.path)
    m = counted_model(spec, ov) or resolve_spec(spec, ov)
    return check_evidence(m, ev)


def is_counting_evidence(pr: Mapping[str, Any]) -> bool:
    ev = pr.get("evidence")
    return isinstance(ev, dict) and ev.get("method") in ("counting", "forall-n")


def fresh_checker(rep: Mapping[str, Any], check_model: Any) -> Any:
    """The fresh check of a report whose evidence came from ``--method
    counting`` runs the same route (the explicit route's evidence differs
    in shape, not in verdict)."""
    if any(isinstance(p, dict) and is_counting_evidence(p) and (p.get("evidence") or {}).get("method") == "counting"
           for p in rep.get("properties", [])):
        import functools

        return functools.partial(check_model, method="counting")
    return check_model
