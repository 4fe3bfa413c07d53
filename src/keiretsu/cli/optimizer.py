"""The optimizer: ``optimize`` and the cost-risk ``frontier``."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from keiretsu.cli.common import (
    CONTEXT,
    _backend_options,
    _emit_json,
    _finish_run,
    _open_backend,
    _progress,
    _Run,
    _run_dir,
    _run_progress,
    _start_run,
    json_option,
    main,
    set_option,
)
from keiretsu.errors import InputError, Problem


def _solver_options_decorators(command):
    """--time-limit, --gap, --threads, --solver and --decomposition (defaults: the
    scenario's optimize.solver)."""
    for option in reversed(
        [
            click.option(
                "--time-limit",
                "time_limit",
                type=click.FloatRange(min=0, min_open=True),
                help="Seconds per solve (default: optimize.solver.time_limit_s).",
            ),
            click.option(
                "--gap",
                type=click.FloatRange(0, 1, max_open=True),
                help="Relative MIP gap to stop at (default: optimize.solver.gap).",
            ),
            click.option(
                "--threads",
                type=click.IntRange(min=1),
                help="Solver threads (default: optimize.solver.threads).",
            ),
            click.option(
                "--solver",
                type=click.Choice(["highs", "cbc"]),
                help="Solver (default: optimize.solver.solver, HiGHS).",
            ),
            click.option(
                "--decomposition",
                type=click.Choice(["auto", "extensive", "benders"]),
                help="Risk model: one model of all scenarios (extensive), the L-shaped "
                "method scenario by scenario (benders, HiGHS), or auto: Benders for large "
                "models at a gap >= 1e-3 (default: optimize.solver.decomposition).",
            ),
        ]
    ):
        command = option(command)
    return command


@contextlib.contextmanager
def _solve_status(console, what: str) -> Iterator[None]:
    """A status line on stderr for a long solve: the rounds of the L-shaped method, which
    ``keiretsu.optimize.benders`` logs at INFO, as they come."""
    import logging

    logger = logging.getLogger("keiretsu.optimize.benders")
    with console.status(what + "...") as status:

        class Rounds(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                status.update(f"{what}: {record.getMessage()}")

        handler, level = Rounds(logging.INFO), logger.level
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(level)


def _solver_options(scenario, **overrides):
    """The solve settings (the scenario's, with the command line's); a combination that
    cannot work (Benders with CBC) is a usage error."""
    from keiretsu.experiments import optimize as study

    try:
        return study.solver_options(scenario, **overrides)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


def _optimizer_failure(exc, scenario_file: Path, as_json: bool) -> None:
    """An optimization that gives no plan: infeasible models exit 2 with one line per
    conflicting requirement (the user's input is the problem), other stops exit 1."""
    if exc.outcome == "infeasible":
        lines = exc.diagnosis or [str(exc).splitlines()[0]]
        raise InputError([Problem(str(scenario_file), 0, 0, "optimize", line) for line in lines])
    click.echo(f"{scenario_file}: optimize: {str(exc).splitlines()[0]}", err=True)
    if as_json:
        _emit_json({"ok": False, "outcome": exc.outcome, "error": str(exc)})
    sys.exit(1)


@main.command(context_settings=CONTEXT)
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path))
@click.option(
    "--objective",
    type=click.Choice(["cost", "balanced", "resilient"]),
    help="Preset: cost = the deterministic model (expected demand, no disruption "
    "scenarios); balanced = the risk model with risk weight 0.5 and alpha 0.90; resilient = "
    "risk weight 5 and alpha 0.95. --risk-weight / --alpha override a preset's values.",
)
@click.option(
    "--risk",
    is_flag=True,
    help="Two-stage stochastic model over disruption scenarios (expected cost + risk weight x "
    "CVaR) with optimize.risk's weight and alpha, instead of the deterministic allocation.",
)
@click.option(
    "--scenarios",
    "n_scenarios",
    type=click.IntRange(1, 10_000),
    help="Risk model: disruption scenarios K (default: optimize.risk.scenarios).",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, max_open=True),
    help="Risk model: CVaR level (default: the preset's, else optimize.risk.alpha); implies "
    "the risk model.",
)
@click.option(
    "--risk-weight",
    "--lambda",
    "cvar_weight",
    type=click.FloatRange(min=0),
    help="Risk model: weight lambda of CVaR beside the expected cost (default: the preset's, "
    "else optimize.risk.lambda); implies the risk model. --lambda is the same option.",
)
@_solver_options_decorators
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Replications of the closed-loop check (0: skip it).",
)
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: run.seed).")
@click.option(
    "-j",
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes of the closed-loop simulations.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Run directory (default: runs/SCENARIO-optimize-TIMESTAMP).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Reuse a non-empty run directory (an earlier run's outputs in it are removed first).",
)
@set_option
@json_option
def optimize(
    scenario_file: Path,
    objective: str | None,
    risk: bool,
    n_scenarios: int | None,
    alpha: float | None,
    cvar_weight: float | None,
    time_limit: float | None,
    gap: float | None,
    threads: int | None,
    solver: str | None,
    decomposition: str | None,
    replications: int,
    seed: int | None,
    workers: int,
    out_dir: Path | None,
    force: bool,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """Optimize SCENARIO's volume allocation, incentives and co-investments, write the plan,
    and stress-test it.

    The allocation model (annual buckets: parts x suppliers x years, capacities, prices
    and tiers, qualification, dual sourcing, share / region / quality / switching limits,
    commitments, shortage penalties; settings under optimize: in the scenario), with one
    contract per supplier chosen from its incentive menu (optimize.incentives) and the
    programs to fund at a buyer cost share within a capex budget (optimize.programs); or
    the two-stage model over disruption scenarios sampled from the scenario's own
    disruption model (capacity reservations, backup purchases, expediting, lost sales;
    expected cost + risk weight x CVaR_alpha): --objective balanced|resilient, --risk, or
    a --risk-weight / --alpha. Writes RUN_DIR/plan.yaml (read it back with --plan; the
    chosen contracts and programs are in it), the allocation, incentive and program tables,
    the cost breakdown beside the scenario's own plan priced in the same model, the solver
    status, gap and model size; then simulates the optimized plan and the scenario's plan
    with the same seed (-n replications, common random numbers; the model's disruption
    scenarios and its option evaluations use other random numbers) and prints them side by
    side with paired differences and the simulated objective.

    An infeasible model exits with status 2 and one line per conflicting requirement.
    """
    import datetime as dt

    from rich.console import Console

    from keiretsu.analysis.stats import PERCENTILE_CONVENTION
    from keiretsu.errors import SolverError
    from keiretsu.experiments import closed_loop as loop_study
    from keiretsu.experiments import optimize as study
    from keiretsu.experiments import optimize_input
    from keiretsu.fileio import TableWriter, write_text_atomic
    from keiretsu.reports.console import print_choices, print_closed_loop
    from keiretsu.reports.optimizer_figures import optimize_figures
    from keiretsu.scenario.loader import load_scenario
    from keiretsu.scenario.plan_yaml import plan_to_yaml

    scenario = load_scenario(scenario_file, overrides)
    seed = scenario.run.seed if seed is None else seed
    try:
        use_risk, alpha_used, lambda_used = study.objective_settings(
            scenario, objective, risk=risk, alpha=alpha, cvar_weight=cvar_weight
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if n_scenarios is not None and not use_risk:
        raise click.UsageError(
            "--scenarios is for the risk model (give --objective balanced or "
            "resilient, --risk, or a --risk-weight)"
        )
    options = _solver_options(
        scenario,
        solver=solver,
        time_limit_s=time_limit,
        gap=gap,
        threads=threads,
        decomposition=decomposition,
    )
    started = dt.datetime.now(dt.UTC)
    out_dir = _run_dir(out_dir, f"{scenario_file.stem}-optimize", started, force)
    console = Console(stderr=True)
    settings = scenario.optimize
    if settings.incentives or settings.programs.options:
        console.print(
            "evaluating the incentive menus and program options "
            f"({settings.evaluation_replications} replications each)..."
        )
    what = "optimizing" + (" (risk model)" if use_risk else "")
    console.print(what + "...")
    try:
        with _solve_status(console, what):
            result = study.optimize(
                scenario,
                objective=objective,
                risk=use_risk,
                scenarios=n_scenarios,
                alpha=alpha_used if use_risk else None,
                cvar_weight=lambda_used if use_risk else None,
                seed=seed,
                options=options,
            )
    except SolverError as exc:
        _optimizer_failure(exc, scenario_file, as_json)
        return
    plan, base = loop_study.distinct_names(result.plan, scenario.plan)
    solved = study.solver_summary(result)
    header = (
        f"Plan written by keiretsu optimize for {scenario_file.name} ({scenario.meta.name}).\n"
        f"Model: {solved['model']}; objective {result.objective_name} = "
        f"{result.objective:,.0f} {scenario.meta.currency}; solver {solved['solver']}, "
        f"{solved['outcome']}, gap {solved['gap'] if solved['gap'] is not None else 'n/a'}.\n"
        f"Check it: keiretsu validate {scenario_file} --plan plan.yaml"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out_dir / "plan.yaml", plan_to_yaml(plan, header))
    loop = None
    if replications > 0:
        progress = _progress("simulating both plans")
        with progress:
            task = progress.add_task("closed loop", total=2 * replications)
            loop = loop_study.closed_loop(
                scenario,
                [base, plan],
                replications=replications,
                seed=seed,
                workers=workers,
                on_progress=lambda done: progress.update(task, completed=done),
            )
    shares = loop_study.shares_table(scenario, [plan, base])
    costs = study.scenario_cost_table(result, base.name)
    incentives = study.incentive_table(result)
    programs = study.program_table(result)
    sim_objective = None
    if loop is not None:
        sim_objective = loop_study.simulated_objective(
            loop,
            cvar_weight=result.risk.cvar_weight if result.risk is not None else 0.0,
            alpha=result.risk.alpha if result.risk is not None else scenario.optimize.risk.alpha,
        )
    with TableWriter(out_dir) as writer:
        writer.write("allocation", result.allocation.allocation)
        writer.write("cost_breakdown", study.cost_breakdown(result))
        if incentives is not None:
            writer.write("incentives", incentives)
            writer.write("incentive_costs", result.allocation.incentive_costs)
        if programs is not None:
            writer.write("programs", programs)
        writer.write("shortage", result.allocation.shortage)
        if len(result.allocation.commitments):
            writer.write("commitments", result.allocation.commitments)
        writer.write("shares", shares)
        writer.write("demand", result.input.parts)
        writer.write("offers", result.input.offers)
        if result.risk is not None:
            writer.write("scenario_costs", costs)
            writer.write("recourse", result.risk.recourse)
        if loop is not None:
            writer.write(
                "summary", loop.table[loop.table["plan"] == plan.name].drop(columns="plan")
            )
            writer.write("closed_loop", loop.table)
            writer.write("closed_loop_differences", loop.differences)
            writer.write("simulated_objective", sim_objective)
    definitions = {
        "currency": scenario.meta.currency,
        "model": study.__doc__.split("\n\n")[0] if study.__doc__ else "",
        "annual_buckets": "plan years 1..Y; no inventory carried in the model; capacities "
        "scaled by optimize.capacity_utilisation / the seasonal peak",
        "closed_loop": "both plans simulated with the same seed and replications (common random "
        "numbers); differences are paired per replication (optimized - scenario plan)",
        "out_of_sample": "the model's disruption scenarios are the scenario's disruption model "
        f"drawn at replication indices from {optimize_input.SCENARIO_OFFSET:,} on, and the options' "
        "evaluations (payback studies, supplier KPIs) use a seed derived from the run's: the "
        "closed-loop simulation (replications 0..n-1 of the run's seed) shares no random "
        "numbers with what the model saw",
        "simulated_objective": "per replication the net cost -margin (costs minus revenue); "
        "objective = mean + risk weight x CVaR_alpha over replications; 95% intervals by a "
        "paired bootstrap of replications",
        "percentiles": PERCENTILE_CONVENTION,
    }
    if loop is not None:  # the simulator's own definitions (OTIF, fill rate, ...)
        definitions = {**next(iter(loop.results.values())).definitions, **definitions}
    summary_json = {
        "scenario": scenario.meta.name,
        "plan": plan.name,
        "scenario_plan": base.name,
        "plan_file": str(out_dir / "plan.yaml"),
        "seed": seed,
        "replications": replications,
        "solver": solved,
        "objective": {
            "name": result.objective_name,
            "optimized": result.objective,
            "scenario_plan": result.baseline_objective,
            "scenario_plan_meets_rules": result.baseline.meets_rules,
            "scenario_plan_error": result.baseline.error or None,
        },
        "objective_preset": objective,
        "in_sample_expected_cost": result.expected_cost,
        "incentives_chosen": result.allocation.incentives,
        "programs_funded": result.allocation.programs,
        "simulated_objective": None
        if sim_objective is None
        else sim_objective.to_dict(orient="records"),
        "reservations_units_per_year": None if result.risk is None else result.risk.reservations,
        "notes": list(result.input.notes),
        "closed_loop": None if loop is None else loop.wide().to_dict(orient="records"),
        "closed_loop_differences": None
        if loop is None
        else loop.differences.to_dict(orient="records"),
        "definitions": definitions,
    }
    alpha_used = result.risk.alpha if result.risk is not None else 0.0
    _finish_run(
        out_dir,
        optimize_figures(
            shares, None if loop is None else loop.table, costs, alpha_used, scenario.meta.currency
        ),
        summary_json,
        command="optimize",
        scenario=scenario,
        scenario_file=scenario_file,
        plan=plan,
        started=started,
        definitions=definitions,
        workers=workers,
        tables=writer.written,
        extra={
            "overrides": list(overrides),
            "risk": result.risk is not None,
            "objective": objective,
            "scenario_plan": base.name,
            "files": ["plan.yaml"],
        },
    )
    if as_json:
        _emit_json({"ok": True, "run_dir": str(out_dir), **summary_json})
        return
    gap_text = "n/a" if solved["gap"] is None else f"{solved['gap']:.2g}"
    size = solved["model_size"]
    console.print(
        f"{solved['model']}: {solved['outcome']}"
        + (f" (stopped by {solved['stopped_by']})" if solved["stopped_by"] else "")
        + f", gap {gap_text}, {size.get('rows', 0):,} rows x {size.get('columns', 0):,} columns "
        f"({size.get('integer_columns', 0):,} integer), built in {solved['build_time_s']:.2f} s, "
        f"solved in {solved['solve_time_s']:.2f} s"
        + ("" if solved["method"] == "one model" else f" by {solved['method']}")
    )
    for note in result.input.notes:
        console.print(f"  note: {note}")
    model_rows = {f"model: {result.objective_name}": {plan.name: result.objective}}
    if result.baseline_objective is not None:
        model_rows[f"model: {result.objective_name}"][base.name] = result.baseline_objective
    else:
        console.print(f"  the scenario's plan could not be priced: {result.baseline.error}")
    if result.baseline.meets_rules is False and result.baseline_objective is not None:
        console.print(
            "  the scenario's plan breaks some rule of the optimize settings (e.g. dual "
            "sourcing or a share limit): it is priced without them"
        )
    if result.risk is not None:
        b = result.baseline.risk
        model_rows["model: expected cost (in sample)"] = {
            plan.name: result.risk.expected_cost,
            base.name: None if b is None else b.expected_cost,
        }
        model_rows[f"model: CVaR{result.risk.alpha:g}"] = {
            plan.name: result.risk.cvar,
            base.name: None if b is None else b.cvar,
        }
    if result.evaluated is not None and result.evaluated.programs is not None:
        npv = "program_buyer_npv"
        model_rows["model: programs, buyer NPV"] = {
            plan.name: -result.allocation.cost[npv],
            base.name: None
            if result.baseline.allocation is None
            else -result.baseline.allocation.cost[npv],
        }
    cur = scenario.meta.currency
    if incentives is not None or programs is not None:
        print_choices(incentives, programs, cur, Console(width=max(Console().width, 150)))
    if loop is not None:
        title = (
            f"{scenario.meta.name} — plan {plan.name!r} against the scenario's plan "
            f"{base.name!r}; simulated: {replications} replications, seed {seed}, the same "
            "random numbers for both, none of them seen by the model (mean ± 95% CI)"
        )
        labels = {base.name: "scenario plan", plan.name: "optimized"}
        print_closed_loop(loop, title, model_rows, Console(), labels, sim_objective)
    console.print(f"plan: {out_dir / 'plan.yaml'}")
    console.print(f"run directory: {out_dir}")


@main.command(context_settings=CONTEXT)
@click.argument(
    "scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path), required=False
)
@click.option(
    "--points",
    type=click.IntRange(2, 50),
    default=5,
    show_default=True,
    help="Frontier points: lambda = 0 and POINTS-1 values spaced geometrically up to --lambda-max.",
)
@click.option(
    "--lambda-max",
    type=click.FloatRange(min=0, min_open=True),
    default=10.0,
    show_default=True,
    help="Largest CVaR weight lambda.",
)
@click.option(
    "--scenarios",
    "n_scenarios",
    type=click.IntRange(1, 10_000),
    help="Disruption scenarios K (default: optimize.risk.scenarios).",
)
@click.option(
    "--alpha",
    type=click.FloatRange(0, 1, max_open=True),
    help="CVaR level (default: optimize.risk.alpha).",
)
@_solver_options_decorators
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Replications simulated per point (0: model only).",
)
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: run.seed).")
@_backend_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Run directory (default: runs/SCENARIO-frontier-TIMESTAMP).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Reuse a non-empty run directory (an earlier run's outputs in it are removed first).",
)
@set_option
@json_option
@click.pass_context
def frontier(
    ctx: click.Context,
    scenario_file: Path | None,
    points: int,
    lambda_max: float,
    n_scenarios: int | None,
    alpha: float | None,
    time_limit: float | None,
    gap: float | None,
    threads: int | None,
    solver: str | None,
    decomposition: str | None,
    replications: int,
    seed: int | None,
    workers: int,
    cluster: str | None,
    scheduler: str | None,
    chunk: int | None,
    resume: Path | None,
    out_dir: Path | None,
    force: bool,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """The cost-risk frontier of SCENARIO: the risk model solved for a range of lambda.

    Every point is the two-stage model (expected cost + lambda x CVaR_alpha) on the same
    disruption scenarios; its plan is written to RUN_DIR/plans/ and simulated with the
    same seed as every other point and the scenario's own plan (common random numbers),
    so each point shows the model's expected cost and CVaR beside its simulated cost,
    fill rate and P10 margin. Writes the frontier table and figure.

    The simulations run where simulate runs (-j, --cluster, --scheduler); `keiretsu
    frontier --resume RUN_DIR` finishes an interrupted frontier without solving a point
    or simulating a chunk again.
    """
    from rich.console import Console

    from keiretsu.errors import SolverError
    from keiretsu.experiments import closed_loop as loop_study

    def settings(scenario, _plan) -> dict[str, Any]:
        chosen = {
            "solver": solver,
            "time_limit_s": time_limit,
            "gap": gap,
            "threads": threads,
            "decomposition": decomposition,
        }
        _solver_options(scenario, **chosen)  # checked before the run directory is made
        return {
            "points": points,
            "lambda_max": lambda_max,
            "scenarios": n_scenarios,
            "alpha": alpha,
            "solver": chosen,
        }

    console = Console(stderr=True)
    with _open_backend(workers, scheduler, cluster) as backend:
        run = _start_run(
            ctx,
            "frontier",
            backend,
            resume=resume,
            scenario_file=scenario_file,
            overrides=overrides,
            plan_file=None,
            replications=replications,
            seed=seed,
            chunk=chunk,
            out_dir=out_dir,
            force=force,
            stem=lambda _: f"{scenario_file.stem}-frontier",
            options=settings,
        )
        scenario, replications, seed = run.scenario, run.n, run.seed
        scenario_file = run.scenario_file
        points = int(run.options["points"])
        options = _solver_options(scenario, **run.options["solver"])
        total = (points + 1) * replications or 1
        progress, task = _run_progress(
            run, "simulating the frontier's plans", total, (loop_study.FRONTIER_POINTS_STORE,)
        )
        try:
            with progress:
                result = loop_study.frontier(
                    scenario,
                    points=points,
                    lambda_max=float(run.options["lambda_max"]),
                    scenarios=run.options["scenarios"],
                    alpha=run.options["alpha"],
                    seed=seed,
                    options=options,
                    replications=replications,
                    backend=backend,
                    checkpoint=run.checkpoint,
                    batch=run.chunk_size,
                    on_point=lambda j, lam, kept: console.print(
                        f"point {j + 1}/{points}: lambda = {lam:.4g}"
                        + (" (solved before, from the checkpoint)" if kept else "")
                    ),
                    on_progress=lambda done: progress.update(task, completed=done),
                )
        except SolverError as exc:
            _optimizer_failure(exc, scenario_file, as_json)
            return
        _write_frontier(run, backend, result, as_json)


def _write_frontier(run: _Run, backend, result, as_json: bool) -> None:
    """The frontier's run directory (plans, tables, figure, manifest; the checkpoint is
    dropped) and its console table."""
    from rich.console import Console
    from rich.table import Table

    from keiretsu.fileio import TableWriter, write_text_atomic
    from keiretsu.reports.formatting import format_number, format_share
    from keiretsu.reports.optimizer_figures import frontier_figures
    from keiretsu.scenario.plan_yaml import plan_to_yaml

    scenario, replications, seed, out_dir = run.scenario, run.n, run.seed, run.out_dir
    console = Console(stderr=True)
    files = []
    for j, plan in enumerate(result.plans):
        name = f"plans/plan-{j:02d}.yaml"
        header = (
            f"Frontier point {j} of keiretsu frontier for {run.scenario_file.name}: {plan.name}."
        )
        write_text_atomic(out_dir / name, plan_to_yaml(plan, header))
        files.append(name)
    frame = result.points.assign(plan_file=files)
    baseline_model = result.baseline
    baseline_sim = None
    with TableWriter(out_dir) as writer:
        writer.write("frontier", frame)
        if result.closed_loop is not None:
            writer.write("closed_loop", result.closed_loop.table)
            wide = result.closed_loop.wide()
            baseline_sim = wide.iloc[-1].to_dict()
    summary_json = {
        "scenario": scenario.meta.name,
        "seed": seed,
        "replications": replications,
        "alpha": result.alpha,
        "scenarios": result.scenarios,
        "points": frame.to_dict(orient="records"),
        "scenario_plan": {"model": baseline_model, "simulated": baseline_sim},
        "definitions": {"currency": scenario.meta.currency},
    }
    if result.closed_loop is not None:  # the simulator's own definitions (OTIF, fill rate, ...)
        simulated = next(iter(result.closed_loop.results.values())).definitions
        summary_json["definitions"] = {**simulated, **summary_json["definitions"]}
    run.finish(
        backend,
        frontier_figures(frame, baseline_model, baseline_sim, result.alpha),
        summary_json,
        plan=scenario.plan,
        definitions=summary_json["definitions"],
        tables=writer.written,
        extra={"files": files, "points": len(files)},
    )
    if as_json:
        _emit_json({"ok": True, "run_dir": str(out_dir), **summary_json})
        return
    cur = scenario.meta.currency
    table = Table(
        title=f"{scenario.meta.name} — cost-risk frontier (CVaR{result.alpha:g}, "
        f"{result.scenarios} scenarios; simulated: {replications} replications, "
        f"seed {seed})",
        title_justify="left",
    )
    for label in (
        "lambda",
        f"expected cost ({cur})",
        f"CVaR ({cur})",
        "gap",
        f"sim. total cost ({cur})",
        "sim. fill rate",
        f"sim. margin P10 ({cur})",
    ):
        table.add_column(label, justify="right")
    for _, row in frame.iterrows():
        sim = "simulated_total_cost_mean" in frame
        table.add_row(
            f"{row['lambda']:.3g}",
            format_number(row["expected_cost"]),
            format_number(row["cvar"]),
            "–" if row["gap"] != row["gap"] or row["gap"] is None else f"{row['gap']:.2g}",
            format_number(row["simulated_total_cost_mean"]) if sim else "–",
            format_share(row["simulated_fill_rate_mean"]) if sim else "–",
            format_number(row["simulated_margin_p10"]) if sim else "–",
        )
    if baseline_model is not None or baseline_sim is not None:
        table.add_row(
            "scenario plan",
            format_number(baseline_model["expected_cost"]) if baseline_model else "–",
            format_number(baseline_model["cvar"]) if baseline_model else "–",
            "",
            format_number(baseline_sim["total_cost_mean"]) if baseline_sim else "–",
            format_share(baseline_sim["fill_rate_mean"]) if baseline_sim else "–",
            format_number(baseline_sim["margin_p10"]) if baseline_sim else "–",
        )
    Console().print(table)
    console.print(f"run directory: {out_dir}")
