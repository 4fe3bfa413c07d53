"""A workspace laid out like a fresh clone, for running documented commands."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import REPO

COPIED = ("scenarios", "schemas", "docs/examples")
"""What of the repository a documented command may read (a fresh clone has them)."""


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A temporary folder holding copies of :data:`COPIED` at their repository paths."""
    for folder in COPIED:
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path
