"""Scenario specs (frozen pydantic models) and distributions.

The YAML reader lives in :mod:`keiretsu.scenario.loader` (imported explicitly, so engines
that only need the specs never import yaml).
"""

from keiretsu.scenario.distributions import Distribution
from keiretsu.scenario.model import Offer, Part, Plan, Scenario, Supplier

__all__ = ["Distribution", "Offer", "Part", "Plan", "Scenario", "Supplier"]
