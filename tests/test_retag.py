"""`invoke retag`: tags recomputed from stored text; editors' tags never touched."""

from __future__ import annotations

from pathlib import Path

from scraper.markdown_out import parse, render, to_markdown
from scraper.models import Article
from scraper.retag import retag
from scraper.store import read_front_matter, write_article

BODY = (
    "全县排查确定软弱涣散村党组织12个，逐村制定整顿方案。\n\n"
    "县级领导包联、第一书记驻村，集中整顿后10个村实现晋位升级。"
)


def article(tags: list[str]) -> Article:
    return Article(
        title="某县整顿软弱涣散村党组织", date="2021-05-01", date_partial=None, author=None,
        site="某某网", source=None, url="http://example.invalid/a.html", province=None,
        city=None, county=None, keywords=[], summary=None, tags=tags, primary_tag=tags[0] if tags else None,
        tag_scores={}, evidence={}, body=BODY, warnings=[],
    )  # fmt: skip


def test_stale_tags_of_a_generated_article_are_recomputed(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, to_markdown(article([])))
    report = retag(tmp_path)
    assert read_front_matter(path)["tags"] == ["rectification"]
    assert report.added["rectification"] == 1
    assert [p.name for p, _, _ in report.changed] == ["a.md"]
    assert read_front_matter(path)["evidence"]["rectification"]


def test_retag_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, to_markdown(article([])))
    retag(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert retag(tmp_path).changed == []
    assert path.read_text(encoding="utf-8") == text


def test_tags_an_editor_set_survive(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    write_article(path, to_markdown(article([])))
    front, body = parse(path.read_text(encoding="utf-8"))
    front["tags"] = ["collective_economy"]  # an editor's judgement, against the tagger
    path.write_text(render(front, body), encoding="utf-8")
    edited = path.read_text(encoding="utf-8")
    report = retag(tmp_path)
    assert path.read_text(encoding="utf-8") == edited
    assert report.kept_by_editor == [path]


def test_editor_written_article_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "mine.md"
    path.write_text(
        "---\ntitle: 编辑写的文章\ntags: [vetting]\n---\n\n" + BODY + "\n", encoding="utf-8"
    )
    before = path.read_text(encoding="utf-8")
    retag(tmp_path)
    assert path.read_text(encoding="utf-8") == before


def test_malformed_front_matter_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: [unclosed\ntags: x\n---\n\n正文。\n", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    report = retag(tmp_path)
    assert path.read_text(encoding="utf-8") == before
    assert report.failed and report.failed[0][0] == path
    assert "line" in report.failed[0][1]
