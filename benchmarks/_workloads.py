"""Benchmark workloads, built in code (deterministically), and small timing helpers.

Shared by ``bench_peer_workload.py``, ``bench_network.py`` and ``profile_kernel.py``;
not a benchmark itself (``make bench`` only runs ``bench_*.py``).
"""

from __future__ import annotations

import gc
import math
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from keiretsu.optimize.allocation_data import AllocationData, Offer, Part, PriceBreak, Supplier
from keiretsu.scenario.model import Scenario

# --------------------------------------------------------------------------- peer workload

PEER_REPLICATIONS = 100
PEER_DAYS = 1825


def peer_scenario() -> Scenario:
    """1 part, 1 supplier, (s, S) = (25, 75), fixed 2-day lead time, Poisson(10), lost sales.

    The inventory workload used by SupplyNetPy and stockpyl comparisons: daily periods
    over 5 years (1,825 days).
    """
    return Scenario.model_validate(
        {
            "meta": {"name": "peer workload: single-echelon (s, S), lost sales"},
            "horizon": {"years": 5, "period": "day", "review_every_periods": 1},
            "regions": [{"id": "R"}],
            "parts": [
                {
                    "id": "ITEM",
                    "demand": {"per_period_units": {"kind": "poisson", "mean": 10}},
                    "revenue_per_unit": 10.0,
                    "holding_cost_per_unit_per_period": 0.1,
                    "shortage": {"kind": "lost_sale", "penalty_per_unit": 1.0},
                }
            ],
            "suppliers": [
                {
                    "id": "SUP",
                    "region": "R",
                    "offers": [
                        {
                            "part": "ITEM",
                            "unit_price": 5.0,
                            "lead_time_days": {"kind": "fixed", "value": 2},
                        }
                    ],
                }
            ],
            "plan": {
                "name": "(s,S) = (25, 75)",
                "inventory": {
                    "ITEM": {"policy": "s_S", "reorder_point_units": 25, "order_up_to_units": 75}
                },
            },
            "run": {"replications": PEER_REPLICATIONS, "seed": 20261123},
        }
    )


# --------------------------------------------------------------------------- network workload

LATE_DELAY_MEAN = 6.5  # days: late_delay_days ~ uniform(3, 10)
REGIONS = [
    # id, lead time (low, mode, high) in days, on-time probability
    ("KR", (30.0, 38.0, 52.0), 0.90),
    ("CN", (28.0, 35.0, 50.0), 0.88),
    ("EU", (2.0, 4.0, 8.0), 0.96),
    ("MA", (5.0, 8.0, 14.0), 0.93),
]


def network_scenario(n_parts: int = 200, years: float = 5.0, seed: int = 7) -> Scenario:
    """An EV-battery-like network: ``n_parts`` parts, ``n_parts // 10`` suppliers, 4 regions.

    Every part is dual-sourced (70 % / 30 %) from two suppliers in different regions; lead
    times are triangular in days (sea freight from KR/CN, truck from EU/MA); defect rates
    ~200 ppm; per-offer capacity is 1.15-1.45 x the mean daily need of its share, so it
    binds on demand peaks and as demand grows; one supplier in four also has a shared
    capacity across its parts. Demand is normal (CV 10-25 %), growing 4 %/yr; shortages
    are backordered. Half the parts run base-stock, half days-of-cover. Daily periods.
    Every number comes from a fixed-seed generator, so the scenario is identical each run.
    """
    rng = np.random.default_rng(seed)
    n_sup = max(2, n_parts // 10)
    sup_region = [REGIONS[j % len(REGIONS)] for j in range(n_sup)]
    offers: list[list[dict[str, Any]]] = [[] for _ in range(n_sup)]
    sup_load = np.zeros(n_sup)
    parts, allocation, inventory = [], {}, {}
    for i in range(n_parts):
        pid = f"P{i:04d}"
        mean = float(rng.choice([50.0, 200.0, 800.0, 3000.0, 12000.0]))
        cv = float(rng.uniform(0.10, 0.25))
        price = float(np.round(rng.uniform(2.0, 300.0), 2))
        parts.append(
            {
                "id": pid,
                "demand": {
                    "per_period_units": {"kind": "normal", "mean": mean, "sd": mean * cv},
                    "annual_growth": 0.04,
                },
                "revenue_per_unit": round(price * 1.2, 2),
                "holding_cost_per_unit_per_period": round(price * 0.22 / 365, 5),
                "shortage": {"kind": "backorder", "cost_per_unit_per_period": round(price, 2)},
            }
        )
        primary, secondary = i % n_sup, (i + 1) % n_sup  # adjacent suppliers: other region
        lead_mean = lead_var = 0.0  # of the share-weighted delivery time in days
        for sup, share in ((primary, 0.7), (secondary, 0.3)):
            _, (lo, mode, hi), on_time = sup_region[sup]
            tri_var = (lo * lo + mode * mode + hi * hi - lo * mode - lo * hi - mode * hi) / 18
            late = (1 - on_time) * LATE_DELAY_MEAN
            lead_mean += share * ((lo + mode + hi) / 3 + late)
            lead_var += share * (tri_var + (1 - on_time) * on_time * LATE_DELAY_MEAN**2)
            offers[sup].append(
                {
                    "part": pid,
                    "unit_price": round(price * (1.0 if share > 0.5 else 1.06), 2),
                    "lead_time_days": {"kind": "triangular", "low": lo, "mode": mode, "high": hi},
                    "on_time_probability": on_time,
                    "late_delay_days": {"kind": "uniform", "low": 3, "high": 10},
                    "defect_ppm": float(np.round(rng.uniform(100.0, 300.0))),
                    # 1.35-1.8 x the share's first-year mean: binds on peaks, after late
                    # deliveries (catch-up) and more often as demand grows 4 %/yr
                    "capacity_units_per_period": round(mean * share * rng.uniform(1.35, 1.8), 1),
                }
            )
            sup_load[sup] += mean * share
        allocation[pid] = {f"S{primary:03d}": 0.7, f"S{secondary:03d}": 0.3}
        # safety stock: z = 2 on demand over the protection interval (lead time + review)
        # with lead-time variability: sd = sqrt((L + 1) (cv m)^2 + m^2 var(L))
        safety = 2.0 * mean * math.sqrt((lead_mean + 1) * cv * cv + lead_var)
        if i % 2 == 0:
            growth = 1.04**2  # sized for year 3 of 5
            order_up_to = round(growth * (mean * (lead_mean + 1) + safety))
            inventory[pid] = {"policy": "base_stock", "order_up_to_units": order_up_to}
        else:
            inventory[pid] = {
                "policy": "days_of_cover",
                "cover_days": round(lead_mean + 1, 1),
                "safety_stock_units": round(safety),
            }
    suppliers = []
    for j in range(n_sup):
        sup: dict[str, Any] = {
            "id": f"S{j:03d}",
            "region": sup_region[j][0],
            "offers": offers[j],
            "annual_price_trend": -0.02,
        }
        if j % 4 == 3:
            sup["shared_capacity_units_per_period"] = round(sup_load[j] * 1.25, 1)
        suppliers.append(sup)
    return Scenario.model_validate(
        {
            "meta": {"name": f"EV-like network: {n_parts} parts x {n_sup} suppliers, daily"},
            "horizon": {"years": years, "period": "day", "review_every_periods": 1},
            "regions": [{"id": r[0]} for r in REGIONS],
            "parts": parts,
            "suppliers": suppliers,
            "plan": {
                "name": "70/30 dual sourcing",
                "allocation": allocation,
                "inventory": inventory,
            },
            "run": {"replications": 8, "seed": 20261123},
        }
    )


# --------------------------------------------------------------------------- optimizer workload


def optimizer_scenario(n_parts: int = 500, menus: int = 5, seed: int = 7) -> Scenario:
    """The optimizer workload of issue 7: ``network_scenario``'s network in weekly periods
    over 5 years (``n_parts`` parts, ``n_parts // 10`` suppliers, every part offered by two
    suppliers in different regions), with a disruption model to sample risk scenarios from.

    Weekly: demand mean x 7 (sd x sqrt 7), capacities x 7, holding cost x 7; a backorder
    costs 5 % of the part's price a week (as the EV scenario). Disruptions: every supplier
    has random outages (exponential up time, mean 1,000 days; lognormal down time, mean 25
    days, sd 10; a full stop for even-numbered suppliers, 60 % of capacity lost for the
    others; 7 days' ramp-up) and every region random events (0.25 a year, triangular 7-14-35
    days, half the capacity of every supplier there, 7 days' ramp-up). The plan moves a down
    supplier's share to the part's other supplier after 7 days (the risk model's recourse).
    ``menus`` suppliers have an incentive menu: their contract in force (none: spot) and a
    strategic partnership with a 50 % gain share.
    """
    doc = network_scenario(n_parts, 5.0, seed).model_dump(mode="json", by_alias=True)
    doc["horizon"]["period"] = "week"
    doc["meta"]["name"] = f"optimizer workload: {n_parts} parts x {n_parts // 10} suppliers, weekly"
    for p in doc["parts"]:
        law = p["demand"]["per_period_units"]
        law["mean"] *= 7
        law["sd"] *= math.sqrt(7)
        p["holding_cost_per_unit_per_period"] = round(p["holding_cost_per_unit_per_period"] * 7, 5)
        price = p["revenue_per_unit"] / 1.2
        p["shortage"] = {"kind": "backorder", "cost_per_unit_per_period": round(0.05 * price, 4)}
    for s in doc["suppliers"]:
        for o in s["offers"]:
            o["capacity_units_per_period"] = round(o["capacity_units_per_period"] * 7, 1)
        if s.get("shared_capacity_units_per_period") is not None:
            s["shared_capacity_units_per_period"] = round(
                s["shared_capacity_units_per_period"] * 7, 1
            )
    disruptions = []
    for j, s in enumerate(doc["suppliers"]):
        disruptions.append(
            {
                "kind": "supplier_outage",
                "id": f"{s['id']}-outage",
                "supplier": s["id"],
                "up_days": {"kind": "exponential", "mean": 1000},
                "down_days": {"kind": "lognormal", "mean": 25, "sd": 10},
                "capacity_lost": 1.0 if j % 2 == 0 else 0.6,
                "ramp_up_days": 7,
            }
        )
    for r in REGIONS:
        disruptions.append(
            {
                "kind": "regional_event",
                "id": f"{r[0]}-event",
                "region": r[0],
                "per_year": 0.25,
                "down_days": {"kind": "triangular", "low": 7, "mode": 14, "high": 35},
                "capacity_lost": 0.5,
                "ramp_up_days": 7,
            }
        )
    doc["disruptions"] = disruptions
    doc["plan"]["contingency"] = {
        p["id"]: {"reallocate": {"after_days_down": 7}} for p in doc["parts"]
    }
    doc["optimize"] = {
        "dual_sourcing": None,
        "incentives": [
            {
                "supplier": s["id"],
                "options": [
                    {
                        "name": "strategic",
                        "contract": {
                            "supplier": s["id"],
                            "relationship": "strategic_partnership",
                            "gain_share_buyer": 0.5,
                        },
                    }
                ],
            }
            for s in doc["suppliers"][:menus]
        ],
    }
    return Scenario.model_validate(doc)


# --------------------------------------------------------------------------- allocation workload


def allocation_data(
    n_parts: int = 200,
    n_suppliers: int = 20,
    n_years: int = 5,
    offers_per_part: int | None = 5,
    seed: int = 11,
) -> AllocationData:
    """An EV-like volume-allocation instance (every constraint family in use).

    ``n_parts`` parts, ``n_suppliers`` suppliers in 4 regions, ``n_years`` years of demand
    (20k-200k units, growing 4 %/yr); each part is offered by ``offers_per_part`` random
    suppliers (None: by all). Per offer: price 5-100 per unit x a supplier factor 0.9-1.2,
    capacity 0.3-0.8 x the part's first-year demand x 1.2, defects 50-500 ppm; 40 % of the
    offers have incremental discounts (1-2 breaks, 3-8 % each), 20 % all-units ones; 30 %
    a qualification cost (once), 20 % a minimum volume (5 % of demand). One part in five
    is critical (2 sources of at least 20 %), one in four has a 70 % region limit, one in
    four a 60 % supplier share limit, one in five a quality limit, one in five a 30 %
    switching limit. Suppliers: a quarter with a shared capacity, a quarter with a fixed
    management cost per year, a fifth with a take-or-pay commitment. Every part may run
    short at 3x its price, so the instance is always feasible.
    """
    rng = np.random.default_rng(seed)
    years = tuple(range(2027, 2027 + n_years))
    regions = ("KR", "CN", "EU", "MA")
    supplier_ids = [f"SUP{j:03d}" for j in range(n_suppliers)]
    factor = rng.uniform(0.9, 1.2, n_suppliers)
    parts, offers = [], []
    supplied: dict[int, float] = dict.fromkeys(range(n_suppliers), 0.0)
    for i in range(n_parts):
        pid = f"PART{i:04d}"
        base = rng.uniform(20_000, 200_000)
        demand = tuple(round(base * 1.04**t) for t in range(n_years))
        price = rng.uniform(5, 100)
        k = n_suppliers if offers_per_part is None else min(offers_per_part, n_suppliers)
        chosen = sorted(rng.choice(n_suppliers, size=k, replace=False).tolist())
        ppm = rng.uniform(50, 500, k)
        critical = rng.random() < 0.2
        parts.append(
            Part(
                pid,
                demand,
                shortage_penalty_per_unit=3 * price,
                min_suppliers=2 if critical else 1,
                min_source_share=0.2 if critical else 0.0,
                max_supplier_share=0.6 if rng.random() < 0.25 else None,
                max_region_share=0.7 if rng.random() < 0.25 else None,
                max_defect_ppm=float(np.sort(ppm)[1]) + 50 if rng.random() < 0.2 else None,
                max_change_share=0.3 if rng.random() < 0.2 else None,
            )
        )
        for n, j in enumerate(chosen):
            p = round(price * factor[j], 2)
            kind = rng.random()
            breaks: tuple[PriceBreak, ...] = ()
            discount = "incremental"
            if kind < 0.6:
                steps = rng.integers(1, 3)
                at = np.sort(rng.uniform(0.1, 0.5, steps)) * base
                cut = np.cumprod(1 - rng.uniform(0.03, 0.08, steps))
                breaks = tuple(
                    PriceBreak(float(round(a)), round(p * c, 2))
                    for a, c in zip(at, cut, strict=True)
                )
                discount = "incremental" if kind < 0.4 else "all_units"
            cap = float(round(rng.uniform(0.3, 0.8) * base * 1.2))
            supplied[j] += cap
            offers.append(
                Offer(
                    pid,
                    supplier_ids[j],
                    p,
                    breaks,
                    discount,  # type: ignore[arg-type]
                    capacity_units_per_year=cap,
                    min_units_per_year=round(0.05 * base) if rng.random() < 0.2 else 0.0,
                    fixed_cost_once=round(rng.uniform(2e4, 2e5)) if rng.random() < 0.3 else 0.0,
                    defect_ppm=float(ppm[n]),
                )
            )
    suppliers = []
    for j, sid in enumerate(supplier_ids):
        shared = round(0.6 * supplied[j]) if rng.random() < 0.25 else None
        commit = rng.random() < 0.2
        suppliers.append(
            Supplier(
                sid,
                region=regions[j % len(regions)],
                shared_capacity_units_per_year=shared,
                fixed_cost_per_year=round(rng.uniform(5e4, 3e5)) if rng.random() < 0.25 else 0.0,
                committed_units=tuple(round(0.2 * supplied[j]) for _ in years) if commit else (),
                take_or_pay_cost_per_unit=2.0 if commit else None,
                annual_price_trend=float(rng.uniform(-0.03, 0.02)),
            )
        )
    return AllocationData(
        years=years,
        parts=tuple(parts),
        suppliers=tuple(suppliers),
        offers=tuple(offers),
        name=f"bench_{n_parts}x{n_suppliers}x{n_years}",
    )


# --------------------------------------------------------------------------- helpers


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall-clock seconds of one call of ``fn`` (garbage collected first) and its result."""
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def median_time(fn: Callable[[], Any], runs: int = 3, warmup: int = 1) -> tuple[float, list[float]]:
    """Median wall-clock seconds of ``runs`` calls of ``fn`` after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    times = [timed(fn)[0] for _ in range(runs)]
    return statistics.median(times), times


def descendants(root: int) -> list[int]:
    """Pids of every live descendant of ``root`` (from /proc; Linux only)."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [root]
    while frontier:
        p = frontier.pop()
        kids = [c for c, pp in parent.items() if pp == p]
        found += kids
        frontier += kids
    return found


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def machine() -> str:
    import os

    import numpy
    import scipy

    return (
        f"python {platform.python_version()}, numpy {numpy.__version__}, scipy {scipy.__version__}, "
        f"{os.cpu_count()} logical CPUs, {platform.machine()}"
    )


def source_state() -> str:
    """The commit measured, and whether src/ had uncommitted changes (figures depend on it)."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "src")
    return f"commit {head}" + (" + uncommitted changes in src/" if dirty else "")


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain fixed-width text table (right-aligned except the first column)."""
    cells = [header, *rows]
    widths = [max(len(str(r[i])) for r in cells) for i in range(len(header))]

    def line(r: list[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
