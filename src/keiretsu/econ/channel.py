"""Supply-chain contracts on a newsvendor channel: profits, efficiency, coordination.

Source: G. P. Cachon (2003), "Supply chain coordination with contracts", in S. Graves and
T. de Kok (eds.), *Handbooks in OR & MS* vol. 11, Supply Chain Management, ch. 6,
section 2 (the newsvendor model; 2.1 wholesale price, 2.2 buyback, 2.3 revenue sharing,
2.4 quantity flexibility, 2.5 sales rebate). Explanation and worked numbers:
``docs/explanation/contracts.md``.

**Channel.** A retailer orders q units before a selling season with random demand
D >= 0 (law: :mod:`keiretsu.econ.demand_law`). Per unit: retail price p, the supplier's
production cost c_s, the retailer's own cost c_r (handling), salvage value v of a unit
left over, goodwill cost g_r (retailer) and g_s (supplier) of a unit of demand not met;
c = c_s + c_r, g = g_r + g_s. With expected sales S(q) = E[min(D, q)], leftover
I(q) = q - S(q) and lost sales L(q) = mu - S(q), the channel (integrated) profit is

    Pi(q) = p S(q) + v I(q) - g L(q) - c q = (p - v + g) S(q) - (c - v) q - g mu,

maximised by Q° = F^-1((p + g - c) / (p + g - v)); Pi° = Pi(Q°). Requires
v < c < p + g and Pi° > 0. Every quantity is an expectation over one season.

**Contracts** (the expected transfer T(q) the retailer pays the supplier; the retailer
salvages leftovers at v unless said otherwise; the retailer's profit is
``pi_r = p S + v I - g_r L - c_r q - T`` and the supplier's ``pi_s = T - c_s q - g_s L``,
so pi_r + pi_s = Pi at every q):

* wholesale price w: T = w q. The retailer orders F^-1((p + g_r - w - c_r)/(p + g_r - v)).
* buyback (w, b): the retailer returns every leftover for b each and the supplier
  salvages it at v (Pasternack's convention, the one VALIDATION.md C.2 uses):
  T = w q - b I(q); pi_r = (p + g_r - b) S - (w + c_r - b) q - g_r mu.
* revenue sharing (w, phi): the retailer keeps the share phi of his revenue, sales and
  salvage: T = w q + (1 - phi)(p S + v I); pi_r = (phi (p - v) + g_r) S - (w + c_r - phi v) q
  - g_r mu.
* quantity flexibility (w, delta): after demand is seen the retailer may cancel up to
  delta q units, the supplier refunding his full loss on each, w + c_r - v:
  T = w q - (w + c_r - v) E[min(I, delta q)], E[min(I, delta q)] = I(q) - I((1 - delta) q).
* sales rebate (w, r, t): the supplier pays r per unit sold above the threshold t:
  T = w q - r E[(min(D, q) - t)^+], E[(min(D, q) - t)^+] = S(q) - S(t) for q > t, else 0.

The retailer orders to maximise pi_r (ties: the smallest maximising order, except the
sales rebate's two local optima, where ties go to the larger). Efficiency = Pi(q)/Pi°.

**Coordination** (the retailer's own best order is Q°). With lambda > 0, a contract with
``pi_r(q) = lambda Pi(q) + K`` coordinates; K = (lambda g - g_r) mu, so the retailer's
share of Pi° is exactly lambda when g = 0. :func:`coordinate` picks
lambda = (s Pi° + g_r mu) / (Pi° + g mu) for a requested share s, and:

* buyback: b = p + g_r - lambda (p + g - v), w = b - c_r + lambda (c - v)
  (g = c_r = 0: b = p - lambda (p - v), w = b + lambda (c - v), Cachon's family);
* revenue sharing: phi = (lambda (p + g - v) - g_r) / (p - v), w = lambda (c - v) + phi v - c_r
  (g = c_r = 0: phi = lambda, w = lambda c);
* sales rebate, threshold t <= Q° given: for q >= t, pi_r = lambda Pi + K - r S(t) with
  w = v - c_r + lambda (c - v) and r = lambda (p + g - v) - (p + g_r - v); lambda solves the
  share equation; it coordinates only if r >= 0 and the retailer does not prefer an order
  below t that forgoes the rebate (checked);
* quantity flexibility: one coordinating w per delta, from the retailer's first-order
  condition at Q°: w + c_r - v = (p + g_r - v)(1 - F(Q°)) / (1 - F(Q°) + (1 - delta) F((1 - delta) Q°));
  the retailer's share falls from that of delta = 0 to -g_r mu / Pi° as delta -> 1, and
  delta is solved for the share;
* wholesale price: coordinates only at w = v - c_r + (p + g_r - v)(c - v)/(p + g - v)
  (= c_s when g_s = 0, leaving the supplier nothing): one share only (a discrete law
  admits an interval of such w, hence of shares).

Discrete demand: the same formulas; for quantity flexibility the coordinating (delta, w)
is searched over a grid of delta, since a discrete law admits an interval of w per delta.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize

from keiretsu.econ.demand_law import ContinuousLaw, DemandLaw, DiscreteLaw

Family = Literal[
    "wholesale_price", "buyback", "revenue_sharing", "quantity_flexibility", "sales_rebate"
]
FAMILIES: tuple[str, ...] = get_args(Family)

_GRID = 4097
"""Points of the grid searches (supplier-optimal price, quantity-flexibility delta)."""


def _finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number (got {value!r})")


@dataclass(frozen=True)
class Channel:
    """A supplier selling to a newsvendor retailer (prices and costs per unit)."""

    demand: DemandLaw
    """Law of the season's demand D (see :func:`keiretsu.econ.demand_law.demand_law`)."""
    price_per_unit: float
    """p: retail price."""
    supplier_cost_per_unit: float
    """c_s: the supplier's production cost."""
    salvage_per_unit: float = 0.0
    """v: value of a unit left over at the end of the season."""
    retailer_cost_per_unit: float = 0.0
    """c_r: the retailer's own cost per unit ordered (handling, freight)."""
    retailer_goodwill_per_unit: float = 0.0
    """g_r: the retailer's goodwill cost per unit of demand not met."""
    supplier_goodwill_per_unit: float = 0.0
    """g_s: the supplier's goodwill cost per unit of demand not met."""

    def __post_init__(self) -> None:
        for name in (
            "price_per_unit",
            "supplier_cost_per_unit",
            "salvage_per_unit",
            "retailer_cost_per_unit",
            "retailer_goodwill_per_unit",
            "supplier_goodwill_per_unit",
        ):
            _finite(name, getattr(self, name))
        if self.retailer_goodwill_per_unit < 0 or self.supplier_goodwill_per_unit < 0:
            raise ValueError("goodwill costs must be >= 0")
        p, c, v, g = self.price_per_unit, self.unit_cost, self.salvage_per_unit, self.goodwill
        if not v < c < p + g:
            raise ValueError(
                "need salvage < unit cost (supplier + retailer) < price + goodwill "
                f"(got v = {v:g}, c = {c:g}, p + g = {p + g:g})"
            )
        q = _newsvendor(self.demand, p + g - v, c - v)
        object.__setattr__(self, "_optimal_order", q)
        profit = float(self.channel_profit(q))
        if not profit > 0:
            raise ValueError(
                f"the channel cannot make a profit (best expected profit {profit:g}); "
                "efficiencies are undefined"
            )
        object.__setattr__(self, "_optimal_profit", profit)

    @property
    def unit_cost(self) -> float:
        """c = c_s + c_r."""
        return self.supplier_cost_per_unit + self.retailer_cost_per_unit

    @property
    def goodwill(self) -> float:
        """g = g_r + g_s."""
        return self.retailer_goodwill_per_unit + self.supplier_goodwill_per_unit

    @property
    def mean_demand(self) -> float:
        """mu = E[D]."""
        return self.demand.mean

    def expected_sales(self, order_units: ArrayLike) -> float | np.ndarray:
        """S(q) = E[min(D, q)]."""
        return self.demand.expected_sales(order_units)

    def expected_leftover(self, order_units: ArrayLike) -> float | np.ndarray:
        """I(q) = q - S(q)."""
        return np.asarray(order_units, dtype=float) - self.expected_sales(order_units)

    def expected_lost_sales(self, order_units: ArrayLike) -> float | np.ndarray:
        """L(q) = mu - S(q)."""
        return self.mean_demand - self.expected_sales(order_units)

    def channel_profit(self, order_units: ArrayLike) -> float | np.ndarray:
        """Pi(q) = (p - v + g) S(q) - (c - v) q - g mu."""
        q = np.asarray(order_units, dtype=float)
        p, v, g = self.price_per_unit, self.salvage_per_unit, self.goodwill
        return (
            (p - v + g) * self.expected_sales(q) - (self.unit_cost - v) * q - g * self.mean_demand
        )

    @property
    def optimal_order(self) -> float:
        """Q° = F^-1((p + g - c)/(p + g - v)), the integrated channel's order."""
        return self._optimal_order  # type: ignore[attr-defined]

    @property
    def optimal_profit(self) -> float:
        """Pi° = Pi(Q°)."""
        return self._optimal_profit  # type: ignore[attr-defined]


def _newsvendor(law: DemandLaw, a: float, k: float) -> float:
    """The smallest q >= 0 maximising a S(q) - k q: F^-1(1 - k/a), 0 when a <= k."""
    if k < 0 or (k == 0 and a > 0):
        raise ValueError(
            "the retailer would order without limit: his cost per unit ordered does not "
            "exceed what an unsold unit brings back"
        )
    if a <= k:
        return 0.0
    return max(float(law.ppf(1.0 - k / a)), 0.0)


# ----------------------------------------------------------------------------- contracts


@dataclass(frozen=True)
class WholesalePrice:
    """Price-only contract: the retailer pays w per unit ordered."""

    family: ClassVar[str] = "wholesale_price"
    retailer_salvages: ClassVar[bool] = True
    wholesale_price_per_unit: float

    def __post_init__(self) -> None:
        _finite("wholesale_price_per_unit", self.wholesale_price_per_unit)

    def transfer(self, channel: Channel, q: np.ndarray) -> np.ndarray:
        return self.wholesale_price_per_unit * q

    def retailer_order(self, channel: Channel) -> float:
        ch = channel
        a = ch.price_per_unit + ch.retailer_goodwill_per_unit - ch.salvage_per_unit
        k = self.wholesale_price_per_unit + ch.retailer_cost_per_unit - ch.salvage_per_unit
        return _newsvendor(ch.demand, a, k)


@dataclass(frozen=True)
class Buyback:
    """The retailer pays w per unit and returns every leftover unit for b (supplier salvages)."""

    family: ClassVar[str] = "buyback"
    retailer_salvages: ClassVar[bool] = False
    wholesale_price_per_unit: float
    buyback_price_per_unit: float

    def __post_init__(self) -> None:
        _finite("wholesale_price_per_unit", self.wholesale_price_per_unit)
        _finite("buyback_price_per_unit", self.buyback_price_per_unit)

    def transfer(self, channel: Channel, q: np.ndarray) -> np.ndarray:
        return self.wholesale_price_per_unit * q - self.buyback_price_per_unit * (
            channel.expected_leftover(q)
        )

    def retailer_order(self, channel: Channel) -> float:
        ch, b = channel, self.buyback_price_per_unit
        a = ch.price_per_unit + ch.retailer_goodwill_per_unit - b
        k = self.wholesale_price_per_unit + ch.retailer_cost_per_unit - b
        return _newsvendor(ch.demand, a, k)


@dataclass(frozen=True)
class RevenueSharing:
    """The retailer pays w per unit and keeps the share phi of his revenue (sales and salvage)."""

    family: ClassVar[str] = "revenue_sharing"
    retailer_salvages: ClassVar[bool] = True
    wholesale_price_per_unit: float
    retailer_revenue_share: float
    """phi, in [0, 1]; the supplier gets 1 - phi."""

    def __post_init__(self) -> None:
        _finite("wholesale_price_per_unit", self.wholesale_price_per_unit)
        if not 0.0 <= self.retailer_revenue_share <= 1.0:
            raise ValueError(
                f"retailer_revenue_share must be in [0, 1] (got {self.retailer_revenue_share!r})"
            )

    def transfer(self, channel: Channel, q: np.ndarray) -> np.ndarray:
        s = channel.expected_sales(q)
        revenue = channel.price_per_unit * s + channel.salvage_per_unit * (q - s)
        return self.wholesale_price_per_unit * q + (1.0 - self.retailer_revenue_share) * revenue

    def retailer_order(self, channel: Channel) -> float:
        ch, phi = channel, self.retailer_revenue_share
        a = phi * (ch.price_per_unit - ch.salvage_per_unit) + ch.retailer_goodwill_per_unit
        k = self.wholesale_price_per_unit + ch.retailer_cost_per_unit - phi * ch.salvage_per_unit
        return _newsvendor(ch.demand, a, k)


@dataclass(frozen=True)
class QuantityFlexibility:
    """The retailer may cancel up to delta of his order once demand is known, at no loss."""

    family: ClassVar[str] = "quantity_flexibility"
    retailer_salvages: ClassVar[bool] = True
    wholesale_price_per_unit: float
    cancellable_share: float
    """delta, in [0, 1]: the share of the order the supplier refunds (w + c_r - v per unit)."""

    def __post_init__(self) -> None:
        _finite("wholesale_price_per_unit", self.wholesale_price_per_unit)
        if not 0.0 <= self.cancellable_share <= 1.0:
            raise ValueError(
                f"cancellable_share must be in [0, 1] (got {self.cancellable_share!r})"
            )

    def refund_per_unit(self, channel: Channel) -> float:
        """w + c_r - v: the retailer's loss on an unsold unit, refunded on cancelled units."""
        return (
            self.wholesale_price_per_unit
            + channel.retailer_cost_per_unit
            - channel.salvage_per_unit
        )

    def transfer(self, channel: Channel, q: np.ndarray) -> np.ndarray:
        d = self.cancellable_share
        cancelled = channel.expected_leftover(q) - channel.expected_leftover((1.0 - d) * q)
        return self.wholesale_price_per_unit * q - self.refund_per_unit(channel) * cancelled

    def marginal_retailer_profit(self, channel: Channel, q: ArrayLike) -> np.ndarray:
        """d pi_r / dq (from the right): (a - k)(1 - F(q)) - k (1 - delta) F((1 - delta) q),
        a = p + g_r - v, k = w + c_r - v; non-increasing in q, so pi_r is concave."""
        ch, d = channel, self.cancellable_share
        q = np.asarray(q, dtype=float)
        a = ch.price_per_unit + ch.retailer_goodwill_per_unit - ch.salvage_per_unit
        k = self.refund_per_unit(ch)
        return (a - k) * (1.0 - np.asarray(ch.demand.cdf(q))) - k * (1.0 - d) * np.asarray(
            ch.demand.cdf((1.0 - d) * q)
        )

    def retailer_order(self, channel: Channel) -> float:
        ch, d = channel, self.cancellable_share
        a = ch.price_per_unit + ch.retailer_goodwill_per_unit - ch.salvage_per_unit
        k = self.refund_per_unit(ch)
        if d == 0.0 or k <= 0 or a <= k:
            return _newsvendor(ch.demand, a, k)
        if d == 1.0:
            raise ValueError(
                "with every unit cancellable at no loss and w + c_r < p + g_r the retailer "
                "would order without limit"
            )
        if isinstance(ch.demand, DiscreteLaw):
            kinks = _kinks(ch.demand, d)
            slope = self.marginal_retailer_profit(ch, _right_of(kinks))
            return float(kinks[np.argmax(slope <= 0)])

        def slope(q: float) -> float:
            return float(self.marginal_retailer_profit(ch, q))

        if slope(0.0) <= 0:
            return 0.0
        hi = ch.demand.upper() / (1.0 - d)
        while slope(hi) > 0:  # pragma: no cover - the 1e-12 quantile is nearly always enough
            hi *= 2.0
        return float(optimize.brentq(slope, 0.0, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps))


@dataclass(frozen=True)
class SalesRebate:
    """The supplier pays r per unit the retailer sells above the threshold t."""

    family: ClassVar[str] = "sales_rebate"
    retailer_salvages: ClassVar[bool] = True
    wholesale_price_per_unit: float
    rebate_per_unit: float
    threshold_units: float

    def __post_init__(self) -> None:
        _finite("wholesale_price_per_unit", self.wholesale_price_per_unit)
        _finite("rebate_per_unit", self.rebate_per_unit)
        _finite("threshold_units", self.threshold_units)
        if self.rebate_per_unit < 0 or self.threshold_units < 0:
            raise ValueError("rebate_per_unit and threshold_units must be >= 0")

    def rebated_units(self, channel: Channel, q: ArrayLike) -> np.ndarray:
        """E[(min(D, q) - t)^+] = S(q) - S(t) for q > t, else 0."""
        q = np.asarray(q, dtype=float)
        t = self.threshold_units
        above = np.asarray(channel.expected_sales(np.maximum(q, t))) - channel.expected_sales(t)
        return np.where(q > t, above, 0.0)

    def transfer(self, channel: Channel, q: np.ndarray) -> np.ndarray:
        return self.wholesale_price_per_unit * q - self.rebate_per_unit * self.rebated_units(
            channel, q
        )

    def retailer_order(self, channel: Channel) -> float:
        ch, t = channel, self.threshold_units
        a = ch.price_per_unit + ch.retailer_goodwill_per_unit - ch.salvage_per_unit
        k = self.wholesale_price_per_unit + ch.retailer_cost_per_unit - ch.salvage_per_unit
        below = min(_newsvendor(ch.demand, a, k), t)
        above = max(_newsvendor(ch.demand, a + self.rebate_per_unit, k), t)
        profit_below, profit_above = profits(ch, self, np.array([below, above]))[0]
        return above if profit_above >= profit_below else below


Contract = WholesalePrice | Buyback | RevenueSharing | QuantityFlexibility | SalesRebate


# ----------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Outcome:
    """Expected results of a contract for one season (currency units of the prices)."""

    contract: Contract
    order_units: float
    """The retailer's order q (his own optimum unless the caller fixed it)."""
    retailer_profit: float
    supplier_profit: float
    channel_profit: float
    """Pi(q); equals retailer_profit + supplier_profit."""
    efficiency: float
    """Pi(q) / Pi°."""

    @property
    def retailer_share(self) -> float:
        """Retailer's share of the channel profit, retailer_profit / channel_profit."""
        return self.retailer_profit / self.channel_profit


def profits(
    channel: Channel, contract: Contract, order_units: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Expected (retailer, supplier) profits at the orders q (any array shape).

    pi_r = p S + v I - g_r L - c_r q - T(q) and pi_s = T(q) - c_s q - g_s L, the salvage
    v I going to the supplier instead under a buyback (he takes the returns).
    """
    ch = channel
    q = np.asarray(order_units, dtype=float)
    if np.any(q < 0) or not np.all(np.isfinite(q)):
        raise ValueError("orders must be finite and >= 0")
    s = np.asarray(ch.expected_sales(q), dtype=float)
    leftover, lost = q - s, ch.mean_demand - s
    transfer = contract.transfer(ch, q)
    salvage = ch.salvage_per_unit * leftover
    retailer_salvages = contract.retailer_salvages
    retailer = (
        ch.price_per_unit * s
        - ch.retailer_goodwill_per_unit * lost
        - ch.retailer_cost_per_unit * q
        - transfer
        + (salvage if retailer_salvages else 0.0)
    )
    supplier = (
        transfer
        - ch.supplier_cost_per_unit * q
        - ch.supplier_goodwill_per_unit * lost
        + (0.0 if retailer_salvages else salvage)
    )
    return retailer, supplier


def retailer_order(channel: Channel, contract: Contract) -> float:
    """The retailer's expected-profit-maximising order under ``contract``."""
    return contract.retailer_order(channel)


def evaluate(channel: Channel, contract: Contract, order_units: float | None = None) -> Outcome:
    """Each party's expected profit, channel profit and efficiency under ``contract``.

    ``order_units`` defaults to the retailer's own optimal order.
    """
    q = contract.retailer_order(channel) if order_units is None else float(order_units)
    if not (math.isfinite(q) and q >= 0):
        raise ValueError(f"order_units must be a finite number >= 0 (got {order_units!r})")
    retailer, supplier = profits(channel, contract, np.array(q))
    total = float(channel.channel_profit(q))
    return Outcome(
        contract=contract,
        order_units=q,
        retailer_profit=float(retailer),
        supplier_profit=float(supplier),
        channel_profit=total,
        efficiency=total / channel.optimal_profit,
    )


def supplier_optimal_wholesale_price(channel: Channel) -> Outcome:
    """The supplier's best wholesale price w* (Stackelberg leader, retailer follows).

    Solved in the retailer's order: to sell q the supplier can charge at most
    ``w(q) = p + g_r - c_r - (p + g_r - v) F(q)``, and earns
    ``pi_s(q) = (w(q) - c_s) q - g_s L(q)``, maximised over 0 <= q <= F^-1(1 - 1e-12) by a
    grid search refined with a bounded 1-D search and polished on the first-order condition
    ``w(q) - c_s - (p + g_r - v) f(q) q + g_s (1 - F(q)) = 0`` (continuous laws). Working in q
    avoids the clipped tail: a price above w(0) sells nothing (an unclipped normal quantile
    would be negative). Discrete laws: q runs over the support and w(q) uses P(D < q), the
    price at which the retailer is indifferent between q and the support point below;
    the outcome is evaluated at q (ties broken in the leader's favour, as usual).
    """
    ch, law = channel, channel.demand
    p, v, c_s = ch.price_per_unit, ch.salvage_per_unit, ch.supplier_cost_per_unit
    top = p + ch.retailer_goodwill_per_unit - ch.retailer_cost_per_unit
    a = p + ch.retailer_goodwill_per_unit - v
    g_s = ch.supplier_goodwill_per_unit

    def supplier_profit(q: np.ndarray, below: np.ndarray) -> np.ndarray:
        return (top - a * below - c_s) * q - g_s * np.asarray(ch.expected_lost_sales(q))

    if isinstance(law, DiscreteLaw):
        q = np.concatenate([[0.0], law.values[law.values > 0]])
        below = np.asarray(law.cdf_below(q))
        i = int(np.argmax(supplier_profit(q, below)))
        best_q, best_w = float(q[i]), float(top - a * below[i])
        return evaluate(ch, WholesalePrice(best_w), order_units=best_q)

    if not isinstance(law, ContinuousLaw):
        raise TypeError(f"need a ContinuousLaw or a DiscreteLaw, got {type(law).__name__}")
    grid = np.linspace(0.0, law.upper(), _GRID)
    profit = supplier_profit(grid, np.asarray(law.cdf(grid)))
    i = int(np.argmax(profit))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, _GRID - 1)]

    def slope(q: float) -> float:
        f, big_f = float(law.pdf(q)), float(law.cdf(q))
        return top - a * big_f - c_s - a * f * q + g_s * (1.0 - big_f)

    if slope(lo) > 0 > slope(hi):
        best_q = float(optimize.brentq(slope, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps))
    else:
        res = optimize.minimize_scalar(
            lambda q: -float(supplier_profit(np.array(q), np.asarray(law.cdf(q)))),
            bounds=(lo, hi),
            method="bounded",
            options={"xatol": 1e-12},
        )
        best_q = float(res.x) if -res.fun >= profit[i] else float(grid[i])
    best_w = float(top - a * float(law.cdf(best_q)))
    return evaluate(ch, WholesalePrice(best_w), order_units=best_q)


# ----------------------------------------------------------------------------- coordination


def _lambda_for_share(channel: Channel, share: float) -> float:
    """lambda with lambda Pi° + (lambda g - g_r) mu = share Pi°."""
    ch = channel
    mu = ch.mean_demand
    return (share * ch.optimal_profit + ch.retailer_goodwill_per_unit * mu) / (
        ch.optimal_profit + ch.goodwill * mu
    )


def _check_coordinates(channel: Channel, outcome: Outcome, share: float) -> Outcome:
    """Raise unless the retailer's own order is Q° and his share of Pi° is ``share``."""
    q0 = channel.optimal_order
    if abs(outcome.order_units - q0) > 1e-9 * max(1.0, q0):
        raise ValueError(
            f"{outcome.contract.family}: these terms do not coordinate the channel numerically "
            f"(retailer orders {outcome.order_units:.9g}, channel optimum {q0:.9g})"
        )
    got = outcome.retailer_profit / channel.optimal_profit
    if abs(got - share) > 1e-9:
        raise ValueError(
            f"{outcome.contract.family}: the coordinating terms give the retailer a share "
            f"{got:.9g}, not {share:.9g}"
        )
    return outcome


def _coordinate_wholesale(channel: Channel, share: float) -> Outcome:
    """The retailer orders Q° iff his critical ratio 1 - k/a lies in (F(Q°-), F(Q°)], i.e.
    k = w + c_r - v in [a (1 - F(Q°)), a (1 - F(Q°-))) with a = p + g_r - v: one price for a
    continuous law, an interval for a discrete one, where pi_r(Q°) = a S° - k Q° - g_r mu
    sets the split."""
    ch = channel
    q0, v, c_r = ch.optimal_order, ch.salvage_per_unit, ch.retailer_cost_per_unit
    a = ch.price_per_unit + ch.retailer_goodwill_per_unit - v
    k_lo = a * (1.0 - float(ch.demand.cdf(q0)))
    k_hi = a * (1.0 - float(ch.demand.cdf_below(q0)))
    k = (
        a * float(ch.expected_sales(q0))
        - ch.retailer_goodwill_per_unit * ch.mean_demand
        - share * ch.optimal_profit
    ) / q0
    single = k_hi - k_lo <= 1e-12 * a
    if single and abs(k - k_lo) * q0 <= 1e-10 * ch.optimal_profit:
        k = k_lo
    elif single or not k_lo <= k < k_hi:
        w_lo, w_hi = k_lo + v - c_r, k_hi + v - c_r
        where = f"w = {w_lo:.9g}" if single else f"{w_lo:.9g} <= w < {w_hi:.9g}"
        shares = [
            (
                a * float(ch.expected_sales(q0))
                - ch.retailer_goodwill_per_unit * ch.mean_demand
                - x * q0
            )
            / ch.optimal_profit
            for x in (k_hi, k_lo)
        ]
        split = f"{shares[1]:.6g}" if single else f"between {shares[0]:.6g} and {shares[1]:.6g}"
        raise ValueError(
            f"a wholesale-price contract coordinates the channel only at {where} (w = c_s "
            f"when the supplier bears no goodwill cost and demand is continuous), which gives "
            f"the retailer a share {split} of the channel profit, not {share:g}"
        )
    return _check_coordinates(ch, evaluate(ch, WholesalePrice(k + v - c_r)), share)


def _coordinate_buyback(channel: Channel, share: float) -> Outcome:
    ch = channel
    lam = _lambda_for_share(ch, share)
    p, v = ch.price_per_unit, ch.salvage_per_unit
    b = p + ch.retailer_goodwill_per_unit - lam * (p + ch.goodwill - v)
    w = b - ch.retailer_cost_per_unit + lam * (ch.unit_cost - v)
    return _check_coordinates(ch, evaluate(ch, Buyback(w, b)), share)


def _coordinate_revenue_sharing(channel: Channel, share: float) -> Outcome:
    ch = channel
    lam = _lambda_for_share(ch, share)
    p, v, g_r = ch.price_per_unit, ch.salvage_per_unit, ch.retailer_goodwill_per_unit
    if p <= v:
        raise ValueError("revenue sharing cannot coordinate when the price does not exceed salvage")
    phi = (lam * (p + ch.goodwill - v) - g_r) / (p - v)
    if not 0.0 <= phi <= 1.0:
        raise ValueError(
            f"revenue sharing cannot give the retailer a share {share:g}: it needs a revenue "
            f"share phi = {phi:.6g} outside [0, 1]"
        )
    w = lam * (ch.unit_cost - v) + phi * v - ch.retailer_cost_per_unit
    return _check_coordinates(ch, evaluate(ch, RevenueSharing(w, phi)), share)


def _coordinate_sales_rebate(
    channel: Channel, share: float, threshold_units: float | None
) -> Outcome:
    ch = channel
    if threshold_units is None:
        raise ValueError(
            "a sales-rebate contract needs its threshold: pass threshold_units "
            "(at most the channel optimum Q°)"
        )
    t = float(threshold_units)
    q0, pi0, mu = ch.optimal_order, ch.optimal_profit, ch.mean_demand
    if not 0.0 <= t <= q0:
        raise ValueError(f"threshold_units must be in [0, Q°] = [0, {q0:.6g}] (got {t:g})")
    p, v, g, g_r = (
        ch.price_per_unit,
        ch.salvage_per_unit,
        ch.goodwill,
        ch.retailer_goodwill_per_unit,
    )
    s_t = float(ch.expected_sales(t))
    a = p + g_r - v
    # pi_r(Q°) = lambda (Pi° + g mu - (p + g - v) S(t)) - g_r mu + a S(t) = share Pi°
    slope = pi0 + g * mu - (p + g - v) * s_t
    if abs(slope) < 1e-12 * max(1.0, pi0):
        raise ValueError(f"no sales-rebate contract with threshold {t:g} sets the split")
    lam = (share * pi0 + g_r * mu - a * s_t) / slope
    rebate = lam * (p + g - v) - a
    if rebate < 0:
        raise ValueError(
            f"a sales rebate with threshold {t:g} cannot give the retailer a share {share:g}: "
            f"it would need a negative rebate ({rebate:.6g}); raise the threshold"
        )
    w = v - ch.retailer_cost_per_unit + lam * (ch.unit_cost - v)
    outcome = evaluate(ch, SalesRebate(w, rebate, t))
    if abs(outcome.order_units - q0) > 1e-9 * max(1.0, q0):
        raise ValueError(
            f"a sales rebate with threshold {t:g} and share {share:g} does not coordinate: "
            f"the retailer would order {outcome.order_units:.6g} (below the threshold, "
            f"forgoing the rebate) rather than {q0:.6g}; lower the threshold"
        )
    return _check_coordinates(ch, outcome, share)


def _kinks(law: DiscreteLaw, delta: float) -> np.ndarray:
    """Where a quantity-flexibility profit can bend: 0, the support x_k and x_k / (1 - delta)."""
    x = law.values
    return np.unique(np.concatenate([[0.0], x, x / (1.0 - delta)]))


def _right_of(kinks: np.ndarray) -> np.ndarray:
    """A point inside each interval to the right of a kink (the slope there is the right
    derivative at the kink; evaluating at the kink itself would be at the mercy of rounding
    in (1 - delta) x_k / (1 - delta))."""
    return np.append((kinks[:-1] + kinks[1:]) / 2.0, kinks[-1] + 1.0)


def _qf_refund_range(channel: Channel, delta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Range [k_lo, k_hi) of k = w + c_r - v for which the retailer's order is Q°, per delta.

    The slope (a - k)(1 - F(q)) - k (1 - delta) F((1 - delta) q) must be <= 0 just right of
    Q° (k >= k_lo) and > 0 just left of it (k < k_hi); continuous law: k_lo = k_hi. For a
    discrete law the neighbouring kinks of Q° are the nearest support points and scaled
    support points x_j / (1 - delta).
    """
    ch, law = channel, channel.demand
    q0 = ch.optimal_order
    a = ch.price_per_unit + ch.retailer_goodwill_per_unit - ch.salvage_per_unit
    r = 1.0 - np.asarray(delta, dtype=float)

    def k_zero_slope(q: np.ndarray) -> np.ndarray:
        big_f = np.asarray(law.cdf(q))
        denominator = 1.0 - big_f + r * np.asarray(law.cdf(r * q))
        safe = np.where(denominator > 0, denominator, 1.0)
        return np.where(denominator > 0, a * (1.0 - big_f) / safe, 0.0)

    if not isinstance(law, DiscreteLaw):
        k = k_zero_slope(np.full_like(r, q0))
        return k, k
    x = law.values
    above, below = x[x > q0], x[x < q0]
    # a scaled kink within rounding of Q° is Q° itself (delta = 1 - x_j / Q°)
    j_up = np.searchsorted(x, q0 * r * (1 + 1e-12), side="right")
    j_down = np.searchsorted(x, q0 * r * (1 - 1e-12), side="left") - 1
    with np.errstate(divide="ignore", invalid="ignore"):  # delta = 1: no scaled kink (inf)
        scaled_up = np.where(j_up < x.size, x[np.minimum(j_up, x.size - 1)] / r, np.inf)
        scaled_down = np.where(j_down >= 0, x[np.maximum(j_down, 0)] / r, 0.0)
    nxt = np.minimum(above[0] if above.size else np.inf, scaled_up)
    prv = np.maximum(below[-1] if below.size else 0.0, scaled_down)
    right = np.where(np.isfinite(nxt), (q0 + nxt) / 2.0, q0 + 1.0)
    return k_zero_slope(right), k_zero_slope((prv + q0) / 2.0)


def _qf_retailer_profit(channel: Channel, delta: np.ndarray, k: np.ndarray) -> np.ndarray:
    """pi_r(Q°) = a S° - g_r mu - k (Q° - E[min(I(Q°), delta Q°)]), a = p + g_r - v."""
    ch = channel
    q0 = ch.optimal_order
    a = ch.price_per_unit + ch.retailer_goodwill_per_unit - ch.salvage_per_unit
    kept = (1.0 - np.asarray(delta, dtype=float)) * q0
    cancelled = float(ch.expected_leftover(q0)) - np.asarray(ch.expected_leftover(kept))
    sales = float(ch.expected_sales(q0))
    return a * sales - ch.retailer_goodwill_per_unit * ch.mean_demand - k * (q0 - cancelled)


def _coordinate_quantity_flexibility(channel: Channel, share: float) -> Outcome:
    ch = channel
    v, c_r, pi0 = ch.salvage_per_unit, ch.retailer_cost_per_unit, ch.optimal_profit
    top = 1.0 - 1e-9
    target = share * pi0
    if not isinstance(ch.demand, DiscreteLaw):

        def gap(delta: float) -> float:
            d = np.array(delta)
            return float(_qf_retailer_profit(ch, d, _qf_refund_range(ch, d)[0])) / pi0 - share

        lo_gap, hi_gap = gap(0.0), gap(top)
        if not hi_gap <= 0.0 <= lo_gap:
            raise ValueError(
                f"quantity flexibility coordinates with retailer shares between "
                f"{hi_gap + share:.6g} and {lo_gap + share:.6g} only (got {share:g})"
            )
        delta = float(optimize.brentq(gap, 0.0, top, xtol=1e-14, rtol=4 * np.finfo(float).eps))
        k = float(_qf_refund_range(ch, np.array(delta))[0])
        return _check_coordinates(ch, evaluate(ch, QuantityFlexibility(k + v - c_r, delta)), share)

    # discrete: an interval [k_lo, k_hi) per delta, along which pi_r(Q°) falls linearly; the
    # intervals jump where a scaled kink x_j / (1 - delta) crosses Q°, and are widest at the
    # crossing itself (delta = 1 - x_j / Q°), so those deltas join the grid
    x = ch.demand.values
    crossings = 1.0 - x[(x > 0) & (x < ch.optimal_order)] / ch.optimal_order
    deltas = np.unique(np.concatenate([np.linspace(0.0, top, _GRID), crossings]))
    k_lo, k_hi = _qf_refund_range(ch, deltas)
    at_lo, at_hi = _qf_retailer_profit(ch, deltas, k_lo), _qf_retailer_profit(ch, deltas, k_hi)
    for i in np.flatnonzero((at_hi < target) & (target <= at_lo)):
        k = k_lo[i] + (at_lo[i] - target) / (at_lo[i] - at_hi[i]) * (k_hi[i] - k_lo[i])
        contract = QuantityFlexibility(float(k) + v - c_r, float(deltas[i]))
        try:
            return _check_coordinates(ch, evaluate(ch, contract), share)
        except ValueError:  # pragma: no cover - a kink lost to rounding; try the next delta
            continue
    raise ValueError(
        f"no quantity-flexibility contract found that gives the retailer a share {share:g} "
        f"(searched {_GRID} values of delta in [0, 1))"
    )


def coordinate(
    channel: Channel,
    family: Family,
    target_retailer_share: float,
    *,
    threshold_units: float | None = None,
) -> Outcome:
    """Coordinating terms of ``family`` giving the retailer ``target_retailer_share`` of Pi°.

    Returns the outcome at the retailer's own optimal order (checked to be Q°, and the
    retailer's profit to be ``target_retailer_share * Pi°``). ``threshold_units`` is the
    sales rebate's threshold t (required for that family). Raises ValueError when the family
    cannot coordinate with that split (the wholesale price gives one split only; revenue
    sharing needs phi in [0, 1]; the sales rebate needs r >= 0 and an order above t;
    quantity flexibility spans the shares between delta = 0 and delta -> 1). See the
    module docstring for the formulas.
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown contract family {family!r}; choose one of {', '.join(FAMILIES)}")
    s = float(target_retailer_share)
    if not (math.isfinite(s) and 0.0 < s <= 1.0):
        raise ValueError(f"target_retailer_share must be in (0, 1] (got {target_retailer_share!r})")
    if family != "sales_rebate" and threshold_units is not None:
        raise ValueError("threshold_units applies to the sales_rebate family only")
    match family:
        case "wholesale_price":
            return _coordinate_wholesale(channel, s)
        case "buyback":
            return _coordinate_buyback(channel, s)
        case "revenue_sharing":
            return _coordinate_revenue_sharing(channel, s)
        case "quantity_flexibility":
            return _coordinate_quantity_flexibility(channel, s)
        case _:
            return _coordinate_sales_rebate(channel, s, threshold_units)
