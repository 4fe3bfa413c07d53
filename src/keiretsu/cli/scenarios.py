"""Scenario commands: ``validate``, ``init`` and ``schema``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from keiretsu.cli.common import (
    CONTEXT,
    _emit_json,
    json_option,
    main,
    set_option,
)
from keiretsu.errors import InputError, Problem


@main.command(context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@set_option
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(path_type=Path),
    help="Also check a stand-alone plan file against the (single) scenario.",
)
@json_option
def validate(
    files: tuple[Path, ...], overrides: tuple[str, ...], plan_file: Path | None, as_json: bool
) -> None:
    """Check scenario FILES and summarise each valid network.

    Every problem is reported at once, one line each, as FILE:LINE:COL: field.path:
    message; the exit status is 2 if any file is invalid.
    """
    from keiretsu.analysis.network import summarize
    from keiretsu.scenario.loader import load_plan, load_scenario

    if plan_file is not None and len(files) != 1:
        raise click.UsageError("--plan needs exactly one scenario file")
    results: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for file in files:
        try:
            scenario = load_scenario(file, overrides)
            if plan_file is not None:
                plan = load_plan(plan_file, scenario)
                scenario = scenario.model_copy(update={"plan": plan})
        except InputError as exc:
            problems.extend(exc.problems)
            results.append(
                {"file": str(file), "valid": False, "problems": [p.to_dict() for p in exc.problems]}
            )
            continue
        summary = summarize(scenario)
        results.append({"file": str(file), "valid": True, "summary": summary.to_dict()})
        if not as_json:
            from keiretsu.reports.console import print_network_summary

            print_network_summary(str(file), summary)
    for problem in dict.fromkeys(problems):
        click.echo(str(problem), err=True)
    if as_json:
        _emit_json({"ok": not problems, "files": results})
    if problems:
        sys.exit(2)


@main.command(context_settings=CONTEXT)
@click.argument("dest", type=click.Path(path_type=Path), required=False)
@click.option(
    "--template", "-t", default=None, help="Bundled scenario to start from (default: two_supplier)."
)
@click.option("--force", is_flag=True, help="Overwrite DEST if it exists.")
@click.option("--list", "list_templates", is_flag=True, help="List the templates and exit.")
def init(dest: Path | None, template: str | None, force: bool, list_templates: bool) -> None:
    """Write a commented starter scenario to DEST (and its JSON Schema beside it).

    The schema file makes editors with the YAML language server complete and check
    the scenario as you type.
    """
    from keiretsu.fileio import write_text_atomic
    from keiretsu.scenario.schema import scenario_json_schema
    from keiretsu.scenario.templates import DEFAULT_TEMPLATE, template_names, template_text

    names = template_names()
    if list_templates:
        click.echo("\n".join(names))
        return
    if dest is None:
        raise click.UsageError("missing argument DEST (the scenario file to write)")
    name = template or DEFAULT_TEMPLATE
    if name not in names:
        raise InputError(
            Problem(
                "--template",
                0,
                0,
                "",
                f"unknown template {name!r} (choose from {', '.join(names)})",
            )
        )
    if dest.exists() and not force:
        raise InputError(Problem(str(dest), 0, 0, "", "already exists (use --force to overwrite)"))
    if dest.suffix not in (".yaml", ".yml"):
        raise InputError(
            Problem(str(dest), 0, 0, "", "a scenario file name must end in .yaml or .yml")
        )
    schema_path = dest.parent / "scenario.schema.json"
    write_text_atomic(dest, template_text(name, schema_path.name))
    if not schema_path.exists() or force:
        write_text_atomic(schema_path, json.dumps(scenario_json_schema(), indent=2) + "\n")
    click.echo(f"wrote {dest} (from template {name!r}) and {schema_path}", err=True)
    click.echo(f"next: keiretsu validate {dest}", err=True)


@main.command(context_settings=CONTEXT)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write to this file instead of stdout."
)
@click.option(
    "--plan", "for_plan", is_flag=True, help="The schema of a stand-alone plan file instead."
)
def schema(output: Path | None, for_plan: bool) -> None:
    """Print the JSON Schema of scenario files (for editors and other tools)."""
    from keiretsu.fileio import write_text_atomic
    from keiretsu.scenario.schema import plan_json_schema, scenario_json_schema

    text = json.dumps(plan_json_schema() if for_plan else scenario_json_schema(), indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_text_atomic(output, text)
        click.echo(f"wrote {output}", err=True)
