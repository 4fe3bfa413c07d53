"""Disruptions and drills turned into per-replication schedules, drawn up front.

Each random disruption draws its spells from its own stream ``disruption/ID`` (quiet
spell, active spell, ... or a Poisson process of events, see
:mod:`keiretsu.scenario.disruptions`); a drill is one scheduled spell and draws nothing,
so a run with a drill and its twin without it see the same random numbers. Spells are
evaluated at the middle of each period: a spell covers period ``t`` when its start is at
or before ``(t + 0.5) x days per period`` and its end after it.

What the spells become (period-first arrays, only those a scenario needs):

* ``supplier_left`` (T, R, U): share of each supplier's capacity left, the minimum over
  every cause (union): supplier outages, regional events, defaults;
* ``offer_left`` (T, R, O): share of each offer's capacity left by tier-2 causes (a
  sub-supplier's outage, or a regional event where it sits), which reach the offer only
  after the link's ``buffer_days`` and cost ``capacity_lost x share_of_input``;
* ``held`` (T, R, U): goods from this supplier due to arrive are held (a regional event
  with ``holds_in_transit``);
* multipliers, the product over causes: ``lead`` (R, O, T) on the lead time of shipments
  leaving in the period, ``demand`` (R, P, T) on drawn demand, ``price`` (T, R, O) on the
  unit price of units received;
* ``default_period`` (R, U): the period in which a supplier defaults (-1: never); its
  capacity is zero from then on and the kernel cancels its open orders then.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from keiretsu.rng import stream
from keiretsu.scenario.disruptions import drill_target
from keiretsu.scenario.model import Scenario
from keiretsu.sim.network import Network

SPELL_CHUNK = 64
"""Quiet/active spell pairs drawn at a time (the stream is consumed in this order)."""


def spells(disruption, rng: np.random.Generator, horizon_days: float) -> list[tuple[float, float]]:
    """(start, end) days of each active spell of a random disruption that starts before
    ``horizon_days``.

    Alternating timing: quiet and active spells from day 0 (quiet first), drawn in chunks
    of :data:`SPELL_CHUNK` quiet durations then as many active ones. Poisson timing
    (``per_year``): chunks of exponential gaps between starts, then as many durations.
    A default: one exponential exit time, the spell lasting to infinity. The sequence
    never depends on the horizon.
    """
    if disruption.kind == "supplier_default":
        hazard_per_day = disruption.events_per_year / 365.0
        start = 0.0 if math.isinf(hazard_per_day) else float(rng.exponential(1 / hazard_per_day))
        return [(start, math.inf)] if start < horizon_days else []
    out: list[tuple[float, float]] = []
    clock = 0.0
    quiet = disruption.quiet_days
    while True:
        if quiet is None:
            gaps = rng.exponential(365.0 / disruption.per_year, SPELL_CHUNK)
        else:
            gaps = quiet.sample(rng, SPELL_CHUNK)
        active = disruption.down_days.sample(rng, SPELL_CHUNK)
        for q, a in zip(gaps, active, strict=True):
            start = clock + float(q)
            if start >= horizon_days:
                return out
            clock = start if quiet is None else start + float(a)
            out.append((start, start + float(a)))


@dataclass
class Schedules:
    """What the disruptions and drills of a batch do, period by period (see module doc)."""

    supplier_left: np.ndarray | None = None
    offer_left: np.ndarray | None = None
    held: np.ndarray | None = None
    lead: np.ndarray | None = None
    demand: np.ndarray | None = None
    price: np.ndarray | None = None
    default_period: np.ndarray | None = None
    events: list[tuple] = field(default_factory=list)


def schedules(
    scenario: Scenario,
    net: Network,
    seed: int,
    replications: list[int],
    drills: Sequence = (),
    programs=None,
) -> Schedules:
    """The schedules of ``replications`` (indices) for ``scenario``'s disruptions plus
    ``drills``; ``programs`` (:class:`~keiretsu.sim.programs.ProgramRuns`) shorten the
    outages of their suppliers that start after completion (``recovery_time_reduction``;
    the timing of later spells is unchanged, so runs with and without a program see the
    same events)."""
    causes = [(d, False) for d in scenario.disruptions] + [(d, True) for d in drills]
    out = Schedules()
    if not causes:
        return out
    T, dpp = net.n_periods, net.days_per_period
    R, U, O, P = len(replications), len(net.supplier_ids), net.n_offers, net.n_parts
    horizon_days = T * dpp
    mid = (np.arange(T) + 0.5) * dpp
    kinds = {d.kind for d, _ in causes}
    region_of = np.asarray(net.supplier_regions)
    sub_region = {s.id: s.region for s in scenario.tier2.sub_suppliers}
    links = scenario.tier2.links
    offer_index = {
        (net.supplier_ids[u], net.part_ids[p]): o
        for o, (p, u) in enumerate(zip(net.offer_part, net.offer_supplier, strict=True))
    }

    def tier2_offers(sub: str) -> list[tuple[int, float, float]]:
        """(offer, buffer days, share of input) of every tier-1 offer that needs ``sub``."""
        return [
            (offer_index[(link.supplier, part)], link.buffer_days, link.share_of_input)
            for link in links
            if link.sub_supplier == sub
            for part in link.parts
        ]

    regional_subs = {
        d.region
        for d, _ in causes
        if d.kind == "regional_event" and any(r == d.region for r in sub_region.values())
    }
    if kinds & {"supplier_outage", "regional_event", "supplier_default"}:
        out.supplier_left = np.ones((T, R, U))
    if "tier2_outage" in kinds or regional_subs:
        out.offer_left = np.ones((T, R, O))
    if any(d.kind == "regional_event" and d.holds_in_transit for d, _ in causes):
        out.held = np.zeros((T, R, U), dtype=bool)
    if "logistics" in kinds:
        out.lead = np.ones((R, O, T))
    if "demand_shock" in kinds:
        out.demand = np.ones((R, P, T))
    if "price_shock" in kinds:
        out.price = np.ones((T, R, O))
    if "supplier_default" in kinds:
        out.default_period = np.full((R, U), -1, dtype=np.int64)

    faster = None  # supplier -> [(program, recovery-time reduction)]
    if programs is not None:
        faster = {}
        for k, prog in enumerate(net.programs):
            reduction = prog.spec.effects.recovery_time_reduction
            if reduction > 0:
                for u in prog.suppliers:
                    faster.setdefault(int(u), []).append((k, reduction))
        faster = faster or None

    def covered(start: float, end: float) -> slice:
        a, b = np.searchsorted(mid, [start, end], side="left")
        return slice(int(a), int(b))

    def left_profile(
        start: float, end: float, lost: float, ramp: float
    ) -> tuple[slice, np.ndarray]:
        """Periods touched by a capacity loss and the share left in each (with the ramp)."""
        a, b = covered(start, end).start, covered(start, end).stop
        c = b
        if ramp > 0 and math.isfinite(end):
            c = int(np.searchsorted(mid, end + ramp, side="left"))
        left = np.full(c - a, 1.0 - lost)
        if c > b:
            left[b - a :] = 1.0 - lost * (1.0 - (mid[b:c] - end) / ramp)
        return slice(a, c), left

    def hit(array: np.ndarray, r: int, who, start, end, lost, ramp) -> None:
        span, left = left_profile(start, end, lost, ramp)
        if span.stop > span.start:
            block = array[span, r][:, who]
            array[span, r, who] = np.minimum(block, left[:, None])

    for d, scheduled in causes:
        target = drill_target(d)
        kind = f"drill:{d.kind}" if scheduled else d.kind
        lost = getattr(d, "capacity_lost", 1.0)
        ramp = getattr(d, "ramp_up_days", 0.0)
        supplier, region = getattr(d, "supplier", None), getattr(d, "region", None)
        regions = getattr(d, "regions", [])
        if supplier is not None:
            who = np.array([net.supplier_ids.index(supplier)])
        elif region is not None:
            who = np.flatnonzero(region_of == region)
        elif regions:
            who = np.flatnonzero(np.isin(region_of, regions))
        for r, rep in enumerate(replications):
            if scheduled:
                start = float((d.start_date - scenario.meta.start_date).days)
                spell_list = [(start, start + d.duration_days)]
            else:
                spell_list = spells(d, stream(seed, rep, f"disruption/{d.id}"), horizon_days)
            for start, end in spell_list:
                out.events.append((rep, d.id, kind, target, start, end))
                if d.kind == "supplier_default":
                    lost, ramp = 1.0, 0.0
                    period = int(np.searchsorted(mid, start, side="left"))
                    out.default_period[r, who[0]] = period if period < T else -1
                if d.kind in ("supplier_outage", "regional_event") and faster is not None:
                    for u in who:  # a program may shorten this supplier's recovery
                        cut = sum(
                            programs.progress_at_day(net, k, r, start) * reduction
                            for k, reduction in faster.get(int(u), ())
                        )
                        stop = start + (end - start) * (1.0 - min(cut, 1.0))
                        hit(out.supplier_left, r, np.array([u]), start, stop, lost, ramp)
                elif d.kind in ("supplier_outage", "regional_event", "supplier_default"):
                    hit(out.supplier_left, r, who, start, end, lost, ramp)
                if d.kind == "regional_event" and d.holds_in_transit:
                    span = covered(start, end)
                    out.held[span, r, who] = True
                subs = []
                if d.kind == "tier2_outage":
                    subs = [d.sub_supplier]
                elif d.kind == "regional_event":
                    subs = [s for s, reg in sub_region.items() if reg == d.region]
                for sub in subs:
                    for o, buffer, share in tier2_offers(sub):
                        if start + buffer < end:
                            hit(out.offer_left, r, [o], start + buffer, end, lost * share, ramp)
                if d.kind == "logistics":
                    span = covered(start, end)
                    offers = np.flatnonzero(np.isin(net.offer_supplier, who))
                    out.lead[r, offers, span] *= d.lead_time_multiplier
                elif d.kind == "demand_shock":
                    span = covered(start, end)
                    parts = [net.part_ids.index(p) for p in d.parts] or list(range(P))
                    out.demand[r, parts, span] *= d.demand_multiplier
                elif d.kind == "price_shock":
                    span = covered(start, end)
                    offers = _price_offers(net, d)
                    out.price[span, r, offers] *= d.price_multiplier
    return out


def _price_offers(net: Network, shock) -> np.ndarray:
    """Offers a price shock applies to: its parts x suppliers x region filters."""
    keep = np.ones(net.n_offers, dtype=bool)
    if shock.parts:
        keep &= np.isin(net.offer_part, [net.part_ids.index(p) for p in shock.parts])
    if shock.suppliers:
        keep &= np.isin(net.offer_supplier, [net.supplier_ids.index(s) for s in shock.suppliers])
    if shock.region is not None:
        regions = np.asarray(net.supplier_regions)[net.offer_supplier]
        keep &= regions == shock.region
    return np.flatnonzero(keep)
