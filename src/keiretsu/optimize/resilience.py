"""Time-to-survive, performance impact and risk exposure of a supply network (LPs).

Source: Simchi-Levi, Schmidt, Wei (2014), "From superstorms to factory fires", HBR;
Simchi-Levi et al. (2015), "Identifying risks and mitigating disruptions in the
automotive supply chain", Interfaces 45(5). Conventions as in VALIDATION.md section B.

Data (plain, prepared by the caller): nodes ``j`` with on-hand stock ``s_j`` of their
product, capacity ``c_j`` (units per period), demand ``d_j`` and margin ``f_j`` per unit
(end products), a bill of materials ``b_jm`` (units of material ``m`` per unit of ``j``);
arcs ``a = (i -> j)`` carrying node ``i``'s product. One node ``n`` is down: it makes
nothing, but its stock can still be shipped.

Variables over a window of ``t`` periods: production ``x_j >= 0``, arc flows ``y_a >= 0``,
lost demand ``l_j >= 0``.

* ``capacity[j]``:      x_j <= c_j t            (x_n = 0)
* ``material[j,m]``:    sum_{a into j carrying m} y_a >= b_jm x_j   (the scarcest input binds)
* ``availability[j]``:  sum_{a out of j} y_a + (d_j t - l_j) <= s_j + x_j

**Time to survive** TTS_n = max t with l = 0. With no node down (or enough capacity
everywhere) it can be unbounded: t is capped at :data:`T_CAP` and a solution at the cap
is reported as unbounded (``None``), whatever the solver says about the uncapped LP.

**Performance impact** PI_n(T) = min sum_j f_j l_j at t = T (the node's time to
recover), with l_j <= d_j T: flows are routed to where margin is highest.
**Risk exposure index** REI_n = PI_n / max_m PI_m; **exposure gap** = max(TTR_n - TTS_n, 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulp

from keiretsu.optimize.solve import solve

T_CAP = 1e7
"""Cap on the survival window (periods); reaching it means unbounded."""


@dataclass(frozen=True)
class Node:
    """One node: a supplier site, a plant or an end product."""

    id: str
    product: str
    on_hand: float = 0.0
    capacity_per_period: float = 0.0
    demand_per_period: float = 0.0
    margin_per_unit: float = 0.0
    bill_of_materials: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Arc:
    """``source`` ships its product to ``target``."""

    source: str
    target: str


@dataclass(frozen=True)
class Impact:
    """Lost margin and lost units per end product when a node is down ``periods`` long."""

    down: str
    periods: float
    lost_margin: float
    lost_units: dict[str, float]


@dataclass(frozen=True)
class Exposure:
    """One row of the risk-exposure table."""

    node: str
    time_to_survive: float | None  # None: unbounded
    time_to_recover: float
    exposure_gap: float
    lost_margin: float
    risk_exposure_index: float


def _check(nodes: Sequence[Node], arcs: Sequence[Arc], down: str | None) -> dict[str, Node]:
    by_id = {n.id: n for n in nodes}
    if len(by_id) != len(nodes):
        raise ValueError("node ids must be unique")
    for a in arcs:
        if a.source not in by_id or a.target not in by_id:
            raise ValueError(f"arc {a.source} -> {a.target} names an unknown node")
    if down is not None and down not in by_id:
        raise ValueError(f"unknown node {down!r}")
    return by_id


def _build(
    nodes: Sequence[Node], arcs: Sequence[Arc], down: str | None, periods: float | None
) -> tuple[pulp.LpProblem, dict[str, pulp.LpVariable], pulp.LpVariable | None]:
    """The LP; ``periods=None`` maximises t (TTS), else minimises lost margin at t = periods."""
    by_id = _check(nodes, arcs, down)
    survive = periods is None
    prob = pulp.LpProblem(
        "time_to_survive" if survive else "performance_impact",
        pulp.LpMaximize if survive else pulp.LpMinimize,
    )
    t = prob.add_variable("t", lowBound=0, upBound=T_CAP) if survive else None
    window: float | pulp.LpVariable = t if survive else float(periods)
    x = {n.id: prob.add_variable(f"make_{n.id}", lowBound=0) for n in nodes}
    y = {
        (a.source, a.target): prob.add_variable(f"ship_{a.source}_to_{a.target}", lowBound=0)
        for a in arcs
    }
    lost = {
        n.id: prob.add_variable(
            f"lost_{n.id}", lowBound=0, upBound=None if survive else n.demand_per_period * periods
        )
        for n in nodes
        if n.demand_per_period > 0
    }
    for n in nodes:
        if n.id == down:
            prob += (pulp.lpSum_vars_coefs([(x[n.id], 1.0)]) == 0, f"capacity_{n.id}_down")
        else:
            prob += (
                pulp.lpSum_vars_coefs([(x[n.id], 1.0)]) - n.capacity_per_period * window <= 0,
                f"capacity_{n.id}",
            )
        for material, per_unit in n.bill_of_materials.items():
            supply = [
                (y[(a.source, a.target)], 1.0)
                for a in arcs
                if a.target == n.id and by_id[a.source].product == material
            ]
            prob += (
                pulp.lpSum_vars_coefs([*supply, (x[n.id], -per_unit)]) >= 0,
                f"material_{material}_for_{n.id}",
            )
        out = [(y[(a.source, a.target)], 1.0) for a in arcs if a.source == n.id]
        sales: list = []
        if n.demand_per_period > 0:
            sales = [(lost[n.id], -1.0)]
            if survive:
                prob += (pulp.lpSum_vars_coefs([(lost[n.id], 1.0)]) == 0, f"no_lost_demand_{n.id}")
        terms = [*out, *sales, (x[n.id], -1.0)]
        demand = n.demand_per_period * window if n.demand_per_period > 0 else 0.0
        prob += (pulp.lpSum_vars_coefs(terms) + demand <= n.on_hand, f"availability_{n.id}")
    if survive:
        prob += pulp.lpSum_vars_coefs([(t, 1.0)])
    else:
        prob += pulp.lpSum_vars_coefs([(lost[j], by_id[j].margin_per_unit) for j in lost])
    return prob, lost, t


def time_to_survive(nodes: Sequence[Node], arcs: Sequence[Arc], down: str | None) -> float | None:
    """TTS (periods) with ``down`` out of action; ``None`` when it is unbounded."""
    prob, _, t = _build(nodes, arcs, down, None)
    solve(prob)
    value = t.value()
    return None if value >= T_CAP * (1 - 1e-9) else float(value)


def performance_impact(
    nodes: Sequence[Node], arcs: Sequence[Arc], down: str, periods: float
) -> Impact:
    """Least lost margin over ``periods`` with ``down`` out of action (margin-aware routing)."""
    if periods < 0:
        raise ValueError("periods must be >= 0")
    prob, lost, _ = _build(nodes, arcs, down, periods)
    stats = solve(prob)
    return Impact(
        down, periods, float(stats.objective or 0.0), {j: float(v.value()) for j, v in lost.items()}
    )


def risk_exposure(
    nodes: Sequence[Node], arcs: Sequence[Arc], time_to_recover: Mapping[str, float]
) -> list[Exposure]:
    """TTS, exposure gap, lost margin over the TTR and REI per node, highest impact first."""
    rows = []
    impacts = {
        n: performance_impact(nodes, arcs, n, ttr).lost_margin for n, ttr in time_to_recover.items()
    }
    worst = max(impacts.values(), default=0.0)
    for n, ttr in time_to_recover.items():
        tts = time_to_survive(nodes, arcs, n)
        gap = 0.0 if tts is None else max(ttr - tts, 0.0)
        rows.append(
            Exposure(n, tts, ttr, gap, impacts[n], impacts[n] / worst if worst > 0 else 0.0)
        )
    return sorted(rows, key=lambda r: (-r.lost_margin, r.node))
