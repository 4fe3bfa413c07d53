"""Kraljic segmentation of the parts and suppliers of a scenario under a plan.

Kraljic (1983, "Purchasing must become supply management", *Harvard Business Review*
61(5)) places every purchased item on two axes, **profit impact** and **supply risk**,
and manages each quadrant differently: *strategic* (high impact, high risk: partner),
*leverage* (high impact, low risk: use buying power), *bottleneck* (low impact, high
risk: secure supply) and *non-critical* (low, low: simplify). Kraljic leaves the scoring
to the buyer; this module fixes one, stated here and written into every output. Pure
arithmetic on the scenario: no simulation, no randomness.

**Volumes, spend and margin over the horizon.** For plan year y (1, 2, ...; the last may
be partial, covering the fraction f_y of a year) a part's expected units are
U_y = m x periods_per_year x (1 + g)^(y-1) x f_y (m the mean demand per period, g the
annual growth; seasonality averages 1). An offer (supplier s making part p) gets the
plan's share a_{s,y}; its unit price in year y is price_s (1 + trend_s)^(y-1). Over the
horizon of H = sum f_y years:

* volume share v_s = sum_y U_y a_{s,y} / sum_y U_y (the horizon's expected volume);
* annual spend = sum_y U_y a_{s,y} price_{s,y} / H;
* annual margin = sum_y U_y a_{s,y} (revenue_p - price_{s,y}) / H, the part's margin
  contribution (the revenue its units enable minus what they cost).

A part's spend and margin add up over its offers.

**Profit impact** I = w_spend x S(spend share) + w_margin x S(margin share) +
w_criticality x C, weights (0.5, 0.2, 0.3) by default:

* spend share = the part's annual spend / the scenario's total; margin share = its
  margin (negative counts as 0) / the total of the parts' margins (0 when none is
  positive);
* S(x) = clip(1 + log10(x) / D, 0, 1) with D = ``spend_decades`` = 3: the whole spend
  scores 1, a tenth 2/3, a hundredth 1/3, a thousandth or less 0. A log scale because
  spend in a real portfolio spans orders of magnitude (EV cells are 86 % of the
  battery plant's spend, a current sensor 0.4 %); a linear share would call everything
  but the cells negligible;
* C = criticality: low 0, medium 1/3, high 2/3, critical 1.

**Supply risk** R = w_sources x 1/n + w_concentration x a_max + w_regions x 1/k +
w_tier2 x t + w_disruption x (1 - exp(-lambda T)), weights (0.30, 0.20, 0.15, 0.15,
0.20) by default:

* n = qualified sources offering the part (suppliers with qualification status
  ``qualified``; none counts as one): the availability of alternatives, Kraljic's first
  risk factor, weighs most;
* a_max = the plan's largest volume share v_s (concentration);
* k = distinct regions of the qualified sources (one region: one earthquake, one
  lockdown, one port);
* t = tier-2 concentration: the largest share of the part's volume that depends on one
  sub-supplier, sum_s v_s min(1, sum of the links' ``share_of_input``);
* lambda = disruption exposure: expected disruption events a year hitting the part's
  sources, each weighted by the share of the part's volume it stops,
  sum_d rate_d sum_s v_s h_{d,s} (h from :func:`keiretsu.analysis.likelihood.offer_hits`:
  1 for a direct hit, the link's share_of_input through tier 2), mapped to the chance
  of at least one such event in T = ``exposure_years`` = 1 year if events were Poisson.

Every component is in [0, 1] and the weights add to 1, so I and R are in [0, 1]. A
quadrant is *high* on an axis when its score is at least the threshold (0.5 on both
by default). Properties (tested): a further qualified source, with the plan unchanged,
never raises a part's risk (n and k can only grow); more volume never lowers its
impact (spend and margin shares grow together). A price rise alone raises the spend
share but lowers the margin: impact may then move either way.

**Offers** are scored the same way with their own spend, margin and exposure: impact
from the offer's spend and margin shares (of the same totals) and the part's
criticality; risk from the part's n and k, the offer's own volume share v_s (how much of
the part rides on this supplier), its own tier-2 dependence and the events a year that
hit it (weighted by h). An offer with the whole volume scores as its part.

**Suppliers** roll up their offers, each weighted by its annual spend (equal weights
for a supplier with no spend in the plan), into an impact, a risk and a segment. The
**tier** follows from the segments of the *parts* it supplies (PRODUCT.md: tiers by
spend, business impact and risk; the scenario says nothing of innovation potential, so
it does not enter):

* strategic partner: the main source (largest volume share, ties included) of at least
  one strategic part;
* preferred: otherwise, any plan volume in a strategic, leverage or bottleneck part
  (a second source of a strategic part; buying power worth managing on a leverage
  part; supply to secure on a bottleneck part);
* transactional: only non-critical parts, or no volume in the plan.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

import numpy as np
import pandas as pd

from keiretsu.analysis.likelihood import offer_hits
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.scenario.resolve import shares

SEGMENTS = ("strategic", "leverage", "bottleneck", "non-critical")
"""The Kraljic quadrants, in the order reports list them."""

TIERS = ("strategic partner", "preferred", "transactional")
"""Supplier tiers, from the closest relationship to the most arm's-length."""

CRITICALITY_SCORE = {"low": 0.0, "medium": 1.0 / 3.0, "high": 2.0 / 3.0, "critical": 1.0}
"""Criticality component of the impact score."""

_DRIVER_FLOOR = 0.02
"""Weighted risk contributions below this are not named as drivers (the largest four
are; "one region" is left out when there is one qualified source: it goes without saying)."""


def _check_weights(weights) -> None:
    values = [getattr(weights, f.name) for f in fields(weights)]
    if any(not (math.isfinite(v) and v >= 0) for v in values):
        raise ValueError(f"{type(weights).__name__}: weights must be finite and >= 0 ({values})")
    if abs(sum(values) - 1.0) > 1e-9:
        raise ValueError(
            f"{type(weights).__name__}: weights must add up to 1 (they add up to {sum(values):g})"
        )


@dataclass(frozen=True)
class ImpactWeights:
    """Weights of the profit-impact components (they add up to 1)."""

    spend: float = 0.5
    margin: float = 0.2
    criticality: float = 0.3

    def __post_init__(self) -> None:
        _check_weights(self)


@dataclass(frozen=True)
class RiskWeights:
    """Weights of the supply-risk components (they add up to 1)."""

    sources: float = 0.30
    concentration: float = 0.20
    regions: float = 0.15
    tier2: float = 0.15
    disruption: float = 0.20

    def __post_init__(self) -> None:
        _check_weights(self)


@dataclass(frozen=True)
class SegmentationOptions:
    """Thresholds, weights and scales of the scores (see the module docstring)."""

    impact_threshold: float = 0.5
    """Profit impact at or above this is high."""
    risk_threshold: float = 0.5
    """Supply risk at or above this is high."""
    impact_weights: ImpactWeights = field(default_factory=ImpactWeights)
    risk_weights: RiskWeights = field(default_factory=RiskWeights)
    spend_decades: float = 3.0
    """D: decades of spend share between a score of 0 and 1 (S(x) = 1 + log10(x)/D)."""
    exposure_years: float = 1.0
    """T: years over which the chance of at least one disruption event is scored."""

    def __post_init__(self) -> None:
        for name in ("impact_threshold", "risk_threshold"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 <= value <= 1.0):
                raise ValueError(f"{name} must be in [0, 1] (got {value!r})")
        for name in ("spend_decades", "exposure_years"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a number > 0 (got {value!r})")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Segmentation:
    """What :func:`segment` returns: one table per level and the rules that made them."""

    parts: pd.DataFrame
    """One row per part: spend, impact and risk components, scores, segment, drivers."""
    offers: pd.DataFrame
    """One row per supplier-part offer, scored the same way."""
    suppliers: pd.DataFrame
    """One row per supplier: spend-weighted scores, segment and tier."""
    options: SegmentationOptions
    plan: str
    currency: str
    definitions: dict[str, str]

    def counts(self) -> dict[str, int]:
        """Parts per segment, every segment listed."""
        found = self.parts["segment"].value_counts()
        return {s: int(found.get(s, 0)) for s in SEGMENTS}


def quadrant(impact: float, risk: float, options: SegmentationOptions) -> str:
    """The Kraljic segment of an (impact, risk) pair; a score equal to its threshold is high."""
    high_impact = impact >= options.impact_threshold
    high_risk = risk >= options.risk_threshold
    if high_impact:
        return "strategic" if high_risk else "leverage"
    return "bottleneck" if high_risk else "non-critical"


def _year_units(scenario: Scenario, part_id: str) -> np.ndarray:
    """U_y: expected units of the part in each plan year (the last one may be partial)."""
    h = scenario.horizon
    ppy, n = h.periods_per_year, h.n_periods
    part = scenario.part(part_id)
    years = np.arange(h.n_years)
    covered = np.minimum(ppy, n - years * ppy) / ppy
    growth = (1.0 + part.demand.annual_growth) ** years
    return part.demand.per_period_units.mean * ppy * growth * covered


def volume_shares(scenario: Scenario, plan: Plan, part_id: str) -> dict[str, float]:
    """v_s: each supplier's share of the part's expected volume over the horizon under
    ``plan`` (years weighted by their expected units); suppliers without volume omitted."""
    units = _year_units(scenario, part_id)
    total = float(units.sum())
    out: dict[str, float] = {}
    for y, u in enumerate(units, start=1):
        weight = u / total if total > 0 else 1.0 / units.size
        for sup, share in shares(scenario, plan, part_id, y).items():
            out[sup] = out.get(sup, 0.0) + weight * share
    return out


def log_share_score(share: float, decades: float) -> float:
    """S(x) = clip(1 + log10(x) / decades, 0, 1); S(0) = 0."""
    if share <= 0:
        return 0.0
    return float(min(1.0, max(0.0, 1.0 + math.log10(share) / decades)))


def _sources_text(n: int, pending: int) -> str:
    text = f"{n} qualified source{'s' if n != 1 else ''}" if n else "no qualified source"
    if pending:
        text += f" ({pending} more not yet qualified)"
    return text


@dataclass
class _Row:
    """Risk components of a part or an offer, raw and scored, and their drivers."""

    qualified_sources: int
    pending_sources: int
    source_regions: int
    region_names: list[str]
    largest_share: float
    largest_supplier: str
    tier2_share: float
    tier2_source: str
    events_per_year: float
    causes: list[tuple[str, float]]  # disruption id, weighted events a year

    def scores(self, options: SegmentationOptions) -> dict[str, float]:
        exposure = 1.0 - math.exp(-self.events_per_year * options.exposure_years)
        return {
            "sources_score": 1.0 / max(self.qualified_sources, 1),
            "concentration_score": self.largest_share,
            "regions_score": 1.0 / max(self.source_regions, 1),
            "tier2_score": self.tier2_share,
            "disruption_score": exposure,
        }

    def drivers(self, options: SegmentationOptions, scores: dict[str, float]) -> str:
        w = options.risk_weights
        texts = {
            "sources_score": _sources_text(self.qualified_sources, self.pending_sources),
            "concentration_score": f"{self.largest_share:.0%} with {self.largest_supplier}",
            "regions_score": (
                f"one region ({self.region_names[0]})"
                if self.source_regions == 1
                else f"{self.source_regions} regions"
            ),
            "tier2_score": f"{self.tier2_share:.0%} via tier-2 {self.tier2_source}",
            "disruption_score": (
                f"{self.events_per_year:.2g} disruption events/yr ("
                + ", ".join(d for d, _ in sorted(self.causes, key=lambda c: -c[1])[:2])
                + (", ..." if len(self.causes) > 2 else "")
                + ")"
            ),
        }
        weight = {
            "sources_score": w.sources,
            "concentration_score": w.concentration,
            "regions_score": w.regions,
            "tier2_score": w.tier2,
            "disruption_score": w.disruption,
        }
        implied = {"regions_score"} if self.qualified_sources <= 1 else set()  # one source
        contributions = sorted(
            (
                (weight[k] * v, k)
                for k, v in scores.items()
                if weight[k] * v >= _DRIVER_FLOOR and k not in implied
            ),
            key=lambda c: -c[0],
        )
        return "; ".join(texts[k] for _, k in contributions[:4]) or "no notable risk driver"


def segment(
    scenario: Scenario, plan: Plan | None = None, options: SegmentationOptions | None = None
) -> Segmentation:
    """Kraljic segmentation of ``scenario`` under ``plan`` (default: its own); see the
    module docstring for every score, weight and rule."""
    plan = scenario.plan if plan is None else plan
    options = SegmentationOptions() if options is None else options
    iw, rw = options.impact_weights, options.risk_weights
    h = scenario.horizon
    years = np.arange(h.n_years)
    horizon_years = h.n_periods / h.periods_per_year
    supplier_of = {s.id: s for s in scenario.suppliers}
    hits = offer_hits(scenario)
    links: dict[tuple[str, str], dict[str, float]] = {}
    for link in scenario.tier2.links:
        for part in link.parts:
            subs = links.setdefault((link.supplier, part), {})
            subs[link.sub_supplier] = subs.get(link.sub_supplier, 0.0) + link.share_of_input

    # ---- volumes, spend and margin per offer
    offer_rows: list[dict] = []
    for part in scenario.parts:
        units = _year_units(scenario, part.id)
        year_shares = [shares(scenario, plan, part.id, y) for y in range(1, h.n_years + 1)]
        volume = volume_shares(scenario, plan, part.id)
        for sup_id, offer in scenario.offers_for(part.id).items():
            sup = supplier_of[sup_id]
            price = offer.unit_price * (1.0 + sup.annual_price_trend) ** years
            bought = units * np.array([ys.get(sup_id, 0.0) for ys in year_shares])
            offer_rows.append(
                {
                    "supplier": sup_id,
                    "part": part.id,
                    "region": sup.region,
                    "qualified": sup.qualification.status == "qualified",
                    "volume_share": volume.get(sup_id, 0.0),
                    "annual_units": float(bought.sum()) / horizon_years,
                    "annual_spend": float((bought * price).sum()) / horizon_years,
                    "annual_margin": float((bought * (part.revenue_per_unit - price)).sum())
                    / horizon_years,
                }
            )
    offers = pd.DataFrame(offer_rows)
    by_part = offers.groupby("part", sort=False)
    part_spend = by_part["annual_spend"].sum()
    part_margin = by_part["annual_margin"].sum()
    total_spend = float(part_spend.sum())
    total_margin = float(part_margin.clip(lower=0).sum())

    def impact_of(spend: float, margin: float, criticality: str) -> dict[str, float]:
        spend_share = spend / total_spend if total_spend > 0 else 0.0
        margin_share = max(margin, 0.0) / total_margin if total_margin > 0 else 0.0
        parts = {
            "spend_share": spend_share,
            "spend_score": log_share_score(spend_share, options.spend_decades),
            "margin_score": log_share_score(margin_share, options.spend_decades),
            "criticality_score": CRITICALITY_SCORE[criticality],
        }
        parts["impact_score"] = (
            iw.spend * parts["spend_score"]
            + iw.margin * parts["margin_score"]
            + iw.criticality * parts["criticality_score"]
        )
        return parts

    def risk_of(row: _Row) -> dict[str, float | str]:
        scores = row.scores(options)
        total = (
            rw.sources * scores["sources_score"]
            + rw.concentration * scores["concentration_score"]
            + rw.regions * scores["regions_score"]
            + rw.tier2 * scores["tier2_score"]
            + rw.disruption * scores["disruption_score"]
        )
        return {**scores, "risk_score": total, "risk_drivers": row.drivers(options, scores)}

    # ---- parts
    part_records, offer_records = [], []
    for part in scenario.parts:
        mine = offers[offers["part"] == part.id]
        qualified = mine[mine["qualified"]]
        regions = list(dict.fromkeys(qualified["region"]))
        volume = dict(zip(mine["supplier"], mine["volume_share"], strict=True))
        used = {s: v for s, v in volume.items() if v > 0}
        main = max(used, key=lambda s: used[s])
        dependence: dict[str, float] = {}
        for sup, v in used.items():
            for sub, share in links.get((sup, part.id), {}).items():
                dependence[sub] = dependence.get(sub, 0.0) + v * min(share, 1.0)
        tier2_source = max(dependence, key=lambda s: dependence[s]) if dependence else "none"
        causes: dict[str, float] = {}
        for sup, v in used.items():
            for d, rate, hit in hits[(sup, part.id)]:
                causes[d] = causes.get(d, 0.0) + rate * v * hit
        base = _Row(
            qualified_sources=len(qualified),
            pending_sources=len(mine) - len(qualified),
            source_regions=len(regions),
            region_names=regions,
            largest_share=used[main],
            largest_supplier=main,
            tier2_share=dependence.get(tier2_source, 0.0),
            tier2_source=tier2_source,
            events_per_year=sum(causes.values()),
            causes=list(causes.items()),
        )
        spend, margin = float(part_spend[part.id]), float(part_margin[part.id])
        impact = impact_of(spend, margin, part.criticality)
        risk = risk_of(base)
        part_records.append(
            {
                "part": part.id,
                "name": part.name,
                "criticality": part.criticality,
                "suppliers": ", ".join(
                    f"{s} {v:.0%}" for s, v in sorted(used.items(), key=lambda kv: -kv[1])
                ),
                "annual_units": float(mine["annual_units"].sum()),
                "annual_spend": spend,
                "annual_margin": margin,
                **impact,
                "qualified_sources": base.qualified_sources,
                "source_regions": base.source_regions,
                "largest_share": base.largest_share,
                "tier2_share": base.tier2_share,
                "tier2_source": base.tier2_source,
                "disruption_events_per_year": base.events_per_year,
                **risk,
                "segment": quadrant(impact["impact_score"], risk["risk_score"], options),
            }
        )
        for record in mine.to_dict(orient="records"):
            sup = record["supplier"]
            own = links.get((sup, part.id), {})
            own_sub = max(own, key=lambda s: own[s]) if own else "none"
            own_causes = [(d, rate * hit) for d, rate, hit in hits[(sup, part.id)]]
            row = _Row(
                qualified_sources=base.qualified_sources,
                pending_sources=base.pending_sources,
                source_regions=base.source_regions,
                region_names=regions,
                largest_share=record["volume_share"],
                largest_supplier=sup,
                tier2_share=min(own.get(own_sub, 0.0), 1.0),
                tier2_source=own_sub,
                events_per_year=sum(r for _, r in own_causes),
                causes=own_causes,
            )
            o_impact = impact_of(record["annual_spend"], record["annual_margin"], part.criticality)
            o_risk = risk_of(row)
            offer_records.append(
                {
                    **record,
                    **o_impact,
                    "tier2_share": row.tier2_share,
                    "tier2_source": own_sub,
                    "disruption_events_per_year": row.events_per_year,
                    **o_risk,
                    "segment": quadrant(o_impact["impact_score"], o_risk["risk_score"], options),
                }
            )
    parts_frame = pd.DataFrame(part_records)
    offers_frame = pd.DataFrame(offer_records)
    suppliers_frame = _suppliers(scenario, parts_frame, offers_frame, options, total_spend)
    return Segmentation(
        parts=parts_frame,
        offers=offers_frame,
        suppliers=suppliers_frame,
        options=options,
        plan=plan.name,
        currency=scenario.meta.currency,
        definitions=definitions(options),
    )


def _suppliers(
    scenario: Scenario,
    parts: pd.DataFrame,
    offers: pd.DataFrame,
    options: SegmentationOptions,
    total_spend: float,
) -> pd.DataFrame:
    segment_of = dict(zip(parts["part"], parts["segment"], strict=True))
    records = []
    for sup in scenario.suppliers:
        mine = offers[offers["supplier"] == sup.id]
        spend = mine["annual_spend"].to_numpy(dtype=float)
        weight = spend / spend.sum() if spend.sum() > 0 else np.full(len(mine), 1.0 / len(mine))
        impact = float(np.dot(weight, mine["impact_score"]))
        risk = float(np.dot(weight, mine["risk_score"]))
        used = mine[mine["volume_share"] > 0]
        main_of = []
        for part_id in used["part"]:
            rivals = offers[offers["part"] == part_id]["volume_share"]
            own = float(used.loc[used["part"] == part_id, "volume_share"].iloc[0])
            if own >= rivals.max() - 1e-12:
                main_of.append(part_id)
        strategic_main = [p for p in main_of if segment_of[p] == "strategic"]
        important = [p for p in used["part"] if segment_of[p] != "non-critical"]
        if strategic_main:
            tier = "strategic partner"
            reason = "main source of " + ", ".join(f"{p} (strategic)" for p in strategic_main)
        elif important:
            tier = "preferred"
            reason = "supplies " + ", ".join(f"{p} ({segment_of[p]})" for p in important)
        else:
            tier = "transactional"
            reason = "only non-critical parts" if len(used) else "no volume in the plan"
        records.append(
            {
                "supplier": sup.id,
                "name": sup.name,
                "region": sup.region,
                "qualification": sup.qualification.status,
                "parts": ", ".join(
                    f"{p} {v:.0%} ({segment_of[p]})"
                    for p, v in zip(mine["part"], mine["volume_share"], strict=True)
                ),
                "annual_spend": float(spend.sum()),
                "spend_share": float(spend.sum()) / total_spend if total_spend > 0 else 0.0,
                "impact_score": impact,
                "risk_score": risk,
                "segment": quadrant(impact, risk, options),
                "tier": tier,
                "tier_reason": reason,
            }
        )
    return pd.DataFrame(records)


def definitions(options: SegmentationOptions) -> dict[str, str]:
    """What every score and rule means, with this run's weights and thresholds."""
    iw, rw = options.impact_weights, options.risk_weights
    return {
        "segmentation": (
            "Kraljic (1983) matrix: profit impact x supply risk, each scored in [0, 1]. "
            f"Impact is high at or above {options.impact_threshold:g}, risk at or above "
            f"{options.risk_threshold:g}. Strategic = high impact and high risk; leverage = "
            "high impact, low risk; bottleneck = low impact, high risk; non-critical = low, low."
        ),
        "volumes": (
            "Expected units, spend and margin per year averaged over the horizon: mean demand "
            "with annual growth, the plan's shares year by year, unit prices with each "
            "supplier's annual price trend. Volume share = a supplier's share of the part's "
            "expected units over the horizon."
        ),
        "impact_score": (
            f"{iw.spend:g} x S(spend share) + {iw.margin:g} x S(margin share) + "
            f"{iw.criticality:g} x criticality, where S(x) = clip(1 + log10(x) / "
            f"{options.spend_decades:g}, 0, 1) (the whole spend scores 1, each tenfold less "
            f"1/{options.spend_decades:g} less), margin = revenue - purchase cost (negative "
            "counts as 0), criticality low 0, medium 1/3, high 2/3, critical 1."
        ),
        "risk_score": (
            f"{rw.sources:g} x 1/(qualified sources) + {rw.concentration:g} x largest volume "
            f"share + {rw.regions:g} x 1/(regions of the qualified sources) + {rw.tier2:g} x "
            f"tier-2 concentration + {rw.disruption:g} x (1 - exp(-events a year x "
            f"{options.exposure_years:g})). Tier-2 concentration = the largest share of the "
            "volume that depends on one sub-supplier; events a year = capacity disruptions of "
            "the scenario hitting the sources (outages, defaults, regional events, tier-2 "
            "outages and regional events at the sub-supplier), weighted by the share of "
            "volume each stops."
        ),
        "offers": (
            "A supplier-part offer is scored like a part, with its own spend, margin, volume "
            "share (as the concentration), tier-2 dependence and disruption events."
        ),
        "suppliers": (
            "Supplier scores are the spend-weighted means of its offers' scores (equal weights "
            "without spend). Tier: strategic partner = main source (largest volume share) of "
            "a strategic part; preferred = otherwise, plan volume in a strategic, leverage or "
            "bottleneck part; transactional = only non-critical parts or no volume."
        ),
    }
