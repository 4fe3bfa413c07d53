"""Solver statuses, honestly: optimal, feasible with its gap, infeasible, unbounded, no solution."""

from __future__ import annotations

import os
import random

import pulp
import pytest

from keiretsu.errors import SolverError
from keiretsu.optimize.allocation import optimize_allocation
from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, PriceBreak, Supplier
from keiretsu.optimize.solve import SolverOptions, solve, solve_with, solver
from tests.verification.test_ravindran_warsing_2013_table_5_15 import table_5_15

CBC_AVAILABLE = pulp.COIN_CMD(msg=False).available()


def knapsack(n: int = 60, rows: int = 20, seed: int = 0) -> pulp.LpProblem:
    """A multi-dimensional 0-1 knapsack: hard enough to stop early, easy to state."""
    r = random.Random(seed)
    prob = pulp.LpProblem("knapsack", pulp.LpMaximize)
    xs = [prob.add_variable(f"x{i}", cat=pulp.LpBinary) for i in range(n)]
    prob += pulp.lpSum_vars_coefs([(x, r.randint(1, 1000)) for x in xs])
    for j in range(rows):
        weights = [(x, float(r.randint(1, 1000))) for x in xs]
        prob += (pulp.lpSum_vars_coefs(weights) <= 15_000, f"room_{j}")
    return prob


def big_allocation(n_parts: int = 120, n_suppliers: int = 15, seed: int = 3) -> AllocationData:
    """Fixed costs, discounts, dual sourcing and shared capacities: a hard MILP."""
    r = random.Random(seed)
    years = (2027, 2028, 2029)
    parts, offers = [], []
    for i in range(n_parts):
        base = r.uniform(1_000, 10_000)
        parts.append(
            Part(
                f"P{i}",
                tuple(base * 1.05**t for t in range(len(years))),
                shortage_penalty_per_unit=500.0,
                min_suppliers=2 if i % 4 == 0 else 1,
                min_source_share=0.2 if i % 4 == 0 else 0.0,
            )
        )
        for s in r.sample(range(n_suppliers), 5):
            price = r.uniform(10, 50)
            offers.append(
                Offer(
                    f"P{i}",
                    f"S{s}",
                    price,
                    (PriceBreak(0.3 * base, 0.9 * price),),
                    discount=r.choice(["incremental", "all_units"]),
                    capacity_units_per_year=r.uniform(0.4, 0.9) * base,
                    fixed_cost_once=r.uniform(5_000, 50_000),
                )
            )
    suppliers = tuple(
        Supplier(f"S{s}", region=f"R{s % 3}", fixed_cost_per_year=r.uniform(1e4, 1e5))
        for s in range(n_suppliers)
    )
    return AllocationData(years, tuple(parts), suppliers, tuple(offers), name="big")


def test_solver_options_are_checked() -> None:
    for bad in (
        {"solver": "gurobi"},
        {"time_limit_s": -1.0},
        {"gap": 1.5},
        {"threads": 0},
        {"threads": True},
    ):
        with pytest.raises(ValueError):
            SolverOptions(**bad)  # type: ignore[arg-type]


def test_optimal_reports_its_gap() -> None:
    report = solve_with(knapsack(30, 5), SolverOptions(gap=0.0))
    assert report.outcome == "optimal" and report.stopped_by == ""
    assert report.gap is not None and report.gap <= 1e-9
    assert report.best_bound is not None and report.best_bound >= report.objective - 1e-6


def _lp(name: str) -> tuple[pulp.LpProblem, pulp.LpVariable]:
    prob = pulp.LpProblem(name, pulp.LpMinimize)
    return prob, prob.add_variable("x")


def test_infeasible_and_unbounded_are_errors_with_the_model_written() -> None:
    prob, x = _lp("never")
    prob += pulp.lpSum_vars_coefs([(x, 1.0)])
    prob += (pulp.lpSum_vars_coefs([(x, 1.0)]) >= 2, "at_least_2")
    prob += (pulp.lpSum_vars_coefs([(x, 1.0)]) <= 1, "at_most_1")
    with pytest.raises(SolverError) as err:
        solve_with(prob)
    assert err.value.outcome in ("infeasible", "infeasible or unbounded")
    assert err.value.lp_path and os.path.exists(err.value.lp_path)
    prob, x = _lp("endless")
    prob += pulp.lpSum_vars_coefs([(x, 1.0)])
    prob += (pulp.lpSum_vars_coefs([(x, 1.0)]) <= 5, "at_most_5")
    with pytest.raises(SolverError) as err:
        solve_with(prob)
    assert err.value.outcome in ("unbounded", "infeasible or unbounded")
    assert "unbounded" in str(err.value)


def test_solve_stays_backward_compatible() -> None:
    prob, x = _lp("plain")
    prob += pulp.lpSum_vars_coefs([(x, 1.0)])
    prob += (pulp.lpSum_vars_coefs([(x, 1.0)]) >= 3, "at_least_3")
    stats = solve(prob)
    assert stats.status == pulp.LpSolveStatus.Optimal and abs(x.value() - 3.0) <= 1e-9
    prob += (pulp.lpSum_vars_coefs([(x, 1.0)]) <= 1, "at_most_1")
    with pytest.raises(SolverError, match="infeasible") as err:
        solve(prob)
    assert err.value.status == pulp.LpSolveStatus.Infeasible


def test_time_limit_zero_is_no_solution_not_an_answer() -> None:
    with pytest.raises(SolverError) as err:
        solve_with(knapsack(), SolverOptions(time_limit_s=0.0))
    assert err.value.outcome == "no solution"
    assert "time limit without a feasible solution" in str(err.value)


def _check_honest(data: AllocationData, options: SolverOptions) -> str:
    """Whatever the stop, the answer is what it says it is."""
    try:
        result = optimize_allocation(data, options)
    except SolverError as exc:
        assert exc.outcome == "no solution", exc
        assert "time limit without a feasible solution" in str(exc)
        assert exc.lp_path and os.path.exists(exc.lp_path)
        return exc.outcome
    if result.outcome == "optimal":
        assert result.gap is not None and result.gap <= options.gap + 1e-9
    else:
        assert result.outcome == "feasible" and result.stopped_by == "the time limit"
        assert result.gap is not None and result.gap > 0
    assert result.best_bound is not None and result.best_bound <= result.objective + 1e-6
    # the incumbent is a real plan: demand covered, capacities kept
    offers = {(o.part, o.supplier): o for o in data.offers}
    for row in result.allocation.itertuples():
        cap = offers[(row.part, row.supplier)].capacity_units_per_year
        assert row.units <= cap * (1 + 1e-6) + 1e-6
    s = result.shortage
    assert ((s.bought_units + s.short_units - s.demand_units).abs() <= 1e-5 * s.demand_units).all()
    return result.outcome


def test_a_time_limited_big_allocation_is_reported_honestly() -> None:
    data = big_allocation()
    outcome = _check_honest(data, SolverOptions(time_limit_s=2.0, gap=1e-9))
    assert outcome in ("feasible", "no solution")  # 2 s never proves this one to 1e-9
    assert _check_honest(data, SolverOptions(time_limit_s=0.0)) == "no solution"


def test_threads_can_change_between_solves() -> None:
    # HiGHS's scheduler is process-wide: a new thread count needs a reset (solve.py)
    for threads in (1, 2, 1):
        report = solve_with(knapsack(30, 5), SolverOptions(threads=threads, gap=0.0))
        assert report.outcome == "optimal"


def test_missing_cbc_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pulp.COIN_CMD, "available", lambda self: False)
    with pytest.raises(SolverError, match=r"keiretsu\[cbc\]"):
        solver("cbc")
    with pytest.raises(SolverError, match="CBC is not installed"):
        optimize_allocation(table_5_15(2000.0), SolverOptions(solver="cbc"))


@pytest.mark.skipif(not CBC_AVAILABLE, reason="CBC not installed (pip install 'keiretsu[cbc]')")
def test_cbc_solves_the_same_allocation() -> None:
    result = optimize_allocation(table_5_15(2000.0), SolverOptions(solver="cbc"))
    assert result.solver == "cbc" and result.outcome == "optimal"
    assert abs(result.objective - 8200.0) <= 1e-6
    with pytest.raises(SolverError) as err:
        solve_with(knapsack(), SolverOptions(solver="cbc", time_limit_s=0.0))
    assert err.value.outcome == "no solution"


def test_diagnosis_lines_follow_the_message() -> None:
    err = SolverError("model 'm': infeasible", outcome="infeasible", diagnosis=["a", "b"])
    assert str(err) == "model 'm': infeasible\n  a\n  b" and err.diagnosis == ["a", "b"]
