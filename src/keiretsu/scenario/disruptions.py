"""Disruptions (random, under ``disruptions:``) and drills (scheduled, under ``drills:``).

Every kind is a tagged type with two halves: **what** it does (its target and severity,
shared by the random and the scheduled form) and **when** (random spells, or a drill's
start date and duration).

Random timing: a disruption either alternates between quiet and active spells from
day 0, quiet first (``up_days`` / ``every_days``, then ``down_days``, then the next quiet
spell...), or starts as a Poisson process with ``per_year`` events a year, each lasting
a ``down_days`` draw (events may then overlap). A supplier default has a probability per
year instead (one permanent exit at an exponential time).

Effects, composed when several are active at once:

* capacity (``supplier_outage``, ``regional_event``, ``tier2_outage``, ``supplier_default``):
  while active, ``capacity_lost`` of the target's capacity is gone; afterwards it comes
  back linearly over ``ramp_up_days``. Overlapping losses compose as the **union** of
  causes: a supplier keeps the smallest share any of them leaves (two full outages at
  once are one outage, not a double one). A regional event also hits the region's tier-2
  sub-suppliers (and through them, after their buffers, the tier-1 offers that need them).
* multipliers (``logistics`` on lead times, ``demand_shock`` on demand, ``price_shock`` on
  unit prices): overlapping multipliers compose by **product**.

A two-state Markov supplier (Snyder & Shen 2019, sec. 9.2: UP -> DOWN with probability
alpha per period, DOWN -> UP with beta, transitions at the start of a period) is a
``supplier_outage`` with ``up_days: {kind: geometric, p: alpha}`` and
``down_days: {kind: geometric, p: beta}`` in daily periods.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from keiretsu.scenario.base import Id, NonNegativeFloat, PositiveFloat, Share, Spec
from keiretsu.scenario.distributions import Distribution

Multiplier = Annotated[float, Field(gt=0.0, le=1000.0, allow_inf_nan=False)]

# --------------------------------------------------------------------------- effects (what)


class _Named(Spec):
    kind: str
    """The kind of disruption (the tag that chooses the type)."""
    id: Id
    """Name of the disruption in reports (for a drill: the name used with ``--event``)."""


class _CapacityLoss(Spec):
    capacity_lost: Share = 1.0
    """Share of the target's capacity lost while the disruption lasts (1 = full stop)."""
    ramp_up_days: NonNegativeFloat = 0.0
    """Days to climb linearly back to full capacity afterwards."""


class _SupplierOutageEffect(Spec):
    supplier: Id
    """The supplier hit (every part it makes, and its shared capacity)."""


class _RegionalEventEffect(Spec):
    region: Id
    """The region hit: every supplier and tier-2 sub-supplier in it loses capacity together."""
    holds_in_transit: bool = False
    """Also hold goods from the region's suppliers that are due to arrive while it lasts
    (a closed port): they arrive when it ends. By default goods in transit arrive as planned."""


class _Tier2OutageEffect(Spec):
    sub_supplier: Id
    """The tier-2 source hit. A tier-1 offer that needs it (``tier2.links``) keeps making
    the part from its material buffer for the link's ``buffer_days``; after that it loses
    ``capacity_lost`` x the link's ``share_of_input`` until the sub-supplier is back."""


class _LogisticsEffect(Spec):
    supplier: Id | None = None
    """The supplier whose shipments are slowed (give this or ``regions``)."""
    regions: list[Id] = []
    """The regions whose suppliers' shipments are slowed together (a port closure; a
    blocked canal on the route from several regions)."""
    lead_time_multiplier: Multiplier
    """Lead times of shipments that leave while it lasts are multiplied by this (goods
    already in transit when it starts are not affected)."""

    @model_validator(mode="after")
    def _one_target(self):
        if (self.supplier is None) == (not self.regions):
            raise ValueError("give exactly one of supplier or regions")
        return self


class _DemandShockEffect(Spec):
    parts: list[Id] = []
    """Parts whose demand changes (empty: every part)."""
    demand_multiplier: Multiplier
    """Demand drawn in the periods it lasts is multiplied by this (2 = doubled, 0.5 = halved)."""


class _PriceShockEffect(Spec):
    parts: list[Id] = []
    """Parts whose prices change (empty: every part)."""
    suppliers: list[Id] = []
    """Suppliers whose prices change (empty: every supplier), e.g. a commodity spike."""
    region: Id | None = None
    """Only suppliers in this region (none: any region)."""
    price_multiplier: Multiplier
    """Unit prices of units received while it lasts are multiplied by this."""


class _SupplierDefaultEffect(Spec):
    supplier: Id
    """The supplier that exits for good: its capacity drops to zero, its open orders are
    cancelled and its share of each part goes to the other sources (see the plan's
    ``contingency``; without one, to the part's other suppliers in the plan)."""


# --------------------------------------------------------------------------- timing (when)


class _PoissonOrAlternating(Spec):
    per_year: PositiveFloat | None = None
    """Instead of quiet spells: events start as a Poisson process with this many a year
    (each lasts a ``down_days`` draw; events may overlap)."""
    down_days: Distribution
    """Days an event lasts (mean: the MTTR)."""

    def _quiet(self) -> Distribution | None:  # pragma: no cover - overridden
        raise NotImplementedError

    @model_validator(mode="after")
    def _one_timing(self):
        if (self._quiet() is None) == (self.per_year is None):
            raise ValueError(f"give exactly one of {self._quiet_name()} or per_year")
        return self

    @classmethod
    def _quiet_name(cls) -> str:
        return "up_days" if "up_days" in cls.model_fields else "every_days"

    @property
    def quiet_days(self) -> Distribution | None:
        """Quiet spell between events (None for a Poisson process)."""
        return self._quiet()

    @property
    def events_per_year(self) -> float:
        """Expected events a year: ``per_year``, or 365 / (mean quiet + mean active spell)."""
        if self.per_year is not None:
            return self.per_year
        return 365.0 / (self._quiet().mean + self.down_days.mean)


class _OutageTiming(_PoissonOrAlternating):
    up_days: Distribution | None = None
    """Days from the start, or from a recovery, to the next failure (mean: the MTBF)."""

    def _quiet(self) -> Distribution | None:
        return self.up_days


class _EventTiming(_PoissonOrAlternating):
    every_days: Distribution | None = None
    """Days from the start, or from the end of one event, to the next."""

    def _quiet(self) -> Distribution | None:
        return self.every_days


# --------------------------------------------------------------------------- disruptions


class SupplierOutage(_OutageTiming, _CapacityLoss, _SupplierOutageEffect, _Named):
    """One supplier fails and recovers (fire, machine breakdown, strike, quality stop)."""

    kind: Literal["supplier_outage"] = "supplier_outage"


class RegionalEvent(_EventTiming, _CapacityLoss, _RegionalEventEffect, _Named):
    """An event that hits every supplier in a region at once (earthquake, flood, lockdown)."""

    kind: Literal["regional_event"] = "regional_event"


class Tier2Outage(_OutageTiming, _CapacityLoss, _Tier2OutageEffect, _Named):
    """A sub-supplier fails (a chemical plant fire); it reaches tier 1 once buffers run out."""

    kind: Literal["tier2_outage"] = "tier2_outage"


class Logistics(_EventTiming, _LogisticsEffect, _Named):
    """A lead-time multiplier on a supplier's or a region's shipments (port closure)."""

    kind: Literal["logistics"] = "logistics"


class DemandShock(_EventTiming, _DemandShockEffect, _Named):
    """A multiplier on parts' demand over a spell (a surge, a collapse)."""

    kind: Literal["demand_shock"] = "demand_shock"


class PriceShock(_EventTiming, _PriceShockEffect, _Named):
    """A multiplier on unit prices over a spell (a commodity spike)."""

    kind: Literal["price_shock"] = "price_shock"


class SupplierDefault(_SupplierDefaultEffect, _Named):
    """A supplier exits for good (insolvency), with a probability per year."""

    kind: Literal["supplier_default"] = "supplier_default"
    probability_per_year: float = Field(gt=0.0, le=1.0)
    """Probability of defaulting within any one year: the exit time is exponential with rate
    -ln(1 - p) per year."""

    @property
    def events_per_year(self) -> float:
        """Hazard rate of the exit per year."""
        p = self.probability_per_year
        return math.inf if p >= 1.0 else -math.log1p(-p)


Disruption = Annotated[
    SupplierOutage
    | RegionalEvent
    | Tier2Outage
    | Logistics
    | DemandShock
    | PriceShock
    | SupplierDefault,
    Field(discriminator="kind"),
]
"""Any disruption, chosen by its ``kind`` tag."""

# --------------------------------------------------------------------------- drills


class _Scheduled(Spec):
    start_date: dt.date
    """First day of the disruption (within the horizon)."""


class _ScheduledSpell(_Scheduled):
    duration_days: PositiveFloat
    """Days it lasts."""


class SupplierOutageDrill(_ScheduledSpell, _CapacityLoss, _SupplierOutageEffect, _Named):
    """ "What if supplier X is down for N weeks?"."""

    kind: Literal["supplier_outage"] = "supplier_outage"


class RegionalEventDrill(_ScheduledSpell, _CapacityLoss, _RegionalEventEffect, _Named):
    """ "What if region R is hit for N weeks?"."""

    kind: Literal["regional_event"] = "regional_event"


class Tier2OutageDrill(_ScheduledSpell, _CapacityLoss, _Tier2OutageEffect, _Named):
    """ "What if our cathode sub-supplier's plant burns down?"."""

    kind: Literal["tier2_outage"] = "tier2_outage"


class LogisticsDrill(_ScheduledSpell, _LogisticsEffect, _Named):
    """ "What if the port of region R closes for N weeks?"."""

    kind: Literal["logistics"] = "logistics"


class DemandShockDrill(_ScheduledSpell, _DemandShockEffect, _Named):
    """ "What if demand jumps by half for a quarter?"."""

    kind: Literal["demand_shock"] = "demand_shock"


class PriceShockDrill(_ScheduledSpell, _PriceShockEffect, _Named):
    """ "What if cell prices spike 40 % for six months?"."""

    kind: Literal["price_shock"] = "price_shock"


class SupplierDefaultDrill(_Scheduled, _SupplierDefaultEffect, _Named):
    """ "What if supplier X goes bankrupt on this date?" (permanent: no duration)."""

    kind: Literal["supplier_default"] = "supplier_default"

    @property
    def duration_days(self) -> float:
        return math.inf


Drill = Annotated[
    SupplierOutageDrill
    | RegionalEventDrill
    | Tier2OutageDrill
    | LogisticsDrill
    | DemandShockDrill
    | PriceShockDrill
    | SupplierDefaultDrill,
    Field(discriminator="kind"),
]
"""A named, scheduled disruption for exercises ("what if X is down 8 weeks?").

Drills never happen in ``simulate``; ``keiretsu drill --event ID`` runs the scenario
with the drill on top of its random disruptions and compares every replication with
its no-drill twin (same seed: common random numbers)."""

CAPACITY_KINDS = ("supplier_outage", "regional_event", "tier2_outage", "supplier_default")
"""Kinds that take capacity away (the others multiply lead times, demand or prices)."""


def drill_target(drill) -> str:
    """The id a drill (or disruption) is aimed at, for reports."""
    for field in ("supplier", "region", "sub_supplier"):
        value = getattr(drill, field, None)
        if value is not None:
            return value
    regions = getattr(drill, "regions", [])
    if regions:
        return ",".join(regions)
    parts = getattr(drill, "parts", [])
    return ",".join(parts) if parts else "all parts"
