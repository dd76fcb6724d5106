"""The gallery index (case_studies/README.md) lists every case study, and
every case study has a README and at least one spec."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GALLERY = ROOT / "case_studies"


def folders() -> list[Path]:
    return sorted(p for p in GALLERY.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))


def test_every_case_study_has_a_readme_and_a_spec() -> None:
    assert len(folders()) >= 2
    for d in folders():
        assert (d / "README.md").is_file(), f"{d.name} has no README.md"
        assert list(d.glob("*.vg")), f"{d.name} has no spec"


def test_every_case_study_has_a_row_in_the_index() -> None:
    index = (GALLERY / "README.md").read_text()
    rows = set(re.findall(r"^\| \[([\w-]+)\]\(([\w-]+)/README\.md\)", index, re.M))
    for d in folders():
        assert (d.name, d.name) in rows, f"case_studies/README.md has no row for {d.name}"
    for name, _ in rows:
        assert (GALLERY / name).is_dir(), f"the index lists {name}, which is not a folder"
