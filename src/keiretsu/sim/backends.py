"""Where the chunks of a run are computed: this process, local joblib processes, or Dask.

One abstraction, :class:`Backend`, with one operation::

    backend.map(fn, items, shared) -> iterator of fn(*shared, item), in the order of items

used by the Monte Carlo runner (:func:`keiretsu.sim.runner.run_chunks`) and so by every
study built on it (simulate, drill, sweep). Three implementations:

* :class:`LocalBackend` (the default): ``workers == 1`` runs every item in this process;
  ``workers > 1`` hands them to a joblib (loky) process pool, results in order;
* :class:`DaskBackend`: a ``dask.distributed`` cluster, either an existing one
  (``DaskBackend.connect("tcp://HOST:PORT")``) or a local one started for the run
  (``DaskBackend.local(n_workers)``). ``shared`` (scenario, plan, ...) is scattered to
  every worker once, not pickled into each task; at most ``window`` tasks are in flight
  (default: 2 per worker) so finished results never pile up on the cluster while this
  process writes the ones before them.

Which backend computes an item never changes its result: every random number of a
replication comes from streams keyed by (seed, replication, purpose).

**Failures.** Every item is attempted at most twice, in the worker that runs it: a task
that raises is retried once (the same pure call, so the same numbers); if the retry
raises too, :class:`TaskError` names the item (``describe(item)``) and carries both
errors' messages, and the map stops (items after it are cancelled). No item is ever
silently dropped: the iterator yields exactly one result per item or raises. A worker
*process* that dies is the cluster's business: Dask reschedules its tasks on other
workers (``distributed.scheduler.allowed-failures``); joblib raises, and the caller
reports it.

**Fault injection (tests only).** ``KEIRETSU_INJECT_FAULT="REP[:TIMES]"`` in the
environment of the process that calls :meth:`Backend.map` through the runner makes the
chunk holding replication ``REP`` raise on its first ``TIMES`` attempts (default 1): with
1 the retry succeeds, with 2 the run fails naming that chunk. See
:func:`keiretsu.sim.runner.run_chunks`.
"""

from __future__ import annotations

import collections
import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from keiretsu.errors import InputError, KeiretsuError, Problem

ATTEMPTS = 2
"""Attempts per item: the first and one retry."""

DASK_HINT = "pip install keiretsu[dask]"


class TaskError(KeiretsuError):
    """An item failed on every attempt (the message names it and both errors)."""

    def __init__(self, message: str):
        super().__init__(message)


def attempt(fn: Callable[..., Any], shared: Sequence[Any], item: Any, label: str) -> Any:
    """``fn(*shared, item)``, retried once if it raises; :class:`TaskError` if both fail.

    Runs inside the worker, so a retry costs no round trip.
    """
    errors: list[str] = []
    for _ in range(ATTEMPTS):
        try:
            return fn(*shared, item)
        except Exception as exc:  # any error of the task; KeyboardInterrupt passes
            errors.append(f"{type(exc).__name__}: {exc}")
    tried = "; then ".join(errors)
    raise TaskError(f"{label} failed on all {ATTEMPTS} attempts: {tried}")


def ignore_sigint() -> None:
    """Worker initializer: leave Ctrl-C to the process that runs the pool."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Backend(Protocol):
    """Computes items of a run, in order (see the module docstring)."""

    @property
    def workers(self) -> int:
        """How many items run at once."""
        ...

    def describe(self) -> dict[str, Any]:
        """What the run manifest records: kind, workers and, for Dask, the scheduler."""
        ...

    def map(
        self,
        fn: Callable[..., Any],
        items: Sequence[Any],
        shared: Sequence[Any] = (),
        describe: Callable[[Any], str] = repr,
    ) -> Iterator[Any]:
        """``fn(*shared, item)`` for every item, yielded in the order of ``items``."""
        ...

    def close(self) -> None:
        """Release workers (a local Dask cluster is shut down)."""
        ...


class LocalBackend:
    """This process (``workers == 1``) or a joblib process pool (``workers > 1``)."""

    def __init__(self, workers: int = 1):
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self._workers = workers

    @property
    def workers(self) -> int:
        return self._workers

    def describe(self) -> dict[str, Any]:
        return {"kind": "local" if self._workers == 1 else "joblib", "workers": self._workers}

    def map(
        self,
        fn: Callable[..., Any],
        items: Sequence[Any],
        shared: Sequence[Any] = (),
        describe: Callable[[Any], str] = repr,
    ) -> Iterator[Any]:
        shared = tuple(shared)
        if self._workers == 1 or len(items) <= 1:
            return (attempt(fn, shared, item, describe(item)) for item in items)
        from joblib import Parallel, delayed, parallel_config

        # Ctrl-C reaches the whole process group: only this process handles it (closing
        # the pool); workers ignore it rather than dying mid-task with a traceback.
        warnings.filterwarnings("ignore", message=".*tasks have been successfully executed")
        with parallel_config(backend="loky", initializer=ignore_sigint):
            # one chunk per task (a chunk is already a vectorised batch): joblib's
            # auto-batching would group fast chunks, so progress and checkpoints would
            # jump and a Ctrl-C would find many chunks already done but not yet saved
            return Parallel(n_jobs=self._workers, return_as="generator", batch_size=1)(
                delayed(attempt)(fn, shared, item, describe(item)) for item in items
            )

    def close(self) -> None:
        pass

    def __enter__(self) -> LocalBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise InputError(
            Problem(
                "--scheduler/--cluster",
                0,
                0,
                "",
                f"the Dask backend needs dask.distributed, which is not installed "
                f"({exc.name or exc}): {DASK_HINT}",
            )
        ) from None
    return distributed


def _worker_version() -> str:
    """keiretsu's version on a Dask worker (checked when connecting)."""
    from keiretsu import __version__

    return __version__


class DaskBackend:
    """A ``dask.distributed`` cluster (existing, or local and started for the run)."""

    def __init__(self, client: Any, cluster: Any = None, window: int | None = None):
        self.client = client
        self._cluster = cluster  # owned: closed with the backend
        self._window = window
        self._check_workers()

    @classmethod
    def connect(cls, address: str, timeout_s: float = 10.0) -> DaskBackend:
        """Use the running cluster whose scheduler is at ``address`` (``tcp://HOST:PORT``)."""
        distributed = _import_distributed()
        try:
            client = distributed.Client(address, timeout=f"{timeout_s}s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise InputError(
                Problem(
                    "--scheduler", 0, 0, "", f"cannot reach a Dask scheduler at {address}: {exc}"
                )
            ) from None
        return cls(client)

    @classmethod
    def local(
        cls, n_workers: int, *, processes: bool = True, window: int | None = None
    ) -> DaskBackend:
        """Start a local cluster of ``n_workers`` single-threaded workers for the run.

        ``processes=False`` runs the workers as threads of this process (for tests: fast to
        start, but the simulation holds the GIL, so no speed-up).
        """
        if n_workers < 1:
            raise ValueError(f"a local cluster needs at least one worker, got {n_workers}")
        import signal
        import threading

        distributed = _import_distributed()
        # Worker processes started while SIGINT is ignored keep ignoring it (Python and
        # asyncio install no handler then): Ctrl-C is this process's to handle, by
        # closing the cluster, not the workers' (they would die printing tracebacks).
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            with warnings.catch_warnings():  # its HTTP port taken: it takes another, say no more
                warnings.filterwarnings("ignore", message="Port .* is already in use")
                cluster = distributed.LocalCluster(
                    n_workers=n_workers,
                    threads_per_worker=1,
                    processes=processes,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
        finally:
            if main:
                signal.signal(signal.SIGINT, previous)
        try:
            client = distributed.Client(cluster, set_as_default=False)
        except BaseException:
            cluster.close()
            raise
        return cls(client, cluster, window)

    def _check_workers(self) -> None:
        """Every worker must run this keiretsu (same version), or results could differ."""
        from keiretsu import __version__

        try:
            self.client.wait_for_workers(1, timeout=30)
            versions = self.client.run(_worker_version)
        except Exception as exc:
            self.close()
            raise InputError(
                Problem(
                    "--scheduler",
                    0,
                    0,
                    "",
                    f"the Dask workers cannot run keiretsu ({type(exc).__name__}: {exc}); "
                    f"install keiretsu {__version__} with {DASK_HINT} on every worker",
                )
            ) from None
        other = {w: v for w, v in versions.items() if v != __version__}
        if other:
            self.close()
            listed = ", ".join(f"{w} has {v}" for w, v in sorted(other.items()))
            raise InputError(
                Problem(
                    "--scheduler",
                    0,
                    0,
                    "",
                    f"Dask workers run another keiretsu than this one ({__version__}): {listed}",
                )
            )

    @property
    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info().get("workers", {})))

    @property
    def address(self) -> str:
        return str(self.client.scheduler.address)

    def describe(self) -> dict[str, Any]:
        return {
            "kind": "dask",
            "workers": self.workers,
            "scheduler": None if self._cluster is not None else self.address,
            "local_cluster": self._cluster is not None,
        }

    def map(
        self,
        fn: Callable[..., Any],
        items: Sequence[Any],
        shared: Sequence[Any] = (),
        describe: Callable[[Any], str] = repr,
    ) -> Iterator[Any]:
        return self._map(fn, list(items), tuple(shared), describe)

    def _map(
        self,
        fn: Callable[..., Any],
        items: list[Any],
        shared: tuple[Any, ...],
        describe: Callable[[Any], str],
    ) -> Iterator[Any]:
        if not items:
            return
        [shared_future] = self.client.scatter([shared], broadcast=True, hash=False)
        window = self._window or 2 * self.workers
        pending: collections.deque = collections.deque()
        queue = iter(items)

        def submit_next() -> None:
            item = next(queue, None)
            if item is not None:
                future = self.client.submit(
                    attempt, fn, shared_future, item, describe(item), pure=False
                )
                pending.append(future)

        try:
            for _ in range(window):
                submit_next()
            while pending:
                future = pending.popleft()
                result = future.result()
                future.release()
                submit_next()
                yield result
        finally:
            if pending:
                self.client.cancel(list(pending))
            shared_future.release()

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()
                self._cluster = None

    def __enter__(self) -> DaskBackend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parse_cluster(spec: str) -> int:
    """Workers of a ``--cluster`` spec: ``local:N`` (N >= 1)."""
    kind, _, count = spec.partition(":")
    if kind != "local" or not count.isdigit() or int(count) < 1:
        raise InputError(
            Problem("--cluster", 0, 0, "", f"expected local:N with N >= 1 workers, got {spec!r}")
        )
    return int(count)


def open_backend(
    workers: int = 1, scheduler: str | None = None, cluster: str | None = None
) -> LocalBackend | DaskBackend:
    """The backend a command asked for: ``scheduler`` (an existing Dask cluster),
    ``cluster`` (``local:N``: a local Dask cluster for the run) or ``workers`` local
    joblib processes (the default, 1: this process). Close it when done (it is a
    context manager)."""
    if scheduler is not None and cluster is not None:
        raise InputError(
            Problem("--scheduler", 0, 0, "", "give --scheduler or --cluster, not both")
        )
    if (scheduler is not None or cluster is not None) and workers != 1:
        option = "--scheduler" if scheduler is not None else "--cluster"
        raise InputError(
            Problem(
                "--workers",
                0,
                0,
                "",
                f"-j/--workers sets local joblib processes; with {option} the cluster's "
                "workers run the chunks (drop -j)",
            )
        )
    if scheduler is not None:
        return DaskBackend.connect(scheduler)
    if cluster is not None:
        return DaskBackend.local(parse_cluster(cluster))
    return LocalBackend(workers)
