"""The TextMate grammar in editors/ (VS Code, GitHub-style highlighters):
its keyword patterns cover every keyword of the lark grammar (the list is
derived from the .lark file), and its regexes tokenize every bundled spec
with no unscoped character, giving every keyword token of the real lexer a
keyword scope."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from verigroup.syntax.parser import _lark

ROOT = Path(__file__).resolve().parents[1]
GRAMMAR = json.loads((ROOT / "editors" / "verigroup.tmLanguage.json").read_text())
LARK = (ROOT / "verigroup" / "grammar" / "verigroup.lark").read_text()
KEYWORDS = dict(re.findall(r'^([A-Z_]+): "([a-z_]+)"', LARK, re.M))  # terminal -> word
SPECS = sorted(p for d in ("specs", "case_studies") for p in (ROOT / d).rglob("*.vg"))


def rules() -> list[tuple[str, re.Pattern[str]]]:
    repo = GRAMMAR["repository"]
    out = []
    for inc in GRAMMAR["patterns"]:
        r = repo[inc["include"].lstrip("#")]
        out.append((r["name"], re.compile(r["match"])))
    return out


def tokenize(line: str) -> list[tuple[int, int, str]]:
    """TextMate's rule for a flat pattern list: at each position the match
    that starts first wins, ties to the earlier pattern."""
    toks, pos = [], 0
    rs = rules()
    while pos < len(line):
        best: tuple[int, int, Any] | None = None
        for k, (name, rx) in enumerate(rs):
            m = rx.search(line, pos)
            if m and m.end() > m.start() and (best is None or (m.start(), k) < (best[0], best[1])):
                best = (m.start(), k, (m.start(), m.end(), name))
        if best is None:
            break
        toks.append(best[2])
        pos = best[2][1]
    return toks


def test_the_grammar_is_valid_json_with_a_scope() -> None:
    assert GRAMMAR["scopeName"] == "source.verigroup" and "vg" in GRAMMAR["fileTypes"]


def test_the_grammar_is_up_to_date_with_the_lark_keywords() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_tmlanguage", ROOT / "tools" / "gen_tmlanguage.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert json.loads(gen.text()) == GRAMMAR, "run `python tools/gen_tmlanguage.py` after changing keywords"


def test_every_lark_keyword_gets_a_keyword_scope() -> None:
    assert len(KEYWORDS) > 40
    for word in KEYWORDS.values():
        toks = tokenize(word)
        assert len(toks) == 1 and toks[0][:2] == (0, len(word)), word
        assert toks[0][2].startswith(("keyword.", "constant.language")), (word, toks)


def test_keywords_inside_names_are_not_split() -> None:
    toks = tokenize("nashville = forever_young + payoffs2")
    assert [t[2].split(".")[0] for t in toks] == ["variable", "keyword", "variable", "keyword", "variable"]


@pytest.mark.parametrize("spec", SPECS, ids=[str(p.relative_to(ROOT)) for p in SPECS])
def test_bundled_specs_tokenize_fully(spec: Path) -> None:
    text = spec.read_text()
    lines = text.splitlines()
    scoped: dict[tuple[int, int], str] = {}
    for n, line in enumerate(lines, 1):
        covered = [False] * len(line)
        for s, e, name in tokenize(line):
            for i in range(s, e):
                covered[i] = True
            scoped[(n, s + 1)] = name
        gaps = [i for i, ch in enumerate(line) if not ch.isspace() and not covered[i]]
        assert not gaps, f"{spec.name}:{n}: unscoped {line[gaps[0]:gaps[0] + 10]!r}"
    for tok in _lark().lex(text):
        if tok.type in KEYWORDS:
            name = scoped.get((tok.line or 0, tok.column or 0), "")
            assert name.startswith(("keyword.", "constant.language")), (spec.name, tok.line, tok, name)
