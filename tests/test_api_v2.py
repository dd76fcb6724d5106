"""Issue 15 item 14: the Python API a notebook user meets first."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

import verigroup
from verigroup.diagnostics import SpecError

PD_SPEC = "specs/prisoners_dilemma.vg"


@pytest.mark.parametrize("value,expected", [(5, Fraction(5)), (Fraction(3, 2), Fraction(3, 2)),
                                            ("8/5", Fraction(8, 5)), ("0.25", Fraction(1, 4)),
                                            (-2, Fraction(-2))])
def test_load_accepts_exact_overrides(value: object, expected: Fraction) -> None:
    m = verigroup.load("specs/public_goods.vg", overrides={"r": value})
    assert m.param_values()["r"] == expected


@pytest.mark.parametrize("value", [0.1, True, None, [1], float("nan")])
def test_load_refuses_inexact_overrides_with_e109(value: object) -> None:
    with pytest.raises(SpecError) as ei:
        verigroup.load("specs/public_goods.vg", overrides={"r": value})
    assert ei.value.diagnostics[0].code == "E109"


def test_overrides_on_gambit_files_are_refused(tmp_path) -> None:
    p = tmp_path / "g.nfg"
    p.write_text('NFG 1 R "g" { "A" "B" } { 2 2 }\n1 1 0 0 0 0 1 1\n')
    with pytest.raises(SpecError):
        verigroup.load(p, overrides={"r": 1})


@pytest.mark.parametrize("name", ["nash", "pure", "pure_nash", "pure nash", "Nash", "mixed", "mixed nash",
                                  "mixed_nash", "correlated", "coarse_correlated", "ce", "cce"])
def test_equilibria_accepts_the_language_concepts(name: str) -> None:
    m = verigroup.load("specs/matching_pennies.vg")
    sol = m.equilibria(name)
    expected = {"nash": "pure_nash", "pure": "pure_nash", "pure nash": "pure_nash", "Nash": "pure_nash",
                "mixed": "mixed_nash", "mixed nash": "mixed_nash", "ce": "correlated",
                "cce": "coarse_correlated"}.get(name, name)
    assert sol.concept == expected


def test_unknown_concept_is_a_positioned_usage_error() -> None:
    with pytest.raises(SpecError) as ei:
        verigroup.load(PD_SPEC).equilibria("nashh")
    assert ei.value.diagnostics[0].code == "E401"


def test_reprs_are_short_and_html_exists() -> None:
    m = verigroup.load(PD_SPEC)
    r = repr(m)
    assert len(r) < 300 and m.name in r and "2 agents" in r
    big = verigroup.parse("game big\nagents a[1..500]: actions x, y\npayoff a[i] = 1\n")
    assert len(repr(big)) < 300
    rep = m.check()
    sol = m.equilibria("nash")
    for obj in (m, rep, sol):
        html = obj._repr_html_()
        assert html.startswith("<div") and "<table" in html and "<script" not in html
        assert len(repr(obj)) < 300
    assert "VIOLATED" in rep._repr_html_() or "HOLDS" in rep._repr_html_()


def test_html_escapes_names() -> None:
    m = verigroup.from_arrays([[1, 0], [0, 1]], [[1, 0], [0, 1]], agents=["<b>x", "y&"],
                              actions=[["<i>", "b"], ["c", "d"]], name="<script>")
    h = m._repr_html_()
    assert "<script>" not in h and "&lt;b&gt;x" in h and "&lt;i&gt;" in h


def _pure_nash(A: np.ndarray, B: np.ndarray) -> set[tuple[int, int]]:
    out = set()
    for i in range(A.shape[0]):
        for j in range(A.shape[1]):
            if A[i, j] >= A[:, j].max() and B[i, j] >= B[i, :].max():
                out.add((i, j))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_from_arrays_matches_brute_force_and_nashpy(seed: int) -> None:
    import nashpy

    rng = np.random.default_rng(seed)
    rows, cols = int(rng.integers(1, 4)), int(rng.integers(1, 4))
    A = rng.integers(-3, 4, size=(rows, cols))
    B = rng.integers(-3, 4, size=(rows, cols))
    m = verigroup.from_arrays(A, B)
    g = m.game()
    assert g.shape == (rows, cols)
    for i in range(rows):
        for j in range(cols):
            assert g.payoff(0, (i, j)) == A[i, j] and g.payoff(1, (i, j)) == B[i, j]
    sol = m.equilibria("nash")
    got = {(int(next(iter(e.strategies["p1"]))[1:]) - 1, int(next(iter(e.strategies["p2"]))[1:]) - 1)
           for e in sol.equilibria}
    assert got == _pure_nash(A, B)
    # every pure equilibrium nashpy's support enumeration finds is one of ours
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pure_np = {(int(np.argmax(s1)), int(np.argmax(s2)))
                   for s1, s2 in nashpy.Game(A, B).support_enumeration()
                   if np.isclose(max(s1), 1) and np.isclose(max(s2), 1)}
    assert pure_np <= got


def test_from_arrays_three_agents_and_exact_numbers() -> None:
    A = np.zeros((2, 2, 2), dtype=object)
    B = np.zeros((2, 2, 2), dtype=object)
    C = np.zeros((2, 2, 2), dtype=object)
    A[1, 0, 1] = Fraction(1, 3)
    B[0, 1, 1] = "0.25"
    C[1, 1, 0] = Decimal("2.5")
    C[0, 0, 0] = 4.0  # an integral float is exact
    m = verigroup.from_arrays(A, B, C, agents=["x", "y", "z"])
    g = m.game()
    assert g.payoff(0, (1, 0, 1)) == Fraction(1, 3)
    assert g.payoff(1, (0, 1, 1)) == Fraction(1, 4)
    assert g.payoff(2, (1, 1, 0)) == Fraction(5, 2)
    assert g.payoff(2, (0, 0, 0)) == 4
    assert m.agents[2].name == "z"


@pytest.mark.parametrize("bad", [0.1, float("nan"), float("inf"), "1e5x", True, object(), "1/0"])
def test_from_arrays_refuses_inexact_entries(bad: object) -> None:
    A = np.array([[1, 2], [3, 4]], dtype=object)
    A[0, 1] = bad
    with pytest.raises(SpecError) as ei:
        verigroup.from_arrays(A, [[0, 0], [0, 0]])
    assert ei.value.diagnostics[0].code == "E109"


@pytest.mark.parametrize("arrays", [([[1, 2]],), ([[1, 2]], [[1, 2, 3]]), ([1, 2], [3, 4]), ()])
def test_from_arrays_refuses_bad_shapes(arrays: tuple) -> None:
    with pytest.raises(SpecError):
        verigroup.from_arrays(*arrays)


def test_model_services_do_not_import_the_evaluator_from_the_model() -> None:
    import verigroup.model.model as mm

    src = open(mm.__file__).read()
    assert "verigroup.evaluate" not in src.replace("``", "")
    assert verigroup.load(PD_SPEC).game().shape == (2, 2)
