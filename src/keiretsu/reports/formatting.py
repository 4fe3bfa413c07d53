"""Numbers for humans: the one place that formats values, labels columns and knows which
are shares, money or counts. The console tables, the figures' axes, the HTML report and
the Excel number formats all use it, so a KPI reads the same everywhere.

Conventions
-----------
* shares (fill rate, OTIF, recovered, ...) as percentages with two decimals;
* money and other amounts with thousands separators, abbreviated from a million on
  (``6.11bn``, ``44.02M``); the currency goes in the column header, not in each cell;
* NaN (not defined, e.g. days to recover of a replication that never recovered) as ``–``;
* a value that rounds to zero is shown as ``0.00``, never ``-0.00``.

Column kinds are read off the column name (units in names, see ARCHITECTURE.md): a
statistic suffix (``_mean``, ``_p90``, ``_ci95_half_width``...) is stripped first, then
the base name decides: listed shares, scores (``..._score``: unitless, even
``spend_score``), money words (``cost``, ``revenue``, ``margin``, ``spend``, ``value``,
``profit``, ``price``...), otherwise a plain number.
"""

from __future__ import annotations

import math
import re
from typing import Literal

SHARE_KPIS = {"fill_rate", "otif", "fill_rate_loss", "recovered"}
"""KPIs shown as percentages."""

SHARE_COLUMNS = SHARE_KPIS | {
    "capacity_available",
    "censored",
    "probability_better",
    "spend_share",
    "volume_share",
    "largest_share",
    "tier2_share",
    "efficiency",
    "retailer_share",
    "retailer_revenue_share",
    "cancellable_share",
}
"""Columns (base names) holding a share in [0, 1] (booleans averaged are shares too)."""

MONEY_WORDS = {
    "cost",
    "costs",
    "revenue",
    "margin",
    "spend",
    "tco",
    "value",
    "npv",
    "capex",
    "profit",
    "price",
}
"""A column whose base name has one of these words (split on ``_``) is an amount of money."""

ID_COLUMNS = {"replication", "period", "rank", "year"}
"""Integer columns that are identifiers: no thousands separator."""

KPI_LABELS = {
    "fill_rate": "fill rate",
    "otif": "OTIF",
    "lost_sales_units": "lost sales (units)",
    "mean_backorder_units": "backorders (units)",
    "mean_on_hand_units": "on hand (units)",
    "mean_on_hand_value": "on hand (value)",
    "mean_days_of_cover": "days of cover",
    "purchase_cost": "purchase cost",
    "holding_cost": "holding cost",
    "shortage_cost": "shortage cost",
    "ordering_cost": "ordering cost",
    "expediting_cost": "expediting cost",
    "contingency_cost": "contingency cost",
    "qualification_cost": "qualification cost",
    "program_cost": "program cost",
    "contract_cost": "contract payments",
    "total_cost": "total cost",
    "revenue": "revenue",
    "margin": "margin",
    "unfilled_units": "unfilled units",
    "fill_rate_loss": "fill-rate loss",
    "revenue_at_risk": "revenue at risk",
    "margin_at_risk": "margin at risk",
    "expediting_spend": "extra expediting",
    "contingency_spend": "extra contingency",
    "recovered": "recovered",
    "time_to_recover_days": "days to recover",
    "time_below_failure_days": "days below failure",
}
"""Display names of the summary KPIs (means of per-period values, totals otherwise)."""

STAT_LABELS = {
    "mean": "mean",
    "sd": "SD",
    "ci95_half_width": "± 95% CI",
    "min": "min",
    "max": "max",
}
"""Display names of the statistics over replications (percentiles are ``Pxx``)."""

COLUMN_LABELS = {
    "baseline_mean": "baseline mean",
    "plan_mean": "plan mean",
    "delta_mean": "Δ mean (plan − baseline)",
    "delta_ci95_half_width": "Δ ± 95% CI",
    "probability_better": "P(better)",
}
"""Display names of columns whose name alone does not read well (paired comparisons)."""

_STAT = re.compile(r"^(?P<base>.+)_(?P<stat>mean|sd|ci95_half_width|min|max|p\d{1,2})$")

Kind = Literal["share", "money", "number", "integer", "id", "bool", "text"]


def format_share(v: float) -> str:
    """``0.9839`` -> ``98.39%``."""
    if v != v:
        return "–"
    return f"{_no_negative_zero(v, 4):.2%}"


def format_number(v: float) -> str:
    """``6.11e9`` -> ``6.11bn``, ``4.4e7`` -> ``44.02M``, ``127400`` -> ``127,400``, ``11.13``."""
    if v != v:
        return "–"
    for suffix, div in (("bn", 1e9), ("M", 1e6)):
        if abs(v) >= div:
            return f"{v / div:,.2f}{suffix}"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{_no_negative_zero(v, 2):,.2f}"


def format_significant(v: float, digits: int = 4) -> str:
    """Contract terms and other per-unit figures where two decimals are too few:
    ``0.655617`` -> ``0.6556``, ``40.4`` -> ``40.4``, from a thousand on whole numbers
    (``1234567.8`` -> ``1,234,568``), ``1.234e-05`` stays so."""
    if v != v:
        return "–"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{_no_negative_zero(v, 12):.{digits}g}"


def format_compact(v: float) -> str:
    """Axis ticks and bar labels: ``6.1bn``, ``44.0M``, ``127.4k``, ``950``."""
    for unit, div in (("bn", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(v) >= div:
            return f"{v / div:,.1f}{unit}"
    return f"{_no_negative_zero(v, 0):,.0f}"


def format_signed(v: object, kind: Kind) -> str:
    """A difference, signed: ``+0.52%`` (percentage points, for shares), ``-12.30M``;
    a difference that shows as zero has no sign."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    x = float(v)  # type: ignore[arg-type]
    text = format_value(abs(x), kind)
    if x == 0 or text.strip("0.,%") == "":
        return text
    return ("-" if x < 0 else "+") + text


def _no_negative_zero(v: float, digits: int) -> float:
    return 0.0 if round(v, digits) == 0 else v


def split_stat(column: str) -> tuple[str, str | None]:
    """``margin_at_risk_p90`` -> (``margin_at_risk``, ``p90``); ``revenue`` -> (``revenue``, None)."""
    m = _STAT.match(column)
    return (m["base"], m["stat"]) if m else (column, None)


def column_kind(column: str, dtype_kind: str = "f") -> Kind:
    """What a column holds, from its name and its numpy dtype kind (``f``, ``i``, ``b``, ``O``...)."""
    if dtype_kind == "b":
        return "bool"
    if dtype_kind not in "fiu":
        return "text"
    base, _ = split_stat(column)
    base = base.removeprefix("simulated_")  # the optimizer's simulated check of a KPI
    if base in SHARE_COLUMNS:
        return "share"
    if base.endswith("_score"):  # scores are unitless, whatever they score
        return "number"
    if set(base.split("_")) & MONEY_WORDS:
        return "money"
    if dtype_kind in "iu":
        return "id" if base in ID_COLUMNS else "integer"
    return "number"


def kpi_kind(kpi: str) -> Kind:
    """The kind of the values in a row of a long KPI table (one row per KPI)."""
    return column_kind(kpi)


def format_value(v: object, kind: Kind) -> str:
    """One cell, for people."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if kind == "bool":
        return "yes" if v else "no"
    if kind == "text" or isinstance(v, str):
        return str(v)
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(v)
    if x != x:
        return "–"
    if kind == "share":
        return format_share(x)
    if kind == "id":
        return str(int(x))
    if kind == "integer":
        return f"{int(x):,}"
    return format_number(x)


def humanize(name: str) -> str:
    """``warmup_periods`` -> ``warmup periods``; known KPIs by their display names."""
    if name in KPI_LABELS:
        return KPI_LABELS[name]
    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    if name in STAT_LABELS:
        return STAT_LABELS[name]
    if re.fullmatch(r"p\d{1,2}", name):
        return name.upper()
    special = {"kpi": "KPI", "otif": "OTIF", "tco": "TCO", "sha256": "SHA-256", "ppm": "ppm"}
    words = [special.get(w, w) for w in name.split("_")]
    if len(words) > 1 and words[-1] in ("units", "days"):
        return f"{' '.join(words[:-1])} ({words[-1]})"
    return " ".join(words)


def column_label(column: str, currency: str | None = None, dtype_kind: str = "f") -> str:
    """Header of a column: ``margin_at_risk_p90`` -> ``margin at risk, P90 (USD)``."""
    base, stat = split_stat(column)
    label = humanize(base)
    if stat is not None:
        label = f"{label}, {humanize(stat)}"
    if currency and column_kind(column, dtype_kind) == "money":
        label = _with_unit(label, currency)
    return label


def kpi_label(kpi: str, currency: str | None = None) -> str:
    """Row label of a long KPI table, with the currency for amounts of money."""
    label = humanize(kpi)
    if currency and kpi_kind(kpi) == "money":
        label = _with_unit(label, currency)
    return label


def _with_unit(label: str, unit: str) -> str:
    """``revenue`` -> ``revenue (USD)``; ``on hand (value)`` -> ``on hand (value, USD)``."""
    return f"{label[:-1]}, {unit})" if label.endswith(")") else f"{label} ({unit})"
