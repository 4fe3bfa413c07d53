"""VALIDATION.md E.1: numpy-financial's documented npv and irr conventions.

Source: numpy-financial documentation (``npf.irr`` and ``npf.npv`` examples): the first
flow is at t = 0 and undiscounted; Excel's ``NPV()`` discounts its first argument, so
the Excel equivalent is ``=CF0 + NPV(r, CF1:CFn)``. Tolerance: exact (1e-6).
"""

from __future__ import annotations

import pytest

from keiretsu.econ.finance import irr, npv


def test_numpy_financial_irr_example() -> None:
    result = irr([-100, 39, 59, 55, 20])
    assert result.value == pytest.approx(0.2809484212, abs=1e-6)
    assert result.roots == (result.value,)
    assert "unique" in result.reason


def test_numpy_financial_npv_example_first_flow_undiscounted() -> None:
    assert npv(0.08, [-40000, 5000, 8000, 12000, 30000]) == pytest.approx(3065.2226682, abs=1e-6)


def test_excel_equivalent_of_npv_discounts_from_the_second_flow() -> None:
    # =CF0 + NPV(r, CF1:CFn): Excel's NPV of the remaining flows, written out by hand.
    flows = [-40000, 5000, 8000, 12000, 30000]
    excel_npv_rest = sum(cf / 1.08 ** (i + 1) for i, cf in enumerate(flows[1:]))
    assert npv(0.08, flows) == pytest.approx(flows[0] + excel_npv_rest, abs=1e-6)
