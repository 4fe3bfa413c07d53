"""The Excel workbook: read back with pandas to the numbers of the parquet tables."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from keiretsu.reports import excel
from keiretsu.reports.excel import (
    EXCEL_MAX_ROWS,
    LISTING_COLUMNS,
    METADATA_SHEET,
    sheet_names,
    write_workbook,
)
from keiretsu.reports.rundir import read_run_dir
from tests.helpers import TRICKY_NAME


def read_back(path: Path, **kwargs) -> dict[str, pd.DataFrame] | pd.DataFrame:
    """The workbook as pandas reads it, keeping text such as the region id "NA" as text
    (pandas' default would turn it into NaN); empty cells are NaN."""
    return pd.read_excel(path, keep_default_na=False, na_values=[""], **kwargs)


def _metadata(sheets: dict[str, pd.DataFrame]) -> dict[str, object]:
    meta = sheets[METADATA_SHEET].dropna(subset=["field"])
    return dict(zip(meta["field"], meta["value"], strict=True))


def assert_same_table(sheet: pd.DataFrame, table: pd.DataFrame, name: str) -> None:
    """Same columns, rows and values: numbers to float precision, NaN where NaN."""
    assert list(sheet.columns) == list(table.columns), name
    assert len(sheet) == len(table), name
    for column in table.columns:
        expected, got = table[column], sheet[column]
        if expected.dtype.kind in "fiu":
            np.testing.assert_allclose(
                got.to_numpy(dtype=float),
                expected.to_numpy(dtype=float),
                rtol=1e-12,
                atol=0,
                equal_nan=True,
                err_msg=f"{name}.{column}",
            )
        elif expected.dtype.kind == "b":
            assert got.astype(bool).tolist() == expected.tolist(), f"{name}.{column}"
        else:
            assert got.astype(str).tolist() == expected.astype(str).tolist(), f"{name}.{column}"


@pytest.mark.parametrize("kind", ["simulate", "drill", "sweep", "compare", "optimize", "frontier"])
def test_workbook_reads_back_to_the_parquet_tables(
    runs: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    run = read_run_dir(runs[kind])
    result = write_workbook(run, tmp_path / "report.xlsx")
    sheets = read_back(result.path, sheet_name=None)
    assert set(sheets) == {*run.tables, METADATA_SHEET}  # these names are all valid sheets
    assert not result.skipped
    for name, table in run.tables.items():
        assert_same_table(sheets[result.sheets[name]], table.read(), name)
    manifest = json.loads((runs[kind] / "manifest.json").read_text())
    meta = _metadata(sheets)
    assert meta["keiretsu_version"] == manifest["keiretsu_version"]
    assert meta["kind"] == kind
    assert meta["seed"] == manifest["seed"]
    assert meta["replications"] == manifest["replications"]
    assert meta["scenario_path"] == manifest["scenario_path"]
    assert meta["scenario_sha256"] == manifest["scenario_sha256"]
    assert len(str(meta["scenario_sha256"])) == 64
    assert meta["command_line"].split()[1:3] == manifest["argv"][1:3]
    assert meta["definitions.otif"] == manifest["definitions"]["otif"]
    assert meta["definitions.percentiles"].startswith("Pxx = xx-th percentile")
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]  # no temporary file left


def test_workbook_sheets_follow_the_layout_and_are_formatted(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    run = read_run_dir(runs["simulate"])
    path = write_workbook(run, tmp_path / "report.xlsx").path
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "summary" and book.sheetnames[-1] == METADATA_SHEET
    assert book.sheetnames.index("parts") < book.sheetnames.index("part_periods")
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(cell.font.b for cell in ws[1] if cell.value is not None), ws.title
    reps = book["replications"]
    header = [c.value for c in reps[1]]
    fill_rate = reps.cell(row=2, column=header.index("fill_rate") + 1)
    total_cost = reps.cell(row=2, column=header.index("total_cost") + 1)
    assert isinstance(fill_rate.value, float) and fill_rate.number_format == "0.00%"
    assert isinstance(total_cost.value, float) and total_cost.number_format == "#,##0.00"
    width = reps.column_dimensions["A"].width
    assert width is not None and 8 <= width <= 60
    summary = book["summary"]
    rows = {r[0].value: r for r in summary.iter_rows(min_row=2)}
    assert rows["fill_rate"][2].number_format == "0.00%"  # per-row format by KPI
    assert rows["total_cost"][2].number_format == "#,##0.00"
    meta = _metadata(read_back(path, sheet_name=None))
    assert meta["scenario"] == TRICKY_NAME  # text stays text


def test_tables_longer_than_a_sheet_are_left_out_and_listed(
    runs: dict[str, Path], tmp_path: Path
) -> None:
    run = read_run_dir(runs["simulate"])
    limit = 100
    long = {n for n, t in run.tables.items() if t.rows > limit}
    assert {"periods", "part_periods", "supplier_periods"} <= long
    result = write_workbook(run, tmp_path / "small.xlsx", max_rows=limit)
    assert set(result.skipped) == long
    sheets = read_back(result.path, sheet_name=None)
    assert not long & set(sheets)
    listing = read_back(result.path, sheet_name=METADATA_SHEET)[list(LISTING_COLUMNS)].dropna(
        subset=["table"]
    )
    assert set(listing["table"]) == set(run.tables)
    notes = dict(zip(listing["table"], listing["note"], strict=True))
    for name in set(run.tables) - long:
        assert notes[name] != notes[name]  # NaN: no note for a table that has its sheet
    for name in long:
        assert f"{run.tables[name].rows:,} rows" in notes[name]
        assert f"{name}.parquet" in notes[name]
    with pytest.raises(ValueError, match="max_rows"):
        write_workbook(run, tmp_path / "x.xlsx", max_rows=EXCEL_MAX_ROWS + 1)


def test_sheet_names_are_valid_and_unique() -> None:
    names = sheet_names(
        ["x" * 40, "x" * 40 + "y", "a/b:c", "Metadata", "SUMMARY", "summary", "'q'", ""]
    )
    assert all(len(n) <= 31 for n in names.values())
    assert len({n.lower() for n in names.values()}) == len(names)
    assert "metadata" not in {n.lower() for n in names.values()}
    assert names["a/b:c"] == "a_b_c"
    assert not any(set("[]:*?/\\") & set(n) for n in names.values())
    assert not any(n.startswith("'") or n.endswith("'") for n in names.values())


def test_awkward_values_keep_their_meaning(tmp_path: Path) -> None:
    """NaN and inf become empty cells, formula-like text stays text, control characters
    are escaped rather than breaking the file."""
    frame = pd.DataFrame(
        {
            "node": ["=1+1", "a\x01b", "plain"],
            "value": [1.5, np.nan, np.inf],
            "count": [1, 2, 3],
            "flag": [True, False, True],
        }
    )
    frame.to_parquet(tmp_path / "odd.parquet")
    manifest = {"command": "frontier", "kind": "frontier", "tables": ["odd"], "figures": []}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    (tmp_path / "summary.json").write_text("{}")
    path = write_workbook(read_run_dir(tmp_path), tmp_path / "report.xlsx").path
    back = read_back(path, sheet_name="odd")
    assert back["node"].tolist() == ["=1+1", "a\\x01b", "plain"]
    assert back["value"].iloc[0] == 1.5 and back["value"].iloc[1:].isna().all()
    assert back["count"].tolist() == [1, 2, 3] and back["flag"].tolist() == [True, False, True]
    cell = openpyxl.load_workbook(path)["odd"]["A2"]
    assert cell.data_type == "s" and cell.value == "=1+1"


def test_a_failed_write_leaves_the_previous_workbook(
    runs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = read_run_dir(runs["sweep"])
    target = tmp_path / "report.xlsx"
    write_workbook(run, target)
    before = target.read_bytes()

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(excel, "_write_metadata", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_workbook(run, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]
