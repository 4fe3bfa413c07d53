"""Joint-investment programs: co-funded tooling, capacity, analytics or automation.

A program is on the table in the scenario (``programs:``) and runs only when the plan
funds it (``plan.programs``). It starts on its start date and works through its
milestones in order; each lasts a random number of days and then succeeds with its
probability (a failure abandons the program: the money spent is sunk, nothing more is
paid, no effect ever starts). A milestone's disbursement (its share of the capex) is
paid when it ends, except its retention, which is paid only when the whole program
completes (and never if it is abandoned). The buyer pays ``buyer_cost_share`` of the
capex and ``buyer_operating_share`` of the operating cost (paid every period once the
program is complete); the supplier(s) the rest.

Effects start at completion and grow linearly to full over ``ramp_up_days``: extra
capacity, lower unit cost (its benefit shared: the buyer's price falls by its share of
the saving, the supplier keeps the rest), fewer defects, shorter lead times, faster
recovery from outages, better on-time delivery. They apply to the offers of the
program's suppliers for its parts (all their parts when ``parts`` is empty).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, model_validator

from keiretsu.scenario.base import Id, NonNegativeFloat, PositiveFloat, Probability, Share, Spec
from keiretsu.scenario.distributions import Distribution

Rate = Annotated[float, Field(gt=-1.0, le=10.0, allow_inf_nan=False)]


class Milestone(Spec):
    """One stage of a program (engineering, build, qualification, ramp...)."""

    id: Id
    """Name of the milestone."""
    duration_days: Distribution
    """Days the milestone takes."""
    success_probability: Probability = 1.0
    """Probability that it succeeds when it ends; a failure abandons the program."""
    disbursement_share: Share
    """Share of the program's capex paid when this milestone ends (shares sum to 1)."""
    retention_share: Share = 0.0
    """Share of this milestone's disbursement held back until the program completes."""


class Effects(Spec):
    """What a completed program changes at its suppliers' offers (at full ramp-up)."""

    capacity_units_per_period: NonNegativeFloat = 0.0
    """Capacity added to each affected offer (per period; unlimited capacity stays so)."""
    unit_cost_reduction: Share = 0.0
    """The supplier's unit cost falls by this share of the unit price."""
    defect_reduction: Share = 0.0
    """Defect rate (ppm) falls by this share."""
    lead_time_reduction_days: NonNegativeFloat = 0.0
    """Days taken off the quoted lead time of shipments leaving after completion."""
    recovery_time_reduction: Share = 0.0
    """Outages of the suppliers (their own, or their region's events) that start after
    completion last this share less."""
    on_time_improvement: Share = 0.0
    """Added to the on-time probability of the offers (capped at 1)."""
    ramp_up_days: NonNegativeFloat = 0.0
    """Days for every effect to climb linearly from zero to full after completion."""


class GainShare(Spec):
    """The unit-cost saving is shared: the buyer's price falls by ``buyer_share`` of it."""

    kind: Literal["gain_share"] = "gain_share"
    buyer_share: Share = 0.5
    """Share of the saving passed to the buyer as a lower price (the supplier keeps the rest)."""


class PassThrough(Spec):
    """The whole unit-cost saving is passed to the buyer as a lower price."""

    kind: Literal["pass_through"] = "pass_through"

    @property
    def buyer_share(self) -> float:
        return 1.0


BenefitSharing = Annotated[GainShare | PassThrough, Field(discriminator="kind")]


class Party(Spec):
    """One party's view of the business case."""

    discount_rate: Rate
    """Annual discount rate (its cost of capital)."""
    reservation_npv: float = Field(default=0.0, allow_inf_nan=False)
    """The least NPV at which it signs (below it, it would not join)."""


class Uncertain(Spec):
    """P10 and P90 of an input, for the tornado."""

    p10: float = Field(allow_inf_nan=False)
    """10th percentile of the input."""
    p90: float = Field(allow_inf_nan=False)
    """90th percentile of the input."""


TORNADO_INPUTS = (
    "capex",
    "operating_cost_per_year",
    "capacity_units_per_period",
    "unit_cost_reduction",
    "defect_reduction",
    "lead_time_reduction_days",
    "recovery_time_reduction",
    "on_time_improvement",
)
"""Program inputs a tornado can vary (milestone durations are varied too, from their laws)."""


class Program(Spec):
    """A joint-investment program with a partner supplier (or several)."""

    id: Id
    """Program id, used by ``plan.programs`` and ``keiretsu payback --program``."""
    name: str = ""
    """Human-readable name."""
    suppliers: list[Id] = Field(min_length=1)
    """The partner supplier(s) whose offers the program improves."""
    parts: list[Id] = []
    """Parts whose offers are improved (empty: every part of the suppliers)."""
    start_date: dt.date | None = None
    """When the first milestone starts (default: the start of the horizon)."""
    capex: PositiveFloat
    """Total capital expenditure (money), disbursed by milestone."""
    milestones: list[Milestone] = Field(min_length=1)
    """The stages, in order."""
    buyer_cost_share: Share = 0.5
    """Buyer's share of the capex (the plan may set its own)."""
    operating_cost_per_year: NonNegativeFloat = 0.0
    """Running cost once complete (money a year), paid every period."""
    buyer_operating_share: Share = 0.5
    """Buyer's share of the operating cost."""
    effects: Effects
    """What the program changes once complete."""
    benefit_sharing: BenefitSharing = GainShare()
    """How the unit-cost saving is shared."""
    supplier_margin_rate: Share = 0.0
    """The supplier's margin on its sales to the buyer (share of the price): extra volume the
    buyer buys thanks to the program earns the supplier this share of it."""
    buyer: Party = Party(discount_rate=0.08)
    """The buyer's discount rate and reservation NPV."""
    supplier: Party = Party(discount_rate=0.10)
    """The supplier's discount rate and reservation NPV."""
    uncertainty: dict[Literal[TORNADO_INPUTS], Uncertain] = {}  # type: ignore[valid-type]
    """P10 / P90 of inputs for the tornado (``capex``, ``unit_cost_reduction``...)."""

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Program:
        total = sum(m.disbursement_share for m in self.milestones)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"milestone disbursement shares sum to {total:g}, not 1")
        ids = [m.id for m in self.milestones]
        if len(set(ids)) != len(ids):
            raise ValueError("milestone ids must be unique")
        for name, u in self.uncertainty.items():
            if u.p10 > u.p90:
                raise ValueError(f"uncertainty.{name}: p10 ({u.p10:g}) is above p90 ({u.p90:g})")
        return self


class FundedProgram(Spec):
    """The plan funds a program (optionally on its own terms)."""

    buyer_cost_share: Share | None = None
    """Buyer's share of the capex under this plan (default: the program's)."""
    start_date: dt.date | None = None
    """When it starts under this plan (default: the program's)."""
