"""The two-stage risk model: its checks, honest statuses, fixed-plan pricing, recourse
rules and the monotone cost-risk trade-off (theory: as lambda grows the optimal CVaR does
not increase and the optimal expected cost does not decrease)."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from keiretsu.errors import SolverError
from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, Supplier
from keiretsu.optimize.risk import build, optimize_risk
from keiretsu.optimize.risk_data import Recourse, ReservationOption, RiskData
from keiretsu.optimize.solve import SolverOptions
from tests.verification.test_rockafellar_uryasev_2000_cvar import (
    EXACT,
    lp_close,
    scenario_cost,
    tiny,
)


def test_constraints_are_named_after_what_they_mean() -> None:
    prob, v = build(dataclasses.replace(tiny(), cvar_weight=1.0))
    names = {c.name for c in prob.constraints()}
    for name in (
        "first_stage_cost",
        "scenario_cost_k0",
        "recourse_cover_k1_P_y1",
        "backup_room_k1_S2_P_y1",
        "backup_qualified_k1_S2_P_y1_0",
        "reservation_call_k1_P_y1",
        "reservation_qualified_S2_P_0",
        "cvar_excess_k2",
        "demand_P_y1",  # the allocation model's own rows are there
    ):
        assert name in names, name
    assert len(v.cost) == 3 and v.eta is not None


def test_without_a_cvar_weight_there_is_no_cvar_row() -> None:
    prob, v = build(dataclasses.replace(tiny(), cvar_weight=0.0))
    assert v.eta is None and not any(c.name.startswith("cvar") for c in prob.constraints())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"availability": np.ones((3, 1, 3))}, "shape"),
        ({"availability": np.full((3, 1, 2), 1.5)}, "shares in"),
        ({"probabilities": np.array([0.5, 0.5, 0.5])}, "summing to 1"),
        ({"alpha": 1.0}, "alpha"),
        ({"cvar_weight": -1.0}, "cvar_weight"),
        ({"recourse": (Recourse("P", "S9", backup_premium_per_unit=1.0),)}, "no such offer"),
        (
            {
                "reservations": (
                    ReservationOption("P", "S1", 1.0),
                    ReservationOption("P", "S2", 1.0),
                )
            },
            "one reservation option per part",
        ),
    ],
)
def test_bad_data_is_refused_saying_why(change, message) -> None:
    with pytest.raises(ValueError, match=message):
        optimize_risk(dataclasses.replace(tiny(), **change))


def test_every_part_needs_an_unserved_penalty() -> None:
    data = tiny()
    parts = (dataclasses.replace(data.allocation.parts[0], shortage_penalty_per_unit=None),)
    no_penalty = dataclasses.replace(
        data, allocation=dataclasses.replace(data.allocation, parts=parts)
    )
    with pytest.raises(ValueError, match="penalty for unserved units"):
        optimize_risk(no_penalty)
    # demand that must be met in the plan, with a penalty for what disruptions leave unserved
    met = dataclasses.replace(no_penalty, unserved_penalty_per_unit={"P": 12.0})
    r = optimize_risk(met, EXACT)
    assert r.first_stage.shortage["short_units"].sum() == 0.0


def test_an_infeasible_first_stage_is_explained() -> None:
    data = tiny()
    part = dataclasses.replace(
        data.allocation.parts[0], min_suppliers=2, min_source_share=0.1, max_supplier_share=0.3
    )
    bad = dataclasses.replace(
        data,
        allocation=dataclasses.replace(data.allocation, parts=(part,)),
        unserved_penalty_per_unit={"P": 12.0},
    )
    bad = dataclasses.replace(
        bad,
        allocation=dataclasses.replace(
            bad.allocation, parts=(dataclasses.replace(part, shortage_penalty_per_unit=None),)
        ),
    )
    with pytest.raises(SolverError) as info:
        optimize_risk(bad)
    assert info.value.outcome == "infeasible"
    assert info.value.diagnosis and all("part P in year 1" in line for line in info.value.diagnosis)


def test_a_fixed_plan_is_priced_not_optimised() -> None:
    """All 10 units from S1, no reservation, S2 not qualified: scenario costs by hand."""
    r = optimize_risk(tiny(), EXACT, fixed_units={("P", "S1", 1): 10.0}, fixed_reservations={})
    expected = [scenario_cost(10.0, 0.0, 0.0, False, k) for k in range(3)]
    # by hand: 10 in scenarios 1 and 3; scenario 2 loses all 10 from S1, no recourse
    # (S1 down, S2 not qualified, nothing reserved): 10 - 10 refund + 12 x 10 = 120
    assert expected == [10.0, 120.0, 10.0]
    np.testing.assert_allclose(r.scenario_costs, expected, rtol=1e-9)
    assert r.reservations == {}


def test_recourse_fills_the_loss_cheapest_first_within_its_room() -> None:
    # scenario 2 of the tiny instance under its optimal plan: S1 (all 10 units) is down,
    # the 10 reserved units at S2 cover the loss (3 a unit, cheaper than S2's backup at 4)
    r = optimize_risk(tiny(), EXACT)
    row = r.recourse.set_index("scenario").loc[1]
    assert lp_close(row["lost_allocation_units"], 10.0)
    assert lp_close(row["reservation_units"], 10.0) and lp_close(row["backup_units"], 0.0)
    assert lp_close(row["unserved_units"], 0.0)


def test_the_time_limit_is_honoured_and_reported() -> None:
    r = optimize_risk(tiny(), SolverOptions(time_limit_s=30.0, gap=0.0))
    assert r.outcome == "optimal" and r.gap is not None and r.gap <= 1e-9
    assert r.solver == "highs" and r.model_size["rows"] > 0


def expected_and_cvar(weight: float, data: RiskData) -> tuple[float, float]:
    r = optimize_risk(dataclasses.replace(data, cvar_weight=weight), EXACT)
    return r.expected_cost, r.cvar


def two_part_instance() -> RiskData:
    """Two parts sharing a cheap, unreliable supplier with a backup; more risk levers."""
    data = AllocationData(
        years=(1, 2),
        parts=(
            Part("A", (100.0, 120.0), shortage_penalty_per_unit=30.0),
            Part("B", (50.0, 50.0), shortage_penalty_per_unit=60.0),
        ),
        suppliers=(
            Supplier("CHEAP", "X", shared_capacity_units_per_year=150.0),
            Supplier("SAFE", "Y", fixed_cost_once=40.0),
        ),
        offers=(
            Offer("A", "CHEAP", 5.0),
            Offer("B", "CHEAP", 8.0),
            Offer("A", "SAFE", 7.0, capacity_units_per_year=80.0),
            Offer("B", "SAFE", 11.0, capacity_units_per_year=60.0),
        ),
    )
    rng = np.random.default_rng(3)
    K = 12
    cheap = np.clip(1.0 - rng.exponential(0.25, (K, 2)), 0.0, 1.0)
    safe = np.clip(1.0 - rng.exponential(0.05, (K, 2)), 0.0, 1.0)
    a = np.stack([cheap, cheap, safe, safe], axis=2)
    sup = np.stack([cheap, safe], axis=2)
    return RiskData(
        data,
        a,
        supplier_availability=sup,
        recourse=(
            Recourse("A", "SAFE", backup_premium_per_unit=2.0),
            Recourse("B", "SAFE", backup_premium_per_unit=2.0),
        ),
        reservations=(ReservationOption("A", "SAFE", 0.8),),
        alpha=0.8,
    )


@pytest.mark.parametrize("instance", [tiny, two_part_instance])
def test_frontier_is_monotone_in_lambda(instance) -> None:
    data = instance()
    points = [expected_and_cvar(w, data) for w in (0.0, 0.1, 0.3, 1.0, 3.0, 10.0)]
    for (e0, c0), (e1, c1) in itertools.pairwise(points):
        assert e1 >= e0 - 1e-6 * max(1.0, abs(e0))
        assert c1 <= c0 + 1e-6 * max(1.0, abs(c0))
    assert points[-1][1] < points[0][1] - 1e-6  # and the weight does buy risk down


def test_a_reallocation_goes_only_to_a_supplier_with_a_share() -> None:
    """S2 takes reallocated volume only in a year the plan gives it a share: the model
    either gives it at least the floor share or does without its backup."""
    from keiretsu.optimize.risk import SHARE_FLOOR
    from keiretsu.optimize.solve import solve_with

    base = tiny()
    recourse = (
        base.recourse[0],
        dataclasses.replace(base.recourse[1], backup_needs_share=True),
    )
    data = dataclasses.replace(base, recourse=recourse, reservations=())
    prob, v = build(data)
    names = {c.name for c in prob.constraints()}
    assert {"backup_in_plan_k1_S2_P_y1", "backup_share_S2_P_y1"} <= names
    solve_with(prob, EXACT)
    x2 = v.first.buy[("P", "S2", 1)].varValue
    called = max(
        v.backup[(k, "P", "S2", 1)].varValue for k in range(3) if (k, "P", "S2", 1) in v.backup
    )
    assert called > 0 and x2 >= SHARE_FLOOR * 10.0 - 1e-9
    # S1 down in scenario 2 loses all its units: S2 (now in the plan) replaces them
    assert lp_close(v.backup[(1, "P", "S2", 1)].varValue, 10.0 - x2)
