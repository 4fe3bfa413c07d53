"""Same seed, same numbers; any batch size or worker count; common random numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from keiretsu.experiments import simulate
from keiretsu.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def two_supplier():
    return load_scenario(SCENARIOS / "two_supplier.yaml")


def _frames(result):
    return [result.replications, result.parts, result.suppliers, result.periods]


def test_same_seed_identical_frames(two_supplier) -> None:
    a = simulate(two_supplier, replications=6, seed=7)
    b = simulate(two_supplier, replications=6, seed=7)
    for x, y in zip(_frames(a), _frames(b), strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)


def test_other_seed_differs(two_supplier) -> None:
    a = simulate(two_supplier, replications=3, seed=7)
    b = simulate(two_supplier, replications=3, seed=8)
    assert not a.replications["total_cost"].equals(b.replications["total_cost"])


def test_batch_size_and_workers_do_not_change_results(two_supplier) -> None:
    base = simulate(two_supplier, replications=7, seed=3, batch=7)
    one_by_one = simulate(two_supplier, replications=7, seed=3, batch=1)
    two_workers = simulate(two_supplier, replications=7, seed=3, batch=3, workers=2)
    for other in (one_by_one, two_workers):
        for x, y in zip(_frames(base), _frames(other), strict=True):
            pd.testing.assert_frame_equal(x, y, check_exact=True)


def test_batch_size_does_not_change_a_multi_part_network() -> None:
    ev = load_scenario(SCENARIOS / "ev_battery.yaml", ["horizon.years=3.2", "run.warmup_periods=4"])
    alone = simulate(ev, replications=3, seed=2, batch=1)
    together = simulate(ev, replications=3, seed=2, batch=3)
    for x, y in zip(_frames(alone), _frames(together), strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)


def test_replication_k_is_the_same_in_a_longer_run(two_supplier) -> None:
    short = simulate(two_supplier, replications=3, seed=11)
    long = simulate(two_supplier, replications=8, seed=11)
    pd.testing.assert_frame_equal(short.replications, long.replications.iloc[:3], check_exact=True)


def test_changing_a_share_leaves_demand_identical(two_supplier) -> None:
    """Common random numbers: another plan sees the same demand (and lead-time quotes)."""
    plan_b = two_supplier.plan.model_copy(
        update={"allocation": {"HOUSING": {"CHEAPCO": 0.2, "RELIAPART": 0.8}}, "name": "B"}
    )
    a = simulate(two_supplier, replications=4, seed=5)
    b = simulate(two_supplier, plan_b, replications=4, seed=5)
    pd.testing.assert_series_equal(
        a.periods["demand_units"], b.periods["demand_units"], check_exact=True
    )
    assert not a.periods["on_hand_units"].equals(b.periods["on_hand_units"])
