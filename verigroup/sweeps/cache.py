"""A content-addressed, on-disk cache of per-point, per-property results.

Key: SHA-256 of the tool version, the spec path, the spec text with every
``property`` statement blanked out (the game), the text of the one property,
the complete parameter point and the check options.  Editing one property
therefore invalidates only that property's entries; editing the game
invalidates everything.  Only HOLDS and VIOLATED results are stored: an
UNKNOWN (a timeout, a cancelled run, a dead worker) is never frozen into the
cache, so a cache can make a run faster but never change a verdict.

Entries are written atomically (temporary file + rename), so an interrupted
sweep leaves only whole entries behind and resumes from them.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

CACHE_LAYOUT = "v1"


def default_cache_dir() -> Path:
    env = os.environ.get("VERIGROUP_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "verigroup"


@dataclass(frozen=True)
class SpecParts:
    """The spec text split for caching: the game (properties blanked) and
    each property's own text, by property name."""

    game: str
    properties: Mapping[str, str]


def split_spec(text: str, spans: Mapping[str, tuple[int, int]]) -> SpecParts:
    """``spans`` maps each property name to its (first, last) 1-based line."""
    lines = text.splitlines()
    taken = [False] * len(lines)
    props: dict[str, str] = {}
    for name, (a, b) in spans.items():
        if a <= 0 or b < a:  # no position: the property depends on the whole text
            return SpecParts(text, {n: text for n in spans})
        props[name] = "\n".join(lines[a - 1:b])
        for k in range(a - 1, min(b, len(lines))):
            taken[k] = True
    game = "\n".join("" if t else ln for ln, t in zip(lines, taken))
    return SpecParts(game, props)


def entry_key(version: str, path: str, parts: SpecParts, prop: str, params: Mapping[str, str],
              options: Mapping[str, Any]) -> str:
    doc = {"layout": CACHE_LAYOUT, "version": version, "path": path,
           "game": hashlib.sha256(parts.game.encode()).hexdigest(),
           "property": [prop, hashlib.sha256(parts.properties.get(prop, parts.game).encode()).hexdigest()],
           "params": dict(sorted(params.items())), "options": dict(sorted(options.items()))}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


class ResultCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root) / CACHE_LAYOUT
        self.hits = 0
        self.writes = 0

    def _file(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        f = self._file(key)
        try:
            if not f.is_file() or f.stat().st_size > 10_000_000:
                return None
            doc = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # a damaged entry is recomputed, never trusted
        if not isinstance(doc, dict) or doc.get("key") != key or doc.get("verdict") not in ("HOLDS", "VIOLATED"):
            return None
        self.hits += 1
        result = doc.get("result")
        return result if isinstance(result, dict) else None

    def put(self, key: str, result: Mapping[str, Any]) -> None:
        verdict = result.get("verdict")
        if verdict not in ("HOLDS", "VIOLATED"):
            return
        f = self._file(key)
        try:
            f.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=f.parent, prefix=".tmp-", suffix=".part")
        except OSError:
            return  # a read-only or full disk costs speed, never a verdict
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"key": key, "verdict": verdict, "result": result}, fh, sort_keys=True)
            os.replace(tmp, f)
            self.writes += 1
        except OSError:
            pass
        finally:  # interrupted (Ctrl-C) or failed half-way: no stray partial file
            if os.path.exists(tmp):
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
