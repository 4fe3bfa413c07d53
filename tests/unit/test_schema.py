"""Schema errors (types, ranges, unknown fields, model rules) located at file:line:col.

Each test breaks the valid ``SMALL_SCENARIO`` in one place and checks that exactly one
problem comes back, at the line and column of the offending key, with the field path
written with ids (``suppliers[ALPHA].offers[0]...``) and a readable message.
"""

from __future__ import annotations

import copy

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from keiretsu.scenario.model import Plan, Scenario
from keiretsu.scenario.schema import SCHEMA_DIALECT, plan_json_schema, scenario_json_schema
from tests.helpers import SMALL_SCENARIO, at, edit, errors_of, only


def check_one(write_yaml, text: str, needle: str, path: str, message: str, occurrence: int = 1):
    """Exactly one problem, located where ``needle`` starts, with this path and message."""
    file = write_yaml(text)
    problem = only(errors_of(file))
    assert problem.file == str(file)
    assert (problem.line, problem.column) == at(text, needle, occurrence), str(problem)
    assert problem.path == path
    assert message in problem.message, str(problem)
    return problem


# ----------------------------------------------------------------------------- unknown fields


def test_unknown_field_with_did_you_mean(write_yaml):
    text = edit(
        SMALL_SCENARIO, "        on_time_probability: 0.9\n", "        on_time_probabilty: 0.9\n"
    )
    p = check_one(
        write_yaml,
        text,
        "on_time_probabilty",
        "suppliers[ALPHA].offers[0].on_time_probabilty",
        "unknown field 'on_time_probabilty'; did you mean 'on_time_probability'?",
    )
    assert str(p).startswith(f"{p.file}:32:9: suppliers[ALPHA].offers[0].on_time_probabilty: ")


def test_unknown_top_level_field_with_hint(write_yaml):
    text = edit(SMALL_SCENARIO, "run:\n", "suppliers_: []\nrun:\n")
    check_one(
        write_yaml, text, "suppliers_", "suppliers_", "did you mean 'suppliers'?"
    )  # the hint comes from the whole vocabulary of field names


def test_unknown_field_without_a_close_match_has_no_hint(write_yaml):
    text = edit(
        SMALL_SCENARIO, "        unit_price: 20\n", "        unit_price: 20\n        colour: red\n"
    )
    p = check_one(
        write_yaml, text, "colour", "suppliers[ALPHA].offers[0].colour", "unknown field 'colour'"
    )
    assert "did you mean" not in p.message


def test_control_characters_in_keys_stay_on_one_line(write_yaml):
    text = edit(SMALL_SCENARIO, "run:\n", '"bad\\rkey\\u2028": 1\nrun:\n')
    p = only(errors_of(write_yaml(text)))
    assert (p.line, p.column) == at(text, '"bad')
    assert "unknown field" in p.message
    line = str(p)
    assert line.splitlines() == [line]
    assert "\r" not in line and "\u2028" not in line
    assert "bad\\rkey\\u2028" in line  # escaped, still recognisable


def test_unknown_field_in_plan(write_yaml):
    text = edit(SMALL_SCENARIO, "  name: split\n", "  name: split\n  allocaton: {}\n")
    check_one(write_yaml, text, "allocaton", "plan.allocaton", "did you mean 'allocation'?")


# ----------------------------------------------------------------------------- wrong types


@pytest.mark.parametrize(
    ("old", "new", "needle", "path", "message"),
    [
        (
            "unit_price: 20",
            "unit_price: twenty",
            "unit_price: twenty",
            "suppliers[ALPHA].offers[0].unit_price",
            "Input should be a valid number, unable to parse string as a number (got 'twenty')",
        ),
        (
            "replications: 10",
            "replications: 2.5",
            "replications",
            "run.replications",
            "Input should be a valid integer",
        ),
        (
            "    region: ASIA\n    offers",
            "    region: [ASIA]\n    offers",
            "region: [ASIA]",
            "suppliers[ALPHA].region",
            "Input should be a valid string",
        ),
        (
            "shortage: {kind: lost_sale, penalty_per_unit: 1}",
            "shortage: lost",
            "shortage: lost",
            "parts[CASE].shortage",
            "Input should be a valid dictionary",
        ),
        (
            "    CELL: {ALPHA: 0.6, BETA: 0.4}",
            "    CELL: [ALPHA]",
            "CELL: [ALPHA]",
            "plan.allocation.CELL",
            "Input should be a valid dictionary",
        ),
        (
            "period: week",
            "period: month",
            "period",
            "horizon.period",
            "Input should be 'day' or 'week' (got 'month')",
        ),
        (
            "start_date: 2027-01-04",
            "start_date: tomorrow",
            "start_date",
            "meta.start_date",
            "Input should be a valid date",
        ),
        (
            "      2: {ALPHA: 0.5, BETA: 0.5}",
            "      two: {ALPHA: 0.5, BETA: 0.5}",
            "two:",
            "plan.allocation_by_year.CELL.two",
            "Input should be a valid integer",
        ),
        (
            "{kind: fixed, value: 10}",
            "{kind: weibull, value: 10}",
            "lead_time_days: {kind: weibull",
            "suppliers[ALPHA].offers[1].lead_time_days",
            "Input tag 'weibull' found using 'kind' does not match any of the expected tags",
        ),
        (
            "    CELL: {policy: s_S,",
            "    CELL: {policy: ss,",
            "CELL: {policy: ss",
            "plan.inventory.CELL",
            "Input tag 'ss' found using 'policy'",
        ),
    ],
)
def test_wrong_type(write_yaml, old, new, needle, path, message):
    check_one(write_yaml, edit(SMALL_SCENARIO, old, new), needle, path, message)


def test_missing_required_field(write_yaml):
    text = edit(SMALL_SCENARIO, "    revenue_per_unit: 5\n", "")
    # located at the part that lacks it (the ``- id: CASE`` line)
    check_one(
        write_yaml,
        text,
        "id: CASE",
        "parts[CASE].revenue_per_unit",
        "required field 'revenue_per_unit' is missing",
    )


def test_invalid_id_pattern(write_yaml):
    text = edit(SMALL_SCENARIO, "  - id: EU\n", "  - id: EU\n  - id: 'South America'\n")
    check_one(write_yaml, text, "id: 'South", "regions[South America].id", "should match pattern")


def test_currency_code(write_yaml):
    text = edit(SMALL_SCENARIO, "  start_date", "  currency: usd\n  start_date")
    check_one(write_yaml, text, "currency", "meta.currency", "(got 'usd')")


# ----------------------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("old", "new", "needle", "path", "message"),
    [
        (
            "unit_price: 24",
            "unit_price: 0",
            "unit_price: 0",
            "suppliers[BETA].offers[0].unit_price",
            "Input should be greater than 0 (got 0)",
        ),
        (
            "unit_price: 24",
            "unit_price: -3.5",
            "unit_price: -3.5",
            "suppliers[BETA].offers[0].unit_price",
            "Input should be greater than 0 (got -3.5)",
        ),
        (
            "capacity_units_per_period: 150",
            "capacity_units_per_period: 0",
            "capacity_units_per_period",
            "suppliers[ALPHA].offers[0].capacity_units_per_period",
            "Input should be greater than 0 (got 0)",
        ),
        (
            "on_time_probability: 0.9",
            "on_time_probability: 1.2",
            "on_time_probability",
            "suppliers[ALPHA].offers[0].on_time_probability",
            "less than or equal to 1 (got 1.2)",
        ),
        (
            "on_time_probability: 0.9",
            "on_time_probability: -0.1",
            "on_time_probability",
            "suppliers[ALPHA].offers[0].on_time_probability",
            "greater than or equal to 0 (got -0.1)",
        ),
        (
            "  years: 2",
            "  years: 0",
            "years",
            "horizon.years",
            "greater than 0 (got 0)",
        ),
        (
            "  years: 2",
            "  years: .inf",
            "years",
            "horizon.years",
            "finite number",
        ),
        (
            "  years: 2",
            "  years: .nan",
            "years",
            "horizon.years",
            "finite number",
        ),
        (
            "{kind: poisson, mean: 100}",
            "{kind: poisson, mean: -100}",
            "mean: -100",
            "parts[CELL].demand.per_period_units.mean",
            "greater than or equal to 0 (got -100)",
        ),
    ],
)
def test_out_of_range(write_yaml, old, new, needle, path, message):
    check_one(write_yaml, edit(SMALL_SCENARIO, old, new), needle, path, message)


def test_shares_outside_zero_one(write_yaml):
    text = edit(SMALL_SCENARIO, "{ALPHA: 0.6, BETA: 0.4}", "{ALPHA: -0.5, BETA: 1.5}")
    problems = errors_of(write_yaml(text))  # they sum to 1, so only the ranges are wrong
    assert [(p.line, p.column, p.path) for p in problems] == [
        (*at(text, "ALPHA: -0.5"), "plan.allocation.CELL.ALPHA"),
        (*at(text, "BETA: 1.5"), "plan.allocation.CELL.BETA"),
    ]
    assert "greater than or equal to 0 (got -0.5)" in problems[0].message
    assert "less than or equal to 1 (got 1.5)" in problems[1].message


# ----------------------------------------------------------------------------- model rules


def test_reorder_point_not_below_order_up_to(write_yaml):
    text = edit(SMALL_SCENARIO, "reorder_point_units: 300", "reorder_point_units: 900")
    p = check_one(
        write_yaml,
        text,
        "CELL: {policy: s_S",
        "plan.inventory.CELL",
        "reorder_point_units (900) must be below order_up_to_units (900)",
    )
    assert p.line == 59


def test_reorder_point_above_order_up_to(write_yaml):
    text = edit(SMALL_SCENARIO, "reorder_point_units: 300", "reorder_point_units: 1000")
    check_one(write_yaml, text, "CELL: {policy: s_S", "plan.inventory.CELL", "must be below")


def test_seasonality_must_average_one(write_yaml):
    text = edit(SMALL_SCENARIO, "seasonality: [0.9, 1.1]", "seasonality: [1.0, 1.2]")
    check_one(
        write_yaml,
        text,
        "demand:",
        "parts[CELL].demand",
        "seasonality factors must average 1 (they average 1.1000)",
    )


def test_distribution_rule_is_located(write_yaml):
    text = edit(
        SMALL_SCENARIO, "{kind: uniform, low: 5, high: 9}", "{kind: uniform, low: 9, high: 5}"
    )
    check_one(
        write_yaml,
        text,
        "lead_time_days: {kind: uniform",
        "suppliers[BETA].offers[0].lead_time_days",
        "high (5.0) must be >= low (9.0)",
    )


def test_every_problem_of_a_file_is_reported(write_yaml):
    text = edit(SMALL_SCENARIO, "unit_price: 24", "unit_price: 0")
    text = edit(text, "replications: 10", "replications: 0")
    text = edit(text, "period: week", "period: fortnight")
    problems = errors_of(write_yaml(text))
    assert [p.path for p in problems] == [
        "horizon.period",
        "suppliers[BETA].offers[0].unit_price",
        "run.replications",
    ]  # sorted by line
    assert [p.line for p in problems] == sorted(p.line for p in problems)


# ----------------------------------------------------------------------------- models in code


def test_scenario_in_code_checks_references():
    doc = yaml.safe_load(SMALL_SCENARIO)
    assert Scenario.model_validate(doc).plan.name == "split"
    doc["suppliers"][1]["region"] = "MARS"
    with pytest.raises(ValidationError, match="unknown region 'MARS'"):
        Scenario.model_validate(doc)


def test_scenario_is_frozen():
    scenario = Scenario.model_validate(yaml.safe_load(SMALL_SCENARIO))
    with pytest.raises(ValidationError):
        scenario.meta.name = "changed"  # type: ignore[misc]


def test_horizon_derived_sizes():
    scenario = Scenario.model_validate(yaml.safe_load(SMALL_SCENARIO))
    assert scenario.horizon.n_periods == 104
    assert scenario.horizon.n_years == 2
    assert list(scenario.offers_for("CELL")) == ["ALPHA", "BETA"]


# ----------------------------------------------------------------------------- JSON Schema


def _json_ready(doc):
    """YAML dates become ISO strings, as JSON has no date type."""
    return yaml.safe_load(yaml.safe_dump(doc).replace("2027-01-04", "'2027-01-04'"))


def test_json_schema_headers():
    schema = scenario_json_schema()
    assert schema["$schema"] == SCHEMA_DIALECT
    assert schema["x-keiretsu-version"]
    assert next(iter(schema["properties"])) == "extends"
    assert {"meta", "regions", "parts", "suppliers", "plan", "run"} <= set(schema["properties"])
    assert set(schema["required"]) == {"meta", "regions", "parts", "suppliers"}
    assert schema["additionalProperties"] is False
    plan = plan_json_schema()
    assert plan["$schema"] == SCHEMA_DIALECT
    assert {"extends", "allocation", "inventory"} <= set(plan["properties"])
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator.check_schema(plan)


def test_json_schema_accepts_valid_and_rejects_unknown_fields():
    validator = jsonschema.Draft202012Validator(scenario_json_schema())
    doc = _json_ready(yaml.safe_load(SMALL_SCENARIO))
    assert list(validator.iter_errors(doc)) == []
    bad = copy.deepcopy(doc)
    bad["suppliers"][0]["offers"][0]["colour"] = "red"
    assert any("colour" in e.message for e in validator.iter_errors(bad))
    bad = copy.deepcopy(doc)
    bad["suppliers"][0]["offers"][0]["unit_price"] = -1
    assert list(validator.iter_errors(bad))
    bad = copy.deepcopy(doc)
    bad["parts"][0]["demand"]["per_period_units"] = {"kind": "weibull", "shape": 2}
    assert list(validator.iter_errors(bad))


def test_plan_json_schema_matches_plan_model():
    validator = jsonschema.Draft202012Validator(plan_json_schema())
    plan = yaml.safe_load(SMALL_SCENARIO)["plan"]
    assert list(validator.iter_errors(plan)) == []
    Plan.model_validate(plan)
    assert list(validator.iter_errors({**plan, "allocations": {}}))
