"""Bayesian mechanisms on finite types and their incentive properties.

A :class:`BayesianMechanism` is a direct mechanism with quasi-linear
utilities: every agent ``i`` has a finite type set with an exact independent
prior; for every profile of *reports* ``r`` the mechanism picks an outcome,
worth ``value[i][theta_i, r]`` to agent ``i`` if its true type is
``theta_i``, and charges ``pay[i][r]``.  Utility: ``value - pay``.  All
tables are exact integers over one common denominator, so every check is
exact and vectorised (``int64`` while magnitudes are safe, Python ints
beyond).

Checks (each returns a :class:`~verigroup.verdicts.PropertyResult`, HOLDS
with what was enumerated or VIOLATED with a minimal witness):

* ``dsic``: truth-telling is a dominant strategy; witness = agent, true
  type, profitable misreport, the others' reports, the gain.
* ``bic``: truth-telling is a Bayes–Nash equilibrium (interim, under the
  prior); witness = agent, true type, misreport, expected gain.
* ``ex_post_ir`` / ``interim_ir``: utility at least the outside option.
* ``weak_bb`` (payments never sum to a deficit) / ``strong_bb`` (they sum
  to zero at every profile).
* ``efficient``: the outcome maximises the sum of values (needs
  ``best_welfare``).

Witnesses are minimal in the order (agent, true type, misreport, others'
types) — the first violation — and carry the largest gain as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from verigroup.diagnostics import SpecError, Span
from verigroup.verdicts import PropertyResult, Verdict

SAFE = 2**40
MAX_PROFILES = 5_000_000


@dataclass(frozen=True, eq=False)
class BayesianMechanism:
    name: str
    agents: tuple[str, ...]
    type_names: tuple[tuple[str, ...], ...]
    prior: tuple[tuple[Fraction, ...], ...]
    value: tuple[np.ndarray, ...]     # [i]: shape (|T_i|,) + report shape, integers / den
    pay: tuple[np.ndarray, ...]       # [i]: report shape, integers / den
    den: int = 1
    best_welfare: np.ndarray | None = None   # report shape: max achievable sum of values (/ den)
    outside: tuple[Fraction, ...] | None = None
    # When reports are more than types (a spec's actions): type k of agent i
    # is truthfully reported as action report_of[i][k]; report_names name them.
    report_of: tuple[tuple[int, ...], ...] | None = None
    report_names: tuple[tuple[str, ...], ...] | None = None

    def __post_init__(self) -> None:
        validate(self)

    @property
    def n(self) -> int:
        return len(self.agents)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(t) for t in self.type_names)

    @property
    def report_shape(self) -> tuple[int, ...]:
        return tuple(self.pay[0].shape)

    def truthful(self, i: int) -> tuple[int, ...]:
        return self.report_of[i] if self.report_of is not None else tuple(range(len(self.type_names[i])))

    def report_name(self, i: int, r: int) -> str:
        return (self.report_names or self.type_names)[i][r]

    def names(self, prof: Sequence[int]) -> dict[str, str]:
        return {a: self.type_names[i][t] for i, (a, t) in enumerate(zip(self.agents, prof))}

    def utility(self, i: int, true_type: int, reports: tuple[int, ...]) -> Fraction:
        """Exact scalar utility (the replay path)."""
        return Fraction(int(self.value[i][(true_type,) + reports]) - int(self.pay[i][reports]), self.den)


def validate(m: BayesianMechanism) -> None:
    span = Span(m.name)
    if not m.agents:
        raise SpecError.single("E703", "a mechanism needs at least one agent", span)
    if math.prod(m.shape) > MAX_PROFILES:
        raise SpecError.single("E202", f"{math.prod(m.shape):,} type profiles exceed the limit "
                               f"{MAX_PROFILES:,}", span)
    for i, (names, pr) in enumerate(zip(m.type_names, m.prior)):
        if not names:
            raise SpecError.single("E703", f"agent {m.agents[i]} has no types", span)
        if len(pr) != len(names):
            raise SpecError.single("E703", f"agent {m.agents[i]}: {len(names)} types but "
                                   f"{len(pr)} prior probabilities", span)
        if any(p < 0 for p in pr):
            raise SpecError.single("E703", f"agent {m.agents[i]}: a prior probability is negative "
                                   f"({', '.join(str(p) for p in pr)})", span)
        if sum(pr, Fraction(0)) != 1:
            raise SpecError.single("E703", f"agent {m.agents[i]}: the prior sums to "
                                   f"{sum(pr, Fraction(0))}, not 1", span,
                                   "probabilities are exact; make them add up to exactly 1")
        if m.value[i].shape != (len(names),) + m.report_shape or m.pay[i].shape != m.report_shape:
            raise SpecError.single("E703", f"agent {m.agents[i]}: value/payment tables have the "
                                   "wrong shape", span)


def _int_arrays(*arrs: np.ndarray) -> list[np.ndarray]:
    big = max((int(np.abs(a).max()) if a.size else 0) for a in arrs)
    dt: Any = np.int64 if big <= SAFE else object
    return [a.astype(dt) for a in arrs]


def _truth_and_gain(m: BayesianMechanism, i: int) -> tuple[np.ndarray, np.ndarray]:
    """``util[t, r]`` for agent i (true type t, reports r) and the gain array
    ``gain[t, r_i, others] = util[t, (r_i, others)] - util[t, (t, others)]``
    with the agent's report moved to axis 1."""
    val, pay = _int_arrays(m.value[i], m.pay[i])
    util = val - pay[np.newaxis, ...]
    if m.report_of is not None:                         # others report their types truthfully
        axes = [np.arange(util.shape[0])] + [np.arange(util.shape[1 + j]) if j == i
                                             else np.array(m.report_of[j]) for j in range(m.n)]
        util = util[np.ix_(*axes)]
    util = np.moveaxis(util, 1 + i, 1)                  # [t, r_i, others...]
    k = util.shape[0]
    truth = util[np.arange(k), np.array(m.truthful(i))]   # [t, others...]
    return util, util - truth[:, np.newaxis, ...]


def _others(m: BayesianMechanism, i: int, idx: tuple[int, ...]) -> dict[str, str]:
    others = [j for j in range(m.n) if j != i]
    return {m.agents[j]: m.type_names[j][t] for j, t in zip(others, idx)}


def check_dsic(m: BayesianMechanism, name: str = "truth-telling is dominant (DSIC)") -> PropertyResult:
    checked = 0
    for i in range(m.n):
        _, gain = _truth_and_gain(m, i)
        checked += gain.size
        pos = np.argwhere(gain > 0)
        if len(pos):
            first = tuple(int(x) for x in pos[0])
            best = tuple(int(x) for x in np.unravel_index(int(np.argmax(gain)), gain.shape))
            t, r = first[0], first[1]
            ev = {"kind": "misreport", "agent": m.agents[i], "true_type": m.type_names[i][t],
                  "misreport": m.report_name(i, r), "others": _others(m, i, first[2:]),
                  "gain": Fraction(int(gain[first]), m.den),
                  "largest_gain": {"true_type": m.type_names[i][best[0]],
                                   "misreport": m.report_name(i, best[1]),
                                   "others": _others(m, i, best[2:]),
                                   "gain": Fraction(int(gain[best]), m.den)},
                  "violations": int(len(pos))}
            return PropertyResult(name, "DSIC", Verdict.VIOLATED, "exhaustive exact enumeration",
                                  f"{m.agents[i]} of type {ev['true_type']} gains {ev['gain']} by "
                                  f"reporting {ev['misreport']}", ev)
    return PropertyResult(name, "DSIC", Verdict.HOLDS, "exhaustive exact enumeration",
                          "no agent gains by misreporting, whatever the others report",
                          {"cases_checked": checked})


def _prior_weights(m: BayesianMechanism, j: int) -> tuple[np.ndarray, int]:
    den = 1
    for p in m.prior[j]:
        den = den * p.denominator // math.gcd(den, p.denominator)
    return np.array([int(p * den) for p in m.prior[j]], dtype=object), den


def _interim(m: BayesianMechanism, i: int, arr: np.ndarray) -> tuple[np.ndarray, int]:
    """Contract the others' axes of ``arr[t, r_i, others...]`` with their
    priors: exact integer numerators and the common denominator."""
    acc: Any = arr.astype(object)
    total = 1
    others = [j for j in range(m.n) if j != i]
    for j in reversed(others):
        w, d = _prior_weights(m, j)
        acc = np.tensordot(acc, w, axes=([acc.ndim - 1], [0]))
        total *= d
    return acc, total


def check_bic(m: BayesianMechanism, name: str = "truth-telling is a Bayes-Nash equilibrium (BIC)") -> PropertyResult:
    for i in range(m.n):
        _, gain = _truth_and_gain(m, i)
        eg, d = _interim(m, i, gain)                      # [t, r_i]
        for t in range(eg.shape[0]):
            if m.prior[i][t] == 0:
                continue
            for r in range(eg.shape[1]):
                if eg[t, r] > 0:
                    g = Fraction(int(eg[t, r]), d * m.den)
                    ev = {"kind": "misreport", "agent": m.agents[i], "true_type": m.type_names[i][t],
                          "misreport": m.report_name(i, r), "expected_gain": g, "others": "expected"}
                    return PropertyResult(name, "BIC", Verdict.VIOLATED, "exact interim expectations",
                                          f"{m.agents[i]} of type {m.type_names[i][t]} expects to gain "
                                          f"{g} by reporting {m.report_name(i, r)}", ev)
    return PropertyResult(name, "BIC", Verdict.HOLDS, "exact interim expectations",
                          "no type of any agent expects to gain by misreporting",
                          {"agents": m.n, "type_profiles": math.prod(m.shape)})


def _outside(m: BayesianMechanism, i: int) -> Fraction:
    return Fraction(0) if m.outside is None else m.outside[i]


def check_ir(m: BayesianMechanism, interim: bool = False, name: str | None = None) -> PropertyResult:
    kind = "interim IR" if interim else "ex-post IR"
    name = name or f"participation is individually rational ({kind})"
    for i in range(m.n):
        util, _ = _truth_and_gain(m, i)
        k = util.shape[0]
        truth = util[np.arange(k), np.array(m.truthful(i))]   # [t, others...]
        o = _outside(m, i)
        if interim:
            e, d = _interim(m, i, truth[:, np.newaxis, ...])
            for t in range(k):
                val = Fraction(int(e[t, 0]), d * m.den)
                if m.prior[i][t] != 0 and val < o:
                    return PropertyResult(name, "IR", Verdict.VIOLATED, "exact interim expectations",
                                          f"{m.agents[i]} of type {m.type_names[i][t]} expects {val} "
                                          f"< outside option {o}",
                                          {"kind": "participation", "agent": m.agents[i],
                                           "true_type": m.type_names[i][t], "expected_utility": val,
                                           "outside": o})
            continue
        bad = np.argwhere(truth.astype(object) * o.denominator < o.numerator * m.den)
        if len(bad):
            idx = tuple(int(x) for x in bad[0])
            val = Fraction(int(truth[idx]), m.den)
            return PropertyResult(name, "IR", Verdict.VIOLATED, "exhaustive exact enumeration",
                                  f"{m.agents[i]} of type {m.type_names[i][idx[0]]} gets {val} < {o}",
                                  {"kind": "participation", "agent": m.agents[i],
                                   "true_type": m.type_names[i][idx[0]],
                                   "others": _others(m, i, idx[1:]), "utility": val, "outside": o})
    return PropertyResult(name, "IR", Verdict.HOLDS, "exact", "every type of every agent is at least as "
                          "well off as its outside option", {"agents": m.n})


def check_budget(m: BayesianMechanism, strong: bool = False, name: str | None = None) -> PropertyResult:
    name = name or ("strong budget balance" if strong else "weak budget balance (no deficit)")
    total = _int_arrays(*m.pay)
    s = total[0].copy()
    for p in total[1:]:
        s = s + p
    if m.report_of is not None:
        s = s[np.ix_(*[np.array(r) for r in m.report_of])]
    bad = np.argwhere(s != 0) if strong else np.argwhere(s < 0)
    if len(bad):
        idx = tuple(int(x) for x in bad[0])
        val = Fraction(int(s[idx]), m.den)
        return PropertyResult(name, "budget", Verdict.VIOLATED, "exhaustive exact enumeration",
                              f"payments sum to {val} at reports {m.names(idx)}",
                              {"kind": "budget", "reports": m.names(idx), "net_payments": val})
    return PropertyResult(name, "budget", Verdict.HOLDS, "exhaustive exact enumeration",
                          "payments never sum to a deficit" if not strong else "payments always sum to 0",
                          {"type_profiles": int(s.size)})


def check_efficient(m: BayesianMechanism, name: str = "allocative efficiency") -> PropertyResult:
    if m.best_welfare is None or m.report_of is not None:
        raise SpecError.single("E703", "efficiency needs a direct mechanism with the best achievable "
                               "welfare per type profile", Span(m.name))
    w: Any = None
    for i in range(m.n):
        v = np.moveaxis(m.value[i].astype(object), 1 + i, 1)
        k = v.shape[0]
        tv = np.moveaxis(v[np.arange(k), np.arange(k)], 0, i)   # [reports] at truthful reports
        w = tv if w is None else w + tv
    bad = np.argwhere(w != m.best_welfare.astype(object))
    if len(bad):
        idx = tuple(int(x) for x in bad[0])
        return PropertyResult(name, "efficiency", Verdict.VIOLATED, "exhaustive exact enumeration",
                              f"at types {m.names(idx)} the welfare is {Fraction(int(w[idx]), m.den)}, "
                              f"the best is {Fraction(int(m.best_welfare[idx]), m.den)}",
                              {"kind": "inefficiency", "types": m.names(idx),
                               "welfare": Fraction(int(w[idx]), m.den),
                               "best": Fraction(int(m.best_welfare[idx]), m.den)})
    return PropertyResult(name, "efficiency", Verdict.HOLDS, "exhaustive exact enumeration",
                          "the outcome maximises the sum of values at every type profile",
                          {"type_profiles": int(w.size)})


def replay_misreport(m: BayesianMechanism, evidence: dict[str, Any]) -> Fraction:
    """Recompute a DSIC witness's gain with the scalar utility (exact)."""
    i = m.agents.index(evidence["agent"])
    t = m.type_names[i].index(evidence["true_type"])
    r = list(m.report_names[i] if m.report_names else m.type_names[i]).index(evidence["misreport"])
    others = evidence["others"]
    prof = [0] * m.n
    for j, a in enumerate(m.agents):
        if j != i:
            prof[j] = m.truthful(j)[m.type_names[j].index(others[a])]
    lie = tuple(prof[:i] + [r] + prof[i + 1:])
    truth = tuple(prof[:i] + [m.truthful(i)[t]] + prof[i + 1:])
    return m.utility(i, t, lie) - m.utility(i, t, truth)
