"""Excel's documented examples for XNPV, XIRR and MIRR, through keiretsu's functions.

Sources: Microsoft Excel documentation, "XNPV function" and "XIRR function": values
-10000, 2750, 4250, 3250, 2750 on 2008-01-01, 2008-03-01, 2008-10-30, 2009-02-15,
2009-04-01 give XNPV(9 %) = 2086.647602 and XIRR = 0.373362535 (year fraction = days
from the first date / 365). "MIRR function": values -120000, 39000, 30000, 21000,
37000, 46000, finance rate 10 %, reinvest rate 12 %: five years 12.61 %, three years
-4.80 %, five years at a 14 % reinvest rate 13.48 % (shown to 0.01 %, compared to
5e-5). Exact tolerance (1e-6) for the figures given to more decimals.
"""

from __future__ import annotations

import datetime as dt

import pytest

from keiretsu.econ.finance import mirr, xirr, xnpv

VALUES = [-10000, 2750, 4250, 3250, 2750]
DATES = [
    dt.date(2008, 1, 1),
    dt.date(2008, 3, 1),
    dt.date(2008, 10, 30),
    dt.date(2009, 2, 15),
    dt.date(2009, 4, 1),
]
MIRR_VALUES = [-120000, 39000, 30000, 21000, 37000, 46000]


def test_excel_xnpv_example() -> None:
    assert xnpv(0.09, VALUES, DATES) == pytest.approx(2086.647602, abs=1e-6)


def test_excel_xirr_example() -> None:
    result = xirr(VALUES, DATES)
    assert result.value == pytest.approx(0.373362535, abs=1e-6)
    assert "unique" in result.reason


def test_excel_xirr_accepts_iso_date_strings() -> None:
    iso = [d.isoformat() for d in DATES]
    assert xirr(VALUES, iso).value == pytest.approx(0.373362535, abs=1e-6)


@pytest.mark.parametrize(
    ("values", "reinvest", "expected"),
    [(MIRR_VALUES, 0.12, 0.1261), (MIRR_VALUES[:4], 0.12, -0.0480), (MIRR_VALUES, 0.14, 0.1348)],
    ids=["five_years", "three_years", "reinvest_14"],
)
def test_excel_mirr_example(values: list[int], reinvest: float, expected: float) -> None:
    assert mirr(values, 0.10, reinvest) == pytest.approx(expected, abs=5e-5)
