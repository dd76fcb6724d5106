"""Extensive-form games to OpenSpiel (through its ``.efg`` reader).

OpenSpiel's parser rejects payoffs on non-terminal nodes; our writer puts
every payoff on a leaf (one outcome per leaf), so the text is accepted as
is.  OpenSpiel computes in doubles: its answers (CFR, exploitability,
minimax) are cross-checks, never verdicts.
"""

from __future__ import annotations

from typing import Any

from verigroup.diagnostics import SpecError
from verigroup.extensive.tree import GameTree


def _tree_of(model_or_tree: Any) -> GameTree:
    if isinstance(model_or_tree, GameTree):
        return model_or_tree
    proto = getattr(model_or_tree, "protocol", None)
    if isinstance(proto, GameTree):
        return proto
    raise SpecError.single("E111", "this model has no extensive-form protocol to compile",
                           hint="add a protocol, or use the normal-form OpenSpiel backend")


def to_openspiel_efg(model_or_tree: Any) -> Any:
    """A ``pyspiel.Game`` for the model's protocol tree (or a GameTree)."""
    import pyspiel

    from verigroup.io.efg import write_efg

    tree = _tree_of(model_or_tree)
    return pyspiel.load_efg_game(write_efg(tree))


def policy_from_profile(game: Any, tree: GameTree, profile: Any) -> Any:
    """An OpenSpiel TabularPolicy playing our (exact) profile, in floats.

    OpenSpiel's EFG information-state strings are matched to our information
    sets by walking both trees in parallel."""
    import pyspiel
    from open_spiel.python import policy as policy_lib

    pol = policy_lib.TabularPolicy(game)
    stack = [(game.new_initial_state(), 0)]
    while stack:
        state, v = stack.pop()
        if state.is_terminal():
            continue
        if state.is_chance_node():
            for k, (action, _) in enumerate(state.chance_outcomes()):
                stack.append((state.child(action), tree.first_child[v] + k))
            continue
        i = tree.infoset_of(v)
        probs = profile.probs(tree, i)
        key = state.information_state_string()
        row = pol.policy_for_key(key)
        legal = state.legal_actions()
        for k, action in enumerate(legal):
            row[action] = float(probs[k])
        for k, action in enumerate(legal):
            stack.append((state.child(action), tree.first_child[v] + k))
    _ = pyspiel
    return pol
