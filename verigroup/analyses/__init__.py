"""Analyses: equilibria, dominance, efficiency, coalitions, property checkers."""
