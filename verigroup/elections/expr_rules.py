"""In-spec aggregation rules: ``score x = EXPR`` inside ``election NAME:``.

The winner is the alternative ``x`` with the largest score (exact rationals);
ties go to the alternative earliest in the election's tie-break order.  The
expression reads the profile through:

* ``rank(v, x)`` the position of ``x`` in voter ``v``'s ranking (1 = top);
  ``prefers(v, x, y)`` whether ``v`` ranks ``x`` above ``y``;
* ``support(x, y)`` how many voters rank ``x`` above ``y``;
  ``margin(x, y) = support(x, y) - support(y, x)``;
* ``positional(x, s1, ..., sm)`` the positional score: ``s_k`` points for
  every voter ranking ``x`` in place ``k``;
* aggregates ``sum``, ``count``, ``min``, ``max`` over a bound variable:
  a variable used as the first argument of ``rank``/``prefers`` ranges over
  the voters, any other over the alternatives *not already bound* (so
  ``min(y: support(x, y))`` is over ``y != x``);
* ``n`` (voters), ``m`` (alternatives), the alternatives' names,
  arithmetic ``+ - * /`` (division by constants only), ``^`` by a constant
  whole number, comparisons, ``and or not``, ``A if C else B``, ``sign``,
  ``abs``, ``min(a, b, ...)``, ``max(a, b, ...)``.

Voters enter only through aggregates, so every such rule is anonymous.
Errors are E607 (positioned).  Two evaluators share nothing but the checked
tree: :meth:`ScoreRule.outcomes` (vectorised over every profile: integer
numerators over a common denominator, Python integers when int64 could
overflow) and :meth:`ScoreRule.reference_outcome` (one profile, plain Python
Fractions) -- the tests and the replay compare them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from verigroup.diagnostics import NO_SPAN, Diagnostic, SpecError, Span
from verigroup.elections.profiles import IntArray, RankingSpace
from verigroup.elections.rules import Rule
from verigroup.syntax import ast as A

Node = tuple[Any, ...]
FUNCTIONS = ("rank", "prefers", "support", "margin", "positional", "sign", "abs", "min", "max")
AGGREGATES = ("sum", "count", "min", "max")


def _err(message: str, span: Span, hint: str = "") -> SpecError:
    return SpecError([Diagnostic("E607", message, span, hint=hint)])


@dataclass(frozen=True)
class ScoreRule:
    """A checked ``score VAR = EXPR`` rule over ``alternatives`` (in
    tie-break order)."""

    var: str
    tree: Node
    alternatives: tuple[str, ...]
    text: str = ""
    span: Span = field(default=NO_SPAN, compare=False)

    def rule(self, ballots: str = "strict") -> Rule:
        return Rule("score", anonymous=True, ballots=ballots, description=f"score {self.var} = {self.text}; the highest score wins "
                    "(ties: earliest in the tie-break order)", expression=self)

    # ---- vectorised: every profile of a level at once
    def scores(self, counts: IntArray, space: RankingSpace) -> tuple[Any, int]:
        """``P x m`` scores as (numerators, common denominator)."""
        for big in (False, True):
            try:
                ev = _Vec(counts, space, big)
                cols = [ev.num(self.tree, {self.var: x}) for x in range(space.m)]
                den = math.lcm(*[d for _, d in cols])
                ev._chk(den)
                return np.concatenate([np.broadcast_to(ev._scale(v, den // d), (counts.shape[0], 1))
                                       for v, d in cols], axis=1), den
            except (_Overflow, OverflowError):
                continue
        raise AssertionError("unreachable")  # pragma: no cover

    def cost(self, m: int, r: int) -> int:
        """Array elements the vectorised evaluation touches per profile."""
        return m * _cost(self.tree, m - 1, 1, r)

    def outcomes(self, counts: IntArray, space: RankingSpace, seqs: IntArray | None = None) -> IntArray:
        """Winners, evaluated in chunks of profiles (memory stays bounded
        whatever the number of rankings); refused (TooLarge, an UNKNOWN
        verdict) beyond :data:`WORK_LIMIT` element operations."""
        from verigroup.elections.checks import TooLarge

        work = self.cost(space.m, space.size) * counts.shape[0]
        if work > WORK_LIMIT:
            raise TooLarge(f"evaluating the score expression on {counts.shape[0]} profiles takes about {work:.2e} "
                           f"element operations, above the limit of {WORK_LIMIT:.0e}")
        out = np.empty(counts.shape[0], dtype=np.int64)
        step = max(1, 4_000_000 // max(1, space.size * 4))
        for lo in range(0, counts.shape[0], step):
            sc, _ = self.scores(counts[lo:lo + step], space)
            best = sc.max(axis=1, keepdims=True)
            out[lo:lo + step] = np.argmax(sc == best, axis=1)
        return out

    # ---- reference: one profile, plain Python
    def reference_scores(self, profile: Sequence[Any], m: int) -> list[Fraction]:
        return [Fraction(_ref(self.tree, {self.var: x}, profile, m)) for x in range(m)]

    def reference_outcome(self, profile: Sequence[Any], m: int) -> int:
        sc = self.reference_scores(profile, m)
        return sc.index(max(sc))


#: Largest number of array-element operations one level's evaluation may take.
WORK_LIMIT = 3_000_000_000


def _cost(t: Node, free: int, width: int, r: int) -> int:
    """Element operations per profile: ``free`` alternatives not yet bound,
    ``width`` the array width (``r`` inside an aggregate over voters)."""
    if t[0] == "agg":
        if t[2] == "voter":
            return r + _cost(t[4], free, r, r)
        return 1 + max(1, free) * _cost(t[4], free - 1, width, r)
    total = width
    for c in t[1:]:
        if isinstance(c, tuple) and c and isinstance(c[0], str):
            total += _cost(c, free, width, r)
        elif isinstance(c, tuple):
            total += sum(_cost(x, free, width, r) for x in c if isinstance(x, tuple) and x and isinstance(x[0], str))
    return total


# ------------------------------------------------------------------ checking
def compile_rule(var: str, expr: A.Expr, alternatives: Sequence[str], text: str = "",
                 span: Span = NO_SPAN) -> ScoreRule:
    if var in alternatives:
        raise _err(f"the score variable `{var}` is also the name of an alternative", span,
                   "use another variable name, e.g. `score x = ...`")
    tree, kind = _check(expr, {var: "alt"}, tuple(alternatives), False)
    if kind == "alt":
        raise _err("the score must be a number, not an alternative", _span(expr))
    if kind == "bool":
        tree = ("if", tree, ("const", Fraction(1)), ("const", Fraction(0)))
    return ScoreRule(var, tree, tuple(alternatives), text, span)


def _span(e: Any) -> Span:
    return getattr(e, "span", NO_SPAN)


def _uses_as_voter(e: Any, var: str) -> bool:
    if isinstance(e, A.ECall) and e.fn in ("rank", "prefers") and e.args and isinstance(e.args[0], A.EName) \
            and e.args[0].name == var:
        return True
    if isinstance(e, A.EAggregate) and e.var == var:
        return False
    for f in ("args", "left", "right", "operand", "then", "cond", "otherwise", "body", "filter", "lo", "hi"):
        sub = getattr(e, f, None)
        if isinstance(sub, tuple):
            if any(_uses_as_voter(s, var) for s in sub):
                return True
        elif sub is not None and _uses_as_voter(sub, var):
            return True
    return False


def _want(node: tuple[Node, str], kind: str, e: Any, what: str) -> Node:
    tree, got = node
    if kind == "num" and got == "bool":
        return ("if", tree, ("const", Fraction(1)), ("const", Fraction(0)))
    if got != kind:
        raise _err(f"{what} must be {'a number' if kind == 'num' else 'an alternative' if kind == 'alt' else 'a condition'}"
                   f", got {'a number' if got == 'num' else 'an alternative' if got == 'alt' else 'a condition'}",
                   _span(e))
    return tree


def _check(e: Any, scope: dict[str, str], alts: tuple[str, ...], in_voter: bool) -> tuple[Node, str]:
    if isinstance(e, A.ENum):
        return ("const", e.value), "num"
    if isinstance(e, A.EBool):
        return ("const", Fraction(int(e.value))), "bool"
    if isinstance(e, A.EName):
        if scope.get(e.name) == "alt":
            return ("altvar", e.name), "alt"
        if scope.get(e.name) == "voter":
            raise _err(f"the voter variable `{e.name}` is only an argument of rank(...) or prefers(...)", e.span)
        if e.name in alts:
            return ("altc", alts.index(e.name)), "alt"
        if e.name in ("n", "m"):
            return (e.name,), "num"
        raise _err(f"unknown name `{e.name}` in a rule expression", e.span,
                   "names: the bound variables, the alternatives (" + ", ".join(alts) + "), n, m")
    if isinstance(e, A.EUnary):
        if e.op == "not":
            return ("not", _want(_check(e.operand, scope, alts, in_voter), "bool", e.operand, "`not`'s operand")), "bool"
        inner = _want(_check(e.operand, scope, alts, in_voter), "num", e.operand, "the operand")
        return (("neg", inner) if e.op == "-" else inner), "num"
    if isinstance(e, A.EBinary):
        return _binary(e, scope, alts, in_voter)
    if isinstance(e, A.ECond):
        c = _want(_check(e.cond, scope, alts, in_voter), "bool", e.cond, "the condition")
        a, ka = _check(e.then, scope, alts, in_voter)
        b, kb = _check(e.otherwise, scope, alts, in_voter)
        if "alt" in (ka, kb):
            raise _err("both branches of `if ... else` must be numbers", e.span)
        if ka == kb == "bool":
            return ("if", c, a, b), "bool"
        return ("if", c, _want((a, ka), "num", e.then, "a branch"), _want((b, kb), "num", e.otherwise, "a branch")), "num"
    if isinstance(e, A.ECall):
        return _call(e, scope, alts, in_voter)
    if isinstance(e, A.EAggregate):
        return _aggregate(e, scope, alts, in_voter)
    raise _err("not allowed in a rule expression", _span(e),
               "rules read the profile through rank, prefers, support, margin, positional and aggregates")


_ARITH = {"+", "-", "*", "/", "^"}
_CMP = {"<", "<=", ">", ">=", "==", "!="}


def _binary(e: A.EBinary, scope: dict[str, str], alts: tuple[str, ...], in_voter: bool) -> tuple[Node, str]:
    if e.op in ("and", "or"):
        return (e.op, _want(_check(e.left, scope, alts, in_voter), "bool", e.left, f"`{e.op}`'s operand"),
                _want(_check(e.right, scope, alts, in_voter), "bool", e.right, f"`{e.op}`'s operand")), "bool"
    left, kl = _check(e.left, scope, alts, in_voter)
    right, kr = _check(e.right, scope, alts, in_voter)
    if e.op in _CMP:
        if "alt" in (kl, kr):
            if kl != kr or e.op not in ("==", "!="):
                raise _err("alternatives are compared only with == and != to alternatives", e.op_span or e.span)
            return ("altcmp", e.op, left, right), "bool"
        return ("cmp", e.op, _want((left, kl), "num", e.left, "a comparison operand"),
                _want((right, kr), "num", e.right, "a comparison operand")), "bool"
    if e.op not in _ARITH:
        raise _err(f"operator `{e.op}` is not allowed in a rule expression", e.op_span or e.span)
    a = _want((left, kl), "num", e.left, "an operand")
    b = _want((right, kr), "num", e.right, "an operand")
    if _is_const(b):
        if e.op == "/" and _ref(b, {}, [], len(alts)) == 0:
            raise _err("division by zero", _span(e.right))
        b = ("const", Fraction(_ref(b, {}, [], len(alts))))
    if e.op == "/":
        if b[0] != "const" or b[1] == 0:
            raise _err("a rule expression divides only by a nonzero constant number", _span(e.right),
                       "scores are compared exactly; multiply instead of dividing by a profile quantity")
    if e.op == "^":
        if b[0] != "const" or b[1].denominator != 1 or not 0 <= b[1] <= 8:
            raise _err("`^` takes a constant whole exponent in 0..8", _span(e.right))
    return ("bin", e.op, a, b), "num"


def _call(e: A.ECall, scope: dict[str, str], alts: tuple[str, ...], in_voter: bool) -> tuple[Node, str]:
    fn, args = e.fn, e.args
    arity = {"rank": 2, "prefers": 3, "support": 2, "margin": 2, "sign": 1, "abs": 1}
    if fn not in FUNCTIONS:
        import difflib

        from verigroup.elections.rules import RULES

        close = difflib.get_close_matches(fn, list(FUNCTIONS), n=1)
        if fn in RULES:
            raise _err(f"`{fn}` is a library rule, not a function of a rule expression", e.fn_span or e.span,
                       f"write `rule {fn}` instead of `score ...`, or spell the rule out (e.g. Borda: "
                       "`score x = sum(v: m - rank(v, x))`)")
        raise _err(f"unknown function `{fn}` in a rule expression", e.fn_span or e.span,
                   (f"did you mean `{close[0]}`? " if close else "") + "functions: " + ", ".join(FUNCTIONS))
    if fn in arity and len(args) != arity[fn]:
        raise _err(f"`{fn}` takes {arity[fn]} arguments, got {len(args)}", e.span)
    if fn in ("rank", "prefers"):
        v = args[0]
        if not (isinstance(v, A.EName) and scope.get(v.name) == "voter"):
            raise _err(f"the first argument of `{fn}` is a voter bound by an aggregate, e.g. `sum(v: {fn}(v, ...))`",
                       _span(v))
        rest = tuple(_want(_check(a, scope, alts, in_voter), "alt", a, f"an argument of `{fn}`") for a in args[1:])
        return (fn, *rest), ("num" if fn == "rank" else "bool")
    if fn in ("support", "margin"):
        return (fn, *(_want(_check(a, scope, alts, in_voter), "alt", a, f"an argument of `{fn}`") for a in args)), "num"
    if fn == "positional":
        if len(args) != len(alts) + 1:
            raise _err(f"`positional` takes an alternative and {len(alts)} points (one per place), got "
                       f"{len(args) - 1} points", e.span, "for example `positional(x, "
                       + ", ".join(str(len(alts) - 1 - k) for k in range(len(alts))) + ")`")
        who = _want(_check(args[0], scope, alts, in_voter), "alt", args[0], "the first argument of `positional`")
        pts = []
        for a in args[1:]:
            t = _want(_check(a, scope, alts, in_voter), "num", a, "a point value")
            if _is_const(t):
                t = ("const", Fraction(_ref(t, {}, [], len(alts))))
            if t[0] != "const":
                raise _err("the points of `positional` are constant numbers", _span(a))
            pts.append(t[1])
        return ("positional", who, tuple(pts)), "num"
    if fn in ("sign", "abs"):
        return (fn, _want(_check(args[0], scope, alts, in_voter), "num", args[0], f"`{fn}`'s argument")), "num"
    if len(args) < 2:
        raise _err(f"`{fn}(a, b, ...)` takes two or more numbers; for an aggregate write `{fn}(y: ...)`", e.span)
    return ("minmax", fn, tuple(_want(_check(a, scope, alts, in_voter), "num", a, "an argument") for a in args)), "num"


def _is_const(t: Node) -> bool:
    """Arithmetic on constants only (folded where a constant is required)."""
    if t[0] == "const":
        return True
    if t[0] in ("neg", "abs", "sign"):
        return _is_const(t[1])
    if t[0] == "bin":
        return _is_const(t[2]) and _is_const(t[3])
    if t[0] == "minmax":
        return all(_is_const(s) for s in t[2])
    return False


def _aggregate(e: A.EAggregate, scope: dict[str, str], alts: tuple[str, ...], in_voter: bool) -> tuple[Node, str]:
    if e.fn not in AGGREGATES:
        raise _err(f"unknown aggregate `{e.fn}` in a rule expression", e.span, "aggregates: " + ", ".join(AGGREGATES))
    if e.lo is not None or e.filter is not None:
        raise _err("a rule aggregate ranges over the voters or the alternatives, not over a number range",
                   e.var_span or e.span, f"write `{e.fn}({e.var}: ...)`")
    if e.var in scope or e.var in alts or e.var in ("n", "m"):
        raise _err(f"`{e.var}` is already a name here", e.var_span or e.span, "use a fresh variable name")
    voter = _uses_as_voter(e.body, e.var)
    if voter and in_voter:
        raise _err("an aggregate over voters inside another aggregate over voters", e.span,
                   "rules read one voter at a time; use support/margin for pairwise counts")
    if not voter and len([k for k in scope.values() if k == "alt"]) >= len(alts):
        raise _err(f"`{e.var}` ranges over no alternative: every alternative is already bound", e.var_span or e.span)
    inner = dict(scope)
    inner[e.var] = "voter" if voter else "alt"
    body = _want(_check(e.body, inner, alts, in_voter or voter), "bool" if e.fn == "count" else "num", e.body,
                 f"the body of `{e.fn}`")
    return ("agg", e.fn, "voter" if voter else "alt", e.var, body), "num"


# ------------------------------------------------------------------ vectorised evaluation
class _Overflow(Exception):
    pass


_BOUND = 1 << 61   # every int64 intermediate stays below this (sums of two stay below 2^62)


def _mx(a: Any) -> int:
    arr = np.asarray(a)
    return int(np.abs(arr).max()) if arr.size else 0


class _Vec:
    """Values are (numerators, denominator): arrays broadcastable to
    ``P x R`` (a ranking axis appears inside voter aggregates)."""

    def __init__(self, counts: IntArray, space: RankingSpace, big: bool) -> None:
        self.counts = counts.astype(object) if big else counts
        self.space, self.big = space, big
        self.pos = space.pos
        self._support: Any = None

    def _chk(self, *terms: int) -> None:
        """Before an int64 operation: the bound of its result (a sum of
        products of operand maxima, computed in Python integers) must stay
        below ``_BOUND``; otherwise the evaluation restarts on Python ints."""
        if not self.big and sum(terms) > _BOUND:
            raise _Overflow

    def _scale(self, a: Any, f: int) -> Any:
        self._chk(_mx(a) * f)
        return a * f

    def support(self) -> Any:
        if self._support is None:
            m = self.space.m
            pref = self.space.prefers().reshape(self.space.size, m * m).astype(np.int64)
            if self.big:
                pref = pref.astype(object)
            self._support = (self.counts @ pref).reshape(-1, m, m)
        return self._support

    def alt(self, t: Node, env: dict[str, Any]) -> int:
        return int(env[t[1]]) if t[0] == "altvar" else int(t[1])

    def bool_(self, t: Node, env: dict[str, Any]) -> Any:
        op = t[0]
        if op == "not":
            return ~np.asarray(self.bool_(t[1], env), dtype=bool)
        if op in ("and", "or"):
            a, b = np.asarray(self.bool_(t[1], env), dtype=bool), np.asarray(self.bool_(t[2], env), dtype=bool)
            return (a & b) if op == "and" else (a | b)
        if op == "altcmp":
            same = self.alt(t[2], env) == self.alt(t[3], env)
            return np.full((1, 1), same if t[1] == "==" else not same)
        if op == "cmp":
            (a, da), (b, db) = self.num(t[2], env), self.num(t[3], env)
            x, y = self._scale(a, db), self._scale(b, da)
            return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y, "!=": x != y}[t[1]]
        if op == "prefers":
            x, y = self.alt(t[1], env), self.alt(t[2], env)
            return (self.pos[:, x] < self.pos[:, y])[None, :]
        if op == "if":
            c = np.asarray(self.bool_(t[1], env), dtype=bool)
            return np.where(c, self.bool_(t[2], env), self.bool_(t[3], env))
        if op == "const":
            return np.full((1, 1), bool(t[1]))
        raise AssertionError(op)  # pragma: no cover

    def _const(self, q: Fraction) -> tuple[Any, int]:
        self._chk(abs(q.numerator), q.denominator)
        arr = np.full((1, 1), q.numerator, dtype=object if self.big else np.int64)
        return arr, q.denominator

    def num(self, t: Node, env: dict[str, Any]) -> tuple[Any, int]:
        op = t[0]
        if op == "const":
            return self._const(t[1])
        if op == "n":
            return self.counts.sum(axis=1, keepdims=True), 1
        if op == "m":
            return self._const(Fraction(self.space.m))
        if op == "neg":
            a, d = self.num(t[1], env)
            return -a, d
        if op == "bin":
            (a, da), (b, db) = self.num(t[2], env), self.num(t[3], env)
            if t[1] in "+-":
                den = math.lcm(da, db)
                self._chk(den, _mx(a) * (den // da) + _mx(b) * (den // db))
                return a * (den // da) + (b * (den // db)) * (1 if t[1] == "+" else -1), den
            if t[1] == "*":
                self._chk(da * db, _mx(a) * _mx(b))
                return a * b, da * db
            if t[1] == "/":
                q = Fraction(int(np.asarray(b).flat[0]), db)
                sgn = 1 if q > 0 else -1
                self._chk(da * abs(q.numerator))
                return self._scale(a, sgn * q.denominator), da * abs(q.numerator)
            k = int(np.asarray(b).flat[0]) // db
            self._chk(da ** k, _mx(a) ** k)
            return (a ** k if k else a * 0 + 1), da ** k
        if op == "if":
            c = np.asarray(self.bool_(t[1], env), dtype=bool)
            (a, da), (b, db) = self.num(t[2], env), self.num(t[3], env)
            den = math.lcm(da, db)
            self._chk(den)
            return np.where(c, self._scale(a, den // da), self._scale(b, den // db)), den
        if op == "rank":
            x = self.alt(t[1], env)
            v = (self.pos[:, x] + 1)[None, :]
            return (v.astype(object) if self.big else v), 1
        if op in ("support", "margin"):
            x, y = self.alt(t[1], env), self.alt(t[2], env)
            s = self.support()
            v = s[:, x, y] if op == "support" else s[:, x, y] - s[:, y, x]
            return v[:, None], 1
        if op == "positional":
            x = self.alt(t[1], env)
            pts: tuple[Fraction, ...] = t[2]
            den = math.lcm(*[p.denominator for p in pts])
            self._chk(den, int(self.counts.sum(axis=1).max()) * max(abs(int(p * den)) for p in pts))
            per = np.array([int(p * den) for p in pts], dtype=object if self.big else np.int64)[self.pos[:, x]]
            return (self.counts @ per)[:, None], den
        if op in ("sign", "abs"):
            a, d = self.num(t[1], env)
            return ((np.sign(a) if not self.big else np.vectorize(lambda z: (z > 0) - (z < 0), otypes=[object])(a)), 1) \
                if op == "sign" else (abs(a), d)
        if op == "minmax":
            vals = [self.num(s, env) for s in t[2]]
            den = math.lcm(*[d for _, d in vals])
            self._chk(den)
            stack = np.broadcast_arrays(*[self._scale(v, den // d) for v, d in vals])
            f = np.minimum if t[1] == "min" else np.maximum
            out = stack[0]
            for s in stack[1:]:
                out = f(out, s)
            return out, den
        if op == "agg":
            return self._agg(t, env)
        if op in ("prefers", "not", "and", "or", "altcmp", "cmp"):
            b = np.asarray(self.bool_(t, env), dtype=bool)
            return (b.astype(object) if self.big else b.astype(np.int64)), 1
        raise AssertionError(op)  # pragma: no cover

    def _agg(self, t: Node, env: dict[str, Any]) -> tuple[Any, int]:
        _, fn, kind, var, body = t
        if kind == "voter":
            inner = dict(env)
            inner[var] = None
            if fn == "count":
                v, d = np.asarray(self.bool_(body, inner), dtype=bool).astype(np.int64), 1
            else:
                v, d = self.num(body, inner)
            full = np.broadcast_to(v, (self.counts.shape[0], self.space.size))
            if fn in ("sum", "count"):
                self._chk(int(self.counts.sum(axis=1).max()) * _mx(full))
                return (self.counts * full).sum(axis=1, keepdims=True), d
            present = self.counts > 0
            if fn == "min":
                return np.where(present, full, _BIG_ALT(full, True)).min(axis=1, keepdims=True), d
            return np.where(present, full, _BIG_ALT(full, False)).max(axis=1, keepdims=True), d
        taken = {int(v) for k, v in env.items() if v is not None}
        vals = []
        for y in range(self.space.m):
            if y in taken:
                continue
            inner = dict(env)
            inner[var] = y
            if fn == "count":
                b = np.asarray(self.bool_(body, inner), dtype=bool)
                vals.append((b.astype(object) if self.big else b.astype(np.int64), 1))
            else:
                vals.append(self.num(body, inner))
        den = math.lcm(*[d for _, d in vals])
        self._chk(den)
        stack = np.broadcast_arrays(*[self._scale(v, den // d) for v, d in vals])
        if fn in ("sum", "count"):
            self._chk(sum(_mx(v) for v in stack))
            out = stack[0]
            for s in stack[1:]:
                out = out + s
            return out, den
        f = np.minimum if fn == "min" else np.maximum
        out = stack[0]
        for s in stack[1:]:
            out = f(out, s)
        return out, den


def _BIG_ALT(full: Any, low: bool) -> Any:
    """A value beyond every entry (masks absent rankings in voter min/max)."""
    if full.size == 0:
        return 0
    return full.max() + 1 if low else full.min() - 1


# ------------------------------------------------------------------ reference (one profile, Fractions)
def _place(ballot: Any, x: int) -> int:
    """Alternatives strictly above ``x``: a ranking is a tuple of
    alternatives, a weak ballot a tuple of tiers (tuples)."""
    if ballot and isinstance(ballot[0], tuple):
        above = 0
        for tier in ballot:
            if x in tier:
                return above
            above += len(tier)
        raise ValueError(x)
    return int(ballot.index(x))

def _ref(t: Node, env: dict[str, Any], prof: Sequence[tuple[int, ...]], m: int) -> Any:
    op = t[0]
    if op == "const":
        return t[1]
    if op == "n":
        return Fraction(len(prof))
    if op == "m":
        return Fraction(m)
    if op in ("altvar", "altc"):
        return env[t[1]] if op == "altvar" else t[1]
    if op == "neg":
        return -_ref(t[1], env, prof, m)
    if op == "not":
        return not _ref(t[1], env, prof, m)
    if op == "and":
        return bool(_ref(t[1], env, prof, m)) and bool(_ref(t[2], env, prof, m))
    if op == "or":
        return bool(_ref(t[1], env, prof, m)) or bool(_ref(t[2], env, prof, m))
    if op == "altcmp":
        same = _ref(t[2], env, prof, m) == _ref(t[3], env, prof, m)
        return same if t[1] == "==" else not same
    if op == "cmp":
        a, b = _ref(t[2], env, prof, m), _ref(t[3], env, prof, m)
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[t[1]]
    if op == "bin":
        a, b = Fraction(_ref(t[2], env, prof, m)), Fraction(_ref(t[3], env, prof, m))
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
                "^": lambda: a ** int(b)}[t[1]]()
    if op == "if":
        return _ref(t[2], env, prof, m) if _ref(t[1], env, prof, m) else _ref(t[3], env, prof, m)
    if op == "rank":
        return Fraction(_place(env["@voter"], _ref(t[1], env, prof, m)) + 1)
    if op == "prefers":
        r = env["@voter"]
        return _place(r, _ref(t[1], env, prof, m)) < _place(r, _ref(t[2], env, prof, m))
    if op in ("support", "margin"):
        x, y = _ref(t[1], env, prof, m), _ref(t[2], env, prof, m)
        sxy = sum(1 for r in prof if _place(r, x) < _place(r, y))
        syx = sum(1 for r in prof if _place(r, y) < _place(r, x))
        return Fraction(sxy if op == "support" else sxy - syx)
    if op == "positional":
        x = _ref(t[1], env, prof, m)
        return sum((t[2][_place(r, x)] for r in prof), Fraction(0))
    if op == "sign":
        v = _ref(t[1], env, prof, m)
        return Fraction((v > 0) - (v < 0))
    if op == "abs":
        return abs(Fraction(_ref(t[1], env, prof, m)))
    if op == "minmax":
        vals = [Fraction(_ref(s, env, prof, m)) for s in t[2]]
        return min(vals) if t[1] == "min" else max(vals)
    if op == "agg":
        _, fn, kind, var, body = t
        if kind == "voter":
            vals = [_ref(body, {**env, "@voter": r}, prof, m) for r in prof]
        else:
            bound = {v for k, v in env.items() if k != "@voter" and isinstance(v, int)}
            vals = [_ref(body, {**env, var: y}, prof, m) for y in range(m) if y not in bound]
        if fn == "count":
            return Fraction(sum(1 for v in vals if v))
        if fn == "sum":
            return sum((Fraction(v) for v in vals), Fraction(0))
        return min(Fraction(v) for v in vals) if fn == "min" else max(Fraction(v) for v in vals)
    raise AssertionError(op)  # pragma: no cover
