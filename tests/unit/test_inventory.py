"""keiretsu.econ.inventory: oracles (direct sums, brute force), limits and clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from keiretsu.econ.inventory import (
    MarkovSupply,
    disrupted_base_stock_cost,
    disrupted_base_stock_optimum,
    eoqd_cost,
    eoqd_optimum,
    normal_base_stock_cost,
    normal_base_stock_optimum,
    outage_buffer,
    periodic_review_outage_cost,
    poisson_base_stock_cost,
    poisson_base_stock_optimum,
)
from keiretsu.scenario.disruptions import SupplierOutage


def _outage(up: dict, down: dict, **extra) -> SupplierOutage:
    return SupplierOutage.model_validate(
        {"kind": "supplier_outage", "id": "o", "supplier": "S", "up_days": up, "down_days": down}
        | extra
    )


def test_poisson_cost_is_the_direct_sum() -> None:
    lam, h, p, L = 3.5, 0.7, 2.0, 2
    k = np.arange(0, 200)
    pmf = stats.poisson.pmf(k, lam * (L + 1))
    for S in (0, 4, 10.5, 17):
        direct = float(np.sum((h * np.maximum(S - k, 0) + p * np.maximum(k - S, 0)) * pmf))
        got = poisson_base_stock_cost(
            S,
            mean_per_period=lam,
            holding_cost_per_unit_per_period=h,
            backorder_cost_per_unit_per_period=p,
            lead_time_periods=L,
        )
        assert got == pytest.approx(direct, abs=1e-10)


@pytest.mark.parametrize(("lam", "h", "p"), [(0.3, 1.0, 1.0), (6.0, 1.0, 4.0), (40.0, 2.0, 0.5)])
def test_poisson_optimum_is_the_best_integer(lam: float, h: float, p: float) -> None:
    kw = {
        "mean_per_period": lam,
        "holding_cost_per_unit_per_period": h,
        "backorder_cost_per_unit_per_period": p,
    }
    best = poisson_base_stock_optimum(**kw)
    costs = [poisson_base_stock_cost(S, **kw) for S in range(int(lam * 4 + 20))]
    assert best.order_up_to_units == int(np.argmin(costs))
    assert best.expected_cost_per_period == pytest.approx(min(costs), abs=1e-12)


def test_normal_optimum_is_the_minimum_of_the_cost() -> None:
    kw = {
        "mean_per_period": 100.0,
        "sd_per_period": 20.0,
        "holding_cost_per_unit_per_period": 1.0,
        "backorder_cost_per_unit_per_period": 9.0,
        "lead_time_periods": 3,
    }
    best = normal_base_stock_optimum(**kw)
    grid = best.order_up_to_units + np.linspace(-5, 5, 101)
    costs = [normal_base_stock_cost(S, **kw) for S in grid]
    assert int(np.argmin(costs)) == 50
    assert best.expected_cost_per_period == pytest.approx(min(costs), abs=1e-12)


def test_disrupted_cost_is_the_direct_sum_over_down_runs() -> None:
    supply = MarkovSupply(up_to_down=0.1, down_to_up=0.3)
    d, h, p = 50.0, 1.0, 6.0
    n = np.arange(0, 400)
    prob = np.array([supply.down_run_probability(int(i)) for i in n])
    assert prob.sum() == pytest.approx(1.0, abs=1e-12)
    for S in (-30.0, 0.0, 20.0, 50.0, 75.0, 150.0, 333.3, 1000.0):
        x = S - (n + 1) * d
        direct = float(np.sum(prob * (h * np.maximum(x, 0) + p * np.maximum(-x, 0))))
        got = disrupted_base_stock_cost(
            S,
            demand_per_period=d,
            holding_cost_per_unit_per_period=h,
            backorder_cost_per_unit_per_period=p,
            supply=supply,
        )
        assert got == pytest.approx(direct, abs=1e-9)


@pytest.mark.parametrize(
    ("alpha", "beta", "h", "p"),
    [(0.04, 0.25, 0.25, 3.0), (0.3, 0.9, 1.0, 1.0), (0.0, 0.5, 1.0, 5.0), (0.2, 1.0, 1.0, 50.0)],
)
def test_disrupted_optimum_is_the_best_multiple_of_demand(alpha, beta, h, p) -> None:
    kw = {
        "demand_per_period": 10.0,
        "holding_cost_per_unit_per_period": h,
        "backorder_cost_per_unit_per_period": p,
        "supply": MarkovSupply(alpha, beta),
    }
    best = disrupted_base_stock_optimum(**kw)
    grid = np.arange(0, 2000, 0.5)
    costs = np.array([disrupted_base_stock_cost(S, **kw) for S in grid])
    assert best.expected_cost_per_period == pytest.approx(costs.min(), abs=1e-9)
    assert best.order_up_to_units == grid[np.flatnonzero(costs <= costs.min() + 1e-9)[0]]


def test_exponential_spells_sampled_per_period_are_a_markov_chain() -> None:
    supply = MarkovSupply.from_exponential_spells(90, 10, days_per_period=7)
    assert supply.availability == pytest.approx(0.9, abs=1e-12)
    # two steps of the sampled chain = the continuous chain over 14 days
    P = np.array(
        [
            [1 - supply.up_to_down, supply.up_to_down],
            [supply.down_to_up, 1 - supply.down_to_up],
        ]
    )
    rate = 1 / 90 + 1 / 10
    down_after_14 = 0.1 * (1 - math.exp(-rate * 14))
    assert (P @ P)[0, 1] == pytest.approx(down_after_14, abs=1e-12)


def test_chain_of_a_scenario_outage() -> None:
    geometric = _outage({"kind": "geometric", "p": 0.04}, {"kind": "geometric", "p": 0.25})
    assert MarkovSupply.from_outage(geometric, 1) == MarkovSupply(0.04, 0.25)
    exponential = _outage({"kind": "exponential", "mean": 60}, {"kind": "exponential", "mean": 5})
    assert MarkovSupply.from_outage(exponential, 7) == MarkovSupply.from_exponential_spells(
        60, 5, 7
    )
    with pytest.raises(ValueError, match="only over daily periods"):
        MarkovSupply.from_outage(geometric, 7)
    with pytest.raises(ValueError, match="both exponential or both geometric"):
        MarkovSupply.from_outage(
            _outage({"kind": "exponential", "mean": 60}, {"kind": "fixed", "value": 5}), 1
        )
    with pytest.raises(ValueError, match="full stop"):
        MarkovSupply.from_outage(
            _outage(
                {"kind": "exponential", "mean": 60},
                {"kind": "exponential", "mean": 5},
                capacity_lost=0.5,
            ),
            1,
        )


def test_outage_buffer_for_example_9_3() -> None:
    buffer = outage_buffer(
        demand_per_period=2000,
        holding_cost_per_unit_per_period=0.25,
        backorder_cost_per_unit_per_period=3.0,
        mtbf_days=25,
        mttr_days=4,
        spells="geometric",
    )
    assert buffer.order_up_to_units == 8000
    assert buffer.periods_of_cover == 4
    assert buffer.days_of_cover == 4
    # P(N <= 3) = 1 - pi_DOWN (1 - beta)^3 >= p / (p + h) > P(N <= 2)
    assert buffer.no_backorder_probability == pytest.approx(1 - (0.04 / 0.29) * 0.75**3)
    assert buffer.no_backorder_probability >= 3 / 3.25 > 1 - (0.04 / 0.29) * 0.75**2


def test_eoqd_without_disruptions_is_the_eoq() -> None:
    kw = {
        "order_cost_per_order": 100.0,
        "holding_cost_per_unit_per_year": 2.0,
        "lost_sale_penalty_per_unit": 5.0,
        "demand_per_year": 5000.0,
        "failure_rate_per_year": 0.0,
        "recovery_rate_per_year": 10.0,
    }
    best = eoqd_optimum(**kw)
    assert best.order_quantity_units == pytest.approx(math.sqrt(2 * 100 * 5000 / 2), rel=1e-7)
    assert best.expected_cost_per_year == pytest.approx(math.sqrt(2 * 100 * 5000 * 2), rel=1e-12)


def test_eoqd_optimum_beats_a_fine_grid() -> None:
    kw = {
        "order_cost_per_order": 20.0,
        "holding_cost_per_unit_per_year": 1.0,
        "lost_sale_penalty_per_unit": 10.0,
        "demand_per_year": 1000.0,
        "failure_rate_per_year": 4.0,
        "recovery_rate_per_year": 20.0,
    }
    best = eoqd_optimum(**kw)
    grid = np.linspace(1, 5000, 50_000)
    assert best.expected_cost_per_year <= min(eoqd_cost(q, **kw) for q in grid) + 1e-9


def test_periodic_review_without_disruptions_is_the_discrete_eoq_cycle() -> None:
    """No outages, s just under one period's demand: cycles of n periods of S - k d."""
    d, S, h, K = 3.0, 100.0, 0.1, 25.0
    cost = periodic_review_outage_cost(
        d * (1 - 1e-9),
        S,
        demand_per_period=d,
        holding_cost_per_unit_per_period=h,
        lost_sale_penalty_per_unit=4.0,
        order_cost_per_order=K,
        supply=MarkovSupply(0.0, 1.0),
    )
    n = 33  # 100 = 33 x 3 + 1: the residual 1 is topped up after 33 periods
    cycle = K + h * sum(S - k * d for k in range(1, n + 1))
    assert cost == pytest.approx(cycle / n, abs=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: normal_base_stock_cost(
                10,
                mean_per_period=5,
                sd_per_period=0,
                holding_cost_per_unit_per_period=1,
                backorder_cost_per_unit_per_period=1,
            ),
            "sd_per_period must be a positive",
        ),
        (
            lambda: poisson_base_stock_optimum(
                mean_per_period=5,
                holding_cost_per_unit_per_period=-1,
                backorder_cost_per_unit_per_period=1,
            ),
            "holding_cost_per_unit_per_period must be a positive",
        ),
        (
            lambda: normal_base_stock_optimum(
                mean_per_period=5,
                sd_per_period=1,
                holding_cost_per_unit_per_period=1,
                backorder_cost_per_unit_per_period=1,
                lead_time_periods=1.5,
            ),
            "lead_time_periods must be a whole number",
        ),
        (lambda: MarkovSupply(1.2, 0.5), r"up_to_down \(alpha\) must be in \[0, 1\]"),
        (lambda: MarkovSupply(0.1, 0.0), r"down_to_up \(beta\) must be in \(0, 1\]"),
        (lambda: MarkovSupply.from_geometric_spells(0.5, 3), "mtbf_periods must be >= 1"),
        (
            lambda: eoqd_cost(
                0,
                order_cost_per_order=1,
                holding_cost_per_unit_per_year=1,
                lost_sale_penalty_per_unit=1,
                demand_per_year=1,
                failure_rate_per_year=1,
                recovery_rate_per_year=1,
            ),
            "order_quantity_units must be a positive",
        ),
        (
            lambda: periodic_review_outage_cost(
                5,
                5,
                demand_per_period=1,
                holding_cost_per_unit_per_period=1,
                lost_sale_penalty_per_unit=1,
                order_cost_per_order=1,
                supply=MarkovSupply(0.1, 0.5),
            ),
            "must exceed reorder_point_units",
        ),
        (
            lambda: periodic_review_outage_cost(
                0,
                1e6,
                demand_per_period=1,
                holding_cost_per_unit_per_period=1,
                lost_sale_penalty_per_unit=1,
                order_cost_per_order=1,
                supply=MarkovSupply(0.1, 0.5),
                max_states=1000,
            ),
            "more than 1000 states",
        ),
        (
            lambda: outage_buffer(
                demand_per_period=1,
                holding_cost_per_unit_per_period=1,
                backorder_cost_per_unit_per_period=1,
                mtbf_days=10,
                mttr_days=2,
                spells="weibull",
            ),
            "spells must be 'exponential' or 'geometric'",
        ),
    ],
)
def test_invalid_arguments_say_what_is_wrong(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
