"""Optional driver for ``lrsnash`` (David Avis's lrslib; Debian ``lrslib``).

Never required: :func:`available` says whether the binary is on ``PATH``.
The output is parsed into exact Fractions; the caller re-verifies every
profile exactly (lrsnash is a reference engine, not an oracle).

Output format (lrslib 7.x): blocks separated by blank lines; within a block
each ``2 y_1 … y_n v`` line is a player-2 strategy and the following
``1 x_1 … x_m v`` line a player-1 strategy; every ``2`` line of a block is
paired with the ``1`` line that closes it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from fractions import Fraction
from typing import Sequence

Vector = tuple[Fraction, ...]


class LrsError(RuntimeError):
    pass


def available() -> bool:
    return shutil.which("lrsnash") is not None


def lrsnash(a: Sequence[Sequence[int]], b: Sequence[Sequence[int]],
            timeout: float | None = None) -> list[tuple[Vector, Vector]]:
    """All extreme equilibria reported by ``lrsnash`` for integer payoff
    matrices ``a`` (row player) and ``b`` (column player).  Raises
    :class:`LrsError` when the binary is missing or fails, and
    ``subprocess.TimeoutExpired`` on timeout."""
    exe = shutil.which("lrsnash")
    if exe is None:
        raise LrsError("lrsnash is not installed (apt-get install lrslib)")
    m, n = len(a), len(a[0])
    lines = [f"{m} {n}", ""]
    lines += [" ".join(str(int(v)) for v in row) for row in a]
    lines.append("")
    lines += [" ".join(str(int(v)) for v in row) for row in b]
    fd, path = tempfile.mkstemp(suffix=".game", text=True)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        proc = subprocess.run([exe, path], capture_output=True, text=True, timeout=timeout)
    finally:
        os.unlink(path)
    if proc.returncode != 0:
        raise LrsError(f"lrsnash failed ({proc.returncode}): {proc.stderr.strip()[:200]}")
    return parse_output(proc.stdout, m, n)


def parse_output(text: str, m: int, n: int) -> list[tuple[Vector, Vector]]:
    out: list[tuple[Vector, Vector]] = []
    ys: list[Vector] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("*"):
            if not line:
                ys = []
            continue
        parts = line.split()
        if parts[0] == "2":
            ys.append(tuple(Fraction(p) for p in parts[1:1 + n]))
        elif parts[0] == "1":
            x = tuple(Fraction(p) for p in parts[1:1 + m])
            out.extend((x, y) for y in ys)
    return out
