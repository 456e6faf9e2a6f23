"""The seed archive end to end: `invoke scrape --inbox ../shared/seeds build`, then a browser.

The command runs as a maintainer runs it (crawling nothing: `--sources none`,
tests never reach the network), with ARCHIVE_HOME pointing at a temporary
folder so the project's own content/ and output/ are left alone.  The built
site is checked with a parser (every internal link resolves, nothing is
loaded from another host) and in headless Chromium, which saves screenshots
of the main pages under test-output/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.browser import SCREENSHOTS, chromium, local_page, static_server, wait_until
from tests.conftest import SEEDS, needs_seeds, scrape_and_build
from tests.link_check import broken_links

pytestmark = needs_seeds


@pytest.fixture(scope="module")
def seed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ARCHIVE_HOME after `invoke scrape --sources none --inbox SEEDS build`."""
    home = tmp_path_factory.mktemp("seed-home")
    done = scrape_and_build(home, SEEDS)
    assert done.returncode == 0, done.stdout + done.stderr
    return home


@pytest.fixture(scope="module")
def seed_site(seed_home: Path) -> Path:
    return seed_home / "output"


@pytest.fixture(scope="module")
def site_browser(seed_site: Path) -> Iterator[tuple[object, str, list[str]]]:
    """A Chromium page on the served site; the third item lists requests to other hosts."""
    viewport = {"width": 1100, "height": 900}
    with (
        static_server(seed_site) as base,
        chromium() as browser,
        local_page(browser, base, viewport=viewport) as (page, elsewhere),
    ):
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))  # type: ignore[attr-defined]
        yield page, base, elsewhere
        assert not errors, errors


def test_the_command_imports_every_seed_and_builds_its_page(seed_home: Path) -> None:
    assert len(list((seed_home / "content" / "scraped").glob("*.md"))) == 5
    assert len(list((seed_home / "output" / "articles").glob("*.html"))) == 5
    assert (seed_home / "search_index").is_dir() and (seed_home / "archive" / "warc").is_dir()


def test_no_internal_link_is_broken(seed_site: Path) -> None:
    assert [str(b) for b in broken_links(seed_site)] == []


def test_the_link_check_finds_broken_links(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text('<p id="x">x</p>', encoding="utf-8")
    (tmp_path / "page.html").write_text(
        '<a href="a/">ok</a><a href="a/#x">ok</a><a href="a/#y">no id</a>'
        '<a href="missing.html">no file</a><a href="https://example.invalid/">other host</a>'
        '<img src="../../etc/passwd">',
        encoding="utf-8",
    )
    found = {(b.link, b.reason) for b in broken_links(tmp_path)}
    assert found == {
        ("a/#y", "no id 'y'"),
        ("missing.html", "no such file"),
        ("../../etc/passwd", "outside the site"),
    }


def test_pages_load_nothing_from_other_hosts(seed_site: Path) -> None:
    for page in seed_site.rglob("*.html"):
        soup = BeautifulSoup(page.read_bytes(), "lxml")
        for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src")):
            for element in soup.find_all(tag):
                value = str(element.get(attribute) or "")
                assert not value.startswith(("http:", "https:", "//")), (page, value)


def test_article_page_in_a_browser(
    site_browser: tuple[object, str, list[str]], seed_site: Path
) -> None:
    page, base, elsewhere = site_browser
    page_file = next(
        p
        for p in (seed_site / "articles").glob("*.html")
        if "夯实基层组织基石" in p.read_text("utf-8")
    )
    page.goto(f"{base}/articles/{page_file.name}")  # type: ignore[attr-defined]
    assert "夯实基层组织基石" in page.title()  # type: ignore[attr-defined]
    assert "两长四员一户" in page.inner_text("main")  # type: ignore[attr-defined]
    facts = page.inner_text(".facts")  # type: ignore[attr-defined]
    assert "存档时间" in facts and "年" in facts and "月" in facts
    # Evidence: marked in the text, and the listed sentence leads to its mark.
    marks = page.locator(".body mark.evidence")  # type: ignore[attr-defined]
    assert marks.count() >= 1
    link = page.locator(".practices .evidence a").first  # type: ignore[attr-defined]
    link.click()
    anchor = link.get_attribute("href").lstrip("#")
    assert page.evaluate("location.hash") == f"#{anchor}"  # type: ignore[attr-defined]
    assert page.evaluate(  # type: ignore[attr-defined]
        "(id) => document.getElementById(id).matches(':target')", anchor
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "article.png"), full_page=True)  # type: ignore[attr-defined]
    assert elsewhere == []


def test_the_archived_raw_page_opens_as_text(
    site_browser: tuple[object, str, list[str]], seed_site: Path
) -> None:
    page, base, _ = site_browser
    article = next((seed_site / "articles").glob("*.html"))
    page.goto(f"{base}/articles/{article.name}")  # type: ignore[attr-defined]
    with page.expect_navigation():  # type: ignore[attr-defined]
        page.click("text=网页源代码")  # type: ignore[attr-defined]
    assert page.url.endswith(".txt")  # type: ignore[attr-defined]
    shown = page.inner_text("body")  # type: ignore[attr-defined]
    assert len(shown) > 200 and any("\u4e00" <= ch <= "\u9fff" for ch in shown)


def test_home_practice_and_place_pages_by_navigation(
    site_browser: tuple[object, str, list[str]],
) -> None:
    page, base, elsewhere = site_browser
    page.goto(f"{base}/index.html")  # type: ignore[attr-defined]
    assert page.inner_text(".lead .count") == "5"  # type: ignore[attr-defined]
    assert page.locator("main svg").count() >= 1  # type: ignore[attr-defined]  # the charts
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home.png"), full_page=True)  # type: ignore[attr-defined]

    page.click(".site-nav >> text=实践")  # type: ignore[attr-defined]
    assert page.url.endswith("/practices/index.html")  # type: ignore[attr-defined]
    page.click("main >> text=软弱涣散整顿")  # type: ignore[attr-defined]
    assert page.url.endswith("/practices/rectification.html")  # type: ignore[attr-defined]
    assert "软弱涣散" in page.inner_text(".definition")  # type: ignore[attr-defined]
    assert page.locator("main svg").count() >= 1  # type: ignore[attr-defined]
    listed = page.locator(".article-list li").count()  # type: ignore[attr-defined]
    assert listed == int(page.inner_text(".lead .count"))  # type: ignore[attr-defined]
    page.screenshot(path=str(SCREENSHOTS / "practice.png"), full_page=True)  # type: ignore[attr-defined]

    page.click(".site-nav >> text=地区")  # type: ignore[attr-defined]
    page.click("main >> text=红安县")  # type: ignore[attr-defined]
    assert "红安县" in page.inner_text("h1")  # type: ignore[attr-defined]
    page.click(".article-list a >> nth=0")  # type: ignore[attr-defined]
    assert "/articles/" in page.url and "红安县" in page.inner_text(".facts")  # type: ignore[attr-defined]
    assert elsewhere == []


def test_the_methods_page_shows_the_codebook_and_the_measured_figures(
    site_browser: tuple[object, str, list[str]],
) -> None:
    page, base, elsewhere = site_browser
    page.goto(f"{base}/index.html")  # type: ignore[attr-defined]
    page.click(".site-nav >> text=方法说明")  # type: ignore[attr-defined]
    assert page.url.endswith("/methods.html")  # type: ignore[attr-defined]
    assert page.inner_text("h1").startswith("方法说明")  # type: ignore[attr-defined]
    headings = page.locator("main h2").all_inner_texts()  # type: ignore[attr-defined]
    assert "二、四项实践" in headings and "五、标注质量" in headings
    assert page.locator("main h3").count() == 4  # type: ignore[attr-defined]  # one per practice
    rows = page.locator("table.quality tbody tr").all_inner_texts()  # type: ignore[attr-defined]
    assert len(rows) == 4 and "资格联审" in rows[0]
    assert "规则版本" in page.inner_text(".measured")  # type: ignore[attr-defined]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "methods.png"), full_page=True)  # type: ignore[attr-defined]
    assert elsewhere == []


def test_the_skip_link_and_search_box_work_from_the_keyboard(
    site_browser: tuple[object, str, list[str]],
) -> None:
    page, base, _ = site_browser
    page.goto(f"{base}/index.html")  # type: ignore[attr-defined]
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    assert page.evaluate("document.activeElement.className") == "skip"  # type: ignore[attr-defined]
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    assert page.evaluate("document.activeElement.id") == "site-q"  # type: ignore[attr-defined]
    page.keyboard.type("湾子夜话")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    wait_until(page, "document.getElementById('search-app').dataset.state === 'done'")
    assert page.locator(".result").count() >= 1  # type: ignore[attr-defined]


def test_the_corpus_downloads_from_its_page(site_browser: tuple[object, str, list[str]]) -> None:
    import csv
    import io
    import json

    page, base, _ = site_browser
    page.goto(f"{base}/downloads.html")  # type: ignore[attr-defined]
    with page.expect_download() as csv_download:  # type: ignore[attr-defined]
        page.click("text=archive.csv")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text("utf-8-sig"))))
    assert len(rows) == 5 and all(row["title"] and row["text"] for row in rows)
    with page.expect_download() as jsonl_download:  # type: ignore[attr-defined]
        page.click("text=archive.jsonl")  # type: ignore[attr-defined]
    lines = Path(jsonl_download.value.path()).read_text("utf-8").splitlines()
    assert [json.loads(line)["slug"] for line in lines] == [row["slug"] for row in rows]


def test_pages_fit_a_phone_and_print_without_the_chrome(
    site_browser: tuple[object, str, list[str]], seed_site: Path
) -> None:
    page, base, _ = site_browser
    article = next((seed_site / "articles").glob("2021-*.html")).relative_to(seed_site)
    pages = ["index.html", "practices/rectification.html", "places/index.html", "methods.html"]
    pages.append(str(article))
    browser = page.context.browser  # type: ignore[attr-defined]
    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    try:
        for path in pages:
            phone.goto(f"{base}/{path}")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 391, (path, width)  # nothing wider than the screen
        phone.screenshot(path=str(SCREENSHOTS / "article-phone.png"), full_page=False)
        phone.emulate_media(media="print")
        nav = phone.evaluate("getComputedStyle(document.querySelector('.site-nav')).display")
        assert nav == "none"
        assert phone.locator(".cite").is_visible()  # the citation is on paper
    finally:
        phone.close()
