"""The risk model's input: the allocation's data plus K disruption scenarios (the share of
each offer's and supplier's capacity available each year, their probabilities), what the
suppliers can do when a source fails (recourse, reservations), the CVaR settings, and
its validation.

``experiments.optimize_input.risk_data`` makes it from a scenario's disruption model;
:mod:`keiretsu.optimize.risk` builds and solves the two-stage model on it. Units as in
:mod:`keiretsu.optimize.allocation_data`; availabilities are shares in [0, 1].
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from keiretsu.optimize.allocation_data import AllocationData
from keiretsu.optimize.allocation_data import check as check_allocation


@dataclass(frozen=True)
class Recourse:
    """What offer (``part``, ``supplier``) can do when another source of the part fails.

    ``backup_premium_per_unit``: it may sell extra units (beyond its allocation, within its
    spare capacity plus ``backup_extra_units_per_year``) at its base price plus this
    premium (None: it is not a backup source); with ``backup_needs_share`` only in a year
    the plan gives it a share (a reallocation goes to the part's suppliers in the plan).
    ``expedite_premium_per_unit``: it has a premium channel (None: none) of
    ``expedite_units_per_year`` a year (None: unlimited).
    """

    part: str
    supplier: str
    backup_premium_per_unit: float | None = None
    backup_extra_units_per_year: float = 0.0
    backup_needs_share: bool = False
    expedite_premium_per_unit: float | None = None
    expedite_units_per_year: float | None = None


@dataclass(frozen=True)
class ReservationOption:
    """Capacity of ``part`` that ``supplier`` will hold for the buyer, at ``fee_per_unit``
    per reserved unit and year (units a year, at most ``max_units_per_year``)."""

    part: str
    supplier: str
    fee_per_unit: float
    max_units_per_year: float | None = None


@dataclass(frozen=True, eq=False)
class RiskData:
    """The allocation data, the scenarios and the risk attitude (module docstring).

    ``availability``: array (K, Y, O): share of offer ``allocation.offers[o]``'s capacity
    available in scenario k and year ``allocation.years[y]``. ``supplier_availability``:
    (K, Y, U) for the suppliers' shared capacities (None: ones). ``probabilities``: (K,)
    summing to 1 (None: equal). ``unserved_penalty_per_unit``: per part, the penalty of a
    unit a disruption leaves unserved (default: the part's shortage penalty; a part whose
    demand must be met in the first stage still needs one here).
    """

    allocation: AllocationData
    availability: np.ndarray
    supplier_availability: np.ndarray | None = None
    probabilities: np.ndarray | None = None
    recourse: tuple[Recourse, ...] = ()
    reservations: tuple[ReservationOption, ...] = ()
    alpha: float = 0.95
    cvar_weight: float = 0.0
    unserved_penalty_per_unit: Mapping[str, float] | None = None
    option_availability: Mapping[tuple[str, str], np.ndarray] | None = None
    """Per (supplier, incentive option): an array like ``availability`` (K, Y, O) whose
    entries for that supplier's offers are the shares available under the option (the
    priority it buys in a shortage); options not listed use ``availability``."""

    def penalty(self, part) -> float | None:
        """Penalty per unit a disruption leaves unserved: ``unserved_penalty_per_unit``'s,
        else the part's shortage penalty."""
        given = (self.unserved_penalty_per_unit or {}).get(part.id)
        return given if given is not None else part.shortage_penalty_per_unit

    @property
    def n_scenarios(self) -> int:
        return int(np.asarray(self.availability).shape[0])

    def weights(self) -> np.ndarray:
        """Scenario probabilities (equal when none are given)."""
        if self.probabilities is None:
            return np.full(self.n_scenarios, 1.0 / self.n_scenarios)
        return np.asarray(self.probabilities, dtype=float)


def check(data: RiskData) -> None:
    """Raise ValueError listing every problem of ``data`` (the allocation's included)."""
    check_allocation(data.allocation)
    problems: list[str] = []
    add = problems.append
    a = np.asarray(data.availability, dtype=float)
    alloc = data.allocation
    n_y, n_o, n_u = len(alloc.years), len(alloc.offers), len(alloc.suppliers)
    if a.ndim != 3 or a.shape[1:] != (n_y, n_o) or a.shape[0] < 1:
        add(f"availability must have shape (K >= 1, {n_y} years, {n_o} offers), got {a.shape}")
    elif not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 1:
        add("availability must be shares in [0, 1]")
    k = a.shape[0] if a.ndim == 3 else 0
    menus = {(m.supplier, o.name) for m in alloc.incentives for o in m.options}
    for key, arr in (data.option_availability or {}).items():
        arr = np.asarray(arr, dtype=float)
        if key not in menus:
            add(f"option_availability: {key[0]!r} has no incentive option {key[1]!r}")
        elif arr.shape != a.shape:
            add(f"option_availability {key}: shape {arr.shape}, not {a.shape}")
        elif not np.all(np.isfinite(arr)) or arr.min() < 0 or arr.max() > 1:
            add(f"option_availability {key}: shares must be in [0, 1]")
    if data.supplier_availability is not None:
        b = np.asarray(data.supplier_availability, dtype=float)
        if b.shape != (k, n_y, n_u):
            add(f"supplier_availability must have shape ({k}, {n_y}, {n_u}), got {b.shape}")
        elif not np.all(np.isfinite(b)) or b.min() < 0 or b.max() > 1:
            add("supplier_availability must be shares in [0, 1]")
    if data.probabilities is not None:
        p = np.asarray(data.probabilities, dtype=float)
        if p.shape != (k,) or not np.all(np.isfinite(p)) or p.min() < 0 or abs(p.sum() - 1) > 1e-9:
            add(f"probabilities must be {k} non-negative numbers summing to 1")
    if not (math.isfinite(data.alpha) and 0 <= data.alpha < 1):
        add(f"alpha must be in [0, 1), got {data.alpha}")
    if not (math.isfinite(data.cvar_weight) and data.cvar_weight >= 0):
        add(f"cvar_weight must be finite and >= 0, got {data.cvar_weight}")
    for part in alloc.parts:
        pen = data.penalty(part)
        if pen is None:
            add(
                f"part {part.id!r}: the risk model needs a penalty for unserved units of every "
                "part (a disruption can always leave demand unserved)"
            )
        elif not (math.isfinite(pen) and pen >= 0):
            add(f"part {part.id!r}: the unserved penalty must be finite and >= 0")
    offers = {(o.part, o.supplier) for o in alloc.offers}
    seen: set[tuple[str, str]] = set()
    for r in data.recourse:
        where = f"recourse {r.supplier!r} -> {r.part!r}"
        if (r.part, r.supplier) not in offers:
            add(f"{where}: no such offer")
        if (r.part, r.supplier) in seen:
            add(f"{where}: given twice")
        seen.add((r.part, r.supplier))
        for name in ("backup_premium_per_unit", "expedite_premium_per_unit"):
            value = getattr(r, name)
            if value is not None and not (math.isfinite(value) and value >= 0):
                add(f"{where}: {name} must be finite and >= 0 (or None)")
        if not (
            math.isfinite(r.backup_extra_units_per_year) and r.backup_extra_units_per_year >= 0
        ):
            add(f"{where}: backup_extra_units_per_year must be finite and >= 0")
        e = r.expedite_units_per_year
        if e is not None and not (math.isfinite(e) and e >= 0):
            add(f"{where}: expedite_units_per_year must be finite and >= 0 (or None)")
    parts_reserved: set[str] = set()
    for r in data.reservations:
        where = f"reservation {r.supplier!r} -> {r.part!r}"
        if (r.part, r.supplier) not in offers:
            add(f"{where}: no such offer")
        if r.part in parts_reserved:
            add(f"{where}: one reservation option per part")
        parts_reserved.add(r.part)
        if not (math.isfinite(r.fee_per_unit) and r.fee_per_unit >= 0):
            add(f"{where}: fee_per_unit must be finite and >= 0")
        m = r.max_units_per_year
        if m is not None and not (math.isfinite(m) and m >= 0):
            add(f"{where}: max_units_per_year must be finite and >= 0 (or None)")
    if problems:
        raise ValueError("invalid risk data:\n  " + "\n  ".join(problems))


# --------------------------------------------------------------------------- builder
