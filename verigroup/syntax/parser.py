"""Spec text -> AST: the lark LALR parser, the layout rule, and the
conversion of parse trees into :mod:`verigroup.syntax.ast` nodes.

Every failure is a :class:`~verigroup.diagnostics.SpecError` with a span;
syntax errors are explained in words (:mod:`verigroup.syntax.errors`).
"""

from __future__ import annotations

import functools
import os
from fractions import Fraction
from importlib import resources
from typing import Any, Iterator, Literal

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from verigroup.diagnostics import Diagnostic, SpecError, Span
from verigroup.syntax import ast as A
from verigroup.syntax.errors import LIMIT_BYTES, LIMIT_DEPTH, explain_characters, explain_token, span_of_token

# Keywords that start a statement at column 1.  Add new top-level keywords
# here and as an alternative of `?statement` in the grammar.
STATEMENT_KEYWORDS = ("GAME", "PARAM", "AGENT", "AGENTS", "PAYOFF", "METRIC", "PROFILE", "PROPERTY",
                      "STATE", "PROTOCOL",
                      "LET", "PAYOFFS",  # language v2 (issue 8)
                      "TYPES", "INCENTIVE",  # mechanisms (issue 10)
                      "ANONYMOUS",  # populations (issue 9)
                      "ELECTION",  # elections (issue 11)
                      "CURVE")  # curves (issue 14)

_OPEN = {"LPAR": "RPAR", "LSQB": "RSQB", "LBRACE": "RBRACE"}
_CLOSE = {v: k for k, v in _OPEN.items()}
_TEXT = {"LPAR": "(", "RPAR": ")", "LSQB": "[", "RSQB": "]", "LBRACE": "{", "RBRACE": "}"}


class _Layout:
    """Postlexer: newline handling and bracket/depth checks.

    A raw ``_NL`` token becomes a statement separator only when the next
    token starts at column 1 outside brackets; it is placed at the end of the
    previous token so "statement ends too early" errors point there."""

    always_accept = ("_NL",)

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.stack: list[Token] = []
        self.tokens: list[Token] = []  # tokens of the current statement

    def _err(self, code: str, msg: str, tok: Token, hint: str | None = None) -> SpecError:
        return SpecError([Diagnostic(code, msg, span_of_token(self.path, tok), hint)], self.text)

    def _unclosed(self, opener: Token, where: str) -> SpecError:
        want = _TEXT[_OPEN[opener.type]]
        return self._err(
            "E002" if where == "end" else "E001",
            f"unclosed '{opener.value}': no matching '{want}' before the "
            + ("end of the file" if where == "end" else "next statement"),
            opener, hint=f"add '{want}' to close it",
        )

    def _synth(self, kind: str, at: Token) -> Token:
        return Token(kind, "", start_pos=at.start_pos, line=at.line, column=at.column,
                     end_line=at.line, end_column=at.column, end_pos=at.start_pos)

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        last: Token | None = None
        # Inside a `protocol:` statement the line structure matters: the
        # indentation columns of the open blocks (empty outside a protocol).
        in_protocol = False
        indents: list[int] = []
        for tok in stream:
            if tok.type == "_NL":
                continue
            if tok.column == 1 and last is not None:
                if self.stack:
                    if tok.type in STATEMENT_KEYWORDS:
                        raise self._unclosed(self.stack[-1], "stmt")
                else:
                    for _ in indents:
                        yield self._synth("_DEDENT", tok)
                    indents = []
                    end_column = last.end_column
                    assert end_column is not None, "lexer tokens carry end positions"
                    nl = Token("_NL", "\n", start_pos=last.end_pos, line=last.end_line,
                               column=end_column, end_line=last.end_line,
                               end_column=end_column + 1, end_pos=last.end_pos)
                    self.tokens = []
                    yield nl
            if tok.column == 1:
                in_protocol = tok.type == "PROTOCOL"
            elif (in_protocol and not self.stack and last is not None
                  and (tok.line or 0) > (last.end_line or 0)):
                # a new line inside the protocol block
                col: int = tok.column or 1
                if not indents or col > indents[-1]:
                    indents.append(col)
                    yield self._synth("_INDENT", tok)
                else:
                    while indents and col < indents[-1]:
                        indents.pop()
                        yield self._synth("_DEDENT", tok)
                    if not indents or col != indents[-1]:
                        raise self._err("E001", "this line's indentation matches no enclosing block", tok,
                                        hint="indent the stages of one block by the same amount")
                    yield self._synth("_SNL", tok)
            if tok.type in _OPEN:
                self.stack.append(tok)
                if len(self.stack) > LIMIT_DEPTH:
                    raise self._err("E007", f"brackets nested more than {LIMIT_DEPTH} deep", tok,
                                    hint="simplify the expression or split it into metrics")
            elif tok.type in _CLOSE:
                if not self.stack:
                    raise self._err("E001", f"unmatched '{tok.value}'", tok,
                                    hint="remove it, or add the opening bracket it closes")
                opener = self.stack.pop()
                if _OPEN[opener.type] != tok.type:
                    raise self._err(
                        "E001",
                        f"'{tok.value}' does not match the '{opener.value}' opened at line "
                        f"{opener.line}, column {opener.column}",
                        tok, hint=f"close it with '{_TEXT[_OPEN[opener.type]]}'",
                    )
            last = tok
            yield tok
            self.tokens.append(tok)
        if self.stack:
            raise self._unclosed(self.stack[-1], "end")
        if last is not None:
            for _ in indents:
                yield self._synth("_DEDENT", last)


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("verigroup.grammar").joinpath("verigroup.lark").read_text("utf-8")
    options: dict[str, Any] = dict(parser="lalr", lexer="basic", propagate_positions=True,
                                   maybe_placeholders=False, keep_all_tokens=False)
    cache = _cache_file(grammar)
    if cache is not None:
        try:
            return Lark(grammar, cache=cache, **options)
        except Exception:  # an unreadable or stale cache costs time, never correctness
            try:
                os.unlink(cache)
            except OSError:
                pass
    return Lark(grammar, **options)


def _cache_file(grammar: str) -> str | None:
    """The parse tables are cached (lark's ``cache=``) in the user's own
    cache directory, never in a shared temporary directory: lark caches are
    pickles, and a pickle planted by another user must never be loaded.
    The name carries a hash of the grammar and of lark's version, so an
    edited grammar or an upgraded lark builds fresh tables.  ``VERIGROUP_
    NO_PARSER_CACHE=1`` turns it off."""
    import hashlib

    import lark

    if os.environ.get("VERIGROUP_NO_PARSER_CACHE"):
        return None
    base = os.environ.get("VERIGROUP_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "verigroup")
    key = hashlib.sha256((grammar + "\0" + lark.__version__).encode()).hexdigest()[:24]
    try:
        os.makedirs(base, mode=0o700, exist_ok=True)
        st = os.stat(base)
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            return None  # not ours: do not trust it
    except OSError:
        return None
    return os.path.join(base, f"parser-{key}.lark")


def _meaningful(text: str) -> bool:
    for line in text.splitlines():
        s = line.strip()
        if s and not s.startswith("#"):
            return True
    return False


def parse_spec(text: str, path: str = "<spec>") -> A.Spec:
    """Parse spec text into a :class:`~verigroup.syntax.ast.Spec`."""
    if len(text.encode("utf-8", "surrogatepass")) > LIMIT_BYTES:
        raise SpecError.single("E007", f"specification is larger than {LIMIT_BYTES} bytes",
                               Span(path, 1, 1), source=text)
    if not _meaningful(text):
        raise SpecError.single("E006", "the specification is empty (only blank lines or comments)",
                               Span(path, 1, 1), hint="start with `game NAME`, then declare agents and payoffs",
                               source=text)
    lark = _lark()
    layout = _Layout(path, text)
    try:
        # Lark's postlex hook is the parser's; a fresh Layout per call keeps
        # state local (the parser object itself stays cached and shared).
        interactive = lark.parse_interactive(text)
        tree = _drive(lark, interactive, layout, text)
    except SpecError as exc:
        raise _with_source(exc, text) from None
    except UnexpectedCharacters as exc:
        raise SpecError([explain_characters(exc, text, path)], text) from None
    except UnexpectedToken as exc:
        raise SpecError([explain_token(exc, text, path, layout.tokens)], text) from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark errors
        raise SpecError.single("E001", "syntax error", Span(path, getattr(exc, "line", 1) or 1,
                                                            getattr(exc, "column", 1) or 1), source=text) from None
    try:
        return _Convert(path).spec(tree, text)
    except SpecError as exc:
        raise _with_source(exc, text) from None
    except VisitError as exc:  # pragma: no cover - we do not use Transformers
        if isinstance(exc.orig_exc, SpecError):
            raise _with_source(exc.orig_exc, text) from None
        raise


def _with_source(exc: SpecError, text: str) -> SpecError:
    """The error with the spec text attached, so every diagnostic the
    converter raises shows its source line and caret."""
    return exc if exc.source is not None else SpecError(exc.diagnostics, text)


def _drive(lark: Lark, ip: Any, layout: _Layout, text: str) -> Tree:
    """Feed the layout-processed token stream to the interactive parser."""
    raw = lark.lex(text, dont_ignore=False)
    ops = 0  # hostile input (issue 15): operators in the current statement, refused early
    for tok in layout.process(raw):
        if tok.type in STATEMENT_KEYWORDS:
            ops = 0
        elif tok.type in _CHAIN_OPERATORS:
            ops += 1
            if ops > MAX_STATEMENT_OPERATORS:
                raise SpecError.single(
                    "E007", f"a statement with more than {MAX_STATEMENT_OPERATORS:,} operators",
                    span_of_token(layout.path, tok), "split it into metrics, or use an aggregate: sum(i in 1..n: ...)",
                    source=text)
        ip.feed_token(tok)
    return ip.feed_eof(layout.tokens[-1] if layout.tokens else None)  # type: ignore[no-any-return]


# Refused while lexing, before the parse of a huge expression (whose depth
# would be refused only after it was built).
MAX_STATEMENT_OPERATORS = 10_000
_CHAIN_OPERATORS = frozenset({"PLUS", "MINUS", "STAR", "SLASH", "CARET", "STARSTAR", "EQEQ", "NOTEQ", "LE", "GE",
                              "LT", "GT", "AND", "OR", "IF", "ELSE"})


# ------------------------------------------------------------ tree -> AST

_ConceptName = Literal["pure_nash", "mixed_nash", "correlated", "coarse_correlated", "spe"]

_CONCEPT: dict[str, _ConceptName] = {
    "NASH": "pure_nash", "PURE": "pure_nash", "MIXED": "mixed_nash",
    "CORRELATED": "correlated", "COARSE_CORRELATED": "coarse_correlated", "SPE": "spe"}


def _token(node: Any, rule: str) -> Token:
    """``node`` as a Token; the grammar rule ``rule`` puts a terminal there."""
    assert isinstance(node, Token), f"grammar rule `{rule}` has a terminal here, got {node!r}"
    return node


def _quantifier(tok: Token) -> Literal["every", "some"]:
    """The keyword of ``for (every | some) <concept>``."""
    if tok.type == "EVERY":
        return "every"
    assert tok.type == "SOME", f"grammar allows only EVERY | SOME here, got {tok.type}"
    return "some"


MAX_LITERAL_DIGITS = 4000  # hostile input (issue 15): longer literals are E007


def _num(text: str) -> Fraction:
    return Fraction(text)  # exact: Fraction("0.1") == 1/10


class _Convert:
    """Recursive conversion; depth is bounded by the checks in ``spec``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def sp(self, node: Tree | Token) -> Span:
        if isinstance(node, Token):
            return span_of_token(self.path, node)
        m = node.meta
        if getattr(m, "empty", True):
            return Span(self.path)
        return Span(self.path, m.line, m.column, m.end_line, m.end_column)

    def join(self, a: Span, b: Span) -> Span:
        return Span(self.path, a.line, a.column, b.end_line, b.end_column)

    def spec(self, tree: Tree, text: str) -> A.Spec:
        _check_depth(tree, self.path, text)
        stmts = tuple(self.statement(t) for t in tree.children if isinstance(t, Tree))
        return A.Spec(stmts, self.path, text)

    # ---------------------------------------------------------- statements
    def statement(self, t: Tree) -> Any:
        return getattr(self, "s_" + str(t.data))(t, [c for c in t.children])

    def s_game_decl(self, t: Tree, c: list[Any]) -> A.GameDecl:
        desc = c[2][1:-1] if len(c) > 2 else ""
        return A.GameDecl(str(c[1]), desc, self.sp(t))

    def s_anonymous_decl(self, t: Tree, c: list[Any]) -> A.AnonymousDecl:  # ---- populations (issue 9)
        names = [x for x in c[1:] if isinstance(x, Token) and x.type == "NAME"]
        return A.AnonymousDecl(tuple(str(x) for x in names), tuple(self.sp(x) for x in names), self.sp(t))

    def s_param_decl(self, t: Tree, c: list[Any]) -> A.ParamDecl:
        return A.ParamDecl(str(c[1]), self.expr(c[3]), self.sp(t), self.sp(c[1]))

    def s_agents_decl(self, t: Tree, c: list[Any]) -> A.AgentsDecl:
        heads = []
        i = 1
        while i < len(c) and isinstance(c[i], Tree) and c[i].data == "agent_head":
            h = c[i].children
            if len(h) > 1:
                heads.append(A.AgentHead(str(h[0]), self.expr(h[2]), self.expr(h[4]), self.sp(c[i])))
            else:
                heads.append(A.AgentHead(str(h[0]), None, None, self.sp(c[i])))
            i += 2  # skip COMMA / COLON
        items = [x.children for x in c[i:] if isinstance(x, Tree) and x.data == "action_item"]
        actions = tuple((str(it[0]), self.sp(it[0])) for it in items)
        values = tuple(self.expr(it[2]) if len(it) > 2 else None for it in items)
        if all(v is None for v in values):
            values = ()
        return A.AgentsDecl(tuple(heads), actions, self.sp(t), values)

    # ---- language v2 (issue 8): local definitions and payoff tables
    def s_let_decl(self, t: Tree, c: list[Any]) -> A.LetDecl:
        params = tuple((str(x), self.sp(x)) for x in c[2:-2] if isinstance(x, Token) and x.type == "NAME")
        return A.LetDecl(str(c[1]), params if len(c) > 4 else None, self.expr(c[-1]), self.sp(t),
                         self.sp(c[1]))

    # ---- mechanisms (issue 10)
    def s_types_decl(self, t: Tree, c: list[Any]) -> A.TypesDecl:
        items = tuple((str(x.children[0]), self.expr(x.children[1]), self.sp(x))
                      for x in c[6:] if isinstance(x, Tree))
        return A.TypesDecl(str(c[1]), str(c[3]), items, self.sp(t), self.sp(c[1]), self.sp(c[3]))

    def s_synthesize_decl(self, t: Tree, c: list[Any]) -> A.SynthesizeDecl:
        goal_tok = c[3].children[0]
        prof = c[4]
        profile: str | A.Expr = str(prof) if isinstance(prof, Token) else self.expr(prof)
        args = tuple((str(x.children[0]), self.expr(x.children[2]) if len(x.children) > 2 else None,
                      self.sp(x)) for x in c[7:] if isinstance(x, Tree))
        return A.SynthesizeDecl(str(c[1])[1:-1], str(goal_tok), profile, str(c[6]), args, self.sp(t),
                                self.sp(goal_tok), self.sp(prof), self.sp(c[6]))

    # ---- elections (issue 11)
    # ---- curves (issue 14)
    def s_curve_decl(self, t: Tree, c: list[Any]) -> A.CurveDecl:
        # CURVE STRING NAME(over) NAME IN sum DOTDOT sum [NAME(step) sum] COLON item, ... [NAME(require) expr]
        def word(tok: Any, want: str) -> None:
            if str(tok) != want:
                raise SpecError.single("E001", f"expected `{want}`, got `{tok}`", self.sp(tok),
                                       'curve "NAME" over PARAM in LO..HI [step S]: NAME = TERM, ... [require COND]')
        word(c[2], "over")
        colon = next(k for k, x in enumerate(c) if isinstance(x, Token) and x.type == "COLON")
        step = None
        if colon == 10:
            word(c[8], "step")
            step = self.expr(c[9])
        rest = c[colon + 1:]
        require = None
        if len(rest) >= 2 and isinstance(rest[-2], Token) and rest[-2].type == "NAME":
            word(rest[-2], "require")
            require = self.expr(rest[-1])
            rest = rest[:-2]
        series = tuple((str(it.children[0]), self.expr(it.children[2]), self.sp(it))
                       for it in rest if isinstance(it, Tree))
        lo, hi = self.expr(c[5]), self.expr(c[7])
        return A.CurveDecl(str(c[1])[1:-1], str(c[3]), lo, hi, step, series, require, self.sp(t), self.sp(c[3]),
                           self.join(lo.span, hi.span))

    def s_election_decl(self, t: Tree, c: list[Any]) -> A.ElectionDecl:
        desc = next((str(x)[1:-1] for x in c if isinstance(x, Token) and x.type == "STRING"), "")
        items = []
        for it in c:
            if not (isinstance(it, Tree) and it.data == "el_item"):
                continue
            ch = it.children
            head = ch[0]
            assert isinstance(head, Token)
            vals = [x for x in ch[1:] if isinstance(x, Tree) or (isinstance(x, Token) and x.type == "NAME")]
            texts = tuple("-".join(str(v) for v in x.children if isinstance(v, Token) and v.type != "MINUS")
                          if isinstance(x, Tree) else str(x) for x in vals)
            spans = tuple(self.sp(x) for x in vals)
            if any(isinstance(x, Token) and x.type == "EQUAL" for x in ch) and \
                    not any(isinstance(x, Token) and x.type == "COLON" for x in ch):   # `score x = EXPR` (SOCIAL3)
                items.append(A.ElectionItem(str(head), (str(ch[1]),), (self.sp(ch[1]),), None, "", self.sp(it),
                                            self.expr(ch[3])))
            elif head.type == "PROPERTY":
                label = str(ch[1])[1:-1]
                items.append(A.ElectionItem("property", texts, spans, None, label, self.sp(it)))
            elif any(isinstance(x, Token) and x.type == "COLON" for x in ch):
                num = next((int(str(x)) if str(x).isdigit() else -1 for x in ch[1:2]
                            if isinstance(x, Token) and x.type == "NUMBER"), None)
                seps = tuple(str(x) for x in ch if isinstance(x, Token) and x.type in ("GT", "EQUAL", "COMMA"))
                items.append(A.ElectionItem(str(head), texts, spans, num, "", self.sp(it), seps=seps))
            else:
                items.append(A.ElectionItem(str(head), texts, spans, None, "", self.sp(it)))
        return A.ElectionDecl(str(c[1]), desc, tuple(items), self.sp(t), self.sp(c[1]))

    def s_incentive_decl(self, t: Tree, c: list[Any]) -> A.IncentiveDecl:
        args = tuple((str(x.children[0]), self.expr(x.children[2]) if len(x.children) > 2 else None,
                      self.sp(x)) for x in c[4:] if isinstance(x, Tree))
        return A.IncentiveDecl(str(c[1])[1:-1], str(c[3]), args, self.sp(t), self.sp(c[3]))

    def s_table_decl(self, t: Tree, c: list[Any]) -> A.PayoffTable:
        agents = tuple((str(x), self.sp(x)) for x in c[1:] if isinstance(x, Token) and x.type == "NAME")
        rows = []
        for r in c:
            if not (isinstance(r, Tree) and r.data == "table_row"):
                continue
            rc = r.children
            keys = tuple(str(x) for x in rc if isinstance(x, Token) and x.type == "NAME")
            cells = tuple((tuple(self.expr(v) for v in x.children if not isinstance(v, Token)), self.sp(x))
                          for x in rc if isinstance(x, Tree))
            rows.append((keys, self.sp(rc[0]), cells))
        return A.PayoffTable(agents, tuple(rows), self.sp(t))

    def s_payoff_decl(self, t: Tree, c: list[Any]) -> A.PayoffDecl:
        name = c[1]
        if len(c) == 7:
            idx = self.expr(c[3])
            return A.PayoffDecl(str(name), idx, self.expr(c[6]), self.sp(t), self.join(self.sp(name), self.sp(c[4])))
        return A.PayoffDecl(str(name), None, self.expr(c[3]), self.sp(t), self.sp(name))

    def s_metric_decl(self, t: Tree, c: list[Any]) -> A.MetricDecl:
        name = c[1]
        if len(c) == 7:
            return A.MetricDecl(str(name), str(c[3]), self.expr(c[6]), self.sp(t), self.sp(name), self.sp(c[3]))
        return A.MetricDecl(str(name), None, self.expr(c[3]), self.sp(t), self.sp(name))

    def s_profile_decl(self, t: Tree, c: list[Any]) -> A.ProfileDecl:
        return A.ProfileDecl(str(c[1]), self.expr(c[3]), self.sp(t), self.sp(c[1]))

    def s_property_decl(self, t: Tree, c: list[Any]) -> A.PropertyDecl:
        name = str(c[1])[1:-1]
        body_tree: Tree = c[3]
        bc = list(body_tree.children)
        region = None
        if bc and isinstance(bc[-1], Tree) and bc[-1].data == "region":
            r = bc.pop().children
            region = A.Region(str(r[1]), self.expr(r[4]), self.expr(r[6]), self.sp(body_tree.children[-1]))
        elif bc and isinstance(bc[-1], Tree) and bc[-1].data == "size_region":  # ---- populations (issue 9)
            rt = bc.pop()
            r = rt.children
            word = r[1] if len(r) == 5 else None
            lo_e = self.expr(r[-1])
            region = A.SizeRegion(str(r[-3]), lo_e, lo_e, self.sp(rt),
                                  str(word) if word is not None else None,
                                  self.sp(word) if word is not None else Span(self.path))
        bspan = self.sp(body_tree)
        kind = body_tree.data
        body: A.PropBody
        assert kind == "p_term", f"unexpected property body {kind}"
        expr = self.expr(bc.pop(0))
        is_spe = False
        if bc and isinstance(bc[0], Token) and bc[0].type == "IS":
            bc = bc[2:]
            is_spe = True
        forall = None
        fspan = Span(self.path)
        if bc and isinstance(bc[0], Tree) and bc[0].data == "forall":
            forall = str(bc[0].children[2])
            fspan = self.sp(bc[0])
        body = self.prop_body(expr, forall, bspan, fspan, is_spe)
        return A.PropertyDecl(name, body, region, self.sp(t))

    def prop_body(self, expr: A.Expr, forall: str | None, bspan: Span, fspan: Span,
                  is_spe: bool) -> A.PropBody:
        """A whole property's body: a single property form keeps its own
        node (PNash, PQuant, ...); anything else is a PTerm, which the
        resolver reads as a claim, a property function or a combination."""
        if isinstance(expr, A.EProp):
            inner = expr.body
            if isinstance(inner, A.PTerm):
                return A.PTerm(inner.expr, inner.strength, forall, bspan, fspan, is_spe)
            if forall is None and not is_spe:
                return inner
        return A.PTerm(expr, None, forall, bspan, fspan, is_spe)

    # ---- property algebra (issue 8): property forms inside expressions
    def e_p_nash(self, t: Tree, c: list[Any]) -> A.Expr:
        return A.EProp(A.PNash(self.profile_ref(c[1]), self.sp(t)), self.sp(t))

    def e_p_exists(self, t: Tree, c: list[Any]) -> A.Expr:
        unique = _token(c[0], "p_exists").type == "UNIQUE"
        return A.EProp(A.PExists(unique, self.concept(c[1]), self.sp(t)), self.sp(t))

    def e_p_quant(self, t: Tree, c: list[Any]) -> A.Expr:
        body = A.PQuant(_quantifier(_token(c[1], "p_quant")), self.concept(c[2]), str(c[3]),
                        self.expr(c[5]), self.sp(t), self.sp(c[3]))
        return A.EProp(body, self.sp(t))

    def e_p_play(self, t: Tree, c: list[Any]) -> A.Expr:
        body = A.PPlay(str(c[1]), self.concept(c[2]), str(c[4].children[0]),  # type: ignore[arg-type]
                       self.expr(c[5]), self.sp(t))
        return A.EProp(body, self.sp(t))

    def e_p_enforce(self, t: Tree, c: list[Any]) -> A.Expr:
        co = c[0].children
        if len(co) == 1:
            agents: tuple[A.Expr, ...] = (A.EName(str(co[0]), self.sp(co[0])),)
        else:
            agents = tuple(self.expr(x) for x in co[2:-1] if not (isinstance(x, Token) and x.type == "COMMA"))
        can_tok = _token(c[1], "p_enforce")
        body = A.PEnforce(agents, can_tok.type == "CAN", str(c[3].children[0]),  # type: ignore[arg-type]
                          self.expr(c[4]), self.sp(t))
        return A.EProp(body, self.sp(t))

    def e_p_strength(self, t: Tree, c: list[Any]) -> A.Expr:
        strength = str(_token(c[0], "p_strength"))
        call = self.e_call(t, c[1:])
        assert isinstance(call, A.ECall)
        call = A.ECall(call.fn, call.args, self.join(self.sp(c[1]), self.sp(t)), call.fn_span)
        return A.EProp(A.PTerm(call, strength, None, self.sp(t)), self.sp(t))  # type: ignore[arg-type]

    def e_implies(self, t: Tree, c: list[Any]) -> A.Expr:
        left, right = self.expr(c[0]), self.expr(c[2])
        return A.EBinary("implies", left, right, self.join(left.span, right.span), self.sp(c[1]))

    # ---------------------------------------------------------- protocols
    def s_state_decl(self, t: Tree, c: list[Any]) -> A.StateDecl:
        return A.StateDecl(str(c[1]), self.expr(c[3]), self.sp(t), self.sp(c[1]))

    def s_protocol_decl(self, t: Tree, c: list[Any]) -> A.ProtocolDecl:
        stages = next(x for x in c if isinstance(x, Tree) and x.data == "stages")
        return A.ProtocolDecl(self.stages(stages), self.sp(t))

    def stages(self, t: Tree) -> tuple[A.Stage, ...]:
        return tuple(self.stage(x) for x in t.children if isinstance(x, Tree))

    def stage(self, t: Tree) -> A.Stage:
        return getattr(self, "st_" + str(t.data))(t, list(t.children))  # type: ignore[no-any-return]

    def st_state_decl(self, t: Tree, c: list[Any]) -> A.StateDecl:
        return self.s_state_decl(t, c)

    def st_update_stage(self, t: Tree, c: list[Any]) -> A.UpdateStage:
        return A.UpdateStage(str(c[1]), self.expr(c[3]), self.sp(t), self.sp(c[1]))

    def st_stop_stage(self, t: Tree, c: list[Any]) -> A.StopStage:
        return A.StopStage(self.expr(c[2]), self.sp(t))

    def stage_ref(self, t: Tree) -> A.StageRef:
        ch = t.children
        return A.StageRef(str(ch[0]), self.expr(ch[2]) if len(ch) > 1 else None, self.sp(t))

    def _cond(self, c: list[Any]) -> A.Expr | None:
        for x in c:
            if isinstance(x, Tree) and x.data == "stage_cond":
                return self.expr(x.children[1])
        return None

    def _label_agent(self, c: list[Any]) -> tuple[str | None, int, str, A.Expr | None]:
        """A stage's optional label, the index of its agent child, the agent
        and its family index (shared by move and verification stages)."""
        label = None
        k = 0
        if isinstance(c[0], Tree) and c[0].data == "stage_label":
            label = str(c[0].children[0])
            k = 1
        ag = c[k].children
        return label, k, str(ag[0]), (self.expr(ag[2]) if len(ag) > 1 else None)

    def st_move_stage(self, t: Tree, c: list[Any]) -> A.MoveStage:
        label, k, agent, index = self._label_agent(c)
        vc = c[k + 1].children
        verb_tok = vc[0]
        verb = {"CHOOSES": "chooses", "COMMITS": "commits", "SAYS": "says"}[verb_tok.type]
        actions: list[tuple[str, Span]] = []
        receivers: list[A.StageRef] | None = None
        values: list[tuple[str, A.Expr]] = []  # ---- LANG3 (issue 8): valued moves
        for x in vc[1:]:
            if isinstance(x, Tree) and x.data == "valued_move":
                actions.append((str(x.children[0]), self.sp(x.children[0])))
                values.append((str(x.children[0]), self.expr(x.children[2])))
            if isinstance(x, Token) and x.type == "NAME" and receivers is None:
                actions.append((str(x), self.sp(x)))
            elif isinstance(x, Token) and x.type == "TO" and verb == "says":
                receivers = []
            elif isinstance(x, Tree) and x.data == "stage_ref" and receivers is not None:
                receivers.append(self.stage_ref(x))
        sees: None | str | tuple[A.StageRef, ...] = None
        sees_span = Span(self.path)
        for x in c[k + 2:]:
            if isinstance(x, Tree) and x.data == "sees":
                sees_span = self.sp(x)
                sc = x.children
                if isinstance(sc[1], Token):
                    sees = "nothing" if sc[1].type == "NOTHING" else "all"
                else:
                    sees = tuple(self.stage_ref(y) for y in sc[1:] if isinstance(y, Tree))
        return A.MoveStage(label, agent, index, verb, tuple(actions), sees,  # type: ignore[arg-type]
                           None if receivers is None else tuple(receivers), self._cond(c[k + 2:]),
                           self.sp(t), self.sp(c[k]), sees_span, tuple(values))

    # ---- verification stage (issue 14)
    def st_verify_stage(self, t: Tree, c: list[Any]) -> A.VerifyStage:
        label, k, agent, index = self._label_agent(c)
        targets: list[A.StageRef] = []
        options: list[tuple[str, A.Expr, Span]] = []
        sees: None | str | tuple[A.StageRef, ...] = None
        for x in c[k + 1:]:
            if isinstance(x, Tree) and x.data == "stage_ref":
                targets.append(self.stage_ref(x))
            elif isinstance(x, Tree) and x.data == "verify_opt":
                options.append((str(x.children[0]), self.expr(x.children[1]), self.sp(x.children[0])))
            elif isinstance(x, Tree) and x.data == "sees":
                sc = x.children
                if isinstance(sc[1], Token):
                    sees = "nothing" if sc[1].type == "NOTHING" else "all"
                else:
                    sees = tuple(self.stage_ref(y) for y in sc[1:] if isinstance(y, Tree))
        return A.VerifyStage(label, agent, index, tuple(targets), tuple(options), sees, self._cond(c[k + 1:]),
                             self.sp(t), self.sp(c[k]))

    def st_chance_stage(self, t: Tree, c: list[Any]) -> A.ChanceStage:
        outs = []
        for x in c:
            if isinstance(x, Tree) and x.data == "outcome":
                outs.append((str(x.children[0]), self.expr(x.children[1]), self.sp(x)))
        return A.ChanceStage(str(c[1]), tuple(outs), self._cond(c), self.sp(t), self.sp(c[1]))

    def st_repeat_stage(self, t: Tree, c: list[Any]) -> A.RepeatBlock:
        rounds = discount = None
        head_end = c[0]
        k = 1
        if isinstance(c[1], Token) and c[1].type == "FOREVER":
            k = 2
        else:
            rounds = self.expr(c[1])
            k = 3
        if isinstance(c[k], Token) and c[k].type == "DISCOUNT":
            discount = self.expr(c[k + 1])
            k += 2
        head_end = c[k]  # the ':'
        body = next(x for x in c if isinstance(x, Tree) and x.data == "stages")
        head = self.join(self.sp(c[0]), self.sp(head_end))
        return A.RepeatBlock(rounds, discount, self.stages(body), self.sp(t), head)

    def profile_ref(self, t: Any) -> A.Expr:
        if isinstance(t, Tree) and t.data == "profile_name":
            tok = t.children[0]
            return A.EName(str(tok), self.sp(tok))
        return self.expr(t)

    def concept(self, t: Tree) -> A.EConcept:
        return A.EConcept(_CONCEPT[_token(t.children[0], "concept").type], self.sp(t))

    # ---------------------------------------------------------- expressions
    def expr(self, t: Any) -> A.Expr:
        if isinstance(t, Token):  # pragma: no cover - every atom is a Tree
            raise SpecError.single("E001", f"unexpected {t!s}", self.sp(t))
        return getattr(self, "e_" + str(t.data))(t, t.children)  # type: ignore[no-any-return]

    def e_number(self, t: Tree, c: list[Any]) -> A.Expr:
        # ---- hostile input (issue 15, SOUND): a literal's size is bounded
        text = str(c[0])
        if len(text) > MAX_LITERAL_DIGITS:
            raise SpecError.single("E007", f"a number literal of {len(text):,} digits (the limit is "
                                   f"{MAX_LITERAL_DIGITS:,})", self.sp(t), "write large numbers as powers, e.g. 10^30")
        return A.ENum(_num(text), text, self.sp(t))

    def e_true(self, t: Tree, c: list[Any]) -> A.Expr:
        return A.EBool(True, self.sp(t))

    def e_false(self, t: Tree, c: list[Any]) -> A.Expr:
        return A.EBool(False, self.sp(t))

    def e_name(self, t: Tree, c: list[Any]) -> A.Expr:
        return A.EName(str(c[0]), self.sp(t))

    def e_indexed(self, t: Tree, c: list[Any]) -> A.Expr:
        return A.EIndex(str(c[0]), self.expr(c[2]), self.sp(t))

    def e_paren(self, t: Tree, c: list[Any]) -> A.Expr:
        return self.expr(c[1])

    def _chain(self, t: Tree, c: list[Any]) -> A.Expr:
        left = self.expr(c[0])
        for k in range(1, len(c), 2):
            op_node = c[k]
            op_tok = op_node.children[0] if isinstance(op_node, Tree) else op_node
            right = self.expr(c[k + 1])
            op = str(op_tok)
            if op == "**":
                op = "^"
            left = A.EBinary(op, left, right, self.join(left.span, right.span), self.sp(op_tok))
        return left

    e_or_expr = e_and_expr = e_comparison = e_sum = e_term = e_power = _chain

    def e_not_(self, t: Tree, c: list[Any]) -> A.Expr:
        return A.EUnary("not", self.expr(c[1]), self.sp(t))

    def e_unary(self, t: Tree, c: list[Any]) -> A.Expr:
        op = str(c[0].children[0])
        return A.EUnary(op, self.expr(c[1]), self.sp(t))  # type: ignore[arg-type]

    def e_ifelse(self, t: Tree, c: list[Any]) -> A.Expr:
        return A.ECond(self.expr(c[0]), self.expr(c[2]), self.expr(c[4]), self.sp(t))

    def e_concept(self, t: Tree, c: list[Any]) -> A.Expr:
        return self.concept(t)

    def e_dict(self, t: Tree, c: list[Any]) -> A.Expr:
        entries = []
        for e in c:
            if isinstance(e, Tree):
                ec = e.children
                if len(ec) == 6:
                    entries.append(A.EEntry(str(ec[0]), self.expr(ec[2]), self.expr(ec[5]), self.sp(e)))
                else:
                    entries.append(A.EEntry(str(ec[0]), None, self.expr(ec[2]), self.sp(e)))
        return A.EDict(tuple(entries), self.sp(t))

    def e_all_profile(self, t: Tree, c: list[Any]) -> A.Expr:
        return A.EAllProfile(str(c[1]), self.sp(t), self.sp(c[1]))

    # ---- language v2 (issue 8, LANG3): `profile best = argmax(welfare)` is a call node
    def e_profile_opt(self, t: Tree, c: list[Any]) -> A.Expr:
        return A.ECall(str(c[0]), (A.EName(str(c[2]), self.sp(c[2])),), self.sp(t), self.sp(c[0]))

    def e_kwarg(self, t: Tree, c: list[Any]) -> A.Expr:
        return A.EKwarg(str(c[0]), self.expr(c[2]), self.sp(t))

    def e_call(self, t: Tree, c: list[Any]) -> A.Expr:
        fn_tok = c[0].children[0]
        args = tuple(self.expr(a) for a in c[2:-1] if not (isinstance(a, Token) and a.type == "COMMA"))
        return A.ECall(str(fn_tok), args, self.sp(t), self.sp(fn_tok))

    def e_aggregate(self, t: Tree, c: list[Any]) -> A.Expr:
        fn_tok = c[0].children[0]
        b = c[2].children
        var = b[0]
        lo = hi = flt = None
        if len(b) >= 5:
            lo, hi = self.expr(b[2]), self.expr(b[4])
        if len(b) == 7:
            flt = self.expr(b[6])
        return A.EAggregate(str(fn_tok), str(var), lo, hi, flt, self.expr(c[4]), self.sp(t), self.sp(var))


_CHAINS = ("sum", "term", "or_expr", "and_expr", "comparison", "power")


def _check_depth(tree: Tree, path: str, text: str) -> None:
    """Iterative depth check, so recursion later is bounded."""
    stack: list[tuple[Any, int]] = [(tree, 0)]
    while stack:
        node, d = stack.pop()
        if not isinstance(node, Tree):
            continue
        if d > 2 * LIMIT_DEPTH:
            m = node.meta
            raise SpecError.single(
                "E007", f"expression nested more than {2 * LIMIT_DEPTH} levels deep (each operator of a chain counts)",
                Span(path, getattr(m, "line", 1), getattr(m, "column", 1)),
                hint="simplify the expression or split it into metrics", source=text)
        step = max(1, len(node.children) // 2) if node.data in _CHAINS else 1
        for ch in node.children:
            stack.append((ch, d + step))
