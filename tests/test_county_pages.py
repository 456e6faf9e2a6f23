"""The pipeline on fake county pages: our own CMS-style templates filled with seed text.

Each page in county_site.PAGES wraps a seed article in the chrome of an old
county site (table layout, menus, breadcrumbs, info line, share bar,
prev/next, footers, hidden spam) and sends it in the charset old sites use,
sometimes declaring the wrong one.  The article must come out whole and
alone: right title, date and author, every paragraph in order, captions as
captions, nothing of the chrome, simplified script.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import needs_seeds, run_cli
from county_site import (
    CHROME,
    MENU_LABELS,
    PAGES,
    SPAM_WORDS,
    CountyPage,
    fold,
    load_seed,
    page_bytes,
    to_simplified,
    write_page,
)

from scraper.models import Article, RawPage
from scraper.pipeline import extract_article

pytestmark = needs_seeds
PAGE_IDS = [page.id for page in PAGES]
_EXTRACTED: dict[str, Article] = {}


def extracted(page: CountyPage) -> Article:
    """The pipeline's article for `page` (each page extracted once per session)."""
    if page.id not in _EXTRACTED:
        raw = RawPage(location=f"{page.id}.html", content=page_bytes(page))
        _EXTRACTED[page.id] = extract_article(raw)
    return _EXTRACTED[page.id]


def squash(text: str) -> str:
    """Folded, without whitespace and Markdown escapes: for finding paragraphs in a body."""
    return re.sub(r"\s+", "", fold(text)).replace("\\", "")


def body_lines(article: Article) -> list[str]:
    return [line.strip() for line in article.body.split("\n") if line.strip()]


def running_text(article: Article) -> list[str]:
    """Body paragraphs and subheadings, folded; captions left out."""
    lines = [line for line in body_lines(article) if not line.startswith("*")]
    return [fold(line.removeprefix("## ")).replace("\\", "") for line in lines]


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_title(page: CountyPage) -> None:
    assert fold(extracted(page).title) == fold(page.article_title())


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_date(page: CountyPage) -> None:
    assert (extracted(page).date or "").startswith(page.date_iso)


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_author(page: CountyPage) -> None:
    assert extracted(page).author == page.author


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_source(page: CountyPage) -> None:
    assert extracted(page).source == page.source


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_site(page: CountyPage) -> None:
    assert extracted(page).site == page.site


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_body_starts_and_ends_with_the_seed(page: CountyPage) -> None:
    want = load_seed(page.seed).expected
    text = running_text(extracted(page))
    assert text, "empty body"
    assert text[0].startswith(fold(want["body_starts_with"])), text[0][:60]
    assert text[-1].endswith(fold(want["body_ends_with"])), text[-1][-60:]


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_every_seed_paragraph_in_order(page: CountyPage) -> None:
    body = squash(extracted(page).body)
    position = 0
    for paragraph in load_seed(page.seed).simplified_paragraphs():
        found = body.find(squash(paragraph), position)
        assert found >= 0, f"missing or out of order: {paragraph[:40]}…"
        position = found + len(squash(paragraph))


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_no_chrome_menus_or_spam(page: CountyPage) -> None:
    article = extracted(page)
    whole = fold(f"{article.title}\n{article.body}")
    own_text = "\n".join(load_seed(page.seed).simplified_paragraphs())
    unwanted = [s for s in (*CHROME, *MENU_LABELS, *SPAM_WORDS) if fold(s) not in own_text]
    left = [s for s in unwanted if fold(s) in whole]
    assert not left, f"chrome left in the article: {left}"


@pytest.mark.parametrize("page", PAGES, ids=PAGE_IDS)
def test_caption_kept_as_caption(page: CountyPage) -> None:
    core = fold(page.caption.removeprefix("图为"))
    captions = [line for line in body_lines(extracted(page)) if line.startswith("*")]
    assert any(line.endswith("*") and core in fold(line) for line in captions), (
        f"{core!r} not among captions {captions}"
    )
    assert core not in "\n".join(running_text(extracted(page)))


@pytest.mark.parametrize(
    "page", [p for p in PAGES if load_seed(p.seed).traditional], ids=lambda p: p.id
)
def test_traditional_page_comes_out_simplified(page: CountyPage) -> None:
    article = extracted(page)
    for text in (article.title or "", article.body, article.author or ""):
        assert to_simplified(text) == text


@pytest.mark.parametrize("page", [p for p in PAGES if "declares" in p.id], ids=lambda p: p.id)
def test_wrong_declared_charset_is_reported(page: CountyPage) -> None:
    assert any("charset" in w for w in extracted(page).warnings)


def test_cli_json_on_all_pages_matches_pipeline(tmp_path) -> None:
    paths = [write_page(page, tmp_path) for page in PAGES]
    run = run_cli("extract", *map(str, paths), "--json")
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == len(PAGES)
    for page, line in zip(PAGES, lines, strict=True):
        got = json.loads(line)
        want = extracted(page).to_dict()
        assert got == want, page.id


def test_fixtures_carry_the_chrome_they_test() -> None:
    """Guard against vacuous chrome tests: every unwanted string is on some page, spam on all."""
    rendered = {
        page.id: fold(to_simplified(page_bytes(page).decode(page.encoding))) for page in PAGES
    }
    everywhere = "\n".join(rendered.values())
    assert [s for s in (*CHROME, *MENU_LABELS) if fold(s) not in everywhere] == []
    for text in rendered.values():
        assert all(word in text for word in SPAM_WORDS)
        assert all(s in text for s in ("上一篇", "下一篇", "ICP", "公网安备", "版权", "位置"))
