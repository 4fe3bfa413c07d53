"""Incentive menus as optimizer data: the terms come from the simulator's contract model,
the priority an option buys follows the rationing rule, and the risk model carries the
chosen option's availability.

The scenario: one year of 52 weeks, CELL 80 a week (fixed) from ALPHA (shared capacity 100
a week, other customers loading 50 a week) or BETA; ALPHA loses half its capacity for 35
days out of every 105 (fixed timing), so 15 of the 52 weeks are judged down at mid-week.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from keiretsu.experiments import incentives as inc
from keiretsu.experiments import optimize as study
from keiretsu.experiments import optimize_input
from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, Supplier
from keiretsu.optimize.incentives import IncentiveMenu, IncentiveOption
from keiretsu.optimize.risk import optimize_risk
from keiretsu.optimize.risk_data import Recourse, RiskData
from keiretsu.optimize.solve import SolverOptions
from keiretsu.scenario.contracts import RESPONSE_DEFAULTS
from keiretsu.scenario.loader import load_scenario

EXACT = SolverOptions(gap=0.0)

SCENARIO = """\
meta:
  name: Incentive test
  start_date: 2027-01-04
horizon:
  years: 1
  period: week
regions:
  - id: ASIA
  - id: EU
parts:
  - id: CELL
    demand:
      per_period_units: {kind: fixed, value: 80}
    revenue_per_unit: 50
    holding_cost_per_unit_per_period: 0.2
    shortage: {kind: backorder, cost_per_unit_per_period: 2}
suppliers:
  - id: ALPHA
    region: ASIA
    shared_capacity_units_per_period: 100
    other_customers_units_per_period: 50
    offers:
      - part: CELL
        unit_price: 20
        lead_time_days: {kind: fixed, value: 14}
        on_time_probability: 0.9
        late_delay_days: {kind: fixed, value: 14}
        defect_ppm: 1000
        capacity_units_per_period: 200
  - id: BETA
    region: EU
    offers:
      - part: CELL
        unit_price: 24
        lead_time_days: {kind: fixed, value: 7}
disruptions:
  - kind: supplier_outage
    id: ALPHA-half
    supplier: ALPHA
    up_days: {kind: fixed, value: 70}
    down_days: {kind: fixed, value: 35}
    capacity_lost: 0.5
contracts:
  - supplier: ALPHA
    relationship: transactional
plan:
  name: all alpha
  allocation:
    CELL: {ALPHA: 1.0}
  default_inventory: {policy: days_of_cover, cover_days: 21}
run:
  seed: 5
optimize:
  dual_sourcing: null
  incentives:
    - supplier: ALPHA
      options:
        - name: strategic
          contract:
            supplier: ALPHA
            relationship: strategic_partnership
            gain_share_buyer: 0.5
            rebate:
              basis: share_of_spend
              tiers: [{from_units: 1000, rate: 0.01}]
            volume_commitment: {minimum_annual_units: 3000, shortfall_rate_per_unit: 2}
        - name: reserved
          contract:
            supplier: ALPHA
            relationship: transactional
            capacity_reservation: {reserved_units_per_period: 60, fee_per_period: 30}
  risk: {scenarios: 2}
"""


@pytest.fixture
def scenario(write_yaml):
    return load_scenario(write_yaml(SCENARIO))


def test_menus_keep_the_contract_in_force_as_the_current_option(scenario) -> None:
    ev = inc.evaluate_incentives(scenario, seed=1)
    (menu,) = ev.menus
    assert [o.name for o in menu.options] == ["current", "strategic", "reserved"]
    assert ev.current == {"ALPHA": "current"}
    assert ev.contract("ALPHA", "current").relationship == "transactional"


def test_option_terms_follow_the_contract_model(scenario) -> None:
    ev = inc.evaluate_incentives(scenario, seed=1)
    strategic = ev.options[("ALPHA", "strategic")]
    r = RESPONSE_DEFAULTS["strategic_partnership"]
    # no performance terms: no effort; the priority is the level's weight x (1 + load share)
    b = 80 / (80 + 50)
    assert strategic.summary["effort"] == 0.0
    assert strategic.summary["priority_weight"] == pytest.approx(r["priority_weight"] * (1 + b))
    # gain share in year 1: half the expected cost reduction of 4 improvements a year,
    # half of them on cost with mean effect 0.5 % (capped at 90 %), no continuous cut yet
    m = r["improvement_cost_effect"]
    a = r["improvements_per_year"] / 2 * m * (1 - math.exp(-0.9 / m))
    year_mean = (1 - math.exp(-a)) / a
    gain = strategic.model.unit_costs["gain_share"]["CELL"][0]
    assert gain == pytest.approx(-0.5 * 20 * (1 - year_mean), rel=1e-12)
    # rebate of 1 % of spend from 1,000 units a year: 0.2 per unit at the price of 20
    assert strategic.model.rebate.thresholds_units == (1000.0,)
    assert strategic.model.rebate.rates_by_year == ((pytest.approx(0.2),),)
    assert (
        strategic.model.min_units_per_year == 3000 and strategic.model.shortfall_cost_per_unit == 2
    )
    # no administration under a partnership; 0.5 % of spend under the transactional one
    current = ev.options[("ALPHA", "current")]
    assert "administration" not in strategic.model.unit_costs or all(
        v == 0 for v in strategic.model.unit_costs["administration"]["CELL"]
    )
    t = RESPONSE_DEFAULTS["transactional"]["rebid_cost_share_of_spend"]
    assert current.model.unit_costs["administration"]["CELL"] == (pytest.approx(t * 20),)
    # reliability: holding 0.2 x (10 % late x 2 weeks + 1,000 ppm x 2 weeks' lead time)
    assert current.model.unit_costs["reliability"]["CELL"][0] == pytest.approx(
        0.2 * (0.1 * 2 + 1e-3 * 2)
    )
    # the reservation fee: 30 a week, 52 weeks
    reserved = ev.options[("ALPHA", "reserved")]
    assert reserved.model.fixed_costs["reservation_fee"] == (pytest.approx(30 * 52),)


def rationed(requested: float, capacity: float, others: float, w: float, reserved: float) -> float:
    """docs/explanation/model.md's rationing rule, written out for the test."""
    if requested + others <= capacity:
        return requested
    first = min(reserved, requested, capacity)
    rest = requested - first
    share = w * rest / (w * rest + others) if rest > 0 else 0.0
    return min(requested, first + (capacity - first) * share)


def test_priority_availability_is_the_rationing_rule_in_each_week(scenario) -> None:
    ev = inc.evaluate_incentives(scenario, seed=1)
    sup_left, effective, _, _ = optimize_input.scenario_draws(scenario, 2, 7)
    by_option = inc.option_availability(scenario, ev, sup_left, effective)
    b = 80 / (80 + 50)
    weights = {
        "current": RESPONSE_DEFAULTS["transactional"]["priority_weight"] * (1 + b),
        "strategic": RESPONSE_DEFAULTS["strategic_partnership"]["priority_weight"] * (1 + b),
        "reserved": RESPONSE_DEFAULTS["transactional"]["priority_weight"] * (1 + b),
    }
    reserve = {"current": 0.0, "strategic": 0.0, "reserved": 60.0}
    for name, w in weights.items():
        up = min(1.0, rationed(80, 100, 50, w, reserve[name]) / 80)
        down = min(0.5, rationed(80, 50, 50, w, reserve[name]) / 80)
        expected = (37 * up + 15 * down) / 52  # weeks 10-14, 25-29, 40-44 are down
        got = by_option[("ALPHA", name)][:, 0, 0]  # ALPHA's offer is the first
        assert got == pytest.approx([expected, expected], rel=1e-12), name
    assert by_option[("ALPHA", "reserved")][0, 0, 0] > by_option[("ALPHA", "current")][0, 0, 0]


def risk_instance(a_low: float) -> RiskData:
    """P: 100 units; A at 10 (menu: 'low' availability a_low, 'high' 1.0 at +1 a unit), B at
    12; one scenario, no recourse, 50 a unit unserved."""
    data = AllocationData(
        years=(1,),
        parts=(Part("P", (100.0,), shortage_penalty_per_unit=50.0),),
        suppliers=(Supplier("A"), Supplier("B")),
        offers=(Offer("P", "A", 10.0), Offer("P", "B", 12.0)),
        incentives=(
            IncentiveMenu(
                "A",
                (
                    IncentiveOption("low"),
                    IncentiveOption("high", unit_costs={"reliability": {"P": (1.0,)}}),
                ),
            ),
        ),
    )
    ones = np.ones((1, 1, 2))
    low = ones.copy()
    low[0, 0, 0] = a_low
    return RiskData(
        allocation=data,
        availability=ones,
        option_availability={("A", "low"): low, ("A", "high"): ones},
    )


def test_the_risk_model_charges_the_chosen_options_availability() -> None:
    # low at 0.5: 1,000 - 500 refunded + 50 x 50 unserved = 3,000; high: 1,100; B: 1,200
    r = optimize_risk(risk_instance(0.5), EXACT)
    assert r.first_stage.incentives == {"A": "high"}
    assert r.expected_cost == pytest.approx(1100.0, rel=1e-9)
    # low at 0.99: 1,000 - 10 + 50 = 1,040 beats high
    r = optimize_risk(risk_instance(0.99), EXACT)
    assert r.first_stage.incentives == {"A": "low"}
    assert r.expected_cost == pytest.approx(1040.0, rel=1e-9)
    # with B a backup at a premium of 2: low at 0.5 costs 1,000 - 500 + 14 x 50 = 1,200
    data = risk_instance(0.5)
    import dataclasses

    data = dataclasses.replace(data, recourse=(Recourse("P", "B", backup_premium_per_unit=2.0),))
    fixed = optimize_risk(data, EXACT, fixed_incentives={"A": "low"})
    assert fixed.expected_cost == pytest.approx(1200.0, rel=1e-9)


def test_the_optimized_plan_carries_the_chosen_contract(scenario) -> None:
    result = study.optimize(scenario, options=EXACT)
    chosen = result.allocation.incentives["ALPHA"]
    ev = result.evaluated.incentives
    contract = ev.contract("ALPHA", chosen)
    assert [c for c in result.plan.contracts if c.supplier == "ALPHA"] == [contract]
    assert chosen in result.plan.description
    # the scenario's plan is priced with the contract in force
    assert result.baseline.allocation.incentives == {"ALPHA": "current"}
    assert result.objective <= result.baseline_objective * (1 + 1e-9)
