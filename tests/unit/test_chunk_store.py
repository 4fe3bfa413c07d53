"""ChunkStore and Checkpoint: what an interrupted run leaves is always consistent."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from keiretsu.fileio import Checkpoint, ChunkStore, remove_stale_temporaries


def _frames(seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    return {
        "replications": pd.DataFrame({"replication": [0, 1], "cost": rng.normal(size=2)}),
        "parts": pd.DataFrame(
            {"replication": [0, 0, 1], "part": ["A", "B", "A"], "ok": [True, False, True]}
        ),
        "events": pd.DataFrame(
            {"replication": pd.Series([], dtype="int64"), "start": pd.Series([], dtype=float)}
        ),
    }


def test_saved_chunks_read_back_exactly(tmp_path: Path) -> None:
    store = ChunkStore(tmp_path / "work")
    store.save(0, [0, 2], _frames(1))
    store.save(3, [6, 8], _frames(2))
    again = ChunkStore(tmp_path / "work")  # as a resumed run opens it
    assert sorted(again.completed()) == [0, 3] and again.key(3) == [6, 8]
    for name, frame in _frames(2).items():
        pd.testing.assert_frame_equal(again.load(3)[name], frame, check_exact=True)


def test_files_of_a_chunk_not_in_the_index_do_not_count(tmp_path: Path) -> None:
    """A run killed after writing a chunk's tables but before the index names it."""
    store = ChunkStore(tmp_path / "work")
    store.save(0, [0, 2], _frames(1))
    (tmp_path / "work" / "000001.replications.parquet").write_bytes(b"half a file")
    (tmp_path / "work" / ".000001.parts.parquet.abc.tmp").write_bytes(b"partial")
    again = ChunkStore(tmp_path / "work")
    assert 1 not in again and list(again.completed()) == [0]
    assert not list((tmp_path / "work").glob(".*.tmp"))  # stale temporaries removed
    again.save(1, [2, 4], _frames(3))  # redone: overwrites the stray file
    pd.testing.assert_frame_equal(
        again.load(1)["replications"], _frames(3)["replications"], check_exact=True
    )


def test_index_is_never_half_written(tmp_path: Path) -> None:
    store = ChunkStore(tmp_path / "work")
    for i in range(5):
        store.save(i, [i, i + 1], _frames(i))
        index = json.loads((tmp_path / "work" / "index.json").read_text())
        assert sorted(map(int, index["chunks"])) == list(range(i + 1))


def test_corrupt_index_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "index.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a chunk index"):
        ChunkStore(tmp_path / "work")


def test_checkpoint_stores_reset_and_clear(tmp_path: Path) -> None:
    checkpoint = Checkpoint(tmp_path)
    checkpoint.store("twin").save(0, [0, 2], _frames(0))
    checkpoint.store("nodes").save(1, "SUP-A", _frames(1))
    assert [s.directory.name for s in checkpoint.stores()] == ["nodes", "twin"]
    checkpoint.lock()
    checkpoint.reset()
    assert checkpoint.stores() == [] and (tmp_path / ".checkpoint" / "lock").is_file()
    checkpoint.clear()
    assert not (tmp_path / ".checkpoint").exists()


def test_a_second_process_cannot_take_the_lock(tmp_path: Path) -> None:
    first, second = Checkpoint(tmp_path), Checkpoint(tmp_path)
    first.lock()
    with pytest.raises(OSError):
        second.lock()
    first.release()
    second.lock()
    second.release()


def test_remove_stale_temporaries_only_touches_temporaries(tmp_path: Path) -> None:
    (tmp_path / ".periods.parquet.tmp").write_text("x")
    (tmp_path / "periods.parquet").write_text("y")
    assert [p.name for p in remove_stale_temporaries(tmp_path)] == [".periods.parquet.tmp"]
    assert (tmp_path / "periods.parquet").is_file()
