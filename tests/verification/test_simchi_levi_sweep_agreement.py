"""A sweep ranks nodes as the analytic risk exposure index does where the two must agree.

Three parts, each sole-sourced from its own supplier with zero lead time, deterministic
demand d, lost sales without penalty, no holding cost, base stock S = d (1 + k): the buyer
holds k days of stock when a supplier stops. A knock-out of W days then loses exactly
max(W - k, 0) d units (VALIDATION F), i.e. (revenue - price) max(W - k, 0) d of margin,
and that is also the performance impact of the Simchi-Levi et al. (2015) LP over a time to
recover of W days, with a time to survive of k days. So the simulated margin at risk, the
analytic lost margin and the REI must agree exactly, and so must the rankings.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from keiretsu.experiments import sweep
from keiretsu.scenario.model import Scenario

PARTS = {  # part: (supplier, demand/day, cover days k, revenue, price)
    "P1": ("A", 10.0, 3, 4.0, 1.0),
    "P2": ("B", 20.0, 8, 2.0, 1.0),
    "P3": ("C", 5.0, 20, 6.0, 1.0),
}
W = 14  # days knocked out


def _scenario(table: dict = PARTS) -> Scenario:
    parts, suppliers, inventory = [], [], {}
    for part, (sup, d, k, revenue, price) in table.items():
        parts.append(
            {
                "id": part,
                "demand": {"per_period_units": {"kind": "fixed", "value": d}},
                "revenue_per_unit": revenue,
                "holding_cost_per_unit_per_period": 0.0,
                "shortage": {"kind": "lost_sale", "penalty_per_unit": 0.0},
            }
        )
        suppliers.append(
            {
                "id": sup,
                "region": "R",
                "offers": [
                    {
                        "part": part,
                        "unit_price": price,
                        "lead_time_days": {"kind": "fixed", "value": 0},
                    }
                ],
            }
        )
        inventory[part] = {"policy": "base_stock", "order_up_to_units": d * (1 + k)}
    return Scenario.model_validate(
        {
            "meta": {"name": "sweep agreement", "start_date": "2027-01-01"},
            "horizon": {"years": 200 / 365, "period": "day"},
            "regions": [{"id": "R"}],
            "parts": parts,
            "suppliers": suppliers,
            "plan": {"inventory": inventory},
            "run": {"replications": 2, "seed": 1},
        }
    )


def test_simchi_levi_2015_sweep_agrees_with_the_analytic_exposure() -> None:
    result = sweep(_scenario(), "suppliers", weeks=W / 7, start_date=dt.date(2027, 4, 11))
    ranking = result.ranking.set_index("node")
    for part, (sup, d, k, revenue, price) in PARTS.items():
        expected = (revenue - price) * max(W - k, 0) * d
        row = ranking.loc[sup]
        assert row["margin_at_risk_mean"] == pytest.approx(expected, abs=1e-6), part
        assert row["lost_margin_at_ttr"] == pytest.approx(expected, abs=1e-6), part
        assert row["tts_days"] == pytest.approx(k, abs=1e-6), part
        assert row["exposure_gap_days"] == pytest.approx(max(W - k, 0), abs=1e-6), part
    assert list(result.ranking["node"]) == ["A", "B", "C"]
    assert np.allclose(result.ranking["rei"], result.ranking["rei_simulated"])
    assert result.ranking["rei"].tolist() == pytest.approx([1.0, 120 / 330, 0.0])


def test_rei_is_undefined_when_no_knockout_loses_margin() -> None:
    """Every buffer outlasts the knock-out (k > W): no node loses margin, the largest
    impact is 0 and REI = 0/0 is reported as NaN (printed as a dash), not as 0."""
    covered = {
        part: (sup, d, W + 6, revenue, price) for part, (sup, d, _, revenue, price) in PARTS.items()
    }
    result = sweep(_scenario(covered), "suppliers", weeks=W / 7, start_date=dt.date(2027, 4, 11))
    assert result.ranking["lost_margin_at_ttr"].abs().max() == pytest.approx(0.0, abs=1e-9)
    assert result.ranking["margin_at_risk_mean"].abs().max() == pytest.approx(0.0, abs=1e-9)
    assert result.ranking["rei"].isna().all()
    assert result.ranking["rei_simulated"].isna().all()
