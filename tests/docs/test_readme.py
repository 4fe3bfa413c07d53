"""README.md's tour runs as written: every ``$ keiretsu ...`` command exits as the page
says, and the blocks marked ``<!-- output: exact -->`` print exactly what the page shows.

Replication counts are capped (``tests/docs/shell.py``); set
``KEIRETSU_DOCS_REPLICATIONS=0`` to run the tour exactly as written (about 3 minutes).
``python -m tests.docs.refresh README.md`` rewrites the exact outputs from such a run.
"""

from __future__ import annotations

from tests.docs.shell import Command, extract, run
from tests.helpers import REPO

README = REPO / "README.md"


def steps():
    return extract(README.read_text(encoding="utf-8"))


def test_readme_tour_has_the_main_commands():
    commands = [s.text.split()[1] for s in steps() if isinstance(s, Command)]
    for command in ("init", "validate", "simulate", "drill", "compare", "report"):
        assert command in commands, f"the README tour shows no `keiretsu {command}`"
    assert any(s.exact for s in steps() if isinstance(s, Command)), "some output is checked"


def test_readme_commands_run_as_written(workspace):
    run(steps(), workspace, "README.md")
    assert (workspace / "runs" / "ev-compare" / "report.html").is_file()
