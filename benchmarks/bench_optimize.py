"""The optimizer: the bundled EV scenario, and the issue's workload at scale.

1. deterministic allocation of ``scenarios/ev_battery.yaml`` (its menus and programs,
   evaluated once: ``eval``), 1e-4 gap;
2. the two-stage risk model with K = 50 disruption scenarios (and K = 10, 100, 200 for the
   growth with scenarios), lambda = 1, alpha = 0.95, 1e-4 gap;
3. the closed loop: both plans simulated, 50 replications each (single worker);
4. the issue's workload (``_workloads.optimizer_scenario``): 50 suppliers x 500 parts x 5
   years (1,000 offers, weekly periods, supplier outages and regional events, five
   incentive menus) with K = 100 disruption scenarios, solved to a 1 % gap with HiGHS on
   2 threads (time limit ``LIMIT_S``), ``decomposition="auto"``: the L-shaped method of
   ``optimize.benders`` from 150,000 scenario rows, the one extensive model below. Target:
   building at most 20 % of the total, the whole within 120 s on 2 cores;
5. growth with parts (100 / 200 / 500 parts, suppliers = parts / 10, K = 20) and with
   scenarios (500 parts, K = 10 / 25 / 50 / 100), 1 % gap;
6. a frontier's solves on the issue's workload (K = 50, the three weights of
   ``frontier_lambdas(3, 10)``, 1 % gap, the L-shaped method): each point from scratch,
   then each from the cuts of the points before (a ``benders.CutPool``, as
   ``closed_loop.frontier`` does).

Times: ``map`` = scenario -> allocation data (``experiments.optimize_input.optimization_input``),
``sample`` = capacity scenarios from the disruption model, ``build`` = the PuLP model,
``solve`` = HiGHS through ``solve.solve_with``. Median of 3 runs after a warm-up; on the
shared 2-core machine figures vary by about +-30 %.

Run: ``.venv/bin/python benchmarks/bench_optimize.py`` (about 8 minutes: sections 4-6
dominate; ``--ev`` runs sections 1-3 only, about a minute; ``--frontier`` section 6 only).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

from _workloads import machine, median_time, optimizer_scenario, source_state, table, verdict
from keiretsu.experiments import closed_loop as loop_study
from keiretsu.experiments import optimize as study
from keiretsu.experiments import optimize_input
from keiretsu.optimize.allocation import optimize_allocation
from keiretsu.optimize.benders import CutPool
from keiretsu.optimize.risk import optimize_risk
from keiretsu.optimize.solve import SolverOptions
from keiretsu.scenario.loader import load_scenario

EV = Path(__file__).resolve().parents[1] / "scenarios" / "ev_battery.yaml"
OPTIONS = SolverOptions(gap=1e-4, time_limit_s=120.0)
LIMIT_S = 900.0
AT_SCALE = SolverOptions(gap=0.01, time_limit_s=LIMIT_S, threads=2)


def size(result) -> str:
    s = result.model_size
    return f"{s['rows']:,} x {s['columns']:,}, {s['integer_columns']:,}"


def gap(result) -> str:
    return "-" if result.gap is None else f"{result.gap:.1e}"


def at_scale(n_parts: int, k: int) -> list[str]:
    """One risk-model point of the issue's workload: times of every step."""
    started = time.perf_counter()
    scenario = optimizer_scenario(n_parts)
    inp = optimize_input.optimization_input(scenario)
    map_s = time.perf_counter() - started
    started = time.perf_counter()
    evaluated = study.evaluate_options(scenario, seed=1)
    inp = dataclasses.replace(inp, data=study.with_options(inp.data, evaluated))
    eval_s = time.perf_counter() - started
    started = time.perf_counter()
    caps = optimize_input.capacity_scenarios(scenario, k, 1)
    data = optimize_input.risk_data(
        scenario, inp, caps, alpha=0.95, cvar_weight=1.0, evaluated=evaluated
    )
    sample_s = time.perf_counter() - started
    r = optimize_risk(data, AT_SCALE)
    total = map_s + eval_s + sample_s + r.build_time_s + r.solve_time_s
    share = r.build_time_s / total
    return [
        f"{n_parts} x {len(scenario.suppliers)} x 5, K = {k}",
        size(r),
        f"{map_s + eval_s:.2f}",
        f"{sample_s:.2f}",
        f"{r.build_time_s:.2f}",
        f"{r.solve_time_s:.2f}",
        f"{total:.2f} {verdict(total <= 120)}",
        f"{100 * share:.0f}% {verdict(share <= 0.2)}",
        r.outcome + (f" ({r.stopped_by})" if r.stopped_by else ""),
        gap(r),
        r.method,
    ]


def frontier_solves(k: int, points: int) -> list[list[str]]:
    """The risk-model solves of a frontier, without and with the cut pool."""
    scenario = optimizer_scenario(500)
    inp = optimize_input.optimization_input(scenario)
    evaluated = study.evaluate_options(scenario, seed=1)
    inp = dataclasses.replace(inp, data=study.with_options(inp.data, evaluated))
    caps = optimize_input.capacity_scenarios(scenario, k, 1)
    options = dataclasses.replace(AT_SCALE, decomposition="benders")
    rows = []
    for label, cuts in (("from scratch", None), ("from the cuts before", CutPool())):
        total = 0.0
        for lam in loop_study.frontier_lambdas(points, 10.0):
            data = optimize_input.risk_data(
                scenario, inp, caps, alpha=0.95, cvar_weight=lam, evaluated=evaluated
            )
            r = optimize_risk(data, options, cuts=cuts)
            total += r.build_time_s + r.solve_time_s
            rows.append(
                [
                    label,
                    f"{lam:g}",
                    f"{r.build_time_s + r.solve_time_s:.2f}",
                    f"{r.objective:,.0f}",
                    gap(r),
                    r.method.removeprefix("Benders (L-shaped): "),
                    "-" if cuts is None else f"{len(cuts.rows):,}",
                ]
            )
        rows.append([label, "all", f"{total:.2f}", "", "", "", ""])
    return rows


SCALE_HEADER = [
    "workload",
    "rows x cols, integer",
    "map+eval s",
    "sample s",
    "build s",
    "solve s",
    "total s",
    "build share",
    "outcome",
    "gap",
    "method",
]


def main() -> None:
    print(f"# bench_optimize  ({machine()}; {source_state()})")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    if "--frontier" in sys.argv:
        print_frontier()
        return
    scenario = load_scenario(EV)
    started = time.perf_counter()  # once: the payback studies are cached afterwards
    evaluated = study.evaluate_options(scenario, seed=scenario.run.seed)
    eval_s = time.perf_counter() - started
    map_s, _ = median_time(lambda: optimize_input.optimization_input(scenario))
    inp = optimize_input.optimization_input(scenario)
    inp = dataclasses.replace(inp, data=study.with_options(inp.data, evaluated))
    print(f"EV menus and programs evaluated in {eval_s:.2f} s (payback studies, KPIs)")
    det_s, _ = median_time(lambda: optimize_allocation(inp.data, OPTIONS))
    det = optimize_allocation(inp.data, OPTIONS)
    header = [
        "model",
        "rows x cols, integer",
        "map s",
        "sample s",
        "build s",
        "solve s",
        "total s",
        "gap",
    ]
    rows = [
        [
            "deterministic",
            size(det),
            f"{map_s:.3f}",
            "-",
            f"{det.build_time_s:.3f}",
            f"{det.solve_time_s:.3f}",
            f"{map_s + det_s:.3f}",
            gap(det),
        ]
    ]
    for k in (10, 50, 100, 200):
        sample_s, _ = median_time(lambda k=k: optimize_input.capacity_scenarios(scenario, k, 1))
        caps = optimize_input.capacity_scenarios(scenario, k, 1)
        data = optimize_input.risk_data(
            scenario, inp, caps, alpha=0.95, cvar_weight=1.0, evaluated=evaluated
        )
        total_s, _ = median_time(lambda data=data: optimize_risk(data, OPTIONS))
        r = optimize_risk(data, OPTIONS)
        rows.append(
            [
                f"risk, K = {k}",
                size(r),
                f"{map_s:.3f}",
                f"{sample_s:.3f}",
                f"{r.build_time_s:.3f}",
                f"{r.solve_time_s:.3f}",
                f"{map_s + sample_s + total_s:.3f}",
                gap(r),
            ]
        )
    print("\n1-2. EV battery scenario: deterministic and risk model (lambda 1, alpha 0.95)")
    print(table(rows, header))
    result = study.optimize(scenario, options=OPTIONS)
    plans = list(loop_study.distinct_names(result.plan, scenario.plan))
    started = time.perf_counter()
    loop_study.closed_loop(scenario, plans[::-1], replications=50, seed=scenario.run.seed)
    print(f"\n3. closed loop, 2 plans x 50 replications: {time.perf_counter() - started:.2f} s")
    if "--ev" in sys.argv:
        return
    print("\n4. the issue's workload: 50 suppliers x 500 parts x 5 years, K = 100, 1 % gap")
    print(table([at_scale(500, 100)], SCALE_HEADER))
    print("\n5a. growth with parts (K = 20), 1 % gap")
    print(table([at_scale(n, 20) for n in (100, 200, 500)], SCALE_HEADER))
    print("\n5b. growth with scenarios (500 parts), 1 % gap")
    print(table([at_scale(500, k) for k in (10, 25, 50)], SCALE_HEADER))
    print_frontier()


def print_frontier() -> None:
    print("\n6. a frontier's solves, 500 x 50 x 5, K = 50, 1 % gap, the L-shaped method")
    header = ["solves", "lambda", "s", "objective", "gap", "rounds", "pool rows after"]
    print(table(frontier_solves(50, 3), header))


if __name__ == "__main__":
    main()
