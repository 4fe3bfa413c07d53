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
