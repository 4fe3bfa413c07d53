"""Drills: a scheduled outage against its no-drill twin (VALIDATION.md F identity)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from tests.helpers import single_part

from keiretsu.errors import InputError
from keiretsu.experiments import drill

START = dt.date(2027, 1, 1)  # the builder's default meta.start_date


def _scenario(safety_days: int, outage_days: int, shortage: dict):
    d = 10.0
    scenario = single_part(
        demand={"kind": "fixed", "value": d},
        holding=0.1,
        shortage=shortage,
        policy={"policy": "base_stock", "order_up_to_units": d * (1 + safety_days)},
        lead_time_days=0,
        revenue=4.0,
        periods=200,
        warmup=0,
        replications=3,
        seed=2,
    )
    doc = scenario.model_dump(mode="json")
    doc["drills"] = [
        {
            "id": "sole-supplier-down",
            "kind": "supplier_outage",
            "supplier": "S",
            "start_date": (START + dt.timedelta(days=50)).isoformat(),
            "duration_days": outage_days,
        }
    ]
    return type(scenario).model_validate(doc)


@pytest.mark.parametrize(("k", "D"), [(2, 5), (3, 10), (7, 4), (0, 1)])
def test_safety_stock_outage_identity_lost_sales(k: int, D: int) -> None:
    """Deterministic demand d, k days of safety stock, one D-day outage of the sole
    supplier: exactly max(D - k, 0) d units short (VALIDATION.md F)."""
    result = drill(
        _scenario(k, D, {"kind": "lost_sale", "penalty_per_unit": 1.0}), "sole-supplier-down"
    )
    expected = max(D - k, 0) * 10.0
    assert np.allclose(result.impact["lost_sales_units"], expected)
    assert np.allclose(result.impact["unfilled_units"], expected)
    assert np.allclose(result.impact["revenue_at_risk"], expected * 4.0)


def test_time_to_recover_runs_from_the_start_to_the_end_of_the_dip() -> None:
    result = drill(
        _scenario(2, 5, {"kind": "backorder", "cost_per_unit_per_period": 1.0}),
        "sole-supplier-down",
    )
    impact = result.impact
    assert (impact["recovered"] == 1.0).all()
    # unfilled days 52-54; the 28-day rolling fill rate stays below the twin's until day
    # 54 + 28 - 1 = 81, so recovery completes 82 - 50 = 32 days after the start
    assert np.allclose(impact["time_to_recover_days"], 32.0)
    assert np.allclose(impact["unfilled_units"], 30.0)


def test_unknown_drill_is_a_user_error() -> None:
    with pytest.raises(InputError, match="unknown drill 'nope'"):
        drill(_scenario(1, 1, {"kind": "lost_sale", "penalty_per_unit": 1.0}), "nope")


def test_sweep_ranks_the_supplier_with_the_larger_share_first() -> None:
    from tests.helpers import SCENARIOS

    from keiretsu.experiments import sweep
    from keiretsu.scenario.loader import load_scenario

    scenario = load_scenario(SCENARIOS / "two_supplier.yaml")  # CHEAPCO 70 %, RELIAPART 30 %
    result = sweep(scenario, "suppliers", weeks=8, replications=6, seed=3)
    assert list(result.ranking["node"]) == ["CHEAPCO", "RELIAPART"]
    assert list(result.ranking["rank"]) == [1, 2]
    top = result.ranking.iloc[0]
    assert top["unfilled_units_mean"] > result.ranking.iloc[1]["unfilled_units_mean"] > 0
    assert set(result.impact["node"]) == {"CHEAPCO", "RELIAPART"}
