"""Gambit strategic-form files (``.nfg``): exact reading and writing.

Both dialects of the format (version 1, data type ``R`` or ``D``) are read:

* the *payoff-list* dialect::

      NFG 1 R "Prisoner's dilemma" { "Alice" "Bob" } { 2 2 }
      3 3  5 0  0 5  1 1

  (strategy counts, or nested strategy labels ``{ { "C" "D" } { "C" "D" } }``,
  then one payoff per player for every profile, player 1's strategy changing
  fastest);

* the *outcome* dialect::

      NFG 1 R "title" { "P1" "P2" } { { "S1" "S2" } { "T1" "T2" } }
      "optional comment"
      { { "win" 1, 0 } { "" 0, 1 } }
      1 2 0 1

  (an outcome list, then one outcome index per profile, player 1 fastest;
  index 0 is the null outcome, all payoffs zero).

Numbers are read exactly: integers, decimals (``0.1`` is 1/10), rationals
``3/4``, an optional sign and scientific notation (``1e3``, ``2.5E-2``).

Labels.  An empty player or strategy label becomes its 1-based index as a
string (``"1"``, ``"2"``, ...).  Duplicate labels are disambiguated
deterministically: the first occurrence keeps the label, the k-th later one
becomes ``label#k`` (k = 2, 3, ...; skipping any suffix already in use), so
every name in a :class:`NormalFormGame` read from a file is unique.  (pygambit
uses ``label_1``, ``label_2`` and ``_1`` instead; only the names differ.)

Escapes inside quoted labels: ``\\"`` is a quote and ``\\\\`` a backslash; any
other backslash is kept literally (``"C:\\dir"`` is ``C:\\dir``).  The writer
escapes a backslash only where it must (before a quote, a backslash or the
closing quote), so labels without backslashes read identically in Gambit.
Gambit's own lexer mangles ``\\\\`` (it reads ``"e\\\\f"`` as three
backslashes), so a label containing a backslash next to another backslash or
a quote is not portable to Gambit; everything else is.

Not represented in the format, hence dropped by :func:`write_nfg`: a game's
metrics.  Outcome names of the outcome dialect are not kept by
:func:`read_nfg`.

Every malformed file raises :class:`~verigroup.diagnostics.SpecError` with code
``E301``, the line and column of the offending token, and a hint.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, NoReturn, Sequence

import numpy as np

from verigroup.diagnostics import SpecError, Span
from verigroup.model.game import INT64_SAFE, ExactTensor, NormalFormGame

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.model.model import Model

__all__ = ["read_nfg", "write_nfg", "model_from_nfg", "parse_nfg", "ParsedNfg", "unique_labels"]

CODE = "E301"
# Exponents beyond this are refused: 1e999999999 would be a gigabyte integer.
MAX_EXPONENT = 4000
# One table dimension per player; numpy supports at most 32 in several
# functions (as verigroup.evaluate.MAX_AGENTS for specs).
MAX_PLAYERS = 32
_FORMAT_HINT = 'a Gambit strategic-form file starts with: NFG 1 R "title" { "P1" "P2" } { 2 2 }'

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lbrace>\{)
  | (?P<rbrace>\})
  | (?P<comma>,)
  | (?P<string>"[^"\\]*(?:\\.[^"\\]*)*")
  | (?P<badstring>")
  | (?P<word>[^\s{},"]+)
    """,
    re.VERBOSE | re.DOTALL,
)
_DECIMAL_RE = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?")
_RATIONAL_RE = re.compile(r"([+-]?\d+)/(\d+)")
_UNESCAPE_RE = re.compile(r'\\(["\\])')

_KIND_TEXT = {"lbrace": "'{'", "rbrace": "'}'", "comma": "','", "string": "a quoted label",
              "word": "", "eof": "end of file"}


@dataclass(frozen=True)
class _Tok:
    kind: str  # lbrace rbrace comma string word eof
    text: str  # decoded label for strings, raw text otherwise
    start: int
    end: int

    def describe(self) -> str:
        if self.kind == "word":
            return f"'{_short(self.text)}'"
        if self.kind == "string":
            return f'the label "{_short(self.text)}"'
        return _KIND_TEXT[self.kind]


def _short(s: str, limit: int = 40) -> str:
    return s if len(s) <= limit else s[: limit - 3] + "..."


@dataclass(frozen=True)
class ParsedNfg:
    """A parsed file: the game, the file's comment string, and its dialect
    (``"payoffs"`` or ``"outcomes"``)."""

    game: NormalFormGame
    comment: str
    dialect: str


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        # tokens are lexed on demand: the fast payoff path reads the body
        # of a large file without a token object per number
        self.toks: list[_Tok] = []
        self._lexer = self._lex()
        self._lexed_all = False
        self.pos = 0

    # ---------------------------------------------------------- positions
    @functools.cached_property
    def line_starts(self) -> list[int]:  # only needed to position an error
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    def span(self, start: int, end: int | None = None) -> Span:
        line = bisect.bisect_right(self.line_starts, start)
        col = start - self.line_starts[line - 1] + 1
        if end is None or end <= start:
            return Span(self.path, line, col, line, col + 1)
        eline = bisect.bisect_right(self.line_starts, end - 1)
        ecol = end - self.line_starts[eline - 1] + 1
        return Span(self.path, line, col, eline, ecol)

    def fail(self, tok: _Tok, message: str, hint: str | None = None) -> NoReturn:
        raise SpecError.single(CODE, message, self.span(tok.start, tok.end), hint, self.text)

    # -------------------------------------------------------------- lexing
    def _lex(self) -> Iterator[_Tok]:
        text = self.text
        pos = 0
        n = len(text)
        end = 0
        while pos < n:
            m = _TOKEN_RE.match(text, pos)
            assert m is not None  # the alternatives cover every character
            kind = m.lastgroup or "ws"
            if kind == "badstring":
                raise SpecError.single(
                    CODE, "unterminated quoted label", self.span(pos, pos + 1),
                    "the closing '\"' is missing (is the file truncated?)", text)
            if kind == "string":
                yield _Tok(kind, _UNESCAPE_RE.sub(r"\1", m.group()[1:-1]), pos, m.end())
                end = m.end()
            elif kind != "ws":
                yield _Tok(kind, m.group(), pos, m.end())
                end = m.end()
            pos = m.end()
        # EOF sits just after the last token, so a caret lands on a real line.
        yield _Tok("eof", "", end, end)

    def _ensure(self, i: int) -> None:
        while len(self.toks) <= i and not self._lexed_all:
            tok = next(self._lexer)
            self.toks.append(tok)
            if tok.kind == "eof":
                self._lexed_all = True

    def _lex_all(self) -> None:
        if not self._lexed_all:
            self.toks.extend(self._lexer)
            self._lexed_all = True

    # ------------------------------------------------------------- cursor
    def peek(self) -> _Tok:
        self._ensure(self.pos)
        return self.toks[self.pos]

    def next(self) -> _Tok:
        self._ensure(self.pos)
        tok = self.toks[self.pos]
        if tok.kind != "eof":
            self.pos += 1
        return tok

    def expect(self, kind: str, what: str, hint: str | None = None) -> _Tok:
        tok = self.next()
        if tok.kind != kind:
            self.fail(tok, f"expected {what}, found {tok.describe()}", hint)
        return tok

    # ------------------------------------------------------------- numbers
    def number(self, tok: _Tok, what: str) -> Fraction:
        """The exact value of a numeric word (E301 if it is not one)."""
        if tok.kind != "word":
            self.fail(tok, f"expected {what}, found {tok.describe()}")
        s = tok.text
        shown = _short(s)
        try:
            m = _RATIONAL_RE.fullmatch(s)
            if m:
                den = int(m.group(2))
                if den == 0:
                    self.fail(tok, f"division by zero in {what} '{shown}'")
                return Fraction(int(m.group(1)), den)
            m = _DECIMAL_RE.fullmatch(s)
            if m:
                sign, mant, exp = m.groups()
                e = int(exp) if exp else 0
                if abs(e) > MAX_EXPONENT:
                    self.fail(tok, f"exponent of '{shown}' is too large", f"the limit is 1e{MAX_EXPONENT}")
                value = Fraction(mant) * Fraction(10) ** e
                return -value if sign == "-" else value
        except ValueError:  # Python's limit on digits in an int
            self.fail(tok, f"the number '{shown}' has too many digits")
        self.fail(tok, f"non-numeric {what} '{shown}'",
                  "numbers look like 3, -1/2, 0.25 or 1e3")

    def count(self, tok: _Tok, what: str) -> int:
        if tok.kind == "word" and re.fullmatch(r"\+?\d+", tok.text) and len(tok.text) < 12:
            return int(tok.text)
        self.fail(tok, f"expected {what} (a whole number), found {tok.describe()}")

    # -------------------------------------------------------------- header
    def header(self) -> tuple[str, list[str], list[list[str]] | list[int], str]:
        tok = self.next()
        if tok.kind == "eof":
            self.fail(tok, "empty game file", _FORMAT_HINT)
        if tok.kind != "word" or tok.text != "NFG":
            hint = _FORMAT_HINT
            if tok.text == "EFG":
                hint = "this is an extensive-form game: give it a .efg name"
            self.fail(tok, f"unknown header {tok.describe()}: expected 'NFG'", hint)
        tok = self.next()
        if tok.kind != "word" or tok.text != "1":
            self.fail(tok, f"unsupported NFG version {tok.describe()}", "only version 1 ('NFG 1 R') exists")
        tok = self.next()
        if tok.kind != "word" or tok.text not in ("R", "D"):
            self.fail(tok, f"unknown number type {tok.describe()}",
                      "'R' (rational) or 'D' (decimal) follows 'NFG 1'")
        title = self.expect("string", "the game title in quotes", 'e.g. NFG 1 R "my game"').text
        self.expect("lbrace", "'{' opening the list of player names")
        players: list[str] = []
        while self.peek().kind == "string":
            players.append(self.next().text)
        close = self.expect("rbrace", "a quoted player name or '}'")
        if not players:
            self.fail(close, "the game has no players", 'list the players: { "P1" "P2" }')
        if len(players) > MAX_PLAYERS:
            self.fail(close, f"the game has {len(players)} players; at most {MAX_PLAYERS} are supported",
                      "a strategic-form table has one dimension per player (numpy's limit is 32)")

        self.expect("lbrace", "'{' opening the strategy list",
                    'give strategy counts { 2 2 } or labels { { "a" "b" } { "c" "d" } }')
        strategies: list[list[str]] | list[int]
        if self.peek().kind == "lbrace":
            labels: list[list[str]] = []
            while self.peek().kind == "lbrace":
                open_ = self.next()
                if len(labels) == len(players):
                    self.fail(open_, f"more strategy lists than players ({len(players)})")
                row: list[str] = []
                while self.peek().kind == "string":
                    row.append(self.next().text)
                close = self.expect("rbrace", "a quoted strategy label or '}'")
                if not row:
                    self.fail(close, f"player {players[len(labels)]!r} has no strategies")
                labels.append(row)
            close = self.expect("rbrace", "'{' or '}' in the strategy lists")
            if len(labels) != len(players):
                self.fail(close, f"found {len(labels)} strategy lists for {len(players)} players")
            strategies = labels
        else:
            counts: list[int] = []
            while self.peek().kind != "rbrace":
                tok = self.next()
                if tok.kind == "eof":
                    self.fail(tok, "unexpected end of file in the strategy counts")
                if len(counts) == len(players):
                    self.fail(tok, f"more strategy counts than players ({len(players)})")
                k = self.count(tok, "a number of strategies")
                if k < 1:
                    self.fail(tok, f"player {players[len(counts)]!r} has no strategies")
                counts.append(k)
            close = self.next()
            if len(counts) != len(players):
                self.fail(close, f"found {len(counts)} strategy counts for {len(players)} players")
            strategies = counts
        comment = self.next().text if self.peek().kind == "string" else ""
        return title, players, strategies, comment

    # ---------------------------------------------------------------- body
    def flat_list(self, expected: int, what: str, plural: str, detail: str) -> list[_Tok]:
        """The remaining tokens, which must be exactly ``expected`` words."""
        self._lex_all()
        body = self.toks[self.pos:-1]
        eof = self.toks[-1]
        msg = f"expected {expected} {plural} ({detail}), found {len(body)}"
        for i, tok in enumerate(body):
            if i == expected:
                self.fail(tok, msg, f"the extra {plural} start here")
            if tok.kind != "word":
                self.fail(tok, f"expected a {what}, found {tok.describe()}")
        if len(body) < expected:
            self.fail(eof, msg, "the file may be truncated")
        return body

    def fast_payoffs(self, n: int, profiles: int, shape: tuple[int, ...]) -> list[ExactTensor] | None:
        """The payoff-list body read straight into exact integer arrays when
        it is exactly ``n * profiles`` integers or decimals (the common case,
        no Fraction per number); None to take the token-by-token path (which
        also positions every error)."""
        start = self.peek().start
        flat = _fast_numbers(self.text, start, n * profiles)
        if flat is None:
            return None
        values, den = flat
        out = []
        for p in range(n):
            col = values[p::n]
            g = math.gcd(den, _gcd_all(col)) if den != 1 else 1
            if g > 1:
                col = col // g
            vals = col.reshape(shape, order="F")
            if vals.dtype != object and vals.size and int(np.abs(vals).max()) > INT64_SAFE:
                vals = vals.astype(object)
            out.append(ExactTensor(np.ascontiguousarray(vals) if vals.dtype != object else vals, den // g))
        return out

    def payoff_body(self, n: int, profiles: int) -> list[list[Fraction]]:
        body = self.flat_list(n * profiles, "payoff", "payoffs", f"{n} players x {profiles} profiles")
        values = [self.number(t, "payoff") for t in body]
        return [values[p::n] for p in range(n)]

    def outcome_body(self, n: int, profiles: int) -> list[list[Fraction]]:
        self.expect("lbrace", "'{'")
        outcomes: list[tuple[Fraction, ...]] = [tuple(Fraction(0) for _ in range(n))]
        while self.peek().kind == "lbrace":
            open_ = self.next()
            self.expect("string", "the outcome's name in quotes", 'outcomes look like { "name" 1, 2 }')
            pays: list[Fraction] = []
            while True:
                tok = self.next()
                if tok.kind == "rbrace":
                    break
                if tok.kind == "comma" and pays:
                    continue
                if tok.kind == "eof":
                    self.fail(tok, "unexpected end of file inside an outcome", "the file may be truncated")
                pays.append(self.number(tok, "payoff"))
            if len(pays) != n:
                self.fail(open_, f"outcome {len(outcomes)} has {len(pays)} payoffs, expected {n} "
                          "(one per player)")
            outcomes.append(tuple(pays))
        self.expect("rbrace", "'{' opening an outcome or '}' closing the outcome list")
        body = self.flat_list(profiles, "outcome index", "outcome indices", f"one per profile of {profiles}")
        rows: list[tuple[Fraction, ...]] = []
        for tok in body:
            k = self.count(tok, "an outcome index")
            if k >= len(outcomes):
                self.fail(tok, f"outcome index {k} is out of range",
                          f"the file defines outcomes 1..{len(outcomes) - 1} (0 = no outcome)")
            rows.append(outcomes[k])
        return [[r[p] for r in rows] for p in range(n)]


_NUMERIC_CHARS = str.maketrans("", "", "0123456789+-. \t\r\n\f\v")
_FAST_DECIMAL = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?")


def _gcd_all(col: np.ndarray) -> int:
    if col.size == 0:
        return 0
    if col.dtype == object:
        g = 0
        for v in col:
            g = math.gcd(g, int(v))
            if g == 1:
                break
        return g
    return int(np.gcd.reduce(col))


def _fast_numbers(text: str, start: int, expected: int) -> tuple[np.ndarray, int] | None:
    """``expected`` integers or decimals from ``text[start:]`` as one exact
    integer array and a common denominator (a power of ten), or None when
    the body is anything else (the caller then reads it token by token)."""
    import warnings

    rest = text[start:]
    if rest.translate(_NUMERIC_CHARS):
        return None  # labels, rationals, exponents, braces: the general path
    if "." not in rest:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                arr = np.fromstring(rest, dtype=np.int64, sep=" ")  # type: ignore[call-overload]
            except (ValueError, DeprecationWarning):
                return None
        if arr.size != expected or (arr.size and (int(arr.max()) >= 2**62 or int(arr.min()) <= -2**62)):
            return None  # miscounted, or saturated: the general path reads big integers exactly
        return arr, 1
    words = rest.split()
    if len(words) != expected:
        return None
    scale = 0
    parts = []
    for w in words:
        m = _FAST_DECIMAL.fullmatch(w)
        if m is None or not (m.group(2) or m.group(3)) or len(w) > 4000:
            return None
        frac = m.group(3) or ""
        scale = max(scale, len(frac))
        parts.append((m.group(1) == "-", m.group(2) or "0", frac))
    if scale > 4000:
        return None
    ints = []
    for neg, whole, frac in parts:
        v = int(whole + frac.ljust(scale, "0"))
        ints.append(-v if neg else v)
    big = any(not -INT64_SAFE <= v <= INT64_SAFE for v in ints)
    if big:
        out = np.empty(len(ints), dtype=object)
        out[:] = ints
    else:
        out = np.asarray(ints, dtype=np.int64)
    return out, 10 ** scale


def unique_labels(labels: Sequence[str]) -> list[str]:
    """Empty -> 1-based index; duplicates -> ``label#k`` (see module doc)."""
    named = [s if s != "" else str(i + 1) for i, s in enumerate(labels)]
    used = set(named)
    seen: dict[str, int] = {}
    out: list[str] = []
    for s in named:
        seen[s] = seen.get(s, 0) + 1
        if seen[s] == 1:
            out.append(s)
            continue
        k = seen[s]
        while f"{s}#{k}" in used:
            k += 1
        seen[s] = k
        used.add(f"{s}#{k}")
        out.append(f"{s}#{k}")
    return out


def parse_nfg(text: str, path: str = "<nfg>") -> ParsedNfg:
    """Parse ``.nfg`` text; the game plus the file's comment and dialect."""
    if text.startswith("\ufeff"):
        text = " " + text[1:]  # keep columns stable
    p = _Parser(text, path)
    title, players, strategies, comment = p.header()
    sizes = [len(s) if isinstance(s, list) else s for s in strategies]
    profiles = math.prod(sizes)
    n = len(players)
    first = p.peek()
    shape = tuple(sizes)
    fast: list[ExactTensor] | None = None
    if first.kind == "lbrace":
        dialect, columns = "outcomes", p.outcome_body(n, profiles)
    elif first.kind == "word":
        dialect = "payoffs"
        fast = p.fast_payoffs(n, profiles, shape)
        columns = [] if fast is not None else p.payoff_body(n, profiles)
    elif first.kind == "eof":
        p.fail(first, "the file ends before the payoffs", "the file may be truncated")
    else:
        p.fail(first, f"expected payoffs or an outcome list, found {first.describe()}")
    actions = [
        unique_labels(s) if isinstance(s, list) else [str(i + 1) for i in range(s)]
        for s in strategies
    ]
    tensors = list(fast or [])
    for col in columns:
        arr = np.empty(profiles, dtype=object)
        arr[:] = col
        tensors.append(ExactTensor.from_fractions(arr.reshape(shape, order="F")))
    game = NormalFormGame(tuple(unique_labels(players)), tuple(tuple(a) for a in actions),
                          tuple(tensors), {}, title)
    return ParsedNfg(game, comment, dialect)


def read_nfg(text: str, path: str = "<nfg>") -> NormalFormGame:
    """Read a Gambit ``.nfg`` file (either dialect) into an exact game.

    Raises :class:`SpecError` (code E301) with the position of the offending
    token on any malformed input."""
    return parse_nfg(text, path).game


# ------------------------------------------------------------------ writing
def _quote(label: str) -> str:
    out = []
    for i, ch in enumerate(label):
        if ch == '"':
            out.append('\\"')
        elif ch == "\\" and (i + 1 == len(label) or label[i + 1] in '"\\'):
            out.append("\\\\")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _fmt(num: int, den: int) -> str:
    g = math.gcd(num, den)
    num, den = num // g, den // g
    return str(num) if den == 1 else f"{num}/{den}"


def write_nfg(game: NormalFormGame, comment: str = "") -> str:
    """The payoff-list dialect with exact rational payoffs (``p/q``).

    ``read_nfg(write_nfg(g))`` equals ``g`` exactly (names, title, payoffs)
    whenever ``g``'s labels are non-empty and unique per scope.  Metrics are
    not part of the format and are dropped."""
    players = " ".join(_quote(p) for p in game.players)
    strategies = " ".join("{ " + " ".join(_quote(a) for a in acts) + " }" for acts in game.actions)
    lines = [f"NFG 1 R {_quote(game.title)} {{ {players} }}", "", f"{{ {strategies} }}",
             _quote(comment), ""]
    order = tuple(reversed(range(game.num_players)))
    cols = []
    for t in game.payoffs:
        # Player 1 fastest == Fortran order == C order of the reversed axes.
        flat = np.transpose(t.values, order).reshape(-1)
        cols.append([_fmt(int(v), t.denominator) for v in flat])
    for row in zip(*cols):
        lines.append(" ".join(row))
    return "\n".join(lines) + "\n"


# -------------------------------------------------------------------- model
def model_from_nfg(text: str, path: str = "<nfg>") -> "Model":
    """A :class:`~verigroup.model.model.Model` for an ``.nfg`` file.

    Each player becomes a single agent (``family`` = its name, ``index``
    None, the file's strategy labels as actions).  A payoff table has no
    payoff *expressions*, so every ``Agent.payoff`` is the placeholder
    ``Num(0)``; the real payoffs are the materialised game, stored in
    ``model._cache["game"]`` so that ``model.game()`` returns the file's game.
    Consumers that read payoff expressions (the Z3 backend) must first check
    ``model._cache.get("game")`` and use the table when it is present.

    ``name`` is the file's title, or the file stem when the title is empty;
    ``description`` is the file's comment; ``source`` is the text (so the
    spec hash covers the file); there are no parameters, metrics or
    properties."""
    from verigroup.model.expr import Num
    from verigroup.model.model import Agent, Model

    parsed = parse_nfg(text, path)
    game = parsed.game
    agents = tuple(
        Agent(name=name, family=name, index=None, actions=acts, payoff=Num(Fraction(0)))
        for name, acts in zip(game.players, game.actions)
    )
    name = game.title or Path(path).stem
    model = Model(name=name, description=parsed.comment, params={}, agents=agents,
                  metrics={}, source=text, path=path)
    model._cache["game"] = game
    return model
