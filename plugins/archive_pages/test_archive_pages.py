"""The browsing pages (end-to-end Pelican builds of a tiny archive, and the helpers)."""

from __future__ import annotations

import functools
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from pelican import Pelican
from pelican.settings import read_settings

from scraper.taxonomy import load_taxonomy

from . import charts
from .archive_pages import newest_first, path_segment, place_parts

ROOT = Path(__file__).resolve().parents[2]

# Invented reports: (slug, front matter lines).  Two in January 2021 (one of
# them vetting), one each in March 2021 and July 2022, two undated.
ARTICLES = {
    "jan-a": """title: 红安县试行村干部人选联审
date: 2021-01-05T09:00:00+08:00
site: 甲县新闻网
province: 湖北省
city: 黄冈市
county: 红安县
tags: [vetting, rectification]
primary_tag: vetting
retrieved: '2026-01-03T10:00:00+08:00'""",
    "jan-b": """title: 红安县一村合作社分红
date: 2021-01-20T09:00:00+08:00
site: 甲县新闻网
province: 湖北省
city: 黄冈市
county: 红安县
tags: [collective_economy]
retrieved: '2026-01-05T10:00:00+08:00'""",
    "mar": """title: 黄冈市部署候选人资格审查
date: 2021-03-02T09:00:00+08:00
site: 乙市日报
province: 湖北省
city: 黄冈市
county: null
tags: [vetting]
retrieved: '2026-01-01T10:00:00+08:00'""",
    "jul": """title: 兴县开展联审回头看
date: 2022-07-09T09:00:00+08:00
site: 乙市日报
province: 山西省
city: 吕梁市
county: 兴县
tags: [vetting]
retrieved: '2026-01-04T10:00:00+08:00'""",
    "partial": """title: 崇阳县联审工作见闻
date: null
date_partial: 09-03
site: 甲县新闻网
province: 湖北省
city: 咸宁市
county: 崇阳县
tags: [vetting]
retrieved: '2026-01-02T10:00:00+08:00'""",
    "bare": """title: null
date: null
tags: []""",
}


def build(tmp_path: Path, **extra: object) -> Path:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    for slug, meta in ARTICLES.items():
        text = f"---\n{meta}\nslug: {slug}\n---\n\n这是一段为测试编写的短文，讲村里的一件小事。\n"
        (content / f"{slug}.md").write_text(text, encoding="utf-8")
    output = tmp_path / "output"
    # The project's settings (the theme needs its Jinja filters, date format,
    # URLs), with this plugin and the reader only.
    settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "ARTICLE_PATHS": [""],
            "PAGE_PATHS": [],
            "OUTPUT_PATH": str(output),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "PLUGINS": ["archive_reader", "archive_pages"],
            "THEME": str(ROOT / "theme"),
            "RELATIVE_URLS": True,
            "CACHE_CONTENT": False,
            **extra,
        },
    )
    Pelican(settings).run()
    return output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("archive_pages"))


def page(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def count(html: str) -> int:
    """The number a page states in its lead (共 <strong class="count">N</strong> 篇)."""
    found = re.search(r'<strong class="count">(\d+)</strong>', html)
    assert found, "no count on the page"
    return int(found.group(1))


def article_links(html: str) -> list[str]:
    """The slugs of the articles a page lists, in order."""
    return re.findall(r'href="[./]*articles/([\w-]+)\.html"', html)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if k in ("href", "src") and v]


def test_every_practice_of_the_taxonomy_has_a_page(site: Path) -> None:
    practices = load_taxonomy().practices
    index = page(site, "practices/index.html")
    for practice in practices:
        html = page(site, f"practices/{practice.id}.html")
        assert practice.definition in html
        assert f"practices/{practice.id}.html" in index
    vetting = page(site, "practices/vetting.html")
    assert count(vetting) == 4
    # newest first, undated last
    assert article_links(vetting) == ["jul", "mar", "jan-a", "partial"]
    assert "其中 1 篇以此为主要实践" in vetting
    empty = page(site, "practices/hamlet_branches.html")
    assert count(empty) == 0 and "还没有" in empty and "<svg" not in empty


def test_month_shares_are_of_all_articles_of_the_month(site: Path) -> None:
    vetting = page(site, "practices/vetting.html")
    rows = dict(
        (month, (int(n), int(total), share))
        for month, n, total, share in re.findall(
            r">(\d{4}年\d+月)</a></th><td>(\d+)</td><td>(\d+)</td><td>([\d.]+%)</td>", vetting
        )
    )
    assert rows == {
        "2021年1月": (1, 2, "50.0%"),
        "2021年3月": (1, 1, "100.0%"),
        "2022年7月": (1, 1, "100.0%"),
    }


def test_top_places_fall_back_to_the_city(site: Path) -> None:
    vetting = page(site, "practices/vetting.html")
    places = re.findall(r'places/[^"]+\.html">([^<]+)</a></th><td>(\d+)</td>', vetting)
    assert sorted(places) == sorted(
        [
            ("湖北省 黄冈市 红安县", "1"),
            ("湖北省 黄冈市", "1"),
            ("湖北省 咸宁市 崇阳县", "1"),
            ("山西省 吕梁市 兴县", "1"),
        ]
    )
    sites = re.findall(r'sites/[^"]+\.html">([^<]+)</a></th><td>(\d+)</td>', vetting)
    assert sites == [("乙市日报", "2"), ("甲县新闻网", "2")]


def test_charts_are_inline_svg_without_script_or_outside_references(site: Path) -> None:
    for name in ("practices/vetting.html", "index.html"):
        html = page(site, name)
        svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
        assert len(svgs) == 2, name
        for svg in svgs:
            assert "<script" not in svg
            assert "Noto Sans CJK SC" in svg
            assert "2021年1月" in svg
            # namespace names are not fetched; nothing else may point outside
            rest = re.sub(r'xmlns(:\w+)?="[^"]*"', "", svg)
            assert not re.search(r"https?:|//[a-z]", rest), name
    assert "kozea" not in page(site, "index.html")


def test_places_have_readable_chinese_paths_and_counts(site: Path) -> None:
    county = site / "places" / "湖北省" / "黄冈市" / "红安县.html"
    assert county.is_file()
    assert article_links(county.read_text(encoding="utf-8")) == ["jan-b", "jan-a"]
    assert count(page(site, "places/湖北省.html")) == 4
    city = page(site, "places/湖北省/黄冈市.html")
    assert count(city) == 3
    assert "红安县.html" in city
    tree = page(site, "places/index.html")
    assert "湖北省</a>（4 篇）" in tree and "兴县</a>（1 篇）" in tree
    assert "另有 1 篇报道地点不详" in tree


def test_sites_pages(site: Path) -> None:
    index = page(site, "sites/index.html")
    assert re.search(r"甲县新闻网</a></th><td>3</td>", index)
    assert count(page(site, "sites/乙市日报.html")) == 2


def test_year_archives_leave_out_undated_articles(site: Path) -> None:
    assert not (site / "years" / "1900.html").exists()
    assert sorted(p.name for p in (site / "years").glob("*.html")) == [
        "2021.html",
        "2022.html",
        "index.html",
    ]
    assert count(page(site, "years/2021.html")) == 3
    january = page(site, "years/2021/01.html")
    assert article_links(january) == ["jan-b", "jan-a"]
    assert "1900" not in page(site, "years/index.html")
    undated = page(site, "undated.html")
    assert count(undated) == 2
    assert set(article_links(undated)) == {"partial", "bare"}
    assert "原页仅标 09-03" in undated


def test_home_page_shows_what_the_archive_holds(site: Path) -> None:
    home = page(site, "index.html")
    assert count(home) == 6
    assert "2 篇日期不详" in home
    assert re.search(r"资格联审</a></th><td>4</td>", home)
    assert re.search(r"2021年</a></th><td>3</td>", home)
    latest = home.split('id="latest"')[1].split('id="all"')[0]
    # by retrieved, newest first; the article without `retrieved` is left out
    assert article_links(latest) == ["jan-b", "jul", "jan-a", "partial", "mar"]


def test_every_link_of_the_browsing_pages_resolves_to_a_written_file(site: Path) -> None:
    pages = [site / "index.html", site / "undated.html"]
    for folder in ("practices", "places", "sites", "years"):
        pages += sorted((site / folder).rglob("*.html"))
    assert len(pages) > 20
    for html_file in pages:
        parser = _Links()
        parser.feed(html_file.read_text(encoding="utf-8"))
        for href in parser.hrefs:
            if href.startswith(("data:", "#")):
                continue
            assert not href.startswith(("http:", "https:", "//")), (html_file, href)
            target = urllib.parse.unquote(href.split("#")[0].split("?")[0])
            if not target:
                continue
            resolved = (html_file.parent / target).resolve()
            assert resolved.is_relative_to(site.resolve()), (html_file, href)
            if target.endswith(("search.html", "downloads.html", "methods.html")):
                continue  # written by search_export, corpus_downloads, methods_page: not enabled
            assert resolved.is_file(), (html_file, href)


@pytest.fixture()
def server(site: Path) -> Iterator[str]:
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_chinese_paths_are_served_as_browsers_request_them(server: str) -> None:
    # a browser sends the UTF-8 path percent-encoded
    url = server + "/" + urllib.parse.quote("places/湖北省/黄冈市/红安县.html")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert "湖北省 黄冈市 红安县" in response.read().decode("utf-8")


def test_builds_are_reproducible(tmp_path: Path, site: Path) -> None:
    again = build(tmp_path)
    for name in ("practices/vetting.html", "index.html"):
        assert page(again, name) == page(site, name)


def test_path_segment_keeps_chinese_and_drops_url_syntax() -> None:
    assert path_segment("恩施土家族苗族自治州") == "恩施土家族苗族自治州"
    replaced = path_segment("某县/新闻网?版#1")
    assert replaced.startswith("某县-新闻网-版-1-") and "/" not in replaced
    # Names that would meet after the replacement, or meet the index page, stay apart.
    assert path_segment("某县/新闻网") != path_segment("某县?新闻网")
    assert path_segment("index") != "index" and path_segment("Index").lower() != "index"
    assert path_segment("..").startswith("-")


def test_place_parts_fill_a_missing_upper_level() -> None:
    art = SimpleNamespace(province=None, city="某市", county="某县")
    assert place_parts(art) == ("省份不详", "某市", "某县")
    assert place_parts(SimpleNamespace(province="某省", city=None, county=None)) == ("某省",)
    assert place_parts(SimpleNamespace()) == ()


def test_newest_first_puts_undated_last() -> None:
    from datetime import datetime

    a = SimpleNamespace(date=datetime(2020, 1, 1), title="甲", undated=False)
    b = SimpleNamespace(date=datetime(2022, 1, 1), title="乙", undated=False)
    c = SimpleNamespace(date=datetime(1900, 1, 1), title="丙", undated=True)
    assert newest_first([c, a, b]) == [b, a, c]


def test_count_axis_has_whole_numbers() -> None:
    assert charts.whole_ticks(1) == [0, 1]
    assert charts.whole_ticks(12) == [0, 3, 6, 9, 12]


def test_long_lists_are_cut_into_pages_that_link_each_other(tmp_path: Path) -> None:
    output = build(tmp_path, ARCHIVE_PAGE_SIZE=2)
    pages = sorted((output / "places").rglob("湖北省*.html"))
    first = (output / "places" / "湖北省.html").read_text(encoding="utf-8")
    total = count(first)
    assert total > 2 and len(pages) == -(-total // 2), pages
    listed: list[str] = []
    for n, path in enumerate(sorted(pages, key=lambda p: (len(p.name), p.name)), 1):
        html = path.read_text(encoding="utf-8")
        items = re.findall(r'<li>\s*<a href="[^"]*articles/([^"]+)\.html"', html)
        assert 1 <= len(items) <= 2
        listed += items
        assert f"第 {n} / {len(pages)} 页" in html
        if n < len(pages):
            assert 'rel="next"' in html
    assert len(listed) == len(set(listed)) == total  # every article once, across the pages


def test_an_article_links_its_sites_page_even_when_the_name_had_to_change(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(
        "---\ntitle: 某文\ndate: 2021-03-01\nslug: a\nsite: 某县/新闻网\n---\n\n短文。\n",
        encoding="utf-8",
    )
    output = build(tmp_path)
    html = (output / "articles" / "a.html").read_text(encoding="utf-8")
    href = re.search(r'<dt>来源网站</dt><dd><a href="([^"]+)">某县/新闻网</a>', html)
    assert href, html
    target = (output / "articles" / urllib.parse.unquote(href.group(1))).resolve()
    assert target.is_file() and "某县/新闻网" in target.read_text(encoding="utf-8")
