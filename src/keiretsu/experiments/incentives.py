r"""Incentive menus evaluated by the simulator's own contract model, as optimizer data.

For each supplier with a menu (``optimize.incentives``) and each option (a full
:class:`~keiretsu.scenario.contracts.Contract`, plus ``current``, the contract in force, when
no option is that very contract), the option is compiled by the simulator's
:func:`keiretsu.sim.contracts.compile_contracts` on the scenario's plan with that contract
in place (so effort, priority weight, continuous improvement and the improvement rate are
exactly what a simulation would use, evaluated at the plan's year-1 volumes as the
simulator does), and turned into the per-unit and fixed terms of
:class:`keiretsu.optimize.incentives.IncentiveOption`. Symbols: ``p[y,o]`` the offer's unit
price in year y (with the supplier's trend), ``u`` the supplier.

* **gain_share** (per unit): ``-g p (1 - k_y Ibar_y)``: the buyer's share ``g`` of the
  supplier's expected cost reduction, with ``k_y = (1 - annual_cost_reduction)^y`` the
  continuous improvement (``ContractSet.cost_year``) and ``Ibar_y`` the mean over year y of
  the expected factor of the supplier-driven cost improvements: a Poisson process of
  ``improvements_per_year x (1 + effort)`` a year, half of them cost improvements, each
  multiplying cost by ``1 - X``, ``X`` exponential with mean ``m`` capped at 0.9 (as
  :func:`keiretsu.sim.contracts.draw_improvements` draws them), so
  ``E[factor(tau)] = exp(-(rate / 2) E[min(X, 0.9)] tau)``, ``E[min(X, 0.9)] =
  m (1 - exp(-0.9 / m))``, averaged over the year in closed form.
* **administration** (per unit): ``rebid_cost_share_of_spend x p`` (charged at each review,
  so only under a contract).
* **performance**: bonus and penalty (:func:`keiretsu.econ.settlement.performance_adjustment`,
  the settlement's own function) judged on *expected* KPIs per review, with the miss
  counters and remediation period run review by review: the KPIs a short simulation of the
  scenario's plan measured for the supplier (``evaluation_replications`` replications, a
  derived seed; reviews only happen under a contract, so a menu supplier without one is
  measured under a plain transactional contract), scaled to the option's response (OTIF
  by the ratio of its on-time probability with effort, defect ppm by the ratio of its
  defect factors); the cost reduction and improvements a year are the option's expected
  values. Each review that meets every target earns ``bonus_per_review`` (fixed, a year)
  plus ``bonus_share_of_spend x p`` per unit bought; each KPI penalised costs the supplier
  ``penalty_per_kpi_per_review`` plus ``penalty_share_of_spend_per_kpi x p`` per unit.
* **reliability** (per unit; the effort response's on-time gain and defect cut, and the
  continuous and supplier-driven quality improvements): the cost of the expected late and
  defective units, ``h_i (P(late) L_late + ppm / 1e6 x L)``, with ``h_i`` the part's holding
  cost per unit per period, ``P(late) = 1 - min(1, on_time + gain)``, ``L_late`` the mean
  late delay and ``L`` the mean lead time in periods: the cover the buyer holds against a
  late unit for its delay, and against a rejected unit for its replacement's lead time.
  The option's expected defect rate also replaces the offer's in the quality limit rows.
* **indexation** (per unit): ``-p (1 - pass_through) (E[f] - 1)``, ``E[f]`` the mean price
  factor of the scenario's price shocks for the offer that year (drawn from the disruption
  model with the risk scenarios): the model leaves price shocks out of every price (the
  spot exposure), and an indexed contract shelters the buyer from ``1 - pass_through`` of it.
* **reservation_fee** (fixed a year): ``reserved x fee per unit x P`` (the settlement's
  ``reservation_fee``).
* **rebate**: the contract's tiers (:class:`keiretsu.econ.settlement.RebateTiers`), all-units
  or incremental, on the supplier's annual volume; a rate as a share of spend becomes a
  rate per unit at the supplier's plan-weighted mean price of the year (exact for a
  one-part supplier). The model's rebate at the chosen volume equals
  :func:`keiretsu.econ.settlement.tiered_rebate` (tested).
* **take-or-pay**: the contract's ``volume_commitment``.

**Priority in a shortage** (risk model): for a supplier whose shared capacity is rationed
with other customers (``other_customers_units_per_period``) or that reserves capacity for
the buyer, the share of the buyer's plan load it delivers in each period of each risk
scenario is the simulator's rationing rule (``keiretsu.sim.engine._rationed``) with the
option's priority weight and reservation, ``g_t = rationed(B_t, C left_t, D, w, R) / B_t``
(``B_t`` the plan's expected requests, ``C left_t`` the shared capacity the disruptions
leave); the offer's availability under the option is the year's mean of
``min(left_t, g_t)``. Where nothing is rationed, every option has the same availability.

Assumptions, stated: every term is evaluated at the scenario plan's volumes and year-1
spend (the simulator's effort and load share use the same); OTIF and lead-time spread come
from the short simulation of the scenario's plan; price shocks, escalation (remediation,
volume shifts, exits) and exit fees are not in the terms.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from keiretsu.econ.settlement import KpiTarget, performance_adjustment
from keiretsu.optimize.incentives import IncentiveMenu, IncentiveOption, Rebate
from keiretsu.rng import stream
from keiretsu.scenario.contracts import Contract
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.sim.contracts import KPI_NAMES, ContractSet, SupplierContract, compile_contracts
from keiretsu.sim.network import Network, compile_network

EVALUATION_REPLICATION = 9_999_999
"""Replication index of the stream the evaluation seed is drawn from (below the risk
scenarios' 10,000,000 and above any simulation)."""


def evaluation_seed(seed: int) -> int:
    """The seed of the short simulations that evaluate options (payback, KPIs): derived
    from the run's seed, so they share no random numbers with the closed-loop check."""
    return int(stream(seed, EVALUATION_REPLICATION, "optimize/evaluation").integers(2**62))


def contract_in_force(scenario: Scenario, plan: Plan, supplier: str) -> Contract | None:
    """The supplier's contract under ``plan``: the plan's, else the scenario's, else none."""
    contracts = {c.supplier: c for c in scenario.contracts} | {
        c.supplier: c for c in plan.contracts
    }
    return contracts.get(supplier)


def with_contract(scenario: Scenario, plan: Plan, supplier: str, contract: Contract | None) -> Plan:
    """``plan`` with ``supplier``'s contract replaced by ``contract`` (None: no contract; the
    scenario's own contract for the supplier, if any, is then the one that applies, so None
    is only used for a supplier that has none)."""
    kept = [c for c in plan.contracts if c.supplier != supplier]
    return plan.model_copy(update={"contracts": kept + ([contract] if contract else [])})


@dataclass(frozen=True, eq=False)
class EvaluatedOption:
    """One menu option: its contract, the compiled response and the model's terms."""

    supplier: str
    name: str
    contract: Contract | None
    model: IncentiveOption
    summary: dict[str, float]


@dataclass(frozen=True, eq=False)
class IncentiveEvaluation:
    """Every menu, evaluated (module docstring).

    ``menus``: the optimizer's data; ``options``: the evaluated options by (supplier, name);
    ``current``: the name of the option in force per menu supplier; ``table``: one row per
    supplier and option (priority weight, reservation, effort, improvement rate, expected
    cost reduction, mean per-unit terms per unit bought, fixed terms a year, rebate tiers);
    ``kpis``: the measured KPIs per supplier and review (None without performance terms).
    """

    menus: tuple[IncentiveMenu, ...]
    options: dict[tuple[str, str], EvaluatedOption]
    current: dict[str, str]
    table: pd.DataFrame
    kpis: pd.DataFrame | None = None

    def contract(self, supplier: str, name: str) -> Contract | None:
        return self.options[(supplier, name)].contract


def menu_options(scenario: Scenario, plan: Plan) -> dict[str, list[tuple[str, Contract | None]]]:
    """Per menu supplier, its options as (name, contract): the menu's, with ``current`` (the
    contract in force, or None) first unless an option is that contract."""
    out: dict[str, list[tuple[str, Contract | None]]] = {}
    for menu in scenario.optimize.incentives:
        now = contract_in_force(scenario, plan, menu.supplier)
        options = [(o.name, o.contract) for o in menu.options]
        if now is None or not any(c == now for _, c in options):
            options.insert(0, ("current", now))
        out[menu.supplier] = options
    return out


def current_option(scenario: Scenario, plan: Plan, supplier: str) -> str:
    """The name of the menu option that is ``plan``'s contract for the supplier."""
    now = contract_in_force(scenario, plan, supplier)
    for name, contract in menu_options(scenario, scenario.plan)[supplier]:
        if contract == now:
            return name
    return "current"


def _compiled(scenario: Scenario, plan: Plan, net: Network) -> ContractSet:
    hz = scenario.horizon
    return compile_contracts(
        scenario,
        plan,
        net.supplier_ids,
        net.offer_supplier,
        net.share,
        net.price,
        net.demand_mean[net.offer_part],
        hz.periods_per_year,
        hz.days_per_period,
    )


def _supplier_contract(cs: ContractSet, u: int) -> SupplierContract | None:
    return next((c for c in cs.suppliers if c.supplier == u), None)


def _improvement_factor(rate: float, mean_effect: float, years: int) -> np.ndarray:
    """(Y,) mean over each year of E[product of (1 - X)] of half a Poisson(rate) process,
    X exponential with ``mean_effect`` capped at 0.9 (module docstring)."""
    if rate <= 0 or mean_effect <= 0:
        return np.ones(years)
    a = rate / 2.0 * mean_effect * (1.0 - math.exp(-0.9 / mean_effect))
    y = np.arange(years, dtype=float)
    return (np.exp(-a * y) - np.exp(-a * (y + 1.0))) / a


def _expected_factor_at(rate: float, mean_effect: float, tau_years: np.ndarray) -> np.ndarray:
    if rate <= 0 or mean_effect <= 0:
        return np.ones_like(tau_years)
    a = rate / 2.0 * mean_effect * (1.0 - math.exp(-0.9 / mean_effect))
    return np.exp(-a * tau_years)


def measured_kpis(
    scenario: Scenario, suppliers: Sequence[str], *, seed: int, replications: int
) -> pd.DataFrame:
    """KPIs per supplier and review (mean over replications) from a short simulation of the
    scenario's plan in which every supplier in ``suppliers`` is under its contract in force,
    or a plain transactional contract when it has none (so that it is reviewed)."""
    from keiretsu.experiments.runs import simulate

    plan = scenario.plan
    for sup in suppliers:
        if contract_in_force(scenario, plan, sup) is None:
            plan = with_contract(scenario, plan, sup, Contract(supplier=sup))
    result = simulate(scenario, plan, seed=seed, replications=replications, keep="summary")
    reviews = result.contract_reviews
    if reviews is None or reviews.empty:
        return pd.DataFrame(columns=["supplier", "review", "period", *KPI_NAMES])
    reviews = reviews[reviews["supplier"].isin(list(suppliers))]
    return (
        reviews.groupby(["supplier", "review", "period"], as_index=False)[list(KPI_NAMES)]
        .mean()
        .sort_values(["supplier", "review"])
        .reset_index(drop=True)
    )


def _mean_on_time(net: Network, offers: np.ndarray, gain: float) -> float:
    p = np.minimum(1.0, net.on_time_probability[offers] + gain)
    used = net.share.max(axis=0)[offers] > 0
    return float(p[used].mean() if used.any() else p.mean())


def _defect_scale(cs: ContractSet, u: int, years: int) -> np.ndarray:
    """(Y,) expected defect-rate factor of supplier u by plan year: effort x continuous x
    supplier-driven quality improvements."""
    quality = _improvement_factor(
        float(cs.improvement_rate[u]), float(cs.improvement_quality_effect[u]), years
    )
    return float(cs.defect_factor[u]) * cs.defect_year[:, u] * quality


def _performance(
    sc: SupplierContract,
    cs: ContractSet,
    u: int,
    kpis: pd.DataFrame,
    net: Network,
    baseline: tuple[float, np.ndarray],
    offers: np.ndarray,
    years: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(Y,) reviews met in full, KPI-reviews penalised and reviews per plan year, judged on
    the expected KPIs of the option (module docstring)."""
    met = np.zeros(years)
    penalised = np.zeros(years)
    count = np.zeros(years)
    targets: tuple[KpiTarget, ...] = sc.terms.kpi_targets
    mine = kpis[kpis["supplier"] == net.supplier_ids[u]]
    if not targets or mine.empty:
        return met, penalised, count
    on_time_0, defect_0 = baseline
    on_time = _mean_on_time(net, offers, float(cs.on_time_gain[u]))
    defect = _defect_scale(cs, u, years)
    per_year = net.periods_per_year
    misses = np.zeros((1, len(targets)), dtype=np.int64)
    rate = float(cs.improvement_rate[u])
    effect = float(cs.improvement_cost_effect[u])
    acr = sc.annual_cost_reduction
    for _, row in mine.iterrows():
        t = int(row["period"])
        y = min(int(net.period_year[t - 1]), years - 1)
        now = (t - 0.5) / per_year
        then_t = max(t - 1 - per_year, 0)
        then = (then_t + 0.5) / per_year
        cost_now = (1 - acr) ** y * _expected_factor_at(rate, effect, np.array([now]))[0]
        cost_then = (1 - acr) ** int(net.period_year[then_t]) * _expected_factor_at(
            rate, effect, np.array([then])
        )[0]
        expected = {
            "otif": row["otif"] * on_time / on_time_0 if on_time_0 > 0 else row["otif"],
            "defect_ppm": row["defect_ppm"] * defect[y] / defect_0[y]
            if defect_0[y] > 0
            else row["defect_ppm"],
            "lead_time_sd_days": row["lead_time_sd_days"],
            "annual_cost_reduction": 1.0 - cost_now / cost_then,
            "improvements_per_year": rate,
        }
        x = np.array([[expected[k.name] for k in targets]], dtype=float)
        adj = performance_adjustment(x, targets, 1.0, 1.0, misses, sc.terms.remediation_reviews)
        misses = adj.consecutive_misses
        met[y] += float(adj.bonus[0])
        penalised[y] += float(adj.penalty[0])
        count[y] += 1
    return met, penalised, count


def evaluate_incentives(
    scenario: Scenario,
    *,
    seed: int,
    price_factor: np.ndarray | None = None,
    kpis: pd.DataFrame | None = None,
) -> IncentiveEvaluation:
    """Every menu of ``scenario.optimize.incentives`` as optimizer data (module docstring).

    ``price_factor``: (Y, O) mean price-shock factor per year and offer (None: no shocks);
    ``kpis``: measured KPIs (:func:`measured_kpis`; made here when an option has
    performance terms and none are given).
    """
    plan = scenario.plan
    Y = scenario.horizon.n_years
    net = compile_network(scenario, plan)
    offers_of = menu_options(scenario, plan)
    needs_kpis = any(
        c is not None and c.performance is not None
        for options in offers_of.values()
        for _, c in options
    )
    if needs_kpis and kpis is None:
        kpis = measured_kpis(
            scenario,
            list(offers_of),
            seed=evaluation_seed(seed),
            replications=scenario.optimize.evaluation_replications,
        )
    factor = np.ones((Y, net.n_offers)) if price_factor is None else np.asarray(price_factor)
    menus, evaluated, rows, current = [], {}, [], {}
    for sup, options in offers_of.items():
        u = net.supplier_ids.index(sup)
        offers = np.flatnonzero(net.offer_supplier == u)
        current[sup] = current_option(scenario, plan, sup)
        # the response under which the KPIs were measured (the contract in force, or a
        # plain transactional one)
        measured_under = contract_in_force(scenario, plan, sup) or Contract(supplier=sup)
        cs0 = _compiled(scenario, with_contract(scenario, plan, sup, measured_under), net)
        baseline = (
            _mean_on_time(net, offers, float(cs0.on_time_gain[u])),
            _defect_scale(cs0, u, Y),
        )
        models = []
        for name, contract in options:
            cs = _compiled(scenario, with_contract(scenario, plan, sup, contract), net)
            sc = _supplier_contract(cs, u)
            option, summary = _option_terms(
                name, contract, cs, sc, u, offers, net, scenario, factor, kpis, baseline
            )
            models.append(option)
            evaluated[(sup, name)] = EvaluatedOption(sup, name, contract, option, summary)
            rows.append(
                {"supplier": sup, "option": name, "in_force": name == current[sup], **summary}
            )
        menus.append(IncentiveMenu(sup, tuple(models)))
    return IncentiveEvaluation(tuple(menus), evaluated, current, pd.DataFrame(rows), kpis)


def _option_terms(
    name: str,
    contract: Contract | None,
    cs: ContractSet,
    sc: SupplierContract | None,
    u: int,
    offers: np.ndarray,
    net: Network,
    scenario: Scenario,
    factor: np.ndarray,
    kpis: pd.DataFrame | None,
    baseline: tuple[float, np.ndarray],
) -> tuple[IncentiveOption, dict[str, float]]:
    """The model terms of one option and its summary row (module docstring)."""
    Y, P, dpp = net.share.shape[0], net.periods_per_year, net.days_per_period
    cost_factor = cs.cost_year[:, u] * _improvement_factor(
        float(cs.improvement_rate[u]), float(cs.improvement_cost_effect[u]), Y
    )
    defect = _defect_scale(cs, u, Y)
    gain = 0.0 if sc is None else sc.terms.gain_share_buyer
    rebid = 0.0 if sc is None else sc.rebid_cost_share_of_spend
    pass_through = float(cs.pass_through[u])
    met = penalised = count = np.zeros(Y)
    perf = None if contract is None else contract.performance
    if perf is not None and sc is not None and kpis is not None:
        met, penalised, count = _performance(sc, cs, u, kpis, net, baseline, offers, Y)
    with np.errstate(invalid="ignore", divide="ignore"):
        met_share = np.where(count > 0, met / count, 0.0)
        penalised_per_review = np.where(count > 0, penalised / count, 0.0)
    unit: dict[str, dict[str, tuple[float, ...]]] = {
        c: {} for c in ("gain_share", "administration", "performance", "reliability", "indexation")
    }
    ppm: dict[str, tuple[float, ...]] = {}
    for o in offers:
        part = net.part_ids[net.offer_part[o]]
        price = net.price[:, o]
        spec = scenario.offers_for(part)[net.supplier_ids[u]]
        unit["gain_share"][part] = tuple(-gain * price * (1.0 - cost_factor))
        unit["administration"][part] = tuple(rebid * price)
        if perf is not None:
            unit["performance"][part] = tuple(
                price
                * (
                    perf.bonus_share_of_spend * met_share
                    - perf.penalty_share_of_spend_per_kpi * penalised_per_review
                )
            )
        late = 1.0 - min(1.0, float(net.on_time_probability[o] + cs.on_time_gain[u]))
        rate = net.defect_rate[o] * defect  # (Y,) fraction
        h = float(net.holding[net.offer_part[o]])
        unit["reliability"][part] = tuple(
            h * (late * spec.late_delay_days.mean / dpp + rate * spec.lead_time_days.mean / dpp)
        )
        unit["indexation"][part] = tuple(-price * (1.0 - pass_through) * (factor[:, o] - 1.0))
        ppm[part] = tuple(float(v) for v in rate * 1e6)
    fixed: dict[str, tuple[float, ...]] = {}
    rebate = None
    minimum = shortfall = 0.0
    if sc is not None:
        t = sc.terms
        fee = t.reserved_units_per_year * t.reservation_fee_per_unit_per_year
        if fee > 0:
            fixed["reservation_fee"] = tuple([fee] * Y)
        if perf is not None:
            fixed["performance"] = tuple(
                perf.bonus_per_review * met - perf.penalty_per_kpi_per_review * penalised
            )
        if t.volume_rebate is not None:
            rates = np.asarray(t.volume_rebate.rates, dtype=float)
            if t.volume_rebate.basis == "share_of_spend":
                weights = net.share[:, offers] * net.demand_mean[net.offer_part[offers]]
                prices = net.price[:, offers]
                mean_price = np.where(
                    weights.sum(axis=1) > 0,
                    (weights * prices).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-300),
                    prices.mean(axis=1),
                )
                by_year = tuple(tuple(float(r) for r in rates * mp) for mp in mean_price)
            else:
                by_year = tuple(tuple(float(r) for r in rates) for _ in range(Y))
            rebate = Rebate(
                thresholds_units=tuple(float(v) for v in t.volume_rebate.thresholds_units),
                rates_by_year=by_year,
                mode=t.volume_rebate_mode,
            )
        minimum, shortfall = t.minimum_annual_units, t.shortfall_rate_per_unit
    option = IncentiveOption(
        name=name,
        unit_costs={c: v for c, v in unit.items() if v},
        fixed_costs=fixed,
        defect_ppm=ppm,
        rebate=rebate,
        min_units_per_year=minimum,
        shortfall_cost_per_unit=shortfall,
    )
    # a readable summary: mean per-unit terms over the supplier's plan volume
    weights = net.share[:, offers] * (net.demand_mean[net.offer_part[offers]] * P)
    total = weights.sum()

    def per_unit(component: str) -> float:
        values = unit[component]
        if not values or total <= 0:
            return 0.0
        arr = np.array([values[net.part_ids[net.offer_part[o]]] for o in offers]).T  # (Y, n)
        return float((arr * weights).sum() / total)

    summary = {
        "relationship": "none (spot)" if contract is None else contract.relationship,
        "priority_weight": float(cs.priority[u]),
        "reserved_units_per_period": float(cs.reserved[u]),
        "effort": 0.0 if sc is None else sc.effort,
        "on_time_gain": float(cs.on_time_gain[u]),
        "defect_factor_year_1": float(defect[0]),
        "improvements_per_year": float(cs.improvement_rate[u]),
        "expected_cost_reduction_by_year_end": float(1.0 - cost_factor[-1]),
        **{f"{c}_per_unit": per_unit(c) for c in unit},
        "reservation_fee_per_year": float(np.mean(fixed.get("reservation_fee", (0.0,)))),
        "performance_fixed_per_year": float(np.mean(fixed.get("performance", (0.0,)))),
        "rebate_tiers": 0 if rebate is None else len(rebate.thresholds_units),
        "min_units_per_year": minimum,
        "reviews_met_share": float(met.sum() / count.sum()) if count.sum() > 0 else math.nan,
    }
    return option, summary


# --------------------------------------------------------------------------- priority


def option_availability(
    scenario: Scenario,
    evaluation: IncentiveEvaluation,
    supplier_left: np.ndarray,
    offer_effective: np.ndarray,
) -> dict[tuple[str, str], np.ndarray]:
    """Per (supplier, option) of a rationed supplier: the (K, Y, O) availability under the
    option (module docstring). ``supplier_left`` (T, K, U) and ``offer_effective`` (T, K, O)
    are the per-period shares the risk scenarios are made of."""
    from keiretsu.sim.engine import _rationed

    plan = scenario.plan
    net = compile_network(scenario, plan)
    K = offer_effective.shape[1]
    Y, P = scenario.horizon.n_years, net.periods_per_year
    out: dict[tuple[str, str], np.ndarray] = {}
    base = offer_effective.reshape(Y, P, K, -1).mean(axis=1).transpose(1, 0, 2)  # (K, Y, O)
    for (sup, name), option in evaluation.options.items():
        u = net.supplier_ids.index(sup)
        cap = float(net.shared_capacity[u])
        cs = _compiled(scenario, with_contract(scenario, plan, sup, option.contract), net)
        others, reserved = float(cs.other_demand[u]), float(cs.reserved[u])
        if not math.isfinite(cap) or (others <= 0 and reserved <= 0):
            continue
        offers = np.flatnonzero(net.offer_supplier == u)
        share = net.share[net.period_year]  # (T, O)
        load = (
            share[:, offers]
            * net.demand_mean[net.offer_part[offers]]
            * net.demand_scale[net.offer_part[offers]].T
        ).sum(axis=1)  # (T,) the buyer's expected requests per period
        capacity = np.where(
            supplier_left[:, :, u] <= 0, 0.0, cap * supplier_left[:, :, u]
        )  # (T, K)
        requested = np.broadcast_to(load[:, None], capacity.shape)
        allowed = _rationed(requested, capacity, others, float(cs.priority[u]), reserved)
        with np.errstate(invalid="ignore", divide="ignore"):
            served = np.where(requested > 0, allowed / requested, 1.0)
        per_period = np.minimum(offer_effective[:, :, offers], served[:, :, None])
        arr = base.copy()
        arr[:, :, offers] = per_period.reshape(Y, P, K, len(offers)).mean(axis=1).transpose(1, 0, 2)
        out[(sup, name)] = np.clip(arr, 0.0, 1.0)
    return out
