"""``verigroup show``: what the spec declares, and the payoff table of a small game."""

from __future__ import annotations

from typing import Any

from verigroup.model.model import Model
from verigroup.verdicts import q

TABLE_LIMIT = 256  # profiles shown in a payoff table


def show_json(model: Model) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "game": model.name,
        "description": model.description,
        "params": {k: q(p.value) for k, p in sorted(model.params.items())},
        "agents": [{"name": a.name, "actions": list(a.actions)} for a in model.agents],
        "metrics": {m.name: m.sense for m in model.metrics.values()},
        "properties": [p.name for p in model.properties],
        "profiles": model.num_profiles,
        "extensive_form": model.protocol is not None,
    }
    if model.protocol is None and model.num_profiles <= TABLE_LIMIT:
        g = model.game()
        doc["table"] = [
            {"profile": g.profile_names(s),
             "payoffs": {p: q(v) for p, v in zip(g.players, g.payoff_vector(s))},
             "metrics": {m: q(t.tensor.at(s)) for m, t in g.metrics.items()}}
            for s in g.profiles()
        ]
    return doc


def show_text(model: Model) -> str:
    lines = [f"game {model.name}" + (f" — {model.description}" if model.description else "")]
    if model.params:
        lines.append("params: " + ", ".join(f"{k} = {q(p.value)}" for k, p in model.params.items()))
    lines.append(f"agents ({len(model.agents)}):")
    for ag in model.agents[:50]:
        lines.append(f"  {ag.name}: {', '.join(ag.actions)}")
    if len(model.agents) > 50:
        lines.append(f"  … and {len(model.agents) - 50} more")
    if model.metrics:
        lines.append("metrics: " + ", ".join(
            m.name + (" (minimize)" if m.sense == "minimize" else "") for m in model.metrics.values()))
    if model.properties:
        lines.append(f"properties ({len(model.properties)}):")
        for p in model.properties:
            lines.append(f"  {p.name!r} ({type(p).__name__})")
    lines.append(f"pure profiles: {model.num_profiles:,}")
    if model.protocol is not None:
        lines.append("extensive form: see `verigroup solve --concept spe` and `verigroup export --to efg`")
        return "\n".join(lines)
    if model.num_profiles > TABLE_LIMIT:
        lines.append(f"(payoff table omitted: more than {TABLE_LIMIT} profiles)")
        return "\n".join(lines)
    g = model.game()
    if g.num_players == 2:
        lines.append(f"payoffs ({g.players[0]} rows, {g.players[1]} columns):")
        cells = [[f"{q(g.payoff(0, (i, j)))}, {q(g.payoff(1, (i, j)))}" for j in range(g.shape[1])]
                 for i in range(g.shape[0])]
        w0 = max(len(a) for a in g.actions[0])
        widths = [max(len(g.actions[1][j]), *(len(cells[i][j]) for i in range(g.shape[0])))
                  for j in range(g.shape[1])]
        lines.append("  " + " " * w0 + " | " + " | ".join(a.ljust(w) for a, w in zip(g.actions[1], widths)))
        for i, row in enumerate(g.actions[0]):
            lines.append("  " + row.ljust(w0) + " | " + " | ".join(c.ljust(w) for c, w in zip(cells[i], widths)))
    else:
        lines.append("payoffs:")
        for s in g.profiles():
            prof = ", ".join(f"{p}={x}" for p, x in g.profile_names(s).items())
            pay = ", ".join(q(v) for v in g.payoff_vector(s))
            lines.append(f"  {prof}  ->  ({pay})")
    return "\n".join(lines)
