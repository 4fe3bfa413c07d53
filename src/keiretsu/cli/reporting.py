"""``report``: the HTML report and the Excel workbook of a run directory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from keiretsu.cli.common import (
    CONTEXT,
    _emit_json,
    json_option,
    main,
)


@main.command(context_settings=CONTEXT)
@click.argument("run_dir", metavar="RUN_DIR", type=click.Path(path_type=Path))
@click.option("--html", "want_html", is_flag=True, help="Write the HTML report (report.html).")
@click.option("--xlsx", "want_xlsx", is_flag=True, help="Write the Excel workbook (report.xlsx).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write report.html and report.xlsx into (default: RUN_DIR).",
)
@click.option(
    "--max-rows",
    type=click.IntRange(0, 1_048_575),
    default=100_000,
    show_default=True,
    help="Leave tables longer than this out of the workbook (listed on its metadata sheet, "
    "with their parquet and CSV files); 0: every table that fits an Excel sheet "
    "(1,048,575 rows), which can take minutes.",
)
@json_option
def report(
    run_dir: Path,
    want_html: bool,
    want_xlsx: bool,
    out_dir: Path | None,
    max_rows: int,
    as_json: bool,
) -> None:
    """Write the HTML report and the Excel workbook of RUN_DIR (both unless told one).

    RUN_DIR is the folder a run left (simulate, drill, drill --sweep, ...: any with a
    manifest.json). report.html is one self-contained file (figures embedded, no
    external resources): headline KPIs, the key tables and figures, the definitions
    and conventions, and the run manifest (version, seed, scenario sha256, command
    line). report.xlsx has a sheet per table and a metadata sheet; a table longer than
    --max-rows (default 100,000 rows: the per-period tables of most runs) is left out
    and listed there with its parquet and CSV files. Writing takes about a minute per 5
    million cells: --max-rows 0 writes every table that fits a sheet (1,048,575 rows).
    """
    from keiretsu.reports.excel import EXCEL_MAX_ROWS, write_workbook
    from keiretsu.reports.html import write_html
    from keiretsu.reports.rundir import read_run_dir

    run = read_run_dir(run_dir)
    target = run_dir if out_dir is None else out_dir
    if not (want_html or want_xlsx):
        want_html = want_xlsx = True
    written: dict[str, Any] = {}
    if want_html:
        written["html"] = str(write_html(run, target / "report.html"))
        click.echo(f"wrote {written['html']}", err=True)
    if want_xlsx:

        def progress(table: str, rows: int) -> None:
            if rows >= 20_000:
                click.echo(f"  writing sheet {table} ({rows:,} rows)...", err=True)

        limit = max_rows if max_rows > 0 else EXCEL_MAX_ROWS
        book = write_workbook(run, target / "report.xlsx", limit, on_sheet=progress)
        written["xlsx"] = str(book.path)
        written["sheets"] = book.sheets
        written["skipped_tables"] = book.skipped
        click.echo(f"wrote {book.path}", err=True)
        for name, why in book.skipped.items():
            click.echo(f"  table {name} not in the workbook: {why}", err=True)
        if 0 < max_rows < EXCEL_MAX_ROWS and any(
            run.tables[n].rows <= EXCEL_MAX_ROWS for n in book.skipped
        ):
            click.echo("  (--max-rows 0 writes every table that fits a sheet)", err=True)
    if as_json:
        _emit_json({"ok": True, "run_dir": str(run_dir), "kind": run.kind, **written})
