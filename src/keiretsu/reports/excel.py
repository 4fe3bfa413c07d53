"""The Excel workbook of a run directory (openpyxl, write-only mode).

One sheet per table, in the order of the run kind's report layout, then a
``metadata`` sheet: the run (keiretsu version, kind, command line, scenario name,
path and sha256, plan, seed, replications, workers, start and end, git sha, package
versions), the definitions and conventions of the measures, and the list of sheets
with the table, rows, columns and files each comes from.

Conventions
-----------
* The header row holds the column names exactly as in the parquet and CSV files (so a
  sheet reads back with pandas to the same frame); it is bold and frozen, with an
  auto-filter; column widths follow the content.
* Numbers stay numbers, with a display format by kind (:mod:`keiretsu.reports.formatting`):
  shares ``0.00%``, money ``#,##0.00``, counts ``#,##0``, ids ``0``, other numbers
  General. In a long KPI table (one row per ``kpi``) the format follows each row's KPI.
* NaN (not defined, e.g. days to recover of a replication that never recovered) and
  ±inf are empty cells, which pandas reads back as NaN. Text is written as text, never
  as a formula (a name starting with ``=`` stays a name); characters XML cannot hold
  are escaped; cells are cut at Excel's 32,767 characters.
* **Tables longer than a sheet are left out, not split.** A sheet holds 1,048,576 rows
  with the header, so a table of more than :data:`EXCEL_MAX_ROWS` rows (the per-period
  tables of big runs) gets no sheet; the metadata sheet lists it with its size and its
  parquet and CSV files. ``keiretsu report`` sets a lower bar by default
  (:data:`REPORT_MAX_ROWS`, its ``--max-rows``) because writing is slow. A table cut across several sheets cannot be filtered, sorted
  or pivoted as one, and the files already hold it whole.
* Sheet names are the table names, cut to 31 characters, with ``[]:*?/\\`` replaced,
  unique regardless of case (Excel's rules); ``metadata`` is reserved.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from keiretsu.fileio import write_bytes_atomic
from keiretsu.reports import layout as lay
from keiretsu.reports.formatting import Kind, column_kind, format_value, kpi_kind
from keiretsu.reports.rundir import RunDir

EXCEL_MAX_ROWS = 1_048_575
"""Data rows a sheet can hold under its header row (Excel: 1,048,576 rows in all)."""

REPORT_MAX_ROWS = 100_000
"""Default of ``keiretsu report --max-rows``: longer tables (the per-period tables of all
but small runs) stay out of the workbook, which then takes seconds to write instead of
minutes (openpyxl writes about 100,000 cells a second); their files hold them whole."""

MAX_SHEET_NAME = 31
MAX_CELL_CHARS = 32_767
METADATA_SHEET = "metadata"

NUMBER_FORMATS: dict[Kind, str] = {
    "share": "0.00%",
    "money": "#,##0.00",
    "integer": "#,##0",
    "id": "0",
    "number": "General",
    "bool": "General",
    "text": "General",
}

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class WorkbookResult:
    """What :func:`write_workbook` wrote: sheet per table, and the tables left out."""

    path: Path
    sheets: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def sheet_names(tables: list[str], reserved: tuple[str, ...] = (METADATA_SHEET,)) -> dict[str, str]:
    """A valid, unique (case-insensitive) sheet name for each table name."""
    taken = {r.lower() for r in reserved}
    out: dict[str, str] = {}
    for name in tables:
        base = _BAD_SHEET_CHARS.sub("_", name).strip("'") or "table"
        base = base[:MAX_SHEET_NAME]
        candidate, i = base, 2
        while candidate.lower() in taken:
            suffix = f" ({i})"
            candidate, i = base[: MAX_SHEET_NAME - len(suffix)] + suffix, i + 1
        taken.add(candidate.lower())
        out[name] = candidate
    return out


def write_workbook(
    run: RunDir,
    path: str | Path,
    max_rows: int = EXCEL_MAX_ROWS,
    on_sheet: Callable[[str, int], None] | None = None,
) -> WorkbookResult:
    """Write the workbook of ``run`` to ``path`` atomically; see the module docstring.

    Tables of more than ``max_rows`` rows (at most :data:`EXCEL_MAX_ROWS`) are left out
    and listed on the metadata sheet. ``on_sheet(table, rows)`` is called before each
    sheet is written (openpyxl takes about 10 µs a cell: a minute for 5 million).
    """
    from openpyxl import Workbook

    if not 1 <= max_rows <= EXCEL_MAX_ROWS:
        raise ValueError(f"max_rows must be between 1 and {EXCEL_MAX_ROWS:,}, got {max_rows}")
    order = lay.table_order(run)
    order += [n for n in run.tables if n not in order]
    fits = [n for n in order if run.tables[n].rows <= max_rows]
    names = sheet_names(fits)
    limit = (
        f"more than an Excel sheet holds ({EXCEL_MAX_ROWS:,})"
        if max_rows == EXCEL_MAX_ROWS
        else f"more than the {max_rows:,} set for this workbook"
    )
    skipped = {
        n: f"{run.tables[n].rows:,} rows, {limit}; see {' and '.join(run.tables[n].files)}"
        for n in order
        if n not in names
    }
    wb = Workbook(write_only=True)
    buffer = io.BytesIO()
    try:
        for table_name, sheet in names.items():
            if on_sheet is not None:
                on_sheet(table_name, run.tables[table_name].rows)
            _write_table(wb, sheet, run.tables[table_name].read())
        _write_metadata(wb, run, order, names, skipped, lay.title(run, lay.resolve(run)))
        wb.save(buffer)
    except BaseException:
        _discard(wb)
        raise
    return WorkbookResult(write_bytes_atomic(path, buffer.getvalue()), names, skipped)


def _discard(wb) -> None:
    """Close a write-only workbook that will not be saved and remove the temporary file
    openpyxl keeps for each of its sheets (openpyxl has no public call for this)."""
    for ws in wb.worksheets:
        try:
            if not ws.closed:
                ws.close()
            if ws._writer is not None:
                ws._writer.cleanup()
        except Exception:  # best effort: the original error is what matters
            pass


# ----------------------------------------------------------------------------- sheets


def _write_table(wb, sheet: str, frame: pd.DataFrame) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(sheet)
    columns = [str(c) for c in frame.columns]
    kinds = [column_kind(c, frame[c].dtype.kind) for c in columns]
    long_kpis = "kpi" in columns
    widths = _widths(frame, kinds)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    ws.append([_header(ws, c) for c in columns])
    formats = [NUMBER_FORMATS[k] for k in kinds]
    kpi_at = columns.index("kpi") if long_kpis else -1
    stats = [long_kpis and k in ("number", "money") for k in kinds]
    for record in frame.itertuples(index=False, name=None):
        row_format = None
        if long_kpis:
            row_format = NUMBER_FORMATS[_row_kind(record[kpi_at])]
        cells = []
        for j, value in enumerate(record):
            fmt = row_format if stats[j] and row_format else formats[j]
            cells.append(_cell(ws, value, fmt))
        ws.append(cells)


def _row_kind(kpi: Any) -> Kind:
    kind = kpi_kind(str(kpi))
    return "number" if kind in ("integer", "id") else kind


def _header(ws, text: str):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cell = WriteOnlyCell(ws, value=_text(text))
    cell.data_type = "s"
    cell.font = Font(bold=True)
    return cell


def _cell(ws, value: Any, number_format: str):
    """One value as Excel holds it: number, bool, date, text (never a formula) or empty."""
    from openpyxl.cell import WriteOnlyCell

    value = _python(value)
    if value is None:
        return None
    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=_text(value))
        cell.data_type = "s"
        return cell
    if isinstance(value, bool) or number_format == "General":
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = number_format
    return cell


def _python(value: Any) -> Any:
    """numpy and pandas scalars as plain Python values Excel can hold (None for NaN, inf)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _text(value: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub(lambda m: repr(m.group())[1:-1], value)
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _widths(frame: pd.DataFrame, kinds: list[Kind], sample: int = 200) -> list[float]:
    """Column widths (characters) from the header and the first ``sample`` values as shown."""
    head = frame.head(sample)
    widths = []
    for column, kind in zip(frame.columns, kinds, strict=True):
        texts = [format_value(_python(v), kind) for v in head[column]]
        longest = max([len(str(column)), *(len(t) for t in texts)])
        widths.append(float(min(max(longest + 3, 8), 60)))
    return widths


# ----------------------------------------------------------------------------- metadata


def _write_metadata(
    wb, run: RunDir, order: list[str], sheets: dict[str, str], skipped: dict[str, str], title: str
) -> None:
    """Two blocks side by side, each a table under its own header row: ``field``/``value``
    (columns A-B) and the sheet listing (columns D-I), so either reads as one frame."""
    ws = wb.create_sheet(METADATA_SHEET)
    for letter, width in zip("ABCDEFGHI", (34, 90, 3, 18, 18, 10, 10, 34, 70), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    pairs = [*_metadata_rows(run, title), ("conventions", _CONVENTIONS)]
    listing = []
    for name in order:
        table = run.tables[name]
        note = f"not in this workbook: {skipped[name]}" if name in skipped else ""
        files = ", ".join(table.files)
        listing.append([sheets.get(name), name, table.rows, len(table.columns), files, note])
    head = ("field", "value", None, *LISTING_COLUMNS)
    ws.append([_header(ws, h) if h else None for h in head])
    for i in range(max(len(pairs), len(listing))):
        left = [_cell(ws, v, "General") for v in pairs[i]] if i < len(pairs) else [None, None]
        right = (
            [_cell(ws, v, "#,##0" if isinstance(v, int) else "General") for v in listing[i]]
            if i < len(listing)
            else []
        )
        ws.append([*left, None, *right])


LISTING_COLUMNS = ("sheet", "table", "rows", "columns", "files", "note")
"""Header of the sheet listing on the metadata sheet (columns D-I)."""

_CONVENTIONS = (
    "Column names as in the parquet and CSV files; empty cell = NaN (not defined); "
    "tables longer than a sheet (or than --max-rows) are left out, listed beside with "
    "their files, rather than split; the resolved scenario and plan are in manifest.json."
)

_RUN_KEYS = (
    "keiretsu_version",
    "kind",
    "command",
    "argv",
    "scenario",
    "scenario_path",
    "scenario_sha256",
    "plan",
    "seed",
    "replications",
    "workers",
    "started",
    "finished",
    "git_sha",
    "python",
    "platform",
)


def _metadata_rows(run: RunDir, title: str) -> list[tuple[str, Any]]:
    m = run.manifest
    rows: list[tuple[str, Any]] = [("title", title)]
    for key in _RUN_KEYS:
        if key == "kind":
            rows.append(("kind", run.kind))
        elif key == "argv" and isinstance(m.get("argv"), list):
            rows.append(("command_line", shlex.join(str(a) for a in m["argv"])))
        elif key in ("scenario", "plan"):
            rows.append((key, run.fields.get(key)))
        elif key in m:
            rows.append((key, _scalar(m[key])))
    for name, version in (m.get("packages") or {}).items():
        rows.append((f"packages.{name}", version))
    known = set(_RUN_KEYS) | {"definitions", "packages", "tables", "figures", "plans"}
    for key, value in m.items():
        if key not in known:
            rows.append((key, _scalar(value)))
    rows += [(f"definitions.{k}", v) for k, v in _flatten(run.definitions)]
    rows.append(("run_directory", str(run.path)))
    return rows


def _flatten(mapping: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            out += _flatten(value, f"{prefix}{key}.")
        else:
            out.append((f"{prefix}{key}", _scalar(value)))
    return out


def _scalar(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value
