"""`keiretsu compare`: the run directory, JSON mode, the report of a comparison, bad input."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from keiretsu.reports.excel import write_workbook
from keiretsu.reports.html import render_html
from keiretsu.reports.layout import LAYOUTS, resolve
from keiretsu.reports.rundir import read_run_dir
from tests.helpers import SCENARIOS, SMALL_SCENARIO, at, edit
from tests.reports.test_excel import assert_same_table, read_back
from tests.reports.test_html import Page, table_rows

AMPLE = """\
name: ample
description: more CELL stock
allocation:
  CELL: {ALPHA: 0.6, BETA: 0.4}
inventory:
  CELL: {policy: base_stock, order_up_to_units: 1500}
default_inventory: {policy: days_of_cover, cover_days: 14}
"""


@pytest.fixture
def files(write_yaml) -> dict[str, Path]:
    return {
        "scenario": write_yaml(SMALL_SCENARIO),
        "ample": write_yaml(AMPLE, "ample.yaml"),
        "twin": write_yaml(edit(AMPLE, "name: ample", "name: twin"), "twin.yaml"),
    }


def _strict(text: str):
    """JSON with no NaN or Infinity (``json.loads`` would accept them)."""

    def refuse(constant: str):
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def test_compare_writes_a_run_directory_and_prints_json_only(cli, files, tmp_path) -> None:
    out = tmp_path / "run"
    args = ["compare", files["scenario"], "--plan", files["ample"], "--plan", files["twin"]]
    result = cli(*args, "-n", "1", "--seed", "4", "--out", out, "--json")
    assert result.exit_code == 0, result.stderr
    payload = _strict(result.stdout)  # JSON alone on stdout; the table went to stderr
    assert payload["ok"] and payload["plans"] == ["split", "ample", "twin"]
    assert payload["baseline"] == "split" and payload["seed"] == 4
    assert payload["replications"] == 1
    # one replication: no confidence interval, and NaN became null
    assert all(row["ci95_half_width"] is None for row in payload["kpis"])
    assert all(row["delta_ci95_half_width"] is None for row in payload["deltas"])
    assert "P(better)" in result.stderr and "Δ vs baseline" in result.stderr
    for name in ("summary", "deltas", "replications", "parts", "periods"):
        assert (out / f"{name}.parquet").is_file() and (out / f"{name}.csv").is_file(), name
    for figure in ("cost_vs_service", "service_bands", "cost_breakdown"):
        assert (out / f"{figure}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["command"] == "compare"
    assert manifest["plan_names"] == ["split", "ample", "twin"]
    assert [p["name"] for p in manifest["plans"]] == ["split", "ample", "twin"]
    assert manifest["plan_files"][1:] == [str(files["ample"]), str(files["twin"])]
    assert manifest["baseline"] == "split" and manifest["seed"] == 4
    assert "common_random_numbers" in manifest["definitions"]
    reps = pd.read_parquet(out / "replications.parquet")
    assert list(reps["plan"]) == ["split", "ample", "twin"]
    periods = pd.read_parquet(out / "periods.parquet")
    assert periods.groupby("plan", sort=False).size().to_dict() == {
        "split": 104,
        "ample": 104,
        "twin": 104,
    }
    deltas = pd.read_parquet(out / "deltas.parquet")
    twin = deltas[deltas["plan"] == "twin"].set_index("kpi")
    ample = deltas[deltas["plan"] == "ample"].set_index("kpi")
    # ample and twin are the same plan under two names: the same numbers against split
    pd.testing.assert_series_equal(twin["delta_mean"], ample["delta_mean"], check_names=False)
    csv = pd.read_csv(out / "summary.csv")
    assert csv["mean"].to_numpy() == pytest.approx(
        pd.read_parquet(out / "summary.parquet")["mean"].to_numpy(), nan_ok=True
    )


def test_the_baseline_can_be_another_plan(cli, files, tmp_path) -> None:
    result = cli(
        *("compare", files["scenario"], "--plan", files["ample"], "--plan", files["twin"]),
        *("--baseline", "ample", "-n", "3", "--out", tmp_path / "run", "--json"),
    )
    assert result.exit_code == 0, result.stderr
    payload = _strict(result.stdout)
    assert payload["baseline"] == "ample"
    deltas = pd.DataFrame(payload["deltas"])
    assert set(deltas["plan"]) == {"split", "twin"}
    twin = deltas[deltas["plan"] == "twin"]
    assert (twin["delta_mean"] == 0).all() and (twin["probability_better"] == 0.5).all()


def test_a_repeated_plan_name_is_one_located_line(cli, files, write_yaml, tmp_path) -> None:
    text = edit(AMPLE, "name: ample", "name: split")  # the scenario's own plan is "split"
    clash = write_yaml(text, "clash.yaml")
    out = tmp_path / "run"
    result = cli("compare", files["scenario"], "--plan", clash, "-n", "2", "--out", out)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    line, column = at(text, "name: split")
    assert lines[0].startswith(f"{clash}:{line}:{column}: name: plan name 'split' is already")
    assert str(files["scenario"]) in lines[0]
    assert not out.exists()  # nothing ran
    # the same file twice: located at the second one
    twice = cli("compare", files["scenario"], "--plan", files["ample"], "--plan", files["ample"])
    assert twice.exit_code == 2
    assert len(twice.stderr.strip().splitlines()) == 1
    assert "plan name 'ample' is already used" in twice.stderr


def test_an_unknown_baseline_is_one_line(cli, files) -> None:
    result = cli("compare", files["scenario"], "--plan", files["ample"], "--baseline", "nope")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "--baseline: no plan is named 'nope' (plans: 'split', 'ample')"
    ]
    as_json = cli(
        *("compare", files["scenario"], "--plan", files["ample"], "--baseline", "x", "--json")
    )
    assert as_json.exit_code == 2
    assert _strict(as_json.stdout)["ok"] is False


def test_every_bad_plan_file_is_reported(cli, files, write_yaml) -> None:
    bad = write_yaml(edit(AMPLE, "ALPHA: 0.6", "ALPHA: 0.7"), "bad.yaml")
    worse = write_yaml(edit(AMPLE, "cover_days: 14", "cover_days: -1"), "worse.yaml")
    result = cli("compare", files["scenario"], "--plan", bad, "--plan", worse)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"{bad}:") and "sum to 1.1" in lines[0]
    assert lines[1].startswith(f"{worse}:") and "cover_days" in lines[1]
    assert "Traceback" not in result.stderr


def test_compare_needs_a_plan(cli, files) -> None:
    result = cli("compare", files["scenario"])
    assert result.exit_code == 2
    assert "--plan" in result.stderr


def test_compare_help_explains(cli) -> None:
    result = cli("compare", "--help")
    assert result.exit_code == 0
    for words in ("common random numbers", "--baseline", "P10/P50/P90", "paired", "--json"):
        assert words in " ".join(result.stdout.split()), words


def test_the_report_of_a_comparison(runs: dict[str, Path], tmp_path: Path) -> None:
    """The session's EV comparison (bundled plan and the two bundled plan files): the
    HTML has a row of headline cards per plan with the paired difference of the others,
    the layout's sections and the delta table formatted by KPI; the workbook reads back
    to the same tables."""
    run = read_run_dir(runs["compare"])
    assert run.kind == "compare"
    text = render_html(run)
    page = Page(text)
    assert not page.errors
    words = page.words
    plans = run.manifest["plan_names"]
    assert len(plans) == 3
    groups = re.findall(r'<p class="group">plan: (.*?)</p>', text)
    assert [g.replace("&#x27;", "'") for g in groups] == plans
    assert words.count("P(better)") >= 2 * 4  # the cards of the two other plans
    assert [s.title for s in resolve(run).sections][:5] == [
        s.title for s in LAYOUTS["compare"].sections[:5]
    ]
    deltas = run.tables["deltas"].read()
    rows = {(r[1], r[0]): r for r in table_rows(text) if len(r) == 7}
    fill = deltas[(deltas["plan"] == plans[1]) & (deltas["kpi"] == "fill_rate")].iloc[0]
    row = rows[(plans[1], "fill rate")]
    assert row[2] == f"{fill['baseline_mean']:.2%}" and row[3] == f"{fill['plan_mean']:.2%}"
    margin = deltas[(deltas["plan"] == plans[1]) & (deltas["kpi"] == "margin")].iloc[0]
    assert rows[(plans[1], "margin (USD)")][6] == f"{margin['probability_better']:.2%}"
    assert not math.isnan(margin["delta_mean"])
    book = write_workbook(run, tmp_path / "report.xlsx")
    sheets = read_back(book.path, sheet_name=None)
    assert list(sheets)[:2] == ["deltas", "summary"]
    for name, table in run.tables.items():
        assert_same_table(sheets[book.sheets[name]], table.read(), name)


def test_compare_runs_the_bundled_ev_plans_from_the_how_to(cli, tmp_path: Path) -> None:
    plans = sorted((SCENARIOS / "plans" / "ev_battery").glob("*.yaml"))
    args = [a for p in plans for a in ("--plan", p)]
    out = tmp_path / "ev"
    result = cli(
        "compare", SCENARIOS / "ev_battery.yaml", *args, "-n", "2", "-j", "2", "--out", out
    )
    assert result.exit_code == 0, result.stderr
    assert "transactional" in result.stdout and "P(better)" in result.stdout
    assert "run directory" in result.stderr
