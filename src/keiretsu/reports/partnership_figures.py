"""Figures of the partnership analytics: the Kraljic matrix (``keiretsu segment``) and the
profit split per contract family (``keiretsu contracts``). Each function draws on the
``ax`` it is given and returns it; the ``*_figures`` functions make the figures of a run,
by file stem (saved by :func:`keiretsu.reports.figures.save_png`)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from keiretsu.reports.formatting import format_compact

SEGMENT_COLOURS = {
    "strategic": "#c0392b",
    "leverage": "#2471a3",
    "bottleneck": "#d68910",
    "non-critical": "#7f8c8d",
}
"""One colour per Kraljic segment, the same in every figure."""

_MIN_AREA, _MAX_AREA = 25.0, 1400.0
"""Marker areas (points²) of the smallest and largest spend."""


def _areas(spend: np.ndarray) -> np.ndarray:
    top = float(spend.max()) if spend.size and spend.max() > 0 else 1.0
    return _MIN_AREA + (_MAX_AREA - _MIN_AREA) * np.clip(spend, 0, None) / top


def _place_labels(ax: Axes, xs, ys, labels, areas) -> None:
    """Label every point, nudging labels vertically until none overlaps another (or a
    marker it does not belong to); a thin leader line joins a moved label to its point."""
    fig = ax.figure
    # labels are placed in pixels: settle the layout first (title, legend, constrained
    # layout) and keep it, or the axes would move under the labels when saved
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    to_pixels = ax.transData
    from matplotlib.transforms import Bbox

    placed: list = []
    for x, y, area in zip(xs, ys, areas, strict=True):  # markers are obstacles too
        px, py = to_pixels.transform((float(x), float(y)))
        r = np.sqrt(area) / 2.0 * fig.dpi / 72.0
        placed.append(Bbox([[px - r, py - r], [px + r, py + r]]))
    order = np.argsort(-np.asarray(areas))  # big markers first: they own their space
    for i in order:
        x, y = float(xs[i]), float(ys[i])
        radius = np.sqrt(areas[i]) / 2.0 * fig.dpi / 72.0  # marker radius in pixels
        px, py = to_pixels.transform((x, y))
        text = ax.text(
            x,
            y,
            labels[i],
            fontsize=8,
            va="center",
            ha="left",
            zorder=6,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.65},
        )
        best = None
        for step in range(40):
            dy = (step + 1) // 2 * 9.0 * (1 if step % 2 else -1)
            offset = (radius + 3.0, dy)
            text.set_position(to_pixels.inverted().transform((px + offset[0], py + offset[1])))
            box = text.get_window_extent(renderer).expanded(1.04, 1.15)
            if not any(box.overlaps(other) for other in placed):
                best = dy
                break
        if best is None:
            best = 0.0
            text.set_position(to_pixels.inverted().transform((px + radius + 3.0, py)))
        placed.append(text.get_window_extent(renderer))
        if abs(best) > 9.0:
            tx, ty = to_pixels.inverted().transform((px + radius + 2.0, py + best))
            ax.plot([x, tx], [y, ty], color="black", lw=0.5, alpha=0.5, zorder=4)


def kraljic_matrix(
    ax: Axes,
    parts: pd.DataFrame,
    impact_threshold: float,
    risk_threshold: float,
    currency: str,
) -> Axes:
    """Parts on Kraljic's matrix: supply risk across, profit impact up, one point per
    part coloured by segment, its area proportional to annual spend; the quadrants
    shaded and named, the thresholds drawn. Labels are placed last, in pixels, so the
    figure's layout is settled and then fixed (set the title before calling)."""
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    quadrants = (
        ("leverage", (0, risk_threshold), (impact_threshold, 1), "upper left"),
        ("strategic", (risk_threshold, 1), (impact_threshold, 1), "upper right"),
        ("non-critical", (0, risk_threshold), (0, impact_threshold), "lower left"),
        ("bottleneck", (risk_threshold, 1), (0, impact_threshold), "lower right"),
    )
    for name, (x0, x1), (y0, y1), corner in quadrants:
        ax.fill_between([x0, x1], y0, y1, color=SEGMENT_COLOURS[name], alpha=0.09, lw=0)
        left = "left" in corner
        top = "upper" in corner
        ax.text(
            x0 + 0.015 if left else x1 - 0.015,
            y1 - 0.02 if top else y0 + 0.02,
            name.upper(),
            ha="left" if left else "right",
            va="top" if top else "bottom",
            fontsize=11,
            fontweight="bold",
            color=SEGMENT_COLOURS[name],
            alpha=0.8,
        )
    ax.axvline(risk_threshold, color="black", lw=0.8, ls="--", alpha=0.6)
    ax.axhline(impact_threshold, color="black", lw=0.8, ls="--", alpha=0.6)
    x = parts["risk_score"].to_numpy(dtype=float)
    y = parts["impact_score"].to_numpy(dtype=float)
    spend = parts["annual_spend"].to_numpy(dtype=float)
    areas = _areas(spend)
    colours = [SEGMENT_COLOURS[s] for s in parts["segment"]]
    ax.scatter(x, y, s=areas, c=colours, alpha=0.75, edgecolors="black", linewidths=0.6, zorder=5)
    top = float(spend.max()) if spend.size else 0.0
    if top > 0:
        references = [v for v in (top, top / 10, top / 100) if v > 0]
        handles = [
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                markersize=np.sqrt(_areas(np.array([v, top]))[0]),
                markerfacecolor="white",
                markeredgecolor="black",
                label=format_compact(v),
            )
            for v in references
        ]
        ax.legend(
            handles=handles,
            title=f"annual spend ({currency})",
            loc="lower left",
            bbox_to_anchor=(1.01, 0.0),
            fontsize=8,
            title_fontsize=8,
            labelspacing=2.4,
            handletextpad=1.8,
            borderpad=1.2,
            frameon=False,
        )
    ax.set_xlabel(f"supply risk score (high from {risk_threshold:g})")
    ax.set_ylabel(f"profit impact score (high from {impact_threshold:g})")
    ax.grid(alpha=0.2)
    _place_labels(ax, x, y, list(parts["part"].astype(str)), areas)
    return ax


def segment_figures(result, scenario_name: str) -> dict[str, Figure]:
    """The figure of a ``segment`` run: the Kraljic matrix of its parts."""
    n = len(result.parts)
    size = 7.5 if n <= 15 else 9.5
    fig, ax = plt.subplots(figsize=(size + 2.0, size), layout="constrained")
    o = result.options
    counts = ", ".join(f"{v} {k}" for k, v in result.counts().items())
    ax.set_title(
        f"{scenario_name}: Kraljic matrix of plan “{result.plan}”\n{counts} parts; "
        "point area: annual spend"
    )
    kraljic_matrix(ax, result.parts, o.impact_threshold, o.risk_threshold, result.currency)
    return {"kraljic_matrix": fig}


# ----------------------------------------------------------------------------- contracts


def contract_profits(
    ax: Axes, contracts: pd.DataFrame, optimal_profit: float, currency: str
) -> Axes:
    """Expected profit of the buyer (retailer) and the supplier under each contract,
    stacked; the integrated channel's optimum dashed. A family that cannot coordinate
    with the requested split has no bar, only the reason."""
    rows = contracts.reset_index(drop=True)
    y = np.arange(len(rows))[::-1]
    retailer = rows["retailer_profit"].to_numpy(dtype=float)
    supplier = rows["supplier_profit"].to_numpy(dtype=float)
    ok = np.isfinite(retailer) & np.isfinite(supplier)
    ax.barh(y[ok], retailer[ok], color="tab:blue", label="buyer (retailer)", height=0.6)
    ax.barh(
        y[ok], supplier[ok], left=retailer[ok], color="tab:orange", label="supplier", height=0.6
    )
    ax.axvline(optimal_profit, color="black", ls="--", lw=1, label="integrated channel Π°")
    for yi, good, r, s, eff, note in zip(
        y, ok, retailer, supplier, rows["efficiency"], rows["note"], strict=True
    ):
        if good:
            ax.text(r + s + optimal_profit * 0.01, yi, f"{eff:.1%}", va="center", fontsize=8)
        else:
            short = note if len(note) <= 110 else note[:107] + "..."
            ax.text(optimal_profit * 0.01, yi, f"cannot: {short}", va="center", fontsize=7.5)
    ax.set_yticks(y, rows["contract"].astype(str))
    ax.set_xlim(0, optimal_profit * 1.18)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: format_compact(v)))
    ax.set_xlabel(f"expected profit per season ({currency}); label: channel efficiency")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return ax


def contracts_figures(result) -> dict[str, Figure]:
    """The figure of a ``contracts`` run: the profit split per contract."""
    height = 2.0 + 0.45 * len(result.contracts)
    fig, ax = plt.subplots(figsize=(10, height), layout="constrained")
    contract_profits(ax, result.contracts, result.optimal_profit, result.currency)
    ax.set_title(
        f"{result.part} from {result.supplier}: expected profit per season by contract\n"
        f"(coordinating contracts give the buyer {result.retailer_share:g} of Π°)"
    )
    return {"contract_profits": fig}
