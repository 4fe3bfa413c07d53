"""`keiretsu optimize` and `keiretsu frontier`: run directories, the plan round trip, the
closed loop, JSON mode, explained infeasibility and the EV scenario end to end."""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path

import pandas as pd
import pulp
import pytest

from tests.helpers import SCENARIOS

TWO = str(SCENARIOS / "two_supplier.yaml")
EV = str(SCENARIOS / "ev_battery.yaml")


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr


def test_optimize_writes_the_plan_tables_and_the_closed_loop(cli, tmp_path: Path) -> None:
    out = tmp_path / "opt"
    result = cli("optimize", TWO, "-n", "3", "--seed", "4", "--out", out, "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)  # JSON alone on stdout
    assert payload["ok"] and payload["plan"] == "optimized" and payload["seed"] == 4
    solver = payload["solver"]
    assert solver["outcome"] == "optimal"
    assert solver["gap"] is None or solver["gap"] <= solver["gap_asked"]  # None: an LP, no bound
    assert solver["model_size"]["rows"] > 0 and solver["model_size"]["columns"] > 0
    assert (out / "plan.yaml").read_text().startswith("# Plan written by keiretsu optimize")
    for table in ("allocation", "cost_breakdown", "shortage", "shares", "closed_loop", "summary"):
        assert (out / f"{table}.parquet").is_file() and (out / f"{table}.csv").is_file(), table
    for figure in ("allocation", "closed_loop"):
        assert (out / f"{figure}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "optimize" and manifest["plan"]["name"] == "optimized"
    loop = pd.read_parquet(out / "closed_loop.parquet")
    assert set(loop["plan"]) == {"optimized", "cost-first 70/30"}
    assert (loop["n"] == 3).all()
    diffs = pd.read_parquet(out / "closed_loop_differences.parquet")
    assert set(diffs["kpi"]) >= {"fill_rate", "total_cost", "margin"}
    costs = pd.read_parquet(out / "cost_breakdown.parquet").set_index("term")
    assert costs.loc["total", "optimized"] == pytest.approx(payload["objective"]["optimized"])


def test_the_written_plan_is_read_back_by_validate_and_simulate(cli, tmp_path: Path) -> None:
    out = tmp_path / "opt"
    assert cli("optimize", EV, "-n", "0", "--out", out).exit_code == 0
    plan = out / "plan.yaml"
    checked = cli("validate", EV, "--plan", plan, "--json")
    assert checked.exit_code == 0, checked.stderr
    assert json.loads(checked.stdout)["ok"]
    run = cli("simulate", EV, "--plan", plan, "-n", "2", "--out", tmp_path / "sim", "--json")
    assert run.exit_code == 0, run.stderr
    assert json.loads(run.stdout)["plan"] == "optimized"


INFEASIBLE = (
    "--set",
    "optimize.meet_demand=[HOUSING]",
    "--set",
    "parts.HOUSING.demand.per_period_units.mean=5000",
)
DIAGNOSIS = re.compile(
    r"^(?P<file>.+two_supplier\.yaml): optimize: part HOUSING in year (?P<year>[123]): demand "
    r"[\d,]+ exceeds qualified capacity [\d,]+ \(CHEAPCO [\d,]+, RELIAPART [\d,]+\)$"
)


def test_an_infeasible_model_exits_2_with_one_line_per_conflict(cli) -> None:
    """Demand (5,000 a week) far above the two suppliers' capacity (2,700) and no
    shortage allowed: every plan year is explained, one line each, in the user's terms."""
    result = cli("optimize", TWO, *INFEASIBLE, "-n", "0")
    assert result.exit_code == 2
    no_traceback(result)
    lines = result.stderr.strip().splitlines()
    lines = [line for line in lines if not line.startswith("optimizing")]
    assert len(lines) == 3, result.stderr
    assert [DIAGNOSIS.match(line)["year"] for line in lines] == ["1", "2", "3"]


def test_an_infeasible_model_in_json_mode(cli, tmp_path: Path) -> None:
    result = cli("optimize", TWO, *INFEASIBLE, "-n", "0", "--json", "--out", tmp_path / "x")
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and len(payload["problems"]) == 3
    assert all("exceeds qualified capacity" in p["message"] for p in payload["problems"])
    assert not (tmp_path / "x").exists()  # nothing written for a model with no plan


def test_a_missing_solver_is_a_clear_message_not_a_crash(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pulp.COIN_CMD, "available", lambda self: False)  # as if not installed
    result = cli("optimize", TWO, "--solver", "cbc", "-n", "0")
    assert result.exit_code == 1
    no_traceback(result)
    assert "CBC is not installed" in result.stderr


def test_ev_battery_optimize_and_risk_end_to_end(cli, tmp_path: Path) -> None:
    """The bundled EV scenario: the deterministic and the risk model (K = 50) solve to the
    gap asked, beat the bundled plan on their own objective and are stress-tested."""
    started = time.perf_counter()
    for args in ((), ("--risk", "--scenarios", "50")):
        out = tmp_path / ("risk" if args else "det")
        result = cli("optimize", EV, *args, "-n", "10", "--gap", "1e-4", "--out", out, "--json")
        assert result.exit_code == 0, result.stderr
        payload = json.loads(result.stdout)
        solver = payload["solver"]
        assert solver["outcome"] == "optimal" and solver["gap"] <= 1e-4
        objective = payload["objective"]
        assert objective["optimized"] < objective["scenario_plan"]
        assert {row["plan"] for row in payload["closed_loop"]} == {
            "optimized",
            "partner-majority dual sourcing",
        }
        if args:
            costs = pd.read_parquet(out / "scenario_costs.parquet")
            assert costs.groupby("plan")["scenario"].nunique().tolist() == [50, 50]
            assert (out / "scenario_costs.png").is_file()
    assert time.perf_counter() - started < 60


def test_frontier_writes_points_plans_and_the_figure(cli, tmp_path: Path) -> None:
    out = tmp_path / "frontier"
    result = cli(
        "frontier", EV, "--points", "3", "--scenarios", "10", "-n", "2", "--out", out, "--json"
    )
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    points = payload["points"]
    assert [p["lambda"] for p in points] == pytest.approx([0.0, 0.1, 10.0])
    for a, b in itertools.pairwise(points):
        assert b["cvar"] <= a["cvar"] * (1 + 1e-6)
        assert b["expected_cost"] >= a["expected_cost"] * (1 - 1e-6)
    for j in range(3):
        assert cli("validate", EV, "--plan", out / "plans" / f"plan-{j:02d}.yaml").exit_code == 0
    assert (out / "frontier.png").is_file() and (out / "frontier.parquet").is_file()
    assert json.loads((out / "manifest.json").read_text())["kind"] == "frontier"


def test_optimize_and_frontier_help_explain(cli) -> None:
    for command in ("optimize", "frontier"):
        result = cli(command, "--help")
        assert result.exit_code == 0
        text = " ".join(result.stdout.split())
        for option in ("--scenarios", "--alpha", "--time-limit", "--gap", "--threads", "--solver"):
            assert option in text, (command, option)
    assert "--lambda" in cli("optimize", "--help").stdout
    assert "--points" in cli("frontier", "--help").stdout
