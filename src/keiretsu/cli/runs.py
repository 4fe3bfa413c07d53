"""Simulation runs: ``simulate`` and ``compare`` (resumable, on any backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from keiretsu.cli.common import (
    CONTEXT,
    KEEP_LEVELS,
    _backend_options,
    _emit_json,
    _open_backend,
    _run_progress,
    _start_run,
    json_option,
    main,
    set_option,
)
from keiretsu.errors import InputError


@main.command(context_settings=CONTEXT)
@click.argument(
    "scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path), required=False
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path),
    help="Run this plan file instead of the scenario's own plan.",
)
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(min=1),
    help="Replications (default: run.replications).",
)
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: run.seed).")
@_backend_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Run directory (default: runs/SCENARIO-TIMESTAMP).",
)
@click.option(
    "--keep",
    type=click.Choice(KEEP_LEVELS),
    help="What the run stores: per-period (default): per-period tables by part, by "
    "supplier and for the network; network: the network per-period table only; summary: "
    "replication-level tables and the summary only (for thousands of replications of a "
    "large network: memory and disk stay small).",
)
@click.option(
    "--detail",
    type=click.Choice(["part", "network"]),
    hidden=True,
    help="Deprecated: --keep per-period (part) or --keep network.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Reuse a non-empty run directory (an earlier run's outputs in it are removed first).",
)
@set_option
@json_option
@click.pass_context
def simulate(
    ctx: click.Context,
    scenario_file: Path | None,
    plan_file: Path | None,
    replications: int | None,
    seed: int | None,
    workers: int,
    cluster: str | None,
    scheduler: str | None,
    chunk: int | None,
    resume: Path | None,
    out_dir: Path | None,
    keep: str | None,
    detail: str | None,
    force: bool,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """Monte Carlo simulation of SCENARIO under its plan (or --plan).

    Writes a run directory: manifest.json, summary.json, tables (parquet and CSV) and
    PNG figures; prints the KPI table (on stderr with --json).

    Chunks of replications run in this process, in -j local processes, or on a Dask
    cluster (--cluster local:N, --scheduler tcp://HOST:PORT); the numbers are the same
    wherever they run. Each finished chunk is saved in RUN_DIR/.checkpoint as it
    completes: after Ctrl-C (exit 130) or a killed process, `keiretsu simulate --resume
    RUN_DIR` finishes the run with exactly the tables and summary of an uninterrupted
    one. A run directory without manifest.json is unfinished.
    """
    from rich.console import Console

    from keiretsu import experiments
    from keiretsu.fileio import TableWriter
    from keiretsu.reports.console import print_kpi_table
    from keiretsu.reports.figures import simulation_figures

    if detail is not None:
        if keep is not None:
            raise click.UsageError("--detail is the old name of --keep: give --keep only")
        keep = experiments.KEEP_OF_DETAIL[detail]
        click.echo(f"warning: --detail is deprecated; it means --keep {keep}", err=True)
    with _open_backend(workers, scheduler, cluster) as backend:
        run = _start_run(
            ctx,
            "simulate",
            backend,
            resume=resume,
            scenario_file=scenario_file,
            overrides=overrides,
            plan_file=plan_file,
            replications=replications,
            seed=seed,
            chunk=chunk,
            out_dir=out_dir,
            force=force,
            stem=lambda _: scenario_file.stem,
            options=lambda *_: {"keep": keep or "per-period"},
        )
        scenario, plan, n, seed, out_dir = run.scenario, run.plan, run.n, run.seed, run.out_dir
        keep = run.options["keep"]
        console = Console(stderr=True)
        progress, task = _run_progress(run, "simulating", n)
        with progress, TableWriter(out_dir) as writer:
            result = experiments.simulate(
                scenario,
                plan,
                seed=seed,
                replications=n,
                backend=backend,
                keep=keep,
                sink=writer,
                checkpoint=run.checkpoint.store("simulate"),
                batch=run.chunk_size,
                on_progress=lambda done: progress.update(task, completed=done),
            )
            writer.write("replications", result.replications)
            writer.write("parts", result.parts)
            writer.write("suppliers", result.suppliers)
            if scenario.disruptions:
                writer.write("events", result.events)
            for name in ("programs", "program_outcomes", "contract_reviews", "improvements"):
                if getattr(result, name) is not None:
                    writer.write(name, getattr(result, name))
            writer.write("summary", result.summary)
        summary_json = {
            "scenario": scenario.meta.name,
            "plan": plan.name,
            "replications": n,
            "seed": seed,
            "definitions": result.definitions,
            "kpis": result.summary.to_dict(orient="records"),
        }
        run.finish(
            backend,
            simulation_figures(result, scenario),
            summary_json,
            plan=plan,
            definitions=result.definitions,
            tables=writer.written,
            extra={"keep": keep},
        )
    if as_json:
        _emit_json({"ok": True, "run_dir": str(out_dir), **summary_json})
    else:
        print_kpi_table(
            result.summary,
            f"{scenario.meta.name} — plan {plan.name!r}, {n} replications, seed {seed}",
            Console(),
        )
        console.print(f"run directory: {out_dir}")


@main.command(context_settings=CONTEXT)
@click.argument(
    "scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path), required=False
)
@click.option(
    "--plan",
    "plan_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A plan file to compare (repeatable, at least one); the scenario's own plan "
    "always runs too, first.",
)
@click.option(
    "--baseline",
    help="Name of the plan the others are measured against (default: the scenario's own plan).",
)
@click.option(
    "-n",
    "--replications",
    type=click.IntRange(min=1),
    help="Replications per plan (default: run.replications).",
)
@click.option("--seed", type=click.IntRange(min=0), help="Root seed (default: run.seed).")
@_backend_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Run directory (default: runs/SCENARIO-compare-TIMESTAMP).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Reuse a non-empty run directory (an earlier run's outputs in it are removed first).",
)
@set_option
@json_option
@click.pass_context
def compare(
    ctx: click.Context,
    scenario_file: Path | None,
    plan_files: tuple[Path, ...],
    baseline: str | None,
    replications: int | None,
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
    """Compare plans of SCENARIO side by side on common random numbers.

    The scenario's own plan and every --plan file run with the same seed and
    replications, so replication r of each plan sees the same demand, lead times,
    lateness and disruptions. Per KPI: each plan's mean, 95% CI and P10/P50/P90; the
    mean paired difference against the baseline with its 95% CI (paired t); and the
    probability of being better (share of replications in which the plan beats the
    baseline, ties half). Plan names must differ.

    Writes a run directory (manifest.json, summary.json, tables summary, deltas,
    replications, parts and periods with a plan column, as parquet and CSV; figures
    cost_vs_service, service_bands, cost_breakdown) and prints the delta table (on
    stderr with --json). `keiretsu report RUN_DIR` makes the HTML report and workbook.

    Runs where simulate runs (-j, --cluster, --scheduler) and resumes like it:
    `keiretsu compare --resume RUN_DIR` finishes an interrupted comparison plan by plan,
    chunk by chunk.
    """
    from rich.console import Console

    from keiretsu import experiments
    from keiretsu.fileio import TableWriter
    from keiretsu.reports.console import print_delta_table
    from keiretsu.reports.figures import compare_figures
    from keiretsu.scenario.model import Plan

    if resume is None and not plan_files:
        raise click.UsageError("give at least one --plan PLAN.yaml to compare")
    with _open_backend(workers, scheduler, cluster) as backend:
        run = _start_run(
            ctx,
            "compare",
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
            stem=lambda _: f"{scenario_file.stem}-compare",
            options=lambda sc, _: _compare_options(sc, scenario_file, plan_files, baseline),
        )
        scenario, n, seed, out_dir = run.scenario, run.n, run.seed, run.out_dir
        plans = [Plan.model_validate(p) for p in run.options["plans"]]
        chosen, files = run.options["baseline"], run.options["plan_files"]
        names = [scenario.plan.name, *(p.name for p in plans)]
        progress, task = _run_progress(run, f"comparing {len(names)} plans", len(names) * n)
        with progress, TableWriter(out_dir) as writer:
            result = experiments.compare(
                scenario,
                plans,
                baseline=chosen,
                seed=seed,
                replications=n,
                backend=backend,
                checkpoint=run.checkpoint,
                batch=run.chunk_size,
                on_progress=lambda done: progress.update(task, completed=done),
            )
            writer.write("summary", result.summary)
            writer.write("deltas", result.deltas)
            writer.write("replications", result.stacked("replications"))
            writer.write("parts", result.stacked("parts"))
            writer.write("periods", result.stacked("periods"))
        summary_json = {
            "scenario": scenario.meta.name,
            "plans": names,
            "baseline": chosen,
            "replications": n,
            "seed": seed,
            "definitions": result.definitions,
            "kpis": result.summary.to_dict(orient="records"),
            "deltas": result.deltas.to_dict(orient="records"),
        }
        run.finish(
            backend,
            compare_figures(result, scenario),
            summary_json,
            plan=next(p for p in [scenario.plan, *plans] if p.name == chosen),
            definitions=result.definitions,
            tables=writer.written,
            extra={
                "baseline": chosen,
                "plan_names": names,
                "plan_files": [str(run.scenario_file), *files],
                "plans": [p.model_dump(mode="json") for p in [scenario.plan, *plans]],
            },
        )
    title = (
        f"{scenario.meta.name} — {len(names)} plans against {chosen!r}, "
        f"{n} replications, seed {seed}"
    )
    wide = max(Console().width, 60 + 80 * len(names))  # the table's natural width: no folds
    print_delta_table(
        result.summary,
        result.deltas,
        names,
        chosen,
        title,
        Console(stderr=True, width=wide) if as_json else Console(width=wide),
    )
    if as_json:
        _emit_json({"ok": True, "run_dir": str(out_dir), **summary_json})
    else:
        Console(stderr=True).print(f"run directory: {out_dir}")


def _compare_options(
    scenario, scenario_file: Path, plan_files: tuple[Path, ...], baseline: str | None
) -> dict[str, Any]:
    """The plans compared (every problem in every file at once) and the baseline's name,
    checked before the run directory is made."""
    from keiretsu import experiments
    from keiretsu.scenario.loader import load_plan, read_document

    plans, problems = [], []
    for file in plan_files:
        try:
            plans.append(load_plan(file, scenario))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    where = [read_document(scenario_file).locate(("plan", "name"))]
    where += [read_document(file).locate(("name",)) for file in plan_files]
    names = [scenario.plan.name, *(p.name for p in plans)]
    return {
        "plans": [p.model_dump(mode="json") for p in plans],
        "plan_files": [str(f) for f in plan_files],
        "baseline": experiments.check_plans(names, baseline, where),
    }
