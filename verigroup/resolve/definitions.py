"""Language v2 (issue 8): valued actions, local definitions and payoff tables.

* ``agents a[1..n]: actions low = 1, high = 2``: each action carries a
  constant value (numbers and params).  ``value(a[i])`` is resolved by
  :meth:`verigroup.resolve.exprs.ExprResolver` into a symbolic IR
  expression, ``v_low if a[i] == low else v_high`` -- ordinary
  ``Cond``/``ActionIs`` nodes, so the vectorised, scalar, counting and Z3
  routes all read it (no table is baked in anywhere).
* ``let share = r / n`` and ``let quantity(x) = 10 - value(x)``: inlined
  at every use (the arguments substituted into the body as written), so they
  never show up in reports.  Recursion is a cyclic definition (E106); the
  total number of expansions is bounded (E007).
* ``payoffs row, col:`` with one ``action: (u_row, u_col), ...`` line per
  row action, cells in the column agent's declared action order: expanded
  into the two ``payoff`` declarations it stands for.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

from verigroup.diagnostics import Span, did_you_mean
from verigroup.model import expr as X
from verigroup.resolve.context import Ctx
from verigroup.syntax import ast as A

MAX_EXPANSIONS = 10_000  # let/def expansions in one spec


# ------------------------------------------------------------ valued actions


def action_values(ctx: Ctx, d: A.AgentsDecl) -> dict[str, X.Expr]:
    """The IR of each action's value (empty when the actions carry none)."""
    from verigroup.resolve.exprs import ExprResolver

    if not d.values:
        return {}
    out: dict[str, X.Expr] = {}
    res = ExprResolver(ctx, "const")
    for (name, sp), v in zip(d.actions, d.values):
        if v is None:
            ctx.error("E110", f"action `{name}` has no value, but other actions of this list do", sp,
                      f"give every action a value: {name} = ...")
            return {}
        out[name] = res.number(v, frozenset(), f"the value of action `{name}`")
    return out


def value_expr(ref: X.AgentRef, values: dict[str, X.Expr], actions: tuple[str, ...], span: Span) -> X.Expr:
    """``value(ref)`` as IR: ``Cond(ActionIs(ref, a), v_a, ...)`` over the
    agent's actions, split in halves (``Logic`` ``or`` of ``ActionIs``) so
    the depth grows like log^2 of the number of actions, not linearly."""
    def test(group: tuple[str, ...]) -> X.Expr:
        if len(group) == 1:
            return X.ActionIs(ref, group[0], False, span)
        h = len(group) // 2
        return X.Logic("or", test(group[:h]), test(group[h:]), span)

    def build(group: tuple[str, ...]) -> X.Expr:
        if len(group) == 1:
            return values[group[0]]
        if len(group) <= 4:
            return X.Cond(test(group[:1]), values[group[0]], build(group[1:]), span)
        h = len(group) // 2
        return X.Cond(test(group[:h]), build(group[:h]), build(group[h:]), span)

    return build(actions)


# ------------------------------------------------------------ let definitions


def register_lets(ctx: Ctx, lets: list[A.LetDecl]) -> None:
    for d in lets:
        if not ctx.declare(d.name, "definition", d.name_span):
            continue
        if d.params is not None:
            seen: set[str] = set()
            bound = {n for n in _bound_vars(d.body)}
            ok = True
            for p, sp in d.params:
                if p in seen:
                    ctx.error("E102", f"parameter `{p}` is listed twice", sp)
                    ok = False
                if p in bound:
                    ctx.error("E102", f"parameter `{p}` is also an index variable inside `{d.name}`", sp,
                              "rename the index variable of the aggregate")
                    ok = False
                seen.add(p)
            if not ok:
                continue
        ctx.lets[d.name] = d


def _bound_vars(e: Any) -> set[str]:
    out: set[str] = set()
    stack = [e]
    while stack:
        n = stack.pop()
        if isinstance(n, A.EAggregate):
            out.add(n.var)
        if dataclasses.is_dataclass(n):
            for f in dataclasses.fields(n):
                v = getattr(n, f.name)
                if isinstance(v, tuple):
                    stack.extend(x for x in v if dataclasses.is_dataclass(x))
                elif dataclasses.is_dataclass(v):
                    stack.append(v)
    return out


def substitute(e: Any, mapping: dict[str, A.Expr]) -> Any:
    """``e`` with every ``EName`` in ``mapping`` replaced (AST level)."""
    if isinstance(e, A.EName) and e.name in mapping:
        return mapping[e.name]
    if not dataclasses.is_dataclass(e) or isinstance(e, type):
        return e
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(e):
        if f.name.endswith("span"):
            continue
        v = getattr(e, f.name)
        if isinstance(v, tuple):
            nv = tuple(substitute(x, mapping) for x in v)
            if nv != v:
                changes[f.name] = nv
        elif dataclasses.is_dataclass(v):
            nv2 = substitute(v, mapping)
            if nv2 is not v:
                changes[f.name] = nv2
    return dataclasses.replace(e, **changes) if changes else e


def rename_bound(e: Any, suffix: str, mapping: dict[str, str] | None = None) -> Any:
    """``e`` with the index variable of every aggregate renamed ``var + suffix``
    (not a name a spec can write), so a definition's own index variables
    never clash with, or capture, the variables where it is used."""
    mapping = mapping or {}
    if isinstance(e, A.EName):
        return A.EName(mapping[e.name], e.span) if e.name in mapping else e
    if isinstance(e, A.EAggregate):
        inner = {**mapping, e.var: e.var + suffix}
        return dataclasses.replace(
            e, var=e.var + suffix,
            lo=None if e.lo is None else rename_bound(e.lo, suffix, mapping),
            hi=None if e.hi is None else rename_bound(e.hi, suffix, mapping),
            filter=None if e.filter is None else rename_bound(e.filter, suffix, inner),
            body=rename_bound(e.body, suffix, inner))
    if not dataclasses.is_dataclass(e) or isinstance(e, type):
        return e
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(e):
        if f.name.endswith("span"):
            continue
        v = getattr(e, f.name)
        if isinstance(v, tuple):
            nv = tuple(rename_bound(x, suffix, mapping) for x in v)
            if nv != v:
                changes[f.name] = nv
        elif dataclasses.is_dataclass(v):
            nv2 = rename_bound(v, suffix, mapping)
            if nv2 is not v:
                changes[f.name] = nv2
    return dataclasses.replace(e, **changes) if changes else e


def expansion_allowed(ctx: Ctx, name: str, span: Span) -> bool:
    """Count one expansion of ``name``; report cycles and runaway expansion."""
    if name in ctx.let_stack:
        chain = " -> ".join(ctx.let_stack[ctx.let_stack.index(name):] + [name])
        ctx.error("E106", f"`{name}` is defined in terms of itself ({chain})", span)
        return False
    ctx.let_expansions += 1
    if ctx.let_expansions > MAX_EXPANSIONS:
        if ctx.let_expansions == MAX_EXPANSIONS + 1:
            ctx.error("E007", f"definitions expand more than {MAX_EXPANSIONS} times", span,
                      "a definition used inside another many times multiplies; use a metric instead")
        return False
    return True


# ------------------------------------------------------------ payoff tables


def expand_tables(ctx: Ctx, tables: list[A.PayoffTable], agents: list[A.AgentsDecl]) -> list[A.PayoffDecl]:
    """Each table as the two payoff declarations it stands for."""
    acts: dict[str, tuple[str, ...]] = {}
    single: dict[str, bool] = {}
    for d in agents:
        for h in d.heads:
            acts[h.name] = tuple(a for a, _ in d.actions)
            single[h.name] = h.lo is None
    out: list[A.PayoffDecl] = []
    for t in tables:
        ok = True
        for who, sp in ((t.row, t.row_span), (t.col, t.col_span)):
            if who not in acts:
                ctx.error("E101", f"undefined agent `{who}`", sp, did_you_mean(who, acts))
                ok = False
            elif not single[who]:
                ctx.error("E110", f"a payoff table is for two single agents; `{who}` is a family", sp,
                          f"write payoff {who}[i] = ... instead")
                ok = False
        if t.row == t.col and ok:
            ctx.error("E110", "a payoff table needs two different agents", t.col_span)
            ok = False
        if not ok:
            out += _stand_ins(t, acts)
            continue
        rows, cols = acts[t.row], acts[t.col]
        cells: dict[tuple[str, str], tuple[A.Expr, A.Expr]] = {}
        seen: dict[str, Span] = {}
        for name, sp, line in t.rows:
            if name not in rows:
                ctx.error("E104", f"`{name}` is not an action of {t.row} (its actions are {', '.join(rows)})",
                          sp, did_you_mean(name, rows))
                ok = False
                continue
            if name in seen:
                ctx.error("E102", f"the row `{name}` is given twice (first on line {seen[name].line})", sp)
                ok = False
                continue
            seen[name] = sp
            if len(line) != len(cols):
                ctx.error("E103", f"the row `{name}` has {len(line)} cell(s); {t.col} has {len(cols)} actions "
                          f"({', '.join(cols)})", sp, "one (row payoff, column payoff) cell per column action, "
                          "in the column agent's declared order")
                ok = False
                continue
            for c, (u, v, _) in zip(cols, line):
                cells[(name, c)] = (u, v)
        missing = [r for r in rows if r not in seen]
        if ok and missing:
            ctx.error("E108", f"the payoff table has no row for {', '.join(missing)}", t.span,
                      f"add a line `{missing[0]}: (..., ...), ...`")
            ok = False
        if not ok:
            out += _stand_ins(t, acts)
            continue
        for k, (who, sp) in enumerate(((t.row, t.row_span), (t.col, t.col_span))):
            body = _table_expr(t, rows, cols, cells, k)
            out.append(A.PayoffDecl(who, None, body, t.span, sp))
    return out


def _stand_ins(t: A.PayoffTable, acts: dict[str, tuple[str, ...]]) -> list[A.PayoffDecl]:
    """After a reported table error: placeholder payoffs, so "no payoff for
    ..." does not pile on (the spec is refused anyway)."""
    return [A.PayoffDecl(w, None, A.ENum(Fraction(0), "0", t.span), t.span, sp)
            for w, sp in ((t.row, t.row_span), (t.col, t.col_span)) if w in acts]


def _table_expr(t: A.PayoffTable, rows: tuple[str, ...], cols: tuple[str, ...],
                cells: dict[tuple[str, str], tuple[A.Expr, A.Expr]], k: int) -> A.Expr:
    """One agent's payoff: a split over the row agent's actions, then over
    the column agent's (depth ~ log^2 of the table's sides)."""
    sp = t.span

    def test(who: str, group: tuple[str, ...]) -> A.Expr:
        if len(group) == 1:
            return A.EBinary("==", A.EName(who, sp), A.EName(group[0], sp), sp)
        h = len(group) // 2
        return A.EBinary("or", test(who, group[:h]), test(who, group[h:]), sp)

    def build(who: str, group: tuple[str, ...], leaf: Any) -> A.Expr:
        if len(group) == 1:
            return leaf(group[0])  # type: ignore[no-any-return]
        h = len(group) // 2 if len(group) > 4 else 1
        return A.ECond(build(who, group[:h], leaf), test(who, group[:h]), build(who, group[h:], leaf), sp)

    return build(t.row, rows, lambda r: build(t.col, cols, lambda c: cells[(r, c)][k]))
