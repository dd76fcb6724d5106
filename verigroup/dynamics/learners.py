"""Learning agents on the game, over many seeds: which convention each run
reaches (STATISTICAL results).

Learners are OpenSpiel's own implementations, called for real:

* ``qlearning`` -- two independent ``open_spiel.python.algorithms.
  tabular_qlearner.QLearner`` agents on the matrix game through
  ``open_spiel.python.rl_environment`` (epsilon-greedy, epsilon decaying
  linearly from 0.5 to 0.01, step size 0.1); a run's outcome is the joint
  greedy action at the end (a tie in the Q-values is "undecided").  Seed ``s``
  seeds numpy's global generator, which the agents draw from.
* ``regret_matching`` -- ``open_spiel.python.algorithms.regret_matching``
  from initial strategies drawn uniformly from the simplex with seed ``s``;
  the outcome is the pure profile the average strategies put >= 0.99 on, or
  "mixed".
* ``fictitious_play`` -- OpenSpiel's XFP (``fictitious_play.XFPSolver``) on
  the turn-based version of the matrix game; it is deterministic, so every
  seed gives the same run (reported as such).

For each outcome: the number of runs, the empirical share, a 95% Wilson score
interval and the seeds that produced it.  These are empirical frequencies of
*these* learners with *these* settings: never a proof about all learners.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

from verigroup.dynamics.sampling import wilson

STATUS = "STATISTICAL"


@dataclass(frozen=True)
class Outcome:
    label: str
    profile: tuple[int, ...] | None   # pure profile (row, col), None for mixed/undecided
    nash: bool
    seeds: tuple[int, ...]


@dataclass(frozen=True)
class LearnerRuns:
    learner: str
    runs: int
    episodes: int
    outcomes: tuple[Outcome, ...]
    curve: tuple[tuple[int, tuple[tuple[str, int], ...]], ...]  # (episode, ((label, runs), ...))
    settings: str


@dataclass(frozen=True)
class Learning:
    runs_per_learner: int
    first_seed: int
    learners: tuple[LearnerRuns, ...]
    seconds: float

    def to_json(self, res: Any) -> dict[str, Any]:
        out = []
        for lr in self.learners:
            outs = []
            for o in sorted(lr.outcomes, key=lambda o: (-len(o.seeds), o.label)):
                lo, hi = wilson(len(o.seeds), lr.runs)
                outs.append({
                    "label": o.label,
                    "profile": _profile(res, o.profile),
                    "pure_nash": o.nash, "runs": len(o.seeds),
                    "share": str(Fraction(len(o.seeds), lr.runs)),
                    "interval": [f"{lo:.4f}", f"{hi:.4f}"], "confidence": "95% (Wilson)",
                    "seeds": list(o.seeds)})
            out.append({"learner": lr.learner, "runs": lr.runs, "episodes": lr.episodes,
                        "settings": lr.settings, "outcomes": outs,
                        "curve": [{"episode": e, "runs_at": dict(c)} for e, c in lr.curve]})
        return {"status": STATUS,
                "note": "empirical frequencies over seeded runs; never a universal HOLDS",
                "runs_per_learner": self.runs_per_learner,
                "seeds": f"{self.first_seed}..{self.first_seed + self.runs_per_learner - 1}",
                "learners": out}


def _profile(res: Any, profile: tuple[int, ...] | None) -> list[str] | None:
    """The pure profile as [first agent's action, second agent's action]."""
    if profile is None:
        return None
    acts = (res.actions[0], res.actions[0]) if res.kind == "single-population" else res.actions
    return [acts[k][profile[k]] for k in range(2)]


def _tables(tables: Sequence[Any], single: bool) -> tuple[list[list[Fraction]], list[list[Fraction]]]:
    if single:
        a = [list(r) for r in tables[0]]
        b = [[a[j][i] for j in range(len(a))] for i in range(len(a))]
        return a, b
    return [list(r) for r in tables[0]], [list(r) for r in tables[1]]


def _is_nash(a: Sequence[Sequence[Fraction]], b: Sequence[Sequence[Fraction]], i: int, j: int) -> bool:
    return all(a[i][j] >= a[k][j] for k in range(len(a))) and all(b[i][j] >= b[i][k] for k in range(len(a[0])))


def _label(actions: Sequence[Sequence[str]], p: tuple[int, int] | None) -> str:
    if p is None:
        return "undecided"
    return f"{actions[0][p[0]]}/{actions[1][p[1]]}"


def run_learners(tables: Sequence[Any], single: bool, res: Any, n: int, seed: int,
                 kinds: Sequence[str], episodes: int) -> Learning:
    import time

    a, b = _tables(tables, single)
    actions = (res.actions[0], res.actions[0]) if single else res.actions
    t0 = time.perf_counter()
    out = []
    for kind in kinds:
        if kind == "qlearning":
            runs = [_qlearning(a, b, actions, seed + k, episodes) for k in range(n)]
            settings = "tabular QLearner x2, step 0.1, epsilon 0.5 -> 0.01 linear, one-shot episodes"
        elif kind == "regret_matching":
            runs = [_regret_matching(a, b, seed + k, episodes) for k in range(n)]
            settings = "regret_matching, Dirichlet(1) initial strategies, gamma 1e-6"
        elif kind == "fictitious_play":
            runs = [_xfp(a, b, episodes)] * n
            settings = "XFP on the turn-based game (deterministic: every seed gives the same run)"
        else:
            raise ValueError(kind)
        out.append(_summarise(kind, runs, a, b, actions, seed, episodes, settings))
    return Learning(n, seed, tuple(out), time.perf_counter() - t0)


def _summarise(kind: str, runs: Sequence[tuple[tuple[int, int] | None, list[tuple[int, tuple[int, int] | None]]]],
               a: Any, b: Any, actions: Sequence[Sequence[str]], seed: int, episodes: int, settings: str) -> LearnerRuns:
    by: dict[tuple[int, int] | None, list[int]] = {}
    for k, (final, _) in enumerate(runs):
        by.setdefault(final, []).append(seed + k)
    outcomes = tuple(Outcome(_label(actions, p), p, p is not None and _is_nash(a, b, p[0], p[1]), tuple(s))
                     for p, s in by.items())
    curve = []
    if runs and runs[0][1]:
        for idx, (ep, _) in enumerate(runs[0][1]):
            counts: dict[str, int] = {}
            for _final, trace in runs:
                lab = _label(actions, trace[idx][1])
                counts[lab] = counts.get(lab, 0) + 1
            curve.append((ep, tuple(sorted(counts.items()))))
    return LearnerRuns(kind, len(runs), episodes, outcomes, tuple(curve), settings)


def _matrix_game(a: Any, b: Any) -> Any:
    import pyspiel

    rows = [f"r{i}" for i in range(len(a))]
    cols = [f"c{j}" for j in range(len(a[0]))]
    return pyspiel.create_matrix_game("vg_dynamics", "verigroup dynamics", rows, cols,
                                      [[float(v) for v in r] for r in a], [[float(v) for v in r] for r in b])


def _qlearning(a: Any, b: Any, actions: Any, seed: int, episodes: int) -> tuple[tuple[int, int] | None, list[tuple[int, tuple[int, int] | None]]]:
    import numpy as np
    from open_spiel.python import rl_environment, rl_tools
    from open_spiel.python.algorithms import tabular_qlearner

    np.random.seed(seed)
    env = rl_environment.Environment(_matrix_game(a, b))
    agents = [tabular_qlearner.QLearner(p, len(actions[p]), step_size=0.1,
                                        epsilon_schedule=rl_tools.LinearSchedule(0.5, 0.01, episodes))
              for p in range(2)]
    trace = []
    every = max(1, episodes // 20)
    for ep in range(episodes):
        ts = env.reset()
        acts = [agents[p].step(ts).action for p in range(2)]
        ts = env.step(acts)
        for ag in agents:
            ag.step(ts)
        if (ep + 1) % every == 0:
            trace.append((ep + 1, _greedy(agents, actions)))
    return _greedy(agents, actions), trace


def _greedy(agents: Any, actions: Any) -> tuple[int, int] | None:
    out = []
    for p, ag in enumerate(agents):
        q = ag._q_values  # the learner's table: {info_state: {action: value}}
        if not q:
            return None
        table = next(iter(q.values()))
        vals = [table[i] for i in range(len(actions[p]))]
        best = max(vals)
        if vals.count(best) > 1:
            return None
        out.append(vals.index(best))
    return out[0], out[1]


def _regret_matching(a: Any, b: Any, seed: int, episodes: int) -> tuple[tuple[int, int] | None, list[tuple[int, tuple[int, int] | None]]]:
    import numpy as np
    from open_spiel.python.algorithms import regret_matching

    rng = np.random.default_rng(seed)
    tensors = [np.array([[float(v) for v in r] for r in a]), np.array([[float(v) for v in r] for r in b])]
    init = [rng.dirichlet(np.ones(len(a))), rng.dirichlet(np.ones(len(a[0])))]
    trace = []
    every = max(1, episodes // 4)  # regret_matching restarts per call: few checkpoints
    strategies = None
    done = 0
    while done < episodes:
        step = min(every, episodes - done)
        strategies = regret_matching.regret_matching(tensors, initial_strategies=init, iterations=done + step)
        done += step
        trace.append((done, _pure_of(strategies)))
    return _pure_of(strategies), trace


def _pure_of(strategies: Any) -> tuple[int, int] | None:
    if strategies is None:
        return None
    out = []
    for s in strategies:
        k = int(max(range(len(s)), key=lambda i: s[i]))
        if s[k] < 0.99:
            return None
        out.append(k)
    return out[0], out[1]


def _xfp(a: Any, b: Any, episodes: int) -> tuple[tuple[int, int] | None, list[tuple[int, tuple[int, int] | None]]]:
    import pyspiel
    from open_spiel.python.algorithms import fictitious_play

    game = pyspiel.convert_to_turn_based(_matrix_game(a, b))
    solver = fictitious_play.XFPSolver(game)
    iters = min(episodes, 200)
    for _ in range(iters):
        solver.iteration()
    pol = solver.average_policy_tables()
    strategies = []
    for p in range(2):
        table = pol[p]
        probs = next(iter(table.values()))
        strategies.append(list(probs))
    final = _pure_of(strategies)
    return final, []
