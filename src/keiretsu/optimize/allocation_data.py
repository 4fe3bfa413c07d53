"""The allocation model's input: plain data (parts, suppliers, offers with their price
breaks, the incentive menus and programs to choose among) and its validation.

``experiments.optimize_input`` maps a scenario onto these frozen dataclasses;
:mod:`keiretsu.optimize.allocation` builds and solves the MILP on them, and the risk model
(:mod:`keiretsu.optimize.risk`) adds its scenarios on top. Units: money in the scenario's
currency, quantities in units a year, shares as fractions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from keiretsu.optimize import coinvest, incentives
from keiretsu.optimize.coinvest import ProgramChoice
from keiretsu.optimize.incentives import IncentiveMenu
from keiretsu.optimize.solve import name_token


@dataclass(frozen=True)
class PriceBreak:
    """From ``from_units`` units a year on, the price is ``unit_price`` (see ``discount``)."""

    from_units: float
    unit_price: float


@dataclass(frozen=True)
class Part:
    """A part's demand per year and the sourcing rules it must follow.

    ``demand_units``: one value per year of :attr:`AllocationData.years`.
    ``shortage_penalty_per_unit``: cost of a unit not bought (None: demand must be met).
    ``min_suppliers``: sources needed in every year with demand (2 = dual sourcing);
    with 2 or more, ``min_source_share`` (> 0) is the least share of demand each used
    source must carry. ``max_supplier_share``: the most any one supplier may carry (of
    demand). ``max_region_share``: the most of the part's purchases from one region.
    ``max_defect_ppm``: limit on the volume-weighted average defect rate.
    ``max_change_share``: the most a source's volume may change from one year to the
    next, as a share of that year's demand. ``min_suppliers_from_year``: the year label
    from which ``min_suppliers`` and ``min_source_share`` apply (None: every year), e.g.
    once a second source can be qualified.
    """

    id: str
    demand_units: tuple[float, ...]
    shortage_penalty_per_unit: float | None = None
    min_suppliers: int = 1
    min_source_share: float = 0.0
    max_supplier_share: float | None = None
    max_region_share: float | None = None
    max_defect_ppm: float | None = None
    max_change_share: float | None = None
    min_suppliers_from_year: int | None = None


@dataclass(frozen=True)
class Supplier:
    """A supplier: region, capacity shared across its parts, fixed costs, commitments.

    ``fixed_cost_once``: paid once if the supplier is used in any year (onboarding,
    management); ``fixed_cost_per_year``: paid in every year it is used.
    ``committed_units``: volume per year committed by contract (empty: none), over all
    its parts; with ``take_or_pay_cost_per_unit`` a shortfall is allowed at that cost
    per unit not taken, without it the commitment is hard. ``annual_price_trend``:
    prices change by this fraction a year (0.02 = +2 %/yr) from the first year.
    """

    id: str
    region: str = ""
    shared_capacity_units_per_year: float | None = None
    fixed_cost_once: float = 0.0
    fixed_cost_per_year: float = 0.0
    committed_units: tuple[float, ...] = ()
    take_or_pay_cost_per_unit: float | None = None
    annual_price_trend: float = 0.0


@dataclass(frozen=True)
class Offer:
    """Supplier ``supplier`` can make part ``part``: price, capacity, terms, quality.

    ``unit_price`` applies from the first unit; ``price_breaks`` lower it (or raise it)
    from given annual volumes on, either on the units above each break
    (``discount="incremental"``) or on the whole quantity (``"all_units"``).
    ``capacity_units_per_year``: None is unlimited. ``min_units_per_year``: the least
    volume in a year the offer is used (minimum order). ``max_share``: the most of the
    part's demand from this offer. ``fixed_cost_once`` (qualification, paid once if
    the offer is used at all) and ``fixed_cost_per_year`` (each year it is used).
    ``first_year``: the year label from which it may be used (None: from the start).
    ``previous_year_units``: volume bought the year before the horizon, for the
    switching limit in the first year.
    """

    part: str
    supplier: str
    unit_price: float
    price_breaks: tuple[PriceBreak, ...] = ()
    discount: Literal["incremental", "all_units"] = "incremental"
    capacity_units_per_year: float | None = None
    min_units_per_year: float = 0.0
    max_share: float | None = None
    fixed_cost_once: float = 0.0
    fixed_cost_per_year: float = 0.0
    defect_ppm: float = 0.0
    first_year: int | None = None
    previous_year_units: float | None = None


@dataclass(frozen=True)
class AllocationData:
    """Everything the allocation model needs, as plain data.

    ``max_region_share``: limit on the share of the total purchases in a year from one
    region (None: no limit); ``region_share_basis``: whether region shares (this one and
    each part's) count units ("volume") or purchase cost ("spend").
    """

    years: tuple[int, ...]
    parts: tuple[Part, ...]
    suppliers: tuple[Supplier, ...]
    offers: tuple[Offer, ...]
    max_region_share: float | None = None
    region_share_basis: Literal["volume", "spend"] = "volume"
    name: str = "allocation"
    incentives: tuple[IncentiveMenu, ...] = ()
    """Incentive menus, one option chosen per supplier (:mod:`keiretsu.optimize.incentives`)."""
    programs: tuple[ProgramChoice, ...] = ()
    """Programs to fund or not, at a share option (:mod:`keiretsu.optimize.coinvest`)."""
    capex_budget_by_year: tuple[float | None, ...] = ()
    """The buyer's capex budget per year for the programs (empty or None: no limit)."""
    enforce_program_rules: bool = True
    """Participation and budget rows of the programs (False: to price a plan that breaks them)."""


def _finite_nonneg(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value >= 0


def _share(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and 0 < value <= 1


def check(data: AllocationData) -> None:
    """Raise ValueError listing every problem in ``data`` (one per line)."""
    problems: list[str] = []
    add = problems.append
    years = data.years
    if not years:
        add("years: at least one year is needed")
    if len(set(years)) != len(years) or list(years) != sorted(years):
        add(f"years must be distinct and increasing, got {list(years)}")
    n = len(years)

    def unique(kind: str, ids: list[str]) -> set[str]:
        seen: dict[str, str] = {}
        for ident in ids:
            if not ident:
                add(f"{kind}: an empty id")
            tok = name_token(ident)
            if tok in seen:
                what = (
                    "twice" if seen[tok] == ident else f"and {seen[tok]!r} (same name in a model)"
                )
                add(f"{kind} {ident!r} {what}")
            seen[tok] = ident
        return set(ids)

    part_ids = unique("part", [p.id for p in data.parts])
    supplier_ids = unique("supplier", [s.id for s in data.suppliers])
    if not data.parts:
        add("parts: at least one part is needed")
    for p in data.parts:
        where = f"part {p.id!r}"
        if len(p.demand_units) != n:
            add(f"{where}: demand_units has {len(p.demand_units)} values for {n} years")
        if not all(_finite_nonneg(d) for d in p.demand_units):
            add(f"{where}: demand_units must be finite and >= 0")
        if p.shortage_penalty_per_unit is not None and not _finite_nonneg(
            p.shortage_penalty_per_unit
        ):
            add(f"{where}: shortage_penalty_per_unit must be finite and >= 0 (or None)")
        if isinstance(p.min_suppliers, bool) or not isinstance(p.min_suppliers, int):
            add(f"{where}: min_suppliers must be a whole number")
        elif p.min_suppliers < 1:
            add(f"{where}: min_suppliers must be >= 1")
        if not (_finite_nonneg(p.min_source_share) and p.min_source_share <= 1):
            add(f"{where}: min_source_share must be in [0, 1]")
        elif isinstance(p.min_suppliers, int) and p.min_suppliers >= 2 and p.min_source_share <= 0:
            add(
                f"{where}: min_suppliers={p.min_suppliers} needs min_source_share > 0 "
                "(the least share of demand each source carries; otherwise a second "
                "source could carry a token unit)"
            )
        for name in ("max_supplier_share", "max_region_share"):
            value = getattr(p, name)
            if value is not None and not _share(value):
                add(f"{where}: {name} must be in (0, 1] (or None)")
        if p.max_defect_ppm is not None and not _finite_nonneg(p.max_defect_ppm):
            add(f"{where}: max_defect_ppm must be finite and >= 0 (or None)")
        if p.max_change_share is not None and not _finite_nonneg(p.max_change_share):
            add(f"{where}: max_change_share must be finite and >= 0 (or None)")
        if p.min_suppliers_from_year is not None and p.min_suppliers_from_year not in years:
            add(
                f"{where}: min_suppliers_from_year {p.min_suppliers_from_year} is not one of the years"
            )
    for s in data.suppliers:
        where = f"supplier {s.id!r}"
        cap = s.shared_capacity_units_per_year
        if cap is not None and not _finite_nonneg(cap):
            add(f"{where}: shared_capacity_units_per_year must be finite and >= 0 (or None)")
        for name in ("fixed_cost_once", "fixed_cost_per_year"):
            if not _finite_nonneg(getattr(s, name)):
                add(f"{where}: {name} must be finite and >= 0")
        if s.committed_units and len(s.committed_units) != n:
            add(f"{where}: committed_units has {len(s.committed_units)} values for {n} years")
        if not all(_finite_nonneg(c) for c in s.committed_units):
            add(f"{where}: committed_units must be finite and >= 0")
        if s.take_or_pay_cost_per_unit is not None and not _finite_nonneg(
            s.take_or_pay_cost_per_unit
        ):
            add(f"{where}: take_or_pay_cost_per_unit must be finite and >= 0 (or None)")
        if not (math.isfinite(s.annual_price_trend) and s.annual_price_trend > -1):
            add(f"{where}: annual_price_trend must be > -1")
    pairs_seen: set[tuple[str, str]] = set()
    for o in data.offers:
        where = f"offer {o.supplier!r} -> {o.part!r}"
        if o.part not in part_ids:
            add(f"{where}: unknown part {o.part!r}")
        if o.supplier not in supplier_ids:
            add(f"{where}: unknown supplier {o.supplier!r}")
        if (o.part, o.supplier) in pairs_seen:
            add(f"{where}: offered twice")
        pairs_seen.add((o.part, o.supplier))
        if not _finite_nonneg(o.unit_price):
            add(f"{where}: unit_price must be finite and >= 0")
        if o.discount not in ("incremental", "all_units"):
            add(f"{where}: discount must be 'incremental' or 'all_units', got {o.discount!r}")
        last = 0.0
        for b in o.price_breaks:
            if not (math.isfinite(b.from_units) and b.from_units > last):
                add(f"{where}: price_breaks must start above 0 and increase ({b.from_units})")
            if not _finite_nonneg(b.unit_price):
                add(f"{where}: price break unit_price must be finite and >= 0")
            last = b.from_units if math.isfinite(b.from_units) else last
        if o.capacity_units_per_year is not None and not _finite_nonneg(o.capacity_units_per_year):
            add(f"{where}: capacity_units_per_year must be finite and >= 0 (or None)")
        for name in ("min_units_per_year", "fixed_cost_once", "fixed_cost_per_year"):
            if not _finite_nonneg(getattr(o, name)):
                add(f"{where}: {name} must be finite and >= 0")
        if o.max_share is not None and not _share(o.max_share):
            add(f"{where}: max_share must be in (0, 1] (or None)")
        if not (_finite_nonneg(o.defect_ppm) and o.defect_ppm <= 1e6):
            add(f"{where}: defect_ppm must be in [0, 1,000,000]")
        if o.previous_year_units is not None and not _finite_nonneg(o.previous_year_units):
            add(f"{where}: previous_year_units must be finite and >= 0 (or None)")
    if data.max_region_share is not None and not _share(data.max_region_share):
        add("max_region_share must be in (0, 1] (or None)")
    if data.region_share_basis not in ("volume", "spend"):
        add(f"region_share_basis must be 'volume' or 'spend', got {data.region_share_basis!r}")
    problems += incentives.check(data.incentives, data.offers, data.parts, n)
    problems += coinvest.check(data.programs, data.capex_budget_by_year, n)
    if problems:
        raise ValueError("invalid allocation data:\n  " + "\n  ".join(problems))
