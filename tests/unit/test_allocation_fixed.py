"""Additions to the allocation model used by the optimizer studies: a dual-sourcing rule
that starts in a given year, pricing a fixed plan, and the model size."""

from __future__ import annotations

import pytest

from keiretsu.errors import SolverError
from keiretsu.optimize.allocation import optimize_allocation
from keiretsu.optimize.allocation_data import Part
from tests.unit.test_allocation import base, close, units


def test_dual_sourcing_from_a_year_leaves_the_years_before_it_free() -> None:
    part = Part("CELL", (100.0, 100.0), min_suppliers=2, min_source_share=0.3,
                min_suppliers_from_year=2028)  # fmt: skip
    r = optimize_allocation(base(part))
    assert r.shares["CELL"][2027] == {"ALPHA": 1.0}  # 2027: the cheapest alone
    # 2028: two sources, BETA (7) at its least share 30 %, ALPHA (5) the rest
    assert close(units(r, "ALPHA", 2028), 70.0) and close(units(r, "BETA", 2028), 30.0)
    assert close(r.objective, 100 * 5.0 + 70 * 5.0 + 30 * 7.0)


def test_a_year_that_is_not_in_the_data_is_refused() -> None:
    with pytest.raises(ValueError, match="min_suppliers_from_year 2030"):
        optimize_allocation(base(Part("CELL", (100.0, 100.0), min_suppliers_from_year=2030)))


def test_a_fixed_plan_is_priced_as_given() -> None:
    data = base(Part("CELL", (100.0, 100.0), shortage_penalty_per_unit=50.0))
    fixed = {
        ("CELL", "BETA", 2027): 60.0,
        ("CELL", "GAMMA", 2027): 40.0,
        ("CELL", "GAMMA", 2028): 90.0,
    }
    r = optimize_allocation(data, fixed_units=fixed)
    # 60 x 7 + 40 x 9 in 2027; 90 x 9 and 10 units short at 50 in 2028
    assert close(r.objective, 60 * 7.0 + 40 * 9.0 + 90 * 9.0 + 10 * 50.0)
    assert close(r.cost["shortage_penalty"], 500.0)


def test_a_fixed_plan_above_a_limit_is_refused() -> None:
    data = base(
        Part("CELL", (100.0, 100.0), shortage_penalty_per_unit=50.0, max_supplier_share=0.5)
    )
    with pytest.raises(SolverError, match="above the 50") as info:
        optimize_allocation(data, fixed_units={("CELL", "ALPHA", 2027): 80.0})
    assert info.value.outcome == "infeasible"


def test_the_result_says_how_big_the_model_was() -> None:
    r = optimize_allocation(base(alpha={"capacity_units_per_year": 60.0}))
    size = r.model_size
    assert size["columns"] == 6 and size["integer_columns"] == 0  # buy x 3 offers x 2 years
    assert size["rows"] >= 4 and size["nonzeros"] >= size["columns"]
