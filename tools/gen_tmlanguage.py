"""Regenerate editors/verigroup.tmLanguage.json from the lark grammar's
keyword terminals: `python tools/gen_tmlanguage.py`.  The test
tests/test_lang_v2_editors.py fails when the file is out of date."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATEMENT = ["game", "param", "agent", "agents", "payoff", "payoffs", "metric", "profile", "property",
             "state", "protocol", "let", "types", "incentive"]
LOGICAL = ["and", "or", "not", "implies"]
CONCEPTS = ["nash", "pure", "mixed", "correlated", "coarse_correlated", "spe"]
CONSTS = ["true", "false"]
BUILTINS = ["sum", "count", "product", "min", "max", "any", "all", "abs", "value",
            "dominant", "strong_nash", "coalition_proof", "resilient", "immune", "robust",
            "optimum_is_equilibrium", "pareto_efficient", "individually_rational",
            "best_equilibrium", "worst_equilibrium", "price_of_anarchy", "price_of_stability",
            "credible", "grim_trigger", "tit_for_tat", "threshold_discount",
            "argmax", "argmin",  # optimising profiles (issue 8, LANG3)
            "verified"]  # verification stage (issue 14)


def alt(ws: list[str]) -> str:
    return r"\b(?:" + "|".join(sorted(set(ws), key=lambda w: (-len(w), w))) + r")\b"


def statement_keywords() -> list[str]:
    """STATEMENT_KEYWORDS of verigroup/syntax/parser.py (read as text: the tool imports nothing)."""
    src = (ROOT / "verigroup" / "syntax" / "parser.py").read_text()
    block = src[src.index("STATEMENT_KEYWORDS = ("):]
    block = block[:block.index(")")]
    return [w.lower() for w in re.findall(r'"([A-Z_]+)"', block)]


def grammar() -> dict[str, object]:
    lark = (ROOT / "verigroup" / "grammar" / "verigroup.lark").read_text()
    words = re.findall(r'^[A-Z_]+: "([a-z_]+)"', lark, re.M)
    statement_words = sorted(set(STATEMENT) | set(statement_keywords()))
    statement = [w for w in statement_words if w in words]
    other = [w for w in words if w not in statement_words + LOGICAL + CONCEPTS + CONSTS]
    names = ["comment", "string", "number", "statement", "logical", "concept", "constant", "keyword",
             "builtin", "operator", "punctuation", "identifier"]
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "verigroup",
        "scopeName": "source.verigroup",
        "fileTypes": ["vg"],
        "patterns": [{"include": f"#{n}"} for n in names],
        "repository": {
            "comment": {"name": "comment.line.number-sign.verigroup", "match": "#.*$"},
            "string": {"name": "string.quoted.double.verigroup", "match": "\"[^\"\\n]*\""},
            "number": {"name": "constant.numeric.verigroup", "match": r"\b[0-9]+(?:\.[0-9]+)?\b"},
            "statement": {"name": "keyword.control.statement.verigroup", "match": alt(statement)},
            "logical": {"name": "keyword.operator.logical.verigroup", "match": alt(LOGICAL)},
            "concept": {"name": "keyword.other.concept.verigroup", "match": alt(CONCEPTS)},
            "constant": {"name": "constant.language.boolean.verigroup", "match": alt(CONSTS)},
            "keyword": {"name": "keyword.control.verigroup", "match": alt(other)},
            "builtin": {"name": "support.function.builtin.verigroup", "match": alt(BUILTINS) + r"(?=\s*\()"},
            "operator": {"name": "keyword.operator.verigroup", "match": r"==|!=|<=|>=|\*\*|\.\.|[-+*/^<>=]"},
            "punctuation": {"name": "punctuation.separator.verigroup", "match": r"[:,()\[\]{}]"},
            "identifier": {"name": "variable.other.verigroup", "match": r"\b[A-Za-z_][A-Za-z_0-9]*\b"},
        },
    }


def text() -> str:
    return json.dumps(grammar(), indent=2) + "\n"


if __name__ == "__main__":
    (ROOT / "editors" / "verigroup.tmLanguage.json").write_text(text())
