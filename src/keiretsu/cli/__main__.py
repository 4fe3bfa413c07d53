"""``python -m keiretsu.cli``."""

from keiretsu.cli import main

main()
