"""Run the shell sessions written in Markdown pages (README, tutorial) as a user would.

A *session block* is a fenced code block with lines starting ``$ ``: each such line is a
command (a trailing backslash continues it on the next line), the lines after it until
the next command are what it printed. Markers, written as HTML comments on the line
before the fence (invisible once rendered):

* ``<!-- output: exact -->``: the printed lines must equal what the command prints
  (stdout and stderr together, trailing spaces ignored);
* ``<!-- file: PATH -->`` before any fenced block: the reader is asked to create PATH
  with the block's text; the runner writes it;
* ``<!-- skip -->``: the block is not run (say why in the text around it).

A command that should fail says so in a trailing comment, ``# exit status 2``; every
other command must exit 0. Commands run with bash in one working directory per page,
in order, with the environment's ``bin`` folder (where ``keiretsu`` is installed) first
on ``PATH`` and ``COLUMNS=100``. Replication counts (``-n N``) are capped at
:data:`DOCS_REPLICATIONS` (environment variable ``KEIRETSU_DOCS_REPLICATIONS``; 0 runs
them as written) and worker counts (``-j N``) at 1 (results do not depend on it; worker
start-up would dominate so small a run), so ``make test`` stays quick; a capped
command's output is then not compared, nor that of a later command naming the run
directory (``--out DIR``) a capped command wrote.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DOCS_REPLICATIONS = int(os.environ.get("KEIRETSU_DOCS_REPLICATIONS", "5"))
"""Replication cap applied to ``-n``/``--replications`` in documented commands (0: none)."""

WIDTH = 100
"""Terminal width the documented output was captured at."""

_MARKER = re.compile(r"^<!--\s*(output: exact|file:\s*(?P<file>\S+)|skip)\s*-->\s*$")
_FENCE = re.compile(r"^(```+|~~~+)")
_EXIT = re.compile(r"\s+#\s*exit status (\d+)\s*$")
_REPLICATIONS = re.compile(r"(?<=\s)(-n|--replications)(\s+|=)(\d+)\b")
_WORKERS = re.compile(r"(?<=\s)(-j|--workers)(\s+|=)(\d+)\b")
_OUT = re.compile(r"--out(?:\s+|=)(\S+)")


@dataclass(frozen=True)
class Command:
    """One ``$`` command of a page and what the page says it prints."""

    line: int  # 1-based line of the ``$`` in the page
    text: str  # the command, continuation lines joined, exit comment removed
    printed: tuple[str, ...]
    exit_status: int
    exact: bool


@dataclass(frozen=True)
class File:
    """A file the reader is asked to create."""

    line: int
    path: str
    text: str


def blocks(markdown: str) -> list[tuple[int, str | None, list[str]]]:
    """Fenced blocks as (line of the fence, marker or None, lines)."""
    lines = markdown.splitlines()
    found, i = [], 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        marker = None
        if i > 0:
            m = _MARKER.match(lines[i - 1].strip())
            marker = m.group(0) if m else None
        body, j = [], i + 1
        while j < len(lines) and not lines[j].startswith(fence.group(1)):
            body.append(lines[j])
            j += 1
        found.append((i + 1, marker, body))
        i = j + 1
    return found


def extract(markdown: str) -> list[Command | File]:
    """The commands to run and the files to write, in page order."""
    steps: list[Command | File] = []
    for fence_line, marker, body in blocks(markdown):
        if marker and "skip" in marker:
            continue
        if marker and marker.startswith("<!-- file:"):
            path = _MARKER.match(marker).group("file")
            steps.append(File(fence_line, path, "\n".join(body) + "\n"))
            continue
        if not any(line.startswith("$ ") for line in body):
            continue
        exact = bool(marker and "output: exact" in marker)
        current: list[str] | None = None
        start, printed = 0, []
        k = 0
        while k < len(body):
            line = body[k]
            if line.startswith("$ "):
                if current is not None:
                    steps.append(_command(start, current, printed, exact))
                start, current, printed = fence_line + 1 + k, [line[2:]], []
                while current[-1].rstrip().endswith("\\") and k + 1 < len(body):
                    k += 1
                    current.append(body[k])
            elif current is not None:
                printed.append(line)
            k += 1
        if current is not None:
            steps.append(_command(start, current, printed, exact))
    return steps


def _command(line: int, parts: list[str], printed: list[str], exact: bool) -> Command:
    text = " ".join(p.rstrip().removesuffix("\\").strip() for p in parts)
    status = 0
    if m := _EXIT.search(text):
        status, text = int(m.group(1)), text[: m.start()]
    return Command(line, text, tuple(printed), status, exact)


def capped(text: str, cap: int = DOCS_REPLICATIONS) -> str:
    """``text`` with every replication count above ``cap`` lowered to it and worker
    counts to 1 (``cap`` 0: unchanged)."""
    if cap <= 0:
        return text

    def lower(m: re.Match, to: int) -> str:
        return f"{m.group(1)}{m.group(2)}{min(int(m.group(3)), to)}"

    text = _REPLICATIONS.sub(lambda m: lower(m, cap), text)
    return _WORKERS.sub(lambda m: lower(m, 1), text)


def environment() -> dict[str, str]:
    """The process environment with keiretsu's bin folder first on PATH and a fixed width."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["COLUMNS"] = str(WIDTH)
    env.pop("FORCE_COLOR", None)
    env["NO_COLOR"] = "1"
    return env


def normalised(lines: list[str] | tuple[str, ...]) -> list[str]:
    out = [line.rstrip() for line in lines]
    while out and not out[0]:
        out.pop(0)
    while out and not out[-1]:
        out.pop()
    return out


def run(steps: list[Command | File], cwd: Path, page: str, timeout: float = 600) -> list[str]:
    """Run ``steps`` in ``cwd``; returns one line per step run (for the test log).

    Raises AssertionError naming the page and line of the first step that fails: a
    wrong exit status, or printed lines that differ from the page's (exact blocks).
    """
    log, env = [], environment()
    shrunk: set[str] = set()  # run directories written by capped commands
    for step in steps:
        if isinstance(step, File):
            target = cwd / step.path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(step.text, encoding="utf-8")
            log.append(f"{page}:{step.line}: wrote {step.path}")
            continue
        command = capped(step.text)
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
        where = f"{page}:{step.line}: $ {command}"
        assert done.returncode == step.exit_status, (
            f"{where}\nexit status {done.returncode}, the page says {step.exit_status}; "
            f"it printed:\n{done.stdout}"
        )
        if command != step.text:
            shrunk.update(_OUT.findall(command))
        depends = any(re.search(rf"(?<![\w/.-]){re.escape(d)}(?![\w.-])", command) for d in shrunk)
        if step.exact and command == step.text and not depends:
            got, want = normalised(done.stdout.splitlines()), normalised(step.printed)
            assert got == want, (
                f"{where}\nprints something else than the page shows (update the page: "
                "python -m tests.docs.refresh PAGE):\n"
                + "\n".join(f"  page: {w!r}\n   got: {g!r}" for w, g in _differences(want, got))
            )
        log.append(f"{where} -> exit {done.returncode}")
    return log


def _differences(want: list[str], got: list[str]) -> list[tuple[str, str]]:
    n = max(len(want), len(got))
    pairs = [
        (want[i] if i < len(want) else "<nothing>", got[i] if i < len(got) else "<nothing>")
        for i in range(n)
    ]
    return [(w, g) for w, g in pairs if w != g][:5]
