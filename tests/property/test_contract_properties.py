"""Invariants of the newsvendor contract maths (keiretsu.econ.channel), on random channels.

* the two parties' expected profits add up to the channel profit at the same order;
* efficiency <= 1 (Q° maximises the channel profit);
* the retailer's order is his best: no order on a fine grid earns him more (oracle);
* every contract ``coordinate`` returns makes the retailer's own best order Q° and gives him
  the requested share of Pi° (checked again through ``evaluate`` and the grid oracle);
  with no goodwill costs, buyback, revenue sharing and quantity flexibility always succeed;
* the supplier-optimal wholesale price beats every price on a grid (oracle).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from keiretsu.econ.channel import (
    FAMILIES,
    Buyback,
    Channel,
    QuantityFlexibility,
    RevenueSharing,
    SalesRebate,
    WholesalePrice,
    coordinate,
    evaluate,
    profits,
    retailer_order,
    supplier_optimal_wholesale_price,
)
from keiretsu.econ.demand_law import DiscreteLaw, demand_law
from keiretsu.scenario.distributions import (
    Empirical,
    Exponential,
    Fixed,
    Gamma,
    Geometric,
    LogNormal,
    NegativeBinomial,
    Normal,
    Poisson,
    Triangular,
    Uniform,
)

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

positive = st.floats(2.0, 120.0)
cv = st.floats(0.05, 0.6)
distributions = st.one_of(
    st.builds(lambda m, c: Normal(mean=m, sd=m * min(c, 0.25)), positive, cv),
    st.builds(lambda m, c: LogNormal(mean=m, sd=m * c), positive, cv),
    st.builds(lambda m, c: Gamma(mean=m, sd=m * c), positive, cv),
    st.builds(lambda m: Exponential(mean=m), positive),
    st.builds(lambda a, w: Uniform(low=a, high=a + w), st.floats(0, 50), st.floats(1, 80)),
    st.builds(
        lambda a, u, w: Triangular(low=a, mode=a + u * w, high=a + w),
        st.floats(0, 50),
        st.floats(0, 1),
        st.floats(1, 80),
    ),
    st.builds(lambda m: Poisson(mean=m), st.floats(0.5, 80)),
    st.builds(lambda m, x: NegativeBinomial(mean=m, sd=np.sqrt(m * (1 + x))), positive, cv),
    st.builds(lambda p: Geometric(p=p), st.floats(0.02, 0.9)),
    st.builds(lambda v: Fixed(value=v), st.floats(0.5, 100)),
    st.builds(
        lambda v, w: Empirical(values=v, weights=w[: len(v)] if len(w) >= len(v) else None),
        st.lists(st.floats(0, 100), min_size=1, max_size=6),
        st.lists(st.floats(0.1, 5), min_size=0, max_size=6),
    ),
)


@st.composite
def channels(draw, goodwill: bool = True) -> Channel:
    p = draw(st.floats(1.0, 20.0))
    v = p * draw(st.sampled_from([0.0, 0.1, 0.3, 0.5]))
    c = v + (p - v) * draw(st.floats(0.05, 0.9))
    c_r = c * draw(st.sampled_from([0.0, 0.0, 0.2, 0.5]))
    g_r = p * draw(st.sampled_from([0.0, 0.0, 0.1, 0.5])) if goodwill else 0.0
    g_s = p * draw(st.sampled_from([0.0, 0.0, 0.1, 0.3])) if goodwill else 0.0
    law = demand_law(draw(distributions))
    try:
        return Channel(law, p, c - c_r, v, c_r, g_r, g_s)
    except ValueError as e:  # the rare channel that cannot make a profit
        assume("cannot make a profit" not in str(e))
        raise


@st.composite
def contracts(draw, channel: Channel):
    ch = channel
    p, v, c_r, g_r = (
        ch.price_per_unit,
        ch.salvage_per_unit,
        ch.retailer_cost_per_unit,
        ch.retailer_goodwill_per_unit,
    )
    # a wholesale price the retailer can live with: v < w + c_r < p + g_r (mostly)
    w = v - c_r + (p + g_r - v) * draw(st.floats(0.01, 1.2))
    family = draw(st.sampled_from(FAMILIES))
    match family:
        case "wholesale_price":
            return WholesalePrice(w)
        case "buyback":
            return Buyback(w, (w + c_r) * draw(st.floats(0.0, 0.95)))
        case "revenue_sharing":
            phi = draw(st.floats(0.0, 1.0))
            return RevenueSharing(phi * v - c_r + 0.01 + p * draw(st.floats(0, 1.2)), phi)
        case "quantity_flexibility":
            return QuantityFlexibility(w, draw(st.floats(0.0, 0.99)))
        case _:
            return SalesRebate(
                w, p * draw(st.floats(0.0, 2.0)), ch.mean_demand * draw(st.floats(0, 2))
            )


def _grid(channel: Channel, extra: float = 0.0) -> np.ndarray:
    top = 1.5 * max(channel.demand.upper(), extra) + 1.0
    points = [np.linspace(0.0, top, 2001)]
    if isinstance(channel.demand, DiscreteLaw):
        points.append(channel.demand.values)
    return np.unique(np.concatenate(points))


def _best_on_grid(channel: Channel, contract, order: float) -> float:
    return float(np.max(profits(channel, contract, _grid(channel, order))[0]))


def _scale(channel: Channel) -> float:
    return (channel.price_per_unit + channel.goodwill) * max(channel.mean_demand, 1.0)


@PROPS
@given(data=st.data())
def test_profits_add_up_and_efficiency_at_most_one(data) -> None:
    ch = data.draw(channels())
    contract = data.draw(contracts(ch))
    q = data.draw(st.floats(0.0, 2.0 * ch.demand.upper() + 1.0))
    fixed = evaluate(ch, contract, q)
    tol = 1e-9 * _scale(ch)
    assert fixed.retailer_profit + fixed.supplier_profit == pytest.approx(
        float(ch.channel_profit(q)), abs=tol
    )
    assert fixed.efficiency <= 1.0 + 1e-12
    try:
        own = evaluate(ch, contract)
    except ValueError as e:
        assert "without limit" in str(e)
        return
    assert own.retailer_profit + own.supplier_profit == pytest.approx(own.channel_profit, abs=tol)
    assert own.efficiency <= 1.0 + 1e-12


@PROPS
@given(data=st.data())
def test_retailer_order_is_his_best(data) -> None:
    ch = data.draw(channels())
    contract = data.draw(contracts(ch))
    try:
        q = retailer_order(ch, contract)
    except ValueError as e:
        assert "without limit" in str(e)
        return
    note(f"{contract} -> {q}")
    mine = evaluate(ch, contract).retailer_profit
    assert mine >= _best_on_grid(ch, contract, q) - 1e-9 * _scale(ch)


@PROPS
@given(data=st.data())
def test_coordinating_contracts_coordinate_and_split_as_asked(data) -> None:
    goodwill = data.draw(st.booleans())
    ch = data.draw(channels(goodwill=goodwill))
    family = data.draw(st.sampled_from([f for f in FAMILIES if f != "wholesale_price"]))
    share = data.draw(st.floats(0.05, 0.95))
    kwargs = {}
    if family == "sales_rebate":
        kwargs["threshold_units"] = ch.optimal_order * data.draw(st.floats(0.0, 1.0))
    try:
        outcome = coordinate(ch, family, share, **kwargs)
    except ValueError:
        # guaranteed to exist without goodwill costs (lambda = share, phi = lambda, and
        # quantity flexibility spans every share in (0, 1)); the sales rebate may not
        assert goodwill or family == "sales_rebate"
        return
    note(f"{outcome.contract}")
    again = evaluate(ch, outcome.contract)
    q0 = ch.optimal_order
    assert again.order_units == pytest.approx(q0, abs=1e-9 * max(1.0, q0))
    assert again.retailer_profit == pytest.approx(share * ch.optimal_profit, abs=1e-8 * _scale(ch))
    assert again.efficiency == pytest.approx(1.0, abs=1e-9)
    assert again.retailer_profit >= _best_on_grid(ch, outcome.contract, q0) - 1e-9 * _scale(ch)


@PROPS
@given(ch=channels())
def test_wholesale_price_coordinates_at_supplier_cost_only(ch: Channel) -> None:
    assume(ch.supplier_goodwill_per_unit == 0)
    # Cachon sec. 2.1: with g_s = 0 the wholesale price coordinates at w = c_s, retailer takes all
    outcome = coordinate(ch, "wholesale_price", 1.0)
    assert outcome.contract.wholesale_price_per_unit == pytest.approx(
        ch.supplier_cost_per_unit, abs=1e-9 * ch.price_per_unit
    ) or isinstance(ch.demand, DiscreteLaw)
    assert outcome.supplier_profit == pytest.approx(0.0, abs=1e-9 * _scale(ch))
    assert evaluate(ch, outcome.contract).order_units == pytest.approx(ch.optimal_order, abs=1e-9)
    if not isinstance(ch.demand, DiscreteLaw):
        with pytest.raises(ValueError, match="coordinates the channel only at"):
            coordinate(ch, "wholesale_price", 0.5)


@PROPS
@given(ch=channels())
def test_supplier_optimal_wholesale_price_beats_a_grid_of_prices(ch: Channel) -> None:
    best = supplier_optimal_wholesale_price(ch)
    # the retailer's best response to best.contract is best.order_units (ties to the leader)
    again = evaluate(ch, best.contract, best.order_units)
    r_best = _best_on_grid(ch, best.contract, best.order_units)
    assert again.retailer_profit >= r_best - 1e-9 * _scale(ch)
    p, v, c_r, g_r = (
        ch.price_per_unit,
        ch.salvage_per_unit,
        ch.retailer_cost_per_unit,
        ch.retailer_goodwill_per_unit,
    )
    for w in v - c_r + (p + g_r - v) * np.linspace(0.001, 0.999, 200):
        rival = evaluate(ch, WholesalePrice(float(w)))
        assert best.supplier_profit >= rival.supplier_profit - 1e-9 * _scale(ch)
