"""Program options as optimizer data: NPVs at other shares by linearity of the payback
flows, expected disbursement by year from the milestones, and the plan written back."""

from __future__ import annotations

import numpy as np
import pytest

from keiretsu.econ import finance
from keiretsu.experiments import coinvest
from keiretsu.experiments import optimize as study
from keiretsu.experiments.payback import payback
from keiretsu.optimize.solve import SolverOptions
from keiretsu.scenario.loader import load_scenario
from keiretsu.scenario.programs import FundedProgram
from tests.helpers import edit

SCENARIO = """\
meta:
  name: Program test
  start_date: 2027-01-04
horizon:
  years: 2
  period: week
regions:
  - id: R
parts:
  - id: P
    demand:
      per_period_units: {kind: normal, mean: 100, sd: 10}
    revenue_per_unit: 30
    holding_cost_per_unit_per_period: 0.05
    shortage: {kind: backorder, cost_per_unit_per_period: 3}
suppliers:
  - id: S
    region: R
    offers:
      - part: P
        unit_price: 20
        lead_time_days: {kind: fixed, value: 7}
        capacity_units_per_period: 110
disruptions:
  - kind: supplier_outage
    id: S-stops
    supplier: S
    up_days: {kind: exponential, mean: 120}
    down_days: {kind: exponential, mean: 10}
programs:
  - id: line
    suppliers: [S]
    start_date: 2027-11-01
    capex: 20000
    buyer_cost_share: 0.4
    milestones:
      - id: build
        duration_days: {kind: fixed, value: 30}
        success_probability: 0.5
        disbursement_share: 0.4
      - id: ramp
        duration_days: {kind: fixed, value: 60}
        disbursement_share: 0.6
        retention_share: 0.5
    operating_cost_per_year: 1000
    effects:
      capacity_units_per_period: 30
      unit_cost_reduction: 0.02
    supplier_margin_rate: 0.1
plan:
  name: base
  default_inventory: {policy: base_stock, order_up_to_units: 250}
run:
  seed: 9
optimize:
  dual_sourcing: null
  evaluation_replications: 6
  programs:
    options:
      - {program: line, buyer_cost_shares: [0.2, 0.7]}
"""


@pytest.fixture
def scenario(write_yaml):
    return load_scenario(write_yaml(SCENARIO))


def test_party_flows_are_linear_in_the_buyer_cost_share(scenario) -> None:
    at_04 = payback(scenario, "line", seed=4, replications=5, tornado=False)
    plan = scenario.plan.model_copy(
        update={"programs": {"line": FundedProgram(buyer_cost_share=0.7)}}
    )
    at_07 = payback(scenario, "line", plan, seed=4, replications=5, tornado=False)
    flows_04, capex = coinvest.flows_by_party(at_04)
    flows_07, _ = coinvest.flows_by_party(at_07)
    assert np.abs(capex).sum() > 0
    scale = np.abs(flows_04["buyer"]).max()
    np.testing.assert_allclose(
        flows_07["buyer"], flows_04["buyer"] - 0.3 * capex, atol=1e-9 * scale
    )
    np.testing.assert_allclose(
        flows_07["supplier"], flows_04["supplier"] + 0.3 * capex, atol=1e-9 * scale
    )
    np.testing.assert_allclose(flows_07["joint"], flows_04["joint"], atol=1e-9 * scale)
    # so the NPVs derived at 0.7 from the study at 0.4 are the study's own at 0.7
    derived = coinvest.npvs_at_share(at_04, 0.7, 0.4, 52)
    own = at_07.measures.set_index(["party", "replication"])["npv"]
    for party in ("buyer", "supplier"):
        np.testing.assert_allclose(derived[party], own[party].to_numpy(), rtol=1e-9, atol=1e-6)


def test_expected_disbursement_by_year_follows_the_milestones(scenario) -> None:
    # start on day 301: "build" ends on day 331 (week 47, year 1) and pays 40 %, then
    # fails half the time; "ramp" ends on day 391 (week 55, year 2) and pays 60 %, half of
    # it held back and paid at completion the same day
    by_year = coinvest.expected_disbursement_by_year(scenario, "line", seed=2, draws=4000)
    assert by_year[0] == pytest.approx(0.4 * 20000, rel=1e-12)
    p = by_year[1] / (0.6 * 20000)  # the share of draws in which "build" succeeded
    assert abs(p - 0.5) < 3 * np.sqrt(0.25 / 4000)


def test_program_options_carry_npvs_participation_and_budget(scenario, write_yaml) -> None:
    ev = coinvest.evaluate_programs(scenario, seed=scenario.run.seed)
    (choice,) = ev.choices
    assert [o.share for o in choice.options] == [0.2, 0.7]  # the plan does not fund it
    table = ev.table.set_index("buyer_cost_share")
    capex = table.loc[0.7, "buyer_capex_y1"] / 0.7
    assert table.loc[0.2, "buyer_capex_y1"] == pytest.approx(0.2 * capex)
    # the buyer's NPV falls and the supplier's rises by the same capex, discounted at each
    # party's own rate
    drop = table.loc[0.2, "buyer_npv"] - table.loc[0.7, "buyer_npv"]
    gain = table.loc[0.7, "supplier_npv"] - table.loc[0.2, "supplier_npv"]
    assert drop > 0 and gain > 0 and gain < drop  # the supplier discounts at 10 %, buyer 8 %
    assert table.loc[0.7, "buyer_npv"] == pytest.approx(
        table.loc[0.7, "buyer_npv_program_cash"] + table.loc[0.7, "buyer_npv_benefit"]
    )
    # the optimizer funds at most one share, within participation, and writes it
    result = study.optimize(scenario, options=SolverOptions(gap=0.0))
    funded = result.allocation.programs
    if funded:
        share = funded["line"]
        assert table.loc[share, "supplier_signs"] and table.loc[share, "buyer_signs"]
        assert result.plan.programs["line"].buyer_cost_share == share
    else:
        assert "line" not in result.plan.programs
    # a budget below the least share's year-1 capex forbids the program
    tight = load_scenario(
        write_yaml(
            edit(
                SCENARIO,
                "      - {program: line, buyer_cost_shares: [0.2, 0.7]}\n",
                "      - {program: line, buyer_cost_shares: [0.2, 0.7]}\n"
                f"    capex_budget_by_year: {{1: {0.1 * capex:.2f}}}\n",
            ),
            "tight.yaml",
        )
    )
    assert study.optimize(tight, options=SolverOptions(gap=0.0)).allocation.programs == {}


def test_npv_rates_are_each_partys_own(scenario) -> None:
    ev = coinvest.evaluate_programs(scenario, seed=scenario.run.seed)
    study_ = ev.payback["line"]
    flows, _ = coinvest.flows_by_party(study_)
    npv = coinvest.npvs_at_share(study_, 0.4, 0.4, 52)
    rate = finance.periodic_rate(0.10, 52)  # the supplier's default rate
    np.testing.assert_allclose(npv["supplier"], finance.npv(rate, flows["supplier"]), rtol=1e-12)
