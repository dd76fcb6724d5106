"""Proofs for every family size: ``property ... for n >= 2``.

The counting view's payoffs are count expressions with parameters kept
symbolic.  With the size param ``n`` a Z3 integer (and the counts integers
summing to the family sizes, themselves expressions of ``n``), a
counterexample to the property is a satisfiable formula; *unsat* proves the
property for every ``n`` from the bound on.  Derived params
(``param capacity = (n - 1) / 2``) are re-read from their definitions so
they follow ``n``.

* unsat -> HOLDS for every n (certificate: Z3 unsat, the formula's size);
* sat -> the smallest violating ``n`` (scanning upward, then bisecting with
  Z3), re-checked *concretely* in counting space at that ``n``: VIOLATED
  with a counterexample that ``verigroup check --set n=N`` replays;
* unknown (non-linear integer arithmetic) -> the real relaxation (unsat
  still proves it), else a concrete scan for the smallest violation, else
  UNKNOWN with the reason.

Property kinds: dominance, ``nash PROFILE`` (profiles uniform per family),
``for every nash p: ...`` over metrics and params, and ``exists nash``
(every symmetric two-action game has a pure equilibrium: Cheng, Reeves,
Vorobeychik and Wellman 2004; the certificate names the theorem and the
checked premise).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

from verigroup.model import counting as Q
from verigroup.model import expr as X
from verigroup.model import properties as P
from verigroup.verdicts import PropertyResult, Verdict

SCAN = 60
Z3_MS = 30000


def _res(prop: Any, verdict: Verdict, msg: str, ev: dict[str, Any]) -> PropertyResult:
    return PropertyResult(prop.name, type(prop).__name__, verdict, "forall-n", msg,
                          {"method": "forall-n", **ev}, prop.span)


class Unsupported(Exception):
    pass


def param_definitions(model: Any) -> dict[str, X.Expr]:
    """The IR of each param's definition (for params not overridden)."""
    from verigroup.resolve.context import Ctx
    from verigroup.resolve.exprs import ExprResolver
    from verigroup.syntax import ast as A
    from verigroup.syntax.parser import parse_spec

    spec = parse_spec(model.source, model.path)
    ctx = Ctx(spec.path, spec.source)
    ctx.params = dict(model.params)
    res = ExprResolver(ctx, "const")
    out: dict[str, X.Expr] = {}
    for d in spec.statements:
        if isinstance(d, A.ParamDecl):
            ir = res.number(d.value, frozenset(), "a param")
            from verigroup.model.constfold import const_value

            if const_value(ir, {k: p.value for k, p in model.params.items()}) == model.params[d.name].value:
                out[d.name] = ir  # not overridden on the command line
    return out


class Z3Encoder:
    def __init__(self, view: Q.CountingView, region: Q.SizeRegion, integer: bool) -> None:
        import z3

        self.z3 = z3
        self.view = view
        self.region = region
        self.integer = integer
        self.N = z3.Int("n") if integer else z3.Real("n")
        self.defs = param_definitions(view.model)
        self.guards: list[Any] = []  # (path condition, divisor) pairs
        self.param_memo: dict[str, Any] = {}

    def real(self, x: Any) -> Any:
        return self.z3.ToReal(x) if self.integer and self.z3.is_int(x) else x

    # ------------------------------------------------------------ params
    def param(self, name: str) -> Any:
        z3 = self.z3
        if name == self.region.param:
            return self.real(self.N)
        if name not in self.param_memo:
            d = self.defs.get(name)
            if d is None or not _mentions(d, self.region.param, self.defs):
                self.param_memo[name] = z3.RealVal(str(self.view.params[name]))
            else:
                self.param_memo[name] = self.ir(d)
        return self.param_memo[name]

    def ir(self, e: X.Expr) -> Any:
        """Constant IR (param definitions, family bounds) -> Z3."""
        z3 = self.z3
        if isinstance(e, X.Num):
            return z3.RealVal(str(e.value))
        if isinstance(e, X.ParamRef):
            return self.param(e.name)
        if isinstance(e, X.Neg):
            return -self.ir(e.operand)
        if isinstance(e, X.Arith):
            a, b = self.ir(e.left), self.ir(e.right)
            return self._arith(e.op, a, b, e.right, lambda: z3.BoolVal(True))
        if isinstance(e, X.Call):
            args = [self.ir(a) for a in e.args]
            return self._call(e.fn, args)
        raise Unsupported(f"{type(e).__name__} in a param definition")

    def _arith(self, op: str, a: Any, b: Any, right: Any, path: Callable[[], Any]) -> Any:
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            return a * b
        if op == "/":
            self.guards.append((path(), b))
            return a / b
        if op == "^":
            k = right.value if isinstance(right, (X.Num, Q.C)) else None
            if k is None or Fraction(k).denominator != 1 or k < 0:
                raise Unsupported("a non-constant or negative exponent")
            r = self.z3.RealVal(1)
            for _ in range(int(k)):
                r = r * a
            return r
        raise Unsupported(op)

    def _call(self, fn: str, args: list[Any]) -> Any:
        z3 = self.z3
        if fn == "abs":
            return z3.If(args[0] < 0, -args[0], args[0])
        acc = args[0]
        for b in args[1:]:
            acc = z3.If(b < acc, b, acc) if fn == "min" else z3.If(b > acc, b, acc)
        return acc

    def size(self, pop: Q.Population) -> Any:
        if pop.single:
            return self.z3.RealVal(1)
        lo, hi = self.view.model.family_bounds[pop.name]
        return self.ir(hi) - self.ir(lo) + 1

    # ------------------------------------------------------------ counts
    def state(self, tag: str, minus: dict[str, int] | None = None) -> tuple[dict[str, list[Any]], list[Any]]:
        """Fresh count variables for every population (sizes reduced by
        ``minus``) with their constraints."""
        z3 = self.z3
        counts: dict[str, list[Any]] = {}
        cons: list[Any] = []
        for p in self.view.pops:
            vs = [z3.Int(f"{tag}_{p.name}_{a}") if self.integer else z3.Real(f"{tag}_{p.name}_{a}")
                  for a in p.actions]
            cons += [v >= 0 for v in vs]
            cons.append(self.real(z3.Sum(vs)) == self.size(p) - (minus or {}).get(p.name, 0))
            counts[p.name] = [self.real(v) for v in vs]
        return counts, cons

    def c(self, e: Q.CExpr, counts: dict[str, list[Any]], path: Any = None) -> Any:
        z3 = self.z3
        pc = path if path is not None else z3.BoolVal(True)
        if isinstance(e, Q.C):
            return z3.BoolVal(e.value) if isinstance(e.value, bool) else z3.RealVal(str(e.value))
        if isinstance(e, Q.P):
            return self.param(e.name)
        if isinstance(e, Q.K):
            return counts[e.fam][e.act]
        if isinstance(e, Q.Neg):
            return -self.c(e.operand, counts, pc)
        if isinstance(e, Q.Bin):
            return self._arith(e.op, self.c(e.left, counts, pc), self.c(e.right, counts, pc), e.right, lambda: pc)
        if isinstance(e, Q.Cmp):
            a, b = self.c(e.left, counts, pc), self.c(e.right, counts, pc)
            return {"==": lambda: a == b, "!=": lambda: a != b, "<": lambda: a < b, "<=": lambda: a <= b,
                    ">": lambda: a > b, ">=": lambda: a >= b}[e.op]()
        if isinstance(e, Q.Lg):
            a, b = self.c(e.left, counts, pc), self.c(e.right, counts, pc)
            return z3.And(a, b) if e.op == "and" else z3.Or(a, b)
        if isinstance(e, Q.Nt):
            return z3.Not(self.c(e.operand, counts, pc))
        if isinstance(e, Q.Ite):
            cond = self.c(e.cond, counts, pc)
            return z3.If(cond, self.c(e.then, counts, z3.And(pc, cond)),
                         self.c(e.otherwise, counts, z3.And(pc, z3.Not(cond))))
        if isinstance(e, Q.Fn):
            return self._call(e.fn, [self.c(a, counts, pc) for a in e.args])
        if isinstance(e, Q.Present):
            acc = None
            have = z3.BoolVal(False)
            for w, v in e.items:
                wc = self.c(w, counts, pc)
                val = self.c(v, counts, z3.And(pc, wc))
                if acc is None:
                    acc, have = val, wc
                    continue
                better = val < acc if e.fn == "min" else val > acc
                acc = z3.If(z3.And(wc, z3.Or(z3.Not(have), better)), val, acc)
                have = z3.Or(have, wc)
            return acc
        raise Unsupported(type(e).__name__)

    def shift(self, counts: dict[str, list[Any]], fam: str, frm: int | None, to: int) -> dict[str, list[Any]]:
        out = dict(counts)
        arr = list(counts[fam])
        if frm is not None:
            arr[frm] = arr[frm] - 1
        arr[to] = arr[to] + 1
        out[fam] = arr
        return out

    def n_constraints(self) -> list[Any]:
        z3 = self.z3
        lo = self.region.lo
        lv = lo.value if isinstance(lo, X.Num) else self.view.params.get(getattr(lo, "name", ""), None)
        cons = [self.real(self.N) >= self.ir(lo)]
        if self.integer and self.region.parity is not None:
            cons.append(self.N % 2 == (1 if self.region.parity == "odd" else 0))
        elif self.region.parity is not None:
            k = z3.Int("n_half")
            cons.append(self.N == 2 * z3.ToReal(k) + (1 if self.region.parity == "odd" else 0))
        del lv
        return cons

    def equilibrium(self, counts: dict[str, list[Any]]) -> Any:
        z3 = self.z3
        conds = []
        for p in self.view.pops:
            for x in range(len(p.actions)):
                ux = self.c(self.view.payoff[(p.name, x)], counts)
                for y in range(len(p.actions)):
                    if y != x:
                        uy = self.c(self.view.payoff[(p.name, y)], self.shift(counts, p.name, x, y))
                        conds.append(z3.Implies(counts[p.name][x] >= 1, ux >= uy))
        return z3.And(conds)

    def division_hazard(self, scope: list[Any]) -> Any:
        z3 = self.z3
        if not self.guards:
            return None
        return z3.And(scope + [z3.Or([z3.And(pc, d == 0) for pc, d in self.guards])])


def _mentions(e: X.Expr, name: str, defs: dict[str, X.Expr], depth: int = 0) -> bool:
    if depth > 50:
        return True
    if isinstance(e, X.ParamRef):
        if e.name == name:
            return True
        d = defs.get(e.name)
        return d is not None and _mentions(d, name, defs, depth + 1)
    for f in ("left", "right", "operand"):
        sub = getattr(e, f, None)
        if sub is not None and _mentions(sub, name, defs, depth + 1):
            return True
    return any(_mentions(a, name, defs, depth + 1) for a in getattr(e, "args", ()))


# ----------------------------------------------------------------- formulas


def counterexample_formula(enc: Z3Encoder, prop: Any) -> tuple[Any, list[Any]]:
    """(formula whose models are violations, the scope constraints)."""
    z3 = enc.z3
    view = enc.view
    if isinstance(prop, P.Dominant):
        fams = sorted({view.model.agents[i].family for i in prop.agents})
        alts = []
        scope: list[Any] = enc.n_constraints()
        for fam in fams:
            pop = view.pop(fam)
            act = pop.actions.index(prop.action)
            others, cons = enc.state(f"o_{fam}", {fam: 1})
            scope += cons
            mine = enc.c(view.payoff[(fam, act)], enc.shift(others, fam, None, act))
            for y in range(len(pop.actions)):
                if y == act:
                    continue
                theirs = enc.c(view.payoff[(fam, y)], enc.shift(others, fam, None, y))
                alts.append(z3.Not(mine > theirs) if prop.strength is P.Strength.STRICT else mine < theirs)
        return z3.And(scope + [z3.Or(alts)]), scope
    if isinstance(prop, P.Quantified) and prop.quantifier is P.Quantifier.EVERY \
            and prop.concept is P.Concept.PURE_NASH:
        counts, cons = enc.state("s")
        scope = enc.n_constraints() + cons
        body = _term(enc, prop.body, counts)
        return z3.And(scope + [enc.equilibrium(counts), z3.Not(body)]), scope
    if isinstance(prop, P.IsEquilibrium):
        counts, cons = enc.state("s")
        scope = enc.n_constraints() + cons
        fixed = []
        for p in view.pops:
            acts = {act for a, act in zip(view.model.agents, prop.profile.actions) if a.family == p.name}
            if len(acts) != 1:
                raise Unsupported(f"the profile is not uniform on `{p.name}`")
            k = p.actions.index(acts.pop())
            fixed.append(counts[p.name][k] == enc.size(p))
        return z3.And(scope + fixed + [z3.Not(enc.equilibrium(counts))]), scope
    raise Unsupported(f"{type(prop).__name__} properties are not proved for every n yet")


def _term(enc: Z3Encoder, t: Any, counts: dict[str, list[Any]]) -> Any:
    z3 = enc.z3
    if isinstance(t, X.Num):
        return z3.RealVal(str(t.value))
    if isinstance(t, X.BoolConst):
        return z3.BoolVal(t.value)
    if isinstance(t, X.ParamRef):
        return enc.param(t.name)
    if isinstance(t, X.Neg):
        return -_term(enc, t.operand, counts)
    if isinstance(t, X.Not):
        return z3.Not(_term(enc, t.operand, counts))
    if isinstance(t, X.Arith):
        return enc._arith(t.op, _term(enc, t.left, counts), _term(enc, t.right, counts), t.right,
                          lambda: z3.BoolVal(True))
    if isinstance(t, X.Compare):
        a, b = _term(enc, t.left, counts), _term(enc, t.right, counts)
        return {"==": lambda: a == b, "!=": lambda: a != b, "<": lambda: a < b, "<=": lambda: a <= b,
                ">": lambda: a > b, ">=": lambda: a >= b}[t.op]()
    if isinstance(t, X.Logic):
        a, b = _term(enc, t.left, counts), _term(enc, t.right, counts)
        return z3.And(a, b) if t.op == "and" else z3.Or(a, b)
    if isinstance(t, X.Cond):
        return z3.If(_term(enc, t.cond, counts), _term(enc, t.then, counts), _term(enc, t.otherwise, counts))
    if isinstance(t, P.MetricAt):
        return enc.c(enc.view.metric(t.metric), counts)
    raise Unsupported(f"the term {type(t).__name__} is not supported in a proof for every n")


# ----------------------------------------------------------------- checker


def _solve(z3: Any, formula: Any, extra: list[Any] = ()) -> tuple[str, Any]:  # type: ignore[assignment]
    s = z3.Solver()
    s.set("timeout", Z3_MS)
    s.add(formula)
    for e in extra:
        s.add(e)
    r = s.check()
    return str(r), (s.model() if r == z3.sat else None)


def concrete(model: Any, prop: Any, n: int) -> PropertyResult | None:
    """Decide the property at one size in counting space (exact)."""
    from verigroup.analyses.population.build import counted_model
    from verigroup.analyses.population.checks import PopulationChecker
    from verigroup.analyses.registry import Context
    from verigroup.resolve import resolve_spec
    from verigroup.syntax.parser import parse_spec

    region = prop.region
    spec = parse_spec(model.source, model.path)
    ov = {k: str(p.value) for k, p in model.params.items() if k != region.param}
    defs = param_definitions(model)
    ov = {k: v for k, v in ov.items() if k not in defs}  # keep derived params derived
    ov[region.param] = str(n)
    m = counted_model(spec, ov) or resolve_spec(spec, ov)
    props = {p.name: p for p in m.properties}
    if prop.name not in props:
        return None
    return PopulationChecker(Context(m)).check(props[prop.name])  # type: ignore[no-any-return]


def _values(region: Q.SizeRegion, lo: int, hi: int) -> list[int]:
    out = []
    for n in range(lo, hi + 1):
        if region.parity == "odd" and n % 2 == 0 or region.parity == "even" and n % 2 == 1:
            continue
        out.append(n)
    return out


def smallest_violation(model: Any, prop: Any, lo: int, hi: int) -> tuple[int, PropertyResult] | None:
    from verigroup.runtime import check_deadline

    for n in _values(prop.region, lo, hi):
        check_deadline()
        r = concrete(model, prop, n)
        if r is not None and r.verdict is Verdict.VIOLATED:
            return n, r
    return None


def _violated(prop: Any, n: int, r: PropertyResult, how: str, path: str = "SPEC") -> PropertyResult:
    param = prop.region.param
    return _res(prop, Verdict.VIOLATED, f"fails at {param} = {n} (the smallest violating {param}; {how}): "
                f"{r.message}", {"kind": "smallest_n", "param": param, "n": n, "counterexample": dict(r.evidence),
                                 "replay": f"verigroup check {path} --set {param}={n}"})


def check_forall_n(ctx: Any, prop: Any) -> PropertyResult:
    import z3

    region: Q.SizeRegion = prop.region
    model = ctx.model
    try:
        view = Q.counting_view(model)
    except Q.NotAnonymous as exc:
        return _res(prop, Verdict.UNKNOWN, f"the game is not anonymous: {exc.reason}", {"reason": exc.reason})
    lo = int(Fraction(region.lo.value)) if isinstance(region.lo, X.Num) else None
    if lo is None:
        from verigroup.model.constfold import const_value

        v = const_value(region.lo, model.param_values())
        lo = int(v) if v is not None else 1
    where = f"{region.param} >= {lo}" + (f", {region.parity}" if region.parity else "")
    if isinstance(prop, P.Existence) and not prop.unique and prop.concept is P.Concept.PURE_NASH:
        if len(view.pops) == 1 and not view.pops[0].single and len(view.pops[0].actions) == 2:
            return _res(prop, Verdict.HOLDS, f"for every {where}: a symmetric game with two actions has a pure "
                        "equilibrium (Cheng, Reeves, Vorobeychik and Wellman 2004)",
                        {"certificate": "theorem", "premise": "one anonymous family with two actions "
                         "(decided from the payoff IR)", "theorem": "every symmetric two-strategy game has a "
                         "pure Nash equilibrium"})
        from verigroup.analyses.population.potential import certificate, congestion_form

        if congestion_form(view):
            return _res(prop, Verdict.HOLDS, f"for every {where}: a congestion game has Rosenthal's exact "
                        "potential, so a pure equilibrium exists and best-response dynamics converge",
                        certificate(view))
    if not view.symbolic_ranges:
        reason = "some aggregate's range matches the family only at the current size, not as an expression of n"
        return _res(prop, Verdict.UNKNOWN, reason, {"reason": reason})
    notes: list[str] = []
    for integer in (True, False):
        try:
            enc = Z3Encoder(view, region, integer)
            formula, scope = counterexample_formula(enc, prop)
        except (Unsupported, Q.NotAnonymous) as exc:
            notes.append(str(exc))
            break
        hazard = enc.division_hazard(scope)
        if hazard is not None:
            hr, _ = _solve(z3, hazard)
            if hr != "unsat":
                notes.append("a payoff may divide by zero for some n" if hr == "sat" else
                             "Z3 could not rule out a division by zero")
                break
        r, m = _solve(z3, formula)
        kind = "integer" if integer else "real relaxation"
        if r == "unsat":
            return _res(prop, Verdict.HOLDS, f"proved for every {where} (Z3: no counterexample, {kind} "
                        "arithmetic, n symbolic)", {"certificate": "z3-unsat", "arithmetic": kind,
                                                    "formula_size": len(str(formula))})
        if r == "sat" and integer:
            n0 = m.eval(enc.N, model_completion=True).as_long()
            found = smallest_violation(model, prop, lo, min(n0, lo + SCAN))
            if found is None and n0 > lo + SCAN:
                a, b = lo + SCAN + 1, n0
                while a < b:  # bisect with Z3 for the least violating n
                    mid = (a + b) // 2
                    rr, _ = _solve(z3, formula, [enc.N <= mid])
                    if rr == "sat":
                        b = mid
                    elif rr == "unsat":
                        a = mid + 1
                    else:
                        break
                if a == b:
                    conf = concrete(model, prop, a)
                    if conf is not None and conf.verdict is Verdict.VIOLATED:
                        found = (a, conf)
            if found is not None:
                return _violated(prop, found[0], found[1], "Z3 found a violation; re-checked in counting space",
                                 model.path)
            notes.append(f"Z3 reported a violation at {region.param} = {n0} that counting space did not confirm")
            break
        notes.append(f"Z3 ({kind}): {r}")
    found = smallest_violation(model, prop, lo, lo + SCAN)
    if found is not None:
        return _violated(prop, found[0], found[1], "found by checking each size in counting space", model.path)
    reason = (f"not proved for every {where} ({'; '.join(notes)}); no violation for "
              f"{region.param} = {lo}..{lo + SCAN}")
    return _res(prop, Verdict.UNKNOWN, reason, {"reason": reason})
