"""Where the kernel spends its time on the network workload (not a benchmark: no targets).

Two views of ``compile_network`` + ``draw`` + ``engine.simulate`` for the 200-part daily
network (``_workloads.network_scenario``):

1. cProfile, functions sorted by own time (``tottime``);
2. a line profile of ``src/keiretsu/sim/engine.py`` built on ``sys.monitoring``
   (Python >= 3.12): the time from one executed line of engine.py to the next is
   charged to the first, so numpy / scipy calls made by a line count towards it. The
   monitoring adds ~1 us per line, small next to the 5-300 us a kernel line takes.

Run: ``.venv/bin/python benchmarks/profile_kernel.py [--parts 200] [--reps 1]``.
``--reps`` is the batch size the kernel sees; the runner uses ``batch_size(scenario)``
(1 for this workload), so the default profiles what a study actually runs.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

from _workloads import network_scenario
from keiretsu.sim import engine
from keiretsu.sim.draws import draw
from keiretsu.sim.engine import simulate
from keiretsu.sim.network import compile_network
from keiretsu.sim.runner import batch_size

TOOL = sys.monitoring.PROFILER_ID
# The source as imported (the file may be edited while this runs; line numbers refer to this).
ENGINE_MTIME = os.stat(engine.__file__).st_mtime
ENGINE_LINES = Path(engine.__file__).read_text(encoding="utf-8").splitlines()


def line_profile(fn, target_file: str) -> tuple[dict[int, float], float]:
    """Seconds per line of ``target_file`` while ``fn()`` runs, and the total wall time."""
    mon = sys.monitoring
    spent: dict[int, float] = defaultdict(float)
    last: list = [None, 0.0]  # line number, time it started

    def on_line(code, line: int):
        if code.co_filename != target_file:
            return mon.DISABLE
        now = time.perf_counter()
        if last[0] is not None:
            spent[last[0]] += now - last[1]
        last[0], last[1] = line, now
        return None

    mon.use_tool_id(TOOL, "keiretsu-line-profile")
    mon.register_callback(TOOL, mon.events.LINE, on_line)
    mon.set_events(TOOL, mon.events.LINE)
    start = time.perf_counter()
    try:
        fn()
    finally:
        end = time.perf_counter()
        mon.set_events(TOOL, mon.events.NO_EVENTS)
        mon.register_callback(TOOL, mon.events.LINE, None)
        mon.free_tool_id(TOOL)
    if last[0] is not None:
        spent[last[0]] += end - last[1]
    return dict(spent), end - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", type=int, default=200)
    ap.add_argument("--reps", type=int, default=None, help="replications in the batch")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args()

    scenario = network_scenario(args.parts)
    reps = list(range(args.reps or batch_size(scenario)))
    seed = scenario.run.seed
    net = compile_network(scenario, scenario.plan)
    simulate(net, draw(scenario, net, seed, reps))  # warm-up

    def kernel() -> None:
        n = compile_network(scenario, scenario.plan)
        simulate(n, draw(scenario, n, seed, reps))

    print(
        f"network workload: {args.parts} parts x {len(scenario.suppliers)} suppliers, "
        f"{net.n_periods} daily periods, batch of {len(reps)} replication(s)\n"
    )
    prof = cProfile.Profile()
    prof.enable()
    kernel()
    prof.disable()
    print("== cProfile (compile + draw + simulate), top functions by own time")
    pstats.Stats(prof, stream=sys.stdout).sort_stats("tottime").print_stats(args.top)

    drawn = draw(scenario, net, seed, reps)
    spent, wall = line_profile(lambda: simulate(net, drawn), engine.__file__)
    total = sum(spent.values())
    print(f"== lines of {engine.__file__} during simulate (wall {wall:.3f} s)")
    if os.stat(engine.__file__).st_mtime != ENGINE_MTIME:
        print("   (warning: engine.py changed on disk since import; source text may not match)")
    print(f"{'s':>7}  {'share':>6}  line  source")
    for line, sec in sorted(spent.items(), key=lambda kv: -kv[1])[: args.top]:
        src = ENGINE_LINES[line - 1].strip() if line <= len(ENGINE_LINES) else "?"
        print(f"{sec:7.3f}  {100 * sec / total:5.1f}%  {line:4d}  {src[:90]}")


if __name__ == "__main__":
    main()
