"""Batches: ``verigroup check`` on many specs through the same executors as
sweeps, so a CI audit of hundreds of specs uses every core (``--jobs N``,
``--backend serial|processes|dask``).

Each job is a spec path plus its overrides; the worker returns the
:class:`~verigroup.api.Report` (plain frozen records, picklable) or the
rendered diagnostics of a spec that does not load.  Results are handed back
in the order the specs were given, whatever order they finish in; a caller
may print each one as soon as every earlier one is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from verigroup.runtime.executors import Executor


@dataclass(frozen=True)
class BatchItem:
    path: str
    report: Any = None         # verigroup.api.Report when the spec loaded
    error: str = ""            # rendered diagnostics when it did not
    unknown: str = ""          # loading ran out of time (inconclusive, not bad input)
    failed: str = ""           # the worker died / the task was lost

    @property
    def ok(self) -> bool:
        return self.report is not None


def check_spec(job: Mapping[str, Any]) -> BatchItem:
    """Worker side: load and check one spec."""
    from verigroup import api
    from verigroup.diagnostics import SpecError
    from verigroup.runtime import DeadlineExceeded, deadline

    timeout = job.get("timeout")
    try:
        with deadline(timeout):
            model = api.load(job["path"], job.get("overrides") or {})
    except SpecError as exc:
        return BatchItem(job["path"], error=exc.render())
    except DeadlineExceeded:
        return BatchItem(job["path"], unknown=f"loading did not finish within the {timeout:g} s timeout")
    rep = api.check_model(model, timeout=timeout, method=job.get("method", "auto"))
    return BatchItem(job["path"], report=rep)


def check_many(paths: Sequence[str], overrides: Sequence[Mapping[str, str]], executor: Executor,
               timeout: float | None = None, method: str = "auto") -> Iterator[tuple[int, BatchItem]]:
    """Yield ``(index, item)`` in the order of ``paths`` as soon as each
    item and every earlier one are finished."""
    jobs = [{"path": p, "overrides": dict(o), "timeout": timeout, "method": method}
            for p, o in zip(paths, overrides)]
    ready: dict[int, BatchItem] = {}
    nxt = 0
    for i, (status, value) in executor.run(check_spec, jobs):
        ready[i] = value if status == "ok" else BatchItem(paths[i], failed=str(value))
        while nxt in ready:
            yield nxt, ready.pop(nxt)
            nxt += 1
