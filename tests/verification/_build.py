"""Single-part scenarios built in code for the verification tests (the public path:
a Scenario validated by the schema, run by ``keiretsu.experiments.simulate``)."""

from __future__ import annotations

from keiretsu.scenario.model import Scenario


def single_part(
    *,
    demand: dict,
    holding: float,
    shortage: dict,
    policy: dict,
    lead_time_days: dict | float = 0.0,
    order_cost: float = 0.0,
    periods: int = 5000,
    warmup: int = 100,
    replications: int = 40,
    seed: int = 12345,
    revenue: float = 0.0,
    capacity: float | None = None,
    defect_ppm: float = 0.0,
    on_time_probability: float = 1.0,
) -> Scenario:
    """One part, one perfectly reliable supplier unless told otherwise, daily periods."""
    lead = (
        lead_time_days
        if isinstance(lead_time_days, dict)
        else {"kind": "fixed", "value": lead_time_days}
    )
    return Scenario.model_validate(
        {
            "meta": {"name": "verification"},
            "horizon": {"years": periods / 365, "period": "day", "review_every_periods": 1},
            "regions": [{"id": "R"}],
            "parts": [
                {
                    "id": "P",
                    "demand": {"per_period_units": demand},
                    "revenue_per_unit": revenue,
                    "holding_cost_per_unit_per_period": holding,
                    "shortage": shortage,
                }
            ],
            "suppliers": [
                {
                    "id": "S",
                    "region": "R",
                    "offers": [
                        {
                            "part": "P",
                            "unit_price": 1.0,
                            "lead_time_days": lead,
                            "order_cost_per_order": order_cost,
                            "capacity_units_per_period": capacity,
                            "defect_ppm": defect_ppm,
                            "on_time_probability": on_time_probability,
                        }
                    ],
                }
            ],
            "plan": {"inventory": {"P": policy}},
            "run": {"replications": replications, "seed": seed, "warmup_periods": warmup},
        }
    )


def within_mc_tolerance(values, expected: float, max_rel_3se: float = 0.02) -> tuple[bool, str]:
    """|mean - expected| <= 3 SE and 3 SE <= ``max_rel_3se`` x |expected| (VALIDATION.md)."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    mean, se = v.mean(), v.std(ddof=1) / np.sqrt(v.size)
    ok = abs(mean - expected) <= 3 * se and 3 * se <= max_rel_3se * abs(expected)
    return (
        ok,
        f"mean {mean:.6g} vs expected {expected:.6g}: |diff| {abs(mean - expected):.3g}, 3 SE {3 * se:.3g}",
    )
