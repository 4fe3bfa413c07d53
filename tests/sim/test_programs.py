"""Program effects in the simulator, each against a hand-worked number."""

from __future__ import annotations

import numpy as np
import pytest
from tests.verification.test_program_npv_through_simulation import _scenario

from keiretsu.experiments import simulate
from keiretsu.scenario.model import Scenario


def _funded(effects: dict, **offer) -> Scenario:
    doc = _scenario().model_dump(mode="json")
    doc["programs"][0]["effects"] = effects
    doc["suppliers"][0]["offers"][0].update(offer)
    doc["plan"]["programs"] = {"lean": {}}
    return Scenario.model_validate(doc)


def test_capacity_added_at_completion_lets_the_supplier_ship_more() -> None:
    # 6 a day against demand of 10 until day 60, then 6 + 5 = 11 a day
    result = simulate(
        _funded({"capacity_units_per_period": 5}, capacity_units_per_period=6), detail="network"
    )
    shipped = result.periods.pivot(index="period", columns="replication", values="shipped_units")
    assert np.allclose(shipped.loc[1:59], 6.0)
    assert (shipped.loc[60:] > 6.0).all().all()
    assert np.allclose(shipped.loc[60:].max(), 11.0)


def test_the_buyer_pays_its_share_of_the_program_in_the_accounts() -> None:
    result = simulate(_funded({}), detail="network")
    program = result.periods.pivot(index="period", columns="replication", values="program_cost")
    assert np.allclose(program.loc[40], 0.3 * 400)
    assert np.allclose(program.loc[60], 0.3 * 600 + 0.5)
    assert np.allclose(program.loc[61:], 0.5)
    assert np.allclose(program.loc[:39].sum(), 0.0)
    outcomes = result.program_outcomes
    assert outcomes["completed"].all() and np.allclose(outcomes["completion_day"], 60)


def test_lead_time_reduction_applies_to_shipments_after_completion() -> None:
    result = simulate(
        _funded({"lead_time_reduction_days": 3}, lead_time_days={"kind": "fixed", "value": 5}),
        detail="network",
    )
    sup = result.suppliers
    # lines ordered before day 60 take 5 days, after it 2: the mean lies in between
    assert ((sup["lead_time_mean_days"] > 2) & (sup["lead_time_mean_days"] < 5)).all()


def test_on_time_improvement_cuts_late_shipments_on_the_same_random_numbers() -> None:
    offer = {"on_time_probability": 0.7, "late_delay_days": {"kind": "fixed", "value": 4}}
    plain = _funded({}, **offer)
    better = _funded({"on_time_improvement": 0.3}, **offer)  # 0.7 + 0.3: never late after day 60
    a = simulate(plain, detail="network").suppliers["otif_lines"]
    b = simulate(better, detail="network").suppliers["otif_lines"]
    assert (b > a).all()
    lines = simulate(better, detail="network").suppliers["order_lines"]
    late_after = lines - b
    # before day 60 about 30 % of lines are late; after it none
    assert (late_after < 0.3 * lines).all()


def test_defect_reduction_cuts_rejections() -> None:
    offer = {"defect_ppm": 200_000}
    a = simulate(_funded({}, **offer), detail="network").suppliers["rejected_units"]
    b = simulate(_funded({"defect_reduction": 0.9}, **offer), detail="network").suppliers[
        "rejected_units"
    ]
    # 20 % rejected before day 60 and 2 % after: about 60/365 x 20 % + 305/365 x 2 %
    received = simulate(_funded({"defect_reduction": 0.9}, **offer), detail="network").suppliers[
        "received_units"
    ]
    expected = (60 / 365 * 0.2 + 305 / 365 * 0.02) * received
    assert (b < a).all()
    assert b.to_numpy() == pytest.approx(expected.to_numpy(), rel=0.25)


def test_recovery_time_reduction_shortens_outages_after_completion() -> None:
    from keiretsu.experiments import drill

    doc = _funded({"recovery_time_reduction": 0.5}).model_dump(mode="json")
    outage = {"id": "fire", "kind": "supplier_outage", "supplier": "S", "duration_days": 20}
    doc["drills"] = [
        {**outage, "id": "early", "start_date": "2027-02-01"},  # day 31: before completion
        {**outage, "id": "late", "start_date": "2027-04-11"},  # day 100: after it
    ]
    scenario = Scenario.model_validate(doc)
    # base stock 20 leaves 10 on hand at each review: one day of cover
    early = drill(scenario, "early").impact["lost_sales_units"]
    late = drill(scenario, "late").impact["lost_sales_units"]
    assert np.allclose(early, (20 - 1) * 10)
    assert np.allclose(late, (10 - 1) * 10)


def test_a_participation_answer_is_unresolved_when_the_ci_spans_the_reservation() -> None:
    """``sign_resolved`` is False when the mean NPV's 95 % CI includes the reservation NPV
    (more replications could still change the answer), True when the CI is clear of it."""
    from tests.helpers import SCENARIOS

    from keiretsu.experiments.payback import payback
    from keiretsu.scenario.loader import load_scenario

    ev = load_scenario(SCENARIOS / "ev_battery.yaml")
    summary = payback(ev, "bms_quality_analytics", replications=12, tornado=False).summary
    summary = summary.set_index("party")
    for party, row in summary.iterrows():
        clear = abs(row["mean"] - row["reservation_npv"]) > row["npv_ci95_half_width"]
        assert row["sign_resolved"] == clear, party
