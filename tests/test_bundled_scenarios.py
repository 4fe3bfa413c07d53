"""The shipped scenarios and the committed JSON Schemas.

Every ``scenarios/*.yaml`` validates, carries the editor modeline, and is accepted by
the committed JSON Schema (checked with the independent ``jsonschema`` package); the
committed schemas equal what the code generates now. Every bundled plan file
(``scenarios/plans/SCENARIO/*.yaml``, a folder per scenario) validates against its
scenario and the committed plan schema.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
import pytest
import yaml

from keiretsu.scenario.loader import load_plan, load_scenario
from keiretsu.scenario.schema import plan_json_schema, scenario_json_schema
from tests.helpers import SCENARIOS, SCHEMA_MODELINE, SCHEMAS

BUNDLED = sorted(SCENARIOS.glob("*.yaml"))
PLANS = sorted((SCENARIOS / "plans").glob("*/*.yaml"))
PLAN_MODELINE = "# yaml-language-server: $schema=../../../schemas/plan.schema.json"


def json_ready(value: Any) -> Any:
    """YAML data as JSON would carry it: dates as ISO strings."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def committed(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def test_there_are_bundled_scenarios():
    assert "two_supplier.yaml" in [p.name for p in BUNDLED]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenario_validates(path):
    scenario = load_scenario(path)
    assert scenario.meta.name
    assert scenario.meta.description, "bundled scenarios say what they represent"


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenario_has_schema_modeline(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == SCHEMA_MODELINE


@pytest.mark.parametrize(
    ("file", "generate"),
    [("scenario.schema.json", scenario_json_schema), ("plan.schema.json", plan_json_schema)],
)
def test_committed_schema_is_up_to_date(file, generate):
    differences = list(differing_paths(committed(file), generate()))
    assert not differences, (
        f"schemas/{file} is out of date with the scenario models: run `make schema` "
        f"(it differs at {', '.join(differences[:5])}{', ...' if len(differences) > 5 else ''})"
    )


def differing_paths(a: Any, b: Any, path: str = "$") -> Any:
    """JSON paths where ``a`` and ``b`` differ (deepest differing mapping keys)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            if key not in a or key not in b:
                yield f"{path}.{key}"
            else:
                yield from differing_paths(a[key], b[key], f"{path}.{key}")
    elif a != b:
        yield path


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_committed_schema_accepts_bundled_scenario(path):
    schema = committed("scenario.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = json_ready(yaml.safe_load(path.read_text(encoding="utf-8")))
    errors = sorted(
        jsonschema.Draft202012Validator(schema).iter_errors(doc), key=lambda e: list(e.path)
    )
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_committed_plan_schema_accepts_bundled_plans():
    schema = committed("plan.schema.json")
    validator = jsonschema.Draft202012Validator(schema)
    for path in BUNDLED:
        plan = json_ready(yaml.safe_load(path.read_text(encoding="utf-8")).get("plan", {}))
        assert not list(validator.iter_errors(plan)), path.name


def test_modeline_points_at_the_committed_schema():
    target = SCHEMA_MODELINE.split("$schema=", 1)[1]
    assert (SCENARIOS / target).resolve() == (SCHEMAS / "scenario.schema.json").resolve()


def test_there_are_bundled_plans_for_the_ev_scenario():
    assert len([p for p in PLANS if p.parent.name == "ev_battery"]) >= 2
    assert (SCENARIOS / "plans" / "README.md").is_file()


@pytest.mark.parametrize("path", PLANS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_bundled_plan_validates_against_its_scenario(path):
    scenario_file = SCENARIOS / f"{path.parent.name}.yaml"
    assert scenario_file.is_file(), f"plans/{path.parent.name}/ names no bundled scenario"
    scenario = load_scenario(scenario_file)
    plan = load_plan(path, scenario)
    assert plan.name != scenario.plan.name, "a plan to compare needs its own name"
    assert plan.description
    assert path.read_text(encoding="utf-8").splitlines()[0] == PLAN_MODELINE
    schema = committed("plan.schema.json")
    doc = json_ready(yaml.safe_load(path.read_text(encoding="utf-8")))
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors(doc))


def test_bundled_plan_names_differ_per_scenario():
    for folder in {p.parent for p in PLANS}:
        names = [
            yaml.safe_load(p.read_text(encoding="utf-8"))["name"] for p in folder.glob("*.yaml")
        ]
        assert len(names) == len(set(names)), folder
