"""Every random number of one replication, drawn up front from named streams.

One stream per source (``demand/PART``; ``delivery/SUPPLIER/PART``: T lead times, then
T lateness flags and T late delays when the offer can be late; ``expedite_lead/SUPPLIER/PART``;
``defects``), keyed by
(seed, replication, purpose) in :mod:`keiretsu.rng`. A draw never depends on the plan or
on the state of the run, so two plans see the same demand, the same lead-time quotes
and the same lateness events (common random numbers), and a replication's numbers do
not depend on which batch or worker runs it.

Lead times are drawn in days per (offer, ship period) and rounded to the nearest whole
period; a late shipment (probability 1 - on_time_probability) takes its extra
``late_delay_days`` on top, the total rounded again. A logistics disruption multiplies
both (in days, before rounding) for shipments leaving while it lasts; a demand shock
multiplies the drawn demand. Disruptions and drills are turned into schedules by
:mod:`keiretsu.sim.disruptions` (streams ``disruption/ID``), funded programs into
milestone runs by :mod:`keiretsu.sim.programs` (streams ``program/ID``); a completed
program takes days off the lead times of its offers' shipments and raises their on-time
probability (the same lateness uniforms, a higher threshold).

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
from keiretsu.scenario.model import Scenario
from keiretsu.sim.contracts import Improvements, draw_improvements
from keiretsu.sim.defects import Inspection
from keiretsu.sim.disruptions import schedules
from keiretsu.sim.network import LEARNING_ON_TIME_PENALTY, Network
from keiretsu.sim.programs import ProgramRuns, effect_matrix, program_runs


@dataclass(frozen=True)
class Draws:
    """Random inputs for a batch of replications, period-first."""

    demand_t: np.ndarray  # (T, R, P) units
    transit_t: np.ndarray  # (T, R, O) whole periods a shipment leaving then takes (late included)
    late_t: np.ndarray  # (T, R, O) extra periods when late (0 when on time)
    defects: Inspection | None  # one generator per replication; None if no defects
    expedite_lead_t: np.ndarray | None  # (T, R, P) expedited lead time, periods; None if unused
    supplier_left_t: np.ndarray | None = None  # (T, R, U) share of capacity left (disruptions)
    offer_left_t: np.ndarray | None = None  # (T, R, O) share left by tier-2 causes
    held_t: np.ndarray | None = None  # (T, R, U) arrivals held (regional event on transit)
    price_factor_t: np.ndarray | None = None  # (T, R, O) unit-price multiplier (price shocks)
    default_period: np.ndarray | None = None  # (R, U) period of a supplier's default, -1: none
    programs: ProgramRuns | None = None  # funded programs' milestones, effects and cash flows
    improvements: Improvements | None = None  # supplier-driven improvements (contracts)
    replications: list[int] = field(default_factory=list)  # the batch's replication indices
    late_u_t: np.ndarray | None = None  # (T, R, O) lateness uniforms (kept for remediation)
    late_if_t: np.ndarray | None = None  # (T, R, O) extra periods if late (kept for remediation)
    events: list[tuple] = field(default_factory=list)  # (replication, id, kind, target, start, end)

    @property
    def disrupted(self) -> bool:
        """Whether any cause takes capacity away in this batch."""
        return self.supplier_left_t is not None or self.offer_left_t is not None


def draw(
    scenario: Scenario,
    net: Network,
    seed: int,
    replications: list[int],
    drills: Sequence = (),
) -> Draws:
    """Draw every random input of ``replications`` (indices) for ``net``; ``drills`` are
    scheduled disruptions added on top (they draw nothing, so the twin without them sees
    the same random numbers)."""
    T, dpp = net.n_periods, net.days_per_period
    R, P, O = len(replications), net.n_parts, net.n_offers
    programs = program_runs(net, seed, replications)
    sched = schedules(scenario, net, seed, replications, drills, programs)
    # programs shorten lead times and raise on-time probabilities of their offers
    lead_cut = on_time_gain = None
    if programs is not None:
        lead_cut = effect_matrix(net, "lead_time_reduction_days")  # (K, O)
        on_time_gain = effect_matrix(net, "on_time_improvement")
    demand = np.empty((T, R, P))
    lead = np.empty((T, R, O), dtype=np.int32)
    late = np.empty((T, R, O), dtype=np.int32)
    any_defects = bool((net.defect_rate > 0).any())
    defects = (
        Inspection([stream(seed, rep, "defects") for rep in replications]) if any_defects else None
    )
    # (part, supplier) -> offer, as ``scenario.offers_for`` gives it, in one pass
    offer_of = {(o.part, s.id): o for s in scenario.suppliers for o in s.offers}
    offers = [
        (net.part_ids[p], net.supplier_ids[u], offer_of[net.part_ids[p], net.supplier_ids[u]])
        for p, u in zip(net.offer_part, net.offer_supplier, strict=True)
    ]
    # per replication, fill contiguous (item, period) blocks, then transpose once
    demand_block = np.empty((P, T))
    days_block = np.empty((O, T))  # quoted lead time, days
    extra_block = np.zeros((O, T))  # extra days of a late shipment (0 when on time)
    # contracts' effort raises on-time probabilities; a new source's learning curve lowers them
    contracts = net.contracts
    gain = None if contracts is None else contracts.on_time_gain[net.offer_supplier]  # (O,)
    learning = net.learning  # (O, T) or None
    keep_lateness = contracts is not None and any(
        c.spec.escalation is not None for c in contracts.suppliers
    )
    can_be_late = [
        o
        for o, (_, _, offer) in enumerate(offers)
        if offer.on_time_probability < 1 or (learning is not None and learning[o].any())
    ]
    late_u = np.ones((T, R, O), dtype=np.float32) if keep_lateness else None
    late_if = np.zeros((T, R, O), dtype=np.int32) if keep_lateness else None
    u_block = np.ones((O, T))  # lateness uniforms (1: never late)
    delay_block = np.zeros((O, T))  # extra days if late
    late_set = set(can_be_late)
    # the offers that can be late, as a slice when they all can (views, not copies)
    late_rows = slice(None) if len(can_be_late) == O else np.asarray(can_be_late, dtype=np.intp)
    # on-time probability per (late offer, ship period): the quote + contracts' effort -
    # learning; programs add their gains per replication (below), then it is clipped to [0, 1]
    quoted_on_time = np.array([offers[o][2].on_time_probability for o in can_be_late])
    on_time_base = np.repeat(quoted_on_time[:, None], T, axis=1)  # (L, T)
    program_gain = [
        (i, o)
        for i, o in enumerate(can_be_late)
        if programs is not None and on_time_gain[:, o].any()
    ]
    threshold = (
        None if program_gain else _on_time_threshold(on_time_base, gain, learning, late_rows)
    )
    for r, rep in enumerate(replications):
        for p, part in enumerate(scenario.parts):
            rng = stream(seed, rep, f"demand/{part.id}")
            demand_block[p] = part.demand.per_period_units.sample(rng, T, scale=net.demand_scale[p])
        if sched.demand is not None:  # demand shocks multiply the draws (same stream)
            demand_block *= sched.demand[r]
        progress = None if programs is None else programs.progress[:, r, :]  # (T, K)
        for o, (part_id, sup_id, offer) in enumerate(offers):
            delivery = stream(seed, rep, f"delivery/{sup_id}/{part_id}")  # lead times, lateness
            days_block[o] = offer.lead_time_days.sample(delivery, T)
            if progress is not None and lead_cut[:, o].any():
                days_block[o] = np.maximum(days_block[o] - progress @ lead_cut[:, o], 0.0)
            if o in late_set:
                u_block[o] = delivery.random(T)  # T lateness uniforms, then T delays
                delay_block[o] = offer.late_delay_days.sample(delivery, T)
        if can_be_late:  # late when the uniform reaches the on-time probability
            if program_gain:
                on_time = on_time_base.copy()
                for i, o in program_gain:
                    on_time[i] = on_time[i] + progress @ on_time_gain[:, o]
                threshold = _on_time_threshold(on_time, gain, learning, late_rows)
            is_late = u_block[late_rows] >= threshold
            extra_block[late_rows] = np.where(is_late, delay_block[late_rows], 0.0)
        if sched.lead is not None:  # logistics multipliers stretch both
            days_block *= sched.lead[r]
            extra_block *= sched.lead[r]
            delay_block *= sched.lead[r]
        quoted = np.floor(days_block / dpp + 0.5)
        late_periods = np.zeros((O, T))
        if can_be_late:
            rows = days_block[late_rows]
            extra = extra_block[late_rows]
            total = np.floor((rows + extra) / dpp + 0.5)
            late_periods[late_rows] = np.where(
                extra > 0, np.maximum(total - quoted[late_rows], 0), 0
            )
        demand[:, r, :] = demand_block.T
        lead[:, r, :] = (quoted + late_periods).T
        late[:, r, :] = late_periods.T
        if keep_lateness:  # what a remediation plan needs to redraw lateness later
            late_u[:, r, :] = u_block.T
            if_late = np.floor((days_block + delay_block) / dpp + 0.5) - quoted
            late_if[:, r, :] = np.maximum(if_late, 0).T
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
    improvements = None
    if contracts is not None:
        improvements = draw_improvements(net.supplier_ids, contracts, seed, replications, T, dpp)
    return Draws(
        replications=list(replications),
        improvements=improvements,
        late_u_t=late_u,
        late_if_t=late_if,
        demand_t=demand,
        transit_t=lead,
        late_t=late,
        defects=defects,
        expedite_lead_t=expedite_lead,
        supplier_left_t=sched.supplier_left,
        offer_left_t=sched.offer_left,
        held_t=sched.held,
        price_factor_t=sched.price,
        default_period=sched.default_period,
        programs=programs,
        events=sched.events,
    )


def _on_time_threshold(
    on_time: np.ndarray, gain: np.ndarray | None, learning: np.ndarray | None, rows
) -> np.ndarray:
    """(L, T) on-time probabilities of the offers that can be late (``rows`` of the (O, ...)
    arrays): ``on_time`` + contracts' effort - the learning-curve penalty, clipped to [0, 1]."""
    if gain is not None:
        on_time = on_time + gain[rows][:, None]
    if learning is not None:
        on_time = on_time - LEARNING_ON_TIME_PENALTY * learning[rows]
    return np.clip(on_time, 0.0, 1.0)
