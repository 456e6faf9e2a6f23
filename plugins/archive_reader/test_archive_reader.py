"""The archive reader keeps untitled and undated articles (end-to-end Pelican build)."""

from __future__ import annotations

from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

from .archive_reader import UNDATED, cjk_summary, derived_title, join_cjk_lines, zh_datetime

ROOT = Path(__file__).resolve().parents[2]


def build(tmp_path: Path, files: dict[str, str], **settings: object) -> Path:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
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
            **settings,
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


def test_line_breaks_between_chinese_characters_are_removed() -> None:
    assert (
        join_cjk_lines("<p>村党支部\n召开会议，\n  研究换届。</p>")
        == "<p>村党支部召开会议，研究换届。</p>"
    )
    # Between Latin words the break stays (a space in the browser), and tags are untouched.
    assert join_cjk_lines("<p>APP\nstore 党建\nGDP</p>\n<p>下一段</p>") == (
        "<p>APP\nstore 党建\nGDP</p>\n<p>下一段</p>"
    )


def test_summary_ends_at_a_sentence_end() -> None:
    html = (
        "<p>第一句话说明情况。第二句话更长一些，讲了做法！</p><p>" + "很长的第三句" * 30 + "。</p>"
    )
    assert cjk_summary(html, limit=40) == "第一句话说明情况。第二句话更长一些，讲了做法！"
    assert cjk_summary("<p>" + "没有句号" * 40 + "</p>", limit=20) == "没有句号" * 5 + "…"
    assert cjk_summary("<p>甲 &lt;b&gt; 乙。</p>") == "甲 &lt;b&gt; 乙。"  # text, escaped


def test_articles_without_slug_get_one_from_source_and_date(tmp_path: Path) -> None:
    """Two editors' articles with the same title both build, each under its own stable slug."""
    article = "---\ntitle: 同一个标题\ndate: 2022-03-01\n{extra}---\n\n村里\n开会了。\n"
    output = build(
        tmp_path,
        {
            "one.md": article.format(extra=""),
            "two.md": article.format(extra="url: http://example.invalid/2.html\n"),
        },
    )
    pages = sorted(p.name for p in (output / "articles").glob("*.html"))
    assert len(pages) == 2 and all(p.startswith("2022-03-01-") for p in pages), pages
    (tmp_path / "again").mkdir()
    again = build(tmp_path / "again", {"one.md": article.format(extra="")})
    assert sorted(p.name for p in (again / "articles").glob("*.html"))[0] in pages
    text = (output / "articles" / pages[0]).read_text(encoding="utf-8")
    assert "村里开会了。" in text


def test_times_are_shown_in_chinese_in_beijing_time() -> None:
    assert zh_datetime("2026-12-01T23:49:02+00:00") == "2026年12月2日 07:49"
    assert zh_datetime("2021-01-28T14:22:00+08:00") == "2021年1月28日 14:22"
    assert zh_datetime("不是时间") == "不是时间"


def test_a_build_with_pelicans_content_cache_runs_twice(tmp_path: Path) -> None:
    """The cache pickles the settings, the reader's Jinja filter included."""
    files = {
        "a.md": "---\ntitle: 标题\ndate: 2021-01-28\nslug: a\nretrieved: '2021-02-01T08:00:00+08:00'\n---\n\n正文。\n"
    }
    cache = {
        "CACHE_CONTENT": True,
        "LOAD_CONTENT_CACHE": True,
        "CACHE_PATH": str(tmp_path / "cache"),
    }
    build(tmp_path, files, **cache)
    output = build(tmp_path, files, **cache)
    assert (output / "articles" / "a.html").is_file()
    assert any((tmp_path / "cache").iterdir())
