"""Generated documentation: the CLI and scenario-file references under ``docs/reference/``.

Both pages are written from the code, so they cannot drift: :func:`cli_reference` walks
the Click command tree of :mod:`keiretsu.cli` (every command and sub-command, its help,
arguments and options with their types and defaults), :func:`scenario_reference` walks
the JSON Schema of scenario and plan files (every section and field with its type,
default, constraints and docstring; tagged unions listed per variant). A new command or
a new field appears at the next ``make docs`` (``python -m keiretsu.docs``), and
``tests/docs/test_reference.py`` fails until it is run.

This package sits above ``cli`` in the import layers (it introspects the CLI); nothing
in keiretsu imports it.
"""

from keiretsu.docs.reference import (
    REFERENCES,
    cli_reference,
    render_references,
    scenario_reference,
    write_references,
)

__all__ = [
    "REFERENCES",
    "cli_reference",
    "render_references",
    "scenario_reference",
    "write_references",
]
