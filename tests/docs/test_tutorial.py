"""docs/tutorial.md, followed as a newcomer would: in a fresh folder laid out like a
clone, every command in order, every file it asks for written as shown, every command
exiting as the page says, and the output of the uncapped exact blocks as printed.

Replication counts are capped (``tests/docs/shell.py``); ``KEIRETSU_DOCS_REPLICATIONS=0``
runs the tutorial exactly as written (about a minute) and then also compares the pasted
simulation, comparison and report output.
"""

from __future__ import annotations

from tests.docs.shell import Command, File, extract, run
from tests.helpers import REPO

TUTORIAL = REPO / "docs" / "tutorial.md"


def steps():
    return extract(TUTORIAL.read_text(encoding="utf-8"))


def test_tutorial_goes_from_init_to_a_compare_and_a_report():
    commands = [s.text for s in steps() if isinstance(s, Command)]
    assert commands[0].startswith("keiretsu init ")
    order = [
        next(i for i, c in enumerate(commands) if c.startswith(f"keiretsu {word}"))
        for word in ("init", "validate", "simulate", "compare", "report")
    ]
    assert order == sorted(order)
    assert any(isinstance(s, File) for s in steps()), "the reader writes a plan file"


def test_tutorial_runs_as_written(workspace):
    run(steps(), workspace, "docs/tutorial.md")
    assert (workspace / "runs" / "outages-compare" / "report.html").is_file()
    assert (workspace / "runs" / "outages-compare" / "report.xlsx").is_file()
