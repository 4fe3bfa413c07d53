"""The period kernel, driven by SimPy.

Time: period ``t`` spans ``[t, t+1)``. Discrete events happen at their own times:
reviews at ``t = 0, r, 2r, ...`` (start of period). The period step runs at ``t + 0.5``,
after every event of the period's start, and does, in order:

1. **Ship**: each offer ships ``min(backlog, capacity)``, capacity being scaled by the
   share left by any disruption of its supplier (evaluated at mid-period); a supplier's
   shared capacity is rationed across its parts in proportion to what each could ship. Units not shipped
   wait (first in, first out). A shipment arrives ``lead + late`` periods later
   (zero-lead-time shipments arrive in the same period).
2. **Receive**: arrivals are inspected; defective units (binomial in the whole units
   received, with the offer's defect rate) are rejected and re-ordered from the same supplier at no charge; accepted units
   are paid at the year's unit price and go on hand.
3. **Demand**: backorders are served first (first in, first out), then the period's
   demand; unmet demand is backordered or lost per the part's shortage treatment.
4. **Account**: holding cost on end-of-period on-hand, backorder cost on end-of-period
   backorders, lost-sale penalty per unit lost, revenue per unit sold.

A review first expedites (plan ``expedite``): when on hand - backorders + expedited
units in transit is below the trigger's days of cover, the shortfall up to the target
cover goes through the part's expedite channel (its own lead time and premium, within
its capacity, skipping the regular backlog). It then computes the inventory position (on hand + supplier backlog + in transit -
backorders) and orders per the part's policy: base-stock (up to S), (s, S) (up to S when
the position is <= s) or days of cover (up to mean daily demand x cover days + safety
stock; the cover is the expected demand of the coming ``cover_days``, so the target
follows growth and seasonality ahead of time). The order is split by the plan's shares for the year; each positive piece is
raised to the offer's minimum order and costs its fixed order cost.

These are the conventions of Snyder & Shen (2019), ch. 4: with zero lead time the
end-of-period net inventory is S - D; with lead time L it is S - D(L + 1).
All state is per replication (leading axis R): replications never interact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from keiretsu.sim.contingency import Contingencies
from keiretsu.sim.contracts import ContractRuns
from keiretsu.sim.draws import Draws
from keiretsu.sim.network import LEARNING_DEFECT_EXTRA, Network
from keiretsu.sim.programs import buyer_share_of_savings, effect_matrix

ORDER_EPS = 1e-9
"""Orders (and backlogs) below this many units are treated as zero."""


TRACE_PARTS = (
    "filled_now",
    "sales",
    "lost",
    "backorders",
    "on_hand",
    "accepted",
    "expedited",
)
TRACE_OFFERS = ("ordered", "shipped", "received", "rejected")


@dataclass
class Trace:
    """Everything a batch recorded, period-first: (T, R, P) per part, (T, R, O) per offer."""

    # per part
    demand: np.ndarray
    filled_now: np.ndarray
    sales: np.ndarray
    lost: np.ndarray
    backorders: np.ndarray
    on_hand: np.ndarray
    accepted: np.ndarray
    backlog: np.ndarray  # (T, R) units in suppliers' backlogs at the end of the period
    in_transit: np.ndarray  # (T, R) units in transit at the end of the period (expedited too)
    expedited: np.ndarray  # units ordered through the expedite channel at the review
    # per offer
    ordered: np.ndarray
    shipped: np.ndarray
    received: np.ndarray
    rejected: np.ndarray
    cleared: np.ndarray  # bool: no backlog left after shipping (every order so far has left)
    purchase_part: np.ndarray  # (T, R, P) accepted units x the year's unit price (x price shocks)
    purchase_total: np.ndarray  # (R, O) the same per offer, over the reported periods
    purchase_supplier: np.ndarray | None = None  # (T, R, U) the same by supplier (detail "part")
    order_cost_part: np.ndarray | None = None  # (T, R, P) fixed cost of order lines; None: none
    order_cost_total: np.ndarray | None = None  # (R, O) the same per offer, reported periods
    contingency_cost: np.ndarray | None = None  # (T, R, O) fees, premiums, activations; None: none
    cancelled: np.ndarray | None = None  # (T, R, O) open orders cancelled (re-sourced, defaults)
    cum_ordered: np.ndarray | None = None  # (T, R, O) units ordered so far (re-orders included)
    program_savings: np.ndarray | None = None  # (T, R, K) unit-cost savings each supplier keeps
    contract_cost: np.ndarray | None = None  # (T, R, U) buyer's net contract payments per supplier
    contract_reviews: list[dict] | None = None  # one row per replication, review and supplier
    cum_closed: np.ndarray | None = None  # (T, R, O) units shipped or cancelled so far
    capacity_left: np.ndarray | None = None  # (R, O) sum over periods of the share of capacity left


class Kernel:
    """State of R replications of one network, advanced one period at a time.

    Records are kept period-first, ``(T, R, X)``, so each period writes contiguous slices.
    """

    def __init__(self, net: Network, draws: Draws, per_supplier_periods: bool = True):
        self.net, self.draws = net, draws
        T, R, P = draws.demand_t.shape
        O = net.n_offers
        self.R = R
        self.on_hand = np.broadcast_to(net.initial_on_hand, (R, P)).copy()
        self.backorders = np.zeros((R, P))
        self.backlog = np.zeros((R, O))
        self.transit = np.zeros((R, O))
        longest = int(draws.transit_t.max(initial=0))
        if draws.expedite_lead_t is not None:
            longest = max(longest, int(draws.expedite_lead_t.max(initial=0)))
        self.window = longest + 1
        self.expediting = draws.expedite_lead_t is not None
        self.expedite_parts = np.flatnonzero(net.expedite_offer >= 0)
        self.expedite_ring = np.zeros((self.window, R, P))  # expedited units by arrival slot
        self.expedite_transit = np.zeros((R, P))
        self.ring = np.zeros((self.window, R, O))  # in transit by arrival slot
        self.ring_flat = self.ring.reshape(-1)
        self.cell = np.arange(R * O).reshape(R, O)  # flat offset of (r, o) within a slot
        self.shared = bool(np.isfinite(net.shared_capacity).any())
        self.single_offer_parts = O == P
        self.all_qualified = int(net.available_from.max(initial=0))  # from then on: no gate
        self.backordered = net.backorder.astype(float)  # 1 for backorder parts, 0 for lost sales
        self.lost_sale = 1.0 - self.backordered
        self.all_backordered = bool(net.backorder.all())
        self.part_slot = (np.arange(R)[:, None] * P + net.offer_part[None, :]).ravel()
        self.part_cells = R * P
        self.rec = {name: np.zeros((T, R, P)) for name in TRACE_PARTS}
        self.rec.update({name: np.zeros((T, R, O)) for name in TRACE_OFFERS})
        self.rec["cleared"] = np.zeros((T, R, O), dtype=bool)
        self.rec["backlog"] = np.zeros((T, R))
        self.rec["in_transit"] = np.zeros((T, R))
        self.rec["purchase_part"] = np.zeros((T, R, P))
        self.per_supplier = per_supplier_periods
        if per_supplier_periods:
            self.rec["purchase_supplier"] = np.zeros((T, R, len(net.supplier_ids)))
        self.rec["purchase_total"] = np.zeros((R, O))
        # running FIFO counters: a line is complete once units closed reach units ordered
        self.cum_ordered = np.zeros((R, O))
        self.cum_closed = np.zeros((R, O))
        self.rec["cum_ordered"] = np.zeros((T, R, O))
        self.rec["cum_closed"] = np.zeros((T, R, O))
        self.ordering = bool((net.order_cost > 0).any())
        if self.ordering:
            self.rec["order_cost_part"] = np.zeros((T, R, P))
            self.rec["order_cost_total"] = np.zeros((R, O))
        self.disrupted = draws.disrupted
        self.left = None  # (R, O) share of each offer's capacity left this period
        if self.disrupted:
            self.rec["capacity_left"] = np.zeros((R, O))
        self.held = None if draws.held_t is None else np.zeros((R, O))  # arrivals held back
        self.programs = draws.programs  # funded programs' progress (None: none funded)
        if self.programs is not None:
            share = buyer_share_of_savings(net)  # (K,)
            cost_cut = effect_matrix(net, "unit_cost_reduction")  # (K, O)
            self.program_capacity = effect_matrix(net, "capacity_units_per_period")
            self.program_price_cut = cost_cut * share[:, None]  # the buyer's price falls by this
            self.program_kept = (cost_cut * (1.0 - share[:, None])).T  # (O, K) the supplier keeps
            self.program_defect_cut = effect_matrix(net, "defect_reduction")
            self.rec["program_savings"] = np.zeros((T, R, len(net.programs)))
        self.buffer = net.buffer
        # every reorder point +inf (no (s, S) part): a review always orders up to the target
        self.reorder_at_any_position = bool(np.isposinf(net.reorder_point).all())
        self.moq = bool((net.moq > 0).any())
        self.price = net.price  # (Y, O) unit price per year
        self.replications = draws.replications
        self.contract_set = net.contracts  # supplier response (None: nothing to do)
        self.improvements = draws.improvements
        self.contracts = None
        self.others = self.contract_set is not None and bool(
            (self.contract_set.other_demand > 0).any() or (self.contract_set.reserved > 0).any()
        )
        self.warned = None  # (U,) periods of early warning of each supplier's capacity losses
        if self.contract_set is not None:
            ew = np.ceil(self.contract_set.early_warning_days / net.days_per_period).astype(int)
            self.warned = ew if ew.any() else None
            self.rec["contract_cost"] = np.zeros((T, R, len(net.supplier_ids)))
            if self.contract_set.suppliers:
                self.contracts = ContractRuns(self)
        self.defects_vary = (
            self.contract_set is not None or net.learning is not None or draws.programs is not None
        )
        self.contingency = Contingencies(net, R) if net.contingencies else None
        if self.contingency is not None:
            self.rec["cancelled"] = np.zeros((T, R, O))  # open orders cancelled (re-sourced)
        if self.contingency is not None or net.reservation_fee is not None:
            self.rec["contingency_cost"] = np.zeros((T, R, O))
            if net.reservation_fee is not None:
                self.rec["contingency_cost"] += net.reservation_fee

    def warned_left(self, t: int) -> np.ndarray | None:
        """(R, O) capacity left as contingencies see it: with a supplier's early warning,
        the loss of the coming ``early_warning_days`` is known now."""
        left = self.capacity_left(t)
        if left is None or self.warned is None:
            return left
        ahead = self.warned[self.net.offer_supplier]  # (O,) periods
        out = left.copy()
        for a in np.unique(ahead[ahead > 0]):
            later = self.capacity_left(min(t + int(a), self.net.n_periods - 1))
            cols = ahead == a
            out[:, cols] = np.minimum(left[:, cols], later[:, cols])
        return out

    def capacity_left(self, t: int) -> np.ndarray | None:
        """(R, O) share of each offer's capacity left in period ``t`` (None: no disruptions)."""
        draws, net = self.draws, self.net
        if not self.disrupted:
            return None
        if draws.supplier_left_t is None:
            return draws.offer_left_t[t]
        left = draws.supplier_left_t[t][:, net.offer_supplier]
        if draws.offer_left_t is not None:
            left = np.minimum(left, draws.offer_left_t[t])
        return left

    def trace(self) -> Trace:
        """Hand over the records, period-first (T, R, X); the kernel keeps none."""
        rec = self.rec
        self.rec = {}
        if self.contracts is not None:
            rec["contract_reviews"] = self.contracts.rows
        return Trace(demand=self.draws.demand_t, **rec)

    def defect_rate(self, t: int) -> np.ndarray:
        """(R, O) or (O,) defect rate of each offer in period ``t``: the quoted rate x the
        contract's effort, continuous improvement, supplier improvements and remediation
        plans x a new source's learning curve x programs' cuts."""
        net = self.net
        rate = net.defect_rate
        cs = self.contract_set
        if cs is not None:
            sup = net.offer_supplier
            rate = rate * cs.defect_factor[sup] * cs.defect_year[net.period_year[t]][sup]
            rate = rate * self.improvements.quality[t][:, sup]
            if self.contracts is not None:
                rate = rate * self.contracts.remediation[:, sup]
        if net.learning is not None:
            rate = rate * (1.0 + LEARNING_DEFECT_EXTRA * net.learning[:, t])
        if self.programs is not None:  # programs cut their offers' defect rates
            rate = rate * (1.0 - self.programs.progress[t] @ self.program_defect_cut)
        return np.minimum(rate, 1.0)

    def schedule_remediation(
        self, r: int, u: int, when: float, effect: float, targets: dict[str, float]
    ) -> None:
        """A successful improvement plan at supplier ``u`` takes effect at time ``when``."""
        self.env.process(self._remediate(r, u, when, effect, targets))

    def _remediate(self, r, u, when, effect, targets):
        """Close ``effect`` of the gap of defects and on-time to their targets, from ``when``."""
        net, draws = self.net, self.draws
        if when > self.env.now:
            yield self.env.timeout(when - self.env.now)
        t = min(int(np.ceil(when)), net.n_periods - 1)
        offers = np.flatnonzero(net.offer_supplier == u)
        target_ppm = targets.get("defect_ppm")
        if target_ppm is not None:
            now = self.defect_rate(t)
            now = now[r, offers] if now.ndim == 2 else now[offers]
            current = float(np.mean(now)) if now.size else 0.0
            if current > target_ppm / 1e6 > 0:
                self.contracts.remediation[r, u] *= 1.0 - effect * (
                    1.0 - target_ppm / 1e6 / current
                )
        target_otif = targets.get("otif")
        if target_otif is not None and draws.late_u_t is not None:
            for o in offers:
                p = net.on_time_probability[o] + self.contract_set.on_time_gain[u]
                better = min(1.0, p + effect * max(target_otif - p, 0.0))
                quoted = draws.transit_t[t:, r, o] - draws.late_t[t:, r, o]
                late = np.where(draws.late_u_t[t:, r, o] >= better, draws.late_if_t[t:, r, o], 0)
                draws.late_t[t:, r, o] = late
                draws.transit_t[t:, r, o] = quoted + late

    def _by_part(self, x: np.ndarray) -> np.ndarray:
        """(R, O) -> (R, P): each part's offers added in offer order."""
        if self.single_offer_parts:
            return x
        return np.bincount(self.part_slot, weights=x.ravel(), minlength=self.part_cells).reshape(
            self.R, -1
        )

    def expedite(self, t: int) -> None:
        """Expedite parts whose net stock fell below their trigger (plan.expedite)."""
        net, parts = self.net, self.expedite_parts
        daily = net.daily_mean[parts, t]
        stock = (self.on_hand - self.backorders + self.expedite_transit)[:, parts]
        short = stock < net.expedite_trigger[parts] * daily
        want = np.where(short, net.expedite_up_to[parts] * daily - stock, 0.0)
        offers = net.expedite_offer[parts]
        capacity = np.where(t >= net.available_from[offers], net.expedite_capacity[parts], 0.0)
        left = self.capacity_left(t)
        if left is not None:  # a supplier that is down cannot rush either
            capacity = _scaled(capacity, left[:, offers])
        qty = np.minimum(np.maximum(want, 0.0), capacity)
        qty[qty < ORDER_EPS] = 0.0
        if not qty.any():
            return
        slot = (t + self.draws.expedite_lead_t[t][:, parts]) % self.window
        self.ring_flat[slot * self.cell.size + self.cell[:, offers]] += qty
        self.expedite_ring[slot, np.arange(self.R)[:, None], parts] += qty
        self.transit[:, offers] += qty
        self.expedite_transit[:, parts] += qty
        self.rec["expedited"][t][:, parts] = qty

    def review(self, t: int) -> None:
        """Place orders at the start of period ``t`` (see module docstring)."""
        net = self.net
        if self.expediting:
            self.expedite(t)
        share = net.share[net.period_year[t]]
        premium = None
        if self.contingency is not None:  # who takes a down supplier's share; cancel its orders
            cost = self.rec["contingency_cost"][t]
            share, premium, cancel = self.contingency.review(t, share, self.warned_left(t), cost)
            cut = self.backlog * cancel
            self.backlog -= cut
            self.rec["cancelled"][t] += cut
        if self.contracts is not None:  # escalation's volume shifts and exits
            share = self.contracts.adjust_shares(t, share)
        position = self.on_hand + self._by_part(self.backlog + self.transit) - self.backorders
        target = net.target[:, t]  # order-up-to level of each part's policy (P,)
        reorder = net.reorder_point  # s for (s, S); +inf (always review up to S) otherwise
        if self.buffer is not None:  # strategic buffers raise the target and the reorder point
            target = target + self.buffer[:, t]
            reorder = reorder + self.buffer[:, t]
        quantity = target - position
        if self.reorder_at_any_position and self.buffer is None:  # no (s, S): no reorder test
            quantity[quantity <= ORDER_EPS] = 0.0
        else:
            quantity[(position > reorder) | (quantity <= ORDER_EPS)] = 0.0
        per_offer = quantity.take(net.offer_part, axis=1)  # take: faster than [:, index]
        if premium is not None:
            self.rec["contingency_cost"][t] += per_offer * premium
        if self.moq:
            pieces = per_offer * share
            pieces = np.where(pieces > ORDER_EPS, np.maximum(pieces, net.moq), 0.0)
            self.rec["ordered"][t] = pieces
        else:  # the order lines straight into the record
            pieces = np.multiply(per_offer, share, out=self.rec["ordered"][t])
            pieces[pieces <= ORDER_EPS] = 0.0
        self.backlog += pieces
        # units ordered so far, into the record; the state is that record (a view) until
        # the step adds its re-orders out of place
        self.cum_ordered = np.add(self.cum_ordered, pieces, out=self.rec["cum_ordered"][t])
        if self.ordering:  # a fixed cost per order line
            lines = np.where(pieces > 0, net.order_cost, 0.0)
            self.rec["order_cost_part"][t] = self._by_part(lines)
            if t >= net.warmup:
                self.rec["order_cost_total"] += lines

    def step(self, t: int) -> None:
        """Ship, receive, meet demand and account for period ``t``."""
        net, rec, draws = self.net, self.rec, self.draws
        capacity = (
            net.capacity
            if t >= self.all_qualified
            else np.where(t >= net.available_from, net.capacity, 0.0)
        )
        shared_capacity = net.shared_capacity
        if self.disrupted:  # disruptions: the share of capacity left
            left = self.capacity_left(t)  # (R, O)
            if t >= net.warmup:
                rec["capacity_left"] += left
            capacity = _scaled(capacity, left)
            if draws.supplier_left_t is not None:
                shared_capacity = _scaled(shared_capacity, draws.supplier_left_t[t])
        if self.programs is not None:  # capacity added by completed programs
            capacity = capacity + self.programs.progress[t] @ self.program_capacity
        if self.contingency is not None:  # reserved and surge capacity called by contingencies
            extra = self.contingency.extra
            capacity = capacity + extra
            if self.shared:
                shared_capacity = shared_capacity + np.add.reduceat(
                    extra[:, net.by_supplier], net.supplier_start, axis=1
                )
        ship = np.minimum(self.backlog, capacity, out=rec["shipped"][t])
        if self.shared:
            load = np.add.reduceat(ship.take(net.by_supplier, axis=1), net.supplier_start, axis=1)
            if self.others:  # the supplier rations its capacity with its other customers
                allowed = _rationed(
                    load,
                    shared_capacity,
                    self.contract_set.other_demand,
                    self.contract_set.priority,
                    self.contract_set.reserved,
                )
                over = allowed < load
                if over.any():
                    factor = np.divide(allowed, load, out=np.ones_like(load), where=over)
                    ship *= factor.take(net.offer_supplier, axis=1)
            else:
                over = load > shared_capacity
                if over.any():  # (otherwise every factor is 1)
                    factor = np.divide(shared_capacity, load, out=np.ones_like(load), where=over)
                    ship *= factor.take(net.offer_supplier, axis=1)
        self.backlog -= ship
        # units closed so far (the last period's + cancelled + shipped), into the record;
        # the state is that record (a view), only read in the next period
        closed = rec["cum_closed"][t]
        if self.contingency is not None:
            np.add(self.cum_closed, rec["cancelled"][t], out=closed)
            closed += ship
        else:
            np.add(self.cum_closed, ship, out=closed)
        self.cum_closed = closed
        cleared = np.less(self.backlog, ORDER_EPS, out=rec["cleared"][t])
        np.copyto(self.backlog, 0.0, where=cleared)
        slot_of = draws.transit_t[t] + t
        slot_of %= self.window
        slot_of *= self.cell.size
        slot_of += self.cell
        # the (r, o) cells of a slot are distinct: a gather, an add and a scatter
        self.ring_flat.put(slot_of, self.ring_flat.take(slot_of) + ship)
        self.transit += ship

        slot = t % self.window
        arriving = rec["received"][t]
        arriving[...] = self.ring[slot]
        self.ring[slot] = 0.0
        if self.held is not None:  # a regional event holds goods due now; released when it ends
            hold = draws.held_t[t][:, net.offer_supplier]
            self.held += np.where(hold, arriving, 0.0)
            arriving[hold] = 0.0
            release = ~hold & (self.held > 0)
            arriving[release] += self.held[release]
            self.held[release] = 0.0
        if self.expediting:
            self.expedite_transit -= self.expedite_ring[slot]
            self.expedite_ring[slot] = 0.0
        self.transit -= arriving
        np.copyto(self.transit, 0.0, where=self.transit < ORDER_EPS)
        accepted = arriving
        if draws.defects is not None:  # whole units arrived (truncated), binomial defects
            rate = self.defect_rate(t) if self.defects_vary else net.defect_rate
            rejected = draws.defects.rejected(arriving, rate, out=rec["rejected"][t])
            self.backlog += rejected
            # re-ordered after this period's shipping (out of place: the state may be a view
            # of the review's record)
            self.cum_ordered = self.cum_ordered + rejected
            accepted = arriving - rejected
        accepted_part = self._by_part(accepted)
        rec["accepted"][t] = accepted_part
        self.on_hand += accepted_part
        price = self.price[net.period_year[t]]
        if draws.price_factor_t is not None:
            shock = draws.price_factor_t[t]
            if self.contract_set is not None:  # indexation passes on only part of a shock
                pass_through = self.contract_set.pass_through[net.offer_supplier]
                shock = 1.0 + pass_through * (shock - 1.0)
            price = price * shock
        if self.programs is not None:  # the buyer's share of programs' unit-cost savings
            progress = self.programs.progress[t]  # (R, K)
            saved = accepted * price  # at the price before the programs' cut
            rec["program_savings"][t] = (saved @ self.program_kept) * progress
            price = price * (1.0 - progress @ self.program_price_cut)
        spend = accepted * price  # paid at the year's unit price on acceptance
        rec["purchase_part"][t] = self._by_part(spend)
        if self.per_supplier:
            rec["purchase_supplier"][t] = np.add.reduceat(
                spend.take(net.by_supplier, axis=1), net.supplier_start, axis=1
            )
        if t >= net.warmup:
            rec["purchase_total"] += spend
        if self.contracts is not None:  # contract review windows
            line = rec["ordered"][t] > 0
            on_time = line & cleared & (draws.late_t[t] == 0)
            year = net.period_year[t]
            cs = self.contract_set
            cost_factor = cs.cost_year[year] * self.improvements.cost[t]  # (R, U)
            saved = accepted * self.price[year] * (1.0 - cost_factor[:, net.offer_supplier])
            self.contracts.count(
                t,
                on_time.astype(float),
                line.astype(float),
                draws.transit_t[t] * net.days_per_period,
                arriving,
                rec["rejected"][t],
                accepted,
                spend,
                saved,
            )

        demand = draws.demand_t[t]
        served_backorders = np.minimum(self.on_hand, self.backorders)
        self.on_hand -= served_backorders
        filled = np.minimum(self.on_hand, demand, out=rec["filled_now"][t])
        self.on_hand -= filled
        short = demand - filled
        if self.all_backordered:
            self.backorders += short
        else:
            np.multiply(short, self.lost_sale, out=rec["lost"][t])
            short *= self.backordered
            self.backorders += short
        self.backorders -= served_backorders
        np.add(served_backorders, filled, out=rec["sales"][t])
        rec["backorders"][t] = self.backorders
        rec["on_hand"][t] = self.on_hand
        self.transit.sum(axis=1, out=rec["in_transit"][t])
        self.backlog.sum(axis=1, out=rec["backlog"][t])


def _rationed(
    requested: np.ndarray,
    capacity: np.ndarray,
    others: np.ndarray,
    weight: np.ndarray,
    reserved: np.ndarray,
) -> np.ndarray:
    """(R, U) units the buyer gets when a supplier rations capacity with its other customers.

    Requests B (the buyer's), D (others'); when B + D exceeds the capacity C, the buyer gets
    its reserved units first, R = min(reserved, B, C), then a weighted proportional share of
    the rest: R + (C - R) w (B - R) / (w (B - R) + D), at most B (weight w: its priority;
    others weigh 1 per unit). See :mod:`keiretsu.sim.contracts`.
    """
    cap = np.broadcast_to(capacity, requested.shape)
    short = requested + others > cap
    first = np.minimum(np.minimum(reserved, requested), cap)
    rest_b = requested - first
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(rest_b > 0, weight * rest_b / (weight * rest_b + others), 0.0)
        rest = np.where(np.isfinite(cap), cap - first, 0.0)
    allowed = np.minimum(requested, first + rest * share)
    return np.where(short, allowed, requested)


def _scaled(capacity: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Capacity times the share left, with a full stop giving 0 even for unlimited capacity
    (an unlimited capacity partly hit stays unlimited: give it a number to model that)."""
    with np.errstate(invalid="ignore"):
        return np.where(left <= 0.0, 0.0, capacity * left)


def simulate(net: Network, draws: Draws, per_supplier_periods: bool = True) -> Trace:
    """Run one batch of replications through the whole horizon (``per_supplier_periods``:
    also record spend per supplier and period, for the per-period supplier table)."""
    env = simpy.Environment()
    kernel = Kernel(net, draws, per_supplier_periods)
    kernel.env = env
    if kernel.contingency is not None:
        env.process(_supplier_watch(env, kernel))
    if kernel.contracts is not None:
        env.process(_contract_reviews(env, kernel))

    def reviews() -> simpy.events.ProcessGenerator:
        t = 0
        while t < net.n_periods:
            kernel.review(t)
            t += net.review_every
            yield env.timeout(net.review_every)

    def periods() -> simpy.events.ProcessGenerator:
        yield env.timeout(0.5)
        for t in range(net.n_periods):
            kernel.step(t)
            yield env.timeout(1.0)

    env.process(reviews())
    env.process(periods())
    env.run(until=net.n_periods)
    return kernel.trace()


def _contract_reviews(env: simpy.Environment, kernel: Kernel) -> simpy.events.ProcessGenerator:
    """Contract reviews: just before the review of each period that closes a review window."""
    for index, t in enumerate(kernel.contracts.review_periods(), start=1):
        when = t - WATCH_LEAD
        if when > env.now:
            yield env.timeout(when - env.now)
        kernel.contracts.review(t, index)


WATCH_LEAD = 0.25
"""Supplier-state events for period ``t`` fire at ``t - WATCH_LEAD``: after the previous
period's step, before period ``t``'s review."""


def _supplier_watch(env: simpy.Environment, kernel: Kernel) -> simpy.events.ProcessGenerator:
    """SimPy events at the periods in which a contingency offer's capacity loss starts or ends
    (the kernel's ``down_start``), and at each supplier default (open orders cancelled)."""
    net, draws, state = kernel.net, kernel.draws, kernel.contingency
    offers = state.offers
    changes: dict[int, list] = {}
    if kernel.disrupted:
        left = np.stack([kernel.warned_left(t)[:, offers] for t in range(net.n_periods)])
        down = left < 1.0 - 1e-12  # (T, R, k)
        before = np.concatenate([np.zeros_like(down[:1]), down[:-1]])
        for t, r, j in zip(*np.nonzero(down != before), strict=True):
            changes.setdefault(int(t), []).append(("down" if down[t, r, j] else "up", r, offers[j]))
    if draws.default_period is not None:
        for r, u in zip(*np.nonzero(draws.default_period >= 0), strict=True):
            t = int(draws.default_period[r, u])
            changes.setdefault(t, []).append(("default", r, u))
    for t in sorted(changes):
        when = max(t - WATCH_LEAD, 0.0)
        if when > env.now:
            yield env.timeout(when - env.now)
        for what, r, x in changes[t]:
            if what == "down":
                state.down_start[r, x] = t
            elif what == "up":
                state.down_start[r, x] = np.inf
            else:  # the supplier is gone: cancel its open orders, re-source its share
                mine = np.flatnonzero(net.offer_supplier == x)
                kernel.rec["cancelled"][t, r, mine] += kernel.backlog[r, mine]
                kernel.backlog[r, mine] = 0.0
                state.default(r, mine)
