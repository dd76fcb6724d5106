"""The pure-game summary ``verigroup solve --concept pure`` prints beside
the equilibria: dominant actions per agent (strict and weak), iterated
elimination of strictly dominated actions, and the optima of every metric.
JSON-shaped, exact values as "p/q" strings, deterministic order."""

from __future__ import annotations

from typing import Any

from verigroup.analyses.pure import dominant_actions, iesds, optima
from verigroup.model.game import NormalFormGame
from verigroup.model.properties import Strength
from verigroup.verdicts import q

# Above this many profiles the summary is skipped (the equilibria are not).
SUMMARY_LIMIT = 1_000_000


def pure_summary(game: NormalFormGame) -> dict[str, Any]:
    if game.num_profiles > SUMMARY_LIMIT:
        return {"summary_skipped": f"game has {game.num_profiles:,} profiles (> {SUMMARY_LIMIT:,})"}
    dominance: dict[str, Any] = {}
    for i, p in enumerate(game.players):
        entry = {
            "strictly_dominant": [game.actions[i][a] for a in dominant_actions(game, i, Strength.STRICT)],
            "weakly_dominant": [game.actions[i][a] for a in dominant_actions(game, i, Strength.WEAK)],
        }
        dominance[p] = entry
    res = iesds(game)
    elim = [
        {
            "agent": game.players[e.player],
            "action": game.actions[e.player][e.action],
            "dominated_by": {game.actions[e.player][a]: q(w) for a, w in e.by},
            "margin": q(e.margin),
        }
        for e in res.eliminations
    ]
    optimum: dict[str, Any] = {}
    for m in sorted(game.metrics):
        o = optima(game, m)
        optimum[m] = {
            "max": q(o.max_value), "argmax": [game.profile_names(s) for s in o.argmax[:10]],
            "argmax_count": len(o.argmax),
            "min": q(o.min_value), "argmin": [game.profile_names(s) for s in o.argmin[:10]],
            "argmin_count": len(o.argmin),
        }
    return {
        "dominance": dominance,
        "iesds": {
            "surviving": {p: [game.actions[i][a] for a in res.surviving[i]] for i, p in enumerate(game.players)},
            "eliminated": elim,
            "mixed_domination": res.mixed,
        },
        "optima": optimum,
    }
