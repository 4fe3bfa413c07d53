"""Exceptions raised by keiretsu.

Every user mistake is a :class:`KeiretsuError`; the CLI prints its problems one per
line and exits with status 2, never with a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located as precisely as we know.

    ``file`` is a path or a pseudo-source such as ``--set``; ``line`` and ``column``
    are 1-based (0 when unknown); ``path`` is the dotted field path, e.g.
    ``suppliers[CELLCO-A].offers[0].unit_price``.
    """

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"
        return _one_line(text)

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
        }


def _one_line(text: str) -> str:
    """``text`` with line breaks and other control characters escaped (``\\r``, ``\\x85``),
    so that one problem is always one line, whatever keys or ids a file holds."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class KeiretsuError(Exception):
    """Base class of every error keiretsu raises on purpose."""

    exit_code = 1


class InputError(KeiretsuError):
    """Bad user input: one or more located problems. Exit status 2."""

    exit_code = 2

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem("", 0, 0, "", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ScenarioError(InputError):
    """A scenario or plan file (or an override) is not valid."""


class SolverError(KeiretsuError):
    """An optimization model could not be solved (status explained in the message).

    ``status`` is the solver's raw status; ``outcome`` the same in words ("infeasible",
    "unbounded", "no solution", ...; see :mod:`keiretsu.optimize.solve`); ``diagnosis``
    one line per conflicting requirement, in the user's terms, when the model was
    explained (an infeasible allocation names its parts, suppliers and years); these
    lines also follow the first line of the message. ``lp_path``: where the model was
    written for inspection, if it was.
    """

    def __init__(
        self,
        message: str,
        status: object = None,
        *,
        outcome: str = "",
        diagnosis: list[str] | None = None,
        lp_path: str | None = None,
    ):
        self.diagnosis: list[str] = list(diagnosis or [])
        text = message + "".join(f"\n  {_one_line(line)}" for line in self.diagnosis)
        super().__init__(text)
        self.status = status
        self.outcome = outcome
        self.lp_path = lp_path
