"""`simulate --keep`, the deprecated `--detail`, and the Dask options of the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from keiretsu import experiments
from keiretsu.cli import KEEP_LEVELS, main
from keiretsu.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
TWO = str(SCENARIOS / "two_supplier.yaml")
PER_PERIOD = {"periods", "part_periods", "supplier_periods"}
REPLICATION_LEVEL = ["replications", "parts", "suppliers", "summary"]


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _tables(out: Path) -> list[str]:
    return json.loads((out / "manifest.json").read_text())["tables"]


def test_cli_keep_levels_are_the_library_ones() -> None:
    assert KEEP_LEVELS == experiments.KEEP_LEVELS


@pytest.mark.parametrize(
    ("keep", "per_period"),
    [("per-period", PER_PERIOD), ("network", {"periods"}), ("summary", set())],
)
def test_keep_decides_the_per_period_tables(tmp_path: Path, keep: str, per_period) -> None:
    out = tmp_path / keep
    result = _cli("simulate", TWO, "-n", "3", "--keep", keep, "--out", out)
    assert result.exit_code == 0, result.stderr
    tables = _tables(out)
    assert set(tables) & PER_PERIOD == per_period
    assert all(t in tables for t in REPLICATION_LEVEL)
    assert {p.stem for p in out.glob("*.parquet")} == set(tables)
    assert json.loads((out / "manifest.json").read_text())["keep"] == keep
    for fig in ("service_level", "cost_breakdown", "inventory"):  # figures whatever keep
        assert (out / f"{fig}.png").is_file()


def test_keep_summary_has_the_same_replications_and_summary(tmp_path: Path) -> None:
    full, small = tmp_path / "full", tmp_path / "small"
    assert _cli("simulate", TWO, "-n", "5", "--out", full).exit_code == 0
    assert _cli("simulate", TWO, "-n", "5", "--keep", "summary", "--out", small).exit_code == 0
    for name in REPLICATION_LEVEL:
        assert (full / f"{name}.csv").read_bytes() == (small / f"{name}.csv").read_bytes()


def test_detail_is_a_deprecated_alias_of_keep(tmp_path: Path) -> None:
    result = _cli("simulate", TWO, "-n", "2", "--detail", "network", "--out", tmp_path / "a")
    assert result.exit_code == 0
    assert "--detail is deprecated; it means --keep network" in result.stderr
    assert set(_tables(tmp_path / "a")) & PER_PERIOD == {"periods"}
    both = _cli("simulate", TWO, "--detail", "part", "--keep", "summary", "--out", tmp_path / "b")
    assert both.exit_code == 2 and "give --keep only" in both.output


def test_library_keep_summary_holds_only_the_figure_columns() -> None:
    scenario = load_scenario(TWO)
    small = experiments.simulate(scenario, replications=3, keep="summary")
    full = experiments.simulate(scenario, replications=3, detail="part")
    assert list(small.periods.columns) == experiments.runs.FIGURE_PERIOD_COLUMNS
    pd.testing.assert_frame_equal(
        small.periods, full.periods[experiments.runs.FIGURE_PERIOD_COLUMNS], check_exact=True
    )
    pd.testing.assert_frame_equal(small.summary, full.summary, check_exact=True)
    with pytest.raises(ValueError, match="not both"):
        experiments.simulate(scenario, replications=1, keep="summary", detail="part")
    with pytest.raises(ValueError, match="keep must be one of"):
        experiments.simulate(scenario, replications=1, keep="everything")


def test_cluster_option_runs_on_a_local_dask_cluster(tmp_path: Path) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    assert _cli("simulate", TWO, "-n", "6", "--out", here).exit_code == 0
    result = _cli("simulate", TWO, "-n", "6", "--cluster", "local:2", "--out", there)
    assert result.exit_code == 0, result.stderr
    backend = json.loads((there / "manifest.json").read_text())["backend"]
    assert backend["kind"] == "dask" and backend["workers"] == 2
    for name in _tables(here):
        assert (here / f"{name}.csv").read_bytes() == (there / f"{name}.csv").read_bytes()


def test_scheduler_option_uses_an_existing_cluster(tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        result = _cli(
            "simulate", TWO, "-n", "3", "--scheduler", cluster.scheduler_address,
            "--out", tmp_path / "run", "--json",
        )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    backend = json.loads((tmp_path / "run" / "manifest.json").read_text())["backend"]
    assert backend["scheduler"] == cluster.scheduler_address


def test_without_dask_installed_the_options_say_how_to_get_it(tmp_path: Path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    for option in (["--cluster", "local:2"], ["--scheduler", "tcp://127.0.0.1:8786"]):
        result = _cli("simulate", TWO, "-n", "2", *option, "--out", tmp_path / "x")
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "pip install keiretsu[dask]" in lines[0], result.stderr
    assert not (tmp_path / "x").exists()  # refused before anything was written


def test_bad_cluster_spec_and_j_with_cluster_are_user_errors(tmp_path: Path) -> None:
    bad = _cli("simulate", TWO, "--cluster", "lots", "--out", tmp_path / "x")
    assert bad.exit_code == 2 and "expected local:N" in bad.stderr
    both = _cli("simulate", TWO, "-j", "2", "--cluster", "local:2", "--out", tmp_path / "x")
    assert both.exit_code == 2 and "drop -j" in both.stderr
