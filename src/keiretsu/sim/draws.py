"""Every random number of one replication, drawn up front from named streams.

One stream per source (``demand/PART``, ``lead_time/SUPPLIER/PART``,
``late/SUPPLIER/PART``, ``late_delay/SUPPLIER/PART``, ``defects/SUPPLIER/PART``), keyed by
(seed, replication, purpose) in :mod:`keiretsu.rng`. A draw never depends on the plan or
on the state of the run, so two plans see the same demand, the same lead-time quotes
and the same lateness events (common random numbers), and a replication's numbers do
not depend on which batch or worker runs it.

Lead times are drawn in days per (offer, ship period) and rounded to the nearest whole
period; a late shipment (probability 1 - on_time_probability) takes its extra
``late_delay_days`` on top, the total rounded again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from keiretsu.rng import stream
from keiretsu.scenario.model import Scenario
from keiretsu.sim.network import Network


@dataclass(frozen=True)
class Draws:
    """Random inputs for a batch of replications (leading axis R)."""

    demand: np.ndarray  # (R, P, T) units
    lead: np.ndarray  # (R, O, T) quoted lead time, whole periods
    late: np.ndarray  # (R, O, T) extra periods when late (0 when on time)
    defect_u: np.ndarray | None  # (R, O, T) uniforms for defect counts, None if no defects


def draw(scenario: Scenario, net: Network, seed: int, replications: list[int]) -> Draws:
    """Draw every random input of ``replications`` (indices) for ``net``."""
    T, dpp = net.n_periods, net.days_per_period
    R, P, O = len(replications), net.n_parts, net.n_offers
    demand = np.empty((R, P, T))
    lead = np.empty((R, O, T), dtype=np.int64)
    late = np.empty((R, O, T), dtype=np.int64)
    any_defects = bool((net.defect_rate > 0).any())
    defect_u = np.empty((R, O, T)) if any_defects else None
    offers = [
        (
            net.part_ids[p],
            net.supplier_ids[u],
            scenario.offers_for(net.part_ids[p])[net.supplier_ids[u]],
        )
        for p, u in zip(net.offer_part, net.offer_supplier, strict=True)
    ]
    for r, rep in enumerate(replications):
        for p, part in enumerate(scenario.parts):
            rng = stream(seed, rep, f"demand/{part.id}")
            demand[r, p] = part.demand.per_period_units.sample(rng, T, scale=net.demand_scale[p])
        for o, (part_id, sup_id, offer) in enumerate(offers):
            key = f"{sup_id}/{part_id}"
            days = offer.lead_time_days.sample(stream(seed, rep, f"lead_time/{key}"), T)
            quoted = np.floor(days / dpp + 0.5)
            lead[r, o] = quoted
            is_late = stream(seed, rep, f"late/{key}").random(T) >= offer.on_time_probability
            extra = offer.late_delay_days.sample(stream(seed, rep, f"late_delay/{key}"), T)
            total = np.floor((days + extra) / dpp + 0.5)
            late[r, o] = np.where(is_late, np.maximum(total - quoted, 0), 0)
            if defect_u is not None:
                defect_u[r, o] = stream(seed, rep, f"defects/{key}").random(T)
    return Draws(demand=demand, lead=lead, late=late, defect_u=defect_u)
