"""VALIDATION.md A.3 and F: inventory under Markov supply disruptions; availability.

A.3, Snyder & Shen (2019) Example 9.3: deterministic demand d = 2000 per period,
h = 0.25, p = 3 per unit backordered per period, zero lead time, a two-state Markov
supplier (UP -> DOWN with alpha = 0.04, DOWN -> UP with beta = 0.25 per period,
transitions at the start of a period), order up to S in UP periods.
F: the availability of an outage process is MTBF / (MTBF + MTTR).
"""

from __future__ import annotations

import numpy as np
import pytest
from tests.helpers import single_part, within_mc_tolerance

from keiretsu.experiments import simulate

MARKOV = {
    "kind": "supplier_outage",
    "id": "markov",
    "supplier": "S",
    "up_days": {"kind": "geometric", "p": 0.04},
    "down_days": {"kind": "geometric", "p": 0.25},
}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("S", "expected"), [(8000, 2737.0689655), (2000, 3310.3448276), (12000, 3075.1616379)]
)
def test_snyder_shen_example_9_3_base_stock_with_markov_disruptions(
    S: float, expected: float
) -> None:
    scenario = single_part(
        demand={"kind": "fixed", "value": 2000},
        holding=0.25,
        shortage={"kind": "backorder", "cost_per_unit_per_period": 3.0},
        policy={"policy": "base_stock", "order_up_to_units": S},
        disruptions=[MARKOV],
        periods=25_000,
        warmup=200,
        replications=192,
        seed=93,
    )
    result = simulate(scenario, detail="network")
    ok, msg = within_mc_tolerance(result.replications["inventory_cost_per_period"], expected)
    assert ok, msg


def test_availability_is_mtbf_over_mtbf_plus_mttr() -> None:
    outage = {
        "kind": "supplier_outage",
        "id": "breakdowns",
        "supplier": "S",
        "up_days": {"kind": "exponential", "mean": 90},
        "down_days": {"kind": "exponential", "mean": 10},
    }
    scenario = single_part(
        demand={"kind": "fixed", "value": 1},
        holding=0.1,
        shortage={"kind": "backorder", "cost_per_unit_per_period": 1.0},
        policy={"policy": "base_stock", "order_up_to_units": 5},
        disruptions=[outage],
        periods=20_000,
        warmup=0,
        replications=30,
        seed=5,
    )
    result = simulate(scenario, detail="network")
    availability = result.suppliers["capacity_available"].to_numpy()
    mean, se = availability.mean(), availability.std(ddof=1) / np.sqrt(availability.size)
    # mid-period sampling of continuous spells is unbiased: the expected share of days up
    assert abs(mean - 0.9) <= 3 * se, (mean, se)
    events = result.events
    assert (events["disruption"] == "breakdowns").all()
    assert events["duration_days"].mean() == pytest.approx(10, rel=0.05)


def test_overlapping_outages_are_a_union_not_a_sum() -> None:
    """Two permanent half-capacity events on one supplier leave half, not zero."""
    half = {
        "kind": "supplier_outage",
        "supplier": "S",
        "up_days": {"kind": "fixed", "value": 0},
        "down_days": {"kind": "fixed", "value": 10_000},
        "capacity_lost": 0.5,
    }
    scenario = single_part(
        demand={"kind": "fixed", "value": 10},
        holding=0.1,
        shortage={"kind": "lost_sale", "penalty_per_unit": 1.0},
        policy={"policy": "base_stock", "order_up_to_units": 40},
        capacity=16,
        disruptions=[{**half, "id": "a"}, {**half, "id": "b"}],
        periods=200,
        warmup=20,
        replications=2,
        seed=1,
    )
    result = simulate(scenario, detail="network")
    assert np.allclose(result.suppliers["capacity_available"], 0.5)
    # 8 units a period can be made against demand of 10: a fill rate of 0.8 once stock is gone
    late = result.periods[result.periods["period"] >= 100]
    assert late["fill_rate"].mean() == pytest.approx(0.8, abs=1e-9)
    assert result.events["censored"].all()
