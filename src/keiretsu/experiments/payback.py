"""The co-investment business case of one program (the finance team's job).

The scenario runs twice on the same random numbers (common random numbers): with the
program funded and without it (the plan is otherwise the same; warm-up is set to zero
so every cash flow counts). Per replication and period, the cash flows of each party:

* **buyer** = margin with the program - margin without it. The buyer's margin already
  carries its share of the program's capex and running cost (``program_cost``), its lower
  prices (its share of the unit-cost saving) and everything the effects change: fewer
  shortages and expediting, avoided disruption losses (faster recovery, more capacity);
* **supplier** = - its share of capex and running cost + the unit-cost saving it keeps
  + ``supplier_margin_rate`` x the change in the buyer's spend with the program's
  suppliers (its margin on extra volume);
* **joint** = buyer + supplier (the project).

Time origin: the program's start period (t = 0, undiscounted; end-of-period flows after
it). Rates: each party's own annual rate made per period, ``(1 + r)^(1/n) - 1``; the joint
flows at the buyer's rate. Per replication: NPV, XNPV (Excel's dated convention: the
annual rate over days / 365 from the start; slightly different from NPV with weekly
periods, 52 a year), IRR and MIRR (annualised), simple and
discounted payback (years, interpolated), profitability index (PV of inflows / PV of
outflows: disbursements are staged). Over replications: mean, P10/P50/P90, P(NPV < 0),
P(payback <= 18 months), the share of replications in which the program completes, and
the participation check (a party whose mean NPV is below its reservation NPV would not
sign; ``sign_resolved`` says whether the mean's 95 % CI lies wholly on one side of the
reservation NPV, i.e. whether more replications could still change the answer). The tornado varies each uncertain input (the program's ``uncertainty`` and each
milestone's duration, at the P10 and P90 of its law) with the others at base (a
milestone's duration fixed at its median), on fewer replications, and finds break-evens by quadratic interpolation through the P10, base
and P90 runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from keiretsu.econ import finance
from keiretsu.econ.tornado import tornado as tornado_of
from keiretsu.experiments.runs import SimulationResult, simulate
from keiretsu.fileio import Checkpoint, ChunkStore
from keiretsu.scenario.model import Plan, Scenario
from keiretsu.scenario.programs import FundedProgram, Program
from keiretsu.sim.backends import Backend

PARTIES = finance.PARTIES
MEASURES = (
    "npv",
    "xnpv",
    "irr",
    "mirr",
    "payback_years",
    "discounted_payback_years",
    "profitability_index",
)
"""Per replication and party."""


@dataclass
class PaybackResult:
    """One program's business case (see the module docstring)."""

    program: Program
    with_program: SimulationResult
    without_program: SimulationResult
    flows: pd.DataFrame  # replication x period x party: cash flow (money)
    measures: pd.DataFrame  # replication x party: NPV, IRR (+ reason), MIRR, paybacks, PI
    summary: pd.DataFrame  # party: mean, sd, P10/P50/P90 of NPV, P(NPV<0), P(payback<=18m), ...
    cash_flows: pd.DataFrame  # period x party: mean and P10/P50/P90 of flow and cumulative
    outcomes: pd.DataFrame  # replication: completed, completion day, abandoned at
    tornado: pd.DataFrame | None = None
    definitions: dict[str, Any] = field(default_factory=dict)


def payback(
    scenario: Scenario,
    program_id: str,
    plan: Plan | None = None,
    *,
    seed: int | None = None,
    replications: int | None = None,
    workers: int = 1,
    backend: Backend | None = None,
    checkpoint: Checkpoint | None = None,
    batch: int | None = None,
    tornado: bool = True,
    tornado_replications: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> PaybackResult:
    """The business case of ``program_id`` under ``plan`` (default: the scenario's own).

    ``backend`` computes the chunks of every simulation (default: ``workers`` local
    processes; ``batch`` replications each); with ``checkpoint``, each simulation keeps
    its chunks in its own store (``PROGRAM-without``, ``PROGRAM-with``, and per tornado
    run ``PROGRAM-tornado-...``), so an interrupted business case resumes chunk by chunk.
    """
    from keiretsu.errors import InputError, Problem

    specs = {p.id: p for p in scenario.programs}
    if program_id not in specs:
        known = ", ".join(specs) or "none defined in the scenario"
        raise InputError(
            Problem("--program", 0, 0, "", f"unknown program {program_id!r} (programs: {known})")
        )
    plan = scenario.plan if plan is None else plan
    n = scenario.run.replications if replications is None else replications
    seed = scenario.run.seed if seed is None else seed
    base = scenario.model_copy(
        update={"run": scenario.run.model_copy(update={"warmup_periods": 0})}
    )
    terms = plan.programs.get(program_id, FundedProgram())
    with_plan = plan.model_copy(update={"programs": {**plan.programs, program_id: terms}})
    without_plan = plan.model_copy(
        update={"programs": {k: v for k, v in plan.programs.items() if k != program_id}}
    )
    done = [0]

    def progress(step: int) -> Callable[[int], None] | None:
        if on_progress is None:
            return None
        offset = done[0]

        def report(k: int) -> None:
            on_progress(offset + k)

        done[0] += step
        return report

    kw = {
        "seed": seed,
        "workers": workers,
        "backend": backend,
        "batch": batch,
        "detail": "part",
        "keep_part_periods": True,
    }

    def store(name: str) -> ChunkStore | None:
        return None if checkpoint is None else checkpoint.store(f"{program_id}-{name}")

    without = simulate(
        base,
        without_plan,
        replications=n,
        on_progress=progress(n),
        checkpoint=store("without"),
        **kw,
    )
    with_ = simulate(
        base, with_plan, replications=n, on_progress=progress(n), checkpoint=store("with"), **kw
    )
    case = _business_case(base, specs[program_id], with_, without)
    flows, measures, summary, cash_flows, outcomes = case
    table = None
    if tornado:
        m = min(n, tornado_replications or 40)
        table = _tornado(base, specs[program_id], with_plan, without_plan, m, kw, progress, store)
    definitions = {
        **with_.definitions,
        "cash_flows": (
            "per replication and period, at the program's start period t = 0: buyer = margin "
            "with the program - margin without it (same seed: common random numbers; the "
            "buyer's margin includes its share of the program's capex and running cost); "
            "supplier = -its shares of capex and running cost + the unit-cost saving it keeps "
            "+ supplier_margin_rate x the change in spend with the program's suppliers; "
            "joint = buyer + supplier"
        ),
        "npv": (
            "first flow (t = 0, the program's start period) undiscounted, end-of-period "
            "flows after it; each party's annual rate made per period, (1+r)^(1/n)-1; joint "
            "at the buyer's rate; Excel: =CF0 + NPV(r, CF1:CFn)"
        ),
        "irr": "annualised per-period IRR, (1+irr)^n - 1, by bracketed root finding; NaN "
        "when none exists (irr_reason says why) or several do",
        "payback": "years from t = 0 after which the cumulative (discounted) flow stays >= 0, "
        "interpolated within the period; NaN = never within the horizon",
        "profitability_index": "PV of inflows / PV of outflows (disbursements are staged)",
        "payback_rule_of_thumb": f"P(payback <= {finance.PAYBACK_RULE_OF_THUMB_MONTHS:g} months)",
        "tornado": (
            "each uncertain input at its P10 and P90, the others at base (milestone "
            "durations fixed at their medians), on "
            f"{min(n, tornado_replications or 40)} replications (same seed); break-even by "
            "quadratic interpolation through the P10, base and P90 runs"
        ),
        "program": specs[program_id].model_dump(mode="json"),
    }
    return PaybackResult(
        specs[program_id],
        with_,
        without,
        flows,
        measures,
        summary,
        cash_flows,
        outcomes,
        table,
        definitions,
    )


def _business_case(
    scenario: Scenario, program: Program, with_: SimulationResult, without: SimulationResult
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Cash flows by party per replication and period, and their finance measures."""
    hz = scenario.horizon
    dpp, per_year = hz.days_per_period, hz.periods_per_year
    start = scenario.meta.start_date if program.start_date is None else program.start_date
    t0 = int((start - scenario.meta.start_date).days // dpp)

    def wide(frame: pd.DataFrame, column: str) -> np.ndarray:  # (R, T)
        return frame.pivot(index="replication", columns="period", values=column).to_numpy()

    buyer = wide(with_.periods, "margin") - wide(without.periods, "margin")
    mine = with_.programs[with_.programs["program"] == program.id]
    supplier = -(wide(mine, "supplier_capex") + wide(mine, "supplier_opex"))
    supplier += wide(mine, "supplier_savings")
    if program.supplier_margin_rate > 0:

        def spend(result: SimulationResult) -> np.ndarray:
            sp = result.supplier_periods
            sp = sp[sp["supplier"].isin(program.suppliers)]
            return wide(
                sp.groupby(["replication", "period"], as_index=False)["spend"].sum(), "spend"
            )

        supplier += program.supplier_margin_rate * (spend(with_) - spend(without))
    joint = buyer + supplier
    cash = {"buyer": buyer[:, t0:], "supplier": supplier[:, t0:], "joint": joint[:, t0:]}
    rates = {
        "buyer": program.buyer.discount_rate,
        "supplier": program.supplier.discount_rate,
        "joint": program.buyer.discount_rate,
    }
    reps = np.sort(with_.periods["replication"].unique())
    R, T = cash["buyer"].shape
    import datetime as dt

    dates = [start + dt.timedelta(days=t * dpp) for t in range(T)]  # t = 0: the program's start
    rows, summary = [], []
    for party in PARTIES:
        f = cash[party]
        r = finance.periodic_rate(rates[party], per_year)
        irr = finance.irr_many(f)
        values = {
            "npv": finance.npv(r, f),
            "xnpv": np.asarray(finance.xnpv(rates[party], f, dates), dtype=float),
            "irr": _annual(irr.values, per_year),
            "mirr": _annual(np.asarray(finance.mirr(f, r, r), dtype=float), per_year),
            "payback_years": np.asarray(finance.payback(f), dtype=float) / per_year,
            "discounted_payback_years": np.asarray(finance.discounted_payback(r, f), dtype=float)
            / per_year,
            "profitability_index": np.asarray(
                finance.profitability_index(r, f, investment="outflows"), dtype=float
            ),
        }
        frame = pd.DataFrame({"replication": reps, "party": party, **values})
        frame["irr_reason"] = [finance.IRR_REASONS[c] for c in irr.codes]
        rows.append(frame)
        s = finance.summarize_npv(
            values["npv"], np.asarray(finance.payback(f), dtype=float), periods_per_year=per_year
        )
        reservation = {
            "buyer": program.buyer.reservation_npv,
            "supplier": program.supplier.reservation_npv,
            "joint": program.buyer.reservation_npv + program.supplier.reservation_npv,
        }[party]
        summary.append(
            {
                "party": party,
                "discount_rate": rates[party],
                **{k: v for k, v in s.to_dict().items() if k != "percentile_convention"},
                "npv_ci95_half_width": _ci(values["npv"]),
                "irr_median": float(np.nanmedian(values["irr"]))
                if np.isfinite(values["irr"]).any()
                else np.nan,
                "irr_defined_share": float(np.isfinite(values["irr"]).mean()),
                # never paid back counts as longer than any payback: NaN when most never do
                "payback_years_median": _median_or_never(values["payback_years"]),
                "reservation_npv": reservation,
                "would_sign": bool(s.mean >= reservation),
                # resolved: the mean's 95 % CI lies on one side of the reservation NPV
                "sign_resolved": bool(abs(s.mean - reservation) > _ci(values["npv"])),
                "percentile_convention": s.percentile_convention,
            }
        )
    measures = pd.concat(rows, ignore_index=True)
    summary_frame = pd.DataFrame(summary)
    outcome = with_.program_outcomes
    outcome = outcome[outcome["program"] == program.id].drop(columns="program")
    summary_frame["prob_completed"] = float(outcome["completed"].mean())
    periods = np.arange(T)
    flows = pd.concat(
        [
            pd.DataFrame(
                {
                    "replication": np.repeat(reps, T),
                    "period": np.tile(t0 + periods, R),
                    "t": np.tile(periods, R),
                    "party": party,
                    "cash_flow": cash[party].ravel(),
                    "cumulative": np.cumsum(cash[party], axis=1).ravel(),
                }
            )
            for party in PARTIES
        ],
        ignore_index=True,
    )
    bands = []
    for party in PARTIES:
        f, cum = cash[party], np.cumsum(cash[party], axis=1)
        bands.append(
            pd.DataFrame(
                {
                    "period": t0 + periods,
                    "t": periods,
                    "party": party,
                    "mean": f.mean(axis=0),
                    "cumulative_mean": cum.mean(axis=0),
                    **{f"cumulative_p{q}": np.percentile(cum, q, axis=0) for q in (10, 50, 90)},
                }
            )
        )
    return flows, measures, summary_frame, pd.concat(bands, ignore_index=True), outcome


def _median_or_never(years: np.ndarray) -> float:
    """Median payback with "never" (NaN) ranked last; NaN when the median is "never"."""
    ranked = np.sort(np.where(np.isnan(years), np.inf, years))
    median = float(np.median(ranked)) if ranked.size else np.nan
    return median if np.isfinite(median) else np.nan


def _annual(per_period: np.ndarray, per_year: int) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(per_period), (1.0 + per_period) ** per_year - 1.0, np.nan)


def _ci(values: np.ndarray) -> float:
    from keiretsu.analysis.stats import ci_half_width

    return ci_half_width(values)


def _uncertain_inputs(program: Program) -> tuple[dict, dict, dict]:
    """Base, P10 and P90 of every uncertain input: the program's ``uncertainty`` and the
    duration of each milestone whose law has a spread."""
    from keiretsu.econ.demand_law import scipy_law

    base, low, high = {}, {}, {}
    for name, u in program.uncertainty.items():
        base[name] = float(program.capex if name == "capex" else _get(program, name))
        low[name], high[name] = u.p10, u.p90
    for m in program.milestones:
        law = scipy_law(m.duration_days)
        p10, p90 = float(law.ppf(0.1)), float(law.ppf(0.9))
        if p90 > p10:
            key = f"duration:{m.id}"
            base[key], low[key], high[key] = float(law.ppf(0.5)), p10, p90
    return base, low, high


def _get(program: Program, name: str) -> float:
    if hasattr(program, name):
        return getattr(program, name)
    return getattr(program.effects, name)


def _with_input(program: Program, name: str, value: float) -> Program:
    """``program`` with one input set to ``value`` (a milestone duration becomes fixed)."""
    from keiretsu.scenario.distributions import Fixed

    if name.startswith("duration:"):
        milestone = name.split(":", 1)[1]
        stages = [
            m.model_copy(update={"duration_days": Fixed(value=max(value, 0.0))})
            if m.id == milestone
            else m
            for m in program.milestones
        ]
        return program.model_copy(update={"milestones": stages})
    if hasattr(program, name):
        return program.model_copy(update={name: max(value, 0.0)})
    effects = program.effects.model_copy(update={name: max(value, 0.0)})
    return program.model_copy(update={"effects": effects})


def _tornado(
    scenario: Scenario,
    program: Program,
    with_plan: Plan,
    without_plan: Plan,
    m: int,
    kw: dict,
    progress,
    store: Callable[[str], ChunkStore | None],
) -> pd.DataFrame | None:
    """Tornado of each party's mean NPV (see the module docstring); ``store(name)`` is
    the checkpoint store of each of its simulations (or None)."""
    base, low, high = _uncertain_inputs(program)
    if not low:
        return None
    without = simulate(
        scenario,
        without_plan,
        replications=m,
        on_progress=progress(m),
        checkpoint=store("tornado-without"),
        **kw,
    )
    cache: dict[tuple[str, float], dict[str, float]] = {}

    def run(spec: Program, name: str) -> dict[str, float]:
        programs = [spec if p.id == spec.id else p for p in scenario.programs]
        sc = scenario.model_copy(update={"programs": programs})
        with_ = simulate(
            sc, with_plan, replications=m, on_progress=progress(m), checkpoint=store(name), **kw
        )
        summary = _business_case(sc, spec, with_, without)[2].set_index("party")
        return {p: float(summary.loc[p, "mean"]) for p in PARTIES}

    # at base every input holds its base value: a milestone duration its median, fixed
    # (left random, the base run would mix every duration while each bar fixes one, and
    # both ends of a bar could land on the same side of the base)
    at_base_program = program
    for name in base:
        if name.startswith("duration:"):
            at_base_program = _with_input(at_base_program, name, base[name])
    at_base = run(at_base_program, "tornado-base")
    for i, name in enumerate(low):
        for end, value in (("low", low[name]), ("high", high[name])):
            varied = _with_input(at_base_program, name, value)
            cache[(name, value)] = run(varied, f"tornado-{i:02d}-{end}")
    rows = []
    for party in PARTIES:

        def model(inputs: dict[str, float], party: str = party) -> float:
            changed = [k for k in inputs if inputs[k] != base[k]]
            if not changed:
                return at_base[party]
            (k,) = changed  # the tornado moves one input at a time
            x = inputs[k]
            if (k, x) in cache:
                return cache[(k, x)][party]
            xs = np.array([low[k], base[k], high[k]])
            ys = np.array([cache[(k, low[k])][party], at_base[party], cache[(k, high[k])][party]])
            order = np.unique(xs, return_index=True)[1]
            coef = np.polyfit(xs[order], ys[order], deg=min(2, len(order) - 1))
            return float(np.polyval(coef, x))

        result = tornado_of(model, base, low, high)
        for r in result.to_records():
            low_end, high_end = r.pop("search_range")
            rows.append(
                {
                    "party": party,
                    "base_npv": result.base_npv,
                    **r,
                    "search_low": low_end,
                    "search_high": high_end,
                }
            )
    return pd.DataFrame(rows)
