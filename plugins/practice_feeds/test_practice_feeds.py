"""Per-practice Atom feeds and the sitemap, with the settings pelicanconf.py is to use."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

from scraper.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

# The settings proposed for pelicanconf.py / publishconf.py.
FEED_SETTINGS = {
    "SITEURL": "https://archive.example",
    "FEED_DOMAIN": "https://archive.example",
    "FEED_ALL_ATOM": "feeds/all.atom.xml",
    "TAG_FEED_ATOM": "feeds/{slug}.atom.xml",
    "TAG_FEED_ATOM_URL": "feeds/{slug}.atom.xml",
    "FEED_MAX_ITEMS": 50,
    "SITEMAP": {
        "format": "xml",
        "exclude": ["^404\\.html$", "^search\\.html$"],
        "priorities": {"articles": 0.8, "indexes": 0.5, "pages": 0.5},
        "changefreqs": {"articles": "yearly", "indexes": "daily", "pages": "monthly"},
    },
}

ARTICLES = {
    "a": "---\ntitle: 乙镇联审\ndate: '2021-06-30T10:15:00+08:00'\ntags: [vetting, rectification]\nslug: dated-a\n---\n\n乙镇联审候选人。\n",
    "b": "---\ntitle: 甲村整顿\ndate: '2019-03-02'\ntags: [rectification]\nslug: dated-b\n---\n\n甲村整顿。\n",
    "c": "---\ntitle: 丙村整顿\ndate: null\ntags: [rectification]\nslug: undated-c\nretrieved: '2026-01-05T08:00:00+08:00'\n---\n\n丙村整顿。\n",
    # an editor's undated article: no time it was fetched either
    "e": "---\ntitle: 丁村整顿\ndate: null\ntags: [rectification]\nslug: undated-e\n---\n\n丁村整顿。\n",
}


EDITED = 1767225600  # 2026-01-01 00:00 UTC, when the editor's file last changed


def build(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for name, text in ARTICLES.items():
        (content / f"{name}.md").write_text(text, encoding="utf-8")
    os.utime(content / "e.md", (EDITED, EDITED))
    output = tmp_path / "output"
    override = {
        "PATH": str(content),
        "ARTICLE_PATHS": [""],
        "OUTPUT_PATH": str(output),
        "PLUGIN_PATHS": [str(ROOT / "plugins")],
        "PLUGINS": ["archive_reader", "practice_feeds", "pelican.plugins.sitemap"],
        "THEME": str(ROOT / "theme"),
        "CACHE_CONTENT": False,
        # What plugins/search_export sets (left out: these tests are about this plugin).
        "PRACTICE_NAMES": {p.id: p.name_zh for p in load_taxonomy().practices},
        **FEED_SETTINGS,
    }
    Pelican(read_settings(path=str(ROOT / "pelicanconf.py"), override=override)).run()
    return output


def test_one_feed_per_practice_titled_in_chinese_without_undated(tmp_path: Path) -> None:
    output = build(tmp_path)
    feeds = sorted(p.name for p in (output / "feeds").glob("*.atom.xml"))
    assert feeds == ["all.atom.xml", "rectification.atom.xml", "vetting.atom.xml"]
    root = ET.parse(output / "feeds" / "rectification.atom.xml").getroot()
    assert root.findtext(f"{ATOM}title") == "基层党建档案 - 软弱涣散整顿"
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert titles == ["乙镇联审", "甲村整顿"], "the undated article is left out"
    for name in feeds:
        text = (output / "feeds" / name).read_text(encoding="utf-8")
        assert "1900" not in text and "丙村整顿" not in text
    assert root.findtext(f"{ATOM}updated").startswith("2021-06-30T10:15:00+08:00")
    # Left out of the feeds only: the undated article is still built.
    assert any("丙村整顿" in p.read_text(encoding="utf-8") for p in output.rglob("undated-c.html"))


def test_sitemap_lists_articles_without_the_placeholder_date(tmp_path: Path) -> None:
    output = build(tmp_path)
    root = ET.parse(output / "sitemap.xml").getroot()
    lastmod = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root}
    base = "https://archive.example/articles/"
    assert lastmod[base + "dated-a.html"] == "2021-06-30T10:15:00+08:00"
    assert lastmod[base + "undated-c.html"] == "2026-01-05T08:00:00+08:00"  # when it was fetched
    # not the time of the build: a rebuild must not change the page
    assert lastmod[base + "undated-e.html"] == "2026-01-01T08:00:00+08:00"  # the file's time
    assert "1900" not in (output / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://archive.example/404.html" not in lastmod
