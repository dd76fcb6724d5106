"""OpenSpiel backend: every normal-form game compiles to a real ``pyspiel`` game.

Two agents give a ``pyspiel.MatrixGame`` (``create_matrix_game`` with row and
column action names), more agents (or one) a ``pyspiel.TensorGame``
(``create_tensor_game(short_name, long_name, action_names, utilities)``,
utilities flattened in C order, first agent slowest).  Action names are
preserved: ``state.action_to_string(player, action)`` gives the spec's names.

OpenSpiel utilities are doubles: each exact payoff is rounded to the nearest
float.  The compiled game exists so that OpenSpiel's algorithms (learning
dynamics, fictitious play, CFR, exploitability) can run on verigroup models;
**no verdict is ever decided from it**.  Anything an OpenSpiel algorithm
proposes must be re-verified exactly by verigroup's own rational checks.

Agent names are not an OpenSpiel concept; :func:`compile_openspiel` returns
a :class:`CompiledOpenSpiel` carrying them beside the game, while
:func:`to_openspiel` (what ``Model.to_openspiel()`` calls) returns the bare
``pyspiel`` game.  Models with an extensive-form ``protocol`` are delegated to
``verigroup.backends.openspiel_efg.to_openspiel_efg``.

pyspiel is imported lazily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real
from typing import TYPE_CHECKING, Any, Mapping, Sequence, Union

import numpy as np

from verigroup.backends.gambit import as_game
from verigroup.diagnostics import TooLarge
from verigroup.model.game import NormalFormGame

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.model.model import Model

__all__ = ["CompiledOpenSpiel", "compile_openspiel", "to_openspiel", "nash_conv",
           "tabular_policy", "float_utilities", "MAX_OPENSPIEL_CELLS"]

# Dense float utilities beyond this many entries are refused (memory/time).
MAX_OPENSPIEL_CELLS = 10_000_000

GameLike = Union[NormalFormGame, "Model"]
# A mixed profile: {agent: {action: prob}} (as in Equilibrium.strategies), or one
# probability vector per agent, or a pure profile (one action index per agent).
StrategyLike = Union[Mapping[str, Mapping[str, Any]], Sequence[Sequence[Any]], Sequence[int], Any]


@dataclass(frozen=True)
class CompiledOpenSpiel:
    """A compiled ``pyspiel`` game and the names OpenSpiel does not keep.

    ``players[i]`` is the name of OpenSpiel player ``i``; ``actions[i][a]``
    the name of its action ``a``.  ``source`` is the exact game it was built
    from (None for extensive-form protocols)."""

    game: Any
    players: tuple[str, ...]
    actions: tuple[tuple[str, ...], ...]
    source: NormalFormGame | None = None

    def player_index(self, name: str) -> int:
        return self.players.index(name)


def _short_name(title: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_]+", "_", title).strip("_")
    return f"verigroup_{s}" if s else "verigroup_game"


def float_utilities(game: NormalFormGame) -> list[np.ndarray]:
    """Per-agent float64 payoff tensors (each entry the nearest double to
    the exact payoff).  For OpenSpiel and plotting only."""
    out = []
    for t in game.payoffs:
        if t.is_int64 and t.denominator == 1:
            out.append(t.values.astype(np.float64))
        else:
            flat = [float(Fraction(int(v), t.denominator)) for v in t.values.reshape(-1)]
            out.append(np.asarray(flat, dtype=np.float64).reshape(t.values.shape))
    return out


def _compile_nf(game: NormalFormGame) -> Any:
    import pyspiel

    cells = game.num_profiles * game.num_players
    if cells > MAX_OPENSPIEL_CELLS:
        raise TooLarge.single(
            "E202",
            f"the game has {game.num_profiles} profiles x {game.num_players} agents = {cells} "
            f"payoff entries; the OpenSpiel normal-form backend is limited to {MAX_OPENSPIEL_CELLS}",
            hint="use verigroup's own solvers, or an anonymous/symmetric formulation",
        )

    short = _short_name(game.title)
    long_name = game.title or "verigroup game"
    utils = float_utilities(game)
    if game.num_players == 2:
        return pyspiel.create_matrix_game(
            short, long_name, list(game.actions[0]), list(game.actions[1]),
            utils[0].tolist(), utils[1].tolist(),
        )
    return pyspiel.create_tensor_game(
        short, long_name, [list(a) for a in game.actions],
        [u.reshape(-1).tolist() for u in utils],
    )


def _protocol_model(obj: Any) -> bool:
    return not isinstance(obj, NormalFormGame) and getattr(obj, "protocol", None) is not None


def compile_openspiel(obj: GameLike) -> CompiledOpenSpiel:
    """Compile a Model or NormalFormGame, keeping agent and action names."""
    if _protocol_model(obj):
        from verigroup.backends.openspiel_efg import to_openspiel_efg

        agents = getattr(obj, "agents", ())
        return CompiledOpenSpiel(
            to_openspiel_efg(obj), tuple(a.name for a in agents),
            tuple(tuple(a.actions) for a in agents), None,
        )
    game = as_game(obj)
    return CompiledOpenSpiel(_compile_nf(game), game.players, game.actions, game)


def to_openspiel(obj: GameLike) -> Any:
    """The ``pyspiel`` game of a Model or NormalFormGame (see the module doc)."""
    if _protocol_model(obj):
        from verigroup.backends.openspiel_efg import to_openspiel_efg

        return to_openspiel_efg(obj)
    return _compile_nf(as_game(obj))


# ------------------------------------------------------------ exploitability
def _profile_vectors(strategy: StrategyLike, players: Sequence[str],
                     actions: Sequence[Sequence[str]]) -> list[list[float]]:
    """Normalise a strategy profile to one float probability vector per agent."""
    strategies = getattr(strategy, "strategies", None)  # an Equilibrium
    if strategies is not None and not isinstance(strategy, Mapping):
        strategy = strategies
    n = len(players)
    if isinstance(strategy, Mapping):
        unknown = set(strategy) - set(players)
        if unknown:
            raise ValueError(f"unknown agent(s) {sorted(unknown)}; agents are {list(players)}")
        vecs = []
        for name, acts in zip(players, actions):
            row = strategy.get(name)
            if row is None:
                raise ValueError(f"no strategy given for agent {name!r}")
            bad = set(row) - set(acts)
            if bad:
                raise ValueError(f"agent {name!r} has no action(s) {sorted(bad)}")
            vecs.append([float(Fraction(row.get(a, 0))) for a in acts])
    else:
        seq = list(strategy)
        if len(seq) != n:
            raise ValueError(f"expected a strategy for each of {n} agents, got {len(seq)}")
        if all(isinstance(x, (int, np.integer)) and not isinstance(x, bool) for x in seq):
            vecs = []
            for k, (x, acts) in enumerate(zip(seq, actions)):
                if not 0 <= int(x) < len(acts):
                    raise ValueError(f"action index {x} out of range for agent {players[k]!r}")
                vecs.append([1.0 if a == int(x) else 0.0 for a in range(len(acts))])
        else:
            vecs = []
            for k, (row, acts) in enumerate(zip(seq, actions)):
                r = list(row)
                if len(r) != len(acts):
                    raise ValueError(f"agent {players[k]!r} has {len(acts)} actions, "
                                     f"got {len(r)} probabilities")
                vecs.append([float(x) if isinstance(x, Real) else float(Fraction(x)) for x in r])
    for name, v in zip(players, vecs):
        if min(v) < 0 or abs(sum(v) - 1.0) > 1e-9:
            raise ValueError(f"the strategy of {name!r} is not a probability vector: {v}")
    return vecs


def tabular_policy(compiled: CompiledOpenSpiel, strategy: StrategyLike) -> tuple[Any, Any]:
    """``(turn_based_game, TabularPolicy)`` playing ``strategy`` in the
    sequential (turn-based) version of a compiled normal-form game, where no
    agent observes the others' moves.  OpenSpiel's Python exploitability and
    learning tools operate on this form."""
    import pyspiel
    from open_spiel.python import policy as os_policy

    if compiled.source is None:
        raise ValueError("tabular_policy needs a compiled normal-form game")
    vecs = _profile_vectors(strategy, compiled.players, compiled.actions)
    tb = pyspiel.convert_to_turn_based(compiled.game)
    pol = os_policy.TabularPolicy(tb)
    state = tb.new_initial_state()
    for p, vec in enumerate(vecs):
        assert state.current_player() == p
        row = pol.policy_for_key(state.information_state_string(p))
        row[:] = 0.0
        row[: len(vec)] = vec
        state.apply_action(0)
    return tb, pol


def nash_conv(game_or_model: GameLike | CompiledOpenSpiel, strategy: StrategyLike) -> float:
    """OpenSpiel's NashConv of ``strategy``: the sum over agents of what a
    best response gains, computed by ``open_spiel.python.algorithms.
    exploitability.nash_conv`` on the compiled game.  A float, for
    cross-checking and learning curves only (0 up to rounding at a Nash
    equilibrium); verdicts use verigroup's exact regret."""
    from open_spiel.python.algorithms import exploitability

    compiled = (game_or_model if isinstance(game_or_model, CompiledOpenSpiel)
                else compile_openspiel(game_or_model))
    tb, pol = tabular_policy(compiled, strategy)
    return float(exploitability.nash_conv(tb, pol))
