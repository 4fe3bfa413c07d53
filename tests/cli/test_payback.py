"""`keiretsu payback`: the run directory with its workbook, JSON mode, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from tests.verification.test_program_npv_through_simulation import _scenario


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "program.yaml"
    path.write_text(yaml.safe_dump(_scenario().model_dump(mode="json"), sort_keys=False))
    return path


def test_payback_writes_tables_figures_and_a_workbook(cli, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = cli(
        "payback", _write(tmp_path), "-n", "3", "--tornado-replications", "2", "--out", out
    )
    assert result.exit_code == 0, result.output
    for name in ("summary", "measures", "cash_flows", "flows", "outcomes"):
        assert (out / f"{name}.parquet").is_file() and (out / f"{name}.csv").is_file()
    for fig in ("cash_flow_fan", "npv_histogram"):
        assert (out / f"{fig}.png").is_file()
    book = pd.read_excel(out / "report.xlsx", sheet_name=None)
    assert {"summary", "measures", "cash_flows", "metadata"} <= set(book)
    summary = pd.read_parquet(out / "summary.parquet")
    assert set(summary["party"]) == {"buyer", "supplier", "joint"}
    assert "would sign" in result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "payback" and manifest["programs"] == ["lean"]


def test_payback_json_is_json_only(cli, tmp_path: Path) -> None:
    result = cli(
        "payback", _write(tmp_path), "-n", "2", "--no-tornado", "--out", tmp_path / "r", "--json"
    )
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["ok"] and payload["programs"] == ["lean"]
    assert {row["party"] for row in payload["summary"]} == {"buyer", "supplier", "joint"}


def test_unknown_program_is_one_located_line(cli, tmp_path: Path) -> None:
    result = cli("payback", _write(tmp_path), "--program", "nope", "--out", tmp_path / "r")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown program 'nope'" in lines[0] and "lean" in lines[0]


def test_plan_funding_an_unknown_program_is_a_located_error(cli, tmp_path: Path) -> None:
    doc = _scenario().model_dump(mode="json")
    doc["plan"]["programs"] = {"missing": {}}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = cli("validate", path)
    assert result.exit_code == 2
    assert "plan.programs.missing: unknown program 'missing' (lean)" in result.stderr
