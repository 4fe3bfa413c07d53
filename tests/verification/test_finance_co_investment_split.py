"""VALIDATION.md E.2: a co-investment split between buyer and supplier.

Capex 1,000,000 at t = 0; savings 300,000 a year for 5 years; r = 10 % a year. Project
NPV 137,236.0308225 = -1e6 + 3e5 x annuity factor (1 - 1.1^-5) / 0.1, IRR
0.1523823712, simple payback 3.3333 years (3 + 100,000 / 300,000), discounted payback
4.2632667 years (linear interpolation within year 5). The buyer pays 40 % of capex and
gets 50 % of savings: NPV 168,618.0154113, IRR 0.2541300204, payback 2.6667 years; the
supplier's NPV is -31,381.9845887, so the participation check must flag the supplier.
Paybacks published to 4 decimals are compared with their closed forms (10/3, 8/3).
Tolerance: exact (1e-6).
"""

from __future__ import annotations

import numpy as np
import pytest

from keiretsu.econ.finance import (
    discounted_payback,
    irr,
    npv,
    participation,
    payback,
    split_cash_flows,
)

RATE = 0.10
CAPEX = np.array([1_000_000.0, 0, 0, 0, 0, 0])
SAVINGS = np.array([0.0, *[300_000.0] * 5])


@pytest.fixture
def flows() -> dict[str, np.ndarray]:
    return split_cash_flows(CAPEX, SAVINGS, buyer_capex_share=0.4, buyer_savings_share=0.5)


def test_project_npv_irr_and_paybacks(flows: dict[str, np.ndarray]) -> None:
    joint = flows["joint"]
    assert npv(RATE, joint) == pytest.approx(137_236.0308225, abs=1e-6)
    assert irr(joint).value == pytest.approx(0.1523823712, abs=1e-6)
    assert payback(joint) == pytest.approx(10 / 3, abs=1e-6)
    assert round(payback(joint), 4) == 3.3333
    assert discounted_payback(RATE, joint) == pytest.approx(4.2632667, abs=1e-6)


def test_buyer_npv_irr_and_payback(flows: dict[str, np.ndarray]) -> None:
    buyer = flows["buyer"]
    assert npv(RATE, buyer) == pytest.approx(168_618.0154113, abs=1e-6)
    assert irr(buyer).value == pytest.approx(0.2541300204, abs=1e-6)
    assert payback(buyer) == pytest.approx(8 / 3, abs=1e-6)
    assert round(payback(buyer), 4) == 2.6667


def test_supplier_npv_and_participation_flags_the_supplier(flows: dict[str, np.ndarray]) -> None:
    npvs = {party: npv(RATE, flows[party]) for party in ("buyer", "supplier")}
    assert npvs["supplier"] == pytest.approx(-31_381.9845887, abs=1e-6)
    check = participation(npvs)
    assert check.would_not_sign == ("supplier",)
    assert not check.all_sign
    assert "supplier would not sign" in check.message
    assert check.shortfall_by_party["supplier"] == pytest.approx(31_381.9845887, abs=1e-6)


def test_parties_add_up_to_the_project(flows: dict[str, np.ndarray]) -> None:
    np.testing.assert_allclose(flows["buyer"] + flows["supplier"], flows["joint"], atol=1e-9)
