"""The YAML reader: syntax, safety limits, ``extends:`` chains and ``--set`` overrides.

Every error is checked with its exact location (file, line and, where PyYAML gives a
stable one, column), computed from the input text by ``at`` rather than copied from
the loader's output.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from keiretsu.errors import Problem, ScenarioError
from keiretsu.scenario import loader
from keiretsu.scenario.loader import (
    Document,
    apply_overrides,
    format_path,
    load_scenario,
    read_document,
    read_yaml,
)
from tests.helpers import SMALL_SCENARIO, at, edit, errors_of, only


def read_errors(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        read_yaml(path)
    return info.value.problems


# ----------------------------------------------------------------------------- YAML syntax


def test_syntax_error_bad_indentation(write_yaml):
    text = "meta:\n  name: x\n   bad: indent\n"
    p = only(errors_of(write_yaml(text)))
    assert (p.line, p.column) == (3, 7)
    assert p.path == ""
    assert p.message.startswith("YAML syntax error: ")
    assert "mapping values are not allowed here" in p.message
    assert str(p) == f"{p.file}:3:7: {p.message}"


def test_syntax_error_unclosed_flow_sequence(write_yaml):
    text = edit(SMALL_SCENARIO, "parts: [CELL]", "parts: [CELL")
    p = only(errors_of(write_yaml(text)))
    assert p.line == at(text, "plan:")[0]  # PyYAML notices at the next key
    assert "flow sequence" in p.message


def test_syntax_error_tab_indentation(write_yaml):
    p = only(errors_of(write_yaml("meta:\n\tname: x\n")))
    assert (p.line, p.column) == (2, 1)
    assert "'\\t'" in p.message


def test_more_than_one_document(write_yaml):
    p = only(errors_of(write_yaml("a: 1\n---\nb: 2\n")))
    assert (p.line, p.column) == (2, 1)
    assert "single document" in p.message


def test_undefined_alias(write_yaml):
    p = only(errors_of(write_yaml("meta: {name: x}\nregions: *nope\n")))
    assert (p.line, p.column) == (2, 10)
    assert "undefined alias 'nope'" in p.message


def test_duplicate_key(write_yaml):
    text = edit(SMALL_SCENARIO, "  seed: 7\n", "  seed: 7\n  seed: 8\n")
    p = only(errors_of(write_yaml(text)))
    assert (p.line, p.column) == at(text, "seed: 8")
    assert p.path == "run.seed"
    first = at(text, "seed: 7")[0]
    assert p.message == f"duplicate key 'seed' (first at line {first})"


def test_duplicate_key_in_flow_mapping(write_yaml):
    text = edit(SMALL_SCENARIO, "{ALPHA: 0.6, BETA: 0.4}", "{ALPHA: 0.6, BETA: 0.4, ALPHA: 0.1}")
    p = only(errors_of(write_yaml(text)))
    assert (p.line, p.column) == at(text, "ALPHA: 0.1")
    assert p.path == "plan.allocation.CELL.ALPHA"


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object:os.system {}", "python/object:os.system"),
        ("!!python/name:os.system", "python/name:os.system"),
        ("!!python/object/new:builtins.dict {}", "python/object/new:builtins.dict"),
        ("!custom {name: x}", "!custom"),
        ("!!set {a: null}", "tag:yaml.org,2002:set"),
        ("!!binary aGVsbG8=", "tag:yaml.org,2002:binary"),
    ],
)
def test_unsupported_tag(write_yaml, value, tag):
    text = f"meta:\n  name: x\n  description: {value}\n"
    p = only(errors_of(write_yaml(text)))
    assert (p.line, p.column) == at(text, value)
    assert p.path == "meta.description"
    assert p.message.startswith("unsupported YAML tag")
    assert tag in p.message


def test_python_tags_never_execute(write_yaml, tmp_path):
    target = tmp_path / "pwned"
    text = f"meta:\n  name: !!python/object/apply:os.mkdir ['{target}']\n"
    p = only(errors_of(write_yaml(text)))
    assert (p.line, p.column) == (2, 9)
    assert "python/object/apply:os.mkdir" in p.message
    assert not target.exists()


def test_complex_mapping_key(write_yaml):
    p = only(errors_of(write_yaml("? [a, b]\n: 1\n")))
    assert (p.line, p.column) == (1, 3)
    assert "mapping keys must be text or integers" in p.message


def test_complex_key_in_a_merged_mapping(write_yaml):
    problems = read_errors(write_yaml("a: &a {? [x] : 1}\nb: {<<: *a}\n"))
    assert [(p.line, p.column, p.path) for p in problems] == [(1, 10, "a"), (1, 10, "b")]
    assert all("mapping keys must be text or integers" in p.message for p in problems)


@pytest.mark.parametrize(
    ("char", "code"), [("\x07", "#x0007"), ("\x00", "#x0000"), ("\x1b", "#x001b")]
)
def test_control_character(write_yaml, char, code):
    p = only(errors_of(write_yaml(f"meta:\n  name: a{char}b\n")))
    assert (p.line, p.column) == (2, 10)
    assert (
        p.message
        == f"YAML error: unacceptable character {code}: special characters are not allowed"
    )


def test_bad_scalar_value(write_yaml):
    text = edit(SMALL_SCENARIO, "start_date: 2027-01-04", "start_date: 2027-13-04")
    p = only(errors_of(write_yaml(text)))
    assert (p.line, p.column) == at(text, "2027-13-04")  # the value, not the key
    assert p.path == "meta.start_date"
    assert "month must be in 1..12" in p.message


# ----------------------------------------------------------------------------- files


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n"])
def test_empty_file(write_yaml, text):
    p = only(errors_of(write_yaml(text)))
    assert (p.line, p.column, p.message) == (1, 1, "the file is empty")


def test_file_not_found(tmp_path):
    missing = tmp_path / "nowhere.yaml"
    p = only(errors_of(missing))
    assert (p.file, p.line, p.column, p.message) == (str(missing), 0, 0, "file not found")
    assert str(p) == f"{missing}: file not found"


def test_directory_instead_of_file(tmp_path):
    p = only(errors_of(tmp_path))
    assert p.message == "is a directory, not a YAML file"


def test_oversized_file(write_yaml, monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    path = write_yaml(SMALL_SCENARIO)
    p = only(errors_of(path))
    size = len(SMALL_SCENARIO.encode())
    assert p.line == 0
    assert p.message == f"refused: {size:,} bytes is over the 100-byte limit"


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("meta:\n  name: Müller\n".encode("latin-1"))
    assert only(errors_of(path)).message.startswith("not UTF-8 text")


@pytest.mark.parametrize("text", ["- 1\n- 2\n", "just text\n", "42\n"])
def test_top_level_must_be_a_mapping(write_yaml, text):
    p = only(errors_of(write_yaml(text)))
    assert (p.line, p.column, p.message) == (1, 1, "a scenario must be a YAML mapping")


# ----------------------------------------------------------------------------- bombs and depth


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_alias_expansion_bomb_is_refused(write_yaml, monkeypatch):
    monkeypatch.setattr(loader, "MAX_NODES", 10_000)
    path = write_yaml(billion_laughs())  # 9**9 = 387 million strings once expanded
    p = only(read_errors(path))
    assert p.file == str(path)
    assert p.line == 0
    assert p.message == (
        "refused: more than 10,000 YAML nodes after expanding aliases (an alias-expansion bomb?)"
    )


def test_aliases_below_the_limit_are_expanded(write_yaml, monkeypatch):
    monkeypatch.setattr(loader, "MAX_NODES", 10_000)
    data = read_yaml(write_yaml(billion_laughs(levels=3, width=3))).data
    assert data["a2"] == [[["lol"] * 3] * 3] * 3


def test_merge_key_bomb_is_cheap(write_yaml):
    """Nested merges of the same anchor: each mapping is flattened once, not 9**7 times."""
    lines = ["l0: &l0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9}"]
    for i in range(1, 8):
        lines.append(f"l{i}: &l{i} {{<<: [" + ", ".join([f"*l{i - 1}"] * 9) + "]}")
    start = time.perf_counter()
    data = read_yaml(write_yaml("\n".join(lines) + "\n")).data
    assert time.perf_counter() - start < 5.0
    assert data["l7"] == data["l0"] == dict(zip("abcdefghi", range(1, 10), strict=True))


def test_nesting_too_deep(write_yaml):
    text = "meta: " + "[" * 70 + "]" * 70 + "\n"
    p = only(read_errors(write_yaml(text)))
    assert p.line == 1
    assert p.message == "refused: nesting deeper than 64 levels"


def test_recursive_alias(write_yaml):
    p = only(read_errors(write_yaml("a: &a [*a]\n")))
    assert p.message == "refused: nesting deeper than 64 levels"


def test_recursive_merge_key(write_yaml):
    p = only(read_errors(write_yaml("x: 1\na: &a {b: 1, <<: *a}\n")))
    assert (p.line, p.column) == (2, 4)
    assert p.message == "a merge key (<<) refers to the mapping that holds it"


def test_merge_key_needs_a_mapping(write_yaml):
    p = only(read_errors(write_yaml("a: 1\nb: {<<: 5}\n")))
    assert (p.line, p.column) == (2, 9)
    assert p.message == "a merge key (<<) needs a mapping"


def test_merge_keys_follow_the_yaml_spec(write_yaml):
    text = (
        "d: &d {name: first, description: from d}\n"
        "o: &o {name: second, currency: EUR}\n"
        "m:\n"
        "  <<: [*d, *o]\n"
        "  description: own\n"
    )
    data = read_yaml(write_yaml(text)).data
    # own keys win, then earlier sources; overlapping sources are not duplicate keys
    assert data["m"] == {"description": "own", "name": "first", "currency": "EUR"}


def test_anchors_and_merge_keys_in_a_scenario(write_yaml):
    text = edit(
        SMALL_SCENARIO,
        "        lead_time_days: {kind: uniform, low: 5, high: 9}\n",
        "        lead_time_days: &fast {kind: uniform, low: 5, high: 9}\n"
        "      - <<: {part: CASE, unit_price: 3}\n"
        "        lead_time_days: *fast\n",
    )
    text = edit(
        text, "    CELL: {ALPHA: 0.6", "    CASE: {ALPHA: 0.5, BETA: 0.5}\n    CELL: {ALPHA: 0.6"
    )
    scenario = load_scenario(write_yaml(text))
    beta = scenario.supplier("BETA")
    assert [o.part for o in beta.offers] == ["CELL", "CASE"]
    assert beta.offers[1].unit_price == 3
    assert beta.offers[1].lead_time_days == beta.offers[0].lead_time_days


# ----------------------------------------------------------------------------- positions


def test_document_positions_and_locate(write_yaml):
    path = write_yaml(SMALL_SCENARIO)
    doc = read_yaml(path)
    assert doc.positions[("suppliers", 1, "offers", 0, "unit_price")] == (
        str(path),
        *at(SMALL_SCENARIO, "unit_price: 24"),
    )
    # a path the file lacks is located at its nearest ancestor
    assert doc.locate(("run", "warmup_periods")) == (str(path), *at(SMALL_SCENARIO, "run:"))
    assert Document({}).locate(("x",)) == ("<input>", 1, 1)


def test_format_path_uses_ids():
    data = {"suppliers": [{"id": "ALPHA", "offers": [{"part": "CELL"}]}, {"name": "no id"}]}
    assert format_path(("suppliers", 0, "offers", 0, "unit_price"), data) == (
        "suppliers[ALPHA].offers[0].unit_price"
    )
    assert format_path(("suppliers", 1, "name"), data) == "suppliers[1].name"
    assert format_path(()) == ""


# ----------------------------------------------------------------------------- extends


BASE_FOR_EXTENDS = SMALL_SCENARIO


def test_extends_deep_merges_mappings_and_replaces_lists(write_yaml):
    write_yaml(BASE_FOR_EXTENDS, "base/network.yaml")
    child = write_yaml(
        "extends: ../base/network.yaml\n"
        "meta:\n"
        "  name: Child\n"
        "run:\n"
        "  seed: 99\n"
        "regions:\n"
        "  - id: ASIA\n"
        "  - id: EU\n"
        "  - id: NA\n"
        "plan:\n"
        "  allocation:\n"
        "    CELL: {ALPHA: 1.0, BETA: 0}\n",
        "studies/child.yaml",
    )
    s = load_scenario(child)
    assert s.meta.name == "Child"
    assert str(s.meta.start_date) == "2027-01-04"  # kept from the base mapping
    assert (s.run.seed, s.run.replications) == (99, 10)
    assert [r.id for r in s.regions] == ["ASIA", "EU", "NA"]  # list replaced
    assert s.plan.allocation == {"CELL": {"ALPHA": 1.0, "BETA": 0.0}}
    assert s.plan.name == "split"
    assert s.plan.allocation_by_year["CELL"][2] == {"ALPHA": 0.5, "BETA": 0.5}


def test_extends_merges_share_maps_key_by_key(write_yaml):
    """A share map is a mapping, so a child cannot drop a supplier by leaving it out."""
    write_yaml(SMALL_SCENARIO, "base.yaml")
    text = "extends: base.yaml\nplan:\n  allocation:\n    CELL: {ALPHA: 1.0}\n"
    p = only(errors_of(write_yaml(text, "child.yaml")))
    assert (Path(p.file).name, p.line, p.column) == ("child.yaml", 4, 5)
    assert p.message == "shares of part 'CELL' sum to 1.4, not 1"


def test_extends_chain_of_three(write_yaml):
    write_yaml(SMALL_SCENARIO, "a.yaml")
    write_yaml("extends: a.yaml\nrun: {seed: 2, replications: 20}\nmeta: {name: B}\n", "b.yaml")
    c = write_yaml("extends: b.yaml\nrun: {seed: 3}\n", "c.yaml")
    s = load_scenario(c)
    assert (s.run.seed, s.run.replications, s.meta.name) == (3, 20, "B")
    assert s.horizon.years == 2
    doc = read_document(c)
    assert [p.name for p in doc.sources] == ["c.yaml", "b.yaml", "a.yaml"]
    assert "extends" not in doc.data


def test_extends_cycle(write_yaml):
    a = write_yaml("extends: b.yaml\nmeta: {name: A}\n", "a.yaml")
    b = write_yaml("meta: {name: B}\nextends: a.yaml\n", "b.yaml")
    p = only(errors_of(a))
    assert Path(p.file).resolve() == b.resolve()  # the file that closes the cycle
    assert (p.line, p.column, p.path) == (2, 1, "extends")
    assert p.message == f"cycle in extends: {a.resolve()} -> {b.resolve()} -> {a.resolve()}"


def test_extends_itself(write_yaml):
    a = write_yaml("meta: {name: A}\nextends: ./a.yaml\n", "a.yaml")
    p = only(errors_of(a))
    assert (p.line, p.column) == (2, 1)
    assert p.message.startswith("cycle in extends:")


def test_extends_missing_base(write_yaml, tmp_path):
    child = write_yaml("meta: {name: x}\n\nextends: base.yaml\n", "child.yaml")
    p = only(errors_of(child))
    assert (p.file, p.line, p.column, p.path) == (str(child), 3, 1, "extends")
    assert p.message == f"base file not found: {(tmp_path / 'base.yaml').resolve()}"


@pytest.mark.parametrize("value", ["3", "''", "[a.yaml]", "null"])
def test_extends_must_be_a_path(write_yaml, value):
    p = only(errors_of(write_yaml(f"extends: {value}\n")))
    assert (p.line, p.column, p.path) == (1, 1, "extends")
    assert p.message == "must be the path of a base YAML file"


def test_errors_point_into_the_right_file_of_the_chain(write_yaml):
    base_text = edit(SMALL_SCENARIO, "unit_price: 24", "unit_price: -24")
    base = write_yaml(base_text, "base.yaml")
    middle_text = "extends: base.yaml\nrun:\n  replications: 0\n"
    middle = write_yaml(middle_text, "middle.yaml")
    top_text = "extends: middle.yaml\nmeta:\n  name: Top\n  currency: eur\n"
    top = write_yaml(top_text, "top.yaml")
    problems = errors_of(top)
    found = {(Path(p.file).name, p.line, p.column, p.path) for p in problems}
    assert found == {
        ("base.yaml", *at(base_text, "unit_price: -24"), "suppliers[BETA].offers[0].unit_price"),
        ("middle.yaml", 3, 3, "run.replications"),
        ("top.yaml", 4, 3, "meta.currency"),
    }
    assert {Path(p.file).resolve() for p in problems} == {
        base.resolve(),
        middle.resolve(),
        top.resolve(),
    }


def test_replaced_subtree_is_located_in_the_child(write_yaml):
    write_yaml(SMALL_SCENARIO, "base.yaml")
    child_text = "extends: base.yaml\nregions:\n  - id: ASIA\n  - id: 'E U'\n"
    problems = errors_of(write_yaml(child_text, "child.yaml"))
    p = next(p for p in problems if p.path.startswith("regions"))
    assert (Path(p.file).name, p.line, p.column) == ("child.yaml", 4, 5)
    assert p.path == "regions[E U].id"


def test_plan_file_may_extend_another(write_yaml):
    scenario = load_scenario(write_yaml(SMALL_SCENARIO))
    write_yaml(
        "name: base plan\n"
        "allocation: {CELL: {ALPHA: 0.5, BETA: 0.5}}\n"
        "default_inventory: {policy: base_stock, order_up_to_units: 10}\n",
        "p0.yaml",
    )
    p1 = write_yaml("extends: p0.yaml\nname: derived\n", "p1.yaml")
    plan = loader.load_plan(p1, scenario)
    assert plan.name == "derived"
    assert plan.default_inventory.order_up_to_units == 10
    assert plan.allocation == {"CELL": {"ALPHA": 0.5, "BETA": 0.5}}


# ----------------------------------------------------------------------------- --set


def test_set_values_are_typed_by_yaml():
    doc = Document({"a": {}}, sources=[Path("x.yaml")])
    out = apply_overrides(
        doc,
        [
            "a.int=50",
            "a.float=12.5",
            "a.bool=true",
            "a.list=[5, 50, 95]",
            "a.map={x: 1}",
            "a.text=hello world",
            "a.quoted='007'",
            "a.empty=",
            "a.eq=x=y",
        ],
    )
    assert out.data["a"] == {
        "int": 50,
        "float": 12.5,
        "bool": True,
        "list": [5, 50, 95],
        "map": {"x": 1},
        "text": "hello world",
        "quoted": "007",
        "empty": "",
        "eq": "x=y",
    }
    assert doc.data == {"a": {}}, "the input document is not modified"


def test_set_overrides_scenario_values(small_file):
    s = load_scenario(
        small_file,
        [
            "run.replications=50",
            "parts.CELL.revenue_per_unit=61.5",
            "run.percentiles=[5, 50, 95]",
            "suppliers.BETA.offers[0].unit_price=30",
        ],
    )
    assert s.run.replications == 50 and isinstance(s.run.replications, int)
    assert s.part("CELL").revenue_per_unit == 61.5
    assert s.run.percentiles == [5.0, 50.0, 95.0]
    assert s.supplier("BETA").offers[0].unit_price == 30


def test_set_list_item_by_index_and_negative_index(small_file):
    s = load_scenario(small_file, ["suppliers[1].offers[0].unit_price=31", "parts[-1].name=Box"])
    assert s.supplier("BETA").offers[0].unit_price == 31
    assert s.part("CASE").name == "Box"


def test_set_integer_mapping_key(small_file):
    s = load_scenario(
        small_file,
        ["plan.allocation_by_year.CELL.2.ALPHA=0.7", "plan.allocation_by_year.CELL.2.BETA=0.3"],
    )
    assert s.plan.allocation_by_year["CELL"][2] == {"ALPHA": 0.7, "BETA": 0.3}


def test_set_creates_missing_mappings(small_file):
    s = load_scenario(small_file, ["horizon.review_every_periods=2", "run.warmup_periods=4"])
    assert (s.horizon.review_every_periods, s.run.warmup_periods) == (2, 4)


def test_set_can_fix_a_file_error(write_yaml):
    path = write_yaml(edit(SMALL_SCENARIO, "unit_price: 24", "unit_price: -24"))
    assert errors_of(path)
    assert load_scenario(path, ["suppliers.BETA.offers[0].unit_price=24"])


def test_set_error_is_located_at_the_override(small_file):
    p = only(errors_of(small_file, ["suppliers.BETA.offers[0].unit_price=-1"]))
    assert (p.file, p.line, p.column) == ("--set suppliers.BETA.offers[0].unit_price=-1", 0, 0)
    assert p.path == "suppliers[BETA].offers[0].unit_price"
    assert str(p) == (
        "--set suppliers.BETA.offers[0].unit_price=-1: suppliers[BETA].offers[0].unit_price: "
        "Input should be greater than 0 (got -1)"
    )


def test_set_unknown_field_gets_a_hint(small_file):
    p = only(errors_of(small_file, ["run.replicatons=5"]))
    assert p.file == "--set run.replicatons=5"
    assert p.message == "unknown field 'replicatons'; did you mean 'replications'?"


def test_set_unknown_top_level_path_is_located_at_the_override(small_file):
    p = only(errors_of(small_file, ["foo.bar=1"]))
    assert (p.file, p.line, p.path) == ("--set foo.bar=1", 0, "foo")
    assert p.message == "unknown field 'foo'"


def test_set_through_a_value_is_an_error(small_file):
    p = only(errors_of(small_file, ["meta.name.first=x"]))
    assert p.file == "--set meta.name.first=x"
    assert p.message == "meta.name is a value, not a mapping or list"


def test_set_unknown_list_item(small_file):
    p = only(errors_of(small_file, ["parts.NOPE.revenue_per_unit=1"]))
    assert (p.file, p.line, p.column) == ("--set parts.NOPE.revenue_per_unit=1", 0, 0)
    assert p.message == "no item 'NOPE' in parts (ids: CELL, CASE)"
    assert str(p).startswith("--set parts.NOPE.revenue_per_unit=1: ")


def test_set_index_out_of_range(small_file):
    p = only(errors_of(small_file, ["suppliers[5].name=x"]))
    assert p.message == "no item '5' in suppliers (ids: ALPHA, BETA)"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("run.seed", "expected dotted.path=value"),
        ("=3", "cannot read the path ''"),
        ("run..seed]=3", "cannot read the path 'run..seed]'"),
    ],
)
def test_set_bad_syntax(small_file, override, message):
    p = only(errors_of(small_file, [override]))
    assert (p.file, p.line, p.column) == (f"--set {override}", 0, 0)
    assert p.message == message


def test_set_bad_yaml_value(small_file):
    p = only(errors_of(small_file, ["run.seed=[1"]))
    assert p.file == "--set run.seed=[1"
    assert p.message


def test_set_every_problem_reported_at_once(small_file):
    problems = errors_of(small_file, ["nokey", "parts.NOPE.x=1", "run.seed=3"])
    assert [p.file for p in problems] == ["--set nokey", "--set parts.NOPE.x=1"]


def test_set_and_file_errors_together(write_yaml):
    path = write_yaml(edit(SMALL_SCENARIO, "unit_price: 24", "unit_price: -24"))
    problems = errors_of(path, ["run.seed=-5"])
    assert [(p.file, p.path) for p in problems] == [
        (str(path), "suppliers[BETA].offers[0].unit_price"),
        ("--set run.seed=-5", "run.seed"),  # override problems come last
    ]


def test_set_names_a_contract_by_its_supplier():
    """Contracts have no id: --set finds them by the supplier they are with."""
    from tests.helpers import REPO

    ev = REPO / "scenarios" / "ev_battery.yaml"
    scenario = load_scenario(
        ev,
        [
            "contracts.HANSEI-CELL.relationship=transactional",
            "contracts.ELEKTRA-SYS.capacity_reservation=null",
        ],
    )
    by_supplier = {c.supplier: c for c in scenario.contracts}
    assert by_supplier["HANSEI-CELL"].relationship == "transactional"
    assert by_supplier["ELEKTRA-SYS"].capacity_reservation is None
    assert by_supplier["VOLTEX"].relationship == "strategic_partnership"  # untouched
    p = only(errors_of(ev, ["contracts.NOPE.relationship=preferred"]))
    assert p.message.startswith("no item 'NOPE' in contracts (ids: HANSEI-CELL, NORDCELL,")
