"""Monte Carlo runner: chunks of replications, in order, on any backend.

A replication is a pure function of (scenario, plan, replication index, seed): its
random numbers come from its own named streams (:mod:`keiretsu.sim.draws`) and its
state never touches another replication's. So the results are bit-identical for any
chunking and any backend (this process, joblib processes, a Dask cluster): a chunk
of replications ``range(a, b)`` is one task, simulated as one batch (vectorised across
its replications).

Chunk size (:func:`chunk_size`): as large as :func:`batch_size` allows (at most
:data:`MAX_BATCH` replications and about :data:`BATCH_BYTES` of arrays), because a
batch is vectorised across its replications and small ones cost more per replication
(measured on the bundled scenarios: 10-20 % more CPU per replication at 32 than at 64,
25-70 % more at 16); with several workers, the number of chunks is rounded up to a
multiple of the workers, so each gets as many chunks of the same size (no worker idles
at the end). Per-task overhead (pickling the scenario, a result round trip: a few ms)
is then small against a chunk's seconds of work. Ranges are as equal in size as
possible (:func:`chunk_ranges`).

Fault injection for tests: ``KEIRETSU_INJECT_FAULT="REP[:TIMES]"`` makes the chunk
holding replication ``REP`` raise :class:`InjectedFault` on its first ``TIMES`` attempts
(default 1; see :mod:`keiretsu.sim.backends` for the retry policy).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from keiretsu.scenario.disruptions import Drill
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.sim.backends import Backend, LocalBackend
from keiretsu.sim.draws import draw
from keiretsu.sim.engine import simulate
from keiretsu.sim.network import compile_network
from keiretsu.sim.records import BatchTables, tables

BATCH_BYTES = 512 * 2**20
"""Target memory of one batch's trace arrays (bytes)."""
MAX_BATCH = 64
"""Most replications in one batch (vectorised across replications)."""
DETAIL_LEVELS = ("part", "network")
FAULT_ENV = "KEIRETSU_INJECT_FAULT"


def batch_size(scenario: Scenario) -> int:
    """Replications per batch so that a batch's arrays stay near :data:`BATCH_BYTES`."""
    T = scenario.horizon.n_periods
    P = len(scenario.parts)
    O = sum(len(s.offers) for s in scenario.suppliers)
    per_rep = 8 * T * (10 * P + 8 * O)  # records, draws, and the arrays derived for tables
    return max(1, min(MAX_BATCH, BATCH_BYTES // max(per_rep, 1)))


def chunk_size(scenario: Scenario, replications: int, workers: int = 1) -> int:
    """Replications per chunk (task) for a run of ``replications`` on ``workers``: the
    largest batch, in a number of chunks that is a multiple of ``workers``."""
    count = -(-replications // batch_size(scenario))
    count = -(-count // workers) * workers
    return max(1, -(-replications // count))


def chunk_ranges(replications: int, size: int) -> list[range]:
    """``range(replications)`` cut into chunks of at most ``size``, as equal as possible."""
    if replications < 1 or size < 1:
        raise ValueError(f"replications and size must be >= 1, got {replications}, {size}")
    count = -(-replications // size)
    edges = [round(i * replications / count) for i in range(count + 1)]
    return [range(a, b) for a, b in itertools.pairwise(edges)]


class InjectedFault(RuntimeError):
    """Raised by a chunk on purpose (``KEIRETSU_INJECT_FAULT``; tests only)."""


@dataclass(frozen=True)
class _Fault:
    replication: int
    times: int
    token: str  # one per run, so counts never leak between runs in one process


_FAULT_COUNTS: dict[tuple[str, int], int] = {}


def _fault_from_env() -> _Fault | None:
    spec = os.environ.get(FAULT_ENV, "").strip()
    if not spec:
        return None
    rep, _, times = spec.partition(":")
    try:
        return _Fault(int(rep), int(times or 1), uuid.uuid4().hex)
    except ValueError:
        raise ValueError(f"{FAULT_ENV} must be REP or REP:TIMES (integers), got {spec!r}") from None


def run_batch(
    scenario: Scenario,
    plan: Plan,
    seed: int,
    replications: Sequence[int],
    detail: str,
    drills: Sequence[Drill] = (),
) -> BatchTables:
    """Simulate ``replications`` (indices) of ``scenario`` under ``plan`` (plus ``drills``)."""
    replications = list(replications)
    net = compile_network(scenario, plan)
    draws = draw(scenario, net, seed, replications, drills)
    trace = simulate(net, draws, per_supplier_periods=detail == "part")
    return tables(net, trace, draws, replications, scenario.run.warmup_periods, detail)


def _chunk_task(
    scenario: Scenario,
    plan: Plan,
    seed: int,
    detail: str,
    drills: Sequence[Drill],
    fault: _Fault | None,
    select: Callable[[BatchTables], Any] | None,
    chunk: range,
) -> Any:
    if fault is not None and fault.replication in chunk:
        key = (fault.token, fault.replication)
        if _FAULT_COUNTS.get(key, 0) < fault.times:
            _FAULT_COUNTS[key] = _FAULT_COUNTS.get(key, 0) + 1
            raise InjectedFault(f"fault injected into replication {fault.replication}")
    tables = run_batch(scenario, plan, seed, chunk, detail, drills)
    return tables if select is None else select(tables)


@dataclass(frozen=True)
class Selection:
    """What of a chunk's tables a run keeps (a ``select`` for :func:`run_chunks`, run in
    the worker so that only that travels back): the ``tables`` by name, only ``columns``
    of some, and ``by_replication`` tables stably sorted by replication (a batch lists
    disruption spells disruption by disruption; sorted, the table is the same whatever
    the chunking)."""

    tables: tuple[str, ...]
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    by_replication: tuple[str, ...] = ()

    def __call__(self, batch: BatchTables) -> dict[str, Any]:
        frames = {name: getattr(batch, name) for name in self.tables}
        for name, columns in self.columns:
            frames[name] = frames[name][list(columns)]
        for name in self.by_replication:
            frames[name] = frames[name].sort_values("replication", kind="stable", ignore_index=True)
        return frames


def describe_chunk(chunk: range) -> str:
    """How errors name a chunk: its replications (0-based, inclusive)."""
    return f"chunk of replications {chunk.start}-{chunk.stop - 1}"


def run_chunks(
    scenario: Scenario,
    plan: Plan,
    seed: int,
    chunks: Sequence[range],
    *,
    detail: str = "part",
    drills: Sequence[Drill] = (),
    backend: Backend | None = None,
    select: Callable[[BatchTables], Any] | None = None,
) -> Iterator[Any]:
    """The tables of each chunk of replications, in the order of ``chunks``.

    ``backend`` defaults to this process. ``select`` (a picklable function of the
    tables, run in the worker) keeps only what the caller needs, so less travels back.
    A chunk that fails twice raises :class:`~keiretsu.sim.backends.TaskError` naming
    its replications.
    """
    if detail not in DETAIL_LEVELS:
        raise ValueError(f"detail must be one of {DETAIL_LEVELS}")
    backend = LocalBackend(1) if backend is None else backend
    shared = (scenario, plan, seed, detail, tuple(drills), _fault_from_env(), select)
    results = backend.map(_chunk_task, list(chunks), shared, describe_chunk)
    with contextlib.closing(results) if hasattr(results, "close") else contextlib.nullcontext():
        yield from results


def run(
    scenario: Scenario,
    plan: Plan | None = None,
    *,
    seed: int | None = None,
    replications: int | None = None,
    workers: int = 1,
    backend: Backend | None = None,
    detail: str = "part",
    batch: int | None = None,
    on_batch: Callable[[int], None] | None = None,
    drills: Sequence[Drill] = (),
) -> Iterator[BatchTables]:
    """Yield the tables of each chunk, in replication order.

    ``plan`` defaults to the scenario's own plan, ``seed`` and ``replications`` to
    ``scenario.run``; ``batch`` (replications per chunk) to :func:`chunk_size`.
    ``backend`` (see :mod:`keiretsu.sim.backends`) defaults to ``workers`` local
    processes; give one or the other. ``on_batch(n)`` is called with the number of
    replications done.
    """
    if backend is not None and workers != 1:
        raise ValueError("give workers (local processes) or a backend, not both")
    plan = scenario.plan if plan is None else plan
    seed = scenario.run.seed if seed is None else seed
    n = scenario.run.replications if replications is None else replications
    backend = LocalBackend(workers) if backend is None else backend
    size = batch or chunk_size(scenario, n, backend.workers)
    chunks = chunk_ranges(n, size)
    done = 0
    for chunk, result in zip(
        chunks,
        run_chunks(scenario, plan, seed, chunks, detail=detail, drills=drills, backend=backend),
        strict=True,
    ):
        done += len(chunk)
        if on_batch is not None:
            on_batch(done)
        yield result
