"""The seed archive end to end: `invoke scrape --inbox ../shared/seeds build`, then a browser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import SCREENSHOTS, chromium, static_server
from tests.conftest import ROOT, SEEDS, needs_seeds


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds imported through the inbox and built by Pelican into a temporary output."""
    from scraper.crawl import Workspace
    from scraper.run import scrape

    work = tmp_path_factory.mktemp("seed-site")
    content = work / "content"
    scrape(
        sources=None,
        inbox=SEEDS,
        workspace=Workspace(content_dir=content / "scraped", archive_dir=work / "archive"),
        show_progress=False,
    )
    output = work / "output"
    subprocess.run(
        [sys.executable, "-m", "pelican", str(content), "-o", str(output), "-s", "pelicanconf.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return output


@needs_seeds
def test_every_seed_becomes_a_page(seed_site: Path) -> None:
    pages = sorted((seed_site / "articles").glob("*.html"))
    assert len(pages) == 5


@needs_seeds
def test_article_page_shows_chinese_title_and_text_in_a_browser(seed_site: Path) -> None:
    page_file = next(
        p
        for p in (seed_site / "articles").glob("*.html")
        if "崇阳县全力推进" in p.read_text("utf-8")
    )
    with static_server(seed_site) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/articles/{page_file.name}")
        assert "崇阳县全力推进基层党组织建设纪实" in page.title()
        assert "湾子夜话" in page.inner_text("body")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "seed-article.png"), full_page=False)
