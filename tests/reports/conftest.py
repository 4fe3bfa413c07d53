"""Fixtures of the report tests (the run directories themselves are in tests/conftest.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest


@pytest.fixture
def unknown_kind(runs: dict[str, Path], tmp_path: Path) -> Path:
    """A copy of the sweep run presented as a kind no layout knows (a future command)."""
    out = tmp_path / "future"
    shutil.copytree(runs["sweep"], out)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.update(kind="future-study", command="future-study")
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out
