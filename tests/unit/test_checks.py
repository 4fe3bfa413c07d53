"""Cross-reference checks: ids, offers, shares, years, inventory policies, tier-2 links.

First through the loader, each with its line and column; then the pure functions on
plain data, including malformed documents they must tolerate without raising.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from keiretsu.scenario.checks import network_problems, plan_problems, scenario_problems
from tests.helpers import SMALL_SCENARIO, at, edit, errors_of, only


def check_one(write_yaml, text, needle, path, message, occurrence=1):
    p = only(errors_of(write_yaml(text)))
    assert (p.line, p.column) == at(text, needle, occurrence), str(p)
    assert p.path == path
    assert p.message == message
    return p


# ----------------------------------------------------------------------------- ids


def test_unknown_region(write_yaml):
    text = edit(SMALL_SCENARIO, "    region: EU\n", "    region: EUROPE\n")
    check_one(
        write_yaml, text, "region: EUROPE", "suppliers[BETA].region", "unknown region 'EUROPE'"
    )


def test_duplicate_region_id(write_yaml):
    text = edit(SMALL_SCENARIO, "  - id: EU\n", "  - id: EU\n  - id: ASIA\n")
    check_one(
        write_yaml,
        text,
        "id: ASIA",
        "regions[ASIA].id",
        "duplicate region id 'ASIA' (first at index 0)",
        occurrence=2,
    )


def test_duplicate_part_id(write_yaml):
    text = edit(SMALL_SCENARIO, "  - id: CASE\n", "  - id: CELL\n")
    problems = errors_of(write_yaml(text))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (*at(text, "id: CELL", 2), "parts[CELL].id", "duplicate part id 'CELL' (first at index 0)"),
        (*at(text, "part: CASE"), "suppliers[ALPHA].offers[1].part", "unknown part 'CASE'"),
    ]


def test_duplicate_supplier_id(write_yaml):
    text = edit(SMALL_SCENARIO, "  - id: BETA\n", "  - id: ALPHA\n")
    problems = errors_of(write_yaml(text))
    dup = next(p for p in problems if "duplicate" in p.message)
    assert (dup.line, dup.column) == at(text, "id: ALPHA", 2)
    assert dup.path == "suppliers[ALPHA].id"
    assert dup.message == "duplicate supplier id 'ALPHA' (first at index 0)"


def test_duplicate_sub_supplier_id(write_yaml):
    text = edit(
        SMALL_SCENARIO,
        "      region: ASIA\n  links",
        "      region: ASIA\n    - {id: MINE, region: EU}\n  links",
    )
    check_one(
        write_yaml,
        text,
        "id: MINE, region: EU",
        "tier2.sub_suppliers[MINE].id",
        "duplicate sub-supplier id 'MINE' (first at index 0)",
    )


def test_unknown_sub_supplier_region(write_yaml):
    text = edit(SMALL_SCENARIO, "      region: ASIA\n  links", "      region: CHILE\n  links")
    check_one(
        write_yaml,
        text,
        "region: CHILE",
        "tier2.sub_suppliers[MINE].region",
        "unknown region 'CHILE'",
    )


# ----------------------------------------------------------------------------- offers


def test_offer_of_unknown_part(write_yaml):
    text = edit(SMALL_SCENARIO, "      - part: CASE\n", "      - part: LID\n")
    problems = errors_of(write_yaml(text))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (*at(text, "id: CASE"), "parts[CASE].id", "no supplier offers part 'CASE'"),
        (*at(text, "part: LID"), "suppliers[ALPHA].offers[1].part", "unknown part 'LID'"),
    ]


def test_part_offered_twice_by_one_supplier(write_yaml):
    text = edit(SMALL_SCENARIO, "      - part: CASE\n", "      - part: CELL\n")
    problems = errors_of(write_yaml(text))
    twice = next(p for p in problems if "twice" in p.message)
    assert (twice.line, twice.column) == at(text, "part: CELL", 2)
    assert twice.message == "part 'CELL' offered twice by this supplier (first at offers[0])"


# ----------------------------------------------------------------------------- allocation


def test_shares_not_summing_to_one(write_yaml):
    text = edit(SMALL_SCENARIO, "{ALPHA: 0.6, BETA: 0.4}", "{ALPHA: 0.6, BETA: 0.3}")
    check_one(
        write_yaml,
        text,
        "CELL: {ALPHA: 0.6",
        "plan.allocation.CELL",
        "shares of part 'CELL' sum to 0.9, not 1",
    )


def test_shares_sum_tolerance(write_yaml, small_text):
    ok = edit(small_text, "{ALPHA: 0.6, BETA: 0.4}", "{ALPHA: 0.6000000001, BETA: 0.4}")
    from keiretsu.scenario.loader import load_scenario

    assert load_scenario(write_yaml(ok))
    bad = edit(small_text, "{ALPHA: 0.6, BETA: 0.4}", "{ALPHA: 0.60001, BETA: 0.4}")
    assert "sum to 1.00001" in only(errors_of(write_yaml(bad))).message


def test_share_on_supplier_not_offering_the_part(write_yaml):
    text = edit(
        SMALL_SCENARIO, "  allocation:\n", "  allocation:\n    CASE: {ALPHA: 0.5, BETA: 0.5}\n"
    )
    check_one(
        write_yaml,
        text,
        "BETA: 0.5}",
        "plan.allocation.CASE.BETA",
        "supplier 'BETA' does not offer part 'CASE'",
    )


def test_unknown_supplier_in_allocation(write_yaml):
    text = edit(SMALL_SCENARIO, "{ALPHA: 0.6, BETA: 0.4}", "{ALPHA: 0.6, GAMMA: 0.4}")
    check_one(
        write_yaml,
        text,
        "GAMMA",
        "plan.allocation.CELL.GAMMA",
        "unknown supplier 'GAMMA'",
    )


def test_unknown_part_in_allocation(write_yaml):
    text = edit(SMALL_SCENARIO, "  allocation:\n", "  allocation:\n    LID: {ALPHA: 1}\n")
    problems = errors_of(write_yaml(text))
    assert [(p.line, p.column, p.path, p.message) for p in problems] == [
        (*at(text, "LID"), "plan.allocation.LID", "unknown part 'LID'"),
    ]


def test_empty_share_map(write_yaml):
    text = edit(SMALL_SCENARIO, "{ALPHA: 0.6, BETA: 0.4}", "{}")
    check_one(
        write_yaml,
        text,
        "CELL: {}",
        "plan.allocation.CELL",
        "no supplier share given for part 'CELL'",
    )


def test_missing_allocation_for_a_dual_sourced_part(write_yaml):
    text = edit(SMALL_SCENARIO, "    CELL: {ALPHA: 0.6, BETA: 0.4}\n", "    {}\n")
    text = edit(text, "  allocation:\n    {}\n", "  allocation: {}\n")
    check_one(
        write_yaml,
        text,
        "allocation: {}",
        "plan.allocation",
        "no allocation for part 'CELL', offered by ALPHA, BETA",
    )


def test_allocation_by_year_outside_horizon(write_yaml):
    text = edit(
        SMALL_SCENARIO, "      2: {ALPHA: 0.5, BETA: 0.5}", "      3: {ALPHA: 0.5, BETA: 0.5}"
    )
    p = check_one(
        write_yaml,
        text,
        "3: {ALPHA",
        "plan.allocation_by_year.CELL[3]",
        "year 3 is outside the horizon (years 1..2)",
    )
    assert p.line == 57


def test_allocation_by_year_zero(write_yaml):
    text = edit(
        SMALL_SCENARIO, "      2: {ALPHA: 0.5, BETA: 0.5}", "      0: {ALPHA: 0.5, BETA: 0.5}"
    )
    check_one(
        write_yaml,
        text,
        "0: {ALPHA",
        "plan.allocation_by_year.CELL[0]",
        "year 0 is outside the horizon (years 1..2)",
    )


def test_partial_last_year_counts(write_yaml):
    """2.5 years of weeks touch plan year 3."""
    from keiretsu.scenario.loader import load_scenario

    text = edit(SMALL_SCENARIO, "  years: 2\n", "  years: 2.5\n")
    text = edit(text, "      2: {ALPHA: 0.5, BETA: 0.5}", "      3: {ALPHA: 0.5, BETA: 0.5}")
    assert load_scenario(write_yaml(text)).horizon.n_years == 3


def test_allocation_by_year_shares_checked(write_yaml):
    text = edit(
        SMALL_SCENARIO, "      2: {ALPHA: 0.5, BETA: 0.5}", "      2: {ALPHA: 0.5, BETA: 0.6}"
    )
    check_one(
        write_yaml,
        text,
        "2: {ALPHA",
        "plan.allocation_by_year.CELL[2]",
        "shares of part 'CELL' sum to 1.1, not 1",
    )


# ----------------------------------------------------------------------------- inventory


def test_missing_inventory_policy(write_yaml):
    text = edit(
        SMALL_SCENARIO, "  default_inventory: {policy: days_of_cover, cover_days: 14}\n", ""
    )
    check_one(
        write_yaml,
        text,
        "inventory:",
        "plan.inventory",
        "no inventory policy for part(s) CASE (give one per part or a default_inventory)",
    )


def test_inventory_for_unknown_part(write_yaml):
    text = edit(
        SMALL_SCENARIO,
        "  inventory:\n",
        "  inventory:\n    LID: {policy: base_stock, order_up_to_units: 5}\n",
    )
    check_one(write_yaml, text, "LID", "plan.inventory.LID", "unknown part 'LID'")


# ----------------------------------------------------------------------------- tier 2


def test_tier2_unknown_supplier(write_yaml):
    text = edit(SMALL_SCENARIO, "    - supplier: ALPHA\n", "    - supplier: OMEGA\n")
    check_one(
        write_yaml, text, "supplier: OMEGA", "tier2.links[0].supplier", "unknown supplier 'OMEGA'"
    )


def test_tier2_unknown_sub_supplier(write_yaml):
    text = edit(SMALL_SCENARIO, "      sub_supplier: MINE\n", "      sub_supplier: SMELTER\n")
    check_one(
        write_yaml,
        text,
        "sub_supplier: SMELTER",
        "tier2.links[0].sub_supplier",
        "unknown sub-supplier 'SMELTER'",
    )


def test_tier2_part_not_offered_by_the_supplier(write_yaml):
    text = edit(
        SMALL_SCENARIO,
        "- supplier: ALPHA\n      sub_supplier: MINE\n      parts: [CELL]",
        "- supplier: BETA\n      sub_supplier: MINE\n      parts: [CELL, CASE]",
    )
    check_one(
        write_yaml,
        text,
        "CASE]",
        "tier2.links[0].parts[1]",
        "supplier 'BETA' does not offer part 'CASE'",
    )


# ----------------------------------------------------------------------------- pure functions


@pytest.fixture
def doc():
    return yaml.safe_load(SMALL_SCENARIO)


def test_valid_document_has_no_problems(doc):
    assert scenario_problems(doc) == []


def test_problem_paths_are_tuples(doc):
    doc["suppliers"][1]["region"] = "MARS"
    doc["plan"]["allocation"]["CELL"]["BETA"] = 0.3
    assert scenario_problems(doc) == [
        (("suppliers", 1, "region"), "unknown region 'MARS'"),
        (("plan", "allocation", "CELL"), "shares of part 'CELL' sum to 0.9, not 1"),
    ]


def test_plan_checked_against_another_network(doc):
    plan = {"allocation": {"CELL": {"ALPHA": 1.0}}, "inventory": {}}
    assert plan_problems(plan, doc, prefix=()) == [
        (
            ("inventory",),
            "no inventory policy for part(s) CASE, CELL (give one per part or a default_inventory)",
        )
    ]


def test_default_horizon_is_five_years(doc):
    del doc["horizon"]
    doc["plan"]["allocation_by_year"]["CELL"] = {5: {"ALPHA": 1.0}, 6: {"ALPHA": 1.0}}
    assert scenario_problems(doc) == [
        (
            ("plan", "allocation_by_year", "CELL", 6),
            "year 6 is outside the horizon (years 1..5)",
        )
    ]


JUNK = [
    None,
    0,
    -1,
    1.5,
    True,
    "text",
    [],
    [1, "x", None],
    {},
    {"x": [None]},
    float("nan"),
    float("inf"),
    10**400,
]


@pytest.mark.parametrize("junk", JUNK, ids=repr)
def test_checks_tolerate_malformed_documents(doc, junk):
    """Whatever shape a piece has, the checks return problems, never raise."""
    assert isinstance(network_problems(junk), list)
    assert isinstance(scenario_problems(junk), list)
    paths = [
        ("regions",),
        ("parts",),
        ("suppliers",),
        ("suppliers", 0),
        ("suppliers", 0, "offers"),
        ("suppliers", 0, "offers", 0, "part"),
        ("suppliers", 0, "id"),
        ("tier2",),
        ("tier2", "links"),
        ("tier2", "links", 0, "parts"),
        ("horizon",),
        ("horizon", "years"),
        ("horizon", "period"),
        ("plan",),
        ("plan", "allocation"),
        ("plan", "allocation", "CELL"),
        ("plan", "allocation", "CELL", "ALPHA"),
        ("plan", "allocation_by_year", "CELL"),
        ("plan", "allocation_by_year", "CELL", 2),
        ("plan", "inventory"),
        ("plan", "default_inventory"),
    ]
    for path in paths:
        broken = copy.deepcopy(doc)
        node = broken
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = junk
        assert isinstance(scenario_problems(broken), list), path
