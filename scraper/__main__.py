"""`python -m scraper …`: the command-line entry point."""

import sys

from scraper.cli import main

sys.exit(main())
