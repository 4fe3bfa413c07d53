"""Refresh the printed output of a page's exact blocks: ``python -m tests.docs.refresh PAGE...``.

Runs every step of each page as written (no replication cap) in a fresh workspace laid
out like a clone (:data:`tests.docs.conftest.COPIED`), exactly as ``test_readme`` and
``test_tutorial`` do with ``KEIRETSU_DOCS_REPLICATIONS=0``, and writes what each command
of a ``<!-- output: exact -->`` block prints back under it. Read the diff before
committing: it is the page a reader will see.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.docs.conftest import COPIED
from tests.docs.shell import File, environment, extract, normalised
from tests.helpers import REPO


def refresh(page: Path) -> int:
    """Rewrite ``page``'s exact outputs; returns how many blocks changed."""
    text = page.read_text(encoding="utf-8")
    lines = text.splitlines()
    steps = extract(text)
    outputs: dict[int, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        for folder in COPIED:
            shutil.copytree(REPO / folder, cwd / folder)
        for step in steps:
            if isinstance(step, File):
                target = cwd / step.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(step.text, encoding="utf-8")
                continue
            done = subprocess.run(
                ["bash", "-c", step.text],
                cwd=cwd,
                env=environment(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                check=False,
            )
            if done.returncode != step.exit_status:
                raise SystemExit(
                    f"{page}:{step.line}: $ {step.text}\nexit {done.returncode}, the page says "
                    f"{step.exit_status}:\n{done.stdout}"
                )
            if step.exact:
                outputs[step.line] = normalised(done.stdout.splitlines())
            print(f"{page.name}:{step.line}: $ {step.text[:70]}", file=sys.stderr)
    changed = 0
    for line in sorted(outputs, reverse=True):  # bottom up: earlier line numbers hold
        start = line  # index of the line after the command's first line
        while lines[start - 1].rstrip().endswith("\\"):
            start += 1
        end = start
        while end < len(lines) and not lines[end].startswith(("$ ", "```", "~~~")):
            end += 1
        if [s.rstrip() for s in lines[start:end]] != outputs[line]:
            lines[start:end] = outputs[line]
            changed += 1
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changed


def main(argv: list[str]) -> None:
    for name in argv or ["README.md", "docs/tutorial.md"]:
        page = REPO / name
        print(f"{name}: {refresh(page)} output block(s) refreshed", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
