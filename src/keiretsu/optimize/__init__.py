"""The optimization models (the only package that imports pulp).

* :mod:`keiretsu.optimize.solve` — HiGHS in-process by default, CBC selectable; every
  status checked, non-optimal stops raised as :class:`~keiretsu.errors.SolverError`.
* :mod:`keiretsu.optimize.resilience` — time to survive, performance impact and the
  risk exposure index (Simchi-Levi et al.), with bills of materials and margin-aware
  routing; an unbounded time to survive is reported as such.
"""
