"""Kept pages: a rebuild that skips renders writes the same site as one that renders all.

Each test builds a small invented archive with the project's settings (every
plugin) into one output folder again and again, and compares it file for
file with a build from scratch without this plugin.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.settings import get_settings_from_file, read_settings

ROOT = Path(__file__).resolve().parents[2]

ARTICLES = {
    "a": ("甲村党支部整顿", "'2021-05-04T09:00:00+08:00'", "甲村软弱涣散党支部完成整顿。"),
    "b": ("乙村集体经济", "'2021-05-06T09:00:00+08:00'", "乙村发展村级集体经济，合作社分红。"),
    "c": ("丙村湾党小组", "null", "丙村在村湾建立党小组。"),
    "d": ("丁镇资格联审", "'2022-01-02T09:00:00+08:00'", "丁镇对村委会候选人资格联审。"),
}
TEMPLATE = """---
title: {title}
date: {date}
slug: {slug}
site: 甲县新闻网
province: 湖北省
tags: [rectification]
---

{body}
"""


def write_articles(content: Path, articles: dict[str, tuple[str, str, str]]) -> None:
    content.mkdir(parents=True, exist_ok=True)
    for slug, (title, date, body) in articles.items():
        text = TEMPLATE.format(title=title, date=date, slug=slug, body=body)
        path = content / f"{slug}.md"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


def build(home: Path, output: Path, *, reuse: bool, **settings: object) -> None:
    listed = get_settings_from_file(str(ROOT / "pelicanconf.py"))["PLUGINS"]
    plugins = [p for p in listed if p != "unchanged_pages"]
    override = {
        "PATH": str(home / "content"),
        "ARTICLE_PATHS": [""],
        "OUTPUT_PATH": str(output),
        "CACHE_PATH": str(home / ("cache" if reuse else f"cache-{output.name}")),
        "SEARCH_INDEX_DIR": str(home / f"index-{output.name}"),
        "PLUGINS": [*plugins, "unchanged_pages"] if reuse else plugins,
        **settings,
    }
    Pelican(read_settings(str(ROOT / "pelicanconf.py"), override=override)).run()


# The downloads page says when the downloads were made: every build renders it.
BUILD_TIME_PAGES = {"downloads.html"}


# pelican-sitemap dates the listing pages with the time of the build.
LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): LASTMOD.sub(b"", p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file() and str(p.relative_to(folder)) not in BUILD_TIME_PAGES
    }


def stamps(folder: Path) -> dict[str, int]:
    return {
        str(p.relative_to(folder)): p.stat().st_mtime_ns
        for p in folder.rglob("*.html")
        if str(p.relative_to(folder)) not in BUILD_TIME_PAGES
    }


def fresh(home: Path, name: str, **settings: object) -> dict[str, bytes]:
    """The site built from scratch, without this plugin."""
    output = home / name
    shutil.rmtree(output, ignore_errors=True)
    build(home, output, reuse=False, **settings)
    return tree(output)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    write_articles(tmp_path / "content", ARTICLES)
    return tmp_path


def test_a_rebuild_keeps_every_page_and_equals_a_fresh_build(home: Path) -> None:
    output = home / "output"
    build(home, output, reuse=True)
    first = stamps(output)
    assert "articles/a.html" in first and "index.html" in first
    build(home, output, reuse=True)
    assert stamps(output) == first  # nothing rendered again
    assert tree(output) == fresh(home, "fresh")
    sitemap = (output / "sitemap.xml").read_text(encoding="utf-8")
    assert "articles/a.html" in sitemap and "articles/d.html" in sitemap


def test_a_changed_article_renders_its_page_and_the_pages_that_show_it(home: Path) -> None:
    output = home / "output"
    build(home, output, reuse=True)
    before = stamps(output)
    changed = {**ARTICLES, "b": ("乙村集体经济再发展", ARTICLES["b"][1], "乙村合作社第二次分红。")}
    write_articles(home / "content", changed)
    build(home, output, reuse=True)
    after = stamps(output)
    rendered = {page for page in after if after[page] != before.get(page)}
    assert "articles/b.html" in rendered and "index.html" in rendered  # its title is listed there
    assert "articles/a.html" not in rendered and "articles/d.html" not in rendered
    assert "乙村集体经济再发展" in (output / "articles" / "b.html").read_text(encoding="utf-8")
    assert tree(output) == fresh(home, "fresh")


def test_a_new_article_and_a_removed_one(home: Path) -> None:
    output = home / "output"
    build(home, output, reuse=True)
    (home / "content" / "a.md").unlink()
    write_articles(
        home / "content", {"e": ("戊村整顿", "'2023-03-03T09:00:00+08:00'", "戊村整顿。")}
    )
    build(home, output, reuse=True)
    site = tree(output)
    assert "articles/e.html" in site
    # Pelican never deletes what an earlier build wrote; the rest is what a fresh build makes
    expected = fresh(home, "fresh")
    assert {k: v for k, v in site.items() if k != "articles/a.html" and "a.bib" not in k
            and "a.ris" not in k} == expected  # fmt: skip


def test_a_template_or_a_setting_a_page_reads_renders_it_again(home: Path) -> None:
    theme = home / "theme"
    shutil.copytree(ROOT / "theme", theme)
    output = home / "output"
    build(home, output, reuse=True, THEME=str(theme))
    before = stamps(output)
    base = theme / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("跳到正文", "跳至正文"), "utf-8")
    build(home, output, reuse=True, THEME=str(theme))
    after = stamps(output)
    assert all(after[page] != before[page] for page in before)  # every page extends base.html
    assert "跳至正文" in (output / "articles" / "a.html").read_text(encoding="utf-8")
    build(home, output, reuse=True, THEME=str(theme), SITENAME="另一个档案")
    assert "另一个档案" in (output / "articles" / "a.html").read_text(encoding="utf-8")
    assert tree(output) == fresh(home, "fresh", THEME=str(theme), SITENAME="另一个档案")


def test_a_deleted_or_edited_output_file_is_written_again(home: Path) -> None:
    output = home / "output"
    build(home, output, reuse=True)
    (output / "articles" / "a.html").unlink()
    page = output / "articles" / "b.html"
    page.write_text("edited by hand", encoding="utf-8")
    build(home, output, reuse=True)
    assert (output / "articles" / "a.html").exists()
    assert "乙村集体经济" in page.read_text(encoding="utf-8")
    assert tree(output) == fresh(home, "fresh")


@pytest.mark.parametrize(
    "damage",
    [
        "{not json",
        '{"version": 1, "pages": {"articles/a.html": {"digest": 1, "files": "x"}, "index.html": 5}}',
        '{"version": 1, "pages": {"articles/a.html": {"files": [["../../etc/passwd", [1, 2]]]}}}',
    ],
)
def test_damaged_records_render_everything(home: Path, damage: str) -> None:
    output = home / "output"
    build(home, output, reuse=True)
    records = list((home / "cache").glob("unchanged_pages-*.json"))
    assert len(records) == 1
    records[0].write_text(damage, encoding="utf-8")
    before = stamps(output)
    build(home, output, reuse=True)
    after = stamps(output)
    assert all(after[page] != before[page] for page in before)
    assert tree(output) == fresh(home, "fresh")


class Place:
    """Stands for the browsing pages' objects: plain attributes, nested."""

    def __init__(self, name: str, children: list[Place] | None = None) -> None:
        self.name = name
        self.children = children or []


def test_a_change_deep_inside_an_object_changes_its_digest() -> None:
    from .unchanged_pages import _Digester

    county = Place("红安县")
    province = Place("湖北省", [Place("黄冈市", [county])])
    before = _Digester().value([province])
    county.name = "麻城市"
    assert _Digester().value([province]) != before
    assert _Digester().value([province]) == _Digester().value([province])  # and is stable


def test_objects_that_reach_themselves_are_rendered_not_digested() -> None:
    from .unchanged_pages import Uncacheable, _Digester

    city = Place("黄冈市")
    city.children = [Place("红安县", [city])]  # a child pointing back at its parent
    with pytest.raises(Uncacheable):
        _Digester().value(city)
