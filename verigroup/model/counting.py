"""The counting view of a Model: anonymous families as count vectors.

A family is *anonymous* when each member's payoff depends only on its own
action, on how many members of each family chose each action, and on single
agents.  That is decided here from the IR, soundly and syntactically: the
payoff rule is compiled into a :class:`CExpr` over *counts* and succeeds
only when every reference to a family member is the member itself (its own
action), a member bound by an aggregate ranging over the whole family
(``count(j: a[j] == x)``, ``sum(j: payoff(a[j]))``, with ``j != i`` for
"the others"), or a single agent.  Anything else (``a[1]``, ``a[i+1]``, the
index used as a number, a member-specific payoff rule) raises
:class:`NotAnonymous` with the span and the reason.

The compiled expressions keep parameters symbolic (:class:`P`), so the same
view is evaluated exactly over many count states
(:mod:`verigroup.analyses.population.exactvec`) and translated to Z3 with
the family size symbolic (:mod:`verigroup.analyses.forall_n`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterator, Mapping, Union

from verigroup.diagnostics import NO_SPAN, Diagnostic, SpecError, Span
from verigroup.model import expr as X
from verigroup.model.model import Model

# ------------------------------------------------------------ count expressions


@dataclass(frozen=True)
class C:
    """A constant (a Fraction for numbers, a bool for conditions)."""

    value: Fraction | bool


@dataclass(frozen=True)
class P:
    """A parameter, by name."""

    name: str


@dataclass(frozen=True)
class K:
    """How many members of ``fam`` play action number ``act``."""

    fam: str
    act: int


@dataclass(frozen=True)
class Bin:
    op: str  # + - * / ^
    left: "CExpr"
    right: "CExpr"


@dataclass(frozen=True)
class Neg:
    operand: "CExpr"


@dataclass(frozen=True)
class Cmp:
    op: str  # == != < <= > >=
    left: "CExpr"
    right: "CExpr"


@dataclass(frozen=True)
class Lg:
    op: str  # and / or
    left: "CExpr"
    right: "CExpr"


@dataclass(frozen=True)
class Nt:
    operand: "CExpr"


@dataclass(frozen=True)
class Ite:
    cond: "CExpr"
    then: "CExpr"
    otherwise: "CExpr"


@dataclass(frozen=True)
class Fn:
    fn: str  # min / max / abs
    args: tuple["CExpr", ...]


@dataclass(frozen=True)
class Present:
    """``min``/``max`` over the members of a family: the extreme of
    ``value`` over the items whose ``weight`` (a count) is positive."""

    fn: str
    items: tuple[tuple["CExpr", "CExpr"], ...]  # (weight, value)


CExpr = Union[C, P, K, Bin, Neg, Cmp, Lg, Nt, Ite, Fn, Present]
ZERO, ONE = C(Fraction(0)), C(Fraction(1))
TRUE, FALSE = C(True), C(False)


class NotAnonymous(Exception):
    """The IR references a family member in a way counts cannot express."""

    def __init__(self, reason: str, span: Span = NO_SPAN, family: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.span = span
        self.family = family


# --------------------------------------------------------- smart constructors


def mk_bin(op: str, a: CExpr, b: CExpr) -> CExpr:
    if isinstance(a, C) and isinstance(b, C) and not isinstance(a.value, bool) and not isinstance(b.value, bool):
        x, y = Fraction(a.value), Fraction(b.value)
        if op == "+":
            return C(x + y)
        if op == "-":
            return C(x - y)
        if op == "*":
            return C(x * y)
        if op == "/" and y != 0:
            return C(x / y)
        if op == "^" and y.denominator == 1 and (x != 0 or y >= 0):
            return C(x ** int(y))
    if op == "+" and a == ZERO:
        return b
    if op in ("+", "-") and b == ZERO:
        return a
    if op == "*" and (a == ZERO or b == ZERO):
        return ZERO
    if op == "*" and a == ONE:
        return b
    if op in ("*", "/") and b == ONE:
        return a
    return Bin(op, a, b)


def mk_ite(c: CExpr, t: CExpr, e: CExpr) -> CExpr:
    if isinstance(c, C):
        return t if c.value else e
    if t == e:
        return t
    return Ite(c, t, e)


def mk_lg(op: str, a: CExpr, b: CExpr) -> CExpr:
    if isinstance(a, C):
        if op == "and":
            return b if a.value else FALSE
        return TRUE if a.value else b
    if isinstance(b, C):
        if op == "and":
            return a if b.value else FALSE
        return TRUE if b.value else a
    return Lg(op, a, b)


def mk_not(a: CExpr) -> CExpr:
    return C(not a.value) if isinstance(a, C) else Nt(a)


def walk_c(e: CExpr) -> Iterator[CExpr]:
    stack: list[CExpr] = [e]
    seen: set[int] = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        if isinstance(n, (Bin, Cmp, Lg)):
            stack += [n.left, n.right]
        elif isinstance(n, (Neg, Nt)):
            stack.append(n.operand)
        elif isinstance(n, Ite):
            stack += [n.cond, n.then, n.otherwise]
        elif isinstance(n, Fn):
            stack += list(n.args)
        elif isinstance(n, Present):
            for w, v in n.items:
                stack += [w, v]


# ------------------------------------------------------------------ the view


@dataclass(frozen=True)
class Population:
    """One family (or single agent, a population of one)."""

    name: str
    actions: tuple[str, ...]
    lo: int
    hi: int
    single: bool
    span: Span = field(default=NO_SPAN, compare=False)

    @property
    def size(self) -> int:
        return self.hi - self.lo + 1

    def states(self) -> int:
        """Number of count vectors: C(size + k - 1, k - 1)."""
        return math.comb(self.size + len(self.actions) - 1, len(self.actions) - 1)

    def member(self, k: int) -> str:
        return self.name if self.single else f"{self.name}[{k}]"


@dataclass(frozen=True, eq=False)
class CountingView:
    """Payoffs ``payoff[(family, action)]`` and ``metrics[name]`` as count
    expressions; ``pops`` in declaration order.  ``params`` are the values
    in force; ``bounds`` the IR of each family's bounds (for proofs over N);
    ``symbolic_ranges`` False when some aggregate's range equals the family
    only at the current parameter values (not as an expression)."""

    model: Model
    pops: tuple[Population, ...]
    payoff: Mapping[tuple[str, int], CExpr]
    metrics: Mapping[str, CExpr]
    metric_errors: Mapping[str, NotAnonymous]
    params: Mapping[str, Fraction]
    symbolic_ranges: bool = True

    def pop(self, name: str) -> Population:
        for p in self.pops:
            if p.name == name:
                return p
        raise KeyError(name)

    def num_states(self) -> int:
        return math.prod(p.states() for p in self.pops)

    def explicit_profiles(self) -> int:
        return math.prod(len(p.actions) ** p.size for p in self.pops) if sum(
            p.size for p in self.pops) < 4000 else 10 ** 1000

    def metric(self, name: str) -> CExpr:
        if name in self.metric_errors:
            raise self.metric_errors[name]
        return self.metrics[name]


def populations(model: Model) -> tuple[Population, ...]:
    """The families of the model with their true bounds, in order."""
    out: list[Population] = []
    seen: set[str] = set()
    for a in model.agents:
        if a.family in seen:
            continue
        seen.add(a.family)
        if a.index is None:
            out.append(Population(a.family, a.actions, 1, 1, True, a.span))
            continue
        if a.family in model.counted:
            lo, hi = model.counted[a.family]
        else:
            idx = [b.index for b in model.agents if b.family == a.family and b.index is not None]
            lo, hi = min(idx), max(idx)
        out.append(Population(a.family, a.actions, lo, hi, False, a.span))
    return tuple(out)


def counting_view(model: Model) -> CountingView:
    """Compile the model into count expressions (cached on the model).
    Raises :class:`NotAnonymous` when some payoff is not anonymous."""
    v = model._cache.get("counting_view")
    if isinstance(v, CountingView):
        return v
    if isinstance(v, NotAnonymous):
        raise v
    try:
        from verigroup.model.counting_compile import Compiler

        view = Compiler(model).build()
    except NotAnonymous as exc:
        model._cache["counting_view"] = exc
        raise
    model._cache["counting_view"] = view
    return view


def is_anonymous(model: Model) -> tuple[bool, str]:
    try:
        counting_view(model)
    except NotAnonymous as exc:
        return False, exc.reason
    return True, ""


def compile_condition(model: Model, e: X.Expr) -> CExpr:
    """A whole-profile condition (``welfare >= 2``) as a count expression;
    raises NotAnonymous when it names a particular member."""
    from verigroup.model.counting_compile import Compiler, Env

    comp = Compiler(model)
    comp.build()
    return comp.c(e, Env())


def refuse_explicit(model: Model) -> SpecError:
    fams = ", ".join(f"`{f}` ({hi - lo + 1:,} members)" for f, (lo, hi) in model.counted.items())
    first = next((a.span for a in model.agents if a.family in model.counted), NO_SPAN)
    return SpecError([Diagnostic(
        "E131", f"the explicit game is too large: the family {fams} is kept as counts, not expanded "
        "into agents, so there is no payoff table to show or export", first,
        "`verigroup check` and `verigroup solve` decide it in counting space; set a size of at most "
        "10,000 with --set for the explicit table")])


# ------------------------------------------------------- proofs for every N

from verigroup.model.properties import ParamRegion  # noqa: E402


@dataclass(frozen=True)
class SizeRegion(ParamRegion):
    """``... for n >= 2`` (``for odd n >= 3``, ``for even n >= 2``): the
    property for every integer value of the family-size param ``param``
    from ``lo`` on (``hi`` repeats ``lo`` and is not an upper bound)."""

    parity: str | None = None
