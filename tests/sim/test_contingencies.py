"""Contingencies (plan ``contingency``) against hand-worked cases.

One part, demand 10 a day, zero lead times, two or three suppliers; the primary S goes
down in a drill. Each case is checked against what the rule must do, and against the same
drill without the rule.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from keiretsu.experiments import drill
from keiretsu.scenario.model import Scenario

START = dt.date(2027, 1, 1)
D = 10.0


def _offer(price: float = 1.0, capacity: float | None = None) -> dict:
    return {
        "part": "P",
        "unit_price": price,
        "lead_time_days": {"kind": "fixed", "value": 0},
        "capacity_units_per_period": capacity,
    }


def _scenario(contingency: dict | None, *, shares=None, s2_capacity=12.0, backup_capacity=None):
    shares = shares or {"S": 0.5, "S2": 0.5}
    return Scenario.model_validate(
        {
            "meta": {"name": "contingency test"},
            "horizon": {"years": 200 / 365, "period": "day"},
            "regions": [{"id": "R"}],
            "parts": [
                {
                    "id": "P",
                    "demand": {"per_period_units": {"kind": "fixed", "value": D}},
                    "revenue_per_unit": 4.0,
                    "holding_cost_per_unit_per_period": 0.1,
                    "shortage": {"kind": "lost_sale", "penalty_per_unit": 1.0},
                }
            ],
            "suppliers": [
                {"id": "S", "region": "R", "offers": [_offer()]},
                {"id": "S2", "region": "R", "offers": [_offer(1.1, s2_capacity)]},
                {"id": "B", "region": "R", "offers": [_offer(1.5, backup_capacity)]},
            ],
            "drills": [
                {
                    "id": "S-down",
                    "kind": "supplier_outage",
                    "supplier": "S",
                    "start_date": (START + dt.timedelta(days=50)).isoformat(),
                    "duration_days": 20,
                }
            ],
            "plan": {
                "allocation": {"P": {**shares}},
                "inventory": {"P": {"policy": "base_stock", "order_up_to_units": 2 * D}},
                "contingency": {"P": contingency} if contingency else {},
            },
            "run": {"replications": 2, "seed": 4},
        }
    )


def _lost(contingency: dict | None, **kw) -> np.ndarray:
    return drill(_scenario(contingency, **kw), "S-down").impact["lost_sales_units"].to_numpy()


def test_without_contingencies_orders_wait_at_the_down_supplier() -> None:
    # The base stock (20) leaves 10 on hand at each review. S2 ships its half (5 a day);
    # the half ordered from S waits in S's backlog, which the position counts as on the
    # way, so each order shrinks: 5 short on day 52, then 10 - 5 / 2^k on day 52 + k
    expected = sum(10 - 5 * 0.5**k for k in range(18))
    assert np.allclose(_lost(None), expected)


def test_reallocation_moves_the_lost_share_within_spare_capacity() -> None:
    # S2 has 12 a day: it can take S's half at once (room 1.2 - 0.5 = 0.7): nothing lost
    assert np.allclose(_lost({"reallocate": {}}), 0.0)
    # with 8 a day it takes 0.3 of 0.5 more and ships 8 a day: over the 20 days 200 are
    # wanted, 10 are on hand and 160 arrive: 30 short
    assert np.allclose(_lost({"reallocate": {}}, s2_capacity=8.0), 200 - 10 - 160)


def test_reallocation_waits_for_its_reaction_time() -> None:
    # no reaction for 5 days: days 52-54 are short as without contingencies (5, 7.5,
    # 8.75); on day 55 S's open orders are cancelled and S2 ships the whole order
    assert np.allclose(_lost({"reallocate": {"after_days_down": 5}}), 5 + 7.5 + 8.75)


def test_reservation_fee_is_paid_every_period_and_its_capacity_covers_the_outage() -> None:
    rule = {
        "reservation": {
            "supplier": "S2",
            "reserved_units_per_period": 5,
            "fee_per_period": 3.0,
            "notice_days": 2,
        }
    }
    result = drill(_scenario(rule, s2_capacity=5.0), "S-down")
    # S2 has no spare capacity of its own: the reserved 5 a day arrive after 2 days' notice
    assert np.allclose(result.impact["lost_sales_units"], 0.0)
    assert np.allclose(result.baseline.replications["contingency_cost"], 3.0 * 200)
    sup = result.event.suppliers.set_index(["replication", "supplier"])
    assert np.allclose(sup.xs("S2", level="supplier")["contingency_cost"], 600.0)


def test_backup_is_called_qualifies_ramps_and_costs_its_premium() -> None:
    rule = {
        "backup": {
            "supplier": "B",
            "after_days_down": 3,
            "qualification_days": 2,
            "surge_capacity_units_per_period": 10,
            "premium_per_unit": 0.5,
            "activation_cost": 1000,
        }
    }
    result = drill(_scenario(rule, shares={"S": 1.0}), "S-down")
    # sole source down: 10 on hand cover day 50; B is called on day 53 (S's open orders
    # are cancelled) and ships from day 55: days 51-54 are lost in full
    assert np.allclose(result.impact["lost_sales_units"], 4 * D)
    sup = result.event.suppliers.set_index(["replication", "supplier"])
    b = sup.xs("B", level="supplier")
    # B ships 15 days x 10 (days 55-69) plus the order cancelled at S and re-placed with it
    assert (b["received_units"] >= 15 * D).all()
    assert np.allclose(b["contingency_cost"], 1000 + 0.5 * b["ordered_units"])
    assert np.allclose(result.baseline.replications["contingency_cost"], 0.0)


def test_strategic_buffer_adds_days_of_demand_to_stock() -> None:
    rule = {"strategic_buffer_days": 3}
    result = drill(_scenario(rule, shares={"S": 1.0}), "S-down")
    plain = drill(_scenario(None, shares={"S": 1.0}), "S-down")
    assert plain.baseline.replications["mean_on_hand_units"].to_numpy() + 3 * D == pytest.approx(
        result.baseline.replications["mean_on_hand_units"].to_numpy()
    )
    # a 20-day outage of the sole source: 40 on hand cover 4 days, 16 days lost
    assert np.allclose(result.impact["lost_sales_units"], 16 * D)
