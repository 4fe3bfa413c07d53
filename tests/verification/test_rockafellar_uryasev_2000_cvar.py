"""The two-stage risk model against theory: Rockafellar & Uryasev (2000), brute force, and
the deterministic model it must reduce to.

Source: R. T. Rockafellar and S. Uryasev (2000), "Optimization of conditional
value-at-risk", Journal of Risk 2(3): CVaR_alpha(C) = min_eta eta + E[(C - eta)+] / (1 -
alpha); for a discrete distribution it is the probability-weighted mean of the worst
1 - alpha of the mass (the boundary atom counted in part). The expected values below are
worked out by hand from the data in each test, never taken from the code.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from keiretsu.optimize.allocation import optimize_allocation
from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, PriceBreak, Supplier
from keiretsu.optimize.risk import cvar, optimize_risk
from keiretsu.optimize.risk_data import Recourse, ReservationOption, RiskData
from keiretsu.optimize.solve import SolverOptions

EXACT = SolverOptions(gap=0.0)


def lp_close(got: float, expected: float) -> bool:
    """VALIDATION.md "LP" tolerance."""
    return abs(got - expected) <= 1e-6 * max(1.0, abs(expected))


# --------------------------------------------------------------------------- CVaR


def one_supplier(availability: list[float], probabilities=None, alpha=0.6, weight=1.0) -> RiskData:
    """Demand 10, one supplier at price 1, unserved units cost 11.

    Buying x of the 10 costs x + 11 (10 - x) + (11 - 1)(1 - A_k) x = 110 - 10 A_k x in
    scenario k (undelivered units are refunded and then short), decreasing in x for every
    k, so x = 10 whatever the risk weight and C_k = 110 - 100 A_k.
    """
    data = AllocationData(
        years=(1,),
        parts=(Part("P", (10.0,), shortage_penalty_per_unit=11.0),),
        suppliers=(Supplier("S"),),
        offers=(Offer("P", "S", 1.0),),
    )
    a = np.asarray(availability, dtype=float).reshape(-1, 1, 1)
    p = None if probabilities is None else np.asarray(probabilities, dtype=float)
    return RiskData(data, a, probabilities=p, alpha=alpha, cvar_weight=weight)


@pytest.mark.parametrize(
    ("alpha", "probabilities", "expected"),
    [
        # C = [10, 20, 30, 60, 110], equally likely: the worst 40 % is {110, 60}: 85
        (0.6, None, 85.0),
        # the worst 30 %: 110 (mass 0.2) and half of 60's atom (0.1): (22 + 6) / 0.3
        (0.7, None, 28.0 / 0.3),
        # the worst 20 %: 110 alone
        (0.8, None, 110.0),
        # alpha = 0: the mean, (10 + 20 + 30 + 60 + 110) / 5
        (0.0, None, 46.0),
        # unequal: P = [.1, .2, .3, .3, .1]; worst 25 %: 110 (0.1) + 60 (0.15) -> 20 / 0.25
        (0.75, [0.1, 0.2, 0.3, 0.3, 0.1], 80.0),
    ],
)
def test_rockafellar_uryasev_cvar_of_the_lp_equals_the_sorted_tail(alpha, probabilities, expected):
    data = one_supplier([1.0, 0.9, 0.8, 0.5, 0.0], probabilities, alpha=alpha, weight=1.0)
    r = optimize_risk(data, EXACT)
    np.testing.assert_allclose(r.scenario_costs, [10.0, 20.0, 30.0, 60.0, 110.0], rtol=1e-9)
    p = np.full(5, 0.2) if probabilities is None else np.asarray(probabilities)
    mean = float(np.dot(p, [10.0, 20.0, 30.0, 60.0, 110.0]))
    assert lp_close(r.expected_cost, mean)
    # the LP's eta + 1/(1 - alpha) sum p z is the objective less the expected cost
    assert lp_close(r.objective - r.expected_cost, expected)
    assert lp_close(r.cvar, expected)  # the sorted-tail formula of keiretsu.optimize.risk


def test_cvar_and_var_of_known_distributions() -> None:
    costs = [30.0, 10.0, 110.0, 60.0, 20.0]
    assert cvar(costs, 0.6) == pytest.approx((85.0, 30.0))  # VaR: P(C <= 30) = 0.6 >= 0.6
    assert cvar(costs, 0.8) == pytest.approx((110.0, 60.0))  # P(C <= 60) = 0.8 >= 0.8
    assert cvar(costs, 0.0)[0] == pytest.approx(46.0)
    assert cvar([5.0], 0.99) == pytest.approx((5.0, 5.0))
    with pytest.raises(ValueError, match="alpha"):
        cvar(costs, 1.0)
    with pytest.raises(ValueError, match="probabilities"):
        cvar(costs, 0.5, [0.5, 0.5, 0.0, 0.0, 0.1])


# --------------------------------------------------------------------------- K = 1


def table_5_15_with_penalty() -> AllocationData:
    """Ravindran & Warsing (2013) Table 5.15 (VALIDATION.md D: 8200), with a shortage
    penalty high enough never to be used (the risk model needs one)."""
    return AllocationData(
        years=(1,),
        parts=(Part("ITEM", (2000.0,), shortage_penalty_per_unit=1000.0),),
        suppliers=(Supplier("1", "A"), Supplier("2", "B"), Supplier("3", "C")),
        offers=(
            Offer(
                "ITEM",
                "1",
                10.0,
                price_breaks=(PriceBreak(300.0, 7.0),),
                capacity_units_per_year=600.0,
                fixed_cost_once=100.0,
            ),
            Offer("ITEM", "2", 2.0, capacity_units_per_year=800.0, fixed_cost_once=500.0),
            Offer(
                "ITEM",
                "3",
                6.0,
                price_breaks=(PriceBreak(500.0, 4.0),),
                capacity_units_per_year=1200.0,
                fixed_cost_once=300.0,
            ),
        ),
    )


@pytest.mark.parametrize("weight", [0.0, 0.5, 3.0])
def test_one_certain_scenario_is_the_deterministic_model(weight: float) -> None:
    """K = 1 with every availability 1: nothing is lost, no recourse or reservation pays,
    and the objective is (1 + lambda) x the deterministic optimum, 8200 (Table 5.15)."""
    data = table_5_15_with_penalty()
    risk = RiskData(
        data,
        np.ones((1, 1, 3)),
        recourse=tuple(Recourse("ITEM", s, backup_premium_per_unit=1.0) for s in "123"),
        reservations=(ReservationOption("ITEM", "2", 0.01),),
        alpha=0.9,
        cvar_weight=weight,
    )
    r = optimize_risk(risk, EXACT)
    deterministic = optimize_allocation(data, EXACT)
    assert lp_close(deterministic.objective, 8200.0)
    assert lp_close(r.expected_cost, 8200.0) and lp_close(r.cvar, 8200.0)
    assert lp_close(r.objective, (1.0 + weight) * 8200.0)
    assert lp_close(r.first_stage.objective, 8200.0)
    assert r.reservations == {}
    units = r.first_stage.allocation.set_index("supplier")["units"]
    assert [round(units[s]) for s in "123"] == [0, 800, 1200]


# --------------------------------------------------------------------------- brute force

DEMAND, PENALTY, ALPHA, WEIGHT = 10.0, 12.0, 0.5, 1.0
PRICE = {"S1": 1.0, "S2": 3.0}
AVAILABLE = {"S1": [1.0, 0.0, 1.0], "S2": [1.0, 1.0, 0.5]}  # three equally likely scenarios
BACKUP_COST = {"S1": 1.5, "S2": 4.0}  # price + premium
QUALIFY_S2, FEE, CALL_PRICE = 4.0, 0.5, 3.0


def tiny() -> RiskData:
    """One part, one year, demand 10; S1 cheap (1) but down in scenario 2; S2 dear (3),
    must be qualified (4 once), half its capacity in scenario 3; both capacity 10; backup
    at 1.5 (S1) and 4 (S2); capacity at S2 reservable at 0.5 a unit; unserved units 12."""
    data = AllocationData(
        years=(1,),
        parts=(Part("P", (DEMAND,), shortage_penalty_per_unit=PENALTY),),
        suppliers=(Supplier("S1", "A"), Supplier("S2", "B", fixed_cost_once=QUALIFY_S2)),
        offers=(
            Offer("P", "S1", PRICE["S1"], capacity_units_per_year=10.0),
            Offer("P", "S2", PRICE["S2"], capacity_units_per_year=10.0),
        ),
    )
    a = np.array([[[AVAILABLE["S1"][k], AVAILABLE["S2"][k]]] for k in range(3)])
    return RiskData(
        data,
        a,
        recourse=(
            Recourse("P", "S1", backup_premium_per_unit=BACKUP_COST["S1"] - PRICE["S1"]),
            Recourse("P", "S2", backup_premium_per_unit=BACKUP_COST["S2"] - PRICE["S2"]),
        ),
        reservations=(ReservationOption("P", "S2", FEE, 10.0),),
        alpha=ALPHA,
        cvar_weight=WEIGHT,
    )


def scenario_cost(x1: float, x2: float, r: float, qualified: bool, k: int) -> float:
    """The cost of scenario k for a first-stage choice, written out from the maths: buy,
    get refunded what is not delivered, cover the loss greedily from the cheapest recourse
    (each cheaper than the penalty), pay the penalty on the rest."""
    a1, a2 = AVAILABLE["S1"][k], AVAILABLE["S2"][k]
    short = DEMAND - x1 - x2
    cost = PRICE["S1"] * x1 + PRICE["S2"] * x2 + PENALTY * short
    cost += QUALIFY_S2 * qualified + FEE * r
    lost = (1 - a1) * x1 + (1 - a2) * x2
    cost -= PRICE["S1"] * (1 - a1) * x1 + PRICE["S2"] * (1 - a2) * x2
    options = [(BACKUP_COST["S1"], a1 * (10.0 - x1)), (CALL_PRICE, a2 * r)]
    if qualified:
        options.append((BACKUP_COST["S2"], a2 * (10.0 - x2)))
    for price, room in sorted(options):
        take = min(room, lost)
        cost += price * take
        lost -= take
    return cost + PENALTY * lost


def objective(x1: float, x2: float, r: float, qualified: bool) -> float:
    c = sorted((scenario_cost(x1, x2, r, qualified, k) for k in range(3)), reverse=True)
    worst_half = (c[0] * (1 / 3) + c[1] * (1 / 6)) / 0.5  # tail mass 0.5 of three thirds
    return sum(c) / 3 + WEIGHT * worst_half


def test_tiny_instance_equals_brute_force_enumeration() -> None:
    grid = np.arange(0.0, 10.0 + 1e-9, 0.5)
    best = np.inf
    for x1, x2, r in itertools.product(grid, grid, grid):
        if x1 + x2 > DEMAND + 1e-9:
            continue
        for qualified in (False, True):
            if not qualified and (x2 > 0 or r > 0):
                continue  # S2 supplies or reserves only once qualified
            best = min(best, objective(x1, x2, r, qualified))
    result = optimize_risk(tiny(), EXACT)
    units = result.first_stage.allocation.set_index("supplier")["units"]
    x1, x2 = float(units["S1"]), float(units["S2"])
    r = result.reservations.get("P", 0.0)
    qualified = result.first_stage.cost["fixed_supplier_once"] > 0
    # the model's objective is the cost of its own plan, computed independently...
    assert lp_close(result.objective, objective(x1, x2, r, qualified))
    # ...and no plan on the grid does better (the optimum lies on it: equality)
    assert result.objective <= best + 1e-6 * max(1.0, best)
    assert lp_close(result.objective, best)
