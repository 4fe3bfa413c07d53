r"""The L-shaped (Benders) method for the two-stage risk model, on HiGHS.

The extensive form of :mod:`keiretsu.optimize.risk` holds every scenario's recourse in one
model; at 500 parts x 50 suppliers x 5 years and K = 100 scenarios that is 930,000 rows,
and HiGHS's dual simplex needs minutes for its LP relaxation alone. The model splits
cleanly instead (Van Slyke & Wets 1969, "L-shaped linear programs with applications to
optimal control and stochastic programming", SIAM J. Appl. Math. 17(4); Birge &
Louveaux, *Introduction to Stochastic Programming*, 2nd ed., 2011, ch. 5):

* the **master** is the first stage (the allocation model, reservations, incentives,
  programs), the scenario costs ``C_k`` and the CVaR rows, with one variable ``theta_k``
  per scenario standing for scenario k's recourse cost (``risk.build(decompose=True)``);
* scenario k's **subproblem** is a small LP: its recourse rows (a
  :class:`RecourseBlock`) with the first stage fixed. Its value ``R_k(x)`` is convex and
  piecewise linear in the first stage ``x`` (an LP value function of its right-hand
  side), and the reduced costs ``g`` of the fixed first-stage columns are a subgradient,
  so ``theta_k >= R_k(x^) + g (x - x^)`` (an **optimality cut**) holds for every ``x``.

Every recourse row reads ``a x + b r <= rhs`` with ``b >= 0`` on recourse variables
``r >= 0`` (checked), so ``r = 0`` is the most permissive recourse: a subproblem is
feasible exactly when each of its rows holds at ``r = 0``. A master point that breaks one
gets those rows, without their recourse terms (``a x <= rhs``, valid for every plan the
extensive form allows), added to the master (**feasibility rows**).

Solving (multi-cut: one cut per scenario and round):

1. **LP phase**: the master's LP relaxation and rounds of cuts, separated at the in-out
   point ``lambda x_master + (1 - lambda) x_core`` (Ben-Ameur & Neto 2007, "Acceleration of
   cutting-plane and column generation algorithms", Networks 49(1); Fischetti, Ljubic &
   Sinnl 2017, "Redesigning Benders decomposition for large-scale facility location",
   Management Science 63(7)): ``x_core`` is the running midpoint of the master's
   solutions and ``lambda`` = 0.3, then 1 once the bound stalls. It ends when the bound is
   within half the asked gap of the best point seen (or stalls);
2. the cuts that do not bind at the last LP solution are dropped;
3. **MIP phase**: the master as a MIP (to half the gap), its incumbent evaluated exactly
   by the subproblems (an upper bound: a plan and its true cost), its cuts added, until
   ``(upper - lower) / |upper| <= gap``. The lower bound is the master's best bound (the
   cuts under-estimate every ``R_k``, so the master is a relaxation).

Neither kind of row depends on the objective's weights (a cut bounds scenario k's
recourse cost, a feasibility row the plans its recourse can serve), so a :class:`CutPool`
carries them from one solve to the next of the same scenarios: the frontier, one CVaR
weight after another, starts each point with the rows the point before ended with (its
binding cuts, its feasibility rows and the cuts of its MIP phase). On the issue's
workload at K = 50 that took a three-point frontier from 100 s to 81 s, with tighter
gaps (``bench_optimize.py --frontier``).

The answer is a plan (the best incumbent) and its exact cost, with a proved gap, as the
extensive form's would be; the tests compare the two on random instances. The
subproblems are solved ``threads`` at a time (HiGHS releases the GIL); each is solved the
same way whatever the thread count, so results do not depend on it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp
import scipy.sparse as sparse

from keiretsu.errors import SolverError
from keiretsu.optimize.solve import (
    Pairs,
    SolveReport,
    SolverOptions,
    lp_path,
    prepare_highs_threads,
    quiet_native_stdout,
)

log = logging.getLogger(__name__)
"""Each round is logged at INFO (the CLI shows it as the solve's progress)."""

IN_OUT = 0.3
"""The in-out weight ``lambda`` of the master's point while the bound rises."""
STALL_ROUNDS = 3
"""LP rounds without a 1e-4 rise of the bound after which cuts are taken at the master's
point itself (``lambda`` = 1); twice that ends the LP phase."""
MAX_ROUNDS = 200
"""A guard on the number of rounds of each phase (convergence takes tens)."""
ROW_SLACK = 1e-9
"""A recourse row holds at a master point when it is broken by no more than this times
max(1, |rhs|). A master point may meet a feasibility row only within its solver's
tolerance (a few 1e-7 on rows of 1e5 units), which its subproblem, solved exactly, calls
infeasible: such a subproblem is solved again with this slack on its rows."""


@dataclass
class RecourseBlock:
    """One scenario's recourse: rows ``sum(pairs) <= rhs`` over first-stage and recourse
    variables, and the recourse cost ``sum(cost)`` (model money units). The recourse
    variables are those of ``cost`` and of ``rows`` that are not in the master."""

    rows: list[tuple[Pairs, float]]
    cost: Pairs


@dataclass(frozen=True)
class Settlement:
    """What the master's objective makes of scenario costs ``C``: ``objective(C)`` gives
    (objective, values of the risk variables (eta, z_k) at their best for ``C``)."""

    costs: list[pulp.LpVariable]
    thetas: list[pulp.LpVariable]
    objective: Callable[[np.ndarray], tuple[float, dict[pulp.LpVariable, float]]]


@dataclass
class CutPool:
    """Optimality cuts and feasibility rows of an L-shaped solve, for a later solve of the
    same scenario blocks (the same recourse; any objective weights, any first-stage rules):
    :func:`solve` starts from them and leaves in their place the rows its master ended with.
    Each row is ``lower <= sum(coef * column) <= upper`` over master columns named as in
    the PuLP model (each solve builds its own); ``cut``: an optimality cut (dropped before
    the MIP phase when it does not bind), else a feasibility row."""

    rows: list[tuple[tuple[str, ...], np.ndarray, float, float, bool]] = field(default_factory=list)

    def add(self, names: list[str], index, value, lower, upper, cut: bool) -> None:
        """Rows given as HiGHS takes them (``index`` / ``value``: one list per row)."""
        for idx, val, lo, up in zip(index, value, lower, upper, strict=True):
            self.rows.append(
                (tuple(names[j] for j in idx), np.asarray(val, dtype=float), lo, up, cut)
            )

    def frames(self) -> dict[str, pd.DataFrame]:
        """The rows as tables (to keep in a checkpoint): ``cut_rows`` (lower, upper, cut,
        size) and ``cut_entries`` (column name, coefficient), rows in order."""
        return {
            "cut_rows": pd.DataFrame(
                {
                    "lower": [r[2] for r in self.rows],
                    "upper": [r[3] for r in self.rows],
                    "cut": [r[4] for r in self.rows],
                    "size": [len(r[0]) for r in self.rows],
                }
            ),
            "cut_entries": pd.DataFrame(
                {
                    "column": [n for r in self.rows for n in r[0]],
                    "coefficient": np.concatenate([r[1] for r in self.rows] or [np.zeros(0)]),
                }
            ),
        }

    @classmethod
    def from_frames(cls, frames: dict[str, pd.DataFrame]) -> CutPool:
        """The pool :meth:`frames` wrote."""
        head, entries = frames["cut_rows"], frames["cut_entries"]
        names = entries["column"].tolist()
        coef = entries["coefficient"].to_numpy(dtype=float)
        ends = np.cumsum(head["size"].to_numpy(dtype=np.int64))
        starts = ends - head["size"].to_numpy(dtype=np.int64)
        rows = [
            (tuple(names[a:b]), coef[a:b].copy(), float(lo), float(up), bool(cut))
            for a, b, lo, up, cut in zip(
                starts, ends, head["lower"], head["upper"], head["cut"], strict=True
            )
        ]
        return cls(rows)


class _Sub:
    """Scenario k's subproblem on its own HiGHS instance (built once, re-solved with the
    first stage fixed at each point)."""

    def __init__(self, block: RecourseBlock, master_col: dict[int, int]) -> None:
        import highspy

        own: dict[int, int] = {}
        own_vars: list[pulp.LpVariable] = []
        fixed: dict[int, int] = {}
        fixed_cols: list[int] = []

        def place(v: pulp.LpVariable) -> tuple[bool, int]:
            j = master_col.get(v.id)
            if j is None:
                if v.id not in own:
                    own[v.id] = len(own_vars)
                    own_vars.append(v)
                return True, own[v.id]
            if j not in fixed:
                fixed[j] = len(fixed_cols)
                fixed_cols.append(j)
            return False, fixed[j]

        cost_of: dict[int, float] = {}
        for v, c in block.cost:
            _, p = place(v)
            cost_of[p] = cost_of.get(p, 0.0) + c
        rows: list[tuple[list[tuple[bool, int, float]], float]] = []
        for pairs, rhs in block.rows:
            entries = []
            for v, a in pairs:
                if a == 0:
                    continue
                is_own, p = place(v)
                if is_own and (a < 0 or (v.lowBound or 0.0) != 0.0):
                    raise ValueError(
                        f"recourse variable {v.name}: the L-shaped method needs recourse "
                        "that only uses up room (coefficient >= 0, lower bound 0)"
                    )
                entries.append((is_own, p, float(a)))
            rows.append((entries, float(rhs)))
        n_own, n_fix = len(own_vars), len(fixed_cols)
        self.vars = own_vars
        self.cols = np.array(fixed_cols, dtype=np.int64)
        self.n_own = n_own
        indptr, index, value, upper = [0], [], [], []
        p_ptr, p_index, p_value = [0], [], []
        for entries, rhs in rows:
            for is_own, p, a in entries:
                index.append(p if is_own else n_own + p)
                value.append(a)
                if not is_own:
                    p_index.append(p)
                    p_value.append(a)
            indptr.append(len(index))
            p_ptr.append(len(p_index))
            upper.append(rhs)
        self.rhs = np.array(upper)
        # the rows at r = 0, over the master's columns (feasibility rows)
        self.projected = sparse.csr_matrix(
            (p_value, p_index, p_ptr), shape=(len(rows), n_fix)
        ).tocsr()
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        inf = highspy.kHighsInf
        lower = np.zeros(n_own + n_fix)
        up = np.array([_finite(v.upBound) for v in own_vars] + [0.0] * n_fix)
        cost = np.zeros(n_own + n_fix)
        for p, c in cost_of.items():
            cost[p] = c
        empty = np.zeros(0, dtype=np.int32)
        h.addCols(
            n_own + n_fix,
            cost,
            lower,
            np.where(np.isfinite(up), up, inf),
            0,
            empty,
            empty,
            np.zeros(0),
        )
        h.addRows(
            len(rows),
            np.full(len(rows), -inf),
            self.rhs,
            len(index),
            np.array(indptr[:-1], dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value, dtype=np.float64),
        )
        self.h = h
        self.fixed_index = np.arange(n_own, n_own + n_fix, dtype=np.int32)
        self.row_index = np.arange(len(rows), dtype=np.int32)
        self.slack = ROW_SLACK * np.maximum(1.0, np.abs(self.rhs))

    def solve(self, x: np.ndarray) -> tuple[float, np.ndarray, np.ndarray] | None:
        """(R_k, subgradient on the fixed columns, recourse values) at master point ``x``,
        or None when infeasible there."""
        import highspy

        if self.n_own == 0:  # nothing to decide: no loss in this scenario
            return 0.0, np.zeros(len(self.cols)), np.zeros(0)
        val = x[self.cols]
        self.h.changeColsBounds(len(self.cols), self.fixed_index, val, val)
        self.h.run()
        if self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            return self._result()
        if self.broken(x).size:
            return None
        # no row broken beyond ROW_SLACK: the master's tolerance, not a missing row
        n, inf = len(self.rhs), highspy.kHighsInf
        self.h.changeRowsBounds(n, self.row_index, np.full(n, -inf), self.rhs + self.slack)
        self.h.run()
        solved = self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        result = self._result() if solved else None
        self.h.changeRowsBounds(n, self.row_index, np.full(n, -inf), self.rhs)
        return result

    def _result(self) -> tuple[float, np.ndarray, np.ndarray]:
        sol = self.h.getSolution()
        duals = np.asarray(sol.col_dual)[self.n_own :]
        own = np.asarray(sol.col_value)[: self.n_own]
        return float(self.h.getInfo().objective_function_value), duals, own

    def broken(self, x: np.ndarray) -> np.ndarray:
        """The rows (positions) that fail at ``x`` with no recourse (beyond ``ROW_SLACK``)."""
        lhs = self.projected @ x[self.cols]
        return np.flatnonzero(lhs > self.rhs + self.slack)


def _finite(bound: float | None) -> float:
    return math.inf if bound is None else float(bound)


def size(blocks: list[RecourseBlock]) -> dict[str, int]:
    """Rows and nonzeros the blocks add to the master (with it, the extensive form's)."""
    rows = sum(len(b.rows) for b in blocks)
    nonzeros = sum(len(pairs) for b in blocks for pairs, _ in b.rows)
    return {"rows": rows, "nonzeros": nonzeros}


def solve(
    prob: pulp.LpProblem,
    blocks: list[RecourseBlock],
    settlement: Settlement,
    options: SolverOptions,
    cuts: CutPool | None = None,
) -> SolveReport:
    """Solve master ``prob`` and the scenario ``blocks`` by the L-shaped method (module
    docstring); write the solution into the PuLP variables (the recourse variables'
    too). Returns a :class:`SolveReport` ("optimal" within ``options.gap``, or
    "feasible" at an early stop, ``method`` naming the rounds); raises
    :class:`SolverError` when the master is infeasible or no plan was found in time.

    HiGHS's banner (printed by whichever instance runs first) is kept off stdout for the
    whole solve: file descriptor 1 is shared by the threads that solve the subproblems,
    so it is redirected once, around all of them. ``cuts``: rows of an earlier solve of the
    same blocks, added to the master first; replaced by the rows the master ends with."""
    with quiet_native_stdout():
        return _solve(prob, blocks, settlement, options, cuts)


def _solve(
    prob: pulp.LpProblem,
    blocks: list[RecourseBlock],
    settlement: Settlement,
    options: SolverOptions,
    cuts: CutPool | None,
) -> SolveReport:
    """:func:`solve`, with stdout already redirected."""
    import highspy

    started = time.perf_counter()
    gap = 1e-4 if options.gap is None else options.gap
    limit = math.inf if options.time_limit_s is None else options.time_limit_s
    prepare_highs_threads(options.threads)
    using = pulp.HiGHS(msg=False, threads=options.threads)
    using.createAndConfigureSolver(prob)
    using.buildSolverModel(prob)
    master = prob.solverModel
    master.setOptionValue("output_flag", False)
    columns = prob.exported_variables()
    col = {v.id: j for j, v in enumerate(columns)}
    integer = np.array(
        [j for j, v in enumerate(columns) if v.cat == pulp.LpInteger], dtype=np.int32
    )
    lower = np.array([-math.inf if v.lowBound is None else v.lowBound for v in columns])
    upper = np.array([math.inf if v.upBound is None else v.upBound for v in columns])
    theta = np.array([col[t.id] for t in settlement.thetas])
    cost_cols = np.array([col[c.id] for c in settlement.costs])
    subs = [_Sub(b, col) for b in blocks]
    log.debug(
        "master (%d rows) and %d subproblems set up in %.1f s",
        master.getNumRow(),
        len(subs),
        time.perf_counter() - started,
    )
    workers = max(1, options.threads or 1)
    pool = ThreadPoolExecutor(workers) if workers > 1 and len(subs) > 1 else None
    n_base = master.getNumRow()
    cut_rows: list[bool] = []  # per row added after the base: True for a cut
    inf = highspy.kHighsInf
    names = [v.name for v in columns]

    learnt = CutPool()  # the rows added to the master, in order (kept in step with it)

    def add_rows(lower, upper, starts, index, value, cut: bool) -> None:
        """Rows ``lower <= sum(value * x[index]) <= upper`` (CSR ``starts``) into the
        master."""
        master.addRows(
            len(lower),
            np.asarray(lower, dtype=np.float64),
            np.asarray(upper, dtype=np.float64),
            len(index),
            np.asarray(starts, dtype=np.int32),
            np.asarray(index, dtype=np.int32),
            np.asarray(value, dtype=np.float64),
        )
        cut_rows.extend([cut] * len(lower))
        if cuts is not None:
            ends = [*starts[1:], len(index)]
            learnt.add(
                names,
                [index[a:b] for a, b in zip(starts, ends, strict=True)],
                [value[a:b] for a, b in zip(starts, ends, strict=True)],
                lower,
                upper,
                cut,
            )

    if cuts is not None and cuts.rows:  # rows of earlier solves whose columns all exist here
        position = {name: j for j, name in enumerate(names)}
        for is_cut in (True, False):
            starts, index, value, low, up = [], [], [], [], []
            for row_names, coef, lo, hi, cut in cuts.rows:
                if cut != is_cut or any(n not in position for n in row_names):
                    continue
                starts.append(len(index))
                index.extend(position[n] for n in row_names)
                value.extend(coef.tolist())
                low.append(lo)
                up.append(hi)
            if low:
                add_rows(low, up, starts, index, value, is_cut)
        log.debug("master starts with %d rows from earlier solves", len(cut_rows))

    def run_master(time_left: float) -> tuple[np.ndarray, float] | None:
        master.setOptionValue(
            "time_limit", max(time_left, 1.0) if math.isfinite(time_left) else inf
        )
        if mip:  # a MIP re-solved after changes starts afresh: HiGHS 1.16 reported a
            master.clearSolver()  # stale objective and bound otherwise
        master.run()
        status = master.getModelStatus()
        has = master.getInfo().primal_solution_status == 2  # feasible
        if status in (highspy.HighsModelStatus.kInfeasible,):
            path = lp_path(prob)
            raise SolverError(
                f"model {prob.name!r}: infeasible (model written to {path})",
                status=pulp.LpSolveStatus.Infeasible,
                outcome="infeasible",
                lp_path=path,
            )
        if status != highspy.HighsModelStatus.kOptimal and not has:
            return None
        info = master.getInfo()
        bound = info.mip_dual_bound if mip else info.objective_function_value
        return np.asarray(master.getSolution().col_value, dtype=float), float(bound)

    def evaluate(point: np.ndarray):
        """Subproblems at ``point``: (objective, scenario costs, results) or (None, broken
        rows per scenario)."""
        x = np.clip(point, lower, upper)
        if mip and integer.size:
            x[integer] = np.round(x[integer])
        results = list(pool.map(lambda s: s.solve(x), subs)) if pool else [s.solve(x) for s in subs]
        if any(r is None for r in results):
            return (
                None,
                x,
                [
                    s.broken(x) if r is None else np.zeros(0, int)
                    for s, r in zip(subs, results, strict=True)
                ],
            )
        recourse = np.array([r[0] for r in results])
        scenario_costs = x[cost_cols] + recourse - x[theta]
        objective, _ = settlement.objective(scenario_costs)
        return objective, x, results

    def add_feasibility(broken: list[np.ndarray]) -> int:
        added = 0
        for s, rows in zip(subs, broken, strict=True):
            if rows.size == 0:
                continue
            block = s.projected[rows]
            add_rows(
                [-inf] * rows.size,
                s.rhs[rows].tolist(),
                block.indptr[:-1].tolist(),
                s.cols[block.indices].tolist(),
                block.data.tolist(),
                cut=False,
            )
            added += rows.size
        if added == 0:
            raise SolverError(
                f"model {prob.name!r}: a scenario subproblem is infeasible at a master "
                "solution that breaks none of its rows (numerical trouble)",
                outcome="numerical trouble",
            )
        return added

    def add_cuts(x: np.ndarray, at: np.ndarray, results) -> int:
        """Cuts from ``results`` (taken at ``x``) that the master point ``at`` violates."""
        starts, index, value, low = [], [], [], []
        for k, (s, r) in enumerate(zip(subs, results, strict=True)):
            recourse, g, _ = r
            constant = recourse - float(g @ x[s.cols])
            if constant + float(g @ at[s.cols]) <= at[theta[k]] + 1e-7 * max(1.0, abs(recourse)):
                continue
            keep = np.abs(g) > 1e-12
            starts.append(len(index))
            index.extend(s.cols[keep].tolist())
            value.extend((-g[keep]).tolist())
            index.append(int(theta[k]))
            value.append(1.0)
            low.append(constant)
        if low:
            add_rows(low, [inf] * len(low), starts, index, value, cut=True)
        return len(low)

    def separate_at(at: np.ndarray, master_point: np.ndarray) -> int | None:
        """Evaluate ``at`` (remembered if the best so far) and add the cuts it gives that
        ``master_point`` violates; None when its feasibility rows were added instead."""
        nonlocal best_lp, lp_best_point
        objective, x, results = evaluate(at)
        if objective is None:
            add_feasibility(results)
            return None
        if objective < best_lp:
            best_lp, lp_best_point = objective, (x, results)
        return add_cuts(x, master_point, results)

    # ---- LP phase
    mip = False
    if integer.size:
        master.changeColsIntegrality(
            integer.size, integer, np.full(integer.size, highspy.HighsVarType.kContinuous)
        )
    bound, best_lp, core, stall, weight = -math.inf, math.inf, None, 0, IN_OUT
    rounds = 0
    lp_best_point = None
    for _ in range(MAX_ROUNDS):
        rounds += 1
        got = run_master(limit - (time.perf_counter() - started))
        if got is None:
            break
        point, new_bound = got
        stall = stall + 1 if new_bound < bound + 1e-4 * abs(new_bound) else 0
        bound = max(bound, new_bound)
        if stall >= STALL_ROUNDS:
            weight = 1.0
        core = point.copy() if core is None else core
        separate = weight * point + (1.0 - weight) * core
        core = 0.5 * (core + point)
        added = separate_at(separate, point)
        if added == 0 and weight < 1.0:  # the in-out point's cuts do not cut: the master's
            added = separate_at(point, point)
        if added is None:  # feasibility rows were added: the core starts again
            core = None
            continue
        lp_gap = (best_lp - bound) / max(abs(best_lp), 1e-12)
        log.info(
            "Benders: LP round %d, bound within %.2f %% of the best point", rounds, 100 * lp_gap
        )
        if (
            added == 0
            or lp_gap <= (gap if not integer.size else 0.5 * gap)
            or stall >= 2 * STALL_ROUNDS
            or time.perf_counter() - started > 0.5 * limit
        ):
            break
    lp_rounds = rounds
    stop = f"the round limit ({MAX_ROUNDS})"
    # ---- MIP phase (or, for an LP master, the best point is the answer)
    if not integer.size:
        if lp_best_point is None:
            raise _no_plan(prob, limit)
        stop = "the time limit" if time.perf_counter() - started > 0.5 * limit else stop
        best, best_value = lp_best_point, best_lp
    else:
        nrow = master.getNumRow()
        duals = np.asarray(master.getSolution().row_dual)
        drop = np.array(
            [
                n_base + i
                for i, is_cut in enumerate(cut_rows)
                if is_cut and abs(duals[n_base + i]) < 1e-12
            ],
            dtype=np.int32,
        )
        if drop.size and nrow == n_base + len(cut_rows):
            master.deleteRows(drop.size, drop)
            dropped = set((drop - n_base).tolist())
            cut_rows[:] = [c for i, c in enumerate(cut_rows) if i not in dropped]
            if cuts is not None:
                learnt.rows[:] = [c for i, c in enumerate(learnt.rows) if i not in dropped]
        master.changeColsIntegrality(
            integer.size, integer, np.full(integer.size, highspy.HighsVarType.kInteger)
        )
        master.setOptionValue("mip_rel_gap", 0.5 * gap)
        mip = True
        best, best_value = None, math.inf
        for _ in range(MAX_ROUNDS):
            time_left = limit - (time.perf_counter() - started)
            if time_left <= 0 and best is not None:
                stop = "the time limit"
                break
            rounds += 1
            got = run_master(time_left)
            if got is None:
                stop = "the time limit"
                break
            point, mip_bound = got
            bound = max(bound, mip_bound)
            objective, x, results = evaluate(point)
            if objective is None:
                add_feasibility(results)
                continue
            if objective < best_value:
                best, best_value = (x, results), objective
            log.info(
                "Benders: MIP round %d, plan within %.2f %% of the bound",
                rounds,
                100 * (best_value - bound) / max(abs(best_value), 1e-12),
            )
            if (best_value - bound) / max(abs(best_value), 1e-12) <= gap:
                break
            if add_cuts(x, point, results) == 0:
                stop = "the cut tolerance (no cut separates the incumbent)"
                break
        if best is None:
            raise _no_plan(prob, limit)
    # ---- the answer into the PuLP variables
    x, results = best
    for j, v in enumerate(columns):
        v.varValue = float(x[j])
    recourse = np.array([r[0] for r in results])
    scenario_costs = x[cost_cols] + recourse - x[theta]
    objective, risk_values = settlement.objective(scenario_costs)
    for k, (c, t) in enumerate(zip(settlement.costs, settlement.thetas, strict=True)):
        c.varValue = float(scenario_costs[k])
        t.varValue = float(recourse[k])
    for v, value in risk_values.items():
        v.varValue = value
    for s, r in zip(subs, results, strict=True):
        for v, value in zip(s.vars, r[2], strict=True):
            v.varValue = float(value)
    if pool is not None:
        pool.shutdown()
    if cuts is not None:  # what the next solve starts from: the rows the master ends with
        cuts.rows[:] = learnt.rows
    reached = max(0.0, (objective - bound) / max(abs(objective), 1e-12))
    within = reached <= gap * (1 + 1e-9)
    return SolveReport(
        outcome="optimal" if within else "feasible",
        objective=objective,
        best_bound=bound,
        gap=reached,
        time_s=time.perf_counter() - started,
        solver="highs",
        stopped_by="" if within else stop,
        method=f"Benders (L-shaped): {lp_rounds} LP rounds, {rounds - lp_rounds} MIP rounds",
    )


def _no_plan(prob: pulp.LpProblem, limit: float) -> SolverError:
    path = lp_path(prob)
    return SolverError(
        f"model {prob.name!r}: stopped at the time limit ({limit:g} s) without a feasible "
        f"solution (model written to {path})",
        status=pulp.LpSolveStatus.TimeLimit,
        outcome="no solution",
        lp_path=path,
    )
