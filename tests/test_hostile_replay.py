"""`replay` treats a report as untrusted input (issue 15, item 4): the spec
path it names is read only inside the report's directory or the current
directory, only as a regular file within the size limit (never a device, a
FIFO or standard input), and content of a file that is not a spec is never
echoed.  Crafted reports point at /etc/passwd, /dev/zero, a FIFO, ``../``
paths and symbolic links; huge numbers and deep nesting in the report are
refused without a traceback."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "specs" / "protocols" / "entry_deterrence.vg"


def real_report(cli: Any, tmp: Path) -> tuple[Path, dict[str, Any]]:
    """A genuine report next to a copy of its spec, in ``tmp``."""
    spec = tmp / "game.vg"
    shutil.copy(SPEC, spec)
    out = tmp / "report.json"
    res = cli("check", "game.vg", "--format", "json", "-o", str(out), cwd=tmp)
    assert res.code in (0, 1), res
    return out, json.loads(out.read_text())


def crafted(tmp: Path, doc: dict[str, Any], spec_path: str) -> Path:
    d = json.loads(json.dumps(doc))
    d["reports"][0]["spec"]["path"] = spec_path
    p = tmp / "crafted.json"
    p.write_text(json.dumps(d))
    return p


def replay(cli: Any, report: Path, *extra: str, cwd: Path) -> Any:
    res = cli("replay", str(report), "--format", "json", *extra, cwd=cwd)
    assert res.code in (0, 1, 2), res
    assert "Traceback" not in res.out + res.err
    return res


def test_genuine_report_replays(cli: Any, tmp_path: Path) -> None:
    rep, _ = real_report(cli, tmp_path)
    res = replay(cli, rep, cwd=tmp_path)
    assert res.code == 0, res.out
    # from another directory too: the spec is found next to the report
    other = tmp_path / "elsewhere"
    other.mkdir()
    assert replay(cli, rep, cwd=other).code == 0


@pytest.mark.parametrize("target", ["/etc/passwd", "../../../../../../etc/passwd", "/dev/zero", "/dev/stdin",
                                    "/proc/self/environ", "/dev/random"])
def test_paths_outside_the_allowed_trees_are_refused(cli: Any, tmp_path: Path, target: str) -> None:
    _, doc = real_report(cli, tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    bad = crafted(tmp_path, doc, target)
    res = replay(cli, bad, cwd=work)
    assert res.code == 1
    found = json.loads(res.out)
    text = json.dumps(found)
    assert "outside the allowed directories" in text or "not found" in text
    assert "root:" not in res.out + res.err  # nothing of /etc/passwd is shown


def test_symlink_out_of_the_tree_is_refused(cli: Any, tmp_path: Path) -> None:
    _, doc = real_report(cli, tmp_path)
    (tmp_path / "link.vg").symlink_to("/etc/passwd")
    work = tmp_path / "work"
    work.mkdir()
    res = replay(cli, crafted(tmp_path, doc, "link.vg"), cwd=work)
    assert res.code == 1 and "outside the allowed directories" in res.out
    assert "root:" not in res.out + res.err


def test_special_files_inside_the_tree_are_never_read(cli: Any, tmp_path: Path) -> None:
    _, doc = real_report(cli, tmp_path)
    fifo = tmp_path / "pipe.vg"
    os.mkfifo(fifo)
    dev = tmp_path / "zero.vg"
    dev.symlink_to("/dev/zero")  # resolves outside: refused before any read
    for name in ("pipe.vg", "zero.vg"):
        done: list[Any] = []
        t = threading.Thread(target=lambda n=name: done.append(replay(cli, crafted(tmp_path, doc, n),
                                                                     cwd=tmp_path)), daemon=True)
        t.start()
        t.join(30)
        assert done, f"replay hung on {name}"
        assert done[0].code == 1
        assert "not a regular file" in done[0].out or "outside the allowed" in done[0].out


def test_non_spec_content_is_not_echoed(cli: Any, tmp_path: Path) -> None:
    _, doc = real_report(cli, tmp_path)
    secret = tmp_path / "notes.txt"
    secret.write_text("password = hunter2-do-not-show\n")
    res = replay(cli, crafted(tmp_path, doc, "notes.txt"), cwd=tmp_path)
    assert res.code == 1
    assert "hunter2" not in res.out + res.err
    assert "does not load as a verigroup spec" in res.out


def test_spec_on_the_command_line(cli: Any, tmp_path: Path) -> None:
    _, doc = real_report(cli, tmp_path)
    bad = crafted(tmp_path, doc, "/etc/passwd")
    work = tmp_path / "work"
    work.mkdir()
    res = replay(cli, bad, "--spec", str(tmp_path / "game.vg"), cwd=work)
    # the spec is the right one; only the recorded path differs
    assert "outside" not in res.out and "root:" not in res.out


@pytest.mark.parametrize("payload", [
    '{"schema": "verigroup.check/1", "reports": [' + "[" * 100_000 + "]" * 100_000 + "]}",
    '{"schema": "verigroup.check/1", "reports": 1' + "0" * 10_000 + "}",
])
def test_hostile_json_is_refused(cli: Any, tmp_path: Path, payload: str) -> None:
    p = tmp_path / "r.json"
    p.write_text(payload)
    res = cli("replay", str(p), cwd=tmp_path)
    assert res.code == 2, res
    assert "Traceback" not in res.err


def test_huge_numbers_in_evidence_are_mismatches(cli: Any, tmp_path: Path) -> None:
    rep, doc = real_report(cli, tmp_path)
    text = rep.read_text()
    # every exact number in the report becomes absurdly large
    for big in ("1e999999999", "9" * 5000, "1/" + "7" * 5000):
        d = json.loads(text)
        for pr in d["reports"][0]["properties"]:
            ev = pr.get("evidence")
            if isinstance(ev, dict) and "payoffs" in ev and isinstance(ev["payoffs"], dict):
                for k in ev["payoffs"]:
                    ev["payoffs"][k] = big
        p = tmp_path / "big.json"
        p.write_text(json.dumps(d))
        res = replay(cli, p, cwd=tmp_path)
        assert res.code in (0, 1)


def test_report_that_is_a_device_is_refused(cli: Any, tmp_path: Path) -> None:
    res = cli("replay", "/dev/zero", cwd=tmp_path)
    assert res.code == 2 and "not a regular file" in res.err
