"""Solving PuLP models: HiGHS in-process by default, CBC selectable, statuses never silent.

Two entry points:

* ``solve(prob, using=None)`` returns the :class:`pulp.LpSolveStats` of an *optimal*
  solution and raises :class:`~keiretsu.errors.SolverError` for anything else (the LPs
  of :mod:`keiretsu.optimize.resilience` use it);
* ``solve_with(prob, options)`` takes :class:`SolverOptions` (solver, time limit,
  relative MIP gap, threads) and returns a :class:`SolveReport` whose ``outcome`` is
  ``"optimal"`` or ``"feasible"``; it raises :class:`SolverError` with one of the other
  outcomes below.

Outcomes (``SolverError.outcome`` and ``SolveReport.outcome``), in words:

==========================  ==============================================================
``optimal``                 proved optimal within the relative gap asked for (``gap``;
                            HiGHS's own default is 1e-4, CBC's 0): the report carries
                            the gap actually reached, which can be above zero
``feasible``                stopped early (time limit, node limit, ...) *with* an
                            incumbent; it is returned, flagged, with its gap to the best
                            bound, after ``prob.valid()`` has checked it satisfies every
                            constraint (an incumbent that does not is an error)
``infeasible``              no solution satisfies the constraints
``unbounded``               the objective can improve without limit
``infeasible or unbounded`` the solver could not tell which (HiGHS presolve, MIPs)
``no solution``             stopped early (time limit, ...) before finding any solution
``not solved``              the solver did not run (or refused the model)
==========================  ==============================================================

Whenever a solve fails, the model is written to ``<tmp>/keiretsu-<name>.lp`` (the path is
in the message and in ``SolverError.lp_path``) for inspection.

HiGHS prints a banner on its first use; it is kept off stdout (``--json`` output stays
clean). HiGHS's thread count is **process-wide**: the first solve fixes the size of its
global scheduler and HiGHS refuses (status "not solved") a later solve that asks for a
different ``threads``. :func:`solve_with` therefore resets HiGHS's global scheduler when
the thread count changes, so two in-process HiGHS solves with different ``threads``
must not run at the same time (keiretsu never does). CBC runs as a child process (the
``cbcbox`` binary of the optional extra ``keiretsu[cbc]``, or ``cbc`` on ``PATH``); when
neither is there, asking for it raises a :class:`SolverError` that says how to install it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import pulp

from keiretsu.errors import SolverError


def name_token(text: str) -> str:
    """``text`` safe in a PuLP name: characters other than letters, digits and ``_`` become
    ``_``."""
    return re.sub(r"[^0-9A-Za-z_]", "_", str(text))


Pairs = list[tuple[pulp.LpVariable, float]]
"""A linear expression as (variable, coefficient) pairs, kept beside the model so its value
can be read back from the solution."""


def pairs_value(pairs: Pairs) -> float:
    """The value of ``pairs`` in the solution (an unset variable counts 0)."""
    return float(sum((v.varValue or 0.0) * c for v, c in pairs))


def var_units(v: pulp.LpVariable | None) -> float:
    """A non-negative quantity's solution value: 0 when absent or unset, never below 0
    (the solver's -1e-12 noise)."""
    if v is None or v.varValue is None:
        return 0.0
    return max(float(v.varValue), 0.0)


def gc_paused(build):
    """Run a model builder with Python's cyclic garbage collector paused: a build makes
    millions of small objects and no reference cycles, and the collections those
    allocations trigger took more than half of a large build's time."""

    @functools.wraps(build)
    def paused(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return build(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused


def model_size(prob: pulp.LpProblem) -> dict[str, int]:
    """``{"rows", "columns", "integer_columns", "nonzeros"}`` of a PuLP model."""
    columns = prob.variables()
    rows = prob.constraints()
    return {
        "rows": len(rows),
        "columns": len(columns),
        "integer_columns": sum(1 for v in columns if v.cat in (pulp.LpInteger, pulp.LpBinary)),
        "nonzeros": sum(len(c) for c in rows),
    }


SolverName = Literal["highs", "cbc"]
SOLVERS: tuple[str, ...] = ("highs", "cbc")
Decomposition = Literal["auto", "extensive", "benders"]
DECOMPOSITIONS: tuple[str, ...] = ("auto", "extensive", "benders")
BENDERS_MIN_GAP = 1e-3
"""The least relative gap at which ``decomposition="auto"`` chooses Benders: the
L-shaped method closes a gap of a few tenths of a percent quickly, not a gap of 1e-6."""

STATUS_WORDS = {
    pulp.LpSolveStatus.Optimal: "optimal",
    pulp.LpSolveStatus.Infeasible: "infeasible",
    pulp.LpSolveStatus.Unbounded: "unbounded",
    pulp.LpSolveStatus.Undefined: "infeasible or unbounded",
    pulp.LpSolveStatus.TimeLimit: "stopped at the time limit",
    pulp.LpSolveStatus.NotSolved: "not solved",
}

# why a solver stopped early, in words (the incumbent, if any, is then "feasible")
_EARLY_STOPS = {
    pulp.LpSolveStatus.TimeLimit: "the time limit",
    pulp.LpSolveStatus.MemoryLimit: "the memory limit",
    pulp.LpSolveStatus.NodeLimit: "the node limit",
    pulp.LpSolveStatus.GapLimit: "an objective bound or target",
    pulp.LpSolveStatus.IterationLimit: "the iteration limit",
    pulp.LpSolveStatus.SolutionLimit: "the solution limit",
    pulp.LpSolveStatus.Interrupted: "an interruption",
    pulp.LpSolveStatus.Stopped: "an unreported reason",
}

CBC_MISSING = (
    "CBC is not installed: install the optional extra with `pip install 'keiretsu[cbc]'` "
    "(it brings the cbcbox CBC binary) or put a `cbc` executable on PATH; "
    "HiGHS, the default solver, needs nothing extra"
)

_highs_threads: int | None = None
"""The thread count HiGHS's process-wide scheduler was last set up with (None: unset)."""


@dataclass(frozen=True)
class SolverOptions:
    """How to solve: which solver, and when to stop.

    ``time_limit_s``: wall-clock seconds (None: no limit); ``gap``: relative MIP gap at
    which to stop, |incumbent - bound| / |incumbent| (None: the solver's default,
    1e-4 for HiGHS); ``threads``: solver threads (None: the solver's default; for HiGHS
    a process-wide setting, see the module docstring). The default ``gap`` of 1e-6 is
    the "LP" tolerance of VALIDATION.md, so a default solve is exact to that tolerance.
    ``decomposition``: how a two-stage model (:mod:`keiretsu.optimize.risk`) is solved:
    ``"extensive"`` (every scenario in one model), ``"benders"`` (the L-shaped method of
    :mod:`keiretsu.optimize.benders`, HiGHS only) or ``"auto"`` (Benders for large models
    at a gap of at least :data:`BENDERS_MIN_GAP`; see ``risk.use_benders``).
    """

    solver: SolverName = "highs"
    time_limit_s: float | None = None
    gap: float | None = 1e-6
    threads: int | None = None
    decomposition: Decomposition = "auto"

    def __post_init__(self) -> None:
        problems = []
        if self.solver not in SOLVERS:
            problems.append(f"unknown solver {self.solver!r} (highs or cbc)")
        if self.time_limit_s is not None and not (
            math.isfinite(self.time_limit_s) and self.time_limit_s >= 0
        ):
            problems.append(f"time_limit_s must be a finite number >= 0, got {self.time_limit_s}")
        if self.gap is not None and not (math.isfinite(self.gap) and 0 <= self.gap < 1):
            problems.append(f"gap must be in [0, 1), got {self.gap}")
        if self.threads is not None and (
            isinstance(self.threads, bool) or not isinstance(self.threads, int) or self.threads < 1
        ):
            problems.append(f"threads must be a whole number >= 1, got {self.threads!r}")
        if self.decomposition not in DECOMPOSITIONS:
            problems.append(
                f"unknown decomposition {self.decomposition!r} (auto, extensive or benders)"
            )
        elif self.decomposition == "benders" and self.solver != "highs":
            problems.append("decomposition 'benders' needs the HiGHS solver")
        if problems:
            raise ValueError("; ".join(problems))


@dataclass(frozen=True)
class SolveReport:
    """A usable solution: proved optimal (within ``gap``) or an early stop's incumbent.

    ``gap`` is the relative gap |objective - best_bound| / |objective| the solver reached
    (None when it reports no bound, e.g. a pure LP); ``stopped_by`` says what stopped a
    ``"feasible"`` solve ("the time limit", ...), and is empty when optimal. ``method``:
    how it was solved ("one model", or the decomposition and its iterations).
    """

    outcome: Literal["optimal", "feasible"]
    objective: float
    best_bound: float | None
    gap: float | None
    time_s: float
    solver: str
    stopped_by: str = ""
    method: str = "one model"
    stats: pulp.LpSolveStats | None = field(default=None, repr=False, compare=False)


@contextlib.contextmanager
def quiet_native_stdout() -> Iterator[None]:
    """Send file descriptor 1 to /dev/null while a native solver runs: HiGHS prints its
    banner on first use even with ``msg=False``, which would break ``--json`` output and
    clutter tables; statuses come back through the API, not the log."""
    sys.stdout.flush()
    saved = os.dup(1)
    sink = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(sink, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(sink)


def solver(
    name: str = "highs",
    time_limit: float | None = None,
    threads: int | None = None,
    gap: float | None = None,
) -> pulp.LpSolver:
    """The PuLP solver object for ``name`` ("highs" in-process, or "cbc").

    Raises :class:`SolverError` when CBC is asked for and not installed.
    """
    if name == "highs":
        options = {} if threads is None else {"threads": threads}
        return pulp.HiGHS(msg=False, timeLimit=time_limit, gapRel=gap, **options)
    if name == "cbc":
        cbc = pulp.COIN_CMD(msg=False, timeLimit=time_limit, gapRel=gap, threads=threads)
        if not cbc.available():
            raise SolverError(CBC_MISSING, outcome="not solved")
        return cbc
    raise ValueError(f"unknown solver {name!r} (highs or cbc)")


def lp_path(prob: pulp.LpProblem) -> str:
    """Write ``prob`` to an LP file in the temporary folder; return its path."""
    path = os.path.join(tempfile.gettempdir(), f"keiretsu-{prob.name}.lp")
    with contextlib.suppress(OSError, pulp.PulpError):
        prob.writeLP(path)
    return path


def _run(prob: pulp.LpProblem, using: pulp.LpSolver) -> pulp.LpSolveStats:
    with quiet_native_stdout():
        return prob.solve(using)


def solve(prob: pulp.LpProblem, using: pulp.LpSolver | None = None) -> pulp.LpSolveStats:
    """Solve ``prob``; raise :class:`SolverError` unless an optimal solution came back."""
    stats = _run(prob, using or solver())
    if stats.status == pulp.LpSolveStatus.Optimal and stats.has_solution:
        return stats
    words = STATUS_WORDS.get(stats.status, stats.status.name)
    path = lp_path(prob)
    raise SolverError(
        f"model {prob.name!r}: {words} (model written to {path})",
        status=stats.status,
        outcome=_outcome(stats),
        lp_path=path,
    )


def _outcome(stats: pulp.LpSolveStats) -> str:
    """The outcome word (module docstring) of a solve's statistics."""
    status = stats.status
    if status == pulp.LpSolveStatus.Optimal:
        return "optimal" if stats.has_solution else "not solved"
    if status in _EARLY_STOPS:
        return "feasible" if stats.has_solution else "no solution"
    if status == pulp.LpSolveStatus.NumericalError:
        return "numerical trouble"
    return STATUS_WORDS.get(status, "not solved")


def _feasibility_eps(prob: pulp.LpProblem) -> float:
    """Absolute tolerance for ``prob.valid``: 1e-6 relative to the largest right-hand side."""
    largest = max((abs(c.constant) for c in prob.constraints()), default=0.0)
    return 1e-6 * max(1.0, largest)


def prepare_highs_threads(threads: int | None) -> None:
    """Reset HiGHS's process-wide scheduler when a solve asks for another thread count."""
    global _highs_threads
    if threads is None or threads == _highs_threads:
        return
    import highspy

    highspy.Highs.resetGlobalScheduler(True)  # harmless before the first solve
    _highs_threads = threads


def solve_with(prob: pulp.LpProblem, options: SolverOptions | None = None) -> SolveReport:
    """Solve ``prob`` as ``options`` say; an early stop's incumbent is returned, flagged.

    Returns a :class:`SolveReport` (``"optimal"`` or ``"feasible"`` with its gap). Raises
    :class:`SolverError` (``outcome`` = "infeasible", "unbounded", "infeasible or
    unbounded", "no solution", "not solved", ...) otherwise, and when an early stop's
    incumbent fails ``prob.valid()``; the model is then written to an LP file.
    """
    options = options or SolverOptions()
    using = solver(options.solver, options.time_limit_s, options.threads, options.gap)
    if options.solver == "highs":
        prepare_highs_threads(options.threads)
    started = time.perf_counter()
    stats = _run(prob, using)
    elapsed = time.perf_counter() - started
    outcome = _outcome(stats)
    if outcome in ("optimal", "feasible"):
        if outcome == "feasible" and not prob.valid(_feasibility_eps(prob)):
            path = lp_path(prob)
            raise SolverError(
                f"model {prob.name!r}: the solver stopped at {_EARLY_STOPS[stats.status]} "
                f"with a solution that violates the constraints (model written to {path})",
                status=stats.status,
                outcome="invalid solution",
                lp_path=path,
            )
        objective = float(stats.objective if stats.objective is not None else 0.0)
        bound = stats.best_bound
        gap = None if bound is None else _relative_gap(objective, bound)
        return SolveReport(
            outcome=outcome,  # type: ignore[arg-type]
            objective=objective,
            best_bound=None if bound is None else float(bound),
            gap=gap,
            time_s=elapsed,
            solver=options.solver,
            stopped_by=_EARLY_STOPS.get(stats.status, "") if outcome == "feasible" else "",
            stats=stats,
        )
    path = lp_path(prob)
    if outcome == "no solution":
        what = f"stopped at {_EARLY_STOPS[stats.status]} without a feasible solution"
        if options.time_limit_s is not None and stats.status == pulp.LpSolveStatus.TimeLimit:
            what += f" ({options.time_limit_s:g} s)"
    elif outcome == "not solved" and options.solver == "highs" and options.threads is not None:
        what = f"not solved (HiGHS refused to run with threads={options.threads})"
    else:
        what = outcome
    raise SolverError(
        f"model {prob.name!r}: {what} (model written to {path})",
        status=stats.status,
        outcome=outcome,
        lp_path=path,
    )


def _relative_gap(objective: float, bound: float) -> float:
    """|objective - bound| / |objective| (0 when both are 0, inf when only the objective is)."""
    diff = abs(objective - bound)
    if diff <= 1e-12 * max(1.0, abs(objective)):
        return 0.0
    return diff / abs(objective) if objective != 0 else math.inf
