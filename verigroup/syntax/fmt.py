"""``verigroup fmt``: canonical layout of a spec, comments kept.

The formatter works on the lexer's tokens, line by line, so it never drops
a comment and never changes what the parser sees:

* a statement starts at column 1; its continuation lines are indented by 4
  spaces, plus 4 per bracket still open at the start of the line;
* inside ``protocol:`` each block level is indented by 4 spaces per level
  (levels come from the original indentation, exactly as the layout rule
  reads them);
* one space around binary operators and ``=``, after ``,`` and ``:``, none
  inside brackets, after a unary sign, before ``(``/``[`` of a call or an
  index, or around ``..``; a ``-`` written tight between two names stays
  tight (an election's axiom names: ``condorcet-loser``);
* an end-of-line comment is preceded by two spaces; a comment line keeps
  column 1 or takes the indentation of the code around it;
* trailing spaces go, runs of blank lines become one, the file ends with
  one newline.

The result parses to the same AST (spans aside) and formatting it again
changes nothing; both are tested on every bundled spec.
"""

from __future__ import annotations

from typing import Iterable

from lark import Token

from verigroup.syntax.parser import STATEMENT_KEYWORDS, _lark, parse_spec

_OPEN = {"LPAR", "LSQB", "LBRACE"}
_CLOSE = {"RPAR", "RSQB", "RBRACE"}
_BINARY = {"EQEQ", "NOTEQ", "LE", "GE", "LT", "GT", "EQUAL", "PLUS", "MINUS", "STAR", "SLASH", "CARET",
           "STARSTAR"}
_CALLEE = {"NAME", "PAYOFF", "ALL"}
# after these a `+`/`-` is a sign, not an operator
_SIGN_CONTEXT = _BINARY | _OPEN | {"COMMA", "COLON", "IF", "ELSE", "AND", "OR", "NOT", "IMPLIES", "IN",
                                   "DOTDOT", "DISCOUNT", "ROUNDS", "REPEAT", "RETURN"}


def format_spec(text: str, path: str = "<spec>") -> str:
    """The canonical form of ``text`` (which must parse: errors are raised
    as :class:`~verigroup.diagnostics.SpecError` before anything is done)."""
    parse_spec(text, path)
    lines: dict[int, list[Token]] = {}
    for tok in _lark().lex(text, dont_ignore=True):
        if tok.type in ("WS", "_NL"):
            continue
        assert tok.line is not None
        lines.setdefault(tok.line, []).append(tok)
    out: list[str] = []
    depth = 0
    in_protocol = False
    indents: list[int] = []
    prev: Token | None = None  # the last code token of the previous line
    pending_comments: list[tuple[int, str]] = []  # comment lines waiting for the next code line's indent
    src_lines = text.splitlines()
    for n in range(1, len(src_lines) + 1):
        toks = lines.get(n)
        if not toks:
            out.append("")
            continue
        code = [t for t in toks if t.type != "COMMENT"]
        if not code:  # a comment line
            c = toks[0]
            pending_comments.append((len(out), str(c)) if c.column != 1 else (-1, str(c)))
            out.append(str(c) if c.column == 1 else "\0" + str(c))
            continue
        first = code[0]
        if first.column == 1:
            indent = 0
            in_protocol = first.type == "PROTOCOL"
            indents = []
        elif in_protocol and depth == 0:
            col = first.column or 1
            if not indents or col > indents[-1]:
                indents.append(col)
            else:
                while indents and col < indents[-1]:
                    indents.pop()
            indent = 4 * len(indents)
        else:
            base = 4 * len(indents) if in_protocol else 4
            indent = base + 4 * depth
        body = _join(code, prev)
        comment = [t for t in toks if t.type == "COMMENT"]
        line = " " * indent + body + ("  " + str(comment[0]) if comment else "")
        for idx, ctext in pending_comments:
            if idx >= 0:
                out[idx] = " " * (indent if indent else 4) + ctext
        pending_comments = []
        out.append(line)
        for t in code:
            if t.type in _OPEN:
                depth += 1
            elif t.type in _CLOSE:
                depth -= 1
        prev = code[-1]
    for idx, ctext in pending_comments:  # comment lines after the last code line
        if idx >= 0:
            out[idx] = "    " + ctext
    return _tidy(out)


def _hyphens(toks: list[Token]) -> set[int]:
    """Indices of operators printed without spaces: `-` written tight
    between two names (`condorcet-loser`, an election's axiom name) and
    the `/` of a fraction literal (`8/5`)."""
    tight: set[int] = set()
    for k in range(1, len(toks) - 1):
        a, m, b = toks[k - 1], toks[k], toks[k + 1]
        if (m.type == "MINUS" and a.type == "NAME" and b.type == "NAME"
                and a.end_pos == m.start_pos and m.end_pos == b.start_pos):
            tight.add(k)
        if m.type == "SLASH" and a.type == "NUMBER" and b.type == "NUMBER":
            tight.add(k)  # a fraction literal stays tight: 8/5 (but c / 2 is a division)
    return tight


def _join(toks: list[Token], prev: Token | None) -> str:
    parts: list[str] = []
    before = prev
    tight = _hyphens(toks)
    for k, t in enumerate(toks):
        if k in tight or k - 1 in tight:
            pass
        elif k > 0 and _space(toks[k - 1], t, before_prev=toks[k - 2] if k > 1 else prev):
            parts.append(" ")
        parts.append(str(t))
        before = t
    del before
    return "".join(parts)


def _is_sign(t: Token, before: Token | None) -> bool:
    return t.type in ("PLUS", "MINUS") and (before is None or before.type in _SIGN_CONTEXT
                                             or before.type in STATEMENT_KEYWORDS)


def _space(a: Token, b: Token, before_prev: Token | None) -> bool:
    if b.type in _CLOSE or b.type in ("COMMA", "COLON") or a.type in _OPEN:
        return False
    if a.type == "DOTDOT" or b.type == "DOTDOT":
        return False
    if b.type in ("LPAR", "LSQB") and a.type in _CALLEE:
        return False
    if _is_sign(a, before_prev):  # no space after a unary sign
        return False
    return True


def _tidy(lines: Iterable[str]) -> str:
    out: list[str] = []
    for line in lines:
        line = line.replace("\0", "    ").rstrip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"
