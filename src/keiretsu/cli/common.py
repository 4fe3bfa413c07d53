"""The ``keiretsu`` group and what its commands share: errors and JSON output, run
directories, resumable runs (settings, checkpoint, lock, backend, progress), common options."""

from __future__ import annotations

import dataclasses
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

    def finish(
        self,
        backend,
        figures: dict,
        summary_json: dict,
        *,
        plan,
        definitions: dict,
        tables: list[str],
        extra: dict,
        command: str | None = None,
    ) -> None:
        """Write the run's figures, summary and manifest (:func:`_finish_run`, with how the
        run was made and resumed), then drop the checkpoint (:meth:`done`)."""
        _finish_run(
            self.out_dir,
            figures,
            summary_json,
            command=command or self.command,
            scenario=self.scenario,
            scenario_file=self.scenario_file,
            plan=plan,
            started=self.started,
            definitions=definitions,
            workers=backend.workers,
            tables=tables,
            extra={**self.manifest_extra(backend), **extra},
        )
        self.done()

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
