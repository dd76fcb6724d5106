"""Gambit .nfg reading and writing: both dialects, exact numbers, errors with
positions, round trips, and agreement with pygambit's own reader."""

from __future__ import annotations

import io
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verigroup.diagnostics import SpecError
from verigroup.io.nfg import model_from_nfg, parse_nfg, read_nfg, write_nfg
from verigroup.model.game import NormalFormGame

DATA = Path(__file__).parent / "data"


def load(name: str) -> NormalFormGame:
    return read_nfg((DATA / name).read_text(), str(DATA / name))


def payoff_table(g: NormalFormGame) -> dict[tuple[int, ...], tuple[Fraction, ...]]:
    return {prof: g.payoff_vector(prof) for prof in g.profiles()}


def assert_same_game(a: NormalFormGame, b: NormalFormGame) -> None:
    assert a.players == b.players
    assert a.actions == b.actions
    assert a.title == b.title
    assert payoff_table(a) == payoff_table(b)


F = Fraction


# ------------------------------------------------------------------ dialects
def test_payoff_dialect_counts_player_one_fastest() -> None:
    g = load("pd_payoffs.nfg")
    assert g.title == "Prisoner's dilemma"
    assert g.players == ("Alice", "Bob")
    assert g.actions == (("1", "2"), ("1", "2"))
    # Textbook PD: (C,C)=3,3 (D,C)=5,0 (C,D)=0,5 (D,D)=1,1; row = Alice.
    assert g.payoff_vector((0, 0)) == (3, 3)
    assert g.payoff_vector((1, 0)) == (5, 0)
    assert g.payoff_vector((0, 1)) == (0, 5)
    assert g.payoff_vector((1, 1)) == (1, 1)


def test_payoff_dialect_with_labels_and_comment() -> None:
    parsed = parse_nfg((DATA / "pd_labels.nfg").read_text(), "pd_labels.nfg")
    g = parsed.game
    assert parsed.dialect == "payoffs"
    assert parsed.comment.startswith("Player 1's strategy")
    assert g.actions == (("cooperate", "defect"), ("cooperate", "defect"))
    assert payoff_table(g) == payoff_table(load("pd_payoffs.nfg"))


def test_outcome_dialect_null_outcomes_empty_labels_escapes() -> None:
    parsed = parse_nfg((DATA / "selten_outcomes.nfg").read_text())
    g = parsed.game
    assert parsed.dialect == "outcomes"
    assert g.title == 'Selten horse, "reduced"'
    assert g.players == ("Player 1", "2", "Player 3")
    assert g.actions == (("1", "2"), ("L", "R"), ("l", "r", "m"))
    # Outcome indices, player 1 fastest: profile k = i1 + 2*i2 + 4*i3.
    indices = [1, 2, 0, 3, 2, 0, 1, 1, 3, 3, 0, 1]
    outcomes = {0: (F(0), F(0), F(0)), 1: (F(1), F(1), F(0)),
                2: (F(0), F(2, 3), F(-1)), 3: (F(-5, 2), F(3), F(100))}
    for k, o in enumerate(indices):
        prof = (k % 2, (k // 2) % 2, k // 4)
        assert g.payoff_vector(prof) == outcomes[o], prof


def test_three_players() -> None:
    g = load("three_player.nfg")
    assert g.shape == (2, 2, 2)
    assert g.payoff_vector((0, 0, 0)) == (2, 2, 2)
    assert g.payoff_vector((1, 0, 0)) == (0, 1, 1)
    assert g.payoff_vector((0, 1, 0)) == (1, 0, 1)
    assert g.payoff_vector((0, 0, 1)) == (1, 1, 0)
    assert g.payoff_vector((1, 1, 1)) == (5, 5, 5)


def test_decimals_are_exact() -> None:
    g = load("decimals.nfg")
    assert g.payoff_vector((0, 0)) == (F(1, 10), F(-1, 4))
    assert g.payoff_vector((1, 0)) == (F(1000), F(1, 40))
    assert g.payoff_vector((0, 1)) == (F(-1, 2), F(3, 4))
    assert g.payoff_vector((1, 1)) == (F(7), F(1))
    # and 0.1 + 0.2 == 0.3 holds, unlike in floats
    tiny = read_nfg('NFG 1 R "" { "a" } { 3 } 0.1 0.2 0.3')
    assert tiny.payoff(0, (0,)) + tiny.payoff(0, (1,)) == tiny.payoff(0, (2,))


def test_empty_and_duplicate_labels() -> None:
    g = load("dup_labels.nfg")
    assert g.players == ("P", "P#2")
    # "a#2" is taken by the file itself, so the second "a" becomes "a#3".
    assert g.actions == (("a", "a#3", "a#2"), ("1", "b"))


def test_scientific_and_huge_numbers() -> None:
    g = read_nfg('NFG 1 R "" { "a" } { 4 } 1e30 -2.5e-3 123456789012345678901234567890/7 +0')
    assert [g.payoff(0, (k,)) for k in range(4)] == [
        F(10**30), F(-1, 400), F(123456789012345678901234567890, 7), F(0)]


def test_bom_and_crlf() -> None:
    text = '\ufeffNFG 1 R "w" { "a" "b" } { 1 1 }\r\n4 5\r\n'
    g = read_nfg(text)
    assert g.payoff_vector((0, 0)) == (4, 5)


# -------------------------------------------------------------------- errors
BAD = [
    # file, line, column, fragment of the message
    ("bad_empty.nfg", 1, 1, "empty"),
    ("bad_header.nfg", 1, 1, "unknown header"),
    ("bad_version.nfg", 1, 5, "version"),
    ("bad_too_few.nfg", 6, 2, "expected 8 payoffs (2 players x 4 profiles), found 7"),
    ("bad_too_many.nfg", 7, 1, "expected 8 payoffs (2 players x 4 profiles), found 9"),
    ("bad_nonnumeric.nfg", 4, 3, "non-numeric payoff 'two'"),
    ("bad_unterminated.nfg", 3, 9, "unterminated"),
    ("bad_counts.nfg", 2, 7, "more strategy counts than players"),
    ("bad_outcome_arity.nfg", 5, 1, "has 3 payoffs, expected 2"),
    ("bad_outcome_index.nfg", 8, 3, "outcome index 3"),
    ("bad_division.nfg", 3, 3, "division by zero"),
    ("bad_no_players.nfg", 1, 20, "no players"),
    ("bad_truncated_outcomes.nfg", 5, 10, "end of file"),
]


@pytest.mark.parametrize("name,line,column,fragment", BAD)
def test_malformed_files(name: str, line: int, column: int, fragment: str) -> None:
    path = str(DATA / name)
    with pytest.raises(SpecError) as info:
        read_nfg((DATA / name).read_text(), path)
    (diag,) = info.value.diagnostics
    assert diag.code == "E301"
    assert (diag.span.file, diag.span.line, diag.span.column) == (path, line, column)
    assert fragment in diag.message
    assert diag.hint or diag.message  # rendered without a traceback
    rendered = info.value.render()
    assert f"{path}:{line}:{column}: error[E301]" in rendered


@pytest.mark.parametrize("name", [n for n, *_ in BAD])
def test_pygambit_also_rejects_the_malformed_files(name: str) -> None:
    gbt = pytest.importorskip("pygambit")
    if name == "bad_empty.nfg":
        text = ""
    else:
        text = (DATA / name).read_text()
    with pytest.raises(Exception):
        gbt.read_nfg(io.StringIO(text))


@pytest.mark.parametrize("text,fragment", [
    ('NFG 1 X "t" { "a" } { 1 } 1', "number type"),
    ('NFG 1 R { "a" } { 1 } 1', "title"),
    ('NFG 1 R "t" { "a" } { 0 } ', "no strategies"),
    ('NFG 1 R "t" { "a" } { 2.5 } 1 2', "whole number"),
    ('NFG 1 R "t" { "a" } { { "x" } { "y" } } 1', "more strategy lists"),
    ('NFG 1 R "t" { "a" "b" } { { "x" } } 1 1', "1 strategy lists for 2 players"),
    ('NFG 1 R "t" { "a" } { 1 } 1e99999', "exponent"),
    ('NFG 1 R "t" { "a" } { 1 } 3/-4', "non-numeric"),
    ('NFG 1 R "t" { "a" } { 2 } 1, 2', "expected a payoff"),
    ('NFG 1 R "t" { "a" } { 1 }', "ends before the payoffs"),
    ('NFG 1 R "t" { "a" } { 1 } { { o 1 } } 1', "outcome's name"),
    ('NFG 1 R "t" { "a" } { 2 } { { "o" 1 } } 1 x', "outcome index"),
    ('NFG 1 R "t" { "a" } { 2 } { { "o" 1 } } 1', "expected 2 outcome indices"),
    ('NFG 1 R "t" { "a" } { 100000 100000 100000 } 1', "more strategy counts"),
    ('NFG 1 R "t" { "a" "b" } { 100000 100000 } 1', "expected 20000000000 payoffs"),
])
def test_more_malformed_inputs(text: str, fragment: str) -> None:
    with pytest.raises(SpecError) as info:
        read_nfg(text, "x.nfg")
    diag = info.value.diagnostics[0]
    assert diag.code == "E301" and diag.span.line == 1 and diag.span.column >= 1
    assert fragment in diag.message


def test_too_many_digits_is_an_error_not_a_traceback() -> None:
    with pytest.raises(SpecError) as info:
        read_nfg('NFG 1 R "t" { "a" } { 1 } ' + "9" * 6000)
    assert info.value.diagnostics[0].code == "E301"


# ------------------------------------------------------ agreement w/ pygambit
def pygambit_table(g) -> tuple[list[str], list[list[str]], dict[tuple[int, ...], tuple[Fraction, ...]]]:  # type: ignore[no-untyped-def]
    import itertools

    players = list(g.players)
    shape = [len(p.strategies) for p in players]
    table = {}
    for prof in itertools.product(*(range(k) for k in shape)):
        o = g[list(prof)]
        table[prof] = tuple(F(0) if o is None else F(str(o[p])) for p in players)
    return [p.label for p in players], [[s.label for s in p.strategies] for p in players], table


def catalog_nfg_files() -> list[Path]:
    try:
        import pygambit
    except ImportError:  # pragma: no cover
        return []
    return sorted(Path(pygambit.__file__).parent.glob("catalog_data/**/*.nfg"))


GAMBIT_FIXTURES = ["pd_payoffs.nfg", "pd_labels.nfg", "selten_outcomes.nfg", "three_player.nfg",
                   "decimals_plain.nfg", "dup_labels.nfg"]


@pytest.mark.parametrize("path", [DATA / n for n in GAMBIT_FIXTURES] + catalog_nfg_files(),
                         ids=lambda p: p.name)
def test_reader_agrees_with_pygambit(path: Path) -> None:
    gbt = pytest.importorskip("pygambit")
    ours = read_nfg(path.read_text(), str(path))
    theirs = gbt.read_nfg(str(path))
    players, actions, table = pygambit_table(theirs)
    assert ours.title == theirs.title
    assert payoff_table(ours) == table
    assert ours.shape == tuple(len(a) for a in actions)

    # Names agree wherever the file's labels are non-empty and unique
    # (pygambit renames the others "_1", "x_1", ... where we use "1", "x#2").
    def plain(labels: list[str]) -> bool:
        return not any(re.fullmatch(r".*_\d+", s) for s in labels)

    if plain(players):
        assert list(ours.players) == players
    for a_ours, a_theirs in zip(ours.actions, actions):
        if plain(a_theirs):
            assert list(a_ours) == a_theirs


# ------------------------------------------------------------------- writing
def test_write_format_is_payoff_dialect_with_rationals() -> None:
    g = NormalFormGame.from_fractions(
        ["A", 'B "q"'], [["x", "y"], ["z"]],
        [np.array([[F(1, 3)], [F(-2)]], dtype=object), np.array([[F(0)], [F(5, 7)]], dtype=object)],
        title="T",
    )
    text = write_nfg(g)
    assert text.startswith('NFG 1 R "T" { "A" "B \\"q\\"" }')
    body = text.strip().splitlines()[-2:]
    assert body == ["1/3 0", "-2 5/7"]
    assert_same_game(read_nfg(text), g)


label_chars = st.characters(blacklist_categories=("Cs",))
labels = st.text(label_chars, min_size=1, max_size=8)
# Labels pygambit 16.7 reads back unchanged: printable ASCII without leading,
# trailing or doubled spaces (it refuses other labels), no backslashes (its
# lexer mangles "\\"), and not all digits (its reader labels strategies "1",
# "2", ... first, then refuses a file whose first strategy is "2" as a
# duplicate).  Our own reader and writer take any label (test above).
gambit_labels = st.text(st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters="\\"),
                        min_size=1, max_size=6).filter(
    lambda s: not s.isdigit() and s == " ".join(s.split()))
payoffs = st.builds(
    Fraction,
    st.integers(-(10**30), 10**30) | st.integers(-20, 20),
    st.integers(1, 10**6) | st.just(1),
)


@st.composite
def games(draw, label_strategy=labels, title_strategy=st.text(label_chars, max_size=10)):  # type: ignore[no-untyped-def]
    n = draw(st.integers(1, 4))
    sizes = [draw(st.integers(1, 3)) for _ in range(n)]
    players = draw(st.lists(label_strategy, min_size=n, max_size=n, unique=True))
    actions = [draw(st.lists(label_strategy, min_size=k, max_size=k, unique=True)) for k in sizes]
    tensors = []
    for _ in range(n):
        vals = draw(st.lists(payoffs, min_size=int(np.prod(sizes)), max_size=int(np.prod(sizes))))
        arr = np.empty(len(vals), dtype=object)
        arr[:] = vals
        tensors.append(arr.reshape(sizes))
    return NormalFormGame.from_fractions(players, actions, tensors, title=draw(title_strategy))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(games())
def test_round_trip_exact(g: NormalFormGame) -> None:
    assert_same_game(read_nfg(write_nfg(g)), g)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(games(label_strategy=gambit_labels, title_strategy=st.text(
    st.characters(min_codepoint=32, max_codepoint=126, blacklist_characters="\\"), max_size=10)))
def test_pygambit_reads_what_we_write(g: NormalFormGame) -> None:
    gbt = pytest.importorskip("pygambit")
    theirs = gbt.read_nfg(io.StringIO(write_nfg(g)))
    players, actions, table = pygambit_table(theirs)
    assert players == list(g.players)
    assert actions == [list(a) for a in g.actions]
    assert table == payoff_table(g)
    assert theirs.title == g.title


# --------------------------------------------------------------------- model
def test_model_from_nfg() -> None:
    text = (DATA / "pd_labels.nfg").read_text()
    model = model_from_nfg(text, "games/pd.nfg")
    assert model.name == "Prisoner's dilemma, labelled"
    assert model.path == "games/pd.nfg" and model.source == text
    assert model.description.startswith("Player 1's")
    assert [a.name for a in model.agents] == ["Alice", "Bob"]
    assert all(a.family == a.name and a.index is None for a in model.agents)
    assert model.agents[0].actions == ("cooperate", "defect")
    assert model.properties == () and dict(model.params) == {}
    assert_same_game(model.game(), load("pd_labels.nfg"))
    assert model.game() is model._cache["game"]


def test_model_name_falls_back_to_file_stem() -> None:
    model = model_from_nfg('NFG 1 R "" { "a" } { 1 } 0', "dir/my_game.nfg")
    assert model.name == "my_game"


def test_api_parse_routes_nfg() -> None:
    import verigroup

    model = verigroup.parse((DATA / "three_player.nfg").read_text(), "three_player.nfg")
    assert model.shape == (2, 2, 2)
    assert model.game().payoff_vector((1, 1, 1)) == (5, 5, 5)
