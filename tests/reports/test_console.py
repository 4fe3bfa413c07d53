"""Terminal tables: titles above the table wrapped at the terminal's width (not folded at
the table's), footnotes at the terminal's width even when the table is printed wider."""

from __future__ import annotations

import io

import pandas as pd
from rich.console import Console

from keiretsu.reports.console import print_kpi_table, print_payback_table, print_sweep_table

TITLE = "EV battery-pack network — plan 'partner-majority dual sourcing', 200 replications, seed 1"


def _summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi": ["fill_rate", "program_cost", "contract_cost"],
            "n": 3,
            "mean": [0.9, 1e6, -2e6],
            "sd": 0.0,
            "ci95_half_width": 0.0,
            "p10": [0.8, 1e6, -2e6],
            "p50": [0.9, 1e6, -2e6],
            "p90": [0.95, 1e6, -2e6],
        }
    )


def _printed(monkeypatch, columns: int, draw, width: int | None = None) -> list[str]:
    monkeypatch.setenv("COLUMNS", str(columns))
    buffer = io.StringIO()
    draw(Console(file=buffer, width=width, no_color=True))
    return [line.rstrip() for line in buffer.getvalue().splitlines()]


def test_kpi_title_is_one_line_above_a_narrow_table(monkeypatch) -> None:
    lines = _printed(monkeypatch, 120, lambda c: print_kpi_table(_summary(), TITLE, c))
    assert lines[0] == TITLE  # not folded at the table's width
    assert len(lines[1]) < len(TITLE)  # the table is narrower than its title
    assert any("program cost" in line for line in lines)
    assert any("contract payments" in line for line in lines)
    assert not any("program_cost" in line or "contract_cost" in line for line in lines)


def test_titles_wrap_at_the_terminal_width(monkeypatch) -> None:
    summary = pd.DataFrame(
        {
            "party": ["buyer", "supplier", "joint"],
            "discount_rate": 0.1,
            "mean": 1.0,
            "npv_ci95_half_width": 0.1,
            "p10": 0.0,
            "p50": 1.0,
            "p90": 2.0,
            "prob_npv_negative": 0.1,
            "irr_median": 0.2,
            "irr_defined_share": 1.0,
            "payback_years_median": 1.2,
            "prob_payback_within": 0.6,
            "prob_never_paid_back": 0.0,
            "prob_completed": 1.0,
            "reservation_npv": 0.0,
            "would_sign": True,
        }
    )
    lines = _printed(monkeypatch, 60, lambda c: print_payback_table(summary, TITLE, "USD", c))
    assert max(len(line) for line in lines[:3]) <= 60
    assert " ".join(lines[:2]).startswith(TITLE[:50])
    assert all(len(line) <= 60 for line in lines[-3:])  # the footnote too


def test_sweep_footnote_wraps_at_the_terminal_not_the_table(monkeypatch) -> None:
    ranking = pd.DataFrame(
        {
            "rank": [1, 2],
            "node": ["A", "B"],
            "margin_at_risk_mean": [0.0, 0.0],
            "margin_at_risk_p90": [0.0, 0.0],
            "unfilled_units_mean": [0.0, 0.0],
            "recovered_mean": [1.0, 1.0],
            "time_to_recover_days_p50": [0.0, 0.0],
            "tts_days": [float("nan")] * 2,
            "tts_unbounded": [True, True],
            "ttr_days": [14.0, 14.0],
            "exposure_gap_days": [0.0, 0.0],
            "rei": [float("nan")] * 2,  # no node loses margin: 0/0
            "likelihood_per_year": [0.0, 0.0],
        }
    )
    lines = _printed(
        monkeypatch, 90, lambda c: print_sweep_table(ranking, "sweep", "USD", c), width=150
    )
    rows = [line for line in lines if line.startswith("│")]
    assert all(line.split("│")[-3].strip() == "–" for line in rows)  # REI: a dash, not 0.00
    note = lines[lines.index(next(x for x in lines if x.startswith("days to recover"))) :]
    assert len(note) >= 2 and all(len(line) <= 90 for line in note)
