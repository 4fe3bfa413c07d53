"""Summary statistics over replications.

Percentile convention: Pxx is the xx-th percentile of the values over replications
(numpy's default linear interpolation, Hyndman & Fan type 7). For a value such as
margin or fill rate P10 is the pessimistic tail; for a cost it is the optimistic one.
The wording every output carries, ``PERCENTILE_CONVENTION``, is defined once in
``keiretsu.econ.finance`` (finance outputs state it too) and re-exported here.
The 95 % confidence half-width of a mean is t(0.975, n-1) x s / sqrt(n).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from keiretsu.econ.finance import PERCENTILE_CONVENTION

__all__ = ["PERCENTILE_CONVENTION", "ci_half_width", "summarize"]


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
