r"""The scenario as optimizer data: the annual-bucket mapping, the risk scenarios and the
recourse (:func:`optimization_input`, :func:`capacity_scenarios`, :func:`risk_data`).

Mapping (:func:`optimization_input`), in **annual buckets** (plan years 1..Y; the
horizon must be whole years):

* demand ``d[i,y]``: the expected demand of the year from the demand model, i.e. the sum
  over the year's periods of the mean per period with growth and seasonality (the same
  arrays the simulator scales its draws by); demand shocks are not in it;
* capacity: an offer's (and a supplier's shared) capacity per period x periods a year x
  ``capacity_utilisation`` / the part's largest seasonal factor (for a shared capacity,
  the largest over the supplier's parts). Orders follow demand, and no inventory is
  carried from one year to the next nor within the year in the model, so a plan that
  filled the annual capacity would overload the supplier at every seasonal peak and run
  its queue at utilisation 1, where backlogs grow without bound; the cushion is what
  demand swings and catching up after an outage need;
* qualification: a supplier that is not qualified can be used from the first plan year
  it can ship all year (``qualification.time_days`` rounded up to whole periods, as the
  simulator does); its ``qualification.cost`` is a one-off fixed cost paid if it gets any
  share; a supplier the plan's contingencies name as backup or reservation holder is
  qualified by them anyway (the simulator pays its cost), so its cost is sunk: 0 here;
* prices: the offer's ``unit_price`` with the supplier's ``annual_price_trend``, and the
  tiered breaks of ``optimize.price_schedules`` (optimizer only: the simulator pays the
  unit price);
* minimum order quantities are per order and have no annual-bucket counterpart: they are
  not in the model (the simulator raises a smaller order to the minimum, which shows as
  extra stock in the closed loop);
* shortage penalty per unit not bought in its year (annual-bucket approximation; the parts
  of ``optimize.meet_demand`` may not be short at all in the plan, the risk model still
  charges the penalty for units a disruption leaves unserved): the
  part's ``optimize.shortage_penalty_per_unit`` if given; else for a lost sale the
  penalty plus the revenue lost; for a backorder, the unit is bought later and waits:
  its cheapest first-year unit price plus ``cost_per_unit_per_period`` x periods a
  year x ``backorder_wait_years`` (default half a year);
* dual sourcing: parts of the listed criticalities (or listed by id) need
  ``min_suppliers`` sources carrying at least ``min_source_share`` of demand each, from
  ``from_year`` on, but not before enough of their suppliers can be qualified;
* shares, regions, quality, commitments: as in the settings; the switching limit holds
  from the scenario's own plan into year 1 (its year-1 shares x year-1 demand).

Risk scenarios (:func:`capacity_scenarios`): K replications of the scenario's own random
disruptions are drawn with :func:`keiretsu.sim.disruptions.schedules` at replication
indices from :data:`SCENARIO_OFFSET` on, so they never coincide with a simulated
replication (the closed-loop check is out of sample). Per scenario, year and offer the
share of capacity left (the least any capacity cause leaves: supplier outages, regional
events, tier-2 outages after their buffers, defaults; ramp-ups included) is averaged
over the year's periods; for an offer with unlimited capacity only whether anything is
left counts (a partial loss of unlimited capacity leaves it unlimited, as in the
simulator). Logistics, demand and price shocks are not in the risk model.

Recourse (``optimize.risk.recourse``): with ``plan`` the model may do what the plan's
contingencies let the simulator do: ``reallocate`` makes every offer of the part that has
a share in the plan that year a backup source at its own price (the part's other
suppliers in the plan, and a hit supplier's own spare capacity while it is up, which is
how it catches up a backlog); a named ``backup`` adds its surge capacity at its premium
per unit; a ``reservation`` holder becomes the part's reservation option (the model sizes
it); an ``expedite`` rule opens the channel the simulator uses. Delays (days down before
a call, qualification and ramp-up days, notice) are not seen by annual buckets, so the
model's recourse is faster than the simulator's. With ``any`` every offer is a backup
source at ``backup_premium_share`` of its price and every expedite channel can be used.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from keiretsu.errors import InputError, Problem
from keiretsu.experiments.incentives import (
    option_availability,
)
from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, PriceBreak, Supplier
from keiretsu.optimize.risk_data import Recourse, ReservationOption, RiskData
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.scenario.resolve import shares as plan_shares
from keiretsu.sim.disruptions import schedules
from keiretsu.sim.network import compile_network

if TYPE_CHECKING:
    from keiretsu.experiments.optimize import SourcingOptions

SCENARIO_OFFSET = 10_000_000
"""Replication index of the first risk scenario: above any simulated replication
(``run.replications`` is at most 10,000,000), so optimizer scenarios are out of sample."""

# --------------------------------------------------------------------------- mapping


@dataclass(frozen=True, eq=False)
class OptimizationInput:
    """A scenario mapped onto the allocation model (module docstring).

    ``data``: the model's plain data, years 1..Y, offers in the simulator's order (by
    part, then supplier); ``periods_per_year``; ``offers`` and ``parts``: the mapped
    inputs as tables (for the run directory); ``notes``: assumptions the mapping applied.
    """

    data: AllocationData
    periods_per_year: int
    offers: pd.DataFrame
    parts: pd.DataFrame
    notes: tuple[str, ...]


def _whole_years(scenario: Scenario) -> None:
    hz = scenario.horizon
    if hz.n_periods % hz.periods_per_year:
        raise InputError(
            Problem(
                "",
                0,
                0,
                "horizon.years",
                f"the optimizer plans whole years: {hz.years:g} years of {hz.period}s is "
                f"{hz.n_periods} periods, not a multiple of {hz.periods_per_year}",
            )
        )


def _standby_suppliers(plan: Plan) -> set[str]:
    """Suppliers a plan's contingencies name (the simulator qualifies them from the start)."""
    return {
        standby.supplier
        for rule in plan.contingency.values()
        for standby in (rule.backup, rule.reservation)
        if standby is not None
    }


def optimization_input(scenario: Scenario) -> OptimizationInput:
    """``scenario`` and its ``optimize:`` settings as allocation data (module docstring)."""
    _whole_years(scenario)
    settings = scenario.optimize
    hz = scenario.horizon
    P, dpp, Y = hz.periods_per_year, hz.days_per_period, hz.n_years
    years = tuple(range(1, Y + 1))
    net = compile_network(scenario, scenario.plan)
    demand = (net.daily_mean * dpp).reshape(len(scenario.parts), Y, P).sum(axis=2)
    standby = _standby_suppliers(scenario.plan)
    notes: list[str] = []
    utilisation = settings.capacity_utilisation
    peak = {p.id: max(p.demand.seasonality or [1.0]) for p in scenario.parts}

    first_year: dict[str, int | None] = {}
    fixed_once: dict[str, float] = {}
    for sup in scenario.suppliers:
        q = sup.qualification
        if q.status == "qualified":
            first_year[sup.id], fixed_once[sup.id] = None, 0.0
            continue
        ships_from = math.ceil(q.time_days / dpp - 1e-9)  # first period it may ship
        first_year[sup.id] = math.ceil(ships_from / P) + 1
        fixed_once[sup.id] = 0.0 if sup.id in standby else q.cost
        when = (
            f"from year {first_year[sup.id]}"
            if first_year[sup.id] <= Y
            else "not within the horizon"
        )
        notes.append(
            f"supplier {sup.id}: not qualified yet ({q.time_days:g} days): usable {when}"
            + (
                "; its qualification cost is sunk (the plan's contingencies name it)"
                if sup.id in standby and q.cost > 0
                else (f"; qualification cost {q.cost:,.0f} once if used" if q.cost > 0 else "")
            )
        )

    schedules_of = {(s.supplier, s.part): s for s in settings.price_schedules}
    offers: list[Offer] = []
    offer_rows = []
    for part in scenario.parts:
        for sid, o in scenario.offers_for(part.id).items():
            sched = schedules_of.get((sid, part.id))
            cap = o.capacity_units_per_period
            fy = first_year[sid]
            offer = Offer(
                part=part.id,
                supplier=sid,
                unit_price=o.unit_price,
                price_breaks=tuple(
                    PriceBreak(b.from_units_per_year, b.unit_price) for b in sched.breaks
                )
                if sched
                else (),
                discount=sched.discount if sched else "incremental",
                capacity_units_per_year=None
                if cap is None
                else cap * P * utilisation / peak[part.id],
                defect_ppm=o.defect_ppm,
                first_year=fy,
                previous_year_units=None,
            )
            offers.append(offer)
            offer_rows.append(
                {
                    "part": part.id,
                    "supplier": sid,
                    "region": scenario.supplier(sid).region,
                    "first_year": fy if fy is not None else 1,
                    "unit_price": o.unit_price,
                    "price_breaks": len(offer.price_breaks),
                    "capacity_units_per_year": offer.capacity_units_per_year,
                    "minimum_order_units": o.minimum_order_units,
                    "defect_ppm": o.defect_ppm,
                }
            )
    if settings.max_change_share is not None:
        offers = [
            dataclasses.replace(
                o,
                previous_year_units=plan_shares(scenario, scenario.plan, o.part, 1).get(
                    o.supplier, 0.0
                )
                * float(demand[[p.id for p in scenario.parts].index(o.part), 0]),
            )
            for o in offers
        ]
        notes.append("switching limit: year 1 is measured against the scenario's own plan")

    dual = settings.dual_sourcing
    parts: list[Part] = []
    part_rows = []
    for pi, part in enumerate(scenario.parts):
        penalty = _penalty(scenario, part)
        k, share, from_year = 1, 0.0, None
        if dual is not None and (part.criticality in dual.criticality or part.id in dual.parts):
            k, share = dual.min_suppliers, dual.min_source_share
            from_year = dual.from_year
            usable = [
                o.first_year or 1 for o in offers if o.part == part.id and (o.first_year or 1) <= Y
            ]
            if len(usable) >= k:
                enough = sorted(usable)[k - 1]
                if enough > from_year:
                    notes.append(
                        f"part {part.id}: dual sourcing from year {enough}, when {k} of its "
                        "suppliers can be qualified"
                    )
                from_year = max(from_year, enough)
        max_share = settings.max_supplier_share_by_part.get(part.id, settings.max_supplier_share)
        parts.append(
            Part(
                id=part.id,
                demand_units=tuple(float(v) for v in demand[pi]),
                shortage_penalty_per_unit=None if part.id in settings.meet_demand else penalty,
                min_suppliers=k,
                min_source_share=share,
                max_supplier_share=max_share,
                max_region_share=settings.max_region_share_by_part.get(part.id),
                max_defect_ppm=settings.max_defect_ppm.get(part.id),
                max_change_share=settings.max_change_share,
                min_suppliers_from_year=from_year if k >= 2 else None,
            )
        )
        for y in years:
            part_rows.append(
                {
                    "part": part.id,
                    "year": y,
                    "demand_units": float(demand[pi, y - 1]),
                    "shortage_penalty_per_unit": penalty,
                    "must_meet_demand": part.id in settings.meet_demand,
                    "min_suppliers": k if k >= 2 and y >= (from_year or 1) else 1,
                }
            )

    committed = {c.supplier: c for c in settings.commitments}
    suppliers = []
    for sup in scenario.suppliers:
        c = committed.get(sup.id)
        shared = sup.shared_capacity_units_per_period
        if shared is not None:
            shared *= utilisation / max(peak[o.part] for o in sup.offers)
        suppliers.append(
            Supplier(
                id=sup.id,
                region=sup.region,
                shared_capacity_units_per_year=None if shared is None else shared * P,
                fixed_cost_once=fixed_once[sup.id],
                committed_units=tuple(float(c.min_units_by_year.get(y, 0.0)) for y in years)
                if c
                else (),
                take_or_pay_cost_per_unit=c.take_or_pay_per_unit if c else None,
                annual_price_trend=sup.annual_price_trend,
            )
        )
    data = AllocationData(
        years=years,
        parts=tuple(parts),
        suppliers=tuple(suppliers),
        offers=tuple(offers),
        max_region_share=settings.max_region_share,
        region_share_basis=settings.region_share_basis,
        name="optimize",
    )
    return OptimizationInput(
        data=data,
        periods_per_year=P,
        offers=pd.DataFrame(offer_rows),
        parts=pd.DataFrame(part_rows),
        notes=tuple(notes),
    )


def _penalty(scenario: Scenario, part) -> float:
    """Shortage penalty per unit not bought in its year (module docstring)."""
    settings = scenario.optimize
    if part.id in settings.shortage_penalty_per_unit:
        return float(settings.shortage_penalty_per_unit[part.id])
    if part.shortage.kind == "lost_sale":
        return float(part.shortage.penalty_per_unit + part.revenue_per_unit)
    cheapest = min(o.unit_price for o in scenario.offers_for(part.id).values())
    wait = scenario.horizon.periods_per_year * settings.backorder_wait_years
    return float(cheapest + part.shortage.cost_per_unit_per_period * wait)


# --------------------------------------------------------------------------- risk data


@dataclass(frozen=True, eq=False)
class CapacityScenarios:
    """Capacity available per risk scenario, year and offer (or supplier), as shares.

    ``offer``: (K, Y, O), offers in the simulator's order (as in
    :attr:`OptimizationInput.data`); ``supplier``: (K, Y, U); ``replications``: the
    replication indices drawn; ``seed``; ``price``: (K, Y, O) mean price-shock factor (None
    without price shocks; the incentive menus' indexation term uses it).
    """

    offer: np.ndarray
    supplier: np.ndarray
    replications: tuple[int, ...]
    seed: int
    price: np.ndarray | None = None


def scenario_draws(
    scenario: Scenario, n: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, tuple[int, ...]]:
    """Per period of ``n`` risk scenarios (module docstring): the share of each supplier's
    capacity left (T, n, U), of each offer's (T, n, O; unlimited offers: whether anything is
    left), the price factor (T, n, O, or None) and the replication indices."""
    if n < 1:
        raise ValueError(f"need at least one scenario, got {n}")
    _whole_years(scenario)
    net = compile_network(scenario, scenario.plan)
    reps = list(range(SCENARIO_OFFSET, SCENARIO_OFFSET + n))
    sched = schedules(scenario, net, seed, reps)
    T, U = net.n_periods, len(net.supplier_ids)
    sup_left = np.ones((T, n, U)) if sched.supplier_left is None else sched.supplier_left
    left = sup_left[:, :, net.offer_supplier]
    if sched.offer_left is not None:
        left = np.minimum(left, sched.offer_left)
    unlimited = np.isinf(net.capacity)
    effective = np.where(unlimited[None, None, :], (left > 0).astype(float), left)
    return sup_left, effective, sched.price, tuple(reps)


def _yearly(a: np.ndarray, Y: int, P: int) -> np.ndarray:
    """(T, n, X) per period -> (n, Y, X) yearly means."""
    n = a.shape[1]
    return a.reshape(Y, P, n, a.shape[-1]).mean(axis=1).transpose(1, 0, 2)


def capacity_scenarios(scenario: Scenario, n: int, seed: int) -> CapacityScenarios:
    """``n`` draws of the scenario's capacity disruptions as yearly shares (module doc)."""
    sup_left, effective, price, reps = scenario_draws(scenario, n, seed)
    Y, P = scenario.horizon.n_years, scenario.horizon.periods_per_year
    return CapacityScenarios(
        offer=np.clip(_yearly(effective, Y, P), 0.0, 1.0),
        supplier=np.clip(_yearly(sup_left, Y, P), 0.0, 1.0),
        replications=reps,
        seed=seed,
        price=None if price is None else _yearly(price, Y, P),
    )


def _recourse(scenario: Scenario, inp: OptimizationInput) -> tuple[Recourse, ...]:
    """Backup and expedite options per offer (module docstring)."""
    settings = scenario.optimize.risk
    plan = scenario.plan
    P = inp.periods_per_year
    net = compile_network(scenario, plan)
    sim_channel = {
        (net.supplier_ids[net.offer_supplier[o]], net.part_ids[net.offer_part[o]])
        for o in net.expedite_offer
        if o >= 0
    }
    out = []
    for o in inp.data.offers:
        offer = scenario.offers_for(o.part)[o.supplier]
        rule = plan.contingency.get(o.part)
        backup_premium, extra, needs_share = None, 0.0, False
        if settings.recourse == "any":
            backup_premium = settings.backup_premium_share * offer.unit_price
        if rule is not None and rule.reallocate is not None and settings.recourse == "plan":
            backup_premium, needs_share = 0.0, True  # to the part's suppliers in the plan
        if rule is not None and rule.backup is not None and rule.backup.supplier == o.supplier:
            backup_premium, needs_share = rule.backup.premium_per_unit, False
            extra = rule.backup.surge_capacity_units_per_period * P
        channel = offer.expedite
        expedite_premium = expedite_units = None
        if channel is not None and (
            settings.recourse == "any" or (o.supplier, o.part) in sim_channel
        ):
            expedite_premium = channel.premium_per_unit
            cap = channel.capacity_units_per_period
            expedite_units = None if cap is None else cap * P
        if backup_premium is None and expedite_premium is None:
            continue
        out.append(
            Recourse(
                part=o.part,
                supplier=o.supplier,
                backup_premium_per_unit=backup_premium,
                backup_extra_units_per_year=extra,
                backup_needs_share=needs_share,
                expedite_premium_per_unit=expedite_premium,
                expedite_units_per_year=expedite_units,
            )
        )
    return tuple(out)


@dataclass(frozen=True)
class ReservationTerms:
    option: ReservationOption
    notice_days: float


def reservation_options(scenario: Scenario, P: int) -> dict[str, ReservationTerms]:
    """Reservation options per part: the settings', else the plan's (fee per unit)."""
    listed = scenario.optimize.reservations
    out: dict[str, ReservationTerms] = {}
    if listed is not None:
        for r in listed:
            cap = None if r.max_units_per_period is None else r.max_units_per_period * P
            option = ReservationOption(r.part, r.supplier, r.fee_per_unit_per_period, cap)
            out[r.part] = ReservationTerms(option, r.notice_days)
        return out
    for part, rule in scenario.plan.contingency.items():
        r = rule.reservation
        if r is None:
            continue
        fee = r.fee_per_period / r.reserved_units_per_period  # per unit of capacity a period
        out[part] = ReservationTerms(ReservationOption(part, r.supplier, fee), r.notice_days)
    return out


def risk_data(
    scenario: Scenario,
    inp: OptimizationInput,
    caps: CapacityScenarios,
    *,
    alpha: float,
    cvar_weight: float,
    evaluated: SourcingOptions | None = None,
) -> RiskData:
    """The two-stage model's data for ``scenario`` (module docstring); with incentive menus
    (``evaluated``), the availability of a rationed supplier's offers per option."""
    options = reservation_options(scenario, inp.periods_per_year)
    by_option = None
    if evaluated is not None and evaluated.incentives is not None:
        sup_left, effective, _, _ = scenario_draws(scenario, len(caps.replications), caps.seed)
        by_option = option_availability(scenario, evaluated.incentives, sup_left, effective) or None
    return RiskData(
        option_availability=by_option,
        allocation=inp.data,
        unserved_penalty_per_unit={p.id: _penalty(scenario, p) for p in scenario.parts},
        availability=caps.offer,
        supplier_availability=caps.supplier,
        recourse=_recourse(scenario, inp),
        reservations=tuple(t.option for t in options.values()),
        alpha=alpha,
        cvar_weight=cvar_weight,
    )
