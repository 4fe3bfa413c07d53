"""Every random number of one replication, drawn up front from named streams.

One stream per source (``demand/PART``, ``lead_time/SUPPLIER/PART``,
``late/SUPPLIER/PART`` (lateness flags, then delays), ``expedite_lead/SUPPLIER/PART``,
``defects``), keyed by
(seed, replication, purpose) in :mod:`keiretsu.rng`. A draw never depends on the plan or
on the state of the run, so two plans see the same demand, the same lead-time quotes
and the same lateness events (common random numbers), and a replication's numbers do
not depend on which batch or worker runs it.

Lead times are drawn in days per (offer, ship period) and rounded to the nearest whole
period; a late shipment (probability 1 - on_time_probability) takes its extra
``late_delay_days`` on top, the total rounded again.

Defects are the one draw that depends on the state (how many units arrive): each
replication has one ``defects`` generator, called once per period with the arriving
quantities, so defect draws are reproducible per replication (any batch, any worker)
but, unlike everything else, not common across plans that receive different quantities.

Arrays are stored period-first, ``(T, R, X)``, so the kernel reads one contiguous
slice per period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from keiretsu.rng import stream
from keiretsu.scenario.disruptions import Drill
from keiretsu.scenario.model import Scenario
from keiretsu.sim.network import Network


@dataclass(frozen=True)
class Draws:
    """Random inputs for a batch of replications, period-first."""

    demand_t: np.ndarray  # (T, R, P) units
    lead_t: np.ndarray  # (T, R, O) quoted lead time, whole periods
    late_t: np.ndarray  # (T, R, O) extra periods when late (0 when on time)
    defect_rngs: list[np.random.Generator] | None  # one per replication; None if no defects
    expedite_lead_t: np.ndarray | None  # (T, R, P) expedited lead time, periods; None if unused
    capacity_factor_t: np.ndarray | None  # (T, R, U) share of capacity left; None: no disruptions
    events: list[tuple] = field(default_factory=list)  # (replication, id, kind, target, start, end)


def draw(
    scenario: Scenario,
    net: Network,
    seed: int,
    replications: list[int],
    drills: Sequence[Drill] = (),
) -> Draws:
    """Draw every random input of ``replications`` (indices) for ``net``; ``drills`` are
    scheduled disruptions added on top (they draw nothing, so the twin without them sees
    the same random numbers)."""
    T, dpp = net.n_periods, net.days_per_period
    R, P, O = len(replications), net.n_parts, net.n_offers
    demand = np.empty((T, R, P))
    lead = np.empty((T, R, O), dtype=np.int32)
    late = np.empty((T, R, O), dtype=np.int32)
    any_defects = bool((net.defect_rate > 0).any())
    defect_rngs = [stream(seed, rep, "defects") for rep in replications] if any_defects else None
    offers = [
        (
            net.part_ids[p],
            net.supplier_ids[u],
            scenario.offers_for(net.part_ids[p])[net.supplier_ids[u]],
        )
        for p, u in zip(net.offer_part, net.offer_supplier, strict=True)
    ]
    # per replication, fill contiguous (item, period) blocks, then transpose once
    demand_block = np.empty((P, T))
    lead_block = np.empty((O, T))
    late_block = np.zeros((O, T))
    for r, rep in enumerate(replications):
        for p, part in enumerate(scenario.parts):
            rng = stream(seed, rep, f"demand/{part.id}")
            demand_block[p] = part.demand.per_period_units.sample(rng, T, scale=net.demand_scale[p])
        late_block[:] = 0.0
        for o, (part_id, sup_id, offer) in enumerate(offers):
            key = f"{sup_id}/{part_id}"
            days = offer.lead_time_days.sample(stream(seed, rep, f"lead_time/{key}"), T)
            quoted = np.floor(days / dpp + 0.5)
            lead_block[o] = quoted
            if offer.on_time_probability >= 1.0:
                continue
            late_rng = stream(seed, rep, f"late/{key}")  # T lateness flags, then T delays
            is_late = late_rng.random(T) >= offer.on_time_probability
            extra = offer.late_delay_days.sample(late_rng, T)
            total = np.floor((days + extra) / dpp + 0.5)
            late_block[o] = np.where(is_late, np.maximum(total - quoted, 0), 0)
        demand[:, r, :] = demand_block.T
        lead[:, r, :] = lead_block.T
        late[:, r, :] = late_block.T
    expedite_lead = None
    if (net.expedite_offer >= 0).any():
        expedite_lead = np.zeros((T, R, P), dtype=np.int32)
        for r, rep in enumerate(replications):
            for p, o in enumerate(net.expedite_offer):
                if o < 0:
                    continue
                part_id, sup_id, offer = offers[o]
                rng = stream(seed, rep, f"expedite_lead/{sup_id}/{part_id}")
                days = offer.expedite.lead_time_days.sample(rng, T)
                expedite_lead[:, r, p] = np.floor(days / dpp + 0.5)
    factor, events = _disruptions(scenario, net, seed, replications, drills)
    return Draws(
        demand_t=demand,
        lead_t=lead,
        late_t=late,
        defect_rngs=defect_rngs,
        expedite_lead_t=expedite_lead,
        capacity_factor_t=factor,
        events=events,
    )


SPELL_CHUNK = 64
"""Quiet/active spell pairs drawn at a time (the stream is consumed in this order)."""


def spells(disruption, rng: np.random.Generator, horizon_days: float) -> list[tuple[float, float]]:
    """(start, end) days of each active spell that starts before ``horizon_days``.

    Quiet and active spells alternate from day 0 (quiet first); draws come in chunks of
    :data:`SPELL_CHUNK` quiet durations then as many active ones, so the sequence does
    not depend on the horizon.
    """
    out: list[tuple[float, float]] = []
    clock = 0.0
    while True:
        quiet = disruption.up_days.sample(rng, SPELL_CHUNK)
        active = disruption.down_days.sample(rng, SPELL_CHUNK)
        for q, a in zip(quiet, active, strict=True):
            start = clock + float(q)
            if start >= horizon_days:
                return out
            clock = start + float(a)
            out.append((start, clock))


def _disruptions(
    scenario: Scenario, net: Network, seed: int, replications: list[int], drills: Sequence[Drill]
) -> tuple[np.ndarray | None, list[tuple]]:
    """Capacity left per supplier and period (evaluated at mid-period), and the event log."""
    if not scenario.disruptions and not drills:
        return None, []
    T, dpp = net.n_periods, net.days_per_period
    horizon_days = T * dpp
    mid = (np.arange(T) + 0.5) * dpp
    factor = np.ones((T, len(replications), len(net.supplier_ids)))
    events: list[tuple] = []
    region_of = np.asarray(net.supplier_regions)

    def targets(kind: str, target: str) -> np.ndarray:
        if kind == "supplier_outage":
            return np.array([net.supplier_ids.index(target)])
        return np.flatnonzero(region_of == target)

    def hit(r: int, who: np.ndarray, start: float, end: float, lost: float, ramp: float) -> None:
        left = np.ones(T)
        a, b = np.searchsorted(mid, [start, end], side="left")
        left[a:b] = 1.0 - lost
        c = b
        if ramp > 0:
            c = np.searchsorted(mid, end + ramp, side="left")
            left[b:c] = 1.0 - lost * (1.0 - (mid[b:c] - end) / ramp)
        if c > a:
            factor[a:c, r, who] = np.minimum(factor[a:c, r][:, who], left[a:c, None])

    for d in scenario.disruptions:
        target = d.supplier if d.kind == "supplier_outage" else d.region
        who = targets(d.kind, target)
        for r, rep in enumerate(replications):
            for start, end in spells(d, stream(seed, rep, f"disruption/{d.id}"), horizon_days):
                events.append((rep, d.id, d.kind, target, start, end))
                hit(r, who, start, end, d.capacity_lost, d.ramp_up_days)
    for drill in drills:
        who = targets(drill.kind, drill.target)
        start = float((drill.start_date - scenario.meta.start_date).days)
        end = start + drill.duration_days
        for r, rep in enumerate(replications):
            events.append((rep, drill.id, f"drill:{drill.kind}", drill.target, start, end))
            hit(r, who, start, end, drill.capacity_lost, drill.ramp_up_days)
    return factor, events
