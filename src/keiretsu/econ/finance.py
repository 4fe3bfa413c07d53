"""Finance of co-investment programs: NPV, IRR, MIRR, payback, PI, XNPV/XIRR, rNPV.

Pure numpy on plain arrays; every function that takes ``flows`` of shape ``(..., T)``
works along the last axis (periods) and vectorises over the leading axes
(replications, parties, scenarios). ``docs/explanation/finance.md`` has the worked
conventions, Excel equivalents and sources.

Conventions
-----------
* **Timing.** ``flows[..., t]`` is the net cash flow at time ``t`` periods from now: the
  first flow (``t = 0``) is undiscounted, the others fall at the end of their period.
  ``NPV(r) = sum_t CF_t / (1 + r)^t``, numpy-financial's convention; in Excel
  ``=CF0 + NPV(r, CF1:CFn)`` (Excel's ``NPV()`` discounts its first argument).
* **Rates** are per period. A party's discount rate is quoted per year; for weekly or
  daily flows use :func:`periodic_rate` ``(1 + r)^(1/n) - 1`` (equal compounding).
* **IRR** is a rate with ``NPV(IRR) = 0``, found by bracketing: NPV is evaluated on the
  grid :data:`IRR_GRID` of per-period rates (-99 % to +1,000,000 %, 0.05 % apart within
  ±10 %, 0.25 % within [-50 %, 100 %]), every sign change is solved to machine
  precision by safeguarded regula falsi (the bracket always holds the root), and a
  grid rate where NPV is exactly zero is a root. No Newton step is
  ever taken, so the answer never depends on a guess. By Descartes' rule of signs
  (``NPV`` is a polynomial in ``1/(1 + r)``) flows that change sign once have exactly one
  IRR; otherwise there may be none or several, and all are reported. Roots closer
  together than the grid spacing, or a repeated root between grid rates (NPV touching
  zero without crossing), are not separated; that is the price of never guessing.
* **Payback** is the time (in periods) from which the cumulative flow stays >= 0 to the
  end of the horizon, linearly interpolated within the period in which it turns
  non-negative; 0 when it is never negative; NaN means *never within the horizon*.
  The discounted payback applies the same rule to discounted flows.
* **Percentiles.** Pxx is the xx-th percentile over replications, linear interpolation
  (Hyndman & Fan 1996, type 7; numpy's default) — :data:`PERCENTILE_CONVENTION`.

Sources: numpy-financial (npv, irr, mirr conventions); Microsoft Excel documentation of
NPV, IRR, MIRR, XNPV and XIRR; Ross, Westerfield & Jaffe, *Corporate Finance*, ch. 5
(payback, discounted payback, profitability index); Stewart, Allison & Johnson (2001),
"Putting a price on biotechnology", *Nature Biotechnology* 19, 813-817 (rNPV).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

PERCENTILE_CONVENTION = (
    "Pxx = xx-th percentile over replications (linear interpolation, Hyndman-Fan type 7); "
    "for values (NPV, fill rate, margin) P10 is the pessimistic tail, "
    "for costs and times (payback) the optimistic one"
)
"""The percentile convention every output states (``analysis.stats`` reuses it)."""

PAYBACK_RULE_OF_THUMB_MONTHS = 18.0
"""The users' rule of thumb: a joint investment is recouped within 12-18 months."""

PARTIES = ("buyer", "supplier", "joint")
"""Keys of :func:`split_cash_flows` (``joint`` = the whole project = buyer + supplier)."""


def _make_irr_grid() -> np.ndarray:
    parts = [
        np.arange(-99, -50) / 100.0,  # -99 % .. -51 %, 1 % apart
        np.arange(-200, -40) * 0.0025,  # -50 % .. -10.25 %, 0.25 % apart
        np.arange(-200, 201) * 0.0005,  # -10 % .. +10 %, 0.05 % apart (0 exactly)
        np.arange(41, 401) * 0.0025,  # +10.25 % .. +100 %, 0.25 % apart
        np.geomspace(1.0, 1e4, 161)[1:],  # +100 % .. +1,000,000 %, 5.9 % apart (relative)
    ]
    grid = np.unique(np.concatenate(parts))
    grid.setflags(write=False)
    return grid


IRR_GRID = _make_irr_grid()
"""Per-period rates on which NPV is evaluated to bracket IRRs (sorted, includes 0)."""
IRR_SEARCH_RANGE = (float(IRR_GRID[0]), float(IRR_GRID[-1]))

IRR_OK, IRR_NO_SIGN_CHANGE, IRR_NO_ROOT, IRR_SEVERAL = 0, 1, 2, 3
IRR_REASONS = {
    IRR_OK: "one IRR",
    IRR_NO_SIGN_CHANGE: "no sign change: no IRR",
    IRR_NO_ROOT: (
        f"flows change sign but NPV does not cross zero for rates in "
        f"[{IRR_SEARCH_RANGE[0]:.0%}, {IRR_SEARCH_RANGE[1]:,.0%}] per period: no IRR"
    ),
    IRR_SEVERAL: "several IRRs: IRR is not a sound criterion here, use NPV (or MIRR)",
}
"""Reason codes of :func:`irr_many` (and the reason families of :func:`irr`)."""


# --------------------------------------------------------------------------- helpers


def _flows(flows: Any, name: str = "flows", min_periods: int = 1) -> np.ndarray:
    a = np.asarray(flows, dtype=float)
    if a.ndim == 0:
        raise ValueError(f"{name} must be an array of cash flows over periods, got a scalar")
    if a.shape[-1] < min_periods:
        raise ValueError(f"{name} needs at least {min_periods} periods, got {a.shape[-1]}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return a


def _rate(rate: Any, name: str = "rate") -> np.ndarray:
    r = np.asarray(rate, dtype=float)
    if not np.all(np.isfinite(r)) or np.any(r <= -1.0):
        raise ValueError(f"{name} must be finite and > -1 (a rate per period), got {rate!r}")
    return r


def _out(a: np.ndarray) -> Any:
    """A float for a 0-d result, the array otherwise."""
    return a[()] if a.ndim == 0 else a


def _sign_changes(flows2d: np.ndarray) -> np.ndarray:
    """Per row, the number of sign changes of the flows, zeros skipped (Descartes)."""
    s = np.sign(flows2d)
    T = s.shape[1]
    idx = np.where(s != 0, np.arange(T), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    filled = np.take_along_axis(s, idx, axis=1)
    return np.count_nonzero(filled[:, 1:] * filled[:, :-1] < 0, axis=1)


# --------------------------------------------------------------------------- rates, NPV


def periodic_rate(annual_rate: Any, periods_per_year: float) -> Any:
    """The per-period rate equivalent to ``annual_rate``: ``(1 + r)^(1/n) - 1``.

    A party's discount rate is quoted per year; cash flows may be weekly (n = 52) or
    daily (n = 365). Excel: ``=(1+r)^(1/n)-1``.
    """
    r = _rate(annual_rate, "annual_rate")
    if not np.isfinite(periods_per_year) or periods_per_year <= 0:
        raise ValueError(f"periods_per_year must be > 0, got {periods_per_year!r}")
    return _out(np.power(1.0 + r, 1.0 / periods_per_year) - 1.0)


def _discount(rate: np.ndarray, T: int) -> np.ndarray:
    """Discount factors ``(1 + rate)^-t``, t = 0..T-1, shape ``rate.shape + (T,)``."""
    return np.power(1.0 + rate[..., None], -np.arange(T, dtype=float))


def npv(rate: Any, flows: Any) -> Any:
    """Net present value ``sum_t CF_t / (1 + r)^t`` along the last axis of ``flows``.

    ``t = 0`` is undiscounted, later flows fall at the end of their period. ``rate`` is
    per period, a scalar or an array broadcasting against ``flows.shape[:-1]`` (one
    rate per replication, or several rates for an NPV profile). Excel equivalent:
    ``=CF0 + NPV(r, CF1:CFn)``.
    """
    f = _flows(flows)
    return _out(np.sum(f * _discount(_rate(rate), f.shape[-1]), axis=-1))


# --------------------------------------------------------------------------- IRR


@dataclass(frozen=True)
class IrrResult:
    """An IRR (per period) or NaN, why, and every root found (ascending)."""

    value: float
    reason: str
    roots: tuple[float, ...]


@dataclass(frozen=True)
class IrrMany:
    """Row-wise IRRs: ``values`` (NaN unless exactly one root), reason ``codes``
    (:data:`IRR_REASONS`) and the number of roots found per row."""

    values: np.ndarray
    codes: np.ndarray
    n_roots: np.ndarray

    def reason(self, row: int) -> str:
        return IRR_REASONS[int(self.codes[row])]


def _powers(z: np.ndarray, T: int) -> np.ndarray:
    return np.power(z[None, :], np.arange(T, dtype=float)[:, None])


def _horner(coefs: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``sum_t coefs[t, k] z[k]^t`` for every column k (coefs shape (T, K))."""
    acc = coefs[-1].copy()
    for t in range(coefs.shape[0] - 2, -1, -1):
        acc *= z
        acc += coefs[t]
    return acc


def _solve_brackets(coefs: np.ndarray, a: np.ndarray, b: np.ndarray, fa, fb) -> np.ndarray:
    """The root in each bracket [a_k, b_k] (fa_k fb_k < 0) of the polynomial in column k.

    Illinois (regula falsi) steps, every fourth step a bisection: the bracket always
    holds the root and at least halves every four steps, so it reaches machine
    precision in at most ~250 steps (about ten for a smooth root).
    """
    eps = np.finfo(float).eps
    done = np.zeros(a.shape, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for it in range(400):
            if it % 4 == 3:
                c = 0.5 * (a + b)
            else:
                c = b - fb * (b - a) / (fb - fa)
                outside = ~((c - a) * (c - b) < 0)
                c = np.where(outside, 0.5 * (a + b), c)
            c = np.where(done, b, c)
            fc = _horner(coefs, c)
            flip = np.signbit(fc) != np.signbit(fb)  # the root lies between b and c
            fa = np.where(flip, fb, fa if it % 4 == 3 else 0.5 * fa)
            a = np.where(flip, b, a)
            b, fb = c, fc
            done |= (fb == 0) | (np.abs(b - a) <= 4 * eps * np.abs(b))
            if done.all():
                break
    return b


def _irr_roots(f: np.ndarray, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """All IRRs of the rows of ``f`` (N, T): (row index, rate) of every root found.

    NPV is evaluated, scaled by a positive factor so that nothing overflows, as a
    polynomial in ``z`` in (0, 1]: for r >= 0, ``z = 1/(1+r)`` and ``sum_t CF_t z^t``;
    for r < 0, ``z = 1+r`` and ``sum_t CF_(T-1-t) z^t`` (= NPV x (1+r)^(T-1)). Both
    agree at r = 0, a grid rate, so no bracket straddles the change of variable.
    """
    N, T = f.shape
    grid = IRR_GRID
    n_neg = int(np.count_nonzero(grid < 0))  # the grid is sorted: negatives first
    z_grid = np.concatenate([1.0 + grid[:n_neg], 1.0 / (1.0 + grid[n_neg:])])
    P_neg, P_pos = _powers(z_grid[:n_neg], T), _powers(z_grid[n_neg:], T)
    G1 = grid.size - 1
    zero_rows, zero_rates, b_rows, b_cols, v_lo, v_hi = [], [], [], [], [], []
    for start in range(0, N, chunk):
        block = f[start : start + chunk]
        V = np.concatenate([block[:, ::-1] @ P_neg, block @ P_pos], axis=1)
        pos, neg = V > 0, V < 0
        if not np.all(pos | neg):
            zr, zg = np.nonzero(~(pos | neg))
            zero_rows.append(zr + start)
            zero_rates.append(grid[zg])
        cross = (pos[:, :-1] & neg[:, 1:]) | (neg[:, :-1] & pos[:, 1:])
        br, bg = np.divmod(np.flatnonzero(cross), G1)
        b_rows.append(br + start)
        b_cols.append(bg)
        v_lo.append(V[br, bg])
        v_hi.append(V[br, bg + 1])
    rows, cols = np.concatenate(b_rows), np.concatenate(b_cols)
    side_neg = grid[cols + 1] <= 0  # the bracket lies in r <= 0
    coefs = np.where(side_neg[None, :], f[rows, ::-1].T, f[rows].T)
    z = _solve_brackets(
        coefs, z_grid[cols], z_grid[cols + 1], np.concatenate(v_lo), np.concatenate(v_hi)
    )
    rates = np.where(side_neg, z - 1.0, 1.0 / z - 1.0)
    return (
        np.concatenate([*zero_rows, rows]).astype(np.int64),
        np.concatenate([*zero_rates, rates]),
    )


def irr_many(flows: Any) -> IrrMany:
    """IRR of every row of ``flows`` (N, T), vectorised across rows (replications).

    Same bracketing as :func:`irr`; ``values[i]`` is NaN unless row i has exactly one
    root, ``codes[i]`` says why (:data:`IRR_REASONS`).
    """
    f = _flows(flows, min_periods=2)
    if f.ndim != 2:
        raise ValueError(f"irr_many takes flows of shape (rows, periods), got {f.shape}")
    N = f.shape[0]
    changes = _sign_changes(f)
    values = np.full(N, np.nan)
    codes = np.full(N, IRR_NO_SIGN_CHANGE, dtype=np.int8)
    n_roots = np.zeros(N, dtype=np.int64)
    search = np.flatnonzero(changes > 0)
    if search.size:
        rows, rates = _irr_roots(f[search])
        counts = np.bincount(rows, minlength=search.size)
        n_roots[search] = counts
        one = counts == 1
        order = np.argsort(rows, kind="stable")
        first = np.searchsorted(rows[order], np.arange(search.size))
        values[search[one]] = rates[order][first[one]]
        codes[search] = np.where(one, IRR_OK, np.where(counts == 0, IRR_NO_ROOT, IRR_SEVERAL))
    return IrrMany(values=values, codes=codes, n_roots=n_roots)


def _irr_result(roots: np.ndarray, changes: int, all_zero: bool) -> IrrResult:
    roots = np.sort(roots)
    if changes == 0:
        what = "all flows are zero" if all_zero else "all flows have the same sign"
        return IrrResult(np.nan, f"no sign change: no IRR ({what})", ())
    if roots.size == 0:
        return IrrResult(
            np.nan, f"{IRR_REASONS[IRR_NO_ROOT]} (the flows change sign {changes} times)", ()
        )
    if roots.size > 1:
        listed = ", ".join(f"{x:.10g}" for x in roots)
        return IrrResult(
            np.nan,
            f"several IRRs ({roots.size} roots): {listed}; IRR is not a sound criterion "
            "for these flows, use NPV (or MIRR)",
            tuple(float(x) for x in roots),
        )
    if changes == 1:
        reason = "unique IRR (the flows change sign once)"
    else:
        reason = (
            f"one IRR in [{IRR_SEARCH_RANGE[0]:.0%}, {IRR_SEARCH_RANGE[1]:,.0%}] per period; "
            f"the flows change sign {changes} times, so others may lie outside that range "
            "(or this one is a repeated root)"
        )
    return IrrResult(float(roots[0]), reason, (float(roots[0]),))


def irr(flows: Any) -> IrrResult:
    """Internal rate of return (per period) of one series of flows, by bracketing.

    Every IRR in :data:`IRR_SEARCH_RANGE` that the grid separates is found (module
    docstring); ``value`` is NaN when there is none or several, and ``reason`` says which ("no sign change: no IRR", "several IRRs (k
    roots): ..."). Excel equivalent (when the IRR is unique): ``=IRR(CF0:CFn)``.
    """
    f = _flows(flows, min_periods=2)
    if f.ndim != 1:
        raise ValueError(f"irr takes one series of flows (1-D), got shape {f.shape}; use irr_many")
    changes = int(_sign_changes(f[None])[0])
    roots = _irr_roots(f[None])[1] if changes else np.empty(0)
    return _irr_result(roots, changes, not np.any(f))


def mirr(flows: Any, finance_rate: Any, reinvest_rate: Any) -> Any:
    """Modified IRR (numpy-financial and Excel ``=MIRR(CF0:CFn, finance, reinvest)``).

    ``MIRR = (FV of positive flows at reinvest_rate / PV of negative flows at
    finance_rate)^(1/(T-1)) - 1``, with the PV taken at t = 0 and the FV at t = T-1.
    NaN where the flows have no positive or no negative flow (MIRR undefined).
    """
    f = _flows(flows, min_periods=2)
    fr, rr = _rate(finance_rate, "finance_rate"), _rate(reinvest_rate, "reinvest_rate")
    T = f.shape[-1]
    pv_neg = np.abs(npv(fr, np.where(f < 0, f, 0.0)))
    fv_pos = np.abs(npv(rr, np.where(f > 0, f, 0.0))) * np.power(1.0 + rr, T - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.power(fv_pos / pv_neg, 1.0 / (T - 1)) - 1.0
    defined = np.any(f > 0, axis=-1) & np.any(f < 0, axis=-1)
    return _out(np.where(defined, out, np.nan))


# --------------------------------------------------------------------------- payback, PI


def payback(flows: Any) -> Any:
    """Simple payback in periods (see the module docstring), vectorised over rows.

    The time from which the cumulative flow stays >= 0 to the horizon, interpolated
    linearly within the period in which it turns non-negative; 0 if it is never
    negative; NaN = never within the horizon. A cumulative flow within 1e-12 x the
    largest |flow| of zero counts as zero (rounding).
    """
    f = _flows(flows)
    cum = np.cumsum(f, axis=-1)
    tol = 1e-12 * np.max(np.abs(f), axis=-1, keepdims=True)
    below = cum < -tol
    T = f.shape[-1]
    last = T - 1 - np.argmax(below[..., ::-1], axis=-1)  # last period still below zero
    ever = np.any(below, axis=-1)
    nxt = np.minimum(last + 1, T - 1)
    c_last = np.take_along_axis(cum, last[..., None], axis=-1)[..., 0]
    step = np.take_along_axis(f, nxt[..., None], axis=-1)[..., 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = last + (-c_last) / step
    out = np.where(~ever, 0.0, np.where(last == T - 1, np.nan, t))
    return _out(out)


def discounted_payback(rate: Any, flows: Any) -> Any:
    """Payback of the discounted flows ``CF_t / (1 + r)^t`` (same rule as :func:`payback`)."""
    f = _flows(flows)
    return payback(f * _discount(_rate(rate), f.shape[-1]))


def profitability_index(rate: Any, flows: Any, investment: str = "t0") -> Any:
    """PV of the benefits divided by the investment.

    ``investment="t0"`` (the textbook case): Ross, Westerfield & Jaffe, *Corporate Finance*,
    ch. 5: ``PI = PV(CF_1..CF_n) / |CF_0| = 1 + NPV / |CF_0|``; accept when PI > 1. Later
    investments (staged disbursements) are netted into the numerator, as in the textbook.
    Excel: ``=NPV(r, CF1:CFn) / -CF0``. Raises if any series has no investment at t = 0.

    ``investment="outflows"`` (staged programs, the benefit-cost ratio): ``PI = PV(positive
    flows) / |PV(negative flows)|``, 1 + NPV / |PV(outflows)|, NaN for a series with no
    outflow. Excel: ``=NPV(r, IF(CF>0, CF, 0)) / -NPV(r, IF(CF<0, CF, 0))`` (as arrays,
    each with the t = 0 flow added undiscounted).
    """
    if investment == "outflows":
        f = _flows(flows)
        inflow = npv(rate, np.where(f > 0, f, 0.0))
        outflow = -np.asarray(npv(rate, np.where(f < 0, f, 0.0)), dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _out(np.where(outflow > 0, inflow / outflow, np.nan))
    if investment != "t0":
        raise ValueError(f"investment must be 't0' or 'outflows' (got {investment!r})")
    f = _flows(flows, min_periods=2)
    if np.any(f[..., 0] >= 0):
        raise ValueError(
            "profitability index needs an investment at t = 0 (flows[..., 0] < 0) in every series"
        )
    return _out(npv(rate, f[..., 1:]) / (1.0 + _rate(rate)) / -f[..., 0])


# --------------------------------------------------------------------------- dated flows


def _year_fractions(dates: Any, n: int) -> np.ndarray:
    try:
        d = np.asarray(dates, dtype="datetime64[D]")
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"dates must be calendar dates (datetime.date or 'YYYY-MM-DD'): {exc}"
        ) from exc
    if d.ndim != 1 or d.size != n:
        raise ValueError(f"dates must be one date per flow ({n}), got shape {d.shape}")
    days = (d - d[0]).astype(float)
    if np.any(days < 0):
        raise ValueError("no date may precede the first date (Excel XNPV/XIRR rule)")
    return days / 365.0


def xnpv(rate: Any, flows: Any, dates: Any) -> Any:
    """NPV of dated flows, Excel ``=XNPV(rate, values, dates)``: ``sum_i P_i / (1 +
    rate)^((d_i - d_1)/365)``, ``rate`` per year, the first date undiscounted."""
    f = _flows(flows)
    tau = _year_fractions(dates, f.shape[-1])
    r = _rate(rate)
    return _out(np.sum(f * np.power(1.0 + r[..., None], -tau), axis=-1))


def xirr(flows: Any, dates: Any) -> IrrResult:
    """Annual IRR of dated flows (Excel ``=XIRR(values, dates)``, days/365 from the first
    date), found like :func:`irr`: sign changes of XNPV on :data:`IRR_GRID`, each
    solved by Brent's bracketed method; all roots reported."""
    f = _flows(flows, min_periods=2)
    if f.ndim != 1:
        raise ValueError(f"xirr takes one series of flows (1-D), got shape {f.shape}")
    tau = _year_fractions(dates, f.size)
    order = np.argsort(tau, kind="stable")
    tau_u, inverse = np.unique(tau[order], return_inverse=True)
    pooled = np.bincount(inverse, weights=f[order])  # flows on the same day add up
    changes = int(_sign_changes(pooled[None])[0])
    if changes == 0:
        return _irr_result(np.empty(0), 0, not np.any(f))
    top = tau_u[-1]

    def scaled(r: float, neg: bool) -> float:  # XNPV x a positive factor (no overflow)
        return float(np.sum(pooled * np.power(1.0 + r, (top if neg else 0.0) - tau_u)))

    grid = IRR_GRID
    v = np.array([scaled(r, r < 0) for r in grid])
    s = np.sign(v)
    roots = list(grid[s == 0])
    for g in np.flatnonzero(s[:-1] * s[1:] < 0):
        neg = bool(grid[g + 1] <= 0)
        roots.append(brentq(scaled, grid[g], grid[g + 1], args=(neg,), xtol=1e-15))
    return _irr_result(np.array(roots), changes, False)


# --------------------------------------------------------------------------- rNPV


def risk_adjusted_npv(rate: Any, flows: Any, survival: Any) -> Any:
    """Risk-adjusted NPV: ``rNPV = sum_t p_t CF_t / (1 + r)^t``.

    ``survival[..., t]`` is the probability that the program is still alive (every
    stage gate before t passed) when flow t falls: non-increasing, in [0, 1],
    broadcasting against ``flows``. Each flow is weighted by the probability that it
    happens; the rate stays the risk-free-ish cost of capital, the technical risk is
    in ``p``. Stewart, Allison & Johnson (2001), *Nature Biotechnology* 19, 813-817.
    """
    f = _flows(flows)
    p = np.asarray(survival, dtype=float)
    if p.ndim == 0 or not np.all(np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("survival must be an array of probabilities in [0, 1] over periods")
    if np.any(np.diff(p, axis=-1) > 1e-12):
        raise ValueError("survival must be non-increasing over periods (a survival curve)")
    try:
        weighted = f * p
    except ValueError as exc:
        raise ValueError(f"survival {p.shape} does not broadcast against flows {f.shape}") from exc
    return npv(rate, weighted)


# --------------------------------------------------------------------------- parties


def _share(x: Any, name: str) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(a)) or np.any((a < 0) | (a > 1)):
        raise ValueError(f"{name} must be a share in [0, 1], got {x!r}")
    return a


def split_cash_flows(
    capex: Any,
    savings: Any,
    *,
    buyer_capex_share: Any,
    buyer_savings_share: Any,
    operating_cost: Any = None,
    buyer_operating_share: Any = None,
) -> dict[str, np.ndarray]:
    """Per-party cash flows of a co-investment between buyer and supplier.

    ``capex``, ``savings`` and the optional ``operating_cost`` are amounts per period
    (currency; capex and operating cost >= 0, savings of either sign), broadcasting to
    one array ``(..., T)``; shares are the buyer's fractions in [0, 1] (scalars, or
    arrays broadcasting against that shape: ``(T,)`` per period, ``(R, 1)`` per
    replication); the supplier takes the rest. Returns flows keyed by :data:`PARTIES`::

        buyer    = s_b savings - c_b capex - o_b operating_cost
        supplier = (1 - s_b) savings - (1 - c_b) capex - (1 - o_b) operating_cost
        joint    = savings - capex - operating_cost      (= buyer + supplier)
    """
    capex_a, savings_a = _flows(capex, "capex"), _flows(savings, "savings")
    opex_a = np.zeros(1) if operating_cost is None else _flows(operating_cost, "operating_cost")
    if operating_cost is not None and buyer_operating_share is None:
        raise ValueError("operating_cost given: say how it is shared (buyer_operating_share)")
    if np.any(capex_a < 0) or np.any(opex_a < 0):
        raise ValueError("capex and operating_cost are costs: give them as amounts >= 0")
    cb = _share(buyer_capex_share, "buyer_capex_share")
    sb = _share(buyer_savings_share, "buyer_savings_share")
    ob = _share(
        0.0 if buyer_operating_share is None else buyer_operating_share, "buyer_operating_share"
    )
    try:
        capex_a, savings_a, opex_a = np.broadcast_arrays(capex_a, savings_a, opex_a)
        buyer = sb * savings_a - cb * capex_a - ob * opex_a
        supplier = (1 - sb) * savings_a - (1 - cb) * capex_a - (1 - ob) * opex_a
    except ValueError as exc:
        raise ValueError(
            f"capex, savings, operating cost and shares do not broadcast: {exc}"
        ) from exc
    joint = np.broadcast_to(savings_a - capex_a - opex_a, buyer.shape).copy()
    return {"buyer": buyer, "supplier": supplier, "joint": joint}


@dataclass(frozen=True)
class Participation:
    """Who would not sign: parties whose NPV is below their reservation value."""

    would_not_sign: tuple[str, ...]
    shortfall_by_party: dict[str, float]  # reservation - NPV, > 0 for those who refuse
    message: str

    @property
    def all_sign(self) -> bool:
        return not self.would_not_sign


def participation(
    npv_by_party: Mapping[str, float], reservation_by_party: Mapping[str, float] | None = None
) -> Participation:
    """Participation check: a party signs only if its NPV >= its reservation value.

    The reservation value is what the party gets without the program (its outside
    option); a party missing from ``reservation_by_party`` has reservation 0 (doing
    nothing). Pass the statistic you decide on (usually the mean NPV over replications).
    """
    reservation = dict(reservation_by_party or {})
    unknown = sorted(set(reservation) - set(npv_by_party))
    if unknown:
        raise ValueError(f"reservation values for parties without an NPV: {', '.join(unknown)}")
    short, refuse, lines = {}, [], []
    for party, value in npv_by_party.items():
        if np.ndim(value) or np.ndim(reservation.get(party, 0.0)):
            raise ValueError(
                f"{party!r}: pass one NPV and one reservation value per party "
                "(e.g. the mean NPV over replications), not arrays"
            )
        v, res = float(value), float(reservation.get(party, 0.0))
        if not (np.isfinite(v) and np.isfinite(res)):
            raise ValueError(f"NPV and reservation value of {party!r} must be finite numbers")
        short[party] = res - v
        if v < res:
            refuse.append(party)
            lines.append(
                f"{party} would not sign: NPV {v:,.2f} is below its reservation value "
                f"{res:,.2f} (short by {res - v:,.2f})"
            )
    message = "; ".join(lines) if lines else "every party's NPV meets its reservation value"
    return Participation(tuple(refuse), short, message)


# --------------------------------------------------------------------------- summaries


@dataclass(frozen=True)
class FinanceSummary:
    """NPV and payback over replications; ``percentile_convention`` goes in every output.

    ``prob_payback_within`` is P(payback <= ``payback_threshold_months``), a replication
    that never pays back within the horizon counting as not within (None when no
    payback samples were given).
    """

    n: int
    mean: float
    sd: float
    p10: float
    p50: float
    p90: float
    prob_npv_negative: float
    prob_payback_within: float | None
    prob_never_paid_back: float | None
    payback_threshold_months: float
    percentile_convention: str = PERCENTILE_CONVENTION

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize_npv(
    npv_samples: Sequence[float] | np.ndarray,
    payback_samples: Sequence[float] | np.ndarray | None = None,
    *,
    periods_per_year: float | None = None,
    payback_threshold_months: float = PAYBACK_RULE_OF_THUMB_MONTHS,
) -> FinanceSummary:
    """Mean, sd, P10/P50/P90 of NPV, P(NPV < 0) and P(payback <= threshold months).

    ``payback_samples`` are paybacks in periods (NaN = never within the horizon), one per
    replication, converted to months with ``periods_per_year`` (months = 12 periods /
    periods_per_year).
    """
    v = np.asarray(npv_samples, dtype=float)
    if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v)):
        raise ValueError("npv_samples must be a non-empty 1-D array of finite NPVs")
    p10, p50, p90 = np.percentile(v, [10, 50, 90], method="linear")
    within = never = None
    if payback_samples is not None:
        pb = np.asarray(payback_samples, dtype=float)
        if pb.shape != v.shape:
            raise ValueError("payback_samples must hold one payback per NPV sample")
        if np.any(pb < 0) or np.any(np.isinf(pb)):
            raise ValueError("paybacks must be >= 0 periods, or NaN for never")
        if periods_per_year is None or not periods_per_year > 0:
            raise ValueError("periods_per_year (> 0) is needed to convert payback to months")
        months = pb * 12.0 / periods_per_year
        within = float(np.mean(months <= payback_threshold_months))  # NaN compares False
        never = float(np.mean(np.isnan(pb)))
    return FinanceSummary(
        n=int(v.size),
        mean=float(v.mean()),
        sd=float(v.std(ddof=1)) if v.size > 1 else float("nan"),
        p10=float(p10),
        p50=float(p50),
        p90=float(p90),
        prob_npv_negative=float(np.mean(v < 0)),
        prob_payback_within=within,
        prob_never_paid_back=never,
        payback_threshold_months=float(payback_threshold_months),
    )
