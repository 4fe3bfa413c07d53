"""Reading a run directory, whatever command wrote it.

A run directory (``keiretsu simulate``, ``drill``, ``drill --sweep``, and later
``compare``, ``payback``, ``optimize``, ``frontier``) holds:

* ``manifest.json``, written last, so its presence marks a complete run: the command
  and its ``kind``, the keiretsu version, seed, replications, scenario path and
  sha256, the resolved scenario and plan, the command line, git sha, package
  versions, start and end times, the ``definitions`` of every measure, and the names
  of its ``tables`` and ``figures``;
* ``summary.json``: the headline numbers;
* tables, each as ``NAME.parquet`` (read here) and usually ``NAME.csv``;
* figures, each as ``NAME.png``.

Run directories written before the manifest listed its tables and figures are read
too: then every ``*.parquet`` and ``*.png`` in the folder is taken. Anything missing
or unreadable is an :class:`~keiretsu.errors.InputError` naming the path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from keiretsu.errors import InputError, Problem

MANIFEST = "manifest.json"
SUMMARY = "summary.json"

KIND_OF_COMMAND = {"drill --sweep": "sweep"}
"""Run kind of a command whose manifest predates the ``kind`` field (else the command)."""


@dataclass(frozen=True, slots=True)
class RunTable:
    """One table of a run: its files and shape (read without loading the data)."""

    name: str
    parquet: Path
    csv: Path | None
    rows: int
    columns: tuple[str, ...]

    def read(self, columns: list[str] | None = None) -> pd.DataFrame:
        """The table (or some of its columns) as a DataFrame."""
        return pd.read_parquet(self.parquet, columns=columns)

    @property
    def files(self) -> tuple[str, ...]:
        """File names of the table in the run directory."""
        return tuple(p.name for p in (self.parquet, self.csv) if p is not None)


@dataclass(frozen=True)
class RunDir:
    """A complete run directory, read."""

    path: Path
    manifest: dict[str, Any]
    summary: dict[str, Any]
    tables: dict[str, RunTable]
    figures: dict[str, Path]
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """``simulate``, ``drill``, ``sweep``, ... (what the report layout is chosen by)."""
        command = str(self.manifest.get("command", "run"))
        return str(self.manifest.get("kind") or KIND_OF_COMMAND.get(command, command))

    @property
    def currency(self) -> str | None:
        definitions = self.manifest.get("definitions") or {}
        meta = (self.manifest.get("scenario") or {}).get("meta") or {}
        return definitions.get("currency") or meta.get("currency")

    @property
    def definitions(self) -> dict[str, Any]:
        return dict(self.manifest.get("definitions") or {})


def read_run_dir(path: str | Path) -> RunDir:
    """Read the run directory at ``path``; :class:`InputError` if it is not a complete one."""
    path = Path(path)
    if not path.is_dir():
        what = "does not exist" if not path.exists() else "is not a directory"
        raise InputError(Problem(str(path), 0, 0, "", f"{what} (expected a run directory)"))
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        started = (path / SUMMARY).is_file() or any(path.glob("*.parquet"))
        why = (
            "the run did not finish (manifest.json is written last)"
            if started
            else "it holds no manifest.json"
        )
        raise InputError(Problem(str(path), 0, 0, "", f"not a keiretsu run directory: {why}"))
    manifest = _read_json(manifest_path)
    if not isinstance(manifest, dict) or "command" not in manifest:
        raise InputError(
            Problem(str(manifest_path), 0, 0, "", "not a keiretsu run manifest (no 'command')")
        )
    missing: list[str] = []
    summary: dict[str, Any] = {}
    if (path / SUMMARY).is_file():
        loaded = _read_json(path / SUMMARY)
        summary = loaded if isinstance(loaded, dict) else {}
    else:
        missing.append(SUMMARY)
    listed_tables = manifest.get("tables")
    names = (
        [str(n) for n in listed_tables]
        if isinstance(listed_tables, list)
        else sorted(p.stem for p in path.glob("*.parquet") if not p.name.startswith("."))
    )
    missing += [f"{n}.parquet" for n in names if not (path / f"{n}.parquet").is_file()]
    listed_figures = manifest.get("figures")
    figure_names = (
        [str(n) for n in listed_figures]
        if isinstance(listed_figures, list)
        else sorted(p.stem for p in path.glob("*.png") if not p.name.startswith("."))
    )
    missing += [f"{n}.png" for n in figure_names if not (path / f"{n}.png").is_file()]
    if missing:
        raise InputError(
            Problem(str(path), 0, 0, "", f"incomplete run directory: missing {', '.join(missing)}")
        )
    tables = {name: _table(path, name) for name in names}
    figures = {name: path / f"{name}.png" for name in figure_names}
    return RunDir(path, manifest, summary, tables, figures, _fields(manifest))


def _read_json(file: Path) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            Problem(str(file), exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}")
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(file), 0, 0, "", f"cannot be read: {exc}")) from None


def _table(path: Path, name: str) -> RunTable:
    import pyarrow.parquet as pq

    parquet = path / f"{name}.parquet"
    try:
        meta = pq.ParquetFile(parquet)
        rows, columns = meta.metadata.num_rows, tuple(meta.schema_arrow.names)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(Problem(str(parquet), 0, 0, "", f"unreadable table: {exc}")) from None
    csv = path / f"{name}.csv"
    return RunTable(name, parquet, csv if csv.is_file() else None, rows, columns)


def _fields(manifest: dict[str, Any]) -> dict[str, Any]:
    """Flat values for titles: the manifest's scalars plus ``scenario`` and ``plan`` names."""
    out: dict[str, Any] = {k: v for k, v in manifest.items() if not isinstance(v, dict | list)}
    scenario = manifest.get("scenario") if isinstance(manifest.get("scenario"), dict) else {}
    plan = manifest.get("plan") if isinstance(manifest.get("plan"), dict) else {}
    meta = scenario.get("meta") if isinstance(scenario.get("meta"), dict) else {}
    out["scenario"] = meta.get("name", "?")
    out["plan"] = plan.get("name", "?")
    return out
