"""Games from payoff arrays: ``verigroup.from_arrays(A, B, ...)``.

Like ``nashpy.Game(A, B)`` and ``pygambit.Game.from_arrays(A, B)``: with n
arrays, each of n dimensions and one common shape, ``arrays[i][a_1, ..., a_n]``
is agent i's payoff when agent j plays its action ``a_j``.

Numbers are exact.  Accepted entries: ``int`` (and numpy integers),
``fractions.Fraction``, ``decimal.Decimal``, strings in the spec syntax
(``"3"``, ``"-0.25"``, ``"8/5"``), and floats whose value is an integer
(``3.0``).  Other floats are refused (error E109): ``0.1`` as a float is
``3602879701896397/36028797018963968``, never what was meant — pass
``Fraction(1, 10)`` or ``"0.1"``.  The game is written as exact Gambit
``.nfg`` text and read back by :mod:`verigroup.io.nfg`, so a model built from
arrays has a source text, a spec hash and every size guard of a file.
"""

from __future__ import annotations

import decimal
import math
import re
from fractions import Fraction
from typing import Any, Sequence

from verigroup.diagnostics import SpecError, Span
from verigroup.model.model import Model

_SPAN = Span("<arrays>", 0, 0)
_NUMBER = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)(/\d+)?\s*$")
MAX_DIGITS = 4000  # per entry, below Python's int-string conversion limit


def exact_entry(x: Any, where: str) -> Fraction:
    """One payoff as an exact Fraction, or E109."""
    import numpy as np

    if isinstance(x, (bool, np.bool_)):
        raise SpecError.single("E109", f"payoff {where} is a bool ({x!r}), not a number", _SPAN)
    if isinstance(x, (int, np.integer)):
        return Fraction(int(x))
    if isinstance(x, Fraction):
        return x
    if isinstance(x, decimal.Decimal):
        if not x.is_finite():
            raise SpecError.single("E109", f"payoff {where} is {x}, not a finite number", _SPAN)
        return Fraction(x)
    if isinstance(x, (float, np.floating)):
        f = float(x)
        if math.isfinite(f) and f == int(f):
            return Fraction(int(f))
        raise SpecError.single("E109", f"payoff {where} is the float {f!r}: floats are not exact",
                               _SPAN, hint="pass Fraction(...) or a decimal string such as '0.1'")
    if isinstance(x, str):
        if not _NUMBER.match(x) or len(x) > MAX_DIGITS:
            raise SpecError.single("E109", f"payoff {where} is {x[:40]!r}, not a number like 3, -1/2 or 0.25",
                                   _SPAN)
        num, _, den = x.strip().partition("/")
        value = Fraction(num)
        if den:
            if int(den) == 0:
                raise SpecError.single("E109", f"payoff {where} divides by zero", _SPAN)
            value /= int(den)
        return value
    raise SpecError.single("E109", f"payoff {where} is a {type(x).__name__}, not an exact number", _SPAN,
                           hint="use int, Fraction, Decimal or a string such as '8/5'")


def _label(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def model_from_arrays(arrays: Sequence[Any], agents: Sequence[str] | None = None,
                      actions: Sequence[Sequence[str]] | None = None, name: str = "game") -> Model:
    import numpy as np

    from verigroup.io.nfg import model_from_nfg

    n = len(arrays)
    if n == 0:
        raise SpecError.single("E109", "from_arrays needs one payoff array per agent", _SPAN)
    tables = []
    for i, a in enumerate(arrays):
        try:
            t = np.array(a, dtype=object)
        except ValueError as exc:  # ragged nesting
            raise SpecError.single("E109", f"payoff array {i + 1} is not rectangular: {exc}", _SPAN) from None
        tables.append(t)
    shape = tables[0].shape
    if len(shape) != n or any(t.shape != shape for t in tables):
        raise SpecError.single(
            "E109", f"{n} agents need {n} arrays of {n} dimensions and one shape; got shapes "
            + ", ".join(str(t.shape) for t in tables), _SPAN,
            hint="2 agents: from_arrays(A, B) with A and B of shape (rows, columns)")
    if any(s == 0 for s in shape):
        raise SpecError.single("E109", "every agent needs at least one action", _SPAN)
    from verigroup.evaluate import check_size

    check_size(shape)
    names = [str(x) for x in agents] if agents is not None else [f"p{i + 1}" for i in range(n)]
    if len(names) != n or len(set(names)) != n:
        raise SpecError.single("E109", f"agents: {n} distinct names needed, got {names!r}", _SPAN)
    acts = ([[str(x) for x in row] for row in actions] if actions is not None
            else [[f"a{k + 1}" for k in range(s)] for s in shape])
    if len(acts) != n or any(len(row) != s or len(set(row)) != s for row, s in zip(acts, shape)):
        raise SpecError.single("E109", f"actions: one list of {list(shape)} distinct names per agent", _SPAN)
    lines = [f"NFG 1 R {_label(name)} {{ " + " ".join(_label(x) for x in names) + " }",
             "{ " + " ".join("{ " + " ".join(_label(x) for x in row) + " }" for row in acts) + " }", ""]
    out: list[str] = []
    # Gambit order: agent 1's action changes fastest.
    for prof in np.ndindex(*reversed(shape)):
        idx = tuple(reversed(prof))
        for i, t in enumerate(tables):
            v = exact_entry(t[idx], f"{names[i]}{list(idx)}")
            out.append(str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}")
    lines.append(" ".join(out))
    return model_from_nfg("\n".join(lines) + "\n", f"<arrays:{name}>.nfg")
