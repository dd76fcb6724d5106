"""Reading a ``verigroup.check/1`` report and loading the spec it names.

A report is untrusted input.  The spec path it names is resolved relative
to the report's directory (then to the current directory) and must lie,
after following symbolic links, inside one of the *allowed trees*: the
report's directory and the current working directory (``replay --spec PATH``
names the spec on the command line instead, and the report's path is then
ignored).  Only a regular file within the size limit is read (never a
device, a FIFO, a socket or standard input: the file is opened non-blocking
and checked with ``fstat`` before a single byte is read, and never more
than the limit is read).  When the file does not load as a spec, the error
names the position and the error code only: the content of a file that is
not a verigroup spec is never echoed.  Then the spec is parsed with the
report's parameter values, and its hash and game name compared with the
recorded ones."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from verigroup.diagnostics import SpecError, Span
from verigroup.model.model import Model
from verigroup.replay.result import Finding

CHECK_SCHEMA = "verigroup.check/1"
_WRITE_ONE = "write one with `verigroup check SPEC --format json -o REPORT.json`"


def _not_a_report(message: str, span: Span, hint: str | None = None) -> SpecError:
    return SpecError.single("E301", message, span, hint=hint)


MAX_REPORT_BYTES = 64_000_000


def _json_int(s: str) -> int | str:
    return int(s) if len(s) <= 4000 else s


def read_report(path: str | Path) -> str:
    """The text of a report file named on the command line: a regular file
    within :data:`MAX_REPORT_BYTES`, UTF-8 (E004/E005/E007 otherwise)."""
    span = Span(str(path), 0, 0)
    try:
        data = read_regular(Path(path), MAX_REPORT_BYTES, f"the report {path}")
    except Refused as exc:
        code = "E007" if "limit" in str(exc) else "E004"
        raise SpecError.single(code, str(exc), span, hint=_WRITE_ONE)
    text = decode_spec(data)
    if text is None:
        raise SpecError.single("E005", f"{path} is not a UTF-8 text file", span, hint=_WRITE_ONE)
    return text


def parse_document(text: str, path: str) -> dict[str, Any]:
    span = Span(path)
    try:
        # untrusted numbers stay text when they are huge (checked where used,
        # with limits); NaN/Infinity are kept as text and never compare equal
        doc = json.loads(text, parse_int=_json_int, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise _not_a_report(f"{path} is not a verigroup check report: invalid JSON "
                            f"({exc.msg} at line {exc.lineno}, column {exc.colno})",
                            Span(path, exc.lineno, exc.colno), _WRITE_ONE)
    except RecursionError:
        raise _not_a_report(f"{path} is not a verigroup check report: the JSON is nested too deeply", span)
    if not isinstance(doc, dict) or "schema" not in doc:
        raise _not_a_report(f"{path} is not a verigroup check report (no \"schema\" field)", span, _WRITE_ONE)
    if doc["schema"] != CHECK_SCHEMA:
        raise _not_a_report(f"{path} has schema {doc['schema']!r}; replay reads {CHECK_SCHEMA!r} documents",
                            span, "replay re-checks the JSON of `verigroup check`, not of `solve`")
    reports = doc.get("reports")
    ok = isinstance(reports, list) and all(
        isinstance(r, dict) and isinstance(r.get("spec"), dict) and isinstance(r["spec"].get("path"), str)
        and isinstance(r["spec"].get("params", {}), dict) and isinstance(r.get("properties"), list)
        and all(isinstance(p, dict) and isinstance(p.get("name"), str) for p in r["properties"])
        for r in reports)
    if not ok:
        raise _not_a_report(f"{path}: malformed {CHECK_SCHEMA} document (each report needs "
                            "spec.path, spec.params and a properties list)", span)
    return doc


class Refused(Exception):
    """The report names a file replay will not read (the message says why)."""


def _inside(p: Path, roots: list[Path]) -> bool:
    return any(p == r or r in p.parents for r in roots)


def locate_spec(spec_path: str, report_path: Path, allowed: list[Path] | None = None) -> Path | None:
    """The spec file a report names, resolved (symbolic links followed) and
    confirmed inside an allowed tree; None when no such file exists.
    Raises :class:`Refused` for a path outside every allowed tree."""
    if "\x00" in spec_path or not spec_path:
        raise Refused("the report names an invalid spec path")
    roots = allowed if allowed is not None else allowed_trees(report_path)
    p = Path(spec_path)
    cands = [p] if p.is_absolute() else [report_path.parent / p, Path.cwd() / p]
    outside = False
    for c in cands:
        try:
            real = Path(os.path.realpath(c))
        except (OSError, ValueError):
            continue
        if _inside(real, roots):
            if os.path.lexists(real):
                return real
        elif p.is_absolute() or os.path.lexists(c):
            outside = True
    if outside:
        raise Refused(f"the report names a spec outside the allowed directories ({spec_path[:200]}); "
                      "replay reads specs only inside the report's directory or the current directory "
                      "(or name the spec with `replay --spec PATH`)")
    return None


def allowed_trees(report_path: Path) -> list[Path]:
    return [Path(os.path.realpath(report_path.parent)), Path(os.path.realpath(Path.cwd()))]


def read_regular(path: Path, limit: int, what: str = "the spec") -> bytes:
    """At most ``limit`` bytes of a regular file; :class:`Refused` for a
    special file (device, FIFO, socket, directory) or a file over the limit.
    Opened non-blocking so that a FIFO cannot stall the open itself."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        st0 = os.stat(path)
    except OSError as exc:
        raise Refused(f"cannot read {what}: {exc.strerror}")
    if not stat.S_ISREG(st0.st_mode):
        raise Refused(f"{what} is not a regular file (devices, FIFOs, sockets and directories are never read)")
    if st0.st_size > limit:
        raise Refused(f"{what} is {st0.st_size} bytes; the limit is {limit}")
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise Refused(f"cannot read {what}: {exc.strerror}")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"{what} is not a regular file")
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            b = os.read(fd, min(1 << 20, limit + 1 - got))
            if not b:
                break
            chunks.append(b)
            got += len(b)
        if got > limit:
            raise Refused(f"{what} is over the size limit of {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode_spec(data: bytes) -> str | None:
    """The text of a spec file, or None when it is binary or not UTF-8."""
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def load_spec(spec: dict[str, Any], report_path: Path,
              spec_override: str | Path | None = None) -> tuple[Model | None, list[Finding]]:
    """The model of one report's spec (``None`` when it cannot be loaded) and
    the findings about loading it: found, parses, same hash, same game.
    ``spec_override``: the spec named on the command line (``--spec``), used
    instead of the path in the report."""
    from verigroup.api import MAX_FILE_BYTES, parse, spec_hash

    name = spec["path"]
    shown = name if len(name) <= 200 else name[:200] + "..."
    try:
        if spec_override is not None:
            where: Path | None = Path(spec_override)
        else:
            where = locate_spec(name, report_path)
        if where is None:
            return None, [Finding(shown, None, "mismatch", "load the spec",
                                  f"spec file {shown} not found (relative to the report's directory or the current "
                                  "directory); name it with `replay --spec PATH`")]
        data = read_regular(where, MAX_FILE_BYTES)
    except Refused as exc:
        return None, [Finding(shown, None, "mismatch", "load the spec", str(exc))]
    text = decode_spec(data)
    if text is None:
        return None, [Finding(shown, None, "mismatch", "load the spec",
                              "the file the report names is not a text spec (binary or not UTF-8)")]
    params = {str(k): str(v) for k, v in spec.get("params", {}).items()}
    try:
        # parsed under the report's own name for the file, so spans (and
        # the fresh report's locations) read as they did when it was written
        model = parse(text, name, overrides=params)
    except SpecError as exc:
        d = exc.diagnostics[0] if exc.diagnostics else None
        where_txt = f" (error {d.code} at line {d.span.line}, column {d.span.column})" if d is not None else ""
        # never echo the content of a file that may not be a spec at all
        return None, [Finding(shown, None, "mismatch", "load the spec",
                              f"the file does not load as a verigroup spec with the report's parameters{where_txt}; "
                              f"run `verigroup check` on it to see the error")]
    h = spec_hash(model)
    if h != spec.get("hash"):
        out = [Finding(shown, None, "mismatch", "spec hash",
                       f"the spec changed since the report was written (report {str(spec.get('hash'))[:80]}, now {h})")]
    else:
        out = [Finding(shown, None, "ok", "spec hash", "unchanged")]
    if spec.get("game") != model.name:
        out.append(Finding(shown, None, "mismatch", "game name",
                           f"the report says {str(spec.get('game'))[:80]!r}, the spec says {model.name!r}"))
    return model, out
