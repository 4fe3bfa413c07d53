"""``python -m keiretsu.docs [FOLDER]``: write the generated references (default: docs/reference)."""

from __future__ import annotations

import sys

from keiretsu.docs.reference import write_references


def main(argv: list[str]) -> int:
    folder = argv[0] if argv else "docs/reference"
    for path in write_references(folder):
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
