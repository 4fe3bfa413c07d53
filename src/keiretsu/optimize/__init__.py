"""The optimization models (the only package that imports pulp).

* :mod:`keiretsu.optimize.solve` — HiGHS in-process by default, CBC selectable; time
  limit, relative gap and threads; every status checked and reported honestly
  (optimal, feasible with its gap, infeasible, unbounded, no solution); the PuLP helpers
  the models share (name tokens, (variable, coefficient) pairs and their values).
* :mod:`keiretsu.optimize.allocation` — the volume-allocation MILP over parts x
  suppliers x years (tiered prices, fixed costs, minimum volumes, dual sourcing,
  capacity, share, region, quality, commitment and switching limits), taking plain
  data; :mod:`keiretsu.optimize.diagnosis` explains an infeasible one in the data's
  terms.
* :mod:`keiretsu.optimize.incentives` — one contract per supplier chosen from a menu
  (per-unit and fixed terms, tiered rebates on the supplier's volume, take-or-pay),
  inside the allocation; :mod:`keiretsu.optimize.coinvest` — programs to fund at a buyer
  cost share, participation of both parties, capex budget per year.
* :mod:`keiretsu.optimize.risk` — the two-stage stochastic allocation over disruption
  scenarios, expected cost + lambda x CVaR.
* :mod:`keiretsu.optimize.resilience` — time to survive, performance impact and the
  risk exposure index (Simchi-Levi et al.), with bills of materials and margin-aware
  routing; an unbounded time to survive is reported as such.
"""
