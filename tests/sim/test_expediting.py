"""Expediting: triggered by the plan's rule, paid at its premium, and it protects service."""

from __future__ import annotations

import pytest
from tests.helpers import single_part

from keiretsu.errors import ScenarioError
from keiretsu.experiments import simulate
from keiretsu.scenario.loader import Document, validate_scenario

CHANNEL = {
    "lead_time_days": {"kind": "fixed", "value": 1},
    "premium_per_unit": 2.0,
    "capacity_units_per_period": 40,
}


def _scenario(expedite_rule: dict | None, channel: dict | None = CHANNEL, disruptions=None):
    return single_part(
        demand={"kind": "fixed", "value": 10},
        holding=0.01,
        shortage={"kind": "lost_sale", "penalty_per_unit": 3},
        policy={"policy": "base_stock", "order_up_to_units": 70},
        lead_time_days=5,
        on_time_probability=0.7,
        late_delay_days=10,
        expedite=channel,
        expedite_rule=expedite_rule,
        disruptions=disruptions,
        revenue=5,
        periods=2 * 365,
        warmup=10,
        replications=6,
        seed=8,
    )


def test_expediting_is_paid_at_its_premium_and_raises_service() -> None:
    without = simulate(_scenario(None), detail="network").replications
    rule = {"trigger_days_of_cover": 2, "up_to_days_of_cover": 4}
    with_rule = simulate(_scenario(rule), detail="network").replications
    assert (without["expedited_units"] == 0).all() and (without["expediting_cost"] == 0).all()
    assert (with_rule["expedited_units"] > 0).all()
    assert with_rule["expediting_cost"].to_numpy() == pytest.approx(
        2.0 * with_rule["expedited_units"].to_numpy()
    )
    assert with_rule["fill_rate"].mean() > without["fill_rate"].mean() + 0.02


def test_an_expedite_rule_needs_a_channel() -> None:
    doc = _scenario({"trigger_days_of_cover": 1, "up_to_days_of_cover": 2}).model_dump(mode="json")
    doc["suppliers"][0]["offers"][0]["expedite"] = None
    with pytest.raises(ScenarioError, match="no offer of part 'P' has an expedite channel"):
        validate_scenario(Document(doc))


def test_a_supplier_that_is_down_cannot_expedite() -> None:
    stop = {
        "kind": "supplier_outage",
        "id": "fire",
        "supplier": "S",
        "up_days": {"kind": "fixed", "value": 0},
        "down_days": {"kind": "fixed", "value": 10_000},
    }
    scenario = _scenario({"trigger_days_of_cover": 2, "up_to_days_of_cover": 4}, disruptions=[stop])
    reps = simulate(scenario, detail="network").replications
    assert (reps["expedited_units"] == 0).all()
    assert (reps["expediting_cost"] == 0).all()
