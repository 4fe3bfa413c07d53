"""How often the scenario's disruption model hits each node or offer: events a year.

Only the kinds that take capacity away count (``supplier_outage``, ``regional_event``,
``tier2_outage``, ``supplier_default``; logistics, demand and price shocks do not stop
supply). A disruption's rate is its ``events_per_year``: ``per_year`` for a Poisson
process, 365 / (mean quiet spell + mean active spell) for an alternating one, and for a
default the hazard -ln(1 - p) of its yearly probability p. Pure functions on the scenario
(no simulation): the same numbers the sweep's likelihood column and the segmentation's
disruption exposure use.

* :func:`likelihood_per_year` (per supplier, region or tier-2 sub-supplier, as
  ``keiretsu drill --sweep`` ranks them): a supplier is hit by its own outages and
  defaults, by regional events of its region and by tier-2 outages and regional events
  of any sub-supplier it links to (as :func:`offer_hits` counts them; an event that hits
  it both ways counts once); a region by its regional events; a sub-supplier by its
  outages and by regional events of its region.
* :func:`offer_hits` (per supplier-part offer, for segmentation): the share of the offer's
  capacity each disruption stops, 1 for a direct hit (an outage or default of the
  supplier, a regional event of its region) and, through tier 2, the link's
  ``share_of_input`` for an outage of the sub-supplier or a regional event where the
  sub-supplier sits (several links hit at once add up, capped at 1; a direct hit wins).
  Material buffers (``buffer_days``) delay a tier-2 hit but do not avoid it, so they do
  not change the count.
"""

from __future__ import annotations

from keiretsu.scenario.disruptions import CAPACITY_KINDS
from keiretsu.scenario.model import Scenario


def likelihood_per_year(scenario: Scenario, over: str) -> dict[str, float]:
    """Expected disruption events a year hitting each node of ``over`` (``suppliers``,
    ``regions`` or ``tier2``; see the module docstring)."""
    region_of = {s.id: s.region for s in scenario.suppliers}
    sub_region = {s.id: s.region for s in scenario.tier2.sub_suppliers}
    subs_of: dict[str, set[str]] = {}
    for link in scenario.tier2.links:
        subs_of.setdefault(link.supplier, set()).add(link.sub_supplier)
    if over == "suppliers":
        names = list(region_of)
    elif over == "regions":
        names = [r.id for r in scenario.regions]
    else:
        names = list(sub_region)
    rate = dict.fromkeys(names, 0.0)
    for d in scenario.disruptions:
        per_year = d.events_per_year
        for n in names:
            if over == "suppliers":
                hits = (
                    (d.kind in ("supplier_outage", "supplier_default") and d.supplier == n)
                    or (d.kind == "regional_event" and d.region == region_of[n])
                    or (d.kind == "tier2_outage" and d.sub_supplier in subs_of.get(n, ()))
                    or (
                        d.kind == "regional_event"
                        and any(sub_region[sub] == d.region for sub in subs_of.get(n, ()))
                    )
                )
            elif over == "regions":
                hits = d.kind == "regional_event" and d.region == n
            else:
                hits = (d.kind == "tier2_outage" and d.sub_supplier == n) or (
                    d.kind == "regional_event" and d.region == sub_region[n]
                )
            if hits:
                rate[n] += per_year
    return rate


def offer_hits(scenario: Scenario) -> dict[tuple[str, str], list[tuple[str, float, float]]]:
    """Per offer ``(supplier, part)``: ``(disruption id, events a year, share of the
    offer's capacity it stops)`` for every capacity disruption that reaches it (see the
    module docstring). Offers no disruption reaches map to an empty list."""
    region_of = {s.id: s.region for s in scenario.suppliers}
    sub_region = {s.id: s.region for s in scenario.tier2.sub_suppliers}
    links: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for link in scenario.tier2.links:
        for part in link.parts:
            links.setdefault((link.supplier, part), []).append(
                (link.sub_supplier, link.share_of_input)
            )
    out: dict[tuple[str, str], list[tuple[str, float, float]]] = {
        (s.id, o.part): [] for s in scenario.suppliers for o in s.offers
    }
    for d in scenario.disruptions:
        if d.kind not in CAPACITY_KINDS:
            continue
        for supplier, part in out:
            direct = (
                d.kind in ("supplier_outage", "supplier_default") and d.supplier == supplier
            ) or (d.kind == "regional_event" and d.region == region_of[supplier])
            through = sum(
                share
                for sub, share in links.get((supplier, part), [])
                if (d.kind == "tier2_outage" and d.sub_supplier == sub)
                or (d.kind == "regional_event" and d.region == sub_region[sub])
            )
            hit = 1.0 if direct else min(through, 1.0)
            if hit > 0:
                out[(supplier, part)].append((d.id, d.events_per_year, hit))
    return out
