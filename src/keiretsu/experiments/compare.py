"""The ``compare`` study: several plans of one scenario on common random numbers.

Every plan runs with the same seed and the same replications, so replication *r* of
every plan sees the same demand, lead-time quotes, lateness events and disruption
spells (streams are keyed by seed, replication and purpose, never by the plan; see
``docs/explanation/model.md``). Defect counts are the documented exception: they are
binomial in the units received, which the plan changes. A plan's difference from the
baseline in replication *r* is therefore the plan's effect in that world, and the
spread of those differences, not of the KPIs themselves, decides how sure we are.

Per plan and KPI (:data:`~keiretsu.experiments.runs.SUMMARY_KPIS`), ``summary`` holds
the mean, the 95 % confidence half-width and P10 / P50 / P90 over replications
(:func:`keiretsu.analysis.stats.summarize`). Per plan other than the baseline and per
KPI, ``deltas`` holds

* ``delta_mean``: the mean paired difference, plan minus baseline, d̄ = mean_r(a_r - b_r);
* ``delta_ci95_half_width``: its paired-t 95 % half-width, t(0.975, n-1) s_d / sqrt(n);
* ``probability_better``: the share of replications in which the plan beats the
  baseline on the KPI, ties counted as half (0.5 for a plan identical to the baseline);

where *better* is :data:`BETTER`: higher for fill rate, OTIF, revenue and margin; lower
for every cost, lost sales and backorders, and also for on-hand units, on-hand value
and days of cover (capital tied up; the protection stock buys shows in fill rate and
shortage cost instead). Differences of shares (fill rate, OTIF) are in percentage
points (0.01 = one point).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from keiretsu.analysis.stats import paired_difference, probability_better
from keiretsu.errors import InputError, Problem
from keiretsu.experiments.runs import SUMMARY_KPIS, SimulationResult, simulate
from keiretsu.fileio import Checkpoint
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.sim.backends import Backend

HIGHER_IS_BETTER = frozenset({"fill_rate", "otif", "revenue", "margin"})
"""KPIs where more is better; every other summary KPI is better when lower."""

BETTER: dict[str, str] = {
    kpi: "higher" if kpi in HIGHER_IS_BETTER else "lower" for kpi in SUMMARY_KPIS
}
"""Direction of improvement per summary KPI (``higher`` or ``lower``)."""

DELTA_COLUMNS = [
    "plan",
    "kpi",
    "better",
    "n",
    "baseline_mean",
    "plan_mean",
    "delta_mean",
    "delta_ci95_half_width",
    "probability_better",
]
"""Columns of the ``deltas`` table, one row per plan (other than the baseline) and KPI."""

Where = tuple[str, int, int]
"""Where a plan's name is written: (file, line, column); line 0 when unknown."""


@dataclass
class CompareResult:
    """Plans of one scenario on common random numbers; see the module docstring."""

    plans: list[str]  # plan names, in order (the scenario's own plan first)
    baseline: str
    results: dict[str, SimulationResult]  # per plan (per-replication tables, network periods)
    summary: pd.DataFrame  # plan x KPI: n, mean, sd, ci95 half-width, percentiles
    deltas: pd.DataFrame  # (plan != baseline) x KPI: DELTA_COLUMNS
    seed: int
    replications: int
    definitions: dict[str, Any] = field(default_factory=dict)

    def stacked(self, table: str) -> pd.DataFrame:
        """A per-plan table of the results (``replications``, ``periods``, ``parts``...)
        for every plan, stacked, with a leading ``plan`` column."""
        frames = []
        for name in self.plans:
            frame = getattr(self.results[name], table)
            if frame is None:
                raise ValueError(f"table {table!r} was not kept (see keep_part_periods)")
            frames.append(frame.assign(plan=name)[["plan", *frame.columns]])
        return pd.concat(frames, ignore_index=True)


def check_plans(
    names: Sequence[str], baseline: str | None = None, where: Sequence[Where] | None = None
) -> str:
    """The baseline's name (default: the first plan); :class:`InputError` when two plans
    share a name (one problem per repeated name, located at its second use when
    ``where`` says where each name is written) or ``baseline`` names no plan."""
    if not names:
        raise ValueError("compare needs at least one plan")
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for i, name in enumerate(names):
        if name in seen:
            file, line, column = where[i] if where else ("--plan", 0, 0)
            first = f"the plan in {where[seen[name]][0]}" if where else f"plan {seen[name] + 1}"
            problems.append(
                Problem(
                    file,
                    line,
                    column,
                    "name",
                    f"plan name {name!r} is already used by {first}; plans compared must "
                    "have different names",
                )
            )
        else:
            seen[name] = i
    if problems:
        raise InputError(problems)
    if baseline is None:
        return names[0]
    if baseline not in seen:
        listed = ", ".join(repr(n) for n in names)
        raise InputError(
            Problem("--baseline", 0, 0, "", f"no plan is named {baseline!r} (plans: {listed})")
        )
    return baseline


def compare(
    scenario: Scenario,
    plans: Sequence[Plan],
    *,
    baseline: str | None = None,
    seed: int | None = None,
    replications: int | None = None,
    workers: int = 1,
    backend: Backend | None = None,
    checkpoint: Checkpoint | None = None,
    on_progress: Callable[[int], None] | None = None,
    keep_part_periods: bool = False,
    batch: int | None = None,
) -> CompareResult:
    """Run the scenario's own plan and then each of ``plans`` on the same seed and
    replications and measure every plan against ``baseline`` (a plan name; default:
    the scenario's own plan). ``on_progress(done)`` counts replications over all plans.

    Per-period network tables are kept (the service-band figure needs them); per-part
    per-period tables only with ``keep_part_periods``. ``backend`` computes the chunks
    (default: ``workers`` local processes); with ``checkpoint``, plan *i*'s chunks are
    kept in its store ``plan-i`` so an interrupted comparison resumes chunk by chunk
    (see :func:`keiretsu.experiments.runs.simulate`).
    """
    everything = [scenario.plan, *plans]
    names = [p.name for p in everything]
    chosen = check_plans(names, baseline)
    seed = scenario.run.seed if seed is None else seed
    n = scenario.run.replications if replications is None else replications
    results: dict[str, SimulationResult] = {}
    for i, plan in enumerate(everything):
        results[plan.name] = simulate(
            scenario,
            plan,
            seed=seed,
            replications=n,
            workers=workers,
            backend=backend,
            checkpoint=None if checkpoint is None else checkpoint.store(f"plan-{i:02d}"),
            detail="part" if keep_part_periods else "network",
            keep_part_periods=keep_part_periods,
            batch=batch,
            on_progress=None if on_progress is None else _offset(on_progress, i * n),
        )
    percentiles = scenario.run.percentiles
    summary = pd.concat(
        [results[name].summary.assign(plan=name) for name in names], ignore_index=True
    )
    summary = summary[["plan", *(c for c in summary.columns if c != "plan")]]
    deltas = _deltas(results, names, chosen)
    first = results[names[0]].definitions
    definitions = {
        **first,
        "common_random_numbers": (
            "every plan runs with the same seed and replications: replication r of each plan "
            "sees the same demand, lead-time quotes, lateness events and disruption spells "
            "(defect counts, binomial in the units received, are the one exception)"
        ),
        "baseline": chosen,
        "paired_difference": (
            "delta = plan - baseline in the same replication; delta_mean is their mean and "
            "delta_ci95_half_width its paired-t 95 % half-width, t(0.975, n-1) s_d / sqrt(n); "
            "differences of shares (fill rate, OTIF) are in percentage points"
        ),
        "probability_better": (
            "share of replications in which the plan is better than the baseline on the KPI, "
            "ties counted as half (0.5 = no difference)"
        ),
        "better": (
            "higher is better for fill rate, OTIF, revenue and margin; lower for costs, lost "
            "sales and backorders, and (by convention: capital tied up) for on-hand units, "
            "on-hand value and days of cover"
        ),
        "summary": (
            f"per plan and KPI over {n} replications: mean, 95 % confidence half-width "
            f"t(0.975, n-1) s / sqrt(n), P{', P'.join(f'{p:g}' for p in percentiles)}"
        ),
    }
    return CompareResult(names, chosen, results, summary, deltas, seed, n, definitions)


def _deltas(results: dict[str, SimulationResult], names: list[str], baseline: str) -> pd.DataFrame:
    """Per plan (not the baseline) and KPI: paired difference, its CI, P(better)."""
    base = results[baseline].replications.set_index("replication").sort_index()
    rows = []
    for name in names:
        if name == baseline:
            continue
        other = results[name].replications.set_index("replication").sort_index()
        if not other.index.equals(base.index):
            raise ValueError(f"plan {name!r} did not run the baseline's replications")
        for kpi in SUMMARY_KPIS:
            a, b = other[kpi].to_numpy(dtype=float), base[kpi].to_numpy(dtype=float)
            mean, half = paired_difference(a, b)
            valid = ~(pd.isna(a) | pd.isna(b))
            rows.append(
                {
                    "plan": name,
                    "kpi": kpi,
                    "better": BETTER[kpi],
                    "n": int(valid.sum()),
                    "baseline_mean": float(b[valid].mean()) if valid.any() else float("nan"),
                    "plan_mean": float(a[valid].mean()) if valid.any() else float("nan"),
                    "delta_mean": mean,
                    "delta_ci95_half_width": half,
                    "probability_better": probability_better(a, b, BETTER[kpi] == "higher"),
                }
            )
    return pd.DataFrame(rows, columns=DELTA_COLUMNS)


def _offset(on_progress: Callable[[int], None], offset: int) -> Callable[[int], None]:
    return lambda done: on_progress(offset + done)
