"""The Z3 route's shared pieces: solver set-up under the time budget, the
cached encoding of a model, obligations, and evidence records read back
from Z3 models.  Split out of :mod:`verigroup.analyses.symbolic`."""

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

MAX_REGION_ITERATIONS = 200
DEFAULT_TIMEOUT_MS = 120_000


class _Unsupported(Exception):
    """The Z3 route does not apply (symbolic_check returns None)."""


@dataclass
class Obligation:
    kind: str  # "never" | "some"
    formula: z3.BoolRef
    vectors: list[list[z3.ArithRef]]  # action-variable vectors it mentions
    describe: Callable[[list[tuple[int, ...]], dict[str, Fraction]], dict[str, Any]]
    quantified: bool = False
    # Evidence when a ``some`` obligation has no witness.
    failure: dict[str, Any] = field(default_factory=dict)
    # Invariant under permuting interchangeable agents: symmetry breaking applies.
    symmetric: bool = False


@dataclass
class _Outcome:
    verdict: Verdict
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)


# -------------------------------------------------------------- helpers


def _timeout_ms(ctx: Context) -> int:
    from verigroup.runtime import remaining

    left = remaining()
    if left is None and ctx.timeout is not None:
        left = ctx.timeout
    return max(1, int(left * 1000)) if left is not None else DEFAULT_TIMEOUT_MS


def _solver(ctx: Context) -> z3.Solver:
    s = z3.Solver()
    s.set("timeout", _timeout_ms(ctx))
    return s


def encoding(ctx: Context, symbolic: frozenset[str] = frozenset()) -> Z3Encoding:
    key = ("z3_encoding", symbolic)
    enc = ctx.model._cache.get(key)  # type: ignore[call-overload]
    if enc is None:
        enc = to_z3(ctx.model, symbolic_params=symbolic)
        ctx.model._cache[key] = enc  # type: ignore[index]
    return enc


def _values(ctx: Context, enc: Z3Encoding, profile: tuple[int, ...],
            params: Mapping[str, Fraction] | None = None) -> tuple[list[Fraction], dict[str, Fraction]]:
    """Exact payoffs (agent order) and metrics at a profile (the scalar
    evaluator, so the evidence is replayable from the spec alone)."""
    model = ctx.model
    full = dict(model.param_values())
    full.update(params or {})
    try:
        if model._cache.get("game") is not None and not params:
            g = model._cache["game"]
            pays = list(g.payoff_vector(profile))
            mets = {m: t.tensor.at(profile) for m, t in g.metrics.items()}
        else:
            from verigroup.evaluate.scalar import metrics_at, payoffs_at

            pays = list(payoffs_at(model, profile, full))
            mets = metrics_at(model, profile, full)
    except (ImportError, AttributeError):  # pragma: no cover - evaluator absent
        from verigroup.backends.z3 import value_at

        pays = [value_at(enc, t, profile, params) for t in enc.payoffs]  # type: ignore[misc]
        mets = {m: value_at(enc, t, profile, params) for m, t in enc.metrics.items()}  # type: ignore[misc]
    return pays, mets


def profile_record(ctx: Context, enc: Z3Encoding, profile: tuple[int, ...],
                   params: Mapping[str, Fraction] | None = None) -> dict[str, Any]:
    """Names, exact payoffs and metrics at a profile."""
    pays, mets = _values(ctx, enc, profile, params)
    return {
        "profile": _names(ctx, profile),
        "payoffs": {a.name: q(v) for a, v in zip(ctx.model.agents, pays)},
        "metrics": {m: q(v) for m, v in sorted(mets.items())},
    }


def equilibrium_record(ctx: Context, enc: Z3Encoding, profile: tuple[int, ...],
                       params: Mapping[str, Fraction] | None = None) -> dict[str, Any]:
    """A pure Nash equilibrium in the report's ``equilibria`` format (the
    explicit route's :meth:`PurePoint.describe`), so both routes' evidence
    has one shape."""
    pays, mets = _values(ctx, enc, profile, params)
    agents = ctx.model.agents
    return Equilibrium(
        concept=Concept.PURE_NASH.value,
        strategies={a.name: {a.actions[i]: Fraction(1)} for a, i in zip(agents, profile)},
        payoffs={a.name: v for a, v in zip(agents, pays)},
        metrics=dict(mets),
    ).to_json()


def point_evidence(ctx: Context, enc: Z3Encoding, profile: tuple[int, ...],
                   params: Mapping[str, Fraction] | None = None) -> dict[str, Any]:
    """An equilibrium with its profile, payoffs and metrics lifted beside it
    (the explicit route's ``_point_evidence`` for a pure point)."""
    rec = equilibrium_record(ctx, enc, profile, params)
    out: dict[str, Any] = {"equilibrium": rec, "profile": _names(ctx, profile)}
    for k in ("payoffs", "metrics"):
        if k in rec:
            out[k] = rec[k]
    return out


def _sides(ctx: Context, enc: Z3Encoding, walker: Z3Walker, body: Any, profile: tuple[int, ...] | None,
           params: Mapping[str, Fraction] | None = None) -> dict[str, str]:
    """Both sides of a comparison body at a profile, exactly (``{}`` when the
    body is not a comparison or a side is not closed, e.g. under a free
    parameter)."""
    from verigroup.backends.z3 import value_at

    if not isinstance(body, E.Compare):
        return {}
    prof = profile if profile is not None else tuple(0 for _ in ctx.model.agents)
    try:
        vals = [value_at(enc, walker.walk(t, {}), prof, params) for t in (body.left, body.right)]
    except (ValueError, z3.Z3Exception):
        return {}
    out = [str(v).lower() if isinstance(v, bool) else q(v) for v in vals]
    return {"left": out[0], "right": out[1], "op": body.op}


def _names(ctx: Context, prof: tuple[int, ...]) -> dict[str, str]:
    return {a.name: a.actions[i] for a, i in zip(ctx.model.agents, prof)}


def _params_json(params: Mapping[str, Fraction]) -> dict[str, str]:
    return {k: q(v) for k, v in params.items()}


def _with_params(ev: dict[str, Any], params: Mapping[str, Fraction]) -> dict[str, Any]:
    if params:
        ev["params"] = _params_json(params)
    return ev
