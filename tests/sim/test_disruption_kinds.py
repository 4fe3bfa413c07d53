"""Every disruption kind against a number worked out by hand (or by theory).

Each scenario is one part with deterministic demand built by ``tests.helpers.single_part``
and edited as a plain document, then run through the public ``drill`` / ``simulate``.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from tests.helpers import single_part

from keiretsu.experiments import drill, simulate
from keiretsu.scenario.model import Scenario

START = dt.date(2027, 1, 1)  # the schema's default meta.start_date
D = 10.0  # units a day


def _scenario(
    *, safety_days: float = 0.0, lead: float = 0.0, periods: int = 200, **doc_changes
) -> Scenario:
    base = single_part(
        demand={"kind": "fixed", "value": D},
        holding=0.1,
        shortage={"kind": "lost_sale", "penalty_per_unit": 1.0},
        policy={"policy": "base_stock", "order_up_to_units": D * (1 + lead + safety_days)},
        lead_time_days=lead,
        revenue=4.0,
        periods=periods,
        warmup=0,
        replications=2,
        seed=2,
    )
    doc = base.model_dump(mode="json")
    for key, value in doc_changes.items():
        doc[key] = value
    return Scenario.model_validate(doc)


def _day(n: int) -> str:
    return (START + dt.timedelta(days=n)).isoformat()


TIER2 = {
    "sub_suppliers": [{"id": "MINE", "region": "R"}],
    "links": [{"supplier": "S", "sub_supplier": "MINE", "parts": ["P"], "buffer_days": 4}],
}


@pytest.mark.parametrize(("k", "outage"), [(2, 10), (0, 3), (5, 6), (1, 4)])
def test_tier2_outage_reaches_tier1_after_its_buffer(k: int, outage: int) -> None:
    """Sole tier-1 supplier, k days of buyer stock, a 4-day tier-1 material buffer: a D-day
    tier-2 outage loses exactly max(D - 4 - k, 0) days of demand (VALIDATION F, one tier up)."""
    scenario = _scenario(
        safety_days=k,
        tier2=TIER2,
        drills=[
            {
                "id": "mine-fire",
                "kind": "tier2_outage",
                "sub_supplier": "MINE",
                "start_date": _day(50),
                "duration_days": outage,
            }
        ],
    )
    result = drill(scenario, "mine-fire")
    assert np.allclose(result.impact["lost_sales_units"], max(outage - 4 - k, 0) * D)


def test_tier2_share_of_input_limits_the_loss() -> None:
    """A sub-supplier covering 40 % of the input: a full stop costs 40 % of capacity."""
    tier2 = {**TIER2, "links": [{**TIER2["links"][0], "buffer_days": 0, "share_of_input": 0.4}]}
    scenario = _scenario(
        tier2=tier2,
        drills=[
            {
                "id": "mine-fire",
                "kind": "tier2_outage",
                "sub_supplier": "MINE",
                "start_date": _day(50),
                "duration_days": 20,
            }
        ],
    )
    result = drill(scenario, "mine-fire")
    # capacity is unlimited: 60 % of it is still unlimited, nothing is lost ...
    assert np.allclose(result.impact["lost_sales_units"], 0.0)
    doc = scenario.model_dump(mode="json")
    doc["suppliers"][0]["offers"][0]["capacity_units_per_period"] = 2 * D
    result = drill(Scenario.model_validate(doc), "mine-fire")
    # ... with 20 a day, 12 a day are left against demand of 10: still nothing lost
    assert np.allclose(result.impact["lost_sales_units"], 0.0)
    doc["suppliers"][0]["offers"][0]["capacity_units_per_period"] = 1.25 * D
    result = drill(Scenario.model_validate(doc), "mine-fire")
    # ... with 12.5, 7.5 a day are left: 2.5 a day short for 20 days
    assert np.allclose(result.impact["lost_sales_units"], 20 * 2.5)
    assert np.allclose(result.event.suppliers["capacity_available"].mean(), 1 - 0.4 * 20 / 200)


def test_regional_event_hits_sub_suppliers_in_the_region() -> None:
    scenario = _scenario(
        regions=[{"id": "R"}, {"id": "FAR"}],
        tier2={**TIER2, "sub_suppliers": [{"id": "MINE", "region": "FAR"}]},
        drills=[
            {
                "id": "far-quake",
                "kind": "regional_event",
                "region": "FAR",
                "start_date": _day(50),
                "duration_days": 10,
            }
        ],
    )
    result = drill(scenario, "far-quake")
    assert np.allclose(result.impact["lost_sales_units"], (10 - 4) * D)


def test_logistics_multiplies_the_lead_time_of_shipments_leaving_in_the_window() -> None:
    scenario = _scenario(
        lead=5,
        periods=100,
        drills=[
            {
                "id": "port",
                "kind": "logistics",
                "supplier": "S",
                "start_date": _day(0),
                "duration_days": 100,
                "lead_time_multiplier": 2.0,
            }
        ],
    )
    result = drill(scenario, "port")
    assert np.allclose(result.baseline.suppliers["lead_time_mean_days"], 5.0)
    slowed = result.event.suppliers
    complete = slowed["order_lines"] - slowed["censored_lines"]
    assert (complete > 0).all()
    assert np.allclose(slowed["lead_time_mean_days"], 10.0)
    # a base stock sized for a 5-day pipeline runs short once it takes 10 days
    assert (result.impact["lost_sales_units"] > 0).all()


def test_demand_shock_multiplies_demand_on_the_same_random_numbers() -> None:
    scenario = _scenario(
        drills=[
            {
                "id": "surge",
                "kind": "demand_shock",
                "start_date": _day(20),
                "duration_days": 30,
                "demand_multiplier": 1.5,
            }
        ],
    )
    doc = scenario.model_dump(mode="json")
    doc["parts"][0]["demand"]["per_period_units"] = {"kind": "poisson", "mean": D}
    result = drill(Scenario.model_validate(doc), "surge")
    base = result.baseline.periods.set_index(["replication", "period"])["demand_units"]
    hit = result.event.periods.set_index(["replication", "period"])["demand_units"]
    window = (base.index.get_level_values("period") >= 20) & (
        base.index.get_level_values("period") < 50
    )
    assert np.allclose(hit[window], 1.5 * base[window])
    assert np.allclose(hit[~window], base[~window])


def test_price_shock_raises_the_price_of_units_received_in_the_window() -> None:
    scenario = _scenario(
        drills=[
            {
                "id": "spike",
                "kind": "price_shock",
                "parts": ["P"],
                "start_date": _day(100),
                "duration_days": 50,
                "price_multiplier": 1.4,
            }
        ],
    )
    result = drill(scenario, "spike")
    # zero lead time: 10 units received a day at a unit price of 1
    base = result.baseline.replications["purchase_cost"]
    hit = result.event.replications["purchase_cost"]
    assert np.allclose(hit - base, 50 * D * 0.4)


def test_supplier_default_moves_its_share_and_cancels_its_open_orders() -> None:
    scenario = _scenario(
        suppliers=[
            {
                "id": "S",
                "region": "R",
                "offers": [
                    {
                        "part": "P",
                        "unit_price": 1.0,
                        "lead_time_days": {"kind": "fixed", "value": 0},
                        "capacity_units_per_period": 6,
                    }
                ],
            },
            {
                "id": "S2",
                "region": "R",
                "offers": [
                    {
                        "part": "P",
                        "unit_price": 2.0,
                        "lead_time_days": {"kind": "fixed", "value": 0},
                    }
                ],
            },
        ],
        plan={
            "inventory": {"P": {"policy": "base_stock", "order_up_to_units": 3 * D}},
            "allocation": {"P": {"S": 0.5, "S2": 0.5}},
        },
        drills=[
            {"id": "bust", "kind": "supplier_default", "supplier": "S", "start_date": _day(60)}
        ],
    )
    result = drill(scenario, "bust")
    sup = result.event.suppliers.set_index(["replication", "supplier"])
    # orders replace each day's demand from day 1: S ships half (5 a day) until day 59;
    # from day 60 on S2 takes the whole demand (its share of S's orders)
    assert np.allclose(sup.xs("S", level="supplier")["received_units"], 59 * 5)
    assert np.allclose(sup.xs("S2", level="supplier")["received_units"], 59 * 5 + 140 * D)
    assert np.allclose(result.impact["lost_sales_units"], 0.0)
    events = result.event.events
    assert events["censored"].all() and (events["kind"] == "drill:supplier_default").all()


def test_regional_event_can_hold_goods_in_transit() -> None:
    drills = [
        {
            "id": "port-closed",
            "kind": "regional_event",
            "region": "R",
            "start_date": _day(50),
            "duration_days": 10,
            "capacity_lost": 0.0,
            "holds_in_transit": True,
        }
    ]
    result = drill(_scenario(lead=3, safety_days=0, drills=drills), "port-closed")
    # arrivals due on days 50-59 wait to day 60: 10 days of demand are lost
    assert np.allclose(result.impact["lost_sales_units"], 10 * D)
    periods = result.event.periods.set_index(["replication", "period"])
    held = periods["received_units"].unstack("replication")
    assert (held.loc[50:59] == 0).all().all()
    # nothing ships while stock is out (nothing is consumed), so what is in transit at the
    # end of day 59 is what was held: it all arrives on day 60
    in_transit = periods["in_transit_units"].unstack("replication")
    assert (in_transit.loc[59] > 0).all()
    assert np.allclose(held.loc[60], in_transit.loc[59])


def test_poisson_events_leave_the_supplier_up_exp_minus_lambda_ed_of_the_time() -> None:
    """Poisson starts (rate lambda) with durations D: the number of events under way is
    Poisson(lambda E[D]) (M/G/infinity), so full-stop outages leave it up exp(-lambda E[D])."""
    rate_per_year, mean_days = 6.0, 20.0
    outage = {
        "kind": "supplier_outage",
        "id": "poisson",
        "supplier": "S",
        "per_year": rate_per_year,
        "down_days": {"kind": "exponential", "mean": mean_days},
    }
    scenario = single_part(
        demand={"kind": "fixed", "value": 1},
        holding=0.1,
        shortage={"kind": "backorder", "cost_per_unit_per_period": 1.0},
        policy={"policy": "base_stock", "order_up_to_units": 5},
        disruptions=[outage],
        periods=20_000,
        warmup=0,
        replications=24,
        seed=11,
    )
    result = simulate(scenario, detail="network")
    availability = result.suppliers["capacity_available"].to_numpy()
    expected = math.exp(-rate_per_year / 365 * mean_days)
    mean, se = availability.mean(), availability.std(ddof=1) / np.sqrt(availability.size)
    assert abs(mean - expected) <= 3 * se, (mean, expected, se)
    per_year = result.events.groupby("replication").size() / (20_000 / 365)
    assert per_year.mean() == pytest.approx(rate_per_year, rel=0.05)


def test_default_probability_per_year_is_the_share_of_suppliers_gone_within_a_year() -> None:
    gone = {"kind": "supplier_default", "id": "bust", "supplier": "S", "probability_per_year": 0.3}
    scenario = _scenario(periods=365, disruptions=[gone])
    doc = scenario.model_dump(mode="json")
    doc["run"]["replications"] = 2000
    result = simulate(Scenario.model_validate(doc), detail="network")
    share = result.events["replication"].nunique() / 2000
    assert abs(share - 0.3) <= 3 * math.sqrt(0.3 * 0.7 / 2000)
