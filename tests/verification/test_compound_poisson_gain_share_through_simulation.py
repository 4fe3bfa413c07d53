"""The optimizer's expected gain share equals what the simulator's contracts pay.

Theory: supplier-driven improvements arrive as a Poisson process of rate lambda a year,
half of them on cost, each multiplying the unit cost by 1 - X (X exponential with mean m,
capped at 0.9). The expected cost factor after tau years is the probability generating
function of a Poisson count, E[(1 - X)^N] = exp(-(lambda / 2) E[min(X, 0.9)] tau), and the
buyer's gain share of year 1 per unit bought is g p (1 - mean over the year of that
factor). The optimizer's term (``keiretsu.experiments.incentives``) uses this formula; the
simulator draws the improvements one by one and settles the savings at quarterly reviews
(``keiretsu.sim.contracts``, ``keiretsu.econ.settlement``). Tolerance: Monte Carlo, 3
standard errors, with 3 SE below 2 % of the value.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from keiretsu.experiments import incentives as inc
from keiretsu.experiments.runs import simulate
from keiretsu.scenario.loader import load_scenario

SCENARIO = """\
meta:
  name: Gain share check
  start_date: 2027-01-04
horizon:
  years: 2
  period: week
regions:
  - id: R
parts:
  - id: P
    demand:
      per_period_units: {kind: fixed, value: 80}
    revenue_per_unit: 50
    holding_cost_per_unit_per_period: 0.1
    shortage: {kind: backorder, cost_per_unit_per_period: 1}
suppliers:
  - id: S
    region: R
    offers:
      - part: P
        unit_price: 20
        lead_time_days: {kind: fixed, value: 0}
contracts:
  - &partner
    supplier: S
    relationship: strategic_partnership
    gain_share_buyer: 0.8
    response:
      annual_cost_reduction: 0.0
      improvements_per_year: 12
      improvement_cost_effect: 0.02
plan:
  name: base
  default_inventory: {policy: base_stock, order_up_to_units: 80}
run:
  seed: 3
optimize:
  dual_sourcing: null
  incentives:
    - supplier: S
      options: [{name: partner, contract: *partner}]
"""

REPLICATIONS = 12_000


@pytest.mark.slow
def test_expected_gain_share_of_year_one_matches_the_simulated_settlements(write_yaml) -> None:
    scenario = load_scenario(write_yaml(SCENARIO))
    ev = inc.evaluate_incentives(scenario, seed=1)
    per_unit = ev.options[("S", "partner")].model.unit_costs["gain_share"]["P"][0]
    # the formula, independently of the code
    m = 0.02
    a = 12 / 2 * m * (1 - math.exp(-0.9 / m))
    assert per_unit == pytest.approx(-0.8 * 20 * (1 - (1 - math.exp(-a)) / a), rel=1e-12)

    result = simulate(scenario, replications=REPLICATIONS, keep="summary")
    reviews = result.contract_reviews
    year_one = reviews[reviews["period"] <= 52]
    paid = -year_one.groupby("replication")["gain_share"].sum().to_numpy()  # to the buyer
    spend = 80 * 20 * 51  # 80 a week accepted from week 2 on (week 1 is served from stock)
    per_rep = paid / spend
    mean, se = float(per_rep.mean()), float(per_rep.std(ddof=1) / np.sqrt(per_rep.size))
    # weeks 2-52 only: the model's year mean counts week 1 too, where almost nothing is saved
    weeks = np.arange(1, 52)
    factor = np.exp(-a * (weeks + 0.5) / 52)
    expected = 0.8 * 20 * float((1 - factor).mean()) / 20  # per unit of spend
    assert 3 * se < 0.02 * mean
    assert abs(mean - expected) <= 3 * se, (mean, expected, se)
    # and the model's per-unit term, per unit of spend, is within 2 % of it (week 1 aside)
    assert -per_unit / 20 == pytest.approx(expected, rel=0.03)
