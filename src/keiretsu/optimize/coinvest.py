r"""Co-investment: which joint-investment programs to fund, at which buyer cost share.

Plain data in (a :class:`ProgramChoice` per program; ``keiretsu.experiments`` derives the
NPVs from the payback study, i.e. from the simulator); the variables and rows below are
added by the allocation builder, so both the deterministic and the risk model carry them.

Data (program ``p``, share options ``sigma`` in ``S(p)``, plan years ``y``)
------------------------------------------------------------------------
``NPV_b[p,sigma]`` and ``NPV_s[p,sigma]``: the buyer's and the supplier's expected NPV of
the program funded at buyer cost share ``sigma`` (each at its own discount rate, money at
the program's start); ``R_b[p]``, ``R_s[p]``: their reservation NPVs (the least at which
they sign); ``K[p,sigma,y]``: the buyer's expected capex disbursed in plan year y at that
share; ``B_y``: the buyer's capex budget in year y (none: no limit).

Decisions
---------
``f[p,sigma]`` binary (``fund_<p>_o<j>``, j the option's position): program p funded at
share sigma (not funded when all are 0).

Rows
----
* ``program_choice_<p>``:            sum_sigma f[p,sigma] <= 1
* ``supplier_participation_<p>``:    sum_sigma (NPV_s[p,sigma] - R_s[p]) f[p,sigma] >= 0
* ``buyer_participation_<p>``:       sum_sigma (NPV_b[p,sigma] - R_b[p]) f[p,sigma] >= 0
  (with at most one option funded, each of these says: the option funded, if any, gives
  that party at least its reservation NPV; an option below it cannot be chosen)
* ``capex_budget_y<y>``:             sum_{p,sigma} K[p,sigma,y] f[p,sigma] <= B_y

Cost term (added to the allocation's objective): ``program_buyer_npv = - sum NPV_b f``,
the buyer's NPV with a minus sign (the objective is a cost). The payback study's buyer NPV
is the change in the buyer's simulated margin with the program (common random numbers),
so it already contains the avoided disruption and shortage cost, the price savings and
the buyer's capex and running cost; the model therefore does not also add the program's
effects to its capacities or scenarios (nothing is counted twice), and the value does not
depend on the allocation the model chooses (the payback runs under the scenario's plan;
the closed-loop simulation of the optimized plan is the check). ``enforce`` False drops
the participation and budget rows (to price a given plan that breaks them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pulp

from keiretsu.optimize.solve import Pairs, name_token

COST_TERMS = ("program_buyer_npv",)
"""The objective term co-investment adds."""


@dataclass(frozen=True)
class ProgramOption:
    """Fund the program at buyer cost share ``share``: expected NPVs and the buyer's capex."""

    share: float
    buyer_npv: float
    supplier_npv: float
    buyer_capex_by_year: tuple[float, ...]


@dataclass(frozen=True)
class ProgramChoice:
    """A program and its share options (module docstring)."""

    program: str
    options: tuple[ProgramOption, ...]
    buyer_reservation_npv: float = 0.0
    supplier_reservation_npv: float = 0.0


def check(programs: tuple[ProgramChoice, ...], budget: tuple, n_years: int) -> list[str]:
    """Problems of the program choices and the budget (one string each)."""
    problems: list[str] = []
    add = problems.append
    seen: set[str] = set()
    for p in programs:
        where = f"program {p.program!r}"
        if p.program in seen:
            add(f"{where}: given twice")
        seen.add(p.program)
        shares = [o.share for o in p.options]
        if len(set(shares)) != len(shares):
            add(f"{where}: share options must be distinct")
        for o in p.options:
            if not 0.0 <= o.share <= 1.0:
                add(f"{where}: share {o.share} outside [0, 1]")
            if not (math.isfinite(o.buyer_npv) and math.isfinite(o.supplier_npv)):
                add(f"{where}: NPVs must be finite")
            if len(o.buyer_capex_by_year) != n_years or any(
                not (math.isfinite(v) and v >= 0) for v in o.buyer_capex_by_year
            ):
                add(f"{where}: buyer_capex_by_year needs {n_years} values >= 0")
        for name in ("buyer_reservation_npv", "supplier_reservation_npv"):
            if not math.isfinite(getattr(p, name)):
                add(f"{where}: {name} must be finite")
    if budget and len(budget) != n_years:
        add(f"capex_budget_by_year has {len(budget)} values for {n_years} years")
    for v in budget:
        if v is not None and not (math.isfinite(v) and v >= 0):
            add("capex budgets must be finite and >= 0 (or None)")
    return problems


def add_programs(b, data, terms: dict[str, Pairs]) -> dict[tuple[str, float], pulp.LpVariable]:
    """Add the program choices of ``data.programs`` to the model (module docstring);
    returns the binaries ``f[(program, share)]``."""
    fund: dict[tuple[str, float], pulp.LpVariable] = {}
    budget_rows: dict[int, Pairs] = {}
    for p in data.programs:
        ps = name_token(p.program)
        mine = []
        for j, o in enumerate(p.options):
            f = b.var(f"fund_{ps}_o{j}", binary=True)
            fund[(p.program, o.share)] = f
            mine.append((f, o))
            terms["program_buyer_npv"].append((f, -float(o.buyer_npv)))
            for t, capex in enumerate(o.buyer_capex_by_year):
                if capex > 0:
                    budget_rows.setdefault(t, []).append((f, float(capex)))
        if not mine:
            continue
        b.row(f"program_choice_{ps}", [(f, 1.0) for f, _ in mine], "<=", 1.0)
        if data.enforce_program_rules:
            for party, npv, reservation in (
                ("supplier", "supplier_npv", p.supplier_reservation_npv),
                ("buyer", "buyer_npv", p.buyer_reservation_npv),
            ):
                pairs = [(f, getattr(o, npv) - reservation) for f, o in mine]
                if any(c < 0 for _, c in pairs):
                    b.row(f"{party}_participation_{ps}", pairs, ">=", 0.0)
    if data.enforce_program_rules and data.capex_budget_by_year:
        for t, y in enumerate(data.years):
            limit = data.capex_budget_by_year[t]
            pairs = budget_rows.get(t, [])
            if limit is not None and pairs and sum(c for _, c in pairs) > limit:
                b.row(f"capex_budget_y{y}", pairs, "<=", float(limit))
    return fund
