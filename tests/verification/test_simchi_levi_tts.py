"""VALIDATION.md B: time to survive, performance impact and risk exposure.

Source: Simchi-Levi, Schmidt & Wei (2014), HBR; Simchi-Levi et al. (2015), Interfaces
45(5). The 7-node network with bills of materials V1 = 1a + 1b, V2 = 1b + 2c, A = 1d.
Tolerance "LP": |diff| <= 1e-6 max(1, |x|).
"""

from __future__ import annotations

import pulp
import pytest

from keiretsu.errors import SolverError
from keiretsu.optimize.resilience import (
    Arc,
    Node,
    performance_impact,
    risk_exposure,
    time_to_survive,
)
from keiretsu.optimize.solve import solve

NODES = [
    Node(
        "V1",
        "v1",
        on_hand=200,
        capacity_per_period=150,
        demand_per_period=100,
        margin_per_unit=10,
        bill_of_materials={"a": 1, "b": 1},
    ),
    Node(
        "V2",
        "v2",
        on_hand=100,
        capacity_per_period=80,
        demand_per_period=50,
        margin_per_unit=30,
        bill_of_materials={"b": 1, "c": 2},
    ),
    Node("A", "a", on_hand=300, capacity_per_period=150, bill_of_materials={"d": 1}),
    Node("B1", "b", on_hand=100, capacity_per_period=120),
    Node("B2", "b", on_hand=0, capacity_per_period=40),
    Node("C", "c", on_hand=200, capacity_per_period=120),
    Node("D", "d", on_hand=400, capacity_per_period=200),
]
ARCS = [
    Arc("D", "A"),
    Arc("A", "V1"),
    Arc("B1", "V1"),
    Arc("B1", "V2"),
    Arc("B2", "V2"),
    Arc("C", "V2"),
]


def _lp_close(value: float, expected: float) -> bool:
    return abs(value - expected) <= 1e-6 * max(1.0, abs(expected))


@pytest.mark.parametrize(
    ("node", "tts"), [("V1", 2), ("V2", 2), ("A", 5), ("B1", 3), ("B2", 40 / 3), ("C", 4), ("D", 9)]
)
def test_simchi_levi_2015_time_to_survive(node: str, tts: float) -> None:
    assert _lp_close(time_to_survive(NODES, ARCS, node), tts)


@pytest.mark.parametrize(
    ("node", "periods", "lost_margin"),
    [("A", 8, 3000), ("B1", 10, 7000), ("B1", 12, 9200), ("C", 8, 6000), ("D", 6, 0)],
)
def test_simchi_levi_2015_performance_impact(node: str, periods: float, lost_margin: float) -> None:
    impact = performance_impact(NODES, ARCS, node, periods)
    assert _lp_close(impact.lost_margin, lost_margin)


def test_margin_aware_routing_sends_b1_stock_partly_to_v2() -> None:
    """B1 down 12 weeks: 20 of B1's 100 units go to V2 (margin 30), not all to V1 (9,600)."""
    impact = performance_impact(NODES, ARCS, "B1", 12)
    assert _lp_close(impact.lost_units["V1"], 920) and _lp_close(impact.lost_units["V2"], 0)


def test_no_node_down_is_unbounded_not_a_number() -> None:
    assert time_to_survive(NODES, ARCS, None) is None


def test_risk_exposure_ranks_by_impact_with_rei_and_gap() -> None:
    rows = risk_exposure(NODES, ARCS, {"A": 8, "B1": 12, "C": 8, "D": 6})
    assert [r.node for r in rows] == ["B1", "C", "A", "D"]
    assert _lp_close(rows[0].risk_exposure_index, 1.0)
    assert _lp_close(rows[1].risk_exposure_index, 6000 / 9200)
    assert _lp_close(rows[0].exposure_gap, 12 - 3)
    assert rows[3].exposure_gap == 0.0  # D survives 9 weeks, recovers in 6


def test_an_infeasible_model_is_an_error_not_an_answer() -> None:
    prob = pulp.LpProblem("contradiction", pulp.LpMinimize)
    x = prob.add_variable("x", lowBound=0)
    prob += pulp.lpSum_vars_coefs([(x, 1.0)])
    prob += (pulp.lpSum_vars_coefs([(x, 1.0)]) <= -1, "impossible")
    with pytest.raises(SolverError, match="infeasible"):
        solve(prob)
