"""tasks.py keeps Pelican's usual invoke tasks beside the archive's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_clean_removes_the_built_site_and_the_build_cache_not_the_content(tmp_path: Path) -> None:
    for folder in ("output", "cache", "content"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "kept.txt").write_text("x", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "invoke", "clean"], cwd=ROOT, check=True, capture_output=True,
        env={**os.environ, "ARCHIVE_HOME": str(tmp_path)},
    )  # fmt: skip
    assert not (tmp_path / "output").exists() and not (tmp_path / "cache").exists()
    assert (tmp_path / "content" / "kept.txt").exists()
