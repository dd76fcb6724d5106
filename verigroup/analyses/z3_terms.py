"""Property terms as Z3 terms (:class:`TermWalker`), metric extremes over
all pure profiles (``z3.Optimize``), and symmetry breaking for the Z3
route.  Split out of :mod:`verigroup.analyses.symbolic`."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable, Mapping, Sequence

import z3

from verigroup.analyses.registry import Context
from verigroup.backends.z3 import (
    Z3Encoding, Z3Walker, all_guards, as_bool, as_fraction, back_params, back_profile, rv, to_z3,
)
from verigroup.diagnostics import SpecError
from verigroup.model import expr as E
from verigroup.model.properties import (
    Claim, Concept, Dominant, Existence, IsEquilibrium, MetricAt, MetricExtreme, PayoffAt,
    Quantified, Quantifier, Strength,
)
from verigroup.verdicts import Equilibrium, PropertyResult, Verdict, q
from verigroup.analyses.z3_common import (  # noqa: F401
    _Unsupported, _names, _solver, _timeout_ms,
)

# ----------------------------------------------------------- term walker


class TermWalker(Z3Walker):
    """Property terms: expression nodes plus MetricAt/PayoffAt/MetricExtreme."""

    def __init__(self, enc: Z3Encoding, bound: Mapping[str, Sequence[z3.ArithRef]],
                 extremes: Mapping[tuple[str, str], z3.ArithRef]) -> None:
        base: Z3Walker = enc._memo["walker"]
        super().__init__(enc.model, enc.action_vars, enc.param_vars)
        self._payoff_memo = base._payoff_memo
        self._metric_memo = base._metric_memo
        self.guards = base.guards
        self.enc = enc
        self.bound = bound
        self.extremes = extremes

    def _vec(self, var: str) -> Sequence[z3.ArithRef]:
        if var not in self.bound:
            raise _Unsupported(f"unbound equilibrium variable {var!r}")
        return self.bound[var]

    def walk_MetricAt(self, e: MetricAt, env: Mapping[str, int]) -> z3.ExprRef:
        return self.enc.at(self.metric(e.metric, e.span), self._vec(e.var))

    def walk_PayoffAt(self, e: PayoffAt, env: Mapping[str, int]) -> z3.ExprRef:
        return self.enc.at(self.payoff(self.agent_pos(e.agent, env)), self._vec(e.var))

    def walk_MetricExtreme(self, e: MetricExtreme, env: Mapping[str, int]) -> z3.ExprRef:
        return self.extremes[(e.metric, e.which)]

    # ---- language v2 (issue 8, LANG3): terms at a named or written-out pure profile
    # (``welfare(coop)``, ``payoff(row, best)`` once an argmax profile is bound)
    def _profile_vec(self, prof: Any) -> list[z3.ArithRef]:
        if not prof.actions:
            raise _Unsupported(f"the profile `{prof.name}` is not bound")
        return self.enc.profile_vals([a.actions.index(x) for a, x in zip(self.model.agents, prof.actions)])

    def walk_MetricAtProfile(self, e: Any, env: Mapping[str, int]) -> z3.ExprRef:
        return self.enc.at(self.metric(e.metric, e.span), self._profile_vec(e.profile))

    def walk_PayoffAtProfile(self, e: Any, env: Mapping[str, int]) -> z3.ExprRef:
        return self.enc.at(self.payoff(self.agent_pos(e.agent, env)), self._profile_vec(e.profile))

    def _unsupported(self, e: Any, env: Mapping[str, int]) -> z3.ExprRef:
        raise _Unsupported(f"{type(e).__name__} is not supported by the Z3 route")

    walk_EquilibriumValue = _unsupported
    walk_PriceOf = _unsupported
    walk_EquilibriumCount = _unsupported
    walk_ActionIs = _unsupported
    walk_SameAction = _unsupported
    walk_PayoffOf = _unsupported
    walk_MetricOf = _unsupported


def _extremes_in(term: Any) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()

    def visit(t: Any) -> None:
        if isinstance(t, MetricExtreme):
            out.add((t.metric, t.which))
            return
        for name in getattr(t, "__dataclass_fields__", {}):
            v = getattr(t, name)
            if isinstance(v, tuple):
                for x in v:
                    visit(x)
            elif hasattr(v, "__dataclass_fields__"):
                visit(v)

    visit(term)
    return out


def _extreme_value(ctx: Context, enc: Z3Encoding, metric: str, which: str) -> tuple[Fraction, tuple[int, ...]]:
    """max/min of a metric over all pure profiles, exactly: z3.Optimize,
    then an unsat check that nothing beats it."""
    walker: Z3Walker = enc._memo["walker"]
    t = walker.metric(metric)
    opt = z3.Optimize()
    opt.set("timeout", _timeout_ms(ctx))
    opt.add(*enc.domain, *_sym(ctx, enc))
    opt.maximize(t) if which == "max" else opt.minimize(t)
    res = opt.check()
    if res != z3.sat:
        raise _Timeout(f"z3 could not compute {which}({metric}): {opt.reason_unknown()}")
    prof = back_profile(enc, opt.model())
    from verigroup.backends.z3 import value_at

    v = value_at(enc, t, prof)
    assert isinstance(v, Fraction)
    s = _solver(ctx)
    s.add(*enc.domain, *_sym(ctx, enc), (t > rv(v)) if which == "max" else (t < rv(v)))
    chk = s.check()
    if chk == z3.unknown:
        raise _Timeout(f"z3 could not confirm {which}({metric}): {s.reason_unknown()}")
    if chk == z3.sat:  # pragma: no cover - Optimize is exact on these theories
        raise _Timeout(f"z3.Optimize returned a non-optimal value for {which}({metric})")
    return v, prof


class _Timeout(Exception):
    pass


def _sym(ctx: Context, enc: Z3Encoding) -> list[z3.BoolRef]:
    if not ctx.options.get("symmetry", True):
        return []
    return symmetry_breaking(ctx, enc)


def _extreme_terms(ctx: Context, enc: Z3Encoding, needed: set[tuple[str, str]],
                   side: list[z3.BoolRef], witnesses: list[list[z3.ArithRef]],
                   trace: dict[str, Any]) -> tuple[dict[tuple[str, str], z3.ArithRef], bool]:
    """Terms for max/min(metric).  Without symbolic parameters: exact
    constants, recorded in ``trace`` as the explicit route's ``terms``
    (``{"max(welfare)": {"value", "profile"}}``).  With them: a fresh Real
    pinned by a witness profile and a universally quantified bound (so the
    formula is quantified)."""
    out: dict[tuple[str, str], z3.ArithRef] = {}
    quantified = False
    walker: Z3Walker = enc._memo["walker"]
    for n, (metric, which) in enumerate(sorted(needed)):
        walker.metric(metric)  # E101 for unknown metrics
        if not enc.param_vars:
            v, at = _extreme_value(ctx, enc, metric, which)
            trace[f"{which}({metric})"] = {"value": q(v), "profile": _names(ctx, at)}
            out[(metric, which)] = rv(v)
            continue
        quantified = True
        t = walker.metric(metric)
        m = z3.Real(f"ext_{n}")
        w = enc.fresh_copy(f"ext_w{n}")
        u = enc.fresh_copy(f"ext_u{n}")
        side.extend(enc.domain_of(w))
        side.append(m == enc.at(t, w))
        bound = (enc.at(t, u) <= m) if which == "max" else (enc.at(t, u) >= m)
        side.append(z3.ForAll(u, z3.Implies(z3.And(*enc.domain_of(u)), bound)))
        witnesses.append(w)
        out[(metric, which)] = m
    return out, quantified


# ------------------------------------------------------------ symmetry


SYMMETRY_CHECK_MS = 5_000


def symmetry_breaking(ctx: Context, enc: Z3Encoding) -> list[z3.BoolRef]:
    """Lex-leader constraints ``x_p1 <= x_p2 <= ...`` for every family whose
    members are interchangeable, *proved* by Z3: for each adjacent swap
    ``σ = (p q)``, ``u_p(σx) = u_q(x)``, ``u_q(σx) = u_p(x)``, ``u_j(σx) =
    u_j(x)`` for every other agent and ``m(σx) = m(x)`` for every metric (the
    adjacent transpositions generate the whole symmetric group).  Sound for
    properties invariant under these permutations (terms over metrics,
    existence); a swap Z3 cannot prove within the budget is not used."""
    key = "symmetry"
    if key in enc._memo:
        return enc._memo[key]  # type: ignore[no-any-return]
    out: list[z3.BoolRef] = []
    model = ctx.model
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for k, ag in enumerate(model.agents):
        if ag.index is not None:
            groups.setdefault((ag.family, ag.actions), []).append(k)
    x = enc.action_vars
    for members in groups.values():
        run: list[int] = members[:1]
        for p, qq in zip(members, members[1:]):
            if _swap_invariant(enc, p, qq):
                run.append(qq)
                continue
            out.extend(x[i] <= x[j] for i, j in zip(run, run[1:]))
            run = [qq]
        out.extend(x[i] <= x[j] for i, j in zip(run, run[1:]))
    enc._memo[key] = out
    return out


def _swap_invariant(enc: Z3Encoding, p: int, qq: int) -> bool:
    x = enc.action_vars
    sigma = [(x[p], x[qq]), (x[qq], x[p])]
    diffs = []
    for j, u in enumerate(enc.payoffs):
        tgt = enc.payoffs[qq] if j == p else enc.payoffs[p] if j == qq else u
        diffs.append(z3.substitute(u, *sigma) != tgt)
    diffs.extend(z3.substitute(t, *sigma) != t for t in enc.metrics.values())
    s = z3.Solver()
    s.set("timeout", SYMMETRY_CHECK_MS)
    s.add(*enc.domain, *[g.cond for g in all_guards(enc)], z3.Or(*diffs))
    return s.check() == z3.unsat


def _symmetric_term(term: Any) -> bool:
    """Terms invariant under permuting interchangeable agents: no PayoffAt
    (a named agent) and no agent reference at all."""
    bad = (PayoffAt, E.AgentRef, E.ActionIs, E.SameAction, E.PayoffOf)

    def visit(t: Any) -> bool:
        if isinstance(t, bad):
            return False
        for name in getattr(t, "__dataclass_fields__", {}):
            v = getattr(t, name)
            items = v if isinstance(v, tuple) else (v,)
            for it in items:
                if hasattr(it, "__dataclass_fields__") and not visit(it):
                    return False
        return True

    return visit(term)
