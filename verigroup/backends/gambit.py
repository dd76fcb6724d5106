"""Gambit backend: exact translation to and from ``pygambit`` strategic games.

``to_gambit`` builds a table game with the agents' and actions' names and
exact rational payoffs (each payoff is set as a :class:`fractions.Fraction`,
which pygambit stores as its exact ``Rational``; no float is involved).
``from_gambit`` reads any pygambit game with a strategic form back into an
exact :class:`~verigroup.model.game.NormalFormGame` (decimal payoffs become
the exact rationals they denote; a profile without an outcome pays 0).

pygambit is imported lazily, inside the functions.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Sequence, Union

import numpy as np

from verigroup.diagnostics import Span, TooLarge
from verigroup.io.nfg import unique_labels
from verigroup.model.game import ExactTensor, NormalFormGame

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.model.model import Model

__all__ = ["to_gambit", "from_gambit", "export_nfg", "as_game", "gambit_label", "MAX_GAMBIT_CELLS"]

# Payoff entries (players x profiles) beyond which building a pygambit table
# is refused: pygambit spends seconds per ~10^5 entries.
MAX_GAMBIT_CELLS = 2_000_000

GameLike = Union[NormalFormGame, "Model"]


def as_game(obj: Any) -> NormalFormGame:
    """The exact normal-form game of a NormalFormGame or a Model."""
    if isinstance(obj, NormalFormGame):
        return obj
    game = getattr(obj, "game", None)
    if callable(game):
        g = game()
        if isinstance(g, NormalFormGame):
            return g
    raise TypeError(f"expected a NormalFormGame or a Model, got {type(obj).__name__}")


def to_gambit(obj: GameLike) -> Any:
    """A ``pygambit.Game`` (strategic form) with the same names and exact payoffs.

    pygambit requires unique, non-empty labels of printable ASCII: other
    characters are escaped (:func:`gambit_label`), duplicates get the ``.nfg``
    reader's ``#k`` suffixes and empty names their 1-based index.  Names that
    are already plain ASCII identifiers (all a spec can declare) pass
    unchanged."""
    import pygambit as gbt

    game = as_game(obj)
    cells = game.num_profiles * game.num_players
    if cells > MAX_GAMBIT_CELLS:
        raise TooLarge.single(
            "E202",
            f"the game has {game.num_profiles} profiles x {game.num_players} agents = {cells} "
            f"payoff entries; the Gambit backend is limited to {MAX_GAMBIT_CELLS}",
            Span(getattr(obj, "path", "<game>")),
            hint="use the built-in numpy solvers (pure equilibria) or a symmetric/anonymous "
                 "formulation, which scales by counting",
        )
    g = gbt.Game.new_table(list(game.shape))
    g.title = game.title or "verigroup game"
    gplayers = list(g.players)
    # pygambit insists on unique labels at every assignment, and a new table
    # is labelled "1", "2", ...: relabel through temporary names so that a
    # spec's action "2" in first position does not clash with the default.
    _relabel(gplayers, game.players)
    for gp, acts in zip(gplayers, game.actions):
        _relabel(list(gp.strategies), acts)
    for t, gp in zip(game.payoffs, gplayers):
        den = t.denominator
        for idx, v in np.ndenumerate(t.values):
            g[list(idx)][gp] = Fraction(int(v), den)
    return g


def gambit_label(label: str) -> str:
    """``label`` in the form pygambit accepts: printable ASCII (other
    characters become ``\\uXXXX`` escapes), no leading, trailing or doubled
    spaces."""
    out = "".join(
        ch if 32 <= ord(ch) < 127 else
        (f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        for ch in label
    )
    return " ".join(out.split())


def _relabel(objs: list[Any], labels: Sequence[str]) -> None:
    final = unique_labels([gambit_label(s) for s in labels])
    prefix = "~"
    while any(s.startswith(prefix) for s in final):
        prefix += "~"
    for k, o in enumerate(objs):
        o.label = f"{prefix}{k}"
    for o, label in zip(objs, final):
        o.label = label


def _exact(x: Any) -> Fraction:
    if x is None:
        return Fraction(0)
    if isinstance(x, Fraction):  # pygambit.Rational is a Fraction subclass
        return Fraction(x.numerator, x.denominator)
    if isinstance(x, (int, Decimal)):
        return Fraction(x)
    if isinstance(x, float):
        # A float payoff in a Gambit game: take its exact binary value.
        return Fraction(x)
    return Fraction(str(x))


def from_gambit(g: Any) -> NormalFormGame:
    """An exact NormalFormGame from a ``pygambit.Game``.

    Table games are read outcome by outcome; a tree game is read through its
    reduced strategic form (one exact pure-strategy profile per contingency)."""
    players = list(g.players)
    names = tuple(p.label for p in players)
    actions = tuple(tuple(s.label for s in p.strategies) for p in players)
    shape = tuple(len(a) for a in actions)
    values = [np.empty(shape, dtype=object) for _ in players]
    if not g.is_tree:
        for idx in itertools.product(*(range(k) for k in shape)):
            outcome = g[list(idx)]
            for p, gp in enumerate(players):
                values[p][idx] = _exact(None if outcome is None else outcome[gp])
    else:
        strategies = [list(p.strategies) for p in players]
        for idx in itertools.product(*(range(k) for k in shape)):
            prof = g.mixed_strategy_profile(rational=True)
            for p, gp in enumerate(players):
                for k, s in enumerate(strategies[p]):
                    prof[s] = Fraction(1 if k == idx[p] else 0)
            for p, gp in enumerate(players):
                values[p][idx] = _exact(prof.payoff(gp))
    return NormalFormGame(names, actions, tuple(ExactTensor.from_fractions(v) for v in values),
                          {}, str(g.title))


def export_nfg(model: GameLike) -> str:
    """The model's game as Gambit ``.nfg`` text (payoff-list dialect, exact)."""
    from verigroup.io.nfg import write_nfg

    comment = getattr(model, "description", "") or ""
    return write_nfg(as_game(model), comment=comment)
