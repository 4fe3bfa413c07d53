r"""Incentive structures: one contract per supplier, chosen from a menu, inside the allocation.

Plain data in (an :class:`IncentiveMenu` per supplier; ``keiretsu.experiments`` derives each
option's numbers from the same contract model the simulator runs); the variables and rows
below are added by the allocation builder (:func:`keiretsu.optimize.allocation.build`), so the
deterministic model and the first stage of the risk model both carry them.

Data (per menu supplier ``s`` and option ``j`` in ``J(s)``; offers ``(i, s)``; years ``y``)
----------------------------------------------------------------------------------------
* ``a^c[i,s,y,j]``: money per unit bought of component ``c`` (:data:`UNIT_COMPONENTS`):
  ``gain_share`` (minus the buyer's share of the supplier's expected cost reduction),
  ``administration`` (rebidding overhead), ``performance`` (expected bonus minus penalty,
  the part proportional to spend), ``reliability`` (the cost of the expected late and
  defective units), ``indexation`` (minus the share of the expected commodity price move
  the contract shelters the buyer from);
* ``F^c[y,j]``: money a year of component ``c`` (:data:`FIXED_COMPONENTS`: the capacity
  reservation fee, the fixed part of bonus and penalty);
* a volume rebate on the supplier's annual volume over its parts: thresholds
  ``T_0 < T_1 < ...`` and per-unit rates ``r[y,k]`` (non-decreasing in k), all-units (the
  whole volume earns the rate of the highest tier reached) or incremental (each rate on the
  units inside its tier), as in :func:`keiretsu.econ.settlement.tiered_rebate`;
* take-or-pay: at least ``m_j`` units a year, ``tp_j`` per unit short;
* ``ppm[i,s,y,j]``: the expected defect rate under the option (it replaces the offer's
  in the allocation's quality rows).

Decisions
---------
``c[s,j]`` binary (option j chosen); ``w[i,s,y,j] >= 0`` the units of offer (i, s) bought
in year y under option j; the rebate's segment quantities and binaries; ``v[s,j,y] >= 0``
the take-or-pay shortfall.

Rows (names: ``<meaning>_<SUPPLIER>_<OPTION>_<PART>_y<YEAR>`` and the like)
-------------------------------------------------------------------------
* ``incentive_choice_<s>``:           sum_j c[s,j] = 1            (exactly one option)
* ``incentive_units_<s>_<i>_y<y>``:   x[i,s,y] - sum_j w[i,s,y,j] = 0
* ``incentive_open_<s>_<j>_<i>_y<y>``: w[i,s,y,j] - M[i,s,y] c[s,j] <= 0

so ``w[.,j] = x`` for the chosen option and 0 for the others (``M`` is the buy variable's
own bound): every option's terms are linear in its ``w`` and exact, with no big-M on money.
With ``V[s,j,y] = sum_i w[i,s,y,j]`` the supplier's annual volume under option j (zero
unless it is chosen):

* incremental rebate: segments ``q_k in [0, W_k]`` (the widths of ``[0, T_0)``,
  ``[T_0, T_1)``, ... capped at the most the supplier can be bought from), ``sum_k q_k = V``
  (``rebate_segments_...``); the rates increase, so a segment must not fill before the one
  below it is full: binaries ``g_k``, ``q_k <= W_k g_k`` (``rebate_open_...``),
  ``q_{k-1} >= W_{k-1} g_k`` (``rebate_fill_...``) and ``g_1 <= c`` (``rebate_used_...``);
  rebate ``sum_k r[y,k] q_k`` (segment ``[0, T_0)`` earns 0);
* all-units rebate: brackets ``rho_k``, binaries ``h_k``, ``L_k h_k <= rho_k <= U_k h_k``
  (``rebate_bracket_low/high_...``), ``sum_k h_k <= c`` (``rebate_bracket_...``),
  ``sum_k rho_k = V``; rebate ``sum_k r[y,k] rho_k``;
* ``take_or_pay_<s>_<j>_y<y>``:       v + V - m_j c[s,j] >= 0   (cost ``tp_j v``).

Cost terms (added to the allocation's objective, :data:`COST_TERMS`):
``incentive_<c> = sum a^c w + sum_y F^c[y,j] c[s,j]``, ``incentive_rebate = - rebate``
(negative: money back to the buyer), ``incentive_take_or_pay = sum tp_j v``.

The priority weight an option buys (the share of the supplier's capacity the buyer gets in
a shortage) acts in the risk model: its availability per scenario may depend on the option
(:class:`keiretsu.optimize.risk_data.RiskData` ``option_availability``), and the risk builder
uses ``w`` in place of ``x`` for such offers.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulp

from keiretsu.optimize.solve import Pairs, name_token

UNIT_COMPONENTS = ("gain_share", "administration", "performance", "reliability", "indexation")
"""Per-unit components of an option's effective price."""
FIXED_COMPONENTS = ("reservation_fee", "performance")
"""Components paid a year whatever the volume."""
COMPONENTS = tuple(dict.fromkeys((*UNIT_COMPONENTS, *FIXED_COMPONENTS)))
COST_TERMS = (
    *(f"incentive_{c}" for c in COMPONENTS),
    "incentive_rebate",
    "incentive_take_or_pay",
)
"""The objective terms the incentives add (in this order)."""


@dataclass(frozen=True)
class Rebate:
    """A volume rebate on a supplier's annual volume (over all its parts).

    ``thresholds_units``: where tier k starts (strictly increasing, >= 0);
    ``rates_by_year[y][k]``: money per unit of tier k in year position y (non-decreasing in
    k; a rebate as a share of spend is converted to money per unit by the caller).
    """

    thresholds_units: tuple[float, ...]
    rates_by_year: tuple[tuple[float, ...], ...]
    mode: Literal["all_units", "incremental"] = "all_units"


@dataclass(frozen=True)
class IncentiveOption:
    """One option of a menu (module docstring for the symbols).

    ``unit_costs[component][part]``: money per unit per year position (``a^c``);
    ``fixed_costs[component]``: money per year position (``F^c``); ``defect_ppm[part]``:
    expected defect rate per year position (None: the offer's own); ``rebate``;
    ``min_units_per_year`` / ``shortfall_cost_per_unit``: take-or-pay.
    """

    name: str
    unit_costs: Mapping[str, Mapping[str, tuple[float, ...]]] = field(default_factory=dict)
    fixed_costs: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    defect_ppm: Mapping[str, tuple[float, ...]] | None = None
    rebate: Rebate | None = None
    min_units_per_year: float = 0.0
    shortfall_cost_per_unit: float = 0.0


@dataclass(frozen=True)
class IncentiveMenu:
    """The options of one supplier; exactly one is chosen."""

    supplier: str
    options: tuple[IncentiveOption, ...]


@dataclass
class IncentiveVariables:
    """``choice[(supplier, option)]`` binaries;
    ``units[(part, supplier, year)][option]`` the disaggregated units ``w``;
    ``volume[(supplier, option, year)]`` pairs of ``V``; ``rebate`` / ``shortfall``
    (same keys) and ``component[(supplier, option, component, year)]``: (variable,
    coefficient) pairs in money."""

    choice: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)
    units: dict[tuple[str, str, int], dict[str, pulp.LpVariable]] = field(default_factory=dict)
    volume: dict[tuple[str, str, int], Pairs] = field(default_factory=dict)
    rebate: dict[tuple[str, str, int], Pairs] = field(default_factory=dict)
    shortfall: dict[tuple[str, str, int], Pairs] = field(default_factory=dict)
    component: dict[tuple[str, str, str, int], Pairs] = field(default_factory=dict)


# --------------------------------------------------------------------------- checks


def check(menus: tuple[IncentiveMenu, ...], offers, parts, n_years: int) -> list[str]:
    """Problems of the menus (one string each), given the allocation's offers and parts."""
    problems: list[str] = []
    add = problems.append
    offered: dict[str, set[str]] = defaultdict(set)
    for o in offers:
        offered[o.supplier].add(o.part)
    seen: set[str] = set()
    for m in menus:
        where = f"incentive menu {m.supplier!r}"
        if m.supplier in seen:
            add(f"{where}: given twice")
        seen.add(m.supplier)
        if m.supplier not in offered:
            add(f"{where}: the supplier has no offer")
        if not m.options:
            add(f"{where}: no option")
        names = [o.name for o in m.options]
        if len(set(names)) != len(names):
            add(f"{where}: option names must be unique, got {names}")
        for o in m.options:
            at = f"{where}, option {o.name!r}"
            for comp, by_part in o.unit_costs.items():
                if comp not in UNIT_COMPONENTS:
                    add(f"{at}: unknown per-unit component {comp!r}")
                for part, values in by_part.items():
                    if part not in offered.get(m.supplier, set()):
                        add(f"{at}: {comp} for part {part!r}, which the supplier does not offer")
                    if len(values) != n_years or not all(math.isfinite(v) for v in values):
                        add(f"{at}: {comp} of {part!r} needs {n_years} finite values")
            for comp, values in o.fixed_costs.items():
                if comp not in FIXED_COMPONENTS:
                    add(f"{at}: unknown fixed component {comp!r}")
                if len(values) != n_years or not all(math.isfinite(v) for v in values):
                    add(f"{at}: fixed {comp} needs {n_years} finite values")
            for part, values in (o.defect_ppm or {}).items():
                if len(values) != n_years or not all(0 <= v <= 1e6 for v in values):
                    add(f"{at}: defect_ppm of {part!r} needs {n_years} values in [0, 1e6]")
            r = o.rebate
            if r is not None:
                t = r.thresholds_units
                if not t or t[0] < 0 or any(b <= a for a, b in itertools.pairwise(t)):
                    add(f"{at}: rebate thresholds must be >= 0 and strictly increasing")
                if r.mode not in ("all_units", "incremental"):
                    add(f"{at}: rebate mode must be all_units or incremental")
                if len(r.rates_by_year) != n_years:
                    add(f"{at}: rebate rates need one row per year ({n_years})")
                for rates in r.rates_by_year:
                    if len(rates) != len(t) or any(
                        not (math.isfinite(v) and v >= 0) for v in rates
                    ):
                        add(f"{at}: rebate rates must be >= 0, one per threshold")
                    elif any(b < a for a, b in itertools.pairwise(rates)):
                        add(f"{at}: rebate rates must not decrease from tier to tier")
            for name in ("min_units_per_year", "shortfall_cost_per_unit"):
                value = getattr(o, name)
                if not (math.isfinite(value) and value >= 0):
                    add(f"{at}: {name} must be finite and >= 0")
    return problems


# --------------------------------------------------------------------------- builder


def add_incentives(
    b, data, buy: Mapping[tuple[str, str, int], pulp.LpVariable], terms: dict[str, Pairs]
) -> IncentiveVariables:
    """Add the menus of ``data.incentives`` to the model under construction (module doc).

    ``b``: the allocation builder (its ``var`` and ``row``); ``buy``: the buy variables;
    ``terms``: the objective's (variable, coefficient) pairs per cost term, extended here.
    A menu with one option needs no disaggregation (its ``w`` is ``x``); its choice binary
    is still made (and fixed to 1 by ``incentive_choice``) to carry its fixed costs.
    """
    out = IncentiveVariables()
    years = data.years
    by_supplier: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for key in buy:
        by_supplier[key[1]].append(key)
    for menu in data.incentives:
        s = menu.supplier
        ss = name_token(s)
        keys = by_supplier.get(s, [])
        single = len(menu.options) == 1
        choice = {
            o.name: b.var(f"incentive_{ss}_{name_token(o.name)}", binary=True) for o in menu.options
        }
        for name, c in choice.items():
            out.choice[(s, name)] = c
        b.row(f"incentive_choice_{ss}", [(c, 1.0) for c in choice.values()], "==", 1.0)
        for key in keys:  # the disaggregated units w
            x = buy[key]
            if single:
                out.units[key] = {menu.options[0].name: x}
                continue
            big_m = float(x.upBound) if x.upBound is not None else math.inf
            ws = {}
            for o in menu.options:
                tag = f"{ss}_{name_token(o.name)}_{name_token(key[0])}_y{key[2]}"
                w = b.var(f"units_{tag}", 0.0, big_m)
                ws[o.name] = w
                b.row(f"incentive_open_{tag}", [(w, 1.0), (choice[o.name], -big_m)], "<=", 0.0)
            b.row(
                f"incentive_units_{ss}_{name_token(key[0])}_y{key[2]}",
                [(x, 1.0)] + [(w, -1.0) for w in ws.values()],
                "==",
                0.0,
            )
            out.units[key] = ws
        for o in menu.options:
            c = choice[o.name]
            for comp in COMPONENTS:
                per_unit = o.unit_costs.get(comp, {}) if comp in UNIT_COMPONENTS else {}
                fixed = o.fixed_costs.get(comp) if comp in FIXED_COMPONENTS else None
                for t, y in enumerate(years):
                    pairs: Pairs = []
                    for part, values in per_unit.items():
                        w = out.units.get((part, s, y), {}).get(o.name)
                        if w is not None and values[t] != 0.0:
                            pairs.append((w, float(values[t])))
                    if fixed is not None and fixed[t] != 0.0:
                        pairs.append((c, float(fixed[t])))
                    out.component[(s, o.name, comp, y)] = pairs
                    terms[f"incentive_{comp}"].extend(pairs)
            for t, y in enumerate(years):  # volume per year, rebate and take-or-pay
                mine = [k for k in keys if k[2] == y]
                vol: Pairs = [(out.units[k][o.name], 1.0) for k in mine]
                out.volume[(s, o.name, y)] = vol
                most = sum(float(buy[k].upBound or 0.0) for k in mine)
                tag = f"{ss}_{name_token(o.name)}_y{y}"
                if o.rebate is not None and vol and most > 0:
                    pairs = _rebate_terms(b, o.rebate, t, tag, vol, c, most)
                    out.rebate[(s, o.name, y)] = pairs
                    terms["incentive_rebate"].extend(pairs)
                if o.min_units_per_year > 0 and o.shortfall_cost_per_unit > 0:
                    v = b.var(f"take_or_pay_short_{tag}", 0.0, o.min_units_per_year)
                    b.row(
                        f"take_or_pay_{tag}",
                        [(v, 1.0), *vol, (c, -o.min_units_per_year)],
                        ">=",
                        0.0,
                    )
                    out.shortfall[(s, o.name, y)] = [(v, o.shortfall_cost_per_unit)]
                    terms["incentive_take_or_pay"].append((v, o.shortfall_cost_per_unit))
    return out


def _rebate_terms(
    b,
    rebate: Rebate,
    t: int,
    tag: str,
    volume: Pairs,
    chosen: pulp.LpVariable,
    most: float,
) -> Pairs:
    """The (negative) rebate of one option in one year as (variable, -rate) pairs, with its
    segment (incremental) or bracket (all-units) rows (module docstring)."""
    starts = (
        [0.0, *rebate.thresholds_units]
        if rebate.thresholds_units[0] > 0
        else list(rebate.thresholds_units)
    )
    rates = list(rebate.rates_by_year[t])
    if rebate.thresholds_units[0] > 0:
        rates = [0.0, *rates]
    k_max = (
        sum(1 for s in starts if s < most)
        if rebate.mode == "incremental"
        else sum(1 for s in starts if s <= most)
    )
    starts, rates = starts[:k_max], rates[:k_max]
    if k_max == 0 or max(rates, default=0.0) <= 0:
        return []
    ends = [*starts[1:], most]
    if rebate.mode == "incremental":
        widths = [min(e, most) - s for s, e in zip(starts, ends, strict=True)]
        q = [b.var(f"rebate_seg_{tag}_k{k}", 0.0, widths[k]) for k in range(k_max)]
        b.row(f"rebate_segments_{tag}", [*volume, *[(qk, -1.0) for qk in q]], "==", 0.0)
        if any(rates[k] > rates[k - 1] for k in range(1, k_max)):  # fill in order
            for k in range(1, k_max):
                g = b.var(f"rebate_on_{tag}_k{k}", binary=True)
                b.row(f"rebate_open_{tag}_k{k}", [(q[k], 1.0), (g, -widths[k])], "<=", 0.0)
                b.row(f"rebate_fill_{tag}_k{k}", [(q[k - 1], 1.0), (g, -widths[k - 1])], ">=", 0.0)
                if k == 1:
                    b.row(f"rebate_used_{tag}", [(g, 1.0), (chosen, -1.0)], "<=", 0.0)
        return [(q[k], -rates[k]) for k in range(k_max) if rates[k] != 0.0]
    rho, h = [], []
    for k in range(k_max):
        high = ends[k]
        r = b.var(f"rebate_bracket_{tag}_k{k}", 0.0, high)
        on = b.var(f"rebate_bracket_on_{tag}_k{k}", binary=True)
        b.row(f"rebate_bracket_high_{tag}_k{k}", [(r, 1.0), (on, -high)], "<=", 0.0)
        if starts[k] > 0:
            b.row(f"rebate_bracket_low_{tag}_k{k}", [(r, 1.0), (on, -starts[k])], ">=", 0.0)
        rho.append(r)
        h.append(on)
    b.row(f"rebate_bracket_{tag}", [(on, 1.0) for on in h] + [(chosen, -1.0)], "<=", 0.0)
    b.row(f"rebate_segments_{tag}", [*volume, *[(r, -1.0) for r in rho]], "==", 0.0)
    return [(rho[k], -rates[k]) for k in range(k_max) if rates[k] != 0.0]
