"""Kraljic segmentation (keiretsu.analysis.segmentation) on hand-built scenarios where
the segment is obvious, the scores recomputed by hand from the documented formulas, and
the bundled scenarios classified sensibly."""

from __future__ import annotations

import math

import pytest

from keiretsu.analysis.likelihood import likelihood_per_year, offer_hits
from keiretsu.analysis.segmentation import (
    ImpactWeights,
    RiskWeights,
    SegmentationOptions,
    quadrant,
    segment,
    volume_shares,
)
from keiretsu.scenario.loader import load_scenario
from keiretsu.scenario.model import Scenario
from tests.helpers import SCENARIOS


def _part(pid: str, mean: float, revenue: float, criticality: str = "medium", **demand) -> dict:
    return {
        "id": pid,
        "demand": {"per_period_units": {"kind": "fixed", "value": mean}, **demand},
        "revenue_per_unit": revenue,
        "holding_cost_per_unit_per_period": 0.0,
        "shortage": {"kind": "lost_sale", "penalty_per_unit": 0.0},
        "criticality": criticality,
    }


def _supplier(sid: str, region: str, offers: dict[str, float], **extra) -> dict:
    return {
        "id": sid,
        "region": region,
        "offers": [
            {"part": p, "unit_price": price, "lead_time_days": {"kind": "fixed", "value": 7}}
            for p, price in offers.items()
        ],
        **extra,
    }


def portfolio(**overrides) -> Scenario:
    """Four parts whose segments are obvious, one year of weeks, no growth:

    * BIG-SOLE: 1,000 a week at 100, critical, sole source SOLO (region A), which has
      outages once a year: strategic;
    * BIG-MULTI: 1,000 a week at 100, high, three sources in three regions, 1/3 each, no
      disruption: leverage;
    * CHEAP-SOLE: 10 a week at 1, low, sole source LONE: bottleneck;
    * CHEAP-MULTI: 10 a week at 1, low, two sources in two regions, 50/50: non-critical.
    """
    doc = {
        "meta": {"name": "portfolio"},
        "horizon": {"years": 1, "period": "week"},
        "regions": [{"id": r} for r in ("A", "B", "C")],
        "parts": [
            _part("BIG-SOLE", 1000, 120, "critical"),
            _part("BIG-MULTI", 1000, 120, "high"),
            _part("CHEAP-SOLE", 10, 1.2, "low"),
            _part("CHEAP-MULTI", 10, 1.2, "low"),
        ],
        "suppliers": [
            _supplier("SOLO", "A", {"BIG-SOLE": 100}),
            _supplier("M1", "A", {"BIG-MULTI": 100}),
            _supplier("M2", "B", {"BIG-MULTI": 100}),
            _supplier("M3", "C", {"BIG-MULTI": 100}),
            _supplier("LONE", "B", {"CHEAP-SOLE": 1}),
            _supplier("C1", "A", {"CHEAP-MULTI": 1}),
            _supplier("C2", "C", {"CHEAP-MULTI": 1}),
            _supplier("SPARE", "C", {"CHEAP-MULTI": 1.1}),
        ],
        "disruptions": [
            {
                "kind": "supplier_outage",
                "id": "SOLO-breakdown",
                "supplier": "SOLO",
                "per_year": 1.0,
                "down_days": {"kind": "fixed", "value": 10},
            }
        ],
        "plan": {
            "allocation": {
                "BIG-MULTI": {"M1": 1 / 3, "M2": 1 / 3, "M3": 1 / 3},
                "CHEAP-MULTI": {"C1": 0.5, "C2": 0.5},
            },
            "default_inventory": {"policy": "base_stock", "order_up_to_units": 100},
        },
    }
    doc.update(overrides)
    return Scenario.model_validate(doc)


def test_the_obvious_segments() -> None:
    result = segment(portfolio())
    parts = result.parts.set_index("part")
    assert parts.loc["BIG-SOLE", "segment"] == "strategic"
    assert parts.loc["BIG-MULTI", "segment"] == "leverage"
    assert parts.loc["CHEAP-SOLE", "segment"] == "bottleneck"
    assert parts.loc["CHEAP-MULTI", "segment"] == "non-critical"
    assert result.counts() == {"strategic": 1, "leverage": 1, "bottleneck": 1, "non-critical": 1}


def test_scores_follow_the_documented_formulas() -> None:
    parts = segment(portfolio()).parts.set_index("part")
    spend = {"BIG-SOLE": 52 * 1000 * 100, "BIG-MULTI": 52 * 1000 * 100, "CHEAP-SOLE": 520}
    spend["CHEAP-MULTI"] = 520
    total = sum(spend.values())
    margin = {p: 0.2 * s for p, s in spend.items()}  # revenue 1.2 x price everywhere
    for p, s in spend.items():
        assert parts.loc[p, "annual_spend"] == pytest.approx(s, rel=1e-12)
        assert parts.loc[p, "annual_margin"] == pytest.approx(margin[p], rel=1e-12)
        assert parts.loc[p, "spend_share"] == pytest.approx(s / total, rel=1e-12)

    def log_score(x: float) -> float:
        return min(1.0, max(0.0, 1 + math.log10(x) / 3))

    big = log_score(spend["BIG-SOLE"] / total)  # the margin shares are the same here
    assert parts.loc["BIG-SOLE", "impact_score"] == pytest.approx(0.5 * big + 0.2 * big + 0.3)
    assert parts.loc["BIG-MULTI", "impact_score"] == pytest.approx(0.7 * big + 0.3 * 2 / 3)
    assert parts.loc["CHEAP-SOLE", "impact_score"] == pytest.approx(0.0)  # < 1/1000 of spend
    # SOLO: one qualified source, 100 %, one region, no tier 2, one outage a year
    assert parts.loc["BIG-SOLE", "disruption_events_per_year"] == pytest.approx(1.0)
    expected = 0.30 + 0.20 + 0.15 + 0.20 * (1 - math.exp(-1.0))
    assert parts.loc["BIG-SOLE", "risk_score"] == pytest.approx(expected)
    assert parts.loc["BIG-MULTI", "risk_score"] == pytest.approx(0.30 / 3 + 0.20 / 3 + 0.15 / 3)
    assert parts.loc["CHEAP-SOLE", "risk_score"] == pytest.approx(0.65)
    # three qualified sources offer CHEAP-MULTI (SPARE too) in two regions, 50/50
    assert parts.loc["CHEAP-MULTI", "qualified_sources"] == 3
    assert parts.loc["CHEAP-MULTI", "source_regions"] == 2
    assert parts.loc["CHEAP-MULTI", "risk_score"] == pytest.approx(0.10 + 0.10 + 0.075)
    assert parts.loc["BIG-SOLE", "risk_drivers"].startswith("1 qualified source; 100% with SOLO")
    assert "SOLO-breakdown" in parts.loc["BIG-SOLE", "risk_drivers"]


def test_tiers_follow_the_segments_of_the_parts() -> None:
    suppliers = segment(portfolio()).suppliers.set_index("supplier")
    assert suppliers.loc["SOLO", "tier"] == "strategic partner"
    assert suppliers.loc["SOLO", "tier_reason"] == "main source of BIG-SOLE (strategic)"
    for sid in ("M1", "M2", "M3"):  # a leverage part
        assert suppliers.loc[sid, "tier"] == "preferred"
    assert suppliers.loc["LONE", "tier"] == "preferred"  # a bottleneck part
    assert suppliers.loc["C1", "tier"] == "transactional"
    assert suppliers.loc["SPARE", "tier"] == "transactional"
    assert suppliers.loc["SPARE", "tier_reason"] == "no volume in the plan"
    assert suppliers.loc["SPARE", "annual_spend"] == 0.0
    # spend-weighted roll-up of one offer is the offer's score
    offers = segment(portfolio()).offers.set_index(["supplier", "part"])
    assert suppliers.loc["SOLO", "risk_score"] == pytest.approx(
        offers.loc[("SOLO", "BIG-SOLE"), "risk_score"]
    )


def test_the_second_source_of_a_strategic_part_is_preferred() -> None:
    scenario = portfolio()
    doc = scenario.model_dump(mode="json", by_alias=True)
    doc["suppliers"].append(_supplier("BACKUP", "B", {"BIG-SOLE": 110}))
    doc["plan"]["allocation"]["BIG-SOLE"] = {"SOLO": 0.8, "BACKUP": 0.2}
    doc["disruptions"][0]["per_year"] = 20.0  # SOLO keeps BIG-SOLE high-risk
    result = segment(Scenario.model_validate(doc))
    parts = result.parts.set_index("part")
    assert parts.loc["BIG-SOLE", "segment"] == "strategic", parts.loc["BIG-SOLE"].to_dict()
    tiers = result.suppliers.set_index("supplier")["tier"]
    assert tiers["SOLO"] == "strategic partner" and tiers["BACKUP"] == "preferred"


def test_thresholds_are_configurable_and_ties_are_high() -> None:
    options = SegmentationOptions(impact_threshold=0.95, risk_threshold=0.2)
    parts = segment(portfolio(), options=options).parts.set_index("part")
    assert parts.loc["BIG-SOLE", "segment"] == "bottleneck"  # impact 0.93 < 0.95
    assert parts.loc["CHEAP-MULTI", "segment"] == "bottleneck"  # risk 0.275 >= 0.2
    o = SegmentationOptions(impact_threshold=0.4, risk_threshold=0.6)
    assert quadrant(0.4, 0.6, o) == "strategic"
    assert quadrant(0.39, 0.6, o) == "bottleneck"
    assert quadrant(0.4, 0.59, o) == "leverage"
    assert quadrant(0.0, 0.0, o) == "non-critical"
    assert "at or above 0.4" in segment(portfolio(), options=o).definitions["segmentation"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: SegmentationOptions(impact_threshold=1.2),
        lambda: SegmentationOptions(risk_threshold=-0.1),
        lambda: SegmentationOptions(spend_decades=0),
        lambda: SegmentationOptions(exposure_years=math.inf),
        lambda: ImpactWeights(spend=0.5, margin=0.5, criticality=0.5),
        lambda: RiskWeights(sources=-0.1, concentration=0.4),
    ],
)
def test_bad_options_are_refused(make) -> None:
    with pytest.raises(ValueError, match="must"):
        make()


def test_spend_and_shares_average_the_horizon() -> None:
    """Growth 10 %/yr, price trend -5 %/yr, 2.5 years, a share change in year 2."""
    doc = portfolio().model_dump(mode="json", by_alias=True)
    doc["horizon"] = {"years": 2.5, "period": "week"}
    doc["parts"][1]["demand"]["annual_growth"] = 0.10
    for s in doc["suppliers"]:
        if s["id"] == "M1":
            s["annual_price_trend"] = -0.05
    doc["plan"]["allocation_by_year"] = {"BIG-MULTI": {2: {"M1": 1.0}}}
    scenario = Scenario.model_validate(doc)
    units = [52_000 * 1.0, 52_000 * 1.1, 26_000 * 1.21]  # year 3 is half a year
    volume = volume_shares(scenario, scenario.plan, "BIG-MULTI")
    m1 = (units[0] / 3 + units[1] + units[2]) / sum(units)
    assert volume["M1"] == pytest.approx(m1)
    assert volume["M2"] == pytest.approx(units[0] / 3 / sum(units))
    offers = segment(scenario).offers.set_index(["supplier", "part"])
    spend_m1 = (units[0] / 3 * 100 + units[1] * 95 + units[2] * 100 * 0.95**2) / 2.5
    assert offers.loc[("M1", "BIG-MULTI"), "annual_spend"] == pytest.approx(spend_m1)
    margin_m1 = (units[0] / 3 * 20 + units[1] * 25 + units[2] * (120 - 100 * 0.95**2)) / 2.5
    assert offers.loc[("M1", "BIG-MULTI"), "annual_margin"] == pytest.approx(margin_m1)
    parts = segment(scenario).parts.set_index("part")
    assert parts.loc["BIG-MULTI", "largest_share"] == pytest.approx(m1)


def test_tier2_and_regional_events_reach_offers_through_sub_suppliers() -> None:
    doc = portfolio().model_dump(mode="json", by_alias=True)
    doc["tier2"] = {
        "sub_suppliers": [{"id": "MINE", "region": "C"}, {"id": "MILL", "region": "C"}],
        "links": [
            {"supplier": "M1", "sub_supplier": "MINE", "parts": ["BIG-MULTI"], "share_of_input": 0.6},
            {"supplier": "M1", "sub_supplier": "MILL", "parts": ["BIG-MULTI"], "share_of_input": 0.7},
            {"supplier": "M2", "sub_supplier": "MINE", "parts": ["BIG-MULTI"], "share_of_input": 0.9},
        ],
    }  # fmt: skip
    doc["disruptions"] += [
        {"kind": "regional_event", "id": "C-flood", "region": "C", "per_year": 0.5,
         "down_days": {"kind": "fixed", "value": 5}},
        {"kind": "tier2_outage", "id": "MINE-fire", "sub_supplier": "MINE", "per_year": 0.1,
         "down_days": {"kind": "fixed", "value": 30}},
        {"kind": "logistics", "id": "port", "regions": ["A"], "per_year": 3.0,
         "down_days": {"kind": "fixed", "value": 5}, "lead_time_multiplier": 1.5},
    ]  # fmt: skip
    scenario = Scenario.model_validate(doc)
    hits = {k: {d: (rate, h) for d, rate, h in v} for k, v in offer_hits(scenario).items()}
    # M1 (region A) through MINE 0.6 + MILL 0.7 (both in C), capped at 1; M2 only MINE
    assert hits[("M1", "BIG-MULTI")] == {"C-flood": (0.5, 1.0), "MINE-fire": (0.1, 0.6)}
    assert hits[("M2", "BIG-MULTI")] == {"C-flood": (0.5, 0.9), "MINE-fire": (0.1, 0.9)}
    assert hits[("M3", "BIG-MULTI")] == {"C-flood": (0.5, 1.0)}  # M3 sits in C: direct
    assert "port" not in str(hits)  # logistics delays, it takes no capacity
    parts = segment(scenario).parts.set_index("part")
    # tier-2 concentration: MINE is behind 1/3 x 0.6 + 1/3 x 0.9 of the volume
    assert parts.loc["BIG-MULTI", "tier2_share"] == pytest.approx(0.5)
    assert parts.loc["BIG-MULTI", "tier2_source"] == "MINE"
    events = 0.5 * (1 + 0.9 + 1) / 3 + 0.1 * (0.6 + 0.9) / 3
    assert parts.loc["BIG-MULTI", "disruption_events_per_year"] == pytest.approx(events)
    # the sweep's supplier likelihood counts what reaches it through tier 2 as offer_hits
    # does: MINE's outages and the floods where MINE and MILL sit (once, not twice)
    likely = likelihood_per_year(scenario, "suppliers")
    assert likely["M1"] == pytest.approx(0.1 + 0.5)
    assert likely["M3"] == pytest.approx(0.5)  # in C itself, no sub-supplier


# ----------------------------------------------------------------------------- bundled


def test_ev_battery_segments_sensibly() -> None:
    """The single-sourced critical BMS board and the cathode-exposed NMC cells are
    strategic; the sole-sourced cooling plate, contactor and busbars are bottlenecks; the
    dual-sourced lid, pads and current sensor are non-critical; their suppliers follow."""
    result = segment(load_scenario(SCENARIOS / "ev_battery.yaml"))
    segments = result.parts.set_index("part")["segment"].to_dict()
    assert segments["BMS-BOARD"] == "strategic"
    assert segments["CELL-NMC"] == "strategic"
    for part in ("COOL-PLATE", "HV-CONTACTOR", "BUSBAR-KIT"):
        assert segments[part] == "bottleneck", part
    for part in ("ENCL-LID", "TIM-KIT", "CURR-SENSOR"):
        assert segments[part] == "non-critical", part
    assert segments["ENCL-TRAY"] == "leverage"
    tiers = result.suppliers.set_index("supplier")["tier"].to_dict()
    assert tiers["HANSEI-CELL"] == tiers["ELEKTRA-SYS"] == "strategic partner"
    assert tiers["TANGIER-EMS"] == "transactional"  # the BMS backup carries no plan volume
    nmc = result.parts.set_index("part").loc["CELL-NMC"]
    assert "HANMAT-CAM" in nmc["risk_drivers"]


def test_other_bundled_scenarios_segment_sensibly() -> None:
    two = segment(load_scenario(SCENARIOS / "two_supplier.yaml")).parts
    assert two.set_index("part").loc["HOUSING", "segment"] == "leverage"  # all spend, 2 sources
    phone = segment(load_scenario(SCENARIOS / "consumer_electronics.yaml")).parts
    assert phone.set_index("part").loc["SOC", "segment"] == "strategic"
    for frame in (two, phone):
        for column in ("impact_score", "risk_score"):
            assert frame[column].between(0, 1).all()
