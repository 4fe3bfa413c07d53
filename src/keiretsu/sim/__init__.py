"""The simulation engine (the only package that imports simpy).

``run(scenario, plan, seed=..., replications=..., workers=...)`` yields tidy tables per
batch of replications; see :mod:`keiretsu.sim.engine` for the model and its conventions.
"""

from keiretsu.sim.records import COST_COLUMNS, OTIF_DEFINITION, BatchTables
from keiretsu.sim.runner import DETAIL_LEVELS, run

__all__ = ["COST_COLUMNS", "DETAIL_LEVELS", "OTIF_DEFINITION", "BatchTables", "run"]
