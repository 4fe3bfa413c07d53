"""Cross-reference checks, run on plain data so every problem is reported at once.

They work on the raw document (dicts and lists, as loaded from YAML) as well as on
``Scenario.model_dump()``, and tolerate malformed pieces (those are reported by the
schema itself), so a file with a type error and a dangling reference gets both lines.
Each problem is ``(path, message)`` with ``path`` a tuple of keys and list indices.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from keiretsu.scenario.units import (
    DAYS_PER_PERIOD,
    PERIODS_PER_YEAR,
    horizon_periods,
    horizon_years,
)

Path = tuple[Any, ...]
ProblemList = list[tuple[Path, str]]

SHARE_TOLERANCE = 1e-6
"""Shares of one part must sum to 1 within this tolerance."""


def _items(doc: Any, key: str) -> list[tuple[int, Mapping]]:
    value = doc.get(key) if isinstance(doc, Mapping) else None
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _ids(items: Iterable[tuple[int, Mapping]], path: Path, kind: str, out: ProblemList) -> set:
    seen: dict[Any, int] = {}
    for i, item in items:
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            out.append(
                ((*path, i, "id"), f"duplicate {kind} id {ident!r} (first at index {seen[ident]})")
            )
        else:
            seen[ident] = i
    return set(seen)


def network_problems(doc: Any) -> ProblemList:
    """Ids, regions, offers and tier-2 links of a scenario document."""
    out: ProblemList = []
    regions = _ids(_items(doc, "regions"), ("regions",), "region", out)
    parts = _ids(_items(doc, "parts"), ("parts",), "part", out)
    suppliers = _ids(_items(doc, "suppliers"), ("suppliers",), "supplier", out)
    for i, sup in _items(doc, "suppliers"):
        region = sup.get("region")
        if isinstance(region, str) and region not in regions:
            out.append((("suppliers", i, "region"), f"unknown region {region!r}"))
        seen_parts: dict[str, int] = {}
        for j, offer in _items(sup, "offers"):
            part = offer.get("part")
            if not isinstance(part, str):
                continue
            if part not in parts:
                out.append((("suppliers", i, "offers", j, "part"), f"unknown part {part!r}"))
            if part in seen_parts:
                out.append(
                    (
                        ("suppliers", i, "offers", j, "part"),
                        f"part {part!r} offered twice by this supplier (first at offers[{seen_parts[part]}])",
                    )
                )
            else:
                seen_parts[part] = j
    tier2 = doc.get("tier2") if isinstance(doc, Mapping) else None
    subs = set()
    if isinstance(tier2, Mapping):
        subs = _ids(_items(tier2, "sub_suppliers"), ("tier2", "sub_suppliers"), "sub-supplier", out)
    known = {"supplier": suppliers, "region": regions, "sub_supplier": subs, "part": parts}
    offered = _offered_parts(doc)
    region_of = {
        sup["id"]: sup.get("region")
        for _, sup in _items(doc, "suppliers")
        if isinstance(sup.get("id"), str)
    }
    horizon = _horizon_days(doc)
    linked_subs = {
        link.get("sub_supplier")
        for _, link in (_items(tier2, "links") if isinstance(tier2, Mapping) else [])
    }
    sub_regions = {
        sub.get("region")
        for _, sub in (_items(tier2, "sub_suppliers") if isinstance(tier2, Mapping) else [])
    }
    for section in ("disruptions", "drills"):
        _ids(_items(doc, section), (section,), section[:-1], out)
        for i, event in _items(doc, section):
            out.extend(_disruption_problems(event, (section, i), known, offered, region_of))
            sub, region = event.get("sub_supplier"), event.get("region")
            kind = event.get("kind")
            if kind == "tier2_outage" and sub in subs and sub not in linked_subs:
                out.append(
                    (
                        (section, i, "sub_supplier"),
                        f"sub-supplier {sub!r} feeds no tier-1 offer (tier2.links): "
                        "this outage would change nothing",
                    )
                )
            if (
                kind in ("regional_event", "price_shock")
                and region in regions
                and region not in region_of.values()
                and (kind != "regional_event" or region not in sub_regions)
            ):
                out.append(
                    (
                        (section, i, "region"),
                        f"no supplier is in region {region!r}: this {kind} would change nothing",
                    )
                )
            listed = event.get("regions")
            if kind == "logistics" and isinstance(listed, list):
                for k, reg in enumerate(listed):
                    if reg in regions and reg not in region_of.values():
                        out.append(
                            (
                                (section, i, "regions", k),
                                f"no supplier is in region {reg!r}: it would change nothing",
                            )
                        )
            if section == "drills":
                start = _days_from_start(doc, event.get("start_date"))
                if start is not None and horizon is not None and not 0 <= start < horizon:
                    out.append(
                        (
                            (section, i, "start_date"),
                            f"outside the horizon (days 0 to {horizon:g} from meta.start_date)",
                        )
                    )
    out.extend(_contract_problems(doc, ("contracts",), suppliers))
    _ids(_items(doc, "programs"), ("programs",), "program", out)
    for i, prog in _items(doc, "programs"):
        sups = [x for x in prog.get("suppliers") or [] if isinstance(x, str)]
        for k, sup in enumerate(prog.get("suppliers") or []):
            if isinstance(sup, str) and sup not in suppliers:
                out.append((("programs", i, "suppliers", k), f"unknown supplier {sup!r}"))
        for k, part in enumerate(prog.get("parts") or []):
            if not isinstance(part, str):
                continue
            if part not in parts:
                out.append((("programs", i, "parts", k), f"unknown part {part!r}"))
            elif sups and not any(part in offered.get(sup, {}) for sup in sups):
                out.append(
                    (
                        ("programs", i, "parts", k),
                        f"none of the program's suppliers offers part {part!r}",
                    )
                )
        start = _days_from_start(doc, prog.get("start_date"))
        if start is not None and horizon is not None and not 0 <= start < horizon:
            out.append(
                (
                    ("programs", i, "start_date"),
                    f"outside the horizon (days 0 to {horizon:g} from meta.start_date)",
                )
            )
    offered_anywhere = {part for sup in _offered_parts(doc).values() for part in sup}
    for i, part in _items(doc, "parts"):
        if isinstance(part.get("id"), str) and part["id"] not in offered_anywhere:
            out.append((("parts", i, "id"), f"no supplier offers part {part['id']!r}"))
    if isinstance(tier2, Mapping):
        for i, sub in _items(tier2, "sub_suppliers"):
            region = sub.get("region")
            if isinstance(region, str) and region not in regions:
                out.append((("tier2", "sub_suppliers", i, "region"), f"unknown region {region!r}"))
        for i, link in _items(tier2, "links"):
            sup, sub = link.get("supplier"), link.get("sub_supplier")
            if isinstance(sup, str) and sup not in suppliers:
                out.append((("tier2", "links", i, "supplier"), f"unknown supplier {sup!r}"))
            if isinstance(sub, str) and sub not in subs:
                out.append((("tier2", "links", i, "sub_supplier"), f"unknown sub-supplier {sub!r}"))
            link_parts = link.get("parts")
            if isinstance(sup, str) and sup in suppliers and isinstance(link_parts, list):
                for k, part in enumerate(link_parts):
                    if isinstance(part, str) and part not in offered.get(sup, {}):
                        out.append(
                            (
                                ("tier2", "links", i, "parts", k),
                                f"supplier {sup!r} does not offer part {part!r}",
                            )
                        )
    return out


def _contract_problems(doc: Any, path: Path, suppliers: set) -> ProblemList:
    """Contracts name known suppliers, one contract each."""
    out: ProblemList = []
    seen: dict[str, int] = {}
    for i, contract in _items(doc, "contracts"):
        sup = contract.get("supplier")
        if not isinstance(sup, str):
            continue
        if sup not in suppliers:
            out.append(((*path, i, "supplier"), f"unknown supplier {sup!r}"))
        elif sup in seen:
            out.append(
                (
                    (*path, i, "supplier"),
                    f"a second contract for {sup!r} (first at index {seen[sup]})",
                )
            )
        else:
            seen[sup] = i
    return out


_TARGET_FIELDS = {"supplier": "supplier", "region": "region", "sub_supplier": "sub-supplier"}


def _disruption_problems(
    event: Mapping, path: Path, known: dict[str, set], offered: dict, region_of: dict
) -> ProblemList:
    """Dangling targets of one disruption or drill, and filters that match nothing."""
    out: ProblemList = []
    for field, what in _TARGET_FIELDS.items():
        value = event.get(field)
        if isinstance(value, str) and value not in known[field]:
            out.append(((*path, field), f"unknown {what} {value!r}"))
    for list_field, what in (("parts", "part"), ("suppliers", "supplier"), ("regions", "region")):
        values = event.get(list_field)
        if not isinstance(values, list):
            continue
        for k, value in enumerate(values):
            if isinstance(value, str) and value not in known[what]:
                out.append(((*path, list_field, k), f"unknown {what} {value!r}"))
    if event.get("kind") == "price_shock":
        parts = event.get("parts") or None
        sups = event.get("suppliers") or None
        region = event.get("region")
        hits = [
            (sup, part)
            for sup, sup_parts in offered.items()
            for part in sup_parts
            if (parts is None or part in parts)
            and (sups is None or sup in sups)
            and (region is None or region_of.get(sup) == region)
        ]
        if not hits and all(isinstance(x, list | type(None)) for x in (parts, sups)):
            out.append((path, "price_shock matches no offer (check parts, suppliers and region)"))
    return out


def _offered_parts(doc: Any) -> dict[str, dict[str, Mapping]]:
    """{supplier id: {part id: offer}} from a document."""
    result: dict[str, dict[str, Mapping]] = {}
    for _, sup in _items(doc, "suppliers"):
        if isinstance(sup.get("id"), str):
            result[sup["id"]] = {
                o["part"]: o for _, o in _items(sup, "offers") if isinstance(o.get("part"), str)
            }
    return result


def plan_problems(plan: Any, doc: Any, prefix: Path = ("plan",)) -> ProblemList:
    """A plan's references checked against the scenario document ``doc``."""
    out: ProblemList = []
    if not isinstance(plan, Mapping):
        return out
    parts = {p["id"] for _, p in _items(doc, "parts") if isinstance(p.get("id"), str)}
    offered = _offered_parts(doc)
    offerers: dict[str, list[str]] = {}
    for sup, sup_parts in offered.items():
        for part in sup_parts:
            offerers.setdefault(part, []).append(sup)

    def check_shares(shares: Any, part: str, path: Path) -> None:
        if not isinstance(shares, Mapping):
            return
        numeric = True
        for sup, share in shares.items():
            if sup not in offered:
                out.append(((*path, sup), f"unknown supplier {sup!r}"))
            elif part in parts and part not in offered[sup]:
                out.append(((*path, sup), f"supplier {sup!r} does not offer part {part!r}"))
            numeric = numeric and isinstance(share, int | float) and not isinstance(share, bool)
        if numeric and shares:
            try:
                total = sum(float(v) for v in shares.values())
            except OverflowError:  # an integer too large for a float (the schema says so)
                total = math.inf
            if abs(total - 1.0) > SHARE_TOLERANCE:
                out.append((path, f"shares of part {part!r} sum to {total:g}, not 1"))
        elif numeric:
            out.append((path, f"no supplier share given for part {part!r}"))

    allocation = plan.get("allocation", {})
    if isinstance(allocation, Mapping):
        for part, shares in allocation.items():
            if part not in parts:
                out.append(((*prefix, "allocation", part), f"unknown part {part!r}"))
            check_shares(shares, part, (*prefix, "allocation", part))
        by_year_parts = plan.get("allocation_by_year", {})
        by_year_parts = by_year_parts if isinstance(by_year_parts, Mapping) else {}
        for part in sorted(parts):
            first = by_year_parts.get(part)
            covered = isinstance(first, Mapping) and 1 in first
            if part not in allocation and not covered and len(offerers.get(part, [])) > 1:
                out.append(
                    (
                        (*prefix, "allocation"),
                        f"no allocation for part {part!r}, offered by {', '.join(offerers[part])}",
                    )
                )
    years = _plan_years(doc)
    by_year = plan.get("allocation_by_year", {})
    if isinstance(by_year, Mapping):
        for part, per_year in by_year.items():
            if part not in parts:
                out.append(((*prefix, "allocation_by_year", part), f"unknown part {part!r}"))
            if not isinstance(per_year, Mapping):
                continue
            for year, shares in per_year.items():
                path = (*prefix, "allocation_by_year", part, year)
                if isinstance(year, int) and years is not None and not 1 <= year <= years:
                    out.append((path, f"year {year} is outside the horizon (years 1..{years})"))
                check_shares(shares, part, path)

    expedite = plan.get("expedite", {})
    if isinstance(expedite, Mapping):
        for part in expedite:
            if part not in parts:
                out.append(((*prefix, "expedite", part), f"unknown part {part!r}"))
            elif not any(
                isinstance(offer.get("expedite"), Mapping)
                for sup in offered.values()
                for p_id, offer in sup.items()
                if p_id == part
            ):
                out.append(
                    (
                        (*prefix, "expedite", part),
                        f"no offer of part {part!r} has an expedite channel to use",
                    )
                )

    contingency = plan.get("contingency", {})
    if isinstance(contingency, Mapping):
        for part, rules in contingency.items():
            path = (*prefix, "contingency", part)
            if part not in parts:
                out.append((path, f"unknown part {part!r}"))
                continue
            if not isinstance(rules, Mapping):
                continue
            for rule in ("backup", "reservation"):
                spec = rules.get(rule)
                sup = spec.get("supplier") if isinstance(spec, Mapping) else None
                if not isinstance(sup, str):
                    continue
                if sup not in offered:
                    out.append(((*path, rule, "supplier"), f"unknown supplier {sup!r}"))
                elif part not in offered[sup]:
                    out.append(
                        (
                            (*path, rule, "supplier"),
                            f"supplier {sup!r} does not offer part {part!r}",
                        )
                    )
            if isinstance(rules.get("reallocate"), Mapping) and len(offerers.get(part, [])) < 2:
                out.append(
                    (
                        (*path, "reallocate"),
                        f"part {part!r} has only one supplier: there is nowhere to reallocate to",
                    )
                )

    known_suppliers = set(offered)
    out.extend(_contract_problems(plan, (*prefix, "contracts"), known_suppliers))
    funded = plan.get("programs", {})
    if isinstance(funded, Mapping):
        programs = {p.get("id") for _, p in _items(doc, "programs")}
        for prog in funded:
            if prog not in programs:
                known = ", ".join(sorted(x for x in programs if isinstance(x, str))) or "none"
                out.append(((*prefix, "programs", prog), f"unknown program {prog!r} ({known})"))

    inventory = plan.get("inventory", {})
    if isinstance(inventory, Mapping):
        for part in inventory:
            if part not in parts:
                out.append(((*prefix, "inventory", part), f"unknown part {part!r}"))
        if plan.get("default_inventory") is None:
            missing = sorted(parts - set(inventory))
            if missing:
                out.append(
                    (
                        (*prefix, "inventory"),
                        f"no inventory policy for part(s) {', '.join(missing)} "
                        "(give one per part or a default_inventory)",
                    )
                )
    return out


def _plan_years(doc: Any) -> int | None:
    horizon = doc.get("horizon", {}) if isinstance(doc, Mapping) else {}
    if not isinstance(horizon, Mapping):
        return None
    years, period = horizon.get("years", 5.0), horizon.get("period", "week")
    if (
        not isinstance(years, int | float)
        or not isinstance(period, str)
        or period not in PERIODS_PER_YEAR
        or (isinstance(years, float) and not math.isfinite(years))
        or years <= 0
    ):
        return None  # the schema reports a bad horizon
    return horizon_years(years, period)


def scenario_problems(doc: Any) -> ProblemList:
    """All cross-reference problems of a scenario document, its own plan and its
    optimizer settings included."""
    plan = doc.get("plan", {}) if isinstance(doc, Mapping) else {}
    return (
        network_problems(doc)
        + plan_problems(plan if plan is not None else {}, doc)
        + optimize_problems(doc)
    )


def _horizon_days(doc: Any) -> float | None:
    horizon = doc.get("horizon", {}) if isinstance(doc, Mapping) else {}
    if not isinstance(horizon, Mapping):
        return None
    years, period = horizon.get("years", 5.0), horizon.get("period", "week")
    if not isinstance(years, int | float) or isinstance(years, bool) or not 0 < years <= 1e4:
        return None
    if not isinstance(period, str) or period not in PERIODS_PER_YEAR:
        return None
    return horizon_periods(years, period) * DAYS_PER_PERIOD[period]


def _days_from_start(doc: Any, date: Any) -> float | None:
    import datetime as dt

    meta = doc.get("meta", {}) if isinstance(doc, Mapping) else {}
    start = meta.get("start_date", dt.date(2027, 1, 1)) if isinstance(meta, Mapping) else None
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            return None
    if isinstance(start, str):
        try:
            start = dt.date.fromisoformat(start)
        except ValueError:
            return None
    if not isinstance(date, dt.date) or not isinstance(start, dt.date):
        return None
    return float((date - start).days)


def optimize_problems(doc: Any) -> ProblemList:
    """References of the ``optimize:`` section: parts, suppliers, offers and plan years."""
    out: ProblemList = []
    settings = doc.get("optimize") if isinstance(doc, Mapping) else None
    if not isinstance(settings, Mapping):
        return out
    parts = {p["id"] for _, p in _items(doc, "parts") if isinstance(p.get("id"), str)}
    offered = _offered_parts(doc)
    years = _plan_years(doc)
    base = ("optimize",)

    def part_keys(name: str) -> None:
        value = settings.get(name)
        if isinstance(value, Mapping):
            for part in value:
                if isinstance(part, str) and part not in parts:
                    out.append(((*base, name, part), f"unknown part {part!r}"))

    def year_ok(year: Any, path: Path) -> None:
        if isinstance(year, int) and years is not None and not 1 <= year <= years:
            out.append((path, f"year {year} is outside the horizon (years 1..{years})"))

    def offer_ok(item: Mapping, path: Path) -> tuple[str, str] | None:
        sup, part = item.get("supplier"), item.get("part")
        if not isinstance(sup, str) or not isinstance(part, str):
            return None
        if sup not in offered:
            out.append(((*path, "supplier"), f"unknown supplier {sup!r}"))
            return None
        if part not in parts:
            out.append(((*path, "part"), f"unknown part {part!r}"))
            return None
        if part not in offered[sup]:
            out.append(((*path, "part"), f"supplier {sup!r} does not offer part {part!r}"))
            return None
        return sup, part

    for name in (
        "shortage_penalty_per_unit",
        "max_supplier_share_by_part",
        "max_region_share_by_part",
        "max_defect_ppm",
    ):
        part_keys(name)
    listed = settings.get("meet_demand")
    if isinstance(listed, list):
        for k, part in enumerate(listed):
            if isinstance(part, str) and part not in parts:
                out.append(((*base, "meet_demand", k), f"unknown part {part!r}"))
    dual = settings.get("dual_sourcing")
    if isinstance(dual, Mapping):
        listed = dual.get("parts")
        if isinstance(listed, list):
            for k, part in enumerate(listed):
                if isinstance(part, str) and part not in parts:
                    out.append(((*base, "dual_sourcing", "parts", k), f"unknown part {part!r}"))
        year_ok(dual.get("from_year"), (*base, "dual_sourcing", "from_year"))
    seen: dict[Any, int] = {}
    for i, commitment in _items(settings, "commitments"):
        path = (*base, "commitments", i)
        sup = commitment.get("supplier")
        if isinstance(sup, str) and sup not in offered:
            out.append(((*path, "supplier"), f"unknown supplier {sup!r}"))
        elif isinstance(sup, str) and sup in seen:
            out.append(
                (
                    (*path, "supplier"),
                    f"supplier {sup!r} has a commitment already (commitments[{seen[sup]}]): "
                    "give one per supplier, with its units per year",
                )
            )
        elif isinstance(sup, str):
            seen[sup] = i
        by_year = commitment.get("min_units_by_year")
        if isinstance(by_year, Mapping):
            for year in by_year:
                year_ok(year, (*path, "min_units_by_year", year))
    schedules: dict[tuple[str, str], int] = {}
    for i, schedule in _items(settings, "price_schedules"):
        path = (*base, "price_schedules", i)
        key = offer_ok(schedule, path)
        if key is None:
            continue
        if key in schedules:
            out.append(
                (
                    path,
                    f"offer {key[0]!r} -> {key[1]!r} has a price schedule already "
                    f"(price_schedules[{schedules[key]}])",
                )
            )
        else:
            schedules[key] = i
    reserved: dict[str, int] = {}
    for i, option in _items(settings, "reservations"):
        path = (*base, "reservations", i)
        key = offer_ok(option, path)
        if key is None:
            continue
        if key[1] in reserved:
            out.append(
                (
                    (*path, "part"),
                    f"part {key[1]!r} has a reservation option already "
                    f"(reservations[{reserved[key[1]]}]): one per part",
                )
            )
        else:
            reserved[key[1]] = i
    menus: dict[str, int] = {}
    for i, menu in _items(settings, "incentives"):
        path = (*base, "incentives", i, "supplier")
        sup = menu.get("supplier")
        if not isinstance(sup, str):
            continue
        if sup not in offered:
            out.append((path, f"unknown supplier {sup!r}"))
        elif sup in menus:
            out.append((path, f"supplier {sup!r} has a menu already (incentives[{menus[sup]}])"))
        else:
            menus[sup] = i
    co = settings.get("programs")
    if isinstance(co, Mapping):
        known = {p.get("id") for _, p in _items(doc, "programs")}
        listed: dict[str, int] = {}
        for i, option in _items(co, "options"):
            path = (*base, "programs", "options", i, "program")
            prog = option.get("program")
            if not isinstance(prog, str):
                continue
            if prog not in known:
                names = ", ".join(sorted(x for x in known if isinstance(x, str))) or "none"
                out.append((path, f"unknown program {prog!r} (programs: {names})"))
            elif prog in listed:
                out.append((path, f"program {prog!r} is listed already (options[{listed[prog]}])"))
            else:
                listed[prog] = i
        by_year = co.get("capex_budget_by_year")
        if isinstance(by_year, Mapping):
            for year in by_year:
                year_ok(year, (*base, "programs", "capex_budget_by_year", year))
    return out
