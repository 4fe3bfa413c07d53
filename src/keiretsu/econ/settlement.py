"""Settlement of a supplier contract at a contract review: pure, vectorised functions.

A review (quarterly, annual...) closes a settlement period of ``period_years`` years. The
purchases of the period are booked by the caller as they happen, at the base unit price;
settlement computes everything else the contract moves between buyer and supplier. Every
array argument has a leading replication axis (shape (R,), or (R, K) for K KPIs) and
scalars broadcast; money is in the scenario's currency.

**Sign convention.** Each component is a payment *from the buyer to the supplier*: positive
when the buyer pays, negative when the supplier pays (a rebate). The buyer's cash flow is
minus the payment and the supplier's is plus the payment, so the two always add to zero
(:meth:`Settlement.cash_flows`).

Components, with their formulas (V = units bought in the period, Y = units bought earlier
in the same contract year, P = base unit price, P' = indexed price):

* ``price_indexation`` = (P' - P) V, with P' = P (1 + pass_through (index_ratio - 1)): the
  share ``pass_through`` of the price follows the commodity index (ratio of the index now
  to its value at the base date). See :func:`indexed_price`.
* ``take_or_pay`` = shortfall_rate max(minimum_annual - (Y + V), 0), assessed only at the
  review that closes a contract year. See :func:`take_or_pay`.
* ``volume_rebate`` = -(R(Y + V) - R(Y)), the rebate R on annual volume accrued year to
  date, so quarterly reviews of annual tiers pay, summed over the year, exactly the annual
  rebate. R is all-units or incremental (:func:`tiered_rebate`); a rebate given as a share
  of spend is valued at this review's price P'.
* ``performance_bonus`` (>= 0) and ``performance_penalty`` (<= 0): scorecard KPIs against
  targets, with a remediation period before any penalty (:func:`performance_adjustment`);
  amounts are a fixed sum plus a share of the period's spend P' V.
* ``gain_share`` = -buyer_share x savings: the buyer's share of the supplier-driven cost
  reductions of the period, passed back to the buyer (:func:`gain_share`).
* ``capacity_reservation`` = reserved_units_per_year x fee_per_unit_per_year x period_years
  (:func:`reservation_fee`).
* ``exit_fee`` = fee_per_remaining_year x max(term_years - elapsed_years, 0), paid by the
  party that exits early: + when the buyer exits, - when the supplier does (:func:`exit_fee`).

Annual quantities (minimum volume, tier thresholds, reservation) are per contract year;
everything else is per review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

RelationshipLevel = Literal["transactional", "preferred", "strategic_partnership", "joint_venture"]
RebateMode = Literal["all_units", "incremental"]
RebateBasis = Literal["per_unit", "share_of_spend"]

COMPONENTS: tuple[str, ...] = (
    "price_indexation",
    "take_or_pay",
    "volume_rebate",
    "performance_bonus",
    "performance_penalty",
    "gain_share",
    "capacity_reservation",
    "exit_fee",
)
"""Settlement components, in booking order."""


def _array(name: str, value: ArrayLike, *, nonnegative: bool = False) -> np.ndarray:
    a = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite")
    if nonnegative and np.any(a < 0):
        raise ValueError(f"{name} must be >= 0")
    return a


def _share(name: str, value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1] (got {value!r})")
    return float(value)


# ----------------------------------------------------------------------------- terms


@dataclass(frozen=True)
class RebateTiers:
    """Volume-rebate tiers: tier k covers annual volumes from ``thresholds_units[k]`` up.

    ``rates[k]`` is currency per unit (basis ``per_unit``) or a fraction of spend (basis
    ``share_of_spend``). Thresholds strictly increase from >= 0; rates never decrease
    (a higher tier never earns less).
    """

    thresholds_units: tuple[float, ...]
    rates: tuple[float, ...]
    basis: RebateBasis = "per_unit"

    def __post_init__(self) -> None:
        t = np.asarray(self.thresholds_units, dtype=float)
        r = np.asarray(self.rates, dtype=float)
        if t.ndim != 1 or t.size == 0 or t.shape != r.shape:
            raise ValueError("rebate tiers need as many rates as thresholds (at least one)")
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(r))):
            raise ValueError("rebate thresholds and rates must be finite")
        if t[0] < 0 or np.any(np.diff(t) <= 0):
            raise ValueError("rebate thresholds must be >= 0 and strictly increasing")
        if r[0] < 0 or np.any(np.diff(r) < 0):
            raise ValueError("rebate rates must be >= 0 and never decrease from tier to tier")
        if self.basis == "share_of_spend" and r[-1] > 1:
            raise ValueError("a rebate rate as a share of spend must be at most 1")


@dataclass(frozen=True)
class KpiTarget:
    """One scorecard target: ``higher_is_better`` (OTIF) or lower (defect ppm, lead-time sd)."""

    name: str
    target: float
    higher_is_better: bool


@dataclass(frozen=True)
class ContractTerms:
    """A supplier contract's terms as settlement sees them (defaults: the term is absent)."""

    relationship: RelationshipLevel = "transactional"
    """Engagement model; drives the simulator's supplier response, not settlement."""
    term_years: float = 1.0
    """Length of the contract (exit fees count the years left)."""
    minimum_annual_units: float = 0.0
    """Volume commitment per contract year (take-or-pay)."""
    shortfall_rate_per_unit: float = 0.0
    """Take-or-pay payment per unit short of the minimum."""
    volume_rebate: RebateTiers | None = None
    """Tiered rebate on annual volume."""
    volume_rebate_mode: RebateMode = "all_units"
    """All-units (the whole volume earns the top tier reached) or incremental."""
    kpi_targets: tuple[KpiTarget, ...] = ()
    """Scorecard targets that bonus and penalty look at (order = KPI columns)."""
    bonus_per_review: float = 0.0
    """Bonus, fixed part, paid at a review where every target is met."""
    bonus_share_of_spend: float = 0.0
    """Bonus, part proportional to the period's spend."""
    penalty_per_kpi_per_review: float = 0.0
    """Penalty, fixed part, per KPI missed beyond the remediation period."""
    penalty_share_of_spend_per_kpi: float = 0.0
    """Penalty, part proportional to the period's spend, per such KPI."""
    remediation_reviews: int = 0
    """Consecutive missed reviews allowed (improvement plan) before a KPI is penalised."""
    gain_share_buyer: float = 0.0
    """Buyer's share of supplier-driven cost reductions (the supplier keeps the rest)."""
    reserved_units_per_year: float = 0.0
    """Capacity reserved for the buyer."""
    reservation_fee_per_unit_per_year: float = 0.0
    """Fee per reserved unit of annual capacity."""
    index_pass_through: float = 0.0
    """Share of the price that follows the commodity index (0: fixed price)."""
    exit_fee_per_remaining_year: float = 0.0
    """Paid by the party that ends the contract early, per year left of the term."""

    def __post_init__(self) -> None:
        for name in (
            "term_years",
            "minimum_annual_units",
            "shortfall_rate_per_unit",
            "bonus_per_review",
            "bonus_share_of_spend",
            "penalty_per_kpi_per_review",
            "penalty_share_of_spend_per_kpi",
            "reserved_units_per_year",
            "reservation_fee_per_unit_per_year",
            "exit_fee_per_remaining_year",
        ):
            _array(name, getattr(self, name), nonnegative=True)
        for name in (
            "bonus_share_of_spend",
            "penalty_share_of_spend_per_kpi",
            "gain_share_buyer",
            "index_pass_through",
        ):
            _share(name, getattr(self, name))
        if not isinstance(self.remediation_reviews, int) or self.remediation_reviews < 0:
            raise ValueError("remediation_reviews must be a whole number >= 0")


@dataclass(frozen=True)
class ReviewInputs:
    """What happened in the settlement period ending at a review (arrays over replications)."""

    period_years: float
    """Length of the period the review settles (0.25 quarterly, 1 annual)."""
    elapsed_years: float
    """Contract time at the review."""
    volume_units: ArrayLike
    """Units bought from the supplier in the period."""
    unit_price_per_unit: ArrayLike
    """Base unit price at which the period's purchases were booked."""
    year_to_date_units: ArrayLike = 0.0
    """Units bought earlier in the same contract year (before this period)."""
    closes_contract_year: bool = False
    """Whether this review ends a contract year (take-or-pay is assessed then)."""
    index_ratio: ArrayLike = 1.0
    """Commodity index now over its value at the base date."""
    kpis: ArrayLike | None = None
    """Scorecard values, shape (R, K) in the order of ``kpi_targets``; NaN = not measured."""
    consecutive_misses: ArrayLike | None = None
    """Per replication and KPI, consecutive reviews missed so far, shape (R, K)."""
    supplier_savings: ArrayLike = 0.0
    """Supplier-driven cost reductions realised in the period (currency, >= 0)."""
    buyer_exits: ArrayLike = False
    """The buyer ends the contract at this review."""
    supplier_exits: ArrayLike = False
    """The supplier ends the contract at this review."""


@dataclass(frozen=True)
class PerformanceAdjustment:
    """Result of :func:`performance_adjustment` (arrays over replications)."""

    bonus: np.ndarray
    """Bonus the buyer pays, >= 0, shape (R,)."""
    penalty: np.ndarray
    """Penalty the supplier pays, >= 0, shape (R,)."""
    consecutive_misses: np.ndarray
    """Updated counters, shape (R, K)."""
    met: np.ndarray
    """Whether each KPI met its target (False when not measured), shape (R, K)."""
    penalised: np.ndarray
    """Whether each KPI was penalised, shape (R, K)."""

    @property
    def payment(self) -> np.ndarray:
        """Net payment buyer -> supplier: bonus - penalty."""
        return self.bonus - self.penalty


@dataclass(frozen=True)
class Settlement:
    """Payments buyer -> supplier by component at one review (each shape (R,))."""

    components: Mapping[str, np.ndarray]
    consecutive_misses: np.ndarray
    """Updated KPI miss counters, shape (R, K) (K = 0 without targets)."""
    indexed_price_per_unit: np.ndarray = field(repr=False)
    """P' of the period, shape (R,)."""

    @property
    def buyer_pays(self) -> np.ndarray:
        """Net payment buyer -> supplier (negative: the supplier pays), shape (R,)."""
        return np.sum([self.components[c] for c in COMPONENTS], axis=0)

    def cash_flows(self) -> dict[str, dict[str, np.ndarray]]:
        """Per party and component: buyer -payment, supplier +payment (they add to zero)."""
        return {
            "buyer": {c: -self.components[c] for c in COMPONENTS},
            "supplier": {c: self.components[c].copy() for c in COMPONENTS},
        }


# ----------------------------------------------------------------------------- components


def tiered_rebate(
    volume_units: ArrayLike,
    tiers: RebateTiers,
    mode: RebateMode = "all_units",
    unit_price_per_unit: ArrayLike | None = None,
) -> np.ndarray:
    """Rebate earned on an annual volume V (currency, >= 0).

    With thresholds T_0 < T_1 < ... and rates r_0 <= r_1 <= ...:

    * all-units: the whole volume earns the rate of the highest tier reached,
      ``R(V) = r_k V`` with k = max{k : V >= T_k} (0 below T_0);
    * incremental: each tier's rate applies to the units inside it,
      ``R(V) = sum_k r_k max(0, min(V, T_{k+1}) - T_k)`` (T_K = infinity).

    Basis ``share_of_spend`` multiplies by the unit price (required then).
    """
    v = _array("volume_units", volume_units, nonnegative=True)
    t = np.asarray(tiers.thresholds_units, dtype=float)
    r = np.asarray(tiers.rates, dtype=float)
    if mode == "all_units":
        k = np.searchsorted(t, v, side="right") - 1
        per_unit = np.where(k >= 0, r[np.maximum(k, 0)], 0.0) * v
    elif mode == "incremental":
        width = np.append(np.diff(t), np.inf)
        inside = np.clip(v[..., None] - t, 0.0, width)
        per_unit = inside @ r
    else:
        raise ValueError(f"mode must be 'all_units' or 'incremental' (got {mode!r})")
    if tiers.basis == "per_unit":
        if unit_price_per_unit is not None:
            raise ValueError("a per-unit rebate takes no unit price")
        return per_unit
    if unit_price_per_unit is None:
        raise ValueError("a rebate as a share of spend needs unit_price_per_unit")
    return per_unit * _array("unit_price_per_unit", unit_price_per_unit, nonnegative=True)


def take_or_pay(
    volume_units: ArrayLike, minimum_units: ArrayLike, shortfall_rate_per_unit: ArrayLike
) -> np.ndarray:
    """Shortfall payment buyer -> supplier: ``rate max(minimum - V, 0)``."""
    v = _array("volume_units", volume_units, nonnegative=True)
    m = _array("minimum_units", minimum_units, nonnegative=True)
    rate = _array("shortfall_rate_per_unit", shortfall_rate_per_unit, nonnegative=True)
    return rate * np.maximum(m - v, 0.0)


def performance_adjustment(
    kpis: ArrayLike,
    targets: Sequence[KpiTarget],
    bonus: ArrayLike,
    penalty: ArrayLike,
    consecutive_misses: ArrayLike,
    remediation_reviews: int,
) -> PerformanceAdjustment:
    """Bonus and penalty of one review from KPIs of shape (R, K) against K targets.

    A KPI meets its target when ``kpi >= target`` (higher is better) or ``kpi <= target``.
    Misses are counted per KPI: ``m' = m + 1`` on a miss, ``0`` when met, unchanged when
    the KPI is not measured (NaN). The bonus (amount per review, (R,) or scalar) is paid
    only when every KPI is measured and met (all or nothing). A KPI is penalised when it
    has now missed more than ``remediation_reviews`` reviews in a row (the first
    ``remediation_reviews`` misses run a collaborative improvement plan instead); the
    penalty is ``penalty`` (amount per KPI per review) times the number of such KPIs.
    """
    x = np.asarray(kpis, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(targets):
        raise ValueError(
            f"kpis must have shape (replications, {len(targets)}) to match the targets "
            f"(got {x.shape})"
        )
    if np.any(np.isinf(x)):
        raise ValueError("kpis must be finite (NaN = not measured)")
    misses = np.asarray(consecutive_misses)
    if misses.shape != x.shape or np.any(misses < 0) or np.any(misses != np.round(misses)):
        raise ValueError(f"consecutive_misses must be whole numbers >= 0 of shape {x.shape}")
    if not isinstance(remediation_reviews, int | np.integer) or remediation_reviews < 0:
        raise ValueError("remediation_reviews must be a whole number >= 0")
    b = _array("bonus", bonus, nonnegative=True)
    pen = _array("penalty", penalty, nonnegative=True)
    goal = np.array([t.target for t in targets], dtype=float)
    higher = np.array([t.higher_is_better for t in targets], dtype=bool)
    measured = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        met = measured & np.where(higher, x >= goal, x <= goal)
    missed = measured & ~met
    updated = np.where(met, 0, np.where(missed, misses + 1, misses)).astype(np.int64)
    penalised = missed & (updated > remediation_reviews)
    everything_met = np.all(met, axis=1) if len(targets) else np.zeros(x.shape[0], bool)
    shape = (x.shape[0],)
    return PerformanceAdjustment(
        bonus=np.broadcast_to(np.where(everything_met, b, 0.0), shape).copy(),
        penalty=np.broadcast_to(pen * penalised.sum(axis=1), shape).astype(float),
        consecutive_misses=updated,
        met=met,
        penalised=penalised,
    )


def gain_share(savings: ArrayLike, buyer_share: float) -> np.ndarray:
    """Amount of supplier-driven savings passed to the buyer: ``buyer_share x savings``.

    The supplier keeps ``(1 - buyer_share) x savings``; savings are cost reductions (>= 0).
    """
    return _share("buyer_share", buyer_share) * _array("savings", savings, nonnegative=True)


def reservation_fee(
    reserved_units_per_year: ArrayLike, fee_per_unit_per_year: ArrayLike, period_years: float
) -> np.ndarray:
    """Capacity reservation fee for a period: ``reserved x fee x period_years``."""
    reserved = _array("reserved_units_per_year", reserved_units_per_year, nonnegative=True)
    fee = _array("fee_per_unit_per_year", fee_per_unit_per_year, nonnegative=True)
    return reserved * fee * float(_array("period_years", period_years, nonnegative=True))


def indexed_price(
    base_price_per_unit: ArrayLike, index_ratio: ArrayLike, pass_through: float
) -> np.ndarray:
    """Indexed price ``P (1 + pass_through (index_ratio - 1))``.

    ``index_ratio`` is the commodity index now over its value at the base date;
    ``pass_through`` the share of the price that follows it (0: fixed price, 1: fully
    indexed).
    """
    p = _array("base_price_per_unit", base_price_per_unit, nonnegative=True)
    ratio = _array("index_ratio", index_ratio, nonnegative=True)
    return p * (1.0 + _share("pass_through", pass_through) * (ratio - 1.0))


def exit_fee(years_remaining: ArrayLike, fee_per_remaining_year: ArrayLike) -> np.ndarray:
    """Fee for ending a contract early: ``fee x max(years_remaining, 0)``."""
    years = _array("years_remaining", years_remaining)
    fee = _array("fee_per_remaining_year", fee_per_remaining_year, nonnegative=True)
    return fee * np.maximum(years, 0.0)


# ----------------------------------------------------------------------------- settlement


def settle(terms: ContractTerms, review: ReviewInputs) -> Settlement:
    """All payments of one review, by component (see the module docstring)."""
    period = float(_array("period_years", review.period_years, nonnegative=True))
    volume = _array("volume_units", review.volume_units, nonnegative=True)
    before = _array("year_to_date_units", review.year_to_date_units, nonnegative=True)
    base = _array("unit_price_per_unit", review.unit_price_per_unit, nonnegative=True)
    buyer_exits = np.asarray(review.buyer_exits, dtype=bool)
    supplier_exits = np.asarray(review.supplier_exits, dtype=bool)
    n = np.broadcast_shapes(
        volume.shape,
        before.shape,
        base.shape,
        np.shape(review.index_ratio),
        np.shape(review.supplier_savings),
        buyer_exits.shape,
        supplier_exits.shape,
    )
    if len(n) > 1:
        raise ValueError(f"review inputs must be scalars or 1-D over replications (got {n})")
    if review.kpis is not None:
        n = np.broadcast_shapes(n, (np.shape(review.kpis)[0],))
    shape = n if n else (1,)

    def full(a: ArrayLike) -> np.ndarray:
        return np.broadcast_to(np.asarray(a, dtype=float), shape).copy()

    price = indexed_price(base, review.index_ratio, terms.index_pass_through)
    spend = price * volume
    year_total = before + volume

    rebate = np.zeros(shape)
    if terms.volume_rebate is not None:
        spend_basis = terms.volume_rebate.basis == "share_of_spend"
        unit_price = price if spend_basis else None
        rebate = tiered_rebate(
            year_total, terms.volume_rebate, terms.volume_rebate_mode, unit_price
        ) - tiered_rebate(before, terms.volume_rebate, terms.volume_rebate_mode, unit_price)

    shortfall = (
        take_or_pay(year_total, terms.minimum_annual_units, terms.shortfall_rate_per_unit)
        if review.closes_contract_year
        else np.zeros(shape)
    )

    k = len(terms.kpi_targets)
    if k:
        if review.kpis is None:
            raise ValueError(f"the contract has {k} KPI targets: the review needs kpis")
        kpis = np.asarray(review.kpis, dtype=float)
        misses = (
            np.zeros(kpis.shape, dtype=np.int64)
            if review.consecutive_misses is None
            else np.asarray(review.consecutive_misses)
        )
        perf = performance_adjustment(
            kpis,
            terms.kpi_targets,
            bonus=terms.bonus_per_review + terms.bonus_share_of_spend * spend,
            penalty=terms.penalty_per_kpi_per_review + terms.penalty_share_of_spend_per_kpi * spend,
            consecutive_misses=misses,
            remediation_reviews=terms.remediation_reviews,
        )
        bonus, penalty, misses = perf.bonus, perf.penalty, perf.consecutive_misses
    else:
        bonus, penalty = np.zeros(shape), np.zeros(shape)
        misses = np.zeros((shape[0], 0), dtype=np.int64)

    remaining = terms.term_years - float(review.elapsed_years)
    fee = exit_fee(remaining, terms.exit_fee_per_remaining_year)
    components = {
        "price_indexation": full((price - base) * volume),
        "take_or_pay": full(shortfall),
        "volume_rebate": full(-rebate),
        "performance_bonus": full(bonus),
        "performance_penalty": full(-penalty),
        "gain_share": full(-gain_share(review.supplier_savings, terms.gain_share_buyer)),
        "capacity_reservation": full(
            reservation_fee(
                terms.reserved_units_per_year, terms.reservation_fee_per_unit_per_year, period
            )
        ),
        "exit_fee": full(fee * (buyer_exits.astype(float) - supplier_exits.astype(float))),
    }
    return Settlement(
        components=components, consecutive_misses=misses, indexed_price_per_unit=full(price)
    )
