"""Two-player zero-sum (or constant-sum) trees: the exact value.

Perfect information: expectiminimax by one backward pass (exact).  Otherwise:
the sequence-form LP (:mod:`verigroup.extensive.seqform`: HiGHS in floats,
realization plans made exact and certified by exact best responses on both
sides).  If that certificate cannot be made, a behaviour-strategy
equilibrium from the sequence form (pygambit LCP, rational), re-verified
exactly; in a constant-sum game every equilibrium gives the value, and the
verified equilibrium strategies are optimal (minimax) strategies.  The
``method`` string says which route decided.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from verigroup.diagnostics import SpecError
from verigroup.extensive.profile import StrategyProfile
from verigroup.extensive.tree import GameTree


@dataclass(frozen=True)
class ZeroSumValue:
    value: Fraction  # for the first player
    total: Fraction  # the constant sum of the payoffs
    strategies: StrategyProfile
    method: str


def constant_sum(tree: GameTree) -> Fraction | None:
    """The constant u1 + u2 at every leaf, or None."""
    total: Fraction | None = None
    for o in tree.outcomes:
        s = o[0] + o[1]
        if total is None:
            total = s
        elif s != total:
            return None
    return total


def zero_sum_value(tree: GameTree) -> ZeroSumValue:
    if tree.num_players != 2:
        raise SpecError.single("E111", f"a zero-sum value needs two agents, this game has {tree.num_players}")
    total = constant_sum(tree)
    if total is None:
        raise SpecError.single("E111", "the game is not constant-sum: payoffs do not add up to the same "
                                       "number at every outcome",
                               hint="use behaviour-strategy Nash or SPE instead")
    if tree.is_perfect_information:
        from verigroup.extensive.spe import _first_pass

        val, choice, _ = _first_pass(tree)
        return ZeroSumValue(val[0][0], total, StrategyProfile(pure=choice), "expectiminimax (exact)")
    from verigroup.extensive.seqform import solve_seqform

    sol = solve_seqform(tree, total)
    if sol.certified and sol.value is not None and sol.strategies is not None:
        return ZeroSumValue(sol.value, total, sol.strategies, sol.method)
    from verigroup.extensive.behaviour import behaviour_nash

    res = behaviour_nash(tree, max_equilibria=1)
    if not res.equilibria:
        raise SpecError.single("E203", "the sequence-form solver returned no exactly verified equilibrium")
    return ZeroSumValue(res.payoffs[0][0], total, res.equilibria[0],
                        "sequence form (pygambit lcp, rational) + exact best-response verification "
                        "(the LP certificate failed)")
