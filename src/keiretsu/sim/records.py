"""Tidy tables from a batch trace (one row per replication x period x part, etc.).

Warm-up periods (``run.warmup_periods``) are dropped from every table and KPI, except
one-off qualification costs, which are booked in the first reported period.

OTIF is counted per order line (one supplier, one part, one review): a line is *on
time in full* when all its units leave the supplier in the period ordered (no capacity
backlog) and arrive within the quoted lead time (no lateness event). Quality rejections
are reported separately (defect ppm), not counted against OTIF. The realised lead
time of a line runs from its order to the arrival of its last unit, in days; lines not
fully shipped by the end of the horizon are censored (counted, not in the statistics).

Inventory value: on-hand units at the plan's share-weighted unit price of the year.
Network days of cover: total on hand / total expected daily demand (units).

Expedited units are ordered through a part's expedite channel at a review (plan
``expedite``); they are paid at the unit price on receipt like any unit, plus their
premium (expediting cost) when ordered. They are not order lines (no OTIF).

``capacity_available`` is the offer's mean share of capacity left by disruptions
(supplier and tier-2 causes) over the reported periods (its availability when outages
are full stops).

Contingency cost: capacity-reservation fees (every period), backup activation costs and
backup premiums (plan ``contingency``), booked on the offer of the reservation holder or
backup.

Total cost of ownership per supplier and part = purchase + ordering + expediting +
contingency costs + the supplier's qualification cost split over its parts in proportion
to purchase spend.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from keiretsu.sim.draws import Draws
from keiretsu.sim.engine import Trace
from keiretsu.sim.network import Network

OTIF_DEFINITION = (
    "order-line level: a line (one supplier, one part, one review) is on time in full when all "
    "its units ship in the period ordered and arrive within the quoted lead time (window 0 days); "
    "quality rejections are not counted against OTIF (see defect_ppm)"
)


@dataclass
class BatchTables:
    """The tables of one batch of replications."""

    replications: pd.DataFrame  # one row per replication: network KPIs
    parts: pd.DataFrame  # replication x part totals
    suppliers: pd.DataFrame  # replication x supplier x part: delivery KPIs and spend
    periods: pd.DataFrame  # replication x period (network totals)
    part_periods: pd.DataFrame | None  # replication x period x part (detail "part")
    supplier_periods: pd.DataFrame | None  # replication x period x supplier (detail "part")
    events: pd.DataFrame  # one row per disruption spell (may be empty)
    programs: pd.DataFrame | None = None  # replication x period x funded program: cash flows
    program_outcomes: pd.DataFrame | None = None  # replication x program: completed, when
    contract_reviews: pd.DataFrame | None = None  # replication x review x supplier: scorecard,
    # settlement by component, escalation taken
    improvements: pd.DataFrame | None = None  # supplier-driven improvements: when, what


def tables(
    net: Network, trace: Trace, draws: Draws, replications: list[int], warmup: int, detail: str
) -> BatchTables:
    """Turn a batch trace into tidy tables (see module docstring for definitions).

    All arrays are period-first, (T, R, X); sums over periods run along axis 0 and over
    parts or offers along the contiguous last axis, so every number is the same whatever
    the batch size.
    """
    w = min(warmup, net.n_periods - 1)
    R, P = len(replications), net.n_parts
    T = net.n_periods - w
    reps = np.asarray(replications)
    periods_index = np.arange(w, net.n_periods)
    year = net.period_year[w:]

    daily_mean = (net.demand_mean[:, None] * net.demand_scale / net.days_per_period).T[w:]  # (T, P)
    demand = trace.demand[w:]
    filled = trace.filled_now[w:]
    sales = trace.sales[w:]
    lost = trace.lost[w:]
    backorders = trace.backorders[w:]
    on_hand = trace.on_hand[w:]
    part_purchase = trace.purchase_part[w:]
    # None stands for a (T, R, P) array of zeros (no fixed order costs, no expediting, no
    # contingencies): its sums are zeros, made without building and adding the array
    part_order = None if trace.order_cost_part is None else trace.order_cost_part[w:]
    expedited = trace.expedited[w:]
    expediting = expedited * net.expedite_premium if (net.expedite_premium != 0).any() else None
    if trace.contingency_cost is None:
        contingency = offer_contingency = None
    else:
        offer_contingency = trace.contingency_cost[w:]
        contingency = _by_part(net, offer_contingency)
    keep_part = detail == "part"
    # (T, R, P) quantities derived from the trace are made one at a time in one scratch
    # array and reduced at once: per period (network), over periods (part) and, for
    # detail "part", in the tidy order; so no other array of that size is allocated
    scratch = np.empty(on_hand.shape)

    def reduced(x: np.ndarray) -> _Reduced:
        return _Reduced(
            x.sum(axis=2).T.ravel(),
            _over_periods(x),
            x.transpose(1, 0, 2).flatten() if keep_part else None,  # flatten: always a copy
        )

    holding = reduced(np.multiply(on_hand, net.holding, out=scratch))
    on_hand_value = reduced(np.multiply(on_hand, net.unit_value[year][:, None, :], out=scratch))
    if net.backorder.all() or not net.backorder.any():  # one kind of shortage: no where
        short = backorders if net.backorder.all() else lost
        shortage = reduced(np.multiply(short, net.shortage_cost, out=scratch))
    else:
        short = np.where(net.backorder, backorders, lost)
        shortage = reduced(np.multiply(short, net.shortage_cost, out=scratch))
    revenue = reduced(np.multiply(sales, net.revenue, out=scratch))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        cover = reduced(np.divide(on_hand, daily_mean[:, None, :], out=scratch))
    del scratch
    qualification = np.zeros((T, R))
    qualification[0] = net.qualification_cost.sum()  # one-off: counted despite warm-up
    contract = np.zeros((T, R))  # the buyer's net contract payments (settled at reviews)
    if trace.contract_cost is not None:
        contract = trace.contract_cost[w:].sum(axis=2)
    program = np.zeros((T, R))  # the buyer's share of funded programs' capex and running cost
    flows = _program_flows(net, draws, w)
    if flows is not None:
        program = flows["buyer_capex"] + flows["buyer_opex"]  # (T, R, K) -> (T, R)
        program = program.sum(axis=2)

    def per_period(x: np.ndarray | None) -> np.ndarray:  # (T, R, X) -> network total, rep-major
        return np.zeros(T * R) if x is None else x.sum(axis=2).T.ravel()

    def per_part_period(x: np.ndarray | None) -> np.ndarray:  # (T, R, P) -> rep, period, part
        if x is None:
            return np.zeros(T * R * P)
        return x.transpose(1, 0, 2).ravel()

    def over_periods(x: np.ndarray | None) -> np.ndarray:  # (T, R, P) -> (R, P)
        return np.zeros((R, P)) if x is None else _over_periods(x)

    # ---- network per period
    demand_total, filled_total, on_hand_total = map(per_period, (demand, filled, on_hand))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        periods = pd.DataFrame(
            {
                "replication": np.repeat(reps, T),
                "period": np.tile(periods_index, R),
                "demand_units": demand_total,
                "filled_now_units": filled_total,
                "fill_rate": filled_total / demand_total,
                "sales_units": per_period(sales),
                "lost_sales_units": per_period(lost),
                "backorder_units": per_period(backorders),
                "on_hand_units": on_hand_total,
                "days_of_cover": on_hand_total / np.tile(daily_mean.sum(axis=1), R),
                "on_hand_value": on_hand_value.period,
                "in_transit_units": trace.in_transit[w:].T.ravel(),
                "supplier_backlog_units": trace.backlog[w:].T.ravel(),
                "shipped_units": per_period(trace.shipped[w:]),
                "received_units": per_period(trace.received[w:]),
                "rejected_units": per_period(trace.rejected[w:]),
                "accepted_units": per_period(trace.accepted[w:]),
                "ordered_units": per_period(trace.ordered[w:]),
                "purchase_cost": per_period(part_purchase),
                "holding_cost": holding.period,
                "shortage_cost": shortage.period,
                "ordering_cost": per_period(part_order),
                "expediting_cost": per_period(expediting),
                "contingency_cost": per_period(contingency),
                "qualification_cost": qualification.T.ravel(),
                "program_cost": program.T.ravel(),
                "contract_cost": contract.T.ravel(),
                "expedited_units": per_period(expedited),
                "revenue": revenue.period,
            }
        )
    periods["total_cost"] = _total(periods)
    periods["margin"] = periods["revenue"] - periods["total_cost"]

    part_periods = supplier_periods = None
    if keep_part:
        part_periods = pd.DataFrame(
            {
                "replication": np.repeat(reps, T * P),
                "period": np.tile(np.repeat(periods_index, P), R),
                "part": np.tile(np.asarray(net.part_ids, dtype=object), R * T),
                "demand_units": per_part_period(demand),
                "filled_now_units": per_part_period(filled),
                "sales_units": per_part_period(sales),
                "lost_sales_units": per_part_period(lost),
                "backorder_units": per_part_period(backorders),
                "on_hand_units": per_part_period(on_hand),
                "days_of_cover": cover.tidy,
                "on_hand_value": on_hand_value.tidy,
                "received_units": per_part_period(trace.accepted[w:]),
                "purchase_cost": per_part_period(part_purchase),
                "holding_cost": holding.tidy,
                "shortage_cost": shortage.tidy,
                "ordering_cost": per_part_period(part_order),
                "expediting_cost": per_part_period(expediting),
                "contingency_cost": per_part_period(contingency),
                "expedited_units": per_part_period(expedited),
                "revenue": revenue.tidy,
            }
        )
        U = len(net.supplier_ids)
        supplier_periods = pd.DataFrame(
            {
                "replication": np.repeat(reps, T * U),
                "period": np.tile(np.repeat(periods_index, U), R),
                "supplier": np.tile(np.asarray(net.supplier_ids, dtype=object), R * T),
                "region": np.tile(np.asarray(net.supplier_regions, dtype=object), R * T),
                "ordered_units": per_part_period(_by_supplier(net, trace.ordered[w:])),
                "received_units": per_part_period(_by_supplier(net, trace.received[w:])),
                "rejected_units": per_part_period(_by_supplier(net, trace.rejected[w:])),
                "spend": per_part_period(trace.purchase_supplier[w:]),
            }
        )

    # ---- per replication x part
    part_demand = _over_periods(demand)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        parts = pd.DataFrame(
            {
                "replication": np.repeat(reps, P),
                "part": np.tile(np.asarray(net.part_ids, dtype=object), R),
                "demand_units": part_demand.ravel(),
                "sales_units": _over_periods(sales).ravel(),
                "fill_rate": (_over_periods(filled) / part_demand).ravel(),
                "lost_sales_units": _over_periods(lost).ravel(),
                "mean_backorder_units": (_over_periods(backorders) / T).ravel(),
                "mean_on_hand_units": (_over_periods(on_hand) / T).ravel(),
                "mean_days_of_cover": (cover.part / T).ravel(),
                "mean_on_hand_value": (on_hand_value.part / T).ravel(),
                "purchase_cost": _over_periods(part_purchase).ravel(),
                "holding_cost": holding.part.ravel(),
                "shortage_cost": shortage.part.ravel(),
                "ordering_cost": over_periods(part_order).ravel(),
                "expediting_cost": over_periods(expediting).ravel(),
                "contingency_cost": over_periods(contingency).ravel(),
                "expedited_units": _over_periods(expedited).ravel(),
                "revenue": revenue.part.ravel(),
            }
        )

    suppliers = _supplier_table(net, trace, draws, reps, w)

    # ---- per replication
    g = periods.groupby("replication", sort=True)
    totals = g[
        [
            "demand_units",
            "filled_now_units",
            "sales_units",
            "lost_sales_units",
            *COST_COLUMNS,
            "revenue",
        ]
    ].sum()
    means = g[["on_hand_units", "backorder_units", "days_of_cover", "on_hand_value"]].mean()
    lines = suppliers.groupby("replication")[["order_lines", "otif_lines"]].sum()
    rep = pd.DataFrame(index=totals.index)
    rep["fill_rate"] = totals["filled_now_units"] / totals["demand_units"]
    rep["otif"] = lines["otif_lines"] / lines["order_lines"].where(lines["order_lines"] > 0)
    rep["demand_units"] = totals["demand_units"]
    rep["sales_units"] = totals["sales_units"]
    rep["lost_sales_units"] = totals["lost_sales_units"]
    rep["mean_backorder_units"] = means["backorder_units"]
    rep["mean_on_hand_units"] = means["on_hand_units"]
    rep["mean_days_of_cover"] = means["days_of_cover"]
    rep["mean_on_hand_value"] = means["on_hand_value"]
    for c in COST_COLUMNS:
        rep[c] = totals[c]
    rep["total_cost"] = _total(totals)
    rep["revenue"] = totals["revenue"]
    rep["margin"] = rep["revenue"] - rep["total_cost"]
    rep["cost_per_period"] = rep["total_cost"] / T
    rep["inventory_cost_per_period"] = (
        rep["holding_cost"] + rep["shortage_cost"] + rep["ordering_cost"]
    ) / T
    rep["expedited_units"] = g["expedited_units"].sum()
    rep["order_lines"] = lines["order_lines"]
    rep = rep.reset_index()
    return BatchTables(
        rep,
        parts,
        suppliers,
        periods,
        part_periods,
        supplier_periods,
        _events(net, draws),
        *_program_tables(net, draws, trace, reps, w, flows),
        *_contract_tables(trace, draws),
    )


@dataclass(frozen=True)
class _Reduced:
    """A (T, R, P) quantity reduced: network total per period (replication-major), total
    over periods (R, P), and the tidy replication x period x part values (or None)."""

    period: np.ndarray
    part: np.ndarray
    tidy: np.ndarray | None


def _contract_tables(trace: Trace, draws: Draws) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The contract reviews (scorecards, settlements, escalations) and the improvements log."""
    reviews = None if trace.contract_reviews is None else pd.DataFrame(trace.contract_reviews)
    improvements = None
    if draws.improvements is not None and draws.improvements.log:
        improvements = pd.DataFrame(
            draws.improvements.log, columns=["replication", "day", "supplier", "kind", "effect"]
        )
    return reviews, improvements


def _program_flows(net: Network, draws: Draws, w: int) -> dict[str, np.ndarray] | None:
    """(T, R, K) cash flows of each funded program, total and by party, reported periods."""
    runs = draws.programs
    if runs is None:
        return None
    buyer_capex = np.array([p.buyer_cost_share for p in net.programs])
    buyer_opex = np.array([p.spec.buyer_operating_share for p in net.programs])
    capex, opex = runs.capex[w:], runs.opex[w:]
    return {
        "capex": capex,
        "opex": opex,
        "buyer_capex": capex * buyer_capex,
        "supplier_capex": capex * (1.0 - buyer_capex),
        "buyer_opex": opex * buyer_opex,
        "supplier_opex": opex * (1.0 - buyer_opex),
    }


def _program_tables(
    net: Network,
    draws: Draws,
    trace: Trace,
    reps: np.ndarray,
    w: int,
    flows: dict[str, np.ndarray] | None,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Per replication x period x program: progress and cash flows by party; and per
    replication x program: how it went (completed when, or abandoned at which milestone)."""
    if flows is None:
        return None, None
    runs = draws.programs
    T, R, K = flows["capex"].shape
    ids = np.asarray([p.spec.id for p in net.programs], dtype=object)

    def tidy(x: np.ndarray) -> np.ndarray:  # (T, R, K) -> replication, period, program order
        return x.transpose(1, 0, 2).ravel()

    periods = pd.DataFrame(
        {
            "replication": np.repeat(reps, T * K),
            "period": np.tile(np.repeat(np.arange(w, w + T), K), R),
            "program": np.tile(ids, R * T),
            "progress": tidy(runs.progress[w:]),
            **{name: tidy(x) for name, x in flows.items()},
            "supplier_savings": tidy(trace.program_savings[w:]),
        }
    )
    names = [[m.id for m in p.spec.milestones] for p in net.programs]
    failed = [
        names[k][j] if j >= 0 else None
        for j, k in zip(runs.abandoned_at.ravel(), np.tile(np.arange(K), R), strict=True)
    ]
    done = runs.completed_day.ravel()
    outcome = pd.DataFrame(
        {
            "replication": np.repeat(reps, K),
            "program": np.tile(ids, R),
            "completed": done < net.n_periods * net.days_per_period,
            "completion_day": np.where(np.isfinite(done), done, np.nan),
            "abandoned_at": pd.array(failed, dtype="string"),
        }
    )
    return periods, outcome


EVENT_COLUMNS = [
    "replication",
    "disruption",
    "kind",
    "target",
    "start_day",
    "end_day",
    "duration_days",
    "censored",
]


def _events(net: Network, draws: Draws) -> pd.DataFrame:
    """Disruption spells; one still active at the horizon is censored (its end is the draw)."""
    horizon_days = net.n_periods * net.days_per_period
    rows = [
        (rep, d_id, kind, target, start, end, end - start, end > horizon_days)
        for rep, d_id, kind, target, start, end in draws.events
    ]
    return pd.DataFrame(rows, columns=EVENT_COLUMNS).astype(
        {
            "replication": "int64",
            "start_day": "float64",
            "end_day": "float64",
            "duration_days": "float64",
            "censored": "bool",
        }
    )


COST_COLUMNS = [
    "purchase_cost",
    "holding_cost",
    "shortage_cost",
    "ordering_cost",
    "expediting_cost",
    "contingency_cost",
    "qualification_cost",
    "program_cost",
    "contract_cost",
]
"""Cost categories, in the order reports show them (money in meta.currency)."""


def _total(frame: pd.DataFrame) -> pd.Series:
    """The cost columns added one after the other (a row sum over eight or more columns
    would be pairwise for one row and sequential for several: batch-dependent last bits)."""
    total = frame[COST_COLUMNS[0]].copy()
    for column in COST_COLUMNS[1:]:
        total = total + frame[column]
    return total


def _over_periods(x: np.ndarray) -> np.ndarray:
    """Sum over the period axis (0), adding one period at a time.

    numpy sums a contiguous axis pairwise but a strided one row after row, so a plain sum
    would change its last bits with the batch size (a batch of one replication of a
    one-offer network is contiguous along periods); both paths here add sequentially.
    """
    dtype = np.result_type(x.dtype, np.float64)
    if x[0].size > 1:  # a reduction over a non-contiguous axis adds row after row
        return np.add.reduce(x.reshape(x.shape[0], -1), axis=0, dtype=dtype).reshape(x.shape[1:])
    return np.cumsum(x, axis=0, dtype=dtype)[-1]  # one column: cumsum is sequential too


def _by_part(net: Network, x: np.ndarray) -> np.ndarray:
    """(..., O) -> (..., P) totals over each part's offers."""
    if net.n_offers == net.n_parts:
        return x
    return np.add.reduceat(x, net.part_start, axis=-1)


def _by_supplier(net: Network, x: np.ndarray) -> np.ndarray:
    """(..., O) -> (..., U) totals over each supplier's offers."""
    return np.add.reduceat(x[..., net.by_supplier], net.supplier_start, axis=-1)


def _supplier_table(
    net: Network, trace: Trace, draws: Draws, reps: np.ndarray, w: int
) -> pd.DataFrame:
    """One row per replication x offer: order lines, OTIF, realised lead times, quality, spend."""
    T, R, O = trace.ordered.shape
    dpp = net.days_per_period
    # A line placed in period t is complete in the first period d >= t in which cumulative
    # shipments reach cumulative orders up to and including it (first in, first out).
    # Most lines complete in the period they are placed: the kernel records whether the
    # backlog was cleared after shipping; only the others need a search.
    is_line = trace.ordered > 0
    is_line[:w] = False
    at_once = is_line & trace.cleared
    transit = draws.transit_t  # (T, R, O) whole periods
    at_once_periods = np.where(at_once, transit, 0)  # int32; squares fit (< 46,341 periods)
    lines = is_line.sum(axis=0)  # integer sums: exact in any order
    complete = at_once.sum(axis=0)
    otif_lines = np.logical_and(at_once, draws.late_t == 0).sum(axis=0)
    s1 = (np.add.reduce(at_once_periods, axis=0, dtype=np.int64) * dpp).astype(np.float64)
    np.multiply(at_once_periods, at_once_periods, out=at_once_periods)
    s2 = (np.add.reduce(at_once_periods, axis=0, dtype=np.int64) * dpp**2).astype(np.float64)
    # lines that waited for capacity, as flat (period, replication x offer) indices
    waited = np.flatnonzero(is_line & ~trace.cleared)
    if waited.size:
        # FIFO: the line is complete in the first period d in which cumulative closed units
        # (shipped, or cancelled) reach cumulative orders up to and including it; rejects
        # are re-ordered after shipping. A vectorised bisection over d for every line.
        t_l, cell = np.divmod(waited, R * O)  # cell: r * O + o
        need = trace.cum_ordered.ravel().take(waited) * (1 - 1e-12) - 1e-9
        cum_closed = trace.cum_closed.ravel()
        lo = np.zeros_like(t_l)
        hi = np.full_like(t_l, T)
        while True:
            open_ = lo < hi
            if not open_.any():
                break
            mid = (lo + hi) // 2
            ok = cum_closed.take(np.minimum(mid, T - 1) * (R * O) + cell) >= need
            hi = np.where(open_ & ok, mid, hi)
            lo = np.where(open_ & ~ok, mid + 1, lo)
        done = lo
        ok = done < T
        t_l, cell, d = t_l[ok], cell[ok], done[ok]
        days = ((d - t_l) + transit.ravel().take(d * (R * O) + cell)) * dpp
        complete = complete + np.bincount(cell, minlength=R * O).reshape(R, O)
        s1 = s1 + np.bincount(cell, weights=days, minlength=R * O).reshape(R, O)
        s2 = s2 + np.bincount(cell, weights=days.astype(np.float64) ** 2, minlength=R * O).reshape(
            R, O
        )
    lines, complete, otif_lines, s1, s2 = (x.ravel() for x in (lines, complete, otif_lines, s1, s2))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(complete > 0, s1 / complete, np.nan)
        var = np.where(complete > 1, (s2 - complete * mean**2) / (complete - 1), np.nan)
        sd = np.sqrt(np.maximum(var, 0.0))
        cv = np.where((complete > 1) & (mean > 0), sd / mean, np.nan)
        otif = np.where(lines > 0, otif_lines / lines, np.nan)

    ordered = _over_periods(trace.ordered[w:])
    received = _over_periods(trace.received[w:])
    rejected = _over_periods(trace.rejected[w:])
    spend = trace.purchase_total
    order_cost = np.zeros((R, O)) if trace.order_cost_total is None else trace.order_cost_total
    expedited = np.zeros((R, O))
    expediting = np.zeros((R, O))
    by_part = _over_periods(trace.expedited[w:])  # (R, P)
    for p in np.flatnonzero(net.expedite_offer >= 0):
        expedited[:, net.expedite_offer[p]] = by_part[:, p]
        expediting[:, net.expedite_offer[p]] = by_part[:, p] * net.expedite_premium[p]
    sup_spend = _by_supplier(net, spend)[:, net.offer_supplier]  # (R, O)
    share_of_supplier = np.divide(spend, sup_spend, out=np.zeros_like(spend), where=sup_spend > 0)
    qualification = net.qualification_cost[net.offer_supplier] * share_of_supplier
    with np.errstate(divide="ignore", invalid="ignore"):
        ppm = np.where(received > 0, rejected / received * 1e6, np.nan)
    left = trace.capacity_left
    available = np.ones((R, O)) if left is None else left / (T - w)
    contingency = (
        np.zeros((R, O))
        if trace.contingency_cost is None
        else _over_periods(trace.contingency_cost[w:])
    )
    contract = np.zeros((R, O))
    if trace.contract_cost is not None:  # a supplier's contract payments split by spend
        contract = _over_periods(trace.contract_cost[w:])[:, net.offer_supplier] * share_of_supplier
    sup = np.asarray(net.supplier_ids, dtype=object)[net.offer_supplier]
    reg = np.asarray(net.supplier_regions, dtype=object)[net.offer_supplier]
    part = np.asarray(net.part_ids, dtype=object)[net.offer_part]
    return pd.DataFrame(
        {
            "replication": np.repeat(reps, O),
            "supplier": np.tile(sup, R),
            "region": np.tile(reg, R),
            "part": np.tile(part, R),
            "order_lines": lines,
            "otif_lines": otif_lines,
            "otif": otif,
            "censored_lines": (lines - complete).astype(np.int64),
            "lead_time_mean_days": mean,
            "lead_time_sd_days": sd,
            "lead_time_cv": cv,
            "ordered_units": ordered.ravel(),
            "received_units": received.ravel(),
            "rejected_units": rejected.ravel(),
            "defect_ppm": ppm.ravel(),
            "capacity_available": available.ravel(),
            "spend": spend.ravel(),
            "ordering_cost": order_cost.ravel(),
            "expedited_units": expedited.ravel(),
            "expediting_cost": expediting.ravel(),
            "contingency_cost": contingency.ravel(),
            "contract_cost": contract.ravel(),
            "qualification_cost": qualification.ravel(),
            "tco": (
                spend + order_cost + expediting + contingency + contract + qualification
            ).ravel(),
        }
    )
