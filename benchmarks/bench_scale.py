"""Scale-out and bounded memory: parallel efficiency, Dask overhead, checkpoint cost, peak
memory of 10,000 replications, and how run time grows with replications and plans.

Workload: the largest bundled scenario, ``scenarios/consumer_electronics.yaml`` (34
parts, 21 suppliers, 44 offers, 208 weekly periods), ``keep="summary"`` (what a large
run would use).

1. **parallel efficiency**, 1 vs 2 local workers (joblib) and a 2-worker local Dask
   cluster: each point in a fresh process that first starts its workers and warms up on
   a small run, then times ``experiments.simulate`` on ``EFF_REPS`` replications
   ``RUNS`` times and keeps the fastest (the least disturbed by other load); chunks of
   ``chunk_size(scenario, n, workers)``: 64 replications, so 8 chunks, 4 per worker at
   two (256 replications with --quick: 4 chunks). Efficiency = t1 / (2 t2), with worker start-up
   excluded ("warm") and included ("cold": the start-up time of the pool / cluster
   added). Also the CPU time of the process tree (work inflation = CPU at 2 workers /
   CPU at 1) and the time its processes waited on a run queue (/proc/PID/schedstat): on
   a machine shared with other jobs, that wait is what they cost the run;
2. **Dask overhead per chunk**: 200 trivial tasks through ``DaskBackend.map`` on a
   one-worker local cluster (submit, scheduler, result round trip; the scenario scattered
   once), and the two-supplier scenario in 64 one-replication chunks on that cluster
   vs in this process: (t_dask - t_here) / 64;
3. **checkpoint cost**: the same simulation with and without a ``ChunkStore`` (every
   chunk's tables written as parquet and fsync'ed, the index rewritten);
4. **peak memory** of ``keiretsu simulate consumer_electronics.yaml -n 10000 -j 2 --keep
   summary`` (the CLI, in a child process): peak RSS of the main process and of each
   worker, sampled from /proc every 0.1 s, and the largest ``ru_maxrss`` of the process
   tree (exact); target < 2 GB for the main process and for main + workers together;
5. **growth with replications** (100 / 1,000 / 10,000, the CLI with -j 2, wall time
   including start-up, figures and files) and **with plans** (1 / 2 / 4 plans of
   ``PLAN_REPS`` replications each, run one after the other on one warm 2-worker
   backend as a comparison of plans runs them).

``--quick`` uses 2,000 instead of 10,000 replications for 4 and 5 and fewer replications
elsewhere (about a minute). ``--efficiency N`` runs part 1 only, as N interleaved
(1-worker, 2-worker) pairs, and reports the pair that waited least for a core (on a
shared machine, the best estimate of an idle one). The machine is shared (2 cores): the load average when each
part starts is printed; a busy machine lowers the efficiency figures.

Run: ``.venv/bin/python benchmarks/bench_scale.py [--quick]`` (about 4 minutes; quick ~1).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _workloads import descendants, machine, source_state, table, verdict

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "consumer_electronics.yaml"
SMALL = ROOT / "scenarios" / "two_supplier.yaml"
KEIRETSU = [sys.executable, "-m", "keiretsu.cli"]
QUICK = "--quick" in sys.argv
EFF_REPS = 256 if QUICK else 512
BIG_REPS = 2_000 if QUICK else 10_000
GROWTH_REPS = (100, 1_000, BIG_REPS)
PLAN_REPS = 64 if QUICK else 128
PLAN_COUNTS = (1, 2, 4)
RUNS = 3  # timed runs per efficiency point; the fastest is reported (shared machine)
TARGET_EFFICIENCY = 0.85
TARGET_PEAK_BYTES = 2 * 10**9


# --------------------------------------------------------------------------- child side


def _load(path: Path = SCENARIO):
    from keiretsu.scenario.loader import load_scenario

    return load_scenario(path)


def _backend(kind: str, workers: int):
    from keiretsu.sim.backends import DaskBackend, LocalBackend

    return DaskBackend.local(workers) if kind == "dask" else LocalBackend(workers)


def child_efficiency(kind: str, workers: int, reps: int) -> dict:
    """Start the workers, warm up, then time simulate() on ``reps`` replications."""
    from keiretsu import experiments

    scenario = _load()
    t0 = time.perf_counter()
    backend = _backend(kind, workers)
    experiments.simulate(scenario, replications=2 * workers, batch=1, backend=backend,
                         keep="summary")  # fmt: skip
    startup = time.perf_counter() - t0
    times, cpu, waits = [], [], []
    for _ in range(RUNS):
        cpu0, wait0 = _tree_cpu_and_wait(os.getpid())
        t = time.perf_counter()
        result = experiments.simulate(scenario, replications=reps, backend=backend, keep="summary")
        times.append(time.perf_counter() - t)
        cpu1, wait1 = _tree_cpu_and_wait(os.getpid())
        cpu.append(cpu1 - cpu0)
        waits.append(wait1 - wait0)
    backend.close()
    best = times.index(min(times))
    return {
        "cpu_s": cpu[best],  # CPU time of this process and its workers in the fastest run
        "wait_s": waits[best],  # time they spent runnable but waiting for a core
        "kind": kind,
        "workers": workers,
        "reps": reps,
        "seconds": min(times),  # the least disturbed run (the machine is shared)
        "median": statistics.median(times),
        "runs": times,
        "startup": startup,
        "margin_mean": float(result.replications["margin"].mean()),
    }


def _tree_cpu_and_wait(root: int) -> tuple[float, float]:
    """CPU seconds (user + system) of ``root`` and its live descendants, and the seconds
    they spent runnable, waiting on a run queue (/proc/PID/schedstat): the latter is
    what other load on the machine costs them."""
    tick = os.sysconf("SC_CLK_TCK")
    cpu = wait = 0.0
    for pid in _tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / tick
            wait += int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            continue
    return cpu, wait


def _noop(_scenario, item):
    return item


def child_overhead() -> dict:
    """Per-chunk cost of the Dask round trip."""
    from keiretsu import experiments
    from keiretsu.sim.backends import DaskBackend, LocalBackend

    scenario = _load(SMALL)
    out = {}
    with DaskBackend.local(1) as dask:
        list(dask.map(_noop, range(10), (scenario,)))  # warm
        t = time.perf_counter()
        assert list(dask.map(_noop, range(200), (scenario,))) == list(range(200))
        out["trivial_task_ms"] = (time.perf_counter() - t) / 200 * 1e3
        experiments.simulate(scenario, replications=4, batch=1, backend=dask, keep="summary")
        t = time.perf_counter()
        experiments.simulate(scenario, replications=64, batch=1, backend=dask, keep="summary")
        out["dask_s"] = time.perf_counter() - t
    local = LocalBackend(1)
    experiments.simulate(scenario, replications=4, batch=1, backend=local, keep="summary")
    t = time.perf_counter()
    experiments.simulate(scenario, replications=64, batch=1, backend=local, keep="summary")
    out["here_s"] = time.perf_counter() - t
    out["per_chunk_ms"] = (out["dask_s"] - out["here_s"]) / 64 * 1e3
    return out


def child_checkpoint(reps: int) -> dict:
    """simulate() with and without a chunk store, for keep=summary and keep=per-period."""
    from keiretsu import experiments
    from keiretsu.fileio import ChunkStore, TableWriter

    scenario = _load()
    experiments.simulate(scenario, replications=2, keep="summary")
    out = {}
    for keep in ("summary", "per-period"):
        for with_store in (False, True):
            with tempfile.TemporaryDirectory(dir=ROOT) as d:
                store = ChunkStore(Path(d) / "chunks") if with_store else None
                with TableWriter(Path(d) / "out") as sink:
                    t = time.perf_counter()
                    experiments.simulate(scenario, replications=reps, keep=keep, sink=sink,
                                         checkpoint=store)  # fmt: skip
                    out[f"{keep}/{'store' if with_store else 'none'}"] = time.perf_counter() - t
    return out


def child_plans(counts: list[int], reps: int) -> dict:
    """Plans run one after the other on one warm 2-worker backend."""
    from keiretsu import experiments
    from keiretsu.sim.backends import LocalBackend

    scenario = _load()
    backend = LocalBackend(2)
    experiments.simulate(scenario, replications=4, batch=1, backend=backend, keep="summary")
    plans = [scenario.plan.model_copy(update={"name": f"plan {i}"}) for i in range(max(counts))]
    out = {}
    for count in counts:
        times = []
        for _ in range(2):
            t = time.perf_counter()
            for plan in plans[:count]:
                experiments.simulate(scenario, plan, replications=reps, backend=backend,
                                     keep="summary")  # fmt: skip
            times.append(time.perf_counter() - t)
        out[str(count)] = min(times)
    return out


# --------------------------------------------------------------------------- parent side


def _child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"measurement {args} failed")
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def _tree(root: int) -> list[int]:
    """``root`` and its live descendants."""
    return [root, *descendants(root)]


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cli_run(reps: int, workers: int = 2) -> dict:
    """``keiretsu simulate`` in a child process, its process tree's RSS sampled."""
    with tempfile.TemporaryDirectory(dir=ROOT) as d:
        args = [*KEIRETSU, "simulate", str(SCENARIO), "-n", str(reps), "-j", str(workers),
                "--keep", "summary", "--out", f"{d}/run", "--json"]  # fmt: skip
        t = time.perf_counter()
        stdout = Path(d) / "stdout.json"
        with stdout.open("wb") as sink:
            proc = subprocess.Popen(args, stdout=sink, stderr=subprocess.DEVNULL)
        main_peak = total_peak = 0
        worker_peak: dict[int, int] = {}
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            pids = _tree(proc.pid)
            rss = {pid: _rss_kib(pid) for pid in pids}
            main_peak = max(main_peak, rss.get(proc.pid, 0))
            for pid, kib in rss.items():
                if pid != proc.pid:
                    worker_peak[pid] = max(worker_peak.get(pid, 0), kib)
            total_peak = max(total_peak, sum(rss.values()))
            time.sleep(0.1)
        seconds = time.perf_counter() - t
        out = json.loads(stdout.read_text())
        assert proc.returncode == 0 and out["ok"], out
        files = sum(p.stat().st_size for p in Path(f"{d}/run").iterdir())
    return {
        "reps": reps,
        "seconds": seconds,
        "main_peak_mib": main_peak / 1024,
        "worker_peak_mib": sorted((v / 1024 for v in worker_peak.values()), reverse=True)[:3],
        "total_peak_mib": total_peak / 1024,
        # wait4: the largest ru_maxrss of the CLI process and its waited-for children
        "max_rss_mib": usage.ru_maxrss / 1024,
        "run_dir_mib": files / 2**20,
    }


def efficiency_pairs(pairs: int) -> None:
    """``--efficiency N``: N interleaved (1 worker, 2 workers) pairs; the quietest pair (the
    least run-queue wait) is the best estimate of what an idle machine would give."""
    print(f"Parallel efficiency, {EFF_REPS} replications, {pairs} interleaved pairs")
    print(f"machine: {machine()}; code: {source_state()}")
    rows, found = [], []
    for i in range(pairs):
        load = os.getloadavg()[0]
        one = _child("eff", "local", "1", str(EFF_REPS))
        two = _child("eff", "local", "2", str(EFF_REPS))
        eff = one["seconds"] / (2 * two["seconds"])
        found.append((one["wait_s"] + two["wait_s"], eff, one, two))
        rows.append([str(i + 1), f"{load:.2f}", f"{one['seconds']:.2f}", f"{one['wait_s']:.2f}",
                     f"{two['seconds']:.2f}", f"{two['wait_s']:.2f}",
                     f"{two['cpu_s'] / one['cpu_s']:.2f}", f"{eff:.0%}"])  # fmt: skip
    print(table(rows, ["pair", "load", "1 worker s", "wait s", "2 workers s", "wait s",
                       "work inflation", "efficiency"]))  # fmt: skip
    wait, eff, _, _ = min(found, key=lambda f: f[0])
    print(f"quietest pair (run-queue wait {wait:.2f} s): efficiency {eff:.0%} "
          f"(target >= {TARGET_EFFICIENCY:.0%}: {verdict(eff >= TARGET_EFFICIENCY)})")  # fmt: skip


def main() -> None:
    started = time.perf_counter()
    print("Scale-out: consumer_electronics (34 parts, 21 suppliers, 44 offers, 208 weeks),")
    print(f"keep='summary'{'  [--quick]' if QUICK else ''}")
    print(f"machine: {machine()}; code: {source_state()}\n")

    print(f"1. Parallel efficiency, {EFF_REPS} replications (fastest of {RUNS} timed runs)")
    print(f"   load average at start {os.getloadavg()[0]:.2f}")
    one = _child("eff", "local", "1", str(EFF_REPS))
    two = _child("eff", "local", "2", str(EFF_REPS))
    dask = _child("eff", "dask", "2", str(EFF_REPS))
    rows = []
    for r in (one, two, dask):
        warm = one["seconds"] / (r["workers"] * r["seconds"])
        cold = (one["seconds"] + one["startup"]) / (r["workers"] * (r["seconds"] + r["startup"]))
        rows.append([
            f"{'joblib' if r['kind'] == 'local' and r['workers'] > 1 else r['kind']}"
            f" x {r['workers']}",
            f"{r['seconds']:.2f}",
            ", ".join(f"{x:.2f}" for x in r["runs"]),
            f"{r['startup']:.2f}",
            f"{r['reps'] / r['seconds']:.0f}",
            f"{r['cpu_s']:.2f}",
            f"{r['wait_s']:.2f}",
            f"{warm:.0%}",
            f"{cold:.0%}",
        ])  # fmt: skip
    print(table(rows, ["backend", "s", "runs", "start-up s", "reps/s", "CPU s",
                       "run-queue wait s", "efficiency", "incl. start-up"]))  # fmt: skip
    print(
        f"   work inflation (CPU s at 2 workers / at 1): joblib "
        f"{two['cpu_s'] / one['cpu_s']:.2f}, dask {dask['cpu_s'] / one['cpu_s']:.2f}; "
        "run-queue wait: time the run's processes were ready but other load held the cores"
    )
    assert one["margin_mean"] == two["margin_mean"] == dask["margin_mean"]  # same numbers
    eff2 = one["seconds"] / (2 * two["seconds"])
    print(f"   same mean margin on every backend: {one['margin_mean']:,.2f}")

    print(f"\n2. Dask overhead per chunk (one-worker local cluster); load {os.getloadavg()[0]:.2f}")
    over = _child("overhead")
    print(
        table(
            [
                ["trivial task round trip (ms per task)", f"{over['trivial_task_ms']:.2f}"],
                ["two_supplier, 64 one-replication chunks, here (s)", f"{over['here_s']:.2f}"],
                ["same on Dask (s)", f"{over['dask_s']:.2f}"],
                ["overhead per chunk (ms)", f"{over['per_chunk_ms']:.1f}"],
            ],
            ["measurement", "value"],
        )
    )

    ck_reps = 128 if QUICK else 256
    print(f"\n3. Checkpoint cost, {ck_reps} replications, one worker, tables to a TableWriter")
    ck = _child("checkpoint", str(ck_reps))
    rows = []
    for keep in ("summary", "per-period"):
        none, store = ck[f"{keep}/none"], ck[f"{keep}/store"]
        rows.append([keep, f"{none:.2f}", f"{store:.2f}", f"{(store - none) / none:+.0%}"])
    print(table(rows, ["keep", "no checkpoint s", "checkpoint s", "cost"]))

    print(f"\n4./5. The CLI, -j 2, --keep summary; load {os.getloadavg()[0]:.2f}")
    runs = [cli_run(n) for n in GROWTH_REPS]
    rows = [
        [
            f"{r['reps']:,}",
            f"{r['seconds']:.1f}",
            f"{1e3 * r['seconds'] / r['reps']:.1f}",
            f"{r['main_peak_mib']:.0f}",
            ", ".join(f"{m:.0f}" for m in r["worker_peak_mib"]) or "-",
            f"{r['total_peak_mib']:.0f}",
            f"{r['max_rss_mib']:.0f}",
            f"{r['run_dir_mib']:.1f}",
        ]
        for r in runs
    ]
    print(table(rows, ["replications", "wall s", "ms/rep", "main peak MiB",
                       "worker peaks MiB", "tree peak MiB", "max ru_maxrss MiB",
                       "run dir MiB"]))  # fmt: skip
    big = runs[-1]
    print(f"   plans one after the other, {PLAN_REPS} replications each, warm 2-worker pool"
          " (fastest of 2)")  # fmt: skip
    plans = _child("plans", ",".join(map(str, PLAN_COUNTS)), str(PLAN_REPS))
    base = plans["1"]
    print(table([[k, f"{v:.2f}", f"{v / base:.2f}"] for k, v in plans.items()],
                ["plans", "s", "x one plan"]))  # fmt: skip

    print("\nTargets")
    main_bytes = big["max_rss_mib"] * 2**20
    tree_bytes = big["total_peak_mib"] * 2**20
    print(
        table(
            [
                ["parallel efficiency, 2 local workers (warm)", f"{eff2:.0%}",
                 f">= {TARGET_EFFICIENCY:.0%}", verdict(eff2 >= TARGET_EFFICIENCY)],
                [f"peak RSS, largest process, {BIG_REPS:,} replications",
                 f"{main_bytes / 1e9:.2f} GB", "< 2 GB", verdict(main_bytes < TARGET_PEAK_BYTES)],
                [f"peak RSS, main + workers, {BIG_REPS:,} replications",
                 f"{tree_bytes / 1e9:.2f} GB", "< 2 GB", verdict(tree_bytes < TARGET_PEAK_BYTES)],
            ],
            ["measurement", "measured", "target", ""],
        )
    )  # fmt: skip
    print(f"\n(benchmark wall time {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        what, rest = sys.argv[2], sys.argv[3:]
        if what == "eff":
            res = child_efficiency(rest[0], int(rest[1]), int(rest[2]))
        elif what == "overhead":
            res = child_overhead()
        elif what == "checkpoint":
            res = child_checkpoint(int(rest[0]))
        else:
            res = child_plans([int(x) for x in rest[0].split(",")], int(rest[1]))
        print("RESULT " + json.dumps(res))
    elif "--efficiency" in sys.argv:
        efficiency_pairs(int(sys.argv[sys.argv.index("--efficiency") + 1]))
    else:
        main()
