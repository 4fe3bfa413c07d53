"""A one-screen summary of a supplier network and its plan (``keiretsu validate``).

Annual figures are first-year expectations: mean demand per period x periods per
year (seasonality averages 1), priced at first-year unit prices, split by the plan's
year-1 shares. Capacity warnings compare that expected load with capacity per period.

The risk model and the partnership set-up are counted, not valued: disruptions by kind,
the named drills, the programs on the table (capex) and those the plan funds, the
contracts in force (the plan's replace the scenario's, supplier by supplier) by
relationship level, and the parts with contingencies (which kinds).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from keiretsu.scenario.model import Scenario
from keiretsu.scenario.resolve import shares

RELATIONSHIP_ORDER = ("joint_venture", "strategic_partnership", "preferred", "transactional")
"""Relationship levels, closest first (the order the summary lists them in)."""


@dataclass(frozen=True)
class NetworkSummary:
    """Figures shown by ``keiretsu validate`` (money in ``currency``, per year)."""

    name: str
    currency: str
    years: float
    period: str
    n_periods: int
    parts: int
    suppliers: int
    regions: int
    sub_suppliers: int
    annual_demand_units: dict[str, float]
    annual_spend: float
    spend_by_supplier: dict[str, float]
    spend_by_region: dict[str, float]
    single_sourced_parts: list[str]
    sole_source_parts: list[str]
    critical_single_sourced: list[str]
    tier2_exposure: dict[str, float]
    reported_time_to_recover_days: dict[str, float]
    warnings: list[str] = field(default_factory=list)
    disruptions_by_kind: dict[str, int] = field(default_factory=dict)
    drills: list[str] = field(default_factory=list)
    program_capex: dict[str, float] = field(default_factory=dict)
    funded_programs: list[str] = field(default_factory=list)
    contracts_by_relationship: dict[str, int] = field(default_factory=dict)
    suppliers_without_contract: int = 0
    contingencies: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def summarize(scenario: Scenario) -> NetworkSummary:
    """Summarise ``scenario`` under its own plan (see module docstring for conventions)."""
    plan = scenario.plan
    per_year = scenario.horizon.periods_per_year
    region_of = {s.id: s.region for s in scenario.suppliers}
    spend_sup: dict[str, float] = defaultdict(float)
    spend_region: dict[str, float] = defaultdict(float)
    spend_part_sup: dict[tuple[str, str], float] = {}
    load: dict[tuple[str, str], float] = {}
    demand: dict[str, float] = {}
    single, sole, critical_single, warnings = [], [], [], []
    for part in scenario.parts:
        offers = scenario.offers_for(part.id)
        mean = part.demand.per_period_units.mean
        demand[part.id] = mean * per_year
        year1 = shares(scenario, plan, part.id, 1)
        if len(offers) == 1:
            sole.append(part.id)
        if len(year1) == 1:
            single.append(part.id)
            if part.criticality == "critical":
                critical_single.append(part.id)
        for sup, share in year1.items():
            offer = offers[sup]
            amount = share * mean * per_year * offer.unit_price
            spend_sup[sup] += amount
            spend_region[region_of[sup]] += amount
            spend_part_sup[(part.id, sup)] = amount
            load[(part.id, sup)] = share * mean
            cap = offer.capacity_units_per_period
            if cap is not None and share * mean > cap:
                warnings.append(
                    f"{sup} gets {share * mean:,.0f} units/{scenario.horizon.period} of {part.id} "
                    f"on average but has capacity for {cap:,.0f}"
                )
    for sup in scenario.suppliers:
        cap = sup.shared_capacity_units_per_period
        total = sum(v for (p, s), v in load.items() if s == sup.id)
        if cap is not None and total > cap:
            warnings.append(
                f"{sup.id} gets {total:,.0f} units/{scenario.horizon.period} across parts on "
                f"average but its shared capacity is {cap:,.0f}"
            )
    dpp = scenario.horizon.days_per_period
    for sup in scenario.suppliers:
        q = sup.qualification
        if q.status == "qualified":
            continue
        for year in range(1, scenario.horizon.n_years + 1):
            year_start_days = (year - 1) * scenario.horizon.periods_per_year * dpp
            given = [
                p.id
                for p in scenario.parts
                if shares(scenario, plan, p.id, year).get(sup.id, 0) > 0
            ]
            if given and year_start_days < q.time_days:
                warnings.append(
                    f"{sup.id} ({q.status.replace('_', ' ')}) gets a share of {', '.join(given)} "
                    f"in year {year} but may ship only after {q.time_days:g} days; its orders wait"
                )
                break
    exposure: dict[str, float] = defaultdict(float)
    for link in scenario.tier2.links:
        for part in link.parts:
            exposure[link.sub_supplier] += spend_part_sup.get((part, link.supplier), 0.0)
    total = sum(spend_sup.values())
    disruptions: dict[str, int] = defaultdict(int)
    for d in scenario.disruptions:
        disruptions[d.kind] += 1
    contracts = {c.supplier: c for c in scenario.contracts} | {
        c.supplier: c for c in plan.contracts
    }
    levels: dict[str, int] = defaultdict(int)
    for c in contracts.values():
        levels[c.relationship] += 1
    contingencies = {
        part: [
            kind
            for kind, on in (
                ("strategic buffer", c.strategic_buffer_days > 0),
                ("reservation", c.reservation is not None),
                ("backup", c.backup is not None),
                ("reallocation", c.reallocate is not None),
            )
            if on
        ]
        for part, c in plan.contingency.items()
    }
    return NetworkSummary(
        name=scenario.meta.name,
        currency=scenario.meta.currency,
        years=scenario.horizon.years,
        period=scenario.horizon.period,
        n_periods=scenario.horizon.n_periods,
        parts=len(scenario.parts),
        suppliers=len(scenario.suppliers),
        regions=len(scenario.regions),
        sub_suppliers=len(scenario.tier2.sub_suppliers),
        annual_demand_units=demand,
        annual_spend=total,
        spend_by_supplier=dict(sorted(spend_sup.items(), key=lambda kv: -kv[1])),
        spend_by_region=dict(sorted(spend_region.items(), key=lambda kv: -kv[1])),
        single_sourced_parts=single,
        sole_source_parts=sole,
        critical_single_sourced=critical_single,
        tier2_exposure=dict(sorted(exposure.items(), key=lambda kv: -kv[1])),
        reported_time_to_recover_days={
            sup.id: sup.reported_time_to_recover_days
            for sup in sorted(
                scenario.suppliers, key=lambda x: -(x.reported_time_to_recover_days or 0.0)
            )
            if sup.reported_time_to_recover_days is not None
        },
        warnings=warnings,
        disruptions_by_kind=dict(disruptions),
        drills=[d.id for d in scenario.drills],
        program_capex={p.id: p.capex for p in scenario.programs},
        funded_programs=list(plan.programs),
        contracts_by_relationship={
            level: levels[level] for level in RELATIONSHIP_ORDER if levels.get(level)
        },
        suppliers_without_contract=sum(1 for s in scenario.suppliers if s.id not in contracts),
        contingencies={part: kinds for part, kinds in contingencies.items() if kinds},
    )
