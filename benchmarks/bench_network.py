"""Network workload: an EV-like supplier network simulated daily for 5 years.

200 parts x 20 suppliers in 4 regions (see ``_workloads.network_scenario``): every part
dual-sourced 70/30, triangular lead times in days, ~200 ppm defects, capacities that
bind now and then, normal demand growing 4 %/yr, base-stock / days-of-cover policies,
backorders. Always ``experiments.simulate(..., detail="network")``.

Throughput is in part-days per second: parts x 1,825 days x replications / seconds.
Target: >= 2,000,000 part-days/s on one core (200 parts, one worker).

Every measurement point runs in a fresh Python process (so its peak RSS is its own):
the child builds the scenario, warms up on a 20-part, 1-month network (imports, scipy
set-up and, with 2 workers, the joblib/loky process pool), then times
``experiments.simulate`` up to 3 times (fewer once 8 s have been spent on the point) and
reports the median. Peak memory is ``ru_maxrss`` of that process and, with
workers, the high-water mark (VmHWM) of each worker process read from /proc before the
pool shuts down.

1. scaling with network size: 50/100/200/400 parts (suppliers = parts / 10),
   4 replications, 1 worker; for 200 parts also the time per step (compile, draw,
   simulate, tables) of the same batches;
2. scaling with workers: 200 parts, 8 replications, 1 vs 2 workers; parallel
   efficiency = t1 / (2 x t2);
3. a study: 200 parts, 70 replications (10 batches) in one call, 1 worker, in a fresh
   process: the throughput a long single-worker run sees once its first batch has paid
   the process's one-time costs (first touch of its record memory, which is slow on this
   VM: the first 4-replication run of a process is 1.2-1.7M part-days/s, later ones
   2.0-2.4M).

Run: ``.venv/bin/python benchmarks/bench_network.py`` (about two minutes).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _workloads import descendants, machine, network_scenario, source_state, table, verdict

DAYS = 1825
TARGET_PART_DAYS_PER_S = 2_000_000
SIZES = (50, 100, 200, 400)
SCALING_REPS = 4
WORKER_PARTS, WORKER_REPS = 200, 8
STUDY_REPS = 70
TARGET_PARTS = 200
MAX_RUNS = 3  # timed runs per point (median reported) ...
POINT_BUDGET_S = 8.0  # ... but no new run once this much time has been spent on the point


# --------------------------------------------------------------------------- child side


def _status_kib(pid: int | str, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure_point(parts: int, reps: int, workers: int, stages: bool) -> dict:
    """Time one ``experiments.simulate`` call in this (fresh) process."""
    from keiretsu import experiments
    from keiretsu.sim.runner import batch_size

    scenario = network_scenario(parts)
    warm = network_scenario(20, years=1 / 12)
    experiments.simulate(warm, replications=2, workers=workers, detail="network")
    base_rss = _status_kib("self", "VmRSS")

    times: list[float] = []
    while len(times) < MAX_RUNS and sum(times) < POINT_BUDGET_S:
        start = time.perf_counter()
        result = experiments.simulate(
            scenario,
            seed=scenario.run.seed,
            replications=reps,
            workers=workers,
            detail="network",
        )
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    out = {
        "parts": parts,
        "suppliers": len(scenario.suppliers),
        "offers": sum(len(s.offers) for s in scenario.suppliers),
        "reps": reps,
        "workers": workers,
        "seconds": seconds,
        "runs": times,
        "batch": batch_size(scenario),
        "base_rss_mib": base_rss / 1024,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "fill_rate": float(result.replications["fill_rate"].mean()),
    }
    if workers > 1:
        hwm = [_status_kib(pid, "VmHWM") / 1024 for pid in descendants(os.getpid())]
        out["worker_peak_rss_mib"] = sorted(hwm, reverse=True)
    if stages:
        out["stages"] = _stages(scenario, reps)
    return out


def _stages(scenario, reps: int) -> dict[str, float]:
    """Seconds per step of ``run_batch`` over the runner's batches (one worker)."""
    from keiretsu.sim.draws import draw
    from keiretsu.sim.engine import simulate
    from keiretsu.sim.network import compile_network
    from keiretsu.sim.records import tables
    from keiretsu.sim.runner import batch_size

    size = batch_size(scenario)
    spent = dict.fromkeys(("compile", "draw", "simulate", "tables"), 0.0)
    for i in range(0, reps, size):
        chunk = list(range(i, min(i + size, reps)))
        t0 = time.perf_counter()
        net = compile_network(scenario, scenario.plan)
        t1 = time.perf_counter()
        drawn = draw(scenario, net, scenario.run.seed, chunk)
        t2 = time.perf_counter()
        trace = simulate(net, drawn)
        t3 = time.perf_counter()
        tables(net, trace, drawn, chunk, scenario.run.warmup_periods, "network")
        t4 = time.perf_counter()
        spent["compile"] += t1 - t0
        spent["draw"] += t2 - t1
        spent["simulate"] += t3 - t2
        spent["tables"] += t4 - t3
    return spent


# --------------------------------------------------------------------------- parent side


def point(parts: int, reps: int, workers: int, stages: bool = False) -> dict:
    args = [sys.executable, __file__, "--point", str(parts), str(reps), str(workers)]
    if stages:
        args.append("--stages")
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"measurement {parts=} {reps=} {workers=} failed")
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def rate(r: dict) -> float:
    return r["parts"] * DAYS * r["reps"] / r["seconds"]


def main() -> None:
    started = time.perf_counter()
    print("Network workload: EV-like, 4 regions, dual-sourced 70/30, ~200 ppm defects,")
    print(f"daily periods x 5 years ({DAYS} days), backorders, detail='network'")
    print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.2f}")
    print(f"code: {source_state()}")
    print(
        "each point: fresh process, warm-up run, then the median of up to "
        f"{MAX_RUNS} timed experiments.simulate calls (n = runs timed)\n"
    )

    sizes = [point(p, SCALING_REPS, 1, stages=p == TARGET_PARTS) for p in SIZES]
    print(f"1. Scaling with network size ({SCALING_REPS} replications, 1 worker)")
    rows = []
    for r in sizes:
        rows.append(
            [
                f"{r['parts']} x {r['suppliers']} ({r['offers']} offers)",
                str(r["batch"]),
                str(len(r["runs"])),
                f"{r['seconds']:.2f}",
                f"{r['seconds'] / r['reps']:.2f}",
                f"{rate(r):,.0f}",
                f"{r['peak_rss_mib']:.0f}",
                f"{r['peak_rss_mib'] - r['base_rss_mib']:.0f}",
                f"{r['fill_rate']:.4f}",
            ]
        )
    print(
        table(
            rows,
            [
                "parts x suppliers",
                "batch",
                "n",
                "s",
                "s/rep",
                "part-days/s",
                "peak RSS MiB",
                "above base",
                "fill rate",
            ],
        )
    )
    small, large = sizes[0], sizes[-1]
    growth = (large["seconds"] / small["seconds"]) / (large["parts"] / small["parts"])
    print(
        f"time per part grows {growth:.2f}x from {small['parts']} to {large['parts']} parts "
        "(1.00 = linear in parts)"
    )

    target = next(r for r in sizes if r["parts"] == TARGET_PARTS)
    st = target["stages"]
    total = sum(st.values())
    print(
        f"\n   where the time goes at {TARGET_PARTS} parts (same batches, without the study layer)"
    )
    print(
        table(
            [[k, f"{v:.2f}", f"{100 * v / target['seconds']:.0f} % of full"] for k, v in st.items()]
            + [
                [
                    "rest: study layer (full median - steps)",
                    f"{target['seconds'] - total:.2f}",
                    "(noise +/-)",
                ],
                [
                    "kernel (compile + draw + simulate)",
                    f"{total - st['tables']:.2f}",
                    f"{TARGET_PARTS * DAYS * target['reps'] / (total - st['tables']):,.0f} part-days/s",
                ],
            ],
            ["step", "s", "share"],
        )
    )

    w1 = point(WORKER_PARTS, WORKER_REPS, 1)
    w2 = point(WORKER_PARTS, WORKER_REPS, 2)
    efficiency = w1["seconds"] / (2 * w2["seconds"])
    print(f"\n2. Scaling with workers ({WORKER_PARTS} parts, {WORKER_REPS} replications)")
    rows = []
    for r in (w1, w2):
        workers_mem = r.get("worker_peak_rss_mib", [])
        rows.append(
            [
                str(r["workers"]),
                str(len(r["runs"])),
                f"{r['seconds']:.2f}",
                f"{rate(r):,.0f}",
                f"{r['peak_rss_mib']:.0f}",
                ", ".join(f"{m:.0f}" for m in workers_mem) or "-",
            ]
        )
    print(
        table(
            rows,
            [
                "workers",
                "n",
                "s",
                "part-days/s",
                "main peak RSS MiB",
                "child processes' peak RSS MiB (loky workers + helpers)",
            ],
        )
    )
    print(f"speed-up {w1['seconds'] / w2['seconds']:.2f}x, parallel efficiency {efficiency:.0%}")

    study = point(TARGET_PARTS, STUDY_REPS, 1)
    print(
        f"\n3. A study: {TARGET_PARTS} parts, {STUDY_REPS} replications in one call "
        f"(batches of {study['batch']}), 1 worker: {study['seconds']:.2f} s, "
        f"{rate(study):,.0f} part-days/s, peak RSS {study['peak_rss_mib']:.0f} MiB"
    )
    print(
        "   each timed run of the 4-replication point (fresh process, s): "
        + ", ".join(f"{x:.2f}" for x in target["runs"])
    )

    print("\nTargets")
    best_one_core = max(target, w1, study, key=rate)
    print(
        table(
            [
                [
                    f"{TARGET_PARTS} parts, 1 worker, {target['reps']} replications",
                    f"{rate(target):,.0f}",
                    f">= {TARGET_PART_DAYS_PER_S:,}",
                    verdict(rate(target) >= TARGET_PART_DAYS_PER_S),
                ],
                [
                    f"{TARGET_PARTS} parts, 1 worker, {w1['reps']} replications",
                    f"{rate(w1):,.0f}",
                    f">= {TARGET_PART_DAYS_PER_S:,}",
                    verdict(rate(w1) >= TARGET_PART_DAYS_PER_S),
                ],
                [
                    f"{TARGET_PARTS} parts, 1 worker, a {STUDY_REPS}-replication study",
                    f"{rate(study):,.0f}",
                    f">= {TARGET_PART_DAYS_PER_S:,}",
                    verdict(rate(study) >= TARGET_PART_DAYS_PER_S),
                ],
            ],
            ["measurement", "part-days/s", "target", ""],
        )
    )
    gap = TARGET_PART_DAYS_PER_S / rate(best_one_core)
    if gap > 1:
        print(f"one core is {gap:.1f}x short of the target")
    print(f"\n(benchmark wall time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "--point":
        res = measure_point(
            int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), "--stages" in sys.argv
        )
        print("RESULT " + json.dumps(res))
    else:
        main()
