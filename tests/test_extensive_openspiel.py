"""Compiled extensive-form games in OpenSpiel: CFR, NashConv of our exact
equilibria, and minimax against our exact zero-sum value."""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest

pyspiel = pytest.importorskip("pyspiel")

from open_spiel.python.algorithms import exploitability, minimax  # noqa: E402

from verigroup.backends.openspiel_efg import policy_from_profile, to_openspiel_efg  # noqa: E402
from verigroup.extensive.behaviour import behaviour_nash  # noqa: E402
from verigroup.extensive.tree import TreeBuilder  # noqa: E402
from verigroup.extensive.zerosum import zero_sum_value  # noqa: E402
from verigroup.io.efg import model_from_efg, read_efg  # noqa: E402

from tests.test_extensive_spe import cheap_talk  # noqa: E402
from tests.test_extensive_tree import DATA  # noqa: E402


def test_cfr_on_compiled_kuhn():
    g = to_openspiel_efg(model_from_efg((DATA / "kuhn.efg").read_text(), "kuhn.efg"))
    solver = pyspiel.CFRSolver(g)
    convs = []
    for it in range(1, 301):
        solver.evaluate_and_update_policy()
        if it in (10, 300):
            convs.append(pyspiel.nash_conv(g, solver.average_policy()))
    assert convs[1] < convs[0] and convs[1] < 0.05


@pytest.mark.parametrize("tree", [lambda: read_efg((DATA / "kuhn.efg").read_text()),
                                  lambda: read_efg((DATA / "bayes.efg").read_text()), cheap_talk])
def test_nash_conv_of_exact_equilibria(tree):
    t = tree()
    res = behaviour_nash(t)
    assert res.equilibria
    g = to_openspiel_efg(t)
    pol = policy_from_profile(g, t, res.equilibria[0])
    assert abs(exploitability.nash_conv(g, pol)) < 1e-9


def random_zero_sum(seed, depth=5):
    rng = random.Random(seed)
    b = TreeBuilder(["max", "min"])

    def go(d, p):
        if d == depth or (d > 0 and rng.random() < 0.15):
            x = F(rng.randint(-9, 9), rng.choice([1, 2, 3]))
            return b.terminal([x, -x])
        k = rng.randint(2, 3)
        return b.decision(p, None, [(f"m{j}", go(d + 1, 1 - p)) for j in range(k)])

    return b.build(go(0, 0))


@pytest.mark.parametrize("seed", range(5))
def test_minimax_matches_exact_value(seed):
    t = random_zero_sum(seed)
    ours = zero_sum_value(t).value
    theirs, _ = minimax.alpha_beta_search(to_openspiel_efg(t), maximizing_player_id=0)
    assert abs(float(ours) - theirs) < 1e-9
