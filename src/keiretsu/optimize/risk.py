r"""Two-stage stochastic allocation over K disruption scenarios, risk-averse by CVaR.

Plain data in (:class:`~keiretsu.optimize.risk_data.RiskData`: an
:class:`~keiretsu.optimize.allocation_data.AllocationData` plus, per scenario, the share
of each offer's capacity that is available each year),
a PuLP model out (:func:`build`), solved and read back by :func:`optimize_risk`. The
scenarios are prepared by ``keiretsu.experiments`` from the scenario's own disruption
model; this module never sees the simulator.

First stage (decided before the disruptions are known)
------------------------------------------------------
The whole allocation model of :mod:`keiretsu.optimize.allocation`, built by its own
builder (same variables, same named constraints, same cost terms ``F``): units
``x[i,s,y]`` per part, supplier and year, planned shortage ``u[i,y]``, the binaries of
fixed costs, minimum volumes and dual sourcing, tiered prices, commitments, switching.
On top of it, a **capacity reservation** per part with a reservation option (holder
``h(i)``): ``r[i] in [0, R_i]`` units a year, reserved for the whole horizon at a fee
``f_i`` per unit and year, paid in every year the part has demand (``n_i`` years); a
holder that must be qualified (a one-off cost) holds a reservation only if that cost is
paid (``reservation_qualified``: ``r <= R o``). ``first_stage_cost`` defines ``F``.

Second stage (per scenario k, with probability ``pi_k``; equal ``1/K`` by default)
--------------------------------------------------------------------------------
``A[k,i,s,y] in [0, 1]`` is the share of offer (i, s)'s capacity available in year y
(mean over the year's periods of the capacity left; see the caller for how it is drawn).
The allocation is spread evenly over the year, so offer (i, s) delivers ``A x[i,s,y]``
and the disruption takes the **lost allocation** ``L[k,i,y] = sum_s (1 - A) x[i,s,y]``.
This is exact for full stops (capacity either all there or gone: per-period delivery
``min(x/P, a_t c/P)`` sums to ``A min(x, c)``) and conservative for partial losses
(``min(x, a c) >= a x``: a partly hit supplier with spare capacity could deliver more).
Undelivered units are not paid for: they are refunded at the offer's lowest price in
its schedule that year, ``pmin[i,s,y]`` (exact without price breaks; with breaks the
refund is understated, so the scenario cost is an upper bound).

Recourse replaces what the disruption took, never more (``recourse_cover``):

* backup purchases ``b[k,i,s,y] >= 0`` from offers the data names as backup sources, at
  the offer's base price ``p[i,s,y]`` plus a premium, within the capacity the offer has
  left that year: ``A x + b <= A (cap + extra)`` (``backup_room``; ``cap`` is the offer's
  annual capacity, or the part's demand when unlimited; ``extra`` a backup surge), and
  within the supplier's shared capacity ``sum_i (A x + b) <= Abar C`` (``backup_shared``,
  ``Abar`` the supplier's own availability); a backup source that needs qualifying
  (an onboarding or qualification cost) can only be called if that cost is paid
  (``backup_qualified``: ``b <= M o`` with the first stage's binary ``o``), and one that
  takes reallocated volume only in a year the plan gives it a share
  (``backup_in_plan``: ``b <= M z``, ``backup_share``: ``x >= 1e-4 d z``);
* expediting ``e[k,i,s,y] in [0, A E]`` through the offer's premium channel (``E``
  units a year, or the demand when unlimited) at ``p + premium``;
* reservation calls ``c[k,i,y] <= A[k,i,h,y] r[i]`` (``reservation_call``: the reserved
  capacity is there only while its holder is up) at the holder's base price.

    recourse_cover[k,i,y]:   sum_s b + sum_s e + c - sum_s (1 - A) x <= 0

Unserved units ``L - recourse`` cost ``pen_i`` (the part's shortage penalty, or the
data's unserved penalty; every part needs one), on top of the planned shortage ``u``
already in ``F``. Cost variables are kept in units of :func:`cost_scale` (a power of ten)
so that their defining rows stay well conditioned; results are in money. The cost of scenario k
(``scenario_cost[k]`` defines the free variable ``C_k``):

    C_k = F + sum_i n_i f_i r_i
          + sum_{i,s,y} (pen_i - pmin[i,s,y]) (1 - A[k,i,s,y]) x[i,s,y]
          + sum (p + prem_b - pen_i) b + sum (p + prem_e - pen_i) e + sum (p_h - pen_i) c

Objective (Rockafellar & Uryasev 2000, "Optimization of conditional value-at-risk",
J. Risk 2(3)): with ``alpha in [0, 1)`` and weight ``lambda >= 0``,

    min  sum_k pi_k C_k  +  lambda ( eta + 1/(1 - alpha) sum_k pi_k z_k )
    cvar_excess[k]:  z_k >= C_k - eta,   z_k >= 0,   eta free

At the optimum ``eta`` is a value-at-risk (an alpha-quantile of C) and the bracket is
``CVaR_alpha(C)``, the mean of the worst ``1 - alpha`` of the cost distribution
(:func:`cvar` computes it from sorted costs). With one scenario in which every
availability is 1, no recourse is needed and the model is the deterministic allocation
model with objective ``(1 + lambda) F``; the tests check this, the CVaR against the
sorted-tail formula, and a tiny instance against brute-force enumeration.

Every bound variable is bounded, so the model is never unbounded; it is infeasible
exactly when the first stage (the allocation model) is, and then
:func:`~keiretsu.optimize.diagnosis.diagnose_infeasibility` explains it.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pulp

from keiretsu.errors import SolverError
from keiretsu.optimize import benders
from keiretsu.optimize.allocation import AllocationResult, _limit, _result, fix_choices, fix_units
from keiretsu.optimize.allocation import build as build_allocation
from keiretsu.optimize.allocation_data import AllocationData
from keiretsu.optimize.benders import RecourseBlock
from keiretsu.optimize.diagnosis import diagnose_infeasibility
from keiretsu.optimize.risk_data import RiskData, check
from keiretsu.optimize.solve import (
    BENDERS_MIN_GAP,
    Pairs,
    SolverOptions,
    gc_paused,
    model_size,
    name_token,
    pairs_value,
    solve_with,
    var_units,
)

SHARE_FLOOR = 1e-4
"""Least share of demand that counts as "in the plan" for a backup that needs a share."""

SECOND_STAGE_TERMS = ("refund", "backup", "expedite", "reservation_calls", "unserved_penalty")
"""The expected second-stage cost terms reported by :attr:`RiskResult.second_stage`."""


@dataclass(frozen=True, eq=False)
class RiskResult:
    """A solved two-stage model.

    ``first_stage``: the allocation (frames, shares, first-stage cost terms ``cost`` and
    their total ``objective``). ``reservations``: reserved units a year per part (positive
    only); ``reservation_fee``: their fees over the horizon. ``scenario_costs``: C_k;
    ``expected_cost`` = sum pi_k C_k; ``cvar`` and ``value_at_risk`` at ``alpha``
    (from the sorted scenario costs, :func:`cvar`); ``objective`` = expected cost +
    ``cvar_weight`` x CVaR as the solver reports it (``gap`` to its best bound).
    ``second_stage``: expected value of each of :data:`SECOND_STAGE_TERMS` (``refund``
    is negative). ``recourse``: per scenario, part and year: lost_allocation_units,
    backup_units, expedite_units, reservation_units, unserved_units.
    """

    outcome: str
    objective: float
    best_bound: float | None
    gap: float | None
    stopped_by: str
    first_stage: AllocationResult
    reservations: dict[str, float]
    reservation_fee: float
    scenario_costs: np.ndarray
    probabilities: np.ndarray
    expected_cost: float
    cvar: float
    value_at_risk: float
    alpha: float
    cvar_weight: float
    second_stage: dict[str, float]
    recourse: pd.DataFrame
    build_time_s: float
    solve_time_s: float
    solver: str
    model_size: dict[str, int]
    method: str = "one model"


@dataclass(frozen=True)
class RiskVariables:
    """The model's variables: the allocation's (``first``) and the second stage's.

    ``reserve[part]``; ``backup[(k, part, supplier, year)]``, ``expedite[...]`` (same keys),
    ``call[(k, part, year)]``; ``cost[k]`` (C_k), ``eta``, ``excess[k]`` (None / empty when
    ``cvar_weight`` is 0), all three in units of ``scale`` (money); ``second_stage[term][k]``
    (variable, coefficient) pairs in money. Decomposed (``build(decompose=True)``):
    ``blocks[k]`` holds scenario k's recourse rows and cost, ``recourse_cost[k]`` its theta.
    """

    first: object
    reserve: dict[str, pulp.LpVariable]
    backup: dict[tuple[int, str, str, int], pulp.LpVariable]
    expedite: dict[tuple[int, str, str, int], pulp.LpVariable]
    call: dict[tuple[int, str, int], pulp.LpVariable]
    cost: list[pulp.LpVariable]
    eta: pulp.LpVariable | None
    excess: list[pulp.LpVariable]
    second_stage: dict[str, list[Pairs]]
    fee_pairs: Pairs
    lost: dict[tuple[int, str, int], Pairs]
    scale: float = 1.0
    blocks: list[RecourseBlock] = dataclasses.field(default_factory=list)
    recourse_cost: list[pulp.LpVariable] = dataclasses.field(default_factory=list)


# --------------------------------------------------------------------------- CVaR


def cvar(
    costs: np.ndarray, alpha: float, probabilities: np.ndarray | None = None
) -> tuple[float, float]:
    """(CVaR_alpha, VaR_alpha) of a discrete cost distribution, from its sorted tail.

    CVaR is the probability-weighted mean of the worst ``1 - alpha`` of the mass (the
    atom at the boundary counted in part); VaR the smallest cost whose upper tail mass
    is at most ``1 - alpha``. ``alpha = 0`` gives the mean.
    """
    c = np.asarray(costs, dtype=float).ravel()
    if c.size == 0:
        raise ValueError("cvar needs at least one cost")
    if not 0.0 <= alpha < 1.0:
        raise ValueError(f"alpha must be in [0, 1), got {alpha}")
    p = np.full(c.size, 1.0 / c.size) if probabilities is None else np.asarray(probabilities, float)
    if p.shape != c.shape or np.any(p < 0) or abs(p.sum() - 1.0) > 1e-9:
        raise ValueError("probabilities must be non-negative, one per cost, summing to 1")
    order = np.argsort(-c, kind="stable")
    c, p = c[order], p[order]
    tail = 1.0 - alpha
    above = np.concatenate([[0.0], np.cumsum(p)[:-1]])  # mass of the costs above each one
    take = np.clip(tail - above, 0.0, p)
    value = float(np.dot(take, c) / tail)
    # VaR: the alpha-quantile, the smallest cost c with P(C <= c) >= alpha
    at_most = 1.0 - above  # P(C <= c_j) (descending order; ties share the larger value)
    var = float(c[np.flatnonzero(at_most >= alpha - 1e-12)[-1]])
    return value, var


# --------------------------------------------------------------------------- checks


def _price_at(offer, t: int, trend: float) -> tuple[float, float]:
    """(base price, lowest price of the schedule) of an offer in year position ``t``."""
    factor = (1.0 + trend) ** t
    prices = [offer.unit_price] + [b.unit_price for b in offer.price_breaks]
    return offer.unit_price * factor, min(prices) * factor


def cost_scale(data: AllocationData) -> float:
    """The money unit of the model's cost variables: a power of ten near 1e-4 of the
    cost of buying all demand at the dearest prices (1 for small instances)."""
    prices: dict[str, float] = defaultdict(float)
    for o in data.offers:
        prices[o.part] = max(prices[o.part], o.unit_price, *(b.unit_price for b in o.price_breaks))
    total = sum(prices[p.id] * sum(p.demand_units) for p in data.parts)
    if not (math.isfinite(total) and total > 1e5):
        return 1.0
    return float(10 ** math.floor(math.log10(total) - 4))


@gc_paused
def build(data: RiskData, *, decompose: bool = False) -> tuple[pulp.LpProblem, RiskVariables]:
    """The two-stage model of ``data`` (module docstring) and its variables.

    ``decompose``: the same model split for :mod:`keiretsu.optimize.benders`: the PuLP
    problem is the master (the first stage, the scenario costs and the CVaR rows), each
    scenario's recourse rows are kept apart as a :class:`RecourseBlock`, and the scenario
    cost rows carry ``recourse_cost_value_k`` (theta_k, its recourse cost) in their place.
    """
    check(data)
    alloc = data.allocation
    prob, first = build_allocation(alloc)
    prob.name = name_token(alloc.name) + "_risk"
    names: set[str] = {v.name for v in prob.variables()} | {c.name for c in prob.constraints()}

    def var(name: str, low: float | None = 0.0, up: float | None = None) -> pulp.LpVariable:
        if name in names:
            raise ValueError(f"two model items would be named {name!r}: rename an id")
        names.add(name)
        return prob.add_variable(name, lowBound=low, upBound=up)

    def row(name: str, pairs: Pairs, sense: str, rhs: float) -> None:
        if name in names:
            raise ValueError(f"two model rows would be named {name!r}: rename an id")
        names.add(name)
        expr = pulp.lpSum_vars_coefs(pairs)
        prob.addConstraint(
            (expr <= rhs) if sense == "<=" else (expr >= rhs) if sense == ">=" else (expr == rhs),
            name,
        )

    years = alloc.years
    parts = {p.id: p for p in alloc.parts}
    suppliers = {s.id: s for s in alloc.suppliers}
    offer_pos = {(o.part, o.supplier): j for j, o in enumerate(alloc.offers)}
    sup_pos = {s.id: j for j, s in enumerate(alloc.suppliers)}
    offers = {(o.part, o.supplier): o for o in alloc.offers}
    A = np.asarray(data.availability, dtype=float)
    Abar = (
        np.ones((A.shape[0], len(years), len(alloc.suppliers)))
        if data.supplier_availability is None
        else np.asarray(data.supplier_availability, dtype=float)
    )
    pi = data.weights()
    K = A.shape[0]
    recourse = {(r.part, r.supplier): r for r in data.recourse}
    buy = first.buy

    # first-stage cost F, defined once and used in every scenario's cost row; cost
    # variables are in units of `scale` so that their defining rows stay well conditioned
    scale = cost_scale(alloc)
    first_cost = var("first_stage_cost_value", None, None)
    row(
        "first_stage_cost",
        [
            (first_cost, 1.0),
            *[(v, -c / scale) for term in first.cost_terms.values() for v, c in term],
        ],
        "==",
        0.0,
    )

    # ---- reservations (first stage)
    reserve: dict[str, pulp.LpVariable] = {}
    fee_pairs: Pairs = []
    for r in data.reservations:
        p = parts[r.part]
        n_years = sum(1 for d in p.demand_units if d > 0)
        links = _qualification_links(first, offers[(r.part, r.supplier)], suppliers)
        if n_years == 0 or links is None:
            continue
        cap = min(_limit(r.max_units_per_year), max(p.demand_units))
        tag = f"{name_token(r.supplier)}_{name_token(r.part)}"
        v = var(f"reserve_{tag}", 0.0, cap)
        reserve[r.part] = v
        fee_pairs.append((v, r.fee_per_unit * n_years))
        for j, z in enumerate(links):
            row(f"reservation_qualified_{tag}_{j}", [(v, 1.0), (z, -cap)], "<=", 0.0)
    holder = {r.part: r.supplier for r in data.reservations if r.part in reserve}

    backup: dict[tuple[int, str, str, int], pulp.LpVariable] = {}
    expedite: dict[tuple[int, str, str, int], pulp.LpVariable] = {}
    call: dict[tuple[int, str, int], pulp.LpVariable] = {}
    lost: dict[tuple[int, str, int], Pairs] = {}
    blocks: list[RecourseBlock] = []
    thetas: list[pulp.LpVariable] = []
    recourse_ids: set[int] = set()  # id() of this scenario's recourse variables

    def recourse_var(name: str, up: float) -> pulp.LpVariable:
        v = var(name, 0.0, up)
        recourse_ids.add(id(v))
        return v

    def recourse_row(name: str, pairs: Pairs, rhs: float) -> None:
        """A recourse row ``pairs <= rhs``: in the model, or in the scenario's block."""
        if decompose:
            blocks[-1].rows.append((pairs, rhs))
        else:
            row(name, pairs, "<=", rhs)

    terms: dict[str, list[Pairs]] = {t: [[] for _ in range(K)] for t in SECOND_STAGE_TERMS}
    costs: list[pulp.LpVariable] = []

    offers_of: dict[str, list] = defaultdict(list)
    for o in alloc.offers:
        offers_of[o.part].append(o)
    buys_at: dict[tuple[str, int], list[tuple[str, str, int]]] = defaultdict(list)
    for key in buy:
        buys_at[(key[1], key[2])].append(key)
    in_plan_vars: dict[tuple[str, str, int], pulp.LpVariable] = {}

    def in_plan(part: str, sup: str, y: int, x: pulp.LpVariable, d: float) -> pulp.LpVariable:
        """A binary that is 1 only if the plan gives the offer a share in year y: the
        allocation's own used binary, or a new one; either way ``x >= SHARE_FLOOR d z``
        (``backup_share``) so that 1 means a share the written plan keeps."""
        key = (part, sup, y)
        if key not in in_plan_vars:
            z = first.used.get(key)
            tag = f"{name_token(sup)}_{name_token(part)}_y{y}"
            if z is None:
                names.add(f"share_on_{tag}")
                z = prob.add_variable(f"share_on_{tag}", cat=pulp.LpBinary)
            row(f"backup_share_{tag}", [(x, 1.0), (z, -SHARE_FLOOR * d)], ">=", 0.0)
            in_plan_vars[key] = z
        return in_plan_vars[key]

    option_A = {
        key: np.asarray(a, dtype=float) for key, a in (data.option_availability or {}).items()
    }
    units_of = first.incentives.units

    A_k: list[list[float]] = []  # A[k] as lists (scenario k's availability, fast to index)

    def deliver(k: int, t: int, key: tuple[str, str, int]) -> tuple[Pairs, float, float]:
        """What the plan's units of an offer deliver in scenario k, year t: (variable, share
        available) pairs, and the least and largest share. Under an incentive menu whose
        options change the availability (priority in a shortage), each option's
        disaggregated units ``w`` carry that option's share."""
        pos = offer_pos[key[:2]]
        a = A_k[t][pos]
        x = buy.get(key)
        ws = units_of.get(key)
        if ws is None or not any((key[1], name) in option_A for name in ws):
            return ([] if x is None else [(x, a)]), a, a
        pairs = [
            (w, float(option_A[(key[1], name)][k, t, pos]) if (key[1], name) in option_A else a)
            for name, w in ws.items()
        ]
        shares = [c for _, c in pairs]
        return pairs, min(shares), max(shares)

    def option_pairs(k: int, t: int, key: tuple[str, str, int], scale: float) -> Pairs:
        """``scale x A_j`` on each option's choice binary (the right-hand side A x room of a
        row whose availability depends on the option chosen)."""
        pos = offer_pos[key[:2]]
        out: Pairs = []
        for name in units_of[key]:
            a = option_A.get((key[1], name), A)[k, t, pos]
            out.append((first.incentives.choice[(key[1], name)], scale * float(a)))
        return out

    # what is the same in every scenario, per part-year with demand: each offer's key,
    # variable, upper bound, prices, recourse terms and qualification links
    part_years = []
    for p in alloc.parts:
        ps = name_token(p.id)
        pen = float(data.penalty(p))  # type: ignore[arg-type]
        h = holder.get(p.id)
        for t, y in enumerate(years):
            d = p.demand_units[t]
            if d <= 0:
                continue
            entries = []
            for o in offers_of[p.id]:
                key = (p.id, o.supplier, y)
                x = buy.get(key)
                rec = recourse.get((p.id, o.supplier))
                links = None if rec is None else _qualification_links(first, o, suppliers)
                base, lowest = _price_at(o, t, suppliers[o.supplier].annual_price_trend)
                entries.append(
                    (o, key, x, _bound(x), base, lowest, rec, links, name_token(o.supplier))
                )
            base_h = (
                None
                if h is None
                else _price_at(offers[(p.id, h)], t, suppliers[h].annual_price_trend)[0]
            )
            part_years.append((p, ps, pen, t, y, d, entries, h, base_h))

    for k in range(K):
        tag_k = f"k{k}"
        A_k = A[k].tolist()
        shared_rows: dict[tuple[str, int], Pairs] = defaultdict(list)
        blocks.append(RecourseBlock(rows=[], cost=[]))
        recourse_ids.clear()
        for p, ps, pen, t, y, d, entries, h, base_h in part_years:
            loss: Pairs = []
            cover: Pairs = []
            deliveries = [deliver(k, t, e[1]) for e in entries]
            # the most a disruption can take: recourse never needs more (tight big-Ms),
            # and where nothing can be lost no recourse variable is made
            most_lost = sum((1.0 - dl[1]) * e[3] for dl, e in zip(deliveries, entries, strict=True))
            for (o, key, x, _, base, lowest, rec, links, ss), dl in zip(
                entries, deliveries, strict=True
            ):
                delivered, a_low, a_high = dl
                if x is not None:
                    for v, a in delivered:
                        if a < 1.0:
                            loss.append((v, 1.0 - a))
                            terms["refund"][k].append((v, -lowest * (1.0 - a)))
                            terms["unserved_penalty"][k].append((v, pen * (1.0 - a)))
                if rec is None or a_high <= 0.0 or most_lost <= 1e-9 * max(d, 1.0):
                    continue
                tag = f"{tag_k}_{ss}_{ps}_y{y}"
                if links is None:  # it must be qualified, and the model cannot say it is
                    continue
                varies = a_low != a_high
                if rec.backup_premium_per_unit is not None and x is not None:
                    cap = _limit(o.capacity_units_per_year)
                    room_cap = (d if math.isinf(cap) else cap) + rec.backup_extra_units_per_year
                    big_m = min(a_high * room_cap, most_lost)
                    b = recourse_var(f"backup_{tag}", big_m)
                    backup[(k, p.id, o.supplier, y)] = b
                    if varies:  # A x + b <= A room, A the chosen option's availability
                        recourse_row(
                            f"backup_room_{tag}",
                            [*delivered, (b, 1.0), *option_pairs(k, t, key, -room_cap)],
                            0.0,
                        )
                    else:
                        recourse_row(
                            f"backup_room_{tag}", [*delivered, (b, 1.0)], a_high * room_cap
                        )
                    shared_rows[(o.supplier, y)] += [*delivered, (b, 1.0)]
                    for j, z in enumerate(links):
                        recourse_row(f"backup_qualified_{tag}_{j}", [(b, 1.0), (z, -big_m)], 0.0)
                    if rec.backup_needs_share:
                        z = in_plan(p.id, o.supplier, y, x, d)
                        recourse_row(f"backup_in_plan_{tag}", [(b, 1.0), (z, -big_m)], 0.0)
                    cover.append((b, 1.0))
                    terms["backup"][k].append((b, base + rec.backup_premium_per_unit))
                    terms["unserved_penalty"][k].append((b, -pen))
                usable = o.first_year is None or y >= o.first_year
                if rec.expedite_premium_per_unit is not None and usable:
                    cap_e = rec.expedite_units_per_year
                    room_e = d if cap_e is None else min(cap_e, d)
                    up = min(a_high * room_e, most_lost)
                    if up > 0:
                        e = recourse_var(f"expedite_{tag}", up)
                        expedite[(k, p.id, o.supplier, y)] = e
                        if varies:
                            recourse_row(
                                f"expedite_room_{tag}",
                                [(e, 1.0), *option_pairs(k, t, key, -room_e)],
                                0.0,
                            )
                        for j, z in enumerate(links):
                            recourse_row(f"expedite_qualified_{tag}_{j}", [(e, 1.0), (z, -up)], 0.0)
                        cover.append((e, 1.0))
                        terms["expedite"][k].append((e, base + rec.expedite_premium_per_unit))
                        terms["unserved_penalty"][k].append((e, -pen))
            if h is not None and most_lost > 1e-9 * max(d, 1.0):
                # the holder's availability; under a menu, the least any option gives
                a_h = deliver(k, t, (p.id, h, y))[1]
                if a_h > 0:
                    c = recourse_var(f"call_{tag_k}_{ps}_y{y}", min(d, most_lost))
                    call[(k, p.id, y)] = c
                    recourse_row(
                        f"reservation_call_{tag_k}_{ps}_y{y}",
                        [(c, 1.0), (reserve[p.id], -a_h)],
                        0.0,
                    )
                    cover.append((c, 1.0))
                    terms["reservation_calls"][k].append((c, base_h))
                    terms["unserved_penalty"][k].append((c, -pen))
            lost[(k, p.id, y)] = loss
            if cover:
                recourse_row(
                    f"recourse_cover_{tag_k}_{ps}_y{y}",
                    [*cover, *[(x, -c) for x, c in loss]],
                    0.0,
                )
        for (s, y), pairs in shared_rows.items():
            cap = suppliers[s].shared_capacity_units_per_year
            if cap is None:
                continue
            t = years.index(y)
            others = [
                pair
                for key in buys_at[(s, y)]
                if (k, key[0], s, y) not in backup
                for pair in deliver(k, t, key)[0]
            ]
            recourse_row(
                f"backup_shared_{tag_k}_{name_token(s)}_y{y}",
                [*pairs, *others],
                float(Abar[k, t, sup_pos[s]]) * cap,
            )
        c_k = var(f"scenario_cost_value_{tag_k}", None, None)
        costs.append(c_k)
        second = [pc for term in SECOND_STAGE_TERMS for pc in terms[term][k]]
        if decompose:  # the recourse cost is the block's objective, theta_k in this row
            block = blocks[-1]
            block.cost.extend((v, c / scale) for v, c in second if id(v) in recourse_ids)
            second = [(v, c) for v, c in second if id(v) not in recourse_ids]
            least = sum(min(c, 0.0) * _bound(v) for v, c in block.cost if c < 0)
            theta = var(f"recourse_cost_value_{tag_k}", least if math.isfinite(least) else None)
            thetas.append(theta)
        row(
            f"scenario_cost_{tag_k}",
            [
                (c_k, 1.0),
                (first_cost, -1.0),
                *[(v, -c / scale) for v, c in (*fee_pairs, *second)],
                *([(thetas[-1], -1.0)] if decompose else []),
            ],
            "==",
            0.0,
        )

    objective: Pairs = [(costs[k], float(pi[k])) for k in range(K)]
    eta = None
    excess: list[pulp.LpVariable] = []
    lam = float(data.cvar_weight)
    if lam > 0:
        eta = var("cvar_threshold", None, None)
        objective.append((eta, lam))
        for k in range(K):
            z = var(f"cvar_excess_value_k{k}", 0.0, None)
            excess.append(z)
            row(f"cvar_excess_k{k}", [(z, 1.0), (costs[k], -1.0), (eta, 1.0)], ">=", 0.0)
            objective.append((z, lam * float(pi[k]) / (1.0 - data.alpha)))
    prob.setObjective(pulp.lpSum_vars_coefs(objective))
    return prob, RiskVariables(
        first=first,
        reserve=reserve,
        backup=backup,
        expedite=expedite,
        call=call,
        cost=costs,
        eta=eta,
        excess=excess,
        second_stage=terms,
        fee_pairs=fee_pairs,
        lost=lost,
        scale=scale,
        blocks=blocks if decompose else [],
        recourse_cost=thetas,
    )


def _bound(x: pulp.LpVariable | None) -> float:
    """A buy variable's upper bound (0 for an offer not usable that year)."""
    if x is None:
        return 0.0
    return float(x.upBound) if x.upBound is not None else math.inf


def _qualification_links(first, offer, suppliers) -> list[pulp.LpVariable] | None:
    """The first-stage binaries that say an offer's one-off costs (qualification,
    onboarding) are paid: recourse from it is allowed only when they are 1
    (``backup_qualified`` / ``expedite_qualified``). None: the offer must be qualified
    but the model has no such binary (the offer is never used), so no recourse."""
    links = []
    if offer.fixed_cost_once > 0:
        z = first.qualified.get((offer.part, offer.supplier))
        if z is None:
            return None
        links.append(z)
    if suppliers[offer.supplier].fixed_cost_once > 0:
        z = first.supplier_used.get(offer.supplier)
        if z is None:
            return None
        links.append(z)
    return links


# --------------------------------------------------------------------------- solving


@gc_paused
def optimize_risk(
    data: RiskData,
    solver_options: SolverOptions | None = None,
    *,
    fixed_units: Mapping[tuple[str, str, int], float] | None = None,
    fixed_reservations: Mapping[str, float] | None = None,
    fixed_incentives: Mapping[str, str] | None = None,
    fixed_programs: Mapping[str, float] | None = None,
    cuts: benders.CutPool | None = None,
) -> RiskResult:
    """Build and solve the two-stage model of ``data``; honest statuses as in ``solve``.

    ``fixed_units`` / ``fixed_reservations`` fix the first stage (units per (part,
    supplier, year), reserved units a year per part; anything not listed is 0; the
    suppliers and offers with units are the qualified ones) to evaluate a given plan:
    only the recourse is then optimised; ``fixed_incentives`` / ``fixed_programs`` fix the
    incentive options and funded programs (see
    :func:`~keiretsu.optimize.allocation.fix_choices`). ``cuts``: when the model is solved
    by the L-shaped method, the rows of an earlier solve of the same scenarios to start
    from, and where this solve's final rows go (:class:`~keiretsu.optimize.benders.CutPool`;
    the frontier passes one from point to point). Raises
    :class:`SolverError` unless the solve is optimal or stopped early with an incumbent;
    an infeasible (unfixed) model is explained through the allocation's diagnosis.
    """
    started = time.perf_counter()
    options = solver_options or SolverOptions()
    decompose = use_benders(data, options)
    prob, v = build(data, decompose=decompose)
    if fixed_units is not None:
        fix_units(v.first.buy, fixed_units)
        # the plan qualifies the suppliers and offers it buys from, and no others
        buying = {key for key, units in fixed_units.items() if units > 0}
        for sup, z in v.first.supplier_used.items():
            z.lowBound = z.upBound = float(any(k[1] == sup for k in buying))
        for (part, sup), z in v.first.qualified.items():
            z.lowBound = z.upBound = float(any(k[:2] == (part, sup) for k in buying))
    fix_choices(v.first, data.allocation, fixed_incentives, fixed_programs)
    if fixed_reservations is not None:
        for part, r in v.reserve.items():
            amount = min(float(fixed_reservations.get(part, 0.0)), r.upBound or math.inf)
            r.lowBound = r.upBound = max(amount, 0.0)
    built = time.perf_counter()
    size = model_size(prob)
    if decompose:  # the size of the model solved: the master and every scenario's block
        size = size | {key: size[key] + n for key, n in benders.size(v.blocks).items()}
    try:
        if decompose:
            report = benders.solve(prob, v.blocks, _settlement(data, v), options, cuts)
        else:
            report = solve_with(prob, options)
    except SolverError as exc:
        if exc.outcome not in ("infeasible", "infeasible or unbounded"):
            raise
        if fixed_units is not None:
            raise SolverError(
                f"the fixed plan breaks a hard requirement of {data.allocation.name!r} "
                f"(model written to {exc.lp_path})",
                status=exc.status,
                outcome="infeasible",
                lp_path=exc.lp_path,
            ) from None
        try:
            lines = diagnose_infeasibility(data.allocation, solver_options)
        except SolverError as again:
            lines = [f"(the infeasibility could not be explained: {again.outcome or again})"]
        raise SolverError(
            f"risk model of {data.allocation.name!r} is infeasible: no plan meets every "
            f"requirement (model written to {exc.lp_path})",
            status=exc.status,
            outcome="infeasible",
            diagnosis=lines,
            lp_path=exc.lp_path,
        ) from None
    first = _result(data.allocation, v.first, report, built - started, size)
    first_total = float(sum(first.cost.values()))
    first = dataclasses.replace(first, objective=first_total)
    K = data.n_scenarios
    pi = data.weights()
    scenario_costs = np.array([float(c.varValue or 0.0) * v.scale for c in v.cost])
    value, var_ = cvar(scenario_costs, data.alpha, pi)
    second = {
        term: float(sum(pi[k] * pairs_value(v.second_stage[term][k]) for k in range(K)))
        for term in SECOND_STAGE_TERMS
    }
    rows = []
    backed: dict[tuple[int, str, int], float] = defaultdict(float)
    rushed: dict[tuple[int, str, int], float] = defaultdict(float)
    for (k, part, _s, y), x in v.backup.items():
        backed[(k, part, y)] += var_units(x)
    for (k, part, _s, y), x in v.expedite.items():
        rushed[(k, part, y)] += var_units(x)
    for (k, part, y), loss in v.lost.items():
        b, e = backed[(k, part, y)], rushed[(k, part, y)]
        c = var_units(v.call.get((k, part, y)))
        lost_units = pairs_value(loss)
        rows.append(
            {
                "scenario": k,
                "part": part,
                "year": y,
                "lost_allocation_units": lost_units,
                "backup_units": b,
                "expedite_units": e,
                "reservation_units": c,
                "unserved_units": max(lost_units - b - e - c, 0.0),
            }
        )
    return RiskResult(
        outcome=report.outcome,
        objective=report.objective * v.scale,
        best_bound=None if report.best_bound is None else report.best_bound * v.scale,
        gap=report.gap,
        stopped_by=report.stopped_by,
        first_stage=first,
        reservations={p: var_units(r) for p, r in v.reserve.items() if var_units(r) > 1e-9},
        reservation_fee=pairs_value(v.fee_pairs),
        scenario_costs=scenario_costs,
        probabilities=pi,
        expected_cost=float(np.dot(pi, scenario_costs)),
        cvar=value,
        value_at_risk=var_,
        alpha=data.alpha,
        cvar_weight=data.cvar_weight,
        second_stage=second,
        recourse=pd.DataFrame(
            rows,
            columns=[
                "scenario",
                "part",
                "year",
                "lost_allocation_units",
                "backup_units",
                "expedite_units",
                "reservation_units",
                "unserved_units",
            ],
        ),
        build_time_s=built - started,
        solve_time_s=report.time_s,
        solver=report.solver,
        model_size=size,
        method=report.method,
    )


BENDERS_MIN_ROWS = 150_000
"""The extensive-form size (scenario rows, estimated by :func:`scenario_rows`) from which
``decomposition="auto"`` solves by Benders: below it the one model solves in seconds."""


def scenario_rows(data: RiskData) -> int:
    """An estimate of the extensive form's recourse rows: per scenario and part-year with
    demand, one cover row and up to two rows per recourse option of the part."""
    options: dict[str, int] = defaultdict(int)
    for r in data.recourse:
        options[r.part] += (r.backup_premium_per_unit is not None) + (
            r.expedite_premium_per_unit is not None
        )
    for r in data.reservations:
        options[r.part] += 1
    per_scenario = sum(
        sum(1 for d in p.demand_units if d > 0) * (1 + 2 * options[p.id])
        for p in data.allocation.parts
        if options[p.id]
    )
    return data.n_scenarios * per_scenario


def use_benders(data: RiskData, options: SolverOptions) -> bool:
    """Whether ``options`` solve ``data`` by :mod:`~keiretsu.optimize.benders`: when asked
    to, or (``"auto"``) with HiGHS, a gap of at least ``BENDERS_MIN_GAP`` and at least
    :data:`BENDERS_MIN_ROWS` scenario rows."""
    if options.decomposition != "auto":
        return options.decomposition == "benders"
    return (
        options.solver == "highs"
        and (options.gap if options.gap is not None else 1e-4) >= BENDERS_MIN_GAP
        and scenario_rows(data) >= BENDERS_MIN_ROWS
    )


def _settlement(data: RiskData, v: RiskVariables) -> benders.Settlement:
    """How the objective values scenario costs (model units): expected cost plus
    ``cvar_weight`` x CVaR, with eta at the VaR and ``z_k = max(C_k - eta, 0)``."""
    pi = data.weights()
    lam = float(data.cvar_weight)

    def objective(costs: np.ndarray) -> tuple[float, dict[pulp.LpVariable, float]]:
        expected = float(pi @ costs)
        if v.eta is None:
            return expected, {}
        value, at_risk = cvar(costs, data.alpha, pi)
        values = {v.eta: at_risk} | {
            z: max(float(c) - at_risk, 0.0) for z, c in zip(v.excess, costs, strict=True)
        }
        return expected + lam * value, values

    return benders.Settlement(costs=v.cost, thetas=v.recourse_cost, objective=objective)
