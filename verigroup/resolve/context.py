"""Shared state of one resolution: declarations seen so far, collected
diagnostics, constant folding and IR walking helpers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Iterator

from verigroup.diagnostics import Diagnostic, SpecError, Span
from verigroup.model import expr as X
from verigroup.model.constfold import (  # noqa: F401 (re-exported for the resolver's modules)
    CONST_AGGREGATE_LIMIT, _const_aggregate, const_bool, const_value,
)
from verigroup.model.model import Param
from verigroup.syntax import ast as A


@dataclass
class Family:
    """An agent family (``a[1..n]``) or a single agent (``lo``/``hi`` None)."""

    name: str
    actions: tuple[str, ...]
    span: Span
    lo: int | None = None
    hi: int | None = None
    lo_ir: X.Expr | None = None
    hi_ir: X.Expr | None = None
    # language v2 (issue 8): the IR of each action's value, when they carry values
    values: dict[str, X.Expr] = field(default_factory=dict)

    @property
    def single(self) -> bool:
        return self.lo is None

    @property
    def size(self) -> int:
        return 1 if self.lo is None or self.hi is None else self.hi - self.lo + 1

    def bounds(self) -> tuple[int, int]:
        """``(lo, hi)`` of a family; callers check ``not single`` first."""
        assert self.lo is not None and self.hi is not None, f"`{self.name}` is a single agent, not a family"
        return self.lo, self.hi

    def members(self) -> range:
        """The member indices ``lo..hi`` of a family; callers check ``not single`` first."""
        lo, hi = self.bounds()
        return range(lo, hi + 1)


class Abort(Exception):
    """Stop resolving: errors so far make further checks meaningless."""


@dataclass
class Ctx:
    path: str
    source: str
    diags: list[Diagnostic] = field(default_factory=list)
    params: dict[str, Param] = field(default_factory=dict)
    families: dict[str, Family] = field(default_factory=dict)
    metric_decls: dict[str, A.MetricDecl] = field(default_factory=dict)
    profile_decls: dict[str, A.ProfileDecl] = field(default_factory=dict)
    # name -> kind, for the one global namespace (params, agents, metrics, profiles)
    names: dict[str, tuple[str, Span]] = field(default_factory=dict)
    agent_pos: dict[tuple[str, int | None], int] = field(default_factory=dict)
    agent_names: list[str] = field(default_factory=list)
    # protocol: stage name -> (mover name or "chance", actions); state variables
    stages: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    state_vars: dict[str, Span] = field(default_factory=dict)
    plan: Any = None  # verigroup.resolve.protocol.Plan when the spec has a protocol
    # language v2 (issue 8): `let` definitions, inlined at each use
    lets: dict[str, A.LetDecl] = field(default_factory=dict)
    let_stack: list[str] = field(default_factory=list)
    let_expansions: int = 0
    # language v2 (issue 8, LANG3): valued protocol moves, stage name -> action -> value IR
    stage_values: dict[str, dict[str, X.Expr]] = field(default_factory=dict)
    # language v2 (issue 8, LANG3): `let` in params -- every param's line, and the param being defined
    param_lines: dict[str, int] = field(default_factory=dict)
    param_in_progress: str | None = None

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> None:
        self.diags.append(Diagnostic(code, message, span, hint))

    def raise_if_errors(self) -> None:
        if self.diags:
            raise self.failure()

    def failure(self) -> SpecError:
        uniq: dict[tuple[Any, ...], Diagnostic] = {}
        for d in self.diags:
            uniq.setdefault((d.code, d.message, d.span.line, d.span.column), d)
        ordered = sorted(uniq.values(), key=lambda d: (d.span.line, d.span.column, d.code))
        return SpecError(ordered, self.source)

    def declare(self, name: str, kind: str, span: Span) -> bool:
        if name in self.names:
            old_kind, old = self.names[name]
            self.error("E102", f"`{name}` is already defined (as {_article(old_kind)} on line {old.line})",
                       span, "choose a different name")
            return False
        self.names[name] = (kind, span)
        return True

    def all_actions(self) -> set[str]:
        out: set[str] = set()
        for f in self.families.values():
            out.update(f.actions)
        return out

    def param_values(self) -> dict[str, Fraction]:
        return {k: p.value for k, p in self.params.items()}


def _article(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


# ------------------------------------------------------------ IR helpers


def children(node: Any) -> Iterator[Any]:
    if not dataclasses.is_dataclass(node):
        return
    for f in dataclasses.fields(node):
        if f.name == "span":
            continue
        v = getattr(node, f.name)
        if isinstance(v, tuple):
            for item in v:
                if dataclasses.is_dataclass(item):
                    yield item
        elif dataclasses.is_dataclass(v):
            yield v


def walk(node: Any) -> Iterator[Any]:
    """Every IR node below ``node`` (inclusive), iteratively."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(children(n))


