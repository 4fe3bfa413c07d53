"""Summary statistics over replications.

Percentile convention: Pxx is the xx-th percentile of the values over replications
(numpy's default linear interpolation, Hyndman & Fan type 7). For a value such as
margin or fill rate P10 is the pessimistic tail; for a cost it is the optimistic one.
The wording every output carries, ``PERCENTILE_CONVENTION``, is defined once in
``keiretsu.econ.finance`` (finance outputs state it too) and re-exported here.
The 95 % confidence half-width of a mean is t(0.975, n-1) x s / sqrt(n).

Paired comparisons (two plans run on common random numbers, replication r of each
seeing the same demand, lead times and disruptions): the paired difference of
replication r is d_r = a_r - b_r; its mean d̄ has the paired-t confidence half-width
t(0.975, n-1) x s_d / sqrt(n), s_d the standard deviation of the d_r (Law 2015,
*Simulation Modeling and Analysis*, 5th ed., sec. 10.2.1, the paired-t interval). It
is narrower than the unpaired interval by as much as the common random numbers make
a_r and b_r move together: Var(d) = Var(a) + Var(b) - 2 Cov(a, b). The probability
of being better is the share of replications in which a is better than b (higher or
lower, as the measure says), ties counted as half: an estimate of
P(A better than B) + P(tie) / 2 over the joint law of the replications, 0.5 for
identical plans.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from keiretsu.econ.finance import PERCENTILE_CONVENTION

__all__ = [
    "PERCENTILE_CONVENTION",
    "ci_half_width",
    "paired_difference",
    "probability_better",
    "summarize",
]


def ci_half_width(values: np.ndarray, level: float = 0.95) -> float:
    """Half-width of the ``level`` confidence interval of the mean (NaN for n < 2)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    n = values.size
    if n < 2:
        return float("nan")
    return float(stats.t.ppf(0.5 + level / 2, n - 1) * values.std(ddof=1) / np.sqrt(n))


def summarize(
    frame: pd.DataFrame, columns: Sequence[str], percentiles: Sequence[float]
) -> pd.DataFrame:
    """One row per KPI column: n, mean, sd, ci95 half-width and the requested percentiles."""
    rows = []
    for col in columns:
        v = frame[col].to_numpy(dtype=float)
        v = v[~np.isnan(v)]
        row = {
            "kpi": col,
            "n": int(v.size),
            "mean": float(v.mean()) if v.size else np.nan,
            "sd": float(v.std(ddof=1)) if v.size > 1 else np.nan,
            "ci95_half_width": ci_half_width(v),
        }
        for p in percentiles:
            row[f"p{p:g}"] = float(np.percentile(v, p)) if v.size else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def _pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b`` as floats, equal length, without the pairs where either is NaN."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(
            f"paired values must be two 1-d arrays of the same length, got {a.shape} and {b.shape}"
        )
    keep = ~(np.isnan(a) | np.isnan(b))
    return a[keep], b[keep]


def paired_difference(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Mean of the paired differences ``a - b`` and its paired-t ``level`` confidence
    half-width (NaN for fewer than two pairs); pairs with a NaN on either side are dropped.

    ``a[r]`` and ``b[r]`` must be the same replication (common random numbers).
    """
    a, b = _pairs(a, b)
    d = a - b
    if d.size == 0:
        return float("nan"), float("nan")
    return float(d.mean()), ci_half_width(d, level)


def probability_better(a: np.ndarray, b: np.ndarray, higher_is_better: bool) -> float:
    """Share of paired replications in which ``a`` is better than ``b`` (higher when
    ``higher_is_better``, else lower), ties counted as half; NaN pairs are dropped (NaN
    when none is left)."""
    a, b = _pairs(a, b)
    if a.size == 0:
        return float("nan")
    wins = a > b if higher_is_better else a < b
    return float((wins.sum() + 0.5 * (a == b).sum()) / a.size)
