"""Issue 15 item 16: the sdist carries what its tests and docs need (specs,
grammar, docs, LICENSE), the licence is the Apache-2.0 text the metadata
declares, and optional engines are named when missing."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", ".git", "__pycache__", "build", "dist", ".mypy_cache", ".pytest_cache", ".hypothesis"}


def _copy(dst: Path) -> Path:
    """The repository's committed and working files, without environments."""
    def ignore(d: str, names: list[str]) -> set[str]:
        return {n for n in names if n in SKIP or n.endswith(".egg-info") or n.endswith(".tmp")
                or (Path(d).name == "results" and Path(d).parent.name == "bench")}

    shutil.copytree(ROOT, dst, ignore=ignore)
    return dst


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    pytest.importorskip("build")
    src = _copy(tmp_path_factory.mktemp("src") / "verigroup")
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation", "--skip-dependency-check", "--outdir", str(out),
                           str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (tarball,) = out.glob("verigroup-*.tar.gz")
    with tarfile.open(tarball) as tf:
        return [n.split("/", 1)[1] for n in tf.getnames() if "/" in n]


def test_sdist_ships_specs_grammar_docs_tests_and_licence(sdist: list[str]) -> None:
    names = set(sdist)
    for spec in (ROOT / "specs").rglob("*.vg"):
        assert str(spec.relative_to(ROOT)) in names, spec
    for must in ("verigroup/grammar/verigroup.lark", "verigroup/py.typed", "LICENSE", "README.md",
                 "docs/ci-gate.md", "docs/language.md", "tests/conftest.py", "Makefile",
                 "verigroup/runtime/deadline.py"):
        assert must in names, must
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_licence_is_the_apache_text_the_metadata_declares() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text


def test_extras_keep_their_names_and_test_installs_everything() -> None:
    proj = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = proj["optional-dependencies"]
    assert {"dask", "sat", "plots", "all", "test", "engines"} <= set(extras)
    hard = " ".join(proj["dependencies"])
    assert "z3-solver" in hard and "pygambit" in hard and "open_spiel" not in hard
    assert "verigroup[engines" in " ".join(extras["all"]) and "verigroup[all]" in extras["test"]


def test_missing_openspiel_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import verigroup

    monkeypatch.setitem(sys.modules, "pyspiel", None)  # import pyspiel -> ModuleNotFoundError
    m = verigroup.load("specs/prisoners_dilemma.vg")
    with pytest.raises(ModuleNotFoundError, match=r"verigroup\[engines\]"):
        m.to_openspiel()
