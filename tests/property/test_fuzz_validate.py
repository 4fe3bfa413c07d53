"""Fuzzing ``keiretsu validate``: random and mutated scenarios never crash it.

Starting from the valid bundled ``two_supplier`` scenario, Hypothesis deletes keys,
replaces values with junk (text, negative and huge numbers, None, lists, nested
mappings), inserts unknown keys, truncates the YAML text, splices random characters
into it, or writes random documents. Whatever comes out, ``validate`` must exit 0 or 2;
on 2 it must say why on stderr, one located line per problem; no traceback, ever.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from keiretsu.cli import main
from tests.helpers import SCENARIOS

BASE_TEXT = (SCENARIOS / "two_supplier.yaml").read_text(encoding="utf-8")
BASE = yaml.safe_load(BASE_TEXT)

FUZZ = settings(
    max_examples=int(os.environ.get("KEIRETSU_FUZZ_EXAMPLES", "200")),  # more for a deep run
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# ----------------------------------------------------------------------------- strategies

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.integers(min_value=-(10**30), max_value=-1),
    st.integers(min_value=10**18, max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", "HOUSING", "CHEAPCO", "ASIA", "normal", "poisson", "s_S", "week", "-1"]),
    st.dates().map(dt.date.isoformat),
)
junk = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=10), st.integers(-5, 5)), inner, max_size=4),
    ),
    max_leaves=12,
)


def containers(doc: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every mapping and list in ``doc`` (the root included)."""
    found = []
    if isinstance(doc, dict | list):
        found.append(path)
        items = doc.items() if isinstance(doc, dict) else enumerate(doc)
        for key, value in items:
            found.extend(containers(value, (*path, key)))
    return found


def get(doc: Any, path: tuple) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def mutated_documents(draw) -> Any:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        parent = get(doc, draw(st.sampled_from(containers(doc))))
        if not parent:
            continue
        key = draw(
            st.sampled_from(list(parent) if isinstance(parent, dict) else range(len(parent)))
        )
        action = draw(st.sampled_from(["delete", "replace", "insert", "duplicate"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(junk)
        elif action == "insert" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = draw(junk)
        elif action == "insert":
            parent.insert(key, draw(junk))
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    return doc


def dump(doc: Any) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


@st.composite
def mangled_text(draw) -> str:
    text = draw(st.sampled_from([BASE_TEXT, dump(draw(mutated_documents()))]))
    action = draw(st.sampled_from(["truncate", "splice", "delete_span"]))
    at = draw(st.integers(min_value=0, max_value=len(text)))
    if action == "truncate":
        return text[:at]
    if action == "splice":
        alphabet = st.sampled_from([*":-[]{}&*!|>'\"#%@`,? \t\n\\", "<<", "---", "..."])
        chars = draw(
            st.one_of(
                st.text(min_size=1, max_size=5),
                st.lists(alphabet, min_size=1, max_size=5).map("".join),
            )
        )
        return text[:at] + chars + text[at:]
    end = draw(st.integers(min_value=at, max_value=min(len(text), at + 40)))
    return text[:at] + text[end:]


documents = st.one_of(
    mutated_documents().map(dump),
    mangled_text(),
    junk.map(dump),
)

# ----------------------------------------------------------------------------- the property


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "scenario.yaml"


def assert_validate_behaves(path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(path)], catch_exceptions=False)
    assert result.exit_code in (0, 2), result.output
    event(f"exit {result.exit_code}")
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.strip(), "exit 2 without a message"
        located = re.compile(rf"^{re.escape(str(path))}(:\d+:\d+)?: \S.*$")
        for line in result.stderr.splitlines():
            assert located.match(line), f"badly formed error line: {line!r}"


@FUZZ
@given(text=documents)
def test_validate_never_crashes(fuzz_file, text):
    fuzz_file.write_text(text, encoding="utf-8")
    assert_validate_behaves(fuzz_file)


@FUZZ
@given(data=st.binary(max_size=200), keep=st.integers(min_value=0, max_value=len(BASE_TEXT)))
def test_validate_never_crashes_on_bytes(fuzz_file, data, keep):
    fuzz_file.write_bytes(BASE_TEXT[:keep].encode() + data)
    assert_validate_behaves(fuzz_file)


def test_unmutated_base_is_valid(fuzz_file):
    """The starting point must be valid, or the mutations would prove nothing."""
    fuzz_file.write_text(dump(BASE), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(fuzz_file)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
