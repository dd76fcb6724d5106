"""Issue 15 items 6, 11, 12, 13: usage errors for bad budgets and output
paths, `--timeout` on every command, streaming `check`, the no-property
warning and `--require-properties`, per-spec `--set`, and size refusals that
only suggest what the command can do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PD = "specs/prisoners_dilemma.vg"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "0", "abc"])
@pytest.mark.parametrize("command", [["check", PD], ["solve", PD], ["show", PD], ["export", PD],
                                     ["explain", PD]])
def test_bad_timeouts_are_usage_errors(cli, command: list[str], value: str) -> None:
    res = cli(*command, "--timeout", value)
    assert res.code == 2, res
    assert "E401" in res.err and "--timeout" in res.err and "internal error" not in res.err


def test_replay_takes_timeout(cli, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    assert cli("check", PD, "--format", "json", "-o", str(report)).code in (0, 1)
    assert cli("replay", str(report), "--timeout", "nan").code == 2
    assert cli("replay", str(report), "--timeout", "120").code == 0


def test_output_to_missing_directory_or_directory_is_usage_error(cli, tmp_path: Path) -> None:
    for target in (tmp_path / "missing" / "r.json", tmp_path):
        res = cli("check", PD, "--format", "json", "-o", str(target))
        assert res.code == 2 and "E401" in res.err and "-o" in res.err, res
    res = cli("export", PD, "-o", str(tmp_path / "nope" / "g.nfg"))
    assert res.code == 2 and "does not exist" in res.err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_output_to_full_device_is_an_error_not_a_crash(tmp_path: Path) -> None:
    # A device is written through (never replaced by a renamed file); the
    # ENOSPC of /dev/full is a usage error with the reason, not a crash.
    import stat

    from verigroup.cli.main import write_atomically
    from verigroup.diagnostics import SpecError

    with pytest.raises(SpecError) as ei:
        write_atomically("/dev/full", "x" * 10)
    assert "No space left" in ei.value.render()
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # still the device
    write_atomically("/dev/null", "fine")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_atomic_write_keeps_old_file_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from verigroup.cli.main import write_atomically
    from verigroup.diagnostics import SpecError

    target = tmp_path / "r.txt"
    target.write_text("old\n")

    def boom(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(SpecError) as ei:
        write_atomically(str(target), "new\n")
    assert "No space left" in ei.value.render()
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]
    monkeypatch.undo()
    write_atomically(str(target), "new\n")
    assert target.read_text() == "new\n"


def test_loading_runs_under_the_budget(cli, tmp_path: Path) -> None:
    """Loading (parse, constant folding) is covered by --timeout: a spec that
    takes longer to load than the budget is UNKNOWN (exit 3), reported on
    stderr, and does not stop the other specs."""
    spec = tmp_path / "slow.vg"
    n = 3000
    body = ["game slow", "agents a[1..2]: actions x, y"]
    body += [f"param c{i} = {i} * 2 + 1" for i in range(n)]
    body.append("payoff a[i] = " + " + ".join(f"c{i}" for i in range(0, n, 10)))
    spec.write_text("\n".join(body) + "\n")
    res = cli("check", str(spec), "--timeout", "0.001")
    assert res.code == 3, res
    assert "loading did not finish within the 0.001 s timeout" in res.err
    both = cli("check", str(spec), PD, "--timeout", "0.001")
    assert both.out.count(PD) + both.err.count(PD) >= 1  # the next spec was still attempted


def test_no_properties_warns_and_strict_fails(cli, tmp_path: Path) -> None:
    spec = tmp_path / "empty.vg"
    spec.write_text("game e\nagents a, b: actions x, y\npayoff a = 1\npayoff b = 1\n")
    res = cli("check", str(spec))
    assert res.code == 0 and "warning" in res.err and "no properties" in res.err
    strict = cli("check", str(spec), "--require-properties")
    assert strict.code == 2 and "no properties" in strict.err
    assert cli("check", str(spec), "--strict").code == 2
    nfg = tmp_path / "g.nfg"
    nfg.write_text('NFG 1 R "g" { "A" "B" } { 2 2 }\n1 1 0 0 0 0 1 1\n')
    res = cli("check", str(nfg))
    assert res.code == 0 and "Gambit" in res.err and "no properties" in res.err
    assert cli("check", str(nfg), "--require-properties").code == 2
    # A spec with properties passes --require-properties quietly.
    ok = cli("check", PD, "--require-properties")
    assert "no properties" not in ok.err and ok.code != 2


def test_set_applies_only_to_specs_that_declare_it(cli) -> None:
    res = cli("check", "specs/public_goods.vg", PD, "--set", "r=5", "--format", "json")
    assert res.code in (0, 1, 3), res
    doc = json.loads(res.out)
    by_spec = {r["spec"]["path"]: r["spec"]["params"] for r in doc["reports"]}
    assert by_spec["specs/public_goods.vg"]["r"] == "5"
    assert len(doc["reports"]) == 2


def test_set_no_spec_declares_is_an_error(cli) -> None:
    res = cli("check", "specs/public_goods.vg", PD, "--set", "zz=5")
    assert res.code == 2 and "E109" in res.err and "zz" in res.err
    one = cli("solve", PD, "--set", "zz=5")
    assert one.code == 2 and "E109" in one.err


def test_check_streams_each_spec_as_it_is_done(tmp_path: Path) -> None:
    """The first spec's result is on stdout before the second spec is done."""
    slow = tmp_path / "slow.vg"
    slow.write_text(_slow_spec())
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.pop("VERIGROUP_PROGRESS", None)
    proc = subprocess.Popen([sys.executable, "-m", "verigroup", "check", PD, str(slow), "--timeout", "60"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    early = proc.poll() is None
    proc.terminate()  # the second spec's long work is not needed
    _, err = proc.communicate(timeout=60)
    assert first.startswith(PD)
    assert early, "the first spec's result was printed only after everything finished"
    assert "\x1b[K" not in err  # stderr is not a terminal: no progress line


def _slow_spec() -> str:
    import random

    rng = random.Random(3)
    lines = ["game slow", "agents p[1..5]: actions a, b, c"]
    for i in range(1, 6):
        terms = " + ".join(f"{rng.randint(1, 9)} * (1 if p[{j}] == {act} else 0)"
                           for j in range(1, 6) for act in ("a", "b", "c") if rng.random() < 0.5)
        lines.append(f"payoff p[{i}] = (1 if p[{i}] == a else 2) * ({terms or '1'})")
    lines.append('property "m": exists mixed nash')
    return "\n".join(lines) + "\n"


def test_solve_size_refusal_suggests_only_what_exists(cli, tmp_path: Path) -> None:
    """Every `verigroup CMD --method M` a size refusal suggests is accepted
    by CMD (solve used to suggest `--method z3`, which it rejects)."""
    import re

    spec = tmp_path / "big.vg"
    spec.write_text("game big\nagents a[1..100]: actions x, y\npayoff a[i] = 1 if a[i] == x else 0\n"
                    "metric welfare = sum(i in 1..100: payoff(a[i]))\n"
                    'property "p": for every nash p: welfare(p) >= 0\n')
    res = cli("solve", str(spec))
    assert res.code == 2 and "E202" in res.err, res
    assert "use counting" not in res.err
    suggested = re.findall(r"verigroup (\w+) --method (\w+)", res.err)
    assert suggested, res.err
    for command, method in suggested:
        again = cli(command, "--method", method, str(spec), "--timeout", "60")
        assert again.code != 2, (command, method, again)


def test_error_codes_are_documented() -> None:
    text = (ROOT / "docs" / "language.md").read_text()
    for code in ("E202", "E401"):
        assert f"| {code} |" in text, code


def test_solve_does_not_rebuild_the_table_after_the_deadline(tmp_path: Path) -> None:
    """A 4-million-profile table cannot be built in 0.3 s: the solve ends at
    its budget, incomplete, and nothing rebuilds the table afterwards (it
    used to: a 5 s budget became 21 s)."""
    import time

    import verigroup

    spec = tmp_path / "big.vg"
    spec.write_text("game big\nagents a[1..22]: actions x, y\n"
                    "payoff a[i] = sum(j in 1..22: (1 if a[j] == x else 0)) * (2 if a[i] == y else 1)"
                    " - (3 if a[i] == x else 0)\n")
    model = verigroup.load(spec)
    t = time.monotonic()
    sol = model.equilibria("nash", timeout=0.3)
    took = time.monotonic() - t
    assert not sol.complete and "timeout" in sol.reason
    assert "game" not in model._cache
    assert took < 2.5, took
