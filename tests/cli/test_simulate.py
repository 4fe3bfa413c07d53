"""`keiretsu simulate`: the run directory, the manifest, JSON mode and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from keiretsu.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def _run(args: list[str]):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_simulate_writes_a_complete_run_directory(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = _run(
        [
            "simulate",
            str(SCENARIOS / "two_supplier.yaml"),
            "-n",
            "4",
            "--seed",
            "9",
            "--out",
            str(out),
            "--json",
        ]
    )
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["ok"] and payload["replications"] == 4 and payload["seed"] == 9
    for name in (
        "replications",
        "parts",
        "suppliers",
        "summary",
        "periods",
        "part_periods",
        "supplier_periods",
    ):
        assert (out / f"{name}.parquet").is_file(), name
        assert (out / f"{name}.csv").is_file(), name
    for fig in ("service_level", "cost_breakdown", "inventory"):
        assert (out / f"{fig}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    manifest = json.loads((out / "manifest.json").read_text())
    for key in (
        "keiretsu_version",
        "scenario_path",
        "scenario_sha256",
        "scenario",
        "plan",
        "seed",
        "replications",
        "workers",
        "argv",
        "git_sha",
        "packages",
        "started",
        "finished",
        "definitions",
    ):
        assert key in manifest, key
    assert "order-line" in manifest["definitions"]["otif"]
    assert not list(out.glob(".*.tmp"))
    reps = pd.read_parquet(out / "replications.parquet")
    assert len(reps) == 4
    csv = pd.read_csv(out / "replications.csv")
    assert csv["total_cost"].to_numpy() == __import__("pytest").approx(
        reps["total_cost"].to_numpy()
    )


def test_simulate_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    result = _run(["simulate", str(SCENARIOS / "two_supplier.yaml"), "-n", "1", "--out", str(out)])
    assert result.exit_code == 2
    assert "use --force" in result.stderr
    assert (out / "keep.txt").read_text() == "mine"


def test_force_replaces_an_earlier_runs_outputs_and_keeps_other_files(tmp_path: Path) -> None:
    """A table the earlier run wrote and this one does not (--keep summary writes no
    per-period table) must not stay beside the new outputs; files keiretsu did not write
    stay."""
    out = tmp_path / "run"
    two = str(SCENARIOS / "two_supplier.yaml")
    assert _run(["simulate", two, "-n", "2", "--out", str(out)]).exit_code == 0
    assert (out / "part_periods.parquet").is_file()
    (out / "notes.txt").write_text("mine")
    again = ["simulate", two, "-n", "2", "--keep", "summary", "--out", str(out), "--force"]
    assert _run(again).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    written = {f"{t}.{ext}" for t in manifest["tables"] for ext in ("parquet", "csv")}
    written |= {f"{f}.png" for f in manifest["figures"]}
    tables = {p.name for p in out.iterdir() if p.suffix in {".parquet", ".csv", ".png"}}
    assert tables == written and "part_periods.parquet" not in tables
    assert (out / "notes.txt").read_text() == "mine"


def test_simulate_bad_override_exits_2_without_output(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = _run(
        [
            "simulate",
            str(SCENARIOS / "two_supplier.yaml"),
            "--set",
            "run.replications=-3",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 2
    assert "--set run.replications=-3: run.replications:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()


def test_simulate_with_a_plan_file(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "name: reliable-first\n"
        "allocation:\n  HOUSING: {CHEAPCO: 0.2, RELIAPART: 0.8}\n"
        "inventory:\n  HOUSING: {policy: base_stock, order_up_to_units: 5000}\n"
    )
    out = tmp_path / "run"
    result = _run(
        [
            "simulate",
            str(SCENARIOS / "two_supplier.yaml"),
            "--plan",
            str(plan),
            "-n",
            "2",
            "--out",
            str(out),
            "--json",
        ]
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["plan"] == "reliable-first"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "allocation:\n  HOUSING: {CHEAPCO: 0.5, NOBODY: 0.5}\ninventory:\n  HOUSING: {policy: base_stock, order_up_to_units: 5}\n"
    )
    result = _run(
        [
            "simulate",
            str(SCENARIOS / "two_supplier.yaml"),
            "--plan",
            str(bad),
            "-n",
            "1",
            "--out",
            str(tmp_path / "r2"),
        ]
    )
    assert result.exit_code == 2
    assert f"{bad}:2:" in result.stderr and "unknown supplier 'NOBODY'" in result.stderr


def test_drill_writes_impact_recovery_and_figure(tmp_path: Path) -> None:
    out = tmp_path / "drill"
    result = _run(
        [
            "drill",
            str(SCENARIOS / "ev_battery.yaml"),
            "--event",
            "BMS-fire-8w",
            "-n",
            "3",
            "--out",
            str(out),
            "--json",
        ]
    )
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    measures = {m["kpi"]: m for m in payload["measures"]}
    assert measures["unfilled_units"]["mean"] > 0
    assert (out / "recovery.png").read_bytes()[:4] == b"\x89PNG"
    for name in ("impact", "summary", "recovery", "events"):
        assert (out / f"{name}.parquet").is_file(), name
    assert json.loads((out / "manifest.json").read_text())["command"] == "drill"


def test_drill_unknown_event_exits_2(tmp_path: Path) -> None:
    result = _run(
        [
            "drill",
            str(SCENARIOS / "ev_battery.yaml"),
            "--event",
            "nope",
            "--out",
            str(tmp_path / "d"),
        ]
    )
    assert result.exit_code == 2
    assert "unknown drill 'nope'" in result.stderr and "BMS-fire-8w" in result.stderr
    assert not (tmp_path / "d").exists()


def test_drill_sweep_writes_a_ranking(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    args = ["drill", str(SCENARIOS / "two_supplier.yaml"), "--sweep", "suppliers", "--weeks", "6"]
    result = _run([*args, "-n", "3", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    ranking = json.loads(result.stdout)["ranking"]
    assert [row["node"] for row in ranking] == ["CHEAPCO", "RELIAPART"]
    assert (out / "sweep_ranking.png").read_bytes()[:4] == b"\x89PNG"
    assert (out / "ranking.parquet").is_file()


def test_drill_needs_exactly_one_of_event_and_sweep(tmp_path: Path) -> None:
    result = _run(["drill", str(SCENARIOS / "two_supplier.yaml"), "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "--event" in result.stderr
    bad_start = ["--sweep", "regions", "--start", "2040-01-01", "--out", str(tmp_path / "y")]
    result = _run(["drill", str(SCENARIOS / "two_supplier.yaml"), *bad_start])
    assert result.exit_code == 2 and "outside the horizon" in result.stderr
