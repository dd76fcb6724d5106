"""Mixed equilibria of games with more than two agents.

Exact engine: *support enumeration*.  For every support profile
``(S_1, …, S_k)`` the equilibria with exactly these supports are the
solutions of the polynomial system

    sigma_i(a) > 0 (a in S_i),  sum_a sigma_i(a) = 1,
    u_i(a, sigma_-i) = v_i (a in S_i),   u_i(b, sigma_-i) <= v_i (b not in S_i),

which Z3's nlsat procedure decides exactly over the reals and answers with
algebraic numbers.  Solutions are enumerated by blocking each one found;
rational solutions are reported exactly, irrational ones (e.g. the 2x2x2
game whose unique equilibrium is about (0.6192, 0.4798, 0.3788)) as an
exact rational approximation with ``exact=False``, its exact epsilon (the
maximal regret computed in Fractions) and the algebraic numbers as Z3
``root-obj`` text.  ``complete=True`` only when every support system was
decided and had finitely many solutions (at most ``max_per_support``).

Heuristic engines: pygambit ``enumpoly``, ``simpdiv``, ``gnm``, ``logit``,
each in a forked subprocess with a hard timeout (they can hang); every
profile they return is rationalised and re-verified exactly, and reported
approximate with its exact epsilon when the regret is not zero.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing as mp
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

from verigroup.runtime import DeadlineExceeded, check_deadline, progress, remaining
from verigroup.model.game import NormalFormGame
from verigroup.solvers.rational import from_floats, max_regret

Strategy = tuple[tuple[Fraction, ...], ...]
MAX_SUPPORT_PROFILES = 20_000
GAMBIT_METHODS = ("enumpoly", "simpdiv", "gnm", "logit")


@dataclass(frozen=True)
class NEquilibrium:
    strategy: Strategy
    exact: bool = True
    epsilon: Fraction = Fraction(0)
    algebraic: tuple[tuple[str, ...], ...] | None = None
    source: str = "support-enumeration"


@dataclass(frozen=True)
class NPlayerResult:
    equilibria: tuple[NEquilibrium, ...]
    complete: bool
    method: str
    reason: str = ""
    continuum: bool = False
    stats: dict[str, Any] = field(default_factory=dict, compare=False)


def _supports(n: int) -> list[tuple[int, ...]]:
    out: list[tuple[int, ...]] = []
    for size in range(1, n + 1):
        out.extend(itertools.combinations(range(n), size))
    return out


def solve_nplayer(game: NormalFormGame, engines: Sequence[str] = ("support",),
                  max_per_support: int = 8, call_timeout: float = 20.0) -> NPlayerResult:
    """Mixed equilibria of an n-agent game (see the module docstring)."""
    found: list[NEquilibrium] = []
    complete = "support" in engines
    reasons: list[str] = []
    continuum = False
    stats: dict[str, Any] = {}
    if "support" in engines:
        n_prof = math.prod(2 ** k - 1 for k in game.shape)
        stats["support_profiles"] = n_prof
        if n_prof > MAX_SUPPORT_PROFILES:
            complete = False
            reasons.append(f"{n_prof} support profiles exceed the limit {MAX_SUPPORT_PROFILES}")
        else:
            try:
                ok, cont, why = _support_enumeration(game, found, max_per_support, call_timeout)
                continuum = cont
                if not ok:
                    complete = False
                    reasons.append(why)
            except DeadlineExceeded:
                complete = False
                reasons.append("timeout")
    for meth in engines:
        if meth == "support":
            continue
        rem = remaining()
        budget = call_timeout if rem is None else min(call_timeout, rem)
        if budget <= 0:
            reasons.append(f"{meth}: timeout")
            continue
        try:
            cands = gambit_profiles(game, meth, budget)
        except TimeoutError:
            reasons.append(f"{meth}: timeout after {budget:.1f} s")
            continue
        except Exception as exc:  # engine failure: record and go on
            reasons.append(f"{meth}: {type(exc).__name__}: {exc}")
            continue
        for c in cands:
            _add(found, rationalize(game, c, f"pygambit {meth}"))
    method = " + ".join("exact support enumeration (z3 nlsat)" if e == "support" else f"pygambit {e}"
                        for e in engines)
    eqs = tuple(sorted(found, key=lambda e: (not e.exact, e.strategy)))
    return NPlayerResult(eqs, complete, method, "; ".join(reasons), continuum, stats)


def _add(found: list[NEquilibrium], eq: NEquilibrium) -> None:
    for old in found:
        if old.strategy == eq.strategy:
            return
        if not (old.exact and eq.exact) and _close(old.strategy, eq.strategy):
            if eq.epsilon < old.epsilon:  # keep the better approximation
                found[found.index(old)] = eq
            return
    found.append(eq)


def _close(a: Strategy, b: Strategy, tol: float = 1e-6) -> bool:
    return all(abs(float(x) - float(y)) <= tol for sa, sb in zip(a, b) for x, y in zip(sa, sb))


def rationalize(game: NormalFormGame, floats: Sequence[Sequence[float]], source: str) -> NEquilibrium:
    strat = tuple(from_floats(s) for s in floats)
    eps = max_regret(game, strat)
    return NEquilibrium(strat, eps == 0, eps, None, source)


def _support_enumeration(game: NormalFormGame, found: list[NEquilibrium], max_per_support: int,
                         call_timeout: float) -> tuple[bool, bool, str]:
    import z3

    k = game.num_players
    shape = game.shape
    pays = [game.payoffs[i].values for i in range(k)]
    ok = True
    continuum = False
    why = ""
    n_supports = math.prod(2 ** n - 1 for n in shape)
    for k_supp, supp in enumerate(itertools.product(*[_supports(n) for n in shape])):
        check_deadline()
        progress.step(k_supp, n_supports, "z3 support enumeration: support")
        s = z3.Solver()
        rem = remaining()
        budget = call_timeout if rem is None else max(0.001, min(call_timeout, rem))
        s.set("timeout", int(budget * 1000))
        var = [{a: z3.Real(f"s{i}_{a}") for a in supp[i]} for i in range(k)]
        for i in range(k):
            for a in supp[i]:
                s.add(var[i][a] > 0)
            s.add(z3.Sum(list(var[i].values())) == 1)
        for i in range(k):
            others: list[tuple[int, ...]] = [supp[j] if j != i else (-1,) for j in range(k)]
            vals = []
            for b in range(shape[i]):
                terms = []
                for prof in itertools.product(*others):
                    full = tuple(b if j == i else prof[j] for j in range(k))
                    coef = int(pays[i][full])
                    if coef == 0:
                        continue
                    factors = [var[j][prof[j]] for j in range(k) if j != i]
                    terms.append(coef * _prod(factors) if factors else z3.IntVal(coef))
                vals.append(z3.Sum(terms) if terms else z3.RealVal(0))
            v = vals[supp[i][0]]
            for b in range(shape[i]):
                if b in supp[i]:
                    if b != supp[i][0]:
                        s.add(vals[b] == v)
                else:
                    s.add(vals[b] <= v)
        flat = [(i, a, var[i][a]) for i in range(k) for a in supp[i]]
        count = 0
        while True:
            check_deadline()
            res = s.check()
            if res == z3.unsat:
                break
            if res == z3.unknown:
                ok = False
                why = f"z3 returned unknown on support {supp}: {s.reason_unknown()}"
                break
            if count >= max_per_support:
                ok = False
                continuum = True
                why = f"more than {max_per_support} solutions on support {supp} (a continuum?)"
                break
            m = s.model()
            vals_m = {(i, a): m.eval(x, model_completion=True) for i, a, x in flat}
            found.append(_from_model(game, supp, vals_m))
            count += 1
            s.add(z3.Or([x != vals_m[(i, a)] for i, a, x in flat]))
        if not ok and not continuum and "unknown" in why:
            continue
    return ok, continuum, why


def _prod(factors: list[Any]) -> Any:
    out = factors[0]
    for f in factors[1:]:
        out = out * f
    return out


def _from_model(game: NormalFormGame, supp: tuple[tuple[int, ...], ...], vals: dict[Any, Any]) -> NEquilibrium:
    import z3

    exact = True
    strat: list[tuple[Fraction, ...]] = []
    alg: list[tuple[str, ...]] = []
    for i, n in enumerate(game.shape):
        row: list[Fraction] = []
        arow: list[str] = []
        for a in range(n):
            if a not in supp[i]:
                row.append(Fraction(0))
                arow.append("0")
                continue
            v = vals[(i, a)]
            if z3.is_rational_value(v):
                row.append(Fraction(v.numerator_as_long(), v.denominator_as_long()))
                arow.append(str(row[-1]))
            else:
                exact = False
                approx = v.approx(40)
                row.append(Fraction(approx.numerator_as_long(), approx.denominator_as_long()))
                arow.append(v.sexpr())
        if not exact:
            total = sum(row, Fraction(0))
            row = [x / total for x in row]
        strat.append(tuple(row))
        alg.append(tuple(arow))
    st = tuple(strat)
    if exact:
        if max_regret(game, st) != 0:  # pragma: no cover - z3 bug
            raise AssertionError("support enumeration produced a non-equilibrium")
        return NEquilibrium(st)
    return NEquilibrium(st, False, max_regret(game, st), tuple(alg))


# ------------------------------------------------------------ pygambit


def _gambit_child(arrays: list[list[Any]], shape: tuple[int, ...], method: str, conn: Any) -> None:
    try:
        import numpy as np
        import pygambit as gbt

        nps = [np.array(a, dtype=object).reshape(shape) for a in arrays]
        g = gbt.Game.from_arrays(*nps)
        if method == "enumpoly":
            res = gbt.nash.enumpoly_solve(g, use_strategic=True)
        elif method == "simpdiv":
            res = gbt.nash.simpdiv_solve(g.mixed_strategy_profile(rational=True))
        elif method == "gnm":
            res = gbt.nash.gnm_solve(g)
        elif method == "logit":
            res = gbt.nash.logit_solve(g, use_strategic=True)
        else:
            raise ValueError(f"unknown pygambit method {method}")
        out = [[[float(eq[s]) for s in p.strategies] for p in g.players] for eq in res.equilibria]
        conn.send(("ok", out))
    except BaseException as exc:  # report to the parent
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def gambit_profiles(game: NormalFormGame, method: str, timeout: float) -> list[list[list[float]]]:
    """Float profiles from one pygambit engine, run in a forked process that
    is killed after ``timeout`` seconds (``TimeoutError``)."""
    if method not in GAMBIT_METHODS:
        raise ValueError(f"unknown pygambit method {method!r}")
    arrays = [[Fraction(int(v), t.denominator) for v in t.values.flat] for t in game.payoffs]
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_gambit_child, args=(arrays, game.shape, method, child), daemon=True)
    proc.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise TimeoutError(method)
        status, payload = parent.recv()
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(1)
        parent.close()
    if status != "ok":
        raise RuntimeError(payload)
    return payload
