"""Exact materialisation: a Model's payoffs and metrics as tensors over all
pure profiles.

* :func:`materialize` -- the size-guarded, vectorised route to a
  :class:`~verigroup.model.game.NormalFormGame` (shape = action-set sizes,
  axis ``k`` = agent ``k`` of ``Model.agents``).
* :func:`evaluate_tensor` -- any expression (numeric or boolean) as a
  full-shape tensor, e.g. a condition over deviated profiles.
* :func:`evaluate_expr_at` -- the independent scalar reference evaluator at
  one profile (tests, replay, counterexamples found by Z3).

Errors are the user's: division by zero names the first offending profile
(E201), ``min``/``max`` over an empty range is E203, an agent index out of
range E105, an index that depends on actions E107, and a game too large for
explicit tensors raises :class:`~verigroup.diagnostics.TooLarge` (E202)
stating its size and what to use instead.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Mapping, Sequence

import numpy as np

from verigroup.diagnostics import SpecError, Span, TooLarge
from verigroup.evaluate.rational import LIMIT, Rat
from verigroup.evaluate.scalar import evaluate_expr_at, metrics_at, payoffs_at
from verigroup.evaluate.vector import VectorEvaluator
from verigroup.model.expr import Expr
from verigroup.model.game import INT64_SAFE, ExactTensor, MetricTensor, NormalFormGame
from verigroup.model.model import Model

__all__ = [
    "DEFAULT_MAX_PROFILES", "MAX_AGENTS", "materialize", "evaluate_tensor", "evaluate_expr_at",
    "payoffs_at", "metrics_at", "check_size", "size_text", "to_exact_tensor", "VectorEvaluator",
]

DEFAULT_MAX_PROFILES = 5_000_000
# numpy: several functions (broadcasting iterators, einsum, ...) support at
# most 32 dimensions, fancy indexing 63; one dimension per agent.
MAX_AGENTS = 32
# All exact tensors of one game together (int64: 8 bytes an entry; Python
# ints: the pointer, the object and its digits), checked before allocation.
MAX_TENSOR_BYTES = 2_000_000_000

SIZE_HINT = ("`verigroup check --method z3` decides properties over pure equilibria without the table; "
             "when the members of a family are interchangeable (payoffs depend only on how many play "
             "each action), `--method counting` works in counting space")


def size_text(shape: Sequence[int]) -> str:
    """``2^30 = 1,073,741,824 pure profiles (30 agents × 2 actions)``."""
    n = len(shape)
    total = math.prod(shape)
    if n and len(set(shape)) == 1:
        s = shape[0]
        return (f"{s}^{n} = {total:,} pure profiles ({n} agent{'s' if n != 1 else ''} × "
                f"{s} action{'s' if s != 1 else ''})")
    shown = "×".join(str(s) for s in shape[:12]) + ("×…" if n > 12 else "")
    return f"{shown} = {total:,} pure profiles ({n} agents)"


def check_size(shape: Sequence[int], max_profiles: int | None = None, span: Span | None = None) -> None:
    """Raise TooLarge (E202) before anything of this shape is allocated."""
    limit = DEFAULT_MAX_PROFILES if max_profiles is None else int(max_profiles)
    sp = span or Span()
    if len(shape) > MAX_AGENTS:
        raise TooLarge.single("E202", f"game has {len(shape)} agents ({size_text(shape)}); explicit "
                              f"tensors support at most {MAX_AGENTS} agents", sp, SIZE_HINT)
    total = math.prod(shape)
    if total > limit:
        raise TooLarge.single("E202", f"game has {size_text(shape)}; the explicit-tensor limit is "
                              f"{limit:,}", sp, SIZE_HINT)


def object_bytes(count: int, magnitude: int) -> int:
    """Bytes of ``count`` Python ints up to ``magnitude`` in an object array."""
    return count * (8 + 28 + 4 * (max(1, magnitude).bit_length() // 30))


def _charge(budget: list[int] | None, need: int, span: Span | None) -> None:
    if budget is None:
        return
    if budget[0] + need > MAX_TENSOR_BYTES:
        raise TooLarge.single(
            "E202", f"the exact payoff tables would need about {(budget[0] + need) / 1e9:.1f} GB "
                    f"(the limit is {MAX_TENSOR_BYTES / 1e9:.0f} GB): the numbers are too large for this "
                    "many profiles", span or Span(), SIZE_HINT)
    budget[0] += need


def to_exact_tensor(r: Rat, shape: tuple[int, ...], budget: list[int] | None = None,
                    span: Span | None = None) -> ExactTensor:
    """One common denominator, reduced, broadcast to the full shape; int64
    when every entry is within INT64_SAFE, else Python ints.  ``budget``:
    bytes already used by the game's tensors (a one-element list, updated);
    E202 before allocating beyond :data:`MAX_TENSOR_BYTES`."""
    den = r.den
    if den.size == 1:
        d = int(den.flat[0])
        num = r.num
    else:
        d = 1
        for x in np.unique(den.astype(object) if den.dtype == object else den):
            d = d * int(x) // math.gcd(d, int(x))
        obj = r.nb * d > LIMIT or d > LIMIT
        mult = (d // den.astype(object)) if obj else (d // den)
        num = (r.num.astype(object) if obj else r.num) * mult
    g = math.gcd(d, int(np.gcd.reduce(num.ravel()))) if num.size else d
    if g > 1:
        num = num // g
        d //= g
    full = np.broadcast_to(num, shape)
    big = int(np.abs(num).max()) if num.size else 0
    size = math.prod(shape)
    if big <= INT64_SAFE:
        _charge(budget, 8 * size, span)
        values = np.ascontiguousarray(full, dtype=np.int64)
    else:
        _charge(budget, object_bytes(size, big), span)
        values = np.empty(shape, dtype=object)
        values[...] = full.astype(object) if full.dtype != object else full
    return ExactTensor(values, d)


def _check_flat(model: Model) -> None:
    if model.protocol is not None:
        raise SpecError.single(
            "E401", f"`{model.name}` is an extensive-form spec (it has a protocol); "
            "materialize() builds normal-form tensors only", Span(model.path),
            "the extensive-form analyses build its normal form")


def materialize(model: Model, *, params: Mapping[str, Fraction] | None = None,
                max_profiles: int | None = None) -> NormalFormGame:
    """The exact NormalFormGame of ``model`` (payoffs and metrics over all
    pure profiles).  ``params`` overrides parameter values (sweeps);
    ``max_profiles`` overrides the size guard.

    A protocol's normal form is its reduced strategic form (issue 8): one
    strategy per player per contingency of its own information sets, exact
    expected payoffs over chance; metrics are not defined there."""
    if model.protocol is not None and params is None:
        from verigroup.extensive.reduced import reduced_normal_form

        return reduced_normal_form(model.protocol).game
    _check_flat(model)
    shape = model.shape
    check_size(shape, max_profiles, Span(model.path))
    ev = VectorEvaluator(model, params)
    budget = [0]
    sp = Span(model.path)
    _charge([0], 8 * math.prod(shape) * (len(model.agents) + len(model.metrics)), sp)  # the least it needs
    n = len(model.agents)
    got: list[ExactTensor] = []
    for k in range(n):
        got.append(to_exact_tensor(ev.payoff(k), shape, budget,
                                   getattr(model.agents[k].payoff, "span", None) or sp))
        # the tables so far predict the rest: refuse now rather than after
        # the memory is spent
        _charge([budget[0] * n // (k + 1)], 0, getattr(model.agents[k].payoff, "span", None) or sp)
    payoffs = tuple(got)
    metrics = {
        name: MetricTensor(name, to_exact_tensor(ev.metric(name), shape, budget, sp), m.sense)
        for name, m in model.metrics.items()
    }
    return NormalFormGame(
        players=tuple(a.name for a in model.agents),
        actions=tuple(a.actions for a in model.agents),
        payoffs=payoffs,
        metrics=metrics,
        title=model.name,
    )


def evaluate_tensor(model: Model, expr: Expr, env: Mapping[str, int] | None = None, *,
                    params: Mapping[str, Fraction] | None = None,
                    max_profiles: int | None = None) -> ExactTensor | np.ndarray:
    """``expr`` over every pure profile: an ExactTensor for a number, a full
    bool array for a condition.  Metric names (MetricOf) and payoffs
    (PayoffOf) are available."""
    _check_flat(model)
    shape = model.shape
    check_size(shape, max_profiles, Span(model.path))
    ev = VectorEvaluator(model, params)
    v = ev.eval(expr, dict(env or {}), ())
    if isinstance(v, Rat):
        return to_exact_tensor(v, shape)
    return np.ascontiguousarray(np.broadcast_to(v, shape))
