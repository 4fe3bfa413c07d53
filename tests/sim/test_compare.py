"""``experiments.compare``: plans on common random numbers, paired differences, P(better)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.helpers import SCENARIOS, SMALL_SCENARIO

from keiretsu.errors import InputError
from keiretsu.experiments import BETTER, SUMMARY_KPIS, check_plans, compare
from keiretsu.scenario.loader import load_plan, load_scenario
from keiretsu.scenario.model import BaseStock, Plan, Scenario


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    path = tmp_path_factory.mktemp("compare") / "small.yaml"
    path.write_text(SMALL_SCENARIO, encoding="utf-8")
    return load_scenario(path)


def _with_cell_stock(plan: Plan, name: str, units: float) -> Plan:
    inventory = {**plan.inventory, "CELL": BaseStock(order_up_to_units=units)}
    return plan.model_copy(update={"name": name, "inventory": inventory})


def test_a_plan_identical_to_the_baseline_differs_by_exactly_zero() -> None:
    """Common random numbers: the same plan under another name sees the same demand, lead
    times, lateness, disruptions and (receiving the same units) defects, so every paired
    difference is 0 and every P(better) one half. two_supplier has defects and late
    shipments, ev_battery every disruption kind and contingencies."""
    for file, n in (("two_supplier.yaml", 6), ("ev_battery.yaml", 3)):
        scenario = load_scenario(SCENARIOS / file)
        twin = scenario.plan.model_copy(update={"name": "the same plan again"})
        result = compare(scenario, [twin], replications=n)
        deltas = result.deltas
        assert list(deltas["kpi"]) == SUMMARY_KPIS
        assert (deltas["plan"] == "the same plan again").all()
        defined = deltas["n"] >= 2
        assert (deltas["delta_mean"][deltas["n"] > 0] == 0.0).all(), file
        assert (deltas["delta_ci95_half_width"][defined] == 0.0).all(), file
        assert (deltas["probability_better"][deltas["n"] > 0] == 0.5).all(), file
        a = result.results[scenario.plan.name].replications
        b = result.results["the same plan again"].replications
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_more_safety_stock_on_a_backorder_part_is_better_in_every_replication(small) -> None:
    """Base stock S versus S + 900 on CELL (backorders, ALPHA's 20-45 day lead time): with
    the stock starting at S, each review orders the last period's demand under both plans,
    so orders, shipments and arrivals are the same and net inventory is 900 units higher
    in every period; a replication with any backorder under S has strictly fewer with
    S + 900. So P(lower shortage cost) = 1 and the paired CI lies below zero."""
    lean = _with_cell_stock(small.plan, "lean", 300.0)
    ample = _with_cell_stock(small.plan, "ample", 1200.0)
    scenario = small.model_copy(update={"plan": lean})
    result = compare(scenario, [ample], replications=12, seed=11)
    base = result.results["lean"].replications
    assert (base["shortage_cost"] > 0).all()  # the premise: lean runs short every time
    row = result.deltas.set_index("kpi").loc["shortage_cost"]
    assert row["probability_better"] == 1.0
    assert row["delta_mean"] + row["delta_ci95_half_width"] < 0
    holding = result.deltas.set_index("kpi").loc["holding_cost"]
    assert holding["probability_better"] == 0.0  # the price: more stock to hold
    # the paired numbers are the per-replication differences of the two runs
    other = result.results["ample"].replications
    d = other["shortage_cost"].to_numpy() - base["shortage_cost"].to_numpy()
    assert row["delta_mean"] == pytest.approx(d.mean(), rel=1e-12)
    assert row["baseline_mean"] == pytest.approx(base["shortage_cost"].mean(), rel=1e-12)
    assert row["plan_mean"] == pytest.approx(other["shortage_cost"].mean(), rel=1e-12)


def test_every_plan_sees_the_same_demand(small) -> None:
    other = small.plan.model_copy(
        update={"name": "all beta", "allocation": {"CELL": {"BETA": 1.0}}, "allocation_by_year": {}}
    )
    result = compare(small, [other], replications=4)
    periods = result.stacked("periods")
    wide = periods.pivot(index=["replication", "period"], columns="plan", values="demand_units")
    assert (wide["split"] == wide["all beta"]).all()
    assert not (
        result.results["split"].replications["total_cost"].to_numpy()
        == result.results["all beta"].replications["total_cost"].to_numpy()
    ).all()
    assert list(periods.columns[:3]) == ["plan", "replication", "period"]


def test_common_random_numbers_narrow_the_interval() -> None:
    """The point of CRN: for a small change of plan the paired interval of the cost
    difference is far narrower than the interval of two independent runs would be."""
    scenario = load_scenario(SCENARIOS / "two_supplier.yaml")
    shares = {"CHEAPCO": 0.6, "RELIAPART": 0.4}
    nudged = scenario.plan.model_copy(
        update={"name": "60/40", "allocation": {"HOUSING": shares}, "allocation_by_year": {}}
    )
    result = compare(scenario, [nudged], replications=30)
    row = result.deltas.set_index("kpi").loc["total_cost"]
    summary = result.summary.set_index(["plan", "kpi"])["ci95_half_width"]
    unpaired = np.hypot(
        summary[(scenario.plan.name, "total_cost")], summary[("60/40", "total_cost")]
    )
    assert row["delta_ci95_half_width"] < unpaired / 3


def test_one_worker_equals_two_workers(small) -> None:
    ample = _with_cell_stock(small.plan, "ample", 1200.0)
    one = compare(small, [ample], replications=7, workers=1, batch=3)
    two = compare(small, [ample], replications=7, workers=2, batch=3)
    for table in ("summary", "deltas"):
        pd.testing.assert_frame_equal(getattr(one, table), getattr(two, table), check_exact=True)
    for table in ("replications", "periods", "parts"):
        pd.testing.assert_frame_equal(one.stacked(table), two.stacked(table), check_exact=True)


def test_summary_has_a_row_per_plan_and_kpi_and_the_baseline_can_be_any_plan(small) -> None:
    ample = _with_cell_stock(small.plan, "ample", 1200.0)
    result = compare(small, [ample], baseline="ample", replications=3)
    assert result.plans == ["split", "ample"] and result.baseline == "ample"
    assert list(result.summary["plan"]) == ["split"] * len(SUMMARY_KPIS) + ["ample"] * len(
        SUMMARY_KPIS
    )
    assert set(result.deltas["plan"]) == {"split"}
    assert dict(zip(result.deltas["kpi"], result.deltas["better"], strict=True)) == BETTER
    assert BETTER["margin"] == "higher" and BETTER["mean_days_of_cover"] == "lower"
    assert "lower for costs" in result.definitions["better"]
    assert result.results["split"].part_periods is None  # not kept unless asked


def test_plan_names_must_differ_and_the_baseline_must_exist(small) -> None:
    with pytest.raises(InputError) as info:
        compare(small, [small.plan], replications=1)
    assert len(info.value.problems) == 1
    assert "plan name 'split' is already used" in str(info.value)
    with pytest.raises(InputError, match="no plan is named 'nope'"):
        compare(small, [], baseline="nope", replications=1)
    where = [("a.yaml", 3, 1), ("b.yaml", 7, 1), ("c.yaml", 2, 1)]
    with pytest.raises(InputError) as info:
        check_plans(["x", "y", "x"], where=where)
    (problem,) = info.value.problems
    assert (problem.file, problem.line, problem.column, problem.path) == ("c.yaml", 2, 1, "name")
    assert "already used by the plan in a.yaml" in problem.message
    assert check_plans(["x", "y"]) == "x" and check_plans(["x", "y"], "y") == "y"


def test_bundled_plans_compare_on_the_ev_scenario() -> None:
    scenario = load_scenario(SCENARIOS / "ev_battery.yaml")
    files = sorted((SCENARIOS / "plans" / "ev_battery").glob("*.yaml"))
    plans = [load_plan(f, scenario) for f in files]
    result = compare(scenario, plans, replications=2)
    assert len(result.plans) == 1 + len(files) >= 3
    # the transactional plan qualifies nobody and holds no contingency
    cost = result.summary.set_index(["plan", "kpi"])["mean"]
    assert cost[("transactional single source", "qualification_cost")] == 0.0
    assert cost[("transactional single source", "contingency_cost")] == 0.0
    assert cost[("strategic dual source", "qualification_cost")] > 0.0
