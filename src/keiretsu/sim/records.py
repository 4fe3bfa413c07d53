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

Total cost of ownership per supplier and part = purchase + ordering costs + the
supplier's qualification cost split over its parts in proportion to purchase spend.
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


def tables(
    net: Network, trace: Trace, draws: Draws, replications: list[int], warmup: int, detail: str
) -> BatchTables:
    """Turn a batch trace into tidy tables (see module docstring for definitions)."""
    w = min(warmup, net.n_periods - 1)
    sl = slice(w, None)
    R, P = len(replications), net.n_parts
    T = net.n_periods - w
    reps = np.asarray(replications)

    daily_mean = (net.demand_mean[:, None] * net.demand_scale / net.days_per_period)[
        :, sl
    ]  # (P, T)
    part_cost_purchase = _by_part(net, trace.purchase_cost)[:, :, sl]
    part_cost_order = _by_part(net, trace.order_cost)[:, :, sl]
    demand = trace.demand[:, :, sl]
    filled = trace.filled_now[:, :, sl]
    sales = trace.sales[:, :, sl]
    lost = trace.lost[:, :, sl]
    backorders = trace.backorders[:, :, sl]
    on_hand = trace.on_hand[:, :, sl]
    holding = on_hand * net.holding[None, :, None]
    on_hand_value = on_hand * net.unit_value[net.period_year[sl]].T[None]
    shortage = np.where(
        net.backorder[None, :, None],
        backorders * net.shortage_cost[None, :, None],
        lost * net.shortage_cost[None, :, None],
    )
    revenue = sales * net.revenue[None, :, None]
    qualification = np.zeros((R, T))
    qualification[:, 0] = net.qualification_cost.sum()  # one-off: counted despite warm-up

    # ---- network per period
    periods = pd.DataFrame(
        {
            "replication": np.repeat(reps, T),
            "period": np.tile(np.arange(w, net.n_periods), R),
            "demand_units": demand.sum(axis=1).ravel(),
            "filled_now_units": filled.sum(axis=1).ravel(),
            "sales_units": sales.sum(axis=1).ravel(),
            "lost_sales_units": lost.sum(axis=1).ravel(),
            "backorder_units": backorders.sum(axis=1).ravel(),
            "on_hand_units": on_hand.sum(axis=1).ravel(),
            "days_of_cover": (on_hand.sum(axis=1) / daily_mean.sum(axis=0)).ravel(),
            "on_hand_value": on_hand_value.sum(axis=1).ravel(),
            "in_transit_units": trace.in_transit[:, :, sl].sum(axis=1).ravel(),
            "supplier_backlog_units": trace.backlog[:, :, sl].sum(axis=1).ravel(),
            "shipped_units": trace.shipped[:, :, sl].sum(axis=1).ravel(),
            "received_units": trace.received[:, :, sl].sum(axis=1).ravel(),
            "rejected_units": trace.rejected[:, :, sl].sum(axis=1).ravel(),
            "accepted_units": trace.accepted[:, :, sl].sum(axis=1).ravel(),
            "ordered_units": trace.ordered[:, :, sl].sum(axis=1).ravel(),
            "purchase_cost": part_cost_purchase.sum(axis=1).ravel(),
            "holding_cost": holding.sum(axis=1).ravel(),
            "shortage_cost": shortage.sum(axis=1).ravel(),
            "ordering_cost": part_cost_order.sum(axis=1).ravel(),
            "qualification_cost": qualification.ravel(),
            "revenue": revenue.sum(axis=1).ravel(),
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        periods.insert(4, "fill_rate", periods["filled_now_units"] / periods["demand_units"])
    periods["total_cost"] = periods[COST_COLUMNS].sum(axis=1)
    periods["margin"] = periods["revenue"] - periods["total_cost"]

    part_periods = supplier_periods = None
    if detail == "part":
        part_periods = pd.DataFrame(
            {
                "replication": np.repeat(reps, T * P),
                "period": np.tile(np.repeat(np.arange(w, net.n_periods), P), R),
                "part": np.tile(np.asarray(net.part_ids, dtype=object), R * T),
                "demand_units": demand.transpose(0, 2, 1).ravel(),
                "filled_now_units": filled.transpose(0, 2, 1).ravel(),
                "sales_units": sales.transpose(0, 2, 1).ravel(),
                "lost_sales_units": lost.transpose(0, 2, 1).ravel(),
                "backorder_units": backorders.transpose(0, 2, 1).ravel(),
                "on_hand_units": on_hand.transpose(0, 2, 1).ravel(),
                "days_of_cover": (on_hand / daily_mean[None]).transpose(0, 2, 1).ravel(),
                "received_units": trace.accepted[:, :, sl].transpose(0, 2, 1).ravel(),
                "purchase_cost": part_cost_purchase.transpose(0, 2, 1).ravel(),
                "holding_cost": holding.transpose(0, 2, 1).ravel(),
                "shortage_cost": shortage.transpose(0, 2, 1).ravel(),
                "ordering_cost": part_cost_order.transpose(0, 2, 1).ravel(),
                "revenue": revenue.transpose(0, 2, 1).ravel(),
            }
        )
        U = len(net.supplier_ids)
        sup_spend = _by_supplier(net, trace.purchase_cost)[:, :, sl]
        sup_received = _by_supplier(net, trace.received)[:, :, sl]
        sup_rejected = _by_supplier(net, trace.rejected)[:, :, sl]
        sup_ordered = _by_supplier(net, trace.ordered)[:, :, sl]
        supplier_periods = pd.DataFrame(
            {
                "replication": np.repeat(reps, T * U),
                "period": np.tile(np.repeat(np.arange(w, net.n_periods), U), R),
                "supplier": np.tile(np.asarray(net.supplier_ids, dtype=object), R * T),
                "region": np.tile(np.asarray(net.supplier_regions, dtype=object), R * T),
                "ordered_units": sup_ordered.transpose(0, 2, 1).ravel(),
                "received_units": sup_received.transpose(0, 2, 1).ravel(),
                "rejected_units": sup_rejected.transpose(0, 2, 1).ravel(),
                "spend": sup_spend.transpose(0, 2, 1).ravel(),
            }
        )

    # ---- per replication x part
    with np.errstate(divide="ignore", invalid="ignore"):
        parts = pd.DataFrame(
            {
                "replication": np.repeat(reps, P),
                "part": np.tile(np.asarray(net.part_ids, dtype=object), R),
                "demand_units": demand.sum(axis=2).ravel(),
                "sales_units": sales.sum(axis=2).ravel(),
                "fill_rate": (filled.sum(axis=2) / demand.sum(axis=2)).ravel(),
                "lost_sales_units": lost.sum(axis=2).ravel(),
                "mean_backorder_units": backorders.mean(axis=2).ravel(),
                "mean_on_hand_units": on_hand.mean(axis=2).ravel(),
                "mean_days_of_cover": (on_hand / daily_mean[None]).mean(axis=2).ravel(),
                "mean_on_hand_value": on_hand_value.mean(axis=2).ravel(),
                "purchase_cost": part_cost_purchase.sum(axis=2).ravel(),
                "holding_cost": holding.sum(axis=2).ravel(),
                "shortage_cost": shortage.sum(axis=2).ravel(),
                "ordering_cost": part_cost_order.sum(axis=2).ravel(),
                "revenue": revenue.sum(axis=2).ravel(),
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
    rep["total_cost"] = totals[COST_COLUMNS].sum(axis=1)
    rep["revenue"] = totals["revenue"]
    rep["margin"] = rep["revenue"] - rep["total_cost"]
    rep["cost_per_period"] = rep["total_cost"] / T
    rep["inventory_cost_per_period"] = (
        rep["holding_cost"] + rep["shortage_cost"] + rep["ordering_cost"]
    ) / T
    rep["order_lines"] = lines["order_lines"]
    rep = rep.reset_index()
    return BatchTables(rep, parts, suppliers, periods, part_periods, supplier_periods)


COST_COLUMNS = [
    "purchase_cost",
    "holding_cost",
    "shortage_cost",
    "ordering_cost",
    "qualification_cost",
]
"""Cost categories, in the order reports show them (money in meta.currency)."""


def _by_part(net: Network, x: np.ndarray) -> np.ndarray:
    if net.n_offers == net.n_parts:
        return x
    return np.add.reduceat(x, net.part_start, axis=1)


def _by_supplier(net: Network, x: np.ndarray) -> np.ndarray:
    return np.add.reduceat(x[:, net.by_supplier], net.supplier_start, axis=1)


def _supplier_table(
    net: Network, trace: Trace, draws: Draws, reps: np.ndarray, w: int
) -> pd.DataFrame:
    """One row per replication x offer: order lines, OTIF, realised lead times, quality, spend."""
    R, O, T = trace.ordered.shape
    dpp = net.days_per_period
    shipped_cum = np.cumsum(trace.shipped, axis=2)
    added = trace.ordered.copy()
    added[:, :, 1:] += trace.rejected[:, :, :-1]  # rejects are re-ordered after shipping
    need = np.cumsum(added, axis=2)
    need *= 1 - 1e-12
    need -= 1e-9
    # a line placed in period t is complete in the first period d >= t in which cumulative
    # shipments reach cumulative orders up to and including it (first in, first out)
    done = np.empty((R, O, T), dtype=np.int64)
    for r in range(R):
        for o in range(O):
            done[r, o] = np.searchsorted(shipped_cum[r, o], need[r, o], side="left")
    is_line = trace.ordered > 0
    is_line[:, :, :w] = False
    ok = is_line & (done < T)
    d = np.minimum(done, T - 1)
    late_at = np.take_along_axis(np.ascontiguousarray(draws.late), d, axis=2)
    lead_at = np.take_along_axis(np.ascontiguousarray(draws.lead), d, axis=2)
    lead_days = np.where(ok, ((d - np.arange(T)) + lead_at + late_at) * dpp, 0.0)
    on_time = ok & (d == np.arange(T)) & (late_at == 0)

    lines = is_line.sum(axis=2).ravel()
    complete = ok.sum(axis=2).ravel()
    otif_lines = on_time.sum(axis=2).ravel()
    s1 = lead_days.sum(axis=2).ravel()
    s2 = (lead_days**2).sum(axis=2).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(complete > 0, s1 / complete, np.nan)
        var = np.where(complete > 1, (s2 - complete * mean**2) / (complete - 1), np.nan)
        sd = np.sqrt(np.maximum(var, 0.0))
        cv = np.where((complete > 1) & (mean > 0), sd / mean, np.nan)
        otif = np.where(lines > 0, otif_lines / lines, np.nan)

    ordered = trace.ordered[:, :, w:].sum(axis=2)
    received = trace.received[:, :, w:].sum(axis=2)
    rejected = trace.rejected[:, :, w:].sum(axis=2)
    spend = trace.purchase_cost[:, :, w:].sum(axis=2)
    order_cost = trace.order_cost[:, :, w:].sum(axis=2)
    sup_spend = _by_supplier(net, spend[:, :, None])[:, :, 0]  # (R, U)
    share_of_supplier = np.divide(
        spend,
        sup_spend[:, net.offer_supplier],
        out=np.zeros_like(spend),
        where=sup_spend[:, net.offer_supplier] > 0,
    )
    qualification = net.qualification_cost[net.offer_supplier][None, :] * share_of_supplier
    with np.errstate(divide="ignore", invalid="ignore"):
        ppm = np.where(received > 0, rejected / received * 1e6, np.nan)
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
            "spend": spend.ravel(),
            "ordering_cost": order_cost.ravel(),
            "qualification_cost": qualification.ravel(),
            "tco": (spend + order_cost + qualification).ravel(),
        }
    )
