"""Numbers, intervals and parameter regions written as mathematics.

Reports are read by people: an interval is ``1/5 ≤ alpha < 1``, not
``Interval.Ropen(1/5, 1)`` or ``region [[1/5; 1]], closed [[false; true]]``;
the empty set is ``∅``; a 150-digit fraction is ``≈ 0.619224`` in text,
Markdown and HTML (JSON keeps every digit).  Everything here is exact:
decimals are rounded with integer arithmetic, never through a float, and
only *display* strings come out — no verdict reads them.

* :func:`num` — an exact number (``Fraction``, ``int`` or ``"p/q"``) for
  display: ``p/q`` when short, else a rounded decimal marked ``≈``;
* :func:`decimal` — the exact value rounded to ``digits`` significant digits;
* :func:`interval` / :func:`region` — one interval / a union of intervals as
  inequalities in a named variable;
* :func:`region_from_evidence` — the Z3 region certificate
  (``param``, ``region``, ``closed``, ``interval``) in words;
* :func:`sympy_set` — a sympy set (or its ``str``) such as the discount
  region of ``threshold_discount``;
* :func:`humanize` — rewrites sympy set reprs and Python literals that a
  message may contain (``Interval.Ropen(1/2, 1)``, ``EmptySet``,
  ``True``/``False``) into the forms above.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Sequence

# A number is shown exactly when its "p/q" text is at most this long.
SHORT = 16
# Significant digits of the decimal shown otherwise.
DIGITS = 6
EMPTY = "∅"


def to_fraction(x: Any) -> Fraction | None:
    """``x`` as an exact Fraction when it is one (int, Fraction, ``"p/q"``,
    ``"-3"``, ``"0.25"``); None otherwise.  Bools are not numbers."""
    if isinstance(x, bool) or x is None:
        return None
    if isinstance(x, (int, Fraction)):
        return Fraction(x)
    if isinstance(x, str) and re.fullmatch(r"\s*-?\d{1,5000}(/\d{1,5000}|\.\d{1,5000})?\s*", x):
        return Fraction(x.strip())
    return None


def exact_text(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def decimal(x: Fraction | int | str, digits: int = DIGITS) -> str:
    """``x`` rounded (half away from zero) to ``digits`` significant digits,
    exactly; e.g. ``decimal(Fraction(2, 3)) == "0.666667"``."""
    f = to_fraction(x)
    if f is None:
        return str(x)
    if f == 0:
        return "0"
    sign = "-" if f < 0 else ""
    f = abs(f)
    # exponent e with 10^e <= f < 10^(e+1)
    e = len(str(f.numerator)) - len(str(f.denominator))
    if Fraction(10) ** e > f:
        e -= 1
    scale = digits - 1 - e  # multiply by 10^scale to keep `digits` digits before the point
    scaled = f * Fraction(10) ** scale
    n = scaled.numerator // scaled.denominator
    if (scaled - n) * 2 >= 1:
        n += 1
    s = str(n)
    if scale <= 0:
        out = s + "0" * (-scale)
    elif len(s) > scale:
        out = s[:-scale] + "." + s[-scale:]
    else:
        out = "0." + "0" * (scale - len(s)) + s
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    if e >= 12 or e <= -7:  # very large or very small: scientific notation
        mant = s[0] + ("." + s[1:].rstrip("0") if s[1:].rstrip("0") else "")
        out = f"{mant}e{e}"
    return sign + out


def num(x: Any, short: int = SHORT, digits: int = DIGITS) -> str:
    """An exact number for display: ``p/q`` when its text is short, else
    ``≈`` and a decimal of ``digits`` significant digits.  Non-numbers are
    returned as ``str``."""
    f = to_fraction(x)
    if f is None:
        return str(x)
    t = exact_text(f)
    if len(t) <= short:
        return t
    return "≈" + decimal(f, digits)


def is_long(x: Any, short: int = SHORT) -> bool:
    f = to_fraction(x)
    return f is not None and len(exact_text(f)) > short


def interval(var: str, lo: Any, hi: Any, lo_closed: bool = True, hi_closed: bool = True) -> str:
    """``lo ≤ var < hi`` style; ``None`` (or ``-oo``/``oo``) bounds are
    unbounded; a closed one-point interval is ``var = lo``."""
    lo_s = None if lo is None or str(lo) in ("-oo", "-inf") else num(lo)
    hi_s = None if hi is None or str(hi) in ("oo", "inf", "+oo") else num(hi)
    if lo_s is not None and hi_s is not None and lo_s == hi_s and lo_closed and hi_closed:
        return f"{var} = {lo_s}"
    left = "" if lo_s is None else f"{lo_s} {'≤' if lo_closed else '<'} "
    right = "" if hi_s is None else f" {'≤' if hi_closed else '<'} {hi_s}"
    if not left and not right:
        return f"{var} is any real number"
    return f"{left}{var}{right}"


def region(var: str, pieces: Sequence[Sequence[Any]], closed: Sequence[Sequence[bool]] | None = None) -> str:
    """A union of intervals ``[[lo, hi], …]`` with ``[[lo_closed,
    hi_closed], …]`` (default closed) as ``… or …``; ``∅`` when empty."""
    if not pieces:
        return f"{EMPTY} (no value of {var})"
    cl = list(closed) if closed else [[True, True]] * len(pieces)
    parts = []
    for (lo, hi), c in zip(pieces, cl):
        parts.append(interval(var, lo, hi, bool(c[0]), bool(c[1])))
    return " or ".join(parts)


def region_from_evidence(ev: Any) -> str | None:
    """The Z3 region certificate of ``ev`` in words, or None when ``ev``
    has none.  ``region`` may also be a sympy set's text (discount regions)."""
    if not isinstance(ev, dict) or "region" not in ev:
        return None
    var = str(ev.get("param") or ev.get("var") or "delta")
    reg = ev["region"]
    if reg is None:
        return "not computed" + (f" ({ev['region_note']})" if ev.get("region_note") else "")
    if isinstance(reg, str):
        return sympy_set(reg, var)
    if isinstance(reg, list):
        try:
            return region(var, reg, ev.get("closed"))
        except (TypeError, ValueError, IndexError):
            return None
    return None


# ----------------------------------------------------------------- sympy


def sympy_set(s: Any, var: str = "delta") -> str:
    """A sympy set (``Interval``, ``Union``, ``FiniteSet``, ``EmptySet``) or
    its ``str`` as inequalities in ``var``.  Text that is not a set is
    returned unchanged."""
    obj = s
    if isinstance(s, str):
        obj = _parse_set(s)
        if obj is None:
            return s
    return _set_text(obj, var) or str(s)


def _parse_set(text: str) -> Any:
    if len(text) > 4000 or not re.fullmatch(r"[\w\s().,/+\-*{}]+", text):
        return None
    try:
        import sympy

        obj = sympy.sympify(text)
    except Exception:  # noqa: BLE001 - not a set: shown as is
        return None
    return obj if isinstance(obj, sympy.Set) else None


def _bound(x: Any) -> Any:
    import sympy

    if x in (sympy.S.Infinity, sympy.S.NegativeInfinity):
        return None
    if isinstance(x, sympy.Rational):
        return Fraction(int(x.p), int(x.q))
    return _sym_text(x)


def _sym_text(x: Any) -> str:
    import sympy

    try:
        if x.is_real and x.is_number and not isinstance(x, sympy.Rational):
            return "≈" + decimal(Fraction(str(sympy.N(x, 30))), DIGITS)
    except (TypeError, ValueError, AttributeError):
        pass
    return str(x).replace("**", "^").replace("sqrt", "√")


def _set_text(obj: Any, var: str) -> str | None:
    import sympy

    if obj is sympy.S.EmptySet or obj == sympy.S.EmptySet:
        return f"{EMPTY} (no value of {var})"
    if isinstance(obj, sympy.Interval):
        return interval(var, _bound(obj.start), _bound(obj.end), not obj.left_open, not obj.right_open)
    if isinstance(obj, sympy.FiniteSet):
        vals = [num(_bound(x)) if _bound(x) is not None else str(x) for x in obj.args]
        return f"{var} = {vals[0]}" if len(vals) == 1 else f"{var} ∈ {{{', '.join(vals)}}}"
    if isinstance(obj, sympy.Union):
        parts = [_set_text(a, var) for a in obj.args]
        if all(parts):
            return " or ".join(p for p in parts if p)
    return None


# ------------------------------------------------------- algebraic numbers


def algebraic_number(sexpr: str, width: Fraction = Fraction(1, 10**15)) -> dict[str, Any] | None:
    """A Z3 algebraic number ``(root-obj POLY K)`` (the K-th smallest real
    root of POLY in ``x``) as an exact, checkable JSON record::

        {"polynomial": "3*x**2 - 1", "root_index": 2,
         "isolating_interval": ["p/q", "p/q"], "decimal": "0.57735"}

    The interval (width at most ``width``) contains that root and no other
    root of the polynomial (sympy's exact real-root isolation).  None when
    the text is not a ``root-obj``."""
    m = re.fullmatch(r"\s*\(root-obj\s+(.*)\s+(\d{1,6})\)\s*", sexpr or "", re.S)
    if m is None or len(sexpr) > 20_000:
        return None
    try:
        import sympy

        x = sympy.Symbol("x")
        expr = _sexpr(_tokens(m.group(1)), x)
        poly = sympy.Poly(expr, x)
        k = int(m.group(2))
        ivs = sorted(poly.intervals(eps=sympy.Rational(width.numerator, width.denominator)),
                     key=lambda iv: iv[0][0])
        if not 1 <= k <= len(ivs):
            return None
        (lo, hi), _mult = ivs[k - 1]
    except (ValueError, TypeError, IndexError, ArithmeticError, ImportError):
        return None
    except Exception:  # noqa: BLE001 - sympy's own errors: no structured form, the text stays
        return None
    flo, fhi = Fraction(int(lo.p), int(lo.q)), Fraction(int(hi.p), int(hi.q))
    return {"polynomial": str(poly.as_expr()).replace("**", "^"), "root_index": k,
            "isolating_interval": [exact_text(flo), exact_text(fhi)], "decimal": decimal((flo + fhi) / 2, 12)}


def _tokens(text: str) -> list[str]:
    return re.findall(r"\(|\)|[^\s()]+", text)


def _sexpr(tokens: list[str], x: Any) -> Any:
    """Evaluate Z3's polynomial s-expression (``+ - * ^``, integers, ``x``)."""
    import sympy

    pos = 0

    def parse() -> Any:
        nonlocal pos
        tok = tokens[pos]
        pos += 1
        if tok != "(":
            if tok == "x":
                return x
            return sympy.Rational(tok)
        op = tokens[pos]
        pos += 1
        args = []
        while tokens[pos] != ")":
            args.append(parse())
        pos += 1
        if op == "+":
            return sympy.Add(*args)
        if op == "*":
            return sympy.Mul(*args)
        if op == "-":
            return -args[0] if len(args) == 1 else args[0] - sympy.Add(*args[1:])
        if op == "^" and len(args) == 2 and args[1].is_Integer and 0 <= int(args[1]) <= 1000:
            return args[0] ** args[1]
        if op == "/" and len(args) == 2:
            return args[0] / args[1]
        raise ValueError(f"unexpected operator {op!r}")

    out = parse()
    if pos != len(tokens):
        raise ValueError("trailing tokens")
    return out


# ------------------------------------------------------------ pictures


Piece = tuple[Fraction | None, Fraction | None, bool, bool]


def region_pieces(ev: Any) -> tuple[str, list[Piece], tuple[Fraction, Fraction] | None, Fraction | None] | None:
    """For drawing: ``(var, pieces, domain, counterexample)`` of a region
    certificate (Z3 ``region``/``closed``/``interval``, or a sympy set's
    text), or None.  Irrational endpoints are approximated (pictures only)."""
    if not isinstance(ev, dict) or ev.get("region") is None:
        return None
    var = str(ev.get("param") or "delta")
    reg = ev["region"]
    pieces: list[Piece] = []
    domain: tuple[Fraction, Fraction] | None = None
    if isinstance(reg, list):
        cl = ev.get("closed") or [[True, True]] * len(reg)
        try:
            for (lo, hi), c in zip(reg, cl):
                pieces.append((to_fraction(lo), to_fraction(hi), bool(c[0]), bool(c[1])))
            iv = ev.get("interval")
            if isinstance(iv, list) and len(iv) == 2:
                a, b = to_fraction(iv[0]), to_fraction(iv[1])
                if a is not None and b is not None:
                    domain = (a, b)
        except (TypeError, ValueError, IndexError):
            return None
    elif isinstance(reg, str):
        obj = _parse_set(reg)
        if obj is None:
            return None
        got = _set_pieces(obj)
        if got is None:
            return None
        pieces = got
        domain = (Fraction(0), Fraction(1))
    else:
        return None
    params = ev.get("params")
    mark = to_fraction(params.get(var)) if isinstance(params, dict) else None
    return var, pieces, domain, mark


def _approx(x: Any) -> Fraction | None:
    import sympy

    if x in (sympy.S.Infinity, sympy.S.NegativeInfinity):
        return None
    if isinstance(x, sympy.Rational):
        return Fraction(int(x.p), int(x.q))
    return Fraction(str(sympy.N(x, 20)))


def _set_pieces(obj: Any) -> list[Piece] | None:
    import sympy

    if obj is sympy.S.EmptySet or obj == sympy.S.EmptySet:
        return []
    if isinstance(obj, sympy.Interval):
        return [(_approx(obj.start), _approx(obj.end), not obj.left_open, not obj.right_open)]
    if isinstance(obj, sympy.FiniteSet):
        return [(_approx(x), _approx(x), True, True) for x in obj.args]
    if isinstance(obj, sympy.Union):
        out: list[Piece] = []
        for a in obj.args:
            p = _set_pieces(a)
            if p is None:
                return None
            out += p
        return out
    return None


# ------------------------------------------------------------- humanize

_SET_START = re.compile(r"\b(Interval(?:\.(?:Ropen|Lopen|open))?\(|Union\(|FiniteSet\(|EmptySet\b)")
_IS_IN = re.compile(r"\b([A-Za-z_]\w*) is in $")


def _balanced_end(text: str, start: int) -> int:
    """Index after the parenthesis closing the one opened before ``start``."""
    depth = 1
    i = start
    while i < len(text) and depth:
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
        i += 1
    return i if depth == 0 else -1


def humanize(text: str, var: str = "delta") -> str:
    """Rewrite the Python/sympy reprs a message may carry into mathematics:
    ``delta is in Interval.Ropen(1/2, 1)`` → ``1/2 ≤ delta < 1``,
    ``EmptySet`` → ``∅``, bare ``True``/``False`` → ``true``/``false``."""
    if not isinstance(text, str) or not text:
        return text
    out: list[str] = []
    i = 0
    while True:
        m = _SET_START.search(text, i)
        if m is None:
            out.append(text[i:])
            break
        end = m.end() if m.group(0) == "EmptySet" else _balanced_end(text, m.end())
        if end < 0:
            out.append(text[i:])
            break
        before = text[i:m.start()]
        name = var
        is_in = _IS_IN.search(before)
        if is_in:
            name = is_in.group(1)
            before = before[:is_in.start()]
        rendered = sympy_set(text[m.start():end], name)
        if rendered == text[m.start():end]:  # not parsed: keep the words, drop the repr
            rendered = EMPTY if m.group(0) == "EmptySet" else rendered
        out.append(before + rendered)
        i = end
    s = "".join(out)
    s = _PY_SEQ.sub(_seq, s)
    s = _PY_DICT.sub(lambda mm: "{" + ", ".join(f"{k}: {v}" for k, v in _PY_PAIR.findall(mm.group(0))) + "}", s)
    return re.sub(r"\b(True|False)\b", lambda mm: mm.group(1).lower(), s)


# ['alice', 'bob'] -> {alice, bob};  ('defect', 'cooperate') -> (defect, cooperate)
_PY_SEQ = re.compile(r"([\[(])'([^'\[\](){}]{0,80})'((?:, '[^'\[\](){}]{0,80}')*),?([\])])")


# {'alice': 'cooperate', 'bob': 1} -> {alice: cooperate, bob: 1}
_PY_DICT = re.compile(r"\{'[^'{}]{0,80}': ?'?[^'{},]{0,80}'?(?:, '[^'{}]{0,80}': ?'?[^'{},]{0,80}'?)*\}")
_PY_PAIR = re.compile(r"'([^']*)': ?'?([^'{},]*)'?")


def _seq(m: re.Match[str]) -> str:
    items = [m.group(2)] + re.findall(r"'([^']*)'", m.group(3))
    open_, close = ("{", "}") if m.group(1) == "[" else ("(", ")")
    return open_ + ", ".join(items) + close


__all__ = ["algebraic_number", "region_pieces", "num", "decimal", "interval", "region", "region_from_evidence", "sympy_set", "humanize",
           "to_fraction", "is_long", "EMPTY"]
