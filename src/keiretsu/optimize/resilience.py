"""Time-to-survive, performance impact and risk exposure of a supply network (LPs).

Source: Simchi-Levi, Schmidt, Wei (2014), "From superstorms to factory fires", HBR;
Simchi-Levi et al. (2015), "Identifying risks and mitigating disruptions in the
automotive supply chain", Interfaces 45(5). Conventions as in VALIDATION.md section B.

Data (plain, prepared by the caller): nodes ``j`` with on-hand stock ``s_j`` of their
product, capacity ``c_j`` (units per period; ``None`` = unlimited), demand ``d_j`` and
margin ``f_j`` per unit (end products), a bill of materials ``b_jm`` (units of material
``m`` per unit of ``j``); arcs ``a = (i -> j)`` carrying node ``i``'s product; optional
capacity groups ``G`` (nodes sharing one capacity ``c_G``, e.g. a supplier's parts). One
node ``n`` — or a set of nodes knocked out together (a supplier's sites, a region) — is
down: it makes nothing, but its stock can still be shipped.

Variables over a window of ``t`` periods: production ``x_j >= 0``, arc flows ``y_a >= 0``,
lost demand ``l_j >= 0``.

* ``capacity[j]``:      x_j <= c_j t            (x_n = 0; no row when c_j is unlimited)
* ``group[G]``:         sum_{j in G} x_j <= c_G t
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

from collections.abc import Collection, Mapping, Sequence
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
    capacity_per_period: float | None = 0.0  # None: unlimited
    demand_per_period: float = 0.0
    margin_per_unit: float = 0.0
    bill_of_materials: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class CapacityGroup:
    """Nodes that share one capacity (units per period), e.g. one supplier's parts."""

    name: str
    members: tuple[str, ...]
    capacity_per_period: float


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


Down = str | Collection[str] | None
"""The node, or the set of nodes, out of action (None: nothing down)."""


def _down_set(down: Down) -> frozenset[str]:
    if down is None:
        return frozenset()
    return frozenset([down]) if isinstance(down, str) else frozenset(down)


def _check(
    nodes: Sequence[Node], arcs: Sequence[Arc], down: Down, groups: Sequence[CapacityGroup]
) -> dict[str, Node]:
    by_id = {n.id: n for n in nodes}
    if len(by_id) != len(nodes):
        raise ValueError("node ids must be unique")
    for a in arcs:
        if a.source not in by_id or a.target not in by_id:
            raise ValueError(f"arc {a.source} -> {a.target} names an unknown node")
    for n in sorted(_down_set(down) - set(by_id)):
        raise ValueError(f"unknown node {n!r}")
    for g in groups:
        for m in g.members:
            if m not in by_id:
                raise ValueError(f"capacity group {g.name!r} names an unknown node {m!r}")
    return by_id


def _build(
    nodes: Sequence[Node],
    arcs: Sequence[Arc],
    down: Down,
    periods: float | None,
    groups: Sequence[CapacityGroup] = (),
) -> tuple[pulp.LpProblem, dict[str, pulp.LpVariable], pulp.LpVariable | None]:
    """The LP; ``periods=None`` maximises t (TTS), else minimises lost margin at t = periods."""
    by_id = _check(nodes, arcs, down, groups)
    out_of_action = _down_set(down)
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
    for g in groups:
        members = [(x[m], 1.0) for m in g.members if m not in out_of_action]
        if members:
            prob += (
                pulp.lpSum_vars_coefs(members) - g.capacity_per_period * window <= 0,
                f"group_capacity_{g.name}",
            )
    for n in nodes:
        if n.id in out_of_action:
            prob += (pulp.lpSum_vars_coefs([(x[n.id], 1.0)]) == 0, f"capacity_{n.id}_down")
        elif n.capacity_per_period is not None:
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


def time_to_survive(
    nodes: Sequence[Node],
    arcs: Sequence[Arc],
    down: Down,
    groups: Sequence[CapacityGroup] = (),
) -> float | None:
    """TTS (periods) with ``down`` out of action; ``None`` when it is unbounded."""
    prob, _, t = _build(nodes, arcs, down, None, groups)
    solve(prob)
    value = t.value()
    return None if value >= T_CAP * (1 - 1e-9) else float(value)


def performance_impact(
    nodes: Sequence[Node],
    arcs: Sequence[Arc],
    down: Down,
    periods: float,
    groups: Sequence[CapacityGroup] = (),
) -> Impact:
    """Least lost margin over ``periods`` with ``down`` out of action (margin-aware routing)."""
    if periods < 0:
        raise ValueError("periods must be >= 0")
    prob, lost, _ = _build(nodes, arcs, down, periods, groups)
    stats = solve(prob)
    label = down if isinstance(down, str) else ",".join(sorted(_down_set(down)))
    return Impact(
        label,
        periods,
        float(stats.objective or 0.0),
        {j: float(v.value()) for j, v in lost.items()},
    )


def risk_exposure(
    nodes: Sequence[Node],
    arcs: Sequence[Arc],
    time_to_recover: Mapping[str, float],
    members: Mapping[str, Collection[str]] | None = None,
    groups: Sequence[CapacityGroup] = (),
) -> list[Exposure]:
    """TTS, exposure gap, lost margin over the TTR and REI per node, highest impact first.

    ``time_to_recover`` is keyed by the name of what goes down; ``members`` maps a name to
    the nodes it takes down together (default: the node of that name).
    """
    members = members or {}

    def hit(name: str) -> Down:
        return members.get(name, name)

    rows = []
    impacts = {
        n: performance_impact(nodes, arcs, hit(n), ttr, groups).lost_margin
        for n, ttr in time_to_recover.items()
    }
    worst = max(impacts.values(), default=0.0)
    for n, ttr in time_to_recover.items():
        tts = time_to_survive(nodes, arcs, hit(n), groups)
        gap = 0.0 if tts is None else max(ttr - tts, 0.0)
        rows.append(
            Exposure(n, tts, ttr, gap, impacts[n], impacts[n] / worst if worst > 0 else 0.0)
        )
    return sorted(rows, key=lambda r: (-r.lost_margin, r.node))
