r"""Volume allocation over parts x suppliers x years: a mixed-integer linear program.

Plain data in (:mod:`keiretsu.optimize.allocation_data`; ``experiments`` maps a scenario
onto it), a PuLP model out (:func:`build`), solved and read back by
:func:`optimize_allocation`.

Sets and data
-------------
Parts ``i``, suppliers ``s`` (each in one region ``r(s)``), years ``y`` (labels such as
2027; ``t(y) = 0, 1, ...`` their position), offers ``(i, s)`` (supplier ``s`` can make
part ``i``). Demand ``d[i,y]`` (units per year). Annual buckets: nothing is carried
from one year to the next, and a year's purchases never exceed its demand.

An offer ``(i, s)`` can be used in year ``y`` when ``d[i,y] > 0`` and ``y >= first_year``
(qualification). Its volume is bounded by ``M[i,s,y] = min(d, cap[i,s], a[i,s] d,
C[s])`` where ``a`` is the maximum share (offer's or part's) and ``C[s]`` the supplier's
shared capacity; ``M`` is also the big-M of the binaries below (tight by construction).

Decisions
---------
``x[i,s,y] >= 0`` units bought; ``u[i,y] in [0, d]`` units short (only where a shortage
penalty is given); binaries ``z[i,s,y]`` (offer used in year y), ``o[i,s]`` (offer used
in some year: qualification paid once), ``w[s,y]`` / ``w[s]`` (supplier used in year y /
at all); ``v[s,y] >= 0`` take-or-pay shortfall; price segment quantities and binaries.

Cost (minimised)
----------------
    sum purchase(i,s,y)                                   tiered, see below
  + sum F1[i,s] o[i,s] + sum F2[i,s] z[i,s,y]             fixed cost per supplier-part:
                                                          once over the horizon / per year
  + sum G1[s] w[s] + sum G2[s] w[s,y]                     fixed cost per supplier
  + sum pen[i] u[i,y]                                     shortage penalty per unit
  + sum top[s] v[s,y]                                     take-or-pay per unit not taken

Prices in year y are the offer's prices times ``(1 + trend[s])^t(y)``.

**Incremental discounts** (breaks ``0 = b_0 < b_1 < ... < b_{K-1}``, price ``p_k`` for
the units between ``b_k`` and ``b_{k+1}``): segment quantities ``q_k in [0, W_k]`` with
``W_k = min(b_{k+1}, M) - b_k``, ``x = sum_k q_k`` (``price_segments_*``), purchase
``sum_k p_k q_k``. When the prices fall (``p_{k+1} < p_k`` somewhere) a cheap later
segment must not fill before the earlier ones: binaries ``g_k`` (segment k in use),
``q_k <= W_k g_k`` (``segment_open_*``) and ``q_{k-1} >= W_{k-1} g_k``
(``segment_fill_*``: segment k is used only once segment k-1 is full), and ``g_1 <= z``
(``segment_used_*``) when the offer has a used binary. With
non-decreasing prices the cost is convex and no binaries are needed.

**All-units discounts** (the whole quantity at the price of the bracket it falls in):
bracket quantities ``r_k``, binaries ``h_k``, ``b_k h_k <= r_k <= min(b_{k+1}, M) h_k``
(``bracket_low_*``, ``bracket_high_*``), ``sum_k h_k <= 1`` (``price_bracket_*``; ``<= z``
when the offer has a used binary, a valid tightening),
``x = sum_k r_k``, purchase ``sum_k p_k r_k``. Brackets are closed, so a quantity
exactly at a break may be priced on either side; the cheaper one is chosen.

Constraints (names: ``<meaning>_<SUPPLIER>_<PART>_y<YEAR>`` and the like; ids are made
name-safe by replacing characters other than letters, digits and ``_`` with ``_``)
-------------------------------------------------------------------------------------
* ``demand_<i>_y<y>``:               sum_s x[i,s,y] + u[i,y] = d[i,y]  (no u: demand must be met)
* ``capacity_<s>_<i>_y<y>``:         x[i,s,y] <= cap[i,s]
* ``shared_capacity_<s>_y<y>``:      sum_i x[i,s,y] <= C[s]
* ``used_<s>_<i>_y<y>``:             x[i,s,y] <= M[i,s,y] z[i,s,y]
* ``min_volume_<s>_<i>_y<y>``:       x[i,s,y] >= m[i,s] z[i,s,y]   (minimum order volume when used)
* ``qualified_<s>_<i>_y<y>``:        o[i,s] >= z[i,s,y]
* ``supplier_year_<s>_<i>_y<y>``:    w[s,y] >= z[i,s,y];  ``supplier_used_<s>_y<y>``: w[s] >= w[s,y]
  (``supplier_used_<s>_<i>_y<y>``: w[s] >= z[i,s,y] when there is no per-year cost)
* ``max_share_<s>_<i>_y<y>``:        x[i,s,y] <= a[i,s] d[i,y]
* ``dual_sourcing_<i>_y<y>``:        sum_s z[i,s,y] >= k[i]     (critical parts, k >= 2; from the
  part's ``min_suppliers_from_year`` on when it is given, as is ``min_share``)
* ``min_share_<s>_<i>_y<y>``:        x[i,s,y] >= e[i] d[i,y] z[i,s,y]  (each used source carries
  at least the share e of demand, so dual sourcing is not 99.99/0.01)
* ``region_share_<i>_<r>_y<y>``:     sum_{s in r} x[i,s,y] - L[i] sum_s x[i,s,y] <= 0
  (the share of the part's purchases from one region; by volume, or by spend when
  ``region_share_basis="spend"``, with the purchase cost terms in place of x)
* ``region_share_total_<r>_y<y>``:   the same over all parts, limit ``L``
* ``quality_<i>_y<y>``:              sum_s (ppm[i,s] - Q[i]) x[i,s,y] <= 0  (volume-weighted
  average defect rate at most Q ppm)
* ``commitment_<s>_y<y>``:           sum_i x[i,s,y] + v[s,y] >= c[s,y]   (volume committed by
  contract; v exists only under take-or-pay, else the commitment is hard)
* ``switch_up_<s>_<i>_y<y>``, ``switch_down_<s>_<i>_y<y>``:  +-(x[i,s,y] - x[i,s,y-1]) <=
  D[i] d[i,y]  (year-to-year change of a source's volume at most the share D of
  demand; only between consecutive years that both have demand, and in the first year
  against ``previous_year_units`` when given)

Incentive menus (one contract per supplier, :mod:`keiretsu.optimize.incentives`) and
co-investment programs (:mod:`keiretsu.optimize.coinvest`) add their variables, rows and
cost terms (``incentive_*``, ``program_buyer_npv``) to the same model when ``data`` has
them; a menu option's expected defect rate replaces the offer's in the quality rows.

Infeasibility is explained (:func:`keiretsu.optimize.diagnosis.diagnose_infeasibility`): the model is rebuilt with a
non-negative slack on every requirement above (demand, capacities, shares, volumes,
dual sourcing, regions, quality, commitments, switching) — the definitions (segments,
brackets, used/qualified links) stay hard, and the big-M becomes the demand alone so a
capacity can be exceeded — and the weighted total slack is minimised. Each slack is
measured relative to its row: to the part's demand that year (demand, shares, minimum
volumes, regions, switching), to the capacity (a shared capacity: to the smaller of it
and its parts' demands), to the committed volume, to demand x (worst defect rate -
limit) for quality, and in suppliers for dual sourcing; and weighted by how firm the
requirement is: capacities 100, demand 10, policy limits 1, so the blame falls on the
softest requirements that remove the conflict. Every row that needed slack becomes
one sentence in the data's terms, e.g. "part CELL in year 2028: demand 1,200,000
exceeds qualified capacity 900,000 (ALPHA 500,000, BETA 400,000)".
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import pulp

from keiretsu.errors import SolverError
from keiretsu.optimize import coinvest, incentives
from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, check
from keiretsu.optimize.coinvest import add_programs
from keiretsu.optimize.incentives import IncentiveVariables, add_incentives
from keiretsu.optimize.solve import (
    Pairs,
    SolveReport,
    SolverOptions,
    gc_paused,
    model_size,
    name_token,
    pairs_value,
    solve_with,
    var_units,
)

# --------------------------------------------------------------------------- results

COST_TERMS = (
    "purchase",
    "fixed_supplier_part_once",
    "fixed_supplier_part_per_year",
    "fixed_supplier_once",
    "fixed_supplier_per_year",
    "shortage_penalty",
    "take_or_pay",
    *incentives.COST_TERMS,
    *coinvest.COST_TERMS,
)
"""The terms of the objective, in the order :attr:`AllocationResult.cost` lists them
(the incentive and program terms are 0 without menus and program options)."""


@dataclass(frozen=True, eq=False)
class AllocationResult:
    """A solved allocation.

    ``outcome``: "optimal" (within ``gap``) or "feasible" (an early stop's incumbent,
    ``stopped_by`` says why; ``gap`` to the best bound). ``cost``: the objective split
    into :data:`COST_TERMS` (they add up to ``objective``). ``allocation``: one row per
    offer and year it could be used: part, supplier, region, year, units, share (of
    the part's purchases that year), share_of_demand, purchase_cost, unit_cost.
    ``shortage``: part, year, demand_units, bought_units, short_units, penalty_cost.
    ``commitments``: supplier, year, committed_units, taken_units, shortfall_units,
    take_or_pay_cost. ``shares``: ``{part: {year: {supplier: share}}}`` of purchases,
    positive shares only (the shape of a plan's ``allocation_by_year``).
    """

    outcome: str
    objective: float
    best_bound: float | None
    gap: float | None
    stopped_by: str
    cost: dict[str, float]
    allocation: pd.DataFrame
    shortage: pd.DataFrame
    commitments: pd.DataFrame
    shares: dict[str, dict[int, dict[str, float]]]
    build_time_s: float
    solve_time_s: float
    solver: str
    model_size: dict[str, int] = field(default_factory=dict)
    """Rows, columns, integer columns and non-zeros of the model solved."""
    incentives: dict[str, str] = field(default_factory=dict)
    """The option chosen per menu supplier."""
    programs: dict[str, float] = field(default_factory=dict)
    """The programs funded, with the buyer cost share chosen."""
    method: str = "one model"
    """How it was solved (``SolveReport.method``)."""
    incentive_costs: pd.DataFrame | None = None
    """Per menu supplier, option and year: chosen, volume_units (bought under the option:
    0 unless chosen), rebate (money back, >= 0), take_or_pay_shortfall_units, take_or_pay
    and one column per component of :data:`keiretsu.optimize.incentives.COMPONENTS`."""
    program_choices: pd.DataFrame | None = None
    """Per program and share option: chosen, buyer_npv, supplier_npv, buyer capex by year."""


@dataclass(frozen=True)
class Requirement:
    """One named requirement row, what it is about, and (elastic models) its slack."""

    name: str
    group: str
    part: str | None
    supplier: str | None
    year: int | None
    region: str | None
    scale: float
    slack: pulp.LpVariable | None = None


@dataclass(frozen=True)
class AllocationVariables:
    """The model's variables, keyed by ids and year labels, and its cost terms.

    ``buy[(part, supplier, year)]``, ``shortage[(part, year)]``, ``used[(part, supplier,
    year)]``, ``qualified[(part, supplier)]``, ``supplier_used[supplier]``,
    ``supplier_year_used[(supplier, year)]``, ``shortfall[(supplier, year)]``;
    ``purchase[(part, supplier, year)]`` and ``cost_terms[term]`` are (variable,
    coefficient) pairs; ``requirements[name]`` describes each named requirement row.
    """

    buy: dict[tuple[str, str, int], pulp.LpVariable]
    shortage: dict[tuple[str, int], pulp.LpVariable]
    used: dict[tuple[str, str, int], pulp.LpVariable]
    qualified: dict[tuple[str, str], pulp.LpVariable]
    supplier_used: dict[str, pulp.LpVariable]
    supplier_year_used: dict[tuple[str, int], pulp.LpVariable]
    shortfall: dict[tuple[str, int], pulp.LpVariable]
    purchase: dict[tuple[str, str, int], Pairs]
    cost_terms: dict[str, Pairs]
    requirements: dict[str, Requirement] = field(default_factory=dict)
    incentives: IncentiveVariables = field(default_factory=IncentiveVariables)
    fund: dict[tuple[str, float], pulp.LpVariable] = field(default_factory=dict)


# --------------------------------------------------------------------------- checks


# --------------------------------------------------------------------------- builder

# elastic weights: how firm each kind of requirement is (module docstring)
_FIRMNESS = {
    "capacity": 100.0,
    "shared_capacity": 100.0,
    "demand": 10.0,
}
_POLICY = 1.0


def _limit(*values: float | None) -> float:
    return min((v for v in values if v is not None), default=math.inf)


class _Builder:
    def __init__(self, data: AllocationData, elastic: bool):
        self.data = data
        self.elastic = elastic
        self.prob = pulp.LpProblem(name_token(data.name) + ("_elastic" if elastic else ""))
        self.names: set[str] = set()
        self.requirements: dict[str, Requirement] = {}
        self.slack_pairs: Pairs = []

    def var(self, name: str, low: float = 0.0, up: float | None = None, binary: bool = False):
        if name in self.names:
            raise ValueError(f"two model items would be named {name!r}: rename an id")
        self.names.add(name)
        if binary:
            return self.prob.add_variable(name, cat=pulp.LpBinary)
        return self.prob.add_variable(name, lowBound=low, upBound=up)

    def row(self, name: str, pairs: Pairs, sense: str, rhs: float) -> None:
        """A definition (never relaxed)."""
        if name in self.names:
            raise ValueError(f"two model rows would be named {name!r}: rename an id")
        self.names.add(name)
        expr = pulp.lpSum_vars_coefs(pairs)
        if sense == "<=":
            self.prob += (expr <= rhs, name)
        elif sense == ">=":
            self.prob += (expr >= rhs, name)
        else:
            self.prob += (expr == rhs, name)

    def require(
        self,
        name: str,
        pairs: Pairs,
        sense: str,
        rhs: float,
        group: str,
        *,
        scale: float,
        part: str | None = None,
        supplier: str | None = None,
        year: int | None = None,
        region: str | None = None,
    ) -> None:
        """A requirement: relaxed by a slack of ``scale`` per unit in an elastic model."""
        scale = max(float(scale), 1e-9)
        slack = None
        if self.elastic:
            slack = self.var(f"slack_{name}")
            pairs = [*pairs, (slack, -scale if sense == "<=" else scale)]
            self.slack_pairs.append((slack, _FIRMNESS.get(group, _POLICY)))
        elif not pairs and _holds(0.0, sense, rhs):
            return
        self.row(name, pairs, sense, rhs)
        self.requirements[name] = Requirement(
            name, group, part, supplier, year, region, scale, slack
        )


def _sourcing_applies(part: Part, year: int) -> bool:
    """Whether the part's dual-sourcing rule (min suppliers, min source share) holds in ``year``."""
    return part.min_suppliers_from_year is None or year >= part.min_suppliers_from_year


def _holds(lhs: float, sense: str, rhs: float) -> bool:
    if sense == "<=":
        return lhs <= rhs
    if sense == ">=":
        return lhs >= rhs
    return lhs == rhs


def _prices(offer: Offer, factor: float) -> tuple[list[float], list[float]]:
    """Break points (starting at 0) and prices of an offer in a year."""
    starts = [0.0] + [b.from_units for b in offer.price_breaks]
    prices = [offer.unit_price * factor] + [b.unit_price * factor for b in offer.price_breaks]
    return starts, prices


@gc_paused
def build(
    data: AllocationData, elastic: bool = False
) -> tuple[pulp.LpProblem, AllocationVariables]:
    """The allocation MILP of ``data`` (module docstring) and its variables.

    ``elastic=True`` builds the diagnosis model instead: every requirement gets a slack
    and the objective is the weighted total slack (see :func:`diagnose_infeasibility`).
    """
    check(data)
    b = _Builder(data, elastic)
    years = data.years
    parts = {p.id: p for p in data.parts}
    suppliers = {s.id: s for s in data.suppliers}
    offers_of: dict[str, list[Offer]] = defaultdict(list)
    for o in data.offers:
        offers_of[o.part].append(o)
    spend_basis = data.region_share_basis == "spend"

    buy: dict[tuple[str, str, int], pulp.LpVariable] = {}
    used: dict[tuple[str, str, int], pulp.LpVariable] = {}
    purchase: dict[tuple[str, str, int], Pairs] = {}
    terms: dict[str, Pairs] = {t: [] for t in COST_TERMS}
    cost_scale: dict[str, float] = {}  # a part's typical price, to scale spend rows

    needs_used = {
        (o.part, o.supplier)
        for o in data.offers
        if o.min_units_per_year > 0
        or o.fixed_cost_once > 0
        or o.fixed_cost_per_year > 0
        or suppliers[o.supplier].fixed_cost_once > 0
        or suppliers[o.supplier].fixed_cost_per_year > 0
        or parts[o.part].min_suppliers >= 2
        or parts[o.part].min_source_share > 0
    }

    # ---- offers x years: volume, price, used
    for o in data.offers:
        part, sup = parts[o.part], suppliers[o.supplier]
        ps, ss = name_token(o.part), name_token(o.supplier)
        share = _limit(o.max_share, part.max_supplier_share)
        for t, y in enumerate(years):
            d = part.demand_units[t]
            if d <= 0 or (o.first_year is not None and y < o.first_year):
                continue
            if elastic:
                big_m = d
            else:
                big_m = min(
                    d,
                    _limit(o.capacity_units_per_year),
                    share * d,
                    _limit(sup.shared_capacity_units_per_year),
                )
                if big_m <= 0:
                    continue
            key = (o.part, o.supplier, y)
            tag = f"{ss}_{ps}_y{y}"
            x = b.var(f"buy_{tag}", 0.0, big_m)
            buy[key] = x
            z = None
            if (o.part, o.supplier) in needs_used:
                z = b.var(f"use_{tag}", binary=True)
                used[key] = z
            starts, prices = _prices(o, (1.0 + sup.annual_price_trend) ** t)
            cost = _price_terms(b, o, tag, x, z, big_m, starts, prices)
            purchase[key] = cost
            terms["purchase"].extend(cost)
            cost_scale.setdefault(o.part, max(prices))
            cap = o.capacity_units_per_year
            if cap is not None and cap < d:
                b.require(
                    f"capacity_{tag}",
                    [(x, 1.0)],
                    "<=",
                    cap,
                    "capacity",
                    scale=max(cap, 1.0),
                    part=o.part,
                    supplier=o.supplier,
                    year=y,
                )
            if share < 1:
                b.require(
                    f"max_share_{tag}",
                    [(x, 1.0)],
                    "<=",
                    share * d,
                    "max_share",
                    scale=d,
                    part=o.part,
                    supplier=o.supplier,
                    year=y,
                )
            if z is not None:
                b.row(f"used_{tag}", [(x, 1.0), (z, -big_m)], "<=", 0.0)
                terms["fixed_supplier_part_per_year"].append((z, o.fixed_cost_per_year))
                if o.min_units_per_year > 0:
                    b.require(
                        f"min_volume_{tag}",
                        [(x, 1.0), (z, -o.min_units_per_year)],
                        ">=",
                        0.0,
                        "min_volume",
                        scale=d,
                        part=o.part,
                        supplier=o.supplier,
                        year=y,
                    )
                if part.min_source_share > 0 and _sourcing_applies(part, y):
                    b.require(
                        f"min_share_{tag}",
                        [(x, 1.0), (z, -part.min_source_share * d)],
                        ">=",
                        0.0,
                        "min_share",
                        scale=d,
                        part=o.part,
                        supplier=o.supplier,
                        year=y,
                    )

    # ---- fixed costs: once per supplier-part, per supplier (per year / once)
    qualified: dict[tuple[str, str], pulp.LpVariable] = {}
    used_years: dict[tuple[str, str], list[tuple[str, str, int]]] = defaultdict(list)
    for k in used:
        used_years[(k[0], k[1])].append(k)
    for o in data.offers:
        if o.fixed_cost_once <= 0:
            continue
        keys = used_years.get((o.part, o.supplier), [])
        if not keys:
            continue
        q = b.var(f"qualify_{name_token(o.supplier)}_{name_token(o.part)}", binary=True)
        qualified[(o.part, o.supplier)] = q
        terms["fixed_supplier_part_once"].append((q, o.fixed_cost_once))
        for k in keys:
            b.row(
                f"qualified_{name_token(o.supplier)}_{name_token(o.part)}_y{k[2]}",
                [(q, 1.0), (used[k], -1.0)],
                ">=",
                0.0,
            )
    used_by_supplier: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for k in used:
        used_by_supplier[k[1]].append(k)
    supplier_used: dict[str, pulp.LpVariable] = {}
    supplier_year_used: dict[tuple[str, int], pulp.LpVariable] = {}
    for s in data.suppliers:
        keys = used_by_supplier.get(s.id, [])
        if not keys or (s.fixed_cost_once <= 0 and s.fixed_cost_per_year <= 0):
            continue
        ss = name_token(s.id)
        once = None
        if s.fixed_cost_once > 0:
            once = b.var(f"engage_{ss}", binary=True)
            supplier_used[s.id] = once
            terms["fixed_supplier_once"].append((once, s.fixed_cost_once))
        if s.fixed_cost_per_year > 0:
            for y in sorted({k[2] for k in keys}):
                wy = b.var(f"engage_{ss}_y{y}", binary=True)
                supplier_year_used[(s.id, y)] = wy
                terms["fixed_supplier_per_year"].append((wy, s.fixed_cost_per_year))
                if once is not None:
                    b.row(f"supplier_used_{ss}_y{y}", [(once, 1.0), (wy, -1.0)], ">=", 0.0)
        for k in keys:
            tag = f"{ss}_{name_token(k[0])}_y{k[2]}"
            if s.fixed_cost_per_year > 0:
                wy = supplier_year_used[(s.id, k[2])]
                b.row(f"supplier_year_{tag}", [(wy, 1.0), (used[k], -1.0)], ">=", 0.0)
            else:
                b.row(f"supplier_used_{tag}", [(once, 1.0), (used[k], -1.0)], ">=", 0.0)

    # ---- incentive menus and co-investment programs
    inc = add_incentives(b, data, buy, terms)
    fund = add_programs(b, data, terms)

    # ---- parts x years: demand, dual sourcing, regions, quality, switching
    shortage: dict[tuple[str, int], pulp.LpVariable] = {}
    region_of = {s.id: s.region for s in data.suppliers}
    for p in data.parts:
        ps = name_token(p.id)
        for t, y in enumerate(years):
            d = p.demand_units[t]
            if d <= 0:
                continue
            keys = [(p.id, o.supplier, y) for o in offers_of[p.id] if (p.id, o.supplier, y) in buy]
            cover: Pairs = [(buy[k], 1.0) for k in keys]
            if p.shortage_penalty_per_unit is not None:
                u = b.var(f"short_{ps}_y{y}", 0.0, d)
                shortage[(p.id, y)] = u
                terms["shortage_penalty"].append((u, p.shortage_penalty_per_unit))
                b.row(f"demand_{ps}_y{y}", [*cover, (u, 1.0)], "==", d)
            else:
                b.require(f"demand_{ps}_y{y}", cover, "==", d, "demand", scale=d, part=p.id, year=y)
            if p.min_suppliers >= 2 and _sourcing_applies(p, y):
                b.require(
                    f"dual_sourcing_{ps}_y{y}",
                    [(used[k], 1.0) for k in keys],
                    ">=",
                    p.min_suppliers,
                    "dual_sourcing",
                    scale=1.0,
                    part=p.id,
                    year=y,
                )
            if p.max_region_share is not None and p.max_region_share < 1 and keys:
                limit = p.max_region_share
                amount = {k: purchase[k] if spend_basis else [(buy[k], 1.0)] for k in keys}
                scale = d * (cost_scale.get(p.id, 1.0) if spend_basis else 1.0)
                for r in sorted({region_of[k[1]] for k in keys}):
                    pairs = [
                        (v, c * ((1.0 if region_of[k[1]] == r else 0.0) - limit))
                        for k in keys
                        for v, c in amount[k]
                    ]
                    b.require(
                        f"region_share_{ps}_{name_token(r)}_y{y}",
                        pairs,
                        "<=",
                        0.0,
                        "region_share",
                        scale=max(scale, 1e-9),
                        part=p.id,
                        year=y,
                        region=r,
                    )
            if p.max_defect_ppm is not None:
                limit = p.max_defect_ppm
                rates = _defect_pairs(p.id, t, keys, buy, offers_of[p.id], inc, data)
                worst = max((r for _, r in rates), default=0.0)
                if worst > limit:
                    b.require(
                        f"quality_{ps}_y{y}",
                        [(v, r - limit) for v, r in rates],
                        "<=",
                        0.0,
                        "quality",
                        scale=d * (worst - limit),
                        part=p.id,
                        year=y,
                    )
        if p.max_change_share is not None:
            _switching(b, p, offers_of[p.id], buy, years)

    # ---- suppliers x years: shared capacity, commitments
    shortfall: dict[tuple[str, int], pulp.LpVariable] = {}
    by_supplier_year: dict[tuple[str, int], list[tuple[str, str, int]]] = defaultdict(list)
    for k in buy:
        by_supplier_year[(k[1], k[2])].append(k)
    for s in data.suppliers:
        ss = name_token(s.id)
        for t, y in enumerate(years):
            keys = by_supplier_year.get((s.id, y), [])
            cap = s.shared_capacity_units_per_year
            if cap is not None and keys:
                demands = [parts[k[0]].demand_units[t] for k in keys]
                if cap < sum(demands):
                    b.require(
                        f"shared_capacity_{ss}_y{y}",
                        [(buy[k], 1.0) for k in keys],
                        "<=",
                        cap,
                        "shared_capacity",
                        scale=max(min(cap, *demands), 1.0),
                        supplier=s.id,
                        year=y,
                    )
            committed = s.committed_units[t] if s.committed_units else 0.0
            if committed <= 0:
                continue
            take: Pairs = [(buy[k], 1.0) for k in keys]
            if s.take_or_pay_cost_per_unit is not None:
                v = b.var(f"shortfall_{ss}_y{y}", 0.0, committed)
                shortfall[(s.id, y)] = v
                terms["take_or_pay"].append((v, s.take_or_pay_cost_per_unit))
                b.row(f"commitment_{ss}_y{y}", [*take, (v, 1.0)], ">=", committed)
            else:
                b.require(
                    f"commitment_{ss}_y{y}",
                    take,
                    ">=",
                    committed,
                    "commitment",
                    scale=committed,
                    supplier=s.id,
                    year=y,
                )

    # ---- region share of the total
    if data.max_region_share is not None and data.max_region_share < 1:
        limit = data.max_region_share
        for t, y in enumerate(years):
            keys = [k for k in buy if k[2] == y]
            if not keys:
                continue
            total = sum(p.demand_units[t] for p in data.parts)
            price = max(cost_scale.values(), default=1.0) if spend_basis else 1.0
            for r in sorted({region_of[k[1]] for k in keys}):
                pairs = [
                    (v, c * ((1.0 if region_of[k[1]] == r else 0.0) - limit))
                    for k in keys
                    for v, c in (purchase[k] if spend_basis else [(buy[k], 1.0)])
                ]
                b.require(
                    f"region_share_total_{name_token(r)}_y{y}",
                    pairs,
                    "<=",
                    0.0,
                    "region_share_total",
                    scale=max(total * price, 1e-9),
                    year=y,
                    region=r,
                )

    if elastic:
        b.prob += pulp.lpSum_vars_coefs(b.slack_pairs)
    else:
        b.prob += pulp.lpSum_vars_coefs([pc for t in COST_TERMS for pc in terms[t]])
    variables = AllocationVariables(
        buy=buy,
        shortage=shortage,
        used=used,
        qualified=qualified,
        supplier_used=supplier_used,
        supplier_year_used=supplier_year_used,
        shortfall=shortfall,
        purchase=purchase,
        cost_terms=terms,
        requirements=b.requirements,
        incentives=inc,
        fund=fund,
    )
    return b.prob, variables


def _defect_pairs(
    part: str,
    t: int,
    keys: list[tuple[str, str, int]],
    buy: dict[tuple[str, str, int], pulp.LpVariable],
    offers: list[Offer],
    inc: IncentiveVariables,
    data: AllocationData,
) -> list[tuple[pulp.LpVariable, float]]:
    """(units variable, defect ppm) of a part-year's purchases: the offer's rate, or under an
    incentive menu each option's expected rate on its disaggregated units."""
    ppm = {o.supplier: o.defect_ppm for o in offers}
    options = {m.supplier: {o.name: o for o in m.options} for m in data.incentives}
    out = []
    for k in keys:
        ws = inc.units.get(k)
        if ws is None:
            out.append((buy[k], ppm[k[1]]))
            continue
        for name, w in ws.items():
            rates = (options[k[1]][name].defect_ppm or {}).get(part)
            out.append((w, ppm[k[1]] if rates is None else float(rates[t])))
    return out


def _price_terms(
    b: _Builder,
    o: Offer,
    tag: str,
    x: pulp.LpVariable,
    z: pulp.LpVariable | None,
    big_m: float,
    starts: list[float],
    prices: list[float],
) -> Pairs:
    """Purchase cost of ``x`` units as (variable, price) pairs, with its segment rows.

    With a used binary ``z``, the segment and bracket binaries are tied to it (a valid
    tightening: no segment beyond the first, and no bracket, without ``z``).
    """
    if o.discount == "incremental":
        k_max = sum(1 for s in starts if s < big_m)
        if k_max <= 1:
            return [(x, prices[0])]
        widths = [
            min(starts[k + 1] if k + 1 < len(starts) else big_m, big_m) - starts[k]
            for k in range(k_max)
        ]
        q = [b.var(f"seg_{tag}_k{k}", 0.0, widths[k]) for k in range(k_max)]
        b.row(f"price_segments_{tag}", [(x, 1.0)] + [(qk, -1.0) for qk in q], "==", 0.0)
        if any(prices[k + 1] < prices[k] for k in range(k_max - 1)):
            for k in range(1, k_max):
                g = b.var(f"seg_on_{tag}_k{k}", binary=True)
                b.row(f"segment_open_{tag}_k{k}", [(q[k], 1.0), (g, -widths[k])], "<=", 0.0)
                b.row(f"segment_fill_{tag}_k{k}", [(q[k - 1], 1.0), (g, -widths[k - 1])], ">=", 0.0)
                if z is not None and k == 1:
                    b.row(f"segment_used_{tag}", [(g, 1.0), (z, -1.0)], "<=", 0.0)
        return [(q[k], prices[k]) for k in range(k_max)]
    # all-units: one bracket prices the whole quantity
    k_max = sum(1 for s in starts if s <= big_m)
    if k_max <= 1:
        return [(x, prices[0])]
    r, h = [], []
    for k in range(k_max):
        high = min(starts[k + 1], big_m) if k + 1 < len(starts) else big_m
        rk = b.var(f"bracket_{tag}_k{k}", 0.0, high)
        hk = b.var(f"bracket_on_{tag}_k{k}", binary=True)
        b.row(f"bracket_high_{tag}_k{k}", [(rk, 1.0), (hk, -high)], "<=", 0.0)
        if starts[k] > 0:
            b.row(f"bracket_low_{tag}_k{k}", [(rk, 1.0), (hk, -starts[k])], ">=", 0.0)
        r.append(rk)
        h.append(hk)
    if z is None:
        b.row(f"price_bracket_{tag}", [(hk, 1.0) for hk in h], "<=", 1.0)
    else:
        b.row(f"price_bracket_{tag}", [(hk, 1.0) for hk in h] + [(z, -1.0)], "<=", 0.0)
    b.row(f"price_segments_{tag}", [(x, 1.0)] + [(rk, -1.0) for rk in r], "==", 0.0)
    return [(r[k], prices[k]) for k in range(k_max)]


def _switching(
    b: _Builder,
    p: Part,
    offers: list[Offer],
    buy: dict[tuple[str, str, int], pulp.LpVariable],
    years: tuple[int, ...],
) -> None:
    """``switch_up`` / ``switch_down`` rows of one part (module docstring)."""
    share = float(p.max_change_share)  # type: ignore[arg-type]
    for o in offers:
        tag0 = f"{name_token(o.supplier)}_{name_token(p.id)}"
        for t, y in enumerate(years):
            d = p.demand_units[t]
            if d <= 0:
                continue
            now = buy.get((p.id, o.supplier, y))
            if t == 0:
                if o.previous_year_units is None:
                    continue
                before: pulp.LpVariable | None = None
                before_units = o.previous_year_units
            else:
                if p.demand_units[t - 1] <= 0:
                    continue
                before = buy.get((p.id, o.supplier, years[t - 1]))
                before_units = 0.0
            if now is None and before is None and before_units == 0:
                continue
            up: Pairs = ([(now, 1.0)] if now is not None else []) + (
                [(before, -1.0)] if before is not None else []
            )
            down: Pairs = [(v, -c) for v, c in up]
            limit = share * d
            for direction, pairs, rhs in (
                ("up", up, limit + before_units),
                ("down", down, limit - before_units),
            ):
                b.require(
                    f"switch_{direction}_{tag0}_y{y}",
                    pairs,
                    "<=",
                    rhs,
                    "switching",
                    scale=d,
                    part=p.id,
                    supplier=o.supplier,
                    year=y,
                )


# --------------------------------------------------------------------------- solving


def optimize_allocation(
    data: AllocationData,
    solver_options: SolverOptions | None = None,
    *,
    fixed_units: Mapping[tuple[str, str, int], float] | None = None,
    fixed_incentives: Mapping[str, str] | None = None,
    fixed_programs: Mapping[str, float] | None = None,
) -> AllocationResult:
    """Build and solve the allocation of ``data``; the cheapest plan, or an honest failure.

    Returns an :class:`AllocationResult` when the solve is optimal or stopped early with
    an incumbent ("feasible", with its gap). Raises :class:`SolverError` otherwise; an
    infeasible model is explained (``SolverError.diagnosis``, one sentence per
    conflicting requirement, see :func:`diagnose_infeasibility`).

    ``fixed_units`` prices a given plan instead: every purchase is fixed to its units per
    (part, supplier, year) (0 when not listed) and only the other variables are
    optimised; a plan that breaks a bound or a hard requirement raises
    :class:`SolverError` ("infeasible", without a diagnosis). ``fixed_incentives`` (option
    per menu supplier) and ``fixed_programs`` (share per funded program; the other programs
    with options are not funded) fix those choices likewise (:func:`fix_choices`).
    """
    started = time.perf_counter()
    prob, v = build(data)
    if fixed_units is not None:
        fix_units(v.buy, fixed_units)  # raises when the plan breaks a bound
    fix_choices(v, data, fixed_incentives, fixed_programs)
    built = time.perf_counter()
    size = model_size(prob)
    try:
        report = solve_with(prob, solver_options)
    except SolverError as exc:
        if exc.outcome not in ("infeasible", "infeasible or unbounded"):
            raise
        if fixed_units is not None:
            raise SolverError(
                f"the fixed plan breaks a hard requirement of {data.name!r} (model written "
                f"to {exc.lp_path})",
                status=exc.status,
                outcome="infeasible",
                lp_path=exc.lp_path,
            ) from None
        # every variable is bounded, so the model cannot be unbounded: it is infeasible
        try:
            from keiretsu.optimize.diagnosis import diagnose_infeasibility  # (a cycle)

            lines = diagnose_infeasibility(data, solver_options)
        except SolverError as again:
            lines = [f"(the infeasibility could not be explained: {again.outcome or again})"]
        raise SolverError(
            f"allocation {data.name!r} is infeasible: no plan meets every requirement "
            f"(model written to {exc.lp_path})",
            status=exc.status,
            outcome="infeasible",
            diagnosis=lines,
            lp_path=exc.lp_path,
        ) from None
    return _result(data, v, report, built - started, size)


def fix_choices(
    v: AllocationVariables,
    data: AllocationData,
    incentives: Mapping[str, str] | None = None,
    programs: Mapping[str, float] | None = None,
) -> None:
    """Fix the incentive option of the suppliers in ``incentives`` and, when ``programs``
    is given, which programs are funded at which share (every other program with options
    unfunded). Raises ValueError for an option or share that is not on the menu."""
    for sup, name in (incentives or {}).items():
        keys = [k for k in v.incentives.choice if k[0] == sup]
        if not keys:
            raise ValueError(f"supplier {sup!r} has no incentive menu")
        if (sup, name) not in v.incentives.choice:
            names = ", ".join(k[1] for k in keys)
            raise ValueError(f"supplier {sup!r} has no incentive option {name!r} ({names})")
        for key in keys:
            c = v.incentives.choice[key]
            c.lowBound = c.upBound = float(key[1] == name)
    if programs is None:
        return
    offered = {p.program: [o.share for o in p.options] for p in data.programs}
    for prog, share in programs.items():
        if prog not in offered:
            raise ValueError(f"program {prog!r} has no options in the model")
        if not any(abs(share - s) <= 1e-12 for s in offered[prog]):
            raise ValueError(f"program {prog!r}: share {share} is not one of {offered[prog]}")
    for (prog, s), f in v.fund.items():
        on = prog in programs and abs(programs[prog] - s) <= 1e-12
        f.lowBound = f.upBound = float(on)


def fix_units(
    buy: Mapping[tuple[str, str, int], pulp.LpVariable],
    units: Mapping[tuple[str, str, int], float],
) -> None:
    """Fix every buy variable to ``units`` (0 when not listed).

    Raises :class:`SolverError` (outcome "infeasible") when a plan buys more than a
    variable's bound allows (demand, capacity, the maximum share: a rule it breaks) or
    buys where the model has no variable (an offer not usable that year).
    """
    tolerance = 1e-9
    for key, amount in units.items():
        if amount > tolerance * max(1.0, amount) and key not in buy:
            raise SolverError(
                f"the fixed plan buys {_num(amount)} of part {key[0]} from {key[1]} in year "
                f"{key[2]}, where the offer cannot be used",
                outcome="infeasible",
            )
    for key, x in buy.items():
        amount = max(float(units.get(key, 0.0)), 0.0)
        bound = x.upBound if x.upBound is not None else math.inf
        if amount > bound * (1 + tolerance) + tolerance:
            raise SolverError(
                f"the fixed plan buys {_num(amount)} of part {key[0]} from {key[1]} in year "
                f"{key[2]}, above the {_num(bound)} its demand, capacity and share limits allow",
                outcome="infeasible",
            )
        amount = min(amount, bound)
        x.lowBound = x.upBound = amount


def _result(
    data: AllocationData,
    v: AllocationVariables,
    report: SolveReport,
    build_time: float,
    size: dict[str, int] | None = None,
) -> AllocationResult:
    parts = {p.id: p for p in data.parts}
    region = {s.id: s.region for s in data.suppliers}
    index = {y: t for t, y in enumerate(data.years)}
    bought: dict[tuple[str, int], float] = defaultdict(float)
    for (i, _s, y), x in v.buy.items():
        bought[(i, y)] += var_units(x)
    rows = []
    shares: dict[str, dict[int, dict[str, float]]] = {}
    for (i, s, y), x in v.buy.items():
        units = var_units(x)
        total = bought[(i, y)]
        demand = parts[i].demand_units[index[y]]
        cost = pairs_value(v.purchase[(i, s, y)])
        share = units / total if total > 0 else 0.0
        rows.append(
            {
                "part": i,
                "supplier": s,
                "region": region[s],
                "year": y,
                "units": units,
                "share": share,
                "share_of_demand": units / demand if demand > 0 else 0.0,
                "purchase_cost": cost,
                "unit_cost": cost / units if units > 0 else math.nan,
            }
        )
        if units > 1e-9 * max(1.0, demand):
            shares.setdefault(i, {}).setdefault(y, {})[s] = share
    allocation = pd.DataFrame(
        rows,
        columns=[
            "part",
            "supplier",
            "region",
            "year",
            "units",
            "share",
            "share_of_demand",
            "purchase_cost",
            "unit_cost",
        ],
    )
    short_rows = []
    for p in data.parts:
        for t, y in enumerate(data.years):
            d = p.demand_units[t]
            u = v.shortage.get((p.id, y))
            short = var_units(u)
            penalty = p.shortage_penalty_per_unit or 0.0
            short_rows.append(
                {
                    "part": p.id,
                    "year": y,
                    "demand_units": d,
                    "bought_units": bought.get((p.id, y), 0.0),
                    "short_units": short,
                    "penalty_cost": short * penalty,
                }
            )
    commit_rows = []
    taken: dict[tuple[str, int], float] = defaultdict(float)
    for (_i, s, y), x in v.buy.items():
        taken[(s, y)] += var_units(x)
    for s in data.suppliers:
        for t, y in enumerate(data.years):
            committed = s.committed_units[t] if s.committed_units else 0.0
            if committed <= 0:
                continue
            gap = var_units(v.shortfall.get((s.id, y)))
            commit_rows.append(
                {
                    "supplier": s.id,
                    "year": y,
                    "committed_units": committed,
                    "taken_units": taken.get((s.id, y), 0.0),
                    "shortfall_units": gap,
                    "take_or_pay_cost": gap * (s.take_or_pay_cost_per_unit or 0.0),
                }
            )
    commitments = pd.DataFrame(
        commit_rows,
        columns=[
            "supplier",
            "year",
            "committed_units",
            "taken_units",
            "shortfall_units",
            "take_or_pay_cost",
        ],
    )
    chosen, incentive_costs, funded, program_choices = choices_of(data, v)
    return AllocationResult(
        outcome=report.outcome,
        objective=report.objective,
        best_bound=report.best_bound,
        gap=report.gap,
        stopped_by=report.stopped_by,
        cost={t: pairs_value(v.cost_terms[t]) for t in COST_TERMS},
        allocation=allocation,
        shortage=pd.DataFrame(short_rows),
        commitments=commitments,
        shares=shares,
        build_time_s=build_time,
        solve_time_s=report.time_s,
        solver=report.solver,
        model_size=dict(size or {}),
        incentives=chosen,
        programs=funded,
        incentive_costs=incentive_costs,
        program_choices=program_choices,
        method=report.method,
    )


def _on(var: pulp.LpVariable | None) -> bool:
    return var is not None and var.varValue is not None and var.varValue > 0.5


def choices_of(
    data: AllocationData, v: AllocationVariables
) -> tuple[dict[str, str], pd.DataFrame | None, dict[str, float], pd.DataFrame | None]:
    """The solved incentive and program choices and their tables (see
    :class:`AllocationResult`)."""
    chosen: dict[str, str] = {}
    rows = []
    inc = v.incentives
    for m in data.incentives:
        for o in m.options:
            on = _on(inc.choice.get((m.supplier, o.name)))
            if on:
                chosen[m.supplier] = o.name
            for y in data.years:
                vol = pairs_value(inc.volume.get((m.supplier, o.name, y), []))
                short = inc.shortfall.get((m.supplier, o.name, y), [])
                row = {
                    "supplier": m.supplier,
                    "option": o.name,
                    "chosen": on,
                    "year": y,
                    "volume_units": vol,
                    "rebate": -pairs_value(inc.rebate.get((m.supplier, o.name, y), [])),
                    "take_or_pay_shortfall_units": var_units(short[0][0]) if short else 0.0,
                    "take_or_pay": pairs_value(short),
                    **{
                        comp: pairs_value(inc.component.get((m.supplier, o.name, comp, y), []))
                        for comp in incentives.COMPONENTS
                    },
                }
                rows.append(row)
    incentive_costs = pd.DataFrame(rows) if rows else None
    funded: dict[str, float] = {}
    prog_rows = []
    for p in data.programs:
        for o in p.options:
            on = _on(v.fund.get((p.program, o.share)))
            if on:
                funded[p.program] = o.share
            prog_rows.append(
                {
                    "program": p.program,
                    "buyer_cost_share": o.share,
                    "chosen": on,
                    "buyer_npv": o.buyer_npv,
                    "supplier_npv": o.supplier_npv,
                    "buyer_reservation_npv": p.buyer_reservation_npv,
                    "supplier_reservation_npv": p.supplier_reservation_npv,
                    "supplier_signs": o.supplier_npv >= p.supplier_reservation_npv,
                    **{
                        f"buyer_capex_y{y}": o.buyer_capex_by_year[t]
                        for t, y in enumerate(data.years)
                    },
                }
            )
    program_choices = pd.DataFrame(prog_rows) if prog_rows else None
    return chosen, incentive_costs, funded, program_choices


# --------------------------------------------------------------------------- numbers in messages


def _num(value: float) -> str:
    """1200000 -> '1,200,000'; 12.5 -> '12.5'."""
    if abs(value - round(value)) <= 1e-6 * max(1.0, abs(value)):
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _pct(value: float) -> str:
    text = f"{100 * value:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"
