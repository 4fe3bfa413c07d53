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
