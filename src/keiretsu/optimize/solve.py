"""Solving PuLP models: HiGHS in-process by default, statuses checked, never silent.

``solve(prob)`` returns the :class:`pulp.LpSolveStats`; anything but an optimal
solution raises :class:`~keiretsu.errors.SolverError` with the status in words, and the
model is written to an LP file beside the temporary folder for inspection. HiGHS prints
a banner on its first use; it is kept off stdout (``--json`` output stays clean).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator

import pulp

from keiretsu.errors import SolverError

STATUS_WORDS = {
    pulp.LpSolveStatus.Optimal: "optimal",
    pulp.LpSolveStatus.Infeasible: "infeasible",
    pulp.LpSolveStatus.Unbounded: "unbounded",
    pulp.LpSolveStatus.Undefined: "infeasible or unbounded",
    pulp.LpSolveStatus.TimeLimit: "stopped at the time limit",
    pulp.LpSolveStatus.NotSolved: "not solved",
}


@contextlib.contextmanager
def _stdout_to_stderr() -> Iterator[None]:
    """Send file descriptor 1 to 2 while a native solver runs (it prints banners)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def solver(
    name: str = "highs", time_limit: float | None = None, threads: int | None = None
) -> pulp.LpSolver:
    """The PuLP solver object for ``name`` ("highs" in-process, or "cbc")."""
    if name == "highs":
        options = {} if threads is None else {"threads": threads}
        return pulp.HiGHS(msg=False, timeLimit=time_limit, **options)
    if name == "cbc":
        return pulp.COIN_CMD(msg=False, timeLimit=time_limit)
    raise ValueError(f"unknown solver {name!r} (highs or cbc)")


def solve(prob: pulp.LpProblem, using: pulp.LpSolver | None = None) -> pulp.LpSolveStats:
    """Solve ``prob``; raise :class:`SolverError` unless an optimal solution came back."""
    with _stdout_to_stderr():
        stats = prob.solve(using or solver())
    if stats.status == pulp.LpSolveStatus.Optimal and stats.has_solution:
        return stats
    words = STATUS_WORDS.get(stats.status, stats.status.name)
    path = os.path.join(tempfile.gettempdir(), f"keiretsu-{prob.name}.lp")
    with contextlib.suppress(OSError):
        prob.writeLP(path)
    raise SolverError(
        f"model {prob.name!r}: {words} (model written to {path})", status=stats.status
    )
