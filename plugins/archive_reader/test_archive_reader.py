"""The archive reader keeps untitled and undated articles (end-to-end Pelican build)."""

from __future__ import annotations

from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

from .archive_reader import UNDATED, derived_title

ROOT = Path(__file__).resolve().parents[2]


def build(tmp_path: Path, files: dict[str, str]) -> Path:
    content = tmp_path / "content"
    content.mkdir()
    for name, text in files.items():
        (content / name).write_text(text, encoding="utf-8")
    output = tmp_path / "output"
    settings = read_settings(
        path=None,
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "PLUGINS": ["archive_reader"],
            "TIMEZONE": "Asia/Shanghai",
            "ARTICLE_URL": "articles/{slug}.html",
            "ARTICLE_SAVE_AS": "articles/{slug}.html",
            "FEED_ALL_ATOM": None,
            "CACHE_CONTENT": False,
        },
    )
    Pelican(settings).run()
    return output


def test_derived_title_is_the_first_sentence() -> None:
    assert derived_title("<p>今年以来，某县狠抓落实。后面的话。</p>") == "今年以来，某县狠抓落实"
    assert derived_title("<p></p>") is None


def test_untitled_and_undated_articles_are_built(tmp_path: Path) -> None:
    output = build(
        tmp_path,
        {
            "a.md": "---\ntitle: null\ndate: null\nslug: untitled\n---\n\n今年以来，某县推进村党组织建设。\n",
            "b.md": "---\ntitle: 有日期的文章\ndate: 2021-01-28T14:22:00+08:00\nslug: dated\nurl: http://example.invalid/a.html\n---\n\n正文。\n",
        },
    )
    untitled = (output / "articles" / "untitled.html").read_text(encoding="utf-8")
    assert "今年以来，某县推进村党组织建设" in untitled
    # the original address is not taken for the page's own
    assert (output / "articles" / "dated.html").is_file()
    assert UNDATED.year == 1900
