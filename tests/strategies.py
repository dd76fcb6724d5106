"""Shared generators of games and models for tests (hypothesis strategies and
explicitly seeded numpy generators).

Games
  * :func:`games` -- n-player NormalFormGames with integer payoffs (ties
    likely with the default range 0..9);
  * :func:`zero_sum_games`, :func:`symmetric_games`, :func:`degenerate_games`;
  * :func:`random_game` / :func:`random_payoffs` -- the same from an explicit
    seed (for differential runs and benchmarks).

Models (built straight from IR nodes, no parser needed)
  * :func:`model_from_exprs` -- a Model with one agent family and metrics;
  * :func:`public_goods_model` -- the classic n-agent public-goods game;
  * :func:`table_model` -- a Model whose payoffs are decision-tree
    expressions equal to a given payoff table;
  * :func:`num_exprs` / :func:`bool_exprs` -- random expressions over a small
    model (actions, aggregates, division, payoff/metric references).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Sequence

import numpy as np
from hypothesis import strategies as st

from verigroup.model.expr import (
    ActionIs, AgentRef, Aggregate, Arith, BoolConst, Call, Compare, Cond, Expr, IndexVar, Logic,
    MetricOf, Neg, Not, Num, ParamRef, PayoffOf, SameAction,
)
from verigroup.model.game import NormalFormGame
from verigroup.model.model import Agent, Metric, Model, Param

# ------------------------------------------------------------------ games


def action_names(k: int) -> tuple[str, ...]:
    return tuple(f"s{j}" for j in range(k))


def player_names(n: int) -> tuple[str, ...]:
    return tuple(f"p{i}" for i in range(1, n + 1))


def game_from_arrays(arrays: Sequence[np.ndarray], title: str = "") -> NormalFormGame:
    shape = arrays[0].shape
    return NormalFormGame.from_fractions(
        player_names(len(shape)), [action_names(k) for k in shape],
        [np.asarray(a, dtype=object) for a in arrays], title,
    )


def random_payoffs(seed: int, shape: Sequence[int], low: int = 0, high: int = 9) -> list[np.ndarray]:
    """One int64 array per player, entries uniform in [low, high]."""
    rng = np.random.default_rng(seed)
    return [rng.integers(low, high + 1, size=tuple(shape), dtype=np.int64) for _ in shape]


def random_game(seed: int, shape: Sequence[int], low: int = 0, high: int = 9) -> NormalFormGame:
    return game_from_arrays(random_payoffs(seed, shape, low, high), f"random-{seed}")


@st.composite
def shapes(draw: st.DrawFn, min_players: int = 2, max_players: int = 4,
           min_actions: int = 2, max_actions: int = 4) -> tuple[int, ...]:
    n = draw(st.integers(min_players, max_players))
    return tuple(draw(st.integers(min_actions, max_actions)) for _ in range(n))


@st.composite
def games(draw: st.DrawFn, min_players: int = 2, max_players: int = 4, min_actions: int = 2,
          max_actions: int = 4, low: int = 0, high: int = 9) -> NormalFormGame:
    """Random integer games; a drawn seed keeps large ones cheap to shrink."""
    shape = draw(shapes(min_players, max_players, min_actions, max_actions))
    seed = draw(st.integers(0, 2**32 - 1))
    return random_game(seed, shape, low, high)


@st.composite
def degenerate_games(draw: st.DrawFn, max_players: int = 3, max_actions: int = 3) -> NormalFormGame:
    """Heavy ties: payoffs in {0, 1}, some players indifferent everywhere,
    some actions duplicated."""
    shape = draw(shapes(2, max_players, 1, max_actions))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    arrays = []
    for p in range(len(shape)):
        mode = draw(st.sampled_from(["binary", "constant", "duplicate"]))
        if mode == "constant":
            a = np.full(shape, int(rng.integers(0, 3)), dtype=np.int64)
        else:
            a = rng.integers(0, 2, size=shape, dtype=np.int64)
            if mode == "duplicate" and shape[p] > 1:
                a = np.moveaxis(a, p, 0).copy()
                a[1] = a[0]
                a = np.moveaxis(a, 0, p)
        arrays.append(a)
    return game_from_arrays(arrays, f"degenerate-{seed}")


@st.composite
def zero_sum_games(draw: st.DrawFn, max_actions: int = 4, low: int = -9, high: int = 9) -> NormalFormGame:
    rows, cols = draw(st.integers(1, max_actions)), draw(st.integers(1, max_actions))
    seed = draw(st.integers(0, 2**32 - 1))
    a = np.random.default_rng(seed).integers(low, high + 1, size=(rows, cols), dtype=np.int64)
    return game_from_arrays([a, -a], f"zero-sum-{seed}")


@st.composite
def symmetric_games(draw: st.DrawFn, max_players: int = 3, max_actions: int = 3,
                    low: int = 0, high: int = 9) -> NormalFormGame:
    """Symmetric n-player games: u_i(s) = u_0(s with players 0 and i swapped),
    where u_0 depends on own action and the multiset of the others'."""
    n = draw(st.integers(2, max_players))
    k = draw(st.integers(2, max_actions))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    table: dict[tuple[int, tuple[int, ...]], int] = {}
    shape = (k,) * n
    arrays = [np.zeros(shape, dtype=np.int64) for _ in range(n)]
    for prof in np.ndindex(*shape):
        for i in range(n):
            key = (prof[i], tuple(sorted(prof[:i] + prof[i + 1:])))
            if key not in table:
                table[key] = int(rng.integers(low, high + 1))
            arrays[i][prof] = table[key]
    return game_from_arrays(arrays, f"symmetric-{seed}")


# ----------------------------------------------------------------- models


def model_from_exprs(n: int, actions: Sequence[str], payoff: Callable[[int], Expr],
                     metrics: dict[str, Expr] | None = None,
                     params: dict[str, Fraction] | None = None, family: str = "a",
                     senses: dict[str, str] | None = None) -> Model:
    """Agents ``a[1..n]`` sharing ``actions``; ``payoff(i)`` builds member
    i's payoff expression (it may also use IndexVar("i") bound to i)."""
    agents = tuple(
        Agent(f"{family}[{i}]", family, i, tuple(actions), payoff(i), (("i", i),))
        for i in range(1, n + 1)
    )
    ps = {k: Param(k, Fraction(v)) for k, v in (params or {}).items()}
    ms = {
        name: Metric(name, e, (senses or {}).get(name, "maximize"))  # type: ignore[arg-type]
        for name, e in (metrics or {}).items()
    }
    return Model("test", "", ps, agents, ms)


def a_(i: Expr | int, family: str = "a") -> AgentRef:
    return AgentRef(family, IndexVar(i) if isinstance(i, str) else (Num(Fraction(i)) if isinstance(i, int) else i))


def public_goods_model(n: int = 4, r: Fraction = Fraction(8, 5), c: Fraction = Fraction(1)) -> Model:
    """payoff a[i] = r*c*count(j: a[j] == contribute)/n - (c if a[i] == contribute else 0);
    welfare = sum of payoffs."""
    count = Aggregate("count", "j", Num(Fraction(1)), ParamRef("n"),
                      ActionIs(AgentRef("a", IndexVar("j")), "contribute"))
    share = Arith("/", Arith("*", Arith("*", ParamRef("r"), ParamRef("c")), count), ParamRef("n"))
    own = Cond(ActionIs(AgentRef("a", IndexVar("i")), "contribute"), ParamRef("c"), Num(Fraction(0)))
    body = Arith("-", share, own)
    welfare = Aggregate("sum", "i", Num(Fraction(1)), ParamRef("n"), PayoffOf(AgentRef("a", IndexVar("i"))))
    return model_from_exprs(n, ("contribute", "withhold"), lambda i: body, {"welfare": welfare},
                            {"n": Fraction(n), "r": r, "c": c})


def table_expr(table: np.ndarray, axis: int = 0, prefix: tuple[int, ...] = (), family: str = "a") -> Expr:
    """A decision tree over agents a[1..n] (in order) equal to ``table``."""
    if axis == table.ndim:
        return Num(Fraction(int(table[prefix])))
    k = table.shape[axis]
    ref = AgentRef(family, Num(Fraction(axis + 1)))
    expr = table_expr(table, axis + 1, prefix + (k - 1,), family)
    for x in range(k - 2, -1, -1):
        expr = Cond(ActionIs(ref, f"s{x}"), table_expr(table, axis + 1, prefix + (x,), family), expr)
    return expr


def table_model(arrays: Sequence[np.ndarray]) -> Model:
    """Agents a[1..n] with actions s0.. whose payoffs are decision trees equal
    to ``arrays`` (all axes the same size)."""
    n = len(arrays)
    k = arrays[0].shape[0]
    exprs = [table_expr(np.asarray(a)) for a in arrays]
    return model_from_exprs(n, action_names(k), lambda i: exprs[i - 1])


# ----------------------------------------------------- random expressions

SMALL_ACTIONS = ("x", "y", "z")


def small_model(n: int, k: int, payoff: Callable[[int], Expr], metrics: dict[str, Expr] | None = None
                ) -> Model:
    return model_from_exprs(n, SMALL_ACTIONS[:k], payoff, metrics, {"n": Fraction(n), "h": Fraction(1, 2)})


def num_exprs(n: int, k: int, depth: int = 3, allow_refs: bool = False) -> st.SearchStrategy[Expr]:
    """Numeric expressions over agents a[1..n] with actions SMALL_ACTIONS[:k]
    and parameters n, h; index variable ``i`` is bound (1..n).  With
    ``allow_refs``, PayoffOf/MetricOf("m0") may appear (use only in metrics
    of a model whose payoffs do not refer back)."""
    idx = st.one_of(st.integers(1, n).map(lambda v: Num(Fraction(v))), st.just(IndexVar("i")))
    agent = idx.map(lambda e: AgentRef("a", e))
    action = st.sampled_from(SMALL_ACTIONS[:k])

    def bools(d: int) -> st.SearchStrategy[Expr]:
        leaves: list[st.SearchStrategy[Expr]] = [
            st.builds(ActionIs, agent, action, st.booleans()),
            st.builds(SameAction, agent, agent, st.booleans()),
            st.booleans().map(BoolConst),
        ]
        if d <= 0:
            return st.one_of(*leaves)
        sub, num = bools(d - 1), nums(d - 1)
        return st.one_of(
            *leaves,
            st.builds(Compare, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), num, num),
            st.builds(Logic, st.sampled_from(["and", "or"]), sub, sub),
            st.builds(Not, sub),
            st.builds(lambda kind, body: Aggregate(kind, "j", Num(Fraction(1)), ParamRef("n"), body),
                      st.sampled_from(["any", "all"]), bools_j(d - 1)),
        )

    def bools_j(d: int) -> st.SearchStrategy[Expr]:
        return st.builds(ActionIs, st.just(AgentRef("a", IndexVar("j"))), action, st.booleans()) | bools(d)

    def nums(d: int) -> st.SearchStrategy[Expr]:
        const = st.fractions(min_value=-5, max_value=5, max_denominator=4).map(Num)
        leaves: list[st.SearchStrategy[Expr]] = [
            const,
            st.sampled_from([ParamRef("n"), ParamRef("h"), IndexVar("i")]),
            # action-dependent leaves, so most expressions vary across profiles
            st.builds(Cond, st.builds(ActionIs, agent, action, st.booleans()), const, const),
            st.builds(lambda act: Aggregate("count", "j", Num(Fraction(1)), ParamRef("n"),
                                            ActionIs(AgentRef("a", IndexVar("j")), act)), action),
        ]
        if allow_refs:
            leaves.append(agent.map(PayoffOf))
        if d <= 0:
            return st.one_of(*leaves)
        sub, cond = nums(d - 1), bools(d - 1)
        agg_kind = st.sampled_from(["sum", "product", "min", "max", "count"])
        return st.one_of(
            *leaves,
            st.builds(Arith, st.sampled_from(["+", "-", "*", "/"]), sub, sub),
            st.builds(lambda b, e: Arith("^", b, Num(Fraction(e))), sub, st.integers(-2, 3)),
            st.builds(Neg, sub),
            st.builds(Cond, cond, sub, sub),
            st.builds(Call, st.sampled_from(["min", "max"]), st.lists(sub, min_size=1, max_size=3).map(tuple)),
            st.builds(lambda x: Call("abs", (x,)), sub),
            st.builds(
                lambda kind, lo, hi, body, flt: Aggregate(
                    kind, "j", Num(Fraction(lo)), Num(Fraction(hi)),
                    body if kind != "count" else ActionIs(AgentRef("a", IndexVar("j")), "x"), flt),
                agg_kind, st.integers(1, n), st.integers(1, n) | st.just(0),
                st.one_of(sub, st.just(PayoffOf(AgentRef("a", IndexVar("j"))))) if allow_refs else sub,
                st.none() | bools_j(0),
            ),
        )

    return nums(depth)


def bool_exprs_example() -> Expr:
    """A fixed boolean example used in docs/tests: a[1] == x and a[2] != y."""
    return Logic("and", ActionIs(AgentRef("a", Num(Fraction(1))), "x"),
                 ActionIs(AgentRef("a", Num(Fraction(2))), "y", True))


__all__ = [
    "games", "degenerate_games", "zero_sum_games", "symmetric_games", "random_game",
    "random_payoffs", "game_from_arrays", "model_from_exprs", "public_goods_model", "table_model",
    "table_expr", "num_exprs", "small_model", "MetricOf", "bool_exprs_example", "a_",
]
