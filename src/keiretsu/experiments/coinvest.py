r"""Co-investment options evaluated by the payback study, as optimizer data.

For each program in ``optimize.programs.options`` and each buyer cost share ``sigma`` on
its list (plus the plan's own share when the plan funds it), the optimizer needs the
buyer's and the supplier's expected NPV and the buyer's expected capex per plan year
(:class:`keiretsu.optimize.coinvest.ProgramOption`).

**NPVs: one payback study per program, the other shares by linearity.** The payback study
(:func:`keiretsu.experiments.payback.payback`) runs the scenario with and without the
program on the same random numbers and takes, per replication and period, the buyer's flow
(margin with − margin without) and the supplier's (− its capex and running-cost shares +
the saving it keeps + its margin on extra volume). The buyer cost share enters the
simulation only through the split of the capex (``sim.records``: buyer capex =
``sigma x capex``, supplier capex = ``(1 - sigma) x capex``); nothing else the run does
depends on it (the effects, milestones and every draw are the same). So with ``c_t`` the
program's capex disbursed in period t (all parties), the flows at another share are exactly

    buyer_t(sigma)    = buyer_t(sigma_0) - (sigma - sigma_0) c_t
    supplier_t(sigma) = supplier_t(sigma_0) + (sigma - sigma_0) c_t

and NPV, being linear in the flows, follows per replication. One study per program
(``evaluation_replications`` replications at a seed derived from the run's, so the
closed-loop check stays out of sample), cached in the process for the frontier's solves;
``tests/unit/test_coinvest.py`` checks the identity against a second study at another
share. The buyer's NPV already contains the avoided disruption and shortage cost (both
runs see the same disruptions), its price savings and its own capex and running cost;
the table splits it into the program's own cash (capex and running-cost shares) and the
rest (the benefit).

**Budget.** The buyer's expected capex per plan year is ``sigma x`` the program's expected
disbursement by year from its spec: milestone durations, success probabilities,
disbursement and retention shares, drawn by the simulator's own
:func:`keiretsu.sim.programs.program_runs` over :data:`DISBURSEMENT_DRAWS` replications
(an abandoned program pays what it disbursed before failing).

**Participation.** The supplier signs at share sigma when its mean NPV is at least its
``reservation_npv``; the buyer likewise (its NPV is in the objective too).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from keiretsu.analysis.stats import ci_half_width
from keiretsu.econ import finance
from keiretsu.experiments.incentives import evaluation_seed
from keiretsu.experiments.payback import PaybackResult, payback
from keiretsu.optimize.coinvest import ProgramChoice, ProgramOption
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.scenario.programs import FundedProgram, Program
from keiretsu.sim.network import compile_network
from keiretsu.sim.programs import program_runs

DISBURSEMENT_DRAWS = 4000
"""Replications of a program's milestones drawn for its expected disbursement by year."""

_CACHE: dict[tuple, PaybackResult] = {}
_CACHE_SIZE = 32


@dataclass(frozen=True, eq=False)
class ProgramEvaluation:
    """The program options as optimizer data, and their table.

    ``choices``: one :class:`ProgramChoice` per program with options; ``current``: the
    share at which the scenario's plan funds each of them (absent: not funded);
    ``table``: per program and share: buyer and supplier NPV (mean and 95 % CI), the
    buyer's NPV split into program cash and benefit, the buyer's capex by plan year, the
    reservation NPVs and whether each party signs; ``payback``: the studies by program.
    """

    choices: tuple[ProgramChoice, ...]
    current: dict[str, float]
    table: pd.DataFrame
    payback: dict[str, PaybackResult]


def _share_in(plan: Plan, program: Program) -> float:
    terms = plan.programs.get(program.id, FundedProgram())
    return program.buyer_cost_share if terms.buyer_cost_share is None else terms.buyer_cost_share


def cached_payback(
    scenario: Scenario, program_id: str, *, seed: int, replications: int
) -> PaybackResult:
    """The payback study of ``program_id`` under the scenario's plan (no tornado), memoised
    by scenario content, program, seed and replications."""
    digest = hashlib.sha256(scenario.model_dump_json().encode()).hexdigest()
    key = (digest, program_id, seed, replications)
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = payback(
            scenario, program_id, seed=seed, replications=replications, tornado=False
        )
    return _CACHE[key]


def flows_by_party(result: PaybackResult) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per party (buyer, supplier, joint) the (R, T) cash flows of a payback study from the
    program's start, and the program's capex (all parties) in the same periods."""
    flows = result.flows
    periods = np.sort(flows["period"].unique())
    out = {
        party: group.pivot(index="replication", columns="period", values="cash_flow")
        .reindex(columns=periods)
        .to_numpy()
        for party, group in flows.groupby("party")
    }
    programs = result.with_program.programs
    mine = programs[programs["program"] == result.program.id]
    capex = (
        mine.pivot(index="replication", columns="period", values="capex")
        .reindex(columns=periods, fill_value=0.0)
        .to_numpy()
    )
    return out, capex


def npvs_at_share(
    result: PaybackResult, share: float, base_share: float, periods_per_year: int
) -> dict[str, np.ndarray]:
    """Per replication, each party's NPV with the buyer paying ``share`` of the capex
    instead of ``base_share`` (module docstring: the flows are linear in the share)."""
    program = result.program
    flows, capex = flows_by_party(result)
    shift = (share - base_share) * capex
    rates = {
        "buyer": program.buyer.discount_rate,
        "supplier": program.supplier.discount_rate,
        "joint": program.buyer.discount_rate,
    }
    moved = {
        "buyer": flows["buyer"] - shift,
        "supplier": flows["supplier"] + shift,
        "joint": flows["joint"],
    }
    return {
        party: finance.npv(finance.periodic_rate(rates[party], periods_per_year), moved[party])
        for party in moved
    }


def expected_disbursement_by_year(
    scenario: Scenario, program_id: str, *, seed: int, draws: int = DISBURSEMENT_DRAWS
) -> np.ndarray:
    """(Y,) the program's expected capex disbursed in each plan year (all parties), from its
    milestones as the simulator draws them (module docstring)."""
    plan = scenario.plan.model_copy(update={"programs": {program_id: FundedProgram()}})
    net = compile_network(scenario, plan)
    runs = program_runs(net, seed, list(range(draws)))
    assert runs is not None
    per_period = runs.capex[:, :, 0].mean(axis=1)  # (T,)
    Y, P = scenario.horizon.n_years, scenario.horizon.periods_per_year
    return per_period[: Y * P].reshape(Y, P).sum(axis=1)


def evaluate_programs(scenario: Scenario, *, seed: int) -> ProgramEvaluation:
    """Every program option of ``scenario.optimize.programs`` (module docstring)."""
    settings = scenario.optimize
    plan = scenario.plan
    P = scenario.horizon.periods_per_year
    specs = {p.id: p for p in scenario.programs}
    derived = evaluation_seed(seed)
    choices, rows, current, studies = [], [], {}, {}
    for entry in settings.programs.options:
        program = specs[entry.program]
        base_share = _share_in(plan, program)
        shares = set(entry.buyer_cost_shares)
        if entry.program in plan.programs:
            current[entry.program] = base_share
            shares.add(base_share)
        study = cached_payback(
            scenario, program.id, seed=derived, replications=settings.evaluation_replications
        )
        studies[program.id] = study
        disbursed = expected_disbursement_by_year(scenario, program.id, seed=derived)
        flows, capex = flows_by_party(study)
        own_cash = _buyer_program_cash(study)
        options = []
        for share in sorted(shares):
            npv = npvs_at_share(study, share, base_share, P)
            rate = finance.periodic_rate(program.buyer.discount_rate, P)
            cash = finance.npv(rate, own_cash - (share - base_share) * capex)
            buyer, supplier = float(npv["buyer"].mean()), float(npv["supplier"].mean())
            capex_by_year = tuple(float(v) for v in share * disbursed)
            options.append(ProgramOption(share, buyer, supplier, capex_by_year))
            rows.append(
                {
                    "program": program.id,
                    "buyer_cost_share": share,
                    "in_plan": entry.program in plan.programs and share == base_share,
                    "buyer_npv": buyer,
                    "buyer_npv_ci95": ci_half_width(npv["buyer"]),
                    "buyer_npv_program_cash": float(cash.mean()),
                    "buyer_npv_benefit": float((npv["buyer"] - cash).mean()),
                    "supplier_npv": supplier,
                    "supplier_npv_ci95": ci_half_width(npv["supplier"]),
                    "joint_npv": float(npv["joint"].mean()),
                    "buyer_reservation_npv": program.buyer.reservation_npv,
                    "supplier_reservation_npv": program.supplier.reservation_npv,
                    "buyer_signs": buyer >= program.buyer.reservation_npv,
                    "supplier_signs": supplier >= program.supplier.reservation_npv,
                    "prob_completed": float(study.outcomes["completed"].mean()),
                    **{f"buyer_capex_y{y + 1}": v for y, v in enumerate(capex_by_year)},
                }
            )
        del flows
        choices.append(
            ProgramChoice(
                program.id,
                tuple(options),
                buyer_reservation_npv=program.buyer.reservation_npv,
                supplier_reservation_npv=program.supplier.reservation_npv,
            )
        )
    return ProgramEvaluation(tuple(choices), current, pd.DataFrame(rows), studies)


def _buyer_program_cash(result: PaybackResult) -> np.ndarray:
    """(R, T) the buyer's own program cash in the payback study: minus its capex and
    running-cost shares, in the periods of the study's flows."""
    flows = result.flows
    periods = np.sort(flows["period"].unique())
    programs = result.with_program.programs
    mine = programs[programs["program"] == result.program.id]
    paid = mine.assign(cash=-(mine["buyer_capex"] + mine["buyer_opex"]))
    return (
        paid.pivot(index="replication", columns="period", values="cash")
        .reindex(columns=periods, fill_value=0.0)
        .to_numpy()
    )


def budget_by_year(scenario: Scenario) -> tuple[float | None, ...]:
    """The buyer's capex budget per plan year (None: no limit), or () without any."""
    co = scenario.optimize.programs
    Y = scenario.horizon.n_years
    if co.capex_budget_per_year is None and not co.capex_budget_by_year:
        return ()
    return tuple(co.capex_budget_by_year.get(y, co.capex_budget_per_year) for y in range(1, Y + 1))
