"""Exact equilibrium engines.

* :mod:`.bimatrix` — all extreme Nash equilibria of two-agent games, exactly
  (vertex enumeration of the best-response polytopes), and the components of
  the equilibrium set (maximal bicliques).
* :mod:`.polytope` — exact vertex enumeration of ``{z >= 0, M z <= 1}``
  (pycddlib with GMP rationals when installed, else an own double
  description method over Python integers).
* :mod:`.lrs` — optional driver for ``lrsnash`` (Debian package ``lrslib``).
* :mod:`.nplayer` — more than two agents: exact support enumeration with an
  exact/algebraic polynomial solve, plus pygambit engines under a timeout.
* :mod:`.correlated` — correlated and coarse-correlated equilibria as exact
  linear programs (float LP, exact reconstruction, exact certificate).
* :mod:`.rational` — exact verification utilities (regret in Fractions).

Every engine re-verifies each equilibrium exactly before returning it.
"""
