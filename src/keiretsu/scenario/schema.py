"""JSON Schemas of scenario and plan files, for editors (yaml-language-server) and checks."""

from __future__ import annotations

from typing import Any

from keiretsu import __version__
from keiretsu.scenario.model import Plan, Scenario

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of a scenario file (``extends`` allowed at the top level)."""
    schema = Scenario.model_json_schema(by_alias=True, mode="validation")
    schema["properties"] = {
        "extends": {
            "type": "string",
            "title": "Extends",
            "description": "Path of a base scenario (relative to this file) deep-merged under this one.",
        },
        **schema["properties"],
    }
    return _decorate(schema, "keiretsu scenario")


def plan_json_schema() -> dict[str, Any]:
    """JSON Schema of a stand-alone plan file (``--plan``)."""
    schema = Plan.model_json_schema(by_alias=True, mode="validation")
    schema["properties"] = {
        "extends": {"type": "string", "description": "Path of a base plan merged under this one."},
        **schema["properties"],
    }
    return _decorate(schema, "keiretsu plan")


def _decorate(schema: dict[str, Any], title: str) -> dict[str, Any]:
    return {"$schema": SCHEMA_DIALECT, **schema, "title": title, "x-keiretsu-version": __version__}
