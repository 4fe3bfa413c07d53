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


def _run_dir(out_dir: Path | None, stem: str, started, force: bool, *, clear: bool = True) -> Path:
    """The run directory: given, or runs/STEM-TIMESTAMP; refuses a non-empty one without
    --force; with it, an earlier run's outputs are removed (``clear=False``: the caller
    does it once it holds the directory's lock)."""
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
    if force and clear:
        _clear_previous_run(out_dir)
    return out_dir


RUN_OUTPUTS = (
    "*.parquet",
    "*.csv",
    "*.png",
    "manifest.json",
    "summary.json",
    "run.json",
    "report.html",
    "report.xlsx",
    "plan.yaml",
    "plans/plan-*.yaml",
)
"""What keiretsu writes in a run directory: ``--force`` removes an earlier run's files."""


def _clear_previous_run(out_dir: Path) -> None:
    """With --force, remove what an earlier run left in ``out_dir`` (a table or figure it
    had and this one will not write must not stay beside the new outputs); only in a
    directory a keiretsu run made (it holds manifest.json or run.json), never other files."""
    if not ((out_dir / "manifest.json").is_file() or (out_dir / "run.json").is_file()):
        return
    for pattern in RUN_OUTPUTS:
        for path in out_dir.glob(pattern):
            if path.is_file():
                path.unlink()


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
        n = scenario.run.replications if replications is None else replications
        seed = scenario.run.seed if seed is None else seed
        own = options(scenario, plan)
        out_dir = _run_dir(out_dir, stem(scenario), now, force, clear=False)
        checkpoint = Checkpoint(out_dir)
        _lock(checkpoint)
        checkpoint.reset()  # a fresh start (--force): nothing of an earlier run is reused
        _clear_previous_run(out_dir)
        size = chunk or chunk_size(scenario, max(n, 1), backend.workers)
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


def _run_progress(run: _Run, verb: str, total: int, exclude: tuple[str, ...] = ()):
    """The progress bar and its task, counting what a resumed run had done already
    (``exclude``: checkpoint stores that hold no replications)."""
    from keiretsu import experiments

    progress = _progress(verb)
    done = experiments.replications_done(run.checkpoint, run.n, exclude=exclude)
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
        _finish_run(
            out_dir,
            compare_figures(result, scenario),
            summary_json,
            command="compare",
            scenario=scenario,
            scenario_file=run.scenario_file,
            plan=next(p for p in [scenario.plan, *plans] if p.name == chosen),
            started=run.started,
            definitions=result.definitions,
            workers=backend.workers,
            tables=writer.written,
            extra={
                **run.manifest_extra(backend),
                "baseline": chosen,
                "plan_names": names,
                "plan_files": [str(run.scenario_file), *files],
                "plans": [p.model_dump(mode="json") for p in [scenario.plan, *plans]],
            },
        )
        run.done()
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


def _solver_options_decorators(command):
    """--time-limit, --gap, --threads and --solver (defaults: the scenario's optimize.solver)."""
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
        ]
    ):
        command = option(command)
    return command


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
    from keiretsu.experiments import optimize as study
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
    options = study.solver_options(
        scenario, solver=solver, time_limit_s=time_limit, gap=gap, threads=threads
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
    console.print("optimizing" + (" (risk model)" if use_risk else "") + "...")
    try:
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
    plan, base = study.distinct_names(result.plan, scenario.plan)
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
            loop = study.closed_loop(
                scenario,
                [base, plan],
                replications=replications,
                seed=seed,
                workers=workers,
                on_progress=lambda done: progress.update(task, completed=done),
            )
    shares = study.shares_table(scenario, [plan, base])
    costs = study.scenario_cost_table(result, base.name)
    incentives = study.incentive_table(result)
    programs = study.program_table(result)
    sim_objective = None
    if loop is not None:
        sim_objective = study.simulated_objective(
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
        f"drawn at replication indices from {study.SCENARIO_OFFSET:,} on, and the options' "
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
    from keiretsu.experiments import optimize as study

    def settings(scenario, _plan) -> dict[str, Any]:
        study.solver_options(  # checked before the run directory is made
            scenario, solver=solver, time_limit_s=time_limit, gap=gap, threads=threads
        )
        return {
            "points": points,
            "lambda_max": lambda_max,
            "scenarios": n_scenarios,
            "alpha": alpha,
            "solver": {
                "solver": solver,
                "time_limit_s": time_limit,
                "gap": gap,
                "threads": threads,
            },
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
        options = study.solver_options(scenario, **run.options["solver"])
        total = (points + 1) * replications or 1
        progress, task = _run_progress(
            run, "simulating the frontier's plans", total, (study.FRONTIER_POINTS_STORE,)
        )
        try:
            with progress:
                result = study.frontier(
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
    _finish_run(
        out_dir,
        frontier_figures(frame, baseline_model, baseline_sim, result.alpha),
        summary_json,
        command="frontier",
        scenario=scenario,
        scenario_file=run.scenario_file,
        plan=scenario.plan,
        started=run.started,
        definitions=summary_json["definitions"],
        workers=backend.workers,
        tables=writer.written,
        extra={**run.manifest_extra(backend), "files": files, "points": len(files)},
    )
    run.done()
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


@main.command(context_settings=CONTEXT)
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path))
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path),
    help="Segment under this plan file instead of the scenario's own plan.",
)
@click.option(
    "--impact-threshold",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="Profit-impact score at or above which a part is high impact.",
)
@click.option(
    "--risk-threshold",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="Supply-risk score at or above which a part is high risk.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Run directory (default: runs/SCENARIO-segment-TIMESTAMP).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Reuse a non-empty run directory (an earlier run's outputs in it are removed first).",
)
@set_option
@json_option
def segment(
    scenario_file: Path,
    plan_file: Path | None,
    impact_threshold: float,
    risk_threshold: float,
    out_dir: Path | None,
    force: bool,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """Kraljic segmentation of SCENARIO's parts and suppliers under its plan (or --plan).

    Each part gets a profit-impact score (expected annual spend and margin under the
    plan, on a log scale of their shares, and its criticality) and a supply-risk score
    (qualified sources, the plan's largest share, regions of the sources, tier-2
    concentration, disruption events a year from the scenario's disruption model), both
    in [0, 1], and a quadrant: strategic (high impact, high risk), leverage (high, low),
    bottleneck (low, high) or non-critical. Suppliers get spend-weighted scores and a
    tier (strategic partner, preferred, transactional) from the segments of their parts.
    No simulation: the numbers are expectations from the scenario.

    Prints the tables (on stderr with --json) and writes a run directory:
    manifest.json, summary.json, tables parts, suppliers and offers (parquet and CSV),
    the figure kraljic_matrix; `keiretsu report RUN_DIR` makes the HTML report and workbook.
    """
    import datetime as dt

    from rich.console import Console

    from keiretsu.analysis.segmentation import SegmentationOptions
    from keiretsu.analysis.segmentation import segment as run_segmentation
    from keiretsu.fileio import TableWriter
    from keiretsu.reports.console import print_segment_table
    from keiretsu.reports.partnership_figures import segment_figures
    from keiretsu.scenario.loader import load_plan, load_scenario

    scenario = load_scenario(scenario_file, overrides)
    plan = load_plan(plan_file, scenario) if plan_file else scenario.plan
    options = SegmentationOptions(impact_threshold=impact_threshold, risk_threshold=risk_threshold)
    started = dt.datetime.now(dt.UTC)
    out_dir = _run_dir(out_dir, f"{scenario_file.stem}-segment", started, force)
    result = run_segmentation(scenario, plan, options)
    with TableWriter(out_dir) as writer:
        writer.write("parts", result.parts)
        writer.write("suppliers", result.suppliers)
        writer.write("offers", result.offers)
    summary_json = {
        "scenario": scenario.meta.name,
        "plan": plan.name,
        "seed": None,
        "replications": None,
        "options": options.to_dict(),
        "definitions": result.definitions,
        "segments": result.counts(),
        "parts": result.parts.to_dict(orient="records"),
        "suppliers": result.suppliers.to_dict(orient="records"),
    }
    _finish_run(
        out_dir,
        segment_figures(result, scenario.meta.name),
        summary_json,
        command="segment",
        scenario=scenario,
        scenario_file=scenario_file,
        plan=plan,
        started=started,
        definitions=result.definitions,
        workers=None,
        tables=writer.written,
        extra={"overrides": list(overrides), "options": options.to_dict()},
    )
    title = f"{scenario.meta.name} — Kraljic segmentation of plan {plan.name!r}"
    wide = max(Console().width, 150)  # drivers and reasons are long: don't fold the table
    print_segment_table(
        result, title, Console(stderr=True, width=wide) if as_json else Console(width=wide)
    )
    if as_json:
        _emit_json({"ok": True, "run_dir": str(out_dir), **summary_json})
    else:
        Console(stderr=True).print(f"run directory: {out_dir}")


_CONTRACT_OPTIONS = {
    "part": "--part",
    "supplier": "--supplier",
    "season_periods": "--season-periods",
    "supplier_cost_per_unit": "--supplier-cost",
    "salvage_per_unit": "--salvage",
    "retailer_share": "--split",
    "rebate_threshold_units": "--rebate-threshold",
}


@main.command(context_settings=CONTEXT)
@click.argument("scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path))
@click.option("--part", required=True, help="The part (an id under parts: in the scenario).")
@click.option(
    "--supplier", help="The supplier of the part (default: the plan's main source of it)."
)
@click.option(
    "--season-periods",
    type=click.IntRange(min=1),
    help="Periods in the selling season the buyer commits for (default: one year).",
)
@click.option(
    "--supplier-cost",
    type=click.FloatRange(min=0),
    help="The supplier's production cost per unit (required: the scenario does not state it).",
)
@click.option(
    "--salvage",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Value of a unit left over at the end of the season, per unit.",
)
@click.option(
    "--split",
    type=click.FloatRange(0.0, 1.0, min_open=True),
    default=0.5,
    show_default=True,
    help="The buyer's share of the channel profit the coordinating contracts aim for.",
)
@click.option(
    "--rebate-threshold",
    type=click.FloatRange(min=0),
    help="Sales units above which the sales rebate is paid (default: the mean season demand, or the coordinating threshold closest to it).",
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path),
    help="Take the main source from this plan file instead of the scenario's own plan.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Also write a run directory here (tables, figure; nothing is written without it).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Reuse a non-empty run directory (an earlier run's outputs in it are removed first).",
)
@set_option
@json_option
def contracts(
    scenario_file: Path,
    part: str,
    supplier: str | None,
    season_periods: int | None,
    supplier_cost: float | None,
    salvage: float,
    split: float,
    rebate_threshold: float | None,
    plan_file: Path | None,
    out_dir: Path | None,
    force: bool,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """Contract design analytics (Cachon 2003) for one --part of SCENARIO.

    The buyer orders before a selling season of --season-periods periods (demand: the sum
    of that many per-period draws of the part's demand; exact for fixed, normal, Poisson,
    gamma, exponential, negative binomial and geometric demand, a moment-matched normal
    otherwise) at the supplier's price; unsold units fetch --salvage, unmet demand is
    lost; the retail price is the part's revenue per unit. Prints the integrated
    optimum Q° and Π°; for the offer's current wholesale price the buyer's order, each
    party's expected profit and the channel efficiency; the supplier-optimal wholesale
    price; and for each contract family (wholesale price, buyback, revenue sharing,
    quantity flexibility, sales rebate) the terms that coordinate the channel with the
    buyer's share --split of its profit, or why that family cannot.

    Writes nothing unless --out: then a run directory (manifest.json, summary.json,
    tables summary and contracts, figure contract_profits) for `keiretsu report`.
    """
    import datetime as dt

    from rich.console import Console

    from keiretsu.experiments.contracts import ArgumentError
    from keiretsu.experiments.contracts import contracts as run_contracts
    from keiretsu.reports.console import print_contracts_table
    from keiretsu.scenario.loader import load_plan, load_scenario

    scenario = load_scenario(scenario_file, overrides)
    plan = load_plan(plan_file, scenario) if plan_file else scenario.plan
    if supplier_cost is None:
        raise InputError(
            Problem(
                "--supplier-cost",
                0,
                0,
                "",
                "give the supplier's production cost per unit: the scenario does not state it",
            )
        )
    started = dt.datetime.now(dt.UTC)
    try:
        result = run_contracts(
            scenario,
            part,
            supplier=supplier,
            season_periods=season_periods,
            supplier_cost_per_unit=supplier_cost,
            salvage_per_unit=salvage,
            retailer_share=split,
            rebate_threshold_units=rebate_threshold,
            plan=plan,
        )
    except ArgumentError as exc:
        where = _CONTRACT_OPTIONS.get(exc.argument, exc.argument)
        raise InputError(Problem(where, 0, 0, "", str(exc))) from None
    payload = {
        "scenario": scenario.meta.name,
        "part": result.part,
        "supplier": result.supplier,
        "seed": None,
        "replications": None,
        "definitions": result.definitions,
        "channel": result.summary.to_dict(orient="records")[0],
        "contracts": result.contracts.to_dict(orient="records"),
    }
    if out_dir is not None:
        from keiretsu.fileio import TableWriter
        from keiretsu.reports.partnership_figures import contracts_figures

        out_dir = _run_dir(out_dir, "unused", started, force)
        with TableWriter(out_dir) as writer:
            writer.write("summary", result.summary)
            writer.write("contracts", result.contracts)
        _finish_run(
            out_dir,
            contracts_figures(result),
            payload,
            command="contracts",
            scenario=scenario,
            scenario_file=scenario_file,
            plan=plan,
            started=started,
            definitions=result.definitions,
            workers=None,
            tables=writer.written,
            extra={
                "overrides": list(overrides),
                "part": result.part,
                "supplier": result.supplier,
                "season_periods": result.season.periods,
                "supplier_cost_per_unit": supplier_cost,
                "salvage_per_unit": salvage,
                "split": split,
                "rebate_threshold_units": result.rebate_threshold_units,
            },
        )
        payload = {"run_dir": str(out_dir), **payload}
    title = (
        f"{scenario.meta.name} — contracts for {result.part} from {result.supplier}, "
        f"season of {result.season.periods} {scenario.horizon.period}s"
    )
    wide = max(Console().width, 160)  # the table at its natural width
    print_contracts_table(
        result, title, Console(stderr=True, width=wide) if as_json else Console(width=wide)
    )
    if as_json:
        _emit_json({"ok": True, **payload})
    elif out_dir is not None:
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
    type=click.IntRange(0, 1_048_575),
    default=100_000,
    show_default=True,
    help="Leave tables longer than this out of the workbook (listed on its metadata sheet, "
    "with their parquet and CSV files); 0: every table that fits an Excel sheet "
    "(1,048,575 rows), which can take minutes.",
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
    --max-rows (default 100,000 rows: the per-period tables of most runs) is left out
    and listed there with its parquet and CSV files. Writing takes about a minute per 5
    million cells: --max-rows 0 writes every table that fits a sheet (1,048,575 rows).
    """
    from keiretsu.reports.excel import EXCEL_MAX_ROWS, write_workbook
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

        limit = max_rows if max_rows > 0 else EXCEL_MAX_ROWS
        book = write_workbook(run, target / "report.xlsx", limit, on_sheet=progress)
        written["xlsx"] = str(book.path)
        written["sheets"] = book.sheets
        written["skipped_tables"] = book.skipped
        click.echo(f"wrote {book.path}", err=True)
        for name, why in book.skipped.items():
            click.echo(f"  table {name} not in the workbook: {why}", err=True)
        if 0 < max_rows < EXCEL_MAX_ROWS and any(
            run.tables[n].rows <= EXCEL_MAX_ROWS for n in book.skipped
        ):
            click.echo("  (--max-rows 0 writes every table that fits a sheet)", err=True)
    if as_json:
        _emit_json({"ok": True, "run_dir": str(run_dir), "kind": run.kind, **written})


@main.command(context_settings=CONTEXT)
@click.argument(
    "scenario_file", metavar="SCENARIO", type=click.Path(path_type=Path), required=False
)
@click.option(
    "--program",
    "program_ids",
    multiple=True,
    help="Program to evaluate (an id under programs:; repeatable; default: every program).",
)
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path),
    help="Evaluate against this plan instead of the scenario's own (its other programs stay).",
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
    "--tornado-replications",
    type=click.IntRange(min=2),
    default=40,
    show_default=True,
    help="Replications of each tornado run (one per input at its P10 and at its P90).",
)
@click.option("--no-tornado", is_flag=True, help="Skip the tornado (much faster).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    help="Run directory (default: runs/SCENARIO-payback-TIMESTAMP).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Reuse a non-empty run directory (an earlier run's outputs in it are removed first).",
)
@set_option
@json_option
@click.pass_context
def payback(
    ctx: click.Context,
    scenario_file: Path | None,
    program_ids: tuple[str, ...],
    plan_file: Path | None,
    replications: int | None,
    seed: int | None,
    workers: int,
    cluster: str | None,
    scheduler: str | None,
    chunk: int | None,
    resume: Path | None,
    tornado_replications: int,
    no_tornado: bool,
    out_dir: Path | None,
    force: bool,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """The co-investment business case of each PROGRAM of SCENARIO, per party.

    The scenario runs with the program funded and without it on the same random
    numbers; the difference is each party's cash flow per period: the buyer's margin
    change (its share of capex and running cost, lower prices, avoided shortages and
    disruption losses), the supplier's (its share of the cost, the saving it keeps, its
    margin on extra volume), and the joint project. Per party: NPV at its own rate
    (first flow undiscounted, at the program's start), IRR and MIRR, simple and
    discounted payback, profitability index; over replications the mean, P10/P50/P90
    (Pxx = xx-th percentile), P(NPV < 0), P(payback <= 18 months), P(completed) and
    whether each party would sign (NPV >= its reservation NPV). A tornado varies each
    uncertain input at its P10 and P90.

    Writes a run directory (tables summary, measures, cash_flows, flows, outcomes,
    tornado; figures cash_flow_fan, npv_histogram, tornado; report.xlsx with a sheet per
    table and the metadata) and prints the summary per party.

    Runs where simulate runs (-j, --cluster, --scheduler) and resumes like it:
    `keiretsu payback --resume RUN_DIR` finishes an interrupted business case
    simulation by simulation, chunk by chunk.
    """
    import pandas as pd
    from rich.console import Console

    from keiretsu.experiments.payback import payback as business_case
    from keiretsu.fileio import TableWriter
    from keiretsu.reports.console import print_payback_table
    from keiretsu.reports.excel import write_workbook
    from keiretsu.reports.figures import payback_figures
    from keiretsu.reports.rundir import read_run_dir

    with _open_backend(workers, scheduler, cluster) as backend:
        run = _start_run(
            ctx,
            "payback",
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
            stem=lambda _: f"{scenario_file.stem}-payback",
            options=lambda sc, _: {
                "programs": _payback_programs(sc, scenario_file, program_ids),
                "tornado": not no_tornado,
                "tornado_replications": tornado_replications,
            },
        )
        scenario, plan, n, seed, out_dir = run.scenario, run.plan, run.n, run.seed, run.out_dir
        chosen, tornado = run.options["programs"], run.options["tornado"]
        tornado_replications = run.options["tornado_replications"]
        results = []
        progress = _progress("building the business case")
        with progress, TableWriter(out_dir) as writer:
            for program_id in chosen:
                inputs = _tornado_runs(scenario, program_id) if tornado else 0
                m = min(n, tornado_replications)
                total = 2 * n + (m * (inputs + 2) if inputs else 0)
                task = progress.add_task(program_id, total=total)
                result = business_case(
                    scenario,
                    program_id,
                    plan,
                    seed=seed,
                    replications=n,
                    backend=backend,
                    checkpoint=run.checkpoint,
                    batch=run.chunk_size,
                    tornado=tornado,
                    tornado_replications=tornado_replications,
                    on_progress=lambda done, task=task: progress.update(task, completed=done),
                )
                results.append(result)

            def stacked(name: str) -> pd.DataFrame:
                frames = [getattr(r, name).assign(program=r.program.id) for r in results]
                frames = [f[["program", *[c for c in f.columns if c != "program"]]] for f in frames]
                return pd.concat(frames, ignore_index=True)

            for name in ("summary", "measures", "cash_flows", "flows", "outcomes"):
                writer.write(name, stacked(name))
            tornadoes = [
                r.tornado.assign(program=r.program.id) for r in results if r.tornado is not None
            ]
            if tornadoes:
                writer.write("tornado", pd.concat(tornadoes, ignore_index=True))
        figures = {}
        for result in results:
            prefix = "" if len(results) == 1 else f"{result.program.id}_"
            figures |= {f"{prefix}{k}": v for k, v in payback_figures(result, scenario).items()}
        definitions = results[0].definitions | {"programs": chosen}
        definitions.pop("program", None)
        summary_json = {
            "scenario": scenario.meta.name,
            "plan": plan.name,
            "programs": chosen,
            "replications": n,
            "seed": seed,
            "definitions": definitions,
            "summary": [
                {"program": r.program.id, **row}
                for r in results
                for row in r.summary.to_dict(orient="records")
            ],
        }
        _finish_run(
            out_dir,
            figures,
            summary_json,
            command="payback",
            scenario=scenario,
            scenario_file=run.scenario_file,
            plan=plan,
            started=run.started,
            definitions=definitions,
            workers=backend.workers,
            tables=writer.written,
            extra={**run.manifest_extra(backend), "programs": chosen, "tornado": tornado},
        )
        run.done()
    workbook = write_workbook(read_run_dir(out_dir), out_dir / "report.xlsx")
    out = Console(stderr=True) if as_json else Console()
    for result in results:
        title = (
            f"{scenario.meta.name} — {result.program.id}: business case per party, "
            f"{n} replications, seed {seed}"
        )
        print_payback_table(result.summary, title, scenario.meta.currency, out)
    if as_json:
        _emit_json(
            {"ok": True, "run_dir": str(out_dir), "workbook": str(workbook.path), **summary_json}
        )
    else:
        Console(stderr=True).print(f"run directory: {out_dir} (workbook: {workbook.path.name})")


def _payback_programs(scenario, scenario_file: Path, program_ids: tuple[str, ...]) -> list[str]:
    """The programs to evaluate (default: every one), each checked to exist."""
    known = [p.id for p in scenario.programs]
    chosen = list(program_ids) or known
    if not chosen:
        raise InputError(Problem(str(scenario_file), 0, 0, "programs", "no programs defined"))
    unknown = [p for p in chosen if p not in known]
    if unknown:
        raise InputError(
            [
                Problem(
                    "--program", 0, 0, "", f"unknown program {p!r} (programs: {', '.join(known)})"
                )
                for p in unknown
            ]
        )
    return chosen


def _tornado_runs(scenario, program_id: str) -> int:
    """How many inputs the tornado of ``program_id`` varies (for the progress bar)."""
    from keiretsu.experiments.payback import _uncertain_inputs

    spec = next(p for p in scenario.programs if p.id == program_id)
    return 2 * len(_uncertain_inputs(spec)[1])


if __name__ == "__main__":  # pragma: no cover
    main()
