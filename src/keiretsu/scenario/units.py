"""Calendar conventions: a year is 365 days or 52 weeks; the horizon is a whole number of periods."""

from __future__ import annotations

PERIODS_PER_YEAR = {"day": 365, "week": 52}
DAYS_PER_PERIOD = {"day": 1, "week": 7}


def horizon_periods(years: float, period: str) -> int:
    """Periods simulated: round(years x periods per year), at least 1."""
    return max(1, round(years * PERIODS_PER_YEAR[period]))


def horizon_years(years: float, period: str) -> int:
    """Plan years touched by the horizon (the last one may be partial); year 1 is the first."""
    return 1 + (horizon_periods(years, period) - 1) // PERIODS_PER_YEAR[period]
