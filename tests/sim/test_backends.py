"""Backends: the same numbers on this process, joblib processes and Dask; chunking
never changes a result; a failing chunk is retried once, then reported by name."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from keiretsu.errors import InputError
from keiretsu.experiments import drill, simulate
from keiretsu.scenario.loader import load_scenario
from keiretsu.sim.backends import DaskBackend, LocalBackend, TaskError, open_backend, parse_cluster
from keiretsu.sim.runner import FAULT_ENV, chunk_ranges, chunk_size

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
TABLES = ("replications", "parts", "suppliers", "periods", "events", "summary")


@pytest.fixture(scope="module")
def two_supplier():
    return load_scenario(SCENARIOS / "two_supplier.yaml")


@pytest.fixture(scope="module")
def ev():
    return load_scenario(SCENARIOS / "ev_battery.yaml")


@pytest.fixture(scope="module")
def threads_cluster():
    """A Dask cluster inside this process (workers are threads: quick to start)."""
    backend = DaskBackend.local(2, processes=False)
    yield backend
    backend.close()


def _same(a, b) -> None:
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True)


@pytest.fixture(scope="module")
def reference(ev):
    """ev_battery, 10 replications, one chunk, in this process."""
    return simulate(ev, replications=10, seed=4, batch=10)


def test_dask_equals_this_process_bit_for_bit(ev, reference, threads_cluster) -> None:
    on_dask = simulate(ev, replications=10, seed=4, batch=3, backend=threads_cluster)
    _same(reference, on_dask)


def test_joblib_equals_this_process_bit_for_bit(ev, reference) -> None:
    _same(reference, simulate(ev, replications=10, seed=4, batch=4, workers=2))


def test_dask_worker_processes_equal_this_process(ev, reference) -> None:
    """Real worker processes: the scenario and results cross process boundaries."""
    with DaskBackend.local(2) as backend:
        assert backend.workers == 2 and backend.describe()["local_cluster"]
        _same(reference, simulate(ev, replications=10, seed=4, batch=2, backend=backend))


def test_a_drill_on_dask_equals_the_drill_here(ev, threads_cluster) -> None:
    here = drill(ev, "BMS-fire-8w", replications=3, seed=2, batch=3)
    there = drill(ev, "BMS-fire-8w", replications=3, seed=2, batch=1, backend=threads_cluster)
    pd.testing.assert_frame_equal(here.impact, there.impact, check_exact=True)
    pd.testing.assert_frame_equal(here.recovery, there.recovery, check_exact=True)


@pytest.mark.parametrize("n", [1, 2, 7, 64, 65, 1000])
@pytest.mark.parametrize("size", [1, 3, 8, 64])
def test_chunks_cover_every_replication_once_in_equal_sizes(n: int, size: int) -> None:
    chunks = chunk_ranges(n, size)
    assert [r for c in chunks for r in c] == list(range(n))
    lengths = {len(c) for c in chunks}
    assert max(lengths) <= size and max(lengths) - min(lengths) <= 1


@pytest.mark.parametrize("n", [1, 2, 20, 65, 128, 200, 512, 10_000])
@pytest.mark.parametrize("workers", [1, 2, 3, 8])
def test_chunks_are_as_large_as_a_batch_and_shared_evenly(ev, n: int, workers: int) -> None:
    size = chunk_size(ev, n, workers)
    chunks = chunk_ranges(n, size)
    assert size <= 64  # the batch cap
    assert len(chunks) >= min(n, workers) - 1  # (nearly) every worker gets work
    assert len(chunks) < -(-n // 64) + workers  # and chunks are no smaller than that needs


def test_two_workers_get_equal_shares_of_whole_batches(ev) -> None:
    assert [len(c) for c in chunk_ranges(128, chunk_size(ev, 128, 2))] == [64, 64]
    assert len(chunk_ranges(512, chunk_size(ev, 512, 2))) == 8
    assert [len(c) for c in chunk_ranges(100, chunk_size(ev, 100, 2))] == [50, 50]
    assert chunk_size(ev, 100, 1) == 50 and chunk_size(ev, 1000, 1) == 63


def test_chunk_ranges_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match=">= 1"):
        chunk_ranges(0, 4)


# ---- faults: retried once, else reported by name, never dropped


@pytest.mark.parametrize("backend", ["here", "joblib", "dask"])
def test_a_chunk_that_fails_once_is_retried(
    two_supplier, monkeypatch, threads_cluster, backend
) -> None:
    clean = simulate(two_supplier, replications=6, seed=3, batch=2)
    monkeypatch.setenv(FAULT_ENV, "3:1")  # the chunk of replications 2-3 fails once
    kw = {"workers": 2} if backend == "joblib" else {}
    if backend == "dask":
        kw = {"backend": threads_cluster}
    faulty = simulate(two_supplier, replications=6, seed=3, batch=2, **kw)
    _same(clean, faulty)
    assert list(faulty.replications["replication"]) == list(range(6))


@pytest.mark.parametrize("backend", ["here", "joblib", "dask"])
def test_a_chunk_that_fails_twice_stops_the_run_naming_it(
    two_supplier, monkeypatch, threads_cluster, backend
) -> None:
    monkeypatch.setenv(FAULT_ENV, "3:2")
    kw = {"workers": 2} if backend == "joblib" else {}
    if backend == "dask":
        kw = {"backend": threads_cluster}
    with pytest.raises(TaskError, match=r"replications 2-3 failed on all 2 attempts") as err:
        simulate(two_supplier, replications=6, seed=3, batch=2, **kw)
    assert "InjectedFault: fault injected into replication 3" in str(err.value)


def test_fault_spec_must_be_integers(two_supplier, monkeypatch) -> None:
    monkeypatch.setenv(FAULT_ENV, "three")
    with pytest.raises(ValueError, match="REP or REP:TIMES"):
        simulate(two_supplier, replications=2)


# ---- choosing a backend


def test_open_backend_defaults_to_local_processes() -> None:
    backend = open_backend(3)
    assert isinstance(backend, LocalBackend)
    assert backend.describe() == {"kind": "joblib", "workers": 3}


@pytest.mark.parametrize("spec", ["local", "local:0", "local:x", "remote:2", ""])
def test_cluster_spec_is_local_colon_workers(spec: str) -> None:
    with pytest.raises(InputError, match="expected local:N"):
        parse_cluster(spec)


def test_workers_and_a_cluster_are_exclusive() -> None:
    with pytest.raises(InputError, match="drop -j"):
        open_backend(2, cluster="local:2")
    with pytest.raises(InputError, match="not both"):
        open_backend(1, scheduler="tcp://127.0.0.1:1", cluster="local:2")


def test_without_dask_the_error_says_how_to_install_it(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    with pytest.raises(InputError, match=r"pip install keiretsu\[dask\]"):
        open_backend(cluster="local:2")
    with pytest.raises(InputError, match=r"pip install keiretsu\[dask\]"):
        open_backend(scheduler="tcp://127.0.0.1:8786")


def test_an_unreachable_scheduler_is_a_user_error() -> None:
    import socket

    with socket.socket() as sock:  # a free port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(InputError, match="cannot reach a Dask scheduler"):
        DaskBackend.connect(f"tcp://127.0.0.1:{port}", timeout_s=1)


def test_connect_to_an_existing_scheduler(two_supplier, threads_cluster) -> None:
    with DaskBackend.connect(threads_cluster.address) as backend:
        assert backend.describe()["scheduler"] == threads_cluster.address
        _same(
            simulate(two_supplier, replications=4, seed=1),
            simulate(two_supplier, replications=4, seed=1, batch=1, backend=backend),
        )
