"""Invariants of the simulator on random small scenarios (Hypothesis).

Conservation of units, per replication over the whole horizon (no warm-up):
* supplier side: ordered + re-ordered (rejected) = received + in transit + supplier backlog
  at the end, i.e. accepted = ordered - outstanding (replacements make up rejections);
* buyer side: final on hand = initial on hand + accepted - sold;
* demand = sold now + lost + change in backorders; 0 <= fill rate <= 1.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keiretsu.experiments import simulate
from keiretsu.scenario.model import Scenario
from keiretsu.sim.network import compile_network

distributions = st.one_of(
    st.builds(lambda m: {"kind": "poisson", "mean": m}, st.floats(0.5, 40)),
    st.builds(
        lambda m, cv: {"kind": "normal", "mean": m, "sd": m * cv},
        st.floats(1, 40),
        st.floats(0, 0.5),
    ),
    st.builds(
        lambda v: {"kind": "empirical", "values": v},
        st.lists(st.floats(0, 50), min_size=1, max_size=5),
    ),
)
lead_times = st.one_of(
    st.builds(lambda v: {"kind": "fixed", "value": v}, st.floats(0, 12)),
    st.builds(
        lambda a, b: {"kind": "uniform", "low": a, "high": a + b}, st.floats(0, 6), st.floats(0, 8)
    ),
)
policies = st.one_of(
    st.builds(lambda S: {"policy": "base_stock", "order_up_to_units": S}, st.floats(0, 300)),
    st.builds(
        lambda s, gap: {
            "policy": "s_S",
            "reorder_point_units": s,
            "order_up_to_units": max(s, 0) + gap,
        },
        st.floats(-20, 150),
        st.floats(1, 200),
    ),
    st.builds(
        lambda d, ss: {"policy": "days_of_cover", "cover_days": d, "safety_stock_units": ss},
        st.floats(0.5, 20),
        st.floats(0, 50),
    ),
)


@st.composite
def scenarios(draw) -> Scenario:
    n_parts = draw(st.integers(1, 3))
    n_sup = draw(st.integers(1, 3))
    period = draw(st.sampled_from(["day", "week"]))
    parts, allocation, inventory, expedite = [], {}, {}, {}
    suppliers = [
        {
            "id": f"S{u}",
            "region": "R",
            "offers": [],
            "shared_capacity_units_per_period": draw(st.one_of(st.none(), st.floats(5, 200))),
        }
        for u in range(n_sup)
    ]
    for p in range(n_parts):
        pid = f"P{p}"
        parts.append(
            {
                "id": pid,
                "demand": {
                    "per_period_units": draw(distributions),
                    "annual_growth": draw(st.floats(-0.2, 0.3)),
                },
                "revenue_per_unit": 10,
                "holding_cost_per_unit_per_period": 0.1,
                "shortage": draw(
                    st.sampled_from(
                        [
                            {"kind": "backorder", "cost_per_unit_per_period": 1},
                            {"kind": "lost_sale", "penalty_per_unit": 2},
                        ]
                    )
                ),
            }
        )
        offerers = draw(
            st.lists(st.integers(0, n_sup - 1), min_size=1, max_size=n_sup, unique=True)
        )
        weights = [draw(st.floats(0.05, 1)) for _ in offerers]
        allocation[pid] = {
            f"S{u}": w / sum(weights) for u, w in zip(offerers, weights, strict=True)
        }
        fix = 1 - sum(allocation[pid].values())
        allocation[pid][f"S{offerers[0]}"] += fix
        for u in offerers:
            suppliers[u]["offers"].append(
                {
                    "part": pid,
                    "unit_price": 1,
                    "lead_time_days": draw(lead_times),
                    "on_time_probability": draw(st.floats(0.5, 1)),
                    "defect_ppm": draw(st.sampled_from([0, 1000, 50_000])),
                    "minimum_order_units": draw(st.sampled_from([0, 0, 10])),
                    "capacity_units_per_period": draw(st.one_of(st.none(), st.floats(2, 100))),
                    "expedite": draw(
                        st.one_of(
                            st.none(),
                            st.builds(
                                lambda lt, cap: {
                                    "lead_time_days": lt,
                                    "premium_per_unit": 1.5,
                                    "capacity_units_per_period": cap,
                                },
                                lead_times,
                                st.one_of(st.none(), st.floats(1, 50)),
                            ),
                        )
                    ),
                }
            )
        inventory[pid] = draw(policies)
        if any(
            o["part"] == pid and o["expedite"] for u in offerers for o in suppliers[u]["offers"]
        ) and draw(st.booleans()):
            trigger = draw(st.floats(0, 5))
            expedite[pid] = {
                "trigger_days_of_cover": trigger,
                "up_to_days_of_cover": trigger + draw(st.floats(0.5, 5)),
            }
    suppliers = [s for s in suppliers if s["offers"]]
    return Scenario.model_validate(
        {
            "meta": {"name": "random"},
            "horizon": {
                "years": draw(st.floats(0.2, 1.0)),
                "period": period,
                "review_every_periods": draw(st.integers(1, 3)),
            },
            "regions": [{"id": "R"}],
            "parts": parts,
            "suppliers": suppliers,
            "plan": {"allocation": allocation, "inventory": inventory, "expedite": expedite},
            "run": {"replications": 2, "seed": draw(st.integers(0, 10**6))},
        }
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_units_are_conserved(scenario: Scenario) -> None:
    result = simulate(scenario, detail="network")
    net = compile_network(scenario, scenario.plan)
    for rep, f in result.periods.groupby("replication"):
        last = f.iloc[-1]
        ordered = f["ordered_units"].sum() + f["expedited_units"].sum()
        rejected = f["rejected_units"].sum()
        received, accepted = f["received_units"].sum(), f["accepted_units"].sum()
        outstanding = last["in_transit_units"] + last["supplier_backlog_units"]
        scale = 1 + ordered
        assert abs(ordered + rejected - received - outstanding) <= 1e-6 * scale, rep
        assert abs(accepted - (ordered - outstanding)) <= 1e-6 * scale, rep
        assert abs(received - rejected - accepted) <= 1e-6 * scale, rep
        initial = net.initial_on_hand.sum()
        sold = f["sales_units"].sum()
        assert abs(last["on_hand_units"] - (initial + accepted - sold)) <= 1e-6 * (
            1 + initial + accepted
        ), rep
        demand = f["demand_units"].sum()
        backorder_change = last["backorder_units"]
        assert abs(
            demand
            - (f["filled_now_units"].sum() + f["lost_sales_units"].sum() + backorder_change)
            - (sold - f["filled_now_units"].sum())
        ) <= 1e-6 * (1 + demand)
    costs = result.replications
    assert (costs["expediting_cost"] >= 0).all()
    fill = result.replications["fill_rate"].dropna()
    assert ((fill >= 0) & (fill <= 1 + 1e-12)).all()
    assert (result.periods["on_hand_units"] >= -1e-9).all()
    assert (result.periods["backorder_units"] >= -1e-9).all()
