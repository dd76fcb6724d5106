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
  row action, cells in the column agent's declared action order (for n
  agents a line per combination of the first n-1 agents' actions, cells of
  n payoffs): expanded into the ``payoff`` declarations it stands for.
"""

from __future__ import annotations

import dataclasses
import itertools
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


def value_expr(ref: X.AgentRef | str, values: dict[str, X.Expr], actions: tuple[str, ...], span: Span,
               default: X.Expr | None = None) -> X.Expr:
    """``value(ref)`` as IR: ``Cond(ActionIs(ref, a), v_a, ...)`` over the
    agent's actions, split in halves (``Logic`` ``or`` of ``ActionIs``) so
    the depth grows like log^2 of the number of actions, not linearly.

    In a protocol (LANG3) ``ref`` may be a stage name (``MoveIs`` tests) and
    ``default`` is the value where no move of the stage was made (a stage
    not reached in the history): every move is then tested."""
    def test(group: tuple[str, ...]) -> X.Expr:
        if len(group) == 1:
            if isinstance(ref, str):
                return X.MoveIs(ref, group[0], False, span)
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

    def exhaustive(group: tuple[str, ...], other: X.Expr) -> X.Expr:
        return X.Cond(test(group), build(group), other, span)

    return build(actions) if default is None else exhaustive(actions, default)


# ---- valued moves in protocols (issue 8, LANG3): `alice chooses low = 1, high = p`


def record_stage_values(ctx: Ctx, plan: Any, flat: list[Any]) -> None:
    """The IR of each valued move, by stage (``ctx.stage_values``); an
    agent (or family) whose own-named stages carry the values of all its
    actions gets them as its action values, so ``value(alice)`` and
    ``value(a[i])`` read them as for a normal-form game."""
    from verigroup.resolve.exprs import ExprResolver

    res = ExprResolver(ctx, "const")
    by_statement: dict[int, dict[str, X.Expr]] = {}
    for s in plan.stages:
        st = flat[s.group] if 0 <= s.group < len(flat) else None
        if s.agent is None or not isinstance(st, A.MoveStage) or not st.values:
            continue
        if s.group not in by_statement:
            valued = dict(st.values)
            missing = [(a, sp) for a, sp in st.actions if a not in valued]
            if missing:
                a, sp = missing[0]
                ctx.error("E110", f"move `{a}` has no value, but other moves of this stage do", sp,
                          f"give every move a value: {a} = ...")
                by_statement[s.group] = {}
            else:
                by_statement[s.group] = {a: res.number(v, frozenset(), f"the value of move `{a}`")
                                         for a, v in st.values}
        ctx.stage_values[s.name] = by_statement[s.group]  # {} after an error: value(STAGE) stays quiet
    for fam in ctx.families.values():
        members = ([fam.name] if fam.single else [f"{fam.name}[{k}]" for k in fam.members()])
        own = [ctx.stage_values.get(m) for m in members]
        if not all(own):
            continue
        first = own[0] or {}
        if any(set(v or {}) != set(first) for v in own) or set(first) != set(fam.actions):
            continue
        if fam.values:
            ctx.error("E102", f"the actions of `{fam.name}` already carry values (declared on line "
                      f"{fam.span.line})", next(s.span for s in plan.stages if s.name == members[0]),
                      "give the values once: in the `agents` declaration or in the protocol")
            continue
        fam.values = dict(first)


# ------------------------------------------------------------ let definitions


def provisional_lets(ctx: Ctx, lets: list[A.LetDecl], params: list[A.ParamDecl]) -> None:
    """``let`` in params (issue 8, LANG3): before the params are resolved,
    the definitions are made visible (not yet declared: :func:`register_lets`
    declares and checks them later, in the usual order, and replaces this
    table).  A param may use definitions, and through them earlier params;
    a definition that reads the param being defined is E106, one that reads
    a later param E101 (see ``ExprResolver.r_EName``)."""
    ctx.param_lines = {d.name: d.span.line for d in params}
    names = set(ctx.param_lines)
    for d in lets:
        ps = [p for p, _ in d.params or ()]
        if d.name in names or len(set(ps)) != len(ps) or set(ps) & _bound_vars(d.body):
            continue
        ctx.lets.setdefault(d.name, d)


def register_lets(ctx: Ctx, lets: list[A.LetDecl]) -> None:
    ctx.lets = {}  # replaces the provisional table of the params' phase
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


@dataclasses.dataclass(frozen=True)
class EArg:
    """An argument substituted into a definition's body that itself uses a
    definition: resolved with the *caller's* definition stack, so
    ``sq(sq(x))`` is not mistaken for a cycle (LANG3)."""

    expr: Any
    stack: tuple[str, ...]
    span: Span


def mentions_let(ctx: Ctx, e: Any) -> bool:
    """Whether ``e`` uses a definition (a name or call of ``ctx.lets``)."""
    stack = [e]
    while stack:
        n = stack.pop()
        if isinstance(n, A.EName) and n.name in ctx.lets or isinstance(n, A.ECall) and n.fn in ctx.lets:
            return True
        if isinstance(n, EArg):
            return True
        if dataclasses.is_dataclass(n) and not isinstance(n, type):
            for f in dataclasses.fields(n):
                v = getattr(n, f.name)
                if isinstance(v, tuple):
                    stack.extend(x for x in v if dataclasses.is_dataclass(x))
                elif dataclasses.is_dataclass(v):
                    stack.append(v)
    return False


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
    """Each table as the payoff declarations it stands for (one per agent)."""
    acts: dict[str, tuple[str, ...]] = {}
    single: dict[str, bool] = {}
    for d in agents:
        for h in d.heads:
            acts[h.name] = tuple(a for a, _ in d.actions)
            single[h.name] = h.lo is None
    out: list[A.PayoffDecl] = []
    for t in tables:
        names = [n for n, _ in t.agents]
        ok = True
        seen_agents: set[str] = set()
        for who, sp in t.agents:
            if who not in acts:
                ctx.error("E101", f"undefined agent `{who}`", sp, did_you_mean(who, acts))
                ok = False
            elif not single[who]:
                ctx.error("E110", f"a payoff table is for single agents; `{who}` is a family", sp,
                          f"write payoff {who}[i] = ... instead")
                ok = False
            elif who in seen_agents:
                ctx.error("E102", f"`{who}` appears twice in the table's header", sp)
                ok = False
            seen_agents.add(who)
        if not ok:
            out += _stand_ins(t, acts)
            continue
        keys_of = [acts[n] for n in names[:-1]]
        cols = acts[names[-1]]
        width = len(names)
        cells: dict[tuple[str, ...], tuple[A.Expr, ...]] = {}
        seen: dict[tuple[str, ...], Span] = {}
        for keys, sp, line in t.rows:
            label = ", ".join(keys)
            if len(keys) != width - 1:
                ctx.error("E103", f"the row `{label}` names {len(keys)} action(s); it needs one for each of "
                          f"{', '.join(names[:-1])}", sp, "a row is `a1, a2, ...: (...), ...` over all agents "
                          "but the last")
                ok = False
                continue
            bad = False
            for who, key, options in zip(names, keys, keys_of):
                if key not in options:
                    ctx.error("E104", f"`{key}` is not an action of {who} (its actions are {', '.join(options)})",
                              sp, did_you_mean(key, options))
                    bad = True
            if bad:
                ok = False
                continue
            if keys in seen:
                ctx.error("E102", f"the row `{label}` is given twice (first on line {seen[keys].line})", sp)
                ok = False
                continue
            seen[keys] = sp
            if len(line) != len(cols):
                ctx.error("E103", f"the row `{label}` has {len(line)} cell(s); {names[-1]} has {len(cols)} actions "
                          f"({', '.join(cols)})", sp, "one cell per action of the last agent, "
                          "in its declared order")
                ok = False
                continue
            for c, (vals, csp) in zip(cols, line):
                if len(vals) != width:
                    ctx.error("E103", f"this cell has {len(vals)} payoff(s); the table has {width} agents "
                              f"({', '.join(names)})", csp)
                    ok = False
                    continue
                cells[keys + (c,)] = vals
        missing = [k for k in itertools.product(*keys_of) if k not in seen]
        if ok and missing:
            ctx.error("E108", f"the payoff table has no row for {', '.join(missing[0])}"
                      + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""), t.span,
                      f"add a line `{', '.join(missing[0])}: (...), ...`")
            ok = False
        if not ok:
            out += _stand_ins(t, acts)
            continue
        for k, (who, sp) in enumerate(t.agents):
            out.append(A.PayoffDecl(who, None, _table_expr(t, names, [acts[n] for n in names], cells, k), t.span, sp))
    return out


def _stand_ins(t: A.PayoffTable, acts: dict[str, tuple[str, ...]]) -> list[A.PayoffDecl]:
    """After a reported table error: placeholder payoffs, so "no payoff for
    ..." does not pile on (the spec is refused anyway)."""
    return [A.PayoffDecl(w, None, A.ENum(Fraction(0), "0", t.span), t.span, sp) for w, sp in t.agents if w in acts]


def _table_expr(t: A.PayoffTable, names: list[str], actions: list[tuple[str, ...]],
                cells: dict[tuple[str, ...], tuple[A.Expr, ...]], k: int) -> A.Expr:
    """Agent ``k``'s payoff: a split over the first agent's actions, then the
    next agent's, ... (depth ~ n log^2 of the sides)."""
    sp = t.span

    def test(who: str, group: tuple[str, ...]) -> A.Expr:
        if len(group) == 1:
            return A.EBinary("==", A.EName(who, sp), A.EName(group[0], sp), sp)
        h = len(group) // 2
        return A.EBinary("or", test(who, group[:h]), test(who, group[h:]), sp)

    def build(level: int, prefix: tuple[str, ...], group: tuple[str, ...]) -> A.Expr:
        if len(group) == 1:
            key = prefix + group
            if level == len(names) - 1:
                return cells[key][k]
            return build(level + 1, key, actions[level + 1])
        h = len(group) // 2 if len(group) > 4 else 1
        return A.ECond(build(level, prefix, group[:h]), test(names[level], group[:h]),
                       build(level, prefix, group[h:]), sp)

    return build(0, (), actions[0])
