"""Properties of the Kraljic scores on random portfolios (Hypothesis):

* a further qualified (or qualifying) source of a part, with the plan unchanged, never
  raises the part's supply-risk score, nor any existing offer's;
* more volume of a part never lowers its profit-impact score, nor does a price rise
  passed on in its revenue (more spend at the same unit margin);
* every score is in [0, 1].
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keiretsu.analysis.segmentation import segment
from keiretsu.scenario.model import Scenario

REGIONS = ("R1", "R2", "R3")
STATUSES = ("qualified", "qualified", "in_progress", "not_qualified")


@st.composite
def portfolios(draw) -> dict:
    """A target part P with 1-4 sources, a few other parts, random disruptions and tier-2
    links; the plan lists P's allocation explicitly (so a source can be added)."""
    k = draw(st.integers(1, 4))
    weights = draw(st.lists(st.integers(1, 10), min_size=k, max_size=k))
    suppliers, allocation = [], {}
    for i in range(k):
        suppliers.append(
            {
                "id": f"S{i}",
                "region": draw(st.sampled_from(REGIONS)),
                "qualification": {"status": draw(st.sampled_from(STATUSES))},
                "offers": [
                    {
                        "part": "P",
                        "unit_price": draw(st.floats(1, 100)),
                        "lead_time_days": {"kind": "fixed", "value": 7},
                    }
                ],
            }
        )
    allocation["P"] = {f"S{i}": w / sum(weights) for i, w in enumerate(weights)}
    parts = [
        {
            "id": "P",
            "demand": {"per_period_units": {"kind": "fixed", "value": draw(st.floats(1, 1e4))}},
            "revenue_per_unit": draw(st.floats(0, 200)),
            "holding_cost_per_unit_per_period": 0.0,
            "shortage": {"kind": "lost_sale", "penalty_per_unit": 0.0},
            "criticality": draw(st.sampled_from(["low", "medium", "high", "critical"])),
        }
    ]
    for j in range(draw(st.integers(1, 3))):
        parts.append(
            {
                "id": f"Q{j}",
                "demand": {"per_period_units": {"kind": "fixed", "value": draw(st.floats(1, 1e4))}},
                "revenue_per_unit": draw(st.floats(0, 200)),
                "holding_cost_per_unit_per_period": 0.0,
                "shortage": {"kind": "lost_sale", "penalty_per_unit": 0.0},
            }
        )
        suppliers.append(
            {
                "id": f"T{j}",
                "region": draw(st.sampled_from(REGIONS)),
                "offers": [
                    {
                        "part": f"Q{j}",
                        "unit_price": draw(st.floats(1, 100)),
                        "lead_time_days": {"kind": "fixed", "value": 7},
                    }
                ],
            }
        )
    sub_ids = ["SUB0", "SUB1"]
    links = []
    for i in range(k):
        for sub in sub_ids:
            if draw(st.booleans()):
                links.append(
                    {
                        "supplier": f"S{i}",
                        "sub_supplier": sub,
                        "parts": ["P"],
                        "share_of_input": draw(st.floats(0.05, 1.0)),
                    }
                )
    disruptions = []
    used_regions = sorted({s["region"] for s in suppliers})  # (the loader refuses events
    linked_subs = sorted({link["sub_supplier"] for link in links})  # that change nothing)
    kinds = ["supplier_outage", "regional_event"] + (["tier2_outage"] if linked_subs else [])
    for n in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(kinds))
        target = {
            "supplier_outage": ("supplier", st.sampled_from([s["id"] for s in suppliers])),
            "regional_event": ("region", st.sampled_from(used_regions)),
            "tier2_outage": ("sub_supplier", st.sampled_from(linked_subs or sub_ids)),
        }[kind]
        disruptions.append(
            {
                "kind": kind,
                "id": f"d{n}",
                target[0]: draw(target[1]),
                "per_year": draw(st.floats(0.01, 5)),
                "down_days": {"kind": "fixed", "value": 10},
            }
        )
    return {
        "meta": {"name": "random portfolio"},
        "horizon": {"years": draw(st.sampled_from([1, 2.5])), "period": "week"},
        "regions": [{"id": r} for r in REGIONS],
        "parts": parts,
        "suppliers": suppliers,
        "tier2": {
            "sub_suppliers": [{"id": s, "region": draw(st.sampled_from(REGIONS))} for s in sub_ids],
            "links": links,
        },
        "disruptions": disruptions,
        "plan": {
            "allocation": allocation,
            "default_inventory": {"policy": "base_stock", "order_up_to_units": 10},
        },
    }


def _scores(doc: dict):
    result = segment(Scenario.model_validate(doc))
    return result.parts.set_index("part"), result.offers.set_index(["supplier", "part"])


SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    portfolios(),
    st.sampled_from(REGIONS),
    st.sampled_from(STATUSES),
    st.booleans(),
    st.booleans(),
)
def test_another_source_never_raises_the_risk(doc, region, status, disrupted, linked) -> None:
    parts, offers = _scores(doc)
    doc["suppliers"].append(
        {
            "id": "NEW",
            "region": region,
            "qualification": {"status": status},
            "offers": [{"part": "P", "unit_price": 50.0, "lead_time_days": {"kind": "fixed", "value": 7}}],
        }
    )  # fmt: skip
    if disrupted:
        doc["disruptions"].append(
            {"kind": "supplier_outage", "id": "NEW-out", "supplier": "NEW", "per_year": 3.0,
             "down_days": {"kind": "fixed", "value": 20}}
        )  # fmt: skip
    if linked:
        doc["tier2"]["links"].append({"supplier": "NEW", "sub_supplier": "SUB0", "parts": ["P"]})
    more, more_offers = _scores(doc)
    assert more.loc["P", "risk_score"] <= parts.loc["P", "risk_score"] + 1e-12
    for key in offers.index:
        assert more_offers.loc[key, "risk_score"] <= offers.loc[key, "risk_score"] + 1e-12
    assert more_offers.loc[("NEW", "P"), "annual_spend"] == 0.0


@SETTINGS
@given(portfolios(), st.floats(1.0, 1000.0))
def test_more_volume_never_lowers_the_impact(doc, factor) -> None:
    parts, _ = _scores(doc)
    demand = doc["parts"][0]["demand"]["per_period_units"]
    demand["value"] *= factor
    more, _ = _scores(doc)
    assert more.loc["P", "annual_spend"] >= parts.loc["P", "annual_spend"]
    assert more.loc["P", "impact_score"] >= parts.loc["P", "impact_score"] - 1e-12


@SETTINGS
@given(portfolios(), st.floats(0.0, 100.0))
def test_a_price_rise_passed_on_never_lowers_the_impact(doc, rise) -> None:
    parts, _ = _scores(doc)
    for supplier in doc["suppliers"]:
        for offer in supplier["offers"]:
            if offer["part"] == "P":
                offer["unit_price"] += rise
    doc["parts"][0]["revenue_per_unit"] += rise  # same unit margin, more spend
    more, _ = _scores(doc)
    assert more.loc["P", "impact_score"] >= parts.loc["P", "impact_score"] - 1e-12


@SETTINGS
@given(portfolios())
def test_every_score_is_in_the_unit_interval(doc) -> None:
    parts, offers = _scores(doc)
    for frame in (parts, offers):
        for column in [c for c in frame.columns if c.endswith("_score")]:
            assert frame[column].between(0.0, 1.0 + 1e-12).all(), column
