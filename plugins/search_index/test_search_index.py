"""The search_index plugin keeps the Whoosh index in step with a Pelican build (end to end)."""

from __future__ import annotations

from pathlib import Path

from pelican import Pelican
from pelican.settings import read_settings

from archive_search import close_searchers, search

from . import search_index

ROOT = Path(__file__).resolve().parents[2]

ARTICLES = {
    "a.md": "---\ntitle: 红安县整顿软弱涣散村党组织\ndate: '2021-03-05'\nslug: a\ntags: [rectification]\n"
    "county: 红安县\n---\n\n今年以来，红安县把整顿软弱涣散村党组织作为重点任务。\n",
    "b.md": "---\ntitle: null\ndate: null\nslug: b\n---\n\n宣恩县探索在自然村湾设立党支部。\n",
}


def build(tmp_path: Path, files: dict[str, str], index: str | None = None) -> Path:
    content = tmp_path / "content"
    content.mkdir(exist_ok=True)
    for old in content.glob("*.md"):
        old.unlink()
    for name, text in files.items():
        (content / name).write_text(text, encoding="utf-8")
    override = {
        "PATH": str(content),
        "OUTPUT_PATH": str(tmp_path / "output"),
        "PLUGIN_PATHS": [str(ROOT / "plugins")],
        "PLUGINS": ["archive_reader", "search_index"],
        "TIMEZONE": "Asia/Shanghai",
        "ARTICLE_URL": "articles/{slug}.html",
        "ARTICLE_SAVE_AS": "articles/{slug}.html",
        "FEED_ALL_ATOM": None,
        "CACHE_CONTENT": False,
    }
    if index is not None:
        override["SEARCH_INDEX_DIR"] = index
    Pelican(read_settings(path=None, override=override)).run()
    return tmp_path / "search_index" if index is None else Path(index)


def test_a_build_indexes_every_article_and_updates_incrementally(tmp_path: Path) -> None:
    index = build(tmp_path, ARTICLES)  # default: search_index/ beside content/
    assert index == tmp_path / "search_index" and (index / "order.json").is_file()
    hits = search("软弱涣散", index_dir=index).hits
    assert [h.slug for h in hits] == ["a"] and hits[0].url == "articles/a.html"
    assert search("村湾", index_dir=index).hits[0].date is None  # undated kept
    assert search_index.state == {}  # reset on finalized

    build(tmp_path, {"a.md": ARTICLES["a.md"].replace("软弱涣散", "后进")})
    assert search("软弱涣散", index_dir=index).total == 0
    assert search("后进", index_dir=index).slugs == ["a"]
    assert search("村湾", index_dir=index).total == 0  # b deleted
    close_searchers()


def test_index_dir_setting(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    assert build(tmp_path, ARTICLES, index=str(target)) == target
    assert search("党", index_dir=target).total == 2
    settings = {"PATH": str(tmp_path / "content"), "SEARCH_INDEX_DIR": "idx"}
    assert search_index.index_dir(settings) == tmp_path.resolve() / "idx"
    close_searchers()
