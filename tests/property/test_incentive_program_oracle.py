"""Incentive choice and program choice equal brute-force enumeration on small instances.

The oracle enumerates every combination of incentive options (one per menu supplier) and
program choices (each program unfunded or funded at one of its shares), drops the program
combinations that break a party's participation or the capex budget, and for each
incentive combination solves "the rest" independently of the MILP's formulation: the
rebate and take-or-pay of a supplier-year are piecewise linear in its annual volume V, so
the oracle enumerates the piece V lies on (between consecutive tier thresholds and the
minimum volume) and solves the then linear program with ``scipy.optimize.linprog``. An
incremental rebate on its piece k is R(T_k) + r_k (V - T_k), an all-units one r_k V on the
closed bracket; so a model whose better tier filled first, or that paid a rebate under an
option not chosen, would come out below the oracle.

Invariants checked on every solution: exactly one option per menu supplier and no volume
bought under another; the rebate and take-or-pay the model reports equal the settlement's
own :func:`keiretsu.econ.settlement.tiered_rebate` and ``take_or_pay`` at the chosen
option's volume; every program at most once, each party's NPV at least its reservation,
the buyer's capex within the budget in every year.

Tolerance "LP": |MILP - oracle| <= 1e-6 max(1, |oracle|).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from keiretsu.econ.settlement import RebateTiers, take_or_pay, tiered_rebate
from keiretsu.optimize.allocation import optimize_allocation
from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, Supplier
from keiretsu.optimize.coinvest import ProgramChoice, ProgramOption
from keiretsu.optimize.incentives import IncentiveMenu, IncentiveOption, Rebate
from keiretsu.optimize.solve import SolverOptions

EXACT = SolverOptions(gap=0.0)

# --------------------------------------------------------------------------- instances


@st.composite
def instances(draw) -> AllocationData:
    n_years = draw(st.integers(1, 2))
    n_parts = draw(st.integers(1, 2))
    n_sups = draw(st.integers(2, 3))
    years = tuple(range(1, n_years + 1))
    money = st.floats(0, 3, allow_nan=False).map(lambda v: round(v, 2))
    parts = []
    offers = []
    for i in range(n_parts):
        demand = tuple(float(draw(st.integers(40, 200))) for _ in years)
        parts.append(Part(f"P{i}", demand, shortage_penalty_per_unit=40.0))
        chosen = draw(
            st.lists(st.integers(0, n_sups - 1), min_size=1, max_size=n_sups, unique=True)
        )
        for s in sorted(chosen):
            cap = draw(st.one_of(st.none(), st.integers(30, 250).map(float)))
            offers.append(
                Offer(
                    f"P{i}", f"S{s}", float(draw(st.integers(5, 20))), capacity_units_per_year=cap
                )
            )
    suppliers = tuple(Supplier(f"S{s}") for s in range(n_sups))
    offered = {(o.supplier, o.part) for o in offers}
    menus = []
    for s in range(draw(st.integers(1, 2))):
        sid = f"S{s}"
        mine = sorted(p for (sup, p) in offered if sup == sid)
        if not mine:
            continue
        options = []
        for j in range(draw(st.integers(1, 3))):
            unit = {}
            for comp in draw(
                st.lists(
                    st.sampled_from(["gain_share", "administration", "reliability"]), unique=True
                )
            ):
                sign = -1.0 if comp == "gain_share" else 1.0
                unit[comp] = {p: tuple(sign * draw(money) for _ in years) for p in mine}
            fixed = {}
            if draw(st.booleans()):
                fixed["reservation_fee"] = tuple(float(draw(st.integers(0, 150))) for _ in years)
            rebate = None
            minimum, rate = 0.0, 0.0
            if s == 0:  # the piecewise terms on one supplier keep the oracle small
                if draw(st.booleans()):
                    k = draw(st.integers(1, 2))
                    starts = sorted(
                        draw(st.lists(st.integers(0, 300), min_size=k, max_size=k, unique=True))
                    )
                    steps = draw(st.lists(money, min_size=k, max_size=k))
                    rates = tuple(float(v) for v in np.cumsum(steps))
                    rebate = Rebate(
                        tuple(float(v) for v in starts),
                        tuple(rates for _ in years),
                        draw(st.sampled_from(["all_units", "incremental"])),
                    )
                if draw(st.booleans()):
                    minimum = float(draw(st.integers(10, 300)))
                    rate = float(draw(st.integers(1, 6)))
            options.append(
                IncentiveOption(
                    f"o{j}",
                    unit_costs=unit,
                    fixed_costs=fixed,
                    rebate=rebate,
                    min_units_per_year=minimum,
                    shortfall_cost_per_unit=rate,
                )
            )
        menus.append(IncentiveMenu(sid, tuple(options)))
    programs = []
    for p in range(draw(st.integers(0, 2))):
        shares = draw(
            st.lists(
                st.sampled_from([0.2, 0.4, 0.6, 0.8, 1.0]), min_size=1, max_size=3, unique=True
            )
        )
        opts = tuple(
            ProgramOption(
                share,
                float(draw(st.integers(-50, 300))),
                float(draw(st.integers(-100, 100))),
                tuple(float(draw(st.integers(0, 200))) for _ in years),
            )
            for share in sorted(shares)
        )
        programs.append(
            ProgramChoice(
                f"prog{p}",
                opts,
                buyer_reservation_npv=float(draw(st.integers(0, 50))),
                supplier_reservation_npv=float(draw(st.integers(-20, 20))),
            )
        )
    budget = ()
    if programs and draw(st.booleans()):
        budget = tuple(draw(st.one_of(st.none(), st.integers(50, 300).map(float))) for _ in years)
    return AllocationData(
        years=years,
        parts=tuple(parts),
        suppliers=suppliers,
        offers=tuple(offers),
        incentives=tuple(menus),
        programs=tuple(programs),
        capex_budget_by_year=budget,
        name="oracle",
    )


# --------------------------------------------------------------------------- oracle


def _pieces(
    option: IncentiveOption, t: int, most: float
) -> list[tuple[float, float, float, float]]:
    """(low, high, constant, slope) of rebate (negative) + take-or-pay on each piece of V."""
    points = {0.0, most}
    r = option.rebate
    if r is not None:
        points |= {v for v in r.thresholds_units if 0 < v < most}
    m, rate = option.min_units_per_year, option.shortfall_cost_per_unit
    if m > 0 and rate > 0 and m < most:
        points.add(m)
    points = sorted(points)
    spans = list(itertools.pairwise(points))
    if r is not None and r.mode == "all_units":  # V exactly at a break earns the tier above
        spans += [(v, v) for v in r.thresholds_units if 0 < v <= most]
    out = []
    for lo, hi in spans:
        mid = (lo + hi) / 2
        const, slope = 0.0, 0.0
        if r is not None:
            starts, rates = r.thresholds_units, r.rates_by_year[t]
            k = max((j for j, s in enumerate(starts) if s <= mid), default=None)
            if k is not None:
                if r.mode == "all_units":
                    slope -= rates[k]
                else:
                    tiers = RebateTiers(starts, rates)
                    base = float(tiered_rebate(np.array([starts[k]]), tiers, "incremental")[0])
                    const -= base - rates[k] * starts[k]
                    slope -= rates[k]
        if m > 0 and rate > 0 and mid < m:
            const += rate * m
            slope -= rate
        out.append((lo, hi, const, slope))
    if len(points) == 1:  # most == 0
        out.append((0.0, 0.0, rate * m if m > 0 and rate > 0 else 0.0, 0.0))
    return out


def _rest(data: AllocationData, choice: dict[str, IncentiveOption]) -> float:
    """Least allocation cost with these incentive options (module docstring)."""
    years = data.years
    cols = []  # (part, supplier, t)
    for o in data.offers:
        for t in range(len(years)):
            cols.append((o.part, o.supplier, t))
    offer = {(o.part, o.supplier): o for o in data.offers}
    demand = {p.id: p.demand_units for p in data.parts}
    caps = {
        k: min(demand[k[0]][k[2]], offer[k[:2]].capacity_units_per_year or math.inf) for k in cols
    }
    base_cost = []
    constant = 0.0
    for k in cols:
        c = offer[k[:2]].unit_price
        opt = choice.get(k[1])
        if opt is not None:
            c += sum(v[k[0]][k[2]] for v in opt.unit_costs.values() if k[0] in v)
        base_cost.append(c)
    for opt in choice.values():
        constant += sum(float(sum(v)) for v in opt.fixed_costs.values())
    piece_sets = []  # per (supplier, t) with piecewise terms
    keys = []
    for sid, opt in choice.items():
        for t in range(len(years)):
            if opt.rebate is None and not (
                opt.min_units_per_year > 0 and opt.shortfall_cost_per_unit > 0
            ):
                continue
            most = sum(caps[k] for k in cols if k[1] == sid and k[2] == t)
            keys.append((sid, t))
            piece_sets.append(_pieces(opt, t, most))
    best = math.inf
    n_x = len(cols)
    n_u = len(data.parts) * len(years)
    for combo in itertools.product(*piece_sets) if piece_sets else [()]:
        c = list(base_cost) + [p.shortage_penalty_per_unit for p in data.parts for _ in years]
        const = constant
        a_ub, b_ub = [], []
        for (sid, t), (lo, hi, k0, slope) in zip(keys, combo, strict=True):
            row = np.zeros(n_x + n_u)
            for j, k in enumerate(cols):
                if k[1] == sid and k[2] == t:
                    row[j] = 1.0
                    c[j] += slope
            const += k0
            a_ub += [row, -row]
            b_ub += [hi, -lo]
        a_eq, b_eq = [], []
        for pi, p in enumerate(data.parts):
            for t in range(len(years)):
                row = np.zeros(n_x + n_u)
                for j, k in enumerate(cols):
                    if k[0] == p.id and k[2] == t:
                        row[j] = 1.0
                row[n_x + pi * len(years) + t] = 1.0
                a_eq.append(row)
                b_eq.append(p.demand_units[t])
        bounds = [(0.0, caps[k]) for k in cols] + [
            (0.0, p.demand_units[t]) for p in data.parts for t in range(len(years))
        ]
        res = linprog(
            np.array(c),
            A_ub=np.array(a_ub) if a_ub else None,
            b_ub=np.array(b_ub) if b_ub else None,
            A_eq=np.array(a_eq),
            b_eq=np.array(b_eq),
            bounds=bounds,
            method="highs",
        )
        if res.status == 2:
            continue
        assert res.status == 0, res.message
        best = min(best, res.fun + const)
    return best


def oracle(data: AllocationData) -> float:
    menus = data.incentives
    best_rest = min(
        _rest(data, {m.supplier: o for m, o in zip(menus, combo, strict=True)})
        for combo in itertools.product(*[m.options for m in menus])
    )
    best_programs = math.inf
    years = range(len(data.years))
    for combo in itertools.product(*[[None, *p.options] for p in data.programs]):
        ok = True
        for p, o in zip(data.programs, combo, strict=True):
            if o is not None and (
                o.supplier_npv < p.supplier_reservation_npv or o.buyer_npv < p.buyer_reservation_npv
            ):
                ok = False
        for t in years:
            limit = data.capex_budget_by_year[t] if data.capex_budget_by_year else None
            spent = sum(o.buyer_capex_by_year[t] for o in combo if o is not None)
            if limit is not None and spent > limit + 1e-9:
                ok = False
        if ok:
            best_programs = min(best_programs, -sum(o.buyer_npv for o in combo if o is not None))
    return best_rest + best_programs


# --------------------------------------------------------------------------- the test


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_incentive_and_program_choice_equal_brute_force(data: AllocationData) -> None:
    result = optimize_allocation(data, EXACT)
    expected = oracle(data)
    assert abs(result.objective - expected) <= 1e-6 * max(1.0, abs(expected)), (
        result.objective,
        expected,
    )
    assert abs(sum(result.cost.values()) - result.objective) <= 1e-6 * max(1.0, abs(expected))
    check_invariants(data, result)


def check_invariants(data: AllocationData, result) -> None:
    tol = 1e-6
    costs = result.incentive_costs
    for m in data.incentives:
        chosen = costs[(costs["supplier"] == m.supplier) & costs["chosen"]]["option"].unique()
        assert list(chosen) == [result.incentives[m.supplier]]  # exactly one option
        others = costs[(costs["supplier"] == m.supplier) & ~costs["chosen"]]
        assert (others["volume_units"].abs() <= tol).all()
        assert (others["rebate"].abs() <= tol).all()
        option = next(o for o in m.options if o.name == result.incentives[m.supplier])
        bought = result.allocation
        for t, y in enumerate(data.years):
            v = float(
                bought[(bought["supplier"] == m.supplier) & (bought["year"] == y)]["units"].sum()
            )
            row = costs[(costs["supplier"] == m.supplier) & costs["chosen"] & (costs["year"] == y)]
            assert abs(float(row["volume_units"].iloc[0]) - v) <= tol * max(1, v)
            if option.rebate is not None:
                tiers = RebateTiers(option.rebate.thresholds_units, option.rebate.rates_by_year[t])
                want = float(tiered_rebate(np.array([v]), tiers, option.rebate.mode)[0])
                got = float(row["rebate"].iloc[0])
                # all-units at a break: either side is a valid price (closed brackets), and
                # the solver's feasibility tolerance (1e-7 absolute in HiGHS, scaled by the
                # volume with room for rounding) lets a bracket hold a volume that far below
                # its start, as in test_allocation_oracle
                near = v * (1 + 1e-6) + 1e-6
                alt = want
                if option.rebate.mode == "all_units":  # the rate of the bracket above, on v
                    alt = float(tiered_rebate(np.array([near]), tiers, "all_units")[0]) / near * v
                assert min(abs(got - want), abs(got - alt)) <= 1e-5 * max(1, want), (got, want)
            if option.min_units_per_year > 0 and option.shortfall_cost_per_unit > 0:
                want = float(
                    take_or_pay(v, option.min_units_per_year, option.shortfall_cost_per_unit)
                )
                assert abs(float(row["take_or_pay"].iloc[0]) - want) <= 1e-5 * max(1, want)
    funded = result.programs
    for p in data.programs:
        if p.program in funded:
            o = next(o for o in p.options if abs(o.share - funded[p.program]) <= 1e-12)
            assert o.supplier_npv >= p.supplier_reservation_npv
            assert o.buyer_npv >= p.buyer_reservation_npv
    for t in range(len(data.years)):
        limit = data.capex_budget_by_year[t] if data.capex_budget_by_year else None
        if limit is None:
            continue
        spent = sum(
            o.buyer_capex_by_year[t]
            for p in data.programs
            for o in p.options
            if p.program in funded and abs(o.share - funded[p.program]) <= 1e-12
        )
        assert spent <= limit * (1 + 1e-9) + 1e-9
