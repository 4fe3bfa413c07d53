"""Joint-investment programs at run time: milestones drawn up front, effects and cash flows.

Each funded program draws, per replication, from its own stream ``program/ID``: for each
milestone in order its duration (days) and a uniform that decides its success (drawn for
every milestone whatever happens, so a program's numbers never depend on another's).
Milestones run back to back from the program's start; milestone ``j`` ends at
``start + d_1 + ... + d_j`` and succeeds when its uniform is below its success
probability. The program completes when the last one succeeds; the first failure
abandons it.

Cash flows (money, booked in the period containing the day they fall due): milestone
``j``'s disbursement ``capex x share_j x (1 - retention_j)`` when it ends (success or
failure: the work was done); the retentions when the program completes (never if it is
abandoned); the operating cost ``per year / periods per year`` in every period whose
middle is at or after completion. The buyer pays its cost and operating shares, the
supplier(s) the rest.

Effects at the middle of period ``t``: ``f_t = clip((mid_t - completion) / ramp, 0, 1)``
(a step at completion when there is no ramp-up), times each effect's full size, on the
program's offers; several programs on one offer add up. See
:mod:`keiretsu.scenario.programs` for what each effect does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from keiretsu.rng import stream
from keiretsu.sim.network import Network


@dataclass
class ProgramRuns:
    """Per replication, what each funded program did (``K`` programs, arrays period-first)."""

    progress: np.ndarray  # (T, R, K) share of the full effects in force at mid-period
    capex: np.ndarray  # (T, R, K) capex disbursed in the period (all parties)
    opex: np.ndarray  # (T, R, K) operating cost in the period (all parties)
    completed_day: np.ndarray  # (R, K) day of completion; inf if abandoned or not by the horizon
    abandoned_at: np.ndarray  # (R, K) index of the failed milestone, -1 if none failed
    milestone_end_day: np.ndarray  # (R, K, M) day each milestone ended (inf: never reached)

    def progress_at_day(self, net: Network, k: int, r: int, day: float) -> float:
        """Share of program ``k``'s effects in force on ``day`` in replication ``r``."""
        done = self.completed_day[r, k]
        if not math.isfinite(done) or day < done:
            return 0.0
        ramp = net.programs[k].spec.effects.ramp_up_days
        return 1.0 if ramp <= 0 else min(1.0, (day - done) / ramp)


def program_runs(net: Network, seed: int, replications: list[int]) -> ProgramRuns | None:
    """Milestones, completion, effects and cash flows of the plan's programs (see module doc)."""
    if not net.programs:
        return None
    T, dpp = net.n_periods, net.days_per_period
    R, K = len(replications), len(net.programs)
    M = max(len(p.spec.milestones) for p in net.programs)
    mid = (np.arange(T) + 0.5) * dpp
    out = ProgramRuns(
        progress=np.zeros((T, R, K)),
        capex=np.zeros((T, R, K)),
        opex=np.zeros((T, R, K)),
        completed_day=np.full((R, K), np.inf),
        abandoned_at=np.full((R, K), -1, dtype=np.int64),
        milestone_end_day=np.full((R, K, M), np.inf),
    )

    def book(array: np.ndarray, r: int, k: int, day: float, amount: float) -> None:
        t = int(day // dpp)
        if 0 <= t < T:
            array[t, r, k] += amount

    for k, prog in enumerate(net.programs):
        spec = prog.spec
        opex_per_period = spec.operating_cost_per_year / net.periods_per_year
        ramp = spec.effects.ramp_up_days
        for r, rep in enumerate(replications):
            rng = stream(seed, rep, f"program/{spec.id}")
            draws = [
                (float(m.duration_days.sample(rng, 1)[0]), rng.random()) for m in spec.milestones
            ]
            day, retained, failed = prog.start_day, 0.0, False
            for j, (m, (duration, u)) in enumerate(zip(spec.milestones, draws, strict=True)):
                day += duration
                out.milestone_end_day[r, k, j] = day
                paid = spec.capex * m.disbursement_share
                book(out.capex, r, k, day, paid * (1 - m.retention_share))
                retained += paid * m.retention_share
                if u >= m.success_probability:
                    out.abandoned_at[r, k] = j
                    failed = True
                    break
            if failed:
                continue
            out.completed_day[r, k] = day
            book(out.capex, r, k, day, retained)
            running = mid >= day
            out.opex[running, r, k] = opex_per_period
            if ramp > 0:
                out.progress[:, r, k] = np.clip((mid - day) / ramp, 0.0, 1.0)
            else:
                out.progress[:, r, k] = running
    return out


def effect_matrix(net: Network, field: str) -> np.ndarray:
    """(K, O): program ``k``'s full-size effect ``field`` on each offer (0 off its offers)."""
    out = np.zeros((len(net.programs), net.n_offers))
    for k, prog in enumerate(net.programs):
        out[k, prog.offers] = getattr(prog.spec.effects, field)
    return out


def buyer_share_of_savings(net: Network) -> np.ndarray:
    """(K,) share of each program's unit-cost saving passed to the buyer as a lower price."""
    return np.array([p.spec.benefit_sharing.buyer_share for p in net.programs])
