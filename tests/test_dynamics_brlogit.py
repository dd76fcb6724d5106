"""Best-response and logit dynamics (issue 12): BR rest points are the
symmetric equilibria; logit rest points are certified enclosures, checked
against an independent root finder (scipy's brentq on the same equation),
alternate stable/unstable, and approach the Nash equilibria as the noise
vanishes."""

from __future__ import annotations

import json
from fractions import Fraction as F

import numpy as np
import pytest

from verigroup.dynamics.brlogit import best_response, logit_basins, logit_rest_points
from verigroup.dynamics.ess import ess_list


def M(rows: list[list[int]]) -> list[list[F]]:
    return [[F(v) for v in r] for r in rows]


def _h(a: np.ndarray, eta: float):  # type: ignore[no-untyped-def]
    c0, c1 = a[0, 0] - a[1, 0], a[0, 1] - a[1, 1]
    return lambda x: x - 1 / (1 + np.exp(-(c1 + (c0 - c1) * x) / eta))


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("eta", [F(1, 7), F(1), F(3)])
def test_logit_rest_points_match_brentq(seed: int, eta: F) -> None:
    from scipy.optimize import brentq

    ai = np.random.default_rng(seed).integers(-5, 6, size=(2, 2))
    pts = logit_rest_points(M(ai.tolist()), eta)
    assert len(pts) % 2 == 1
    kinds = [p.stability for p in pts]
    assert kinds == ["stable", "unstable"] * (len(pts) // 2) + ["stable"]
    h = _h(ai.astype(float), float(eta))
    for p in pts:
        assert p.hi - p.lo <= F(1, 10**14)
        lo, hi = float(p.lo) - 1e-12, float(p.hi) + 1e-12
        lo, hi = max(lo, 0.0), min(hi, 1.0)
        if h(lo) * h(hi) < 0:
            r = brentq(h, lo, hi, xtol=1e-15)
            assert float(p.lo) - 1e-12 <= r <= float(p.hi) + 1e-12
    # between consecutive roots h keeps one sign (no root was missed)
    xs = [0.0] + [float((p.lo + p.hi) / 2) for p in pts] + [1.0]
    for lo, hi in zip(xs, xs[1:]):
        grid = np.linspace(lo, hi, 202)[1:-1]
        vals = h(grid)
        inner = vals[np.abs(vals) > 1e-9]
        assert len(inner) == 0 or (inner > 0).all() or (inner < 0).all()


def test_logit_basins_cover_the_segment() -> None:
    pts = logit_rest_points(M([[4, 0], [3, 3]]), F(1, 10))
    basins = logit_basins(pts)
    assert len(basins) == 2
    assert abs(sum(float(lo) for _, lo, _ in basins) - 1) < 1e-12


def test_logit_approaches_nash_as_noise_vanishes() -> None:
    pts = logit_rest_points(M([[4, 0], [3, 3]]), F(1, 200))
    mids = sorted(float((p.lo + p.hi) / 2) for p in pts)
    assert abs(mids[0]) < 1e-6 and abs(mids[1] - 0.75) < 1e-2 and abs(mids[2] - 1) < 1e-6


def test_logit_exact_half() -> None:
    (p,) = logit_rest_points(M([[1, 0], [0, 1]]), F(2))
    assert p.exact == F(1, 2) and p.stability == "stable"
    pts = logit_rest_points(M([[1, 0], [0, 1]]), F(1, 10))
    assert [q.exact for q in pts][1] == F(1, 2) and pts[1].stability == "unstable"


def test_best_response_rest_points_are_the_symmetric_equilibria() -> None:
    hd = M([[-1, 4], [0, 2]])
    rest, basins = best_response(hd, ess_list(hd))
    assert [(r.strategy, r.stability) for r in rest] == [((F(2, 3), F(1, 3)), "stable")]
    assert basins[0].share == 1
    rps = M([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    rest, _ = best_response(rps, ess_list(rps))
    assert [(r.strategy, r.stability) for r in rest] == [((F(1, 3),) * 3, "undetermined")]
    good = M([[0, -1, 2], [2, 0, -1], [-1, 2, 0]])
    rest, _ = best_response(good, ess_list(good))
    assert [r.stability for r in rest] == ["stable"]


def test_cli_logit_and_best_response(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli("dynamics", "specs/stag_hunt.vg", "--dynamics", "logit", "--eta", "1/10", "--format", "json")
    assert res.code == 0, res
    doc = json.loads(res.out)
    assert doc["dynamics"] == "logit" and doc["eta"] == "1/10"
    assert [r["stability"] for r in doc["rest_points"]] == ["stable", "unstable", "stable"]
    for r in doc["rest_points"]:
        lo, hi = (float(x) for x in r["interval"]["stag"])
        assert lo <= float(r["strategy"]["stag"][1:]) <= hi or abs(float(r["strategy"]["stag"][1:]) - lo) < 1e-9
    assert all(b["confidence"] == "certified enclosure" for b in doc["basins"])
    res = cli("dynamics", "specs/rock_paper_scissors.vg", "--dynamics", "logit")
    assert res.code == 2 and "E202" in res.err
    res = cli("dynamics", "specs/stag_hunt.vg", "--dynamics", "logit", "--eta", "-1")
    assert res.code == 2 and "--eta" in res.err
    res = cli("dynamics", "specs/hawk_dove.vg", "--dynamics", "best-response", "--format", "json")
    doc = json.loads(res.out)
    assert doc["dynamics"] == "best-response"
    assert [r["strategy"] for r in doc["rest_points"]] == [{"hawk": "2/3", "dove": "1/3"}]
