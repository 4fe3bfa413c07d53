"""The optimizer's plans in the simulator: the closed loop and the cost-risk frontier.

Closed loop (:func:`closed_loop`, :func:`simulated_objective`): the plans are simulated
at replications 0..n-1 of the run's seed; the model saw the disruption model at indices
from :data:`keiretsu.experiments.optimize_input.SCENARIO_OFFSET` on and the option evaluations
ran at a derived seed (:func:`keiretsu.experiments.incentives.evaluation_seed`), so the
check is out of sample. The frontier (:func:`frontier`) solves the risk model for a range
of CVaR weights on the same scenarios and simulates every point's plan the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from keiretsu.analysis.stats import summarize
from keiretsu.experiments.optimize import evaluate_options, optimize, solver_options
from keiretsu.experiments.optimize_input import CapacityScenarios, capacity_scenarios
from keiretsu.experiments.runs import SimulationResult, simulate
from keiretsu.fileio import Checkpoint
from keiretsu.optimize.benders import CutPool
from keiretsu.optimize.solve import SolverOptions
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.scenario.resolve import shares as plan_shares
from keiretsu.sim.backends import Backend

CLOSED_LOOP_KPIS = ("fill_rate", "total_cost", "margin", "shortage_cost", "lost_sales_units")
"""Simulated KPIs the closed-loop table reports per plan."""


# --------------------------------------------------------------------------- closed loop


@dataclass(frozen=True, eq=False)
class ClosedLoop:
    """Plans simulated on the same seed (common random numbers).

    ``table``: per plan and KPI of :data:`CLOSED_LOOP_KPIS`: n, mean, sd, 95 % CI
    half-width and the scenario's percentiles (long format, as a simulation summary);
    ``differences``: per plan after the first and KPI, the paired difference (plan -
    first) over replications: mean, sd, CI half-width; ``results``: the simulations.
    """

    table: pd.DataFrame
    differences: pd.DataFrame
    results: dict[str, SimulationResult]
    seed: int
    replications: int

    def wide(self) -> pd.DataFrame:
        """One row per plan: ``KPI_mean``, ``KPI_ci95`` and ``margin_p10``, ``fill_rate_p10``."""
        rows = []
        for plan, group in self.table.groupby("plan", sort=False):
            g = group.set_index("kpi")
            row: dict[str, object] = {"plan": plan}
            for kpi in g.index:
                row[f"{kpi}_mean"] = float(g.loc[kpi, "mean"])
                row[f"{kpi}_ci95"] = float(g.loc[kpi, "ci95_half_width"])
            for kpi in ("margin", "fill_rate"):
                row[f"{kpi}_p10"] = float(np.percentile(self.results[plan].replications[kpi], 10))
            rows.append(row)
        return pd.DataFrame(rows)


def closed_loop(
    scenario: Scenario,
    plans: Sequence[Plan],
    *,
    replications: int,
    seed: int | None = None,
    workers: int = 1,
    backend: Backend | None = None,
    checkpoint: Checkpoint | None = None,
    batch: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> ClosedLoop:
    """Simulate each plan with the same seed and replications (CRN) and tabulate them.

    Calls ``experiments.simulate`` once per plan with one seed (what a ``compare`` study
    does); plan names must differ. ``backend`` and ``batch`` as in ``simulate``; with
    ``checkpoint``, plan *j*'s chunks are kept in its store ``plan-j`` (a resumed run
    reads them back). ``on_progress(n)``: replications done over all plans.
    """
    names = [p.name for p in plans]
    if len(set(names)) != len(names):
        raise ValueError(f"plan names must differ, got {names}")
    seed = scenario.run.seed if seed is None else seed
    results: dict[str, SimulationResult] = {}
    for j, plan in enumerate(plans):
        results[plan.name] = simulate(
            scenario,
            plan,
            seed=seed,
            replications=replications,
            workers=workers,
            backend=backend,
            checkpoint=None if checkpoint is None else checkpoint.store(f"plan-{j:02d}"),
            batch=batch,
            detail="network",
            on_progress=None
            if on_progress is None
            else (lambda n, done=j * replications: on_progress(done + n)),
        )
    percentiles = scenario.run.percentiles
    table = pd.concat(
        [
            summarize(res.replications, list(CLOSED_LOOP_KPIS), percentiles).assign(plan=name)
            for name, res in results.items()
        ],
        ignore_index=True,
    )
    table = table[["plan", *[c for c in table.columns if c != "plan"]]]
    first = results[names[0]].replications.set_index("replication")
    diffs = []
    for name in names[1:]:
        other = results[name].replications.set_index("replication")
        paired = (other[list(CLOSED_LOOP_KPIS)] - first[list(CLOSED_LOOP_KPIS)]).reset_index()
        d = summarize(paired, list(CLOSED_LOOP_KPIS), [])
        diffs.append(d.assign(plan=name, against=names[0]))
    differences = (
        pd.concat(diffs, ignore_index=True)[
            ["plan", "against", "kpi", "n", "mean", "sd", "ci95_half_width"]
        ]
        if diffs
        else pd.DataFrame(columns=["plan", "against", "kpi", "n", "mean", "sd", "ci95_half_width"])
    )
    return ClosedLoop(table, differences, results, seed, replications)


BOOTSTRAP_RESAMPLES = 2000
"""Resamples of replications for the confidence intervals of the simulated objective."""


def simulated_objective(
    loop: ClosedLoop, *, cvar_weight: float, alpha: float, seed: int = 0
) -> pd.DataFrame:
    """The simulated counterpart of the objective, per plan of a closed loop.

    Per replication the plan's **net cost** ``L = -margin`` (every simulated cost minus the
    revenue: on common random numbers demand is the same for every plan, so differences in
    ``L`` are differences in cost plus revenue lost, as the model's shortage penalty counts
    a lost sale). Per plan: mean and CVaR_alpha of ``L`` over replications
    (:func:`keiretsu.optimize.risk.cvar`), the objective ``mean + cvar_weight x CVaR``, and
    for every plan after the first the paired difference of the objective; 95 % intervals
    by a bootstrap of replications (the same resampled replications for every plan, so the
    difference's interval is paired; percentile method, :data:`BOOTSTRAP_RESAMPLES`
    resamples, generator seeded by ``seed``). With ``cvar_weight = 0`` the objective is the
    mean net cost.
    """
    from keiretsu.optimize.risk import cvar

    names = list(loop.results)
    losses = {
        n: -loop.results[n].replications.sort_values("replication")["margin"].to_numpy(float)
        for n in names
    }
    n_reps = len(next(iter(losses.values())))
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, n_reps, size=(BOOTSTRAP_RESAMPLES, n_reps))

    def objective(values: np.ndarray) -> float:
        mean = float(values.mean())
        if cvar_weight == 0:
            return mean
        return mean + cvar_weight * cvar(values, alpha)[0]

    def boot(values: np.ndarray) -> np.ndarray:
        return np.array([objective(values[row]) for row in picks])

    rows = []
    first = names[0]
    base_boot = boot(losses[first])
    for n in names:
        values = losses[n]
        own = boot(values)
        row = {
            "plan": n,
            "replications": n_reps,
            "net_cost_mean": float(values.mean()),
            f"net_cost_cvar_{alpha:g}": cvar(values, alpha)[0],
            "cvar_weight": cvar_weight,
            "objective": objective(values),
            "objective_ci95": float(np.diff(np.percentile(own, [2.5, 97.5]))[0] / 2),
            "difference": np.nan,
            "difference_ci95": np.nan,
        }
        if n != first:
            diff = own - base_boot
            row["difference"] = objective(values) - objective(losses[first])
            row["difference_ci95"] = float(np.diff(np.percentile(diff, [2.5, 97.5]))[0] / 2)
        rows.append(row)
    return pd.DataFrame(rows)


def shares_table(scenario: Scenario, plans: Sequence[Plan]) -> pd.DataFrame:
    """Order share per plan, part, plan year and supplier (positive shares)."""
    rows = [
        {"plan": plan.name, "part": part.id, "year": y, "supplier": sup, "share": share}
        for plan in plans
        for part in scenario.parts
        for y in range(1, scenario.horizon.n_years + 1)
        for sup, share in plan_shares(scenario, plan, part.id, y).items()
    ]
    return pd.DataFrame(rows, columns=["plan", "part", "year", "supplier", "share"])


def distinct_names(optimized: Plan, base: Plan) -> tuple[Plan, Plan]:
    """The two plans, the scenario's renamed if it shares the optimized plan's name."""
    if base.name == optimized.name:
        base = base.model_copy(update={"name": f"{base.name} (scenario)"})
    return optimized, base


# --------------------------------------------------------------------------- frontier


@dataclass(frozen=True, eq=False)
class FrontierResult:
    """The cost-risk frontier: one risk-model solve per lambda, each plan simulated.

    ``points``: per lambda: expected_cost, cvar, value_at_risk, objective, gap, outcome,
    the incentive options and programs chosen, and the simulated mean and CI of total
    cost, fill rate, margin and P10 margin;
    ``plans``: the plan of each point, in order; ``baseline``: the scenario's own plan
    priced in the risk model, its ``expected_cost`` and ``cvar`` (None when it could not
    be priced); ``closed_loop``: every plan (the scenario's last) on one seed;
    ``scenarios``: K, the disruption scenarios of the model.
    """

    points: pd.DataFrame
    plans: list[Plan]
    baseline: dict[str, float] | None
    closed_loop: ClosedLoop | None
    scenarios: int
    alpha: float


FRONTIER_POINTS_STORE = "points"
"""The checkpoint store of a frontier's solved points (one entry per point: its table row,
plan and the scenario plan's pricing), so a resumed frontier does not solve them again."""


def frontier_lambdas(points: int, lambda_max: float) -> list[float]:
    """0 and ``points - 1`` weights spaced geometrically from ``lambda_max / 100`` up."""
    if points < 2:
        raise ValueError(f"a frontier needs at least 2 points, got {points}")
    if not (math.isfinite(lambda_max) and lambda_max > 0):
        raise ValueError(f"lambda_max must be finite and > 0, got {lambda_max}")
    if points == 2:
        return [0.0, lambda_max]
    return [0.0, *(float(x) for x in np.geomspace(lambda_max / 100, lambda_max, points - 1))]


def frontier(
    scenario: Scenario,
    *,
    points: int = 5,
    lambda_max: float = 10.0,
    scenarios: int | None = None,
    alpha: float | None = None,
    seed: int | None = None,
    options: SolverOptions | None = None,
    replications: int = 50,
    workers: int = 1,
    backend: Backend | None = None,
    checkpoint: Checkpoint | None = None,
    batch: int | None = None,
    on_point: Callable[[int, float, bool], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> FrontierResult:
    """Solve the risk model for each of :func:`frontier_lambdas` on the same scenarios,
    then simulate every point's plan and the scenario's own on one seed (CRN);
    ``replications = 0`` skips the simulation.

    With ``checkpoint``, each solved point is kept (store :data:`FRONTIER_POINTS_STORE`)
    and each plan's simulated chunks too (:func:`closed_loop`), so a resumed frontier
    neither solves a point again (a solve stopped by a time limit would not give the same
    plan twice) nor simulates a chunk again. The points share their scenarios, so each
    solve by the L-shaped method starts from the cuts the point before ended with
    (:class:`~keiretsu.optimize.benders.CutPool`; kept with each point, so a resumed
    frontier goes on as the uninterrupted one would). ``on_point(j, lambda, kept)``: point *j*
    begins (``kept``: read back from the checkpoint).
    """
    settings = scenario.optimize.risk
    seed = scenario.run.seed if seed is None else seed
    alpha = settings.alpha if alpha is None else alpha
    options = options or solver_options(scenario)
    k = scenarios or settings.scenarios
    solved = None if checkpoint is None else checkpoint.store(FRONTIER_POINTS_STORE)
    caps: CapacityScenarios | None = None
    evaluated = None
    cuts = CutPool()  # the points share their scenarios: each starts from the last one's cuts
    priced = (
        None  # the scenario's plan, priced once: its cost and CVaR are the same at every weight
    )
    rows, plans, baseline = [], [], None
    for j, lam in enumerate(frontier_lambdas(points, lambda_max)):
        kept = solved is not None and j in solved
        if on_point is not None:
            on_point(j, lam, kept)
        if kept:
            entry = solved.key(j)
            rows.append(entry["row"])
            plans.append(Plan.model_validate(entry["plan"]))
            baseline = entry["baseline"]
            cuts = CutPool.from_frames(solved.load(j))  # the rows point j ended with
            continue
        if caps is None:
            caps = capacity_scenarios(scenario, k, seed)
            if scenario.optimize.incentives or scenario.optimize.programs.options:
                evaluated = evaluate_options(scenario, seed=seed, caps=caps)  # once for all
        res = optimize(
            scenario,
            risk=True,
            alpha=alpha,
            cvar_weight=lam,
            seed=seed,
            options=options,
            caps=caps,
            evaluated=evaluated,
            name=f"lambda={lam:.4g}",
            cuts=cuts,
            baseline=priced,
        )
        priced = res.baseline
        r = res.risk
        assert r is not None
        b = res.baseline.risk
        baseline = None if b is None else {"expected_cost": b.expected_cost, "cvar": b.cvar}
        row = {
            "point": j,
            "plan": res.plan.name,
            "lambda": lam,
            "expected_cost": r.expected_cost,
            "cvar": r.cvar,
            "value_at_risk": r.value_at_risk,
            "objective": r.objective,
            "gap": r.gap,
            "outcome": r.outcome,
            "reserved_units_per_year": float(sum(r.reservations.values())),
            "incentives": ", ".join(f"{k}: {v}" for k, v in r.first_stage.incentives.items()),
            "programs": ", ".join(f"{k} at {v:g}" for k, v in r.first_stage.programs.items()),
        }
        rows.append(row)
        plans.append(res.plan)
        if solved is not None:
            plan = res.plan.model_dump(mode="json")
            solved.save(j, {"row": row, "plan": plan, "baseline": baseline}, cuts.frames())
    points_frame = pd.DataFrame(rows)
    loop = None
    if replications > 0:
        base = scenario.plan
        if base.name in {p.name for p in plans}:
            base = base.model_copy(update={"name": f"{base.name} (scenario)"})
        loop = closed_loop(
            scenario,
            [*plans, base],
            replications=replications,
            seed=seed,
            workers=workers,
            backend=backend,
            checkpoint=checkpoint,
            batch=batch,
            on_progress=on_progress,
        )
        sim = loop.wide().set_index("plan")
        for col in (
            "total_cost_mean",
            "total_cost_ci95",
            "fill_rate_mean",
            "fill_rate_ci95",
            "margin_mean",
            "margin_ci95",
            "margin_p10",
        ):
            points_frame[f"simulated_{col}"] = [float(sim.loc[p.name, col]) for p in plans]
    return FrontierResult(points_frame, plans, baseline, loop, k, alpha)
