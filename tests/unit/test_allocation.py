"""The allocation MILP, one constraint family at a time: turn it on, see it bind.

The base instance: part CELL, 100 units a year in 2027 and 2028, three suppliers —
ALPHA (ASIA, 5/unit, 400 ppm), BETA (EU, 7/unit, 100 ppm), GAMMA (EU, 9/unit, 50 ppm).
With no limits everything goes to ALPHA (cost 1000); each test adds one rule and
checks the plan it forces, worked out by hand in the test.
"""

from __future__ import annotations

import dataclasses

import pulp
import pytest

from keiretsu.errors import SolverError
from keiretsu.optimize.allocation import COST_TERMS, build, optimize_allocation
from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, PriceBreak, Supplier
from keiretsu.optimize.diagnosis import diagnose_infeasibility

YEARS = (2027, 2028)


def base(
    part: Part | None = None,
    alpha: dict | None = None,
    beta: dict | None = None,
    gamma: dict | None = None,
    suppliers: dict[str, dict] | None = None,
    **data: object,
) -> AllocationData:
    sup = {"ALPHA": {"region": "ASIA"}, "BETA": {"region": "EU"}, "GAMMA": {"region": "EU"}}
    for name, extra in (suppliers or {}).items():
        sup[name] = {**sup[name], **extra}
    return AllocationData(
        years=YEARS,
        parts=(part or Part("CELL", (100.0, 100.0)),),
        suppliers=tuple(Supplier(name, **kw) for name, kw in sup.items()),
        offers=(
            Offer("CELL", "ALPHA", 5.0, defect_ppm=400.0, **(alpha or {})),
            Offer("CELL", "BETA", 7.0, defect_ppm=100.0, **(beta or {})),
            Offer("CELL", "GAMMA", 9.0, defect_ppm=50.0, **(gamma or {})),
        ),
        **data,
    )


def units(result, supplier: str, year: int, part: str = "CELL") -> float:
    a = result.allocation
    rows = a[(a.supplier == supplier) & (a.year == year) & (a.part == part)]
    return float(rows.units.sum())


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def test_without_limits_the_cheapest_supplier_takes_everything() -> None:
    r = optimize_allocation(base())
    assert r.outcome == "optimal" and close(r.objective, 1000.0)
    assert r.shares == {"CELL": {2027: {"ALPHA": 1.0}, 2028: {"ALPHA": 1.0}}}
    assert list(r.cost) == list(COST_TERMS) and close(sum(r.cost.values()), r.objective)


def test_constraints_are_named_after_what_they_mean() -> None:
    prob, _ = build(
        base(
            Part("CELL", (100.0, 100.0), max_defect_ppm=200.0),
            alpha={"capacity_units_per_year": 60.0},
        )
    )
    names = {c.name for c in prob.constraints()}
    assert {"demand_CELL_y2027", "capacity_ALPHA_CELL_y2028", "quality_CELL_y2027"} <= names


def test_capacity_per_part() -> None:
    r = optimize_allocation(base(alpha={"capacity_units_per_year": 60.0}))
    assert close(units(r, "ALPHA", 2027), 60.0) and close(units(r, "BETA", 2027), 40.0)
    assert close(r.objective, 2 * (60 * 5 + 40 * 7))


def test_shared_capacity_goes_to_the_part_it_saves_most_on() -> None:
    # ALPHA makes CELL (5 vs BETA 7: saves 2) and CASE (3 vs BETA 8: saves 5), 70 in all
    data = AllocationData(
        years=(2027,),
        parts=(Part("CELL", (50.0,)), Part("CASE", (50.0,))),
        suppliers=(Supplier("ALPHA", shared_capacity_units_per_year=70.0), Supplier("BETA")),
        offers=(
            Offer("CELL", "ALPHA", 5.0),
            Offer("CASE", "ALPHA", 3.0),
            Offer("CELL", "BETA", 7.0),
            Offer("CASE", "BETA", 8.0),
        ),
    )
    r = optimize_allocation(data)
    assert close(units(r, "ALPHA", 2027, "CASE"), 50.0)
    assert close(units(r, "ALPHA", 2027, "CELL"), 20.0)
    assert close(r.objective, 50 * 3 + 20 * 5 + 30 * 7)


def test_minimum_volume_when_used() -> None:
    # ALPHA capped at 80: 20 more from BETA (7) -- unless BETA must take 50 when used:
    # then GAMMA 20 x 9 = 180 beats BETA 50 x 7 + 30 fewer from ALPHA (350 - 150 = 200)
    free = optimize_allocation(base(alpha={"capacity_units_per_year": 80.0}))
    assert close(units(free, "BETA", 2027), 20.0)
    moq = optimize_allocation(
        base(alpha={"capacity_units_per_year": 80.0}, beta={"min_units_per_year": 50.0})
    )
    assert close(units(moq, "BETA", 2027), 0.0) and close(units(moq, "GAMMA", 2027), 20.0)
    assert close(moq.objective, 2 * (80 * 5 + 20 * 9))


def test_fixed_cost_per_year_and_once_per_supplier_part() -> None:
    cap = {"capacity_units_per_year": 80.0}
    # BETA's 20 a year cost 140 + 50 per year > GAMMA's 180: GAMMA
    yearly = optimize_allocation(base(alpha=cap, beta={"fixed_cost_per_year": 50.0}))
    assert close(units(yearly, "GAMMA", 2027), 20.0) and close(units(yearly, "GAMMA", 2028), 20.0)
    # once over the horizon: 2 x 140 + 50 = 330 < 2 x 180: BETA both years
    once = optimize_allocation(base(alpha=cap, beta={"fixed_cost_once": 50.0}))
    assert close(units(once, "BETA", 2027), 20.0) and close(units(once, "BETA", 2028), 20.0)
    assert close(once.cost["fixed_supplier_part_once"], 50.0)
    assert close(once.objective, 2 * (400 + 140) + 50)


def test_fixed_cost_per_supplier_is_paid_once_across_parts_and_years() -> None:
    data = AllocationData(
        years=YEARS,
        parts=(Part("CELL", (10.0, 10.0)), Part("CASE", (10.0, 10.0))),
        suppliers=(
            Supplier("ALPHA", fixed_cost_once=30.0, fixed_cost_per_year=5.0),
            Supplier("BETA"),
        ),
        offers=(
            Offer("CELL", "ALPHA", 1.0),
            Offer("CASE", "ALPHA", 1.0),
            Offer("CELL", "BETA", 3.0),
            Offer("CASE", "BETA", 3.0),
        ),
    )
    r = optimize_allocation(data)  # ALPHA saves 2 x 40 = 80 > 30 + 2 x 5
    assert close(r.cost["fixed_supplier_once"], 30.0)
    assert close(r.cost["fixed_supplier_per_year"], 10.0)
    assert close(r.objective, 40 + 40)
    # saving 80 on purchases does not pay a fixed 85: BETA for everything
    dear = dataclasses.replace(
        data, suppliers=(Supplier("ALPHA", fixed_cost_once=85.0), Supplier("BETA"))
    )
    assert close(optimize_allocation(dear).objective, 120.0)


def test_maximum_share_of_part_and_of_offer() -> None:
    r = optimize_allocation(base(Part("CELL", (100.0, 100.0), max_supplier_share=0.6)))
    assert close(units(r, "ALPHA", 2027), 60.0) and close(units(r, "BETA", 2027), 40.0)
    r = optimize_allocation(base(alpha={"max_share": 0.5}))
    assert close(units(r, "ALPHA", 2027), 50.0) and close(units(r, "BETA", 2027), 50.0)


def test_dual_sourcing_with_a_minimum_share_per_source() -> None:
    part = Part("CELL", (100.0, 100.0), min_suppliers=2, min_source_share=0.3)
    r = optimize_allocation(base(part))
    assert close(units(r, "ALPHA", 2027), 70.0) and close(units(r, "BETA", 2027), 30.0)
    assert all(len(r.shares["CELL"][y]) == 2 for y in YEARS)


def test_region_concentration_by_volume_and_by_spend() -> None:
    r = optimize_allocation(base(Part("CELL", (100.0, 100.0), max_region_share=0.5)))
    assert close(units(r, "ALPHA", 2027), 50.0) and close(units(r, "BETA", 2027), 50.0)
    # spend: 5a <= 0.5 (5a + 7b), a + b = 100  ->  a <= 350 / 6
    r = optimize_allocation(
        base(Part("CELL", (100.0, 100.0), max_region_share=0.5), region_share_basis="spend")
    )
    assert close(units(r, "ALPHA", 2027), 350.0 / 6.0)


def test_region_concentration_of_the_total() -> None:
    data = AllocationData(
        years=(2027,),
        parts=(Part("CELL", (60.0,)), Part("CASE", (40.0,))),
        suppliers=(Supplier("ALPHA", region="ASIA"), Supplier("BETA", region="EU")),
        offers=(
            Offer("CELL", "ALPHA", 5.0),
            Offer("CASE", "ALPHA", 3.0),
            Offer("CELL", "BETA", 7.0),
            Offer("CASE", "BETA", 8.0),
        ),
        max_region_share=0.7,
    )
    r = optimize_allocation(data)  # 70 from ASIA: CASE's 40 (saves 5 each), then 30 of CELL
    assert close(units(r, "ALPHA", 2027, "CASE"), 40.0)
    assert close(units(r, "ALPHA", 2027, "CELL"), 30.0)


def test_average_quality_limit() -> None:
    # (400 - 200) a + (100 - 200) b <= 0 with a + b = 100: a = 100 / 3
    r = optimize_allocation(base(Part("CELL", (100.0, 100.0), max_defect_ppm=200.0)))
    assert close(units(r, "ALPHA", 2027), 100.0 / 3.0)
    assert close(units(r, "BETA", 2027), 200.0 / 3.0)


def test_hard_commitment_and_take_or_pay() -> None:
    hard = optimize_allocation(base(suppliers={"GAMMA": {"committed_units": (0.0, 30.0)}}))
    assert close(units(hard, "GAMMA", 2027), 0.0) and close(units(hard, "GAMMA", 2028), 30.0)
    # paying 1 per unit not taken is cheaper than buying at 9 instead of 5
    cheap = optimize_allocation(
        base(
            suppliers={"GAMMA": {"committed_units": (0.0, 30.0), "take_or_pay_cost_per_unit": 1.0}}
        )
    )
    assert close(units(cheap, "GAMMA", 2028), 0.0) and close(cheap.cost["take_or_pay"], 30.0)
    row = cheap.commitments.iloc[0]
    assert (row.supplier, row.year, row.shortfall_units) == ("GAMMA", 2028, 30.0)
    dear = optimize_allocation(
        base(
            suppliers={"GAMMA": {"committed_units": (0.0, 30.0), "take_or_pay_cost_per_unit": 5.0}}
        )
    )
    assert close(units(dear, "GAMMA", 2028), 30.0) and close(dear.cost["take_or_pay"], 0.0)


def test_switching_limit_from_an_incumbent() -> None:
    # BETA had all 100 last year; at most 30 % of demand may move a year
    part = Part("CELL", (100.0, 100.0), max_change_share=0.3)
    r = optimize_allocation(
        base(part, alpha={"previous_year_units": 0.0}, beta={"previous_year_units": 100.0})
    )
    assert close(units(r, "ALPHA", 2027), 30.0) and close(units(r, "BETA", 2027), 70.0)
    assert close(units(r, "ALPHA", 2028), 60.0) and close(units(r, "BETA", 2028), 40.0)


def test_shortage_at_its_penalty() -> None:
    capped = {"capacity_units_per_year": 30.0}
    part = Part("CELL", (100.0, 100.0), shortage_penalty_per_unit=20.0)
    r = optimize_allocation(base(part, alpha=capped, beta=capped, gamma=capped))
    assert close(r.shortage.short_units.sum(), 2 * 10.0)
    assert close(r.cost["shortage_penalty"], 2 * 10 * 20.0)
    cheap = Part("CELL", (100.0, 100.0), shortage_penalty_per_unit=4.0)  # below every price
    assert close(optimize_allocation(base(cheap)).shortage.short_units.sum(), 200.0)


def test_annual_price_trend() -> None:
    # ALPHA +50 %/yr: 5 in 2027, 7.5 in 2028 > BETA's 7
    r = optimize_allocation(base(suppliers={"ALPHA": {"annual_price_trend": 0.5}}))
    assert close(units(r, "ALPHA", 2027), 100.0) and close(units(r, "BETA", 2028), 100.0)
    assert close(r.objective, 500 + 700)


def test_first_year_of_a_qualifying_offer() -> None:
    r = optimize_allocation(
        base(alpha={"capacity_units_per_year": 80.0}, beta={"first_year": 2028})
    )
    assert close(units(r, "GAMMA", 2027), 20.0) and close(units(r, "BETA", 2028), 20.0)


def test_all_units_discount_prices_the_whole_quantity() -> None:
    # ALPHA: 10, or 8 for every unit once 50 or more are bought; BETA 8.5 flat
    data = AllocationData(
        years=(2027,),
        parts=(Part("CELL", (60.0,)),),
        suppliers=(Supplier("ALPHA"), Supplier("BETA")),
        offers=(
            Offer("CELL", "ALPHA", 10.0, (PriceBreak(50.0, 8.0),), discount="all_units"),
            Offer("CELL", "BETA", 8.5),
        ),
    )
    r = optimize_allocation(data)
    assert close(units(r, "ALPHA", 2027), 60.0) and close(r.objective, 480.0)
    # at 45 units ALPHA's price is 10: 45 x 8.5 from BETA = 382.5 ... or buy 50 from ALPHA?
    # no overbuying (annual buckets): 45 from BETA
    small = dataclasses.replace(data, parts=(Part("CELL", (45.0,)),))
    assert close(optimize_allocation(small).objective, 382.5)


def test_rising_incremental_prices_need_no_binaries() -> None:
    # ALPHA 5 for the first 50 then 12: 50 from ALPHA, 50 from BETA at 7
    prob, _ = build(base(alpha={"price_breaks": (PriceBreak(50.0, 12.0),)}))
    assert not any(var.cat == pulp.LpInteger for var in prob.variables())
    r = optimize_allocation(base(alpha={"price_breaks": (PriceBreak(50.0, 12.0),)}))
    assert close(units(r, "ALPHA", 2027), 50.0) and close(r.objective, 2 * (250 + 350))


def test_result_tables() -> None:
    r = optimize_allocation(base(Part("CELL", (100.0, 100.0), max_supplier_share=0.6)))
    assert list(r.allocation.columns) == [
        "part",
        "supplier",
        "region",
        "year",
        "units",
        "share",
        "share_of_demand",
        "purchase_cost",
        "unit_cost",
    ]
    for year in YEARS:
        assert close(sum(r.shares["CELL"][year].values()), 1.0)
    assert close(r.allocation.purchase_cost.sum(), r.cost["purchase"])
    assert r.build_time_s >= 0 and r.solve_time_s >= 0 and r.solver == "highs"


# --------------------------------------------------------------------------- bad data


def test_invalid_data_lists_every_problem() -> None:
    data = AllocationData(
        years=(2027, 2028),
        parts=(Part("CELL", (100.0,), min_suppliers=2), Part("CELL", (1.0, -1.0))),
        suppliers=(Supplier("A", committed_units=(1.0,)),),
        offers=(
            Offer("CELL", "A", -1.0, (PriceBreak(0.0, 2.0),)),
            Offer("CASE", "B", 1.0, max_share=1.5),
        ),
    )
    with pytest.raises(ValueError) as err:
        build(data)
    text = str(err.value)
    for phrase in (
        "part 'CELL' twice",
        "demand_units has 1 values for 2 years",
        "needs min_source_share > 0",
        "demand_units must be finite and >= 0",
        "committed_units has 1 values for 2 years",
        "unit_price must be finite and >= 0",
        "price_breaks must start above 0",
        "unknown part 'CASE'",
        "unknown supplier 'B'",
        "max_share must be in (0, 1]",
    ):
        assert phrase in text, phrase


def test_ids_that_would_share_a_model_name_are_refused() -> None:
    data = base()
    data = dataclasses.replace(data, parts=(Part("CELL-A", (1.0, 1.0)), Part("CELL_A", (1.0, 1.0))))
    with pytest.raises(ValueError, match="same name in a model"):
        build(data)


# --------------------------------------------------------------------------- infeasible


def test_infeasible_demand_is_explained_with_the_qualified_capacity() -> None:
    data = AllocationData(
        years=(2027, 2028),
        parts=(Part("CELL-A", (800_000.0, 1_200_000.0)),),
        suppliers=(Supplier("ALPHA"), Supplier("BETA")),
        offers=(
            Offer("CELL-A", "ALPHA", 50.0, capacity_units_per_year=500_000.0),
            Offer("CELL-A", "BETA", 55.0, capacity_units_per_year=400_000.0),
        ),
    )
    with pytest.raises(SolverError) as err:
        optimize_allocation(data)
    assert err.value.outcome == "infeasible"
    assert err.value.diagnosis == [
        "part CELL-A in year 2028: demand 1,200,000 exceeds qualified capacity 900,000 "
        "(ALPHA 500,000, BETA 400,000)"
    ]
    assert "demand 1,200,000 exceeds qualified capacity 900,000" in str(err.value)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            base(Part("CELL", (100.0, 100.0), max_defect_ppm=40.0)),
            "part CELL in year 2027: average defect rate must be at most 40 ppm but is 50 ppm",
        ),
        (
            base(
                Part("CELL", (100.0, 100.0), min_suppliers=2, min_source_share=0.2),
                beta={"first_year": 2029},
                gamma={"first_year": 2028},
            ),
            "part CELL in year 2027: needs 2 suppliers but only 1 can be used (qualified: ALPHA)",
        ),
        (
            base(suppliers={"GAMMA": {"committed_units": (150.0, 0.0)}}),
            "supplier GAMMA in year 2027: committed volume 150 cannot be taken (short by 50;",
        ),
        (
            base(Part("CELL", (100.0, 100.0), max_supplier_share=0.3)),
            "part CELL in year 2027: supplier ",
        ),
        (
            base(Part("CELL", (100.0, 100.0), min_suppliers=3, min_source_share=0.4)),
            "part CELL in year 2027: 3 sources with at least 40% of demand each need 120% of demand",
        ),
        (
            base(
                Part("CELL", (100.0, 100.0), max_change_share=0.1),
                alpha={"previous_year_units": 0.0, "capacity_units_per_year": 50.0},
                beta={"previous_year_units": 0.0},
                gamma={"previous_year_units": 0.0},
            ),
            "its volume must change by",
        ),
    ],
)
def test_infeasible_requirements_are_explained(data: AllocationData, expected: str) -> None:
    with pytest.raises(SolverError) as err:
        optimize_allocation(data)
    assert err.value.outcome == "infeasible"
    assert any(expected in line for line in err.value.diagnosis), err.value.diagnosis


def test_a_feasible_allocation_needs_no_explanation() -> None:
    assert diagnose_infeasibility(base()) == []
