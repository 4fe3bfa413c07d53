"""The bundled scenarios (``scenarios/`` in the repository) used as ``keiretsu init`` templates.

In an installed wheel they live in ``keiretsu/bundled_scenarios`` (copied at build time);
in a source checkout they are read from the repository's ``scenarios/`` folder.
"""

from __future__ import annotations

import re
from pathlib import Path

DEFAULT_TEMPLATE = "two_supplier"
SCHEMA_MODELINE = re.compile(r"^# yaml-language-server: \$schema=.*$", re.MULTILINE)


def bundled_dir() -> Path:
    """Folder holding the bundled scenario files."""
    installed = Path(__file__).resolve().parent.parent / "bundled_scenarios"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[3] / "scenarios"


def template_names() -> list[str]:
    """Names accepted by ``keiretsu init --template``."""
    return sorted(p.stem for p in bundled_dir().glob("*.yaml"))


def template_text(name: str, schema_ref: str) -> str:
    """The template's text with its editor modeline pointing at ``schema_ref``."""
    text = (bundled_dir() / f"{name}.yaml").read_text(encoding="utf-8")
    return SCHEMA_MODELINE.sub(f"# yaml-language-server: $schema={schema_ref}", text, count=1)
