"""Volume-allocation MILP: model-build and solve time with HiGHS.

Workload: ``_workloads.allocation_data`` — parts x suppliers x 5 years with every
constraint family in use (incremental and all-units discounts, qualification and
management fixed costs, minimum volumes, dual sourcing, region, share, quality and
switching limits, shared capacities, take-or-pay commitments, shortages at a penalty).

1. the reference size, 200 parts x 20 suppliers x 5 years, each part offered by 5
   suppliers, solved to a 1 % relative gap (time limit 120 s);
2. growth with the number of parts: 50 / 100 / 200 / 400 parts (suppliers = parts / 10,
   5 offers per part), 1 % gap;
3. dense: 200 x 20 x 5 with every supplier offering every part (4,000 offers), 1 % gap,
   time limit 60 s (reported honestly if the gap is not reached).

Build = ``allocation.build`` (checks + PuLP model); solve = HiGHS through
``solve.solve_with`` (including handing the model to HiGHS). One run per point after a
warm-up solve; on the shared 2-core machine figures vary by about +-30 %, and a MILP's
solve time can vary more with the instance. Target (issue 7, for the full optimizer):
building at most 20 % of the total.

Run: ``.venv/bin/python benchmarks/bench_allocation.py`` (about 2-4 minutes).
"""

from __future__ import annotations

import os
import time

from _workloads import allocation_data, machine, source_state, table, verdict
from keiretsu.errors import SolverError
from keiretsu.optimize.allocation import build, optimize_allocation
from keiretsu.optimize.solve import SolverOptions

GAP = 0.01


def point(n_parts: int, n_suppliers: int, offers_per_part: int | None, limit: float) -> list[str]:
    data = allocation_data(n_parts, n_suppliers, 5, offers_per_part)
    started = time.perf_counter()
    prob, _ = build(data)
    build_s = time.perf_counter() - started
    variables = prob.variables()
    binaries = sum(1 for v in variables if v.cat == "Integer")
    size = f"{len(variables):,} vars ({binaries:,} bin), {len(prob.constraints()):,} rows"
    started = time.perf_counter()
    try:
        result = optimize_allocation(data, SolverOptions(gap=GAP, time_limit_s=limit))
    except SolverError as exc:
        total = time.perf_counter() - started
        return [
            f"{n_parts} x {n_suppliers} x 5 ({len(data.offers):,} offers)",
            size,
            f"{build_s:.2f}",
            "-",
            f"{total:.2f}",
            exc.outcome,
            "-",
            "-",
        ]
    total = result.build_time_s + result.solve_time_s
    gap = "-" if result.gap is None else f"{100 * result.gap:.2f}%"
    share = result.build_time_s / total
    return [
        f"{n_parts} x {n_suppliers} x 5 ({len(data.offers):,} offers)",
        size,
        f"{result.build_time_s:.2f}",
        f"{result.solve_time_s:.2f}",
        f"{total:.2f}",
        result.outcome,
        gap,
        f"{100 * share:.0f}% {verdict(share <= 0.2)}",
    ]


def main() -> None:
    print(f"# bench_allocation  ({machine()}; {source_state()})")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    optimize_allocation(allocation_data(10, 3, 2, 3), SolverOptions(gap=GAP))  # warm-up
    header = [
        "parts x suppliers x years",
        "model",
        "build s",
        "solve s",
        "total s",
        "outcome",
        "gap",
        "build share",
    ]
    print("\n1. reference size, 1 % gap")
    rows = [point(200, 20, 5, 120.0)]
    print(table(rows, header))
    print("\n2. growth with parts (suppliers = parts / 10, 5 offers per part), 1 % gap")
    rows = [point(n, max(n // 10, 5), 5, 120.0) for n in (50, 100, 200, 400)]
    print(table(rows, header))
    print("\n3. dense: every supplier offers every part, 1 % gap, 60 s limit")
    print(table([point(200, 20, None, 60.0)], header))


if __name__ == "__main__":
    main()
