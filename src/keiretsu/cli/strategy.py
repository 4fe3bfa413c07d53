"""Sourcing strategy: Kraljic ``segment`` and newsvendor ``contracts``."""

from __future__ import annotations

from pathlib import Path

import click

from keiretsu.cli.common import (
    CONTEXT,
    _emit_json,
    _finish_run,
    _run_dir,
    json_option,
    main,
    set_option,
)
from keiretsu.errors import InputError, Problem


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
