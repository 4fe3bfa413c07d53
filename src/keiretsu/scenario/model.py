"""The scenario schema: a supplier network, the plan in force and how to run it.

Top level (later sections slot in beside these): ``meta``, ``horizon``, ``regions``,
``parts``, ``suppliers``, ``tier2``, ``disruptions``, ``drills``, ``programs``, ``plan``,
``run``.

Conventions: money is in ``meta.currency``; a *period* is ``horizon.period`` (a day
or a week); a year is 365 days or 52 weeks; ``defect_ppm`` is defective parts per
million received. Cross-references (ids, shares, tier-2 links) are checked in
:mod:`keiretsu.scenario.checks`, which reports every problem at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, model_validator

from keiretsu.scenario.base import (
    Id,
    NonNegativeFloat,
    PositiveFloat,
    Probability,
    Share,
    Spec,
)
from keiretsu.scenario.contracts import Contract, Scorecard
from keiretsu.scenario.disruptions import Disruption, Drill
from keiretsu.scenario.distributions import Distribution, Fixed
from keiretsu.scenario.optimize_spec import OptimizeSettings
from keiretsu.scenario.programs import FundedProgram, Program
from keiretsu.scenario.units import (
    DAYS_PER_PERIOD,
    PERIODS_PER_YEAR,
    horizon_periods,
    horizon_years,
)

# --------------------------------------------------------------------------- meta / horizon


class Meta(Spec):
    """What the scenario is."""

    name: str = Field(min_length=1)
    """Short name shown in reports."""
    description: str = ""
    """What the scenario represents and where its numbers come from."""
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    """ISO 4217 code of every money amount in the scenario."""
    start_date: dt.date = dt.date(2027, 1, 1)
    """Calendar date of the first period (drills and milestones are dated from it)."""


class Horizon(Spec):
    """How long and at what resolution the network is simulated."""

    years: float = Field(default=5.0, gt=0.0, le=10_000.0, allow_inf_nan=False)
    """Length of the simulated horizon in years (periods = years x periods per year)."""
    period: Literal["day", "week"] = "week"
    """Length of one period: a day (365 per year) or a week (52 per year)."""
    review_every_periods: int = Field(default=1, ge=1)
    """Periodic review: inventory positions are reviewed and orders placed every N periods."""

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.period]

    @property
    def days_per_period(self) -> int:
        return DAYS_PER_PERIOD[self.period]

    @property
    def n_periods(self) -> int:
        return horizon_periods(self.years, self.period)

    @property
    def n_years(self) -> int:
        """Number of (possibly partial) plan years covered."""
        return horizon_years(self.years, self.period)


class Region(Spec):
    """A geographic region suppliers sit in (disruptions may hit a whole region)."""

    id: Id
    """Region id, referenced by suppliers."""
    name: str = ""
    """Human-readable name."""


# --------------------------------------------------------------------------- parts


class Backorder(Spec):
    """Unmet demand waits and is served first when stock arrives."""

    kind: Literal["backorder"] = "backorder"
    cost_per_unit_per_period: NonNegativeFloat
    """Charged on each unit on backorder at the end of each period (Snyder & Shen's p)."""


class LostSale(Spec):
    """Unmet demand is lost."""

    kind: Literal["lost_sale"] = "lost_sale"
    penalty_per_unit: NonNegativeFloat
    """Charged once per unit lost, on top of the revenue not earned."""


Shortage = Annotated[Backorder | LostSale, Field(discriminator="kind")]


class Demand(Spec):
    """Demand for a part per period: a base distribution scaled by growth and seasonality.

    Mean in period t of year y (y = 0, 1, ...) and season s: m_t = m_0 (1 + g)^y f_s,
    with the family shape kept as described in :mod:`keiretsu.scenario.distributions`.
    """

    per_period_units: Distribution
    """Demand in units per period in the first year, before seasonality."""
    annual_growth: float = Field(default=0.0, gt=-1.0, le=10.0)
    """Compound growth of the mean per year (0.05 = +5 % a year)."""
    seasonality: list[PositiveFloat] | None = Field(default=None, min_length=2, max_length=52)
    """Multipliers on the mean for equal seasons of the year (e.g. 12 months or 4 quarters);
    their average must be 1 so the annual mean is unchanged."""

    @model_validator(mode="after")
    def _seasonality_mean_one(self) -> Demand:
        if self.seasonality is not None:
            avg = sum(self.seasonality) / len(self.seasonality)
            if abs(avg - 1.0) > 1e-3:
                raise ValueError(f"seasonality factors must average 1 (they average {avg:.4f})")
        return self


class Part(Spec):
    """A part the buyer sources."""

    id: Id
    """Part id, referenced by offers, plans and tier-2 links."""
    name: str = ""
    """Human-readable name."""
    demand: Demand
    """Demand model."""
    revenue_per_unit: NonNegativeFloat
    """Revenue the buyer earns per unit of this part it can use (the sales value it enables)."""
    holding_cost_per_unit_per_period: NonNegativeFloat
    """Charged on end-of-period on-hand inventory (Snyder & Shen's h)."""
    shortage: Shortage
    """What happens to demand that cannot be met: backorder or lost sale."""
    criticality: Literal["low", "medium", "high", "critical"] = "medium"
    """Business criticality (segmentation, dual-sourcing rules, reports)."""


# --------------------------------------------------------------------------- suppliers


class Qualification(Spec):
    """Where the supplier stands in the buyer's qualification process."""

    status: Literal["qualified", "in_progress", "not_qualified"] = "qualified"
    """Qualified suppliers can ship now; others only after ``time_days``."""
    time_days: NonNegativeFloat = 0.0
    """Days from the start (or from the decision to qualify) until the supplier may ship."""
    cost: NonNegativeFloat = 0.0
    """One-off cost of (re)qualifying the supplier."""


class Expedite(Spec):
    """A premium channel for urgent orders (air freight, overtime run) on top of regular supply."""

    lead_time_days: Distribution
    """Days from an expedited order to arrival (shorter than the regular lead time)."""
    premium_per_unit: NonNegativeFloat
    """Paid per expedited unit on top of the unit price (expediting cost)."""
    capacity_units_per_period: PositiveFloat | None = None
    """Most units that can be expedited per period (none: unlimited)."""


class Offer(Spec):
    """A supplier's terms for one part."""

    part: Id
    """The part offered."""
    unit_price: PositiveFloat
    """Price per unit in the first year."""
    lead_time_days: Distribution
    """Days from order to arrival at the buyer."""
    on_time_probability: Probability = 1.0
    """Probability that a shipment arrives within its quoted lead time (the lead-time draw)."""
    late_delay_days: Distribution = Fixed(value=7.0)
    """Extra days a late shipment takes beyond its quoted lead time (default: one week)."""
    defect_ppm: float = Field(default=0.0, ge=0.0, le=1_000_000.0)
    """Defective units per million received (rejected at receipt)."""
    minimum_order_units: NonNegativeFloat = 0.0
    """Smallest quantity the supplier accepts in one order (smaller orders are raised to it)."""
    order_cost_per_order: NonNegativeFloat = 0.0
    """Fixed cost of placing one order with this supplier for this part (K: purchase order,
    set-up, freight minimum)."""
    capacity_units_per_period: PositiveFloat | None = None
    """What the supplier can make of this part per period (none: unlimited)."""
    expedite: Expedite | None = None
    """Premium channel the buyer may use when the plan's expediting rule triggers."""


class Supplier(Spec):
    """A tier-1 supplier."""

    id: Id
    """Supplier id, referenced by plans and tier-2 links."""
    name: str = ""
    """Human-readable name."""
    region: Id
    """Region the supplier ships from (must be one of ``regions``)."""
    offers: list[Offer] = Field(min_length=1)
    """Parts the supplier can make and its terms for each."""
    shared_capacity_units_per_period: PositiveFloat | None = None
    """Capacity shared by all the supplier's parts per period (none: only per-part limits)."""
    qualification: Qualification = Qualification()
    """Qualification status, time and cost."""
    annual_price_trend: float = Field(default=0.0, gt=-1.0, le=1.0)
    """Compound change of every unit price per year (-0.03 = prices fall 3 % a year)."""
    reported_time_to_recover_days: NonNegativeFloat | None = None
    """Time to recover full supply after a disruption, as the supplier reports it."""
    other_customers_units_per_period: NonNegativeFloat = 0.0
    """Load the supplier's other customers put on its shared capacity each period: when
    capacity is short, the supplier rations it between them and the buyer by priority (see
    contracts). Needs ``shared_capacity_units_per_period``."""
    sustainability_score: Share | None = None
    """The supplier's sustainability rating, 0-1 (scorecard; none: not scored)."""

    @model_validator(mode="after")
    def _others_need_shared_capacity(self) -> Supplier:
        if (
            self.other_customers_units_per_period > 0
            and self.shared_capacity_units_per_period is None
        ):
            raise ValueError(
                "other_customers_units_per_period needs shared_capacity_units_per_period "
                "(the capacity the supplier rations between its customers)"
            )
        return self


class SubSupplier(Spec):
    """A tier-2 sub-supplier (not bought from directly)."""

    id: Id
    """Sub-supplier id."""
    name: str = ""
    """Human-readable name."""
    region: Id
    """Region it sits in (must be one of ``regions``); regional events hit it too."""
    reported_time_to_recover_days: NonNegativeFloat | None = None
    """Time to recover full supply after a disruption, as reported (risk-exposure table)."""


class Tier2Link(Spec):
    """Tier-1 supplier ``supplier`` depends on ``sub_supplier`` for ``parts``."""

    supplier: Id
    """The dependent tier-1 supplier."""
    sub_supplier: Id
    """The tier-2 source."""
    parts: list[Id] = Field(min_length=1)
    """The tier-1 supplier's parts that need the sub-supplier's material."""
    buffer_days: NonNegativeFloat = 0.0
    """Days of the sub-supplier's material the tier-1 supplier holds: an outage of the
    sub-supplier reaches the tier-1 offer only once this buffer has run out."""
    share_of_input: Share = 1.0
    """Share of the tier-1 supplier's need for this material that the sub-supplier covers
    (1 = sole source): a full stop of the sub-supplier costs this share of the offer's capacity."""


class Tier2(Spec):
    """Sub-supplier dependencies (hidden concentration of risk)."""

    sub_suppliers: list[SubSupplier] = []
    """Known tier-2 sources."""
    links: list[Tier2Link] = []
    """Which tier-1 supplier needs which sub-supplier for which parts."""


# --------------------------------------------------------------------------- plan


class BaseStock(Spec):
    """Order up to S at every review: Q = S - inventory position."""

    policy: Literal["base_stock"] = "base_stock"
    order_up_to_units: NonNegativeFloat
    """Target inventory position S (on hand + on order - backorders)."""
    initial_on_hand_units: NonNegativeFloat | None = None
    """On-hand stock at the start (default: S)."""


class ReorderPointOrderUpTo(Spec):
    """(s, S): at a review, when the position is <= s, order up to S."""

    policy: Literal["s_S"] = "s_S"
    reorder_point_units: float = Field(allow_inf_nan=False)
    """Reorder point s: order when the inventory position is <= s (may be negative)."""
    order_up_to_units: NonNegativeFloat
    """Order-up-to level S (> s)."""
    initial_on_hand_units: NonNegativeFloat | None = None
    """On-hand stock at the start (default: S)."""

    @model_validator(mode="after")
    def _s_below_S(self) -> ReorderPointOrderUpTo:
        if self.reorder_point_units >= self.order_up_to_units:
            raise ValueError(
                f"reorder_point_units ({self.reorder_point_units:g}) must be below "
                f"order_up_to_units ({self.order_up_to_units:g})"
            )
        return self


class DaysOfCover(Spec):
    """Order up to the expected demand of the next ``cover_days`` plus a safety stock.

    At each review S_t = expected demand over [t, t + cover_days) + safety_stock_units,
    so the target anticipates growth and seasonality.
    """

    policy: Literal["days_of_cover"] = "days_of_cover"
    cover_days: PositiveFloat
    """Days of expected demand the inventory position should cover."""
    safety_stock_units: NonNegativeFloat = 0.0
    """Buffer added to the target on top of the cover."""
    initial_on_hand_units: NonNegativeFloat | None = None
    """On-hand stock at the start (default: the first target)."""


InventoryPolicy = Annotated[
    BaseStock | ReorderPointOrderUpTo | DaysOfCover, Field(discriminator="policy")
]

ShareMap = dict[Id, Share]


class ExpediteRule(Spec):
    """When and how much to expedite a part (at each review).

    When on hand - backorders + units already expedited and in transit falls below
    ``trigger_days_of_cover`` days of expected demand, the shortfall up to
    ``up_to_days_of_cover`` is ordered through the expedite channel of the part's offer
    with the shortest mean expedited lead time (ties: the cheapest), within that
    channel's capacity. Expedited units skip the supplier's regular backlog.
    """

    trigger_days_of_cover: NonNegativeFloat
    """Expedite when net stock (incl. expedited in transit) covers fewer days than this."""
    up_to_days_of_cover: PositiveFloat
    """Expedite enough to cover this many days (>= the trigger)."""

    @model_validator(mode="after")
    def _ordered(self) -> ExpediteRule:
        if self.up_to_days_of_cover < self.trigger_days_of_cover:
            raise ValueError("up_to_days_of_cover must be >= trigger_days_of_cover")
        return self


class Reallocate(Spec):
    """Move a down supplier's lost share of a part to the part's other sources."""

    after_days_down: NonNegativeFloat = 0.0
    """React once a supplier has been down (any capacity lost) this many days."""


class Backup(Spec):
    """A qualified backup source activated when a supplier of the part is down.

    After ``after_days_down`` days of outage the backup is called; it ships after a further
    ``qualification_days`` (set-up, first-article approval), its extra capacity climbs
    linearly to ``surge_capacity_units_per_period`` over ``ramp_up_days``, and every unit it
    delivers while active costs ``premium_per_unit`` on top of its offer's price. It takes
    the down suppliers' lost share (within its capacity) and stands down when they are back.
    """

    supplier: Id
    """The backup supplier (it must offer the part). Naming it qualifies it: its
    qualification cost is paid and its qualification time runs from the start, as for a
    supplier the plan gives a share; it cannot ship before that."""
    after_days_down: NonNegativeFloat = 0.0
    """Days of outage before the backup is called."""
    qualification_days: NonNegativeFloat = 0.0
    """Days from the call to its first shipment."""
    ramp_up_days: NonNegativeFloat = 0.0
    """Days for its extra capacity to climb from zero to the surge capacity."""
    surge_capacity_units_per_period: PositiveFloat
    """Extra capacity for this part while active (on top of its offer's own capacity)."""
    premium_per_unit: NonNegativeFloat = 0.0
    """Paid on every unit it delivers while active, on top of its unit price."""
    activation_cost: NonNegativeFloat = 0.0
    """Paid each time it is called."""


class Reservation(Spec):
    """Capacity reserved at a supplier for emergencies, for a fee paid every period.

    When a supplier of the part is down, the reservation is activated: after
    ``notice_days`` the holder's capacity for the part rises by the reserved units and it
    takes the down suppliers' lost share first (within its capacity), until they are back.
    """

    supplier: Id
    """The supplier holding the reservation (it must offer the part; qualified like a backup)."""
    reserved_units_per_period: PositiveFloat
    """Extra capacity available to the buyer once activated."""
    fee_per_period: NonNegativeFloat
    """Paid every period, used or not."""
    notice_days: NonNegativeFloat = 0.0
    """Days from activation to the reserved capacity being available."""


class Contingency(Spec):
    """A part's contingencies: strategic buffer, reservation, backup, reallocation.

    When a supplier of the part loses capacity, the share of orders it can no longer serve
    (its share x the capacity lost) goes, in this order, to the reservation holder, then to
    the backup, then (with ``reallocate``) to the part's other suppliers, each within the
    spare capacity it has for the part's expected demand; what nobody can take stays with
    the down supplier and waits in its backlog.
    """

    strategic_buffer_days: NonNegativeFloat = 0.0
    """Days of expected demand held on top of the policy's target (and reorder point)."""
    reservation: Reservation | None = None
    """Capacity reserved at one supplier."""
    backup: Backup | None = None
    """A backup supplier called after some days down."""
    reallocate: Reallocate | None = None
    """Move lost share to the part's other suppliers."""


class Plan(Spec):
    """Decisions: who supplies what share, and how each part's inventory is run.

    A plan lives under ``plan:`` in a scenario or in its own file (``--plan``).
    """

    name: str = Field(default="base", min_length=1)
    """Name used in comparisons and reports."""
    description: str = ""
    """What the plan is."""
    allocation: dict[Id, ShareMap] = {}
    """Share of each part's orders per supplier, all years: ``{PART: {SUPPLIER: share}}``;
    shares sum to 1. A part offered by one supplier only may be left out (100 % to it)."""
    allocation_by_year: dict[Id, dict[int, ShareMap]] = {}
    """Changes from a given year on (1 = first year): ``{PART: {YEAR: {SUPPLIER: share}}}``;
    an entry holds until the next listed year, before the first one ``allocation`` holds."""
    inventory: dict[Id, InventoryPolicy] = {}
    """Inventory policy per part."""
    default_inventory: InventoryPolicy | None = None
    """Policy for parts not listed in ``inventory``."""
    expedite: dict[Id, ExpediteRule] = {}
    """Expediting rule per part (parts not listed are never expedited)."""
    contingency: dict[Id, Contingency] = {}
    """Contingencies per part: strategic buffer, capacity reservation, backup supplier,
    reallocation of a down supplier's share."""
    contracts: list[Contract] = []
    """Contracts that replace the scenario's for the suppliers they name."""
    programs: dict[Id, FundedProgram] = {}
    """Joint-investment programs the plan funds (ids of ``programs``), on their own terms
    or with the buyer's cost share and start date set here."""


# --------------------------------------------------------------------------- run


class Run(Spec):
    """How the Monte Carlo runs by default (the CLI can override)."""

    replications: int = Field(default=100, ge=1, le=10_000_000)
    """Independent replications."""
    seed: int = Field(default=20270101, ge=0, lt=2**63)
    """Root seed of every random stream."""
    warmup_periods: int = Field(default=0, ge=0)
    """Periods discarded from the start of each replication before KPIs are computed."""
    percentiles: list[Annotated[float, Field(gt=0.0, lt=100.0)]] = [10.0, 50.0, 90.0]
    """Percentiles reported (Pxx = xx-th percentile of the distribution over replications)."""


# --------------------------------------------------------------------------- scenario


class Scenario(Spec):
    """A supplier network, the plan in force and the run settings."""

    meta: Meta
    """What the scenario is."""
    horizon: Horizon = Horizon()
    """Length and resolution."""
    regions: list[Region] = Field(min_length=1)
    """Regions."""
    parts: list[Part] = Field(min_length=1)
    """Parts sourced."""
    suppliers: list[Supplier] = Field(min_length=1)
    """Tier-1 suppliers."""
    tier2: Tier2 = Tier2()
    """Tier-2 dependencies."""
    disruptions: list[Disruption] = []
    """Random disruption processes (outages, regional and tier-2 events, logistics, demand and
    price shocks, defaults) that play out in every replication."""
    drills: list[Drill] = []
    """Named scheduled disruptions, run only by ``keiretsu drill``."""
    programs: list[Program] = []
    """Joint-investment programs on the table (run when the plan funds them)."""
    contracts: list[Contract] = []
    """One contract per supplier (a supplier without one is bought from spot, transactional)."""
    scorecard: Scorecard = Scorecard()
    """The weighted scorecard every supplier is reviewed on at its contract reviews."""
    plan: Plan = Plan()
    """The plan in force (the bundled plan)."""
    run: Run = Run()
    """Run settings."""
    optimize: OptimizeSettings = OptimizeSettings()
    """Settings of the sourcing optimizer (keiretsu optimize, keiretsu frontier)."""

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Scenario:
        if info.context and info.context.get("defer_reference_checks"):
            return self
        from keiretsu.scenario.checks import scenario_problems

        problems = scenario_problems(self.model_dump(mode="python"))
        if problems:
            raise ValueError("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in problems))
        return self

    # ---- lookups used by every engine
    def part(self, part_id: str) -> Part:
        return next(p for p in self.parts if p.id == part_id)

    def supplier(self, supplier_id: str) -> Supplier:
        return next(s for s in self.suppliers if s.id == supplier_id)

    def offers_for(self, part_id: str) -> dict[str, Offer]:
        """Offers for a part, by supplier id, in scenario order."""
        return {s.id: o for s in self.suppliers for o in s.offers if o.part == part_id}
