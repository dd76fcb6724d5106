"""Spec text -> AST: the lark LALR parser, the layout rule, and the
conversion of parse trees into :mod:`verigroup.syntax.ast` nodes.

Every failure is a :class:`~verigroup.diagnostics.SpecError` with a span;
syntax errors are explained in words (:mod:`verigroup.syntax.errors`).
"""

from __future__ import annotations

import functools
from fractions import Fraction
from importlib import resources
from typing import Any, Iterator

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken, VisitError

from verigroup.diagnostics import Diagnostic, SpecError, Span
from verigroup.syntax import ast as A
from verigroup.syntax.errors import LIMIT_BYTES, LIMIT_DEPTH, explain_characters, explain_token, span_of_token

# Keywords that start a statement at column 1.  Add new top-level keywords
# here and as an alternative of `?statement` in the grammar.
STATEMENT_KEYWORDS = ("GAME", "PARAM", "AGENT", "AGENTS", "PAYOFF", "METRIC", "PROFILE", "PROPERTY")

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

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        last: Token | None = None
        for tok in stream:
            if tok.type == "_NL":
                continue
            if tok.column == 1 and last is not None:
                if self.stack:
                    if tok.type in STATEMENT_KEYWORDS:
                        raise self._unclosed(self.stack[-1], "stmt")
                else:
                    nl = Token("_NL", "\n", start_pos=last.end_pos, line=last.end_line,
                               column=last.end_column, end_line=last.end_line,
                               end_column=last.end_column + 1, end_pos=last.end_pos)
                    self.tokens = []
                    yield nl
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


@functools.lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("verigroup.grammar").joinpath("verigroup.lark").read_text("utf-8")
    return Lark(grammar, parser="lalr", lexer="basic", propagate_positions=True,
                maybe_placeholders=False, keep_all_tokens=False)


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
    except SpecError:
        raise
    except UnexpectedCharacters as exc:
        raise SpecError([explain_characters(exc, text, path)], text) from None
    except UnexpectedToken as exc:
        raise SpecError([explain_token(exc, text, path, layout.tokens)], text) from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark errors
        raise SpecError.single("E001", "syntax error", Span(path, getattr(exc, "line", 1) or 1,
                                                            getattr(exc, "column", 1) or 1), source=text) from None
    try:
        return _Convert(path).spec(tree, text)
    except VisitError as exc:  # pragma: no cover - we do not use Transformers
        if isinstance(exc.orig_exc, SpecError):
            raise exc.orig_exc from None
        raise


def _drive(lark: Lark, ip: Any, layout: _Layout, text: str) -> Tree:
    """Feed the layout-processed token stream to the interactive parser."""
    raw = lark.lex(text, dont_ignore=False)
    for tok in layout.process(raw):
        ip.feed_token(tok)
    return ip.feed_eof(layout.tokens[-1] if layout.tokens else None)  # type: ignore[no-any-return]


# ------------------------------------------------------------ tree -> AST

_CONCEPT = {"NASH": "pure_nash", "PURE": "pure_nash", "MIXED": "mixed_nash",
            "CORRELATED": "correlated", "COARSE_CORRELATED": "coarse_correlated", "SPE": "spe"}


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

    def s_param_decl(self, t: Tree, c: list[Any]) -> A.ParamDecl:
        return A.ParamDecl(str(c[1]), self.expr(c[3]), self.sp(t), self.sp(c[1]))

    def s_agents_decl(self, t: Tree, c: list[Any]) -> A.AgentsDecl:
        heads = []
        i = 1
        while isinstance(c[i], Tree) and c[i].data == "agent_head":
            h = c[i].children
            if len(h) > 1:
                heads.append(A.AgentHead(str(h[0]), self.expr(h[2]), self.expr(h[4]), self.sp(c[i])))
            else:
                heads.append(A.AgentHead(str(h[0]), None, None, self.sp(c[i])))
            i += 2  # skip COMMA / COLON
        rest = [tok for tok in c[i:] if isinstance(tok, Token) and tok.type == "NAME"]
        actions = tuple((str(tok), self.sp(tok)) for tok in rest)
        return A.AgentsDecl(tuple(heads), actions, self.sp(t))

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
        bspan = self.sp(body_tree)
        kind = body_tree.data
        body: A.PropBody
        if kind == "p_nash":
            body = A.PNash(self.profile_ref(bc[1]), bspan)
        elif kind == "p_quant":
            body = A.PQuant(str(bc[1]), self.concept(bc[2]), str(bc[3]), self.expr(bc[5]), bspan, self.sp(bc[3]))
        elif kind == "p_exists":
            body = A.PExists(bc[0].type == "UNIQUE", self.concept(bc[1]), bspan)
        else:
            strength = None
            if isinstance(bc[0], Token) and bc[0].type in ("STRICTLY", "WEAKLY"):
                strength = str(bc.pop(0))
            expr = self.expr(bc.pop(0))
            forall = None
            fspan = Span(self.path)
            if bc and isinstance(bc[0], Tree) and bc[0].data == "forall":
                forall = str(bc[0].children[2])
                fspan = self.sp(bc[0])
            body = A.PTerm(expr, strength, forall, bspan, fspan)  # type: ignore[arg-type]
        return A.PropertyDecl(name, body, region, self.sp(t))

    def profile_ref(self, t: Any) -> A.Expr:
        if isinstance(t, Tree) and t.data == "profile_name":
            tok = t.children[0]
            return A.EName(str(tok), self.sp(tok))
        return self.expr(t)

    def concept(self, t: Tree) -> A.EConcept:
        return A.EConcept(_CONCEPT[t.children[0].type], self.sp(t))  # type: ignore[arg-type]

    # ---------------------------------------------------------- expressions
    def expr(self, t: Any) -> A.Expr:
        if isinstance(t, Token):  # pragma: no cover - every atom is a Tree
            raise SpecError.single("E001", f"unexpected {t!s}", self.sp(t))
        return getattr(self, "e_" + str(t.data))(t, t.children)  # type: ignore[no-any-return]

    def e_number(self, t: Tree, c: list[Any]) -> A.Expr:
        return A.ENum(_num(str(c[0])), str(c[0]), self.sp(t))

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
