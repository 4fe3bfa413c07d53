"""Contract design analytics for one part of a scenario (``keiretsu contracts``).

Cachon (2003), "Supply chain coordination with contracts", sec. 2 (the newsvendor model),
on the channel between the buyer (Cachon's retailer) and one supplier of a part, through
:mod:`keiretsu.econ.channel` (maths and worked numbers: ``docs/explanation/contracts.md``).

**The channel from the scenario.**

* retail price p = the part's ``revenue_per_unit`` (what a unit it can use earns the buyer);
* the current contract is a wholesale-price contract at the offer's first-year
  ``unit_price`` w;
* the supplier's unit cost c_s and the salvage value v of a unit left over are
  arguments: the scenario does not state them yet (a ``contracts:`` section will; these
  arguments will then default to it). The buyer's own cost per unit and goodwill costs
  are 0 (Cachon's base case; the scenario's shortage penalty is not mapped onto them);
* demand over a selling season of N periods is the sum D = X_1 + ... + X_N of N
  independent per-period draws of the part's first-year demand distribution (no growth,
  no seasonality: the base law). Its mean is N m and its variance N s^2 whatever the
  law; its distribution is exact for

  - N = 1: the per-period law itself;
  - fixed x: N x; normal N(m, s^2): N(N m, N s^2) (the simulator clips each draw at 0;
    negligible for m >= 5 s, see :mod:`keiretsu.econ.demand_law`); Poisson(m):
    Poisson(N m); gamma (mean m, sd s): gamma (N m, sqrt(N) s), the same scale;
    exponential(m): gamma (N m, sqrt(N) m); negative binomial (m, s): negative binomial
    (N m, sqrt(N) s), dispersion N r and the same p; geometric(p) (trials): N plus a
    negative binomial of N successes;

  and for uniform, triangular, lognormal and empirical laws with N > 1 it is the
  **moment-matched normal** N(N m, N s^2) (central limit theorem; an approximation, said
  so in the output, good when N is more than a few periods).

The default season is one year of periods (52 weeks or 365 days). The default supplier
is the plan's main source of the part (largest share of the horizon's volume).

**What is computed** (expected values over one season, money in the scenario's currency):
the integrated channel's optimum Q° and Pi°; under the current wholesale price the buyer's
order, each party's profit and the efficiency Pi(q)/Pi°; the supplier-optimal wholesale
price w*; and for each contract family (wholesale price, buyback, revenue sharing,
quantity flexibility, sales rebate) the terms that coordinate the channel with the
requested buyer's share of Pi°, or the reason that family cannot. The sales rebate's
threshold defaults to the mean season demand when that coordinates, else to the
coordinating threshold closest to it (:func:`rebate_threshold`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from keiretsu.analysis.segmentation import volume_shares
from keiretsu.econ.channel import (
    FAMILIES,
    Channel,
    Outcome,
    WholesalePrice,
    coordinate,
    evaluate,
    supplier_optimal_wholesale_price,
)
from keiretsu.econ.demand_law import DemandLaw, DiscreteLaw, demand_law
from keiretsu.scenario.distributions import (
    Distribution,
    Exponential,
    Fixed,
    Gamma,
    Geometric,
    NegativeBinomial,
    Normal,
    Poisson,
)
from keiretsu.scenario.model import Plan, Scenario

FAMILY_LABELS = {
    "wholesale_price": "wholesale price",
    "buyback": "buyback",
    "revenue_sharing": "revenue sharing",
    "quantity_flexibility": "quantity flexibility",
    "sales_rebate": "sales rebate",
}
"""Row labels of the coordinating contracts."""

TERM_COLUMNS = (
    "wholesale_price_per_unit",
    "buyback_price_per_unit",
    "retailer_revenue_share",
    "cancellable_share",
    "rebate_per_unit",
    "threshold_units",
)
"""The contract terms, one column each (NaN where a family has no such term)."""


class ArgumentError(ValueError):
    """An argument of :func:`contracts` is wrong; ``argument`` names it (for the CLI)."""

    def __init__(self, argument: str, message: str):
        super().__init__(message)
        self.argument = argument


@dataclass(frozen=True)
class SeasonDemand:
    """The law of demand over a season of ``periods`` periods (see the module docstring)."""

    law: DemandLaw
    periods: int
    mean_units: float
    sd_units: float
    description: str
    """How the law was obtained, e.g. ``normal (exact: a sum of normals)``."""
    exact: bool
    """False for the moment-matched normal."""


def season_demand(distribution: Distribution, periods: int) -> SeasonDemand:
    """The law of the sum of ``periods`` independent draws of ``distribution``."""
    if isinstance(periods, bool) or not isinstance(periods, int | np.integer) or periods < 1:
        raise ArgumentError(
            "season_periods", f"season periods must be a whole number >= 1 (got {periods!r})"
        )
    n = int(periods)
    d = distribution
    mean, var = n * d.mean, n * d.variance
    sd = math.sqrt(var)
    exact = True
    spec: Distribution | None = None
    if n == 1:
        spec, how = d, f"{d.kind}, one period"
    else:
        match d:
            case Fixed():
                spec, how = Fixed(value=mean), "fixed (exact)"
            case Normal():
                spec, how = Normal(mean=mean, sd=sd), "normal (exact: a sum of normals)"
            case Poisson():
                spec, how = Poisson(mean=mean), "Poisson (exact: a sum of Poissons)"
            case Gamma():
                spec, how = Gamma(mean=mean, sd=sd), "gamma (exact: same scale, shape x N)"
            case Exponential():
                spec, how = Gamma(mean=mean, sd=sd), "gamma (exact: a sum of exponentials)"
            case NegativeBinomial():
                spec = NegativeBinomial(mean=mean, sd=sd)
                how = "negative binomial (exact: same p, dispersion x N)"
            case Geometric() if d.p == 1.0:
                spec, how = Fixed(value=float(n)), "fixed (exact: every draw is 1)"
            case Geometric():
                failures = NegativeBinomial(
                    mean=n * (1 - d.p) / d.p, sd=math.sqrt(n * (1 - d.p)) / d.p
                )
                base = demand_law(failures)
                assert isinstance(base, DiscreteLaw)
                law = DiscreteLaw(base.values + n, base.probabilities)
                how = f"{n} + negative binomial (exact: trials to {n} successes)"
                return SeasonDemand(law, n, mean, sd, how, True)
            case _:
                spec, exact = Normal(mean=mean, sd=sd), False
                how = f"normal moment-matched to a sum of {n} {d.kind} draws (approximation)"
    assert spec is not None
    return SeasonDemand(demand_law(spec), n, mean, sd, how, exact)


@dataclass(frozen=True)
class ContractsResult:
    """What :func:`contracts` returns."""

    part: str
    supplier: str
    currency: str
    season: SeasonDemand
    retailer_share: float
    rebate_threshold_units: float
    channel: Channel
    summary: pd.DataFrame
    """One row: the channel's inputs and its integrated optimum."""
    contracts: pd.DataFrame
    """One row per contract: terms, the buyer's order, profits, efficiency, notes."""
    definitions: dict[str, str] = field(default_factory=dict)

    @property
    def optimal_profit(self) -> float:
        return self.channel.optimal_profit

    @property
    def optimal_order(self) -> float:
        return self.channel.optimal_order


def _terms(contract) -> dict[str, float]:
    terms = dict.fromkeys(TERM_COLUMNS, math.nan)
    for name in TERM_COLUMNS:
        if hasattr(contract, name):
            terms[name] = float(getattr(contract, name))
    return terms


def _row(channel: Channel, label: str, family: str, outcome: Outcome | None, note: str) -> dict:
    nan = math.nan
    if outcome is None:
        return {
            "contract": label,
            "family": family,
            "coordinates": False,
            "order_units": nan,
            "retailer_profit": nan,
            "supplier_profit": nan,
            "channel_profit": nan,
            "efficiency": nan,
            "retailer_share": nan,
            **dict.fromkeys(TERM_COLUMNS, nan),
            "note": note,
        }
    q0 = channel.optimal_order
    coordinates = abs(outcome.order_units - q0) <= 1e-9 * max(1.0, q0)
    share = outcome.retailer_profit / outcome.channel_profit if outcome.channel_profit else math.nan
    return {
        "contract": label,
        "family": family,
        "coordinates": bool(coordinates),
        "order_units": outcome.order_units,
        "retailer_profit": outcome.retailer_profit,
        "supplier_profit": outcome.supplier_profit,
        "channel_profit": outcome.channel_profit,
        "efficiency": outcome.efficiency,
        "retailer_share": share,
        **_terms(outcome.contract),
        "note": note,
    }


def rebate_threshold(channel: Channel, share: float, mean_units: float) -> float:
    """The default sales-rebate threshold: the mean season demand when it coordinates the
    channel with the buyer's ``share`` (and is at most Q°), else the coordinating
    threshold closest to it on a grid of 401 points between the 0.1 % quantile of demand
    and Q°, else min(mean, Q°) (the sales-rebate row then says why it fails)."""
    q0 = channel.optimal_order
    first = min(mean_units, q0)

    def works(t: float) -> bool:
        try:
            coordinate(channel, "sales_rebate", share, threshold_units=t)
        except ValueError:
            return False
        return True

    if works(first):
        return float(first)
    low = max(0.0, float(channel.demand.ppf(0.001)))
    grid = np.linspace(low, q0, 401)
    good = [float(t) for t in grid if works(float(t))]
    return min(good, key=lambda t: abs(t - mean_units)) if good else float(first)


def main_source(scenario: Scenario, plan: Plan, part_id: str) -> str:
    """The plan's main source of a part: the largest share of its horizon volume (ties: the
    first in scenario order)."""
    volume = volume_shares(scenario, plan, part_id)
    return max(volume, key=lambda s: volume[s])


def contracts(
    scenario: Scenario,
    part: str,
    *,
    supplier_cost_per_unit: float,
    salvage_per_unit: float = 0.0,
    supplier: str | None = None,
    season_periods: int | None = None,
    retailer_share: float = 0.5,
    rebate_threshold_units: float | None = None,
    plan: Plan | None = None,
) -> ContractsResult:
    """Cachon's contract analytics for ``part`` bought from ``supplier`` (default: the
    plan's main source), over a season of ``season_periods`` periods (default: a year);
    see the module docstring. Raises :class:`ArgumentError` (a ValueError) naming the
    argument that is wrong."""
    plan = scenario.plan if plan is None else plan
    ids = [p.id for p in scenario.parts]
    if part not in ids:
        raise ArgumentError("part", f"unknown part {part!r} (parts: {', '.join(ids)})")
    the_part = scenario.part(part)
    offers = scenario.offers_for(part)
    if supplier is None:
        supplier = main_source(scenario, plan, part)
    elif supplier not in offers:
        raise ArgumentError(
            "supplier", f"{supplier!r} makes no offer for {part} (offered by: {', '.join(offers)})"
        )
    offer = offers[supplier]
    periods = scenario.horizon.periods_per_year if season_periods is None else season_periods
    s = float(retailer_share)
    if not (math.isfinite(s) and 0.0 < s <= 1.0):
        raise ArgumentError(
            "retailer_share", f"the buyer's share must be in (0, 1] (got {retailer_share!r})"
        )
    p, c_s, v = the_part.revenue_per_unit, float(supplier_cost_per_unit), float(salvage_per_unit)
    for name, value in (("supplier_cost_per_unit", c_s), ("salvage_per_unit", v)):
        if not (math.isfinite(value) and value >= 0):
            raise ArgumentError(name, f"{name} must be a finite number >= 0 (got {value!r})")
    if not v < c_s:
        raise ArgumentError(
            "salvage_per_unit",
            f"the salvage value ({v:g}) must be below the supplier's unit cost ({c_s:g}): "
            "otherwise making units to salvage them pays",
        )
    if not c_s < p:
        raise ArgumentError(
            "supplier_cost_per_unit",
            f"the supplier's unit cost ({c_s:g}) must be below the retail price, the revenue "
            f"per unit of {part} ({p:g}): otherwise the channel cannot make money",
        )
    season = season_demand(the_part.demand.per_period_units, periods)
    channel = Channel(season.law, price_per_unit=p, supplier_cost_per_unit=c_s, salvage_per_unit=v)
    q0, pi0 = channel.optimal_order, channel.optimal_profit
    if rebate_threshold_units is None:
        t = rebate_threshold(channel, s, season.mean_units)
    else:
        t = rebate_threshold_units
    if not (math.isfinite(t) and 0.0 <= t <= q0):
        raise ArgumentError(
            "rebate_threshold_units",
            f"the sales-rebate threshold must be in [0, Q°] = [0, {q0:.6g}] units (got {t!r})",
        )

    rows = []
    w = offer.unit_price
    try:
        rows.append(
            _row(
                channel,
                "wholesale price (offer)",
                "wholesale_price",
                evaluate(channel, WholesalePrice(w)),
                "the current contract: the offer's unit price",
            )
        )
    except ValueError as exc:
        rows.append(_row(channel, "wholesale price (offer)", "wholesale_price", None, str(exc)))
    rows.append(
        _row(
            channel,
            "wholesale price (supplier-optimal)",
            "wholesale_price",
            supplier_optimal_wholesale_price(channel),
            "w*: the price a supplier setting it first would choose",
        )
    )
    for family in FAMILIES:
        label = FAMILY_LABELS[family] + (" (coordinating)" if family == "wholesale_price" else "")
        kwargs = {"threshold_units": float(t)} if family == "sales_rebate" else {}
        try:
            outcome = coordinate(channel, family, s, **kwargs)
            note = f"coordinates: the buyer orders Q° and gets {s:g} of Π°"
            rows.append(_row(channel, label, family, outcome, note))
        except ValueError as exc:
            rows.append(_row(channel, label, family, None, str(exc)))
    table = pd.DataFrame(rows)
    summary = pd.DataFrame(
        [
            {
                "part": part,
                "supplier": supplier,
                "season_periods": season.periods,
                "season_law": season.description,
                "season_law_exact": season.exact,
                "mean_demand_units": season.mean_units,
                "sd_demand_units": season.sd_units,
                "retail_price_per_unit": p,
                "offer_price_per_unit": w,
                "supplier_cost_per_unit": c_s,
                "salvage_per_unit": v,
                "optimal_order_units": q0,
                "optimal_profit": pi0,
                "target_retailer_share": s,
                "rebate_threshold_units": float(t),
            }
        ]
    )
    return ContractsResult(
        part=part,
        supplier=supplier,
        currency=scenario.meta.currency,
        season=season,
        retailer_share=s,
        rebate_threshold_units=float(t),
        channel=channel,
        summary=summary,
        contracts=table,
        definitions=definitions(scenario, season),
    )


def definitions(scenario: Scenario, season: SeasonDemand) -> dict[str, str]:
    """What the numbers of a ``contracts`` run mean."""
    period = scenario.horizon.period
    return {
        "source": (
            "Cachon (2003), Supply chain coordination with contracts, sec. 2 (newsvendor "
            "channel); see docs/explanation/contracts.md."
        ),
        "channel": (
            "The buyer (Cachon's retailer) orders q units before a season of "
            f"{season.periods} {period}s at the supplier's price; unsold units are salvaged, "
            "unmet demand is lost. Retail price = the part's revenue per unit; the buyer's own "
            "cost and goodwill costs are 0. Profits are expected values over one season."
        ),
        "season_demand": (
            f"Sum of {season.periods} independent per-{period} draws of the part's first-year "
            f"demand (no growth or seasonality): {season.description}; mean "
            f"{season.periods} x the per-{period} mean, variance {season.periods} x the "
            f"per-{period} variance."
        ),
        "efficiency": "Channel profit at the buyer's order / the integrated optimum Π° (at Q°).",
        "coordinates": (
            "The buyer's own best order equals the integrated optimum Q°, with the requested "
            "share of Π° for the buyer."
        ),
        "retailer_share": "The buyer's share of the channel profit under the contract.",
    }
