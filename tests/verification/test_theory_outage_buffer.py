"""Theory check: base-stock against exponential supplier outages (VALIDATION.md A.3 family).

A supplier that fails after Exp(MTBF) days and recovers after Exp(MTTR) days is a
continuous-time Markov chain; the simulator judges it at mid-period, and a continuous-time
chain seen once a day is exactly a discrete-time two-state chain (alpha, beta from
``MarkovSupply.from_exponential_spells``). With deterministic demand, zero lead time and
backorders the cost of order-up-to-S is then the Snyder & Shen (2019, sec. 9.2) g(S),
exactly. This checks the mapping behind ``keiretsu.econ.inventory.outage_buffer`` (the
buffer a user is told to hold) against the simulator, at the proposed S* and at an S
that is not a multiple of the daily demand.

Run sizing: 256 replications x 12,000 days give 0.5-0.6 % relative SE (3 SE below 2 %).
"""

from __future__ import annotations

import pytest
from tests.helpers import single_part, within_mc_tolerance

from keiretsu.econ.inventory import disrupted_base_stock_cost, outage_buffer
from keiretsu.experiments import simulate

DEMAND, H, P, MTBF, MTTR = 100.0, 1.0, 20.0, 20.0, 2.0
BUFFER = outage_buffer(
    demand_per_period=DEMAND,
    holding_cost_per_unit_per_period=H,
    backorder_cost_per_unit_per_period=P,
    mtbf_days=MTBF,
    mttr_days=MTTR,
)


def test_proposed_buffer_is_three_days_of_cover() -> None:
    """P(N <= n) = 1 - pi_DOWN (1 - beta)^n first reaches p / (p + h) = 20/21 at n = 2."""
    assert BUFFER.order_up_to_units == 300
    assert BUFFER.days_of_cover == 3


@pytest.mark.slow
@pytest.mark.parametrize("S", [BUFFER.order_up_to_units, 150.0], ids=["S_star", "S_150"])
def test_base_stock_with_exponential_outages_costs_the_markov_g(S: float) -> None:
    expected = disrupted_base_stock_cost(
        S,
        demand_per_period=DEMAND,
        holding_cost_per_unit_per_period=H,
        backorder_cost_per_unit_per_period=P,
        supply=BUFFER.supply,
    )
    scenario = single_part(
        demand={"kind": "fixed", "value": DEMAND},
        holding=H,
        shortage={"kind": "backorder", "cost_per_unit_per_period": P},
        policy={"policy": "base_stock", "order_up_to_units": S},
        disruptions=[
            {
                "kind": "supplier_outage",
                "id": "breakdowns",
                "supplier": "S",
                "up_days": {"kind": "exponential", "mean": MTBF},
                "down_days": {"kind": "exponential", "mean": MTTR},
            }
        ],
        periods=12_000,
        warmup=100,
        replications=256,
        seed=2024,
    )
    result = simulate(scenario, detail="network")
    ok, msg = within_mc_tolerance(result.replications["inventory_cost_per_period"], expected)
    assert ok, msg
