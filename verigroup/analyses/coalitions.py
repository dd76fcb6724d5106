"""Coalitions and adversaries: strong, coalition-proof and k-resilient
profiles, t-immunity and (k,t)-robustness, on the exact payoff tensor.

Definitions (``s`` is the pure profile under audit, ``u_i`` exact payoffs):

* **k-resilient** (``CoalitionStable(kind="resilient", k)``): no coalition
  ``C`` with ``1 <= |C| <= k`` has a joint deviation ``s'_C`` making every
  member strictly better off (Aumann's strong-equilibrium notion restricted
  to size ``k``).  The *weak* variant also rejects deviations where every
  member is weakly better off and some member strictly.  1-resilient = Nash.
* **strong** Nash: k-resilient with ``k`` = the number of agents.
* **coalition-proof** Nash (Bernheim, Peleg, Whinston, "Coalition-proof Nash
  equilibria I. Concepts", J. Econ. Theory 42, 1987, Definition 2): with one
  player, ``s`` is CPNE iff it maximises her payoff; with ``n > 1``, ``s`` is
  *self-enforcing* if for every proper coalition ``J`` the restriction
  ``s_J`` is a CPNE of the game among ``J`` with the others fixed at
  ``s_{-J}``, and ``s`` is CPNE if it is self-enforcing and no other
  self-enforcing profile makes *every* player strictly better off.
  Implemented exactly by memoised recursion over (coalition, others'
  actions); size-guarded (:data:`CPNE_LIMIT`).
* **t-immune** (Abraham, Dolev, Gonen, Halpern, "Distributed computing meets
  game theory: robust mechanisms for rational secret sharing and multiparty
  computation", PODC 2006): for every set ``T`` of at most ``t`` agents and
  every joint deviation ``τ_T``, every agent outside ``T`` gets at least its
  payoff at ``s``.  With a ``condition`` (``immune(coop, t = 1, welfare >=
  2)``) the condition, evaluated at every such deviated profile, replaces the
  payoff test.
* **(k,t)-robust** (ADGH 2006): ``s`` is t-immune and for all disjoint ``C``,
  ``T`` with ``1 <= |C| <= k``, ``|T| <= t``, every ``τ_T``, every ``φ_C``
  and every ``i ∈ C``: ``u_i(s_{-T}, τ_T) >= u_i(s_{-(C∪T)}, φ_C, τ_T)``.
  Note ADGH's resilience is the strong form: *no single member* of ``C`` may
  gain (side payments are possible), so ``(k,0)``-robust is stronger than
  ``k``-resilient above.

Search: one vectorised slice per coalition (the others fixed at ``s``, the
members' axes free), compared against the members' payoffs at ``s`` and
AND-ed; members that can never gain anything (their best payoff anywhere is
no better than at ``s``) are dropped from every coalition of the strict
notions.  Evidence: see :func:`_coalition_evidence`; HOLDS carries
``{"method": "exhaustive", "profile": {AGENT: ACTION}, "coalitions_checked": N,
"deviations_checked": M}`` (the profile is the property's own, as in every
profile property's certificate).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

from verigroup.analyses.registry import Context, checker
from verigroup.runtime import check_deadline
from verigroup.diagnostics import SpecError, TooLarge
from verigroup.model.game import NormalFormGame
from verigroup.model.properties import CoalitionStable, Immune, Profile, Robust
from verigroup.verdicts import PropertyResult, Verdict, q

SEARCH_LIMIT = 50_000_000  # deviations examined by one check
CPNE_LIMIT = 3_000_000  # (coalition, context, profile) triples in the CPNE recursion


@dataclass(frozen=True)
class CoalitionDeviation:
    coalition: tuple[int, ...]
    deviation: tuple[int, ...]  # new actions of the coalition's members


@dataclass(frozen=True)
class SearchResult:
    found: CoalitionDeviation | None
    coalitions_checked: int
    deviations_checked: int


# ---------------------------------------------------------------- helpers


def profile_indices(game: NormalFormGame, profile: Profile) -> tuple[int, ...]:
    if len(profile.actions) != game.num_players:
        raise SpecError.single("E110", f"profile names {len(profile.actions)} actions for "
                               f"{game.num_players} agents", profile.span)
    out = []
    for i, a in enumerate(profile.actions):
        if a not in game.actions[i]:
            from verigroup.diagnostics import did_you_mean

            raise SpecError.single("E104", f"{game.players[i]} has no action {a!r}", profile.span,
                                   did_you_mean(a, game.actions[i]))
        out.append(game.actions[i].index(a))
    return tuple(out)


def _slice(game: NormalFormGame, player: int, profile: Sequence[int],
           free: Sequence[int]) -> np.ndarray:
    """``player``'s payoffs with the agents in ``free`` (sorted) ranging over
    their actions and every other agent at ``profile``."""
    idx: list[Any] = list(profile)
    for j in free:
        idx[j] = slice(None)
    return np.asarray(game.payoffs[player].values[tuple(idx)])


def _count_subsets(n: int, k: int) -> int:
    return sum(math.comb(n, s) for s in range(1, min(k, n) + 1))


def _subsets(items: Sequence[int], kmax: int, kmin: int = 1) -> Iterator[tuple[int, ...]]:
    for size in range(kmin, min(kmax, len(items)) + 1):
        yield from itertools.combinations(items, size)


def _guard(game: NormalFormGame, k: int, what: str) -> None:
    sizes = game.shape
    # Upper bound on the deviations examined: sum over coalitions of |S_C|.
    top = sorted(sizes, reverse=True)
    bound = _count_subsets(len(sizes), k) * math.prod(top[: min(k, len(top))])
    if bound > SEARCH_LIMIT:
        raise TooLarge.single("E202", f"{what}: up to {bound:,} joint deviations to examine "
                              f"(limit {SEARCH_LIMIT:,})", hint="lower k/t, or check fewer agents")


# -------------------------------------------------------- coalition search


def find_coalition_deviation(game: NormalFormGame, profile: tuple[int, ...], k: int,
                             weak: bool = False) -> SearchResult:
    """The first (by size, then agent order, then deviation order) coalition
    of at most ``k`` agents with a jointly improving deviation from ``profile``."""
    n = game.num_players
    _guard(game, k, "coalition search")
    cur = [game.payoffs[j].values[profile] for j in range(n)]
    if weak:
        candidates = list(range(n))
    else:  # strict: an agent whose best payoff anywhere is <= current never gains
        candidates = [j for j in range(n) if game.payoffs[j].values.max() > cur[j]]
    checked = devs = 0
    for coal in _subsets(candidates, k):
        check_deadline()
        checked += 1
        mask: np.ndarray | None = None
        some_strict: np.ndarray | None = None
        for j in coal:
            sub = _slice(game, j, profile, coal)
            if weak:
                m = np.asarray(sub >= cur[j], dtype=bool)
                st = np.asarray(sub > cur[j], dtype=bool)
                some_strict = st if some_strict is None else (some_strict | st)
            else:
                m = np.asarray(sub > cur[j], dtype=bool)
            mask = m if mask is None else (mask & m)
            if not mask.any():
                break
        assert mask is not None
        devs += mask.size
        if weak and some_strict is not None:
            mask = mask & some_strict
        if mask.any():
            dev = tuple(int(v) for v in np.argwhere(mask)[0])
            return SearchResult(CoalitionDeviation(coal, dev), checked, devs)
    return SearchResult(None, checked, devs)


def _apply(profile: tuple[int, ...], members: Sequence[int], actions: Sequence[int]) -> tuple[int, ...]:
    p = list(profile)
    for j, a in zip(members, actions):
        p[j] = a
    return tuple(p)


def _names(game: NormalFormGame, profile: Sequence[int]) -> dict[str, str]:
    return {game.players[i]: game.actions[i][a] for i, a in enumerate(profile)}


def _payoffs(game: NormalFormGame, profile: tuple[int, ...]) -> dict[str, str]:
    return {game.players[i]: q(game.payoff(i, profile)) for i in range(game.num_players)}


def _coalition_evidence(game: NormalFormGame, profile: tuple[int, ...],
                        d: CoalitionDeviation) -> dict[str, Any]:
    after = _apply(profile, d.coalition, d.deviation)
    return {
        "kind": "coalition",
        "coalition": [game.players[j] for j in d.coalition],
        "deviation": {game.players[j]: game.actions[j][a] for j, a in zip(d.coalition, d.deviation)},
        "gains": {game.players[j]: q(game.payoff(j, after) - game.payoff(j, profile)) for j in d.coalition},
        "profile": _names(game, profile),
        "deviated_profile": _names(game, after),
        "payoffs_before": _payoffs(game, profile),
        "payoffs_after": _payoffs(game, after),
    }


def _result(prop: Any, verdict: Verdict, method: str, message: str, evidence: dict[str, Any]) -> PropertyResult:
    return PropertyResult(prop.name, type(prop).__name__, verdict, method, message, evidence, prop.span)


# ------------------------------------------------------------ coalition-proof


class _CPNE:
    """Bernheim–Peleg–Whinston coalition-proof Nash equilibria, exactly.

    ``cpne(J, ctx)``: the CPNE of the game among the agents ``J`` (sorted)
    with every other agent fixed as in the full-length profile ``ctx``
    (entries of ``J`` ignored), as a frozenset of action tuples of ``J``."""

    def __init__(self, game: NormalFormGame) -> None:
        self.game = game
        self.memo: dict[tuple[tuple[int, ...], tuple[int, ...]], frozenset[tuple[int, ...]]] = {}
        self.work = 0

    def _key(self, J: tuple[int, ...], ctx: Sequence[int]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        c = list(ctx)
        for j in J:
            c[j] = -1
        return J, tuple(c)

    def self_enforcing(self, J: tuple[int, ...], ctx: Sequence[int]) -> list[tuple[int, ...]]:
        out = []
        for t in itertools.product(*(range(self.game.shape[j]) for j in J)):
            self.work += 1
            if self.work > CPNE_LIMIT:
                raise TooLarge.single("E202", f"coalition-proofness needs more than {CPNE_LIMIT:,} "
                                      "recursive checks", hint="use strong or resilient(k) instead")
            check_deadline()
            full = _apply(tuple(ctx), J, t)
            if all(tuple(full[j] for j in sub) in self.cpne(sub, full)
                   for size in range(1, len(J)) for sub in itertools.combinations(J, size)):
                out.append(t)
        return out

    def cpne(self, J: tuple[int, ...], ctx: Sequence[int]) -> frozenset[tuple[int, ...]]:
        key = self._key(J, ctx)
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        if len(J) == 1:
            vals = _slice(self.game, J[0], ctx, J)
            best = vals.max()
            res: frozenset[tuple[int, ...]] = frozenset((int(a),) for a in np.flatnonzero(vals == best))
        else:
            se = self.self_enforcing(J, ctx)
            res = frozenset(t for t in se if self.dominator(J, ctx, t, se) is None)
        self.memo[key] = res
        return res

    def dominator(self, J: tuple[int, ...], ctx: Sequence[int], t: tuple[int, ...],
                  candidates: Sequence[tuple[int, ...]]) -> tuple[int, ...] | None:
        base = _apply(tuple(ctx), J, t)
        vals = [self.game.payoffs[j].values for j in J]
        for c in candidates:
            alt = _apply(tuple(ctx), J, c)
            if all(v[alt] > v[base] for v in vals):
                return c
        return None


def _cpne_guard(game: NormalFormGame) -> None:
    est = math.prod(game.shape) * 3 ** game.num_players
    if est > 20 * CPNE_LIMIT:
        raise TooLarge.single("E202", f"coalition-proofness of a game with {game.num_players} agents and "
                              f"{game.num_profiles:,} profiles is too large to decide exactly",
                              hint="use strong or resilient(k) instead")


def check_coalition_proof(game: NormalFormGame, profile: tuple[int, ...]) -> tuple[bool, dict[str, Any]]:
    _cpne_guard(game)
    solver = _CPNE(game)
    n = game.num_players
    everyone = tuple(range(n))
    for size in range(1, n + 1):
        for J in itertools.combinations(everyone, size):
            sJ = tuple(profile[j] for j in J)
            if sJ in solver.cpne(J, profile):
                continue
            # Minimal failing coalition: s_J is self-enforcing within J, so a
            # self-enforcing deviation of J makes every member strictly better.
            if size == 1:
                vals = _slice(game, J[0], profile, J)
                better: tuple[int, ...] | None = (int(vals.argmax()),)
            else:
                better = solver.dominator(J, profile, sJ, solver.self_enforcing(J, profile))
            assert better is not None
            ev = _coalition_evidence(game, profile, CoalitionDeviation(J, better))
            ev["why"] = ("the deviation is itself self-enforcing (no sub-coalition wants to deviate "
                         "from it) and makes every member strictly better off")
            return False, ev
    return True, {"method": "exhaustive", "profile": _names(game, profile),
                  "recursion": "Bernheim-Peleg-Whinston 1987",
                  "subgames_solved": len(solver.memo), "profiles_checked": solver.work}


@checker(CoalitionStable)
def check_coalition_stable(ctx: Context, prop: CoalitionStable) -> PropertyResult:
    game = ctx.game
    s = profile_indices(game, prop.profile)
    n = game.num_players
    if prop.kind == "coalition_proof":
        ok, ev = check_coalition_proof(game, s)
        return _result(prop, Verdict.HOLDS if ok else Verdict.VIOLATED, "exhaustive",
                       "coalition-proof Nash equilibrium" if ok else
                       "a coalition has a self-enforcing improving deviation", ev)
    k = n if prop.kind == "strong" else int(prop.k if prop.k is not None else n)
    warning = None
    if k > n:
        warning = f"k = {k} exceeds the number of agents ({n}); every coalition was checked"
    if k < 1:
        raise SpecError.single("E110", f"coalition size k must be at least 1, got {k}", prop.span)
    res = find_coalition_deviation(game, s, min(k, n), prop.weak)
    if res.found is not None:
        ev = _coalition_evidence(game, s, res.found)
    else:
        ev = {"method": "exhaustive", "profile": _names(game, s), "coalitions_checked": res.coalitions_checked,
              "deviations_checked": res.deviations_checked, "max_coalition": min(k, n),
              "variant": "weak" if prop.weak else "strict"}
    if warning:
        ev["warning"] = warning
    label = "strong Nash" if prop.kind == "strong" else f"{k}-resilient"
    if res.found is not None:
        return _result(prop, Verdict.VIOLATED, "exhaustive",
                       f"not {label}: coalition {ev['coalition']} gains by deviating jointly", ev)
    return _result(prop, Verdict.HOLDS, "exhaustive", f"{label}: no coalition gains", ev)


# --------------------------------------------------------------- immunity


def _condition_tensor(ctx: Context, prop: Immune) -> np.ndarray:
    key = ("immune_condition", prop.condition)
    hit = ctx.model._cache.get(key)  # type: ignore[call-overload]
    if hit is None:
        from verigroup.evaluate import evaluate_tensor

        hit = np.asarray(evaluate_tensor(ctx.model, prop.condition))  # type: ignore[arg-type]
        if hit.dtype != bool:
            raise SpecError.single("E107", "the immunity condition must be a condition, not a number",
                                   getattr(prop.condition, "span", prop.span))
        ctx.model._cache[key] = hit  # type: ignore[index]
    return hit  # type: ignore[no-any-return]


def find_immunity_violation(game: NormalFormGame, profile: tuple[int, ...], t: int,
                            condition: np.ndarray | None = None) -> tuple[dict[str, Any] | None, int, int]:
    """First (T, τ_T, victim) breaking t-immunity; with ``condition`` (a
    bool tensor) the first deviated profile where it is false."""
    n = game.num_players
    _guard(game, t, "immunity search")
    cur = [game.payoffs[j].values[profile] for j in range(n)]
    checked = devs = 0
    for T in _subsets(range(n), t):
        check_deadline()
        checked += 1
        idx: list[Any] = list(profile)
        for j in T:
            idx[j] = slice(None)
        if condition is not None:
            sub = np.asarray(condition[tuple(idx)], dtype=bool)
            devs += sub.size
            bad = np.argwhere(~sub)
            if len(bad):
                dev = tuple(int(v) for v in bad[0])
                return {"T": T, "dev": dev}, checked, devs
            continue
        for j in range(n):
            if j in T:
                continue
            sub = _slice(game, j, profile, T)
            devs += sub.size
            bad = np.argwhere(np.asarray(sub < cur[j], dtype=bool))
            if len(bad):
                dev = tuple(int(v) for v in bad[0])
                return {"T": T, "dev": dev, "victim": j}, checked, devs
    return None, checked, devs


@checker(Immune)
def check_immune(ctx: Context, prop: Immune) -> PropertyResult:
    game = ctx.game
    s = profile_indices(game, prop.profile)
    n = game.num_players
    if prop.t < 0:
        raise SpecError.single("E110", f"the number of adversaries must be >= 0, got {prop.t}", prop.span)
    cond = _condition_tensor(ctx, prop) if prop.condition is not None else None
    ev: dict[str, Any]
    if cond is not None and not bool(cond[s]):
        ev = {"kind": "condition", "why": "the condition is false at the profile itself",
              "profile": _names(game, s), "payoffs": _payoffs(game, s),
              "metrics": {m: q(mt.tensor.at(s)) for m, mt in sorted(game.metrics.items())}}
        return _result(prop, Verdict.VIOLATED, "exhaustive", "the condition fails without any adversary", ev)
    found, checked, devs = find_immunity_violation(game, s, min(prop.t, n), cond)
    if found is None:
        ev = {"method": "exhaustive", "profile": _names(game, s), "coalitions_checked": checked,
              "deviations_checked": devs, "adversaries": prop.t}
        if prop.t >= n:
            ev["warning"] = f"t = {prop.t} adversaries is at least the number of agents ({n})"
        return _result(prop, Verdict.HOLDS, "exhaustive",
                       f"{prop.t}-immune: no set of at most {prop.t} adversaries can "
                       + ("break the condition" if cond is not None else "lower another agent's payoff"), ev)
    T, dev = found["T"], found["dev"]
    after = _apply(s, T, dev)
    ev = {
        "kind": "adversaries",
        "adversaries": [game.players[j] for j in T],
        "deviation": {game.players[j]: game.actions[j][a] for j, a in zip(T, dev)},
        "profile": _names(game, s),
        "deviated_profile": _names(game, after),
        "payoffs_before": _payoffs(game, s),
        "payoffs_after": _payoffs(game, after),
    }
    if "victim" in found:
        v = found["victim"]
        ev["victim"] = game.players[v]
        ev["loss"] = q(game.payoff(v, s) - game.payoff(v, after))
        msg = f"adversaries {ev['adversaries']} can lower {ev['victim']}'s payoff by {ev['loss']}"
    else:
        ev["metrics_after"] = {m: q(mt.tensor.at(after)) for m, mt in sorted(game.metrics.items())}
        ev["why"] = "the condition is false at the deviated profile"
        msg = f"adversaries {ev['adversaries']} can make the condition false"
    return _result(prop, Verdict.VIOLATED, "exhaustive", msg, ev)


# ------------------------------------------------------------- robustness


def find_robustness_violation(game: NormalFormGame, profile: tuple[int, ...], k: int,
                              t: int) -> tuple[dict[str, Any] | None, int, int]:
    """The ADGH resilience part of (k,t)-robustness: disjoint C, T, a τ_T and
    φ_C after which some member of C is strictly better off than at
    (s_{-T}, τ_T)."""
    n = game.num_players
    _guard(game, k + t, "robustness search")
    checked = devs = 0
    Ts: list[tuple[int, ...]] = [()] + list(_subsets(range(n), t))
    for T in Ts:
        rest = [j for j in range(n) if j not in T]
        for C in _subsets(rest, k):
            check_deadline()
            checked += 1
            free = tuple(sorted(T + C))
            c_axes = tuple(free.index(j) for j in C)
            for i in C:
                U = _slice(game, i, profile, free)
                base_idx: list[Any] = [slice(None)] * len(free)
                for ax, j in zip(c_axes, C):
                    base_idx[ax] = slice(profile[j], profile[j] + 1)
                base = U[tuple(base_idx)]
                devs += U.size
                bad = np.argwhere(np.asarray(U > base, dtype=bool))
                if len(bad):
                    acts = tuple(int(v) for v in bad[0])
                    return {"T": T, "C": C, "free": free, "acts": acts, "gainer": i}, checked, devs
    return None, checked, devs


@checker(Robust)
def check_robust(ctx: Context, prop: Robust) -> PropertyResult:
    game = ctx.game
    s = profile_indices(game, prop.profile)
    n = game.num_players
    if prop.k < 0 or prop.t < 0:
        raise SpecError.single("E110", "k and t must be >= 0", prop.span)
    found, c1, d1 = find_immunity_violation(game, s, min(prop.t, n))
    if found is not None:
        T, dev = found["T"], found["dev"]
        after = _apply(s, T, dev)
        v = found["victim"]
        ev = {"kind": "adversaries", "part": "t-immunity",
              "adversaries": [game.players[j] for j in T],
              "deviation": {game.players[j]: game.actions[j][a] for j, a in zip(T, dev)},
              "victim": game.players[v], "loss": q(game.payoff(v, s) - game.payoff(v, after)),
              "profile": _names(game, s), "deviated_profile": _names(game, after),
              "payoffs_before": _payoffs(game, s), "payoffs_after": _payoffs(game, after)}
        return _result(prop, Verdict.VIOLATED, "exhaustive",
                       f"not {prop.t}-immune: {ev['adversaries']} can hurt {ev['victim']}", ev)
    found, c2, d2 = find_robustness_violation(game, s, min(prop.k, n), min(prop.t, n))
    if found is None:
        return _result(prop, Verdict.HOLDS, "exhaustive", f"({prop.k},{prop.t})-robust",
                       {"method": "exhaustive", "profile": _names(game, s), "coalitions_checked": c1 + c2,
                        "deviations_checked": d1 + d2, "definition": "Abraham-Dolev-Gonen-Halpern 2006"})
    T, C, free, acts, i = found["T"], found["C"], found["free"], found["acts"], found["gainer"]
    full = _apply(s, free, acts)
    with_t = _apply(s, T, [full[j] for j in T])
    ev = {"kind": "coalition", "part": "resilience under adversaries",
          "adversaries": [game.players[j] for j in T],
          "adversary_deviation": {game.players[j]: game.actions[j][full[j]] for j in T},
          "coalition": [game.players[j] for j in C],
          "deviation": {game.players[j]: game.actions[j][full[j]] for j in C},
          "gainer": game.players[i],
          "gains": {game.players[i]: q(game.payoff(i, full) - game.payoff(i, with_t))},
          "profile": _names(game, s), "deviated_profile": _names(game, full),
          "payoffs_before": _payoffs(game, with_t), "payoffs_after": _payoffs(game, full)}
    return _result(prop, Verdict.VIOLATED, "exhaustive",
                   f"not ({prop.k},{prop.t})-robust: {game.players[i]} gains in coalition {ev['coalition']}", ev)
