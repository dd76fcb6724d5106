"""The Python API.  The CLI is a thin layer over these functions.

>>> import verigroup
>>> m = verigroup.parse('''
... game pd
... agents alice, bob: actions cooperate, defect
... payoff alice = 3 if alice == cooperate and bob == cooperate else (5 if alice == defect and bob == cooperate else (0 if alice == cooperate else 1))
... payoff bob = 3 if alice == cooperate and bob == cooperate else (5 if bob == defect and alice == cooperate else (0 if bob == cooperate else 1))
... ''')
>>> [e.strategies for e in m.equilibria().equilibria]
[{'alice': {'defect': Fraction(1, 1)}, 'bob': {'defect': Fraction(1, 1)}}]
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping, Sequence

from verigroup.diagnostics import Diagnostic, SpecError, Span
from verigroup.model.model import Model
from verigroup.model.properties import Concept
from verigroup.verdicts import Equilibrium, PropertyResult, Verdict

MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class Report:
    """The result of checking one spec."""

    spec: str
    spec_hash: str
    game: str
    params: Mapping[str, Fraction]
    results: tuple[PropertyResult, ...]
    version: str = ""

    @property
    def exit_code(self) -> int:
        verdicts = {r.verdict for r in self.results}
        if Verdict.VIOLATED in verdicts:
            return 1
        if Verdict.UNKNOWN in verdicts:
            return 3
        return 0


@dataclass(frozen=True)
class Solution:
    """The equilibria of one concept, plus (for pure) dominance and optima."""

    concept: str
    equilibria: tuple[Equilibrium, ...]
    complete: bool = True
    method: str = ""
    reason: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


def read_text(path: str | Path) -> str:
    """Read a spec or game file as UTF-8 text, with user-facing errors."""
    p = Path(path)
    span = Span(str(path), 0, 0)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise SpecError.single("E004", f"no such file: {path}", span)
    except IsADirectoryError:
        raise SpecError.single("E004", f"{path} is a directory, not a spec file", span)
    except OSError as exc:
        raise SpecError.single("E004", f"cannot read {path}: {exc.strerror}", span)
    if len(data) > MAX_FILE_BYTES:
        raise SpecError.single(
            "E007", f"file is {len(data)} bytes; the limit is {MAX_FILE_BYTES}", span
        )
    if b"\x00" in data:
        raise SpecError.single("E005", f"{path} looks like a binary file (it contains NUL bytes)", span,
                               hint="give a verigroup spec (.vg) or a Gambit .nfg/.efg text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError.single(
            "E005", f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            Span(str(path), line, col), hint="save the file as UTF-8",
        )


def parse(text: str, path: str = "<spec>", overrides: Mapping[str, str] | None = None) -> Model:
    """Parse and resolve spec text (or Gambit ``.nfg``/``.efg`` text, judged by
    ``path``'s suffix) into a Model.  Raises SpecError on bad input."""
    suffix = Path(path).suffix.lower()
    if suffix == ".nfg":
        from verigroup.io.nfg import model_from_nfg

        return model_from_nfg(text, path)
    if suffix == ".efg":
        from verigroup.io.efg import model_from_efg

        return model_from_efg(text, path)
    # ---- populations (issue 9): a family too large to expand is kept as
    # counts when it is anonymous (verigroup.analyses.population.build).
    from verigroup.analyses.population.build import counted_model
    from verigroup.resolve import resolve_spec
    from verigroup.syntax.parser import parse_spec

    spec = parse_spec(text, path)
    ov = dict(overrides or {})
    counted = counted_model(spec, ov)
    return counted if counted is not None else resolve_spec(spec, ov)


def load(path: str | Path, overrides: Mapping[str, str] | None = None) -> Model:
    return parse(read_text(path), str(path), overrides)


def spec_hash(model: Model) -> str:
    return "sha256:" + hashlib.sha256(model.source.encode("utf-8")).hexdigest()


def check_model(model: Model, timeout: float | None = None, **options: Any) -> Report:
    from verigroup import __version__
    from verigroup.analyses.registry import Context, get_checker
    from verigroup.analyses.timeouts import run_with_deadline

    ctx = Context(model, timeout=timeout, options=dict(options))
    results: list[PropertyResult] = []
    for prop in model.properties:
        results.append(_check_one(ctx, prop))
    return Report(
        spec=model.path, spec_hash=spec_hash(model), game=model.name,
        params=model.param_values(), results=tuple(results), version=__version__,
    )


def _symbolic(ctx: Any, prop: Any) -> PropertyResult | None:
    """The Z3 route, or None when it does not apply to this property."""
    from verigroup.analyses.timeouts import run_with_deadline

    try:
        from verigroup.analyses.symbolic import symbolic_check
    except ModuleNotFoundError:  # pragma: no cover - feature absent
        return None
    box: list[PropertyResult | None] = [None]

    def fn(c: Any, p: Any) -> PropertyResult:
        r = symbolic_check(c, p)
        box[0] = r
        return r if r is not None else PropertyResult(p.name, type(p).__name__, Verdict.UNKNOWN, "z3", "", {}, p.span)

    res = run_with_deadline(ctx, prop, fn)
    if box[0] is None and res.method not in ("timeout",):
        return None
    return res


def _check_one(ctx: Any, prop: Any) -> PropertyResult:
    """Dispatch one property: the explicit (tensor) checker where the game
    fits, the Z3 route for parameter regions, ``--method z3``, or when the
    explicit route refuses the size.  Never HOLDS by default."""
    from verigroup.analyses.registry import get_checker
    from verigroup.analyses.timeouts import run_with_deadline

    kind = type(prop).__name__
    method = ctx.options.get("method", "auto")
    # ---- populations (issue 9): counted models, --method counting, `for n >= 2`
    from verigroup.analyses.population.route import counting_fallback, counting_route

    routed = counting_route(ctx, prop, method)
    if routed is not None:
        return routed
    wants_z3 = method == "z3" or getattr(prop, "region", None) is not None
    if wants_z3:
        res = _symbolic(ctx, prop)
        if res is not None:
            return res
        if getattr(prop, "region", None) is not None:
            return PropertyResult(prop.name, kind, Verdict.UNKNOWN, "none",
                                  f"parameter regions are not supported for {kind} properties yet",
                                  {"reason": "parameter region unsupported for this property kind"}, prop.span)
    fn = get_checker(type(prop))
    if fn is None:
        return PropertyResult(prop.name, kind, Verdict.UNKNOWN, "none",
                              f"no checker for property kind {kind} yet",
                              {"reason": "not implemented"}, prop.span)
    res = run_with_deadline(ctx, prop, fn)
    if res.method == "size-guard" and method == "auto":
        counted = counting_fallback(ctx, prop)  # ---- populations (issue 9)
        if counted is not None:
            return counted
        counted = counting_fallback(ctx, prop)  # ---- populations (issue 9)
        if counted is not None:
            return counted
        alt = _symbolic(ctx, prop)
        if alt is not None:
            return alt
    return res


def solve_model(model: Model, concept: str = "pure_nash", timeout: float | None = None,
                **options: Any) -> Solution:
    from verigroup.analyses.registry import Context

    # ---- populations (issue 9): counted models, --method counting, --concept symmetric
    from verigroup.analyses.population.solve import counting_solution

    counted_sol = counting_solution(Context(model, timeout=timeout, options=dict(options)), str(concept))
    if counted_sol is not None:
        return Solution(**counted_sol)
    try:
        c = Concept(concept.replace("-", "_"))
    except ValueError:
        aliases = {"pure": Concept.PURE_NASH, "mixed": Concept.MIXED_NASH,
                   "cce": Concept.COARSE_CORRELATED, "ce": Concept.CORRELATED}
        if concept not in aliases:
            raise SpecError([Diagnostic("E401", f"unknown solution concept {concept!r}",
                                        hint="use pure, mixed, correlated, coarse_correlated or spe")])
        c = aliases[concept]
    from verigroup.analyses.registry import EquilibriumSet
    from verigroup.analyses.timeouts import DeadlineExceeded, deadline

    ctx = Context(model, timeout=timeout, options=dict(options))
    try:
        with deadline(timeout):
            eqs = ctx.equilibria(c)
    except DeadlineExceeded:
        # Providers that poll the deadline return partial sets themselves;
        # one that was interrupted outright has found nothing we can trust.
        eqs = EquilibriumSet(c, (), False, "", f"timeout after {timeout} s: no equilibrium list")
    game = model.game() if c is not Concept.SPE else None
    described = tuple(
        sorted((p.describe(game) if game is not None else p.describe(None) for p in eqs.points),  # type: ignore[arg-type]
               key=lambda e: e.sort_key())
    )
    extra = dict(eqs.extra)
    if c is Concept.PURE_NASH and game is not None:
        from verigroup.analyses.summary import pure_summary

        extra.update(pure_summary(game))
    return Solution(c.value, described, eqs.complete, eqs.method, eqs.reason, extra)


def check(path: str | Path, overrides: Mapping[str, str] | None = None, **options: Any) -> Report:
    return check_model(load(path, overrides), **options)


def solve(path: str | Path, concept: str = "pure_nash", overrides: Mapping[str, str] | None = None,
          **options: Any) -> Solution:
    return solve_model(load(path, overrides), concept=concept, **options)
