"""Figures of ``keiretsu optimize`` and ``keiretsu frontier`` runs. Each function draws on
the ``ax`` it is given and returns it; the ``*_figures`` functions build the figures of a
run by file stem (saved by the CLI with :func:`keiretsu.reports.figures.save_png`)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from keiretsu.reports.formatting import format_compact

_MONEY = matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v))
_PERCENT = matplotlib.ticker.PercentFormatter(1.0)


def _precise(v: float, _pos=None) -> str:
    """Axis ticks of close amounts (a frontier spans a few percent): ``10.45bn``, ``966.2M``."""
    for unit, div in (("bn", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(v) >= div:
            return f"{v / div:,.3g}{unit}" if abs(v) / div >= 100 else f"{v / div:,.2f}{unit}"
    return f"{v:,.0f}"


_MONEY_PRECISE = matplotlib.ticker.FuncFormatter(_precise)


def _annotate_points(ax: Axes, xs, ys, labels) -> None:
    """One label per distinct point (coincident points share one: ``λ=0, 0.1``)."""
    merged: dict[tuple[float, float], list[str]] = {}
    span_x = (max(xs) - min(xs)) or 1.0
    span_y = (max(ys) - min(ys)) or 1.0
    for x, y, label in zip(xs, ys, labels, strict=True):
        key = (round((x - min(xs)) / span_x, 3), round((y - min(ys)) / span_y, 3))
        merged.setdefault(key, [x, y, []])[2].append(label)  # type: ignore[union-attr]
    for x, y, names in merged.values():
        ax.annotate(
            " " + ", ".join(names), (x, y), fontsize=7, xytext=(4, 4), textcoords="offset points"
        )


def allocation_shares(ax: Axes, shares: pd.DataFrame, plans: list[str]) -> Axes:
    """Per part, one bar per plan: each supplier's order share averaged over the plan years."""
    years = shares["year"].nunique() or 1
    mean = shares.groupby(["plan", "part", "supplier"], sort=False)["share"].sum() / years
    parts = list(dict.fromkeys(shares["part"]))
    suppliers = list(dict.fromkeys(shares["supplier"]))
    colours = plt.get_cmap("tab20")(np.linspace(0, 1, max(len(suppliers), 2)))
    colour = dict(zip(suppliers, colours, strict=False))
    height = 0.8 / max(len(plans), 1)
    labels, ticks = [], []
    for i, part in enumerate(parts):
        for j, plan in enumerate(plans):
            y = i + (j - (len(plans) - 1) / 2) * height
            left = 0.0
            for sup in suppliers:
                value = float(mean.get((plan, part, sup), 0.0))
                if value <= 0:
                    continue
                ax.barh(y, value, height=height * 0.9, left=left, color=colour[sup], label=sup)
                if value >= 0.12:
                    ax.text(
                        left + value / 2, y, f"{value:.0%}", ha="center", va="center", fontsize=6
                    )
                left += value
            ticks.append(y)
            labels.append(f"{part} · {plan}")
    ax.set_yticks(ticks, labels, fontsize=7)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(_PERCENT)
    ax.set_xlim(0, 1)
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
    ax.set_xlabel("share of the part's orders (mean over the plan years)")
    ax.grid(axis="x", alpha=0.3)
    return ax


def closed_loop_bars(axes, table: pd.DataFrame, currency: str) -> None:
    """Fill rate, total cost and margin per plan (simulated mean, 95 % CI whiskers)."""
    plans = list(dict.fromkeys(table["plan"]))
    data = table.set_index(["plan", "kpi"])
    for ax, kpi, label in zip(
        axes,
        ("fill_rate", "total_cost", "margin"),
        ("fill rate", f"total cost ({currency})", f"margin ({currency})"),
        strict=True,
    ):
        means = [float(data.loc[(p, kpi), "mean"]) for p in plans]
        errors = [float(data.loc[(p, kpi), "ci95_half_width"]) for p in plans]
        x = np.arange(len(plans))
        ax.bar(x, means, yerr=np.nan_to_num(errors), color="tab:blue", alpha=0.75, capsize=4)
        ax.set_xticks(x, [p if len(p) <= 18 else p[:17] + "…" for p in plans], fontsize=7)
        ax.yaxis.set_major_formatter(_PERCENT if kpi == "fill_rate" else _MONEY)
        if kpi == "fill_rate":
            low = min(m - e for m, e in zip(means, np.nan_to_num(errors), strict=True))
            ax.set_ylim(max(0.0, np.floor(low * 20 - 1) / 20), 1.0)
        ax.set_title(label, fontsize=9)
        ax.grid(axis="y", alpha=0.3)


def scenario_costs(ax: Axes, costs: pd.DataFrame, alpha: float, currency: str) -> Axes:
    """Distribution of the model's cost over the disruption scenarios, per plan, with its
    expected value (dashed) and CVaR (solid)."""
    plans = list(dict.fromkeys(costs["plan"]))
    colours = ["tab:blue", "tab:orange", "tab:green", "tab:red"]
    values = costs["cost"].to_numpy(dtype=float)
    bins = np.linspace(values.min(), values.max(), 25) if np.ptp(values) > 0 else 10
    for j, plan in enumerate(plans):
        c = costs.loc[costs["plan"] == plan]
        colour = colours[j % len(colours)]
        ax.hist(c["cost"], bins=bins, histtype="step", color=colour, lw=1.5, label=plan)
        ax.axvline(c["cost"].mean(), color=colour, ls="--", lw=1)
        if "cvar" in c and c["cvar"].notna().any():
            ax.axvline(float(c["cvar"].iloc[0]), color=colour, ls="-", lw=1)
    ax.xaxis.set_major_formatter(_MONEY)
    ax.set_xlabel(f"model cost over the horizon ({currency}); dashed: mean, solid: CVaR{alpha:g}")
    ax.set_ylabel("scenarios")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def optimize_figures(shares, table, costs, alpha, currency) -> dict[str, Figure]:
    """The figures of an ``optimize`` run (``table`` / ``costs`` may be None)."""
    figs: dict[str, Figure] = {}
    plans = list(dict.fromkeys(shares["plan"]))
    parts = shares["part"].nunique()
    fig, ax = plt.subplots(
        figsize=(10, max(3.0, 0.45 * parts * len(plans) + 1)), layout="constrained"
    )
    allocation_shares(ax, shares, plans)
    ax.set_title("Order shares: optimized plan and the scenario's own")
    figs["allocation"] = fig
    if table is not None and len(table):
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.6), layout="constrained")
        closed_loop_bars(axes, table, currency)
        fig.suptitle("Closed loop: plans simulated on the same random numbers (mean, 95% CI)")
        figs["closed_loop"] = fig
    if costs is not None and len(costs):
        fig, ax = plt.subplots(figsize=(9, 4), layout="constrained")
        scenario_costs(ax, costs, alpha, currency)
        ax.set_title("Risk model: cost per disruption scenario")
        figs["scenario_costs"] = fig
    return figs


def frontier_model(ax: Axes, points: pd.DataFrame, baseline: dict | None, alpha: float) -> Axes:
    """Expected cost against CVaR of each frontier point (the model's figures)."""
    ax.plot(points["cvar"], points["expected_cost"], "o-", color="tab:blue", label="optimized")
    _annotate_points(
        ax,
        list(points["cvar"]),
        list(points["expected_cost"]),
        [f"λ={v:.3g}" for v in points["lambda"]],
    )
    if baseline:
        ax.plot(
            baseline["cvar"],
            baseline["expected_cost"],
            "*",
            ms=12,
            color="tab:red",
            label="scenario plan",
        )
    ax.xaxis.set_major_formatter(_MONEY_PRECISE)
    ax.yaxis.set_major_formatter(_MONEY_PRECISE)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
    ax.set_xlabel(f"CVaR{alpha:g} of the model cost")
    ax.set_ylabel("expected model cost")
    ax.set_title("Model: expected cost vs CVaR", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def frontier_simulated(ax: Axes, points: pd.DataFrame, baseline: dict | None) -> Axes:
    """Simulated mean total cost (95 % CI) against the simulated P10 margin of each point."""
    if "simulated_total_cost_mean" not in points:
        ax.text(0.5, 0.5, "not simulated", ha="center", va="center", transform=ax.transAxes)
        return ax
    x, y = points["simulated_margin_p10"], points["simulated_total_cost_mean"]
    ax.errorbar(
        x,
        y,
        yerr=points["simulated_total_cost_ci95"],
        fmt="o-",
        color="tab:blue",
        capsize=3,
        label="optimized",
    )
    _annotate_points(
        ax,
        list(x),
        list(y),
        [f"λ={lam:.3g}" for lam in points["lambda"]],
    )
    if baseline:
        ax.errorbar(
            baseline["margin_p10"],
            baseline["total_cost_mean"],
            yerr=baseline["total_cost_ci95"],
            fmt="*",
            ms=12,
            color="tab:red",
            label=f"scenario plan (fill {baseline['fill_rate_mean']:.1%})",
        )
    ax.xaxis.set_major_formatter(_MONEY_PRECISE)
    ax.yaxis.set_major_formatter(_MONEY_PRECISE)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
    ax.set_xlabel("simulated margin, P10 (pessimistic tail)")
    ax.set_ylabel("simulated mean total cost")
    ax.set_title("Simulator: cost vs downside margin", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def frontier_figures(points, baseline_model, baseline_sim, alpha) -> dict[str, Figure]:
    """The figure of a ``frontier`` run: the model's and the simulator's view side by side."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
    frontier_model(left, points, baseline_model, alpha)
    frontier_simulated(right, points, baseline_sim)
    fig.suptitle("Cost–risk frontier (each point: the risk model at one λ, its plan simulated)")
    return {"frontier": fig}
