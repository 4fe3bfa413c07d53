"""Overlapping disruptions never crash and never double count (Hypothesis).

Any set of scheduled capacity losses on one supplier (outages of it, events of its region,
partial or full, overlapping or not, ramps) leaves, in each period, the smallest share any
active one leaves (the union of causes), which this test recomputes independently from the
drills' own start, end, loss and ramp, at the middle of each period.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from keiretsu.experiments import simulate
from keiretsu.scenario.model import Scenario
from tests.helpers import single_part

START = dt.date(2027, 1, 1)
PERIODS = 120

spell = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["supplier_outage", "regional_event"]),
        "start": st.integers(0, PERIODS - 1),
        "days": st.floats(0.5, 60, allow_nan=False),
        "lost": st.sampled_from([0.25, 0.5, 0.75, 1.0]),
        "ramp": st.sampled_from([0.0, 0.0, 5.0, 12.5]),
    }
)


def expected_left(spells: list[dict]) -> np.ndarray:
    """Share of capacity left at the middle of each (daily) period: min over the causes."""
    mid = np.arange(PERIODS) + 0.5
    left = np.ones(PERIODS)
    for s in spells:
        start, end, lost, ramp = s["start"], s["start"] + s["days"], s["lost"], s["ramp"]
        this = np.ones(PERIODS)
        inside = (mid >= start) & (mid < end)
        this[inside] = 1 - lost
        if ramp > 0:
            climbing = (mid >= end) & (mid < end + ramp)
            this[climbing] = 1 - lost * (1 - (mid[climbing] - end) / ramp)
        left = np.minimum(left, this)
    return left


@settings(max_examples=60, deadline=None)
@given(st.lists(spell, min_size=1, max_size=6))
def test_overlapping_losses_compose_as_the_union_of_causes(spells: list[dict]) -> None:
    base = single_part(
        demand={"kind": "fixed", "value": 10},
        holding=0.1,
        shortage={"kind": "lost_sale", "penalty_per_unit": 1.0},
        policy={"policy": "base_stock", "order_up_to_units": 30},
        capacity=40,  # finite, so a partial loss bites
        periods=PERIODS,
        warmup=0,
        replications=1,
        seed=3,
    )
    doc = base.model_dump(mode="json")
    drills = []
    for i, s in enumerate(spells):
        target = {"supplier": "S"} if s["kind"] == "supplier_outage" else {"region": "R"}
        drills.append(
            {
                "id": f"d{i}",
                "kind": s["kind"],
                **target,
                "start_date": (START + dt.timedelta(days=s["start"])).isoformat(),
                "duration_days": s["days"],
                "capacity_lost": s["lost"],
                "ramp_up_days": s["ramp"],
            }
        )
    doc["drills"] = drills
    scenario = Scenario.model_validate(doc)
    result = simulate(scenario, drills=scenario.drills, detail="network")
    left = expected_left(spells)
    available = result.suppliers["capacity_available"].iloc[0]
    assert np.isclose(available, left.mean(), atol=1e-12), (available, left.mean())
    # never more shipped in a period than the capacity the union leaves
    shipped = result.periods["shipped_units"].to_numpy()
    assert (shipped <= 40 * left + 1e-9).all()
    assert len(result.events) == len(spells)
