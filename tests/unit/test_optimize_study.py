"""The optimize and frontier studies on a scenario: the risk model's plan (reservations
written back), the closed loop on common random numbers, the frontier's monotonicity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from keiretsu.experiments import closed_loop as loop_study
from keiretsu.experiments import optimize as study
from keiretsu.fileio import Checkpoint
from keiretsu.optimize.solve import SolverOptions
from keiretsu.scenario.loader import load_scenario
from tests.helpers import edit
from tests.unit.test_optimize_mapping import SCENARIO

RANDOM = edit(
    edit(
        SCENARIO,
        "    up_days: {kind: fixed, value: 70}\n    down_days: {kind: fixed, value: 35}\n",
        "    up_days: {kind: exponential, mean: 150}\n    down_days: {kind: exponential, mean: 40}\n",
    ),
    "  default_inventory: {policy: days_of_cover, cover_days: 21}\n",
    "  default_inventory: {policy: days_of_cover, cover_days: 21}\n"
    "  contingency:\n    CELL:\n      reallocate: {after_days_down: 0}\n",
)
RANDOM = edit(
    RANDOM,
    "  capacity_utilisation: 0.9\n",
    "  capacity_utilisation: 0.9\n"
    "  reservations:\n"
    "    - {part: CELL, supplier: BETA, fee_per_unit_per_period: 0.05, notice_days: 7}\n"
    "  risk: {scenarios: 30, alpha: 0.8}\n",
)
"""ALPHA's outages random (about 40 days down in 190), CELL's share moves to its other
suppliers when one is down, CELL capacity reservable at BETA."""

EXACT = SolverOptions(gap=0.0)


@pytest.fixture
def scenario(write_yaml):
    return load_scenario(write_yaml(RANDOM))


def test_the_risk_plan_carries_the_reservation_it_sized(scenario) -> None:
    result = study.optimize(scenario, risk=True, cvar_weight=5.0, options=EXACT)
    r = result.risk
    assert r is not None and r.outcome == "optimal"
    assert result.scenarios is not None and result.scenarios.offer.shape[0] == 30
    reserved = r.reservations.get("CELL", 0.0)
    rule = result.plan.contingency["CELL"]
    assert rule.reallocate is not None  # the scenario plan's contingency is kept
    if reserved > 0:
        assert rule.reservation is not None and rule.reservation.supplier == "BETA"
        assert rule.reservation.reserved_units_per_period == pytest.approx(reserved / 52)
        assert rule.reservation.fee_per_period == pytest.approx(0.05 * reserved / 52)
        assert rule.reservation.notice_days == 7.0
    else:
        assert rule.reservation is None
    assert "reservations as sized by the risk model" in result.plan.description
    # CASE is all ALPHA in the scenario's plan, above the 80 % share limit: the plan is
    # priced without the rules, and may then cost less than the best plan that keeps them
    assert result.baseline.risk is not None and result.baseline.meets_rules is False


def test_the_optimizer_beats_a_scenario_plan_that_keeps_its_rules(write_yaml) -> None:
    scenario = load_scenario(write_yaml(edit(RANDOM, "  max_supplier_share: 0.8\n", "")))
    result = study.optimize(scenario, risk=True, cvar_weight=1.0, options=EXACT)
    assert result.baseline.meets_rules is True
    assert result.risk.objective <= result.baseline.risk.objective * (1 + 1e-9)


def test_closed_loop_runs_the_plans_on_common_random_numbers(scenario) -> None:
    same = scenario.plan.model_copy(update={"name": "twin"})
    loop = loop_study.closed_loop(scenario, [scenario.plan, same], replications=4, seed=3)
    d = loop.differences.set_index("kpi")
    assert (d["mean"] == 0.0).all() and (d["sd"] == 0.0).all()  # identical plans, identical runs
    assert set(loop.table["plan"]) == {scenario.plan.name, "twin"}
    wide = loop.wide().set_index("plan")
    assert wide.loc["twin", "fill_rate_mean"] == wide.loc[scenario.plan.name, "fill_rate_mean"]


def test_frontier_points_are_monotone_and_simulated(scenario) -> None:
    f = loop_study.frontier(scenario, points=4, lambda_max=20.0, options=EXACT, replications=3)
    pts = f.points
    assert list(pts["lambda"]) == pytest.approx([0.0, 0.2, 2.0, 20.0])
    e, c = pts["expected_cost"].to_numpy(), pts["cvar"].to_numpy()
    assert np.all(np.diff(e) >= -1e-6 * e[:-1]) and np.all(np.diff(c) <= 1e-6 * c[:-1])
    assert {"simulated_total_cost_mean", "simulated_margin_p10"} <= set(pts)
    assert len(f.plans) == 4 and f.closed_loop is not None
    assert len(set(f.closed_loop.table["plan"])) == 5  # four points and the scenario's plan
    with pytest.raises(ValueError, match="at least 2 points"):
        loop_study.frontier_lambdas(1, 10.0)


def test_the_frontier_prices_the_scenario_plan_once(scenario, monkeypatch) -> None:
    """The scenario's own plan has the same expected cost and CVaR at every weight: priced
    at the first point, reported at every point."""
    calls = []
    price = study._price_plan

    def counting(*args, **kwargs):
        calls.append(1)
        return price(*args, **kwargs)

    monkeypatch.setattr(study, "_price_plan", counting)
    f = loop_study.frontier(scenario, points=3, lambda_max=20.0, options=EXACT, replications=0)
    assert len(calls) == 1 and len(f.points) == 3
    once = study.optimize(scenario, risk=True, cvar_weight=20.0, options=EXACT).baseline.risk
    assert f.baseline == {"expected_cost": once.expected_cost, "cvar": once.cvar}


def test_a_decomposed_frontier_reuses_its_cuts_and_resumes_as_it_would_have_gone_on(
    scenario, tmp_path, monkeypatch
) -> None:
    """By the L-shaped method, every point after the first starts from the cuts before it
    and still lands within its gap of the optimum (the one-model frontier); a frontier
    resumed after its first point starts the next from that point's cuts, read back from
    the checkpoint, and solves the rest as the uninterrupted one did."""
    options = SolverOptions(gap=1e-6, decomposition="benders")
    kw = {"points": 3, "lambda_max": 20.0, "replications": 0}
    exact = loop_study.frontier(scenario, options=EXACT, **kw).points
    started_with: list[int] = []  # cut-pool rows each solve starts from
    solve = loop_study.optimize

    def counting(*args, cuts, **kwargs):
        started_with.append(len(cuts.rows))
        return solve(*args, cuts=cuts, **kwargs)

    monkeypatch.setattr(loop_study, "optimize", counting)
    whole = Checkpoint(tmp_path / "whole")
    decomposed = loop_study.frontier(scenario, options=options, checkpoint=whole, **kw).points
    scale = np.abs(exact["objective"].to_numpy())
    assert np.all(decomposed["objective"].to_numpy() <= exact["objective"] + 1e-5 * scale)
    assert np.all(decomposed["objective"].to_numpy() >= exact["objective"] - 1e-6 * scale)
    kept = whole.store(loop_study.FRONTIER_POINTS_STORE)
    learnt = [len(kept.load(j)["cut_rows"]) for j in range(3)]
    assert started_with == [0, learnt[0], learnt[1]] and learnt[0] > 0
    # a run stopped after its first point: that point (with its cuts) is all it kept
    stopped = Checkpoint(tmp_path / "stopped")
    stopped.store(loop_study.FRONTIER_POINTS_STORE).save(0, kept.key(0), kept.load(0))
    started_with.clear()
    resumed = loop_study.frontier(scenario, options=options, checkpoint=stopped, **kw).points
    assert started_with == [learnt[0], learnt[1]]
    pd.testing.assert_frame_equal(resumed, decomposed)
