"""Writing a plan as YAML that ``--plan`` reads back (the same schema users write)."""

from __future__ import annotations

from typing import Any

import yaml

from keiretsu.scenario.model import Plan


def plan_to_yaml(plan: Plan, comment: str = "") -> str:
    """``plan`` as a YAML document (block style, keys in schema order, ``None`` left out)
    with ``comment`` as leading ``#`` lines; :func:`keiretsu.scenario.loader.load_plan`
    reads it back to an equal plan."""
    data: Any = plan.model_dump(mode="python", exclude_none=True)  # plan years stay ints
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)
    lines = [f"# {line}".rstrip() for line in comment.splitlines()] if comment else []
    return "\n".join([*lines, text]) if lines else text
