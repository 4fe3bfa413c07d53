"""Atomic file writes: a temporary file in the same folder, then a rename.

An interrupted run never leaves a partial or corrupt output file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (creating parent folders)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def to_json(payload: object) -> str:
    """Strict JSON (indented) of ``payload``: NaN and infinities become ``null`` (JSON has
    no such numbers), numpy scalars and arrays become numbers and lists, anything else
    (dates, paths) its string."""
    import json
    import math

    def clean(x: object) -> object:
        if isinstance(x, float):
            return x if math.isfinite(x) else None
        if isinstance(x, dict):
            return {str(k): clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        if hasattr(x, "tolist") and not isinstance(x, str | bytes):  # numpy
            return clean(x.tolist())
        return x

    return json.dumps(clean(payload), indent=2, default=str, allow_nan=False)


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class TableWriter:
    """Streams tables batch by batch to ``DIR/NAME.parquet`` and ``DIR/NAME.csv``.

    Files are written under temporary names and renamed by :meth:`close`; :meth:`abort`
    (or an exception inside a ``with`` block) removes them, so a failed or interrupted
    run leaves no partial table behind. :attr:`written` names the tables moved into
    place, in the order they were first written (the run manifest lists them).
    """

    def __init__(self, directory: str | Path, csv: bool = True):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.csv = csv
        self._parquet: dict[str, tuple[object, Path]] = {}
        self._csv: dict[str, tuple[object, Path]] = {}
        self.written: list[str] = []

    def write(self, name: str, frame) -> None:  # frame: pandas.DataFrame
        """Append ``frame`` to table ``name``."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        if name not in self._parquet:
            tmp = self.directory / f".{name}.parquet.tmp"
            self._parquet[name] = (pq.ParquetWriter(tmp, table.schema, compression="zstd"), tmp)
        writer, _ = self._parquet[name]
        writer.write_table(table.cast(writer.schema))  # type: ignore[attr-defined]
        if self.csv:
            import pyarrow.csv as pcsv

            if name not in self._csv:
                tmp = self.directory / f".{name}.csv.tmp"
                self._csv[name] = (pcsv.CSVWriter(tmp, writer.schema), tmp)  # type: ignore[attr-defined]
            self._csv[name][0].write_table(table.cast(writer.schema))  # type: ignore[attr-defined]

    def close(self) -> list[Path]:
        """Finish every table and move it into place; returns the final paths."""
        done = []
        for name, (writer, tmp) in self._parquet.items():
            writer.close()  # type: ignore[attr-defined]
            os.replace(tmp, self.directory / f"{name}.parquet")
            done.append(self.directory / f"{name}.parquet")
            if name not in self.written:
                self.written.append(name)
        for name, (csv_writer, tmp) in self._csv.items():
            csv_writer.close()  # type: ignore[attr-defined]
            os.replace(tmp, self.directory / f"{name}.csv")
            done.append(self.directory / f"{name}.csv")
        self._parquet, self._csv = {}, {}
        return done

    def abort(self) -> None:
        """Drop every unfinished table."""
        for writer, tmp in self._parquet.values():
            try:
                writer.close()  # type: ignore[attr-defined]
            finally:
                tmp.unlink(missing_ok=True)
        for csv_writer, tmp in self._csv.values():
            try:
                csv_writer.close()  # type: ignore[attr-defined]
            finally:
                tmp.unlink(missing_ok=True)
        self._parquet, self._csv = {}, {}

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def remove_stale_temporaries(directory: str | Path) -> list[Path]:
    """Delete the temporary files (``.NAME.*.tmp``) a killed run left in ``directory``."""
    directory = Path(directory)
    stale = [p for p in directory.glob(".*.tmp") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


class ChunkStore:
    """Completed chunks of one piece of work, kept so an interrupted run can resume.

    ``DIR/CHUNK.TABLE.parquet`` holds table ``TABLE`` of chunk ``CHUNK`` (an integer id),
    each written atomically; ``DIR/index.json``, rewritten atomically after a chunk's
    files are all in place, lists the completed chunks with a caller's ``key`` for each
    (e.g. its replications). A chunk is complete if and only if the index lists it, so a
    run killed at any instant leaves a store that is consistent: files of a chunk not in
    the index are ignored (and overwritten when it is redone).
    """

    INDEX = "index.json"

    def __init__(self, directory: str | Path):
        import json

        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(self.directory)
        index = self.directory / self.INDEX
        self._index: dict[str, dict] = {}
        if index.is_file():
            try:
                self._index = json.loads(index.read_text(encoding="utf-8"))["chunks"]
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{index} is not a chunk index: {exc}") from None

    def completed(self) -> dict[int, dict]:
        """Completed chunk ids and what was saved with each (``key``, ``tables``)."""
        return {int(k): v for k, v in self._index.items()}

    def __contains__(self, chunk: int) -> bool:
        return str(chunk) in self._index

    def __len__(self) -> int:
        return len(self._index)

    def key(self, chunk: int) -> object:
        return self._index[str(chunk)]["key"]

    def _file(self, chunk: int, table: str) -> Path:
        return self.directory / f"{chunk:06d}.{table}.parquet"

    def save(self, chunk: int, key: object, frames: dict) -> None:
        """Store ``frames`` (name -> DataFrame) as chunk ``chunk``, then mark it complete."""
        import io

        import pyarrow as pa
        import pyarrow.parquet as pq

        for name, frame in frames.items():
            buffer = io.BytesIO()
            pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
            write_bytes_atomic(self._file(chunk, name), buffer.getvalue())
        self._index[str(chunk)] = {"key": key, "tables": list(frames)}
        self._write_index()

    def load(self, chunk: int) -> dict:
        """The frames saved as chunk ``chunk`` (name -> DataFrame)."""
        import pyarrow.parquet as pq

        entry = self._index[str(chunk)]
        return {
            name: pq.read_table(self._file(chunk, name)).to_pandas() for name in entry["tables"]
        }

    def _write_index(self) -> None:
        import json

        text = json.dumps({"chunks": self._index}, separators=(",", ":"))
        write_text_atomic(self.directory / self.INDEX, text)

    def clear(self) -> None:
        """Delete the store and every file in it."""
        import shutil

        shutil.rmtree(self.directory, ignore_errors=True)
        self._index = {}


class Checkpoint:
    """What a long run keeps in ``RUN_DIR/.checkpoint`` so it can resume: one
    :class:`ChunkStore` per piece of work (``store(name)``), and a lock so two
    processes never run the same directory at once."""

    DIRECTORY = ".checkpoint"

    def __init__(self, run_dir: str | Path):
        self.run_dir = Path(run_dir)
        self.directory = self.run_dir / self.DIRECTORY
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = None

    def store(self, name: str) -> ChunkStore:
        """The chunk store of the piece of work ``name`` (created if new)."""
        return ChunkStore(self.directory / name)

    def has(self, name: str) -> bool:
        return (self.directory / name / ChunkStore.INDEX).is_file()

    def stores(self) -> list[ChunkStore]:
        """Every chunk store kept so far."""
        return [ChunkStore(p.parent) for p in sorted(self.directory.glob(f"*/{ChunkStore.INDEX}"))]

    def lock(self) -> None:
        """Hold an exclusive lock on the run directory (released at exit); ``OSError``
        (EWOULDBLOCK) if another process holds it."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            return
        handle = open(self.directory / "lock", "a")  # noqa: SIM115 - held until close
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise
        self._lock = handle

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def reset(self) -> None:
        """Delete every chunk store (a fresh start in a used directory); keep the lock."""
        import shutil

        for path in self.directory.iterdir():
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)

    def clear(self) -> None:
        """Delete everything kept, lock included (once the run is complete)."""
        import shutil

        self.release()
        shutil.rmtree(self.directory, ignore_errors=True)
