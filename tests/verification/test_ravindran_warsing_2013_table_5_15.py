"""VALIDATION.md D: order allocation with quantity discounts and fixed costs.

Source: Ravindran & Warsing (2013), *Supply Chain Engineering: Models and
Applications*, Table 5.15. Three suppliers with a fixed cost, a capacity and
incremental unit prices; buy 2000 units at least cost: 8200 with (0, 800, 1200). Exact.

The same table at other demands checks that an incremental segment is used only once
the previous one is full (a model that fills the cheaper later segment first gets a
lower, wrong answer). Those figures are worked out by hand below from the table, by
enumerating which suppliers are used: each used supplier pays its fixed cost, S2 (2 per
unit) is filled first, then S3's marginal prices (6 for its first 500, then 4) are
compared with S1's (10 for its first 300, then 7).
"""

from __future__ import annotations

import pytest

from keiretsu.optimize.allocation import optimize_allocation
from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, PriceBreak, Supplier


def table_5_15(demand: float) -> AllocationData:
    return AllocationData(
        years=(1,),
        parts=(Part("ITEM", (demand,)),),
        suppliers=(Supplier("1"), Supplier("2"), Supplier("3")),
        offers=(
            Offer(
                "ITEM",
                "1",
                unit_price=10.0,
                price_breaks=(PriceBreak(300.0, 7.0),),
                discount="incremental",
                capacity_units_per_year=600.0,
                fixed_cost_once=100.0,
            ),
            Offer(
                "ITEM", "2", unit_price=2.0, capacity_units_per_year=800.0, fixed_cost_once=500.0
            ),
            Offer(
                "ITEM",
                "3",
                unit_price=6.0,
                price_breaks=(PriceBreak(500.0, 4.0),),
                discount="incremental",
                capacity_units_per_year=1200.0,
                fixed_cost_once=300.0,
            ),
        ),
        name="ravindran_warsing_table_5_15",
    )


def _units(result, supplier: str) -> float:
    rows = result.allocation
    return float(rows.loc[rows.supplier == supplier, "units"].sum())


def test_ravindran_warsing_2013_table_5_15_buy_2000() -> None:
    result = optimize_allocation(table_5_15(2000.0))
    assert result.outcome == "optimal"
    assert abs(result.objective - 8200.0) <= 1e-6
    for supplier, units in (("1", 0.0), ("2", 800.0), ("3", 1200.0)):
        assert abs(_units(result, supplier) - units) <= 1e-6
    # 500 + 300 fixed; 800 x 2 + 500 x 6 + 700 x 4 = 7400 purchase
    assert abs(result.cost["fixed_supplier_part_once"] - 800.0) <= 1e-6
    assert abs(result.cost["purchase"] - 7400.0) <= 1e-6


@pytest.mark.parametrize(
    ("demand", "cost", "split"),
    [
        # S2 800 (500 + 1600) + S3 200 at 6 (300 + 1200) = 3600;
        # filling S3's 4-segment first would give 300 + 800: 3200
        (1000.0, 3600.0, (0.0, 800.0, 200.0)),
        # S2 800 (2100) + S3 700 = 300 + 500 x 6 + 200 x 4 = 4100: 6200; wrong model: 5200
        (1500.0, 6200.0, (0.0, 800.0, 700.0)),
        # all three full: S1 100 + 3000 + 2100 = 5200, S2 2100, S3 6100: 13400
        (2600.0, 13400.0, (600.0, 800.0, 1200.0)),
        # S2 alone: 500 + 400 x 2 = 1300
        (400.0, 1300.0, (0.0, 400.0, 0.0)),
    ],
)
def test_ravindran_warsing_table_5_15_segments_fill_in_order(
    demand: float, cost: float, split: tuple[float, float, float]
) -> None:
    result = optimize_allocation(table_5_15(demand))
    assert abs(result.objective - cost) <= 1e-6
    for supplier, units in zip(("1", "2", "3"), split, strict=True):
        assert abs(_units(result, supplier) - units) <= 1e-6
