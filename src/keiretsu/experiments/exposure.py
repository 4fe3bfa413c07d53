"""Analytic risk exposure of a scenario's network: TTS, impact over TTR, REI, likelihood.

The scenario is handed to the time-to-survive / performance-impact LPs of
:mod:`keiretsu.optimize.resilience` (Simchi-Levi et al. 2014, 2015) as plain data:

* each part is an end node ``part:P`` with demand = its expected demand per period at the
  knock-out's start, margin = revenue - the plan's share-weighted unit price that year,
  and stock = the buyer's mean on-hand units at the start (from the simulated twin when
  given, else the policy's initial stock); supplies in transit are not counted (a
  conservative choice);
* each offer (supplier ``U`` making part ``P``) is a node ``offer:U:P`` with the offer's
  capacity (unlimited stays unlimited) feeding ``part:P``; a supplier's shared capacity
  is a capacity group over its offers; the LP routes freely, i.e. it assumes the buyer
  can move volume to whichever qualified source has capacity (the optimistic bound
  Simchi-Levi uses);
* a tier-2 link splits the offer: ``share_of_input`` of its capacity needs the
  sub-supplier's material (node ``sub:S``, capacity unknown: unlimited), backed by the
  tier-1 buffer ``buffer:U:S`` holding ``buffer_days`` of the offer's expected use.

Knocking out a supplier takes all its offer nodes down; a region, every supplier and
sub-supplier in it; a sub-supplier, its node. TTS and TTR are reported in days; TTR is
the node's ``reported_time_to_recover_days`` where given (a region: the knock-out's
length), else the knock-out's length. Likelihood is the expected number of events a
year that hit the node under the scenario's ``disruptions`` (outages, regional events of
its region, tier-2 outages of its sources, its default hazard). REI = lost margin / the
largest lost margin among the names asked for; NaN for every name when that largest is 0
(below 1e-9, LP round-off: no knock-out loses margin, 0/0, nothing to rank).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# likelihood_per_year lives in analysis (segmentation uses it too); re-exported here for
# the sweep
from keiretsu.analysis.likelihood import likelihood_per_year as likelihood_per_year
from keiretsu.optimize.resilience import Arc, CapacityGroup, Node, risk_exposure
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.sim.network import compile_network


@dataclass(frozen=True)
class ExposureNetwork:
    """The LP data of a scenario and who goes down with each knock-out."""

    nodes: list[Node]
    arcs: list[Arc]
    groups: list[CapacityGroup]
    members: dict[str, tuple[str, ...]]  # knocked-out name -> LP nodes taken down


def exposure_network(
    scenario: Scenario,
    plan: Plan,
    over: str,
    start_period: int,
    on_hand: dict[str, float] | None = None,
) -> ExposureNetwork:
    """The LP network of ``scenario`` under ``plan`` at ``start_period`` (see module doc)."""
    net = compile_network(scenario, plan)
    dpp = net.days_per_period
    t = min(start_period, net.n_periods - 1)
    year = net.period_year[t]
    nodes: list[Node] = []
    arcs: list[Arc] = []
    offers_of: dict[str, list[str]] = {s.id: [] for s in scenario.suppliers}
    links_of: dict[tuple[str, str], list] = {}
    for link in scenario.tier2.links:
        for part in link.parts:
            links_of.setdefault((link.supplier, part), []).append(link)
    for pi, part in enumerate(scenario.parts):
        demand = float(net.daily_mean[pi, t] * dpp)
        margin = float(part.revenue_per_unit - net.unit_value[year, pi])
        stock = float(net.initial_on_hand[pi] if on_hand is None else on_hand.get(part.id, 0.0))
        nodes.append(
            Node(
                f"part:{part.id}",
                f"buyer:{part.id}",
                on_hand=stock,
                capacity_per_period=None,
                demand_per_period=demand,
                margin_per_unit=max(margin, 0.0),
                bill_of_materials={part.id: 1.0},
            )
        )
    for o in range(net.n_offers):
        sup = net.supplier_ids[net.offer_supplier[o]]
        pi = net.offer_part[o]
        part_id = net.part_ids[pi]
        capacity = None if np.isinf(net.capacity[o]) else float(net.capacity[o])
        if net.available_from[o] > t:  # not qualified yet at the start
            capacity = 0.0
        use = float(net.share[year, o] * net.daily_mean[pi, t])  # expected units a day
        dependent = links_of.get((sup, part_id), [])
        free_share = max(0.0, 1.0 - sum(link.share_of_input for link in dependent))
        pieces = [(f"offer:{sup}:{part_id}", free_share, None)] if free_share > 0 else []
        pieces += [
            (f"offer:{sup}:{part_id}~{link.sub_supplier}", link.share_of_input, link)
            for link in dependent
        ]
        for name, share, link in pieces:
            cap = None if capacity is None else capacity * share
            bom = {} if link is None else {f"material:{link.sub_supplier}": 1.0}
            nodes.append(Node(name, part_id, capacity_per_period=cap, bill_of_materials=bom))
            arcs.append(Arc(name, f"part:{part_id}"))
            offers_of[sup].append(name)
            if link is not None:
                buffer = f"buffer:{sup}:{link.sub_supplier}:{part_id}"
                stock = link.buffer_days * use * share
                nodes.append(Node(buffer, f"material:{link.sub_supplier}", on_hand=stock))
                arcs.append(Arc(buffer, name))
                arcs.append(Arc(f"sub:{link.sub_supplier}", name))
    for sub in scenario.tier2.sub_suppliers:
        nodes.append(Node(f"sub:{sub.id}", f"material:{sub.id}", capacity_per_period=None))
    groups = [
        CapacityGroup(s.id, tuple(offers_of[s.id]), s.shared_capacity_units_per_period)
        for s in scenario.suppliers
        if s.shared_capacity_units_per_period is not None and offers_of[s.id]
    ]
    if over == "suppliers":
        members = {s.id: tuple(offers_of[s.id]) for s in scenario.suppliers}
    elif over == "regions":
        members = {
            r.id: tuple(
                [n for s in scenario.suppliers if s.region == r.id for n in offers_of[s.id]]
                + [f"sub:{s.id}" for s in scenario.tier2.sub_suppliers if s.region == r.id]
            )
            for r in scenario.regions
        }
    else:
        members = {s.id: (f"sub:{s.id}",) for s in scenario.tier2.sub_suppliers}
    return ExposureNetwork(nodes, arcs, groups, members)


def analytic_exposure(
    scenario: Scenario,
    plan: Plan,
    over: str,
    start_period: int,
    knockout_days: float,
    on_hand: dict[str, float] | None = None,
    names: list[str] | None = None,
) -> dict[str, dict[str, float | bool | None]]:
    """Per knocked-out name: TTS and TTR (days), exposure gap, lost margin over the TTR and
    REI, from the LPs (see module doc). ``names`` defaults to every node of ``over``."""
    data = exposure_network(scenario, plan, over, start_period, on_hand)
    dpp = scenario.horizon.days_per_period
    reported = {s.id: s.reported_time_to_recover_days for s in scenario.suppliers}
    reported |= {s.id: s.reported_time_to_recover_days for s in scenario.tier2.sub_suppliers}
    names = list(data.members) if names is None else names
    ttr_days = {n: reported.get(n) or knockout_days for n in names}
    rows = risk_exposure(
        data.nodes,
        data.arcs,
        {n: ttr_days[n] / dpp for n in names},
        {n: data.members[n] for n in names},
        data.groups,
    )
    worst = max((row.lost_margin for row in rows), default=0.0)
    out = {}
    for row in rows:
        unbounded = row.time_to_survive is None
        out[row.node] = {
            "tts_days": None if unbounded else row.time_to_survive * dpp,
            "tts_unbounded": unbounded,
            "ttr_days": ttr_days[row.node],
            "exposure_gap_days": row.exposure_gap * dpp,
            "lost_margin_at_ttr": row.lost_margin,
            "rei": row.risk_exposure_index if worst > 1e-9 else float("nan"),
        }
    return out
