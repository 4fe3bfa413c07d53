"""Figures of a simulation run. Each function draws on the ``ax`` it is given and
returns it; none shows or saves (callers decide, see :func:`save_png`)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from keiretsu.analysis.service import ROLLING_DAYS, rolling_fill_rate
from keiretsu.reports.formatting import format_compact
from keiretsu.sim import COST_COLUMNS

BAND = (10, 90)
"""Percentiles of the shaded band (P10-P90 over replications)."""


def _band(periods: pd.DataFrame, column: str) -> pd.DataFrame:
    wide = periods.pivot(index="period", columns="replication", values=column)
    values = wide.to_numpy(dtype=float)
    with np.errstate(all="ignore"):
        return pd.DataFrame(
            {
                "p_low": np.nanpercentile(values, BAND[0], axis=1),
                "median": np.nanmedian(values, axis=1),
                "p_high": np.nanpercentile(values, BAND[1], axis=1),
            },
            index=wide.index,
        )


def _time_axis(index: pd.Index, start: pd.Timestamp, days_per_period: int) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(start + pd.to_timedelta(np.asarray(index) * days_per_period, unit="D"))


def service_level(
    ax: Axes,
    periods: pd.DataFrame,
    start: pd.Timestamp,
    days_per_period: int,
    target: float | None = None,
) -> Axes:
    """Network unit fill rate over a trailing window: median, mean and P10-P90 band."""
    rolling = rolling_fill_rate(periods, days_per_period)
    band = _band(rolling, "rolling_fill_rate")
    mean = rolling.groupby("period")["rolling_fill_rate"].mean()
    x = _time_axis(band.index, start, days_per_period)
    ax.fill_between(
        x, band["p_low"], band["p_high"], alpha=0.3, label="P10–P90", color="tab:blue", lw=0
    )
    ax.plot(x, band["median"], color="tab:blue", lw=1.2, label="median")
    ax.plot(x, mean.to_numpy(), color="black", lw=0.8, ls=":", label="mean")
    if target is not None:
        ax.axhline(target, color="tab:red", ls="--", lw=1, label=f"target {target:.0%}")
    low = float(np.nanmin(band["p_low"])) if np.isfinite(band["p_low"]).any() else 0.0
    ax.set_ylim(max(0.0, np.floor(min(low, target or 1.0) * 20 - 1) / 20), 1.005)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title(f"Service level: unit fill rate over a trailing {ROLLING_DAYS}-day window")
    ax.set_ylabel("fill rate")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def cost_breakdown(
    ax: Axes, replications: pd.DataFrame, currency: str, columns: list[str] | None = None
) -> Axes:
    """Mean cost per category (``columns``, default all) over the horizon, P10-P90 whiskers."""
    cols = [c for c in (columns or COST_COLUMNS) if c in replications]
    means = replications[cols].mean()
    low = replications[cols].quantile(BAND[0] / 100)
    high = replications[cols].quantile(BAND[1] / 100)
    y = np.arange(len(cols))
    ax.barh(y, means.to_numpy(), color="tab:orange", alpha=0.8)
    ax.errorbar(
        means.to_numpy(),
        y,
        xerr=[(means - low).clip(lower=0).to_numpy(), (high - means).clip(lower=0).to_numpy()],
        fmt="none",
        ecolor="black",
        capsize=3,
        lw=1,
    )
    for yi, value in zip(y, means.to_numpy(), strict=True):
        ax.annotate(f" {format_compact(value)}", (value, yi), va="center", fontsize=8)
    ax.set_yticks(y, [c.replace("_cost", "").replace("_", " ") for c in cols])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v)))
    ax.set_xlabel(f"{currency} over the horizon (mean; whiskers P10–P90)")
    ax.set_title("Cost breakdown")
    ax.grid(axis="x", alpha=0.3)
    return ax


def inventory(
    ax: Axes, periods: pd.DataFrame, start: pd.Timestamp, days_per_period: int, currency: str
) -> Axes:
    """On-hand inventory value (median, P10-P90) with days of cover on a second axis."""
    x_band = _band(periods, "on_hand_value")
    x = _time_axis(x_band.index, start, days_per_period)
    ax.fill_between(x, x_band["p_low"], x_band["p_high"], alpha=0.25, color="tab:green", lw=0)
    ax.plot(x, x_band["median"], color="tab:green", lw=1.2, label="on-hand value (median, P10–P90)")
    ax.set_ylabel(f"on-hand value ({currency})")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v)))
    twin = ax.twinx()
    cover = _band(periods, "days_of_cover")
    twin.plot(x, cover["median"], color="tab:purple", lw=1, ls="--", label="days of cover (median)")
    twin.set_ylabel("days of cover")
    twin.set_ylim(bottom=0)
    ax.set_ylim(bottom=0)
    lines = ax.get_legend_handles_labels()
    lines2 = twin.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], loc="upper right", fontsize=8)
    ax.set_title("Inventory and days of cover")
    ax.grid(alpha=0.3)
    return ax


def simulation_figures(result, scenario) -> dict[str, Figure]:
    """The standard figures of a ``simulate`` run, by file stem."""
    start = pd.Timestamp(scenario.meta.start_date)
    dpp = scenario.horizon.days_per_period
    figs: dict[str, Figure] = {}
    fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
    service_level(ax, result.periods, start, dpp)
    figs["service_level"] = fig
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(10, 4), layout="constrained", gridspec_kw={"width_ratios": [1, 2]}
    )
    cost_breakdown(left, result.replications, scenario.meta.currency, ["purchase_cost"])
    cost_breakdown(right, result.replications, scenario.meta.currency, COST_COLUMNS[1:])
    left.set_title("Purchase spend")
    right.set_title("Cost of holding, shortage, ordering, qualification")
    left.set_xlabel(f"{scenario.meta.currency} over the horizon")
    fig.suptitle("Cost breakdown (mean; whiskers P10–P90)")
    figs["cost_breakdown"] = fig
    fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
    inventory(ax, result.periods, start, dpp, scenario.meta.currency)
    figs["inventory"] = fig
    reviews = getattr(result, "contract_reviews", None)
    if reviews is not None and len(reviews):
        suppliers = reviews["supplier"].nunique()
        fig, (left, right) = plt.subplots(
            1,
            2,
            figsize=(13, max(3.0, 0.45 * suppliers + 1.8)),
            layout="constrained",
            gridspec_kw={"width_ratios": [3, 2]},
        )
        scorecard_heatmap(left, reviews, start, dpp)
        contract_payments(right, reviews, scenario.meta.currency)
        figs["scorecards"] = fig
    return figs


def scorecard_heatmap(
    ax: Axes, reviews: pd.DataFrame, start: pd.Timestamp, days_per_period: int
) -> Axes:
    """Median scorecard (0-100) per supplier and contract review over replications."""
    wide = reviews.pivot_table(index="supplier", columns="period", values="score", aggfunc="median")
    image = ax.imshow(wide.to_numpy(), aspect="auto", cmap="RdYlGn", vmin=0, vmax=100)
    ax.set_yticks(np.arange(len(wide.index)), wide.index)
    dates = _time_axis(wide.columns, start, days_per_period)
    step = max(1, len(dates) // 6)
    ax.set_xticks(
        np.arange(len(dates))[::step], [d.strftime("%Y-%m") for d in dates[::step]], rotation=30
    )
    for (i, j), v in np.ndenumerate(wide.to_numpy()):
        if np.isfinite(v) and len(wide.columns) <= 24:
            ax.annotate(f"{v:.0f}", (j, i), ha="center", va="center", fontsize=7)
    ax.figure.colorbar(image, ax=ax, label="score (median over replications)")
    ax.set_title("Scorecards at each contract review")
    return ax


def contract_payments(ax: Axes, reviews: pd.DataFrame, currency: str) -> Axes:
    """Mean total per replication of each settlement component, by supplier (the buyer pays
    positive amounts; rebates, penalties and gain share come back to it)."""
    parts = [
        c
        for c in (
            "take_or_pay",
            "volume_rebate",
            "performance_bonus",
            "performance_penalty",
            "gain_share",
            "capacity_reservation",
            "exit_fee",
            "administration",
        )
        if c in reviews and reviews[c].abs().sum() > 0
    ]
    if not parts:
        ax.set_axis_off()
        return ax
    reps = reviews["replication"].nunique()
    totals = reviews.groupby("supplier")[parts].sum() / reps
    bottom_pos = np.zeros(len(totals))
    bottom_neg = np.zeros(len(totals))
    y = np.arange(len(totals))
    colours = plt.get_cmap("tab10")
    for k, c in enumerate(parts):
        v = totals[c].to_numpy()
        left = np.where(v >= 0, bottom_pos, bottom_neg)
        ax.barh(y, v, left=left, color=colours(k), label=c.replace("_", " "))
        bottom_pos += np.where(v >= 0, v, 0)
        bottom_neg += np.where(v < 0, v, 0)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_yticks(y, totals.index)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v)))
    ax.set_xlabel(f"{currency} per replication: + the buyer pays, − it receives")
    ax.set_title("Contract settlements over the horizon")
    ax.legend(fontsize=7, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return ax


def save_png(fig: Figure, path: str | Path, dpi: int = 120) -> Path:
    """Render ``fig`` to a PNG atomically and close it."""
    import io

    from keiretsu.fileio import write_bytes_atomic

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return write_bytes_atomic(path, buffer.getvalue())


def recovery_curves(
    ax: Axes,
    result,
    start: pd.Timestamp,
    days_per_period: int,
    recovery: pd.DataFrame | None = None,
    drill=None,
    label: str = "",
) -> Axes:
    """Rolling fill rate of the most-hit part with and without the drill (median; P10-P90
    band with it), the drill window shaded. ``recovery`` and ``drill`` default to the
    drill result's own (a sweep passes one node's)."""
    recovery = result.recovery if recovery is None else recovery
    drill = result.drill if drill is None else drill
    gap = recovery["without_drill"] - recovery["with_drill"]
    part = str(gap.groupby(recovery["part"]).mean().idxmax())
    rec = recovery[recovery["part"] == part]
    x = _time_axis(np.sort(rec["period"].unique()), start, days_per_period)
    with_band = _band(rec, "with_drill")
    without = _band(rec, "without_drill")
    ax.fill_between(
        x,
        with_band["p_low"],
        with_band["p_high"],
        color="tab:red",
        alpha=0.25,
        lw=0,
        label="with drill, P10–P90",
    )
    ax.plot(x, with_band["median"], color="tab:red", lw=1.3, label="with drill (median)")
    ax.plot(x, without["median"], color="tab:blue", lw=1.0, ls="--", label="without (median)")
    t0 = pd.Timestamp(drill.start_date)
    end = x[-1] if np.isinf(drill.duration_days) else t0 + pd.Timedelta(days=drill.duration_days)
    ax.axvspan(t0, end, color="grey", alpha=0.2, label=f"{drill.id}")
    low = float(np.nanmin(with_band["p_low"])) if np.isfinite(with_band["p_low"]).any() else 0.0
    ax.set_ylim(max(0.0, np.floor(low * 20 - 1) / 20), 1.005)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title(
        label
        or f"Recovery of {part}: {ROLLING_DAYS}-day rolling fill rate, drill {drill.id!r} vs its twin"
    )
    ax.set_ylabel("fill rate")
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def drill_figures(result, scenario) -> dict[str, Figure]:
    """The figures of a ``drill`` run, by file stem."""
    fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
    recovery_curves(
        ax, result, pd.Timestamp(scenario.meta.start_date), scenario.horizon.days_per_period
    )
    return {"recovery": fig}


def sweep_ranking(ax: Axes, ranking: pd.DataFrame, currency: str) -> Axes:
    """Mean margin at risk per knocked-out node (P10-P90 whiskers), largest on top."""
    ranked = ranking.sort_values("margin_at_risk_mean", ascending=True)
    y = np.arange(len(ranked))
    mean = ranked["margin_at_risk_mean"].to_numpy()
    ax.barh(y, mean, color="tab:red", alpha=0.75)
    if {"margin_at_risk_p10", "margin_at_risk_p90"} <= set(ranked):
        low = np.clip(mean - ranked["margin_at_risk_p10"].to_numpy(), 0, None)
        high = np.clip(ranked["margin_at_risk_p90"].to_numpy() - mean, 0, None)
        ax.errorbar(mean, y, xerr=[low, high], fmt="none", ecolor="black", capsize=3, lw=1)
    ax.set_yticks(y, ranked["node"].astype(str))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v)))
    ax.set_xlabel(f"margin at risk, {currency} (mean; whiskers P10–P90)")
    ax.grid(axis="x", alpha=0.3)
    return ax


def likelihood_impact(ax: Axes, ranking: pd.DataFrame, currency: str) -> Axes:
    """Each node's likelihood (events a year under the scenario's disruption model, log
    scale) against its impact (mean margin at risk of the knock-out); nodes the model never
    disrupts sit in a strip on the left."""
    impact = ranking["margin_at_risk_mean"].to_numpy(dtype=float)
    rate = ranking["likelihood_per_year"].to_numpy(dtype=float)
    modelled = rate > 0
    floor = rate[modelled].min() / 4 if modelled.any() else 0.01
    x = np.where(modelled, rate, floor)
    size = 40 + 160 * np.clip(ranking["rei"].fillna(0).to_numpy(dtype=float), 0, 1)
    ax.scatter(x[modelled], impact[modelled], s=size[modelled], color="tab:red", alpha=0.7)
    ax.scatter(x[~modelled], impact[~modelled], s=size[~modelled], color="grey", alpha=0.6)
    for xi, yi, name in zip(x, impact, ranking["node"].astype(str), strict=True):
        ax.annotate(f" {name}", (xi, yi), fontsize=7, va="center")
    ax.set_xscale("log")
    ax.axvspan(floor / 1.5, floor * 1.5, color="grey", alpha=0.08, lw=0)
    ticks = [v for v in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10) if v > floor * 1.5]
    ax.xaxis.set_major_locator(matplotlib.ticker.FixedLocator([floor, *ticks]))
    ax.xaxis.set_major_formatter(
        matplotlib.ticker.FuncFormatter(lambda v, _: "not\nmodelled" if v == floor else f"{v:g}")
    )
    ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
    ax.set_xlim(floor / 2, max(x.max() * 2, floor * 20))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v)))
    ax.set_xlabel("likelihood: disruption events a year hitting the node (scenario model)")
    ax.set_ylabel(f"impact: mean margin at risk ({currency})")
    ax.grid(alpha=0.3, which="both")
    return ax


def sweep_figures(result, scenario) -> dict[str, Figure]:
    """The figures of a ``drill --sweep`` run: the ranking and likelihood x impact."""
    what = {"suppliers": "supplier", "regions": "region", "tier2": "tier-2 sub-supplier"}
    node = what[result.over]
    height = max(3.0, 0.35 * len(result.ranking) + 1.5)
    fig, ax = plt.subplots(figsize=(9, height), layout="constrained")
    sweep_ranking(ax, result.ranking, scenario.meta.currency)
    down = f"{result.weeks:g} weeks down from {result.start_date}"
    ax.set_title(f"Which single {node} hurts most: {down}")
    figs = {"sweep_ranking": fig}
    if result.recovery is not None and len(result.ranking):
        top = list(result.ranking["node"].head(3))
        fig, axes = plt.subplots(len(top), 1, figsize=(9, 3 * len(top)), layout="constrained")
        axes = np.atleast_1d(axes)
        start = pd.Timestamp(scenario.meta.start_date)
        knockout = {"start_date": result.start_date, "duration_days": 7 * result.weeks}
        for rank, (ax, name) in enumerate(zip(axes, top, strict=True), start=1):
            rec = result.recovery[result.recovery["node"] == name]
            part = rec["part"].iloc[0]
            drill = type("Knockout", (), {**knockout, "id": f"{name} down"})()
            title = f"#{rank} {name}: {part}, {ROLLING_DAYS}-day rolling fill rate vs its twin"
            recovery_curves(
                ax, result, start, scenario.horizon.days_per_period, rec, drill, label=title
            )
        figs["sweep_recovery"] = fig
    fig, ax = plt.subplots(figsize=(9, 5.5), layout="constrained")
    likelihood_impact(ax, result.ranking, scenario.meta.currency)
    ax.set_title(f"Likelihood x impact per {node} (marker size: analytic REI)")
    figs["likelihood_impact"] = fig
    return figs


# ----------------------------------------------------------------------------- compare


def _plan_colours(plans: list[str]) -> dict[str, tuple]:
    """One colour per plan, the same in every compare figure (tab10 order)."""
    cmap = plt.get_cmap("tab10")
    return {name: cmap(i % 10) for i, name in enumerate(plans)}


_PLAN_MARKERS = ("o", "s", "^", "v", "P", "X", "<", ">", "h", "*")


def _plan_label(result, name: str) -> str:
    return name + (" (baseline)" if name == result.baseline else "")


def cost_vs_service(ax: Axes, result, currency: str) -> Axes:
    """Total cost against fill rate, one point per replication and plan (one colour and
    marker per plan; the baseline's hollow, so that plans landing on it stay visible);
    each plan's centre (mean of both) is a large marker labelled with the plan's name."""
    colours = _plan_colours(result.plans)
    centres = {}
    for i, name in enumerate(result.plans):
        reps = result.results[name].replications
        colour, marker = colours[name], _PLAN_MARKERS[i % len(_PLAN_MARKERS)]
        hollow = name == result.baseline
        ax.scatter(
            reps["fill_rate"],
            reps["total_cost"],
            s=22 if hollow else 14,
            marker=marker,
            alpha=0.7 if hollow else 0.45,
            facecolors="none" if hollow else colour,
            edgecolors=colour,
            lw=0.9 if hollow else 0,
            label=_plan_label(result, name),
        )
        centres[name] = (float(reps["fill_rate"].mean()), float(reps["total_cost"].mean()))
    # labels in a column near the top (highest centre first, so leader lines rarely
    # cross): centres of similar plans sit on top of each other, their names must not
    order = sorted(result.plans, key=lambda n: -centres[n][1])
    column = _emptiest_column(ax, result, top=0.97 - 0.075 * len(order))
    for rank, name in enumerate(order):
        i = result.plans.index(name)
        x, y = centres[name]
        ax.scatter(
            [x],
            [y],
            s=150,
            marker=_PLAN_MARKERS[i % len(_PLAN_MARKERS)],
            color=colours[name],
            edgecolor="black",
            lw=1.3,
            zorder=5,
        )
        ax.annotate(
            f"{_plan_label(result, name)}: mean {x:.1%}, {format_compact(y)}",
            (x, y),
            xytext=(column, 0.97 - 0.075 * rank),
            textcoords="axes fraction",
            ha="center",
            va="top",
            fontsize=8.5,
            fontweight="bold",
            zorder=6,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": colours[name], "alpha": 0.9},
            arrowprops={"arrowstyle": "-", "color": colours[name], "lw": 0.9, "alpha": 0.8},
        )
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v)))
    ax.set_xlabel("unit fill rate over the horizon (better →)")
    ax.set_ylabel(f"total cost over the horizon ({currency}, better ↓)")
    ax.set_title("Cost against service: one point per replication and plan; large marker = mean")
    ax.legend(loc="lower left", fontsize=8, markerscale=1.5, framealpha=0.9)
    ax.grid(alpha=0.3)
    return ax


def _emptiest_column(ax: Axes, result, top: float) -> float:
    """Centre (axes fraction) of the label column above ``top`` that covers the fewest
    replication points."""
    ax.autoscale_view()
    to_axes = ax.transData + ax.transAxes.inverted()
    points = np.vstack(
        [
            result.results[n].replications[["fill_rate", "total_cost"]].to_numpy(dtype=float)
            for n in result.plans
        ]
    )
    points = to_axes.transform(points[np.isfinite(points).all(axis=1)])
    high = points[points[:, 1] >= top - 0.03]
    candidates = (0.3, 0.4, 0.5, 0.6, 0.7)
    return min(candidates, key=lambda c: (int((np.abs(high[:, 0] - c) < 0.24).sum()), abs(c - 0.5)))


def service_band(
    ax: Axes,
    result,
    plan: str,
    start: pd.Timestamp,
    days_per_period: int,
    target: float | None = None,
) -> Axes:
    """One plan's network fill rate over a trailing window: median line and P10-P90 band
    over replications, with the baseline's median (dashed) for reference."""
    colours = _plan_colours(result.plans)
    bands = {}
    for name in dict.fromkeys([plan, result.baseline]):
        rolling = rolling_fill_rate(result.results[name].periods, days_per_period)
        bands[name] = _band(rolling, "rolling_fill_rate")
    band = bands[plan]
    x = _time_axis(band.index, start, days_per_period)
    colour = colours[plan]
    ax.fill_between(
        x,
        band["p_low"],
        band["p_high"],
        alpha=0.25,
        color=colour,
        lw=0,
        label=f"P{BAND[0]}–P{BAND[1]}",
    )
    ax.plot(x, band["median"], color=colour, lw=1.5, label="median")
    if plan != result.baseline:
        base = bands[result.baseline]
        ax.plot(
            _time_axis(base.index, start, days_per_period),
            base["median"],
            color="black",
            lw=0.9,
            ls="--",
            label=f"baseline median ({result.baseline})",
        )
    if target is not None:
        ax.axhline(target, color="tab:red", ls="--", lw=1, label=f"target {target:.0%}")
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.set_title(_plan_label(result, plan), fontsize=10, loc="left", color=colour)
    ax.set_ylabel("fill rate")
    ax.legend(loc="lower left", fontsize=7.5, framealpha=0.9, ncols=3)
    ax.grid(alpha=0.3)
    return ax


def cost_breakdown_by_plan(
    ax: Axes, result, currency: str, columns: list[str] | None = None
) -> Axes:
    """Mean cost per category (``columns``, default all) per plan, as grouped horizontal
    bars (one colour per plan), each labelled with its value."""
    colours = _plan_colours(result.plans)
    first = result.results[result.plans[0]].replications
    cols = [c for c in (columns or COST_COLUMNS) if c in first]
    k = len(result.plans)
    height = 0.8 / k
    y = np.arange(len(cols))
    for i, name in enumerate(result.plans):
        means = result.results[name].replications[cols].mean().to_numpy()
        pos = y - 0.4 + height * (i + 0.5)
        ax.barh(pos, means, height=height * 0.92, color=colours[name], label=name)
        for yi, value in zip(pos, means, strict=True):
            ax.annotate(f" {format_compact(value)}", (value, yi), va="center", fontsize=7.5)
    ax.set_yticks(y, [c.replace("_cost", "").replace("_", " ") for c in cols])
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v)))
    ax.set_xlabel(f"{currency} over the horizon")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
    ax.margins(x=0.18)
    ax.grid(axis="x", alpha=0.3)
    return ax


def compare_figures(result, scenario) -> dict[str, Figure]:
    """The figures of a ``compare`` run, by file stem: cost against service per
    replication, service-level bands over time (one panel per plan) and the cost
    breakdown side by side."""
    start = pd.Timestamp(scenario.meta.start_date)
    dpp = scenario.horizon.days_per_period
    currency = scenario.meta.currency
    k = len(result.plans)
    figs: dict[str, Figure] = {}
    fig, ax = plt.subplots(figsize=(9.5, 6), layout="constrained")
    cost_vs_service(ax, result, currency)
    figs["cost_vs_service"] = fig
    fig, axes = plt.subplots(
        k, 1, figsize=(10, 1.2 + 2.4 * k), layout="constrained", sharex=True, sharey=True
    )
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, result.plans, strict=True):
        service_band(ax, result, name, start, dpp)
    lows = [np.nanmin(line.get_ydata()) for ax in axes for line in ax.get_lines()]
    lows += [c.get_paths()[0].vertices[:, 1].min() for ax in axes for c in ax.collections]
    low = float(np.nanmin(lows)) if lows else 0.0
    axes[0].set_ylim(max(0.0, np.floor(low * 20 - 0.5) / 20), 1.01)
    fig.suptitle(
        f"Service level per plan: network unit fill rate over a trailing {ROLLING_DAYS}-day "
        "window (same replications for every plan)"
    )
    figs["service_bands"] = fig
    groups = (
        ("Purchase and total", ["purchase_cost", "total_cost"]),
        ("Shortage and holding", ["shortage_cost", "holding_cost"]),
        (
            "Expediting, contingency, qualification, ordering",
            ["expediting_cost", "contingency_cost", "qualification_cost", "ordering_cost"],
        ),
        ("Programs and contract payments", ["program_cost", "contract_cost"]),
    )
    height = max(3.6, 0.28 * k * 4 + 1.9)
    fig, axes = plt.subplots(
        1,
        len(groups),
        figsize=(16, height),
        layout="constrained",
        gridspec_kw={"width_ratios": [1, 1, 1.4, 1]},
    )
    for ax, (title, columns) in zip(axes, groups, strict=True):
        cost_breakdown_by_plan(ax, result, currency, columns)
        ax.set_title(title, fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(k, 4), fontsize=8.5)
    fig.suptitle("Cost breakdown per plan (mean over replications; note the different scales)")
    figs["cost_breakdown"] = fig
    return figs


PARTY_COLOURS = {"buyer": "tab:blue", "supplier": "tab:orange", "joint": "tab:green"}


def cumulative_cash_fan(
    ax: Axes, cash_flows: pd.DataFrame, party: str, start: pd.Timestamp, days_per_period: int
) -> Axes:
    """One party's cumulative cash flow of a program: median and P10-P90 over replications."""
    rows = cash_flows[cash_flows["party"] == party]
    x = _time_axis(pd.Index(rows["period"]), start, days_per_period)
    colour = PARTY_COLOURS.get(party, "tab:grey")
    ax.fill_between(
        x,
        rows["cumulative_p10"],
        rows["cumulative_p90"],
        color=colour,
        alpha=0.25,
        lw=0,
        label="P10–P90",
    )
    ax.plot(x, rows["cumulative_p50"], color=colour, lw=1.4, label="median")
    ax.plot(x, rows["cumulative_mean"], color="black", lw=0.8, ls=":", label="mean")
    ax.axhline(0, color="black", lw=0.6)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v)))
    ax.set_title(f"{party}: cumulative cash flow")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def npv_histogram(ax: Axes, measures: pd.DataFrame, party: str, currency: str) -> Axes:
    """One party's NPV over replications, with P10 / P50 / P90 and zero marked."""
    v = measures.loc[measures["party"] == party, "npv"].to_numpy(dtype=float)
    v = v[np.isfinite(v)]
    colour = PARTY_COLOURS.get(party, "tab:grey")
    ax.hist(v, bins=min(40, max(10, v.size // 5)), color=colour, alpha=0.7)
    for q, ls in ((10, "--"), (50, "-"), (90, ":")):
        value = np.percentile(v, q)
        ax.axvline(value, color="black", ls=ls, lw=0.9, label=f"P{q} {format_compact(value)}")
    ax.axvline(0, color="tab:red", lw=1.0, label="0")
    ax.legend(loc="upper right", fontsize=7)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=5))  # labels are wide
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v)))
    ax.set_title(f"{party}: NPV ({currency}), P(NPV < 0) = {np.mean(v < 0):.0%}")
    ax.set_ylabel("replications")
    ax.grid(alpha=0.3)
    return ax


def tornado_chart(ax: Axes, rows: pd.DataFrame, base_npv: float, currency: str) -> Axes:
    """Bars from the NPV at each input's P10 to its P90 (largest swing on top), base marked."""
    rows = rows.reindex(rows["swing"].abs().sort_values().index)
    y = np.arange(len(rows))
    low, high = rows["npv_at_low"].to_numpy(), rows["npv_at_high"].to_numpy()
    ax.barh(y, low - base_npv, left=base_npv, color="tab:red", alpha=0.7, label="input at P10")
    ax.barh(y, high - base_npv, left=base_npv, color="tab:blue", alpha=0.7, label="input at P90")
    ax.axvline(base_npv, color="black", lw=1)
    ax.axvline(0, color="tab:red", lw=0.6, ls=":")
    labels = []
    for _, r in rows.iterrows():
        value = _input_format(r["input"])
        be = r["break_even"]
        tail = "" if be is None or be != be else f" (break-even {value(be)})"
        name = r["input"].replace("duration:", "").replace("_", " ")
        if r["input"].startswith("duration:"):
            name += " (days)"
        labels.append(f"{name}: {value(r['low_value'])}–{value(r['high_value'])}{tail}")
    ax.set_yticks(y, labels, fontsize=8)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v)))
    ax.set_xlabel(f"mean NPV ({currency}); base {format_compact(base_npv)}")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    return ax


def _input_format(name: str):
    """How a tornado input's values read: shares as percentages, days and units as counts."""
    if name.endswith(("_reduction", "_improvement")) and not name.endswith("_days"):
        return lambda v: f"{v:.1%}"
    if name.startswith("duration:") or name.endswith("_days"):
        return lambda v: f"{v:,.0f}"
    return format_compact


def payback_figures(result, scenario) -> dict[str, Figure]:
    """The figures of a ``payback`` run: cumulative cash-flow fans, NPV histograms, tornado."""
    start = pd.Timestamp(scenario.meta.start_date)
    dpp, currency = scenario.horizon.days_per_period, scenario.meta.currency
    parties = ("buyer", "supplier", "joint")
    figs: dict[str, Figure] = {}
    fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained", sharey=True)
    for ax, party in zip(axes, parties, strict=True):
        cumulative_cash_fan(ax, result.cash_flows, party, start, dpp)
    fig.suptitle(f"{result.program.id}: cumulative cash flow per party ({currency})")
    figs["cash_flow_fan"] = fig
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8), layout="constrained")
    for ax, party in zip(axes, parties, strict=True):
        npv_histogram(ax, result.measures, party, currency)
    figs["npv_histogram"] = fig
    if result.tornado is not None and len(result.tornado):
        rows = result.tornado[result.tornado["party"] == "buyer"]
        base = float(rows["base_npv"].iloc[0])
        fig, ax = plt.subplots(figsize=(9, max(3.0, 0.5 * len(rows) + 1.5)), layout="constrained")
        tornado_chart(ax, rows, base, currency)
        ax.set_title(f"{result.program.id}: what moves the buyer's NPV (P10 / P90 of each input)")
        figs["tornado"] = fig
    return figs
