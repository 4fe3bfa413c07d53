"""The named studies (simulate, compare, drill, payback, optimize, frontier).

The CLI and the notebooks both call these; each returns plain results (frames and
dataclasses). Long runs stream their detailed tables to a ``sink`` (anything with a
``write(name, frame)`` method, e.g. :class:`keiretsu.fileio.TableWriter`) so memory stays
bounded; the per-replication tables and the summary stay in memory.
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
from keiretsu.experiments.runs import SUMMARY_KPIS, SimulationResult, Sink, manifest, simulate

__all__ = [
    "BETTER",
    "DRILL_MEASURES",
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
    "simulate",
    "sweep",
]
