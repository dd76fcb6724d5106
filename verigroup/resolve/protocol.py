"""The protocol compiler: ``protocol:`` stages -> a game tree.

Two passes.  :func:`plan_protocol` runs before payoffs are resolved: it
expands family moves into one stage per member, names the stages, gives each
agent the union of its moves' actions, declares state variables, and works
out who observes what (information).  :func:`compile_protocol` runs after:
it resolves conditions and chance probabilities, then unrolls the protocol
into a :class:`~verigroup.extensive.tree.GameTree` with exact payoffs.

Information: a stage's mover observes an earlier stage of the same round iff
it is its own earlier move, a commitment, or allowed by its ``sees`` clause
(default: every earlier stage except private messages to others and the
other members of its own family statement).  Two histories are in one
information set iff they agree on everything the mover observes (and, in a
repeated game, on every earlier round: perfect monitoring).

``repeat forever discount D`` builds no tree: the stage game must be
simultaneous; the model stays a normal-form game (the stage game) and the
discount factor is kept for the automaton properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Generator, Sequence

from verigroup.diagnostics import NO_SPAN, SpecError, Span, TooLarge, did_you_mean
from verigroup.model import expr as X
from verigroup.model.model import Agent, Metric
from verigroup.resolve.context import Ctx, const_value, walk
from verigroup.resolve.exprs import ExprResolver
from verigroup.resolve.histeval import HistoryEval
from verigroup.syntax import ast as A
from verigroup.verdicts import q

NODE_LIMIT = 500_000
MAX_ROUNDS = 1000


@dataclass
class StageInfo:
    name: str
    kind: str  # "chooses" | "commits" | "says" | "chance"
    agent: int | None  # agent position (None: chance)
    actions: tuple[str, ...]
    span: Span
    group: int  # statement number (family members of one statement are simultaneous)
    sees: Any = None  # None | "nothing" | "all" | tuple[A.StageRef, ...]
    receivers: frozenset[int] | None = None  # says ... to: who hears it (the sender too)
    cond_ast: A.Expr | None = None
    prob_ast: tuple[A.Expr, ...] = ()
    cond: X.Expr | None = None
    probs: tuple[X.Expr, ...] = ()
    observes: tuple[int, ...] = ()
    verify: Any = None  # verification stage (issue 14): a verify_stage.VerifyInfo


@dataclass
class Plan:
    stages: list[StageInfo]
    span: Span
    repeat: A.RepeatBlock | None = None
    rounds: int | None = None  # None: no repetition (or forever when forever is True)
    forever: bool = False
    discount: Fraction = Fraction(1)
    state_init: dict[str, X.Expr] = field(default_factory=dict)
    state_order: list[str] = field(default_factory=list)
    updates: list[tuple[str, X.Expr, A.UpdateStage]] = field(default_factory=list)
    stops: list[tuple[X.Expr, A.StopStage]] = field(default_factory=list)
    state_decls: list[A.StateDecl] = field(default_factory=list)
    stage_infosets: dict[str, list[str]] = field(default_factory=dict)
    label_states: dict[str, dict[str, Fraction]] = field(default_factory=dict)  # node state label -> state

    def index(self, name: str) -> int | None:
        for k, s in enumerate(self.stages):
            if s.name == name:
                return k
        return None


# ================================================================ pass 1


def plan_protocol(ctx: Ctx, decl: A.ProtocolDecl, top_states: Sequence[A.StateDecl]) -> Plan | None:
    """Stage expansion, names, actions and information (before payoffs)."""
    plan = Plan([], decl.span, state_decls=list(top_states))
    flat: list[Any] = []
    outer_moves = False
    for st in decl.stages:
        if isinstance(st, A.RepeatBlock):
            if plan.repeat is not None:
                ctx.error("E111", "a protocol can have only one `repeat` block", st.head_span)
                continue
            plan.repeat = st
            for inner in st.body:
                if isinstance(inner, A.RepeatBlock):
                    ctx.error("E111", "`repeat` blocks cannot be nested", inner.head_span)
                elif isinstance(inner, A.StateDecl):
                    plan.state_decls.append(inner)
                else:
                    flat.append(inner)
        elif isinstance(st, A.StateDecl):
            plan.state_decls.append(st)
        elif isinstance(st, (A.UpdateStage, A.StopStage)):
            what = "update" if isinstance(st, A.UpdateStage) else "stop"
            ctx.error("E111", f"`{what}` belongs inside a `repeat` block", st.span,
                      "write `repeat R rounds:` and indent the round's stages under it")
        else:
            outer_moves = True
            flat.append(st)
    if plan.repeat is not None and outer_moves:
        ctx.error("E111", "a repeated protocol must consist of the `repeat` block only", plan.repeat.head_span,
                  "move every stage inside the `repeat` block")
    for sd in plan.state_decls:
        if ctx.declare(sd.name, "state variable", sd.name_span):
            ctx.state_vars[sd.name] = sd.name_span
            plan.state_order.append(sd.name)
    seen_names: dict[str, Span] = {}
    for group, st in enumerate(flat):
        if isinstance(st, A.MoveStage):
            _expand_move(ctx, plan, st, group, seen_names)
        elif isinstance(st, A.ChanceStage):
            _expand_chance(ctx, plan, st, group, seen_names)
        elif isinstance(st, A.VerifyStage):  # verification stage (issue 14)
            from verigroup.resolve.verify_stage import expand_verify

            expand_verify(ctx, plan, st, group, seen_names)
        elif isinstance(st, A.UpdateStage):
            pass
        elif isinstance(st, A.StopStage):
            pass
    if not plan.stages and not ctx.diags:
        ctx.error("E111", "the protocol has no moves", decl.span, "add a stage: `alice chooses x, y`")
    _agent_actions(ctx, plan)
    for s in plan.stages:
        who = "chance" if s.agent is None else ctx.agent_names[s.agent]
        ctx.stages[s.name] = (who, s.actions)
    # ---- language v2 (issue 8, LANG3): valued moves, read with value(STAGE) / value(AGENT)
    from verigroup.resolve.definitions import record_stage_values

    record_stage_values(ctx, plan, flat)
    _information(ctx, plan)
    if plan.repeat is not None:
        _repeat_header(ctx, plan)
    return plan


def _members(ctx: Ctx, st: A.MoveStage) -> list[int] | None:
    fam = ctx.families.get(st.agent)
    if fam is None:
        ctx.error("E101", f"undefined agent `{st.agent}`", st.agent_span, did_you_mean(st.agent, ctx.families))
        return None
    if fam.single:
        if st.index is not None:
            ctx.error("E107", f"`{st.agent}` is a single agent; it takes no index", st.agent_span)
            return None
        return [ctx.agent_pos[(fam.name, None)]]
    assert fam.lo is not None and fam.hi is not None
    if st.index is None or (isinstance(st.index, A.EName) and st.index.name not in ctx.params):
        return [ctx.agent_pos[(fam.name, k)] for k in range(fam.lo, fam.hi + 1)]
    ir = ExprResolver(ctx, "const").number(st.index, frozenset(), "an agent index")
    v = const_value(ir, ctx.param_values())
    if v is None or v.denominator != 1 or not fam.lo <= v <= fam.hi:
        ctx.error("E105", f"index {v} is out of range: `{fam.name}` has members {fam.lo}..{fam.hi}",
                  st.index.span)
        return None
    return [ctx.agent_pos[(fam.name, int(v))]]


def _new_name(ctx: Ctx, plan: Plan, name: str, span: Span, seen: dict[str, Span], labelled: bool) -> bool:
    if name in seen:
        ctx.error("E102", f"a second stage named `{name}` (the first is on line {seen[name].line})", span,
                  f"name the stage: `{name}2: {name} chooses ...`" if not labelled else "choose another name")
        return False
    seen[name] = span
    if labelled and not ctx.declare(name, "stage", span):
        return False
    return True


def _expand_move(ctx: Ctx, plan: Plan, st: A.MoveStage, group: int, seen: dict[str, Span]) -> None:
    members = _members(ctx, st)
    if members is None:
        return
    if st.label is not None and len(members) > 1:
        ctx.error("E111", "a family move cannot be labelled: its stages are named after the members",
                  st.span, f"write `{st.agent}[i] chooses ...` without a label")
        return
    acts: dict[str, Span] = {}
    for a, sp in st.actions:
        if a in acts:
            ctx.error("E102", f"action `{a}` is listed twice", sp)
        acts[a] = sp
    receivers = None
    if st.receivers is not None:
        rec: set[int] = set()
        for r in st.receivers:
            got = _members(ctx, A.MoveStage(None, r.name, r.index, "says", (), None, None, None, r.span, r.span))
            if got is not None:
                rec.update(got)
        receivers = frozenset(rec)
    kind = st.verb
    for m in members:
        name = st.label if st.label is not None else ctx.agent_names[m]
        if not _new_name(ctx, plan, name, st.span, seen, st.label is not None):
            continue
        rc = None if receivers is None else receivers | {m}
        plan.stages.append(StageInfo(name, kind, m, tuple(acts), st.span, group, st.sees, rc, st.cond))


def _expand_chance(ctx: Ctx, plan: Plan, st: A.ChanceStage, group: int, seen: dict[str, Span]) -> None:
    if not _new_name(ctx, plan, st.name, st.name_span, seen, True):
        return
    labels: dict[str, Span] = {}
    for lab, _, sp in st.outcomes:
        if lab in labels:
            ctx.error("E102", f"chance outcome `{lab}` is listed twice", sp)
        labels[lab] = sp
    plan.stages.append(StageInfo(st.name, "chance", None, tuple(o[0] for o in st.outcomes), st.span, group,
                                 cond_ast=st.cond, prob_ast=tuple(o[1] for o in st.outcomes)))


def _agent_actions(ctx: Ctx, plan: Plan) -> None:
    moves: dict[str, list[str]] = {}
    for s in plan.stages:
        if s.agent is None:
            continue
        fname = ctx.agent_names[s.agent].split("[")[0]
        acc = moves.setdefault(fname, [])
        for a in s.actions:
            if a not in acc:
                acc.append(a)
    for fam in ctx.families.values():
        got = moves.get(fam.name)
        if got is None:
            ctx.error("E111", f"agent `{fam.name}` has no moves in the protocol", fam.span,
                      f"add a stage such as `{fam.name}{'' if fam.single else '[i]'} chooses ...`, "
                      "or remove the agent")
            continue
        if fam.actions:
            bad = [a for a in got if a not in fam.actions]
            for a in bad:
                s = next(s for s in plan.stages if s.agent is not None and a in s.actions
                         and ctx.agent_names[s.agent].split("[")[0] == fam.name)
                ctx.error("E104", f"`{a}` is not an action of {fam.name} (declared: {', '.join(fam.actions)})",
                          s.span, did_you_mean(a, fam.actions))
        else:
            fam.actions = tuple(got)
    missing = [k for k in range(len(ctx.agent_names))
               if not any(s.agent == k for s in plan.stages)]
    for k in missing:
        member_of = ctx.families[ctx.agent_names[k].split("[")[0]]
        if member_of.name in moves:  # a family member without its own move
            ctx.error("E111", f"agent `{ctx.agent_names[k]}` has no moves in the protocol", member_of.span)


def _stage_ref_name(ctx: Ctx, r: A.StageRef) -> str | None:
    if r.index is None:
        return r.name
    ir = ExprResolver(ctx, "const").number(r.index, frozenset(), "an agent index")
    v = const_value(ir, ctx.param_values())
    if v is None or v.denominator != 1:
        ctx.error("E107", "a stage index must be an integer constant", r.index.span)
        return None
    return f"{r.name}[{int(v)}]"


def _information(ctx: Ctx, plan: Plan) -> None:
    stages = plan.stages
    pos = {s.name: k for k, s in enumerate(stages)}
    for k, s in enumerate(stages):
        if s.agent is None:
            continue
        explicit: set[int] = set()
        if isinstance(s.sees, tuple):
            for r in s.sees:
                name = _stage_ref_name(ctx, r)
                if name is None:
                    continue
                j = pos.get(name)
                if j is None:
                    fam = ctx.families.get(r.name)
                    if fam is not None and not fam.single and r.index is None:
                        explicit.update(i for i, t in enumerate(stages[:k]) if t.agent is not None
                                        and ctx.agent_names[t.agent].startswith(r.name + "["))
                        continue
                    ctx.error("E101", f"`{name}` is not a stage of the protocol", r.span,
                              did_you_mean(name, pos) or "stages: " + ", ".join(pos))
                    continue
                if j >= k:
                    ctx.error("E111", f"stage `{s.name}` cannot see `{name}`: it "
                              + ("is the same stage" if j == k else "comes later"), r.span,
                              "a stage can only observe earlier stages")
                    continue
                t = stages[j]
                if t.receivers is not None and s.agent not in t.receivers:
                    ctx.error("E111", f"`{name}` is a private message; {ctx.agent_names[s.agent]} "
                              "is not among its receivers", r.span)
                    continue
                explicit.add(j)
        obs = []
        for j in range(k):
            t = stages[j]
            if t.agent == s.agent or t.kind == "commits":
                obs.append(j)
            elif s.sees is None:
                private = t.receivers is not None and s.agent not in t.receivers
                simultaneous = t.group == s.group
                if not private and not simultaneous:
                    obs.append(j)
            elif s.sees == "all":
                obs.append(j)
            elif isinstance(s.sees, tuple) and j in explicit:
                obs.append(j)
        s.observes = tuple(obs)


def _repeat_header(ctx: Ctx, plan: Plan) -> None:
    r = plan.repeat
    assert r is not None
    res = ExprResolver(ctx, "const")
    if r.rounds is None:
        plan.forever = True
        if r.discount is None:
            ctx.error("E111", "`repeat forever` needs a discount factor", r.head_span,
                      "write `repeat forever discount 9/10:`")
            return
    else:
        v = const_value(res.number(r.rounds, frozenset(), "the number of rounds"), ctx.param_values())
        if v is None or v.denominator != 1 or v < 1:
            ctx.error("E111", f"the number of rounds must be a positive integer, got {v}", r.rounds.span)
            return
        if v > MAX_ROUNDS:
            ctx.error("E007", f"{v} rounds is more than the limit of {MAX_ROUNDS}", r.rounds.span)
            return
        plan.rounds = int(v)
    if r.discount is not None:
        d = const_value(res.number(r.discount, frozenset(), "the discount factor"), ctx.param_values())
        if d is None:
            return
        if d <= 0 or d > 1 or (plan.forever and d == 1):
            rng = "(0, 1)" if plan.forever else "(0, 1]"
            ctx.error("E111", f"the discount factor {d} is outside {rng}", r.discount.span,
                      "a discount factor is a number with 0 < D <= 1 (D < 1 for `repeat forever`)")
            return
        plan.discount = d


# ================================================================ pass 2


def resolve_dynamics(ctx: Ctx, plan: Plan) -> None:
    """Conditions, probabilities, state initial values, updates, stops."""
    res = ExprResolver(ctx, "expr")
    const = ExprResolver(ctx, "const")
    for sd in plan.state_decls:
        if sd.name in ctx.state_vars and sd.name not in plan.state_init:
            plan.state_init[sd.name] = const.number(sd.value, frozenset(), f"the initial value of `{sd.name}`")
    for k, s in enumerate(plan.stages):
        if s.cond_ast is not None:
            s.cond = res.boolean(s.cond_ast, frozenset(), f"the condition of stage `{s.name}`")
            _no_later(ctx, plan, k, s.cond, s.name)
        if s.prob_ast:
            s.probs = tuple(res.number(p, frozenset(), "a probability") for p in s.prob_ast)
            for p in s.probs:
                _no_later(ctx, plan, k, p, s.name)
    if plan.repeat is not None:
        for st in plan.repeat.body:
            if isinstance(st, A.UpdateStage):
                if st.name not in ctx.state_vars:
                    ctx.error("E101", f"`{st.name}` is not a state variable", st.name_span,
                              did_you_mean(st.name, ctx.state_vars) or f"declare it: state {st.name} = 0")
                    continue
                plan.updates.append((st.name, res.number(st.value, frozenset(), f"the update of `{st.name}`"), st))
            elif isinstance(st, A.StopStage):
                plan.stops.append((res.boolean(st.cond, frozenset(), "the stop condition"), st))
        if plan.forever and (plan.updates or plan.stops or plan.state_decls):
            ctx.error("E111", "`repeat forever` supports a plain stage game only (no state, update or stop)",
                      plan.repeat.head_span, "use `repeat R rounds` for a game with a carried state")


def _stage_of_ref(ctx: Ctx, n: Any) -> str | None:
    if isinstance(n, X.MoveIs):
        return n.stage
    if isinstance(n, X.ActionIs) and (n.agent.index is None or isinstance(n.agent.index, X.Num)):
        idx = None if n.agent.index is None else int(n.agent.index.value)
        return n.agent.family if idx is None else f"{n.agent.family}[{idx}]"
    return None


def _no_later(ctx: Ctx, plan: Plan, k: int, e: X.Expr, who: str) -> None:
    for n in walk(e):
        name = _stage_of_ref(ctx, n)
        if name is None:
            continue
        j = plan.index(name)
        if j is not None and j >= k:
            ctx.error("E111", f"stage `{who}` depends on `{name}`, which "
                      + ("is this stage" if j == k else "comes later"), X.span_of(n),
                      "a condition or probability can only read earlier moves")


def check_agent_refs(ctx: Ctx, plan: Plan, exprs: Sequence[X.Expr]) -> None:
    """``alice == x`` needs a stage named `alice` (an agent moving at several
    labelled stages must be read through a stage name)."""
    for e in exprs:
        for n in walk(e):
            name = _stage_of_ref(ctx, n)
            if isinstance(n, X.ActionIs) and name is not None and plan.index(name) is None:
                own = [s.name for s in plan.stages if s.agent is not None and ctx.agent_names[s.agent] == name]
                ctx.error("E111", f"`{name}` has no stage of its own name; it moves at "
                          f"{', '.join(own) or 'no stage'}", X.span_of(n),
                          f"compare a stage's move: {own[0]} == {n.action}" if own else None)


# ================================================================ compile


def _size_bound(branch: Sequence[int], rounds: int) -> int:
    per_round_inner = 0
    prod = 1
    for b in branch:
        per_round_inner += prod
        prod *= b
    total, width = 0, 1
    for _ in range(rounds):
        total += width * per_round_inner
        width *= prod
        if total > 10**12:
            return total
    return total + width


def compile_protocol(ctx: Ctx, plan: Plan, agents: Sequence[Agent], metrics: dict[str, Metric],
                     title: str, node_limit: int = NODE_LIMIT) -> Any:
    """The GameTree of the protocol (None for ``repeat forever``)."""
    from verigroup.extensive.tree import TreeBuilder

    if plan.forever:
        return None
    stages = plan.stages
    rounds = plan.rounds or 1
    repeated = plan.rounds is not None
    bound = _size_bound([len(s.actions) for s in stages], rounds)
    if bound > node_limit:
        raise TooLarge.single(
            "E202", f"the protocol unrolls into up to {bound:,} tree nodes; the limit is {node_limit:,}",
            plan.span, hint="use fewer rounds, fewer actions or fewer stages "
                            "(or `repeat forever` for automaton properties)", source=ctx.source)
    params = ctx.param_values()
    pos = ctx.agent_pos
    names = tuple(a.name for a in agents)
    b = TreeBuilder(names, node_limit=node_limit, title=title, span=plan.span)
    reached = [False] * len(stages)
    verifying = any(s.verify is not None for s in stages)  # issue 14
    from verigroup.resolve.verify_stage import revealed
    d = plan.discount
    zero = tuple(Fraction(0) for _ in agents)
    infosets: dict[str, list[str]] = {}
    state0_ev = HistoryEval(params, agents, pos, metrics, {}, {})
    state0: dict[str, Fraction] = {}
    for n in plan.state_order:
        if n in plan.state_init:
            state0[n] = state0_ev.num(plan.state_init[n])

    def hist_text(t: int, moves: dict[str, str]) -> str:
        shown = ", ".join(f"{k} = {v}" for k, v in moves.items())
        return (f"round {t + 1}: " if repeated else "") + (shown or "the start")

    def state_label(t: int, state: dict[str, Fraction], end: bool = False, arrive: str | None = None) -> str | None:
        if not repeated:
            return arrive  # "STAGE = move": the move that led here
        vals = ", ".join(f"{k} = {q(v)}" for k, v in state.items())
        head = f"end after round {t + 1}" if end else f"round {t + 1}"
        lab = head + (f", {vals}" if vals else "")
        plan.label_states.setdefault(lab, dict(state))
        return lab

    def evaluator(t: int, moves: dict[str, str], state: dict[str, Fraction]) -> HistoryEval:
        return HistoryEval(params, agents, pos, metrics, moves, state, hist_text(t, moves))

    # The tree is built depth-first by generators on an explicit stack (no
    # Python recursion, so hundreds of rounds work up to the node limit): a
    # generator yields the arguments of a child node and is sent back the
    # child's handle; side effects happen in the order plain recursion would
    # give (labels pre-order, builder calls post-order, children left to right).
    Gen = Generator[tuple[Any, ...], int, int]

    def end_round(t: int, moves: dict[str, str], past: tuple[Any, ...], state: dict[str, Fraction],
                  acc: tuple[Fraction, ...], disc: Fraction, arrive: str | None) -> Gen:
        ev = evaluator(t, moves, state)
        u = tuple(ev.payoff(k) for k in range(len(agents)))
        tot = tuple(x + disc * y for x, y in zip(acc, u))
        if not repeated:
            return b.terminal(tot, state=arrive, round=t)
        new_state = dict(state)
        for name, e, _ in plan.updates:
            new_state[name] = ev.num(e)
        ev2 = evaluator(t, moves, new_state)
        stop = any(ev2.cond(c) for c, _ in plan.stops)
        if stop or t + 1 >= rounds:
            return b.terminal(tot, state=state_label(t, new_state, end=True), round=t)
        rec = tuple((s.name, moves.get(s.name)) for s in stages)
        return (yield (t + 1, 0, {}, past + (rec,), new_state, tot, disc * d, None))

    def node(t: int, k: int, moves: dict[str, str], past: tuple[Any, ...], state: dict[str, Fraction],
             acc: tuple[Fraction, ...], disc: Fraction, arrive: str | None) -> Gen:
        while True:
            if k == len(stages):
                return (yield from end_round(t, moves, past, state, acc, disc, arrive))
            s = stages[k]
            if s.cond is None or evaluator(t, moves, state).cond(s.cond):
                break
            k += 1
        reached[k] = True
        slab = state_label(t, state, arrive=arrive)
        if s.agent is None:
            ev = evaluator(t, moves, state)
            probs = [ev.num(p) for p in s.probs]
            for lab, p in zip(s.actions, probs):
                if p < 0:
                    raise SpecError.single("E111", f"chance `{s.name}`: outcome `{lab}` has negative "
                                           f"probability {q(p)} after {hist_text(t, moves)}", s.span,
                                           source=ctx.source)
            tot = sum(probs, Fraction(0))
            if tot != 1:
                raise SpecError.single("E111", f"chance `{s.name}`: probabilities sum to {q(tot)}, not 1, "
                                       f"after {hist_text(t, moves)}", s.span,
                                       hint="the probabilities of a chance stage must add up to exactly 1",
                                       source=ctx.source)
            kids = []
            for lab, p in zip(s.actions, probs):
                c = yield (t, k + 1, {**moves, s.name: lab}, past, state, acc, disc, f"{s.name} = {lab}")
                kids.append((lab, p, c))
            return b.chance(kids, state=slab, span=s.span, stage=s.name, round=t)
        seen = tuple((stages[j].name, moves.get(stages[j].name)) for j in s.observes)
        if verifying:  # verification stage (issue 14): what the mover verified earlier
            seen += revealed(stages, k, moves)
        key = (t, s.name, past, seen)
        label = _label(s.name, t, repeated, past, seen)
        infosets.setdefault(s.name, [])
        if label not in infosets[s.name]:
            infosets[s.name].append(label)
        kids2 = []
        for a in s.actions:
            c = yield (t, k + 1, {**moves, s.name: a}, past, state, acc, disc, f"{s.name} = {a}")
            kids2.append((a, c))
        return b.decision(s.agent, key, kids2, label=label, state=slab, span=s.span,
                          stage=s.name, round=t)

    def run(args: tuple[Any, ...]) -> int:
        stack: list[Gen] = [node(*args)]
        sent: int | None = None
        result = -1
        while stack:
            try:
                req = stack[-1].send(sent)  # type: ignore[arg-type]
            except StopIteration as done:
                stack.pop()
                sent = result = done.value
                continue
            stack.append(node(*req))
            sent = None
        return result

    try:
        root = run((0, 0, {}, (), state0, zero, Fraction(1), None))
    except SpecError as exc:
        if exc.source is None:
            exc = type(exc)(exc.diagnostics, ctx.source)
        raise exc from None
    for k, s in enumerate(stages):
        if not reached[k]:
            ctx.error("E111", f"stage `{s.name}` is never reached: its condition is false in every history",
                      s.span, "check the condition, or remove the stage")
    ctx.raise_if_errors()
    plan.stage_infosets = infosets
    try:
        return b.build(root)
    except SpecError as exc:
        raise type(exc)(exc.diagnostics, ctx.source) from None


def _label(name: str, t: int, repeated: bool, past: tuple[Any, ...], seen: tuple[tuple[str, str | None], ...]) -> str:
    parts = [name + (f"@r{t + 1}" if repeated else "")]
    made = [f"{n}={a}" for n, a in seen if a is not None]
    unmade = [f"{n}=-" for n, a in seen if a is None]
    if made or unmade:
        parts.append(" | " + ", ".join(made + unmade))
    if past:
        rounds = ["r%d: %s" % (i + 1, " ".join(f"{n}={a}" for n, a in rec if a is not None))
                  for i, rec in enumerate(past)]
        parts.append(" [" + "; ".join(rounds) + "]")
    return "".join(parts)


# ================================================================ forever


def flatten_forever(ctx: Ctx, plan: Plan, agents: Sequence[Agent]) -> tuple[Agent, ...]:
    """``repeat forever``: check the stage game is simultaneous, one move
    per agent, and turn stage reads into plain action tests."""
    import dataclasses

    assert plan.repeat is not None
    movers: dict[int, StageInfo] = {}
    for s in plan.stages:
        if s.agent is None or s.kind != "chooses" or s.cond is not None:
            ctx.error("E111", "`repeat forever` needs a simultaneous stage game: every agent `chooses` once, "
                      "no chance, no conditions", s.span)
            return tuple(agents)
        if s.agent in movers:
            ctx.error("E111", f"{ctx.agent_names[s.agent]} moves twice in one round of `repeat forever`", s.span)
            return tuple(agents)
        if any(plan.stages[j].agent != s.agent for j in s.observes):
            ctx.error("E111", "`repeat forever` needs simultaneous moves within a round", s.span,
                      "add `sees nothing` to the later movers")
            return tuple(agents)
        movers[s.agent] = s
    by_stage = {s.name: s.agent for s in plan.stages}

    def conv(e: Any) -> Any:
        if isinstance(e, X.MoveIs):
            k = by_stage[e.stage]
            assert k is not None
            a = agents[k]
            idx = None if a.index is None else X.Num(Fraction(a.index))
            return X.ActionIs(X.AgentRef(a.family, idx, e.span), e.action, e.negate, e.span)
        if dataclasses.is_dataclass(e) and not isinstance(e, type):
            changes = {}
            for f in dataclasses.fields(e):
                v = getattr(e, f.name)
                if dataclasses.is_dataclass(v):
                    changes[f.name] = conv(v)
                elif isinstance(v, tuple) and any(dataclasses.is_dataclass(x) for x in v):
                    changes[f.name] = tuple(conv(x) for x in v)
            return dataclasses.replace(e, **changes) if changes else e
        return e

    return tuple(dataclasses.replace(a, payoff=conv(a.payoff)) for a in agents)


_ = NO_SPAN
