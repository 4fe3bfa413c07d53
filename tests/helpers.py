"""Helpers shared by the tests: a small valid scenario and ways to break and locate it.

``SMALL_SCENARIO`` is a complete, valid network with room for every kind of mistake:
two regions, a dual-sourced part (CELL) and a sole-sourced one (CASE), a tier-2 link,
a year-by-year allocation and both a per-part and a default inventory policy. Tests
break it with :func:`edit` and locate the expected error with :func:`at`, which finds
the 1-based line and column of a piece of text independently of the loader.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from keiretsu.errors import Problem, ScenarioError
from keiretsu.scenario.loader import load_scenario
from keiretsu.scenario.model import Scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
SCHEMAS = REPO / "schemas"

SMALL_SCENARIO = """\
meta:
  name: Small test network
  start_date: 2027-01-04
horizon:
  years: 2
  period: week
regions:
  - id: ASIA
  - id: EU
parts:
  - id: CELL
    demand:
      per_period_units: {kind: poisson, mean: 100}
      seasonality: [0.9, 1.1]
    revenue_per_unit: 50
    holding_cost_per_unit_per_period: 0.2
    shortage: {kind: backorder, cost_per_unit_per_period: 2}
    criticality: critical
  - id: CASE
    demand:
      per_period_units: {kind: fixed, value: 40}
    revenue_per_unit: 5
    holding_cost_per_unit_per_period: 0.01
    shortage: {kind: lost_sale, penalty_per_unit: 1}
suppliers:
  - id: ALPHA
    region: ASIA
    offers:
      - part: CELL
        unit_price: 20
        lead_time_days: {kind: triangular, low: 20, mode: 30, high: 45}
        on_time_probability: 0.9
        capacity_units_per_period: 150
      - part: CASE
        unit_price: 2
        lead_time_days: {kind: fixed, value: 10}
  - id: BETA
    region: EU
    offers:
      - part: CELL
        unit_price: 24
        lead_time_days: {kind: uniform, low: 5, high: 9}
tier2:
  sub_suppliers:
    - id: MINE
      region: ASIA
  links:
    - supplier: ALPHA
      sub_supplier: MINE
      parts: [CELL]
plan:
  name: split
  allocation:
    CELL: {ALPHA: 0.6, BETA: 0.4}
  allocation_by_year:
    CELL:
      2: {ALPHA: 0.5, BETA: 0.5}
  inventory:
    CELL: {policy: s_S, reorder_point_units: 300, order_up_to_units: 900}
  default_inventory: {policy: days_of_cover, cover_days: 14}
run:
  replications: 10
  seed: 7
"""
"""A valid scenario (2 years, weekly) used throughout the tests."""

TRICKY_NAME = """Tricky <script>alert("x")</script> & 'Co'"""
"""A scenario name that must be escaped wherever it is shown (names are user input)."""

SCHEMA_MODELINE = "# yaml-language-server: $schema=../schemas/scenario.schema.json"


def edit(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced by ``new``."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def at(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based (line, column) where the ``occurrence``-th ``needle`` starts in ``text``."""
    start = -1
    for _ in range(occurrence):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return line, column


def errors_of(path: Path | str, overrides: Iterable[str] = ()) -> list[Problem]:
    """The problems ``load_scenario`` reports for ``path`` (it must fail)."""
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    return info.value.problems


def only(problems: list[Problem]) -> Problem:
    """The single problem of a list (fails, listing them, when there are more)."""
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def single_part(
    *,
    demand: dict,
    holding: float,
    shortage: dict,
    policy: dict,
    lead_time_days: dict | float = 0.0,
    order_cost: float = 0.0,
    periods: int = 5000,
    warmup: int = 100,
    replications: int = 40,
    seed: int = 12345,
    revenue: float = 0.0,
    capacity: float | None = None,
    defect_ppm: float = 0.0,
    on_time_probability: float = 1.0,
    late_delay_days: float = 7.0,
    expedite: dict | None = None,
    expedite_rule: dict | None = None,
    disruptions: list | None = None,
) -> Scenario:
    """One part, one perfectly reliable supplier unless told otherwise, daily periods.

    Built in code and validated by the schema: the same public path a user takes.
    """
    lead = (
        lead_time_days
        if isinstance(lead_time_days, dict)
        else {"kind": "fixed", "value": lead_time_days}
    )
    plan: dict = {"inventory": {"P": policy}}
    if expedite_rule is not None:
        plan["expedite"] = {"P": expedite_rule}
    return Scenario.model_validate(
        {
            "meta": {"name": "verification"},
            "horizon": {"years": periods / 365, "period": "day", "review_every_periods": 1},
            "regions": [{"id": "R"}],
            "parts": [
                {
                    "id": "P",
                    "demand": {"per_period_units": demand},
                    "revenue_per_unit": revenue,
                    "holding_cost_per_unit_per_period": holding,
                    "shortage": shortage,
                }
            ],
            "suppliers": [
                {
                    "id": "S",
                    "region": "R",
                    "offers": [
                        {
                            "part": "P",
                            "unit_price": 1.0,
                            "lead_time_days": lead,
                            "order_cost_per_order": order_cost,
                            "capacity_units_per_period": capacity,
                            "defect_ppm": defect_ppm,
                            "on_time_probability": on_time_probability,
                            "late_delay_days": {"kind": "fixed", "value": late_delay_days},
                            "expedite": expedite,
                        }
                    ],
                }
            ],
            "disruptions": disruptions or [],
            "plan": plan,
            "run": {"replications": replications, "seed": seed, "warmup_periods": warmup},
        }
    )


def within_mc_tolerance(values, expected: float, max_rel_3se: float = 0.02) -> tuple[bool, str]:
    """|mean - expected| <= 3 SE and 3 SE <= ``max_rel_3se`` x |expected| (VALIDATION.md)."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    mean, se = v.mean(), v.std(ddof=1) / np.sqrt(v.size)
    ok = abs(mean - expected) <= 3 * se and 3 * se <= max_rel_3se * abs(expected)
    return (
        ok,
        f"mean {mean:.6g} vs expected {expected:.6g}: |diff| {abs(mean - expected):.3g}, 3 SE {3 * se:.3g}",
    )
