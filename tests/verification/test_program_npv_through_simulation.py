"""A deterministic program reproduces its analytic NPV exactly through the simulation path.

One part, 10 units a day, zero lead time, unit price 5 (daily periods, one year): nothing
is random. The program (capex 1000, the buyer paying 30 %; running cost 365 a year, the
buyer paying half) starts on day 10; its milestones take exactly 30 and 20 days (40 % and
60 % of the capex; a quarter of the second held back until completion) and always
succeed, so it completes on day 60. From then on the supplier's unit cost is 10 % lower
and the saving (10 x 5 x 0.1 = 5 a day) is shared half and half. So, per day from the
start (t = 0 on day 10):

* buyer: -0.3 x 400 on day 40; -0.3 x 600 on day 60; then +2.5 of lower prices - 0.5 of
  running cost every day from day 60;
* supplier: -0.7 x 400, -0.7 x 600, then +2.5 kept - 0.5 every day from day 60,

discounted at each party's annual rate made daily, (1 + r)^(1/365) - 1 (VALIDATION E
conventions: first flow undiscounted, end-of-period flows).
"""

from __future__ import annotations

import numpy as np
import pytest

from keiretsu.econ.finance import periodic_rate
from keiretsu.experiments.payback import payback
from keiretsu.scenario.model import Scenario

DAYS = 365
BUYER_RATE, SUPPLIER_RATE = 0.09, 0.12


def _scenario() -> Scenario:
    return Scenario.model_validate(
        {
            "meta": {"name": "deterministic program", "start_date": "2027-01-01"},
            "horizon": {"years": 1, "period": "day"},
            "regions": [{"id": "R"}],
            "parts": [
                {
                    "id": "P",
                    "demand": {"per_period_units": {"kind": "fixed", "value": 10}},
                    "revenue_per_unit": 8.0,
                    "holding_cost_per_unit_per_period": 0.01,
                    "shortage": {"kind": "lost_sale", "penalty_per_unit": 1.0},
                }
            ],
            "suppliers": [
                {
                    "id": "S",
                    "region": "R",
                    "offers": [
                        {
                            "part": "P",
                            "unit_price": 5.0,
                            "lead_time_days": {"kind": "fixed", "value": 0},
                        }
                    ],
                }
            ],
            "programs": [
                {
                    "id": "lean",
                    "suppliers": ["S"],
                    "start_date": "2027-01-11",
                    "capex": 1000,
                    "buyer_cost_share": 0.3,
                    "milestones": [
                        {
                            "id": "design",
                            "duration_days": {"kind": "fixed", "value": 30},
                            "disbursement_share": 0.4,
                        },
                        {
                            "id": "roll-out",
                            "duration_days": {"kind": "fixed", "value": 20},
                            "disbursement_share": 0.6,
                            "retention_share": 0.25,
                        },
                    ],
                    "operating_cost_per_year": 365,
                    "buyer_operating_share": 0.5,
                    "effects": {"unit_cost_reduction": 0.1},
                    "benefit_sharing": {"kind": "gain_share", "buyer_share": 0.5},
                    "buyer": {"discount_rate": BUYER_RATE},
                    "supplier": {"discount_rate": SUPPLIER_RATE},
                }
            ],
            "plan": {"inventory": {"P": {"policy": "base_stock", "order_up_to_units": 20}}},
            "run": {"replications": 3, "seed": 5},
        }
    )


def _expected(capex_share: float, rate: float) -> float:
    flows = np.zeros(DAYS - 10)  # t = 0 on day 10
    flows[40 - 10] -= capex_share * 400
    flows[60 - 10] -= capex_share * 600
    flows[60 - 10 :] += 2.5 - 0.5
    r = periodic_rate(rate, 365)
    return float(np.sum(flows / (1 + r) ** np.arange(flows.size)))


def test_deterministic_program_npv_equals_the_analytic_npv() -> None:
    result = payback(_scenario(), "lean", tornado=False)
    npv = result.measures.pivot(index="replication", columns="party", values="npv")
    assert np.allclose(npv["buyer"], _expected(0.3, BUYER_RATE), rtol=1e-9, atol=1e-9)
    assert np.allclose(npv["supplier"], _expected(0.7, SUPPLIER_RATE), rtol=1e-9, atol=1e-9)
    # daily periods: Excel's XNPV (annual rate, days / 365) is the same number
    xnpv = result.measures.pivot(index="replication", columns="party", values="xnpv")
    assert np.allclose(xnpv["buyer"], npv["buyer"], rtol=1e-9)
    summary = result.summary.set_index("party")
    assert summary.loc["supplier", "prob_npv_negative"] == 1.0  # 70 % of the capex, half the gain
    assert not summary.loc["supplier", "would_sign"]
    assert summary.loc["supplier", "sign_resolved"]  # every replication the same: CI 0
    assert summary.loc["buyer", "prob_completed"] == 1.0
    # the buyer's cumulative flow is -120 - 178 = -298 at t = 50 and gains 2 a day after:
    # it reaches 0 at t = 50 + 298 / 2 = 199 and stays there or above
    payback_days = result.measures.set_index("party").loc["buyer", "payback_years"] * 365
    assert payback_days.to_numpy() == pytest.approx(50 + 298 / 2)


def test_an_abandoned_program_pays_only_what_was_spent() -> None:
    doc = _scenario().model_dump(mode="json")
    doc["programs"][0]["milestones"][0]["success_probability"] = 0.0
    result = payback(Scenario.model_validate(doc), "lean", tornado=False)
    npv = result.measures.pivot(index="replication", columns="party", values="npv")
    r = periodic_rate(BUYER_RATE, 365)
    assert np.allclose(npv["buyer"], -0.3 * 400 / (1 + r) ** 30, rtol=1e-9)
    assert (result.outcomes["abandoned_at"] == "design").all()
    assert not result.outcomes["completed"].any()
