"""Syntax errors in words: what was expected, and named messages for the
common mistakes (a missing ':', '=' for '==', an unquoted property name, a
misspelled statement keyword, an unterminated string, a truncated spec)."""

from __future__ import annotations

from typing import Iterable, Sequence

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedToken

from verigroup.diagnostics import Diagnostic, Span, did_you_mean

LIMIT_BYTES = 2_000_000
LIMIT_DEPTH = 100
LIMIT_AGENTS = 10_000

STATEMENT_WORDS = ("game", "param", "agent", "agents", "payoff", "metric", "profile", "property")

# Tokens that can start an expression.
_EXPR_START = {"NUMBER", "NAME", "LPAR", "MINUS", "PLUS", "NOT", "TRUE", "FALSE", "PAYOFF", "ALL",
               # property forms are expressions too (property algebra, issue 8)
               "NASH", "EXISTS", "UNIQUE", "STRICTLY", "WEAKLY", "COMMITMENT", "FOR", "COALITION"}
_OPERATORS = {"PLUS", "MINUS", "STAR", "SLASH", "CARET", "STARSTAR", "EQEQ", "NOTEQ", "LE", "GE",
              "LT", "GT", "AND", "OR", "IF"}
_WORDS = {
    "NAME": "a name", "NUMBER": "a number", "STRING": 'a string in double quotes',
    "_NL": "the end of the statement", "$END": "the end of the file",
    "EVERY": "'every'", "SOME": "'some'", "STRICTLY": "'strictly'", "WEAKLY": "'weakly'",
}
_LITERAL = {
    "EQEQ": "==", "NOTEQ": "!=", "LE": "<=", "GE": ">=", "LT": "<", "GT": ">", "EQUAL": "=",
    "PLUS": "+", "MINUS": "-", "STAR": "*", "SLASH": "/", "CARET": "^", "STARSTAR": "**",
    "DOTDOT": "..", "COLON": ":", "COMMA": ",", "LPAR": "(", "RPAR": ")", "LSQB": "[",
    "RSQB": "]", "LBRACE": "{", "RBRACE": "}",
}


def span_of_token(path: str, tok: Token) -> Span:
    line = tok.line or 1
    col = tok.column or 1
    end_line = tok.end_line or line
    end_col = tok.end_column or col + max(len(str(tok)), 1)
    return Span(path, line, col, end_line, end_col)


def _word(name: str) -> str:
    if name in _WORDS:
        return _WORDS[name]
    if name in _LITERAL:
        return f"'{_LITERAL[name]}'"
    if name.isupper():
        return f"'{name.lower()}'"
    return name


def describe_expected(expected: Iterable[str]) -> str:
    exp = set(expected)
    parts: list[str] = []
    if "NUMBER" in exp and "NAME" in exp:
        parts.append("an expression")
        exp -= _EXPR_START
    if len(exp & _OPERATORS) >= 4:
        parts.append("an operator")
        exp -= _OPERATORS
    for name in sorted(exp, key=lambda n: (n.startswith("_") or n == "$END", n)):
        parts.append(_word(name))
    if not parts:
        return "something else"
    if len(parts) > 7:
        parts = parts[:7] + ["..."]
    if len(parts) == 1:
        return parts[0]
    return "one of " + ", ".join(parts[:-1]) + " or " + parts[-1]


def _found(tok: Token) -> str:
    if tok.type == "$END":
        return "the end of the file"
    if tok.type == "_NL":
        return "the end of the statement"
    if tok.type == "STRING":
        return f"the string {tok.value}"
    if tok.type == "NUMBER":
        return f"the number {tok.value}"
    if tok.type == "NAME":
        return f"the name `{tok.value}`"
    return f"'{tok.value}'"


def _end_span(path: str, text: str) -> Span:
    """The position just after the last meaningful character."""
    lines = text.splitlines() or [""]
    for k in range(len(lines) - 1, -1, -1):
        raw = lines[k].split("#", 1)[0].rstrip()
        if raw:
            return Span(path, k + 1, len(raw) + 1, k + 1, len(raw) + 2)
    return Span(path, 1, 1)


def explain_token(exc: UnexpectedToken, text: str, path: str, stmt: Sequence[Token]) -> Diagnostic:
    tok: Token = exc.token
    expected = set(exc.expected or ())
    at_end = tok.type == "$END"
    code = "E002" if at_end else "E001"
    span = _end_span(path, text) if at_end else span_of_token(path, tok)
    want = describe_expected(expected)
    head = stmt[0].type if stmt else None
    prev = stmt[-1] if stmt else None
    ended = "the spec ends" if at_end else "the statement ends"

    # A statement must start with a keyword at column 1.
    if not at_end and tok.type != "_NL" and tok.column == 1 and (prev is None or prev.line != tok.line):
        if tok.type == "NAME":
            hint = did_you_mean(tok.value, STATEMENT_WORDS) or (
                "a statement starts with one of: " + ", ".join(STATEMENT_WORDS))
            return Diagnostic(code, f"unknown statement `{tok.value}`", span, hint)
        return Diagnostic(code, f"{_found(tok)} cannot start a statement", span,
                          "indent a line that continues the previous statement")
    if head == "PROPERTY" and prev is not None and prev.type == "PROPERTY" and tok.type != "STRING":
        return Diagnostic(code, "the property name must be a string in double quotes", span,
                          'write property "my property": ...')
    if head == "PROPERTY" and prev is not None and prev.type == "STRING" and "COLON" in expected:
        return Diagnostic(code, "expected ':' after the property name"
                          + (f" but {ended}" if at_end or tok.type == "_NL" else f", found {_found(tok)}"),
                          span, f'write property {prev.value}: ...')
    if head in ("AGENT", "AGENTS") and "COLON" in expected and tok.type != "COLON":
        return Diagnostic(code, "expected ':' after the agent list"
                          + ("" if tok.type in ("_NL", "$END") else f", found {_found(tok)}"), span,
                          "write `agents a[1..n]: actions x, y` or `agent planner: actions fast, careful`")
    if tok.type == "EQUAL" and ("EQEQ" in expected or "STAR" in expected or "RPAR" in expected
                                or "ELSE" in expected or "COLON" in expected or "_NL" in expected):
        return Diagnostic(code, "'=' defines a name; use '==' to compare", span,
                          "write `a[i] == contribute`")
    if tok.type in ("_NL", "$END"):
        return Diagnostic(code, f"expected {want} but {ended}", span,
                          "a continuation line must be indented" if tok.type == "_NL" else None)
    if tok.type in ("NAME", "NUMBER", "LPAR") and "NAME" not in expected and "PLUS" in expected:
        return Diagnostic(code, f"unexpected {_found(tok)} after a complete expression", span,
                          "is an operator or a comma missing before it?")
    if head == "PAYOFFS" and prev is not None and prev.type == "NAME" and prev.line == tok.line:
        # `payoffs row, col:` then a header line of column labels, as a
        # bimatrix is written on paper
        return Diagnostic(code, f"expected {want}, found {_found(tok)}", span,
                          "a payoff table has no header line: the columns follow the order of the "
                          "column agent's declared actions; write one line per row action, "
                          "e.g. `opera: (3, 2), (0, 0)`")
    return Diagnostic(code, f"expected {want}, found {_found(tok)}", span)


def explain_characters(exc: UnexpectedCharacters, text: str, path: str) -> Diagnostic:
    line, col = exc.line, exc.column
    # lark declares ``pos_in_stream = None`` on the base class; UnexpectedCharacters
    # always sets it to the lexer position of the offending character.
    pos: object = exc.pos_in_stream
    assert isinstance(pos, int), "UnexpectedCharacters always records the lexer position"
    ch = text[pos] if 0 <= pos < len(text) else ""
    span = Span(path, line, col, line, col + 1)
    if ch == '"':
        return Diagnostic("E001", "unterminated string", span,
                          'close the string with `"` on the same line')
    if ch == "!":
        return Diagnostic("E003", "invalid character '!'", span, "write `!=` for 'not equal', or `not`")
    if ch == "'":
        return Diagnostic("E003", "invalid character \"'\"", span, 'strings use double quotes: "..."')
    if ch == "&" or ch == "|":
        return Diagnostic("E003", f"invalid character '{ch}'", span,
                          "write `and` / `or`")
    if ch == "=":  # pragma: no cover - '=' is a token
        return Diagnostic("E001", "unexpected '='", span)
    shown = repr(ch) if ch.isprintable() and ch else f"U+{ord(ch):04X}" if ch else "?"
    return Diagnostic("E003", f"invalid character {shown}", span)
