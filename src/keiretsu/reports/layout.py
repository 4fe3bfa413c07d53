"""What a report shows for each kind of run, and in which order.

:data:`LAYOUTS` maps a run kind (``manifest["kind"]``) to a :class:`Layout`: a title
template, the headline KPIs and the sections, each naming the figures and tables it
shows. The HTML report follows it section by section; the Excel workbook orders its
sheets by it. Nothing is lost by a layout: every table and figure of the run that it
does not name is appended in an "Other tables and figures" section, and a kind with no
layout (a new command) gets the generic one: every figure, then every table. So a new
run kind needs no code to get a report, and a few lines here to get a good one.

A :class:`TableView` with ``group_by`` is shown in HTML as the mean of every numeric
column per group (the per-replication tables become one row per part or supplier);
one without is shown whole when it has at most :data:`MAX_HTML_ROWS` rows, otherwise
replaced by a note giving its size and its files. ``columns`` picks what HTML shows;
the workbook always holds every column.
"""

from __future__ import annotations

from dataclasses import dataclass

from keiretsu.reports.formatting import humanize
from keiretsu.reports.rundir import RunDir

MAX_HTML_ROWS = 200
"""Longest table (after grouping) rendered in HTML; longer ones get a note instead."""


@dataclass(frozen=True, slots=True)
class FigureView:
    name: str
    caption: str = ""


@dataclass(frozen=True, slots=True)
class TableView:
    table: str
    title: str
    columns: tuple[str, ...] = ()
    group_by: tuple[str, ...] = ()
    count: str | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    text: str = ""
    figures: tuple[FigureView, ...] = ()
    tables: tuple[TableView, ...] = ()


@dataclass(frozen=True, slots=True)
class Layout:
    title: str
    """A ``str.format`` template over :attr:`RunDir.fields` (scenario, plan, seed, ...)."""
    headline: tuple[str, ...] = ()
    """KPIs of the long ``summary`` table (one row per ``kpi``) shown as cards on top."""
    sections: tuple[Section, ...] = ()
    label: str = ""
    """What the run is, in a few words (default: the kind)."""
    headline_by: str = ""
    """A column of the summary table (e.g. ``plan``): one row of headline cards per value."""
    headline_deltas: str = ""
    """A table with ``headline_by``, ``kpi``, ``delta_mean``, ``delta_ci95_half_width`` and
    ``probability_better``: its numbers are added to the cards of the rows it has."""


_SUMMARY_COLUMNS = ("kpi", "mean", "ci95_half_width", "p10", "p50", "p90")
_PER_PERIOD = "Per-period results"
_PER_PERIOD_TEXT = (
    "One row per replication and period (after the warm-up): too long to read here; "
    "the tables are in the run directory as parquet and CSV, and in the workbook where "
    "they fit a sheet."
)
_EVENTS = TableView(
    "events",
    "Disruption events (all replications)",
    columns=("duration_days", "censored"),
    group_by=("disruption", "kind", "target"),
    count="events",
    text="Mean duration and share censored by the horizon, per disruption.",
)

LAYOUTS: dict[str, Layout] = {
    "simulate": Layout(
        title="{scenario} — simulation of plan “{plan}”",
        label="simulation",
        headline=("fill_rate", "otif", "total_cost", "margin"),
        sections=(
            Section(
                "Key performance indicators",
                "Per KPI over the replications: the mean with the half-width of its 95% "
                "confidence interval, and the percentiles P10, P50 and P90.",
                tables=(TableView("summary", "KPIs over replications", _SUMMARY_COLUMNS),),
            ),
            Section(
                "Service level",
                figures=(FigureView("service_level", "Network unit fill rate over time."),),
            ),
            Section(
                "Cost",
                figures=(FigureView("cost_breakdown", "Cost per category over the horizon."),),
            ),
            Section(
                "Inventory",
                figures=(FigureView("inventory", "On-hand value and days of cover."),),
            ),
            Section(
                "Contracts and supplier performance",
                "Each contracted supplier's scorecard at each contract review (weighted cost, "
                "quality, delivery, innovation and sustainability scores, 0-100), the money "
                "each contract moved at its reviews by component, the escalations the "
                "management track took and the supplier-driven improvements.",
                figures=(
                    FigureView("scorecards", "Scorecards per review and settlements per supplier."),
                ),
                tables=(
                    TableView(
                        "contract_reviews",
                        "Contract reviews (mean over replications)",
                        columns=(
                            "score",
                            "otif",
                            "defect_ppm",
                            "improvements_per_year",
                            "annual_cost_reduction",
                            "volume_rebate",
                            "take_or_pay",
                            "performance_bonus",
                            "performance_penalty",
                            "gain_share",
                            "buyer_pays",
                            "supplier_receives",
                            "supplier_savings",
                        ),
                        group_by=("supplier",),
                    ),
                    TableView(
                        "improvements",
                        "Supplier-driven improvements",
                        columns=("effect",),
                        group_by=("supplier", "kind"),
                        count="improvements",
                    ),
                ),
            ),
            Section(
                "Parts and suppliers",
                tables=(
                    TableView(
                        "parts",
                        "Parts (mean over replications)",
                        columns=(
                            "demand_units",
                            "fill_rate",
                            "lost_sales_units",
                            "mean_backorder_units",
                            "mean_days_of_cover",
                            "purchase_cost",
                            "shortage_cost",
                            "revenue",
                        ),
                        group_by=("part",),
                    ),
                    TableView(
                        "suppliers",
                        "Suppliers (mean over replications)",
                        columns=(
                            "otif",
                            "lead_time_mean_days",
                            "lead_time_cv",
                            "defect_ppm",
                            "capacity_available",
                            "spend",
                            "tco",
                        ),
                        group_by=("supplier", "region", "part"),
                    ),
                ),
            ),
            Section("Disruptions", tables=(_EVENTS,)),
            Section(
                "Per-replication results",
                tables=(TableView("replications", "Replications"),),
            ),
            Section(
                _PER_PERIOD,
                _PER_PERIOD_TEXT,
                tables=(
                    TableView("periods", "Network per period"),
                    TableView("part_periods", "Parts per period"),
                    TableView("supplier_periods", "Suppliers per period"),
                ),
            ),
        ),
    ),
    "drill": Layout(
        title="{scenario} — drill “{event}” against its no-drill twin",
        label="disruption drill",
        headline=("margin_at_risk", "unfilled_units", "time_to_recover_days", "recovered"),
        sections=(
            Section(
                "Impact of the drill",
                "Differences between each replication with the drill and the same "
                "replication without it (same random numbers): mean with the half-width "
                "of its 95% confidence interval, and P10, P50, P90.",
                tables=(TableView("summary", "Impact over replications", _SUMMARY_COLUMNS),),
            ),
            Section(
                "Recovery",
                figures=(
                    FigureView(
                        "recovery",
                        "Rolling fill rate of the most-hit part, with and without the drill.",
                    ),
                ),
            ),
            Section(
                "Per-replication impact",
                tables=(TableView("impact", "Impact per replication"),),
            ),
            Section("Disruptions", tables=(_EVENTS,)),
            Section(
                _PER_PERIOD,
                _PER_PERIOD_TEXT,
                tables=(TableView("recovery", "Rolling fill rate per part and period"),),
            ),
        ),
    ),
    "sweep": Layout(
        title="{scenario} — each of the {sweep} knocked out for {weeks:g} weeks from {start_date}",
        label="knock-out sweep",
        sections=(
            Section(
                "Which single failure hurts most",
                "Each node knocked out in turn against the same no-drill twin, ranked by "
                "mean margin at risk. All statistics of every measure (mean, P10, P50, "
                "P90) are in the workbook and in ranking.csv.",
                figures=(FigureView("sweep_ranking", "Margin at risk per knocked-out node."),),
                tables=(
                    TableView(
                        "ranking",
                        "Ranking",
                        columns=(
                            "rank",
                            "node",
                            "margin_at_risk_mean",
                            "margin_at_risk_p90",
                            "revenue_at_risk_mean",
                            "unfilled_units_mean",
                            "fill_rate_loss_mean",
                            "recovered_mean",
                            "time_to_recover_days_p50",
                            "time_below_failure_days_mean",
                        ),
                    ),
                ),
            ),
            Section(
                "Risk exposure: time to survive, time to recover, likelihood",
                "Per node: the analytic time to survive with it down (LP of Simchi-Levi et al. "
                "2015 on the network at the knock-out's start), its reported time to recover, "
                "the exposure gap max(TTR - TTS, 0), the least lost margin over the TTR and the "
                "risk exposure index (that impact over the largest), next to the simulated "
                "REI and the likelihood under the scenario's disruption model.",
                figures=(
                    FigureView(
                        "likelihood_impact",
                        "Likelihood (events a year) against impact (mean margin at risk).",
                    ),
                    FigureView(
                        "sweep_recovery",
                        "Recovery of the most-hit part of the three worst knock-outs.",
                    ),
                ),
                tables=(
                    TableView(
                        "ranking",
                        "Risk exposure",
                        columns=(
                            "rank",
                            "node",
                            "likelihood_per_year",
                            "tts_days",
                            "tts_unbounded",
                            "ttr_days",
                            "exposure_gap_days",
                            "lost_margin_at_ttr",
                            "rei",
                            "rei_simulated",
                        ),
                    ),
                ),
            ),
            Section(
                "Per-replication impact",
                tables=(TableView("impact", "Impact per node and replication"),),
            ),
        ),
    ),
    "payback": Layout(
        title="{scenario} — co-investment business case",
        label="co-investment payback",
        sections=(
            Section(
                "Business case per party",
                "Per program and party: NPV at the party's own rate from the program's start "
                "(mean, 95% CI, P10/P50/P90), P(NPV < 0), IRR, payback against the 18-month "
                "rule of thumb, the share of replications in which the program completes, "
                "and whether the party would sign (its mean NPV at least its reservation NPV).",
                tables=(
                    TableView(
                        "summary",
                        "Summary",
                        columns=(
                            "program",
                            "party",
                            "discount_rate",
                            "mean",
                            "npv_ci95_half_width",
                            "p10",
                            "p50",
                            "p90",
                            "prob_npv_negative",
                            "irr_median",
                            "payback_years_median",
                            "prob_payback_within",
                            "prob_completed",
                            "would_sign",
                            "sign_resolved",
                        ),
                    ),
                ),
            ),
            Section(
                "Cash flows",
                "Cumulative cash flow per party over time (median, P10-P90) and the NPV over "
                "replications.",
                figures=(
                    FigureView("cash_flow_fan", "Cumulative cash flow per party."),
                    FigureView("npv_histogram", "NPV per party over replications."),
                ),
            ),
            Section(
                "What moves the NPV",
                "Each uncertain input at its P10 and its P90, the others at base.",
                figures=(FigureView("tornado", "Tornado of the buyer's NPV."),),
                tables=(TableView("tornado", "Tornado (every party)"),),
            ),
            Section(
                "Per replication",
                tables=(
                    TableView(
                        "measures",
                        "Finance measures (mean over replications)",
                        columns=(
                            "npv",
                            "irr",
                            "mirr",
                            "payback_years",
                            "discounted_payback_years",
                            "profitability_index",
                        ),
                        group_by=("program", "party"),
                    ),
                    TableView(
                        "outcomes",
                        "Program outcomes",
                        columns=("completed", "completion_day"),
                        group_by=("program",),
                    ),
                ),
            ),
        ),
    ),
    "compare": Layout(
        title="{scenario} — plans compared with “{baseline}” on common random numbers",
        label="plan comparison",
        headline=("fill_rate", "otif", "total_cost", "margin"),
        headline_by="plan",
        headline_deltas="deltas",
        sections=(
            Section(
                "Differences against the baseline",
                "Every plan ran on the same replications (common random numbers), so each "
                "replication is compared with itself under the baseline. Δ is the mean of "
                "the per-replication differences, plan minus baseline (percentage points "
                "for shares), with the half-width of its paired-t 95% confidence interval: "
                "an interval that excludes 0 is a difference the run has resolved. "
                "P(better) is the share of replications in which the plan beats the "
                "baseline, ties counted as half: higher fill rate, OTIF, revenue and "
                "margin; lower costs, shortages and inventory.",
                tables=(
                    TableView(
                        "deltas",
                        "Paired differences per plan and KPI",
                        columns=(
                            "kpi",
                            "plan",
                            "baseline_mean",
                            "plan_mean",
                            "delta_mean",
                            "delta_ci95_half_width",
                            "probability_better",
                        ),
                    ),
                ),
            ),
            Section(
                "Cost against service",
                figures=(
                    FigureView(
                        "cost_vs_service",
                        "Total cost against fill rate, one point per replication and plan; "
                        "the large markers are the plans' means.",
                    ),
                ),
            ),
            Section(
                "Service level over time",
                figures=(
                    FigureView(
                        "service_bands",
                        "Rolling network fill rate per plan: median and P10–P90 band over "
                        "the replications, the baseline's median dashed.",
                    ),
                ),
            ),
            Section(
                "Cost",
                figures=(FigureView("cost_breakdown", "Mean cost per category and plan."),),
            ),
            Section(
                "Key performance indicators per plan",
                "Per plan and KPI over the replications: the mean with the half-width of "
                "its 95% confidence interval, and the percentiles P10, P50 and P90.",
                tables=(
                    TableView(
                        "summary", "KPIs per plan over replications", ("plan", *_SUMMARY_COLUMNS)
                    ),
                ),
            ),
            Section(
                "Parts",
                tables=(
                    TableView(
                        "parts",
                        "Parts per plan (mean over replications)",
                        columns=(
                            "fill_rate",
                            "lost_sales_units",
                            "mean_backorder_units",
                            "mean_days_of_cover",
                            "purchase_cost",
                            "shortage_cost",
                            "revenue",
                        ),
                        group_by=("plan", "part"),
                    ),
                ),
            ),
            Section(
                "Per-replication results",
                tables=(TableView("replications", "Replications of every plan"),),
            ),
            Section(
                _PER_PERIOD,
                _PER_PERIOD_TEXT,
                tables=(TableView("periods", "Network per period, every plan"),),
            ),
        ),
    ),
    "optimize": Layout(
        title="{scenario} — optimized plan “{plan}” against the scenario's plan “{scenario_plan}”",
        label="sourcing optimization",
        headline=("fill_rate", "total_cost", "margin"),
        sections=(
            Section(
                "Closed loop: both plans in the simulator",
                "The optimized plan and the scenario's own plan simulated with the same seed and "
                "replications (common random numbers): mean with the half-width of its 95% "
                "confidence interval and percentiles per plan, and the paired difference "
                "(optimized − scenario plan) per replication. The headline cards are the "
                "optimized plan's.",
                figures=(FigureView("closed_loop", "Fill rate, total cost and margin per plan."),),
                tables=(
                    TableView("closed_loop", "Simulated KPIs per plan"),
                    TableView("closed_loop_differences", "Paired differences"),
                    TableView(
                        "simulated_objective",
                        "The objective asked for, simulated: net cost (−margin) per "
                        "replication, mean + risk weight × CVaR, with paired bootstrap 95% "
                        "intervals",
                    ),
                ),
            ),
            Section(
                "Incentives and co-investment",
                "Per supplier with an incentive menu, each contract option's terms as the "
                "simulator's contract model gives them (per unit bought: gain share, "
                "administration, performance, reliability, indexation; priority weight in a "
                "shortage; fees a year) and the option chosen; per program, the buyer's and "
                "the supplier's expected NPV at each buyer cost share (from the payback "
                "study), participation, the buyer's capex by year and the share funded.",
                tables=(
                    TableView("incentives", "Incentive options"),
                    TableView("incentive_costs", "Incentive terms in the model, per year"),
                    TableView("programs", "Program options"),
                ),
            ),
            Section(
                "Allocation",
                "Units and shares per part, supplier and plan year chosen by the model "
                "(annual buckets), and the order shares of both plans.",
                figures=(FigureView("allocation", "Order shares, mean over the plan years."),),
                tables=(
                    TableView(
                        "allocation",
                        "Allocation",
                        columns=(
                            "part",
                            "supplier",
                            "region",
                            "year",
                            "units",
                            "share",
                            "purchase_cost",
                            "unit_cost",
                        ),
                    ),
                    TableView("shares", "Order shares of both plans"),
                ),
            ),
            Section(
                "Objective",
                "The model's objective split into its terms, for the optimized plan and the "
                "scenario's own plan priced in the same model (its policy rules not imposed).",
                tables=(TableView("cost_breakdown", "Cost breakdown (model)"),),
            ),
            Section(
                "Risk model",
                "Model cost in each disruption scenario (sampled from the scenario's disruption "
                "model, out of sample of the simulation) and the recourse used.",
                figures=(FigureView("scenario_costs", "Cost per disruption scenario."),),
                tables=(
                    TableView(
                        "scenario_costs",
                        "Scenario costs (mean per plan)",
                        columns=("cost", "cvar"),
                        group_by=("plan",),
                        count="scenarios",
                    ),
                    TableView(
                        "recourse",
                        "Recourse per part (mean over scenarios and years)",
                        columns=(
                            "lost_allocation_units",
                            "backup_units",
                            "expedite_units",
                            "reservation_units",
                            "unserved_units",
                        ),
                        group_by=("part",),
                    ),
                ),
            ),
            Section(
                "Model inputs",
                "What the scenario became in the model: demand and shortage penalty per part "
                "and year, offers (first usable year, annual capacity after the utilisation "
                "cushion), planned shortages and commitments.",
                tables=(
                    TableView("demand", "Demand per part and year"),
                    TableView("offers", "Offers"),
                    TableView("shortage", "Planned shortage"),
                    TableView("commitments", "Commitments"),
                ),
            ),
        ),
    ),
    "frontier": Layout(
        title="{scenario} — cost–risk frontier ({points} points)",
        label="cost–risk frontier",
        sections=(
            Section(
                "Frontier",
                "Each point is the two-stage risk model solved at one CVaR weight λ on the same "
                "disruption scenarios (left: the model's expected cost and CVaR), its plan "
                "simulated with the same seed as every other point and the scenario's own plan "
                "(right: simulated mean total cost with its 95% CI and P10 margin). Plan files "
                "are in plans/.",
                figures=(
                    FigureView("frontier", "The frontier, in the model and in the simulator."),
                ),
                tables=(
                    TableView(
                        "frontier",
                        "Points",
                        columns=(
                            "lambda",
                            "expected_cost",
                            "cvar",
                            "gap",
                            "simulated_total_cost_mean",
                            "simulated_total_cost_ci95",
                            "simulated_fill_rate_mean",
                            "simulated_margin_p10",
                            "incentives",
                            "programs",
                            "plan_file",
                        ),
                    ),
                ),
            ),
            Section(
                "Simulated KPIs per plan",
                tables=(TableView("closed_loop", "Simulated KPIs per plan"),),
            ),
        ),
    ),
    "segment": Layout(
        title="{scenario} — Kraljic segmentation of plan “{plan}”",
        label="Kraljic segmentation",
        sections=(
            Section(
                "Kraljic matrix",
                "Every part placed by its supply-risk score (across) and profit-impact "
                "score (up), both in [0, 1]; the dashed lines are the thresholds above "
                "which a score is high. Strategic: high impact, high risk (partner); "
                "leverage: high impact, low risk (use buying power); bottleneck: low "
                "impact, high risk (secure supply); non-critical: low, low (simplify). "
                "How each score is built is under Definitions and conventions.",
                figures=(
                    FigureView(
                        "kraljic_matrix",
                        "Parts on the Kraljic matrix; point area proportional to annual spend.",
                    ),
                ),
            ),
            Section(
                "Parts",
                tables=(
                    TableView(
                        "parts",
                        "Segment per part",
                        columns=(
                            "part",
                            "criticality",
                            "suppliers",
                            "annual_spend",
                            "spend_share",
                            "impact_score",
                            "risk_score",
                            "segment",
                            "risk_drivers",
                        ),
                        text="Suppliers with their share of the part's expected volume over "
                        "the horizon; spend per year averaged over the horizon; the main risk "
                        "drivers are the largest weighted components of the risk score.",
                    ),
                ),
            ),
            Section(
                "Suppliers and tiers",
                tables=(
                    TableView(
                        "suppliers",
                        "Tier per supplier",
                        columns=(
                            "supplier",
                            "region",
                            "qualification",
                            "parts",
                            "annual_spend",
                            "spend_share",
                            "impact_score",
                            "risk_score",
                            "segment",
                            "tier",
                            "tier_reason",
                        ),
                        text="Scores are the spend-weighted means of the supplier's offers. "
                        "Strategic partner: main source of a strategic part; preferred: volume "
                        "in a strategic, leverage or bottleneck part; transactional: the rest.",
                    ),
                ),
            ),
            Section(
                "Score components",
                tables=(
                    TableView(
                        "parts",
                        "Components of the scores per part",
                        columns=(
                            "part",
                            "annual_units",
                            "annual_margin",
                            "spend_score",
                            "margin_score",
                            "criticality_score",
                            "qualified_sources",
                            "source_regions",
                            "largest_share",
                            "tier2_share",
                            "tier2_source",
                            "disruption_events_per_year",
                            "sources_score",
                            "concentration_score",
                            "regions_score",
                            "tier2_score",
                            "disruption_score",
                        ),
                    ),
                    TableView(
                        "offers",
                        "Supplier-part offers",
                        columns=(
                            "supplier",
                            "part",
                            "region",
                            "qualified",
                            "volume_share",
                            "annual_spend",
                            "impact_score",
                            "risk_score",
                            "segment",
                            "risk_drivers",
                        ),
                    ),
                ),
            ),
        ),
    ),
    "contracts": Layout(
        title="{scenario} — contract design for {part} from {supplier}",
        label="contract design analytics (Cachon 2003)",
        sections=(
            Section(
                "Contracts compared",
                "Each party's expected profit over one selling season under the offer's "
                "current wholesale price, the price the supplier would set for itself, and "
                "the terms of each contract family that coordinate the channel (the buyer "
                "orders what an integrated firm would, Q°) with the requested split of its "
                "profit Π°. Efficiency is the channel's profit at the buyer's order / Π°. A "
                "family that cannot coordinate with that split says why.",
                figures=(
                    FigureView(
                        "contract_profits",
                        "Expected profit per season of the buyer and the supplier per "
                        "contract; the dashed line is the integrated channel's Π°.",
                    ),
                ),
                tables=(
                    TableView(
                        "contracts",
                        "Contracts",
                        columns=(
                            "contract",
                            "coordinates",
                            "order_units",
                            "retailer_profit",
                            "supplier_profit",
                            "efficiency",
                            "retailer_share",
                            "note",
                        ),
                        text="The buyer is Cachon's retailer. Coordinates: the buyer's own "
                        "best order is Q°.",
                    ),
                ),
            ),
            Section(
                "Contract terms",
                tables=(
                    TableView(
                        "contracts",
                        "Terms per contract (per unit; – where a family has no such term)",
                        columns=(
                            "contract",
                            "wholesale_price_per_unit",
                            "buyback_price_per_unit",
                            "retailer_revenue_share",
                            "cancellable_share",
                            "rebate_per_unit",
                            "threshold_units",
                        ),
                        text="w: wholesale price; b: buyback price of a leftover unit; φ: "
                        "the buyer's share of revenue; δ: share of the order the buyer may "
                        "cancel; r: rebate per unit sold above the threshold t.",
                    ),
                ),
            ),
            Section(
                "Channel",
                tables=(
                    TableView(
                        "summary",
                        "The newsvendor channel and its integrated optimum",
                        text="Retail price = the part's revenue per unit; offer price = the "
                        "current wholesale price; the supplier's cost and the salvage value "
                        "as given on the command line.",
                    ),
                ),
            ),
        ),
    ),
}
"""Report layout per run kind. Kinds not listed get :func:`generic_layout`."""

OTHERS = "Other tables and figures"


def generic_layout(run: RunDir) -> Layout:
    """Every figure, then every table, of a run of a kind without a layout."""
    figures = tuple(FigureView(name) for name in run.figures)
    tables = tuple(TableView(name, heading(name)) for name in run.tables)
    sections = []
    if figures:
        sections.append(Section("Figures", figures=figures))
    if tables:
        sections.append(Section("Tables", tables=tables))
    return Layout(title="{scenario} — {command}", sections=tuple(sections))


def resolve(run: RunDir) -> Layout:
    """The layout of ``run``'s kind, keeping only what the run has, plus the rest."""
    layout = LAYOUTS.get(run.kind)
    if layout is None:
        return generic_layout(run)
    sections: list[Section] = []
    shown_tables: set[str] = set()
    shown_figures: set[str] = set()
    for section in layout.sections:
        figures = tuple(f for f in section.figures if f.name in run.figures)
        tables = tuple(t for t in section.tables if t.table in run.tables)
        shown_figures |= {f.name for f in figures}
        shown_tables |= {t.table for t in tables}
        if figures or tables:
            sections.append(Section(section.title, section.text, figures, tables))
    rest_figures = tuple(FigureView(n) for n in run.figures if n not in shown_figures)
    rest_tables = tuple(TableView(n, heading(n)) for n in run.tables if n not in shown_tables)
    if rest_figures or rest_tables:
        sections.append(Section(OTHERS, figures=rest_figures, tables=rest_tables))
    return Layout(
        layout.title,
        layout.headline,
        tuple(sections),
        layout.label,
        layout.headline_by,
        layout.headline_deltas,
    )


def title(run: RunDir, layout: Layout) -> str:
    """The report's title; a template field the run lacks falls back to the generic title."""
    try:
        return layout.title.format_map(run.fields)
    except (KeyError, ValueError, TypeError, IndexError):
        return f"{run.fields.get('scenario', '?')} — {run.fields.get('command', run.kind)}"


def table_order(run: RunDir) -> list[str]:
    """Table names in report order (the workbook's sheet order)."""
    order = [t.table for s in resolve(run).sections for t in s.tables]
    return list(dict.fromkeys(order))


def heading(name: str) -> str:
    """``supplier_periods`` -> ``Supplier periods`` (a table or figure without a view)."""
    text = humanize(name)
    return text[:1].upper() + text[1:]
