"""The L-shaped method (optimize.benders) against the extensive form it decomposes.

Both solve the same two-stage model (risk.build, with and without ``decompose``); the
extensive form is solved exactly (gap 0), so the decomposition's plan must cost no less
than the optimum, within the gap asked of it, and its bound must not exceed the optimum.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keiretsu.errors import SolverError
from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, Supplier
from keiretsu.optimize.benders import CutPool
from keiretsu.optimize.risk import (
    BENDERS_MIN_ROWS,
    build,
    optimize_risk,
    scenario_rows,
    use_benders,
)
from keiretsu.optimize.risk_data import Recourse, ReservationOption, RiskData
from keiretsu.optimize.solve import SolverOptions
from tests.unit.test_risk import two_part_instance
from tests.verification.test_rockafellar_uryasev_2000_cvar import EXACT, tiny

BENDERS = SolverOptions(gap=1e-6, decomposition="benders")


def agrees(data: RiskData, options: SolverOptions = BENDERS, cuts: CutPool | None = None):
    """The decomposition's plan is within its gap of the extensive optimum, its cost is
    its own plan's (scenario costs, expected cost and CVaR add up), its bound is below.
    ``cuts``: the solve starts from (and adds to) these rows. Returns the decomposed result."""
    exact = optimize_risk(data, dataclasses.replace(EXACT, decomposition="extensive"))
    got = optimize_risk(data, options, cuts=cuts)
    assert exact.method == "one model" and got.method.startswith("Benders")
    scale = max(1.0, abs(exact.objective))
    gap = options.gap or 1e-4
    assert got.objective >= exact.objective - 1e-6 * scale
    assert got.objective <= exact.objective + (gap + 1e-6) * scale
    assert got.best_bound is not None and got.best_bound <= exact.objective + 1e-6 * scale
    assert got.outcome == "optimal" and got.gap is not None and got.gap <= gap * (1 + 1e-6)
    pi = data.weights()
    assert got.expected_cost == pytest.approx(float(pi @ got.scenario_costs), rel=1e-9)
    assert got.objective == pytest.approx(
        got.expected_cost + data.cvar_weight * got.cvar, rel=1e-6, abs=1e-6
    )
    # the recourse read back from the subproblems covers no more than was lost
    r = got.recourse
    assert (r["unserved_units"] >= -1e-9).all()
    covered = r["backup_units"] + r["expedite_units"] + r["reservation_units"]
    assert (covered <= r["lost_allocation_units"] + 1e-6).all()
    # the same model: the same size whichever way it is solved
    assert got.model_size["rows"] == exact.model_size["rows"]
    return got


@pytest.mark.parametrize("weight", [0.0, 1.0])
@pytest.mark.parametrize("instance", [tiny, two_part_instance])
def test_benders_equals_the_extensive_form(instance, weight: float) -> None:
    agrees(dataclasses.replace(instance(), cvar_weight=weight))


def test_a_plan_that_breaks_a_recourse_row_gets_a_feasibility_row() -> None:
    """The cheap supplier's shared capacity is halved in the scenarios (its own offers'
    availability is not): ``sum A x <= Abar C`` then binds on the first stage itself."""
    data = two_part_instance()
    data = dataclasses.replace(
        data,
        supplier_availability=data.supplier_availability * np.array([0.5, 1.0]),
        recourse=(*data.recourse, Recourse("A", "CHEAP", backup_premium_per_unit=1.0)),
        cvar_weight=1.0,
    )
    agrees(data)


def test_a_reallocation_only_to_a_supplier_with_a_share_and_expediting() -> None:
    base = tiny()
    recourse = (
        dataclasses.replace(base.recourse[0], expedite_premium_per_unit=5.0),
        dataclasses.replace(base.recourse[1], backup_needs_share=True),
    )
    agrees(dataclasses.replace(base, recourse=recourse, reservations=()))


@st.composite
def instances(draw) -> RiskData:
    """Random small two-stage models: 1-3 parts, 2-3 suppliers (qualification costs,
    shared capacity), 1-2 years, 2-6 scenarios, backups, expediting, a reservation."""
    n_parts = draw(st.integers(1, 3))
    n_sup = draw(st.integers(2, 3))
    n_years = draw(st.integers(1, 2))
    k = draw(st.integers(2, 6))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    parts = tuple(
        Part(
            f"P{i}",
            tuple(float(d) for d in rng.integers(20, 100, n_years)),
            shortage_penalty_per_unit=float(rng.uniform(20, 40)),
        )
        for i in range(n_parts)
    )
    suppliers = tuple(
        Supplier(
            f"S{j}",
            f"R{j}",
            shared_capacity_units_per_year=float(rng.uniform(60, 200))
            if rng.random() < 0.5
            else None,
            fixed_cost_once=float(rng.uniform(0, 50)) if j > 0 else 0.0,
        )
        for j in range(n_sup)
    )
    offers = tuple(
        Offer(
            p.id,
            s.id,
            float(rng.uniform(3, 12)),
            capacity_units_per_year=float(rng.uniform(30, 120)),
        )
        for p in parts
        for s in suppliers
    )
    recourse = tuple(
        Recourse(
            o.part,
            o.supplier,
            backup_premium_per_unit=float(rng.uniform(0.5, 5)) if rng.random() < 0.7 else None,
            backup_needs_share=bool(rng.random() < 0.3),
            expedite_premium_per_unit=float(rng.uniform(1, 8)) if rng.random() < 0.3 else None,
            expedite_units_per_year=float(rng.uniform(5, 30)),
        )
        for o in offers
        if rng.random() < 0.6
    )
    reservations = (ReservationOption(parts[0].id, suppliers[-1].id, 0.7, 40.0),)
    availability = np.clip(1.0 - rng.exponential(0.3, (k, n_years, len(offers))), 0.0, 1.0)
    availability[rng.random(availability.shape) < 0.3] = 1.0
    supplier = np.clip(1.0 - rng.exponential(0.2, (k, n_years, n_sup)), 0.0, 1.0)
    return RiskData(
        AllocationData(
            years=tuple(range(1, n_years + 1)), parts=parts, suppliers=suppliers, offers=offers
        ),
        availability,
        supplier_availability=supplier,
        probabilities=rng.dirichlet(np.ones(k)),
        recourse=recourse,
        reservations=reservations,
        alpha=draw(st.sampled_from([0.0, 0.5, 0.8])),
        cvar_weight=draw(st.sampled_from([0.0, 0.5, 2.0])),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_benders_equals_the_extensive_form_on_random_instances(data: RiskData) -> None:
    agrees(data)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from([0.0, 0.3, 1.0, 4.0]))
def test_cuts_of_one_risk_weight_start_the_solve_of_another(data: RiskData, weight) -> None:
    """The frontier's reuse: a pool filled at one CVaR weight is valid at any other (the
    cuts bound the recourse cost, which does not depend on the weight): the solve that
    starts from it still lands within its gap of the extensive optimum at its weight."""
    cuts = CutPool()
    agrees(data, cuts=cuts)
    agrees(dataclasses.replace(data, cvar_weight=weight), cuts=cuts)


def test_a_solve_that_starts_from_its_own_cuts_needs_one_lp_round() -> None:
    data = dataclasses.replace(two_part_instance(), cvar_weight=1.0)
    cuts = CutPool()
    first = agrees(data, cuts=cuts)
    again = agrees(data, cuts=CutPool.from_frames(cuts.frames()))  # through a checkpoint
    assert first.method != again.method
    assert again.method.startswith("Benders (L-shaped): 1 LP rounds")
    assert again.objective == pytest.approx(first.objective, rel=1e-9)


def test_a_loose_gap_is_met_not_exceeded() -> None:
    agrees(
        dataclasses.replace(two_part_instance(), cvar_weight=1.0),
        dataclasses.replace(BENDERS, gap=0.02),
    )


def test_the_thread_count_does_not_change_the_answer() -> None:
    data = dataclasses.replace(two_part_instance(), cvar_weight=1.0)
    one = optimize_risk(data, dataclasses.replace(BENDERS, threads=1))
    two = optimize_risk(data, dataclasses.replace(BENDERS, threads=2))
    assert one.objective == two.objective
    np.testing.assert_array_equal(one.scenario_costs, two.scenario_costs)
    assert one.first_stage.allocation.equals(two.first_stage.allocation)


def test_a_fixed_plan_is_priced_the_same_way() -> None:
    fixed = {
        "fixed_units": {("P", "S1", 1): 6.0, ("P", "S2", 1): 4.0},
        "fixed_reservations": {"P": 3.0},
    }
    exact = optimize_risk(tiny(), EXACT, **fixed)
    got = optimize_risk(tiny(), BENDERS, **fixed)
    np.testing.assert_allclose(got.scenario_costs, exact.scenario_costs, rtol=1e-9)
    assert got.objective == pytest.approx(exact.objective, rel=1e-9)


def test_an_infeasible_first_stage_is_explained_as_before() -> None:
    data = tiny()
    part = dataclasses.replace(
        data.allocation.parts[0],
        min_suppliers=2,
        min_source_share=0.1,
        max_supplier_share=0.3,
        shortage_penalty_per_unit=None,
    )
    bad = dataclasses.replace(
        data,
        allocation=dataclasses.replace(data.allocation, parts=(part,)),
        unserved_penalty_per_unit={"P": 12.0},
    )
    with pytest.raises(SolverError) as info:
        optimize_risk(bad, BENDERS)
    assert info.value.outcome == "infeasible"
    assert info.value.diagnosis and all("part P in year 1" in line for line in info.value.diagnosis)


def test_the_decomposed_build_keeps_recourse_rows_out_of_the_master() -> None:
    data = dataclasses.replace(tiny(), cvar_weight=1.0)
    whole, _ = build(data)
    master, v = build(data, decompose=True)
    names = {c.name for c in master.constraints()}
    assert "scenario_cost_k0" in names and "cvar_excess_k2" in names and "demand_P_y1" in names
    assert not any(
        n.startswith(("recourse_cover", "backup_room", "reservation_call")) for n in names
    )
    recourse_rows = len(whole.constraints()) - len(master.constraints())
    assert sum(len(b.rows) for b in v.blocks) == recourse_rows
    assert len(v.blocks) == len(v.recourse_cost) == 3


def test_auto_decomposes_only_large_models_at_a_loose_gap() -> None:
    small = tiny()
    loose = SolverOptions(gap=0.01)
    assert scenario_rows(small) < BENDERS_MIN_ROWS and not use_benders(small, loose)
    big = dataclasses.replace(
        small, availability=np.ones((BENDERS_MIN_ROWS, 1, 2)), probabilities=None
    )
    assert scenario_rows(big) >= BENDERS_MIN_ROWS
    assert use_benders(big, loose)
    assert not use_benders(big, SolverOptions(gap=1e-4))  # too tight for the method
    assert not use_benders(big, SolverOptions(gap=0.01, solver="cbc"))
    assert not use_benders(big, SolverOptions(gap=0.01, decomposition="extensive"))
    assert use_benders(small, SolverOptions(decomposition="benders"))


def test_benders_needs_highs() -> None:
    with pytest.raises(ValueError, match="needs the HiGHS solver"):
        SolverOptions(solver="cbc", decomposition="benders")
    with pytest.raises(ValueError, match="unknown decomposition"):
        SolverOptions(decomposition="dantzig-wolfe")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- public path


def test_the_scenario_can_ask_for_benders_and_gets_the_same_plan_cost(write_yaml) -> None:
    from keiretsu.experiments import optimize as study
    from keiretsu.scenario.loader import load_scenario
    from tests.helpers import edit
    from tests.unit.test_optimize_study import RANDOM

    text = edit(
        RANDOM,
        "  capacity_utilisation: 0.9\n",
        "  capacity_utilisation: 0.9\n  solver: {decomposition: benders, gap: 0.0001}\n",
    )
    scenario = load_scenario(write_yaml(text))
    got = study.optimize(scenario, risk=True, cvar_weight=1.0)
    exact = study.optimize(
        scenario,
        risk=True,
        cvar_weight=1.0,
        options=dataclasses.replace(EXACT, decomposition="extensive"),
    )
    assert got.risk.method.startswith("Benders") and exact.risk.method == "one model"
    assert study.solver_summary(got)["method"] == got.risk.method
    assert exact.risk.objective <= got.risk.objective <= exact.risk.objective * (1 + 1.01e-4)


def test_benders_with_cbc_is_refused_in_the_scenario_and_on_the_command_line(
    cli, write_yaml
) -> None:
    from tests.helpers import edit
    from tests.unit.test_optimize_study import RANDOM

    bad = write_yaml(
        edit(
            RANDOM,
            "  capacity_utilisation: 0.9\n",
            "  capacity_utilisation: 0.9\n  solver: {solver: cbc, decomposition: benders}\n",
        ),
        "bad.yaml",
    )
    result = cli("validate", bad)
    assert result.exit_code == 2
    assert "decomposition 'benders' needs solver 'highs'" in result.output
    good = write_yaml(RANDOM)
    result = cli(
        "optimize", good, "--risk", "--decomposition", "benders", "--solver", "cbc", "-n", "0"
    )
    assert result.exit_code == 2
    assert "needs the HiGHS solver" in result.output


def test_a_time_limit_stops_with_the_plan_in_hand_and_says_so() -> None:
    """One LP round, then the master MIP's first plan, then the limit: a plan and its gap."""
    data = dataclasses.replace(two_part_instance(), cvar_weight=1.0)
    r = optimize_risk(data, SolverOptions(gap=1e-9, time_limit_s=1e-3, decomposition="benders"))
    assert r.outcome == "feasible" and r.stopped_by == "the time limit"
    assert r.gap is not None and r.gap > 1e-9 and r.best_bound <= r.objective
    assert r.method == "Benders (L-shaped): 1 LP rounds, 1 MIP rounds"
    exact = optimize_risk(data, EXACT)
    assert r.objective >= exact.objective - 1e-6 * abs(exact.objective)


def test_json_output_stays_clean_when_benders_solves(write_yaml, tmp_path) -> None:
    """HiGHS prints a banner on its first use, from native code (file descriptor 1): the
    decomposition's own HiGHS instances must keep it off ``--json``'s stdout too."""
    import json
    import subprocess
    import sys

    from tests.unit.test_optimize_study import RANDOM

    scenario = write_yaml(RANDOM)
    done = subprocess.run(
        [sys.executable, "-m", "keiretsu.cli", "optimize", str(scenario), "--risk",
         "--decomposition", "benders", "-n", "0", "--out", str(tmp_path / "run"), "--json"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["ok"] is True and payload["solver"]["method"].startswith("Benders")


def test_the_cli_shows_the_rounds_while_it_solves_and_then_lets_go() -> None:
    import io
    import logging
    from unittest import mock

    from rich.console import Console

    from keiretsu.cli.optimizer import _solve_status

    logger = logging.getLogger("keiretsu.optimize.benders")
    handlers, level = list(logger.handlers), logger.level
    console = Console(file=io.StringIO())
    status = mock.MagicMock()
    with mock.patch.object(console, "status") as make:
        make.return_value.__enter__.return_value = status
        with _solve_status(console, "optimizing (risk model)"):
            assert logger.isEnabledFor(logging.INFO)
            logger.info("Benders: LP round %d, bound within %.2f %% of the best point", 3, 1.5)
    status.update.assert_called_once_with(
        "optimizing (risk model): Benders: LP round 3, bound within 1.50 % of the best point"
    )
    assert logger.handlers == handlers and logger.level == level


def test_a_point_within_the_rows_slack_is_feasible_for_its_subproblem() -> None:
    """A master point may meet a feasibility row only to its solver's tolerance (a few
    1e-7 on a row of 1e5 units); the subproblem must then agree that no row is broken,
    or the method stops on "numerical trouble" (it did, at 500 parts, K = 20, lambda 0)."""
    import pulp

    from keiretsu.optimize.benders import RecourseBlock, _Sub

    prob = pulp.LpProblem("slack")
    x = prob.add_variable("x", lowBound=0)
    r = prob.add_variable("r", lowBound=0, upBound=10)
    block = RecourseBlock(rows=[([(x, 1.0), (r, 1.0)], 1e5)], cost=[(r, 1.0)])
    sub = _Sub(block, {x.id: 0})
    point = np.array([1e5 + 3e-7])
    assert sub.broken(point).size == 0
    solved = sub.solve(point)
    assert solved is not None and solved[0] == pytest.approx(0.0)
    far = np.array([1e5 + 1.0])  # broken beyond the slack: infeasible, and the row says so
    assert sub.solve(far) is None and list(sub.broken(far)) == [0]
