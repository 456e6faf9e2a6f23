"""A build killed at any point (SIGKILL) leaves nothing half-done that the next build keeps.

Two archive homes get the same articles (recombined at run time from the
seeds' sentences) and the same edits.  In one, every build runs to the end;
in the other, each build is killed after a different delay and then run
again.  After the re-run the two sites are the same file for file, and the
Whoosh index finds what the reference's finds: no half-written page,
export, index or cache survives into a finished build.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive_search import close_searchers, search
from bench.search_speed import make_archive
from tests.conftest import ROOT, needs_seeds
from tests.fixture_site import seed_sentences

pytestmark = needs_seeds

ARTICLES = 120
# The downloads page says when it was built.
BUILD_TIME_PAGES = {"downloads.html"}


def build(home: Path, kill_after: float | None = None) -> float:
    """`invoke build` in ARCHIVE_HOME `home`, SIGKILLed (with its workers) after `kill_after` s.

    Returns the seconds it ran, or -1 if it was killed.
    """
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "build"], cwd=ROOT, start_new_session=True,
        env={**os.environ, "ARCHIVE_HOME": str(home)},
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    if kill_after is None:
        _, errors = process.communicate(timeout=600)
        assert process.returncode == 0, errors[-3000:]
    else:
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return -1
    return time.monotonic() - started


# pelican-sitemap dates the listing pages with the time of the build.
LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")


def tree(output: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(output)): LASTMOD.sub(b"", p.read_bytes())
        for p in sorted(output.rglob("*"))
        if p.is_file() and str(p.relative_to(output)) not in BUILD_TIME_PAGES
    }


def edit(homes: list[Path], step: int) -> None:
    """The same change in every home: one article's text, one new article, one removed."""
    for home in homes:
        rng = random.Random(step)
        folder = home / "content" / "scraped"
        files = sorted(folder.glob("*.md"))
        changed = files[rng.randrange(len(files))]
        changed.write_text(changed.read_text("utf-8") + f"\n第{step}次修改的一句话。\n", "utf-8")
        files[rng.randrange(len(files))].unlink()
        new = folder / f"added-{step}.md"
        new.write_text(
            f"---\ntitle: 第{step}篇新增\ndate: 2025-0{step % 9 + 1}-01\nslug: added-{step}\n"
            f"tags: [rectification]\n---\n\n第{step}篇新增的整顿报道。\n",
            encoding="utf-8",
        )


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    reference, killed = tmp_path_factory.mktemp("reference"), tmp_path_factory.mktemp("killed")
    for home in (reference, killed):
        make_archive(home / "content" / "scraped", ARTICLES, seed_sentences(), random.Random(7))
    return reference, killed


def test_killed_builds_are_finished_by_the_next_one(homes: tuple[Path, Path]) -> None:
    reference, killed = homes
    # Killed a cold build, then rebuilds after edits, each at another point of
    # its run (the same build, finished, in the reference gives its length).
    fractions = [0.3, 0.15, 0.5, 0.85]
    kills = 0
    for step, fraction in enumerate(fractions):
        if step:
            edit([reference, killed], step)
        took = build(reference)
        kills += build(killed, kill_after=took * fraction) < 0
        build(killed)
        assert tree(killed / "output") == tree(reference / "output"), f"killed at {fraction}"
        for query in ("整顿", "村级集体经济", f"第{step}篇新增"):
            want = search(query, index_dir=reference / "search_index", limit=None, snippets=False)
            got = search(query, index_dir=killed / "search_index", limit=None, snippets=False)
            assert [h.slug for h in got.hits] == [h.slug for h in want.hits], (fraction, query)
        close_searchers()
    assert kills >= 3  # the builds were killed, not finished before the signal
