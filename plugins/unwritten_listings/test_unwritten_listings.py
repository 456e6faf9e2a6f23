"""Listings the site does not write are not gathered; the site written is the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from pelican import Pelican
from pelican.generators import ArticlesGenerator
from pelican.settings import read_settings

from . import unwritten_listings

ARTICLE = """Title: {title}
Date: 2021-05-0{n}
Tags: 整顿, 集体经济
Author: 作者{n}
Category: 组织
Slug: a{n}

{title}的正文。
"""


def build(tmp_path: Path, name: str, plugin: bool, **settings: object) -> Path:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    for n, title in enumerate(["甲村整顿", "乙村合作社", "丙村党小组"], start=1):
        (content / f"a{n}.md").write_text(ARTICLE.format(title=title, n=n), encoding="utf-8")
    output = tmp_path / name
    override = {
        "PATH": str(content), "OUTPUT_PATH": str(output), "CACHE_CONTENT": False,
        "PLUGINS": [unwritten_listings] if plugin else [], "FEED_ALL_ATOM": None,
        "CATEGORY_FEED_ATOM": None, "TIMEZONE": "Asia/Shanghai", **settings,
    }  # fmt: skip
    Pelican(read_settings(None, override=override)).run()
    return output


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of ArticlesGenerator's listing methods Pelican calls, as it calls them."""
    seen: list[str] = []
    for method in unwritten_listings.LISTINGS:
        original = getattr(ArticlesGenerator, method)

        def spy(self: ArticlesGenerator, write: object, _m: str = method, _o=original) -> None:
            seen.append(_m)
            _o(self, write)

        monkeypatch.setattr(ArticlesGenerator, method, spy)
    return seen


def test_listings_without_save_as_are_not_gathered_and_the_site_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unwritten = {"TAG_SAVE_AS": "", "AUTHOR_SAVE_AS": "", "CATEGORY_SAVE_AS": ""}
    seen = calls(monkeypatch)
    plain = build(tmp_path, "plain", plugin=False, **unwritten)
    assert sorted(seen) == sorted(unwritten_listings.LISTINGS)  # Pelican gathers them all
    seen.clear()
    quick = build(tmp_path, "quick", plugin=True, **unwritten)
    assert seen == []
    assert files(quick) == files(plain)
    assert not any(name.startswith(("tag/", "author/")) for name in files(quick))


def test_listings_with_save_as_are_made_by_pelican_as_usual(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = calls(monkeypatch)
    output = build(tmp_path, "site", plugin=True, AUTHOR_SAVE_AS="")
    assert sorted(seen) == ["generate_categories", "generate_tags"]
    written = files(output)
    assert any(name.startswith("tag/") for name in written)
    assert not any(name.startswith("author/") for name in written)
