"""The ``keiretsu`` command line: parse, call the library, write outputs. No model logic.

Conventions for every command: ``--help``; ``--json`` puts JSON alone on stdout (tables
and progress go to stderr); exit 0 on success, 2 on bad input with one line per problem
(``FILE:LINE:COL: field.path: message``), never a traceback for a user mistake.
Heavy imports are done inside commands so ``keiretsu --help`` answers fast.
"""

# importing the command modules registers their commands on ``main``
from keiretsu.cli import (  # noqa: F401
    drills,
    finance,
    optimizer,
    reporting,
    runs,
    scenarios,
    strategy,
)
from keiretsu.cli.common import KEEP_LEVELS, main

__all__ = ["KEEP_LEVELS", "main"]
