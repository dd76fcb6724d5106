"""When a property goes to counting space, and what happens when it cannot.

* A property with a ``for n >= 2`` region: always the proof for every N
  (:mod:`verigroup.analyses.forall_n`).
* A counted model (families kept as counts): always counting; what the
  counting view cannot decide is UNKNOWN with the reason (the explicit game
  does not exist).
* ``--method counting``: counting, UNKNOWN with the reason when the game is
  not anonymous or the property kind is not supported.
* ``--method auto``: counting when the game is anonymous and its explicit
  table has more than PLANNER_MIN_PROFILES profiles and more than its count
  states, or when the explicit route refuses the size (before the Z3
  route); a property kind counting space does not decide keeps the usual
  route.
"""

from __future__ import annotations

from typing import Any

from verigroup.verdicts import PropertyResult, Verdict


def _unknown(prop: Any, reason: str, method: str = "counting") -> PropertyResult:
    return PropertyResult(prop.name, type(prop).__name__, Verdict.UNKNOWN, method, reason,
                          {"reason": reason}, prop.span)


def counting_result(ctx: Any, prop: Any) -> PropertyResult:
    from verigroup.analyses.population.checks import Unsupported, check_property
    from verigroup.analyses.timeouts import run_with_deadline
    from verigroup.model.counting import NotAnonymous

    box: dict[str, PropertyResult] = {}

    def fn(c: Any, p: Any) -> PropertyResult:
        try:
            return check_property(c, p)
        except Unsupported as exc:
            box["u"] = _unknown(p, f"not decided in counting space: {exc}")
        except NotAnonymous as exc:
            where = f" (line {exc.span.line})" if exc.span.line else ""
            box["u"] = _unknown(p, f"the game is not anonymous{where}: {exc.reason}")
        return box["u"]

    return run_with_deadline(ctx, prop, fn)


def counting_route(ctx: Any, prop: Any, method: str) -> PropertyResult | None:
    """The verdict by the population routes, or None for the usual routes."""
    from verigroup.model.counting import SizeRegion

    if isinstance(getattr(prop, "region", None), SizeRegion):
        from verigroup.analyses.forall_n import check_forall_n
        from verigroup.analyses.timeouts import run_with_deadline

        return run_with_deadline(ctx, prop, check_forall_n)
    if ctx.model.counted or method == "counting":
        if getattr(prop, "region", None) is not None:
            return _unknown(prop, "parameter regions are not supported in counting space")
        return counting_result(ctx, prop)
    if method == "auto" and _counting_is_smaller(ctx.model):
        return counting_fallback(ctx, prop)
    return None


# The planner: below this many profiles the explicit table is cheap and
# every property kind is decided there; above it, an anonymous game goes to
# counting space when that is smaller (a kind counting space does not
# decide still falls back to the explicit route).
PLANNER_MIN_PROFILES = 2**16


def _counting_is_smaller(model: Any) -> bool:
    if model.protocol is not None or not any(a.index is not None for a in model.agents):
        return False
    if model.num_profiles <= PLANNER_MIN_PROFILES:
        return False
    from verigroup.model.counting import counting_view, is_anonymous

    ok, _ = is_anonymous(model)
    return ok and counting_view(model).num_states() < model.num_profiles


def counting_fallback(ctx: Any, prop: Any) -> PropertyResult | None:
    """After the explicit route refused the size (auto): counting, when the
    game is anonymous and the property is supported; else None."""
    from verigroup.model.counting import is_anonymous

    if ctx.model.protocol is not None or getattr(prop, "region", None) is not None:
        return None
    ok, _ = is_anonymous(ctx.model)
    if not ok:
        return None
    res = counting_result(ctx, prop)
    if res.verdict is Verdict.UNKNOWN and res.method == "counting" and \
            str(res.evidence.get("reason", "")).startswith("not decided in counting space"):
        return None
    return res
