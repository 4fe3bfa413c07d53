"""Priority rationing in a shortage: the buyer gets what the documented rule implies.

A supplier with shared capacity C and other customers who want D units a period: when the
buyer's requests B and D exceed C, the buyer gets its reserved units R = min(reserved, B, C)
first and then R + (C - R) w (B - R) / (w (B - R) + D), w = priority_weight x (1 + b) x
(1 + e) (b: the buyer's share of the supplier's expected load; e: its effort, 0 without a
performance contract). Deterministic demand of 10 a day, a single source, capacity halved
for 40 days: during the cut the buyer's requests are the capacity left (its backlog is
larger, and the offer cannot make more than the shared capacity), so the shipments per
day are the rule applied to B = C.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from tests.helpers import SCENARIOS

from keiretsu.experiments import drill
from keiretsu.scenario.contracts import RESPONSE_DEFAULTS
from keiretsu.scenario.loader import load_scenario
from keiretsu.scenario.model import Scenario

C, D, DEMAND = 16.0, 6.0, 10.0  # capacity, others' load, the buyer's demand (per day)


def _scenario(relationship: str | None, reserved: float = 0.0) -> Scenario:
    contract = []
    if relationship is not None:
        contract = [{"supplier": "S", "relationship": relationship}]
        if reserved:
            contract[0]["capacity_reservation"] = {
                "reserved_units_per_period": reserved,
                "fee_per_period": 0.0,
            }
    return Scenario.model_validate(
        {
            "meta": {"name": "rationing", "start_date": "2027-01-01"},
            "horizon": {"years": 200 / 365, "period": "day"},
            "regions": [{"id": "R"}],
            "parts": [
                {
                    "id": "P",
                    "demand": {"per_period_units": {"kind": "fixed", "value": DEMAND}},
                    "revenue_per_unit": 4.0,
                    "holding_cost_per_unit_per_period": 0.01,
                    "shortage": {"kind": "backorder", "cost_per_unit_per_period": 1.0},
                }
            ],
            "suppliers": [
                {
                    "id": "S",
                    "region": "R",
                    "shared_capacity_units_per_period": C,
                    "other_customers_units_per_period": D,
                    "offers": [
                        {
                            "part": "P",
                            "unit_price": 1.0,
                            "lead_time_days": {"kind": "fixed", "value": 0},
                            "capacity_units_per_period": C,  # so requests stop at capacity
                        }
                    ],
                }
            ],
            "contracts": contract,
            "drills": [
                {
                    "id": "cut",
                    "kind": "supplier_outage",
                    "supplier": "S",
                    "start_date": (dt.date(2027, 1, 1) + dt.timedelta(days=50)).isoformat(),
                    "duration_days": 40,
                    "capacity_lost": 0.5,
                }
            ],
            "plan": {"inventory": {"P": {"policy": "base_stock", "order_up_to_units": 20}}},
            "run": {"replications": 2, "seed": 1},
        }
    )


def _rule(level: str, reserved: float = 0.0) -> float:
    cap = C / 2  # during the cut
    b = DEMAND / (DEMAND + D)  # the buyer's share of the supplier's expected load
    w = RESPONSE_DEFAULTS[level]["priority_weight"] * (1 + b)
    B = cap  # the backlog exceeds what can be made
    first = min(reserved, B, cap)
    return min(B, first + (cap - first) * w * (B - first) / (w * (B - first) + D))


@pytest.mark.parametrize(
    ("level", "reserved"),
    [
        ("transactional", 0.0),
        ("preferred", 0.0),
        ("strategic_partnership", 0.0),
        ("transactional", 3.0),
    ],
)
def test_buyer_gets_the_rationing_rule_share_in_a_shortage(level: str, reserved: float) -> None:
    contract_level = None if (level == "transactional" and not reserved) else level
    result = drill(_scenario(contract_level, reserved), "cut")
    shipped = result.event.periods.pivot(
        index="period", columns="replication", values="shipped_units"
    )
    # from the third day of the cut the backlog exceeds capacity: requests are the capacity
    assert np.allclose(shipped.loc[53:88], _rule(level, reserved))


def test_two_supplier_strategic_partner_fills_more_than_a_transactional_one() -> None:
    """two_supplier.yaml with the nearshore partner's shared capacity loaded by others and cut
    by half for 20 weeks: a strategic contract gets the buyer a larger share of it."""
    base = load_scenario(SCENARIOS / "two_supplier.yaml")
    doc = base.model_dump(mode="json")
    partner = next(s for s in doc["suppliers"] if s["id"] == "RELIAPART")
    partner["shared_capacity_units_per_period"] = 1200
    partner["other_customers_units_per_period"] = 900
    doc["drills"] = [
        {
            "id": "NA-cut",
            "kind": "regional_event",
            "region": "NA",
            "start_date": "2027-08-02",
            "duration_days": 140,
            "capacity_lost": 0.5,
        }
    ]
    doc["run"]["replications"] = 8

    def unfilled(level: str | None) -> np.ndarray:
        d = dict(doc)
        d["contracts"] = [] if level is None else [{"supplier": "RELIAPART", "relationship": level}]
        return drill(Scenario.model_validate(d), "NA-cut").impact["unfilled_units"].to_numpy()

    transactional, strategic = unfilled(None), unfilled("strategic_partnership")
    # same random numbers: the partner's buyer is short by less in every replication
    assert (strategic < transactional).all() and transactional.mean() > 0
