"""Synthesis goals: what the transformed game must make of a target profile.

A goal is ``nash:PROFILE`` (the profile is a pure Nash equilibrium),
``dominant:PROFILE`` (each agent's target action is weakly dominant) or
``unique:PROFILE`` (the profile is the unique pure Nash equilibrium: every
other pure profile has a strictly profitable unilateral deviation).
``PROFILE`` is a named profile of the spec or ``agent=action,...`` where
``agent`` is an agent (``a[2]``) or a whole family (``a``).  Errors point
into the goal text itself (file ``--goal``, column of the bad part).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from verigroup.diagnostics import SpecError, Span, did_you_mean
from verigroup.model.model import Model

GoalKind = Literal["nash", "dominant", "unique", "resilient"]
GOAL_KINDS: tuple[GoalKind, ...] = ("nash", "dominant", "unique", "resilient")


@dataclass(frozen=True)
class Goal:
    """A goal over a fully resolved target profile (action index per agent)."""

    kind: GoalKind
    target: tuple[int, ...]
    text: str = ""
    k: int = 1          # resilient: coalitions of at most k agents

    def describe(self, model: Model) -> dict[str, str]:
        return {a.name: a.actions[k] for a, k in zip(model.agents, self.target)}


def _fail(text: str, col: int, message: str, hint: str | None = None, width: int = 1) -> SpecError:
    span = Span("--goal", 1, col + 1, 1, col + 1 + max(width, 1))
    return SpecError.single("E701", message, span, hint, source=text)


def parse_goal(text: str, model: Model) -> Goal:
    """``nash:coop`` / ``dominant:alice=cooperate,bob=cooperate`` -> Goal."""
    kind, colon, rest = text.partition(":")
    kind = kind.strip()
    if not colon or kind not in GOAL_KINDS:
        raise _fail(text, 0, f"unknown goal `{kind}`" if colon else f"goal `{text}` has no `KIND:`",
                    "a goal is nash:PROFILE, dominant:PROFILE, unique:PROFILE or resilient:K:PROFILE",
                    len(kind) or 1)
    offset = len(kind) + 1
    k = 1
    if kind == "resilient":
        num, colon2, rest2 = rest.partition(":")
        if not colon2 or not num.strip().isdigit() or not 1 <= int(num.strip()) <= len(model.agents):
            raise _fail(text, offset, "a resilience goal is resilient:K:PROFILE with 1 <= K <= the number "
                        "of agents", "for example resilient:2:coop", max(len(num), 1))
        k = int(num.strip())
        offset += len(num) + 1
        rest = rest2
    body = rest.strip()
    if not body:
        raise _fail(text, offset, "the goal names no profile",
                    "name a profile of the spec or write agent=action,agent=action")
    offset += len(rest) - len(rest.lstrip())
    return Goal(kind, resolve_profile(body, model, text, offset), text, k)  # type: ignore[arg-type]


def resolve_profile(body: str, model: Model, text: str, offset: int) -> tuple[int, ...]:
    if "=" not in body:
        prof = model.profiles.get(body)
        if prof is None:
            hint = did_you_mean(body, model.profiles) or (
                "profiles of this spec: " + (", ".join(sorted(model.profiles)) or "none")
                + "; or write agent=action,agent=action")
            raise _fail(text, offset, f"no profile named `{body}`", hint, len(body))
        if prof.lazy:  # ---- LANG3 (issue 8): argmax profiles are bound at check time
            raise _fail(text, offset, f"`{body}` is an argmax/argmin profile, known only at check time",
                        "write the profile out: agent=action,agent=action", len(body))
        return tuple(a.actions.index(x) for a, x in zip(model.agents, prof.actions))
    chosen: dict[int, int] = {}
    pos = offset
    for part in body.split(","):
        lead = len(part) - len(part.lstrip())
        who, eq, act = part.strip().partition("=")
        who, act = who.strip(), act.strip()
        col = pos + lead
        pos += len(part) + 1
        if not eq or not who or not act:
            raise _fail(text, col, f"`{part.strip()}` is not agent=action", "for example alice=cooperate",
                        len(part.strip()))
        members = [k for k, a in enumerate(model.agents) if a.name == who]
        if not members:
            members = [k for k, a in enumerate(model.agents) if a.family == who]
        if not members:
            names = {a.name for a in model.agents} | {a.family for a in model.agents}
            raise _fail(text, col, f"no agent named `{who}`", did_you_mean(who, names), len(who))
        for k in members:
            acts = model.agents[k].actions
            if act not in acts:
                acol = col + part.strip().index("=") + 1 + (len(part.strip().split("=", 1)[1])
                                                            - len(part.strip().split("=", 1)[1].lstrip()))
                raise _fail(text, acol, f"`{model.agents[k].name}` has no action `{act}`",
                            did_you_mean(act, acts) or "actions: " + ", ".join(acts), len(act))
            chosen[k] = acts.index(act)
    missing = [a.name for k, a in enumerate(model.agents) if k not in chosen]
    if missing:
        raise _fail(text, offset, "the profile does not give an action to " + ", ".join(missing[:6])
                    + (" …" if len(missing) > 6 else ""), "every agent needs an action", len(body))
    return tuple(chosen[k] for k in range(len(model.agents)))
