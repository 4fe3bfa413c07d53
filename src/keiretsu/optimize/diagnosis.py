"""Why an allocation model is infeasible, in the data's terms.

The model is rebuilt with a non-negative slack on every requirement (:func:`build` with
``elastic``), the weighted total slack is minimised, and each requirement left with
slack becomes one line naming the part, supplier and year and the numbers that conflict
(for example "part CELL-A in year 2028: demand 1,200,000 exceeds qualified capacity
900,000 (...)"). Used by :func:`keiretsu.optimize.allocation.optimize_allocation` and the
risk model.
"""

from __future__ import annotations

from keiretsu.optimize.allocation import AllocationVariables, Requirement, _limit, _num, _pct, build
from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, Supplier
from keiretsu.optimize.solve import SolverOptions, pairs_value, solve_with, var_units

_GROUP_ORDER = (
    "demand",
    "capacity",
    "shared_capacity",
    "dual_sourcing",
    "min_share",
    "min_volume",
    "max_share",
    "region_share",
    "region_share_total",
    "quality",
    "commitment",
    "switching",
)


def diagnose_infeasibility(
    data: AllocationData, solver_options: SolverOptions | None = None
) -> list[str]:
    """Which requirements conflict, one sentence each, in the data's terms.

    Solves the elastic model (module docstring) and explains every requirement that
    needed slack. An empty list means the allocation is feasible. Raises
    :class:`SolverError` if the elastic model itself cannot be solved.
    """
    prob, v = build(data, elastic=True)
    report = solve_with(prob, solver_options)
    parts = {p.id: p for p in data.parts}
    suppliers = {s.id: s for s in data.suppliers}
    offers = {(o.part, o.supplier): o for o in data.offers}
    index = {y: t for t, y in enumerate(data.years)}
    found = []
    for req in v.requirements.values():
        amount = var_units(req.slack) * req.scale
        if amount <= 1e-6 * max(1.0, req.scale):
            continue
        text = _explain(req, amount, v, parts, suppliers, offers, index, data)
        found.append((_GROUP_ORDER.index(req.group), req.part or "", req.year or 0, text))
    found.sort(key=lambda f: f[:3])
    lines = [f[3] for f in found]
    if report.outcome != "optimal" and lines:
        lines.append("(explained from an incomplete diagnosis solve: the list may not be minimal)")
    return lines


def _qualified_capacity(
    part: Part, t: int, year: int, data: AllocationData, suppliers: dict[str, Supplier]
) -> list[tuple[str, float]]:
    d = part.demand_units[t]
    out = []
    for o in data.offers:
        if o.part != part.id or (o.first_year is not None and year < o.first_year):
            continue
        cap = min(
            d,
            _limit(o.capacity_units_per_year),
            _limit(suppliers[o.supplier].shared_capacity_units_per_year),
        )
        out.append((o.supplier, cap))
    return out


def _explain(
    req: Requirement,
    amount: float,
    v: AllocationVariables,
    parts: dict[str, Part],
    suppliers: dict[str, Supplier],
    offers: dict[tuple[str, str], Offer],
    index: dict[int, int],
    data: AllocationData,
) -> str:
    i, s, y = req.part, req.supplier, req.year
    t = index[y] if y is not None else 0
    x = var_units(v.buy.get((i, s, y))) if i and s else 0.0
    g = req.group
    if g == "demand":
        part = parts[i]
        d = part.demand_units[t]
        caps = _qualified_capacity(part, t, y, data, suppliers)
        total = sum(c for _, c in caps)
        listing = ", ".join(f"{sup} {_num(c)}" for sup, c in caps)
        if not caps:
            return f"part {i} in year {y}: demand {_num(d)} but no qualified supplier offers it"
        if total < d * (1 - 1e-9):
            return (
                f"part {i} in year {y}: demand {_num(d)} exceeds qualified capacity "
                f"{_num(total)} ({listing})"
            )
        return (
            f"part {i} in year {y}: demand {_num(d)} can be met only up to {_num(d - amount)} "
            f"under the other requirements (short by {_num(amount)}; qualified capacity "
            f"{_num(total)}: {listing})"
        )
    if g == "capacity":
        cap = offers[(i, s)].capacity_units_per_year
        return (
            f"supplier {s}, part {i}, year {y}: needs {_num(x)} units but its capacity is "
            f"{_num(cap)} (over by {_num(amount)})"
        )
    if g == "shared_capacity":
        cap = suppliers[s].shared_capacity_units_per_year
        total = sum(var_units(var) for k, var in v.buy.items() if k[1] == s and k[2] == y)
        return (
            f"supplier {s} in year {y}: its parts need {_num(total)} units but its shared "
            f"capacity is {_num(cap)} (over by {_num(amount)})"
        )
    if g == "max_share":
        part = parts[i]
        share = _limit(offers[(i, s)].max_share, part.max_supplier_share)
        d = part.demand_units[t]
        room = sum(
            _limit(o.max_share, part.max_supplier_share, 1.0)
            for o in data.offers
            if o.part == i and (o.first_year is None or y >= o.first_year)
        )
        return (
            f"part {i} in year {y}: supplier {s} would have to carry {_num(x)} units, above "
            f"its maximum share {_pct(share)} of demand ({_num(share * d)}; the maximum "
            f"shares of the usable suppliers add up to {_pct(room)})"
        )
    if g == "min_share":
        part = parts[i]
        d = part.demand_units[t]
        need = part.min_source_share * d
        if part.min_suppliers * part.min_source_share > 1 + 1e-9:
            return (
                f"part {i} in year {y}: {part.min_suppliers} sources with at least "
                f"{_pct(part.min_source_share)} of demand each need "
                f"{_pct(part.min_suppliers * part.min_source_share)} of demand"
            )
        return (
            f"part {i} in year {y}: each source must carry at least {_pct(part.min_source_share)} "
            f"of demand ({_num(need)}) but supplier {s} can get only {_num(need - amount)} "
            "under the other requirements"
        )
    if g == "min_volume":
        m = offers[(i, s)].min_units_per_year
        return (
            f"supplier {s}, part {i}, year {y}: the minimum volume {_num(m)} when used cannot "
            f"be taken (short by {_num(amount)})"
        )
    if g == "dual_sourcing":
        part = parts[i]
        usable = [
            o.supplier
            for o in data.offers
            if o.part == i and (o.first_year is None or y >= o.first_year)
        ]
        return (
            f"part {i} in year {y}: needs {part.min_suppliers} suppliers but only "
            f"{part.min_suppliers - round(amount)} can be used "
            f"(qualified: {', '.join(usable) if usable else 'none'})"
        )
    if g in ("region_share", "region_share_total"):
        r = req.region
        keys = [k for k in v.buy if k[2] == y and (g == "region_share_total" or k[0] == i)]
        spend = data.region_share_basis == "spend"

        def amount_of(k: tuple[str, str, int]) -> float:
            return pairs_value(v.purchase[k]) if spend else var_units(v.buy[k])

        total = sum(amount_of(k) for k in keys)
        here = sum(amount_of(k) for k in keys if suppliers[k[1]].region == r)
        limit = parts[i].max_region_share if g == "region_share" else data.max_region_share
        what = f"part {i}" if g == "region_share" else "all parts"
        basis = "spend" if spend else "volume"
        actual = here / total if total > 0 else 1.0
        return (
            f"{what} in year {y}: at most {_pct(limit)} of {basis} may come from region "
            f"{r}, but {_pct(actual)} has to"
        )
    if g == "quality":
        part = parts[i]
        limit = part.max_defect_ppm
        total = sum(var_units(var) for k, var in v.buy.items() if k[0] == i and k[2] == y)
        excess = amount / total if total > 0 else amount / max(part.demand_units[t], 1.0)
        return (
            f"part {i} in year {y}: average defect rate must be at most {_num(limit)} ppm "
            f"but is {_num(limit + excess)} ppm with the suppliers that can be used"
        )
    if g == "commitment":
        c = suppliers[s].committed_units[t]
        demand = sum(
            parts[o.part].demand_units[t]
            for o in data.offers
            if o.supplier == s and (o.first_year is None or y >= o.first_year)
        )
        return (
            f"supplier {s} in year {y}: committed volume {_num(c)} cannot be taken (short by "
            f"{_num(amount)}; the demand of the parts it can supply is {_num(demand)}; "
            "no take-or-pay cost is given, so the commitment is hard)"
        )
    # switching
    part = parts[i]
    d = part.demand_units[t]
    return (
        f"supplier {s}, part {i}, year {y}: its volume must change by {_num(amount + part.max_change_share * d)} "
        f"units but at most {_pct(part.max_change_share)} of demand ({_num(part.max_change_share * d)}) "
        "may change from one year to the next"
    )
