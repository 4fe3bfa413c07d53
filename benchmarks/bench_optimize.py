"""The optimizer on the bundled EV scenario: mapping, scenario sampling, build and solve.

1. deterministic allocation of ``scenarios/ev_battery.yaml`` (default settings, 1e-4 gap);
2. the two-stage risk model with K = 50 disruption scenarios (and K = 10, 100, 200 for the
   growth with scenarios), lambda = 1, alpha = 0.95, 1e-4 gap;
3. the closed loop: both plans simulated, 50 replications each (single worker).

Times: ``map`` = scenario -> allocation data (``experiments.optimize.optimization_input``),
``sample`` = capacity scenarios from the disruption model, ``build`` = the PuLP model,
``solve`` = HiGHS through ``solve.solve_with``. Median of 3 runs after a warm-up; on the
shared 2-core machine figures vary by about +-30 %.

Run: ``.venv/bin/python benchmarks/bench_optimize.py`` (about a minute).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from _workloads import machine, median_time, source_state, table
from keiretsu.experiments import optimize as study
from keiretsu.optimize.allocation import optimize_allocation
from keiretsu.optimize.risk import optimize_risk
from keiretsu.optimize.solve import SolverOptions
from keiretsu.scenario.loader import load_scenario

EV = Path(__file__).resolve().parents[1] / "scenarios" / "ev_battery.yaml"
OPTIONS = SolverOptions(gap=1e-4, time_limit_s=120.0)


def size(result) -> str:
    s = result.model_size
    return f"{s['rows']:,} x {s['columns']:,}, {s['integer_columns']:,}"


def gap(result) -> str:
    return "-" if result.gap is None else f"{result.gap:.1e}"


def main() -> None:
    print(f"# bench_optimize  ({machine()}; {source_state()})")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    scenario = load_scenario(EV)
    map_s, _ = median_time(lambda: study.optimization_input(scenario))
    inp = study.optimization_input(scenario)
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
        sample_s, _ = median_time(lambda k=k: study.capacity_scenarios(scenario, k, 1))
        caps = study.capacity_scenarios(scenario, k, 1)
        data = study.risk_data(scenario, inp, caps, alpha=0.95, cvar_weight=1.0)
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
    plans = list(study.distinct_names(result.plan, scenario.plan))
    started = time.perf_counter()
    study.closed_loop(scenario, plans[::-1], replications=50, seed=scenario.run.seed)
    print(f"\n3. closed loop, 2 plans x 50 replications: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
