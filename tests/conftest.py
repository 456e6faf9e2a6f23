"""Shared test fixtures: where the shared development data lives, and how to run the CLI.

The seeds and the saved real pages sit in the sibling folder `shared/`, outside
the repository; tests that need them are skipped (not failed) where it is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
EXPECTED = SEEDS / "expected.json"
PAGES = SHARED / "pages" / "articles"

needs_seeds = pytest.mark.skipif(not EXPECTED.is_file(), reason=f"no seeds at {SEEDS}")
needs_pages = pytest.mark.skipif(not PAGES.is_dir(), reason=f"no saved pages at {PAGES}")


def expected_seeds() -> dict[str, dict]:
    """expected.json without its `_about` note ({} when shared/ is missing)."""
    if not EXPECTED.is_file():
        return {}
    data = json.loads(EXPECTED.read_text(encoding="utf-8"))
    return {name: want for name, want in data.items() if not name.startswith("_")}


def scrape_and_build(home: Path, inbox: Path) -> subprocess.CompletedProcess[str]:
    """`invoke scrape --sources none --inbox INBOX build` as a maintainer runs it, in ARCHIVE_HOME
    `home` (crawling nothing, leaving the project's own content/ and output/ alone)."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", "scrape", "--sources", "none", "--inbox", str(inbox),
         "build"],
        cwd=ROOT, env={**os.environ, "ARCHIVE_HOME": str(home)},
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m scraper ARGS…` from the project root, with this interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def seeds() -> dict[str, dict]:
    found = expected_seeds()
    if not found:
        pytest.skip(f"no seeds at {SEEDS}")
    return found
