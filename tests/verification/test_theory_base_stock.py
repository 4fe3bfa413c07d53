"""VALIDATION.md F: base-stock fill rate and mean on-hand, and Little's law.

Theory (periodic review, order up to S every period, fixed lead time L periods,
backorders, Poisson(lam) demand): end-of-period net inventory is S - D(L+1), so
E[on hand] = E[(S - D(L+1))^+]; units of a period's demand not met from stock are
(D(L+1) - S)^+ - (D(L) - S)^+ in expectation, so the unit fill rate is
1 - (E[(D(L+1) - S)^+] - E[(D(L) - S)^+]) / lam  (Snyder & Shen 2019, sec. 4.3-4.4).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from tests.helpers import single_part

from keiretsu.experiments import simulate


def _loss(mean: float, S: float) -> float:
    """E[(D - S)^+] for D ~ Poisson(mean)."""
    k = np.arange(0, int(mean + 20 * np.sqrt(mean + 1) + S + 50))
    return float(np.sum(np.maximum(k - S, 0) * stats.poisson.pmf(k, mean)))


def _on_hand(mean: float, S: float) -> float:
    """E[(S - D)^+] for D ~ Poisson(mean)."""
    k = np.arange(0, int(S) + 1)
    return float(np.sum((S - k) * stats.poisson.pmf(k, mean)))


def _three_se(values: np.ndarray, expected: float) -> tuple[bool, str]:
    mean, se = values.mean(), values.std(ddof=1) / np.sqrt(values.size)
    return abs(
        mean - expected
    ) <= 3 * se, f"mean {mean:.5f}, expected {expected:.5f}, 3 SE {3 * se:.5f}"


@pytest.mark.parametrize(("lam", "L", "S"), [(5.0, 0, 7), (10.0, 2, 35), (3.0, 5, 20)])
def test_base_stock_poisson_fill_rate_and_on_hand(lam: float, L: int, S: float) -> None:
    scenario = single_part(
        demand={"kind": "poisson", "mean": lam},
        holding=1.0,
        shortage={"kind": "backorder", "cost_per_unit_per_period": 5.0},
        policy={"policy": "base_stock", "order_up_to_units": S},
        lead_time_days=L,
        periods=3000,
        replications=30,
    )
    reps = simulate(scenario, detail="network").replications
    fill = 1 - (_loss((L + 1) * lam, S) - _loss(L * lam, S)) / lam
    ok, msg = _three_se(reps["fill_rate"].to_numpy(), fill)
    assert ok, "fill rate: " + msg
    ok, msg = _three_se(reps["mean_on_hand_units"].to_numpy(), _on_hand((L + 1) * lam, S))
    assert ok, "on hand: " + msg


def test_littles_law_pipeline_inventory() -> None:
    """Mean units in transit = throughput x mean time in transit (Little 1961)."""
    scenario = single_part(
        demand={"kind": "poisson", "mean": 20},
        holding=1.0,
        shortage={"kind": "backorder", "cost_per_unit_per_period": 5.0},
        policy={"policy": "base_stock", "order_up_to_units": 200},
        lead_time_days={"kind": "uniform", "low": 1.6, "high": 8.4},
        periods=3000,
        replications=10,
    )
    result = simulate(scenario, detail="network")
    periods = result.periods
    sup = result.suppliers
    for rep, frame in periods.groupby("replication"):
        throughput = frame["shipped_units"].mean()
        # every order ships at once (no capacity limit): time in transit = realised lead time
        lead_periods = sup.loc[sup["replication"] == rep, "lead_time_mean_days"].iloc[0]
        wip = frame["in_transit_units"].mean()
        assert wip == pytest.approx(throughput * lead_periods, rel=0.03), (
            rep,
            wip,
            throughput,
            lead_periods,
        )
