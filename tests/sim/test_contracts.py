"""Contracts in the simulator: settlement, supplier response and escalation, each against
a hand-worked number or a property that must hold on common random numbers."""

from __future__ import annotations

import numpy as np
import pytest

from keiretsu.experiments import drill, simulate
from keiretsu.scenario.model import Scenario

D = 10.0  # units a day


def _scenario(
    contract: dict | None = None, *, years: float = 2.0, offer: dict | None = None, **doc
):
    base = {
        "meta": {"name": "contract test", "start_date": "2027-01-01"},
        "horizon": {"years": years, "period": "day"},
        "regions": [{"id": "R"}],
        "parts": [
            {
                "id": "P",
                "demand": {"per_period_units": {"kind": "fixed", "value": D}},
                "revenue_per_unit": 4.0,
                "holding_cost_per_unit_per_period": 0.01,
                "shortage": {"kind": "lost_sale", "penalty_per_unit": 1.0},
            }
        ],
        "suppliers": [
            {
                "id": "S",
                "region": "R",
                "offers": [
                    {
                        "part": "P",
                        "unit_price": 2.0,
                        "lead_time_days": {"kind": "fixed", "value": 0},
                        **(offer or {}),
                    }
                ],
            }
        ],
        "contracts": [] if contract is None else [{"supplier": "S", **contract}],
        "plan": {"inventory": {"P": {"policy": "base_stock", "order_up_to_units": 2 * D}}},
        "run": {"replications": 2, "seed": 7},
    }
    base.update(doc)
    return Scenario.model_validate(base)


def _reviews(result) -> pd.DataFrame:  # noqa: F821
    return result.contract_reviews


def test_take_or_pay_charges_the_shortfall_at_the_end_of_the_contract_year() -> None:
    contract = {
        "review": "annual",
        "volume_commitment": {"minimum_annual_units": 4000, "shortfall_rate_per_unit": 2.0},
    }
    result = simulate(_scenario(contract), detail="network")
    reviews = _reviews(result)
    assert list(reviews["period"].unique()) == [365]
    bought = (
        result.periods[result.periods["period"] < 365]
        .groupby("replication")["received_units"]
        .sum()
    )
    expected = 2.0 * np.maximum(4000 - bought.to_numpy(), 0)
    assert np.allclose(reviews.sort_values("replication")["take_or_pay"], expected)
    assert (expected > 0).all()
    # the buyer's accounts carry it, with the rebidding overhead of a transactional contract
    admin = reviews.sort_values("replication")["administration"].to_numpy()
    assert np.allclose(admin, 0.005 * 2.0 * bought.to_numpy())
    assert np.allclose(result.replications["contract_cost"], expected + admin)


@pytest.mark.parametrize(("mode", "formula"), [("all_units", "all"), ("incremental", "inc")])
def test_rebates_on_year_to_date_volume_add_up_to_the_annual_rebate(
    mode: str, formula: str
) -> None:
    tiers = [{"from_units": 1000, "rate": 0.1}, {"from_units": 3000, "rate": 0.2}]
    contract = {"review": "quarterly", "rebate": {"mode": mode, "tiers": tiers}}
    result = simulate(_scenario(contract, years=1.1), detail="network")
    reviews = _reviews(result)
    year = reviews[reviews["period"] <= 364]  # the four reviews of the first contract year
    assert len(year["period"].unique()) == 4
    window_end = year["period"].max()
    bought = (
        result.periods[result.periods["period"] < window_end]
        .groupby("replication")["received_units"]
        .sum()
        .to_numpy()
    )
    if formula == "all":
        expected = np.where(bought >= 3000, 0.2, np.where(bought >= 1000, 0.1, 0.0)) * bought
    else:
        expected = 0.1 * np.clip(bought - 1000, 0, 2000) + 0.2 * np.clip(bought - 3000, 0, None)
    paid = year.groupby("replication")["volume_rebate"].sum().to_numpy()
    assert np.allclose(-paid, expected)


def test_gain_share_passes_the_buyers_share_of_continuous_cost_reductions() -> None:
    contract = {
        "relationship": "strategic_partnership",
        "review": "annual",
        "gain_share_buyer": 0.5,
        "response": {"annual_cost_reduction": 0.1, "improvements_per_year": 0.0},
    }
    result = simulate(_scenario(contract, years=2.1), detail="network")
    reviews = _reviews(result).set_index(["period", "replication"])
    # year 1 at the base cost: nothing saved; year 2 the cost is 10 % lower
    assert np.allclose(reviews.loc[365, "gain_share"], 0.0)
    year2 = result.periods[(result.periods["period"] >= 365) & (result.periods["period"] < 730)]
    units = year2.groupby("replication")["received_units"].sum().to_numpy()
    assert np.allclose(-reviews.loc[730, "gain_share"].to_numpy(), 0.5 * 0.1 * 2.0 * units)
    # per party: the supplier saves 10 % of its cost on every unit, pays half back, and is
    # paid what the buyer pays less the buyer's own administration
    assert np.allclose(reviews.loc[730, "supplier_savings"].to_numpy(), 0.1 * 2.0 * units)
    assert np.allclose(
        reviews["supplier_receives"], reviews["buyer_pays"] - reviews["administration"]
    )


def test_money_at_stake_raises_on_time_delivery_on_the_same_random_numbers() -> None:
    offer = {"on_time_probability": 0.8, "late_delay_days": {"kind": "fixed", "value": 3}}
    performance = {
        "targets": {"otif": 0.95},
        "bonus_per_review": 500.0,
        "penalty_per_kpi_per_review": 500.0,
    }
    plain = simulate(_scenario(None, offer=offer), detail="network").suppliers
    keen = simulate(
        _scenario({"performance": performance}, offer=offer), detail="network"
    ).suppliers
    assert (keen["otif_lines"].to_numpy() >= plain["otif_lines"].to_numpy()).all()
    assert keen["otif"].mean() > plain["otif"].mean()


def test_a_poor_scorecard_starts_remediation_then_moves_volume_away() -> None:
    offer = {"defect_ppm": 100_000}
    two = {
        "suppliers": [
            {
                "id": "S",
                "region": "R",
                "offers": [
                    {
                        "part": "P",
                        "unit_price": 2.0,
                        "lead_time_days": {"kind": "fixed", "value": 0},
                        **offer,
                    }
                ],
            },
            {
                "id": "S2",
                "region": "R",
                "offers": [
                    {
                        "part": "P",
                        "unit_price": 2.5,
                        "lead_time_days": {"kind": "fixed", "value": 0},
                    }
                ],
            },
        ],
        "plan": {
            "allocation": {"P": {"S": 0.8, "S2": 0.2}},
            "inventory": {"P": {"policy": "base_stock", "order_up_to_units": 2 * D}},
        },
    }
    contract = {
        "performance": {"targets": {"defect_ppm": 5000}},
        "escalation": {
            "remediation_below": 99,
            "shift_below": 99,
            "shift_share": 0.5,
            "reviews_before_action": 1,
        },
    }
    result = simulate(_scenario(contract, **two), detail="part", keep_part_periods=True)
    reviews = _reviews(result)
    first = reviews[reviews["review"] == 1]
    assert first["action"].str.contains("remediation plan").all()
    assert first["action"].str.contains("volume shift 50%").all()
    assert (reviews[reviews["review"] > 1]["action"] == "").all()  # each action once
    sp = result.supplier_periods
    s = sp[sp["supplier"] == "S"].groupby("period")["ordered_units"].mean()
    before, after = s.loc[1:90].mean(), s.loc[95:].mean()
    assert after == pytest.approx(0.5 * before, rel=0.1)


def test_indexation_passes_on_only_its_share_of_a_commodity_spike() -> None:
    spike = [
        {
            "id": "spike",
            "kind": "price_shock",
            "start_date": "2027-03-01",
            "duration_days": 50,
            "price_multiplier": 1.5,
        }
    ]
    spot = drill(_scenario(None, drills=spike), "spike")
    indexed = drill(_scenario({"indexation": {"pass_through": 0.2}}, drills=spike), "spike")
    extra_spot = (
        spot.event.replications["purchase_cost"] - spot.baseline.replications["purchase_cost"]
    )
    extra_indexed = (
        indexed.event.replications["purchase_cost"] - indexed.baseline.replications["purchase_cost"]
    )
    assert np.allclose(extra_spot, 50 * D * 2.0 * 0.5)
    assert np.allclose(extra_indexed, 0.2 * extra_spot)


def test_supplier_driven_improvements_arrive_at_their_rate() -> None:
    contract = {
        "relationship": "strategic_partnership",
        "response": {"improvements_per_year": 4.0},
    }
    scenario = _scenario(contract, years=5, run={"replications": 100, "seed": 3})
    result = simulate(scenario, detail="network")
    counts = result.improvements.groupby("replication").size().reindex(range(100), fill_value=0)
    # Poisson(4 x 5 = 20): mean 20, variance 20
    assert abs(counts.mean() - 20) <= 3 * np.sqrt(20 / 100)


def test_early_warning_lets_contingencies_move_volume_before_the_outage() -> None:
    two = {
        "suppliers": [
            {
                "id": "S",
                "region": "R",
                "offers": [
                    {
                        "part": "P",
                        "unit_price": 2.0,
                        "lead_time_days": {"kind": "fixed", "value": 0},
                    }
                ],
            },
            {
                "id": "S2",
                "region": "R",
                "offers": [
                    {
                        "part": "P",
                        "unit_price": 2.5,
                        "lead_time_days": {"kind": "fixed", "value": 0},
                    }
                ],
            },
        ],
        "drills": [
            {
                "id": "down",
                "kind": "supplier_outage",
                "supplier": "S",
                "start_date": "2027-03-01",
                "duration_days": 20,
            }
        ],
        "plan": {
            "allocation": {"P": {"S": 0.5, "S2": 0.5}},
            "inventory": {"P": {"policy": "base_stock", "order_up_to_units": 2 * D}},
            "contingency": {"P": {"reallocate": {"after_days_down": 3}}},
        },
    }
    silent = drill(_scenario(None, **two), "down").impact["lost_sales_units"]
    warned = drill(_scenario({"response": {"early_warning_days": 7}}, **two), "down").impact[
        "lost_sales_units"
    ]
    assert (warned <= silent).all()
    assert (silent > 0).all() and (warned == 0).all()


def test_a_new_source_learns_its_quoted_defect_rate_over_its_first_half_year() -> None:
    """S2 becomes the source in year 2: its defect rate starts at (1 + LEARNING_DEFECT_EXTRA)
    times its own and falls linearly to it over LEARNING_DAYS, so the year's rejected share
    is the quoted rate times (LEARNING_DAYS x (1 + extra / 2) + the rest) / 365; a source
    from day 0 shows the quoted rate."""
    from keiretsu.sim.network import LEARNING_DAYS, LEARNING_DEFECT_EXTRA

    rate = 0.1
    suppliers = [
        {
            "id": sid,
            "region": "R",
            "offers": [
                {
                    "part": "P",
                    "unit_price": 2.0,
                    "lead_time_days": {"kind": "fixed", "value": 0},
                    "defect_ppm": ppm,
                }
            ],
        }
        for sid, ppm in (("S", 0), ("S2", rate * 1e6))
    ]
    inventory = {"P": {"policy": "base_stock", "order_up_to_units": 2 * D}}
    run = {"replications": 20, "seed": 11}
    switch = _scenario(
        suppliers=suppliers,
        run=run,
        plan={
            "allocation": {"P": {"S": 1.0}},
            "allocation_by_year": {"P": {2: {"S2": 1.0}}},
            "inventory": inventory,
        },
    )
    always = _scenario(
        suppliers=suppliers,
        run=run,
        plan={"allocation": {"P": {"S2": 1.0}}, "inventory": inventory},
    )

    def rejected_share(scenario):
        table = simulate(scenario, detail="network").suppliers
        s2 = table[table["supplier"] == "S2"]
        return s2["rejected_units"].sum() / s2["received_units"].sum()

    extra = (LEARNING_DAYS * (1 + LEARNING_DEFECT_EXTRA / 2) + 365 - LEARNING_DAYS) / 365
    assert rejected_share(always) == pytest.approx(rate, rel=0.05)
    assert rejected_share(switch) == pytest.approx(rate * extra, rel=0.05)


def test_the_scorecard_weights_the_dimension_attainments_by_hand() -> None:
    """Punctual, defect-free, no cost reduction or improvements, sustainability 0.5: the
    default weights give (0.3 x 0 + 0.2 x 100 + 0.3 x 100 + 0.1 x 0 + 0.1 x 50) / 1 = 55."""
    doc = _scenario({"review": "quarterly"}).model_dump(mode="json")
    doc["suppliers"][0]["sustainability_score"] = 0.5
    reviews = simulate(Scenario.model_validate(doc), detail="network").contract_reviews
    assert len(reviews) == 2 * 8  # 2 replications x 8 quarters
    assert (reviews["cost_score"] == 0).all()
    assert (reviews["quality_score"] == 100).all()
    assert (reviews["delivery_score"] == 100).all()
    assert (reviews["innovation_score"] == 0).all()
    assert (reviews["sustainability_score"] == 50).all()
    assert np.allclose(reviews["score"], 55.0)
