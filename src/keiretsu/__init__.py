"""keiretsu: supplier-partnership strategy in numbers.

Simulate supplier networks (SimPy), optimize sourcing plans (PuLP) and evaluate
co-investments over YAML scenarios. See README.md for the tour.
"""

__version__ = "0.1.0"
