"""VALIDATION.md A.1 and A.3, analytic: keiretsu.econ.inventory reproduces the published values.

Sources: Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed. (2019): Examples 4.3,
4.4 (normal demand, lead time 4) and 4.7 (Poisson demand) of the base-stock / newsvendor
model; Example 9.3 (base-stock with a two-state Markov supplier). Tolerance "exact" (1e-6).
The simulated counterparts are in test_snyder_shen_inventory.py and test_disruptions.py.
"""

from __future__ import annotations

import pytest

from keiretsu.econ.inventory import (
    MarkovSupply,
    disrupted_base_stock_cost,
    disrupted_base_stock_optimum,
    normal_base_stock_cost,
    normal_base_stock_optimum,
    poisson_base_stock_cost,
    poisson_base_stock_optimum,
)

EXACT = 1e-6
EXAMPLE_4_3 = {
    "mean_per_period": 50,
    "sd_per_period": 8,
    "holding_cost_per_unit_per_period": 0.18,
    "backorder_cost_per_unit_per_period": 0.7,
}


def test_snyder_shen_example_4_3_normal_newsvendor_optimum() -> None:
    best = normal_base_stock_optimum(**EXAMPLE_4_3)
    assert best.order_up_to_units == pytest.approx(56.603955927, abs=EXACT)
    assert best.expected_cost_per_period == pytest.approx(1.997605193, abs=EXACT)
    assert normal_base_stock_cost(56.603955927, **EXAMPLE_4_3) == pytest.approx(
        1.997605193, abs=EXACT
    )


@pytest.mark.parametrize(("S", "expected"), [(40, 7.356131553), (60, 2.156131553)])
def test_snyder_shen_example_4_3_normal_newsvendor_cost(S: float, expected: float) -> None:
    assert normal_base_stock_cost(S, **EXAMPLE_4_3) == pytest.approx(expected, abs=EXACT)


def test_snyder_shen_example_4_4_normal_base_stock_lead_time_4() -> None:
    best = normal_base_stock_optimum(**EXAMPLE_4_3, lead_time_periods=4)
    assert best.order_up_to_units == pytest.approx(264.766894374, abs=EXACT)
    assert best.expected_cost_per_period == pytest.approx(4.466781004, abs=EXACT)


def test_snyder_shen_example_4_7_poisson_base_stock() -> None:
    kw = {
        "mean_per_period": 6,
        "holding_cost_per_unit_per_period": 1.0,
        "backorder_cost_per_unit_per_period": 4.0,
    }
    best = poisson_base_stock_optimum(**kw)
    assert best.order_up_to_units == 8
    assert best.expected_cost_per_period == pytest.approx(3.570106946, abs=EXACT)
    assert poisson_base_stock_cost(8, **kw) == pytest.approx(3.570106946, abs=EXACT)


EXAMPLE_9_3 = {
    "demand_per_period": 2000,
    "holding_cost_per_unit_per_period": 0.25,
    "backorder_cost_per_unit_per_period": 3.0,
    "supply": MarkovSupply(up_to_down=0.04, down_to_up=0.25),
}


@pytest.mark.parametrize(
    ("S", "expected"), [(8000, 2737.0689655), (2000, 3310.3448276), (12000, 3075.1616379)]
)
def test_snyder_shen_example_9_3_markov_disruptions_cost(S: float, expected: float) -> None:
    assert disrupted_base_stock_cost(S, **EXAMPLE_9_3) == pytest.approx(expected, abs=EXACT)


def test_snyder_shen_example_9_3_markov_disruptions_optimum() -> None:
    best = disrupted_base_stock_optimum(**EXAMPLE_9_3)
    assert best.order_up_to_units == 8000
    assert best.expected_cost_per_period == pytest.approx(2737.0689655, abs=EXACT)
