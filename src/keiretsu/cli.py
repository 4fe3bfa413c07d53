"""The ``keiretsu`` command line: parse, call the library, write outputs. No model logic.

Conventions for every command: ``--help``; ``--json`` puts JSON alone on stdout (tables
and progress go to stderr); exit 0 on success, 2 on bad input with one line per problem
(``FILE:LINE:COL: field.path: message``), never a traceback for a user mistake.
Heavy imports are done inside commands so ``keiretsu --help`` answers fast.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import click

from keiretsu import __version__
from keiretsu.errors import InputError, KeiretsuError, Problem

KEEP_LEVELS = ("per-period", "network", "summary")  # keiretsu.experiments.KEEP_LEVELS (lazy)
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _emit_json(payload: Any) -> None:
    from keiretsu.fileio import to_json

    click.echo(to_json(payload))


class _Group(click.Group):
    """Turns user mistakes into exit status 2 with located messages, and an interrupted
    or failed long run into one line that says how to finish it (exit 130 on Ctrl-C,
    143 on SIGTERM, 1 when a chunk failed twice), never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        import signal
        import threading

        if threading.current_thread() is not threading.main_thread():
            return super().main(*args, **kwargs)

        def terminate(_signum: int, _frame: Any) -> None:
            raise _Terminated

        previous = signal.signal(signal.SIGTERM, terminate)
        try:
            return super().main(*args, **kwargs)
        finally:
            signal.signal(signal.SIGTERM, previous)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            terminated = isinstance(exc, _Terminated)
            what = "terminated" if terminated else "interrupted"
            click.echo(f"{what}{_resume_hint(ctx)}", err=True)
            if _wants_json(ctx):
                _emit_json({"ok": False, "error": what, **_resume_fields(ctx)})
            ctx.exit(143 if terminated else 130)
        except InputError as exc:
            _report(exc.problems, as_json=_wants_json(ctx))
            ctx.exit(2)
        except KeiretsuError as exc:  # e.g. a chunk that failed on every attempt
            click.echo(f"error: {exc}{_resume_hint(ctx)}", err=True)
            if _wants_json(ctx):
                _emit_json({"ok": False, "error": str(exc), **_resume_fields(ctx)})
            ctx.exit(exc.exit_code)
        except OSError as exc:  # unwritable output folder, disk full, ...
            where = exc.filename or ""
            _report(
                [Problem(str(where), 0, 0, "", exc.strerror or str(exc))], as_json=_wants_json(ctx)
            )
            ctx.exit(2)


def _wants_json(ctx: click.Context) -> bool:
    return bool(ctx.meta.get("keiretsu.json"))


class _Terminated(KeyboardInterrupt):
    """SIGTERM, turned into the same clean stop as Ctrl-C."""


def _resume_fields(ctx: click.Context) -> dict[str, str]:
    run = ctx.meta.get("keiretsu.run")
    if run is None:
        return {}
    return {"run_dir": str(run.out_dir), "resume": _resume_command(run)}


def _resume_command(run) -> str:
    return f"keiretsu {run.command.split()[0]} --resume {run.out_dir}"


def _resume_hint(ctx: click.Context) -> str:
    run = ctx.meta.get("keiretsu.run")
    if run is None:
        return ""
    return (
        f"; the chunks finished so far are saved in {run.out_dir}: finish the run with "
        f"`{_resume_command(run)}`"
    )


def _report(problems: list[Problem], as_json: bool) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)
    if as_json:
        _emit_json({"ok": False, "problems": [p.to_dict() for p in problems]})


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="keiretsu")
def main() -> None:
    """keiretsu: supplier-partnership strategy in numbers.

    Describe a supplier network in a YAML scenario, then validate it, simulate it,
    optimize its sourcing plan and evaluate co-investments. Start with
    `keiretsu init my.yaml` and `keiretsu validate my.yaml`.
    """


def _run_dir(out_dir: Path | None, stem: str, started, force: bool) -> Path:
    """The run directory: given, or runs/STEM-TIMESTAMP; refuses a non-empty one without --force."""
    if out_dir is None:
        out_dir = Path("runs") / f"{stem}-{started:%Y%m%d-%H%M%S}"
    if out_dir.exists() and any(out_dir.iterdir()) and not force:
        unfinished = (out_dir / "run.json").is_file() and not (out_dir / "manifest.json").is_file()
        why = (
            "run directory holds an unfinished run (finish it with --resume "
            f"{out_dir}, or start again with --force)"
            if unfinished
            else "run directory exists and is not empty (use --force)"
        )
        raise InputError(Problem(str(out_dir), 0, 0, "", why))
    return out_dir


def _progress(verb: str):
    """A transient progress bar on stderr."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn(verb),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("replications"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def _finish_run(
    out_dir: Path,
    figures: dict,
    summary_json: dict,
    *,
    command: str,
    scenario,
    scenario_file: Path,
    plan,
    started,
    definitions: dict,
    workers: int,
    extra: dict,
    tables: list[str] | None = None,
) -> None:
    """Figures, summary.json and, last (its presence marks a complete run), manifest.json.

    The manifest also says what the run holds, for ``keiretsu report``: its ``kind``
    (the command; ``sweep`` for ``drill --sweep``), its ``tables`` (from the
    TableWriter) and its ``figures`` (file stems of the PNGs).
    """
    import datetime as dt

    from keiretsu import experiments
    from keiretsu.fileio import to_json, write_text_atomic
    from keiretsu.reports.figures import save_png

    for name, fig in figures.items():
        save_png(fig, out_dir / f"{name}.png")
    text = to_json(summary_json) + "\n"
    write_text_atomic(out_dir / "summary.json", text)
    record = experiments.manifest(
        command=command,
        scenario=scenario,
        scenario_path=str(scenario_file),
        plan=plan,
        seed=summary_json["seed"],
        replications=summary_json["replications"],
        workers=workers,
        started=started.isoformat(),
        finished=dt.datetime.now(dt.UTC).isoformat(),
        definitions=definitions,
        extra={
            "kind": "sweep" if command == "drill --sweep" else command,
            **({} if tables is None else {"tables": list(tables)}),
            "figures": list(figures),
            **extra,
        },
    )
    write_text_atomic(out_dir / "manifest.json", to_json(record) + "\n")


@dataclasses.dataclass
class _Run:
    """A long run being made or finished: its inputs, settings and checkpoint."""

    command: str  # simulate, drill, drill --sweep
    scenario: Any
    plan: Any
    scenario_file: Path
    overrides: list[str]
    n: int
    seed: int
    chunk_size: int
    out_dir: Path
    started: Any  # datetime
    options: dict[str, Any]
    checkpoint: Any  # keiretsu.fileio.Checkpoint
    settings: dict[str, Any]

    def manifest_extra(self, backend) -> dict[str, Any]:
        """What the manifest adds about how the run was made (and resumed)."""
        return {
            "overrides": self.overrides,
            "scenario_sha256": self.settings["scenario_sha256"],  # of the file when begun
            "chunk_size": self.chunk_size,
            "backend": backend.describe(),
            "resumed": self.settings["resumed"],
        }

    def done(self) -> None:
        """The manifest is written: drop the checkpoint and the run settings."""
        from keiretsu.experiments.runs import RUN_SETTINGS

        self.checkpoint.clear()
        (self.out_dir / RUN_SETTINGS).unlink(missing_ok=True)


RESUMABLE_WITH = {"resume", "workers", "scheduler", "cluster", "as_json"}
"""Options that may change on --resume (they decide where chunks run, not what they hold)."""


def _start_run(
    ctx: click.Context,
    command: str,
    backend,
    *,
    resume: Path | None,
    scenario_file: Path | None,
    overrides: tuple[str, ...],
    plan_file: Path | None,
    replications: int | None,
    seed: int | None,
    chunk: int | None,
    out_dir: Path | None,
    force: bool,
    stem: Any,
    options: Any,
) -> _Run:
    """Begin a resumable run (its directory, run.json and checkpoint) or, with
    ``resume``, take up the unfinished one in that directory with its saved settings.

    ``stem(scenario)`` names the default run directory and ``options(scenario, plan)``
    returns the command's own settings (both are called, with the loaded scenario,
    only for a new run, after the inputs are checked).
    """
    import datetime as dt

    from keiretsu import experiments
    from keiretsu.experiments.runs import RUN_SETTINGS
    from keiretsu.fileio import Checkpoint, remove_stale_temporaries, to_json, write_text_atomic
    from keiretsu.sim.runner import chunk_size

    now = dt.datetime.now(dt.UTC)
    if resume is not None:
        given = [
            p.human_readable_name if isinstance(p, click.Argument) else "/".join(p.opts)
            for p in ctx.command.params
            if p.name not in RESUMABLE_WITH
            and ctx.get_parameter_source(p.name) == click.core.ParameterSource.COMMANDLINE
        ]
        if given:
            raise click.UsageError(
                f"--resume takes every setting from {resume}/{RUN_SETTINGS}; drop "
                + ", ".join(given)
                + " (only -j, --scheduler, --cluster and --json may be given)"
            )
        settings, warnings = experiments.read_run_settings(resume, command)
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)
        scenario, plan = experiments.scenario_and_plan(settings)
        checkpoint = Checkpoint(resume)
        _lock(checkpoint)
        remove_stale_temporaries(resume)  # left by a killed attempt
        settings["resumed"].append(now.isoformat())
        write_text_atomic(resume / RUN_SETTINGS, to_json(settings) + "\n")
        run = _Run(
            command,
            scenario,
            plan,
            Path(settings["scenario_path"] or "-"),
            list(settings["overrides"]),
            int(settings["replications"]),
            int(settings["seed"]),
            int(settings["chunk_size"]),
            resume,
            dt.datetime.fromisoformat(settings["started"]),
            dict(settings["options"]),
            checkpoint,
            settings,
        )
    else:
        from keiretsu.scenario.loader import load_plan, load_scenario

        if scenario_file is None:
            raise click.UsageError("missing argument SCENARIO (or give --resume RUN_DIR)")
        scenario = load_scenario(scenario_file, overrides)
        plan = load_plan(plan_file, scenario) if plan_file else scenario.plan
        n = replications or scenario.run.replications
        seed = scenario.run.seed if seed is None else seed
        own = options(scenario, plan)
        out_dir = _run_dir(out_dir, stem(scenario), now, force)
        checkpoint = Checkpoint(out_dir)
        _lock(checkpoint)
        checkpoint.reset()  # a fresh start (--force): nothing of an earlier run is reused
        size = chunk or chunk_size(scenario, n, backend.workers)
        settings = experiments.run_settings(
            command=command,
            scenario=scenario,
            scenario_path=str(scenario_file),
            overrides=overrides,
            plan=plan,
            seed=seed,
            replications=n,
            chunk_size=size,
            started=now.isoformat(),
            options=own,
        )
        write_text_atomic(out_dir / RUN_SETTINGS, to_json(settings) + "\n")
        run = _Run(
            command,
            scenario,
            plan,
            scenario_file,
            list(overrides),
            n,
            seed,
            size,
            out_dir,
            now,
            own,
            checkpoint,
            settings,
        )
    ctx.meta["keiretsu.run"] = run  # for the resume hint if it is interrupted
    return run


def _lock(checkpoint) -> None:
    """Lock the run directory until the command ends (however it ends)."""
    try:
        checkpoint.lock()
    except OSError:
        raise InputError(
            Problem(str(checkpoint.run_dir), 0, 0, "", "another keiretsu process is running it")
        ) from None
    click.get_current_context().call_on_close(checkpoint.release)


def _open_backend(workers: int, scheduler: str | None, cluster: str | None):
    """The backend asked for (a context manager): local processes, or Dask."""
    from keiretsu.sim.backends import open_backend

    return open_backend(workers, scheduler, cluster)


def _run_progress(run: _Run, verb: str, total: int):
    """The progress bar and its task, counting what a resumed run had done already."""
    from keiretsu import experiments

    progress = _progress(verb)
    done = experiments.replications_done(run.checkpoint, run.n)
    return progress, progress.add_task(verb, total=total, completed=min(done, total))


def _backend_options(fn):
    """-j, --scheduler, --cluster, --chunk-size and --resume, shared by the long commands."""
    options = [
        click.option(
            "-j",
            "--workers",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Local worker processes (joblib); results are identical for any number.",
        ),
        click.option(
            "--cluster",
            metavar="local:N",
            help="Run the chunks on a local Dask cluster of N worker processes started for "
            "the run (needs keiretsu[dask]).",
        ),
        click.option(
            "--scheduler",
            metavar="tcp://HOST:PORT",
            help="Run the chunks on an existing Dask cluster (its workers need this "
            "keiretsu installed; needs keiretsu[dask]). Results are identical to a local run.",
        ),
        click.option(
            "--chunk-size",
            "chunk",
            type=click.IntRange(min=1),
            help="Replications per chunk (one task, one checkpoint); default: sized to the "
            "network's memory and the number of workers.",
        ),
        click.option(
            "--resume",
            type=click.Path(path_type=Path, file_okay=False),
            metavar="RUN_DIR",
            help="Finish the interrupted run in RUN_DIR (no SCENARIO or other settings: "
            "they are read from RUN_DIR/run.json; -j, --cluster, --scheduler may change).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


set_option = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a scenario value, e.g. --set run.replications=50 or "
    "--set parts.CELL-NMC.revenue_per_unit=120 (repeatable).",
)


def _remember_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    ctx.meta["keiretsu.json"] = value  # shared with the group, which reports errors
    return value


json_option = click.option(
    "--json", "as_json", is_flag=True, callback=_remember_json, help="Print JSON only, on stdout."
)


@main.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@set_option
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path),
    help="Also check a stand-alone plan file against the (single) scenario.",
)
@json_option
def validate(
    files: tuple[Path, ...], overrides: tuple[str, ...], plan_file: Path | None, as_json: bool
) -> None:
    """Check scenario FILES and summarise each valid network.

    Every problem is reported at once, one line each, as FILE:LINE:COL: field.path:
    message; the exit status is 2 if any file is invalid.
    """
    from keiretsu.analysis.network import summarize
    from keiretsu.scenario.loader import load_plan, load_scenario

    if plan_file is not None and len(files) != 1:
        raise click.UsageError("--plan needs exactly one scenario file")
    results: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for file in files:
        try:
            scenario = load_scenario(file, overrides)
            if plan_file is not None:
                plan = load_plan(plan_file, scenario)
                scenario = scenario.model_copy(update={"plan": plan})
        except InputError as exc:
            problems.extend(exc.problems)
            results.append(
                {"file": str(file), "valid": False, "problems": [p.to_dict() for p in exc.problems]}
            )
            continue
        summary = summarize(scenario)
        results.append({"file": str(file), "valid": True, "summary": summary.to_dict()})
        if not as_json:
            from keiretsu.reports.console import print_network_summary

            print_network_summary(str(file), summary)
    for problem in dict.fromkeys(problems):
        click.echo(str(problem), err=True)
    if as_json:
        _emit_json({"ok": not problems, "files": results})
    if problems:
        sys.exit(2)


@main.command(context_settings=CONTEXT)
@click.argument("dest", type=click.Path(path_type=Path), required=False)
@click.option(
    "--template", "-t", default=None, help="Bundled scenario to start from (default: two_supplier)."
)
@click.option("--force", is_flag=True, help="Overwrite DEST if it exists.")
@click.option("--list", "list_templates", is_flag=True, help="List the templates and exit.")
def init(dest: Path | None, template: str | None, force: bool, list_templates: bool) -> None:
    """Write a commented starter scenario to DEST (and its JSON Schema beside it).

    The schema file makes editors with the YAML language server complete and check
    the scenario as you type.
    """
    from keiretsu.fileio import write_text_atomic
    from keiretsu.scenario.schema import scenario_json_schema
    from keiretsu.scenario.templates import DEFAULT_TEMPLATE, template_names, template_text

    names = template_names()
    if list_templates:
        click.echo("\n".join(names))
        return
    if dest is None:
        raise click.UsageError("missing argument DEST (the scenario file to write)")
    name = template or DEFAULT_TEMPLATE
    if name not in names:
        raise InputError(
            Problem(
                "--template",
                0,
                0,
                "",
                f"unknown template {name!r} (choose from {', '.join(names)})",
            )
        )
    if dest.exists() and not force:
        raise InputError(Problem(str(dest), 0, 0, "", "already exists (use --force to overwrite)"))
    if dest.suffix not in (".yaml", ".yml"):
        raise InputError(
            Problem(str(dest), 0, 0, "", "a scenario file name must end in .yaml or .yml")
        )
    schema_path = dest.parent / "scenario.schema.json"
    write_text_atomic(dest, template_text(name, schema_path.name))
    if not schema_path.exists() or force:
        write_text_atomic(schema_path, json.dumps(scenario_json_schema(), indent=2) + "\n")
    click.echo(f"wrote {dest} (from template {name!r}) and {schema_path}", err=True)
    click.echo(f"next: keiretsu validate {dest}", err=True)


@main.command(context_settings=CONTEXT)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write to this file instead of stdout."
)
@click.option(
    "--plan", "for_plan", is_flag=True, help="The schema of a stand-alone plan file instead."
)
def schema(output: Path | None, for_plan: bool) -> None:
    """Print the JSON Schema of scenario files (for editors and other tools)."""
    from keiretsu.fileio import write_text_atomic
    from keiretsu.scenario.schema import plan_json_schema, scenario_json_schema

    text = json.dumps(plan_json_schema() if for_plan else scenario_json_schema(), indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(output, text)
        click.echo(f"wrote {output}", err=True)


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
@click.option("--force", is_flag=True, help="Overwrite an existing run directory.")
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
            writer.write("summary", result.summary)
        summary_json = {
            "scenario": scenario.meta.name,
            "plan": plan.name,
            "replications": n,
            "seed": seed,
            "definitions": result.definitions,
            "kpis": result.summary.to_dict(orient="records"),
        }
        _finish_run(
            out_dir,
            simulation_figures(result, scenario),
            summary_json,
            command="simulate",
            scenario=scenario,
            scenario_file=run.scenario_file,
            plan=plan,
            started=run.started,
            definitions=result.definitions,
            workers=backend.workers,
            tables=writer.written,
            extra={**run.manifest_extra(backend), "keep": keep},
        )
        run.done()
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
@click.option("--force", is_flag=True, help="Overwrite an existing run directory.")
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
        _finish_run(
            out_dir,
            drill_figures(result, scenario),
            summary_json,
            command="drill",
            scenario=scenario,
            scenario_file=run.scenario_file,
            plan=plan,
            started=run.started,
            definitions=result.definitions,
            workers=backend.workers,
            tables=writer.written,
            extra={
                **run.manifest_extra(backend),
                "event": event,
                "failure_threshold": failure_threshold,
            },
        )
        run.done()
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
    _finish_run(
        out_dir,
        sweep_figures(result, scenario),
        summary_json,
        command="drill --sweep",
        scenario=scenario,
        scenario_file=run.scenario_file,
        plan=plan,
        started=run.started,
        definitions=result.definitions,
        workers=backend.workers,
        tables=writer.written,
        extra={
            **run.manifest_extra(backend),
            "sweep": over,
            "weeks": weeks,
            "start_date": str(result.start_date),
        },
    )
    run.done()
    if as_json:
        _emit_json({"ok": True, "run_dir": str(out_dir), **summary_json})
    else:
        what = f"every {over[:-1]} down {weeks:g} weeks from {result.start_date}"
        title = f"{scenario.meta.name} — {what}, {n} replications"
        wide = Console(width=max(Console().width, 150))  # a ranking is wide: don't fold it
        print_sweep_table(result.ranking, title, scenario.meta.currency, wide)
        Console(stderr=True).print(f"run directory: {out_dir}")


@main.command(context_settings=CONTEXT)
@click.argument("run_dir", metavar="RUN_DIR", type=click.Path(path_type=Path))
@click.option("--html", "want_html", is_flag=True, help="Write the HTML report (report.html).")
@click.option("--xlsx", "want_xlsx", is_flag=True, help="Write the Excel workbook (report.xlsx).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to write report.html and report.xlsx into (default: RUN_DIR).",
)
@click.option(
    "--max-rows",
    type=click.IntRange(1, 1_048_575),
    default=1_048_575,
    show_default=True,
    help="Leave tables longer than this out of the workbook (listed on its metadata sheet).",
)
@json_option
def report(
    run_dir: Path,
    want_html: bool,
    want_xlsx: bool,
    out_dir: Path | None,
    max_rows: int,
    as_json: bool,
) -> None:
    """Write the HTML report and the Excel workbook of RUN_DIR (both unless told one).

    RUN_DIR is the folder a run left (simulate, drill, drill --sweep, ...: any with a
    manifest.json). report.html is one self-contained file (figures embedded, no
    external resources): headline KPIs, the key tables and figures, the definitions
    and conventions, and the run manifest (version, seed, scenario sha256, command
    line). report.xlsx has a sheet per table and a metadata sheet; a table longer than
    an Excel sheet (1,048,575 rows) or than --max-rows is left out and listed there
    with its parquet and CSV files (writing takes about a minute per 5 million cells).
    """
    from keiretsu.reports.excel import write_workbook
    from keiretsu.reports.html import write_html
    from keiretsu.reports.rundir import read_run_dir

    run = read_run_dir(run_dir)
    target = run_dir if out_dir is None else out_dir
    if not (want_html or want_xlsx):
        want_html = want_xlsx = True
    written: dict[str, Any] = {}
    if want_html:
        written["html"] = str(write_html(run, target / "report.html"))
        click.echo(f"wrote {written['html']}", err=True)
    if want_xlsx:

        def progress(table: str, rows: int) -> None:
            if rows >= 20_000:
                click.echo(f"  writing sheet {table} ({rows:,} rows)...", err=True)

        book = write_workbook(run, target / "report.xlsx", max_rows, on_sheet=progress)
        written["xlsx"] = str(book.path)
        written["sheets"] = book.sheets
        written["skipped_tables"] = book.skipped
        click.echo(f"wrote {book.path}", err=True)
        for name, why in book.skipped.items():
            click.echo(f"  table {name} not in the workbook: {why}", err=True)
    if as_json:
        _emit_json({"ok": True, "run_dir": str(run_dir), "kind": run.kind, **written})


if __name__ == "__main__":  # pragma: no cover
    main()
