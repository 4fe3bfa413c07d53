r"""The optimizer on a scenario: mapping, option evaluation, the optimized plan, its tables.

A scenario and its ``optimize:`` settings become plain data for
:mod:`keiretsu.optimize.allocation` (deterministic) and :mod:`keiretsu.optimize.risk`
(two-stage, CVaR); the solution becomes a :class:`~keiretsu.scenario.model.Plan`, which
the simulator then runs beside the scenario's own plan on the same random numbers.

The mapping of the scenario onto that data (annual buckets, risk scenarios, recourse) is in
:mod:`keiretsu.experiments.optimize_input`.

Incentive menus and program options (:func:`evaluate_options`): the menus of
``optimize.incentives`` are evaluated by the simulator's contract model
(:mod:`keiretsu.experiments.incentives`) and the program options by the payback study
(:mod:`keiretsu.experiments.coinvest`), once per run (the frontier reuses them); they
enter the allocation data (:func:`with_options`) and, for a rationed supplier, the risk
model's availability per option. The scenario's plan is priced with its contracts in
force (``current``) and the programs it funds.

Objectives (:data:`OBJECTIVES`, :func:`objective_settings`): ``cost`` (deterministic),
``balanced`` (lambda 0.5, alpha 0.90), ``resilient`` (lambda 5, alpha 0.95); an explicit
risk weight or alpha overrides the preset's.

The optimized plan keeps the scenario plan's inventory policies, expediting rules and
contingencies (a reservation the risk model sized replaces the plan's for that part), and
carries the chosen contracts and funded programs; its description says so.

The closed loop (the plans simulated) and the frontier are in
:mod:`keiretsu.experiments.closed_loop`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from keiretsu.errors import SolverError
from keiretsu.experiments.coinvest import ProgramEvaluation, budget_by_year, evaluate_programs
from keiretsu.experiments.incentives import (
    IncentiveEvaluation,
    evaluate_incentives,
)
from keiretsu.experiments.optimize_input import (
    CapacityScenarios,
    OptimizationInput,
    capacity_scenarios,
    optimization_input,
    reservation_options,
    risk_data,
)
from keiretsu.optimize.allocation import AllocationResult, optimize_allocation
from keiretsu.optimize.allocation_data import AllocationData
from keiretsu.optimize.benders import CutPool
from keiretsu.optimize.incentives import COMPONENTS as _INCENTIVE_COMPONENTS
from keiretsu.optimize.risk import RiskResult, optimize_risk
from keiretsu.optimize.risk_data import RiskData
from keiretsu.optimize.solve import SolverOptions
from keiretsu.scenario.contracts import Contract
from keiretsu.scenario.model import Contingency, Plan, Reservation, Scenario
from keiretsu.scenario.programs import FundedProgram
from keiretsu.scenario.resolve import shares as plan_shares

SHARE_DIGITS = 6
"""Plan shares are rounded to this many decimals (their sum is kept at exactly 1)."""

OBJECTIVES: dict[str, tuple[float, float] | None] = {
    "cost": None,
    "balanced": (0.5, 0.90),
    "resilient": (5.0, 0.95),
}
"""``--objective`` presets: ``cost`` is the deterministic model (expected demand, no
disruption scenarios); ``balanced`` the risk model with lambda = 0.5 and alpha = 0.90
(half the weight on the mean of the worst 10 % of scenarios); ``resilient`` lambda = 5,
alpha = 0.95 (the worst 5 % weigh five times the mean). An explicit risk weight or alpha
overrides the preset's."""


# --------------------------------------------------------------------------- options


@dataclass(frozen=True, eq=False)
class SourcingOptions:
    """The scenario's incentive menus and program options, evaluated for the optimizer
    (:mod:`keiretsu.experiments.incentives`, :mod:`keiretsu.experiments.coinvest`); either
    is None when the scenario has none. ``budget``: the buyer's capex budget per year."""

    incentives: IncentiveEvaluation | None
    programs: ProgramEvaluation | None
    budget: tuple[float | None, ...] = ()

    @property
    def current_incentives(self) -> dict[str, str]:
        return {} if self.incentives is None else dict(self.incentives.current)

    @property
    def current_programs(self) -> dict[str, float] | None:
        return None if self.programs is None else dict(self.programs.current)


def evaluate_options(
    scenario: Scenario, *, seed: int, caps: CapacityScenarios | None = None
) -> SourcingOptions:
    """Evaluate the menus and program options of ``scenario`` (``seed``: the run's; the
    evaluations derive their own). The indexation term needs the price shocks of the risk
    scenarios: ``caps`` when given, else ``optimize.risk.scenarios`` drawn here."""
    settings = scenario.optimize
    incentives = None
    if settings.incentives:
        price = None
        if any(d.kind == "price_shock" for d in scenario.disruptions):
            draws = caps if caps is not None else None
            if draws is None or draws.price is None:
                draws = capacity_scenarios(scenario, settings.risk.scenarios, seed)
            price = None if draws.price is None else draws.price.mean(axis=0)
        incentives = evaluate_incentives(scenario, seed=seed, price_factor=price)
    programs = evaluate_programs(scenario, seed=seed) if settings.programs.options else None
    return SourcingOptions(incentives, programs, budget_by_year(scenario))


def with_options(data: AllocationData, evaluated: SourcingOptions | None) -> AllocationData:
    """``data`` with the evaluated menus, program options and capex budget."""
    if evaluated is None:
        return data
    return dataclasses.replace(
        data,
        incentives=() if evaluated.incentives is None else evaluated.incentives.menus,
        programs=() if evaluated.programs is None else evaluated.programs.choices,
        capex_budget_by_year=evaluated.budget,
    )


# --------------------------------------------------------------------------- plans


def _round_shares(shares: dict[str, float]) -> dict[str, float]:
    """Shares rounded to :data:`SHARE_DIGITS`, tiny ones dropped, summing to exactly 1."""
    kept = {s: round(v, SHARE_DIGITS) for s, v in shares.items() if round(v, SHARE_DIGITS) > 0}
    if not kept:
        return {}
    largest = max(kept, key=lambda s: kept[s])
    kept[largest] = round(1.0 - sum(v for s, v in kept.items() if s != largest), SHARE_DIGITS + 3)
    return kept


def plan_from_shares(
    scenario: Scenario,
    shares: dict[str, dict[int, dict[str, float]]],
    *,
    name: str = "optimized",
    description: str = "",
    reservations: dict[str, float] | None = None,
    contracts: dict[str, Contract | None] | None = None,
    programs: dict[str, float | None] | None = None,
) -> Plan:
    """A plan with these shares per part and plan year, and the scenario plan's policies.

    ``shares``: ``{part: {year: {supplier: share}}}`` (years 1..Y). Year 1 becomes
    ``allocation``, each later year whose shares differ an ``allocation_by_year`` entry.
    A part with no purchases in some year keeps its previous shares (in year 1: the
    scenario plan's). ``reservations``: reserved units a year per part sized by the risk
    model; a part listed replaces the plan's reservation (none when 0). ``contracts``: the
    contract chosen per menu supplier (None: no contract), replacing the plan's for them;
    ``programs``: the buyer cost share per program with options (None: not funded),
    replacing the plan's decision for them (its start date is kept).
    """
    base = scenario.plan
    Y = scenario.horizon.n_years
    P = scenario.horizon.periods_per_year
    allocation: dict[str, dict[str, float]] = {}
    by_year: dict[str, dict[int, dict[str, float]]] = {}
    for part in scenario.parts:
        given = shares.get(part.id, {})
        previous = None
        for y in range(1, Y + 1):
            current = _round_shares(given[y]) if given.get(y) else None
            if current is None:
                current = previous or _round_shares(plan_shares(scenario, base, part.id, 1))
            if y == 1:
                allocation[part.id] = current
            elif current != previous:
                by_year.setdefault(part.id, {})[y] = current
            previous = current
    contingency = dict(base.contingency)
    if reservations is not None:
        options = reservation_options(scenario, P)
        for part, terms in options.items():
            units = float(reservations.get(part, 0.0))
            rule = contingency.get(part, Contingency())
            reservation = None
            if units > 1e-9:
                per_period = units / P
                reservation = Reservation(
                    supplier=terms.option.supplier,
                    reserved_units_per_period=per_period,
                    fee_per_period=terms.option.fee_per_unit * per_period,
                    notice_days=terms.notice_days,
                )
            contingency[part] = rule.model_copy(update={"reservation": reservation})
    plan_contracts = list(base.contracts)
    if contracts:
        plan_contracts = [c for c in plan_contracts if c.supplier not in contracts]
        plan_contracts += [c for c in contracts.values() if c is not None]
    funded = dict(base.programs)
    for program, share in (programs or {}).items():
        if share is None:
            funded.pop(program, None)
        else:
            start = funded[program].start_date if program in funded else None
            funded[program] = FundedProgram(buyer_cost_share=share, start_date=start)
    return Plan(
        name=name,
        description=description,
        allocation=allocation,
        allocation_by_year=by_year,
        inventory=base.inventory,
        default_inventory=base.default_inventory,
        expedite=base.expedite,
        contingency=contingency,
        contracts=plan_contracts,
        programs=funded,
    )


def plan_units(scenario: Scenario, plan: Plan, inp: OptimizationInput) -> dict:
    """Units per (part, supplier, year) a plan orders in the annual model: its shares x the
    year's demand, cut to each offer's and supplier's annual capacity (in proportion);
    nothing from an offer before its first usable year (that share is short)."""
    data = inp.data
    demand = {p.id: p.demand_units for p in data.parts}
    units: dict[tuple[str, str, int], float] = {}
    for o in data.offers:
        cap = o.capacity_units_per_year
        for t, y in enumerate(data.years):
            if demand[o.part][t] <= 0 or (o.first_year is not None and y < o.first_year):
                continue
            share = plan_shares(scenario, plan, o.part, y).get(o.supplier, 0.0)
            amount = share * demand[o.part][t]
            units[(o.part, o.supplier, y)] = amount if cap is None else min(amount, cap)
    for s in data.suppliers:
        cap = s.shared_capacity_units_per_year
        if cap is None:
            continue
        for y in data.years:
            keys = [k for k in units if k[1] == s.id and k[2] == y]
            total = sum(units[k] for k in keys)
            if total > cap:
                for k in keys:
                    units[k] *= cap / total
    return units


def relaxed(data: AllocationData) -> AllocationData:
    """``data`` without its policy rules (dual sourcing, share, region, quality, minimum
    volume and switching limits, the programs' participation and budget): what remains
    prices a given plan (capacities, fixed costs, tiered prices, commitments, incentive
    terms and shortage penalties stay)."""
    parts = tuple(
        dataclasses.replace(
            p,
            min_suppliers=1,
            min_source_share=0.0,
            max_supplier_share=None,
            max_region_share=None,
            max_defect_ppm=None,
            max_change_share=None,
            min_suppliers_from_year=None,
        )
        for p in data.parts
    )
    offers = tuple(
        dataclasses.replace(o, max_share=None, min_units_per_year=0.0, previous_year_units=None)
        for o in data.offers
    )
    return dataclasses.replace(
        data,
        parts=parts,
        offers=offers,
        max_region_share=None,
        enforce_program_rules=False,
        name=f"{data.name}_plan",
    )


# --------------------------------------------------------------------------- the study


@dataclass(frozen=True, eq=False)
class PlanCost:
    """The model's cost of a given plan (the scenario's own): deterministic terms, and in
    the risk model expected cost and CVaR. ``meets_rules``: whether the plan keeps every
    rule of the settings (dual sourcing, shares, regions, quality, switching, minimum
    volumes); when it does not it is priced without them, and the optimizer, bound by
    them, may cost more. ``error`` says why it could not be priced at all."""

    allocation: AllocationResult | None = None
    risk: RiskResult | None = None
    meets_rules: bool | None = None
    error: str = ""


@dataclass(frozen=True, eq=False)
class OptimizeResult:
    """What :func:`optimize` returns.

    ``allocation``: the deterministic solution, or the risk model's first stage;
    ``risk``: the risk model's result (None when deterministic); ``plan``: the optimized
    plan; ``baseline``: the scenario's own plan priced in the same model; ``input``: the
    mapping; ``scenarios``: the capacity scenarios (risk only); ``evaluated``: the
    incentive menus and program options (None without any); ``preset``: the
    ``--objective`` preset asked for (None: the explicit settings).
    """

    input: OptimizationInput
    allocation: AllocationResult
    risk: RiskResult | None
    plan: Plan
    baseline: PlanCost
    scenarios: CapacityScenarios | None = None
    options: SolverOptions = field(default_factory=SolverOptions)
    evaluated: SourcingOptions | None = None
    preset: str | None = None

    @property
    def objective_name(self) -> str:
        if self.risk is None:
            return "cost"
        return f"expected cost + {self.risk.cvar_weight:g} x CVaR{self.risk.alpha:g}"

    @property
    def objective(self) -> float:
        return self.allocation.objective if self.risk is None else self.risk.objective

    @property
    def baseline_objective(self) -> float | None:
        if self.risk is None:
            return None if self.baseline.allocation is None else self.baseline.allocation.objective
        return None if self.baseline.risk is None else self.baseline.risk.objective

    @property
    def expected_cost(self) -> float:
        """The model's in-sample expected cost (the deterministic model: its cost)."""
        return self.allocation.objective if self.risk is None else self.risk.expected_cost


def solver_options(scenario: Scenario, **overrides) -> SolverOptions:
    """The scenario's ``optimize.solver`` settings, with any non-None ``overrides``."""
    s = scenario.optimize.solver
    values = {
        "solver": s.solver,
        "time_limit_s": s.time_limit_s,
        "gap": s.gap,
        "threads": s.threads,
        "decomposition": s.decomposition,
    }
    values |= {k: v for k, v in overrides.items() if v is not None}
    return SolverOptions(**values)


def objective_settings(
    scenario: Scenario,
    objective: str | None = None,
    *,
    risk: bool = False,
    alpha: float | None = None,
    cvar_weight: float | None = None,
) -> tuple[bool, float, float]:
    """(risk model?, alpha, lambda) for a preset of :data:`OBJECTIVES` (or None: the risk
    model when ``risk`` or a risk weight / alpha is given, with ``optimize.risk``'s
    defaults); an explicit ``alpha`` / ``cvar_weight`` overrides the preset's. ``cost`` with
    risk settings is a contradiction (ValueError)."""
    settings = scenario.optimize.risk
    if objective is not None and objective not in OBJECTIVES:
        raise ValueError(f"unknown objective {objective!r} ({', '.join(OBJECTIVES)})")
    if objective == "cost":
        if risk or alpha is not None or cvar_weight is not None:
            raise ValueError(
                "objective 'cost' is the deterministic model: it takes no risk weight, alpha "
                "or --risk (use balanced or resilient, or drop --objective)"
            )
        return False, settings.alpha, 0.0
    preset = OBJECTIVES.get(objective) if objective else None
    if preset is not None:
        lam, a = preset
        return True, a if alpha is None else alpha, lam if cvar_weight is None else cvar_weight
    use_risk = risk or alpha is not None or cvar_weight is not None
    return (
        use_risk,
        settings.alpha if alpha is None else alpha,
        settings.cvar_weight if cvar_weight is None else cvar_weight,
    )


def _describe(scenario: Scenario, result, risk: bool, chosen: AllocationResult) -> str:
    base = scenario.plan
    what = (
        "two-stage stochastic allocation (expected cost + "
        f"{result.cvar_weight:g} x CVaR at {result.alpha:g} over {len(result.scenario_costs)} "
        "disruption scenarios)"
        if risk
        else "deterministic allocation (annual buckets, expected demand)"
    )
    kept = "inventory policies, expediting rules and contingencies"
    if risk and reservation_options(scenario, scenario.horizon.periods_per_year):
        kept += " (reservations as sized by the risk model)"
    text = (
        f"Shares from the {what} of keiretsu optimize; the {kept} are those of the scenario's "
        f"plan {base.name!r}."
    )
    if chosen.incentives:
        listing = ", ".join(f"{s}: {o}" for s, o in chosen.incentives.items())
        text += f" Contracts chosen from the incentive menus: {listing}."
    if scenario.optimize.programs.options:
        funded = ", ".join(f"{p} at a buyer share of {v:g}" for p, v in chosen.programs.items())
        text += f" Programs funded: {funded or 'none'}."
    return text


def _chosen(
    evaluated: SourcingOptions | None, solved: AllocationResult
) -> tuple[dict[str, Contract | None] | None, dict[str, float | None] | None]:
    """The contracts and program shares of a solution, as :func:`plan_from_shares` takes them."""
    if evaluated is None:
        return None, None
    contracts = None
    if evaluated.incentives is not None:
        contracts = {
            sup: evaluated.incentives.contract(sup, name) for sup, name in solved.incentives.items()
        }
    programs = None
    if evaluated.programs is not None:
        programs = {c.program: solved.programs.get(c.program) for c in evaluated.programs.choices}
    return contracts, programs


def optimize(
    scenario: Scenario,
    *,
    objective: str | None = None,
    risk: bool = False,
    scenarios: int | None = None,
    alpha: float | None = None,
    cvar_weight: float | None = None,
    seed: int | None = None,
    options: SolverOptions | None = None,
    caps: CapacityScenarios | None = None,
    evaluated: SourcingOptions | None = None,
    name: str = "optimized",
    cuts: CutPool | None = None,
    baseline: PlanCost | None = None,
) -> OptimizeResult:
    """Optimize ``scenario``'s allocation, incentive options and programs: the deterministic
    model, or the risk model (``risk``, a preset ``objective`` of :data:`OBJECTIVES`, or a
    risk weight / alpha: :func:`objective_settings`).

    ``scenarios``, ``alpha`` and ``cvar_weight`` default to ``optimize.risk``; ``seed`` to
    ``run.seed``; ``options`` to ``optimize.solver``; ``caps`` reuses drawn scenarios and
    ``evaluated`` evaluated options (:func:`evaluate_options`); ``cuts`` the L-shaped
    method's rows of an earlier solve on the same ``caps`` (the frontier); ``baseline``
    the scenario's plan as an earlier call priced it on the same ``caps`` and options,
    returned as given instead of priced again (the frontier: its expected cost and CVaR do
    not depend on the weight; its objective is at the weight it was priced at). Raises
    :class:`~keiretsu.errors.SolverError` when no plan comes out (an infeasible model
    carries its diagnosis, one line per conflicting requirement).
    """
    use_risk, alpha, cvar_weight = objective_settings(
        scenario, objective, risk=risk, alpha=alpha, cvar_weight=cvar_weight
    )
    inp = optimization_input(scenario)
    options = options or solver_options(scenario)
    seed = scenario.run.seed if seed is None else seed
    settings = scenario.optimize
    if use_risk:
        caps = caps or capacity_scenarios(scenario, scenarios or settings.risk.scenarios, seed)
    if evaluated is None and (settings.incentives or settings.programs.options):
        evaluated = evaluate_options(scenario, seed=seed, caps=caps)
    inp = dataclasses.replace(inp, data=with_options(inp.data, evaluated))
    fixed = {
        "fixed_incentives": None if evaluated is None else evaluated.current_incentives,
        "fixed_programs": None if evaluated is None else evaluated.current_programs,
    }
    if not use_risk:
        result = optimize_allocation(inp.data, options)
        contracts, programs = _chosen(evaluated, result)
        plan = plan_from_shares(
            scenario,
            result.shares,
            name=name,
            description=_describe(scenario, result, False, result),
            contracts=contracts,
            programs=programs,
        )
        if baseline is None:
            baseline = _price_plan(scenario, inp, None, options, fixed)
        return OptimizeResult(
            inp, result, None, plan, baseline, None, options, evaluated, objective
        )
    assert caps is not None
    data = risk_data(scenario, inp, caps, alpha=alpha, cvar_weight=cvar_weight, evaluated=evaluated)
    solved = optimize_risk(data, options, cuts=cuts)
    options_of = reservation_options(scenario, inp.periods_per_year)
    contracts, programs = _chosen(evaluated, solved.first_stage)
    plan = plan_from_shares(
        scenario,
        solved.first_stage.shares,
        name=name,
        description=_describe(scenario, solved, True, solved.first_stage),
        reservations={part: solved.reservations.get(part, 0.0) for part in options_of},
        contracts=contracts,
        programs=programs,
    )
    if baseline is None:
        baseline = _price_plan(scenario, inp, data, options, fixed)
    return OptimizeResult(
        inp, solved.first_stage, solved, plan, baseline, caps, options, evaluated, objective
    )


def _price_plan(
    scenario: Scenario,
    inp: OptimizationInput,
    data: RiskData | None,
    options: SolverOptions,
    fixed: dict | None = None,
) -> PlanCost:
    """The scenario's own plan priced in the model: under the settings' rules if it keeps
    them, else without them (``PlanCost.meets_rules`` says which). ``fixed``: its incentive
    options and funded programs (``fixed_incentives`` / ``fixed_programs``)."""
    units = plan_units(scenario, scenario.plan, inp)
    fixed = fixed or {}
    P = inp.periods_per_year
    reserved = {
        part: rule.reservation.reserved_units_per_period * P
        for part, rule in scenario.plan.contingency.items()
        if rule.reservation is not None
    }

    def price(allocation: AllocationData) -> PlanCost:
        if data is None:
            return PlanCost(
                allocation=optimize_allocation(allocation, options, fixed_units=units, **fixed)
            )
        solved = optimize_risk(
            dataclasses.replace(data, allocation=allocation),
            options,
            fixed_units=units,
            fixed_reservations=reserved,
            **fixed,
        )
        return PlanCost(allocation=solved.first_stage, risk=solved)

    try:
        return dataclasses.replace(price(inp.data), meets_rules=True)
    except SolverError as exc:
        if exc.outcome != "infeasible":
            return PlanCost(error=str(exc).splitlines()[0])
    try:
        return dataclasses.replace(price(relaxed(inp.data)), meets_rules=False)
    except SolverError as exc:
        return PlanCost(meets_rules=False, error=str(exc).splitlines()[0])


# --------------------------------------------------------------------------- outputs


def cost_breakdown(result: OptimizeResult) -> pd.DataFrame:
    """The objective split into its terms, for the optimized plan and the scenario's own
    (priced in the same model; NaN where it could not be)."""
    base = result.baseline
    rows = []

    def add(term: str, mine: float | None, theirs: float | None, stage: str) -> None:
        rows.append(
            {
                "stage": stage,
                "term": term,
                "optimized": np.nan if mine is None else float(mine),
                "scenario_plan": np.nan if theirs is None else float(theirs),
            }
        )

    first = "first stage" if result.risk is not None else "model"
    for term, value in result.allocation.cost.items():
        other = None if base.allocation is None else base.allocation.cost.get(term)
        add(term, value, other, first)
    if result.risk is None:
        add("total", result.allocation.objective, result.baseline_objective, "model")
        return pd.DataFrame(rows)
    r, b = result.risk, base.risk
    add("reservation_fee", r.reservation_fee, None if b is None else b.reservation_fee, first)
    for term, value in r.second_stage.items():
        add(term, value, None if b is None else b.second_stage[term], "second stage (expected)")
    add("expected_cost", r.expected_cost, None if b is None else b.expected_cost, "risk")
    add(f"cvar_{r.alpha:g}", r.cvar, None if b is None else b.cvar, "risk")
    add(
        f"value_at_risk_{r.alpha:g}",
        r.value_at_risk,
        None if b is None else b.value_at_risk,
        "risk",
    )
    add("objective", r.objective, result.baseline_objective, "risk")
    return pd.DataFrame(rows)


def incentive_table(result: OptimizeResult) -> pd.DataFrame | None:
    """Per menu supplier and option: the evaluated terms (per unit bought, a year), whether
    it is in force in the scenario's plan and whether the optimizer chose it, and the model
    cost of the chosen option over the horizon by component (None without menus)."""
    ev = result.evaluated
    if ev is None or ev.incentives is None:
        return None
    table = ev.incentives.table.copy()
    chosen = result.allocation.incentives
    table.insert(
        3,
        "chosen",
        [chosen.get(s) == o for s, o in zip(table["supplier"], table["option"], strict=True)],
    )
    costs = result.allocation.incentive_costs
    if costs is not None:
        money = costs.groupby(["supplier", "option"])[
            ["volume_units", "rebate", "take_or_pay", *_INCENTIVE_COMPONENTS]
        ].sum()
        money = money.rename(columns=lambda c: f"model_{c}")
        table = table.join(money, on=["supplier", "option"])
    return table


def program_table(result: OptimizeResult) -> pd.DataFrame | None:
    """Per program and buyer cost share: the evaluated NPVs, capex and participation, and
    whether the optimizer funds it at that share (None without program options)."""
    ev = result.evaluated
    if ev is None or ev.programs is None:
        return None
    table = ev.programs.table.copy()
    funded = result.allocation.programs
    table.insert(
        2,
        "chosen",
        [
            p in funded and abs(funded[p] - s) <= 1e-12
            for p, s in zip(table["program"], table["buyer_cost_share"], strict=True)
        ],
    )
    return table


def scenario_cost_table(result: OptimizeResult, base_name: str) -> pd.DataFrame | None:
    """Model cost per risk scenario for the optimized plan and the scenario's own."""
    if result.risk is None:
        return None
    frames = [
        pd.DataFrame(
            {
                "plan": result.plan.name,
                "scenario": np.arange(len(result.risk.scenario_costs)),
                "replication": list(result.scenarios.replications) if result.scenarios else None,
                "cost": result.risk.scenario_costs,
                "cvar": result.risk.cvar,
            }
        )
    ]
    b = result.baseline.risk
    if b is not None:
        frames.append(
            pd.DataFrame(
                {
                    "plan": base_name,
                    "scenario": np.arange(len(b.scenario_costs)),
                    "replication": frames[0]["replication"],
                    "cost": b.scenario_costs,
                    "cvar": b.cvar,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def solver_summary(result: OptimizeResult) -> dict[str, object]:
    """Status, gap, times and model size of the solve (for summary.json and the console)."""
    solved = result.risk if result.risk is not None else result.allocation
    return {
        "model": "two-stage risk (CVaR)" if result.risk is not None else "deterministic allocation",
        "objective_name": result.objective_name,
        "outcome": solved.outcome,
        "stopped_by": solved.stopped_by,
        "objective": solved.objective,
        "best_bound": solved.best_bound,
        "gap": solved.gap,
        "solver": solved.solver,
        "gap_asked": result.options.gap,
        "time_limit_s": result.options.time_limit_s,
        "threads": result.options.threads,
        "method": solved.method,
        "build_time_s": solved.build_time_s,
        "solve_time_s": solved.solve_time_s,
        "model_size": solved.model_size,
    }
