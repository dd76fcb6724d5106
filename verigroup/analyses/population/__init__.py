"""Populations (issue 9): anonymous families solved in counting space.

``build`` makes counted models of families too large to expand,
``engine`` enumerates count states exactly, ``checks`` decides properties,
``evidence`` renders count vectors with representatives, ``route`` is the
dispatch the API calls, ``solve`` lists equilibria with multiplicities.
"""
