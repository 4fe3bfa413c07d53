"""``payback``: the co-investment business case (resumable, on any backend)."""

from __future__ import annotations

from pathlib import Path

import click

from keiretsu.cli.common import (
    CONTEXT,
    _backend_options,
    _emit_json,
    _open_backend,
    _progress,
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
        run.finish(
            backend,
            figures,
            summary_json,
            plan=plan,
            definitions=definitions,
            tables=writer.written,
            extra={"programs": chosen, "tornado": tornado},
        )
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
