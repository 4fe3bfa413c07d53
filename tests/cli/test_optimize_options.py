"""`keiretsu optimize` with incentive menus and program options: presets, the chosen
contracts and programs in plan.yaml (which the simulator then runs), the tables and the
simulated objective; contradictory options are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from keiretsu.scenario.loader import load_plan, load_scenario
from tests.helpers import edit
from tests.unit.test_coinvest_options import SCENARIO as PROGRAMS

SCENARIO = edit(
    edit(
        PROGRAMS,
        "plan:\n",
        "contracts:\n  - &partner\n    supplier: S\n    relationship: strategic_partnership\n"
        "    gain_share_buyer: 0.5\nplan:\n",
    ),
    "  programs:\n",
    "  incentives:\n"
    "    - supplier: S\n"
    "      options:\n"
    "        - {name: partner, contract: *partner}\n"
    "        - name: spot\n"
    "          contract: {supplier: S, relationship: transactional}\n"
    "  programs:\n",
)


@pytest.fixture
def scenario_file(write_yaml) -> Path:
    return write_yaml(SCENARIO)


def test_balanced_writes_choices_and_the_plan_runs_in_the_simulator(
    cli, scenario_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "opt"
    result = cli(
        "optimize", scenario_file, "--objective", "balanced", "--scenarios", "4", "-n", "3",
        "--out", out, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["objective_preset"] == "balanced"
    assert payload["solver"]["objective_name"] == "expected cost + 0.5 x CVaR0.9"
    chosen = payload["incentives_chosen"]
    assert set(chosen) == {"S"} and chosen["S"] in ("partner", "spot")
    plan = load_plan(out / "plan.yaml", load_scenario(scenario_file))
    (contract,) = [c for c in plan.contracts if c.supplier == "S"]
    expected = "strategic_partnership" if chosen["S"] == "partner" else "transactional"
    assert contract.relationship == expected
    funded = payload["programs_funded"]
    assert set(plan.programs) == set(funded)
    for program, share in funded.items():
        assert plan.programs[program].buyer_cost_share == share
    for table in ("incentives", "incentive_costs", "programs", "simulated_objective"):
        assert (out / f"{table}.parquet").is_file(), table
    incentives = pd.read_parquet(out / "incentives.parquet")
    assert incentives["chosen"].sum() == 1
    objective = pd.read_parquet(out / "simulated_objective.parquet")
    assert list(objective["cvar_weight"].unique()) == [0.5]
    assert objective["objective_ci95"].notna().all()
    run = cli("simulate", scenario_file, "--plan", out / "plan.yaml", "-n", "2", "--out",
              tmp_path / "sim", "--json")  # fmt: skip
    assert run.exit_code == 0, run.stderr


def test_lambda_is_the_same_option_as_risk_weight(cli, scenario_file: Path, tmp_path) -> None:
    names = []
    for flag in ("--lambda", "--risk-weight"):
        result = cli("optimize", scenario_file, flag, "2", "--scenarios", "3", "-n", "0",
                     "--out", tmp_path / flag, "--json")  # fmt: skip
        assert result.exit_code == 0, result.stderr
        names.append(json.loads(result.stdout)["solver"]["objective_name"])
    assert names[0] == names[1] == "expected cost + 2 x CVaR0.95"


def test_cost_objective_refuses_risk_settings(cli, scenario_file: Path, tmp_path) -> None:
    result = cli("optimize", scenario_file, "--objective", "cost", "--risk-weight", "1",
                 "--out", tmp_path / "x")  # fmt: skip
    assert result.exit_code == 2
    assert "deterministic model" in result.stderr
    assert "Traceback" not in result.stderr
