"""Disruption drills and knock-out sweeps: ``drill`` (resumable, on any backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from keiretsu.cli.common import (
    CONTEXT,
    _backend_options,
    _emit_json,
    _open_backend,
    _Run,
    _run_progress,
    _start_run,
    json_option,
    main,
    set_option,
)
from keiretsu.errors import InputError, Problem


@main.command(context_settings=CONTEXT)
@click.argument(
    "scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path), required=False
)
@click.option("--event", "event", help="The drill to run (an id under drills: in the scenario).")
@click.option(
    "--sweep",
    type=click.Choice(["suppliers", "regions", "tier2"]),
    help="Instead of --event: knock out every supplier, region or tier-2 sub-supplier in turn.",
)
@click.option(
    "--weeks",
    type=click.FloatRange(min=0, min_open=True),
    default=8.0,
    show_default=True,
    help="With --sweep: how long each knock-out lasts.",
)
@click.option(
    "--start",
    "start_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="With --sweep: first day of each knock-out (default: mid-horizon).",
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
    "--failure-threshold",
    type=click.FloatRange(0.0, 1.0),
    default=0.8,
    show_default=True,
    help="Rolling fill rate below which service counts as failed.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Run directory (default: runs/SCENARIO-drill-EVENT-TIMESTAMP).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Reuse a non-empty run directory (an earlier run's outputs in it are removed first).",
)
@set_option
@json_option
@click.pass_context
def drill(
    ctx: click.Context,
    scenario_file: Path | None,
    event: str | None,
    sweep: str | None,
    weeks: float,
    start_date,
    plan_file: Path | None,
    replications: int | None,
    seed: int | None,
    workers: int,
    cluster: str | None,
    scheduler: str | None,
    chunk: int | None,
    resume: Path | None,
    failure_threshold: float,
    out_dir: Path | None,
    force: bool,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """Run a drill of SCENARIO against its no-drill twin (same random numbers).

    --event ID runs one named drill and reports, per replication and as mean / CI /
    P10-P50-P90: unfilled units, lost sales, fill-rate loss, revenue and margin at risk,
    extra expediting and contingency spend, share recovered, days to recover and days
    below the failure threshold; it draws the recovery curve of the most-hit part.

    --sweep suppliers|regions|tier2 knocks out every supplier, region or tier-2
    sub-supplier for --weeks in turn and ranks them by margin at risk, with the analytic
    time to survive, time to recover, exposure gap and risk exposure index (LP) and the
    likelihood from the scenario's disruptions; it draws the ranking and a likelihood x
    impact chart.

    Both resume: `keiretsu drill --resume RUN_DIR` finishes an interrupted drill chunk by
    chunk (its twin, then the drilled run) and a sweep node by node (finished nodes are
    kept; the node in progress and the twin resume chunk by chunk).
    """
    from rich.console import Console

    from keiretsu import experiments
    from keiretsu.fileio import TableWriter
    from keiretsu.reports.console import print_kpi_table
    from keiretsu.reports.figures import drill_figures

    if resume is not None:
        settings, _ = experiments.read_run_settings(resume, ("drill", "drill --sweep"))
        command = settings["command"]
    elif (event is None) == (sweep is None):
        raise click.UsageError("give either --event ID or --sweep suppliers|regions|tier2")
    else:
        command = "drill --sweep" if sweep is not None else "drill"
    stem = scenario_file.stem if scenario_file is not None else "run"
    start = {
        "resume": resume,
        "scenario_file": scenario_file,
        "overrides": overrides,
        "plan_file": plan_file,
        "replications": replications,
        "seed": seed,
        "chunk": chunk,
        "out_dir": out_dir,
        "force": force,
    }
    with _open_backend(workers, scheduler, cluster) as backend:
        if command == "drill --sweep":
            run = _start_run(
                ctx,
                command,
                backend,
                stem=lambda _: f"{stem}-sweep-{sweep}",
                options=lambda sc, _: _sweep_options(
                    sc, scenario_file, sweep, weeks, start_date, failure_threshold
                ),
                **start,
            )
            _sweep(run, backend, as_json)
            return
        run = _start_run(
            ctx,
            command,
            backend,
            stem=lambda _: f"{stem}-drill-{event}",
            options=lambda sc, _: _drill_options(sc, event, failure_threshold),
            **start,
        )
        scenario, plan, n, seed, out_dir = run.scenario, run.plan, run.n, run.seed, run.out_dir
        event, failure_threshold = run.options["event"], run.options["failure_threshold"]
        progress, task = _run_progress(run, "drilling", 2 * n)
        with progress, TableWriter(out_dir) as writer:
            result = experiments.drill(
                scenario,
                event,
                plan,
                seed=seed,
                replications=n,
                backend=backend,
                batch=run.chunk_size,
                checkpoint=run.checkpoint,
                failure_threshold=failure_threshold,
                on_progress=lambda done: progress.update(task, completed=done),
            )
            writer.write("impact", result.impact)
            writer.write("summary", result.summary)
            writer.write("recovery", result.recovery)
            writer.write("events", result.event.events)
        summary_json = {
            "scenario": scenario.meta.name,
            "plan": plan.name,
            "drill": event,
            "replications": n,
            "seed": seed,
            "definitions": result.definitions,
            "measures": result.summary.to_dict(orient="records"),
        }
        run.finish(
            backend,
            drill_figures(result, scenario),
            summary_json,
            plan=plan,
            definitions=result.definitions,
            tables=writer.written,
            extra={"event": event, "failure_threshold": failure_threshold},
        )
    if as_json:
        _emit_json({"ok": True, "run_dir": str(out_dir), **summary_json})
    else:
        title = f"{scenario.meta.name} — drill {event!r} vs its twin, {n} replications, seed {seed}"
        print_kpi_table(result.summary, title, Console())
        Console(stderr=True).print(f"run directory: {out_dir}")


def _drill_options(scenario, event: str, failure_threshold: float) -> dict[str, Any]:
    if event not in {d.id for d in scenario.drills}:
        names = ", ".join(d.id for d in scenario.drills) or "none defined in the scenario"
        raise InputError(Problem("--event", 0, 0, "", f"unknown drill {event!r} (drills: {names})"))
    return {"event": event, "failure_threshold": failure_threshold}


def _sweep_options(
    scenario, scenario_file, over: str, weeks: float, start_date, failure_threshold: float
) -> dict[str, Any]:
    """The settings of a sweep (checked before its run directory is made)."""
    import datetime as dt

    from keiretsu import experiments

    start = start_date.date() if start_date is not None else None
    days = scenario.horizon.n_periods * scenario.horizon.days_per_period
    horizon_end = scenario.meta.start_date + dt.timedelta(days=days)
    if start is not None and not scenario.meta.start_date <= start < horizon_end:
        message = f"{start} is outside the horizon ({scenario.meta.start_date} to {horizon_end})"
        raise InputError(Problem("--start", 0, 0, "", message))
    if not experiments.knockouts(scenario, over, weeks, scenario.meta.start_date):
        raise InputError(
            Problem(
                str(scenario_file), 0, 0, "tier2", "no tier-2 sub-supplier feeds a tier-1 offer"
            )
        )
    return {
        "sweep": over,
        "weeks": weeks,
        "start_date": None if start is None else start.isoformat(),
        "failure_threshold": failure_threshold,
    }


def _sweep(run: _Run, backend, as_json: bool) -> None:
    """``keiretsu drill --sweep``: every node knocked out in turn, ranked."""
    import datetime as dt

    from rich.console import Console

    from keiretsu import experiments
    from keiretsu.fileio import TableWriter
    from keiretsu.reports.console import print_sweep_table
    from keiretsu.reports.figures import sweep_figures

    scenario, plan, n, seed, out_dir = run.scenario, run.plan, run.n, run.seed, run.out_dir
    over, weeks = run.options["sweep"], run.options["weeks"]
    start = run.options["start_date"]
    start = None if start is None else dt.date.fromisoformat(start)
    failure_threshold = run.options["failure_threshold"]
    nodes = len(experiments.knockouts(scenario, over, weeks, scenario.meta.start_date))
    progress, task = _run_progress(run, f"sweeping {nodes} {over}", (nodes + 1) * n)
    with progress, TableWriter(out_dir) as writer:
        result = experiments.sweep(
            scenario,
            over,
            weeks,
            plan,
            start_date=start,
            seed=seed,
            replications=n,
            backend=backend,
            batch=run.chunk_size,
            checkpoint=run.checkpoint,
            failure_threshold=failure_threshold,
            on_progress=lambda done: progress.update(task, completed=done),
        )
        writer.write("ranking", result.ranking)
        writer.write("recovery", result.recovery)
        writer.write("impact", result.impact)
    summary_json = {
        "scenario": scenario.meta.name,
        "plan": plan.name,
        "sweep": over,
        "weeks": weeks,
        "start_date": str(result.start_date),
        "replications": n,
        "seed": seed,
        "definitions": result.definitions,
        "ranking": result.ranking.to_dict(orient="records"),
    }
    run.finish(
        backend,
        sweep_figures(result, scenario),
        summary_json,
        plan=plan,
        definitions=result.definitions,
        tables=writer.written,
        extra={"sweep": over, "weeks": weeks, "start_date": str(result.start_date)},
    )
    if as_json:
        _emit_json({"ok": True, "run_dir": str(out_dir), **summary_json})
    else:
        what = f"every {over[:-1]} down {weeks:g} weeks from {result.start_date}"
        title = f"{scenario.meta.name} — {what}, {n} replications"
        wide = Console(width=max(Console().width, 150))  # a ranking is wide: don't fold it
        print_sweep_table(result.ranking, title, scenario.meta.currency, wide)
        Console(stderr=True).print(f"run directory: {out_dir}")
