"""Contingencies at run time: who takes a down supplier's share, and at what cost.

At each review, for every part with contingencies (plan ``contingency``, or a supplier
that may default), vectorised over replications:

1. Each offer of the part has lost ``1 - left`` of its capacity this period (disruptions,
   tier-2 causes, a default). The share of the part's orders it can no longer serve is
   ``L = sum_o share_o x lost_o``.
2. ``L`` goes, in this order, to
   * the **reservation** holder, once ``notice_days`` have passed since the first of the
     part's suppliers went down: its capacity for the part rises by the reserved units;
   * the **backup**, called ``after_days_down`` days into the outage (its
     ``activation_cost`` paid then), shipping ``qualification_days`` later with extra
     capacity climbing linearly to its surge capacity over ``ramp_up_days``; every unit
     ordered from it for the share it took costs ``premium_per_unit``;
   * with **reallocate**, after ``after_days_down`` days, the part's other suppliers that
     are up and qualified, in proportion to their plan shares (equally if they have none);
   each recipient taking at most its *room*: capacity left (plus any reserved or surge
   units) / the part's expected demand per period - the share it already has.
3. Whatever share of a **defaulted** supplier is still unplaced goes to the part's other
   suppliers in the plan (in proportion to their shares, without a capacity check: the
   buyer re-sources).
4. Once the buyer has reacted (the reservation is called at once; backup and reallocation
   after their ``after_days_down``; a default at once), the down offers keep only the
   share their capacity left can serve: their open orders are cancelled in the same
   proportion (re-ordered through the new shares) and the share nobody can take is not
   ordered at all until they are back (it would only wait in a backlog that is counted
   as on the way). Before the buyer reacts, and for parts without rules, orders keep
   going to the down supplier and wait in its backlog.

"Down" is any capacity lost; the days down are counted from the first period of the
current run of lost capacity of any of the part's offers (tracked by SimPy events that
fire just before the review of the period in which a run starts or ends). Everything is
back to the plan's shares at the first review after every supplier of the part is back.
"""

from __future__ import annotations

import numpy as np

from keiretsu.sim.network import Network

EPS = 1e-12


class Contingencies:
    """Run-time state of the contingencies of one batch of ``R`` replications."""

    def __init__(self, net: Network, R: int):
        self.net, self.R = net, R
        O = net.n_offers
        self.down_start = np.full((R, O), np.inf)  # period the current loss run began
        self.defaulted = np.zeros((R, O), dtype=bool)
        self.backup_called = np.zeros((R, len(net.contingencies)), dtype=bool)
        self.extra = np.zeros((R, O))  # reserved / surge units per period available now
        self.moved = np.zeros((R, O))  # share of each offer's orders currently moved away
        self.offers = np.unique(np.concatenate([c.offers for c in net.contingencies]))

    def review(
        self, t: int, share: np.ndarray, left: np.ndarray | None, cost: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Shares (R, O) for the orders of period ``t``, the premium per ordered unit of each
        offer (R, O) and the fraction of each offer's open orders to cancel now (R, O);
        activation costs are added to ``cost`` (R, O).

        When share moves away from a down offer, the same fraction of its open orders is
        cancelled (once, when the move grows), so the buyer re-orders them from the
        recipients; orders placed afterwards already follow the new shares.
        """
        net, R = self.net, self.R
        out = np.broadcast_to(share, (R, share.size)).copy()
        premium = np.zeros((R, share.size))
        cancel = np.zeros((R, share.size))
        self.extra[:] = 0.0
        dpp = net.days_per_period
        for i, c in enumerate(net.contingencies):
            os = c.offers
            base = share[os]
            k = os.size
            lf = np.ones((R, k)) if left is None else left[:, os]
            defaulted = self.defaulted[:, os]
            rules = c.reservation or c.backup or c.reallocate_after is not None
            # without a plan rule only a default is reacted to
            lost = np.where(defaulted, 1.0, 1.0 - lf) if rules else defaulted.astype(float)
            down = lost > EPS
            if not down.any():
                self.backup_called[:, i] = False
                self.moved[:, os] = 0.0
                continue
            lf = 1.0 - lost
            days = np.where(down, (t - self.down_start[:, os]) * dpp, -np.inf)
            first = days.max(axis=1)  # days since the first down offer's run began
            demand = max(net.daily_mean[c.part, t] * dpp, EPS)
            capacity = np.where(t >= net.available_from[os], net.capacity[os], 0.0)
            reacted = defaulted.any(axis=1)  # the buyer has reacted (a rule's time has come)
            if c.reservation is not None:
                reacted |= down.any(axis=1)  # the reservation is called at once
            if c.backup is not None:
                reacted |= first >= c.backup[1]
            if c.reallocate_after is not None:
                reacted |= first >= c.reallocate_after
            to_move = (base * lost).sum(axis=1) * reacted  # (R,)
            remaining = to_move.copy()
            takes = np.zeros((R, k))
            with np.errstate(invalid="ignore"):  # spare share of each offer, before any taking
                spare = np.where(down, 0.0, np.nan_to_num(capacity * lf / demand - base, nan=0.0))

            def room(extra: np.ndarray, pos: int, spare=spare, takes=takes, down=down, d=demand):
                free = np.clip(spare[:, pos] + extra / d - takes[:, pos], 0.0, None)
                return np.where(down[:, pos], 0.0, free)

            if c.reservation is not None:
                pos, units, _fee, notice = c.reservation
                active = (first >= notice) & ~down[:, pos]
                extra = np.where(active & (t >= net.available_from[os[pos]]), units, 0.0)
                self.extra[:, os[pos]] += extra
                take = np.where(active, np.minimum(remaining, room(extra, pos)), 0.0)
                takes[:, pos] += take
                remaining -= take
            if c.backup is not None:
                pos, after, qualification, ramp, surge, unit_premium, activation = c.backup
                called = (first >= after) & ~down[:, pos]
                cost[:, os[pos]] += np.where(called & ~self.backup_called[:, i], activation, 0.0)
                self.backup_called[:, i] = called
                since = first - after - qualification
                # the surge reached by the end of this period
                frac = np.clip((since + dpp) / ramp, 0.0, 1.0) if ramp > 0 else np.ones(R)
                ready = t >= net.available_from[os[pos]]  # its own qualification is done
                frac = np.where(called & (since >= 0) & ready, frac, 0.0)
                extra = surge * frac
                self.extra[:, os[pos]] += extra
                take = np.where(frac > 0, np.minimum(remaining, room(extra, pos)), 0.0)
                takes[:, pos] += take
                remaining -= take
                premium[:, os[pos]] = take * unit_premium
            if c.reallocate_after is not None:
                active = first >= c.reallocate_after
                others = ~down & (t >= net.available_from[os])
                rooms = np.stack([room(np.zeros(R), j) for j in range(k)], axis=1)
                weight = np.where(others, base, 0.0)
                plain = weight.sum(axis=1, keepdims=True) <= EPS
                weight = np.where(plain & others, 1.0, weight)
                total = weight.sum(axis=1, keepdims=True)
                with np.errstate(invalid="ignore", divide="ignore"):
                    want = np.where(total > 0, remaining[:, None] * weight / total, 0.0)
                take = np.where(active[:, None], np.minimum(want, rooms), 0.0)
                takes += take
                remaining -= take.sum(axis=1)
            if defaulted.any():  # the buyer re-sources what a defaulted supplier can't ship
                owed = (base * defaulted).sum(axis=1)
                with np.errstate(invalid="ignore", divide="ignore"):
                    unplaced = np.where(to_move > EPS, remaining * owed / to_move, 0.0)
                weight = np.where(~down, base, 0.0)
                total = weight.sum(axis=1, keepdims=True)
                with np.errstate(invalid="ignore", divide="ignore"):
                    take = np.where(total > EPS, unplaced[:, None] * weight / total, 0.0)
                takes += take
                remaining -= take.sum(axis=1)
            give = (
                base * lost * reacted[:, None]
            )  # what nobody takes is not ordered (it would wait)
            out[:, os] = base - give + takes
            with np.errstate(invalid="ignore", divide="ignore"):
                frac = np.where(base > EPS, np.clip(give / base, 0.0, 1.0), 0.0)
            before = self.moved[:, os]
            grew = frac > before + EPS
            with np.errstate(invalid="ignore", divide="ignore"):
                cut = np.where(grew & (before < 1.0), (frac - before) / (1.0 - before), 0.0)
            cancel[:, os] = np.clip(cut, 0.0, 1.0)
            self.moved[:, os] = np.where(down, np.maximum(before, frac), 0.0)
        return out, premium, cancel

    def default(self, r: int, offers: np.ndarray) -> None:
        """Replication ``r``'s supplier with these offers has defaulted."""
        self.defaulted[r, offers] = True
