"""VALIDATION.md A.1 and A.2: simulated costs of published optimal policies.

Sources: Snyder & Shen, Fundamentals of Supply Chain Theory, 2nd ed. (2019), Examples
4.3, 4.4, 4.7; Zheng & Federgruen (1991) (s, S) optima as tabulated there.
Conventions (stated in the scenario): periodic review every period, holding cost on
end-of-period on-hand, backorder cost per unit per period, order up to S (or up to S
when the position is <= s), fixed lead time in periods.
The cost compared is holding + shortage + fixed ordering cost per period
(``inventory_cost_per_period``), averaged over independent replications.
"""

from __future__ import annotations

import pytest
from tests.helpers import single_part, within_mc_tolerance

from keiretsu.experiments import simulate


@pytest.mark.parametrize(
    ("S", "expected"),
    [(56.603955927, 1.997605193), (40.0, 7.356131553), (60.0, 2.156131553)],
    ids=["S_star", "S_40", "S_60"],
)
def test_snyder_shen_example_4_3_base_stock_normal_demand(S: float, expected: float) -> None:
    scenario = single_part(
        demand={"kind": "normal", "mean": 50, "sd": 8},
        holding=0.18,
        shortage={"kind": "backorder", "cost_per_unit_per_period": 0.7},
        policy={"policy": "base_stock", "order_up_to_units": S},
        periods=4000,
        replications=30,
    )
    result = simulate(scenario, detail="network")
    ok, msg = within_mc_tolerance(result.replications["inventory_cost_per_period"], expected)
    assert ok, msg


def test_snyder_shen_example_4_4_base_stock_lead_time_4() -> None:
    scenario = single_part(
        demand={"kind": "normal", "mean": 50, "sd": 8},
        holding=0.18,
        shortage={"kind": "backorder", "cost_per_unit_per_period": 0.7},
        policy={"policy": "base_stock", "order_up_to_units": 264.766894374},
        lead_time_days=4,
        periods=4000,
        replications=30,
    )
    result = simulate(scenario, detail="network")
    ok, msg = within_mc_tolerance(result.replications["inventory_cost_per_period"], 4.466781004)
    assert ok, msg


def test_snyder_shen_example_4_7_base_stock_poisson() -> None:
    scenario = single_part(
        demand={"kind": "poisson", "mean": 6},
        holding=1.0,
        shortage={"kind": "backorder", "cost_per_unit_per_period": 4.0},
        policy={"policy": "base_stock", "order_up_to_units": 8},
        periods=4000,
        replications=30,
    )
    result = simulate(scenario, detail="network")
    ok, msg = within_mc_tolerance(result.replications["inventory_cost_per_period"], 3.570106946)
    assert ok, msg


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mu", "s", "S", "expected"),
    [(10, 6, 40, 35.022), (25, 19, 56, 54.262), (50, 42, 108, 70.975)],
    ids=["mu10", "mu25", "mu50"],
)
def test_zheng_federgruen_1991_s_S_poisson(mu: float, s: float, S: float, expected: float) -> None:
    scenario = single_part(
        demand={"kind": "poisson", "mean": mu},
        holding=1.0,
        shortage={"kind": "backorder", "cost_per_unit_per_period": 9.0},
        policy={"policy": "s_S", "reorder_point_units": s, "order_up_to_units": S},
        order_cost=64.0,
        periods=20000,
        replications=40,
    )
    result = simulate(scenario, detail="network")
    ok, msg = within_mc_tolerance(result.replications["inventory_cost_per_period"], expected, 0.005)
    assert ok, msg
