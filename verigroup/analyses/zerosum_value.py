"""The exact value of a two-agent constant-sum game: ``value(AGENT)``.

Normal form: the agent's maximin LP ``max v s.t. x^T A >= v, sum x = 1,
x >= 0`` is solved by HiGHS (floats, a proposal only); the primal ``x`` and
the dual ``y`` (the opponent's minimax strategy) are turned exact (rational
rounding, else an exact solve on the float solution's supports) and
*certified*: ``min_j (x^T A)_j == max_i (A y)_i`` in Fractions, which proves
both the value and the optimality of both strategies.  When no proposal
certifies, the exact mixed equilibria (:mod:`verigroup.solvers.bimatrix`)
decide: in a constant-sum game every Nash equilibrium is a saddle point.

Protocols (a game tree): :func:`verigroup.extensive.zerosum.zero_sum_value`.

A game whose payoffs do not add up to one constant is a positioned error
naming two profiles (or outcomes) with different sums.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

from verigroup.diagnostics import NO_SPAN, SpecError, Span
from verigroup.model.game import NormalFormGame
from verigroup.runtime import check_deadline, highs_options
from verigroup.solvers.rational import solve_least
from verigroup.verdicts import q

Matrix = list[list[Fraction]]


@dataclass(frozen=True)
class GameValue:
    """The value for ``agent`` and an optimal strategy of each side.

    ``strategy``/``opponent_strategy`` map action names to probabilities
    (normal form) or information-set labels to actions (protocols, where
    they are behaviour strategies).  ``total`` is the constant sum."""

    agent: str
    opponent: str
    value: Fraction
    total: Fraction
    strategy: dict[str, Any]
    opponent_strategy: dict[str, Any]
    method: str
    # protocols: behaviour strategies per information set (not a mixed profile)
    behaviour: bool = False

    def to_json(self) -> dict[str, Any]:
        def enc(d: dict[str, Any]) -> dict[str, Any]:
            return {k: (q(v) if isinstance(v, Fraction) else v) for k, v in d.items()}

        return {"agent": self.agent, "opponent": self.opponent, "value": q(self.value), "total": q(self.total),
                ("optimal_behaviour" if self.behaviour else "strategies"):
                    {self.agent: enc(self.strategy), self.opponent: enc(self.opponent_strategy)},
                "method": self.method}


def not_two_agents(n: int, span: Span) -> SpecError:
    return SpecError.single("E110", f"value(...) is the value of a two-agent constant-sum game; this game has "
                                    f"{n} agent{'s' if n != 1 else ''}", span,
                            "state the property over equilibria instead (for every mixed nash p: ...)")


def constant_sum_or_error(game: NormalFormGame, span: Span = NO_SPAN) -> Fraction:
    """The constant ``u1 + u2`` at every profile, or a positioned E110 that
    names two profiles with different sums."""
    first: tuple[tuple[int, ...], Fraction] | None = None
    for s in itertools.product(*(range(k) for k in game.shape)):
        tot = sum(game.payoff_vector(s), Fraction(0))
        if first is None:
            first = (s, tot)
        elif tot != first[1]:
            def show(p: tuple[int, ...]) -> str:
                return "{" + ", ".join(f"{a}: {x}" for a, x in game.profile_names(p).items()) + "}"

            raise SpecError.single(
                "E110", f"value(...) needs a constant-sum game, but the payoffs add up to {q(first[1])} at "
                        f"{show(first[0])} and to {q(tot)} at {show(s)}", span,
                "make the payoffs add up to one constant at every profile, or state the property over "
                "equilibria (for every mixed nash p: payoff(AGENT, p) >= ...)")
    assert first is not None
    return first[1]


def agent_matrix(game: NormalFormGame, me: int) -> Matrix:
    """``A[i][j]``: my payoff when I play my i-th action and the opponent
    its j-th."""
    other = 1 - me
    rows: Matrix = []
    for i in range(game.shape[me]):
        row = []
        for j in range(game.shape[other]):
            s = (i, j) if me == 0 else (j, i)
            row.append(game.payoff(me, s))
        rows.append(row)
    return rows


def guaranteed(a: Matrix, x: Sequence[Fraction]) -> Fraction:
    """What mixed strategy ``x`` of the row side guarantees: ``min_j x.A_j``."""
    return min(sum((x[i] * a[i][j] for i in range(len(a)) if x[i]), Fraction(0)) for j in range(len(a[0])))


def conceded(a: Matrix, y: Sequence[Fraction]) -> Fraction:
    """The most the row side gets against column strategy ``y``: ``max_i A_i.y``."""
    return max(sum((a[i][j] * y[j] for j in range(len(y)) if y[j]), Fraction(0)) for i in range(len(a)))


def is_distribution(p: Sequence[Fraction]) -> bool:
    return all(v >= 0 for v in p) and sum(p, Fraction(0)) == 1


def certify(a: Matrix, x: Sequence[Fraction], y: Sequence[Fraction]) -> Fraction | None:
    """The value when ``(x, y)`` is an exact saddle point, else None."""
    if not (is_distribution(x) and is_distribution(y)):
        return None
    lo, hi = guaranteed(a, x), conceded(a, y)
    return lo if lo == hi else None


def _float_lp(a: Matrix) -> tuple[list[float], list[float]] | None:
    import numpy as np
    from scipy.optimize import linprog

    m, n = len(a), len(a[0])
    af = np.array([[float(v) for v in row] for row in a])
    scale = max(1.0, float(np.abs(af).max()))
    af = af / scale
    # variables x_1..x_m, v ; minimise -v ; v - x.A_j <= 0 ; sum x = 1
    c = np.zeros(m + 1)
    c[-1] = -1.0
    a_ub = np.hstack([-af.T, np.ones((n, 1))])
    a_eq = np.hstack([np.ones((1, m)), np.zeros((1, 1))])
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(n), A_eq=a_eq, b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs", options=highs_options())
    check_deadline()
    if res.status != 0:
        return None
    y = [max(0.0, -float(v)) for v in res.ineqlin.marginals]
    return [float(v) for v in res.x[:m]], y


def _candidates(a: Matrix, xf: list[float], yf: list[float]) -> Any:
    for den in (10**2, 10**4, 10**6):
        x = [Fraction(v).limit_denominator(den) for v in xf]
        y = [Fraction(v).limit_denominator(den) for v in yf]
        sx, sy = sum(x, Fraction(0)), sum(y, Fraction(0))
        if sx > 0 and sy > 0:
            yield [v / sx for v in x], [v / sy for v in y]
    # exact solve on the supports: x.A_j = v for j in supp(y); A_i.y = v for i in supp(x)
    tol = 1e-9
    sx_ = [i for i, v in enumerate(xf) if v > tol]
    sy_ = [j for j, v in enumerate(yf) if v > tol]
    if not sx_ or not sy_:
        return
    rows = [[a[i][j] for i in sx_] + [Fraction(-1)] for j in sy_] + [[Fraction(1)] * len(sx_) + [Fraction(0)]]
    solx = solve_least(rows, [0] * len(sy_) + [1], len(sx_) + 1)
    rows = [[a[i][j] for j in sy_] + [Fraction(-1)] for i in sx_] + [[Fraction(1)] * len(sy_) + [Fraction(0)]]
    soly = solve_least(rows, [0] * len(sx_) + [1], len(sy_) + 1)
    if solx is None or soly is None:
        return
    x = [Fraction(0)] * len(a)
    y = [Fraction(0)] * len(a[0])
    for i, v in zip(sx_, solx):
        x[i] = v
    for j, v in zip(sy_, soly):
        y[j] = v
    yield x, y


def solve_matrix(a: Matrix) -> tuple[Fraction, list[Fraction], list[Fraction], str]:
    """Exact value and a certified saddle point of the zero-sum matrix game
    ``a`` (the row side maximises), by HiGHS + exact certification."""
    try:
        guess = _float_lp(a)
    except OverflowError:
        guess = None
    if guess is not None:
        for x, y in _candidates(a, *guess):
            check_deadline()
            v = certify(a, x, y)
            if v is not None:
                return v, x, y, "maximin LP (HiGHS) + exact saddle-point certificate"
    raise LookupError("no certified proposal")


def normal_form_value(game: NormalFormGame, agent: str, span: Span = NO_SPAN) -> GameValue:
    if game.num_players != 2:
        raise not_two_agents(game.num_players, span)
    if agent not in game.players:
        raise SpecError.single("E101", f"`{agent}` is not an agent of this game", span)
    total = constant_sum_or_error(game, span)
    me = game.players.index(agent)
    other = 1 - me
    a = agent_matrix(game, me)
    try:
        v, x, y, method = solve_matrix(a)
    except LookupError:
        from verigroup.analyses.mixed import mixed_equilibria

        eqs = mixed_equilibria(game)
        for pt in eqs.points:
            strat = pt.strategy  # type: ignore[attr-defined]
            x, y = list(strat[me]), list(strat[other])
            got = certify(a, x, y)
            if got is not None:
                v, method = got, f"exact mixed equilibrium ({eqs.method}) + exact saddle-point certificate"
                break
        else:
            from verigroup.runtime import DeadlineExceeded

            raise DeadlineExceeded()
    return GameValue(agent, game.players[other], v, total,
                     {act: p for act, p in zip(game.actions[me], x) if p != 0},
                     {act: p for act, p in zip(game.actions[other], y) if p != 0}, method)


def tree_value(tree: Any, agent: str, span: Span = NO_SPAN) -> GameValue:
    """The value of a protocol (game tree) for ``agent``."""
    from verigroup.extensive.zerosum import constant_sum, zero_sum_value

    if tree.num_players != 2:
        raise not_two_agents(tree.num_players, span)
    if constant_sum(tree) is None:
        first = None
        for leaf in tree.terminals():
            tot = sum(tree.payoff(leaf), Fraction(0))
            if first is None:
                first = (leaf, tot)
            elif tot != first[1]:
                raise SpecError.single(
                    "E110", f"value(...) needs a constant-sum game, but the payoffs add up to {q(first[1])} "
                            f"after {' / '.join(tree.path_moves(first[0])) or 'the root'} and to {q(tot)} after "
                            f"{' / '.join(tree.path_moves(leaf))}", span,
                    "make the payoffs add up to one constant at every outcome")
    zv = zero_sum_value(tree)
    me = tree.players.index(agent)
    other = 1 - me
    value = zv.value if me == 0 else zv.total - zv.value
    strategies = zv.strategies.to_json(tree)
    return GameValue(agent, tree.players[other], value, zv.total, dict(strategies.get(agent, {})),
                     dict(strategies.get(tree.players[other], {})), zv.method, behaviour=True)


# ------------------------------------------------------------ the property

_OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b,
        ">=": lambda a, b: a >= b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}


def compare(a: Fraction, op: str, b: Fraction) -> bool:
    return bool(_OPS[op](a, b))


def value_of(model: Any, agent: str, span: Span = NO_SPAN, max_profiles: int | None = None) -> GameValue:
    """``value(agent)`` of a resolved model: its protocol tree when it has
    one, else its normal form."""
    from verigroup.extensive.tree import GameTree

    if isinstance(model.protocol, GameTree):
        return tree_value(model.protocol, agent, span)
    if model.protocol is not None:
        raise SpecError.single("E110", "value(...) needs a finite game: this protocol repeats forever", span,
                               "state value(...) over the stage game in a spec of its own")
    game = model._cache.get("game")
    if game is None:
        from verigroup.evaluate import materialize

        game = materialize(model, max_profiles=max_profiles)
        model._cache["game"] = game
    return normal_form_value(game, agent, span)


def _register() -> None:
    from verigroup.analyses.pure import region_unsupported, result
    from verigroup.analyses.registry import Context, checker
    from verigroup.model.properties import ValueBound
    from verigroup.verdicts import PropertyResult, Verdict

    @checker(ValueBound)
    def check_value_bound(ctx: Context, prop: ValueBound) -> PropertyResult:
        if prop.region is not None:
            return region_unsupported(prop)
        gv = value_of(ctx.model, prop.agent, prop.span, ctx.options.get("max_profiles"))
        ok = compare(gv.value, prop.op, prop.bound)
        ev: dict[str, Any] = {"kind": "game_value", **gv.to_json(), "op": prop.op, "bound": q(prop.bound)}
        claim = f"value({prop.agent}) = {q(gv.value)} {'' if ok else 'not '}{prop.op} {q(prop.bound)}"
        if ok:
            return result(prop, Verdict.HOLDS, gv.method, claim + " (both sides' optimal strategies certify "
                          "the value exactly)", ev)
        return result(prop, Verdict.VIOLATED, gv.method, claim, ev)


_register()
