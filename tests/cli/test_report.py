"""`keiretsu report`: files written, JSON mode, and one located line for a bad RUN_DIR."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from keiretsu.cli import main


def _run(*args: str | Path):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _one_problem(result, path: Path, words: str) -> None:
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{path}") and words in lines[0], lines[0]
    assert "Traceback" not in result.stdout + result.stderr


def test_report_writes_html_and_xlsx_by_default(runs, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(runs["drill"], run_dir)
    result = _run("report", run_dir, "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)  # JSON alone on stdout
    assert payload["ok"] and payload["kind"] == "drill"
    assert Path(payload["html"]) == run_dir / "report.html"
    assert Path(payload["xlsx"]) == run_dir / "report.xlsx"
    assert (run_dir / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert (run_dir / "report.xlsx").read_bytes()[:2] == b"PK"
    assert payload["sheets"]["summary"] == "summary" and payload["skipped_tables"] == {}


def test_report_one_format_into_another_folder(runs, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    result = _run("report", runs["sweep"], "--html", "--out", out)
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in out.iterdir()] == ["report.html"]
    assert result.stdout == "" and "report.html" in result.stderr
    result = _run("report", runs["sweep"], "--xlsx", "--out", out, "--max-rows", "5", "--json")
    payload = json.loads(result.stdout)
    assert "html" not in payload and "impact" in payload["skipped_tables"]
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.xlsx"]


def test_report_on_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    result = _run("report", tmp_path)
    _one_problem(result, tmp_path, "not a keiretsu run directory")
    assert "manifest.json" in result.stderr
    result = _run("report", tmp_path / "nowhere", "--json")
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and "does not exist" in payload["problems"][0]["message"]


def test_report_on_an_unfinished_run(runs, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(runs["sweep"], run_dir)
    (run_dir / "manifest.json").unlink()
    _one_problem(_run("report", run_dir), run_dir, "the run did not finish")


@pytest.mark.parametrize("missing", ["summary.json", "ranking.parquet", "sweep_ranking.png"])
def test_report_on_an_incomplete_run(runs, tmp_path: Path, missing: str) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(runs["sweep"], run_dir)
    (run_dir / missing).unlink()
    _one_problem(_run("report", run_dir), run_dir, f"incomplete run directory: missing {missing}")
    assert not (run_dir / "report.html").exists() and not (run_dir / "report.xlsx").exists()


def test_report_on_a_broken_manifest(runs, tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    shutil.copytree(runs["sweep"], run_dir)
    (run_dir / "manifest.json").write_text('{"command": "drill",\n  oops}')
    _one_problem(_run("report", run_dir), run_dir / "manifest.json", ":2:3: not valid JSON")
    (run_dir / "ranking.parquet").write_bytes(b"not parquet")
    shutil.copy(runs["sweep"] / "manifest.json", run_dir / "manifest.json")
    _one_problem(_run("report", run_dir), run_dir / "ranking.parquet", "unreadable table")


def test_report_help_explains(tmp_path: Path) -> None:
    out = _run("report", "--help").stdout
    for words in ("RUN_DIR", "--html", "--xlsx", "--out", "--json", "--max-rows", "self-contained"):
        assert words in out, words


def test_report_max_rows_default_and_zero(runs, tmp_path: Path) -> None:
    """By default tables over REPORT_MAX_ROWS stay out of the workbook (writing is slow);
    --max-rows 0 writes every table that fits a sheet; a cut says how to undo it."""
    from keiretsu.reports.excel import REPORT_MAX_ROWS

    option = next(p for p in main.commands["report"].params if p.name == "max_rows")
    assert option.default == REPORT_MAX_ROWS == 100_000
    out = tmp_path / "all"
    result = _run("report", runs["sweep"], "--xlsx", "--out", out, "--max-rows", "0", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["skipped_tables"] == {}
    result = _run("report", runs["sweep"], "--xlsx", "--out", out, "--max-rows", "5")
    assert "table impact not in the workbook" in result.stderr
    assert "--max-rows 0 writes every table" in result.stderr
