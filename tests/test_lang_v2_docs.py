"""Language v2 (issue 8): the reference documents every error code the code
can emit (codes are found by scanning the package source, so a new code
without documentation fails here)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def codes_in_source() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted((ROOT / "verigroup").rglob("*.py")):
        for code in set(re.findall(r"""["'](E\d{3})["']""", path.read_text(encoding="utf-8"))):
            out.setdefault(code, []).append(str(path.relative_to(ROOT)))
    return out


def test_the_scan_finds_the_core_codes() -> None:
    found = codes_in_source()
    assert {"E001", "E101", "E110", "E202", "E401"} <= set(found)


def test_every_error_code_is_documented() -> None:
    docs = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))
    documented = set(re.findall(r"\bE\d{3}\b", docs))
    missing = {c: f for c, f in codes_in_source().items() if c not in documented}
    assert not missing, f"error codes used in the code but not in docs/: {missing}"


def test_language_reference_lists_every_statement_keyword() -> None:
    from verigroup.syntax.parser import STATEMENT_KEYWORDS

    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    layout = text[text.index("## Layout"):text.index("## Statements")]
    missing = [k.lower() for k in STATEMENT_KEYWORDS if f"`{k.lower()}`" not in layout]
    assert not missing, f"statement keywords missing from the Layout section: {missing}"
