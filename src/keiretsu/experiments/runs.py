"""The ``simulate`` study and the run manifest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from keiretsu.analysis.stats import PERCENTILE_CONVENTION, summarize
from keiretsu.scenario.disruptions import Drill
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.sim import COST_COLUMNS, OTIF_DEFINITION, run

SUMMARY_KPIS = [
    "fill_rate",
    "otif",
    "lost_sales_units",
    "mean_backorder_units",
    "mean_on_hand_units",
    "mean_on_hand_value",
    "mean_days_of_cover",
    *COST_COLUMNS,
    "total_cost",
    "revenue",
    "margin",
]
"""KPIs summarised over replications, in the order reports show them."""


class Sink(Protocol):
    def write(self, name: str, frame: pd.DataFrame) -> None: ...


@dataclass
class SimulationResult:
    """What ``simulate`` returns: per-replication tables, the summary and the definitions."""

    replications: pd.DataFrame
    parts: pd.DataFrame
    suppliers: pd.DataFrame
    periods: pd.DataFrame
    summary: pd.DataFrame
    events: pd.DataFrame  # disruption spells per replication
    part_periods: pd.DataFrame | None = None  # kept only when asked (keep_part_periods)
    supplier_periods: pd.DataFrame | None = None  # kept only when asked (keep_part_periods)
    programs: pd.DataFrame | None = None  # replication x period x funded program: cash flows
    program_outcomes: pd.DataFrame | None = None  # replication x program: completed, when
    contract_reviews: pd.DataFrame | None = None  # replication x review x supplier: scorecards,
    # settlements, escalations
    improvements: pd.DataFrame | None = None  # supplier-driven improvements log
    definitions: dict[str, Any] = field(default_factory=dict)


def simulate(
    scenario: Scenario,
    plan: Plan | None = None,
    *,
    seed: int | None = None,
    replications: int | None = None,
    workers: int = 1,
    detail: str = "part",
    sink: Sink | None = None,
    on_progress: Callable[[int], None] | None = None,
    batch: int | None = None,
    drills: Sequence[Drill] = (),
    keep_part_periods: bool = False,
) -> SimulationResult:
    """Monte Carlo of ``scenario`` under ``plan`` (default: its own), summarised.

    ``detail="part"`` also streams per-period tables by part and by supplier to ``sink``.
    """
    reps, parts, suppliers, periods, events, part_periods = [], [], [], [], [], []
    supplier_periods, programs, outcomes, reviews, improvements = [], [], [], [], []
    for b in run(
        scenario,
        plan,
        seed=seed,
        replications=replications,
        workers=workers,
        detail=detail,
        batch=batch,
        on_batch=on_progress,
        drills=drills,
    ):
        reps.append(b.replications)
        parts.append(b.parts)
        suppliers.append(b.suppliers)
        periods.append(b.periods)
        events.append(b.events)
        if keep_part_periods and b.part_periods is not None:
            part_periods.append(b.part_periods)
        if keep_part_periods and b.supplier_periods is not None:
            supplier_periods.append(b.supplier_periods)
        if b.programs is not None:
            programs.append(b.programs)
            outcomes.append(b.program_outcomes)
        if b.contract_reviews is not None:
            reviews.append(b.contract_reviews)
        if b.improvements is not None:
            improvements.append(b.improvements)
        if sink is not None:
            sink.write("periods", b.periods)
            if b.part_periods is not None:
                sink.write("part_periods", b.part_periods)
            if b.supplier_periods is not None:
                sink.write("supplier_periods", b.supplier_periods)
    rep = pd.concat(reps, ignore_index=True)
    summary = summarize(rep, SUMMARY_KPIS, scenario.run.percentiles)
    definitions = {
        "otif": OTIF_DEFINITION,
        "percentiles": PERCENTILE_CONVENTION,
        "fill_rate": "unit fill rate: share of each period's demand met from stock in that period",
        "warmup_periods": scenario.run.warmup_periods,
        "currency": scenario.meta.currency,
        "period": scenario.horizon.period,
    }
    return SimulationResult(
        replications=rep,
        parts=pd.concat(parts, ignore_index=True),
        suppliers=pd.concat(suppliers, ignore_index=True),
        periods=pd.concat(periods, ignore_index=True),
        events=pd.concat(events, ignore_index=True),
        part_periods=pd.concat(part_periods, ignore_index=True) if part_periods else None,
        supplier_periods=(
            pd.concat(supplier_periods, ignore_index=True) if supplier_periods else None
        ),
        programs=pd.concat(programs, ignore_index=True) if programs else None,
        program_outcomes=pd.concat(outcomes, ignore_index=True) if outcomes else None,
        contract_reviews=pd.concat(reviews, ignore_index=True) if reviews else None,
        improvements=pd.concat(improvements, ignore_index=True) if improvements else None,
        summary=summary,
        definitions=definitions,
    )


def manifest(
    *,
    command: str,
    scenario: Scenario,
    scenario_path: str | None,
    plan: Plan,
    seed: int,
    replications: int,
    workers: int,
    started: str,
    finished: str,
    definitions: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything needed to reproduce or audit a run (written as ``manifest.json``)."""
    import hashlib
    import platform
    import subprocess
    import sys
    from importlib import metadata
    from pathlib import Path

    from keiretsu import __version__

    sha = None
    if scenario_path is not None and Path(scenario_path).is_file():
        sha = hashlib.sha256(Path(scenario_path).read_bytes()).hexdigest()
    try:
        git = (
            subprocess.run(
                ["git", "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
                cwd=Path(__file__).resolve().parent,
                check=False,
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.SubprocessError):
        git = None
    packages = {}
    for name in (
        "numpy",
        "pandas",
        "scipy",
        "simpy",
        "pulp",
        "highspy",
        "pydantic",
        "pyarrow",
        "joblib",
    ):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "keiretsu_version": __version__,
        "command": command,
        "argv": sys.argv,
        "scenario_path": scenario_path,
        "scenario_sha256": sha,
        "scenario": scenario.model_dump(mode="json"),
        "plan": plan.model_dump(mode="json"),
        "seed": seed,
        "replications": replications,
        "workers": workers,
        "git_sha": git,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": packages,
        "started": started,
        "finished": finished,
        "definitions": definitions,
        **(extra or {}),
    }
