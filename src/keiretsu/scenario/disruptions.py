"""Disruptions: processes that take capacity away from suppliers.

Each disruption alternates between quiet and active spells, starting quiet at day 0:
a quiet spell (``up_days`` / ``every_days``), then an outage (``down_days``), then the
next quiet spell, and so on to the horizon. While active it removes ``capacity_lost``
of the capacity of its target; after it ends, capacity comes back linearly over
``ramp_up_days``. Overlapping disruptions of one supplier compose as the union of
their causes: the supplier keeps the smallest remaining share any of them leaves
(two full outages at once are one outage, not a double one).

A two-state Markov supplier (Snyder & Shen 2019, sec. 9.2: UP -> DOWN with probability
alpha per period, DOWN -> UP with beta, transitions at the start of a period) is a
``supplier_outage`` with ``up_days: {kind: geometric, p: alpha}`` and
``down_days: {kind: geometric, p: beta}`` in daily periods.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field

from keiretsu.scenario.base import Id, NonNegativeFloat, PositiveFloat, Share, Spec
from keiretsu.scenario.distributions import Distribution


class SupplierOutage(Spec):
    """One supplier fails and recovers (fire, machine breakdown, strike, quality stop)."""

    kind: Literal["supplier_outage"] = "supplier_outage"
    id: Id
    """Name of the disruption in reports."""
    supplier: Id
    """The supplier hit."""
    up_days: Distribution
    """Days from the start or from a recovery to the next failure (mean: MTBF)."""
    down_days: Distribution
    """Days an outage lasts (mean: MTTR)."""
    capacity_lost: Share = 1.0
    """Share of the supplier's capacity lost while down (1 = full stop)."""
    ramp_up_days: NonNegativeFloat = 0.0
    """Days to climb linearly back to full capacity after an outage."""


class RegionalEvent(Spec):
    """An event that hits every supplier in a region at once (earthquake, flood, lockdown)."""

    kind: Literal["regional_event"] = "regional_event"
    id: Id
    """Name of the disruption in reports."""
    region: Id
    """The region hit: every supplier in it loses capacity together."""
    every_days: Distribution
    """Days from the start or from the end of one event to the next."""
    down_days: Distribution
    """Days an event lasts."""
    capacity_lost: Share = 1.0
    """Share of each supplier's capacity lost during the event."""
    ramp_up_days: NonNegativeFloat = 0.0
    """Days to climb linearly back to full capacity after the event."""

    @property
    def up_days(self) -> Distribution:
        return self.every_days


Disruption = Annotated[SupplierOutage | RegionalEvent, Field(discriminator="kind")]
"""Any disruption, chosen by its ``kind`` tag."""


class Drill(Spec):
    """A named, scheduled disruption for exercises ("what if X is down 8 weeks?").

    Drills never happen in ``simulate``; ``keiretsu drill --event ID`` runs the scenario
    with the drill on top of its random disruptions and compares every replication with
    its no-drill twin (same seed: common random numbers).
    """

    id: Id
    """Name used with ``--event``."""
    kind: Literal["supplier_outage", "regional_event"]
    """What is hit: one supplier, or every supplier of a region."""
    target: Id
    """The supplier id (supplier_outage) or region id (regional_event)."""
    start_date: dt.date
    """First day of the disruption (within the horizon)."""
    duration_days: PositiveFloat
    """Days it lasts."""
    capacity_lost: Share = 1.0
    """Share of capacity lost while it lasts."""
    ramp_up_days: NonNegativeFloat = 0.0
    """Days to climb linearly back to full capacity afterwards."""
