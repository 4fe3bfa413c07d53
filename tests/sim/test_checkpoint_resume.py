"""Library-level resume: a simulation or a sweep interrupted part-way and taken up from
its checkpoint gives exactly the uninterrupted result; a sweep resumes node by node."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from keiretsu.experiments import simulate, sweep
from keiretsu.fileio import Checkpoint, ChunkStore
from keiretsu.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


class Stop(KeyboardInterrupt):
    pass


def _stop_after(replications: int):
    def on_progress(done: int) -> None:
        if done >= replications:
            raise Stop

    return on_progress


@pytest.fixture(scope="module")
def two_supplier():
    return load_scenario(SCENARIOS / "two_supplier.yaml")


def test_interrupted_simulation_resumes_to_the_same_result(two_supplier, tmp_path: Path) -> None:
    whole = simulate(two_supplier, replications=9, seed=5, batch=2)
    store = ChunkStore(tmp_path / "chunks")
    with pytest.raises(Stop):
        simulate(two_supplier, replications=9, seed=5, batch=2, checkpoint=store,
                 on_progress=_stop_after(4))  # fmt: skip
    assert sorted(store.completed()) == [0, 1]
    resumed = simulate(
        two_supplier, replications=9, seed=5, batch=2, checkpoint=ChunkStore(store.directory)
    )
    for name in ("replications", "parts", "suppliers", "periods", "events", "summary"):
        pd.testing.assert_frame_equal(
            getattr(whole, name), getattr(resumed, name), check_exact=True
        )


def test_a_checkpoint_of_other_chunks_is_refused(two_supplier, tmp_path: Path) -> None:
    store = ChunkStore(tmp_path / "chunks")
    simulate(two_supplier, replications=4, seed=5, batch=2, keep="summary", checkpoint=store)
    with pytest.raises(ValueError, match="belongs to a run with other chunks"):
        simulate(two_supplier, replications=4, seed=5, batch=1, keep="summary", checkpoint=store)
    with pytest.raises(ValueError, match="another keep"):
        simulate(two_supplier, replications=4, seed=5, batch=2, checkpoint=store)


def test_sweep_resumes_node_by_node(two_supplier, tmp_path: Path) -> None:
    n = 4
    kw = {"replications": n, "seed": 2, "batch": 2}
    whole = sweep(two_supplier, "suppliers", 6, **kw)
    checkpoint = Checkpoint(tmp_path)
    # twin (n) + first node (n) + half of the second node: stop there
    with pytest.raises(Stop):
        sweep(two_supplier, "suppliers", 6, checkpoint=checkpoint,
              on_progress=_stop_after(2 * n + 2), **kw)  # fmt: skip
    nodes = checkpoint.store("nodes")
    assert list(nodes.completed()) == [1]  # the first node is saved whole ...
    assert not checkpoint.has("node-0001")  # ... and its chunks are gone
    assert len(checkpoint.store("node-0002")) == 1  # the second resumes chunk by chunk
    seen: list[int] = []
    resumed = sweep(
        two_supplier, "suppliers", 6, checkpoint=checkpoint, on_progress=seen.append, **kw
    )
    pd.testing.assert_frame_equal(whole.ranking, resumed.ranking, check_exact=True)
    pd.testing.assert_frame_equal(whole.impact, resumed.impact, check_exact=True)
    assert seen[-1] == 3 * n  # progress counts the work done before the interruption
