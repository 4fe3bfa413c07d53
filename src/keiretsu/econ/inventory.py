"""Analytic inventory models: base-stock, base-stock under supply disruptions, EOQ with
disruptions. Pure maths, used to size buffers and to cross-check the simulator.

Source for all of them: Snyder & Shen, *Fundamentals of Supply Chain Theory*, 2nd ed.
(2019): ch. 4 (newsvendor / base-stock), sec. 9.2 (base-stock with Markov supply
disruptions), sec. 9.3 (EOQ with disruptions, the EOQD model of Parlar & Berkin 1991 as
corrected by Berk & Arreola-Risa 1994). Symbols: ``h`` holding cost per unit per period
(per year in EOQD), ``p`` backorder cost per unit per period (lost-sale penalty per unit
lost in EOQD), ``K`` fixed cost per order, ``d`` demand per period (per year in EOQD).

**Base-stock, zero or fixed lead time** (periodic review, order up to ``S`` every
period, backorders, costs on end-of-period inventory). With a lead time of ``L``
periods the end-of-period net inventory is ``S - D``, ``D`` the demand over ``L + 1``
periods, so (the newsvendor cost)::

    g(S) = h E[(S - D)^+] + p E[(D - S)^+],     S* = F^-1(p / (p + h)).

Normal demand N(mu, sigma) per period: ``D ~ N(mu (L+1), sigma sqrt(L+1))``,
``g(S) = h (S - mu') + (h + p) sigma' L(z)`` with ``z = (S - mu') / sigma'`` and the
standard normal loss ``L(z) = phi(z) - z (1 - Phi(z))``; ``g* = (h + p) sigma' phi(z*)``.
The normal admits negative demand (the textbook convention; negligible when mu >= 3 sd).
Poisson(lambda) per period: ``D ~ Poisson(lambda (L+1))``,
``E[(S - D)^+] = S F(S) - lambda' F(S - 1)`` for integer ``S`` (floors otherwise) and
``E[(D - S)^+] = lambda' - S + E[(S - D)^+]``; ``S*`` is the smallest integer with
``F(S) >= p / (p + h)``.

**Base-stock with a two-state Markov supplier** (sec. 9.2; Example 9.3). Deterministic
demand ``d`` per period, zero lead time, backorders; the supplier goes UP -> DOWN with
probability ``alpha`` and DOWN -> UP with ``beta`` at the start of each period; in an UP
period the order brings the inventory position up to ``S`` (it arrives at once), in a
DOWN period nothing arrives. If the current period is the ``N``-th consecutive DOWN
period (``N = 0``: UP), the last order-up-to happened ``N`` periods ago, so the
end-of-period net inventory is ``S - (N + 1) d``. In steady state
``P(N = 0) = pi_UP = beta / (alpha + beta)`` and, for ``n >= 1``,
``P(N = n) = pi_DOWN beta (1 - beta)^(n - 1)`` (``pi_DOWN = alpha / (alpha + beta)``),
so ``P(N > n) = pi_DOWN (1 - beta)^n``, ``E[N] = pi_DOWN / beta`` and, with
``X = (N + 1) d``::

    g(S) = h (S - E[X]) + (h + p) E[(X - S)^+],
    E[(X - S)^+] = pi_UP (d - S)^+ + pi_DOWN (1 - beta)^(j - 1) ((j + 1) d - S + d (1 - beta) / beta)

where ``j >= 1`` is the smallest ``n >= 1`` with ``(n + 1) d > S`` (geometric tail sums).
``X`` takes the values ``d, 2d, ...``, so ``S* = (n* + 1) d`` with ``n*`` the smallest
``n >= 0`` with ``P(N <= n) >= p / (p + h)``. :func:`outage_buffer` turns an outage
process (MTBF and MTTR, geometric or exponential spells) into this chain and proposes
``S*`` as the buffer to hold (what "sizing the buffer" means for a user).

How a scenario's outage maps to the chain (:meth:`MarkovSupply.from_outage`): the
simulator evaluates disruptions at mid-period. Geometric spells in daily periods are the
chain itself (``alpha = 1 / MTBF``, ``beta = 1 / MTTR``). Exponential spells (rates
``1/MTBF``, ``1/MTTR`` per day) are a continuous-time Markov chain, and such a chain
observed once every ``Delta`` days is exactly a discrete-time one:
``alpha = pi_DOWN (1 - exp(-(1/MTBF + 1/MTTR) Delta))``, ``beta = pi_UP (1 - exp(...))``.
Other duration distributions are not Markov and are refused.

**EOQ with disruptions (EOQD)** (sec. 9.3; Example 9.1). Continuous time, deterministic
demand ``d`` per year, zero lead time, lost sales at ``p`` per unit; the supplier is UP
for Exp(``lambda``) and DOWN for Exp(``mu``) spells. When the stock reaches zero an order
of ``Q`` is placed if the supplier is UP; if it is DOWN, sales are lost until it is back
UP, and then ``Q`` is ordered. A cycle runs from one order to the next: the stock lasts
``t = Q / d``; the supplier, UP at the start, is DOWN at ``t`` with probability
``pi(Q) = lambda / (lambda + mu) (1 - exp(-(lambda + mu) t))`` and then stays DOWN for
``1 / mu`` on average (memoryless). By renewal-reward::

    g(Q) = (K + h Q^2 / (2 d) + p d pi(Q) / mu) / (Q / d + pi(Q) / mu).

``Q*`` minimises ``g`` over a bracket that provably contains it (see
:func:`eoqd_optimum`). Any time unit works if every rate uses it (years here).

**Periodic-review analogue of EOQD** (:func:`periodic_review_outage_cost`): the same
system under the simulator's conventions (period step of ``keiretsu.sim.engine``:
review at the start of the period, order ``S - position`` when the position is
``<= s``, orders wait in the supplier's backlog while it is DOWN and arrive in full in
the first UP period before that period's demand, lost sales, holding on end-of-period
on hand, ``K`` per order). With deterministic demand the state at the start of a period
(on hand, backlog, supplier state) takes finitely many values; the function enumerates
them exactly (rational arithmetic) and returns the long-run cost per period from the
stationary distribution of that Markov chain. It quantifies the discretisation bias of
simulating EOQD in daily periods (``tests/verification``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

import numpy as np
from scipy import optimize, sparse, stats
from scipy.sparse import csgraph
from scipy.sparse import linalg as sparse_linalg

from keiretsu.scenario.disruptions import RegionalEvent, SupplierOutage
from keiretsu.scenario.distributions import Exponential, Geometric


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def _non_negative(name: str, value: float) -> float:
    value = float(value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a non-negative finite number, got {value!r}")
    return value


def _finite(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return value


def _lead_time(lead_time_periods: int) -> int:
    if isinstance(lead_time_periods, bool) or int(lead_time_periods) != lead_time_periods:
        raise ValueError(f"lead_time_periods must be a whole number, got {lead_time_periods!r}")
    if lead_time_periods < 0:
        raise ValueError(f"lead_time_periods must be >= 0, got {lead_time_periods!r}")
    return int(lead_time_periods)


@dataclass(frozen=True)
class BaseStockOptimum:
    """An optimal order-up-to level and its expected cost per period."""

    order_up_to_units: float
    """S*."""
    expected_cost_per_period: float
    """g(S*): expected holding + backorder cost per period."""


# ---------------------------------------------------------------------------------------
# Base-stock (newsvendor), normal and Poisson demand


def _normal_lead_demand(mean: float, sd: float, lead: int) -> tuple[float, float]:
    _non_negative("mean_per_period", mean)
    _positive("sd_per_period", sd)
    n = _lead_time(lead) + 1
    return mean * n, sd * math.sqrt(n)


def normal_base_stock_cost(
    order_up_to_units: float,
    *,
    mean_per_period: float,
    sd_per_period: float,
    holding_cost_per_unit_per_period: float,
    backorder_cost_per_unit_per_period: float,
    lead_time_periods: int = 0,
) -> float:
    """g(S) for N(mean, sd) demand per period and a lead time of L periods (see module)."""
    S = _finite("order_up_to_units", order_up_to_units)
    h = _positive("holding_cost_per_unit_per_period", holding_cost_per_unit_per_period)
    p = _positive("backorder_cost_per_unit_per_period", backorder_cost_per_unit_per_period)
    mu, sigma = _normal_lead_demand(mean_per_period, sd_per_period, lead_time_periods)
    z = (S - mu) / sigma
    loss = stats.norm.pdf(z) - z * stats.norm.sf(z)
    return float(h * (S - mu) + (h + p) * sigma * loss)


def normal_base_stock_optimum(
    *,
    mean_per_period: float,
    sd_per_period: float,
    holding_cost_per_unit_per_period: float,
    backorder_cost_per_unit_per_period: float,
    lead_time_periods: int = 0,
) -> BaseStockOptimum:
    """S* = mu' + sigma' z*, z* = Phi^-1(p / (p + h)); g* = (h + p) sigma' phi(z*)."""
    h = _positive("holding_cost_per_unit_per_period", holding_cost_per_unit_per_period)
    p = _positive("backorder_cost_per_unit_per_period", backorder_cost_per_unit_per_period)
    mu, sigma = _normal_lead_demand(mean_per_period, sd_per_period, lead_time_periods)
    z = stats.norm.ppf(p / (p + h))
    return BaseStockOptimum(
        order_up_to_units=float(mu + sigma * z),
        expected_cost_per_period=float((h + p) * sigma * stats.norm.pdf(z)),
    )


def poisson_base_stock_cost(
    order_up_to_units: float,
    *,
    mean_per_period: float,
    holding_cost_per_unit_per_period: float,
    backorder_cost_per_unit_per_period: float,
    lead_time_periods: int = 0,
) -> float:
    """g(S) for Poisson(mean) demand per period and a lead time of L periods (see module)."""
    S = _finite("order_up_to_units", order_up_to_units)
    h = _positive("holding_cost_per_unit_per_period", holding_cost_per_unit_per_period)
    p = _positive("backorder_cost_per_unit_per_period", backorder_cost_per_unit_per_period)
    lam = _positive("mean_per_period", mean_per_period) * (_lead_time(lead_time_periods) + 1)
    k = math.floor(S)
    on_hand = S * stats.poisson.cdf(k, lam) - lam * stats.poisson.cdf(k - 1, lam)  # E[(S-D)^+]
    backorders = lam - S + on_hand  # E[(D-S)^+]
    return float(h * on_hand + p * backorders)


def poisson_base_stock_optimum(
    *,
    mean_per_period: float,
    holding_cost_per_unit_per_period: float,
    backorder_cost_per_unit_per_period: float,
    lead_time_periods: int = 0,
) -> BaseStockOptimum:
    """S* = the smallest integer S with F(S) >= p / (p + h), F the Poisson(mean (L+1)) cdf."""
    h = _positive("holding_cost_per_unit_per_period", holding_cost_per_unit_per_period)
    p = _positive("backorder_cost_per_unit_per_period", backorder_cost_per_unit_per_period)
    lam = _positive("mean_per_period", mean_per_period) * (_lead_time(lead_time_periods) + 1)
    ratio = p / (p + h)
    S = int(stats.poisson.ppf(ratio, lam))
    while S > 0 and stats.poisson.cdf(S - 1, lam) >= ratio:  # guard ppf's rounding
        S -= 1
    while stats.poisson.cdf(S, lam) < ratio:
        S += 1
    cost = poisson_base_stock_cost(
        S,
        mean_per_period=mean_per_period,
        holding_cost_per_unit_per_period=h,
        backorder_cost_per_unit_per_period=p,
        lead_time_periods=lead_time_periods,
    )
    return BaseStockOptimum(order_up_to_units=float(S), expected_cost_per_period=cost)


# ---------------------------------------------------------------------------------------
# Two-state Markov supplier


@dataclass(frozen=True)
class MarkovSupply:
    """A supplier that is UP or DOWN each period (Snyder & Shen 2019, sec. 9.2).

    Transitions at the start of a period: UP -> DOWN with probability ``up_to_down``
    (alpha), DOWN -> UP with probability ``down_to_up`` (beta).
    """

    up_to_down: float
    """alpha: probability that an UP supplier is DOWN in the next period."""
    down_to_up: float
    """beta: probability that a DOWN supplier is UP in the next period."""

    def __post_init__(self) -> None:
        a, b = float(self.up_to_down), float(self.down_to_up)
        if not (0.0 <= a <= 1.0):
            raise ValueError(f"up_to_down (alpha) must be in [0, 1], got {a!r}")
        if not (0.0 < b <= 1.0):
            raise ValueError(f"down_to_up (beta) must be in (0, 1], got {b!r}")

    @property
    def availability(self) -> float:
        """pi_UP = beta / (alpha + beta): the long-run share of UP periods."""
        return self.down_to_up / (self.up_to_down + self.down_to_up)

    @property
    def mean_down_periods(self) -> float:
        """Mean length of a DOWN run, 1 / beta periods (the MTTR in periods)."""
        return 1.0 / self.down_to_up

    def down_run_probability(self, n: int) -> float:
        """P(N = n): the current period is the n-th consecutive DOWN one (0: UP)."""
        if int(n) != n or n < 0:
            raise ValueError(f"n must be a whole number >= 0, got {n!r}")
        if n == 0:
            return self.availability
        pi_down = 1.0 - self.availability
        return pi_down * self.down_to_up * (1.0 - self.down_to_up) ** (n - 1)

    @classmethod
    def from_geometric_spells(cls, mtbf_periods: float, mttr_periods: float) -> MarkovSupply:
        """Geometric UP and DOWN runs with means MTBF and MTTR (periods, each >= 1)."""
        for name, value in (("mtbf_periods", mtbf_periods), ("mttr_periods", mttr_periods)):
            if not (math.isfinite(float(value)) and value >= 1.0):
                raise ValueError(f"{name} must be >= 1 period (a geometric run), got {value!r}")
        return cls(up_to_down=1.0 / mtbf_periods, down_to_up=1.0 / mttr_periods)

    @classmethod
    def from_exponential_spells(
        cls, mtbf_days: float, mttr_days: float, days_per_period: float = 1.0
    ) -> MarkovSupply:
        """Exponential UP and DOWN spells (means MTBF, MTTR in days) seen once a period.

        The continuous-time chain sampled every ``days_per_period`` days (the simulator
        samples at mid-period) is exactly a discrete-time two-state chain.
        """
        lam = 1.0 / _positive("mtbf_days", mtbf_days)
        mu = 1.0 / _positive("mttr_days", mttr_days)
        move = -math.expm1(-(lam + mu) * _positive("days_per_period", days_per_period))
        return cls(up_to_down=lam / (lam + mu) * move, down_to_up=mu / (lam + mu) * move)

    @classmethod
    def from_outage(
        cls, outage: SupplierOutage | RegionalEvent, days_per_period: int
    ) -> MarkovSupply:
        """The chain of a scenario's full-stop outage with geometric or exponential spells.

        Geometric spells (in days) are a Markov chain only over daily periods; other
        duration distributions, partial capacity loss and ramp-up are not this model.
        """
        if outage.capacity_lost != 1.0 or outage.ramp_up_days != 0.0:
            raise ValueError(
                f"disruption {outage.id!r}: the Markov supply model needs a full stop "
                f"(capacity_lost 1) and no ramp-up"
            )
        up, down = outage.up_days, outage.down_days
        if isinstance(up, Exponential) and isinstance(down, Exponential):
            return cls.from_exponential_spells(up.mean, down.mean, days_per_period)
        if isinstance(up, Geometric) and isinstance(down, Geometric):
            if days_per_period != 1:
                raise ValueError(
                    f"disruption {outage.id!r}: geometric spells in days are a Markov chain "
                    f"only over daily periods (days_per_period 1, got {days_per_period})"
                )
            return cls(up_to_down=up.p, down_to_up=down.p)
        raise ValueError(
            f"disruption {outage.id!r}: the Markov supply model needs up and down spells "
            f"that are both exponential or both geometric (got {up.kind} and {down.kind})"
        )


def _expected_excess(S: float, d: float, supply: MarkovSupply) -> float:
    """E[(X - S)^+] with X = (N + 1) d (module docstring)."""
    pi_up = supply.availability
    pi_down = 1.0 - pi_up
    beta = supply.down_to_up
    q = 1.0 - beta
    j = max(1, math.floor(S / d))  # smallest n >= 1 with (n + 1) d > S
    while (j + 1) * d <= S:
        j += 1
    while j > 1 and j * d > S:
        j -= 1
    tail = pi_down * q ** (j - 1) * ((j + 1) * d - S + d * q / beta) if pi_down > 0 else 0.0
    return pi_up * max(d - S, 0.0) + tail


def disrupted_base_stock_cost(
    order_up_to_units: float,
    *,
    demand_per_period: float,
    holding_cost_per_unit_per_period: float,
    backorder_cost_per_unit_per_period: float,
    supply: MarkovSupply,
) -> float:
    """g(S) of base-stock with a Markov supplier, deterministic demand (module docstring)."""
    S = _finite("order_up_to_units", order_up_to_units)
    d = _positive("demand_per_period", demand_per_period)
    h = _positive("holding_cost_per_unit_per_period", holding_cost_per_unit_per_period)
    p = _positive("backorder_cost_per_unit_per_period", backorder_cost_per_unit_per_period)
    mean_x = d * (1.0 + (1.0 - supply.availability) / supply.down_to_up)
    return h * (S - mean_x) + (h + p) * _expected_excess(S, d, supply)


def _critical_down_run(supply: MarkovSupply, ratio: float) -> int:
    """n* = the smallest n >= 0 with P(N <= n) = 1 - pi_DOWN (1 - beta)^n >= ratio."""
    pi_down = 1.0 - supply.availability
    q = 1.0 - supply.down_to_up
    target = 1.0 - ratio

    def enough(n: int) -> bool:
        return pi_down * q**n <= target

    if enough(0):
        return 0
    if q == 0.0:
        return 1
    n = max(0, math.ceil(math.log(target / pi_down) / math.log(q)))
    while n > 0 and enough(n - 1):  # guard the logarithms' rounding
        n -= 1
    while not enough(n):
        n += 1
    return n


def disrupted_base_stock_optimum(
    *,
    demand_per_period: float,
    holding_cost_per_unit_per_period: float,
    backorder_cost_per_unit_per_period: float,
    supply: MarkovSupply,
) -> BaseStockOptimum:
    """S* = (n* + 1) d, n* the smallest n with P(N <= n) >= p / (p + h) (module docstring)."""
    d = _positive("demand_per_period", demand_per_period)
    h = _positive("holding_cost_per_unit_per_period", holding_cost_per_unit_per_period)
    p = _positive("backorder_cost_per_unit_per_period", backorder_cost_per_unit_per_period)
    S = (_critical_down_run(supply, p / (p + h)) + 1) * d
    cost = disrupted_base_stock_cost(
        S,
        demand_per_period=d,
        holding_cost_per_unit_per_period=h,
        backorder_cost_per_unit_per_period=p,
        supply=supply,
    )
    return BaseStockOptimum(order_up_to_units=S, expected_cost_per_period=cost)


@dataclass(frozen=True)
class OutageBuffer:
    """The order-up-to level to hold against a supplier's outages, and what it buys."""

    order_up_to_units: float
    """S*: order up to this in every period the supplier is up."""
    periods_of_cover: int
    """S* / d: periods of demand S* covers (n* + 1)."""
    days_of_cover: float
    """S* / d in days."""
    expected_cost_per_period: float
    """g(S*): expected holding + backorder cost per period."""
    no_backorder_probability: float
    """Long-run share of periods that end without backorders, P(N <= n*)."""
    supply: MarkovSupply
    """The per-period supply chain the outage process maps to."""


def outage_buffer(
    *,
    demand_per_period: float,
    holding_cost_per_unit_per_period: float,
    backorder_cost_per_unit_per_period: float,
    mtbf_days: float,
    mttr_days: float,
    days_per_period: int = 1,
    spells: Literal["exponential", "geometric"] = "exponential",
) -> OutageBuffer:
    """Propose the buffer S* for a sole supplier that fails (MTBF) and recovers (MTTR).

    Deterministic demand, zero lead time, backorders, full-stop outages (the model of
    :func:`disrupted_base_stock_optimum`); ``spells`` says how up and down durations are
    distributed (exponential: any period length; geometric: daily periods). For a
    scenario's own outage spec use :meth:`MarkovSupply.from_outage` and
    :func:`disrupted_base_stock_optimum`.
    """
    dpp = _positive("days_per_period", days_per_period)
    if spells == "exponential":
        supply = MarkovSupply.from_exponential_spells(mtbf_days, mttr_days, dpp)
    elif spells == "geometric":
        if dpp != 1:
            raise ValueError("geometric spells in days are a Markov chain only over daily periods")
        supply = MarkovSupply.from_geometric_spells(mtbf_days, mttr_days)
    else:
        raise ValueError(f"spells must be 'exponential' or 'geometric', got {spells!r}")
    d = _positive("demand_per_period", demand_per_period)
    best = disrupted_base_stock_optimum(
        demand_per_period=d,
        holding_cost_per_unit_per_period=holding_cost_per_unit_per_period,
        backorder_cost_per_unit_per_period=backorder_cost_per_unit_per_period,
        supply=supply,
    )
    periods = round(best.order_up_to_units / d)
    return OutageBuffer(
        order_up_to_units=best.order_up_to_units,
        periods_of_cover=periods,
        days_of_cover=periods * dpp,
        expected_cost_per_period=best.expected_cost_per_period,
        no_backorder_probability=1.0
        - (1.0 - supply.availability) * (1.0 - supply.down_to_up) ** (periods - 1),
        supply=supply,
    )


# ---------------------------------------------------------------------------------------
# EOQ with disruptions (EOQD)


@dataclass(frozen=True)
class EoqdOptimum:
    """The optimal order quantity of EOQD and its expected cost per unit time."""

    order_quantity_units: float
    """Q*."""
    expected_cost_per_year: float
    """g(Q*): ordering + holding + lost-sale cost per unit time."""


@dataclass(frozen=True)
class _Eoqd:
    K: float
    h: float
    p: float
    d: float
    lam: float
    mu: float

    def cost(self, Q: float) -> float:
        t = Q / self.d
        down = self.lam / (self.lam + self.mu) * -math.expm1(-(self.lam + self.mu) * t)
        wait = down / self.mu  # expected time without stock per cycle
        return (self.K + self.h * Q * Q / (2 * self.d) + self.p * self.d * wait) / (t + wait)


def _eoqd(
    order_cost_per_order: float,
    holding_cost_per_unit_per_year: float,
    lost_sale_penalty_per_unit: float,
    demand_per_year: float,
    failure_rate_per_year: float,
    recovery_rate_per_year: float,
) -> _Eoqd:
    return _Eoqd(
        K=_non_negative("order_cost_per_order", order_cost_per_order),
        h=_positive("holding_cost_per_unit_per_year", holding_cost_per_unit_per_year),
        p=_non_negative("lost_sale_penalty_per_unit", lost_sale_penalty_per_unit),
        d=_positive("demand_per_year", demand_per_year),
        lam=_non_negative("failure_rate_per_year", failure_rate_per_year),
        mu=_positive("recovery_rate_per_year", recovery_rate_per_year),
    )


def eoqd_cost(
    order_quantity_units: float,
    *,
    order_cost_per_order: float,
    holding_cost_per_unit_per_year: float,
    lost_sale_penalty_per_unit: float,
    demand_per_year: float,
    failure_rate_per_year: float,
    recovery_rate_per_year: float,
) -> float:
    """g(Q) of EOQD (module docstring); rates are 1 / mean UP and 1 / mean DOWN time."""
    model = _eoqd(
        order_cost_per_order,
        holding_cost_per_unit_per_year,
        lost_sale_penalty_per_unit,
        demand_per_year,
        failure_rate_per_year,
        recovery_rate_per_year,
    )
    return model.cost(_positive("order_quantity_units", order_quantity_units))


EOQD_GRID = 400
"""Log-spaced points scanned across the bracket before the bounded refinement."""


def eoqd_optimum(
    *,
    order_cost_per_order: float,
    holding_cost_per_unit_per_year: float,
    lost_sale_penalty_per_unit: float,
    demand_per_year: float,
    failure_rate_per_year: float,
    recovery_rate_per_year: float,
) -> EoqdOptimum:
    """Q* of EOQD: bracket, scan, then bounded 1-D minimisation (Brent).

    Bracket, from a reference cost ``g_ref = g(sqrt(2 K d / h))`` (the classical EOQ):
    since ``pi(Q) <= lambda Q / d``, ``g(Q) >= K d / (Q (1 + lambda / mu))``, so no
    ``Q < Q_lo = K d / ((1 + lambda / mu) g_ref)`` beats ``g_ref``; since the cycle is
    shorter than ``Q / d + 1 / mu``, ``g(Q) >= h Q^2 / (2 (Q + d / mu))``, which exceeds
    ``g_ref`` beyond the root ``Q_hi`` of ``h Q^2 = 2 g_ref (Q + d / mu)``. The grid's
    best point and its neighbours bound the refinement. With ``K = 0`` the cost tends to
    ``p d lambda / (lambda + mu)`` as ``Q -> 0`` and the bracket starts at ``1e-6 d / mu``.
    """
    m = _eoqd(
        order_cost_per_order,
        holding_cost_per_unit_per_year,
        lost_sale_penalty_per_unit,
        demand_per_year,
        failure_rate_per_year,
        recovery_rate_per_year,
    )
    if m.K == 0.0 and m.lam == 0.0:
        raise ValueError("with no order cost and no disruptions the optimal Q is 0 (no optimum)")
    eoq = math.sqrt(2 * m.K * m.d / m.h) if m.K > 0 else m.d / m.mu
    g_ref = m.cost(eoq)
    lo = m.K * m.d / ((1 + m.lam / m.mu) * g_ref) if m.K > 0 else eoq * 1e-6
    hi = (g_ref + math.sqrt(g_ref**2 + 2 * m.h * g_ref * m.d / m.mu)) / m.h
    lo, hi = min(lo, eoq), max(hi, eoq)
    grid = np.geomspace(lo, hi, EOQD_GRID)
    costs = np.array([m.cost(q) for q in grid])
    i = int(np.argmin(costs))
    a, b = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    found = optimize.minimize_scalar(
        m.cost, bounds=(a, b), method="bounded", options={"xatol": 1e-10 * b}
    )
    Q = float(found.x) if found.fun <= costs[i] else float(grid[i])
    return EoqdOptimum(order_quantity_units=Q, expected_cost_per_year=m.cost(Q))


# ---------------------------------------------------------------------------------------
# Periodic-review analogue (the simulator's conventions)


MAX_STATES = 200_000
"""Most states :func:`periodic_review_outage_cost` enumerates before giving up."""


def periodic_review_outage_cost(
    reorder_point_units: float,
    order_up_to_units: float,
    *,
    demand_per_period: float,
    holding_cost_per_unit_per_period: float,
    lost_sale_penalty_per_unit: float,
    order_cost_per_order: float,
    supply: MarkovSupply,
    max_states: int = MAX_STATES,
) -> float:
    """Exact long-run cost per period of (s, S) under the simulator's period step.

    Deterministic demand, zero lead time, lost sales, a Markov supplier (module
    docstring, last section). The run starts with ``S`` on hand and the supplier UP;
    the result is the stationary average (the start does not matter in the long run).
    """
    s = _non_negative("reorder_point_units", reorder_point_units)
    S_ = _finite("order_up_to_units", order_up_to_units)
    if s >= S_:
        raise ValueError(f"order_up_to_units ({S_}) must exceed reorder_point_units ({s})")
    d = Fraction(_positive("demand_per_period", demand_per_period))
    h = _non_negative("holding_cost_per_unit_per_period", holding_cost_per_unit_per_period)
    p = _non_negative("lost_sale_penalty_per_unit", lost_sale_penalty_per_unit)
    K = _non_negative("order_cost_per_order", order_cost_per_order)
    s_f, S = Fraction(s), Fraction(S_)
    alpha, beta = supply.up_to_down, supply.down_to_up
    move = {True: ((True, 1.0 - alpha), (False, alpha)), False: ((True, beta), (False, 1.0 - beta))}
    zero = Fraction(0)

    start = (S, zero, True)  # (on hand, supplier backlog, supplier UP this period)
    index = {start: 0}
    states = [start]
    cost: list[float] = []
    rows: list[int] = []
    cols: list[int] = []
    probs: list[float] = []
    i = 0
    while i < len(states):
        on_hand, backlog, up = states[i]
        c = 0.0
        position = on_hand + backlog
        if position <= s_f and S - position > 0:  # review at the start of the period
            backlog += S - position
            c += K
        if up:  # ship the whole backlog; zero lead time: it arrives before demand
            on_hand += backlog
            backlog = zero
        sold = min(on_hand, d)
        on_hand -= sold
        c += h * float(on_hand) + p * float(d - sold)
        cost.append(c)
        for nxt, prob in move[up]:
            if prob == 0.0:
                continue
            state = (on_hand, backlog, nxt)
            j = index.get(state)
            if j is None:
                if len(states) >= max_states:
                    raise ValueError(
                        f"more than {max_states} states: order_up_to_units / demand_per_period "
                        f"is too large for exact enumeration"
                    )
                j = index[state] = len(states)
                states.append(state)
            rows.append(i)
            cols.append(j)
            probs.append(prob)
        i += 1
    n = len(states)
    transition = sparse.csr_matrix((probs, (rows, cols)), shape=(n, n))
    pi = _stationary(transition, np.asarray(rows), np.asarray(cols))
    return float(pi @ np.asarray(cost))


def _stationary(transition: sparse.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Stationary distribution of a finite chain with one closed class (zero elsewhere).

    On the closed class ``C``: ``pi (P_C - I) = 0`` with ``pi_k = 1`` for one state ``k``
    (the other equations are independent because the chain on ``C`` is irreducible),
    then normalised. Fixing one component instead of adding the normalisation row keeps
    the system sparse.
    """
    n = transition.shape[0]
    count, label = csgraph.connected_components(transition, directed=True, connection="strong")
    leaving = np.unique(label[rows][label[rows] != label[cols]])
    closed = np.setdiff1d(np.arange(count), leaving)
    if closed.size != 1:
        raise ValueError(f"the chain has {closed.size} closed classes: no unique steady state")
    members = np.flatnonzero(label == closed[0])
    sub = transition[members][:, members]
    balance = (sparse.identity(members.size, format="csr") - sub.T).tocsc()
    rest = np.arange(1, members.size)
    x = np.ones(members.size)
    if rest.size:
        a = balance[rest][:, rest]
        b = -balance[rest][:, [0]].toarray().ravel()
        x[rest] = sparse_linalg.spsolve(a.tocsc(), b)
    pi = np.zeros(n)
    pi[members] = x / x.sum()
    return pi
