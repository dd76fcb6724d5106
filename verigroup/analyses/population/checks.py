"""Property checks in counting space.

Each checker takes the :class:`~verigroup.analyses.registry.Context` and a
property and returns a PropertyResult with method ``counting``; a property
kind or term the counting view cannot decide raises :class:`Unsupported`
(the caller turns it into UNKNOWN with the reason, or falls back to another
route).  Equilibria are computed once per context.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from verigroup.analyses.population import engine as E
from verigroup.analyses.population import evidence as D
from verigroup.analyses.population import exactvec as V
from verigroup.model import counting as Q
from verigroup.model import expr as X
from verigroup.model import properties as P
from verigroup.verdicts import PropertyResult, Verdict, q

METHOD = "counting"


class Unsupported(Exception):
    pass


def _res(prop: Any, verdict: Verdict, message: str, evidence: dict[str, Any]) -> PropertyResult:
    ev = {"method": METHOD, **evidence}
    return PropertyResult(prop.name, type(prop).__name__, verdict, METHOD, message, ev, prop.span)


class PopulationChecker:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.model = ctx.model
        self.view = Q.counting_view(self.model)
        self._eq: E.Equilibria | None = None

    # ------------------------------------------------------------ helpers
    def equilibria(self) -> E.Equilibria:
        if self._eq is None:
            cached = self.ctx.options.get("_population_eq")
            self._eq = cached if cached is not None else E.pure_equilibria(self.view)
            self.ctx.options["_population_eq"] = self._eq
        return self._eq

    def state_json(self, st: E.State) -> dict[str, Any]:
        out: dict[str, Any] = {"counts": D.counts_json(self.view, st), "profile": D.describe(self.view, st),
                               "representatives": D.representatives(self.view, st)}
        out.update(D.multiplicity_json(self.view, st))
        return out

    def profile_state(self, prop: Any, prof: P.Profile) -> E.State:
        if self.model.counted:
            table = self.model._cache.get("counted_profiles", {})
            key = f"property:{prop.name}"
            v = table.get(key)
            if v is None and prof.name is not None:
                v = table.get(f"profile:{prof.name}")
            if isinstance(v, str) or v is None:
                raise Unsupported(v or "the profile has no count vector")
            return D.state_from_json(self.view, v)
        counts: dict[str, list[int]] = {p.name: [0] * len(p.actions) for p in self.view.pops}
        for a, act in zip(self.model.agents, prof.actions):
            counts[a.family][a.actions.index(act)] += 1
        return {k: tuple(v) for k, v in counts.items()}

    # ------------------------------------------------------------ dispatch
    def check(self, prop: Any) -> PropertyResult:
        fn: Callable[[Any], PropertyResult] | None = getattr(self, "p_" + type(prop).__name__, None)
        if fn is None:
            raise Unsupported(f"{type(prop).__name__} properties are not decided in counting space yet")
        if getattr(prop, "concept", P.Concept.PURE_NASH) is not P.Concept.PURE_NASH:
            raise Unsupported(f"only pure Nash equilibria are computed in counting space "
                              f"(not {prop.concept.value})")
        try:
            return fn(prop)
        except E.Undefined as exc:
            return _res(prop, Verdict.UNKNOWN, str(exc), {"reason": str(exc)})
        except ZeroDivisionError as exc:
            return _res(prop, Verdict.UNKNOWN, str(exc), {"reason": str(exc)})

    # ---------------------------------------------------------- properties
    def p_IsEquilibrium(self, prop: P.IsEquilibrium) -> PropertyResult:
        st = self.profile_state(prop, prop.profile)
        dev = E.deviation_at(self.view, st)
        ev = self.state_json(st)
        if dev is None:
            return _res(prop, Verdict.HOLDS, f"no member of any action class gains by moving: {ev['profile']}",
                        {"kind": "population_equilibrium", **ev})
        who = D.first_member(self.view, st, dev.fam, dev.frm)
        pop = self.view.pop(dev.fam)
        msg = (f"{who} ({pop.actions[dev.frm]}) gains by switching to {pop.actions[dev.to]}: "
               f"{q(dev.before)} -> {q(dev.after)} at {ev['profile']}")
        ev["deviation"] = {"agent": who, "family": dev.fam, "from": pop.actions[dev.frm],
                           "to": pop.actions[dev.to], "payoff": q(dev.before), "deviation_payoff": q(dev.after)}
        return _res(prop, Verdict.VIOLATED, msg, {"kind": "population_deviation", **ev})

    def p_Dominant(self, prop: P.Dominant) -> PropertyResult:
        fams = sorted({self.model.agents[i].family for i in prop.agents})
        strict = prop.strength is P.Strength.STRICT
        checked = 0
        for fam in fams:
            pop = self.view.pop(fam)
            if prop.action not in pop.actions:
                raise Unsupported(f"`{prop.action}` is not an action of `{fam}`")
            act = pop.actions.index(prop.action)
            fail, n = E.dominance(self.view, fam, act, strict)
            checked += n
            if fail is not None:
                member = pop.member(pop.lo)
                if fail.mine == fail.theirs and not strict and fail.mine == 0 and all(
                        sum(c) == 0 for c in fail.others.values()):
                    msg = (f"{prop.action} is never strictly better than {pop.actions[fail.alt]} for {fam}: "
                           "weakly dominant needs a strict gain somewhere")
                    return _res(prop, Verdict.VIOLATED, msg, {"kind": "population_dominance", "family": fam,
                                                                "alternative": pop.actions[fail.alt]})
                others = dict(fail.others)
                desc = ", ".join(f"{c:,} {a}" for a, c in zip(pop.actions, others[fam]) if c)
                msg = (f"{member} does better with {pop.actions[fail.alt]} ({q(fail.theirs)}) than with "
                       f"{prop.action} ({q(fail.mine)}) when the other members of {fam} play: {desc or 'nothing'}")
                return _res(prop, Verdict.VIOLATED, msg, {
                    "kind": "population_dominance", "agent": member, "family": fam, "action": prop.action,
                    "alternative": pop.actions[fail.alt],
                    "others": D.counts_json(self.view, others), "payoff": q(fail.mine),
                    "alternative_payoff": q(fail.theirs)})
        word = "strictly" if strict else "weakly"
        return _res(prop, Verdict.HOLDS, f"{prop.action} is {word} dominant for every member of "
                    f"{', '.join(fams)} ({checked:,} configurations of the others checked)",
                    {"configurations_checked": checked})

    def p_Existence(self, prop: P.Existence) -> PropertyResult:
        eq = self.equilibria()
        base: dict[str, Any] = {"states_checked": eq.checked, "equilibrium_classes": len(eq.states)}
        if not prop.unique:
            if eq.states:
                from verigroup.analyses.population.potential import certificate, congestion_form, potential

                if congestion_form(self.view):  # Rosenthal: the potential's maximiser is an equilibrium
                    best = max(eq.states, key=lambda s: potential(self.view, s)) if len(eq.states) <= 1000 \
                        else eq.states[0]
                    base.update(certificate(self.view))
                    base["potential"] = str(potential(self.view, best))
                    return _res(prop, Verdict.HOLDS, f"a pure equilibrium: {D.describe(self.view, best)} "
                                "(Rosenthal's potential certifies existence and convergence of "
                                "best-response dynamics)", {**base, "witness": self.state_json(best)})
                return _res(prop, Verdict.HOLDS, f"a pure equilibrium: {D.describe(self.view, eq.states[0])}",
                            {**base, "witness": self.state_json(eq.states[0])})
            return _res(prop, Verdict.VIOLATED, f"no pure equilibrium among {eq.checked:,} count states", base)
        if len(eq.states) == 1 and E.is_single_profile(self.view, eq.states[0]):
            return _res(prop, Verdict.HOLDS, f"the only pure equilibrium: {D.describe(self.view, eq.states[0])}",
                        {**base, "witness": self.state_json(eq.states[0])})
        if not eq.states:
            return _res(prop, Verdict.VIOLATED, "no pure equilibrium", base)
        return _res(prop, Verdict.VIOLATED, "more than one pure equilibrium profile",
                    {**base, "equilibria": [self.state_json(s) for s in eq.states[:2]]})

    def p_Quantified(self, prop: P.Quantified) -> PropertyResult:
        eq = self.equilibria()
        every = prop.quantifier is P.Quantifier.EVERY
        for st in eq.states:
            v = self.term(prop.body, st)
            if not isinstance(v, bool):
                raise Unsupported("the body is not a condition")
            if every and not v:
                return _res(prop, Verdict.VIOLATED, f"fails at the equilibrium {D.describe(self.view, st)}",
                            {"kind": "population_equilibrium", **self.state_json(st), **self.metrics_at(st)})
            if not every and v:
                return _res(prop, Verdict.HOLDS, f"holds at the equilibrium {D.describe(self.view, st)}",
                            {"kind": "population_witness", **self.state_json(st), **self.metrics_at(st)})
        n = len(eq.states)
        if every:
            return _res(prop, Verdict.HOLDS, f"holds at all {n:,} pure equilibrium classes "
                        f"({eq.checked:,} count states checked)",
                        {"equilibrium_classes": n, "states_checked": eq.checked})
        return _res(prop, Verdict.VIOLATED, f"fails at all {n:,} pure equilibrium classes",
                    {"equilibrium_classes": n, "states_checked": eq.checked})

    def p_Claim(self, prop: P.Claim) -> PropertyResult:
        self.trace: dict[str, Any] = {}
        v = self.term(prop.body, None)
        if not isinstance(v, bool):
            raise Unsupported("the claim is not a condition")
        return _res(prop, Verdict.HOLDS if v else Verdict.VIOLATED,
                    "the claim holds" if v else "the claim is false", {"values": self.trace})

    def p_OptimumIsEquilibrium(self, prop: P.OptimumIsEquilibrium) -> PropertyResult:
        sense = self.model.metrics[prop.metric].sense
        opt, witness = E.metric_extreme(self.view, prop.metric, "max" if sense == "maximize" else "min")
        eq = self.equilibria()
        vals = E.metric_values(self.view, prop.metric, eq.states)
        for st, v in zip(eq.states, vals):
            if v == opt:
                return _res(prop, Verdict.HOLDS, f"the optimum {q(opt)} is reached at the equilibrium "
                            f"{D.describe(self.view, st)}", {"optimum": q(opt), "witness": self.state_json(st)})
        best = (max(vals) if sense == "maximize" else min(vals)) if vals else None
        return _res(prop, Verdict.VIOLATED, f"no equilibrium reaches the optimum {q(opt)} "
                    f"(at {D.describe(self.view, witness)}); the best equilibrium value is "
                    f"{q(best) if best is not None else 'none'}",
                    {"kind": "population_optimum", "optimum": q(opt), "optimal_profile": self.state_json(witness),
                     "best_equilibrium_value": q(best) if best is not None else None})

    def p_Immune(self, prop: P.Immune) -> PropertyResult:
        from verigroup.analyses.population import coalitions as G

        if prop.t < 0 or prop.t > G.MAX_GROUP:
            raise Unsupported(f"t = {prop.t}: counting space enumerates groups of 0..{G.MAX_GROUP} adversaries")
        st = self.profile_state(prop, prop.profile)
        cond = Q.compile_condition(self.model, prop.condition) if prop.condition is not None else None
        if cond is not None and not V.scalar(cond, st, self.view.params):
            return _res(prop, Verdict.VIOLATED, "the condition fails without any adversary",
                        {"kind": "population_condition", **self.state_json(st)})
        found = G.immunity_violation(self.view, st, prop.t, cond)
        if found is None:
            what = "break the condition" if cond is not None else "lower another member's payoff"
            return _res(prop, Verdict.HOLDS, f"{prop.t}-immune: no group of at most {prop.t} adversaries can "
                        f"{what} at {D.describe(self.view, st)}", {"adversaries": prop.t, **self.state_json(st)})
        moves, after, victim = found
        ev: dict[str, Any] = {"kind": "population_adversaries", "moves": G.describe_moves(self.view, moves),
                              "before": self.state_json(st), "after": self.state_json(after)}
        if victim is not None:
            fam, x = victim
            before_v, after_v = G.payoff(self.view, st, fam, x), G.payoff(self.view, after, fam, x)
            ev.update({"victim_family": fam, "victim_action": self.view.pop(fam).actions[x],
                       "payoff_before": q(before_v), "payoff_after": q(after_v)})
            msg = (f"adversaries moving {_moves_text(ev['moves'])} lower the payoff of the members of {fam} "
                   f"playing {self.view.pop(fam).actions[x]} from {q(before_v)} to {q(after_v)}")
        else:
            ev.update(self.metrics_at(after))
            msg = f"adversaries moving {_moves_text(ev['moves'])} make the condition false"
        return _res(prop, Verdict.VIOLATED, msg, ev)

    def p_CoalitionStable(self, prop: P.CoalitionStable) -> PropertyResult:
        from verigroup.analyses.population import coalitions as G

        if prop.kind != "resilient" or prop.k is None:
            raise Unsupported(f"{prop.kind} needs coalitions of every size; counting space decides "
                              "k-resilience for bounded k")
        if prop.k > G.MAX_GROUP:
            raise Unsupported(f"k = {prop.k}: counting space enumerates coalitions of at most {G.MAX_GROUP}")
        st = self.profile_state(prop, prop.profile)
        found = G.resilience_violation(self.view, st, prop.k, prop.weak)
        if found is None:
            return _res(prop, Verdict.HOLDS, f"{prop.k}-resilient: no coalition of at most {prop.k} members "
                        f"gains by a joint move at {D.describe(self.view, st)}", {"k": prop.k, **self.state_json(st)})
        moves, after = found
        gains = [q(G.payoff(self.view, after, f, y) - G.payoff(self.view, st, f, x)) for f, x, y, _ in moves]
        described = G.describe_moves(self.view, moves)
        ev = {"kind": "population_coalition", "moves": described,
              "before": self.state_json(st), "after": self.state_json(after), "gains": gains}
        return _res(prop, Verdict.VIOLATED, f"the coalition moving {_moves_text(described)} gains "
                    f"({', '.join(gains)})", ev)

    # --------------------------------------------------------------- terms
    def metrics_at(self, st: E.State) -> dict[str, Any]:
        out = {}
        for m in self.model.metrics:
            if m in self.view.metrics:
                v = V.scalar(self.view.metrics[m], st, self.view.params)
                if not isinstance(v, bool):
                    out[m] = q(v)
        return {"metrics": out}

    def term(self, t: Any, st: E.State | None) -> Fraction | bool:
        if isinstance(t, X.Num):
            return t.value
        if isinstance(t, X.BoolConst):
            return t.value
        if isinstance(t, X.ParamRef):
            return self.view.params[t.name]
        if isinstance(t, X.Neg):
            return -self.num(t.operand, st)
        if isinstance(t, X.Not):
            return not self.term(t.operand, st)
        if isinstance(t, X.Arith):
            a, b = self.num(t.left, st), self.num(t.right, st)
            if t.op == "/" and b == 0:
                raise E.Undefined("division by zero in the property")
            return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                    "^": lambda: a ** int(b)}[t.op]()
        if isinstance(t, X.Compare):
            x, y = self.term(t.left, st), self.term(t.right, st)
            if t.op in ("==", "!="):
                return (x == y) if t.op == "==" else (x != y)
            fx, fy = Fraction(x), Fraction(y)
            return {"<": fx < fy, "<=": fx <= fy, ">": fx > fy, ">=": fx >= fy}[t.op]
        if isinstance(t, X.Logic):
            la = self.term(t.left, st)
            if t.op == "and":
                return bool(la) and bool(self.term(t.right, st))
            return bool(la) or bool(self.term(t.right, st))
        if isinstance(t, X.Cond):
            return self.term(t.then, st) if self.term(t.cond, st) else self.term(t.otherwise, st)
        if isinstance(t, X.Call):
            vals = [self.num(a, st) for a in t.args]
            return min(vals) if t.fn == "min" else max(vals) if t.fn == "max" else abs(vals[0])
        if isinstance(t, P.MetricAt):
            if st is None:
                raise Unsupported("a metric needs an equilibrium here")
            return E.metric_values(self.view, t.metric, [st])[0]
        if isinstance(t, P.PayoffAt):
            if st is None or t.agent.index is not None:
                raise Unsupported("payoff(member, p) of a family member depends on which member: "
                                  "use a metric over the family instead")
            pop = self.view.pop(t.agent.family)
            act = st[pop.name].index(1)
            v = V.scalar(self.view.payoff[(pop.name, act)], st, self.view.params)
            assert not isinstance(v, bool)
            return v
        if isinstance(t, P.MetricExtreme):
            v, w = E.metric_extreme(self.view, t.metric, t.which)
            self._trace(f"{t.which}({t.metric})", {"value": q(v), "profile": D.describe(self.view, w)})
            return v
        if isinstance(t, P.EquilibriumCount):
            self._concept(t.concept)
            eq = self.equilibria()
            digits = max((E.log10_multiplicity(self.view, s) for s in eq.states), default=0.0)
            if digits > D.MAX_DIGITS:
                raise E.Undefined(f"count(nash) has about {int(digits):,} digits; it is not computed "
                                  f"exactly beyond {D.MAX_DIGITS:,} digits")
            total = sum(E.multiplicity(self.view, s) for s in eq.states)
            self._trace("count(nash)", {"value": str(total), "classes": len(eq.states)})
            return Fraction(total)
        if isinstance(t, P.EquilibriumValue):
            self._concept(t.concept)
            v, st2 = self.eq_value(t.metric, t.which)
            self._trace(f"{t.which}_equilibrium({t.metric})", {"value": q(v), "profile": D.describe(self.view, st2)})
            return v
        if isinstance(t, P.PriceOf):
            self._concept(t.concept)
            return self.price(t)
        raise Unsupported(f"the term {type(t).__name__} is not supported in counting space")

    def _trace(self, key: str, val: Any) -> None:
        if hasattr(self, "trace"):
            self.trace[key] = val

    def _concept(self, c: P.Concept) -> None:
        if c is not P.Concept.PURE_NASH:
            raise Unsupported(f"only pure Nash equilibria are computed in counting space (not {c.value})")

    def num(self, t: Any, st: E.State | None) -> Fraction:
        v = self.term(t, st)
        if isinstance(v, bool):
            raise Unsupported("expected a number")
        return v

    def eq_value(self, metric: str, which: str) -> tuple[Fraction, E.State]:
        eq = self.equilibria()
        if not eq.states:
            raise E.Undefined("there is no pure equilibrium")
        vals = E.metric_values(self.view, metric, eq.states)
        sense = self.model.metrics[metric].sense
        pick_max = (which == "best") == (sense == "maximize")
        i = max(range(len(vals)), key=vals.__getitem__) if pick_max else min(range(len(vals)), key=vals.__getitem__)
        return vals[i], eq.states[i]

    def price(self, t: P.PriceOf) -> Fraction:
        sense = self.model.metrics[t.metric].sense
        opt, ost = E.metric_extreme(self.view, t.metric, "max" if sense == "maximize" else "min")
        which = "worst" if t.which == "anarchy" else "best"
        v, st = self.eq_value(t.metric, which)
        num, den = (opt, v) if sense == "maximize" else (v, opt)
        info = {"optimum": q(opt), "optimal_profile": D.describe(self.view, ost),
                f"{which}_equilibrium_value": q(v), "equilibrium": D.describe(self.view, st), "sense": sense}
        label = f"price_of_{t.which}({t.metric})"
        self._trace(label, info)
        if den == 0 or num <= 0 or den <= 0:
            raise E.Undefined(f"{label} is undefined: it needs a positive optimum and a positive "
                              f"equilibrium value ({q(num)} / {q(den)})")
        r = num / den
        info["value"] = q(r)
        return r


def _moves_text(moves: list[dict[str, Any]]) -> str:
    return ", ".join(f"{m['members']} of {m['family']} {m['from']} -> {m['to']}" for m in moves)


def check_property(ctx: Any, prop: Any) -> PropertyResult:
    """Decide ``prop`` in counting space.  Raises Unsupported or
    NotAnonymous when it cannot."""
    chk = ctx.options.get("_population_checker")
    if chk is None or chk.model is not ctx.model:
        chk = PopulationChecker(ctx)
        ctx.options["_population_checker"] = chk
    return chk.check(prop)  # type: ignore[no-any-return]
