"""Contracts at run time: the supplier response, scorecards, settlement and escalation.

**Supplier response** (each value from the contract's ``response``, else the default of its
relationship level, :data:`keiretsu.scenario.contracts.RESPONSE_DEFAULTS`; a supplier
without a contract is transactional):

* *Effort.* The money at stake in a contract's bonus and penalty, as a share ``m`` of the
  supplier's expected annual revenue from the buyer (year 1, the plan's shares), buys
  effort ``e = 1 - exp(-m / effort_stake_scale)`` (diminishing returns): the on-time
  probability of its offers rises by ``effort_on_time_gain x e`` and their defect rate
  falls by ``effort_defect_cut x e``.
* *Priority in a shortage.* The supplier's other customers load its shared capacity
  with ``other_customers_units_per_period``. When the buyer's requests B and theirs D
  exceed the capacity C left, the buyer first gets its reserved units
  (``capacity_reservation``), then a weighted proportional share of the rest:
  ``min(B, R + (C - R) w B' / (w B' + D))`` with ``R = min(reserved, B, C)``, ``B' = B - R``
  and weight ``w = priority_weight x (1 + b) x (1 + e)``, ``b`` the buyer's share of the
  supplier's expected load (its share of the business) and ``e`` the effort above.
* *Continuous improvement.* Each year the supplier's unit cost falls by
  ``annual_cost_reduction`` and its defect rate by ``annual_defect_reduction``.
* *Supplier-driven improvements.* A Poisson process with ``improvements_per_year x (1 +
  e)`` a year (stream ``improvements/SUPPLIER``); each is, with equal chance, a cost
  improvement (unit cost x (1 - X), X exponential with mean ``improvement_cost_effect``)
  or a quality one (defect rate x (1 - X), mean ``improvement_quality_effect``).
  The supplier's cost savings (continuous and improvements) are shared with the buyer at
  each review by the contract's ``gain_share_buyer``.
* *Transparency.* ``early_warning_days``: contingencies hear of the supplier's capacity
  losses that many days before they start (they can move volume ahead of time).
* *Hidden costs.* ``rebid_cost_share_of_spend`` of spend is paid at each review (rebidding,
  administration); switching cost and qualification time are the suppliers' qualification.

**Reviews** (a SimPy process; quarterly = every 13 weeks / 91 days, annual = 52 weeks /
365 days, just before the review of that period): per contracted supplier and replication,
over the review window: OTIF of the order lines placed, defect ppm, the standard deviation
of the lead times of the lines shipped at once, the improvements of the last 12 months and
the cost reduction over them; the weighted **scorecard** (each dimension 0-100: the
attainment ``min(actual / target, 1)`` or ``min(target / actual, 1)``, OTIF and lead-time
variability averaged for delivery, sustainability = its score x 100; weights renormalised
over the dimensions measured); the **settlement** of the window
(:func:`keiretsu.econ.settlement.settle`: take-or-pay at the end of each contract year,
volume rebates on the year-to-date volume, bonus and penalty with the remediation period,
gain share, the reservation fee, an exit fee) plus the rebidding overhead: the buyer's
net payment is ``contract_cost`` (``buyer_pays`` per review); per party, the supplier is
paid ``supplier_receives`` (the same less the buyer's own administration) and gains its
``supplier_savings`` (so its contract cash flow is their sum, the gain share it passes
back being in the first); and the **escalation** (management track): a score below
``remediation_below`` starts an improvement plan (once), which works with its probability
(one uniform per supplier and replication, stream ``remediation/SUPPLIER``) after its delay
and then closes ``remediation_effect`` of the gap of defects and on-time to their targets;
``reviews_before_action`` reviews in a row below ``shift_below`` move ``shift_share`` of
the supplier's share of each part to the part's other suppliers in the plan, within their
spare capacity at the part's peak expected demand of the coming year (once); the same below
``exit_below`` ends the contract after the exit notice (the buyer pays the exit fee, the
share moves to the others).

Commodity indexation (``indexation.pass_through``) scales the scenario's price shocks
for the supplier's offers in the purchase price itself (spot: all of it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from keiretsu.econ.settlement import (
    ContractTerms,
    KpiTarget,
    RebateTiers,
    ReviewInputs,
    settle,
)
from keiretsu.rng import stream
from keiretsu.scenario.contracts import RESPONSE_DEFAULTS, Contract, Targets
from keiretsu.scenario.model import Plan, Scenario

REVIEW_DAYS = {"quarterly": 91, "annual": 365}
"""Days between reviews."""

KPI_NAMES = (
    "otif",
    "defect_ppm",
    "lead_time_sd_days",
    "annual_cost_reduction",
    "improvements_per_year",
)
HIGHER_IS_BETTER = {
    "otif": True,
    "defect_ppm": False,
    "lead_time_sd_days": False,
    "annual_cost_reduction": True,
    "improvements_per_year": True,
}


@dataclass(frozen=True)
class SupplierContract:
    """One supplier's compiled contract and response."""

    supplier: int
    spec: Contract | None  # None: no contract (spot, transactional)
    terms: ContractTerms
    targets: dict[str, float]  # the scorecard targets that apply
    review_periods: int
    reviews_per_year: float
    effort: float  # e in [0, 1)
    annual_cost_reduction: float
    annual_defect_reduction: float
    improvements_per_year: float
    improvement_cost_effect: float
    improvement_quality_effect: float
    rebid_cost_share_of_spend: float


@dataclass(frozen=True)
class ContractSet:
    """Every supplier's contract and response, and the per-supplier arrays the kernel uses."""

    suppliers: tuple[SupplierContract, ...]  # contracted suppliers only
    priority: np.ndarray  # (U,) weight of the buyer's orders in a shortage
    other_demand: np.ndarray  # (U,) other customers' load per period
    reserved: np.ndarray  # (U,) units per period reserved for the buyer
    pass_through: np.ndarray  # (U,) share of price shocks in the purchase price
    early_warning_days: np.ndarray  # (U,)
    on_time_gain: np.ndarray  # (U,) added to the on-time probability of its offers
    defect_factor: np.ndarray  # (U,) multiplies the defect rate of its offers (effort)
    defect_year: np.ndarray  # (Y, U) continuous improvement of defect rates, by plan year
    cost_year: np.ndarray  # (Y, U) continuous improvement of unit cost, by plan year
    improvement_rate: np.ndarray  # (U,) improvements a year (incl. the effort boost)
    improvement_cost_effect: np.ndarray  # (U,)
    improvement_quality_effect: np.ndarray  # (U,)
    weights: dict[str, float]  # scorecard weights
    sustainability: np.ndarray  # (U,) 0-1 or NaN

    @property
    def active(self) -> bool:
        """Whether anything here changes the simulation (contracts, others, response)."""
        return (
            bool(self.suppliers)
            or bool((self.other_demand > 0).any())
            or bool((self.improvement_rate > 0).any())
        )


def compile_contracts(
    scenario: Scenario,
    plan: Plan,
    supplier_ids: list[str],
    offer_supplier: np.ndarray,
    share: np.ndarray,
    price: np.ndarray,
    mean_demand_per_offer: np.ndarray,
    periods_per_year: int,
    days_per_period: int,
) -> ContractSet:
    """Compile the contracts of ``scenario`` (the plan's replace the scenario's)."""
    contracts = {c.supplier: c for c in scenario.contracts} | {
        c.supplier: c for c in plan.contracts
    }
    U, Y = len(supplier_ids), share.shape[0]
    load = np.bincount(offer_supplier, weights=share[0] * mean_demand_per_offer, minlength=U)
    spend = (
        np.bincount(
            offer_supplier, weights=share[0] * mean_demand_per_offer * price[0], minlength=U
        )
        * periods_per_year
    )
    others = np.array([s.other_customers_units_per_period for s in scenario.suppliers])
    arrays = {
        name: np.zeros(U)
        for name in (
            "priority",
            "reserved",
            "early_warning_days",
            "on_time_gain",
            "improvement_rate",
            "improvement_cost_effect",
            "improvement_quality_effect",
        )
    }
    pass_through = np.ones(U)
    defect_factor = np.ones(U)
    defect_year, cost_year = np.ones((Y, U)), np.ones((Y, U))
    compiled = []
    defaults = scenario.scorecard.targets
    for u, sup in enumerate(supplier_ids):
        c = contracts.get(sup)
        level = "transactional" if c is None else c.relationship

        def value(name: str, c=c, level=level) -> float:
            return RESPONSE_DEFAULTS[level][name] if c is None else c.response_value(name)

        stake = 0.0 if c is None else _stake(c, spend[u], periods_per_year, days_per_period)
        share_of_stake = stake / spend[u] if spend[u] > 0 else 0.0
        effort = 1.0 - math.exp(-share_of_stake / value("effort_stake_scale"))
        b = load[u] / (load[u] + others[u]) if load[u] + others[u] > 0 else 0.0
        arrays["priority"][u] = value("priority_weight") * (1.0 + b) * (1.0 + effort)
        arrays["on_time_gain"][u] = value("effort_on_time_gain") * effort
        defect_factor[u] = 1.0 - value("effort_defect_cut") * effort
        arrays["early_warning_days"][u] = value("early_warning_days")
        arrays["improvement_rate"][u] = value("improvements_per_year") * (1.0 + effort)
        arrays["improvement_cost_effect"][u] = value("improvement_cost_effect")
        arrays["improvement_quality_effect"][u] = value("improvement_quality_effect")
        years = np.arange(Y)
        defect_year[:, u] = (1.0 - value("annual_defect_reduction")) ** years
        cost_year[:, u] = (1.0 - value("annual_cost_reduction")) ** years
        if c is None:
            continue
        if c.capacity_reservation is not None:
            arrays["reserved"][u] = c.capacity_reservation.reserved_units_per_period
        if c.indexation is not None:
            pass_through[u] = c.indexation.pass_through
        targets = _targets(defaults, c.performance.targets if c.performance else None)
        review_days = REVIEW_DAYS[c.review]
        compiled.append(
            SupplierContract(
                supplier=u,
                spec=c,
                terms=_terms(c, targets, periods_per_year),
                targets=targets,
                review_periods=max(1, round(review_days / days_per_period)),
                reviews_per_year=365.0 / review_days,
                effort=effort,
                annual_cost_reduction=value("annual_cost_reduction"),
                annual_defect_reduction=value("annual_defect_reduction"),
                improvements_per_year=arrays["improvement_rate"][u],
                improvement_cost_effect=value("improvement_cost_effect"),
                improvement_quality_effect=value("improvement_quality_effect"),
                rebid_cost_share_of_spend=value("rebid_cost_share_of_spend"),
            )
        )
    weights = scenario.scorecard.weights.model_dump()
    return ContractSet(
        suppliers=tuple(compiled),
        priority=arrays["priority"],
        other_demand=others,
        reserved=arrays["reserved"],
        pass_through=pass_through,
        early_warning_days=arrays["early_warning_days"],
        on_time_gain=arrays["on_time_gain"],
        defect_factor=defect_factor,
        defect_year=defect_year,
        cost_year=cost_year,
        improvement_rate=arrays["improvement_rate"],
        improvement_cost_effect=arrays["improvement_cost_effect"],
        improvement_quality_effect=arrays["improvement_quality_effect"],
        weights=weights,
        sustainability=np.array(
            [
                np.nan if s.sustainability_score is None else s.sustainability_score
                for s in scenario.suppliers
            ]
        ),
    )


def _targets(defaults: Targets, own: Targets | None) -> dict[str, float]:
    out = {}
    for name in KPI_NAMES:
        value = getattr(own, name) if own is not None else None
        value = getattr(defaults, name) if value is None else value
        if value is not None:
            out[name] = float(value)
    return out


def _stake(c: Contract, spend: float, periods_per_year: int, days_per_period: int) -> float:
    """Money a year the supplier can win or lose on performance (bonus + penalties)."""
    p = c.performance
    if p is None:
        return 0.0
    reviews = 365.0 / REVIEW_DAYS[c.review]
    kpis = sum(getattr(p.targets, k) is not None for k in KPI_NAMES) or 1
    bonus = p.bonus_per_review * reviews + p.bonus_share_of_spend * spend
    penalty = kpis * (
        p.penalty_per_kpi_per_review * reviews + p.penalty_share_of_spend_per_kpi * spend
    )
    return bonus + penalty


def _terms(c: Contract, targets: dict[str, float], periods_per_year: int) -> ContractTerms:
    """The contract as :mod:`keiretsu.econ.settlement` sees it."""
    perf = c.performance
    kpis = tuple(
        KpiTarget(name, targets[name], HIGHER_IS_BETTER[name])
        for name in KPI_NAMES
        if perf is not None and getattr(perf.targets, name) is not None
    )
    rebate = None
    if c.rebate is not None:
        rebate = RebateTiers(
            thresholds_units=tuple(t.from_units for t in c.rebate.tiers),
            rates=tuple(t.rate for t in c.rebate.tiers),
            basis=c.rebate.basis,
        )
    reservation = c.capacity_reservation
    return ContractTerms(
        relationship=c.relationship,
        term_years=c.term_years,
        minimum_annual_units=0.0
        if c.volume_commitment is None
        else c.volume_commitment.minimum_annual_units,
        shortfall_rate_per_unit=(
            0.0 if c.volume_commitment is None else c.volume_commitment.shortfall_rate_per_unit
        ),
        volume_rebate=rebate,
        volume_rebate_mode=c.rebate.mode if c.rebate is not None else "all_units",
        kpi_targets=kpis,
        bonus_per_review=perf.bonus_per_review if perf else 0.0,
        bonus_share_of_spend=perf.bonus_share_of_spend if perf else 0.0,
        penalty_per_kpi_per_review=perf.penalty_per_kpi_per_review if perf else 0.0,
        penalty_share_of_spend_per_kpi=perf.penalty_share_of_spend_per_kpi if perf else 0.0,
        remediation_reviews=perf.remediation_reviews if perf else 0,
        gain_share_buyer=c.gain_share_buyer,
        reserved_units_per_year=0.0
        if reservation is None
        else reservation.reserved_units_per_period * periods_per_year,
        reservation_fee_per_unit_per_year=(
            0.0
            if reservation is None
            else reservation.fee_per_period / reservation.reserved_units_per_period
        ),
        index_pass_through=0.0,  # the kernel applies indexation in the price itself
        exit_fee_per_remaining_year=c.exit.fee_per_remaining_year,
    )


# --------------------------------------------------------------------------- draws


@dataclass
class Improvements:
    """Supplier-driven improvements of a batch, drawn up front."""

    cost: np.ndarray  # (T, R, U) unit-cost factor in force at mid-period (product of 1 - X)
    quality: np.ndarray  # (T, R, U) defect-rate factor in force
    log: list[tuple]  # (replication, day, supplier, kind, effect)
    remediation_u: np.ndarray  # (R, U) uniform deciding whether a remediation plan works


def draw_improvements(
    net_supplier_ids: list[str],
    contracts: ContractSet,
    seed: int,
    replications: list[int],
    n_periods: int,
    days_per_period: int,
) -> Improvements:
    """Poisson improvements per supplier and replication (see the module docstring)."""
    T, R, U = n_periods, len(replications), len(net_supplier_ids)
    horizon = T * days_per_period
    mid = (np.arange(T) + 0.5) * days_per_period
    cost, quality = np.ones((T, R, U)), np.ones((T, R, U))
    log: list[tuple] = []
    remediation_u = np.ones((R, U))
    for u, sup in enumerate(net_supplier_ids):
        rate = contracts.improvement_rate[u]
        for r, rep in enumerate(replications):
            remediation_u[r, u] = stream(seed, rep, f"remediation/{sup}").random()
            if rate <= 0:
                continue
            rng = stream(seed, rep, f"improvements/{sup}")
            day = 0.0
            while True:
                day += float(rng.exponential(365.0 / rate))
                is_cost = rng.random() < 0.5
                mean = (
                    contracts.improvement_cost_effect[u]
                    if is_cost
                    else contracts.improvement_quality_effect[u]
                )
                effect = min(float(rng.exponential(mean)), 0.9)
                if day >= horizon:
                    break
                log.append((rep, day, sup, "cost" if is_cost else "quality", effect))
                target = cost if is_cost else quality
                target[mid >= day, r, u] *= 1.0 - effect
    return Improvements(cost, quality, log, remediation_u)


# --------------------------------------------------------------------------- run time


class ContractRuns:
    """Run-time state of the contracts of one batch (counters, scores, escalation)."""

    def __init__(self, kernel):
        net, R = kernel.net, kernel.R
        self.kernel, self.net, self.set = kernel, net, net.contracts
        U, O = len(net.supplier_ids), net.n_offers
        self.remediation = np.ones((R, U))  # defect-rate factor from successful plans
        self.remediation_started = np.zeros((R, U), dtype=bool)
        self.share_factor = np.ones((R, U))  # 1 - share moved away (shift, exit)
        self.low_reviews = np.zeros((R, U), dtype=np.int64)
        self.shifted = np.zeros((R, U), dtype=bool)
        self.exit_at = np.full((R, U), np.inf)  # period the exit takes effect
        self.misses = {
            c.supplier: np.zeros((R, len(c.terms.kpi_targets)), dtype=np.int64)
            for c in self.set.suppliers
        }
        self.year_units = np.zeros((R, U))
        self.reviews_done = np.zeros(U, dtype=np.int64)
        self.rows: list[dict] = []
        self.window = {
            k: np.zeros((R, O))
            for k in (
                "lines",
                "otif",
                "s1",
                "s2",
                "n",
                "received",
                "rejected",
                "units",
                "spend",
                "savings",
            )
        }

    # ---- per period, from the kernel step
    def count(
        self,
        t: int,
        otif_line: np.ndarray,
        line: np.ndarray,
        transit_days,
        received,
        rejected,
        accepted,
        spend,
        savings,
    ) -> None:
        w = self.window
        w["lines"] += line
        w["otif"] += otif_line
        at_once = otif_line  # lines shipped at once and not late: their lead time is the quote
        w["n"] += at_once
        w["s1"] += at_once * transit_days
        w["s2"] += at_once * transit_days**2
        w["received"] += received
        w["rejected"] += rejected
        w["units"] += accepted
        w["spend"] += spend
        w["savings"] += savings

    def review(self, t: int, index: int) -> None:
        """Score, settle and escalate every contracted supplier at the review before period t."""
        net, kernel = self.net, self.kernel
        R = kernel.R
        dpp, per_year = net.days_per_period, net.periods_per_year
        cost = kernel.rec["contract_cost"][t]
        for c in self.set.suppliers:
            if t == 0 or (t % c.review_periods) != 0:
                continue
            u = c.supplier
            offers = np.flatnonzero(net.offer_supplier == u)
            w = {k: v[:, offers].sum(axis=1) for k, v in self.window.items()}
            with np.errstate(invalid="ignore", divide="ignore"):
                otif = np.where(w["lines"] > 0, w["otif"] / w["lines"], np.nan)
                ppm = np.where(w["received"] > 0, w["rejected"] / w["received"] * 1e6, np.nan)
                mean = np.where(w["n"] > 0, w["s1"] / w["n"], np.nan)
                var = np.where(w["n"] > 1, (w["s2"] - w["n"] * mean**2) / (w["n"] - 1), np.nan)
            sd = np.sqrt(np.maximum(var, 0.0))
            year = net.period_year[t - 1]
            now_cost = self.set.cost_year[year, u] * kernel.improvements.cost[t - 1, :, u]
            before_t = max(t - 1 - per_year, 0)
            then_cost = (
                self.set.cost_year[net.period_year[before_t], u]
                * kernel.improvements.cost[before_t, :, u]
            )
            reduction = 1.0 - now_cost / then_cost
            day = t * dpp
            done = [
                (rep_i, d)
                for (rep_i, d, sup, _kind, _e) in kernel.improvements.log
                if sup == net.supplier_ids[u] and day - 365 <= d < day
            ]
            reps = kernel.replications
            improvements = np.array([sum(1 for r_, _ in done if r_ == rep) for rep in reps], float)
            improvements *= 365.0 / min(day, 365.0)
            kpi = {
                "otif": otif,
                "defect_ppm": ppm,
                "lead_time_sd_days": sd,
                "annual_cost_reduction": reduction,
                "improvements_per_year": improvements,
            }
            scores = self._scores(c, kpi, u)
            total = scores.pop("score")
            # settlement of the window
            years_elapsed = t / per_year
            period_years = c.review_periods / per_year
            self.reviews_done[u] += 1
            closes = self.reviews_done[u] % max(round(c.reviews_per_year), 1) == 0
            kpis = (
                np.stack([kpi[k.name] for k in c.terms.kpi_targets], axis=1)
                if c.terms.kpi_targets
                else None
            )
            with np.errstate(invalid="ignore", divide="ignore"):
                price = np.where(w["units"] > 0, w["spend"] / w["units"], 0.0)
            result = settle(
                c.terms,
                ReviewInputs(
                    period_years=period_years,
                    elapsed_years=years_elapsed,
                    volume_units=w["units"],
                    unit_price_per_unit=price,
                    year_to_date_units=self.year_units[:, u],
                    closes_contract_year=bool(closes),
                    kpis=kpis,
                    consecutive_misses=self.misses[u] if kpis is not None else None,
                    supplier_savings=np.maximum(w["savings"], 0.0),
                ),
            )
            if kpis is not None:
                self.misses[u] = result.consecutive_misses
            self.year_units[:, u] = 0.0 if closes else self.year_units[:, u] + w["units"]
            components = {
                k: np.asarray(v, dtype=float) * np.ones(R) for k, v in result.components.items()
            }
            components["administration"] = c.rebid_cost_share_of_spend * w["spend"]
            action = self._escalate(c, u, total, t, components, years_elapsed)
            paid = sum(components.values())
            savings = np.maximum(w["savings"], 0.0) * np.ones(R)
            cost[:, u] += paid
            for v in self.window.values():
                v[:, offers] = 0.0
            for r, rep in enumerate(reps):
                self.rows.append(
                    {
                        "replication": rep,
                        "review": index,
                        "period": t,
                        "supplier": net.supplier_ids[u],
                        "relationship": c.spec.relationship,
                        **{k: float(v[r]) for k, v in kpi.items()},
                        **{f"{k}_score": float(v[r]) for k, v in scores.items()},
                        "score": float(total[r]),
                        **{k: float(v[r]) for k, v in components.items()},
                        "buyer_pays": float(paid[r]),
                        # the other party: what it is paid (the buyer's administration is
                        # not paid to it; the gain share it passes back is in it) and its
                        # cost savings of the window (its unit-cost reductions x units)
                        "supplier_receives": float(paid[r] - components["administration"][r]),
                        "supplier_savings": float(savings[r]),
                        "action": action[r],
                    }
                )

    def review_periods(self) -> list[int]:
        """Periods (> 0) at whose start some contract is reviewed."""
        T = self.net.n_periods
        times = {
            t for c in self.set.suppliers for t in range(c.review_periods, T, c.review_periods)
        }
        return sorted(times)

    def _scores(
        self, c: SupplierContract, kpi: dict[str, np.ndarray], u: int
    ) -> dict[str, np.ndarray]:
        """Dimension scores 0-100 and the weighted total (renormalised over what is measured)."""
        R = self.kernel.R

        def attain(name: str) -> np.ndarray:
            target = c.targets.get(name)
            x = kpi[name]
            if target is None:
                return np.full(R, np.nan)
            with np.errstate(invalid="ignore", divide="ignore"):
                if HIGHER_IS_BETTER[name]:
                    a = np.where(target > 0, x / target, 1.0)
                else:
                    a = np.where(x > 0, target / x, 1.0)
            return 100.0 * np.clip(a, 0.0, 1.0)

        parts = np.stack([attain("otif"), attain("lead_time_sd_days")])
        with np.errstate(invalid="ignore"):
            counted = (~np.isnan(parts)).sum(axis=0)
            delivery = np.where(
                counted > 0, np.nansum(parts, axis=0) / np.maximum(counted, 1), np.nan
            )
        scores = {
            "cost": attain("annual_cost_reduction"),
            "quality": attain("defect_ppm"),
            "delivery": delivery,
            "innovation": attain("improvements_per_year"),
            "sustainability": np.full(R, 100.0 * self.set.sustainability[u]),
        }
        weights = self.set.weights
        num = np.zeros(R)
        den = np.zeros(R)
        for name, s in scores.items():
            ok = ~np.isnan(s)
            num += np.where(ok, weights[name] * s, 0.0)
            den += np.where(ok, weights[name], 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores["score"] = np.where(den > 0, num / den, np.nan)
        return scores

    def _escalate(
        self,
        c: SupplierContract,
        u: int,
        score: np.ndarray,
        t: int,
        components: dict,
        years_elapsed: float,
    ) -> list[str]:
        """The management track's actions for supplier ``u`` after a review (per replication)."""
        R = self.kernel.R
        actions = [""] * R
        e = c.spec.escalation
        if e is None:
            return actions
        net = self.net
        low = score < e.shift_below
        self.low_reviews[:, u] = np.where(low, self.low_reviews[:, u] + 1, 0)
        exit_fee = np.zeros(R)
        for r in range(R):
            s = score[r]
            if not np.isfinite(s):
                continue
            if s < e.remediation_below and not self.remediation_started[r, u]:
                self.remediation_started[r, u] = True
                works = (
                    self.kernel.improvements.remediation_u[r, u] < e.remediation_success_probability
                )
                actions[r] = "remediation plan" + (" (works)" if works else " (fails)")
                if works:
                    when = t + e.remediation_delay_days / net.days_per_period
                    self.kernel.schedule_remediation(r, u, when, e.remediation_effect, c.targets)
            if (
                e.exit_below is not None
                and s < e.exit_below
                and self.low_reviews[r, u] >= e.reviews_before_action
                and not np.isfinite(self.exit_at[r, u])
            ):
                self.exit_at[r, u] = t + c.spec.exit.notice_days / net.days_per_period
                exit_fee[r] = c.terms.exit_fee_per_remaining_year * max(
                    c.terms.term_years - years_elapsed, 0.0
                )
                actions[r] = "; ".join(a for a in (actions[r], "exit") if a)
            elif (
                s < e.shift_below
                and self.low_reviews[r, u] >= e.reviews_before_action
                and not self.shifted[r, u]
            ):
                self.shifted[r, u] = True
                self.share_factor[r, u] *= 1.0 - e.shift_share
                shift = f"volume shift {e.shift_share:.0%}"
                actions[r] = "; ".join(a for a in (actions[r], shift) if a)
        components["exit_fee"] = components.get("exit_fee", np.zeros(R)) + exit_fee
        return actions

    def adjust_shares(self, t: int, share: np.ndarray) -> np.ndarray:
        """(R, O) shares with escalation's shifts and exits applied: the moved share goes to
        the part's other suppliers in the plan, in proportion to their shares, each within
        its spare capacity for the part's expected demand (what they cannot take stays)."""
        net = self.net
        factor = np.where(t >= self.exit_at, 0.0, self.share_factor)  # (R, U)
        if np.all(factor == 1.0):
            return share
        out = np.broadcast_to(share, (self.kernel.R, share.shape[-1])).copy()
        keep = factor[:, net.offer_supplier]  # (R, O)
        for p in range(net.n_parts):
            os = np.flatnonzero(net.offer_part == p)
            if os.size < 2 or np.all(keep[:, os] == 1.0):
                continue
            ahead = net.daily_mean[p, t : t + net.periods_per_year]  # the coming year's peak
            demand = max(float(ahead.max()) * net.days_per_period, 1e-12)
            base = out[:, os]
            kept = base * keep[:, os]
            moved = (base - kept).sum(axis=1, keepdims=True)
            takers = (keep[:, os] == 1.0) & (base > 0)
            with np.errstate(invalid="ignore"):
                room = np.where(takers, np.clip(net.capacity[os] / demand - base, 0.0, None), 0.0)
            weight = np.where(takers, base, 0.0)
            total = weight.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                extra = np.where(total > 0, np.minimum(moved * weight / total, room), 0.0)
            placed = extra.sum(axis=1, keepdims=True)
            with np.errstate(invalid="ignore", divide="ignore"):
                unplaced = np.where(moved > 0, (moved - placed) / moved, 0.0)
            out[:, os] = kept + extra + (base - kept) * unplaced
        return out
