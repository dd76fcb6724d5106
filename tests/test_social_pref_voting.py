"""Differential tests against pref_voting (an independent implementation):
winners of the library rules, and its per-profile axiom checkers run on our
rules.  pref_voting's rules are irresolute, so winner *sets* are compared;
its instant runoff with a tie-breaker eliminates the first listed among
tied, so it is given our order reversed.  A sample runs by default; the
exhaustive runs (every anonymous profile, n <= 7, m <= 4) are slow."""

from __future__ import annotations

import os
import sys
import warnings

import numpy as np
import pytest

# pref_voting compiles its numba kernels on first use (tens of seconds on a
# busy machine); the small samples here run faster interpreted.
if "numba" not in sys.modules:
    os.environ.setdefault("NUMBA_DISABLE_JIT", "1")

pv_profiles = pytest.importorskip("pref_voting.profiles")
vms = pytest.importorskip("pref_voting.voting_methods")

from verigroup.elections import reference as ref  # noqa: E402
from verigroup.elections.checks import violation_mask  # noqa: E402
from verigroup.elections.domain import Domain  # noqa: E402
from verigroup.elections.profiles import anonymous_profiles, counts_of, ranking_space  # noqa: E402
from verigroup.elections.rules import irv, make_rule, winner_sets  # noqa: E402

SET_RULES = {"plurality": "plurality", "borda": "borda", "copeland": "copeland", "maximin": "minimax",
             "kemeny": "kemeny_young"}


def _pv_rankings(sp, seq):  # type: ignore[no-untyped-def]
    return [tuple(int(v) for v in sp.perms[r]) for r in seq]


def _compare(m: int, n: int, sample: int | None) -> int:
    sp = ranking_space(m)
    if sample is None:
        pr = anonymous_profiles(n, sp.size)
        seqs = pr.seqs
    else:
        rng = np.random.default_rng(1000 * m + n)
        seqs = np.sort(rng.integers(0, sp.size, size=(sample, n)), axis=1)
    counts = counts_of(seqs, sp.size)
    idx = np.arange(seqs.shape[0])
    ours = {name: winner_sets(make_rule(name, m), counts, sp) for name in SET_RULES}
    k = max(1, m // 2)
    ours["approval"] = winner_sets(make_rule("approval", m), counts, sp)
    iv = irv(counts, sp)
    for i in range(len(idx)):
        prof = pv_profiles.Profile(_pv_rankings(sp, seqs[i]))
        for name, pv_name in SET_RULES.items():
            want = set(getattr(vms, pv_name)(prof))
            assert set(np.nonzero(ours[name][i])[0].tolist()) == want, (name, _pv_rankings(sp, seqs[i]))
        want = set(vms.scoring_rule(prof, score=lambda nc, rank: 1 if rank <= k else 0))
        assert set(np.nonzero(ours["approval"][i])[0].tolist()) == want
        assert [int(iv[i])] == list(vms.instant_runoff_tb(prof, tie_breaker=list(range(m))[::-1]))
    return len(idx)


@pytest.mark.parametrize("m,n", [(3, 2), (3, 5), (3, 7), (4, 3), (4, 6), (4, 7)])
def test_winners_agree_on_a_sample(m: int, n: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _compare(m, n, 15) == 15


@pytest.mark.slow
@pytest.mark.parametrize("m,n", [(m, n) for m in (2, 3, 4) for n in range(1, 8)])
def test_winners_agree_exhaustively(m: int, n: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _compare(m, n, None)


def _as_pv_method(rule: str, m: int):  # type: ignore[no-untyped-def]
    from pref_voting.voting_method import VotingMethod

    k = make_rule(rule, m).approve

    def f(profile, curr_cands=None):  # type: ignore[no-untyped-def]
        return [ref.outcome(rule, [tuple(r) for r in profile.rankings], m, k)]

    return VotingMethod(f, name=f"verigroup-{rule}")


@pytest.mark.parametrize("rule", ["plurality", "borda", "irv", "copeland"])
def test_per_profile_axiom_checks_agree(rule: str) -> None:
    import pref_voting.dominance_axioms as da
    import pref_voting.strategic_axioms as sa

    m, n = 3, 4
    sp = ranking_space(m)
    dom = Domain(make_rule(rule, m), sp)
    lv = dom.level(n)
    masks = {ax: violation_mask(dom, n, ax) for ax in ("condorcet-winner", "condorcet-loser", "pareto",
                                                         "strategyproofness")}
    method = _as_pv_method(rule, m)
    rng = np.random.default_rng(7)
    rows = rng.choice(lv.size, size=25, replace=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in rows:
            prof = pv_profiles.Profile(_pv_rankings(sp, lv.seqs[i]))
            assert bool(masks["condorcet-winner"][i]) == da.has_condorcet_winner_violation(prof, method)
            assert bool(masks["condorcet-loser"][i]) == da.has_condorcet_loser_violation(prof, method)
            assert bool(masks["pareto"][i]) == da.has_pareto_dominance_violation(prof, method)
            assert bool(masks["strategyproofness"][i]) == sa.has_strategy_proofness_violation(prof, method)
