"""The bottom of the stage order stays at the bottom: the IR, the syntax
tree, verdict records, diagnostics and the runtime import no stage above
them (module-level or inside functions).  Found by reading every import of
the package's source, so a new upward import fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "verigroup"

# package -> the verigroup packages it may import
ALLOWED = {
    "runtime": set(),
    "diagnostics": set(),
    "verdicts": {"diagnostics"},
    "syntax": {"diagnostics", "runtime"},
    "model": {"diagnostics", "runtime"},
}


def imports_of(package: str) -> set[tuple[str, str]]:
    """(imported verigroup package, importing file) for every import."""
    base = PKG / package
    files = list(base.rglob("*.py")) if base.is_dir() else [PKG / f"{package}.py"]
    found: set[tuple[str, str]] = set()
    for f in files:
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.ImportFrom) and node.level > 0:
                raise AssertionError(f"{f}: relative import (the tree uses absolute imports)")
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "verigroup" and len(parts) > 1 and parts[1] != package:
                    found.add((parts[1], str(f.relative_to(PKG.parent))))
    return found


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_bottom_layers_import_only_below(package: str) -> None:
    bad = sorted((target, f) for target, f in imports_of(package) if target not in ALLOWED[package])
    assert not bad, f"{package} imports upward: {bad}"


def test_the_check_itself_sees_imports() -> None:
    """The scan is not vacuous: the model does import the diagnostics."""
    assert ("diagnostics", "verigroup/model/model.py") in imports_of("model") or any(
        t == "diagnostics" for t, _ in imports_of("model"))
