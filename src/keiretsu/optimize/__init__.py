"""The optimization models (the only package that imports pulp).

* :mod:`keiretsu.optimize.solve` — HiGHS in-process by default, CBC selectable; time
  limit, relative gap and threads; every status checked and reported honestly
  (optimal, feasible with its gap, infeasible, unbounded, no solution).
* :mod:`keiretsu.optimize.allocation` — the volume-allocation MILP over parts x
  suppliers x years (tiered prices, fixed costs, minimum volumes, dual sourcing,
  capacity, share, region, quality, commitment and switching limits), taking plain
  data; an infeasible allocation is explained in the data's terms.
* :mod:`keiretsu.optimize.resilience` — time to survive, performance impact and the
  risk exposure index (Simchi-Levi et al.), with bills of materials and margin-aware
  routing; an unbounded time to survive is reported as such.
"""
