"""The ``optimize:`` section: what the sourcing optimizer needs that the network does not say.

Everything here is an input of the optimizer only (``keiretsu optimize`` and
``keiretsu frontier``); nothing in the network changes meaning. Tiered prices and volume
commitments here are the optimizer's own (the simulator keeps paying each offer's
``unit_price``); the contract *menus* (``incentives``) are full contracts of
:mod:`keiretsu.scenario.contracts`, so the option the optimizer chooses is exactly what the
simulator runs (it goes into the written plan's ``contracts``), and the program options
(``programs``) are the scenario's own programs at a choice of buyer cost shares (the
chosen ones go into the plan's ``programs``). Plan years are
numbered from 1, as in a plan's ``allocation_by_year``. How each field enters the model
is described in :mod:`keiretsu.experiments.optimize` (the mapping) and the model
modules :mod:`keiretsu.optimize.allocation` and :mod:`keiretsu.optimize.risk`.
Cross-references (part and supplier ids, offers, years) are checked in
:mod:`keiretsu.scenario.checks` (``optimize_problems``).
"""

from __future__ import annotations

import itertools
from typing import Annotated, Literal

from pydantic import Field, model_validator

from keiretsu.scenario.base import Id, NonNegativeFloat, PositiveFloat, Share, Spec
from keiretsu.scenario.contracts import Contract

Criticality = Literal["low", "medium", "high", "critical"]
ShareLimit = Annotated[float, Field(gt=0.0, le=1.0)]
"""A share limit in (0, 1]."""
Ppm = Annotated[float, Field(ge=0.0, le=1_000_000.0)]
"""Defective parts per million."""


class DualSourcing(Spec):
    """Which parts must have several sources, and how much each must carry."""

    criticality: list[Criticality] = ["critical"]
    """Parts of these criticalities are dual-sourced."""
    parts: list[Id] = []
    """Further parts to dual-source whatever their criticality."""
    min_suppliers: int = Field(default=2, ge=2, le=10)
    """Sources each such part must have in every year the rule applies."""
    min_source_share: float = Field(default=0.1, gt=0.0, le=0.5)
    """Least share of the part's demand each of its sources carries (no token second source)."""
    from_year: int = Field(default=1, ge=1)
    """First plan year the rule applies. It applies no earlier than the first year in which
    enough of the part's suppliers can be qualified (qualification time)."""


class Commitment(Spec):
    """Volume committed to a supplier by contract (over all its parts)."""

    supplier: Id
    """The supplier."""
    min_units_by_year: dict[int, NonNegativeFloat] = Field(min_length=1)
    """Committed units per plan year (years not listed: no commitment)."""
    take_or_pay_per_unit: NonNegativeFloat | None = None
    """Paid per committed unit not taken (none: the commitment is hard and must be taken)."""


class PriceBreakSpec(Spec):
    """From ``from_units_per_year`` units a year on, the price is ``unit_price``."""

    from_units_per_year: PositiveFloat
    """Annual volume at which the break starts."""
    unit_price: PositiveFloat
    """First-year price from the break on (the supplier's ``annual_price_trend`` applies)."""


class PriceSchedule(Spec):
    """Tiered annual volume prices of one offer (the offer's ``unit_price`` up to the first break)."""

    supplier: Id
    """The supplier."""
    part: Id
    """The part (the supplier must offer it)."""
    discount: Literal["incremental", "all_units"] = "incremental"
    """incremental: each price applies to the units above its break; all_units: the
    price of the bracket the year's volume falls in applies to every unit."""
    breaks: list[PriceBreakSpec] = Field(min_length=1)
    """The breaks, in increasing volume."""

    @model_validator(mode="after")
    def _increasing(self) -> PriceSchedule:
        starts = [b.from_units_per_year for b in self.breaks]
        if any(b <= a for a, b in itertools.pairwise(starts)):
            raise ValueError("breaks must be in strictly increasing from_units_per_year")
        return self


class ReservationOption(Spec):
    """Capacity of a part a supplier will hold for the buyer, for a fee (risk model)."""

    part: Id
    """The part."""
    supplier: Id
    """The holder (it must offer the part)."""
    fee_per_unit_per_period: NonNegativeFloat
    """Fee per reserved unit of capacity per period (a period's capacity of one unit)."""
    max_units_per_period: PositiveFloat | None = None
    """Most that can be reserved (none: up to the part's demand)."""
    notice_days: NonNegativeFloat = 0.0
    """Days from calling the reservation to the capacity being there (written into the
    plan's contingency for the simulator; the annual model does not see it)."""


class IncentiveOption(Spec):
    """One incentive structure the buyer may offer a supplier: a named, complete contract."""

    name: Id
    """Name of the option (in tables and the written plan's description)."""
    contract: Contract
    """The contract as the simulator would run it (its ``supplier`` must be the menu's)."""


class IncentiveMenu(Spec):
    """The incentive structures on the table for one supplier: the optimizer chooses one.

    The supplier's contract in force (the plan's, else the scenario's, else none) is always
    an option too, named ``current``, unless one of the options is that very contract.
    """

    supplier: Id
    """The supplier."""
    options: list[IncentiveOption] = Field(min_length=1)
    """The options (names unique)."""

    @model_validator(mode="after")
    def _consistent(self) -> IncentiveMenu:
        names = [o.name for o in self.options]
        if len(set(names)) != len(names):
            raise ValueError(f"option names must be unique, got {names}")
        if "current" in names:
            raise ValueError("'current' names the contract in force: give the option another name")
        for o in self.options:
            if o.contract.supplier != self.supplier:
                raise ValueError(
                    f"option {o.name!r}: its contract is for {o.contract.supplier!r}, "
                    f"not the menu's supplier {self.supplier!r}"
                )
        return self


class ProgramOptions(Spec):
    """A program the optimizer may fund, and the buyer cost shares it may offer."""

    program: Id
    """The program (an id of ``programs``)."""
    buyer_cost_shares: list[Share] = Field(min_length=1)
    """Discrete buyer shares of the capex to choose from (the plan's own share, if the
    plan funds the program, is added). Discrete, not continuous: the buyer's NPV falls
    linearly in its share, so a continuous optimum always sits at the least share the
    supplier accepts, a knife edge on a Monte Carlo estimate; negotiated splits are a few
    round numbers anyway."""

    @model_validator(mode="after")
    def _distinct(self) -> ProgramOptions:
        if len(set(self.buyer_cost_shares)) != len(self.buyer_cost_shares):
            raise ValueError("buyer_cost_shares must be distinct")
        return self


class CoInvestment(Spec):
    """Which joint-investment programs to fund, at what buyer cost share, within a budget."""

    options: list[ProgramOptions] = []
    """Programs on the optimizer's table (a program not listed keeps the plan's decision)."""
    capex_budget_per_year: NonNegativeFloat | None = None
    """Most the buyer's share of the funded programs' capex may be in any plan year
    (expected disbursement by year; none: no limit)."""
    capex_budget_by_year: dict[int, NonNegativeFloat] = {}
    """The same per plan year (overrides ``capex_budget_per_year`` in the years listed)."""


class SolverSettings(Spec):
    """How the models are solved."""

    solver: Literal["highs", "cbc"] = "highs"
    """HiGHS (in-process, the default) or CBC (needs ``keiretsu[cbc]``)."""
    time_limit_s: PositiveFloat | None = 300.0
    """Wall-clock seconds per solve (none: no limit); a stop with a plan reports its gap."""
    gap: float = Field(default=1e-4, ge=0.0, lt=1.0)
    """Relative MIP gap at which a solve stops as optimal."""
    threads: int | None = Field(default=None, ge=1)
    """Solver threads (none: the solver's default)."""
    decomposition: Literal["auto", "extensive", "benders"] = "auto"
    """How the two-stage risk model is solved: ``extensive`` (all scenarios in one model),
    ``benders`` (the L-shaped method, scenario by scenario; HiGHS only) or ``auto``
    (Benders when the one model would have 150,000 scenario rows or more and the gap is
    at least 1e-3)."""

    @model_validator(mode="after")
    def _benders_needs_highs(self) -> SolverSettings:
        if self.decomposition == "benders" and self.solver != "highs":
            raise ValueError("decomposition 'benders' needs solver 'highs'")
        return self


class RiskSettings(Spec):
    """The two-stage risk model (``keiretsu optimize --risk``, ``keiretsu frontier``)."""

    scenarios: int = Field(default=50, ge=1, le=10_000)
    """Disruption scenarios K sampled from the scenario's own disruption model."""
    alpha: float = Field(default=0.95, ge=0.0, lt=1.0)
    """CVaR level: the mean cost of the worst 1 - alpha of the scenarios is penalised."""
    cvar_weight: NonNegativeFloat = Field(default=1.0, alias="lambda")
    """lambda: weight of CVaR_alpha(cost) beside the expected cost (0: risk-neutral)."""
    backup_premium_share: NonNegativeFloat = 0.25
    """With ``recourse: any``: emergency purchases from any offer cost its unit price times
    1 + this share (a plan's named backup keeps its own premium per unit; with ``recourse:
    plan`` reallocation costs the offer's price, as in the simulator)."""
    recourse: Literal["plan", "any"] = "plan"
    """plan: the recourse the plan's contingencies give the simulator (reallocation to the
    part's other suppliers, a named backup, a reservation, expediting where the plan has
    a rule); any: every offer of the part is a backup source and every expedite channel
    can be used."""


class OptimizeSettings(Spec):
    """Inputs of the sourcing optimizer (every field enters the model; see module doc)."""

    capacity_utilisation: float = Field(default=0.9, gt=0.0, le=1.0)
    """Share of a supplier's capacity the plan may fill at the part's seasonal peak (the
    annual capacity the model sees is capacity x periods a year x this share / the largest
    seasonal factor): the rest is the cushion that demand swings and catching up after an
    outage need, which annual buckets do not see."""
    shortage_penalty_per_unit: dict[Id, NonNegativeFloat] = {}
    """Cost of a unit of demand not bought in its year, per part (default: from the part's
    shortage cost, see ``backorder_wait_years``)."""
    meet_demand: list[Id] = []
    """Parts whose demand must be bought in full every year (no planned shortage): an
    allocation that cannot do it is infeasible and explained."""
    backorder_wait_years: float = Field(default=0.5, gt=0.0, le=10.0)
    """Default penalty of a backordered part: its backorder cost for this long plus its
    cheapest unit price (the unit is bought later). Lost sales: penalty plus revenue."""
    max_supplier_share: float | None = Field(default=None, gt=0.0, le=1.0)
    """Most of any part's demand one supplier may carry (none: no limit)."""
    max_supplier_share_by_part: dict[Id, ShareLimit] = {}
    """The same per part (overrides ``max_supplier_share``)."""
    dual_sourcing: DualSourcing | None = DualSourcing()
    """Dual-sourcing rule (null: none)."""
    max_region_share: float | None = Field(default=None, gt=0.0, le=1.0)
    """Most of the total purchases in a year from one region (none: no limit)."""
    max_region_share_by_part: dict[Id, ShareLimit] = {}
    """Most of a part's purchases from one region, per part."""
    region_share_basis: Literal["volume", "spend"] = "volume"
    """Whether region shares count units or purchase cost."""
    max_defect_ppm: dict[Id, Ppm] = {}
    """Limit on the volume-weighted average defect rate of a part's suppliers, per part."""
    max_change_share: NonNegativeFloat | None = None
    """Most a source's volume may change from one year to the next, as a share of the part's
    demand (every part; year 1 against the scenario's own plan); none: no limit."""
    commitments: list[Commitment] = []
    """Volume commitments per supplier and year."""
    price_schedules: list[PriceSchedule] = []
    """Tiered prices per offer."""
    incentives: list[IncentiveMenu] = []
    """Incentive menus: per supplier, the contracts to choose one from (see ``IncentiveMenu``)."""
    programs: CoInvestment = CoInvestment()
    """Co-investment: programs to fund, buyer cost shares, capex budget per year."""
    evaluation_replications: int = Field(default=32, ge=2, le=10_000)
    """Replications of the short simulations that evaluate the options: each program's
    payback study (its NPV per party) and the supplier KPIs that contract bonuses and
    penalties are judged on. They use a seed derived from the run's, so the closed-loop
    check stays out of sample."""
    reservations: list[ReservationOption] | None = None
    """Capacity reservation options of the risk model, one per part at most (none: the
    reservations of the scenario's plan contingencies, at their fee per unit)."""
    solver: SolverSettings = SolverSettings()
    """Solver settings."""
    risk: RiskSettings = RiskSettings()
    """Risk-model settings."""
