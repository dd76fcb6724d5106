"""Gambit extensive-form files (``.efg``): exact reading and writing.

The format::

    EFG 2 R "title" { "P1" "P2" } "optional comment"
    p "node name" 1 1 "infoset name" { "a" "b" } 0
    c "" 1 "" { "x" 1/2 "y" 1/2 } 0
    t "" 1 "outcome name" { 3 -1 }

Nodes come in depth-first order; a personal node (``p``) gives the player
number, its information set number (per player) and, at least at the first
node of the set, the set's name and actions; a chance node (``c``) gives its
information set number and ``{ "label" prob ... }``; a terminal (``t``) an
outcome number.  Outcome 0 is "no outcome"; an outcome's name and payoffs are
given at its first use.  Numbers are exact (integers, decimals, ``p/q``,
scientific notation).

Outcomes attached to non-terminal nodes are pushed down (added) to every leaf
below, since :class:`~verigroup.extensive.tree.GameTree` keeps payoffs at the
leaves.  Node names become the tree's state labels.  Every malformed file
raises :class:`~verigroup.diagnostics.SpecError` ``E301`` with line:column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from verigroup.diagnostics import SpecError, Span
from verigroup.extensive.tree import CHANCE_NODE, DECISION, GameTree, TreeBuilder

if TYPE_CHECKING:  # pragma: no cover
    from verigroup.model.model import Model

_TOKEN = re.compile(r'''
    (?P<ws>[ \t\r\n]+|\#[^\n]*)
  | (?P<str>"(?:\\.|[^"\\])*")
  | (?P<num>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:/\d+)?)
  | (?P<lb>\{) | (?P<rb>\}) | (?P<comma>,)
  | (?P<word>[A-Za-z]+)
''', re.VERBOSE)


@dataclass
class _Tok:
    kind: str
    text: str
    line: int
    col: int


def _unescape(s: str) -> str:
    out = []
    i = 0
    body = s[1:-1]
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body) and body[i + 1] in '"\\':
            out.append(body[i + 1])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _escape(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fmt(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


class _Parser:
    def __init__(self, text: str, path: str) -> None:
        self.text, self.path = text, path
        self.toks: list[_Tok] = []
        line, col, pos = 1, 1, 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:
                self.fail(f"unexpected character {text[pos]!r}", line, col)
            kind = m.lastgroup or ""
            tok = m.group()
            if kind != "ws" and kind != "comma":
                self.toks.append(_Tok(kind, tok, line, col))
            nl = tok.count("\n")
            if nl:
                line += nl
                col = len(tok) - tok.rfind("\n")
            else:
                col += len(tok)
            pos = m.end()
        self.end = (line, col)
        self.i = 0

    def fail(self, msg: str, line: int, col: int, hint: str | None = None) -> NoReturn:
        raise SpecError.single("E301", msg, Span(self.path, line, col, line, col + 1), hint, self.text)

    def fail_at(self, tok: _Tok | None, msg: str, hint: str | None = None) -> NoReturn:
        if tok is None:
            self.fail(msg + " (at end of file)", *self.end, hint=hint)
        self.fail(msg, tok.line, tok.col, hint)

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self, kind: str, what: str) -> _Tok:
        t = self.peek()
        if t is None or t.kind != kind:
            self.fail_at(t, f"expected {what}, found {t.text!r}" if t else f"expected {what}")
        self.i += 1
        return t

    def number(self, what: str) -> tuple[Fraction, _Tok]:
        from verigroup.io.exact import NumberTooLarge, parse_exact

        t = self.next("num", what)
        try:
            return parse_exact(t.text), t
        except NumberTooLarge as exc:
            self.fail_at(t, f"number too large: {exc}", "numbers are limited to 4,000 digits and exponents "
                                                        "to +-4000")
        except (ValueError, ZeroDivisionError):
            self.fail_at(t, f"{t.text[:40]!r} is not a valid number")

    def integer(self, what: str) -> tuple[int, _Tok]:
        x, t = self.number(what)
        if x.denominator != 1 or x < 0:
            self.fail_at(t, f"expected {what} (a whole number >= 0), found {t.text!r}")
        return int(x), t

    def string(self, what: str) -> str:
        return _unescape(self.next("str", what).text)

    def maybe(self, kind: str) -> bool:
        t = self.peek()
        return t is not None and t.kind == kind


@dataclass
class _Rec:
    kind: str
    tok: _Tok
    name: str
    arity: int
    player: int = 0
    infoset: int = 0
    outcome: int = 0
    children: list[int] = field(default_factory=list)


def read_efg(text: str, path: str = "<efg>", node_limit: int | None = None) -> GameTree:
    """Parse ``.efg`` text into a :class:`GameTree` (exact)."""
    P = _Parser(text, path)
    t = P.next("word", "'EFG'")
    if t.text != "EFG":
        P.fail_at(t, f"expected 'EFG' at the start of the file, found {t.text!r}",
                  hint="an extensive-form Gambit file starts with: EFG 2 R \"title\" { \"P1\" \"P2\" }")
    v, vt = P.number("the format version 2")
    if v != 2:
        P.fail_at(vt, f"unsupported .efg version {vt.text} (expected 2)")
    dt = P.next("word", "the data type R or D")
    if dt.text not in ("R", "D"):
        P.fail_at(dt, f"expected data type R or D, found {dt.text!r}")
    title = P.string("the game title")
    P.next("lb", "'{' before the player list")
    players: list[str] = []
    while P.maybe("str"):
        players.append(P.string("a player name"))
    P.next("rb", "'}' after the player list")
    comment = P.string("comment") if P.maybe("str") else ""
    for k, name in enumerate(players):
        if not name or players.index(name) != k:
            players[k] = f"{name or 'Player'} {k + 1}" if not name else f"{name}#{k + 1}"
    if not players:
        P.fail_at(dt, "the game has no players")

    infosets: dict[tuple[int, int], tuple[str, tuple[str, ...]]] = {}
    chance_sets: dict[int, tuple[tuple[str, ...], tuple[Fraction, ...]]] = {}
    outcomes: dict[int, tuple[Fraction, ...]] = {}
    chance_def: dict[int, tuple[tuple[str, ...], tuple[Fraction, ...]]] = {}
    recs: list[_Rec] = []
    while P.peek() is not None:
        nt = P.next("word", "a node (p, c or t)")
        if nt.text not in ("p", "c", "t"):
            P.fail_at(nt, f"expected a node type p, c or t, found {nt.text!r}")
        name = P.string("the node name")
        if nt.text == "p":
            pl, pt = P.integer("the player number")
            if not 1 <= pl <= len(players):
                P.fail_at(pt, f"player number {pl} is out of range 1..{len(players)}")
            iset, it = P.integer("the information set number")
            label = P.string("information set name") if P.maybe("str") else None
            acts: tuple[str, ...] | None = None
            if P.maybe("lb"):
                P.i += 1
                lst = []
                while P.maybe("str"):
                    lst.append(P.string("an action name"))
                P.next("rb", "'}' after the actions")
                acts = tuple(lst)
            key = (pl, iset)
            if key in infosets:
                old_label, old_acts = infosets[key]
                if acts is not None and acts != old_acts:
                    P.fail_at(it, f"information set {iset} of player {pl} is declared with different "
                                  f"actions ({', '.join(acts)} vs {', '.join(old_acts)})")
            else:
                if acts is None:
                    P.fail_at(it, f"information set {iset} of player {pl} is used before its actions are given")
                if not acts:
                    P.fail_at(it, f"information set {iset} of player {pl} has no actions")
                if len(set(acts)) != len(acts):
                    P.fail_at(it, f"information set {iset} of player {pl} lists an action twice")
                infosets[key] = (label or "", acts)
            rec = _Rec("p", nt, name, len(infosets[key][1]), pl - 1, iset)
        elif nt.text == "c":
            iset, it = P.integer("the chance information set number")
            if P.maybe("str"):
                P.string("information set name")
            if P.maybe("lb"):
                P.i += 1
                labs, probs = [], []
                while P.maybe("str"):
                    labs.append(P.string("a chance outcome name"))
                    pr, prt = P.number("a probability")
                    if pr < 0:
                        P.fail_at(prt, f"negative probability {prt.text}")
                    probs.append(pr)
                P.next("rb", "'}' after the chance outcomes")
                if not labs:
                    P.fail_at(it, "a chance node needs at least one outcome")
                if sum(probs) != 1:
                    P.fail_at(it, f"chance probabilities sum to {_fmt(sum(probs, Fraction(0)))}, not 1")
                if len(set(labs)) != len(labs):
                    P.fail_at(it, "a chance node lists an outcome twice")
                chance_sets[iset] = (tuple(labs), tuple(probs))
            elif iset not in chance_sets:
                P.fail_at(it, f"chance information set {iset} is used before its probabilities are given")
            rec = _Rec("c", nt, name, len(chance_sets[iset][0]), -1, iset)
            chance_def[len(recs)] = chance_sets[iset]
        else:
            rec = _Rec("t", nt, name, 0)
        oc, ot = P.integer("the outcome number")
        if P.maybe("str"):
            P.string("outcome name")
        if P.maybe("lb"):
            P.i += 1
            pays = []
            while P.maybe("num"):
                pays.append(P.number("a payoff")[0])
            P.next("rb", "'}' after the payoffs")
            if oc == 0:
                P.fail_at(ot, "outcome 0 means 'no outcome' and cannot have payoffs")
            if len(pays) != len(players):
                P.fail_at(ot, f"outcome {oc} has {len(pays)} payoffs for {len(players)} players")
            if oc in outcomes and outcomes[oc] != tuple(pays):
                P.fail_at(ot, f"outcome {oc} is declared twice with different payoffs")
            outcomes[oc] = tuple(pays)
        elif oc != 0 and oc not in outcomes:
            P.fail_at(ot, f"outcome {oc} is used before its payoffs are given")
        rec.outcome = oc
        recs.append(rec)
    if not recs:
        P.fail(f"the file has no nodes", *P.end)
    # tree structure from the depth-first order
    stack: list[list[int]] = []  # [record, remaining children]
    for k, rec in enumerate(recs):
        if k > 0:
            if not stack:
                P.fail_at(rec.tok, "extra node after the tree is complete")
            top = stack[-1]
            recs[top[0]].children.append(k)
            top[1] -= 1
            if top[1] == 0:
                stack.pop()
        if rec.arity:
            stack.append([k, rec.arity])
    if stack:
        P.fail(f"the file ends before the tree is complete ({recs[stack[-1][0]].kind}-node at line "
               f"{recs[stack[-1][0]].tok.line} is missing children)", *P.end)
    npl = len(players)
    zero = tuple(Fraction(0) for _ in range(npl))
    acc: list[tuple[Fraction, ...]] = [zero] * len(recs)
    for k, rec in enumerate(recs):
        base = acc[k]
        if rec.outcome:
            o = outcomes[rec.outcome]
            base = tuple(a + b for a, b in zip(base, o))
            acc[k] = base
        for c in rec.children:
            acc[c] = base
    # labels: unique per player
    labels: dict[tuple[int, int], str] = {}
    used: set[tuple[int, str]] = set()
    for (pl, iset), (lab, _) in sorted(infosets.items()):
        name = lab if lab and (pl, lab) not in used else (f"{lab}#{iset}" if lab else f"#{iset}")
        used.add((pl, name))
        labels[(pl, iset)] = name
    kw = {} if node_limit is None else {"node_limit": node_limit}
    b = TreeBuilder(players, allow_idle_players=True, title=title, span=Span(path, 1, 1), **kw)
    handle = [0] * len(recs)
    try:
        for k in range(len(recs) - 1, -1, -1):
            rec = recs[k]
            sp = Span(path, rec.tok.line, rec.tok.col)
            state = rec.name or None
            if rec.kind == "t":
                handle[k] = b.terminal(acc[k], state=state, span=sp)
            elif rec.kind == "p":
                key = (rec.player + 1, rec.infoset)
                acts = infosets[key][1]
                handle[k] = b.decision(rec.player, key, [(a, handle[c]) for a, c in zip(acts, rec.children)],
                                       state=state, label=labels[key], span=sp)
            else:
                clabs, cprobs = chance_def[k]
                handle[k] = b.chance([(lab, pr, handle[c]) for lab, pr, c in zip(clabs, cprobs, rec.children)],
                                     state=state, span=sp)
        tree = b.build(handle[0])
    except SpecError as exc:
        if exc.diagnostics and exc.diagnostics[0].code == "E202":
            raise
        d = exc.diagnostics[0]
        raise SpecError.single("E301", d.message, d.span, d.hint, text)
    tree._cache["comment"] = comment
    return tree


def write_efg(tree: GameTree, title: str | None = None, comment: str = "") -> str:
    """The tree as ``.efg`` text: exact rationals, payoffs at the leaves only
    (each leaf its own outcome, so OpenSpiel's reader accepts it too)."""
    ttl = tree.title if title is None else title
    out = [f"EFG 2 R {_escape(ttl)} {{ {' '.join(_escape(p) for p in tree.players)} }}",
           _escape(comment), ""]
    # per-player infoset numbers in order of first appearance (depth-first)
    num: dict[int, int] = {}
    count = [0] * tree.num_players
    chance_no = 0
    outcome_no = 0
    order = tree.dfs_order()
    depth = [0] * tree.num_nodes
    # Gambit requires node names to be unique: a state label that repeats
    # (e.g. "round 2" in a repeated protocol) names only its first node.
    seen_names: set[str] = set()
    for v in order:
        ind = "  " * depth[v]
        for c in tree.children(v):
            depth[c] = depth[v] + 1
        raw_name = tree.state_label(v) or ""
        if raw_name in seen_names:
            raw_name = ""
        elif raw_name:
            seen_names.add(raw_name)
        name = _escape(raw_name)
        k = tree.kind[v]
        if k == DECISION:
            i = tree.payload[v]
            p = tree.infoset_player[i]
            if i not in num:
                count[p] += 1
                num[i] = count[p]
            acts = " ".join(_escape(a) for a in tree.infoset_actions[i])
            out.append(f"{ind}p {name} {p + 1} {num[i]} {_escape(tree.infoset_label(i))} {{ {acts} }} 0")
        elif k == CHANCE_NODE:
            chance_no += 1
            pairs = " ".join(f"{_escape(lab)} {_fmt(pr)}" for lab, pr in zip(tree.actions(v), tree.probs(v)))
            out.append(f"{ind}c {name} {chance_no} \"\" {{ {pairs} }} 0")
        else:
            outcome_no += 1
            pays = " ".join(_fmt(x) for x in tree.payoff(v))
            out.append(f"{ind}t {name} {outcome_no} \"\" {{ {pays} }}")
    return "\n".join(out) + "\n"


def model_from_efg(text: str, path: str = "<efg>") -> "Model":
    """A :class:`~verigroup.model.model.Model` whose protocol is the file's
    tree; agents are the players (payoffs live in the tree, so the agents'
    payoff expressions are ``0`` placeholders)."""
    from verigroup.model.expr import Num
    from verigroup.model.model import Agent, Model

    tree = read_efg(text, path)
    agents = []
    for p, name in enumerate(tree.players):
        acts: dict[str, None] = {}
        for i in tree.infosets_of(p):
            for a in tree.infoset_actions[i]:
                acts.setdefault(a, None)
        agents.append(Agent(name=name, family=name, index=None, actions=tuple(acts), payoff=Num(Fraction(0))))
    return Model(name=tree.title or Path(path).stem, description=str(tree._cache.get("comment", "")),
                 params={}, agents=tuple(agents), metrics={}, protocol=tree, source=text, path=path)
