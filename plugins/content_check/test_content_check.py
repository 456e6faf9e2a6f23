"""Editors' mistakes are reported with file and line, and fail the build (or warn, by policy)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pelican import Pelican
from pelican.plugins.sitemap import sitemap
from pelican.settings import read_settings

from .content_check import ContentProblems

ROOT = Path(__file__).resolve().parents[2]

GOOD = (
    "---\ntitle: 甲村整顿\ndate: 2024-01-02\nslug: good\ntags: [rectification]\n---\n\n甲村整顿。\n"
)


def build(tmp_path: Path, files: dict[str, str], **settings: object) -> Path:
    content = tmp_path / "content"
    for name, text in files.items():
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text(text, encoding="utf-8")
    output = tmp_path / "output"
    override = {
        "PATH": str(content), "ARTICLE_PATHS": ["scraped", "articles"], "OUTPUT_PATH": str(output),
        "PLUGINS": ["archive_reader", "content_check"], "CACHE_CONTENT": False, **settings,
    }  # fmt: skip
    Pelican(read_settings(str(ROOT / "pelicanconf.py"), override=override)).run()
    return output


def problems(tmp_path: Path, caplog: pytest.LogCaptureFixture, files: dict[str, str]) -> str:
    """The build's report; the build must fail."""
    try:
        with caplog.at_level(logging.WARNING), pytest.raises(ContentProblems) as failed:
            build(tmp_path, {"articles/good.md": GOOD, **files})
    finally:
        # pelican-sitemap keeps the first Pelican it saw until that one finishes;
        # a build stopped here never does, and later builds in this process
        # (other tests) would write no sitemap.  (`invoke build` is one process a build.)
        sitemap.generator._main_pelican = None
        sitemap.generator.page_queue = []
    assert "the site was not written" in str(failed.value)
    assert not (tmp_path / "output" / "articles" / "good.html").exists()
    return caplog.text


def test_malformed_front_matter_names_its_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = problems(tmp_path, caplog, {
        "articles/bad.md": "---\ntitle: 乙村\ndate: 2024-01-02\ntags: [rectification\nslug: bad\n---\n\n乙村。\n",
    })  # fmt: skip
    assert "content/articles/bad.md:5: malformed YAML front matter" in text


def test_an_unclosed_front_matter_is_an_error_not_body_text(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = problems(tmp_path, caplog, {"articles/open.md": "---\ntitle: 丙村\n\n丙村。\n"})
    assert "content/articles/open.md:1: front matter is not closed by a --- line" in text


def test_unknown_practice_tag(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = problems(tmp_path, caplog, {
        "articles/tag.md": "---\ntitle: 丁村\ndate: 2024-01-02\nslug: tag\ntags:\n  - rectification\n  - rectifcation\n---\n\n丁村。\n",
    })  # fmt: skip
    assert "content/articles/tag.md:7: unknown practice tag 'rectifcation'" in text
    assert "rectification" in text.split("rectifcation'", 1)[1]  # the known ones are listed


def test_two_articles_with_one_slug_name_each_other(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    text = problems(tmp_path, caplog, {
        "articles/copy.md": GOOD.replace("甲村整顿", "甲村整顿（修订）"),
        "scraped/2024-01-02-x.md": GOOD.replace("title: 甲村整顿\n", "title: 甲村\n"),
    })  # fmt: skip
    assert (
        "content/articles/copy.md:4: slug 'good' is also the slug of content/articles/good.md"
        in text
    )
    assert "content/articles/good.md:4: slug 'good'" in text
    assert "content/scraped/2024-01-02-x.md:4: slug 'good'" in text


def test_a_link_to_a_missing_article(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = problems(tmp_path, caplog, {
        "articles/links.md": "---\ntitle: 戊村\ndate: 2024-01-02\nslug: links\ntags: [rectification]\n---\n\n"
        "见[甲村]({filename}good.md)。\n\n另见[乙村]({filename}missing.md)和[丙村](other.md)。\n",
    })  # fmt: skip
    assert "content/articles/links.md:10: link to '{filename}missing.md'" in text
    assert "content/articles/links.md:10: link to 'other.md'" in text
    assert "good.md'" not in text  # the link that resolves is not reported


def test_missing_title_and_date_of_an_editor_are_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path, {
            "articles/bare.md": "---\nslug: bare\ndate: null\ntags: [rectification]\n---\n\n己村成立党小组。其余。\n",
            "scraped/undated.md": "---\nslug: undated\ntags: [rectification]\n---\n\n庚村整顿。\n",
        })  # fmt: skip
    assert (
        "content/articles/bare.md: no title: the site shows the first sentence ('己村成立党小组')"
        in caplog.text
    )
    assert "content/articles/bare.md:3: no date: the article is listed as 日期不详" in caplog.text
    assert "undated.md" not in caplog.text  # scraped articles: the scrape report lists those
    assert (output / "articles" / "bare.html").exists()  # built, nothing dropped


def test_the_warn_policy_builds_anyway(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        output = build(tmp_path, {
            "articles/good.md": GOOD,
            "articles/tag.md": GOOD.replace("slug: good", "slug: tag").replace("rectification", "nonsense"),
        }, CONTENT_CHECK="warn")  # fmt: skip
    assert "content/articles/tag.md:5: unknown practice tag 'nonsense'" in caplog.text
    assert (output / "articles" / "good.html").exists() and (
        output / "articles" / "tag.html"
    ).exists()


def test_invoke_build_fails_and_keeps_the_last_site(tmp_path: Path) -> None:
    home = tmp_path
    (home / "content" / "articles").mkdir(parents=True)
    (home / "content" / "articles" / "good.md").write_text(GOOD, encoding="utf-8")
    env = {**os.environ, "ARCHIVE_HOME": str(home), "COLUMNS": "400"}  # log lines unwrapped
    command = [sys.executable, "-m", "invoke", "build"]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    page = home / "output" / "articles" / "good.html"
    before = page.read_bytes()
    (home / "content" / "articles" / "good.md").write_text(
        GOOD.replace("甲村整顿。", "甲村整顿，改了。").replace("rectification", "rectifcation"),
        "utf-8",
    )
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert second.returncode != 0
    report = second.stdout + second.stderr
    assert "content/articles/good.md:5: unknown practice tag 'rectifcation'" in report
    assert page.read_bytes() == before  # the last site stays whole
