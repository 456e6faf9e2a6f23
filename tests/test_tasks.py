"""tasks.py keeps Pelican's usual invoke tasks beside the archive's own."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_invoke_lists_pelicans_tasks_and_the_archives() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "invoke", "--list"], cwd=ROOT, capture_output=True, text=True,
        check=True,
    ).stdout  # fmt: skip
    names = {line.split()[0] for line in listed.splitlines()[1:] if line.strip()}
    pelican = {"build", "rebuild", "serve", "livereload", "publish", "clean"}
    archive = {"scrape", "reextract", "retag", "search"}
    assert pelican | archive <= names, names
