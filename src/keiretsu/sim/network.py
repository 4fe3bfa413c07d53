"""A scenario and a plan compiled into flat numpy arrays for the period kernel.

Offers (supplier x part pairs) are ordered by part, so per-part totals are
``np.add.reduceat(x, part_start, axis=-1)``; ``by_supplier`` reorders them by supplier
for per-supplier totals. Nothing here is random; nothing here changes during a run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from keiretsu.scenario.model import BaseStock, DaysOfCover, Plan, ReorderPointOrderUpTo, Scenario
from keiretsu.scenario.programs import Program
from keiretsu.scenario.resolve import inventory_policy, shares
from keiretsu.sim.contracts import ContractSet, compile_contracts

POLICY_BASE_STOCK, POLICY_S_S, POLICY_DAYS_OF_COVER = 0, 1, 2


@dataclass(frozen=True)
class FundedProgram:
    """A program the plan funds, compiled: its spec, terms and the offers it improves."""

    spec: Program
    offers: np.ndarray  # (k,) offers whose suppliers and parts the program improves
    suppliers: np.ndarray  # (j,) supplier indices
    start_day: float  # first milestone starts (days from the start of the horizon)
    buyer_cost_share: float


@dataclass(frozen=True)
class PartContingency:
    """A part's compiled contingencies (plan ``contingency``), offers by position in ``offers``.

    ``reservation``: (position, reserved units/period, fee/period, notice days);
    ``backup``: (position, after days down, qualification days, ramp-up days, surge
    units/period, premium/unit, activation cost); ``reallocate_after``: days down before
    the lost share moves to the part's other suppliers (None: no reallocation). Parts of a
    supplier that may default get an entry even without a plan rule (their defaulted share
    always moves to the part's other suppliers in the plan).
    """

    part: int
    offers: np.ndarray
    reservation: tuple[int, float, float, float] | None = None
    backup: tuple[int, float, float, float, float, float, float] | None = None
    reallocate_after: float | None = None


@dataclass(frozen=True)
class Network:
    """Static arrays; ``P`` parts, ``O`` offers, ``U`` suppliers, ``T`` periods, ``Y`` plan years."""

    part_ids: list[str]
    supplier_ids: list[str]
    supplier_regions: list[str]
    offer_part: np.ndarray  # (O,) part index of each offer
    offer_supplier: np.ndarray  # (O,) supplier index of each offer
    part_start: np.ndarray  # (P,) first offer of each part (offers sorted by part)
    by_supplier: np.ndarray  # (O,) permutation putting offers in supplier order
    supplier_start: np.ndarray  # (U,) first position of each supplier in that order
    n_periods: int
    days_per_period: int
    periods_per_year: int
    period_year: np.ndarray  # (T,) plan-year index (0-based) of each period
    demand_scale: np.ndarray  # (P, T) mean multiplier: growth x seasonality
    demand_mean: np.ndarray  # (P,) first-year mean demand per period
    share: np.ndarray  # (Y, O) order share per offer and year
    price: np.ndarray  # (Y, O) unit price per offer and year
    capacity: np.ndarray  # (O,) units per period (inf = unlimited)
    shared_capacity: np.ndarray  # (U,) units per period (inf = unlimited)
    available_from: np.ndarray  # (O,) first period the supplier may ship (qualification)
    qualification_cost: np.ndarray  # (U,) one-off cost at t = 0 for suppliers the plan uses
    moq: np.ndarray  # (O,)
    order_cost: np.ndarray  # (O,) fixed cost per order line
    defect_rate: np.ndarray  # (O,) fraction
    on_time_probability: np.ndarray  # (O,)
    revenue: np.ndarray  # (P,)
    holding: np.ndarray  # (P,) per unit per period
    backorder: np.ndarray  # (P,) bool: backorder (True) or lost sale (False)
    shortage_cost: np.ndarray  # (P,) per unit per period (backorder) or per unit lost
    daily_mean: np.ndarray  # (P, T) expected demand per day
    expedite_offer: np.ndarray  # (P,) offer used to expedite the part, -1 if never expedited
    expedite_trigger: np.ndarray  # (P,) days of cover that trigger expediting
    expedite_up_to: np.ndarray  # (P,) days of cover expedited up to
    expedite_premium: np.ndarray  # (P,) premium per expedited unit
    expedite_capacity: np.ndarray  # (P,) expedited units per period (inf = unlimited)
    cover_target: np.ndarray  # (P, T) days_of_cover order-up-to level per review period
    target: np.ndarray  # (P, T) order-up-to level of each part's policy per review period
    reorder_point: np.ndarray  # (P,) s for (s, S): order when position <= s; +inf for the others
    policy: np.ndarray  # (P,) POLICY_* code
    level_s: np.ndarray  # (P,) reorder point (s_S), else -inf (always order)
    level_S: np.ndarray  # (P,) order-up-to level (base_stock, s_S)
    initial_on_hand: np.ndarray  # (P,)
    review_every: int
    warmup: int = 0  # periods dropped from tables and KPIs
    buffer: np.ndarray | None = None  # (P, T) strategic buffer units added to targets; None: none
    contingencies: tuple[PartContingency, ...] = ()
    reservation_fee: np.ndarray | None = None  # (O,) fee per period booked on the holder's offer
    programs: tuple[FundedProgram, ...] = ()  # joint-investment programs the plan funds
    contracts: ContractSet | None = None  # contracts and supplier response; None: nothing to do
    learning: np.ndarray | None = None  # (O, T) learning-curve share left after a new source starts

    @property
    def unit_value(self) -> np.ndarray:
        """(Y, P) value of one unit on hand: the plan's share-weighted unit price that year."""
        weighted = self.share * self.price
        return np.add.reduceat(weighted, self.part_start, axis=1)

    @property
    def n_parts(self) -> int:
        return len(self.part_ids)

    @property
    def n_offers(self) -> int:
        return len(self.offer_part)


def compile_network(scenario: Scenario, plan: Plan) -> Network:
    """Arrays for ``scenario`` run under ``plan`` (see :class:`Network`)."""
    hz = scenario.horizon
    T, per_year, dpp = hz.n_periods, hz.periods_per_year, hz.days_per_period
    n_years = hz.n_years
    part_ids = [p.id for p in scenario.parts]
    supplier_ids = [s.id for s in scenario.suppliers]
    sup_index = {s: i for i, s in enumerate(supplier_ids)}
    offers = [
        (pi, sup_index[sid], offer)
        for pi, part in enumerate(scenario.parts)
        for sid, offer in scenario.offers_for(part.id).items()
    ]
    offer_part = np.array([o[0] for o in offers], dtype=np.int64)
    offer_supplier = np.array([o[1] for o in offers], dtype=np.int64)
    part_start = np.searchsorted(offer_part, np.arange(len(part_ids)))
    by_supplier = np.argsort(offer_supplier, kind="stable")
    supplier_start = np.searchsorted(offer_supplier[by_supplier], np.arange(len(supplier_ids)))

    period_year = np.arange(T) // per_year
    cover_days = [
        p.cover_days
        for p in (inventory_policy(plan, part.id) for part in scenario.parts)
        if isinstance(p, DaysOfCover)
    ]
    T_ext = T + math.ceil(max(cover_days, default=0.0) / dpp) + 1
    demand_scale = _demand_scale(scenario, T_ext, per_year)

    share = np.zeros((n_years, len(offers)))
    price = np.zeros((n_years, len(offers)))
    for y in range(n_years):
        for oi, (pi, ui, offer) in enumerate(offers):
            share[y, oi] = shares(scenario, plan, part_ids[pi], y + 1).get(supplier_ids[ui], 0.0)
            trend = scenario.suppliers[ui].annual_price_trend
            price[y, oi] = offer.unit_price * (1.0 + trend) ** y

    used = np.zeros(len(supplier_ids), dtype=bool)
    used[offer_supplier[share.max(axis=0) > 0]] = True
    for rule in plan.contingency.values():  # naming a backup or reservation qualifies it
        for standby in (rule.backup, rule.reservation):
            if standby is not None:
                used[sup_index[standby.supplier]] = True
    available_from = np.zeros(len(offers), dtype=np.int64)
    qualification_cost = np.zeros(len(supplier_ids))
    for ui, sup in enumerate(scenario.suppliers):
        q = sup.qualification
        if q.status != "qualified" and used[ui]:
            qualification_cost[ui] = q.cost
            available_from[offer_supplier == ui] = math.ceil(q.time_days / dpp - 1e-9)

    policy = np.zeros(len(part_ids), dtype=np.int64)
    level_s = np.full(len(part_ids), -np.inf)
    level_S = np.zeros(len(part_ids))
    initial = np.zeros(len(part_ids))
    demand_mean = np.array([p.demand.per_period_units.mean for p in scenario.parts])
    cover_target = np.zeros((len(part_ids), T))
    for pi, part in enumerate(scenario.parts):
        pol = inventory_policy(plan, part.id)
        if isinstance(pol, BaseStock):
            policy[pi], level_S[pi] = POLICY_BASE_STOCK, pol.order_up_to_units
            start = pol.order_up_to_units
        elif isinstance(pol, ReorderPointOrderUpTo):
            policy[pi], level_S[pi] = POLICY_S_S, pol.order_up_to_units
            level_s[pi] = pol.reorder_point_units
            start = pol.order_up_to_units
        elif isinstance(pol, DaysOfCover):
            policy[pi] = POLICY_DAYS_OF_COVER
            window = pol.cover_days / dpp
            cover_target[pi] = _forward_demand(demand_mean[pi] * demand_scale[pi], window, T)
            cover_target[pi] += pol.safety_stock_units
            start = cover_target[pi, 0]
        else:  # pragma: no cover - the schema admits no other policy
            raise TypeError(f"unknown policy {pol!r}")
        initial[pi] = start if pol.initial_on_hand_units is None else pol.initial_on_hand_units

    def cap(value: float | None) -> float:
        return np.inf if value is None else float(value)

    P = len(part_ids)
    expedite_offer = np.full(P, -1, dtype=np.int64)
    expedite_trigger, expedite_up_to = np.zeros(P), np.zeros(P)
    expedite_premium, expedite_capacity = np.zeros(P), np.full(P, np.inf)
    for pi, part in enumerate(scenario.parts):
        rule = plan.expedite.get(part.id)
        channels = [
            (
                o[2].expedite.lead_time_days.mean,
                o[2].unit_price + o[2].expedite.premium_per_unit,
                oi,
            )
            for oi, o in enumerate(offers)
            if o[0] == pi and o[2].expedite is not None
        ]
        if rule is None or not channels:
            continue
        oi = min(channels)[2]
        channel = offers[oi][2].expedite
        expedite_offer[pi] = oi
        expedite_trigger[pi], expedite_up_to[pi] = (
            rule.trigger_days_of_cover,
            rule.up_to_days_of_cover,
        )
        expedite_premium[pi] = channel.premium_per_unit
        expedite_capacity[pi] = cap(channel.capacity_units_per_period)

    daily_mean = demand_mean[:, None] * demand_scale[:, :T] / dpp
    buffer = None
    if any(c.strategic_buffer_days > 0 for c in plan.contingency.values()):
        buffer = np.zeros((len(part_ids), T))
        for part_id, c in plan.contingency.items():
            pi = part_ids.index(part_id)
            buffer[pi] = c.strategic_buffer_days * daily_mean[pi]
        initial = initial + np.where(
            [inventory_policy(plan, p).initial_on_hand_units is None for p in part_ids],
            buffer[:, 0],
            0.0,
        )
    contingencies, fee = _contingencies(
        scenario, plan, part_ids, supplier_ids, offer_part, offer_supplier
    )
    contract_set = compile_contracts(
        scenario,
        plan,
        supplier_ids,
        offer_supplier,
        share,
        price,
        demand_mean[offer_part],
        per_year,
        dpp,
    )
    return Network(
        part_ids=part_ids,
        supplier_ids=supplier_ids,
        supplier_regions=[s.region for s in scenario.suppliers],
        offer_part=offer_part,
        offer_supplier=offer_supplier,
        part_start=part_start,
        by_supplier=by_supplier,
        supplier_start=supplier_start,
        n_periods=T,
        days_per_period=dpp,
        periods_per_year=per_year,
        period_year=period_year,
        demand_scale=demand_scale[:, :T],
        demand_mean=demand_mean,
        share=share,
        price=price,
        capacity=np.array([cap(o[2].capacity_units_per_period) for o in offers]),
        shared_capacity=np.array(
            [cap(s.shared_capacity_units_per_period) for s in scenario.suppliers]
        ),
        available_from=available_from,
        qualification_cost=qualification_cost,
        moq=np.array([o[2].minimum_order_units for o in offers]),
        order_cost=np.array([o[2].order_cost_per_order for o in offers]),
        defect_rate=np.array([o[2].defect_ppm / 1e6 for o in offers]),
        on_time_probability=np.array([o[2].on_time_probability for o in offers]),
        revenue=np.array([p.revenue_per_unit for p in scenario.parts]),
        holding=np.array([p.holding_cost_per_unit_per_period for p in scenario.parts]),
        backorder=np.array([p.shortage.kind == "backorder" for p in scenario.parts]),
        shortage_cost=np.array(
            [
                p.shortage.cost_per_unit_per_period
                if p.shortage.kind == "backorder"
                else p.shortage.penalty_per_unit
                for p in scenario.parts
            ]
        ),
        daily_mean=daily_mean,
        expedite_offer=expedite_offer,
        expedite_trigger=expedite_trigger,
        expedite_up_to=expedite_up_to,
        expedite_premium=expedite_premium,
        expedite_capacity=expedite_capacity,
        cover_target=cover_target,
        target=np.where((policy == POLICY_DAYS_OF_COVER)[:, None], cover_target, level_S[:, None]),
        reorder_point=np.where(policy == POLICY_S_S, level_s, np.inf),
        policy=policy,
        level_s=level_s,
        level_S=level_S,
        initial_on_hand=initial,
        review_every=hz.review_every_periods,
        warmup=min(scenario.run.warmup_periods, T - 1),
        buffer=buffer,
        contingencies=contingencies,
        programs=_programs(scenario, plan, part_ids, supplier_ids, offer_part, offer_supplier),
        contracts=contract_set if contract_set.active else None,
        learning=_learning(share, T, per_year, dpp),
        reservation_fee=fee,
    )


LEARNING_DAYS = 180.0
"""Days a new source takes to reach its quoted quality and punctuality (learning curve)."""
LEARNING_DEFECT_EXTRA = 1.0
"""A new source's defect rate is (1 + this) times its own when it starts, falling linearly."""
LEARNING_ON_TIME_PENALTY = 0.1
"""A new source's on-time probability is lower by this when it starts, recovering linearly."""


def _learning(share: np.ndarray, T: int, per_year: int, dpp: int) -> np.ndarray | None:
    """(O, T) share of the learning curve still to go for offers that become a source after
    year 1 (1 at the start of the first year with a share, falling linearly to 0 over
    :data:`LEARNING_DAYS`); None when no offer starts late. A hidden cost of switching:
    the new source's defect rate and lateness are higher while it learns."""
    starts = (share[1:] > 0) & (share[:-1] <= 0)  # (Y-1, O): a share from year y + 1 on
    if not starts.any():
        return None
    mid = (np.arange(T) + 0.5) * dpp
    out = np.zeros((share.shape[1], T))
    for y, o in zip(*np.nonzero(starts), strict=True):
        day0 = (y + 1) * per_year * dpp
        left = 1.0 - (mid - day0) / LEARNING_DAYS
        out[o] = np.maximum(out[o], np.where(mid >= day0, np.clip(left, 0.0, 1.0), 0.0))
    return out


def _programs(
    scenario: Scenario,
    plan: Plan,
    part_ids: list[str],
    supplier_ids: list[str],
    offer_part: np.ndarray,
    offer_supplier: np.ndarray,
) -> tuple[FundedProgram, ...]:
    """The programs ``plan`` funds, with the offers each one improves."""
    specs = {p.id: p for p in scenario.programs}
    out = []
    for program_id, terms in plan.programs.items():
        spec = specs[program_id]
        sups = np.array([supplier_ids.index(s) for s in spec.suppliers], dtype=np.int64)
        mine = np.isin(offer_supplier, sups)
        if spec.parts:
            mine &= np.isin(offer_part, [part_ids.index(p) for p in spec.parts])
        start = terms.start_date or spec.start_date or scenario.meta.start_date
        share = spec.buyer_cost_share if terms.buyer_cost_share is None else terms.buyer_cost_share
        out.append(
            FundedProgram(
                spec=spec,
                offers=np.flatnonzero(mine),
                suppliers=sups,
                start_day=float((start - scenario.meta.start_date).days),
                buyer_cost_share=share,
            )
        )
    return tuple(out)


def _contingencies(
    scenario: Scenario,
    plan: Plan,
    part_ids: list[str],
    supplier_ids: list[str],
    offer_part: np.ndarray,
    offer_supplier: np.ndarray,
) -> tuple[tuple[PartContingency, ...], np.ndarray | None]:
    """Compiled plan contingencies (and default fallbacks) and the reservation fee per offer."""
    may_default = {d.supplier for d in scenario.disruptions if d.kind == "supplier_default"}
    may_default |= {d.supplier for d in scenario.drills if d.kind == "supplier_default"}
    out = []
    fee = None
    for pi, part_id in enumerate(part_ids):
        offers = np.flatnonzero(offer_part == pi)
        sups = [supplier_ids[u] for u in offer_supplier[offers]]
        rule = plan.contingency.get(part_id)
        reservation = backup = reallocate = None
        if rule is not None and rule.reservation is not None:
            r = rule.reservation
            pos = sups.index(r.supplier)
            reservation = (pos, r.reserved_units_per_period, r.fee_per_period, r.notice_days)
            if fee is None:
                fee = np.zeros(len(offer_part))
            fee[offers[pos]] += r.fee_per_period
        if rule is not None and rule.backup is not None:
            b = rule.backup
            backup = (
                sups.index(b.supplier),
                b.after_days_down,
                b.qualification_days,
                b.ramp_up_days,
                b.surge_capacity_units_per_period,
                b.premium_per_unit,
                b.activation_cost,
            )
        if rule is not None and rule.reallocate is not None:
            reallocate = rule.reallocate.after_days_down
        if reservation or backup or reallocate is not None or may_default & set(sups):
            out.append(PartContingency(pi, offers, reservation, backup, reallocate))
    return tuple(out), fee


def _demand_scale(scenario: Scenario, n: int, per_year: int) -> np.ndarray:
    """(P, n) multiplier of each part's mean demand: (1 + growth)^year x season factor."""
    year = np.arange(n) // per_year
    scale = np.empty((len(scenario.parts), n))
    for pi, part in enumerate(scenario.parts):
        season = np.ones(n)
        if part.demand.seasonality:
            factors = np.asarray(part.demand.seasonality)
            season = factors[((np.arange(n) % per_year) * len(factors)) // per_year]
        scale[pi] = (1.0 + part.demand.annual_growth) ** year * season
    return scale


def _forward_demand(mean_per_period: np.ndarray, window: float, T: int) -> np.ndarray:
    """Expected demand over the ``window`` periods (fractional) starting at each t < T."""
    cum = np.concatenate([[0.0], np.cumsum(mean_per_period)])
    whole = math.floor(window)
    frac = window - whole
    t = np.arange(T)
    return cum[t + whole] - cum[t] + frac * mean_per_period[t + whole]
