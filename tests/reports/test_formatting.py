"""The shared number formatting (console, figures, HTML, Excel) and column kinds."""

from __future__ import annotations

import math

import pytest

from keiretsu.reports.formatting import (
    column_kind,
    column_label,
    format_compact,
    format_number,
    format_share,
    format_value,
    kpi_label,
    split_stat,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (6.114e9, "6.11bn"),
        (-44_020_000.0, "-44.02M"),
        (127_400.0, "127,400"),
        (100.0, "100"),
        (11.134, "11.13"),
        (-0.001, "0.00"),  # never "-0.00"
        (math.nan, "–"),
    ],
)
def test_format_number(value: float, text: str) -> None:
    assert format_number(value) == text


def test_format_share_and_compact() -> None:
    assert format_share(0.98388) == "98.39%"
    assert format_share(-1e-7) == "0.00%"
    assert format_share(math.nan) == "–"
    assert format_compact(6.1e9) == "6.1bn" and format_compact(127_400) == "127.4k"
    assert format_compact(950) == "950" and format_compact(-0.2) == "0"


@pytest.mark.parametrize(
    ("column", "dtype", "kind"),
    [
        ("fill_rate", "f", "share"),
        ("recovered_mean", "f", "share"),
        ("margin_at_risk_p90", "f", "money"),
        ("purchase_cost", "f", "money"),
        ("mean_on_hand_value", "f", "money"),
        ("tco", "f", "money"),
        ("demand_units", "f", "number"),
        ("time_to_recover_days_p50", "f", "number"),
        ("order_lines", "i", "integer"),
        ("replication", "i", "id"),
        ("censored", "b", "bool"),
        ("part", "O", "text"),
    ],
)
def test_column_kind(column: str, dtype: str, kind: str) -> None:
    assert column_kind(column, dtype) == kind


def test_labels() -> None:
    assert split_stat("margin_at_risk_p90") == ("margin_at_risk", "p90")
    assert split_stat("ci95_half_width") == ("ci95_half_width", None)
    assert column_label("margin_at_risk_p90", "USD") == "margin at risk, P90 (USD)"
    assert column_label("lead_time_mean_days") == "lead time mean (days)"
    assert column_label("ci95_half_width") == "± 95% CI"
    assert kpi_label("mean_on_hand_value", "EUR") == "on hand (value, EUR)"
    assert kpi_label("otif", "EUR") == "OTIF"
    assert format_value(12_345, "integer") == "12,345" and format_value(7, "id") == "7"
    assert format_value(True, "bool") == "yes" and format_value(None, "number") == "–"


def test_every_cost_category_and_kpi_has_a_label() -> None:
    """The KPI table never shows a raw column name (program_cost, contract_cost, ...)."""
    from keiretsu.reports.formatting import KPI_LABELS
    from keiretsu.sim.records import COST_COLUMNS

    missing = [c for c in COST_COLUMNS if c not in KPI_LABELS]
    assert not missing, f"no display label for {missing}"
    assert KPI_LABELS["program_cost"] == "program cost"
    assert KPI_LABELS["contract_cost"] == "contract payments"
