"""Shared fixtures: a small valid scenario on disk, a YAML writer and an in-process CLI."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keiretsu.cli import main
from tests.helpers import SMALL_SCENARIO


@pytest.fixture
def small_text() -> str:
    return SMALL_SCENARIO


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """``write_yaml(text, name="scenario.yaml")`` writes ``text`` under ``tmp_path``."""

    def write(text: str, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def small_file(write_yaml: Callable[..., Path]) -> Path:
    return write_yaml(SMALL_SCENARIO)


@pytest.fixture
def cli() -> Callable[..., Result]:
    """``cli(*args)`` runs the keiretsu CLI in-process; exceptions propagate."""
    runner = CliRunner()

    def invoke(*args: str | Path) -> Result:
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke
