"""Shared fixtures: a small valid scenario on disk, a YAML writer, an in-process CLI and
small real run directories of every kind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from keiretsu.cli import main
from tests.helpers import SCENARIOS, SMALL_SCENARIO, TRICKY_NAME


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


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Run directories made once per session through the CLI, by kind: ``simulate``
    (two_supplier, 3 replications, named :data:`~tests.helpers.TRICKY_NAME`), ``drill``
    (ev_battery BMS-fire-8w, 2 replications), ``sweep`` (two_supplier suppliers, 3),
    ``compare`` (ev_battery's plan and its bundled plans, 3), ``optimize`` (ev_battery,
    risk model over 8 scenarios, closed loop of 3 replications) and ``frontier``
    (ev_battery, 3 points, 6 scenarios, 2 replications), ``segment`` (ev_battery) and
    ``contracts`` (ev_battery CELL-NMC, supplier cost 34, salvage 20, 8 weeks). Treat them
    as read-only (copy one to change it)."""
    base = tmp_path_factory.mktemp("runs")
    two = str(SCENARIOS / "two_supplier.yaml")
    commands = {
        "simulate": [
            "simulate",
            two,
            "-n",
            "3",
            "--seed",
            "5",
            "--set",
            f"meta.name={TRICKY_NAME}",
        ],
        "drill": ["drill", str(SCENARIOS / "ev_battery.yaml"), "--event", "BMS-fire-8w", "-n", "2"],
        "sweep": ["drill", two, "--sweep", "suppliers", "--weeks", "6", "-n", "3"],
        "compare": [
            "compare",
            str(SCENARIOS / "ev_battery.yaml"),
            *(
                a
                for plan in sorted((SCENARIOS / "plans" / "ev_battery").glob("*.yaml"))
                for a in ("--plan", str(plan))
            ),
            "-n",
            "3",
        ],
        "optimize": [
            "optimize",
            str(SCENARIOS / "ev_battery.yaml"),
            "--risk",
            "--scenarios",
            "8",
            "-n",
            "3",
        ],
        "frontier": [
            "frontier",
            str(SCENARIOS / "ev_battery.yaml"),
            "--points",
            "3",
            "--scenarios",
            "6",
            "-n",
            "2",
        ],
        "segment": ["segment", str(SCENARIOS / "ev_battery.yaml")],
        "contracts": [
            "contracts",
            str(SCENARIOS / "ev_battery.yaml"),
            *("--part", "CELL-NMC", "--supplier-cost", "34", "--salvage", "20"),
            *("--season-periods", "8"),
        ],
    }
    for kind, args in commands.items():
        result = CliRunner().invoke(
            main, [*args, "--out", str(base / kind)], catch_exceptions=False
        )
        assert result.exit_code == 0, result.stderr
    return {kind: base / kind for kind in commands}
