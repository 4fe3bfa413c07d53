"""The generated references in docs/reference/ are current and complete.

The committed pages must equal a fresh rendering (``make docs`` rewrites them); and,
checked against the Click tree and the JSON Schema themselves rather than against the
renderer, every command, argument and option, and every scenario section, type and
field, appears in them.
"""

from __future__ import annotations

import re

import click
import pytest

from keiretsu.cli import main
from keiretsu.docs import REFERENCES, cli_reference, render_references, scenario_reference
from keiretsu.scenario.schema import plan_json_schema, scenario_json_schema
from tests.helpers import REPO

REFERENCE = REPO / "docs" / "reference"


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_committed_reference_is_up_to_date(name):
    path = REFERENCE / name
    assert path.is_file(), f"docs/reference/{name} is missing: run `make docs`"
    committed = path.read_text(encoding="utf-8")
    fresh = render_references()[name]
    if committed != fresh:
        old, new = committed.splitlines(), fresh.splitlines()
        first = next(
            (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
            min(len(old), len(new)),
        )
        pytest.fail(
            f"docs/reference/{name} is out of date with the code: run `make docs` "
            f"(first difference at line {first + 1}: "
            f"{old[first] if first < len(old) else '<end>'!r} vs "
            f"{new[first] if first < len(new) else '<end>'!r})"
        )


def walk(group: click.Group, path: str, parent: click.Context | None = None):
    """(command path, command, context) for the group and everything under it."""
    ctx = click.Context(group, info_name=path.split()[-1], parent=parent, **group.context_settings)
    yield path, group, ctx
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from walk(cmd, f"{path} {name}", ctx)
        else:
            sub = click.Context(cmd, info_name=name, parent=ctx, **cmd.context_settings)
            yield f"{path} {name}", cmd, sub


def sections(text: str) -> dict[str, str]:
    """The page cut at its command headings: {command path: section text}."""
    parts = re.split(r"^#{2,6} `([^`]+)`$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_command_and_option_is_in_the_cli_reference():
    page = sections(cli_reference())
    commands = list(walk(main, "keiretsu"))
    assert len(commands) > 5
    for path, cmd, ctx in commands:
        assert path in page, f"{path} has no section"
        body = page[path]
        assert " ".join([path, *cmd.collect_usage_pieces(ctx)]) in body
        first_line = (cmd.help or "").strip().splitlines()[0]
        assert first_line in body, f"{path}: help text missing"
        for param in cmd.get_params(ctx):
            if getattr(param, "hidden", False):  # deprecated aliases stay out of the docs
                assert f"`{param.opts[0]}`" not in body
                continue
            if isinstance(param, click.Option):
                for flag in [*param.opts, *param.secondary_opts]:
                    assert f"`{flag}`" in body, f"{path}: option {flag} missing"
                if param.help:
                    assert " ".join(param.help.split()) in body, f"{path} {param.opts}: help"
            else:
                assert f"`{param.make_metavar(ctx)}`" in body, f"{path}: argument {param.name}"


def test_cli_reference_of_a_nested_group():
    @click.group()
    def tool():
        """A tool."""

    @tool.group()
    def frontier():
        """Cost-risk frontiers."""

    @frontier.command()
    @click.argument("scenario")
    @click.option("--points", type=click.IntRange(2, 50), default=9, help="How many points.")
    @click.option("--kind", type=click.Choice(["cvar", "worst"]), default="cvar", help="Risk.")
    @click.option("--fast/--slow", default=True, help="Speed.")
    def sweep(scenario, points, kind, fast):
        """Sweep the risk weight | from 0 to 1."""

    text = cli_reference(tool, prog="tool")
    page = sections(text)
    assert list(page) == ["tool", "tool frontier", "tool frontier sweep"]
    body = page["tool frontier sweep"]
    assert "tool frontier sweep [OPTIONS] SCENARIO" in body
    assert "| `--points` `INTEGER RANGE` | integer, `2<=x<=50` | `9` | How many points. |" in body
    assert "one of: `cvar`, `worst`" in body
    assert "`--fast` / `--slow`" in body
    assert "[`sweep`](#tool-frontier-sweep)" in page["tool frontier"]
    assert "Sweep the risk weight | from 0 to 1." in body  # prose is not a table: kept


def test_every_scenario_section_type_and_field_is_in_the_scenario_reference():
    text = scenario_reference()
    scenario, plan = scenario_json_schema(), plan_json_schema()
    for section in scenario["properties"]:
        assert f"| `{section}` |" in text, f"top-level section {section} missing"
    defs = {**plan.get("$defs", {}), **scenario["$defs"]}
    for name, schema in defs.items():
        match = re.search(
            rf'<a id="{name.lower()}"></a>\n\n### {name}\b(.*?)(?=\n<a id=|\Z)', text, re.S
        )
        assert match, f"type {name} has no section"
        for field in schema.get("properties", {}):
            assert f"| `{field}` |" in match.group(1), f"{name}.{field} missing"
    for field in plan["properties"]:
        assert f"| `{field}` |" in text.split("## Plan files", 1)[1]


def test_scenario_reference_links_resolve():
    text = scenario_reference()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    targets = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert targets, "the reference links its types"
    assert not targets - anchors, f"links to missing anchors: {sorted(targets - anchors)}"


def test_cli_reference_links_resolve():
    text = cli_reference()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', text))
    targets = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert targets and not targets - anchors


def test_tagged_unions_are_listed_per_variant():
    text = scenario_reference()
    mapping = scenario_json_schema()["properties"]["disruptions"]["items"]["discriminator"][
        "mapping"
    ]
    for kind, ref in mapping.items():
        name = ref.rsplit("/", 1)[1]
        assert f"### {name} (`kind: {kind}`)" in text
        assert f"[`{kind}`](#{name.lower()})" in text


def test_scenario_reference_shows_defaults_and_constraints():
    text = scenario_reference()
    run = scenario_json_schema()["$defs"]["Run"]["properties"]
    seed = run["seed"]["default"]
    assert f"| `seed` | integer | `{seed}` |" in text
    assert "| `on_time_probability` | number | `1` | ≥ 0, ≤ 1 |" in text
