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
from typing import TYPE_CHECKING, Any, Mapping, Sequence, Union

from verigroup.diagnostics import Diagnostic, SpecError, Span
from verigroup.model.model import Model
from verigroup.model.properties import Concept, Property
from verigroup.runtime import DeadlineExceeded, cancelled, deadline, progress, wraps_deadline
from verigroup.verdicts import Equilibrium, PropertyResult, Verdict

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.analyses.registry import Context, EquilibriumSet
    from verigroup.model.game import NormalFormGame

# What ``load``/``parse`` accept as an override value: exact numbers only.
OverrideValue = Union[str, int, Fraction]

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
    # True when the run was cancelled (Ctrl-C, SIGTERM) before every property
    # was decided: the undecided ones are UNKNOWN with method "interrupted".
    interrupted: bool = False

    @property
    def complete(self) -> bool:
        return not self.interrupted

    def __repr__(self) -> str:
        counts = {v: sum(1 for r in self.results if r.verdict is v) for v in Verdict}
        tally = ", ".join(f"{n} {v.value}" for v, n in counts.items() if n)
        return (f"<verigroup.Report {self.game!r}: {len(self.results)} properties"
                f"{' (' + tally + ')' if tally else ''}{', interrupted' if self.interrupted else ''}>")

    def _repr_html_(self) -> str:
        from verigroup.notebook import report_html

        return report_html(self)

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
    interrupted: bool = False

    def __repr__(self) -> str:
        state = "complete" if self.complete else ("interrupted" if self.interrupted else "incomplete")
        return (f"<verigroup.Solution {self.concept}: {len(self.equilibria)} equilibria, {state}"
                f"{', ' + self.method if self.method else ''}>")

    def _repr_html_(self) -> str:
        from verigroup.notebook import solution_html

        return solution_html(self)


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


def normalize_overrides(overrides: Mapping[str, OverrideValue] | None) -> dict[str, str]:
    """``{"r": 2, "p": Fraction(1, 3), "q": "0.25"}`` -> exact override texts.

    Accepted values: ``int`` (not ``bool``), ``Fraction``, and strings in the
    ``--set`` syntax (``2``, ``-0.25``, ``8/5``).  Floats are refused (their
    binary value is rarely the number meant): pass ``Fraction`` or a decimal
    string.  Anything else is error E109."""
    out: dict[str, str] = {}
    for name, value in (overrides or {}).items():
        span = Span("--set", 0, 0)
        if not isinstance(name, str) or not name:
            raise SpecError.single("E109", f"override names are parameter names (strings), got {name!r}", span)
        if isinstance(value, bool) or not isinstance(value, (str, int, Fraction)):
            hint = ("pass Fraction(...) or a decimal string such as '0.1'" if isinstance(value, float)
                    else "pass an int, a Fraction or a string such as '8/5'")
            raise SpecError.single("E109", f"override {name}={value!r}: a {type(value).__name__} is not an "
                                   "exact number", span, hint=hint)
        if isinstance(value, Fraction):
            text = str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
        else:
            text = str(value).strip()
        out[name] = text
    return out


def parse(text: str, path: str = "<spec>", overrides: Mapping[str, OverrideValue] | None = None) -> Model:
    """Parse and resolve spec text (or Gambit ``.nfg``/``.efg`` text, judged by
    ``path``'s suffix) into a Model.  Raises SpecError on bad input."""
    ov = normalize_overrides(overrides)
    suffix = Path(path).suffix.lower()
    if suffix in (".nfg", ".efg"):
        if ov:
            raise SpecError.single("E109", f"--set {next(iter(ov))}=...: a Gambit file has no parameters",
                                   Span("--set", 0, 0))
        if suffix == ".nfg":
            from verigroup.io.nfg import model_from_nfg

            return model_from_nfg(text, path)
        from verigroup.io.efg import model_from_efg

        return model_from_efg(text, path)
    # ---- populations (issue 9): a family too large to expand is kept as
    # counts when it is anonymous (verigroup.analyses.population.build).
    from verigroup.analyses.population.build import counted_model
    from verigroup.resolve import resolve_spec
    from verigroup.syntax.parser import parse_spec

    from verigroup.analyses.population.build import check_claims

    spec = parse_spec(text, path)
    counted = counted_model(spec, ov)
    model = counted if counted is not None else resolve_spec(spec, ov)
    check_claims(spec, model)  # `anonymous FAMILY` declarations (E130)
    return model


def load(path: str | Path, overrides: Mapping[str, OverrideValue] | None = None,
         timeout: float | None = None) -> Model:
    """Read and resolve a spec (or ``.nfg``/``.efg``) file.  ``timeout``
    bounds the whole load (parsing, constant folding, protocol compilation);
    running out raises :class:`~verigroup.runtime.DeadlineExceeded`."""
    with deadline(timeout):
        return parse(read_text(path), str(path), overrides)


def declared_params(path: str | Path) -> frozenset[str]:
    """The parameter names a spec file declares (none for Gambit files);
    used to apply each ``--set`` only to the specs that declare it."""
    if Path(path).suffix.lower() in (".nfg", ".efg"):
        return frozenset()
    from verigroup.syntax import ast as A
    from verigroup.syntax.parser import parse_spec

    spec = parse_spec(read_text(path), str(path))
    return frozenset(s.name for s in spec.statements if isinstance(s, A.ParamDecl))


def spec_hash(model: Model) -> str:
    return "sha256:" + hashlib.sha256(model.source.encode("utf-8")).hexdigest()


def check_model(model: Model, timeout: float | None = None, **options: Any) -> Report:
    """Check every property of ``model``, each under its own ``timeout``.

    When the run is cancelled (:func:`verigroup.runtime.request_cancel`,
    Ctrl-C on the command line) the properties not yet decided are UNKNOWN
    (method ``interrupted``) and the report says ``interrupted=True``."""
    from verigroup import __version__
    from verigroup.analyses.registry import Context
    from verigroup.analyses.timeouts import interrupted_result

    ctx = Context(model, timeout=timeout, options=dict(options))
    results: list[PropertyResult] = []
    total = len(model.properties)
    for k, prop in enumerate(model.properties, 1):
        if cancelled():
            results.append(interrupted_result(prop))
            continue
        progress.status(f"{Path(model.path).name}: property {k}/{total} {prop.name!r} ({type(prop).__name__})")
        results.append(check_property(ctx, prop))
    return Report(
        spec=model.path, spec_hash=spec_hash(model), game=model.name,
        params=model.param_values(), results=tuple(results), version=__version__,
        interrupted=any(r.method == "interrupted" for r in results),
    )


def _symbolic(ctx: Context, prop: Property) -> PropertyResult | None:
    """The Z3 route, or None when it does not apply to this property."""
    from verigroup.analyses.timeouts import run_with_deadline

    try:
        from verigroup.analyses.symbolic import symbolic_check
    except ModuleNotFoundError:  # pragma: no cover - feature absent
        return None
    box: list[PropertyResult | None] = [None]

    def fn(c: Context, p: Property) -> PropertyResult:
        r = symbolic_check(c, p)
        box[0] = r
        return r if r is not None else PropertyResult(p.name, type(p).__name__, Verdict.UNKNOWN, "z3", "", {}, p.span)

    res = run_with_deadline(ctx, prop, fn)
    if box[0] is None and res.method not in ("timeout", "interrupted"):
        return None
    return res


def check_property(ctx: Context, prop: Property) -> PropertyResult:
    """Check one property of a loaded context (public: sweeps re-check a
    property with a narrowed region).  Dispatch: the explicit (tensor) checker where the game
    fits, the Z3 route for parameter regions, ``--method z3``, or when the
    explicit route refuses the size.  Never HOLDS by default."""
    from verigroup.analyses.registry import get_checker
    from verigroup.analyses.timeouts import run_with_deadline

    # ---- language v2 (issue 8, LANG3): `profile best = argmax(welfare)` is bound
    # to a pure profile at check time, from the exact metric tensor
    from verigroup.model.optimal import lazy_profiles

    if lazy_profiles(prop):
        from verigroup.analyses.argmax import check_with_argmax

        return check_with_argmax(ctx, prop, check_property)
    kind = type(prop).__name__
    method = ctx.options.get("method", "auto")
    # ---- populations (issue 9): counted models, --method counting, `for n >= 2`
    from verigroup.analyses.population.route import counting_fallback, counting_route

    routed = counting_route(ctx, prop, method)
    if routed is not None:
        return routed
    region = getattr(prop, "region", None)
    if method == "z3" or region is not None:
        progress.status(f"{Path(ctx.model.path).name}: {prop.name!r} (z3)")
        res = _symbolic(ctx, prop)
        if res is not None:
            return res
        if region is not None:
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
        progress.status(f"{Path(ctx.model.path).name}: {prop.name!r} (z3, the game is too large for tensors)")
        alt = _symbolic(ctx, prop)
        if alt is not None:
            return alt
    return res


# The language's concept words, and the CLI's short names, for solve_model.
CONCEPT_ALIASES: Mapping[str, Concept] = {
    "nash": Concept.PURE_NASH, "pure": Concept.PURE_NASH, "pure nash": Concept.PURE_NASH,
    "mixed": Concept.MIXED_NASH, "mixed nash": Concept.MIXED_NASH,
    "ce": Concept.CORRELATED, "cce": Concept.COARSE_CORRELATED,
    "subgame_perfect": Concept.SPE,
}


def concept_of(concept: str | Concept) -> Concept:
    """``"nash"``, ``"pure"``, ``"mixed nash"``, ``"spe"``, ... -> Concept."""
    if isinstance(concept, Concept):
        return concept
    key = " ".join(str(concept).strip().lower().replace("-", "_").split())
    try:
        return Concept(key.replace(" ", "_"))
    except ValueError:
        pass
    if key in CONCEPT_ALIASES:
        return CONCEPT_ALIASES[key]
    raise SpecError([Diagnostic("E401", f"unknown solution concept {concept!r}",
                                hint="use nash (= pure), mixed, correlated, coarse_correlated or spe")])


def solve_model(model: Model, concept: str | Concept = "pure_nash", timeout: float | None = None,
                **options: Any) -> Solution:
    """The equilibria of one concept (``"nash"`` is pure Nash, as in the
    language).  Everything runs under ``timeout``: after it fires nothing is
    rebuilt (an unfinished payoff table stays unbuilt); the list is then
    marked incomplete."""
    from verigroup.analyses.registry import Context, EquilibriumSet

    # ---- populations (issue 9): counted models, --method counting, --concept symmetric
    from verigroup.analyses.population.solve import counting_solution

    counted_sol = counting_solution(Context(model, timeout=timeout, options=dict(options)), str(concept))
    if counted_sol is not None:
        return Solution(**counted_sol)
    c = concept_of(concept)
    ctx = Context(model, timeout=timeout, options=dict(options))
    progress.status(f"{Path(model.path).name}: solving {c.value}")
    extra: dict[str, Any] = {}
    described: tuple[Equilibrium, ...] = ()
    try:
        try:
            with deadline(timeout):
                eqs = ctx.equilibria(c)
                game = model.game() if c is not Concept.SPE and eqs.points else None
                described = _describe(eqs, game)
                extra = dict(eqs.extra)
                if c is Concept.PURE_NASH and eqs.complete:
                    from verigroup.analyses.summary import pure_summary

                    extra.update(pure_summary(model.game()))
        except Exception as exc:
            if not isinstance(exc, DeadlineExceeded) and (wraps_deadline(exc) or cancelled()):
                raise DeadlineExceeded() from exc  # a deadline re-wrapped by ctypes
            raise
    except DeadlineExceeded:
        why = "interrupted" if cancelled() else f"timeout after {timeout} s"
        if not described:
            # Providers that poll the deadline return partial sets themselves;
            # one that was interrupted outright has found nothing we can trust.
            eqs = EquilibriumSet(c, (), False, "", f"{why}: no equilibrium list")
        else:
            eqs = EquilibriumSet(c, eqs.points, False, eqs.method, f"{why}: {eqs.reason or 'partial list'}")
    if cancelled() and "interrupted" not in eqs.reason:
        eqs = EquilibriumSet(c, eqs.points, False, eqs.method,
                             "interrupted" + (f" ({eqs.reason})" if eqs.reason else ""), eqs.extra)
    return Solution(c.value, described, eqs.complete, eqs.method, eqs.reason, extra, interrupted=cancelled())


def _describe(eqs: EquilibriumSet, game: NormalFormGame | None) -> tuple[Equilibrium, ...]:
    # game is None only for SPE points, whose describe() takes None.
    return tuple(sorted((p.describe(game) for p in eqs.points),  # type: ignore[arg-type]
                        key=lambda e: e.sort_key()))


def check(path: str | Path, overrides: Mapping[str, OverrideValue] | None = None, **options: Any) -> Report:
    return check_model(load(path, overrides, timeout=options.get("timeout")), **options)


def solve(path: str | Path, concept: str | Concept = "pure_nash",
          overrides: Mapping[str, OverrideValue] | None = None, **options: Any) -> Solution:
    return solve_model(load(path, overrides, timeout=options.get("timeout")), concept=concept, **options)


def from_arrays(*arrays: Any, agents: Sequence[str] | None = None,
                actions: Sequence[Sequence[str]] | None = None, name: str = "game") -> Model:
    """A strategic-form game from payoff arrays, like ``nashpy.Game(A, B)``
    or ``pygambit.Game.from_arrays(A, B)``: ``arrays[i][a_1]...[a_n]`` is agent
    i's payoff.  See :func:`verigroup.arrays.model_from_arrays` for the exact
    number rules (floats are refused unless integral)."""
    from verigroup.arrays import model_from_arrays

    return model_from_arrays(arrays, agents=agents, actions=actions, name=name)
