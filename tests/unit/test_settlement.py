"""Contract settlement (keiretsu.econ.settlement) against hand-computed contracts."""

from __future__ import annotations

import numpy as np
import pytest

from keiretsu.econ.settlement import (
    COMPONENTS,
    ContractTerms,
    KpiTarget,
    RebateTiers,
    ReviewInputs,
    exit_fee,
    gain_share,
    indexed_price,
    performance_adjustment,
    reservation_fee,
    settle,
    take_or_pay,
    tiered_rebate,
)

TIERS = RebateTiers(thresholds_units=(1000.0, 2000.0), rates=(0.5, 1.0))
SCORECARD = (
    KpiTarget("otif", 0.95, higher_is_better=True),
    KpiTarget("defect_ppm", 500.0, higher_is_better=False),
    KpiTarget("lead_time_sd_days", 2.0, higher_is_better=False),
)


def test_all_units_and_incremental_rebates_at_and_around_tier_boundaries() -> None:
    volume = np.array([0.0, 999.0, 1000.0, 1999.0, 2000.0, 2500.0])
    # all-units: the whole volume earns the top tier reached (a cliff at 2000: 999.5 -> 2000)
    assert tiered_rebate(volume, TIERS, "all_units") == pytest.approx(
        [0.0, 0.0, 500.0, 999.5, 2000.0, 2500.0]
    )
    # incremental: 0.5 on units 1000..2000, 1.0 on units above 2000
    assert tiered_rebate(volume, TIERS, "incremental") == pytest.approx(
        [0.0, 0.0, 0.0, 499.5, 500.0, 1000.0]
    )


def test_rebate_as_share_of_spend() -> None:
    tiers = RebateTiers((0.0, 1000.0), (0.01, 0.02), basis="share_of_spend")
    # 1500 units at 10: all-units 2% of 15000; incremental 1% of 10000 + 2% of 5000
    assert tiered_rebate(1500.0, tiers, "all_units", unit_price_per_unit=10.0) == pytest.approx(300)
    assert tiered_rebate(1500.0, tiers, "incremental", unit_price_per_unit=10.0) == pytest.approx(
        200
    )
    with pytest.raises(ValueError, match="needs unit_price_per_unit"):
        tiered_rebate(1500.0, tiers)
    with pytest.raises(ValueError, match="takes no unit price"):
        tiered_rebate(1500.0, TIERS, unit_price_per_unit=10.0)


def test_take_or_pay_charges_only_the_shortfall() -> None:
    assert take_or_pay([800.0, 1000.0, 1200.0], 1000.0, 2.0) == pytest.approx([400.0, 0.0, 0.0])


def test_no_penalty_during_remediation_then_penalty_bonus_only_when_all_met() -> None:
    # one replication through five reviews, remediation period of 2 reviews
    history = [
        [0.93, 400.0, 1.5],  # OTIF missed (1st): improvement plan, no penalty
        [0.94, 400.0, 1.5],  # missed (2nd): still in remediation
        [0.90, 400.0, 1.5],  # missed (3rd) > 2: penalised
        [0.96, 600.0, 1.5],  # OTIF back (counter reset), defects missed (1st): nothing
        [0.95, 500.0, 2.0],  # every target met exactly: bonus
    ]
    expected = [(0.0, 0.0, [1, 0, 0]), (0.0, 0.0, [2, 0, 0]), (0.0, 300.0, [3, 0, 0])]
    expected += [(0.0, 0.0, [0, 1, 0]), (1000.0, 0.0, [0, 0, 0])]
    misses = np.zeros((1, 3), dtype=int)
    for kpis, (bonus, penalty, counters) in zip(history, expected, strict=True):
        result = performance_adjustment(
            np.array([kpis]), SCORECARD, 1000.0, 300.0, misses, remediation_reviews=2
        )
        assert result.bonus == pytest.approx([bonus])
        assert result.penalty == pytest.approx([penalty])
        assert result.payment == pytest.approx([bonus - penalty])
        assert result.consecutive_misses.tolist() == [counters]
        misses = result.consecutive_misses


def test_performance_is_vectorised_and_penalises_each_kpi_past_remediation() -> None:
    kpis = np.array(
        [
            [0.99, 100.0, 1.0],  # all met
            [0.80, 900.0, 3.0],  # all missed, counters already at 1: two now > 1
            [np.nan, 100.0, 1.0],  # OTIF not measured: counter kept, no bonus
        ]
    )
    misses = np.array([[4, 4, 4], [1, 1, 0], [5, 0, 0]])
    result = performance_adjustment(kpis, SCORECARD, [50.0, 50.0, 50.0], 10.0, misses, 1)
    assert result.bonus == pytest.approx([50.0, 0.0, 0.0])
    assert result.penalty == pytest.approx([0.0, 20.0, 0.0])
    assert result.consecutive_misses.tolist() == [[0, 0, 0], [2, 2, 1], [5, 0, 0]]
    assert result.penalised.tolist() == [[False] * 3, [True, True, False], [False] * 3]


def test_gain_share_reservation_indexation_and_exit_fee() -> None:
    assert gain_share(1000.0, 0.5) == pytest.approx(500.0)
    assert gain_share([0.0, 200.0], 0.3) == pytest.approx([0.0, 60.0])
    assert reservation_fee(5000.0, 0.2, 0.25) == pytest.approx(250.0)
    assert indexed_price(10.0, [1.2, 0.9, 1.0], 0.4) == pytest.approx([10.8, 9.6, 10.0])
    assert indexed_price(10.0, 1.2, 0.0) == pytest.approx(10.0)
    assert exit_fee([2.5, -1.0], 1000.0) == pytest.approx([2500.0, 0.0])


def _terms(**overrides) -> ContractTerms:
    base = {
        "relationship": "strategic_partnership",
        "term_years": 3.0,
        "minimum_annual_units": 2400.0,
        "shortfall_rate_per_unit": 1.5,
        "volume_rebate": TIERS,
        "volume_rebate_mode": "all_units",
        "kpi_targets": SCORECARD,
        "bonus_per_review": 100.0,
        "bonus_share_of_spend": 0.01,
        "penalty_per_kpi_per_review": 40.0,
        "remediation_reviews": 1,
        "gain_share_buyer": 0.5,
        "reserved_units_per_year": 4000.0,
        "reservation_fee_per_unit_per_year": 0.2,
        "index_pass_through": 0.4,
        "exit_fee_per_remaining_year": 1000.0,
    }
    return ContractTerms(**{**base, **overrides})


def test_settle_a_year_end_quarterly_review_by_hand() -> None:
    # two replications; Q4 review (closes the contract year) at t = 1 year
    review = ReviewInputs(
        period_years=0.25,
        elapsed_years=1.0,
        volume_units=[300.0, 500.0],
        unit_price_per_unit=10.0,
        year_to_date_units=[1800.0, 1500.0],
        closes_contract_year=True,
        index_ratio=[1.2, 1.0],
        kpis=[[0.97, 300.0, 1.0], [0.90, 300.0, 1.0]],
        consecutive_misses=[[0, 0, 0], [1, 0, 0]],
        supplier_savings=[1000.0, 0.0],
        buyer_exits=[False, True],
    )
    s = settle(_terms(), review)
    c = s.components
    # indexed price: 10 (1 + 0.4 (1.2 - 1)) = 10.8 -> (10.8 - 10) 300 = 240
    assert c["price_indexation"] == pytest.approx([240.0, 0.0])
    # year totals 2100 and 2000 against 2400: shortfalls 300 and 400 at 1.5
    assert c["take_or_pay"] == pytest.approx([450.0, 600.0])
    # all-units YTD increments: R(2100) - R(1800) = 2100 - 900; R(2000) - R(1500) = 2000 - 750
    assert c["volume_rebate"] == pytest.approx([-1200.0, -1250.0])
    # bonus 100 + 1% of spend (10.8 x 300 = 3240); 2nd: OTIF missed twice in a row > 1
    assert c["performance_bonus"] == pytest.approx([132.4, 0.0])
    assert c["performance_penalty"] == pytest.approx([0.0, -40.0])
    assert s.consecutive_misses.tolist() == [[0, 0, 0], [2, 0, 0]]
    assert c["gain_share"] == pytest.approx([-500.0, 0.0])
    assert c["capacity_reservation"] == pytest.approx([200.0, 200.0])
    # the buyer leaves with 2 of 3 years left
    assert c["exit_fee"] == pytest.approx([0.0, 2000.0])
    assert s.buyer_pays == pytest.approx(
        [240 + 450 - 1200 + 132.4 - 500 + 200, 600 - 1250 - 40 + 200 + 2000]
    )
    assert s.indexed_price_per_unit == pytest.approx([10.8, 10.0])


def test_quarterly_year_to_date_rebates_add_up_to_the_annual_rebate() -> None:
    for mode in ("all_units", "incremental"):
        terms = _terms(volume_rebate_mode=mode, kpi_targets=(), index_pass_through=0.0)
        quarters, before, paid = [600.0, 500.0, 500.0, 500.0], 0.0, 0.0
        for q in quarters:
            review = ReviewInputs(0.25, 0.25, q, 10.0, year_to_date_units=before)
            paid += float(-settle(terms, review).components["volume_rebate"][0])
            before += q
        assert paid == pytest.approx(float(tiered_rebate(2100.0, TIERS, mode)))
    # the incremental tiers pay 600 on 2100 units, the all-units tiers 2100
    assert float(tiered_rebate(2100.0, TIERS, "incremental")) == pytest.approx(600.0)


def test_take_or_pay_waits_for_the_review_that_closes_the_year() -> None:
    terms = _terms(kpi_targets=())
    mid_year = ReviewInputs(0.25, 0.5, 100.0, 10.0, year_to_date_units=200.0)
    assert settle(terms, mid_year).components["take_or_pay"] == pytest.approx([0.0])
    year_end = ReviewInputs(0.25, 1.0, 100.0, 10.0, 200.0, closes_contract_year=True)
    assert settle(terms, year_end).components["take_or_pay"] == pytest.approx([1.5 * 2100])


def test_supplier_exit_pays_the_buyer() -> None:
    review = ReviewInputs(1.0, 0.5, 0.0, 10.0, supplier_exits=True)
    fee = settle(_terms(kpi_targets=()), review).components["exit_fee"]
    assert fee == pytest.approx([-2500.0])


def test_what_the_buyer_pays_the_supplier_receives() -> None:
    review = ReviewInputs(
        0.25,
        1.0,
        [300.0, 500.0, 0.0],
        [10.0, 11.0, 9.0],
        year_to_date_units=[1800.0, 1500.0, 0.0],
        closes_contract_year=True,
        index_ratio=[1.2, 0.8, 1.0],
        kpis=[[0.97, 300.0, 1.0], [0.90, 300.0, 1.0], [np.nan, np.nan, np.nan]],
        supplier_savings=[1000.0, 10.0, 0.0],
        buyer_exits=[False, True, False],
        supplier_exits=[False, False, True],
    )
    s = settle(_terms(), review)
    flows = s.cash_flows()
    assert set(flows["buyer"]) == set(COMPONENTS) == set(flows["supplier"])
    for component in COMPONENTS:
        assert flows["buyer"][component] + flows["supplier"][component] == pytest.approx(0.0)
    assert sum(flows["supplier"].values()) == pytest.approx(s.buyer_pays)
    assert -sum(flows["buyer"].values()) == pytest.approx(s.buyer_pays)


def test_a_contract_without_terms_settles_to_zero() -> None:
    review = ReviewInputs(0.25, 0.25, [100.0, 200.0], 10.0, closes_contract_year=True)
    s = settle(ContractTerms(), review)
    for component in COMPONENTS:
        assert s.components[component] == pytest.approx([0.0, 0.0])
    assert s.consecutive_misses.shape == (2, 0)


def test_bad_terms_and_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        RebateTiers((2000.0, 1000.0), (0.5, 1.0))
    with pytest.raises(ValueError, match="never decrease"):
        RebateTiers((1000.0, 2000.0), (1.0, 0.5))
    with pytest.raises(ValueError, match="as many rates"):
        RebateTiers((1000.0,), (1.0, 0.5))
    with pytest.raises(ValueError, match="gain_share_buyer"):
        ContractTerms(gain_share_buyer=1.5)
    with pytest.raises(ValueError, match="remediation_reviews"):
        ContractTerms(remediation_reviews=-1)
    with pytest.raises(ValueError, match="volume_units must be >= 0"):
        take_or_pay(-1.0, 10.0, 1.0)
    with pytest.raises(ValueError, match="shape"):
        performance_adjustment(np.ones((2, 2)), SCORECARD, 1.0, 1.0, np.zeros((2, 2)), 0)
    with pytest.raises(ValueError, match="needs kpis"):
        settle(_terms(), ReviewInputs(0.25, 0.25, 1.0, 1.0))
    with pytest.raises(ValueError, match="mode"):
        tiered_rebate(1.0, TIERS, "stepwise")  # type: ignore[arg-type]
