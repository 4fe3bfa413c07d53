"""Drills and sweeps: a scheduled disruption (or every single-node knock-out) against the
same replications without it (common random numbers).

Both take a ``backend`` (see :mod:`keiretsu.sim.backends`) and a ``checkpoint``
(:class:`keiretsu.fileio.Checkpoint`): a drill resumes chunk by chunk in its twin and
its drilled run; a sweep resumes node by node (a finished node's per-replication
measures are saved and its simulation's chunks dropped; the node in progress resumes
chunk by chunk, the twin too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from keiretsu.analysis.stats import summarize
from keiretsu.experiments.runs import SimulationResult, simulate
from keiretsu.fileio import Checkpoint
from keiretsu.scenario.disruptions import Drill, drill_target
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.sim.backends import Backend

DRILL_MEASURES = [
    "unfilled_units",
    "lost_sales_units",
    "fill_rate_loss",
    "revenue_at_risk",
    "margin_at_risk",
    "expediting_spend",
    "contingency_spend",
    "recovered",
    "time_to_recover_days",
    "time_below_failure_days",
]
"""Drill measures per replication, each against the same replication without the drill."""

RECOVERY_TOLERANCE = 0.01
"""Service counts as recovered once the rolling fill rate is within this of the twin's."""


@dataclass
class DrillResult:
    """A drill against its no-drill twin (same seed: common random numbers)."""

    drill: Drill
    baseline: SimulationResult
    event: SimulationResult
    impact: pd.DataFrame  # one row per replication, DRILL_MEASURES and recovered flag
    summary: pd.DataFrame
    recovery: pd.DataFrame  # replication x part x period: rolling fill rate with and without

    def most_hit_part(self) -> str:
        """The part whose rolling fill rate falls furthest below its twin's, on average."""
        return _most_hit(self.recovery)

    definitions: dict[str, Any] = field(default_factory=dict)


def _most_hit(recovery: pd.DataFrame) -> str:
    """The part whose rolling fill rate falls furthest below its twin's, on average."""
    gap = recovery["without_drill"] - recovery["with_drill"]
    return str(gap.groupby(recovery["part"]).mean().idxmax())


def _drill_runs(
    seed: int, n: int, workers: int, backend: Backend | None, batch: int | None
) -> dict[str, Any]:
    """Simulation settings shared by a drill (or sweep) and its twin."""
    return {
        "seed": seed,
        "replications": n,
        "workers": workers,
        "backend": backend,
        "batch": batch,
        "keep": "per-period",
        "keep_part_periods": True,
    }


def _store(checkpoint: Checkpoint | None, name: str):
    return None if checkpoint is None else checkpoint.store(name)


def _measure(
    scenario: Scenario,
    chosen: Drill,
    twin: SimulationResult,
    hit: SimulationResult,
    failure_threshold: float,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-replication drill measures (see :func:`drill`) and the per-part recovery table."""
    from keiretsu.analysis.service import rolling_fill_rate

    dpp = scenario.horizon.days_per_period
    start_period = int((chosen.start_date - scenario.meta.start_date).days // dpp)
    a = rolling_fill_rate(twin.part_periods, dpp).rename(
        columns={"rolling_fill_rate": "without_drill"}
    )
    b = rolling_fill_rate(hit.part_periods, dpp).rename(columns={"rolling_fill_rate": "with_drill"})
    by_part = a.merge(b, on=["replication", "part", "period"])
    after = by_part[by_part["period"] >= start_period]
    bad = after["with_drill"] < after["without_drill"] - RECOVERY_TOLERANCE
    last_bad = after[bad].groupby("replication")["period"].max()  # the slowest part decides
    last_period = scenario.horizon.n_periods - 1
    newly_failed = (after["with_drill"] < failure_threshold) & ~(
        after["without_drill"] < failure_threshold
    )
    failing = (
        newly_failed.groupby([after["replication"], after["period"]])
        .any()
        .groupby("replication")
        .sum()
    )
    t, e = twin.replications.set_index("replication"), hit.replications.set_index("replication")
    impact = pd.DataFrame(index=t.index)
    impact["unfilled_units"] = (e["demand_units"] - e["fill_rate"] * e["demand_units"]) - (
        t["demand_units"] - t["fill_rate"] * t["demand_units"]
    )
    impact["lost_sales_units"] = e["lost_sales_units"] - t["lost_sales_units"]
    impact["fill_rate_loss"] = t["fill_rate"] - e["fill_rate"]
    impact["revenue_at_risk"] = t["revenue"] - e["revenue"]
    impact["margin_at_risk"] = t["margin"] - e["margin"]
    impact["expediting_spend"] = e["expediting_cost"] - t["expediting_cost"]
    impact["contingency_spend"] = e["contingency_cost"] - t["contingency_cost"]
    last = last_bad.reindex(impact.index)  # NaN: never measurably below its twin
    impact["recovered"] = (last.isna() | (last < last_period)).astype(float)
    ttr = np.where(last.isna(), 0.0, (last + 1 - start_period) * dpp)
    impact["time_to_recover_days"] = np.where(impact["recovered"] > 0, ttr, np.nan)
    impact["time_below_failure_days"] = failing.reindex(impact.index).fillna(0) * dpp
    return impact.reset_index(), by_part


def _drill_definitions(twin: SimulationResult, failure_threshold: float) -> dict[str, Any]:
    from keiretsu.analysis.service import ROLLING_DAYS

    return {
        **twin.definitions,
        "time_to_recover": (
            f"days from the drill's start until every part's {ROLLING_DAYS}-day rolling fill rate "
            f"stays within {RECOVERY_TOLERANCE:.0%} of the same replication without the drill; "
            "NaN (recovered = false) when still below at the horizon"
        ),
        "time_below_failure": (
            f"days in which some part's {ROLLING_DAYS}-day rolling fill rate is below "
            f"{failure_threshold:.0%} with the drill but not without it"
        ),
        "twin": "the same scenario, plan and seed without the drill (common random numbers)",
    }


def drill(
    scenario: Scenario,
    event: str,
    plan: Plan | None = None,
    *,
    seed: int | None = None,
    replications: int | None = None,
    workers: int = 1,
    backend: Backend | None = None,
    batch: int | None = None,
    checkpoint: Checkpoint | None = None,
    failure_threshold: float = 0.8,
    on_progress: Callable[[int], None] | None = None,
) -> DrillResult:
    """Run the named drill and its twin; measure what the drill costs in each replication.

    * unfilled units: demand not met from stock when it occurred (backordered or lost), extra;
    * fill-rate loss, revenue and margin at risk: twin minus drill; extra expediting and
      contingency spend (backup premiums and activations): drill minus twin;
    * recovered: 1 when service is back by the horizon, else 0 (its mean is the share);
    * time to recover (recovered replications only): days from the drill's start to the
      end of the last period in which some part's rolling (28-day) fill rate is more than
      RECOVERY_TOLERANCE below its twin's (every part must be back);
    * time below failure: days after the start in which some part's rolling fill rate is
      below ``failure_threshold`` while its twin's is not.
    """
    chosen = next((d for d in scenario.drills if d.id == event), None)
    if chosen is None:
        from keiretsu.errors import InputError, Problem

        names = ", ".join(d.id for d in scenario.drills) or "none defined"
        raise InputError(Problem("--event", 0, 0, "", f"unknown drill {event!r} (drills: {names})"))
    plan = scenario.plan if plan is None else plan
    n = scenario.run.replications if replications is None else replications
    seed = scenario.run.seed if seed is None else seed
    kw = _drill_runs(seed, n, workers, backend, batch)
    twin = simulate(
        scenario,
        plan,
        on_progress=_offset(on_progress, 0),
        checkpoint=_store(checkpoint, "twin"),
        **kw,
    )
    hit = simulate(
        scenario,
        plan,
        on_progress=_offset(on_progress, n),
        drills=[chosen],
        checkpoint=_store(checkpoint, "drill"),
        **kw,
    )
    impact, recovery = _measure(scenario, chosen, twin, hit, failure_threshold)
    summary = summarize(impact, DRILL_MEASURES, scenario.run.percentiles)
    definitions = {
        **_drill_definitions(twin, failure_threshold),
        "drill": chosen.model_dump(mode="json"),
    }
    return DrillResult(chosen, twin, hit, impact, summary, recovery, definitions)


def _offset(on_progress: Callable[[int], None] | None, offset: int) -> Callable[[int], None] | None:
    return None if on_progress is None else (lambda done: on_progress(offset + done))


SWEEPS = ("suppliers", "regions", "tier2")
"""What ``sweep`` can knock out in turn: tier-1 suppliers, regions, tier-2 sub-suppliers."""


def knockouts(scenario: Scenario, over: str, weeks: float, start_date: Any) -> list:
    """One full-stop drill per node of ``over`` (see :data:`SWEEPS`), ``weeks`` long."""
    from keiretsu.scenario.disruptions import (
        RegionalEventDrill,
        SupplierOutageDrill,
        Tier2OutageDrill,
    )

    common = {"start_date": start_date, "duration_days": 7 * weeks}
    if over == "suppliers":
        return [
            SupplierOutageDrill(id=f"{s.id}-{weeks:g}w", supplier=s.id, **common)
            for s in scenario.suppliers
        ]
    if over == "regions":
        return [
            RegionalEventDrill(id=f"{r.id}-{weeks:g}w", region=r.id, **common)
            for r in scenario.regions
        ]
    linked = {link.sub_supplier for link in scenario.tier2.links}
    return [
        Tier2OutageDrill(id=f"{s.id}-{weeks:g}w", sub_supplier=s.id, **common)
        for s in scenario.tier2.sub_suppliers
        if s.id in linked
    ]


EXPOSURE_COLUMNS = [
    "likelihood_per_year",
    "tts_days",
    "tts_unbounded",
    "ttr_days",
    "exposure_gap_days",
    "lost_margin_at_ttr",
    "rei",
    "rei_simulated",
]
"""Columns the sweep ranking adds from the analytic LPs and the disruption model."""


def _with_exposure(
    ranking: pd.DataFrame,
    scenario: Scenario,
    plan: Plan,
    over: str,
    knockout: Drill,
    twin: SimulationResult,
    weeks: float,
) -> pd.DataFrame:
    """The ranking with likelihood, TTS, TTR, exposure gap, analytic impact and REI per node,
    and the simulated REI (mean margin at risk / the largest)."""
    from keiretsu.experiments.exposure import analytic_exposure, likelihood_per_year

    dpp = scenario.horizon.days_per_period
    start = int((knockout.start_date - scenario.meta.start_date).days // dpp)
    pp = twin.part_periods
    before = pp[pp["period"] == max(start - 1, 0)]
    on_hand = before.groupby("part")["on_hand_units"].mean().to_dict()
    names = list(ranking["node"])
    analytic = analytic_exposure(scenario, plan, over, start, 7 * weeks, on_hand, names)
    likely = likelihood_per_year(scenario, over)
    out = ranking.copy()
    out["likelihood_per_year"] = [likely.get(n, 0.0) for n in names]
    for column in EXPOSURE_COLUMNS[1:-1]:
        out[column] = [analytic[n][column] for n in names]
    out["tts_days"] = out["tts_days"].astype(float)  # unbounded: NaN with tts_unbounded
    worst = out["margin_at_risk_mean"].max()
    out["rei_simulated"] = out["margin_at_risk_mean"] / worst if worst > 0 else np.nan
    return out


@dataclass
class SweepResult:
    """Every single node knocked out in turn, each against the same twin."""

    over: str
    weeks: float
    start_date: Any
    ranking: pd.DataFrame  # one row per node, ranked by mean margin at risk
    impact: pd.DataFrame  # node x replication measures
    definitions: dict[str, Any] = field(default_factory=dict)
    recovery: pd.DataFrame | None = None  # node, part (its most-hit), replication, period, ...


def sweep(
    scenario: Scenario,
    over: str,
    weeks: float,
    plan: Plan | None = None,
    *,
    start_date: Any = None,
    seed: int | None = None,
    replications: int | None = None,
    workers: int = 1,
    backend: Backend | None = None,
    batch: int | None = None,
    checkpoint: Checkpoint | None = None,
    failure_threshold: float = 0.8,
    on_progress: Callable[[int], None] | None = None,
) -> SweepResult:
    """Knock out every supplier (or region) for ``weeks`` from ``start_date`` (default: the
    middle of the horizon), one at a time, each against the same no-drill twin.

    The ranking has, per node, the mean and P10 / P50 / P90 of each drill measure, ranked
    by mean margin at risk (ties: unfilled units).
    """
    import datetime as dt

    if over not in SWEEPS:
        raise ValueError(f"over must be one of {', '.join(SWEEPS)}")
    plan = scenario.plan if plan is None else plan
    n = scenario.run.replications if replications is None else replications
    seed = scenario.run.seed if seed is None else seed
    horizon_days = scenario.horizon.n_periods * scenario.horizon.days_per_period
    if start_date is None:
        start_date = scenario.meta.start_date + dt.timedelta(days=int(horizon_days // 2))
    drills = knockouts(scenario, over, weeks, start_date)
    kw = _drill_runs(seed, n, workers, backend, batch)
    twin = simulate(
        scenario,
        plan,
        on_progress=_offset(on_progress, 0),
        checkpoint=_store(checkpoint, "twin"),
        **kw,
    )
    impacts, rows, curves = [], [], []
    percentiles = scenario.run.percentiles
    finished = _store(checkpoint, "nodes")  # node-level: each finished node's impact
    for i, d in enumerate(drills, start=1):
        if finished is not None and i in finished:
            if finished.key(i) != drill_target(d):
                raise ValueError(f"checkpoint node {i} is {finished.key(i)!r}, not {d.id!r}")
            saved = finished.load(i)
            impact, curve = saved["impact"], saved["curve"]
            if on_progress is not None:
                on_progress((i + 1) * n)
        else:
            node_chunks = _store(checkpoint, f"node-{i:04d}")
            hit = simulate(
                scenario,
                plan,
                on_progress=_offset(on_progress, i * n),
                drills=[d],
                checkpoint=node_chunks,
                **kw,
            )
            impact, by_part = _measure(scenario, d, twin, hit, failure_threshold)
            impact.insert(0, "node", drill_target(d))
            curve = by_part[by_part["part"] == _most_hit(by_part)].copy()
            curve.insert(0, "node", drill_target(d))
            if finished is not None and node_chunks is not None:
                finished.save(i, drill_target(d), {"impact": impact, "curve": curve})
                node_chunks.clear()  # the node's measures are saved: its chunks go
        curves.append(curve)
        impacts.append(impact)
        summary = summarize(impact, DRILL_MEASURES, percentiles).set_index("kpi")
        row: dict[str, Any] = {"node": drill_target(d)}
        for measure in DRILL_MEASURES:
            row[f"{measure}_mean"] = summary.loc[measure, "mean"]
            for p in percentiles:
                row[f"{measure}_p{p:g}"] = summary.loc[measure, f"p{p:g}"]
        rows.append(row)
    ranking = pd.DataFrame(rows)
    ranking = _with_exposure(ranking, scenario, plan, over, drills[0], twin, weeks)
    ranking = ranking.sort_values(["margin_at_risk_mean", "unfilled_units_mean"], ascending=False)
    ranking.insert(0, "rank", np.arange(1, len(ranking) + 1))
    what = {"suppliers": "supplier", "regions": "region", "tier2": "tier-2 sub-supplier"}[over]
    definitions = {
        **_drill_definitions(twin, failure_threshold),
        "sweep": f"every {what} down {weeks:g} weeks from {start_date}, one at a time",
        "exposure": (
            "tts_days: time to survive (days) with the node down, from the LP of Simchi-Levi "
            "et al. (2015) on the network at the knock-out's start (buyer stock = the twin's "
            "mean on hand; free re-routing to qualified sources within capacity); NaN with "
            "tts_unbounded = true when demand is met for ever; ttr_days: the node's reported "
            "time to recover, else the knock-out's length; exposure_gap_days = max(TTR - TTS, "
            "0); lost_margin_at_ttr: least lost margin over the TTR (LP); rei = that impact / "
            "the largest; rei_simulated = mean simulated margin at risk / the largest; "
            "likelihood_per_year: expected events a year hitting the node under the "
            "scenario's disruptions"
        ),
    }
    return SweepResult(
        over=over,
        weeks=weeks,
        start_date=start_date,
        ranking=ranking.reset_index(drop=True),
        impact=pd.concat(impacts, ignore_index=True),
        definitions=definitions,
        recovery=pd.concat(curves, ignore_index=True),
    )
