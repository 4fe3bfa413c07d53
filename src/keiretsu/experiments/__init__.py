"""The named studies (simulate, compare, drill, payback, optimize, frontier).

The CLI and the notebooks both call these; each returns plain results (frames and
dataclasses). Long runs stream their detailed tables to a ``sink`` (anything with a
``write(name, frame)`` method, e.g. :class:`keiretsu.fileio.TableWriter`) so memory stays
bounded; the per-replication tables and the summary stay in memory. Long runs also take
a ``backend`` (where chunks of replications are computed: :mod:`keiretsu.sim.backends`)
and a checkpoint (:class:`keiretsu.fileio.Checkpoint`) from which an interrupted run
resumes; ``run_settings`` / ``read_run_settings`` are the ``run.json`` a resumable run
directory holds.
"""

from keiretsu.experiments.compare import BETTER, CompareResult, check_plans, compare
from keiretsu.experiments.drills import (
    DRILL_MEASURES,
    SWEEPS,
    DrillResult,
    SweepResult,
    drill,
    knockouts,
    sweep,
)
from keiretsu.experiments.runs import (
    KEEP_LEVELS,
    KEEP_OF_DETAIL,
    RUN_SETTINGS,
    SUMMARY_KPIS,
    SimulationResult,
    Sink,
    manifest,
    read_run_settings,
    replications_done,
    run_settings,
    scenario_and_plan,
    simulate,
)

__all__ = [
    "BETTER",
    "DRILL_MEASURES",
    "KEEP_LEVELS",
    "KEEP_OF_DETAIL",
    "RUN_SETTINGS",
    "SUMMARY_KPIS",
    "SWEEPS",
    "CompareResult",
    "DrillResult",
    "SimulationResult",
    "Sink",
    "SweepResult",
    "check_plans",
    "compare",
    "drill",
    "knockouts",
    "manifest",
    "read_run_settings",
    "replications_done",
    "run_settings",
    "scenario_and_plan",
    "simulate",
    "sweep",
]
