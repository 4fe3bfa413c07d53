"""VALIDATION.md C: Cachon (2003), "Supply chain coordination with contracts", sec. 2.

Newsvendor channel: p = 1, c = 0.3 (supplier), c_r = 0, v = 0.12, no goodwill cost,
D ~ N(50, 8). Through the public path: a scenario Distribution spec, its demand law, a
Channel and the contract functions of keiretsu.econ.channel. Tolerance "exact" (1e-6)
unless stated.
"""

from __future__ import annotations

import pytest

from keiretsu.econ.channel import (
    Buyback,
    Channel,
    WholesalePrice,
    coordinate,
    evaluate,
    retailer_order,
    supplier_optimal_wholesale_price,
)
from keiretsu.econ.demand_law import demand_law
from keiretsu.scenario.distributions import Normal

EXACT = 1e-6


@pytest.fixture(scope="module")
def channel() -> Channel:
    return Channel(
        demand_law(Normal(mean=50, sd=8)),
        price_per_unit=1.0,
        supplier_cost_per_unit=0.3,
        salvage_per_unit=0.12,
    )


def test_cachon_2003_integrated_channel_optimum(channel: Channel) -> None:
    assert channel.optimal_order == pytest.approx(56.603955927, abs=EXACT)
    assert channel.optimal_profit == pytest.approx(33.002394807, abs=EXACT)


def test_cachon_2003_wholesale_price_contract(channel: Channel) -> None:
    outcome = evaluate(channel, WholesalePrice(0.65))
    assert outcome.order_units == pytest.approx(47.926126405, abs=EXACT)
    assert outcome.retailer_profit == pytest.approx(14.784249203, abs=EXACT)
    assert outcome.supplier_profit == pytest.approx(16.774144242, abs=EXACT)
    assert round(outcome.efficiency, 6) == 0.956246


def test_cachon_2003_supplier_optimal_wholesale_price(channel: Channel) -> None:
    outcome = supplier_optimal_wholesale_price(channel)
    assert outcome.contract.wholesale_price_per_unit == pytest.approx(0.930081513, abs=1e-5)
    assert outcome.order_units == pytest.approx(38.729906647, abs=EXACT)
    assert outcome.efficiency == pytest.approx(0.813811605, abs=EXACT)
    # the retailer's own response to w* is that order (continuous demand)
    assert retailer_order(channel, outcome.contract) == pytest.approx(38.729906647, abs=EXACT)


def test_cachon_2003_buyback_coordinates_with_half_split(channel: Channel) -> None:
    outcome = coordinate(channel, "buyback", 0.5)
    assert isinstance(outcome.contract, Buyback)
    assert outcome.contract.buyback_price_per_unit == pytest.approx(0.56, abs=EXACT)
    assert outcome.contract.wholesale_price_per_unit == pytest.approx(0.65, abs=EXACT)
    assert outcome.order_units == pytest.approx(56.603955927, abs=EXACT)
    assert outcome.retailer_profit == pytest.approx(16.501197403, abs=EXACT)
    assert outcome.supplier_profit == pytest.approx(16.501197403, abs=EXACT)
    # the same terms written by hand: the retailer's own optimum is Q°
    by_hand = evaluate(channel, Buyback(0.65, 0.56))
    assert by_hand.order_units == pytest.approx(56.603955927, abs=EXACT)
    assert by_hand.retailer_profit == pytest.approx(16.501197403, abs=EXACT)


def test_cachon_2003_revenue_sharing_phi_equals_lambda_and_w_equals_lambda_c(
    channel: Channel,
) -> None:
    # Cachon sec. 2.3, g = c_r = 0: phi = lambda, w = lambda c; the split is lambda
    outcome = coordinate(channel, "revenue_sharing", 0.4)
    assert outcome.contract.retailer_revenue_share == pytest.approx(0.4, abs=EXACT)
    assert outcome.contract.wholesale_price_per_unit == pytest.approx(0.4 * 0.3, abs=EXACT)
    assert outcome.order_units == pytest.approx(56.603955927, abs=EXACT)
    assert outcome.retailer_profit == pytest.approx(0.4 * 33.002394807, abs=EXACT)


def test_cachon_2003_wholesale_price_coordinates_only_at_cost(channel: Channel) -> None:
    # Cachon sec. 2.1: the wholesale-price contract coordinates only when w = c
    at_cost = coordinate(channel, "wholesale_price", 1.0)
    assert at_cost.contract.wholesale_price_per_unit == pytest.approx(0.3, abs=EXACT)
    assert at_cost.supplier_profit == pytest.approx(0.0, abs=EXACT)
    with pytest.raises(ValueError, match=r"only at w = 0\.3"):
        coordinate(channel, "wholesale_price", 0.5)


def test_cachon_2003_sales_rebate_coordinating_rebate(channel: Channel) -> None:
    # Cachon sec. 2.5, g = c_r = 0: the rebate coordinates when r = (w - c)(p - v)/(c - v)
    outcome = coordinate(channel, "sales_rebate", 0.5, threshold_units=50.0)
    c = outcome.contract
    assert c.rebate_per_unit == pytest.approx(
        (c.wholesale_price_per_unit - 0.3) * (1 - 0.12) / (0.3 - 0.12), abs=EXACT
    )
    assert outcome.order_units == pytest.approx(56.603955927, abs=EXACT)
    assert outcome.retailer_profit == pytest.approx(16.501197403, abs=EXACT)
