"""Monte Carlo runner: batches of replications, in order, on one or more processes.

A replication is a pure function of (scenario, plan, replication index, seed): its
random numbers come from its own named streams (:mod:`keiretsu.sim.draws`) and its
state never touches another replication's. So the results are bit-identical for any
batch size and any number of workers. Batches are sized to keep each worker's arrays
near :data:`BATCH_BYTES`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence

from keiretsu.scenario.disruptions import Drill
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.sim.draws import draw
from keiretsu.sim.engine import simulate
from keiretsu.sim.network import compile_network
from keiretsu.sim.records import BatchTables, tables

BATCH_BYTES = 512 * 2**20
"""Target memory of one batch's trace arrays (bytes)."""
MAX_BATCH = 64
"""Most replications in one batch (vectorised across replications)."""
DETAIL_LEVELS = ("part", "network")


def batch_size(scenario: Scenario) -> int:
    """Replications per batch so that a batch's arrays stay near :data:`BATCH_BYTES`."""
    T = scenario.horizon.n_periods
    P = len(scenario.parts)
    O = sum(len(s.offers) for s in scenario.suppliers)
    per_rep = 8 * T * (10 * P + 8 * O)  # records, draws, and the arrays derived for tables
    return max(1, min(MAX_BATCH, BATCH_BYTES // max(per_rep, 1)))


def run_batch(
    scenario: Scenario,
    plan: Plan,
    seed: int,
    replications: list[int],
    detail: str,
    drills: Sequence[Drill] = (),
) -> BatchTables:
    """Simulate ``replications`` (indices) of ``scenario`` under ``plan`` (plus ``drills``)."""
    net = compile_network(scenario, plan)
    draws = draw(scenario, net, seed, replications, drills)
    trace = simulate(net, draws, per_supplier_periods=detail == "part")
    return tables(net, trace, draws, replications, scenario.run.warmup_periods, detail)


def run(
    scenario: Scenario,
    plan: Plan | None = None,
    *,
    seed: int | None = None,
    replications: int | None = None,
    workers: int = 1,
    detail: str = "part",
    batch: int | None = None,
    on_batch: Callable[[int], None] | None = None,
    drills: Sequence[Drill] = (),
) -> Iterator[BatchTables]:
    """Yield the tables of each batch, in replication order.

    ``plan`` defaults to the scenario's own plan, ``seed`` and ``replications`` to
    ``scenario.run``. ``on_batch(n)`` is called with the number of replications done.
    """
    if detail not in DETAIL_LEVELS:
        raise ValueError(f"detail must be one of {DETAIL_LEVELS}")
    plan = scenario.plan if plan is None else plan
    seed = scenario.run.seed if seed is None else seed
    n = scenario.run.replications if replications is None else replications
    size = batch or batch_size(scenario)
    count = -(-n // size)  # as many batches as needed, as equal in size as possible
    edges = [round(i * n / count) for i in range(count + 1)]
    chunks = [list(range(a, b)) for a, b in itertools.pairwise(edges)]
    if workers == 1:
        results = (run_batch(scenario, plan, seed, c, detail, drills) for c in chunks)
    else:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=workers, return_as="generator")(
            delayed(run_batch)(scenario, plan, seed, c, detail, drills) for c in chunks
        )
    done = 0
    for chunk, result in zip(chunks, results, strict=True):
        done += len(chunk)
        if on_batch is not None:
            on_batch(done)
        yield result
