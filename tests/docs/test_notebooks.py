"""The committed notebooks: without outputs, one parameter cell, calling the package only.

``make test`` executes them (``pytest --nbmake notebooks``) with a few replications set
through ``KEIRETSU_NOTEBOOK_REPLICATIONS``, which every notebook that simulates reads in
its parameter cell; these tests check what makes that possible.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from tests.helpers import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
REQUIRED = ("01_strategy_comparison", "02_disruption_drill", "03_co_investment_payback")
ENGINES = ("simpy", "pulp", "scipy", "numpy", "matplotlib", "highspy")
"""Libraries a notebook must reach through keiretsu, never directly (no model logic in cells)."""


def test_the_studies_are_there():
    assert [p.stem for p in NOTEBOOKS if p.stem in REQUIRED] == list(REQUIRED)


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_committed_without_outputs(notebook):
    nbformat.validate(notebook)
    for i, cell in enumerate(code_cells(notebook)):
        assert not cell.get("outputs"), f"code cell {i} has outputs: clear them before committing"
        assert cell.get("execution_count") is None, f"code cell {i} has an execution count"


def test_one_parameter_cell_holds_the_replication_count(notebook):
    cells = code_cells(notebook)
    tagged = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one code cell tagged 'parameters'"
    assigned = [c for c in cells if re.search(r"^REPLICATIONS\s*=", c.source, re.M)]
    if assigned or any("REPLICATIONS" in c.source for c in cells):
        assert assigned == tagged, "REPLICATIONS is set in the parameter cell and only there"
        assert "KEIRETSU_NOTEBOOK_REPLICATIONS" in tagged[0].source


def test_calls_the_package_only(notebook):
    for i, cell in enumerate(code_cells(notebook)):
        for module in ENGINES:
            pattern = rf"^\s*(import {module}\b|from {module}\b)"
            assert not re.search(pattern, cell.source, re.M), f"cell {i} imports {module}"
    assert any("from keiretsu" in c.source for c in code_cells(notebook))
