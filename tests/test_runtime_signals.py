"""Ctrl-C and SIGTERM on a real ``verigroup`` process doing long Z3-backed
work: it must end within about a second, exit 130 (SIGINT) / 143 (SIGTERM),
print the partial results marked incomplete, and never leave a half-written
``-o`` file.  A progress line appears on a terminal only."""

from __future__ import annotations

import json
import os
import pty
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _nfg(path: Path, agents: int = 5, actions: int = 3, seed: int = 7) -> Path:
    """A random n-agent game: exact support enumeration over 7^5 support
    profiles of Z3 nonlinear systems takes minutes."""
    rng = random.Random(seed)
    n_prof = actions ** agents
    pays = " ".join(str(rng.randint(-9, 9)) for _ in range(n_prof * agents))
    names = " ".join(f'"p{i}"' for i in range(agents))
    path.write_text(f'NFG 1 R "long" {{ {names} }} {{ {" ".join([str(actions)] * agents)} }}\n{pays}\n')
    return path


def _start(*argv: str, **kw: object) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1", VERIGROUP_PROGRESS="1")
    return subprocess.Popen([sys.executable, "-m", "verigroup", *argv], cwd=ROOT, env=env, text=True,
                            stdout=kw.pop("stdout", subprocess.PIPE), stderr=kw.pop("stderr", subprocess.PIPE),
                            **kw)  # type: ignore[call-overload]


def _wait_for(proc: subprocess.Popen[str], marker: str, stream: str = "stderr", limit: float = 120) -> str:
    """Read the process's stream until ``marker`` appears (the work has
    really started: on a loaded machine a fixed sleep is not enough)."""
    pipe = getattr(proc, stream)
    fd = pipe.fileno()
    seen = b""
    end = time.monotonic() + limit
    while marker.encode() not in seen:
        if time.monotonic() > end or proc.poll() is not None:
            pytest.fail(f"{marker!r} never appeared on {stream}: {seen[-500:]!r}")
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            seen += os.read(fd, 65536)
    return seen.decode("utf-8", "replace")


def _signal_after_work(proc: subprocess.Popen[str], sig: int, marker: str, stream: str = "stderr",
                       more: float = 1.5) -> tuple[float, str]:
    early = _wait_for(proc, marker, stream)
    time.sleep(more)  # now deep inside the long work
    assert proc.poll() is None, "the command finished before it could be interrupted"
    t0 = time.monotonic()
    proc.send_signal(sig)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"signal {sig} did not stop the process within 10 s")
    return time.monotonic() - t0, early


def test_ctrl_c_stops_mixed_solving_of_a_5_agent_game(tmp_path: Path) -> None:
    game = _nfg(tmp_path / "g.nfg")
    proc = _start("solve", str(game), "--concept", "mixed", "--format", "json")
    took, _ = _signal_after_work(proc, signal.SIGINT, "solving mixed_nash")
    out, err = proc.communicate()
    assert proc.returncode == 130, (proc.returncode, err[-2000:])
    assert took < 2.0, f"exit took {took:.2f} s after SIGINT"
    doc = json.loads(out)
    assert doc["complete"] is False and doc["interrupted"] == "interrupted"
    assert "incomplete" in err and "Traceback" not in err


def test_ctrl_c_during_check_prints_partial_report(tmp_path: Path) -> None:
    game = _nfg(tmp_path / "g.nfg")
    spec = tmp_path / "quick.vg"
    spec.write_text("game quick\nagents a, b: actions x, y\npayoff a = 1 if a == x else 0\n"
                    "payoff b = 1 if b == y else 0\nproperty \"exists\": exists nash\n")
    # The quick spec is checked first; the long solve is a mixed property of
    # an .nfg-like spec: here the second argument is long work in `check`.
    long_spec = tmp_path / "long.vg"
    long_spec.write_text(_long_mixed_spec())
    proc = _start("check", str(spec), str(long_spec))
    took, early = _signal_after_work(proc, signal.SIGINT, "HOLDS", stream="stdout")
    out, err = proc.communicate()
    out = early + out
    assert proc.returncode == 130, (proc.returncode, out[-1000:], err[-2000:])
    assert took < 2.0, f"exit took {took:.2f} s after SIGINT"
    assert "HOLDS" in out and "exists" in out           # the finished spec
    assert "interrupted" in out                         # the property cut short is UNKNOWN (interrupted)
    assert "results are incomplete" in err
    assert game.exists()


def _long_mixed_spec() -> str:
    """A 5-agent, 3-action spec whose mixed-equilibrium property needs the
    Z3 support enumeration over 7^5 supports."""
    rng = random.Random(11)
    lines = ["game long", "agents p[1..5]: actions a, b, c"]
    for i in range(1, 6):
        terms = " + ".join(f"{rng.randint(1, 9)} * (1 if p[{j}] == {act} else 0)"
                           for j in range(1, 6) for act in ("a", "b", "c") if rng.random() < 0.5)
        lines.append(f"payoff p[{i}] = (1 if p[{i}] == a else 2) * ({terms or '1'}) - "
                     f"{rng.randint(1, 5)} * (1 if p[{i}] == c else 0) * (1 if p[{(i % 5) + 1}] == c else 0)")
    lines.append('property "m": exists mixed nash')
    lines.append('property "later": exists nash')
    return "\n".join(lines) + "\n"


def test_sigterm_leaves_no_half_written_output(tmp_path: Path) -> None:
    game = _nfg(tmp_path / "g.nfg")
    target = tmp_path / "out.json"
    target.write_text("previous complete report\n")
    proc = _start("solve", str(game), "--concept", "mixed", "--format", "json", "-o", str(target))
    _signal_after_work(proc, signal.SIGTERM, "solving mixed_nash", more=1.0)
    _, err = proc.communicate()
    assert proc.returncode == 143, err[-3000:]
    text = target.read_text()
    # Either the old file, untouched, or a complete new JSON document.
    assert text == "previous complete report\n" or json.loads(text)["interrupted"] == "terminated"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_progress_on_a_terminal_only() -> None:
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "VERIGROUP_PROGRESS"}
    proc = subprocess.Popen([sys.executable, "-m", "verigroup", "check", "specs/prisoners_dilemma.vg"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.5)
        if r:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=60)
    os.close(master)
    tty_err = b"".join(chunks).decode("utf-8", "replace")
    assert "property 1/" in tty_err and "\x1b[K" in tty_err
    # (stderr that is not a terminal gets no progress: test_runtime.py and
    # test_cli_frictions.py::test_check_streams_each_spec_as_it_is_done)
