"""OTIF and realised lead times against what the supplier model implies."""

from __future__ import annotations

import numpy as np
from tests.helpers import single_part

from keiretsu.experiments import simulate


def _scenario(on_time: float, capacity: float | None):
    return single_part(
        demand={"kind": "poisson", "mean": 10},
        holding=0.01,
        shortage={"kind": "backorder", "cost_per_unit_per_period": 1},
        policy={"policy": "base_stock", "order_up_to_units": 80},
        lead_time_days=3,
        on_time_probability=on_time,
        late_delay_days=4,
        capacity=capacity,
        periods=4 * 365,
        warmup=20,
        replications=8,
        seed=4,
    )


def test_otif_and_lead_time_with_ample_capacity_follow_the_on_time_probability() -> None:
    sup = simulate(_scenario(on_time=0.8, capacity=None), detail="network").suppliers
    lines = sup["order_lines"].sum()
    otif = sup["otif_lines"].sum() / lines
    se = np.sqrt(0.8 * 0.2 / lines)
    assert abs(otif - 0.8) <= 4 * se, otif
    # realised lead time = 3 days, plus 4 days on the 20 % of late lines
    lead = (sup["lead_time_mean_days"] * sup["order_lines"]).sum() / lines
    assert abs(lead - (3 + 0.2 * 4)) <= 4 * 4 * se, lead
    assert (sup["censored_lines"] == 0).all()


def test_perfect_supplier_is_always_otif_with_its_quoted_lead_time() -> None:
    sup = simulate(_scenario(on_time=1.0, capacity=None), detail="network").suppliers
    assert (sup["otif"] == 1.0).all()
    assert np.allclose(sup["lead_time_mean_days"], 3.0)
    assert np.allclose(sup["lead_time_sd_days"], 0.0)


def test_a_binding_capacity_makes_lines_late_and_longer() -> None:
    free = simulate(_scenario(on_time=1.0, capacity=None), detail="network").suppliers
    tight = simulate(_scenario(on_time=1.0, capacity=10.5), detail="network").suppliers
    assert tight["otif"].mean() < free["otif"].mean() - 0.05
    assert tight["lead_time_mean_days"].mean() > free["lead_time_mean_days"].mean()
