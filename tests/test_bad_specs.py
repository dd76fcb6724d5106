"""The malformed-spec corpus: each file in tests/bad_specs/ marks the
offending line with ``# error: CODE [words]``; parsing must raise SpecError
with exactly those codes on exactly those lines, and the words (if any) must
appear in the message or hint.  Plus a fuzz test: nothing a user can type
raises anything but SpecError."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from verigroup.diagnostics import SpecError
from verigroup.resolve import build_model

ROOT = Path(__file__).resolve().parent.parent
BAD = sorted((ROOT / "tests" / "bad_specs").glob("*.vg"))
GOOD = sorted((ROOT / "specs").glob("*.vg"))
MARK = re.compile(r"#\s*error:\s*(E\d{3})(.*)$")


def expected(text: str) -> list[tuple[int, str, str]]:
    out = []
    for k, line in enumerate(text.splitlines(), 1):
        m = MARK.search(line)
        if m:
            out.append((k, m.group(1), m.group(2).strip()))
    return out


def test_corpus_size() -> None:
    assert len(BAD) >= 30


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_spec(path: Path) -> None:
    text = path.read_text()
    want = expected(text)
    assert want, f"{path.name} has no `# error:` marker"
    with pytest.raises(SpecError) as info:
        build_model(text, str(path), {})
    diags = info.value.diagnostics
    got = sorted((d.span.line, d.code) for d in diags)
    assert got == sorted((line, code) for line, code, _ in want), info.value.render()
    for line, code, words in want:
        if words:
            d = next(d for d in diags if d.span.line == line and d.code == code)
            blob = (d.message + " " + (d.hint or "")).lower()
            assert words.lower().strip("'\"") in blob, (words, d.message, d.hint)
    rendered = info.value.render()
    assert str(path) in rendered and "error[" in rendered


def test_errors_point_at_the_token() -> None:
    text = (ROOT / "tests/bad_specs/misspelled_action.vg").read_text()
    with pytest.raises(SpecError) as info:
        build_model(text, "m.vg", {})
    d = info.value.diagnostics[0]
    assert (d.span.line, d.span.column) == (3, 28)
    assert d.hint == "did you mean `contribute`?"
    assert "^^^^^^^^^" in info.value.render()


# ------------------------------------------------------------ fuzzing

def _only_spec_errors(text: str) -> None:
    try:
        build_model(text, "fuzz.vg", {})
    except SpecError as exc:
        assert exc.diagnostics and all(d.code.startswith("E") for d in exc.diagnostics)
        exc.render()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(list("ab[]{}()=:,.\n #\"'-+*/^<>!01 ")
                                + ["agents ", "payoff ", "game ", "property ", "nash ", "if ",
                                   "else ", "a[i]", "sum(j: ", "param ", "1..2", "for every ",
                                   "\nagents a[1..2]: actions x, y\n", "\npayoff a[i] = "]),
                max_size=40).map("".join))
def test_fuzz_random_text(text: str) -> None:
    _only_spec_errors(text)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_unicode_text(text: str) -> None:
    _only_spec_errors(text)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_fuzz_mutated_good_specs(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(GOOD))
    text = path.read_text()
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = random.Random(seed)
    tokens = re.findall(r"\w+|\s+|.", text)
    for _ in range(rng.randint(1, 3)):
        op = rng.choice(["del_char", "dup_char", "swap_char", "del_tok", "dup_tok", "swap_tok"])
        if op.endswith("char") and text:
            i = rng.randrange(len(text))
            if op == "del_char":
                text = text[:i] + text[i + 1:]
            elif op == "dup_char":
                text = text[:i] + text[i] + text[i:]
            elif i + 1 < len(text):
                text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
            tokens = re.findall(r"\w+|\s+|.", text)
        elif tokens:
            i = rng.randrange(len(tokens))
            if op == "del_tok":
                del tokens[i]
            elif op == "dup_tok":
                tokens.insert(i, tokens[i])
            else:
                j = rng.randrange(len(tokens))
                tokens[i], tokens[j] = tokens[j], tokens[i]
            text = "".join(tokens)
    _only_spec_errors(text)
