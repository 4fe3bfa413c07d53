"""Service-level series from the per-period tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

ROLLING_DAYS = 28
"""Default window of the rolling fill rate (days)."""


def rolling_fill_rate(
    periods: pd.DataFrame, days_per_period: int, window_days: float = ROLLING_DAYS
) -> pd.DataFrame:
    """Per replication (and part, if the table has one) and period: filled now / demand
    over the trailing ``window_days``.

    Columns: replication, [part,] period, rolling_fill_rate (NaN where there was no demand).
    """
    window = max(1, round(window_days / days_per_period))
    keys = ["replication", "part"] if "part" in periods else ["replication"]
    frame = periods.sort_values([*keys, "period"])
    g = frame.groupby(keys, sort=False)
    filled = g["filled_now_units"].transform(lambda s: s.rolling(window, min_periods=1).sum())
    demand = g["demand_units"].transform(lambda s: s.rolling(window, min_periods=1).sum())
    out = frame[[*keys, "period"]].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rolling_fill_rate"] = filled / demand
    return out.reset_index(drop=True)
