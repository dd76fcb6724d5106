"""Extensive-form games: the tree IR (:mod:`.tree`), subgame-perfect
equilibria (:mod:`.spe`), behaviour-strategy Nash (:mod:`.behaviour`),
zero-sum values (:mod:`.zerosum`), repeated games (:mod:`.repeated`),
properties over plays (:mod:`.plays`) and strategic forms (:mod:`.reduced`).

Only the light IR is imported here; solvers load on use.
"""

from verigroup.extensive.tree import DEFAULT_NODE_LIMIT, GameTree, InfoSet, TreeBuilder

__all__ = ["DEFAULT_NODE_LIMIT", "GameTree", "InfoSet", "TreeBuilder"]
