"""Unit tests of keiretsu.econ.finance: reasons, edge cases, shapes and errors.

Expected values are closed forms worked out by hand in each test's comment.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from keiretsu.econ.finance import (
    IRR_NO_ROOT,
    IRR_NO_SIGN_CHANGE,
    IRR_OK,
    IRR_SEVERAL,
    discounted_payback,
    irr,
    irr_many,
    mirr,
    npv,
    participation,
    payback,
    periodic_rate,
    profitability_index,
    risk_adjusted_npv,
    split_cash_flows,
    summarize_npv,
    xirr,
    xnpv,
)

PROJECT = [-1_000_000.0, *[300_000.0] * 5]


# ----------------------------------------------------------------------------- rates, NPV


def test_periodic_rate_compounds_back_to_the_annual_rate() -> None:
    weekly = periodic_rate(0.10, 52)
    assert weekly == pytest.approx(1.1 ** (1 / 52) - 1, abs=1e-15)
    assert (1 + weekly) ** 52 == pytest.approx(1.10, abs=1e-12)


def test_weekly_flows_at_the_periodic_rate_match_annual_flows_at_the_annual_rate() -> None:
    weekly = np.zeros(5 * 52 + 1)
    weekly[0] = PROJECT[0]
    weekly[52::52] = 300_000.0
    assert npv(periodic_rate(0.10, 52), weekly) == pytest.approx(npv(0.10, PROJECT), abs=1e-6)


def test_npv_vectorises_over_rows_and_rates() -> None:
    rng = np.random.default_rng(3)
    flows = rng.normal(0, 100, (7, 12))
    rates = rng.uniform(0, 0.3, 7)
    rowwise = [npv(r, f) for r, f in zip(rates, flows, strict=True)]
    np.testing.assert_allclose(npv(rates, flows), rowwise, rtol=1e-13)
    profile = npv(np.array([0.0, 0.1]), PROJECT)  # several rates, one series
    np.testing.assert_allclose(profile, [500_000.0, npv(0.1, PROJECT)], rtol=1e-13)


@pytest.mark.parametrize("bad", [-1.0, -2.0, float("nan")])
def test_npv_rejects_rates_at_or_below_minus_one(bad: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        npv(bad, PROJECT)


def test_flows_must_be_finite_arrays() -> None:
    with pytest.raises(ValueError, match="finite"):
        npv(0.1, [1.0, float("nan")])
    with pytest.raises(ValueError, match="scalar"):
        npv(0.1, 5.0)


# ----------------------------------------------------------------------------- IRR


def test_irr_without_sign_change_says_so() -> None:
    for flows, why in [([1, 2, 3], "same sign"), ([-5, 0, -1], "same sign"), ([0, 0], "zero")]:
        result = irr(flows)
        assert math.isnan(result.value)
        assert result.reason.startswith("no sign change: no IRR")
        assert why in result.reason
        assert result.roots == ()


def test_irr_reports_every_root_when_several() -> None:
    # -1 + 6x - 11x^2 + 6x^3 = (x - 1)(2x - 1)(3x - 1) with x = 1/(1+r): r = 0, 1, 2.
    result = irr([-1, 6, -11, 6])
    assert math.isnan(result.value)
    assert result.reason.startswith("several IRRs (3 roots)")
    np.testing.assert_allclose(result.roots, [0.0, 1.0, 2.0], atol=1e-12)


def test_irr_two_roots_between_grid_points() -> None:
    # -100 + 230x - 132x^2 = -(11x - 10)(12x - 10): x = 1/1.1 and 1/1.2, r = 10 % and 20 %.
    result = irr([-100, 230, -132])
    np.testing.assert_allclose(result.roots, [0.1, 0.2], atol=1e-12)


def test_irr_no_root_although_the_sign_changes() -> None:
    # -1 + x - x^2 < 0 for every x: no IRR.
    result = irr([-1, 1, -1])
    assert math.isnan(result.value)
    assert "does not cross zero" in result.reason


def test_irr_of_a_negative_rate_and_a_repeated_root() -> None:
    # -100 + 50x + 40x^2 = 0: x = (-50 + sqrt(2500 + 16000)) / 80 > 1, r = 1/x - 1 < 0.
    negative = irr([-100, 50, 40]).value
    assert negative < 0
    assert negative == pytest.approx(_irr_two_period(-100, 50, 40), abs=1e-12)
    # -(1 - x)^2: a double root at r = 0, exactly on the grid.
    double = irr([-1, 2, -1])
    assert double.value == 0.0
    assert "change sign 2 times" in double.reason


def _irr_two_period(c0: float, c1: float, c2: float) -> float:
    # c0 + c1 x + c2 x^2 = 0 with x = 1/(1+r) > 0
    x = (-c1 + math.sqrt(c1 * c1 - 4 * c2 * c0)) / (2 * c2)
    return 1 / x - 1


def test_irr_many_equals_row_by_row() -> None:
    rng = np.random.default_rng(11)
    rows = [
        [-100, 39, 59, 55, 20],
        [-1, 6, -11, 6, 0],
        [1, 2, 3, 4, 5],
        [-1, 1, -1, 0, 0],
        [0, 0, 0, 0, 0],
        *np.concatenate([-rng.uniform(50, 150, (40, 1)), rng.normal(30, 40, (40, 4))], axis=1),
    ]
    flows = np.array(rows, dtype=float)
    many = irr_many(flows)
    for i, row in enumerate(flows):
        one = irr(row)
        assert many.n_roots[i] == len(one.roots)
        if math.isnan(one.value):
            assert math.isnan(many.values[i])
        else:
            assert many.values[i] == pytest.approx(one.value, abs=1e-13)
    assert list(many.codes[:5]) == [IRR_OK, IRR_SEVERAL, IRR_NO_SIGN_CHANGE, IRR_NO_ROOT, 1]
    assert many.reason(1).startswith("several IRRs")


def test_irr_many_needs_rows_of_flows() -> None:
    with pytest.raises(ValueError, match="rows, periods"):
        irr_many([-1.0, 2.0])
    with pytest.raises(ValueError, match="1-D"):
        irr([[-1.0, 2.0]])


def test_irr_with_leading_and_trailing_zero_flows() -> None:
    assert irr([0, -100, 110]).value == pytest.approx(0.1, abs=1e-12)
    assert irr([-100, 110, 0, 0]).value == pytest.approx(0.1, abs=1e-12)


def test_irr_for_long_weekly_series_does_not_overflow() -> None:
    flows = np.full(521, 2_000.0)
    flows[0] = -500_000.0
    r = irr(flows).value
    assert npv(r, flows) == pytest.approx(0.0, abs=1e-6)


# ----------------------------------------------------------------------------- MIRR


def test_mirr_hand_computed() -> None:
    # FV of positives at 20 %: 50 x 1.2 + 60 = 120; PV of negatives 100: sqrt(1.2) - 1.
    assert mirr([-100, 50, 60], 0.10, 0.20) == pytest.approx(math.sqrt(1.2) - 1, abs=1e-12)
    # PV of negatives at 10 %: 100 + 50 / 1.1 = 160 / 1.1; FV of positives 200: sqrt(1.375) - 1.
    assert mirr([-100, -50, 200], 0.10, 0.12) == pytest.approx(math.sqrt(1.375) - 1, abs=1e-12)


def test_mirr_undefined_without_both_signs_and_vectorised() -> None:
    assert math.isnan(mirr([100, 50, 60], 0.1, 0.1))
    out = mirr(np.array([[-100, 50, 60], [1, 2, 3]]), 0.10, 0.20)
    assert out[0] == pytest.approx(math.sqrt(1.2) - 1, abs=1e-12)
    assert math.isnan(out[1])


# ----------------------------------------------------------------------------- payback, PI


def test_payback_edge_cases() -> None:
    assert math.isnan(payback([-100, 10, 10]))  # never within the horizon
    assert payback([0, 10, 10]) == 0.0  # never negative
    assert payback([-100, 50, 50]) == pytest.approx(2.0, abs=1e-12)  # exactly at t = 2
    # staged: cumulative -100, 50, -50, 50 -> recovered for good during period 3: 2 + 50/100
    assert payback([-100, 150, -100, 100]) == pytest.approx(2.5, abs=1e-12)
    assert payback([-0.3, 0.1, 0.1, 0.1]) == pytest.approx(3.0, abs=1e-9)  # rounding


def test_payback_vectorised_equals_row_by_row() -> None:
    rng = np.random.default_rng(5)
    flows = np.concatenate([-rng.uniform(50, 150, (30, 1)), rng.normal(20, 30, (30, 8))], axis=1)
    rowwise = np.array([payback(f) for f in flows])
    np.testing.assert_array_equal(payback(flows), rowwise)
    rates = rng.uniform(0, 0.2, 30)
    d_rowwise = np.array([discounted_payback(r, f) for r, f in zip(rates, flows, strict=True)])
    np.testing.assert_allclose(discounted_payback(rates, flows), d_rowwise, rtol=1e-14)


def test_discounted_payback_is_never_earlier_than_simple() -> None:
    assert discounted_payback(0.10, PROJECT) > payback(PROJECT)
    assert discounted_payback(0.0, PROJECT) == payback(PROJECT)


def test_profitability_index_is_pv_after_t0_over_investment() -> None:
    annuity = (1 - 1.1**-5) / 0.1
    assert profitability_index(0.10, PROJECT) == pytest.approx(0.3 * annuity, abs=1e-12)
    with pytest.raises(ValueError, match="investment at t = 0"):
        profitability_index(0.10, [100, -50, 60])


# ----------------------------------------------------------------------------- dated flows


def test_xnpv_with_yearly_dates_is_npv_and_rejects_early_dates() -> None:
    dates = ["2001-01-01", "2002-01-01", "2003-01-01"]  # 365 days apart (no 29 February)
    assert xnpv(0.1, [-100, 60, 60], dates) == pytest.approx(npv(0.1, [-100, 60, 60]), abs=1e-9)
    assert xirr([-100, 60, 60], dates).value == pytest.approx(irr([-100, 60, 60]).value, abs=1e-12)
    with pytest.raises(ValueError, match="precede"):
        xnpv(0.1, [-100, 60], ["2002-01-01", "2001-01-01"])
    with pytest.raises(ValueError, match="one date per flow"):
        xnpv(0.1, [-100, 60], ["2002-01-01"])


def test_xirr_no_sign_change_and_several_roots() -> None:
    assert xirr([1, 2], ["2001-01-01", "2002-01-01"]).reason.startswith("no sign change")
    several = xirr([-100, 230, -132], ["2001-01-01", "2002-01-01", "2003-01-01"])
    np.testing.assert_allclose(several.roots, [0.1, 0.2], atol=1e-12)


# ----------------------------------------------------------------------------- rNPV


def test_risk_adjusted_npv_weights_each_flow_by_survival() -> None:
    # -100 + 60/1.1 x 1 + 80/1.1^2 x 0.5
    expected = -100 + 60 / 1.1 + 0.5 * 80 / 1.21
    assert risk_adjusted_npv(0.10, [-100, 60, 80], [1.0, 1.0, 0.5]) == pytest.approx(expected)
    assert risk_adjusted_npv(0.10, PROJECT, np.ones(6)) == pytest.approx(npv(0.10, PROJECT))


def test_risk_adjusted_npv_rejects_bad_survival() -> None:
    with pytest.raises(ValueError, match="non-increasing"):
        risk_adjusted_npv(0.1, [-1, 1, 1], [0.5, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        risk_adjusted_npv(0.1, [-1, 1], [1.0, 1.2])
    with pytest.raises(ValueError, match="broadcast"):
        risk_adjusted_npv(0.1, [-1, 1, 1], [1.0, 0.5])


# ----------------------------------------------------------------------------- parties


def test_split_with_operating_costs_and_per_replication_shares() -> None:
    capex = np.array([100.0, 0, 0])
    savings = np.array([0.0, 80, 80])
    opex = np.array([0.0, 10, 10])
    shares = np.array([[0.2], [0.7]])  # one buyer capex share per replication
    out = split_cash_flows(
        capex,
        savings,
        buyer_capex_share=shares,
        buyer_savings_share=0.5,
        operating_cost=opex,
        buyer_operating_share=1.0,
    )
    np.testing.assert_allclose(out["buyer"], [[-20, 30, 30], [-70, 30, 30]])
    np.testing.assert_allclose(out["supplier"], [[-80, 40, 40], [-30, 40, 40]])
    np.testing.assert_allclose(out["joint"], [[-100, 70, 70]] * 2)


def test_split_rejects_unclear_inputs() -> None:
    with pytest.raises(ValueError, match="buyer_operating_share"):
        split_cash_flows(
            [1.0], [1.0], buyer_capex_share=0.5, buyer_savings_share=0.5, operating_cost=[1.0]
        )
    with pytest.raises(ValueError, match=">= 0"):
        split_cash_flows([-1.0], [1.0], buyer_capex_share=0.5, buyer_savings_share=0.5)
    with pytest.raises(ValueError, match="share in"):
        split_cash_flows([1.0], [1.0], buyer_capex_share=1.5, buyer_savings_share=0.5)


def test_participation_with_reservation_values() -> None:
    check = participation({"buyer": 100.0, "supplier": 50.0}, {"supplier": 50.0, "buyer": 120.0})
    assert check.would_not_sign == ("buyer",)  # NPV equal to the reservation value signs
    assert "buyer would not sign" in check.message
    assert participation({"buyer": 1.0, "supplier": 0.0}).all_sign
    with pytest.raises(ValueError, match="without an NPV"):
        participation({"buyer": 1.0}, {"supplier": 0.0})
    with pytest.raises(ValueError, match="one NPV"):
        participation({"buyer": np.array([1.0, 2.0])})


# ----------------------------------------------------------------------------- summaries


def test_summary_payback_rule_of_thumb_in_months() -> None:
    # weekly periods: 52 -> 12 months, 78 -> 18 months (within), 79 -> 18.2 (not), never.
    s = summarize_npv([1.0, 2.0, -3.0, 4.0], [52, 78, 79, np.nan], periods_per_year=52)
    assert s.prob_payback_within == 0.5
    assert s.prob_never_paid_back == 0.25
    assert s.payback_threshold_months == 18.0
    assert s.prob_npv_negative == 0.25
    assert s.to_dict()["percentile_convention"] == s.percentile_convention


def test_summary_rejects_bad_samples() -> None:
    with pytest.raises(ValueError, match="periods_per_year"):
        summarize_npv([1.0, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="one payback per NPV"):
        summarize_npv([1.0, 2.0], [1.0], periods_per_year=12)
    with pytest.raises(ValueError, match="finite"):
        summarize_npv([1.0, float("nan")])


def test_profitability_index_of_staged_outflows_is_the_benefit_cost_ratio() -> None:
    from keiretsu.econ.finance import profitability_index

    flows = np.array([[0.0, -100.0, -50.0, 80.0, 120.0], [0.0, 0.0, 10.0, 0.0, 0.0]])
    r = 0.1
    d = (1 + r) ** -np.arange(5)
    expected = (80 * d[3] + 120 * d[4]) / (100 * d[1] + 50 * d[2])
    pi = profitability_index(r, flows, investment="outflows")
    assert pi[0] == pytest.approx(expected, rel=1e-12)
    assert np.isnan(pi[1])  # no outflow: undefined
    with pytest.raises(ValueError, match="investment must be"):
        profitability_index(r, flows, investment="t1")
