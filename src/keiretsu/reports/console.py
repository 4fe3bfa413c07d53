"""Rich tables for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from keiretsu.analysis.network import NetworkSummary
from keiretsu.reports.formatting import (
    KPI_LABELS,
    SHARE_KPIS,
    format_number,
    format_share,
    format_signed,
    format_value,
    kpi_kind,
)


def print_network_summary(file: str, s: NetworkSummary, console: Console | None = None) -> None:
    """One screen: the network's size, spend and concentration, and any warnings."""
    console = console or Console(soft_wrap=True)
    money = f"{s.currency} {{:,.0f}}"
    console.print(f"[bold green]✓[/] [bold]{file}[/]: {s.name}")
    console.print(
        f"  {plural(s.parts, 'part')}, {plural(s.suppliers, 'supplier')}, "
        f"{plural(s.regions, 'region')}, {plural(s.sub_suppliers, 'tier-2 sub-supplier')}; "
        f"{plural(s.years, 'year')} of {plural(s.n_periods, s.period)}"
    )
    console.print(f"  annual spend (year 1, expected): [bold]{money.format(s.annual_spend)}[/]")
    if s.single_sourced_parts:
        console.print(f"  single-sourced in the plan: {', '.join(s.single_sourced_parts)}")
    if s.critical_single_sourced:
        console.print(
            f"  [yellow]critical and single-sourced: {', '.join(s.critical_single_sourced)}[/]"
        )
    if s.sole_source_parts:
        console.print(f"  only one supplier offers: {', '.join(s.sole_source_parts)}")
    table = Table(show_edge=False, pad_edge=False, box=None, padding=(0, 2))
    table.add_column("spend share by supplier")
    table.add_column("", justify="right")
    table.add_column("by region")
    table.add_column("", justify="right")
    sups = list(s.spend_by_supplier.items())
    regs = list(s.spend_by_region.items())
    total = s.annual_spend or 1.0
    for i in range(max(len(sups), len(regs))):
        sup = sups[i] if i < len(sups) else ("", None)
        reg = regs[i] if i < len(regs) else ("", None)
        table.add_row(
            sup[0],
            f"{sup[1] / total:.1%}" if sup[1] is not None else "",
            reg[0],
            f"{reg[1] / total:.1%}" if reg[1] is not None else "",
        )
    console.print(table)
    for sub, amount in s.tier2_exposure.items():
        console.print(f"  tier-2 {sub} sits behind {amount / total:.1%} of spend")
    slow = [(k, v) for k, v in s.reported_time_to_recover_days.items() if v > 0][:3]
    if slow:
        shares = s.spend_by_supplier
        listed = ", ".join(
            f"{k} {v:g} d ({shares.get(k, 0.0) / total:.0%} of spend)" for k, v in slow
        )
        console.print(f"  slowest reported recovery: {listed}")
    for line in partnership_lines(s):
        console.print(f"  {line}", highlight=False)
    for warning in s.warnings:
        console.print(f"  [yellow]warning:[/] {warning}")


def plural(n: float, noun: str) -> str:
    """``1 part``, ``2 parts``, ``0 parts``, ``1.5 years`` (``noun`` singular)."""
    return f"{n:g} {noun}" if n == 1 else f"{n:g} {noun}s"


_KIND_NOUNS = {"tier2_outage": "tier-2 outage", "logistics": "logistics disruption"}


def partnership_lines(s: NetworkSummary) -> list[str]:
    """One line per section of the risk model and the partnership set-up that is present:
    disruptions (by kind), drills, programs, contracts (by relationship level),
    contingencies (per part)."""
    lines = []
    if s.disruptions_by_kind:
        kinds = ", ".join(
            plural(n, _KIND_NOUNS.get(kind, kind.replace("_", " ")))
            for kind, n in s.disruptions_by_kind.items()
        )
        lines.append(f"{plural(sum(s.disruptions_by_kind.values()), 'disruption')}: {kinds}")
    if s.drills:
        lines.append(f"drills: {', '.join(s.drills)}")
    if s.program_capex:
        listed = ", ".join(
            f"{pid} ({s.currency} {format_number(capex)})" for pid, capex in s.program_capex.items()
        )
        funded = ", ".join(s.funded_programs) or "none"
        lines.append(f"programs (capex): {listed}; funded by the plan: {funded}")
    if s.contracts_by_relationship:
        levels = ", ".join(
            plural(n, level.replace("_", " "))
            if level in ("strategic_partnership", "joint_venture")
            else f"{n} {level}"
            for level, n in s.contracts_by_relationship.items()
        )
        n = sum(s.contracts_by_relationship.values())
        spot = (
            f"; {plural(s.suppliers_without_contract, 'supplier')} without one (spot)"
            if s.suppliers_without_contract
            else ""
        )
        lines.append(f"{plural(n, 'contract')}: {levels}{spot}")
    if s.contingencies:
        listed = ", ".join(f"{part} ({', '.join(k)})" for part, k in s.contingencies.items())
        lines.append(f"contingencies: {listed}")
    return lines


def terminal_width(console: Console) -> int:
    """The width of the terminal ``console`` writes to (``COLUMNS`` or the tty's), even when
    ``console`` itself was made wider so that a wide table does not fold."""
    return Console(file=console.file).width


def print_title(console: Console, title: str) -> None:
    """A table's title on its own line(s) above it, wrapped at the terminal's width (a Rich
    table title wraps at the table's width, which folds it awkwardly above narrow tables)."""
    console.print(f"[bold]{escape(title)}[/]", width=terminal_width(console), highlight=False)


def print_note(console: Console, note: str, most: int = 110) -> None:
    """A footnote wrapped at the terminal's width (at most ``most`` characters a line)."""
    console.print(note, width=min(terminal_width(console), most), highlight=False)


def print_kpi_table(summary, title: str, console: Console | None = None) -> None:
    """The KPI summary of a run: mean, 95 % CI half-width and percentiles per KPI."""
    console = console or Console(stderr=True)
    print_title(console, title)
    table = Table()
    cols = [c for c in summary.columns if c not in ("kpi", "n", "sd")]
    table.add_column("KPI", no_wrap=True)
    for c in cols:
        table.add_column(
            "± 95% CI" if c == "ci95_half_width" else c.upper() if c.startswith("p") else c,
            justify="right",
        )
    always_zero = always_zero_costs(summary)
    for _, row in summary.iterrows():
        if row["kpi"] in always_zero:
            continue
        fmt = format_share if row["kpi"] in SHARE_KPIS else format_number
        table.add_row(KPI_LABELS.get(row["kpi"], row["kpi"]), *(fmt(row[c]) for c in cols))
    console.print(table)
    _note_always_zero(console, always_zero, "replication")


def always_zero_costs(summary) -> list[str]:
    """Cost categories (not the total) that are zero in every replication of every plan
    in ``summary`` (no programs, no contracts...): named under a table rather than shown
    as rows of zeros."""
    costs = summary[summary["kpi"].str.endswith("_cost") & (summary["kpi"] != "total_cost")]
    sd = costs.get("sd", 0.0)
    zero = (costs["mean"] == 0) & (sd == 0)
    by_kpi = zero.groupby(costs["kpi"], sort=False).all()
    return [k for k, z in by_kpi.items() if z]


def _note_always_zero(console: Console, kpis: list[str], where: str) -> None:
    if kpis:
        names = ", ".join(KPI_LABELS.get(k, k) for k in kpis)
        print_note(console, f"zero in every {where}: {names}")


def _fmt_days(v: float) -> str:
    return "–" if v != v else f"{v:,.0f}"


def print_sweep_table(ranking, title: str, currency: str, console: Console | None = None) -> None:
    """The ranked knock-out table: impact and recovery per node."""
    console = console or Console(stderr=True)
    print_title(console, title)
    table = Table()
    columns = (
        ("#", "rank", lambda v: str(int(v))),
        ("node", "node", str),
        (f"margin at risk ({currency})", "margin_at_risk_mean", format_number),
        ("P90", "margin_at_risk_p90", format_number),
        ("unfilled", "unfilled_units_mean", format_number),
        ("recov.", "recovered_mean", lambda v: "–" if v != v else f"{v:.0%}"),
        ("days to recover", "time_to_recover_days_p50", _fmt_days),
        ("TTS", "tts_days", _fmt_days),
        ("TTR", "ttr_days", _fmt_days),
        ("gap", "exposure_gap_days", _fmt_days),
        ("REI", "rei", lambda v: "–" if v != v else f"{v:.2f}"),
        ("events/yr", "likelihood_per_year", lambda v: "–" if v != v else f"{v:.2f}"),
    )
    for label, _, _ in columns:
        table.add_column(label, justify="left" if label == "node" else "right", no_wrap=True)
    for _, row in ranking.iterrows():
        cells = []
        for _, key, fmt in columns:
            if key == "tts_days" and row.get("tts_unbounded", False):
                cells.append("unbounded")
            else:
                cells.append(fmt(row[key]) if key in row else "–")
        table.add_row(*cells)
    console.print(table)
    print_note(
        console,
        "days to recover: simulated, median; TTS: analytic time to survive with the node down "
        "(LP), days; TTR: reported time to recover, days; gap = max(TTR - TTS, 0); REI: "
        "analytic lost margin over the TTR / the largest (– when no node loses margin); "
        "events/yr: likelihood under the scenario's disruptions",
    )


def print_delta_table(
    summary, deltas, plans: list[str], baseline: str, title: str, console: Console | None = None
) -> None:
    """Per KPI: the baseline's mean, then per other plan its mean, the mean paired
    difference against the baseline ± its 95 % CI half-width, and P(better)."""
    console = console or Console(stderr=True)
    means = summary.set_index(["plan", "kpi"])["mean"]
    delta = deltas.set_index(["plan", "kpi"])
    others = [p for p in plans if p != baseline]
    print_title(console, title)
    table = Table()
    table.add_column("KPI", no_wrap=True)
    table.add_column(f"{baseline}\n(baseline) mean", justify="right", no_wrap=True)
    for name in others:
        table.add_column(f"{name}\nmean", justify="right", no_wrap=True)
        table.add_column("Δ vs baseline\n± 95% CI", justify="right", no_wrap=True)
        table.add_column("P(better)", justify="right", no_wrap=True)
    always_zero = always_zero_costs(summary)
    kpis = [k for k in dict.fromkeys(summary["kpi"]) if k not in always_zero]
    for kpi in kpis:
        kind = kpi_kind(kpi)
        cells = [KPI_LABELS.get(kpi, kpi), format_value(means.get((baseline, kpi)), kind)]
        for name in others:
            row = delta.loc[(name, kpi)]
            half = row["delta_ci95_half_width"]
            half_text = "–" if half != half else format_value(half, kind)
            p = row["probability_better"]
            colour = "green" if p >= 0.9 else "red" if p <= 0.1 else None
            shown = "–" if p != p else f"{p:.2f}"
            cells += [
                format_value(row["plan_mean"], kind),
                f"{format_signed(row['delta_mean'], kind)} ± {half_text}",
                f"[{colour}]{shown}[/]" if colour else shown,
            ]
        table.add_row(*cells)
    console.print(table)
    note = (
        "Δ: mean over replications of (plan - baseline) in the same replication (common "
        "random numbers), ± its paired-t 95% half-width; for shares in percentage points. "
        "P(better): share of replications in which the plan beats the baseline (ties "
        "half); better = higher fill rate, OTIF, revenue, margin; lower costs, shortages "
        "and inventory."
    )
    print_note(console, note)
    _note_always_zero(console, always_zero, "replication of every plan")


def print_payback_table(summary, title: str, currency: str, console: Console | None = None) -> None:
    """A program's business case: one column per party."""
    console = console or Console(stderr=True)
    print_title(console, title)
    table = Table()
    table.add_column("")
    rows = summary.set_index("party")
    for party in rows.index:
        table.add_column(party, justify="right")

    def money(v) -> str:
        return format_number(v)

    def share(v) -> str:
        return "–" if v is None or v != v else f"{v:.0%}"

    lines = (
        ("discount rate", "discount_rate", lambda v: f"{v:.1%}"),
        (f"NPV mean ({currency})", "mean", money),
        ("± 95% CI", "npv_ci95_half_width", money),
        ("NPV P10", "p10", money),
        ("NPV P50", "p50", money),
        ("NPV P90", "p90", money),
        ("P(NPV < 0)", "prob_npv_negative", share),
        ("IRR (median where one exists)", "irr_median", lambda v: "–" if v != v else f"{v:.1%}"),
        ("share with one IRR", "irr_defined_share", share),
        (
            "payback (median)",
            "payback_years_median",
            lambda v: "never" if v != v else f"{v:.1f} yr",
        ),
        ("P(payback <= 18 months)", "prob_payback_within", share),
        ("P(never paid back)", "prob_never_paid_back", share),
        ("P(program completes)", "prob_completed", share),
        ("reservation NPV", "reservation_npv", money),
        ("would sign", "would_sign", lambda v: "yes" if v else "[red]no[/]"),
    )
    for label, key, fmt in lines:
        table.add_row(label, *(fmt(rows.loc[p, key]) for p in rows.index))
    if "sign_resolved" in rows:
        table.add_row(
            "  decided (CI clear of it)",
            *("yes" if rows.loc[p, "sign_resolved"] else "[yellow]no[/]" for p in rows.index),
        )
    console.print(table)
    print_note(
        console,
        "Pxx = xx-th percentile over replications; NPV at each party's own rate from the "
        "program's start (joint at the buyer's); payback = years until the cumulative flow "
        "stays >= 0",
    )


def print_closed_loop(
    loop,
    title: str,
    model: dict | None = None,
    console=None,
    labels: dict[str, str] | None = None,
    objective=None,
) -> None:
    """Plans side by side (simulated, same seed): mean ± 95 % CI per KPI, the paired
    difference of each plan against the first, and the model's own figures (``model``:
    row label -> value per plan name) above them. ``labels``: column headings per plan;
    ``objective``: the simulated objective per plan (``experiments.optimize.
    simulated_objective``), printed last with its paired difference."""
    console = console or Console(stderr=True)
    plans = list(dict.fromkeys(loop.table["plan"]))
    labels = labels or {}
    table = Table(title=title, title_justify="left")
    table.add_column("", no_wrap=True)
    for plan in plans:
        table.add_column(labels.get(plan, plan), justify="right")
    for plan in plans[1:]:
        table.add_column(
            f"difference (paired) {labels.get(plan, plan)} − {labels.get(plans[0], plans[0])}",
            justify="right",
        )
    for label, values in (model or {}).items():
        cells = [format_number(values[p]) if values.get(p) is not None else "–" for p in plans]
        table.add_row(label, *cells, *["" for _ in plans[1:]])
    wide = loop.table.set_index(["plan", "kpi"])
    diff = loop.differences.set_index(["plan", "kpi"]) if len(loop.differences) else None
    for kpi in dict.fromkeys(loop.table["kpi"]):
        fmt = format_share if kpi in SHARE_KPIS else format_number
        cells = [
            f"{fmt(wide.loc[(p, kpi), 'mean'])} ± {fmt(wide.loc[(p, kpi), 'ci95_half_width'])}"
            for p in plans
        ]
        for p in plans[1:]:
            d = diff.loc[(p, kpi)] if diff is not None else None
            cells.append("–" if d is None else f"{fmt(d['mean'])} ± {fmt(d['ci95_half_width'])}")
        table.add_row(f"sim. {KPI_LABELS.get(kpi, kpi)}", *cells)
    if objective is not None and len(objective):
        rows = objective.set_index("plan")
        lam = float(objective["cvar_weight"].iloc[0])
        what = "net cost (−margin)" if lam == 0 else f"objective (net cost + {lam:g} × CVaR)"
        cells = [
            f"{format_number(rows.loc[p, 'objective'])} ± "
            f"{format_number(rows.loc[p, 'objective_ci95'])}"
            for p in plans
        ]
        cells += [
            f"{format_number(rows.loc[p, 'difference'])} ± "
            f"{format_number(rows.loc[p, 'difference_ci95'])}"
            for p in plans[1:]
        ]
        table.add_row(f"sim. {what}", *cells)
    console.print(table)


def print_choices(incentives, programs, currency: str, console=None) -> None:
    """The incentive options (per supplier: chosen or not, effective terms per unit) and
    the program options (per program and buyer share: NPVs, participation, chosen)."""
    console = console or Console(stderr=True)
    if incentives is not None and len(incentives):
        table = Table(
            title=f"Incentive menus: terms per unit bought ({currency}; − is money to the "
            "buyer), priority weight in a shortage; ✓ chosen, • in force",
            title_justify="left",
        )
        for label in (
            "supplier",
            "option",
            "",
            "relationship",
            "priority",
            "gain share",
            "rebate (horizon)",
            "perform.",
            "admin.",
            "reliab.",
            "index.",
            "fees/yr",
        ):
            table.add_column(label, justify="left" if label in ("supplier", "option") else "right")
        for _, r in incentives.iterrows():
            mark = ("✓" if r["chosen"] else "") + ("•" if r["in_force"] else "")
            rebate = r.get("model_rebate", float("nan"))
            table.add_row(
                r["supplier"],
                r["option"],
                mark,
                str(r["relationship"]),
                f"{r['priority_weight']:.2f}",
                f"{r['gain_share_per_unit']:.3f}",
                "–" if not r["chosen"] else format_number(rebate),
                f"{r['performance_per_unit']:.3f}",
                f"{r['administration_per_unit']:.3f}",
                f"{r['reliability_per_unit']:.3f}",
                f"{r['indexation_per_unit']:.3f}",
                format_number(r["reservation_fee_per_year"] + r["performance_fixed_per_year"]),
            )
        console.print(table)
    if programs is not None and len(programs):
        table = Table(
            title=f"Programs: expected NPV per party at each buyer cost share ({currency}); "
            "✓ funded",
            title_justify="left",
        )
        for label in (
            "program",
            "buyer share",
            "",
            "buyer NPV ± 95% CI",
            "supplier NPV",
            "supplier signs",
            "buyer capex, peak year",
        ):
            table.add_column(label, justify="left" if label == "program" else "right")
        capex = [c for c in programs.columns if c.startswith("buyer_capex_y")]
        for _, r in programs.iterrows():
            table.add_row(
                r["program"],
                f"{r['buyer_cost_share']:.0%}",
                "✓" if r["chosen"] else "",
                f"{format_number(r['buyer_npv'])} ± {format_number(r['buyer_npv_ci95'])}",
                format_number(r["supplier_npv"]),
                "yes" if r["supplier_signs"] else "no",
                format_number(max(r[c] for c in capex)) if capex else "–",
            )
        console.print(table)


_SEGMENT_STYLE = {
    "strategic": "bold red",
    "leverage": "bold blue",
    "bottleneck": "bold yellow",
    "non-critical": "dim",
}


def print_segment_table(result, title: str, console: Console | None = None) -> None:
    """The Kraljic segmentation: parts (spend, scores, segment, risk drivers), then
    suppliers (spend, scores, segment, tier and why), then the thresholds and weights."""
    console = console or Console(stderr=True)
    money = result.currency
    table = Table(title=title, title_justify="left")
    for label, justify in (
        ("part", "left"),
        ("supplier(s), volume share", "left"),
        (f"spend/yr ({money})", "right"),
        ("impact", "right"),
        ("risk", "right"),
        ("segment", "left"),
        ("main risk drivers", "left"),
    ):
        table.add_column(label, justify=justify, no_wrap=label in ("part", "segment"))
    order = {s: i for i, s in enumerate(("strategic", "leverage", "bottleneck", "non-critical"))}
    parts = result.parts.assign(_o=result.parts["segment"].map(order))
    for _, row in parts.sort_values(["_o", "impact_score"], ascending=[True, False]).iterrows():
        table.add_row(
            row["part"],
            row["suppliers"],
            format_number(row["annual_spend"]),
            f"{row['impact_score']:.2f}",
            f"{row['risk_score']:.2f}",
            f"[{_SEGMENT_STYLE[row['segment']]}]{row['segment']}[/]",
            row["risk_drivers"],
        )
    console.print(table)
    sup = Table(title="Suppliers (scores: spend-weighted over their offers)", title_justify="left")
    for label, justify in (
        ("supplier", "left"),
        (f"spend/yr ({money})", "right"),
        ("share", "right"),
        ("impact", "right"),
        ("risk", "right"),
        ("segment", "left"),
        ("tier", "left"),
        ("because", "left"),
    ):
        sup.add_column(label, justify=justify, no_wrap=label in ("supplier", "segment", "tier"))
    tiers = {"strategic partner": 0, "preferred": 1, "transactional": 2}
    suppliers = result.suppliers.assign(_t=result.suppliers["tier"].map(tiers))
    for _, row in suppliers.sort_values(["_t", "annual_spend"], ascending=[True, False]).iterrows():
        sup.add_row(
            row["supplier"],
            format_number(row["annual_spend"]),
            format_share(row["spend_share"]),
            f"{row['impact_score']:.2f}",
            f"{row['risk_score']:.2f}",
            f"[{_SEGMENT_STYLE[row['segment']]}]{row['segment']}[/]",
            row["tier"],
            row["tier_reason"],
        )
    console.print(sup)
    o = result.options
    iw, rw = o.impact_weights, o.risk_weights
    console.print(
        f"thresholds: impact >= {o.impact_threshold:g} is high, risk >= {o.risk_threshold:g} "
        f"is high. impact = {iw.spend:g} spend + {iw.margin:g} margin + {iw.criticality:g} "
        f"criticality (spend and margin shares on a {o.spend_decades:g}-decade log scale); "
        f"risk = {rw.sources:g} 1/sources + {rw.concentration:g} largest share + "
        f"{rw.regions:g} 1/regions + {rw.tier2:g} tier-2 concentration + {rw.disruption:g} "
        f"P(disruption event in {o.exposure_years:g} yr). Spend: expected per year over the "
        "horizon under the plan.",
        highlight=False,
    )


_TERM_SYMBOLS = {
    "wholesale_price_per_unit": "w",
    "buyback_price_per_unit": "b",
    "retailer_revenue_share": "φ",
    "cancellable_share": "δ",
    "rebate_per_unit": "r",
    "threshold_units": "t",
}


def contract_terms(row) -> str:
    """``w = 0.6556, δ = 0.2487``: a contract's terms (the non-NaN term columns of a row)."""
    from keiretsu.reports.formatting import format_significant

    return ", ".join(
        f"{symbol} = {format_significant(float(row[name]), 6)}"
        for name, symbol in _TERM_SYMBOLS.items()
        if name in row and row[name] == row[name]
    )


def print_contracts_table(result, title: str, console: Console | None = None) -> None:
    """Cachon's contract analytics for one part: the channel, then one row per contract
    (terms, the buyer's order, each party's expected profit, efficiency, or why not)."""
    from keiretsu.reports.formatting import format_significant

    console = console or Console(stderr=True)
    ch = result.summary.iloc[0]
    money = result.currency
    console.print(f"[bold]{title}[/]", highlight=False)
    console.print(
        f"  retail price p = {format_significant(ch['retail_price_per_unit'])} (revenue per "
        f"unit), offer price w = {format_significant(ch['offer_price_per_unit'])}, supplier "
        f"cost c_s = {format_significant(ch['supplier_cost_per_unit'])}, salvage v = "
        f"{format_significant(ch['salvage_per_unit'])} ({money} per unit)\n"
        f"  season demand: {ch['season_law']}, mean "
        f"{format_significant(ch['mean_demand_units'], 6)}, sd "
        f"{format_significant(ch['sd_demand_units'], 6)} units\n"
        f"  integrated channel: Q° = {format_significant(ch['optimal_order_units'], 9)} units, "
        f"Π° = {format_significant(ch['optimal_profit'], 9)} {money}",
        highlight=False,
    )
    table = Table(title_justify="left")
    reasons: list[str] = []
    for label in (
        "contract",
        "terms",
        "buyer orders\n(units)",
        f"buyer profit\n({money})",
        f"supplier profit\n({money})",
        "channel\nefficiency",
        "buyer's\nshare",
        "orders\nQ°?",
    ):
        table.add_column(
            label, justify="left" if label in ("contract", "terms") else "right", no_wrap=True
        )
    for _, row in result.contracts.iterrows():
        if row["retailer_profit"] != row["retailer_profit"]:  # NaN: this family cannot
            reasons.append(f"{row['contract']}: {row['note']}")
            mark = f"[yellow]cannot coordinate ({len(reasons)})[/]"
            table.add_row(row["contract"], mark, *[""] * 5, "no")
            continue
        table.add_row(
            row["contract"],
            contract_terms(row),
            format_significant(row["order_units"], 6),
            format_significant(row["retailer_profit"], 6),
            format_significant(row["supplier_profit"], 6),
            format_share(row["efficiency"]),
            format_share(row["retailer_share"]),
            "yes" if row["coordinates"] else "no",
        )
    console.print(table)
    for i, reason in enumerate(reasons, start=1):
        console.print(f"  ({i}) {reason}", highlight=False)
    console.print(
        f"Expected values over one season; the coordinating rows give the buyer "
        f"{result.retailer_share:g} of Π°; the sales rebate's threshold t = "
        f"{format_significant(result.rebate_threshold_units, 6)} units. Source: Cachon (2003), "
        "sec. 2.",
        highlight=False,
    )
