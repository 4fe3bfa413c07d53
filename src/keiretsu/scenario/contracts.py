"""Supplier contracts, the supplier response they buy, scorecards and escalation.

One contract per supplier (``contracts:``; a plan's ``contracts`` replace the scenario's
for the suppliers they name). A supplier without a contract is bought from spot: a
transactional relationship with no terms. The money a contract moves is settled at each
contract review by :func:`keiretsu.econ.settlement.settle`; what the relationship does to
the supplier's behaviour (priority in a shortage, improvement, transparency, effort) is the
documented *supplier response* of :mod:`keiretsu.sim.contracts`, with defaults per
relationship level (:data:`RESPONSE_DEFAULTS`) that every contract can override.
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal

from pydantic import Field, model_validator

from keiretsu.scenario.base import Id, NonNegativeFloat, PositiveFloat, Probability, Share, Spec

Relationship = Literal["transactional", "preferred", "strategic_partnership", "joint_venture"]
Score = Annotated[float, Field(ge=0.0, le=100.0)]


class VolumeCommitment(Spec):
    """The buyer commits to a minimum annual volume (take-or-pay)."""

    minimum_annual_units: NonNegativeFloat
    """Units the buyer commits to buy in each contract year."""
    shortfall_rate_per_unit: NonNegativeFloat
    """Paid per unit short of the minimum at the end of each contract year."""


class RebateTier(Spec):
    """From this annual volume on, this rebate."""

    from_units: NonNegativeFloat
    """Annual volume (units) at which the tier starts."""
    rate: NonNegativeFloat
    """Rebate per unit (``basis: per_unit``) or share of spend (``basis: share_of_spend``)."""


class VolumeRebate(Spec):
    """Tiered volume rebate on the annual volume."""

    mode: Literal["all_units", "incremental"] = "all_units"
    """all_units: every unit earns the rate of the highest tier reached; incremental: each
    tier's rate applies to the units inside it."""
    basis: Literal["per_unit", "share_of_spend"] = "per_unit"
    """Whether ``rate`` is money per unit or a share of spend."""
    tiers: list[RebateTier] = Field(min_length=1)
    """Tiers in increasing order of ``from_units``."""

    @model_validator(mode="after")
    def _increasing(self) -> VolumeRebate:
        starts = [t.from_units for t in self.tiers]
        if any(b <= a for a, b in itertools.pairwise(starts)):
            raise ValueError("tiers must be in strictly increasing order of from_units")
        return self


class Targets(Spec):
    """Scorecard targets (a KPI without a target is not scored)."""

    otif: Probability | None = None
    """On-time in-full share of order lines (typical: 0.95)."""
    defect_ppm: NonNegativeFloat | None = None
    """Defective parts per million received (typical: <= 5,000, i.e. 0.5 %)."""
    lead_time_sd_days: NonNegativeFloat | None = None
    """Standard deviation of realised lead times (typical: <= 2 days for core items)."""
    annual_cost_reduction: Share | None = None
    """Unit-cost reduction a year the supplier achieves (typical: 3-5 %)."""
    improvements_per_year: NonNegativeFloat | None = None
    """Supplier-driven improvements a year (typical for a partner: >= 4)."""


class Performance(Spec):
    """Performance bonus and penalty against the targets, reviewed at each contract review."""

    targets: Targets
    """What is measured against what."""
    bonus_per_review: NonNegativeFloat = 0.0
    """Paid to the supplier at a review in which every target is met."""
    bonus_share_of_spend: Share = 0.0
    """Or a share of the review period's spend, same condition."""
    penalty_per_kpi_per_review: NonNegativeFloat = 0.0
    """Paid by the supplier per KPI missed, once the remediation period is over."""
    penalty_share_of_spend_per_kpi: Share = 0.0
    """Or a share of the period's spend per KPI missed."""
    remediation_reviews: int = Field(default=1, ge=0, le=100)
    """Reviews a KPI may miss in a row under an improvement plan before any penalty."""


class CapacityReservation(Spec):
    """Capacity the supplier keeps for the buyer: served first in a shortage."""

    reserved_units_per_period: PositiveFloat
    """Units a period the buyer gets before other customers when capacity is short."""
    fee_per_period: NonNegativeFloat
    """Paid every period (settled at each review)."""


class Indexation(Spec):
    """Price indexation to a commodity index (the scenario's ``price_shock`` disruptions)."""

    pass_through: Share
    """Share of a commodity price move passed on in the price (1 = spot, 0 = fixed price)."""


class ExitClause(Spec):
    """How the buyer may leave the contract."""

    notice_days: NonNegativeFloat = 90.0
    """Days from the decision to the end of supply."""
    fee_per_remaining_year: NonNegativeFloat = 0.0
    """Paid by the buyer per year of the term still to run when it exits."""


class Escalation(Spec):
    """The management track: what a low scorecard triggers (scores 0-100)."""

    remediation_below: Score = 70.0
    """A score below this starts a remediation plan (once per plan)."""
    remediation_success_probability: Probability = 0.6
    """Probability the plan works."""
    remediation_delay_days: NonNegativeFloat = 90.0
    """Days until a successful plan takes effect."""
    remediation_effect: Share = 0.5
    """Share of the gap to target a successful plan closes (defects and on-time)."""
    shift_below: Score = 55.0
    """A score below this for ``reviews_before_action`` reviews in a row moves volume away."""
    shift_share: Share = 0.3
    """Share of the supplier's share of each part moved to the part's other suppliers."""
    exit_below: Score | None = None
    """A score below this for ``reviews_before_action`` reviews in a row ends the contract
    (after the exit clause's notice; none: never)."""
    reviews_before_action: int = Field(default=2, ge=1, le=100)
    """Consecutive reviews below a threshold before a shift or exit."""

    @model_validator(mode="after")
    def _ordered(self) -> Escalation:
        if self.shift_below > self.remediation_below:
            raise ValueError("shift_below must not exceed remediation_below")
        if self.exit_below is not None and self.exit_below > self.shift_below:
            raise ValueError("exit_below must not exceed shift_below")
        return self


class Response(Spec):
    """Overrides of the supplier response of the relationship level (see RESPONSE_DEFAULTS)."""

    priority_weight: PositiveFloat | None = None
    """Weight of the buyer's orders when the supplier rations a shortage (others weigh 1)."""
    annual_cost_reduction: Share | None = None
    """Continuous improvement: the supplier's unit cost falls by this share a year."""
    annual_defect_reduction: Share | None = None
    """Continuous improvement: its defect rate falls by this share a year."""
    improvements_per_year: NonNegativeFloat | None = None
    """Rate of supplier-driven improvements (a Poisson process)."""
    improvement_cost_effect: Share | None = None
    """Mean unit-cost reduction of a cost improvement (exponential)."""
    improvement_quality_effect: Share | None = None
    """Mean defect-rate reduction of a quality improvement (exponential)."""
    early_warning_days: NonNegativeFloat | None = None
    """Days of notice the supplier gives of its disruptions (contingencies react earlier)."""
    effort_on_time_gain: Share | None = None
    """Most the on-time probability rises with the money at stake in bonus and penalty."""
    effort_defect_cut: Share | None = None
    """Most the defect rate falls with the money at stake."""
    effort_stake_scale: PositiveFloat | None = None
    """Money at stake, as a share of the supplier's annual revenue from the buyer, that buys
    1 - 1/e (63 %) of the most effort (diminishing returns)."""
    rebid_cost_share_of_spend: Share | None = None
    """Administrative overhead of rebidding and managing the supplier, as a share of spend."""


RESPONSE_DEFAULTS: dict[str, dict[str, float]] = {
    "transactional": {
        "priority_weight": 1.0,
        "annual_cost_reduction": 0.0,
        "annual_defect_reduction": 0.0,
        "improvements_per_year": 0.0,
        "improvement_cost_effect": 0.005,
        "improvement_quality_effect": 0.05,
        "early_warning_days": 0.0,
        "effort_on_time_gain": 0.03,
        "effort_defect_cut": 0.15,
        "effort_stake_scale": 0.02,
        "rebid_cost_share_of_spend": 0.005,
    },
    "preferred": {
        "priority_weight": 1.5,
        "annual_cost_reduction": 0.01,
        "annual_defect_reduction": 0.03,
        "improvements_per_year": 2.0,
        "improvement_cost_effect": 0.005,
        "improvement_quality_effect": 0.05,
        "early_warning_days": 7.0,
        "effort_on_time_gain": 0.04,
        "effort_defect_cut": 0.2,
        "effort_stake_scale": 0.02,
        "rebid_cost_share_of_spend": 0.002,
    },
    "strategic_partnership": {
        "priority_weight": 2.5,
        "annual_cost_reduction": 0.03,
        "annual_defect_reduction": 0.1,
        "improvements_per_year": 4.0,
        "improvement_cost_effect": 0.005,
        "improvement_quality_effect": 0.05,
        "early_warning_days": 21.0,
        "effort_on_time_gain": 0.05,
        "effort_defect_cut": 0.3,
        "effort_stake_scale": 0.02,
        "rebid_cost_share_of_spend": 0.0,
    },
    "joint_venture": {
        "priority_weight": 4.0,
        "annual_cost_reduction": 0.04,
        "annual_defect_reduction": 0.15,
        "improvements_per_year": 6.0,
        "improvement_cost_effect": 0.005,
        "improvement_quality_effect": 0.05,
        "early_warning_days": 42.0,
        "effort_on_time_gain": 0.05,
        "effort_defect_cut": 0.3,
        "effort_stake_scale": 0.02,
        "rebid_cost_share_of_spend": 0.0,
    },
}
"""The supplier response by relationship level (PRODUCT.md domain facts: a partner
allocates scarce capacity first, improves 3-5 % a year, brings >= 4 improvements a year
and warns early; a transactional supplier hides its ideas and costs rebidding; Liker &
Choi 2004, "Building deep supplier relationships", HBR; Dyer & Nobeoka 2000 on Toyota's
network). Every value can be overridden per contract (``response``)."""


class Contract(Spec):
    """The terms with one supplier and the relationship level they set."""

    supplier: Id
    """The supplier bound by the contract."""
    relationship: Relationship = "transactional"
    """Relationship level: sets the supplier response (see ``response``)."""
    term_years: PositiveFloat = 3.0
    """Length of the contract (exit fees count the years still to run)."""
    review: Literal["quarterly", "annual"] = "quarterly"
    """How often the contract is reviewed and settled."""
    volume_commitment: VolumeCommitment | None = None
    """Minimum annual volume, take-or-pay."""
    rebate: VolumeRebate | None = None
    """Tiered volume rebate."""
    performance: Performance | None = None
    """Bonus and penalty against scorecard targets."""
    gain_share_buyer: Share = 0.0
    """Share of the supplier's cost reductions (continuous and supplier-driven
    improvements) paid back to the buyer at each review."""
    capacity_reservation: CapacityReservation | None = None
    """Capacity kept for the buyer in a shortage, for a fee."""
    indexation: Indexation | None = None
    """Commodity price pass-through (none: spot, every price move passed on)."""
    exit: ExitClause = ExitClause()
    """Exit notice and fee."""
    escalation: Escalation | None = None
    """What a low scorecard triggers (none: scorecards are reported, nothing is triggered)."""
    response: Response = Response()
    """Overrides of the relationship level's supplier response."""

    def response_value(self, name: str) -> float:
        """The supplier response ``name``: the override, else the level's default."""
        value = getattr(self.response, name)
        return RESPONSE_DEFAULTS[self.relationship][name] if value is None else value


class ScorecardWeights(Spec):
    """Weights of the scorecard dimensions (they need not sum to 1: they are normalised)."""

    cost: NonNegativeFloat = 0.3
    """Annual cost reduction against its target."""
    quality: NonNegativeFloat = 0.2
    """Defect ppm against its target."""
    delivery: NonNegativeFloat = 0.3
    """OTIF and lead-time variability against their targets."""
    innovation: NonNegativeFloat = 0.1
    """Supplier-driven improvements a year against the target."""
    sustainability: NonNegativeFloat = 0.1
    """The supplier's sustainability score."""


class Scorecard(Spec):
    """The balanced, weighted scorecard every supplier is reviewed on."""

    weights: ScorecardWeights = ScorecardWeights()
    """Weights per dimension."""
    targets: Targets = Targets(
        otif=0.95,
        defect_ppm=5000.0,
        lead_time_sd_days=2.0,
        annual_cost_reduction=0.03,
        improvements_per_year=4.0,
    )
    """Targets for suppliers whose contract sets none (a contract's ``performance.targets``
    replace these for its supplier, KPI by KPI)."""
