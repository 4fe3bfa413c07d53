"""Analyses on scenarios and on tidy result tables (summaries, KPIs, statistics)."""
