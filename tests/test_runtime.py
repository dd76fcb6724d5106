"""The runtime layer: nested deadlines, cancellation, the finalizer rule,
progress on terminals only, and the import direction (runtime imports
nothing of verigroup; lower stages import the runtime, not analyses)."""

from __future__ import annotations

import ast
import gc
import io
import time
from pathlib import Path

import pytest

from verigroup import runtime
from verigroup.runtime import DeadlineExceeded, Interrupted, check_deadline, deadline, progress, remaining

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _clean_cancel():
    runtime.reset_cancel()
    yield
    runtime.reset_cancel()


def test_inner_budget_fires_and_outer_one_survives_it() -> None:
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        with deadline(0.4):
            with pytest.raises(DeadlineExceeded):
                with deadline(0.05):
                    while True:  # plain Python that never polls: the alarm stops it
                        pass
            assert time.monotonic() - t0 < 0.3
            while True:  # the outer timer is re-armed after the inner block
                pass
    assert 0.35 < time.monotonic() - t0 < 2.0


def test_earliest_end_wins_when_inner_is_longer() -> None:
    t0 = time.monotonic()
    with pytest.raises(DeadlineExceeded):
        with deadline(0.1):
            with deadline(30):
                while True:
                    pass
    assert time.monotonic() - t0 < 1.0


def test_poll_and_remaining() -> None:
    assert remaining() is None
    check_deadline()  # no budget: nothing happens
    with deadline(5):
        r = remaining()
        assert r is not None and 4 < r <= 5
        runtime.request_cancel("interrupted")
        assert remaining() == 0.0
        with pytest.raises(Interrupted):
            check_deadline()
    assert runtime.cancel_reason() == "interrupted"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0, 0.0])
def test_budgets_must_be_positive_and_finite(bad: float) -> None:
    with pytest.raises(ValueError):
        with deadline(bad):
            pass


def test_interrupted_is_a_deadline_for_engines_that_return_partial_results() -> None:
    assert issubclass(Interrupted, DeadlineExceeded)


class _Slow:
    def __del__(self) -> None:
        t = time.monotonic()
        while time.monotonic() - t < 0.15:
            pass


def test_alarm_in_a_finalizer_is_not_lost() -> None:
    """The deadline fires while a finalizer runs: it must neither print
    "Exception ignored" nor be forgotten (the old handler lost it).  Run in a
    fresh interpreter: SIGALRM is process state, and the suite's other tests
    (in-process CLI runs, report rendering) must not decide this one."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent('''
        import gc, time
        from verigroup.runtime import DeadlineExceeded, deadline

        class Slow:
            def __del__(self):
                t = time.monotonic()
                while time.monotonic() - t < 0.15:
                    pass

        t0 = time.monotonic()
        try:
            with deadline(0.05):
                x = Slow()
                del x  # the finalizer runs past the deadline
                gc.collect()
                while time.monotonic() - t0 < 10:  # bounded: a lost alarm fails, never hangs
                    pass
        except DeadlineExceeded:
            print("raised after", round(time.monotonic() - t0, 3))
        else:
            print("not raised")
    ''')
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.stdout.startswith("raised after"), (res.stdout, res.stderr)
    assert float(res.stdout.split()[-1]) < 1.5
    assert "Exception ignored" not in res.stderr


def test_progress_only_on_a_terminal() -> None:
    plain = io.StringIO()
    assert not progress.enable(plain)
    progress.status("check x.vg: property 1/2")
    assert plain.getvalue() == ""

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    try:
        assert progress.enable(tty)
        progress.status("check x.vg: property 1/2 'p' (Quantified)")
        time.sleep(0.11)
        progress.step(3, 7, "supports")
        progress.clear()
    finally:
        progress.disable()
    out = tty.getvalue()
    assert "property 1/2 'p'" in out and "supports 3/7" in out and out.endswith("\r\x1b[K")


def _imports(path: Path) -> set[str]:
    mods: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            mods.add(node.module)
        elif isinstance(node, ast.Import):
            mods.update(a.name for a in node.names)
    return mods


def test_runtime_imports_nothing_of_verigroup_but_itself() -> None:
    for f in (ROOT / "verigroup" / "runtime").glob("*.py"):
        bad = {m for m in _imports(f) if m.startswith("verigroup") and not m.startswith("verigroup.runtime")}
        assert not bad, (f.name, bad)


def test_lower_stages_do_not_import_analyses_or_higher() -> None:
    lower = ["solvers", "extensive", "evaluate", "backends", "model", "io", "resolve", "syntax"]
    upper = ("verigroup.analyses", "verigroup.api", "verigroup.cli", "verigroup.reports")
    for pkg in lower:
        for f in (ROOT / "verigroup" / pkg).glob("*.py"):
            bad = {m for m in _imports(f) if m.startswith(upper)}
            assert not bad, (f"{pkg}/{f.name}", bad)
    model_imports = _imports(ROOT / "verigroup" / "model" / "model.py")
    assert not {m for m in model_imports if m.startswith(("verigroup.evaluate", "verigroup.backends"))}


def test_highs_gets_the_budget_left() -> None:
    assert runtime.highs_options() == {}
    with deadline(10):
        opts = runtime.highs_options()
        assert 9 < opts["time_limit"] <= 10
    from scipy.optimize import linprog

    with deadline(5):
        res = linprog([1.0, 1.0], A_ub=[[-1.0, -1.0]], b_ub=[-1.0], method="highs",
                      options=runtime.highs_options())
    assert res.status == 0 and abs(res.fun - 1.0) < 1e-9


def test_alarm_never_breaks_an_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A budget that ends during ``import`` is raised after the import, not
    inside it (numpy turned such an exception into a bogus ImportError and
    the run became an internal error)."""
    mod = tmp_path / "slow_import_mod.py"
    mod.write_text("import time\nt = time.monotonic()\nwhile time.monotonic() - t < 0.3:\n    pass\nDONE = True\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import sys

    with pytest.raises(DeadlineExceeded):
        with deadline(0.05):
            import slow_import_mod  # noqa: F401
            while True:
                pass
    assert sys.modules["slow_import_mod"].DONE is True
