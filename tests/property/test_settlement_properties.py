"""Invariants of contract settlement (keiretsu.econ.settlement), Hypothesis.

* rebates never fall as volume grows, and the incremental tiers never pay more than the
  all-units tiers on the same volume; take-or-pay never rises with volume;
* better performance never lowers the net performance payment to the supplier;
* the indexed price moves with the index and equals the base price at ratio 1;
* whatever the inputs, what the buyer pays the supplier receives, component by component.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from keiretsu.econ.settlement import (
    COMPONENTS,
    ContractTerms,
    KpiTarget,
    RebateTiers,
    ReviewInputs,
    indexed_price,
    performance_adjustment,
    settle,
    take_or_pay,
    tiered_rebate,
)

PROPS = settings(max_examples=150, deadline=None)
volumes = hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(0, 1e5))


@st.composite
def tiers(draw) -> RebateTiers:
    gaps = draw(st.lists(st.floats(1.0, 5e4), min_size=1, max_size=5))
    steps = draw(st.lists(st.floats(0.0, 2.0), min_size=len(gaps), max_size=len(gaps)))
    start = draw(st.floats(0.0, 1e4))
    thresholds = tuple(start + np.cumsum([0.0, *gaps[1:]]))
    return RebateTiers(thresholds, tuple(np.cumsum(steps)))


@PROPS
@given(tiers(), volumes, st.floats(0, 1e4))
def test_rebates_grow_with_volume_and_incremental_never_beats_all_units(t, v, extra) -> None:
    for mode in ("all_units", "incremental"):
        assert np.all(tiered_rebate(v + extra, t, mode) >= tiered_rebate(v, t, mode) - 1e-9)
    assert np.all(
        tiered_rebate(v, t, "incremental") <= tiered_rebate(v, t, "all_units") + 1e-9 * (1 + v)
    )
    assert np.all(take_or_pay(v + extra, 5e4, 1.0) <= take_or_pay(v, 5e4, 1.0))


SCORECARD = (
    KpiTarget("otif", 0.95, higher_is_better=True),
    KpiTarget("defect_ppm", 500.0, higher_is_better=False),
    KpiTarget("lead_time_sd_days", 2.0, higher_is_better=False),
)
kpis = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 10), st.just(3)),
    elements=st.floats(0.0, 1000.0),
)


@PROPS
@given(kpis, st.data())
def test_better_performance_never_pays_the_supplier_less(x, data) -> None:
    n = x.shape[0]
    misses = data.draw(hnp.arrays(np.int64, (n, 3), elements=st.integers(0, 5)))
    gains = data.draw(hnp.arrays(np.float64, (n, 3), elements=st.floats(0.0, 500.0)))
    better = x + gains * np.array([1.0, -1.0, -1.0])  # OTIF up, defects and variability down
    remediation = data.draw(st.integers(0, 3))
    before = performance_adjustment(x, SCORECARD, 100.0, 30.0, misses, remediation)
    after = performance_adjustment(better, SCORECARD, 100.0, 30.0, misses, remediation)
    assert np.all(after.payment >= before.payment)
    assert np.all(after.consecutive_misses <= before.consecutive_misses)


@PROPS
@given(st.floats(0.0, 1e3), st.floats(0.0, 5.0), st.floats(0.0, 5.0), st.floats(0.0, 1.0))
def test_indexed_price_follows_the_index(base, r1, r2, share) -> None:
    lo, hi = sorted((r1, r2))
    assert indexed_price(base, hi, share) >= indexed_price(base, lo, share) - 1e-12
    assert indexed_price(base, 1.0, share) == pytest.approx(base)


@PROPS
@given(st.data())
def test_settlement_conserves_money(data) -> None:
    n = data.draw(st.integers(1, 8))

    def arr(lo, hi):
        return data.draw(hnp.arrays(np.float64, n, elements=st.floats(lo, hi)))

    terms = ContractTerms(
        term_years=data.draw(st.floats(0.5, 10)),
        minimum_annual_units=data.draw(st.floats(0, 1e4)),
        shortfall_rate_per_unit=data.draw(st.floats(0, 5)),
        volume_rebate=data.draw(tiers()),
        volume_rebate_mode=data.draw(st.sampled_from(["all_units", "incremental"])),
        kpi_targets=SCORECARD,
        bonus_per_review=data.draw(st.floats(0, 1e3)),
        bonus_share_of_spend=data.draw(st.floats(0, 0.1)),
        penalty_per_kpi_per_review=data.draw(st.floats(0, 1e3)),
        remediation_reviews=data.draw(st.integers(0, 3)),
        gain_share_buyer=data.draw(st.floats(0, 1)),
        reserved_units_per_year=data.draw(st.floats(0, 1e4)),
        reservation_fee_per_unit_per_year=data.draw(st.floats(0, 1)),
        index_pass_through=data.draw(st.floats(0, 1)),
        exit_fee_per_remaining_year=data.draw(st.floats(0, 1e4)),
    )
    review = ReviewInputs(
        period_years=data.draw(st.sampled_from([0.25, 0.5, 1.0])),
        elapsed_years=data.draw(st.floats(0, 10)),
        volume_units=arr(0, 1e4),
        unit_price_per_unit=arr(0, 100),
        year_to_date_units=arr(0, 1e4),
        closes_contract_year=data.draw(st.booleans()),
        index_ratio=arr(0, 3),
        kpis=data.draw(hnp.arrays(np.float64, (n, 3), elements=st.floats(0, 1000))),
        consecutive_misses=data.draw(hnp.arrays(np.int64, (n, 3), elements=st.integers(0, 5))),
        supplier_savings=arr(0, 1e4),
        buyer_exits=data.draw(hnp.arrays(np.bool_, n)),
        supplier_exits=data.draw(hnp.arrays(np.bool_, n)),
    )
    s = settle(terms, review)
    flows = s.cash_flows()
    for c in COMPONENTS:
        assert s.components[c].shape == (n,)
        assert np.all(flows["buyer"][c] + flows["supplier"][c] == 0.0)
    assert np.allclose(sum(flows["supplier"].values()), s.buyer_pays)
    assert np.all(s.components["volume_rebate"] <= 0) and np.all(s.components["take_or_pay"] >= 0)
