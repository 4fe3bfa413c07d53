"""VALIDATION.md C through the scenario path a user takes (``keiretsu contracts``).

A scenario built in code with one part whose season demand is N(50, 8), retail price
(revenue per unit) 1 and an offer at 0.65; supplier cost 0.3 and salvage 0.12 given as
arguments. Published figures (Cachon 2003, sec. 2): Q° = 56.603955927,
Π° = 33.002394807; at w = 0.65 the retailer orders 47.926126405 and earns 14.784249203,
the supplier 16.774144242, efficiency 0.956246; w* = 0.930081513 (± 1e-5) with order
38.729906647 and efficiency 0.813811605; the buyback with λ = 0.5 is b = 0.56, w = 0.65
with 16.501197403 each. Tolerance "exact" (1e-6) unless stated.

The season is one period of N(50, 8), and also four periods of N(12.5, 4): the sum of
four independent N(12.5, 4²) is N(50, 8²) exactly, so the same figures must come out.
"""

from __future__ import annotations

import pytest

from keiretsu.experiments.contracts import contracts
from keiretsu.scenario.model import Scenario

EXACT = 1e-6


def cachon_scenario(mean: float, sd: float) -> Scenario:
    return Scenario.model_validate(
        {
            "meta": {"name": "Cachon 2003 newsvendor"},
            "regions": [{"id": "R"}],
            "parts": [
                {
                    "id": "P",
                    "demand": {"per_period_units": {"kind": "normal", "mean": mean, "sd": sd}},
                    "revenue_per_unit": 1.0,
                    "holding_cost_per_unit_per_period": 0.0,
                    "shortage": {"kind": "lost_sale", "penalty_per_unit": 0.0},
                }
            ],
            "suppliers": [
                {
                    "id": "S",
                    "region": "R",
                    "offers": [
                        {
                            "part": "P",
                            "unit_price": 0.65,
                            "lead_time_days": {"kind": "fixed", "value": 0},
                        }
                    ],
                }
            ],
            "plan": {"default_inventory": {"policy": "base_stock", "order_up_to_units": 50}},
        }
    )


@pytest.fixture(scope="module", params=[(50.0, 8.0, 1), (12.5, 4.0, 4)], ids=["1x", "4x"])
def result(request):
    mean, sd, periods = request.param
    return contracts(
        cachon_scenario(mean, sd),
        "P",
        supplier_cost_per_unit=0.3,
        salvage_per_unit=0.12,
        season_periods=periods,
    )


def _row(result, label: str):
    return result.contracts.set_index("contract").loc[label]


def test_cachon_2003_integrated_optimum_through_a_scenario(result) -> None:
    summary = result.summary.iloc[0]
    assert summary["optimal_order_units"] == pytest.approx(56.603955927, abs=EXACT)
    assert summary["optimal_profit"] == pytest.approx(33.002394807, abs=EXACT)
    assert summary["mean_demand_units"] == pytest.approx(50.0)
    assert summary["sd_demand_units"] == pytest.approx(8.0)
    assert summary["season_law_exact"]


def test_cachon_2003_wholesale_price_at_the_offer_through_a_scenario(result) -> None:
    row = _row(result, "wholesale price (offer)")
    assert row["wholesale_price_per_unit"] == pytest.approx(0.65, abs=EXACT)
    assert row["order_units"] == pytest.approx(47.926126405, abs=EXACT)
    assert row["retailer_profit"] == pytest.approx(14.784249203, abs=EXACT)
    assert row["supplier_profit"] == pytest.approx(16.774144242, abs=EXACT)
    assert round(row["efficiency"], 6) == 0.956246
    assert not row["coordinates"]


def test_cachon_2003_supplier_optimal_price_through_a_scenario(result) -> None:
    row = _row(result, "wholesale price (supplier-optimal)")
    assert row["wholesale_price_per_unit"] == pytest.approx(0.930081513, abs=1e-5)
    assert row["order_units"] == pytest.approx(38.729906647, abs=EXACT)
    assert row["efficiency"] == pytest.approx(0.813811605, abs=EXACT)


def test_cachon_2003_buyback_half_split_through_a_scenario(result) -> None:
    row = _row(result, "buyback")
    assert row["buyback_price_per_unit"] == pytest.approx(0.56, abs=EXACT)
    assert row["wholesale_price_per_unit"] == pytest.approx(0.65, abs=EXACT)
    assert row["order_units"] == pytest.approx(56.603955927, abs=EXACT)
    assert row["retailer_profit"] == pytest.approx(16.501197403, abs=EXACT)
    assert row["supplier_profit"] == pytest.approx(16.501197403, abs=EXACT)
    assert row["coordinates"] and row["efficiency"] == pytest.approx(1.0, abs=EXACT)


def test_cachon_2003_revenue_sharing_phi_lambda_w_lambda_c_through_a_scenario(result) -> None:
    # sec. 2.3 without goodwill or retailer cost: phi = lambda = 0.5, w = lambda c = 0.15
    row = _row(result, "revenue sharing")
    assert row["retailer_revenue_share"] == pytest.approx(0.5, abs=EXACT)
    assert row["wholesale_price_per_unit"] == pytest.approx(0.15, abs=EXACT)
    assert row["retailer_profit"] == pytest.approx(16.501197403, abs=EXACT)
