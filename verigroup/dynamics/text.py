"""Plain-text rendering of a dynamics result (``verigroup dynamics`` default)."""

from __future__ import annotations

from typing import Any

from verigroup.dynamics.analysis import DynamicsResult


def _fmt(strategy: dict[str, Any]) -> str:
    def one(d: dict[str, str]) -> str:
        pure = [a for a, v in d.items() if v == "1"]
        if pure:
            return pure[0]
        return "(" + ", ".join(f"{a} {v}" for a, v in d.items() if v != "0") + ")"
    if all(isinstance(v, dict) for v in strategy.values()):
        return ", ".join(f"{p}: {one(d)}" for p, d in strategy.items())
    return one(strategy)


def render_text(res: DynamicsResult) -> str:
    doc = res.to_json()
    lines = [f"dynamics of {res.game} ({res.kind}: {', '.join(res.populations)})"]
    ess = doc["ess"]
    lines.append("ESS: " + ("; ".join(_fmt(e["strategy"]) for e in ess) if ess else "none"))
    if res.kind == "single-population":
        nss = [e for e in doc["symmetric_equilibria"] if e["neutrally_stable"] == "yes" and e["ess"] != "yes"]
        if nss:
            lines.append("neutrally stable, not ESS: " + "; ".join(_fmt(e["strategy"]) for e in nss))
        unk = [e for e in doc["symmetric_equilibria"] if "unknown" in (e["ess"], e["neutrally_stable"])]
        if unk:
            lines.append("ESS status UNKNOWN: " + "; ".join(_fmt(e["strategy"]) for e in unk))
    lines.append(f"{doc['dynamics']} rest points:")
    for r in doc["rest_points"]:
        lines.append(f"  {_fmt(r['strategy'])}: {r['stability']}")
    if doc["rest_point_continua"]:
        lines.append(f"  (+ {len(doc['rest_point_continua'])} support(s) with a possible continuum of rest points)")
    lines.append("basins:" + ("" if doc["basins"] else " none"))
    for b in doc["basins"]:
        kind = "certified" if b.get("confidence") == "certified enclosure" else "95%"
        extra = "" if b["exact"] else f" ({kind} interval {b['interval'][0]}..{b['interval'][1]}" \
            + (")" if kind == "certified" else ", estimated)")
        lines.append(f"  {_fmt(b['attractor'])}: {b['share']}{extra}")
    st = doc["stochastic_stability"]
    if st.get("computed") and st["conventions"]:
        lines.append("risk dominant: " + "; ".join(_fmt(e["strategy"]) for e in st["risk_dominant"]))
        lines.append("stochastically stable: " + "; ".join(_fmt(e["strategy"]) for e in st["stochastically_stable"]))
    if "alpharank" in doc:
        ar = doc["alpharank"]
        lines.append(f"alpha-Rank (alpha {ar['alpha']}, m {ar['population_size']}, {ar['fixation']}, "
                     f"{'exact' if ar['exact'] else 'certified interval'}):")
        for e in ar["stationary"]:
            lines.append(f"  {_fmt(e['strategy'])}: {e['mass']}")
    if "learning" in doc:
        lg = doc["learning"]
        lines.append(f"learning (STATISTICAL, {lg['runs_per_learner']} runs per learner, seeds {lg['seeds']}):")
        for lr in lg["learners"]:
            for o in lr["outcomes"]:
                lines.append(f"  {lr['learner']}: {o['label']} in {o['runs']} run{'s' if o['runs'] != 1 else ''} "
                             f"({o['share']}, 95% CI {o['interval'][0]}..{o['interval'][1]})")
    return "\n".join(lines) + "\n"
