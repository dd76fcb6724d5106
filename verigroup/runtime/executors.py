"""Executors: run many independent jobs serially, in local processes, or on
a Dask cluster, behind one seam.

A job is a top-level function and a picklable argument (spec text plus
parameter values, never solver objects); it returns a JSON-shaped value.
:meth:`Executor.run` yields ``(index, outcome)`` pairs as jobs finish, in any
order; callers order results by index, so the output never depends on the
backend or the worker count.  An outcome is ``("ok", value)`` or
``("failed", reason)`` when the job could not be run to completion even after
one retry (a worker process died, the cluster lost it): the caller turns that
into UNKNOWN, never into a verdict.

This module imports nothing of verigroup: it is the ground floor.
"""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Protocol, Sequence

Outcome = tuple[str, Any]  # ("ok", value) | ("failed", reason)
Job = Callable[[Any], Any]

#: Attempts per job before it is reported as failed (a dead worker, a lost task).
MAX_ATTEMPTS = 2


class ExecutorError(Exception):
    """A backend cannot start (bad scheduler address, missing package)."""


class Executor(Protocol):
    name: str
    workers: int

    def run(self, fn: Job, items: Sequence[Any]) -> Iterator[tuple[int, Outcome]]:
        """Yield ``(index, outcome)`` for every item, as each finishes."""

    def close(self) -> None:
        """Release workers (idempotent)."""


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


# ------------------------------------------------------------------ serial


@dataclass
class SerialExecutor:
    name: str = "serial"
    workers: int = 1

    def run(self, fn: Job, items: Sequence[Any]) -> Iterator[tuple[int, Outcome]]:
        for i, item in enumerate(items):
            yield i, ("ok", fn(item))

    def close(self) -> None:
        pass


# --------------------------------------------------------------- processes


def _worker_init() -> None:
    # The parent owns Ctrl-C: it stops handing out work and terminates the
    # workers, so a worker must not die half-way through writing a result.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A forked worker inherits the parent's signal plumbing: its wakeup fd
    # (a signal here must not reach the parent's watcher) and its SIGTERM
    # handler (terminating a worker must simply end it).
    try:
        signal.set_wakeup_fd(-1)
    except ValueError:  # pragma: no cover - not the main thread
        pass
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class ProcessExecutor:
    """Local worker processes (``concurrent.futures``).  Forked when the
    parent has no non-daemon threads (fast start), spawned otherwise.  A job whose
    worker dies is retried once in a fresh pool, then reported failed."""

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._pool: Any = None

    def _new_pool(self) -> Any:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # Fork (fast: the workers inherit the imported modules) unless a
        # non-daemon thread could hold a lock at fork time; daemon helper
        # threads (the signal watcher, a progress monitor) hold none across it.
        others = [t for t in threading.enumerate() if t is not threading.main_thread()]
        method = "fork" if (os.name == "posix" and all(t.daemon for t in others)
                            and "fork" in multiprocessing.get_all_start_methods()) else "spawn"
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context(method),
                                   initializer=_worker_init)

    def run(self, fn: Job, items: Sequence[Any]) -> Iterator[tuple[int, Outcome]]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        attempts = [0] * len(items)
        pending = list(range(len(items)))
        while pending:
            if self._pool is None:
                self._pool = self._new_pool()
            futures = {}
            for i in pending:
                attempts[i] += 1
                futures[self._pool.submit(fn, items[i])] = i
            pending = []
            broken = False
            live = set(futures)
            while live:
                done, live = wait(live, timeout=0.2, return_when=FIRST_COMPLETED)
                for fut in done:
                    i = futures[fut]
                    try:
                        value = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        if attempts[i] < MAX_ATTEMPTS:
                            pending.append(i)
                        else:
                            yield i, ("failed", f"worker process died (after {attempts[i]} attempts)")
                        continue
                    yield i, ("ok", value)
            if broken:
                self._shutdown(kill=True)
            pending.sort()

    def _shutdown(self, kill: bool) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:
            for proc in list(getattr(pool, "_processes", {}).values()):
                try:
                    proc.terminate()
                except Exception:  # pragma: no cover - already gone
                    pass
        pool.shutdown(wait=not kill, cancel_futures=True)

    def close(self) -> None:
        self._shutdown(kill=True)


# -------------------------------------------------------------------- dask


class DaskExecutor:
    """A Dask ``distributed`` cluster: a ``LocalCluster`` started here, or an
    existing scheduler at ``address``.  Tasks are submitted with ``pure=False``
    (every point is its own task) and results gathered as they complete;
    Dask itself re-runs a task whose worker died (``allowed_failures``), and a
    task that still fails is reported failed."""

    name = "dask"

    def __init__(self, workers: int | None = None, address: str | None = None,
                 connect_timeout: float = 5.0) -> None:
        try:
            import dask  # noqa: F401
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - extra not installed
            raise ExecutorError("the dask backend needs the `dask` extra: pip install 'verigroup[dask]'") from exc
        import logging

        for name in ("distributed", "distributed.worker", "distributed.scheduler", "distributed.nanny",
                     "distributed.core", "distributed.comm"):
            logging.getLogger(name).setLevel(logging.ERROR)
        self._cluster: Any = None
        if address is None:
            self.workers = workers or default_workers()
            self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=logging.ERROR)
            self._client = Client(self._cluster, set_as_default=False)
        else:
            try:
                self._client = Client(address, timeout=connect_timeout, set_as_default=False)
            except (OSError, TimeoutError) as exc:
                raise ExecutorError(f"cannot reach the Dask scheduler at {address} within "
                                    f"{connect_timeout:g} s ({type(exc).__name__})") from exc
            info = self._client.scheduler_info()
            self.workers = max(1, len(info.get("workers", {})))

    def run(self, fn: Job, items: Sequence[Any]) -> Iterator[tuple[int, Outcome]]:
        from distributed import as_completed

        futures = self._client.map(fn, list(items), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        try:
            for fut in as_completed(futures, loop=self._client.loop):
                i = index[fut.key]
                try:
                    yield i, ("ok", fut.result())
                except Exception as exc:  # KilledWorker, CommClosedError …
                    yield i, ("failed", f"dask task failed: {type(exc).__name__}")
        finally:
            for f in futures:
                if not f.done():
                    f.cancel()

    def close(self) -> None:
        try:
            self._client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()


def make_executor(backend: str, workers: int | None = None, address: str | None = None) -> Executor:
    """``serial``, ``processes`` (``workers`` defaults to the machine's cores)
    or ``dask`` (a LocalCluster, or the scheduler at ``address``)."""
    if address is not None:
        return DaskExecutor(workers, address)
    if backend == "serial" or (backend == "processes" and workers == 1):
        return SerialExecutor()
    if backend == "processes":
        return ProcessExecutor(workers)
    if backend == "dask":
        return DaskExecutor(workers)
    raise ExecutorError(f"unknown backend {backend!r}: use serial, processes or dask")
