"""Mechanisms: transforms of a game (shared rewards, subsidies, budget-balanced
transfers) with unknowns, synthesis of the cheapest one that achieves a goal
with an exact certificate, and incentive checks of Bayesian mechanisms
(:mod:`verigroup.mechanisms.bayesian`)."""

from verigroup.mechanisms.goals import Goal, parse_goal
from verigroup.mechanisms.synthesis import LEVERS, SynthesisResult, synthesize

__all__ = ["Goal", "parse_goal", "synthesize", "SynthesisResult", "LEVERS"]
