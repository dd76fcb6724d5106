"""The Model: the immutable IR every backend and analysis reads.

Agents are concrete (a family ``car[1..n]`` is expanded with the parameter
values in force), actions are finite, payoffs and metrics are symbolic
expressions (:mod:`verigroup.model.expr`), properties are
:mod:`verigroup.model.properties` records.  Materialised forms (the exact
payoff tensor, Z3 terms, the OpenSpiel game) are produced on demand by the
backends and cached per model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

from verigroup.diagnostics import NO_SPAN, Span
from verigroup.model.expr import Expr
from verigroup.model.properties import Profile, Property

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.model.game import NormalFormGame


@dataclass(frozen=True)
class Param:
    name: str
    value: Fraction
    span: Span = field(default=NO_SPAN, compare=False)
    # The value is an integer used as a size (family bound); such parameters
    # cannot be left symbolic.
    structural: bool = False


@dataclass(frozen=True)
class Agent:
    """One agent.  ``name`` is the display name (``car[2]`` or ``planner``);
    ``family``/``index`` identify it in expressions (index None for a single
    agent).  ``payoff`` is its payoff expression, in which the index variable
    ``bindings`` are bound (``(("i", 2),)`` for ``car[2]`` of the rule
    ``payoff car[i] = ...``)."""

    name: str
    family: str
    index: int | None
    actions: tuple[str, ...]
    payoff: Expr
    bindings: tuple[tuple[str, int], ...] = ()
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True)
class Metric:
    name: str
    expr: Expr
    sense: Literal["maximize", "minimize"] = "maximize"
    span: Span = field(default=NO_SPAN, compare=False)


@dataclass(frozen=True, eq=False)
class Model:
    name: str
    description: str
    params: Mapping[str, Param]
    agents: tuple[Agent, ...]
    metrics: Mapping[str, Metric]
    properties: tuple[Property, ...] = ()
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    # Extensive-form protocol (issue 5), compiled form, or None.
    protocol: Any = None
    source: str = ""
    path: str = "<spec>"
    # ---- populations (issue 9): the IR of each family's bounds (``a[1..n]``
    # -> (Num(1), ParamRef(n))), and, for a *counted* model, the true bounds
    # of the families that were NOT expanded into Agent records (``agents``
    # then holds a small template of each; only the counting view may read
    # such a model -- see verigroup.model.counting).
    family_bounds: Mapping[str, tuple[Expr, Expr]] = field(default_factory=dict)
    counted: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # Memo for materialised forms; not part of identity.
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    # ------------------------------------------------------------ lookup
    def agent_index(self, family: str, index: int | None) -> int | None:
        table = self._cache.get("agent_index")
        if table is None:
            table = {(a.family, a.index): k for k, a in enumerate(self.agents)}
            self._cache["agent_index"] = table
        return table.get((family, index))

    def family_members(self, family: str) -> tuple[int, ...]:
        return tuple(k for k, a in enumerate(self.agents) if a.family == family)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(a.actions) for a in self.agents)

    @property
    def num_profiles(self) -> int:
        n = 1
        for s in self.shape:
            n *= s
        return n

    def param_values(self) -> dict[str, Fraction]:
        return {k: p.value for k, p in self.params.items()}

    # ------------------------------------------------------------ display
    def __repr__(self) -> str:
        kind = "protocol" if self.protocol is not None else "×".join(str(n) for n in self.shape[:8]) + (
            "×…" if len(self.shape) > 8 else "")
        names = ", ".join(a.name for a in self.agents[:4]) + (", …" if len(self.agents) > 4 else "")
        text = (f"<verigroup.Model {self.name!r}: {len(self.agents)} agents ({names}), {kind}, "
                f"{len(self.params)} params, {len(self.properties)} properties>")
        return text if len(text) <= 280 else text[:276] + "…>"

    def _repr_html_(self) -> str:
        return _service("model_html")(self)  # type: ignore[no-any-return]

    # ------------------------------------------------- API conveniences
    # The model sits below the evaluator, the backends and the API, so it
    # imports none of them: the package root registers these services
    # (:func:`register_service` in ``verigroup/__init__.py``).
    def game(self) -> "NormalFormGame":
        """The exact payoff tensor (size-guarded, cached)."""
        g = self._cache.get("game")
        if g is None and self.counted:  # ---- populations (issue 9)
            from verigroup.model.counting import refuse_explicit

            raise refuse_explicit(self)
        if g is None:
            g = _service("materialize")(self)
            self._cache["game"] = g
        return g  # type: ignore[no-any-return]

    def check(self, **options: Any) -> Any:
        """Check every property; returns a ``verigroup.api.Report``."""
        return _service("check")(self, **options)

    def equilibria(self, concept: str = "pure_nash", **options: Any) -> Any:
        """The equilibria of ``concept`` (``"nash"``, ``"mixed"``, ``"correlated"``,
        ``"coarse_correlated"``, ``"spe"``); returns a ``verigroup.api.Solution``."""
        return _service("solve")(self, concept=concept, **options)

    def to_openspiel(self) -> Any:
        return _service("to_openspiel")(self)

    def to_z3(self, **options: Any) -> Any:
        return _service("to_z3")(self, **options)

    def to_gambit(self) -> Any:
        return _service("to_gambit")(self)


_SERVICES: dict[str, Callable[..., Any]] = {}


def register_service(name: str, fn: Callable[..., Any]) -> None:
    """Higher stages provide the Model's conveniences (materialise, check, ...)."""
    _SERVICES[name] = fn


def _service(name: str) -> Callable[..., Any]:
    fn = _SERVICES.get(name)
    if fn is None:  # pragma: no cover - the package root registers every service
        raise RuntimeError(f"verigroup service {name!r} is not registered (import verigroup first)")
    return fn
