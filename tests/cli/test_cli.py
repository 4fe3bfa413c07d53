"""The command line: validate, init, schema, --version and --help.

In-process through click's CliRunner (``catch_exceptions=False``, so any exception
that escapes a command fails the test), plus one run of the real ``keiretsu`` entry
point for the acceptance case.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from keiretsu import __version__
from keiretsu.scenario.schema import plan_json_schema, scenario_json_schema
from keiretsu.scenario.templates import template_names
from tests.helpers import SMALL_SCENARIO, edit

LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<path>[^ :]+): (?P<msg>.+)$")


def three_mistakes() -> str:
    """A schema error, a dangling reference and a share sum, each independent."""
    text = edit(SMALL_SCENARIO, "unit_price: 24", "unit_price: -24")  # line 41
    text = edit(text, "    region: EU\n", "    region: EUROPE\n")  # line 38
    return edit(text, "{ALPHA: 0.6, BETA: 0.4}", "{ALPHA: 0.6, BETA: 0.3}")  # line 54


def assert_three_lines(stderr: str, file: str) -> None:
    lines = stderr.splitlines()
    assert len(lines) == 3, stderr
    for line in lines:
        m = LOCATED.match(line)
        assert m, line
        assert m["file"] == file
    assert lines == [
        f"{file}:38:5: suppliers[BETA].region: unknown region 'EUROPE'",
        f"{file}:41:9: suppliers[BETA].offers[0].unit_price: Input should be greater than 0 (got -24)",
        f"{file}:54:5: plan.allocation.CELL: shares of part 'CELL' sum to 0.9, not 1",
    ]


def words(text: str) -> str:
    """Text with whitespace runs collapsed (rich wraps long lines at the terminal width)."""
    return " ".join(text.split())


def no_traceback(result) -> None:
    assert "Traceback" not in result.stdout + result.stderr


# ----------------------------------------------------------------------------- acceptance


def test_three_mistakes_three_lines_exit_2(cli, write_yaml):
    path = write_yaml(three_mistakes())
    result = cli("validate", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert_three_lines(result.stderr, str(path))


def test_three_mistakes_real_process(write_yaml):
    """The installed entry point, in its own process: real exit status and streams."""
    exe = Path(sys.executable).with_name("keiretsu")
    if not exe.exists():
        pytest.skip("keiretsu entry point not installed next to the interpreter")
    path = write_yaml(three_mistakes())
    proc = subprocess.run(
        [str(exe), "validate", str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert_three_lines(proc.stderr, str(path))


# ----------------------------------------------------------------------------- version, help


def test_version(cli):
    for flag in ("--version", "-V"):
        result = cli(flag)
        assert result.exit_code == 0
        assert result.stdout.strip() == f"keiretsu, version {__version__}"


@pytest.mark.parametrize("command", [[], ["validate"], ["init"], ["schema"]])
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(cli, command, flag):
    result = cli(*command, flag)
    assert result.exit_code == 0
    usage = result.stdout.splitlines()[0]
    assert usage.startswith("Usage: ")
    assert usage.split()[2:3] == command or (not command and "COMMAND" in usage)
    assert "--help" in result.stdout
    no_traceback(result)


def test_main_help_lists_commands(cli):
    out = cli("--help").stdout
    for command in ("validate", "init", "schema"):
        assert re.search(rf"^\s+{command}\s", out, re.MULTILINE), command


def test_validate_help_documents_options(cli):
    out = cli("validate", "--help").stdout
    for option in ("--set", "--plan", "--json"):
        assert option in out


def test_unknown_command(cli):
    result = cli("simulate-everything")
    assert result.exit_code == 2
    assert "No such command" in result.stderr
    no_traceback(result)


# ----------------------------------------------------------------------------- validate


def test_validate_valid_file(cli, small_file):
    result = cli("validate", small_file)
    assert result.exit_code == 0, result.stderr
    assert "Small test network" in words(result.stdout)
    assert "2 parts, 2 suppliers, 2 regions" in words(result.stdout)
    assert result.stderr == ""


def test_validate_summary_counts_in_good_english(cli):
    """Singular for one (1 part, 1 tier-2 sub-supplier), and a line per section of the risk
    model and partnership set-up: disruptions by kind, drills, programs, contracts by
    relationship level, contingencies. Figures from the bundled files themselves."""
    from tests.helpers import REPO

    two = words(cli("validate", REPO / "scenarios" / "two_supplier.yaml").stdout)
    assert "1 part, 2 suppliers, 2 regions, 0 tier-2 sub-suppliers; 3 years of 156 weeks" in two
    assert "contracts" not in two and "drills" not in two  # sections absent: no line
    ev = REPO / "scenarios" / "ev_battery.yaml"
    out = words(cli("validate", ev).stdout)
    assert "10 parts, 13 suppliers, 4 regions, 1 tier-2 sub-supplier;" in out
    assert (
        "9 disruptions: 2 regional events, 1 tier-2 outage, 1 logistics disruption, "
        "1 price shock, 1 demand shock, 1 supplier default, 2 supplier outages"
    ) in out
    assert "drills: BMS-fire-8w, CN-region-6w, CAM-fire-12w, Red-Sea-closure-6m" in out
    assert "programs (capex): cell_line_2 (USD 90.00M), bms_quality_analytics (USD 1.20M)" in out
    assert "funded by the plan: none" in out
    assert (
        "6 contracts: 3 strategic partnerships, 2 preferred, 1 transactional; "
        "7 suppliers without one (spot)"
    ) in out
    assert "contingencies: BMS-BOARD (backup), CELL-NMC (reallocation)" in out
    # a plan's contracts replace the scenario's, supplier by supplier
    plan = REPO / "scenarios" / "plans" / "ev_battery" / "transactional_single_source.yaml"
    out = words(cli("validate", ev, "--plan", plan).stdout)
    assert "6 contracts: 6 transactional; 7 suppliers without one (spot)" in out
    assert "contingencies" not in out
    payload = json.loads(cli("validate", ev, "--json").stdout)["files"][0]["summary"]
    assert payload["contracts_by_relationship"] == {
        "strategic_partnership": 3,
        "preferred": 2,
        "transactional": 1,
    }
    assert payload["program_capex"] == {"cell_line_2": 90e6, "bms_quality_analytics": 1.2e6}


def test_validate_invalid_file(cli, write_yaml):
    path = write_yaml(edit(SMALL_SCENARIO, "replications: 10", "replications: 0"))
    result = cli("validate", path)
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:62:3: run.replications: Input should be greater than or equal to 1 (got 0)\n"
    )
    assert result.stdout == ""


def test_validate_several_files(cli, write_yaml):
    good = write_yaml(SMALL_SCENARIO, "good.yaml")
    other = write_yaml(
        edit(SMALL_SCENARIO, "name: Small test network", "name: Other"), "other.yaml"
    )
    bad = write_yaml(edit(SMALL_SCENARIO, "seed: 7", "seed: -7"), "bad.yaml")
    missing = good.with_name("missing.yaml")

    result = cli("validate", good, other)
    assert result.exit_code == 0
    assert "Small test network" in words(result.stdout) and "Other" in result.stdout

    result = cli("validate", good, bad, missing)
    assert result.exit_code == 2
    assert "Small test network" in words(result.stdout)  # the valid file is summarised
    assert result.stderr.splitlines() == [
        f"{bad}:63:3: run.seed: Input should be greater than or equal to 0 (got -7)",
        f"{missing}: file not found",
    ]


def test_validate_needs_a_file(cli):
    result = cli("validate")
    assert result.exit_code == 2
    assert "Missing argument" in result.stderr


def test_validate_json_success(cli, small_file):
    result = cli("validate", small_file, "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["ok"] is True
    [entry] = payload["files"]
    assert entry["file"] == str(small_file) and entry["valid"] is True
    summary = entry["summary"]
    assert summary["parts"] == 2 and summary["suppliers"] == 2
    assert summary["annual_demand_units"] == {"CELL": 5200.0, "CASE": 2080.0}
    # year-1 spend: CELL 60/40 at 20 and 24, CASE all from ALPHA at 2
    assert summary["annual_spend"] == pytest.approx(5200 * (0.6 * 20 + 0.4 * 24) + 2080 * 2)
    assert result.stderr == ""


def test_validate_json_failure(cli, write_yaml):
    path = write_yaml(three_mistakes())
    missing = path.with_name("missing.yaml")
    result = cli("validate", path, missing, "--json")
    assert result.exit_code == 2
    payload = json.loads(result.stdout)  # only JSON on stdout
    assert payload["ok"] is False
    first, second = payload["files"]
    assert first["valid"] is False
    assert [(p["line"], p["column"], p["path"]) for p in first["problems"]] == [
        (38, 5, "suppliers[BETA].region"),
        (41, 9, "suppliers[BETA].offers[0].unit_price"),
        (54, 5, "plan.allocation.CELL"),
    ]
    assert all(p["file"] == str(path) for p in first["problems"])
    assert second["problems"] == [
        {"file": str(missing), "line": 0, "column": 0, "path": "", "message": "file not found"}
    ]
    assert len(result.stderr.splitlines()) == 4  # the human-readable lines go to stderr


def test_validate_json_with_mixed_files(cli, small_file, write_yaml):
    bad = write_yaml("meta: [\n", "bad.yaml")
    result = cli("validate", "--json", small_file, bad)
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert [f["valid"] for f in payload["files"]] == [True, False]
    assert "Small test network" not in result.stderr  # no table in --json mode


def test_validate_with_overrides(cli, small_file):
    result = cli("validate", small_file, "--set", "plan.allocation.CELL.ALPHA=0.5", "--json")
    assert result.exit_code == 2
    problem = json.loads(result.stdout)["files"][0]["problems"][0]
    # the share map is still the file's (one of its values came from --set)
    assert (problem["file"], problem["line"], problem["column"]) == (str(small_file), 54, 5)
    assert problem["message"] == "shares of part 'CELL' sum to 0.9, not 1"

    result = cli(
        "validate",
        small_file,
        "--set",
        "plan.allocation.CELL.ALPHA=0.5",
        "--set",
        "plan.allocation.CELL.BETA=0.5",
        "--json",
    )
    assert result.exit_code == 0
    spend = json.loads(result.stdout)["files"][0]["summary"]["spend_by_supplier"]
    assert spend["BETA"] == pytest.approx(0.5 * 5200 * 24)


def test_validate_bad_override_syntax(cli, small_file):
    result = cli("validate", small_file, "--set", "run.seed")
    assert result.exit_code == 2
    assert result.stderr == "--set run.seed: expected dotted.path=value\n"


PLAN = """\
name: reliable first
allocation:
  CELL: {ALPHA: 0.2, BETA: 0.8}
default_inventory: {policy: base_stock, order_up_to_units: 800}
"""


def test_validate_with_plan_file(cli, small_file, write_yaml):
    plan = write_yaml(PLAN, "plan.yaml")
    result = cli("validate", small_file, "--plan", plan, "--json")
    assert result.exit_code == 0, result.stderr
    spend = json.loads(result.stdout)["files"][0]["summary"]["spend_by_supplier"]
    assert spend["BETA"] == pytest.approx(0.8 * 5200 * 24)
    assert spend["ALPHA"] == pytest.approx(0.2 * 5200 * 20 + 2080 * 2)


def test_validate_with_bad_plan_reference(cli, small_file, write_yaml):
    text = edit(PLAN, "BETA: 0.8", "GAMMA: 0.8")
    plan = write_yaml(text, "plan.yaml")
    result = cli("validate", small_file, "--plan", plan)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{plan}:3:22: allocation.CELL.GAMMA: unknown supplier 'GAMMA'",
    ]


def test_validate_plan_with_schema_error(cli, small_file, write_yaml):
    plan = write_yaml(PLAN + "budget: 5\n", "plan.yaml")
    result = cli("validate", small_file, "--plan", plan)
    assert result.exit_code == 2
    assert result.stderr == f"{plan}:5:1: budget: unknown field 'budget'\n"


def test_validate_plan_needs_one_scenario(cli, small_file, write_yaml):
    plan = write_yaml(PLAN, "plan.yaml")
    result = cli("validate", small_file, small_file, "--plan", plan)
    assert result.exit_code == 2
    assert "--plan needs exactly one scenario file" in result.stderr
    no_traceback(result)


def test_validate_missing_plan_file(cli, small_file, tmp_path):
    result = cli("validate", small_file, "--plan", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    assert result.stderr == f"{tmp_path / 'nope.yaml'}: file not found\n"


# ----------------------------------------------------------------------------- init


def test_init_writes_scenario_and_schema(cli, tmp_path):
    dest = tmp_path / "my.yaml"
    result = cli("init", dest)
    assert result.exit_code == 0, result.stderr
    assert "wrote" in result.stderr and result.stdout == ""
    text = dest.read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=scenario.schema.json"
    schema = json.loads((tmp_path / "scenario.schema.json").read_text())
    assert schema == scenario_json_schema()
    # the written file validates
    check = cli("validate", dest)
    assert check.exit_code == 0, check.stderr


def test_init_refuses_to_overwrite(cli, tmp_path):
    dest = tmp_path / "my.yaml"
    dest.write_text("mine\n")
    result = cli("init", dest)
    assert result.exit_code == 2
    assert result.stderr == f"{dest}: already exists (use --force to overwrite)\n"
    assert dest.read_text() == "mine\n"
    assert not (tmp_path / "scenario.schema.json").exists()

    result = cli("init", dest, "--force")
    assert result.exit_code == 0
    assert dest.read_text().startswith("# yaml-language-server:")


def test_init_keeps_an_existing_schema_unless_forced(cli, tmp_path):
    (tmp_path / "scenario.schema.json").write_text("{}\n")
    assert cli("init", tmp_path / "a.yaml").exit_code == 0
    assert (tmp_path / "scenario.schema.json").read_text() == "{}\n"
    assert cli("init", tmp_path / "a.yaml", "--force").exit_code == 0
    assert json.loads((tmp_path / "scenario.schema.json").read_text()) == scenario_json_schema()


def test_init_unknown_template(cli, tmp_path):
    result = cli("init", tmp_path / "x.yaml", "--template", "nuclear_plant")
    assert result.exit_code == 2
    assert result.stderr.startswith("--template: unknown template 'nuclear_plant' (choose from ")
    assert "two_supplier" in result.stderr
    assert not (tmp_path / "x.yaml").exists()
    no_traceback(result)


def test_init_needs_a_yaml_name(cli, tmp_path):
    result = cli("init", tmp_path / "x.txt")
    assert result.exit_code == 2
    assert "must end in .yaml or .yml" in result.stderr
    assert not (tmp_path / "x.txt").exists()


def test_init_list_templates(cli, tmp_path):
    result = cli("init", tmp_path / "unused.yaml", "--list")
    assert result.exit_code == 0
    assert result.stdout.split() == template_names()
    assert "two_supplier" in template_names()
    assert not (tmp_path / "unused.yaml").exists()


@pytest.mark.parametrize("name", template_names())
def test_init_every_template_validates(cli, tmp_path, name):
    dest = tmp_path / "nested" / f"{name}.yaml"
    assert cli("init", dest, "-t", name).exit_code == 0
    result = cli("validate", dest)
    assert result.exit_code == 0, result.stderr


# ----------------------------------------------------------------------------- schema


def test_schema_to_stdout(cli):
    result = cli("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == scenario_json_schema()
    assert result.stderr == ""


def test_plan_schema_to_stdout(cli):
    result = cli("schema", "--plan")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == plan_json_schema()


def test_schema_to_file(cli, tmp_path):
    out = tmp_path / "deep" / "s.json"
    result = cli("schema", "-o", out)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert json.loads(out.read_text()) == scenario_json_schema()
    assert out.read_text().endswith("}\n")
    result = cli("schema", "--plan", "--output", out)
    assert json.loads(out.read_text()) == plan_json_schema()


# ----------------------------------------------------------------------------- no tracebacks


@pytest.mark.parametrize(
    "text",
    [
        "",
        "meta: [\n",
        "- a\n- b\n",
        "meta: !!python/object/apply:os.getcwd []\n",
        "a: &a [*a]\n",
        "extends: nowhere.yaml\n",
        "meta: {name: x}\nhorizon: {years: .inf, period: [week]}\n",
        "\x00\x01",
    ],
)
def test_user_mistakes_never_show_a_traceback(cli, write_yaml, text):
    result = cli("validate", write_yaml(text))
    assert result.exit_code == 2
    assert result.stderr.strip()
    no_traceback(result)
