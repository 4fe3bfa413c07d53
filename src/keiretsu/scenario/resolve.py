"""What a plan means for a given part and year, with its defaults made explicit."""

from __future__ import annotations

from keiretsu.scenario.model import InventoryPolicy, Plan, Scenario


def shares(scenario: Scenario, plan: Plan, part_id: str, year: int) -> dict[str, float]:
    """Order shares of ``part_id`` by supplier id in plan year ``year`` (1 = first year).

    The latest ``allocation_by_year`` entry at or before ``year`` holds (an entry carries
    forward until the next one); before the first entry, ``allocation`` holds. A part left
    out of both and offered by exactly one supplier goes 100 % to it. Zero shares are omitted.
    """
    by_year = plan.allocation_by_year.get(part_id, {})
    listed = [y for y in by_year if y <= year]
    chosen = by_year[max(listed)] if listed else plan.allocation.get(part_id)
    if chosen is None:
        offerers = list(scenario.offers_for(part_id))
        if len(offerers) != 1:  # the loader rejects this; guard for plans built in code
            raise ValueError(f"plan {plan.name!r} gives no allocation for part {part_id!r}")
        chosen = {offerers[0]: 1.0}
    return {sup: share for sup, share in chosen.items() if share > 0}


def inventory_policy(plan: Plan, part_id: str) -> InventoryPolicy:
    """The inventory policy for ``part_id`` (its own, else the plan's default)."""
    policy = plan.inventory.get(part_id, plan.default_inventory)
    if policy is None:
        raise ValueError(f"plan {plan.name!r} gives no inventory policy for part {part_id!r}")
    return policy
