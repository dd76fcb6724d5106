"""``verigroup replay REPORT.json``: re-check a check report from the spec alone.

For every report in a ``verigroup.check/1`` document:

1. the spec is loaded again (``spec.path`` relative to the current directory,
   else to the report's directory) with the report's parameter values, and its
   hash compared with the recorded one;
2. every counterexample and certificate is re-established *independently of
   the checkers*: payoffs and metrics at each profile named in the evidence
   are recomputed with the scalar reference evaluator
   (:mod:`verigroup.evaluate.scalar`) and compared exactly, and the claimed
   fact is re-derived by small brute-force code here (a deviation is
   profitable by the claimed gain, a coalition's members all gain, an
   equilibrium has zero regret, a term has the stated value, ...);
3. the properties are checked afresh with :func:`verigroup.api.check_model`
   and every verdict, message and evidence field compared with the report.

Any disagreement is a *mismatch* naming the property and the field.  Checks
too large to brute-force (more than :data:`BRUTE_LIMIT` profiles) are
reported as skipped, never as passed.
"""

from __future__ import annotations

import itertools
import json
import math
import operator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from verigroup.diagnostics import SpecError, Span
from verigroup.model.model import Model

REPLAY_SCHEMA = "verigroup.replay/1"
CHECK_SCHEMA = "verigroup.check/1"
BRUTE_LIMIT = 4096  # profiles: brute-force re-counts up to this size
SEARCH_LIMIT = 200_000  # joint deviations examined by a coalition/immunity re-check
SUPPORT_LIMIT = 100_000  # support profiles of a mixed equilibrium

OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
    ">": operator.gt, ">=": operator.ge,
}


# ===================================================================== results


@dataclass(frozen=True)
class Finding:
    """One re-check.  ``status``: ``ok`` (confirmed), ``mismatch`` (the report
    is wrong or the spec changed), ``skipped`` (too large to re-derive)."""

    spec: str
    prop: str | None
    status: str
    check: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"spec": self.spec, "property": self.prop, "status": self.status,
                "check": self.check, "detail": self.detail}


@dataclass(frozen=True)
class ReplayResult:
    report: str
    findings: tuple[Finding, ...]
    ok: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ok", not any(f.status == "mismatch" for f in self.findings))

    @property
    def mismatches(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status == "mismatch")

    def render(self) -> str:
        n_ok = sum(f.status == "ok" for f in self.findings)
        n_skip = sum(f.status == "skipped" for f in self.findings)
        bad = self.mismatches
        head = (f"replay {self.report}: " + ("OK" if self.ok else f"{len(bad)} MISMATCH(ES)")
                + f" ({n_ok} confirmed, {len(bad)} mismatched, {n_skip} skipped)")
        lines = [head]
        spec = None
        order: dict[tuple[str, str | None], int] = {}
        for f in self.findings:
            order.setdefault((f.spec, f.prop), len(order))
        for f in sorted(self.findings, key=lambda f: order[(f.spec, f.prop)]):
            if f.spec != spec:
                spec = f.spec
                lines.append(f"spec {spec}")
            mark = {"ok": "  ok      ", "mismatch": "  MISMATCH", "skipped": "  skipped "}[f.status]
            who = f" \"{f.prop}\"" if f.prop is not None else ""
            lines.append(f"{mark}{who}: {f.check}" + (f": {f.detail}" if f.detail else ""))
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {"schema": REPLAY_SCHEMA, "report": self.report, "ok": self.ok,
                "findings": [f.to_json() for f in self.findings]}


class Mismatch(Exception):
    """A claim in the evidence that does not re-check."""


class Skip(Exception):
    """A re-check that is too large or not applicable here."""


# ================================================================ the oracle


def frac(x: Any, what: str) -> Fraction:
    try:
        return Fraction(str(x))
    except (ValueError, ZeroDivisionError):
        raise Mismatch(f"{what} is not an exact number: {x!r}")


class Oracle:
    """Exact payoffs and metrics of pure profiles via the scalar reference
    evaluator, memoised, plus brute-force helpers over small games."""

    def __init__(self, model: Model, params: Mapping[str, Fraction] | None = None) -> None:
        self.model = model
        self.params = dict(params or {})
        self.names = [a.name for a in model.agents]
        self.index = {a.name: k for k, a in enumerate(model.agents)}
        self._pay: dict[tuple[int, ...], tuple[Fraction, ...]] = {}
        self._met: dict[tuple[int, ...], dict[str, Fraction]] = {}
        self._nash: list[tuple[int, ...]] | None = None

    @property
    def n(self) -> int:
        return len(self.model.agents)

    def actions(self, k: int) -> tuple[str, ...]:
        return self.model.agents[k].actions

    # ---------------------------------------------------------- profiles
    def agent(self, name: Any) -> int:
        if name not in self.index:
            raise Mismatch(f"no agent {name!r} in the spec")
        return self.index[name]

    def action(self, k: int, act: Any) -> int:
        if act not in self.actions(k):
            raise Mismatch(f"{self.names[k]} has no action {act!r}")
        return self.actions(k).index(act)

    def profile(self, names: Any) -> tuple[int, ...]:
        if not isinstance(names, dict) or set(names) != set(self.names):
            raise Mismatch(f"profile {names!r} does not name exactly the agents {self.names}")
        return tuple(self.action(k, names[a]) for k, a in enumerate(self.names))

    def apply(self, prof: tuple[int, ...], deviation: Any) -> tuple[int, ...]:
        if not isinstance(deviation, dict) or not deviation:
            raise Mismatch(f"deviation {deviation!r} is not a non-empty {{agent: action}} map")
        p = list(prof)
        for a, act in deviation.items():
            k = self.agent(a)
            p[k] = self.action(k, act)
        return tuple(p)

    def label(self, prof: Sequence[int]) -> str:
        return "{" + ", ".join(f"{a}: {self.actions(k)[i]}" for k, (a, i) in
                               enumerate(zip(self.names, prof))) + "}"

    # ------------------------------------------------------------ values
    def payoffs(self, prof: tuple[int, ...]) -> tuple[Fraction, ...]:
        if prof not in self._pay:
            from verigroup.evaluate.scalar import payoffs_at

            self._pay[prof] = payoffs_at(self.model, prof, self.params or None)
        return self._pay[prof]

    def metrics(self, prof: tuple[int, ...]) -> dict[str, Fraction]:
        if prof not in self._met:
            from verigroup.evaluate.scalar import metrics_at

            self._met[prof] = metrics_at(self.model, prof, self.params or None)
        return self._met[prof]

    def u(self, k: int, prof: tuple[int, ...]) -> Fraction:
        return self.payoffs(prof)[k]

    def pay(self, k: int) -> Callable[[tuple[int, ...]], Fraction]:
        """Agent ``k``'s payoff as a function of the profile."""
        return lambda prof: self.u(k, prof)

    def condition(self, expr: Any, prof: tuple[int, ...]) -> Any:
        from verigroup.evaluate.scalar import evaluate_expr_at

        return evaluate_expr_at(self.model, expr, prof, None, self.params or None)

    # ------------------------------------------------------- brute force
    def small(self) -> bool:
        return self.model.num_profiles <= BRUTE_LIMIT

    def require_small(self, what: str) -> None:
        if not self.small():
            raise Skip(f"{what}: the game has {self.model.num_profiles:,} profiles "
                       f"(brute-force limit {BRUTE_LIMIT:,})")

    def all_profiles(self) -> Iterator[tuple[int, ...]]:
        return itertools.product(*(range(len(a.actions)) for a in self.model.agents))

    def better_reply(self, prof: tuple[int, ...]) -> tuple[int, int, Fraction] | None:
        """(agent, action, gain) of the first profitable unilateral deviation."""
        for k in range(self.n):
            cur = self.u(k, prof)
            for b in range(len(self.actions(k))):
                alt = prof[:k] + (b,) + prof[k + 1:]
                if self.u(k, alt) > cur:
                    return k, b, self.u(k, alt) - cur
        return None

    def pure_nash(self) -> list[tuple[int, ...]]:
        self.require_small("re-counting pure equilibria")
        if self._nash is None:
            self._nash = [p for p in self.all_profiles() if self.better_reply(p) is None]
        return self._nash

    def metric_values(self, metric: str) -> list[tuple[Fraction, tuple[int, ...]]]:
        self.require_small(f"re-computing the range of {metric}")
        return [(self.metrics(p)[metric], p) for p in self.all_profiles()]

    # ------------------------------------------------- mixed & correlated
    def mixed(self, strategies: Any) -> list[list[tuple[int, Fraction]]]:
        if not isinstance(strategies, dict) or set(strategies) != set(self.names):
            raise Mismatch(f"strategies {strategies!r} do not cover exactly the agents {self.names}")
        out = []
        for k, a in enumerate(self.names):
            s = strategies[a]
            if not isinstance(s, dict) or not s:
                raise Mismatch(f"{a}'s strategy {s!r} is empty")
            pairs = [(self.action(k, act), frac(p, f"{a}'s probability of {act}")) for act, p in s.items()]
            if any(p < 0 for _, p in pairs) or sum(p for _, p in pairs) != 1:
                raise Mismatch(f"{a}'s probabilities {s} are not a distribution (they sum to "
                               f"{_q(sum((p for _, p in pairs), Fraction(0)))})")
            out.append([(i, p) for i, p in pairs if p != 0])
        if math.prod(len(s) for s in out) > SUPPORT_LIMIT:
            raise Skip("the support of the mixed profile is too large to enumerate")
        return out

    def expect_mixed(self, mix: list[list[tuple[int, Fraction]]],
                     fn: Callable[[tuple[int, ...]], Fraction]) -> Fraction:
        total = Fraction(0)
        for combo in itertools.product(*mix):
            pr = Fraction(1)
            for _, p in combo:
                pr *= p
            total += pr * fn(tuple(i for i, _ in combo))
        return total

    def mixed_regret(self, mix: list[list[tuple[int, Fraction]]]) -> tuple[Fraction, str]:
        """Largest gain of a pure deviation against the mixed profile."""
        worst, where = Fraction(0), ""
        for k in range(self.n):
            cur = self.expect_mixed(mix, self.pay(k))
            for b in range(len(self.actions(k))):
                alt = mix[:k] + [[(b, Fraction(1))]] + mix[k + 1:]
                gain = self.expect_mixed(alt, self.pay(k)) - cur
                if gain > worst:
                    worst, where = gain, f"{self.names[k]} switching to {self.actions(k)[b]} gains {_q(gain)}"
        return worst, where

    def distribution(self, dist: Any) -> list[tuple[tuple[int, ...], Fraction]]:
        if not isinstance(dist, list) or not dist:
            raise Mismatch("the distribution is not a non-empty list")
        out = [(self.profile(d.get("profile")), frac(d.get("probability"), "a probability"))
               for d in dist]
        if any(p < 0 for _, p in out) or sum(p for _, p in out) != 1:
            raise Mismatch("the distribution's probabilities are not a distribution")
        return out

    def correlated_violation(self, dist: list[tuple[tuple[int, ...], Fraction]],
                             coarse: bool) -> str | None:
        """The first broken obedience (CE) / participation (CCE) constraint."""
        for k in range(self.n):
            recs = sorted({s[k] for s, _ in dist}) if not coarse else [None]
            for a in recs:
                part = [(s, p) for s, p in dist if a is None or s[k] == a]
                for b in range(len(self.actions(k))):
                    gain = sum((p * (self.u(k, s[:k] + (b,) + s[k + 1:]) - self.u(k, s)) for s, p in part),
                               Fraction(0))
                    if gain > 0:
                        told = "" if a is None else f" when told {self.actions(k)[a]}"
                        return f"{self.names[k]} gains {_q(gain)} by playing {self.actions(k)[b]}{told}"
        return None


def _q(x: Fraction) -> str:
    from verigroup.verdicts import q

    return q(x)


def same(what: str, claimed: Any, value: Fraction) -> None:
    if frac(claimed, what) != value:
        raise Mismatch(f"{what}: the report says {claimed}, recomputed {_q(value)}")


def compare_values(oracle: Oracle, where: str, claimed: Any, values: Mapping[str, Fraction]) -> None:
    if not isinstance(claimed, dict):
        raise Mismatch(f"{where} is not a map")
    for name, v in claimed.items():
        if name not in values:
            raise Mismatch(f"{where}: {name!r} is not known to the spec")
        same(f"{where}.{name}", v, values[name])


def pay_map(oracle: Oracle, prof: tuple[int, ...]) -> dict[str, Fraction]:
    return dict(zip(oracle.names, oracle.payoffs(prof)))


# ================================================================ term values

Point = list[tuple[tuple[int, ...], Fraction]]


class TermEval:
    """Property terms recomputed from the oracle: a point is a list of
    (pure profile, probability) pairs; whole-set terms (best/worst
    equilibrium, prices, counts) by brute force over pure equilibria only."""

    def __init__(self, oracle: Oracle) -> None:
        self.o = oracle

    def point(self, d: Any) -> Point:
        if not isinstance(d, dict):
            raise Mismatch(f"equilibrium record {d!r} is not a map")
        if "distribution" in d:
            return self.o.distribution(d["distribution"])
        if "strategies" in d:
            if d.get("concept") == "spe":
                raise Skip("property terms over SPE are re-checked by the fresh run only")
            mix = self.o.mixed(d["strategies"])
            out: Point = []
            for combo in itertools.product(*mix):
                pr = Fraction(1)
                for _, p in combo:
                    pr *= p
                out.append((tuple(i for i, _ in combo), pr))
            return out
        if "profile" in d:
            return [(self.o.profile(d["profile"]), Fraction(1))]
        raise Mismatch("the equilibrium record names neither strategies, a distribution nor a profile")

    def expect(self, pt: Point, fn: Callable[[tuple[int, ...]], Fraction]) -> Fraction:
        return sum((p * fn(s) for s, p in pt), Fraction(0))

    def pure_set(self, concept: Any) -> list[tuple[int, ...]]:
        from verigroup.model.properties import Concept

        if concept is not Concept.PURE_NASH:
            raise Skip(f"{concept.value} equilibrium sets are re-checked by the fresh run only")
        return self.o.pure_nash()

    def metric(self, name: str) -> Any:
        m = self.o.model.metrics.get(name)
        if m is None:
            raise Mismatch(f"no metric {name!r} in the spec")
        return m

    def num(self, t: Any, env: dict[str, Point]) -> Fraction:
        v = self.ev(t, env)
        if isinstance(v, bool):
            raise Mismatch("a term expected to be a number is a condition")
        return v

    def ev(self, t: Any, env: dict[str, Point]) -> Fraction | bool:  # noqa: C901 - one case per node
        from verigroup.model import expr as E
        from verigroup.model import properties as P

        if isinstance(t, E.Num):
            return Fraction(t.value)
        if isinstance(t, E.BoolConst):
            return bool(t.value)
        if isinstance(t, E.ParamRef):
            return Fraction(self.o.params.get(t.name, self.o.model.params[t.name].value))
        if isinstance(t, E.Neg):
            return -self.num(t.operand, env)
        if isinstance(t, E.Not):
            return not self.ev(t.operand, env)
        if isinstance(t, E.Arith):
            x, y = self.num(t.left, env), self.num(t.right, env)
            if t.op == "^":
                return x ** int(y)
            if t.op == "/" and y == 0:
                raise Skip("division by zero in the property")
            return {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[t.op](x, y)
        if isinstance(t, E.Compare):
            return OPS[t.op](self.ev(t.left, env), self.ev(t.right, env))
        if isinstance(t, E.Logic):
            a = bool(self.ev(t.left, env))
            return (a and bool(self.ev(t.right, env))) if t.op == "and" else (a or bool(self.ev(t.right, env)))
        if isinstance(t, E.Cond):
            return self.ev(t.then, env) if self.ev(t.cond, env) else self.ev(t.otherwise, env)
        if isinstance(t, E.Call):
            vals = [self.num(a, env) for a in t.args]
            return abs(vals[0]) if t.fn == "abs" else (min(vals) if t.fn == "min" else max(vals))
        if isinstance(t, P.MetricAt):
            self.metric(t.metric)
            return self.expect(env[t.var], lambda s: self.o.metrics(s)[t.metric])
        if isinstance(t, P.PayoffAt):
            idx = None if t.agent.index is None else int(self.num(t.agent.index, env))
            k = self.o.model.agent_index(t.agent.family, idx)
            if k is None:
                raise Mismatch(f"no agent {t.agent.family}[{idx}]")
            return self.expect(env[t.var], lambda s: self.o.u(k, s))
        if isinstance(t, P.MetricExtreme):
            vals = [v for v, _ in self.o.metric_values(t.metric)]
            return max(vals) if t.which == "max" else min(vals)
        if isinstance(t, P.EquilibriumCount):
            return Fraction(len(self.pure_set(t.concept)))
        if isinstance(t, P.EquilibriumValue):
            return self.eq_value(t.metric, t.which, t.concept)
        if isinstance(t, P.PriceOf):
            sense = self.metric(t.metric).sense
            vals = [v for v, _ in self.o.metric_values(t.metric)]
            opt = max(vals) if sense == "maximize" else min(vals)
            eq = self.eq_value(t.metric, "worst" if t.which == "anarchy" else "best", t.concept)
            num, den = (opt, eq) if sense == "maximize" else (eq, opt)
            if den == 0 or (num > 0 > den) or (num < 0 < den):
                raise Skip("the price is undefined")
            return num / den
        raise Skip(f"{type(t).__name__} terms are re-checked by the fresh run only")

    def eq_value(self, metric: str, which: str, concept: Any) -> Fraction:
        sense = self.metric(metric).sense
        vals = [self.o.metrics(s)[metric] for s in self.pure_set(concept)]
        if not vals:
            raise Skip("the game has no pure equilibrium")
        return max(vals) if (which == "best") == (sense == "maximize") else min(vals)


# ============================================================ per-property work


class EvidenceChecker:
    """Re-establish one property result's evidence from the spec alone."""

    def __init__(self, oracle: Oracle, prop: Any, result: dict[str, Any], spec: str) -> None:
        self.prop = prop
        self.res = result
        self.spec = spec
        ev = result.get("evidence")
        self.ev: dict[str, Any] = ev if isinstance(ev, dict) else {}
        self.verdict = result.get("verdict")
        params = self.ev.get("params")
        if isinstance(params, dict) and params:
            try:
                vals = {str(k): frac(v, f"parameter {k}") for k, v in params.items()}
            except Mismatch:
                vals = {}
            self.o = Oracle(oracle.model, vals)
        else:
            self.o = oracle
        self.terms = TermEval(self.o)
        self.values_checked = 0
        self.equilibria_checked = 0

    # ------------------------------------------------------------ driver
    def run(self) -> list[Finding]:
        out: list[Finding] = []
        name = self.res.get("name")
        kind = self.res.get("kind")
        if kind != type(self.prop).__name__:
            out.append(Finding(self.spec, name, "mismatch", "property kind",
                               f"the report says {kind}, the spec declares {type(self.prop).__name__}"))
        if self.verdict not in ("HOLDS", "VIOLATED", "UNKNOWN"):
            out.append(Finding(self.spec, name, "mismatch", "verdict", f"{self.verdict!r} is not a verdict"))
            return out
        if self.verdict == "UNKNOWN":
            return out
        what = "counterexample" if self.verdict == "VIOLATED" else "certificate"
        steps: list[tuple[str, Callable[[], str | None]]] = [
            (f"values in the {what}", self.values),
            (f"{what} ({self.ev.get('kind') or self.ev.get('method') or 'evidence'})", self.fact),
        ]
        for label, fn in steps:
            try:
                detail = fn()
                if detail is not None:
                    out.append(Finding(self.spec, name, "ok", label, detail))
            except Mismatch as exc:
                out.append(Finding(self.spec, name, "mismatch", label, str(exc)))
            except Skip as exc:
                out.append(Finding(self.spec, name, "skipped", label, str(exc)))
            except SpecError as exc:
                out.append(Finding(self.spec, name, "mismatch", label,
                                   "the spec cannot evaluate the evidence: " + exc.render()))
            except (KeyError, TypeError, ValueError, IndexError, AttributeError) as exc:
                out.append(Finding(self.spec, name, "mismatch", label,
                                   f"malformed evidence ({type(exc).__name__}: {exc})"))
        return out

    # ---------------------------------------------------- generic values
    def values(self) -> str | None:
        self.walk(self.ev, "evidence")
        if not self.values_checked and not self.equilibria_checked:
            return None
        eq = (f", {self.equilibria_checked} equilibrium record(s) re-verified exactly"
              if self.equilibria_checked else "")
        return f"{self.values_checked} payoff/metric values recomputed by the scalar evaluator{eq}"

    def cmp(self, where: str, claimed: Any, values: Mapping[str, Fraction]) -> None:
        compare_values(self.o, where, claimed, values)
        self.values_checked += len(claimed)

    def walk(self, d: Any, path: str) -> None:
        if isinstance(d, list):
            for i, x in enumerate(d):
                self.walk(x, f"{path}[{i}]")
            return
        if not isinstance(d, dict):
            return
        if "strategies" in d or "distribution" in d:
            self.equilibrium(d, path)
        elif isinstance(d.get("profile"), dict):
            prof = self.o.profile(d["profile"])
            base = prof
            if isinstance(d.get("adversary_deviation"), dict) and d["adversary_deviation"]:
                base = self.o.apply(prof, d["adversary_deviation"])
            if "payoffs" in d:
                self.cmp(f"{path}.payoffs", d["payoffs"], pay_map(self.o, prof))
            if "metrics" in d:
                self.cmp(f"{path}.metrics", d["metrics"], self.o.metrics(prof))
            if "payoffs_before" in d:
                self.cmp(f"{path}.payoffs_before", d["payoffs_before"], pay_map(self.o, base))
            if isinstance(d.get("deviated_profile"), dict):
                dp = self.o.profile(d["deviated_profile"])
                if "payoffs_after" in d:
                    self.cmp(f"{path}.payoffs_after", d["payoffs_after"], pay_map(self.o, dp))
                if "metrics_after" in d:
                    self.cmp(f"{path}.metrics_after", d["metrics_after"], self.o.metrics(dp))
            if isinstance(d.get("dominating_profile"), dict):
                dom = self.o.profile(d["dominating_profile"])
                if "dominating_payoffs" in d:
                    self.cmp(f"{path}.dominating_payoffs", d["dominating_payoffs"], pay_map(self.o, dom))
        for key in ("equilibrium", "witness", "witnesses", "equilibria", "deviations", "checked"):
            if isinstance(d.get(key), (dict, list)):
                self.walk(d[key], f"{path}.{key}")

    def equilibrium(self, d: dict[str, Any], path: str) -> None:
        """An equilibrium record: recompute its expectations and confirm it is
        an equilibrium of its concept (exact regret 0, or the stated epsilon)."""
        concept = d.get("concept")
        self.equilibria_checked += 1
        if concept == "spe":
            self.spe(d, path)
            return
        if "distribution" in d:
            dist = self.o.distribution(d["distribution"])
            exp = lambda fn: sum((p * fn(s) for s, p in dist), Fraction(0))  # noqa: E731
            bad = self.o.correlated_violation(dist, coarse=concept == "coarse_correlated")
            if bad is not None and concept in ("correlated", "coarse_correlated"):
                raise Mismatch(f"{path} is not a {concept} equilibrium: {bad}")
        else:
            mix = self.o.mixed(d["strategies"])
            exp = lambda fn: self.o.expect_mixed(mix, fn)  # noqa: E731
            regret, where = self.o.mixed_regret(mix)
            if d.get("exact", True) is not False and regret > 0:
                raise Mismatch(f"{path} is not an equilibrium: {where}")
            if d.get("exact", True) is False:
                same(f"{path}.epsilon", d.get("epsilon"), regret)
        if isinstance(d.get("payoffs"), dict):
            self.cmp(f"{path}.payoffs", d["payoffs"],
                     {a: exp(lambda s, k=k: self.o.u(k, s)) for k, a in enumerate(self.o.names)})
        if isinstance(d.get("metrics"), dict):
            self.cmp(f"{path}.metrics", d["metrics"],
                     {m: exp(lambda s, m=m: self.o.metrics(s)[m]) for m in self.o.model.metrics})

    def spe(self, d: dict[str, Any], path: str) -> None:
        tree = self.o.model.protocol
        if tree is None:
            raise Mismatch(f"{path}: a subgame-perfect equilibrium of a spec without a protocol")
        from verigroup.extensive.profile import StrategyProfile, expected_payoffs, is_spe

        prof = StrategyProfile.from_json(tree, d["strategies"])
        if not is_spe(tree, prof):
            raise Mismatch(f"{path}: the strategies are not a subgame-perfect equilibrium")
        vals = dict(zip(tree.players, expected_payoffs(tree, prof)))
        if isinstance(d.get("payoffs"), dict):
            self.cmp(f"{path}.payoffs", d["payoffs"], vals)

    # ---------------------------------------------------------- the fact
    def fact(self) -> str | None:
        fn = getattr(self, "fact_" + type(self.prop).__name__, None)
        if fn is None:
            if self.ev.get("kind") == "play":
                return self.play()
            raise Skip(f"no independent re-check for {type(self.prop).__name__}; the fresh run covers it")
        return fn()  # type: ignore[no-any-return]

    def own_profile(self) -> tuple[int, ...]:
        """The evidence's profile, which must be the property's own."""
        want = tuple(self.prop.profile.actions)
        if "profile" not in self.ev and self.verdict == "HOLDS":  # certificates may omit it
            return tuple(self.o.action(k, a) for k, a in enumerate(want))
        prof = self.o.profile(self.ev.get("profile"))
        got = tuple(self.o.actions(k)[i] for k, i in enumerate(prof))
        if got != want:
            raise Mismatch(f"the evidence is about {self.o.label(prof)}, the property about "
                           f"{{{', '.join(f'{a}: {x}' for a, x in zip(self.o.names, want))}}}")
        return prof

    def deviation(self, d: dict[str, Any]) -> str:
        prof = self.o.profile(d["profile"])
        k = self.o.agent(d["agent"])
        act = d.get("deviation", d.get("better_action"))
        alt = prof[:k] + (self.o.action(k, act),) + prof[k + 1:]
        cur, new = self.o.u(k, prof), self.o.u(k, alt)
        if "payoff" in d:
            same(f"{d['agent']}'s payoff at {self.o.label(prof)}", d["payoff"], cur)
        if "deviation_payoff" in d:
            same(f"{d['agent']}'s payoff after switching to {act}", d["deviation_payoff"], new)
        if "gain" in d:
            same(f"{d['agent']}'s gain from switching to {act}", d["gain"], new - cur)
        if new <= cur:
            raise Mismatch(f"{d['agent']} does not gain by switching to {act} ({_q(cur)} -> {_q(new)})")
        for a2, v in (d.get("best_responses") or {}).items():
            b = self.o.action(k, a2)
            same(f"best_responses.{a2}", v, self.o.u(k, prof[:k] + (b,) + prof[k + 1:]))
        return f"{d['agent']} gains {_q(new - cur)} by switching to {act} at {self.o.label(prof)}"

    def is_nash(self, prof: tuple[int, ...], what: str) -> None:
        br = self.o.better_reply(prof)
        if br is not None:
            k, b, gain = br
            raise Mismatch(f"{what} {self.o.label(prof)} is not a pure equilibrium: {self.o.names[k]} "
                           f"gains {_q(gain)} by switching to {self.o.actions(k)[b]}")

    # --- pure-profile properties
    def fact_IsEquilibrium(self) -> str:
        prof = self.own_profile()
        if self.verdict == "VIOLATED":
            return self.deviation(self.ev)
        self.is_nash(prof, "the profile")
        return f"no agent gains by deviating alone from {self.o.label(prof)} (re-checked)"

    def fact_Dominant(self) -> str:
        from verigroup.model.properties import Strength

        strict = self.prop.strength is Strength.STRICT
        if self.verdict == "VIOLATED":
            k = self.o.agent(self.ev["agent"])
            if k not in self.prop.agents or self.ev.get("action") != self.prop.action:
                raise Mismatch("the counterexample is about another agent or action than the property")
            a, b = self.o.action(k, self.ev["action"]), self.o.action(k, self.ev["competitor"])
            if "opponents" in self.ev:
                opp = dict(self.ev["opponents"])
                opp[self.ev["agent"]] = self.ev["action"]
                prof = self.o.profile(opp)
                pa, pb = prof[:k] + (a,) + prof[k + 1:], prof[:k] + (b,) + prof[k + 1:]
                ua, ub = self.o.u(k, pa), self.o.u(k, pb)
                for key in ("payoff", "payoff_action"):
                    if key in self.ev:
                        same(f"{key} of {self.ev['action']}", self.ev[key], ua)
                for key in ("competitor_payoff", "payoff_competitor"):
                    if key in self.ev:
                        same(f"{key} of {self.ev['competitor']}", self.ev[key], ub)
                if (ua > ub) if strict else (ua >= ub):
                    raise Mismatch(f"{self.ev['action']} ({_q(ua)}) is not worse than {self.ev['competitor']} "
                                   f"({_q(ub)}) at {self.o.label(prof)}")
                return (f"for {self.ev['agent']}, {self.ev['action']} gets {_q(ua)} and "
                        f"{self.ev['competitor']} {_q(ub)} at {self.o.label(prof)}")
            self.o.require_small("re-checking a tie everywhere")
            for prof in self.o.all_profiles():
                if prof[k] == a and self.o.u(k, prof) > self.o.u(k, prof[:k] + (b,) + prof[k + 1:]):
                    raise Mismatch(f"{self.ev['action']} is strictly better than {self.ev['competitor']} "
                                   f"at {self.o.label(prof)}")
            return f"{self.ev['action']} is never strictly better than {self.ev['competitor']} (brute force)"
        self.o.require_small("re-checking dominance")
        for k in self.prop.agents:
            a = self.o.action(k, self.prop.action)
            for b in range(len(self.o.actions(k))):
                if b == a:
                    continue
                some = False
                for prof in self.o.all_profiles():
                    if prof[k] != a:
                        continue
                    ua, ub = self.o.u(k, prof), self.o.u(k, prof[:k] + (b,) + prof[k + 1:])
                    if ua < ub or (strict and ua == ub):
                        raise Mismatch(f"{self.prop.action} is not dominant for {self.o.names[k]}: "
                                       f"{self.o.actions(k)[b]} does at least as well at {self.o.label(prof)}")
                    some = some or ua > ub
                if not some:
                    raise Mismatch(f"{self.prop.action} is never strictly better than {self.o.actions(k)[b]} "
                                   f"for {self.o.names[k]}")
        return f"{self.prop.action} is dominant for {len(self.prop.agents)} agent(s) (brute force)"

    # --- equilibrium sets
    def pure_concept(self) -> bool:
        from verigroup.model.properties import Concept

        return getattr(self.prop, "concept", None) is Concept.PURE_NASH

    def count_pure(self, claimed: Any) -> str:
        n = len(self.o.pure_nash())
        if claimed is not None and claimed != n:
            raise Mismatch(f"the report counts {claimed} pure equilibria, brute force finds {n}")
        return f"{n} pure equilibria (brute force)"

    def record_points(self, items: Any) -> list[tuple[int, ...]]:
        """Pure profiles of z3-style records (profile, payoffs, metrics), each a NE."""
        out = []
        for r in items if isinstance(items, list) else [items]:
            if isinstance(r, dict) and "profile" in r and "strategies" not in r:
                prof = self.o.profile(r["profile"])
                self.is_nash(prof, "the witness")
                out.append(prof)
        return out

    def fact_Existence(self) -> str:
        kind = self.ev.get("kind")
        if self.verdict == "VIOLATED":
            if kind in ("nonexistence", "no_equilibrium"):
                if not self.pure_concept():
                    raise Skip("non-existence of a mixed/correlated equilibrium cannot be re-counted")
                return self.count_pure(0)
            if kind in ("multiplicity", "two_equilibria"):
                if self.ev.get("components_infinite"):
                    raise Skip("infinitely many equilibria: re-checked by the fresh run")
                items = self.ev.get("witnesses", self.ev.get("equilibria"))
                self.record_points(items)
                if not isinstance(items, list) or len({json.dumps(x, sort_keys=True) for x in items}) < 2:
                    raise Mismatch("the counterexample does not show two different equilibria")
                if self.pure_concept() and self.o.small():
                    n = self.count_pure(self.ev.get("equilibria") if isinstance(self.ev.get("equilibria"), int)
                                        else None)
                    if len(self.o.pure_nash()) < 2:
                        raise Mismatch(f"{n}: not multiple")
                return "two different equilibria confirmed"
            raise Skip(f"unrecognised counterexample kind {kind!r}")
        if "witness" in self.ev:
            self.record_points(self.ev["witness"])
        if self.pure_concept() and self.o.small():
            claimed = self.ev.get("equilibria") if isinstance(self.ev.get("equilibria"), int) else None
            msg = self.count_pure(claimed)
            found = len(self.o.pure_nash())
            if found == 0 or (self.prop.unique and found != 1):
                raise Mismatch(f"brute force finds {found} pure equilibria")
            return msg
        return "witness confirmed" if "witness" in self.ev else str(self.ev.get("method", "certificate"))

    # --- terms
    def sides(self, env: dict[str, Point]) -> tuple[bool, str]:
        body = self.prop.body
        value = self.terms.ev(body, env)
        sides = self.ev.get("sides") if "sides" in self.ev else None
        from verigroup.model.expr import Compare

        detail = f"the property body is {str(bool(value)).lower()}"
        if isinstance(body, Compare):
            left, right = self.terms.ev(body.left, env), self.terms.ev(body.right, env)
            detail = f"{_fmt(left)} {body.op} {_fmt(right)} is {str(bool(value)).lower()}"
            if isinstance(sides, dict) and sides:
                for key, v in (("left", left), ("right", right)):
                    if key in sides and not isinstance(v, bool):
                        same(f"sides.{key}", sides[key], v)
        return bool(value), detail

    def check_terms(self) -> None:
        import re

        for key, info in (self.ev.get("terms") or {}).items():
            m = re.fullmatch(r"(max|min)\((.+)\)", key)
            if m and isinstance(info, dict):
                vals = self.o.metric_values(m.group(2))
                best = max(v for v, _ in vals) if m.group(1) == "max" else min(v for v, _ in vals)
                same(f"terms.{key}", info.get("value"), best)
                if isinstance(info.get("profile"), dict):
                    same(f"terms.{key} at its profile", info["value"],
                         self.o.metrics(self.o.profile(info["profile"]))[m.group(2)])
            if key == "count(pure_nash)" and isinstance(info, dict):
                self.count_pure(info.get("value"))

    def fact_Claim(self) -> str:
        try:
            self.check_terms()
        except Skip:
            pass
        ok, detail = self.sides({})
        if ok != (self.verdict == "HOLDS"):
            raise Mismatch(f"recomputed: {detail}, but the verdict is {self.verdict}")
        return detail

    def fact_Quantified(self) -> str:
        from verigroup.model.properties import Quantifier

        every = self.prop.quantifier is Quantifier.EVERY
        var = self.prop.var
        try:
            self.check_terms()
        except Skip:
            pass
        kind = self.ev.get("kind")
        if self.verdict == "VIOLATED" and kind == "equilibrium":
            pt_rec = self.ev.get("equilibrium") or {"profile": self.ev.get("profile")}
            if self.ev.get("concept") not in (None, self.prop.concept.value):
                raise Mismatch(f"the counterexample is a {self.ev.get('concept')} equilibrium, the property "
                               f"quantifies over {self.prop.concept.value}")
            if "equilibrium" not in self.ev:
                self.record_points(self.ev)
            ok, detail = self.sides({var: self.terms.point(pt_rec)})
            if ok:
                raise Mismatch(f"at the counterexample equilibrium {detail}")
            return "at the counterexample equilibrium " + detail
        if self.verdict == "HOLDS" and not every:
            w = self.ev.get("witness") or {}
            rec = w.get("equilibrium") or w
            if "equilibrium" not in w:
                self.record_points(w)
            ok, detail = self.sides({var: self.terms.point(rec)})
            if not ok:
                raise Mismatch(f"at the witness {detail}")
            return "at the witness " + detail
        # every (HOLDS) / some (VIOLATED: no witness): every equilibrium, by brute force
        if not self.pure_concept():
            raise Skip(f"{self.prop.concept.value} equilibria cannot be enumerated independently; "
                       "the fresh run covers it")
        eqs = self.o.pure_nash()
        if isinstance(self.ev.get("equilibria"), int):
            self.count_pure(self.ev["equilibria"])
        for prof in eqs:
            ok, detail = self.sides({var: [(prof, Fraction(1))]})
            if ok != every:
                raise Mismatch(f"at the equilibrium {self.o.label(prof)} {detail}")
        return f"the body is {'true' if every else 'false'} at all {len(eqs)} pure equilibria (brute force)"

    # --- efficiency
    def fact_ParetoEfficient(self) -> str:
        if self.verdict == "VIOLATED":
            pt = self.terms.point(self.ev["equilibrium"])
            vals = [self.terms.expect(pt, self.o.pay(k)) for k in range(self.o.n)]
            dom = self.o.payoffs(self.o.profile(self.ev["dominating_profile"]))
            if not (all(x >= y for x, y in zip(dom, vals)) and any(x > y for x, y in zip(dom, vals))):
                raise Mismatch(f"{self.ev['dominating_profile']} does not Pareto-dominate the equilibrium")
            return "the dominating profile makes nobody worse off and somebody better off (recomputed)"
        if not self.pure_concept():
            raise Skip("mixed/correlated efficiency certificates are re-checked by the fresh run")
        eqs = self.o.pure_nash()
        for prof in eqs:
            mine = self.o.payoffs(prof)
            for other in self.o.all_profiles():
                alt = self.o.payoffs(other)
                if all(x >= y for x, y in zip(alt, mine)) and alt != mine:
                    raise Mismatch(f"the equilibrium {self.o.label(prof)} is Pareto-dominated by "
                                   f"{self.o.label(other)}")
        return f"all {len(eqs)} pure equilibria are Pareto efficient (brute force)"

    def fact_OptimumIsEquilibrium(self) -> str:
        metric = self.prop.metric
        sense = self.terms.metric(metric).sense
        if self.verdict == "HOLDS":
            prof = self.o.profile(self.ev["profile"])
            self.is_nash(prof, "the optimal profile")
            same(f"{metric} at the profile", self.ev["value"], self.o.metrics(prof)[metric])
        vals = self.o.metric_values(metric)
        best = (max if sense == "maximize" else min)(v for v, _ in vals)
        same(f"the optimal {metric}", self.ev["value"], best)
        if self.verdict == "HOLDS":
            return f"an optimal profile ({metric} = {_q(best)}) is a pure equilibrium (brute force)"
        where = [p for v, p in vals if v == best]
        if self.ev.get("optima") != len(where):
            raise Mismatch(f"the report counts {self.ev.get('optima')} optimal profiles, brute force finds "
                           f"{len(where)}")
        for p in where:
            if self.o.better_reply(p) is None:
                raise Mismatch(f"the optimal profile {self.o.label(p)} is an equilibrium")
        for d in self.ev.get("deviations") or []:
            if self.o.profile(d["profile"]) not in where:
                raise Mismatch(f"{d['profile']} is not an optimal profile")
            self.deviation(d)
        return f"none of the {len(where)} optimal profile(s) is an equilibrium (brute force)"

    def fact_IndividuallyRational(self) -> str:
        outside = {k: self.o.condition(e, tuple(0 for _ in self.o.names)) for k, e in self.prop.outside}
        if self.verdict == "VIOLATED":
            k = self.o.agent(self.ev["agent"])
            same("outside_option", self.ev["outside_option"], outside[k])
            if "profile" in self.ev and "equilibrium" not in self.ev:
                if self.prop.profile is not None:
                    self.own_profile()
                got = self.o.u(k, self.o.profile(self.ev["profile"]))
            else:
                got = self.terms.expect(self.terms.point(self.ev["equilibrium"]), lambda s: self.o.u(k, s))
            same(f"{self.ev['agent']}'s payoff", self.ev["payoff"], got)
            if got >= outside[k]:
                raise Mismatch(f"{self.ev['agent']} gets {_q(got)}, not below its outside option {_q(outside[k])}")
            return f"{self.ev['agent']} gets {_q(got)} < {_q(outside[k])} (recomputed)"
        profs = [self.own_profile()] if self.prop.profile is not None else (
            self.o.pure_nash() if self.pure_concept() else None)
        if profs is None:
            raise Skip("mixed/correlated certificates are re-checked by the fresh run")
        for p in profs:
            for k, v in outside.items():
                if self.o.u(k, p) < v:
                    raise Mismatch(f"{self.o.names[k]} gets {_q(self.o.u(k, p))} < {_q(v)} at {self.o.label(p)}")
        return f"every agent gets its outside option at {len(profs)} profile(s) (recomputed)"

    # --- coalitions and adversaries
    def joint(self, members: Sequence[int]) -> Iterator[tuple[int, ...]]:
        return itertools.product(*(range(len(self.o.actions(j))) for j in members))

    def bound(self, sizes: int, what: str) -> None:
        self.o.require_small(what)
        total = sum(math.prod(len(self.o.actions(j)) for j in c)
                    for s in range(1, min(sizes, self.o.n) + 1)
                    for c in itertools.combinations(range(self.o.n), s))
        if total > SEARCH_LIMIT:
            raise Skip(f"{what}: {total:,} joint deviations (limit {SEARCH_LIMIT:,})")

    def coalition_claim(self, base: tuple[int, ...], weak: bool) -> tuple[list[int], tuple[int, ...]]:
        members = [self.o.agent(a) for a in self.ev["coalition"]]
        dev = self.ev["deviation"]
        if set(dev) != set(self.ev["coalition"]):
            raise Mismatch("the deviation does not move exactly the coalition's members")
        after = self.o.apply(base, dev)
        if "deviated_profile" in self.ev and self.o.profile(self.ev["deviated_profile"]) != after:
            raise Mismatch("deviated_profile is not the profile with the deviation applied")
        return members, after

    def fact_CoalitionStable(self) -> str:
        prof = self.own_profile()
        n = self.o.n
        k = n if self.prop.kind in ("strong", "coalition_proof") else min(int(self.prop.k or n), n)
        if self.verdict == "VIOLATED":
            members, after = self.coalition_claim(prof, self.prop.weak)
            if len(members) > k:
                raise Mismatch(f"the coalition has {len(members)} members; at most {k} may deviate")
            gains = {self.o.names[j]: self.o.u(j, after) - self.o.u(j, prof) for j in members}
            for a, g in (self.ev.get("gains") or {}).items():
                if a not in gains:
                    raise Mismatch(f"gains name {a}, who is not in the coalition")
                same(f"{a}'s gain", g, gains[a])
            ok = (all(g >= 0 for g in gains.values()) and any(g > 0 for g in gains.values())) if self.prop.weak \
                else all(g > 0 for g in gains.values())
            if not ok:
                raise Mismatch(f"not every coalition member gains: {({a: _q(g) for a, g in gains.items()})}")
            note = " (self-enforcement is re-checked by the fresh run)" if self.prop.kind == "coalition_proof" else ""
            return ("coalition " + ", ".join(gains) + " gains " + ", ".join(_q(g) for g in gains.values())
                    + " by deviating jointly (recomputed)" + note)
        if self.prop.kind == "coalition_proof":
            raise Skip("coalition-proofness certificates are re-checked by the fresh run")
        self.bound(k, "re-checking every coalition")
        for size in range(1, k + 1):
            for c in itertools.combinations(range(n), size):
                for acts in self.joint(c):
                    joint = list(prof)
                    for j, a in zip(c, acts):
                        joint[j] = a
                    g = [self.o.u(j, tuple(joint)) - self.o.u(j, prof) for j in c]
                    if (all(x >= 0 for x in g) and any(x > 0 for x in g)) if self.prop.weak else all(x > 0 for x in g):
                        raise Mismatch(f"coalition {[self.o.names[j] for j in c]} gains by switching to "
                                       f"{self.o.label(tuple(joint))}")
        return f"no coalition of at most {k} agents gains (brute force)"

    def adversary_claim(self, prof: tuple[int, ...], t: int) -> tuple[list[int], tuple[int, ...]]:
        adv = [self.o.agent(a) for a in self.ev["adversaries"]]
        if len(adv) > t:
            raise Mismatch(f"{len(adv)} adversaries; at most {t} allowed")
        dev = self.ev.get("deviation") or self.ev.get("adversary_deviation") or {}
        if set(dev) != set(self.ev["adversaries"]):
            raise Mismatch("the deviation does not move exactly the adversaries")
        return adv, self.o.apply(prof, dev)

    def victim(self, prof: tuple[int, ...], adv: list[int], after: tuple[int, ...]) -> str:
        v = self.o.agent(self.ev["victim"])
        if v in adv:
            raise Mismatch("the victim is one of the adversaries")
        loss = self.o.u(v, prof) - self.o.u(v, after)
        same(f"{self.ev['victim']}'s loss", self.ev["loss"], loss)
        if loss <= 0:
            raise Mismatch(f"{self.ev['victim']} loses nothing")
        return f"{self.ev['victim']} loses {_q(loss)} (recomputed)"

    def immune_holds(self, prof: tuple[int, ...], t: int, cond: Any) -> int:
        self.bound(t, "re-checking every adversary deviation")
        count = 0
        for size in range(1, min(t, self.o.n) + 1):
            for T in itertools.combinations(range(self.o.n), size):
                for acts in self.joint(T):
                    moved = list(prof)
                    for j, a in zip(T, acts):
                        moved[j] = a
                    a2 = tuple(moved)
                    count += 1
                    if cond is not None:
                        if self.o.condition(cond, a2) is not True:
                            raise Mismatch(f"adversaries reach {self.o.label(a2)}, where the condition fails")
                    else:
                        for j in range(self.o.n):
                            if j not in T and self.o.u(j, a2) < self.o.u(j, prof):
                                raise Mismatch(f"adversaries reach {self.o.label(a2)}, lowering "
                                               f"{self.o.names[j]}'s payoff")
        return count

    def fact_Immune(self) -> str:
        prof = self.own_profile()
        cond = self.prop.condition
        if self.verdict == "VIOLATED":
            if self.ev.get("kind") == "condition":
                if self.o.condition(cond, prof) is not False:
                    raise Mismatch("the condition is true at the profile itself")
                return "the condition is false at the profile itself (recomputed)"
            adv, after = self.adversary_claim(prof, self.prop.t)
            if "victim" in self.ev:
                return self.victim(prof, adv, after)
            if cond is None or self.o.condition(cond, after) is not False:
                raise Mismatch(f"the condition holds at the deviated profile {self.o.label(after)}")
            return f"the condition is false at {self.o.label(after)} (recomputed)"
        if cond is not None and self.o.condition(cond, prof) is not True:
            raise Mismatch("the condition is false at the profile itself")
        n = self.immune_holds(prof, self.prop.t, cond)
        return f"{n} adversary deviations re-checked (brute force)"

    def fact_Robust(self) -> str:
        prof = self.own_profile()
        if self.verdict == "VIOLATED":
            if "victim" in self.ev:
                adv, after = self.adversary_claim(prof, self.prop.t)
                return self.victim(prof, adv, after)
            adv, with_t = self.adversary_claim(prof, self.prop.t) if self.ev.get("adversaries") else ([], prof)
            members, full = self.coalition_claim(with_t, False)
            if len(members) > self.prop.k or set(members) & set(adv):
                raise Mismatch("the coalition is too large or overlaps the adversaries")
            i = self.o.agent(self.ev["gainer"])
            if i not in members:
                raise Mismatch("the gainer is not in the coalition")
            gain = self.o.u(i, full) - self.o.u(i, with_t)
            same(f"{self.ev['gainer']}'s gain", self.ev["gains"][self.ev["gainer"]], gain)
            if gain <= 0:
                raise Mismatch(f"{self.ev['gainer']} does not gain")
            return f"{self.ev['gainer']} gains {_q(gain)} in coalition {self.ev['coalition']} (recomputed)"
        self.immune_holds(prof, self.prop.t, None)
        self.bound(self.prop.k + self.prop.t, "re-checking (k,t)-robustness")
        n = self.o.n
        for ts in range(0, min(self.prop.t, n) + 1):
            for T in itertools.combinations(range(n), ts):
                rest = [j for j in range(n) if j not in T]
                for cs in range(1, min(self.prop.k, len(rest)) + 1):
                    for C in itertools.combinations(rest, cs):
                        for tau in self.joint(T):
                            base = list(prof)
                            for j, a in zip(T, tau):
                                base[j] = a
                            for phi in self.joint(C):
                                both = list(base)
                                for j, a in zip(C, phi):
                                    both[j] = a
                                for i in C:
                                    if self.o.u(i, tuple(both)) > self.o.u(i, tuple(base)):
                                        raise Mismatch(f"{self.o.names[i]} gains at {self.o.label(both)}")
        return f"({self.prop.k},{self.prop.t})-robust (brute force)"

    # --- protocols
    def play(self) -> str:
        tree = self.o.model.protocol
        if tree is None or not hasattr(self.prop, "phi"):
            raise Skip("no protocol predicate to replay the play against")
        from verigroup.extensive.plays import Trace, TraceStep, replay_trace

        steps = tuple(TraceStep(s["actor"], s["move"], s.get("state")) for s in self.ev["play"])
        tr = Trace(self.prop.kind, self.prop.phi, steps,
                   {a: frac(v, "payoff") for a, v in self.ev["payoffs"].items()},
                   int(self.ev["failed_at"]), frac(self.ev["probability"], "probability"),
                   self.ev["strategies"], tree.state_label(0))
        r = replay_trace(tree, tr)
        if not r.ok:
            raise Mismatch(r.message)
        return r.message


def _fmt(v: Fraction | bool) -> str:
    return str(v).lower() if isinstance(v, bool) else _q(v)

def replay_file(path: str | Path, timeout: float | None = None) -> ReplayResult:
    """Re-check every report in a ``verigroup check --format json`` file."""
    from verigroup.api import read_text

    text = read_text(path)
    doc = parse_document(text, str(path))
    findings: list[Finding] = []
    for rep in doc["reports"]:
        findings.extend(replay_report(rep, Path(path), timeout))
    return ReplayResult(str(path), tuple(findings))


def parse_document(text: str, path: str) -> dict[str, Any]:
    span = Span(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError.single("E301", f"{path} is not a verigroup check report: invalid JSON "
                               f"({exc.msg} at line {exc.lineno}, column {exc.colno})",
                               Span(path, exc.lineno, exc.colno),
                               hint="write one with `verigroup check SPEC --format json -o REPORT.json`")
    if not isinstance(doc, dict) or "schema" not in doc:
        raise SpecError.single("E301", f"{path} is not a verigroup check report (no \"schema\" field)", span,
                               hint="write one with `verigroup check SPEC --format json -o REPORT.json`")
    if doc["schema"] != CHECK_SCHEMA:
        raise SpecError.single("E301", f"{path} has schema {doc['schema']!r}; replay reads "
                               f"{CHECK_SCHEMA!r} documents", span,
                               hint="replay re-checks the JSON of `verigroup check`, not of `solve`")
    reports = doc.get("reports")
    ok = isinstance(reports, list) and all(
        isinstance(r, dict) and isinstance(r.get("spec"), dict) and isinstance(r["spec"].get("path"), str)
        and isinstance(r["spec"].get("params", {}), dict) and isinstance(r.get("properties"), list)
        and all(isinstance(p, dict) and isinstance(p.get("name"), str) for p in r["properties"])
        for r in reports)
    if not ok:
        raise SpecError.single("E301", f"{path}: malformed {CHECK_SCHEMA} document (each report needs "
                               "spec.path, spec.params and a properties list)", span)
    return doc


def locate_spec(spec_path: str, report_path: Path) -> Path | None:
    p = Path(spec_path)
    if p.exists():
        return p
    alt = report_path.parent / spec_path
    if not p.is_absolute() and alt.exists():
        return alt
    return None


def replay_report(rep: dict[str, Any], report_path: Path, timeout: float | None = None) -> list[Finding]:
    from verigroup.api import check_model, parse, read_text, spec_hash

    spec = rep["spec"]
    name = spec["path"]
    out: list[Finding] = []
    where = locate_spec(name, report_path)
    if where is None:
        return [Finding(name, None, "mismatch", "load the spec",
                        f"spec file {name} not found (relative to the current directory or to the report)")]
    params = {str(k): str(v) for k, v in spec.get("params", {}).items()}
    try:
        # parsed under the report's own name for the file, so spans (and
        # the fresh report's locations) read as they did when it was written
        model = parse(read_text(where), name, overrides=params)
    except SpecError as exc:
        return [Finding(name, None, "mismatch", "load the spec", "the spec no longer loads: " + exc.render())]
    h = spec_hash(model)
    if h != spec.get("hash"):
        out.append(Finding(name, None, "mismatch", "spec hash",
                           f"the spec changed since the report was written (report {spec.get('hash')}, now {h})"))
    else:
        out.append(Finding(name, None, "ok", "spec hash", "unchanged"))
    if spec.get("game") != model.name:
        out.append(Finding(name, None, "mismatch", "game name",
                           f"the report says {spec.get('game')!r}, the spec says {model.name!r}"))
    props = {p.name: p for p in model.properties}
    oracle = Oracle(model)
    for pr in rep["properties"]:
        prop = props.get(pr["name"])
        if prop is None:
            out.append(Finding(name, pr["name"], "mismatch", "property exists",
                               "the spec has no property of this name"))
            continue
        out.extend(EvidenceChecker(oracle, prop, pr, name).run())
    out.extend(compare_fresh(model, rep, name, timeout, check_model))
    return out


# ============================================================= fresh re-run


def first_difference(a: Any, b: Any, path: str) -> tuple[str, Any, Any] | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                return f"{path}.{k}", a.get(k, "<absent>"), b.get(k, "<absent>")
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} (length)", len(a), len(b)
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else (path, a, b)


def compare_fresh(model: Model, rep: dict[str, Any], name: str, timeout: float | None,
                  check_model: Callable[..., Any]) -> list[Finding]:
    from verigroup.reports.jsonout import dumps

    fresh = check_model(model, timeout=timeout)
    got = {r.name: json.loads(dumps(r.to_json())) for r in fresh.results}
    # The report does not record `--method`; properties decided by Z3 are
    # re-run on the Z3 route.
    if any("z3" in str(p.get("method", "")) and got.get(p["name"], {}).get("method") != p.get("method")
           for p in rep["properties"]):
        z3run = check_model(model, timeout=timeout, method="z3")
        for r in z3run.results:
            old = next((p for p in rep["properties"] if p["name"] == r.name), None)
            if old is not None and "z3" in str(old.get("method", "")):
                got[r.name] = json.loads(dumps(r.to_json()))
    out: list[Finding] = []
    reported = {p["name"] for p in rep["properties"]}
    for missing in sorted(set(got) - reported):
        out.append(Finding(name, missing, "mismatch", "fresh check", "the report omits this property"))
    for pr in rep["properties"]:
        new = got.get(pr["name"])
        if new is None:
            continue
        if pr.get("verdict") == "UNKNOWN" and new["verdict"] != "UNKNOWN":
            out.append(Finding(name, pr["name"], "ok", "fresh check",
                               f"reported UNKNOWN ({pr.get('evidence', {}).get('reason', '')}); "
                               f"a fresh run without a time limit decides {new['verdict']}"))
            continue
        d = first_difference(pr, new, "")
        if d is None:
            out.append(Finding(name, pr["name"], "ok", "fresh check", f"verdict {new['verdict']} and evidence agree"))
        else:
            field_, claimed, found = d
            out.append(Finding(name, pr["name"], "mismatch", "fresh check",
                               f"field {field_.lstrip('.')}: the report says {json.dumps(claimed)}, "
                               f"a fresh check gives {json.dumps(found)}"))
    counts = {v: sum(1 for r in got.values() if r["verdict"] == v) for v in ("HOLDS", "VIOLATED", "UNKNOWN")}
    want = {"holds": counts["HOLDS"], "violated": counts["VIOLATED"], "unknown": counts["UNKNOWN"],
            "exit_code": 1 if counts["VIOLATED"] else (3 if counts["UNKNOWN"] else 0)}
    if "summary" in rep and rep["summary"] != want:
        d = first_difference(rep["summary"], want, "summary")
        assert d is not None
        out.append(Finding(name, None, "mismatch", "summary",
                           f"field {d[0]}: the report says {d[1]}, a fresh check gives {d[2]}"))
    return out


__all__ = ["replay_file", "ReplayResult", "Finding", "Oracle", "Mismatch", "Skip", "parse_document"]
