"""The allow-list cleaner, and its place in Pelican's reading (cached reads stay cleaned)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.log import LimitFilter
from pelican.settings import read_settings

from .safe_html import clean, dangers

ROOT = Path(__file__).resolve().parents[2]


def test_what_can_run_is_removed_and_what_markdown_makes_is_kept() -> None:
    html = (
        '<p onclick="x()">甲<script>alert(1)</script><a href="javascript:alert(1)">链</a>'
        '<a href="https://county.example/a.html">原文</a><img src="data:image/svg+xml,x"></p>'
        '<iframe src="https://evil.example"></iframe><svg onload="x()"></svg><style>p{}</style>'
        '<h2 id="part-1">一</h2><sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>'
        '<table><tr><td style="text-align:right;position:fixed">10 万元</td></tr></table>'
    )
    cleaned = clean(html)
    for gone in ("onclick", "<script", "alert", "javascript:", "data:", "<iframe", "<svg",
                 "<style", "position"):  # fmt: skip
        assert gone not in cleaned, gone
    for kept in ('href="https://county.example/a.html"', 'id="part-1"', 'href="#fn:1"',
                 'class="footnote-ref"', 'style="text-align:right"', "10 万元"):  # fmt: skip
        assert kept in cleaned, kept
    assert set(dangers(html)) >= {"script", "iframe", "on* attribute", "javascript: URL",
                                  "data: URL", "svg or math", "style"}  # fmt: skip
    assert dangers('<p>甲村</p><table><tr><td style="text-align: left;">1</td></tr></table>') == []


def build(tmp_path: Path) -> Path:
    output = tmp_path / "output"
    override = {
        "PATH": str(tmp_path / "content"), "ARTICLE_PATHS": [""], "OUTPUT_PATH": str(output),
        "PLUGINS": ["archive_reader", "safe_html"], "CACHE_PATH": str(tmp_path / "cache"),
        "CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True,
    }  # fmt: skip
    Pelican(read_settings(str(ROOT / "pelicanconf.py"), override=override)).run()
    return output


def test_a_cached_read_is_still_clean_and_still_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(
        "---\ntitle: 甲村\ndate: 2024-01-01\nslug: a\ntags: [rectification]\n---\n\n"
        '甲村整顿。<script>window.x = 1</script><b onmouseover="x()">乙</b>\n', "utf-8"
    )  # fmt: skip
    for _ in range(2):  # the second build reads the article from Pelican's cache
        caplog.clear()
        LimitFilter._raised_messages.clear()  # Pelican says a message once a process
        with caplog.at_level(logging.WARNING):
            output = build(tmp_path)
        page = (output / "articles" / "a.html").read_text(encoding="utf-8")
        assert "<script>window" not in page and "onmouseover" not in page and "甲村整顿" in page
        assert "a.md: removed from the article's HTML: script, on* attribute" in caplog.text
    assert (tmp_path / "cache" / "ArticlesGenerator-Readers").exists()
